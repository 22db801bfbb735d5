"""The dial pad's Hang up, which does what can truly be done where the call is:

- The POST on its way: before it is sent (the number checked, the DIDs asked for), the
  request is cancelled and nothing is placed. Once it is sent, CarrierX may take the call
  whatever we do, so the pad waits for the answer and ends the call it gets, as below.
- A sandbox call running: the sandbox hangs it up (`Sandbox.hang_up`): it ends now and
  sends its status callback, as a real call does; the pad says "Hung up".
- A scheduled call (delay > 0), on any endpoint: DELETE /calls/SID cancels it (the call
  log's Cancel does the same). The pad follows a scheduled call until it starts: a sandbox
  one then becomes the pad's running call; a real one is left to the phone.
- A live call on a real CarrierX: there is no API to end it (FLEXML.md §4). The pad says so
  when the call is placed and goes back to idle: the call goes on at CarrierX.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer

from .pad_errors import said

NO_LIVE_HANG_UP = "CarrierX has no API to end a live call: hang up on the phone that answered"
HANG_UP_WAIT_MS = 3000  # the longest the pad waits for a hung-up sandbox call to say it ended
CHECK_RUNNING_MS = 250  # after this, a call the sandbox says has ended is ended in the pad too


@dataclass
class Attempt:
    """What the call log keeps of an attempt, filled in as the call gets on."""

    profile: str
    calling: str
    called: str  # as typed until it is checked
    method: str
    url: str = ""
    sid: str = ""  # once CarrierX took the call


@dataclass(frozen=True)
class Scheduled:
    """A call placed from the pad with a delay, not started yet."""

    sid: str
    profile: str
    entry_id: int | None  # its call log entry, when it was logged
    sandbox: bool


class HangUp:
    """The DialPad's hang-up states and actions (see the module docstring). A mixin of the
    pad: it uses the pad's services, call_view, busy, in_call(), active_call, _tone_timer,
    _start, _set_busy, _refresh_state, _show_result, _write_log and endpoint_named."""

    def __init__(self) -> None:
        self.placing = False  # from Call until CarrierX answered the POST (or it failed)
        self.posting = False  # the POST is sent: CarrierX may take the call
        self.abandon = False  # Hang up came while placing
        self.place_task: asyncio.Task | None = None
        self.scheduled: Scheduled | None = None
        self._due_timer = QTimer(self, singleShot=True)
        self._due_timer.timeout.connect(self._scheduled_due)
        self._hang_up_timer = QTimer(self, singleShot=True, interval=HANG_UP_WAIT_MS)
        self._hang_up_timer.timeout.connect(self._hang_up_overdue)

    # -- the button --------------------------------------------------------------------------

    def can_hang_up(self) -> bool:
        if self.placing:
            return not self.abandon  # else: waiting for CarrierX's answer to end its call
        if self.active_call is not None:
            return not self._hang_up_timer.isActive()
        return self.scheduled is not None and not self.busy

    def hang_up_tip(self) -> str:
        if self.active_call is not None:
            return "End the sandbox call now (Esc): it sends its status callback, as CarrierX does"
        if self.scheduled is not None and not self.placing:
            sid = self.scheduled.sid
            return f"Cancel the scheduled call {sid} (DELETE /calls/{sid})"
        return (
            "Stop placing the call (Esc). Once CarrierX has taken it, the pad ends it when "
            f"its SID is known; a live call on a real CarrierX cannot be ended: {NO_LIVE_HANG_UP}"
        )

    def hang_up(self) -> None:
        """Hang up the call the pad is on (the button, or Esc during a call)."""
        if self.placing:
            self._abandon_placing()
        elif self.active_call is not None:
            if not self._hang_up_timer.isActive():
                self.hang_up_sandbox(self.active_call)
        elif self.scheduled is not None and not self.busy:
            scheduled = self.scheduled
            coro = self.cancel_call(scheduled.sid, scheduled.profile, scheduled.entry_id, None)
            self._start(coro, "cancel call")
        self._refresh_state()

    def _abandon_placing(self) -> None:
        if self.abandon:
            return
        self.abandon = True
        if self.posting:
            self._show_result("Hanging up: waiting for CarrierX's answer, to end the call it took")
            return
        self._show_result("Hung up: the call was not placed (nothing had been sent).")
        if self.place_task is not None:
            self.place_task.cancel()

    def abandoned(self, plan, attempt: Attempt) -> None:
        """The place task was cancelled by Hang up before the POST was sent."""
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # ours: the task ends normally
        self.call_view.drop_held("the call was not placed")
        if plan.to.strip():  # the log keeps every attempt; nothing typed is none
            self._write_log(attempt, "cancelled", None, {"hung_up": "before it was placed"})

    async def end_taken(self, plan, attempt: Attempt, sandbox: bool) -> None:
        """Hang up came while the POST was on its way, and CarrierX took the call."""
        if plan.delay:
            entry_id = self.scheduled.entry_id if self.scheduled is not None else None
            await self.cancel_call(attempt.sid, attempt.profile, entry_id, None)
        elif sandbox:
            self.hang_up_sandbox(attempt.sid)
        else:
            self._show_result(
                f"CarrierX took call {attempt.sid} before the hang-up. {NO_LIVE_HANG_UP}.",
                error=True,
            )

    # -- a sandbox call ----------------------------------------------------------------------

    def hang_up_sandbox(self, call_sid: str) -> None:
        box = self.services.sandbox_running
        if box is not None and box.hang_up(call_sid):
            if self.active_call == call_sid:
                self.call_view.hanging_up()  # its Ended event ends it: "Hung up"
                self._hang_up_timer.start()
            return
        if self.active_call == call_sid:
            self.call_view.end()  # it had ended by itself

    def _hang_up_overdue(self) -> None:
        if self.active_call is not None:
            self.call_view.end("Hung up (the sandbox did not say the call ended).")

    def check_running(self, call_sid: str) -> None:
        """A sandbox call may end before the pad began following it (its Ended event then
        went by): ask the sandbox, a little later, whether it still runs."""

        from ...core.runtime.sandbox_api import RUNNING, SCHEDULED  # a call not over yet

        def check() -> None:
            box = self.services.sandbox_running
            status = box.call_status(call_sid) if box is not None else None
            over = status not in (SCHEDULED, RUNNING)  # None: unknown, or forgotten
            if over and self.active_call == call_sid:
                self.call_view.end()

        QTimer.singleShot(CHECK_RUNNING_MS, self, check)

    def _call_ended(self, _call_sid: str) -> None:
        self._hang_up_timer.stop()
        self._tone_timer.stop()
        self._refresh_state()

    # -- a scheduled call --------------------------------------------------------------------

    def follow_scheduled(self, attempt: Attempt, entry, sandbox: bool, delay: int) -> None:
        """Hang up cancels the scheduled call until it starts."""
        entry_id = getattr(entry, "id", None)
        self.scheduled = Scheduled(attempt.sid, attempt.profile, entry_id, sandbox)
        self.call_view.drop_held("a scheduled call takes keys once it starts")
        if not sandbox:  # a sandbox call says when it starts (_on_sandbox_events)
            self._due_timer.start(delay * 1000)

    def forget_scheduled(self) -> None:
        """The pad no longer follows the scheduled call (it stays scheduled)."""
        self.scheduled = None
        self._due_timer.stop()

    def _scheduled_due(self) -> None:
        if self.scheduled is None:
            return
        if self.busy:  # cancelling it, maybe: see again in a moment
            self._due_timer.start(CHECK_RUNNING_MS)
            return
        sid = self.scheduled.sid
        self.forget_scheduled()
        self.call_view.add_to_result(f"\nCall {sid} is due to start now. {NO_LIVE_HANG_UP}.")
        self._refresh_state()

    def _on_sandbox_events(self, batch: list) -> None:
        """The scheduled sandbox call started: it becomes the pad's call (keys are tones)."""
        scheduled = self.scheduled
        if scheduled is None or not scheduled.sandbox or self.in_call():
            return
        if any(call_sid == scheduled.sid for call_sid, _ in batch):
            self.forget_scheduled()
            self.call_view.begin(scheduled.sid)
            self._refresh_state()

    async def cancel_call(
        self,
        call_sid: str,
        profile: str,
        entry_id: int | None,
        on_done: Callable[[object], None] | None,
    ) -> None:
        """DELETE /calls/SID through `profile`'s endpoint; the log's entry is then cancelled."""
        from ...core.carrierx.errors import ConflictError, NotFoundError

        try:
            endpoint = self.endpoint_named(profile)
            await self.services.client(endpoint).cancel_call(call_sid)
            self._mark_cancelled(entry_id, on_done)
            self._show_result(f"Scheduled call {call_sid} cancelled")
        except (NotFoundError, ConflictError) as exc:
            if self.active_call == call_sid:  # a sandbox call that started meanwhile
                self.hang_up_sandbox(call_sid)
                return
            self._show_result(
                f"Could not cancel {call_sid}: {exc.message} (it may have started or "
                f"expired). If it has started, {NO_LIVE_HANG_UP[:1].lower()}{NO_LIVE_HANG_UP[1:]}.",
                error=True,
            )
        except Exception as exc:
            self._show_result(f"Could not cancel {call_sid}: {said(exc, 'cancel call')}", True)
        finally:
            if self.scheduled is not None and self.scheduled.sid == call_sid:
                self.forget_scheduled()
            self._set_busy(False)

    def _mark_cancelled(self, entry_id: int | None, on_done) -> None:
        """The log's own event updates the call log's row; `on_done` gets the entry too."""
        log = self.services.call_log
        if log is None or entry_id is None:
            return
        updated = log.update(entry_id, outcome="cancelled")
        if on_done is not None:
            on_done(updated)
