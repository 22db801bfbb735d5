"""FlowEditor: the selected flow's verbs as a tree; drag and drop, keyboard and clipboard.

Every gesture becomes one undoable edit through `Editing`; the view follows the model,
which follows the document. The schema decides every drop: a forbidden one shows the
no-drop cursor and is refused, never accepted somewhere else.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QMenu, QStyledItemDelegate, QTreeView

from ...core.flexml import COMMENT, Document, FlexmlError, Node, Severity
from ...core.flexml.edits import (
    MoveRefused,
    can_insert,
    insert_copies,
    insert_run,
    insertion_point,
    move_by,
    move_to,
    nowhere_message,
    remove_all,
    selection_after_removal,
    top_level,
    within,
)
from ...core.flexml.fragments import fragment_text, new_node, parse_fragment
from ..common.names import findable
from .editing import Editing
from .flow_model import (
    MIME_TYPE,
    PROBLEMS_ROLE,
    UNREACHED_ROLE,
    XML_MIME_TYPE,
    FlowItemModel,
    node_at,
)

VERB_MIME_TYPE = "application/x-flexml-studio-verb"
_ERROR_TINT = QColor(220, 50, 47, 40)
_WARNING_TINT = QColor(230, 160, 0, 40)


class _ProblemDelegate(QStyledItemDelegate):
    """Tints rows that have lint errors (red) or warnings (amber); mutes the verbs no flow
    test reached (their text greyed, a dotted bar at their left)."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        problems = index.data(PROBLEMS_ROLE) or []
        if any(p.severity is Severity.ERROR for p in problems):
            option.backgroundBrush = QBrush(_ERROR_TINT)
        elif problems:
            option.backgroundBrush = QBrush(_WARNING_TINT)
        if index.data(UNREACHED_ROLE):
            muted = option.palette.color(QPalette.ColorRole.PlaceholderText)
            option.palette.setColor(QPalette.ColorRole.Text, muted)
            option.font.setItalic(True)

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        if index.data(UNREACHED_ROLE):
            rect = option.rect
            pen = QPen(option.palette.color(QPalette.ColorRole.PlaceholderText), 2)
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.save()
            painter.setPen(pen)
            x = rect.left() + 1
            painter.drawLine(x, rect.top() + 2, x, rect.bottom() - 2)
            painter.restore()


class FlowEditor(QTreeView):
    """The flow's verbs in order with their nesting; edits go through `editing`."""

    current_node_changed = Signal(object)  # Node or None
    # The user picked a verb: a click on a row, or the keys moving to another one. A
    # selection made by code (select_nodes) does not count.
    verb_chosen = Signal(object)  # Node
    message = Signal(str)  # something the user should know (a refused drop or paste)

    def __init__(self, editing: Editing, parent=None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.document: Document | None = None
        self.flow_model: FlowItemModel | None = None
        self._dragged: list[Node] = []
        self.setHeaderHidden(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setUniformRowHeights(True)
        self.setExpandsOnDoubleClick(False)
        self.setItemDelegate(_ProblemDelegate(self))
        self.setToolTip("")
        findable(self, "flow-editor", "Flow editor", "The flow's verbs in order, with nesting")
        self._build_actions()

    # -- the flow shown ---------------------------------------------------------------------

    def set_document(self, document: Document | None) -> None:
        if self.flow_model is not None:
            self.flow_model.detach()
        self.document = document
        if document is None:
            self.flow_model = None
            self.setModel(None)
            self.current_node_changed.emit(None)
            return
        model = FlowItemModel(document, self)
        model.drop_check = self._can_drop
        model.drop_handler = self._drop
        model.mime_encoder = self._encode
        old = self.flow_model
        self.flow_model = model
        self.setModel(model)
        if old is not None:
            old.deleteLater()
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        model.rowsInserted.connect(self._expand_new)
        self.expandAll()
        if model.rowCount():
            self.select_nodes([document.root.child(0)])
        else:
            self.current_node_changed.emit(None)

    def _expand_new(self, parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            self.expandRecursively(self.flow_model.index(row, 0, parent))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_node_changed.emit(self.flow_model.node(current) if current.isValid() else None)

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        # Even on the row already selected: the click says "this one", for the Inspector.
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and self.flow_model is not None:
            self.verb_chosen.emit(self.flow_model.node(index))

    def keyPressEvent(self, event) -> None:
        before = self.current_node()
        super().keyPressEvent(event)
        node = self.current_node()
        if node is not None and node is not before:
            self.verb_chosen.emit(node)

    # -- selection --------------------------------------------------------------------------

    def selected_nodes(self) -> list[Node]:
        if self.flow_model is None:
            return []
        rows = self.selectionModel().selectedRows()
        return top_level([self.flow_model.node(i) for i in rows])

    def current_node(self) -> Node | None:
        index = self.currentIndex()
        return self.flow_model.node(index) if self.flow_model and index.isValid() else None

    def select_path(self, path: str) -> bool:
        """Select the verb at `path` (Node.path()'s form); False when the flow has none."""
        node = node_at(self.document, path) if self.document is not None else None
        if node is None or node.parent is None:
            return False
        self.select_nodes([node])
        return True

    def set_unreached(self, paths) -> None:
        """Mark the verbs at these paths as reached by no flow test (none: no marks)."""
        if self.flow_model is not None:
            paths = frozenset(paths)
            if paths != self.flow_model.unreached:
                self.flow_model.set_unreached(paths)
                self.viewport().update()  # the rows shown; the others read them when shown

    def select_nodes(self, nodes: list[Node]) -> None:
        if self.flow_model is None or not nodes:
            return
        flags = QItemSelectionModel.SelectionFlag
        selection = QItemSelection()
        for node in nodes:
            index = self.flow_model.index_of(node)
            selection.select(index, index)
        model = self.selectionModel()
        # One call, not clearSelection() then select() per row: each of those makes the
        # view recompute what to repaint, which costs O(rows) at 5,000 verbs.
        model.select(selection, flags.ClearAndSelect)  # one column: the index is the row
        last = self.flow_model.index_of(nodes[-1])
        model.setCurrentIndex(last, flags.NoUpdate)
        self.scrollTo(last)

    # -- actions and keys -------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(text, shortcut, slot, tip) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.move_up_action = action("Move &Up", "Alt+Up", self.move_up, "Move the verb up")
        self.move_down_action = action(
            "Move &Down", "Alt+Down", self.move_down, "Move the verb down"
        )
        self.delete_action = action(
            "&Delete", QKeySequence.StandardKey.Delete, self.delete, "Delete the selected verbs"
        )
        self.duplicate_action = action(
            "D&uplicate", "Ctrl+D", self.duplicate, "Duplicate the selected verbs"
        )
        self.copy_action = action(
            "&Copy", QKeySequence.StandardKey.Copy, self.copy, "Copy the selected verbs as FlexML"
        )
        self.cut_action = action(
            "Cu&t", QKeySequence.StandardKey.Cut, self.cut, "Cut the selected verbs as FlexML"
        )
        self.paste_action = action(
            "&Paste",
            QKeySequence.StandardKey.Paste,
            self.paste,
            "Paste FlexML from the clipboard after the selection",
        )

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        for act in (
            self.cut_action,
            self.copy_action,
            self.paste_action,
            None,
            self.duplicate_action,
            self.delete_action,
            None,
            self.move_up_action,
            self.move_down_action,
        ):
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)
        menu.exec(event.globalPos())

    def _edit(self, text: str, action) -> bool:
        return self.editing.edit(text, action)

    def move_up(self) -> None:
        self._move_by(-1)

    def move_down(self) -> None:
        self._move_by(1)

    def _move_by(self, step: int) -> None:
        nodes = self.selected_nodes()
        if not nodes or self.document is None:
            return
        try:
            plan = move_by(nodes, step)
        except MoveRefused as exc:
            self.message.emit(str(exc))
            return
        if not plan:
            return
        document = self.document
        self._edit("Move up" if step < 0 else "Move down", lambda: plan.apply(document))
        self.select_nodes(nodes)

    def delete(self) -> None:
        nodes = self.selected_nodes()
        if not nodes or self.document is None:
            return
        document = self.document
        following = selection_after_removal(nodes, document.root)
        self._edit(f"Delete {_label(nodes)}", lambda: remove_all(document, nodes))
        if following is not None and following.parent is not None:
            self.select_nodes([following])

    def duplicate(self) -> None:
        nodes = self.selected_nodes()
        if not nodes or self.document is None:
            return
        document = self.document
        copies = [n.copy() for n in nodes]
        if self._edit(f"Duplicate {_label(nodes)}", lambda: insert_copies(document, nodes, copies)):
            self.select_nodes(copies)

    def copy(self) -> None:
        nodes = self.selected_nodes()
        if nodes:
            # WORKAROUND: text, not a QMimeData made here: the clipboard owns what it is given
            # and deletes it when the application ends, after Python has freed the wrapper,
            # which crashed the interpreter at exit.
            QGuiApplication.clipboard().setText(fragment_text(nodes))

    def cut(self) -> None:
        if self.selected_nodes():
            self.copy()
            self.delete()

    def paste(self) -> None:
        if self.document is None:
            return
        text = QGuiApplication.clipboard().text()
        try:
            nodes = parse_fragment(text)
        except FlexmlError as exc:
            self.message.emit(f"Nothing pasted: {exc.message}")
            return
        self.insert_nodes(nodes, "Paste")

    # -- inserting --------------------------------------------------------------------------

    def insertion_point(self, tags: list[str]) -> tuple[Node, int] | None:
        """Where new nodes of `tags` go near the current node (see edits.insertion_point)."""
        assert self.document is not None
        return insertion_point(self.document.root, self.current_node(), tags)

    def insert_nodes(self, nodes: list[Node], label: str) -> bool:
        if self.document is None:
            return False
        tags = [n.tag for n in nodes]
        spot = self.insertion_point(tags)
        if spot is None:
            self.message.emit(nowhere_message(tags))
            return False
        parent, index = spot
        return self._insert_at(parent, index, nodes, label)

    def insert_verb(self, tag: str) -> bool:
        """Insert a new `tag` after the selection (palette: Enter or double-click)."""
        return self.insert_nodes([new_node(tag)], "Insert")

    # -- drag and drop ----------------------------------------------------------------------

    def _encode(self, nodes: list[Node]) -> QMimeData:
        nodes = top_level(nodes)
        data = QMimeData()
        text = fragment_text(nodes)
        data.setText(text)
        data.setData(XML_MIME_TYPE, text.encode("utf-8"))
        self._dragged = nodes
        data.setData(MIME_TYPE, str(id(self)).encode())
        return data

    def _tags_of(self, data: QMimeData) -> list[str] | None:
        if data.hasFormat(VERB_MIME_TYPE):
            return [bytes(data.data(VERB_MIME_TYPE)).decode("utf-8")]
        if data.hasFormat(MIME_TYPE) and bytes(data.data(MIME_TYPE)) == str(id(self)).encode():
            return [n.tag for n in self._dragged]
        return None

    def _can_drop(self, data: QMimeData, parent: Node) -> bool:
        tags = self._tags_of(data)
        if tags is None:
            return data.hasText()  # FlexML text from elsewhere: checked on drop
        if data.hasFormat(MIME_TYPE) and within(parent, self._dragged):
            return False  # never into themselves
        return can_insert(parent, tags)

    def _drop(self, data: QMimeData, action: Qt.DropAction, parent: Node, row: int) -> bool:
        if not self._can_drop(data, parent):
            return False
        document = self.document
        assert document is not None
        if data.hasFormat(VERB_MIME_TYPE):
            node = new_node(bytes(data.data(VERB_MIME_TYPE)).decode("utf-8"))
            return self._insert_at(parent, row, [node], "Insert")
        if data.hasFormat(MIME_TYPE):
            nodes = list(self._dragged)
            if action == Qt.DropAction.CopyAction:
                nodes = [n.copy() for n in nodes]
                return self._insert_at(parent, row, nodes, "Copy")
            return self._move_to(parent, row, nodes)
        try:
            nodes = parse_fragment(data.text())
        except FlexmlError as exc:
            self.message.emit(f"Nothing dropped: {exc.message}")
            return False
        if not can_insert(parent, [n.tag for n in nodes]):
            self.message.emit(f"Those verbs cannot go inside {parent.tag}")
            return False
        return self._insert_at(parent, row, nodes, "Drop")

    def _insert_at(self, parent: Node, row: int, nodes: list[Node], label: str) -> bool:
        document = self.document
        assert document is not None
        if self._edit(f"{label} {_label(nodes)}", lambda: insert_run(document, parent, row, nodes)):
            self.select_nodes(nodes)
            return True
        return False

    def _move_to(self, parent: Node, row: int, nodes: list[Node]) -> bool:
        """Move `nodes` (in document order) to stand together before what is now at `row`."""
        document = self.document
        assert document is not None
        plan = move_to(nodes, parent, row)
        if plan is None:
            return False
        if self._edit(f"Move {_label(nodes)}", lambda: plan.apply(document)):
            self.select_nodes(nodes)
            return True
        return False

    # A drag of our own rows moves them (Ctrl copies, as Qt proposes); anything else, a
    # palette verb or FlexML text from another app, is always a copy.

    @staticmethod
    def _settle_action(event) -> None:
        if not event.mimeData().hasFormat(MIME_TYPE):
            event.setDropAction(Qt.DropAction.CopyAction)

    def dragEnterEvent(self, event) -> None:
        super().dragEnterEvent(event)
        self._settle_action(event)

    def dragMoveEvent(self, event) -> None:
        super().dragMoveEvent(event)
        if event.isAccepted():
            self._settle_action(event)

    def dropEvent(self, event) -> None:
        self._settle_action(event)
        super().dropEvent(event)


def _label(nodes: list[Node]) -> str:
    if len(nodes) == 1:
        return nodes[0].tag if nodes[0].tag != COMMENT else "comment"
    return f"{len(nodes)} verbs"


__all__ = ["VERB_MIME_TYPE", "FlowEditor"]
