"""The call log keeps, finds and forgets call attempts, survives restarts, moves damaged files
aside instead of losing them, and reports unwritable places in words."""

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gui.core.calllog import (
    FINAL_STATUS,
    OUTCOMES,
    SCHEMA_VERSION,
    CallChange,
    CallChangeKind,
    CallEntry,
    CallLog,
    CallLogError,
    Outcome,
    digits,
    sid_forms,
)

T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "logs" / "calls.sqlite3"


@pytest.fixture
def log(path):
    with CallLog(path) as log:
        yield log


def _fill(log: CallLog) -> list[CallEntry]:
    """Four attempts, one a minute, in the order they were made."""
    return [
        log.add(
            "work",
            "+1 (516) 206-5318",
            "15551230001",
            "https://flows.example.com/t/x/",
            "POST",
            call_sid="aaaaaaaa-1111-2222-3333-444444444444",
            outcome="placed",
            details={"call_sid": "aaaaaaaa-1111-2222-3333-444444444444", "state": "queued"},
            time=T0,
        ),
        log.add(
            "Personal",
            "15162065318",
            "+44 20 7946 0958",
            "https://example.org/menu.xml",
            "GET",
            outcome="failed",
            error="CarrierX refused the call: the To number is not valid",
            time=T0 + timedelta(minutes=1),
        ),
        log.add(
            "work",
            "15550000000",
            "15551239999",
            "https://flows.example.com/t/x/flows/later",
            "POST",
            call_sid="bbbbbbbb-0000-0000-0000-000000000000",
            outcome=Outcome.SCHEDULED,
            details={"delay": 300},
            time=T0 + timedelta(minutes=2),
        ),
        log.add(
            "work",
            "15550000000",
            "18005550100",
            "https://flows.example.com/t/x/",
            "POST",
            outcome="failed",
            error="No answer from CarrierX within 10 seconds",
            time=T0 + timedelta(minutes=3),
        ),
    ]


def _ids(entries: list[CallEntry]) -> list[int]:
    return [entry.id for entry in entries]


def test_default_path_is_in_the_data_folder_which_is_created(_isolated_home):
    with CallLog() as log:
        expected = _isolated_home / ".local/share/flexml-studio/calls.sqlite3"
        assert log.path == expected
        assert expected.is_file()
        assert log.recovered is None


def test_add_returns_what_get_reads_back(log):
    added = _fill(log)
    first = log.get(added[0].id)
    assert first == added[0]
    assert first.profile == "work"
    assert first.from_number == "+1 (516) 206-5318"
    assert first.method == "POST"
    assert first.outcome == "placed"
    assert first.error is None
    assert first.details == {"call_sid": first.call_sid, "state": "queued"}
    assert first.time == "2025-03-01T14:00:00.000000+00:00"
    assert first.when == T0
    failed = log.get(added[1].id)
    assert failed.call_sid is None
    assert failed.error == "CarrierX refused the call: the To number is not valid"
    assert failed.details == {}
    assert log.get(12345) is None


def test_time_defaults_to_now_in_utc(log):
    before = datetime.now(UTC)
    entry = log.add("p", "1", "2", "http://x/", "GET", outcome="placed")
    assert entry.time.endswith("+00:00")
    assert before <= entry.when <= datetime.now(UTC)


def test_odd_detail_values_are_kept_as_text(log):
    entry = log.add("p", "1", "2", "u", "GET", outcome="placed", details={"at": T0, "n": [1]})
    assert entry.details == {"at": "2025-03-01 14:00:00+00:00", "n": [1]}
    assert log.get(entry.id).details == entry.details


def test_entries_newest_first_and_limited(log):
    added = _fill(log)
    assert _ids(log.entries()) == _ids(added)[::-1]
    assert _ids(log.entries(limit=2)) == [added[3].id, added[2].id]
    # Same time: the later addition is the newer one.
    twin = log.add("p", "1", "2", "u", "GET", outcome="placed", time=T0 + timedelta(minutes=3))
    assert _ids(log.entries(limit=2)) == [twin.id, added[3].id]


def test_outcome_filter(log):
    added = _fill(log)
    assert _ids(log.entries(outcome="failed")) == [added[3].id, added[1].id]
    assert _ids(log.entries(outcome=Outcome.SCHEDULED)) == [added[2].id]
    assert log.entries(outcome="cancelled") == []
    with pytest.raises(ValueError, match="outcome must be one of"):
        log.entries(outcome="ringing")


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("516-206", [1, 0]),  # digits of "+1 (516) 206-5318" and of "15162065318"
        ("(516) 2065318", [1, 0]),
        ("+44 20 7946", [1]),
        ("1555123", [2, 0]),  # the To numbers 15551239999 and 15551230001
        ("personal", [1]),  # profile, case-insensitive
        ("WORK", [3, 2, 0]),
        ("menu.xml", [1]),  # URL
        ("flows/later", [2]),
        ("BBBBBBBB", [2]),  # call SID
        ("not valid", [1]),  # error text
        ("within 10", [3]),
        ("  later  ", [2]),  # surrounding blanks are ignored
        ("%", []),  # no SQL wildcards
        ("_", []),
        ("nothing like this", []),
        ("", [3, 2, 1, 0]),
    ],
)
def test_search(log, search, expected):
    added = _fill(log)
    assert _ids(log.entries(search=search)) == [added[i].id for i in expected]


def test_search_and_outcome_together(log):
    added = _fill(log)
    assert _ids(log.entries(outcome="failed", search="work")) == [added[3].id]
    assert _ids(log.entries(outcome="placed", search="516206")) == [added[0].id]


def test_digits():
    assert digits("+1 (516) 206-5318") == "15162065318"
    assert digits(None) == ""


def test_update_changes_fields_and_keeps_the_rest(log):
    added = _fill(log)
    scheduled = added[2]
    cancelled = log.update(scheduled.id, outcome="cancelled", details={"delay": 300, "x": 1})
    assert cancelled.outcome == "cancelled"
    assert cancelled.details == {"delay": 300, "x": 1}
    assert cancelled.time == scheduled.time
    assert cancelled.to_number == scheduled.to_number
    assert log.get(scheduled.id) == cancelled
    assert log.update(scheduled.id) == cancelled  # no change at all
    with pytest.raises(KeyError):
        log.update(9999, outcome="cancelled")
    with pytest.raises(ValueError, match="cannot change id, time"):
        log.update(scheduled.id, id=1, time="x")
    with pytest.raises(ValueError, match="outcome must be one of"):
        log.update(scheduled.id, outcome="gone")
    with pytest.raises(ValueError, match="outcome must be one of"):
        log.add("p", "1", "2", "u", "GET", outcome="maybe")


def test_delete_and_clear(log):
    added = _fill(log)
    assert log.delete([added[0].id, added[2].id, 4242]) == 2
    assert _ids(log.entries()) == [added[3].id, added[1].id]
    assert log.delete([]) == 0
    assert log.get(added[0].id) is None
    # Ids are never reused, so a host holding an old entry never mistakes a new one for it.
    new = log.add("p", "1", "2", "u", "GET", outcome="placed")
    assert new.id > added[3].id
    log.clear()
    assert log.entries() == []


def test_entries_survive_a_restart(path):
    with CallLog(path) as log:
        added = _fill(log)
        log.update(added[2].id, outcome="cancelled")
        log.delete([added[0].id])
        expected = log.entries()
    with CallLog(path) as log:
        assert log.recovered is None
        assert log.entries() == expected
        assert [e.outcome for e in log.entries()] == ["failed", "cancelled", "failed"]


def test_a_closed_log_says_so(path):
    log = CallLog(path)
    log.close()
    log.close()  # twice is fine
    with pytest.raises(CallLogError, match="is closed"):
        log.entries()


def _real_log_bytes(tmp_path: Path) -> bytes:
    source = tmp_path / "source.sqlite3"
    with CallLog(source) as log:
        for n in range(300):
            log.add(
                "p", f"1555{n:07d}", "2", "u", "GET", outcome="placed", details={"n": "x" * 200}
            )
    return source.read_bytes()


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    conn.close()


def _newer(path: Path) -> None:
    with CallLog(path) as log:
        log.add("p", "1", "2", "u", "GET", outcome="placed")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def _other_columns(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE calls (id INTEGER PRIMARY KEY, number TEXT)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.close()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("random", "file is not a database"),
        ("truncated", "malformed"),
        ("scrambled", "integrity check failed"),
        ("foreign", "not a FlexML Studio call log"),
        ("newer", f"newer FlexML Studio (format {SCHEMA_VERSION + 1})"),
        ("columns", "other columns"),
    ],
)
def test_a_damaged_file_is_moved_aside_and_a_fresh_log_started(tmp_path, path, damage, reason):
    path.parent.mkdir(parents=True)
    if damage == "random":
        path.write_bytes(os.urandom(5000))
    elif damage == "truncated":
        data = _real_log_bytes(tmp_path)
        path.write_bytes(data[: len(data) // 2])
    elif damage == "scrambled":  # the header and schema read fine, a page in the middle not
        data = bytearray(_real_log_bytes(tmp_path))
        middle = len(data) // 2
        data[middle : middle + 4096] = b"\xff" * 4096
        path.write_bytes(bytes(data))
    elif damage == "foreign":
        _foreign(path)
    elif damage == "newer":
        _newer(path)
    else:
        _other_columns(path)
    original = path.read_bytes()

    with CallLog(path) as log:
        asides = sorted(path.parent.glob("calls.sqlite3.corrupt-*"))
        assert len(asides) == 1
        aside = asides[0]
        assert len(aside.name) == len("calls.sqlite3.corrupt-20250301-140000")
        assert aside.read_bytes() == original  # the old file is kept as it was
        assert reason in log.recovered
        assert str(aside) in log.recovered
        assert "new, empty one was started" in log.recovered
        assert log.entries() == []
        entry = log.add("p", "1", "2", "u", "GET", outcome="placed")
    with CallLog(path) as log:
        assert log.recovered is None
        assert log.entries() == [entry]
    assert aside.read_bytes() == original


def test_a_second_damage_in_the_same_second_keeps_both_old_files(path):
    path.parent.mkdir(parents=True)
    for _ in range(2):
        path.write_bytes(b"not a database at all, " * 100)
        CallLog(path).close()
    asides = sorted(path.parent.glob("calls.sqlite3.corrupt-*"))
    assert len(asides) == 2
    assert all(a.read_bytes().startswith(b"not a database") for a in asides)


def test_an_empty_file_becomes_a_log(path):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with CallLog(path) as log:
        assert log.recovered is None
        assert log.add("p", "1", "2", "u", "GET", outcome="placed").id == 1
    assert list(path.parent.glob("*.corrupt-*")) == []


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder where no file can be created: read-only, or (as root, whom permissions do
    not stop) a "folder" that is in fact a regular file."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return folder
    (folder / "probe").unlink()
    folder.chmod(0o700)
    blocker = tmp_path / "a-file"
    blocker.write_text("I am a file, not a folder")
    return blocker


def test_an_unwritable_folder_gives_a_clear_error(tmp_path):
    folder = _unwritable_folder(tmp_path)
    path = folder / "calls.sqlite3"
    try:
        with pytest.raises(CallLogError) as caught:
            CallLog(path)
    finally:
        if folder.is_dir():
            folder.chmod(0o700)
    message = str(caught.value)
    assert message.startswith("Could not")
    assert str(folder) in message
    assert "sqlite3" not in message.replace("calls.sqlite3", "")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_missing_parent_folder_is_created_but_a_file_in_its_place_is_an_error(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("x")
    with pytest.raises(CallLogError, match="Could not create the folder of the call log") as c:
        CallLog(blocker / "deeper" / "calls.sqlite3")
    assert str(c.value) == (
        f"Could not create the folder of the call log {blocker / 'deeper'}: "
        "a part of the path is not a folder."
    )
    with pytest.raises(CallLogError) as c:
        CallLog(blocker / "calls.sqlite3")
    assert str(c.value) == (
        f"Could not create the folder of the call log {blocker}: a file of that name is in the way."
    )


def test_a_folder_in_place_of_the_file_is_an_error(tmp_path):
    (tmp_path / "calls.sqlite3").mkdir()
    with pytest.raises(CallLogError, match="a folder of that name is in the way"):
        CallLog(tmp_path / "calls.sqlite3")


def test_a_full_disk_gives_a_clear_error_and_keeps_what_was_written(log):
    kept = log.add("p", "1", "2", "u", "GET", outcome="placed")
    # A real SQLITE_FULL: the database may not grow past the pages it has.
    pages = log._conn.execute("PRAGMA page_count").fetchone()[0]
    log._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(CallLogError, match="the disk is full"):
        log.add("p", "1", "2", "u", "GET", outcome="placed", details={"big": "x" * 100_000})
    assert log.entries() == [kept]


# -- the log announces its changes -----------------------------------------------------------


@pytest.fixture
def heard(log) -> list[CallChange]:
    """Every change the log announces, in order."""
    changes: list[CallChange] = []
    log.changed.connect(changes.append)
    return changes


def test_an_addition_is_announced_with_the_entry_as_written(log, heard):
    entry = log.add("p", "1", "2", "u", "GET", outcome="placed", details={"at": T0})
    assert heard == [CallChange(CallChangeKind.ADDED, entry)]
    assert heard[0].entry == log.get(entry.id)
    assert heard[0].entry.details == {"at": "2025-03-01 14:00:00+00:00"}  # as kept, not as given


def test_an_update_is_announced_with_the_new_state(log, heard):
    added = _fill(log)
    heard.clear()
    cancelled = log.update(added[2].id, outcome="cancelled")
    assert heard == [CallChange(CallChangeKind.UPDATED, cancelled)]
    assert heard[0].entry.outcome == "cancelled"


def test_no_change_no_announcement(log, heard):
    added = _fill(log)
    heard.clear()
    log.update(added[0].id)  # nothing to change
    with pytest.raises(KeyError):
        log.update(9999, outcome="cancelled")
    with pytest.raises(ValueError):
        log.update(added[0].id, outcome="gone")
    with pytest.raises(ValueError):
        log.add("p", "1", "2", "u", "GET", outcome="maybe")
    assert log.delete([]) == 0
    assert log.delete([4242]) == 0  # no such entry
    log.clear()
    heard.clear()
    log.clear()  # already empty
    assert heard == []


def test_a_deletion_names_exactly_the_entries_gone(log, heard):
    added = _fill(log)
    heard.clear()
    assert log.delete([added[2].id, 4242, added[0].id, added[0].id]) == 2
    assert heard == [CallChange(CallChangeKind.DELETED, ids=(added[0].id, added[2].id))]
    heard.clear()
    log.clear()
    assert heard == [CallChange(CallChangeKind.DELETED, ids=(added[1].id, added[3].id))]


def test_a_failed_write_is_not_announced(log, heard):
    log.add("p", "1", "2", "u", "GET", outcome="placed")
    heard.clear()
    pages = log._conn.execute("PRAGMA page_count").fetchone()[0]
    log._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(CallLogError, match="the disk is full"):
        log.add("p", "1", "2", "u", "GET", outcome="placed", details={"big": "x" * 100_000})
    log.close()
    with pytest.raises(CallLogError, match="is closed"):
        log.delete([1])
    assert heard == []


def test_listeners_hear_in_the_order_they_connected_and_can_leave(log):
    order: list[str] = []

    def first(change: CallChange) -> None:
        order.append("first")

    log.changed.connect(first)
    log.changed.connect(lambda change: order.append("second"))
    log.add("p", "1", "2", "u", "GET", outcome="placed")
    log.changed.disconnect(first)
    log.add("p", "1", "2", "u", "GET", outcome="placed")
    assert order == ["first", "second", "second"]


def test_a_listener_reads_the_change_already_written(log):
    seen: list = []
    log.changed.connect(lambda change: seen.append(log.entries()))
    entry = log.add("p", "1", "2", "u", "GET", outcome="placed")
    log.delete([entry.id])
    assert seen == [[entry], []]


def test_matches_is_the_query_of_entries(log):
    _fill(log)
    searches = ["", "516-206", "+44 20 7946", "WORK", "menu.xml", "bbbbbbbb", "within", "%"]
    sizes = set()
    for outcome in (None, *OUTCOMES):
        for search in searches:
            listed = set(_ids(log.entries(outcome=outcome, search=search)))
            matching = {
                entry.id
                for entry in log.entries()
                if log.matches(entry.id, outcome=outcome, search=search)
            }
            assert matching == listed, (outcome, search)
            sizes.add(len(listed))
    assert sizes >= {0, 1, 2, 4}  # queries that list none, some and all
    assert not log.matches(4242)
    with pytest.raises(ValueError, match="outcome must be one of"):
        log.matches(1, outcome="ringing")


# -- how calls end (issue 13) -------------------------------------------------------------------


def test_the_outcomes_include_how_calls_end():
    assert OUTCOMES == (
        "placed",
        "scheduled",
        "completed",
        "busy",
        "no-answer",
        "failed",
        "cancelled",
        "unknown",
    )


@pytest.mark.parametrize("outcome", ["completed", "busy", "no-answer", "unknown"])
def test_a_call_moves_to_how_it_ended_and_is_listed_by_it(log, outcome):
    added = _fill(log)
    ended = log.update(added[0].id, outcome=outcome)
    assert ended.outcome == outcome and log.get(added[0].id) == ended
    assert _ids(log.entries(outcome=outcome)) == [added[0].id]
    assert log.matches(added[0].id, outcome=outcome)
    assert log.entries(outcome="placed") == []


@pytest.mark.parametrize(
    ("final", "duration"),
    [
        ({"call_status": "completed", "duration": 65}, 65),
        ({"call_status": "busy", "duration": 0}, 0),
        ({"call_status": "completed", "duration": None}, None),
        ({"call_status": "completed"}, None),
        ({"duration": "65"}, None),  # only what the tracker writes: whole seconds
        ({"duration": -1}, None),
        ({"duration": True}, None),
        ("completed", None),  # not ours
    ],
)
def test_the_duration_is_read_from_the_final_status_in_details(log, final, duration):
    entry = log.add("p", "1", "2", "u", "GET", outcome="completed", details={FINAL_STATUS: final})
    assert log.get(entry.id).duration == duration
    assert (entry.final_status is None) == (not isinstance(final, dict))


def test_a_call_not_ended_has_no_duration(log):
    entry = log.add("p", "1", "2", "u", "GET", outcome="placed", details={"timeout": 30})
    assert entry.duration is None and entry.final_status is None


@pytest.mark.parametrize(
    ("sid", "forms"),
    [
        (
            "3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678",
            ("3f2a9c1e7b444d2e9a0b12cd34ef5678", "3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678"),
        ),
        (
            "3F2A9C1E7B444D2E9A0B12CD34EF5678",
            ("3f2a9c1e7b444d2e9a0b12cd34ef5678", "3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678"),
        ),
        ("  3f2a9c1e7b444d2e9a0b12cd34ef5678 ", sid_forms("3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678")),
        ("call-1", ("call-1",)),  # not a UUID: only itself
        ("3f2a9c1e7b444d2e9a0b12cd34ef567", ("3f2a9c1e7b444d2e9a0b12cd34ef567",)),  # 31 digits
        ("", ("",)),
    ],
)
def test_sid_forms(sid, forms):
    assert sid_forms(sid) == forms


@pytest.mark.parametrize(
    "asked",
    [
        "aaaaaaaa-1111-2222-3333-444444444444",
        "AAAAAAAA-1111-2222-3333-444444444444",
        "aaaaaaaa111122223333444444444444",
        "AAAAAAAA111122223333444444444444",
    ],
)
def test_find_call_takes_the_sid_with_or_without_dashes(log, asked):
    added = _fill(log)
    assert log.find_call(asked) == added[0]


def test_find_call_finds_a_sid_logged_without_dashes_and_the_newest_of_twins(log):
    bare = log.add("p", "1", "2", "u", "GET", call_sid="C0FFEE00" * 4, outcome="placed", time=T0)
    assert log.find_call("c0ffee00-c0ff-ee00-c0ff-ee00c0ffee00") == bare
    twin = log.add(
        "p", "1", "2", "u", "GET", call_sid="c0ffee00" * 4, outcome="placed", time=T0 + timedelta(1)
    )
    assert log.find_call("C0FFEE00" * 4) == twin


@pytest.mark.parametrize(
    "asked", ["bbbbbbbb-0000-0000-0000-000000000001", "call-1", "", "  ", "%", "aaaaaaaa"]
)
def test_find_call_finds_nothing_for_other_sids(log, asked):
    _fill(log)
    log.add("p", "1", "2", "u", "GET", outcome="failed")  # no SID at all
    assert log.find_call(asked) is None


def test_find_call_on_a_closed_log_says_so(path):
    log = CallLog(path)
    log.close()
    with pytest.raises(CallLogError, match="is closed"):
        log.find_call("call-1")


# The calls table as FlexML Studio wrote it before calls followed their end (format 1).
_FORMAT_1 = """
CREATE TABLE calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    profile TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    url TEXT NOT NULL,
    method TEXT NOT NULL,
    call_sid TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX calls_by_time ON calls (time);
PRAGMA user_version = 1;
"""


def test_a_log_written_before_calls_followed_their_end_opens_and_stays_readable(path):
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.executescript(_FORMAT_1)
    conn.execute(
        "INSERT INTO calls (time, profile, from_number, to_number, url, method, call_sid,"
        " outcome, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "2025-03-01T14:00:00.000000+00:00",
            "work",
            "15555550100",
            "15162065318",
            "https://flows.example.com/",
            "POST",
            "aaaaaaaa-1111-2222-3333-444444444444",
            "placed",
            '{"delay": 0, "timeout": 30}',
        ),
    )
    conn.commit()
    conn.close()
    with CallLog(path) as log:
        assert log.recovered is None  # opened as it is, not moved aside
        [old] = log.entries()
        assert old.outcome == "placed" and old.duration is None
        assert log.find_call("aaaaaaaa111122223333444444444444") == old
        ended = log.update(
            old.id,
            outcome="completed",
            details={**old.details, FINAL_STATUS: {"call_status": "completed", "duration": 7}},
        )
        assert ended.duration == 7
    # The file keeps its format: an older FlexML Studio still opens it (it checks the
    # version and the columns, and reads details as JSON).
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
    columns = [row[1] for row in conn.execute("PRAGMA table_info(calls)")]
    assert columns == [
        "id",
        "time",
        "profile",
        "from_number",
        "to_number",
        "url",
        "method",
        "call_sid",
        "outcome",
        "error",
        "details",
    ]
    conn.close()
    with CallLog(path) as log:
        assert log.entries()[0].duration == 7
