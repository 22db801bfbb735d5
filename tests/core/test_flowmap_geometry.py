"""Where the flow map draws things, headless: boxes left to right from the entry, every edge
drawn from its own port with its label, and no edge through a box or another's label."""

import random

import pytest

from gui.core.flowmap import Layout, MapEdge, MapNode, NodeKind, build_graph, layout
from gui.core.flowmap_geometry import (
    Box,
    Curve,
    FixedMetrics,
    Side,
    place,
)


def graph(names, edges, entry):
    return build_graph(
        [MapNode(n, NodeKind.SWITCH if n.startswith("route") else NodeKind.FLOW) for n in names],
        [MapEdge(a, b, label) for a, b, label in edges],
        entry,
    )


IVR = graph(
    ["menu", "menu-again", "sales", "support", "goodbye", "route", "route-again"],
    [
        ("menu", "route", "Gather action"),
        ("menu", "menu-again", "Redirect"),
        ("menu-again", "route-again", "Gather action"),
        ("menu-again", "goodbye", "Redirect"),
        ("route", "sales", "1"),
        ("route", "support", "2"),
        ("route", "menu-again", "otherwise"),
        ("route-again", "sales", "1"),
        ("route-again", "support", "2"),
        ("route-again", "goodbye", "otherwise"),
    ],
    "menu",
)


def random_graph(seed: int, size: int = 40):
    """Flows and switches with forward, same-column, backward and self edges."""
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(size)]
    edges = set()
    for i, name in enumerate(names):
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.7 and i + 1 < size:
                target = names[rng.randrange(i + 1, min(size, i + 6))]
            else:
                target = rng.choice(names)  # back, same column or itself
            edges.add((name, target, rng.choice(["1", "2", "otherwise", "Redirect", ""])))
    return graph(names, sorted(edges), "n0")


def geometry(g):
    return place(g, layout(g), FixedMetrics())


def test_boxes_run_left_to_right_from_the_entry_and_never_overlap():
    result = layout(IVR)
    geo = geometry(IVR)
    boxes = geo.boxes
    assert set(boxes) == {n.name for n in IVR.nodes}
    for name, box in boxes.items():
        for other, other_box in boxes.items():
            if name != other:
                assert not box.intersects(other_box), (name, other)
    # A column's boxes share their left side; each column is right of the one before.
    lefts = [{boxes[n].x for n in names} for names in result.columns()]
    assert all(len(xs) == 1 for xs in lefts)
    assert [xs.pop() for xs in lefts] == sorted({boxes[n].x for n in boxes})
    assert boxes["menu"].x == min(b.x for b in boxes.values())
    assert boxes["menu"].right < boxes["route"].x < boxes["route"].right < boxes["sales"].x
    # Within a column, rows go down in the layout's order.
    for names in result.columns():
        ys = [boxes[n].y for n in names]
        assert ys == sorted(ys)


def test_every_edge_is_drawn_from_its_source_to_its_target_with_its_label():
    geo = geometry(IVR)
    assert [s.edge for s in geo.edges] == IVR.edges
    for shape in geo.edges:
        source, target = geo.boxes[shape.edge.source], geo.boxes[shape.edge.target]
        assert shape.start[0] == source.right
        assert source.y < shape.start[1] < source.bottom
        x, y = shape.end
        if shape.side is Side.LEFT:
            assert x == target.x and target.y < y < target.bottom
        else:
            assert y == (target.y if shape.side is Side.TOP else target.bottom)
            assert target.x < x < target.right
        assert shape.arrow[0] == shape.end
        assert shape.label is not None
        assert shape.label.x > source.right  # in the lane right of its source
        assert shape.label.contains((shape.label.x + 1, shape.start[1]))  # on its own port


def test_edges_to_a_later_column_enter_the_left_side_the_others_from_above_or_below():
    sides = {(s.edge.source, s.edge.target): s.side for s in geometry(IVR).edges}
    assert sides[("menu", "route")] is Side.LEFT
    assert sides[("route", "sales")] is Side.LEFT
    # The same column: a switch's otherwise back up to a sibling enters from below.
    assert sides[("route", "menu-again")] is Side.BOTTOM
    back = graph(["a", "b", "c"], [("a", "b", "x"), ("b", "c", "y"), ("c", "a", "again")], "a")
    shapes = {(s.edge.source, s.edge.target): s for s in geometry(back).edges}
    assert shapes[("c", "a")].side in (Side.TOP, Side.BOTTOM)
    assert all(isinstance(p, Curve) or p.end for p in shapes[("c", "a")].pieces)
    itself = graph(["a"], [("a", "a", "Redirect")], "a")
    (loop,) = geometry(itself).edges
    assert loop.side is Side.TOP and loop.end[1] == geometry(itself).boxes["a"].y


def test_the_ports_of_a_node_are_ordered_by_where_their_edges_go():
    geo = geometry(IVR)
    route = sorted((s for s in geo.edges if s.edge.source == "route"), key=lambda s: s.start[1])
    targets = [geo.boxes[s.edge.target].center[1] for s in route]
    assert targets == sorted(targets)
    assert len({s.start[1] for s in route}) == 3  # one port each


@pytest.mark.parametrize("g", [IVR, *(random_graph(seed) for seed in range(6))])
def test_no_edge_crosses_a_box_or_another_edges_label_and_labels_never_overlap(g):
    geo = geometry(g)
    labels = [(s.edge, s.label) for s in geo.edges if s.label is not None]
    for i, (edge, label) in enumerate(labels):
        for _other, other_label in labels[i + 1 :]:
            assert not label.intersects(other_label), edge
        for name, box in geo.boxes.items():
            assert not label.intersects(box), (edge, name)
    for shape in geo.edges:
        points = shape.points(24)
        for name, box in geo.boxes.items():
            inside = [p for p in points if box.contains(p, inset=0.5)]
            assert not inside, f"{shape.edge} passes through {name} at {inside[:3]}"
        for edge, label in labels:
            if edge != shape.edge:
                inside = [p for p in points if label.contains(p, inset=0.5)]
                assert not inside, f"{shape.edge} passes through the label of {edge}"


def test_an_edge_past_a_column_crosses_it_between_two_boxes():
    # Breadth-first columns never make one, but any layout may: a -> d skips b and c.
    g = graph(
        ["a", "b", "c", "d", "e"],
        [("a", "b", "1"), ("b", "c", "2"), ("c", "d", "3"), ("a", "d", "far"), ("b", "e", "4")],
        "a",
    )
    columns = Layout(
        {"a": 0, "b": 1, "e": 1, "c": 2, "d": 3}, {"a": 0, "b": 0, "e": 1, "c": 0, "d": 0}
    )
    geo = place(g, columns, FixedMetrics())
    (far,) = [s for s in geo.edges if s.edge.label == "far"]
    assert far.side is Side.LEFT
    for name in ("b", "c", "e"):
        box = geo.boxes[name]
        assert not [p for p in far.points(24) if box.contains(p, inset=0.5)], name
    # It runs straight through each column it crosses, in a gap.
    crossing = [p for p in far.points(24) if geo.boxes["b"].x < p[0] < geo.boxes["b"].right]
    assert len({round(y, 6) for _x, y in crossing}) == 1


@pytest.mark.parametrize("seed", range(4))
def test_the_bounds_hold_everything(seed):
    geo = geometry(random_graph(seed))
    bounds = geo.bounds
    for box in geo.boxes.values():
        assert bounds.x <= box.x and box.right <= bounds.right
        assert bounds.y <= box.y and box.bottom <= bounds.bottom
    for shape in geo.edges:
        for x, y in shape.points(8):
            assert bounds.x <= x <= bounds.right and bounds.y <= y <= bounds.bottom
        if shape.label is not None:
            assert shape.label.right <= bounds.right


def test_an_empty_graph_and_a_graph_without_edges():
    empty = geometry(graph([], [], None))
    assert empty.boxes == {} and empty.edges == []
    assert empty.bounds.width > 0 and empty.bounds.height > 0
    lone = geometry(graph(["only"], [], "only"))
    assert list(lone.boxes) == ["only"] and lone.edges == []


def test_longer_names_and_labels_make_wider_boxes_and_lanes():
    short = geometry(graph(["a", "b"], [("a", "b", "1")], "a"))
    long_name = "a-flow-with-a-long-name"
    longer = geometry(graph([long_name, "b"], [(long_name, "b", "Mon-Fri 09:00-17:00")], long_name))
    assert longer.boxes[long_name].width > short.boxes["a"].width
    assert longer.boxes["b"].x - longer.boxes[long_name].right > (
        short.boxes["b"].x - short.boxes["a"].right
    )


def test_box_geometry():
    box = Box(10, 20, 100, 40)
    assert (box.right, box.bottom, box.center) == (110, 60, (60, 40))
    assert box.contains((11, 21)) and not box.contains((11, 21), inset=2)
    assert box.intersects(Box(100, 50, 5, 5)) and not box.intersects(Box(110, 20, 5, 5))
