"""SwitchEditor: the selected switch: the parameter it looks at, its cases, where else it goes.

Every change (a cell committed, a case added, removed or moved, the parameter or the
otherwise target chosen) puts an edited copy of the switch in place through `Editing`: one
undo step each. What the switch refuses (a bad pattern, hours or time zone) is said in the
editor and changes nothing. The editor follows the project: undo, redo and renames from
anywhere show at once.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml import Problem
from ...core.project import SWITCH_CHANGES, ProjectChange, ProjectChangeKind
from ...core.switch_file import write_switch
from ...core.switches import Case, MatchKind, Switch, SwitchError, make_case
from ..common.icons import flow_icon, switch_icon
from ..common.names import findable
from ..common.theme import is_dark
from . import problem_marks
from .editing import Editing
from .switch_cases import (
    GOTO,
    KIND_LABELS,
    MATCH,
    VALUE,
    CaseTableModel,
    converted,
    with_case,
    with_case_added,
    with_case_moved,
    without_case,
)
from .switch_delegates import CaseDelegate, default_zone

# What a switch usually looks at: the request parameters CarrierX sends (FLEXML.md §3, §7),
# each with what it holds (its tooltip in the list). "[assumed]" marks the names no CarrierX
# documentation or code shows: Twilio's, kept because a Dial's action needs something.
PARAMETER_TIPS = {
    "Digits": "The keys the caller entered in a Gather (its action request)",
    "From": "The calling number, digits only (E.164 without the +)",
    "To": "The number called, digits only",
    "OriginalFrom": "The calling number as the carrier gave it (may start with +)",
    "OriginalTo": "The number called as the carrier gave it (may start with +)",
    "Direction": "inbound or outbound",
    "CallerName": "The caller's name (CNAM), when known",
    "ForwardedFrom": "The number in the Diversion header of a forwarded call, when known",
    "CallSid": "The call's SID: 32 hex digits, the same for the whole call",
    "CallStatus": (
        "busy, cancel, completed, failed or noanswer; requests made during the call carry "
        "completed (the call was answered)"
    ),
    "FinishKey": "The key that ended a Gather (empty when it ended otherwise)",
    "DialCallStatus": (
        "[assumed] How a Dial ended, on its action request: Twilio's name, which CarrierX's "
        "documentation does not show"
    ),
    "DialCallDuration": (
        "[assumed] How long the dialled call lasted, on a Dial's action request: Twilio's "
        "name, which CarrierX's documentation does not show"
    ),
}
PARAMETERS = tuple(PARAMETER_TIPS)
_NAME_CHANGES = frozenset(
    {
        ProjectChangeKind.FLOW_ADDED,
        ProjectChangeKind.FLOW_REMOVED,
        ProjectChangeKind.FLOW_RENAMED,
        ProjectChangeKind.SWITCH_ADDED,
        ProjectChangeKind.SWITCH_REMOVED,
        ProjectChangeKind.SWITCH_RENAMED,
    }
)
_KEYS_FIRST = "1234567890*#"  # the value a new case gets: the first key no case takes yet


class SwitchEditor(QWidget):
    """Edits one switch of the project (`set_switch`); every change is one undo step."""

    message = Signal(str)  # something the user should know (what was refused, and why)

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        findable(self, "switch-editor", "Switch editor")
        self.editing = editing
        self.project = editing.project
        self.name: str | None = None
        self.model = CaseTableModel(self.project, self._commit_cell, self._move_case, self)
        self._build()
        self._build_actions()
        self.project.changed.connect(self._on_project_changed)
        editing.project_replaced.connect(self._on_project_replaced)
        self.set_switch(None)

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.icon = QLabel(self)
        self.icon.setPixmap(switch_icon().pixmap(24, 24))
        self.title = findable(QLabel(self), "switch-title", "Switch")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.summary = findable(QLabel(self), "switch-problems", "Problems of the switch")
        self.summary.setWordWrap(True)
        self.on_combo = findable(QComboBox(self), "switch-on", "Parameter the switch looks at")
        self.on_combo.setEditable(True)
        self.on_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for name, tip in PARAMETER_TIPS.items():
            self.on_combo.addItem(name)
            self.on_combo.setItemData(self.on_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.on_combo.setToolTip(
            "The request parameter the cases look at: the caller's Digits (from a Gather), "
            "From, To, ... (each says what it holds; [assumed]: not in CarrierX's "
            "documentation). Type any other name; Enter keeps it"
        )
        self.table = findable(QTableView(self), "switch-cases", "Cases")
        self._build_table()
        self.otherwise_combo = findable(QComboBox(self), "switch-otherwise", "Otherwise go to")
        self.otherwise_combo.setToolTip(
            "Where a request no case matches goes (no input and an empty one included)"
        )
        self.otherwise_mark = findable(QLabel(self), "switch-otherwise-problems", "Otherwise")
        self.error = findable(QLabel(self), "switch-error", "What was refused")
        self.error.setWordWrap(True)
        # The Problems panel's error colour, on a light or a dark background.
        self.error.setStyleSheet(f"color: {'#FF7B72' if is_dark(self.palette()) else '#B42318'};")
        self._lay_out()
        self.on_combo.lineEdit().editingFinished.connect(self._on_on_edited)
        self.on_combo.activated.connect(self._on_on_edited)
        self.otherwise_combo.activated.connect(self._on_otherwise_activated)

    def _build_table(self) -> None:
        table = self.table
        table.setModel(self.model)
        table.setItemDelegate(CaseDelegate(self._targets, table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        table.setDefaultDropAction(Qt.DropAction.MoveAction)
        table.setDragDropOverwriteMode(False)
        table.setDropIndicatorShown(True)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setToolTip(
            "The first case that matches wins. Ins adds a case, Del removes it, Ctrl+Up and "
            "Ctrl+Down move it (or drag it); F2 or typing edits a cell"
        )
        header = table.horizontalHeader()
        header.setSectionResizeMode(MATCH, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(GOTO, QHeaderView.ResizeMode.Interactive)
        metrics = table.fontMetrics()
        header.resizeSection(MATCH, metrics.horizontalAdvance("pattern") + 56)
        header.resizeSection(GOTO, metrics.horizontalAdvance("menu-again-copy") + 56)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(metrics.height() + 14)
        self.model.modelReset.connect(self._update_actions)
        table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())

    def _lay_out(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.icon)
        head.addWidget(self.title, 1)
        form = QFormLayout()
        form.addRow("&On:", self.on_combo)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        self._buttons = buttons
        otherwise = QHBoxLayout()
        otherwise.addWidget(QLabel("Othe&rwise go to:", self, buddy=self.otherwise_combo))
        otherwise.addWidget(self.otherwise_combo, 1)
        otherwise.addWidget(self.otherwise_mark)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(head)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        cases = QHBoxLayout()
        cases.addWidget(QLabel("Ca&ses (the first that matches wins):", self, buddy=self.table))
        cases.addStretch(1)
        cases.addLayout(buttons)
        layout.addLayout(cases)
        layout.addWidget(self.table, 1)
        layout.addLayout(otherwise)
        layout.addWidget(self.error)

    def _build_actions(self) -> None:
        def action(text: str, name: str, shortcut, tip: str, slot) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            # Only while the table itself has the focus: Del in a cell's editor deletes text.
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.setToolTip(f"{tip} ({act.shortcut().toString()})")
            act.triggered.connect(lambda _checked=False: slot())
            self.table.addAction(act)
            button = findable(QToolButton(self), name, tip)
            button.setDefaultAction(act)
            self._buttons.addWidget(button)
            return act

        self.add_case_action = action(
            "Add case",
            "switch-add-case",
            "Insert",
            "Add a case after the selected one",
            self.add_case,
        )
        self.remove_case_action = action(
            "Remove",
            "switch-remove-case",
            QKeySequence.StandardKey.Delete,
            "Remove the selected case",
            self.remove_case,
        )
        self.move_up_action = action(
            "Up",
            "switch-move-case-up",
            "Ctrl+Up",
            "Move the case up: it is tried earlier",
            lambda: self.move_case(-1),
        )
        self.move_down_action = action(
            "Down",
            "switch-move-case-down",
            "Ctrl+Down",
            "Move the case down: it is tried later",
            lambda: self.move_case(1),
        )
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    # -- the switch shown -------------------------------------------------------------------

    def set_switch(self, name: str | None) -> None:
        """Edit the switch `name` (None: nothing; the editor is disabled)."""
        if name is not None and not self.project.is_switch(name):
            name = None
        self.name = name
        self.model.set_switch(name)
        self.set_problems([])  # until lint speaks of this switch
        self.clear_error()
        self._load()
        if name is not None and self.model.rowCount():
            self.select_case(0)

    def switch(self) -> Switch | None:
        return self.model.switch()

    def _load(self) -> None:
        """Show what the switch is now (after any change, from here or anywhere else)."""
        switch = self.switch()
        self.setEnabled(switch is not None)
        if switch is None:
            self.title.setText("No switch")
            self.subtitle.setText("")
            self.on_combo.setEditText("")
            self.otherwise_combo.clear()
            return
        self.title.setText(switch.name)
        self.subtitle.setText(
            f"Served at /flows/{switch.name}; refer to it as flow:{switch.name}. It answers "
            "with the flow its first matching case goes to."
        )
        if self.on_combo.currentText() != switch.on:
            self.on_combo.setEditText(switch.on)
        self._fill_otherwise(switch)
        self._update_actions()

    def _targets(self) -> list[tuple[str, bool]]:
        """Where a case may go: the project's flows and switches, this one left out."""
        project = self.project
        return [(n, project.is_switch(n)) for n in project.all_names if n != self.name]

    def _fill_otherwise(self, switch: Switch) -> None:
        combo = self.otherwise_combo
        combo.clear()
        combo.addItem("(none)", None)
        for name, is_switch in self._targets():
            combo.addItem(switch_icon() if is_switch else flow_icon(), name, name)
        found = combo.findData(switch.otherwise) if switch.otherwise is not None else 0
        if found < 0:  # goes to nothing: shown as it is (lint says so)
            combo.addItem(f"{switch.otherwise} (missing)", switch.otherwise)
            found = combo.count() - 1
        combo.setCurrentIndex(found)

    # -- problems ---------------------------------------------------------------------------

    def set_problems(self, problems: list[Problem]) -> None:
        """Show the switch's lint problems: on the rows of the cases, beside the otherwise
        target, and the switch's own above the table."""
        self.model.set_problems(problems)
        own = [p for p in problems if not p.path]
        self.summary.setText("\n".join(problem_marks.lines(own)))
        self.summary.setVisible(bool(own))
        other = [p for p in problems if p.path == "otherwise"]
        icon = problem_marks.mark(other)
        self.otherwise_mark.setPixmap(icon.pixmap(16, 16) if icon else QPixmap())
        self.otherwise_mark.setToolTip("\n".join(problem_marks.lines(other)))
        self.otherwise_mark.setVisible(bool(other))

    def select_problem(self, problem: Problem) -> None:
        """Put the focus where `problem` is: a case's row, the otherwise target, or the
        parameter (for the switch's own problems)."""
        head, _, number = problem.path.partition(" ")
        if head == "case" and number.isdigit() and int(number) <= self.model.rowCount():
            self.select_case(int(number) - 1)
            self.table.setFocus()
        elif problem.path == "otherwise":
            self.otherwise_combo.setFocus()
        else:
            self.on_combo.setFocus()

    def show_error(self, text: str) -> None:
        """Say in the editor why a change was refused (it changed nothing)."""
        self.error.setText(text)
        self.error.setVisible(True)
        self.message.emit(text)

    def clear_error(self) -> None:
        self.error.clear()
        self.error.setVisible(False)

    # -- selection --------------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def select_case(self, row: int, column: int = MATCH) -> None:
        index = self.model.index(row, column)
        if index.isValid():
            flags = QItemSelectionModel.SelectionFlag
            self.table.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
            self.table.scrollTo(index)
        self._update_actions()

    def _update_actions(self) -> None:
        row, count = self.current_row(), self.model.rowCount()
        self.add_case_action.setEnabled(self.switch() is not None)
        self.remove_case_action.setEnabled(0 <= row < count)
        self.move_up_action.setEnabled(0 < row < count)
        self.move_down_action.setEnabled(0 <= row < count - 1)

    # -- edits: each one undo step ----------------------------------------------------------

    def _replace(self, switch: Switch, text: str) -> bool:
        if not self.editing.replace_switch(switch, text):
            return False
        self.clear_error()
        return True

    def _commit_cell(self, row: int, column: int, value: object) -> bool:
        """A cell's editor was committed: the case with what it holds, or refused."""
        switch = self.switch()
        if switch is None or not 0 <= row < len(switch.cases):
            return False
        case = switch.cases[row]
        number = f"case {row + 1} of {switch.name}"
        try:
            if column == MATCH:
                assert isinstance(value, MatchKind)
                new = converted(case, value, default_zone())
                text = f"Match {number} by {KIND_LABELS[value]}"
            elif column == VALUE:
                typed, zone = value if isinstance(value, tuple) else (value, None)
                new = make_case(case.kind, str(typed).strip(), case.goto, zone)
                text = f"Edit {number}"
            else:
                new = replace(case, goto=str(value))
                text = f"Send {number} to {value}"
        except SwitchError as exc:
            self.show_error(str(exc))
            return False
        return self._replace(with_case(switch, row, new), text)

    def add_case(self) -> bool:
        """Add a case after the selected one (or last), and start editing its value."""
        switch = self.switch()
        if switch is None:
            return False
        row = self.current_row() + 1 if self.current_row() >= 0 else len(switch.cases)
        case = Case(MatchKind.VALUE, self._new_target(switch), values=(_free_key(switch),))
        if not self._replace(with_case_added(switch, row, case), f"Add a case to {switch.name}"):
            return False
        self.select_case(row, VALUE)
        self.table.setFocus()
        self.table.edit(self.model.index(row, VALUE))
        return True

    def _new_target(self, switch: Switch) -> str:
        """Where a new case goes first: a flow the switch does not go to yet, if any."""
        taken = set(switch.targets())
        flows = [name for name in self.project.names if name != switch.name]
        fresh = [name for name in flows if name not in taken]
        return (fresh or flows or [switch.otherwise or ""])[0]

    def remove_case(self) -> bool:
        switch, row = self.switch(), self.current_row()
        if switch is None or not 0 <= row < len(switch.cases):
            return False
        text = f"Remove case {row + 1} of {switch.name}"
        if not self._replace(without_case(switch, row), text):
            return False
        if self.model.rowCount():
            self.select_case(min(row, self.model.rowCount() - 1))
        return True

    def move_case(self, step: int) -> bool:
        """Move the selected case `step` rows (-1 up, 1 down)."""
        row = self.current_row()
        return row >= 0 and self._move_case(row, row + step)

    def _move_case(self, source: int, dest: int) -> bool:
        switch = self.switch()
        if switch is None or not (
            0 <= source < len(switch.cases) and 0 <= dest < len(switch.cases)
        ):
            return False
        if source == dest:
            return False
        way = "up" if dest < source else "down"
        text = f"Move case {source + 1} of {switch.name} {way}"
        if not self._replace(with_case_moved(switch, source, dest), text):
            return False
        self.select_case(dest, max(self.table.currentIndex().column(), 0))
        return True

    def set_on(self, parameter: str) -> bool:
        """Look at the request parameter `parameter`."""
        switch = self.switch()
        parameter = parameter.strip()
        if switch is None or parameter == switch.on:
            return switch is not None
        text = f"Look at {parameter or 'no parameter'} in {switch.name}"
        return self._replace(replace(switch, on=parameter), text)

    def set_otherwise(self, target: str | None) -> bool:
        """Send what no case matches to `target` (None: nowhere)."""
        switch = self.switch()
        if switch is None:
            return False
        text = f"Send the rest of {switch.name} to {target or 'nowhere'}"
        return self._replace(replace(switch, otherwise=target), text)

    def _on_on_edited(self, *_args) -> None:
        if self.switch() is not None:
            self.set_on(self.on_combo.currentText())

    def _on_otherwise_activated(self, index: int) -> None:
        self.set_otherwise(self.otherwise_combo.itemData(index))

    # -- following the project --------------------------------------------------------------

    def _on_project_changed(self, change: ProjectChange) -> None:
        kind = change.kind
        if kind is ProjectChangeKind.SWITCH_RENAMED and change.name == self.name:
            self.name = change.new_name
        if kind is ProjectChangeKind.SWITCH_REMOVED and change.name == self.name:
            self.set_switch(None)
        elif (kind in SWITCH_CHANGES and change.name in (self.name, change.new_name)) or (
            kind in _NAME_CHANGES and self.name is not None
        ):
            self._load()

    def _on_project_replaced(self) -> None:
        self.project.changed.disconnect(self._on_project_changed)
        self.project = self.editing.project
        self.project.changed.connect(self._on_project_changed)
        self.model.set_project(self.project)
        self.set_switch(None)


def _free_key(switch: Switch) -> str:
    """The first key (1-9, 0, *, #) no value case of `switch` takes yet; else "1"."""
    taken = {v for case in switch.cases for v in case.values}
    return next((key for key in _KEYS_FIRST if key not in taken), "1")


def switch_text(switch: Switch) -> str:
    """`switch` as the project file writes it: what the FlexML view shows while it is edited."""
    out: list[str] = []
    write_switch(switch, out)
    return textwrap.dedent("".join(out))
