"""Undo by recording: an edit runs once while its changes are recorded, then is replayed.

An `Edit` runs any function that changes a project through its public API (flows, switches,
entry, settings) or its documents (insert, remove, move, attributes, text). Every announced change
is recorded; undo applies the inverse of each, newest first, and redo applies them again,
oldest first. So a gesture however complex (a multi-selection drag, a rename that rewrites
references in every flow) is exactly one undo step, and undo restores exactly what was,
without each command having to work out its own inverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .flexml import Change, ChangeKind, Document
from .project import SWITCH_CHANGES, TEST_CHANGES, Project, ProjectChange, ProjectChangeKind


@dataclass(frozen=True)
class _Step:
    document: Document | None  # None for project-level changes
    change: Change | ProjectChange


class Edit:
    """One undoable edit of a project: run it once, then undo and redo it any number of times."""

    def __init__(self, project: Project, action: Callable[[], object]) -> None:
        self.project = project
        self.action = action
        self.steps: list[_Step] = []
        self.done = False
        self._ran = False

    def _listeners(self) -> list[tuple[object, Callable]]:
        hooks: list[tuple[object, Callable]] = [
            (self.project.changed, lambda c: self._record(None, c)),
        ]
        for name in self.project.names:
            document = self.project.flow(name)
            hooks.append((document.changed, lambda c, d=document: self._record(d, c)))
        return hooks

    def _record(self, document: Document | None, change: Change | ProjectChange) -> None:
        self.steps.append(_Step(document, change))
        if isinstance(change, ProjectChange) and change.kind is ProjectChangeKind.FLOW_ADDED:
            # A flow added during the edit: follow its document too.
            assert change.document is not None
            added = change.document
            hook = (added.changed, lambda c, d=added: self._record(d, c))
            hook[0].connect(hook[1])
            self._extra.append(hook)

    def run(self) -> object:
        """Run the action (the first redo), recording what it changes."""
        if self._ran:
            raise RuntimeError("an edit runs once; use redo() after undo()")
        self._ran = True
        self._extra: list[tuple[object, Callable]] = []
        hooks = self._listeners()
        for signal, listener in hooks:
            signal.connect(listener)
        try:
            result = self.action()
        except BaseException:
            # Leave the project as it was: take back whatever the action did before failing.
            self._disconnect(hooks)
            self._apply_inverse()
            self.steps.clear()
            raise
        self._disconnect(hooks)
        self.done = True
        return result

    def _disconnect(self, hooks) -> None:
        for signal, listener in (*hooks, *self._extra):
            signal.disconnect(listener)
        self._extra = []

    def merge(self, other: Edit) -> None:
        """Append a later edit's steps (e.g. the next keystroke in the same field)."""
        self.steps.extend(other.steps)

    @property
    def changed_anything(self) -> bool:
        return bool(self.steps)

    def undo(self) -> None:
        self._apply_inverse()
        self.done = False

    def redo(self) -> None:
        if not self._ran:
            self.run()
            return
        for step in self.steps:
            _apply(self.project, step, inverse=False)
        self.done = True

    def _apply_inverse(self) -> None:
        for step in reversed(self.steps):
            _apply(self.project, step, inverse=True)


def _apply(project: Project, step: _Step, *, inverse: bool) -> None:
    change = step.change
    if step.document is None:
        assert isinstance(change, ProjectChange)
        _apply_project(project, change, inverse)
    else:
        assert isinstance(change, Change)
        _apply_document(step.document, change, inverse)


def _apply_document(document: Document, change: Change, inverse: bool) -> None:
    kind = change.kind
    if kind is ChangeKind.INSERT:
        if inverse:
            document.remove(change.parent, change.index)
        else:
            document.insert(change.parent, change.index, change.node)
    elif kind is ChangeKind.REMOVE:
        if inverse:
            document.insert(change.parent, change.index, change.node)
        else:
            document.remove(change.parent, change.index)
    elif kind is ChangeKind.MOVE:
        if inverse:
            document.move(change.dest_parent, change.dest_index, change.parent, change.index)
        else:
            document.move(change.parent, change.index, change.dest_parent, change.dest_index)
    elif kind is ChangeKind.ATTRIBUTE:
        assert change.name is not None
        if inverse:
            # A removed attribute goes back to its old place among the others.
            position = change.index if change.index >= 0 else None
            document.set_attribute(change.node, change.name, change.old, position)
        else:
            document.set_attribute(change.node, change.name, change.new)
    elif kind is ChangeKind.TEXT:
        document.set_text(change.node, change.old if inverse else change.new)


def _apply_project(project: Project, change: ProjectChange, inverse: bool) -> None:
    kind = change.kind
    name = change.name
    assert name is not None or kind is ProjectChangeKind.ENTRY_CHANGED
    if kind is ProjectChangeKind.FLOW_ADDED:
        if inverse:
            project.remove_flow(name)
        else:
            project.add_flow(name, change.document, change.index)
    elif kind is ProjectChangeKind.FLOW_REMOVED:
        if inverse:
            project.add_flow(name, change.document, change.index)
        else:
            project.remove_flow(name)
    elif kind is ProjectChangeKind.FLOW_RENAMED:
        assert change.new_name is not None
        if inverse:
            project.rename_flow(change.new_name, name, update_references=False)
        else:
            project.rename_flow(name, change.new_name, update_references=False)
    elif kind is ProjectChangeKind.ENTRY_CHANGED:
        project.set_entry(change.old if inverse else change.new)
    elif kind is ProjectChangeKind.SETTING_CHANGED:
        project.set_setting(name, change.old if inverse else change.new)
    elif kind in SWITCH_CHANGES:
        _apply_switch(project, change, inverse)
    elif kind in TEST_CHANGES:
        _apply_test(project, change, inverse)


def _apply_switch(project: Project, change: ProjectChange, inverse: bool) -> None:
    kind = change.kind
    name = change.name
    assert name is not None
    if kind is ProjectChangeKind.SWITCH_ADDED:
        assert change.switch is not None
        if inverse:
            project.remove_switch(name)
        else:
            project.add_switch(change.switch, change.index)
    elif kind is ProjectChangeKind.SWITCH_REMOVED:
        assert change.switch is not None
        if inverse:
            project.add_switch(change.switch, change.index)
        else:
            project.remove_switch(name)
    elif kind is ProjectChangeKind.SWITCH_RENAMED:
        assert change.new_name is not None
        if inverse:
            project.rename_switch(change.new_name, name, update_references=False)
        else:
            project.rename_switch(name, change.new_name, update_references=False)
    elif kind is ProjectChangeKind.SWITCH_CHANGED:
        switch = change.old_switch if inverse else change.switch
        assert switch is not None
        project.replace_switch(switch)


def _apply_test(project: Project, change: ProjectChange, inverse: bool) -> None:
    kind = change.kind
    name = change.name
    assert name is not None and change.test is not None
    if kind is ProjectChangeKind.TEST_ADDED:
        if inverse:
            project.remove_test(name)
        else:
            project.add_test(change.test, change.index)
    elif kind is ProjectChangeKind.TEST_REMOVED:
        if inverse:
            project.add_test(change.test, change.index)
        else:
            project.remove_test(name)
    elif kind is ProjectChangeKind.TEST_CHANGED:
        assert change.old_test is not None
        if inverse:
            project.replace_test(change.old_test, change.test.name)
        else:
            project.replace_test(change.test, name)
