"""The call log panel lists, filters, copies, redials, cancels and deletes call attempts, shows
the flow server's requests for the selected call, and says when the log had to start afresh."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMessageBox

from gui.core.call_status import CallStatusTracker
from gui.core.calllog import FINAL_STATUS, CallEntry, CallLog
from gui.core.server.records import RequestRecord
from gui.qt.calling.call_log_panel import (
    ENTRY_ROLE,
    CallDetails,
    CallLogPanel,
    CallTableModel,
    count_text,
    local_time,
    outcome_text,
)

Columns = CallTableModel
T0 = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
SID_PLACED = "3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678"
SID_SCHEDULED = "9d8c7b6a-0000-1111-2222-333344445555"


@pytest.fixture
def log(tmp_path):
    with CallLog(tmp_path / "calls.sqlite3") as log:
        log.add(
            "work",
            "+1 (516) 206-5318",
            "+15551230001",
            "https://flows.example.com/t/abc/",
            "POST",
            call_sid=SID_PLACED,
            outcome="placed",
            details={"call_sid": SID_PLACED, "state": "queued"},
            time=T0,
        )
        log.add(
            "personal",
            "+15162065318",
            "+442079460958",
            "https://example.org/menu.xml",
            "GET",
            outcome="failed",
            error="CarrierX refused the call: the To number is not valid",
            time=T0 + timedelta(minutes=1),
        )
        log.add(
            "work",
            "+15550000000",
            "+15551239999",
            "https://flows.example.com/t/abc/flows/later",
            "POST",
            call_sid=SID_SCHEDULED,
            outcome="scheduled",
            details={"delay": 300},
            time=T0 + timedelta(minutes=2),
        )
        yield log


@pytest.fixture
def panel(qtbot, log):
    panel = CallLogPanel()
    qtbot.addWidget(panel)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    QAbstractItemModelTester(panel.proxy, QAbstractItemModelTester.FailureReportingMode.Fatal)
    panel.set_log(log)
    panel.resize(1000, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _column(panel, column: int) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def _to_numbers(panel) -> list[str]:
    return _column(panel, Columns.TO)


def _select(panel, *to_numbers: str) -> list[CallEntry]:
    """Select the rows of these To numbers; return their entries."""
    ids = {
        panel.proxy.index(row, 0).data(ENTRY_ROLE).id
        for row in range(panel.proxy.rowCount())
        if panel.proxy.index(row, Columns.TO).data() in to_numbers
    }
    panel._select_ids(ids, next(iter(ids)) if ids else None)
    return panel.selected_entries()


def _focus_table(panel, qtbot) -> None:
    panel.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)


def test_entries_newest_first_with_every_column(panel):
    model = panel.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)] == [
        "Time",
        "Profile",
        "From",
        "To",
        "Flow/URL",
        "Method",
        "Call SID",
        "Outcome",
        "Duration",
    ]
    assert model.columnCount() == 9
    assert _to_numbers(panel) == ["+15551239999", "+442079460958", "+15551230001"]
    assert panel.summary.text() == "3 calls"
    newest = [panel.proxy.index(0, c).data() for c in range(9)]
    local = (T0 + timedelta(minutes=2)).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert newest == [
        local,
        "work",
        "+15550000000",
        "+15551239999",
        "https://flows.example.com/t/abc/flows/later",
        "POST",
        "9d8c7b6a",
        "Scheduled",
        "",  # no duration until the call has ended
    ]
    sid = panel.proxy.index(0, Columns.SID)
    assert sid.data(Qt.ItemDataRole.ToolTipRole) == SID_SCHEDULED
    assert "2025-03-01T14:02:00.000000+00:00" in panel.proxy.index(0, 0).data(
        Qt.ItemDataRole.ToolTipRole
    )


def test_failed_rows_are_marked_and_explain_themselves(panel):
    failed = panel.proxy.index(1, Columns.OUTCOME)
    assert failed.data() == "Failed"
    assert failed.data(Qt.ItemDataRole.ToolTipRole) == (
        "CarrierX refused the call: the To number is not valid"
    )
    assert not failed.data(Qt.ItemDataRole.DecorationRole).isNull()
    red = panel.proxy.index(1, Columns.TO).data(Qt.ItemDataRole.ForegroundRole)
    assert red.red() > 150 and red.red() > 2 * max(red.green(), red.blue())
    placed = panel.proxy.index(2, Columns.OUTCOME)
    assert placed.data(Qt.ItemDataRole.DecorationRole) is None
    assert placed.data(Qt.ItemDataRole.ForegroundRole) is None
    assert panel.proxy.index(1, Columns.SID).data() == ""


def test_sorting_by_a_column_and_back_to_newest_first(panel):
    panel.view.sortByColumn(Columns.TO, Qt.SortOrder.AscendingOrder)
    assert _to_numbers(panel) == ["+15551230001", "+15551239999", "+442079460958"]
    panel.view.sortByColumn(Columns.TIME, Qt.SortOrder.DescendingOrder)
    assert _to_numbers(panel) == ["+15551239999", "+442079460958", "+15551230001"]


def test_filter_combo_and_search_narrow_the_rows(panel, qtbot):
    panel.filter.setCurrentIndex(panel.filter.findText("Failed"))
    assert _to_numbers(panel) == ["+442079460958"]
    assert panel.summary.text() == "1 call"
    panel.filter.setCurrentIndex(panel.filter.findText("All"))
    qtbot.keyClicks(panel.search, "516-206")  # digits-insensitive: "+1 (516) 206-5318" too
    assert _to_numbers(panel) == ["+442079460958", "+15551230001"]
    panel.filter.setCurrentIndex(panel.filter.findText("Placed"))
    assert _to_numbers(panel) == ["+15551230001"]
    panel.filter.setCurrentIndex(panel.filter.findText("Cancelled"))
    assert _to_numbers(panel) == []
    assert panel.summary.text() == "No calls"
    panel.filter.setCurrentIndex(panel.filter.findText("All"))
    panel.search.setText("MENU.XML")
    assert _to_numbers(panel) == ["+442079460958"]
    panel.search.clear()
    assert len(_to_numbers(panel)) == 3
    assert panel.search.placeholderText() == "Search numbers, SIDs, URLs"
    assert panel.search.isClearButtonEnabled()


def test_selection_survives_a_refresh(panel):
    _select(panel, "+15551230001")
    panel.refresh()
    assert [e.to_number for e in panel.selected_entries()] == ["+15551230001"]


def test_copy_puts_the_to_number_on_the_clipboard(panel, qtbot):
    QGuiApplication.clipboard().setText("before")
    _select(panel, "+442079460958")
    _focus_table(panel, qtbot)
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "+442079460958"
    _select(panel, "+15551230001", "+15551239999")
    panel.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == "+15551239999\n+15551230001"


def test_ctrl_c_in_the_search_field_copies_its_text(panel, qtbot):
    _select(panel, "+15551230001")
    panel.search.setText("work")
    panel.search.selectAll()
    panel.activateWindow()
    panel.search.setFocus()
    qtbot.waitUntil(panel.search.hasFocus)
    qtbot.keyClick(panel.search, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "work"


def test_enter_and_double_click_redial_the_entry(panel, qtbot, log):
    [entry] = _select(panel, "+15551230001")
    _focus_table(panel, qtbot)
    with qtbot.waitSignal(panel.redial_requested) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == [entry]
    assert blocker.args[0] == log.get(entry.id)

    row = _to_numbers(panel).index("+442079460958")
    rect = panel.view.visualRect(panel.proxy.index(row, Columns.TO))
    with qtbot.waitSignal(panel.redial_requested) as blocker:
        # A real double-click: press and release, then the double-click (mouseDClick alone
        # sends only the last part, which item views ignore).
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0].to_number == "+442079460958"
    assert blocker.args[0].outcome == "failed"


def test_a_single_click_does_not_redial(panel, qtbot):
    rect = panel.view.visualRect(panel.proxy.index(0, Columns.TO))
    with qtbot.assertNotEmitted(panel.redial_requested):
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [e.to_number for e in panel.selected_entries()] == ["+15551239999"]


def test_cancel_only_for_a_scheduled_call(panel, qtbot, log):
    assert not panel.cancel_action.isEnabled()  # nothing selected
    _select(panel, "+15551230001")
    assert not panel.cancel_action.isEnabled()
    assert panel.redial_action.isEnabled()
    _select(panel, "+442079460958")
    assert not panel.cancel_action.isEnabled()
    [scheduled] = _select(panel, "+15551239999")
    assert panel.cancel_action.isEnabled()
    assert panel.cancel_action in panel.view.actions()  # on the context menu
    with qtbot.waitSignal(panel.cancel_requested) as blocker:
        panel.cancel_action.trigger()
    assert blocker.args == [scheduled]

    # The host cancels it in the log; the row follows and cancel turns off.
    log.update(scheduled.id, outcome="cancelled")
    assert _column(panel, Columns.OUTCOME)[0] == "Cancelled"
    assert not panel.cancel_action.isEnabled()
    with qtbot.assertNotEmitted(panel.cancel_requested):
        panel.cancel_scheduled()


def test_several_selected_rows_allow_copy_and_delete_only(panel):
    _select(panel, "+15551239999", "+15551230001")
    assert panel.copy_action.isEnabled()
    assert panel.delete_action.isEnabled()
    assert not panel.redial_action.isEnabled()
    assert not panel.cancel_action.isEnabled()
    assert panel.details.fields.placeholderText() == "2 calls selected."


def _answer(monkeypatch, button):
    asked = []

    def question(parent, title, text, *args):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_delete_asks_and_removes_from_view_and_database(panel, qtbot, log, monkeypatch):
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    gone = _select(panel, "+15551239999", "+15551230001")
    _focus_table(panel, qtbot)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert asked == ["Delete these 2 calls from the call log? This cannot be undone."]
    assert _to_numbers(panel) == ["+442079460958"]
    assert [e.to_number for e in log.entries()] == ["+442079460958"]
    assert all(log.get(e.id) is None for e in gone)
    assert panel.summary.text() == "1 call"
    # The row now in their place is selected, so Del can go on.
    assert [e.to_number for e in panel.selected_entries()] == ["+442079460958"]


def test_delete_refused_keeps_every_row(panel, qtbot, log, monkeypatch):
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    _select(panel, "+442079460958")
    _focus_table(panel, qtbot)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert asked == ["Delete this call from the call log? This cannot be undone."]
    assert len(_to_numbers(panel)) == 3
    assert len(log.entries()) == 3
    _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert panel.delete_selected() == 0
    assert len(log.entries()) == 3


def test_delete_key_in_the_search_field_edits_text(panel, qtbot, monkeypatch):
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    _select(panel, "+15551230001")
    panel.search.setText("work")
    panel.activateWindow()
    panel.search.setFocus()
    qtbot.waitUntil(panel.search.hasFocus)
    panel.search.setCursorPosition(0)
    qtbot.keyClick(panel.search, Qt.Key.Key_Delete)
    assert panel.search.text() == "ork"
    assert asked == []


def test_details_show_every_field(panel):
    _select(panel, "+15551230001")
    text = panel.details.fields.toPlainText()
    assert "+1 (516) 206-5318" in text
    assert "https://flows.example.com/t/abc/" in text
    assert SID_PLACED in text
    assert local_time(panel.selected_entries()[0]) in text
    assert "2025-03-01T14:00:00.000000+00:00" in text
    assert json.dumps({"call_sid": SID_PLACED, "state": "queued"}, indent=2) in text
    _select(panel, "+442079460958")
    text = panel.details.fields.toPlainText()
    assert "CarrierX refused the call: the To number is not valid" in text
    assert "none (CarrierX did not create a call)" in text


def _record(seconds: float, path: str, sid: str | None, status: int = 200, **params):
    if sid is not None:
        params["CallSid"] = sid
    return RequestRecord(
        T0.timestamp() + seconds, "POST", path, params, status, size=120, latency_ms=1.5
    )


def _requests(panel) -> list[list[str]]:
    tree = panel.details.requests
    return [
        [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]


def test_requests_of_the_selected_call_come_from_the_provider(panel):
    records = [
        _record(1, "/", SID_PLACED, From="+15162065318"),
        _record(2, "/", "someone-else"),
        _record(3, "/flows/menu", SID_PLACED, Digits="1"),
        _record(4, "/flows/gone", SID_PLACED, 404, Digits="9#"),
    ]
    asked: list[str] = []

    def provider(call_sid: str) -> list[RequestRecord]:
        asked.append(call_sid)
        return [r for r in records if r.call_sid == call_sid]

    stack = panel.details.requests_stack
    panel.set_request_provider(provider)
    assert stack.currentWidget() is panel.details.requests_empty
    assert panel.details.requests_empty.text() == CallDetails.NO_ENTRY

    _select(panel, "+15551230001")
    assert asked[-1] == SID_PLACED
    assert stack.currentWidget() is panel.details.requests
    clock = [datetime.fromtimestamp(r.time).strftime("%H:%M:%S.000") for r in records]
    assert _requests(panel) == [
        [clock[0], "POST", "/", "200", ""],
        [clock[2], "POST", "/flows/menu", "200", "1"],
        [clock[3], "POST", "/flows/gone", "404", "9#"],
    ]
    assert '"Digits": "1"' in panel.details.requests.topLevelItem(1).toolTip(2)

    _select(panel, "+442079460958")  # failed: no call SID
    assert stack.currentWidget() is panel.details.requests_empty
    assert panel.details.requests_empty.text() == CallDetails.NO_SID

    _select(panel, "+15551239999")  # scheduled: a SID, no request yet
    assert asked[-1] == SID_SCHEDULED
    assert panel.details.requests_empty.text() == CallDetails.NO_REQUESTS
    records.append(_record(400, "/flows/later", SID_SCHEDULED, Digits="42"))
    panel.requests_changed()
    assert _requests(panel) == [
        [datetime.fromtimestamp(records[-1].time).strftime("%H:%M:%S.000"), "POST",
         "/flows/later", "200", "42"]
    ]  # fmt: skip

    panel.set_request_provider(None)
    assert panel.details.requests_empty.text() == CallDetails.NO_PROVIDER


def test_entries_added_and_updated_by_the_host(panel, log):
    log.add("work", "+1", "+15559990000", "https://x/", "POST", outcome="placed")
    assert _to_numbers(panel)[0] == "+15559990000"
    assert panel.summary.text() == "4 calls"

    panel.filter.setCurrentIndex(panel.filter.findText("Scheduled"))
    log.add("work", "+1", "+15558880000", "https://x/", "POST", outcome="placed")
    assert _to_numbers(panel) == ["+15551239999"]  # it does not match the filter
    scheduled = log.entries(outcome="scheduled")[0]
    log.update(scheduled.id, outcome="cancelled")
    assert _to_numbers(panel) == []


def test_a_recovered_log_says_so_until_dismissed(qtbot, tmp_path):
    path = tmp_path / "calls.sqlite3"
    path.write_bytes(b"this is no database " * 50)
    with CallLog(path) as log:
        panel = CallLogPanel()
        qtbot.addWidget(panel)
        panel.set_log(log)
        panel.show()
        qtbot.waitExposed(panel)
        assert panel.warning.isVisible()
        assert panel.warning_text.text() == log.recovered
        assert "file is not a database" in panel.warning_text.text()
        assert str(path.parent) in panel.warning_text.text()
        assert panel.warning_close.toolTip()
        qtbot.mouseClick(panel.warning_close, Qt.MouseButton.LeftButton)
        assert not panel.warning.isVisible()
        assert panel.summary.text() == "No calls"


def test_a_sound_log_shows_no_warning(panel):
    assert not panel.warning.isVisible()


def test_log_errors_are_shown_not_raised(panel, log):
    log.close()
    panel.refresh()
    assert panel.warning.isVisible()
    assert "is closed" in panel.warning_text.text()
    assert len(_to_numbers(panel)) == 3  # what was shown stays


def test_without_a_log_the_panel_is_empty_and_inert(qtbot):
    panel = CallLogPanel()
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 0
    assert not any(
        a.isEnabled()
        for a in (panel.copy_action, panel.redial_action, panel.cancel_action, panel.delete_action)
    )
    assert panel.copy_number() is None
    assert panel.delete_selected() == 0


def test_every_control_explains_itself(panel):
    controls = [panel.filter, panel.search, panel.view, panel.summary, panel.details.fields]
    controls += [panel.details.requests, panel.warning_close]
    assert all(control.toolTip() for control in controls)
    actions = [panel.copy_action, panel.redial_action, panel.cancel_action, panel.delete_action]
    assert all(action.toolTip() for action in actions)
    assert "Ctrl+C" in panel.copy_action.toolTip()
    assert "Del" in panel.delete_action.toolTip()


def test_count_text():
    assert count_text(0) == "No calls"
    assert count_text(1) == "1 call"
    assert count_text(7) == "7 calls"
    assert count_text(10_000).startswith("Newest 10000 calls")


def _top(panel, widget) -> int:
    return widget.mapTo(panel, QPoint(0, 0)).y()


def test_a_narrow_panel_stacks_the_filter_below_the_actions(panel, qtbot):
    assert _top(panel, panel.filter) < _top(panel, panel.toolbar) + panel.toolbar.height()
    assert panel.details.orientation() == Qt.Orientation.Horizontal
    panel.resize(420, 500)
    qtbot.waitUntil(
        lambda: _top(panel, panel.filter) >= _top(panel, panel.toolbar) + panel.toolbar.height()
    )
    assert panel.width() == 420
    assert panel.details.orientation() == Qt.Orientation.Vertical
    panel.resize(1000, 500)
    qtbot.waitUntil(
        lambda: _top(panel, panel.filter) < _top(panel, panel.toolbar) + panel.toolbar.height()
    )
    assert panel.details.orientation() == Qt.Orientation.Horizontal


# -- the rows follow the log's own changes ------------------------------------------------------


def test_a_call_added_to_the_log_appears_without_any_other_call(panel, log):
    _select(panel, "+442079460958")
    new = log.add("work", "+1", "+15559990000", "https://x/", "POST", outcome="placed")
    assert _to_numbers(panel)[0] == "+15559990000"
    assert panel.proxy.index(0, 0).data(ENTRY_ROLE) == new
    assert panel.summary.text() == "4 calls"
    assert [e.to_number for e in panel.selected_entries()] == ["+442079460958"]  # kept


def test_a_call_updated_in_the_log_changes_its_row_and_its_details(panel, log):
    [scheduled] = _select(panel, "+15551239999")
    assert "Scheduled" in panel.details.fields.toPlainText()
    log.update(scheduled.id, outcome="cancelled", error="Cancelled from another window")
    assert _column(panel, Columns.OUTCOME)[0] == "Cancelled"
    assert "Cancelled from another window" in panel.details.fields.toPlainText()
    assert panel.selected_entries() == [log.get(scheduled.id)]
    assert not panel.cancel_action.isEnabled()


def test_calls_deleted_from_the_log_disappear(panel, log):
    [placed] = _select(panel, "+15551230001")
    log.delete([placed.id])
    assert _to_numbers(panel) == ["+15551239999", "+442079460958"]
    assert panel.summary.text() == "2 calls"
    assert panel.selected_entries() == []
    assert panel.details.fields.placeholderText() == CallDetails.NO_ENTRY
    assert not panel.redial_action.isEnabled()
    log.clear()
    assert _to_numbers(panel) == []
    assert panel.summary.text() == "No calls"


def test_a_filtered_panel_follows_the_log_through_its_query(panel, log):
    panel.filter.setCurrentIndex(panel.filter.findText("Failed"))
    panel.search.setText("516")
    assert _to_numbers(panel) == ["+442079460958"]
    log.add("work", "+15162065318", "+15550001111", "u", "GET", outcome="placed")
    other = log.add("work", "+15162065318", "+15550002222", "u", "GET", outcome="failed")
    log.add("work", "+15550000000", "+15550003333", "u", "GET", outcome="failed")  # no 516
    assert _to_numbers(panel) == ["+15550002222", "+442079460958"]
    log.update(other.id, outcome="cancelled")
    assert _to_numbers(panel) == ["+442079460958"]
    assert panel.summary.text() == "1 call"


def test_the_table_model_adapts_the_list_and_keeps_no_rows(panel, log, qtmodeltester):
    # A second model over the same list shows the same rows: the rows are the list's.
    second = CallTableModel(panel.calls)
    QAbstractItemModelTester(second, QAbstractItemModelTester.FailureReportingMode.Fatal)
    new = log.add("work", "+1", "+15559990000", "https://x/", "POST", outcome="scheduled")
    log.update(new.id, outcome="cancelled")
    log.delete([panel.model.entries()[-1].id])
    assert second.rowCount() == panel.model.rowCount() == 3
    assert second.entries() == panel.model.entries() == log.entries()
    assert second.index(0, Columns.OUTCOME).data() == "Cancelled"
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.proxy)


def test_another_log_replaces_the_first(panel, log, tmp_path):
    with CallLog(tmp_path / "other.sqlite3") as other:
        panel.set_log(other)
        assert panel.log is other and _to_numbers(panel) == []
        log.add("work", "+1", "+15559990000", "https://x/", "POST", outcome="placed")
        assert _to_numbers(panel) == []  # the first log is not followed any more
        other.add("work", "+1", "+15558880000", "https://x/", "POST", outcome="placed")
        assert _to_numbers(panel) == ["+15558880000"]
        panel.set_log(None)
        assert _to_numbers(panel) == []


# -- how calls end (issue 13) -------------------------------------------------------------------


def _ended(log, to: str, outcome: str, duration: int | None, **extra) -> CallEntry:
    """A call that ended so, as the status tracker writes it."""
    final = {"call_status": outcome, "duration": duration, "source": "status callback"}
    return log.add(
        "work",
        "+15555550100",
        to,
        "https://flows.example.com/t/abc/",
        "POST",
        call_sid=extra.pop("call_sid", None),
        outcome=outcome,
        details={FINAL_STATUS: final},
        time=T0 + timedelta(minutes=10),
        **extra,
    )


def _row_of(panel, to: str) -> int:
    return _to_numbers(panel).index(to)


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("placed", "Placed"),
        ("scheduled", "Scheduled"),
        ("completed", "Completed"),
        ("busy", "Busy"),
        ("no-answer", "No answer"),
        ("failed", "Failed"),
        ("cancelled", "Cancelled"),
        ("unknown", "No status"),
    ],
)
def test_each_outcome_in_words(outcome, words):
    assert outcome_text(outcome) == words


def test_the_filter_lists_every_outcome_in_words(panel):
    items = [
        (panel.filter.itemText(i), panel.filter.itemData(i)) for i in range(panel.filter.count())
    ]
    assert items == [
        ("All", None),
        ("Placed", "placed"),
        ("Scheduled", "scheduled"),
        ("Completed", "completed"),
        ("Busy", "busy"),
        ("No answer", "no-answer"),
        ("Failed", "failed"),
        ("Cancelled", "cancelled"),
        ("No status", "unknown"),
    ]


def test_ended_calls_show_their_outcome_colour_and_duration(panel, log):
    _ended(log, "+15550000001", "completed", 65)
    _ended(log, "+15550000002", "busy", 0)
    _ended(log, "+15550000003", "no-answer", 0)
    _ended(log, "+15550000004", "completed", 3725)
    log.add(
        "work",
        "+1",
        "+15550000005",
        "u",
        "POST",
        outcome="unknown",
        error="No final status arrived within 4 h 1 min (the status callback never came: "
        "was its URL reachable?)",
        time=T0 + timedelta(minutes=10),
    )
    outcome = {
        to: panel.proxy.index(_row_of(panel, to), Columns.OUTCOME) for to in _to_numbers(panel)
    }
    duration = {
        to: panel.proxy.index(_row_of(panel, to), Columns.DURATION) for to in _to_numbers(panel)
    }
    assert outcome["+15550000001"].data() == "Completed"
    assert duration["+15550000001"].data() == "1 min 05 s"
    assert duration["+15550000004"].data() == "1 h 02 min 05 s"
    assert outcome["+15550000002"].data() == "Busy" and duration["+15550000002"].data() == "0 s"
    assert outcome["+15550000003"].data() == "No answer"
    assert outcome["+15550000005"].data() == "No status" and duration["+15550000005"].data() == ""
    assert duration["+15551230001"].data() == ""  # placed: not known yet
    # Colours: green completed, amber busy and no answer, orange no status; placed as is.
    green = outcome["+15550000001"].data(Qt.ItemDataRole.ForegroundRole)
    assert green.green() > 2 * max(green.red(), green.blue())
    amber = outcome["+15550000002"].data(Qt.ItemDataRole.ForegroundRole)
    assert amber.red() > amber.blue() and amber.green() > amber.blue()
    assert amber == outcome["+15550000003"].data(Qt.ItemDataRole.ForegroundRole)
    orange = outcome["+15550000005"].data(Qt.ItemDataRole.ForegroundRole)
    assert orange not in (green, amber) and orange.red() > orange.green() > orange.blue()
    assert outcome["+15551230001"].data(Qt.ItemDataRole.ForegroundRole) is None
    # No status is marked with a warning and says why; the others say what they mean.
    assert not outcome["+15550000005"].data(Qt.ItemDataRole.DecorationRole).isNull()
    assert outcome["+15550000001"].data(Qt.ItemDataRole.DecorationRole) is None
    assert (
        outcome["+15550000005"]
        .data(Qt.ItemDataRole.ToolTipRole)
        .startswith("No final status arrived within 4 h 1 min")
    )
    assert outcome["+15550000002"].data(Qt.ItemDataRole.ToolTipRole) == (
        "Busy: the called number was busy (status callback: CallStatus busy)"
    )
    assert "65 s" in duration["+15550000001"].data(Qt.ItemDataRole.ToolTipRole)
    assert duration["+15551230001"].data(Qt.ItemDataRole.ToolTipRole)


def test_sorting_by_duration_goes_by_length(panel, log):
    _ended(log, "+15550000001", "completed", 65)
    _ended(log, "+15550000002", "completed", 7)
    _ended(log, "+15550000003", "completed", 3725)
    panel.view.sortByColumn(Columns.DURATION, Qt.SortOrder.AscendingOrder)
    assert _to_numbers(panel)[-3:] == ["+15550000002", "+15550000001", "+15550000003"]


def test_the_filter_finds_calls_by_how_they_ended(panel, log):
    _ended(log, "+15550000001", "completed", 65)
    _ended(log, "+15550000003", "no-answer", 0)
    panel.filter.setCurrentIndex(panel.filter.findText("No answer"))
    assert _to_numbers(panel) == ["+15550000003"]
    panel.filter.setCurrentIndex(panel.filter.findText("Completed"))
    assert _to_numbers(panel) == ["+15550000001"]
    panel.filter.setCurrentIndex(panel.filter.findText("No status"))
    assert _to_numbers(panel) == []


def test_the_details_show_the_status_and_the_duration(panel, log):
    _ended(log, "+15550000001", "completed", 65)
    _select(panel, "+15550000001")
    text = panel.details.fields.toPlainText()
    assert "\nOutcome\nCompleted\nStatus\nstatus callback: CallStatus completed\n" in text
    assert "\nDuration\n1 min 05 s\n" in text
    _select(panel, "+15551230001")  # placed: neither is known yet
    text = panel.details.fields.toPlainText()
    assert "Duration" not in text and "CallStatus" not in text


def test_a_placed_row_follows_its_status_callback_to_completed(panel, log):
    [placed] = _select(panel, "+15551230001")
    tracker = CallStatusTracker(log)
    hex_sid = SID_PLACED.replace("-", "")
    tracker.status_callback({"CallSid": hex_sid, "CallStatus": "completed", "CallDuration": "65"})
    row = _row_of(panel, "+15551230001")
    assert panel.proxy.index(row, Columns.OUTCOME).data() == "Completed"
    assert panel.proxy.index(row, Columns.DURATION).data() == "1 min 05 s"
    assert panel.selected_entries() == [log.get(placed.id)]  # still selected, details anew
    assert "1 min 05 s" in panel.details.fields.toPlainText()
