"""The simulator panel: run a flow as a call, then watch it, hear it and answer its Gathers.

Run executes the chosen flow with the runtime on the window's event loop, straight from the
project (no network) or through the flow server as CarrierX would request it. Each event
goes into its run's transcript at once (runs.Run); a 50 ms timer draws what is new,
emits `node_running` with the latest verb (one signal per tick, however fast an instant run
goes) and counts Pauses and Gathers down. Sandbox calls placed from the dial pad appear as
runs too, with the same transcript and keys. At 1x, Say is spoken and Play URLs are played
when the system can (speech.py); faster, they are only shown. Under the transcript, the
data the shown run's Stores kept (sent as Storage_ fields). The widgets are the parts in
controls.py and outcomes.py; a run that fails for a known reason says why in its transcript,
a bug says it is one and goes to the log with its traceback.

Save as test (Ctrl+Alt+R) turns the shown run, once it ended, into a flow test: the dialog
(save_test.py) proposes it and the person trims it; the test goes out by `test_recorded`,
for the window to add to the project as one undo step (the panel does not edit the project).
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.flexml import FlexmlError, Node
from ...core.runtime.clock import RealClock, VirtualClock
from ...core.runtime.events import Event, Pause, Play, Say
from ...core.runtime.interpreter import CallFailed, Interpreter
from ...core.runtime.project_source import ProjectSource
from ...core.runtime.sources import DocumentSource, FetchError
from ..common import tasks
from ..common.messages import unexpected
from ..common.names import findable
from .caller import Outcomes, PanelCaller
from .controls import KEYS, SPACING, GatherBox, KeyPad, RunControls, RunPicker, Transcript
from .controls import SPEEDS as SPEEDS  # the speeds offered, where hosts and tests find them
from .outcomes import OutcomesBox
from .runs import Run, RunHistory, RunKind, waiting_text
from .save_test import SaveTestDialog, proposal
from .speech import Player, Speaker

if TYPE_CHECKING:
    from ...core.flowtests.model import FlowTest
    from ...core.flowtests.runner import FlowTestResult
    from ...core.project import Project
    from ..common.services import Services

TICK_MS = 50
SAVE_TEST_KEYS = "Ctrl+Alt+R"  # Ctrl+Shift+S is Save As; R: record the call as a test
DRAWN_PER_TICK = 300  # transcript lines added per tick: a huge instant run never freezes

_logger = logging.getLogger(__name__)
_NATIVE = QKeySequence.SequenceFormat.NativeText


class RunRefused(Exception):
    """A run could not start (the flow server did not, or the flow is gone); the message
    says why, for people."""


def _known_errors() -> tuple[type[BaseException], ...]:
    """What a run may fail with that is no bug: said in the transcript, not logged."""
    import httpx

    from ...core.runtime.sandbox import SandboxError

    return (RunRefused, FlexmlError, FetchError, CallFailed, SandboxError, httpx.HTTPError, OSError)


class SimulatorPanel(QWidget):
    """See the module docstring. The host calls `set_flows` on each refresh, connects
    `node_running` (a project Node, or None) to its highlight and routes the dial pad's keys
    to `press` while `waiting_for_keys()`. `speaker` and `player` replace the system's."""

    node_running = Signal(object)  # the project Node being run, or None when nothing runs
    waiting_changed = Signal(bool)  # whether a Gather of the shown run waits for keys
    running_changed = Signal(bool)  # whether a simulated run is going on
    test_recorded = Signal(object)  # a FlowTest saved from a run, for the project

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
        self._drawn = 0  # lines of the shown run already in the transcript
        self._highlighted: Node | None = None
        self._waiting = False
        self._noted: set[str] = set()  # one-time notes already given
        self.save_dialog: SaveTestDialog | None = None  # Save as test, while it is open
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
        self.controls = RunControls()
        self.outcomes_box = OutcomesBox()
        self.run_picker = RunPicker()
        self.gather_box = GatherBox()
        self.keypad = KeyPad()
        self.pause_label = QLabel()
        self.pause_label.setObjectName("sim-pause")
        self.pause_label.setToolTip("A Pause is running: the call is silent until it ends")
        self.pause_label.hide()
        self.hint_label = QLabel(
            "Run (F5) plays the chosen flow as a call. Calls placed to the sandbox from the "
            "dial pad appear here too."
        )
        self.hint_label.setObjectName("sim-hint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setEnabled(False)  # drawn greyed: a hint, not a control
        self.transcript = Transcript()
        self.stored_label = findable(QLabel(), "simulator-stored", "Stored data")
        self.stored_label.setWordWrap(True)
        self.stored_label.setTextFormat(Qt.TextFormat.PlainText)
        self.stored_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stored_label.setToolTip(
            "What the run's Store verbs kept: every later request of the call carries it "
            "as Storage_{name}, the status callback included"
        )
        self.stored_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(SPACING)
        parts = (self.controls, self.outcomes_box, self.run_picker, self.gather_box, self.keypad)
        for part in (*parts, self.pause_label, self.hint_label):
            layout.addWidget(part)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.stored_label)

        self.run_action = QAction("Run the flow", self)
        self.run_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.stop_action = QAction("Stop the run", self)
        self.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.save_test_action = QAction("Save as test…", self)
        self.save_test_action.setShortcut(QKeySequence(SAVE_TEST_KEYS))
        for action in (self.run_action, self.stop_action, self.save_test_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(300)
        self._forward_parts()

    def _forward_parts(self) -> None:
        # The parts' controls under the names the window, the screenshots and tests use.
        controls = self.controls
        self.flow_combo, self.speed_combo = controls.flow_combo, controls.speed_combo
        self.run_button, self.stop_button = controls.run_button, controls.stop_button
        self.server_check = controls.server_check
        self.runs_combo = self.run_picker.runs_combo
        self.save_test_button = self.run_picker.save_button
        gather = self.gather_box
        self.gather_label, self.keys_label = gather.gather_label, gather.keys_label
        self.timeout_button = gather.timeout_button
        self.key_buttons = self.keypad.buttons

    def _connect_signals(self) -> None:
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.stop)
        self.run_action.triggered.connect(self.run)
        self.stop_action.triggered.connect(self.stop)
        self.save_test_button.clicked.connect(self.save_test)
        self.save_test_action.triggered.connect(self.save_test)
        self.timeout_button.clicked.connect(self.let_time_out)
        self.run_picker.chosen.connect(self.show_run)
        self.keypad.key_pressed.connect(self.press)
        self.services.sandbox_events.connect(self._on_services_sandbox_events)
        self._listening = True
        # Lists and combos search as you type: while a call takes keys, they go to the call.
        for widget in (self.transcript, self.runs_combo, *self.outcomes_box.combos()):
            widget.installEventFilter(self)

    # -- what the host calls ------------------------------------------------------------------

    def set_flows(self, names: list[str], entry: str | None) -> None:
        """The project's flows, entry first; the chosen one stays chosen while it exists."""
        self.controls.set_flows(names, entry)
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
        return self.transcript.texts()

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
        label, speed = self.controls.speed()
        through = self.server_check.isChecked()
        run = Run(
            RunKind.SIMULATED,
            f"{flow} ({label}{', flow server' if through else ''})",
            speed=speed,
            in_project=not through,
            flow_of=self._served_flow if through else None,
        )
        run.start_flow = flow
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
            run.stopped = True
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
            source = self._open_source(flow, through)
            run.interpreter = Interpreter(
                source, run.caller, clock, on_event=lambda event: self._on_event(run, event)
            )
            await run.interpreter.run()
        except _known_errors() as exc:  # the flow server, the project, the network: said
            self._failed(run, f"The run failed: {_say(exc)}")
        except Exception:  # a bug: said as one, with its traceback in the log
            self._failed(run, unexpected(_logger, "the simulator's run of %r", flow))
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

    def _open_source(self, flow: str, through: bool) -> DocumentSource:
        """Where the run's FlexML comes from; RunRefused when the run cannot start."""
        if not through:
            project = self._project()
            if flow not in project:  # removed since the flows were listed
                raise RunRefused(f"the project has no flow named {flow!r}")
            return ProjectSource(project, flow)
        from ...core.runtime.http_source import HttpSource
        from ...core.server import ServerError

        try:
            server = self.services.flow_server()
        except (ServerError, ValueError) as exc:  # it cannot listen (there, or like this)
            raise RunRefused(str(exc)) from exc
        self.services.publish()
        url = server.flow_urls().get(flow)
        if url is None:
            raise RunRefused(f"the flow server does not serve {flow!r}")
        return HttpSource(url, flow_base_url=server.base_url)

    @staticmethod
    def _failed(run: Run, text: str) -> None:
        run.failure = text
        run.note(text, error=True)
        if run.live:
            run.end("failed")

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
        self.run_picker.show_runs(runs, self._shown)

    # -- drawing ------------------------------------------------------------------------------

    def _tick(self) -> None:
        run = self._shown
        if run is not None:
            self._draw_lines(run)
        self._refresh_runs_combo()
        self._update_highlight()
        self._update_gather_box()
        self._update_pause_label()
        self._update_stored_label()
        self._update_save_test()
        drawn = run is None or self._drawn >= len(run.lines)
        if drawn and not self.history.live() and self._highlighted is None:
            self._ticker.stop()

    def _draw_lines(self, run: Run) -> None:
        new = run.lines[self._drawn : self._drawn + DRAWN_PER_TICK]
        if not new:
            return
        self.transcript.add_lines(new, self.services.mask)  # no server token shown
        self._drawn += len(new)

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
        left = pause.lasts - (time.monotonic() - run.pause_since) * run.speed
        if left <= 0:
            self.pause_label.hide()
            return
        self.pause_label.setText(f"Pause: {math.ceil(left)} s left")
        self.pause_label.show()

    def _update_stored_label(self) -> None:
        text = self._shown.stored_text() if self._shown is not None else ""
        if text:
            self.stored_label.setText(self.services.mask(text))
        self.stored_label.setVisible(bool(text))

    def _update_waiting(self) -> None:
        waiting = self.waiting_for_keys()
        self.keypad.set_keys_enabled(self._key_target() is not None)
        if waiting != self._waiting:
            self._waiting = waiting
            self.waiting_changed.emit(waiting)

    def _update_controls(self) -> None:
        idle = self._sim is None
        self.controls.set_idle(idle)
        self.run_action.setEnabled(self.run_button.isEnabled())
        self.stop_action.setEnabled(not idle)
        self._update_save_test()

    # -- save as test -------------------------------------------------------------------------

    def _update_save_test(self) -> None:
        reason = self._unsaved_reason()
        self.save_test_button.setEnabled(reason is None)
        self.save_test_action.setEnabled(reason is None)
        self.save_test_button.setToolTip(
            reason
            or "Save this call as a flow test: its keys, its outcomes and what happened, "
            f"to trim before saving ({QKeySequence(SAVE_TEST_KEYS).toString(_NATIVE)})"
        )

    def _unsaved_reason(self) -> str | None:
        """Why Save as test cannot be used now, for people; None when it can."""
        if self._sim is not None:
            return "A run is going on: save it as a test once it ends"
        if self._shown is None:
            return "Run a flow first: a run that has ended can be saved as a test"
        return self._shown.unsaved_reason()

    def save_test(self) -> SaveTestDialog | None:
        """Open Save as test for the shown run (None when it cannot be saved now). The
        test goes out by `test_recorded` when the person saves it."""
        run = self._shown
        if self._unsaved_reason() is not None or run is None or self.save_dialog is not None:
            return None
        try:
            proposed = proposal(run, self._project())
        except Exception:  # a bug: said in the run's transcript, logged with its traceback
            run.note(unexpected(_logger, "proposing a test from the run %r", run.title), True)
            self._changed(run)
            return None
        dialog = SaveTestDialog(
            proposed, lambda name: name in self._project().tests, self, check=self._run_test
        )
        dialog.accepted.connect(lambda: self.test_recorded.emit(dialog.test()))
        dialog.finished.connect(lambda _result: self._on_save_dialog_finished(dialog))
        self.save_dialog = dialog
        dialog.open()
        return dialog

    async def _run_test(self, test: FlowTest) -> FlowTestResult:
        """Run `test` on the project as it is now (in memory, a virtual clock: a few ms)."""
        from ...core.flowtests.runner import Runner

        return await Runner(self._project()).run(test)

    def _on_save_dialog_finished(self, dialog: SaveTestDialog) -> None:
        if self.save_dialog is dialog:
            self.save_dialog = None
        dialog.deleteLater()

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


def _say(exc: BaseException) -> str:
    """An exception's message for people (the class name only when it has none)."""
    text = str(exc).strip()
    if isinstance(exc, KeyError) or not text:
        return type(exc).__name__ + (f": {text}" if text else "")
    return text
