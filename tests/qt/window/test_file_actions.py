"""The File menu's work on its own, with no main window: a plain widget as the dialogs'
parent and drop target, a real project, undo stack, settings and recovery folder."""

import sys
import time

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QMessageBox, QWidget

from gui.core.flexml import Node, parse
from gui.core.project import load
from gui.core.recovery import RecoveryStore
from gui.core.templates import templates
from gui.qt.app import sample_project
from gui.qt.common.settings import SettingsStore
from gui.qt.designer.editing import Editing
from gui.qt.window.file_actions import AUTOSAVE_MS, FileActions

SAMPLE_FLOWS = ["hello", "menu", "menu-again", "sales", "support", "goodbye"]


class Host:
    """What the window would be: the widget, the Editing, and what FileActions reported."""

    def __init__(self, widget: QWidget, tmp_path, served_base=None) -> None:
        self.widget = widget
        self.editing = Editing(sample_project(), self.widget)
        self.settings = SettingsStore()
        self.current_flow: str | None = "menu"
        self.files = FileActions(
            self.editing,
            self.settings,
            self.widget,
            current_flow=lambda: self.current_flow,
            recovery=RecoveryStore(tmp_path / "recovery"),
            served_base=served_base,
        )
        self.messages: list[str] = []
        self.saved: list[str] = []
        self.imported: list[str] = []
        self.files.message.connect(self.messages.append)
        self.files.saved.connect(self.saved.append)
        self.files.flows_imported.connect(self.imported.append)

    @property
    def project(self):
        return self.editing.project

    def change(self) -> None:
        """An undoable edit, as a user's: the project is modified afterwards."""
        flow = self.project.flow("hello")
        root = flow.root
        assert self.editing.edit(
            "Add Hangup", lambda: flow.insert(root, root.child_count(), Node("Hangup"))
        )


@pytest.fixture
def host(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    return Host(widget, tmp_path)


def answer_next_dialog(kind, answer):
    """Call `answer(dialog)` on the next modal dialog of class `kind`; returns what it
    showed (a message box's text, an input dialog's value)."""
    seen = []

    def respond():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            seen.append(dialog.text() if isinstance(dialog, QMessageBox) else dialog.textValue())
            answer(dialog)
        else:  # not up yet: try again shortly
            QTimer.singleShot(10, respond)

    QTimer.singleShot(0, respond)
    return seen


def answer_next_box(button):
    return answer_next_dialog(QMessageBox, lambda box: box.button(button).click())


def unwritable_folder(tmp_path):
    """A folder where no file can be created: read-only, or (as root, whom permissions do
    not stop) a "folder" that is in fact a regular file."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return folder
    (folder / "probe").unlink()
    folder.chmod(0o700)
    blocker = tmp_path / "a-file"
    blocker.write_text("I am a file, not a folder")
    return blocker


@pytest.fixture
def locked(tmp_path):
    folder = unwritable_folder(tmp_path)
    yield folder
    if folder.is_dir():
        folder.chmod(0o700)  # so that pytest can remove it


# -- new and open ----------------------------------------------------------------------


def test_new_from_a_template_replaces_the_project_with_a_clean_history(host):
    host.change()
    seen = answer_next_box(QMessageBox.StandardButton.Discard)
    assert host.files.new_from_template("ivr-menu")
    assert "unsaved changes" in seen[0] and "starting a new project" in seen[0]
    ivr = next(t for t in templates() if t.name == "ivr-menu").load()
    assert host.project.to_text() == ivr.to_text()
    assert host.project.path is None
    assert host.editing.stack.count() == 0 and not host.files.modified


def test_cancelling_the_question_keeps_the_changed_project(host):
    host.change()
    before = host.project.to_text()
    answer_next_box(QMessageBox.StandardButton.Cancel)
    assert not host.files.new_from_template("blank")
    assert host.project.to_text() == before and host.files.modified


def test_choosing_a_template_in_the_dialog(host):
    def pick_blank(dialog):
        blank = next(t for t in templates() if t.name == "blank")
        dialog.setTextValue(f"{blank.title} — {blank.description}")
        dialog.accept()

    answer_next_dialog(QInputDialog, pick_blank)
    assert host.files.new_from_template()
    assert host.project.names == ["main"]
    answer_next_dialog(QInputDialog, lambda dialog: dialog.reject())
    assert not host.files.new_from_template()
    assert host.project.names == ["main"]


def test_open_reads_a_project_or_flexml_files_and_remembers_projects(host, tmp_path):
    xml = tmp_path / "greeting.xml"
    xml.write_text("<Response><Say>Hi</Say></Response>")
    assert host.files.open([str(xml)])
    assert host.project.names == ["greeting"]
    assert host.settings.recent_files() == []  # FlexML files are not a project to reopen
    assert host.settings.get("files/last-folder") == str(tmp_path.resolve())
    target = tmp_path / "saved.flexproj"
    project = sample_project()
    project.save(target)
    assert host.files.open([str(target)])
    assert host.project.names == SAMPLE_FLOWS and host.project.path == target
    assert host.settings.recent_files() == [str(target)]


def test_a_broken_file_is_refused_with_the_reason_and_the_project_kept(host, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<Response><Say>unclosed</Response>")
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not host.files.open([str(bad)])
    assert "not well-formed" in seen[0]
    assert host.messages[-1].startswith("Could not open: ")
    assert host.project.names == SAMPLE_FLOWS


# -- saving ----------------------------------------------------------------------------


def test_save_as_then_save_writes_marks_clean_and_keeps_the_previous_version(host, tmp_path):
    host.change()
    target = tmp_path / "mine.flexproj"
    assert host.files.save_as(target)
    assert host.saved == [str(target)] and host.messages[-1] == f"Saved {target}"
    assert not host.files.modified
    assert load([target]).to_text() == host.project.to_text()
    assert host.settings.recent_files() == [str(target)]
    first = target.read_text()
    host.change()
    assert host.files.save()  # no dialog: the project has its file now
    assert (tmp_path / "mine.flexproj.bak").read_text() == first
    assert target.read_text() == host.project.to_text() != first
    assert host.saved == [str(target), str(target)]


def test_save_as_adds_the_suffix_to_a_name_typed_without_it(host, tmp_path, monkeypatch):
    monkeypatch.setattr(
        "gui.qt.window.file_actions.QFileDialog.getSaveFileName",
        staticmethod(lambda *args: (str(tmp_path / "typed"), "")),
    )
    assert host.files.save_as()
    assert (tmp_path / "typed.flexproj").is_file()
    assert host.project.path == tmp_path / "typed.flexproj"


def test_a_failing_save_keeps_the_old_file_and_says_so(host, tmp_path):
    target = tmp_path / "mine.flexproj"
    assert host.files.save_as(target)
    old = target.read_text()
    # A folder where the backup of the old version goes: the save cannot be completed.
    (tmp_path / "mine.flexproj.bak").mkdir()
    host.change()
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not host.files.save()
    assert "the previous version is unchanged" in seen[0]
    assert host.messages[-1].startswith(f"Could not save: could not save {target}")
    assert target.read_text() == old
    assert host.files.modified  # still unsaved: closing will ask
    assert host.saved == [str(target)]  # only the first save


def test_save_as_into_a_folder_that_cannot_be_written_says_why(host, locked):
    host.change()
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not host.files.save_as(locked / "mine.flexproj")
    assert seen[0].startswith(f"could not save {locked / 'mine.flexproj'}: ")
    assert "no permission" in seen[0] or "not a folder" in seen[0]
    assert host.project.path is None and host.files.modified
    assert host.saved == [] and host.settings.recent_files() == []


def test_discarding_asks_to_save_and_saving_answers_it(host, tmp_path):
    target = tmp_path / "mine.flexproj"
    assert host.files.save_as(target)
    assert host.files.confirm_discard("closing")  # nothing unsaved: no question
    host.change()
    seen = answer_next_box(QMessageBox.StandardButton.Save)
    assert host.files.confirm_discard("closing")
    assert "before closing" in seen[0]
    assert not host.files.modified and target.read_text() == host.project.to_text()


def press_in_next_box(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """Press a key in the next modal message box (as a person would); returns the texts
    of its buttons."""
    seen = []
    deadline = time.monotonic() + 10  # a box that never comes must not answer a later one

    def respond():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isActiveWindow():
            if time.monotonic() < deadline:  # keys reach a window's shortcuts once it is active
                QTimer.singleShot(10, respond)
            return
        seen.extend(b.text() for b in box.buttons())
        qtbot.keyClick(box, key, modifier)  # a mnemonic animates the click: done in 100 ms
        QTimer.singleShot(1000, lambda: give_up(box))

    def give_up(box):
        if shiboken6.isValid(box) and box.isVisible():  # the key did nothing: fail, not hang
            seen.append("the key did not close the box")
            box.reject()

    QTimer.singleShot(0, respond)
    return seen


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS has no Alt mnemonics (Cmd+D)")
def test_the_save_changes_buttons_answer_to_their_keys(host, qtbot, tmp_path):
    target = tmp_path / "mine.flexproj"
    assert host.files.save_as(target)
    alt = Qt.KeyboardModifier.AltModifier
    discard = "Do&n\u2019t Save" if sys.platform == "win32" else "&Discard"
    discard_key = Qt.Key.Key_N if sys.platform == "win32" else Qt.Key.Key_D
    host.change()
    texts = press_in_next_box(qtbot, Qt.Key.Key_C, alt)
    assert not host.files.confirm_discard("closing")
    assert sorted(texts) == sorted(["&Save", discard, "&Cancel"])
    assert host.files.modified
    press_in_next_box(qtbot, Qt.Key.Key_Escape)
    assert not host.files.confirm_discard("closing")
    assert host.files.modified and target.read_text() != host.project.to_text()
    press_in_next_box(qtbot, discard_key, alt)
    assert host.files.confirm_discard("closing")
    assert host.files.modified  # discarded: nothing was saved
    press_in_next_box(qtbot, Qt.Key.Key_S, alt)
    assert host.files.confirm_discard("closing")
    assert not host.files.modified and target.read_text() == host.project.to_text()


def test_the_save_changes_buttons_are_findable(host):
    found = []

    def look(box):
        found.extend((b.objectName(), b.accessibleName(), bool(b.toolTip())) for b in box.buttons())
        box.button(QMessageBox.StandardButton.Cancel).click()

    host.change()
    answer_next_dialog(QMessageBox, look)
    assert not host.files.confirm_discard("closing")
    assert sorted(found) == [
        ("save-changes-cancel", "Cancel", True),
        ("save-changes-discard", "Discard the changes", True),
        ("save-changes-save", "Save", True),
    ]


# -- recent files ----------------------------------------------------------------------


def recent_entries(files: FileActions) -> list[tuple[str, bool]]:
    files.recent_menu.aboutToShow.emit()  # what Qt does as the menu opens
    return [(action.text(), action.isEnabled()) for action in files.recent_menu.actions()]


def test_the_recent_menu_lists_saved_projects_and_opens_them(host, tmp_path):
    assert recent_entries(host.files) == [("No recent projects", False)]
    first, second = tmp_path / "first.flexproj", tmp_path / "second.flexproj"
    assert host.files.save_as(first)
    assert host.files.new_from_template("blank")
    assert host.files.save_as(second)
    assert recent_entries(host.files) == [(str(second), True), (str(first), True)]
    host.files.recent_menu.actions()[1].trigger()
    assert host.project.path == first and host.project.names == SAMPLE_FLOWS
    first.unlink()  # a project deleted since is not offered
    assert recent_entries(host.files) == [(str(second), True)]


def test_the_recent_menu_goes_with_its_widget(qtbot, tmp_path):
    host = Host(QWidget(), tmp_path)  # not given to qtbot: deleted here
    menu = host.files.recent_menu
    assert menu.parentWidget() is host.widget
    host.widget.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(menu))


# -- import and export -----------------------------------------------------------------


def test_import_adds_the_files_as_one_undo_step_and_names_the_last(host, tmp_path):
    sales = tmp_path / "Sales Line.xml"
    sales.write_text("<Response><Say>Sales</Say></Response>")
    hello = tmp_path / "hello.xml"
    hello.write_text("<Response><Say>Another hello</Say></Response>")
    assert host.files.import_files([str(sales), str(hello)])
    assert host.project.names == [*SAMPLE_FLOWS, "sales-line", "hello-2"]
    assert host.imported == ["hello-2"]
    assert host.editing.stack.count() == 1
    host.editing.stack.undo()
    assert host.project.names == SAMPLE_FLOWS


def test_dropped_xml_files_are_imported_and_other_files_ignored(host, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not FlexML")
    flow = tmp_path / "dropped.xml"
    flow.write_text("<Response><Hangup/></Response>")

    def drop(path):
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        args = (
            QPointF(5, 5),
            Qt.DropAction.CopyAction,
            data,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        enter = QDragEnterEvent(*args)
        enter.ignore()
        QApplication.sendEvent(host.widget, enter)
        if not enter.isAccepted():
            # As with a real drag: a refused enter gets no drop. (A QDropEvent sent to a
            # plain widget with no drag in progress reaches Qt's drag manager, which crashed
            # after the flow editor's drag tests had run.)
            return False
        drop_event = QDropEvent(*args)
        QApplication.sendEvent(host.widget, drop_event)
        return drop_event.isAccepted()

    assert host.widget.acceptDrops()
    assert not drop(text)
    assert host.project.names == SAMPLE_FLOWS
    assert drop(flow)
    assert host.project.names == [*SAMPLE_FLOWS, "dropped"]


def test_export_flow_without_a_current_flow_does_nothing(host, tmp_path):
    host.current_flow = None
    assert not host.files.export_flow(str(tmp_path / "x.xml"), base_url="")
    assert list(tmp_path.glob("*.xml")) == []


def test_export_all_writes_every_flow_and_stops_at_a_folder_it_cannot_write(host, tmp_path, locked):
    folder = tmp_path / "all"
    folder.mkdir()
    assert host.files.export_all(str(folder), base_url="")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.xml" for n in SAMPLE_FLOWS)
    assert "flow:menu" in (folder / "hello.xml").read_text()
    assert host.messages[-1].startswith(f"Exported 6 flows to {folder}; still holding ")
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not host.files.export_all(str(locked), base_url="")
    assert seen[0].startswith(f"could not save {locked / 'hello.xml'}: ")
    assert host.messages[-1].startswith("Could not export: ")


# -- recovery --------------------------------------------------------------------------


def test_the_autosave_writes_a_recovery_copy_only_while_modified(host, qtbot):
    store = host.files.recovery
    assert host.files.autosave.isActive() and host.files.autosave.interval() == AUTOSAVE_MS
    host.files.autosave.setInterval(20)
    qtbot.wait(100)
    assert not store.path.exists()
    host.change()
    qtbot.waitUntil(store.path.exists)
    assert store.path.read_text().startswith(host.project.to_text())


def test_saving_and_replacing_the_project_clear_the_recovery_copy(host, tmp_path):
    store = host.files.recovery
    host.change()
    host.files.save_recovery()
    assert store.path.exists()
    assert host.files.save_as(tmp_path / "mine.flexproj")
    assert not store.path.exists()
    host.change()
    host.files.save_recovery()
    assert store.path.exists()
    host.files.replace_project(parse_project("<Response><Hangup/></Response>"))
    assert not store.path.exists() and host.project.names == ["main"]


def parse_project(xml: str):
    from gui.core.project import Project

    project = Project()
    project.add_flow("main", parse(xml.encode()))
    return project


def test_a_recovery_copy_that_cannot_be_written_is_said(host, locked):
    host.files.recovery = RecoveryStore(locked / "recovery")
    host.change()
    host.files.save_recovery()
    assert host.messages[-1].startswith("Could not write the recovery copy: ")
    assert str(locked / "recovery") in host.messages[-1]


def test_shutdown_stops_the_autosave_and_removes_the_copy(host):
    host.change()
    host.files.save_recovery()
    assert host.files.recovery.path.exists()
    host.files.shutdown()
    assert not host.files.autosave.isActive()
    assert not host.files.recovery.path.exists()


# -- the menu --------------------------------------------------------------------------


def test_the_file_menu_has_its_shortcuts_and_quit_closes_the_widget(host, qtbot):
    menu = QMenu(host.widget)
    host.files.populate(menu)
    shortcuts = {a.text(): a.shortcut() for a in menu.actions() if not a.isSeparator()}
    standard = QKeySequence.StandardKey
    assert shortcuts == {
        "&New from Template…": QKeySequence(standard.New),
        "&Open…": QKeySequence(standard.Open),
        "Open &Recent": QKeySequence(),
        "&Save": QKeySequence(standard.Save),
        "Save &As…": QKeySequence(standard.SaveAs),
        "&Import FlexML Files…": QKeySequence("Ctrl+I"),
        "&Export Flow…": QKeySequence("Ctrl+E"),
        "Export &All Flows…": QKeySequence("Ctrl+Shift+E"),
        "Export &Base URL…": QKeySequence(),
        "&Quit": QKeySequence(standard.Quit),
    }
    assert host.files.save_action.text() == "&Save"
    host.widget.show()
    qtbot.waitExposed(host.widget)
    next(a for a in menu.actions() if a.text() == "&Quit").trigger()
    assert not host.widget.isVisible()
