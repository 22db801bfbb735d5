"""FlowItemModel: a Qt item model over one flow's node tree, holding no data of its own.

The core Document announces every mutation before and after it happens; this adapter turns
those announcements into beginInsertRows/endInsertRows and friends (napari's
_base_item_model is the pattern). Drops are handed to a callback, which pushes an undo
command that calls the Document; the model never rearranges rows itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from ...core.flexml import COMMENT, Change, ChangeKind, Document, Node, Problem
from ...core.flexml.schema import SCHEMA
from ...core.flexml.summary import summarize
from ..common.icons import verb_icon

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
PROBLEMS_ROLE = Qt.ItemDataRole.UserRole + 2
UNREACHED_ROLE = Qt.ItemDataRole.UserRole + 3  # no flow test reached this verb
UNREACHED_TIP = "Not reached by a test: no flow test's call ran this verb"
MIME_TYPE = "application/x-flexml-studio-nodes"
XML_MIME_TYPE = "application/xml"

Index = QModelIndex | QPersistentModelIndex
_ROOT_FLAGS = Qt.ItemFlag.ItemIsDropEnabled
_LEAF_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
)
_CONTAINER_FLAGS = _LEAF_FLAGS | Qt.ItemFlag.ItemIsDropEnabled
_CONTAINERS = frozenset(name for name, spec in SCHEMA.items() if spec.children)
# drop handler: (mime data, action, destination parent node, row) -> accepted
DropHandler = Callable[[QMimeData, Qt.DropAction, Node, int], bool]
# can-drop check: (mime data, destination parent node) -> allowed
DropCheck = Callable[[QMimeData, Node], bool]


class FlowItemModel(QAbstractItemModel):
    """Rows are a flow's verbs; nested nodes (Gather's prompts, Dial's Numbers) are children."""

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self._problems: dict[int, list[Problem]] = {}
        self._unreached: frozenset[str] = frozenset()  # verb paths (Node.path())
        self.drop_handler: DropHandler | None = None
        self.drop_check: DropCheck | None = None
        self.mime_encoder: Callable[[list[Node]], QMimeData] | None = None
        document.about_to_change.connect(self._on_about_to_change)
        document.changed.connect(self._on_changed)

    def detach(self) -> None:
        """Stop following the document (before the model is dropped)."""
        self.document.about_to_change.disconnect(self._on_about_to_change)
        self.document.changed.disconnect(self._on_changed)

    # -- mapping between nodes and indexes --------------------------------------------------

    def node(self, index: Index) -> Node:
        """The node of `index`; the flow's root for an invalid index."""
        if not index.isValid():
            return self.document.root
        return index.internalPointer()

    def index_of(self, node: Node) -> QModelIndex:
        if node is self.document.root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.index(), 0, node)

    # -- QAbstractItemModel --------------------------------------------------------------

    # index, parent, rowCount and flags are asked for every row whenever the tree view lays
    # itself out, which it does after every insert, remove or move (6,700 rows at 5,000
    # verbs): each answers with as few calls as it can.

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column or row < 0:
            return QModelIndex()
        node = parent.internalPointer() if parent.isValid() else self.document.root
        if row >= node.child_count():
            return QModelIndex()
        return self.createIndex(row, 0, node.child(row))

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent.parent is None:  # the root (or a node just taken out)
            return QModelIndex()
        return self.createIndex(parent.index(), 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return self.document.root.child_count()
        if parent.column():
            return 0
        return parent.internalPointer().child_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node: Node = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            return summarize(node)
        if role == Qt.ItemDataRole.DecorationRole:
            return verb_icon(node.tag)
        if role == NODE_ROLE:
            return node
        if role == PROBLEMS_ROLE:
            return self._problems.get(id(node), [])
        if role == UNREACHED_ROLE:
            # Asked only for the rows painted: a path costs the node's depth.
            return bool(self._unreached) and node.path() in self._unreached
        if role == Qt.ItemDataRole.ToolTipRole:
            problems = self._problems.get(id(node))
            spec = SCHEMA.get(node.tag)
            lines = [spec.description if spec else f"<{node.tag}> is not FlexML"]
            lines += [f"{p.severity.value}: {p.message}" for p in problems or ()]
            if self._unreached and node.path() in self._unreached:
                lines.append(UNREACHED_TIP)
            return "\n".join(lines)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Asked for every row on every layout: answered from a table, not computed.
        if not index.isValid():
            return _ROOT_FLAGS
        return _CONTAINER_FLAGS if index.internalPointer().tag in _CONTAINERS else _LEAF_FLAGS

    # -- problems (from lint) ---------------------------------------------------------------

    def set_problems(self, problems: list[Problem]) -> None:
        """Mark rows with their lint problems (shown in tooltips and by the delegate)."""
        old = self._problems
        new: dict[int, list[Problem]] = {}
        for problem in problems:
            if problem.node is not None:
                new.setdefault(id(problem.node), []).append(problem)
        self._problems = new
        changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
        if not changed:
            return
        for node in self.document.root.iter():
            if id(node) in changed and node is not self.document.root:
                index = self.index_of(node)
                self.dataChanged.emit(index, index, [PROBLEMS_ROLE, Qt.ItemDataRole.ToolTipRole])

    # -- test coverage ----------------------------------------------------------------------

    def set_unreached(self, paths: Iterable[str]) -> None:
        """Mark the verbs at these paths (Node.path()'s form) as reached by no flow test
        (shown by the delegate and in tooltips); none marks nothing. The window clears them
        at the next change, before any path could point at another verb. Views repaint
        themselves after (see below)."""
        self._unreached = frozenset(paths)
        # No dataChanged: over every row it costs a tree view 0.1 s at 5,000 verbs (0.4 s
        # as one per container), and the marks are read when rows are painted. The view
        # repaints itself (FlowEditor.set_unreached).

    @property
    def unreached(self) -> frozenset[str]:
        return self._unreached

    # -- drag and drop: delegated ------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE, XML_MIME_TYPE, "text/plain"]

    def mimeData(self, indexes) -> QMimeData:
        nodes = [self.node(i) for i in indexes if i.isValid()]
        if self.mime_encoder is None:
            return QMimeData()
        return self.mime_encoder(nodes)

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        if self.drop_check is None:
            return False
        return self.drop_check(data, self.node(parent))

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if self.drop_handler is None:
            return False
        target = self.node(parent)
        if row < 0:
            row = target.child_count()
        # The handler pushes an undo command; the document's events move the rows. Return
        # False for moves so the view does not remove the source rows a second time.
        accepted = self.drop_handler(data, action, target, row)
        return accepted and action != Qt.DropAction.MoveAction

    # -- document events -> Qt signals -------------------------------------------------------

    def _on_about_to_change(self, change: Change) -> None:
        kind = change.kind
        if kind is ChangeKind.INSERT:
            parent = self.index_of(change.parent)
            self.beginInsertRows(parent, change.index, change.index)
        elif kind is ChangeKind.REMOVE:
            self.beginRemoveRows(self.index_of(change.parent), change.index, change.index)
        elif kind is ChangeKind.MOVE:
            source = self.index_of(change.parent)
            dest = self.index_of(change.dest_parent)
            # Qt counts the destination before the source row is taken out.
            qt_dest = change.dest_index
            if change.dest_parent is change.parent and change.dest_index > change.index:
                qt_dest += 1
            self.beginMoveRows(source, change.index, change.index, dest, qt_dest)

    def _on_changed(self, change: Change) -> None:
        kind = change.kind
        if kind in (ChangeKind.INSERT, ChangeKind.REMOVE, ChangeKind.MOVE):
            if kind is ChangeKind.INSERT:
                self.endInsertRows()
            elif kind is ChangeKind.REMOVE:
                self.endRemoveRows()
            else:
                self.endMoveRows()
            # A container's summary counts its children (Dial's numbers, Play's files).
            for container in {id(p): p for p in (change.parent, change.dest_parent) if p}.values():
                if container is not self.document.root and container.parent is not None:
                    index = self.index_of(container)
                    self.dataChanged.emit(index, index)
        else:
            node = change.node
            if node is self.document.root:
                return
            index = self.index_of(node)
            self.dataChanged.emit(index, index)
            if node.parent is not None and node.parent is not self.document.root:
                # A parent's summary counts its children (Dial's numbers, Play's files).
                parent = self.index_of(node.parent)
                self.dataChanged.emit(parent, parent)


def node_at(document: Document, path: str) -> Node | None:
    """The node of `document` at `path` (Node.path()'s form), or None when there is none."""
    parts = path.strip("/").split("/")
    node = document.root
    if not parts or parts[0] != node.tag:
        return None
    for part in parts[1:]:
        tag, _, rest = part.partition("[")
        tag = COMMENT if tag == "comment()" else tag
        try:
            ordinal = int(rest.rstrip("]")) if rest else 1
        except ValueError:
            return None
        matches = [child for child in node.children if child.tag == tag]
        if not 0 < ordinal <= len(matches):
            return None
        node = matches[ordinal - 1]
    return node
