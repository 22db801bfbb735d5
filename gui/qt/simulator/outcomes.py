"""How Dial, Record and Amd turn out on a simulated call: a small box of choices.

A one-line toggle sums the choices up ("Outcomes: busy 3 s · nothing · human") and opens
the combos and spin boxes; `outcomes()` reads them when a verb asks, so a choice made
during a run counts from the next Dial, Record or Amd on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.runtime.caller import AmdOutcome, DialOutcome, RecordOutcome
from ..common.names import findable
from .caller import Outcomes

# (label, CallStatus) of a Dial; (label, AMDStatus, AMDCause) of Amd: the causes are
# Asterisk's AMDCAUSE words, which CarrierX does not document [assumed].
DIAL_CHOICES = (
    ("answered", "completed"),
    ("busy", "busy"),
    ("no answer", "noanswer"),
    ("failed", "failed"),
)
RECORD_CHOICES = ("recorded", "nothing")
AMD_CHOICES = (
    ("human", "HUMAN", "HUMAN-800-800"),
    ("machine", "MACHINE", "LONGGREETING-1500-1500"),
    ("not sure", "NOTSURE", "TOOLONG-5000"),
)


class OutcomesBox(QWidget):
    """See the module docstring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.toggle = QToolButton()
        findable(self.toggle, "sim-outcomes", "Outcomes of Dial, Record and Amd")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # The summary may be cut short in a narrow dock rather than widen it.
        self.toggle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.toggle.setToolTip("How Dial, Record and Amd turn out: choose before or during a run")
        layout.addWidget(self.toggle)
        self.choices = QWidget()
        grid = QGridLayout(self.choices)
        grid.setContentsMargins(16, 0, 0, 0)
        grid.setSpacing(4)

        self.dial_combo = QComboBox()
        findable(self.dial_combo, "sim-dial", "How a Dial ends")
        self.dial_combo.addItems([label for label, _ in DIAL_CHOICES])
        self.dial_combo.setToolTip(
            "How a Dial ends; its action gets DialCallStatus (completed, busy, noanswer, failed)"
        )
        self.dial_seconds = _seconds_spin(10, "Seconds talked (or rung, when nobody answers)")
        findable(self.dial_seconds, "sim-dial-seconds", "Seconds of the Dial")
        grid.addWidget(QLabel("Dial"), 0, 0)
        grid.addWidget(self.dial_combo, 0, 1)
        grid.addWidget(self.dial_seconds, 0, 2)

        self.record_combo = QComboBox()
        findable(self.record_combo, "sim-record", "What a Record gets")
        self.record_combo.addItems(list(RECORD_CHOICES))
        self.record_combo.setToolTip(
            "What a Record gets: a recording (its action is requested with RecordingUrl) "
            "or nothing (the next verb runs)"
        )
        self.record_seconds = _seconds_spin(5, "How long the recording is")
        findable(self.record_seconds, "sim-record-seconds", "Length of the recording")
        self.record_seconds.setMinimum(1)
        grid.addWidget(QLabel("Record"), 1, 0)
        grid.addWidget(self.record_combo, 1, 1)
        grid.addWidget(self.record_seconds, 1, 2)

        self.amd_combo = QComboBox()
        findable(self.amd_combo, "sim-amd", "Who answering-machine detection hears")
        self.amd_combo.addItems([label for label, _, _ in AMD_CHOICES])
        self.amd_combo.setToolTip("Who answering-machine detection hears (AMDStatus)")
        grid.addWidget(QLabel("Amd"), 2, 0)
        grid.addWidget(self.amd_combo, 2, 1)
        grid.setColumnStretch(1, 1)
        self.choices.hide()
        layout.addWidget(self.choices)

        self.toggle.toggled.connect(self._on_toggle_toggled)
        for combo in self.combos():
            combo.currentIndexChanged.connect(self._update_summary)
        for spin in (self.dial_seconds, self.record_seconds):
            spin.valueChanged.connect(self._update_summary)
        self._update_summary()

    def combos(self) -> tuple[QComboBox, ...]:
        return (self.dial_combo, self.record_combo, self.amd_combo)

    def outcomes(self) -> Outcomes:
        """Dial, Record and Amd as chosen now."""
        _, dial_status = DIAL_CHOICES[self.dial_combo.currentIndex()]
        recorded = self.record_combo.currentIndex() == 0
        _, amd_status, amd_cause = AMD_CHOICES[self.amd_combo.currentIndex()]
        return Outcomes(
            DialOutcome(dial_status, self.dial_seconds.value()),
            RecordOutcome(self.record_seconds.value() if recorded else 0),
            AmdOutcome(amd_status, amd_cause),
        )

    def summary(self) -> str:
        """ "Outcomes: answered 10 s · recorded 5 s · human" """
        outcomes = self.outcomes()
        dial = DIAL_CHOICES[self.dial_combo.currentIndex()][0]
        seconds = outcomes.record.duration
        record = f"recorded {seconds} s" if seconds else "nothing"
        amd = AMD_CHOICES[self.amd_combo.currentIndex()][0]
        return f"Outcomes: {dial} {outcomes.dial.duration} s · {record} · {amd}"

    def _update_summary(self) -> None:
        self.record_seconds.setEnabled(self.record_combo.currentIndex() == 0)
        self.toggle.setText(self.summary())

    def _on_toggle_toggled(self, shown: bool) -> None:
        self.choices.setVisible(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)


def _seconds_spin(value: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 3600)
    spin.setValue(value)
    spin.setSuffix(" s")
    spin.setToolTip(tip)
    return spin
