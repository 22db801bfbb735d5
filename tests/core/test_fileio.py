"""Atomic saving: temp file, fsync, rename, NAME.bak; real failures leave the old file intact.

Failures are real, not mocked: a full disk is a subprocess under a small RLIMIT_FSIZE (with
SIGXFSZ ignored, so writes fail with EFBIG) and, as root, a tiny tmpfs; permission denied is
a subprocess that drops to uid 65534 as root, or a chmod-ed folder otherwise.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gui.core.fileio import SaveError, atomic_write, describe_os_error
from gui.core.flexml import parse
from gui.core.project import Project

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = os.geteuid() == 0
NOBODY = 65534
SECRET = "s3cret-token-0123456789"

# Runs one atomic_write in a child process, under a file-size limit and/or as another user.
# Everything is imported before privileges are dropped (the interpreter may live in a folder
# that uid 65534 cannot read).
SAVE_SCRIPT = """
import json, os, resource, signal, sys
from gui.core.fileio import SaveError, atomic_write
args = json.loads(sys.argv[1])
data = sys.stdin.buffer.read()
if args["fsize_limit"] is not None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (args["fsize_limit"], args["fsize_limit"]))
if args["uid"] is not None:
    os.setgroups([])
    os.setgid(args["uid"])
    os.setuid(args["uid"])
try:
    atomic_write(args["path"], data, backup=args["backup"])
except SaveError as exc:
    print(json.dumps({"saved": False, "error": str(exc)}))
else:
    print(json.dumps({"saved": True, "error": None}))
"""


def save_in_child(
    path: Path,
    data: str,
    *,
    backup: bool = True,
    fsize_limit: int | None = None,
    uid: int | None = None,
) -> str | None:
    """atomic_write in a subprocess; the SaveError message, or None when it saved."""
    args = {
        "path": str(path),
        "backup": backup,
        "fsize_limit": fsize_limit,
        "uid": uid,
    }
    result = subprocess.run(
        [sys.executable, "-c", SAVE_SCRIPT, json.dumps(args)],
        cwd=ROOT,
        input=data.encode("utf-8"),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    outcome = json.loads(result.stdout)
    return outcome["error"]


def text_of_size(size: int, marker: str = "") -> str:
    head = f"<!-- {marker} {SECRET} -->\n"
    return head + "x" * (size - len(head))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_clean_message(message: str, path: Path, reason: str, *, unchanged: bool) -> None:
    expected = f"could not save {path}: {reason}"
    if unchanged:
        expected += "; the previous version is unchanged"
    assert message == expected
    assert SECRET not in message
    assert "Errno" not in message
    assert "Traceback" not in message


# -- saving that works -------------------------------------------------------------------


def test_atomic_write_writes_exactly_the_data_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "flow.xml"
    data = "<Response><Say>caf\u00e9 \u260e</Say></Response>\n".encode()
    atomic_write(target, data)
    assert target.read_bytes() == data
    assert listing(tmp_path) == ["flow.xml"]


def test_new_file_gets_the_umask_mode(tmp_path):
    old_umask = os.umask(0o027)
    try:
        atomic_write(tmp_path / "a.xml", b"a")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "a.xml").stat().st_mode) == 0o640


def test_overwrite_keeps_the_mode_of_the_old_file(tmp_path):
    target = tmp_path / "a.xml"
    target.write_bytes(b"old")
    target.chmod(0o604)
    atomic_write(target, b"new", backup=True)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


def test_backup_keeps_the_previous_version(tmp_path):
    target = tmp_path / "p.flexproj"
    atomic_write(target, b"one", backup=True)
    assert listing(tmp_path) == ["p.flexproj"]  # nothing to back up yet
    atomic_write(target, b"two", backup=True)
    assert (tmp_path / "p.flexproj.bak").read_bytes() == b"one"
    atomic_write(target, b"three", backup=True)
    assert target.read_bytes() == b"three"
    assert (tmp_path / "p.flexproj.bak").read_bytes() == b"two"
    assert listing(tmp_path) == ["p.flexproj", "p.flexproj.bak"]


def test_no_backup_unless_asked(tmp_path):
    target = tmp_path / "a.xml"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert listing(tmp_path) == ["a.xml"]


def test_saving_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "p.flexproj"
    real.write_bytes(b"old")
    link = tmp_path / "link.flexproj"
    link.symlink_to(real)
    atomic_write(link, b"new", backup=True)
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert (real_dir / "p.flexproj.bak").read_bytes() == b"old"
    assert listing(tmp_path) == ["link.flexproj", "real"]
    assert listing(real_dir) == ["p.flexproj", "p.flexproj.bak"]


def test_relative_path_saves_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    atomic_write("plain.xml", b"x", backup=True)
    atomic_write("plain.xml", b"y", backup=True)
    assert listing(tmp_path) == ["plain.xml", "plain.xml.bak"]


# -- saving that fails in the path itself -------------------------------------------------


def test_a_folder_in_the_way(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_bytes(b"keep")
    with pytest.raises(SaveError) as info:
        atomic_write(target, b"data", backup=True)
    assert_clean_message(
        str(info.value), target, "a folder of that name is in the way", unchanged=False
    )
    assert listing(tmp_path) == ["taken"]
    assert listing(target) == ["inside"]


def test_missing_folder(tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "a.xml"
    with pytest.raises(SaveError) as info:
        atomic_write(target, b"data")
    assert_clean_message(str(info.value), target, "the folder does not exist", unchanged=False)
    assert listing(tmp_path) == []


def test_a_file_where_a_folder_should_be(tmp_path):
    (tmp_path / "file").write_bytes(b"keep")
    target = tmp_path / "file" / "a.xml"
    with pytest.raises(SaveError) as info:
        atomic_write(target, b"data")
    assert_clean_message(
        str(info.value), target, "a part of the path is not a folder", unchanged=False
    )
    assert (tmp_path / "file").read_bytes() == b"keep"


# -- a full disk -------------------------------------------------------------------------


def _prepare(folder: Path, old: str, bak: str | None) -> Path:
    target = folder / "p.flexproj"
    target.write_text(old, "utf-8")
    if bak is not None:
        (folder / "p.flexproj.bak").write_text(bak, "utf-8")
    return target


def test_file_size_limit_leaves_old_file_and_backup_intact(tmp_path):
    old = text_of_size(200, "old")
    older = text_of_size(150, "older")
    target = _prepare(tmp_path, old, older)
    message = save_in_child(
        target, text_of_size(64 * 1024, "new"), fsize_limit=16 * 1024, backup=True
    )
    assert message is not None
    assert_clean_message(
        message, target, "the file is too large for this file system", unchanged=True
    )
    assert target.read_text("utf-8") == old
    assert (tmp_path / "p.flexproj.bak").read_text("utf-8") == older
    assert listing(tmp_path) == ["p.flexproj", "p.flexproj.bak"]


def test_file_size_limit_while_writing_the_backup_leaves_everything_intact(tmp_path):
    # The old file is over the limit, so copying it to NAME.bak fails after the new
    # version was written to its temp file: both temp files must go.
    old = text_of_size(48 * 1024, "old")
    older = text_of_size(100, "older")
    target = _prepare(tmp_path, old, older)
    message = save_in_child(target, text_of_size(1024, "new"), fsize_limit=16 * 1024)
    assert message is not None
    assert_clean_message(
        message, target, "the file is too large for this file system", unchanged=True
    )
    assert target.read_text("utf-8") == old
    assert (tmp_path / "p.flexproj.bak").read_text("utf-8") == older
    assert listing(tmp_path) == ["p.flexproj", "p.flexproj.bak"]


def test_file_size_limit_is_not_hit_by_a_small_save(tmp_path):
    # The same child process saves fine when the data fits: the failures above are the
    # limit's doing, not the harness's.
    old = text_of_size(200, "old")
    target = _prepare(tmp_path, old, None)
    new = text_of_size(4 * 1024, "new")
    assert save_in_child(target, new, fsize_limit=16 * 1024) is None
    assert target.read_text("utf-8") == new
    assert (tmp_path / "p.flexproj.bak").read_text("utf-8") == old
    assert listing(tmp_path) == ["p.flexproj", "p.flexproj.bak"]


@dataclass
class SmallDisk:
    """A folder where at most about 64 KiB can be written, and what a failure says."""

    folder: Path
    fsize_limit: int | None  # the rlimit stand-in when a file system cannot be mounted
    reason: str
    backup_fails_sizes: tuple[int, int]  # (old, new): the new fits, the .bak does not


@pytest.fixture
def small_disk(tmp_path) -> Iterator[SmallDisk]:
    """As root, a real 64 KiB tmpfs; otherwise a 64 KiB RLIMIT_FSIZE on the saving process."""
    if IS_ROOT:
        mount_point = tmp_path / "tiny"
        mount_point.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount_point)],
            check=True,
            capture_output=True,
        )
        try:
            yield SmallDisk(mount_point, None, "the disk is full", (24 * 1024, 24 * 1024))
        finally:
            subprocess.run(["umount", str(mount_point)], check=True, capture_output=True)
    else:
        yield SmallDisk(
            tmp_path,
            64 * 1024,
            "the file is too large for this file system",
            (80 * 1024, 24 * 1024),
        )


def test_full_disk_leaves_old_file_and_backup_intact(small_disk):
    folder = small_disk.folder
    old = text_of_size(2 * 1024, "old")
    older = text_of_size(1024, "older")
    target = _prepare(folder, old, older)
    message = save_in_child(
        target, text_of_size(256 * 1024, "new"), fsize_limit=small_disk.fsize_limit
    )
    assert message is not None
    assert_clean_message(message, target, small_disk.reason, unchanged=True)
    assert target.read_text("utf-8") == old
    assert (folder / "p.flexproj.bak").read_text("utf-8") == older
    assert listing(folder) == ["p.flexproj", "p.flexproj.bak"]
    # Once the data fits, the same disk takes the save.
    new = text_of_size(4 * 1024, "new")
    assert save_in_child(target, new, fsize_limit=small_disk.fsize_limit) is None
    assert target.read_text("utf-8") == new
    assert (folder / "p.flexproj.bak").read_text("utf-8") == old


def test_full_disk_while_writing_the_backup_leaves_everything_intact(small_disk):
    folder = small_disk.folder
    old_size, new_size = small_disk.backup_fails_sizes
    old = text_of_size(old_size, "old")
    target = _prepare(folder, old, None)
    message = save_in_child(
        target, text_of_size(new_size, "new"), fsize_limit=small_disk.fsize_limit
    )
    assert message is not None
    assert_clean_message(message, target, small_disk.reason, unchanged=True)
    assert target.read_text("utf-8") == old
    assert listing(folder) == ["p.flexproj"]  # no .bak, no temp files


def test_full_disk_without_backup_writes_the_same_size_fine(small_disk):
    # Without a backup copy the same sizes fit: the failure above is the .bak's.
    folder = small_disk.folder
    old_size, new_size = small_disk.backup_fails_sizes
    target = _prepare(folder, text_of_size(old_size, "old"), None)
    new = text_of_size(new_size, "new")
    assert save_in_child(target, new, backup=False, fsize_limit=small_disk.fsize_limit) is None
    assert target.read_text("utf-8") == new
    assert listing(folder) == ["p.flexproj"]


# -- no permission -----------------------------------------------------------------------


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder other users can reach (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="flexml-fileio-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        for child in folder.iterdir():
            if child.is_dir():
                child.chmod(0o755)
        shutil.rmtree(folder)


def _save_without_permission(target: Path, data: str) -> str | None:
    """Save as a user who may not write in target's folder: uid 65534 as root, else us."""
    return save_in_child(target, data, uid=NOBODY if IS_ROOT else None)


def test_no_permission_to_write_in_the_folder(shared_folder):
    folder = shared_folder / "project"
    folder.mkdir()
    old = text_of_size(300, "old")
    older = text_of_size(200, "older")
    target = _prepare(folder, old, older)
    for path in folder.iterdir():
        path.chmod(0o644)
    folder.chmod(0o755 if IS_ROOT else 0o555)  # as root, uid 65534 may read, not write

    message = _save_without_permission(target, text_of_size(500, "new"))

    assert message is not None
    assert_clean_message(message, target, "no permission to write there", unchanged=True)
    folder.chmod(0o755)
    assert target.read_text("utf-8") == old
    assert (folder / "p.flexproj.bak").read_text("utf-8") == older
    assert listing(folder) == ["p.flexproj", "p.flexproj.bak"]


def test_no_permission_to_even_look_into_the_folder(shared_folder):
    # stat() itself fails with EACCES: that too is a SaveError, not a PermissionError.
    folder = shared_folder / "private"
    folder.mkdir()
    old = text_of_size(300, "old")
    target = _prepare(folder, old, None)
    folder.chmod(0o700 if IS_ROOT else 0o000)

    message = _save_without_permission(target, text_of_size(500, "new"))

    folder.chmod(0o755)
    assert message is not None
    # Whether an old version exists cannot be seen from there, so it is not claimed.
    assert_clean_message(message, target, "no permission to write there", unchanged=False)
    assert target.read_text("utf-8") == old
    assert listing(folder) == ["p.flexproj"]


def test_the_same_save_works_with_permission(shared_folder):
    # The harness itself is not what fails above: with a writable folder it saves.
    folder = shared_folder / "open"
    folder.mkdir()
    target = _prepare(folder, text_of_size(300, "old"), None)
    folder.chmod(0o777)
    new = text_of_size(500, "new")
    assert _save_without_permission(target, new) is None
    assert target.read_text("utf-8") == new
    assert listing(folder) == ["p.flexproj", "p.flexproj.bak"]


# -- projects use it ---------------------------------------------------------------------


def test_project_save_failure_raises_save_error_and_keeps_the_old_path(tmp_path):
    project = Project()
    project.add_flow("main", parse(b"<Response><Hangup/></Response>"))
    saved = project.save(tmp_path / "p.flexproj")
    blocked = tmp_path / "blocked.flexproj"
    blocked.mkdir()
    with pytest.raises(SaveError, match="a folder of that name is in the way"):
        project.save(blocked)
    assert project.path == saved
    assert listing(tmp_path) == ["blocked.flexproj", "p.flexproj"]


# -- messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk quota is used up"),
        (errno.EFBIG, "the file is too large for this file system"),
        (errno.EACCES, "no permission to write there"),
        (errno.EPERM, "no permission to write there"),
        (errno.EROFS, "the file system is read-only"),
        (errno.ENOENT, "the folder does not exist"),
        (errno.ENOTDIR, "a part of the path is not a folder"),
        (errno.EISDIR, "a folder of that name is in the way"),
    ],
)
def test_describe_os_error_known_reasons(code, reason):
    assert describe_os_error(OSError(code, os.strerror(code), "/secret/path")) == reason


def test_describe_os_error_other_reasons_are_the_system_text_in_lower_case():
    assert describe_os_error(OSError(errno.EIO, "Input/output error")) == "input/output error"
    assert describe_os_error(OSError("something odd")) == "something odd"
