"""The window's long-lived helpers: the sandbox, the flow server, the stores, the call log.

Each is made on first use and ended with the window (`shutdown`, then `aclose` for the HTTP
clients). The sandbox and the flow server run on threads of their own; what they report
(call events, requests) is appended to a deque by their listeners and handed to the GUI
thread in batches by a timer: one signal per batch, never one per event (see FlowServer's
docstring for the PySide6 reason). What needs no Qt (masking the flow server's tokens, the
requests kept across restarts, the API clients) is the core's `Session`; the methods here
that reach it are for the panels' convenience.

The call log follows each call to its end (gui.core.call_status): the flow server's status
callbacks and the sandbox's Ended events go to the log's CallStatusTracker as they are
drained, and a coarse timer marks calls that never heard of their end as unknown. The log
announces each change itself, so the Call log panel follows without being told.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal

from ...core.session import Session

if TYPE_CHECKING:  # the call log and the runtime are loaded when first used (not at start)
    from ...core.call_status import CallStatusTracker
    from ...core.calllog import CallLog
    from ...core.carrierx import FlexmlClient
    from ...core.keychain import Keychain
    from ...core.profiles import Endpoint, ProfileStore
    from ...core.project import Project
    from ...core.runtime.events import Event
    from ...core.runtime.live_caller import LiveCaller
    from ...core.runtime.sandbox import Sandbox
    from ...core.server import FlowServer, RequestRecord

DRAIN_MS = 50
EXPIRY_MS = 30_000  # how often calls past their time limit are looked for (limits are hours)
CLOSE_WAIT_MS = 3000  # the longest `shutdown` waits for the API clients to close
V = TypeVar("V")
SANDBOX_SPEED = 1.0  # calls from the dial pad run in real time: a person presses the keys

CLOSING = "{} is not started: FlexML Studio is closing"

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerConfig:
    """Where the flow server listens and how CarrierX reaches it (see FlowServer)."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, chosen at each start
    public_url: str | None = None  # the tunnel's address, when there is one
    token: str | None = field(default=None, repr=False)  # required by FlowServer off loopback


class Services(QObject):
    """See the module docstring. Factories can be replaced (tests pass their own)."""

    sandbox_events = Signal(list)  # [(call_sid, Event), ...], oldest first
    server_records = Signal(list)  # [RequestRecord, ...], oldest first
    sandbox_started = Signal()
    flow_server_started = Signal()
    flow_server_stopped = Signal()
    call_status_failed = Signal(str)  # a call's end could not be written to the log: why

    def __init__(
        self,
        project: Callable[[], Project],
        parent: QObject | None = None,
        *,
        sandbox_factory: Callable[[], Sandbox] | None = None,
        server_factory: Callable[[ServerConfig], FlowServer] | None = None,
        profiles: ProfileStore | None = None,
        keychain: Keychain | None = None,
        call_log: CallLog | None = None,
        session: Session | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session or Session()
        self._project = project
        self.sandbox_factory = sandbox_factory or _default_sandbox
        self.server_factory = server_factory or _default_server
        self.server_config = ServerConfig()
        self._sandbox: Sandbox | None = None
        self._server: FlowServer | None = None
        self._profiles = profiles
        self._keychain = keychain
        self._keychain_future = None  # the thread making it (open_keychain), if any
        self._call_log = call_log
        self.call_log_error: str | None = None
        self._callers: dict[str, LiveCaller] = {}
        self._events: deque[tuple[str, Event]] = deque()
        self._records: deque[RequestRecord] = deque()
        self._closed = False
        self._drain_timer = QTimer(self, interval=DRAIN_MS)
        self._drain_timer.timeout.connect(self._drain)
        self._call_status: CallStatusTracker | None = None
        # The Error that stopped a sandbox call, by `_sid_key` of its SID: the sandbox says
        # the dashed call_sid, its status callback's CallSid is 32 hex digits.
        self._call_errors: dict[str, str] = {}
        self._entry_added = False  # an entry was added to the log since the last drain
        self._max_call_seconds: float | None = None  # None: the tracker's MAX_CALL_SECONDS
        self.expiry_timer = QTimer(self, interval=EXPIRY_MS)
        self.expiry_timer.timeout.connect(self.expire_calls)
        if call_log is not None:
            self._follow_calls(call_log)

    # -- stores ----------------------------------------------------------------------------

    @property
    def profiles(self) -> ProfileStore:
        if self._profiles is None:
            from ...core.profiles import ProfileStore

            self._profiles = ProfileStore()
        return self._profiles

    @property
    def keychain(self) -> Keychain:
        """The keychain; waits for `open_keychain`'s thread when one is at work."""
        if self._keychain is None:
            if self._keychain_future is not None:
                self._keychain = self._keychain_future.result()
            else:
                from ...core.keychain import Keychain

                self._keychain = Keychain()
        return self._keychain

    def open_keychain(self, ready: Callable[[], None]) -> None:
        """Make the keychain on a thread, then call `ready` on the GUI thread. Finding the
        OS keyring can take long (a D-Bus secret service that never answers makes keyring
        wait for its timeout): the window must not freeze meanwhile."""
        if self._keychain is not None:
            ready()
            return
        if self._keychain_future is None:
            import concurrent.futures
            import threading

            from ...core.keychain import FLOW_SERVER, Keychain

            future: concurrent.futures.Future[Keychain] = concurrent.futures.Future()

            profiles = [*self.profiles.names(), FLOW_SERVER]  # read here, on the GUI thread

            def make() -> None:
                try:
                    keychain = Keychain()
                    keychain.prefetch(profiles)  # the panels' first reads come from memory
                    future.set_result(keychain)
                except BaseException as exc:  # reported when the GUI thread asks for it
                    future.set_exception(exc)

            threading.Thread(target=make, name="keychain", daemon=True).start()
            self._keychain_future = future
        poll = QTimer(self, interval=20)

        def check() -> None:
            if self._keychain_future is not None and self._keychain_future.done():
                poll.stop()
                poll.deleteLater()
                ready()

        poll.timeout.connect(check)
        poll.start()

    @property
    def call_log(self) -> CallLog | None:
        """The call log, opened on first use; None (and `call_log_error` says why) when it
        cannot be opened: calls still work, they are just not remembered."""
        if self._call_log is None and self.call_log_error is None and not self._closed:
            from ...core.calllog import CallLog, CallLogError

            try:
                self._call_log = CallLog()
            except CallLogError as exc:
                self.call_log_error = str(exc)
            else:
                self._follow_calls(self._call_log)
        return self._call_log

    # -- how calls end ----------------------------------------------------------------------

    @property
    def max_call_seconds(self) -> float:
        """How long a call may wait for its end before the tracker marks it unknown (tests
        shorten it)."""
        if self._max_call_seconds is None:
            from ...core.call_status import MAX_CALL_SECONDS

            return MAX_CALL_SECONDS
        return self._max_call_seconds

    @max_call_seconds.setter
    def max_call_seconds(self, seconds: float) -> None:
        self._max_call_seconds = seconds

    @property
    def call_status(self) -> CallStatusTracker | None:
        """What moves the log's calls to how they ended (None until the log is open)."""
        return self._call_status

    def _follow_calls(self, log: CallLog) -> None:
        """Follow the log's calls from now on: calls left waiting by an earlier run that are
        overdue are marked unknown at once, the others when their time comes."""
        from ...core.call_status import CallStatusTracker

        self._call_status = CallStatusTracker(log, max_call_seconds=self.max_call_seconds)
        log.changed.connect(self._on_log_changed)
        self.expire_calls()
        self.expiry_timer.start()

    def _on_log_changed(self, change) -> None:
        from ...core.calllog import CallChangeKind

        if change.kind is CallChangeKind.ADDED:
            self._entry_added = True

    def expire_calls(self) -> None:
        """Mark the calls past their time limit unknown (the timer does it every EXPIRY_MS)."""
        if self._call_status is not None:
            self._call_status.max_call_seconds = self.max_call_seconds
            self._tracked(self._call_status.expire)

    def _tracked(self, change: Callable[..., object], *args: object) -> None:
        """Apply one change to the log's calls; a log that cannot be written is said, not
        raised (the drain and the timer must go on)."""
        from ...core.calllog import CallLogError

        try:
            change(*args)
        except CallLogError as exc:
            _logger.warning("a call's status was not logged: %s", exc)
            self.call_status_failed.emit(str(exc))

    # -- the sandbox -------------------------------------------------------------------------

    @property
    def sandbox_running(self) -> Sandbox | None:
        """The sandbox when it runs, without starting it."""
        return self._sandbox

    def sandbox(self) -> Sandbox:
        """The sandbox, started on first use (raises SandboxError when it cannot start, or
        once the services were shut down: nothing would stop it again)."""
        if self._sandbox is None:
            if self._closed:
                from ...core.runtime.sandbox import SandboxError

                raise SandboxError(CLOSING.format("the sandbox"))
            sandbox = self.sandbox_factory()
            sandbox.attach_caller(self._make_caller)
            sandbox.add_listener(self._on_sandbox_event)
            if not sandbox.running:
                sandbox.start()
            self._sandbox = sandbox
            self._drain_timer.start()
            self.sandbox_started.emit()
        return self._sandbox

    def _make_caller(self, call_sid: str) -> LiveCaller:
        # On the sandbox's thread, when a call without scripted keys starts (the sandbox
        # runs: the runtime is loaded).
        from ...core.runtime.live_caller import LiveCaller

        scale = 1.0 / self._sandbox.speed if self._sandbox and self._sandbox.speed else 1.0
        caller = LiveCaller(time_scale=scale)
        self._callers[call_sid] = caller
        return caller

    def _on_sandbox_event(self, call_sid: str, event: Event) -> None:
        self._events.append((call_sid, event))  # sandbox thread: only a deque append

    def press(self, call_sid: str, key: str) -> bool:
        """Send a key into a running sandbox call; False when that call takes no keys."""
        caller = self._callers.get(call_sid)
        if caller is None or caller.closed:
            return False
        caller.press(key)
        return True

    def in_call(self, call_sid: str) -> bool:
        caller = self._callers.get(call_sid)
        return caller is not None and not caller.closed

    # -- the flow server ---------------------------------------------------------------------

    @property
    def flow_server_running(self) -> FlowServer | None:
        return self._server

    def flow_server(self) -> FlowServer:
        """The flow server, started on first use and serving the project as it is now
        (ServerError once the services were shut down)."""
        if self._server is None:
            if self._closed:
                from ...core.server import ServerError

                raise ServerError(CLOSING.format("the flow server"))
            server = self.server_factory(self.server_config)
            server.add_listener(self._records.append)
            if not server.running:
                server.start()
            self._server = server
            self.publish()
            self._drain_timer.start()
            self.flow_server_started.emit()
        return self._server

    def configure_flow_server(self, config: ServerConfig) -> None:
        """Use `config` from the next start; a running server restarts with it now (and
        raises, stopped, when it cannot listen so)."""
        self.server_config = config
        self.session.add_token(config.token)
        if self._server is not None:
            self.stop_flow_server()
            self.flow_server()

    def stop_flow_server(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
            self._drain()  # the last requests still reach the log
            self.flow_server_stopped.emit()

    def publish(self) -> None:
        """Serve the project as it is now (call on every change; cheap when not running)."""
        if self._server is not None:
            self._server.publish_project(self._project())

    def records_for(self, call_sid: str) -> list[RequestRecord]:
        """The requests the flow server received for one call (Session.records_for), its
        SID written either way: the API's dashed call_sid or the requests' 32 hex digits."""
        from ...core.calllog import sid_forms

        forms = dict.fromkeys((call_sid, *sid_forms(call_sid)))
        found = [records for form in forms if (records := self.session.records_for(form))]
        if len(found) <= 1:
            return found[0] if found else []
        return sorted((r for records in found for r in records), key=lambda r: r.time)

    def mask(self, value: V) -> V:
        """`value` without the flow server's tokens (Session.mask)."""
        return self.session.mask(value)

    def active_calls(self) -> int:
        """Sandbox calls still running (a flow server restart would break them)."""
        return sum(1 for caller in list(self._callers.values()) if not caller.closed)

    # -- API clients -------------------------------------------------------------------------

    def client(self, endpoint: Endpoint) -> FlexmlClient:
        """The profile's FlexML API client (Session.client)."""
        return self.session.client(endpoint)

    @property
    def client_timeout(self) -> float | None:
        """Seconds the API clients made from now on wait; None: the client's own."""
        return self.session.client_timeout

    @client_timeout.setter
    def client_timeout(self, seconds: float | None) -> None:
        self.session.client_timeout = seconds

    # -- ending --------------------------------------------------------------------------------

    def _drain(self) -> None:
        batch = _take_all(self._events)
        records = _take_all(self._records)
        if batch:
            self._note_errors(batch)
        if records:
            self.session.remember(records)
            # Status callbacks before the sandbox's own Ended events: for a sandbox call
            # that has one, the log says what CarrierX would have said, and how it heard.
            self._on_drained_records(records)
        if batch:
            self._on_drained_ends(batch)
        if self._call_status is not None and self._call_status.waiting():
            # Calls logged since they ended: looked for only when an entry was added.
            added, self._entry_added = self._entry_added, False
            self._tracked(partial(self._call_status.retry, look=added))
        if batch:
            self.sandbox_events.emit(batch)
        if records:
            self.server_records.emit(records)

    def _note_errors(self, batch: list[tuple[str, Event]]) -> None:
        """Keep the message of the Error that stopped a sandbox call: its status callback
        (drained now or next) and its end say the call failed, this says why."""
        from ...core.runtime.events import Error

        for call_sid, event in batch:
            if isinstance(event, Error):  # it may name a flow URL: without the token
                self._call_errors[_sid_key(call_sid)] = self.mask(event.message)

    def _on_drained_records(self, records: list[RequestRecord]) -> None:
        """The status callbacks among the flow server's requests go to the call log."""
        if self._call_status is None:
            return
        from ...core.server.routes import STATUS_PATH  # the server runs: aiohttp is loaded

        for record in records:
            if record.path == STATUS_PATH:
                error = self._call_errors.get(_sid_key(record.call_sid or ""))
                self._tracked(self._call_status.status_callback, record.params, error)

    def _on_drained_ends(self, batch: list[tuple[str, Event]]) -> None:
        """Each sandbox call that ended: its caller is closed and its end goes to the log."""
        from ...core.runtime.events import Ended

        for call_sid, event in batch:
            if not isinstance(event, Ended):
                continue
            caller = self._callers.pop(call_sid, None)
            if caller is not None:
                caller.close()
            error = self._call_errors.pop(_sid_key(call_sid), None)
            if self._call_status is not None:
                tracker = self._call_status
                self._tracked(
                    tracker.call_ended, call_sid, event.call_status, event.duration, error
                )

    def shutdown(self) -> None:
        """Stop the sandbox and the flow server (joins their threads), log how the calls that
        ended meanwhile went, close the log, and close the API clients while the event loop
        still runs (see `_close_clients_now`)."""
        self._closed = True
        self._drain_timer.stop()
        self.expiry_timer.stop()
        for caller in list(self._callers.values()):  # the sandbox thread may add one now
            caller.close()
        self._callers.clear()
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._drain()  # the last events and status callbacks still reach the log
        self._call_status = None
        if self._call_log is not None:
            self._call_log.close()
            self._call_log = None
        self._close_clients_now()

    def has_clients(self) -> bool:
        return self.session.has_clients()

    async def aclose(self) -> None:
        """Close the HTTP clients (on the event loop they were used on)."""
        await self.session.aclose()

    def _close_clients_now(self) -> None:
        """Close the API clients before returning, when a qasync loop runs here (the window's
        close): the app's loop stops as soon as the last window has closed, so a close
        started then is left half done, and failed at exit with "no running event loop".
        Qt's events are processed meanwhile (that is what runs the loop), for CLOSE_WAIT_MS
        at most. Without such a loop, or from inside a task (whose loop cannot run another
        task now), the clients are left to `aclose`."""
        if not self.session.has_clients():
            return
        import asyncio  # the window starts without it (gui.qt.app.run)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        import qasync

        if not isinstance(loop, qasync.QEventLoop) or asyncio.current_task(loop) is not None:
            return
        waiting = QEventLoop()
        give_up = QTimer(waiting, singleShot=True, interval=CLOSE_WAIT_MS)
        give_up.timeout.connect(waiting.quit)
        task = loop.create_task(self.session.aclose(), name="close API clients")
        task.add_done_callback(lambda _task: waiting.quit())
        give_up.start()
        if not task.done():
            # No user input meanwhile: the window is still shown, and a key must not start
            # a call (or a second close) while it closes.
            waiting.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        give_up.stop()
        if not task.done():
            task.cancel()  # given up: not left pending at exit


def _sid_key(call_sid: str) -> str:
    """One key for a call SID however it is written (dashed or 32 hex digits, any case)."""
    from ...core.calllog import sid_forms

    return sid_forms(call_sid)[0]


def _take_all(queue: deque[V]) -> list[V]:
    """Everything in `queue`, oldest first, taken out (another thread may append meanwhile:
    what it appends after the last popleft waits for the next drain)."""
    taken = []
    while queue:
        taken.append(queue.popleft())
    return taken


def _default_sandbox() -> Sandbox:
    from ...core.runtime.sandbox import Sandbox

    return Sandbox.default(speed=SANDBOX_SPEED)


def _default_server(config: ServerConfig) -> FlowServer:
    from ...core.server import FlowServer

    return FlowServer(config.host, config.port, token=config.token, public_url=config.public_url)
