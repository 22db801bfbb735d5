"""Tree edits the flow editor makes: which verbs a selection moves, where they go, and how.

Pure functions over the node tree. The moves are worked out first, as a `MovePlan` of
(node, destination parent, index) steps, and only applied when the editor runs the plan
inside an undoable edit; the document's change events then record the undo. The schema
decides every destination (`can_contain`), so a plan never leaves a verb where it may not be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .schema import SCHEMA, can_contain
from .tree import COMMENT, Document, Node


def top_level(nodes: Iterable[Node]) -> list[Node]:
    """`nodes` in document order, without those whose ancestor is also in the list."""
    nodes = list(nodes)
    chosen = {id(n) for n in nodes}
    kept = [n for n in nodes if not any(id(a) in chosen for a in n.ancestors())]
    return sorted(kept, key=_document_position)


def _document_position(node: Node) -> tuple[int, ...]:
    path = []
    while node.parent is not None:
        path.append(node.index())
        node = node.parent
    return tuple(reversed(path))


def allowed_in(parent: Node, tag: str) -> bool:
    """Whether the schema lets `tag` go directly inside `parent` (comments go anywhere, but
    nothing goes inside a comment)."""
    if parent.tag == COMMENT:
        return False
    return tag == COMMENT or can_contain(parent.tag, tag)


def can_insert(parent: Node, tags: list[str]) -> bool:
    """Whether new nodes of `tags` (at least one) may all go directly inside `parent`."""
    return bool(tags) and all(allowed_in(parent, tag) for tag in tags)


def within(node: Node, nodes: list[Node]) -> bool:
    """Whether `node` is one of `nodes` or inside one of them."""
    return any(n is node or n.is_ancestor_of(node) for n in nodes)


def can_place(nodes: list[Node], parent: Node) -> bool:
    """Whether `nodes` of the tree may move (or be copied) into `parent`: not into
    themselves, and each where the schema allows it."""
    return not within(parent, nodes) and can_insert(parent, [n.tag for n in nodes])


def nowhere_message(tags: list[str]) -> str:
    """What to tell the user when no place near the selection takes nodes of `tags`."""
    where = (
        ", ".join(sorted({p for t in tags for p in SCHEMA[t].parents}))
        if all(t in SCHEMA for t in tags)
        else "a FlexML flow"
    )
    return f"{' and '.join(sorted(set(tags)))} can only go inside {where}: select one first"


# -- moves ------------------------------------------------------------------------------------


class MoveRefused(ValueError):
    """A move that cannot be made as asked; the message says why, for the user."""


@dataclass(frozen=True)
class Move:
    """One step of a plan: move `node` from where it then is to end at `index` in `parent`."""

    node: Node
    parent: Node
    index: int


@dataclass(frozen=True)
class MovePlan:
    """The moved nodes (in document order) and the steps that move them, in order.

    Each step's index holds once the steps before it have run, so `apply` must run them all,
    in one edit. A plan with no steps (nothing can move further) is false."""

    nodes: tuple[Node, ...]
    moves: tuple[Move, ...]

    def __bool__(self) -> bool:
        return bool(self.moves)

    def apply(self, document: Document) -> None:
        """Make the moves through the document's API, which announces each one."""
        for move in self.moves:
            node = move.node
            assert node.parent is not None
            document.move(node.parent, node.index(), move.parent, move.index)


def move_by(nodes: list[Node], step: int) -> MovePlan:
    """Move the top-level `nodes` one place up (`step` -1) or down (+1) among their siblings.

    Each run of adjacent nodes passes the sibling next to it; when any node is already first
    (or last) nothing moves. Raises MoveRefused when the nodes have different parents."""
    nodes = top_level(nodes)
    if not nodes:
        return MovePlan((), ())
    parent = nodes[0].parent
    if parent is None or any(n.parent is not parent for n in nodes):
        raise MoveRefused("Select verbs of one container to move them together")
    indexes = [n.index() for n in nodes]
    if (step < 0 and min(indexes) == 0) or (step > 0 and max(indexes) == parent.child_count() - 1):
        return MovePlan(tuple(nodes), ())
    # Up, the first node moves first; down, the last. Each step then leaves the indexes of
    # the nodes still to move as they were, so every step's index is known now.
    order = nodes if step < 0 else list(reversed(nodes))
    moves = tuple(Move(n, parent, n.index() + step) for n in order)
    return MovePlan(tuple(nodes), moves)


def move_to(nodes: list[Node], parent: Node, row: int) -> MovePlan | None:
    """Move the top-level `nodes` to stand together, in document order, in `parent` before
    what is now its child at `row` (the first there that does not move; the end when none).

    None when the schema forbids them in `parent` or `parent` is inside one of them."""
    nodes = top_level(nodes)
    if not can_place(nodes, parent):
        return None
    moving = {id(n) for n in nodes}
    anchor = next((c for c in parent.children[row:] if id(c) not in moving), None)
    layout = _Layout()
    moves = []
    for node in nodes:
        target = layout.index(anchor) if anchor is not None else len(layout.children(parent))
        if layout.parent(node) is parent and layout.index(node) < target:
            target -= 1
        moves.append(Move(node, parent, target))
        layout.move(node, parent, target)
    return MovePlan(tuple(nodes), tuple(moves))


class _Layout:
    """The children lists as a plan's earlier steps leave them, without touching the tree."""

    def __init__(self) -> None:
        self._children: dict[int, list[Node]] = {}
        self._parents: dict[int, Node] = {}

    def children(self, parent: Node) -> list[Node]:
        children = self._children.get(id(parent))
        if children is None:
            children = self._children[id(parent)] = list(parent.children)
        return children

    def parent(self, node: Node) -> Node:
        parent = self._parents.get(id(node), node.parent)
        assert parent is not None
        return parent

    def index(self, node: Node) -> int:
        return self.children(self.parent(node)).index(node)

    def move(self, node: Node, parent: Node, index: int) -> None:
        self.children(self.parent(node)).remove(node)
        self.children(parent).insert(index, node)
        self._parents[id(node)] = parent


# -- inserting and removing -------------------------------------------------------------------


def insertion_point(root: Node, current: Node | None, tags: list[str]) -> tuple[Node, int] | None:
    """Where new nodes of `tags` go: after `current` where the schema allows, else inside it
    (e.g. a Number into a selected Dial), else after its top-level verb; at the end of `root`
    when nothing is current. None when nowhere near the selection allows them."""
    candidates: list[tuple[Node, int]] = []
    if current is not None and current.parent is not None:
        candidates.append((current.parent, current.index() + 1))
        candidates.append((current, current.child_count()))
        top = current
        while top.parent is not root and top.parent is not None:
            top = top.parent
        candidates.append((root, top.index() + 1))
    else:
        candidates.append((root, root.child_count()))
    for parent, index in candidates:
        if all(allowed_in(parent, tag) for tag in tags):
            return parent, index
    return None


def insert_run(document: Document, parent: Node, index: int, nodes: list[Node]) -> None:
    """Insert the detached `nodes` one after another at `index` in `parent`."""
    for offset, node in enumerate(nodes):
        document.insert(parent, index + offset, node)


def remove_all(document: Document, nodes: list[Node]) -> None:
    """Remove the top-level `nodes` (in document order) from the tree."""
    for node in reversed(nodes):
        assert node.parent is not None
        document.remove(node.parent, node.index())


def insert_copies(document: Document, originals: list[Node], copies: list[Node]) -> None:
    """Insert each of `copies` right after its original (`originals` in document order)."""
    for original, clone in zip(reversed(originals), reversed(copies), strict=True):
        assert original.parent is not None
        document.insert(original.parent, original.index() + 1, clone)


def selection_after_removal(nodes: list[Node], root: Node) -> Node | None:
    """What to select once the top-level `nodes` are removed: the sibling after the last,
    else the one before the first, else their container (None for the flow's root)."""
    last = nodes[-1]
    parent = last.parent
    assert parent is not None
    index = last.index() + 1
    if index < parent.child_count():
        return parent.child(index)
    first = nodes[0]
    assert first.parent is not None
    before = first.index() - 1
    if before >= 0:
        return first.parent.child(before)
    return first.parent if first.parent is not root else None


__all__ = [
    "Move",
    "MovePlan",
    "MoveRefused",
    "allowed_in",
    "can_insert",
    "can_place",
    "insert_copies",
    "insert_run",
    "insertion_point",
    "move_by",
    "move_to",
    "nowhere_message",
    "remove_all",
    "selection_after_removal",
    "top_level",
    "within",
]
