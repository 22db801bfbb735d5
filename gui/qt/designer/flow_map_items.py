"""What the flow map draws, where flowmap_geometry says: an item per flow or switch (it is
clicked, selected and dragged from), and two layers that draw every edge with its
arrowhead and every edge's label (a 200-node map has about 500 of each).

Items hold no project data beyond what they show; the panel makes them again when the
graph changes and only re-tints them (problems, the live call, the selection) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...core.flowmap import NodeKind
from ...core.flowmap_geometry import ARROW_LENGTH, Box, Curve, EdgeShape
from ..common.icons import flow_icon, switch_icon
from ..common.theme import is_dark

NODE_Z, LABEL_Z, EDGE_Z = 2.0, 1.0, 0.0
RADIUS = 8.0
ICON_SIZE = 18
MIN_TEXT_DETAIL = 0.4  # scale under which text would be too small to read: not drawn


class Severity(Enum):
    """The worst problem of a node, as its tint shows it."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class MapColours:
    """The map's colours, for a light or a dark theme."""

    canvas: QColor
    flow: QColor
    switch: QColor
    border: QColor
    text: QColor
    subtitle: QColor
    edge: QColor
    label_fill: QColor
    label_border: QColor
    label_text: QColor
    selected: QColor
    live: QColor
    error: QColor
    warning: QColor
    error_tint: QColor
    warning_tint: QColor

    @cached_property
    def pens(self) -> dict[str, QPen]:
        """The pens the items draw with, made once (a paint makes none)."""
        return {
            "border": QPen(self.border, 1.2),
            "error": QPen(self.error, 1.8),
            "warning": QPen(self.warning, 1.8),
            "selected": QPen(self.selected, 2.6),
            "live": QPen(self.live, 6),
            "edge": QPen(self.edge, 1.4),
            "strong": QPen(self.selected, 2.2),
            "label": QPen(self.label_border, 1),
            "mark": QPen(self.canvas, 1.5),
            # What no flow test reached: the same lines, dashed.
            "edge-unreached": _dashed(self.edge, 1.4),
            "strong-unreached": _dashed(self.selected, 2.2),
            "label-unreached": _dashed(self.subtitle, 1),
        }

    @classmethod
    def for_palette(cls, palette: QPalette) -> MapColours:
        c = QColor
        if is_dark(palette):
            return cls(
                c("#161b22"), c("#1f2a3a"), c("#2a2340"), c("#6e7b8f"), c("#e6edf3"),
                c("#9aa7b8"), c("#8b97a8"), c("#0d1117"), c("#3b4654"), c("#c9d1d9"),
                c("#58a6ff"), c("#3fb950"), c("#ff7b72"), c("#e3b341"),
                c(255, 123, 114, 70), c(227, 179, 65, 70),
            )  # fmt: skip
        return cls(
            c("#ffffff"), c("#eef3fa"), c("#f3eefb"), c("#7d8797"), c("#1d2939"),
            c("#5f6b7a"), c("#7d8797"), c("#ffffff"), c("#d0d5dd"), c("#344054"),
            c("#2563eb"), c("#1a7f37"), c("#b42318"), c("#9a5b00"),
            c(220, 50, 47, 40), c(230, 160, 0, 40),
        )  # fmt: skip


def _dashed(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _rect(box: Box) -> QRectF:
    return QRectF(box.x, box.y, box.width, box.height)


@cache
def _name_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


@cache
def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    return font


@cache
def _name_metrics() -> QFontMetricsF:
    return QFontMetricsF(_name_font())


@cache
def _small_metrics() -> QFontMetricsF:
    return QFontMetricsF(_small_font())


class QtMetrics:
    """flowmap_geometry's Metrics, measured with the fonts the items draw with. Widths
    are remembered: a map says "1", "otherwise" and "Redirect" hundreds of times."""

    def __init__(self) -> None:
        self._names = _name_metrics()
        self._labels = _small_metrics()
        self.line_height = self._labels.height()
        self._label_widths: dict[str, float] = {}
        self._name_widths: dict[str, float] = {}

    def label_width(self, text: str) -> float:
        width = self._label_widths.get(text)
        if width is None:
            width = self._label_widths[text] = self._labels.horizontalAdvance(text)
        return width

    def name_width(self, text: str) -> float:
        width = self._name_widths.get(text)
        if width is None:
            width = self._name_widths[text] = self._names.horizontalAdvance(text)
        return width


UNREACHED_TIP = "Not reached by a test: no flow test's call came here"


class NodeItem(QGraphicsItem):
    """A flow or a switch: a rounded box with its kind's icon, its name and a second line
    ("entry · 3 verbs", "switch on Digits"); tinted by its problems, ringed while a call
    runs in it, marked at its left side when it is the entry, and outlined dashed when no
    flow test reached it."""

    def __init__(
        self, name: str, kind: NodeKind, box: Box, subtitle: str, entry: bool, colours: MapColours
    ) -> None:
        super().__init__()
        self.name = name
        self.kind = kind
        self.box = box
        self.subtitle = subtitle
        self.entry = entry
        self.colours = colours
        self.severity: Severity | None = None
        self.live = False
        self.target = False  # a connection being dragged would end here
        self.plain = False  # drawn for an export: no selection, no live ring, no coverage
        self.unreached = False  # no flow test reached it
        self.missed_cases: tuple[str, ...] = ()  # a switch's cases no flow test took
        self._rect = _rect(box)
        self._ring = self._rect.adjusted(-3, -3, 3, 3)
        self.setZValue(NODE_Z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        what = "switch" if kind is NodeKind.SWITCH else "flow"
        self._tip = (
            f"{what} {name}{' (the entry)' if entry else ''}: click to select it, "
            "double-click to open it, drag to another node to connect them"
        )
        self.setToolTip(self._tip)

    def set_coverage(self, unreached: bool, missed_cases: tuple[str, ...] = ()) -> None:
        """Outline it dashed when no flow test reached it; its tooltip says so, and names
        a switch's cases no test took."""
        if unreached == self.unreached and missed_cases == self.missed_cases:
            return
        self.unreached, self.missed_cases = unreached, missed_cases
        lines = [self._tip]
        if unreached:
            lines.append(UNREACHED_TIP)
        if missed_cases:
            cases = ", ".join(c if c == "otherwise" else repr(c) for c in missed_cases)
            lines.append(f"Cases no test took: {cases} (dashed)")
        self.setToolTip("\n".join(lines))
        self.update()

    def boundingRect(self) -> QRectF:
        return _rect(self.box).adjusted(-12, -6, 6, 6)  # the ring and the entry mark

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(_rect(self.box), RADIUS, RADIUS)
        return path

    def set_state(self, *, severity: Severity | None = None, live: bool | None = None) -> None:
        changed = False
        if severity != self.severity:
            self.severity, changed = severity, True
        if live is not None and live != self.live:
            self.live, changed = live, True
        if changed:
            self.update()

    def set_target(self, target: bool) -> None:
        if target != self.target:
            self.target = target
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        colours, pens, rect = self.colours, self.colours.pens, self._rect
        if self.live and not self.plain:
            painter.setPen(pens["live"])
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._ring, RADIUS + 3, RADIUS + 3)
        pen = pens["border"]
        if self.severity is not None:
            pen = pens[self.severity.value]
        if (self.isSelected() and not self.plain) or self.target:
            pen = pens["selected"]
        if self.unreached and not self.plain:
            pen = QPen(pen)
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(colours.switch if self.kind is NodeKind.SWITCH else colours.flow)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        if self.severity is not None:
            tint = colours.error_tint if self.severity is Severity.ERROR else colours.warning_tint
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tint)
            painter.drawRoundedRect(rect, RADIUS, RADIUS)
        # Zoomed far out the text is too small to read: boxes only, and a fast paint.
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= MIN_TEXT_DETAIL:
            self._paint_contents(painter, rect)
        if self.entry:
            self._paint_entry_mark(painter, rect)

    def _paint_contents(self, painter: QPainter, rect: QRectF) -> None:
        colours = self.colours
        icon_rect = QRectF(rect.x() + 8, rect.center().y() - ICON_SIZE / 2, ICON_SIZE, ICON_SIZE)
        kind_icon(self.kind).paint(painter, icon_rect.toRect())
        text_left = icon_rect.right() + 6
        width = rect.right() - 8 - text_left
        name_font, small = _name_font(), _small_font()
        names, smalls = _name_metrics(), _small_metrics()
        total = names.height() + smalls.height()
        top = rect.center().y() - total / 2
        painter.setFont(name_font)
        painter.setPen(colours.text)
        name = names.elidedText(self.name, Qt.TextElideMode.ElideRight, width)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(text_left, top, width, names.height()), align, name)
        painter.setFont(small)
        painter.setPen(colours.subtitle)
        subtitle = smalls.elidedText(self.subtitle, Qt.TextElideMode.ElideRight, width)
        line = QRectF(text_left, top + names.height(), width, smalls.height())
        painter.drawText(line, align, subtitle)

    def _paint_entry_mark(self, painter: QPainter, rect: QRectF) -> None:
        """A green disc with a play triangle on the left side: calls start here."""
        centre = QPointF(rect.left(), rect.center().y())
        painter.setPen(self.colours.pens["mark"])
        painter.setBrush(self.colours.live)
        painter.drawEllipse(centre, 8, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        x, y = centre.x(), centre.y()
        painter.drawPolygon(
            QPolygonF([QPointF(x - 2.5, y - 4), QPointF(x - 2.5, y + 4), QPointF(x + 4, y)])
        )


def kind_icon(kind: NodeKind) -> QIcon:
    """The icon of a flow or a switch, as the Flows list shows them."""
    return switch_icon() if kind is NodeKind.SWITCH else flow_icon()


@dataclass
class DrawnEdge:
    """One edge as the layers draw it: its path, arrowhead, label and where they are."""

    source: str
    target: str
    label: str
    path: QPainterPath
    arrow: QPolygonF
    bounds: QRectF
    label_rect: QRectF | None


def drawn_edge(shape: EdgeShape) -> DrawnEdge:
    path = QPainterPath(QPointF(*shape.start))
    line, cubic = path.lineTo, path.cubicTo
    for piece in shape.pieces:
        if isinstance(piece, Curve):
            (x1, y1), (x2, y2), (x, y) = piece
            cubic(x1, y1, x2, y2, x, y)
        else:
            line(*piece.end)
    arrow = QPolygonF([QPointF(*point) for point in shape.arrow])
    # The arrowhead sits at the path's end, within ARROW_LENGTH of it.
    reach = ARROW_LENGTH + 2
    bounds = path.boundingRect().adjusted(-reach, -reach, reach, reach)
    label = _rect(shape.label) if shape.label is not None else None
    edge = shape.edge
    return DrawnEdge(edge.source, edge.target, edge.label, path, arrow, bounds, label)


class _Layer(QGraphicsItem):
    """Many edges (or their labels) in one item: one Python paint call draws those in the
    exposed rectangle, where an item each made 2 x 465 calls on a 200-node map."""

    def __init__(self, edges: list[DrawnEdge], colours: MapColours, z: float, bounds: Box) -> None:
        super().__init__()
        self.edges = edges
        self.colours = colours
        self.emphasised: frozenset[int] = frozenset()  # indexes into `edges`
        self.unreached: frozenset[int] = frozenset()  # switch cases no flow test took
        self.setZValue(z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # exposedRect
        self._bounds = _rect(bounds)  # the whole map's: it holds every edge and label

    def boundingRect(self) -> QRectF:
        return self._bounds

    def set_emphasised(self, indexes: frozenset[int]) -> None:
        if indexes != self.emphasised:
            self.emphasised = indexes
            self.update()

    def set_unreached(self, indexes: frozenset[int]) -> None:
        """Draw these edges (switch cases no flow test took) dashed."""
        if indexes != self.unreached:
            self.unreached = indexes
            self.update()


class EdgeLayer(_Layer):
    """Every edge's path and arrowhead; those of the selected node's edges stronger."""

    def __init__(self, edges: list[DrawnEdge], colours: MapColours, bounds: Box) -> None:
        super().__init__(edges, colours, EDGE_Z, bounds)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        exposed = option.exposedRect
        pens = self.colours.pens
        for strong in (False, True):  # the emphasised ones on top
            colour = self.colours.selected if strong else self.colours.edge
            pen = "strong" if strong else "edge"
            painter.setBrush(Qt.BrushStyle.NoBrush)
            drawn = [
                (i, edge)
                for i, edge in enumerate(self.edges)
                if (i in self.emphasised) == strong and edge.bounds.intersects(exposed)
            ]
            for dashed in (False, True):
                painter.setPen(pens[f"{pen}-unreached" if dashed else pen])
                for i, edge in drawn:
                    if (i in self.unreached) == dashed:
                        painter.drawPath(edge.path)
            drawn = [edge for _i, edge in drawn]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            for edge in drawn:
                painter.drawPolygon(edge.arrow)


class LabelLayer(_Layer):
    """Every edge's label ("1", "otherwise", "Gather action") in a small rounded box, over
    every edge, so a run passing behind one never hides it."""

    def __init__(self, edges: list[DrawnEdge], colours: MapColours, bounds: Box) -> None:
        labelled = [e for e in edges if e.label_rect is not None]
        super().__init__(labelled, colours, LABEL_Z, bounds)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        # Zoomed far out labels are specks: leave them out (and the paint is fast).
        if option.levelOfDetailFromTransform(painter.worldTransform()) < MIN_TEXT_DETAIL:
            return
        exposed = option.exposedRect
        colours = self.colours
        painter.setFont(_small_font())
        for i, edge in enumerate(self.edges):
            rect = edge.label_rect
            if rect is None or not rect.intersects(exposed):
                continue
            painter.setPen(colours.pens["label-unreached" if i in self.unreached else "label"])
            painter.setBrush(colours.label_fill)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(colours.label_text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, edge.label)
