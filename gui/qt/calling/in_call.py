"""The dial pad's in-call view: the busy bar while a request is on its way, the result of the
last action, and the call placed from the pad: the keys typed for it (held until the
sandbox call can take them, then sent as tones) and its progress as the sandbox reports it.

It sits in the pad's own scroll area, under the keys: showing a result scrolls that area,
never the keys away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QProgressBar, QScrollArea, QVBoxLayout, QWidget

from ..common.names import findable
from .pad_styles import ERROR_STYLE, OK_STYLE
from .wrap_label import WrapLabel

HUNG_UP = "Hung up"


class InCallView(QWidget):
    """See the module docstring. `call_sid` is the sandbox call whose Gathers take the pad's
    keys (None when there is none); `ended` says when it is over, with its SID."""

    ended = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call_sid: str | None = None
        self.held = ""  # keys typed before the call could take them
        self._tones = ""
        self._hung_up = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        layout.addWidget(self.busy_bar)
        self.result_label = findable(WrapLabel(), "dial-result", "Result")
        self.result_label.setToolTip("How the last call or request went (select to copy)")
        layout.addWidget(self.result_label)
        self.call_label = findable(WrapLabel(), "dial-in-call", "Call in progress")
        self.call_label.setToolTip("The call placed from the pad, and the keys sent into it")
        self.call_label.hide()
        layout.addWidget(self.call_label)
        self.progress_list = findable(QListWidget(), "dial-progress", "Call progress")
        self.progress_list.setToolTip("What happens on the sandbox call placed from here")
        self.progress_list.setMinimumHeight(80)
        self.progress_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys typed stay tones
        self.progress_list.hide()
        layout.addWidget(self.progress_list, 1)
        layout.addStretch(0)  # the space left while there is no progress list: under it all

    def show_result(self, text: str, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self._reveal(self.result_label)

    def add_to_result(self, text: str) -> None:
        """A note after the result, in its style (such as a call log that could not keep it)."""
        self.result_label.setText(self.result_label.text() + text)

    def _reveal(self, widget: QWidget) -> None:
        """Scroll the nearest scroll area (the pad's own, under its keys) to show `widget`."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget)

    # -- the call placed from the pad ----------------------------------------------------------

    def placing(self, sandbox: bool) -> None:
        """The call is on its way: keys typed from now on are held for it (only a sandbox
        call takes them from here)."""
        self.held = self._tones = ""
        self._hung_up = False
        if sandbox:
            self._show_line(self._line())
        else:
            self.call_label.hide()

    def hold(self, key: str) -> None:
        self.held += key
        self._show_line(self._line())

    def take_held(self) -> str:
        """The keys held so far (they are being sent now)."""
        held, self.held = self.held, ""
        self._tones += held
        self._show_line(self._line())
        return held

    def drop_held(self, why: str) -> None:
        """The call takes no keys from here: say what was typed and why it was not sent."""
        if self.held:
            self._show_line(f"Keys typed: {self.held} (not sent: {why}).")
        else:
            self.call_label.hide()
        self.held = ""

    def begin(self, call_sid: str) -> None:
        """A sandbox call is running: the keys send tones into it (the held ones first)."""
        self.call_sid = call_sid
        self.progress_list.clear()
        self.progress_list.show()
        self._show_line(self._line())

    def tone_sent(self, key: str) -> None:
        self._tones += key
        self._show_line(self._line())

    def hanging_up(self) -> None:
        self._hung_up = True
        self._show_line(f"Hanging up call {(self.call_sid or '')[:8]}…")

    def end(self, text: str | None = None) -> None:
        """The call is over (its Ended event came, or it was found gone)."""
        sid = self.call_sid
        if sid is not None:
            said = f"{HUNG_UP}: call {sid[:8]}… ended." if self._hung_up else None
            self._show_line(text or said or f"Call {sid[:8]}… ended.")
        self.call_sid = None
        self.held = ""
        if sid is not None:
            self.ended.emit(sid)

    def _show_line(self, text: str) -> None:
        self.call_label.setText(text)
        self.call_label.show()

    def _line(self) -> str:
        tones = f" Tones sent: {self._tones}" if self._tones else ""
        held = f" Keys waiting for the call: {self.held}" if self.held else ""
        if self.call_sid is None:
            return f"Calling…: the keys you type now go into the call once it starts.{held}"
        sid = self.call_sid[:8]
        return f"In sandbox call {sid}…: the keys send tones (Esc hangs up).{tones}{held}"

    def on_sandbox_events(self, batch: list) -> None:
        """(call sid, event) pairs from the sandbox: those of our call are listed."""
        from ...core.runtime.events import Ended

        lines = []
        ended = False
        for call_sid, event in batch:
            if call_sid != self.call_sid:
                continue
            lines.append(f"{event.at:6.1f} s  {event.describe()}")
            ended = ended or isinstance(event, Ended)
        if lines:
            self.progress_list.addItems(lines)
            self.progress_list.scrollToBottom()
        if ended:
            self.end()
