"""The FlexML interpreter: runs one call the way CarrierX does, and reports it as events.

It requests the call's URL with CarrierX's fields, runs the verbs in order (verbs.py), follows
actions and Redirects, and at the end sends the status callback. Whatever happens, the last
event is `Ended`: a failed fetch, a non-200 answer, invalid FlexML and the guards (documents,
verbs, a loop that takes no input) end the call with an `Error` event first. What runs in
the background (media streams, a session recording) stops with the call's end, each with an
event, before the status callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from ..flexml import Document, FlexmlError, Node, Severity, lint, parse
from .call import CallInfo
from .caller import Caller, ScriptedCaller
from .clock import Clock, VirtualClock
from .events import (
    STORAGE_PREFIX,
    CallerHangup,
    Ended,
    Error,
    Event,
    Fetched,
    LeftProject,
    Record,
    SessionRecorded,
    Started,
    StatusCallback,
    SwitchTaken,
)
from .sources import Answer, DocumentSource, FetchError, Fields, OutsideProject
from .streams import CallStreams, Streamer
from .verbs import HANDLERS, NOT_ANSWERING, End, Goto, Step

MAX_DOCUMENTS = 100
MAX_VERBS = 10_000
# What <Store> may keep for one call, names and data together, in UTF-8 bytes [doc: 128 KB].
MAX_STORAGE_BYTES = 128 * 1024


class CallFailed(Exception):
    """Ends the call with an Error event saying `message`."""

    def __init__(self, message: str, node: Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


class Interpreter:
    """Runs one call: `await run()` returns its events; `stream()` yields them live.

    Listeners (`on_event`, `listeners`) are called synchronously with each event. A
    `streamer` opens the sockets of media streams (streams.WebSocketStreamer); without one
    they are shown and not connected. `stop()` ends the call early (from the same event
    loop): the last event is then Ended with CallStatus "cancel" (or "completed" once
    answered), and no status callback is sent.
    `hang_up()` is the caller hanging up, as on a real line: the call ends the same way,
    but with a CallerHangup event and the status callback, which CarrierX sends at every
    call end.
    """

    def __init__(
        self,
        source: DocumentSource,
        caller: Caller | None = None,
        clock: Clock | None = None,
        *,
        url: str | None = None,
        method: str = "POST",
        call: CallInfo | None = None,
        on_event: Callable[[Event], None] | None = None,
        max_documents: int = MAX_DOCUMENTS,
        max_verbs: int = MAX_VERBS,
        streamer: Streamer | None = None,
    ) -> None:
        start = url or source.entry_url
        if not start:
            raise ValueError("give the URL the call starts at")
        self.source = source
        self.caller: Caller = caller or ScriptedCaller()
        self.clock: Clock = clock or VirtualClock()
        self.call = call or CallInfo()
        self.url = start
        self.method = method.upper()
        self.max_documents = max_documents
        self.max_verbs = max_verbs
        self.events: list[Event] = []
        self.listeners: list[Callable[[Event], None]] = [on_event] if on_event else []
        self.status_callback: tuple[str, str] | None = None
        if self.call.status_callback_url:
            self.status_callback = (
                self.call.status_callback_url,
                self.call.status_callback_method.upper(),
            )
        self.answered_at: float | None = None
        # <Store>'d data, sent as Storage_{name} with every later request of the call.
        self.storage: dict[str, str] = {}
        self._storage_bytes = 0
        # A stream's start message names the call by its dashed SID, as CarrierX's sample
        # callId does [doc] (requests carry it as 32 hex digits).
        self.streams = CallStreams(self.emit, self.call.call_sid, streamer)
        self._sessions: list[Record] = []  # session recordings going on
        # The document running now: the RequestUrl of the requests it triggers.
        self.document_url = start
        self.documents = 0
        self.verbs = 0
        self._seen: set[tuple] = set()  # what was fetched since the caller last acted
        self._task: asyncio.Task | None = None
        self._started = self._stopping = self._ended = False
        self._hanging_up = self._stop_called = False
        self._finish_status: str | None = None  # once the status callback is on its way
        self._hang_up_reason = ""

    # -- what verbs use (context.VerbContext) ----------------------------------------------

    def emit(self, event: Event) -> Event:
        """Stamp `event` with the call time, record it and tell the listeners."""
        event = replace(event, at=self.clock.now)
        self.events.append(event)
        for listener in list(self.listeners):
            listener(event)
        return event

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def answer(self) -> None:
        if self.answered_at is None:
            self.answered_at = self.clock.now

    def caller_acted(self) -> None:
        """The caller answered a Gather: what follows may differ, so no loop so far."""
        self._seen.clear()

    def store(self, name: str, data: str, node: Node | None = None) -> None:
        """Keep `data` under `name` for every later request (a second Store of the same name
        replaces it); CallFailed when the call's storage would pass MAX_STORAGE_BYTES."""
        size = len(name.encode("utf-8", "replace")) + len(data.encode("utf-8", "replace"))
        old = self.storage.get(name)
        if old is not None:
            size -= len(name.encode("utf-8", "replace")) + len(old.encode("utf-8", "replace"))
        if self._storage_bytes + size > MAX_STORAGE_BYTES:
            raise CallFailed(
                f"<Store name={name!r}> would bring the call's stored data to "
                f"{self._storage_bytes + size:,} bytes, over CarrierX's limit of "
                f"{MAX_STORAGE_BYTES // 1024} KB per call: CarrierX would ignore this Store "
                "and every later one (the simulator ends the call so that you notice)",
                node,
            )
        self._storage_bytes += size
        self.storage[name] = data

    def record_session(self, record: Record) -> None:
        """A session recording started with `record`; it ends with the call."""
        self._sessions.append(record)

    def request_fields(self, status: str | None = None) -> Fields:
        """The fields every request carries now: the call's, its RequestUrl (the document
        running), and what was stored."""
        if status is None:
            fields = self.call.fields(self.document_url)
        else:
            fields = self.call.fields(self.document_url, status)
        for name, data in self.storage.items():
            fields[STORAGE_PREFIX + name] = data
        return fields

    async def verb(self, node: Node, base: str, nested: bool = False) -> Step:
        """Run one verb of the document at `base`."""
        self.verbs += 1
        if self.verbs > self.max_verbs:
            raise CallFailed(f"stopped after {self.max_verbs:,} verbs: the call does not end", node)
        handler = HANDLERS.get(node.tag)
        if handler is None:  # not a verb; lint refused the document before it got here
            return None
        if not nested and node.tag not in NOT_ANSWERING:
            self.answer()
        return await handler(self, node, base, nested)

    async def prompts(self, node: Node, base: str) -> None:
        """Run the verbs nested in `node` (a Gather's or PreAnswer's prompts)."""
        for child in node.children:
            if not child.is_comment:
                await self.verb(child, base, nested=True)

    # -- running ------------------------------------------------------------------------

    async def run(self) -> list[Event]:
        """Run the call to its end and return every event (the last is always Ended)."""
        if self._started:
            raise RuntimeError("an Interpreter runs one call; make a new one")
        self._started = True
        self._task = asyncio.current_task()
        self.clock.start()
        try:
            return await self._run()
        finally:
            await self.streams.aclose()  # sockets still open when the run was cut short

    async def _run(self) -> list[Event]:
        try:
            if not self._stopping:
                await self._call()
                if self._stopping:
                    await asyncio.sleep(0)  # take delivery of a stop that came at the end
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            if self._task is not None:
                self._task.uncancel()
        except Exception as exc:
            # A bug (or a listener that failed) still ends the call with events, so a window
            # showing it does not wait forever; then it propagates.
            if not self._ended:
                with contextlib.suppress(Exception):
                    self.emit(Error(f"internal error: {type(exc).__name__}: {exc}"))
                with contextlib.suppress(Exception):
                    self._end("failed")
            raise
        if not self._ended:
            status = "completed" if self.answered else "cancel"
            if self._hanging_up:  # the status a callback cut short was for, if any
                await self._hung_up(self._finish_status or status)
            if not self._ended:
                self._end(status)
        return list(self.events)

    async def stream(self) -> AsyncIterator[Event]:
        """Run the call, yielding each event as it happens. Closing the generator stops the
        call: leave early inside ``async with contextlib.aclosing(interpreter.stream())``."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self.listeners.append(queue.put_nowait)
        task = asyncio.ensure_future(self.run())
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    break  # the run is over (or failed): what it emitted is queued
                event = getter.result()
                yield event
                if isinstance(event, Ended):
                    break
            while not queue.empty():
                yield queue.get_nowait()
            await task
        finally:
            if not task.done():
                self.stop()
                await asyncio.gather(task, return_exceptions=True)

    def stop(self) -> None:
        """End the call early; the run still ends with an Ended event."""
        self._stopping = self._stop_called = True
        if self._task is not None and not self._ended and not self._task.done():
            self._task.cancel()

    def hang_up(self, reason: str = "before the flow ended") -> None:
        """The caller hangs up (from the same event loop): the call ends now, and its status
        callback is sent with CallDuration, as CarrierX does at every call end. A call
        already ending (its status callback on its way) just ends."""
        if self._ended or self._finish_status is not None or self._hanging_up:
            return
        self._hanging_up = self._stopping = True
        self._hang_up_reason = reason
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _hung_up(self, status: str) -> None:
        """The end of a call the caller hung up: say so, then the status callback."""
        self.emit(CallerHangup(self._hang_up_reason))
        try:
            await self._finish(status)
        except asyncio.CancelledError:
            if not self._stop_called:  # not ours: whoever runs the call is ending it
                if not self._ended:
                    self._end(status)
                raise
            if self._task is not None:
                self._task.uncancel()

    async def _call(self) -> None:
        self.emit(
            Started(
                self.call.call_sid,
                self.call.from_number,
                self.call.to_number,
                self.call.direction,
                self.url,
                self.method,
            )
        )
        url, method, results, cause = self.url, self.method, {}, None
        while True:
            try:
                document = await self._load(url, method, results, cause)
                self.document_url = url
                step = await self._run_document(url, document)
            except CallFailed as exc:
                self.emit(Error(exc.message, node=exc.node))
                step = End("failed")
            except OutsideProject as exc:  # on CarrierX the call goes on there
                self.emit(LeftProject(exc.url, method, exc.reason, node=cause))
                # What the project ran of the call completed; its end is elsewhere, so no
                # status callback is sent for it.
                self._end_background("the run left the project")
                self._end("completed")
                return
            if isinstance(step, Goto):
                url, method, results, cause = step.url, step.method, step.results, step.cause
                continue
            assert isinstance(step, End)
            await self._finish(step.status)
            return

    async def _run_document(self, url: str, document: Document) -> Step:
        for node in document.root.children:
            if node.is_comment:
                continue
            step = await self.verb(node, url)
            if step is not None:
                return step
        return End("completed")  # the end of the document ends the call

    async def _load(self, url: str, method: str, results: Fields, cause: Node | None) -> Document:
        self.documents += 1
        if self.documents > self.max_documents:
            raise CallFailed(
                f"stopped: the call requested more than {self.max_documents} documents "
                f"(the last one: {method} {url})",
                cause,
            )
        fields = {**self.request_fields(), **results}
        try:
            answer = await self.source.fetch(url, method, fields)
        except OutsideProject:
            raise
        except FetchError as exc:
            raise CallFailed(exc.message, cause) from None
        self.emit(Fetched(url, method, answer.status, fields, node=cause))
        for taken in answer.decisions:  # the project's switches on the way (see sources)
            self.emit(
                SwitchTaken(
                    taken.switch, taken.parameter, taken.value, taken.label, taken.goto, node=cause
                )
            )
        try:
            document = _document(answer, method)
        except CallFailed as exc:
            message = exc.message
            if method == "GET" and answer.status in (400, 414) and self._storage_bytes > 4096:
                # The usual reason: aiohttp, nginx and others refuse request lines over 8 KB.
                message += (
                    f"; this GET carried {self._storage_bytes:,} bytes of stored data "
                    "(Storage_ fields) in its query string, more than many servers take: "
                    "use POST"
                )
            raise CallFailed(message, exc.node or cause) from None
        key = (method, url, tuple(results.items()), answer.fingerprint)
        if key in self._seen:
            raise CallFailed(
                f"the call loops without input: {method} {url} gave the same FlexML again "
                "and the caller entered nothing since (on CarrierX it would repeat until "
                "the caller hangs up)",
                cause,
            )
        self._seen.add(key)
        return document

    async def _finish(self, status: str) -> None:
        self._finish_status = status
        self._end_background("the call ended")
        duration = self.duration()
        if self.status_callback is not None:
            url, method = self.status_callback
            fields = self.request_fields(status)
            self.emit(
                await send_status_callback(self.source, url, method, status, duration, fields)
            )
        self._end(status, duration)

    def duration(self) -> int:
        """CallDuration: whole seconds since the call was answered (0 if it never was)."""
        if self.answered_at is None:
            return 0
        return max(0, math.ceil(self.clock.now - self.answered_at - 1e-9))

    def _end_background(self, reason: str) -> None:
        """Stop what runs in the background: the streams, then the session recordings."""
        self.streams.stop_all(reason)
        sessions, self._sessions = self._sessions, []
        for record in sessions:
            seconds = max(0, math.ceil(self.clock.now - record.at - 1e-9))
            self.emit(SessionRecorded(seconds, record.url, record.file_sid))

    def _end(self, status: str, duration: int | None = None) -> None:
        self._end_background("the call ended")
        self._ended = True
        self.emit(Ended(status, self.duration() if duration is None else duration))


async def send_status_callback(
    source: DocumentSource, url: str, method: str, status: str, duration: int, fields: Fields
) -> StatusCallback:
    """Send a call's status callback (`fields`, with CallDuration; its answer is ignored,
    as CarrierX ignores it): the event that says how the sending went."""
    fields = {**fields, "CallDuration": str(duration)}
    http_status = error = None
    try:
        http_status = await source.notify(url, method, fields)
    except FetchError as exc:
        error = exc.message
    return StatusCallback(url, method, status, duration, http_status, error)


def _document(answer: Answer, method: str) -> Document:
    """The answer's FlexML document, or CallFailed saying why there is none."""
    where = f"{method} {answer.url}"
    if answer.status != 200:
        reason = f" {answer.reason}" if answer.reason else ""
        raise CallFailed(
            f"{where} answered HTTP {answer.status}{reason}; CarrierX needs 200 with FlexML "
            "(it would play its error message and hang up)"
        )
    document = answer.document
    if document is None:
        body = answer.body or b""
        if not body.strip():
            raise CallFailed(f"{where} answered 200 with an empty body instead of FlexML")
        try:
            document = parse(body)
        except FlexmlError as exc:
            at = f" (line {exc.line})" if exc.line else ""
            raise CallFailed(f"{where} did not answer FlexML: {exc.message}{at}") from None
    errors = [p for p in lint(document, answer.flow_names) if p.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        at = f" (line {first.line})" if first.line else ""
        more = f"; {len(errors) - 1} more error(s)" if len(errors) > 1 else ""
        raise CallFailed(f"{answer.url} is not valid FlexML: {first.message}{at}{more}", first.node)
    return document
