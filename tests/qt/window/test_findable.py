"""Every control a user acts on, in every panel of the window, has an objectName and an
accessible name, so tests and screen readers find it without private attributes."""

import pytest
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

from gui.qt.app import sample_project
from gui.qt.common.settings import SettingsStore
from gui.qt.window.main_window import MainWindow

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QAbstractSlider,
)


def _owned_by_qt(widget: QWidget) -> bool:
    """Parts Qt makes inside composite widgets (a combo box's line edit and list, a spin
    box's editor, scroll bars, a dock's float/close buttons, a tab bar's scroll arrows): the
    composite is what a person acts on, and it is named."""
    if isinstance(widget, QScrollBar | QHeaderView) or widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QTabBar | QLineEdit):
            return True
        parent = parent.parentWidget()
    name = type(widget).__name__
    return name.startswith("QDockWidget") or name in {"QDockWidgetTitleButton"}


def _controls(root: QWidget) -> list[QWidget]:
    return [
        widget
        for widget in root.findChildren(QWidget)
        if isinstance(widget, INTERACTIVE) and not _owned_by_qt(widget)
    ]


@pytest.fixture
def window(qtbot):
    win = MainWindow(sample_project(), SettingsStore())
    win.show()
    qtbot.waitExposed(win)
    win.endpoint_panel  # noqa: B018 (the panels made after the first paint, made now)
    win.server_panel  # noqa: B018
    yield win
    win.editing.stack.setClean()
    win.close()
    win.deleteLater()


PANELS = [
    "palette_panel",
    "flows_panel",
    "inspector",
    "problems_panel",
    "editor",
    "xml_view",
    "dial_pad",
    "call_log_panel",
    "endpoint_panel",
    "server_panel",
    "request_log",
    "simulator",
    "getting_started",
    "switch_editor",
    "flow_map",
]


def test_the_check_sees_unnamed_controls(qtbot):
    """The walk finds a control without names (so the tests above can fail)."""
    from PySide6.QtWidgets import QPushButton

    root = QWidget()
    qtbot.addWidget(root)
    QPushButton("Go", root)
    assert len(_controls(root)) == 1


@pytest.mark.parametrize("panel", PANELS)
def test_every_control_has_an_object_name_and_an_accessible_name(window, panel):
    root = getattr(window, panel)
    controls = [root, *_controls(root)] if isinstance(root, INTERACTIVE) else _controls(root)
    missing = [
        f"{type(w).__name__} {w.objectName()!r} (text {getattr(w, 'text', lambda: '')()!r})"
        for w in controls
        if not w.objectName() or not w.accessibleName()
    ]
    assert not missing, f"{panel}: controls without an objectName or accessible name: {missing}"


@pytest.mark.parametrize("panel", PANELS)
def test_object_names_are_unique_within_a_panel(window, panel):
    root = getattr(window, panel)
    names = [w.objectName() for w in _controls(root) if w.objectName()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"{panel}: objectNames used more than once: {repeated}"
