"""The XML preview: the flow exactly as exported, highlighted, with the selection marked.

`line_ranges` maps each node to the lines it occupies in `to_text(root)`, so selecting a
verb in the flow tree can mark its lines here. `FlowText` keeps the exported text of the
flow shown by its top-level verbs, so the preview after an edit writes only the verbs the
edit touched, and finds a node's lines without mapping the whole flow.
"""

from __future__ import annotations

from ...core.flexml import COMMENT, Change, Document, Node, to_text
from ...core.flexml.writer import write_node

# A child the frame of a flow (declaration, root's open and close tags) is written around.
_PLACEHOLDER = "flexml-studio-placeholder"


def line_ranges(root: Node) -> dict[int, tuple[int, int]]:
    """id(node) -> (first, last) 1-based line of every node in `to_text(root)`.

    Mirrors writer._write: line 1 is the declaration; an element with children (and no
    text) spans its open to its close tag; any other element is written on one line, with
    its children inline, and only newlines inside text and comments add lines.
    """
    ranges: dict[int, tuple[int, int]] = {}
    _pretty(root, 2, ranges)
    return ranges


def _inline(node: Node, first: int, ranges: dict[int, tuple[int, int]]) -> int:
    """Record `node` written inline from line `first`; return the line it ends on."""
    last = first + (node.text.count("\n") if node.text else 0)
    for child in node.children:
        last = _inline(child, last, ranges)
    ranges[id(node)] = (first, last)
    return last


def _pretty(node: Node, first: int, ranges: dict[int, tuple[int, int]]) -> int:
    """Record `node` pretty-printed from line `first`; return the next free line."""
    if node.tag == COMMENT or node.text is not None or not node.child_count():
        return _inline(node, first, ranges) + 1
    line = first + 1
    for child in node.children:
        line = _pretty(child, line, ranges)
    ranges[id(node)] = (first, line)
    return line + 1


class FlowText:
    """The exported text of one flow (`to_text(root)`), kept as the text of each top-level
    verb: the document's change events say which verbs to write again. At 5,000 verbs
    writing the whole flow took 20 ms and mapping its lines 10 ms per refresh; an edit
    writes one verb again."""

    def __init__(self) -> None:
        self.document: Document | None = None
        # id(verb) -> (verb, its text): the verb is kept so its id is not reused.
        self._pieces: dict[int, tuple[Node, str]] = {}
        self._text: str | None = None  # the whole text, None when changed since
        self._starts: dict[int, int] = {}  # id(verb) -> its first line in that text
        self._frame: tuple[tuple[str, tuple], tuple[str, str, str]] | None = None

    def follow(self, document: Document | None) -> None:
        """Keep the text of `document` (None: of no flow) from now on."""
        if document is self.document:
            return
        if self.document is not None:
            self.document.about_to_change.disconnect(self._on_about_to_change)
            self.document.changed.disconnect(self._on_changed)
        self.document = document
        self._pieces = {}
        self._text = None
        self._starts = {}
        if document is not None:
            document.about_to_change.connect(self._on_about_to_change)
            document.changed.connect(self._on_changed)

    def text(self) -> str:
        """The flow's text, as `to_text(root)` writes it now."""
        if self._text is None:
            assert self.document is not None
            self._text = self._write(self.document.root)
        return self._text

    def lines_of(self, node: Node) -> tuple[int, int] | None:
        """(first, last) 1-based lines of `node` in the text last returned by `text()`, as
        `line_ranges` gives them; None for a node that text does not hold."""
        if self.document is None or self._text is None:
            return None
        root = self.document.root
        if not self._starts:  # written whole (see _write)
            return line_ranges(root).get(id(node))
        top = node
        while top.parent is not None and top.parent is not root:
            top = top.parent
        if top.parent is not root:
            return line_ranges(root).get(id(node)) if top is root else None
        first = self._starts.get(id(top))
        if first is None:
            return None
        ranges: dict[int, tuple[int, int]] = {}
        _pretty(top, first, ranges)
        return ranges.get(id(node))

    # -- writing ----------------------------------------------------------------------------

    def _write(self, root: Node) -> str:
        self._starts = {}
        if root.tag == COMMENT or root.text is not None or not root.child_count():
            return to_text(root)
        header, indent, footer = self._framing(root)
        pieces = self._pieces
        parts = [header]
        starts = self._starts
        line = header.count("\n") + 1
        for verb in root.children:
            piece = pieces.get(id(verb))
            if piece is None:
                out: list[str] = []
                write_node(verb, out, indent)
                piece = pieces[id(verb)] = (verb, "".join(out))
            starts[id(verb)] = line
            line += piece[1].count("\n")
            parts.append(piece[1])
        parts.append(footer)
        return "".join(parts)

    def _framing(self, root: Node) -> tuple[str, str, str]:
        """(the text before the first verb, a verb's indent, the text after the last),
        as the writer writes them around the verbs of this root."""
        key = (root.tag, tuple(root.attrs.items()))
        if self._frame is None or self._frame[0] != key:
            framed = to_text(Node(root.tag, root.attrs, children=[Node(_PLACEHOLDER)]))
            at = framed.index(f"<{_PLACEHOLDER}/>")
            line_start = framed.rfind("\n", 0, at) + 1
            after = framed.index("\n", at) + 1
            self._frame = (key, (framed[:line_start], framed[line_start:at], framed[after:]))
        return self._frame[1]

    # -- following the document -------------------------------------------------------------

    def _on_about_to_change(self, change: Change) -> None:
        self._forget(change.node)  # where it stands before: a remove or move takes it away

    def _on_changed(self, change: Change) -> None:
        self._text = None
        self._forget(change.node)  # where it stands after: an insert or move puts it there

    def _forget(self, node: Node) -> None:
        """Write the top-level verb holding `node` (and `node` itself) again."""
        pieces = self._pieces
        pieces.pop(id(node), None)
        while node.parent is not None and node.parent.parent is not None:
            node = node.parent
        pieces.pop(id(node), None)
