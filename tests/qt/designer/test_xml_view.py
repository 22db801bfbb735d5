"""The XML view: line ranges follow the writer's layout, highlighting, marking and copying."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontInfo, QGuiApplication, QPalette, QTextFormat
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit

from gui.core.flexml import COMMENT, Node, parse, to_text
from gui.core.flexml.writer import write_node
from gui.qt.common.xml_text import DARK_COLOURS, LIGHT_COLOURS, XmlView
from gui.qt.designer.xml_view import FlowText, line_ranges

TREES = {
    "flat": b"<Response><Say>Hi</Say><Hangup/></Response>",
    "nested": b"""<Response>
        <Gather numDigits="1" action="flow:menu"><Say>Press 1</Say><Play>a.wav</Play></Gather>
        <Dial callerId="15550000000"><Number>15551234567</Number><Number>15557654321</Number></Dial>
        <PreAnswer><Pause length="2"/></PreAnswer>
        <Hangup/>
    </Response>""",
    "comments": b"""<Response>
        <!-- greeting -->
        <Say>Hello</Say>
        <!-- a comment
             over three
             lines -->
        <Gather><!-- inside --><Say>Choose</Say></Gather>
    </Response>""",
    "mixed": b"""<Response>
        <Dial>15551234567<Number>15557654321</Number><!-- c --></Dial>
        <Play>a.wav<File>FS1</File></Play>
        <Say>two
lines</Say>
        <Gather><Say>x</Say><Dial>1555123<Number>1</Number></Dial></Gather>
    </Response>""",
    "empty": b"<Response/>",
    "mixed-root": b"<Response>text<Say>a\nb</Say><Hangup/></Response>",
}


def _depth(node: Node) -> int:
    return sum(1 for _ in node.ancestors())


def _inline(node: Node) -> bool:
    """Whether the writer puts `node` inside another element's line (mixed content)."""
    return any(a.text is not None for a in node.ancestors())


def _opens(node: Node) -> str:
    return "<!--" if node.tag == COMMENT else f"<{node.tag}"


def check_ranges(root: Node) -> None:
    text = to_text(root)
    lines = text.split("\n")
    ranges = line_ranges(root)
    assert lines[0].startswith("<?xml")
    assert ranges[id(root)] == (2, len(lines) - 1)  # the text ends with a newline
    for node in root.iter():
        first, last = ranges[id(node)]
        assert 2 <= first <= last <= len(lines) - 1
        if _inline(node):
            parent_first, parent_last = ranges[id(node.parent)]
            assert parent_first <= first <= last <= parent_last
            assert _opens(node) in lines[first - 1]
            continue
        head, tail = lines[first - 1].lstrip(), lines[last - 1]
        assert head.startswith(_opens(node)), (node, head)
        if node.tag == COMMENT:
            assert tail.endswith("-->")
        else:
            assert tail.endswith(f"</{node.tag}>") or tail.endswith("/>"), (node, tail)
        # The range holds exactly what the writer writes for the node at its depth.
        out: list[str] = []
        write_node(node, out, "  " * _depth(node))
        assert "\n".join(lines[first - 1 : last]) + "\n" == "".join(out)


@pytest.mark.parametrize("name", TREES)
def test_line_ranges_match_the_written_text(name):
    check_ranges(parse(TREES[name]).root)


def test_line_ranges_of_a_small_tree_by_hand():
    root = parse(TREES["nested"]).root
    ranges = line_ranges(root)
    gather, dial, pre, hangup = root.children
    assert ranges[id(gather)] == (3, 6)
    assert ranges[id(gather.child(1))] == (5, 5)
    assert ranges[id(dial)] == (7, 10)
    assert ranges[id(pre)] == (11, 13)
    assert ranges[id(hangup)] == (14, 14)
    assert ranges[id(root)] == (2, 15)


_TEXT = st.one_of(st.none(), st.text(alphabet="ab \n&<", max_size=6))
_COMMENT_TEXT = st.text(alphabet="ab \n", max_size=6).filter(lambda t: not t.endswith("-"))


@st.composite
def trees(draw, depth=0):
    if depth and draw(st.integers(0, 5)) == 0:
        return Node(COMMENT, text=draw(_COMMENT_TEXT) or None)
    tag = draw(st.sampled_from(["Say", "Gather", "Dial", "Number", "Bogus"]))
    children = draw(st.lists(trees(depth + 1), max_size=3)) if depth < 3 else []
    return Node(tag, {"a": "x\ny"} if draw(st.booleans()) else {}, draw(_TEXT), children)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trees(1), max_size=4), _TEXT)
def test_line_ranges_hold_for_any_tree(children, text):
    check_ranges(Node("Response", text=text, children=children))


# --- the widget ----------------------------------------------------------------------------


@pytest.fixture
def view(qtbot):
    view = XmlView()
    qtbot.addWidget(view)
    view.resize(500, 240)
    view.show()
    qtbot.waitExposed(view)
    return view


def _colour_at(view: XmlView, line: int, column: int) -> str | None:
    """The foreground the highlighter gave the character at (1-based line, 0-based column)."""
    block = view.document().findBlockByNumber(line - 1)
    for fmt in block.layout().formats():
        if fmt.start <= column < fmt.start + fmt.length:
            return fmt.format.foreground().color().name().upper()
    return None


def test_is_a_read_only_monospace_view_without_wrapping(view):
    assert view.isReadOnly()
    assert view.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
    assert QFontInfo(view.font()).fixedPitch()


def test_highlighter_colours_each_part_of_the_xml(view):
    view.set_xml(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response>\n"
        '  <Say voice="woman">Tom &amp; Jerry</Say>\n'
        "  <!-- one\n"
        "  two -->\n"
        '  <Play digits="1&amp;2"/>\n'
        "</Response>\n"
    )
    colours = LIGHT_COLOURS
    assert _colour_at(view, 1, 0) == colours["declaration"]
    assert _colour_at(view, 2, 1) == colours["tag"]
    line = '  <Say voice="woman">Tom &amp; Jerry</Say>'
    assert _colour_at(view, 3, line.index("Say")) == colours["tag"]
    assert _colour_at(view, 3, line.index("voice")) == colours["attribute"]
    assert _colour_at(view, 3, line.index('"woman"')) == colours["value"]
    assert _colour_at(view, 3, line.index("Tom")) is None  # plain text keeps the default
    assert _colour_at(view, 3, line.index("&amp;")) == colours["entity"]
    assert _colour_at(view, 3, line.index("</Say") + 2) == colours["tag"]
    assert _colour_at(view, 4, 4) == colours["comment"]
    assert _colour_at(view, 5, 2) == colours["comment"]  # the comment goes on
    assert _colour_at(view, 6, 2) == colours["tag"]  # and is over
    assert _colour_at(view, 6, '  <Play digits="1&amp;2"/>'.index("&")) == colours["entity"]
    assert len(set(colours.values())) == len(colours)


def test_a_dark_palette_switches_to_dark_colours(view):
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1E1E1E"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#DDDDDD"))
    view.setPalette(palette)
    view.set_xml("<Response>\n  <Hangup/>\n</Response>\n")
    assert _colour_at(view, 2, 3) == DARK_COLOURS["tag"]


def _long_xml(count: int = 120) -> str:
    root = Node("Response", children=[Node("Say", text=f"line {i}") for i in range(count)])
    return to_text(root)


def _visible_blocks(view: XmlView) -> range:
    first = view.firstVisibleBlock().blockNumber()
    rows = view.viewport().height() // view.fontMetrics().lineSpacing()
    return range(first, first + rows)


def marked_lines(view: XmlView) -> list[int]:
    """The shown lines (1-based) whose background near the right edge, past the text of
    these short lines, is not the plain background: what the user sees as marked."""
    image = view.viewport().grab().toImage()
    base = view.palette().color(QPalette.ColorRole.Base).rgb()
    x = image.width() - 20
    marked = []
    block = view.firstVisibleBlock()
    offset = view.contentOffset()
    while block.isValid():
        box = view.blockBoundingGeometry(block).translated(offset)
        if box.top() >= image.height():
            break
        y = int(box.center().y())
        if 0 <= y < image.height() and image.pixel(x, y) != base:
            marked.append(block.blockNumber() + 1)
        block = block.next()
    return marked


def test_highlight_lines_marks_the_lines_and_scrolls_to_them(view):
    view.set_xml(_long_xml())
    view.highlight_lines(80, 82)
    assert marked_lines(view) == [80, 81, 82]  # scrolled into view, marked full width
    assert view.highlighted_lines() == (80, 82)
    selections = view.extraSelections()  # kept: each cursor lives in its selection
    document = view.document()
    starts = [document.findBlock(s.cursor.selectionStart()).blockNumber() for s in selections]
    ends = [document.findBlock(s.cursor.selectionEnd()).blockNumber() for s in selections]
    assert (min(starts), max(ends)) == (79, 81)
    for selection in selections:
        assert selection.format.property(QTextFormat.Property.FullWidthSelection)
        assert selection.format.background().color().alpha() < 255  # subtle: see-through

    view.highlight_lines(3, 3)
    assert marked_lines(view) == [3]
    view.highlight_lines(500, 900)  # past the end: clamped to the last line
    assert view.highlighted_lines() == (123, 123)
    assert marked_lines(view) == [123]
    view.clear_highlight()
    assert view.extraSelections() == [] and view.highlighted_lines() is None
    assert marked_lines(view) == []


def test_a_long_range_shows_from_its_first_line(view):
    view.set_xml(_long_xml())
    view.highlight_lines(2, 123)  # the whole root
    assert view.firstVisibleBlock().blockNumber() == 1
    assert marked_lines(view)[0] == 2
    assert len(marked_lines(view)) == len(list(_visible_blocks(view)))


def test_set_xml_keeps_the_scroll_position_only_for_the_same_flow(view):
    text = _long_xml()
    view.set_xml(text)
    view.verticalScrollBar().setValue(50)
    view.highlight_lines(60, 60)
    view.set_xml(text.replace("line 70", "line seventy"))
    assert view.verticalScrollBar().value() == 50
    assert view.highlighted_lines() == (60, 60) and len(view.extraSelections()) == 1
    other = to_text(
        Node("Response", children=[Node("Pause", {"length": str(i)}) for i in range(90)])
    )
    view.set_xml(other)
    assert view.verticalScrollBar().value() == 0
    assert view.extraSelections() == []

    view.set_xml(text)
    view.highlight_lines(120, 122)
    view.set_xml(_long_xml(110))  # the same flow, shorter: the marking is clamped
    assert view.highlighted_lines() == (113, 113)
    assert marked_lines(view) == [113]


def test_a_paragraph_separator_does_not_shift_line_numbers(view):
    root = Node("Response", children=[Node("Say", text="a\u2029b"), Node("Hangup")])
    view.set_xml(to_text(root))
    first, _ = line_ranges(root)[id(root.child(1))]
    assert view.document().blockCount() == to_text(root).count("\n") + 1
    assert view.document().findBlockByNumber(first - 1).text() == "  <Hangup/>"
    assert view.xml() == to_text(root)


def test_ctrl_c_copies_the_selection(view):
    view.set_xml("<Response>\n  <Hangup/>\n</Response>\n")
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "<Response>\n  <Hangup/>\n</Response>\n"


def test_context_menu_copy_all(view):
    text = to_text(Node("Response", children=[Node("Say", text="Hi")]))
    view.set_xml(text)
    QGuiApplication.clipboard().clear()
    menu = view.context_menu(QPoint(10, 10))
    try:
        labels = [action.text() for action in menu.actions()]
        assert any("Copy" in label and label != "Copy all" for label in labels)
        next(a for a in menu.actions() if a.text() == "Copy all").trigger()
    finally:
        menu.deleteLater()
    assert QGuiApplication.clipboard().text() == text


def _blocks(view: XmlView) -> list[str]:
    document = view.document()
    return [document.findBlockByNumber(i).text() for i in range(document.blockCount())]


def _highlighted_fresh(text: str) -> list[list[tuple[int, int, str]]]:
    """Each line's highlighting as a view that was given `text` at once shows it."""
    fresh = XmlView()
    try:
        fresh.set_xml(text)
        return _formats(fresh)
    finally:
        fresh.deleteLater()


def _formats(view: XmlView) -> list[list[tuple[int, int, str]]]:
    document = view.document()
    return [
        [
            (f.start, f.length, f.format.foreground().color().name())
            for f in document.findBlockByNumber(i).layout().formats()
        ]
        for i in range(document.blockCount())
    ]


EDITS = [
    ("insert", lambda ls: [*ls[:40], "  <Pause/>", *ls[40:]]),
    ("remove", lambda ls: ls[:40] + ls[41:]),
    ("replace", lambda ls: [*ls[:40], '  <Say loop="2">changed</Say>', *ls[41:]]),
    ("swap", lambda ls: [*ls[:40], ls[41], ls[40], *ls[42:]]),
    ("add at the end", lambda ls: [*ls, "  <!-- one", "  more -->"]),
    ("remove the end", lambda ls: ls[:-3]),
    ("insert at the start", lambda ls: ["<!-- first -->", *ls]),
    ("a comment opened", lambda ls: [*ls[:40], "  <!--", *ls[40:50], "  -->", *ls[50:]]),
]


@pytest.mark.parametrize("name", [name for name, _ in EDITS])
def test_an_edit_replaces_only_the_changed_lines_and_shows_exactly_the_text(view, name):
    edit = dict(EDITS)[name]
    text = _long_xml()
    view.set_xml(text)
    view.verticalScrollBar().setValue(30)
    view.highlight_lines(35, 36)
    scroll = view.verticalScrollBar().value()
    first_block = view.document().findBlockByNumber(0)
    edited = "\n".join(edit(text.split("\n")))
    view.set_xml(edited)
    assert view.xml() == edited
    assert _blocks(view) == edited.split("\n")
    assert view.document().toPlainText() == edited
    assert view.verticalScrollBar().value() == scroll  # the scroll position stays
    assert view.highlighted_lines() == (35, 36) and len(view.extraSelections()) == 2
    assert _formats(view) == _highlighted_fresh(edited)  # highlighted as if set whole
    if name != "insert at the start":  # the first line was edited in place, not set again
        assert view.document().findBlockByNumber(0) == first_block


def test_edits_one_after_another_keep_the_view_equal_to_the_text(view):
    lines = _long_xml().split("\n")
    view.set_xml("\n".join(lines))
    for step in range(30):
        at = (step * 7) % (len(lines) - 2)
        if step % 3 == 0:
            lines.insert(at, f"  <Say>step {step}</Say>")
        elif step % 3 == 1:
            del lines[at]
        else:
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        view.set_xml("\n".join(lines))
        assert _blocks(view) == lines
    assert _formats(view) == _highlighted_fresh("\n".join(lines))


def test_text_with_carriage_returns_is_set_whole(view):
    view.set_xml("<a>\r\n<b/>\n</a>\n")
    view.set_xml("<a>\r\n<c/>\n</a>\n")
    assert view.document().toPlainText() == "<a>\n<c/>\n</a>\n"
    view.set_xml("<a>\n<c/>\n<d/>\n</a>\n")
    assert _blocks(view) == ["<a>", "<c/>", "<d/>", "</a>", ""]


# -- FlowText: the shown flow's text, written again only where an edit touched it --------


def _check_flow_text(flow_text: FlowText, document) -> None:
    root = document.root
    assert flow_text.text() == to_text(root)
    expected = line_ranges(root)
    for node in root.iter():
        assert flow_text.lines_of(node) == expected[id(node)], node


def _random_edit(document, rng: random.Random) -> None:
    """One edit of the kinds the editor makes, anywhere in the tree."""
    nodes = list(document.root.iter())
    node = rng.choice(nodes)
    kind = rng.randrange(6)
    if kind == 0 or node is document.root:
        parent = rng.choice([n for n in nodes if n.tag != COMMENT and n.text is None])
        new = rng.choice(
            [Node("Pause"), Node("Say", text="new\ntwo lines"), Node(COMMENT, text="c")]
        )
        document.insert(parent, rng.randint(0, parent.child_count()), new)
    elif kind == 1:
        document.remove(node.parent, node.index())
    elif kind == 2:
        dest = rng.choice([n for n in nodes if n.tag != COMMENT and n.text is None])
        if dest is node or node.is_ancestor_of(dest):
            return
        limit = dest.child_count() - (1 if dest is node.parent else 0)
        document.move(node.parent, node.index(), dest, rng.randint(0, limit))
    elif kind == 3 and node.tag != COMMENT:
        document.set_attribute(node, "loop", str(rng.randrange(5)))
    elif kind == 4 and not node.child_count():
        document.set_text(node, rng.choice([None, "text", "a\nb"]))
    elif kind == 5:
        document.set_attribute(document.root, "x", rng.choice([None, "1"]))


@pytest.mark.parametrize("seed", range(8))
def test_flow_text_is_the_export_after_any_edits(seed):
    document = parse(TREES["nested"] if seed % 2 else TREES["comments"])
    flow_text = FlowText()
    flow_text.follow(document)
    _check_flow_text(flow_text, document)
    rng = random.Random(seed)
    for _ in range(60):
        _random_edit(document, rng)
        _check_flow_text(flow_text, document)


def test_flow_text_writes_again_only_the_verbs_an_edit_touched():
    document = parse(TREES["nested"])
    flow_text = FlowText()
    flow_text.follow(document)
    flow_text.text()
    root = document.root
    untouched, gather = root.child(1), root.child(0)
    written = dict(flow_text._pieces)
    document.set_text(gather.child(0), "Choose again")
    assert "Choose again" in flow_text.text()
    assert flow_text._pieces[id(untouched)] is written[id(untouched)]  # kept, not rewritten
    assert flow_text._pieces[id(gather)] is not written[id(gather)]


def test_flow_text_follows_another_flow_and_forgets_the_first():
    first, second = parse(TREES["nested"]), parse(TREES["flat"])
    flow_text = FlowText()
    flow_text.follow(first)
    flow_text.text()
    flow_text.follow(second)
    assert flow_text.text() == to_text(second.root)
    first.remove(first.root, 0)  # no longer followed: changes nothing
    assert flow_text.text() == to_text(second.root)
    second.insert(second.root, 0, Node("Pause"))
    assert flow_text.text() == to_text(second.root)
