"""The call log keeps call data for its owner only (0600, like the sandbox's credentials and
the secrets file), SQLite's side files included, and keeps error texts without anything that
looks like credentials (issue 14, "Secrets")."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui.core.calllog import CallLog

BASIC = "ZWNob19sb2dpbjpacThLeDxWdzNSeT4="  # base64("echo_login:Zq8Kx<Vw3Ry>")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The most permissive umask: whatever the file gets, the log chose."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def add(log: CallLog, error: str | None = None, **kwargs):
    return log.add("p", "15162060100", "15162065318", "http://x/", "POST", error=error, **kwargs)


def test_a_new_log_and_its_folder_are_private(tmp_path, loose_umask):
    path = tmp_path / "data" / "flexml-studio" / "calls.sqlite3"
    with CallLog(path) as log:
        add(log, outcome="placed")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_a_log_left_readable_by_an_older_version_is_made_private(tmp_path):
    path = tmp_path / "calls.sqlite3"
    with CallLog(path) as log:
        add(log, outcome="placed")
    path.chmod(0o644)
    with CallLog(path) as log:
        assert len(log.entries()) == 1  # the same log, kept
    assert mode(path) == 0o600


def test_the_wal_and_shm_files_are_private_too(tmp_path, loose_umask):
    path = tmp_path / "calls.sqlite3"
    CallLog(path).close()
    with sqlite3.connect(path) as other:  # someone turned the file to WAL mode
        assert other.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    other.close()
    with CallLog(path) as log:
        add(log, outcome="placed")
        side = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in side)
        assert {p.name: mode(p) for p in [path, *side]} == {
            "calls.sqlite3": 0o600,
            "calls.sqlite3-wal": 0o600,
            "calls.sqlite3-shm": 0o600,
        }


def test_the_journal_is_private_while_a_change_is_written(tmp_path, loose_umask):
    path = tmp_path / "calls.sqlite3"
    journal = path.with_name(path.name + "-journal")
    seen = []
    with CallLog(path) as log:
        add(log, outcome="placed")
        # The delete runs in a transaction; its journal exists once a row is gone.
        log._conn.create_function("look", 0, lambda: seen.append(mode(journal)) or 0)
        log._conn.execute("CREATE TEMP TRIGGER t AFTER DELETE ON calls BEGIN SELECT look(); END")
        assert log.delete([1]) == 1
    assert seen == [0o600]


def test_error_texts_are_kept_without_credentials(tmp_path):
    path = tmp_path / "calls.sqlite3"
    with CallLog(path) as log:
        entry = add(
            log,
            f"proxy said: Authorization: Basic {BASIC} for https://me:pw@api.example/v1",
            outcome="failed",
        )
        assert entry.error == (
            "proxy said: Authorization: Basic *** for https://***@api.example/v1"
        )
        updated = log.update(entry.id, error=f"the gateway echoed Bearer {BASIC}")
        assert updated.error == "the gateway echoed Bearer ***"
        plain = add(log, "Basic authentication failed: the password was refused", outcome="failed")
        assert plain.error == "Basic authentication failed: the password was refused"
        assert log.get(entry.id).error == "the gateway echoed Bearer ***"
    assert BASIC.encode() not in path.read_bytes()
