"""The Getting started panel shown on first start: five steps, each with its button.

The host window connects the panel's signals to its own actions (the panel only asks), and
says whether the sample is open (`set_sample_open`): the steps speak of the sample only then.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QFont,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..common.names import findable
from ..common.settings import SettingsStore

SHOW_AT_START = "help/show-getting-started"


def should_show_at_start(settings: SettingsStore) -> bool:
    """Whether to open the Getting started panel: yes until its "Don't show" box is ticked."""
    return bool(settings.get(SHOW_AT_START))


def _keys(sequence: str) -> str:
    """A shortcut as this platform writes it (Ctrl+Shift+D, or ⇧⌘D on a Mac)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


class GettingStartedPanel(QWidget):
    """Five steps from editing a flow to a real call; each button asks the host to act."""

    simulate_requested = Signal()
    dial_pad_requested = Signal()
    requests_requested = Signal()
    endpoint_requested = Signal()
    server_requested = Signal()

    def __init__(self, settings: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.sample_open = True  # until the host says otherwise: a first start opens it
        self.buttons: dict[str, QPushButton] = {}
        self.titles: list[QLabel] = []  # each step's title and text, as shown
        self.texts: list[QLabel] = []
        heading = QLabel("Getting started")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        heading.setFont(font)
        intro = _wrapped(
            "Everything below works without a CarrierX account: calls run through the "
            "built-in Sandbox, a local CarrierX on this computer."
        )
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        for number, (title, text, buttons) in enumerate(self._steps(self.sample_open), start=1):
            layout.addWidget(self._step(number, title, text, buttons))
        self.dont_show = findable(
            QCheckBox("Don't show this at start"),
            "getting-started-dont-show",
            "Don't show at start",
        )
        self.dont_show.setToolTip("Help > Getting started opens it again")
        self.dont_show.setChecked(not should_show_at_start(settings))
        self.dont_show.toggled.connect(self.on_dont_show_toggled)
        layout.addWidget(self.dont_show)
        layout.addStretch(1)

    def set_sample_open(self, sample_open: bool) -> None:
        """Whether the sample project is what is open: the first two steps say so, or speak
        of any flow."""
        if sample_open == self.sample_open:
            return
        self.sample_open = sample_open
        for (title, text, _buttons), title_label, text_label in zip(
            self._steps(sample_open), self.titles, self.texts, strict=True
        ):
            title_label.setText(title)
            text_label.setText(text)

    def _steps(
        self, sample_open: bool
    ) -> list[tuple[str, str, list[tuple[str, str, Signal, str]]]]:
        """(title, text, [(key, button text, signal, tooltip)]) of each step."""
        edit = (
            "Select a verb in the flow: the Inspector comes forward, change the verb there "
            "and see the FlexML change. This tab (or Help > Getting started) brings these "
            "steps back."
        )
        if sample_open:
            edit = f"The sample project is open: Hello World, a menu and a call forward. {edit}"
            keys = "When the menu asks, press a key (1 or 2)."
        else:
            keys = "When a Gather asks for keys, press them on the Simulator's keys."
        return [
            ("Edit the sample" if sample_open else "Edit a flow", edit, []),
            (
                "Simulate it",
                f"Press {_keys('F5')} to run the flow in the Simulator, with no network. {keys}",
                [("simulate", "Simulate", self.simulate_requested, "Run the flow (F5)")],
            ),
            (
                "Call it from the dial pad",
                f"Open the Dial pad ({_keys('Ctrl+Shift+D')}), type any number and press "
                "Enter: the call runs through the Sandbox, and the pad's keys send tones.",
                [("dial-pad", "Dial pad", self.dial_pad_requested, "Show the dial pad")],
            ),
            (
                "Watch the requests",
                f"The Requests log ({_keys('Ctrl+Shift+R')}) lists every request the call "
                "made, with the FlexML answered; the Call log "
                f"({_keys('Ctrl+Shift+L')}) keeps every call.",
                [("requests", "Requests", self.requests_requested, "Show the Requests log")],
            ),
            (
                "Go live",
                "For real calls, add your CarrierX FlexML endpoint in the Endpoint panel "
                f"({_keys('Ctrl+Alt+E')}), and give the flow server a public URL "
                f"({_keys('Ctrl+Alt+S')}) so that CarrierX can reach it.",
                [
                    ("endpoint", "Endpoint", self.endpoint_requested, "Show the Endpoint panel"),
                    ("server", "Flow server", self.server_requested, "Show the Flow server"),
                ],
            ),
        ]

    def _step(self, number: int, title: str, text: str, buttons) -> QWidget:
        step = QFrame()
        step.setObjectName(f"step-{number}")
        grid = QGridLayout(step)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        badge = QLabel(str(number))
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setFixedSize(24, 24)
        badge.setStyleSheet(
            "background: palette(highlight); color: palette(highlighted-text);"
            "border-radius: 12px; font-weight: bold;"
        )
        name = QLabel(title)
        bold = QFont(name.font())
        bold.setBold(True)
        name.setFont(bold)
        words = _wrapped(text)
        self.titles.append(name)
        self.texts.append(words)
        grid.addWidget(badge, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(name, 0, 1)
        grid.addWidget(words, 1, 1)
        if buttons:
            row = QHBoxLayout()
            row.setSpacing(6)
            for key, label, signal, tip in buttons:
                button = findable(QPushButton(label), key, tip.split(" (")[0])
                button.setToolTip(tip)
                button.clicked.connect(lambda _checked=False, s=signal: s.emit())
                self.buttons[key] = button
                row.addWidget(button)
            row.addStretch(1)
            grid.addLayout(row, 2, 1)
        grid.setColumnStretch(1, 1)
        return step

    def on_dont_show_toggled(self, checked: bool) -> None:
        self.settings.set(SHOW_AT_START, not checked)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
