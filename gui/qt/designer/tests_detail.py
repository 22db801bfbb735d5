"""The Tests panel's detail: how the selected test went, in one line (for a failure the
expectation that was not met, `headline()`), beside its call's transcript with the line where
matching stopped marked and scrolled to.

Each transcript line knows where in the project it happened (runner.places); Enter or a
double-click on one emits `place_activated(flow or switch, verb path or None)`, for the
window to show it in the editor.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPointF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QIcon,
    QKeyEvent,
    QPainter,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.flowtests.model import FlowTest
from ...core.flowtests.runner import ERROR, FAILED, PASSED, SKIPPED, FlowTestResult, Place
from ..common.names import findable
from ..common.theme import is_dark
from .problem_marks import ERROR_TINT
from .tests_model import milliseconds

PLACE_ROLE = Qt.ItemDataRole.UserRole + 1
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_FAILED_COLOURS = ("#B42318", "#FF7B72")  # light, dark: as the Problems panel's errors
_STOPPED_TIP = "Matching stopped here"


def _marker(colour: str | None) -> QIcon:
    """A small right-pointing triangle (None: an empty square of the same size, so the
    lines stay aligned)."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    if colour is not None:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawPolygon(QPolygonF([QPointF(2, 1.5), QPointF(2, 10.5), QPointF(10.5, 6)]))
        painter.end()
    return QIcon(pixmap)


def place_text(place: Place) -> str:
    """ "menu at /Response/Gather[1]", or "the switch route" style for a place without a verb."""
    name, path = place
    return f"{name} at {path}" if path else name


class TranscriptView(QListWidget):
    """The transcript lines; Enter or a double-click on a line with a place emits
    `place_activated`."""

    place_activated = Signal(str, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.itemDoubleClicked.connect(self._activate)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in _ENTER_KEYS and item is not None:
            self._activate(item)
            event.accept()
            return
        super().keyPressEvent(event)

    def _activate(self, item: QListWidgetItem) -> None:
        place = item.data(PLACE_ROLE)
        if place is not None:
            self.place_activated.emit(place[0], place[1])


class TestDetail(QWidget):
    """See the module docstring."""

    place_activated = Signal(str, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.headline = QLabel(self)
        self.headline.setObjectName("tests-headline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.transcript = findable(
            TranscriptView(self),
            "tests-transcript",
            "Transcript",
            "The test's call, one line per step; Enter or a double-click shows a line's verb",
        )
        self.transcript.setToolTip(
            "The test's call, one line per step. Double-click a line (or Enter) to show its "
            "verb in the editor"
        )
        self.transcript.place_activated.connect(self.place_activated)
        self.stopped_at: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.transcript, 1)
        self.show_result(None, None)

    def show_result(self, test: FlowTest | None, result: FlowTestResult | None) -> None:
        """Show how `test` went (`result` None: it has not run; `test` None: none chosen)."""
        self._set_headline(test, result)
        self.transcript.clear()
        self.stopped_at = None
        if result is None:
            return
        stopped = result.stopped_at if result.outcome == FAILED else None
        places = result.places
        plain, marked = _marker(None), _marker(_FAILED_COLOURS[self._dark()])
        for index, line in enumerate(result.transcript):
            place = places[index] if index < len(places) else None
            item = QListWidgetItem(line)
            item.setData(PLACE_ROLE, place)
            tips = []
            if index == stopped:
                tips.append(f"{_STOPPED_TIP}: {result.headline()}")
                item.setIcon(marked)
                item.setBackground(QBrush(ERROR_TINT))
                font = QFont(self.transcript.font())
                font.setBold(True)
                item.setFont(font)
            else:
                item.setIcon(plain)
            if place is not None:
                tips.append(f"Double-click or Enter: show {place_text(place)} in the editor")
            else:
                tips.append("Outside the project: nothing to show in the editor")
            item.setToolTip("\n".join(tips))
            self.transcript.addItem(item)
        if stopped is not None and 0 <= stopped < self.transcript.count():
            self.stopped_at = stopped
            item = self.transcript.item(stopped)
            # Current (Enter acts on it) but not selected: its own marks stay in view.
            self.transcript.setCurrentItem(item, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.transcript.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    def scroll_to_stop(self) -> None:
        """Bring the marked line into the middle again (after the panel was laid out)."""
        if self.stopped_at is not None:
            item = self.transcript.item(self.stopped_at)
            self.transcript.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _dark(self) -> int:
        return 1 if is_dark(self.palette()) else 0

    def _set_headline(self, test: FlowTest | None, result: FlowTestResult | None) -> None:
        colour = None
        if test is None:
            text = "Select a test to see how its call went."
        elif result is None:
            text = f"{test.name} has not run yet: Run all (Ctrl+Shift+T), or Enter to run it."
        elif result.outcome == PASSED:
            steps = f"{result.steps} expectation{'' if result.steps == 1 else 's'}"
            text = f"Passed in {milliseconds(result)}: {steps} met."
        elif result.outcome == FAILED:
            text = f"Failed: {result.headline()}"
            colour = _FAILED_COLOURS[self._dark()]
        elif result.outcome == ERROR:
            text = f"Could not run: {result.message}"
            colour = _FAILED_COLOURS[self._dark()]
        else:
            assert result.outcome == SKIPPED
            text = f"Skipped: {result.message}"
        self.headline.setText(text)
        self.headline.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
