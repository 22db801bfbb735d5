"""A project: named flows, which one is the entry, and project settings; loaded and saved.

The file is XML whose flows are literally the `<Response>` trees they export:

    <?xml version="1.0" encoding="UTF-8"?>
    <flexml-project format="1" entry="main">
      <setting name="export-base-url" value="https://example.com/app"/>
      <flow name="main">
        <Response>...</Response>
      </flow>
    </flexml-project>

Wherever a project is accepted, plain FlexML files are accepted too (see `load`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from lxml import etree

from .flexml import (
    Document,
    FlexmlError,
    MalformedError,
    Node,
    Problem,
    RefusedError,
    lint,
    to_text,
)
from .flexml.reader import MAX_BYTES, Positions, ReadNote, build_document, parse_xml, read_bytes
from .flexml.refs import is_valid_name, reference_target, slugify, unique_name
from .flexml.schema import URL_ATTRIBUTES, URL_TEXT
from .flexml.tree import Signal
from .flexml.writer import DECLARATION, escape_attr, write_node

FORMAT_VERSION = 1
ROOT_TAG = "flexml-project"
SUFFIX = ".flexproj"
MAX_PROJECT_BYTES = 4 * MAX_BYTES


class ProjectError(FlexmlError):
    """A project file that cannot be used."""


class NotAProjectError(ProjectError):
    """The file is XML, but neither a project nor a FlexML document."""


class NewerFormatError(ProjectError):
    """The project was saved by a newer FlexML Studio, in a format this one cannot read."""


class ProjectChangeKind(Enum):
    FLOW_ADDED = "flow-added"
    FLOW_REMOVED = "flow-removed"
    FLOW_RENAMED = "flow-renamed"
    ENTRY_CHANGED = "entry-changed"
    SETTING_CHANGED = "setting-changed"


@dataclass(frozen=True)
class ProjectChange:
    """One change to the project's structure (flows, entry, settings)."""

    kind: ProjectChangeKind
    name: str | None = None  # the flow (or setting) concerned
    index: int = -1  # the flow's position in the project
    new_name: str | None = None  # for renames
    old: str | None = None
    new: str | None = None
    document: Document | None = field(default=None, compare=False, repr=False)  # added/removed


class Project:
    """Named flows in order, the entry flow's name, and free-form settings."""

    def __init__(self) -> None:
        self._flows: dict[str, Document] = {}
        self.entry: str | None = None
        self.settings: dict[str, str] = {}
        self.notes: list[ReadNote] = []  # what loading skipped or repaired
        self._lint_cache: dict[str, tuple[tuple[int, int, frozenset[str]], list[Problem]]] = {}
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

    def lint(self) -> dict[str, list[Problem]]:
        """Problems of every flow, `flow:` references checked against this project.

        A flow unchanged since the last call (same revision, same flow names) is not linted
        again: the window asks after every gesture, which usually touches one flow."""
        names = frozenset(self._flows)
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
        return result

    def export(self, name: str, *, base_url: str | None = None, compact: bool = False) -> str:
        return to_text(self.flow(name).root, base_url=base_url, compact=compact)

    # -- changing ----------------------------------------------------------------------

    def _announce(self, change: ProjectChange, apply) -> None:
        self.about_to_change.emit(change)
        apply()
        self.changed.emit(change)

    def add_flow(self, name: str, document: Document, index: int | None = None) -> None:
        """Add a flow; the first flow added becomes the entry."""
        if not is_valid_name(name):
            raise ValueError(f"{name!r} is not a flow name: use lowercase letters, digits, - and _")
        if name in self._flows:
            raise ValueError(f"the project already has a flow named {name!r}")
        position = len(self._flows) if index is None else max(0, min(index, len(self._flows)))

        def apply() -> None:
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
        if not is_valid_name(new):
            raise ValueError(f"{new!r} is not a flow name: use lowercase letters, digits, - and _")
        if new in self._flows:
            raise ValueError(f"the project already has a flow named {new!r}")
        position = self.names.index(old)

        def apply() -> None:
            self._flows = {(new if k == old else k): v for k, v in self._flows.items()}
            if self.entry == old:  # the entry is renamed with it: one change, not two
                self.entry = new

        self._announce(
            ProjectChange(ProjectChangeKind.FLOW_RENAMED, old, position, new_name=new), apply
        )
        if update_references:
            for document in self._flows.values():
                rewrite_references(document, old, new)

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

    # -- writing -----------------------------------------------------------------------

    def to_text(self) -> str:
        """The project file's text (deterministic)."""
        out = [DECLARATION, "\n"]
        entry = f' entry="{_attr(self.entry)}"' if self.entry else ""
        out.append(f'<{ROOT_TAG} format="{FORMAT_VERSION}"{entry}>\n')
        for key, value in self.settings.items():
            out.append(f'  <setting name="{_attr(key)}" value="{_attr(value)}"/>\n')
        for name, document in self._flows.items():
            out.append(f'  <flow name="{_attr(name)}">\n')
            write_node(document.root, out, "    ")
            out.append("  </flow>\n")
        out.append(f"</{ROOT_TAG}>\n")
        return "".join(out)

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Save atomically, keeping the previous version as NAME.bak (see fileio)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the project has no file yet: give a path")
        from .fileio import atomic_write  # only saving needs it: kept off the CLI's start-up

        atomic_write(target, self.to_text().encode("utf-8"), backup=True)
        self.path = target
        return target


_attr = escape_attr


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


def is_project_file(data: bytes) -> bool:
    """A cheap guess from the first bytes, without parsing."""
    return f"<{ROOT_TAG}".encode() in data[:512]


def load(paths: Sequence[str | os.PathLike[str]]) -> Project:
    """One project file, or one or more FlexML files (each a flow named after its stem, the
    first being the entry). Raises FlexmlError subclasses with messages for people."""
    if not paths:
        raise ValueError("give a project file or FlexML files")
    paths = [Path(p) for p in paths]
    if len(paths) == 1:
        data = read_bytes(paths[0], MAX_PROJECT_BYTES)
        element = parse_xml(data, MAX_PROJECT_BYTES)
        if element.tag == ROOT_TAG:
            project = _project_from(element, Positions(data, element))
            project.path = paths[0]
            return project
        if _is_project_name(paths[0]):
            raise NotAProjectError(
                f"{paths[0]} is not a FlexML Studio project (its root is <{element.tag}>)"
            )
        if len(data) > MAX_BYTES:
            parse_xml(data)  # raises the FlexML size refusal
        project = Project()
        project.add_flow(slugify(paths[0].stem), _flow_from(element, data))
        return project
    project = Project()
    for path in paths:
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
        if _is_project_name(path):
            raise NotAProjectError(
                f"{path} is not a FlexML Studio project (its root is <{element.tag}>)"
            )
        name = unique_name(slugify(path.stem), set(project.names))
        project.add_flow(name, _flow_from(element, data))
    return project


def _is_project_name(path: Path) -> bool:
    return path.suffix.lower() == SUFFIX


def _flow_from(element: etree._Element, data: bytes) -> Document:
    # Any root becomes a flow: lint reports a wrong root, and nothing is lost.
    return build_document(element, Positions(data, element))


def _project_from(root: etree._Element, positions: Positions) -> Project:
    version = root.get("format")
    if version is None or not version.isdigit():
        raise ProjectError(
            f"the project file has no valid format version (format={version!r})",
            line=root.sourceline,
        )
    if int(version) > FORMAT_VERSION:
        raise NewerFormatError(
            f"this project was saved in format {version} by a newer FlexML Studio; "
            f"this version reads format {FORMAT_VERSION}. Update FlexML Studio to open it.",
            line=root.sourceline,
        )
    project = Project()
    positions.skip(root)
    for child in root.iterchildren():
        if not isinstance(child.tag, str):
            positions.skip(child)
            continue
        if child.tag == "setting":
            _skip_subtree(child, positions)
            key, value = child.get("name"), child.get("value")
            if key is None or value is None:
                project.notes.append(_note(child, "a <setting> without name or value was skipped"))
            else:
                project.settings[key] = value
                if len(child) or (child.text or "").strip():
                    project.notes.append(
                        _note(child, f"the content of <setting name={key!r}> was ignored")
                    )
        elif child.tag == "flow":
            _load_flow(project, child, positions)
        else:
            _skip_subtree(child, positions)
            project.notes.append(_note(child, f"an unknown <{child.tag}> element was skipped"))
    entry = root.get("entry")
    if entry in project:
        project.entry = entry
    elif entry is not None:
        project.notes.append(
            _note(root, f"the entry flow {entry!r} does not exist; the first flow is used")
        )
    return project


def _load_flow(project: Project, element: etree._Element, positions: Positions) -> None:
    positions.skip(element)
    raw_name = element.get("name") or ""
    name = raw_name if is_valid_name(raw_name) else slugify(raw_name)
    name = unique_name(name, set(project.names))
    if name != raw_name:
        project.notes.append(_note(element, f"the flow named {raw_name!r} was renamed to {name!r}"))
    responses = [c for c in element.iterchildren() if isinstance(c.tag, str)]
    for child in element.iterchildren():
        if not isinstance(child.tag, str):
            positions.skip(child)
        elif child is not responses[0]:
            _skip_subtree(child, positions)
        else:
            project.add_flow(name, build_document(child, positions))
    if not responses:
        project.add_flow(name, Document())
        project.notes.append(_note(element, f"the flow {name!r} was empty"))
    elif len(responses) > 1:
        project.notes.append(
            _note(element, f"the flow {name!r} held more than one document; the first is kept")
        )


def _skip_subtree(element: etree._Element, positions: Positions) -> None:
    for item in element.iter():
        positions.skip(item)


def _note(element: etree._Element, message: str) -> ReadNote:
    return ReadNote(element.sourceline, None, "project-repaired", message)
