"""Saving and exporting under attack (issue 14, "Files"), each attack made for real in
tmp_path: a named pipe, devices, a loop of links, a read-only file, a link planted in the
export folder, and the temporary files a crashed save leaves behind.

Saves that could block (a pipe opened for reading waits for a writer for ever) run in a
child process with a time limit, so a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gui.core.fileio import (
    STALE_AFTER,
    ReadOnlyError,
    SaveError,
    atomic_write,
    remove_stale_temporaries,
)
from gui.core.flexml import parse
from gui.core.project import Project

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).with_name("flexml-studio")
IS_ROOT = os.geteuid() == 0
BOUND = 20  # seconds any one save may take here; refusing takes milliseconds
PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response><Say>Hello</Say><Redirect>flow:menu</Redirect></Response>
  </flow>
  <flow name="menu">
    <Response><Say>Menu</Say></Response>
  </flow>
</flexml-project>
"""

# One save in a child process: atomic_write, or Project.save (which keeps NAME.bak).
SAVE_SCRIPT = """
import json, sys
from gui.core.fileio import SaveError, atomic_write
from gui.core.flexml import parse
from gui.core.project import Project
args = json.loads(sys.argv[1])
try:
    if args["project"]:
        project = Project()
        project.add_flow("main", parse(b"<Response><Hangup/></Response>"))
        project.save(args["path"])
    else:
        atomic_write(args["path"], b"new", backup=args["backup"])
except SaveError as exc:
    print(json.dumps({"error": str(exc), "kind": type(exc).__name__}))
else:
    print(json.dumps({"error": None, "kind": None}))
"""


def save_in_child(path: Path, *, project: bool = False, backup: bool = False) -> dict:
    """One save in a child process, killed after BOUND seconds (then the test fails)."""
    args = json.dumps({"path": str(path), "project": project, "backup": backup})
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", SAVE_SCRIPT, args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    outcome["seconds"] = time.monotonic() - started
    return outcome


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(EXE), *args], cwd=cwd, capture_output=True, text=True, timeout=BOUND
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- special files are never replaced ------------------------------------------------------


@pytest.mark.parametrize("project", [False, True], ids=["atomic_write", "project-save"])
def test_a_named_pipe_is_refused_at_once_and_stays_a_pipe(tmp_path, project):
    fifo = tmp_path / "p.flexproj"
    os.mkfifo(fifo)
    outcome = save_in_child(fifo, project=project, backup=True)
    assert outcome["error"] == (
        f"could not save {fifo}: it is a named pipe (FIFO), not a file, and was left as it is"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert listing(tmp_path) == ["p.flexproj"]  # no temporary file, no .bak


def test_a_link_to_a_device_is_refused_and_the_device_left_alone(tmp_path):
    # Works for any user: without the check, root would replace /dev/null, others get
    # "no permission" for /dev instead of the reason.
    link = tmp_path / "flow.xml"
    link.symlink_to("/dev/null")
    outcome = save_in_child(link)
    assert outcome["error"] == (
        f"could not save {link}: it is a device, not a file, and was left as it is"
    )
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert link.is_symlink()


@pytest.mark.skipif(not IS_ROOT, reason="only root can make a device node or write in /dev")
def test_as_root_a_device_node_and_dev_null_itself_are_refused(tmp_path):
    # First a private copy of /dev/null's device: if that were replaced, the real
    # /dev/null is not tried.
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    outcome = save_in_child(node, backup=True)
    assert outcome["kind"] == "SaveError" and "it is a device" in outcome["error"]
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert listing(tmp_path) == ["null"]

    before = sorted(os.listdir("/dev"))
    outcome = save_in_child(Path("/dev/null"), project=True)
    assert outcome["error"] == (
        "could not save /dev/null: it is a device, not a file, and was left as it is"
    )
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert sorted(os.listdir("/dev")) == before  # no .null.*.tmp, no null.bak


def test_a_loop_of_links_is_refused_and_stays_a_loop(tmp_path):
    first, second = tmp_path / "a.flexproj", tmp_path / "b.flexproj"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    outcome = save_in_child(first, project=True)
    assert outcome["error"] == (f"could not save {first}: its symbolic links go round in a loop")
    assert os.readlink(first) == "b.flexproj" and os.readlink(second) == "a.flexproj"
    assert listing(tmp_path) == ["a.flexproj", "b.flexproj"]


def test_a_link_to_a_pipe_is_refused_and_both_kept(tmp_path):
    # The same refusal through a followed link: the link's target is a pipe.
    fifo = tmp_path / "real.xml"
    os.mkfifo(fifo)
    link = tmp_path / "link.xml"
    link.symlink_to(fifo.name)
    outcome = save_in_child(link)
    assert "it is a named pipe (FIFO)" in outcome["error"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink()


# -- read-only files ---------------------------------------------------------------------


def test_a_read_only_file_is_replaced_only_when_asked_to(tmp_path):
    target = tmp_path / "p.flexproj"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(ReadOnlyError) as caught:
        atomic_write(target, b"new", backup=True)
    assert str(caught.value) == (
        f"could not save {target}: the file is read-only; the previous version is unchanged"
    )
    assert caught.value.path == target
    assert target.read_bytes() == b"old" and listing(tmp_path) == ["p.flexproj"]

    atomic_write(target, b"new", backup=True, replace_read_only=True)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444  # still read-only, as it was
    assert (tmp_path / "p.flexproj.bak").read_bytes() == b"old"


def test_a_project_saved_onto_a_read_only_file_is_refused(tmp_path):
    target = tmp_path / "p.flexproj"
    target.write_text(PROJECT)
    target.chmod(0o400)
    outcome = save_in_child(target, project=True)
    assert outcome["kind"] == "ReadOnlyError"
    assert target.read_text() == PROJECT


# -- the command line --------------------------------------------------------------------


@pytest.fixture
def work(tmp_path) -> Path:
    (tmp_path / "app.flexproj").write_text(PROJECT)
    return tmp_path


def test_export_refuses_a_read_only_file_without_force_and_replaces_it_with(work):
    target = work / "menu.xml"
    target.write_text("old")
    target.chmod(0o444)
    run = cli("export", "app.flexproj", "--flow", "menu", "-o", "menu.xml", cwd=work)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "flexml-studio: could not save menu.xml: the file is read-only; the previous "
        "version is unchanged (use --force to replace it)"
    ]
    assert target.read_text() == "old"

    run = cli("export", "app.flexproj", "--flow", "menu", "-o", "menu.xml", "--force", cwd=work)
    assert run.returncode == 0, run.stderr
    assert "<Say>Menu</Say>" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_export_all_refuses_a_read_only_file_before_writing_any(work):
    out = work / "site"
    out.mkdir()
    (out / "menu.xml").write_text("old")
    (out / "menu.xml").chmod(0o444)
    run = cli("export", "app.flexproj", "--all", "site", "--base-url", "http://x", cwd=work)
    assert run.returncode == 2
    assert "site/menu.xml: the file is read-only" in run.stderr
    assert "(use --force to replace it)" in run.stderr
    assert listing(out) == ["menu.xml"]  # main.xml was not written either
    run = cli(
        "export", "app.flexproj", "--all", "site", "--base-url", "http://x", "--force", cwd=work
    )
    assert run.returncode == 0, run.stderr
    assert listing(out) == ["main.xml", "menu.xml"]
    assert "<Say>Menu</Say>" in (out / "menu.xml").read_text()


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_export_all_never_follows_a_link_planted_in_the_folder(work, force):
    outside = work / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("keep me")
    out = work / "site"
    out.mkdir()
    (out / "menu.xml").symlink_to(victim)
    extra = ["--force"] if force else []
    run = cli("export", "app.flexproj", "--all", "site", "--base-url", "http://x", *extra, cwd=work)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "flexml-studio: could not save site/menu.xml: it is a symbolic link, which is not "
        "followed here (remove it, or export to another folder)"
    ]
    assert victim.read_text() == "keep me"
    assert (out / "menu.xml").is_symlink() and listing(out) == ["menu.xml"]
    assert listing(outside) == ["victim.txt"]


def test_export_all_refuses_a_link_to_a_file_not_there_yet(work):
    # A dangling link is the same trap: following it would create a file outside.
    out = work / "site"
    out.mkdir()
    planted = work / "outside-new.txt"
    (out / "main.xml").symlink_to(planted)
    run = cli("export", "app.flexproj", "--all", "site", "--base-url", "http://x", cwd=work)
    assert run.returncode == 2 and "is a symbolic link" in run.stderr
    assert not planted.exists()


def test_export_onto_a_pipe_is_refused_at_once(work):
    os.mkfifo(work / "menu.xml")
    out = work / "site"
    out.mkdir()
    os.mkfifo(out / "main.xml")
    started = time.monotonic()
    single = cli("export", "app.flexproj", "-o", "menu.xml", cwd=work)
    every = cli("export", "app.flexproj", "--all", "site", "--base-url", "http://x", cwd=work)
    assert time.monotonic() - started < BOUND
    assert single.returncode == 2 and "it is a named pipe (FIFO)" in single.stderr
    assert every.returncode == 2 and "it is a named pipe (FIFO)" in every.stderr
    assert stat.S_ISFIFO(os.lstat(work / "menu.xml").st_mode)
    assert listing(out) == ["main.xml"] and stat.S_ISFIFO(os.lstat(out / "main.xml").st_mode)


# -- temporary files of a crashed save ---------------------------------------------------

# What a save does before it renames: a temporary file made as atomic_write makes it,
# written, and then the process dies (SIGKILL: nothing runs after it).
CRASH_SCRIPT = """
import os, signal, sys, tempfile
folder, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
os.write(fd, b"x" * size)
os.fsync(fd)
print(tmp, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""

# A save that is still running: it holds its temporary file locked, as atomic_write does.
RUNNING_SCRIPT = """
import fcntl, os, sys, tempfile, time
folder, name = sys.argv[1], sys.argv[2]
fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
fcntl.flock(fd, fcntl.LOCK_EX)
print(tmp, flush=True)
sys.stdin.read()  # until the test is done with it
"""


def crashed_save(folder: Path, name: str, size: int = 100_000) -> Path:
    result = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(folder), name, str(size)],
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    assert result.returncode == -9, result.stderr
    return Path(result.stdout.strip())


def backdate(path: Path, seconds: float = 60) -> None:
    """As if the crash was a minute ago (lutime: a link itself, not its target)."""
    when = time.time() - seconds
    os.utime(path, (when, when), follow_symlinks=False)


def test_the_next_save_removes_the_temporary_files_of_crashed_saves(tmp_path):
    project = Project()
    project.add_flow("main", parse(b"<Response><Hangup/></Response>"))
    target = tmp_path / "p.flexproj"
    project.save(target)
    left = [crashed_save(tmp_path, "p.flexproj") for _ in range(3)]
    left.append(crashed_save(tmp_path, "p.flexproj.bak"))  # the backup copy's own
    for path in left:
        assert path.stat().st_size == 100_000
        backdate(path)
    project.save(target)
    assert listing(tmp_path) == ["p.flexproj", "p.flexproj.bak"]


def test_a_fresh_temporary_file_is_kept_until_it_is_stale(tmp_path):
    # The instant between creating and locking a temporary file is covered by its age.
    left = crashed_save(tmp_path, "p.flexproj")
    assert remove_stale_temporaries(tmp_path / "p.flexproj") == []
    assert left.exists()
    backdate(left, STALE_AFTER + 1)
    assert remove_stale_temporaries(tmp_path / "p.flexproj") == [left]


def test_only_our_own_stale_files_are_removed(tmp_path):
    target = tmp_path / "p.flexproj"
    target.write_text(PROJECT)
    ours = crashed_save(tmp_path, "p.flexproj")
    others = {
        ".p.flexproj.notes.tmp": "not a save's name",
        ".p.flexproj.abcdefgh.tmp.keep": "not a save's name",
        ".other.flexproj.abcdefgh.tmp": "another file's",
        "p.flexproj.abcdefgh.tmp": "not hidden: not ours",
        ".p.flexproj.ABCDEFGH.tmp": "mkstemp never uses capitals",
    }
    for name in others:
        (tmp_path / name).write_text("someone's")
    (tmp_path / ".p.flexproj.dir_____.tmp").mkdir()  # a folder named like one
    outside = tmp_path / "outside.txt"
    outside.write_text("a link's target")
    (tmp_path / ".p.flexproj.link____.tmp").symlink_to(outside)
    linked = tmp_path / ".p.flexproj.hardlink.tmp"
    os.link(outside, linked)  # a second name of a file that is not ours
    names = [*others, ".p.flexproj.dir_____.tmp", ".p.flexproj.link____.tmp", linked.name]
    if IS_ROOT:
        foreign = tmp_path / ".p.flexproj.nobody__.tmp"
        foreign.write_text("uid 65534's")
        os.chown(foreign, 65534, 65534)
        names.append(foreign.name)
    for name in [*names, ours.name, "outside.txt"]:
        backdate(tmp_path / name)

    atomic_write(target, b"saved", backup=True)

    assert not ours.exists()
    assert listing(tmp_path) == sorted([*names, "outside.txt", "p.flexproj", "p.flexproj.bak"])
    assert outside.read_text() == "a link's target"


def test_a_running_saves_temporary_file_is_never_removed(tmp_path):
    running = subprocess.Popen(
        [sys.executable, "-c", RUNNING_SCRIPT, str(tmp_path), "p.flexproj"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held = Path(running.stdout.readline().strip())
        backdate(held, 3600)  # old, but locked: its save is alive
        atomic_write(tmp_path / "p.flexproj", b"saved")
        assert held.exists()
    finally:
        running.communicate("", timeout=BOUND)
    # Once its process is gone, the next save takes it away.
    atomic_write(tmp_path / "p.flexproj", b"again")
    assert listing(tmp_path) == ["p.flexproj"]


def test_saving_elsewhere_leaves_another_projects_leftovers(tmp_path):
    left = crashed_save(tmp_path, "a.flexproj")
    backdate(left)
    atomic_write(tmp_path / "b.flexproj", b"b")
    assert left.exists()


def test_a_save_still_works_when_the_folder_is_full_of_files(tmp_path):
    # The scan for leftovers reads the folder once per save; thousands of files do not
    # make a save slow.
    for number in range(3000):
        (tmp_path / f"f{number}.xml").touch()
    started = time.monotonic()
    for _ in range(10):
        atomic_write(tmp_path / "p.flexproj", b"x")
    assert time.monotonic() - started < 5


def test_temporary_names_are_what_mkstemp_makes():
    # The pattern the cleaner matches relies on mkstemp's random part: 8 characters of
    # lowercase letters, digits and "_". Should Python change that, this says so.
    with tempfile.TemporaryDirectory() as folder:
        fd, name = tempfile.mkstemp(prefix=".x.", suffix=".tmp", dir=folder)
        os.close(fd)
        middle = Path(name).name[len(".x.") : -len(".tmp")]
        assert len(middle) == 8
        assert set(middle) <= set("abcdefghijklmnopqrstuvwxyz0123456789_")


def test_save_error_stays_the_base_of_the_refusals():
    assert issubclass(ReadOnlyError, SaveError)
