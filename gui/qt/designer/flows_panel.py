"""The project's flows and switches: a list model over the project's change events, and its
panel (add a flow or a switch, rename, duplicate, delete with confirmation, set the entry)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QListView,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml import Document, Problem
from ...core.flexml.refs import slugify, unique_name
from ...core.project import SWITCH_CHANGES, Project, ProjectChange, ProjectChangeKind
from ...core.switches import Switch
from ..common.icons import flow_icon, switch_icon
from ..common.names import findable
from . import problem_marks
from .editing import Editing

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
IS_SWITCH_ROLE = Qt.ItemDataRole.UserRole + 2
PROBLEMS_ROLE = Qt.ItemDataRole.UserRole + 3
Index = QModelIndex | QPersistentModelIndex


class FlowListModel(QAbstractListModel):
    """One row per flow, in project order, then one per switch; the entry flow is marked,
    rows with lint problems are tinted. Holds no data."""

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self._problems: dict[str, list[Problem]] = {}
        project.about_to_change.connect(self._on_about_to_change)
        project.changed.connect(self._on_changed)

    def detach(self) -> None:
        self.project.about_to_change.disconnect(self._on_about_to_change)
        self.project.changed.disconnect(self._on_changed)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.project) + len(self.project.switches)

    def name_at(self, row: int) -> str | None:
        flows = self.project.names
        if 0 <= row < len(flows):
            return flows[row]
        switches = self.project.switch_names
        return switches[row - len(flows)] if 0 <= row - len(flows) < len(switches) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        name = self.name_at(index.row()) if index.isValid() else None
        if name is None:
            return None
        if self.project.is_switch(name):
            return self._switch_data(name, role)
        entry = name == self.project.entry
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}  (entry)" if entry else name
        if role == Qt.ItemDataRole.FontRole and entry:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole:
            return flow_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            served = "/ and " if entry else ""
            tip = f"Served at {served}/flows/{name}; refer to it as flow:{name}"
            return "\n".join([tip, *problem_marks.lines(self._problems.get(name, []))])
        return self._common_data(name, role, is_switch=False)

    def _switch_data(self, name: str, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.DecorationRole:
            return switch_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            on = self.project.switch(name).on or "no parameter"
            tip = (
                f"A switch on {on}: served at /flows/{name}, it answers with the flow its "
                f"first matching case goes to; refer to it as flow:{name}"
            )
            return "\n".join([tip, *problem_marks.lines(self._problems.get(name, []))])
        return self._common_data(name, role, is_switch=True)

    def _common_data(self, name: str, role: int, *, is_switch: bool):
        if role in (NAME_ROLE, Qt.ItemDataRole.EditRole):
            return name
        if role == IS_SWITCH_ROLE:
            return is_switch
        if role == PROBLEMS_ROLE:
            return list(self._problems.get(name, []))
        if role == Qt.ItemDataRole.BackgroundRole:
            return problem_marks.tint(self._problems.get(name, []))
        return None

    def row_of(self, name: str) -> int:
        if self.project.is_switch(name):
            return len(self.project) + self.project.switch_names.index(name)
        return self.project.names.index(name)

    def set_problems(self, problems_by_name: dict[str, list[Problem]]) -> None:
        """Tint the rows of the flows and switches with lint problems (keyed by name)."""
        old, self._problems = self._problems, dict(problems_by_name)
        for name in old.keys() | self._problems.keys():
            if old.get(name) != self._problems.get(name) and name in self.project.all_names:
                index = self.index(self.row_of(name))
                self.dataChanged.emit(index, index)

    def _row(self, change: ProjectChange) -> int:
        """The row of the flow or switch a change is about (its position before it)."""
        if change.kind in SWITCH_CHANGES:
            return len(self.project) + change.index
        return change.index

    def _on_about_to_change(self, change: ProjectChange) -> None:
        kind = change.kind
        if kind in (ProjectChangeKind.FLOW_ADDED, ProjectChangeKind.SWITCH_ADDED):
            self.beginInsertRows(QModelIndex(), self._row(change), self._row(change))
        elif kind in (ProjectChangeKind.FLOW_REMOVED, ProjectChangeKind.SWITCH_REMOVED):
            self.beginRemoveRows(QModelIndex(), self._row(change), self._row(change))

    def _on_changed(self, change: ProjectChange) -> None:
        kind = change.kind
        if kind in (ProjectChangeKind.FLOW_ADDED, ProjectChangeKind.SWITCH_ADDED):
            self.endInsertRows()
        elif kind in (ProjectChangeKind.FLOW_REMOVED, ProjectChangeKind.SWITCH_REMOVED):
            self.endRemoveRows()
        elif kind in (
            ProjectChangeKind.FLOW_RENAMED,
            ProjectChangeKind.SWITCH_RENAMED,
            ProjectChangeKind.SWITCH_CHANGED,  # its tooltip names the parameter
        ):
            index = self.index(self._row(change))
            self.dataChanged.emit(index, index)
        elif kind is ProjectChangeKind.ENTRY_CHANGED:
            for name in (change.old, change.new):
                if name in self.project:
                    index = self.index(self.row_of(name))
                    self.dataChanged.emit(index, index)


class FlowsPanel(QWidget):
    """The flows and switches with their actions; emits `flow_selected(name)` for a flow
    and `switch_selected(name)` for a switch."""

    flow_selected = Signal(str)
    switch_selected = Signal(str)

    def __init__(self, editing: Editing, parent=None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.project = editing.project
        self.model = FlowListModel(self.project, self)
        self.view = findable(QListView(), "flows-list", "Flows")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.doubleClicked.connect(lambda _index: self.rename())
        toolbar = QToolBar()
        toolbar.setIconSize(toolbar.iconSize() * 0.75)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(toolbar)
        layout.addWidget(self.view)

        def action(text, tip, slot, shortcut=None) -> QAction:
            act = QAction(text, self)
            act.setToolTip(tip)
            act.triggered.connect(lambda _checked=False: slot())  # no `checked` into slot
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            toolbar.addAction(act)
            self.view.addAction(act)
            name = "flows-" + text.lower().replace(" ", "-")
            findable(toolbar.widgetForAction(act), name, tip.split(" (")[0])
            return act

        self.add_action = action("Add", "Add an empty flow", self.add)
        self.add_switch_action = action(
            "Add switch",
            "Add a switch: it picks the next flow from the caller's input or the time "
            "(Ctrl+Shift+B)",
            self.add_switch,
            "Ctrl+Shift+B",
        )
        self.rename_action = action("Rename", "Rename the flow or switch (F2)", self.rename, "F2")
        self.duplicate_action = action("Duplicate", "Duplicate the flow or switch", self.duplicate)
        self.delete_action = action(
            "Delete", "Delete the flow or switch (Del)", self.delete, "Delete"
        )
        self.entry_action = action(
            "Set entry", "Make this the flow served at / (the entry flow)", self.set_entry
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        editing.project_replaced.connect(self._on_project_replaced)

    def _on_project_replaced(self) -> None:
        self.model.detach()
        old = self.model
        self.project = self.editing.project
        self.model = FlowListModel(self.project, self)
        self.view.setModel(self.model)
        old.deleteLater()
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.rowsInserted.connect(self._on_rows_inserted)

    def set_problems(self, problems_by_name: dict[str, list[Problem]]) -> None:
        """Tint the rows of flows and switches that have lint problems."""
        self.model.set_problems(problems_by_name)

    # -- selection ------------------------------------------------------------------------

    def current_name(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(NAME_ROLE) if index.isValid() else None

    def current_is_switch(self) -> bool:
        name = self.current_name()
        return name is not None and self.project.is_switch(name)

    def select(self, name: str) -> None:
        """Select the flow or switch `name` (its editor opens through the signals)."""
        if name in self.project.all_names:
            self.view.setCurrentIndex(self.model.index(self.model.row_of(name)))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        is_switch = bool(current.data(IS_SWITCH_ROLE))
        self.entry_action.setEnabled(not is_switch)  # the entry is a flow
        if is_switch:
            self.switch_selected.emit(current.data(NAME_ROLE))
        else:
            self.flow_selected.emit(current.data(NAME_ROLE))

    def _on_rows_inserted(self, _parent, first: int, _last: int) -> None:
        self.view.setCurrentIndex(self.model.index(first))

    # -- actions --------------------------------------------------------------------------

    def _ask_name(self, title: str, label: str, suggestion: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label, text=suggestion)
        if not ok or not text.strip():
            return None
        return text.strip()

    def add(self, name: str | None = None) -> str | None:
        name = name or unique_name("flow", set(self.project.all_names))
        document = Document()
        current = self.view.currentIndex()
        index = current.row() + 1 if current.isValid() and not self.current_is_switch() else None
        if self.editing.edit(
            f"Add flow {name}", lambda: self.project.add_flow(name, document, index)
        ):
            return name
        return None

    def add_switch(self, name: str | None = None) -> str | None:
        """Add a switch on the caller's Digits with no cases yet (after the selected switch,
        else last); its editor opens."""
        name = name or unique_name("switch", set(self.project.all_names))
        current = self.current_name()
        index = None
        if current is not None and self.project.is_switch(current):
            index = self.project.switch_names.index(current) + 1
        if self.editing.add_switch(Switch(name, on="Digits"), index):
            return name
        return None

    def rename(self, new: str | None = None) -> bool:
        old = self.current_name()
        if old is None:
            return False
        what = "switch" if self.project.is_switch(old) else "flow"
        if new is None:
            new = self._ask_name(
                f"Rename {what}",
                "New name (lowercase letters, digits, - and _; flow: references and the "
                "switches' gotos follow):",
                old,
            )
            if new is None:
                return False
            new = new if new == slugify(new) else slugify(new)
        if what == "switch":
            return self.editing.rename_switch(old, new)
        return self.editing.edit(
            f"Rename flow {old} to {new}", lambda: self.project.rename_flow(old, new)
        )

    def duplicate(self) -> str | None:
        name = self.current_name()
        if name is None:
            return None
        copy_name = unique_name(f"{name}-copy"[:64], set(self.project.all_names))
        if self.project.is_switch(name):
            copy = replace(self.project.switch(name), name=copy_name)
            index = self.project.switch_names.index(name) + 1
            return (
                copy_name
                if self.editing.add_switch(copy, index, f"Duplicate switch {name}")
                else None
            )
        document = Document(self.project.flow(name).root.copy())
        index = self.model.row_of(name) + 1
        if self.editing.edit(
            f"Duplicate flow {name}", lambda: self.project.add_flow(copy_name, document, index)
        ):
            return copy_name
        return None

    def referrers(self, name: str) -> list[str]:
        """The other flows and switches that lead to `name`, in the list's order."""
        by_flow = self.project.references_by_flow()
        flows = [
            other
            for other in self.project.names
            if other != name and any(t == name for _n, _a, t in by_flow.get(other, ()))
        ]
        switches = [
            other
            for other, switch in self.project.switches.items()
            if other != name and name in switch.targets()
        ]
        return flows + switches

    def delete(self, confirm: bool = True) -> bool:
        name = self.current_name()
        if name is None:
            return False
        what = "switch" if self.project.is_switch(name) else "flow"
        if confirm:
            users = self.referrers(name)
            warning = f"\n\nflow:{name} is referred to from {', '.join(users)}." if users else ""
            answer = QMessageBox.question(
                self,
                f"Delete {what}",
                f"Delete the {what} {name}? You can undo this.{warning}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if what == "switch":
            return self.editing.remove_switch(name)
        return self.editing.edit(f"Delete flow {name}", lambda: self.project.remove_flow(name))

    def set_entry(self) -> bool:
        name = self.current_name()
        if name is None or name == self.project.entry or self.project.is_switch(name):
            return False
        return self.editing.edit(f"Make {name} the entry", lambda: self.project.set_entry(name))
