"""The flows panel: add, rename (references follow), duplicate, delete with confirmation,
set the entry, for flows and for switches; every action is one undo step, and the list
follows the project."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.project_file import read_project
from gui.qt.common.icons import flow_icon, switch_icon
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


# -- switches -------------------------------------------------------------------------------

SWITCHED = b"""<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <flow name="menu">
    <Response><Gather action="flow:route" numDigits="1"/></Response>
  </flow>
  <flow name="sales"><Response><Hangup/></Response></flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <otherwise goto="again"/>
  </switch>
  <switch name="again" on="Digits">
    <case value="1" goto="sales"/>
    <otherwise goto="menu"/>
  </switch>
</flexml-project>
"""


@pytest.fixture
def switched(qtbot):
    project = Project.from_contents(read_project(SWITCHED))
    widget = FlowsPanel(Editing(project))
    qtbot.addWidget(widget)
    widget.tester = QAbstractItemModelTester(
        widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    widget.show()  # the keys (F2, Del) reach only a shown, active panel
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def undo_restores(panel, before: str) -> None:
    after = panel.editing.project.to_text()
    panel.editing.stack.undo()
    assert panel.editing.project.to_text() == before
    panel.editing.stack.redo()
    assert panel.editing.project.to_text() == after


def test_switches_follow_the_flows_with_their_own_icon(switched):
    assert rows(switched) == ["menu  (entry)", "sales", "route", "again"]
    flow = switched.model.index(0).data(Qt.ItemDataRole.DecorationRole)
    switch = switched.model.index(2).data(Qt.ItemDataRole.DecorationRole)
    assert switch.cacheKey() == switch_icon().cacheKey()
    assert flow.cacheKey() == flow_icon().cacheKey() != switch.cacheKey()
    assert "A switch on Digits" in switched.model.index(2).data(Qt.ItemDataRole.ToolTipRole)


def test_selecting_a_switch_says_so_and_turns_set_entry_off(switched, qtbot):
    with qtbot.waitSignal(switched.switch_selected) as blocker:
        switched.select("again")
    assert blocker.args == ["again"] and switched.current_is_switch()
    assert not switched.entry_action.isEnabled() and not switched.set_entry()
    with qtbot.waitSignal(switched.flow_selected):
        switched.select("sales")
    assert switched.entry_action.isEnabled()


def test_add_switch_is_one_undo_step_with_a_unique_name(switched, qtbot):
    before = switched.editing.project.to_text()
    switched.select("route")
    button = switched.findChild(QWidget, "flows-add-switch")
    assert button is not None and button.accessibleName() and button.toolTip()
    with qtbot.waitSignal(switched.switch_selected) as blocker:
        switched.add_switch_action.trigger()
    assert blocker.args == ["switch"]
    assert rows(switched) == ["menu  (entry)", "sales", "route", "switch", "again"]
    assert switched.editing.project.switch("switch").on == "Digits"
    assert switched.add_switch() == "switch-2"
    assert switched.editing.stack.count() == 2
    switched.editing.stack.undo()
    undo_restores(switched, before)
    switched.editing.stack.undo()
    assert rows(switched) == ["menu  (entry)", "sales", "route", "again"]


def test_rename_a_switch_with_f2_and_references_and_gotos_follow(switched, qtbot, monkeypatch):
    project = switched.editing.project
    before = project.to_text()
    monkeypatch.setattr(
        "gui.qt.designer.flows_panel.QInputDialog.getText", lambda *a, **k: ("Choice", True)
    )
    switched.select("route")
    switched.view.setFocus()
    qtbot.keyClick(switched.view, Qt.Key.Key_F2)
    assert rows(switched) == ["menu  (entry)", "sales", "choice", "again"]
    assert 'action="flow:choice"' in project.export("menu")
    assert not project.is_switch("route")
    assert switched.editing.stack.count() == 1
    undo_restores(switched, before)
    switched.select("again")
    assert not switched.rename("sales")  # a flow has that name: refused, nothing changes
    assert switched.editing.stack.count() == 1


def test_duplicate_a_switch(switched):
    project = switched.editing.project
    switched.select("route")
    assert switched.duplicate() == "route-copy"
    assert rows(switched) == ["menu  (entry)", "sales", "route", "route-copy", "again"]
    assert project.switch("route-copy").cases == project.switch("route").cases
    assert switched.current_name() == "route-copy"
    switched.editing.stack.undo()
    assert rows(switched) == ["menu  (entry)", "sales", "route", "again"]


def _answer(button, seen):
    def click():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, click)


def test_delete_a_switch_asks_naming_what_leads_to_it(switched, qtbot):
    before = switched.editing.project.to_text()
    switched.select("again")
    seen = []
    _answer(QMessageBox.StandardButton.Cancel, seen)
    switched.view.setFocus()
    qtbot.keyClick(switched.view, Qt.Key.Key_Delete)
    assert "Delete the switch again?" in seen[0]
    assert "flow:again is referred to from route." in seen[0]
    assert rows(switched)[-1] == "again"
    _answer(QMessageBox.StandardButton.Yes, seen)
    assert switched.delete()
    assert rows(switched) == ["menu  (entry)", "sales", "route"]
    assert switched.editing.stack.count() == 1
    undo_restores(switched, before)


def test_deleting_a_flow_names_the_switches_that_go_to_it(switched):
    switched.select("sales")
    seen = []
    _answer(QMessageBox.StandardButton.Cancel, seen)
    assert not switched.delete()
    assert "flow:sales is referred to from route, again." in seen[0]
    assert switched.referrers("route") == ["menu"]


def test_rows_with_problems_are_tinted_and_say_why(switched):
    project = switched.editing.project
    switched.editing.remove_switch("again")  # route's otherwise now leads nowhere
    switched.set_problems(project.lint())
    route = switched.model.index(switched.model.row_of("route"))
    assert route.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "goto 'again' leads nowhere" in route.data(Qt.ItemDataRole.ToolTipRole)
    sales = switched.model.index(switched.model.row_of("sales"))
    assert sales.data(Qt.ItemDataRole.BackgroundRole) is None
    switched.editing.stack.undo()
    switched.set_problems(project.lint())
    assert switched.model.index(2).data(Qt.ItemDataRole.BackgroundRole) is None
