"""The elements of CarrierX's later FlexML pages in the designer: the palette lists them with
their own icons, a fresh one dropped from it is valid at once, and the flow shows each as a
short line."""

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from gui.core.flexml import lint, parse, to_text
from gui.core.flexml.schema import SCHEMA
from gui.core.project import Project
from gui.qt.common.icons import icon_file, named_icon, verb_icon
from gui.qt.designer.editing import Editing
from gui.qt.designer.flow_editor import VERB_MIME_TYPE, FlowEditor
from gui.qt.designer.palette import DESCRIPTION_ROLE, PalettePanel

NEW_VERBS = ["Sms", "Store", "Start", "Stop", "Connect"]
NEW_NOUNS = ["Stream", "Parameter"]
FLOW = b"""<Response>
  <Say>Welcome</Say>
  <Hangup/>
</Response>"""


@pytest.fixture
def panel(qtbot):
    panel = PalettePanel()
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def editor(qtbot):
    project = Project()
    project.add_flow("main", parse(FLOW))
    view = FlowEditor(Editing(project))
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.set_document(project.flow("main"))
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.set_document(None)  # the view lets go of the model before the nodes go


def verb_data(tag: str) -> QMimeData:
    data = QMimeData()
    data.setData(VERB_MIME_TYPE, tag.encode())
    return data


def drop_on(view: FlowEditor, tag: str, point: QPoint) -> bool:
    """The enter, move and drop events a real drag from the palette sends."""
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    data = verb_data(tag)
    target = view.viewport()
    QApplication.sendEvent(target, QDragEnterEvent(point.toPointF(), actions, data, buttons, mods))
    move = QDragMoveEvent(point.toPointF(), actions, data, buttons, mods)
    QApplication.sendEvent(target, move)
    if not move.isAccepted():
        return False
    event = QDropEvent(point.toPointF(), actions, data, buttons, mods)
    event.setDropAction(Qt.DropAction.CopyAction)
    QApplication.sendEvent(target, event)
    return True


def row_point(view: FlowEditor, node, where: str) -> QPoint:
    rect = view.visualRect(view.flow_model.index_of(node))
    if where == "above":
        return QPoint(rect.center().x(), rect.top() + 1)
    return rect.center()


def test_the_palette_lists_the_new_elements_with_their_own_icons(panel):
    names = panel.view.entry_names()
    verbs_end = names.index("Amd") + 1
    assert names[verbs_end : verbs_end + len(NEW_VERBS)] == NEW_VERBS
    assert names[-2:] == NEW_NOUNS
    title = panel.view.proxy.index(1, 0).data()
    assert title == "Nouns (drop inside Connect, Dial, Play, Start, Stop or Stream)"
    unknown = named_icon("unknown.svg").cacheKey()
    files = {icon_file(name) for name in NEW_VERBS + NEW_NOUNS}
    assert len(files) == len(NEW_VERBS + NEW_NOUNS)
    for name in NEW_VERBS + NEW_NOUNS:
        index = panel.view.index_of(name)
        assert index.isValid()
        assert index.data(DESCRIPTION_ROLE) == SCHEMA[name].description
        assert verb_icon(name).cacheKey() != unknown
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert f"Goes inside: {', '.join(SCHEMA[name].parents)}" in tip


@pytest.mark.parametrize("tag", ["", "websocket", "SMS"])
def test_filtering_finds_them(panel, qtbot, tag):
    qtbot.keyClicks(panel.filter, tag)
    names = panel.view.entry_names()
    if tag == "websocket":
        assert {"Start", "Connect", "Stream", "Parameter"} <= set(names)
        assert "Say" not in names
    elif tag == "SMS":
        assert names == ["Sms"]


@pytest.mark.parametrize("tag", NEW_VERBS)
def test_a_fresh_verb_from_the_palette_is_valid_at_once(editor, tag):
    root = editor.document.root
    assert drop_on(editor, tag, row_point(editor, root.child(1), "above"))
    node = root.child(1)
    assert node.tag == tag
    assert editor.current_node() is node
    assert lint(editor.document) == [], [p.message for p in lint(editor.document)]
    editor.editing.stack.undo()
    assert [c.tag for c in root.children] == ["Say", "Hangup"]


def test_nouns_drop_into_their_verbs_valid_at_once(editor):
    root = editor.document.root
    editor.select_nodes([root.child(0)])
    assert editor.insert_verb("Start")  # as Enter in the palette does
    start = root.child(1)
    assert start.tag == "Start"
    stream = start.child(0)
    assert drop_on(editor, "Parameter", row_point(editor, stream, "on"))
    assert [c.tag for c in stream.children] == ["Parameter"]
    assert drop_on(editor, "Stream", row_point(editor, start, "on"))
    assert [c.tag for c in start.children] == ["Stream", "Stream"]
    assert lint(editor.document) == [], [p.message for p in lint(editor.document)]
    # A Stream cannot stand among the verbs, nor a Parameter in a Start.
    assert not drop_on(editor, "Stream", row_point(editor, root.child(0), "above"))
    assert not drop_on(editor, "Parameter", row_point(editor, start, "on"))


def test_the_flow_shows_each_new_element_in_a_few_words(qtbot):
    document = parse(
        b"""<Response>
  <Sms to="15162065317">Have a great day!</Sms>
  <Store name="key1">some_data</Store>
  <Start><Stream name="myStream" url="wss://example.com">
    <Parameter name="FirstName" value="John"/></Stream></Start>
  <Stop><Stream name="myStream"/></Stop>
  <Connect><Stream url="wss://example.com/live"/></Connect>
</Response>"""
    )
    project = Project()
    project.add_flow("main", document)
    view = FlowEditor(Editing(project))
    qtbot.addWidget(view)
    view.set_document(project.flow("main"))
    model = view.flow_model
    root = document.root
    start = root.child(2)
    lines = [
        model.index_of(node).data()
        for node in (*root.children, start.child(0), start.child(0).child(0))
    ]
    assert lines == [
        'SMS to 15162065317: "Have a great day!"',
        'Store key1 = "some_data"',
        "Start stream myStream to wss://example.com",
        "Stop stream myStream",
        "Connect stream to wss://example.com/live",
        "Stream myStream to wss://example.com",
        "Parameter FirstName = John",
    ]
    assert "<Stream" in to_text(root)
    view.set_document(None)
