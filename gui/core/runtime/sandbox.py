"""The sandbox: a local CarrierX-compatible API that places calls through the interpreter.

An aiohttp app on its own thread and event loop (like the flow server) serving the FlexML
REST API (`/flexml/v1`: calls and DIDs, HTTP Basic auth) and the Core API's endpoint list
(`/core/v2/endpoints`, Bearer token), per FLEXML.md §4-§7, with CarrierX's objects exactly
as documented. Creating a call runs the Interpreter over HTTP after its `delay`, on the
call's `url`, else on its calling DID's (set with `did_url`, `sandbox --did-url` or
PATCH /dids/{did_sid}), with Gather input from `attributes.dtmf` (the `--digits` syntax),
else timeouts. What the sandbox saw of a call (its status and transcript) is not part of
CarrierX's Call object: it is served at `/sandbox/calls/{call_sid}` (same Basic auth), and
GET /calls/{call_sid} says the status in an `X-Sandbox-Call-Status` header.
`hang_up(call_sid)` is the person called hanging up (from any thread, such as the GUI's):
a running call ends with its status callback, a scheduled one is cancelled as
DELETE /calls/{sid} would.

Listeners (`add_listener`) get `(call_sid, event)` on the sandbox thread: they must be
quick and must not touch Qt objects.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..http_guard import (
    IDLE_TIMEOUT,
    MAX_BODY,
    BodyError,
    RequestErrorLog,
    handler_options,
    parse_json,
    reachable_host,
    read_body,
)
from ..service import BackgroundService
from .call import CallInfo, dashed_sid
from .caller import Caller, ScriptedCaller
from .clock import Clock, RealClock, VirtualClock
from .events import Ended, Error, Event, Started
from .http_source import DEFAULT_TIMEOUT as FETCH_TIMEOUT
from .http_source import HttpSource, pool_limits
from .interpreter import Interpreter, send_status_callback
from .sandbox_api import (
    DEFAULT_METHOD,
    METHODS,
    RUNNING,
    SCHEDULED,
    ApiError,
    SandboxCall,
    SandboxDid,
    check_dids,
    endpoint_json,
    is_http_url,
    matches_filter,
    new_call,
    page,
    stable_sid,
    too_many_calls,
)
from .streams import WebSocketStreamer

if TYPE_CHECKING:
    import httpx

Listener = Callable[[str, Event], None]
DEFAULT_DIDS = tuple(f"1555555010{digit}" for digit in range(5))
CREDENTIALS_FILE = "sandbox.json"
SHUTDOWN_TIMEOUT = 2.0
MAX_CALLS = 1000  # finished calls kept for GET; older ones expire ("calls can expire")
CANCELLED = "cancelled"  # a scheduled call deleted (DELETE) or hung up before it started
API_PREFIX = "/flexml/v1"
CORE_PREFIX = "/core/v2"
SANDBOX_PREFIX = "/sandbox"  # the sandbox's own routes, outside CarrierX's APIs
STATUS_HEADER = "X-Sandbox-Call-Status"  # GET /calls/{call_sid}: the sandbox's state of it

_logger = logging.getLogger(__name__)


class SandboxError(Exception):
    """The sandbox could not start; the message says why, for people."""


@dataclass(frozen=True)
class Credentials:
    """The sandbox endpoint's FlexML API login and password, and the Core API token."""

    login: str
    password: str
    core_token: str

    @classmethod
    def generate(cls) -> Credentials:
        return cls(
            login="sandbox_" + secrets.token_hex(4),
            password=secrets.token_urlsafe(18),
            core_token=secrets.token_urlsafe(24),
        )

    @classmethod
    def load_or_create(cls, path: Path) -> Credentials:
        """The credentials stored at `path`, else new ones written there (mode 0600)."""
        try:
            data = json.loads(path.read_text("utf-8"))
            return cls(str(data["login"]), str(data["password"]), str(data["core_token"]))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as exc:
            _logger.warning("%s is unreadable (%s): new sandbox credentials", path, exc)
        credentials = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(asdict(credentials), file, indent=2)
        os.chmod(temporary, 0o600)  # in case it existed with other permissions
        os.replace(temporary, path)
        return credentials


def credentials_path() -> Path:
    from ..recovery import data_dir

    return data_dir() / CREDENTIALS_FILE


class Sandbox(BackgroundService):
    """A local CarrierX: `start()` returns once listening; `stop()` ends running calls and
    joins the thread; also a context manager. `speed` None runs calls on a virtual clock
    (as fast as they can); a number runs them in real time, that many times faster.

    Its HTTP side keeps the flow server's limits (gui.core.http_guard): plain bodies of at
    most MAX_BODY bytes arriving within `client_timeout` seconds, JSON at most MAX_DEPTH
    deep, `max_connections` at once (None: as the open-file limit allows), connections
    idle for `client_timeout` closed, one log line per malformed request.

    `did_url` (and `did_method`) is every DID's FlexML URL: the URL of calls placed without
    one. None leaves the DIDs without (PATCH /dids/{did_sid} can set one per DID).

    `fetch_timeout` is the deadline of each request a call makes (flow documents, status
    callbacks), the runtime's 10 s unless given."""

    thread_name = "sandbox"
    what = "the sandbox"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        credentials: Credentials | None = None,
        dids: Sequence[str] | None = None,
        speed: float | None = None,
        max_calls: int = MAX_CALLS,
        client_timeout: float = IDLE_TIMEOUT,
        max_connections: int | None = None,
        did_url: str | None = None,
        did_method: str = DEFAULT_METHOD,
        fetch_timeout: float = FETCH_TIMEOUT,
    ) -> None:
        super().__init__(max_connections=max_connections)
        if not fetch_timeout > 0:
            raise ValueError("the fetch timeout must be above 0 seconds")
        if not 0 <= port <= 65535:
            raise ValueError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
        if speed is not None and speed <= 0:
            raise ValueError("the speed must be above 0")
        if did_url is not None and not is_http_url(did_url):
            raise ValueError(f"the DID URL {did_url!r} must be an absolute http:// or https:// URL")
        if did_method.upper() not in METHODS:
            raise ValueError(f"the DID method must be GET or POST, not {did_method!r}")
        self.host = "127.0.0.1" if host == "localhost" else host
        self.credentials = credentials or Credentials.generate()
        self.dids = check_dids(dids if dids is not None else DEFAULT_DIDS)
        self.speed = speed
        self.max_calls = max_calls
        self.client_timeout = client_timeout
        self.fetch_timeout = fetch_timeout
        self.account_sid = stable_sid("account", self.credentials.login)
        self.endpoint_sid = stable_sid("endpoint", self.credentials.login)
        # Each DID's settings, by phone number (changed by PATCH /dids/{did_sid}, under the
        # lock: the loop thread changes them, `did` reads them from any thread).
        self._dids = {
            number: SandboxDid(number, self.account_sid, did_url, did_method.upper())
            for number in self.dids
        }
        self._requested_port = port
        self._port: int | None = None
        self._url_host = self.host  # where clients reach it (see _listen)
        self._calls: OrderedDict[str, SandboxCall] = OrderedDict()
        self._tasks: dict[str, asyncio.Task] = {}
        self._interpreters: dict[str, Interpreter] = {}  # the running calls (loop thread)
        self._lock = threading.Lock()
        self._http: httpx.AsyncClient | None = None
        self._caller_factory: Callable[[str], Caller] | None = None

    @classmethod
    def default(cls, host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> Sandbox:
        """A sandbox with this installation's credentials (made once, kept 0600)."""
        return cls(host, port, credentials=Credentials.load_or_create(credentials_path()), **kwargs)

    # -- where it is -------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the sandbox is not started")
        host = f"[{self._url_host}]" if ":" in self._url_host else self._url_host
        return f"http://{host}:{self._port}"

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def core_url(self) -> str:
        return self.url + CORE_PREFIX

    def info(self) -> dict[str, Any]:
        """What a client needs: the URLs, the credentials and the DIDs (the CLI's header)."""
        return {
            "api_url": self.api_url,
            "login": self.credentials.login,
            "password": self.credentials.password,
            "core_url": self.core_url,
            "core_token": self.credentials.core_token,
            "dids": list(self.dids),
        }

    # -- what it saw -------------------------------------------------------------------

    def attach_caller(self, factory: Callable[[str], Caller] | None) -> None:
        """Where Gather input comes from for calls without `attributes.dtmf`:
        `factory(call_sid)` makes the Caller (its coroutines run on the sandbox's loop, so
        a UI hands keys over thread-safely). None detaches: such Gathers time out."""
        self._caller_factory = factory

    def calls(self) -> list[dict[str, Any]]:
        """Every call still known, oldest first: NOT CarrierX's Call object (that is what
        GET /calls/{sid} answers) but, for in-process users, the Call object plus a
        "sandbox" key with the sandbox's status and transcript of the call."""
        with self._lock:
            return [call.as_json_with_sandbox() for call in self._calls.values()]

    def call(self, call_sid: str) -> dict[str, Any] | None:
        """One call as `calls()` gives it (Call object plus "sandbox"), or None."""
        with self._lock:
            call = self._calls.get(call_sid)
            return call.as_json_with_sandbox() if call is not None else None

    def call_status(self, call_sid: str) -> str | None:
        """The sandbox's state of a call: SCHEDULED, RUNNING, then how it ended (its
        CallStatus, or CANCELLED); None for a call it does not know (or has forgotten)."""
        with self._lock:
            call = self._calls.get(call_sid)
            return call.status if call is not None else None

    def did(self, number: str) -> dict[str, Any] | None:
        """The DID object of one of the sandbox's numbers (as GET /dids lists it), or None."""
        with self._lock:
            did = self._dids.get(number)
            return did.as_json() if did is not None else None

    # -- running -----------------------------------------------------------------------

    async def _wind_down(self) -> None:
        # Calls still scheduled or running end with the sandbox; then its HTTP client.
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _listen(self) -> web.BaseRunner:
        app = web.Application(middlewares=[self._errors], client_max_size=MAX_BODY)
        app.router.add_post(f"{API_PREFIX}/calls", self._create_call)
        app.router.add_get(f"{API_PREFIX}/calls", self._list_calls)
        app.router.add_get(API_PREFIX + "/calls/{sid}", self._get_call)
        app.router.add_delete(API_PREFIX + "/calls/{sid}", self._delete_call)
        app.router.add_get(f"{API_PREFIX}/dids", self._list_dids)
        app.router.add_patch(API_PREFIX + "/dids/{did_sid}", self._patch_did)
        app.router.add_get(f"{CORE_PREFIX}/endpoints", self._list_endpoints)
        app.router.add_get(SANDBOX_PREFIX + "/calls/{sid}", self._get_sandbox_call)
        runner = web.AppRunner(
            app,
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            **{
                **handler_options(RequestErrorLog(_logger, self.what)),
                "keepalive_timeout": self.client_timeout,
            },
        )
        await runner.setup()
        assert runner.server is not None
        self._cap_connections(runner.server)
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise SandboxError(
                f"cannot listen on {self.host} port {self._requested_port}: {exc.strerror or exc}"
            ) from exc
        self._port = runner.addresses[0][1]
        # Listening everywhere (0.0.0.0): the URLs handed out name an address clients can
        # connect to, this machine's own.
        self._url_host = reachable_host(self.host)
        return runner

    # -- HTTP --------------------------------------------------------------------------

    @web.middleware
    async def _errors(self, request: web.Request, handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            headers = {}
            if exc.status == 401:
                scheme = "Bearer" if request.path.startswith(CORE_PREFIX) else "Basic"
                headers["WWW-Authenticate"] = f'{scheme} realm="FlexML Studio sandbox"'
            answer = web.json_response(exc.body(), status=exc.status, headers=headers)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            message = exc.reason or "error"
            if exc.status == 404:
                message = f"{request.path} is not found"
            headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
            answer = web.json_response(
                {"errors": [{"message": message}]}, status=exc.status, headers=headers
            )
        if request.body_exists and not request.content.is_eof():
            # Refused before its body was all in: aiohttp drops the connection after this
            # answer, so say so (Connection: close) and no client sends on it again.
            answer.force_close()
        return answer

    def _check_basic(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                login, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                login = password = ""
            if _same(login, self.credentials.login) & _same(password, self.credentials.password):
                return
        raise ApiError(401, "the FlexML API login and password are required (HTTP Basic auth)")

    def _check_bearer(self, request: web.Request) -> None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and _same(value.strip(), self.credentials.core_token):
            return
        raise ApiError(401, "the Core API token is required (Authorization: Bearer TOKEN)")

    async def _json_body(self, request: web.Request) -> object:
        if request.content_type != "application/json":
            raise ApiError(415, "the request body must be JSON (Content-Type: application/json)")
        try:
            # Plain, at most MAX_BODY and in time; JSON at most MAX_DEPTH levels deep.
            return parse_json(await read_body(request, timeout=self.client_timeout))
        except BodyError as exc:
            raise ApiError(exc.status, exc.message) from None

    async def _create_call(self, request: web.Request) -> web.Response:
        self._check_basic(request)
        body = await self._json_body(request)
        call = new_call(body, self.dids, self.account_sid)
        if len(self._tasks) >= self.max_calls:  # each call scheduled or running has a task
            raise ApiError(422, too_many_calls(self.max_calls))
        with self._lock:
            self._calls[call.call_sid] = call
            self._expire()
        self._tasks[call.call_sid] = asyncio.get_running_loop().create_task(self._place(call))
        return web.json_response(call.as_json())

    async def _list_calls(self, request: web.Request) -> web.Response:
        self._check_basic(request)
        with self._lock:
            items = [c.as_json() for c in self._calls.values() if c.scheduled and c.delay > 0]
        return web.json_response(page(items, request.query, self.api_url + "/calls"))

    def _known(self, request: web.Request) -> SandboxCall:
        call = self._calls.get(request.match_info["sid"])
        if call is None:
            raise ApiError(404, "no such call (calls can expire)")
        return call

    async def _get_call(self, request: web.Request) -> web.Response:
        self._check_basic(request)
        with self._lock:
            call = self._known(request)
            body, status = call.as_json(), call.status
        return web.json_response(body, headers={STATUS_HEADER: status})

    async def _get_sandbox_call(self, request: web.Request) -> web.Response:
        """GET /sandbox/calls/{call_sid}: what the sandbox saw of a call, {"call_sid",
        "status", "transcript"}. The SID may be given as the requests carry it (32 hex
        digits) too."""
        self._check_basic(request)
        sid = request.match_info["sid"]
        with self._lock:
            call = self._calls.get(sid) or self._calls.get(dashed_sid(sid))
            if call is None:
                raise ApiError(404, "no such call (calls can expire)")
            body = call.state_json()
        return web.json_response(body)

    async def _delete_call(self, request: web.Request) -> web.Response:
        self._check_basic(request)
        with self._lock:
            call = self._known(request)
            if not call.scheduled:
                raise ApiError(409, f"the call is {call.status}: only a scheduled call is deleted")
            self._cancel_scheduled(call)
        self._drop_task(call.call_sid)
        return web.Response(status=204)

    def _cancel_scheduled(self, call: SandboxCall) -> None:
        """A scheduled call cancelled, as DELETE /calls/{sid} does (under the lock): it
        is cancelled and forgotten; its task is dropped on the loop (`_drop_task`)."""
        call.status = CANCELLED
        del self._calls[call.call_sid]

    def _drop_task(self, call_sid: str) -> None:
        task = self._tasks.pop(call_sid, None)
        if task is not None:
            task.cancel()

    async def _list_dids(self, request: web.Request) -> web.Response:
        self._check_basic(request)
        with self._lock:
            items = [did.as_json() for did in self._dids.values()]
        return web.json_response(page(items, request.query, self.api_url + "/dids"))

    async def _patch_did(self, request: web.Request) -> web.Response:
        """PATCH /dids/{did_sid}: set a DID's url, method and status callback (see
        SandboxDid.change: [assumed] that CarrierX takes these with PATCH); the DID object."""
        self._check_basic(request)
        body = await self._json_body(request)
        sid = request.match_info["did_sid"]
        with self._lock:
            did = next((d for d in self._dids.values() if d.did_sid == sid), None)
            if did is None:
                raise ApiError(404, f"no DID {sid} on this endpoint (GET /dids lists them)")
            did.change(body)
            answer = did.as_json()
        return web.json_response(answer)

    async def _list_endpoints(self, request: web.Request) -> web.Response:
        self._check_bearer(request)
        endpoint = endpoint_json(
            self.endpoint_sid, self.credentials.login, self.credentials.password, self.api_url
        )
        items = [endpoint] if matches_filter(endpoint, request.query.get("filter")) else []
        return web.json_response(page(items, request.query, self.core_url + "/endpoints"))

    # -- calls -------------------------------------------------------------------------

    def _expire(self) -> None:
        """Forget the oldest finished calls beyond `max_calls` (under the lock)."""
        excess = len(self._calls) - self.max_calls
        if excess <= 0:
            return
        for sid in [sid for sid, call in self._calls.items() if call.status not in _LIVE]:
            if excess <= 0:
                break
            del self._calls[sid]
            excess -= 1

    def _source(self, url: str | None = None) -> HttpSource:
        """An HttpSource on the sandbox's shared client, with its fetch deadline."""
        return HttpSource(url, client=self._client(), timeout=self.fetch_timeout)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            from .http_source import USER_AGENT

            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self.fetch_timeout, connect=5.0),
                headers={"User-Agent": USER_AGENT},
                trust_env=False,
                # A connection for each call the sandbox may run at once: with fewer, calls
                # wait in the pool for one ("waiting for a connection") while the server
                # sees only some of them.
                limits=pool_limits(self.max_calls),
            )
        return self._http

    def hang_up(self, call_sid: str, reason: str = "before the flow ended") -> bool:
        """The person called hangs up: True when the call was running (it ends now, and its
        status callback is sent: the last event is Ended, "completed" once answered, else
        "cancel") or scheduled (cancelled, as DELETE /calls/{sid} would); False for a call
        the sandbox does not know or that has ended. Safe from any thread; it returns at
        once, and the call's last events follow on the sandbox's thread."""
        loop = self._loop
        if loop is None:
            return False
        with self._lock:
            call = self._calls.get(call_sid)
            if call is None or call.status not in _LIVE:
                return False
            try:
                # Under the lock: a scheduled call that is due now does not start before
                # it is known to be cancelled (_place looks under the same lock).
                if call.scheduled:
                    loop.call_soon_threadsafe(self._drop_task, call_sid)
                    self._cancel_scheduled(call)
                else:
                    loop.call_soon_threadsafe(self._hang_up_running, call_sid, reason)
            except RuntimeError:  # the loop closed meanwhile: the sandbox is stopping
                return False
        return True

    def _hang_up_running(self, call_sid: str, reason: str) -> None:
        interpreter = self._interpreters.get(call_sid)
        if interpreter is not None:  # else it ended meanwhile, by itself
            interpreter.hang_up(reason)

    def _clock(self) -> Clock:
        return VirtualClock() if self.speed is None else RealClock(self.speed)

    def _start(self, call: SandboxCall) -> tuple[CallInfo, str | None, str, SandboxDid] | None:
        """Mark a due call running (None when it was cancelled meanwhile) and say where its
        FlexML and status callback go: the Call's, else its calling DID's, as CarrierX does
        for an outbound call ("If not defined in the Call object, the same sequence is
        used: DID > Account", FLEXML.md §3; the sandbox has no Account level)."""
        with self._lock:
            if call.status != SCHEDULED:  # cancelled while it was due
                return None
            call.status = RUNNING
            did = self._dids[call.calling_did]
            url, method = (call.url, call.method) if call.url else (did.url, did.method)
            callback = (call.status_callback_url, call.status_callback_method)
            if not call.status_callback_url:
                callback = (did.status_callback_url, did.status_callback_method)
            did = replace(did)  # a copy, read outside the lock
        info = CallInfo(
            from_number=call.calling_did,
            to_number=call.called_as or call.called_did,
            direction="outbound",
            call_sid=call.call_sid,
            status_callback_url=callback[0],
            status_callback_method=callback[1],
            extra={"EndpointSid": self.endpoint_sid},
        )
        return info, url, method, did

    async def _place(self, call: SandboxCall) -> None:
        try:
            if call.delay:
                await asyncio.sleep(call.delay)
            started = self._start(call)
            if started is None:
                return
            info, url, method, did = started
            if url is None:
                await self._fail_without_url(call, info, method, did)
                return
            factory = self._caller_factory
            scripted = "dtmf" in call.attributes or factory is None
            interpreter = Interpreter(
                self._source(url),
                ScriptedCaller(call.dtmf) if scripted else factory(call.call_sid),
                self._clock(),
                url=url,
                method=method,
                call=info,
                on_event=lambda event: self._on_event(call, event),
                streamer=WebSocketStreamer(),
            )
            self._interpreters[call.call_sid] = interpreter  # no await since RUNNING
            await interpreter.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            _logger.exception("sandbox call %s failed", call.call_sid)
            with self._lock:
                if call.status in _LIVE:
                    call.status = "failed"
        finally:
            self._tasks.pop(call.call_sid, None)
            self._interpreters.pop(call.call_sid, None)

    async def _fail_without_url(
        self, call: SandboxCall, info: CallInfo, method: str, did: SandboxDid
    ) -> None:
        """A call with no url whose DID has none either fails at once, as a call whose
        FlexML cannot be fetched does: an Error saying how to give it one, the status
        callback (CallStatus failed, RequestUrl empty: no FlexML ran) and Ended failed."""

        def emit(event: Event) -> None:
            self._on_event(call, event)

        emit(Started(info.call_sid, info.from_number, info.to_number, info.direction, "", method))
        emit(
            Error(
                f"the call has no url and DID {did.phonenumber} has none either: set one with "
                f"PATCH /dids/{did.did_sid} or sandbox --did-url"
            )
        )
        if info.status_callback_url:
            target, how = info.status_callback_url, info.status_callback_method.upper()
            fields = info.fields("", "failed")
            emit(await send_status_callback(self._source(), target, how, "failed", 0, fields))
        emit(Ended("failed", 0))

    def _on_event(self, call: SandboxCall, event: Event) -> None:
        data = event.to_json()
        with self._lock:
            call.transcript.append(data)
            if isinstance(event, Ended):
                call.status = event.call_status
        for listener in self._listeners:
            try:
                listener(call.call_sid, event)
            except Exception:
                _logger.exception("a sandbox listener failed; the sandbox goes on")


_LIVE = (SCHEDULED, RUNNING)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
