"""The simulator panel, driven like a person would: real projects run by the real runtime on
the window's event loop, a real sandbox and flow server on loopback for sandbox calls."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.project_source import ProjectSource
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.qt.common import tasks
from gui.qt.common.messages import UNEXPECTED
from gui.qt.common.services import ServerConfig, Services
from gui.qt.simulator.panel import SPEEDS, SimulatorPanel
from gui.qt.simulator.runs import HISTORY_SIZE
from gui.qt.simulator.speech import NO_AUDIO, NO_ENGINE, Player, Speaker
from tests.qt.findable import assert_findable

CREDENTIALS = Credentials("sandbox_sim", "sim-s3cret-PASS", "core-token-sim")
_TIME = re.compile(r"\d+\.\d s  ")


def _project(**flows: bytes) -> Project:
    project = Project()
    for name, xml in flows.items():
        project.add_flow(name, parse(xml))
    project.entry = next(iter(flows))
    return project


GATHER_PROJECT = {
    "main": (
        b"<Response><Say>Welcome</Say>"
        b'<Gather action="flow:choice" numDigits="2" timeout="20"><Say>Press two keys</Say>'
        b"</Gather><Say>No input</Say></Response>"
    ),
    "choice": b"<Response><Say>You chose well</Say><Hangup/></Response>",
}


class Bench:
    """A panel on a project, with Services that start a fast sandbox when asked."""

    def __init__(self, qtbot, project: Project, speaker: Speaker | None = None) -> None:
        self.qtbot = qtbot
        self.project = project
        self.sandbox = Sandbox(credentials=CREDENTIALS, speed=20)
        self.services = Services(lambda: self.project, sandbox_factory=lambda: self.sandbox)
        self.panel = SimulatorPanel(
            self.services,
            lambda: self.project,
            speaker=speaker or Speaker(engines=()),
            player=Player(devices=()),
        )
        qtbot.addWidget(self.panel)
        self.panel.resize(400, 560)
        self.panel.show()
        self.nodes: list = []
        self.waiting: list[bool] = []
        self.panel.node_running.connect(self.nodes.append)
        self.panel.waiting_changed.connect(self.waiting.append)

    def speed(self, label: str) -> None:
        self.panel.speed_combo.setCurrentIndex([s for s, _ in SPEEDS].index(label))

    def run(self, label: str = "instant") -> None:
        self.speed(label)
        self.panel.run()

    def idle(self, timeout: int = 10000) -> None:
        self.qtbot.waitUntil(lambda: not self.panel.running, timeout=timeout)
        self.qtbot.waitUntil(lambda: not self.panel._ticker.isActive(), timeout=timeout)

    def texts(self) -> list[str]:
        """The transcript without call times (real-time runs vary by a few tenths)."""
        return [_TIME.sub("", line, count=1) for line in self.panel.transcript_lines()]

    def close(self) -> None:
        self.panel.shutdown()
        self.qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
        self.services.shutdown()


@pytest.fixture
def bench(qtbot, qloop):
    made: list[Bench] = []

    def make(project: Project, **kwargs) -> Bench:
        made.append(Bench(qtbot, project, **kwargs))
        return made[-1]

    yield make
    for item in made:
        item.close()


def test_a_gather_takes_keys_from_the_panel_and_the_action_flow_runs(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    panel = b.panel
    assert panel.flow_combo.currentText() == "main (entry)"
    b.run("4x")
    assert not panel.run_button.isEnabled() and panel.stop_button.isEnabled()
    qtbot.waitUntil(panel.waiting_for_keys, timeout=5000)
    qtbot.waitUntil(lambda: "s left" in panel.keys_label.text(), timeout=5000)
    assert panel.gather_box.isVisible()
    assert panel.gather_label.text() == (
        "Waiting for keys: numDigits 2, finish #, timeout 20 s -> flow:choice"
    )
    assert panel.keys_label.text().startswith("Keys: none · ")
    assert panel.press("1")
    qtbot.waitUntil(lambda: panel.keys_label.text().startswith("Keys: 1 · "), timeout=2000)
    qtbot.mouseClick(panel.key_buttons["2"], Qt.MouseButton.LeftButton)
    b.idle()

    assert b.texts()[1:] == [
        "POST flow:main -> 200",
        "say 'Welcome' (voice man)",
        "gather: numDigits 2, finishOnKey #, timeout 20 s -> flow:choice",
        "say 'Press two keys' (voice man)",
        "caller entered '12'",
        "POST flow:choice -> 200 (Digits=12 FinishKey=null)",
        "say 'You chose well' (voice man)",
        "hang up",
        b.texts()[-1],
    ]
    assert b.texts()[0].startswith("call ")
    assert re.fullmatch(r"call ended: completed, \d+ s", b.texts()[-1])
    gather = b.project.flow("main").root.child(1)
    thanks = b.project.flow("choice").root.child(0)
    assert any(node is gather for node in b.nodes)
    assert any(node is thanks for node in b.nodes)
    assert b.nodes[-1] is None
    assert b.waiting == [True, False]
    assert panel.run_button.isEnabled() and not panel.stop_button.isEnabled()
    assert not panel.gather_box.isVisible()
    assert panel.runs()[0].label().endswith("main (4x) — ended: completed")


def test_keys_typed_in_the_panel_reach_the_gather(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    qtbot.waitExposed(b.panel)
    b.run("instant")
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=5000)
    qtbot.keyClick(b.panel.transcript, "4")
    qtbot.keyClick(b.panel, "2")
    b.idle()
    assert "caller entered '42'" in b.texts()


def test_no_input_lets_the_gather_time_out(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    b.run("instant")
    qtbot.waitUntil(lambda: b.panel.timeout_button.isEnabled(), timeout=5000)
    assert "s left" in b.panel.keys_label.text()
    qtbot.mouseClick(b.panel.timeout_button, Qt.MouseButton.LeftButton)
    b.idle()
    texts = b.texts()
    assert "no input: the gather timed out" in texts
    assert "say 'No input' (voice man)" in texts


def test_instant_runs_a_whole_flow_at_once(bench, qtbot):
    b = bench(
        _project(
            main=b'<Response><Say>Hi</Say><Pause length="600"/><Redirect>flow:two</Redirect>'
            b"</Response>",
            two=b"<Response><Say>Bye</Say></Response>",
        )
    )
    began = time.monotonic()
    b.run("instant")
    b.idle(timeout=3000)
    assert time.monotonic() - began < 2  # ten minutes of call
    lines = b.panel.transcript_lines()
    assert lines[-1] == "601.0 s  call ended: completed, 601 s"
    assert "0.5 s  pause 600 s" in lines
    assert "600.5 s  redirect to POST flow:two" in lines
    assert not b.nodes or b.nodes[-1] is None  # a tick may see no verb at all


def test_stop_during_a_long_pause_ends_the_run(bench, qtbot):
    b = bench(
        _project(main=b'<Response><Say>Hi</Say><Pause length="600"/><Say>Late</Say></Response>')
    )
    b.run("4x")
    qtbot.waitUntil(lambda: b.panel.pause_label.isVisible(), timeout=5000)
    assert re.fullmatch(r"Pause: \d+ s left", b.panel.pause_label.text())
    left = int(b.panel.pause_label.text().split()[1])
    assert 590 <= left <= 600
    b.panel.stop()
    b.idle(timeout=3000)
    texts = b.texts()
    assert texts[-1].startswith("call ended: completed")
    assert "say 'Late' (voice man)" not in texts
    assert b.panel.run_button.isEnabled() and not b.panel.stop_button.isEnabled()
    assert not b.panel.pause_label.isVisible()


def test_escape_stops_and_f5_runs(bench, qtbot):
    b = bench(_project(main=b'<Response><Pause length="600"/></Response>'))
    qtbot.waitExposed(b.panel)
    b.panel.activateWindow()
    b.panel.setFocus()
    qtbot.waitUntil(lambda: b.panel.isActiveWindow(), timeout=2000)
    b.speed("4x")
    qtbot.keyClick(b.panel, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: b.panel.pause_label.isVisible(), timeout=5000)
    qtbot.keyClick(b.panel.transcript, Qt.Key.Key_Escape)
    b.idle(timeout=3000)
    assert b.texts()[-1].startswith("call ended:")


def test_a_busy_dial_reaches_the_dial_action(bench, qtbot):
    b = bench(
        _project(
            main=b'<Response><Dial action="flow:after"><Number>15551234567</Number></Dial>'
            b"</Response>",
            after=b"<Response><Say>The line was busy, sorry</Say></Response>",
        )
    )
    b.panel.outcomes_box.dial_combo.setCurrentText("busy")
    b.panel.outcomes_box.dial_seconds.setValue(3)
    assert b.panel.outcomes_box.toggle.text().startswith("Outcomes: busy 3 s")
    b.run("instant")
    b.idle()
    texts = b.texts()
    assert "dial 15551234567: busy, 3 s" in texts
    assert "POST flow:after -> 200 (DialCallStatus=busy DialCallDuration=3)" in texts
    assert "say 'The line was busy, sorry' (voice man)" in texts


def test_record_and_amd_outcomes(bench, qtbot):
    b = bench(
        _project(
            main=b'<Response><Amd action="flow:amd"/></Response>',
            amd=b'<Response><Record action="flow:done" timeout="1"/><Say>None</Say></Response>',
            done=b"<Response><Say>Got it</Say></Response>",
        )
    )
    b.panel.outcomes_box.amd_combo.setCurrentText("machine")
    b.panel.outcomes_box.record_combo.setCurrentText("nothing")
    assert not b.panel.outcomes_box.record_seconds.isEnabled()
    b.run("instant")
    b.idle()
    texts = b.texts()
    assert "answering-machine detection: MACHINE (LONGGREETING-1500-1500)" in texts
    assert "record: nothing was recorded" in texts
    assert "say 'None' (voice man)" in texts


def test_without_a_speech_engine_say_is_shown_with_a_note(bench, qtbot):
    b = bench(_project(main=b"<Response><Say>Hello there</Say><Say>Again</Say></Response>"))
    assert not b.panel.speaker.available
    b.run("1x")
    b.idle()
    texts = b.texts()
    assert texts[2:5] == ["say 'Hello there' (voice man)", NO_ENGINE, "say 'Again' (voice man)"]
    assert texts.count(NO_ENGINE) == 1  # once, not for each Say
    b.run("1x")
    b.idle()
    assert NO_ENGINE not in b.texts()  # nor for each run


def test_without_an_audio_device_play_is_shown_with_a_note(bench, qtbot):
    b = bench(
        _project(
            main=b"<Response><Play>https://example.com/a.wav</Play>"
            b"<Play>https://example.com/b.wav</Play></Response>"
        )
    )
    b.run("1x")
    qtbot.waitUntil(lambda: NO_AUDIO in b.texts(), timeout=3000)
    b.panel.stop()
    b.idle()
    assert b.texts()[2:4] == ["play https://example.com/a.wav", NO_AUDIO]


def test_a_flow_server_that_cannot_start_is_said_in_the_transcript(bench, qtbot, caplog):
    b = bench(_project(**GATHER_PROJECT))
    # Off loopback without a token, the flow server refuses to start.
    b.services.server_config = ServerConfig(host="192.0.2.1")
    b.panel.server_check.setChecked(True)
    with caplog.at_level(logging.DEBUG, logger="gui.qt.simulator.panel"):
        b.run("instant")
        b.idle()
    assert not [r for r in caplog.records if r.name == "gui.qt.simulator.panel"]  # no bug
    (line,) = b.panel.transcript_lines()
    assert line.startswith("The run failed: listening on 192.0.2.1 makes the flows reachable")
    assert b.panel.transcript.item(0).foreground().color().name() == "#b3261e"
    assert b.panel.runs()[0].label().endswith("— ended: failed")
    assert b.panel.run_button.isEnabled()


class CountingSpeaker(Speaker):
    """Qt's silent test engine, counting what it is asked to say."""

    def __init__(self) -> None:
        super().__init__(engines=("mock",))
        self.said: list[tuple[str, str]] = []

    def say(self, text: str, voice: str = "man") -> bool:
        self.said.append((text, voice))
        return super().say(text, voice)


def test_at_1x_say_is_spoken_with_the_voice_asked_for_and_faster_it_is_not(bench, qtbot):
    speaker = CountingSpeaker()
    b = bench(
        _project(main=b'<Response><Say voice="woman">Hello there</Say><Say>Bye</Say></Response>'),
        speaker=speaker,
    )
    b.run("1x")
    qtbot.waitUntil(lambda: speaker.voice_name == "Anne", timeout=3000)
    b.idle()
    assert speaker.said == [("Hello there", "woman"), ("Bye", "man")]
    assert speaker.voice_name == "Bob"
    assert not any(NO_ENGINE in t for t in b.texts())
    b.run("4x")
    b.idle()
    b.run("instant")
    b.idle()
    assert len(speaker.said) == 2


def test_the_flow_server_switch_requests_the_flows_over_http(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    b.panel.server_check.setChecked(True)
    b.run("instant")
    qtbot.waitUntil(lambda: "s left" in b.panel.keys_label.text(), timeout=5000)
    b.panel.press("7")
    b.panel.press("#")
    b.idle()
    server = b.services.flow_server_running
    assert server is not None
    urls = server.flow_urls()
    texts = b.texts()
    assert f"POST {urls['main']} -> 200" in texts
    assert f"POST {urls['choice']} -> 200 (Digits=7 FinishKey=#)" in texts
    assert [r.path for r in server.records()] == ["/flows/main", "/flows/choice"]
    # The highlight still finds the project's own nodes, by their place in the flow.
    gather = b.project.flow("main").root.child(1)
    assert any(node is gather for node in b.nodes)
    assert b.panel.runs()[0].title == "main (instant, flow server)"


def test_a_sandbox_call_from_the_dial_pad_appears_and_takes_keys(bench, qtbot):
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
    sid = response.json()["call_sid"]
    qtbot.waitUntil(b.panel.waiting_for_keys, timeout=10000)
    run = b.panel.shown_run
    assert run is not None and run.title == f"Sandbox call {sid[:8]}"
    qtbot.waitUntil(
        lambda: b.panel.keys_label.text() == "Keys sent: none · timeout 200 s between keys",
        timeout=2000,
    )
    qtbot.mouseClick(b.panel.key_buttons["3"], Qt.MouseButton.LeftButton)
    assert b.panel.press("5")
    qtbot.waitUntil(lambda: not run.live, timeout=10000)
    qtbot.waitUntil(lambda: "say 'You chose well' (voice man)" in b.texts(), timeout=5000)
    texts = b.texts()
    assert "caller entered '35'" in texts
    fetched = f"POST {server.flow_urls()['choice']} -> 200 ("
    assert any(t.startswith(fetched) and "Digits=35 FinishKey=null" in t for t in texts)
    assert run.status == "completed"
    qtbot.waitUntil(  # the combo's label follows on the panel's next tick
        lambda: b.panel.runs_combo.currentText().endswith(
            f"Sandbox call {sid[:8]} — ended: completed"
        ),
        timeout=2000,
    )
    assert not b.panel.waiting_for_keys()
    gather = b.project.flow("main").root.child(1)
    assert any(node is gather for node in b.nodes)


def test_the_history_keeps_the_last_twenty_runs(bench, qtbot):
    b = bench(_project(main=b"<Response><Say>Quick</Say></Response>"))
    first = None
    for _ in range(HISTORY_SIZE + 1):
        b.run("instant")
        b.idle()
        first = first or b.panel.runs()[-1]
    runs = b.panel.runs()
    assert len(runs) == HISTORY_SIZE
    assert first not in runs
    assert b.panel.runs_combo.count() == HISTORY_SIZE
    assert all(r.label().endswith("main (instant) — ended: completed") for r in runs)
    # An older run can be reopened: its transcript is shown again.
    b.panel.runs_combo.setCurrentIndex(HISTORY_SIZE - 1)
    assert b.panel.shown_run is runs[-1]
    assert b.texts()[2] == "say 'Quick' (voice man)"
    assert not any(button.isEnabled() for button in b.panel.key_buttons.values())


def test_set_flows_lists_the_entry_first_and_keeps_the_choice(bench, qtbot):
    b = bench(_project(**GATHER_PROJECT))
    panel = b.panel
    panel.set_flows(["alpha", "main", "choice"], "main")
    assert [panel.flow_combo.itemData(i) for i in range(3)] == ["main", "alpha", "choice"]
    panel.flow_combo.setCurrentIndex(2)
    panel.set_flows(["main", "choice"], "choice")
    assert panel.flow_combo.currentData() == "choice"
    panel.set_flows([], None)
    assert not panel.run_button.isEnabled()


def test_screenshots_of_a_run_waiting_and_ended(bench, qtbot, tmp_path):
    # SIM_SCREENSHOTS=folder keeps them to look at.
    folder = Path(os.environ.get("SIM_SCREENSHOTS") or tmp_path)
    b = bench(_project(**GATHER_PROJECT))
    qtbot.waitExposed(b.panel)
    b.run("4x")
    qtbot.waitUntil(lambda: "s left" in b.panel.keys_label.text(), timeout=5000)
    b.panel.press("1")
    qtbot.wait(100)
    assert b.panel.grab().save(str(folder / "sim-waiting.png"))
    b.panel.press("2")
    b.idle()
    b.panel.outcomes_box.toggle.setChecked(True)
    assert b.panel.grab().save(str(folder / "sim-ended.png"))


def test_every_control_of_the_simulator_is_findable(bench):
    b = bench(_project(**GATHER_PROJECT))
    panel = b.panel
    found = assert_findable(panel)
    box = panel.outcomes_box
    for control in (
        panel.flow_combo,
        panel.speed_combo,
        panel.run_button,
        panel.stop_button,
        panel.server_check,
        panel.runs_combo,
        panel.timeout_button,
        panel.transcript,
        box.toggle,
        box.dial_combo,
        box.dial_seconds,
        box.record_combo,
        box.record_seconds,
        box.amd_combo,
        *panel.key_buttons.values(),
    ):
        assert found[control.objectName()] is control
    assert panel.key_buttons["#"].accessibleName() == "Key pound"
    assert panel.findChild(QListWidget, "sim-transcript") is panel.transcript


def test_a_bug_during_a_run_is_said_as_unexpected_and_logged_and_the_controls_come_back(
    bench, qtbot, monkeypatch, caplog
):
    b = bench(_project(**GATHER_PROJECT))

    async def broken_fetch(self, url, method, fields):
        raise RuntimeError("a bug while fetching the flow")

    monkeypatch.setattr(ProjectSource, "fetch", broken_fetch)
    with caplog.at_level(logging.ERROR, logger="gui.qt.simulator.panel"):
        b.run("instant")
        b.idle()
    lines = b.panel.transcript_lines()
    assert lines[-1] == UNEXPECTED
    assert b.panel.transcript.item(len(lines) - 1).foreground().color().name() == "#b3261e"
    assert b.panel.runs()[0].label().endswith("— ended: failed")
    (record,) = [r for r in caplog.records if r.name == "gui.qt.simulator.panel"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "a bug while fetching the flow" in caplog.text and "Traceback" in caplog.text
    panel = b.panel
    assert panel.run_button.isEnabled() and not panel.stop_button.isEnabled()
    assert panel.flow_combo.isEnabled() and panel.speed_combo.isEnabled()
    assert not panel.running

    monkeypatch.undo()  # the next run goes as usual
    b.run("instant")
    qtbot.waitUntil(panel.waiting_for_keys, timeout=5000)
    panel.press("1")
    panel.press("2")
    b.idle()
    assert panel.runs()[0].label().endswith("— ended: completed")


def test_a_flow_removed_since_it_was_listed_is_said_and_not_logged(bench, qtbot, caplog):
    b = bench(_project(**GATHER_PROJECT))
    b.panel.flow_combo.setCurrentIndex(b.panel.flow_combo.findData("choice"))
    b.project.remove_flow("choice")  # the host has not called set_flows yet
    with caplog.at_level(logging.DEBUG, logger="gui.qt.simulator.panel"):
        b.run("instant")
        b.idle()
    assert b.panel.transcript_lines() == ["The run failed: the project has no flow named 'choice'"]
    assert b.panel.runs()[0].label().endswith("— ended: failed")
    assert not [r for r in caplog.records if r.name == "gui.qt.simulator.panel"]
    assert b.panel.run_button.isEnabled()
