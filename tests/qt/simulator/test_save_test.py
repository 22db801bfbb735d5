"""Save as test, driven like a person would: run a flow in the real Simulator panel, press
keys, then save the run as a flow test of the project, trimmed in the dialog, added through a
real Editing (one undo step) and passing when the real Runner runs it."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from gui.core.flowtests.runner import run_tests
from gui.core.project import Project
from gui.core.project_file import read_project
from gui.qt.common.messages import UNEXPECTED
from gui.qt.designer.editing import Editing
from gui.qt.simulator import panel as panel_module
from gui.qt.simulator.save_test import SaveTestDialog
from tests.qt.findable import assert_findable
from tests.qt.simulator.test_panel import GATHER_PROJECT, Bench, _project

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "resources/templates/ivr-menu.flexproj"
CLICK = Qt.MouseButton.LeftButton


NO_OTHERWISE = b"""<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Gather action="flow:route" numDigits="1"><Say>Key?</Say></Gather>
    </Response>
  </flow>
  <flow name="one">
    <Response><Say>One</Say></Response>
  </flow>
  <switch name="route" on="Digits">
    <case value="1" goto="one"/>
  </switch>
</flexml-project>
"""


def _template() -> Project:
    return Project.from_contents(read_project(TEMPLATE.read_bytes()))


@pytest.fixture
def bench(qtbot, qloop):
    """Makes panels on projects (test_panel's Bench), each with a real Editing whose undo
    stack takes the tests the panel records, closed after the test."""
    made: list[Bench] = []

    def make(project: Project) -> Bench:
        item = Bench(qtbot, project)
        item.editing = Editing(project)
        item.panel.test_recorded.connect(
            lambda test: item.editing.edit(
                f"Add test {test.name}", lambda: item.editing.project.add_test(test)
            )
        )
        made.append(item)
        return item

    yield make
    for item in made:
        if item.panel.save_dialog is not None:
            item.panel.save_dialog.reject()
        item.close()


def _save(qtbot, dialog: SaveTestDialog, *, click: bool = True) -> None:
    """Save (the button, or Enter) and wait while the test runs once before it is saved."""
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        if click:
            qtbot.mouseClick(dialog.save_button, CLICK)
        else:
            dialog.accept()


def _open_dialog(b: Bench, qtbot) -> SaveTestDialog:
    button = b.panel.save_test_button
    qtbot.waitUntil(button.isEnabled, timeout=3000)
    qtbot.mouseClick(button, CLICK)
    dialog = b.panel.save_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _lines(dialog: SaveTestDialog) -> list[str]:
    return [dialog.checklist.item(i).text() for i in range(dialog.checklist.count())]


def _untick(dialog: SaveTestDialog, text: str) -> None:
    row = _lines(dialog).index(text)
    dialog.checklist.item(row).setCheckState(Qt.CheckState.Unchecked)


def _passes(project: Project, name: str) -> bool:
    """Whether the project's test `name` passes when the real Runner runs it (in a thread of
    its own, as the command line would: the window's event loop is running here)."""
    with ThreadPoolExecutor(1) as pool:
        (result,) = pool.submit(run_tests, project, [project.test(name)]).result()
    assert result.passed, (result.message, result.transcript)
    return True


def test_a_run_saved_as_a_test_keeps_what_is_ticked_and_undo_removes_it(bench, qtbot):
    b = bench(_template())
    panel, button = b.panel, b.panel.save_test_button
    assert not button.isEnabled()
    assert button.toolTip() == "Run a flow first: a run that has ended can be saved as a test"
    b.run("instant")
    qtbot.waitUntil(panel.waiting_for_keys, timeout=5000)
    assert not button.isEnabled() and not panel.save_test_action.isEnabled()
    assert button.toolTip() == "A run is going on: save it as a test once it ends"
    assert panel.save_test() is None
    panel.press("9")  # a wrong key: menu-again asks again
    qtbot.waitUntil(lambda: panel.waiting_for_keys() and "Keys: none" in panel.keys_label.text())
    panel.press("1")
    b.idle()

    dialog = _open_dialog(b, qtbot)
    assert button.toolTip().startswith("Save this call as a flow test")
    assert dialog.name_edit.text() == "menu 91"
    assert dialog.facts["Starts at"].text() == "menu"
    assert dialog.facts["Caller’s keys"].text() == "91"
    assert dialog.facts["Outcomes"].text() == "none (no Dial, Record or Amd on this call)"
    assert _lines(dialog) == [
        "Reaches menu",
        "Says “For sales, press 1. For support, press”",
        "Reaches route",
        "Reaches menu-again",
        "Says “Sorry, we did not get that. For sales,”",
        "Reaches route-again",
        "Reaches sales",
        "Says “You have reached sales. Nobody is”",
        "Ends: hangup",
    ]
    _untick(dialog, "Reaches route")
    _untick(dialog, "Says “Sorry, we did not get that. For sales,”")
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "wrong key, then sales (recorded)")
    _save(qtbot, dialog)
    assert not dialog.isVisible() and panel.save_dialog is None

    project = b.project
    test = project.test("wrong key, then sales (recorded)")
    assert (test.flow, test.digits) == ("menu", "91")
    assert [e.describe() for e in test.expectations] == [
        'flow "menu"',
        'say "For sales, press 1. For support, press"',
        'flow "menu-again"',
        'flow "route-again"',
        'flow "sales"',
        'say "You have reached sales. Nobody is"',
        'end "hangup"',
    ]
    assert _passes(project, test.name)
    stack = b.editing.stack
    assert stack.count() == 1 and stack.undoText() == f"Add test {test.name}"
    stack.undo()
    assert test.name not in project.tests
    stack.redo()
    assert project.test(test.name) == test


def test_a_taken_name_is_refused_in_place(bench, qtbot):
    b = bench(_template())  # the template has a test named "sales"
    b.run("instant")
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=5000)
    b.panel.press("1")
    b.idle()
    dialog = _open_dialog(b, qtbot)
    assert dialog.name_edit.text() == "menu 1"
    tests = list(b.project.test_names)
    dialog.name_edit.setText("sales")
    qtbot.mouseClick(dialog.save_button, CLICK)
    assert dialog.isVisible()
    assert dialog.name_error.isVisible()
    assert dialog.name_error.text() == "Not saved: the project already has a test named “sales”."
    assert b.project.test_names == tests and b.editing.stack.count() == 0
    qtbot.keyClicks(dialog.name_edit, " again")  # typing takes the message away
    assert not dialog.name_error.isVisible()
    dialog.name_edit.setText("  ")
    qtbot.mouseClick(dialog.save_button, CLICK)
    assert dialog.name_error.text() == "Not saved: a test needs a name."
    dialog.name_edit.setText("sales again")
    _save(qtbot, dialog)
    assert b.project.test_names == [*tests, "sales again"]
    assert _passes(b.project, "sales again")


def test_cancel_adds_nothing_and_a_second_run_can_be_saved(bench, qtbot):
    b = bench(_template())
    b.run("instant")
    qtbot.waitUntil(b.panel.timeout_button.isEnabled, timeout=5000)
    qtbot.mouseClick(b.panel.timeout_button, CLICK)  # no key, twice: goodbye
    qtbot.waitUntil(
        lambda: any("Sorry" in t for t in b.texts()) and b.panel.timeout_button.isEnabled()
    )
    qtbot.mouseClick(b.panel.timeout_button, CLICK)
    b.idle()
    dialog = _open_dialog(b, qtbot)
    assert dialog.facts["Caller’s keys"].text() == "ww   (w: a Gather timed out)"
    qtbot.mouseClick(dialog.cancel_button, CLICK)
    assert b.panel.save_dialog is None and b.editing.stack.count() == 0
    dialog = _open_dialog(b, qtbot)
    assert dialog.name_edit.text() == "menu ww"
    _save(qtbot, dialog, click=False)
    assert _passes(b.project, "menu ww")


def test_the_shortcut_opens_the_dialog_while_the_simulator_has_the_focus(bench, qtbot):
    b = bench(_project(main=b"<Response><Say>Quick</Say><Hangup/></Response>"))
    b.run("instant")
    b.idle()
    b.panel.activateWindow()
    qtbot.waitActive(b.panel)
    b.panel.transcript.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(b.panel.transcript, Qt.Key.Key_R, modifiers)
    qtbot.waitUntil(lambda: b.panel.save_dialog is not None, timeout=2000)
    dialog = b.panel.save_dialog
    assert dialog.name_edit.text() == "main"
    assert _lines(dialog) == ["Reaches main", "Says “Quick”", "Ends: hangup"]
    assert "(Ctrl+Alt+R)" in b.panel.save_test_button.toolTip()


def test_a_run_that_ended_in_an_error_proposes_end_error_and_says_so(bench, qtbot, tmp_path):
    # The route switch has a case for 1 and no otherwise: 4 ends the call with an error.
    project = Project.from_contents(read_project(NO_OTHERWISE))
    b = bench(project)
    b.run("instant")
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=5000)
    b.panel.press("4")
    b.idle()
    dialog = _open_dialog(b, qtbot)
    note = dialog.findChild(type(dialog.name_error), "save-test-error-note")
    assert note is not None and note.isVisible()
    assert note.text().startswith("This call ended with an error: ")
    assert 'The test expects the error (end "error")' in note.text()
    assert _lines(dialog)[-1] == "Ends: error"
    folder = Path(os.environ.get("SIM_SCREENSHOTS") or tmp_path)
    assert dialog.grab().save(str(folder / "save-test-error.png"))
    _save(qtbot, dialog, click=False)
    test = project.test("main 4")
    assert test.expectations[-1].describe() == 'end "error"'
    assert _passes(project, "main 4")


def test_a_stopped_run_leaves_its_end_unticked(bench, qtbot, tmp_path):
    b = bench(_project(main=b'<Response><Say>Hi</Say><Pause length="600"/></Response>'))
    b.run("4x")
    qtbot.waitUntil(lambda: b.panel.pause_label.isVisible(), timeout=5000)
    assert not b.panel.save_test_button.isEnabled()
    b.panel.stop()
    b.idle()
    dialog = _open_dialog(b, qtbot)
    assert dialog.findChild(type(dialog.name_error), "save-test-stopped-note").isVisible()
    assert _lines(dialog) == ["Reaches main", "Says “Hi”", "Ends: completed"]
    assert [e.kind for e in dialog.kept()] == ["flow", "say"]
    folder = Path(os.environ.get("SIM_SCREENSHOTS") or tmp_path)
    assert dialog.grab().save(str(folder / "save-test-stopped.png"))
    _save(qtbot, dialog, click=False)
    assert _passes(b.project, "main")


def test_a_run_that_failed_before_its_call_cannot_be_saved(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    b.panel.flow_combo.setCurrentIndex(b.panel.flow_combo.findData("choice"))
    b.project.remove_flow("choice")  # gone since the flows were listed: the run fails
    b.run("instant")
    b.idle()
    button = b.panel.save_test_button
    assert not button.isEnabled()
    assert button.toolTip() == (
        "This run failed before its call could end: there is no call to save"
    )


def test_a_sandbox_call_shown_as_a_run_can_be_saved(bench, qtbot):
    # At the sandbox's 20x, 200 s of Gather timeout leave 10 s to press each key.
    slow = {**GATHER_PROJECT, "main": GATHER_PROJECT["main"].replace(b'"20"', b'"200"')}
    b = bench(_project(**slow))
    sandbox = b.services.sandbox()
    server = b.services.flow_server()
    response = httpx.post(
        f"{sandbox.api_url}/calls",
        auth=(sandbox.credentials.login, sandbox.credentials.password),
        json={
            "calling_did": sandbox.dids[0],
            "called_did": "15162065318",
            "url": server.flow_urls()["main"],
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=10000)
    assert not b.panel.save_test_button.isEnabled()
    assert b.panel.save_test_button.toolTip() == (
        "The call is still going on: save it as a test once it ends"
    )
    b.panel.press("3")
    b.panel.press("5")
    run = b.panel.shown_run
    qtbot.waitUntil(lambda: not run.live, timeout=10000)
    dialog = _open_dialog(b, qtbot)
    assert dialog.facts["Starts at"].text() == "main"
    assert dialog.facts["Caller’s keys"].text() == "35"
    assert _lines(dialog) == [
        "Reaches main",
        "Says “Welcome”",
        "Says “Press two keys”",
        "Reaches choice",
        "Says “You chose well”",
        "Ends: hangup",
    ]
    _save(qtbot, dialog, click=False)
    test = b.project.test("main 35")
    assert test.to_number == "15162065318"
    assert _passes(b.project, "main 35")


def test_the_dialog_is_findable_and_its_screenshot(bench, qtbot, tmp_path):
    # SIM_SCREENSHOTS=folder keeps save-test.png to look at.
    folder = Path(os.environ.get("SIM_SCREENSHOTS") or tmp_path)
    b = bench(
        Project.from_contents(
            read_project((ROOT / "resources/samples/sample.flexproj").read_bytes())
        )
    )
    b.panel.outcomes_box.dial_combo.setCurrentIndex(1)  # busy
    b.panel.outcomes_box.dial_seconds.setValue(3)
    b.run("instant")
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=5000)
    b.panel.press("1")
    b.idle()
    found = assert_findable(b.panel)
    assert found["simulator-save-test"] is b.panel.save_test_button
    dialog = _open_dialog(b, qtbot)
    found = assert_findable(dialog)
    for name in ("save-test-name", "save-test-expectations", "save-test-save", "save-test-cancel"):
        assert name in found
    assert dialog.facts["Outcomes"].text() == "Dial: busy 3 s"
    _untick(dialog, "Reaches route")
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(folder / "save-test.png"))
    assert QApplication.activeModalWidget() in (dialog, None)
    _save(qtbot, dialog, click=False)
    test = b.project.test("hello 1")
    assert test.dial == "busy:3"
    assert _passes(b.project, "hello 1")


def test_a_bug_while_proposing_is_said_in_the_transcript_and_logged(
    bench, qtbot, monkeypatch, caplog
):
    def broken(run, project):
        raise RuntimeError("a bug while proposing")

    b = bench(_project(main=b"<Response><Say>Quick</Say></Response>"))
    b.run("instant")
    b.idle()
    monkeypatch.setattr(panel_module, "proposal", broken)
    with caplog.at_level(logging.ERROR, logger="gui.qt.simulator.panel"):
        assert b.panel.save_test() is None
    qtbot.waitUntil(lambda: b.panel.transcript_lines()[-1] == UNEXPECTED, timeout=2000)
    assert "a bug while proposing" in caplog.text and "Traceback" in caplog.text
    assert b.panel.save_dialog is None and b.editing.stack.count() == 0


def test_a_run_through_the_flow_server_can_be_saved(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    b.panel.server_check.setChecked(True)
    b.run("instant")
    qtbot.waitUntil(lambda: "s left" in b.panel.keys_label.text(), timeout=5000)
    b.panel.press("7")
    b.panel.press("#")
    b.idle()
    dialog = _open_dialog(b, qtbot)
    assert dialog.name_edit.text() == "main 7#"
    assert _lines(dialog) == [
        "Reaches main",
        "Says “Welcome”",
        "Says “Press two keys”",
        "Reaches choice",
        "Says “You chose well”",
        "Ends: hangup",
    ]
    _save(qtbot, dialog, click=False)
    assert _passes(b.project, "main 7#")


def test_a_name_a_project_file_cannot_hold_is_refused_in_place(bench, qtbot):
    b = bench(_project(main=b"<Response><Say>Quick</Say><Hangup/></Response>"))
    b.run("instant")
    b.idle()
    dialog = _open_dialog(b, qtbot)
    dialog.name_edit.setText("sales\x0bpath\x07")  # as pasted from somewhere
    qtbot.mouseClick(dialog.save_button, CLICK)
    assert dialog.isVisible() and dialog.name_error.isVisible()
    assert dialog.name_error.text() == (
        "Not saved: the test name 'sales\\x0bpath\\x07' holds the character U+000B, which a "
        "project file cannot hold."
    )
    assert b.project.test_names == [] and b.editing.stack.count() == 0
    dialog.name_edit.setText("sales path")
    _save(qtbot, dialog)
    assert b.project.test_names == ["sales path"]
    assert Project.from_contents(read_project(b.project.to_text().encode())).test_names == [
        "sales path"
    ]


def _open_until_the_next_minute(qtbot) -> tuple[Project, datetime]:
    """A call that pauses 60 s, then meets a switch open (UTC, every day) from 30 minutes
    before the next whole minute until it, and the moment it was made: the run's switch
    decides within it, 60 s later it is closed."""
    now = datetime.now(UTC)
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if end - now < timedelta(seconds=10):  # too near to be sure the run's switch is before
        qtbot.wait(int((end - now).total_seconds() * 1000) + 100)
        now = datetime.now(UTC)
        end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    hours = f"Mon-Sun {end - timedelta(minutes=30):%H:%M}-{end:%H:%M}"
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response><Pause length="60"/><Redirect>flow:hours</Redirect></Response>
  </flow>
  <flow name="open"><Response><Say>Open</Say><Hangup/></Response></flow>
  <flow name="closed"><Response><Say>Closed</Say><Hangup/></Response></flow>
  <switch name="hours">
    <case hours="{hours}" tz="UTC" goto="open"/>
    <otherwise goto="closed"/>
  </switch>
</flexml-project>
"""
    return Project.from_contents(read_project(text.encode())), now


def test_a_saved_test_decides_opening_hours_at_the_moment_the_run_did(bench, qtbot):
    project, now = _open_until_the_next_minute(qtbot)
    b = bench(project)
    b.run("instant")  # the Pause of 60 s takes no time; the switch decides by the wall clock
    b.idle()
    dialog = _open_dialog(b, qtbot)
    assert "Reaches open" in _lines(dialog) and "Reaches closed" not in _lines(dialog)
    clock = dialog.facts["Clock"].text()
    _save(qtbot, dialog, click=False)
    test = project.test("main")
    assert clock == f"{test.at} (opening hours decided on this call)"
    # The call starts 60 s before the moment the switch decided, so that its switch,
    # 60 s into the call, decides at that moment too (not 60 s later, after hours).
    at = datetime.fromisoformat(test.at)
    assert timedelta(seconds=-62) < at - now < timedelta(seconds=-57), (at, now)
    assert _passes(project, "main")


def _run_sales(b: Bench, qtbot) -> None:
    """Run the template's menu and press 1: the call reaches route, then sales."""
    b.run("instant")
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=5000)
    b.panel.press("1")
    b.idle()


def _note_text(dialog: SaveTestDialog, name: str) -> str | None:
    note = dialog.findChild(QLabel, name)
    return note.text() if note is not None and note.isVisibleTo(dialog) else None


def test_flows_renamed_since_the_run_are_saved_under_their_new_names(bench, qtbot):
    b = bench(_template())
    _run_sales(b, qtbot)
    project = b.project
    b.editing.edit("Rename sales", lambda: project.rename_flow("sales", "sales-desk"))
    b.editing.edit("Rename menu", lambda: project.rename_flow("menu", "welcome"))
    dialog = _open_dialog(b, qtbot)
    assert dialog.name_edit.text() == "welcome 1"
    assert dialog.facts["Starts at"].text() == "welcome"
    assert _lines(dialog) == [
        "Reaches welcome",
        "Says “For sales, press 1. For support, press”",
        "Reaches route",
        "Reaches sales-desk",
        "Says “You have reached sales. Nobody is”",
        "Ends: hangup",
    ]
    assert _note_text(dialog, "save-test-renamed-note") == (
        "Flows this call ran were renamed since the run (“menu” is now “welcome”, “sales” "
        "is now “sales-desk”): the test uses the names the project has now."
    )
    assert _note_text(dialog, "save-test-missing-note") is None
    _save(qtbot, dialog)
    test = project.test("welcome 1")
    assert test.flow == "welcome"
    assert {"welcome", "sales-desk"} <= test.references() and "sales" not in test.references()
    assert project.lint_tests()["welcome 1"] == []
    assert _passes(project, "welcome 1")


def test_a_switch_renamed_since_the_run_is_left_out_and_said(bench, qtbot):
    b = bench(_template())
    _run_sales(b, qtbot)
    project = b.project
    b.editing.edit("Rename route", lambda: project.rename_switch("route", "router"))
    dialog = _open_dialog(b, qtbot)
    row = _lines(dialog).index("Reaches route (renamed or removed since this run)")
    item = dialog.checklist.item(row)
    assert item.checkState() == Qt.CheckState.Unchecked
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled  # it cannot be ticked
    assert "renamed or removed since the run" in item.toolTip()
    assert _note_text(dialog, "save-test-missing-note") == (
        "The flow or switch “route” was renamed or removed since this run: the project has "
        "nothing of that name. Expecting it is left out of the test (greyed below). If it was "
        "removed, the call cannot go there again: Save runs the test first and says if it fails."
    )
    assert dialog.save_button.isEnabled()
    _save(qtbot, dialog)
    test = project.test("menu 1")
    assert "route" not in test.references()
    assert project.lint_tests()["menu 1"] == []
    assert _passes(project, "menu 1")


def test_a_run_whose_start_is_gone_cannot_be_saved_and_says_why(bench, qtbot):
    b = bench(_template())
    _run_sales(b, qtbot)
    project = b.project
    tests = list(project.test_names)
    b.editing.edit("Remove menu", lambda: project.remove_flow("menu"))
    dialog = _open_dialog(b, qtbot)
    assert dialog.facts["Starts at"].text() == "menu (no longer in the project)"
    assert _note_text(dialog, "save-test-missing-note") == (
        "The flow or switch “menu” was renamed or removed since this run: the project has "
        "nothing of that name. The test would start there, so it could not run: it cannot "
        "be saved. Run the call again (from the flow's new name, if it was renamed) and "
        "save that run."
    )
    assert not dialog.save_button.isEnabled()
    assert "no longer has" in dialog.save_button.toolTip()
    dialog.accept()  # Enter in the dialog: nothing is saved
    assert dialog.isVisible() and project.test_names == tests


def test_a_test_that_fails_on_the_project_as_it_is_now_is_saved_only_when_asked_again(bench, qtbot):
    """A prompt edited since the run: the proposed Say no longer matches. Save runs the test
    first, says it fails and why, and saves nothing; unchanged, Save again keeps it."""
    b = bench(_template())
    _run_sales(b, qtbot)
    project = b.project
    sales = project.flow("sales")
    b.editing.set_text(sales, sales.root.child(0), "Sales speaking. Goodbye.")
    dialog = _open_dialog(b, qtbot)
    qtbot.mouseClick(dialog.save_button, CLICK)
    qtbot.waitUntil(dialog.name_error.isVisible, timeout=10000)
    assert dialog.isVisible() and "menu 1" not in project.tests
    assert dialog.name_error.text() == (
        "Not saved yet: this test fails on the project as it is now: expected say "
        '"You have reached sales. Nobody is" (step 5 of 6). Untick what changed since the '
        "run, or Save again to keep it as it is."
    )
    assert dialog.save_button.isEnabled() and dialog.save_button.text() == "&Save"
    _untick(dialog, "Says “You have reached sales. Nobody is”")  # the test changed: checked again
    _save(qtbot, dialog)
    assert _passes(project, "menu 1")


def test_a_flow_removed_since_the_run_fails_the_check_and_save_again_keeps_it(bench, qtbot):
    b = bench(_template())
    _run_sales(b, qtbot)
    project = b.project
    b.editing.edit("Remove sales", lambda: project.remove_flow("sales"))
    dialog = _open_dialog(b, qtbot)
    qtbot.mouseClick(dialog.save_button, CLICK)
    qtbot.waitUntil(dialog.name_error.isVisible, timeout=10000)
    assert "this test fails on the project as it is now" in dialog.name_error.text()
    assert "menu 1" not in project.tests and b.editing.stack.count() == 1
    _save(qtbot, dialog)  # again, unchanged: kept as it is, as asked
    assert "menu 1" in project.tests and b.editing.stack.count() == 2
