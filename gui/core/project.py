"""A project: named flows and switches, which flow is the entry, settings and flow tests, with
its events.

Flows and switches share one namespace: a `flow:NAME` reference may name either, and
renaming one rewrites every reference to it (in flows, in switches' gotos and in tests).
Tests have names of their own (free text, unique among tests). Every change
is announced (`about_to_change`, then `changed`) with a `ProjectChange` that says enough to
undo it (history.py records them).

The file it is kept in is read and written by project_file.py (its format is described
there); `load` and `Project.save` here are the way in and out. Wherever a project is
accepted, plain FlexML files are accepted too (see `load`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .flexml import Document, Node, Problem, lint, to_text
from .flexml.reader import ReadNote
from .flexml.refs import is_valid_name, reference_target
from .flexml.schema import URL_ATTRIBUTES, URL_TEXT
from .flexml.tree import Signal
from .project_file import (
    FORMAT_VERSION,
    MAX_PROJECT_BYTES,
    ROOT_TAG,
    SUFFIX,
    NewerFormatError,
    NotAProjectError,
    ProjectContents,
    ProjectError,
    is_project_file,
    project_text,
    read_files,
    save_project,
)

if TYPE_CHECKING:
    from .flowtests.lint import FlowTestLint
    from .flowtests.model import FlowTest
    from .switches import Switch

__all__ = [
    "FORMAT_VERSION",
    "MAX_PROJECT_BYTES",
    "ROOT_TAG",
    "SUFFIX",
    "SWITCH_CHANGES",
    "TEST_CHANGES",
    "NewerFormatError",
    "NotAProjectError",
    "Project",
    "ProjectChange",
    "ProjectChangeKind",
    "ProjectError",
    "is_project_file",
    "load",
    "references",
    "rewrite_references",
]


class ProjectChangeKind(Enum):
    FLOW_ADDED = "flow-added"
    FLOW_REMOVED = "flow-removed"
    FLOW_RENAMED = "flow-renamed"
    ENTRY_CHANGED = "entry-changed"
    SETTING_CHANGED = "setting-changed"
    SWITCH_ADDED = "switch-added"
    SWITCH_REMOVED = "switch-removed"
    SWITCH_RENAMED = "switch-renamed"
    SWITCH_CHANGED = "switch-changed"  # replaced by an edited copy (cases, on, otherwise)
    TEST_ADDED = "test-added"
    TEST_REMOVED = "test-removed"
    TEST_CHANGED = "test-changed"  # replaced by an edited copy, perhaps of another name


SWITCH_CHANGES = frozenset(
    {
        ProjectChangeKind.SWITCH_ADDED,
        ProjectChangeKind.SWITCH_REMOVED,
        ProjectChangeKind.SWITCH_RENAMED,
        ProjectChangeKind.SWITCH_CHANGED,
    }
)
TEST_CHANGES = frozenset(
    {ProjectChangeKind.TEST_ADDED, ProjectChangeKind.TEST_REMOVED, ProjectChangeKind.TEST_CHANGED}
)


@dataclass(frozen=True)
class ProjectChange:
    """One change to the project's structure (flows, switches, tests, entry, settings)."""

    kind: ProjectChangeKind
    name: str | None = None  # the flow, switch, test (or setting) concerned
    index: int = -1  # the flow's position among the flows (the switch's, the test's...)
    new_name: str | None = None  # for renames
    old: str | None = None
    new: str | None = None
    document: Document | None = field(default=None, compare=False, repr=False)  # added/removed
    # The switch added or removed, or for SWITCH_CHANGED the new one (and `old_switch` the
    # one it replaced): switches are immutable, so these are the whole before and after.
    switch: Switch | None = field(default=None, compare=False, repr=False)
    old_switch: Switch | None = field(default=None, compare=False, repr=False)
    # The same for tests: the test added or removed, or for TEST_CHANGED the new one (whose
    # name is `new_name` when it was renamed) and `old_test` the one it replaced.
    test: FlowTest | None = field(default=None, compare=False, repr=False)
    old_test: FlowTest | None = field(default=None, compare=False, repr=False)


class Project:
    """Named flows in order, named switches in order, named tests in order, the entry flow's
    name, and free-form settings. `names`, `len()` and `in` are about flows; `all_names`
    holds switches too."""

    def __init__(self) -> None:
        self._flows: dict[str, Document] = {}
        self._switches: dict[str, Switch] = {}
        self._tests: dict[str, FlowTest] = {}
        self.entry: str | None = None
        self.settings: dict[str, str] = {}
        self.notes: list[ReadNote] = []  # what loading skipped or repaired
        self._lint_cache: dict[str, tuple[tuple[int, int, frozenset[str]], list[Problem]]] = {}
        self._refs_cache: dict[str, tuple[tuple[int, int], list[tuple[Node, str | None, str]]]] = {}
        self._test_lint: FlowTestLint | None = None  # each test's problems, kept
        self.path: Path | None = None  # the project file, None for unsaved or imported XML
        self.about_to_change: Signal[ProjectChange] = Signal()
        self.changed: Signal[ProjectChange] = Signal()

    # -- reading -----------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return list(self._flows)

    def flow(self, name: str) -> Document:
        try:
            return self._flows[name]
        except KeyError:
            raise KeyError(f"the project has no flow named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._flows

    def __len__(self) -> int:
        return len(self._flows)

    @property
    def switches(self) -> Mapping[str, Switch]:
        """The switches by name, in order (read-only: change them through the methods)."""
        return MappingProxyType(self._switches)

    @property
    def switch_names(self) -> list[str]:
        return list(self._switches)

    def switch(self, name: str) -> Switch:
        try:
            return self._switches[name]
        except KeyError:
            raise KeyError(f"the project has no switch named {name!r}") from None

    def is_switch(self, name: str) -> bool:
        return name in self._switches

    @property
    def tests(self) -> Mapping[str, FlowTest]:
        """The flow tests by name, in order (read-only: change them through the methods)."""
        return MappingProxyType(self._tests)

    @property
    def test_names(self) -> list[str]:
        return list(self._tests)

    def test(self, name: str) -> FlowTest:
        try:
            return self._tests[name]
        except KeyError:
            raise KeyError(f"the project has no test named {name!r}") from None

    @property
    def all_names(self) -> list[str]:
        """Every name a `flow:` reference may name: the flows, then the switches."""
        return [*self._flows, *self._switches]

    def references_by_flow(self) -> dict[str, list[tuple[Node, str | None, str]]]:
        """Every flow's `flow:` references (see `references`), kept until the flow changes."""
        cache = self._refs_cache
        result = {}
        for name, document in self._flows.items():
            key = (id(document), document.revision)
            found = cache.get(name)
            if found is None or found[0] != key:
                found = (key, list(references(document.root)))
                cache[name] = found
            result[name] = found[1]
        for stale in set(cache) - set(result):
            del cache[stale]
        return result

    def lint(self) -> dict[str, list[Problem]]:
        """Problems of every flow, then of every switch, `flow:` references and gotos
        checked against this project (see switch_lint for what a switch is checked for).

        A flow unchanged since the last call (same revision, same names) is not linted
        again: the window asks after every gesture, which usually touches one flow."""
        names = frozenset(self.all_names)
        cache = self._lint_cache
        result: dict[str, list[Problem]] = {}
        for name, document in self._flows.items():
            key = (id(document), document.revision, names)
            found = cache.get(name)
            if found is None or found[0] != key:
                found = (key, lint(document, names))
                cache[name] = found
            result[name] = found[1]
        for stale in set(cache) - set(result):
            del cache[stale]
        if self._switches:
            from .switch_lint import lint_switches  # only projects with switches need it

            result.update(lint_switches(self._switches, self._flows, self.references_by_flow()))
        return result

    def lint_tests(self) -> dict[str, list[Problem]]:
        """Problems of every test, by name in order (flowtests/lint.py says what is checked):
        kept apart from `lint`, whose names are flows' and switches'.

        A test is linted again only when it changed or something its lint reads did (the
        names, the entry, the verbs the flows hold, what leads to opening hours): the
        window asks after every gesture, and a project may have thousands of tests."""
        if not self._tests:
            return {}
        if self._test_lint is None:
            from .flowtests.lint import FlowTestLint  # only projects with tests need it

            self._test_lint = FlowTestLint()
        return self._test_lint.problems(
            self._tests.values(), self._flows, self._switches, self.entry
        )

    def export(self, name: str, *, base_url: str | None = None, compact: bool = False) -> str:
        return to_text(self.flow(name).root, base_url=base_url, compact=compact)

    # -- changing ----------------------------------------------------------------------

    def _announce(self, change: ProjectChange, apply) -> None:
        self.about_to_change.emit(change)
        apply()
        self.changed.emit(change)

    def _check_free(self, name: str, what: str = "flow") -> None:
        """Raise ValueError unless `name` is a valid name no flow or switch has."""
        if not is_valid_name(name):
            raise ValueError(
                f"{name!r} is not a {what} name: use lowercase letters, digits, - and _"
            )
        if name in self._flows:
            raise ValueError(f"the project already has a flow named {name!r}")
        if name in self._switches:
            raise ValueError(f"the project already has a switch named {name!r}")

    def add_flow(self, name: str, document: Document, index: int | None = None) -> None:
        """Add a flow; the first flow added becomes the entry."""
        self._check_free(name)
        position = len(self._flows) if index is None else max(0, min(index, len(self._flows)))

        def apply() -> None:
            if position == len(self._flows):  # the usual case: no need to rebuild the order
                self._flows[name] = document
                return
            items = list(self._flows.items())
            items.insert(position, (name, document))
            self._flows = dict(items)

        self._announce(
            ProjectChange(ProjectChangeKind.FLOW_ADDED, name, position, document=document), apply
        )
        if self.entry is None:
            self.set_entry(name)

    def remove_flow(self, name: str) -> Document:
        """Remove a flow and return it; the entry moves to the first flow left."""
        document = self.flow(name)
        position = self.names.index(name)
        if self.entry == name:
            # Moved first, so that undoing the two changes in reverse order works.
            self.set_entry(next((n for n in self._flows if n != name), None))
        self._announce(
            ProjectChange(ProjectChangeKind.FLOW_REMOVED, name, position, document=document),
            lambda: self._flows.pop(name),
        )
        return document

    def rename_flow(self, old: str, new: str, *, update_references: bool = True) -> None:
        """Rename a flow; with `update_references`, every `flow:OLD` becomes `flow:NEW`."""
        self.flow(old)
        if old == new:
            return
        self._check_free(new)
        position = self.names.index(old)

        def apply() -> None:
            self._flows = {(new if k == old else k): v for k, v in self._flows.items()}
            if self.entry == old:  # the entry is renamed with it: one change, not two
                self.entry = new

        self._announce(
            ProjectChange(ProjectChangeKind.FLOW_RENAMED, old, position, new_name=new), apply
        )
        if update_references:
            self._rewrite_everywhere(old, new)

    def _rewrite_everywhere(self, old: str, new: str) -> None:
        """Every `flow:OLD` in the flows, every goto OLD in the switches and every test's
        flow OLD now says NEW (each change announced, so undo takes them back)."""
        for document in self._flows.values():
            rewrite_references(document, old, new)
        for switch in list(self._switches.values()):
            if old in switch.targets():
                self.replace_switch(switch.retargeted(old, new))
        for test in list(self._tests.values()):
            if old in test.references():
                self.replace_test(test.retargeted(old, new))

    # -- switches ----------------------------------------------------------------------

    def add_switch(self, switch: Switch, index: int | None = None) -> None:
        """Add a switch (at `index` among the switches, else last)."""
        self._check_free(switch.name, "switch")
        count = len(self._switches)
        position = count if index is None else max(0, min(index, count))

        def apply() -> None:
            if position == len(self._switches):
                self._switches[switch.name] = switch
                return
            items = list(self._switches.items())
            items.insert(position, (switch.name, switch))
            self._switches = dict(items)

        self._announce(
            ProjectChange(ProjectChangeKind.SWITCH_ADDED, switch.name, position, switch=switch),
            apply,
        )

    def remove_switch(self, name: str) -> Switch:
        """Remove a switch and return it (references to it are left, and lint reports them)."""
        switch = self.switch(name)
        position = self.switch_names.index(name)
        self._announce(
            ProjectChange(ProjectChangeKind.SWITCH_REMOVED, name, position, switch=switch),
            lambda: self._switches.pop(name),
        )
        return switch

    def rename_switch(self, old: str, new: str, *, update_references: bool = True) -> None:
        """Rename a switch; with `update_references`, every `flow:OLD` and goto OLD follows."""
        switch = self.switch(old)
        if old == new:
            return
        self._check_free(new, "switch")
        position = self.switch_names.index(old)
        renamed = replace(switch, name=new)

        def apply() -> None:
            self._switches = {
                (new if k == old else k): (renamed if k == old else v)
                for k, v in self._switches.items()
            }

        self._announce(
            ProjectChange(
                ProjectChangeKind.SWITCH_RENAMED, old, position, new_name=new, switch=renamed
            ),
            apply,
        )
        if update_references:
            self._rewrite_everywhere(old, new)

    def replace_switch(self, switch: Switch) -> None:
        """Put `switch` (an edited copy) in place of the switch of the same name."""
        old = self.switch(switch.name)
        if old is switch:
            return
        position = self.switch_names.index(switch.name)

        def apply() -> None:
            self._switches[switch.name] = switch

        self._announce(
            ProjectChange(
                ProjectChangeKind.SWITCH_CHANGED,
                switch.name,
                position,
                switch=switch,
                old_switch=old,
            ),
            apply,
        )

    # -- tests -------------------------------------------------------------------------

    def _check_test_name(self, name: str) -> None:
        """Raise ValueError unless `name` is a test name no test has."""
        from .flowtests.model import check_name as check_test_name  # projects with tests

        check_test_name(name)
        if name in self._tests:
            raise ValueError(f"the project already has a test named {name!r}")

    def add_test(self, test: FlowTest, index: int | None = None) -> None:
        """Add a test (at `index` among the tests, else last)."""
        self._check_test_name(test.name)
        count = len(self._tests)
        position = count if index is None else max(0, min(index, count))

        def apply() -> None:
            if position == len(self._tests):
                self._tests[test.name] = test
                return
            items = list(self._tests.items())
            items.insert(position, (test.name, test))
            self._tests = dict(items)

        self._announce(
            ProjectChange(ProjectChangeKind.TEST_ADDED, test.name, position, test=test), apply
        )

    def remove_test(self, name: str) -> FlowTest:
        """Remove a test and return it."""
        test = self.test(name)
        position = self.test_names.index(name)
        self._announce(
            ProjectChange(ProjectChangeKind.TEST_REMOVED, name, position, test=test),
            lambda: self._tests.pop(name),
        )
        return test

    def replace_test(self, test: FlowTest, name: str | None = None) -> None:
        """Put `test` (an edited copy) in place of the test named `name` (by default its
        own name); a new name must be free among the tests."""
        old_name = test.name if name is None else name
        old = self.test(old_name)
        if old is test:
            return
        if test.name != old_name:
            self._check_test_name(test.name)
        position = self.test_names.index(old_name)

        def apply() -> None:
            self._tests = {
                (test.name if k == old_name else k): (test if k == old_name else v)
                for k, v in self._tests.items()
            }

        renamed = test.name if test.name != old_name else None
        self._announce(
            ProjectChange(
                ProjectChangeKind.TEST_CHANGED,
                old_name,
                position,
                new_name=renamed,
                test=test,
                old_test=old,
            ),
            apply,
        )

    def set_entry(self, name: str | None) -> None:
        if name is not None:
            self.flow(name)
        if name == self.entry:
            return
        old = self.entry

        def apply() -> None:
            self.entry = name

        self._announce(
            ProjectChange(ProjectChangeKind.ENTRY_CHANGED, name, old=old, new=name), apply
        )

    def set_setting(self, key: str, value: str | None) -> None:
        old = self.settings.get(key)
        if old == value:
            return

        def apply() -> None:
            if value is None:
                self.settings.pop(key, None)
            else:
                self.settings[key] = value

        self._announce(
            ProjectChange(ProjectChangeKind.SETTING_CHANGED, key, old=old, new=value), apply
        )

    # -- the file ----------------------------------------------------------------------

    @classmethod
    def from_contents(cls, contents: ProjectContents) -> Project:
        """A project holding what a file held (see project_file.read_project).

        Filled in one pass, each name checked as add_flow, add_switch and add_test check it,
        but no
        change announced (nobody listens to a project being made): loading stays linear
        in the number of flows."""
        project = cls()
        for name, document in contents.flows.items():
            project._check_free(name)
            project._flows[name] = document
        for switch in contents.switches.values():
            project._check_free(switch.name, "switch")
            project._switches[switch.name] = switch
        for test in contents.tests.values():
            project._check_test_name(test.name)
            project._tests[test.name] = test
        if contents.entry in project:
            project.entry = contents.entry
        else:  # as add_flow does: the first flow is the entry
            project.entry = next(iter(project._flows), None)
        project.settings = dict(contents.settings)
        project.notes = list(contents.notes)
        project.path = contents.path
        return project

    def to_text(self) -> str:
        """The project file's text (deterministic)."""
        return project_text(self)

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Save atomically, keeping the previous version as NAME.bak (see fileio)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the project has no file yet: give a path")
        self.path = save_project(self, target)
        return target


def references(root: Node) -> Iterable[tuple[Node, str | None, str]]:
    """Every `flow:` reference below `root`: (node, attribute name or None for text, target)."""
    for node in root.iter():
        for name in URL_ATTRIBUTES.get(node.tag, ()):
            value = node.attrs.get(name)
            target = reference_target(value) if value else None
            if target is not None:
                yield node, name, target
        if node.tag in URL_TEXT and node.text:
            target = reference_target(node.text)
            if target is not None:
                yield node, None, target


def rewrite_references(document: Document, old: str, new: str) -> None:
    """Point every `flow:OLD` reference in `document` at `flow:NEW` (through its API)."""
    for node, attribute, target in list(references(document.root)):
        if target != old:
            continue
        if attribute is None:
            document.set_text(node, f"flow:{new}")
        else:
            document.set_attribute(node, attribute, f"flow:{new}")


# -- loading ---------------------------------------------------------------------------


def load(paths: Sequence[str | os.PathLike[str]]) -> Project:
    """One project file, or one or more FlexML files (each a flow named after its stem, the
    first being the entry). Raises FlexmlError subclasses with messages for people."""
    return Project.from_contents(read_files(paths))
