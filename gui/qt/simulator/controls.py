"""The simulator panel's parts: what to run and how, the runs kept, the Gather waiting for
keys, the phone keys and the transcript. They show what the panel tells them and report
what the person does; the panel (panel.py) runs the calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..common.names import findable
from .runs import Line, LineKind, Run

SPEEDS = (("1x", 1.0), ("4x", 4.0), ("instant", None))
KEYS = "123456789*0#"
SPACING = 4  # between the panel's rows, and between the controls of a row
_KEY_NAMES = {"*": "star", "#": "pound"}
_ERROR_COLOUR = QColor("#b3261e")
_NOTE_COLOUR = QColor("#6e7781")
_GATHER_STYLE = (
    "#simGather { background: rgba(227, 179, 65, 0.20);"
    " border: 1px solid rgba(154, 91, 0, 0.45); border-radius: 4px; }"
)


class RunControls(QWidget):
    """The flow to run, how fast, Run and Stop, and whether through the flow server."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self.flow_combo = findable(QComboBox(), "sim-flow", "Flow to run")
        self.flow_combo.setToolTip("The flow the call starts at (the entry flow is listed first)")
        self.flow_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.flow_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.flow_combo.setMinimumContentsLength(8)  # long flow names must not widen the dock
        self.speed_combo = findable(QComboBox(), "sim-speed", "Speed of the run")
        self.speed_combo.addItems([label for label, _ in SPEEDS])
        self.speed_combo.setToolTip(
            "How fast the call runs: 1x as on a phone (Say is spoken, Play played), 4x four "
            "times faster, instant without waiting (a Gather still waits for your keys)"
        )
        self.run_button = _action_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Run", "sim-run"
        )
        self.run_button.setAccessibleName("Run the flow")
        self.run_button.setToolTip("Run the flow as a call (F5)")
        self.stop_button = _action_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop", "sim-stop"
        )
        self.stop_button.setAccessibleName("Stop the run")
        self.stop_button.setToolTip("End the run now (Esc)")
        self.server_check = QCheckBox("Through the flow server (as CarrierX would)")
        findable(self.server_check, "sim-through-server", "Run through the flow server")
        self.server_check.setToolTip(
            "Request each document over HTTP from the flow server (started when needed), "
            "so the requests appear in its log; else the project is run in memory"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        top = QHBoxLayout()
        top.addWidget(self.flow_combo, 1)
        top.addWidget(self.speed_combo)
        top.addWidget(self.run_button)
        top.addWidget(self.stop_button)
        layout.addLayout(top)
        layout.addWidget(self.server_check)

    def set_flows(self, names: Sequence[str], entry: str | None) -> None:
        """The project's flows, entry first; the chosen one stays chosen while it exists."""
        combo = self.flow_combo
        chosen = combo.currentData()
        ordered = ([entry] if entry in names else []) + [n for n in names if n != entry]
        combo.blockSignals(True)
        combo.clear()
        for name in ordered:
            combo.addItem(f"{name} (entry)" if name == entry else name, name)
        index = combo.findData(chosen) if chosen else -1
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def speed(self) -> tuple[str, float | None]:
        """The speed chosen: its label and times real time (None: instant)."""
        return SPEEDS[self.speed_combo.currentIndex()]

    def set_idle(self, idle: bool) -> None:
        """Run while idle (and there is a flow); Stop and nothing else while a run goes on."""
        self.run_button.setEnabled(idle and self.flow_combo.count() > 0)
        self.stop_button.setEnabled(not idle)
        for widget in (self.flow_combo, self.speed_combo, self.server_check):
            widget.setEnabled(idle)


class RunPicker(QWidget):
    """The runs kept, newest first: choosing one shows its transcript (`chosen`); and Save
    as test, for the run shown (the panel says when it can be used)."""

    chosen = Signal(object)  # the Run chosen by the person

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runs: list[Run] = []  # the combo's items, in its order
        label = QLabel("Run")
        self.runs_combo = findable(QComboBox(), "sim-runs", "Run to show")
        self.runs_combo.setToolTip(
            "The last 20 runs and sandbox calls (kept until the window closes): choose one "
            "to read its transcript"
        )
        self.runs_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.runs_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.runs_combo.setMinimumContentsLength(12)
        label.setBuddy(self.runs_combo)
        self.save_button = QToolButton()
        findable(self.save_button, "simulator-save-test", "Save the run as a test")
        self.save_button.setText("Save as test…")
        self.save_button.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        layout.addWidget(label)
        layout.addWidget(self.runs_combo, 1)
        layout.addWidget(self.save_button)
        self.runs_combo.currentIndexChanged.connect(self._on_runs_combo_changed)

    def show_runs(self, runs: list[Run], shown: Run | None) -> None:
        """List `runs` (labels refreshed), `shown` chosen; no `chosen` signal for this."""
        combo = self.runs_combo
        combo.setEnabled(bool(runs))
        combo.blockSignals(True)
        if runs != self._runs:
            combo.clear()
            combo.addItems([run.label() for run in runs])
            self._runs = runs
        else:
            for index, run in enumerate(runs):
                if combo.itemText(index) != run.label():
                    combo.setItemText(index, run.label())
        if shown in runs:
            combo.setCurrentIndex(runs.index(shown))
        combo.blockSignals(False)

    def _on_runs_combo_changed(self, index: int) -> None:
        if 0 <= index < len(self._runs):
            self.chosen.emit(self._runs[index])


class GatherBox(QFrame):
    """The Gather waiting for keys: its rules, the keys so far and the time left, No input."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simGather")
        self.setStyleSheet(_GATHER_STYLE)
        self.gather_label = QLabel()
        self.gather_label.setObjectName("sim-gather")
        self.gather_label.setWordWrap(True)
        self.gather_label.setToolTip(
            "The Gather's rules and the action URL the keys go to (with Digits)"
        )
        self.keys_label = QLabel()
        self.keys_label.setObjectName("sim-keys")
        self.keys_label.setToolTip(
            "The keys taken so far, and the time left before the Gather times out (it "
            "restarts at each key, as on CarrierX)"
        )
        self.timeout_button = QToolButton()
        findable(self.timeout_button, "sim-no-input", "No input: let the Gather time out")
        self.timeout_button.setText("No input")
        self.timeout_button.setToolTip("Let the Gather time out now, without more keys")
        self.timeout_button.setEnabled(False)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(2)
        box.addWidget(self.gather_label)
        keys_row = QHBoxLayout()
        keys_row.addWidget(self.keys_label, 1)
        keys_row.addWidget(self.timeout_button)
        box.addLayout(keys_row)
        self.hide()


class KeyPad(QWidget):
    """The twelve phone keys, two rows of six; `key_pressed` says which was clicked."""

    key_pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}
        for position, key in enumerate(KEYS):
            button = QToolButton()
            findable(button, f"sim-key-{key}", f"Key {_KEY_NAMES.get(key, key)}")
            button.setText(key)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"Press {key} on the call (or type {key} in this panel)")
            button.clicked.connect(lambda _=False, k=key: self.key_pressed.emit(k))
            grid.addWidget(button, position // 6, position % 6)
            self.buttons[key] = button

    def set_keys_enabled(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)


class Transcript(QListWidget):
    """What happens on the shown run, one line each: errors in red, notes in grey italics,
    what is said in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        findable(self, "sim-transcript", "Transcript of the run")
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setToolTip(
            "What happens on the call, with call time; errors in red. Type keys here while "
            "the call runs."
        )

    def add_lines(self, lines: Sequence[Line], mask: Callable[[str], str]) -> None:
        """Append `lines`, each text passed through `mask` (it hides the server's token)."""
        bold = QFont(self.font())
        bold.setBold(True)
        italic = QFont(self.font())
        italic.setItalic(True)
        for line in lines:
            item = QListWidgetItem(mask(line.text))
            if line.kind is LineKind.ERROR:
                item.setForeground(QBrush(_ERROR_COLOUR))
            elif line.kind is LineKind.NOTE:
                item.setForeground(QBrush(_NOTE_COLOUR))
                item.setFont(italic)
            elif line.kind is LineKind.SAY:
                item.setFont(bold)
            self.addItem(item)
        self.scrollToBottom()

    def texts(self) -> list[str]:
        """Every line as shown."""
        return [self.item(i).text() for i in range(self.count())]


def _action_button(icon: QIcon, text: str, name: str) -> QToolButton:
    # A tool button, not a push button: the style's 80 px minimum of push buttons would
    # make the panel too wide for a narrow dock.
    button = QToolButton()
    button.setObjectName(name)
    button.setIcon(icon)
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button
