"""The flow map's graph and its layout, Qt-free: flows (and switches) are nodes, every
`flow:` reference and every switch case an edge (`project_graph` makes it from a project),
laid out in columns from the entry, left to right.

The layout is a small layered (Sugiyama-style) one: columns by breadth-first distance from
the entry (nodes nothing reaches go in a column after the last), then a few sweeps that
order each column by the mean position of its neighbours in the column before (the
barycentre heuristic), which keeps most edges from crossing. It costs O(sweeps * edges)
and does not depend on Qt, so it is tested and measured headless.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import Project

SWEEPS = 4  # barycentre passes (down and up): enough for menus; more rarely helps


class NodeKind(Enum):
    """What a node on the map stands for."""

    FLOW = "flow"
    SWITCH = "switch"


@dataclass(frozen=True)
class MapNode:
    """A flow or switch on the map."""

    name: str
    kind: NodeKind = NodeKind.FLOW


@dataclass(frozen=True)
class MapEdge:
    """A way from one node to another: its label says how ("Redirect", "Gather action",
    "1", "otherwise", "Mon-Fri 09:00-17:00")."""

    source: str
    target: str
    label: str


@dataclass
class FlowGraph:
    """The nodes and edges of a project; edges to names that are not nodes are kept in
    `dangling` (lint reports them), not drawn."""

    nodes: list[MapNode] = field(default_factory=list)
    edges: list[MapEdge] = field(default_factory=list)
    dangling: list[MapEdge] = field(default_factory=list)
    entry: str | None = None

    def node(self, name: str) -> MapNode | None:
        return next((n for n in self.nodes if n.name == name), None)


def build_graph(nodes: Sequence[MapNode], edges: Iterable[MapEdge], entry: str | None) -> FlowGraph:
    """A graph of `nodes` and the `edges` between them (edges to unknown names dangle)."""
    names = {node.name for node in nodes}
    graph = FlowGraph(list(nodes), entry=entry if entry in names else None)
    for edge in edges:
        (graph.edges if edge.target in names and edge.source in names else graph.dangling).append(
            edge
        )
    return graph


def project_graph(project: Project) -> FlowGraph:
    """The map of `project`: its flows, then its switches, as nodes; an edge for every
    `flow:` reference (labelled with the verb and its attribute, "Gather action", or the
    verb alone for a reference in its text, "Redirect") and for every case of a switch
    (its label, "1", "2 or 3", "Mon-Fri 09:00-17:00") and its otherwise. The same edge
    twice (two Redirects to one flow) is drawn once."""
    nodes = [MapNode(name) for name in project.names]
    nodes += [MapNode(name, NodeKind.SWITCH) for name in project.switch_names]
    edges: dict[MapEdge, None] = {}  # ordered and without repeats
    for source, refs in project.references_by_flow().items():
        for node, attribute, target in refs:
            label = node.tag if attribute is None else f"{node.tag} {attribute}"
            edges[MapEdge(source, target, label)] = None
    for name, switch in project.switches.items():
        for case in switch.cases:
            edges[MapEdge(name, case.goto, case.label())] = None
        if switch.otherwise is not None:
            edges[MapEdge(name, switch.otherwise, "otherwise")] = None
    return build_graph(nodes, edges, project.entry)


@dataclass(frozen=True)
class Layout:
    """Where each node goes: its column (0 = the entry's) and its row within the column."""

    column: dict[str, int]
    row: dict[str, int]

    def columns(self) -> list[list[str]]:
        """The names of each column, top to bottom."""
        width = max(self.column.values(), default=-1) + 1
        out: list[list[str]] = [[] for _ in range(width)]
        for name, column in self.column.items():
            out[column].append(name)
        for names in out:
            names.sort(key=self.row.__getitem__)
        return out


def layout(graph: FlowGraph) -> Layout:
    """Columns by distance from the entry (then from each node nothing reaches, in project
    order), rows ordered to keep edges from crossing."""
    successors: dict[str, list[str]] = defaultdict(list)
    predecessors: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.target != edge.source:
            successors[edge.source].append(edge.target)
            predecessors[edge.target].append(edge.source)
    column = _columns(graph, successors)
    columns: list[list[str]] = [[] for _ in range(max(column.values(), default=-1) + 1)]
    for node in graph.nodes:  # project order is the first guess within each column
        columns[column[node.name]].append(node.name)
    for sweep in range(SWEEPS):
        if sweep % 2 == 0:
            for i in range(1, len(columns)):
                _order_by(columns[i], columns[i - 1], predecessors)
        else:
            for i in range(len(columns) - 2, -1, -1):
                _order_by(columns[i], columns[i + 1], successors)
    row = {name: index for names in columns for index, name in enumerate(names)}
    return Layout(column, row)


def _columns(graph: FlowGraph, successors: dict[str, list[str]]) -> dict[str, int]:
    """Breadth-first distance from the entry; each node not reached starts a new search in
    the column after the deepest so far, so the whole project is shown."""
    column: dict[str, int] = {}
    starts = ([graph.entry] if graph.entry else []) + [n.name for n in graph.nodes]
    base = 0
    for start in starts:
        if start in column:
            continue
        queue = deque([start])
        column[start] = base
        deepest = base
        while queue:
            name = queue.popleft()
            for target in successors.get(name, ()):
                if target not in column:
                    column[target] = column[name] + 1
                    deepest = max(deepest, column[target])
                    queue.append(target)
        base = deepest + 1 if start == graph.entry else base
    return column


def _order_by(names: list[str], neighbours: list[str], links: dict[str, list[str]]) -> None:
    """Sort `names` in place by the mean row of their linked nodes in `neighbours`; a node
    with no link there keeps its place (a stable sort on its current row)."""
    position = {name: index for index, name in enumerate(neighbours)}
    current = {name: index for index, name in enumerate(names)}

    def barycentre(name: str) -> float:
        rows = [position[other] for other in links.get(name, ()) if other in position]
        return sum(rows) / len(rows) if rows else float(current[name])

    names.sort(key=lambda name: (barycentre(name), current[name]))


def crossings(graph: FlowGraph, result: Layout) -> int:
    """How many pairs of edges between adjacent columns cross (for tests and benchmarks)."""
    spans = [
        (result.column[e.source], result.row[e.source], result.row[e.target])
        for e in graph.edges
        if result.column[e.target] == result.column[e.source] + 1
    ]
    count = 0
    for i, (column_a, from_a, to_a) in enumerate(spans):
        for column_b, from_b, to_b in spans[i + 1 :]:
            if column_a == column_b and (from_a - from_b) * (to_a - to_b) < 0:
                count += 1
    return count
