"""Keys pressed on another thread reach a sandbox call's Gathers (the dial pad's DTMF)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.events import Ended, GatherDone, GatherStarted
from gui.core.runtime.live_caller import LiveCaller
from gui.core.runtime.sandbox import Sandbox

SPEED = 20.0  # the Gather's 5 s timeout passes in 0.25 s


def _project() -> Project:
    project = Project()
    project.add_flow(
        "main",
        parse(
            b'<Response><Gather action="flow:choice" numDigits="2" finishOnKey="#" timeout="5">'
            b"<Say>Two digits</Say></Gather><Say>Nothing pressed</Say></Response>"
        ),
    )
    project.add_flow("choice", parse(b"<Response><Say>Thanks</Say><Hangup/></Response>"))
    return project


class _Harness:
    def __init__(self, sandbox: Sandbox) -> None:
        self.callers: dict[str, LiveCaller] = {}
        self.events: dict[str, list] = {}
        self.ready = threading.Event()
        self.done = threading.Event()
        sandbox.attach_caller(self._make)
        sandbox.add_listener(self._on_event)

    def _make(self, call_sid: str) -> LiveCaller:
        caller = LiveCaller(time_scale=1 / SPEED)
        self.callers[call_sid] = caller
        return caller

    def _on_event(self, call_sid: str, event) -> None:
        self.events.setdefault(call_sid, []).append(event)
        if isinstance(event, GatherStarted):
            self.ready.set()
        if isinstance(event, Ended):
            self.done.set()


@pytest.fixture
def project() -> Project:
    return _project()


@pytest.fixture
def sandbox_options() -> dict:
    return {"speed": SPEED}


@pytest.fixture
def setup(flow_server, sandbox, api):
    return flow_server, sandbox, _Harness(sandbox), api


def _place(api, sandbox, server) -> str:
    answer = api.post(
        "/calls",
        json={
            "calling_did": sandbox.dids[0],
            "called_did": "15162065318",
            "url": server.flow_urls()["main"],
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["call_sid"]


def test_keys_pressed_from_another_thread_answer_the_gather(setup):
    server, sandbox, harness, api = setup
    sid = _place(api, sandbox, server)
    assert harness.ready.wait(10)
    caller = harness.callers[sid]
    for key in "42":
        caller.press(key)
    assert harness.done.wait(10)
    gathered = [e for e in harness.events[sid] if isinstance(e, GatherDone)]
    assert [(g.digits, g.timed_out) for g in gathered] == [("42", False)]
    digits = [r.params.get("Digits") for r in server.records() if r.params.get("Digits")]
    assert digits == ["42"]


def test_a_key_pressed_during_the_prompt_counts_and_the_finish_key_ends_input(setup):
    server, sandbox, harness, api = setup
    sid = _place(api, sandbox, server)
    assert harness.ready.wait(10)
    caller = harness.callers[sid]
    caller.press("7")
    caller.press("#")
    assert harness.done.wait(10)
    gathered = [e for e in harness.events[sid] if isinstance(e, GatherDone)]
    assert [(g.digits, g.finish_key) for g in gathered] == [("7", "#")]


def test_no_key_times_out_after_the_gather_timeout_and_falls_through(setup):
    server, sandbox, harness, api = setup
    sid = _place(api, sandbox, server)
    assert harness.ready.wait(10)
    started = time.monotonic()
    assert harness.done.wait(10)
    waited = time.monotonic() - started
    assert waited >= 5 / SPEED * 0.9
    gathered = [e for e in harness.events[sid] if isinstance(e, GatherDone)]
    assert [(g.digits, g.timed_out) for g in gathered] == [("", True)]
    said = [e.text for e in harness.events[sid] if type(e).__name__ == "Say"]
    assert said[-1] == "Nothing pressed"


def test_presses_after_the_call_ended_are_dropped_and_bad_keys_refused():
    loop = asyncio.new_event_loop()
    caller = LiveCaller(loop)
    with pytest.raises(ValueError, match="not a phone key"):
        caller.press("a")
    with pytest.raises(ValueError):
        caller.press("12")
    caller.close()
    caller.press("1")  # dropped, no error
    assert caller._keys.empty()
    loop.close()
