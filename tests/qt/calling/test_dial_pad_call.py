"""The dial pad during a call behaves like a phone (issue 13): Call becomes Hang up, keys typed
after Enter reach the call, the keys stay on screen, the sandbox calls any number, and a long
error never widens the pad. Against real loopback servers: the sandbox, the project's flow
server, and small purpose-built FlexML APIs."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel

from gui.core.flexml import parse
from gui.core.profiles import Endpoint, Profile
from gui.core.project import Project
from gui.core.runtime.events import CallerHangup, GatherDone
from gui.core.runtime.sandbox import Sandbox
from gui.qt.calling.dial_pad import CUSTOM_URL, NO_LIVE_HANG_UP, DialPad
from gui.qt.calling.wrap_label import BREAK
from gui.qt.common import tasks
from gui.qt.common.settings import SettingsStore
from tests.qt.calling.test_dial_pad import CREDENTIALS, DIDS, Setup, _wait_idle
from tests.qt.findable import assert_findable
from tests.servers import Reply, ScriptedServer

LONG_CALL = b'<Response><Say>Hello</Say><Pause length="3600"/></Response>'
PRESS_ONE = (
    b'<Response><Gather action="flow:choice" finishOnKey="#" timeout="5">'
    b"<Say>Press 1, then pound</Say></Gather><Say>Nothing</Say></Response>"
)
CHOICE = b"<Response><Say>You pressed one</Say><Hangup/></Response>"


def _project(main: bytes) -> Project:
    project = Project()
    project.add_flow("main", parse(main))
    project.add_flow("choice", parse(CHOICE))
    project.entry = "main"
    return project


def _setup(qtbot, tmp_path, main: bytes, speed: float = 10.0, endpoint_for=None) -> Setup:
    made = Setup(qtbot, tmp_path, endpoint_for)
    made.project = _project(main)
    made.sandbox = Sandbox(credentials=CREDENTIALS, dids=DIDS, speed=speed)
    made.pad.set_flows(made.project.names, made.project.entry, reset=True)
    return made


@pytest.fixture
def long_call(qtbot, qloop, tmp_path):
    made = _setup(qtbot, tmp_path, LONG_CALL)
    yield made
    made.close(qtbot)


def _progress(pad: DialPad) -> list[str]:
    return [pad.progress_list.item(i).text() for i in range(pad.progress_list.count())]


def _focus_number(qtbot, pad: DialPad) -> None:
    pad.activateWindow()
    pad.number_edit.setFocus()
    qtbot.waitUntil(pad.number_edit.hasFocus, timeout=2000)


def _shows_call(pad: DialPad) -> bool:
    return pad.call_button.isVisible() and not pad.hang_up_button.isVisible()


def _shows_hang_up(pad: DialPad) -> bool:
    return pad.hang_up_button.isVisible() and not pad.call_button.isVisible()


# -- Hang up: a sandbox call --------------------------------------------------------------------


def test_call_becomes_hang_up_and_hang_up_ends_the_sandbox_call(long_call, qtbot):
    pad, services = long_call.pad, long_call.services
    assert _shows_call(pad) and pad.call_button.styleSheet() != pad.hang_up_button.styleSheet()
    qtbot.keyClicks(pad.number_edit, "15162065318")
    qtbot.mouseClick(pad.call_button, Qt.MouseButton.LeftButton)
    assert _shows_hang_up(pad)  # from the moment the POST is on its way
    assert pad.hang_up_button.isEnabled() and pad.hang_up_button.accessibleName() == "Hang up"
    _wait_idle(qtbot, pad)
    sid = pad.active_call
    assert sid is not None, pad.result_label.text()
    assert _shows_hang_up(pad) and "sandbox call" in pad.hang_up_button.toolTip()
    qtbot.waitUntil(lambda: any("pause" in line for line in _progress(pad)), timeout=10000)

    qtbot.mouseClick(pad.hang_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)
    assert pad.call_label.text().startswith("Hung up")
    assert _shows_call(pad) and not pad.number_edit.isReadOnly()
    # The call's last events come from the sandbox's thread with the next batch.
    qtbot.waitUntil(
        lambda: any("the caller hangs up" in line for line in _progress(pad)), timeout=5000
    )
    assert long_call.sandbox.call(sid)["sandbox"]["status"] == "completed"
    # CarrierX sends the status callback at every call end: so does a hung-up sandbox call.
    qtbot.waitUntil(
        lambda: any(r.path == "/status" for r in services.records_for(sid)), timeout=5000
    )
    [status] = [r for r in services.records_for(sid) if r.path == "/status"]
    assert status.params["CallStatus"] == "completed"
    assert status.params["CallDuration"].isdigit()
    # The keys type again.
    qtbot.mouseClick(pad.key_buttons["5"], Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == "151620653185"


def test_escape_hangs_up_in_a_call_and_clears_the_number_otherwise(long_call, qtbot):
    pad = long_call.pad
    _focus_number(qtbot, pad)
    qtbot.keyClicks(pad.number_edit, "15162065318")
    qtbot.keyClick(pad.number_edit, Qt.Key.Key_Return)  # Enter = Call when idle
    _wait_idle(qtbot, pad)
    assert pad.active_call is not None, pad.result_label.text()
    qtbot.waitUntil(lambda: any("pause" in line for line in _progress(pad)), timeout=10000)
    qtbot.keyClick(pad.number_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)
    assert pad.number_edit.text() == "15162065318"  # Esc hung up; it did not clear
    assert pad.call_label.text().startswith("Hung up")
    qtbot.keyClick(pad.number_edit, Qt.Key.Key_Escape)
    assert pad.number_edit.text() == ""


def test_a_redial_waits_for_the_hang_up(long_call, qtbot):
    pad = long_call.pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    _wait_idle(qtbot, pad)
    assert pad.active_call is not None
    pad.call()  # Enter again, mid-call: nothing is placed
    assert "hang up first" in pad.result_label.text()
    assert len(long_call.log.entries()) == 1
    pad.hang_up()
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)


# -- Hang up: a scheduled call -----------------------------------------------------------------


def test_hang_up_cancels_a_scheduled_call_with_delete(long_call, qtbot):
    pad, box = long_call.pad, long_call.sandbox
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.options_toggle.setChecked(True)
    pad.delay_spin.setValue(600)
    pad.call()
    _wait_idle(qtbot, pad)
    [entry] = long_call.log.entries()
    assert entry.outcome == "scheduled", pad.result_label.text()
    # Scheduled, not ringing: Hang up cancels it, and another call can still be placed.
    assert pad.hang_up_button.isVisible() and pad.call_button.isVisible()
    assert "DELETE /calls/" in pad.hang_up_button.toolTip()
    assert not pad.number_edit.isReadOnly()
    qtbot.mouseClick(pad.hang_up_button, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, pad)
    assert pad.result_label.text() == f"Scheduled call {entry.call_sid} cancelled"
    assert long_call.log.get(entry.id).outcome == "cancelled"
    assert box.call(entry.call_sid) is None  # DELETE forgets it, as CarrierX does
    assert _shows_call(pad)


def test_a_scheduled_sandbox_call_that_starts_becomes_the_pads_call(long_call, qtbot):
    pad = long_call.pad
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.options_toggle.setChecked(True)
    pad.delay_spin.setValue(1)
    pad.call()
    _wait_idle(qtbot, pad)
    sid = long_call.log.entries()[0].call_sid
    qtbot.waitUntil(lambda: pad.active_call == sid, timeout=5000)
    assert _shows_hang_up(pad)
    # Answered (its first verb ran): a hang-up now completes the call; before, it is a
    # "cancel", and on a loaded machine the pad may learn of the call before that.
    qtbot.waitUntil(lambda: any("pause" in line for line in _progress(pad)), timeout=10000)
    pad.hang_up()
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)
    assert long_call.sandbox.call(sid)["sandbox"]["status"] == "completed"


# -- Hang up: a real CarrierX ---------------------------------------------------------------------


class RealApi:
    """A FlexML API on loopback: POST /calls takes `post_seconds` to answer, GET /dids
    `dids_seconds`; DELETE /calls/SID answers 204. `requests` keeps what came."""

    def __init__(self, post_seconds: float = 0.0, dids_seconds: float = 0.0) -> None:
        self.post_seconds, self.dids_seconds = post_seconds, dids_seconds
        self.server = ScriptedServer(self._answer)

    def _answer(self, request) -> Reply:
        if request.method == "POST":
            time.sleep(self.post_seconds)
            body = json.loads(request.body)
            return Reply(200, {**body, "call_sid": "real-sid-1", "account_sid": "acc"})
        if request.method == "DELETE":
            return Reply(204)
        time.sleep(self.dids_seconds)
        item = {"phonenumber": DIDS[0]}
        return Reply(200, {"items": [item], "count": 1, "total": 1, "has_more": False})

    def methods(self) -> list[str]:
        return [f"{r.method} {r.path.rsplit('/flexml/v1', 1)[-1]}" for r in self.server.requests]

    def __enter__(self) -> RealApi:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)


def _real(qtbot, tmp_path, api: RealApi) -> Setup:
    made = _setup(
        qtbot,
        tmp_path,
        LONG_CALL,
        endpoint_for=lambda: Endpoint("Work", api.server.url, "me", "pass"),
    )
    made.profiles.save(Profile("Work", login="me"))
    made.profiles.selected = "Work"
    made.pad.profile_changed()
    made.pad.flow_combo.setCurrentIndex(made.pad.flow_combo.findText(CUSTOM_URL))
    made.pad.url_edit.setText("https://example.com/flow.xml")
    made.pad.options_toggle.setChecked(True)
    made.pad.form.status_check.setChecked(False)
    return made


def test_a_live_call_on_a_real_carrierx_says_it_cannot_be_ended_here(qtbot, qloop, tmp_path):
    with RealApi() as api:
        made = _real(qtbot, tmp_path, api)
        try:
            pad = made.pad
            qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
            pad.call()
            _wait_idle(qtbot, pad)
            text = pad.result_label.text()
            assert "real-sid-1" in text and NO_LIVE_HANG_UP in text
            assert _shows_call(pad) and pad.active_call is None  # the pad is free again
            assert api.methods() == ["GET /dids", "POST /calls"]
        finally:
            made.close(qtbot)


def test_a_scheduled_real_call_is_cancelled_by_hang_up(qtbot, qloop, tmp_path):
    with RealApi() as api:
        made = _real(qtbot, tmp_path, api)
        try:
            pad = made.pad
            pad.from_combo.setCurrentText(DIDS[0])
            qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
            pad.delay_spin.setValue(300)
            pad.call()
            _wait_idle(qtbot, pad)
            assert pad.hang_up_button.isVisible()
            pad.hang_up()
            _wait_idle(qtbot, pad)
            assert api.methods() == ["POST /calls", "DELETE /calls/real-sid-1"]
            assert made.log.entries()[0].outcome == "cancelled"
            assert _shows_call(pad)
        finally:
            made.close(qtbot)


@pytest.mark.parametrize("delay", [0, 300])
def test_hang_up_while_the_post_is_on_its_way_ends_what_carrierx_took(
    qtbot, qloop, tmp_path, delay
):
    with RealApi(post_seconds=0.6) as api:
        made = _real(qtbot, tmp_path, api)
        try:
            pad = made.pad
            pad.from_combo.setCurrentText(DIDS[0])
            qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
            pad.delay_spin.setValue(delay)
            pad.call()
            qtbot.waitUntil(lambda: api.methods() == ["POST /calls"], timeout=5000)
            pad.hang_up()
            assert "waiting for CarrierX's answer" in pad.result_label.text()
            assert not pad.hang_up_button.isEnabled()  # asked once
            _wait_idle(qtbot, pad)
            if delay:  # scheduled: cancelled by its SID as soon as it is known
                assert api.methods() == ["POST /calls", "DELETE /calls/real-sid-1"]
                assert pad.result_label.text() == "Scheduled call real-sid-1 cancelled"
                assert made.log.entries()[0].outcome == "cancelled"
            else:  # live: nothing can end it, and the pad does not pretend
                assert api.methods() == ["POST /calls"]
                assert pad.result_label.text() == (
                    f"CarrierX took call real-sid-1 before the hang-up. {NO_LIVE_HANG_UP}."
                )
            assert _shows_call(pad)
        finally:
            made.close(qtbot)


def test_hang_up_before_the_post_is_sent_places_nothing(qtbot, qloop, tmp_path):
    with RealApi(dids_seconds=0.6) as api:
        made = _real(qtbot, tmp_path, api)
        try:
            pad = made.pad
            qtbot.keyClicks(pad.number_edit, "+1 516 206 5318")
            pad.call()  # From is empty: GET /dids first, slowly
            qtbot.waitUntil(lambda: api.methods() == ["GET /dids"], timeout=5000)
            pad.hang_up()
            _wait_idle(qtbot, pad)
            assert pad.result_label.text().startswith("Hung up: the call was not placed")
            time.sleep(0.8)  # the slow answer came and went
            assert api.methods() == ["GET /dids"]  # no POST, ever
            [entry] = made.log.entries()
            assert (entry.outcome, entry.call_sid) == ("cancelled", None)
            assert _shows_call(pad) and pad.call_button.isEnabled()
        finally:
            made.close(qtbot)


# -- keys typed after Enter reach the call -------------------------------------------------------


def test_keys_typed_right_after_enter_reach_the_gather(qtbot, qloop, tmp_path):
    made = _setup(qtbot, tmp_path, PRESS_ONE, speed=1.0)  # a 5 s Gather, in real time
    events: list = []
    made.services.sandbox_events.connect(events.extend)
    try:
        pad = made.pad
        _focus_number(qtbot, pad)
        qtbot.keyClicks(pad.number_edit, "15162065318")
        qtbot.keyClick(pad.number_edit, Qt.Key.Key_Return)
        focused = QApplication.focusWidget()
        assert focused is pad.number_edit and pad.number_edit.isEnabled()
        qtbot.keyClicks(focused, "1#")  # at once: the call is not placed yet
        assert pad.number_edit.text() == "15162065318"  # tones, not digits of the number
        assert "1#" in pad.call_label.text()
        qtbot.waitUntil(lambda: any(isinstance(e, GatherDone) for _, e in events), timeout=8000)
        [gathered] = [e for _, e in events if isinstance(e, GatherDone)]
        assert (gathered.digits, gathered.finish_key, gathered.timed_out) == ("1", "#", False)
        qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)
        assert any("caller entered '1', then #" in line for line in _progress(pad))
        assert any("You pressed one" in line for line in _progress(pad))
        assert not any(isinstance(e, CallerHangup) for _, e in events)
    finally:
        made.close(qtbot)


def test_keys_tapped_while_placing_are_held_then_sent(qtbot, qloop, tmp_path):
    made = _setup(qtbot, tmp_path, PRESS_ONE, speed=1.0)
    events: list = []
    made.services.sandbox_events.connect(events.extend)
    try:
        pad = made.pad
        qtbot.keyClicks(pad.number_edit, "15162065318")
        pad.call()
        for key in "1#":
            qtbot.mouseClick(pad.key_buttons[key], Qt.MouseButton.LeftButton)
        assert pad.number_edit.text() == "15162065318"
        qtbot.waitUntil(lambda: any(isinstance(e, GatherDone) for _, e in events), timeout=8000)
        [gathered] = [e for _, e in events if isinstance(e, GatherDone)]
        assert gathered.digits == "1" and not gathered.timed_out
        qtbot.waitUntil(lambda: pad.active_call is None, timeout=10000)
    finally:
        made.close(qtbot)


# -- numbers: the sandbox calls any number, a real endpoint keeps the strict check ----------------


def test_the_sandbox_calls_a_fictional_local_number_and_says_so(long_call, qtbot):
    pad = long_call.pad
    qtbot.keyClicks(pad.number_edit, "555-0100")
    assert pad.normalized_label.text() == (
        "Sends 5550100. 555-0100 to 555-0199 are fictional numbers: the sandbox calls it anyway."
    )
    pad.call()
    _wait_idle(qtbot, pad)
    [entry] = long_call.log.entries()
    assert (entry.outcome, entry.to_number) == ("placed", "5550100"), pad.result_label.text()
    pad.hang_up()
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)
    # A real endpoint keeps the strict check.
    long_call.profiles.save(Profile("Work", login="someone"))
    long_call.profiles.selected = "Work"
    pad.profile_changed()
    assert pad.normalized_label.text().startswith("Not a number to call: this is a local number")


# -- the keys stay on screen; a long error never widens the pad -----------------------------------


def test_the_keys_stay_on_screen_while_a_result_and_progress_show(qtbot, qloop):
    from gui.qt.window.main_window import MainWindow

    win = MainWindow(_project(PRESS_ONE), SettingsStore(), remember_layout=False)
    win.services.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS, speed=1.0)
    win.resize(1000, 640)
    win.show()
    qtbot.waitExposed(win)
    try:
        win.show_dial_pad()
        pad = win.dial_pad
        pad.options_toggle.setChecked(True)  # a taller form: before issue 13 it pushed 1-3 out
        qtbot.keyClicks(pad.number_edit, "15162065318")
        pad.call()
        qtbot.waitUntil(lambda: pad.active_call is not None, timeout=10000)
        qtbot.waitUntil(lambda: pad.progress_list.count() >= 3, timeout=10000)
        assert pad.result_label.isVisible() and "Call placed" in pad.result_label.text()
        qtbot.wait(50)  # let the layouts settle
        viewport = win.dial_dock.widget().viewport()
        for key, button in pad.key_buttons.items():
            where = QRect(button.mapTo(viewport, QPoint(0, 0)), button.size())
            assert viewport.rect().contains(where), (key, where, viewport.rect())
        one = pad.key_buttons["1"]
        centre = one.mapTo(win, one.rect().center())
        assert win.childAt(centre) is one  # not the URL field, not anything else
        qtbot.mouseClick(win.childAt(centre), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Tones sent: 1" in pad.call_label.text(), timeout=3000)
        pound = pad.key_buttons["#"]
        qtbot.mouseClick(
            win.childAt(pound.mapTo(win, pound.rect().center())), Qt.MouseButton.LeftButton
        )
        qtbot.waitUntil(
            lambda: any("caller entered '1', then #" in line for line in _progress(pad)),
            timeout=5000,
        )
        assert pad.number_edit.text() == "15162065318"
        pad.hang_up()
        qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)
    finally:
        win.editing.stack.setClean()
        win.close()
        qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
        win.deleteLater()


def test_a_long_error_wraps_and_never_widens_the_pad(setup_long_error, qtbot):
    pad = setup_long_error.pad
    pad.resize(360, 700)
    before = (pad.sizeHint().width(), pad.minimumSizeHint().width())
    url = "ftp://example.com/" + "a" * 300  # no space anywhere
    pad.flow_combo.setCurrentIndex(pad.flow_combo.findText(CUSTOM_URL))
    pad.url_edit.setText(url)
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    _wait_idle(qtbot, pad)
    label = pad.result_label
    assert label.text() == f"The call was not placed: {url} is not an http:// or https:// URL"
    assert BREAK not in label.text()  # the breaks are for showing it only
    after = (pad.sizeHint().width(), pad.minimumSizeHint().width())
    assert after[0] <= before[0] and after[1] <= before[1], (before, after)
    qtbot.wait(20)
    assert label.width() <= pad.width()
    assert label.height() >= 4 * label.fontMetrics().height()  # it wrapped over lines
    label.setSelection(0, len(QLabel.text(label)))  # all of it, as shown (breaks and all)
    label.copy_selection()
    assert QApplication.clipboard().text() == label.text()


@pytest.fixture
def setup_long_error(qtbot, qloop, tmp_path):
    made = Setup(qtbot, tmp_path)
    yield made
    made.close(qtbot)


# -- findable ------------------------------------------------------------------------------------


def test_every_control_of_the_pad_is_findable_with_a_tooltip_in_every_state(long_call, qtbot):
    pad = long_call.pad
    found = assert_findable(pad)
    assert {"dial-call", "dial-hang-up"} <= set(found)
    for button in (pad.call_button, pad.hang_up_button):
        assert button.toolTip()
    qtbot.keyClicks(pad.number_edit, "15162065318")
    pad.call()
    _wait_idle(qtbot, pad)
    assert_findable(pad)
    assert pad.hang_up_button.toolTip() and pad.call_label.toolTip()
    pad.hang_up()
    qtbot.waitUntil(lambda: pad.active_call is None, timeout=3000)
