"""The FlexML runtime: an interpreter that runs a call as CarrierX would, Qt-free.

source = ProjectSource(project)            # or HttpSource("https://example.com/app")
interpreter = Interpreter(source, ScriptedCaller("1#"))
events = await interpreter.run()           # or: async for event in interpreter.stream()
"""

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
