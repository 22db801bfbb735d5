"""The switch editor, driven through its widgets: the parameter, every kind of case typed into
the cells, the targets, reordering, the otherwise target; each change one undo step that
restores the exact project text, bad input refused in place, outside changes followed."""

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QWidget,
)

from gui.core.project import Project
from gui.core.project_file import read_project
from gui.core.switches import MatchKind
from gui.qt.designer.editing import Editing
from gui.qt.designer.switch_cases import GOTO, MATCH, VALUE
from gui.qt.designer.switch_delegates import HoursEditor
from gui.qt.designer.switch_editor import SwitchEditor

# A combo box's list is a popup that grabs the keyboard, which offscreen cannot do.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support grabbing the keyboard", extend=True
)

PROJECT = b"""<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <flow name="menu">
    <Response>
      <Gather action="flow:route" numDigits="1"><Say>Press 1 or 2.</Say></Gather>
      <Redirect>flow:route</Redirect>
    </Response>
  </flow>
  <flow name="sales"><Response><Hangup/></Response></flow>
  <flow name="support"><Response><Hangup/></Response></flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <case value="2" goto="support"/>
    <otherwise goto="menu"/>
  </switch>
</flexml-project>
"""


@pytest.fixture
def editor(qtbot):
    project = Project.from_contents(read_project(PROJECT))
    widget = SwitchEditor(Editing(project))
    qtbot.addWidget(widget)
    widget.tester = QAbstractItemModelTester(
        widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    widget.resize(760, 420)
    widget.set_switch("route")
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def project(editor) -> Project:
    return editor.editing.project


def route(editor):
    return project(editor).switch("route")


def cell(editor, row: int, column: int) -> str:
    return editor.model.index(row, column).data()


def open_cell(editor, row: int, column: int) -> QWidget:
    """Start editing a cell as F2 does, and return its editor."""
    index = editor.model.index(row, column)
    editor.table.setFocus()
    editor.table.setCurrentIndex(index)
    QApplication.processEvents()
    editor.table.edit(index)
    widget = editor.table.indexWidget(index)
    assert widget is not None
    return widget


def type_text(qtbot, line: QLineEdit, text: str) -> None:
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick `text` from the combo's list as a user does: open it, arrow to it, Enter."""
    if not combo.view().isVisible():
        combo.showPopup()
    qtbot.waitUntil(combo.view().isVisible)
    target = combo.findText(text)
    assert target >= 0, text
    view = combo.view()
    view.setCurrentIndex(combo.model().index(target, 0))
    window = combo.window()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    # Offscreen, a closed popup gives the activation back to no window: the user's would
    # get it back, so give it back.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def step_is_one_undo(editor, before: str) -> None:
    """The last gesture made exactly one undo step, and undoing it gives `before` back."""
    stack = editor.editing.stack
    after = project(editor).to_text()
    count = stack.count()
    stack.undo()
    assert project(editor).to_text() == before
    stack.redo()
    assert project(editor).to_text() == after
    assert stack.count() == count


# -- what it shows --------------------------------------------------------------------------


def test_shows_the_parameter_the_cases_and_the_otherwise_target(editor):
    assert editor.title.text() == "route"
    assert editor.on_combo.currentText() == "Digits"
    rows = [[cell(editor, r, c) for c in (MATCH, VALUE, GOTO)] for r in range(2)]
    assert rows == [["value", "1", "sales"], ["value", "2", "support"]]
    assert editor.otherwise_combo.currentText() == "menu"
    targets = [editor.otherwise_combo.itemText(i) for i in range(editor.otherwise_combo.count())]
    assert targets == ["(none)", "menu", "sales", "support"]  # never the switch itself
    assert editor.model.headerData(1, Qt.Orientation.Vertical) == "2"  # as lint counts


# -- typing into the cells ------------------------------------------------------------------


def test_a_typed_value_is_one_undo_step_made_on_enter_not_per_key(editor, qtbot):
    before = project(editor).to_text()
    line = open_cell(editor, 0, VALUE)
    assert isinstance(line, QLineEdit) and line.objectName() == "switch-case-value"
    type_text(qtbot, line, "17")
    assert editor.editing.stack.count() == 0  # typing commits nothing yet
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert route(editor).cases[0].values == ("17",)
    assert editor.editing.stack.count() == 1
    assert editor.table.indexWidget(editor.model.index(0, VALUE)) is None  # closed
    step_is_one_undo(editor, before)
    editor.editing.stack.undo()
    assert cell(editor, 0, VALUE) == "1"  # the table follows undo


def test_a_typed_value_is_kept_when_the_focus_leaves(editor, qtbot):
    line = open_cell(editor, 1, VALUE)
    type_text(qtbot, line, "9")
    editor.on_combo.setFocus()
    qtbot.waitUntil(lambda: route(editor).cases[1].values == ("9",))
    assert editor.editing.stack.count() == 1


@pytest.mark.parametrize(
    ("kind", "typed", "expected_text", "expected_values"),
    [
        ("one of", "1 3 5", "1 3 5", ("1", "3", "5")),
        ("prefix", "0", "0", ("0",)),
        ("pattern", "NXX.", "NXX.", ()),
    ],
)
def test_each_kind_of_case_through_the_cells(
    editor, qtbot, kind, typed, expected_text, expected_values
):
    before = project(editor).to_text()
    combo = open_cell(editor, 0, MATCH)
    assert combo.objectName() == "switch-case-match"
    choose(qtbot, combo, kind)
    assert cell(editor, 0, MATCH) == kind
    assert editor.editing.stack.count() == 1
    step_is_one_undo(editor, before)
    middle = project(editor).to_text()
    line = open_cell(editor, 0, VALUE)
    type_text(qtbot, line, typed)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    case = route(editor).cases[0]
    assert case.text == expected_text and case.goto == "sales"
    if expected_values:
        assert case.values == expected_values
    else:
        assert case.kind is MatchKind.PATTERN and case.pattern.matches("2125")
    assert editor.editing.stack.count() == 2
    step_is_one_undo(editor, middle)


def test_opening_hours_with_a_time_zone_typed_ahead(editor, qtbot):
    combo = open_cell(editor, 1, MATCH)
    choose(qtbot, combo, "hours")
    case = route(editor).cases[1]
    assert case.kind is MatchKind.HOURS and case.zone  # an example to start from
    before = project(editor).to_text()
    hours = open_cell(editor, 1, VALUE)
    assert isinstance(hours, HoursEditor)
    type_text(qtbot, hours.hours, "Mon-Fri 08:30-18:00; Sat 10:00-13:00")
    zone = hours.zone
    assert zone.objectName() == "switch-case-zone"
    type_text(qtbot, zone.lineEdit(), "europe/lond")  # narrows the list as it is typed
    popup = zone.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert zone.completer().currentCompletion() == "Europe/London"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # takes the completion
    hours.window().activateWindow()
    qtbot.waitUntil(hours.window().isActiveWindow)
    assert zone.currentText() == "Europe/London"
    assert editor.editing.stack.count() == 1  # nothing committed while typing
    qtbot.keyClick(hours.hours, Qt.Key.Key_Return)
    case = route(editor).cases[1]
    assert (case.text, case.zone) == ("Mon-Fri 08:30-18:00; Sat 10:00-13:00", "Europe/London")
    assert "Europe/London" in cell(editor, 1, VALUE)
    assert editor.editing.stack.count() == 2
    step_is_one_undo(editor, before)


def test_the_go_to_cell_offers_flows_and_switches_but_not_itself(editor, qtbot):
    before = project(editor).to_text()
    combo = open_cell(editor, 0, GOTO)
    assert combo.objectName() == "switch-case-goto"
    assert [combo.itemText(i) for i in range(combo.count())] == ["menu", "sales", "support"]
    choose(qtbot, combo, "support")
    assert route(editor).cases[0].goto == "support"
    assert editor.editing.stack.count() == 1
    step_is_one_undo(editor, before)


# -- refused input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "zone", "message"),
    [
        ("pattern", "N[9-1]", None, "has a bad range"),
        ("hours", "Mon-Fry 09:00-17:00", None, "'Fry' is not a day"),
        ("hours", "Mon-Fri 09:00-17:00", "Mars/Olympus_Mons", "is not an IANA time zone"),
    ],
)
def test_bad_input_is_refused_in_place_and_changes_nothing(
    editor, qtbot, kind, typed, zone, message
):
    choose(qtbot, open_cell(editor, 0, MATCH), kind)
    before = project(editor).to_text()
    count = editor.editing.stack.count()
    widget = open_cell(editor, 0, VALUE)
    line = widget.hours if isinstance(widget, HoursEditor) else widget
    type_text(qtbot, line, typed)
    if zone is not None:
        type_text(qtbot, widget.zone.lineEdit(), zone)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert message in editor.error.text()
    assert editor.error.isVisible()
    assert editor.table.indexWidget(editor.model.index(0, VALUE)) is widget  # still open
    assert project(editor).to_text() == before and editor.editing.stack.count() == count
    qtbot.keyClick(line, Qt.Key.Key_Escape)  # gives up: the old value stays
    assert project(editor).to_text() == before
    assert editor.table.indexWidget(editor.model.index(0, VALUE)) is None


def test_a_refused_value_left_by_the_focus_keeps_the_old_value(editor, qtbot):
    choose(qtbot, open_cell(editor, 0, MATCH), "pattern")
    before = project(editor).to_text()
    line = open_cell(editor, 0, VALUE)
    type_text(qtbot, line, "1..")
    editor.on_combo.setFocus()
    qtbot.waitUntil(lambda: editor.table.indexWidget(editor.model.index(0, VALUE)) is None)
    assert "'.' may only come last" in editor.error.text()
    assert project(editor).to_text() == before
    # The next change that is made clears the message.
    choose(qtbot, open_cell(editor, 0, GOTO), "menu")
    assert not editor.error.isVisible()


# -- adding, removing, reordering -----------------------------------------------------------


def test_insert_adds_a_case_and_opens_its_value_delete_removes_it(editor, qtbot):
    before = project(editor).to_text()
    editor.select_case(1)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Insert)
    assert len(route(editor).cases) == 3
    assert route(editor).cases[2].values == ("3",)  # the first key no case takes
    assert route(editor).cases[2].goto == "menu"  # a flow it did not go to yet
    line = editor.table.indexWidget(editor.model.index(2, VALUE))
    assert isinstance(line, QLineEdit)  # typing goes straight into the new case's value
    middle = project(editor).to_text()
    type_text(qtbot, line, "0")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert route(editor).cases[2].values == ("0",)
    step_is_one_undo(editor, middle)
    editor.editing.stack.undo()
    step_is_one_undo(editor, before)
    editor.editing.stack.redo()
    editor.table.setFocus()
    editor.select_case(0)
    after_typing = project(editor).to_text()
    qtbot.keyClick(editor.table, Qt.Key.Key_Delete)
    assert [c.goto for c in route(editor).cases] == ["support", "menu"]
    step_is_one_undo(editor, after_typing)
    assert editor.editing.stack.count() == 3


def test_typing_on_a_selected_cell_replaces_its_value_keyboard_only(editor, qtbot):
    editor.table.setFocus()
    editor.table.setCurrentIndex(editor.model.index(1, VALUE))
    qtbot.keyClick(editor.table, "4")  # typing starts the editor, as in a spreadsheet
    line = editor.table.indexWidget(editor.model.index(1, VALUE))
    assert QApplication.focusWidget() is line  # the next keys go there
    qtbot.keyClick(line, "2")
    assert isinstance(line, QLineEdit) and line.text() == "42"
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert route(editor).cases[1].values == ("42",)
    assert editor.editing.stack.count() == 1


def test_clicking_a_row_updates_what_can_be_done(editor, qtbot):
    view = editor.table
    rect = view.visualRect(editor.model.index(1, MATCH))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.current_row() == 1
    assert editor.move_up_action.isEnabled() and not editor.move_down_action.isEnabled()
    rect = view.visualRect(editor.model.index(0, MATCH))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not editor.move_up_action.isEnabled() and editor.move_down_action.isEnabled()


def test_delete_in_a_cell_editor_deletes_text_not_the_case(editor, qtbot):
    line = open_cell(editor, 0, VALUE)
    line.setCursorPosition(0)
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    assert line.text() == "" and len(route(editor).cases) == 2


def test_ctrl_up_and_down_move_the_case(editor, qtbot):
    before = project(editor).to_text()
    editor.table.setFocus()
    editor.select_case(0)
    qtbot.keyClick(editor.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert [c.goto for c in route(editor).cases] == ["support", "sales"]
    assert editor.current_row() == 1  # the selection goes with the case
    step_is_one_undo(editor, before)
    qtbot.keyClick(editor.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [c.goto for c in route(editor).cases] == ["sales", "support"]
    assert editor.editing.stack.count() == 2
    assert not editor.move_up_action.isEnabled()  # at the top


def test_dragging_a_case_reorders_as_one_undo_step(editor):
    before = project(editor).to_text()
    model = editor.model
    data = model.mimeData([model.index(0, MATCH), model.index(0, VALUE)])
    # What the view does with an internal move dropped below the last row.
    accepted = model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert not accepted  # the project moved it: the view must not remove the row itself
    assert [c.goto for c in route(editor).cases] == ["support", "sales"]
    assert editor.editing.stack.count() == 1
    step_is_one_undo(editor, before)
    data = model.mimeData([model.index(1, MATCH)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())  # above the first
    assert [c.goto for c in route(editor).cases] == ["sales", "support"]
    assert editor.table.dragDropMode() == QAbstractItemView.DragDropMode.InternalMove


# -- the parameter and the otherwise target ---------------------------------------------------


def test_the_parameter_is_typed_or_chosen_and_committed_once(editor, qtbot):
    before = project(editor).to_text()
    line = editor.on_combo.lineEdit()
    type_text(qtbot, line, "SipHeader_X-Lang")
    assert editor.editing.stack.count() == 0
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert route(editor).on == "SipHeader_X-Lang"
    editor.table.setFocus()  # the focus leaving does not commit it a second time
    assert editor.editing.stack.count() == 1
    step_is_one_undo(editor, before)
    choose(qtbot, editor.on_combo, "From")
    assert route(editor).on == "From" and editor.editing.stack.count() == 2


def test_the_otherwise_target_and_none(editor, qtbot):
    before = project(editor).to_text()
    choose(qtbot, editor.otherwise_combo, "(none)")
    assert route(editor).otherwise is None
    assert "otherwise" not in project(editor).to_text()
    step_is_one_undo(editor, before)
    choose(qtbot, editor.otherwise_combo, "support")
    assert route(editor).otherwise == "support"
    assert editor.editing.stack.count() == 2


# -- following the project --------------------------------------------------------------------


def test_follows_undo_renames_and_removal_from_elsewhere(editor):
    editing, proj = editor.editing, project(editor)
    editing.edit("Rename", lambda: proj.rename_flow("sales", "shop"))
    assert cell(editor, 0, GOTO) == "shop"  # the goto followed the rename
    assert editor.otherwise_combo.findText("shop") >= 0
    editing.stack.undo()
    assert cell(editor, 0, GOTO) == "sales"
    editing.rename_switch("route", "choice")
    assert editor.name == "choice" and editor.title.text() == "choice"
    assert cell(editor, 1, GOTO) == "support"
    editing.stack.undo()
    assert editor.name == "route"
    editing.remove_switch("route")
    assert editor.name is None and not editor.isEnabled()
    assert editor.model.rowCount() == 0


def test_another_project_opened_lets_go_of_the_old_one(editor):
    old = project(editor)
    other = Project.from_contents(read_project(PROJECT.replace(b'"route"', b'"pick"')))
    editor.editing.set_project(other)
    assert editor.name is None and editor.model.rowCount() == 0
    old.replace_switch(old.switch("route").retargeted("sales", "support"))  # not followed
    editor.set_switch("pick")
    assert [cell(editor, r, GOTO) for r in range(2)] == ["sales", "support"]
    editor.editing.replace_switch(other.switch("pick").retargeted("sales", "menu"))
    assert cell(editor, 0, GOTO) == "menu"


def test_problems_are_shown_on_the_rows_and_beside_otherwise(editor):
    proj = project(editor)
    editor.editing.replace_switch(
        proj.switch("route").retargeted("support", "nowhere").retargeted("menu", "gone")
    )
    editor.set_problems(proj.lint()["route"])
    tip = editor.model.index(1, VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert "goto 'nowhere' leads nowhere" in tip
    assert editor.model.index(1, MATCH).data(Qt.ItemDataRole.DecorationRole) is not None
    assert editor.model.index(0, MATCH).data(Qt.ItemDataRole.DecorationRole) is None
    assert editor.model.index(1, MATCH).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "gone" in editor.otherwise_mark.toolTip() and not editor.otherwise_mark.isHidden()
    assert editor.otherwise_combo.currentText() == "gone (missing)"
    editor.editing.stack.undo()
    editor.set_problems(proj.lint()["route"])
    assert editor.model.index(1, MATCH).data(Qt.ItemDataRole.DecorationRole) is None
    assert editor.otherwise_mark.isHidden()


# -- findable -----------------------------------------------------------------------------


def _controls(root: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit)
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or isinstance(widget, QHeaderView):
            continue
        if widget.objectName().startswith("qt_"):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QComboBox) or (
            parent and isinstance(parent.parentWidget(), QComboBox)
        ):
            continue  # a combo box's own line edit and list
        found.append(widget)
    return found


def test_every_control_and_cell_editor_is_findable(editor, qtbot):
    controls = _controls(editor)
    names = {w.objectName() for w in controls}
    expected = {
        "switch-on",
        "switch-cases",
        "switch-otherwise",
        "switch-add-case",
        "switch-remove-case",
        "switch-move-case-up",
        "switch-move-case-down",
    }
    assert expected <= names
    for column, name in ((MATCH, "switch-case-match"), (GOTO, "switch-case-goto")):
        widget = open_cell(editor, 0, column)
        assert widget.objectName() == name and widget.accessibleName()
        qtbot.keyClick(widget, Qt.Key.Key_Escape)
        editor.table.closePersistentEditor(editor.model.index(0, column))
    choose(qtbot, open_cell(editor, 0, MATCH), "hours")
    hours = open_cell(editor, 0, VALUE)
    controls = _controls(editor)
    assert {"switch-case-hours", "switch-case-zone"} <= {w.objectName() for w in controls}
    missing = [w for w in controls if not w.objectName() or not w.accessibleName()]
    assert not missing, [type(w).__name__ for w in missing]
    for widget in controls:
        if isinstance(widget, QAbstractButton):
            assert widget.toolTip(), widget.objectName()
    qtbot.keyClick(hours.hours, Qt.Key.Key_Escape)


def test_opening_hours_are_kept_when_the_focus_leaves_the_pair(editor, qtbot):
    choose(qtbot, open_cell(editor, 0, MATCH), "hours")
    hours = open_cell(editor, 0, VALUE)
    type_text(qtbot, hours.hours, "Sat-Sun 10:00-14:00")
    type_text(qtbot, hours.zone.lineEdit(), "Asia/Tokyo")  # moving within the pair: no commit
    assert editor.editing.stack.count() == 1
    editor.otherwise_combo.setFocus()
    qtbot.waitUntil(lambda: route(editor).cases[0].zone == "Asia/Tokyo")
    assert route(editor).cases[0].text == "Sat-Sun 10:00-14:00"
    assert editor.editing.stack.count() == 2
    assert editor.table.indexWidget(editor.model.index(0, VALUE)) is None


# -- in the window --------------------------------------------------------------------------


@pytest.fixture
def window(qtbot):
    from gui.core.templates import templates
    from gui.qt.common.settings import SettingsStore
    from gui.qt.window.main_window import MainWindow

    ivr = next(t for t in templates() if t.name == "ivr-menu").load()
    win = MainWindow(ivr, SettingsStore())
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.editing.stack.setClean()
    win.close()
    win.deleteLater()


def test_the_window_shows_a_selected_switch_in_the_editors_place(window, qtbot):
    assert window.central.currentWidget() is window.editor
    window.flows_panel.select("route")
    assert window.current_switch == "route" and window.current_flow is None
    assert window.central.currentWidget() is window.switch_editor
    assert window.switch_editor.name == "route"
    assert window.xml_view.toPlainText().startswith('<switch name="route" on="Digits">')
    assert window.inspector.flow_names is not None and "route" in window.inspector.flow_names
    window.flows_panel.select("sales")
    assert window.central.currentWidget() is window.editor
    assert window.current_flow == "sales" and window.current_switch is None


def test_undo_from_the_window_reaches_the_switch_editor(window, qtbot):
    window.flows_panel.select("route")
    editor = window.switch_editor
    before = window.project.to_text()
    assert editor.set_otherwise("goodbye")
    window.refresh()
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert window.project.to_text() == before
    assert editor.otherwise_combo.currentText() == "menu-again"
    window.redo_action.trigger()
    assert editor.otherwise_combo.currentText() == "goodbye"


def test_problems_of_a_switch_reach_the_panel_the_row_and_back(window, qtbot):
    window.flows_panel.select("route")
    switch = window.project.switch("route")
    window.editing.replace_switch(switch.retargeted("support", "nowhere"))
    window.refresh()
    rows = window.problems_panel.model.row_count()
    found = [window.problems_panel.model.row(r) for r in range(rows)]
    name, problem = next((n, p) for n, p in found if p.code == "unknown-flow")
    assert name == "route" and problem.path == "case 2"
    route_row = window.flows_panel.model.index(window.flows_panel.model.row_of("route"))
    assert route_row.data(Qt.ItemDataRole.BackgroundRole) is not None  # tinted in the list
    tip = window.switch_editor.model.index(1, GOTO).data(Qt.ItemDataRole.ToolTipRole)
    assert "leads nowhere" in tip
    window.flows_panel.select("menu")
    window.problems_panel.problem_activated.emit(name, problem)
    assert window.central.currentWidget() is window.switch_editor
    assert window.switch_editor.current_row() == 1


def test_deleting_the_switch_shown_shows_its_neighbour_never_the_deleted_one(window):
    window.flows_panel.select("route-again")
    assert window.flows_panel.delete(confirm=False)
    window.refresh()
    assert window.current_switch == "route" == window.switch_editor.name
    assert window.flows_panel.delete(confirm=False)
    window.refresh()
    assert window.current_switch is None and window.switch_editor.name is None
    assert window.central.currentWidget() is window.editor
    assert window.current_flow == "goodbye"  # the row above, as for a deleted flow
    window.undo_action.trigger()
    window.refresh()
    assert window.project.is_switch("route")
    assert window.central.currentWidget() is window.switch_editor  # back, and selected


def test_typing_then_clicking_another_switch_keeps_what_was_typed(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.flows_panel.select("route")
    editor = window.switch_editor
    choose(qtbot, open_cell(editor, 1, MATCH), "hours")
    hours = open_cell(editor, 1, VALUE)
    type_text(qtbot, hours.hours, "Mon-Sun 00:00-24:00")
    type_text(qtbot, hours.zone.lineEdit(), "UTC")
    view = window.flows_panel.view
    rect = view.visualRect(window.flows_panel.model.index(window.flows_panel.model.row_of("sales")))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_flow == "sales"
    case = window.project.switch("route").cases[1]
    assert (case.text, case.zone) == ("Mon-Sun 00:00-24:00", "UTC")
