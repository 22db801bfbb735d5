"""The two answers of a replay, the logged one and the one the draft gives now, lined up
row by row with the changed rows coloured (the request log's Replay tab)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QResizeEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTextEdit, QVBoxLayout, QWidget

from ..common.names import findable
from ..common.theme import is_dark
from ..common.xml_text import XmlHighlighter

if TYPE_CHECKING:  # gui.core.server loads aiohttp: replay imports it when first used
    from ...core.server.replay import DiffRow

SIDE_BY_SIDE = 560  # pixels: narrower, a replay's two answers go one above the other

# (on a light background, on a dark one)
_REMOVED_COLOURS = ("#FFEBE9", "#4B1818")
_ADDED_COLOURS = ("#DAFBE1", "#12361D")
_FILLER_COLOURS = ("#F0F0F0", "#262A30")


class DiffView(QWidget):
    """Two read-only panes, the logged answer and the new one, lined up row by row, with the
    changed rows coloured; they scroll together."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.old_title = QLabel("Logged answer", self)
        self.new_title = QLabel("Answer now", self)
        self.old_pane = self._pane("The answer the server sent when the request was logged")
        findable(self.old_pane, "replay-logged-answer", "Logged answer")
        self.new_pane = self._pane("What the server answers the same request from the draft now")
        findable(self.new_pane, "replay-answer-now", "Answer now, from the current draft")
        self.old_highlighter = XmlHighlighter(self.old_pane.document(), is_dark(self.palette()))
        self.new_highlighter = XmlHighlighter(self.new_pane.document(), is_dark(self.palette()))
        self.rows: list[DiffRow] = []
        old_side, new_side = QWidget(self), QWidget(self)
        for side, title, pane in (
            (old_side, self.old_title, self.old_pane),
            (new_side, self.new_title, self.new_pane),
        ):
            column = QVBoxLayout(side)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(title)
            column.addWidget(pane, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(old_side)
        self.splitter.addWidget(new_side)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        for a, b in ((self.old_pane, self.new_pane), (self.new_pane, self.old_pane)):
            a.verticalScrollBar().valueChanged.connect(b.verticalScrollBar().setValue)
            a.horizontalScrollBar().valueChanged.connect(b.horizontalScrollBar().setValue)

    def _pane(self, tip: str) -> QPlainTextEdit:
        pane = QPlainTextEdit(self)
        pane.setReadOnly(True)
        pane.setUndoRedoEnabled(False)
        pane.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        pane.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        pane.setToolTip(tip)
        return pane

    def show_diff(self, rows: list[DiffRow], old_title: str, new_title: str) -> None:
        self.rows = rows
        self.old_title.setText(old_title)
        self.new_title.setText(new_title)
        # WORKAROUND: a U+2029 would start a new block (a line) in QTextDocument; U+2028
        # breaks the line inside the block, so the two panes stay lined up.
        self.old_pane.setPlainText("\n".join(old.replace("\u2029", "\u2028") for _, old, _ in rows))
        self.new_pane.setPlainText("\n".join(new.replace("\u2029", "\u2028") for _, _, new in rows))
        self._mark()
        first = next((i for i, (kind, _, _) in enumerate(rows) if kind != "same"), None)
        if first is not None:
            for pane in (self.old_pane, self.new_pane):
                pane.setTextCursor(QTextCursor(pane.document().findBlockByNumber(first)))
                pane.centerCursor()

    def clear(self) -> None:
        self.rows = []
        self.old_pane.clear()
        self.new_pane.clear()
        self.old_pane.setExtraSelections([])
        self.new_pane.setExtraSelections([])

    def changed_rows(self) -> list[int]:
        """The 0-based rows that differ."""
        return [i for i, (kind, _, _) in enumerate(self.rows) if kind != "same"]

    def _mark(self) -> None:
        dark = is_dark(self.palette())
        removed = QColor(_REMOVED_COLOURS[dark])
        added = QColor(_ADDED_COLOURS[dark])
        filler = QColor(_FILLER_COLOURS[dark])
        old_marks, new_marks = [], []
        for row, (kind, _old, _new) in enumerate(self.rows):
            if kind == "same":
                continue
            old_marks.append((row, filler if kind == "added" else removed))
            new_marks.append((row, filler if kind == "removed" else added))
        self.old_pane.setExtraSelections(_line_marks(self.old_pane, old_marks))
        self.new_pane.setExtraSelections(_line_marks(self.new_pane, new_marks))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Side by side when there is room; in a narrow dock the old answer goes above the new.
        wide = event.size().width() >= SIDE_BY_SIDE
        self.splitter.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            dark = is_dark(self.palette())
            self.old_highlighter.set_dark(dark)
            self.new_highlighter.set_dark(dark)
            self._mark()


def _line_marks(pane: QPlainTextEdit, marks: list[tuple[int, QColor]]) -> list:
    document = pane.document()
    selections = []
    for row, colour in marks:
        selection = QTextEdit.ExtraSelection()
        # A collapsed cursor with FullWidthSelection paints its whole line (a current-line look).
        selection.cursor = QTextCursor(document.findBlockByNumber(row))
        selection.format.setBackground(colour)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selections.append(selection)
    return selections
