"""What the tests reached of a project: its flows, its verbs and its switch cases.

A verb is one element of a flow (nested ones included: a Gather's Say is a verb of its
own), known by its flow and path; a case is a switch's case or its otherwise. A verb is
reached when the call ran it, a case when a switch took it, a flow when the call requested
it (or a switch chose it). Tests that were skipped or could not run reach nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..flexml.schema import VERBS
from ..project import Project
from .runner import FlowTestResult

_VERBS = frozenset(VERBS)


@dataclass(frozen=True)
class VerbSite:
    flow: str
    path: str
    tag: str
    line: int | None


@dataclass(frozen=True)
class CaseSite:
    switch: str
    label: str  # as the transcript says it; "otherwise" for the otherwise
    index: int | None  # the case's position among the switch's cases, None for otherwise
    line: int | None


@dataclass(frozen=True)
class Part:
    """One kind of thing covered: how many there are, and which were not reached."""

    total: int
    missed: tuple

    @property
    def reached(self) -> int:
        return self.total - len(self.missed)

    def ratio(self) -> str:
        return f"{self.reached}/{self.total}"


@dataclass(frozen=True)
class Coverage:
    flows: Part  # missed: flow names
    verbs: Part  # missed: VerbSite
    cases: Part  # missed: CaseSite

    def summary(self) -> str:
        """`flows 5/5, verbs 31/34, switch cases 6/7`"""
        return (
            f"flows {self.flows.ratio()}, verbs {self.verbs.ratio()}, "
            f"switch cases {self.cases.ratio()}"
        )

    def missed_lines(self) -> list[str]:
        """One line for each thing not reached, flows first."""
        lines = [f"not reached: flow {name}" for name in self.flows.missed]
        for verb in self.verbs.missed:
            at = f" (line {verb.line})" if verb.line else ""
            lines.append(f"not reached: {verb.tag} in {verb.flow} at {verb.path}{at}")
        for case in self.cases.missed:
            what = "otherwise" if case.index is None else f"case {case.index + 1} {case.label!r}"
            at = f" (line {case.line})" if case.line else ""
            lines.append(f"not reached: switch {case.switch} {what}{at}")
        return lines

    def to_json(self) -> dict:
        def part(which: Part, missed: list) -> dict:
            return {"total": which.total, "reached": which.reached, "missed": missed}

        return {
            "flows": part(self.flows, list(self.flows.missed)),
            "verbs": part(
                self.verbs,
                [
                    {"flow": v.flow, "path": v.path, "verb": v.tag, "line": v.line}
                    for v in self.verbs.missed
                ],
            ),
            "switch_cases": part(
                self.cases,
                [
                    {
                        "switch": c.switch,
                        "case": None if c.index is None else c.index + 1,
                        "label": c.label,
                        "line": c.line,
                    }
                    for c in self.cases.missed
                ],
            ),
        }


def verb_sites(project: Project) -> list[VerbSite]:
    """Every verb of every flow, in order."""
    return [
        VerbSite(name, node.path(), node.tag, node.line)
        for name in project.names
        for node in project.flow(name).root.iter()
        if node.tag in _VERBS
    ]


def case_sites(project: Project) -> list[CaseSite]:
    """Every case of every switch, then its otherwise, in order. Cases of the same label
    in one switch count once (the first one: a later one never matches)."""
    sites = []
    for switch in project.switches.values():
        labels = set()
        for index, case in enumerate(switch.cases):
            label = case.label()
            if label not in labels:
                labels.add(label)
                sites.append(CaseSite(switch.name, label, index, case.line))
        if switch.otherwise is not None:
            sites.append(CaseSite(switch.name, "otherwise", None, switch.otherwise_line))
    return sites


def measure(project: Project, results: Iterable[FlowTestResult]) -> Coverage:
    """What `results` reached of `project`."""
    flows: set[str] = set()
    verbs: set[tuple[str, str]] = set()
    cases: set[tuple[str, str]] = set()
    for result in results:
        flows |= result.reached.flows
        verbs |= result.reached.verbs
        cases |= result.reached.cases
    return Coverage(
        Part(len(project.names), tuple(n for n in project.names if n not in flows)),
        _part(verb_sites(project), lambda v: (v.flow, v.path) in verbs),
        _part(case_sites(project), lambda c: (c.switch, c.label) in cases),
    )


def _part(sites: list, reached) -> Part:
    return Part(len(sites), tuple(site for site in sites if not reached(site)))
