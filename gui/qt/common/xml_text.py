"""Read-only, highlighted XML: the FlexML preview and the request log's answers share it.

`XmlView.highlight_lines` marks and reveals a range of lines.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit, QWidget

from ...core.sequences import changed_span
from .names import findable
from .theme import is_dark

# The highlighter's colours (GitHub's syntax palettes), for light and dark backgrounds.
LIGHT_COLOURS: dict[str, str] = {
    "tag": "#116329",
    "attribute": "#0550AE",
    "value": "#0A3069",
    "comment": "#6E7781",
    "declaration": "#8250DF",
    "entity": "#953800",
}
DARK_COLOURS: dict[str, str] = {
    "tag": "#7EE787",
    "attribute": "#79C0FF",
    "value": "#A5D6FF",
    "comment": "#8B949E",
    "declaration": "#D2A8FF",
    "entity": "#FFA657",
}


# Block states carried from one line to the next.
_NORMAL, _IN_COMMENT, _IN_TAG = 0, 1, 2
_NAME_END = frozenset(" \t\r\n/>=")


class XmlHighlighter(QSyntaxHighlighter):
    """Colours tags, attribute names and values, comments, the declaration and entities."""

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {}
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Switch between the light and dark colours."""
        colours = DARK_COLOURS if dark else LIGHT_COLOURS
        self.formats = {}
        for kind, colour in colours.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if kind == "comment":
                fmt.setFontItalic(True)
            if kind == "entity":
                fmt.setFontWeight(QFont.Weight.Bold)
            self.formats[kind] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        state = self.previousBlockState()
        pos, end = 0, len(text)
        while pos < end:
            if state == _IN_COMMENT:
                pos, state = self._comment(text, pos)
            elif state == _IN_TAG:
                pos, state = self._inside_tag(text, pos)
            else:
                pos, state = self._content(text, pos)
        self.setCurrentBlockState(state if state in (_IN_COMMENT, _IN_TAG) else _NORMAL)

    def _format(self, start: int, length: int, kind: str) -> None:
        self.setFormat(start, length, self.formats[kind])

    def _comment(self, text: str, pos: int) -> tuple[int, int]:
        close = text.find("-->", pos)
        stop = len(text) if close < 0 else close + 3
        self._format(pos, stop - pos, "comment")
        return stop, (_IN_COMMENT if close < 0 else _NORMAL)

    def _content(self, text: str, pos: int) -> tuple[int, int]:
        """Text between tags: only entities are coloured, until the next `<`."""
        if text.startswith("<!--", pos):
            return self._comment(text, pos)
        if text.startswith("<?", pos):
            close = text.find("?>", pos)
            stop = len(text) if close < 0 else close + 2
            self._format(pos, stop - pos, "declaration")
            return stop, _NORMAL
        if text.startswith("<", pos):
            stop = pos + (2 if text.startswith("</", pos) else 1)
            while stop < len(text) and text[stop] not in _NAME_END:
                stop += 1
            self._format(pos, stop - pos, "tag")
            return stop, _IN_TAG
        if text.startswith("&", pos):
            return self._entity(text, pos), _NORMAL
        stop = min((i for i in (text.find("<", pos), text.find("&", pos)) if i >= 0), default=-1)
        return (len(text) if stop < 0 else stop), _NORMAL

    def _inside_tag(self, text: str, pos: int) -> tuple[int, int]:
        """Inside `<Tag ...>`: attribute names, values and the closing bracket."""
        char = text[pos]
        if char in " \t=":
            return pos + 1, _IN_TAG
        if text.startswith("/>", pos) or char == ">":
            size = 2 if char == "/" else 1
            self._format(pos, size, "tag")
            return pos + size, _NORMAL
        if char in "\"'":
            close = text.find(char, pos + 1)
            stop = len(text) if close < 0 else close + 1
            self._format(pos, stop - pos, "value")
            entity = text.find("&", pos, stop)
            while entity >= 0:
                after = self._entity(text, entity)
                entity = text.find("&", after, stop)
            return stop, _IN_TAG
        stop = pos + 1
        while stop < len(text) and text[stop] not in _NAME_END:
            stop += 1
        self._format(pos, stop - pos, "attribute")
        return stop, _IN_TAG

    def _entity(self, text: str, pos: int) -> int:
        close = text.find(";", pos)
        if close < 0 or close - pos > 12 or " " in text[pos:close]:
            return pos + 1
        self._format(pos, close + 1 - pos, "entity")
        return close + 1


class XmlView(QPlainTextEdit):
    """Read-only, highlighted FlexML; `highlight_lines` marks and reveals a node's lines."""

    # Keep the scroll position when at least this share of the lines is unchanged.
    SAME_TEXT_RATIO = 0.6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The creator names it after what it shows; this default is the FlexML preview's.
        findable(self, "xml-view", "FlexML")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setUndoRedoEnabled(False)
        self.highlighter = XmlHighlighter(self.document(), is_dark(self.palette()))
        self._text = ""
        self._lines: list[str] = [""]  # the shown text split at line breaks
        self._blocks_are_lines = True  # whether those lines are the document's blocks
        self._highlighted: tuple[int, int] | None = None

    def xml(self) -> str:
        """The text last given to set_xml."""
        return self._text

    def set_xml(self, text: str) -> None:
        """Show `text`; the scroll position stays when the text is mostly the same.

        Mostly the same text (an edit of a flow) replaces only the lines that changed, in
        one edit of the document: at 5,000 verbs setting the whole text again, and
        highlighting all of it, took 0.4 s; the highlighter now sees only the new lines."""
        if text == self._text:
            return
        # WORKAROUND: QTextDocument starts a new block at U+2029 as well as at "\n", which
        # would shift every line number below it; U+2028 breaks the line inside the block.
        shown = text.replace("\u2029", "\u2028")
        old_lines = self._lines
        new_lines = shown.split("\n")
        change = changed_span(old_lines, new_lines)
        keep = bool(self._text) and (
            _kept_share(change, old_lines, new_lines) >= self.SAME_TEXT_RATIO
            or SequenceMatcher(
                None, self._text.splitlines(), text.splitlines(), autojunk=False
            ).quick_ratio()
            >= self.SAME_TEXT_RATIO
        )
        vertical = self.verticalScrollBar().value()
        horizontal = self.horizontalScrollBar().value()
        self._text = text
        self.setExtraSelections([])
        if keep and self._blocks_are_lines and _splits_like_qt(shown):
            self._replace_lines(change, new_lines)
        else:
            self.setPlainText(shown)
        self._lines = new_lines
        self._blocks_are_lines = _splits_like_qt(shown)
        if keep:
            self.verticalScrollBar().setValue(vertical)
            self.horizontalScrollBar().setValue(horizontal)
            if self._highlighted:
                self._mark(*self._remember(*self._highlighted))
        else:
            self._highlighted = None

    def _replace_lines(self, change: tuple[int, int, int], new_lines: list[str]) -> None:
        """Put new_lines[first:first + count_new] in place of the shown lines
        first..first + count_old - 1, with one cursor edit."""
        first, count_old, count_new = change
        document = self.document()
        middle = "\n".join(new_lines[first : first + count_new])
        following = document.findBlockByNumber(first + count_old)
        cursor = QTextCursor(document)
        if following.isValid():  # lines stay after the change: replace up to the first
            cursor.setPosition(document.findBlockByNumber(first).position())
            cursor.setPosition(following.position(), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(middle + "\n" if count_new else "")
            return
        # The change runs to the end: it takes the line break before it, or adds one.
        end = document.characterCount() - 1
        if first < document.blockCount():
            start = document.findBlockByNumber(first).position()
            if not count_new:
                start -= 1
        else:
            start, middle = end, "\n" + middle
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(middle)

    def highlight_lines(self, first: int, last: int) -> None:
        """Mark lines `first`..`last` (1-based, inclusive) and scroll them into view."""
        first, last = self._remember(first, last)
        self._mark(first, last)
        self._reveal(first, last)

    def _remember(self, first: int, last: int) -> tuple[int, int]:
        """Clamp the range to the shown lines and keep it for set_xml and palette changes."""
        lines = self.line_count()
        first = max(1, min(first, lines))
        self._highlighted = (first, max(first, min(last, lines)))
        return self._highlighted

    def line_count(self) -> int:
        """Lines of text shown, not counting the empty one after the final newline."""
        document = self.document()
        blocks = document.blockCount()
        return blocks - 1 if blocks > 1 and not document.lastBlock().text() else blocks

    def clear_highlight(self) -> None:
        """Remove the line marking."""
        self._highlighted = None
        self.setExtraSelections([])

    def highlighted_lines(self) -> tuple[int, int] | None:
        """The (first, last) lines marked, or None."""
        return self._highlighted

    def copy_all(self) -> None:
        """Put the whole document on the clipboard."""
        QGuiApplication.clipboard().setText(self._text)

    def _mark(self, first: int, last: int) -> None:
        # A selection paints to the right edge (FullWidthSelection) only on lines it runs
        # past the end of, so lines first..last-1 are one selection ending at the start of
        # the last line, and the last line is a collapsed cursor, marked like a current line.
        document = self.document()
        last_block = document.findBlockByNumber(last - 1)
        selections = []
        if last > first:
            cursor = QTextCursor(document.findBlockByNumber(first - 1))
            cursor.setPosition(last_block.position(), QTextCursor.MoveMode.KeepAnchor)
            selections.append(self._selection(cursor))
        selections.append(self._selection(QTextCursor(last_block)))
        self.setExtraSelections(selections)

    def _selection(self, cursor: QTextCursor) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format.setBackground(self._mark_colour())
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        return selection

    def _mark_colour(self) -> QColor:
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(90 if is_dark(self.palette()) else 50)
        return colour

    def _reveal(self, first: int, last: int) -> None:
        """Scroll so the range shows: centred if it fits, else from its first line."""
        document = self.document()
        line_height = max(1, self.fontMetrics().lineSpacing())
        rows = max(1, self.viewport().height() // line_height)
        scroll = self.verticalScrollBar()
        top = document.findBlockByNumber(first - 1).firstLineNumber()
        bottom = document.findBlockByNumber(last - 1).firstLineNumber()
        if scroll.value() <= top and bottom < scroll.value() + rows:
            return
        span = bottom - top + 1
        target = top - (rows - span) // 2 if span <= rows else top
        scroll.setValue(max(0, target))

    def context_menu(self, position: QPoint) -> QMenu:
        """The context menu for `position` (in viewport coordinates): Copy, Select All and
        Copy all. The caller owns it."""
        menu = self.createStandardContextMenu(position)
        menu.addSeparator()
        menu.addAction("Copy all", self.copy_all)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_dark(is_dark(self.palette()))
            if self._highlighted:
                self._mark(*self._highlighted)


def _kept_share(change: tuple[int, int, int], old: list[str], new: list[str]) -> float:
    """The share of lines the change leaves as they were (as quick_ratio counts them)."""
    same = len(old) - change[1]
    return 2 * same / (len(old) + len(new))


def _splits_like_qt(text: str) -> bool:
    """Whether the document's blocks are `text`'s lines split at "\n" (a carriage return
    also ends a block, and so do Qt's frame marks: such text is set whole)."""
    return "\r" not in text and "\ufdd0" not in text and "\ufdd1" not in text
