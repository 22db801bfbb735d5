"""Typed settings over QSettings: only keys declared in gui.core.settings, values of their type.

The file is an ini file in the user's config folder ($XDG_CONFIG_HOME/FlexML Studio/
flexml-studio.ini on Linux), the same format on every platform, so it can be read and
backed up like any other file.
"""

from __future__ import annotations

import difflib
import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from ...core.settings import BY_KEY, RECENT_LIMIT, Setting, coerce

ORGANIZATION = "FlexML Studio"
APPLICATION = "flexml-studio"
RECENT = "files/recent"
RERUN_TESTS = "tests/rerun-after-change"
SHOW_COVERAGE = "view/show-coverage"
# The Tests panel's choices (declared in gui/core/settings.py with the others).


class SettingsStore:
    """Reads and writes the declared settings; a typo in a key is a KeyError, not a default."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._qsettings = qsettings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    @property
    def qsettings(self) -> QSettings:
        return self._qsettings

    def get(self, key: str) -> Any:
        """The stored value in the declared type, or the default when unset or unusable."""
        setting = _declared(key)
        value = self._qsettings.value(key)
        if isinstance(value, QByteArray):
            value = value.data()
        return coerce(setting, value)

    def set(self, key: str, value: Any) -> None:
        """Store `value`, which must have the declared type (TypeError otherwise)."""
        setting = _declared(key)
        self._qsettings.setValue(key, _storable(setting, value))

    def sync(self) -> bool:
        """Write pending changes to disk; False when the file could not be written."""
        self._qsettings.sync()
        return self._qsettings.status() == QSettings.Status.NoError

    # -- recent files ----------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """Recent files that still exist, newest first, at most RECENT_LIMIT."""
        return [p for p in self.get(RECENT) if os.path.isfile(p)][:RECENT_LIMIT]

    def last_project(self) -> str | None:
        """The project last opened or saved (the newest recent file), whether or not it
        still exists; None when there is none. The window reopens it at the next start."""
        recent = self.get(RECENT)
        return recent[0] if recent else None

    def add_recent_file(self, path: str | os.PathLike[str]) -> None:
        """Put `path` first (as an absolute path), dropping an older entry for the same file."""
        path = os.path.abspath(os.fspath(path))
        others = [p for p in self.get(RECENT) if not _same_path(p, path)]
        self.set(RECENT, [path, *others][:RECENT_LIMIT])

    def remove_recent_file(self, path: str | os.PathLike[str]) -> None:
        """Forget `path`, e.g. after it failed to open."""
        path = os.path.abspath(os.fspath(path))
        self.set(RECENT, [p for p in self.get(RECENT) if not _same_path(p, path)])


def _declared(key: str) -> Setting:
    found = BY_KEY.get(key)
    if found is None:
        close = difflib.get_close_matches(key, [*BY_KEY], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"{key!r} is not a setting declared in gui/core/settings.py{hint}")
    return found


def _storable(setting: Setting, value: Any) -> Any:
    """The value as QSettings should hold it; refuses values of another type."""
    expected = setting.type
    if expected is bytes:
        if isinstance(value, QByteArray):
            return value
        if isinstance(value, bytes | bytearray):
            # WORKAROUND: PySide pickles plain bytes into the ini file (a PyObjectWrapper that
            # only PySide can read back, by unpickling); a QByteArray is written as @ByteArray.
            return QByteArray(bytes(value))
    elif expected is list:
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return list(value)
    elif type(value) is expected:
        return value
    raise TypeError(
        f"setting {setting.key!r} holds {expected.__name__}"
        + (" of str" if expected is list else "")
        + f", not {type(value).__name__}: {value!r}"
    )


def _same_path(a: str, b: str) -> bool:
    return os.path.normcase(a) == os.path.normcase(b)
