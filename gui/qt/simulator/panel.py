"""The simulator panel: run a flow as a call, then watch it, hear it and answer its Gathers.

Run executes the chosen flow with the runtime on the window's event loop, straight from the
project (no network) or through the flow server as CarrierX would request it. Each event
goes into its run's transcript at once (sim_runs.Run); a 50 ms timer draws what is new,
emits `node_running` with the latest verb (one signal per tick, however fast an instant run
goes) and counts Pauses and Gathers down. Sandbox calls placed from the dial pad appear as
runs too, with the same transcript and keys. At 1x, Say is spoken and Play URLs are played
when the system can (speech.py); faster, they are only shown.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QKeyEvent, QKeySequence
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

from ...core.flexml import Node
from ...core.runtime.clock import RealClock, VirtualClock
from ...core.runtime.events import Event, Pause, Play, Say
from ...core.runtime.interpreter import Interpreter
from ...core.runtime.project_source import ProjectSource
from ..common import tasks
from .caller import Outcomes, PanelCaller
from .outcomes import OutcomesBox
from .runs import LineKind, Run, RunHistory, RunKind, waiting_text
from .speech import Player, Speaker

if TYPE_CHECKING:
    from ...core.project import Project
    from ..common.services import Services

TICK_MS = 50
DRAWN_PER_TICK = 300  # transcript lines added per tick: a huge instant run never freezes
SPEEDS = (("1x", 1.0), ("4x", 4.0), ("instant", None))
KEYS = "123456789*0#"
_ERROR_COLOUR = QColor("#b3261e")
_NOTE_COLOUR = QColor("#6e7781")
_GATHER_STYLE = (
    "#simGather { background: rgba(227, 179, 65, 0.20);"
    " border: 1px solid rgba(154, 91, 0, 0.45); border-radius: 4px; }"
)


class SimulatorPanel(QWidget):
    """See the module docstring. The host calls `set_flows` on each refresh, connects
    `node_running` (a project Node, or None) to its highlight and routes the dial pad's keys
    to `press` while `waiting_for_keys()`. `speaker` and `player` replace the system's."""

    node_running = Signal(object)  # the project Node being run, or None when nothing runs
    waiting_changed = Signal(bool)  # whether a Gather of the shown run waits for keys
    running_changed = Signal(bool)  # whether a simulated run is going on

    def __init__(
        self,
        services: Services,
        project_getter: Callable[[], Project],
        parent: QWidget | None = None,
        *,
        speaker: Speaker | None = None,
        player: Player | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._project = project_getter
        self._speaker = speaker
        self._player = player
        self.history = RunHistory()
        self._sim: Run | None = None  # the simulated run going on
        self._shown: Run | None = None  # the run whose transcript is shown
        self._combo_runs: list[Run] = []  # the runs combo's items, in its order
        self._drawn = 0  # lines of the shown run already in the transcript
        self._highlighted: Node | None = None
        self._waiting = False
        self._noted: set[str] = set()  # one-time notes already given
        self._ticker = QTimer(self, interval=TICK_MS)
        self._ticker.timeout.connect(self._tick)
        for given in (speaker, player):
            if given is not None:
                given.problem.connect(self._on_audio_problem)
        self._build()
        self._connect_signals()
        project = project_getter()
        self.set_flows(project.names, project.entry)
        self._refresh_runs_combo()
        self._update_waiting()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        style = self.style()

        top = QHBoxLayout()
        self.flow_combo = QComboBox()
        self.flow_combo.setObjectName("sim-flow")
        self.flow_combo.setToolTip("The flow the call starts at (the entry flow is listed first)")
        self.flow_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.flow_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.flow_combo.setMinimumContentsLength(8)  # long flow names must not widen the dock
        top.addWidget(self.flow_combo, 1)
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("sim-speed")
        self.speed_combo.addItems([label for label, _ in SPEEDS])
        self.speed_combo.setToolTip(
            "How fast the call runs: 1x as on a phone (Say is spoken, Play played), 4x four "
            "times faster, instant without waiting (a Gather still waits for your keys)"
        )
        top.addWidget(self.speed_combo)
        self.run_button = _action_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Run", "sim-run"
        )
        self.run_button.setToolTip("Run the flow as a call (F5)")
        top.addWidget(self.run_button)
        self.stop_button = _action_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop", "sim-stop"
        )
        self.stop_button.setToolTip("End the run now (Esc)")
        top.addWidget(self.stop_button)
        layout.addLayout(top)

        self.server_check = QCheckBox("Through the flow server (as CarrierX would)")
        self.server_check.setObjectName("sim-through-server")
        self.server_check.setToolTip(
            "Request each document over HTTP from the flow server (started when needed), "
            "so the requests appear in its log; else the project is run in memory"
        )
        layout.addWidget(self.server_check)

        self.outcomes_box = OutcomesBox()
        layout.addWidget(self.outcomes_box)

        runs_row = QHBoxLayout()
        runs_label = QLabel("Run")
        runs_row.addWidget(runs_label)
        self.runs_combo = QComboBox()
        self.runs_combo.setObjectName("sim-runs")
        self.runs_combo.setToolTip(
            "The last 20 runs and sandbox calls (kept until the window closes): choose one "
            "to read its transcript"
        )
        self.runs_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.runs_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.runs_combo.setMinimumContentsLength(16)
        runs_label.setBuddy(self.runs_combo)
        runs_row.addWidget(self.runs_combo, 1)
        layout.addLayout(runs_row)

        self.gather_box = QFrame()
        self.gather_box.setObjectName("simGather")
        self.gather_box.setStyleSheet(_GATHER_STYLE)
        box = QVBoxLayout(self.gather_box)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(2)
        self.gather_label = QLabel()
        self.gather_label.setObjectName("sim-gather")
        self.gather_label.setWordWrap(True)
        self.gather_label.setToolTip(
            "The Gather's rules and the action URL the keys go to (with Digits)"
        )
        box.addWidget(self.gather_label)
        keys_row = QHBoxLayout()
        self.keys_label = QLabel()
        self.keys_label.setObjectName("sim-keys")
        self.keys_label.setToolTip(
            "The keys taken so far, and the time left before the Gather times out (it "
            "restarts at each key, as on CarrierX)"
        )
        keys_row.addWidget(self.keys_label, 1)
        self.timeout_button = QToolButton()
        self.timeout_button.setObjectName("sim-no-input")
        self.timeout_button.setText("No input")
        self.timeout_button.setToolTip("Let the Gather time out now, without more keys")
        self.timeout_button.setEnabled(False)
        keys_row.addWidget(self.timeout_button)
        box.addLayout(keys_row)
        self.gather_box.hide()
        layout.addWidget(self.gather_box)

        grid = QGridLayout()
        grid.setSpacing(2)
        self.key_buttons: dict[str, QToolButton] = {}
        for position, key in enumerate(KEYS):
            button = QToolButton()
            button.setObjectName(f"sim-key-{key}")
            button.setText(key)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"Press {key} on the call (or type {key} in this panel)")
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, position // 6, position % 6)
            self.key_buttons[key] = button
        layout.addLayout(grid)

        self.pause_label = QLabel()
        self.pause_label.setObjectName("sim-pause")
        self.pause_label.setToolTip("A Pause is running: the call is silent until it ends")
        self.pause_label.hide()
        layout.addWidget(self.pause_label)

        self.hint_label = QLabel(
            "Run (F5) plays the chosen flow as a call. Calls placed to the sandbox from the "
            "dial pad appear here too."
        )
        self.hint_label.setObjectName("sim-hint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setEnabled(False)  # drawn greyed: a hint, not a control
        layout.addWidget(self.hint_label)

        self.transcript = QListWidget()
        self.transcript.setObjectName("sim-transcript")
        self.transcript.setWordWrap(True)
        self.transcript.setAlternatingRowColors(True)
        self.transcript.setToolTip(
            "What happens on the call, with call time; errors in red. Type keys here while "
            "the call runs."
        )
        layout.addWidget(self.transcript, 1)

        self.run_action = QAction("Run the flow", self)
        self.run_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.stop_action = QAction("Stop the run", self)
        self.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        for action in (self.run_action, self.stop_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(300)

    def _connect_signals(self) -> None:
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.stop)
        self.run_action.triggered.connect(self.run)
        self.stop_action.triggered.connect(self.stop)
        self.timeout_button.clicked.connect(self.let_time_out)
        self.runs_combo.currentIndexChanged.connect(self._on_runs_combo_changed)
        self.services.sandbox_events.connect(self._on_services_sandbox_events)
        self._listening = True
        # Lists and combos search as you type: while a call takes keys, they go to the call.
        for widget in (self.transcript, self.runs_combo, *self.outcomes_box.combos()):
            widget.installEventFilter(self)

    # -- what the host calls ------------------------------------------------------------------

    def set_flows(self, names: list[str], entry: str | None) -> None:
        """The project's flows, entry first; the chosen one stays chosen while it exists."""
        chosen = self.flow_combo.currentData()
        ordered = ([entry] if entry in names else []) + [n for n in names if n != entry]
        self.flow_combo.blockSignals(True)
        self.flow_combo.clear()
        for name in ordered:
            self.flow_combo.addItem(f"{name} (entry)" if name == entry else name, name)
        index = self.flow_combo.findData(chosen) if chosen else -1
        self.flow_combo.setCurrentIndex(max(index, 0))
        self.flow_combo.blockSignals(False)
        self._update_controls()

    def waiting_for_keys(self) -> bool:
        """Whether the shown run is at a Gather that takes keys from here."""
        run = self._key_target()
        return run is not None and run.gather is not None

    def press(self, key: str) -> bool:
        """Press a phone key on the shown run; False when it takes no keys now. A simulated
        run keeps keys pressed before its Gather waits (as a real line does)."""
        run = self._key_target()
        if run is None or len(key) != 1 or key not in KEYS:
            return False
        if run.simulated:
            run.caller.press(key)
        elif self.services.press(run.call_sid or "", key):
            run.sent += key
        else:
            return False
        self._changed(run)
        return True

    def let_time_out(self) -> None:
        """Let the simulated Gather waiting now time out."""
        run = self._shown
        if run is not None and run.simulated and run.caller is not None:
            run.caller.let_time_out()

    @property
    def running(self) -> bool:
        return self._sim is not None

    def outcomes(self) -> Outcomes:
        """Dial, Record and Amd as chosen now."""
        return self.outcomes_box.outcomes()

    def runs(self) -> list[Run]:
        """The runs kept, newest first."""
        return list(reversed(list(self.history)))

    @property
    def shown_run(self) -> Run | None:
        return self._shown

    def show_run(self, run: Run) -> None:
        """Show `run`'s transcript (and send keys to it, while it takes them)."""
        if run is self._shown:
            return
        self._shown = run
        self.transcript.clear()
        self._drawn = 0
        self._refresh_runs_combo()
        self._changed(run)
        self._tick()

    def transcript_lines(self) -> list[str]:
        """The transcript as shown."""
        return [self.transcript.item(i).text() for i in range(self.transcript.count())]

    @property
    def speaker(self) -> Speaker:
        if self._speaker is None:
            self._speaker = Speaker(parent=self)
            self._speaker.problem.connect(self._on_audio_problem)
        return self._speaker

    @property
    def player(self) -> Player:
        if self._player is None:
            self._player = Player(parent=self)
            self._player.problem.connect(self._on_audio_problem)
        return self._player

    def shutdown(self) -> None:
        """Stop the run and any sound (the window is closing)."""
        self.stop()
        self._ticker.stop()
        if self._listening:
            self._listening = False
            with contextlib.suppress(RuntimeError):  # the services may be gone already
                self.services.sandbox_events.disconnect(self._on_services_sandbox_events)

    # -- running ------------------------------------------------------------------------------

    def run(self) -> None:
        """Run the chosen flow (F5); the controls come back when it ends."""
        flow = self.flow_combo.currentData()
        if self._sim is not None or not flow:
            return
        label, speed = SPEEDS[self.speed_combo.currentIndex()]
        through = self.server_check.isChecked()
        run = Run(
            RunKind.SIMULATED,
            f"{flow} ({label}{', flow server' if through else ''})",
            speed=speed,
            in_project=not through,
            flow_of=self._served_flow if through else None,
        )
        run.caller = PanelCaller(
            self.outcomes,
            time_scale=1.0 / speed if speed else 1.0,  # instant: a person still types
            on_change=lambda: self._on_caller_change(run),
        )
        self._sim = run
        self._add_run(run, show=True)
        self._update_controls()
        self.running_changed.emit(True)
        self.transcript.setFocus()
        run.task = tasks.start(self._simulate(run, flow, through), name="simulator run")

    def stop(self) -> None:
        """End the simulated run now (Esc); it still ends with its Ended line."""
        run = self._sim
        if run is not None:
            if run.interpreter is not None:
                run.interpreter.stop()
            elif run.task is not None:
                run.task.cancel()
        if self._speaker is not None:
            self._speaker.stop()
        if self._player is not None:
            self._player.stop()

    async def _simulate(self, run: Run, flow: str, through: bool) -> None:
        source = None
        try:
            clock = VirtualClock() if run.speed is None else RealClock(run.speed)
            if through:
                from ...core.runtime.http_source import HttpSource

                server = self.services.flow_server()
                self.services.publish()
                url = server.flow_urls().get(flow)
                if url is None:
                    raise LookupError(f"the flow server does not serve {flow!r}")
                source = HttpSource(url, flow_base_url=server.base_url)
            else:
                source = ProjectSource(self._project(), flow)
            run.interpreter = Interpreter(
                source, run.caller, clock, on_event=lambda event: self._on_event(run, event)
            )
            await run.interpreter.run()
        except Exception as exc:  # the flow server, the project or a bug: said, not raised
            run.note(f"The run failed: {_say(exc)}", error=True)
            if run.live:
                run.end("failed")
        finally:
            run.caller.close()
            if source is not None:
                with contextlib.suppress(Exception):
                    await source.aclose()
            if run.live:  # cancelled before it could end by itself
                run.end(None)
            run.interpreter = run.task = None
            if shiboken6.isValid(self):
                self._on_simulation_ended(run)

    def _on_simulation_ended(self, run: Run) -> None:
        if self._sim is run:
            self._sim = None
        self._update_controls()
        self._changed(run)
        self.running_changed.emit(False)

    def _served_flow(self, url: str) -> str | None:
        """The project flow the flow server serves at `url`, if any."""
        server = self.services.flow_server_running
        if server is None:
            return None
        try:
            urls = server.flow_urls()
        except RuntimeError:  # stopped meanwhile
            return None
        return next((name for name, served in urls.items() if served == url), None)

    # -- events -------------------------------------------------------------------------------

    def _on_event(self, run: Run, event: Event) -> None:
        run.add(event)
        if isinstance(event, Pause):
            run.pause_since = time.monotonic()
        if run.simulated or run is self._shown:
            self._hear(run, event)
        self._changed(run)

    def _on_caller_change(self, run: Run) -> None:
        if run.caller is not None and run.caller.gather is not None:
            run.point_at(run.caller.gather.node)  # waiting for keys: the Gather is running
        self._changed(run)

    def _on_services_sandbox_events(self, batch: list) -> None:
        for call_sid, event in batch:
            run = self.history.sandbox_call(call_sid)
            if run is None:
                box = self.services.sandbox_running
                run = Run(
                    RunKind.SANDBOX,
                    f"Sandbox call {call_sid[:8]}",
                    call_sid=call_sid,
                    speed=box.speed if box is not None else None,
                    flow_of=self._served_flow,
                )
                self._add_run(run, show=self._shown is None or not self._shown.live)
            self._on_event(run, event)

    def _hear(self, run: Run, event: Event) -> None:
        """At 1x, say the Say and play the Play (faster, a person could not follow)."""
        if run.speed != 1.0:
            return
        if isinstance(event, Say):
            speaker = self.speaker
            if not speaker.say(event.text, event.voice) and speaker.why_not:
                self._note_once(run, speaker.why_not)
        elif isinstance(event, Play) and event.url and not event.digits:
            player = self.player
            reason = player.play(event.url)
            if reason is not None and reason == player.why_not:
                self._note_once(run, reason)
            elif reason is not None:
                run.note(reason)

    def _note_once(self, run: Run, text: str) -> None:
        if text not in self._noted:
            self._noted.add(text)
            run.note(text)

    def _on_audio_problem(self, message: str) -> None:
        run = self._sim or self._shown
        if run is not None:
            run.note(message)
            self._changed(run)

    def _changed(self, run: Run) -> None:
        """Something of `run` changed: redraw on the next tick."""
        if run is self._shown:
            self._update_waiting()
        if not self._ticker.isActive():
            self._ticker.start()

    # -- the runs -----------------------------------------------------------------------------

    def _add_run(self, run: Run, show: bool) -> None:
        dropped = self.history.add(run)
        if show or self._shown in dropped or self._shown is None:
            self.show_run(run)
        else:
            self._refresh_runs_combo()

    def _refresh_runs_combo(self) -> None:
        runs = self.runs()
        self.hint_label.setVisible(not runs)
        self.runs_combo.setEnabled(bool(runs))
        combo = self.runs_combo
        combo.blockSignals(True)
        if runs != self._combo_runs:
            combo.clear()
            combo.addItems([run.label() for run in runs])
            self._combo_runs = runs
        else:
            for index, run in enumerate(runs):
                if combo.itemText(index) != run.label():
                    combo.setItemText(index, run.label())
        if self._shown in runs:
            combo.setCurrentIndex(runs.index(self._shown))
        combo.blockSignals(False)

    def _on_runs_combo_changed(self, index: int) -> None:
        if 0 <= index < len(self._combo_runs):
            self.show_run(self._combo_runs[index])

    # -- drawing ------------------------------------------------------------------------------

    def _tick(self) -> None:
        run = self._shown
        if run is not None:
            self._draw_lines(run)
        self._refresh_runs_combo()
        self._update_highlight()
        self._update_gather_box()
        self._update_pause_label()
        drawn = run is None or self._drawn >= len(run.lines)
        if drawn and not self.history.live() and self._highlighted is None:
            self._ticker.stop()

    def _draw_lines(self, run: Run) -> None:
        new = run.lines[self._drawn : self._drawn + DRAWN_PER_TICK]
        if not new:
            return
        bold = QFont(self.transcript.font())
        bold.setBold(True)
        italic = QFont(self.transcript.font())
        italic.setItalic(True)
        for line in new:
            item = QListWidgetItem(self.services.mask(line.text))  # no server token shown
            if line.kind is LineKind.ERROR:
                item.setForeground(QBrush(_ERROR_COLOUR))
            elif line.kind is LineKind.NOTE:
                item.setForeground(QBrush(_NOTE_COLOUR))
                item.setFont(italic)
            elif line.kind is LineKind.SAY:
                item.setFont(bold)
            self.transcript.addItem(item)
        self._drawn += len(new)
        self.transcript.scrollToBottom()

    def _update_highlight(self) -> None:
        run = self._shown
        node = run.running_node(self._project()) if run is not None else None
        if node is not self._highlighted:
            self._highlighted = node
            self.node_running.emit(node)

    def _update_gather_box(self) -> None:
        run = self._shown
        gather = run.gather if run is not None and run.live else None
        if gather is None:
            self.gather_box.hide()
            return
        self.gather_label.setText(self.services.mask(waiting_text(gather)))
        caller = run.caller if run.simulated else None
        if caller is None:
            sent = run.sent or "none"
            takes = self.services.in_call(run.call_sid or "")
            how = f"timeout {gather.timeout} s between keys" if takes else "keys come from a script"
            self.keys_label.setText(f"Keys sent: {sent} · {how}")
        elif caller.gather is None:
            typed = caller.typed_ahead or "none"
            self.keys_label.setText(f"Keys: {typed} · the prompt plays; keys pressed now count")
        else:
            left = caller.seconds_left() or 0.0
            self.keys_label.setText(f"Keys: {caller.pressed or 'none'} · {math.ceil(left)} s left")
        self.timeout_button.setEnabled(caller is not None and caller.gather is not None)
        self.gather_box.show()

    def _update_pause_label(self) -> None:
        run = self._shown
        pause = run.pause if run is not None and run.live else None
        if pause is None or run.speed is None:
            self.pause_label.hide()
            return
        left = pause.seconds - (time.monotonic() - run.pause_since) * run.speed
        if left <= 0:
            self.pause_label.hide()
            return
        self.pause_label.setText(f"Pause: {math.ceil(left)} s left")
        self.pause_label.show()

    def _update_waiting(self) -> None:
        waiting = self.waiting_for_keys()
        target = self._key_target()
        for button in self.key_buttons.values():
            button.setEnabled(target is not None)
        if waiting != self._waiting:
            self._waiting = waiting
            self.waiting_changed.emit(waiting)

    def _update_controls(self) -> None:
        idle = self._sim is None
        self.run_button.setEnabled(idle and self.flow_combo.count() > 0)
        self.run_action.setEnabled(self.run_button.isEnabled())
        self.stop_button.setEnabled(not idle)
        self.stop_action.setEnabled(not idle)
        for widget in (self.flow_combo, self.speed_combo, self.server_check):
            widget.setEnabled(idle)

    # -- keys ---------------------------------------------------------------------------------

    def _key_target(self) -> Run | None:
        """The shown run when it takes keys from here now."""
        run = self._shown
        if run is None or not run.live:
            return None
        if run.simulated:
            return run if run.caller is not None else None
        if run.gather is None or not self.services.in_call(run.call_sid or ""):
            return None
        return run

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._typed_key(event):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._typed_key(event)
        return super().eventFilter(watched, event)

    def _typed_key(self, event: QKeyEvent) -> bool:
        """Send a typed phone key to the call; False when it is no key or not taken."""
        text = event.text()
        # * and # need Shift on many layouts; the keypad's keys carry KeypadModifier.
        others = event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        if len(text) != 1 or text not in KEYS or others != Qt.KeyboardModifier.NoModifier:
            return False
        return self.press(text)


def _action_button(icon: QIcon, text: str, name: str) -> QToolButton:
    # A tool button, not a push button: the style's 80 px minimum of push buttons would
    # make the panel too wide for a narrow dock.
    button = QToolButton()
    button.setObjectName(name)
    button.setIcon(icon)
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


def _say(exc: BaseException) -> str:
    """An exception's message for people (the class name only when it has none)."""
    text = str(exc).strip()
    if isinstance(exc, KeyError) or not text:
        return type(exc).__name__ + (f": {text}" if text else "")
    return text
