"""The dial pad's keypad: the number field, its region and exactly what is sent, and the
twelve keys (hold 0 for +).

A key tapped, or a tone key typed in the field, is first offered to `take_key` (the host's:
the Simulator waiting for keys, or a sandbox call taking tones); only when nobody takes it
is it typed. Pasted prose keeps only the number written in it. During a call the field
stays focused but read-only (the keys typed are tones, not digits of the number), and Esc
is the pad's Hang up instead of Clear.

Whether the selected profile is the sandbox (`sandbox()`, the host's) changes what the
field takes: the sandbox calls any number a person would type, and says when it is one a
real network would not call.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..common.names import findable
from ..common.settings import SettingsStore
from .pad_styles import ERROR_STYLE, OK_STYLE, WARN_STYLE
from .wrap_label import WrapLabel

KEYS = (
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
)
TONE_KEYS = "0123456789*#"
HOLD_MS = 600  # holding 0 this long types "+"
_ALLOWED = set("0123456789+*#()-. /") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_PROSE = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")  # a word with a small letter: not keypad letters


def _nobody(_key: str) -> bool:
    return False


def _never() -> bool:
    return False


class Keypad(QWidget):
    """See the module docstring. `take_key(key)` answers True when it took a tone key;
    `in_call()` says a call takes tones, so holding 0 sends a 0 instead of typing +;
    `sandbox()` says the number goes to the sandbox."""

    entered = Signal()  # Enter in the number field: place the call

    def __init__(self, settings: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.take_key: Callable[[str], bool] = _nobody
        self.in_call: Callable[[], bool] = _never
        self.sandbox: Callable[[], bool] = _never
        self._last_text = ""
        self._held_plus = False
        self._hold_timer = QTimer(self, singleShot=True, interval=HOLD_MS)
        self._hold_timer.timeout.connect(self._on_zero_held)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._build_number_row())
        self.normalized_label = findable(WrapLabel(), "dial-normalized", "What is sent")
        self.normalized_label.setToolTip("Exactly what is sent to CarrierX as called_did")
        layout.addWidget(self.normalized_label)
        layout.addLayout(self._build_keys())
        self.number_edit.setText(self.settings.get("dialpad/last-number"))
        self._update_number()

    def _build_number_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.number_edit = findable(QLineEdit(), "dial-number", "Number to call")
        self.number_edit.setPlaceholderText("Number to call, e.g. +1 (516) 206-5318")
        self.number_edit.setToolTip(
            "The number to call: type, paste or use the keys. Letters map to digits as on "
            "a phone; hold 0 for +. Enter places the call."
        )
        font = QFont(self.number_edit.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.number_edit.setFont(font)
        self.number_edit.textChanged.connect(self._on_text_changed)
        self.number_edit.returnPressed.connect(self.entered)
        self.number_edit.installEventFilter(self)
        # Off during a call: Esc is then the pad's Hang up (two would make it ambiguous).
        self.clear_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.number_edit)
        self.clear_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.clear_shortcut.activated.connect(self.number_edit.clear)
        row.addWidget(self.number_edit, 1)
        self.backspace_button = findable(QToolButton(), "dial-backspace", "Delete the last digit")
        self.backspace_button.setText("⌫")
        self.backspace_button.setToolTip("Delete the last character (Backspace)")
        self.backspace_button.clicked.connect(self.backspace)
        row.addWidget(self.backspace_button)
        self.clear_button = findable(QToolButton(), "dial-clear", "Clear the number")
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Clear the number (Esc in the number field)")
        self.clear_button.clicked.connect(self.number_edit.clear)
        row.addWidget(self.clear_button)
        self.region_combo = findable(QComboBox(), "dial-region", "Region of the number")
        self.region_combo.setToolTip("The country of numbers typed without a + and country code")
        self._fill_regions()
        self.region_combo.currentIndexChanged.connect(self._on_region_changed)
        row.addWidget(self.region_combo)
        return row

    def _build_keys(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(4)
        self.key_buttons: dict[str, QToolButton] = {}
        for position, (key, letters) in enumerate(KEYS):
            spoken = f"Key {key}" + (f" {letters}" if letters and key != "0" else "")
            button = findable(QToolButton(), f"dial-key-{key}", spoken)
            button.setText(f"{key}   {letters}" if letters else key)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumSize(56, 30)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            tip = f"{key}" + (f" ({letters})" if letters and key != "0" else "")
            if key == "0":
                tip = "0; hold for +"
                button.setAccessibleDescription("Hold for +")
                button.pressed.connect(self._hold_timer.start)
                button.released.connect(self._on_zero_released)
            else:
                button.clicked.connect(lambda _=False, k=key: self.press(k))
            button.setToolTip(tip + ". During a sandbox call: sends the tone.")
            grid.addWidget(button, position // 3, position % 3)
            self.key_buttons[key] = button
        return grid

    def _fill_regions(self) -> None:
        # The country-code table, not country_code_for_region(): that loads every region's
        # metadata (0.1 s at start-up).
        from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

        current = self.settings.get("phone/region") or "US"
        codes = {
            region: code
            for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()
            for region in regions
            if len(region) == 2 and region.isalpha()  # not "001" (non-geographic)
        }
        for region in sorted(codes):
            self.region_combo.addItem(f"{region} +{codes[region]}", region)
        index = self.region_combo.findData(current)
        self.region_combo.setCurrentIndex(index if index >= 0 else self.region_combo.findData("US"))

    def controls(self) -> tuple[QWidget, ...]:
        """What is disabled while the pad is busy or in a call (not the keys: they send
        tones; not the number field: it keeps the focus, so keys typed reach the call)."""
        return (self.region_combo, self.backspace_button, self.clear_button)

    def set_in_call(self, in_call: bool) -> None:
        """During a call the number stays as it was called: read-only, and Esc hangs up."""
        self.number_edit.setReadOnly(in_call)
        self.clear_shortcut.setEnabled(not in_call)

    # -- the number ----------------------------------------------------------------------------

    @property
    def region(self) -> str:
        return self.region_combo.currentData() or "US"

    def press(self, key: str) -> None:
        """A key of the pad: to `take_key` when it wants it, else typed."""
        if key in TONE_KEYS and self.take_key(key):
            return
        self.number_edit.insert(key)

    def backspace(self) -> None:
        self.number_edit.backspace()

    def normalized(self):
        """The number as typed, read in the region (a gui.core.phone.PhoneNumber), by the
        sandbox's rules when the call goes there."""
        from ...core.phone import normalize

        return normalize(self.number_edit.text(), self.region, sandbox=self.sandbox())

    def _on_zero_held(self) -> None:
        self._held_plus = True
        if not self.in_call():
            self.number_edit.insert("+")

    def _on_zero_released(self) -> None:
        if self._hold_timer.isActive():
            self._hold_timer.stop()
            self.press("0")
        elif self._held_plus:
            self._held_plus = False
            if self.in_call():
                self.press("0")

    def _on_text_changed(self, text: str) -> None:
        cleaned = "".join(c for c in text if c in _ALLOWED)
        pasted = abs(len(text) - len(self._last_text)) > 1  # a paste or setText, not a key
        if cleaned != text or (pasted and _PROSE.search(text)):
            # Pasted prose ("Call me at +1 516 ..."): keep the number written in it. Words
            # are never keypad letters here ("Bob 206-5318" must not dial 262-2065318);
            # only typed letters, or capitals (1-800-FLOWERS), are.
            cleaned = _number_in(text, self.region) or _PROSE.sub("", cleaned).strip()
            position = self.number_edit.cursorPosition()
            self.number_edit.blockSignals(True)
            self.number_edit.setText(cleaned)
            self.number_edit.setCursorPosition(min(position, len(cleaned)))
            self.number_edit.blockSignals(False)
        self._last_text = self.number_edit.text()
        self._update_number()

    def _on_region_changed(self) -> None:
        self.settings.set("phone/region", self.region)
        self._update_number()

    def update_number(self) -> None:
        """Say again what is sent (the host calls it when the profile changed)."""
        self._update_number()

    def _update_number(self) -> None:
        from ...core.calling import number_note

        text = self.number_edit.text().strip()
        if not text:
            self.normalized_label.setText("Type a number, or use the keys")
            self.normalized_label.setStyleSheet(OK_STYLE)
            return
        number = self.normalized()
        note = number_note(text, self.region, sandbox=self.sandbox()) if number.ok else None
        if note:
            self.normalized_label.setText(f"Sends {number.digits}. {note[:1].upper()}{note[1:]}.")
            self.normalized_label.setStyleSheet(WARN_STYLE)
        elif number.ok:
            self.normalized_label.setText(f"Sends {number.digits}")
            self.normalized_label.setStyleSheet(OK_STYLE)
        else:
            self.normalized_label.setText(f"Not a number to call: {number.message}")
            self.normalized_label.setStyleSheet(ERROR_STYLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # While a simulated call waits for keys, or in a sandbox call, keys typed in the
        # number field are tones, not edits.
        if watched is self.number_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.text()
            if key and key in TONE_KEYS and self.take_key(key):
                return True
        return super().eventFilter(watched, event)


def _number_in(text: str, region: str) -> str | None:
    """The first phone number written in `text`, as written, if there is one."""
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, region):
        return "".join(c for c in match.raw_string if c in _ALLOWED)
    return None
