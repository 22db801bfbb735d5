"""FlowEditor gestures: drops from the palette, moves, keyboard, clipboard; each asserts on
the exported XML, and undo/redo restore it exactly."""

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from gui.core.flexml import parse, to_text
from gui.core.project import Project
from gui.qt.designer.editing import Editing
from gui.qt.designer.flow_editor import VERB_MIME_TYPE, FlowEditor
from gui.qt.designer.flow_model import MIME_TYPE

FLOW = b"""<Response>
  <Say>Welcome</Say>
  <Gather numDigits="1" action="flow:main"><Say>Press 1</Say></Gather>
  <Dial><Number>15162065318</Number></Dial>
  <Hangup/>
</Response>"""


@pytest.fixture
def editor(qtbot):
    project = Project()
    project.add_flow("main", parse(FLOW))
    editing = Editing(project)
    view = FlowEditor(editing)
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.set_document(project.flow("main"))
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.set_document(None)  # the view lets go of the model before the nodes go


def xml(view) -> str:
    return to_text(view.document.root)


def tags(node) -> list[str]:
    return [c.tag for c in node.children]


def row_point(view, node, where: str) -> QPoint:
    rect = view.visualRect(view.flow_model.index_of(node))
    if where == "above":
        return QPoint(rect.center().x(), rect.top() + 1)
    if where == "below":
        return QPoint(rect.center().x(), rect.bottom() - 1)
    return rect.center()


def drop(view, data: QMimeData, point: QPoint, action=Qt.DropAction.CopyAction) -> bool:
    """Send the enter, move and drop events a real drag sends; True when the drop was accepted."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    target = view.viewport()
    enter = QDragEnterEvent(point.toPointF(), actions, data, buttons, mods)
    QApplication.sendEvent(target, enter)
    move = QDragMoveEvent(point.toPointF(), actions, data, buttons, mods)
    QApplication.sendEvent(target, move)
    if not move.isAccepted():
        return False
    event = QDropEvent(point.toPointF(), actions, data, buttons, mods)
    event.setDropAction(action)
    QApplication.sendEvent(target, event)
    return True


def verb_data(tag: str) -> QMimeData:
    data = QMimeData()
    data.setData(VERB_MIME_TYPE, tag.encode())
    return data


def test_palette_drop_between_rows_inserts_there_and_undo_restores(editor):
    before = xml(editor)
    root = editor.document.root
    assert drop(editor, verb_data("Pause"), row_point(editor, root.child(3), "above"))
    assert tags(root) == ["Say", "Gather", "Dial", "Pause", "Hangup"]
    assert editor.current_node() is root.child(3)
    after = xml(editor)
    editor.editing.stack.undo()
    assert xml(editor) == before
    editor.editing.stack.redo()
    assert xml(editor) == after


def test_palette_drop_into_a_container_the_schema_allows(editor):
    gather = editor.document.root.child(1)
    assert drop(editor, verb_data("Pause"), row_point(editor, gather, "on"))
    assert tags(gather) == ["Say", "Pause"]


def test_forbidden_drop_is_refused_not_moved_elsewhere(editor):
    before = xml(editor)
    gather = editor.document.root.child(1)
    # A Dial cannot go inside a Gather, nor a Number at the top level.
    assert not drop(editor, verb_data("Dial"), row_point(editor, gather, "on"))
    assert not drop(editor, verb_data("Number"), row_point(editor, gather, "above"))
    assert xml(editor) == before
    assert editor.editing.stack.count() == 0


def test_number_drops_into_dial(editor):
    dial = editor.document.root.child(2)
    assert drop(editor, verb_data("Number"), row_point(editor, dial, "on"))
    assert tags(dial) == ["Number", "Number"]
    assert dial.child(1).text == "15551234567"  # the schema's example: valid at once


def _internal(editor, nodes) -> QMimeData:
    return editor.flow_model.mimeData([editor.flow_model.index_of(n) for n in nodes])


def test_dragging_rows_moves_them_as_one_command(editor):
    root = editor.document.root
    say, hangup = root.child(0), root.child(3)
    data = _internal(editor, [say, hangup])
    before = xml(editor)
    assert drop(editor, data, row_point(editor, root.child(2), "above"), Qt.DropAction.MoveAction)
    assert tags(root) == ["Gather", "Say", "Hangup", "Dial"]
    assert editor.editing.stack.count() == 1
    editor.editing.stack.undo()
    assert xml(editor) == before


def test_dragging_a_row_into_a_container_and_not_into_itself(editor):
    root = editor.document.root
    say, gather = root.child(0), root.child(1)
    assert drop(
        editor, _internal(editor, [say]), row_point(editor, gather, "on"), Qt.DropAction.MoveAction
    )
    assert tags(gather) == ["Say", "Say"] and tags(root) == ["Gather", "Dial", "Hangup"]
    before = xml(editor)
    inner = gather.child(0)
    assert not drop(
        editor,
        _internal(editor, [gather]),
        row_point(editor, inner, "on"),
        Qt.DropAction.MoveAction,
    )
    assert xml(editor) == before


def test_keyboard_move_delete_duplicate(editor, qtbot):
    root = editor.document.root
    editor.select_nodes([root.child(0)])
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert tags(root) == ["Gather", "Say", "Dial", "Hangup"]
    qtbot.keyClick(editor, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert tags(root) == ["Say", "Gather", "Dial", "Hangup"]
    qtbot.keyClick(editor, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert tags(root) == ["Say", "Say", "Gather", "Dial", "Hangup"]
    assert editor.current_node() is root.child(1)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert tags(root) == ["Say", "Gather", "Dial", "Hangup"]
    assert editor.editing.stack.count() == 4
    for _ in range(4):
        editor.editing.stack.undo()
    assert to_text(root) == to_text(parse(FLOW).root)


def test_copy_and_paste_flexml_text(editor, qtbot):
    root = editor.document.root
    editor.select_nodes([root.child(0)])
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "<Say>Welcome</Say>\n"
    editor.select_nodes([root.child(3)])
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert tags(root) == ["Say", "Gather", "Dial", "Hangup", "Say"]
    # XML from documentation, with a declaration and a <Response> around it, pastes too.
    QGuiApplication.clipboard().setText(
        '<?xml version="1.0"?>\n<Response><Pause length="3"/><HangUp/></Response>'
    )
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert tags(root)[-2:] == ["Pause", "Hangup"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('<!DOCTYPE r [<!ENTITY a "aaaa">]><Response><Say>&a;</Say></Response>', "DOCTYPE"),
        ("<Say>unclosed", "not FlexML"),
        ("just words", "no FlexML verbs"),
        ("", "no FlexML"),
    ],
)
def test_hostile_or_broken_paste_is_refused_with_a_message(editor, qtbot, text, fragment):
    before = xml(editor)
    QGuiApplication.clipboard().setText(text)
    with qtbot.waitSignal(editor.message) as blocker:
        editor.paste()
    assert fragment in blocker.args[0]
    assert xml(editor) == before


def test_cut_removes_and_copies(editor, qtbot):
    root = editor.document.root
    editor.select_nodes([root.child(3)])
    editor.cut()
    assert tags(root) == ["Say", "Gather", "Dial"]
    assert QGuiApplication.clipboard().text() == "<Hangup/>\n"


def test_insert_verb_after_selection_or_inside_it(editor):
    root = editor.document.root
    editor.select_nodes([root.child(0)])
    assert editor.insert_verb("Pause")
    assert tags(root) == ["Say", "Pause", "Gather", "Dial", "Hangup"]
    dial = root.child(3)
    editor.select_nodes([dial])
    assert editor.insert_verb("Number")  # not allowed after Dial: goes inside it
    assert tags(dial) == ["Number", "Number"]
    editor.select_nodes([root.child(0)])
    messages = []
    editor.message.connect(messages.append)
    assert not editor.insert_verb("File")  # only inside Play
    assert messages == ["File can only go inside Play: select one first"]


def test_internal_mime_carries_flexml_for_other_apps(editor):
    data = _internal(editor, [editor.document.root.child(1)])
    assert data.hasFormat(MIME_TYPE)
    assert data.text().startswith('<Gather action="flow:main" numDigits="1">')


def test_a_click_or_the_keys_choose_a_verb_and_code_does_not(editor, qtbot):
    root = editor.document.root
    chosen = []
    editor.verb_chosen.connect(chosen.append)
    editor.select_nodes([root.child(2)])  # code: the Simulator following a run, an undo
    assert chosen == []
    qtbot.mouseClick(
        editor.viewport(), Qt.MouseButton.LeftButton, pos=row_point(editor, root.child(2), "on")
    )
    assert chosen == [root.child(2)]  # the row already selected, clicked: chosen again
    qtbot.mouseClick(
        editor.viewport(), Qt.MouseButton.LeftButton, pos=row_point(editor, root.child(0), "on")
    )
    assert chosen[-1] is root.child(0)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Down)
    assert chosen[-1] is root.child(1) and editor.current_node() is root.child(1)
    count = len(chosen)
    qtbot.keyClick(editor, Qt.Key.Key_Home)  # the keys move to another row: chosen
    assert len(chosen) == count + 1 and chosen[-1] is root.child(0)
    qtbot.keyClick(editor, Qt.Key.Key_Up)  # at the top already: nothing new
    empty = editor.viewport().rect().bottomLeft() + QPoint(5, -5)  # below the last row
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    assert len(chosen) == count + 1


LONG_SAY = (
    "Thank you for calling the support line of the example company. Every call is "
    "answered in the order it came in, so please stay on the line."
)


def test_a_long_say_uses_the_width_of_a_wide_editor(qtbot):
    project = Project()
    flow = f'<Response><Say voice="woman">{LONG_SAY}</Say><Gather numDigits="1">'
    flow += f"<Say>{LONG_SAY}</Say></Gather></Response>"
    project.add_flow("main", parse(flow.encode()))
    view = FlowEditor(Editing(project))
    qtbot.addWidget(view)
    view.resize(1400, 300)
    view.set_document(project.flow("main"))
    view.show()
    qtbot.waitExposed(view)
    try:
        assert view.header().sectionSize(0) == view.viewport().width()  # the column fills it
        root = view.document.root
        for node in (root.child(0), root.child(1).child(0)):
            index = view.flow_model.index_of(node)
            text = index.data()
            assert f'"{LONG_SAY}"' in text  # the whole text, not cut short with "..."
            rect = view.visualRect(index)
            icon_and_margins = 40
            assert rect.width() >= view.fontMetrics().horizontalAdvance(text) + icon_and_margins
    finally:
        view.set_document(None)
