"""Names that let tests and assistive technology find a control: its objectName and its
accessible name, set together."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def findable(widget: W, name: str, accessible: str, description: str = "") -> W:
    """Give `widget` the objectName `name` (stable, for tests and saved layouts) and the
    accessible name `accessible` (what a screen reader says, in the user's words)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    if description:
        widget.setAccessibleDescription(description)
    return widget
