"""After a run of every flow test, what no test reached is marked: the verbs in the flow
editor (muted, with a tooltip), the flows and the switch cases on the flow map (dashed, with
tooltips). The marks go at the next change to the project, and View > Show test coverage
hides them (remembered)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem

from gui.core.flexml import parse
from gui.core.project import Project, load
from gui.core.project_file import read_project
from gui.qt.common import tasks
from gui.qt.common.settings import SHOW_COVERAGE, SettingsStore
from gui.qt.designer.editing import Editing
from gui.qt.designer.flow_map import FlowMapPanel
from gui.qt.designer.flow_map_items import UNREACHED_TIP as MAP_TIP
from gui.qt.designer.flow_model import UNREACHED_ROLE, UNREACHED_TIP, FlowItemModel, node_at
from gui.qt.window.main_window import MainWindow
from tests.conftest import ROOT

TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"


def project_with_gaps() -> Project:
    """The IVR template and what none of its tests reaches: a flow nothing leads to, a Say
    after the sales Hangup, and a third case of the route switch."""
    text = TEMPLATE.read_text()
    text = text.replace(
        '<Hangup/>\n    </Response>\n  </flow>\n  <flow name="support">',
        "<Hangup/>\n      <Say>Never said</Say>\n    </Response>\n  </flow>\n"
        '  <flow name="support">',
        1,
    )
    text = text.replace(
        '<case value="2" goto="support"/>',
        '<case value="2" goto="support"/>\n    <case value="3" goto="support"/>',
        1,
    )
    text = text.replace(
        '  <switch name="route"',
        '  <flow name="unused">\n    <Response>\n      <Say>Nobody calls here</Say>\n'
        '    </Response>\n  </flow>\n  <switch name="route"',
        1,
    )
    return Project.from_contents(read_project(text.encode()))


@pytest.fixture
def window(qtbot, qloop):
    win = MainWindow(project_with_gaps(), SettingsStore(), remember_layout=False)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.editing.stack.setClean()
    win.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)
    win.deleteLater()


def run_all(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.tests_panel.run_finished, timeout=10000):
        window.tests_panel.run_all()


def marked(window: MainWindow) -> list[bool]:
    """Whether each top-level verb of the flow in the editor is marked as not reached."""
    model = window.editor.flow_model
    return [bool(model.index(row, 0).data(UNREACHED_ROLE)) for row in range(model.rowCount())]


def row_image(window: MainWindow, row: int) -> QImage:
    editor = window.editor
    rect = editor.visualRect(editor.flow_model.index(row, 0))
    return editor.viewport().grab(rect).toImage()


def test_the_project_has_the_gaps_the_tests_leave(qtbot, window):
    run_all(qtbot, window)
    coverage = window.tests_panel.coverage
    assert coverage.flows.missed == ("unused",)
    assert [(v.flow, v.path) for v in coverage.verbs.missed] == [
        ("sales", "/Response/Say[2]"),
        ("unused", "/Response/Say[1]"),
    ]
    assert [(c.switch, c.label) for c in coverage.cases.missed] == [("route", "3")]
    assert window.tests_panel.summary.text() == (
        "6 tests: 6 passed, 0 failed · coverage: flows 5/6, verbs 12/14, switch cases 6/7"
    )


def test_the_editor_mutes_the_verbs_no_test_reached(qtbot, window):
    window.flows_panel.select("sales")
    unmarked = row_image(window, 2)
    assert marked(window) == [False, False, False]  # no run yet
    run_all(qtbot, window)
    assert marked(window) == [False, False, True]
    model = window.editor.flow_model
    assert UNREACHED_TIP in model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert UNREACHED_TIP not in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    # Drawn muted: italic, in the palette's placeholder colour, and repainted at once.
    option = QStyleOptionViewItem()
    window.editor.itemDelegate().initStyleOption(option, model.index(2, 0))
    placeholder = window.editor.palette().color(QPalette.ColorRole.PlaceholderText)
    assert option.font.italic()
    assert option.palette.color(QPalette.ColorRole.Text) == placeholder
    plain = QStyleOptionViewItem()
    window.editor.itemDelegate().initStyleOption(plain, model.index(0, 0))
    assert not plain.font.italic()
    qtbot.waitUntil(lambda: row_image(window, 2) != unmarked)
    # Another flow shows its own marks.
    window.flows_panel.select("menu")
    assert marked(window) == [False, False]
    window.flows_panel.select("unused")
    assert marked(window) == [True]


def test_the_flow_map_dashes_the_flows_and_cases_no_test_reached(qtbot, window):
    window.show_flow_map()
    qtbot.waitUntil(window.flow_map.isVisible)
    flow_map = window.flow_map
    assert not flow_map.nodes["unused"].unreached
    run_all(qtbot, window)
    nodes = flow_map.nodes
    assert nodes["unused"].unreached and not nodes["sales"].unreached
    assert MAP_TIP in nodes["unused"].toolTip()
    assert MAP_TIP not in nodes["sales"].toolTip()
    assert nodes["route"].missed_cases == ("3",)
    assert "Cases no test took: '3'" in nodes["route"].toolTip()
    assert nodes["route-again"].missed_cases == ()
    dashed = [flow_map.edges[i] for i in flow_map.edge_layer.unreached]
    assert [(e.source, e.target, e.label) for e in dashed] == [("route", "support", "3")]
    labels = flow_map.label_layer
    assert [(labels.edges[i].source, labels.edges[i].label) for i in labels.unreached] == [
        ("route", "3")
    ]


def test_the_marks_clear_at_the_next_change_until_the_next_run(qtbot, window):
    window.show_flow_map()
    qtbot.waitUntil(window.flow_map.isVisible)
    window.flows_panel.select("sales")
    run_all(qtbot, window)
    assert marked(window) == [False, False, True]
    menu = window.project.flow("menu")
    window.editing.set_attribute(menu, menu.root.child(0), "timeout", "9")
    assert marked(window) == [False, False, False]  # stale, not wrong
    assert not window.flow_map.nodes["unused"].unreached
    assert window.flow_map.unreached == (frozenset(), frozenset())
    assert window.tests_panel.summary.text().endswith("(before the last change)")
    run_all(qtbot, window)
    assert marked(window) == [False, False, True]
    assert window.flow_map.nodes["unused"].unreached


def test_a_run_of_one_test_or_a_run_overtaken_by_a_change_marks_nothing(qtbot, window):
    window.flows_panel.select("sales")
    panel = window.tests_panel
    panel.select_test("sales")
    with qtbot.waitSignal(panel.run_finished, timeout=10000):
        panel.run_selected()
    assert marked(window) == [False, False, False]  # one test says nothing of coverage
    with qtbot.waitSignal(panel.run_finished, timeout=10000):
        panel.run_all()
        sales = window.project.flow("sales")
        window.editing.set_text(sales, sales.root.child(0), "You have reached sales!")
    assert marked(window) == [False, False, False]  # of the project before the change


def test_show_test_coverage_hides_the_marks_and_is_remembered(qtbot, window):
    window.flows_panel.select("sales")
    run_all(qtbot, window)
    action = window.show_coverage_action
    assert action.isChecked()
    action.trigger()
    assert window.settings.get(SHOW_COVERAGE) is False
    assert marked(window) == [False, False, False]
    assert window.flow_map.unreached == (frozenset(), frozenset())
    action.trigger()
    assert window.settings.get(SHOW_COVERAGE) is True
    assert marked(window) == [False, False, True]
    assert window.flow_map.unreached[0] == frozenset({"unused"})
    action.trigger()
    later = MainWindow(load([TEMPLATE]), window.settings, remember_layout=False)
    try:
        assert not later.show_coverage_action.isChecked()
    finally:
        later.close()
        later.deleteLater()


def test_opening_another_project_drops_the_marks(qtbot, window):
    window.flows_panel.select("sales")
    run_all(qtbot, window)
    window.files.replace_project(project_with_gaps())
    window.flows_panel.select("sales")
    assert marked(window) == [False, False, False]
    assert window.tests_panel.coverage is None
    assert window.tests_panel.summary.text() == "6 tests, not run yet"


# -- the parts on their own -------------------------------------------------------------------


def test_node_at_finds_a_verb_by_its_path():
    document = parse(
        b"<Response><Say>a</Say><Gather><Say>b</Say><Play>c</Play></Gather><Say>d</Say></Response>"
    )
    for node in document.root.iter():
        assert node_at(document, node.path()) is node
    assert node_at(document, "/Response/Say[3]") is None
    assert node_at(document, "/Response/Gather[1]/Say[x]") is None
    assert node_at(document, "/Other/Say[1]") is None


def test_the_model_answers_from_the_paths_it_was_given(qtbot):
    document = parse(b"<Response><Say>a</Say><Gather><Say>b</Say></Gather></Response>")
    model = FlowItemModel(document)
    gather = model.index(1, 0)
    nested = model.index(0, 0, gather)
    model.set_unreached({"/Response/Gather[1]/Say[1]"})
    assert nested.data(UNREACHED_ROLE) and not gather.data(UNREACHED_ROLE)
    assert model.unreached == frozenset({"/Response/Gather[1]/Say[1]"})
    model.set_unreached(())
    assert not nested.data(UNREACHED_ROLE)
    model.detach()


def test_an_exported_map_leaves_the_coverage_marks_out(qtbot, tmp_path):
    panel = FlowMapPanel(Editing(project_with_gaps()))
    qtbot.addWidget(panel)
    panel.resize(1200, 560)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh(panel.project.lint(), None)
    panel.set_coverage({"unused"}, {("route", "3")})
    assert panel.edge_layer.unreached
    assert panel.export(tmp_path / "map.png")
    assert panel.edge_layer.unreached  # back after the export
    assert panel.label_layer.unreached
    assert panel.nodes["unused"].unreached
