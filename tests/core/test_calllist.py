"""A CallList lists what its query of the call log lists, follows the log's own changes
without asking it again, and announces each of its own changes before and after it."""

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gui.core.calllist import CallList, RowsChange, RowsChangeKind
from gui.core.calllog import CallEntry, CallLog, CallLogError

T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
INSERT, REMOVE, UPDATE, RESET = (
    RowsChangeKind.INSERT,
    RowsChangeKind.REMOVE,
    RowsChangeKind.UPDATE,
    RowsChangeKind.RESET,
)


@pytest.fixture
def log(tmp_path):
    with CallLog(tmp_path / "calls.sqlite3") as log:
        yield log


def _add(log: CallLog, minute: int, outcome: str = "placed", to: str = "+15551230000"):
    return log.add(
        "work", "+15162065318", to, "https://x/", "POST", outcome=outcome,
        time=T0 + timedelta(minutes=minute),
    )  # fmt: skip


class Recorder:
    """Hears a CallList as a Qt model would, and checks each announcement against the rows
    before and after (what Qt's begin/end calls rely on)."""

    def __init__(self, calls: CallList) -> None:
        self.calls = calls
        self.changes: list[RowsChange] = []
        self._before: list[CallEntry] | None = None
        calls.about_to_change.connect(self.about_to_change)
        calls.changed.connect(self.changed)

    def about_to_change(self, change: RowsChange) -> None:
        assert self._before is None, "announced twice before one change"
        self._before = self.calls.entries()
        if change.kind in (REMOVE, UPDATE):
            assert 0 <= change.first <= change.last < len(self._before)
        elif change.kind is INSERT:
            assert 0 <= change.first <= change.last and change.first <= len(self._before)

    def changed(self, change: RowsChange) -> None:
        before, self._before = self._before, None
        assert before is not None, "changed without about_to_change"
        after = self.calls.entries()
        first, last = change.first, change.last
        if change.kind is INSERT:
            assert after[:first] + after[last + 1 :] == before
        elif change.kind is REMOVE:
            assert before[:first] + before[last + 1 :] == after
        elif change.kind is UPDATE:
            assert len(after) == len(before)
            assert [e.id for e in after] == [e.id for e in before]
            assert after[:first] + after[last + 1 :] == before[:first] + before[last + 1 :]
        self.changes.append(change)

    def kinds(self) -> list[tuple[RowsChangeKind, int, int]]:
        return [(c.kind, c.first, c.last) for c in self.changes if c.kind is not RESET]


def _listing(log: CallLog, **query) -> tuple[CallList, Recorder]:
    calls = CallList(limit=query.pop("limit", None))
    recorder = Recorder(calls)
    calls.set_log(log)
    calls.set_query(**query)
    return calls, recorder


def _numbers(calls: CallList) -> list[str]:
    return [entry.to_number for entry in calls.entries()]


def test_it_lists_its_query_newest_first(log):
    old = _add(log, 0, to="+1000")
    new = _add(log, 1, outcome="failed", to="+2000")
    calls, recorder = _listing(log)
    assert calls.entries() == [new, old] and len(calls) == 2 and calls[0] == new
    assert calls.row_of(old.id) == 1 and calls.row_of(4242) is None
    assert [c.kind for c in recorder.changes] == [RESET, RESET]  # set_log, set_query
    calls.set_query(outcome="failed")
    assert calls.entries() == [new] and calls.outcome == "failed"


def test_additions_take_their_place_in_time_order(log):
    calls, recorder = _listing(log)
    _add(log, 5, to="+5")
    _add(log, 9, to="+9")
    _add(log, 7, to="+7")  # made later, but its time is earlier: below +9
    _add(log, 1, to="+1")
    assert _numbers(calls) == ["+9", "+7", "+5", "+1"]
    assert recorder.kinds() == [(INSERT, 0, 0), (INSERT, 0, 0), (INSERT, 1, 1), (INSERT, 3, 3)]
    assert calls.entries() == log.entries()


def test_a_filtered_list_takes_only_what_matches(log):
    calls, recorder = _listing(log, outcome="failed", search="555")
    _add(log, 0, "placed", "+15550000001")
    _add(log, 1, "failed", "+44 20 7946 0958")
    failed = _add(log, 2, "failed", "+1 555 000 0002")  # "555" in its digits
    assert calls.entries() == [failed]
    assert recorder.kinds() == [(INSERT, 0, 0)]


def test_an_update_changes_its_row_in_place(log):
    scheduled = _add(log, 0, "scheduled")
    _add(log, 1)
    calls, recorder = _listing(log)
    cancelled = log.update(scheduled.id, outcome="cancelled")
    assert calls[1] == cancelled
    assert recorder.kinds() == [(UPDATE, 1, 1)]


def test_an_update_moves_an_entry_out_of_and_into_the_query(log):
    scheduled = _add(log, 0, "scheduled", "+1")
    _add(log, 1, "scheduled", "+2")
    _add(log, 2, "placed", "+3")
    calls, recorder = _listing(log, outcome="scheduled")
    log.update(scheduled.id, outcome="cancelled")
    assert _numbers(calls) == ["+2"]
    log.update(scheduled.id, outcome="scheduled")
    assert _numbers(calls) == ["+2", "+1"]
    assert recorder.kinds() == [(REMOVE, 1, 1), (INSERT, 1, 1)]
    log.update(scheduled.id, error="still scheduled")
    assert recorder.kinds()[-1] == (UPDATE, 1, 1)


def test_deletions_go_in_runs_from_the_bottom_up(log):
    added = [_add(log, minute, to=f"+{minute}") for minute in range(6)]  # rows: +5 .. +0
    calls, recorder = _listing(log)
    log.delete([added[i].id for i in (0, 1, 3, 5)])  # rows 5, 4, 2 and 0
    assert _numbers(calls) == ["+4", "+2"]
    assert recorder.kinds() == [(REMOVE, 4, 5), (REMOVE, 2, 2), (REMOVE, 0, 0)]
    log.clear()
    assert len(calls) == 0


def test_a_full_list_keeps_the_newest_and_refills_when_rows_go(log):
    for minute in range(5):
        _add(log, minute, to=f"+{minute}")
    calls, recorder = _listing(log, limit=3)
    assert _numbers(calls) == ["+4", "+3", "+2"]
    _add(log, 10, to="+10")
    assert _numbers(calls) == ["+10", "+4", "+3"]
    assert recorder.kinds() == [(INSERT, 0, 0), (REMOVE, 3, 3)]
    _add(log, -1, to="+-1")  # older than every row: not listed, no change
    assert len(recorder.kinds()) == 2
    log.delete([calls[0].id, calls[1].id])
    assert _numbers(calls) == ["+3", "+2", "+1"]  # the next older ones fill the rows
    assert recorder.kinds()[2:] == [(REMOVE, 0, 1), (INSERT, 1, 2)]
    assert calls.entries() == log.entries(limit=3)


def test_a_failed_query_keeps_the_rows_and_the_query(log):
    _add(log, 0)
    calls, _recorder = _listing(log)
    shown = calls.entries()
    log.close()
    with pytest.raises(CallLogError, match="is closed"):
        calls.set_query(outcome="failed")
    with pytest.raises(CallLogError, match="is closed"):
        calls.reload()
    assert calls.entries() == shown and calls.outcome is None


def test_without_a_log_it_is_empty(log):
    calls = CallList()
    calls.set_query(outcome="failed", search="x")
    assert len(calls) == 0 and calls.log is None
    _add(log, 0)
    assert len(calls) == 0


def test_another_log_replaces_the_first(log, tmp_path):
    calls, _recorder = _listing(log)
    _add(log, 0)
    with CallLog(tmp_path / "other.sqlite3") as other:
        calls.set_log(other)
        assert len(calls) == 0
        _add(log, 1)  # the first log is no longer followed
        assert len(calls) == 0
        calls.reload()
        _add(other, 2, to="+other")
        assert _numbers(calls) == ["+other"]
        calls.set_log(None)
        _add(other, 3)
        assert len(calls) == 0


OUTCOMES = ("placed", "scheduled", "failed", "cancelled")
NUMBERS = ("+15551230000", "+1 555 100 0000", "+44 20 7946 0958", "+33 1 23 45 67 89")
_add_op = st.tuples(
    st.just("add"), st.integers(0, 20), st.sampled_from(OUTCOMES), st.integers(0, 3)
)
_ops = st.lists(
    st.one_of(
        _add_op,
        _add_op,  # twice: more entries than rows, so full lists are common
        st.tuples(st.just("update"), st.integers(0, 30), st.sampled_from(OUTCOMES)),
        st.tuples(st.just("delete"), st.lists(st.integers(0, 30), min_size=1, max_size=3)),
    ),
    max_size=20,
)
# A log in memory-backed storage where there is one: each write to a disk file waits for
# the disk (tens of milliseconds), which would make a hundred examples take minutes.
_FAST_FOLDER = "/dev/shm" if os.path.isdir("/dev/shm") else None


@settings(max_examples=150, deadline=None)
@given(
    ops=_ops,
    outcome=st.sampled_from((None, None, "failed")),
    search=st.sampled_from(("", "", "555 1", "+44")),
    limit=st.sampled_from((None, 1, 2)),
)
def test_the_list_is_always_what_the_query_would_list(ops, outcome, search, limit):
    with (
        tempfile.TemporaryDirectory(dir=_FAST_FOLDER) as folder,
        CallLog(Path(folder) / "calls.sqlite3") as log,
    ):
        calls, _recorder = _listing(log, outcome=outcome, search=search, limit=limit)
        made: list[int] = []
        for op in ops:
            if op[0] == "add":
                made.append(_add(log, op[1], op[2], NUMBERS[op[3]]).id)
            elif op[0] == "update" and made:
                entry_id = made[op[1] % len(made)]
                if log.get(entry_id) is not None:
                    log.update(entry_id, outcome=op[2])
            elif op[0] == "delete" and made:
                log.delete(made[i % len(made)] for i in op[1])
            assert calls.entries() == log.entries(outcome=outcome, search=search, limit=limit)
