"""The editors of a case's cells: how it matches, what it matches (opening hours with their
time zone), where it goes.

A cell's text is committed on Enter or when the focus leaves the cell, never per keystroke.
A value the switch refuses keeps the editor open on Enter (the message is shown beside the
table); when the focus leaves instead, the editor closes and the case keeps its old value.
A combo box commits as soon as an item is chosen from it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from zoneinfo import available_timezones

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QTimeZone,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QStyledItemDelegate,
    QWidget,
)

from ...core.switches import MatchKind
from ..common.icons import flow_icon, switch_icon
from ..common.names import findable
from .switch_cases import EXAMPLES, GOTO, KIND_LABELS, KIND_TIPS, MATCH

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_NO_HINT = QAbstractItemDelegate.EndEditHint.NoHint


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone this Python knows, sorted."""
    return tuple(sorted(available_timezones()))


def default_zone() -> str:
    """The computer's IANA time zone when it has one, else UTC: new opening hours use it."""
    zone = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="replace")
    return zone if zone in time_zones() else "UTC"


def _inside(widget: QWidget | None, container: QWidget) -> bool:
    """Whether `widget` is `container` or within it, popups of its combo boxes included
    (QWidget.isAncestorOf stops at window boundaries, and a combo's list is a window)."""
    while widget is not None:
        if widget is container:
            return True
        widget = widget.parentWidget()
    return False


class ZoneCombo(QComboBox):
    """Every IANA time zone, typed ahead: typing narrows them (anywhere in the name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(list(time_zones()))
        self.setMaxVisibleItems(16)
        completer = QCompleter(list(time_zones()), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setToolTip("The time zone of the opening hours (type to narrow the list)")

    def zone(self) -> str:
        return self.currentText().strip()

    def set_zone(self, zone: str) -> None:
        found = self.findText(zone)
        if found >= 0:
            self.setCurrentIndex(found)
        else:
            self.setEditText(zone)


class HoursEditor(QWidget):
    """Opening hours and their time zone, side by side in one cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hours = findable(QLineEdit(self), "switch-case-hours", "Opening hours")
        self.hours.setPlaceholderText(f"e.g. {EXAMPLES[MatchKind.HOURS]}")
        self.hours.setToolTip(KIND_TIPS[MatchKind.HOURS])
        self.zone = findable(ZoneCombo(self), "switch-case-zone", "Time zone")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.hours, 3)
        layout.addWidget(self.zone, 2)
        self.setAutoFillBackground(True)
        self.setFocusProxy(self.hours)
        self.on_focus_left: Callable[[], None] | None = None
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    def release(self) -> None:
        """Stop watching the focus (the view let go of the editor; it is deleted soon)."""
        self.on_focus_left = None
        QApplication.instance().focusChanged.disconnect(self._on_focus_changed)

    def room(self) -> int:
        """The width that shows usual hours and a long zone name whole."""
        metrics = self.fontMetrics()
        hours = metrics.horizontalAdvance("Mon-Fri 09:00-17:00; Sat 10:00-14:00") + 16
        zone = metrics.horizontalAdvance("America/Argentina/Buenos_Aires") + 40
        return hours + zone + self.layout().spacing()

    def value(self) -> tuple[str, str]:
        return self.hours.text(), self.zone.zone()

    def set_value(self, text: str, zone: str) -> None:
        self.hours.setText(text)
        self.zone.set_zone(zone)

    def modified(self) -> bool:
        return self.hours.isModified() or self.zone.lineEdit().isModified()

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        # The delegate's own focus-out handling sees only the editor widget, never the
        # fields inside it: leaving the pair as a whole is found here. (None: the window
        # lost the focus, and the pair stays open for when it comes back.)
        if new is None or _inside(new, self) or not _inside(old, self):
            return
        if self.on_focus_left is not None:
            self.on_focus_left()


class CaseDelegate(QStyledItemDelegate):
    """Makes, fills and reads the editor of each cell of a switch's cases table."""

    def __init__(
        self,
        targets: Callable[[], list[tuple[str, bool]]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.targets = targets  # (name, is a switch) a case may go to, in order
        self._accepted = True  # what the model said to the last value committed

    # -- making and filling editors ---------------------------------------------------------

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        column = index.column()
        if column == MATCH:
            return self._combo(parent, "switch-case-match", "How the case matches", self._kinds)
        if column == GOTO:
            return self._combo(parent, "switch-case-goto", "Go to", self._add_targets)
        kind = index.siblingAtColumn(MATCH).data(Qt.ItemDataRole.EditRole)
        if kind is MatchKind.HOURS:
            editor = HoursEditor(parent)
            view, where = parent.parentWidget(), QPersistentModelIndex(index)
            editor.on_focus_left = lambda: self._leave(editor, view, where)
            return editor
        edit = findable(QLineEdit(parent), "switch-case-value", "Case value")
        edit.setPlaceholderText(f"e.g. {EXAMPLES[kind]}")
        edit.setToolTip(KIND_TIPS[kind])
        return edit

    def _combo(self, parent: QWidget, name: str, accessible: str, fill) -> QComboBox:
        combo = findable(QComboBox(parent), name, accessible)
        fill(combo)
        # Chosen from the list: that is the whole gesture, one undo step.
        combo.activated.connect(lambda _row: self._enter(combo))
        QTimer.singleShot(0, combo, combo.showPopup)
        return combo

    @staticmethod
    def _kinds(combo: QComboBox) -> None:
        for kind, label in KIND_LABELS.items():
            combo.addItem(label, kind)
            combo.setItemData(combo.count() - 1, KIND_TIPS[kind], Qt.ItemDataRole.ToolTipRole)

    def _add_targets(self, combo: QComboBox) -> None:
        for name, is_switch in self.targets():
            combo.addItem(switch_icon() if is_switch else flow_icon(), name, name)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            found = editor.findData(value)
            if found < 0 and index.column() == GOTO:  # a goto to nothing: shown as it is
                editor.insertItem(0, f"{value} (missing)", value)
                found = 0
            editor.setCurrentIndex(found)
        elif isinstance(editor, HoursEditor):
            if not editor.modified():  # a refresh must not undo what is being typed
                text, zone = value
                editor.set_value(text, zone or "")
        elif isinstance(editor, QLineEdit) and not editor.isModified():
            editor.setText(value)

    def destroyEditor(self, editor: QWidget, index: QModelIndex) -> None:
        if isinstance(editor, HoursEditor):
            editor.release()
        super().destroyEditor(editor, index)

    def updateEditorGeometry(self, editor: QWidget, option, index: QModelIndex) -> None:
        super().updateEditorGeometry(editor, option, index)
        if isinstance(editor, HoursEditor):
            # Two fields need more room than the cell's text: the pair reaches over the
            # next cell while it is open, and moves left rather than out of sight.
            rect, area = option.rect, editor.parentWidget().width()
            width = min(max(rect.width(), editor.room()), area)
            left = max(0, min(rect.x(), area - width))
            editor.setGeometry(left, rect.y(), width, rect.height())

    # -- reading them back ------------------------------------------------------------------

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex) -> None:
        self._accepted = model.setData(index, self.value(editor), Qt.ItemDataRole.EditRole)

    @staticmethod
    def value(editor: QWidget) -> object:
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, HoursEditor):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def _enter(self, editor: QWidget) -> None:
        """Enter (or a choice from a list): commit, and close the editor unless refused."""
        self._accepted = True
        self.commitData.emit(editor)
        if self._accepted:
            self._close(editor)

    def _leave(self, editor: QWidget, view: QWidget, index: QPersistentModelIndex) -> None:
        """The focus left the editor: commit what it holds (refused: the old value stays).
        Nothing when the view closed it already: closing (Escape) gives the view the focus."""
        if isinstance(view, QAbstractItemView) and view.indexWidget(index) is editor:
            self.commitData.emit(editor)
            self._close(editor)

    def _close(self, editor: QWidget) -> None:
        if isinstance(editor, HoursEditor):
            # Closing gives the focus back to the table: that is no second leaving.
            editor.on_focus_left = None
        self.closeEditor.emit(editor, _NO_HINT)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and isinstance(watched, QLineEdit | HoursEditor)
        ):
            self._enter(watched)
            return True
        return super().eventFilter(watched, event)
