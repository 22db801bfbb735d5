"""System tools some tests run (the distros' desktop-file validators, a C compiler).

On a developer's machine a missing tool skips the test that needs it, with the apt-get line
that installs it, so `make test` passes on a fresh machine. In CI (CI set to anything but
"", "false" or "0"; .ci/run sets it and installs every package named here) the same missing
tool fails the test instead: nothing goes unchecked there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

import pytest

# The Debian/Ubuntu package of each tool (.ci/run installs them all).
APT_PACKAGES = {
    "desktop-file-validate": "desktop-file-utils",
    "update-desktop-database": "desktop-file-utils",
    "appstreamcli": "appstream",
    "update-mime-database": "shared-mime-info",
    "cc": "gcc",
    "ldd": "libc-bin",
}


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("CI", "").strip().lower()
    return value not in ("", "false", "0")


def tool(name: str, package: str | None = None) -> str:
    """The path of the program `name`; skips the test without it (fails it in CI)."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} is missing: sudo apt-get install -y {package or APT_PACKAGES[name]}"
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
