"""Crash recovery: each window's unsaved project, copied aside every little while.

A recovery file is a valid project file (open it like any other) named PID-UUID.flexproj,
so every window of every running FlexML Studio has its own. It is the project text followed
by one header comment after the root element:

    <?xml version="1.0" encoding="UTF-8"?>
    <flexml-project format="1" entry="main">...</flexml-project>
    <!-- flexml-studio-recovery {"source": "/home/me/app.flexproj", "saved": "...",
         "version": "0.1.0"} -->

The header is JSON (a comment may not hold "--", so every "-" in it is written as the JSON
escape \\u002d). It goes last so that the file still starts like a project and the header
can be read from the file's tail without parsing the project.

A window calls `save` on a timer and `clear` after a clean save or close; on start,
`pending` lists the files of windows whose process is gone, i.e. that crashed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from .fileio import SaveError, atomic_write, describe_os_error
from .flexml import FlexmlError
from .project import SUFFIX, Project, ProjectError, load

APP_FOLDER = "flexml-studio"
MARK = "flexml-studio-recovery"
_NAME = re.compile(r"([0-9]{1,10})-([0-9a-f]{32})" + re.escape(SUFFIX) + r"\Z")
_HEADER = re.compile(r"<!-- " + MARK + r" (\{.*\}) -->\s*\Z", re.DOTALL)
_TAIL_BYTES = 64 * 1024  # the header is far smaller, even for a long source path


def data_dir() -> Path:
    """FlexML Studio's per-user data folder (not its settings), by platform convention."""
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # The XDG spec says to ignore a relative path.
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / APP_FOLDER


@dataclass(frozen=True)
class Recovery:
    """A recovery file left by a window whose process ended without a clean close."""

    path: Path  # the recovery file
    source_path: Path | None  # the project file it is a newer copy of; None when untitled
    saved_at: datetime  # when it was written (the file's time when the header is unreadable)
    version: str | None  # of the FlexML Studio that wrote it
    problem: str | None = None  # why the file looks damaged, for people; None when fine

    def load(self) -> Project:
        """The recovered project. Its `path` is the source, so saving puts the work back
        where it came from (the previous version kept as .bak); None asks for a place.
        Raises ProjectError when the file is damaged."""
        try:
            project = load([self.path])
        except FlexmlError as exc:
            raise ProjectError(
                f"the recovery file {self.path.name} cannot be read: {exc.message}",
                line=exc.line,
                column=exc.column,
            ) from None
        project.path = self.source_path
        return project


class RecoveryStore:
    """One window's recovery file in `folder`, and the files other windows left there."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else data_dir() / "recovery"
        self.path = self.folder / f"{os.getpid()}-{secrets.token_hex(16)}{SUFFIX}"
        self._written: bytes | None = None  # digest of what the file holds now

    def save(self, project_text: str, source_path: Path | None) -> bool:
        """Write the recovery file unless it already holds this text for this source.
        Returns whether it wrote; raises SaveError (the previous copy stays intact)."""
        source = None if source_path is None else os.fspath(source_path)
        digest = hashlib.sha256(f"{source}\0{project_text}".encode()).digest()
        if digest == self._written:
            return False
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise SaveError(
                f"could not create the recovery folder {self.folder}: {describe_os_error(exc)}"
            ) from None
        if not project_text.endswith("\n"):
            project_text += "\n"
        atomic_write(self.path, (project_text + _header(source)).encode("utf-8"))
        self._written = digest
        return True

    def clear(self) -> None:
        """Remove this window's recovery file: after a clean save, or on close."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._written = None

    def pending(self) -> list[Recovery]:
        """Recovery files of processes that are no longer running, newest first."""
        try:
            entries = list(self.folder.iterdir())
        except (FileNotFoundError, NotADirectoryError):
            return []
        found = []
        for path in entries:
            match = _NAME.match(path.name)
            if match is None or _is_running(int(match.group(1))):
                continue
            found.append(_read(path))
        found.sort(key=lambda r: r.saved_at, reverse=True)
        return found

    def discard(self, recovery: Recovery) -> None:
        """Delete a recovery file that was restored or refused."""
        if recovery.path.parent != self.folder:
            raise ValueError(f"{recovery.path} is not in the recovery folder {self.folder}")
        with contextlib.suppress(FileNotFoundError):
            recovery.path.unlink()


def _header(source: str | None) -> str:
    data = json.dumps(
        {"source": source, "saved": datetime.now(UTC).isoformat(), "version": __version__}
    )
    escaped = data.replace("-", "\\u002d")  # "--" must not appear in a comment
    return f"<!-- {MARK} {escaped} -->\n"


def _read(path: Path) -> Recovery:
    """The header of a recovery file; a damaged file gives a Recovery with a problem."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read().decode("utf-8", errors="replace")
            modified = datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, UTC)
    except OSError as exc:
        return Recovery(path, None, _epoch(), None, f"cannot be read: {describe_os_error(exc)}")
    match = _HEADER.search(tail)
    if match is None:
        return Recovery(path, None, modified, None, "is damaged: its header is missing")
    try:
        header = json.loads(match.group(1))
        source = header["source"]
        saved = datetime.fromisoformat(header["saved"])
        version = header["version"]
        if not (source is None or isinstance(source, str)) or not isinstance(version, str):
            raise TypeError("source or version of the wrong type")
    except (ValueError, KeyError, TypeError) as exc:
        return Recovery(path, None, modified, None, f"is damaged: its header is unreadable ({exc})")
    if saved.tzinfo is None:
        saved = saved.replace(tzinfo=UTC)
    return Recovery(path, None if source is None else Path(source), saved, version)


def _epoch() -> datetime:
    return datetime.fromtimestamp(0, UTC)


def _is_running(pid: int) -> bool:
    """Whether a process with this id exists (the window that owns the file)."""
    if pid <= 0:  # 0 and negatives would address process groups, not a process
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _windows_is_running(pid)
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, but belongs to someone else
    except (OSError, OverflowError):
        return False
    return True


def _windows_is_running(pid: int) -> bool:
    # WORKAROUND: on Windows os.kill(pid, 0) terminates the process instead of probing it.
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    query_limited_information, still_active, error_access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == error_access_denied  # it exists, someone else's
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
