"""The project file: read in one pass into its contents, and written deterministically.

The file is XML whose flows are literally the `<Response>` trees they export:

    <?xml version="1.0" encoding="UTF-8"?>
    <flexml-project format="1" entry="main">
      <setting name="export-base-url" value="https://example.com/app"/>
      <flow name="main">
        <Response>...</Response>
      </flow>
      <switch name="route" on="Digits">
        <case value="1" goto="sales"/>
        <case values="2 3" goto="support"/>
        <case prefix="0" goto="operator"/>
        <case pattern="NXX." goto="extension"/>
        <case hours="Mon-Fri 09:00-17:00" tz="America/New_York" goto="open"/>
        <otherwise goto="main"/>
      </switch>
      <test name="sales path" flow="main" digits="1">
        <expect say="Sales"/>
        <expect end="hangup"/>
      </test>
    </flexml-project>

Switches are written after the flows (the README's "Switches" says what each case does),
tests after the switches (flowtests/test_file.py; the README's "Flow tests").
Reading parses the file once (with the FlexML reader's safety rules), walks the project's
elements once in document order and hands each flow's `<Response>` to the FlexML reader once.
What is wrong but recoverable (an unknown element, a setting without a value, a flow or
switch with a bad name, none or several documents, a case that cannot be understood, an
entry that does not exist) is repaired or skipped and reported as a note; the rest of the
file is kept. An `<expect>` that makes no expectation is kept as written, for lint to report
as an error (flowtests/test_file.py). The model (`Project`) lives in project.py, which builds
itself from these contents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lxml import etree

from .flexml import Document, FlexmlError, MalformedError, RefusedError
from .flexml.reader import (
    MAX_BYTES,
    Positions,
    ReadNote,
    build_document,
    check_attribute_count,
    parse_xml,
    read_bytes,
)
from .flexml.refs import is_valid_name, slugify
from .flexml.writer import DECLARATION, escape_attr, write_node

if TYPE_CHECKING:
    from .flowtests.model import FlowTest
    from .flowtests.test_file import FlowTestReader
    from .switch_file import SwitchPlaces
    from .switches import Switch

FORMAT_VERSION = 1
ROOT_TAG = "flexml-project"
SUFFIX = ".flexproj"
MAX_PROJECT_BYTES = 4 * MAX_BYTES
MAX_FLOWS = 20_000  # flows and switches in one project: far beyond any phone menu
MAX_TESTS = 20_000  # tests in one project
_FORMAT_DIGITS = re.compile("[0-9]+")


class ProjectError(FlexmlError):
    """A project file that cannot be used."""


class NotAProjectError(ProjectError):
    """The file is XML, but neither a project nor a FlexML document."""


class NewerFormatError(ProjectError):
    """The project was saved by a newer FlexML Studio, in a format this one cannot read."""


class ProjectLike(Protocol):
    """What writing needs of a project: `Project` and `ProjectContents` both are one."""

    @property
    def entry(self) -> str | None: ...

    @property
    def settings(self) -> Mapping[str, str]: ...

    @property
    def names(self) -> list[str]: ...

    @property
    def switches(self) -> Mapping[str, Switch]: ...

    @property
    def tests(self) -> Mapping[str, FlowTest]: ...

    def flow(self, name: str) -> Document: ...


@dataclass
class ProjectContents:
    """What a project file holds: flows in order, the entry flow's name (None only when
    there are no flows), switches in order, tests in order, settings, what reading repaired
    or skipped, and the file read (None for FlexML files and bytes)."""

    flows: dict[str, Document] = field(default_factory=dict)
    entry: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[ReadNote] = field(default_factory=list)
    path: Path | None = None
    switches: dict[str, Switch] = field(default_factory=dict)
    tests: dict[str, FlowTest] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.flows)

    def flow(self, name: str) -> Document:
        return self.flows[name]

    def add(self, name: str, document: Document) -> None:
        """Add a flow; the first one is the entry until the file says otherwise."""
        self.flows[name] = document
        if self.entry is None:
            self.entry = name


# -- writing ---------------------------------------------------------------------------


def project_text(project: ProjectLike) -> str:
    """The project file's text (deterministic)."""
    out = [DECLARATION, "\n"]
    entry = f' entry="{escape_attr(project.entry)}"' if project.entry else ""
    out.append(f'<{ROOT_TAG} format="{FORMAT_VERSION}"{entry}>\n')
    for key, value in project.settings.items():
        out.append(f'  <setting name="{escape_attr(key)}" value="{escape_attr(value)}"/>\n')
    for name in project.names:
        out.append(f'  <flow name="{escape_attr(name)}">\n')
        write_node(project.flow(name).root, out, "    ")
        out.append("  </flow>\n")
    if project.switches:
        from .switch_file import write_switch  # only projects with switches need it

        for switch in project.switches.values():
            write_switch(switch, out)
    if project.tests:
        from .flowtests.test_file import write_test  # only projects with tests need it

        for test in project.tests.values():
            write_test(test, out)
    out.append(f"</{ROOT_TAG}>\n")
    return "".join(out)


def write_project(project: ProjectLike) -> bytes:
    """The project file's bytes (UTF-8, deterministic)."""
    return project_text(project).encode("utf-8")


def save_project(project: ProjectLike, path: str | os.PathLike[str]) -> Path:
    """Write the project file atomically, keeping the previous version as NAME.bak."""
    from .fileio import atomic_write  # only saving needs it: kept off the CLI's start-up

    target = Path(path)
    atomic_write(target, write_project(project), backup=True)
    return target


# -- reading ---------------------------------------------------------------------------


def is_project_file(data: bytes) -> bool:
    """A cheap guess from the first bytes, without parsing."""
    return f"<{ROOT_TAG}".encode() in data[:512]


def read_project(source: bytes | str | os.PathLike[str]) -> ProjectContents:
    """The contents of one project file, from its bytes or its path. Raises FlexmlError
    subclasses with messages for people (NotAProjectError for other XML)."""
    if isinstance(source, bytes):
        path, data = None, source
    else:
        path = Path(source)
        data = read_bytes(path, MAX_PROJECT_BYTES)
    root = parse_xml(data, MAX_PROJECT_BYTES)
    if root.tag != ROOT_TAG:
        what = path if path is not None else "the document"
        raise NotAProjectError(f"{what} is not a FlexML Studio project (its root is <{root.tag}>)")
    contents = _read_root(root, Positions(data, root))
    contents.path = path
    return contents


def read_files(paths: Sequence[str | os.PathLike[str]]) -> ProjectContents:
    """One project file, or one or more FlexML files (each a flow named after its stem, the
    first being the entry). Raises FlexmlError subclasses with messages for people."""
    if not paths:
        raise ValueError("give a project file or FlexML files")
    files = [Path(p) for p in paths]
    if len(files) == 1:
        return _read_one(files[0])
    if len(files) > MAX_FLOWS:
        raise RefusedError(_too_many(len(files), "files"))
    contents = ProjectContents()
    free_name = _NameTaker(contents)
    for path in files:
        data = read_bytes(path)  # its errors name the file already
        try:
            element = parse_xml(data)
        except (MalformedError, RefusedError) as exc:
            # Say which of the files it is (one file's caller names it itself).
            raise type(exc)(f"{path}: {exc.message}", line=exc.line, column=exc.column) from None
        if element.tag == ROOT_TAG:
            raise ProjectError(
                f"{path} is a project; open it on its own, not together with other files"
            )
        _refuse_project_name(path, element)
        contents.add(free_name(slugify(path.stem)), _flow(element, data))
    return contents


def _read_one(path: Path) -> ProjectContents:
    """A project file, or a FlexML file as a project of one flow."""
    data = read_bytes(path, MAX_PROJECT_BYTES)
    element = parse_xml(data, MAX_PROJECT_BYTES)
    if element.tag == ROOT_TAG:
        contents = _read_root(element, Positions(data, element))
        contents.path = path
        return contents
    _refuse_project_name(path, element)
    if len(data) > MAX_BYTES:
        parse_xml(data)  # raises the FlexML size refusal
    contents = ProjectContents()
    contents.add(slugify(path.stem), _flow(element, data))
    return contents


def _refuse_project_name(path: Path, element: etree._Element) -> None:
    if path.suffix.lower() == SUFFIX:
        raise NotAProjectError(
            f"{path} is not a FlexML Studio project (its root is <{element.tag}>)"
        )


def _flow(element: etree._Element, data: bytes) -> Document:
    # Any root becomes a flow: lint reports a wrong root, and nothing is lost.
    return build_document(element, Positions(data, element))


def _read_root(root: etree._Element, positions: Positions) -> ProjectContents:
    """The one walk over a project file: its elements in document order.

    `positions` numbers every element and comment in that order; whatever does not become
    a node (the wrappers, skipped elements) is passed over, so the flows' nodes get the
    places they have in the file."""
    _check_format(root)
    _check_size(root)
    contents = ProjectContents()
    free_name = _NameTaker(contents)
    places = None  # made at the first switch: a project without any never loads their code
    tests = None  # the same for tests
    positions.skip(root)
    for child in root.iterchildren():
        if not isinstance(child.tag, str):  # a comment or processing instruction
            positions.skip(child)
        elif child.tag == "flow":
            _read_flow(contents, child, positions, free_name)
        elif child.tag == "switch":
            from .switch_file import SwitchPlaces, SwitchReader

            for element in child.iter(tag=etree.Element):  # read with items(): see the reader
                check_attribute_count(element)
            places = places or SwitchPlaces(positions)
            SwitchReader(contents, places, free_name).read(child)
        elif child.tag == "test":
            tests, places = _read_test(contents, child, positions, tests, places)
        else:
            positions.skip_subtree(child)
            _read_other(contents, child)
    if places is not None:
        places.resolve(contents)
    if tests is not None:
        tests.resolve()
    entry = root.get("entry")
    if entry in contents.flows:
        contents.entry = entry
    elif entry is not None:
        contents.notes.append(
            _note(root, f"the entry flow {entry!r} does not exist; the first flow is used")
        )
    return contents


def _check_format(root: etree._Element) -> None:
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses; and no int() of
    # thousands of digits (Python refuses those too): a long number is simply newer.
    version = root.get("format")
    if version is None or _FORMAT_DIGITS.fullmatch(version) is None:
        shown = version if version is None or len(version) <= 20 else version[:20] + "..."
        raise ProjectError(
            f"the project file has no valid format version (format={shown!r})",
            line=root.sourceline,
        )
    significant = version.lstrip("0")
    if len(significant) > 6 or int(significant or "0") > FORMAT_VERSION:
        shown = version if len(version) <= 20 else f"{significant[:6]}... ({len(version)} digits)"
        raise NewerFormatError(
            f"this project was saved in format {shown} by a newer FlexML Studio; "
            f"this version reads format {FORMAT_VERSION}. Update FlexML Studio to open it.",
            line=root.sourceline,
        )


def _check_size(root: etree._Element) -> None:
    """Refuse a project of more than MAX_FLOWS flows and switches, or more than MAX_TESTS
    tests, before reading any."""
    count = sum(1 for _ in root.iterchildren("flow", "switch"))
    if count > MAX_FLOWS:
        raise RefusedError(_too_many(count, "flows and switches"), line=root.sourceline)
    tests = sum(1 for _ in root.iterchildren("test"))
    if tests > MAX_TESTS:
        raise RefusedError(_too_many(tests, "tests", MAX_TESTS), line=root.sourceline)


def _too_many(count: int, what: str, limit: int = MAX_FLOWS) -> str:
    return f"the project has {count:,} {what}; more than {limit:,} are refused"


def _read_test(
    contents: ProjectContents,
    element: etree._Element,
    positions: Positions,
    tests: FlowTestReader | None,
    places: SwitchPlaces | None,
) -> tuple[FlowTestReader, SwitchPlaces]:
    """A `<test>` (flowtests/test_file.py), read with the switches' numbering of places;
    returns the tests' reader and the places, made at the first test."""
    from .flowtests.test_file import FlowTestReader
    from .switch_file import SwitchPlaces

    for item in element.iter(tag=etree.Element):  # read with items(): see the reader
        check_attribute_count(item)
    places = places or SwitchPlaces(positions)
    tests = tests or FlowTestReader(contents, places)
    tests.read(element)
    return tests, places


class _NameTaker:
    """Hands out the names of a project being read: the name asked for when it is free,
    else NAME-2, NAME-3, ... (as refs.unique_name). The next number to try is kept per name
    (its first 58 characters, the part a suffix never cuts), so a file of 20,000 flows of
    one name loads in linear time, not quadratic."""

    def __init__(self, contents: ProjectContents) -> None:
        self._contents = contents
        self._next: dict[str, int] = {}

    def _taken(self, name: str) -> bool:
        return name in self._contents.flows or name in self._contents.switches

    def __call__(self, base: str) -> str:
        if not self._taken(base):
            return base
        key = base[:58]
        n = self._next.get(key, 2)
        while True:
            suffix = f"-{n}"
            candidate = base[: 64 - len(suffix)] + suffix
            n += 1
            if not self._taken(candidate):
                self._next[key] = n
                return candidate


def _read_other(contents: ProjectContents, element: etree._Element) -> None:
    """A `<setting>`, or an element this version does not know (skipped)."""
    if element.tag != "setting":
        contents.notes.append(_note(element, f"an unknown <{element.tag}> element was skipped"))
        return
    key, value = element.get("name"), element.get("value")
    if key is None or value is None:
        contents.notes.append(_note(element, "a <setting> without name or value was skipped"))
        return
    contents.settings[key] = value
    if len(element) or (element.text or "").strip():
        contents.notes.append(_note(element, f"the content of <setting name={key!r}> was ignored"))


def _read_flow(
    contents: ProjectContents,
    element: etree._Element,
    positions: Positions,
    free_name: _NameTaker,
) -> None:
    """A `<flow>`: its first element is the flow's document, read by the FlexML reader."""
    positions.skip(element)
    raw_name = element.get("name") or ""
    name = free_name(raw_name if is_valid_name(raw_name) else slugify(raw_name))
    if name != raw_name:
        contents.notes.append(
            _note(element, f"the flow named {raw_name!r} was renamed to {name!r}")
        )
    documents = 0
    for child in element.iterchildren():
        if not isinstance(child.tag, str):
            positions.skip(child)
            continue
        documents += 1
        if documents == 1:
            contents.add(name, build_document(child, positions))
        else:
            positions.skip_subtree(child)
    if not documents:
        contents.add(name, Document())
        contents.notes.append(_note(element, f"the flow {name!r} was empty"))
    elif documents > 1:
        contents.notes.append(
            _note(element, f"the flow {name!r} held more than one document; the first is kept")
        )


def _note(element: etree._Element, message: str) -> ReadNote:
    return ReadNote(element.sourceline, None, "project-repaired", message)
