"""Async work asked for while the app starts: the window's event loop (qasync) is made only
after the first frame, so what a start-up event asks for then (macOS hands over a file to
open, and the Tests panel reruns the tests) waits for it instead of landing on a loop that
never runs; a task started the ordinary way then is a bug, said at once."""

from __future__ import annotations

import gc
import warnings

import pytest

from gui.core.project import load
from gui.qt.common import tasks
from gui.qt.common.settings import SettingsStore
from gui.qt.designer import tests_panel
from gui.qt.designer.editing import Editing
from tests.conftest import ROOT

TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"


@pytest.fixture
def holding():
    tasks.hold()
    try:
        yield
    finally:
        tasks.drop_held()  # what a failed test left waiting


def test_work_asked_for_while_starting_runs_once_the_loop_is_there(qtbot, qloop, holding):
    done: list[str] = []

    async def work(word: str) -> None:
        done.append(word)

    tasks.start_when_ready(work("first"), name="first")
    tasks.start_when_ready(work("second"), name="second")
    qtbot.wait(50)
    assert done == [] and tasks.running() == []
    tasks.release()
    qtbot.waitUntil(lambda: done == ["first", "second"], timeout=5000)
    tasks.start_when_ready(work("third"))  # released: at once, as start does
    qtbot.waitUntil(lambda: done[-1:] == ["third"], timeout=5000)


def test_a_task_started_the_ordinary_way_while_starting_is_a_bug_said_at_once(qloop, holding):
    async def work() -> None:
        raise AssertionError("never runs")

    coro = work()
    with pytest.raises(RuntimeError, match="fetch audio was started before the window's event"):
        tasks.start(coro, name="fetch audio")
    assert coro.cr_frame is None  # closed, not left to warn that it was never awaited


def test_work_still_waiting_when_the_app_ends_is_closed_quietly(holding):
    async def work() -> None:
        raise AssertionError("never runs")

    coro = work()
    tasks.start_when_ready(coro)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tasks.drop_held()
        del coro
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]
    tasks.release()  # nothing is left to start
    assert tasks.running() == []


def test_a_tests_rerun_asked_for_while_starting_runs_when_the_loop_is_there(qtbot, qloop, holding):
    project = load([TEMPLATE])
    panel = tests_panel.TestsPanel(Editing(project), SettingsStore())
    qtbot.addWidget(panel)
    panel.run_all()  # as the rerun timer does after a file opened at start-up
    qtbot.wait(50)
    assert panel.running and tasks.running() == []  # waiting, not lost
    with qtbot.waitSignal(panel.run_finished, timeout=10000) as finished:
        tasks.release()
    assert [result.outcome for result in finished.args[0].results] == ["passed"] * 6
    assert not panel.running and panel.run_all_button.isEnabled()
