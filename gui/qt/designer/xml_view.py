"""The XML preview: the flow exactly as exported, highlighted, with the selection marked.

`line_ranges` maps each node to the lines it occupies in `to_text(root)`, so selecting a
verb in the flow tree can mark its lines here.
"""

from __future__ import annotations

from ...core.flexml import COMMENT, Node


def line_ranges(root: Node) -> dict[int, tuple[int, int]]:
    """id(node) -> (first, last) 1-based line of every node in `to_text(root)`.

    Mirrors writer._write: line 1 is the declaration; an element with children (and no
    text) spans its open to its close tag; any other element is written on one line, with
    its children inline, and only newlines inside text and comments add lines.
    """
    ranges: dict[int, tuple[int, int]] = {}

    def inline(node: Node, first: int) -> int:
        """Record `node` written inline from line `first`; return the line it ends on."""
        last = first + (node.text.count("\n") if node.text else 0)
        for child in node.children:
            last = inline(child, last)
        ranges[id(node)] = (first, last)
        return last

    def pretty(node: Node, first: int) -> int:
        """Record `node` pretty-printed from line `first`; return the next free line."""
        if node.tag == COMMENT or node.text is not None or not node.child_count():
            return inline(node, first) + 1
        line = first + 1
        for child in node.children:
            line = pretty(child, line)
        ranges[id(node)] = (first, line)
        return line + 1

    pretty(root, 2)
    return ranges
