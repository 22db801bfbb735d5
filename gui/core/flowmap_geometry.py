"""Where the flow map draws each thing, Qt-free: a box per node, and per edge a path that
leaves its source, carries its label and ends in an arrowhead on its target.

Columns and rows come from flowmap.layout. Every edge leaves from a port of its own on the
right side of its source (ports ordered by where the edges go, so they do not cross as
they leave) and runs straight through the column's label lane, where its label sits; so
labels never overlap one another, a box or an edge. Curves only bend in the channels
between columns, which hold no box and no label:

- an edge to the next column curves into the target's left side;
- an edge to a later column crosses the columns between through the gaps between boxes;
- an edge to the same column (a switch's case to a sibling) turns in the channel on the
  right, runs along the gap beside its target and enters it from above or below;
- an edge back to an earlier column (a menu that repeats) runs round the top or the bottom
  of the map and enters its target from above or below.

So no edge crosses a box or a label. Text widths come from the caller (`Metrics`): the Qt
side measures with its fonts, tests with a fixed width per character.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise
from typing import NamedTuple, Protocol

from .flowmap import FlowGraph, Layout, MapEdge

Point = tuple[float, float]

NODE_MIN_WIDTH = 120.0
NODE_MAX_WIDTH = 220.0
NODE_HEIGHT = 48.0
NODE_PADDING = 10.0  # inside a box, around its text
ICON_ROOM = 24.0  # the kind icon before the name
ROW_GAP = 40.0  # between boxes of a column: room for the runs of looping edges
LABEL_GAP = 8.0  # from the port to its label
LABEL_PADDING = 4.0  # inside a label's box, left and right
LANE_END = 10.0  # past the longest label of a column, before its channel
CHANNEL = 48.0  # between a column's label lane and the next column, for the curves
TRACK = 6.0  # apart: parallel runs of different edges in a channel, a gap or a lane
TURN = 8.0  # radius of the corners of looping edges
ARROW_LENGTH = 9.0
ARROW_WIDTH = 8.0
MARGIN = 16.0
SHORT_BACK = 2  # columns: an edge further back goes round the map instead of through it


class Side(Enum):
    """Which side of its target an edge enters."""

    LEFT = "left"
    TOP = "top"
    BOTTOM = "bottom"


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle, y growing downwards."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def center(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def intersects(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, point: Point, inset: float = 0.0) -> bool:
        """Whether `point` is inside, at least `inset` away from every side."""
        x, y = point
        return self.x + inset < x < self.right - inset and self.y + inset < y < self.bottom - inset


class Metrics(Protocol):
    """How wide texts are drawn, and how tall a line is."""

    line_height: float

    def label_width(self, text: str) -> float: ...

    def name_width(self, text: str) -> float: ...


@dataclass(frozen=True)
class FixedMetrics:
    """Text measured at a fixed width per character: for tests and headless use."""

    char_width: float = 7.0
    line_height: float = 16.0

    def label_width(self, text: str) -> float:
        return len(text) * self.char_width

    def name_width(self, text: str) -> float:
        return len(text) * self.char_width * 1.15


class Line(NamedTuple):
    """A straight piece of an edge's path, to `end`."""

    end: Point


class Curve(NamedTuple):
    """A cubic Bézier piece of an edge's path, to `end`."""

    control1: Point
    control2: Point
    end: Point


@dataclass(frozen=True)
class EdgeShape:
    """How one edge is drawn: from `start` (a port on its source's right side) through
    `pieces`, the last of which ends at the arrow's tip on `side` of the target."""

    edge: MapEdge
    start: Point
    pieces: tuple[Line | Curve, ...]
    side: Side
    arrow: tuple[Point, Point, Point]  # tip, then the two corners of its base
    label: Box | None  # where the label is drawn; None when the edge has no label

    @property
    def end(self) -> Point:
        return self.pieces[-1].end

    def points(self, per_piece: int = 12, spacing: float = 4.0) -> list[Point]:
        """Points along the path, at least `per_piece` per piece and at most `spacing`
        apart along straight pieces: for hit tests."""
        out = [self.start]
        here = self.start
        for piece in self.pieces:
            if isinstance(piece, Curve):
                out += [_bezier(here, piece, i / per_piece) for i in range(1, per_piece + 1)]
            else:
                (x0, y0), (x1, y1) = here, piece.end
                steps = max(per_piece, int(max(abs(x1 - x0), abs(y1 - y0)) / spacing) + 1)
                out += [
                    (x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
                    for i in range(1, steps + 1)
                ]
            here = piece.end
        return out


@dataclass(frozen=True)
class MapGeometry:
    """Everything the map draws, and the rectangle that holds it all (with a margin)."""

    boxes: dict[str, Box]
    edges: list[EdgeShape]
    bounds: Box


def _bezier(start: Point, curve: Curve, t: float) -> Point:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = start, curve.control1, curve.control2, curve.end
    return (a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)


def _curve_across(start: Point, end: Point) -> Curve:
    """An S-curve leaving `start` and arriving at `end` horizontally."""
    reach = max(12.0, (end[0] - start[0]) / 2)
    return Curve((start[0] + reach, start[1]), (end[0] - reach, end[1]), end)


def _rounded(points: list[Point]) -> list[Line | Curve]:
    """An axis-aligned path through `points` (the first is where it starts), its corners
    rounded; points where it goes straight on, or nowhere, are dropped."""
    kept = [points[0]]
    for i in range(1, len(points) - 1):
        (ax, ay), (bx, by), (cx, cy) = kept[-1], points[i], points[i + 1]
        if (ax != bx or bx != cx) and (ay != by or by != cy):
            kept.append(points[i])
    kept.append(points[-1])
    pieces: list[Line | Curve] = []
    for i in range(1, len(kept) - 1):
        (px, py), (x, y), (nx, ny) = kept[i - 1], kept[i], kept[i + 1]
        # The corner is cut TURN before and after (at most half of each side).
        if px == x:
            step = min(TURN, abs(py - y) / 2)
            before = (x, y - step if py < y else y + step)
        else:
            step = min(TURN, abs(px - x) / 2)
            before = (x - step if px < x else x + step, y)
        if nx == x:
            step = min(TURN, abs(ny - y) / 2)
            after = (x, y + step if ny > y else y - step)
        else:
            step = min(TURN, abs(nx - x) / 2)
            after = (x + step if nx > x else x - step, y)
        pieces += (Line(before), Curve((x, y), (x, y), after))
    pieces.append(Line(kept[-1]))
    return pieces


def _arrow(tip: Point, side: Side) -> tuple[Point, Point, Point]:
    x, y = tip
    half = ARROW_WIDTH / 2
    if side is Side.LEFT:  # pointing right, into the left side
        return tip, (x - ARROW_LENGTH, y - half), (x - ARROW_LENGTH, y + half)
    if side is Side.TOP:  # pointing down
        return tip, (x - half, y - ARROW_LENGTH), (x + half, y - ARROW_LENGTH)
    return tip, (x - half, y + ARROW_LENGTH), (x + half, y + ARROW_LENGTH)  # pointing up


def _spread(start: float, length: float, count: int) -> list[float]:
    """`count` positions spread evenly inside [start, start + length]."""
    return [start + length * (i + 1) / (count + 1) for i in range(count)]


class _Planner:
    """Works out one geometry; see `place`."""

    def __init__(self, graph: FlowGraph, layout: Layout, metrics: Metrics) -> None:
        self.graph = graph
        self.layout = layout
        self.column = layout.column
        self.metrics = metrics
        self.columns = layout.columns()
        self.pitch = metrics.line_height + 8  # one port per label line, labels not touching
        self.outgoing: dict[str, list[MapEdge]] = defaultdict(list)
        for edge in graph.edges:
            self.outgoing[edge.source].append(edge)
        self.boxes: dict[str, Box] = {}
        self.left: list[float] = []  # x of each column's boxes
        self.lane_end: list[float] = []  # x where each column's label lane ends
        self.sides: dict[MapEdge, Side] = {}  # edges to the same or an earlier column
        self._gaps: dict[int, list[float]] = {}
        self._gap_use: dict[tuple[int, float], int] = defaultdict(int)
        self._out_tracks: dict[int, int] = defaultdict(int)  # per channel, from its left
        self._through_tracks: dict[int, int] = defaultdict(int)  # per channel, from its right
        self.extent: list[Point] = []  # the corners of every edge, for the bounds
        self._lanes = {True: 0, False: 0}  # tracks used above and below the boxes
        self.top = self.bottom = 0.0  # of all the boxes

    # -- boxes --------------------------------------------------------------------------------

    def place_boxes(self) -> None:
        metrics = self.metrics
        widths = []
        for names in self.columns:
            wanted = max((metrics.name_width(n) for n in names), default=0.0)
            wanted += ICON_ROOM + 2 * NODE_PADDING
            widths.append(min(NODE_MAX_WIDTH, max(NODE_MIN_WIDTH, wanted)))
        heights = {
            name: max(NODE_HEIGHT, len(self.outgoing.get(name, ())) * self.pitch + 8)
            for names in self.columns
            for name in names
        }
        totals = [
            sum(heights[n] for n in names) + ROW_GAP * (len(names) - 1) for names in self.columns
        ]
        tallest = max(totals, default=0.0)
        tracks = self._tracks_per_channel()
        x = MARGIN
        for c, names in enumerate(self.columns):
            self.left.append(x)
            y = MARGIN + (tallest - totals[c]) / 2
            for name in names:
                self.boxes[name] = Box(x, y, widths[c], heights[name])
                y += heights[name] + ROW_GAP
            labels = [
                metrics.label_width(e.label) + 2 * LABEL_PADDING
                for n in names
                for e in self.outgoing.get(n, ())
                if e.label
            ]
            self.lane_end.append(x + widths[c] + LABEL_GAP + max(labels, default=0.0) + LANE_END)
            x = self.lane_end[-1] + CHANNEL + TRACK * tracks[c]

    def _tracks_per_channel(self) -> list[int]:
        """How many vertical runs each channel (the space right of a column) holds: one per
        edge that loops out of the column, one per edge that passes back through it."""
        column = self.column
        tracks = [0] * len(self.columns)
        for edge in self.graph.edges:
            source, target = column[edge.source], column[edge.target]
            if target <= source:
                tracks[source] += 1
            if source - target > SHORT_BACK:
                tracks[target] += 1  # round the map, then down the target's channel
            else:
                for c in range(target, source):
                    tracks[c] += 1
        return tracks

    # -- edges --------------------------------------------------------------------------------

    def place_edges(self) -> list[EdgeShape]:
        boxes = self.boxes.values()
        self.top = min((b.y for b in boxes), default=0.0)
        self.bottom = max((b.bottom for b in boxes), default=0.0)
        self._classify()
        starts = self._ports()
        forward = [
            (edge, self._waypoints(edge, starts[edge]))
            for edge in self.graph.edges
            if edge not in self.sides
        ]
        shapes = self._forward_shapes(forward, starts)
        shapes.update(self._loop_shapes(starts))
        return [shapes[id(edge)] for edge in self.graph.edges]

    def _cy(self, name: str) -> float:
        return self.boxes[name].center[1]

    def _classify(self) -> None:
        """Which side each edge to the same or an earlier column enters its target by: the
        side that faces its source (the top for an edge to itself)."""
        column = self.column
        for edge in self.graph.edges:
            if column[edge.target] > column[edge.source]:
                continue
            below = edge.target != edge.source and self._cy(edge.source) > self._cy(edge.target)
            self.sides[edge] = Side.BOTTOM if below else Side.TOP

    def _ports(self) -> dict[MapEdge, Point]:
        """Each edge's port on its source's right side, ordered by where it goes (an edge
        to itself first: it goes up into its own top)."""
        starts: dict[MapEdge, Point] = {}
        for source, edges in self.outgoing.items():
            box = self.boxes[source]

            def heading(edge: MapEdge, source: str = source) -> float:
                return float("-inf") if edge.target == source else self._cy(edge.target)

            ordered = sorted(edges, key=heading)  # stable: ties keep the project's order
            first = box.y + (box.height - len(ordered) * self.pitch) / 2 + self.pitch / 2
            for i, edge in enumerate(ordered):
                starts[edge] = (box.right, first + i * self.pitch)
        return starts

    def _stub(self, edge: MapEdge, start: Point) -> tuple[Point, Box | None]:
        """The end of the edge's straight run through its column's lane, and its label."""
        end = (self.lane_end[self.column[edge.source]], start[1])
        if not edge.label:
            return end, None
        height = self.metrics.line_height + 2
        width = self.metrics.label_width(edge.label) + 2 * LABEL_PADDING
        return end, Box(start[0] + LABEL_GAP, start[1] - height / 2, width, height)

    # -- gaps between the boxes of a column -----------------------------------------------------

    def _gap(self, c: int, wanted: float) -> float:
        """The y of the gap of column `c` (between two boxes, or above or below them all)
        nearest `wanted`, moved a track aside for each edge that already crosses there."""
        gaps = self._gaps_of(c)
        i = bisect.bisect_left(gaps, wanted)
        near = min(gaps[max(0, i - 1) : i + 1], key=lambda g: abs(g - wanted))
        used = self._gap_use[(c, near)]
        self._gap_use[(c, near)] = used + 1
        # Side by side, as many as the gap holds; more share a track, never touch a box.
        shift = min((used + 1) // 2 * TRACK, ROW_GAP / 2 - TRACK)
        return near + shift * (1 if used % 2 else -1)

    def _gaps_of(self, c: int) -> list[float]:
        if c not in self._gaps:
            boxes = [self.boxes[n] for n in self.columns[c]]
            gaps = [boxes[0].y - ROW_GAP / 2]
            gaps += [(a.bottom + b.y) / 2 for a, b in pairwise(boxes)]
            gaps.append(boxes[-1].bottom + ROW_GAP / 2)
            self._gaps[c] = gaps
        return self._gaps[c]

    def _along(self, start: Point, end: Point, x: float) -> float:
        """The y of the straight line from `start` to `end` at `x`."""
        if end[0] == start[0]:
            return start[1]
        return start[1] + (end[1] - start[1]) * (x - start[0]) / (end[0] - start[0])

    # -- edges to a later column ----------------------------------------------------------------

    def _waypoints(self, edge: MapEdge, start: Point) -> list[Point]:
        """For an edge to a later column: per column in between, the gap it crosses at
        (its entry and exit points), chosen nearest the straight line to its target."""
        first, last = self.column[edge.source] + 1, self.column[edge.target]
        target = self.boxes[edge.target]
        end = (target.x, target.center[1])
        points: list[Point] = []
        for c in range(first, last):
            y = self._gap(c, self._along(start, end, self.left[c]))
            points += [(self.left[c], y), (self.lane_end[c], y)]
        return points

    def _forward_shapes(
        self, forward: list[tuple[MapEdge, list[Point]]], starts: dict[MapEdge, Point]
    ) -> dict[int, EdgeShape]:
        by_target: dict[str, list[tuple[MapEdge, list[Point]]]] = defaultdict(list)
        for edge, points in forward:
            by_target[edge.target].append((edge, points))
        shapes: dict[int, EdgeShape] = {}
        for target, arriving in by_target.items():
            box = self.boxes[target]
            # Ports down the left side in the order the edges arrive from: no crossing there.
            arriving.sort(key=lambda item: (item[1][-1] if item[1] else starts[item[0]])[1])
            ys = _spread(box.y, box.height, len(arriving))
            for (edge, points), y in zip(arriving, ys, strict=True):
                start = starts[edge]
                stub, label = self._stub(edge, start)
                pieces: list[Line | Curve] = [Line(stub)]
                here = stub
                for enter, leave in zip(points[::2], points[1::2], strict=True):
                    pieces += [_curve_across(here, enter), Line(leave)]
                    here = leave
                tip = (box.x, y)
                pieces.append(_curve_across(here, tip))
                shapes[id(edge)] = EdgeShape(
                    edge, start, tuple(pieces), Side.LEFT, _arrow(tip, Side.LEFT), label
                )
        return shapes

    # -- edges to the same or an earlier column ---------------------------------------------------

    def _loop_shapes(self, starts: dict[MapEdge, Point]) -> dict[int, EdgeShape]:
        """Edges to the same or an earlier column: out into the channel on the source's
        right; for an earlier column, leftwards through a gap of each column on the way
        (down the channel between two columns); then along the gap beside the target, from
        its right, and into it from above or below."""
        groups: dict[tuple[str, Side], list[MapEdge]] = defaultdict(list)
        for edge, side in self.sides.items():
            groups[(edge.target, side)].append(edge)
        shapes: dict[int, EdgeShape] = {}
        for (target, side), edges in groups.items():
            box = self.boxes[target]
            # The run nearest the target takes the rightmost port: the runs nest.
            ports = list(reversed(_spread(box.x, box.width, len(edges))))
            edges.sort(key=lambda e: abs(starts[e][1] - self._cy(target)))
            for j, edge in enumerate(edges):
                start = starts[edge]
                stub, label = self._stub(edge, start)
                toward = -1 if side is Side.TOP else 1
                edge_y = box.y if side is Side.TOP else box.bottom
                # Along the gap beside it (a full gap shares its outermost track).
                run = edge_y + toward * min(ROW_GAP / 4 + TRACK * j, ROW_GAP - TRACK)
                tip = (ports[j], edge_y)
                corners = self._corners(edge, stub, run, tip)
                self.extent += corners
                pieces = [Line(stub), *_rounded([stub, *corners, tip])]
                shapes[id(edge)] = EdgeShape(
                    edge, start, tuple(pieces), side, _arrow(tip, side), label
                )
        return shapes

    def _corners(self, edge: MapEdge, stub: Point, run: float, tip: Point) -> list[Point]:
        """The corners of a looping edge, from its channel to the run beside its target."""
        source, target = self.column[edge.source], self.column[edge.target]
        x = self.lane_end[source] + TRACK * (1 + self._out_tracks[source])
        self._out_tracks[source] += 1
        corners = [(x, stub[1])]
        if source - target > SHORT_BACK:
            # Far back: round the top or the bottom of the map, not through every column.
            x_in = self._through_x(target)
            over_top = stub[1] + run <= self.top + self.bottom
            lane = self._lane(over_top)
            corners += [(x, lane), (x_in, lane)]
            x = x_in
        for c in range(source, target, -1) if source - target <= SHORT_BACK else ():
            y = self._gap(c, self._along(stub, (tip[0], run), (self.left[c] + x) / 2))
            corners += [(x, y)]
            x = self._through_x(c - 1)
            corners += [(x, y)]
        return [*corners, (x, run), (tip[0], run)]

    def _through_x(self, c: int) -> float:
        """A new vertical track in the channel right of column `c`, from its right side."""
        x = self.left[c + 1] - CHANNEL / 4 - TRACK * self._through_tracks[c]
        self._through_tracks[c] += 1
        return x

    def _lane(self, over_top: bool) -> float:
        """A new horizontal track above (or below) every box."""
        used = self._lanes[over_top]
        self._lanes[over_top] = used + 1
        if over_top:
            return self.top - ROW_GAP / 2 - TRACK * used
        return self.bottom + ROW_GAP / 2 + TRACK * used


def place(graph: FlowGraph, layout: Layout, metrics: Metrics | None = None) -> MapGeometry:
    """Boxes and edge paths for `graph` laid out as `layout` (see the module docstring)."""
    planner = _Planner(graph, layout, metrics or FixedMetrics())
    planner.place_boxes()
    edges = planner.place_edges()
    return MapGeometry(planner.boxes, edges, _bounds(planner, edges))


def _bounds(planner: _Planner, edges: list[EdgeShape]) -> Box:
    """The rectangle around everything (a curve across a channel stays between its ends;
    a looping edge between its corners)."""
    if not planner.boxes:
        return Box(0, 0, 2 * MARGIN, 2 * MARGIN)
    boxes = planner.boxes.values()
    xs = [b.x for b in boxes] + [x for x, _ in planner.extent]
    xs += [s.label.right for s in edges if s.label is not None]
    xs += [planner.lane_end[-1]]
    ys = [b.y for b in boxes] + [b.bottom for b in boxes] + [y for _, y in planner.extent]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    return Box(left - MARGIN, top - MARGIN, right - left + 2 * MARGIN, bottom - top + 2 * MARGIN)
