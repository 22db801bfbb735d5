"""Calls that never end and work that grows too fast, over real loopback HTTP (issue 14).

- A flow URL that trickles its answer one byte every 0.2 s ends the call at the fetch's
  deadline: one deadline for the whole request, in `simulate` (the Interpreter over an
  HttpSource) and in the sandbox.
- The sandbox keeps a bounded number of scheduled calls, each with bounded attributes and
  delay: 3,000 scheduled calls leave `max_calls` stored and the rest refused with a 422.
- 1,000 concurrent sandbox calls against a server that answers each only once all 1,000
  have arrived, and closes every connection: all reach it (the pool has room for
  `max_calls`), and a request that does wait for a connection says so.

The servers are small purpose-built ones on 127.0.0.1: an aiohttp app, or a raw asyncio
server where the test needs to control the connection itself. Requests to the sandbox are
sent by a raw keep-alive client, because httpx's client costs more CPU than the sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import resource
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest
from aiohttp import web

from gui.core.runtime import Ended, Error, HttpSource, Interpreter, ScriptedCaller
from gui.core.runtime.sandbox import Sandbox
from gui.core.runtime.sandbox_api import MAX_ATTRIBUTES_BYTES, MAX_DELAY, MAX_RING_TIMEOUT

TIME_LIMIT = 60.0
TRICKLE_EVERY = 0.2  # seconds between two bytes of a trickling answer
MARGIN = 2.0  # seconds a call may end after its deadline (a busy machine, the event's way)
FLOW = b'<?xml version="1.0"?>\n<Response><Say>Hello</Say><Hangup/></Response>\n'


# -- small servers -----------------------------------------------------------------------


class LoopThread:
    """An asyncio loop on its own thread, for the servers the sandbox (itself on a thread)
    talks to. `run(coroutine)` runs one on it and returns its result."""

    def __enter__(self) -> LoopThread:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        return self

    def run(self, coroutine: Awaitable):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(TIME_LIMIT)

    def __exit__(self, *exc_info: object) -> None:
        async def finish() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(finish())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(TIME_LIMIT)
        self.loop.close()


async def trickle(request: web.Request) -> web.StreamResponse:
    """A FlexML answer whose headers come at once and whose body never ends: one byte
    every TRICKLE_EVERY seconds (a per-read timeout never fires on it)."""
    response = web.StreamResponse(headers={"Content-Type": "application/xml"})
    await response.prepare(request)
    while True:
        for byte in FLOW:
            await response.write(bytes([byte]))
            await asyncio.sleep(TRICKLE_EVERY)


class App:
    """An aiohttp app on 127.0.0.1 with `routes` (path -> handler)."""

    def __init__(self, routes: dict[str, Callable]) -> None:
        self.app = web.Application()
        for path, handler in routes.items():
            self.app.router.add_route("*", path, handler)

    async def start(self) -> str:
        """Listen on a free port; the base URL."""
        self.runner = web.AppRunner(self.app, shutdown_timeout=0.1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        await self.runner.cleanup()


@contextlib.asynccontextmanager
async def serving(routes: dict[str, Callable]):
    """An App on the running loop while the block runs; yields its base URL."""
    app = App(routes)
    base = await app.start()
    try:
        yield base
    finally:
        await app.stop()


async def slow_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A raw server that reads the request, then sends its status line byte by byte."""
    try:
        await reader.readuntil(b"\r\n\r\n")
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n":
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(TRICKLE_EVERY)
    except (OSError, asyncio.IncompleteReadError):
        pass  # the client gave up
    finally:
        writer.close()


def ended_with(events: list) -> str:
    errors = [e for e in events if isinstance(e, Error)]
    assert len(errors) == 1, [e.kind for e in events]
    assert isinstance(events[-1], Ended) and events[-1].call_status == "failed"
    return errors[0].message


async def timed_call(url: str, source: HttpSource) -> tuple[list, float]:
    interpreter = Interpreter(source, ScriptedCaller(""), url=url, method="POST")
    start = time.monotonic()
    events = await interpreter.run()
    return events, time.monotonic() - start


# -- one deadline for a whole fetch --------------------------------------------------------


def test_a_trickling_answer_ends_the_call_at_its_deadline():
    # Was: each read got the whole timeout again, so the call never ended.
    async def scenario() -> None:
        async with serving({"/flow": trickle}) as base, HttpSource(timeout=1.0) as source:
            events, elapsed = await timed_call(f"{base}/flow", source)
        assert 1.0 <= elapsed < 1.0 + MARGIN, elapsed
        assert ended_with(events) == (
            f"POST {base}/flow: the answer did not end within 1 s (it came too slowly)"
        )

    asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))


def test_headers_that_trickle_end_the_call_at_its_deadline_too():
    async def scenario() -> None:
        server = await asyncio.start_server(slow_headers, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/flow"
        async with server:
            async with HttpSource(timeout=1.0) as source:
                events, elapsed = await timed_call(url, source)
            server.close()
        assert 1.0 <= elapsed < 1.0 + MARGIN, elapsed
        assert ended_with(events) == f"POST {url}: no answer within 1 s"

    asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))


def test_a_request_that_waits_for_a_connection_says_so():
    release = asyncio.Event()

    async def hold(request: web.Request) -> web.Response:
        await asyncio.wait_for(release.wait(), 10)
        return web.Response(body=FLOW, content_type="application/xml")

    async def scenario() -> None:
        async with serving({"/hold": hold}) as base:
            limits = httpx.Limits(max_connections=1)  # the first request holds the only one
            async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
                holder = HttpSource(client=client, timeout=5.0)
                first = asyncio.ensure_future(timed_call(f"{base}/hold", holder))
                await asyncio.sleep(0.1)
                source = HttpSource(client=client, timeout=0.5)
                events, elapsed = await timed_call(f"{base}/hold", source)
                release.set()
                await first
        assert elapsed < 0.5 + MARGIN
        assert ended_with(events) == (
            f"POST {base}/hold: no answer within 0.5 s: waiting for a connection "
            "(too many requests at once)"
        )

    asyncio.run(asyncio.wait_for(scenario(), TIME_LIMIT))


# -- the sandbox ---------------------------------------------------------------------------


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


@pytest.fixture
def loop_thread():
    with LoopThread() as running:
        yield running


def call_body(sandbox: Sandbox, url: str, **extra) -> dict:
    return {"calling_did": sandbox.dids[0], "called_did": "15551230000", "url": url, **extra}


async def post_many(sandbox: Sandbox, body: dict, count: int, connections: int = 8) -> list:
    """POST `body` to the sandbox's /calls `count` times over `connections` keep-alive
    connections; the (status, JSON answer) of each, in the order they were answered."""
    host, port = "127.0.0.1", int(sandbox.url.rsplit(":", 1)[1])
    login = f"{sandbox.credentials.login}:{sandbox.credentials.password}"
    payload = json.dumps(body).encode()
    head = (
        f"POST /flexml/v1/calls HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Basic {base64.b64encode(login.encode()).decode()}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode()
    answers: list[tuple[int, dict]] = []
    todo = iter(range(count))

    async def one_connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for _ in todo:
                writer.write(head + payload)
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                answers.append((status, json.loads(await reader.readexactly(length))))
        finally:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return answers


def wait_for_end(sandbox: Sandbox, sids: list[str], limit: float) -> list[dict]:
    """The calls once all ended, as Sandbox.call gives them (with their "sandbox" state)."""
    deadline = time.monotonic() + limit
    while True:
        statuses = [sandbox.call_status(sid) for sid in sids]
        if all(status not in ("scheduled", "in-progress") for status in statuses):
            return [sandbox.call(sid) for sid in sids]
        assert time.monotonic() < deadline, Counter(statuses)
        time.sleep(0.05)


def test_a_sandbox_call_to_a_trickling_flow_fails_at_the_deadline(sandbox, loop_thread):
    # The sandbox's fetches have the runtime's default deadline of 10 s.
    app = App({"/flow": trickle})
    url = loop_thread.run(app.start()) + "/flow"
    try:
        start = time.monotonic()
        ((status, call),) = asyncio.run(post_many(sandbox, call_body(sandbox, url), 1, 1))
        assert status == 200
        (done,) = wait_for_end(sandbox, [call["call_sid"]], 10.0 + MARGIN + 5)
        elapsed = time.monotonic() - start
    finally:
        loop_thread.run(app.stop())
    assert 10.0 <= elapsed < 10.0 + MARGIN + 1, elapsed
    assert done["sandbox"]["status"] == "failed"
    errors = [e["message"] for e in done["sandbox"]["transcript"] if e["event"] == "error"]
    assert errors == [f"POST {url}: the answer did not end within 10 s (it came too slowly)"]


def test_the_sandbox_fetch_deadline_can_be_set(loop_thread):
    with pytest.raises(ValueError, match="fetch timeout must be above 0"):
        Sandbox(fetch_timeout=0)
    app = App({"/flow": trickle})
    url = loop_thread.run(app.start()) + "/flow"
    try:
        with Sandbox(fetch_timeout=1.5) as sandbox:
            ((status, call),) = asyncio.run(post_many(sandbox, call_body(sandbox, url), 1, 1))
            assert status == 200
            (done,) = wait_for_end(sandbox, [call["call_sid"]], 1.5 + MARGIN + 5)
    finally:
        loop_thread.run(app.stop())
    errors = [e["message"] for e in done["sandbox"]["transcript"] if e["event"] == "error"]
    assert errors == [f"POST {url}: the answer did not end within 1.5 s (it came too slowly)"]


def test_3000_scheduled_calls_leave_max_calls_stored_and_the_rest_refused(sandbox):
    # Was: every call kept for ever (3,000 with 100 KB of attributes: 105 to 394 MB).
    attributes = {"note": "x" * (MAX_ATTRIBUTES_BYTES - 100)}  # just under the limit
    body = call_body(sandbox, "http://127.0.0.1:9/never", delay=MAX_DELAY, attributes=attributes)
    answers = asyncio.run(post_many(sandbox, body, 3000))
    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: sandbox.max_calls, 422: 3000 - sandbox.max_calls}
    refused = {json.dumps(answer["errors"]) for status, answer in answers if status == 422}
    message = (
        f"the sandbox has {sandbox.max_calls} calls scheduled or in progress, as many as it "
        "keeps: wait for some to end, or DELETE scheduled ones"
    )
    assert refused == {json.dumps([{"message": message}])}
    stored = sandbox.calls()
    assert len(stored) == sandbox.max_calls
    assert {c["sandbox"]["status"] for c in stored} == {"scheduled"}
    auth = (sandbox.credentials.login, sandbox.credentials.password)
    with httpx.Client(base_url=sandbox.api_url, auth=auth, trust_env=False, timeout=10) as api:
        assert api.get("/calls").json()["total"] == sandbox.max_calls
        # Deleting a scheduled call makes room for exactly one more.
        assert api.delete(f"/calls/{stored[0]['call_sid']}").status_code == 204
        assert api.post("/calls", json=body).status_code == 200
        assert api.post("/calls", json=body).status_code == 422
    assert len(sandbox.calls()) == sandbox.max_calls


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"delay": 10**400}, "delay", f"delay must be a whole number of seconds, 0 to {MAX_DELAY}"),
        ({"delay": MAX_DELAY + 1}, "delay", "0 to 604800"),
        ({"timeout": 10**400}, "timeout", f"0 to {MAX_RING_TIMEOUT}"),
        (
            {"attributes": {"big": "x" * 100_000}},
            "attributes",
            f"attributes must be at most {MAX_ATTRIBUTES_BYTES // 1024} KiB of JSON",
        ),
    ],
    ids=["delay-10**400", "delay-over-a-week", "timeout-10**400", "attributes-100-KB"],
)
def test_delay_ring_timeout_and_attributes_are_bounded_with_a_422(sandbox, change, field, message):
    # A delay of 10**400 was accepted, then overflowed asyncio.sleep in the call's task.
    body = call_body(sandbox, "http://127.0.0.1:9/never", **change)
    ((status, answer),) = asyncio.run(post_many(sandbox, body, 1, 1))
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == [field]
    assert message in answer["errors"][0]["message"]
    assert sandbox.calls() == []


@pytest.fixture
def open_files():
    """Room for 1,000 connections each way in this one process (the usual soft limit is
    1,024 open files), given back afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class BarrierServer:
    """A raw HTTP/1.1 server that answers no request until `count` have arrived (or
    `wait` seconds passed), then answers each with FLOW and closes its connection."""

    def __init__(self, count: int, wait: float) -> None:
        self.count, self.wait = count, wait
        self.seen = 0
        self.all_here = asyncio.Event()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self.answer, "127.0.0.1", 0, backlog=2048)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/flow"

    async def stop(self) -> None:
        self.server.close()

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            self.seen += 1
            if self.seen >= self.count:
                self.all_here.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_here.wait(), self.wait)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(FLOW), FLOW)
            )
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass  # a client that gave up
        finally:
            writer.close()


def test_1000_concurrent_sandbox_calls_all_reach_a_server_that_closes_each_connection(
    loop_thread, open_files
):
    # Was: 16 pooled connections, so most calls waited in the pool until "no answer within
    # 10 s" while the server saw 353 requests. The server answers none until all 1,000 are
    # in: every call must have had its own connection at the same time. The fetch deadline
    # is longer than the barrier's wait: on a loaded machine (CI), placing 1,000 calls took
    # more than the default 10 s, and the first calls' fetches ended before the last came in.
    with Sandbox(fetch_timeout=60.0) as sandbox:
        assert sandbox.max_calls == 1000
        server = BarrierServer(1000, wait=30.0)
        url = loop_thread.run(server.start())
        try:
            answers = asyncio.run(post_many(sandbox, call_body(sandbox, url), 1000))
            assert Counter(status for status, _ in answers) == {200: 1000}
            calls = wait_for_end(sandbox, [answer["call_sid"] for _, answer in answers], 50.0)
        finally:
            loop_thread.run(server.stop())
    assert server.seen == 1000
    failed = [c["sandbox"] for c in calls if c["sandbox"]["status"] != "completed"]
    assert not failed, failed[:3]
