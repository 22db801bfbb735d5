"""The Endpoint panel against a real sandbox and real loopback servers, as a user drives it."""

import asyncio
import json
import stat
import threading

import keyring
import pytest
import shiboken6
from aiohttp import web
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QInputDialog, QLineEdit, QMessageBox, QWidget

from gui.core.keychain import CORE_TOKEN, PASSWORD, Keychain
from gui.core.profiles import SANDBOX, Profile, ProfileError, ProfileStore
from gui.core.runtime.sandbox import Sandbox, SandboxError
from gui.core.service import BackgroundService
from gui.qt.calling.endpoint_panel import EndpointPanel
from gui.qt.calling.endpoint_widgets import CredentialsForm, KeyringStatus
from tests.core.test_keychain import MemoryKeyring

SLOW_SECONDS = 2.0


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


@pytest.fixture
def memory():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)  # the autouse fixture puts the fail backend back
    return backend


@pytest.fixture
def store(tmp_path):
    return ProfileStore(tmp_path / "profiles.json")


@pytest.fixture
def make_panel(qtbot, store, tmp_path, sandbox):
    def make(keychain=None, factory=None):
        keychain = keychain or Keychain(file_path=tmp_path / "secrets.json")
        panel = EndpointPanel(store, keychain, factory or (lambda: sandbox))
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    return make


def answer_text(monkeypatch, name):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *args, **kwargs: (name, True)))


def answer_question(monkeypatch, button):
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def click(qtbot, button):
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_idle(qtbot, panel, timeout=10_000):
    qtbot.waitUntil(lambda: not panel.busy, timeout=timeout)


def add_profile(qtbot, monkeypatch, panel, name, api_url, login, password, token=""):
    answer_text(monkeypatch, name)
    click(qtbot, panel.new_button)
    assert panel.profile.name == name
    panel.api_url_edit.setText(api_url)
    panel.login_edit.setText(login)
    panel.password_edit.setText(password)
    panel.core_token_edit.setText(token)
    assert panel.modified and panel.save_button.isEnabled()
    click(qtbot, panel.save_button)
    assert not panel.modified and not panel.save_button.isEnabled()


# -- the Sandbox profile ----------------------------------------------------------------


def test_sandbox_profile_shows_the_running_sandbox_read_only(make_panel, sandbox):
    panel = make_panel()
    assert panel.profile_combo.currentText() == SANDBOX
    assert panel.api_url_edit.text() == sandbox.api_url
    assert panel.login_edit.text() == sandbox.credentials.login
    assert panel.password_edit.text() == sandbox.credentials.password
    assert panel.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert panel.core_token_edit.echoMode() == QLineEdit.EchoMode.Password
    assert all(edit.isReadOnly() for edit in panel._edits())
    assert panel.sandbox_note.isVisible() and "no account" in panel.sandbox_note.text()
    for button in (panel.delete_button, panel.rename_button, panel.duplicate_button):
        assert not button.isEnabled()
    assert not panel.save_button.isEnabled() and not panel.find_button.isEnabled()
    assert not panel.url_warning.isVisible()  # http:// to 127.0.0.1 is fine
    panel.password_eye.trigger()
    assert panel.password_edit.echoMode() == QLineEdit.EchoMode.Normal
    panel.password_eye.trigger()
    assert panel.password_edit.echoMode() == QLineEdit.EchoMode.Password


def test_test_connection_on_the_sandbox_lists_its_dids(qtbot, qloop, make_panel, sandbox):
    panel = make_panel()
    with qtbot.waitSignal(panel.dids_loaded, timeout=10_000) as loaded:
        click(qtbot, panel.test_button)
        assert panel.busy and not panel.test_button.isEnabled()
        assert panel.progress.isVisible() and "Testing" in panel.result_label.text()
    assert loaded.args == [SANDBOX, list(sandbox.dids)]
    wait_idle(qtbot, panel)
    text = panel.result_label.text()
    assert text.startswith(f"Connected to {sandbox.api_url} as {sandbox.credentials.login}: ")
    assert "5 DIDs: 15555550100, 15555550101" in text
    assert panel.test_button.isEnabled() and not panel.progress.isVisible()
    assert panel.form.isEnabled() and panel.profile_combo.isEnabled()


def test_a_sandbox_that_cannot_start_says_why(qtbot, qloop, make_panel):
    def broken():
        raise SandboxError("cannot listen on 127.0.0.1 port 80: Permission denied")

    panel = make_panel(factory=broken)
    assert "The sandbox could not start: cannot listen" in panel.result_label.text()
    click(qtbot, panel.test_button)
    assert "could not start" in panel.result_label.text()
    assert panel.test_button.isEnabled()
    with pytest.raises(ProfileError, match="sandbox could not start"):
        panel.current_endpoint()


# -- CarrierX profiles ----------------------------------------------------------------


def test_a_saved_profile_connects_with_its_password_in_the_keyring(
    qtbot, qloop, monkeypatch, make_panel, sandbox, store, memory
):
    panel = make_panel()
    changed = []
    panel.profile_changed.connect(changed.append)
    login, password = sandbox.credentials.login, sandbox.credentials.password
    add_profile(qtbot, monkeypatch, panel, "Local", sandbox.api_url, login, password, "tok-9")
    assert [p.name for p in changed] == ["Local", "Local"]  # selected, then saved
    assert memory.secrets[("flexml-studio", "password:Local")] == password
    assert memory.secrets[("flexml-studio", "core-token:Local")] == "tok-9"
    text = store.path.read_text()
    assert password not in text and "tok-9" not in text
    assert json.loads(text)["selected"] == "Local"
    assert ProfileStore(store.path).get("Local").login == login
    endpoint = panel.current_endpoint()
    assert (endpoint.api_url, endpoint.login, endpoint.password) == (
        sandbox.api_url,
        login,
        password,
    )
    assert not endpoint.is_sandbox

    with qtbot.waitSignal(panel.dids_loaded, timeout=10_000) as loaded:
        click(qtbot, panel.test_button)
    assert loaded.args == ["Local", list(sandbox.dids)]
    wait_idle(qtbot, panel)
    assert panel.result_label.text().startswith(f"Connected to {sandbox.api_url} as {login}")


def test_a_wrong_password_shows_the_refusal_and_never_the_password(
    qtbot, qloop, monkeypatch, make_panel, sandbox, memory
):
    panel = make_panel()
    wrong = "wrong-secret-123"
    add_profile(qtbot, monkeypatch, panel, "Bad", sandbox.api_url, "nobody", wrong)
    loaded = []
    panel.dids_loaded.connect(lambda *args: loaded.append(args))
    click(qtbot, panel.test_button)
    wait_idle(qtbot, panel)
    text = panel.result_label.text()
    assert "the FlexML API login and password were refused".lower() in text.lower()
    assert "401" in text
    assert wrong not in text and wrong not in panel.result_label.toolTip()
    assert panel.test_button.isEnabled() and panel.form.isEnabled()
    assert loaded == []


def test_unsaved_edits_are_tested_but_not_reported_as_the_profiles_dids(
    qtbot, qloop, monkeypatch, make_panel, sandbox, memory
):
    panel = make_panel()
    add_profile(qtbot, monkeypatch, panel, "Local", sandbox.api_url, "x", "y")
    panel.login_edit.setText(sandbox.credentials.login)
    panel.password_edit.setText(sandbox.credentials.password)
    loaded = []
    panel.dids_loaded.connect(lambda *args: loaded.append(args))
    click(qtbot, panel.test_button)
    wait_idle(qtbot, panel)
    assert panel.result_label.text().startswith("Connected to")
    assert loaded == [] and panel.modified


def test_missing_fields_are_named_before_any_request(qtbot, monkeypatch, make_panel, memory):
    panel = make_panel()
    answer_text(monkeypatch, "Empty")
    click(qtbot, panel.new_button)
    click(qtbot, panel.test_button)
    assert panel.result_label.text() == "Enter the FlexML endpoint's login."
    with pytest.raises(ProfileError, match="has no login"):
        panel.current_endpoint()
    panel.api_url_edit.setText("https://user:hunter2@example.com/")
    click(qtbot, panel.save_button)
    assert "must not hold a login or password" in panel.result_label.text()
    assert "hunter2" not in panel.result_label.text()
    assert panel.modified  # nothing was saved


def test_find_my_endpoints_fills_the_form_from_the_core_api(
    qtbot, qloop, monkeypatch, make_panel, sandbox, store, memory
):
    panel = make_panel()
    answer_text(monkeypatch, "Mine")
    click(qtbot, panel.new_button)
    assert not panel.find_button.isEnabled()  # no token yet
    panel.core_url_edit.setText(sandbox.core_url)
    panel.core_token_edit.setText(sandbox.credentials.core_token)
    offered = []

    def get_item(parent, title, label, items, current, editable):
        offered.extend(items)
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    click(qtbot, panel.find_button)
    qtbot.waitUntil(lambda: panel.login_edit.text() == sandbox.credentials.login, timeout=10_000)
    assert offered == [f"FlexML Studio sandbox ({sandbox.endpoint_sid})"]
    assert panel.password_edit.text() == sandbox.credentials.password
    assert panel.api_url_edit.text() == sandbox.api_url
    assert "Filled in from FlexML Studio sandbox" in panel.result_label.text()
    assert panel.find_button.isEnabled() and panel.modified
    assert store.get("Mine").login == ""  # not saved until Save


def test_find_my_endpoints_with_a_wrong_token(qtbot, qloop, monkeypatch, make_panel, sandbox):
    panel = make_panel()
    answer_text(monkeypatch, "Mine")
    click(qtbot, panel.new_button)
    panel.core_url_edit.setText(sandbox.core_url)
    panel.core_token_edit.setText("not-the-token")
    click(qtbot, panel.find_button)
    assert not panel.find_button.isEnabled()
    wait_idle(qtbot, panel)
    assert "Core API token was refused" in panel.result_label.text()
    assert "not-the-token" not in panel.result_label.text()
    assert panel.find_button.isEnabled()


def test_http_to_another_host_shows_a_warning_as_you_type(qtbot, monkeypatch, make_panel):
    panel = make_panel()
    answer_text(monkeypatch, "Remote")
    click(qtbot, panel.new_button)
    assert not panel.url_warning.isVisible()
    panel.api_url_edit.clear()
    qtbot.keyClicks(panel.api_url_edit, "http://api.example.com/flexml/v1")
    assert panel.url_warning.isVisible()
    assert "unencrypted" in panel.url_warning.text()
    panel.api_url_edit.setText("http://127.0.0.1:8080/flexml/v1")
    assert not panel.url_warning.isVisible()


# -- profiles ------------------------------------------------------------------------


def test_selection_persists_and_sandbox_is_first(qtbot, monkeypatch, make_panel, store):
    store.save(Profile("Production", login="p"))
    panel = make_panel()
    assert [panel.profile_combo.itemText(i) for i in range(panel.profile_combo.count())] == [
        SANDBOX,
        "Production",
    ]
    with qtbot.waitSignal(panel.profile_changed) as changed:
        panel.profile_combo.setCurrentIndex(1)
    assert changed.args[0].name == "Production"
    assert ProfileStore(store.path).selected == "Production"
    assert not panel.sandbox_note.isVisible()
    assert not any(edit.isReadOnly() for edit in panel._edits())
    assert panel.delete_button.isEnabled()


def test_leaving_unsaved_changes_asks(qtbot, monkeypatch, make_panel, store):
    store.save(Profile("Production", login="p"))
    store.selected = "Production"
    panel = make_panel()
    panel.login_edit.setText("changed")
    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Cancel)
    panel.profile_combo.setCurrentIndex(0)
    assert asked == ["Save the changes to the profile Production?"]
    assert panel.profile_combo.currentText() == "Production"
    assert panel.login_edit.text() == "changed"
    answer_question(monkeypatch, QMessageBox.StandardButton.Discard)
    panel.profile_combo.setCurrentIndex(0)
    assert store.selected == SANDBOX and store.get("Production").login == "p"
    panel.profile_combo.setCurrentIndex(1)
    panel.login_edit.setText("kept")
    answer_question(monkeypatch, QMessageBox.StandardButton.Save)
    panel.profile_combo.setCurrentIndex(0)
    assert store.get("Production").login == "kept"


def test_rename_duplicate_and_delete_carry_the_secrets(
    qtbot, monkeypatch, make_panel, store, memory
):
    panel = make_panel()
    add_profile(qtbot, monkeypatch, panel, "Old", "https://a.example.com/v1", "l", "pw", "tk")
    answer_text(monkeypatch, "New name")
    click(qtbot, panel.rename_button)
    assert panel.profile_combo.currentText() == "New name"
    assert store.selected == "New name"
    keychain = panel.keychain
    assert keychain.get("Old", PASSWORD) is None
    assert keychain.get("New name", PASSWORD) == "pw"
    assert keychain.get("New name", CORE_TOKEN) == "tk"

    answer_text(monkeypatch, "Copy")
    click(qtbot, panel.duplicate_button)
    assert store.selected == "Copy" and store.get("Copy").login == "l"
    assert keychain.get("Copy", PASSWORD) == "pw"
    assert panel.password_edit.text() == "pw"

    asked = answer_question(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.profile_changed) as changed:
        click(qtbot, panel.delete_button)
    assert "Delete the profile Copy" in asked[0]
    assert changed.args[0].name == SANDBOX
    assert "Copy" not in store and keychain.get("Copy", PASSWORD) is None
    assert keychain.get("New name", PASSWORD) == "pw"

    answer_text(monkeypatch, "sandbox")
    click(qtbot, panel.new_button)
    assert "built-in profile" in panel.result_label.text()

    # New or Duplicate onto a taken name (any case) is refused: nothing is overwritten.
    panel.profile_combo.setCurrentIndex(panel.profile_combo.findData("New name"))
    for button in (panel.new_button, panel.duplicate_button):
        answer_text(monkeypatch, "NEW NAME")
        click(qtbot, button)
        assert "already a profile called New name" in panel.result_label.text()
        assert store.get("New name").login == "l"
        assert keychain.get("New name", PASSWORD) == "pw"


def test_revert_drops_the_changes(qtbot, monkeypatch, make_panel, store, memory):
    panel = make_panel()
    add_profile(qtbot, monkeypatch, panel, "P", "https://a.example.com/v1", "l", "pw")
    panel.password_edit.setText("other")
    assert panel.revert_button.isEnabled()
    click(qtbot, panel.revert_button)
    assert panel.password_edit.text() == "pw" and not panel.modified


# -- the keyring -----------------------------------------------------------------------


def test_without_a_keyring_the_problem_and_the_file_opt_in_show(
    qtbot, monkeypatch, make_panel, tmp_path
):
    panel = make_panel()  # the autouse fixture's fail backend
    assert not panel.keychain.available
    assert panel.keyring_problem.isVisible()
    assert "No system keyring" in panel.keyring_problem.text()
    assert "for this session only" in panel.keyring_label.text()
    assert panel.file_checkbox.isVisible() and not panel.file_checkbox.isChecked()
    assert panel.file_warning.isVisible() and "not encrypted" in panel.file_warning.text()
    add_profile(qtbot, monkeypatch, panel, "P", "https://a.example.com/v1", "l", "pw")
    click(qtbot, panel.file_checkbox)
    secrets = tmp_path / "secrets.json"
    assert panel.keychain.using_file
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert "secrets.json" in panel.keyring_label.text()
    assert json.loads(secrets.read_text())["secrets"] == {"P": {"password": "pw"}}
    click(qtbot, panel.file_checkbox)
    assert not secrets.exists() and not panel.keychain.using_file


def test_with_a_keyring_no_problem_shows(make_panel, memory):
    panel = make_panel()
    assert "system keyring (MemoryKeyring)" in panel.keyring_label.text()
    assert not panel.keyring_problem.isVisible() and not panel.file_checkbox.isVisible()


# -- a slow server ---------------------------------------------------------------------


class SlowDids(BackgroundService):
    """A FlexML API whose /dids answers after SLOW_SECONDS (any credentials)."""

    thread_name = "slow-dids"
    what = "the slow server"

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.port = 0

    async def _dids(self, request):
        self.asked.set()
        await asyncio.sleep(SLOW_SECONDS)
        return web.json_response(
            {"items": [{"phonenumber": "15550001111"}], "count": 1, "has_more": False}
        )

    async def _listen(self):
        app = web.Application()
        app.router.add_get("/flexml/v1/dids", self._dids)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.port = runner.addresses[0][1]
        return runner


@pytest.fixture
def slow_server():
    with SlowDids() as server:
        yield server


def test_the_window_stays_responsive_while_a_test_waits(
    qtbot, qloop, monkeypatch, make_panel, memory, slow_server
):
    panel = make_panel()
    url = f"http://127.0.0.1:{slow_server.port}/flexml/v1"
    add_profile(qtbot, monkeypatch, panel, "Slow", url, "login", "password")
    other = QCheckBox("elsewhere in the window")
    qtbot.addWidget(other)
    other.show()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    try:
        click(qtbot, panel.test_button)
        qtbot.waitUntil(slow_server.asked.is_set, timeout=5000)
        before = len(ticks)
        qtbot.wait(600)  # the answer is still 1.4 s away
        assert len(ticks) - before >= 5
        qtbot.mouseClick(other, Qt.MouseButton.LeftButton)
        assert other.isChecked()
        assert panel.busy and not panel.test_button.isEnabled() and not panel.form.isEnabled()
        assert panel.progress.isVisible()
        wait_idle(qtbot, panel, timeout=10_000)
    finally:
        timer.stop()
    assert panel.test_button.isEnabled() and panel.form.isEnabled()
    assert panel.result_label.text() == f"Connected to {url} as login: 1 DID: 15550001111."


def test_a_panel_closed_while_a_test_waits_is_left_alone(
    qtbot, qloop, monkeypatch, store, memory, slow_server, tmp_path, caplog
):
    from gui.qt.common import tasks

    url = f"http://127.0.0.1:{slow_server.port}/flexml/v1"
    store.save(Profile("Slow", api_url=url, login="login"))
    store.selected = "Slow"
    keychain = Keychain(file_path=tmp_path / "secrets.json")
    keychain.set("Slow", PASSWORD, "password")
    panel = EndpointPanel(store, keychain, lambda: None)
    panel.show()
    click(qtbot, panel.test_button)
    qtbot.waitUntil(slow_server.asked.is_set, timeout=5000)
    panel.close()
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel), timeout=2000)
    assert tasks.running()  # the answer is still on its way
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10_000)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_recovered_profiles_file_is_reported(qtbot, tmp_path, sandbox):
    path = tmp_path / "profiles.json"
    path.write_text("{broken")
    panel = EndpointPanel(ProfileStore(path), Keychain(), lambda: sandbox)
    qtbot.addWidget(panel)
    assert "was not used because it is not a FlexML Studio profiles file" in (
        panel.result_label.text()
    )


# -- the parts -------------------------------------------------------------------------

CONTROLS = {
    "endpoint-profile": ("profile_combo", "Endpoint profile"),
    "endpoint-new": ("new_button", "New profile"),
    "endpoint-duplicate": ("duplicate_button", "Duplicate profile"),
    "endpoint-rename": ("rename_button", "Rename profile"),
    "endpoint-delete": ("delete_button", "Delete profile"),
    "endpoint-api-url": ("api_url_edit", "API URL"),
    "endpoint-login": ("login_edit", "Login"),
    "endpoint-password": ("password_edit", "Password"),
    "endpoint-core-url": ("core_url_edit", "Core API URL"),
    "endpoint-core-token": ("core_token_edit", "Core token"),
    "endpoint-save": ("save_button", "Save profile"),
    "endpoint-revert": ("revert_button", "Revert profile"),
    "endpoint-test": ("test_button", "Test connection"),
    "endpoint-find": ("find_button", "Find my endpoints"),
    "endpoint-secrets-file": ("file_checkbox", "Keep secrets in a file only you can read"),
    "endpoint-result": ("result_label", "Result"),
}


def test_every_control_is_found_by_its_object_name_and_has_an_accessible_name(make_panel):
    panel = make_panel()
    for name, (attribute, accessible) in CONTROLS.items():
        control = panel.findChild(QWidget, name)
        assert control is getattr(panel, attribute), name
        assert control.accessibleName() == accessible


def test_the_parts_are_laid_out_top_to_bottom_in_the_panel(make_panel):
    panel = make_panel()
    parts = [
        panel.profile_bar,
        panel.sandbox_note,
        panel.form,
        panel.profile_actions,
        panel.keyring_status,
    ]
    tops = [part.geometry().top() for part in parts]
    assert all(part.parentWidget() is panel for part in parts)
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    assert panel.profile_combo.parentWidget() is panel.profile_bar
    assert panel.password_edit.parentWidget() is panel.form
    assert panel.test_button.parentWidget() is panel.profile_actions


def test_the_credentials_form_fills_quietly_and_warns_of_plain_http(qtbot):
    form = CredentialsForm()
    qtbot.addWidget(form)
    changes = []
    for edit in form.edits():
        edit.textChanged.connect(changes.append)
    form.fill(("http://api.example.com/flexml/v1", " me ", "pw", "", "token"))
    assert changes == []  # showing a profile is not an edit
    assert form.values() == ("http://api.example.com/flexml/v1", "me", "pw", "", "token")
    assert form.password_edit.echoMode() == QLineEdit.EchoMode.Password
    form.password_eye.trigger()
    assert form.password_edit.echoMode() == QLineEdit.EchoMode.Normal
    form.update_url_warning()
    assert not form.url_warning.isHidden() and "unencrypted" in form.url_warning.text()
    form.api_url_edit.setText("https://api.example.com/flexml/v1")
    form.update_url_warning()
    assert form.url_warning.isHidden()


def test_the_keyring_status_offers_the_file_and_waits_while_busy(qtbot, tmp_path):
    status = KeyringStatus(Keychain(file_path=tmp_path / "secrets.json"))  # no system keyring
    qtbot.addWidget(status)
    status.refresh(busy=True)
    assert "No system keyring" in status.keyring_problem.text()
    assert not status.file_checkbox.isHidden() and not status.file_checkbox.isEnabled()
    status.refresh(busy=False)
    assert status.file_checkbox.isEnabled() and not status.file_checkbox.isChecked()
