"""The flow map's canvas: zoom (Ctrl+wheel), pan (drag on empty space, scroll bars), fit,
click and double-click on a node, and a drag from one node to another to connect them.

Enter opens the selected node (as a double-click does); Escape cancels a drag. The view
only reports gestures (`node_clicked`, `node_opened`, `connect_requested`, `message`); the
panel decides what they change.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QGraphicsScene, QGraphicsView

from .flow_map_items import NodeItem

MIN_SCALE = 0.1
MAX_SCALE = 4.0
ZOOM_STEP = 1.25
WHEEL_BASE = 1.0015  # zoom per eighth of a degree of wheel turn: one notch is about 20 %


class FlowMapView(QGraphicsView):
    """See the module docstring."""

    node_clicked = Signal(str)
    node_opened = Signal(str)
    connect_requested = Signal(str, str)  # source, target (the same when dropped on itself)
    message = Signal(str)
    zoomed = Signal()  # by the user: the map stops fitting itself to the view

    def __init__(self, scene: QGraphicsScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pressed: NodeItem | None = None
        self._pressed_at = QPointF()
        self._wire: QGraphicsPathItem | None = None  # the connection being dragged
        self._over: NodeItem | None = None

    # -- zoom -------------------------------------------------------------------------------

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def set_scale(self, scale: float) -> None:
        scale = max(MIN_SCALE, min(MAX_SCALE, scale))
        self.setTransform(QTransform.fromScale(scale, scale))

    def zoom_by(self, factor: float) -> None:
        self.set_scale(self.scale_factor * factor)
        self.zoomed.emit()

    def zoom_in(self) -> None:
        self._zoom_centred(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_centred(1 / ZOOM_STEP)

    def actual_size(self) -> None:
        self._zoom_centred(1 / self.scale_factor)

    def _zoom_centred(self, factor: float) -> None:
        # From a key or a button the mouse may be anywhere: zoom about the middle instead.
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom_by(factor)
        self.setTransformationAnchor(anchor)

    def fit(self) -> None:
        """Show the whole map, never larger than its actual size."""
        rect = self.sceneRect()
        view = self.viewport().rect()
        if rect.isEmpty() or view.isEmpty():
            return
        scale = min(view.width() / rect.width(), view.height() / rect.height(), 1.0)
        self.set_scale(scale * 0.98)
        self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(WHEEL_BASE ** event.angleDelta().y())
            event.accept()
            return
        super().wheelEvent(event)

    # -- nodes ------------------------------------------------------------------------------

    def node_at(self, pos: QPoint) -> NodeItem | None:
        """The node under the viewport position `pos`, if any."""
        return next((i for i in self.items(pos) if isinstance(i, NodeItem)), None)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        node = self.node_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and node is not None:
            self._pressed, self._pressed_at = node, event.position()
            event.accept()
            return
        super().mousePressEvent(event)  # on empty space: the hand drag pans

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pressed is None:
            super().mouseMoveEvent(event)
            return
        pos = event.position()
        if self._wire is None:
            if (pos - self._pressed_at).manhattanLength() < QApplication.startDragDistance():
                return
            self._wire = self._start_wire()
        self._draw_wire(self.mapToScene(pos.toPoint()))
        over = self.node_at(pos.toPoint())
        over = None if over is self._pressed else over
        if over is not self._over:
            if self._over is not None:
                self._over.set_target(False)
            if over is not None:
                over.set_target(True)
            self._over = over
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        source = self._pressed
        if source is None:
            super().mouseReleaseEvent(event)
            return
        self._pressed = None
        event.accept()
        if self._wire is None:  # a click
            self.select(source.name)
            self.node_clicked.emit(source.name)
            return
        self._end_wire()
        target = self.node_at(event.position().toPoint())
        if target is None:
            self.message.emit(
                f"Nothing to connect {source.name} to there: drop on another flow or switch"
            )
            return
        self.connect_requested.emit(source.name, target.name)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        node = self.node_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and node is not None:
            self.node_opened.emit(node.name)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self._pressed is not None:
            name = self._pressed.name
            self._end_wire()
            self._pressed = None
            self.message.emit(f"Nothing connected: the drag from {name} was cancelled")
            return
        selected = [i for i in self.scene().selectedItems() if isinstance(i, NodeItem)]
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and selected:
            self.node_opened.emit(selected[0].name)  # as a double-click
            return
        super().keyPressEvent(event)

    def select(self, name: str | None) -> None:
        """Select the node `name` (None: none), without telling anyone."""
        for item in self.scene().selectedItems():
            if not (isinstance(item, NodeItem) and item.name == name):
                item.setSelected(False)
        node = next(
            (i for i in self.scene().items() if isinstance(i, NodeItem) and i.name == name), None
        )
        if node is not None:
            node.setSelected(True)

    # -- the connection being dragged -----------------------------------------------------------

    def _start_wire(self) -> QGraphicsPathItem:
        wire = QGraphicsPathItem()
        pen = QPen(self.palette().highlight().color(), 2, Qt.PenStyle.DashLine)
        wire.setPen(pen)
        wire.setZValue(10)
        self.scene().addItem(wire)
        return wire

    def _draw_wire(self, to: QPointF) -> None:
        assert self._wire is not None and self._pressed is not None
        box = self._pressed.box
        start = QPointF(box.right, box.y + box.height / 2)
        path = QPainterPath(start)
        reach = max(30.0, abs(to.x() - start.x()) / 2)
        path.cubicTo(start + QPointF(reach, 0), to - QPointF(reach, 0), to)
        self._wire.setPath(path)

    def _end_wire(self) -> None:
        if self._wire is not None:
            self.scene().removeItem(self._wire)
            self._wire = None
        if self._over is not None:
            self._over.set_target(False)
            self._over = None

    def cancel_drag(self) -> None:
        """Forget a drag in progress (the scene is about to be rebuilt)."""
        self._pressed = None
        self._wire = None
        self._over = None
