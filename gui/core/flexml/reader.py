"""XML in: a safe, forgiving FlexML reader built on lxml.

Safe: a document with a DOCTYPE is refused before lxml sees it (and again after, for
encodings the byte scan cannot read); entities are never resolved, no DTD is loaded, nothing
is fetched over the network and XInclude is never processed. Files over 5 MiB and nesting
deeper than 64 levels are refused with a message.

Forgiving: element and attribute names in any letter case are normalised to the documented
spelling (the original is kept on the node so lint can mention it); unknown elements and
attributes are kept; every node keeps its source line and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import MalformedError, RefusedError, UnreadableError
from .schema import ATTRIBUTE_BY_LOWER, ELEMENT_BY_LOWER
from .tree import COMMENT, Document, Node

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64

_BOM = b"\xef\xbb\xbf"
# Anything that may stand before a DOCTYPE: white space, the XML declaration, PIs, comments.
_DOCTYPE_IN_PROLOG = re.compile(rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.S)
# Start tags and comments in document order; CDATA sections and PIs are skipped so that
# a "<" inside them is not taken for a tag.
_MARKUP = re.compile(rb"<!\[CDATA\[.*?\]\]>|<\?.*?\?>|(<!--)|<([^/!?\s])", re.S)


@dataclass(frozen=True)
class ReadNote:
    """Something the reader changed or dropped that the tree cannot show (a warning)."""

    line: int | None
    column: int | None
    code: str
    message: str


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
        remove_blank_text=False,
        strip_cdata=True,
    )


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a file, refusing it unread when it is larger than `max_bytes`."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise RefusedError(_too_large(size, max_bytes))
            data = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise UnreadableError(f"{path} is a folder, not a file") from None
    except FileNotFoundError:
        raise UnreadableError(f"{path} does not exist") from None
    except PermissionError:
        raise UnreadableError(f"no permission to read {path}") from None
    except OSError as exc:
        raise UnreadableError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew while we read it
        raise RefusedError(_too_large(len(data), max_bytes))
    return data


def read_file(path: str | os.PathLike[str]) -> Document:
    """Read and parse a FlexML file; see `parse` for what is refused."""
    return parse(read_bytes(path))


def _too_large(size: int, limit: int) -> str:
    return f"the file is {size / 1048576:.1f} MiB; files over {limit // 1048576} MiB are refused"


def parse(data: bytes) -> Document:
    """Parse FlexML bytes into a Document, or raise RefusedError / MalformedError."""
    element = parse_xml(data)
    return build_document(element, Positions(data, element))


def parse_xml(data: bytes, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse bytes with every safety rule applied; the root element, or a typed error."""
    if len(data) > max_bytes:
        raise RefusedError(_too_large(len(data), max_bytes))
    body = data[3:] if data.startswith(_BOM) else data
    if _DOCTYPE_IN_PROLOG.match(body):
        raise RefusedError(_DOCTYPE_MESSAGE)
    if not body.strip():
        raise MalformedError("the file is empty", line=1, column=1)
    try:
        element = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise MalformedError(f"not an XML document: {exc}") from None
    if element.getroottree().docinfo.doctype:
        raise RefusedError(_DOCTYPE_MESSAGE)
    return element


_DOCTYPE_MESSAGE = (
    "the document has a DOCTYPE (a DTD or entity declarations); FlexML never needs one, "
    "and it is refused for safety"
)


def _syntax_error(exc: etree.XMLSyntaxError) -> Exception:
    line, column = exc.position if exc.position else (None, None)
    text = (exc.msg or str(exc)).strip()
    if "Excessive depth" in text or ("depth" in text.lower() and "nest" in text.lower()):
        return RefusedError(
            f"elements are nested deeper than {MAX_DEPTH} levels; refused", line=line
        )
    text = re.sub(r",? line \d+, column \d+$", "", text)
    return MalformedError(f"not well-formed XML: {text}", line=line, column=column)


class Positions:
    """Maps nodes, in document order, to the line and column of their start tag."""

    def __init__(self, data: bytes, root: etree._Element) -> None:
        self.data = data
        self.elements: list[int] = []
        self.comments: list[int] = []
        for match in _MARKUP.finditer(data):
            if match.group(2):
                self.elements.append(match.start())
            elif match.group(1):
                self.comments.append(match.start())
        if self.elements:
            first = self.elements[0]
            self.comments = [offset for offset in self.comments if offset > first]
        self.usable = len(self.elements) == _count_elements(root)
        self._next_element = 0
        self._next_comment = 0
        self._last_offset = 0
        self._last_line = 1

    def skip(self, element: etree._Element) -> None:
        """Pass over an element (not its children) or comment that becomes no node."""
        if not self.usable:
            return
        if isinstance(element.tag, str):
            self._next_element += 1
        elif element.tag is etree.Comment:
            self._next_comment += 1

    def place(self, node: Node, element: etree._Element) -> None:
        if not self.usable:
            node.line = element.sourceline
            return
        if node.is_comment:
            if self._next_comment >= len(self.comments):
                node.line = element.sourceline
                return
            offset = self.comments[self._next_comment]
            self._next_comment += 1
        else:
            offset = self.elements[self._next_element]
            self._next_element += 1
        data = self.data
        if offset >= self._last_offset:
            line = self._last_line + data.count(b"\n", self._last_offset, offset)
            self._last_offset, self._last_line = offset, line
        else:  # comments and elements interleave: count from the start
            line = 1 + data.count(b"\n", 0, offset)
        line_start = data.rfind(b"\n", 0, offset) + 1
        prefix = data[line_start:offset]
        node.line = line
        node.column = 1 + (
            len(prefix) if prefix.isascii() else len(prefix.decode("utf-8", "replace"))
        )


def _count_elements(root: etree._Element) -> int:
    return sum(1 for _ in root.iter(tag=etree.Element))


def build_document(element: etree._Element, positions: Positions | None = None) -> Document:
    """Turn a parsed `<Response>` element into a Document (for flow files and projects)."""
    notes: list[ReadNote] = []
    root = _build(element, positions, notes, 1)
    document = Document(root)
    document.notes = notes
    return document


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def _build(
    element: etree._Element, positions: Positions | None, notes: list[ReadNote], depth: int
) -> Node:
    if depth > MAX_DEPTH:
        raise RefusedError(
            f"elements are nested deeper than {MAX_DEPTH} levels; refused",
            line=element.sourceline,
        )
    raw_tag = element.tag
    local = _local(raw_tag)
    tag = ELEMENT_BY_LOWER.get(local.lower(), local)
    attrs: dict[str, str] = {}
    spelling: dict[str, str] | None = None
    if tag != raw_tag:
        spelling = {"": raw_tag}
    if element.attrib:
        known = ATTRIBUTE_BY_LOWER.get(tag)
        for raw_name, value in element.attrib.items():
            name = _local(raw_name)
            if known:
                name = known.get(name.lower(), name)
            if name in attrs:  # two spellings of one attribute: keep both, flag the second
                name = raw_name
            if name != raw_name:
                if spelling is None:
                    spelling = {}
                spelling[name] = raw_name
            attrs[name] = value
    pieces = [element.text] if element.text else []
    node = Node._raw(tag, attrs, None)
    node.spelling = spelling
    if positions is not None:
        positions.place(node, element)
    else:
        node.line = element.sourceline
    children = node._children
    for child in element.iterchildren():
        if child.tail:
            pieces.append(child.tail)
        child_tag = child.tag
        if isinstance(child_tag, str):
            sub = _build(child, positions, notes, depth + 1)
        elif child_tag is etree.Comment:
            sub = Node._raw(COMMENT, {}, child.text or None)
            if positions is not None:
                positions.place(sub, child)
            else:
                sub.line = child.sourceline
        else:  # a processing instruction (entities never get here)
            notes.append(
                ReadNote(
                    child.sourceline,
                    None,
                    "dropped-markup",
                    f"the processing instruction <?{getattr(child, 'target', '')}?> was "
                    "dropped: FlexML has no use for it",
                )
            )
            continue
        sub.parent = node
        children.append(sub)
    if pieces:
        text = "".join(pieces).strip()
        node.text = text or None
    return node
