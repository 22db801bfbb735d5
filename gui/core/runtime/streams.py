"""A call's media streams (<Start>, <Stop> and <Connect> with <Stream>), and the WebSocket
that carries one when the run has a streamer.

CarrierX sends a stream's call audio to a WebSocket server: <Start> in the background (the
flow goes on), <Connect> in the foreground (the flow waits until the socket closes) [doc].
`CallStreams` keeps the streams of one call: each start, stop and socket outcome is an
event, <Stop> and the call's end stop them. A stream is known by its name, or by its URL
when it has none [assumed: CarrierX says nothing of unnamed streams]: two unnamed streams to
different URLs both run, and a <Stop> names its stream one way or the other. With a
`Streamer` (the sandbox gives `WebSocketStreamer`) a real socket is opened and sent the
documented `connected` and `start` messages; no media follows, since the `media` message's
fields are cut off in every stored copy of CarrierX's documentation. Without one (the
simulator, `simulate`) nothing is connected, and the transcript says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..flexml import Node
from .events import Event, StreamNote, StreamStarted, StreamStopped

if TYPE_CHECKING:
    import aiohttp

MAX_STREAMS = 10  # streams one call may start (ours, not CarrierX's: it documents none)
CONNECT_SECONDS = 5.0  # to open a socket, upgrade included
CLOSE_SECONDS = 2.0  # for the server to answer our close
MAX_RECEIVED_BYTES = 64 * 1024  # a larger message from the server closes the socket
HEARTBEAT_SECONDS = 30.0  # pings that find a server gone silent (a Connect waits on it)
PROTOCOL_VERSION = "0.2.0"  # the `connected` message's version in CarrierX's sample [doc]
MEDIA_FORMAT = {"encoding": "audio/x-mulaw", "sampleRate": 8000}  # [doc]
USER_AGENT = "FlexML-Studio-Simulator"

# The start message's `tracks` for each value of `track` and of `audio_track` [doc].
TRACKS: dict[str, tuple[str, ...]] = {
    "inbound_track": ("inbound",),
    "outbound_track": ("outbound",),
    "both_tracks": ("inbound", "outbound"),
    "mixed_tracks": ("mixed",),
    "inbound": ("inbound",),
    "outbound": ("outbound",),
    "both": ("inbound", "outbound"),
    "mixed": ("mixed",),
}
# With neither attribute: CarrierX states no default; TwiML's is the inbound track
# [assumed]. A bidirectional stream receives only the inbound track [doc].
DEFAULT_TRACKS = ("inbound",)

NOT_CONNECTED = "not connected in the simulator: media is not streamed"
CONNECTED = (
    "connected; media is not streamed (CarrierX's media message format is not documented in full)"
)
SERVER_CLOSED = "the server closed the socket"
SIMULATED_CLOSE = (
    "nothing is connected in the simulator: the flow goes on as if the server closed the socket"
)


@dataclass(frozen=True)
class StreamSpec:
    """One <Stream> as written: its name, URL, track (or audio_track) and <Parameter>s."""

    name: str
    url: str
    track: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict, hash=False)
    bidirectional: bool = False
    max_length: int | None = None  # maxLength: seconds the stream may run [doc]

    @property
    def tracks(self) -> tuple[str, ...]:
        if self.bidirectional:
            return ("inbound",)
        return TRACKS.get(self.track or "", DEFAULT_TRACKS)


def socket_url(base: str, url: str) -> str | None:
    """The ws:// or wss:// URL that `url` (of the document at `base`) names, or None. A
    relative URL is resolved against an http(s) document URL, with ws or wss for its scheme."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme:
            good = parts.scheme.lower() in ("ws", "wss") and bool(parts.hostname)
            return url.strip() if good else None
        home = urlsplit(base)
        if home.scheme.lower() not in ("http", "https") or not home.hostname:
            return None
        joined = urlsplit(urljoin(base, url.strip()))
    except ValueError:
        return None
    scheme = "wss" if joined.scheme.lower() == "https" else "ws"
    return urlunsplit((scheme, *joined[1:]))


def connected_message() -> dict[str, Any]:
    """The first message a stream's server gets [doc]."""
    return {"event": "connected", "protocol": "Call", "version": PROTOCOL_VERSION}


def start_message(
    call_sid: str, tracks: tuple[str, ...], parameters: Mapping[str, str]
) -> dict[str, Any]:
    """The second message: the call, the tracks, the media format and the Parameters [doc]."""
    return {
        "event": "start",
        "sequenceNumber": 1,
        "start": {
            "callId": call_sid,
            "tracks": list(tracks),
            "mediaFormat": dict(MEDIA_FORMAT),
            "customParameters": dict(parameters),
        },
    }


class StreamHandle(Protocol):
    """An open stream's socket."""

    async def close(self) -> None:
        """Close the socket (code 1000); closing twice is harmless."""

    async def closed(self) -> None:
        """Return when the server has closed the socket."""


class Streamer(Protocol):
    """Opens a stream's socket: the handle, or text saying why it could not."""

    async def open(
        self,
        call_sid: str,
        name: str,
        url: str,
        tracks: tuple[str, ...],
        parameters: Mapping[str, str],
        bidirectional: bool,
    ) -> StreamHandle | str: ...


class WebSocketStreamer:
    """Opens streams as WebSockets with aiohttp: sends `connected` and `start`, then only
    reads (and drops) what the server sends, to see it close. aiohttp loads on first use."""

    def __init__(
        self,
        connect_seconds: float = CONNECT_SECONDS,
        close_seconds: float = CLOSE_SECONDS,
        max_received_bytes: int = MAX_RECEIVED_BYTES,
    ) -> None:
        self.connect_seconds = connect_seconds
        self.close_seconds = close_seconds
        self.max_received_bytes = max_received_bytes

    async def open(
        self,
        call_sid: str,
        name: str,
        url: str,
        tracks: tuple[str, ...],
        parameters: Mapping[str, str],
        bidirectional: bool,
    ) -> StreamHandle | str:
        import aiohttp

        session = aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
        try:
            async with asyncio.timeout(self.connect_seconds):
                socket = await session.ws_connect(
                    url,
                    heartbeat=HEARTBEAT_SECONDS,
                    timeout=aiohttp.ClientWSTimeout(ws_close=self.close_seconds),
                    max_msg_size=self.max_received_bytes,
                )
                await socket.send_json(connected_message())
                await socket.send_json(start_message(call_sid, tracks, parameters))
        except BaseException as exc:
            await session.close()
            if isinstance(exc, Exception):
                return _why_not(exc, url, self.connect_seconds)
            raise
        return _Socket(session, socket, self.close_seconds)


def _why_not(exc: Exception, url: str, seconds: float) -> str:
    """Why a socket could not be opened, for people."""
    import aiohttp

    if isinstance(exc, TimeoutError):
        return f"no answer from {url} within {seconds:g} s"
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"{url} did not accept a WebSocket (HTTP {exc.status})"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"{url} is not a URL a socket can be opened to"
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return f"could not connect to {url}: the connection was refused"
        return f"could not connect to {url}: {exc.os_error.strerror or exc.os_error}"
    return f"could not connect to {url}: {type(exc).__name__}" + (f": {exc}" if str(exc) else "")


class _Socket:
    """One open WebSocket and the session it belongs to."""

    def __init__(
        self, session: aiohttp.ClientSession, socket: aiohttp.ClientWebSocketResponse, wait: float
    ) -> None:
        self._session = session
        self._socket = socket
        self._wait = wait
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for _message in self._socket:  # nothing is kept: the server's media is dropped
                pass
        except Exception:  # a socket that fails to read is as good as closed
            return

    async def closed(self) -> None:
        await asyncio.shield(self._reader)

    async def close(self) -> None:
        try:
            async with asyncio.timeout(self._wait + 1):
                await self._socket.close()  # code 1000
        except Exception:  # the socket goes anyway: closing it cleanly is best-effort
            pass
        finally:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            await self._session.close()


def _address(base: str, url: str) -> str:
    """A Stream's URL as streams are matched by it: resolved against `base` when it can be
    (socket_url), else as written."""
    return socket_url(base, url) or url.strip()


def _key(name: str, url: str) -> str:
    """What tells a stream apart: its name, or for one with no name its URL (resolved when
    it could be, as written when not). The two cannot meet: a name gets a prefix."""
    return f"name:{name}" if name else f"url:{_url_key(url)}"


def _url_key(url: str) -> str:
    """A URL as streams are told apart by it: its scheme and host in lower case (either
    case names the same server), the rest as written."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.netloc:
        return url
    user, at, host = parts.netloc.rpartition("@")
    netloc = f"{user}{at}{host.lower()}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


@dataclass
class _Running:
    """A stream started and not stopped yet: its task carries the socket, if any."""

    key: str  # _key: its name, or its URL when it has none
    spec: StreamSpec
    url: str | None
    task: asyncio.Task | None = None
    # Set by Stop or the call's end: a socket still opening opens, says its start, closes.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def address(self) -> str:
        """The URL it was started with: resolved when it could be, else as written."""
        return self.url or self.spec.url.strip()

    @property
    def unnamed_url(self) -> str:
        """Its URL when it has no name (what its transcript lines name it by), else ''."""
        return "" if self.spec.name else self.address


class CallStreams:
    """The streams of one call; see the module docstring. `emit` records an event."""

    def __init__(
        self,
        emit: Callable[[Event], Event],
        call_sid: str,
        streamer: Streamer | None = None,
        limit: int = MAX_STREAMS,
    ) -> None:
        self._emit = emit
        self.call_sid = call_sid
        self.streamer = streamer
        self.limit = limit
        self.started = 0
        self._running: dict[str, _Running] = {}
        self._tasks: set[asyncio.Task] = set()

    @property
    def running(self) -> list[str]:
        """The streams running now, in the order they started: each one's name, or its URL
        when it has none."""
        return [run.spec.name or run.address for run in self._running.values()]

    def start(self, spec: StreamSpec, base: str, node: Node | None = None) -> asyncio.Task | None:
        """Start a stream (a <Start>'s): StreamStarted now, and with a streamer its socket
        opens meanwhile, in the task returned (None when no socket is opened)."""
        url = socket_url(base, spec.url)
        key = _key(spec.name, _address(base, spec.url))
        refusal = self._refusal(key)
        if refusal:
            self._emit(StreamNote(spec.name, "refused", refusal, node=node))
            return None
        self.started += 1
        self._emit(
            StreamStarted(
                spec.name,
                url or spec.url,
                spec.track,
                dict(spec.parameters),
                spec.bidirectional,
                node=node,
            )
        )
        running = self._running[key] = _Running(key, spec, url)
        if self.streamer is None:
            self._emit(
                StreamNote(
                    spec.name, "not_connected", NOT_CONNECTED, running.unnamed_url, node=node
                )
            )
            return None
        if url is None:
            del self._running[key]
            text = f"not connected: {spec.url!r} is not a ws:// or wss:// URL"
            self._emit(StreamNote(spec.name, "failed", text, running.unnamed_url, node=node))
            return None
        running.task = asyncio.ensure_future(self._carry(running, node))
        self._tasks.add(running.task)
        running.task.add_done_callback(self._tasks.discard)
        return running.task

    async def connect(self, spec: StreamSpec, base: str, node: Node | None = None) -> None:
        """Run a bidirectional stream (a <Connect>'s): return when the server closes the
        socket, at once when it could not open (or none is opened in this run)."""
        key = _key(spec.name, _address(base, spec.url))
        before = self._running.get(key)  # another stream of that name (or URL), left alone
        task = self.start(spec, base, node)
        if task is not None:
            await task  # cancelled with the call, which closes the socket
            return
        mine = self._running.get(key)
        if mine is not None and mine is not before:  # started, with no socket
            del self._running[key]
            self._emit(StreamStopped(spec.name, SIMULATED_CLOSE, mine.unnamed_url, node=node))

    def stop(self, name: str, node: Node | None = None, *, url: str = "", base: str = "") -> None:
        """A <Stop> of the stream `name`, or when the Stream names none, of the unnamed
        stream started with `url`; a note when no such stream is running (nothing else is
        stopped in its place)."""
        target = _address(base, url)
        running = self._running.pop(_key(name, target), None)
        if running is None:
            self._emit(StreamNote(name, "not_running", self._not_running(name, target), node=node))
            return
        self._emit(StreamStopped(name, "stopped by <Stop>", running.unnamed_url, node=node))
        running.stopping.set()

    def _not_running(self, name: str, url: str) -> str:
        """The note of a <Stop> that matched no stream; for one by URL, the named stream
        with that URL if there is one, since a Stop would have to give its name."""
        if name:
            return "<Stop> of a stream that is not running: nothing stopped"
        text = f"<Stop> of an unnamed stream to {url} that is not running: nothing stopped"
        # An unnamed stream to `url` would have matched: any left there have names.
        named = [
            run.spec.name
            for run in self._running.values()
            if _url_key(run.address) == _url_key(url)
        ]
        if named:
            text += f" (the stream to that URL is named {named[0]!r}: stop it by its name)"
        return text

    def stop_all(self, reason: str) -> None:
        """Stop every running stream (the call ends): an event each, sockets closing."""
        running, self._running = self._running, {}
        for stream in running.values():
            self._emit(StreamStopped(stream.spec.name, reason, stream.unnamed_url))
            stream.stopping.set()

    async def aclose(self) -> None:
        """Close every socket still open, without events, and wait (a little) for them."""
        running, self._running = self._running, {}
        for stream in running.values():
            stream.stopping.set()
        if self._tasks:
            # A socket still opening gets its connect time, then closes at once.
            tasks = set(self._tasks)
            _done, late = await asyncio.wait(tasks, timeout=CONNECT_SECONDS + CLOSE_SECONDS + 2)
            for task in late:
                _cancel(task)
            if late:  # their `finally` closes the socket and its session: let it run
                await asyncio.wait(late, timeout=CLOSE_SECONDS + 1)

    def _refusal(self, key: str) -> str | None:
        if key in self._running:
            # CarrierX says nothing of two streams of one name, or two unnamed streams to one
            # URL (a Stop could not tell them apart); one is kept [assumed].
            kind, _, value = key.partition(":")
            taken = (
                f"a stream named {value!r}" if kind == "name" else f"an unnamed stream to {value}"
            )
            return f"{taken} is running already: this one is not started"
        if self.started >= self.limit:
            return f"not started: FlexML Studio starts at most {self.limit} streams a call"
        return None

    async def _carry(self, running: _Running, node: Node | None) -> None:
        """Open the stream's socket, say how that went and wait for the server to close it."""
        spec = running.spec
        assert self.streamer is not None and running.url is not None
        handle = await self.streamer.open(
            self.call_sid, spec.name, running.url, spec.tracks, spec.parameters, spec.bidirectional
        )
        if isinstance(handle, str):
            if self._running.get(running.key) is running:
                del self._running[running.key]
                failed = f"not connected: {handle}"
                self._emit(StreamNote(spec.name, "failed", failed, running.unnamed_url, node=node))
            return
        try:
            if self._running.get(running.key) is running:
                self._emit(
                    StreamNote(spec.name, "connected", CONNECTED, running.unnamed_url, node=node)
                )
            closed = asyncio.ensure_future(handle.closed())
            stopped = asyncio.ensure_future(running.stopping.wait())
            try:
                await asyncio.wait(
                    {closed, stopped},
                    timeout=spec.max_length,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                for waiter in (closed, stopped):
                    waiter.cancel()
            if self._running.get(running.key) is running:  # not stopped: closed or timed out
                del self._running[running.key]
                server = closed.done() and not closed.cancelled()
                why = SERVER_CLOSED if server else f"maxLength {spec.max_length} s reached"
                self._emit(StreamStopped(spec.name, why, running.unnamed_url, node=node))
        finally:
            await handle.close()


def _cancel(task: asyncio.Task | None) -> None:
    """Cancel `task` once: a second cancel would cut short the socket's closing."""
    if task is not None and not task.done() and not task.cancelling():
        task.cancel()
