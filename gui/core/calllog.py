"""The call log: every call attempt and how it ended, kept in SQLite.

An attempt starts as placed or scheduled (or failed, when CarrierX refused it); the call's
status callback (or the sandbox) later moves it to how the call ended: completed, busy, no
answer, failed or cancelled, with its duration. One that never heard of its end within its
time limit becomes "unknown" (gui.core.call_status has those rules).

One file, `data_dir()/calls.sqlite3`, versioned with `PRAGMA user_version`. A file that
cannot be our log (random bytes, a truncated database, someone else's tables, a newer
version) is moved aside to `calls.sqlite3.corrupt-YYYYmmdd-HHMMSS`, never deleted, and a
fresh log is started; `CallLog.recovered` then says so in words for people.

Times are ISO 8601 strings in UTC with microseconds ("2025-03-01T14:02:07.123456+00:00"):
readable in the file, and their text order is their time order.

Nothing secret is kept: the API takes numbers, URLs and CarrierX's answer, never a password
or an API token. The error texts it keeps come redacted (gui.core.carrierx), and are
scrubbed once more of anything that looks like credentials (an Authorization header's value,
`user:password@` in a URL) before they are written. The file (and SQLite's journal, -wal and
-shm files, which take its mode) is readable by its owner only (0600), in a 0700 folder when
the log makes it: it tells who was called when.

Every change is announced after it is written (`CallLog.changed`, a `CallChange`): whoever
shows the log follows it (CallList) instead of being told by whoever wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from .fileio import describe_os_error
from .flexml.tree import Signal
from .recovery import data_dir
from .redaction import scrub_credentials

FILE_NAME = "calls.sqlite3"
PRIVATE_MODE = 0o600
SCHEMA_VERSION = 1

_SCHEMA = """
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
"""
_COLUMNS = (
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
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM calls"
_EDITABLE = frozenset(_COLUMNS) - {"id", "time"}
_TEXT_SEARCHED = ("profile", "from_number", "to_number", "url", "call_sid", "error")
# A search made only of digits and the punctuation people write numbers with.
_NUMBER_LIKE = re.compile(r"[\d\s+().\-/]*\d[\d\s+().\-/]*")
_NON_DIGITS = re.compile(r"\D")
# SQLite result codes (the low byte of extended codes) that mean "this is not a sound log".
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class Outcome(StrEnum):
    """What became of a call attempt."""

    PLACED = "placed"  # CarrierX took the call; how it ends is not known yet
    SCHEDULED = "scheduled"  # CarrierX places it after its delay
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"  # refused when placed, or ended as failed
    CANCELLED = "cancelled"  # cancelled while scheduled, or ended before it was answered
    UNKNOWN = "unknown"  # no final status arrived within the call's time limit


OUTCOMES = tuple(o.value for o in Outcome)
# Outcomes a call's final status still changes: not ended yet, or never heard of.
PENDING = frozenset({Outcome.PLACED.value, Outcome.SCHEDULED.value})
AWAITING_STATUS = PENDING | {Outcome.UNKNOWN.value}
# The key of `details` that keeps how the call ended: {"call_status": what CarrierX or the
# sandbox said, "duration": seconds or None, "source": "status callback" or "sandbox",
# "received": ISO 8601 UTC}. In details, not a column, so that the file keeps its format
# and an older FlexML Studio still opens it.
FINAL_STATUS = "final_status"
_HEX_SID = re.compile(r"[0-9a-f]{32}")


class CallLogError(Exception):
    """The call log could not be opened, read or written; the message is for people."""


class _Damaged(Exception):
    """The file is not a call log this version can use (internal: triggers the move aside)."""


@dataclass(frozen=True)
class CallEntry:
    """One call attempt as the log holds it."""

    id: int
    time: str  # ISO 8601 in UTC, e.g. "2025-03-01T14:02:07.123456+00:00"
    profile: str  # the account profile used (its name, never its token)
    from_number: str
    to_number: str
    url: str  # the flow URL CarrierX was told to fetch
    method: str  # GET or POST
    call_sid: str | None  # CarrierX's id of the call, when it was created
    outcome: str  # one of OUTCOMES
    error: str | None  # the message shown to the user, for failures
    details: dict[str, Any] = field(hash=False)  # the Call object returned, delay, timeout ...

    @property
    def when(self) -> datetime:
        """`time` as an aware datetime (UTC)."""
        return datetime.fromisoformat(self.time)

    @property
    def final_status(self) -> dict[str, Any] | None:
        """How the call ended, as its status callback or the sandbox said (see FINAL_STATUS),
        or None while that is not known."""
        value = self.details.get(FINAL_STATUS)
        return value if isinstance(value, dict) else None

    @property
    def duration(self) -> int | None:
        """The call's length in whole seconds (CallDuration), once its end is known."""
        value = (self.final_status or {}).get("duration")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        return None


class CallChangeKind(Enum):
    ADDED = "added"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True)
class CallChange:
    """One change to the log, announced once it is written (`CallLog.changed`).

    ADDED and UPDATED: `entry`, as the log now holds it. DELETED: `ids`, the entries that
    were in the log and are gone (ascending).
    """

    kind: CallChangeKind
    entry: CallEntry | None = None
    ids: tuple[int, ...] = ()


def now_text() -> str:
    """The current time as CallEntry.time text."""
    return _time_text(datetime.now(UTC))


def _time_text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def digits(text: str | None) -> str:
    """The digits of a phone number: "+1 (516) 206-5318" -> "15162065318"."""
    return _NON_DIGITS.sub("", text or "")


def sid_forms(call_sid: str) -> tuple[str, ...]:
    """The lowercase ways one call SID is written. The API's call_sid is a dashed UUID, while
    CarrierX's requests may carry the same SID as 32 hex digits (FLEXML.md §7): a UUID in
    either form gives both; anything else only itself."""
    text = call_sid.strip().lower()
    bare = text.replace("-", "")
    if not _HEX_SID.fullmatch(bare):
        return (text,)
    dashed = f"{bare[:8]}-{bare[8:12]}-{bare[12:16]}-{bare[16:20]}-{bare[20:]}"
    return (bare, dashed)


class CallLog:
    """The call log file; use from one thread (the GUI thread). A context manager."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / FILE_NAME
        self.recovered: str | None = None  # what happened to a damaged file, for people
        self.changed: Signal[CallChange] = Signal()  # after every add, update and delete
        self._conn: sqlite3.Connection | None = None
        self._open()

    # -- opening ----------------------------------------------------------------------------

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            reason = (
                "a file of that name is in the way"
                if isinstance(exc, FileExistsError)
                else describe_os_error(exc)
            )
            raise CallLogError(
                f"Could not create the folder of the call log {self.path.parent}: {reason}."
            ) from None
        if self.path.is_dir():
            raise CallLogError(
                f"Could not open the call log {self.path}: a folder of that name is in the way."
            )
        try:
            self._conn = self._connect_checked()
        except _Damaged as exc:
            reason = str(exc)
            aside = self._move_aside(reason)
            try:
                self._conn = self._connect_checked()
            except _Damaged as again:  # a fresh file cannot be damaged; the disk may be
                raise CallLogError(
                    f"Could not start a new call log {self.path}: {again}."
                ) from None
            self.recovered = (
                f"The call log could not be read ({reason}), so a new, empty one was started. "
                f"The old file was kept as {aside}."
            )

    def _make_private(self) -> None:
        """Create the file 0600 before SQLite does (SQLite would follow the umask), and
        make an existing one 0600 (an older version left it to the umask). SQLite gives its
        journal, -wal and -shm files the mode of the database file."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags, PRIVATE_MODE)
        except OSError:
            return  # SQLite says what is wrong when it opens the file
        try:
            mode = os.fstat(fd).st_mode & 0o777
        finally:
            os.close(fd)
        if mode != PRIVATE_MODE:
            with contextlib.suppress(OSError):  # someone else's file: not ours to change
                os.chmod(self.path, PRIVATE_MODE)

    def _connect_checked(self) -> sqlite3.Connection:
        """A connection to a sound log at self.path (created when empty); raises _Damaged."""
        self._make_private()
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise CallLogError(self._message("open", exc)) from None
        try:
            conn.create_function("casefold", 1, _casefold, deterministic=True)
            conn.create_function("digits", 1, digits, deterministic=True)
            self._check_or_create(conn)
        except _Damaged:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            if _code(exc) in _DAMAGED:
                raise _Damaged(_reason(exc)) from None
            raise CallLogError(self._message("open", exc)) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_or_create(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if version == 0 and not tables:
            conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            return
        if version > SCHEMA_VERSION:
            raise _Damaged(f"it was written by a newer FlexML Studio (format {version})")
        if version != SCHEMA_VERSION or "calls" not in tables:
            raise _Damaged("it holds tables that are not a FlexML Studio call log")
        columns = [row[1] for row in conn.execute("PRAGMA table_info(calls)")]
        if tuple(columns) != _COLUMNS:
            raise _Damaged("its calls table has other columns than a call log")
        # Pages past the first can be damaged while the header and schema still read fine.
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise _Damaged("it is damaged: the database integrity check failed")

    def _move_aside(self, reason: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
            number += 1
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            raise CallLogError(
                f"The call log {self.path} could not be read ({reason}) and could not be moved "
                f"aside to start a new one: {describe_os_error(exc)}."
            ) from None
        # A journal left beside it belongs to the old file, not to the fresh one.
        journal = self.path.with_name(self.path.name + "-journal")
        with contextlib.suppress(OSError):
            if journal.exists():
                os.replace(journal, aside.with_name(aside.name + "-journal"))
        return aside

    def _message(self, doing: str, exc: sqlite3.Error) -> str:
        return f"Could not {doing} the call log {self.path}: {_reason(exc)}."

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise CallLogError(f"The call log {self.path} is closed.")
        try:
            yield self._conn
        except sqlite3.Error as exc:
            raise CallLogError(self._message(doing, exc)) from None

    # -- reading and writing ------------------------------------------------------------------

    def add(
        self,
        profile: str,
        from_number: str,
        to_number: str,
        url: str,
        method: str,
        *,
        call_sid: str | None = None,
        outcome: str,
        error: str | None = None,
        details: dict[str, Any] | None = None,
        time: datetime | None = None,
    ) -> CallEntry:
        """Record a call attempt made now (or at `time`; naive means local); returns it."""
        _check_outcome(outcome)
        error = _scrubbed(error)
        when = now_text() if time is None else _time_text(time)
        values = (
            when,
            profile,
            from_number,
            to_number,
            url,
            method,
            call_sid,
            str(outcome),
            error,
            _dump(details),
        )
        with self._errors("write to") as conn:
            cursor = conn.execute(
                f"INSERT INTO calls ({', '.join(_COLUMNS[1:])}) VALUES ({', '.join('?' * 10)})",
                values,
            )
            entry_id = cursor.lastrowid
        assert entry_id is not None
        entry = CallEntry(entry_id, when, *values[1:-1], _load(values[-1]))
        self.changed.emit(CallChange(CallChangeKind.ADDED, entry))
        return entry

    def update(self, entry_id: int, **changes: Any) -> CallEntry:
        """Change fields of an entry (not id or time), e.g. outcome="cancelled".
        Raises KeyError when there is no such entry, ValueError for an unknown field."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a call log entry")
        if "outcome" in changes:
            _check_outcome(changes["outcome"])
            changes["outcome"] = str(changes["outcome"])
        if "details" in changes:
            changes["details"] = _dump(changes["details"])
        if "error" in changes:
            changes["error"] = _scrubbed(changes["error"])
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            with self._errors("write to") as conn:
                conn.execute(
                    f"UPDATE calls SET {assignments} WHERE id = ?", (*changes.values(), entry_id)
                )
        entry = self.get(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        if changes:
            self.changed.emit(CallChange(CallChangeKind.UPDATED, entry))
        return entry

    def get(self, entry_id: int) -> CallEntry | None:
        """The entry with this id, or None."""
        with self._errors("read") as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry(row)

    def find_call(self, call_sid: str) -> CallEntry | None:
        """The newest entry of this call SID, written as a dashed UUID or as 32 hex digits
        (either way, whatever case), or None."""
        forms = sid_forms(call_sid)
        if not forms[0]:
            return None
        marks = ", ".join("?" * len(forms))
        query = f"{_SELECT} WHERE lower(call_sid) IN ({marks}) ORDER BY time DESC, id DESC LIMIT 1"
        with self._errors("read") as conn:
            row = conn.execute(query, forms).fetchone()
        return None if row is None else _entry(row)

    def entries(
        self, *, outcome: str | None = None, search: str = "", limit: int | None = None
    ) -> list[CallEntry]:
        """Entries newest first, optionally of one outcome and matching `search`.

        The search is case-insensitive text in the numbers, profile, URL, call SID and error;
        a search that looks like a number ("516-206") matches numbers by their digits alone,
        so it finds "+1 516 206 5318" as well.
        """
        where, params = _where(outcome, search)
        query = _SELECT
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY time DESC, id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(max(0, limit))
        with self._errors("read") as conn:
            rows = conn.execute(query, params).fetchall()
        return [_entry(row) for row in rows]

    def matches(self, entry_id: int, *, outcome: str | None = None, search: str = "") -> bool:
        """Whether `entries(outcome=..., search=...)` lists this entry (the same query)."""
        where, params = _where(outcome, search)
        where.append("id = ?")
        params.append(entry_id)
        with self._errors("read") as conn:
            row = conn.execute(f"SELECT 1 FROM calls WHERE {' AND '.join(where)}", params)
            return row.fetchone() is not None

    def delete(self, ids: Iterable[int]) -> int:
        """Delete these entries (unknown ids are ignored); returns how many were deleted."""
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return 0
        with self._errors("delete from") as conn:
            conn.execute("BEGIN")
            try:
                # One statement per id: its row count says which ids were in the log.
                gone = tuple(
                    i
                    for i in wanted
                    if conn.execute("DELETE FROM calls WHERE id = ?", (i,)).rowcount
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if gone:
            self.changed.emit(CallChange(CallChangeKind.DELETED, ids=gone))
        return len(gone)

    def clear(self) -> None:
        """Delete every entry."""
        with self._errors("clear") as conn:
            conn.execute("BEGIN")
            try:
                gone = tuple(row[0] for row in conn.execute("SELECT id FROM calls ORDER BY id"))
                conn.execute("DELETE FROM calls")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if gone:
            self.changed.emit(CallChange(CallChangeKind.DELETED, ids=gone))

    def close(self) -> None:
        """Close the file; safe to call twice."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> CallLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _where(outcome: str | None, search: str) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (joined by AND) and their parameters of an `entries` query."""
    where: list[str] = []
    params: list[Any] = []
    if outcome is not None:
        _check_outcome(outcome)
        where.append("outcome = ?")
        params.append(str(outcome))
    text = search.strip()
    if text:
        matches = [f"instr(casefold({column}), ?) > 0" for column in _TEXT_SEARCHED]
        params += [_casefold(text)] * len(_TEXT_SEARCHED)
        if _NUMBER_LIKE.fullmatch(text):
            matches += ["instr(digits(from_number), ?) > 0", "instr(digits(to_number), ?) > 0"]
            params += [digits(text)] * 2
        where.append(f"({' OR '.join(matches)})")
    return where, params


def _scrubbed(error: str | None) -> str | None:
    """An error text as the log keeps it: without anything that looks like credentials."""
    return None if error is None else scrub_credentials(str(error))


def _check_outcome(outcome: object) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")


def _dump(details: dict[str, Any] | None) -> str:
    # default=str: an odd value (a datetime, a Path) is kept as text rather than refused.
    return json.dumps(details or {}, ensure_ascii=False, default=str)


def _load(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"value": value}


def _entry(row: tuple) -> CallEntry:
    return CallEntry(*row[:-1], _load(row[-1]))


def _casefold(text: str | None) -> str:
    return (text or "").casefold()


def _code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _reason(exc: sqlite3.Error) -> str:
    code = _code(exc)
    if code == sqlite3.SQLITE_FULL:
        return "the disk is full"
    if code == sqlite3.SQLITE_READONLY:
        return "no permission to write there"
    if code == sqlite3.SQLITE_CANTOPEN:
        return "the file cannot be opened (no permission, or the folder is missing)"
    if code == sqlite3.SQLITE_BUSY:
        return "another program is using it"
    return str(exc) or type(exc).__name__
