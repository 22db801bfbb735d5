"""The flow server: serves a project's flows to CarrierX over HTTP, on its own thread."""

from .records import RequestRecord
from .replay import answer, diff_lines
from .routes import MAX_BODY, Answer, route
from .server import FlowServer, ServerError
from .snapshot import Snapshot

__all__ = [
    "MAX_BODY",
    "Answer",
    "FlowServer",
    "RequestRecord",
    "ServerError",
    "Snapshot",
    "answer",
    "diff_lines",
    "route",
]
