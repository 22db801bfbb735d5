"""The check before the window opens: the libraries Qt's xcb platform needs, found missing
before Qt aborts, and said in one line with the apt-get and dnf commands.

The missing library is real: the tests build, with cc, a stand-in for the plugin that needs
a library which is then deleted, and the check runs the real ldd on it. The real PySide6
plugin is checked too, against what the dynamic loader itself says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

from gui import cli
from gui.core import desktop_check
from gui.core.desktop_check import (
    APT,
    DNF,
    NO_DISPLAY,
    PLUGIN_ENV,
    apt_package,
    dnf_package,
    install_commands,
    message,
    missing_libraries,
    not_found,
    plugin_path,
    problem,
    uses_xcb,
)
from tests.system_tools import tool

ROOT = Path(__file__).resolve().parents[2]
MISSING = "libflexml-studio-missing.so.1"  # built, linked against, then deleted
PRESENT = "libflexml-studio-present.so.2"  # next to the stand-in, needs MISSING too
BITS = "(64bit)" if sys.maxsize > 2**32 else ""
MISSING_LINE = (
    f"Qt's xcb platform needs {MISSING}, which this system lacks: "
    f"sudo apt-get install -y libflexml-studio-missing1 "
    f"(Fedora: sudo dnf install '{MISSING}(){BITS}')"
)
QT_MODULES = ("PySide6", "shiboken6", "qasync", "gui.qt")
# What decides the platform Qt picks; the tests set these themselves.
PLATFORM_VARIABLES = ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "DISPLAY")


@dataclass(frozen=True)
class StandIns:
    broken: Path  # needs MISSING, directly and through PRESENT
    sound: Path  # needs only the C library


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory) -> StandIns:
    """Two small shared libraries in place of libqxcb.so, built with the real compiler."""
    cc = tool("cc")
    tool("ldd")
    root = tmp_path_factory.mktemp("plugins")
    source = root / "plugin.c"
    source.write_text("int flexml_studio_plugin(void) { return 1; }\n", encoding="utf-8")

    def build(target: Path, *options: str) -> None:
        command = [cc, "-shared", "-fPIC", "-o", str(target), str(source), *options]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    gone, broken, sound = root / "gone", root / "broken", root / "sound"
    for folder in (gone, broken, sound):
        folder.mkdir()
    build(gone / MISSING, f"-Wl,-soname,{MISSING}")
    linked = ("-Wl,--no-as-needed", str(gone / MISSING))  # needed, though no symbol is used
    build(broken / PRESENT, f"-Wl,-soname,{PRESENT}", *linked)
    build(broken / "libqxcb.so", "-Wl,-rpath,$ORIGIN", *linked, str(broken / PRESENT))
    shutil.rmtree(gone)  # now nothing on this system provides MISSING
    build(sound / "libqxcb.so")
    return StandIns(broken=broken / "libqxcb.so", sound=sound / "libqxcb.so")


def window_environment(plugin: Path | None = None) -> dict[str, str]:
    """This process's environment as an X11 desktop without a display would have it: Qt
    would pick xcb. PYTHONPATH lets `python -m gui` find this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    if plugin is not None:
        env[PLUGIN_ENV] = str(plugin)
    return env


# -- which libraries are missing ---------------------------------------------------------


def test_real_ldd_output_is_read_for_what_the_loader_cannot_find(stand_ins):
    output = subprocess.run(
        [tool("ldd"), str(stand_ins.broken)], capture_output=True, text=True, timeout=30
    ).stdout
    assert f"{MISSING} => not found" in output
    assert f"{PRESENT} => {stand_ins.broken.parent / PRESENT}" in output
    assert "libc.so.6 => /" in output
    assert not_found(output) == [MISSING]  # once, though two libraries need it


def test_ldd_lines_without_an_arrow_or_with_a_path_are_not_missing():
    output = (
        "\tlinux-vdso.so.1 (0x00007ffd1b3f5000)\n"
        "\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f1)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3)\n"
        "\tlibxcb-keysyms.so.1 => not found\n"
        "\tlibxcb-icccm.so.4 => not found\n"
    )
    assert not_found(output) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_a_library_whose_dependency_is_gone_is_reported(stand_ins):
    assert missing_libraries(stand_ins.broken) == [MISSING]


def test_a_library_the_system_can_load_has_nothing_missing(stand_ins):
    assert missing_libraries(stand_ins.sound) == []
    assert problem({PLUGIN_ENV: str(stand_ins.sound), "DISPLAY": ":0"}) is None


def test_without_ldd_or_a_readable_plugin_nothing_is_reported(stand_ins, tmp_path, monkeypatch):
    not_elf = tmp_path / "libqxcb.so"
    not_elf.write_text("not a library\n", encoding="utf-8")
    assert missing_libraries(not_elf) == []  # ldd: "not a dynamic executable"
    assert missing_libraries(tmp_path / "absent.so") == []
    monkeypatch.setenv("PATH", str(tmp_path))  # no ldd: Qt will say what it says
    assert missing_libraries(stand_ins.broken) == []
    assert problem({PLUGIN_ENV: str(stand_ins.broken), "DISPLAY": ":0"}) is None


def test_without_a_display_the_window_path_says_so_in_one_line(stand_ins):
    # Qt would abort with "could not connect to display" and advice about xcb libraries.
    assert problem({PLUGIN_ENV: str(stand_ins.sound)}) == NO_DISPLAY
    assert problem({PLUGIN_ENV: str(stand_ins.sound), "DISPLAY": ""}) == NO_DISPLAY
    assert "DISPLAY is not set" in NO_DISPLAY and "offscreen" in NO_DISPLAY
    # Missing libraries come first: they are what to fix first.
    assert problem({PLUGIN_ENV: str(stand_ins.broken)}) == MISSING_LINE


# -- the message -------------------------------------------------------------------------


def test_the_message_names_the_libraries_and_the_apt_and_dnf_lines():
    assert message(["libxcb-cursor.so.0", "libxcb-icccm.so.4"]) == (
        "Qt's xcb platform needs libxcb-cursor.so.0, libxcb-icccm.so.4, which this system "
        "lacks: sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 "
        "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm)"
    )


def test_install_commands_name_each_package_once():
    apt, dnf = install_commands(
        ["libglib-2.0.so.0", "libgthread-2.0.so.0", "libxcb-shape.so.0", "libxcb-xkb.so.1"]
    )
    assert apt == "sudo apt-get install -y libglib2.0-0 libxcb-shape0 libxcb-xkb1"
    assert dnf == "sudo dnf install glib2 libxcb"


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-xv.so.0", "libxcb-xv0"),  # Debian's policy for a library package
        ("libwayland-client.so.0", "libwayland-client0"),
        ("libfoo-2.so.3", "libfoo-2-3"),  # a name ending in a digit takes a hyphen
        ("libgcc_s.so.1", "libgcc-s1"),  # no underscores in package names
        ("libSM.so.6", "libsm6"),  # nor capitals
    ],
)
def test_a_library_not_in_the_table_gets_debians_library_package_name(soname, package):
    apt, dnf = install_commands([soname])
    assert apt == f"sudo apt-get install -y {package}"
    assert dnf == f"sudo dnf install '{soname}(){BITS}'"  # dnf installs by library


def test_qts_own_libraries_missing_mean_reinstalling_pyside6():
    line = message(["libQt6XcbQpa.so.6"])
    assert "apt-get" not in line
    assert "libQt6XcbQpa.so.6" in line and "pip install --force-reinstall PySide6" in line


def test_the_debian_packages_are_the_ones_dpkg_says_ship_the_libraries():
    """Each library of the table that is installed here comes from the package the table
    names (Debian and Ubuntu; on other systems there is no dpkg to ask)."""
    dpkg = shutil.which("dpkg-query")
    if dpkg is None:
        pytest.skip("not a Debian or Ubuntu system: no dpkg-query to ask")
    done = subprocess.run(
        [dpkg, "-S", *(f"*/{soname}" for soname in APT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    shipped: dict[str, set[str]] = {}
    for line in done.stdout.splitlines():
        packages, _, path = line.partition(": ")
        for package in packages.split(", "):
            shipped.setdefault(Path(path).name, set()).add(package.split(":")[0])
    checked = {soname for soname in APT if soname in shipped}
    assert len(checked) >= 5, done.stdout + done.stderr  # Qt's offscreen needs a few
    wrong = {s: (APT[s], shipped[s]) for s in checked if APT[s] not in shipped[s]}
    assert not wrong


def test_the_readmes_install_lines_are_the_checks_packages():
    """README's "Runtime libraries" lines install what the check would ask for, and at
    least the xcb libraries desktops lack most often."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Runtime libraries")
    section = readme[start : readme.index("\n## ", start)].replace("\\\n", " ")
    lines = section.splitlines()
    (apt_line,) = [line for line in lines if line.startswith("sudo apt-get install -y ")]
    (dnf_line,) = [line for line in lines if line.startswith("sudo dnf install ")]
    apt, dnf = set(apt_line.split()[4:]), set(dnf_line.split()[3:])
    known = {*APT, *DNF}
    assert apt <= {apt_package(soname) for soname in known}
    assert dnf <= {dnf_package(soname) for soname in known}
    often_missing = (
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-image.so.0",
        "libxcb-keysyms.so.1",
        "libxcb-render-util.so.0",
        "libxkbcommon-x11.so.0",
    )
    assert {apt_package(soname) for soname in often_missing} <= apt
    assert {dnf_package(soname) for soname in often_missing} <= dnf


# -- when the check applies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", True),  # Qt's default on Linux
        ({"DISPLAY": ":0"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb;wayland"}, "linux", True),
        ({"QT_QPA_PLATFORM": "", "DISPLAY": ":0"}, "linux", True),  # empty is unset
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "vnc"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        # Qt 6 tries Wayland first in a Wayland session, X11 (XWayland) only after it.
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", False),
        ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, "linux", False),
        ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "darwin", False),
        ({}, "win32", False),
    ],
)
def test_the_check_applies_when_qt_would_use_xcb(environ, platform, expected):
    assert uses_xcb(environ, platform) is expected


def test_a_window_that_will_not_use_xcb_is_not_held_up(stand_ins):
    for environ in ({"QT_QPA_PLATFORM": "offscreen"}, {"WAYLAND_DISPLAY": "wayland-0"}):
        assert problem({**environ, PLUGIN_ENV: str(stand_ins.broken)}) is None
    assert problem({PLUGIN_ENV: str(stand_ins.broken)}) == MISSING_LINE


# -- the real PySide6 --------------------------------------------------------------------


def test_the_real_plugin_is_found_without_importing_pyside6():
    code = (
        "import sys\n"
        "from gui.core.desktop_check import plugin_path\n"
        "print(plugin_path({}))\n"
        f"print(sorted(m for m in sys.modules if m.startswith({QT_MODULES!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    path, imported = done.stdout.splitlines()
    (location,) = find_spec("PySide6").submodule_search_locations
    assert Path(path) == Path(location, "Qt", "plugins", "platforms", "libqxcb.so")
    assert Path(path).is_file()
    assert imported == "[]"


def test_what_is_reported_for_the_real_plugin_is_what_the_loader_cannot_load():
    """dlopen, as Qt loads the plugin: it fails on a library the check reports, and
    succeeds (the window goes on) when the check reports none."""
    tool("ldd")
    plugin = plugin_path({})
    assert plugin is not None
    missing = missing_libraries(plugin)
    loaded = subprocess.run(
        [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(plugin)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if missing:
        assert loaded.returncode != 0
        assert any(f"{soname}: cannot open shared object" in loaded.stderr for soname in missing)
        assert problem({"DISPLAY": ":0"}) == message(missing)
    else:
        assert loaded.returncode == 0, loaded.stderr
        assert problem({"DISPLAY": ":0"}) is None


# -- the window path of the command ------------------------------------------------------


def test_python_m_gui_stops_with_one_line_and_no_qt_abort(stand_ins):
    done = subprocess.run(
        [sys.executable, "-m", "gui"],
        capture_output=True,
        text=True,
        timeout=60,
        env=window_environment(stand_ins.broken),
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"flexml-studio: {MISSING_LINE}"]
    for abort in ("core dumped", "qt.qpa", "Qt platform plugin", "Aborted", "Traceback"):
        assert abort not in done.stderr


def test_the_stopped_window_path_imports_no_qt(stand_ins):
    code = (
        "import sys\n"
        "from gui.cli import main\n"
        "code = main([])\n"
        f"print(code, sorted(m for m in sys.modules if m.startswith({QT_MODULES!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=window_environment(stand_ins.broken),
        cwd=ROOT,
    )
    assert done.stdout == "1 []\n", done.stderr
    assert done.stderr == f"flexml-studio: {MISSING_LINE}\n"


@pytest.fixture
def window_opened(monkeypatch) -> list[list[str]]:
    """gui.qt.app in place, without Qt: records each time the command opens the window."""
    for name in PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    opened: list[list[str]] = []
    app = types.ModuleType("gui.qt.app")
    app.run = lambda argv: opened.append(list(argv)) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gui.qt.app", app)
    return opened


def test_with_nothing_missing_the_command_opens_the_window(stand_ins, window_opened, monkeypatch):
    monkeypatch.setenv(PLUGIN_ENV, str(stand_ins.sound))
    monkeypatch.setenv("DISPLAY", ":0")
    assert cli.main([]) == 0
    assert window_opened == [[]]


def test_with_a_library_missing_the_command_does_not_open_the_window(
    stand_ins, window_opened, monkeypatch, capsys
):
    monkeypatch.setenv(PLUGIN_ENV, str(stand_ins.broken))
    assert cli.main([]) == cli.EXIT_PROBLEMS
    assert window_opened == []
    assert capsys.readouterr().err == f"flexml-studio: {MISSING_LINE}\n"


def test_headless_commands_do_not_run_the_check(stand_ins):
    done = subprocess.run(
        [sys.executable, "-m", "gui", "validate", "resources/samples/sample.flexproj"],
        capture_output=True,
        text=True,
        timeout=60,
        env=window_environment(stand_ins.broken),
        cwd=ROOT,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "checked: 0 errors" in done.stdout


def test_an_offscreen_screenshot_does_not_run_the_check(stand_ins, window_opened, monkeypatch):
    monkeypatch.setenv(PLUGIN_ENV, str(stand_ins.broken))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert cli.main(["--screenshot", "shot.png"]) == 0
    assert window_opened == [["--screenshot", "shot.png"]]


def test_the_check_lives_in_the_qt_free_core():
    assert desktop_check.__name__ == "gui.core.desktop_check"
    source = Path(desktop_check.__file__).read_text(encoding="utf-8")
    assert "import PySide6" not in source and "from PySide6" not in source
