"""A label for the dial pad's messages that wraps whatever it is given and never widens the
pad: a 300-character URL in an error breaks over lines instead of pushing the keys away.

QLabel wraps only at spaces, and its size hint is as wide as the longest word. So the label
ignores its own width (the layout gives it the pad's), and long runs without a space are
shown with zero-width spaces in them, where Qt may break the line. `text()` and copying
give the text as it was set, without them.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QSizePolicy, QWidget

BREAK = "\u200b"  # zero-width space: a place to break the line, shown as nothing
RUN = 24  # characters without a space after which a line may break
_LONG_RUN = re.compile(rf"\S{{{RUN + 1},}}")


def breakable(text: str) -> str:
    """`text` with a BREAK after every RUN characters of a longer run without spaces."""

    def cut(match: re.Match[str]) -> str:
        run = match.group()
        return BREAK.join(run[i : i + RUN] for i in range(0, len(run), RUN))

    return _LONG_RUN.sub(cut, text)


class WrapLabel(QLabel):
    """See the module docstring. Selectable with the mouse; Ctrl+C and the context menu's
    Copy give the text without the breaks."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Ignored: the layout's width, never the text's; the height follows the wrapping
        # (and no more: the space left goes to what is under it).
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._text = text
        super().setText(breakable(text))

    def text(self) -> str:
        return self._text

    def copy_selection(self) -> None:
        """Put the selected text (all of it when nothing is selected) on the clipboard."""
        chosen = self.selectedText() or super().text()
        QApplication.clipboard().setText(chosen.replace(BREAK, ""))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.addAction("Copy", self.copy_selection)
        menu.exec(event.globalPos())
        menu.deleteLater()
