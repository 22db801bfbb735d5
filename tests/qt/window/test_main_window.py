"""The main window as a user drives it: editing, undo, problems, files, recovery."""

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from gui.core.project import load
from gui.core.recovery import RecoveryStore
from gui.qt.app import _offer_recovery, sample_project
from gui.qt.common.settings import SettingsStore
from gui.qt.window.main_window import MainWindow
from tests.conftest import ROOT


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(sample_project(), SettingsStore(), sample=True)  # as a first start
    win.files.recovery = RecoveryStore(tmp_path / "recovery")
    win.show()
    qtbot.waitExposed(win)
    yield win
    # Not qtbot.addWidget: its teardown closes the window before this line, and closing a
    # modified window asks first.
    win.editing.stack.setClean()
    win.close()
    win.deleteLater()


def answer_next_box(button):
    """Click `button` on the next modal message box, and return what it said."""
    seen = []

    def click():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:  # not up yet: try again shortly
            QTimer.singleShot(10, click)

    QTimer.singleShot(0, click)
    return seen


def test_opens_on_the_sample_with_entry_selected_and_everything_in_sync(window):
    assert window.current_flow == "hello"
    assert window.editor.current_node().tag == "Say"
    assert '<Say voice="woman">Hello World' in window.xml_view.toPlainText()
    assert window.counts.text() == "6 flows · 0 errors · 0 warnings"
    assert window.windowTitle() == "Sample project[*] — FlexML Studio"
    assert not window.isWindowModified()


def test_palette_insert_updates_xml_title_and_undo_restores(window, qtbot):
    before = window.xml_view.toPlainText()
    window.palette_panel.verb_activated.emit("Pause")
    window.refresh()
    assert "<Pause/>" in window.xml_view.toPlainText()
    assert window.isWindowModified()
    window.undo_action.trigger()
    window.refresh()
    assert window.xml_view.toPlainText() == before
    assert not window.isWindowModified()


def test_problems_follow_edits_and_activation_selects_the_node(window, qtbot):
    say = window.project.flow("hello").root.child(0)
    window.editing.set_attribute(window.project.flow("hello"), say, "loop", "500")
    window.refresh()
    assert window.counts.text() == "6 flows · 1 errors · 0 warnings"
    window.flows_panel.select("menu")
    assert window.current_flow == "menu"
    problem = window.project.lint()["hello"][0]
    window.problems_panel.problem_activated.emit("hello", problem)
    assert window.current_flow == "hello"
    assert window.editor.current_node() is say


def test_save_reopen_gives_the_same_project(window, tmp_path):
    window.palette_panel.verb_activated.emit("Hangup")
    target = tmp_path / "mine.flexproj"
    assert window.files.save_as(target)
    assert not window.isWindowModified()
    assert window.windowTitle() == "mine.flexproj[*] — FlexML Studio"
    assert load([target]).to_text() == window.project.to_text()
    assert window.settings.recent_files() == [str(target)]
    other = tmp_path / "other.xml"
    other.write_text("<Response><Say>Other</Say></Response>")
    assert window.files.open([str(other)])
    assert window.project.names == ["other"]
    assert window.files.open([str(target)])
    assert window.project.to_text() == target.read_text()


def test_closing_with_unsaved_changes_asks_first(window, qtbot):
    window.palette_panel.verb_activated.emit("Hangup")
    seen = answer_next_box(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert "unsaved changes" in seen[0]
    answer_next_box(QMessageBox.StandardButton.Discard)
    assert window.close()


def test_export_flow_and_all_resolve_references(window, tmp_path):
    window.flows_panel.select("menu")
    target = tmp_path / "menu.xml"
    assert window.files.export_flow(str(target), base_url="https://a.example/app")
    assert 'action="https://a.example/app/flows/route"' in target.read_text()
    folder = tmp_path / "all"
    folder.mkdir()
    assert window.files.export_all(str(folder), base_url="")
    names = window.project.names
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.xml" for n in names)
    assert "flow:menu" in (folder / "hello.xml").read_text()


def test_import_and_dropping_xml_files_adds_flows_as_one_undo_step(window, tmp_path):
    first = tmp_path / "Sales Line.xml"
    first.write_text("<Response><Say>Sales</Say></Response>")
    second = tmp_path / "hello.xml"
    second.write_text("<Response><Say>Another hello</Say></Response>")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        QPointF(10, 10), actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(10, 10), actions, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, drop)
    sample = ["hello", "menu", "menu-again", "sales", "support", "goodbye"]
    assert window.project.names == [*sample, "sales-line", "hello-2"]
    window.undo_action.trigger()
    assert window.project.names == sample


def test_broken_file_on_open_says_why_and_keeps_the_project(window, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<Response><Say>unclosed</Response>")
    before = window.project.to_text()
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not window.files.open([str(bad)])
    assert "not well-formed" in seen[0]
    assert window.project.to_text() == before


RECOVERY_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gui.core.recovery import RecoveryStore
    store = RecoveryStore(Path(sys.argv[1]))
    store.save(Path(sys.argv[2]).read_text(), None)
    """
)


def test_recovery_copy_from_a_crashed_session_is_offered_and_restored(window, tmp_path):
    folder = tmp_path / "recovery"
    crashed = sample_project()
    crashed.rename_flow("menu", "crash-menu")
    text_file = tmp_path / "text.flexproj"
    text_file.write_text(crashed.to_text())
    # A real other process writes the copy and ends without clearing it: a crash.
    subprocess.run(
        [sys.executable, "-c", RECOVERY_WRITER, str(folder), str(text_file)],
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    window.files.recovery = RecoveryStore(folder)
    seen = answer_next_box(QMessageBox.StandardButton.Yes)
    _offer_recovery(window)
    assert "did not close properly" in seen[0]
    assert window.project.names == [
        "hello",
        "crash-menu",
        "menu-again",
        "sales",
        "support",
        "goodbye",
    ]
    assert window.isWindowModified()
    assert window.files.recovery.pending() == []


def test_autosave_writes_a_recovery_copy_only_while_modified(window):
    store = window.files.recovery
    window.files.save_recovery()
    assert not store.path.exists()
    window.palette_panel.verb_activated.emit("Hangup")
    window.files.save_recovery()
    assert "<Hangup/>" in store.path.read_text()
    assert window.files.autosave.interval() == 30_000


def test_command_without_subcommand_opens_the_window_and_screenshots(tmp_path):
    target = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "gui", "--screenshot", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert not image.isNull() and image.width() >= 1000 and image.height() >= 600


def test_file_actions_report_in_the_window(window, tmp_path):
    flow = tmp_path / "Sales Line.xml"
    flow.write_text("<Response><Say>Sales</Say></Response>")
    assert window.files.import_files([str(flow)])
    assert window.current_flow == "sales-line"  # the imported flow is selected and shown
    assert "<Say>Sales</Say>" in window.xml_view.toPlainText()
    target = tmp_path / "mine.flexproj"
    assert window.files.save_as(target)
    assert window.statusBar().currentMessage() == f"Saved {target}"
    assert window.windowTitle() == "mine.flexproj[*] — FlexML Studio"


def test_menus_docks_and_shortcuts_are_where_users_know_them(window):
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["&File", "&Edit", "&Call", "&Tests", "&View", "&Help"]

    def shortcuts(title):
        return {
            a.text(): a.shortcut().toString()
            for a in menus[title].actions()
            if not a.isSeparator() and not a.shortcut().isEmpty()
        }

    assert shortcuts("&Call") == {
        "&Dial pad": "Ctrl+Shift+D",
        "&Place call": "Ctrl+Shift+Return",
        "&Endpoint profiles": "Ctrl+Alt+E",
        "Call &log": "Ctrl+Shift+L",
        "&Simulate the flow": "F5",
        "S&top the simulation": "Shift+F5",
        "&Flow server": "Ctrl+Alt+S",
        "&Requests": "Ctrl+Shift+R",
    }
    assert shortcuts("&Help") == {"FlexML &reference": "F1"}
    assert shortcuts("&Edit")["&Undo"] == window.undo_action.shortcut().toString()
    assert [a.text() for a in menus["&View"].actions()] == [
        "Flows", "Palette", "Inspector", "FlexML", "Problems", "Dial pad", "Endpoint",
        "Flow server", "Call log", "Requests", "Simulator", "Getting started", "Flow map",
        "Tests", "", "Show the flow &map", "Show test &coverage", "", "Reset &layout",
    ]  # fmt: skip
    assert shortcuts("&View") == {"Show the flow &map": "Ctrl+Shift+M"}
    assert shortcuts("&Tests") == {"&Run all tests": "Ctrl+Shift+T"}
    left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    areas = {
        dock.objectName(): window.dockWidgetArea(dock) for dock in window.findChildren(QDockWidget)
    }
    assert areas == {
        "flows-dock": left, "palette-dock": left,
        "inspector-dock": right, "flexml-dock": right, "dial-pad-dock": right,
        "endpoint-dock": right, "flow-server-dock": right, "getting-started-dock": right,
        "problems-dock": bottom, "tests-dock": bottom, "call-log-dock": bottom,
        "requests-dock": bottom, "simulator-dock": bottom, "flow-map-dock": right,
    }  # fmt: skip
