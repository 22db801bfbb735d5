"""Packaging: the app icon's PNGs, the Linux desktop integration (validated by the distros'
own tools), the per-user installer, and the PyInstaller bundle when one is built.

desktop-file-validate, appstreamcli, update-mime-database and update-desktop-database come
from Debian's desktop-file-utils, appstream and shared-mime-info: without them these tests are
skipped with the apt-get line that installs them, except in CI, where .ci/run installs them
and they fail instead (tests/system_tools.py). The bundle test (marker `bundle`, left out of
`make test`) is run by `make bundle` on the bundle it has just built.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from configparser import ConfigParser
from pathlib import Path

import pytest
from lxml import etree

import gui
from tests.system_tools import APT_PACKAGES, in_ci, tool

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.flexmlstudio.FlexMLStudio"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
MIME = LINUX / f"{APP_ID}.mime.xml"
ICON_DIR = ROOT / "resources" / "icons" / "app"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
BUNDLE = ROOT / "dist" / "flexml-studio"
MIME_TYPE = "application/x-flexml-project"


def desktop_entry(path: Path = DESKTOP) -> dict[str, str]:
    parser = ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


# -- the app icon ------------------------------------------------------------------------


@pytest.mark.parametrize("size", ICON_SIZES)
def test_app_icon_png_exists_at_its_size_and_is_drawn(qapp, size):
    from PySide6.QtGui import QImage

    path = ICON_DIR / f"flexml-studio-{size}.png"
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is missing or not a PNG"
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()  # the rounded corners are transparent
    pixels = [image.pixelColor(x, y) for x in range(size) for y in range(size)]
    opaque = [color for color in pixels if color.alpha() == 255]
    assert len(opaque) > 0.7 * len(pixels), "mostly empty"
    assert image.pixelColor(0, 0).alpha() < 128, "the corner should be transparent"
    colours = {color.rgb() for color in opaque}
    assert len(colours) > 2, "a flat square: the symbol is missing"


def test_app_icon_pngs_match_the_svg(qapp):
    """The PNGs are drawn from the SVG: redrawing gives the same picture (a changed SVG
    needs `make icons`)."""
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import make_icons
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    from PySide6.QtGui import QImage

    assert make_icons.SIZES == ICON_SIZES
    for size in (16, 64, 256):
        fresh = make_icons.render(make_icons.SOURCE, size)
        stored = QImage(str(ICON_DIR / f"flexml-studio-{size}.png"))
        fresh = fresh.convertToFormat(QImage.Format.Format_ARGB32)
        stored = stored.convertToFormat(QImage.Format.Format_ARGB32)
        differing = sum(
            fresh.pixel(x, y) != stored.pixel(x, y) for x in range(size) for y in range(size)
        )
        assert differing <= size * size // 100, f"{size}px: {differing} pixels differ"


def test_windows_ico_and_macos_icns_hold_every_size(qapp, tmp_path):
    """The spec packs these at build time on Windows and macOS; Qt's own ico and icns
    readers (the same formats the systems read) find every image in them."""
    from PySide6.QtGui import QImageReader

    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import platform_icons
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    ico, icns = platform_icons.write(tmp_path)
    for path, expected in (
        (ico, [16, 24, 32, 48, 64, 128, 256]),
        (icns, [16, 32, 64, 128, 256, 512, 32, 64, 256, 512]),
    ):
        reader = QImageReader(str(path))
        sizes = []
        for index in range(reader.imageCount()):
            assert reader.jumpToImage(index)
            image = reader.read()
            assert not image.isNull(), f"{path.name} image {index}: {reader.errorString()}"
            assert image.width() == image.height()
            sizes.append(image.width())
        assert sizes == expected, path.name


def test_window_icon_has_every_png_size(qapp):
    from gui.qt.common.icons import APP_ICON_SIZES, app_icon

    assert APP_ICON_SIZES == ICON_SIZES
    sizes = {size.width() for size in app_icon().availableSizes()}
    assert set(ICON_SIZES) <= sizes
    assert 20 in sizes  # a view size the PNGs lack comes from the SVG
    assert app_icon() is app_icon()


def test_app_sets_the_desktop_file_name_of_the_desktop_file():
    from gui.qt import app

    assert app.APP_ID == APP_ID
    assert "app.setDesktopFileName(APP_ID)" in Path(app.__file__).read_text(encoding="utf-8")


# -- Linux desktop integration -----------------------------------------------------------


def test_desktop_file_is_valid():
    done = subprocess.run(
        [tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "error" not in output.lower(), output
    assert "warning" not in output.lower(), output


def test_desktop_file_opens_projects_and_xml_with_the_app():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "FlexML Studio"
    assert entry["Icon"] == APP_ID
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    script = next(iter(pyproject["project"]["scripts"]))
    assert entry["Exec"] == f"{script} %F"
    assert entry["TryExec"] == script
    assert entry["Categories"].split(";")[0] == "Development"
    mime_types = entry["MimeType"].rstrip(";").split(";")
    assert {MIME_TYPE, "application/xml", "text/xml"} <= set(mime_types)


def test_metainfo_is_valid():
    done = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", "--no-color", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Errors and warnings fail; infos and pedantic hints (e.g. the uppercase in the id,
    # which reverse-DNS ids of apps commonly have) do not.
    assert not re.search(r"^\s*[EW]: ", output, re.MULTILINE), output


def test_metainfo_matches_the_desktop_file_and_the_package():
    root = etree.parse(str(METAINFO)).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("icon[@type='stock']") == desktop_entry()["Icon"]
    assert root.findtext("provides/binary") == "flexml-studio"
    assert root.findtext("provides/mediatype") == MIME_TYPE
    assert root.findtext("project_license") == "MIT"
    versions = [release.get("version") for release in root.iter("release")]
    assert versions[0] == gui.__version__, "the newest <release> is the package's version"


def test_mime_type_knows_flexproj_files_by_name_and_by_content(tmp_path):
    (tmp_path / "mime" / "packages").mkdir(parents=True)
    shutil.copy(MIME, tmp_path / "mime" / "packages" / f"{APP_ID}.xml")
    done = subprocess.run(
        [tool("update-mime-database"), "-V", str(tmp_path / "mime")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stderr.lower() or "search path" in done.stderr, done.stderr
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8")
    assert f"{MIME_TYPE}:*.flexproj" in globs
    namespaces = (tmp_path / "mime" / "XMLnamespaces").read_text(encoding="utf-8")
    assert f" flexml-project {MIME_TYPE}" in namespaces
    subclasses = (tmp_path / "mime" / "subclasses").read_text(encoding="utf-8")
    assert f"{MIME_TYPE} application/xml" in subclasses
    # What the root-XML rule matches is what the app writes.
    for project in (ROOT / "resources" / "templates").glob("*.flexproj"):
        assert etree.parse(str(project)).getroot().tag == "flexml-project", project


def test_install_sh_installs_and_uninstalls_for_the_user(tmp_path):
    # install.sh refreshes the MIME and desktop databases with these when they are there.
    tool("update-mime-database")
    tool("update-desktop-database")
    share = tmp_path / "share"
    app = tmp_path / "my apps" / "flexml-studio"
    app.parent.mkdir()
    app.write_text("#!/bin/sh\n", encoding="utf-8")
    app.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(share)}
    done = subprocess.run(
        [str(LINUX / "install.sh"), "--exec", str(app)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr

    desktop = share / "applications" / DESKTOP.name
    entry = desktop_entry(desktop)
    assert entry["Exec"] == f'"{app}" %F'
    assert entry["TryExec"] == str(app)
    valid = subprocess.run(
        [tool("desktop-file-validate"), str(desktop)], capture_output=True, text=True
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert (share / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    for size in ICON_SIZES:
        installed = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert installed.read_bytes() == (ICON_DIR / f"flexml-studio-{size}.png").read_bytes()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    # The databases were refreshed: the type is known, and the app opens it.
    assert f"{MIME_TYPE}:*.flexproj" in (share / "mime" / "globs2").read_text(encoding="utf-8")
    cache = (share / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
    assert f"{MIME_TYPE}={DESKTOP.name};" in cache
    assert f"application/xml={DESKTOP.name};" in cache

    done = subprocess.run(
        [str(LINUX / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    left = [p for p in share.rglob("*") if p.is_file() and APP_ID in p.name]
    assert left == []
    assert MIME_TYPE not in (share / "mime" / "globs2").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "script",
    ["linux/install.sh", "check_wheel.sh", "check_bundle.sh"],
)
def test_packaging_scripts_are_executable_bash(script):
    path = ROOT / "packaging" / script
    assert os.access(path, os.X_OK), f"chmod +x {path}"
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- the system tools these tests need ---------------------------------------------------

NO_SUCH_TOOL = "flexml-studio-no-such-tool"


@pytest.mark.parametrize("ci", [None, "", "false", "0", "FALSE"])
def test_a_missing_tool_skips_outside_ci_with_the_apt_line(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception) as skipped:
        tool(NO_SUCH_TOOL, "flexml-tools")
    assert skipped.value.msg == f"{NO_SUCH_TOOL} is missing: sudo apt-get install -y flexml-tools"


@pytest.mark.parametrize("ci", ["true", "1", "yes", "GitHub"])
def test_a_missing_tool_fails_in_ci_with_the_same_message(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception) as failed:
        tool(NO_SUCH_TOOL, "flexml-tools")
    assert failed.value.msg == f"{NO_SUCH_TOOL} is missing: sudo apt-get install -y flexml-tools"


def test_a_tool_that_is_there_is_its_path(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert tool("bash") == shutil.which("bash")


def test_a_known_tool_names_its_debian_package(monkeypatch):
    monkeypatch.setenv("PATH", "")  # nothing is found
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        tool("desktop-file-validate")
    assert skipped.value.msg.endswith("sudo apt-get install -y desktop-file-utils")


def _ci_run() -> tuple[set[str], str]:
    """The packages .ci/run's apt-get line installs, and the script's text."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    joined = text.replace("\\\n", " ")
    (line,) = [line for line in joined.splitlines() if "apt-get install" in line]
    words = line.split("apt-get install", 1)[1].split(">", 1)[0].split()
    return {word for word in words if not word.startswith("-")}, text


def test_ci_installs_every_tool_and_makes_them_required():
    installed, text = _ci_run()
    essential = {"libc-bin"}  # Debian's Essential: on every system, ldd among it
    assert set(APT_PACKAGES.values()) - essential <= installed
    assert {"desktop-file-utils", "appstream", "shared-mime-info", "gcc"} <= installed
    # CI mode (missing tools fail, not skip) is on before the tests run.
    exports = re.findall(r"^export CI=(\S+)$", text, re.MULTILINE)
    assert exports and in_ci({"CI": exports[0].strip("\"'")}), exports
    assert text.index("\nexport CI=") < text.index("\nmake test\n")


# -- the PyInstaller bundle --------------------------------------------------------------


@pytest.mark.bundle  # run by `make bundle` on the bundle it built (not by `make test`)
def test_bundle_is_small_runs_and_keeps_headless_commands_qt_free():
    assert (BUNDLE / "flexml-studio").is_file(), "no bundle in dist/: run `make bundle`"
    files = [p for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb < 250, f"the bundle is {size_mb:.0f} MB"
    names = {p.name for p in files}
    for unwanted in ("libQt6WebEngineCore.so.6", "libQt63DCore.so.6", "libQt6Pdf.so.6"):
        assert unwanted not in names
    assert not [n for n in names if n.startswith(("libgtk-3", "libQt6VirtualKeyboard"))]
    internal = BUNDLE / "_internal"
    for size in ICON_SIZES:
        assert (internal / "gui/resources/icons/app" / f"flexml-studio-{size}.png").is_file()
    assert not [p for p in BUNDLE.rglob("*") if p.is_symlink() and not p.exists()], "dangling"
    done = subprocess.run(
        [str(ROOT / "packaging" / "check_bundle.sh"), str(BUNDLE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
