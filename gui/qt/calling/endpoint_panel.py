"""The Endpoint panel: endpoint profiles, their credentials, and checking that they work.

A profile combo (the built-in Sandbox first) with New, Duplicate, Rename and Delete; a form
for the API URL, login, password, Core API URL and token (secrets go to the Keychain, the
rest to profiles.json on Save); "Test connection" lists the endpoint's DIDs and "Find my
endpoints" fills the form from the Core API. Both run on the window's loop (tasks.start)
with the controls disabled until they end, however they end. The widgets are in parts
(endpoint_widgets); what they do is here.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...core.calling import did_numbers
from ...core.keychain import CORE_TOKEN, PASSWORD, Keychain
from ...core.profiles import (
    DEFAULT_API_URL,
    DEFAULT_CORE_URL,
    Endpoint,
    Profile,
    ProfileError,
    ProfileStore,
    check_url,
    resolve,
)
from ..common.messages import UNEXPECTED
from ..common.tasks import start
from .endpoint_widgets import (
    CredentialsForm,
    KeyringStatus,
    ProfileActions,
    ProfileBar,
    wrapping_label,
)

if TYPE_CHECKING:  # the window opens without httpx and aiohttp: they load on first use
    from ...core.carrierx import FlexmlEndpoint
    from ...core.runtime.sandbox import Sandbox


_FAILED = object()  # what _ask answers when the request failed (an empty list is an answer)


def _sandbox_error() -> type[Exception]:
    # Evaluated only when an exception reaches the `except`: no import before that.
    from ...core.runtime.sandbox import SandboxError

    return SandboxError


def _carrierx_error() -> type[Exception]:
    from ...core.carrierx import CarrierXError

    return CarrierXError


SHOWN_DIDS = 5
SANDBOX_NOTE = (
    "The sandbox is a local CarrierX on this computer: no account is needed. Calls through "
    "it run your flows here."
)


class EndpointPanel(QWidget):
    """Choose, edit and test the endpoint profile calls go through (a dock's content)."""

    profile_changed = Signal(object)  # the selected Profile, also after it was saved
    dids_loaded = Signal(str, list)  # profile name, the phonenumbers Test connection listed

    def __init__(
        self,
        store: ProfileStore,
        keychain: Keychain,
        sandbox: Callable[[], Sandbox],
        parent=None,
        *,
        sandbox_running: Callable[[], Sandbox | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.keychain = keychain
        self._sandbox = sandbox
        # Given: showing the Sandbox profile does not start the sandbox (it starts on
        # demand, for Test connection or a call) and `sandbox_started` fills the form.
        self._sandbox_running = sandbox_running
        self._loaded: tuple[str, ...] = ()  # the form as last shown or saved
        self._busy = False
        self._build()
        self._connect_signals()
        self._fill_profiles()
        self._show_profile(self.store.get(self.store.selected))
        if store.recovered:
            self._show_result(store.recovered[0].upper() + store.recovered[1:] + ".", "error")

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.profile_bar = ProfileBar()
        self.sandbox_note = wrapping_label(SANDBOX_NOTE)
        self.form = CredentialsForm()
        self.profile_actions = ProfileActions()
        self.keyring_status = KeyringStatus(self.keychain)
        layout = QVBoxLayout(self)
        for part in (
            self.profile_bar,
            self.sandbox_note,
            self.form,
            self.profile_actions,
            self.keyring_status,
        ):
            layout.addWidget(part)
        layout.addStretch(1)
        self._alias_controls()

    def _alias_controls(self) -> None:
        """The parts' controls as the panel's own attributes, as the window and tests use them."""
        bar, form, actions = self.profile_bar, self.form, self.profile_actions
        self.profile_combo = bar.combo
        self.new_button = bar.new_button
        self.duplicate_button = bar.duplicate_button
        self.rename_button = bar.rename_button
        self.delete_button = bar.delete_button
        self.api_url_edit = form.api_url_edit
        self.url_warning = form.url_warning
        self.login_edit = form.login_edit
        self.password_edit, self.password_eye = form.password_edit, form.password_eye
        self.core_url_edit = form.core_url_edit
        self.core_token_edit, self.core_token_eye = form.core_token_edit, form.core_token_eye
        self.save_button = actions.save_button
        self.revert_button = actions.revert_button
        self.test_button = actions.test_button
        self.find_button = actions.find_button
        self.progress = actions.progress
        self.result_label = actions.result_label
        status = self.keyring_status
        self.keyring_label = status.keyring_label
        self.keyring_problem = status.keyring_problem
        self.file_checkbox = status.file_checkbox
        self.file_warning = status.file_warning

    def _connect_signals(self) -> None:
        self.profile_combo.currentIndexChanged.connect(self.on_profile_combo_changed)
        self.new_button.clicked.connect(self.on_new_clicked)
        self.duplicate_button.clicked.connect(self.on_duplicate_clicked)
        self.rename_button.clicked.connect(self.on_rename_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        for edit in self._edits():
            edit.textChanged.connect(self._update_state)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.test_button.clicked.connect(self.on_test_clicked)
        self.find_button.clicked.connect(self.on_find_clicked)
        self.file_checkbox.toggled.connect(self.on_file_checkbox_toggled)

    def _edits(self) -> tuple[QLineEdit, ...]:
        return self.form.edits()

    # -- state ---------------------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        """The selected profile, as saved."""
        return self.store.get(self.store.selected)

    @property
    def modified(self) -> bool:
        """Whether the form differs from the selected profile as saved."""
        return not self.profile.is_sandbox and self._form_values() != self._loaded

    @property
    def busy(self) -> bool:
        return self._busy

    def _form_values(self) -> tuple[str, ...]:
        return self.form.values()

    def _update_state(self) -> None:
        sandbox = self.profile.is_sandbox
        modified = self.modified
        idle = not self._busy
        for widget in (self.profile_combo, self.new_button, self.form):
            widget.setEnabled(idle)
        for button in (self.duplicate_button, self.rename_button, self.delete_button):
            button.setEnabled(idle and not sandbox)
        self.save_button.setEnabled(idle and modified)
        self.revert_button.setEnabled(idle and modified)
        self.test_button.setEnabled(idle)
        has_token = bool(self.core_token_edit.text().strip())
        self.find_button.setEnabled(idle and not sandbox and has_token)
        self.form.update_url_warning()
        self._update_keyring_status()

    def _update_keyring_status(self) -> None:
        self.keyring_status.refresh(busy=self._busy)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        if busy:
            self._show_result(text)
        self._update_state()

    def _show_result(self, text: str, kind: str = "") -> None:
        self.profile_actions.show_result(text, kind)

    # -- profiles ------------------------------------------------------------------------

    def _fill_profiles(self) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for profile in self.store.profiles():
            self.profile_combo.addItem(profile.name, profile.name)
        self.profile_combo.setCurrentIndex(self.profile_combo.findData(self.store.selected))
        self.profile_combo.blockSignals(False)

    def _show_profile(self, profile: Profile) -> None:
        """Fill the form with `profile` as saved (the sandbox's details for Sandbox)."""
        sandbox = profile.is_sandbox
        self.sandbox_note.setVisible(sandbox)
        for button in (self.save_button, self.revert_button, self.find_button):
            button.setVisible(not sandbox)  # nothing to save or find: the sandbox has it all
        for edit in self._edits():
            edit.setReadOnly(sandbox)
        for eye in (self.password_eye, self.core_token_eye):
            eye.setChecked(False)
        values = ("", "", "", "", "")
        self.api_url_edit.setPlaceholderText(DEFAULT_API_URL if not sandbox else "")
        if sandbox:
            running = None
            try:
                if self._sandbox_running is not None:
                    running = self._sandbox_running()
                else:
                    running = self._sandbox()
            except (_sandbox_error(), OSError) as exc:
                self._show_result(f"The sandbox could not start: {exc}", "error")
            if running is None:
                self.api_url_edit.setPlaceholderText(
                    "starts with Test connection or the first call"
                )
            else:
                credentials = running.credentials
                values = (
                    running.api_url,
                    credentials.login,
                    credentials.password,
                    running.core_url,
                    credentials.core_token,
                )
        else:
            values = (
                profile.api_url,
                profile.login,
                self.keychain.get(profile.name, PASSWORD) or "",
                profile.core_url,
                self.keychain.get(profile.name, CORE_TOKEN) or "",
            )
        self.form.fill(values)
        self._loaded = self._form_values()
        self._update_state()

    def sandbox_started(self) -> None:
        """The app started the sandbox: show its URL and login when it is selected."""
        if self.profile.is_sandbox and not self.modified:
            self._show_profile(self.profile)

    def _select(self, name: str) -> None:
        try:
            self.store.selected = name
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
        self._fill_profiles()
        profile = self.profile
        self._show_profile(profile)
        self.profile_changed.emit(profile)

    def _may_leave(self) -> bool:
        """Whether the form may show another profile: asks to save unsaved changes."""
        if not self.modified:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to the profile {self.profile.name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def on_profile_combo_changed(self, index: int) -> None:
        name = self.profile_combo.itemData(index)
        if name is None or name == self.store.selected:
            return
        if not self._may_leave():
            self._fill_profiles()  # back to the profile being edited
            return
        self._show_result("")
        self._select(name)

    def _ask_name(self, title: str, label: str, text: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, text)
        return name.strip() if ok and name.strip() else None

    def on_new_clicked(self) -> None:
        if not self._may_leave():
            return
        name = self._ask_name("New profile", "Name of the new profile:", self._free("CarrierX"))
        if name is None:
            return
        try:
            profile = self.store.add(Profile(name))
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return
        self._show_result(
            f"Profile {profile.name} added: enter its login and password (or a Core API "
            "token and Find my endpoints), then Save."
        )
        self._select(profile.name)

    def on_duplicate_clicked(self) -> None:
        if not self._may_leave():
            return
        original = self.profile
        name = self._ask_name(
            "Duplicate profile", "Name of the copy:", self._free(f"{original.name} copy")
        )
        if name is None:
            return
        try:
            copy = self.store.add(Profile(name, *_details(original)))
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return
        for kind in (PASSWORD, CORE_TOKEN):
            value = self.keychain.get(original.name, kind)
            if value:
                self.keychain.set(copy.name, kind, value)
        self._show_result(f"Profile {copy.name} is a copy of {original.name}.")
        self._select(copy.name)

    def on_rename_clicked(self) -> None:
        old = self.profile.name
        name = self._ask_name("Rename profile", f"New name of {old}:", old)
        if name is None or name == old:
            return
        try:
            renamed = self.store.rename(old, name)
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return
        self.keychain.rename(old, renamed.name)
        self._fill_profiles()  # the form keeps any unsaved edits
        self._show_result(f"Profile {old} is now called {renamed.name}.")
        self._update_state()
        self.profile_changed.emit(self.profile)

    def on_delete_clicked(self) -> None:
        name = self.profile.name
        answer = QMessageBox.question(
            self,
            "Delete profile",
            f"Delete the profile {name}, with its saved password and token?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.delete(name)
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return
        self.keychain.delete_profile(name)
        self._show_result(f"Profile {name} deleted.")
        self._select(self.store.selected)

    def _free(self, wanted: str) -> str:
        return self.store.unique_name(wanted)

    # -- saving --------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the form into the selected profile; returns whether it was saved."""
        old = self.profile
        if old.is_sandbox:
            return True
        api_url, login, password, core_url, token = self._form_values()
        try:
            profile = self.store.save(
                Profile(old.name, api_url, login, core_url or DEFAULT_CORE_URL, region=old.region)
            )
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return False
        self.keychain.set(profile.name, PASSWORD, password)
        self.keychain.set(profile.name, CORE_TOKEN, token)
        self._show_profile(profile)
        self._show_result(f"Profile {profile.name} saved.")
        self.profile_changed.emit(profile)
        return True

    def revert(self) -> None:
        """Show the selected profile as saved, dropping the changes."""
        self._show_profile(self.profile)
        self._show_result("")

    # -- endpoints -----------------------------------------------------------------------

    def current_endpoint(self) -> Endpoint:
        """The selected profile resolved (as saved; the Sandbox is started if need be).
        Raises ProfileError with a message for people."""
        profile = self.profile
        running = None
        if profile.is_sandbox:
            try:
                running = self._sandbox()
            except (_sandbox_error(), OSError) as exc:
                raise ProfileError(f"the sandbox could not start: {exc}") from None
        return resolve(profile, self.keychain, running)

    def _form_endpoint(self) -> Endpoint:
        profile = self.profile
        if profile.is_sandbox:
            return self.current_endpoint()
        api_url, login, password, _, _ = self._form_values()
        check_url(api_url)
        if not login:
            raise ProfileError("enter the FlexML endpoint's login")
        if not password:
            raise ProfileError("enter the FlexML endpoint's password")
        return Endpoint(profile.name, api_url, login, password)

    def on_test_clicked(self) -> None:
        try:
            endpoint = self._form_endpoint()
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return
        # DIDs belong to the profile only when the form is what is saved.
        report = not self.modified
        self._run(
            self._test_connection(endpoint, report),
            f"Testing the connection to {endpoint.api_url}…",
            "test connection",
        )

    def _run(self, coro: Coroutine[Any, Any, None], text: str, name: str) -> None:
        # Busy at once, so a second click cannot start a second request.
        self._set_busy(True, text)
        task = start(coro, name=name)
        task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        # The coroutine's `finally` re-enables the controls; this covers a task cancelled
        # before it started (the window closing), whose `finally` never runs.
        if _alive(self) and self._busy:
            self._set_busy(False)

    async def _ask(self, request: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        """Run one API request for the panel: a failure said in place, the controls back
        whatever happens. The answer, or _FAILED (also when the panel went away)."""
        try:
            answer = await request()
        except (_carrierx_error(), ValueError) as exc:
            if _alive(self):
                self._show_result(_sentence(str(exc)), "error")
            return _FAILED
        except Exception:
            if _alive(self):  # a bug: tasks.start logs it with its traceback
                self._show_result(UNEXPECTED, "error")
            raise
        finally:
            if _alive(self):
                self._set_busy(False)
        return answer if _alive(self) else _FAILED

    async def _test_connection(self, endpoint: Endpoint, report: bool) -> None:
        from ...core.carrierx import FlexmlClient

        async def list_dids():
            async with FlexmlClient(endpoint.api_url, endpoint.login, endpoint.password) as api:
                return await api.list_dids()

        dids = await self._ask(list_dids)
        if dids is _FAILED:
            return
        numbers = did_numbers(dids)
        self._show_result(_connected_text(endpoint, numbers))
        if report:
            self.dids_loaded.emit(endpoint.profile, numbers)

    def on_find_clicked(self) -> None:
        core_url = self.core_url_edit.text().strip() or DEFAULT_CORE_URL
        token = self.core_token_edit.text().strip()
        try:
            check_url(core_url, "Core API URL")
        except ProfileError as exc:
            self._show_result(_sentence(str(exc)), "error")
            return
        self._run(
            self._find_endpoints(core_url, token),
            f"Asking {core_url} for your FlexML endpoints…",
            "find my endpoints",
        )

    async def _find_endpoints(self, core_url: str, token: str) -> None:
        from ...core.carrierx import CoreClient

        async def list_endpoints():
            async with CoreClient(core_url, token=token) as core:
                return await core.list_flexml_endpoints()

        endpoints = await self._ask(list_endpoints)
        if endpoints is _FAILED:
            return
        if not endpoints:
            self._show_result(
                "The Core API lists no FlexML endpoints for this token: create one in the "
                "CarrierX portal, then try again."
            )
            return
        self._show_result(f"Found {_plural(len(endpoints), 'FlexML endpoint')}.")
        # WORKAROUND: a modal dialog's nested event loop inside a running task runs qasync's
        # callbacks re-entrantly; tried, the loop ended with "Event loop stopped before
        # Future completed". So the dialog opens from a plain Qt slot once this task ended.
        QTimer.singleShot(0, self, functools.partial(self.choose_endpoint, endpoints))

    def choose_endpoint(self, endpoints: list[FlexmlEndpoint]) -> None:
        """Ask which endpoint to use and fill the form with it (saved only on Save)."""
        labels = [f"{item.name or 'unnamed'} ({item.endpoint_sid})" for item in endpoints]
        label, ok = QInputDialog.getItem(
            self,
            "Find my endpoints",
            "Fill in the login, password and API URL of:",
            labels,
            0,
            False,
        )
        if not ok or label not in labels:
            return
        chosen = endpoints[labels.index(label)]
        self.api_url_edit.setText(chosen.api_url)
        self.login_edit.setText(chosen.login)
        self.password_edit.setText(chosen.password)
        self._show_result(
            f"Filled in from {chosen.name or chosen.endpoint_sid}: Test connection, then Save."
        )

    # -- the keyring ---------------------------------------------------------------------

    def on_file_checkbox_toggled(self, checked: bool) -> None:
        self.keychain.use_file(checked)
        self._update_keyring_status()


# -- helpers ---------------------------------------------------------------------------


def _alive(widget: QWidget) -> bool:
    # A task can outlive its panel (the window closed while waiting for an answer).
    return shiboken6.isValid(widget)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _connected_text(endpoint: Endpoint, numbers: list[str]) -> str:
    where = f"Connected to {endpoint.api_url} as {endpoint.login}"
    if not numbers:
        return (
            f"{where}, but no DIDs are routed to this endpoint: a call needs one as its "
            "calling number. Assign a DID to the endpoint in the CarrierX portal."
        )
    shown = ", ".join(numbers[:SHOWN_DIDS])
    more = len(numbers) - SHOWN_DIDS
    if more > 0:
        shown += f" and {more} more"
    return f"{where}: {_plural(len(numbers), 'DID')}: {shown}."


def _details(profile: Profile) -> tuple[str, str, str, str, str]:
    """Everything of `profile` but its name, in Profile's field order."""
    return profile.api_url, profile.login, profile.core_url, profile.kind, profile.region
