"""Connecting two nodes of the flow map, Qt-free: a flow gets a Redirect at the end of its
Response, a switch a new case for the first digit none of its cases takes.

`plan_connection` says what a connection would add, or why there can be none, before
anything changes; `Connection.apply` makes it through the project's API, so one Edit
records it and undo takes it back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from .flexml import Node
from .flexml.edits import can_insert
from .flexml.refs import PREFIX
from .project import Project
from .switches import MatchKind, Switch, make_case

DIGIT_ORDER = "1234567890"  # a menu's keys in the order people number options


@dataclass(frozen=True)
class Connection:
    """A way from `source` to `target` to add: a Redirect (`case` None) or a switch case
    for the digit `case`."""

    source: str
    target: str
    case: str | None = None

    @property
    def description(self) -> str:
        """What it adds, for the undo history and the status line."""
        how = "a Redirect" if self.case is None else f"case {self.case}"
        return f"Connect {self.source} to {self.target} ({how})"

    def apply(self, project: Project) -> None:
        """Make the connection (raises ValueError when the project changed meanwhile)."""
        if self.case is None:
            document = project.flow(self.source)
            root = document.root
            redirect = Node("Redirect", text=f"{PREFIX}{self.target}")
            document.insert(root, root.child_count(), redirect)
            return
        switch = project.switch(self.source)
        case = make_case(MatchKind.VALUE, self.case, self.target)
        project.replace_switch(replace(switch, cases=(*switch.cases, case)))


def free_digit(switch: Switch) -> str | None:
    """The first key of DIGIT_ORDER that no case of `switch` takes, or None when every one
    is taken (cases on opening hours take no key)."""
    moment = datetime.now(UTC)
    for digit in DIGIT_ORDER:
        cases = (c for c in switch.cases if c.kind is not MatchKind.HOURS)
        if not any(case.matches(digit, moment) for case in cases):
            return digit
    return None


def plan_connection(project: Project, source: str, target: str) -> Connection:
    """The connection from `source` to `target`; ValueError saying why when there is none."""
    names = project.all_names
    for name in (source, target):
        if name not in names:
            raise ValueError(f"the project has no flow or switch named {name!r}")
    if source == target:
        raise ValueError(f"{source} cannot connect to itself: drop on another flow or switch")
    if project.is_switch(source):
        digit = free_digit(project.switch(source))
        if digit is None:
            raise ValueError(f"switch {source} already has a case for every digit")
        return Connection(source, target, digit)
    if not can_insert(project.flow(source).root, ["Redirect"]):
        raise ValueError(f"flow {source} takes no Redirect at its end")
    return Connection(source, target)
