"""The flow server: serves a project's flows to CarrierX over HTTP, on its own thread."""

from .records import RequestRecord
from .routes import MAX_BODY
from .server import FlowServer, ServerError, is_loopback
from .snapshot import Snapshot

__all__ = ["MAX_BODY", "FlowServer", "RequestRecord", "ServerError", "Snapshot", "is_loopback"]
