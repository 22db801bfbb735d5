"""The Tests panel on its own, over a real project and undo stack: it lists the tests, runs
them on a copy on a thread (all, or one with Enter), shows a failure's expectation beside its
transcript with the line where matching stopped marked, deletes with one undo step, and
reruns after changes when asked to (once per pause in the changes)."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester, QTest
from PySide6.QtWidgets import QStyleOptionViewItem

from gui.core.flexml import Problem, RefusedError, Severity
from gui.core.flowtests.coverage import Coverage, Part
from gui.core.flowtests.model import Expectation
from gui.core.flowtests.runner import FAILED, FlowTestResult, Runner
from gui.core.project import Project, load
from gui.qt.common import tasks
from gui.qt.common.messages import UNEXPECTED
from gui.qt.common.settings import RERUN_TESTS, SettingsStore
from gui.qt.designer import tests_model, tests_panel
from gui.qt.designer.editing import Editing
from gui.qt.designer.problems_panel import ProblemsPanel
from gui.qt.designer.tests_detail import PLACE_ROLE
from gui.qt.designer.tests_model import OUTCOME_ROLE, summary_text
from gui.qt.designer.tests_panel import EMPTY_TEXT, RERUN_DELAY
from tests.conftest import ROOT
from tests.qt.findable import assert_findable

# By module: pytest takes a class named Test... in a test module for a test class.
Columns = tests_model.TestsModel
TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"
NAMES = [
    "sales",
    "support",
    "wrong key, then sales",
    "no key, then support",
    "wrong key twice: goodbye",
    "no key twice: goodbye",
]
ALL_PASSED = "6 tests: 6 passed, 0 failed · coverage: flows 5/5, verbs 12/12, switch cases 6/6"
SALES_SAY = "You have reached the sales team. Goodbye."  # the test expects "You have reached sales"


def double_click(widget, pos) -> None:
    """A real double-click: press and release, then the double-click (QTest.mouseDClick
    alone sends only the last part, which item views ignore)."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def follow(project: Project, panel: tests_panel.TestsPanel) -> None:
    """Tell the panel of every change, as the window does."""
    project.changed.connect(panel.project_changed)
    for name in project.names:
        project.flow(name).changed.connect(lambda _change: panel.project_changed())


def make_panel(
    qtbot, project: Project, settings: SettingsStore | None = None
) -> tests_panel.TestsPanel:
    panel = tests_panel.TestsPanel(Editing(project), settings or SettingsStore())
    follow(project, panel)
    qtbot.addWidget(panel)
    panel.resize(1000, 320)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def panel(qtbot, qloop):
    panel = make_panel(qtbot, load([TEMPLATE]))
    yield panel
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)


def run_all(qtbot, panel: tests_panel.TestsPanel):
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as finished:
        panel.run_all()
    return finished.args[0]


def outcomes(panel: tests_panel.TestsPanel) -> list[str]:
    model = panel.model
    return [model.index(row, Columns.RESULT).data() for row in range(model.rowCount())]


def break_sales(panel: tests_panel.TestsPanel) -> None:
    """Change the Say the "sales" test expects, through the undo stack."""
    sales = panel.project.flow("sales")
    panel.editing.set_text(sales, sales.root.child(0), SALES_SAY)


def test_lists_every_test_not_run_yet(panel):
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert panel.model.names() == NAMES
    assert outcomes(panel) == ["Not run"] * 6
    assert panel.summary.text() == "6 tests, not run yet"
    assert panel.model.index(0, Columns.FLOW).data() == "menu"
    assert panel.stack.currentWidget() is panel.splitter
    assert panel.current_name() == "sales"
    assert "has not run yet" in panel.detail.headline.text()
    assert_findable(panel)
    for button in (panel.run_all_button, panel.run_one_button, panel.delete_button):
        assert button.toolTip() and button.accessibleName()
    assert "Ctrl+Shift+T" in panel.run_all_action.toolTip()


def test_a_project_without_tests_says_how_to_make_one(qtbot, qloop):
    project = load([TEMPLATE])
    for name in list(project.test_names):
        project.remove_test(name)
    panel = make_panel(qtbot, project)
    assert panel.stack.currentWidget() is panel.empty
    assert panel.empty.text() == EMPTY_TEXT
    assert "write <test> in the project file" in panel.empty.text()
    assert panel.empty.textFormat() == Qt.TextFormat.PlainText  # <test> shown, not a tag
    assert not panel.run_all_action.isEnabled()
    assert not panel.delete_action.isEnabled()


def test_run_all_passes_every_test_and_gives_the_coverage(qtbot, panel):
    found = run_all(qtbot, panel)
    assert [r.name for r in found.results] == NAMES
    assert outcomes(panel) == ["Passed"] * 6
    assert {panel.model.index(r, 0).data(OUTCOME_ROLE) for r in range(6)} == {"passed"}
    assert all(panel.model.index(r, Columns.TIME).data().endswith(" ms") for r in range(6))
    assert panel.summary.text() == ALL_PASSED
    assert panel.detail.headline.text().startswith("Passed in ")
    assert panel.detail.transcript.count() == len(panel.results["sales"].transcript)
    assert panel.run_all_button.text() == "Run all" and panel.run_all_action.isEnabled()


def test_the_run_buttons_say_running_until_the_results_are_in(qtbot, panel):
    panel.run_all()
    assert panel.running
    assert panel.run_all_button.text() == "Running…"
    assert panel.run_one_button.text() == "Running…"
    assert not panel.run_all_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.running, timeout=10000)
    assert panel.run_all_button.text() == "Run all" and panel.run_all_button.isEnabled()
    assert panel.run_one_button.text() == "Run" and panel.run_one_button.isEnabled()


def test_a_failure_shows_its_expectation_beside_the_marked_transcript_line(qtbot, panel):
    break_sales(panel)
    run_all(qtbot, panel)
    assert outcomes(panel) == ["Failed"] + ["Passed"] * 5
    assert panel.summary.text().startswith("6 tests: 5 passed, 1 failed · coverage: ")
    assert panel.select_test("sales")
    result = panel.results["sales"]
    assert result.outcome == FAILED
    headline = panel.detail.headline.text()
    assert headline == 'Failed: expected say "You have reached sales" (step 5 of 6)'
    transcript = panel.detail.transcript
    stopped = result.stopped_at
    assert stopped is not None and panel.detail.stopped_at == stopped
    marked = transcript.item(stopped)
    assert SALES_SAY in marked.text()
    assert marked.font().bold() and not transcript.item(0).font().bold()
    assert "Matching stopped here" in marked.toolTip()
    assert transcript.currentRow() == stopped
    # Scrolled to: the marked line is in view.
    assert transcript.viewport().rect().intersects(transcript.visualItemRect(marked))
    assert marked.data(PLACE_ROLE) == ("sales", "/Response/Say[1]")
    row = panel.model.row_of("sales")
    assert panel.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole).endswith("(step 5 of 6)")


def test_a_transcript_line_activated_asks_for_its_place(qtbot, panel):
    break_sales(panel)
    run_all(qtbot, panel)
    transcript = panel.detail.transcript
    stopped = panel.detail.stopped_at
    with qtbot.waitSignal(panel.place_activated) as place:
        transcript.setFocus()
        QTest.keyClick(transcript, Qt.Key.Key_Return)
    assert place.args == ["sales", "/Response/Say[1]"]
    switch_line = next(
        i
        for i in range(transcript.count())
        if transcript.item(i).text().strip().split()[1] == "switch"
    )
    assert switch_line < stopped
    transcript.scrollToItem(transcript.item(switch_line))
    rect = transcript.visualItemRect(transcript.item(switch_line))
    with qtbot.waitSignal(panel.place_activated) as place:
        double_click(transcript.viewport(), rect.center())
    assert place.args == ["route", None]


def test_enter_runs_the_selected_test_alone(qtbot, panel):
    panel.select_test("support")
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as finished:
        QTest.keyClick(panel.view, Qt.Key.Key_Return)
    found, fresh = finished.args
    assert [r.name for r in found.results] == ["support"] and found.coverage is None and fresh
    assert outcomes(panel) == ["Not run", "Passed", "Not run", "Not run", "Not run", "Not run"]
    assert panel.summary.text() == "6 tests: 1 passed, 0 failed, 5 not run"
    assert panel.detail.headline.text().startswith("Passed in ")
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as finished:
        panel.run_one_button.click()
    assert [r.name for r in finished.args[0].results] == ["support"]


def test_double_click_on_a_test_asks_to_open_its_flow(qtbot, panel):
    rect = panel.view.visualRect(panel.model.index(1, Columns.NAME))
    with qtbot.waitSignal(panel.flow_open_requested) as opened:
        double_click(panel.view.viewport(), rect.center())
    assert opened.args == ["menu"]


def test_delete_removes_the_selected_test_as_one_undo_step(qtbot, panel):
    stack = panel.editing.stack
    panel.select_test("support")
    QTest.keyClick(panel.view, Qt.Key.Key_Delete)
    assert "support" not in panel.project.tests
    assert panel.model.names() == [n for n in NAMES if n != "support"]
    assert panel.current_name() == "wrong key, then sales"  # the next one
    assert stack.count() == 1 and stack.undoText() == "Delete test support"
    stack.undo()
    assert panel.project.test_names == NAMES
    assert panel.model.names() == NAMES
    stack.redo()
    assert "support" not in panel.model.names()


def test_a_run_started_while_one_goes_replaces_it(qtbot, panel):
    finished = []
    panel.run_finished.connect(lambda found, fresh: finished.append((found, fresh)))
    panel.run_all()
    break_sales(panel)  # the first run's copy is of the project before this
    panel.run_all()
    qtbot.waitUntil(lambda: not panel.running, timeout=10000)
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)
    assert len(finished) == 1  # the first run's results were dropped
    found, fresh = finished[0]
    assert fresh and found.results[0].outcome == FAILED
    assert outcomes(panel)[0] == "Failed"


def test_a_replaced_run_stops_before_its_next_test(qtbot, qloop, tmp_path, monkeypatch):
    """The run a newer one replaces does not go on to the end of its tests on its thread:
    it stops before its next test (thousands of tests would otherwise keep a core busy for
    nothing, since its results are dropped)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    sales = text[text.index('  <test name="sales"') : text.index('  <test name="support"')]
    copies = "".join(sales.replace('"sales"', f'"sales {i}"') for i in range(3000))
    path = tmp_path / "many.flexproj"
    path.write_text(text.replace("</flexml-project>", copies + "</flexml-project>"), "utf-8")
    panel = make_panel(qtbot, load([path]))
    ran: list[str] = []
    replaced = threading.Event()
    real_run = Runner.run

    async def counted(self, test):
        ran.append(test.name)
        if len(ran) == 10:  # the first run holds here until the second one has started
            replaced.wait(10)
        return await real_run(self, test)

    monkeypatch.setattr(Runner, "run", counted)
    panel.run_all()
    qtbot.waitUntil(lambda: len(ran) >= 10, timeout=10000)
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as finished:
        panel.run_test("support")
        replaced.set()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)
    qtbot.waitUntil(lambda: not flow_test_threads(), timeout=10000)
    assert [result.name for result in finished.args[0].results] == ["support"]
    # The first run's ten tests (its second is "support") and the second run's one: the
    # first stopped before its eleventh test of 3,006.
    assert len(ran) == 11 and ran.count("support") == 2


def flow_test_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "flow tests" and t.is_alive()]


def test_a_change_during_a_run_makes_its_coverage_stale(qtbot, panel):
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as finished:
        panel.run_all()
        break_sales(panel)
    assert finished.args[1] is False  # not fresh
    assert panel.coverage_stale
    assert panel.summary.text().endswith("(before the last change)")
    run_all(qtbot, panel)
    assert not panel.coverage_stale
    break_sales_again = panel.project.flow("sales")
    panel.editing.set_text(break_sales_again, break_sales_again.root.child(0), "Other")
    assert panel.summary.text().endswith("(before the last change)")


def test_rerun_after_each_change_runs_once_after_a_pause(qtbot, panel):
    started = []
    panel.run_started.connect(lambda: started.append(1))
    assert not panel.rerun_action.isChecked()  # off by default
    break_sales(panel)
    qtbot.wait(RERUN_DELAY + 300)
    assert not started and not panel.rerun_pending  # off: no run
    panel.rerun_box.click()
    assert panel.rerun_action.isChecked()
    assert panel.settings.get(RERUN_TESTS) is True
    sales = panel.project.flow("sales")
    for text in ("You", "You have", "You have reached sales"):  # typing, one edit a key
        panel.editing.set_text(sales, sales.root.child(0), text)
        qtbot.wait(RERUN_DELAY // 4)
        assert not started  # still typing
    with qtbot.waitSignal(panel.run_finished, timeout=RERUN_DELAY + 10000):
        pass
    assert len(started) == 1
    qtbot.wait(RERUN_DELAY + 200)
    assert len(started) == 1  # one run for the three edits
    assert outcomes(panel)[0] == "Passed"
    panel.rerun_action.setChecked(False)
    assert not panel.rerun_box.isChecked()
    assert panel.settings.get(RERUN_TESTS) is False


def test_the_rerun_choice_is_remembered(qtbot, qloop):
    settings = SettingsStore()
    first = make_panel(qtbot, load([TEMPLATE]), settings)
    first.rerun_action.setChecked(True)
    second = make_panel(qtbot, load([TEMPLATE]), SettingsStore())
    assert second.rerun_action.isChecked() and second.rerun_box.isChecked()


def test_tests_added_removed_and_renamed_show_at_once(qtbot, panel):
    editing, project = panel.editing, panel.project
    test = project.test("support")
    editing.add_test(replace(test, name="support again"))
    assert panel.model.names()[-1] == "support again"
    assert editing.stack.undoText() == "Add test support again"
    renamed = replace(project.test("sales"), name="sales path")
    assert editing.replace_test(renamed, "sales")
    assert panel.model.names()[0] == "sales path"
    assert editing.replace_test(renamed)  # the same: nothing to do, no undo step
    assert editing.stack.undoText() == "Edit test sales"
    assert not editing.add_test(replace(test, name="support"))  # a taken name is refused
    assert editing.remove_test("support again")
    assert panel.model.names() == ["sales path", *NAMES[1:]]


def test_summary_text_counts_every_outcome():
    def result(outcome: str) -> FlowTestResult:
        return FlowTestResult("t", "menu", outcome)

    coverage = Coverage(Part(5, ()), Part(34, (1, 2, 3)), Part(7, (1,)))
    results = [result("passed")] * 11 + [result("failed")]
    assert summary_text(12, results, coverage) == (
        "12 tests: 11 passed, 1 failed · coverage: flows 5/5, verbs 31/34, switch cases 6/7"
    )
    mixed = [result("passed"), result("error"), result("skipped")]
    assert (
        summary_text(4, mixed)
        == "4 tests: 1 passed, 0 failed, 1 could not run, 1 skipped, 1 not run"
    )
    assert summary_text(1, []) == "1 test, not run yet"
    assert summary_text(1, [result("passed")], coverage, stale=True).endswith(
        "(before the last change)"
    )


def test_test_problems_are_listed_in_the_problems_panel_and_activate_the_test(qtbot):
    problems = ProblemsPanel()
    qtbot.addWidget(problems)
    flow_problem = Problem(Severity.WARNING, "unreachable", "Nothing after Hangup runs", 4)
    test_problem = Problem(Severity.ERROR, "test-unknown-flow", "expect 1: 'x' is no flow", 9)
    problems.set_problems({"menu": [flow_problem]}, {"sales path": [test_problem]})
    model = problems.model
    assert model.rowCount() == 2
    assert [model.index(1, c).data() for c in range(5)] == [
        "Error",
        "[test sales path]",
        "9",
        "test-unknown-flow",
        "expect 1: 'x' is no flow",
    ]
    assert problems.summary.text() == "1 error, 1 warning"
    assert model.test_of(1) == "sales path" and model.test_of(0) is None
    row = next(
        r
        for r in range(problems.proxy.rowCount())
        if problems.proxy.index(r, 1).data() == "[test sales path]"
    )
    with qtbot.waitSignal(problems.test_problem_activated) as activated:
        problems.view.row_activated.emit(problems.proxy.index(row, 0))
    assert activated.args == ["sales path", test_problem]
    flows = []
    problems.problem_activated.connect(lambda flow, problem: flows.append(flow))
    problems.view.row_activated.emit(problems.proxy.index(1 - row, 0))
    assert flows == ["menu"]
    problems.view.row_activated.emit(QModelIndex())
    assert flows == ["menu"]


def test_a_test_that_expects_a_missing_step_fails_with_its_step(qtbot, panel):
    sales = panel.project.test("sales")
    longer = replace(sales, expectations=(*sales.expectations, Expectation("say", "Bye now")))
    panel.editing.replace_test(longer)
    panel.select_test("sales")
    run_all(qtbot, panel)
    assert panel.detail.headline.text() == 'Failed: expected say "Bye now" (step 7 of 7)'


def test_a_run_that_fails_says_so_and_gives_the_buttons_back(qtbot, panel, monkeypatch, caplog):
    said = []
    panel.message.connect(said.append)

    def unreadable(text, names, stop=None):
        raise RefusedError("the file is 60.0 MiB; files over 50 MiB are refused")

    monkeypatch.setattr(tests_panel, "run_copy", unreadable)
    panel.run_all()
    qtbot.waitUntil(lambda: not panel.running, timeout=10000)
    assert said == ["The tests did not run: the file is 60.0 MiB; files over 50 MiB are refused"]
    assert panel.run_all_button.text() == "Run all" and panel.run_all_button.isEnabled()

    def broken(text, names, stop=None):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(tests_panel, "run_copy", broken)
    panel.run_all()
    qtbot.waitUntil(lambda: not panel.running, timeout=10000)
    assert said[-1] == f"The tests did not run: {UNEXPECTED}"
    assert "ZeroDivisionError: a bug" in caplog.text  # logged with its traceback
    assert outcomes(panel) == ["Not run"] * 6


def test_a_test_removed_then_added_again_under_its_name_has_no_old_result(qtbot, panel):
    break_sales(panel)
    run_all(qtbot, panel)
    assert panel.results["sales"].outcome == FAILED
    other = replace(panel.project.test("support"), name="sales")
    panel.editing.remove_test("sales")
    assert "sales" not in panel.results
    panel.editing.add_test(other)
    row = panel.model.names().index("sales")
    assert panel.model.index(row, Columns.RESULT).data() == "Not run"


def many_tests(copies: int) -> Project:
    """The template with its tests repeated `copies` times ("sales #0", "support #1", ...)."""
    project = load([TEMPLATE])
    paths = [project.remove_test(name) for name in list(project.test_names)]
    for i in range(copies * len(paths)):
        project.add_test(replace(paths[i % len(paths)], name=f"{paths[i % len(paths)].name} #{i}"))
    return project


def shown(panel: tests_panel.TestsPanel) -> list[tuple[str, str]]:
    model = panel.model
    return [
        (model.index(row, Columns.RESULT).data(), model.index(row, Columns.TIME).data())
        for row in range(model.rowCount())
    ]


def test_a_partial_run_repaints_only_the_rows_it_ran(qtbot, qloop):
    panel = make_panel(qtbot, many_tests(10))
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    run_all(qtbot, panel)
    before = shown(panel)
    assert {outcome for outcome, _time in before} == {"Passed"}
    break_sales(panel)
    announced: list[tuple[int, int, int, int]] = []
    panel.model.dataChanged.connect(
        lambda top, bottom, _roles=(): announced.append(
            (top.row(), bottom.row(), top.column(), bottom.column())
        )
    )
    with qtbot.waitSignal(panel.run_finished, timeout=10000):
        panel.run_test("sales #30")
    row = panel.model.row_of("sales #30")
    assert announced == [(row, row, 0, len(Columns.HEADERS) - 1)]  # the whole row, no other
    after = shown(panel)
    assert after[row][0] == "Failed" and after[row][1].endswith(" ms")
    assert after[:row] + after[row + 1 :] == before[:row] + before[row + 1 :]
    # A run of every test announces the rows whose result shows differently.
    announced.clear()
    run_all(qtbot, panel)
    failed = [r for r, name in enumerate(panel.model.names()) if name.startswith("sales #")]
    assert [shown(panel)[r][0] for r in failed] == ["Failed"] * 10
    covered = {r for top, bottom, *_cols in announced for r in range(top, bottom + 1)}
    assert covered >= set(failed) - {row}
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)


def test_changed_rows_are_announced_by_stretches():
    ranges = tests_model.changed_ranges
    assert ranges([]) == []
    assert ranges([1, 2, 3, 7, 9, 10]) == [(1, 3), (7, 7), (9, 10)]
    scattered = list(range(0, 4 * tests_model.MAX_RANGES, 2))
    assert ranges(scattered) == [(0, scattered[-1])]  # past MAX_RANGES: one stretch


def test_the_result_and_time_columns_fit_any_result_and_keep_their_width(qtbot, qloop):
    project = load([TEMPLATE])
    nowhere = replace(project.test("support"), name="starts nowhere", flow="nowhere")
    project.add_test(nowhere)
    panel = make_panel(qtbot, project)
    header = panel.view.header()
    widths = [header.sectionSize(column) for column in (Columns.RESULT, Columns.TIME)]
    break_sales(panel)
    run_all(qtbot, panel)
    assert set(outcomes(panel)) == {"Passed", "Failed", "Could not run"}
    slow = FlowTestResult("support", "menu", "passed", seconds=99.9999)
    panel.model.set_results({**panel.results, "support": slow})
    assert panel.model.index(1, Columns.TIME).data() == "99999.9 ms"
    assert [header.sectionSize(column) for column in (Columns.RESULT, Columns.TIME)] == widths
    delegate = panel.view.itemDelegate()
    option = QStyleOptionViewItem()
    panel.view.initViewItemOption(option)
    for row in range(panel.model.rowCount()):
        for column, width in zip((Columns.RESULT, Columns.TIME), widths, strict=True):
            index = panel.model.index(row, column)
            assert delegate.sizeHint(option, index).width() <= width, index.data()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)
