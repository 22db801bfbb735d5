"""The check that every control a person acts on in a panel is findable: an objectName
(unique in the panel) for tests, an accessible name for screen readers."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)
# Qt makes parts inside these (a combo's list, a spin box's editor, a line edit's clear
# button, a table's headers and corner button, a tab bar's arrows): the whole is named.
_COMPOSITE = (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractItemView, QTabBar)


def controls(root: QWidget) -> list[QWidget]:
    """The controls under `root` a person acts on, without Qt's own parts of them."""
    return [
        widget
        for widget in root.findChildren(QWidget)
        if isinstance(widget, INTERACTIVE) and not _part_of_a_control(widget, root)
    ]


def _part_of_a_control(widget: QWidget, root: QWidget) -> bool:
    if isinstance(widget, QHeaderView | QScrollBar) or widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, _COMPOSITE):
            return True
        parent = parent.parentWidget()
    return False


def assert_findable(root: QWidget) -> dict[str, QWidget]:
    """Assert every control has both names and objectNames are unique; returns them by
    objectName."""
    found = controls(root)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}"
        for w in found
        if not w.objectName() or not w.accessibleName()
    ]
    assert not unnamed, f"controls without an objectName or an accessible name: {unnamed}"
    names = [w.objectName() for w in found]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"objectNames used more than once: {repeated}"
    return {w.objectName(): w for w in found}
