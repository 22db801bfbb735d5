"""One way to tell the user about a failure: a known one in its own words, in place; anything
else is a bug, said to be unexpected and logged with its traceback (never dropped)."""

from __future__ import annotations

import logging

UNEXPECTED = "Something unexpected went wrong; the details are in the log."


def known_text(exc: BaseException) -> str:
    """A known failure in its own words: its `message` (the CarrierX errors keep the text
    for people there), else its text, else its type's name."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message.strip():
        return message.strip()
    return str(exc).strip() or type(exc).__name__


def failure_text(
    exc: BaseException,
    known: tuple[type[BaseException], ...],
    logger: logging.Logger,
    action: str,
) -> str:
    """What to tell the user about `exc` raised while doing `action`: a failure of one of
    the `known` types in its own words; anything else UNEXPECTED, after logging `exc` with
    its traceback on `logger`."""
    if isinstance(exc, known):
        return known_text(exc)
    logger.error("%s failed unexpectedly", action, exc_info=exc)
    return UNEXPECTED


def unexpected(logger: logging.Logger, action: str, *args: object) -> str:
    """Inside an `except` block for a bug: log it with its traceback and return UNEXPECTED."""
    logger.exception(action + " failed unexpectedly", *args)  # `action` may hold %-style fields
    return UNEXPECTED
