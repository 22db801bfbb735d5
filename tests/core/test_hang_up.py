"""The caller hanging up: `Interpreter.hang_up()` in-process, and `Sandbox.hang_up()` over real
loopback HTTP, with calls placed through the sandbox's API (httpx), flows served by a small
aiohttp app and the status callback caught by the same app."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest
from aiohttp import web

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime import (
    CallerHangup,
    CallInfo,
    Ended,
    Interpreter,
    Pause,
    ProjectSource,
    RealClock,
    StatusCallback,
)
from gui.core.runtime.sandbox import Credentials, Sandbox

TIME_LIMIT = 10.0
CREDENTIALS = Credentials("sandbox_hang", "hang-s3cret-PASS", "core-token-hang")
DIDS = ("15555550100",)
LONG = '<Response><Say>Hello</Say><Pause length="3600"/></Response>'
UNANSWERED = '<Response><PreAnswer><Pause length="3600"/></PreAnswer></Response>'
LONG_GATHER = (
    '<Response><Gather numDigits="1" timeout="3600"><Say>Press a key</Say></Gather></Response>'
)


def kinds(events) -> list[str]:
    return [event.kind for event in events]


# -- the interpreter ------------------------------------------------------------------------


class _NotedSource(ProjectSource):
    """A project's flows, with the status callbacks noted instead of sent (`slow` seconds
    each)."""

    def __init__(self, project: Project, slow: float = 0.0) -> None:
        super().__init__(project)
        self.slow = slow
        self.notified: list[dict] = []

    async def notify(self, url, method, fields):
        await asyncio.sleep(self.slow)
        self.notified.append(dict(fields))
        return 200


def _source(xml: str, slow: float = 0.0) -> _NotedSource:
    project = Project()
    project.add_flow("main", parse(xml.encode()))
    return _NotedSource(project, slow)


CALL = CallInfo(status_callback_url="https://cb.test/status")


def _hang_up_at(kind: str, xml: str, slow: float = 0.0):
    """Run `xml` in real time and hang up at the first event of `kind`."""
    source = _source(xml, slow)

    async def main():
        interpreter = Interpreter(source, clock=RealClock(speed=1), call=CALL)
        interpreter.listeners.append(
            lambda event: interpreter.hang_up() if event.kind == kind else None
        )
        events = await interpreter.run()
        await asyncio.sleep(0)  # no stray cancellation reaches the caller of run()
        return events

    started = time.monotonic()
    events = asyncio.run(asyncio.wait_for(main(), TIME_LIMIT))
    return events, source, time.monotonic() - started


def test_hanging_up_an_answered_call_ends_it_now_and_sends_the_status_callback():
    events, source, took = _hang_up_at("pause", LONG)
    assert took < 5
    assert kinds(events)[-4:] == ["pause", "caller_hangup", "status_callback", "ended"]
    assert next(e for e in events if isinstance(e, CallerHangup)).reason == "before the flow ended"
    [callback] = [e for e in events if isinstance(e, StatusCallback)]
    assert (callback.status, callback.http_status) == ("completed", 200)
    assert events[-1] == Ended("completed", callback.duration, at=events[-1].at)
    [fields] = source.notified
    assert fields["CallStatus"] == "completed"
    assert fields["CallDuration"] == str(callback.duration)


def test_hanging_up_before_the_answer_is_a_cancel_with_its_callback():
    events, source, _ = _hang_up_at("pause", UNANSWERED)
    assert kinds(events)[-3:] == ["caller_hangup", "status_callback", "ended"]
    assert events[-1].call_status == "cancel" and events[-1].duration == 0
    assert [(f["CallStatus"], f["CallDuration"]) for f in source.notified] == [("cancel", "0")]


def test_stop_still_ends_without_a_status_callback():
    source = _source(LONG)

    async def main():
        interpreter = Interpreter(source, clock=RealClock(speed=1), call=CALL)
        interpreter.listeners.append(
            lambda event: interpreter.stop() if isinstance(event, Pause) else None
        )
        return await interpreter.run()

    events = asyncio.run(asyncio.wait_for(main(), TIME_LIMIT))
    assert kinds(events)[-2:] == ["pause", "ended"]
    assert source.notified == []


def test_a_hang_up_while_the_call_ends_sends_one_status_callback():
    # The Hangup verb ends the call; the status callback is on its way (slowly) when the
    # caller hangs up too: one callback, one Ended.
    events, source, _ = _hang_up_at(
        "hangup", "<Response><Say>Bye</Say><Hangup/></Response>", slow=0.2
    )
    assert kinds(events).count("status_callback") == 1
    assert kinds(events).count("ended") == 1
    assert kinds(events)[-1] == "ended" and len(source.notified) == 1


def test_hang_up_twice_and_after_the_end_changes_nothing():
    source = _source(LONG)

    async def main():
        interpreter = Interpreter(source, clock=RealClock(speed=1), call=CALL)

        def on_event(event):
            if isinstance(event, Pause):
                interpreter.hang_up()
                interpreter.hang_up()

        interpreter.listeners.append(on_event)
        events = await interpreter.run()
        interpreter.hang_up()
        interpreter.stop()
        return events, interpreter.events

    events, after = asyncio.run(asyncio.wait_for(main(), TIME_LIMIT))
    assert kinds(events).count("caller_hangup") == 1 and len(source.notified) == 1
    assert after == events


# -- the sandbox, over HTTP -------------------------------------------------------------------


class FlowApp:
    """A small aiohttp app on 127.0.0.1 in its own thread: /flows/NAME answers FLOWS[NAME],
    /status keeps each status callback's fields (JSON body) in `callbacks`."""

    def __init__(self, flows: dict[str, str]) -> None:
        self.flows = flows
        self.callbacks: list[dict] = []
        self.fetched: list[str] = []
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> FlowApp:
        self._thread.start()
        assert self._ready.wait(TIME_LIMIT)
        return self

    def __exit__(self, *exc) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIME_LIMIT)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()

        async def flow(request: web.Request) -> web.Response:
            name = request.match_info["name"]
            self.fetched.append(name)
            return web.Response(text=self.flows[name], content_type="application/xml")

        async def status(request: web.Request) -> web.Response:
            self.callbacks.append(json.loads(await request.read()))
            return web.Response()

        app = web.Application()
        app.router.add_route("*", "/flows/{name}", flow)
        app.router.add_post("/status", status)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = runner.addresses[0][1]
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()


@pytest.fixture
def app():
    with FlowApp({"long": LONG, "unanswered": UNANSWERED, "gather": LONG_GATHER}) as running:
        yield running


@pytest.fixture
def sandbox():
    with Sandbox(credentials=CREDENTIALS, dids=DIDS, speed=1.0) as running:
        yield running


@pytest.fixture
def api(sandbox):
    auth = (CREDENTIALS.login, CREDENTIALS.password)
    with httpx.Client(base_url=sandbox.api_url, auth=auth, trust_env=False, timeout=10) as c:
        yield c


def _place(api: httpx.Client, app: FlowApp, flow: str, **extra) -> str:
    body = {
        "calling_did": DIDS[0],
        "called_did": "15162065318",
        "url": app.url(f"/flows/{flow}"),
        "status_callback_url": app.url("/status"),
        **extra,
    }
    response = api.post("/calls", json=body)
    assert response.status_code == 200, response.text
    return response.json()["call_sid"]


def _wait_for(predicate, timeout: float = TIME_LIMIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out")


def _seen(api: httpx.Client, sid: str) -> dict:
    """GET /sandbox/calls/{sid}: the sandbox's status and transcript of a call."""
    root = str(api.base_url).rstrip("/").removesuffix("/flexml/v1")
    return api.get(f"{root}/sandbox/calls/{sid}").json()


def _has(api: httpx.Client, sid: str, kind: str) -> bool:
    transcript = _seen(api, sid)["transcript"]
    return any(event["event"] == kind for event in transcript)


@pytest.mark.parametrize("flow", ["long", "gather"])
def test_a_running_call_hung_up_ends_promptly_with_its_status_callback(sandbox, api, app, flow):
    sid = _place(api, app, flow)
    _wait_for(lambda: _has(api, sid, "pause" if flow == "long" else "gather_started"))
    asked = time.monotonic()
    assert sandbox.hang_up(sid) is True
    ended = _wait_for(lambda: _has(api, sid, "ended"))
    assert ended and time.monotonic() - asked < 2
    call = _seen(api, sid)
    assert call["status"] == "completed"
    kinds_seen = [event["event"] for event in call["transcript"]]
    assert kinds_seen[-3:] == ["caller_hangup", "status_callback", "ended"]
    [callback] = _wait_for(lambda: app.callbacks)
    assert callback["CallSid"] == sid.replace("-", "") and callback["CallStatus"] == "completed"
    assert callback["CallDuration"].isdigit()
    assert int(callback["CallDuration"]) == call["transcript"][-1]["duration"]
    assert sandbox.hang_up(sid) is False  # it has ended


def test_a_call_hung_up_before_the_answer_is_a_cancel(sandbox, api, app):
    sid = _place(api, app, "unanswered")
    _wait_for(lambda: _has(api, sid, "pause"))
    assert sandbox.hang_up(sid) is True
    _wait_for(lambda: _has(api, sid, "ended"))
    assert _seen(api, sid)["status"] == "cancel"
    [callback] = _wait_for(lambda: app.callbacks)
    assert (callback["CallStatus"], callback["CallDuration"]) == ("cancel", "0")


def test_a_scheduled_call_hung_up_is_cancelled_as_delete_would(sandbox, api, app):
    sid = _place(api, app, "long", delay=1)
    assert sandbox.call(sid)["sandbox"]["status"] == "scheduled"
    assert sandbox.hang_up(sid) is True
    assert api.get(f"/calls/{sid}").status_code == 404  # gone, as after DELETE
    assert api.get("/calls").json()["total"] == 0
    time.sleep(1.5)  # past its delay: it never starts
    assert app.fetched == [] and app.callbacks == []
    assert sandbox.hang_up(sid) is False


def test_unknown_calls_and_a_stopped_sandbox_hang_up_nothing(sandbox, api, app):
    assert sandbox.hang_up("00000000-0000-0000-0000-000000000000") is False
    sid = _place(api, app, "long")
    _wait_for(lambda: _has(api, sid, "pause"))
    sandbox.stop()
    assert sandbox.hang_up(sid) is False


def test_hang_up_is_safe_from_many_threads_at_once(sandbox, api, app):
    sid = _place(api, app, "long")
    _wait_for(lambda: _has(api, sid, "pause"))
    answers: list[bool] = []
    threads = [
        threading.Thread(target=lambda: answers.append(sandbox.hang_up(sid))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIME_LIMIT)
    assert True in answers
    _wait_for(lambda: _has(api, sid, "ended"))
    transcript = _seen(api, sid)["transcript"]
    assert [event["event"] for event in transcript].count("ended") == 1
    time.sleep(0.2)
    assert len(app.callbacks) == 1
