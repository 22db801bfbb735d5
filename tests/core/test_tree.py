"""The node tree's mutation API and the change events an item-model adapter relies on."""

import pytest

from gui.core.flexml import COMMENT, ChangeKind, Document, Node, parse


class Recorder:
    """Records (phase, change, snapshot of the parent's children tags) for every event."""

    def __init__(self, document: Document) -> None:
        self.events = []
        document.about_to_change.connect(lambda c: self.events.append(("before", c, self._tags(c))))
        document.changed.connect(lambda c: self.events.append(("after", c, self._tags(c))))

    @staticmethod
    def _tags(change):
        parent = change.parent
        return [child.tag for child in parent.children] if parent is not None else None


def _doc() -> Document:
    return parse(b"<Response><Say>a</Say><Gather><Say>b</Say></Gather><Hangup/></Response>")


def test_insert_announces_before_and_after_with_parent_and_index():
    doc = _doc()
    rec = Recorder(doc)
    node = Node("Pause", {"length": "2"})
    doc.insert(doc.root, 1, node)
    assert [e[0] for e in rec.events] == ["before", "after"]
    before, after = rec.events[0], rec.events[1]
    assert before[1] is after[1]
    change = before[1]
    assert change.kind is ChangeKind.INSERT
    assert change.parent is doc.root and change.index == 1 and change.node is node
    assert before[2] == ["Say", "Gather", "Hangup"]  # not yet inserted
    assert after[2] == ["Say", "Pause", "Gather", "Hangup"]
    assert node.parent is doc.root


def test_insert_into_nested_container_and_at_the_end():
    doc = _doc()
    gather = doc.root.child(1)
    doc.insert(gather, 1, Node("Pause"))
    doc.insert(doc.root, doc.root.child_count(), Node("Reject"))
    assert [c.tag for c in gather.children] == ["Say", "Pause"]
    assert doc.root.children[-1].tag == "Reject"


@pytest.mark.parametrize("index", [-1, 4, 10])
def test_insert_out_of_range_is_refused_without_events(index):
    doc = _doc()
    rec = Recorder(doc)
    with pytest.raises(IndexError):
        doc.insert(doc.root, index, Node("Pause"))
    assert rec.events == []


def test_insert_of_attached_node_or_into_itself_is_refused():
    doc = _doc()
    say = doc.root.child(0)
    with pytest.raises(ValueError, match="already has a parent"):
        doc.insert(doc.root, 0, say)
    gather = doc.remove(doc.root, 1)
    with pytest.raises(ValueError, match="not part of this flow"):
        doc.insert(gather, 0, Node("Say", text="x"))
    inner = gather.child(0)
    other = Document(Node("Response"))
    with pytest.raises(ValueError):
        other.insert(inner, 0, gather)


def test_remove_returns_node_detached_and_announces_index():
    doc = _doc()
    rec = Recorder(doc)
    removed = doc.remove(doc.root, 1)
    assert removed.tag == "Gather" and removed.parent is None
    change = rec.events[0][1]
    assert change.kind is ChangeKind.REMOVE and change.index == 1 and change.node is removed
    assert rec.events[0][2] == ["Say", "Gather", "Hangup"]
    assert rec.events[1][2] == ["Say", "Hangup"]
    # undo = insert at the remembered index restores the order
    doc.insert(doc.root, change.index, removed)
    assert [c.tag for c in doc.root.children] == ["Say", "Gather", "Hangup"]


@pytest.mark.parametrize(
    ("src", "dest", "expected"),
    [
        (0, 2, ["Gather", "Hangup", "Say"]),
        (2, 0, ["Hangup", "Say", "Gather"]),
        (0, 1, ["Gather", "Say", "Hangup"]),
        (1, 0, ["Gather", "Say", "Hangup"]),
    ],
)
def test_move_within_a_parent_dest_index_is_final_position(src, dest, expected):
    doc = _doc()
    rec = Recorder(doc)
    moved = doc.root.child(src)
    doc.move(doc.root, src, doc.root, dest)
    assert [c.tag for c in doc.root.children] == expected
    assert doc.root.child(dest) is moved
    change = rec.events[0][1]
    assert change.kind is ChangeKind.MOVE
    assert (change.index, change.dest_index) == (src, dest)


def test_move_between_parents_and_noop_move():
    doc = _doc()
    rec = Recorder(doc)
    gather = doc.root.child(1)
    doc.move(doc.root, 0, gather, 1)
    assert [c.tag for c in gather.children] == ["Say", "Say"]
    assert gather.child(1).text == "a" and gather.child(1).parent is gather
    assert rec.events[1][1].dest_parent is gather
    count = len(rec.events)
    doc.move(gather, 0, gather, 0)  # no change, no event
    assert len(rec.events) == count


def test_move_into_own_descendant_or_out_of_range_is_refused():
    doc = _doc()
    gather = doc.root.child(1)
    with pytest.raises(ValueError, match="into itself"):
        doc.move(doc.root, 1, gather, 0)
    with pytest.raises(IndexError):
        doc.move(doc.root, 0, doc.root, 3)  # only 0..2 after taking it out
    with pytest.raises(IndexError):
        doc.move(doc.root, 0, gather, 5)


def test_set_attribute_add_change_remove_and_noop():
    doc = _doc()
    rec = Recorder(doc)
    say = doc.root.child(0)
    doc.set_attribute(say, "voice", "woman")
    doc.set_attribute(say, "voice", "man")
    doc.set_attribute(say, "voice", "man")  # unchanged: no event
    doc.set_attribute(say, "voice", None)
    changes = [e[1] for e in rec.events if e[0] == "after"]
    assert [(c.kind, c.name, c.old, c.new) for c in changes] == [
        (ChangeKind.ATTRIBUTE, "voice", None, "woman"),
        (ChangeKind.ATTRIBUTE, "voice", "woman", "man"),
        (ChangeKind.ATTRIBUTE, "voice", "man", None),
    ]
    assert "voice" not in say.attrs


def test_attribute_value_is_visible_only_after_before_event():
    doc = _doc()
    say = doc.root.child(0)
    seen = []
    doc.about_to_change.connect(lambda c: seen.append(("before", say.attrs.get("loop"))))
    doc.changed.connect(lambda c: seen.append(("after", say.attrs.get("loop"))))
    doc.set_attribute(say, "loop", "2")
    assert seen == [("before", None), ("after", "2")]


def test_set_text_and_clear():
    doc = _doc()
    rec = Recorder(doc)
    say = doc.root.child(0)
    doc.set_text(say, "Hello")
    doc.set_text(say, "")
    assert say.text is None
    changes = [e[1] for e in rec.events if e[0] == "after"]
    assert [(c.kind, c.old, c.new) for c in changes] == [
        (ChangeKind.TEXT, "a", "Hello"),
        (ChangeKind.TEXT, "Hello", None),
    ]


@pytest.mark.parametrize("bad", ["\x00", "a\x07b", "\ufffe", "\x1f"])
def test_characters_xml_cannot_hold_are_refused(bad):
    doc = _doc()
    rec = Recorder(doc)
    say = doc.root.child(0)
    with pytest.raises(ValueError, match="U\\+"):
        doc.set_text(say, bad)
    with pytest.raises(ValueError, match="U\\+"):
        doc.set_attribute(say, "voice", bad)
    with pytest.raises(ValueError):
        Node("Say", text=bad)
    assert rec.events == [] and say.text == "a"


def test_comment_text_that_would_break_the_comment_is_refused():
    doc = _doc()
    doc.insert(doc.root, 0, Node(COMMENT, text=" fine "))
    with pytest.raises(ValueError, match="--"):
        doc.set_text(doc.root.child(0), "a -- b")
    with pytest.raises(ValueError, match="--"):
        Node(COMMENT, text="ends with -")


def test_listeners_can_disconnect():
    doc = _doc()
    calls = []

    def listener(change):
        calls.append(change)

    doc.changed.connect(listener)
    doc.set_text(doc.root.child(0), "x")
    doc.changed.disconnect(listener)
    doc.set_text(doc.root.child(0), "y")
    assert len(calls) == 1


def test_path_iter_copy_and_same_as():
    doc = parse(
        b"<Response><Say>a</Say><!--c--><Gather><Say>b</Say><Say>c</Say></Gather></Response>"
    )
    gather = doc.root.child(2)
    assert gather.child(1).path() == "/Response/Gather[1]/Say[2]"
    assert doc.root.child(1).path() == "/Response/comment()[1]"
    assert [n.tag for n in doc.root.iter()] == ["Response", "Say", COMMENT, "Gather", "Say", "Say"]
    clone = doc.root.copy()
    assert clone.same_as(doc.root) and clone is not doc.root
    assert clone.child(2).child(0).parent is clone.child(2)
    assert clone.child(2).line == gather.line
    clone.child(2).child(0).text = "changed"
    assert not clone.same_as(doc.root)
    assert gather.child(1).index() == 1 and doc.root.index() == 0
    assert doc.root.is_ancestor_of(gather.child(0)) and not gather.is_ancestor_of(doc.root)


def test_attribute_order_matters_for_same_as():
    a = Node("Say", {"voice": "man", "loop": "2"}, "x")
    b = Node("Say", {"loop": "2", "voice": "man"}, "x")
    assert not a.same_as(b)
    assert a.same_as(a.copy())
