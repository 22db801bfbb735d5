"""Running coroutines from the window: every async action goes through `start`.

The window's event loop is qasync's (gui.qt.app.run). `start` schedules a coroutine on it,
keeps a strong reference until it ends (asyncio keeps only weak ones, so an unreferenced
task can vanish mid-flight), and logs anything it raised that nobody looked at: an async
action handles its own errors and re-enables its controls in `finally`, so what reaches
here is a bug, never something a user should have been told about.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # asyncio is imported once the window's first frame is shown (app.run)
    import asyncio

_logger = logging.getLogger(__name__)
_running: set[asyncio.Task[Any]] = set()
# While the app starts (app.run: Qt's own loop until the first frame, asyncio after it),
# work that may be asked for then waits here for the window's event loop.
_held: list[tuple[Coroutine[Any, Any, Any], str | None]] | None = None


def hold() -> None:
    """From now until `release`, `start_when_ready` keeps what it is given for the window's
    event loop (which does not exist yet)."""
    global _held
    _held = []


def release() -> None:
    """The window's event loop is the current one: start what waited for it, in order."""
    global _held
    waiting, _held = _held or [], None
    for coro, name in waiting:
        start(coro, name=name)


def drop_held() -> None:
    """The app ends before its event loop ran: what waited never runs (closed, so Python
    does not warn that it was never awaited)."""
    global _held
    waiting, _held = _held or [], None
    for coro, _name in waiting:
        coro.close()


def start_when_ready(coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> None:
    """`start(coro)`, or while the app starts (`hold`), as soon as its event loop runs: for
    work a start-up event can ask for (macOS hands a file to open before the first frame,
    and the Tests panel may then rerun the tests)."""
    if _held is not None:
        _held.append((coro, name))
    else:
        start(coro, name=name)


def start(coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
    """Schedule `coro` on the current event loop; returns its task. Never while the app
    starts (`hold`): a task made then would sit on a loop that never runs."""
    import asyncio

    if _held is not None:
        coro.close()
        raise RuntimeError(f"{name or 'a task'} was started before the window's event loop")
    task = asyncio.get_event_loop().create_task(coro, name=name)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def running() -> list[asyncio.Task[Any]]:
    """Tasks started here that have not ended (for tests and for closing the window)."""
    return [task for task in _running if not task.done()]


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        _logger.error("%s failed", task.get_name(), exc_info=exc)
