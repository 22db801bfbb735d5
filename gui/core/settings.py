"""Every user setting, declared once: key, type, default and what it is for.

The Qt side stores them in QSettings (gui.qt.common.settings); nothing else reads or writes
settings by key, so a typo is an error at start-up, not a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: its key, Python type, default and description."""

    key: str
    type: type
    default: Any
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting("window/geometry", bytes, b"", "Main window size and place"),
    Setting("window/state", bytes, b"", "Dock and toolbar layout"),
    Setting("files/recent", list, [], "Recently opened projects and files, newest first"),
    Setting("files/last-folder", str, "", "Folder of the last open or save dialog"),
    Setting("export/base-url", str, "", "Base URL that flow: references resolve against"),
    Setting(
        "export/base-urls",
        list,
        [],
        'Export base URL given per project file ("URL PATH" entries), newest first',
    ),
    Setting("app/first-start-done", bool, False, "Whether the sample project was shown"),
    Setting("tests/rerun-after-change", bool, False, "Rerun the flow tests after each change"),
    Setting("view/show-coverage", bool, True, "Mark the verbs, flows and cases no test reached"),
    Setting("help/show-getting-started", bool, True, "Show the Getting started panel at start"),
    Setting("phone/region", str, "US", "Region for numbers typed without a country code"),
    Setting("dialpad/last-number", str, "", "The number last typed on the dial pad"),
    Setting("server/host", str, "127.0.0.1", "Address the flow server listens on"),
    Setting("server/port", int, 0, "Flow server port; 0 picks a free one at each start"),
    Setting("server/public-url", str, "", "Public base URL of the flow server (a tunnel)"),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
RECENT_LIMIT = 10


def coerce(setting: Setting, value: Any) -> Any:
    """Turn a stored value (QSettings hands back strings on some platforms) into its type,
    falling back to the default for anything unusable."""
    if value is None:
        return setting.default
    try:
        if setting.type is bool:
            if isinstance(value, str):
                return value.strip().lower() in ("true", "1", "yes")
            return bool(value)
        if setting.type is list:
            if isinstance(value, str):
                return [value] if value else []
            return [str(v) for v in value]
        if setting.type is bytes:
            return bytes(value)
        return setting.type(value)
    except (TypeError, ValueError):
        return setting.default
