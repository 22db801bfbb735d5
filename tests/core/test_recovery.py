"""Crash recovery: one file per window, found again only once its process is gone."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gui import __version__
from gui.core.fileio import SaveError
from gui.core.flexml import parse
from gui.core.project import Project, ProjectError, load
from gui.core.recovery import Recovery, RecoveryStore, data_dir
from tests.conftest import ROOT


def _text(greeting: str = "Hello") -> str:
    project = Project()
    project.add_flow("main", parse(f"<Response><Say>{greeting}</Say><Hangup/></Response>".encode()))
    project.add_flow("other", parse(b"<Response><Redirect>flow:main</Redirect></Response>"))
    return project.to_text()


def _run_and_reap() -> int:
    """The id of a process that has ended (and been reaped, so it is not even a zombie)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def _left_behind(folder: Path, text: str, source: Path | None) -> Path:
    """A recovery file as a crashed window leaves it: written by a store, owned by a dead pid."""
    store = RecoveryStore(folder)
    assert store.save(text, source)
    target = folder / f"{_run_and_reap()}-{uuid.uuid4().hex}.flexproj"
    store.path.rename(target)
    return target


def test_default_folder_is_in_the_users_data_dir(tmp_path, monkeypatch):
    expected = Path(os.environ["XDG_DATA_HOME"]) / "flexml-studio" / "recovery"
    assert RecoveryStore().folder == expected
    store = RecoveryStore()
    store.save(_text(), None)
    assert store.path.parent == expected and store.path.is_file()
    # The XDG spec says a relative XDG_DATA_HOME is ignored.
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert data_dir() == Path.home() / ".local" / "share" / "flexml-studio"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert data_dir() == Path.home() / ".local" / "share" / "flexml-studio"


def test_recovery_file_is_a_valid_project_named_after_the_process(tmp_path):
    store = RecoveryStore(tmp_path)
    text = _text()
    assert store.save(text, tmp_path / "app.flexproj")
    assert store.path.name.startswith(f"{os.getpid()}-")
    assert store.path.suffix == ".flexproj"
    data = store.path.read_text(encoding="utf-8")
    assert data.startswith(text)  # the project first: it still looks like a project file
    assert "<!-- flexml-studio-recovery {" in data[len(text) :]
    assert load([store.path]).to_text() == text


def test_a_crashed_windows_file_is_pending_once_its_process_is_gone(tmp_path):
    text_file = tmp_path / "text.flexproj"
    text_file.write_text(_text("Unsaved work"), encoding="utf-8")
    source = tmp_path / "app.flexproj"
    folder = tmp_path / "recovery"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from gui.core.recovery import RecoveryStore\n"
        "store = RecoveryStore(Path(sys.argv[1]))\n"
        "store.save(Path(sys.argv[2]).read_text(encoding='utf-8'), Path(sys.argv[3]))\n"
        "print(store.path, flush=True)\n"
        "sys.stdin.read()\n"  # stays alive, like an open window, until the test lets go
    )
    before = datetime.now(UTC)
    with subprocess.Popen(
        [sys.executable, "-c", code, str(folder), str(text_file), str(source)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as child:  # leaving the block closes stdin, so the child ends even if an assert fails
        written = Path(child.stdout.readline().strip())
        assert written.is_file() and written.parent == folder
        assert written.name.startswith(f"{child.pid}-")
        assert RecoveryStore(folder).pending() == []  # its window is still open
        child.stdin.close()
        assert child.wait(timeout=60) == 0
    after = datetime.now(UTC)

    store = RecoveryStore(folder)
    [recovery] = store.pending()
    assert recovery.path == written
    assert recovery.source_path == source
    assert recovery.version == __version__
    assert recovery.problem is None
    assert before <= recovery.saved_at <= after
    project = recovery.load()
    assert project.to_text() == _text("Unsaved work")
    assert project.path == source  # saving puts the work back where it came from
    store.discard(recovery)
    assert not written.exists()
    assert store.pending() == []


def test_two_windows_write_separate_files(tmp_path):
    first, second = RecoveryStore(tmp_path), RecoveryStore(tmp_path)
    assert first.path != second.path
    first.save(_text("First"), None)
    second.save(_text("Second"), None)
    assert load([first.path]).to_text() == _text("First")
    assert load([second.path]).to_text() == _text("Second")
    assert RecoveryStore(tmp_path).pending() == []  # both belong to this running process


def test_unchanged_text_is_not_rewritten(tmp_path):
    store = RecoveryStore(tmp_path)
    assert store.save(_text(), None)
    stat = store.path.stat()
    assert not store.save(_text(), None)
    again = store.path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    # A new source (Save As) or new text is written.
    assert store.save(_text(), tmp_path / "named.flexproj")
    assert store.save(_text("Changed"), tmp_path / "named.flexproj")
    assert load([store.path]).to_text() == _text("Changed")


def test_clear_removes_only_this_windows_file(tmp_path):
    mine, other = RecoveryStore(tmp_path), RecoveryStore(tmp_path)
    mine.save(_text(), None)
    other.save(_text(), None)
    mine.clear()
    assert not mine.path.exists()
    assert other.path.is_file()
    mine.clear()  # nothing left to clear is fine
    assert mine.save(_text(), None)  # the same text is written again after a clear
    assert mine.path.is_file()


def _backdate(path: Path, saved: str) -> None:
    """Rewrite the time in a recovery file's header (the format the module docstring gives)."""
    text = path.read_text(encoding="utf-8")
    start = text.index('"saved": "') + len('"saved": "')
    end = text.index('"', start)
    path.write_text(text[:start] + saved.replace("-", "\\u002d") + text[end:], encoding="utf-8")


def test_pending_is_newest_first_and_ignores_other_files(tmp_path):
    middle = _left_behind(tmp_path, _text("Middle"), tmp_path / "a.flexproj")
    newest = _left_behind(tmp_path, _text("Newest"), None)
    oldest = _left_behind(tmp_path, _text("Oldest"), None)
    _backdate(oldest, "2020-01-01T00:00:00+00:00")
    _backdate(middle, "2022-06-01T12:00:00+00:00")
    (tmp_path / "notes.txt").write_text("not a recovery file")
    (tmp_path / f".{newest.name}.x1y2.tmp").write_text("a temporary file of a save")
    (tmp_path / f"{_run_and_reap()}-short.flexproj").write_text("wrong name")
    pending = RecoveryStore(tmp_path).pending()
    assert [r.path for r in pending] == [newest, middle, oldest]
    assert pending[1].saved_at == datetime(2022, 6, 1, 12, tzinfo=UTC)
    assert pending[1].source_path == tmp_path / "a.flexproj"
    assert all(r.problem is None for r in pending)
    untitled = pending[0].load()
    assert untitled.path is None and untitled.to_text() == _text("Newest")


def test_missing_folder_has_nothing_pending(tmp_path):
    assert RecoveryStore(tmp_path / "never-created").pending() == []


def test_source_path_with_dashes_and_other_scripts_survives_the_header(tmp_path):
    source = tmp_path / "my--app -- Ünïcode 名前.flexproj"
    path = _left_behind(tmp_path, _text(), source)
    assert "--" not in path.read_text(encoding="utf-8").rsplit("<!--", 1)[1].rsplit("-->")[0]
    [recovery] = RecoveryStore(tmp_path).pending()
    assert recovery.source_path == source
    assert recovery.problem is None
    assert recovery.load().path == source


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x00\xff garbage, not XML", "header is missing"),
        (_text().encode()[:40], "header is missing"),  # cut short
        (
            _text().encode() + b"<!-- flexml-studio-recovery {not json} -->\n",
            "header is unreadable",
        ),
        (
            _text().encode() + b'<!-- flexml-studio-recovery {"source": 5} -->\n',
            "header is unreadable",
        ),
    ],
)
def test_a_damaged_file_is_reported_not_raised(tmp_path, content, problem):
    path = tmp_path / f"{_run_and_reap()}-{uuid.uuid4().hex}.flexproj"
    path.write_bytes(content)
    store = RecoveryStore(tmp_path)
    [recovery] = store.pending()
    assert recovery.path == path
    assert recovery.source_path is None
    assert problem in recovery.problem
    assert recovery.saved_at.tzinfo is not None
    store.discard(recovery)
    assert store.pending() == []


def test_loading_a_damaged_project_raises_a_project_error_naming_the_file(tmp_path):
    good = _left_behind(tmp_path, _text(), None)
    data = good.read_text(encoding="utf-8")
    good.write_text(data.replace("</flexml-project>", ""), encoding="utf-8")  # header intact
    [recovery] = RecoveryStore(tmp_path).pending()
    assert recovery.problem is None
    with pytest.raises(ProjectError, match=f"recovery file {good.name} cannot be read"):
        recovery.load()
    garbage = tmp_path / f"{_run_and_reap()}-{uuid.uuid4().hex}.flexproj"
    garbage.write_bytes(b"\x00\xff")
    damaged = next(r for r in RecoveryStore(tmp_path).pending() if r.path == garbage)
    with pytest.raises(ProjectError):
        damaged.load()


def test_discard_refuses_a_file_outside_the_folder(tmp_path):
    elsewhere = tmp_path / "project.flexproj"
    elsewhere.write_text(_text())
    store = RecoveryStore(tmp_path / "recovery")
    with pytest.raises(ValueError, match="not in the recovery folder"):
        store.discard(Recovery(elsewhere, None, datetime.now(UTC), __version__))
    assert elsewhere.is_file()


def test_a_folder_that_cannot_be_created_is_a_save_error(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    store = RecoveryStore(blocker / "recovery")
    with pytest.raises(SaveError, match="could not create the recovery folder"):
        store.save(_text(), None)
    blocker.unlink()
    assert store.save(_text(), None)  # the failed save was not taken as written
    assert store.path.is_file()
