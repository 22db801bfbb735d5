"""The flow server: serves a project's flows to CarrierX over HTTP, on its own thread."""

from ..http_guard import MAX_BODY
from .records import RequestRecord
from .replay import answer, diff_lines
from .routes import Answer, route
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
