"""One served request, as the request log and its listeners see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..switches import Decision


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
    `decisions` says what each switch on the way chose (which switch, the parameter and
    value it looked at, the case's label and where it went), in order; empty for a flow.
    At most one per switch, and the values are the params' own strings: no copies.
    """

    time: float  # seconds since the epoch, as time.time()
    method: str
    path: str
    params: dict[str, Any] = field(hash=False)
    status: int
    size: int
    latency_ms: float
    body: bytes = field(default=b"", repr=False, compare=False)
    decisions: tuple[Decision, ...] = ()

    @property
    def call_sid(self) -> str | None:
        value = self.params.get("CallSid")
        return value if isinstance(value, str) and value else None

    @property
    def switch(self) -> str | None:
        """The switch the request was for, or None for a flow (or anything else)."""
        return self.decisions[0].switch if self.decisions else None

    @property
    def chosen_flow(self) -> str | None:
        """The flow whose FlexML a switch answered, or None (no switch, or none chosen)."""
        if not self.decisions or self.status != 200:
            return None
        return self.decisions[-1].goto

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the time as local ISO 8601 with milliseconds and offset; for a
        switch, "switches": one {switch, parameter, value, case, goto} per decision."""
        data = {
            "time": datetime.fromtimestamp(self.time).astimezone().isoformat("T", "milliseconds"),
            "method": self.method,
            "path": self.path,
            "params": self.params,
            "status": self.status,
            "size": self.size,
            "latency_ms": round(self.latency_ms, 3),
        }
        if self.decisions:  # only for switches: other records keep their shape
            data["switches"] = [
                {
                    "switch": d.switch,
                    "parameter": d.parameter,
                    "value": d.value,
                    "case": d.label,
                    "goto": d.goto,
                }
                for d in self.decisions
            ]
        return data
