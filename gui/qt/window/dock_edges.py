"""A press just beside a dock separator drags the separator, not the dock next to it.

A separator between two docks is only a few pixels tall, and right under a horizontal one
(or beside a vertical one) is the next dock's title bar. A press that misses the separator
by a pixel or two lands on that title bar, and the drag meant to resize the docks tears the
dock off the window instead. This filter, installed on each dock of a QMainWindow, hands a
press within EDGE pixels of a separator to the window as a press on the separator, and the
drag that follows with it. Dragging a title bar from further in still moves or floats the
dock, and a double-click on the title or its float button still floats it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

EDGE = 6  # pixels of a title bar, next to a separator, that count as the separator
_LEFT = Qt.MouseButton.LeftButton
_STEPS = (QPoint(0, -1), QPoint(-1, 0), QPoint(1, 0), QPoint(0, 1))  # up, left, right, down


class DockEdges(QObject):
    """Install with `DockEdges(window).watch(dock)` for each dock of `window`."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._offset: QPoint | None = None  # window point minus press point, while dragging
        self._cursor_dock: QDockWidget | None = None

    def watch(self, dock: QDockWidget) -> None:
        dock.installEventFilter(self)
        dock.setMouseTracking(True)  # to show the separator's cursor over the edge

    # -- finding the separator ----------------------------------------------------------------

    def separator_near(self, dock: QDockWidget, pos: QPoint) -> QPoint | None:
        """The nearest point of a separator within EDGE pixels of `pos` (on `dock`), in the
        window's coordinates; None when the press is not beside one."""
        if dock.isFloating() or dock.parentWidget() is not self.window:
            return None
        window = self.window
        start = dock.mapTo(window, pos)
        inside = window.rect()
        for distance in range(1, EDGE + 1):
            for step in _STEPS:
                point = start + step * distance
                # The window's own pixels between docks are its separators.
                if inside.contains(point) and window.childAt(point) is None:
                    return point
        return None

    @staticmethod
    def _direction(start: QPoint, separator: QPoint) -> Qt.CursorShape:
        vertical_move = start.x() == separator.x()
        return Qt.CursorShape.SplitVCursor if vertical_move else Qt.CursorShape.SplitHCursor

    # -- events -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QDockWidget):
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            return self._press(watched, event)
        if kind == QEvent.Type.MouseMove:
            return self._move(watched, event)
        if kind == QEvent.Type.MouseButtonRelease and self._offset is not None:
            self._forward(watched, event)
            self._offset = None
            return True
        if kind == QEvent.Type.Leave and self._cursor_dock is watched:
            watched.unsetCursor()
            self._cursor_dock = None
        return False

    def _press(self, dock: QDockWidget, event: QMouseEvent) -> bool:
        if event.button() != _LEFT:
            return False
        pos = event.position().toPoint()
        separator = self.separator_near(dock, pos)
        if separator is None:
            return False
        self._offset = separator - dock.mapTo(self.window, pos)
        if not self._forward(dock, event):  # not a separator after all: the dock's own press
            self._offset = None
            return False
        return True

    def _move(self, dock: QDockWidget, event: QMouseEvent) -> bool:
        if self._offset is not None:
            self._forward(dock, event)
            return True
        if event.buttons() == Qt.MouseButton.NoButton:
            self._show_cursor(dock, event.position().toPoint())
        return False

    def _show_cursor(self, dock: QDockWidget, pos: QPoint) -> None:
        separator = self.separator_near(dock, pos)
        if separator is None:
            if self._cursor_dock is dock:
                dock.unsetCursor()
                self._cursor_dock = None
            return
        dock.setCursor(self._direction(dock.mapTo(self.window, pos), separator))
        self._cursor_dock = dock

    def _forward(self, dock: QDockWidget, event: QMouseEvent) -> bool:
        """Send `event` to the window at the separator; True when the window took it."""
        assert self._offset is not None
        point = dock.mapTo(self.window, event.position().toPoint()) + self._offset
        forwarded = QMouseEvent(
            event.type(),
            QPointF(point),
            QPointF(self.window.mapToGlobal(point)),
            event.button(),
            event.buttons(),
            event.modifiers(),
        )
        return QApplication.sendEvent(self.window, forwarded) and forwarded.isAccepted()
