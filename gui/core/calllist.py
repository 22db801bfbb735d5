"""The calls one query of the call log lists, newest first, kept in step with the log.

A `CallList` asks the log once for the entries of its query (`set_query`), then follows the
log's own announcements (`CallLog.changed`): an entry added or updated so that it matches the
query takes its place in the order, one that no longer matches leaves, deleted ones go. Each
change to the list is announced before and after it happens (`about_to_change`, `changed`),
so a Qt item model adapts it into beginInsertRows/endInsertRows and the like and keeps no
rows of its own (napari's evented list and its item model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from .calllog import CallChange, CallChangeKind, CallEntry, CallLog, CallLogError
from .flexml.tree import Signal


class RowsChangeKind(Enum):
    RESET = "reset"
    INSERT = "insert"
    REMOVE = "remove"
    UPDATE = "update"


@dataclass(frozen=True)
class RowsChange:
    """Rows `first` to `last` (both included) inserted, removed or changed; RESET: all of
    them, whatever `first` and `last` say. INSERT's rows are where the new ones will be."""

    kind: RowsChangeKind
    first: int = 0
    last: int = -1


class CallList:
    """See the module docstring. Use it from the thread that uses its log."""

    def __init__(self, *, limit: int | None = None) -> None:
        self.limit = limit  # rows at most: the newest ones (like `entries(limit=...)`)
        self.outcome: str | None = None
        self.search = ""
        self.about_to_change: Signal[RowsChange] = Signal()
        self.changed: Signal[RowsChange] = Signal()
        self._log: CallLog | None = None
        self._entries: list[CallEntry] = []

    # -- reading ----------------------------------------------------------------------------

    @property
    def log(self) -> CallLog | None:
        return self._log

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, row: int) -> CallEntry:
        return self._entries[row]

    def entries(self) -> list[CallEntry]:
        """The entries listed, newest first (a copy)."""
        return list(self._entries)

    def row_of(self, entry_id: int) -> int | None:
        """The row of this entry, or None when it is not listed."""
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return row
        return None

    # -- what is listed ---------------------------------------------------------------------

    def set_log(self, log: CallLog | None) -> None:
        """Follow this log (or none) from now on; the list is empty until `set_query`."""
        if self._log is not None:
            self._log.changed.disconnect(self._on_log_changed)
        self._log = log
        if log is not None:
            log.changed.connect(self._on_log_changed)
        self._reset([])

    def set_query(self, *, outcome: str | None = None, search: str = "") -> None:
        """List the entries of this query of the log, afresh. Raises CallLogError (or
        ValueError, for an unknown outcome) and then keeps the list and query as they were."""
        entries = []
        if self._log is not None:
            entries = self._log.entries(outcome=outcome, search=search, limit=self.limit)
        self.outcome, self.search = outcome, search
        self._reset(entries)

    def reload(self) -> None:
        """Ask the log again for the current query (see `set_query`)."""
        self.set_query(outcome=self.outcome, search=self.search)

    # -- following the log --------------------------------------------------------------------

    def _on_log_changed(self, change: CallChange) -> None:
        full = self.limit is not None and len(self._entries) >= self.limit
        if change.kind is CallChangeKind.DELETED:
            self._remove_ids(change.ids)
        elif change.entry is not None:
            self._place(change.entry)
        if full:
            self._refill()

    def _place(self, entry: CallEntry) -> None:
        """Show an added or updated entry where the query puts it, or not at all."""
        wanted = self._matches(entry)
        row = self.row_of(entry.id)
        if row is not None:
            if wanted:  # an entry's time never changes, so neither does its place
                self._announce(RowsChange(RowsChangeKind.UPDATE, row, row), self._set, row, entry)
            else:
                self._remove(row, row)
            return
        if not wanted:
            return
        at = self._position(entry)
        if self.limit is not None and at >= self.limit:
            return  # older than every row of a full list: `entries` would not list it
        self._announce(RowsChange(RowsChangeKind.INSERT, at, at), self._entries.insert, at, entry)
        if self.limit is not None and len(self._entries) > self.limit:
            self._remove(self.limit, len(self._entries) - 1)

    def _refill(self) -> None:
        """A full list that lost rows lists the next older entries in their place, as
        `entries(limit=...)` would."""
        if self._log is None or self.limit is None or len(self._entries) >= self.limit:
            return
        try:
            fresh = self._log.entries(outcome=self.outcome, search=self.search, limit=self.limit)
        except CallLogError:
            return  # the rows shown are still right, only fewer: the next query fills them
        tail = fresh[len(self._entries) :]
        if tail:
            at = len(self._entries)
            change = RowsChange(RowsChangeKind.INSERT, at, at + len(tail) - 1)
            self._announce(change, self._entries.extend, tail)

    def _matches(self, entry: CallEntry) -> bool:
        if self.outcome is None and not self.search.strip():
            return True
        assert self._log is not None  # the change came from it
        return self._log.matches(entry.id, outcome=self.outcome, search=self.search)

    def _position(self, entry: CallEntry) -> int:
        # The log's order: time, then id, both descending.
        key = (entry.time, entry.id)
        for row, listed in enumerate(self._entries):
            if (listed.time, listed.id) < key:
                return row
        return len(self._entries)

    def _remove_ids(self, ids: tuple[int, ...]) -> None:
        """Remove the rows of these entries, one contiguous run of rows at a time, from the
        bottom up (so the rows still to remove keep their numbers)."""
        gone = set(ids)
        rows = [row for row, entry in enumerate(self._entries) if entry.id in gone]
        while rows:
            last = rows.pop()
            first = last
            while rows and rows[-1] == first - 1:
                first = rows.pop()
            self._remove(first, last)

    # -- announcing ---------------------------------------------------------------------------

    def _set(self, row: int, entry: CallEntry) -> None:
        self._entries[row] = entry

    def _remove(self, first: int, last: int) -> None:
        def apply() -> None:
            del self._entries[first : last + 1]

        self._announce(RowsChange(RowsChangeKind.REMOVE, first, last), apply)

    def _reset(self, entries: list[CallEntry]) -> None:
        def apply() -> None:
            self._entries = entries

        self._announce(RowsChange(RowsChangeKind.RESET), apply)

    def _announce(self, change: RowsChange, apply: Callable[..., None], *args: object) -> None:
        self.about_to_change.emit(change)
        apply(*args)
        self.changed.emit(change)
