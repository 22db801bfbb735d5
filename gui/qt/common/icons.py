"""Icons: FlexML elements, flows, switches, severities and the app, from the installed package.

The SVGs live in gui.resources/icons and are read with importlib.resources, so an installed
wheel finds them without the source tree. An icon whose file is on disk (an installed
wheel, the source tree, a bundle) is handed to QIcon by path: Qt's SVG icon engine draws it
at each size a view asks for, when it first asks (drawing every icon at eight sizes up front
cost the first frame about 60 ms). Otherwise (a zipped package, or no SVG icon engine
plugin, as a trimmed bundle might have) the SVG is rendered once into pixmaps at the
usual sizes; QIcon scales between them and derives the disabled look.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap

from ...core.flexml import COMMENT, SCHEMA

ICON_DIR = "icons"
UNKNOWN = "unknown"
FLOW_ICON = "flow.svg"
SWITCH_ICON = "switch.svg"
_SIZES = (16, 20, 24, 32, 48, 64, 128, 256)
APP_ICON_NAME = "flexml-studio"
APP_ICON_DIR = "app"  # gui.resources/icons/app/flexml-studio-SIZE.png
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_file(tag: str) -> str:
    """The file name (in gui.resources/icons) of the icon for element `tag`."""
    if tag == COMMENT:
        return "comment.svg"
    return f"{tag.lower()}.svg" if tag in SCHEMA else f"{UNKNOWN}.svg"


def icon_files() -> list[str]:
    """Every SVG file shipped in gui.resources/icons."""
    folder = resources.files("gui.resources").joinpath(ICON_DIR)
    return sorted(item.name for item in folder.iterdir() if item.name.endswith(".svg"))


def svg_bytes(name: str) -> bytes:
    """The content of the icon file `name`."""
    return resources.files("gui.resources").joinpath(ICON_DIR, name).read_bytes()


def _render(name: str) -> QIcon:
    from PySide6.QtSvg import QSvgRenderer  # only a zipped package needs it

    renderer = QSvgRenderer(QByteArray(svg_bytes(name)))
    if not renderer.isValid():
        raise ValueError(f"{name} is not a valid SVG")
    icon = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


@cache
def named_icon(name: str) -> QIcon:
    """The icon of the file `name` in gui.resources/icons (cached)."""
    found = resources.files("gui.resources").joinpath(ICON_DIR, name)
    if isinstance(found, Path) and found.is_file():
        icon = QIcon(str(found))
        if not icon.isNull():  # (null without Qt's SVG icon engine plugin)
            return icon
    return _render(name)


def verb_icon(tag: str) -> QIcon:
    """The icon of a FlexML element or "#comment"; unknown tags get the question mark."""
    return named_icon(icon_file(tag))


def flow_icon() -> QIcon:
    """The icon of a flow (a FlexML document) in the Flows list and on the flow map."""
    return named_icon(FLOW_ICON)


def switch_icon() -> QIcon:
    """The icon of a switch (a branch point) in the Flows list and on the flow map."""
    return named_icon(SWITCH_ICON)


def severity_icon(severity: str) -> QIcon:
    """The icon of a lint severity ("error" or "warning")."""
    return named_icon("error.svg" if severity == "error" else "warning.svg")


@cache
def app_icon() -> QIcon:
    """The FlexML Studio application icon: the PNGs of icons/app (16 to 512 px, drawn from
    the SVG by packaging/make_icons.py, the same files the desktop and installers use), and
    the SVG itself rendered at the view sizes those leave out."""
    folder = resources.files("gui.resources").joinpath(ICON_DIR, APP_ICON_DIR)
    icon = QIcon()
    for size in APP_ICON_SIZES:
        pixmap = QPixmap()
        data = folder.joinpath(f"{APP_ICON_NAME}-{size}.png").read_bytes()
        if pixmap.loadFromData(data, "PNG"):
            icon.addPixmap(pixmap)
    svg = named_icon(f"{APP_ICON_NAME}.svg")
    for size in _SIZES:
        if size not in APP_ICON_SIZES:
            icon.addPixmap(svg.pixmap(size, size))
    return icon
