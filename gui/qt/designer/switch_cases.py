"""A switch's cases as a table (Match, Value, Go to): an adapter over the switch in the project.

`CaseTableModel` holds no cases: it reads the switch from the project on every question and
follows the project's change events. Edits (a cell typed, a drop) are handed to callbacks,
which put an edited copy of the switch in place as one undo step; the model never changes
the switch itself. The small functions below make those edited copies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from ...core.flexml import Problem
from ...core.project import Project, ProjectChange, ProjectChangeKind
from ...core.switches import Case, MatchKind, Switch, SwitchError, make_case
from ..common.icons import flow_icon, switch_icon
from . import problem_marks

MATCH, VALUE, GOTO = range(3)
HEADERS = ("Match", "Value", "Go to")
CASE_MIME = "application/x-flexml-studio-case"
Index = QModelIndex | QPersistentModelIndex

# What each kind is called in the editor, and what it means (the Match column's tooltip).
KIND_LABELS = {
    MatchKind.VALUE: "value",
    MatchKind.ANY_OF: "one of",
    MatchKind.PREFIX: "prefix",
    MatchKind.PATTERN: "pattern",
    MatchKind.HOURS: "hours",
}
KIND_TIPS = {
    MatchKind.VALUE: "The parameter is exactly this value",
    MatchKind.ANY_OF: "The parameter is one of these values (separated by spaces)",
    MatchKind.PREFIX: "The parameter starts with this",
    MatchKind.PATTERN: (
        "A dial-plan digit pattern: X any digit, Z 1-9, N 2-9, [1-3] one of those, "
        "a trailing . for one or more of anything"
    ),
    MatchKind.HOURS: (
        "Opening hours: the time of the call falls in these days and times, e.g. "
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00, in the time zone chosen"
    ),
}
# What a case of each kind matches when it is made, or turned into that kind and what it
# matched before does not fit.
EXAMPLES = {
    MatchKind.VALUE: "1",
    MatchKind.ANY_OF: "1 2",
    MatchKind.PREFIX: "0",
    MatchKind.PATTERN: "NXX",
    MatchKind.HOURS: "Mon-Fri 09:00-17:00",
}

# (row, column, value) -> whether the change was made; value is a MatchKind for Match, the
# text (or, for hours, (text, zone)) for Value, a name for Go to.
Commit = Callable[[int, int, object], bool]
Move = Callable[[int, int], bool]  # (from row, to row) -> whether the case was moved


# -- edited copies ------------------------------------------------------------------------


def with_case(switch: Switch, row: int, case: Case) -> Switch:
    """`switch` with case `row` replaced by `case`."""
    cases = list(switch.cases)
    cases[row] = case
    return replace(switch, cases=tuple(cases))


def with_case_added(switch: Switch, row: int, case: Case) -> Switch:
    """`switch` with `case` inserted at `row`."""
    cases = list(switch.cases)
    cases.insert(row, case)
    return replace(switch, cases=tuple(cases))


def without_case(switch: Switch, row: int) -> Switch:
    cases = list(switch.cases)
    del cases[row]
    return replace(switch, cases=tuple(cases))


def with_case_moved(switch: Switch, source: int, dest: int) -> Switch:
    """`switch` with case `source` taken out and put back so that it ends up at `dest`."""
    cases = list(switch.cases)
    cases.insert(dest, cases.pop(source))
    return replace(switch, cases=tuple(cases))


def converted(case: Case, kind: MatchKind, zone: str) -> Case:
    """`case` matching by `kind` instead: what it matched when that fits the new kind (a
    value becomes one of several, the first of several a value or prefix), else the kind's
    example (opening hours in `zone`)."""
    if kind is case.kind:
        return case
    if MatchKind.HOURS not in (kind, case.kind):
        single = kind in (MatchKind.VALUE, MatchKind.PREFIX) and case.values
        text = case.values[0] if single else case.text
        try:
            return make_case(kind, text, case.goto)
        except SwitchError:
            pass
    return make_case(kind, EXAMPLES[kind], case.goto, zone if kind is MatchKind.HOURS else None)


def value_text(case: Case) -> str:
    """What the Value column shows: the value(s), the pattern, or the hours and their zone."""
    if case.kind is MatchKind.HOURS:
        return f"{case.text}  ({case.zone})"
    return case.text


# -- the model ----------------------------------------------------------------------------


class CaseTableModel(QAbstractTableModel):
    """One row per case of the switch `name` in `project`; holds no data of its own."""

    def __init__(self, project: Project, commit: Commit, move: Move, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.name: str | None = None
        self.commit = commit
        self.move = move
        self._problems: dict[int, list[Problem]] = {}
        project.changed.connect(self._on_project_changed)

    def detach(self) -> None:
        """Stop following the project (before the model is dropped)."""
        self.project.changed.disconnect(self._on_project_changed)

    def set_project(self, project: Project) -> None:
        """Follow `project` instead (another was opened); no switch is shown."""
        self.detach()
        self.project = project
        project.changed.connect(self._on_project_changed)
        self.set_switch(None)

    def set_switch(self, name: str | None) -> None:
        """Show the cases of the switch `name` (None: no rows)."""
        self.beginResetModel()
        self.name = name
        self._problems = {}
        self.endResetModel()

    def switch(self) -> Switch | None:
        if self.name is None or not self.project.is_switch(self.name):
            return None
        return self.project.switch(self.name)

    def case(self, row: int) -> Case | None:
        switch = self.switch()
        if switch is None or not 0 <= row < len(switch.cases):
            return None
        return switch.cases[row]

    # -- QAbstractTableModel -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        switch = self.switch()
        return 0 if parent.isValid() or switch is None else len(switch.cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1)  # lint says "case 2": the rows are numbered the same way

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        case = self.case(index.row()) if index.isValid() else None
        if case is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (KIND_LABELS[case.kind], value_text(case), case.goto)[column]
        if role == Qt.ItemDataRole.EditRole:
            value = (case.text, case.zone) if case.kind is MatchKind.HOURS else case.text
            return (case.kind, value, case.goto)[column]
        problems = self._problems.get(index.row(), [])
        if role == Qt.ItemDataRole.DecorationRole:
            if column == MATCH:
                return problem_marks.mark(problems)
            if column == GOTO:
                return self._target_icon(case.goto)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return problem_marks.tint(problems)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([self._tip(case, column), *problem_marks.lines(problems)])
        return None

    def _target_icon(self, name: str):
        if self.project.is_switch(name):
            return switch_icon()
        return flow_icon() if name in self.project else None

    def _tip(self, case: Case, column: int) -> str:
        if column == MATCH:
            return f"{KIND_TIPS[case.kind]} (double-click or F2 to change)"
        if column == VALUE:
            return f"{value_text(case)}\n(double-click or F2 to edit; Enter keeps it)"
        kind = "switch" if self.project.is_switch(case.goto) else "flow"
        return f"When the case matches, the call goes to the {kind} {case.goto}"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drops go between rows, never onto one
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.case(index.row()) is None:
            return False
        return self.commit(index.row(), index.column(), value)

    # -- problems (from lint) ----------------------------------------------------------------

    def set_problems(self, problems: list[Problem]) -> None:
        """Mark the rows lint speaks of ("case 2" is row 1) with its problems."""
        found: dict[int, list[Problem]] = {}
        for problem in problems:
            head, _, number = problem.path.partition(" ")
            if head == "case" and number.isdigit():
                found.setdefault(int(number) - 1, []).append(problem)
        if found == self._problems:
            return
        self._problems = found
        if self.rowCount():
            last = self.index(self.rowCount() - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def problems(self, row: int) -> list[Problem]:
        return list(self._problems.get(row, []))

    # -- reordering by drag: handed to `move` ---------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [CASE_MIME]

    def mimeData(self, indexes) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            data.setData(CASE_MIME, QByteArray(str(rows[0]).encode()))
        return data

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return data.hasFormat(CASE_MIME) and self.switch() is not None

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        source = int(bytes(data.data(CASE_MIME).data()).decode() or -1)
        if row < 0:  # dropped onto a row (or below the last): before it, or at the end
            row = parent.row() if parent.isValid() else self.rowCount()
        dest = row - 1 if row > source else row
        if 0 <= source < self.rowCount() and dest != source:
            self.move(source, dest)
        # False: the move is made through the project (one undo step), so the view must not
        # remove the dragged row itself as it would after a move it thinks it made.
        return False

    # -- project events -> Qt signals -------------------------------------------------------

    def _on_project_changed(self, change: ProjectChange) -> None:
        kind = change.kind
        if kind is ProjectChangeKind.SWITCH_RENAMED and change.name == self.name:
            self.name = change.new_name
        elif kind is ProjectChangeKind.SWITCH_CHANGED and change.name == self.name:
            old, new = change.old_switch, change.switch
            if old is not None and new is not None and len(old.cases) == len(new.cases):
                self._all_changed()
            else:
                self.beginResetModel()
                self.endResetModel()
        elif kind in (ProjectChangeKind.SWITCH_ADDED, ProjectChangeKind.SWITCH_REMOVED):
            if change.name == self.name:  # removed, or back by undo
                self.beginResetModel()
                self.endResetModel()
            else:
                self._all_changed()  # a target's icon may change
        elif kind in (
            ProjectChangeKind.FLOW_ADDED,
            ProjectChangeKind.FLOW_REMOVED,
            ProjectChangeKind.FLOW_RENAMED,
        ):
            self._all_changed()

    def _all_changed(self) -> None:
        if self.rowCount():
            last = self.index(self.rowCount() - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
