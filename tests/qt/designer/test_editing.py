"""Editing: one undo command per gesture, typing merges, refused edits change nothing."""

from gui.core.flexml import Node, parse
from gui.core.project import Project
from gui.qt.designer.editing import Editing


def _editing() -> tuple[Editing, Project]:
    project = Project()
    project.add_flow("main", parse(b"<Response><Say>Hi</Say></Response>"))
    project.add_flow("other", parse(b"<Response><Hangup/></Response>"))
    return Editing(project), project


def test_typing_in_one_field_is_one_command(qtbot):
    editing, project = _editing()
    document = project.flow("main")
    say = document.root.child(0)
    for text in ("H", "He", "Hel", "Hello"):
        editing.set_text(document, say, text)
    assert editing.stack.count() == 1
    editing.break_merge()
    editing.set_text(document, say, "Hello!")
    assert editing.stack.count() == 2
    editing.stack.undo()
    assert say.text == "Hello"
    editing.stack.undo()
    assert say.text == "Hi"
    editing.stack.redo()
    editing.stack.redo()
    assert say.text == "Hello!"


def test_different_fields_do_not_merge_and_clean_state_follows(qtbot):
    editing, project = _editing()
    document = project.flow("main")
    say = document.root.child(0)
    assert editing.stack.isClean()
    editing.set_attribute(document, say, "voice", "woman")
    editing.set_attribute(document, say, "loop", "2")
    assert editing.stack.count() == 2 and not editing.stack.isClean()
    editing.stack.undo()
    editing.stack.undo()
    assert editing.stack.isClean() and say.attrs == {}


def test_a_refused_edit_leaves_no_command_and_says_why(qtbot):
    editing, project = _editing()
    with qtbot.waitSignal(editing.refused) as blocker:
        ok = editing.edit("Rename", lambda: project.rename_flow("main", "other"))
    assert not ok
    assert "already has a flow named 'other'" in blocker.args[0]
    assert editing.stack.count() == 0 and project.names == ["main", "other"]


def test_an_edit_that_changes_nothing_leaves_no_command(qtbot):
    editing, project = _editing()
    document = project.flow("main")
    editing.set_text(document, document.root.child(0), "Hi")  # same text
    assert editing.stack.count() == 0
    editing.edit("Insert", lambda: document.insert(document.root, 1, Node("Hangup")))
    assert editing.stack.count() == 1 and editing.stack.undoText() == "Insert"
