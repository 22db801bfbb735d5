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


def start(coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
    """Schedule `coro` on the current event loop; returns its task."""
    import asyncio

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
