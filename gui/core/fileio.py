"""Atomic file writes: a crash or a full disk never leaves a half-written file behind.

What a save may replace is checked first: a named pipe, a device, a socket or a loop of
symbolic links is refused (renaming over one would swap it for a regular file: as root,
saving onto /dev/null would replace /dev/null), and a read-only file is replaced only when
the caller says the user agreed (ReadOnlyError otherwise). A save also removes what earlier
saves of the same file left behind when their process died: `.NAME.XXXXXXXX.tmp` files that
no running save holds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

try:  # a save holds a lock on its temporary file, so another save can tell it is alive
    import fcntl
except ImportError:  # Windows: stale temporary files are told by their age alone
    fcntl = None  # type: ignore[assignment]

# An unlocked temporary file this old (seconds) belongs to a save whose process died. The
# margin covers the instant between creating a temporary file and locking it.
STALE_AFTER = 2.0
STALE_AFTER_WITHOUT_LOCKS = 3600.0
# The random part tempfile.mkstemp puts between our prefix and suffix.
_RANDOM_PART = r"[a-z0-9_]{8}"


class SaveError(Exception):
    """A file could not be written; the previous version (if any) is unchanged."""


class ReadOnlyError(SaveError):
    """The file to replace is read-only: replace it only if the user says so
    (`replace_read_only=True`). Nothing was written."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large for this file system",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "a folder of that name is in the way",
    errno.ELOOP: "its symbolic links go round in a loop",
}
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def describe_os_error(exc: OSError) -> str:
    """A short reason for people, without the traceback-speak of str(OSError)."""
    return _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _special_kind(mode: int) -> str | None:
    """What a file that is neither a regular file nor a folder is, for people."""
    return next((kind for test, kind in _KINDS if test(mode)), None)


def is_read_only(st: os.stat_result) -> bool:
    """Whether a file is marked read-only: its owner may not write it (`chmod a-w`, or the
    read-only attribute on Windows). Its mode says so, whoever we are: root too."""
    return not st.st_mode & stat.S_IWUSR


def check_target(
    path: str | os.PathLike[str],
    *,
    follow_symlinks: bool = True,
    replace_read_only: bool = False,
) -> Path:
    """The file a save to `path` would replace (through a symbolic link, the file it points
    at, unless `follow_symlinks` is False), after refusing what must not be replaced:
    raises SaveError for a special file, a loop of links, a folder (and a link when not
    following), ReadOnlyError for a read-only file unless `replace_read_only`."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path  # a new file (a missing folder is said when the file is created)
    except OSError as exc:
        raise SaveError(f"could not save {path}: {describe_os_error(exc)}") from None
    target = path
    if stat.S_ISLNK(st.st_mode):
        if not follow_symlinks:
            raise SaveError(
                f"could not save {path}: it is a symbolic link, which is not followed "
                "here (remove it, or export to another folder)"
            )
        target = Path(os.path.realpath(path))
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return target  # a link to a file still to be made: it is made there
        except OSError as exc:
            raise SaveError(f"could not save {path}: {describe_os_error(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SaveError(f"could not save {path}: {_REASONS[errno.EISDIR]}")
    kind = _special_kind(st.st_mode)
    if kind is not None:
        raise SaveError(f"could not save {path}: it is {kind}, not a file, and was left as it is")
    # In a folder we may not write in, nothing can be replaced: that is said when saving.
    writable_folder = os.access(target.parent, os.W_OK | os.X_OK)
    if not replace_read_only and writable_folder and is_read_only(st):
        raise ReadOnlyError(
            f"could not save {path}: the file is read-only; the previous version is unchanged",
            path,
        )
    return target


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    backup: bool = False,
    replace_read_only: bool = False,
    follow_symlinks: bool = True,
) -> None:
    """Write `data` to `path` through a temporary file in the same folder, flushed, fsynced
    and renamed over the target. With `backup`, the previous version is kept as NAME.bak.
    Through a symbolic link the file it points at is replaced and the link kept, unless
    `follow_symlinks` is False: then a link is refused (check_target says what else is).

    Raises SaveError with a reason a person understands (ReadOnlyError for a read-only
    file unless `replace_read_only`); on error the old file is intact and no temporary
    file is left behind.
    """
    path = Path(path)
    target = check_target(
        path, follow_symlinks=follow_symlinks, replace_read_only=replace_read_only
    )
    directory = target.parent
    existed = os.path.isfile(target)  # never raises, unlike Path.exists() on EACCES
    tmp_name: str | None = None
    fd: int | None = None
    try:
        mode = target.stat().st_mode & 0o777 if existed else _default_mode()
        remove_stale_temporaries(target)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        _hold(fd)
        _write_all(fd, data)
        os.chmod(tmp_name, mode)
        if backup and existed:
            _replace_backup(target)
        _refuse_if_swapped(path, target)
        if fcntl is None:  # Windows renames no file that is still open
            os.close(fd)
            fd = None
        os.replace(tmp_name, target)
        tmp_name = None
        _fsync_folder(directory)
    except OSError as exc:
        raise SaveError(
            f"could not save {path}: {describe_os_error(exc)}"
            + ("; the previous version is unchanged" if existed else "")
        ) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        if fd is not None:
            os.close(fd)  # the lock goes with it, once the file has its name


def _write_all(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb", closefd=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _hold(fd: int) -> None:
    """Lock a temporary file for as long as its save runs (see remove_stale_temporaries)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):  # a file system without locks: age alone tells
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _refuse_if_swapped(path: Path, target: Path) -> None:
    """Just before the rename: a special file put there since the check is still refused."""
    with contextlib.suppress(FileNotFoundError):
        mode = os.lstat(target).st_mode
        kind = _special_kind(mode)
        if kind is not None or stat.S_ISDIR(mode):
            raise SaveError(
                f"could not save {path}: it became {kind or 'a folder'} while saving, and "
                "was left as it is"
            )


def _replace_backup(path: Path) -> None:
    backup = path.with_name(path.name + ".bak")
    with contextlib.suppress(FileNotFoundError):
        kind = _special_kind(os.lstat(backup).st_mode)
        if kind is not None:
            raise SaveError(
                f"could not keep the previous version as {backup}: that is {kind}, not a file"
            )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=".tmp", dir=path.parent)
    try:
        _hold(fd)
        with open(path, "rb") as source, os.fdopen(fd, "wb", closefd=False) as copy:
            shutil.copyfileobj(source, copy)
            copy.flush()
        shutil.copystat(path, tmp_name)
        os.replace(tmp_name, backup)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    finally:
        os.close(fd)


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that saves of `path` (and of its NAME.bak) left behind
    when their process died; returns what was removed.

    Only our own: named exactly as a save names them, regular files with one link, owned
    by us, older than STALE_AFTER seconds and not locked by a save still running (where
    files cannot be locked, older than STALE_AFTER_WITHOUT_LOCKS). Anything else in the
    folder is never touched.
    """
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}(?:\.bak)?\.{_RANDOM_PART}\.tmp\Z", re.ASCII)
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(path.parent) if pattern.match(e.name)]
    except OSError:
        return removed  # the save itself says what is wrong with the folder
    for entry in entries:
        with contextlib.suppress(OSError):
            if _remove_if_stale(Path(entry.path)):
                removed.append(Path(entry.path))
    return removed


def _ours_and_old(st: os.stat_result, age: float) -> bool:
    owner = getattr(os, "geteuid", None)
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_nlink == 1
        and (owner is None or st.st_uid == owner())
        and time.time() - st.st_mtime > age
    )


def _remove_if_stale(candidate: Path) -> bool:
    if fcntl is None:
        if not _ours_and_old(os.lstat(candidate), STALE_AFTER_WITHOUT_LOCKS):
            return False
        os.unlink(candidate)
        return True
    if not _ours_and_old(os.lstat(candidate), STALE_AFTER):
        return False
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(candidate, flags)
    try:
        opened = os.fstat(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a save that is running holds it
        now = os.lstat(candidate)  # still the same file under that name?
        if (now.st_ino, now.st_dev) != (opened.st_ino, opened.st_dev):
            return False
        if not _ours_and_old(opened, STALE_AFTER):
            return False
        os.unlink(candidate)
        return True
    finally:
        os.close(fd)


def _fsync_folder(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
