"""Render the app icon (resources/icons/flexml-studio.svg) to PNGs at the sizes desktops use.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

writes resources/icons/app/flexml-studio-{16,...,512}.png. The PNGs are committed (they ship
in the wheel and the bundle, and the Linux hicolor theme, Windows .ico and macOS .icns are
made from them); run this again after changing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "flexml-studio.svg"
TARGET = ROOT / "resources" / "icons" / "app"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
NAME = "flexml-studio-{size}.png"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn on a transparent size x size image, antialiased."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    TARGET.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        out = TARGET / NAME.format(size=size)
        if not render(SOURCE, size).save(str(out), "PNG"):
            raise SystemExit(f"could not write {out}")
        print(f"{out.relative_to(ROOT)}  {size}x{size}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
