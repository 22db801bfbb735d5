"""The project file's `<test>` elements: written in one fixed form after the switches, read
back with every problem reported as a note with its line and column.

An `<expect>` that makes no expectation (no kind or two, an unknown attribute, a `not` that
is neither true nor false) is kept as written, for lint to report as an error of its test
(test-bad-expectation: the test cannot run) and to be written back unchanged; attributes of
`<test>` this version does not know are kept and written back, with a note. An attribute in
a namespace (xml:lang, or one whose prefix the file would not declare) is dropped with a
note: the project file writes attribute names without one. A test without a name or
with the name of an earlier test is renamed, with a note. project_file.py calls these for
each test it meets, with the reader's safety rules already applied to the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

from lxml import etree

from ..flexml.reader import ReadNote
from ..flexml.writer import escape_attr
from ..switch_file import SwitchPlaces
from .model import (
    MAX_NAME,
    TEST_ATTRIBUTES,
    Expectation,
    FlowTest,
    clean_name,
    read_expectation,
)

MAX_EXPECTATIONS = 1000  # <expect> of one test; the rest are skipped with a note


class ProjectContents(Protocol):
    """What reading tests adds to: project_file.ProjectContents (not imported: the project
    file reads tests through this module)."""

    @property
    def tests(self) -> dict[str, FlowTest]: ...

    @property
    def notes(self) -> list[ReadNote]: ...


def write_test(test: FlowTest, out: list[str]) -> None:
    """Append `test` as the project file writes it (after the switches, indented by two)."""
    attrs = "".join(f' {key}="{escape_attr(value)}"' for key, value in test.attributes().items())
    if not test.expectations:
        out.append(f"  <test{attrs}/>\n")
        return
    out.append(f"  <test{attrs}>\n")
    for expectation in test.expectations:
        if expectation.written is not None:
            out.append(f"    {expectation.as_written()}\n")
            continue
        negated = ' not="true"' if expectation.negated else ""
        out.append(
            f'    <expect {expectation.kind}="{escape_attr(expectation.value)}"{negated}/>\n'
        )
    out.append("  </test>\n")


def free_test_name(name: str, taken: Mapping[str, object]) -> str:
    """`name`, or `name (2)`, `name (3)`, ... whichever no test has."""
    return FreeTestNames(taken)(name)


class FreeTestNames:
    """free_test_name for many names in a row, as `taken` fills up (reading a file): the
    next number to try is kept per name, so 20,000 tests of one name (or none) are named
    in linear time, not quadratic."""

    def __init__(self, taken: Mapping[str, object]) -> None:
        self.taken = taken
        self._next: dict[str, int] = {}

    def __call__(self, name: str) -> str:
        if name not in self.taken:
            return name
        n = self._next.get(name, 2)
        while True:
            suffix = f" ({n})"
            candidate = name[: MAX_NAME - len(suffix)] + suffix
            n += 1
            if candidate not in self.taken:
                self._next[name] = n
                return candidate


class FlowTestReader:
    """Reads the `<test>` elements of one project file, in order. Their places (line and
    column) are exact once `resolve()` is called at the end of the walk (see SwitchPlaces,
    whose numbering of the file's elements the tests share)."""

    def __init__(self, contents: ProjectContents, places: SwitchPlaces) -> None:
        self.contents = contents
        self.places = places
        self.free_name = FreeTestNames(contents.tests)
        self.where: dict[etree._Element, tuple[int, int | None]] = {}
        # Each test's place and its expectations' places, made exact by resolve().
        self.pending: list[tuple[str, tuple[int, int | None], list[tuple[int, int | None]]]] = []

    def note(self, element: etree._Element, message: str) -> None:
        self.places.notes.append((len(self.contents.notes), self.where[element]))
        self.contents.notes.append(ReadNote(element.sourceline, None, "project-repaired", message))

    def read(self, element: etree._Element) -> None:
        self.where = self.places.number(element)
        attrs = dict(self.attributes(element))
        raw_name = attrs.pop("name", "")
        name = self.free_name(clean_name(raw_name))
        if name != raw_name:
            self.note(element, f"the test named {raw_name!r} was renamed to {name!r}")
        extra = {k: v for k, v in attrs.items() if k not in TEST_ATTRIBUTES}
        if extra:
            self.note(
                element,
                f"<test name={name!r}> has attributes this version does not know "
                f"({', '.join(extra)}); they were kept",
            )
        expectations, places = self.expectations(name, element)
        self.contents.tests[name] = FlowTest(
            name,
            flow=attrs.get("flow"),
            digits=attrs.get("digits", ""),
            expectations=tuple(expectations),
            from_number=attrs.get("from"),
            to_number=attrs.get("to"),
            at=attrs.get("at"),
            tz=attrs.get("tz"),
            dial=attrs.get("dial"),
            amd=attrs.get("amd"),
            record=attrs.get("record"),
            order=attrs.get("order"),
            extra=extra,
        )
        self.pending.append((name, self.where[element], places))

    def expectations(
        self, test: str, element: etree._Element
    ) -> tuple[list[Expectation], list[tuple[int, int | None]]]:
        found: list[Expectation] = []
        places: list[tuple[int, int | None]] = []
        if (element.text or "").strip():
            self.note(element, f"test {test!r}: the text in <test> was ignored")
        for child in element.iterchildren():
            if not isinstance(child.tag, str):
                continue
            if child.tag != "expect":
                self.note(child, f"test {test!r}: an unknown <{child.tag}> element was skipped")
            elif len(found) >= MAX_EXPECTATIONS:
                self.note(
                    child,
                    f"test {test!r}: more than {MAX_EXPECTATIONS} <expect> elements; "
                    "the rest were skipped",
                )
                break
            else:
                found.append(self.expectation(test, child))
                places.append(self.where[child])
        return found, places

    def expectation(self, test: str, element: etree._Element) -> Expectation:
        attrs = self.attributes(element)
        try:
            expectation = read_expectation(attrs)
        except ValueError:  # kept as written; lint says why it makes no expectation
            expectation = Expectation.unreadable(attrs)
        if len(element) or (element.text or "").strip():
            self.note(element, f"test {test!r}: the content of an <expect> was ignored")
        return expectation

    def attributes(self, element: etree._Element) -> list[tuple[str, str]]:
        """The attributes of `element` in order; one in a namespace is dropped with a note,
        since the project file writes names without one (and no prefix declarations)."""
        found = []
        for name, value in element.items():
            if name.startswith("{"):
                space, _, local = name[1:].partition("}")
                self.note(
                    element,
                    f"the attribute {local} (of the namespace {space}) of <{element.tag}> "
                    "was dropped",
                )
            else:
                found.append((name, value))
        return found

    def resolve(self) -> None:
        """Give each test and expectation its exact place (after the walk of the file)."""
        tests = self.contents.tests
        for name, where, places in self.pending:
            test = tests[name]
            line, column = self.places.place(where)
            placed = tuple(
                replace(expectation, line=at[0], column=at[1])
                for expectation, at in zip(
                    test.expectations, map(self.places.place, places), strict=True
                )
            )
            tests[name] = replace(test, expectations=placed, line=line, column=column)
