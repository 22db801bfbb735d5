"""The dial pad: type or tap a number, choose a DID and a flow, and place the call.

The call goes through the selected profile's FlexML API (`POST /calls`), asynchronously: the
controls are disabled and a busy bar shows while it is on its way, and re-enabled whatever
happens. Every attempt goes to the call log. During a sandbox call placed from here, the
keys send tones into the call (the sandbox's Gathers take them) and the call's progress is
listed under the pad.

The pad is a Keypad, a CallForm and an InCallView; the rules of a call (its checks, the DID
it comes from, the request, the warnings) are gui.core.calling's, shared with `flexml-studio
call`. Failures we know of are said in place; anything else is a bug: said to be
unexpected, and logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...core.calling import CallPlan
from ..common import tasks
from ..common.messages import UNEXPECTED, failure_text
from ..common.names import findable
from ..common.services import Services
from ..common.settings import SettingsStore
from .call_form import CUSTOM_URL, CallForm
from .in_call import InCallView
from .keypad import HOLD_MS, Keypad

__all__ = ["CUSTOM_URL", "HOLD_MS", "DialPad"]  # the tests' names, from where they were

NO_DIDS_HINT = ", or type one in From"

_logger = logging.getLogger(__name__)


@dataclass
class _Attempt:
    """What the call log keeps of an attempt, filled in as the call gets on."""

    profile: str
    calling: str
    called: str  # as typed until it is checked
    method: str
    url: str = ""
    sid: str = ""  # once CarrierX took the call


class DialPad(QWidget):
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
        super().__init__(parent)
        self.services = services
        self._endpoint = endpoint
        self.settings = settings or SettingsStore()
        self.busy = False
        # Set by the window: takes a key (True) when the Simulator waits for one.
        self.key_sink: Callable[[str], bool] | None = None
        self.keypad = Keypad(self.settings)
        self.form = CallForm(services)
        self.call_view = InCallView()
        self._build()
        self.keypad.take_key = self._take_key
        self.keypad.in_call = lambda: self.active_call is not None
        self.keypad.entered.connect(self.call)
        self.call_button.clicked.connect(self.call)
        self.form.refresh_dids_button.clicked.connect(self.refresh_dids)
        self.services.sandbox_events.connect(self.call_view.on_sandbox_events)
        self.form.update_flow()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.keypad)
        layout.addWidget(self.form)
        call_row = QHBoxLayout()
        self.call_button = findable(QPushButton("Call"), "dial-call", "Call")
        self.call_button.setToolTip("Place the call (Enter)")
        self.call_button.setMinimumHeight(32)
        self.call_button.setStyleSheet(
            "QPushButton { background: #1e8e3e; color: white; font-weight: bold; "
            "border-radius: 4px; padding: 4px 16px; } "
            "QPushButton:disabled { background: #9aa0a6; }"
        )
        call_row.addWidget(self.call_button, 1)
        layout.addLayout(call_row)
        layout.addWidget(self.call_view, 1)
        layout.addStretch(0)
        self._controls = (*self.keypad.controls(), *self.form.controls(), self.call_button)
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

    # -- keys and the number -------------------------------------------------------------------

    @property
    def active_call(self) -> str | None:
        """The sandbox call placed from here whose Gathers take the pad's keys, if any."""
        return self.call_view.call_sid

    @property
    def region(self) -> str:
        return self.keypad.region

    def press(self, key: str) -> None:
        """A key of the pad: for a simulated call waiting for keys (`key_sink`), else a tone
        into the running sandbox call, else typed."""
        self.keypad.press(key)

    def backspace(self) -> None:
        self.keypad.backspace()

    def normalized(self):
        return self.keypad.normalized()

    def _take_key(self, key: str) -> bool:
        if self.key_sink is not None and self.key_sink(key):
            return True
        call = self.active_call
        if call is None:
            return False
        if self.services.press(call, key):
            self.call_view.tone_sent(key)
            return True
        self.call_view.end()  # the call is over: the key is typed
        return False

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
        """The host says the selected profile changed: DIDs and warnings may differ."""
        self.form.from_combo.clear()
        self.form.update_warning()

    # -- busy ------------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for control in self._controls:
            control.setEnabled(not busy)
        self.call_view.busy_bar.setVisible(busy)
        if not busy:
            self.form.update_status_edit()

    def _show_result(self, text: str, error: bool = False) -> None:
        self.call_view.show_result(text, error)

    def _start(self, coro, name: str) -> None:
        """Run an async action: busy at once (a second click finds the pad busy, so nothing
        is sent twice), and back to idle even if the task is cancelled before it starts."""
        self._set_busy(True)
        task = tasks.start(coro, name=name)
        task.add_done_callback(self._after_task)

    def _after_task(self, _task) -> None:
        if shiboken6.isValid(self) and self.busy:  # the window may be gone by now
            self._set_busy(False)

    # -- DIDs ------------------------------------------------------------------------------------

    def refresh_dids(self) -> None:
        if not self.busy:
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
            self._show_result(f"Could not list the DIDs: {_said(exc, 'refresh DIDs')}", True)
        finally:
            self._set_busy(False)

    # -- calling -----------------------------------------------------------------------------------

    def plan(self) -> CallPlan:
        """The call as the pad sets it up now (the number still as typed)."""
        return self.form.plan(self.number_edit.text(), self.keypad.region)

    def call(self) -> None:
        """Place the call (Enter or the button): async, the controls back in any case."""
        if self.busy:
            return
        self.settings.set("dialpad/last-number", self.number_edit.text())
        self._start(self.place(self.plan()), "place call")

    async def place(self, plan: CallPlan) -> None:
        """Check and place `plan`'s call, show how it went, and keep the attempt in the log."""
        from ...core.calling import call_request, calling_did, check

        self._set_busy(True)
        self._show_result("Calling…")
        method = plan.method or "POST"
        attempt = _Attempt(self.services.profiles.selected, plan.calling_did, plan.to, method)
        try:
            called = attempt.called = check(plan)
            endpoint = self._endpoint()
            attempt.profile = endpoint.profile
            client = self.services.client(endpoint)
            url, status_url = self._urls(plan)
            attempt.url = url
            calling, listed = await calling_did(plan, client, NO_DIDS_HINT)
            if listed:
                self.set_dids(listed)
            attempt.calling = calling
            call = await client.create_call(call_request(plan, called, calling, url, status_url))
            attempt.sid = str(call.get("call_sid", ""))
            self._placed(plan, attempt, call, getattr(endpoint, "is_sandbox", False))
        except Exception as exc:
            self._failed(plan, attempt, exc)
        finally:
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

    def _placed(self, plan: CallPlan, attempt: _Attempt, call: dict, sandbox: bool) -> None:
        scheduled = bool(plan.delay)
        when = f"scheduled in {plan.delay} s" if scheduled else "placed"
        shown = self.services.mask(attempt.url)
        self._show_result(
            f"Call {when}: {attempt.sid}\nfrom {attempt.calling} to {attempt.called}\n"
            f"{shown} ({attempt.method})"
        )
        details = self.services.mask(call)
        if plan.flow is not None:
            details["flexml_studio_flow"] = plan.flow  # redial finds it after a restart
        self._write_log(attempt, "scheduled" if scheduled else "placed", None, details)
        if sandbox and not scheduled:
            self.call_view.begin(attempt.sid)

    def _failed(self, plan: CallPlan, attempt: _Attempt, exc: Exception) -> None:
        from ...core.calling import PlanError

        message = _said(exc, "place call")
        if attempt.sid:  # a bug after CarrierX took the call
            self._show_result(f"Call {attempt.sid} was placed, but {message}", error=True)
            return
        self._show_result(f"The call was not placed: {message}", error=True)
        if isinstance(exc, PlanError) and not plan.to.strip():
            return  # the log keeps every attempt, but nothing typed is no attempt
        self._write_log(attempt, "failed", message, {})

    def _write_log(self, attempt: _Attempt, outcome: str, error: str | None, details) -> None:
        log = self.services.call_log
        if log is None:
            return
        try:
            log.add(
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
            self.call_view.add_to_result(f"\n(not logged: {_said(exc, 'log the call')})")
            return

    # -- from the call log ---------------------------------------------------------------------

    def redial(self, entry) -> None:
        """Fill the pad from a call log entry and place the call again."""
        if self.busy:
            self._show_result("Wait for the call on its way to finish, then redial.", True)
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
        self._start(self._cancel(entry, on_done), "cancel call")

    async def _cancel(self, entry, on_done) -> None:
        from ...core.carrierx.errors import NotFoundError

        try:
            endpoint = self._endpoint_named(entry.profile)
            await self.services.client(endpoint).cancel_call(entry.call_sid)
            self._mark_cancelled(entry, on_done)
            self._show_result(f"Scheduled call {entry.call_sid} cancelled")
        except NotFoundError as exc:
            self._show_result(
                f"Could not cancel {entry.call_sid}: {exc.message} (it may have started "
                "or expired)",
                error=True,
            )
        except Exception as exc:
            said = _said(exc, "cancel call")
            self._show_result(f"Could not cancel {entry.call_sid}: {said}", error=True)
        finally:
            self._set_busy(False)

    def _endpoint_named(self, profile: str):
        """The endpoint of `profile` (the one a logged call went through)."""
        current = self._endpoint()
        if current.profile == profile:
            return current
        from ...core.profiles import resolve

        sandbox = self.services.sandbox() if profile == "Sandbox" else None
        return resolve(self.services.profiles.get(profile), self.services.keychain, sandbox)

    def _mark_cancelled(self, entry, on_done) -> None:
        """The log's own event updates the call log's row; `on_done` gets the entry too."""
        log = self.services.call_log
        if log is None:
            return
        updated = log.update(entry.id, outcome="cancelled")
        if on_done is not None:
            on_done(updated)


# -- telling the user --------------------------------------------------------------------------


def _known_errors() -> tuple[type[Exception], ...]:
    """The failures said in place, in their own words. Imported only once one happened."""
    from ...core.calling import PlanError
    from ...core.calllog import CallLogError
    from ...core.profiles import ProfileError
    from ...core.runtime.sandbox import SandboxError
    from ...core.server import ServerError

    return (PlanError, ProfileError, SandboxError, ServerError, CallLogError, OSError)


def _said(exc: Exception, action: str) -> str:
    """What to tell the user about `exc` (see common.messages), to go after a colon."""
    from ...core.carrierx import CarrierXError

    text = failure_text(exc, (CarrierXError, *_known_errors()), _logger, action)
    return text[:1].lower() + text[1:].rstrip(".") if text == UNEXPECTED else text
