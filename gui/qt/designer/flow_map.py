"""The flow map panel: the whole project as a canvas, flows and switches as boxes, every
`flow:` reference and every switch case as a labelled arrow, entry first, left to right.

The graph and its layout are Qt-free (gui/core/flowmap.py, flowmap_geometry.py); this panel
draws them (flow_map_items.py) in a view that zooms, pans and reports gestures
(flow_map_view.py). The host calls `refresh` after each gesture's refresh: the scene is
made again only when the graph changed (typing a prompt changes nothing here), and only
while the panel is shown. A drag from one node to another connects them through Editing,
as one undo step (flowmap_edits.py says what it adds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QToolBar, QVBoxLayout, QWidget

from ...core.fileio import SaveError
from ...core.flexml import Node, Problem
from ...core.flowmap import FlowGraph, NodeKind, layout, project_graph
from ...core.flowmap_edits import plan_connection
from ...core.flowmap_geometry import place
from ...core.project import Project
from ..common.names import findable
from .editing import Editing
from .flow_map_export import ImageFormat, write_image
from .flow_map_items import (
    DrawnEdge,
    EdgeLayer,
    LabelLayer,
    MapColours,
    NodeItem,
    QtMetrics,
    Severity,
    drawn_edge,
)
from .flow_map_view import FlowMapView


def severities(problems: Mapping[str, Sequence[Problem]]) -> dict[str, Severity]:
    """The worst problem of each flow or switch that has any."""
    return {
        name: Severity.ERROR if any(p.is_error for p in found) else Severity.WARNING
        for name, found in problems.items()
        if found
    }


def subtitles(project: Project, graph: FlowGraph) -> dict[str, str]:
    """The second line of each box: "entry · 3 verbs", "switch on Digits"."""
    out = {}
    for node in graph.nodes:
        if node.kind is NodeKind.SWITCH:
            on = project.switch(node.name).on
            out[node.name] = f"switch on {on}" if on else "switch"
            continue
        count = project.flow(node.name).root.child_count()
        verbs = f"{count} verb{'' if count == 1 else 's'}"
        out[node.name] = f"entry · {verbs}" if node.name == graph.entry else verbs
    return out


class FlowMapPanel(QWidget):
    """See the module docstring. `flow_clicked(name)` asks the host to select a flow or
    switch, `flow_opened(name)` to open it; `message(text)` is for the status line."""

    flow_clicked = Signal(str)
    flow_opened = Signal(str)
    message = Signal(str)

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.scene = QGraphicsScene(self)
        self.view = findable(
            FlowMapView(self.scene),
            "flow-map-view",
            "Flow map",
            "Every flow and switch of the project and the ways between them. Click a box to "
            "select it, double-click to open it, drag from one box to another to connect them.",
        )
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[DrawnEdge] = []
        self.edge_layer: EdgeLayer | None = None
        self.label_layer: LabelLayer | None = None
        self.graph: FlowGraph | None = None
        self._signature: tuple[object, ...] | None = None
        self._severity: dict[str, Severity] = {}
        # What no flow test reached (set after a run, cleared at the next change).
        self._unreached_flows: frozenset[str] = frozenset()
        self._unreached_cases: frozenset[tuple[str, str]] = frozenset()
        self._live: str | None = None
        self._current: str | None = None
        self._auto_fit = True  # until the user zooms: fit the map to the view
        self._metrics = QtMetrics()
        self._build()
        self._connect_signals()

    def _build(self) -> None:
        toolbar = QToolBar()
        toolbar.setIconSize(toolbar.iconSize() * 0.75)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.view, 1)

        def action(text, name, tip, slot, *keys: str) -> QAction:
            act = QAction(text, self)
            shown = f" ({QKeySequence(keys[0]).toString()})" if keys else ""
            act.setToolTip(tip + shown)
            act.triggered.connect(lambda _checked=False: slot())
            if keys:
                act.setShortcuts([QKeySequence(k) for k in keys])
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            toolbar.addAction(act)
            self.view.addAction(act)
            findable(toolbar.widgetForAction(act), f"flow-map-{name}", tip)
            return act

        self.zoom_in_action = action(
            "Zoom in", "zoom-in", "Zoom in", self.zoom_in, "Ctrl++", "Ctrl+="
        )
        self.zoom_out_action = action("Zoom out", "zoom-out", "Zoom out", self.zoom_out, "Ctrl+-")
        self.fit_action = action("Fit", "fit", "Show the whole map", self.fit, "F", "Ctrl+0")
        self.png_action = action(
            "PNG…", "export-png", "Export the map as a PNG image", self.ask_export_png
        )
        self.svg_action = action(
            "SVG…", "export-svg", "Export the map as an SVG drawing", self.ask_export_svg
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _connect_signals(self) -> None:
        self.view.node_clicked.connect(self._on_view_node_clicked)
        self.view.node_opened.connect(self.flow_opened)
        self.view.connect_requested.connect(self.connect_nodes)
        self.view.message.connect(self.message)
        self.view.zoomed.connect(self._on_view_zoomed)
        self.editing.project_replaced.connect(self._on_editing_project_replaced)

    @property
    def project(self) -> Project:
        return self.editing.project

    # -- following the project ----------------------------------------------------------------

    def refresh(
        self,
        problems: Mapping[str, Sequence[Problem]] | None = None,
        current: str | None = None,
    ) -> bool:
        """Bring the map up to date: tints from `problems`, `current` selected, the scene
        made again if the graph changed. Hidden, it only notes what to show. True when the
        scene was made again."""
        if problems is not None:
            self._severity = severities(problems)
        self._current = current
        return self._update() if self.isVisible() else False

    def _update(self) -> bool:
        """Make the scene again if the graph changed since it was made; then the states."""
        graph = project_graph(self.project)
        titles = subtitles(self.project, graph)
        signature = (tuple(graph.nodes), tuple(graph.edges), graph.entry, tuple(titles.items()))
        rebuilt = signature != self._signature
        if rebuilt:
            self._signature = signature
            self._rebuild(graph, titles)
        self._apply_states()
        return rebuilt

    def _rebuild(self, graph: FlowGraph, titles: dict[str, str]) -> None:
        self.view.cancel_drag()
        self.scene.clear()
        self.graph = graph
        geometry = place(graph, layout(graph), self._metrics)
        colours = MapColours.for_palette(self.palette())
        self.scene.setBackgroundBrush(colours.canvas)
        self.nodes = {}
        for node in graph.nodes:
            item = NodeItem(
                node.name,
                node.kind,
                geometry.boxes[node.name],
                titles[node.name],
                node.name == graph.entry,
                colours,
            )
            self.scene.addItem(item)
            self.nodes[node.name] = item
        self.edges = [drawn_edge(shape) for shape in geometry.edges]
        bounds = geometry.bounds
        self.edge_layer = EdgeLayer(self.edges, colours, bounds)
        self.label_layer = LabelLayer(self.edges, colours, bounds)
        self.scene.addItem(self.edge_layer)
        self.scene.addItem(self.label_layer)
        self.scene.setSceneRect(bounds.x, bounds.y, bounds.width, bounds.height)
        if self._auto_fit:
            self.view.fit()

    def _apply_states(self) -> None:
        for name, item in self.nodes.items():
            item.set_state(severity=self._severity.get(name), live=name == self._live)
        self.view.select(self._current)
        if self.edge_layer is not None:
            current = self._current
            self.edge_layer.set_emphasised(
                frozenset(i for i, e in enumerate(self.edges) if current in (e.source, e.target))
            )
        self._apply_coverage()

    # -- test coverage ------------------------------------------------------------------------

    def set_coverage(
        self, flows: Iterable[str] = (), cases: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Mark the flows and switches no flow test reached (`flows`) and the switch cases
        none took (`cases`: (switch, case label or "otherwise")): outlines and arrows
        dashed, tooltips saying so. Nothing given: no marks."""
        self._unreached_flows = frozenset(flows)
        self._unreached_cases = frozenset(cases)
        self._apply_coverage()

    def _apply_coverage(self) -> None:
        flows, cases = self._unreached_flows, self._unreached_cases
        for name, item in self.nodes.items():
            missed = tuple(label for switch, label in sorted(cases) if switch == name)
            item.set_coverage(name in flows, missed)
        switches = {name for name, item in self.nodes.items() if item.kind is NodeKind.SWITCH}

        def dashed(edges: list[DrawnEdge]) -> frozenset[int]:
            return frozenset(
                i
                for i, e in enumerate(edges)
                if e.source in switches and (e.source, e.label) in cases
            )

        for layer in (self.edge_layer, self.label_layer):
            if layer is not None:
                layer.set_unreached(dashed(layer.edges))

    @property
    def unreached(self) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        """The flows and switch cases marked as reached by no flow test."""
        return self._unreached_flows, self._unreached_cases

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._update()  # what changed while it was hidden

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a light or dark theme: new colours
            self._signature = None
            if self.isVisible():
                self._update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.view.fit()

    def _on_editing_project_replaced(self) -> None:
        self._signature = None
        self._live = None
        self._auto_fit = True
        self._current = None
        if self.isVisible():
            self._update()

    # -- the live call ----------------------------------------------------------------------

    def show_running(self, node: Node | None) -> None:
        """Ring the flow whose verb `node` (a node of the project, or None) runs now."""
        name = None
        if node is not None:
            root = node
            while root.parent is not None:
                root = root.parent
            project = self.project
            name = next((n for n in project.names if project.flow(n).root is root), None)
        self.set_live(name)

    def set_live(self, name: str | None) -> None:
        """Ring the node `name` (a call runs in it), or none."""
        if name == self._live:
            return
        self._live = name
        for node_name, item in self.nodes.items():
            item.set_state(severity=item.severity, live=node_name == name)

    @property
    def live(self) -> str | None:
        return self._live

    # -- gestures -----------------------------------------------------------------------------

    def _on_view_node_clicked(self, name: str) -> None:
        self._current = name
        self._apply_states()
        self.flow_clicked.emit(name)

    def connect_nodes(self, source: str, target: str) -> bool:
        """Connect `source` to `target` (a Redirect, or a switch case), one undo step."""
        project = self.project
        try:
            connection = plan_connection(project, source, target)
        except ValueError as exc:
            text = str(exc)
            self.message.emit(text[:1].upper() + text[1:])
            return False
        if not self.editing.edit(connection.description, lambda: connection.apply(project)):
            return False
        self.message.emit(f"{connection.description}; Ctrl+Z takes it back")
        return True

    def zoom_in(self) -> None:
        self.view.zoom_in()

    def zoom_out(self) -> None:
        self.view.zoom_out()

    def fit(self) -> None:
        self._auto_fit = True
        self.view.fit()

    def _on_view_zoomed(self) -> None:
        self._auto_fit = False

    # -- export -------------------------------------------------------------------------------

    def export(self, path: str | Path, fmt: ImageFormat | None = None) -> bool:
        """Write the whole map to `path` (PNG or SVG, by `fmt` or the suffix); False, with
        the reason in `message`, when it cannot."""
        path = Path(path)
        if fmt is None:
            fmt = ImageFormat.SVG if path.suffix.lower() == ".svg" else ImageFormat.PNG
        self._update()  # even while hidden: the file shows the project as it is now
        self._set_plain(True)  # a picture of the project: no selection, no live ring
        try:
            write_image(self.scene, self.scene.sceneRect(), path, fmt)
        except SaveError as exc:
            self.message.emit(f"The flow map was not exported: {exc}")
            return False
        finally:
            self._set_plain(False)
        self.message.emit(f"Exported the flow map to {path}")
        return True

    def _set_plain(self, plain: bool) -> None:
        for item in self.nodes.values():
            item.plain = plain
        if plain:  # the coverage marks are of the last run, not of the project
            for layer in (self.edge_layer, self.label_layer):
                if layer is not None:
                    layer.set_unreached(frozenset())
        if self.edge_layer is not None:
            if plain:
                self.edge_layer.set_emphasised(frozenset())
            else:
                self._apply_states()

    def ask_export_png(self) -> bool:
        return self._ask_export(ImageFormat.PNG)

    def ask_export_svg(self) -> bool:
        return self._ask_export(ImageFormat.SVG)

    def _ask_export(self, fmt: ImageFormat) -> bool:
        project_path = self.project.path
        folder = project_path.parent if project_path else Path.home()
        stem = project_path.stem if project_path else "flow-map"
        suggestion = str(folder / f"{stem}-map.{fmt.value}")
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Export the flow map as {fmt.name}", suggestion, fmt.description
        )
        if not path:
            return False
        if Path(path).suffix.lower() != f".{fmt.value}":
            path += f".{fmt.value}"
        return self.export(path, fmt)
