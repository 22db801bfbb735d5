"""Atomic file writes: a crash or a full disk never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path


class SaveError(Exception):
    """A file could not be written; the previous version (if any) is unchanged."""


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
}


def describe_os_error(exc: OSError) -> str:
    """A short reason for people, without the traceback-speak of str(OSError)."""
    return _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike[str], data: bytes, *, backup: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same folder, flushed, fsynced
    and renamed over the target. With `backup`, the previous version is kept as NAME.bak.

    Raises SaveError with a reason a person understands; on error the old file is intact
    and no temporary file is left behind.
    """
    path = Path(path)
    # Through a symbolic link, replace the file it points at and keep the link.
    target = Path(os.path.realpath(path))
    directory = target.parent
    existed = os.path.isfile(target)  # never raises, unlike Path.exists() on EACCES
    tmp_name: str | None = None
    try:
        mode = target.stat().st_mode & 0o777 if existed else _default_mode()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        if backup and existed:
            _replace_backup(target)
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


def _replace_backup(path: Path) -> None:
    backup = path.with_name(path.name + ".bak")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        shutil.copy2(path, tmp_name)
        os.replace(tmp_name, backup)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _fsync_folder(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
