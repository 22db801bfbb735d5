"""Benchmark the flow map on a 200-node project, each figure next to a baseline measured in
the same run.

1. First paint: the map panel made, the project's graph built, laid out and drawn, the
   view grabbed (the project's lint, which the window does anyway, is done before).
   Baseline: a bare QGraphicsView with as many plain rectangles and lines, grabbed.
   Target: < 200 ms.
2. A relayout after an edit (a Redirect added to a flow, as a drag-connect does): the
   graph built again, laid out and drawn, the view grabbed. Baseline: the bare view's
   items removed, made again and grabbed. Target: < 200 ms.

The project is generated: flows with a Gather whose action goes to a switch and a
Redirect onward (some back to earlier flows, as a menu that repeats), switches with two
to four cases and an otherwise.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_flowmap.py [--nodes N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView

from gui.core.flexml import parse
from gui.core.flowmap import layout, project_graph
from gui.core.project import Project
from gui.core.switches import MatchKind, Switch, make_case

TARGET_MS = 200.0
VIEW_SIZE = (1200, 800)


def generated_project(nodes: int, seed: int = 12) -> Project:
    """`nodes` flows and switches (about a third switches), entry `flow-0`."""
    rng = random.Random(seed)
    switches = nodes // 3
    flows = nodes - switches
    project = Project()
    for i in range(flows):
        parts = ["<Response>"]
        if i < switches:
            parts.append(
                f'<Gather action="flow:switch-{i}" numDigits="1"><Say>Menu {i}</Say></Gather>'
            )
        onward = rng.randrange(flows) if rng.random() < 0.2 else min(flows - 1, i + 1)
        parts.append(f"<Redirect>flow:flow-{onward}</Redirect></Response>")
        project.add_flow(f"flow-{i}", parse("".join(parts).encode()))
    for i in range(switches):
        cases = tuple(
            make_case(MatchKind.VALUE, str(key), f"flow-{rng.randrange(i + 1, flows)}")
            for key in range(1, rng.randint(3, 5))
        )
        project.add_switch(Switch(f"switch-{i}", "Digits", cases, f"flow-{i}"))
    project.set_entry("flow-0")
    return project


class Stopwatch:
    """Wall-clock and CPU milliseconds of a `with` block (CPU time says what the work
    costs when other processes share the machine; wall time is what a person waits)."""

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = (time.perf_counter() - self._wall) * 1000
        self.cpu = (time.process_time() - self._cpu) * 1000


def first_paint(project: Project, app: QApplication, problems) -> tuple[Stopwatch, object]:
    """The panel made, shown (the graph built, laid out, drawn), tinted by `problems` (the
    window's lint, done before) and grabbed."""
    from gui.qt.designer.editing import Editing
    from gui.qt.designer.flow_map import FlowMapPanel

    with Stopwatch() as watch:
        panel = FlowMapPanel(Editing(project))
        panel.resize(*VIEW_SIZE)
        panel.show()
        panel.refresh(problems, None)
        app.processEvents()
        panel.view.grab()
    return watch, panel


def relayout(panel, app: QApplication) -> Stopwatch:
    """A Redirect added to the entry flow, and the map brought up to date and grabbed."""
    project = panel.project
    with Stopwatch() as watch:
        assert panel.connect_nodes("flow-0", "flow-5")
        assert panel.refresh(None, None)  # the graph changed: the scene is made again
        app.processEvents()
        panel.view.grab()
    panel.editing.stack.undo()
    panel.refresh(None, None)
    assert project.flow("flow-0").root.child_count() == 2
    return watch


def bare_scene(scene: QGraphicsScene, nodes: int, edges: int) -> None:
    for i in range(nodes):
        scene.addRect(QRectF((i // 20) * 300, (i % 20) * 80, 150, 48))
    for i in range(edges):
        a, b = i % nodes, (i * 7) % nodes
        scene.addLine((a // 20) * 300 + 150, (a % 20) * 80 + 24, (b // 20) * 300, (b % 20) * 80)


def baseline_first_paint(nodes: int, edges: int, app: QApplication) -> tuple[Stopwatch, object]:
    with Stopwatch() as watch:
        view = QGraphicsView()
        scene = QGraphicsScene(view)  # owned by the view, as the panel owns its scene
        view.setScene(scene)
        view.resize(*VIEW_SIZE)
        bare_scene(scene, nodes, edges)
        view.show()
        app.processEvents()
        view.grab()
    return watch, view


def baseline_relayout(view: QGraphicsView, nodes: int, edges: int, app: QApplication) -> Stopwatch:
    with Stopwatch() as watch:
        scene = view.scene()
        scene.clear()
        bare_scene(scene, nodes, edges)
        app.processEvents()
        view.grab()
    return watch


def measure(project: Project, nodes: int, edges: int, repeat: int, app: QApplication) -> dict:
    """Each measurement's stopwatches, ours and the baseline's, `repeat` times."""
    problems = project.lint()
    runs: dict[str, list[Stopwatch]] = {k: [] for k in ("first", "again", "bare", "bare again")}
    for _ in range(repeat):
        watch, panel = first_paint(project, app, problems)
        runs["first"].append(watch)
        runs["again"].append(relayout(panel, app))
        panel.close()
        panel.deleteLater()
        watch, view = baseline_first_paint(nodes, edges, app)
        runs["bare"].append(watch)
        runs["bare again"].append(baseline_relayout(view, nodes, edges, app))
        view.close()
        view.deleteLater()
        app.processEvents()
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    project = generated_project(args.nodes)
    graph = project_graph(project)
    nodes, edges = len(graph.nodes), len(graph.edges)
    with Stopwatch() as watch:
        columns = len(layout(graph).columns())
    runs = measure(project, nodes, edges, args.repeat, app)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Flow map benchmark (offscreen): {nodes} nodes, {edges} edges, {columns} columns")
    print(
        f"(best and median of {args.repeat}, ms; the layout alone {watch.wall:.1f} ms; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs)"
    )
    print()
    print("| measurement | flow map: best / median | its CPU time (median) "
          "| bare QGraphicsView: best / median | ratio (medians) | target (median) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|")
    for name, mine, bare in (
        ("first paint (built, laid out, grabbed)", runs["first"], runs["bare"]),
        ("relayout after an edit", runs["again"], runs["bare again"]),
    ):
        walls, bare_walls = [w.wall for w in mine], [w.wall for w in bare]
        m, b = statistics.median(walls), statistics.median(bare_walls)
        cpu = statistics.median(w.cpu for w in mine)
        met = "met" if m < TARGET_MS else "MISSED"
        print(
            f"| {name} | {min(walls):.1f} / {m:.1f} | {cpu:.1f} "
            f"| {min(bare_walls):.1f} / {b:.1f} | {m / b:.1f}x | < {TARGET_MS:.0f} ms {met} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
