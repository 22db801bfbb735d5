"""The flow map's graph and layout, headless."""

import random

from gui.core.flowmap import (
    MapEdge,
    MapNode,
    NodeKind,
    build_graph,
    crossings,
    layout,
)


def graph(names, edges, entry):
    return build_graph(
        [MapNode(n, NodeKind.SWITCH if n.startswith("sw") else NodeKind.FLOW) for n in names],
        [MapEdge(a, b, label) for a, b, label in edges],
        entry,
    )


IVR = graph(
    ["goodbye", "support", "sales", "menu", "sw-route"],
    [
        ("menu", "sw-route", "Gather action"),
        ("sw-route", "sales", "1"),
        ("sw-route", "support", "2"),
        ("sw-route", "menu", "otherwise"),
        ("menu", "goodbye", "Redirect"),
        ("sales", "nowhere", "Redirect"),
    ],
    "menu",
)


def test_columns_run_left_to_right_from_the_entry():
    result = layout(IVR)
    assert result.column == {
        "menu": 0,
        "sw-route": 1,
        "goodbye": 1,
        "sales": 2,
        "support": 2,
    }
    assert [sorted(c) for c in result.columns()] == [
        ["menu"],
        ["goodbye", "sw-route"],
        ["sales", "support"],
    ]


def test_edges_to_unknown_names_dangle_and_are_not_laid_out():
    assert [(e.source, e.target) for e in IVR.dangling] == [("sales", "nowhere")]
    assert "nowhere" not in layout(IVR).column
    assert IVR.node("sw-route").kind is NodeKind.SWITCH
    assert IVR.node("nowhere") is None


def test_nodes_nothing_reaches_come_after_the_entrys_tree():
    g = graph(["a", "b", "orphan", "c"], [("a", "b", "x"), ("orphan", "c", "y")], "a")
    result = layout(g)
    assert result.column["a"] == 0 and result.column["b"] == 1
    assert result.column["orphan"] == 2
    assert result.column["c"] == 3


def test_no_entry_lays_out_every_node_in_project_order():
    g = graph(["a", "b"], [], None)
    assert layout(g).column == {"a": 0, "b": 0}
    assert layout(g).columns() == [["a", "b"]]


def test_rows_are_ordered_to_remove_crossings():
    # In project order, a->y and b->x cross; the barycentre sweep uncrosses them.
    g = graph(
        ["root", "a", "b", "y", "x"],
        [("root", "a", ""), ("root", "b", ""), ("a", "x", ""), ("b", "y", "")],
        "root",
    )
    result = layout(g)
    assert crossings(g, result) == 0
    assert result.columns()[2] == ["x", "y"]


def test_a_large_random_project_is_laid_out_completely_with_few_crossings():
    rng = random.Random(7)
    names = [f"f{i}" for i in range(200)]
    edges = []
    for i in range(1, 200):  # a tree, so every node is reachable from f0 ...
        edges.append((names[rng.randrange(i)], names[i], "Redirect"))
    for _ in range(60):  # ... plus cross links, as menus have
        a, b = rng.sample(names, 2)
        edges.append((a, b, "1"))
    g = graph(names, edges, "f0")
    result = layout(g)
    assert set(result.column) == set(names)
    assert all(result.column[n] > 0 for n in names[1:])
    unordered = layout(graph(names, edges, "f0"))  # deterministic
    assert unordered == result
    # The sweeps keep crossings well below the project order's.
    from gui.core.flowmap import Layout

    project_order = Layout(
        result.column,
        {n: i for col in _by_column(result, names) for i, n in enumerate(col)},
    )
    assert crossings(g, result) < crossings(g, project_order)


def _by_column(result, names):
    columns = {}
    for name in names:
        columns.setdefault(result.column[name], []).append(name)
    return columns.values()
