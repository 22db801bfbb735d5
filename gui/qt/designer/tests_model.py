"""The Tests panel's list: every flow test of the project, how it last went and how long it
took, and the summary line above it.

The rows are the project's tests in order (set again when a test is added, removed or
changed); the results are the last run's, by test name, kept until the next run of that
test. Outcome icons are drawn here (a disc with a mark), in the panel's two colours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ...core.flowtests.coverage import Coverage
from ...core.flowtests.model import FlowTest
from ...core.flowtests.runner import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    FlowTestResult,
    count_outcomes,
    outcome_words,
)
from ..common.table_model import RowsTableModel

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 2  # "passed", ... or None (not run)
NOT_RUN = None
# What the Result column says of each outcome.
OUTCOME_TEXT = {
    PASSED: "Passed",
    FAILED: "Failed",
    ERROR: "Could not run",
    SKIPPED: "Skipped",
    NOT_RUN: "Not run",
}
# Foreground of a failed row: (on a light background, on a dark one), as the Problems panel.
_FAILED_COLOURS = ("#B42318", "#FF7B72")
_ICON_COLOURS = {
    PASSED: "#1a7f37",
    FAILED: "#cf222e",
    ERROR: "#cf222e",
    SKIPPED: "#8c959f",
    NOT_RUN: "#8c959f",
}
Index = QModelIndex | QPersistentModelIndex
MAX_RANGES = 32  # stretches of changed rows announced one by one; past it, one stretch


def milliseconds(result: FlowTestResult) -> str:
    """How long the test took, as `flexml-studio test` says it: "0.4 ms"."""
    return f"{result.seconds * 1000:.1f} ms"


@cache
def outcome_icon(outcome: str | None) -> QIcon:
    """A disc in the outcome's colour with its mark: a tick (passed), a cross (failed), an
    exclamation mark (could not run), a dash (skipped); a ring for a test not run."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / 16, size / 16)
        _paint_outcome(painter, outcome)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _paint_outcome(painter: QPainter, outcome: str | None) -> None:
    colour = QColor(_ICON_COLOURS[outcome])
    disc = QRectF(1.5, 1.5, 13, 13)
    if outcome is NOT_RUN:
        painter.setPen(QPen(colour, 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(disc)
        return
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(disc)
    pen = QPen(QColor("#ffffff"), 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    mark = QPainterPath()
    if outcome == PASSED:
        mark.moveTo(QPointF(4.8, 8.2))
        mark.lineTo(QPointF(7.1, 10.5))
        mark.lineTo(QPointF(11.3, 5.8))
    elif outcome == FAILED:
        mark.moveTo(QPointF(5.5, 5.5))
        mark.lineTo(QPointF(10.5, 10.5))
        mark.moveTo(QPointF(10.5, 5.5))
        mark.lineTo(QPointF(5.5, 10.5))
    elif outcome == ERROR:
        mark.moveTo(QPointF(8, 4.5))
        mark.lineTo(QPointF(8, 8.8))
        mark.moveTo(QPointF(8, 11.3))
        mark.lineTo(QPointF(8, 11.4))
    else:  # skipped
        mark.moveTo(QPointF(5, 8))
        mark.lineTo(QPointF(11, 8))
    painter.drawPath(mark)


def summary_text(
    tests: int,
    results: Iterable[FlowTestResult],
    coverage: Coverage | None = None,
    *,
    stale: bool = False,
) -> str:
    """ "12 tests: 11 passed, 1 failed · coverage: flows 5/5, verbs 31/34, switch cases 6/7"
    (tests that could not run, were skipped or have not run are counted when there are any;
    `stale`: the coverage is of the project before its last change)."""
    counts = count_outcomes(results)
    ran = sum(counts.values())
    head = f"{tests} test{'' if tests == 1 else 's'}"
    if not ran:
        return f"{head}, not run yet"
    line = f"{head}: {outcome_words(counts)}"
    if tests > ran:
        line += f", {tests - ran} not run"
    if coverage is not None:
        line += f" · coverage: {coverage.summary()}"
        if stale:
            line += " (before the last change)"
    return line


def _looks_same(before: FlowTestResult | None, after: FlowTestResult | None) -> bool:
    """Whether a row shows the same for both results: the same outcome (icon, word,
    colour) and time (its tooltip is asked for when shown)."""
    if before is after:
        return True
    if before is None or after is None:
        return False
    return before.outcome == after.outcome and before.seconds == after.seconds


def changed_ranges(rows: list[int]) -> list[tuple[int, int]]:
    """The rows `rows` (ascending) as stretches (first, last) of rows in a row; past
    MAX_RANGES stretches, one from the first row to the last (each stretch costs the view
    a signal, and repainting the rows between costs less than hundreds of them)."""
    ranges: list[tuple[int, int]] = []
    for row in rows:
        if ranges and ranges[-1][1] == row - 1:
            ranges[-1] = (ranges[-1][0], row)
        else:
            ranges.append((row, row))
    if len(ranges) > MAX_RANGES:
        return [(ranges[0][0], ranges[-1][1])]
    return ranges


class TestsModel(RowsTableModel):
    """One row per test: its name, how it last went (icon and text), how long it took,
    and where its call starts."""

    NAME, RESULT, TIME, FLOW = range(4)
    HEADERS = ("Test", "Result", "Time", "Starts at")
    TIPS = (
        "The test's name",
        "How the test went when it last ran",
        "How long its call took to run (the call's own time is in its transcript)",
        "The flow or switch its call starts at",
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._tests: list[FlowTest] = []
        self._results: dict[str, FlowTestResult] = {}
        self.entry: str | None = None  # where a test without a flow starts

    def row_count(self) -> int:
        return len(self._tests)

    def set_tests(self, tests: Iterable[FlowTest], entry: str | None) -> None:
        """The project's tests, in order (every row made again)."""
        self.beginResetModel()
        self._tests = list(tests)
        self.entry = entry
        self.endResetModel()

    def set_results(self, results: Mapping[str, FlowTestResult]) -> None:
        """The last result of each test, by name (a test without one has not run). Only
        the rows that now show something else are announced, a stretch of rows at a time:
        after a run of one test, one row; rows of the same outcome and time, none."""
        before, self._results = self._results, dict(results)
        was, now = before.get, self._results.get
        changed = [
            row
            for row, test in enumerate(self._tests)
            if not _looks_same(was(test.name), now(test.name))
        ]
        for first, last in changed_ranges(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.HEADERS) - 1))

    def test_at(self, row: int) -> FlowTest | None:
        return self._tests[row] if 0 <= row < len(self._tests) else None

    def result_of(self, name: str) -> FlowTestResult | None:
        return self._results.get(name)

    def row_of(self, name: str) -> int:
        """The row of the test `name`, or -1."""
        return next((row for row, test in enumerate(self._tests) if test.name == name), -1)

    def names(self) -> list[str]:
        return [test.name for test in self._tests]

    def start_of(self, test: FlowTest) -> str:
        return test.flow or self.entry or ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        test = self.test_at(index.row()) if index.isValid() else None
        if test is None:
            return None
        result = self._results.get(test.name)
        outcome = result.outcome if result is not None else NOT_RUN
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(test, result, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.RESULT:
            return outcome_icon(outcome)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(test, result)
        if role == Qt.ItemDataRole.ForegroundRole and outcome in (FAILED, ERROR):
            return QColor(_FAILED_COLOURS[1 if self.dark else 0])
        if role == NAME_ROLE:
            return test.name
        if role == OUTCOME_ROLE:
            return outcome
        return None

    def _display(self, test: FlowTest, result: FlowTestResult | None, column: int) -> str:
        if column == self.NAME:
            return test.name
        if column == self.RESULT:
            return OUTCOME_TEXT[result.outcome if result is not None else NOT_RUN]
        if column == self.TIME:
            return milliseconds(result) if result is not None else ""
        return self.start_of(test)

    def _tooltip(self, test: FlowTest, result: FlowTestResult | None) -> str:
        if result is None:
            return f"{test.name}: not run yet (Enter runs it, double-click opens its flow)"
        if result.passed:
            return f"{test.name}: passed (Enter runs it again, double-click opens its flow)"
        return f"{test.name}: {result.headline()}"
