"""The Flow server panel (start, stop, host, port, public URL, token, flow URLs) and the request
log (live table, inspector, filter, replay), against a real FlowServer on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QPushButton, QTableView, QToolButton

from gui.core.flexml import parse
from gui.core.keychain import FLOW_SERVER, SERVER_TOKEN, Keychain
from gui.core.project import Project
from gui.core.server import RequestRecord, Snapshot
from gui.core.server import replay as replay_module
from gui.qt.common.messages import UNEXPECTED
from gui.qt.common.names import findable
from gui.qt.common.services import ServerConfig, Services
from gui.qt.common.settings import SettingsStore
from gui.qt.loop.request_log import MAX_ROWS, RequestLogPanel, RequestTableModel
from gui.qt.loop.server_panel import ServerPanel, check_public_url
from tests.qt.findable import assert_findable

Columns = RequestTableModel
# Call SIDs as the API and the call log write them; requests carry them as 32 hex digits.
SID_A = "7d1e1f3a-3c55-4d1e-9b3a-0f6c7f1e2a11"
SID_B = "0b9a8c7d-1111-2222-3333-444455556666"
HEX_A = SID_A.replace("-", "")


def carrierx_body(call_sid: str, **fields) -> dict:
    """What CarrierX POSTs to a flow URL (FLEXML.md §3, §7): the SID without dashes, and
    CallStatus completed while the call is up, as the documented sample body."""
    return {
        "AccountSid": "",
        "ApiVersion": "2.0",
        "CallSid": call_sid.replace("-", ""),
        "CallStatus": "completed",
        "Direction": "inbound",
        "ForwardedFrom": "",
        "From": "15162065319",
        "To": "15162065318",
        "OriginalFrom": "+15162065319",
        "FinishKey": None,
        **fields,
    }


def _project() -> Project:
    project = Project()
    project.add_flow(
        "main",
        parse(b"<Response><Say>Welcome</Say><Redirect>flow:menu</Redirect></Response>"),
    )
    project.add_flow(
        "menu",
        parse(
            b'<Response><Gather action="flow:main" numDigits="1"><Say>Press 1</Say></Gather>'
            b"</Response>"
        ),
    )
    project.entry = "main"
    return project


@pytest.fixture
def project() -> Project:
    return _project()


@pytest.fixture
def services(qtbot, project):
    services = Services(lambda: project)
    yield services
    services.shutdown()


@pytest.fixture
def keychain(tmp_path) -> Keychain:
    return Keychain(file_path=tmp_path / "secrets.json")  # the fail keyring: memory only


@pytest.fixture
def settings() -> SettingsStore:
    return SettingsStore()  # an ini file in the test's QSettings folder (tests/qt/conftest.py)


@pytest.fixture
def panel(qtbot, services, settings, keychain):
    panel = ServerPanel(services, settings, keychain)
    qtbot.addWidget(panel)
    panel.resize(400, 720)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def log_panel(qtbot, services, project):
    panel = RequestLogPanel(services, lambda: project)
    qtbot.addWidget(panel)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    QAbstractItemModelTester(panel.proxy, QAbstractItemModelTester.FailureReportingMode.Fatal)
    panel.resize(900, 700)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def url_button(panel: ServerPanel, name: str):
    row = [shown for shown, _url, _entry in panel.url_rows()].index(name)
    return panel.urls_grid.itemAtPosition(row, 2).widget()


# -- start, stop, state -----------------------------------------------------------------------


def test_start_and_stop_from_the_panel(panel, services, qtbot):
    assert panel.state_label.text() == "Stopped"
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    assert panel.urls_empty.isVisible() and panel.url_rows() == []

    click(qtbot, panel.start_button)
    server = services.flow_server_running
    assert server is not None and server.running
    assert panel.state_label.text() == f"Running at {server.url}"
    assert server.url.startswith("http://127.0.0.1:")
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    assert panel.url_rows() == [
        ("main", f"{server.url}/flows/main", True),
        ("menu", f"{server.url}/flows/menu", False),
    ]
    assert "(entry)" in panel.urls_grid.itemAtPosition(0, 0).widget().text()

    click(qtbot, panel.stop_button)
    assert services.flow_server_running is None and not server.running
    assert panel.state_label.text() == "Stopped"
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    assert panel.url_rows() == []


def test_it_follows_a_server_started_elsewhere(panel, services):
    server = services.flow_server()  # as the dial pad does, on demand
    assert panel.state_label.text() == f"Running at {server.url}"
    assert [name for name, _url, _entry in panel.url_rows()] == ["main", "menu"]
    services.stop_flow_server()
    assert panel.state_label.text() == "Stopped"


def test_a_taken_port_is_said_and_the_controls_stay_usable(panel, services, qtbot):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        panel.port_spin.setValue(port)
        click(qtbot, panel.start_button)
        assert services.flow_server_running is None
        assert "already in use" in panel.state_label.text()
        assert panel.state_label.text().startswith("Could not start:")
        assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
        for control in (panel.port_spin, panel.host_combo, panel.public_edit):
            assert control.isEnabled()
        assert services.server_config.port == port  # applied: the port was right, just busy

        # A running server restarted onto the taken port stops, and says why.
        panel.port_spin.setValue(0)
        click(qtbot, panel.start_button)
        assert services.flow_server_running is not None
        panel.port_spin.setValue(port)
        click(qtbot, panel.apply_button)
        assert services.flow_server_running is None
        assert "already in use" in panel.state_label.text()
        assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()

    click(qtbot, panel.start_button)  # the port is free again
    assert services.flow_server_running is not None
    assert panel.state_label.text().startswith("Running at http://127.0.0.1:")


# -- host, token, public URL --------------------------------------------------------------------


def test_off_loopback_a_token_is_generated_and_kept_in_the_keychain_only(
    panel, services, settings, keychain, _isolated_qsettings, qtbot
):
    assert panel.token_edit.text() == ""
    assert panel.token_edit.isReadOnly()
    panel.host_combo.setCurrentIndex(panel.host_combo.findData("0.0.0.0"))
    token = panel.token_edit.text()
    assert len(token) >= 32
    assert not panel.clear_token_button.isEnabled()  # required off loopback
    assert "Required" in panel.token_note.text()
    assert panel.apply_button.isEnabled() and panel.pending_label.isVisible()

    click(qtbot, panel.apply_button)
    assert services.server_config == ServerConfig("0.0.0.0", 0, None, token)
    assert keychain.get(FLOW_SERVER, SERVER_TOKEN) == token
    assert settings.get("server/host") == "0.0.0.0"
    assert not panel.apply_button.isEnabled()
    assert settings.sync()
    files = [path for path in Path(_isolated_qsettings).rglob("*") if path.is_file()]
    assert files  # the settings were written...
    for path in files:  # ...and the token is in none of them
        assert token not in path.read_text("utf-8", "replace")

    # A later panel (the next start) finds both again.
    again = ServerPanel(Services(lambda: Project()), settings, keychain)
    qtbot.addWidget(again)
    assert again.host_combo.currentData() == "0.0.0.0"
    assert again.token_edit.text() == token
    assert again.services.server_config.token == token


def test_an_empty_token_off_loopback_is_made_when_applying(panel, services, keychain):
    panel.host_combo.setCurrentIndex(panel.host_combo.findData("0.0.0.0"))
    panel.token_edit.clear()  # as if the stored one were gone
    assert panel.apply()
    token = panel.token_edit.text()
    assert token and services.server_config.token == token
    assert keychain.get(FLOW_SERVER, SERVER_TOKEN) == token


def test_generate_copy_and_remove_the_token_on_loopback(panel, services, keychain, qtbot):
    click(qtbot, panel.generate_button)
    token = panel.token_edit.text()
    assert token and panel.pending_label.isVisible()
    click(qtbot, panel.copy_token_button)
    assert QGuiApplication.clipboard().text() == token
    click(qtbot, panel.start_button)  # applies the pending token first
    server = services.flow_server_running
    assert server.token == token
    assert panel.url_rows()[0][1] == f"{server.url}/t/{token}/flows/main"
    click(qtbot, panel.clear_token_button)
    click(qtbot, panel.apply_button)
    assert services.flow_server_running.token is None
    assert keychain.get(FLOW_SERVER, SERVER_TOKEN) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("ftp://tunnel.example", "http:// or https://"),
        ("tunnel.example", "http:// or https://"),
        ("https://", "http:// or https://"),
        ("https://tunnel.example/?a=1", "query"),
        ("https://tunnel.example/#x", "fragment"),
        ("https://tunnel.example:port", "not a valid URL"),
        ("https://tun nel.example", "http:// or https://"),
    ],
)
def test_a_wrong_public_url_is_said_in_place_and_nothing_is_applied(
    panel, services, settings, text, fragment
):
    before = services.server_config
    panel.public_edit.setText(text)
    assert not panel.apply()
    assert panel.input_error.isVisible()
    assert fragment in panel.input_error.text()
    assert services.server_config == before
    assert settings.get("server/public-url") == ""
    panel.public_edit.setText("")  # editing hides the message
    assert not panel.input_error.isVisible()


def test_check_public_url():
    assert check_public_url("  ") is None
    assert (
        check_public_url(" https://abc.ngrok-free.app/app/ ") == "https://abc.ngrok-free.app/app/"
    )


def test_the_public_url_is_used_for_every_flow_url_and_copy_copies_it(
    panel, services, settings, qtbot
):
    click(qtbot, panel.start_button)
    first = services.flow_server_running
    panel.public_edit.setText("https://abc.tunnel.example/app/")
    click(qtbot, panel.apply_button)  # a running server restarts with it
    server = services.flow_server_running
    assert server is not first and server.running and not first.running
    assert settings.get("server/public-url") == "https://abc.tunnel.example/app/"
    assert "Public at https://abc.tunnel.example/app" in panel.state_label.text()
    assert panel.url_rows() == [
        ("main", "https://abc.tunnel.example/app/flows/main", True),
        ("menu", "https://abc.tunnel.example/app/flows/menu", False),
    ]
    assert (
        b"<Redirect>https://abc.tunnel.example/app/flows/menu</Redirect>"
        in (server.snapshot.flows["main"])
    )
    click(qtbot, url_button(panel, "menu"))
    assert QGuiApplication.clipboard().text() == "https://abc.tunnel.example/app/flows/menu"
    assert panel.copied_label.text() == "Copied the URL of menu."


def test_flow_urls_follow_the_project(panel, services, project):
    services.flow_server()
    project.add_flow("extra", parse(b"<Response><Hangup/></Response>"))
    services.publish()
    panel.refresh_urls()  # the host calls it after each refresh
    assert [name for name, _url, _entry in panel.url_rows()] == ["main", "menu", "extra"]
    project.remove_flow("menu")
    services.publish()
    panel.refresh_urls()
    assert [name for name, _url, _entry in panel.url_rows()] == ["main", "extra"]


def test_every_control_has_a_tooltip(panel):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QSpinBox

    panel.services.flow_server()
    for kind in (QAbstractButton, QComboBox, QLineEdit, QSpinBox):
        for control in panel.findChildren(kind):
            if control.objectName().startswith("qt_") or isinstance(control.parent(), QLineEdit):
                continue  # Qt's own parts: a spin box's line edit, a line edit's clear button
            assert control.toolTip(), control


# -- the request log ----------------------------------------------------------------------------


def test_requests_appear_in_batches_with_their_call_fields(log_panel, services, http, qtbot):
    batches, inserted = [], []
    services.server_records.connect(lambda records: batches.append(len(records)))
    log_panel.model.rowsInserted.connect(lambda *_: inserted.append(1))
    server = services.flow_server()
    for digits in ("1", "2", "3"):
        http.post(f"{server.url}/flows/menu", json=carrierx_body(SID_A, Digits=digits))
    http.get(f"{server.url}/flows/nope", params={"CallSid": SID_B, "From": "+1 555 0100"})
    qtbot.waitUntil(lambda: log_panel.model.rowCount() == 4, timeout=5000)
    assert len(inserted) == len(batches) <= 4  # one insertion per batch, never per record
    model = log_panel.model
    record = model.record(0)
    assert model.text(record, Columns.METHOD) == "POST"
    assert model.text(record, Columns.PATH) == "/flows/menu"
    assert model.text(record, Columns.SID) == SID_A[:8]
    assert model.index(0, Columns.SID).data(Qt.ItemDataRole.ToolTipRole) == HEX_A
    assert model.text(record, Columns.FROM) == "15162065319"
    assert model.text(record, Columns.TO) == "15162065318"
    assert [model.text(model.record(r), Columns.DIGITS) for r in range(3)] == ["1", "2", "3"]
    assert model.text(record, Columns.STATUS) == "200"
    assert model.text(model.record(3), Columns.STATUS) == "404"
    time_text = model.text(record, Columns.TIME)
    assert len(time_text) == 12 and time_text[2] == ":" and time_text[8] == "."
    assert float(model.text(record, Columns.LATENCY)) >= 0
    assert log_panel.count_label.text() == "4 requests"


def test_selecting_a_request_shows_its_parameters_and_the_exact_answer(
    log_panel, services, http, qtbot
):
    server = services.flow_server()
    response = http.post(f"{server.url}/flows/main", json=carrierx_body(SID_A, Digits="7"))
    qtbot.waitUntil(lambda: log_panel.model.rowCount() == 1, timeout=5000)
    log_panel.select_row(0)
    inspector = log_panel.inspector
    params = {
        inspector.params.item(row, 0).text(): inspector.params.item(row, 1).text()
        for row in range(inspector.params.rowCount())
    }
    assert params["CallSid"] == HEX_A
    assert params["Digits"] == "7"
    assert params["FinishKey"] == "null"  # JSON values as JSON
    assert params["AccountSid"] == ""
    assert inspector.request_line.text().startswith("POST /flows/main → 200")
    record = log_panel.selected_record()
    assert record.body == response.content == server.snapshot.flows["main"]
    assert inspector.answer.toPlainText() == response.content.decode()
    assert inspector.answer.isReadOnly()
    assert inspector.answer_line.text() == f"200 · {len(response.content)} bytes"


def test_filter_by_call_sid_text_and_numbers(log_panel, services, http, qtbot):
    server = services.flow_server()
    http.post(f"{server.url}/flows/main", json=carrierx_body(SID_A))
    http.post(f"{server.url}/flows/menu", json=carrierx_body(SID_A, Digits="1"))
    http.post(f"{server.url}/flows/main", json=carrierx_body(SID_B, From="14155550123"))
    qtbot.waitUntil(lambda: log_panel.model.rowCount() == 3, timeout=5000)
    log_panel.show_call(SID_A)
    assert log_panel.filter_edit.text() == SID_A
    assert log_panel.proxy.rowCount() == 2
    assert log_panel.count_label.text() == "2 of 3"
    log_panel.show_call(SID_B)
    assert log_panel.proxy.rowCount() == 1
    log_panel.filter_edit.setText("/FLOWS/MENU")
    assert log_panel.proxy.rowCount() == 1
    log_panel.filter_edit.setText("(415) 555-01")  # a number, any punctuation
    assert log_panel.proxy.rowCount() == 1
    log_panel.filter_edit.setText("")
    assert log_panel.proxy.rowCount() == 3
    click(qtbot, log_panel.clear_button)
    assert log_panel.model.rowCount() == 0 and log_panel.count_label.text() == "0 requests"


def test_filter_finds_a_call_sid_written_either_way(log_panel, services, http, qtbot):
    # The call log and the API write the dashed UUID; CarrierX's requests carry 32 hex
    # digits. A request of a server that sends the dashed form is found by the hex one too.
    server = services.flow_server()
    http.post(f"{server.url}/flows/main", json=carrierx_body(SID_A))
    http.post(f"{server.url}/flows/menu", json={**carrierx_body(SID_B), "CallSid": SID_B})
    qtbot.waitUntil(lambda: log_panel.model.rowCount() == 2, timeout=5000)
    edit = log_panel.filter_edit

    def shown(text: str) -> list[str]:
        edit.clear()
        qtbot.keyClicks(edit, text)  # typed, as a person would (or pasted: setText below)
        proxy = log_panel.proxy
        return [proxy.index(row, Columns.PATH).data() for row in range(proxy.rowCount())]

    assert shown(SID_A) == ["/flows/main"]  # dashed, the request has hex
    assert shown(HEX_A) == ["/flows/main"]
    assert shown(SID_A.upper()) == ["/flows/main"]
    assert shown("3a-3c55-4d") == ["/flows/main"]  # a piece, with its dashes
    assert shown("3a3c554d") == ["/flows/main"]  # the same piece, without
    assert shown(SID_B.replace("-", "")) == ["/flows/menu"]  # hex, the request has dashes
    assert shown("-") == ["/flows/menu"]  # no hex digit, no SID: plain text (a dash)
    edit.setText(f"  {SID_A}  ")  # pasted with spaces
    assert log_panel.proxy.rowCount() == 1 and log_panel.count_label.text() == "1 of 2"
    log_panel.show_call(SID_B)  # what the call log's "Show requests" does
    assert log_panel.proxy.rowCount() == 1
    edit.setText("ffff-ffff")
    assert log_panel.proxy.rowCount() == 0
    click(qtbot, log_panel.clear_button)
    assert log_panel.model.rowCount() == 0 and log_panel.count_label.text() == "0 requests"


def _records(count: int, start: int = 0) -> list[RequestRecord]:
    now = time.time()
    return [
        RequestRecord(now + i, "POST", f"/flows/f{i}", {"CallSid": str(uuid.uuid4())}, 200, 0, 0.1)
        for i in range(start, start + count)
    ]


def test_the_table_keeps_the_newest_rows(log_panel):
    removed = []
    log_panel.model.rowsRemoved.connect(lambda *_: removed.append(1))
    for start in range(0, MAX_ROWS + 1500, 500):
        log_panel.add_records(_records(500, start))
    assert log_panel.model.rowCount() == MAX_ROWS
    assert log_panel.model.record(0).path == "/flows/f1500"
    assert log_panel.model.record(MAX_ROWS - 1).path == f"/flows/f{MAX_ROWS + 1499}"
    assert len(removed) == 3  # one removal per overflowing batch
    log_panel.model.clear()
    log_panel.add_records(_records(MAX_ROWS + 10))  # one batch bigger than the table
    assert log_panel.model.record(0).path == "/flows/f10"


def test_it_follows_the_newest_unless_scrolled_up(log_panel, qtbot):
    log_panel.add_records(_records(200))
    bar = log_panel.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert bar.value() == bar.maximum()
    log_panel.add_records(_records(50, 200))
    assert bar.value() == bar.maximum()
    bar.setValue(10)
    log_panel.add_records(_records(50, 250))
    assert bar.value() == 10


def test_the_path_takes_the_width_and_the_other_columns_fit_their_content(log_panel, qtbot):
    view, model = log_panel.view, log_panel.model
    header = view.horizontalHeader()

    def column_widths() -> dict[str, int]:
        return {name: view.columnWidth(i) for i, name in enumerate(Columns.HEADERS)}

    log_panel.add_records(_records(3))
    qtbot.wait(10)
    before = column_widths()
    assert max(before, key=before.get) == "Path"  # the path takes what the others leave
    assert sum(before.values()) == view.viewport().width()  # the table fills the dock
    long_from = "sip:reception-desk@pbx.example.com"
    caller = RequestRecord(
        time.time(), "POST", "/flows/main", {"CallSid": SID_A, "From": long_from}, 200, 0, 1234.5
    )
    log_panel.add_records([caller])
    qtbot.wait(10)
    widths = column_widths()
    assert widths["From"] > before["From"] and widths["Path"] < before["Path"]
    assert sum(widths.values()) == view.viewport().width()
    metrics = view.fontMetrics()
    for record in model.records():  # every other column shows its text whole
        for column, name in enumerate(Columns.HEADERS):
            if column != Columns.PATH:
                text = model.text(record, column)
                assert metrics.horizontalAdvance(text) < widths[name], (name, text)
    titles = header.fontMetrics()
    for name in Columns.HEADERS:
        assert titles.horizontalAdvance(name) < widths[name], name
    assert widths["ms"] < 80 and widths["ms"] < view.viewport().width() / 10  # narrow
    header.resizeSection(Columns.FROM, widths["From"] + 50)  # the user's width stays
    log_panel.add_records(_records(2, 10))
    assert view.columnWidth(Columns.FROM) == widths["From"] + 50


# -- replay -------------------------------------------------------------------------------------


def _one_request(log_panel, services, http, qtbot, path="/flows/main") -> None:
    server = services.flow_server()
    http.post(f"{server.url}{path}", json=carrierx_body(SID_A))
    rows = log_panel.model.rowCount()
    qtbot.waitUntil(lambda: log_panel.model.rowCount() == rows + 1, timeout=5000)
    log_panel.select_row(-1)


def test_replay_after_an_edit_shows_the_changed_line(log_panel, services, project, http, qtbot):
    _one_request(log_panel, services, http, qtbot)
    document = project.flow("main")
    document.set_text(document.root.child(0), "Welcome back")
    assert log_panel.replay() == "1 line changed"
    inspector = log_panel.inspector
    assert inspector.currentWidget() is inspector.replay_box
    assert "1 line changed" in inspector.replay_summary.text()
    diff = inspector.diff
    changed = diff.changed_rows()
    assert len(changed) == 1
    old_line = diff.old_pane.document().findBlockByNumber(changed[0]).text()
    new_line = diff.new_pane.document().findBlockByNumber(changed[0]).text()
    assert "<Say>Welcome</Say>" in old_line and "<Say>Welcome back</Say>" in new_line
    assert len(diff.old_pane.extraSelections()) == len(diff.new_pane.extraSelections()) == 1
    assert diff.old_pane.isReadOnly() and diff.new_pane.isReadOnly()

    # The edit is now served: a new request, replayed with nothing changed since.
    _one_request(log_panel, services, http, qtbot)
    assert log_panel.replay() == "unchanged"
    assert diff.changed_rows() == []
    assert "unchanged" in inspector.replay_summary.text()


def test_replay_of_a_deleted_flow_is_a_404(log_panel, services, project, http, qtbot):
    _one_request(log_panel, services, http, qtbot, "/flows/menu")
    project.remove_flow("menu")
    said = log_panel.replay()
    assert said.startswith("status 200 -> 404")
    assert "200 -> 404" in log_panel.inspector.replay_summary.text()
    assert log_panel.inspector.diff.new_title.text() == "Now · 404"


def test_ctrl_r_in_the_table_replays(log_panel, services, http, qtbot):
    _one_request(log_panel, services, http, qtbot)
    log_panel.view.setFocus()
    qtbot.keyClick(log_panel.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "unchanged" in log_panel.inspector.replay_summary.text()


def test_replay_with_the_server_stopped_exports_against_the_logged_base(
    log_panel, services, project, http, qtbot
):
    _one_request(log_panel, services, http, qtbot)
    services.stop_flow_server()
    assert log_panel.replay() == "unchanged"  # flow: references resolve as they did
    assert "server stopped" in log_panel.inspector.replay_summary.text()
    document = project.flow("main")
    document.set_attribute(document.root.child(0), "voice", "woman")
    assert log_panel.replay() == "1 line changed"


def test_replay_needs_a_selection_and_a_new_selection_forgets_the_last_replay(
    log_panel, services, http, qtbot
):
    assert log_panel.replay() is None
    assert not log_panel.replay_button.isEnabled()
    _one_request(log_panel, services, http, qtbot)
    _one_request(log_panel, services, http, qtbot)
    assert log_panel.replay_button.isEnabled()
    log_panel.replay()
    log_panel.select_row(0)
    assert log_panel.inspector.diff.rows == []
    assert log_panel.inspector.replay_summary.text() == log_panel.inspector.NO_REPLAY


# -- findable controls --------------------------------------------------------------------------


def test_the_findable_check_fails_on_an_unnamed_or_repeated_control(panel):
    assert_findable(panel)
    stray = QPushButton("Stray", panel.settings_box)
    with pytest.raises(AssertionError, match="without an objectName"):
        assert_findable(panel)
    findable(stray, "server-start", "A second start button")
    with pytest.raises(AssertionError, match="server-start"):
        assert_findable(panel)


def test_every_control_of_the_server_panel_is_findable(panel, services):
    services.flow_server()  # the flow URL rows, each with its Copy button
    found = assert_findable(panel)
    for control in (
        panel.start_button,
        panel.stop_button,
        panel.host_combo,
        panel.port_spin,
        panel.public_edit,
        panel.token_edit,
        panel.generate_button,
        panel.copy_token_button,
        panel.clear_token_button,
        panel.apply_button,
        url_button(panel, "main"),
        url_button(panel, "menu"),
    ):
        assert found[control.objectName()] is control
    assert panel.findChild(QToolButton, "server-url-copy-menu") is url_button(panel, "menu")
    assert url_button(panel, "menu").accessibleName() == "Copy the URL of the flow menu"
    assert panel.public_edit.accessibleName() == "Public URL of the flow server"


def test_every_control_of_the_request_log_is_findable(log_panel):
    found = assert_findable(log_panel)
    inspector = log_panel.inspector
    for control in (
        log_panel.filter_edit,
        log_panel.replay_button,
        log_panel.clear_button,
        log_panel.view,
        inspector.params,
        inspector.answer,
        inspector.diff.old_pane,
        inspector.diff.new_pane,
    ):
        assert found[control.objectName()] is control
    # The log's table and the inspector's parameters are told apart by name, not by columns.
    assert log_panel.findChild(QTableView, "requests-table") is log_panel.view
    assert log_panel.findChild(QTableView, "request-parameters") is inspector.params
    assert log_panel.view.accessibleName() != inspector.params.accessibleName()


# -- replay: known problems and bugs ------------------------------------------------------------


def test_a_bug_during_replay_is_said_as_unexpected_and_logged_with_its_traceback(
    log_panel, services, http, qtbot, monkeypatch, caplog
):
    _one_request(log_panel, services, http, qtbot)

    def broken_answer(*_args):
        raise RuntimeError("a bug in the replay's routing")

    monkeypatch.setattr(replay_module, "answer", broken_answer)
    with caplog.at_level(logging.ERROR, logger="gui.qt.loop.request_log"):
        said = log_panel.replay()
    assert said == UNEXPECTED
    inspector = log_panel.inspector
    assert inspector.replay_summary.text() == UNEXPECTED
    assert inspector.currentWidget() is inspector.replay_box
    assert inspector.diff.rows == []
    (record,) = [r for r in caplog.records if r.name == "gui.qt.loop.request_log"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "a bug in the replay's routing" in caplog.text and "Traceback" in caplog.text

    monkeypatch.undo()  # the controls are back: the next replay works
    assert log_panel.replay_button.isEnabled()
    assert log_panel.replay() == "unchanged"


def test_a_draft_that_cannot_be_exported_is_said_and_not_logged(
    log_panel, services, http, qtbot, monkeypatch, caplog
):
    _one_request(log_panel, services, http, qtbot)

    def refuse(cls, project, base_url):
        raise ValueError("the entry flow 'gone' is not in the snapshot")

    monkeypatch.setattr(Snapshot, "from_project", classmethod(refuse))
    with caplog.at_level(logging.DEBUG, logger="gui.qt.loop.request_log"):
        said = log_panel.replay()
    assert said == (
        "The draft could not be exported, so nothing was replayed: "
        "the entry flow 'gone' is not in the snapshot"
    )
    assert log_panel.inspector.replay_summary.text() == said
    assert not [r for r in caplog.records if r.name == "gui.qt.loop.request_log"]


def test_a_request_through_a_switch_shows_what_it_chose_and_replays_with_its_digits(
    log_panel, services, project, http, qtbot
):
    from dataclasses import replace

    from gui.core.switches import MatchKind, Switch, make_case

    project.add_flow("sales", parse(b"<Response><Say>Sales</Say></Response>"))
    project.add_flow("support", parse(b"<Response><Say>Support</Say></Response>"))
    project.add_switch(
        Switch(
            "route",
            "Digits",
            (make_case(MatchKind.VALUE, "1", "sales"), make_case(MatchKind.VALUE, "2", "support")),
            "main",
        )
    )
    services.publish()
    server = services.flow_server()
    http.post(f"{server.url}/flows/route", json={**carrierx_body(SID_A), "Digits": "2"})
    qtbot.waitUntil(lambda: log_panel.model.rowCount() == 1, timeout=5000)
    log_panel.select_row(-1)
    model = log_panel.model
    assert model.text(model.record(0), model.PATH) == "/flows/route → support"
    said = log_panel.inspector.answer_line.text()
    assert said.endswith("switch route: Digits='2' → case '2' → support"), said
    # Replay answers with the request's own Digits: an edit of the case it took shows.
    route = project.switch("route")
    project.replace_switch(
        replace(route, cases=(route.cases[0], make_case(MatchKind.VALUE, "2", "sales")))
    )
    assert log_panel.replay() == "1 line changed"
    changed = log_panel.inspector.diff.changed_rows()
    new_line = log_panel.inspector.diff.new_pane.document().findBlockByNumber(changed[0]).text()
    assert "<Say>Sales</Say>" in new_line
