"""The flows panel: add, rename (references follow), duplicate, delete with confirmation,
set the entry; every action is one undo step, and the list follows the project."""

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.core.flexml import parse
from gui.core.project import Project
from gui.qt.designer.editing import Editing
from gui.qt.designer.flows_panel import FlowsPanel


@pytest.fixture
def panel(qtbot):
    project = Project()
    project.add_flow("main", parse(b"<Response><Redirect>flow:menu</Redirect></Response>"))
    project.add_flow("menu", parse(b"<Response><Hangup/></Response>"))
    widget = FlowsPanel(Editing(project))
    qtbot.addWidget(widget)
    widget.tester = QAbstractItemModelTester(
        widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    return widget


def rows(panel):
    return [panel.model.index(r).data() for r in range(panel.model.rowCount())]


def test_rows_mark_the_entry(panel):
    assert rows(panel) == ["main  (entry)", "menu"]


def test_add_duplicate_and_undo(panel, qtbot):
    panel.select("main")
    with qtbot.waitSignal(panel.flow_selected) as blocker:
        assert panel.add() == "flow"
    assert blocker.args == ["flow"]
    assert rows(panel) == ["main  (entry)", "flow", "menu"]
    panel.select("menu")
    assert panel.duplicate() == "menu-copy"
    assert rows(panel)[-1] == "menu-copy"
    assert panel.editing.project.export("menu-copy") == panel.editing.project.export("menu")
    panel.editing.stack.undo()
    panel.editing.stack.undo()
    assert rows(panel) == ["main  (entry)", "menu"]


def test_rename_rewrites_references_and_undo_restores(panel):
    project = panel.editing.project
    panel.select("menu")
    assert panel.rename("main-menu")
    assert rows(panel) == ["main  (entry)", "main-menu"]
    assert "flow:main-menu" in project.export("main")
    assert not panel.rename("main")  # taken: refused, nothing changes
    panel.editing.stack.undo()
    assert rows(panel) == ["main  (entry)", "menu"]
    assert "flow:menu" in project.export("main")


def test_delete_asks_first_and_names_the_flows_that_refer_to_it(panel, qtbot):
    panel.select("menu")
    seen = []

    def answer(button):
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Cancel))
    assert not panel.delete()
    assert rows(panel) == ["main  (entry)", "menu"]
    assert "referred to from main" in seen[0]
    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Yes))
    assert panel.delete()
    assert rows(panel) == ["main  (entry)"]
    panel.editing.stack.undo()
    assert rows(panel) == ["main  (entry)", "menu"]


def test_the_delete_action_asks_too(panel, qtbot):
    # QAction.triggered passes `checked`; it must not reach delete() as confirm=False.
    panel.select("menu")
    asked = []

    def answer():
        box = QApplication.activeModalWidget()
        asked.append(isinstance(box, QMessageBox))
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, answer)
    panel.delete_action.trigger()
    assert asked == [True]
    assert rows(panel) == ["main  (entry)", "menu"]


def test_the_rename_action_asks_for_the_new_name(panel, qtbot, monkeypatch):
    asked = []

    def get_text(*args, **kwargs):
        asked.append(kwargs.get("text", args[4] if len(args) > 4 else None))
        return "main-menu", True

    monkeypatch.setattr("gui.qt.designer.flows_panel.QInputDialog.getText", get_text)
    panel.select("main")
    panel.rename_action.trigger()
    assert asked
    assert rows(panel)[0].startswith("main-menu")


def test_set_entry_and_delete_the_entry(panel):
    project = panel.editing.project
    panel.select("menu")
    assert panel.set_entry()
    assert rows(panel) == ["main", "menu  (entry)"]
    assert panel.delete(confirm=False)
    assert project.entry == "main"
    panel.editing.stack.undo()
    panel.editing.stack.undo()
    assert project.entry == "main" and rows(panel) == ["main  (entry)", "menu"]
