"""The dial pad: type or tap a number, choose a DID and a flow, and place the call.

The call goes through the selected profile's FlexML API (`POST /calls`), asynchronously: a
busy bar shows while it is on its way, and the controls come back whatever happens. Every
attempt goes to the call log.

It behaves like a phone. From Enter (or Call) until the call ends, the green Call button is
a red Hang up (Esc), and the keys are tones: typed in the number field, which keeps the
focus, or tapped, they are held until the sandbox call can take them and then sent into it,
and the call's progress is listed. What Hang up does depends on where the call is
(hang_up.py): the POST on its way is abandoned, a sandbox call ends at once, a scheduled
call is cancelled (DELETE /calls/SID), and a live call on a real CarrierX cannot be ended
from here (CarrierX has no API for it): the pad says so and the call goes on.

The keypad and the Call button stay at the top; the form, the result and the progress are
in the pad's own scroll area under them (beside them when the pad is wide), so showing a
result never scrolls the keys away.

The pad is a Keypad, a CallForm and an InCallView; the rules of a call (its checks, the DID
it comes from, the request, the warnings) are gui.core.calling's, shared with `flexml-studio
call`. Failures we know of are said in place; anything else is a bug: said to be
unexpected, and logged with its traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.calling import CallPlan
from ..common import tasks
from ..common.names import findable
from ..common.services import Services
from ..common.settings import SettingsStore
from .call_form import CUSTOM_URL, CallForm
from .hang_up import NO_LIVE_HANG_UP, Attempt, HangUp
from .in_call import InCallView
from .keypad import HOLD_MS, TONE_KEYS, Keypad
from .pad_errors import said
from .pad_styles import CALL_STYLE, HANG_UP_STYLE

__all__ = ["CUSTOM_URL", "HOLD_MS", "NO_LIVE_HANG_UP", "DialPad"]  # the tests' names

NO_DIDS_HINT = ", or type one in From"
WIDE = 720  # px: from this width on, the form and the result go beside the keys
DETAILS_MIN_HEIGHT = 120  # px of the form and result always shown under the keys
TONE_POLL_MS = 50  # how often held keys look for the sandbox call to take them
CALL_TIP = "Place the call (Enter)"


class DialPad(HangUp, QWidget):
    """See the module docstring. `endpoint()` gives the selected profile's Endpoint (it may
    raise with a message for people); the host feeds flows and DIDs in."""

    dids_loaded = Signal(list)  # phone numbers from GET /dids

    def __init__(
        self,
        services: Services,
        endpoint: Callable[[], object],
        settings: SettingsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        QWidget.__init__(self, parent)
        self.services = services
        self._endpoint = endpoint
        self.settings = settings or SettingsStore()
        self.busy = False  # a request is on its way
        # Set by the window: takes a key (True) when the Simulator waits for one (the
        # pad's own call comes first).
        self.key_sink: Callable[[str], bool] | None = None
        self.keypad = Keypad(self.settings)
        self.form = CallForm(services)
        self.call_view = InCallView()
        self._build()
        HangUp.__init__(self)
        self._tone_timer = QTimer(self, interval=TONE_POLL_MS)
        self._tone_timer.timeout.connect(self._send_held)
        self.keypad.take_key = self._take_key
        self.keypad.in_call = self.in_call
        self.keypad.sandbox = self.form.is_sandbox
        self.keypad.entered.connect(self.call)
        self.call_button.clicked.connect(self.call)
        self.hang_up_button.clicked.connect(self.hang_up)
        self.hang_up_shortcut.activated.connect(self.hang_up)
        self.form.refresh_dids_button.clicked.connect(self.refresh_dids)
        # The pad first: a scheduled sandbox call that starts becomes the view's call
        # before the view reads the same batch.
        self.services.sandbox_events.connect(self._on_sandbox_events)
        self.services.sandbox_events.connect(self.call_view.on_sandbox_events)
        self.call_view.ended.connect(self._call_ended)
        self.form.update_flow()
        self.keypad.update_number()
        self._refresh_state()

    def _build(self) -> None:
        self.keys_area = QWidget()
        top = QVBoxLayout(self.keys_area)
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(self.keypad)
        top.addLayout(self._build_call_row())
        top.addStretch(1)  # beside the form (a wide pad): the keys stay at the top
        details = QWidget()
        lower = QVBoxLayout(details)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.setSpacing(4)
        lower.addWidget(self.form)
        lower.addWidget(self.call_view, 1)
        self.details_area = QScrollArea()
        self.details_area.setObjectName("dial-details")
        self.details_area.setWidget(details)
        self.details_area.setWidgetResizable(True)
        self.details_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_area.setMinimumHeight(DETAILS_MIN_HEIGHT)
        self._layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.keys_area, 0)
        self._layout.addWidget(self.details_area, 1)
        self._controls = (*self.keypad.controls(), *self.form.controls())
        # The parts that the window, the tests and the screenshots reach through the pad.
        keypad, form, view = self.keypad, self.form, self.call_view
        self.number_edit, self.normalized_label = keypad.number_edit, keypad.normalized_label
        self.key_buttons, self.region_combo = keypad.key_buttons, keypad.region_combo
        self.backspace_button, self.clear_button = keypad.backspace_button, keypad.clear_button
        self.from_combo, self.flow_combo = form.from_combo, form.flow_combo
        self.url_edit, self.method_combo = form.url_edit, form.method_combo
        self.options_toggle, self.options_box = form.options_toggle, form.options_box
        self.delay_spin, self.warning_label = form.delay_spin, form.warning_label
        self.busy_bar, self.result_label = view.busy_bar, view.result_label
        self.call_label, self.progress_list = view.call_label, view.progress_list

    def _build_call_row(self) -> QHBoxLayout:
        """Call (green) and Hang up (red): one of them shows, both while a call is only
        scheduled. They take no focus when clicked: it stays in the number field, so the
        keys typed next still reach the call."""
        row = QHBoxLayout()
        self.call_button = findable(QPushButton("Call"), "dial-call", "Call")
        self.call_button.setToolTip(CALL_TIP)
        self.call_button.setStyleSheet(CALL_STYLE)
        self.hang_up_button = findable(QPushButton("Hang up"), "dial-hang-up", "Hang up")
        self.hang_up_button.setStyleSheet(HANG_UP_STYLE)
        for button in (self.call_button, self.hang_up_button):
            button.setMinimumHeight(32)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(button, 1)
        # Esc hangs up while the focus is anywhere in the pad (not window-wide), and only
        # during a call: otherwise Esc in the number field clears it.
        self.hang_up_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.hang_up_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return row

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() >= WIDE
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
        super().resizeEvent(event)

    # -- keys and the number -------------------------------------------------------------------

    @property
    def active_call(self) -> str | None:
        """The sandbox call placed from here whose Gathers take the pad's keys, if any."""
        return self.call_view.call_sid

    def in_call(self) -> bool:
        """From Call until the call ends: the keys are tones, Esc hangs up."""
        return self.placing or self.active_call is not None

    @property
    def region(self) -> str:
        return self.keypad.region

    def press(self, key: str) -> None:
        """A key of the pad: a tone into the pad's call, else for a simulated call waiting
        for keys (`key_sink`), else typed."""
        self.keypad.press(key)

    def backspace(self) -> None:
        self.keypad.backspace()

    def normalized(self):
        return self.keypad.normalized()

    def _take_key(self, key: str) -> bool:
        # The pad's own call first: its keys are that call's tones, whatever else waits.
        if not self.in_call():
            return self.key_sink is not None and self.key_sink(key)
        call = self.active_call
        if call is not None and not self.call_view.held and self.services.press(call, key):
            self.call_view.tone_sent(key)
        else:  # the call is not there yet (or not taking keys yet): held, in order
            self.call_view.hold(key)
            if call is not None:
                self._tone_timer.start()
        return True

    def _send_held(self) -> None:
        """Send the keys held for the sandbox call once it takes keys."""
        call = self.active_call
        if call is None or not self.call_view.held:
            self._tone_timer.stop()
        elif self.services.in_call(call):
            for key in self.call_view.take_held():
                self.services.press(call, key)
            self._tone_timer.stop()
        elif not self._tone_timer.isActive():
            self._tone_timer.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A tone key typed while the focus is elsewhere in the pad still reaches the call.
        key = event.text()
        if key and key in TONE_KEYS and self.in_call() and self._take_key(key):
            event.accept()
            return
        super().keyPressEvent(event)

    # -- flows, DIDs and the profile -----------------------------------------------------------

    def set_flows(self, names: list[str], entry: str | None, *, reset: bool = False) -> None:
        """The project's flows, the entry first (see CallForm.set_flows)."""
        self.form.set_flows(names, entry, reset=reset)

    def set_dids(self, dids: list[str]) -> None:
        """Fill "From" with the endpoint's DIDs, keeping what was typed when still listed."""
        self.form.set_dids(dids)

    def selected_flow(self) -> str | None:
        return self.form.selected_flow()

    def warning(self) -> str | None:
        """Why the call as set up cannot work, or is unsafe, on a real CarrierX endpoint."""
        return self.form.warning()

    def profile_changed(self) -> None:
        """The host says the selected profile changed: DIDs, warnings and the numbers it
        takes may differ."""
        self.form.from_combo.clear()
        self.form.update_warning()
        self.keypad.update_number()

    # -- busy and in a call ------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._refresh_state()

    def _refresh_state(self) -> None:
        """Show what the pad is doing: idle, busy with a request, placing a call, in a call,
        or following a scheduled call."""
        in_call = self.in_call()
        for control in self._controls:
            control.setEnabled(not self.busy and not in_call)
        self.keypad.set_in_call(in_call or self.busy)
        self.call_button.setVisible(not in_call)
        self.call_button.setEnabled(not self.busy)
        self.hang_up_button.setVisible(in_call or self.scheduled is not None)
        self.hang_up_button.setEnabled(self.can_hang_up())
        self.hang_up_button.setToolTip(self.hang_up_tip())
        self.hang_up_shortcut.setEnabled(in_call)
        self.call_view.busy_bar.setVisible(self.busy)
        if not self.busy:
            self.form.update_status_edit()

    def _show_result(self, text: str, error: bool = False) -> None:
        self.call_view.show_result(text, error)

    def _start(self, coro, name: str) -> asyncio.Task:
        """Run an async action: busy at once (a second click finds the pad busy, so nothing
        is sent twice), and back to idle even if the task is cancelled before it starts."""
        self._set_busy(True)
        task = tasks.start(coro, name=name)
        task.add_done_callback(self._after_task)
        return task

    def _after_task(self, task: asyncio.Task) -> None:
        if not shiboken6.isValid(self):  # the window may be gone by now
            return
        if task is self.place_task:
            self.place_task = None
            if self.placing:  # cancelled before it ran: nothing was sent
                self.placing = self.posting = self.abandon = False
                self.call_view.drop_held("the call was not placed")
        if self.busy:
            self._set_busy(False)

    # -- DIDs ------------------------------------------------------------------------------------

    def refresh_dids(self) -> None:
        if not self.busy and not self.in_call():
            self._start(self._refresh_dids(), "refresh DIDs")

    async def _refresh_dids(self) -> None:
        from ...core.calling import did_numbers

        try:
            endpoint = self._endpoint()
            numbers = did_numbers(await self.services.client(endpoint).list_dids())
            self.set_dids(numbers)
            self.dids_loaded.emit(numbers)
            self._show_result(
                f"{len(numbers)} DID{'s' if len(numbers) != 1 else ''} routed to this endpoint"
                if numbers
                else "This endpoint has no DIDs: assign one in the CarrierX portal"
            )
        except Exception as exc:
            self._show_result(f"Could not list the DIDs: {said(exc, 'refresh DIDs')}", True)
        finally:
            self._set_busy(False)

    # -- calling -----------------------------------------------------------------------------------

    def plan(self) -> CallPlan:
        """The call as the pad sets it up now (the number still as typed)."""
        return self.form.plan(self.number_edit.text(), self.keypad.region)

    def call(self) -> None:
        """Place the call (Enter or the button): async, the controls back in any case. A
        call only scheduled does not stop another: it stays scheduled (the call log can
        cancel it), and the pad follows the new one."""
        if self.busy:
            return
        if self.active_call is not None:
            self._show_result("A call is on: hang up first (Hang up, or Esc).", True)
            return
        self.settings.set("dialpad/last-number", self.number_edit.text())
        self.forget_scheduled()
        self.placing, self.posting, self.abandon = True, False, False
        self.call_view.placing(self.form.is_sandbox())
        self.place_task = self._start(self.place(self.plan()), "place call")

    async def place(self, plan: CallPlan) -> None:
        """Check and place `plan`'s call, show how it went, and keep the attempt in the log.
        A Hang up before the POST is sent cancels this; one after it ends the call that
        CarrierX took (end_taken)."""
        from ...core.calling import call_request, calling_did, check

        self._set_busy(True)
        self._show_result("Calling…")
        method = plan.method or "POST"
        attempt = Attempt(self.services.profiles.selected, plan.calling_did, plan.to, method)
        try:
            endpoint = self._endpoint()
            attempt.profile = endpoint.profile
            sandbox = bool(getattr(endpoint, "is_sandbox", False))
            called = attempt.called = check(plan, sandbox=sandbox)
            client = self.services.client(endpoint)
            url, status_url = self._urls(plan)
            attempt.url = url
            calling, listed = await calling_did(plan, client, NO_DIDS_HINT)
            if listed:
                self.set_dids(listed)
            attempt.calling = calling
            self.posting = True  # from here on CarrierX may take the call: never cancelled
            call = await client.create_call(call_request(plan, called, calling, url, status_url))
            attempt.sid = str(call.get("call_sid", ""))
            self.placing = False
            self._placed(plan, attempt, call, sandbox)
            if self.abandon:
                await self.end_taken(plan, attempt, sandbox)
        except asyncio.CancelledError:
            if not self.abandon or self.posting:
                raise  # not our Hang up: the window is closing
            self.abandoned(plan, attempt)
        except Exception as exc:
            self._failed(plan, attempt, exc)
        finally:
            self.placing = self.posting = self.abandon = False
            self._set_busy(False)

    def _urls(self, plan: CallPlan) -> tuple[str, str | None]:
        """(flow URL, status callback URL): starts the flow server when the plan needs it."""
        from ...core.calling import served_urls

        server = None
        if plan.flow is not None or plan.status_to_server:
            server = self.services.flow_server()
        if plan.flow is not None:
            self.services.publish()
        url, status_url = served_urls(plan, server)
        if plan.flow is not None:
            self.form.show_served_url(url)
        else:
            self.form.update_warning()
        return url, status_url

    def _placed(self, plan: CallPlan, attempt: Attempt, call: dict, sandbox: bool) -> None:
        scheduled = bool(plan.delay)
        when = f"scheduled in {plan.delay} s" if scheduled else "placed"
        shown = self.services.mask(attempt.url)
        text = (
            f"Call {when}: {attempt.sid}\nfrom {attempt.calling} to {attempt.called}\n"
            f"{shown} ({attempt.method})"
        )
        if not sandbox and not scheduled:  # nothing here can end it: say so, then idle
            text += f"\n{NO_LIVE_HANG_UP}."
        self._show_result(text)
        details = self.services.mask(call)
        if plan.flow is not None:
            details["flexml_studio_flow"] = plan.flow  # redial finds it after a restart
        entry = self._write_log(attempt, "scheduled" if scheduled else "placed", None, details)
        if scheduled:
            self.follow_scheduled(attempt, entry, sandbox, plan.delay or 0)
        elif sandbox:
            self.call_view.begin(attempt.sid)
            self._send_held()
            self.check_running(attempt.sid)
        else:
            self.call_view.drop_held("a call on CarrierX takes keys on the phone that answered")

    def _failed(self, plan: CallPlan, attempt: Attempt, exc: Exception) -> None:
        from ...core.calling import PlanError

        self.call_view.drop_held("the call was not placed")
        message = said(exc, "place call")
        if attempt.sid:  # a bug after CarrierX took the call
            self._show_result(f"Call {attempt.sid} was placed, but {message}", error=True)
            return
        self._show_result(f"The call was not placed: {message}", error=True)
        if isinstance(exc, PlanError) and not plan.to.strip():
            return  # the log keeps every attempt, but nothing typed is no attempt
        self._write_log(attempt, "failed", message, {})

    def _write_log(self, attempt: Attempt, outcome: str, error: str | None, details):
        """Keep the attempt in the call log; returns its entry (None when not kept)."""
        log = self.services.call_log
        if log is None:
            return None
        try:
            return log.add(
                attempt.profile,
                attempt.calling,
                attempt.called,
                self.services.mask(attempt.url),
                attempt.method,
                call_sid=attempt.sid or None,
                outcome=outcome,
                error=error,
                details=details,
            )
        except Exception as exc:  # a full disk must not hide the call's own result
            self.call_view.add_to_result(f"\n(not logged: {said(exc, 'log the call')})")
            return None

    # -- from the call log ---------------------------------------------------------------------

    def redial(self, entry) -> None:
        """Fill the pad from a call log entry and place the call again."""
        if self.busy or self.active_call is not None:
            self._show_result("Wait for the call on its way to end, then redial.", True)
            return
        digits = "".join(c for c in entry.to_number if c.isdigit())
        # Kept as E.164 digits without "+": with it, any region reads them right.
        self.number_edit.setText("+" + digits if digits else entry.to_number)
        if entry.from_number:
            self.form.from_combo.setCurrentText(entry.from_number)
        flow = (entry.details or {}).get("flexml_studio_flow")
        index = self.form.flow_combo.findData(flow) if flow else -1
        if index >= 0:
            self.form.flow_combo.setCurrentIndex(index)
        elif flow:
            self._show_result(f"The project has no flow {flow!r} any more: choose one.", True)
            return
        else:
            self.form.choose_custom_url(entry.url)
        self.form.method_combo.setCurrentText(entry.method or "POST")
        self.call()

    def cancel(self, entry, on_done: Callable[[object], None] | None = None) -> None:
        """Cancel a scheduled call (DELETE /calls/SID) through the profile that placed it."""
        if self.busy:
            self._show_result("Wait for the pad to finish, then cancel the call.", True)
            return
        coro = self.cancel_call(entry.call_sid, entry.profile, entry.id, on_done)
        self._start(coro, "cancel call")

    def endpoint_named(self, profile: str):
        """The endpoint of `profile` (the one a logged call went through)."""
        current = self._endpoint()
        if current.profile == profile:
            return current
        from ...core.profiles import resolve

        sandbox = self.services.sandbox() if profile == "Sandbox" else None
        return resolve(self.services.profiles.get(profile), self.services.keychain, sandbox)
