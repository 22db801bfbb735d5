"""Before the window opens: does this system have the libraries Qt's X11 (xcb) platform needs?

Qt 6.5 and later need libxcb-cursor0 and a few other xcb libraries that a desktop does not
always have. Without them Qt prints "could not load the Qt platform plugin xcb" and aborts
with a core dump. So before Qt is imported, `problem()` asks `ldd` which libraries the
plugin (PySide6/Qt/plugins/platforms/libqxcb.so) needs that the system lacks, and words one
line naming them and the apt-get and dnf commands that install them.

The check is best effort: when it cannot tell (no ldd, no plugin, ldd fails) it reports
nothing and Qt says what it says. It imports no Qt: PySide6 is only located, never imported.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

# Points the check at another plugin file (the tests use a small stand-in they build).
PLUGIN_ENV = "FLEXML_STUDIO_QT_PLUGIN"
PLUGIN = ("Qt", "plugins", "platforms", "libqxcb.so")
LDD_TIMEOUT = 10  # seconds; ldd takes a few milliseconds

# The Debian/Ubuntu and Fedora packages of the libraries libqxcb.so loads that a minimal
# system may lack (Debian's names checked with `dpkg -S` on Debian 12). A library not named
# here gets the name Debian's policy gives a library package (libfoo.so.1 -> libfoo1,
# libfoo-2.so.0 -> libfoo-2-0) and dnf's install-by-library form.
APT = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libz.so.1": "zlib1g",
}
_XCB_LIBRARIES = (
    "libxcb.so.1",
    "libxcb-randr.so.0",
    "libxcb-render.so.0",
    "libxcb-shape.so.0",
    "libxcb-shm.so.0",
    "libxcb-sync.so.1",
    "libxcb-xfixes.so.0",
    "libxcb-xinerama.so.0",
    "libxcb-xinput.so.0",
    "libxcb-xkb.so.1",
)
DNF = {
    "libxcb-cursor.so.0": "xcb-util-cursor",
    "libxcb-icccm.so.4": "xcb-util-wm",
    "libxcb-image.so.0": "xcb-util-image",
    "libxcb-keysyms.so.1": "xcb-util-keysyms",
    "libxcb-render-util.so.0": "xcb-util-renderutil",
    "libxcb-util.so.1": "xcb-util",
    **dict.fromkeys(_XCB_LIBRARIES, "libxcb"),
    "libxkbcommon-x11.so.0": "libxkbcommon-x11",
    "libxkbcommon.so.0": "libxkbcommon",
    "libX11-xcb.so.1": "libX11-xcb",
    "libX11.so.6": "libX11",
    "libEGL.so.1": "libglvnd-egl",
    "libGL.so.1": "libglvnd-glx",
    "libGLX.so.0": "libglvnd-glx",
    "libGLdispatch.so.0": "libglvnd",
    "libOpenGL.so.0": "libglvnd-opengl",
    "libfontconfig.so.1": "fontconfig",
    "libfreetype.so.6": "freetype",
    "libdbus-1.so.3": "dbus-libs",
    "libglib-2.0.so.0": "glib2",
    "libgthread-2.0.so.0": "glib2",
}
# Libraries that come inside the PySide6 wheel: missing, they mean a broken install.
BUNDLED = ("libQt6", "libicu", "libpyside6", "libshiboken6")


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt would try its xcb (X11) platform first, as Qt 6 decides it: the platform
    QT_QPA_PLATFORM names, else Wayland in a Wayland session (WAYLAND_DISPLAY set or
    XDG_SESSION_TYPE=wayland), else xcb. Only Linux has xcb here."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.startswith("xcb")  # offscreen, wayland, vnc, ... load no xcb
    wayland_session = "WAYLAND_DISPLAY" in environ or environ.get("XDG_SESSION_TYPE") == "wayland"
    return not wayland_session


def plugin_path(environ: Mapping[str, str]) -> Path | None:
    """The xcb platform plugin of the installed PySide6, found without importing it."""
    override = environ.get(PLUGIN_ENV)
    if override:
        return Path(override)
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location).joinpath(*PLUGIN)
        if candidate.is_file():
            return candidate
    return None


def not_found(ldd_output: str) -> list[str]:
    """The sonames ldd reports as "=> not found", each once, in ldd's order."""
    found = []
    for line in ldd_output.splitlines():
        soname, arrow, where = line.partition("=>")
        if arrow and where.strip() == "not found":
            found.append(soname.strip())
    return list(dict.fromkeys(found))


def missing_libraries(plugin: Path) -> list[str]:
    """The libraries `plugin` needs, directly or through another library, that the dynamic
    loader cannot find. Empty when ldd is absent or cannot read the file: then Qt speaks."""
    ldd = shutil.which("ldd")
    if ldd is None or not plugin.is_file():
        return []
    try:
        done = subprocess.run(
            [ldd, str(plugin)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=LDD_TIMEOUT,
            env={**os.environ, "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return not_found(done.stdout)


def apt_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships `soname`."""
    known = APT.get(soname)
    if known:
        return known
    name, dot_so, version = soname.partition(".so.")
    version = version.split(".")[0]
    if not (dot_so and version.isdigit()):
        return soname
    joiner = "-" if name[-1].isdigit() else ""
    return f"{name}{joiner}{version}".lower().replace("_", "-")


def dnf_package(soname: str) -> str:
    """The Fedora package that ships `soname`, or dnf's "the package with this library"."""
    known = DNF.get(soname)
    if known:
        return known
    bits = "(64bit)" if sys.maxsize > 2**32 else ""
    return f"'{soname}(){bits}'"  # quoted: the shell would take the parentheses


def install_commands(sonames: Iterable[str]) -> tuple[str, str]:
    """The apt-get (Debian/Ubuntu) and dnf (Fedora) commands that install `sonames`."""
    sonames = list(sonames)
    apt = dict.fromkeys(apt_package(soname) for soname in sonames)
    dnf = dict.fromkeys(dnf_package(soname) for soname in sonames)
    return f"sudo apt-get install -y {' '.join(apt)}", f"sudo dnf install {' '.join(dnf)}"


def message(sonames: Iterable[str]) -> str:
    """One line: the libraries that are missing and how to install them."""
    sonames = list(sonames)
    system = [soname for soname in sonames if not soname.startswith(BUNDLED)]
    bundled = [soname for soname in sonames if soname.startswith(BUNDLED)]
    parts = []
    if system:
        apt, dnf = install_commands(system)
        parts.append(
            f"Qt's xcb platform needs {', '.join(system)}, which this system lacks: "
            f"{apt} (Fedora: {dnf})"
        )
    if bundled:
        parts.append(
            f"PySide6's own {', '.join(bundled)} cannot be found: reinstall it "
            "(pip install --force-reinstall PySide6)"
        )
    return "; ".join(parts)


NO_DISPLAY = (
    "there is no display to open the window on (DISPLAY is not set): run it "
    "in a desktop session (or over ssh -X); the commands (validate, serve, ...) need none, and "
    "--screenshot runs without one with QT_QPA_PLATFORM=offscreen"
)


def problem(environ: Mapping[str, str] | None = None) -> str | None:
    """What stops the window from opening on this system, as one line, or None when
    nothing does (or the window will not use xcb)."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ):
        return None
    plugin = plugin_path(environ)
    missing = missing_libraries(plugin) if plugin is not None else []
    if missing:
        return message(missing)
    if not environ.get("DISPLAY"):  # Qt would abort, saying xcb libraries may be missing
        return NO_DISPLAY
    return None
