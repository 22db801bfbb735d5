"""One served request, as the request log and its listeners see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    """A request the flow server answered.

    `path` is the route without the `/t/TOKEN` prefix, and `params` holds every parsed field
    (query string, then the JSON or form body on top: CallSid, From, To, Digits, CallStatus,
    ...) except the access token, so records can be shown and saved without leaking it.
    JSON values keep their JSON types (FinishKey may be null). `size` is the number of body
    bytes sent (0 for HEAD); `latency_ms` is the time spent in the server's handler.
    `body` is exactly what was sent: for a flow, the snapshot's own bytes object (not a
    copy, so a record costs no memory of its own); for an error, its plain text; b"" for
    HEAD and for status callbacks. It is left out of `as_dict`, of repr and of comparisons.
    """

    time: float  # seconds since the epoch, as time.time()
    method: str
    path: str
    params: dict[str, Any] = field(hash=False)
    status: int
    size: int
    latency_ms: float
    body: bytes = field(default=b"", repr=False, compare=False)

    @property
    def call_sid(self) -> str | None:
        value = self.params.get("CallSid")
        return value if isinstance(value, str) and value else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the time as local ISO 8601 with milliseconds and offset."""
        return {
            "time": datetime.fromtimestamp(self.time).astimezone().isoformat("T", "milliseconds"),
            "method": self.method,
            "path": self.path,
            "params": self.params,
            "status": self.status,
            "size": self.size,
            "latency_ms": round(self.latency_ms, 3),
        }
