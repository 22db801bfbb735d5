"""Secrets (FlexML passwords, Core API tokens) in the system keyring, never in profiles.json.

Each secret is keyed by (profile name, kind), kind "password" or "core-token"; the flow
server's access token is kind "server-token" of the pseudo-profile FLOW_SERVER (whoever has
it can fetch the flows, so it is a secret too, never in the settings file). When the
system has no usable keyring (keyring's fail or null backend, a locked one, no D-Bus secret
service, ...) secrets are kept in memory for the session only, unless the person opts in to
a JSON file only their user account can read (`use_file`). The file's existence is the
opt-in: a later start finds it and keeps using it. Secret values are never logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .fileio import describe_os_error
from .recovery import data_dir

if TYPE_CHECKING:  # keyring loads (~45 ms) when a Keychain is made, not on import
    import keyring.backend

SERVICE = "flexml-studio"
PASSWORD = "password"
CORE_TOKEN = "core-token"
SERVER_TOKEN = "server-token"
KINDS = (PASSWORD, CORE_TOKEN, SERVER_TOKEN)
FLOW_SERVER = "(flow server)"  # the profile name the flow server's token is kept under
FILE_NAME = "secrets.json"
FILE_VERSION = 1
FILE_WARNING = (
    "The file is not encrypted: anyone with your user account, or a copy of a backup of it, "
    "can read the passwords and tokens in it."
)
_PROBE_USER = "availability-check"
_PRIVATE_MODE = 0o600

_logger = logging.getLogger(__name__)


class Keychain:
    """Where the secrets of every profile live: the system keyring, else the session's
    memory, else (opted in) a file readable only by the user."""

    file_warning = FILE_WARNING

    def __init__(self, service: str = SERVICE, *, file_path: Path | None = None) -> None:
        self.service = service
        self.file_path = file_path if file_path is not None else data_dir() / FILE_NAME
        import keyring

        self._backend = keyring.get_keyring()
        self.backend_name = _backend_name(self._backend)
        self._keyring_problem = _unusable(self._backend, service)
        self._file_problem: str | None = None
        self.available = self._keyring_problem is None
        self._memory: dict[tuple[str, str], str] = {}
        self._read: dict[tuple[str, str], str | None] = {}  # what the keyring answered
        self._using_file = False
        if not self.available and os.path.lexists(self.file_path):
            self.use_file(True)  # opted in on an earlier run

    # -- where --------------------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        """What is wrong with where secrets are kept, for people; None when nothing."""
        found = [text for text in (self._keyring_problem, self._file_problem) if text]
        return " ".join(found) or None

    @property
    def using_file(self) -> bool:
        """Whether secrets go to the file (only ever while no keyring is usable)."""
        return self._using_file

    def where(self) -> str:
        """Where the secrets are kept, as a sentence for people."""
        if self.available:
            return f"Passwords and tokens are kept in the system keyring ({self.backend_name})."
        if self._using_file:
            return (
                f"Passwords and tokens are kept in {_home_relative(self.file_path)}, "
                "readable only by you (mode 0600)."
            )
        return (
            "Passwords and tokens are kept for this session only: they are forgotten when "
            "FlexML Studio closes."
        )

    def use_file(self, on: bool) -> None:
        """Opt in to (or out of) the file while no keyring is usable. Opting in reads the
        file (if it exists and is private) and writes what this session holds; opting out
        deletes the file and keeps its secrets in memory for the session."""
        if on == self._using_file:
            return
        if not on:
            self._using_file = False
            self._file_problem = None
            try:
                self.file_path.unlink(missing_ok=True)
            except OSError as exc:
                self._file_problem = (
                    f"{_home_relative(self.file_path)} could not be deleted "
                    f"({describe_os_error(exc)}); delete it yourself"
                )
            return
        self._using_file = True
        stored = self._read_file()
        # What this session already holds wins over an older copy in the file.
        self._memory = {**stored, **self._memory}
        if self._memory or not os.path.lexists(self.file_path):
            self._write_file()

    # -- secrets ------------------------------------------------------------------------

    def get(self, profile: str, kind: str) -> str | None:
        """The secret of `kind` for `profile`, or None. Read from the keyring once, then
        from memory: a keyring call can block (a locked one asks to be unlocked), and the
        window asks on its own thread (see `prefetch`)."""
        key = _key(profile, kind)
        if self.available:
            if key in self._read:
                return self._read[key]
            try:
                value = self._backend.get_password(self.service, _user(*key))
            except Exception as exc:
                self._fall_back(exc)
            else:
                self._read[key] = value
                return value
        return self._memory.get(key)

    def prefetch(self, profiles: Iterable[str]) -> None:
        """Read every secret of `profiles` now (on a worker thread, before the window asks)."""
        for profile in profiles:
            for kind in KINDS:
                self.get(profile, kind)

    def set(self, profile: str, kind: str, value: str) -> None:
        """Keep `value` as the secret of `kind` for `profile`; an empty value deletes it."""
        if not value:
            self.delete(profile, kind)
            return
        key = _key(profile, kind)
        if self.available:
            try:
                self._backend.set_password(self.service, _user(*key), value)
                self._read[key] = value
                return
            except Exception as exc:
                self._fall_back(exc)
        self._memory[key] = value
        self._write_file()

    def delete(self, profile: str, kind: str) -> None:
        """Forget the secret of `kind` for `profile` (nothing happens when there is none)."""
        key = _key(profile, kind)
        self._read.pop(key, None)
        if self.available:
            from keyring.errors import PasswordDeleteError

            try:
                self._backend.delete_password(self.service, _user(*key))
            except PasswordDeleteError:
                pass  # there was none; some backends also say so when they failed, alas
            except Exception as exc:
                self._fall_back(exc)
        if self._memory.pop(key, None) is not None:
            self._write_file()

    def rename(self, old: str, new: str) -> None:
        """Move every secret of profile `old` to profile `new`."""
        for kind in KINDS:
            value = self.get(old, kind)
            if value is not None:
                self.set(new, kind, value)
            self.delete(old, kind)

    def delete_profile(self, name: str) -> None:
        """Forget every secret of profile `name`."""
        for kind in KINDS:
            self.delete(name, kind)

    # -- the fallback -------------------------------------------------------------------

    def _fall_back(self, exc: Exception) -> None:
        # Only the exception's type and message: backends do not put secrets in them.
        _logger.warning(
            "the keyring (%s) failed: %s: %s", self.backend_name, type(exc).__name__, exc
        )
        self.available = False
        self._keyring_problem = (
            f"The system keyring ({self.backend_name}) stopped working ({_reason(exc)}), so "
            "passwords and tokens are kept for this session only."
        )

    def _read_file(self) -> dict[tuple[str, str], str]:
        path = self.file_path
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self._file_problem = f"{_home_relative(path)} cannot be read: {describe_os_error(exc)}."
            return {}
        with os.fdopen(fd, "rb") as handle:
            unsafe = _unsafe_file(os.fstat(handle.fileno()))
            if unsafe:
                self._file_problem = (
                    f"{_home_relative(path)} was ignored because {unsafe}; it is replaced by "
                    "a file only you can read when a password or token is saved."
                )
                return {}
            try:
                data = json.loads(handle.read())
                return _parse_secrets(data)
            except (OSError, ValueError, TypeError, AttributeError):
                self._file_problem = (
                    f"{_home_relative(path)} is damaged and was ignored; it is replaced when "
                    "a password or token is saved."
                )
                return {}

    def _write_file(self) -> None:
        if not self._using_file:
            return
        secrets: dict[str, dict[str, str]] = {}
        for (profile, kind), value in sorted(self._memory.items()):
            secrets.setdefault(profile, {})[kind] = value
        data = json.dumps({"version": FILE_VERSION, "secrets": secrets}, indent=2) + "\n"
        path = self.file_path
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)  # left by a crash; O_EXCL below needs it gone
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_MODE)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temporary, _PRIVATE_MODE)  # whatever the umask did
                os.replace(temporary, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
        except OSError as exc:
            self._file_problem = (
                f"{_home_relative(path)} could not be written ({describe_os_error(exc)}): "
                "passwords and tokens are kept for this session only."
            )
        else:
            self._file_problem = None


_NO_KEYRING = "No system keyring is available, so passwords and tokens cannot be stored safely."


def _key(profile: str, kind: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of secret ({', '.join(KINDS)})")
    if not profile:
        raise ValueError("a secret needs a profile name")
    return profile, kind


def _user(profile: str, kind: str) -> str:
    # The kind first, so a profile name holding ":" cannot make two keys look alike.
    return f"{kind}:{profile}"


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    backends = getattr(backend, "backends", None)  # the chainer: name what it chains
    if isinstance(backends, list) and backends:
        return ", ".join(_backend_name(item) for item in backends)
    cls = type(backend)
    return cls.__module__.rpartition(".")[2] if cls.__name__ == "Keyring" else cls.__name__


def _unusable(backend: keyring.backend.KeyringBackend, service: str) -> str | None:
    """Why `backend` cannot keep secrets, for people; None when it can."""
    try:
        priority = backend.priority
    except Exception as exc:
        return f"The system keyring cannot be used ({_reason(exc)})."
    if priority <= 0:
        return _NO_KEYRING
    try:
        # A locked keyring or a missing D-Bus secret service shows itself on first use.
        backend.get_password(service, _PROBE_USER)
    except Exception as exc:
        _logger.warning("the keyring (%s) is unusable: %s", _backend_name(backend), exc)
        return f"The system keyring ({_backend_name(backend)}) cannot be used ({_reason(exc)})."
    return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason if len(reason) <= 160 else reason[:157] + "..."


def _unsafe_file(stat: os.stat_result) -> str | None:
    if sys.platform == "win32":
        return None  # no POSIX modes; LOCALAPPDATA is the user's own by its ACL
    if stat.st_uid != os.getuid():
        return "another user owns it"
    if stat.st_mode & 0o077:
        return f"other users may open it (mode {stat.st_mode & 0o777:04o}, not 0600)"
    return None


def _parse_secrets(data: object) -> dict[tuple[str, str], str]:
    if not isinstance(data, dict) or data.get("version") != FILE_VERSION:
        raise ValueError("not a secrets file")
    found: dict[tuple[str, str], str] = {}
    for profile, kinds in data["secrets"].items():
        for kind, value in kinds.items():
            if kind in KINDS and isinstance(value, str) and value and profile:
                found[(str(profile), kind)] = value
    return found


def _home_relative(path: Path) -> str:
    with contextlib.suppress(ValueError, RuntimeError):
        return "~/" + path.relative_to(Path.home()).as_posix()
    return str(path)
