"""The rules by which a logged call learns how it ended: which CallStatus values are final,
how a status callback or the sandbox's end moves the entry (once, whatever repeats or comes
late), and when a call that heard nothing becomes unknown, and what it then says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gui.core.call_status import (
    DEFAULT_RING_TIMEOUT,
    EARLY_AT_MOST,
    EARLY_SECONDS,
    MAX_CALL_SECONDS,
    CallStatusTracker,
    call_duration,
    duration_text,
    final_outcome,
    limit_text,
)
from gui.core.calllog import FINAL_STATUS, CallChangeKind, CallEntry, CallLog

T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
SID = "3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678"
HEX_SID = "3F2A9C1E7B444D2E9A0B12CD34EF5678"  # the same SID as CarrierX's requests may write it
CALLBACK = "https://flows.example.com/status"


@pytest.fixture
def log(tmp_path):
    with CallLog(tmp_path / "calls.sqlite3") as log:
        yield log


@pytest.fixture
def tracker(log):
    return CallStatusTracker(log, max_call_seconds=100, clock=lambda: T0)


def _placed(log: CallLog, sid: str | None = SID, outcome: str = "placed", **details) -> CallEntry:
    details.setdefault("status_callback_url", CALLBACK)
    return log.add(
        "work",
        "15555550100",
        "15162065318",
        "https://flows.example.com/",
        "POST",
        call_sid=sid,
        outcome=outcome,
        details={"call_sid": sid, **details},
        time=T0,
    )


def _callback(sid: str = SID, status: object = "completed", duration: object = "65") -> dict:
    fields = {"CallSid": sid, "CallStatus": status, "Direction": "outbound"}
    if duration is not None:
        fields["CallDuration"] = duration
    return fields


# -- the words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("completed", "completed"),
        ("busy", "busy"),
        ("noanswer", "no-answer"),  # the documentation's word
        ("no-answer", "no-answer"),  # CarrierX's code's word
        ("failed", "failed"),
        ("cancel", "cancelled"),  # the documentation's word
        ("canceled", "cancelled"),
        ("cancelled", "cancelled"),
        ("Completed", "completed"),
        (" busy ", "busy"),
        ("in-progress", None),  # not final: Twilio's word, and the sandbox's while it runs
        ("ringing", None),
        ("queued", None),
        ("answered", None),
        ("", None),
        ("garbage", None),
        (None, None),
        (42, None),
    ],
)
def test_final_outcome(status, outcome):
    assert final_outcome(status) == outcome


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("65", 65),
        (65, 65),
        (" 7 ", 7),
        ("0", 0),
        (12.0, 12),
        (None, None),
        ("", None),
        ("abc", None),
        ("-5", None),
        (-5, None),
        ("6.5", None),
        ("٣", None),  # a digit, but not one CarrierX writes
        (True, None),
        (float("nan"), None),
        ([65], None),
    ],
)
def test_call_duration(value, seconds):
    assert call_duration(value) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0, "0 s"),
        (45, "45 s"),
        (60, "1 min 00 s"),
        (65, "1 min 05 s"),
        (3599, "59 min 59 s"),
        (3725, "1 h 02 min 05 s"),
    ],
)
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1.5, "2 s"),
        (40, "40 s"),
        (60, "1 min"),
        (200, "3 min 20 s"),
        (3600, "1 h"),
        (MAX_CALL_SECONDS + DEFAULT_RING_TIMEOUT, "4 h 1 min"),  # rounded up
        (MAX_CALL_SECONDS + 300 + 30, "4 h 6 min"),
    ],
)
def test_limit_text(seconds, text):
    assert limit_text(seconds) == text


# -- status callbacks and the sandbox's end ------------------------------------------------------


def test_a_status_callback_ends_the_call_with_its_duration(log, tracker):
    entry = _placed(log)
    heard = []
    log.changed.connect(heard.append)
    changed = tracker.status_callback(_callback())
    assert changed == log.get(entry.id)
    assert changed.outcome == "completed" and changed.duration == 65 and changed.error is None
    final = changed.final_status
    assert final["call_status"] == "completed" and final["source"] == "status callback"
    assert final["received"] == "2025-03-01T14:00:00.000000+00:00"  # the tracker's clock
    # The Call object is kept beside it.
    assert changed.details["call_sid"] == SID and changed.details[FINAL_STATUS] == final
    assert [(c.kind, c.entry) for c in heard] == [(CallChangeKind.UPDATED, changed)]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("busy", "busy"),
        ("noanswer", "no-answer"),
        ("no-answer", "no-answer"),
        ("cancel", "cancelled"),
    ],
)
def test_each_final_status_is_its_outcome(log, tracker, status, outcome):
    entry = _placed(log)
    changed = tracker.status_callback(_callback(status=status, duration="0"))
    assert changed.outcome == outcome and changed.duration == 0
    assert changed.final_status["call_status"] == status  # as CarrierX wrote it
    assert log.get(entry.id).outcome == outcome


def test_a_failed_call_says_it_failed(log, tracker):
    _placed(log)
    changed = tracker.status_callback(_callback(status="failed", duration="0"))
    assert changed.outcome == "failed"
    assert changed.error == "The call failed (status callback: CallStatus failed)"


def test_a_failed_calls_reason_known_otherwise_is_kept(log, tracker):
    _placed(log)
    reason = "POST https://flows.example.com/ answered HTTP 500"
    changed = tracker.status_callback(_callback(status="failed", duration="0"), reason)
    assert changed.outcome == "failed" and changed.error == reason
    assert changed.final_status["source"] == "status callback"


def test_a_reason_does_not_make_a_completed_call_an_error(log, tracker):
    _placed(log)
    assert tracker.status_callback(_callback(), "stray").error is None


@pytest.mark.parametrize("sid", [SID, SID.upper(), HEX_SID, HEX_SID.lower()])
def test_the_call_sid_matches_with_or_without_dashes(log, tracker, sid):
    entry = _placed(log)
    changed = tracker.status_callback(_callback(sid=sid))
    assert changed is not None and changed.id == entry.id
    assert changed.call_sid == SID  # the log keeps the API's form


def test_a_logged_32_hex_sid_matches_a_dashed_callback(log, tracker):
    entry = _placed(log, sid=HEX_SID.lower())
    assert tracker.status_callback(_callback(sid=SID)).id == entry.id


@pytest.mark.parametrize(
    "fields",
    [
        _callback(sid="aaaaaaaa-1111-2222-3333-444444444444"),  # a call the log does not have
        _callback(sid="aaaaaaaa111122223333444444444444"),
        _callback(status="in-progress"),  # not final
        _callback(status="ringing"),
        _callback(status=""),
        {"CallStatus": "completed", "CallDuration": "5"},  # no CallSid
        _callback(sid=""),
        {"CallSid": 42, "CallStatus": "completed"},
        {},
    ],
)
def test_callbacks_that_end_nothing_change_nothing(log, tracker, fields):
    entry = _placed(log)
    heard = []
    log.changed.connect(heard.append)
    assert tracker.status_callback(fields) is None
    assert log.get(entry.id) == entry and heard == []


@pytest.mark.parametrize("duration", [None, "", "garbage", "-3", "1.5"])
def test_an_unreadable_duration_is_kept_as_unknown(log, tracker, duration):
    _placed(log)
    changed = tracker.status_callback(_callback(duration=duration))
    assert changed.outcome == "completed" and changed.duration is None
    assert changed.final_status["duration"] is None


def test_the_same_callback_twice_changes_the_entry_once(log, tracker):
    _placed(log)
    first = tracker.status_callback(_callback())
    heard = []
    log.changed.connect(heard.append)
    assert tracker.status_callback(_callback()) is None
    assert log.get(first.id) == first and heard == []


def test_a_late_different_status_does_not_change_an_ended_call(log, tracker):
    _placed(log)
    first = tracker.status_callback(_callback(status="busy", duration="0"))
    assert tracker.status_callback(_callback(status="completed", duration="30")) is None
    assert tracker.call_ended(SID, "failed", 0, "boom") is None
    assert log.get(first.id) == first


def test_a_scheduled_call_ends_too(log, tracker):
    entry = _placed(log, outcome="scheduled", delay=300)
    assert tracker.status_callback(_callback()).outcome == "completed"
    assert log.get(entry.id).outcome == "completed"


@pytest.mark.parametrize("outcome", ["cancelled", "failed", "completed", "busy", "no-answer"])
def test_entries_that_already_ended_are_not_changed(log, tracker, outcome):
    entry = _placed(log, outcome=outcome)
    assert tracker.status_callback(_callback()) is None
    assert log.get(entry.id) == entry


def test_a_final_status_corrects_an_unknown_call(log, tracker):
    entry = _placed(log)
    [unknown] = tracker.expire(T0 + timedelta(days=1))
    assert unknown.outcome == "unknown" and unknown.error
    corrected = tracker.status_callback(_callback(sid=HEX_SID))
    assert corrected.id == entry.id
    assert corrected.outcome == "completed" and corrected.duration == 65
    assert corrected.error is None  # its complaint no longer holds


def test_the_newest_entry_of_a_sid_is_the_one_that_ends(log, tracker):
    older = _placed(log)
    newer = log.add(
        "work", "1", "2", "u", "POST", call_sid=SID, outcome="placed", time=T0 + timedelta(1)
    )
    assert tracker.status_callback(_callback()).id == newer.id
    assert log.get(older.id).outcome == "placed"


def test_a_sandbox_calls_end_follows_without_a_status_callback(log, tracker):
    entry = _placed(log, status_callback_url=None)
    changed = tracker.call_ended(SID, "completed", 12)
    assert changed.id == entry.id and changed.outcome == "completed" and changed.duration == 12
    assert changed.final_status["source"] == "sandbox"


def test_a_sandbox_call_that_failed_keeps_the_reason(log, tracker):
    _placed(log)
    reason = "GET https://flows.example.com/ answered HTTP 404 Not Found"
    changed = tracker.call_ended(SID, "failed", 0, reason)
    assert changed.outcome == "failed" and changed.error == reason
    other = _placed(log, sid="aaaaaaaa-1111-2222-3333-444444444444")
    said = tracker.call_ended(other.call_sid, "failed", 0)
    assert said.error == "The call failed (sandbox: CallStatus failed)"


def test_a_sandbox_call_stopped_before_it_was_answered_is_cancelled(log, tracker):
    _placed(log)
    assert tracker.call_ended(SID, "cancel", 0).outcome == "cancelled"


# -- an end heard before its call was logged ------------------------------------------------------


def test_an_end_heard_before_the_call_was_logged_applies_once_it_is(log):
    now = [T0]
    tracker = CallStatusTracker(log, clock=lambda: now[0])
    assert tracker.retry() == []
    # The status callback, then the sandbox's own end, both before the dial pad logged it.
    assert tracker.status_callback(_callback(sid=HEX_SID, duration="9")) is None
    assert tracker.call_ended(SID, "failed", 0, "later word") is None
    assert tracker.waiting() == 1 and log.entries() == []
    assert tracker.retry() == []  # still not logged
    now[0] = T0 + timedelta(seconds=EARLY_SECONDS)
    entry = _placed(log)
    [ended] = tracker.retry()
    assert ended.id == entry.id and ended.outcome == "completed" and ended.duration == 9
    assert ended.final_status["source"] == "status callback"  # the first word is kept
    assert tracker.waiting() == 0 and tracker.retry() == []


def test_an_end_whose_call_is_never_logged_is_forgotten(log):
    now = [T0]
    tracker = CallStatusTracker(log, clock=lambda: now[0])
    tracker.status_callback(_callback())
    now[0] = T0 + timedelta(seconds=EARLY_SECONDS + 1)
    assert tracker.retry() == [] and tracker.waiting() == 0
    entry = _placed(log)
    assert tracker.retry() == [] and log.get(entry.id).outcome == "placed"


def test_ends_kept_waiting_are_few_and_not_final_ones_are_not_kept(log, tracker):
    tracker.status_callback(_callback(status="in-progress"))
    assert tracker.waiting() == 0
    for n in range(EARLY_AT_MOST + 5):
        tracker.status_callback(_callback(sid=f"call-{n}"))
    assert tracker.waiting() == EARLY_AT_MOST
    log.add("p", "1", "2", "u", "GET", call_sid="call-0", outcome="placed")  # forgotten first
    last = log.add(
        "p", "1", "2", "u", "GET", call_sid=f"call-{EARLY_AT_MOST + 4}", outcome="placed"
    )
    assert [e.id for e in tracker.retry()] == [last.id]


# -- the time limit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("details", "limit"),
    [
        ({"delay": 60, "timeout": 20}, 60 + 20 + 100),
        ({"delay": 0, "timeout": 45}, 45 + 100),
        ({}, DEFAULT_RING_TIMEOUT + 100),  # CarrierX's defaults: no delay, 30 s of ringing
        ({"delay": None, "timeout": None}, DEFAULT_RING_TIMEOUT + 100),
        ({"delay": "60", "timeout": "20"}, 180),
        ({"delay": "soon", "timeout": -1}, DEFAULT_RING_TIMEOUT + 100),
        ({"delay": True, "timeout": 10}, 10 + 100),
    ],
)
def test_the_deadline_is_placed_plus_delay_ring_timeout_and_the_longest_call(
    log, tracker, details, limit
):
    entry = _placed(log, **details)
    assert tracker.limit(entry) == limit
    assert tracker.deadline(entry) == T0 + timedelta(seconds=limit)
    just_before = T0 + timedelta(seconds=limit) - timedelta(microseconds=1)
    assert tracker.expire(just_before) == []
    assert log.get(entry.id).outcome == "placed"
    [expired] = tracker.expire(T0 + timedelta(seconds=limit))
    assert expired.id == entry.id and expired.outcome == "unknown"
    assert expired.duration is None and expired.final_status is None


def test_the_default_longest_call_is_four_hours():
    assert MAX_CALL_SECONDS == 4 * 3600


def test_an_overdue_call_says_why_it_is_unknown(log):
    tracker = CallStatusTracker(log)  # the real limit: 4 hours
    with_callback = _placed(log, timeout=30)
    without = _placed(log, sid="aaaaaaaa-1111-2222-3333-444444444444", status_callback_url=None)
    changed = tracker.expire(T0 + timedelta(hours=5))
    assert {entry.id for entry in changed} == {with_callback.id, without.id}
    assert log.get(with_callback.id).error == (
        "No final status arrived within 4 h 1 min "
        "(the status callback never came: was its URL reachable?)"
    )
    assert log.get(without.id).error == (
        "No final status arrived within 4 h 1 min "
        "(the call had no status callback URL of its own, so no status could come here)"
    )


def test_a_status_callback_to_a_server_of_your_own_is_not_called_unreachable(log):
    tracker = CallStatusTracker(log)
    own = _placed(log, status_callback_url="https://hooks.example.com/carrierx")
    [expired] = tracker.expire(T0 + timedelta(hours=5))
    assert expired.id == own.id
    assert log.get(own.id).error == (
        "No final status arrived within 4 h 1 min (its status callback went to "
        "https://hooks.example.com/carrierx, a server of your own: FlexML Studio hears only "
        "those sent to its flow server's /status)"
    )


def test_a_scheduled_call_waits_for_its_delay_too(log, tracker):
    entry = _placed(log, outcome="scheduled", delay=3600, timeout=30)
    assert tracker.expire(T0 + timedelta(seconds=3600)) == []
    [expired] = tracker.expire(T0 + timedelta(seconds=3600 + 30 + 100))
    assert expired.id == entry.id and "within 1 h 3 min" in expired.error  # 3730 s, rounded up


def test_only_calls_still_waiting_expire(log, tracker):
    waiting = _placed(log)
    ended = [
        _placed(log, sid=None, outcome=outcome)
        for outcome in ("failed", "cancelled", "completed", "busy", "no-answer", "unknown")
    ]
    later = T0 + timedelta(days=30)
    assert [entry.id for entry in tracker.expire(later)] == [waiting.id]
    assert [log.get(entry.id) for entry in ended] == ended
    assert tracker.expire(later) == []  # unknown now: not expired twice


def test_expire_uses_the_clock_when_given_no_time(log):
    now = [T0]
    tracker = CallStatusTracker(log, max_call_seconds=100, clock=lambda: now[0])
    entry = _placed(log, timeout=30)
    assert tracker.expire() == []
    now[0] = T0 + timedelta(seconds=130)
    assert [e.id for e in tracker.expire()] == [entry.id]


def test_calls_left_waiting_before_a_restart_expire_at_the_next_start(tmp_path):
    path = tmp_path / "calls.sqlite3"
    with CallLog(path) as log:
        old = _placed(log, timeout=30)
        recent = _placed(log, sid="aaaaaaaa-1111-2222-3333-444444444444", timeout=30)
        log.update(recent.id, outcome="placed")  # nothing ended it either
    # The next run starts five hours after the first call, an hour after the second.
    with CallLog(path) as log:
        log.delete([recent.id])
        recent = log.add(
            "work",
            "1",
            "2",
            "u",
            "POST",
            call_sid=recent.call_sid,
            outcome="placed",
            details={"timeout": 30},
            time=T0 + timedelta(hours=4),
        )
        tracker = CallStatusTracker(log, clock=lambda: T0 + timedelta(hours=5))
        assert [e.id for e in tracker.expire()] == [old.id]
        assert log.get(old.id).outcome == "unknown"
        assert log.get(recent.id).outcome == "placed"


def test_a_time_the_log_cannot_read_never_expires(log, tracker):
    entry = _placed(log)
    log.update(entry.id, details={**entry.details, "timeout": 10**30})  # past any date
    assert tracker.expire(T0 + timedelta(days=365)) == []
    assert log.get(entry.id).outcome == "placed"
