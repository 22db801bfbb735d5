"""Media streams over real WebSockets, and Store's fields over real HTTP.

One aiohttp application on 127.0.0.1 serves the FlexML (recording each request) and the
WebSocket servers the streams connect to (recording each message and how the socket
closed). The interpreter runs over HTTP with `WebSocketStreamer`, as the sandbox runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from gui.core.runtime import (
    CallInfo,
    Ended,
    Error,
    Event,
    HttpSource,
    Interpreter,
    Say,
    ScriptedCaller,
    StreamNote,
    StreamStarted,
    StreamStopped,
    WebSocketStreamer,
)
from gui.core.runtime.streams import CONNECTED, SERVER_CLOSED

TIME_LIMIT = 20
WAIT = 5.0  # seconds a test waits for the other side

# The request body on CarrierX's Store page (cx_facts §1), sent on the Redirect after
# <Store name="key1">some_data</Store><Store name="key2">some more data</Store>.
STORE_SAMPLE = {
    "AccountSid": "",
    "ApiVersion": "2.0",
    "CallerName": "",
    "CallSid": "4695bc4a0932bcd2e99492e523db9ee2",
    "CallStatus": "completed",
    "Direction": "inbound",
    "From": "15162065338",
    "OriginalFrom": "+15162065338",
    "OriginalTo": "15162065337",
    "RequestUrl": "https://sampleurl.com/example",
    "Storage_key1": "some_data",
    "Storage_key2": "some more data",
    "To": "15162065337",
}
SAMPLE_CALL = CallInfo(from_number="+15162065338", to_number="15162065337")

Page = str | Callable[[], Awaitable[str]]


@dataclass
class Socket:
    """One WebSocket a stream opened: what it sent and how it closed."""

    path: str
    messages: list[dict] = field(default_factory=list)
    close_code: int | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    server_closed_at: float | None = None


class StreamApp:
    """FlexML at `pages` (path -> body, or an async function giving it), WebSockets under
    /ws/ (under /ws/closing/ the server closes the socket 0.3 s after the start message),
    403 at /forbidden; every request and socket recorded."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.requests: list[tuple[str, dict]] = []
        self.sockets: list[Socket] = []

    async def flexml(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.requests.append((request.path, json.loads(raw) if raw else {}))
        page = self.pages.get(request.path)
        if page is None:
            return web.Response(status=404)
        body = page if isinstance(page, str) else await page()
        return web.Response(body=f"<Response>{body}</Response>", content_type="application/xml")

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        seen = Socket(request.path)
        self.sockets.append(seen)
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            seen.messages.append(json.loads(message.data))
            if seen.messages[-1].get("event") == "start":
                seen.started.set()
                if request.path.startswith("/ws/closing/"):
                    await asyncio.sleep(0.3)
                    seen.server_closed_at = time.monotonic()
                    await ws.close()
        seen.close_code = ws.close_code
        seen.closed.set()
        return ws

    async def forbidden(self, request: web.Request) -> web.Response:
        return web.Response(status=403, text="no")

    async def socket_started(self, index: int = 0) -> Socket:
        """The `index`th socket, once its start message came."""
        async with asyncio.timeout(WAIT):
            while len(self.sockets) <= index:
                await asyncio.sleep(0.01)
            await self.sockets[index].started.wait()
        return self.sockets[index]


@contextlib.asynccontextmanager
async def serving(app: StreamApp):
    """Run `app` on 127.0.0.1 and a free port; yields its base URL (http://...)."""
    web_app = web.Application()
    web_app.router.add_get("/ws/{tail:.*}", app.socket)
    web_app.router.add_get("/forbidden", app.forbidden)
    web_app.router.add_route("*", "/{tail:.*}", app.flexml)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def call(url: str, **options) -> list[Event]:
    """Run a call over HTTP; with a WebSocketStreamer unless `streamer` says otherwise."""
    source = HttpSource(url)
    options.setdefault("streamer", WebSocketStreamer())
    try:
        interpreter = Interpreter(source, ScriptedCaller(), url=url, **options)
        return await interpreter.run()
    finally:
        await source.aclose()


def run(scenario: Awaitable) -> None:
    asyncio.run(asyncio.wait_for(scenario, TIME_LIMIT))


def of(events: list[Event], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def completed_without_error(events: list[Event]) -> None:
    assert not of(events, Error), [e.describe() for e in of(events, Error)]
    assert isinstance(events[-1], Ended) and events[-1].call_status == "completed"


# -- Start, Stop and the end of the call ---------------------------------------------------------


def test_start_sends_connected_and_start_with_the_parameters_and_stop_closes():
    app = StreamApp({})

    async def stop_page() -> str:
        await app.socket_started()  # the stream's server has its start message
        return '<Stop><Stream name="myStream"/></Stop><Say>Stopped</Say>'

    app.pages = {
        "/start": (
            '<Start><Stream name="myStream" url="/ws/media" track="both_tracks">'
            '<Parameter name="FirstName" value="John"/><Parameter name="LastName" value="Cleese"/>'
            "</Stream></Start><Redirect>/stop</Redirect>"
        ),
        "/stop": stop_page,
    }

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start", call=SAMPLE_CALL)
            (socket,) = app.sockets
            async with asyncio.timeout(WAIT):
                await socket.closed.wait()
            assert socket.close_code == 1000
            connected, start = socket.messages
            assert connected == {"event": "connected", "protocol": "Call", "version": "0.2.0"}
            assert start == {
                "event": "start",
                "sequenceNumber": 1,
                "start": {
                    "callId": SAMPLE_CALL.call_sid,
                    "tracks": ["inbound", "outbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
                    "customParameters": {"FirstName": "John", "LastName": "Cleese"},
                },
            }
            started = of(events, StreamStarted)[0]
            assert started.url == base.replace("http://", "ws://") + "/ws/media"
            assert [(n.state, n.text) for n in of(events, StreamNote)] == [("connected", CONNECTED)]
            assert of(events, StreamStopped) == [StreamStopped("myStream", "stopped by <Stop>")]
            completed_without_error(events)

    run(scenario())


def test_the_end_of_the_call_closes_a_running_stream():
    app = StreamApp({})

    async def hangup_page() -> str:
        await app.socket_started()
        return "<Hangup/>"

    app.pages = {
        "/start": '<Start><Stream name="s" url="/ws/a"/></Start><Redirect>/end</Redirect>',
        "/end": hangup_page,
    }

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start")
            (socket,) = app.sockets
            async with asyncio.timeout(WAIT):
                await socket.closed.wait()
            assert socket.close_code == 1000
            assert of(events, StreamStopped) == [StreamStopped("s", "the call ended")]
            assert [e.kind for e in events][-2:] == ["stream_stopped", "ended"]
            completed_without_error(events)

    run(scenario())


def test_unnamed_streams_to_different_servers_all_open_and_a_stop_by_url_closes_its_own():
    """Streams with no name are told apart by URL: each gets its socket (the Connect's too),
    and a Stop by URL closes that socket only; one by a URL never started closes none."""
    app = StreamApp({})
    seen: dict[str, bool] = {}

    def socket(path: str) -> Socket:
        (found,) = [s for s in app.sockets if s.path == path]
        return found

    async def stop_page() -> str:
        async with asyncio.timeout(WAIT):  # both Starts' servers have their start message
            while {s.path for s in app.sockets if s.started.is_set()} < {"/ws/a", "/ws/b"}:
                await asyncio.sleep(0.01)
        return (
            '<Stop><Stream url="/ws/b"/></Stop><Stop><Stream url="/ws/never"/></Stop>'
            "<Redirect>/end</Redirect>"
        )

    async def end_page() -> str:
        async with asyncio.timeout(WAIT):
            await socket("/ws/b").closed.wait()
        await asyncio.sleep(0.2)  # time for a wrong close to land too
        seen["a open after the Stops"] = not socket("/ws/a").closed.is_set()
        return "<Say>End</Say>"

    app.pages = {
        "/start": (
            '<Start><Stream url="/ws/a"/></Start><Start><Stream url="/ws/b"/></Start>'
            '<Connect><Stream url="/ws/closing/c"/></Connect><Redirect>/stop</Redirect>'
        ),
        "/stop": stop_page,
        "/end": end_page,
    }

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start")
            async with asyncio.timeout(WAIT):
                await socket("/ws/a").closed.wait()
            assert sorted(s.path for s in app.sockets) == ["/ws/a", "/ws/b", "/ws/closing/c"]
            assert all(s.close_code == 1000 for s in app.sockets)
            assert seen == {"a open after the Stops": True}
            notes = [(n.state, n.text) for n in of(events, StreamNote)]
            assert notes.count(("connected", CONNECTED)) == 3
            ws = base.replace("http://", "ws://")
            assert (
                "not_running",
                f"<Stop> of an unnamed stream to {ws}/ws/never that is not running: "
                "nothing stopped",
            ) in notes
            assert not [n for n in notes if n[0] in ("refused", "failed")]
            assert [s.reason for s in of(events, StreamStopped)] == [
                SERVER_CLOSED,  # the Connect, which the flow waited for
                "stopped by <Stop>",  # b
                "the call ended",  # a
            ]
            completed_without_error(events)

    run(scenario())


# -- Connect -------------------------------------------------------------------------------------


def test_connect_waits_until_the_server_closes_the_socket():
    app = StreamApp(
        {
            "/start": (
                '<Connect><Stream name="bi" url="ws/closing/1">'
                '<Parameter name="RemoteParty" value="Bob"/></Stream></Connect>'
                "<Say>After</Say>"
            )
        }
    )
    said_at: list[float] = []

    def on_event(event: Event) -> None:
        if isinstance(event, Say):
            said_at.append(time.monotonic())

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start", on_event=on_event)
            (socket,) = app.sockets
            assert socket.server_closed_at is not None
            assert said_at and said_at[0] >= socket.server_closed_at  # the flow waited
            start = socket.messages[1]["start"]
            assert start["tracks"] == ["inbound"]  # bidirectional: the inbound track only
            assert start["customParameters"] == {"RemoteParty": "Bob"}
            assert of(events, StreamStarted)[0].bidirectional
            assert of(events, StreamStopped) == [StreamStopped("bi", SERVER_CLOSED)]
            kinds = [e.kind for e in events]
            assert kinds.index("stream_stopped") < kinds.index("say")
            completed_without_error(events)

    run(scenario())


def test_stopping_the_call_during_connect_closes_the_socket():
    app = StreamApp({"/start": '<Connect><Stream name="bi" url="/ws/open"/></Connect>'})

    async def scenario():
        async with serving(app) as base:
            source = HttpSource(f"{base}/start")
            interpreter = Interpreter(source, streamer=WebSocketStreamer())
            task = asyncio.ensure_future(interpreter.run())
            socket = await app.socket_started()
            interpreter.stop()
            events = await task
            await source.aclose()
            async with asyncio.timeout(WAIT):
                await socket.closed.wait()
            assert socket.close_code == 1000
            assert of(events, StreamStopped) == [StreamStopped("bi", "the call ended")]
            assert isinstance(events[-1], Ended)

    run(scenario())


# -- sockets that do not open: a line, and the flow goes on ---------------------------------------


def test_a_refused_port_is_a_transcript_line_and_the_flow_goes_on(free_port):
    app = StreamApp(
        {
            "/start": (
                f'<Start><Stream name="gone" url="ws://127.0.0.1:{free_port}/x"/></Start>'
                f'<Connect><Stream name="bi" url="ws://127.0.0.1:{free_port}/y"/></Connect>'
                "<Pause/><Say>Still here</Say>"
            )
        }
    )

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start")
            notes = of(events, StreamNote)
            assert sorted((n.name, n.state) for n in notes) == [
                ("bi", "failed"),
                ("gone", "failed"),
            ]
            assert all(n.text.endswith("the connection was refused") for n in notes)
            assert all(n.text.startswith("not connected: could not connect to") for n in notes)
            assert of(events, Say)[0].text == "Still here"
            assert not of(events, StreamStopped)  # they never ran
            completed_without_error(events)

    run(scenario())


def test_an_upgrade_refused_with_403_is_a_transcript_line():
    app = StreamApp({"/start": '<Connect><Stream name="no" url="/forbidden"/></Connect>'})

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start")
            (note,) = of(events, StreamNote)
            assert note.state == "failed"
            url = base.replace("http://", "ws://") + "/forbidden"
            assert note.text == f"not connected: {url} did not accept a WebSocket (HTTP 403)"
            completed_without_error(events)

    run(scenario())


def test_a_server_that_never_answers_times_out():
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read()  # until the client goes
        writer.close()

    async def later() -> str:
        await asyncio.sleep(1.5)  # the socket gives up meanwhile
        return "<Hangup/>"

    async def scenario():
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        app = StreamApp(
            {
                "/start": f'<Start><Stream name="mute" url="{url}"/></Start>'
                "<Redirect>/later</Redirect>",
                "/later": later,
            }
        )
        try:
            async with serving(app) as base:
                streamer = WebSocketStreamer(connect_seconds=0.5)
                events = await call(f"{base}/start", streamer=streamer)
        finally:
            server.close()
            await server.wait_closed()
        (note,) = of(events, StreamNote)
        assert note.state == "failed"
        assert note.text == f"not connected: no answer from {url} within 0.5 s"
        assert not of(events, StreamStopped)
        completed_without_error(events)

    run(scenario())


# -- Store over HTTP ---------------------------------------------------------------------------


def test_stored_data_goes_with_the_redirect_and_the_status_callback_as_documented():
    """CarrierX's Store example (cx_facts G1) with its Redirect to this server."""
    app = StreamApp({"/path/to/handler": "<Hangup/>", "/status": ""})

    async def scenario():
        async with serving(app) as base:
            app.pages["/example"] = (
                '<Store name="key1">some_data</Store>\n'
                '<Store name="key2">some more data</Store>\n'
                f"<Redirect>{base}/path/to/handler</Redirect>"
            )
            info = CallInfo(
                from_number=SAMPLE_CALL.from_number,
                to_number=SAMPLE_CALL.to_number,
                call_sid=SAMPLE_CALL.call_sid,
                status_callback_url=f"{base}/status",
            )
            events = await call(f"{base}/example", call=info, streamer=None)
            paths = [path for path, _ in app.requests]
            assert paths == ["/example", "/path/to/handler", "/status"]
            first, redirect, status = (body for _, body in app.requests)
            assert not [key for key in first if key.startswith("Storage_")]
            expected = {
                **STORE_SAMPLE,
                "CallSid": first["CallSid"],
                "RequestUrl": f"{base}/example",
            }
            # The only field the sample lacks: ForwardedFrom, blank without a Diversion header.
            assert {k: v for k, v in redirect.items() if k != "ForwardedFrom"} == expected
            assert status["Storage_key1"] == "some_data"
            assert status["Storage_key2"] == "some more data"
            assert status["CallStatus"] == "completed" and "CallDuration" in status
            completed_without_error(events)

    run(scenario())


def test_max_length_ends_a_connect_whose_server_never_closes():
    connect = '<Connect><Stream name="bi" url="/ws/open" maxLength="1"/></Connect>'
    app = StreamApp({"/start": connect + "<Say>On</Say>"})

    async def scenario():
        async with serving(app) as base:
            began = time.monotonic()
            events = await call(f"{base}/start")
            waited = time.monotonic() - began
            (socket,) = app.sockets
            async with asyncio.timeout(WAIT):
                await socket.closed.wait()
            assert socket.close_code == 1000
            stopped = of(events, StreamStopped)
            assert [s.reason for s in stopped] == ["maxLength 1 s reached"]
            assert [s.text for s in of(events, Say)] == ["On"]  # the flow went on after it
            assert 0.9 < waited < WAIT
            completed_without_error(events)

    run(scenario())


def test_a_get_too_long_for_the_server_says_the_stored_data_is_why():
    from gui.core.flexml import parse
    from gui.core.project import Project
    from gui.core.server import FlowServer

    project = Project()
    big = "x" * 9000
    project.add_flow(
        "main",
        parse(
            f'<Response><Store name="big">{big}</Store>'
            '<Redirect method="GET">flow:next</Redirect></Response>'.encode()
        ),
    )
    project.add_flow("next", parse(b"<Response><Hangup/></Response>"))

    async def scenario():
        with FlowServer() as server:
            server.publish_project(project)
            source = HttpSource(server.flow_urls()["main"], flow_base_url=server.base_url)
            try:
                events = await Interpreter(source, ScriptedCaller()).run()
            finally:
                await source.aclose()
        (error,) = of(events, Error)
        assert "answered HTTP 400" in error.message
        assert "9,003 bytes of stored data" in error.message and "use POST" in error.message

    run(scenario())
