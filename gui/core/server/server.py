"""The flow server: an aiohttp app on its own thread and event loop.

Serving from the GUI's (qasync) loop measured 27x slower (see ARCHITECTURE.md), so the
server owns a thread. The two sides share only three things: the published snapshot (one
attribute, replaced whole), the bounded request log (behind a small lock), and the
listeners, which are called on the server thread.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import socket
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from ..flexml.refs import flow_url
from ..http_guard import IDLE_TIMEOUT, MAX_BODY, RequestErrorLog, handler_options
from ..net import is_loopback, url_is_loopback
from ..service import BackgroundService
from .records import RequestRecord
from .routes import FlowRoutes
from .snapshot import Snapshot

if TYPE_CHECKING:
    from ..project import Project

Listener = Callable[[RequestRecord], None]
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{1,256}\Z")  # URL-safe: it goes into paths
MIN_TOKEN = 16  # characters of a token other machines can reach (16 random ones: 96 bits)
SHUTDOWN_TIMEOUT = 2.0  # in-flight requests get this long to finish on stop()

_logger = logging.getLogger(__name__)


class ServerError(Exception):
    """The flow server could not start; the message says why, for people."""


class TokenError(ValueError):
    """A server reachable from other machines without an access token, or with one short
    enough to guess; the message says why, for people."""


def check_reachable_token(token: str | None, where: str) -> None:
    """Raise TokenError unless `token` is strong enough for a server that `where` (e.g.
    "listening on 0.0.0.0") makes reachable from other machines."""
    reach = f"{where} makes the flows reachable from other machines"
    if not token:
        raise TokenError(f"{reach}: set an access token")
    if len(token) < MIN_TOKEN:
        raise TokenError(
            f"{reach}: the access token must be at least {MIN_TOKEN} characters (letters, "
            f"digits and . _ ~ -), as one of {len(token)} can be guessed by trying"
        )


def check_public_url(public_url: str) -> None:
    """Raise ValueError, saying why, unless `public_url` can prefix the flows' URLs: an
    http(s) URL with a host and no query or fragment."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{public_url!r} is not an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise ValueError(f"the public URL {public_url!r} must not have a query or fragment")


class FlowServer(BackgroundService):
    """Serves the published snapshot's flows over HTTP, and logs every request.

    `start()` returns once the server listens (or raises); `stop()` shuts it down and
    joins its thread; it is also a context manager. Listeners are called on the server
    thread with each `RequestRecord`: they must be quick and must not touch Qt objects.
    The Qt side marshals to the GUI thread by appending to a deque that a QTimer on the GUI
    thread drains (one view update per batch, however busy the server is). Not by calling
    a Python `Signal.emit` per record: in PySide6 6.12 on Python 3.11 every `emit` called
    from Python loses a reference to True, and the benchmark's load ended the process
    ("deallocating True or False") within a second. A listener that raises is logged and
    the server goes on.
    """

    thread_name = "flow-server"
    what = "the flow server"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
        public_url: str | None = None,
        log_size: int = 1000,
        client_timeout: float = IDLE_TIMEOUT,
        clock: Callable[[], float] | None = None,
        max_connections: int | None = None,
    ) -> None:
        """`clock` (seconds since the epoch; time.time by default) is what opening-hours
        switches are decided against: tests pass a fixed one. `client_timeout` is how long
        a request's body may take to arrive and how long an idle connection is kept;
        `max_connections` (None: as the open-file limit allows) how many are kept at once."""
        super().__init__(max_connections=max_connections)
        if not 0 <= port <= 65535:
            raise ValueError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
        if token is not None and not TOKEN_PATTERN.match(token):
            raise ValueError(
                "the access token may only hold letters, digits and . _ ~ - (it goes into URLs)"
            )
        if public_url is not None:
            check_public_url(public_url)
        if log_size < 1:
            raise ValueError("the request log must hold at least one record")
        # "localhost" may resolve to both 127.0.0.1 and ::1, which port 0 would put on two
        # different ports: bind the one address the URL names.
        self.host = "127.0.0.1" if host == "localhost" else host
        self.token = token
        self.public_url = public_url.rstrip("/") if public_url else None
        self.client_timeout = client_timeout
        self._requested_port = port
        self._port: int | None = None
        extra = {} if clock is None else {"clock": clock}
        self._routes = FlowRoutes(self._record, token=token, body_timeout=client_timeout, **extra)
        self._log: deque[RequestRecord] = deque(maxlen=log_size)

    # -- where it is -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The address it actually listens on, e.g. http://127.0.0.1:53211."""
        if self._port is None:
            raise RuntimeError("the flow server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Where flows are found from outside: the public URL (or `url`), with /t/TOKEN."""
        if self.public_url is not None:
            base = self.public_url
        elif self._port is not None:
            base = self.url
        else:
            raise RuntimeError("the flow server has no base URL before it starts (port 0)")
        return f"{base}/t/{self.token}" if self.token else base

    def flow_urls(self) -> dict[str, str]:
        """Flow name -> the URL CarrierX should request, for the published flows."""
        base = self.base_url
        return {name: flow_url(base, name) for name in self._routes.snapshot.flows}

    # -- what it serves ----------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        return self._routes.snapshot

    def publish(self, snapshot: Snapshot) -> None:
        """Serve `snapshot` from the next request on (atomic: one reference assignment)."""
        self._routes.snapshot = snapshot

    def publish_project(self, project: Project) -> Snapshot:
        """Export every flow against `base_url` on the calling thread, then publish it."""
        snapshot = Snapshot.from_project(project, self.base_url)
        self.publish(snapshot)
        return snapshot

    # -- what it saw -------------------------------------------------------------------

    def records(self) -> list[RequestRecord]:
        """The request log, oldest first (the newest `log_size` requests)."""
        # deque.copy and deque.append are each one C call, so under the GIL a copy never
        # sees half an append: no lock on the request path.
        return list(self._log.copy())

    def _record(self, record: RequestRecord) -> None:
        self._log.append(record)
        for listener in self._listeners:
            try:
                listener(record)
            except Exception:
                _logger.exception("a request listener failed; the server goes on")

    # -- running -----------------------------------------------------------------------

    def start(self) -> None:
        """Listen, on a new thread; returns once listening. Raises TokenError (a ValueError)
        when other machines could reach it without a token of MIN_TOKEN characters (a host
        beyond loopback; with a token, also a public URL beyond it), ServerError when it
        cannot listen."""
        if self._thread is None:
            if not is_loopback(self.host):
                check_reachable_token(self.token, f"listening on {self.host}")
            elif self.token and self.public_url and not url_is_loopback(self.public_url):
                check_reachable_token(self.token, f"the public URL {self.public_url}")
        super().start()

    async def _listen(self) -> web.BaseRunner:
        loop = asyncio.get_running_loop()

        def make_request(message, payload, protocol, writer, task) -> web.BaseRequest:
            # Bodies past MAX_BODY raise HTTPRequestEntityTooLarge when read (-> 413).
            return web.BaseRequest(
                message, payload, protocol, writer, task, loop, client_max_size=MAX_BODY
            )

        # aiohttp's low-level server: one handler does all routing (there are three
        # routes), which skips the router and middleware layers: a tenth of the time of a
        # request on the benchmark (benchmarks/bench_server.py).
        options = handler_options(RequestErrorLog(_logger, self.what, self.token))
        server = web.Server(
            self._routes.handle,
            request_factory=make_request,
            access_log=None,  # our own log records every request
            **{
                **options,
                # Also closes connections that never finish sending their request headers.
                "keepalive_timeout": self.client_timeout,
            },
        )
        self._cap_connections(server)
        runner = web.ServerRunner(server, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ServerError(self._bind_error(exc)) from exc
        self._port = runner.addresses[0][1]
        return runner

    def _bind_error(self, exc: OSError) -> str:
        where = f"cannot listen on {self.host} port {self._requested_port}"
        if exc.errno == errno.EADDRINUSE:
            return f"{where}: the port is already in use (choose another, or 0 for a free one)"
        if exc.errno == errno.EADDRNOTAVAIL:
            return f"{where}: the address is not one of this machine's"
        if exc.errno == errno.EACCES:
            return f"{where}: permission denied (ports below 1024 need privileges)"
        if isinstance(exc, socket.gaierror):
            return f"cannot listen on {self.host}: unknown host name"
        return f"{where}: {exc.strerror or exc}"
