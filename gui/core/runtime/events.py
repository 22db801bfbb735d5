"""What happens on a simulated call: one small immutable event per step.

Each event keeps the tree node that caused it (not compared, so tests compare what happened,
not where), so a window can highlight the verb being run, and the call time it happened at.
`to_json()` is the CLI's JSON line; `describe()` its text line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from ..flexml import Node

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
        results = " ".join(
            f"{key}={'null' if value is None else value}"
            for key, value in self.params.items()
            if key not in BASE_FIELDS
        )
        return f"{self.method} {self.url} -> {self.status}" + (f" ({results})" if results else "")


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
    kind: ClassVar[str] = "pause"
    seconds: int

    def describe(self) -> str:
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
    kind: ClassVar[str] = "record"
    duration: int
    url: str | None = None
    file_sid: str | None = None

    def describe(self) -> str:
        if not self.duration:
            return "record: nothing was recorded"
        return f"record: {self.duration} s -> {self.url}"


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
