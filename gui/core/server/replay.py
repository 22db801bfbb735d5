"""Replay: what the flow server would answer a logged request now, and how that differs.

`answer` goes through the server's own routing (`routes.route`), so it cannot drift from what
a request over HTTP gets. What it cannot redo is what the record does not hold: the access
token (the logged path is already without it) and the request's body, so a request refused
for either (403, or 400, 408, 413) is answered as if its token and body had been fine.

A request to a switch is replayed with its logged parameters (the body's fields included)
at its logged time (`replay`), so opening hours choose as they did then: what changes the
answer is the project, not the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from difflib import SequenceMatcher
from typing import Literal

from .records import RequestRecord
from .routes import route
from .snapshot import Snapshot

DiffKind = Literal["same", "changed", "removed", "added"]
DiffRow = tuple[DiffKind, str, str]
BEFORE_ROUTING = frozenset({400, 403, 408, 413})  # refused before (or around) the routes


def answer(
    snapshot: Snapshot,
    method: str,
    path: str,
    params: Mapping[str, object] | None = None,
    moment: datetime | None = None,
) -> tuple[int, bytes]:
    """The status and the exact body bytes the server answers `method path` from
    `snapshot` (`path` as logged: without /t/TOKEN), a switch choosing with `params` at
    `moment` (now if None). HEAD answers no body, as over HTTP."""
    found = route(snapshot, method, path, params, moment)
    return found.status, b"" if method == "HEAD" else found.body


def replay(snapshot: Snapshot, record: RequestRecord) -> tuple[int, bytes]:
    """What the server answers the logged request now, from `snapshot`: its method, path
    and parameters, at its own time (see the module's note)."""
    moment = datetime.fromtimestamp(record.time, UTC)
    return answer(snapshot, record.method, record.path, record.params, moment)


def diff_lines(old: bytes, new: bytes) -> list[DiffRow]:
    """Side-by-side rows (kind, old line, new line) from the two bodies' lines (UTF-8).

    "same" rows hold the line on both sides; a "changed" row pairs an old line with the
    new one that took its place; "removed" has no new line and "added" no old one (""),
    so the rows line the two sides up.
    """
    old_lines = _lines(old)
    new_lines = _lines(new)
    rows: list[DiffRow] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(("same", line, line) for line in old_lines[i1:i2])
            continue
        olds, news = old_lines[i1:i2], new_lines[j1:j2]
        paired = min(len(olds), len(news))
        rows.extend(("changed", a, b) for a, b in zip(olds[:paired], news[:paired], strict=True))
        rows.extend(("removed", a, "") for a in olds[paired:])
        rows.extend(("added", "", b) for b in news[paired:])
    return rows


def changed_count(rows: list[DiffRow]) -> int:
    """How many rows of a diff are not the same on both sides."""
    return sum(kind != "same" for kind, _old, _new in rows)


def summary(old_status: int, old_body: bytes, new_status: int, new_body: bytes) -> str:
    """One line for people: "unchanged", "3 lines changed", "status 200 -> 404, 7 lines
    changed"; a note when the logged request was refused before routing."""
    parts = []
    if old_status != new_status:
        parts.append(f"status {old_status} -> {new_status}")
    if old_body != new_body:
        lines = changed_count(diff_lines(old_body, new_body))
        if lines == 0:  # only line endings or the final newline differ
            parts.append("only line endings changed")
        else:
            parts.append("1 line changed" if lines == 1 else f"{lines} lines changed")
    text = ", ".join(parts) or "unchanged"
    if old_status in BEFORE_ROUTING and old_status != new_status:
        text += (
            f" (the logged request was refused with {old_status} for its token or body, "
            "which a replay does not repeat)"
        )
    return text


def _lines(body: bytes) -> list[str]:
    return body.decode("utf-8", "replace").splitlines()
