"""Behaviour the window's item views share: rows that Enter or a double-click activates, and
the look of a flat list of rows."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeView

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ActivatesRows:
    """A mixin for an item view, listed before it (`class CallTable(ActivatesRows, QTableView)`):
    Enter on the current row or a double-click on a row emits `row_activated(index)`; a single
    click only selects.

    Handled here rather than through the view's `activated` signal, which some styles also emit
    on a single click. PySide registers signals declared on a plain mixin like this one."""

    row_activated = Signal(QModelIndex)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.doubleClicked.connect(self.row_activated)  # type: ignore[attr-defined]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()  # type: ignore[attr-defined]
        if event.key() in _ENTER_KEYS and current.isValid():
            self.row_activated.emit(current)
            event.accept()
            return
        super().keyPressEvent(event)  # type: ignore[misc]


def as_row_list(view: QTreeView) -> None:
    """Show `view` as a flat list of rows (the Problems and Tests panels): no branches,
    rows of one height in alternating colours, one row selected at a time and whole."""
    view.setRootIsDecorated(False)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setAllColumnsShowFocus(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)


__all__ = ["ActivatesRows", "as_row_list"]
