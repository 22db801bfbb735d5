"""The whole loop in the window: dial pad, sandbox, flow server, call log, endpoint panel."""

from __future__ import annotations

import time

import keyring
import keyring.backend
import keyring.errors
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QTabBar

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.qt.common import tasks
from gui.qt.common.settings import SettingsStore
from gui.qt.window.main_window import MainWindow

CREDENTIALS = Credentials("sandbox_win", "win-s3cret-PASS", "core-token-win")
SPEED = 20.0


def _project() -> Project:
    project = Project()
    project.add_flow(
        "main",
        parse(
            b'<Response><Gather action="flow:thanks" numDigits="1" timeout="20">'
            b"<Say>Press a key</Say></Gather></Response>"
        ),
    )
    project.add_flow("thanks", parse(b"<Response><Say>Thanks</Say><Hangup/></Response>"))
    project.entry = "main"
    return project


@pytest.fixture
def window(qtbot, qloop):
    win = MainWindow(_project(), SettingsStore(), remember_layout=False)
    win.services.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS, speed=SPEED)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.editing.stack.setClean()
    win.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    win.deleteLater()


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.dial_pad.busy and not tasks.running(), timeout=10000)


def test_nothing_starts_until_it_is_needed(window):
    assert window.services.sandbox_running is None
    assert window.services.flow_server_running is None
    assert window.server_state.text() == "Flow server: off"
    assert window.endpoint_panel.profile.is_sandbox  # the first start's profile


def test_the_docks_are_tabbed_with_one_tab_bar_each(window, qtbot):
    window.show_dial_pad()
    qtbot.wait(50)
    bars = sorted(
        tuple(b.tabText(i) for i in range(b.count()))
        for b in window.findChildren(QTabBar)
        if b.isVisible() and b.parent() is window  # the docks' bars, not a panel's own tabs
    )
    assert bars == [
        ("Inspector", "Flow map", "Dial pad", "Endpoint", "Flow server", "Getting started"),
        ("Problems", "Tests", "Simulator", "Requests", "Call log"),
    ]


def test_ctrl_shift_d_shows_the_dial_pad_with_the_cursor_in_the_number(window, qtbot):
    action = next(a for a in window.menuBar().actions() if a.text() == "&Call")
    shortcuts = [a.shortcut() for a in action.menu().actions()]
    assert QKeySequence("Ctrl+Shift+D") in shortcuts
    window.show_dial_pad()
    qtbot.waitUntil(lambda: window.dial_pad.number_edit.hasFocus() or not window.isActiveWindow())
    assert window.dial_dock.isVisible()


def test_a_call_from_the_window_runs_the_project_and_lands_in_the_call_log(window, qtbot):
    pad, log = window.dial_pad, window.call_log_panel
    qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
    qtbot.keyClick(pad.number_edit, Qt.Key.Key_Return)
    _idle(qtbot, window)
    assert pad.active_call is not None, pad.result_label.text()
    server = window.services.flow_server_running
    assert server is not None
    assert window.server_state.text() == f"Flow server: {server.base_url}"
    # The Endpoint panel now shows the sandbox it started on demand.
    box = window.services.sandbox_running
    assert window.endpoint_panel.api_url_edit.text() == box.api_url

    # A tone from the pad answers the Gather, and the call goes on to the action flow.
    qtbot.waitUntil(lambda: window.services.in_call(pad.active_call or ""), timeout=10000)
    qtbot.mouseClick(pad.key_buttons["4"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)

    assert log.model.rowCount() == 1
    entry = log.model.entries()[0]
    log.select_entry(entry.id)
    paths = {r.path for r in window.services.records_for(entry.call_sid)}
    assert {"/flows/main", "/flows/thanks"} <= paths
    qtbot.waitUntil(lambda: log.details.requests.topLevelItemCount() >= 2, timeout=5000)
    texts = [
        log.details.requests.topLevelItem(i).text(2)
        for i in range(log.details.requests.topLevelItemCount())
    ]
    assert "/flows/thanks" in texts


def test_edits_are_served_at_once(window, qtbot):
    server = window.services.flow_server()
    before = server.snapshot.flows["thanks"]
    document = window.project.flow("thanks")
    say = document.root.child(0)
    document.set_text(say, "Thank you very much")
    window.refresh()
    after = server.snapshot.flows["thanks"]
    assert after != before and b"Thank you very much" in after


def test_redial_from_the_call_log(window, qtbot):
    pad, log = window.dial_pad, window.call_log_panel
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.options_toggle.setChecked(True)
    pad.delay_spin.setValue(300)  # scheduled: nothing runs, the test stays short
    pad.call()
    _idle(qtbot, window)
    assert log.model.rowCount() == 1
    first = log.model.entries()[0]
    assert first.outcome == "scheduled"
    log.select_entry(first.id)
    log.redial()
    _idle(qtbot, window)
    assert log.model.rowCount() == 2
    # And the scheduled one is cancelled from the log (DELETE /calls/SID).
    log.select_entry(first.id)
    log.cancel_scheduled()
    _idle(qtbot, window)
    assert window.services.call_log.get(first.id).outcome == "cancelled"
    row = next(e for e in log.model.entries() if e.id == first.id)
    assert row.outcome == "cancelled"


def test_closing_the_window_stops_the_sandbox_and_the_server(qtbot, qloop):
    win = MainWindow(_project(), SettingsStore(), remember_layout=False)
    box = Sandbox(credentials=CREDENTIALS, speed=SPEED)
    win.services.sandbox_factory = lambda: box
    win.show()
    win.services.sandbox()
    server = win.services.flow_server()
    assert box.running and server.running
    win.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    assert not box.running and not server.running
    assert QApplication.instance() is not None
    win.deleteLater()


def test_a_damaged_call_log_is_moved_aside_and_said_in_the_window(qtbot, qloop):
    from gui.core.recovery import data_dir

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calls.sqlite3").write_bytes(b"this is not a database" * 100)
    win = MainWindow(_project(), SettingsStore(), remember_layout=False)
    win.show()
    qtbot.waitUntil(lambda: win.call_log_panel.log is not None, timeout=5000)
    assert win.call_log_panel.warning.isVisible()
    assert "calls.sqlite3.corrupt-" in win.call_log_panel.warning_text.text()
    assert list(folder.glob("calls.sqlite3.corrupt-*"))
    assert win.services.call_log.entries() == []  # a fresh log works
    win.close()
    win.deleteLater()


# -- the loop in the window: simulator, request log, replay ---------------------------------


def test_a_simulated_call_takes_the_dial_pads_keys_and_the_highlight_follows(window, qtbot):
    sim, pad = window.simulator, window.dial_pad
    # 4x: each verb lasts long enough for the highlight (drawn every 50 ms) to show it.
    sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("4x"))
    window.run_simulator()
    qtbot.waitUntil(sim.waiting_for_keys, timeout=5000)
    gather = window.project.flow("main").root.child(0)
    qtbot.waitUntil(lambda: window.editor.current_node() is gather, timeout=2000)
    qtbot.mouseClick(pad.key_buttons["4"], Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == ""  # the key went to the simulated call
    # The run goes on in the action flow, and the editor follows it there.
    thanks = window.project.flow("thanks")
    qtbot.waitUntil(lambda: window.current_flow == "thanks", timeout=5000)
    assert window.editor.current_node() in (thanks.root.child(0), thanks.root.child(1))
    qtbot.waitUntil(lambda: not sim.running, timeout=5000)
    qtbot.waitUntil(lambda: any("say 'Thanks'" in t for t in sim.transcript_lines()), timeout=2000)
    lines = sim.transcript_lines()
    assert any("caller entered '4'" in line for line in lines), lines


def test_a_sandbox_call_shows_its_requests_in_the_request_log_and_replay_diffs(window, qtbot):
    pad, requests = window.dial_pad, window.request_log
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    _idle(qtbot, window)
    sid = pad.active_call
    assert sid is not None, pad.result_label.text()
    qtbot.waitUntil(lambda: requests.model.rowCount() >= 1, timeout=10000)
    first = requests.model.records()[0]
    assert (first.path, first.call_sid) == ("/flows/main", sid.replace("-", ""))
    assert b"<Gather" in first.body  # the exact FlexML answered
    requests.show_call(sid)
    assert requests.proxy.rowCount() >= 1
    requests.select_row(0)
    assert requests.replay().startswith("unchanged")
    gather = window.project.flow("main").root.child(0)
    window.project.flow("main").set_attribute(gather, "timeout", "7")
    window.refresh()
    said = requests.replay()
    assert "1 line changed" in said, said
    qtbot.waitUntil(lambda: window.services.in_call(sid), timeout=10000)
    pad.press("1")
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)


def test_the_flow_server_panel_configures_the_server_the_dial_pad_starts(window, qtbot):
    panel = window.server_panel
    panel.public_edit.setText("https://abc.example-tunnel.io")
    assert panel.apply()
    server = window.services.flow_server()
    assert server.public_url == "https://abc.example-tunnel.io"
    assert server.flow_urls()["main"].startswith("https://abc.example-tunnel.io/")


def test_f5_simulates_the_flow_open_in_the_editor(window, qtbot):
    sim = window.simulator
    sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("instant"))
    window.flows_panel.select("thanks")
    window.on_flows_panel_flow_selected("thanks")
    window.run_simulator()
    qtbot.waitUntil(lambda: not sim.running, timeout=5000)
    assert sim.flow_combo.currentData() == "thanks"
    qtbot.waitUntil(lambda: any("say 'Thanks'" in t for t in sim.transcript_lines()), timeout=2000)
    assert not any("gather" in t for t in sim.transcript_lines())


class _SlowKeyring(keyring.backend.KeyringBackend):
    """A keyring that takes a second to answer, as a D-Bus secret service that is slow to
    start does (or one that never answers, until keyring's timeout)."""

    priority = 1

    def get_password(self, service, username):
        time.sleep(1.0)
        return None

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("read-only test keyring")

    def delete_password(self, service, username):
        raise keyring.errors.PasswordDeleteError("read-only test keyring")


def test_a_slow_keyring_never_freezes_the_window(qtbot, qloop):
    keyring.set_keyring(_SlowKeyring())
    win = MainWindow(_project(), SettingsStore(), remember_layout=False)
    win.show()
    ticks = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.wait(500)
    assert len(ticks) >= 15  # the event loop went on while the keyring was asked
    # Neither keyring panel is made yet: their keychain is on its way. The Endpoint tab
    # brought forward meanwhile gets its panel once the keyring is found.
    assert win._endpoint_panel is None and win._server_panel is None
    win.endpoint_dock.raise_()
    qtbot.wait(100)
    assert win._endpoint_panel is None and len(ticks) >= 18
    # 1 s per keyring answer: the probe, then each secret read ahead on the thread.
    qtbot.waitUntil(lambda: win._server_panel is not None, timeout=15000)
    qtbot.waitUntil(lambda: win._endpoint_panel is not None, timeout=2000)
    assert win.endpoint_panel.keychain.available
    assert win.endpoint_dock.widget().widget() is win.endpoint_panel  # in its scroll area
    timer.stop()
    win.close()
    win.deleteLater()


def _window_shortcuts(window) -> list[tuple[str, str]]:
    """(key, action) for every shortcut active anywhere in the window."""
    from PySide6.QtGui import QAction

    found = []
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            if not key.isEmpty() and action.shortcutContext() in (
                Qt.ShortcutContext.WindowShortcut,
                Qt.ShortcutContext.ApplicationShortcut,
            ):
                found.append((key.toString(), action.text()))
    return found


def test_no_two_window_actions_share_a_shortcut(window):
    # Qt runs neither action of an ambiguous shortcut: each key must do one thing. Every
    # panel made later (when first seen) is made first, so its actions are counted too.
    for panel in ("dial_pad", "call_log_panel", "request_log", "simulator", "tests_panel"):
        getattr(window, panel)
    window.flow_map, window.getting_started, window.switch_editor  # noqa: B018
    window.endpoint_panel, window.server_panel  # noqa: B018
    keys = [key for key, _ in _window_shortcuts(window)]
    repeated = {key: [a for k, a in _window_shortcuts(window) if k == key] for key in keys}
    assert {k: v for k, v in repeated.items() if len(v) > 1} == {}
    assert "F1" in keys and "F5" in keys and "Ctrl+Alt+S" in keys


def test_help_menu_getting_started_and_f1_reference(window, qtbot):
    assert window.started_dock.isVisible()  # the first start shows it
    window.getting_started.dial_pad_requested.emit()
    assert window.dial_dock.isVisible()
    window.flows_panel.select("main")
    window.on_flows_panel_flow_selected("main")
    window.editor.select_nodes([window.project.flow("main").root.child(0)])
    window.show_reference()
    assert window._reference.isVisible()
    assert window._reference.view.current_element == "Gather"
    window._reference.close()


def test_the_server_token_is_masked_in_the_request_log_and_the_simulator(window, qtbot):
    from gui.qt.common.services import ServerConfig

    secret = "tok3n-SECRET-value"
    window.services.configure_flow_server(ServerConfig(token=secret))
    server = window.services.flow_server()
    assert f"/t/{secret}/" in server.flow_urls()["main"]
    sim = window.simulator
    sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("instant"))
    sim.server_check.setChecked(True)  # through the flow server, as CarrierX would
    window.run_simulator()
    qtbot.waitUntil(sim.waiting_for_keys, timeout=5000)
    sim.press("2")
    qtbot.waitUntil(lambda: not sim.running, timeout=5000)
    qtbot.waitUntil(lambda: window.request_log.model.rowCount() >= 2, timeout=5000)
    lines = sim.transcript_lines()
    assert any("/t/…/flows/" in line for line in lines), lines
    assert all(secret not in line for line in lines)
    requests = window.request_log
    requests.select_row(0)
    shown = requests.inspector.answer.toPlainText()
    assert "flow:" not in shown and "/t/…/flows/thanks" in shown and secret not in shown
    assert requests.replay().startswith("unchanged")
    texts = (
        requests.inspector.diff.old_pane.toPlainText()
        + requests.inspector.diff.new_pane.toPlainText()
    )
    assert secret not in texts
    # A restart gives a new port: replaying the same request is still "unchanged".
    window.services.configure_flow_server(ServerConfig(token=secret))
    assert requests.replay().startswith("unchanged")
    assert secret not in repr(window.services.server_config)


def test_a_call_before_the_keyring_is_found_uses_the_saved_server_settings(qtbot, qloop):
    settings = SettingsStore()
    settings.set("server/public-url", "https://saved.example-tunnel.io")
    keyring.set_keyring(_SlowKeyring())
    win = MainWindow(_project(), settings, remember_layout=False)
    win.services.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS, speed=SPEED)
    win.show()
    pad = win.dial_pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.options_toggle.setChecked(True)
    pad.delay_spin.setValue(300)
    started = time.monotonic()
    pad.call()  # the Sandbox needs no secret: nothing waits for the keyring
    qtbot.waitUntil(lambda: not pad.busy, timeout=5000)
    assert win._server_panel is None and time.monotonic() - started < 0.9
    server = win.services.flow_server_running
    assert server is not None and server.public_url == "https://saved.example-tunnel.io"
    assert "Call scheduled" in pad.result_label.text(), pad.result_label.text()
    qtbot.waitUntil(lambda: win._server_panel is not None, timeout=15000)
    win.close()
    win.deleteLater()


def test_dont_show_at_start_holds_with_a_remembered_layout(qtbot, qloop):
    settings = SettingsStore()
    first = MainWindow(_project(), settings)
    first.show()
    qtbot.waitExposed(first)
    assert first.started_dock.isVisible()
    first.getting_started.dont_show.setChecked(True)
    first.close()
    first.deleteLater()
    second = MainWindow(_project(), settings)
    second.show()
    qtbot.waitExposed(second)
    assert not second.started_dock.toggleViewAction().isChecked()
    second.close()
    second.deleteLater()


def test_following_the_running_verb_can_be_turned_off(window, qtbot):
    window.follow_action.setChecked(False)
    before = window.editor.current_node()
    sim = window.simulator
    sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("4x"))
    window.run_simulator()
    qtbot.waitUntil(sim.waiting_for_keys, timeout=5000)
    qtbot.wait(200)
    assert window.editor.current_node() is before
    sim.stop()
    qtbot.waitUntil(lambda: not sim.running, timeout=5000)


def test_restarting_the_server_during_a_sandbox_call_asks_first(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    pad, panel = window.dial_pad, window.server_panel
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    _idle(qtbot, window)
    qtbot.waitUntil(lambda: window.services.in_call(pad.active_call or ""), timeout=10000)
    port = window.services.flow_server_running.url
    asked = []

    def answer(button):
        def question(parent, title, text, *args):
            asked.append(text)
            return button

        monkeypatch.setattr(QMessageBox, "question", question)

    answer(QMessageBox.StandardButton.Cancel)
    panel.public_edit.setText("https://later.example-tunnel.io")
    assert not panel.apply()
    assert "1 sandbox call is running" in asked[0]
    assert window.services.flow_server_running.url == port  # not restarted
    panel.stop()
    assert window.services.flow_server_running is not None  # not stopped either
    answer(QMessageBox.StandardButton.Yes)
    assert panel.apply()
    assert window.services.flow_server_running.public_url == "https://later.example-tunnel.io"


def test_a_file_open_event_opens_the_file_in_the_window(window, qtbot, tmp_path):
    # What macOS sends for a double-clicked document (the desktop file's %F on Linux).
    from PySide6.QtGui import QFileOpenEvent

    from gui.qt.app import FileOpenFilter

    flow = tmp_path / "greeting.xml"
    flow.write_text("<Response><Say>Hello from a file</Say></Response>", "utf-8")
    opener = FileOpenFilter(window)
    QApplication.instance().installEventFilter(opener)
    try:
        window.editing.stack.setClean()
        QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(flow)))
        qtbot.waitUntil(lambda: window.project.names == ["greeting"], timeout=3000)
    finally:
        QApplication.instance().removeEventFilter(opener)
