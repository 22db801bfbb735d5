"""The flow tree: nodes for verbs and nouns, and a document that announces every change.

A `Document` owns one `<Response>` tree. All mutations go through the document's methods
(insert, remove, move, set_attribute, set_text) so that each one is announced twice, on
`about_to_change` before and on `changed` after, with the parent and indexes an item-model
adapter needs for its begin/end row signals (napari's evented list is the model for this).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Generic, Protocol, TypeVar

COMMENT = "#comment"

# XML 1.0 forbids these characters anywhere in a document.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_xml_text(value: str, what: str = "text") -> str:
    """Return `value` if it may appear in an XML document, else raise ValueError."""
    bad = _INVALID_XML_CHARS.search(value)
    if bad:
        raise ValueError(
            f"{what} contains the character U+{ord(bad.group()):04X}, which XML cannot hold"
        )
    return value


def check_comment_text(value: str) -> str:
    """Return `value` if it can stand inside <!-- --> and read back the same, else raise
    ValueError (a carriage return cannot be escaped there: it would read back as \\n)."""
    if "--" in value or value.endswith("-") or "\r" in value:
        raise ValueError("a comment cannot contain -- or a carriage return, or end with -")
    return value


# An XML Name without a colon (FlexML uses no namespaces).
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_XML_NAME_PATTERN = f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*\\Z"
_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


@functools.cache
def _xml_name() -> re.Pattern[str]:
    # Compiling the full Unicode classes takes ~10 ms: done only when a name needs it.
    return re.compile(_XML_NAME_PATTERN)


def check_name(name: str, what: str = "name") -> str:
    """Return `name` if it is an XML name (so it cannot break the markup), else raise."""
    if _SIMPLE_NAME.match(name) is None and _xml_name().match(name) is None:
        raise ValueError(f"{name!r} is not a valid XML {what}")
    return name


class SourcePositions(Protocol):
    """Where the nodes read from one source stood in it, worked out when first asked."""

    def position(self, comment: bool, ordinal: int) -> tuple[int | None, int | None]:
        """(line, column) of the `ordinal`-th element (or comment) in document order."""


class Node:
    """One element of a flow (a verb or noun), or a comment when `tag` is COMMENT."""

    __slots__ = (
        "_children",
        "_column",
        "_line",
        "_ordinal",
        "_ordinals",
        "_positions",
        "_source",
        "attrs",
        "parent",
        "spelling",
        "tag",
        "text",
    )

    def __init__(
        self,
        tag: str,
        attrs: dict[str, str] | None = None,
        text: str | None = None,
        children: list[Node] | None = None,
    ) -> None:
        if tag != COMMENT:
            check_name(tag, "element name")
        for name, value in (attrs or {}).items():
            check_name(name, "attribute name")
            check_xml_text(value, f"attribute {name}")
        if text is not None:
            check_xml_text(text)
            if tag == COMMENT:
                check_comment_text(text)
        self.tag = tag
        self.attrs: dict[str, str] = dict(attrs or {})
        self.text = text or None
        self.parent: Node | None = None
        # A list, or the empty tuple for a leaf read from a file (see _own_children).
        self._children: list[Node] | tuple[Node, ...] = []
        self._positions: dict[int, int] | None = None
        self._ordinals: dict[int, int] | None = None
        self._line: int | None = None
        self._column: int | None = None
        self._source: SourcePositions | None = None
        self._ordinal = 0
        # Original spellings that import normalised: "" for the tag, else attribute name.
        self.spelling: dict[str, str] | None = None
        for child in children or ():
            child.parent = self
            self._children.append(child)

    @classmethod
    def _raw(cls, tag: str, attrs: dict[str, str], text: str | None) -> Node:
        """Fast constructor for the parser, whose values XML already guarantees valid."""
        node = cls.__new__(cls)
        node.tag = tag
        node.attrs = attrs
        node.text = text
        node.parent = None
        node._children = []
        node._positions = node._ordinals = None
        node._line = node._column = None
        node._source = None
        node.spelling = None
        return node

    # -- where the node stood in the source: worked out on first use -------------------------

    def _resolve(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            self._line, self._column = source.position(self.tag == COMMENT, self._ordinal)

    @property
    def line(self) -> int | None:
        """The line of the node's start tag in the source it was read from, or None."""
        if self._source is not None:
            self._resolve()
        return self._line

    @line.setter
    def line(self, value: int | None) -> None:
        self._resolve()
        self._line = value

    @property
    def column(self) -> int | None:
        """The column (in characters, from 1) of the node's start tag, or None."""
        if self._source is not None:
            self._resolve()
        return self._column

    @column.setter
    def column(self, value: int | None) -> None:
        self._resolve()
        self._column = value

    @property
    def children(self) -> tuple[Node, ...]:
        """The child nodes, read-only: change them through the Document."""
        return tuple(self._children)

    @property
    def is_comment(self) -> bool:
        return self.tag == COMMENT

    def child_count(self) -> int:
        return len(self._children)

    def child(self, index: int) -> Node:
        return self._children[index]

    def index(self) -> int:
        """This node's position in its parent (0 for the root).

        O(1) between changes: a parent numbers its children once, on the first question
        after a change (item models ask for every visible row's parent on every change)."""
        parent = self.parent
        if parent is None:
            return 0
        positions = parent._positions
        if positions is None:
            positions = parent._positions = {id(c): i for i, c in enumerate(parent._children)}
        return positions[id(self)]

    def iter(self) -> Iterator[Node]:
        """This node and all below it, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node._children))

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def is_ancestor_of(self, other: Node) -> bool:
        return any(a is self for a in other.ancestors())

    def path(self) -> str:
        """An XPath-like address: /Response/Gather[1]/Say[2] (1-based among same tags)."""
        parts = [_label(self)]
        parts.extend(_label(a) for a in self.ancestors())
        return "/" + "/".join(reversed(parts))

    def copy(self) -> Node:
        """A deep copy without a parent (positions from the source are kept)."""
        clone = Node._raw(self.tag, dict(self.attrs), self.text)
        clone.line, clone.column = self.line, self.column
        clone.spelling = dict(self.spelling) if self.spelling else None
        for child in self._children:
            sub = child.copy()
            sub.parent = clone
            clone._children.append(sub)
        return clone

    def same_as(self, other: Node) -> bool:
        """Structural equality: tag, attributes (in order), text and children."""
        if (
            self.tag != other.tag
            or self.text != other.text
            or list(self.attrs.items()) != list(other.attrs.items())
            or len(self._children) != len(other._children)
        ):
            return False
        return all(a.same_as(b) for a, b in zip(self._children, other._children, strict=True))

    def __repr__(self) -> str:
        return f"<Node {self.tag} attrs={self.attrs!r} children={len(self._children)}>"


def _own_children(node: Node) -> list[Node]:
    """The node's list of children, to change: a leaf read from a file shares the empty
    tuple instead of owning an empty list (see reader._build)."""
    children = node._children
    if children.__class__ is not list:
        children = node._children = list(children)
    return children


def node_paths(nodes: list[Node]) -> list[str]:
    """`Node.path()` of many nodes at once (the paths of every problem lint found)."""
    return [node.path() for node in nodes]


def _label(node: Node) -> str:
    """One step of a path: the tag and the node's number among its parent's children of
    that tag (from 1). A parent numbers its children once, on the first question after a
    change (as for `index`), so a path costs its depth, not the number of siblings: the
    events of a simulated 20,000-verb flow each carry one."""
    parent = node.parent
    if parent is None:
        return node.tag
    table = parent._ordinals
    if table is None:
        counts: dict[str, int] = {}
        table = {}
        for child in parent._children:
            table[id(child)] = counts[child.tag] = counts.get(child.tag, 0) + 1
        parent._ordinals = table
    name = "comment()" if node.tag == COMMENT else node.tag
    return f"{name}[{table[id(node)]}]"


class ChangeKind(Enum):
    INSERT = "insert"
    REMOVE = "remove"
    MOVE = "move"
    ATTRIBUTE = "attribute"
    TEXT = "text"


@dataclass(frozen=True)
class Change:
    """One mutation, announced before (`about_to_change`) and after (`changed`) it happens.

    INSERT/REMOVE: `parent`, `index`, `node`. MOVE: from (`parent`, `index`) to
    (`dest_parent`, `dest_index`), where `dest_index` is the node's index in `dest_parent`
    after the move. ATTRIBUTE: `node`, `name`, `old`, `new` (None = absent). TEXT: `node`,
    `old`, `new`.
    """

    kind: ChangeKind
    node: Node
    parent: Node | None = None
    index: int = -1
    dest_parent: Node | None = None
    dest_index: int = -1
    name: str | None = None
    old: str | None = None
    new: str | None = None


T = TypeVar("T")


class Signal(Generic[T]):
    """A minimal synchronous event: listeners are called in the order they connected."""

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: list[Callable[[T], None]] = []

    def connect(self, listener: Callable[[T], None]) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Callable[[T], None]) -> None:
        self._listeners.remove(listener)

    def emit(self, change: T) -> None:
        for listener in list(self._listeners):
            listener(change)


class Document:
    """A flow's `<Response>` tree with a mutation API that announces every change."""

    def __init__(self, root: Node | None = None) -> None:
        self.root = root if root is not None else Node("Response")
        self.about_to_change: Signal[Change] = Signal()
        self.changed: Signal[Change] = Signal()
        self.revision = 0  # counts changes: what was worked out at one revision still holds
        # What the reader changed or dropped while importing (reader.ReadNote), for lint.
        self.notes: list = []

    def _announce(self, change: Change, apply: Callable[[], None]) -> None:
        self.about_to_change.emit(change)
        apply()
        self.revision += 1
        self.changed.emit(change)

    def _owned(self, node: Node) -> None:
        if node is not self.root and not self.root.is_ancestor_of(node):
            raise ValueError(f"{node.tag} is not part of this flow")

    def insert(self, parent: Node, index: int, node: Node) -> None:
        """Insert a detached `node` at `index` (0..len) among `parent`'s children."""
        self._owned(parent)
        if node.parent is not None:
            raise ValueError("the node already has a parent; remove or copy it first")
        if node is parent or node.is_ancestor_of(parent):
            raise ValueError("a node cannot be inserted into itself")
        if not 0 <= index <= len(parent._children):
            raise IndexError(f"insert index {index} out of range")

        def apply() -> None:
            _own_children(parent).insert(index, node)
            parent._positions = parent._ordinals = None
            node.parent = parent

        self._announce(Change(ChangeKind.INSERT, node, parent, index), apply)

    def remove(self, parent: Node, index: int) -> Node:
        """Remove and return the child at `index` of `parent`."""
        self._owned(parent)
        node = parent._children[index]

        def apply() -> None:
            del parent._children[index]
            parent._positions = parent._ordinals = None
            node.parent = None

        self._announce(Change(ChangeKind.REMOVE, node, parent, index), apply)
        return node

    def move(self, parent: Node, index: int, dest_parent: Node, dest_index: int) -> None:
        """Move the child at `index` of `parent` so it ends at `dest_index` in `dest_parent`."""
        self._owned(parent)
        self._owned(dest_parent)
        node = parent._children[index]
        if node is dest_parent or node.is_ancestor_of(dest_parent):
            raise ValueError("a node cannot be moved into itself")
        limit = len(dest_parent._children) - (1 if dest_parent is parent else 0)
        if not 0 <= dest_index <= limit:
            raise IndexError(f"move index {dest_index} out of range")
        if dest_parent is parent and dest_index == index:
            return

        def apply() -> None:
            del parent._children[index]
            _own_children(dest_parent).insert(dest_index, node)
            parent._positions = dest_parent._positions = None
            parent._ordinals = dest_parent._ordinals = None
            node.parent = dest_parent

        change = Change(ChangeKind.MOVE, node, parent, index, dest_parent, dest_index)
        self._announce(change, apply)

    def set_attribute(
        self, node: Node, name: str, value: str | None, position: int | None = None
    ) -> None:
        """Set an attribute, or remove it with None. A new attribute goes last, or at
        `position` among the others (undo puts a removed attribute back where it was).
        The change's `index` is the attribute's position before a removal, else -1."""
        self._owned(node)
        check_name(name, "attribute name")
        if value is not None:
            check_xml_text(value, f"attribute {name}")
        old = node.attrs.get(name)
        if old == value:
            return
        index = list(node.attrs).index(name) if value is None else -1

        def apply() -> None:
            if value is None:
                del node.attrs[name]
            elif position is None or name in node.attrs:
                node.attrs[name] = value
            else:
                items = list(node.attrs.items())
                items.insert(position, (name, value))
                node.attrs.clear()
                node.attrs.update(items)

        change = Change(ChangeKind.ATTRIBUTE, node, index=index, name=name, old=old, new=value)
        self._announce(change, apply)

    def set_text(self, node: Node, text: str | None) -> None:
        """Set the text content; an empty string clears it."""
        self._owned(node)
        text = text or None
        if text is not None:
            check_xml_text(text)
            if node.tag == COMMENT:
                check_comment_text(text)
        old = node.text
        if old == text:
            return

        def apply() -> None:
            node.text = text

        self._announce(Change(ChangeKind.TEXT, node, old=old, new=text), apply)
