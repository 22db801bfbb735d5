"""How a logged call learns how it ended: the rules, in one place, without Qt.

CarrierX sends a status callback at the end of a call, to the Call's `status_callback_url`,
with the request fields plus `CallDuration` (FLEXML.md §3). The sandbox also says so itself,
in the call's last event (`Ended`), whether or not the call had a status callback. Either
moves the call log's entry of that call from placed or scheduled to how it ended (its
`final_outcome`), with the duration. Only status callbacks are for it: the requests made
during a call carry CallStatus "completed" too (FLEXML.md §7), and their CallSid, like the
callback's, is 32 hex digits where the log has the API's dashed call_sid (`find_call`
takes either). The first final status wins: a late or repeated one
does not change an entry that already ended, but it does correct one marked unknown.

A quick call can end before its entry is written (the dial pad logs it once POST /calls has
answered, and the sandbox runs the call meanwhile): a final status for a call the log does
not have is kept for EARLY_SECONDS and applied by `retry` once the entry is there. One that
never gets an entry (a call placed by someone else) is forgotten then.

A call that never hears of its end (the callback's URL was not reachable, or there was
none) would stay "placed" for ever. So every placed or scheduled entry has a deadline: the
time it was placed, plus its delay, its ring timeout and a longest call (ours:
MAX_CALL_SECONDS, CarrierX documents no limit). Past it, `expire` marks the entry unknown
and says why. Entries left placed by an earlier run are expired at the next start.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .calllog import (
    AWAITING_STATUS,
    FINAL_STATUS,
    PENDING,
    CallEntry,
    CallLog,
    Outcome,
    sid_forms,
)

# The longest a call may last before we stop waiting for its status. Ours, not CarrierX's:
# CarrierX documents no maximum call length, and a call longer than this is rare enough
# that "no status" after it means the status callback is not coming.
MAX_CALL_SECONDS = 4 * 3600
DEFAULT_RING_TIMEOUT = 30  # seconds: the Call object's `timeout` when it has none (§4)
EARLY_SECONDS = 60.0  # how long a final status waits for its call's entry to be written
EARLY_AT_MOST = 100  # final statuses kept waiting at once (the oldest go first)

STATUS_CALLBACK = "status callback"  # where a final status came from (FINAL_STATUS source)
SANDBOX = "sandbox"

# CallStatus values (FLEXML.md §3: busy, cancel, completed, failed, noanswer; CarrierX's own
# code also writes no-answer) and the spellings of cancelled met elsewhere.
_FINAL = {
    "completed": Outcome.COMPLETED,
    "busy": Outcome.BUSY,
    "noanswer": Outcome.NO_ANSWER,
    "no-answer": Outcome.NO_ANSWER,
    "failed": Outcome.FAILED,
    "cancel": Outcome.CANCELLED,
    "canceled": Outcome.CANCELLED,
    "cancelled": Outcome.CANCELLED,
}


def final_outcome(call_status: object) -> str | None:
    """The call log outcome of a final CallStatus ("noanswer" -> "no-answer"), or None for
    a status that is not final (in-progress, ringing) or not a status at all."""
    if not isinstance(call_status, str):
        return None
    outcome = _FINAL.get(call_status.strip().lower())
    return None if outcome is None else outcome.value


def call_duration(value: object) -> int | None:
    """CallDuration as whole seconds: "65" and 65 give 65; missing, "", negative or
    anything that is not a number gives None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return round(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    return None


def duration_text(seconds: int | None) -> str:
    """A call's length for people: "45 s", "1 min 05 s", "1 h 02 min 05 s"; "" if unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def limit_text(seconds: float) -> str:
    """A time limit for people, rounded up: "40 s", "3 min 20 s", "4 h 1 min"."""
    whole = math.ceil(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        minutes, secs = divmod(whole, 60)
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(math.ceil(whole / 60), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class CallStatusTracker:
    """Applies final statuses and deadlines to a call log (see the module docstring).

    Every method returns the entries it changed; the log announces each change itself
    (`CallLog.changed`), so whoever shows the log follows. Log errors (CallLogError) are
    the caller's to report."""

    def __init__(
        self,
        log: CallLog,
        *,
        max_call_seconds: float = MAX_CALL_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.log = log
        self.max_call_seconds = max_call_seconds  # read at every `expire`: tests shorten it
        self._clock = clock or (lambda: datetime.now(UTC))
        # Final statuses of calls not in the log yet, by SID: (when heard, _end's arguments).
        self._early: OrderedDict[str, tuple[datetime, tuple[Any, ...]]] = OrderedDict()

    def status_callback(
        self, fields: Mapping[str, Any], error: str | None = None
    ) -> CallEntry | None:
        """Apply one status callback's fields (CallSid, CallStatus, CallDuration); returns
        the entry changed, or None (no such call, not a final status, already ended).
        `error`: why the call failed, when that is known otherwise (the sandbox says it)."""
        call_sid = fields.get("CallSid")
        if not isinstance(call_sid, str) or not call_sid.strip():
            return None
        return self._end(
            call_sid,
            fields.get("CallStatus"),
            call_duration(fields.get("CallDuration")),
            STATUS_CALLBACK,
            error,
        )

    def call_ended(
        self, call_sid: str, call_status: str, duration: int | None, error: str | None = None
    ) -> CallEntry | None:
        """Apply a sandbox call's end (its Ended event; `error` the message of the Error that
        stopped it, if one did); returns the entry changed or None, as `status_callback`."""
        return self._end(call_sid, call_status, call_duration(duration), SANDBOX, error)

    def _end(
        self,
        call_sid: str,
        call_status: object,
        duration: int | None,
        source: str,
        error: str | None = None,
    ) -> CallEntry | None:
        outcome = final_outcome(call_status)
        if outcome is None:
            return None
        entry = self.log.find_call(call_sid)
        if entry is None:
            self._keep_early(call_sid, (call_sid, call_status, duration, source, error))
            return None
        return self._apply(entry, outcome, call_status, duration, source, error)

    def _apply(
        self,
        entry: CallEntry,
        outcome: str,
        call_status: object,
        duration: int | None,
        source: str,
        error: str | None,
    ) -> CallEntry | None:
        if entry.outcome not in AWAITING_STATUS:
            return None
        final = {
            "call_status": call_status,
            "duration": duration,
            "source": source,
            "received": self._clock().astimezone(UTC).isoformat(timespec="microseconds"),
        }
        if outcome == Outcome.FAILED and not error:
            error = f"The call failed ({source}: CallStatus {call_status})"
        elif outcome != Outcome.FAILED:
            error = None  # an "unknown" corrected: its complaint no longer holds
        details = {**entry.details, FINAL_STATUS: final}
        return self.log.update(entry.id, outcome=outcome, error=error, details=details)

    # -- ends heard before their call was logged -------------------------------------------------

    def _keep_early(self, call_sid: str, arguments: tuple[Any, ...]) -> None:
        key = sid_forms(call_sid)[0]
        if key and key not in self._early:  # the first word of an end is the one kept
            self._early[key] = (self._clock(), arguments)
            while len(self._early) > EARLY_AT_MOST:
                self._early.popitem(last=False)

    def waiting(self) -> int:
        """How many final statuses wait for their call's entry."""
        return len(self._early)

    def retry(self, *, look: bool = True) -> list[CallEntry]:
        """Apply the final statuses that came before their call's entry, now that it may be
        there; forget those older than EARLY_SECONDS. Returns the entries changed. `look`
        False only forgets: the log is searched only when an entry was added since (a
        search per waiting status on every drain would scan a large log again and again)."""
        if not self._early:
            return []
        now = self._clock()
        changed = []
        for key, (heard, arguments) in list(self._early.items()):
            if (now - heard).total_seconds() > EARLY_SECONDS:
                del self._early[key]
                continue
            if not look:
                continue
            call_sid, call_status, duration, source, error = arguments
            entry = self.log.find_call(call_sid)
            if entry is None:
                continue
            del self._early[key]
            outcome = final_outcome(call_status)
            assert outcome is not None  # only final statuses are kept
            ended = self._apply(entry, outcome, call_status, duration, source, error)
            if ended is not None:
                changed.append(ended)
        return changed

    # -- the time limit ---------------------------------------------------------------------

    def limit(self, entry: CallEntry) -> float:
        """Seconds after it was placed that an entry waits for its final status: its delay,
        its ring timeout and the longest call."""
        delay = _seconds(entry.details.get("delay"), 0)
        ring = _seconds(entry.details.get("timeout"), DEFAULT_RING_TIMEOUT)
        return delay + ring + self.max_call_seconds

    def deadline(self, entry: CallEntry) -> datetime:
        """When an entry that heard nothing of its end becomes unknown."""
        return entry.when + timedelta(seconds=self.limit(entry))

    def expire(self, now: datetime | None = None) -> list[CallEntry]:
        """Mark unknown every placed or scheduled entry past its deadline (at `now`, else
        the clock's time); returns them."""
        now = now or self._clock()
        changed = []
        for outcome in sorted(PENDING):
            for entry in self.log.entries(outcome=outcome):
                if self._overdue(entry, now):
                    changed.append(
                        self.log.update(
                            entry.id, outcome=Outcome.UNKNOWN, error=self.expired_text(entry)
                        )
                    )
        return changed

    def _overdue(self, entry: CallEntry, now: datetime) -> bool:
        try:
            return self.deadline(entry) <= now
        except (ValueError, OverflowError):  # a time that is not ours to read: leave it
            return False

    def expired_text(self, entry: CallEntry) -> str:
        """Why an entry is unknown, for people."""
        within = f"No final status arrived within {limit_text(self.limit(entry))}"
        url = entry.details.get("status_callback_url")
        if url and not _to_flow_server(str(url)):
            return (
                f"{within} (its status callback went to {url}, a server of your own: FlexML "
                "Studio hears only those sent to its flow server's /status)"
            )
        if url:
            return f"{within} (the status callback never came: was its URL reachable?)"
        return (
            f"{within} (the call had no status callback URL of its own, so no status "
            "could come here)"
        )


def _to_flow_server(url: str) -> bool:
    """Whether a status callback URL is a flow server's /status (gui.core.server.routes'
    STATUS_PATH, named here without importing the server and aiohttp with it)."""
    from urllib.parse import urlsplit

    return urlsplit(url).path.rstrip("/").endswith("/status")


def _seconds(value: object, default: float) -> float:
    """A delay or timeout of the Call object, in seconds (the default when unreadable)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return float(value.strip())
    return default
