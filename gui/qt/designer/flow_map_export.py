"""The flow map as a PNG or an SVG file: the scene rendered into bytes in memory, then
written atomically, so a folder that cannot be written says why and leaves nothing behind.
"""

from __future__ import annotations

import os
from enum import Enum

from PySide6.QtCore import QBuffer, QIODevice, QRectF, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

from ...core.fileio import atomic_write

PNG_SCALE = 2.0  # pixels per scene unit: sharp on high-density screens and in print
MAX_PIXELS = 16_000_000  # a huge map is drawn smaller rather than take gigabytes


class ImageFormat(Enum):
    """A format the map exports to, by its file suffix."""

    PNG = "png"
    SVG = "svg"

    @property
    def description(self) -> str:
        return "PNG image (*.png)" if self is ImageFormat.PNG else "SVG drawing (*.svg)"


def png_bytes(scene: QGraphicsScene, source: QRectF) -> bytes:
    """`source` of `scene` as a PNG, at PNG_SCALE (less for a map too big for that)."""
    scale = min(PNG_SCALE, (MAX_PIXELS / max(1.0, source.width() * source.height())) ** 0.5)
    size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.backgroundBrush().color())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    return _encoded(image)


def _encoded(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(buffer.data().data())


def svg_bytes(scene: QGraphicsScene, source: QRectF, title: str) -> bytes:
    """`source` of `scene` as an SVG drawing titled `title`."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    size = QSize(max(1, round(source.width())), max(1, round(source.height())))
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    generator.setDescription("Made with FlexML Studio")
    painter = QPainter(generator)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    buffer.close()
    return bytes(buffer.data().data())


def write_image(
    scene: QGraphicsScene, source: QRectF, path: str | os.PathLike[str], fmt: ImageFormat
) -> None:
    """Write `source` of `scene` to `path` as `fmt`; SaveError says why it could not."""
    if fmt is ImageFormat.PNG:
        data = png_bytes(scene, source)
    else:
        data = svg_bytes(scene, source, "Flow map")
    atomic_write(path, data)
