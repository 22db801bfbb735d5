"""The problems panel: every lint finding of the project, sortable and filterable.

Double-click or Enter on a row emits problem_activated(flow name, Problem), so the window
can open that flow and select the node. The flow tests' problems (their lint, and each
failure of the last run) are listed under "[test NAME]"; activating one emits
test_problem_activated(test name, Problem) instead.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml import Problem, Severity
from ...core.sequences import changed_span
from ..common.icons import severity_icon
from ..common.names import findable
from ..common.table_model import RowsTableModel
from ..common.theme import is_dark
from ..common.views import ActivatesRows, as_row_list

PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1
FLOW_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3
TEST_ROLE = Qt.ItemDataRole.UserRole + 4  # the test a row is about (None: a flow's row)

Index = QModelIndex | QPersistentModelIndex
RESIZE_PRECISION = 100  # rows beyond those in view that column widths are fitted to

# Foreground of error and warning rows: (on a light background, on a dark one).
_SEVERITY_COLOURS = {
    Severity.ERROR: ("#B42318", "#FF7B72"),
    Severity.WARNING: ("#9A5B00", "#E3B341"),
}


def count_text(problems: list[Problem]) -> str:
    """ "2 errors, 1 warning", or "No problems"."""
    if not problems:
        return "No problems"
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def test_label(name: str) -> str:
    """What the Flow column says of a test's problem: "[test sales path]"."""
    return f"[test {name}]"


def _key(row: tuple[str, Problem]) -> tuple:
    """What a row says, but for its problem's path: the same key is the same row."""
    flow, p = row
    return (flow, p.severity, p.code, p.message, p.line, p.column, id(p.node))


def _shifted(tests: dict[int, str], first: int, removed: int) -> dict[int, str]:
    """The test of each row after `removed` rows at `first` were taken out."""
    return {
        (row if row < first else row - removed): name
        for row, name in tests.items()
        if not first <= row < first + removed
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class ProblemTableModel(RowsTableModel):
    """One row per (flow, problem); columns severity, flow, line, code, message."""

    SEVERITY, FLOW, LINE, CODE, MESSAGE = range(5)
    HEADERS = ("Severity", "Flow", "Line", "Code", "Message")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, Problem]] = []
        self._tests: dict[int, str] = {}  # the test of each test's row, by row

    def row_count(self) -> int:
        return len(self._rows)

    def set_problems(
        self,
        problems_by_flow: dict[str, list[Problem]],
        problems_by_test: dict[str, list[Problem]] | None = None,
    ) -> None:
        """Show these rows: flows and their problems in the order given, then the tests'
        problems, each under "[test NAME]".

        Only the rows that changed are replaced: the window sets the problems after every
        edit, and a reset of thousands of rows made the sorted view ask for every row's
        data again (a second at 1,700 problems). Rows that differ only in their path (a
        verb inserted before theirs) are updated in place."""
        rows = [(flow, p) for flow, problems in problems_by_flow.items() for p in problems]
        tests: dict[int, str] = {}
        for name, problems in (problems_by_test or {}).items():
            for problem in problems:
                tests[len(rows)] = name
                rows.append((test_label(name), problem))
        old = self._rows
        first, removed, added = changed_span([_key(r) for r in old], [_key(r) for r in rows])
        root = QModelIndex()
        if removed:
            self.beginRemoveRows(root, first, first + removed - 1)
            self._rows = old[:first] + old[first + removed :]
            self._tests = _shifted(self._tests, first, removed)
            self.endRemoveRows()
        if added:
            self.beginInsertRows(root, first, first + added - 1)
            self._rows = rows[: first + added] + self._rows[first:]
            self._tests = tests
            self.endInsertRows()
        kept = self._rows
        self._rows = rows
        self._tests = tests
        moved = [i for i, (a, b) in enumerate(zip(rows, kept, strict=True)) if a != b]
        if moved:  # the same problems at other paths: what the tooltip says
            roles = [Qt.ItemDataRole.ToolTipRole, PROBLEM_ROLE]
            last = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(moved[0], 0), self.index(moved[-1], last), roles)

    def problems(self) -> list[Problem]:
        return [problem for _, problem in self._rows]

    def row(self, row: int) -> tuple[str, Problem]:
        return self._rows[row]

    def test_of(self, row: int) -> str | None:
        """The test the row `row` is about, or None for a flow's or switch's row."""
        return self._tests.get(row)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if (
            role == Qt.ItemDataRole.TextAlignmentRole
            and orientation == Qt.Orientation.Horizontal
            and section == self.LINE
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        flow, problem = self._rows[index.row()]
        column = index.column()
        if role == SORT_ROLE:  # first: sorting asks twice per comparison
            return self._sort_key(flow, problem, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(flow, problem, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.SEVERITY:
            return severity_icon(problem.severity)
        if role == Qt.ItemDataRole.ForegroundRole:
            light, dark = _SEVERITY_COLOURS[problem.severity]
            return QColor(dark if self.dark else light)
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f" at {problem.path}" if problem.path else ""
            return f"{problem.message}{where} ({problem.code})"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.LINE:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == PROBLEM_ROLE:
            return problem
        if role == FLOW_ROLE:
            return flow
        if role == TEST_ROLE:
            return self._tests.get(index.row())
        return None

    def _display(self, flow: str, problem: Problem, column: int) -> str:
        if column == self.SEVERITY:
            return problem.severity.value.capitalize()
        if column == self.FLOW:
            return flow
        if column == self.LINE:
            return "" if problem.line is None else str(problem.line)
        if column == self.CODE:
            return problem.code
        return problem.message

    def sort_key(self, row: int, column: int):
        """What row `row` sorts by in `column` (SORT_ROLE's answer)."""
        return self._sort_key(*self._rows[row], column)

    def _sort_key(self, flow: str, problem: Problem, column: int):
        if column == self.SEVERITY:
            return 0 if problem.is_error else 1
        if column == self.FLOW:
            return flow.casefold()
        if column == self.LINE:
            # Problems without a line (file-level notes) sort after every numbered one.
            return problem.line if problem.line is not None else 1 << 40
        if column == self.CODE:
            return problem.code
        return problem.message.casefold()


class ProblemFilterModel(QSortFilterProxyModel):
    """Sorts by SORT_ROLE and shows all problems, or only one severity."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._severity: Severity | None = None

    def set_severity(self, severity: Severity | str | None) -> None:
        """Show only problems of `severity` (None: all)."""
        severity = Severity(severity) if severity else None
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+, where invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self._severity = severity
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._severity = severity
            self.invalidateRowsFilter()

    def lessThan(self, source_left: Index, source_right: Index) -> bool:
        """By SORT_ROLE, and rows that sort alike in the model's order in either direction,
        as a stable sort of all rows gives them. Qt puts an inserted row after every row
        that sorts like it, and the model inserts rows as problems appear: without this,
        a new error in one flow would land after another flow's errors. The keys are read
        from the model's rows, not through data() (a sort asks for thousands)."""
        model = self.sourceModel()
        column, left, right = source_left.column(), source_left.row(), source_right.row()
        a, b = model.sort_key(left, column), model.sort_key(right, column)
        if a != b:
            return a < b
        return (left < right) == (self.sortOrder() == Qt.SortOrder.AscendingOrder)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._severity is None:
            return True
        problem = self.sourceModel().index(source_row, 0, source_parent).data(PROBLEM_ROLE)
        return problem.severity is self._severity


class ProblemsView(ActivatesRows, QTreeView):
    """A flat list of problems; Enter activates the current row like a double-click."""


class ProblemsPanel(QWidget):
    """The project's problems with a count line and a severity filter."""

    problem_activated = Signal(str, object)
    test_problem_activated = Signal(str, object)  # test name, Problem

    FILTERS = (("All", None), ("Errors", Severity.ERROR), ("Warnings", Severity.WARNING))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = ProblemTableModel(self)
        self.proxy = ProblemFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.model.set_dark(is_dark(self.palette()))

        self.summary = QLabel("No problems", self)
        self.filter = findable(QComboBox(self), "problems-filter", "Show problems")
        for text, severity in self.FILTERS:
            self.filter.addItem(text, severity and severity.value)
        self.filter.setToolTip("Show all problems, or only errors or warnings")

        self.view = findable(ProblemsView(self), "problems-list", "Problems")
        self.view.setModel(self.proxy)
        as_row_list(self.view)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(ProblemTableModel.SEVERITY, Qt.SortOrder.AscendingOrder)
        header = self.view.header()
        header.setStretchLastSection(True)
        # Columns fit the rows in view and this many more, not the first 1,000 (Qt's
        # default): sizing asks every row considered for its data, 2 s at 1,700 problems.
        header.setResizeContentsPrecision(RESIZE_PRECISION)
        for column in range(ProblemTableModel.MESSAGE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.filter.currentIndexChanged.connect(self.on_filter_current_index_changed)
        self.view.row_activated.connect(self.on_view_row_activated)

    def set_problems(
        self,
        problems_by_flow: dict[str, list[Problem]],
        problems_by_test: dict[str, list[Problem]] | None = None,
    ) -> None:
        """Show these problems, by flow name, then the tests' by test name."""
        self.model.set_problems(problems_by_flow, problems_by_test)
        self.summary.setText(count_text(self.model.problems()))

    def set_severity_filter(self, severity: Severity | None) -> None:
        """Show all problems (None), or only errors or warnings."""
        self.filter.setCurrentIndex(self.filter.findData(severity and Severity(severity).value))

    def on_filter_current_index_changed(self, _index: int) -> None:
        self.proxy.set_severity(self.filter.currentData())

    def on_view_row_activated(self, index: QModelIndex) -> None:
        problem = index.data(PROBLEM_ROLE)
        if problem is None:
            return
        test = index.data(TEST_ROLE)
        if test is not None:
            self.test_problem_activated.emit(test, problem)
        else:
            self.problem_activated.emit(index.data(FLOW_ROLE), problem)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_dark(is_dark(self.palette()))
