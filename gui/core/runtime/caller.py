"""The person on the line: keys for each Gather, and what Dial, Record and Amd turn out to be.

`ScriptedCaller` plays a `--digits` script such as ``1#w2``: each Gather takes keys up to
its numDigits or finishOnKey, and a ``w`` lets that Gather time out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: a script check need not load the events
    from .events import GatherStarted

SCRIPT_KEYS = "0123456789*#"
TIMEOUT_MARK = "w"
_SCRIPT = re.compile(r"[0-9*#w]*\Z")


@dataclass(frozen=True)
class DialOutcome:
    """How a Dial ends: `status` uses CarrierX's CallStatus words (completed, busy, noanswer,
    failed); `duration` is the seconds talked, or rung when nobody answered."""

    status: str = "completed"
    duration: int = 10


@dataclass(frozen=True)
class RecordOutcome:
    """What a Record got: `duration` 0 means nothing was recorded (the action is not
    requested then). The URL and file SID are made up when not given."""

    duration: int = 5
    url: str | None = None
    file_sid: str | None = None


@dataclass(frozen=True)
class AmdOutcome:
    """The answering-machine detection result: HUMAN, MACHINE, NOTSURE or HANGUP.
    The cause follows Asterisk's AMDCAUSE words (CarrierX documents none) [assumed]."""

    status: str = "HUMAN"
    cause: str = "HUMAN-800-800"


class Caller(Protocol):
    """What the interpreter asks of the person on the line."""

    async def next_digits(self, gather: GatherStarted) -> str | None:
        """The keys pressed for this Gather (the interpreter applies its rules to them).
        "" means the caller deliberately lets the Gather time out; None means the caller
        has nothing more to enter (also a timeout, and a loop that meets only None ends
        the call with an error). The interpreter lets the timeout pass on its clock."""

    async def dial_outcome(self, numbers: tuple[str, ...]) -> DialOutcome: ...

    async def record_outcome(self, max_length: int) -> RecordOutcome: ...

    async def amd_outcome(self) -> AmdOutcome: ...


@dataclass(frozen=True)
class Keys:
    """What a Gather made of the keys pressed."""

    digits: str  # the accepted digits, finish key excluded
    finish_key: str | None  # the finish key when one ended the input
    used: int  # how many of the keys pressed the Gather took
    complete: bool  # ended by the finish key or numDigits; else it timed out


def take_keys(
    pressed: str, num_digits: int | None, finish_on_key: str | None, valid_digits: str | None
) -> Keys:
    """Apply a Gather's rules to keys pressed in order: the finish key ends the input (and is
    not a digit), keys outside validDigits are ignored, numDigits digits end it too."""
    digits = []
    for used, key in enumerate(pressed, start=1):
        if finish_on_key is not None and key == finish_on_key:
            return Keys("".join(digits), key, used, True)
        if valid_digits is not None and key not in valid_digits:
            continue
        digits.append(key)
        if num_digits is not None and len(digits) >= num_digits:
            return Keys("".join(digits), None, used, True)
    return Keys("".join(digits), None, len(pressed), False)


def check_script(script: str) -> str:
    """Return a `--digits` script, or raise ValueError naming the first wrong character."""
    if _SCRIPT.match(script) is None:
        bad = next(c for c in script if c not in SCRIPT_KEYS + TIMEOUT_MARK)
        raise ValueError(
            f"{bad!r} in {script!r} is not a key: use 0-9, * and #, and w to let a gather time out"
        )
    return script


class ScriptedCaller:
    """A caller that follows a script of keys, and fixed outcomes for Dial, Record and Amd."""

    def __init__(
        self,
        digits: str = "",
        *,
        dial: DialOutcome | None = None,
        record: RecordOutcome | None = None,
        amd: AmdOutcome | None = None,
    ) -> None:
        self.script = check_script(digits)
        self.position = 0
        self.dial = dial or DialOutcome()
        self.record = record or RecordOutcome()
        self.amd = amd or AmdOutcome()

    @property
    def remaining(self) -> str:
        return self.script[self.position :]

    async def next_digits(self, gather: GatherStarted) -> str | None:
        rest = self.remaining
        if not rest:
            return None
        if rest[0] == TIMEOUT_MARK:
            self.position += 1
            return ""
        end = rest.find(TIMEOUT_MARK)
        keys = rest if end < 0 else rest[:end]
        taken = take_keys(keys, gather.num_digits, gather.finish_on_key, gather.valid_digits)
        self.position += taken.used
        if not taken.complete and self.remaining.startswith(TIMEOUT_MARK):
            self.position += 1  # this w is the timeout that ends the keys before it
        return keys[: taken.used]

    async def dial_outcome(self, numbers: tuple[str, ...]) -> DialOutcome:
        return self.dial

    async def record_outcome(self, max_length: int) -> RecordOutcome:
        return self.record

    async def amd_outcome(self) -> AmdOutcome:
        return self.amd
