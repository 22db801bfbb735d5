"""An aiohttp service on its own thread and event loop: the flow server and the sandbox.

Serving from the GUI's qasync loop measured 27x slower (ARCHITECTURE.md), so each service
runs a loop of its own. `start()` returns once the service listens (or raises why it cannot);
`stop()` lets in-flight work finish briefly and joins the thread. Listeners are called on the
service's thread; a Qt consumer must hand what they get to the GUI thread itself.

Both services may be reachable from other machines, so both keep the limits of
gui.core.http_guard: the open-file limit raised at start where allowed, at most
`max_connections` connections at once (the oldest closed past it), and a failing accept
logged in one line a second at most.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .http_guard import ConnectionCap, connection_cap, quiet_accept_errors, raise_open_file_limit

START_TIMEOUT = 30.0


class BackgroundService:
    """Thread, loop, start/stop and listeners; subclasses say how to listen."""

    thread_name = "service"
    what = "the service"  # for messages: "the flow server is already running"

    def __init__(self, *, max_connections: int | None = None) -> None:
        """`max_connections` None: as many as the open-file limit allows, at most
        http_guard.MAX_CONNECTIONS."""
        if max_connections is not None and max_connections < 1:
            raise ValueError("the connection limit must be at least 1")
        self.max_connections = max_connections
        self.connections: ConnectionCap | None = None  # while listening
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested = threading.Event()
        self._listeners: tuple[Callable[..., Any], ...] = ()
        self._listeners_lock = threading.Lock()

    # -- what subclasses provide ---------------------------------------------------------

    async def _listen(self) -> web.BaseRunner:
        """Set up and start listening; return the runner to clean up on stop."""
        raise NotImplementedError

    async def _wind_down(self) -> None:
        """After the loop stopped, before the runner's cleanup (close clients ...)."""

    def _cap_connections(self, server: web.Server) -> None:
        """Keep `server` (set up by `_listen`) within `max_connections`."""
        limit = self.max_connections or connection_cap()
        self.connections = ConnectionCap(self.what, limit, self._logger())
        self.connections.watch(server)

    def _logger(self) -> logging.Logger:
        return logging.getLogger(type(self).__module__)

    # -- running -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._loop is not None

    def start(self) -> None:
        """Listen, on a new thread; returns once listening, or raises why it cannot."""
        if self._thread is not None:
            raise RuntimeError(f"{self.what} is already running")
        raise_open_file_limit()  # each connection is an open file
        self._stop_requested.clear()
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._run, args=(ready,), name=self.thread_name, daemon=True
        )
        self._thread = thread
        thread.start()
        try:
            ready.result(START_TIMEOUT)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop listening, let in-flight work finish briefly, and join the thread."""
        thread = self._thread
        if thread is None:
            return
        self._stop_requested.set()  # set before reading _loop: _run does the reverse
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        quiet_accept_errors(loop, self._logger())
        try:
            try:
                runner = loop.run_until_complete(self._listen())
            except BaseException as exc:
                ready.set_exception(exc)
                return
            self._loop = loop
            ready.set_result(None)
            if not self._stop_requested.is_set():  # else stop() came during start-up
                loop.run_forever()
            self._loop = None
            loop.run_until_complete(self._wind_down())
            loop.run_until_complete(runner.cleanup())
        finally:
            self._loop = None
            cancel_leftovers(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            asyncio.set_event_loop(None)

    # -- listeners ---------------------------------------------------------------------

    def add_listener(self, listener: Callable[..., Any]) -> None:
        with self._listeners_lock:
            self._listeners = (*self._listeners, listener)

    def remove_listener(self, listener: Callable[..., Any]) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
            listeners.remove(listener)  # ValueError when it was not added, like list.remove
            self._listeners = tuple(listeners)


def cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks still pending on `loop` and let them finish cancelling."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        with contextlib.suppress(Exception):
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
