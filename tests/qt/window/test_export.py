"""File > Export checks what `flexml-studio export` checks: flows with lint errors are written
only after "Export anyway", and `flow:` references are never kept silently (the base URL is
asked once per project, can be changed, and must be http(s)). Real FileActions, real dialogs
driven while they are modal, the written files read back."""

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from gui.core.flexml import parse
from gui.core.project import load
from tests.qt.findable import assert_findable
from tests.qt.window.test_file_actions import SAMPLE_FLOWS, Host

MENU_TITLE = "Export \u201cmenu\u201d: where will the flows be served?"


@pytest.fixture
def host(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    return Host(widget, tmp_path)


def when_modal(name, act):
    """Call `act(dialog)` on the next modal dialog whose objectName is `name`; returns a
    list that then holds (its title, its text or base URL field, its findable controls)."""
    seen = []
    deadline = time.monotonic() + 10  # a dialog that never comes must not answer a later one

    def respond():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != name:
            if time.monotonic() < deadline:
                QTimer.singleShot(10, respond)  # not up yet
            return
        try:
            field = dialog.findChild(QLineEdit, "export-base-url")
            text = dialog.text() if isinstance(dialog, QMessageBox) else field.text()
            seen.append((dialog.windowTitle(), text, sorted(assert_findable(dialog))))
            act(dialog)
        except BaseException:
            dialog.reject()  # a failing check must not leave the test waiting on the dialog
            raise

    QTimer.singleShot(0, respond)
    return seen


def base_url_answer(text):
    """Type `text` as the base URL and press the dialog's accept button."""

    def act(dialog):
        field = dialog.findChild(QLineEdit, "export-base-url")
        field.setText(text)
        dialog.findChild(QPushButton, "export-base-url-ok").click()

    return act


def export_anyway(box):
    box.findChild(QPushButton, "export-anyway").click()


def add_flow(host, name, xml):
    host.project.add_flow(name, parse(xml.encode()))
    host.current_flow = name


# -- flow: references and the base URL ---------------------------------------------------


def test_the_base_url_is_asked_once_per_project_and_can_be_changed(host, tmp_path):
    seen = when_modal("export-base-url-dialog", base_url_answer("  https://a.example/app "))
    target = tmp_path / "menu.xml"
    assert host.files.export_flow(str(target))
    title, shown, controls = seen[0]
    assert title == MENU_TITLE and shown == ""
    assert controls == ["export-base-url", "export-base-url-cancel", "export-base-url-ok"]
    written = target.read_text()
    assert 'action="https://a.example/app/flows/route"' in written and "flow:" not in written
    assert host.messages[-1] == (
        f"Exported {target}; 2 flow: references turned into URLs under https://a.example/app; "
        "switch \u201croute\u201d cannot be a file: CarrierX must reach the running flow "
        "server for it"
    )
    again = tmp_path / "again.xml"
    assert host.files.export_flow(str(again))  # no dialog: remembered for this project
    assert again.read_text() == written
    # File > Export Base URL… shows the remembered one; cancelling changes nothing.
    seen = when_modal("export-base-url-dialog", lambda dialog: dialog.reject())
    assert not host.files.choose_base_url()
    assert seen[0][0] == "Export: where will the flows of this unsaved project be served?"
    assert seen[0][1] == "https://a.example/app"
    when_modal("export-base-url-dialog", base_url_answer("https://b.example"))
    assert host.files.choose_base_url()
    assert host.messages[-1].endswith("exported with the base URL https://b.example")
    assert host.files.export_flow(str(again))
    assert 'action="https://b.example/flows/route"' in again.read_text()


def test_a_base_url_that_is_not_http_is_refused_in_the_dialog_with_the_reason(host, tmp_path):
    said = []

    def act(dialog):
        field = dialog.findChild(QLineEdit, "export-base-url")
        ok = dialog.findChild(QPushButton, "export-base-url-ok")
        error = dialog.findChild(QLabel, "export-base-url-error")
        for wrong in ("ftp://files.example/app", "flows.example.com", "https://a.example/?x=1"):
            field.setText(wrong)
            ok.click()
            said.append((dialog.isVisible(), error.isVisible(), error.text()))
        field.setText("http://127.0.0.1:8080")
        ok.click()

    when_modal("export-base-url-dialog", act)
    target = tmp_path / "menu.xml"
    assert host.files.export_flow(str(target))
    assert all(visible and shown for visible, shown, _ in said)  # still open, saying why
    texts = [text for _, _, text in said]
    assert "'ftp://files.example/app' is not an http:// or https:// URL" in texts[0]
    assert "'flows.example.com' is not an http:// or https:// URL" in texts[1]
    assert "must not have a query" in texts[2]
    assert 'action="http://127.0.0.1:8080/flows/route"' in target.read_text()


def test_an_empty_base_url_keeps_the_references_and_the_message_says_so(host, tmp_path):
    when_modal("export-base-url-dialog", base_url_answer(""))
    target = tmp_path / "menu.xml"
    assert host.files.export_flow(str(target))
    assert 'action="flow:route"' in target.read_text()
    assert "still holding 2 flow: references that CarrierX cannot fetch" in host.messages[-1]
    assert host.files.export_flow(str(target))  # the answer "keep them" is remembered too
    assert "still holding 2 flow: references" in host.messages[-1]


def test_cancelling_the_base_url_writes_nothing(host, tmp_path):
    when_modal("export-base-url-dialog", lambda dialog: dialog.reject())
    assert not host.files.export_flow(str(tmp_path / "menu.xml"))
    assert not (tmp_path / "menu.xml").exists()
    when_modal("export-base-url-dialog", lambda dialog: dialog.reject())
    assert not host.files.export_all(str(tmp_path))
    assert list(tmp_path.glob("*.xml")) == []


def test_a_flow_without_references_asks_nothing(host, tmp_path):
    host.current_flow = "sales"
    target = tmp_path / "sales.xml"
    assert host.files.export_flow(str(target))
    assert host.messages[-1] == f"Exported {target}"


def test_the_running_flow_servers_public_url_is_offered(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    host = Host(widget, tmp_path, served_base=lambda: "https://tunnel.example")
    offered = []

    def act(dialog):
        field = dialog.findChild(QLineEdit, "export-base-url")
        offered.append(field.text())
        field.setText("https://elsewhere.example")
        use = dialog.findChild(QPushButton, "export-use-served")
        offered.append(use.toolTip())
        use.click()
        offered.append(field.text())
        dialog.findChild(QPushButton, "export-base-url-ok").click()

    seen = when_modal("export-base-url-dialog", act)
    assert host.files.export_all(str(tmp_path))
    assert seen[0][0] == "Export all flows: where will the flows be served?"
    assert "export-use-served" in seen[0][2]
    assert offered[0] == offered[2] == "https://tunnel.example"
    assert "https://tunnel.example" in offered[1]
    assert 'action="https://tunnel.example/flows/route"' in (tmp_path / "menu.xml").read_text()


def test_the_answer_is_remembered_by_project_file_across_sessions(qtbot, host, tmp_path):
    first, second = tmp_path / "first.flexproj", tmp_path / "second.flexproj"
    when_modal("export-base-url-dialog", base_url_answer("https://first.example"))
    assert host.files.export_flow(str(tmp_path / "a.xml"))  # asked while unsaved
    assert host.files.save_as(first)  # the answer goes with the project to its file
    load([first]).save(second)  # the same flows in another file: another project
    # A new session (a new FileActions over the same settings) opens the first project.
    widget = QWidget()
    qtbot.addWidget(widget)
    later = Host(widget, tmp_path)
    assert later.files.open([str(first)])
    assert later.files.export_flow(str(tmp_path / "b.xml"))  # no dialog
    assert 'action="https://first.example/flows/route"' in (tmp_path / "b.xml").read_text()
    assert later.files.open([str(second)])  # another project: asked for its own
    seen = when_modal("export-base-url-dialog", base_url_answer("https://second.example"))
    assert later.files.export_flow(str(tmp_path / "c.xml"))
    assert seen[0][1] == "https://first.example"  # the last one given is offered
    assert later.files.open([str(first)])
    assert later.files.export_flow(str(tmp_path / "d.xml"))
    assert 'action="https://first.example/flows/route"' in (tmp_path / "d.xml").read_text()
    third = tmp_path / "third.flexproj"
    assert later.files.save_as(third)  # saved under another name: the answer goes along
    assert later.files.open([str(third)])
    assert later.files.export_flow(str(tmp_path / "e.xml"))
    assert 'action="https://first.example/flows/route"' in (tmp_path / "e.xml").read_text()


def test_the_projects_own_base_url_setting_is_used_as_the_cli_uses_it(host, tmp_path):
    host.project.settings["export-base-url"] = "https://cli.example"
    target = tmp_path / "menu.xml"
    assert host.files.export_flow(str(target))  # no dialog: `flexml-studio export` asks none
    assert 'action="https://cli.example/flows/route"' in target.read_text()


# -- lint errors ---------------------------------------------------------------------------


def test_a_flow_with_errors_is_exported_only_after_export_anyway(host, qtbot, tmp_path):
    add_flow(host, "broken", '<Response><Say loop="2x">Hi</Say><Dial/></Response>')
    target = tmp_path / "broken.xml"
    seen = when_modal("export-errors", lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape))
    assert not host.files.export_flow(str(target))
    assert not target.exists()
    title, text, controls = seen[0]
    assert title == "Export \u201cbroken\u201d with 2 errors?"
    assert "line 1: Say loop: '2x' is not a whole number" in text
    assert "<Dial> needs phone number to dial" in text
    assert "--force" in text
    assert controls == ["export-anyway", "export-cancel"]
    assert host.messages[-1] == (
        "Not exported: \u201cbroken\u201d has 2 errors (fix them, or choose Export anyway)"
    )
    # Enter presses the default button, Cancel: still nothing written.
    when_modal("export-errors", lambda box: qtbot.keyClick(box, Qt.Key.Key_Return))
    assert not host.files.export_flow(str(target))
    assert not target.exists()
    when_modal("export-errors", export_anyway)
    assert host.files.export_flow(str(target))
    assert 'loop="2x"' in target.read_text()


def test_the_errors_listed_stop_at_ten_and_say_how_many_more(host, tmp_path):
    add_flow(host, "many", "<Response>" + "<Dial/>" * 13 + "</Response>")
    seen = when_modal("export-errors", lambda box: box.reject())
    assert not host.files.export_flow(str(tmp_path / "many.xml"))
    text = seen[0][1]
    assert text.count("needs phone number") == 10
    assert "\u2022 and 3 more" in text


def test_warnings_alone_do_not_ask(host, tmp_path):
    add_flow(host, "warned", "<Response><Hangup/><Say>never</Say></Response>")
    assert host.project.lint()["warned"]  # a warning: unreachable
    target = tmp_path / "warned.xml"
    assert host.files.export_flow(str(target))
    assert "<Say>never</Say>" in target.read_text()


def test_export_all_asks_once_naming_every_flow_with_errors(host, tmp_path):
    add_flow(host, "broken", '<Response><Say loop="2x">Hi</Say></Response>')
    add_flow(host, "also-broken", "<Response><Dial/></Response>")
    folder = tmp_path / "all"
    folder.mkdir()
    seen = when_modal("export-errors", lambda box: box.reject())
    assert not host.files.export_all(str(folder), base_url="")
    assert list(folder.iterdir()) == []
    title, text, _ = seen[0]
    assert title == "Export all flows: 2 flows have errors"
    assert "\u201cbroken\u201d (1 error), \u201calso-broken\u201d (1 error)" in text
    assert "broken: line 1: Say loop: '2x' is not a whole number" in text
    assert "also-broken: line 1: <Dial> needs phone number" in text
    asked = when_modal("export-errors", export_anyway)
    assert host.files.export_all(str(folder), base_url="")
    assert len(asked) == 1  # one question for both
    names = [*SAMPLE_FLOWS, "broken", "also-broken"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.xml" for n in names)


def test_the_window_offers_its_flow_servers_public_url_only_without_a_token(qtbot, qloop):
    """The window's wiring with its real flow server: a server with a token refuses every
    URL without it, and a token never goes into settings or files, so none is offered."""
    from gui.qt.app import sample_project
    from gui.qt.common.services import ServerConfig
    from gui.qt.common.settings import SettingsStore
    from gui.qt.window.main_window import MainWindow

    win = MainWindow(sample_project(), SettingsStore(), remember_layout=False)
    qtbot.addWidget(win)
    try:
        win.services.configure_flow_server(ServerConfig(public_url="https://tunnel.example"))
        assert win.files.served_base() is None  # not running: nothing to offer
        win.services.flow_server()
        assert win.files.served_base() == "https://tunnel.example"
        token = "export-T0KEN-abcdefghijklmnop"
        win.services.configure_flow_server(
            ServerConfig(public_url="https://tunnel.example", token=token)
        )
        assert win.services.flow_server_running.token == token
        assert win.files.served_base() is None
    finally:
        win.services.shutdown()
