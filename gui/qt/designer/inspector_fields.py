"""The inspector's input widgets, one kind per schema type, and their helpers."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPalette, QTextCursor, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...core.flexml.schema import AttrSpec, Certainty, Type

PLACEHOLDER = "Select a verb to edit it"
RESET_TIP = "Reset to default (remove from the XML)"
NOT_SAVED = "not saved until it is valid"
NOT_APPLIED = "not applied"  # said when a field is left with a value that was refused
ERROR_COLOR = "#c62828"
# A frame around each field: red while its value is invalid. Drawn by a wrapper, not by the
# field itself: a styled border on a spin or combo box makes Qt draw its arrows plainly.
FRAME_STYLE = "QFrame#field-frame {{ border: 1px solid {}; border-radius: 3px; }}"
NO_LIMIT = 2**31 - 1  # the widest range a QSpinBox (a C int) holds
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}\Z")
DIGITS = re.compile(r"[+-]?[0-9]+\Z")  # a number, in range or not
METHOD_CHOICES = ("GET", "POST")  # what lint accepts for Type.METHOD
NARROWEST_FIELD = 200  # px for a field and its reset button beside the widest label
TEXT_LABELS = {
    Type.URL: "URL",
    Type.NUMBER: "Number",
    Type.DIAL_TARGET: "Number",
    Type.DTMF: "Keys",
}

# (value, discrete): discrete is a click or a pick from a list, not a keystroke.
OnInput = Callable[[str, bool], None]


def tooltip_html(text: str) -> str:
    """`text` as a tooltip: escaped (values may hold <), and wrapped like rich text is."""
    return "<p>" + html.escape(text, quote=False).replace("\n", "<br>") + "</p>"


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names and messages may hold < and &
    return label


def placeholder_for(default: str | None) -> str:
    return f"{default} (default)" if default is not None else "not set"


def attribute_tip(attr: AttrSpec) -> str:
    lines = [attr.description]
    if attr.certainty is Certainty.ASSUMED:
        lines[0] += " (assumed from TwiML)"
    if attr.required:
        inside = " inside " + " or ".join(attr.required_inside) if attr.required_inside else ""
        lines.append(f"Required{inside}")
    if attr.use_warning:
        lines.append(attr.use_warning)
    if attr.default is not None:
        lines.append(f"Default: {attr.default}")
    if attr.requires:
        lines.append(f'Only has an effect when {attr.requires[0]}="{attr.requires[1]}"')
    return "\n".join(lines)


def set_line_text(edit: QLineEdit, text: str) -> None:
    """Show `text` (no textEdited is emitted), keeping the cursor where it was."""
    if edit.text() != text:
        position = edit.cursorPosition()
        edit.setText(text)
        edit.setCursorPosition(min(position, len(text)))


# -- editors: one Qt input widget each, shown and read as a text value ---------------------


class FieldEditor:
    """An input widget seen as a text value; showing None is the not-set (default) state."""

    widget: QWidget

    def show(self, value: str | None) -> None:
        raise NotImplementedError

    def current(self) -> str:
        """What the widget shows now; "" for the not-set state."""
        raise NotImplementedError


class LineEditor(FieldEditor):
    def __init__(self, on_input: OnInput, placeholder: str) -> None:
        self.widget = QLineEdit()
        self.widget.setPlaceholderText(placeholder)
        self.widget.textEdited.connect(lambda text: on_input(text, False))

    def show(self, value: str | None) -> None:
        set_line_text(self.widget, value or "")

    def current(self) -> str:
        return self.widget.text()


class TextEditor(FieldEditor):
    """Multi-line text (Say's words, a comment)."""

    def __init__(self, on_input: OnInput, placeholder: str) -> None:
        edit = self.widget = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)  # Tab walks the form; a tab character is never wanted
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 5 + 14)
        self._quiet = False
        edit.textChanged.connect(lambda: self._quiet or on_input(edit.toPlainText(), False))

    def show(self, value: str | None) -> None:
        edit, text = self.widget, value or ""
        if edit.toPlainText() == text:
            return
        cursor = edit.textCursor()
        anchor, position = cursor.anchor(), cursor.position()
        self._quiet = True
        try:
            edit.setPlainText(text)
        finally:
            self._quiet = False
        end = edit.document().characterCount() - 1
        cursor = edit.textCursor()
        cursor.setPosition(min(anchor, end))
        cursor.setPosition(min(position, end), QTextCursor.MoveMode.KeepAnchor)
        edit.setTextCursor(cursor)

    def current(self) -> str:
        return self.widget.toPlainText()


class SpinBox(QSpinBox):
    """A QSpinBox that can also show no number (not set) or a file's value that is not one,
    and that lets a number out of its range be typed: QSpinBox refuses the keystroke that
    leaves the range, so typing 500 where 50 is the most left 50 there, silently. Here 500
    stays in the field and the inspector refuses it with lint's message, which gives the
    range; leaving the field puts the attribute's value back and says it was not applied."""

    stepped = Signal(int)  # arrows, wheel, Up/Down keys: the value stepped to

    def __init__(self) -> None:
        super().__init__()
        self.shown: str | None = ""  # the text shown instead of the number; None: the number

    def validate(self, text: str, position: int) -> object:
        if text in ("", self.shown):
            return QValidator.State.Acceptable, text, position
        state, text, position = super().validate(text, position)
        if state is QValidator.State.Invalid and (self.shown or DIGITS.match(text)):
            # A number out of range, or a file's value that is not a number ("2x") being
            # edited into one: lint's message shows till it is valid, and leaving the field
            # puts the attribute's value back (see the class docstring).
            state = QValidator.State.Intermediate
        return state, text, position

    def valueFromText(self, text: str) -> int:
        return self.value() if text in ("", self.shown) else super().valueFromText(text)

    def textFromValue(self, value: int) -> str:
        return super().textFromValue(value) if self.shown is None else self.shown

    def stepBy(self, steps: int) -> None:
        self.shown = None
        super().stepBy(steps)
        self.stepped.emit(self.value())


class SpinEditor(FieldEditor):
    def __init__(self, on_input: OnInput, on_finished: Callable[[], None], attr: AttrSpec):
        spin = self.widget = SpinBox()
        low = attr.minimum if attr.minimum is not None else -NO_LIMIT
        spin.setRange(low, attr.maximum if attr.maximum is not None else NO_LIMIT)
        # Stepping from "not set" starts at the default.
        default = attr.default
        fits = default is not None and WHOLE_NUMBER.match(default) and self._fits(int(default))
        self.resting = int(default) if fits else low
        spin.setValue(self.resting)
        spin.lineEdit().setPlaceholderText(placeholder_for(default))
        self._on_input = on_input
        spin.lineEdit().textEdited.connect(self._on_text_edited)
        spin.stepped.connect(lambda value: on_input(str(value), False))
        # Qt puts the last number back when the field is left with an unfinished one.
        spin.editingFinished.connect(on_finished)

    def _fits(self, number: int) -> bool:
        return self.widget.minimum() <= number <= self.widget.maximum()

    def _on_text_edited(self, text: str) -> None:
        spin = self.widget
        if not text or WHOLE_NUMBER.match(text):
            spin.shown = None if text else ""
        self._on_input(str(int(text)) if WHOLE_NUMBER.match(text) else text, False)

    def show(self, value: str | None) -> None:
        spin = self.widget
        if value is None:
            shown, number = "", self.resting
        elif WHOLE_NUMBER.match(value) and self._fits(int(value)):
            shown, number = None, int(value)
        else:
            shown, number = value, spin.value()
        text = str(number) if shown is None else shown
        if spin.shown == shown and spin.value() == number and spin.lineEdit().text() == text:
            return
        with QSignalBlocker(spin):
            spin.shown = shown
            spin.setValue(number)
            set_line_text(spin.lineEdit(), text)

    def current(self) -> str:
        return self.widget.lineEdit().text()


class CheckEditor(FieldEditor):
    def __init__(self, on_input: OnInput, default: str | None) -> None:
        box = self.widget = QCheckBox()
        self.default = default
        # A style sheet, not a palette: the field's frame has a style sheet, under which Qt
        # ignores palettes.
        grey = box.palette().color(QPalette.ColorRole.PlaceholderText)
        self._grey = f"color: rgba({grey.red()}, {grey.green()}, {grey.blue()}, {grey.alpha()})"
        self._value: str | None = None
        box.clicked.connect(lambda checked: on_input("true" if checked else "false", True))

    def show(self, value: str | None) -> None:
        box, self._value = self.widget, value
        state = value if value is not None else self.default or "false"
        with QSignalBlocker(box):
            if state in ("true", "false"):
                box.setTristate(False)
                box.setChecked(state == "true")
            else:  # a file's value that is neither: lint's message says what is wrong
                box.setCheckState(Qt.CheckState.PartiallyChecked)
        box.setText(value if value is not None else placeholder_for(self.default))
        style = "" if value is not None else self._grey
        if box.styleSheet() != style:
            box.setStyleSheet(style)

    def current(self) -> str:
        return self._value or ""


class ComboEditor(FieldEditor):
    """A list of values; editable ones (voices, URLs) also take free text."""

    def __init__(self, on_input: OnInput, placeholder: str, editable: bool) -> None:
        combo = self.widget = QComboBox()
        self._on_input = on_input
        self._extra: str | None = None  # a file's value that is not among the items
        combo.setEditable(editable)
        if editable:
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.setCompleter(None)  # inline completion would type for the user
            combo.lineEdit().setPlaceholderText(placeholder)
            combo.lineEdit().textEdited.connect(lambda text: on_input(text, False))
        else:
            combo.setPlaceholderText(placeholder)
        combo.activated.connect(self._on_activated)

    def set_items(self, items: list[tuple[str, str]]) -> None:
        """(label, value) pairs; what the field shows stays."""
        combo = self.widget
        shown = combo.lineEdit().text() if combo.isEditable() else combo.currentData()
        position = combo.lineEdit().cursorPosition() if combo.isEditable() else 0
        with QSignalBlocker(combo):
            combo.clear()
            self._extra = None
            for label, value in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(-1)
        if combo.isEditable():
            combo.lineEdit().setText(shown)
            combo.lineEdit().setCursorPosition(position)
        else:
            self.show(shown)

    def _on_activated(self, index: int) -> None:
        value = self.widget.itemData(index)
        if self.widget.isEditable():
            # The item's label ("man (default)") went into the field; the value belongs there.
            self.widget.lineEdit().setText(value)
        self._on_input(value, True)

    def show(self, value: str | None) -> None:
        combo = self.widget
        if combo.isEditable():
            set_line_text(combo.lineEdit(), value or "")
            return
        with QSignalBlocker(combo):
            if self._extra is not None and value != self._extra:
                combo.removeItem(combo.count() - 1)
                self._extra = None
            index = -1 if value is None else combo.findData(value)
            if value is not None and index < 0:
                combo.addItem(value, value)
                self._extra, index = value, combo.count() - 1
            combo.setCurrentIndex(index)

    def current(self) -> str:
        combo = self.widget
        return combo.lineEdit().text() if combo.isEditable() else combo.currentData() or ""


# -- rows ----------------------------------------------------------------------------------
