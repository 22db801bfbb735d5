"""The project's flows: a list model over the project's change events, and its panel
(add, rename, duplicate, delete with confirmation, set the entry flow)."""

from __future__ import annotations

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

from ...core.flexml import Document
from ...core.flexml.refs import slugify, unique_name
from ...core.project import Project, ProjectChange, ProjectChangeKind, references
from ..common.names import findable
from .editing import Editing

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class FlowListModel(QAbstractListModel):
    """One row per flow, in project order; the entry flow is marked. Holds no data."""

    def __init__(self, project: Project, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        project.about_to_change.connect(self._on_about_to_change)
        project.changed.connect(self._on_changed)

    def detach(self) -> None:
        self.project.about_to_change.disconnect(self._on_about_to_change)
        self.project.changed.disconnect(self._on_changed)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.project)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.project):
            return None
        name = self.project.names[index.row()]
        entry = name == self.project.entry
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}  (entry)" if entry else name
        if role in (NAME_ROLE, Qt.ItemDataRole.EditRole):
            return name
        if role == Qt.ItemDataRole.FontRole and entry:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            served = "/ and " if entry else ""
            return f"Served at {served}/flows/{name}; refer to it as flow:{name}"
        return None

    def row_of(self, name: str) -> int:
        return self.project.names.index(name)

    def _on_about_to_change(self, change: ProjectChange) -> None:
        if change.kind is ProjectChangeKind.FLOW_ADDED:
            self.beginInsertRows(QModelIndex(), change.index, change.index)
        elif change.kind is ProjectChangeKind.FLOW_REMOVED:
            self.beginRemoveRows(QModelIndex(), change.index, change.index)

    def _on_changed(self, change: ProjectChange) -> None:
        kind = change.kind
        if kind is ProjectChangeKind.FLOW_ADDED:
            self.endInsertRows()
        elif kind is ProjectChangeKind.FLOW_REMOVED:
            self.endRemoveRows()
        elif kind is ProjectChangeKind.FLOW_RENAMED:
            index = self.index(change.index)
            self.dataChanged.emit(index, index)
        elif kind is ProjectChangeKind.ENTRY_CHANGED:
            for name in (change.old, change.new):
                if name in self.project:
                    index = self.index(self.row_of(name))
                    self.dataChanged.emit(index, index)


class FlowsPanel(QWidget):
    """The flows list with its actions; emits `flow_selected(name)`."""

    flow_selected = Signal(str)

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
        self.rename_action = action("Rename", "Rename the flow (F2)", self.rename, "F2")
        self.duplicate_action = action("Duplicate", "Duplicate the flow", self.duplicate)
        self.delete_action = action("Delete", "Delete the flow (Del)", self.delete, "Delete")
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

    # -- selection ------------------------------------------------------------------------

    def current_name(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(NAME_ROLE) if index.isValid() else None

    def select(self, name: str) -> None:
        if name in self.project:
            self.view.setCurrentIndex(self.model.index(self.model.row_of(name)))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
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
        name = name or unique_name("flow", set(self.project.names))
        document = Document()
        index = self.view.currentIndex().row() + 1 if self.view.currentIndex().isValid() else None
        if self.editing.edit(
            f"Add flow {name}", lambda: self.project.add_flow(name, document, index)
        ):
            return name
        return None

    def rename(self, new: str | None = None) -> bool:
        old = self.current_name()
        if old is None:
            return False
        if new is None:
            new = self._ask_name(
                "Rename flow",
                "New name (lowercase letters, digits, - and _; flow: references follow):",
                old,
            )
            if new is None:
                return False
            new = new if new == slugify(new) else slugify(new)
        return self.editing.edit(
            f"Rename flow {old} to {new}", lambda: self.project.rename_flow(old, new)
        )

    def duplicate(self) -> str | None:
        name = self.current_name()
        if name is None:
            return None
        copy_name = unique_name(f"{name}-copy"[:64], set(self.project.names))
        document = Document(self.project.flow(name).root.copy())
        index = self.model.row_of(name) + 1
        if self.editing.edit(
            f"Duplicate flow {name}", lambda: self.project.add_flow(copy_name, document, index)
        ):
            return copy_name
        return None

    def delete(self, confirm: bool = True) -> bool:
        name = self.current_name()
        if name is None:
            return False
        if confirm:
            users = [
                other
                for other in self.project.names
                if other != name
                and any(t == name for _n, _a, t in references(self.project.flow(other).root))
            ]
            warning = f"\n\nflow:{name} is referred to from {', '.join(users)}." if users else ""
            answer = QMessageBox.question(
                self,
                "Delete flow",
                f"Delete the flow {name}? You can undo this.{warning}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        return self.editing.edit(f"Delete flow {name}", lambda: self.project.remove_flow(name))

    def set_entry(self) -> bool:
        name = self.current_name()
        if name is None or name == self.project.entry:
            return False
        return self.editing.edit(f"Make {name} the entry", lambda: self.project.set_entry(name))
