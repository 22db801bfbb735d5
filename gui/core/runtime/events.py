"""What happens on a simulated call: one small immutable event per step.

Each event keeps the tree node that caused it (not compared, so tests compare what happened,
not where), so a window can highlight the verb being run, and the call time it happened at.
`to_json()` is the CLI's JSON line; `describe()` its text line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from ..flexml import Node

STORAGE_PREFIX = "Storage_"  # of the fields that carry what <Store> kept
# The fields every request carries (see call.py); the others are a verb's results.
BASE_FIELDS = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "CallSid",
        "CallerName",
        "CallStatus",
        "Direction",
        "ForwardedFrom",
        "From",
        "To",
        "OriginalFrom",
        "OriginalTo",
        "RequestUrl",
    }
)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event: the node that caused it, and when (call seconds)."""

    kind: ClassVar[str] = "event"
    node: Node | None = field(default=None, compare=False, repr=False)
    at: float = field(default=0.0, compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"event": self.kind, "at": round(self.at, 3)}
        for item in fields(self):
            if item.name in ("node", "at"):
                continue
            value = getattr(self, item.name)
            data[item.name] = list(value) if isinstance(value, tuple) else value
        if self.node is not None:
            data["node"] = {"tag": self.node.tag, "path": self.node.path(), "line": self.node.line}
        return data

    def describe(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Started(Event):
    kind: ClassVar[str] = "started"
    call_sid: str
    from_number: str
    to_number: str
    direction: str
    url: str
    method: str

    def describe(self) -> str:
        return (
            f"call {self.call_sid} from {self.from_number} to {self.to_number} "
            f"({self.direction}): {self.method} {self.url}"
        )


@dataclass(frozen=True)
class Fetched(Event):
    """A FlexML document was requested; `params` is everything that was sent."""

    kind: ClassVar[str] = "fetched"
    url: str
    method: str
    status: int
    params: dict[str, str | None] = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        # The verb's results first, then what Store kept (Storage_...), in the order sent.
        extra = [key for key in self.params if key not in BASE_FIELDS]
        extra.sort(key=lambda key: key.startswith(STORAGE_PREFIX))
        results = " ".join(f"{key}={_shown(key, self.params[key])}" for key in extra)
        return f"{self.method} {self.url} -> {self.status}" + (f" ({results})" if results else "")


def _shown(key: str, value: str | None) -> str:
    """A field's value on a transcript line: stored data (up to 128 KB) cut short."""
    if value is None:
        return "null"
    return quoted(value) if key.startswith(STORAGE_PREFIX) else value


@dataclass(frozen=True)
class SwitchTaken(Event):
    """A switch of the project chose where the request goes: the parameter and value it
    looked at (None when absent), the case that matched (its label, or "otherwise") and
    the flow or switch it went to. Follows the Fetched event of the request."""

    kind: ClassVar[str] = "switch_taken"
    switch: str
    parameter: str
    value: str | None
    label: str
    goto: str

    def describe(self) -> str:
        if not self.parameter:
            looked = "no parameter"
        elif self.value in (None, ""):
            looked = f"no {self.parameter}"
        else:
            looked = f"{self.parameter}={self.value}"
        case = "otherwise" if self.label == "otherwise" else f"case {self.label!r}"
        return f"switch {self.switch}: {looked} -> {case} -> {self.goto}"


@dataclass(frozen=True)
class Say(Event):
    kind: ClassVar[str] = "say"
    text: str
    voice: str
    loop: int
    language: str | None = None

    def describe(self) -> str:
        extra = [f"voice {self.voice}"]
        if self.loop != 1:
            extra.append("until hang-up" if self.loop == 0 else f"{self.loop} times")
        if self.language:
            extra.append(self.language)
        return f"say {self.text!r} ({', '.join(extra)})"


@dataclass(frozen=True)
class Play(Event):
    kind: ClassVar[str] = "play"
    url: str | None
    files: tuple[str, ...] = ()
    digits: str | None = None
    loop: int = 1
    background: bool = False

    def describe(self) -> str:
        if self.digits:
            what = f"tones {self.digits}"
        else:
            what = " ".join(filter(None, [self.url, *(f"file {f}" for f in self.files)]))
        extra = []
        if self.loop != 1:
            extra.append("until hang-up" if self.loop == 0 else f"{self.loop} times")
        if self.background:
            extra.append("in the background")
        return f"play {what}" + (f" ({', '.join(extra)})" if extra else "")


@dataclass(frozen=True)
class Pause(Event):
    """A Pause (or Wait) of `seconds`; `ended_after` when silence detection ended it sooner
    (a simulated caller is silent), `noise` when it listened for noise (it hears none)."""

    kind: ClassVar[str] = "pause"
    seconds: int
    ended_after: float | None = None
    noise: bool = False

    @property
    def lasts(self) -> float:
        """How long the call is paused."""
        return self.seconds if self.ended_after is None else self.ended_after

    def describe(self) -> str:
        if self.ended_after is not None:
            return f"pause {self.seconds} s, ended after {self.ended_after:.1f} s of silence"
        if self.noise:
            return f"pause {self.seconds} s (listening for noise: a simulated caller makes none)"
        return f"pause {self.seconds} s"


@dataclass(frozen=True)
class Dtmf(Event):
    kind: ClassVar[str] = "dtmf"
    digits: str

    def describe(self) -> str:
        return f"send tones {self.digits}"


@dataclass(frozen=True)
class PreAnswer(Event):
    kind: ClassVar[str] = "pre_answer"
    ringing: bool

    def describe(self) -> str:
        return "early media before answering" + (" (ringing)" if self.ringing else "")


@dataclass(frozen=True)
class GatherStarted(Event):
    """A Gather waits for keys; this is what the caller object is asked with."""

    kind: ClassVar[str] = "gather_started"
    num_digits: int | None
    finish_on_key: str | None
    timeout: int
    valid_digits: str | None = None
    action: str | None = None

    def describe(self) -> str:
        rules = [f"numDigits {self.num_digits}" if self.num_digits else "any number of keys"]
        rules.append(f"finishOnKey {self.finish_on_key}" if self.finish_on_key else "no finish key")
        if self.valid_digits:
            rules.append(f"validDigits {self.valid_digits}")
        rules.append(f"timeout {self.timeout} s")
        target = f" -> {self.action}" if self.action else " (no action)"
        return f"gather: {', '.join(rules)}{target}"


@dataclass(frozen=True)
class GatherDone(Event):
    kind: ClassVar[str] = "gather_done"
    digits: str
    finish_key: str | None
    timed_out: bool

    def describe(self) -> str:
        if not self.digits and self.finish_key is None:
            return "no input: the gather timed out"
        pressed = f"caller entered {self.digits!r}" if self.digits else "caller entered nothing"
        if self.finish_key is not None:
            return f"{pressed}, then {self.finish_key}"
        return pressed + (" (then the gather timed out)" if self.timed_out else "")


@dataclass(frozen=True)
class Dial(Event):
    kind: ClassVar[str] = "dial"
    numbers: tuple[str, ...]
    status: str
    duration: int

    def describe(self) -> str:
        return f"dial {', '.join(self.numbers)}: {self.status}, {self.duration} s"


@dataclass(frozen=True)
class Record(Event):
    """A Record; with `session` (recordSession) it records the whole call in the background:
    its length is known at the end of the call (SessionRecorded)."""

    kind: ClassVar[str] = "record"
    duration: int
    url: str | None = None
    file_sid: str | None = None
    session: bool = False
    unused: tuple[str, ...] = ()  # a session recording's attributes that are not used

    def describe(self) -> str:
        if self.session:
            line = f"record the whole call in the background -> {self.url}"
            if self.unused:
                line += f" ({', '.join(self.unused)} not used: it ends with the call)"
            return line
        if not self.duration:
            return "record: nothing was recorded"
        return f"record: {self.duration} s -> {self.url}"


@dataclass(frozen=True)
class SessionRecorded(Event):
    """The end of a session recording (Record recordSession) with the end of the call."""

    kind: ClassVar[str] = "session_recorded"
    duration: int
    url: str | None = None
    file_sid: str | None = None

    def describe(self) -> str:
        return f"the session recording ended after {self.duration} s -> {self.url}"


# Data longer than this is cut short in a transcript line (the event keeps all of it).
SHOWN_DATA_CHARS = 60


@dataclass(frozen=True)
class Stored(Event):
    """A Store kept `data` under `name`: every later request carries Storage_{name}."""

    kind: ClassVar[str] = "stored"
    name: str
    data: str

    def describe(self) -> str:
        return f"store {self.name} = {quoted(self.data)}"


def quoted(data: str, limit: int = SHOWN_DATA_CHARS) -> str:
    """`data` in double quotes on one line, cut short (with its length) past `limit`."""
    if len(data) <= limit:
        return json.dumps(data, ensure_ascii=False)
    shown = json.dumps(data[: limit - 1] + "\u2026", ensure_ascii=False)
    return f"{shown} ({len(data):,} characters)"


@dataclass(frozen=True)
class StreamStarted(Event):
    """A media stream started: <Start> (it runs in the background) or, `bidirectional`,
    <Connect> (the flow waits until the socket closes). `url` is the ws:// or wss:// URL
    (resolved when it was relative), `track` the track or audio_track asked for (None when
    none was), `parameters` the Stream's <Parameter> names and values."""

    kind: ClassVar[str] = "stream_started"
    name: str
    url: str
    track: str | None
    parameters: dict[str, str] = field(hash=False)
    bidirectional: bool = False

    def describe(self) -> str:
        extra = [f"track {self.track}"] if self.track else []
        extra += [f"{key}={value}" for key, value in self.parameters.items()]
        details = f" ({', '.join(extra)})" if extra else ""
        if self.bidirectional:
            return (
                f"connect stream {_named(self.name)} <-> {self.url}{details}: bidirectional, "
                "the flow waits until the socket closes"
            )
        return f"start stream {_named(self.name)} -> {self.url}{details}"


@dataclass(frozen=True)
class StreamStopped(Event):
    """A media stream stopped: by <Stop>, by its server closing the socket, or with the
    call's end."""

    kind: ClassVar[str] = "stream_stopped"
    name: str
    reason: str
    url: str = ""  # what tells an unnamed stream apart

    def describe(self) -> str:
        return f"stream {_named(self.name, self.url)} stopped: {self.reason}"


@dataclass(frozen=True)
class StreamNote(Event):
    """What became of a stream's socket, or of a Stop or Start that did nothing; a note,
    not an error (the flow goes on, as on CarrierX). `state` is one of STREAM_STATES."""

    kind: ClassVar[str] = "stream_note"
    name: str
    state: str
    text: str
    url: str = ""  # what tells an unnamed stream apart (empty when the text says it)

    def describe(self) -> str:
        return f"stream {_named(self.name, self.url)}: {self.text}"


def _named(name: str, url: str = "") -> str:
    """A stream as a transcript line names it: by its name, else by its URL."""
    return name or (f"to {url}" if url else "(no name)")


# StreamNote.state: no socket in this run; connected; could not connect; a Stop named a
# stream that is not running; a Start that was not carried out (a limit, a name in use).
STREAM_STATES = ("not_connected", "connected", "failed", "not_running", "refused")


@dataclass(frozen=True)
class SmsSent(Event):
    """An Sms verb: the message and its numbers. Nothing is sent from the simulator or the
    sandbox."""

    kind: ClassVar[str] = "sms"
    to_number: str
    from_number: str
    text: str

    def describe(self) -> str:
        return (
            f"sms to {self.to_number} from {self.from_number}: {quoted(self.text, 80)}; "
            "SMS not sent (simulated)"
        )


@dataclass(frozen=True)
class Amd(Event):
    kind: ClassVar[str] = "amd"
    status: str
    cause: str

    def describe(self) -> str:
        return f"answering-machine detection: {self.status} ({self.cause})"


@dataclass(frozen=True)
class Redirected(Event):
    kind: ClassVar[str] = "redirected"
    url: str
    method: str

    def describe(self) -> str:
        return f"redirect to {self.method} {self.url}"


@dataclass(frozen=True)
class Override(Event):
    kind: ClassVar[str] = "override"
    status_callback_url: str | None
    status_callback_method: str

    def describe(self) -> str:
        url = self.status_callback_url or "(unchanged)"
        return f"override: status callback {self.status_callback_method} {url}"


@dataclass(frozen=True)
class Hangup(Event):
    kind: ClassVar[str] = "hangup"

    def describe(self) -> str:
        return "hang up"


@dataclass(frozen=True)
class Rejected(Event):
    kind: ClassVar[str] = "rejected"
    reason: str

    def describe(self) -> str:
        return f"reject the call ({self.reason})"


@dataclass(frozen=True)
class CallerHangup(Event):
    """The caller ends the call (e.g. while a message repeats until hang-up)."""

    kind: ClassVar[str] = "caller_hangup"
    reason: str

    def describe(self) -> str:
        return f"the caller hangs up: {self.reason}"


@dataclass(frozen=True)
class StatusCallback(Event):
    """The end-of-call request; `http_status` is None when it was not sent or failed."""

    kind: ClassVar[str] = "status_callback"
    url: str
    method: str
    status: str
    duration: int
    http_status: int | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.error:
            answer = f"failed: {self.error}"
        elif self.http_status is None:
            answer = "not sent (outside the project)"
        else:
            answer = f"-> {self.http_status}"
        return (
            f"status callback {self.method} {self.url} "
            f"(CallStatus={self.status}, CallDuration={self.duration}) {answer}"
        )


@dataclass(frozen=True)
class LeftProject(Event):
    """The call went to a URL outside the project that this run does not follow: on
    CarrierX it would go on there. An outcome of its own, not an error."""

    kind: ClassVar[str] = "left_project"
    url: str
    method: str
    reason: str

    def describe(self) -> str:
        return f"left the project at {self.method} {self.url}: {self.reason}"


@dataclass(frozen=True)
class Error(Event):
    """Something stopped the call; where CarrierX would play its error message."""

    kind: ClassVar[str] = "error"
    message: str

    def describe(self) -> str:
        return f"error: {self.message}"


@dataclass(frozen=True)
class Ended(Event):
    """Always the last event of a call."""

    kind: ClassVar[str] = "ended"
    call_status: str
    duration: int

    def describe(self) -> str:
        return f"call ended: {self.call_status}, {self.duration} s"
