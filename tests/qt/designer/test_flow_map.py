"""The flow map with real widgets: the IVR template as boxes and labelled arrows, left to
right from the entry; a click selects in the window, a double-click opens; edits, problems
and a simulated call show on it; a drag connects two nodes in one undo step; PNG and SVG."""

import pytest
from lxml import etree
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QAbstractButton, QApplication

from gui.core.flexml import Node
from gui.core.flowmap import NodeKind
from gui.core.templates import templates
from gui.qt.common import tasks
from gui.qt.common.settings import SettingsStore
from gui.qt.designer.editing import Editing
from gui.qt.designer.flow_map import FlowMapPanel
from gui.qt.designer.flow_map_items import Severity
from gui.qt.window.main_window import MainWindow

NO_KEYS = Qt.KeyboardModifier.NoModifier
IVR_EDGES = {
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
}


def ivr():
    return next(t for t in templates() if t.name == "ivr-menu").load()


@pytest.fixture
def panel(qtbot):
    widget = FlowMapPanel(Editing(ivr()))
    qtbot.addWidget(widget)
    widget.resize(1200, 560)
    widget.show()
    qtbot.waitExposed(widget)
    widget.refresh(widget.project.lint(), None)
    widget.said = []
    widget.message.connect(widget.said.append)
    return widget


@pytest.fixture
def window(qtbot, qloop):
    win = MainWindow(ivr(), SettingsStore(), remember_layout=False)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    win.show_flow_map()
    qtbot.waitUntil(win.flow_map.isVisible)
    win.refresh()
    yield win
    win.editing.stack.setClean()
    win.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    win.deleteLater()


def at(panel, name: str, dx: float = 0.5, dy: float = 0.5) -> QPoint:
    """Where node `name` is in the view's viewport (a fraction of its box across and down)."""
    box = panel.nodes[name].box
    return panel.view.mapFromScene(QPointF(box.x + box.width * dx, box.y + box.height * dy))


def drag(qtbot, panel, source: str, to: QPoint) -> None:
    viewport = panel.view.viewport()
    start = at(panel, source)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(12, 4))
    qtbot.mouseMove(viewport, to)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=to)


def drawn(panel) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in panel.edges}


def test_the_ivr_template_is_drawn_as_its_flows_switches_and_labelled_ways(panel):
    assert set(panel.nodes) == {
        "menu", "menu-again", "sales", "support", "goodbye", "route", "route-again",
    }  # fmt: skip
    kinds = {name: item.kind for name, item in panel.nodes.items()}
    assert kinds["route"] is kinds["route-again"] is NodeKind.SWITCH
    assert kinds["menu"] is kinds["sales"] is NodeKind.FLOW
    assert [name for name, item in panel.nodes.items() if item.entry] == ["menu"]
    assert panel.nodes["route"].subtitle == "switch on Digits"
    assert panel.nodes["menu"].subtitle == "entry · 2 verbs"
    assert drawn(panel) == IVR_EDGES
    # Every edge has its label drawn, in the label layer, over the edges.
    labels = sorted(e.label for e in panel.label_layer.edges)
    assert labels == sorted(label for _s, _t, label in IVR_EDGES)
    assert panel.label_layer.zValue() > panel.edge_layer.zValue()
    assert all(item.zValue() > panel.label_layer.zValue() for item in panel.nodes.values())


def test_nodes_run_left_to_right_from_the_entry(panel):
    x = {name: item.box.x for name, item in panel.nodes.items()}
    assert x["menu"] == min(x.values())
    assert x["menu"] < x["route"] < x["sales"]
    assert x["menu"] < x["menu-again"] < x["goodbye"]
    assert x["sales"] == x["support"]  # one column


def test_the_view_and_every_button_are_findable(panel):
    view = panel.view
    assert (view.objectName(), view.accessibleName()) == ("flow-map-view", "Flow map")
    buttons = [b for b in panel.findChildren(QAbstractButton) if b.isVisible()]
    names = sorted(b.objectName() for b in buttons)
    assert names == [
        "flow-map-export-png", "flow-map-export-svg", "flow-map-fit", "flow-map-zoom-in",
        "flow-map-zoom-out",
    ]  # fmt: skip
    assert all(b.accessibleName() and b.toolTip() for b in buttons)
    assert panel.fit_action.toolTip() == "Show the whole map (F)"


def test_zoom_keys_wheel_and_fit(panel, qtbot):
    view = panel.view
    panel.resize(700, 380)  # smaller than the map: fitted, it is shown smaller
    fitted = view.scale_factor
    assert fitted < 0.9
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(panel.scene.sceneRect().adjusted(2, 2, -2, -2))
    panel.zoom_in_action.trigger()
    assert view.scale_factor == pytest.approx(fitted * 1.25)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor == pytest.approx(fitted)
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    zoomed = view.scale_factor
    assert zoomed > fitted * 1.5
    # Ctrl+wheel zooms about the mouse; the wheel alone scrolls.
    middle = QPointF(view.viewport().rect().center())
    for modifiers, factor in ((Qt.KeyboardModifier.ControlModifier, 1.0015**120), (NO_KEYS, 1)):
        wheel = QWheelEvent(
            middle, view.viewport().mapToGlobal(middle), QPoint(), QPoint(0, 120),
            Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(view.viewport(), wheel)
        assert view.scale_factor == pytest.approx(zoomed * factor)
        zoomed = view.scale_factor
    # A drag on empty space pans (the scroll bars follow); it selects nothing.
    viewport, bars = view.viewport(), (view.horizontalScrollBar(), view.verticalScrollBar())
    before = [bar.value() for bar in bars]
    empty = next(
        QPoint(x, y)
        for x in range(100, viewport.width(), 20)
        for y in range(100, viewport.height(), 20)
        if view.node_at(QPoint(x, y)) is None
    )
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=empty)
    qtbot.mouseMove(viewport, empty - QPoint(40, 30))
    qtbot.mouseMove(viewport, empty - QPoint(80, 60))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=empty - QPoint(80, 60))
    assert [bar.value() for bar in bars] == [before[0] + 80, before[1] + 60]
    assert not panel.scene.selectedItems()
    panel.resize(650, 360)  # zoomed by the user: a resize no longer fits the map
    assert view.scale_factor == pytest.approx(zoomed)
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.scale_factor < fitted
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(panel.scene.sceneRect().adjusted(2, 2, -2, -2))
    panel.resize(700, 380)  # fitted again: it follows the size
    assert view.scale_factor == pytest.approx(fitted)


def test_a_click_selects_in_the_window_and_a_double_click_opens(window, qtbot):
    flow_map = window.flow_map
    viewport = flow_map.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at(flow_map, "sales"))
    assert window.current_flow == "sales"
    assert window.flows_panel.current_name() == "sales"
    assert flow_map.nodes["sales"].isSelected()
    strong = {flow_map.edges[i].target for i in flow_map.edge_layer.emphasised}
    assert strong == {"sales"}  # its two incoming edges stand out
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at(flow_map, "route"))
    assert window.flows_panel.current_name() == "route"  # a switch: its editor opens
    assert flow_map.nodes["route"].isSelected() and not flow_map.nodes["sales"].isSelected()
    window.activateWindow()
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=at(flow_map, "support"))
    assert window.current_flow == "support"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.editor, timeout=2000)
    # Enter on the map opens the selected node too: here a switch, in its editor.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=at(flow_map, "route-again"))
    flow_map.view.setFocus()
    qtbot.keyClick(flow_map.view, Qt.Key.Key_Return)
    assert window.flows_panel.current_name() == "route-again"
    qtbot.waitUntil(
        lambda: (
            window.switch_editor.isAncestorOf(QApplication.focusWidget())
            or QApplication.focusWidget() is window.switch_editor
        ),
        timeout=2000,
    )
    # The Flows list's selection shows on the map after the next refresh.
    window.flows_panel.select("goodbye")
    window.refresh()
    assert flow_map.nodes["goodbye"].isSelected()


def test_an_edit_shows_after_the_refresh_and_typing_a_prompt_rebuilds_nothing(window, qtbot):
    flow_map, project = window.flow_map, window.project
    before = dict(flow_map.nodes)
    say = project.flow("sales").root.child(0)
    window.editing.set_text(project.flow("sales"), say, "Sales here.")
    window.refresh()
    assert flow_map.nodes == before and all(flow_map.nodes[n] is before[n] for n in before)
    assert window.flows_panel.add("extra") == "extra"
    qtbot.waitUntil(lambda: "extra" in flow_map.nodes, timeout=2000)
    window.flows_panel.select("sales")
    assert window.flows_panel.rename("sales-team")
    window.refresh()
    assert ("route", "sales-team", "1") in drawn(flow_map)
    assert "sales" not in flow_map.nodes
    window.undo_action.trigger()
    window.undo_action.trigger()
    window.refresh()
    assert drawn(flow_map) == IVR_EDGES
    assert "extra" not in flow_map.nodes


def _pixel(panel, name: str) -> QColor:
    """The colour inside node `name`'s box, near its bottom right (no text there)."""
    image = panel.view.viewport().grab().toImage()
    point = at(panel, name, 0.95, 0.85)
    return image.pixelColor(point)


def test_problems_tint_nodes_as_they_tint_the_rows(window, qtbot):
    flow_map, project = window.flow_map, window.project
    clean = _pixel(flow_map, "sales")
    say = project.flow("sales").root.child(0)
    window.editing.set_attribute(project.flow("sales"), say, "loop", "500")  # an error
    switch = project.switch("route")
    window.editing.edit("No otherwise", lambda: project.replace_switch(switch.__class__(
        switch.name, switch.on, switch.cases, None
    )))  # fmt: skip
    window.refresh()
    assert flow_map.nodes["sales"].severity is Severity.ERROR
    assert flow_map.nodes["route"].severity is Severity.WARNING  # no otherwise
    assert flow_map.nodes["support"].severity is None
    red, amber = _pixel(flow_map, "sales"), _pixel(flow_map, "route")
    assert red.red() > red.green() + 10 and red != clean
    assert amber.red() > amber.blue() + 10
    window.undo_action.trigger()
    window.undo_action.trigger()
    window.refresh()
    assert flow_map.nodes["sales"].severity is None
    assert flow_map.nodes["route"].severity is None
    assert _pixel(flow_map, "sales") == clean


def test_a_drag_from_a_flow_adds_a_redirect_and_undo_takes_exactly_it_back(panel, qtbot):
    project, stack = panel.project, panel.editing.stack
    before = project.to_text()
    drag(qtbot, panel, "sales", at(panel, "support"))
    root = project.flow("sales").root
    last = root.child(root.child_count() - 1)
    assert (last.tag, last.text) == ("Redirect", "flow:support")
    assert stack.count() == 1 and stack.undoText() == "Connect sales to support (a Redirect)"
    assert panel.said[-1] == "Connect sales to support (a Redirect); Ctrl+Z takes it back"
    assert panel.refresh(None, None)  # the host's refresh draws the new edge
    assert ("sales", "support", "Redirect") in drawn(panel)
    stack.undo()
    assert project.to_text() == before


def test_a_drag_from_a_switch_adds_a_case_for_the_next_free_digit(panel, qtbot):
    project, stack = panel.project, panel.editing.stack
    before = project.to_text()
    drag(qtbot, panel, "route", at(panel, "goodbye"))
    cases = project.switch("route").cases
    assert [(c.label(), c.goto) for c in cases][-1] == ("3", "goodbye")
    assert stack.count() == 1
    panel.refresh(None, None)
    assert ("route", "goodbye", "3") in drawn(panel)
    stack.undo()
    assert project.to_text() == before
    stack.redo()
    assert project.switch("route").cases[-1].goto == "goodbye"


def test_a_drag_that_cannot_connect_does_nothing_and_says_why(panel, qtbot):
    project, stack = panel.project, panel.editing.stack
    before = project.to_text()
    empty = QPoint(3, 3)
    assert panel.view.node_at(empty) is None
    drag(qtbot, panel, "sales", empty)
    assert panel.said[-1] == ("Nothing to connect sales to there: drop on another flow or switch")
    drag(qtbot, panel, "sales", at(panel, "sales", 0.8, 0.8))
    assert panel.said[-1] == "Sales cannot connect to itself: drop on another flow or switch"
    # Escape in the middle of a drag: nothing is connected.
    viewport = panel.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=at(panel, "sales"))
    qtbot.mouseMove(viewport, at(panel, "support"))
    assert panel.nodes["support"].target  # marked as where the drop would go
    qtbot.keyClick(panel.view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=at(panel, "support"))
    assert panel.said[-1] == "Nothing connected: the drag from sales was cancelled"
    # A press and release without moving is a click: it selects, connects nothing.
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=at(panel, "menu"))
    assert panel.nodes["menu"].isSelected()
    assert stack.count() == 0 and project.to_text() == before
    assert not any(item.target for item in panel.nodes.values())  # no drop mark left


def test_png_and_svg_exports_are_valid_files(panel, tmp_path):
    png, svg = tmp_path / "map.png", tmp_path / "map.svg"
    assert panel.export(png)
    assert panel.said[-1] == f"Exported the flow map to {png}"
    image = QImage(str(png))
    assert not image.isNull()
    rect = panel.scene.sceneRect()
    assert image.width() == round(rect.width() * 2) and image.height() == round(rect.height() * 2)
    colours = {image.pixelColor(x, image.height() // 2).name() for x in range(image.width())}
    assert len(colours) > 5  # boxes and lines, not a blank picture
    assert panel.export(svg)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(svg), parser).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.strip() for t in root.itertext())
    for word in ("menu-again", "route-again", "otherwise", "Gather action", "switch on Digits"):
        assert word in text
    assert panel.nodes["menu"].plain is False  # the export's plain look is undone


def test_an_export_to_a_folder_that_cannot_be_written_says_why(panel, tmp_path):
    missing = tmp_path / "nowhere" / "map.png"
    assert not panel.export(missing)
    assert panel.said[-1] == (
        f"The flow map was not exported: could not save {missing}: the folder does not exist"
    )
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    assert not panel.export(blocker / "map.svg")
    assert panel.said[-1].endswith("a part of the path is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_hidden_map_builds_nothing_until_shown_or_exported(qtbot, tmp_path):
    widget = FlowMapPanel(Editing(ivr()))
    qtbot.addWidget(widget)
    assert not widget.refresh({}, None)
    assert widget.nodes == {}
    assert widget.export(tmp_path / "map.png")  # an export needs no window
    assert set(widget.nodes) >= {"menu", "route"}


def test_the_live_highlight_follows_a_simulated_call(window, qtbot):
    flow_map, sim = window.flow_map, window.simulator
    sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("4x"))
    window.run_simulator()
    qtbot.waitUntil(lambda: flow_map.live == "menu", timeout=5000)
    assert flow_map.nodes["menu"].live
    qtbot.waitUntil(sim.waiting_for_keys, timeout=5000)
    assert sim.press("2")
    qtbot.waitUntil(lambda: flow_map.live == "support", timeout=5000)
    assert flow_map.nodes["support"].live and not flow_map.nodes["menu"].live
    qtbot.waitUntil(lambda: not sim.running, timeout=10000)
    qtbot.waitUntil(lambda: flow_map.live is None, timeout=2000)
    assert not any(item.live for item in flow_map.nodes.values())


def test_the_live_highlight_follows_a_sandbox_call_from_the_dial_pad(window, qtbot):
    from gui.core.runtime.sandbox import Credentials, Sandbox

    credentials = Credentials("sandbox_map", "map-s3cret-PASS", "core-token-map")
    window.services.sandbox_factory = lambda: Sandbox(credentials=credentials, speed=4.0)
    flow_map, pad = window.flow_map, window.dial_pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    qtbot.waitUntil(lambda: flow_map.live == "menu", timeout=15000)
    sid = pad.active_call
    assert sid is not None
    qtbot.waitUntil(lambda: window.services.in_call(sid), timeout=10000)
    pad.press("1")
    # The request for the switch route answers with sales: the highlight goes there.
    qtbot.waitUntil(lambda: flow_map.live == "sales", timeout=10000)
    qtbot.waitUntil(lambda: pad.active_call is None and not pad.busy, timeout=15000)
    qtbot.waitUntil(lambda: flow_map.live is None, timeout=5000)


def test_show_running_finds_the_flow_of_a_node_and_ignores_strangers(panel):
    project = panel.project
    say = project.flow("goodbye").root.child(0)
    panel.show_running(say)
    assert panel.live == "goodbye" and panel.nodes["goodbye"].live
    panel.show_running(Node("Say", text="not in the project"))
    assert panel.live is None
    panel.show_running(None)
    assert not any(item.live for item in panel.nodes.values())
