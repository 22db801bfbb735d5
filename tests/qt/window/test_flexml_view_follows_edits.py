"""The FlexML view after each edit, undo and redo is exactly the flow's export, keeps its
scroll position, and marks the lines of the verb selected (it is updated by the lines that
changed, not set whole)."""

import pytest

from gui.core.flexml import parse
from gui.core.project import Project
from gui.qt.common.settings import SettingsStore
from gui.qt.designer.xml_view import line_ranges
from gui.qt.window.main_window import MainWindow


def _flow(verbs: int) -> bytes:
    parts = ["<Response>"]
    for i in range(verbs // 3):
        parts.append(f'<Say voice="woman">Prompt {i}</Say>')
        parts.append(f'<Gather numDigits="1" action="flow:main"><Say>Press {i}</Say></Gather>')
        parts.append('<Pause length="1"/>')
    parts.append("<Hangup/></Response>")
    return "".join(parts).encode()


@pytest.fixture
def window(qtbot):
    project = Project()
    project.add_flow("main", parse(_flow(300)))
    win = MainWindow(project, SettingsStore(), remember_layout=False)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.editing.stack.setClean()
    win.close()
    win.deleteLater()


def _settled(window, qtbot) -> None:
    """Wait for the refresh the last change scheduled."""
    qtbot.waitUntil(lambda: not window._refresh_timer.isActive())


def _check(window) -> None:
    root = window.project.flow("main").root
    assert window.xml_view.toPlainText() == window.project.export("main")
    node = window.editor.current_node()
    first, last = line_ranges(root)[id(node)]
    assert window.xml_view.highlighted_lines() == (first, last)


def test_every_edit_undo_and_redo_leaves_the_view_equal_to_the_export(window, qtbot):
    root = window.project.flow("main").root
    editor, stack = window.editor, window.editing.stack
    editor.select_nodes([root.child(150)])
    _settled(window, qtbot)
    scroll = window.xml_view.verticalScrollBar()
    at = scroll.value()
    assert at > 0  # the selected verb's lines were scrolled into view
    document = window.xml_view.document()
    first_block = document.findBlockByNumber(0)
    steps = [
        lambda: editor.insert_verb("Pause"),
        editor.move_down,
        editor.move_up,
        editor.duplicate,
        editor.delete,
        lambda: editor.insert_verb("Say"),
    ]
    for step in steps:
        step()
        _settled(window, qtbot)
        _check(window)
        # The view stays where it was, moving only as far as it takes to show the verb now
        # selected (a new text set whole would start again from the top).
        assert abs(scroll.value() - at) <= 10
        first, _ = window.xml_view.highlighted_lines()
        top = window.xml_view.firstVisibleBlock().blockNumber()
        assert top < first <= top + window.xml_view.viewport().height() // 10
        at = scroll.value()
    for _ in steps:
        stack.undo()
        _settled(window, qtbot)
        assert window.xml_view.toPlainText() == window.project.export("main")
    assert window.xml_view.toPlainText() == window.project.export("main")
    for _ in steps:
        stack.redo()
        _settled(window, qtbot)
        assert window.xml_view.toPlainText() == window.project.export("main")
    # The document was edited in place all along: its first line is the one first shown.
    assert document.findBlockByNumber(0) == first_block


def test_an_attribute_edit_in_a_nested_verb_is_shown_and_marked(window, qtbot):
    root = window.project.flow("main").root
    prompt = root.child(100).child(0)  # the Say inside a Gather
    window.editor.select_nodes([prompt])
    _settled(window, qtbot)
    window.editing.set_attribute(window.project.flow("main"), prompt, "loop", "3")
    _settled(window, qtbot)
    _check(window)
    assert '<Say loop="3">Press 33</Say>' in window.xml_view.toPlainText()
