"""The flow server's loop says nothing when asyncio's delayed accept retry (after an accept
error) meets a socket the server closed meanwhile; other errors still reach the log."""

from __future__ import annotations

import asyncio
import logging

from gui.core.http_guard import quiet_accept_errors


def _start_serving() -> None:  # named as asyncio's own retry callback
    pass


def _other() -> None:
    pass


def _report(callback) -> None:
    loop = asyncio.new_event_loop()
    try:
        quiet_accept_errors(loop, logging.getLogger("test.accept"))
        handle = loop.call_later(3600, callback)  # as asyncio's delayed retry
        loop.call_exception_handler(
            {
                "message": "Exception in callback",
                "exception": ValueError("Invalid file descriptor: -1"),
                "handle": handle,
            }
        )
    finally:
        loop.close()


def test_the_retry_after_close_is_silent(caplog):
    with caplog.at_level(logging.DEBUG):
        _report(_start_serving)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_other_errors_still_reach_the_log(caplog):
    with caplog.at_level(logging.DEBUG):
        _report(_other)
    assert any("Invalid file descriptor" in r.getMessage() or r.exc_info for r in caplog.records)
