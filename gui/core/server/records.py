"""One served request, as the request log and its listeners see it, and how much of it is kept.

A record is kept in the server's log (1,000 records), in the window's history (5,000) and in
the queue of `serve --json`, so what it keeps of a request is bounded, whatever was sent: at
most RECORD_FIELDS fields, RECORD_VALUE characters in a value, RECORD_TEXT characters in
all its names and values, and RECORD_PATH characters of path. A request that sent more (a
1 MiB form of 115,000 fields kept 11 MB before) is kept cut to that, and its record says what
was cut. The access token is masked in whatever is kept, wherever the caller put it.
"""

from __future__ import annotations

import math
import time as _clock
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..http_guard import mask_token
from ..switches import MAX_VALUE, Decision

RECORD_FIELDS = 64  # fields kept of one request (CarrierX sends about 20)
RECORD_VALUE = 1024  # characters kept of one value (more than MAX_VALUE: a cut one never matches)
RECORD_TEXT = 4096  # characters kept of one request's field names and values together
RECORD_PATH = 1024  # characters kept of a path
_SMALL_INT = 2**63  # a whole number below this is kept as it is; a longer one counts its digits
_ITEM = 16  # what one kept number, null or nesting counts for, in characters
_SCALARS = (type(None), bool, float)  # kept as they are, as is a whole number under _SMALL_INT
_join = "".join


@dataclass(frozen=True)
class RequestRecord:
    """A request the flow server answered.

    `path` is the route without the `/t/TOKEN` prefix, and `params` holds every parsed field
    (query string, then the JSON or form body on top: CallSid, From, To, Digits, CallStatus,
    ...) except the access token (taken out where it is accepted, masked as *** wherever
    else the caller put it), so records can be shown and saved without leaking it.
    JSON values keep their JSON types (FinishKey may be null). `size` is the number of body
    bytes sent (0 for HEAD); `latency_ms` is the time spent in the server's handler.
    `body` is exactly what was sent: for a flow, the snapshot's own bytes object (not a
    copy, so a record costs no memory of its own); for an error, its plain text (the token
    masked, should it say back a path that held it); b"" for HEAD and for status callbacks.
    It is left out of `as_dict`, of repr and of comparisons.
    `decisions` says what each switch on the way chose (which switch, the parameter and
    value it looked at, the case's label and where it went), in order; empty for a flow.
    At most one per switch, and the values are the params' own strings (no copies), cut
    after MAX_VALUE + 1 characters as the X-FlexML-Switch header says them.
    `cut` says what was not kept of a request past the limits above ("" when all was), e.g.
    "kept 64 of 115,000 fields; 3 values shortened". The flow server makes its records with
    `keep_record`, which applies the limits and masks the token.
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
    cut: str = ""

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
            "time": local_time(self.time),
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
        if self.cut:  # only when something was cut: other records keep their shape
            data["cut"] = self.cut
        return data


_new = object.__new__


def within_limits(
    time: float,
    method: str,
    path: str,
    params: dict[str, Any],
    status: int,
    size: int,
    latency_ms: float,
    body: bytes = b"",
    decisions: tuple[Decision, ...] = (),
) -> RequestRecord:
    """The record of a request that `fits` as sent, with no token to mask: the same
    record as RequestRecord(...) makes, without the frozen dataclass's __init__, which
    sets each field through object.__setattr__ and took twice as long (about 2 µs more
    of a request's 200 on the benchmark)."""
    record = _new(RequestRecord)
    record.__dict__.update(
        time=time,
        method=method,
        path=path,
        params=params,
        status=status,
        size=size,
        latency_ms=latency_ms,
        body=body,
        decisions=decisions,
        cut="",
    )
    return record


# A second: its local time and offset, in the time zone it was worked out in.
_second: tuple[float, str, str, tuple[str, str]] = (math.nan, "", "", ("", ""))


def local_time(at: float) -> str:
    """`at` (seconds since the epoch) as local ISO 8601 with milliseconds and the offset,
    exactly as datetime.fromtimestamp(at).astimezone().isoformat("T", "milliseconds").

    The date, time and offset of the second are computed once a second (finding the
    offset was most of a request's JSON line); the microseconds are rounded as
    fromtimestamp rounds them (half to even, carried into the next second)."""
    global _second
    fraction, whole = math.modf(at)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole += 1.0
        micro -= 1_000_000
    elif micro < 0:
        whole -= 1.0
        micro += 1_000_000
    second = _second  # one read and one assignment: threads may share it
    zone = _clock.tzname  # a new tuple after each time.tzset(): the zone may have changed
    if second[0] != whole or second[3] is not zone:
        text = datetime.fromtimestamp(whole).astimezone().isoformat("T", "seconds")
        second = _second = (whole, text[:19], text[19:], zone)
    return f"{second[1]}.{micro // 1000:03d}{second[2]}"


def keep_record(
    time: float,
    method: str,
    path: str,
    params: dict[str, Any],
    status: int,
    size: int,
    latency_ms: float,
    body: bytes = b"",
    decisions: tuple[Decision, ...] = (),
    token: str | None = None,
) -> RequestRecord:
    """The record of a request, within the limits (module docstring) and with `token`
    masked. A request within them (every CarrierX request) is kept as it is, without a
    copy unless the token is to be masked: one pass over its fields decides it."""
    if len(path) <= RECORD_PATH and fits(params):
        if token is not None:
            path, params, decisions = _mask_within(token, path, params, decisions)
        return within_limits(time, method, path, params, status, size, latency_ms, body, decisions)
    cutter = _Cutter(token)
    path = cutter.path(path)
    kept = cutter.fields(params, decisions)
    decisions = tuple(cutter.decision(d) for d in decisions)
    return RequestRecord(
        time, method, path, kept, status, size, latency_ms, body, decisions, cutter.said()
    )


def fits(params: dict[str, Any]) -> bool:
    """Whether `params` fit the limits as they are, with nothing nested (a request's path
    fits in RECORD_PATH too, then it is kept as sent). One pass, as short as it can be:
    a request's record is made on its path."""
    if len(params) > RECORD_FIELDS:
        return False
    if not params:
        return True
    try:  # text fields only (a CarrierX request): joined in C, quicker than the loop
        return len(_join(params)) + len(_join(params.values())) <= RECORD_TEXT
    except TypeError:  # a value that is not text: weighed field by field
        pass
    text = 0
    for key, value in params.items():
        kind = type(value)
        if kind is str:
            text += len(key) + len(value)
        elif kind in _SCALARS or (kind is int and -_SMALL_INT < value < _SMALL_INT):
            text += len(key) + _ITEM
        else:
            return False  # nested, or a huge number: weighed field by field
    return text <= RECORD_TEXT


def _mask_within(
    token: str, path: str, params: dict[str, Any], decisions: tuple[Decision, ...]
) -> tuple[str, dict[str, Any], tuple[Decision, ...]]:
    """`path`, `params` and `decisions` (within the limits) with the token masked; the
    same objects where it is not in them (a CarrierX request's RequestUrl holds it)."""
    hits = [k for k, v in params.items() if token in k or (type(v) is str and token in v)]
    if hits:
        if any(token in k for k in hits):  # a name holds it: rebuilt, in the same order
            params = _masked(params, token)
        else:
            params = dict(params)
            for key in hits:
                params[key] = mask_token(params[key], token)
    if decisions and any(d.value is not None and token in d.value for d in decisions):
        decisions = tuple(_Cutter(token).decision(d) for d in decisions)
    if token in path:
        path = mask_token(path, token)
    return path, params, decisions


class _Cutter:
    """Keeps what fits of one request, and notes what it cut."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.room = RECORD_TEXT
        self.notes: list[str] = []
        self.shortened = 0

    def path(self, path: str) -> str:
        path = mask_token(path, self.token)
        if len(path) > RECORD_PATH:
            self.notes.append(f"the path cut to {RECORD_PATH} characters")
            path = path[:RECORD_PATH] + "…"
        return path

    def fields(self, params: dict[str, Any], decisions: tuple[Decision, ...]) -> dict[str, Any]:
        # The fields the switches looked at come first: a replay then chooses as they did.
        looked = [d.parameter for d in decisions if d.parameter in params]
        kept: dict[str, Any] = {}
        taken = 0
        for key in dict.fromkeys([*looked, *params]):
            if taken == RECORD_FIELDS:
                break
            name = self.text(key)
            value = self.value(params[key], len(name))
            if value is _FULL:
                break
            kept[name] = value
            taken += 1
        if taken < len(params):
            self.notes.append(f"kept {taken:,} of {len(params):,} fields")
        return kept

    def value(self, value: Any, name: int) -> Any:
        """`value` as kept, taking its room, or _FULL when there is no more room."""
        room = self.room - name
        if isinstance(value, str):
            value = mask_token(value, self.token)
            if len(value) > RECORD_VALUE or len(value) > room:
                keep = min(RECORD_VALUE, room - 1)  # characters, and "…" after them
                if keep < _ITEM:
                    return _FULL
                self.shortened += 1
                value = value[:keep] + "…"
            self.room = room - len(value)
            return value
        if value is None or isinstance(value, bool | float):
            cost = _ITEM
        elif isinstance(value, int):
            cost = _ITEM if -_SMALL_INT < value < _SMALL_INT else value.bit_length() // 3
        else:
            cost = _weight(value, room)
            if self.token is not None and cost <= room:
                value = _masked(value, self.token)
        if cost > room:  # a note instead, if even that fits
            self.shortened += 1
            value = _not_kept(value)
            cost = len(value)
            if cost > room:
                return _FULL
        self.room = room - cost
        return value

    def text(self, text: str) -> str:
        text = mask_token(text, self.token)
        if len(text) > RECORD_VALUE:
            self.shortened += 1
            text = text[:RECORD_VALUE] + "…"
        return text

    def decision(self, decision: Decision) -> Decision:
        value = decision.value
        if value is None:
            return decision
        masked = mask_token(value, self.token)
        if len(masked) > MAX_VALUE + 1:  # as its X-FlexML-Switch header says it
            masked = masked[: MAX_VALUE + 1]
        return decision if masked is value else decision._replace(value=masked)

    def said(self) -> str:
        notes = list(self.notes)
        if self.shortened:
            notes.append(f"{self.shortened:,} value{'s' if self.shortened != 1 else ''} shortened")
        return "; ".join(notes)


_FULL = object()  # no room left for a field


def _not_kept(value: Any) -> str:
    if isinstance(value, dict):
        return f"(not kept: {len(value):,} fields)"
    if isinstance(value, list):
        return f"(not kept: {len(value):,} items)"
    return "(not kept: a number too long)"


def _masked(value: Any, token: str) -> Any:
    """A nested value (JSON: at most MAX_DEPTH levels) with the token masked in its text."""
    if isinstance(value, str):
        return mask_token(value, token)
    if isinstance(value, dict):
        return {mask_token(str(k), token): _masked(v, token) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(item, token) for item in value]
    return value


def _weight(value: Any, room: int) -> int:
    """What a nested value costs to keep, in characters (its text, and _ITEM for each other
    item); counting stops once it is past `room`."""
    cost = 0
    todo = [value]
    while todo and cost <= room:
        item = todo.pop()
        cost += _ITEM
        if isinstance(item, str):
            cost += len(item)
        elif isinstance(item, dict):
            cost += sum(len(k) for k in item if isinstance(k, str))
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return cost
