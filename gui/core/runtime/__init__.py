"""The FlexML runtime: an interpreter that runs a call as CarrierX would, Qt-free.

source = ProjectSource(project)            # or HttpSource("https://example.com/app")
interpreter = Interpreter(source, ScriptedCaller("1#"))
events = await interpreter.run()           # or: async for event in interpreter.stream()

Each name is loaded from its module when first used (PEP 562, see `__getattr__`): a caller
of `check_script` or `normalise_number` (the lint of a project's flow tests, run when the
window opens) does not load the interpreter and its events.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .call import CallInfo, normalise_number
    from .caller import (
        AmdOutcome,
        Caller,
        DialOutcome,
        RecordOutcome,
        ScriptedCaller,
        check_script,
        take_keys,
    )
    from .clock import Clock, RealClock, VirtualClock
    from .events import (
        Amd,
        CallerHangup,
        Dial,
        Dtmf,
        Ended,
        Error,
        Event,
        Fetched,
        GatherDone,
        GatherStarted,
        Hangup,
        LeftProject,
        Override,
        Pause,
        Play,
        PreAnswer,
        Record,
        Redirected,
        Rejected,
        Say,
        SessionRecorded,
        SmsSent,
        Started,
        StatusCallback,
        Stored,
        StreamNote,
        StreamStarted,
        StreamStopped,
    )
    from .http_source import HttpSource
    from .interpreter import MAX_DOCUMENTS, MAX_VERBS, Interpreter
    from .project_source import ProjectSource
    from .sources import Answer, DocumentSource, FetchError
    from .streams import Streamer, StreamHandle, StreamSpec, WebSocketStreamer

_NAMES = {  # what each module of this package gives
    "call": ("CallInfo", "normalise_number"),
    "caller": (
        "AmdOutcome",
        "Caller",
        "check_script",
        "DialOutcome",
        "RecordOutcome",
        "ScriptedCaller",
        "take_keys",
    ),
    "clock": ("Clock", "RealClock", "VirtualClock"),
    "events": (
        "Amd",
        "CallerHangup",
        "Dial",
        "Dtmf",
        "Ended",
        "Error",
        "Event",
        "Fetched",
        "GatherDone",
        "GatherStarted",
        "Hangup",
        "LeftProject",
        "Override",
        "Pause",
        "Play",
        "PreAnswer",
        "Record",
        "Redirected",
        "Rejected",
        "Say",
        "SessionRecorded",
        "SmsSent",
        "Started",
        "StatusCallback",
        "Stored",
        "StreamNote",
        "StreamStarted",
        "StreamStopped",
    ),
    "http_source": ("HttpSource",),
    "interpreter": ("Interpreter", "MAX_DOCUMENTS", "MAX_VERBS"),
    "project_source": ("ProjectSource",),
    "sources": ("Answer", "DocumentSource", "FetchError"),
    "streams": ("Streamer", "StreamHandle", "StreamSpec", "WebSocketStreamer"),
}
_MODULES = {name: module for module, names in _NAMES.items() for name in names}

__all__ = [
    "MAX_DOCUMENTS",
    "MAX_VERBS",
    "Amd",
    "AmdOutcome",
    "Answer",
    "CallInfo",
    "Caller",
    "CallerHangup",
    "Clock",
    "Dial",
    "DialOutcome",
    "DocumentSource",
    "Dtmf",
    "Ended",
    "Error",
    "Event",
    "FetchError",
    "Fetched",
    "GatherDone",
    "GatherStarted",
    "Hangup",
    "HttpSource",
    "Interpreter",
    "LeftProject",
    "Override",
    "Pause",
    "Play",
    "PreAnswer",
    "ProjectSource",
    "RealClock",
    "Record",
    "RecordOutcome",
    "Redirected",
    "Rejected",
    "Say",
    "ScriptedCaller",
    "SessionRecorded",
    "SmsSent",
    "Started",
    "StatusCallback",
    "Stored",
    "StreamHandle",
    "StreamNote",
    "StreamSpec",
    "StreamStarted",
    "StreamStopped",
    "Streamer",
    "VirtualClock",
    "WebSocketStreamer",
    "check_script",
    "normalise_number",
    "take_keys",
]


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
