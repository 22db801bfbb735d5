"""Colours that follow the desktop theme."""

from __future__ import annotations

from PySide6.QtGui import QPalette


def is_dark(palette: QPalette) -> bool:
    """Whether `palette` is a dark theme (its base colour darker than mid-grey)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128
