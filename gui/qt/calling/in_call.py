"""The dial pad's in-call view: the busy bar while a request is on its way, the result of the
last action, and the sandbox call placed from the pad, with the tones sent into it and its
progress as the sandbox reports it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QProgressBar, QScrollArea, QVBoxLayout, QWidget

from ..common.names import findable
from .pad_styles import ERROR_STYLE, OK_STYLE


class InCallView(QWidget):
    """See the module docstring. `call_sid` is the sandbox call whose Gathers take the pad's
    keys (None when there is none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call_sid: str | None = None
        self._tones = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        layout.addWidget(self.busy_bar)
        self.result_label = findable(QLabel(), "dial-result", "Result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self.call_label = findable(QLabel(), "dial-in-call", "Call in progress")
        self.call_label.setWordWrap(True)
        self.call_label.hide()
        layout.addWidget(self.call_label)
        self.progress_list = findable(QListWidget(), "dial-progress", "Call progress")
        self.progress_list.setToolTip("What happens on the sandbox call placed from here")
        self.progress_list.hide()
        layout.addWidget(self.progress_list, 1)

    def show_result(self, text: str, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self._reveal(self.result_label)

    def add_to_result(self, text: str) -> None:
        """A note after the result, in its style (such as a call log that could not keep it)."""
        self.result_label.setText(self.result_label.text() + text)

    def _reveal(self, widget: QWidget) -> None:
        """Scroll the pad's scroll area (the window's dock has one) to show `widget`."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget)

    # -- a call in progress (sandbox) ----------------------------------------------------------

    def begin(self, call_sid: str) -> None:
        self.call_sid = call_sid
        self._tones = ""
        self.progress_list.clear()
        self.progress_list.show()
        self.call_label.setText(self._call_text())
        self.call_label.show()

    def tone_sent(self, key: str) -> None:
        self._tones += key
        self.call_label.setText(self._call_text())

    def end(self) -> None:
        if self.call_sid is not None:
            self.call_label.setText(f"Call {self.call_sid[:8]}… ended.")
        self.call_sid = None

    def _call_text(self) -> str:
        sid = (self.call_sid or "")[:8]
        tones = f" Tones sent: {self._tones}" if self._tones else ""
        return f"In sandbox call {sid}…: the keys send tones.{tones}"

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
