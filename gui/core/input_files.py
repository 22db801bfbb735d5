"""Opening a file to read it: only a regular file is opened.

A named pipe (FIFO) blocks whoever opens it for reading until something writes to it, for
ever if nothing does; a device may never end, or act when it is opened (a tape rewinds); a
socket cannot be opened at all. So a project or FlexML file that is not a regular file is
refused before it is opened: its kind is read with stat() first. Between that look and the
open, another program could swap the file for a pipe, so the file is opened without
blocking and looked at again through the open descriptor before any byte is read.

The save side (fileio.py) has the same rule for what a save may replace.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)
# Opening a FIFO with O_NONBLOCK returns at once instead of waiting for a writer.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class NotAFileError(Exception):
    """The path names something other than a regular file or a folder; str() says what,
    for people (`kind` is that kind alone, such as "a named pipe (FIFO)")."""

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(f"{os.fspath(path)} is {kind}, not a file; only files are read")
        self.kind = kind


def special_kind(mode: int) -> str | None:
    """What a stat mode is when it is neither a regular file nor a folder, else None."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def check_regular(path: str | os.PathLike[str]) -> None:
    """Raise unless `path` (symbolic links followed) is a regular file that may be opened:
    NotAFileError for a pipe, device or socket, IsADirectoryError for a folder, and the
    OSError stat() gives (FileNotFoundError, PermissionError, ...). Nothing is opened."""
    mode = os.stat(path).st_mode
    _check_mode(path, mode)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """`path` opened for reading in binary, once it is known to be a regular file (see
    `check_regular` for what is raised). The caller closes it (`with open_regular(p) as f`)."""
    check_regular(path)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_mode(path, os.fstat(fd).st_mode)  # it may have been swapped meanwhile
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_mode(path: str | os.PathLike[str], mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", os.fspath(path))
    kind = special_kind(mode)
    if kind is not None:
        raise NotAFileError(path, kind)
