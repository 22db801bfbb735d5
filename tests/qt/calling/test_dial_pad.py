"""The dial pad, driven like a person would, against real loopback servers: the sandbox (a
local CarrierX), the project's own flow server, and small purpose-built servers for faults."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from aiohttp import web
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from gui.core.calllog import CallLog
from gui.core.flexml import parse
from gui.core.keychain import Keychain
from gui.core.profiles import Endpoint, Profile, ProfileStore
from gui.core.project import Project
from gui.core.runtime.events import GatherDone
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.qt.calling.dial_pad import CUSTOM_URL, HOLD_MS, DialPad
from gui.qt.common import tasks
from gui.qt.common.services import Services
from gui.qt.common.settings import SettingsStore
from tests.servers import DROP, HANG, Reply, ScriptedServer, always

CREDENTIALS = Credentials("sandbox_pad", "pad-s3cret-PASS", "core-token-pad")
DIDS = ("15555550100", "15555550101")
SPEED = 10.0


def _project() -> Project:
    project = Project()
    project.add_flow(
        "main",
        parse(
            b'<Response><Gather action="flow:choice" numDigits="1" timeout="20">'
            b"<Say>Press a key</Say></Gather><Say>Nothing</Say></Response>"
        ),
    )
    project.add_flow("choice", parse(b"<Response><Say>Thanks</Say><Hangup/></Response>"))
    project.entry = "main"
    return project


class Setup:
    def __init__(self, qtbot, tmp_path, endpoint_for=None) -> None:
        self.project = _project()
        self.sandbox = Sandbox(credentials=CREDENTIALS, dids=DIDS, speed=SPEED)
        self.log = CallLog(tmp_path / "calls.sqlite3")
        self.profiles = ProfileStore(tmp_path / "profiles.json")
        self.services = Services(
            lambda: self.project,
            sandbox_factory=lambda: self.sandbox,
            profiles=self.profiles,
            keychain=Keychain(file_path=tmp_path / "secrets.json"),
            call_log=self.log,
        )
        self.events: list = []
        self.services.sandbox_events.connect(self.events.extend)
        self.endpoint_for = endpoint_for or self.sandbox_endpoint
        self.pad = DialPad(self.services, lambda: self.endpoint_for(), SettingsStore())
        self.pad.set_flows(self.project.names, self.project.entry)
        qtbot.addWidget(self.pad)
        self.pad.show()

    def sandbox_endpoint(self) -> Endpoint:
        box = self.services.sandbox()
        return Endpoint("Sandbox", box.api_url, CREDENTIALS.login, CREDENTIALS.password, True)

    def close(self, qtbot) -> None:
        done = []
        tasks.start(self._aclose(done))
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
        self.services.shutdown()
        self.sandbox.stop()

    async def _aclose(self, done) -> None:
        await self.services.aclose()
        done.append(True)


@pytest.fixture
def setup(qtbot, qloop, tmp_path):
    made = Setup(qtbot, tmp_path)
    yield made
    made.close(qtbot)


def _a_call_to_a_custom_url(qtbot, pad: DialPad) -> None:
    """Set the pad up for a call that needs no flow server and no GET /dids."""
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.from_combo.setCurrentText(DIDS[0])
    pad.flow_combo.setCurrentIndex(pad.flow_combo.findText(CUSTOM_URL))
    pad.url_edit.setText("https://example.com/flow.xml")


def _wait_idle(qtbot, pad: DialPad, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: not pad.busy and not tasks.running(), timeout=timeout)


# -- the number ---------------------------------------------------------------------------


def test_typing_a_number_shows_exactly_what_is_sent(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "+1 (516) 206-5318")
    assert pad.normalized_label.text() == "Sends 15162065318"
    pad.number_edit.clear()
    qtbot.keyClicks(pad.number_edit, "516-206-5318")  # the region (US) supplies the +1
    assert pad.normalized_label.text() == "Sends 15162065318"


def _real_profile(setup) -> None:
    """Select a real CarrierX profile (never asked: these calls are refused before the API)."""
    setup.profiles.save(Profile("Work", login="someone"))
    setup.profiles.selected = "Work"
    setup.endpoint_for = lambda: Endpoint("Work", "http://127.0.0.1:9/flexml/v1", "u", "p")
    setup.pad.profile_changed()


def test_an_invalid_number_says_why_and_is_not_called(setup, qtbot):
    # On a real endpoint; the sandbox calls any number (test_dial_pad_call.py).
    pad = setup.pad
    _real_profile(setup)
    qtbot.keyClicks(pad.number_edit, "12")
    assert pad.normalized_label.text().startswith("Not a number to call:")
    pad.call()
    _wait_idle(qtbot, pad)
    assert "The call was not placed" in pad.result_label.text()
    # Refused before the API, and still kept: the log keeps every attempt.
    [entry] = setup.log.entries()
    assert (entry.outcome, entry.to_number, entry.call_sid) == ("failed", "12", None)
    assert "too short" in entry.error
    assert pad.call_button.isEnabled()
    pad.number_edit.clear()
    pad.call()  # nothing typed: nothing to keep
    _wait_idle(qtbot, pad)
    assert len(setup.log.entries()) == 1


def test_the_keys_type_digits_and_letters_show_on_them(setup, qtbot):
    pad = setup.pad
    pad.number_edit.clear()
    for key in "15162065318":
        qtbot.mouseClick(pad.key_buttons[key], Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == "15162065318"
    assert pad.key_buttons["2"].text() == "2   ABC"
    assert pad.key_buttons["7"].text() == "7   PQRS"
    pad.backspace()
    assert pad.number_edit.text() == "1516206531"
    qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == ""


def test_holding_zero_types_plus_and_tapping_it_types_zero(setup, qtbot):
    pad = setup.pad
    pad.number_edit.clear()
    zero = pad.key_buttons["0"]
    qtbot.mousePress(zero, Qt.MouseButton.LeftButton)
    qtbot.wait(HOLD_MS + 200)
    qtbot.mouseRelease(zero, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(zero, Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == "+0"


def test_pasting_keeps_only_what_dials(setup, qtbot):
    pad = setup.pad
    pad.number_edit.clear()
    QApplication.clipboard().setText("Call me at\t+1 (516) 206-5318!\n")
    pad.number_edit.setFocus()
    pad.number_edit.paste()
    assert pad.number_edit.text() == "+1 (516) 206-5318"
    assert pad.normalized_label.text() == "Sends 15162065318"


def test_pasted_words_are_never_dialled_as_keypad_letters(setup, qtbot):
    pad = setup.pad
    pad.number_edit.clear()
    QApplication.clipboard().setText("Call me at +1 (516) 206-5318")
    pad.number_edit.paste()
    assert pad.number_edit.text() == "+1 (516) 206-5318"
    pad.number_edit.clear()
    QApplication.clipboard().setText("Bob 206-5318")  # not 1-262-206-5318 (B-O-B)
    pad.number_edit.paste()
    assert pad.number_edit.text() == "206-5318"
    # The sandbox calls a local number as dialled, and says a real network would not.
    assert pad.normalized_label.text().startswith("Sends 2065318. This is a local number")
    pad.number_edit.clear()
    QApplication.clipboard().setText("1-800-FLOWERS")  # capitals are keypad letters
    pad.number_edit.paste()
    assert pad.normalized_label.text() == "Sends 18003569377"


def test_letters_dial_as_on_a_phone(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "1-800-FLOWERS")
    assert pad.normalized_label.text() == "Sends 18003569377"


# -- calls against the sandbox --------------------------------------------------------------


def test_a_call_to_the_sandbox_is_placed_logged_and_takes_tones(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
    pad.refresh_dids()
    _wait_idle(qtbot, pad)
    assert [pad.from_combo.itemText(i) for i in range(pad.from_combo.count())] == list(DIDS)

    qtbot.keyClick(pad.number_edit, Qt.Key.Key_Return)
    _wait_idle(qtbot, pad)
    entries = setup.log.entries()
    assert len(entries) == 1, pad.result_label.text()
    entry = entries[0]
    assert (entry.outcome, entry.from_number, entry.to_number) == ("placed", DIDS[0], "15162065318")
    server = setup.services.flow_server_running
    assert server is not None and entry.url == server.flow_urls()["main"]
    assert entry.call_sid and entry.call_sid in pad.result_label.text()
    assert pad.active_call == entry.call_sid
    # In the call: Hang up instead of Call; the number stays, focused and read-only.
    assert pad.hang_up_button.isVisible() and not pad.call_button.isVisible()
    assert pad.number_edit.isEnabled() and pad.number_edit.isReadOnly()

    # The Gather is waiting: a key of the pad goes into the call, not into the number.
    qtbot.waitUntil(
        lambda: any(
            "gather:" in pad.progress_list.item(i).text() for i in range(pad.progress_list.count())
        ),
        timeout=10000,
    )
    qtbot.mouseClick(pad.key_buttons["7"], Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == "+1 516 206 5318"
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)
    gathered = [e for sid, e in setup.events if isinstance(e, GatherDone)]
    assert [g.digits for g in gathered] == ["7"]
    digits = [r.params.get("Digits") for r in setup.services.records_for(entry.call_sid)]
    assert "7" in digits
    assert "ended" in pad.call_label.text()
    assert pad.call_button.isVisible() and not pad.hang_up_button.isVisible()
    assert not pad.number_edit.isReadOnly()


def test_typed_keys_are_tones_during_a_sandbox_call(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    _wait_idle(qtbot, pad)
    assert pad.active_call is not None, pad.result_label.text()
    qtbot.waitUntil(lambda: setup.services.in_call(pad.active_call or ""), timeout=10000)
    qtbot.keyClicks(pad.number_edit, "3")
    assert pad.number_edit.text() == "15162065318"
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)
    assert [e.digits for _, e in setup.events if isinstance(e, GatherDone)] == ["3"]


def test_a_scheduled_call_can_be_cancelled(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.options_toggle.setChecked(True)
    assert pad.options_box.isVisible()
    pad.delay_spin.setValue(600)
    pad.call()
    _wait_idle(qtbot, pad)
    entry = setup.log.entries()[0]
    assert entry.outcome == "scheduled"
    assert setup.sandbox.call(entry.call_sid)["sandbox"]["status"] == "scheduled"
    cancelled = []
    pad.cancel(entry, cancelled.append)
    _wait_idle(qtbot, pad)
    assert [e.outcome for e in cancelled] == ["cancelled"]
    assert setup.log.get(entry.id).outcome == "cancelled"
    after = setup.sandbox.call(entry.call_sid)
    assert after is None or after["sandbox"]["status"] != "scheduled"


def test_redial_places_the_same_call_again(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.flow_combo.setCurrentIndex(pad.flow_combo.findText(CUSTOM_URL))
    server = setup.services.flow_server()
    pad.url_edit.setText(server.flow_urls()["choice"])
    pad.method_combo.setCurrentText("GET")
    pad.call()
    _wait_idle(qtbot, pad)
    first = setup.log.entries()[0]
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)  # no redial mid-call
    pad.number_edit.clear()
    pad.redial(first)
    _wait_idle(qtbot, pad)
    again = setup.log.entries()[0]
    assert again.id != first.id
    assert (again.to_number, again.url, again.method) == (first.to_number, first.url, "GET")


def test_a_second_click_while_calling_sends_nothing_more(qtbot, qloop, tmp_path):
    with SlowApi(delay=0.5) as api:
        made = Setup(
            qtbot,
            tmp_path,
            endpoint_for=lambda: Endpoint("Slow", f"http://127.0.0.1:{api.port}", "u", "p"),
        )
        try:
            pad = made.pad
            _a_call_to_a_custom_url(qtbot, pad)
            qtbot.keyClick(pad.number_edit, Qt.Key.Key_Return)
            pad.call()  # the button, right after Enter, before the event loop ran
            pad.refresh_dids()
            assert pad.busy and not pad.call_button.isEnabled()
            _wait_idle(qtbot, pad)
            assert api.posts == 1
            assert len(made.log.entries()) == 1
        finally:
            made.close(qtbot)


def test_redial_reads_the_number_in_any_region_and_finds_the_flow_after_a_restart(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "+44 20 7946 0958")
    pad.call()
    _wait_idle(qtbot, pad)
    first = setup.log.entries()[0]
    assert first.outcome == "placed", pad.result_label.text()
    assert first.to_number == "442079460958"
    qtbot.waitUntil(lambda: pad.active_call is None or setup.services.in_call(pad.active_call))
    pad.hang_up()  # a phone redials once the call is over
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=5000)
    setup.services.configure_flow_server(setup.services.server_config)  # a restart: new port
    assert setup.services.flow_server_running.flow_urls()["main"] != first.url
    pad.region_combo.setCurrentIndex(pad.region_combo.findData("US"))
    pad.redial(first)
    _wait_idle(qtbot, pad)
    again = setup.log.entries()[0]
    assert again.id != first.id and again.outcome == "placed", pad.result_label.text()
    assert again.to_number == "442079460958"
    assert again.url == setup.services.flow_server_running.flow_urls()["main"]


def test_a_custom_url_that_is_not_http_is_refused_in_place(setup, qtbot):
    pad = setup.pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.flow_combo.setCurrentIndex(pad.flow_combo.findText(CUSTOM_URL))
    pad.url_edit.setText("ftp://example.com/flow.xml")
    pad.call()
    _wait_idle(qtbot, pad)
    assert "not an http:// or https:// URL" in pad.result_label.text()
    assert pad.call_button.isEnabled()


def test_a_loopback_flow_url_warns_for_a_real_carrierx_profile(setup, qtbot):
    setup.profiles.save(Profile("Work", login="someone"))
    setup.profiles.selected = "Work"
    setup.pad.profile_changed()
    assert "CarrierX cannot reach" in setup.pad.warning_label.text()
    setup.profiles.selected = "Sandbox"
    setup.pad.profile_changed()
    assert setup.pad.warning_label.isHidden()


def test_a_custom_url_on_this_computer_warns_unless_carrierx_is_local_too(setup, qtbot):
    pad = setup.pad
    setup.profiles.save(Profile("Work", login="someone"))
    setup.profiles.selected = "Work"
    pad.profile_changed()
    pad.flow_combo.setCurrentIndex(pad.flow_combo.findText(CUSTOM_URL))
    pad.options_toggle.setChecked(True)
    pad.form.status_check.setChecked(False)
    pad.url_edit.setText("https://example.com/flow.xml")
    assert pad.warning_label.isHidden()
    pad.url_edit.setText("http://app.localhost:8080/flow.xml")
    assert pad.warning_label.text() == (
        "CarrierX cannot reach http://app.localhost:8080/flow.xml: it is on this computer. "
        "Use a public URL."
    )
    setup.profiles.save(Profile("Local", api_url="http://127.0.0.1:9/flexml/v1", login="me"))
    setup.profiles.selected = "Local"
    pad.profile_changed()
    assert pad.warning_label.isHidden()  # a CarrierX on this computer reaches it
    setup.profiles.save(Profile("Plain", api_url="http://192.0.2.1/flexml/v1", login="me"))
    setup.profiles.selected = "Plain"
    pad.profile_changed()
    assert "plain http://" in pad.warning_label.text()


# -- faults -------------------------------------------------------------------------------


def test_wrong_credentials_are_said_plainly_and_the_secret_never_shown(
    qtbot, qloop, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    made = Setup(qtbot, tmp_path)
    wrong = "wr0ng-PASS-zz"

    def endpoint() -> Endpoint:
        box = made.services.sandbox()
        return Endpoint("Sandbox", box.api_url, CREDENTIALS.login, wrong, True)

    made.endpoint_for = endpoint
    try:
        qtbot.keyClicks(made.pad.number_edit, "15162065318")
        made.pad.from_combo.setCurrentText(DIDS[0])
        made.pad.call()
        _wait_idle(qtbot, made.pad)
        text = made.pad.result_label.text()
        assert text.startswith("The call was not placed: the FlexML API login and password")
        assert "401" in text
        assert wrong not in text
        entry = made.log.entries()[0]
        assert entry.outcome == "failed" and wrong not in (entry.error or "")
        assert made.pad.call_button.isEnabled()
        assert caplog.records  # the client logged the request ...
        assert all(wrong not in r.getMessage() for r in caplog.records)  # ... not the secret
    finally:
        made.close(qtbot)


def test_a_bug_is_said_to_be_unexpected_and_logged_with_its_traceback(
    setup, qtbot, caplog, monkeypatch
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in building the request")

    monkeypatch.setattr("gui.core.calling.call_request", broken)
    pad = setup.pad
    _a_call_to_a_custom_url(qtbot, pad)
    with caplog.at_level(logging.ERROR, logger="gui.qt.calling.dial_pad"):
        pad.call()
        _wait_idle(qtbot, pad)
    text = pad.result_label.text()
    assert text.startswith("The call was not placed: something unexpected went wrong"), text
    assert "a bug in building the request" not in text  # the details are for the log
    [record] = [r for r in caplog.records if r.name == "gui.qt.calling.dial_pad"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "a bug in building the request" in caplog.text
    assert pad.call_button.isEnabled() and pad.number_edit.isEnabled()
    assert not pad.busy_bar.isVisible()
    [entry] = setup.log.entries()  # the attempt is kept, like every other
    assert entry.outcome == "failed" and "unexpected" in entry.error


def test_a_known_failure_is_said_in_place_and_logs_no_error(setup, qtbot, caplog):
    pad = setup.pad
    _a_call_to_a_custom_url(qtbot, pad)
    pad.url_edit.setText("ftp://example.com/flow.xml")
    with caplog.at_level(logging.DEBUG, logger="gui.qt.calling.dial_pad"):
        pad.call()
        _wait_idle(qtbot, pad)
    assert pad.result_label.text() == (
        "The call was not placed: ftp://example.com/flow.xml is not an http:// or https:// URL"
    )
    assert not [r for r in caplog.records if r.name == "gui.qt.calling.dial_pad"]
    assert pad.call_button.isEnabled()


class SlowApi:
    """A FlexML API that takes `delay` seconds to answer POST /calls (and lists one DID)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.posts = 0
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def __exit__(self, *exc) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()

        async def calls(request: web.Request) -> web.Response:
            self.posts += 1
            await asyncio.sleep(self.delay)
            body = await request.json()
            return web.json_response({**body, "call_sid": "slow-sid-1", "account_sid": "a"})

        app = web.Application()
        app.router.add_post("/calls", calls)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()


def test_the_window_answers_while_the_api_is_slow(qtbot, qloop, tmp_path):
    with SlowApi(delay=1.5) as api:
        made = Setup(
            qtbot,
            tmp_path,
            endpoint_for=lambda: Endpoint("Slow", f"http://127.0.0.1:{api.port}", "u", "p"),
        )
        try:
            pad = made.pad
            _a_call_to_a_custom_url(qtbot, pad)
            ticks = []
            timer = QTimer(interval=50)
            timer.timeout.connect(lambda: ticks.append(time.monotonic()))
            timer.start()
            pad.call()
            qtbot.waitUntil(lambda: api.posts == 1, timeout=5000)
            assert pad.busy and not pad.call_button.isEnabled() and pad.busy_bar.isVisible()
            qtbot.wait(600)
            assert pad.busy  # still waiting for the API ...
            assert len(ticks) >= 6  # ... and the event loop went on all along
            _wait_idle(qtbot, pad)
            timer.stop()
            assert "slow-sid-1" in pad.result_label.text()
            assert pad.call_button.isEnabled() and not pad.busy_bar.isVisible()
        finally:
            made.close(qtbot)


def test_a_closed_port_is_a_network_error_in_place(qtbot, qloop, tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    made = Setup(
        qtbot,
        tmp_path,
        endpoint_for=lambda: Endpoint("Closed", f"http://127.0.0.1:{port}", "u", "p"),
    )
    try:
        pad = made.pad
        _a_call_to_a_custom_url(qtbot, pad)
        pad.call()
        _wait_idle(qtbot, pad)
        assert "The call was not placed" in pad.result_label.text()
        assert f"127.0.0.1:{port}" in pad.result_label.text()
        assert made.log.entries()[0].outcome == "failed"
        assert pad.call_button.isEnabled()
    finally:
        made.close(qtbot)


FAULTS = [
    (Reply(403, {"errors": [{"message": "endpoint disabled"}]}), "403", "endpoint disabled"),
    (Reply(415, {"errors": [{"message": "need JSON"}]}), "415", "Content-Type"),
    (
        Reply(422, {"errors": [{"field": "called_did", "message": "is not a valid number"}]}),
        "called_did",
        "is not a valid number",
    ),
    (Reply(500, "<html><body>Internal error</body></html>"), "500", "CarrierX"),
    (Reply(200, "<html><body>Captive portal</body></html>"), "not JSON", ""),
    (HANG, "did not answer", "0.5"),
    (DROP, "connection", ""),
]


@pytest.mark.parametrize(("reply", "first", "second"), FAULTS)
def test_every_fault_is_said_in_place_and_the_controls_come_back(
    qtbot, qloop, tmp_path, caplog, reply, first, second
):
    caplog.set_level(logging.DEBUG)
    secret = "fault-s3cret-PASS"
    with ScriptedServer(always(reply)) as server:
        made = Setup(
            qtbot, tmp_path, endpoint_for=lambda: Endpoint("Faulty", server.url, "me", secret)
        )
        made.services.client_timeout = 0.5
        try:
            pad = made.pad
            _a_call_to_a_custom_url(qtbot, pad)
            pad.call()
            _wait_idle(qtbot, pad)
            text = pad.result_label.text()
            assert text.startswith("The call was not placed: "), text
            assert first in text and second in text, text
            assert pad.call_button.isEnabled() and pad.number_edit.isEnabled()
            assert not pad.busy_bar.isVisible()
            entry = made.log.entries()[0]
            assert entry.outcome == "failed" and entry.error and first in entry.error
            assert [r.method for r in server.requests] == ["POST"]  # never retried
            assert secret not in text
            assert all(secret not in r.getMessage() for r in caplog.records)
        finally:
            made.close(qtbot)
