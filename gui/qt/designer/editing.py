"""Every change the user makes goes through here: one QUndoCommand per gesture.

`Editing` owns the project's QUndoStack. Views call `edit(...)` (or a convenience method)
with a function that changes the project through its API; the core `Edit` records what
changed, so undo and redo restore exactly. Consecutive edits with the same merge key (the
keystrokes typed into one field) merge into one command.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ...core.flexml import Document, Node
from ...core.flowtests.model import FlowTest
from ...core.history import Edit
from ...core.project import Project
from ...core.switches import Switch

_MERGE_ID = 1


class EditCommand(QUndoCommand):
    """A QUndoCommand around a core Edit; merges with the next one of the same key."""

    def __init__(self, text: str, edit: Edit, merge_key: Hashable | None = None) -> None:
        super().__init__(text)
        self.edit = edit
        self.merge_key = merge_key
        self.error: BaseException | None = None

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.merge_key != self.merge_key:
            return False
        self.edit.merge(other.edit)
        return True

    def redo(self) -> None:
        if self.edit._ran:
            self.edit.redo()
            return
        try:
            self.edit.run()
        except (ValueError, KeyError, IndexError) as exc:
            # The edit was refused by the core (e.g. a name taken); it changed nothing.
            self.error = exc
            self.setObsolete(True)
        if not self.edit.changed_anything:
            self.setObsolete(True)

    def undo(self) -> None:
        self.edit.undo()


class Editing(QObject):
    """The undo stack of one project and the ways to change it."""

    refused = Signal(str)  # a message for the user: an edit the core would not make
    project_replaced = Signal()  # another project was opened: views rebind to it

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.stack = QUndoStack(self)

    def set_project(self, project: Project) -> None:
        """Edit another project from now on; its history starts empty and clean."""
        self.stack.clear()
        self.project = project
        self.project_replaced.emit()

    def edit(
        self, text: str, action: Callable[[], object], merge_key: Hashable | None = None
    ) -> bool:
        """Run `action` as one undoable command; False (and `refused`) when the core refused."""
        command = EditCommand(text, Edit(self.project, action), merge_key)
        self.stack.push(command)
        if command.error is not None:
            error = command.error
            self.refused.emit(str(error.args[0]) if error.args else str(error))
            return False
        return True

    # -- conveniences used by the inspector and the editor ---------------------------------

    def set_attribute(self, document: Document, node: Node, name: str, value: str | None) -> bool:
        label = f"Set {node.tag} {name}" if value is not None else f"Reset {node.tag} {name}"
        return self.edit(
            label,
            lambda: document.set_attribute(node, name, value),
            merge_key=("attribute", id(node), name),
        )

    def set_text(self, document: Document, node: Node, text: str | None) -> bool:
        return self.edit(
            f"Edit {node.tag} text",
            lambda: document.set_text(node, text),
            merge_key=("text", id(node)),
        )

    def break_merge(self) -> None:
        """End typing into the current field: the next keystroke starts a new command."""
        command = self.stack.command(self.stack.index() - 1)
        if isinstance(command, EditCommand):
            command.merge_key = None

    # -- switches: each one undo step ------------------------------------------------------

    def add_switch(self, switch: Switch, index: int | None = None, text: str = "") -> bool:
        """Add `switch` (at `index` among the switches, else last)."""
        return self.edit(
            text or f"Add switch {switch.name}", lambda: self.project.add_switch(switch, index)
        )

    def rename_switch(self, old: str, new: str) -> bool:
        """Rename a switch; every flow:OLD and goto OLD follows."""
        return self.edit(
            f"Rename switch {old} to {new}", lambda: self.project.rename_switch(old, new)
        )

    def remove_switch(self, name: str) -> bool:
        """Remove a switch (references to it stay, and lint reports them)."""
        return self.edit(f"Delete switch {name}", lambda: self.project.remove_switch(name))

    def replace_switch(self, switch: Switch, text: str = "") -> bool:
        """Put `switch`, an edited copy, in place of the switch of its name. A copy equal to
        the switch it would replace changes nothing and leaves no undo step."""
        project = self.project
        if project.is_switch(switch.name) and project.switch(switch.name) == switch:
            return True
        return self.edit(
            text or f"Edit switch {switch.name}", lambda: project.replace_switch(switch)
        )

    # -- flow tests: each one undo step ----------------------------------------------------

    def add_test(self, test: FlowTest, index: int | None = None, text: str = "") -> bool:
        """Add `test` (at `index` among the tests, else last); a taken name is refused."""
        return self.edit(
            text or f"Add test {test.name}", lambda: self.project.add_test(test, index)
        )

    def remove_test(self, name: str) -> bool:
        """Remove the test `name`."""
        return self.edit(f"Delete test {name}", lambda: self.project.remove_test(name))

    def replace_test(self, test: FlowTest, name: str | None = None, text: str = "") -> bool:
        """Put `test`, an edited copy, in place of the test `name` (by default its own
        name). A copy equal to the test it would replace changes nothing and leaves no
        undo step."""
        project = self.project
        old_name = test.name if name is None else name
        if old_name == test.name and project.tests.get(old_name) == test:
            return True
        return self.edit(text or f"Edit test {old_name}", lambda: project.replace_test(test, name))
