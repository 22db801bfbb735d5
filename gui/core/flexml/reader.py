"""XML in: a safe, forgiving FlexML reader built on lxml.

Safe: a document with a DOCTYPE is refused before lxml sees it (in UTF-8, UTF-16 or UTF-32,
and again after, for encodings the scan cannot read); entities are never resolved, no DTD is
loaded, a resolver refuses every external file or URL libxml2 asks for (so nothing is read or
fetched because of what a document says), and XInclude is never processed. Files over 5 MiB,
nesting deeper than 64 levels and elements of more than 100 attributes are refused with a
message; so is anything but a regular file (a named pipe would block the reader for ever).

Forgiving: element and attribute names in any letter case are normalised to the documented
spelling (the original is kept on the node so lint can mention it); unknown elements and
attributes are kept; every node keeps its source line and column.
"""

from __future__ import annotations

import bisect
import gc
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..input_files import NotAFileError, open_regular
from .errors import MalformedError, RefusedError, UnreadableError
from .schema import ATTRIBUTE_BY_LOWER, ELEMENT_BY_LOWER
from .tree import COMMENT, Document, Node

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ATTRIBUTES = 100  # on one element; the FlexML element with the most (Play) has 28

_BOM = b"\xef\xbb\xbf"
# Byte order marks, and the first bytes of "<?" in UTF-16/32 without one (XML 1.0 appendix F).
_UNICODE_STARTS = (
    (b"\xff\xfe\x00\x00", 4, "utf-32-le"),
    (b"\x00\x00\xfe\xff", 4, "utf-32-be"),
    (_BOM, 3, "utf-8"),
    (b"\xff\xfe", 2, "utf-16-le"),
    (b"\xfe\xff", 2, "utf-16-be"),
    (b"<\x00\x00\x00", 0, "utf-32-le"),
    (b"\x00\x00\x00<", 0, "utf-32-be"),
    (b"<\x00?\x00", 0, "utf-16-le"),
    (b"\x00<\x00?", 0, "utf-16-be"),
)
# Anything that may stand before a DOCTYPE: white space, the XML declaration, PIs, comments.
# The repetition is possessive: backtracking into it (a run of spaces split every possible
# way, or a PI stretched over the next one) would take exponential time on hostile input.
_PROLOG_DOCTYPE = r"\A(?:\s+|<\?.*?\?>|<!--.*?-->)*+<!DOCTYPE"
_DOCTYPE_IN_PROLOG = re.compile(_PROLOG_DOCTYPE.encode(), re.S)
_DOCTYPE_IN_PROLOG_TEXT = re.compile(_PROLOG_DOCTYPE, re.S)
# Start tags and comments in document order. Comments, CDATA sections and PIs are matched
# whole, so a "<" inside them is not taken for a tag, and each is scanned once.
_MARKUP = re.compile(r"(<!--).*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<([^/!?\s])", re.S)
# XML's white space (the S production); other Unicode spaces are content.
_XML_SPACE = " \t\r\n"


@dataclass(frozen=True)
class ReadNote:
    """Something the reader changed or dropped that the tree cannot show (a warning)."""

    line: int | None
    column: int | None
    code: str
    message: str


class _ExternalRefused(Exception):
    """libxml2 asked for an external file or URL (a DTD or an external entity)."""


class _RefuseExternal(etree.Resolver):
    """Refuses everything: libxml2 loads an external DTD or parameter entity named in a
    DOCTYPE even with load_dtd=False (seen with libxml2 2.14), and would block on a pipe."""

    def resolve(self, system_url, public_id, context):
        raise _ExternalRefused(system_url)


_REFUSE_EXTERNAL = _RefuseExternal()


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
        remove_blank_text=False,
        strip_cdata=True,
    )
    parser.resolvers.add(_REFUSE_EXTERNAL)
    return parser


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a file, refusing it unread when it is larger than `max_bytes` or is
    not a regular file (a named pipe would block for ever, a device might never end)."""
    path = Path(path)
    try:
        with open_regular(path) as handle:  # a named pipe or a device is never read
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise RefusedError(_too_large(size, max_bytes))
            data = handle.read(max_bytes + 1)
    except NotAFileError as exc:
        raise UnreadableError(str(exc)) from None
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
    if _has_doctype(data):
        raise RefusedError(_DOCTYPE_MESSAGE)
    body = data[3:] if data.startswith(_BOM) else data
    if not body or body.isspace():  # (strip() would copy a big file to find out)
        raise MalformedError("the file is empty", line=1, column=1)
    try:
        element = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except _ExternalRefused:
        raise RefusedError(_DOCTYPE_MESSAGE) from None
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise MalformedError(f"not an XML document: {exc}") from None
    if element.getroottree().docinfo.doctype:
        raise RefusedError(_DOCTYPE_MESSAGE)
    return element


def _unicode_codec(data: bytes) -> tuple[str, int] | None:
    """(codec, length of the byte order mark) when `data` starts like Unicode XML."""
    for start, bom_length, codec in _UNICODE_STARTS:
        if data.startswith(start):
            return codec, bom_length
    return None


def _has_doctype(data: bytes) -> bool:
    """Whether a DOCTYPE follows the prolog (UTF-16/32 are decoded first)."""
    found = _unicode_codec(data)
    if found is None or found[0] == "utf-8":
        body = data[3:] if data.startswith(_BOM) else data
        return _DOCTYPE_IN_PROLOG.match(body) is not None
    codec, bom_length = found
    text = data[bom_length:].decode(codec, "replace")
    return _DOCTYPE_IN_PROLOG_TEXT.match(text) is not None


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
    """Where each node read from one source stood: line and column of its start tag.

    The builder numbers elements and comments in document order as it goes; the source is
    scanned only when a position is first asked for (a clean file opened in the window, or
    exported, never pays for it). Columns count characters, not bytes, so the document is
    decoded first (with the encoding lxml used); when that fails the builder stores lxml's
    line and no column instead. Lines end at LF, CR LF or a lone CR, as XML has it.
    """

    def __init__(self, data: bytes, root: etree._Element) -> None:
        self._data = data
        found = _unicode_codec(data)
        if found is not None:
            self._codec, self._bom = found
        else:
            self._codec, self._bom = root.getroottree().docinfo.encoding or "utf-8", 0
        try:
            "".encode(self._codec)
            self.lazy = True
        except LookupError:
            self.lazy = False
        self.next_element = 0  # numbers handed out so far, wrappers included
        self.next_comment = 0
        self._elements: list[int] | None = None
        self._comments: list[int] = []
        self._newlines: list[int] = []

    def skip(self, element: etree._Element) -> None:
        """Pass over an element (not its children) or comment that becomes no node."""
        if isinstance(element.tag, str):
            self.next_element += 1
        elif element.tag is etree.Comment:
            self.next_comment += 1

    def skip_subtree(self, element: etree._Element) -> None:
        """Pass over an element and everything in it (a part of a file that is not FlexML)."""
        for item in element.iter():
            self.skip(item)

    def _scan(self) -> None:
        elements: list[int] = []
        comments: list[int] = []
        try:
            text = self._data[self._bom :].decode(self._codec)
        except (LookupError, UnicodeDecodeError):
            text = ""
        if "\r" in text:  # XML's end-of-line handling: CR LF and a lone CR are line breaks
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        for match in _MARKUP.finditer(text):
            if match.group(2):
                elements.append(match.start())
            elif match.group(1):
                comments.append(match.start())
        if len(elements) != self.next_element:  # cannot happen for text lxml parsed
            elements, comments = [], []
        elif elements:
            comments = [offset for offset in comments if offset > elements[0]]
        self._elements, self._comments = elements, comments
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._data = b""  # the scan is done: do not keep the bytes alive

    def position(self, comment: bool, ordinal: int) -> tuple[int | None, int | None]:
        if self._elements is None:
            self._scan()
        offsets = self._comments if comment else self._elements
        assert offsets is not None
        if ordinal >= len(offsets):
            return None, None
        offset = offsets[ordinal]
        line = bisect.bisect_left(self._newlines, offset)  # newlines before it
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


def build_document(element: etree._Element, positions: Positions | None = None) -> Document:
    """Turn a parsed `<Response>` element into a Document (for flow files and projects)."""
    notes: list[ReadNote] = []
    # The build makes a node per element (and a list for one with children) and frees
    # none: the cyclic garbage collector, run every few hundred new containers, would walk
    # the growing tree again and again (a quarter of the build at 50,000 verbs). It walks
    # the new tree once, the next time it runs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        lazy = positions if positions is not None and positions.lazy else None
        root = _build(element, lazy, notes, 1, None)
    finally:
        if collecting:
            gc.enable()
    document = Document(root)
    document.notes = notes
    return document


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


_new_node = Node.__new__
_Comment = etree.Comment
_KNOWN_ELEMENTS = frozenset(ELEMENT_BY_LOWER.values())
_KNOWN_ATTRIBUTES = {tag: frozenset(names.values()) for tag, names in ATTRIBUTE_BY_LOWER.items()}


def _build(
    element: etree._Element,
    positions: Positions | None,
    notes: list[ReadNote],
    depth: int,
    parent: Node | None,
) -> Node:
    # The hot path of opening a file: one call per element, kept lean on purpose.
    # `positions` is None when they are not worked out lazily: each node then keeps
    # lxml's line.
    if depth > MAX_DEPTH:
        raise RefusedError(
            f"elements are nested deeper than {MAX_DEPTH} levels; refused",
            line=element.sourceline,
        )
    raw_tag = element.tag
    node = _new_node(Node)
    node.parent = parent
    if raw_tag in _KNOWN_ELEMENTS:
        tag = raw_tag
        node.spelling = None
    else:
        local = _local(raw_tag)
        tag = ELEMENT_BY_LOWER.get(local.lower(), local)
        node.spelling = {"": raw_tag} if tag != raw_tag else None
    node.tag = tag
    node._column = None
    if positions is not None:
        node._line = None
        node._source = positions
        node._ordinal = positions.next_element
        positions.next_element += 1
    else:
        node._source = None
        node._line = element.sourceline
    if len(element.attrib) > MAX_ATTRIBUTES:  # check_attribute_count, inline
        raise RefusedError(_too_many_attributes(element), line=element.sourceline)
    items = element.items()
    if items:
        # dict() of a list of pairs is slow next to a display: most elements have one or two
        if len(items) == 1:
            ((name, value),) = items
            attrs = {name: value}
        elif len(items) == 2:
            (name, value), (name2, value2) = items
            attrs = {name: value, name2: value2}
        else:
            attrs = dict(items)
        node.attrs = attrs
        known = _KNOWN_ATTRIBUTES.get(tag)
        if known is None or not known.issuperset(attrs):
            attrs.clear()
            _attributes(node, items, element, notes)
    else:
        node.attrs = {}
    node._positions = node._ordinals = None
    text = element.text
    if not len(element):
        # A leaf shares the empty tuple (the tree makes it a list on the first insert):
        # one container less per leaf for the allocator and for the garbage collector,
        # which walks every container of a new tree once it is built.
        node._children = ()
        node.text = (text.strip(_XML_SPACE) or None) if text else None
        return node
    node._children = children = []
    pieces = [text] if text else []
    for child in element:
        tail = child.tail
        if tail:
            pieces.append(tail)
        child_tag = child.tag
        if child_tag.__class__ is str:
            children.append(_build(child, positions, notes, depth + 1, node))
        elif child_tag is _Comment:
            children.append(_comment(child, positions, node))
        else:  # a processing instruction (entities never get here)
            notes.append(_dropped_instruction(child))
    node.text = "".join(pieces).strip(_XML_SPACE) or None if pieces else None
    return node


def _dropped_instruction(element: etree._Element) -> ReadNote:
    return ReadNote(
        element.sourceline,
        None,
        "dropped-markup",
        f"the processing instruction <?{getattr(element, 'target', '')}?> was "
        "dropped: FlexML has no use for it",
    )


def _comment(element: etree._Element, positions: Positions | None, parent: Node) -> Node:
    sub = Node._raw(COMMENT, {}, element.text or None)
    sub.parent = parent
    if positions is not None:
        sub._source = positions
        sub._ordinal = positions.next_comment
        positions.next_comment += 1
    else:
        sub._line = element.sourceline
    return sub


def check_attribute_count(element: etree._Element) -> None:
    """Refuse an element of more than MAX_ATTRIBUTES attributes, before anything reads
    them: lxml's items() looks each value up by name, so 50,000 attributes took seconds."""
    if len(element.attrib) > MAX_ATTRIBUTES:
        raise RefusedError(_too_many_attributes(element), line=element.sourceline)


def _too_many_attributes(element: etree._Element) -> str:
    count = len(element.attrib)
    return (
        f"<{_local(element.tag)}> has {count:,} attributes; "
        f"more than {MAX_ATTRIBUTES} on one element are refused"
    )


def _attributes(
    node: Node, raw_items: list[tuple[str, str]], element: etree._Element, notes: list[ReadNote]
) -> None:
    """Copy the attributes of `element` to `node`, each under its documented spelling.

    Two attributes can come to the same name (voice="a" VOICE="b", or lang and xml:lang).
    One written exactly so keeps it; another keeps its own spelling (without a namespace)
    if that is still free, else it is dropped with a note: nothing is lost silently, and no
    name is written that is not an XML name.
    """
    known = ATTRIBUTE_BY_LOWER.get(node.tag)
    items = []
    for raw_name, value in raw_items:
        local = _local(raw_name)
        name = known.get(local.lower(), local) if known else local
        items.append((raw_name, local, name, value))
    exact = {raw_name for raw_name, _, name, _ in items if raw_name == name}
    attrs = node.attrs
    spelling = node.spelling
    for raw_name, local, name, value in items:
        if name in attrs or (name in exact and raw_name != name):
            if local in attrs or local in exact:
                notes.append(
                    ReadNote(
                        # Not node.line: positions are worked out after the build.
                        element.sourceline,
                        None,
                        "dropped-markup",
                        f"the attribute {_qualified(element, raw_name)} of <{node.tag}> was "
                        f"dropped: it repeats {name}",
                    )
                )
                continue
            name = local
        if name != raw_name:
            if spelling is None:
                spelling = node.spelling = {}
            spelling[name] = raw_name
        attrs[name] = value


def _qualified(element: etree._Element, raw_name: str) -> str:
    """An attribute name as written (prefix:local), from lxml's {namespace}local."""
    if not raw_name.startswith("{"):
        return raw_name
    namespace, _, local = raw_name[1:].partition("}")
    if namespace == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{local}"
    for prefix, uri in element.nsmap.items():
        if uri == namespace and prefix:
            return f"{prefix}:{local}"
    return raw_name
