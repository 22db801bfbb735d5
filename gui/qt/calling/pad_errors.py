"""How the dial pad tells people what went wrong: the failures it knows are said in their own
words, anything else is a bug, said to be unexpected and logged with its traceback (under
the pad's name, whichever part of the pad met it)."""

from __future__ import annotations

import logging

from ..common.messages import UNEXPECTED, failure_text

_logger = logging.getLogger("gui.qt.calling.dial_pad")


def _known_errors() -> tuple[type[Exception], ...]:
    """The failures said in place, in their own words. Imported only once one happened."""
    from ...core.calling import PlanError
    from ...core.calllog import CallLogError
    from ...core.profiles import ProfileError
    from ...core.runtime.sandbox import SandboxError
    from ...core.server import ServerError

    return (PlanError, ProfileError, SandboxError, ServerError, CallLogError, OSError)


def said(exc: Exception, action: str) -> str:
    """What to tell the user about `exc` (see common.messages), to go after a colon."""
    from ...core.carrierx import CarrierXError

    text = failure_text(exc, (CarrierXError, *_known_errors()), _logger, action)
    return text[:1].lower() + text[1:].rstrip(".") if text == UNEXPECTED else text
