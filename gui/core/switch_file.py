"""The project file's `<switch>` elements: written in one fixed form, read back with every
problem reported as a note with its line and column (a case that cannot be understood is
skipped, the switch kept). project_file.py calls these for each switch it meets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol

from lxml import etree

from .flexml.reader import Positions, ReadNote
from .flexml.refs import is_valid_name, slugify, unique_name
from .flexml.writer import escape_attr
from .switches import Case, MatchKind, Switch, SwitchError, make_case


class ProjectContents(Protocol):
    """What reading switches adds to: project_file.ProjectContents (not imported: the
    project file reads switches through this module)."""

    @property
    def flows(self) -> Mapping[str, object]: ...

    @property
    def switches(self) -> dict[str, Switch]: ...

    @property
    def notes(self) -> list[ReadNote]: ...


# How each kind of case is written: the attribute that holds what it matches.
CASE_ATTRIBUTES = {
    MatchKind.VALUE: "value",
    MatchKind.ANY_OF: "values",
    MatchKind.PREFIX: "prefix",
    MatchKind.PATTERN: "pattern",
    MatchKind.HOURS: "hours",
}
_CASE_KINDS = {attribute: kind for kind, attribute in CASE_ATTRIBUTES.items()}


def write_switch(switch: Switch, out: list[str]) -> None:
    """Append `switch` as the project file writes it (after the flows, indented by two)."""
    on = f' on="{escape_attr(switch.on)}"' if switch.on else ""
    extra = "".join(f' {key}="{escape_attr(value)}"' for key, value in switch.extra.items())
    out.append(f'  <switch name="{escape_attr(switch.name)}"{on}{extra}>\n')
    for case in switch.cases:
        zone = f' tz="{escape_attr(case.zone)}"' if case.zone else ""
        out.append(
            f'    <case {CASE_ATTRIBUTES[case.kind]}="{escape_attr(case.text)}"{zone}'
            f' goto="{escape_attr(case.goto)}"/>\n'
        )
    if switch.otherwise is not None:
        out.append(f'    <otherwise goto="{escape_attr(switch.otherwise)}"/>\n')
    out.append("  </switch>\n")


class SwitchPlaces:
    """Line and column of what a switch is made of, found once the whole file is walked.

    Positions numbers elements as the walk passes them and scans the source only when a
    place is first asked for, which must wait for the end of the walk (the scan checks it
    found as many elements as were numbered). So switches and their notes are read with
    the element's number and made exact afterwards."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.switches: list[tuple[str, tuple[int, int | None], list, tuple | None]] = []
        self.notes: list[tuple[int, tuple[int, int | None]]] = []  # (index in notes, where)

    def number(self, element: etree._Element) -> dict[etree._Element, tuple[int, int | None]]:
        """Pass over `element` and everything in it, remembering each element's number."""
        found = {}
        for item in element.iter():
            if isinstance(item.tag, str):
                found[item] = (self.positions.next_element, item.sourceline)
            self.positions.skip(item)
        return found

    def place(self, where: tuple[int, int | None]) -> tuple[int | None, int | None]:
        ordinal, line = where
        if not self.positions.lazy:
            return line, None
        found = self.positions.position(False, ordinal)
        return found if found[0] is not None else (line, None)

    def resolve(self, contents: ProjectContents) -> None:
        for index, where in self.notes:
            note = contents.notes[index]
            line, column = self.place(where)
            contents.notes[index] = ReadNote(line, column, note.code, note.message)
        for name, where, cases, otherwise in self.switches:
            switch = contents.switches[name]
            line, column = self.place(where)
            placed = tuple(
                replace(case, line=at[0], column=at[1])
                for case, at in zip(switch.cases, map(self.place, cases), strict=True)
            )
            other_line, other_column = self.place(otherwise) if otherwise else (None, None)
            contents.switches[name] = replace(
                switch,
                cases=placed,
                line=line,
                column=column,
                otherwise_line=other_line,
                otherwise_column=other_column,
            )


class SwitchReader:
    """One `<switch>`: its cases in order and its otherwise. A case that cannot be
    understood is reported with its place and skipped; the switch is kept."""

    def __init__(
        self,
        contents: ProjectContents,
        places: SwitchPlaces,
        free_name: Callable[[str], str] | None = None,
    ) -> None:
        """`free_name` gives a free name for the one asked for (the project reader's, which
        keeps loading linear); by default, refs.unique_name over the names read so far."""
        self.contents = contents
        self.places = places
        self.free_name = free_name or (
            lambda name: unique_name(name, {*contents.flows, *contents.switches})
        )
        self.where: dict[etree._Element, tuple[int, int | None]] = {}

    def note(self, element: etree._Element, message: str) -> None:
        self.places.notes.append((len(self.contents.notes), self.where[element]))
        self.contents.notes.append(ReadNote(element.sourceline, None, "project-repaired", message))

    def read(self, element: etree._Element) -> None:
        self.where = self.places.number(element)
        raw_name = element.get("name") or ""
        name = raw_name if is_valid_name(raw_name) else slugify(raw_name, "switch")
        name = self.free_name(name)
        if name != raw_name:
            self.note(element, f"the switch named {raw_name!r} was renamed to {name!r}")
        extra = {k: v for k, v in element.items() if k not in ("name", "on")}
        if extra:
            self.note(
                element,
                f"<switch name={name!r}> has attributes this version does not know "
                f"({', '.join(extra)}); they were kept",
            )
        cases: list[Case] = []
        case_places: list[tuple[int, int | None]] = []
        otherwise: tuple[str, etree._Element] | None = None
        for child in element.iterchildren():
            if not isinstance(child.tag, str):
                continue
            if child.tag == "case":
                case = self.case(name, child)
                if case is not None:
                    cases.append(case)
                    case_places.append(self.where[child])
            elif child.tag == "otherwise":
                if otherwise is not None:
                    self.note(child, f"switch {name!r}: only the first <otherwise> counts")
                else:
                    goto = self.otherwise(name, child)
                    otherwise = (goto, child) if goto is not None else None
            else:
                self.note(child, f"switch {name!r}: an unknown <{child.tag}> element was skipped")
        switch = Switch(
            name,
            element.get("on") or "",
            tuple(cases),
            otherwise[0] if otherwise else None,
            extra,
        )
        self.contents.switches[name] = switch
        self.places.switches.append(
            (
                name,
                self.where[element],
                case_places,
                self.where[otherwise[1]] if otherwise else None,
            )
        )

    def case(self, switch: str, element: etree._Element) -> Case | None:
        attrs = dict(element.items())
        goto = attrs.pop("goto", "")
        zone = attrs.pop("tz", None)
        matchers = [key for key in attrs if key in _CASE_KINDS]
        unknown = [key for key in attrs if key not in _CASE_KINDS]
        skipped = f"switch {switch!r}: a <case> was skipped: "
        if unknown:
            self.note(
                element,
                f"{skipped}it has no attribute {unknown[0]} (a case takes one of value, "
                "values, prefix, pattern or hours, and goto; tz goes with hours)",
            )
            return None
        if len(matchers) != 1:
            which = "none" if not matchers else " and ".join(matchers)
            self.note(
                element,
                f"{skipped}it needs exactly one of value, values, prefix, pattern or hours "
                f"(it has {which})",
            )
            return None
        if not goto:
            self.note(element, f"{skipped}it says no goto (the flow or switch it leads to)")
            return None
        try:
            case = make_case(_CASE_KINDS[matchers[0]], attrs[matchers[0]], goto, zone)
        except SwitchError as exc:
            self.note(element, f"{skipped}{exc}")
            return None
        if len(element) or (element.text or "").strip():
            self.note(element, f"switch {switch!r}: the content of a <case> was ignored")
        return case

    def otherwise(self, switch: str, element: etree._Element) -> str | None:
        attrs = dict(element.items())
        goto = attrs.pop("goto", "")
        if attrs or not goto:
            what = f"it has no attribute {next(iter(attrs))}" if attrs else "it says no goto"
            self.note(element, f"switch {switch!r}: the <otherwise> was skipped: {what}")
            return None
        return goto
