"""The flow server as an aiohttp application for production servers (gunicorn and the like).

    gunicorn 'gui.core.server.app:factory("project.flexproj")' \\
        -k aiohttp.GunicornWebWorker --preload -w 4 --bind 127.0.0.1:8000

Every request is answered by the embedded server's own `FlowRoutes`: the same routes, bytes
and token rules. `GET /healthz` answers load balancers without the token. A request depends
on nothing but the project file, so any worker of any instance may answer any request.

Re-reading the project never stops a worker: SIGHUP sent to the workers (`pkill --signal HUP
--parent MASTER_PID`), or with FLEXML_STUDIO_WATCH=1 a change of the file (its change time is
polled every second), makes each re-read the file on a thread and swap the snapshot in one
assignment; a file that fails to load is logged and the old snapshot kept. SIGHUP to
gunicorn's master instead restarts the workers; with `--preload` the master re-reads the file
just before forking each one, so they start from it, or from the last version that loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from aiohttp import web

from ..flexml import FlexmlError, MalformedError, Severity
from ..http_guard import (
    MAX_BODY,
    RequestErrorLog,
    handler_options,
    quiet_accept_errors,
    raise_open_file_limit,
    safe_text,
)
from ..net import is_loopback
from ..project import Project, load
from .records import RequestRecord
from .routes import FlowRoutes
from .server import TOKEN_PATTERN, check_public_url, check_reachable_token
from .snapshot import Snapshot

ENV_TOKEN = "FLEXML_STUDIO_TOKEN"
ENV_PUBLIC_URL = "FLEXML_STUDIO_PUBLIC_URL"
ENV_WATCH = "FLEXML_STUDIO_WATCH"
HEALTH_PATH = "/healthz"
WATCH_INTERVAL = 1.0  # seconds between two looks at the file's change time

_logger = logging.getLogger(__name__)
_requests = logging.getLogger(__name__ + ".requests")  # one line per request

Stamp = tuple[int, int, int] | None  # the file's (inode, size, mtime ns); None if it is gone


class ProjectLoadError(Exception):
    """The project file cannot be served; the message says why, for people."""


@dataclass(frozen=True)
class Loaded:
    """What the served snapshot was made from, and when: for /healthz and the logs."""

    at: float  # seconds since the epoch, as time.time()
    seconds: float  # reading, linting and exporting it
    flows: int
    switches: int
    entry: str | None


class ServedProject:
    """A project file and the snapshot made from it, which `routes` answers requests from.

    The file is read once when made (ProjectLoadError if it cannot be served). `reload()`
    reads it again and swaps the snapshot in one assignment, so a request answers from the
    old or the new one, never a mix; a file that fails to load is logged and changes nothing.
    Reading parses, lints and exports every flow: call it off the event loop.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        token: str | None = None,
        public_url: str | None = None,
    ) -> None:
        if token is not None and not TOKEN_PATTERN.match(token):
            raise ValueError(
                "the access token may only hold letters, digits and . _ ~ - (it goes into URLs)"
            )
        # Absolute but not resolved: a deploy that swaps a symlink is followed on reload.
        self.path = Path(os.path.abspath(path))
        self.token = token
        self.base_url = base_url(public_url, token)
        self.routes = FlowRoutes(log_request, token=token)
        self.reloads = 0
        self.reload_error: str | None = None
        self.pid = os.getpid()
        self._seen: Stamp = None  # the file as the last read (good or not) found it
        snapshot, self.loaded = self._read()
        self.routes.snapshot = snapshot
        _logger.info(
            "serving %s (%s) from %s, flow: references at %s",
            self.path.name,
            _counts(self.loaded),
            self.path.parent,
            _mask(self.base_url, token),
        )

    @property
    def snapshot(self) -> Snapshot:
        return self.routes.snapshot

    def changed(self) -> bool:
        """Whether the file differs from when it was last read (cheap: one stat)."""
        return file_stamp(self.path) != self._seen

    def reload(self) -> bool:
        """Read the file again and serve it from the next request on; False (logged, the
        old snapshot kept) when it cannot be served."""
        try:
            snapshot, loaded = self._read()
        except ProjectLoadError as exc:
            # /healthz says it: no directory of this machine in it.
            self.reload_error = str(exc).replace(f"{self.path.parent}{os.sep}", "")
            _logger.error("%s; still serving the project loaded at %s", exc, _clock(self.loaded.at))
            return False
        self.routes.snapshot = snapshot  # atomic: the next request answers from it
        self.loaded = loaded
        self.reload_error = None
        self.reloads += 1
        _logger.info("reloaded %s (%s)", self.path.name, _counts(loaded))
        return True

    def reload_if_changed(self) -> bool:
        """`reload()` when the file changed since it was last read; else False."""
        return self.changed() and self.reload()

    def health(self) -> dict[str, object]:
        """What /healthz says: no path beyond the file's name, no token."""
        loaded = self.loaded
        return {
            "status": "ok",
            "project": self.path.name,
            "flows": loaded.flows,
            "switches": loaded.switches,
            "entry": loaded.entry,
            "loaded": _iso(loaded.at),
            "load_ms": round(loaded.seconds * 1000, 1),
            "reloads": self.reloads,
            "reload_error": self.reload_error,
        }

    def _read(self) -> tuple[Snapshot, Loaded]:
        started = time.perf_counter()
        # Taken before reading, so a change made while reading is seen as a change later.
        self._seen = file_stamp(self.path)
        project = _load(self.path)
        _log_problems(self.path.name, project)
        snapshot = Snapshot.from_project(project, self.base_url)
        loaded = Loaded(
            time.time(),
            time.perf_counter() - started,
            len(snapshot.flows),
            len(snapshot.switches),
            snapshot.entry,
        )
        return snapshot, loaded


SERVED = web.AppKey("served", ServedProject)


def factory(
    project: str | os.PathLike[str],
    *,
    token: str | None = None,
    public_url: str | None = None,
    watch: bool | None = None,
) -> web.Application:
    """The application gunicorn's aiohttp worker runs: serves `project`'s flows.

    Unset arguments come from the environment: FLEXML_STUDIO_TOKEN (the access token; keep it
    out of the command line, which `ps` shows), FLEXML_STUDIO_PUBLIC_URL (where CarrierX
    reaches this server: `flow:` references become absolute URLs under it; without it they
    become paths such as /t/TOKEN/flows/NAME on whatever host was asked) and
    FLEXML_STUDIO_WATCH=1 (re-read the file when it changes). Raises ProjectLoadError when
    the file cannot be served, and TokenError (a ValueError) for a token shorter than
    MIN_TOKEN characters (a production server is there to be reached from other machines),
    which stop gunicorn with the message.
    """
    _log_to_stderr_unless_configured()
    raise_open_file_limit()  # each connection is an open file; workers inherit it
    if token is None:
        token = os.environ.get(ENV_TOKEN) or None
    if token is not None:
        check_reachable_token(token, "a production server")
    if public_url is None:
        public_url = os.environ.get(ENV_PUBLIC_URL) or None
    if watch is None:
        watch = os.environ.get(ENV_WATCH, "").strip().lower() in ("1", "true", "yes", "on")
    served = ServedProject(project, token=token, public_url=public_url)
    if token is None:
        _logger.warning(
            "no access token (%s): only requests that reach this server on a loopback "
            "address or a unix socket are answered",
            ENV_TOKEN,
        )
    if "gunicorn" in sys.modules:
        _reread_before_forks(served)
    return create_app(served, watch=watch)


def create_app(
    served: ServedProject, *, watch: bool = False, watch_interval: float = WATCH_INTERVAL
) -> web.Application:
    """An application answering from `served`: every route of the embedded flow server,
    and /healthz. SIGHUP re-reads the file in place; with `watch`, so does a change of it."""
    # The process manager sets the idle timeout (gunicorn --keep-alive); the rest of what
    # the embedded server's request handlers are given, this app's are given too.
    options = handler_options(RequestErrorLog(_logger, "the flow server", served.token))
    del options["keepalive_timeout"]
    # Past client_max_size, reading a body gives 413.
    app = web.Application(client_max_size=MAX_BODY, handler_args=options)
    app[SERVED] = served
    # Every path, line breaks included (`.` would leave them to the router's own 404).
    app.router.add_route("*", r"/{path:[\s\S]*}", _handler(served))
    app.cleanup_ctx.append(partial(_reloading, watch=watch, interval=watch_interval))
    return app


def _handler(served: ServedProject) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    handle = served.routes.handle
    # The embedded server refuses to listen beyond loopback without a token. Here the
    # process manager binds the socket, so the rule is kept per request instead.
    check_local = served.token is None

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == HEALTH_PATH:
            return _health(request, served)
        if check_local and not _reached_on_loopback(request):
            _requests.info("%s %s -> 403 (no access token)", request.method, _safe(request.path))
            refused = web.Response(
                status=403,
                text=f"forbidden: reached beyond loopback, and no access token ({ENV_TOKEN})\n",
            )
            refused.force_close()  # no byte of a body is read
            return refused
        return await handle(request)

    return handler


def _health(request: web.Request, served: ServedProject) -> web.Response:
    if request.method not in ("GET", "HEAD"):
        return web.Response(status=405, text="method not allowed\n", headers={"Allow": "GET, HEAD"})
    return web.Response(
        text=json.dumps(served.health()),
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _reached_on_loopback(request: web.Request) -> bool:
    transport = request.transport
    where = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(where, tuple):
        return is_loopback(where[0])
    return isinstance(where, str | bytes)  # a unix socket: only this machine reaches it


class _Reloader:
    """Runs `served.reload` on a thread, one at a time: asked again during one, it runs one
    more after it, so the last request always sees the file as it was last written."""

    def __init__(self, served: ServedProject) -> None:
        self._served = served
        self._task: asyncio.Task[None] | None = None
        self._again = False

    @property
    def busy(self) -> bool:
        """Whether a re-read is under way (or about to start on its thread)."""
        return self._task is not None and not self._task.done()

    def request(self) -> None:
        """Re-read soon (call on the loop: a signal handler or the watch)."""
        if self.busy:
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        again = True
        while again:
            self._again = False
            # Parsing, linting and exporting happen on a thread: requests go on meanwhile.
            await loop.run_in_executor(None, self._served.reload)
            again = self._again

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _reloading(app: web.Application, *, watch: bool, interval: float) -> AsyncIterator[None]:
    """While the app runs: SIGHUP re-reads the project (when the app runs in the main
    thread, as in a gunicorn worker); with `watch`, so does a change of the file."""
    served = app[SERVED]
    loop = asyncio.get_running_loop()
    if loop.get_exception_handler() is None:  # unless the operator set one
        quiet_accept_errors(loop, _logger)
    reloader = _Reloader(served)
    # Signal handlers can only be set in the main thread (and Windows has no SIGHUP).
    on_signal = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP")
    if on_signal:
        loop.add_signal_handler(signal.SIGHUP, reloader.request)

    async def poll() -> None:
        while True:
            await asyncio.sleep(interval)
            # One stat on the loop; the reading happens on a thread. Not while a re-read is
            # under way: it notes the file's stamp as it starts, so a change made after that
            # is seen at the next look, and the same file is not read twice on a busy machine.
            if not reloader.busy and served.changed():
                reloader.request()

    watcher = loop.create_task(poll()) if watch else None
    try:
        yield
    finally:
        if on_signal:
            loop.remove_signal_handler(signal.SIGHUP)
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await reloader.close()


def _reread_before_forks(served: ServedProject) -> None:
    """Under `gunicorn --preload` the factory runs in the master, and every worker (the
    first ones, those started on SIGHUP, those replacing one that died) is forked from it:
    re-read the file just before each fork, so workers start from the file as it is now, or
    from the last project that loaded when it does not."""
    ref = weakref.ref(served)

    def before_fork() -> None:
        served = ref()
        if served is None or served.pid != os.getpid():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the master (no loop): safe to read here
            served.reload_if_changed()

    os.register_at_fork(before=before_fork)


def base_url(public_url: str | None, token: str | None) -> str:
    """What `flow:` references resolve against: the public URL, or (without one) the root
    of whatever host was asked; with `/t/TOKEN` when there is a token, as FlowServer does."""
    base = ""
    if public_url:
        check_public_url(public_url)
        base = public_url.rstrip("/")
    if token:
        base += f"/t/{token}"
    return base or "/"


def file_stamp(path: Path) -> Stamp:
    """What changes when the file is written or replaced; None when it cannot be seen."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def log_request(record: RequestRecord) -> None:
    """One log line per request: no token (records hold none) and no caller numbers."""
    if not _requests.isEnabledFor(logging.INFO):
        return
    line = (
        f"{record.method} {_safe(record.path)} -> {record.status} "
        f"({record.size} B, {record.latency_ms:.1f} ms)"
    )
    if record.call_sid:
        line += f" CallSid={_safe(record.call_sid)}"
    for taken in record.decisions:
        looked = taken.parameter or "the time"
        line += f" [switch {taken.switch}: {looked} -> {_safe(taken.label)} -> {taken.goto}]"
    # makeRecord + handle is `info` without looking up the caller's frame, which nobody
    # reads in these lines: a request's log line is on the request's path.
    _requests.handle(_requests.makeRecord(_requests.name, logging.INFO, "", 0, line, None, None))


def _load(path: Path) -> Project:
    try:
        project = load([path])
    except MalformedError as exc:
        at = f" (line {exc.line}, column {exc.column or 1})" if exc.line else ""
        raise ProjectLoadError(f"{path.name}: {exc.message}{at}") from None
    except FlexmlError as exc:
        raise ProjectLoadError(exc.message) from None
    except (OSError, ValueError) as exc:
        raise ProjectLoadError(f"{path.name}: {exc}") from None
    if not project.names:
        raise ProjectLoadError(f"{path.name} has no flows to serve")
    return project


def _log_problems(file: str, project: Project) -> None:
    """Lint problems are logged; they do not stop serving, as with `flexml-studio serve`."""
    for name, problems in project.lint().items():
        for p in problems:
            _logger.log(
                logging.ERROR if p.severity is Severity.ERROR else logging.WARNING,
                "%s:%s:%s: %s: %s %s [%s]",
                file,
                p.line or 1,
                p.column or 1,
                p.severity.value,
                p.code,
                p.message,
                name,
            )


def _log_to_stderr_unless_configured() -> None:
    """gunicorn configures only its own loggers: without this, our INFO lines would vanish.
    A logging set-up of the operator's (gunicorn --log-config, ...) is left alone."""
    if logging.getLogger().handlers or _logger.handlers:
        return
    handler = logging.StreamHandler()  # stderr, as gunicorn's own log
    handler.setFormatter(_LogFormat())
    _logger.addHandler(handler)
    _logger.propagate = False
    if _logger.level == logging.NOTSET:
        _logger.setLevel(logging.INFO)


class _LogFormat(logging.Formatter):
    """gunicorn's log format, the time formatted once a second: formatting it for every
    line took a quarter of the time of a request's log line (measured)."""

    def __init__(self) -> None:
        super().__init__(
            "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s", "%Y-%m-%d %H:%M:%S %z"
        )
        self._second = -1
        self._time = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:  # a race between threads only formats it twice
            self._time = super().formatTime(record, datefmt)
            self._second = second
        return self._time


def _safe(text: str) -> str:
    """Caller-sent text for a log line: no line breaks or control characters, and short."""
    return safe_text(text, 1024)


def _mask(url: str, token: str | None) -> str:
    return url.replace(f"/t/{token}", "/t/***") if token else url


def _counts(loaded: Loaded) -> str:
    text = f"{loaded.flows} flow{'s' if loaded.flows != 1 else ''}"
    if loaded.switches:
        text += f", {loaded.switches} switch{'es' if loaded.switches != 1 else ''}"
    return f"{text}, read in {loaded.seconds * 1000:.0f} ms"


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().isoformat("T", "seconds")


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at).strftime("%H:%M:%S")
