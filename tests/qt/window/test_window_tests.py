"""The Tests panel in the real window: Ctrl+Shift+T runs every test, a failure's transcript
line leads to its verb in the editor, a test to its flow; the tests' problems and failures are
in the Problems panel; rerunning after edits never freezes a 5,000-verb project."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.core.flexml import parse
from gui.core.flowtests.model import Expectation
from gui.core.project import Project, load
from gui.qt.common import tasks
from gui.qt.common.settings import RERUN_TESTS, SettingsStore
from gui.qt.designer import tests_panel
from gui.qt.designer.tests_model import TestsModel as Columns
from gui.qt.window.main_window import MainWindow
from tests.conftest import ROOT
from tests.qt.findable import assert_findable

TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"
SALES_SAY = "You have reached the sales team. Goodbye."
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def open_window(qtbot, project: Project, settings: SettingsStore | None = None) -> MainWindow:
    win = MainWindow(project, settings or SettingsStore(), remember_layout=False)
    win.show()
    qtbot.waitExposed(win)
    return win


def close_window(qtbot, win: MainWindow) -> None:
    win.editing.stack.setClean()
    win.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)
    win.deleteLater()


@pytest.fixture
def window(qtbot, qloop):
    win = open_window(qtbot, load([TEMPLATE]))
    yield win
    close_window(qtbot, win)


def double_click(widget, pos) -> None:
    """A real double-click: press and release, then the double-click."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def outcomes(window: MainWindow) -> list[str]:
    model = window.tests_panel.model
    return [model.index(row, Columns.RESULT).data() for row in range(model.rowCount())]


def break_sales(window: MainWindow):
    """Change the Say the "sales" test expects; returns that Say."""
    sales = window.project.flow("sales")
    say = sales.root.child(0)
    window.editing.set_text(sales, say, SALES_SAY)
    return say


def run_all_by_key(qtbot, window: MainWindow):
    with qtbot.waitSignal(window.tests_panel.run_finished, timeout=10000) as finished:
        QTest.keyClick(
            window,
            Qt.Key.Key_T,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    return finished.args


def test_the_tests_panel_is_a_bottom_dock_beside_problems_with_its_menus(window):
    dock = window.tests_dock
    assert dock.objectName() == "tests-dock"
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert dock in window.tabifiedDockWidgets(window.problems_dock)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    tests = [a for a in menus["&Tests"].actions() if not a.isSeparator()]
    assert [a.text() for a in tests] == [
        "&Run all tests",
        "Run the &selected test",
        "Rerun tests after each &change",
        "Tests &panel",
    ]
    assert tests[0].shortcut().toString() == "Ctrl+Shift+T"
    assert "Ctrl+Shift+T" in tests[0].toolTip()
    view = [a.text() for a in menus["&View"].actions()]
    assert "Tests" in view and "Show test &coverage" in view
    assert window.show_coverage_action.isChecked()  # on by default
    assert_findable(window.tests_panel)


def test_ctrl_shift_t_runs_every_test_and_each_row_passes(qtbot, window):
    window.problems_dock.raise_()
    assert outcomes(window) == ["Not run"] * 6
    found, fresh = run_all_by_key(qtbot, window)
    assert fresh and len(found.results) == 6
    assert outcomes(window) == ["Passed"] * 6
    assert not window.tests_dock.visibleRegion().isEmpty()  # raised to show the results
    assert window.statusBar().currentMessage().startswith("6 tests: 6 passed, 0 failed")


def test_a_failure_leads_from_its_transcript_line_to_the_verb(qtbot, window):
    say = break_sales(window)
    window.flows_panel.select("menu")
    run_all_by_key(qtbot, window)
    assert outcomes(window)[0] == "Failed"
    panel = window.tests_panel
    panel.select_test("sales")
    detail = panel.detail
    assert detail.headline.text() == 'Failed: expected say "You have reached sales" (step 5 of 6)'
    marked = detail.transcript.item(detail.stopped_at)
    assert SALES_SAY in marked.text() and marked.font().bold()
    assert window.current_flow == "menu"
    transcript = detail.transcript
    double_click(transcript.viewport(), transcript.visualItemRect(marked).center())
    assert window.current_flow == "sales"
    assert window.editor.current_node() is say
    assert window.editor.selected_nodes() == [say]


def test_a_transcript_line_of_a_switch_opens_the_switch(qtbot, window):
    run_all_by_key(qtbot, window)
    window.on_tests_panel_place_activated("route", None)
    assert window.current_switch == "route"
    assert window.central.currentWidget() is window.switch_editor


def test_a_line_whose_verb_is_gone_says_so(qtbot, window):
    window.on_tests_panel_place_activated("sales", "/Response/Say[9]")
    assert window.current_flow == "sales"
    assert "no verb at /Response/Say[9]" in window.statusBar().currentMessage()


def test_double_click_on_a_test_opens_its_flow(qtbot, window):
    window.flows_panel.select("goodbye")
    assert window.current_flow == "goodbye"
    view = window.tests_panel.view
    window.tests_dock.raise_()
    qtbot.waitUntil(lambda: view.isVisible())
    rect = view.visualRect(window.tests_panel.model.index(1, Columns.NAME))
    double_click(view.viewport(), rect.center())
    assert window.current_flow == "menu"


def test_run_one_from_the_menu_and_delete_with_undo(qtbot, window):
    panel = window.tests_panel
    panel.select_test("support")
    with qtbot.waitSignal(panel.run_finished, timeout=10000):
        panel.run_one_action.trigger()
    assert outcomes(window) == ["Not run", "Passed", "Not run", "Not run", "Not run", "Not run"]
    window.tests_dock.raise_()
    qtbot.waitUntil(lambda: panel.view.isVisible())
    panel.view.setFocus()
    QTest.keyClick(panel.view, Qt.Key.Key_Delete)
    assert "support" not in window.project.tests
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert "support" in window.project.tests
    assert panel.model.names()[1] == "support"
    assert outcomes(window)[1] == "Passed"  # its last result, back with it


def test_test_problems_and_failures_are_in_the_problems_panel(qtbot, window):
    sales = window.project.test("sales")
    bad = replace(sales, name="bad one", expectations=(Expectation("flow", "nowhere"),))
    assert window.editing.add_test(bad)
    window.refresh()
    model = window.problems_panel.model

    def rows() -> list[tuple[str, str, str]]:
        return [
            (model.index(r, 1).data(), model.index(r, 3).data(), model.index(r, 4).data())
            for r in range(model.rowCount())
        ]

    assert rows() == [
        (
            "[test bad one]",
            "test-unknown-flow",
            "expect 1: 'nowhere' is no flow or switch of the project",
        )
    ]
    break_sales(window)
    window.refresh()
    run_all_by_key(qtbot, window)
    assert (
        "[test sales]",
        "test-failed",
        'test sales: expected say "You have reached sales" (step 5 of 6)',
    ) in rows()
    # The test that could not run is reported once, by its lint error.
    assert [r[1] for r in rows() if r[0] == "[test bad one]"] == ["test-unknown-flow"]
    assert window.counts.text() == "5 flows · 0 errors · 0 warnings"  # the flows' own
    panel = window.problems_panel
    proxy = panel.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 3).data() == "test-failed")
    window.problems_dock.raise_()
    panel.view.setFocus()
    panel.view.setCurrentIndex(proxy.index(row, 0))
    QTest.keyClick(panel.view, Qt.Key.Key_Return)
    assert window.tests_panel.current_name() == "sales"
    assert not window.tests_dock.visibleRegion().isEmpty()
    # Fixed and run again: the failure goes.
    window.undo_action.trigger()
    window.refresh()
    run_all_by_key(qtbot, window)
    assert not [r for r in rows() if r[1] == "test-failed"]


def test_rerun_after_each_change_on_and_off(qtbot, window):
    panel = window.tests_panel
    started = []
    panel.run_started.connect(lambda: started.append(1))
    break_sales(window)
    qtbot.wait(900)
    assert not started  # off by default
    window.menuBar()  # the Tests menu's action is the panel's
    panel.rerun_action.trigger()
    assert panel.rerun_action.isChecked() and window.settings.get(RERUN_TESTS)
    sales = window.project.flow("sales")
    for text in ("You have", "You have reached", "You have reached sales."):
        window.editing.set_text(sales, sales.root.child(0), text)
        qtbot.wait(150)
    with qtbot.waitSignal(panel.run_finished, timeout=10000):
        pass
    qtbot.wait(800)
    assert len(started) == 1
    assert outcomes(window) == ["Passed"] * 6
    panel.rerun_action.trigger()
    window.undo_action.trigger()
    qtbot.wait(900)
    assert len(started) == 1


def flow_source(verbs: int) -> bytes:
    """A flow of `verbs` verbs no test reaches (as benchmarks/bench_editor.py makes them)."""
    parts = ["<Response>"]
    for i in range(verbs // 3):
        parts.append(f'<Say voice="woman">Prompt number {i}</Say>')
        parts.append(
            f'<Gather numDigits="1" timeout="5" action="flow:big"><Say>Press {i % 10}'
            "</Say></Gather>"
        )
        parts.append('<Pause length="1"/>')
    parts.append("<Hangup/></Response>")
    return "".join(parts).encode()


def test_rerunning_on_a_5000_verb_project_runs_off_the_gui_thread(qtbot, qloop, monkeypatch):
    """The rerun reads the copy, runs the tests and measures coverage on a worker thread;
    the GUI thread only writes the project's text and applies the results. (How long the
    GUI thread is held is a benchmark's business, not a timed test's.)"""
    project = load([TEMPLATE])
    project.add_flow("big", parse(flow_source(5000)))
    settings = SettingsStore()
    settings.set(RERUN_TESTS, True)
    ran_on: list[threading.Thread] = []
    real = tests_panel.run_copy

    def recording(text, names, stop=None):
        ran_on.append(threading.current_thread())
        return real(text, names, stop)

    monkeypatch.setattr(tests_panel, "run_copy", recording)
    win = open_window(qtbot, project, settings)
    try:
        win.flows_panel.select("big")  # its 6,000 unreached verbs marked after the run
        panel = win.tests_panel
        assert panel.rerun_action.isChecked()
        big = project.flow("big")
        say = big.root.child(0)
        with qtbot.waitSignal(panel.run_finished, timeout=30000) as finished:
            win.editing.set_text(big, say, "Prompt number zero")
        found, fresh = finished.args
        assert fresh and [r.outcome for r in found.results] == ["passed"] * 6
        assert win.editor.flow_model.unreached  # the coverage marks are in
        assert len(ran_on) == 1 and ran_on[0] is not threading.main_thread()
    finally:
        close_window(qtbot, win)


def test_a_layout_saved_before_the_tests_panel_puts_it_beside_problems(qtbot, qloop):
    settings = SettingsStore()
    first = MainWindow(load([TEMPLATE]), settings)
    first.show()
    qtbot.waitExposed(first)
    first.tests_dock.setObjectName("former-panel")  # a window of the version before
    state = bytes(first.saveState().data())
    assert "tests-dock".encode("utf-16-be") not in state
    close_window(qtbot, first)
    settings.set("window/state", state)
    second = MainWindow(load([TEMPLATE]), settings)  # restores the saved layout
    try:
        assert not second._tabs_pending  # the saved layout is used, not the default one
        second.show()
        qtbot.waitExposed(second)
        assert second.tests_dock in second.tabifiedDockWidgets(second.problems_dock)
        assert second.tests_dock.toggleViewAction().isChecked()
    finally:
        close_window(qtbot, second)


def test_a_test_recorded_in_the_simulator_is_added_as_one_undo_step(qtbot, window):
    recorded = replace(window.project.test("support"), name="support, recorded")
    window.simulator.test_recorded.emit(recorded)  # what the Save as test dialog sends
    assert window.project.test_names[-1] == "support, recorded"
    assert window.tests_panel.current_name() == "support, recorded"
    assert window.editing.stack.undoText() == "Add test support, recorded"
    window.on_simulator_test_recorded(recorded)  # the name is taken now
    assert window.project.test_names.count("support, recorded") == 1
    assert "already has a test named" in window.statusBar().currentMessage()
    window.undo_action.trigger()
    assert "support, recorded" not in window.project.tests
