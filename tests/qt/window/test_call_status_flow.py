"""The call log follows a call placed from the window to its end (issue 13), end to end: the
dial pad places it through the real sandbox, the sandbox runs the flow the window's flow
server serves and sends the status callback to that server's /status, and the Call log's row
goes from Placed to how the call ended. And quitting the app after a sandbox call prints no
traceback (a subprocess runs the app's own start and quit)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.qt.calling.call_log_panel import CallTableModel
from gui.qt.common import tasks
from gui.qt.common.settings import SettingsStore
from gui.qt.window.main_window import MainWindow
from tests.conftest import ROOT

CREDENTIALS = Credentials("status_flow", "status-flow-s3cret-PASS", "core-token-status")
SPEED = 20.0  # call seconds per real second: a Pause of 5 s takes a quarter of a second
QUIT_SCRIPT = Path(__file__).with_name("quit_after_call.py")


def _project(flexml: bytes) -> Project:
    project = Project()
    project.add_flow("main", parse(flexml))
    project.entry = "main"
    return project


def _window(qtbot, flexml: bytes) -> MainWindow:
    win = MainWindow(_project(flexml), SettingsStore(), remember_layout=False)
    win.services.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS, speed=SPEED)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.call_log_panel.log is not None, timeout=5000)
    return win


def _close(win: MainWindow, qtbot) -> None:
    win.editing.stack.setClean()
    win.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    win.deleteLater()


def _dial(win: MainWindow, qtbot) -> str:
    """Type a number and click Call; returns the new call's SID once it is logged."""
    pad = win.dial_pad
    qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
    button = win.findChild(type(pad.call_button), "dial-call")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pad.busy and not tasks.running(), timeout=10000)
    rows = win.call_log_panel.model.entries()
    assert len(rows) == 1, pad.result_label.text()
    assert rows[0].call_sid, pad.result_label.text()
    return rows[0].call_sid


def _row(win: MainWindow) -> dict[str, str]:
    """The Call log's only row as the table shows it, by column header."""
    proxy = win.call_log_panel.proxy
    assert proxy.rowCount() == 1
    return {
        header: proxy.index(0, column).data()
        for column, header in enumerate(CallTableModel.HEADERS)
    }


def test_a_call_that_ends_by_itself_goes_from_placed_to_completed_with_its_duration(qtbot, qloop):
    win = _window(qtbot, b'<Response><Say>Goodbye</Say><Pause length="5"/><Hangup/></Response>')
    try:
        sid = _dial(win, qtbot)
        assert _row(win)["Outcome"] in ("Placed", "Completed")  # it may have ended already
        qtbot.waitUntil(lambda: _row(win)["Outcome"] == "Completed", timeout=10000)
        entry = win.services.call_log.find_call(sid)
        assert entry.outcome == "completed" and entry.duration >= 5
        assert entry.final_status["source"] == "status callback"
        assert entry.duration < 60 and _row(win)["Duration"] == f"{entry.duration} s"
        # The flow server received the status callback, with the duration it logged.
        [status] = [r for r in win.services.records_for(sid) if r.path == "/status"]
        assert status.params["CallStatus"] == "completed"
        assert int(status.params["CallDuration"]) == entry.duration
        # The details say it in words too.
        win.call_log_panel.select_entry(entry.id)
        text = win.call_log_panel.details.fields.toPlainText()
        assert "Completed" in text and "status callback: CallStatus completed" in text
    finally:
        _close(win, qtbot)


def test_a_flow_that_rejects_as_busy_logs_busy(qtbot, qloop):
    win = _window(qtbot, b'<Response><Reject reason="busy"/></Response>')
    try:
        sid = _dial(win, qtbot)
        qtbot.waitUntil(lambda: _row(win)["Outcome"] == "Busy", timeout=10000)
        entry = win.services.call_log.find_call(sid)
        assert entry.final_status["call_status"] == "busy"  # what the runtime says for it
        assert entry.duration == 0 and _row(win)["Duration"] == "0 s"  # never answered
        assert entry.error is None
    finally:
        _close(win, qtbot)


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_status_within_the_time_limit_says_so_and_the_end_still_corrects_it(qtbot, qloop):
    # A call longer than its (tiny) time limit, whose status callback goes nowhere: it is
    # "No status" once the limit passes, and the sandbox's own word of its end corrects it.
    win = _window(qtbot, b'<Response><Pause length="100"/><Hangup/></Response>')
    try:
        win.services.max_call_seconds = 0.5
        win.services.expiry_timer.setInterval(50)
        pad = win.dial_pad
        pad.options_toggle.setChecked(True)
        pad.form.timeout_spin.setValue(1)
        pad.form.status_check.setChecked(False)
        dead = f"http://127.0.0.1:{_dead_port()}/status"
        pad.form.status_edit.setText(dead)
        sid = _dial(win, qtbot)
        entry = win.services.call_log.find_call(sid)
        assert entry.details["status_callback_url"] == dead and entry.details["timeout"] == 1
        qtbot.waitUntil(lambda: _row(win)["Outcome"] == "No status", timeout=5000)
        unknown = win.services.call_log.find_call(sid)
        assert unknown.error == (
            "No final status arrived within 2 s "
            "(the status callback never came: was its URL reachable?)"
        )
        assert _row(win)["Duration"] == ""
        view = win.call_log_panel
        tip = view.proxy.index(0, CallTableModel.OUTCOME).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == unknown.error
        # 100 call seconds at 20x: the call ends about 5 s after it started.
        qtbot.waitUntil(lambda: _row(win)["Outcome"] == "Completed", timeout=15000)
        ended = win.services.call_log.find_call(sid)
        assert ended.final_status["source"] == "sandbox" and ended.duration >= 100
        assert ended.error is None
    finally:
        _close(win, qtbot)


# -- quitting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("closing", ["at-close", "left-to-the-loop"])
def test_quitting_after_a_sandbox_call_prints_no_traceback(tmp_path, closing):
    """The app's own run(): a sandbox call from the dial pad, the window closed, the app
    quits. Nothing but Qt's offscreen notices reaches stderr. The API clients are closed as
    the window closes; and when their close is left to a task the loop ends before it
    finishes (as before issue 13), that half-done close still says nothing."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if closing == "left-to-the-loop":
        env["FLEXML_TEST_SKIP_CLOSE_AT_SHUTDOWN"] = "1"
    done = subprocess.run(
        [sys.executable, str(QUIT_SCRIPT)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    stderr_lines = [
        line
        for line in done.stderr.splitlines()
        if line.strip() and not line.startswith("This plugin does not support")
    ]
    assert done.returncode == 0, done.stderr
    assert stderr_lines == [], done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["placed"].startswith("Call placed"), report
    assert report["logged"] == "placed"
    if closing == "at-close":
        assert report["closed_at_close"] == [True]
        assert report["clients_to_close"] is False
    else:
        assert report["closed_at_close"] == [False]  # a task on the loop had it, then


def test_a_call_end_the_log_cannot_keep_is_said_in_the_call_log_panel(qtbot, qloop):
    import httpx

    win = _window(qtbot, b"<Response><Hangup/></Response>")
    try:
        server = win.services.flow_server()
        win.services.call_log.close()  # every write fails from now on
        callback = {"CallSid": "0" * 32, "CallStatus": "busy", "CallDuration": "0"}
        assert httpx.post(f"{server.base_url}/status", json=callback, timeout=5).is_success
        panel = win.call_log_panel
        qtbot.waitUntil(lambda: panel.warning.isVisible(), timeout=5000)
        assert "closed" in panel.warning_text.text()
    finally:
        _close(win, qtbot)
