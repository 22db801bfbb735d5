"""The flow editor's tree edits, without Qt: selections, moves by one and to a place, where
new verbs go; every plan keeps the tree valid for the schema, and undo restores the XML."""

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gui.core.flexml import COMMENT, SCHEMA, Document, Node, parse, to_bytes
from gui.core.flexml.edits import (
    MoveRefused,
    allowed_in,
    can_insert,
    can_place,
    insert_copies,
    insert_run,
    insertion_point,
    move_by,
    move_to,
    nowhere_message,
    remove_all,
    selection_after_removal,
    top_level,
    within,
)
from gui.core.flexml.fragments import new_node
from gui.core.flexml.schema import ROOT
from gui.core.history import Edit
from gui.core.project import Project

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- random documents that the schema allows -------------------------------------------------

comments = st.integers(0, 99).map(lambda n: Node(COMMENT, text=f" note {n} "))


def elements(tag: str, depth: int) -> st.SearchStrategy[Node]:
    """A `tag` element whose children (to a few levels) the schema allows in it."""
    spec = SCHEMA[tag]
    if not spec.children or depth >= 3:
        kids = st.just([])
    else:
        child = st.sampled_from(spec.children).flatmap(lambda t: elements(t, depth + 1))
        kids = st.lists(st.one_of(child, comments), max_size=4)
    return kids.map(lambda children: Node(tag, text=new_node(tag).text, children=children))


documents = st.lists(
    st.one_of(st.sampled_from(SCHEMA[ROOT].children).flatmap(lambda t: elements(t, 1)), comments),
    max_size=7,
).map(lambda children: Document(Node(ROOT, children=children)))


def verbs(document: Document) -> list[Node]:
    """Every node but the root, in document order."""
    return [n for n in document.root.iter() if n is not document.root]


def selections(data, document: Document) -> list[Node]:
    nodes = verbs(document)
    if not nodes:
        return []
    return data.draw(st.lists(st.sampled_from(nodes), unique_by=id, max_size=6))


# --- what must hold after any edit -----------------------------------------------------------


def layout(document: Document) -> dict[int, list[int]]:
    """Each node's children, by identity: compares trees without trusting the writer."""
    return {id(n): [id(c) for c in n.children] for n in document.root.iter()}


def assert_valid(document: Document) -> None:
    for node in verbs(document):
        assert node.parent is not None and node.parent.tag != COMMENT
        assert node.tag == COMMENT or node.tag in SCHEMA[node.parent.tag].children, node.path()


def run_undoably(document: Document, action: Callable[[], object]) -> tuple[Edit, bytes, bytes]:
    """Run `action` as the editor does (one recorded Edit): (edit, XML before, XML after)."""
    project = Project()
    project.add_flow("main", document)
    before = to_bytes(document.root)
    edit = Edit(project, action)
    edit.run()
    return edit, before, to_bytes(document.root)


def assert_undo_and_redo(document: Document, edit: Edit, before: bytes, after: bytes) -> None:
    edit.undo()
    assert to_bytes(document.root) == before
    edit.redo()
    assert to_bytes(document.root) == after
    edit.undo()
    assert to_bytes(document.root) == before


# --- properties ------------------------------------------------------------------------------


@SETTINGS
@given(documents, st.data())
def test_top_level_keeps_the_outermost_selected_in_document_order(document, data):
    chosen = selections(data, document)
    kept = top_level(reversed(chosen))
    order = {id(n): i for i, n in enumerate(verbs(document))}
    assert [order[id(n)] for n in kept] == sorted(order[id(n)] for n in kept)
    assert {id(n) for n in kept} <= {id(n) for n in chosen}
    for node in chosen:  # every selected node is kept, or moves with a kept ancestor
        assert any(k is node or k.is_ancestor_of(node) for k in kept)
    for node in kept:
        assert not any(k.is_ancestor_of(node) for k in kept)


def expected_move_by(children: list[Node], moving: set[int], step: int) -> list[Node]:
    """Each run of moving siblings passes the sibling next to it in the step's direction;
    nothing moves when a moving sibling is already at that end."""
    order = list(children) if step > 0 else list(reversed(children))
    if id(order[-1]) in moving:
        return list(children)
    result: list[Node] = []
    i = 0
    while i < len(order):
        j = i
        while id(order[j]) in moving:
            j += 1
        result.extend([order[j], *order[i:j]])
        i = j + 1
    return result if step > 0 else list(reversed(result))


@SETTINGS
@given(documents, st.data(), st.sampled_from([-1, 1]))
def test_move_by_one_passes_the_next_sibling_and_undoes_exactly(document, data, step):
    chosen = top_level(selections(data, document))
    if len({id(n.parent) for n in chosen}) > 1:
        with pytest.raises(MoveRefused, match="one container"):
            move_by(chosen, step)
        return
    plan = move_by(chosen, step)
    if not chosen:
        assert not plan
        return
    parent = chosen[0].parent
    expected = expected_move_by(list(parent.children), {id(n) for n in chosen}, step)
    shape = layout(document)
    edit, before, after = run_undoably(document, lambda: plan.apply(document))
    assert list(parent.children) == expected
    assert bool(plan) == ([id(c) for c in expected] != shape[id(parent)])
    assert_valid(document)
    assert {k: v for k, v in layout(document).items() if k != id(parent)} == {
        k: v for k, v in shape.items() if k != id(parent)
    }
    assert_undo_and_redo(document, edit, before, after)
    assert layout(document) == shape


def expected_move_to(document: Document, nodes: list[Node], parent: Node, row: int):
    """The tree's layout once `nodes` stand together in `parent` before its first child at
    or after `row` that does not move (at the end when none)."""
    moving = {id(n) for n in nodes}
    result = {
        key: [c for c in children if c not in moving] for key, children in layout(document).items()
    }
    anchor = next((c for c in parent.children[row:] if id(c) not in moving), None)
    stay = result[id(parent)]
    at = stay.index(id(anchor)) if anchor is not None else len(stay)
    stay[at:at] = [id(n) for n in nodes]
    return result


@SETTINGS
@given(documents, st.data())
def test_move_to_a_place_keeps_order_and_schema_and_undoes_exactly(document, data):
    chosen = top_level(selections(data, document))
    parent = data.draw(st.sampled_from([document.root, *verbs(document)]))
    row = data.draw(st.integers(0, parent.child_count()))
    plan = move_to(chosen, parent, row)
    into_itself = any(n is parent or n.is_ancestor_of(parent) for n in chosen)
    schema_allows = parent.tag != COMMENT and all(
        n.tag == COMMENT or n.tag in SCHEMA[parent.tag].children for n in chosen
    )
    if plan is None:
        assert not chosen or into_itself or not schema_allows
        return
    assert chosen and not into_itself and schema_allows
    expected = expected_move_to(document, chosen, parent, row)
    edit, before, after = run_undoably(document, lambda: plan.apply(document))
    assert layout(document) == expected  # nothing lost, nothing doubled, the order kept
    assert list(plan.nodes) == chosen
    assert_valid(document)
    assert_undo_and_redo(document, edit, before, after)


@SETTINGS
@given(documents, st.data())
def test_remove_and_duplicate_undo_exactly(document, data):
    chosen = top_level(selections(data, document))
    count = len(verbs(document))
    following = selection_after_removal(chosen, document.root) if chosen else None
    if following is not None:
        assert not within(following, chosen)
    edit, before, after = run_undoably(document, lambda: remove_all(document, chosen))
    assert len(verbs(document)) == count - sum(len(list(n.iter())) for n in chosen)
    assert_undo_and_redo(document, edit, before, after)

    copies = [n.copy() for n in chosen]
    edit, before, after = run_undoably(document, lambda: insert_copies(document, chosen, copies))
    for original, clone in zip(chosen, copies, strict=True):
        assert clone.parent is original.parent and clone.index() == original.index() + 1
        assert clone.same_as(original)
    assert_valid(document)
    assert_undo_and_redo(document, edit, before, after)


@SETTINGS
@given(documents, st.data(), st.sampled_from(sorted(SCHEMA)))
def test_insertion_point_is_a_place_the_schema_allows(document, data, tag):
    current = data.draw(st.sampled_from([None, *verbs(document)]))
    spot = insertion_point(document.root, current, [tag])
    if spot is None:
        assert not allowed_in(document.root, tag)  # else after the top-level verb would do
        return
    parent, index = spot
    if current is not None and allowed_in(current.parent, tag):
        assert spot == (current.parent, current.index() + 1)
    node = new_node(tag)
    edit, before, after = run_undoably(
        document, lambda: insert_run(document, parent, index, [node])
    )
    assert node.parent is parent and node.index() == index
    assert_valid(document)
    assert_undo_and_redo(document, edit, before, after)


# --- examples --------------------------------------------------------------------------------

FLOW = b"""<Response>
  <Say>Welcome</Say>
  <Gather numDigits="1"><Say>Press 1</Say><Pause/></Gather>
  <Dial><Number>15162065318</Number></Dial>
  <Hangup/>
</Response>"""


@pytest.fixture
def document() -> Document:
    return parse(FLOW)


def tags(node: Node) -> list[str]:
    return [c.tag for c in node.children]


def test_top_level_drops_what_a_selected_container_holds(document):
    say, gather, dial = document.root.children[:3]
    inner = gather.child(1)
    assert top_level([dial, inner, gather, say]) == [say, gather, dial]
    assert top_level([inner, dial.child(0)]) == [inner, dial.child(0)]
    assert top_level([]) == []


def test_move_by_one_up_and_down_within_the_container(document):
    root = document.root
    say, gather, dial, hangup = root.children
    move_by([gather, dial], -1).apply(document)
    assert list(root.children) == [gather, dial, say, hangup]
    assert not move_by([gather, hangup], 1)  # Hangup is last: nothing moves
    plan = move_by([say, dial], 1)
    assert plan.nodes == (dial, say) and [m.index for m in plan.moves] == [3, 2]
    plan.apply(document)
    assert list(root.children) == [gather, hangup, dial, say]  # the pair passed the Hangup


def test_move_by_at_the_edge_is_an_empty_plan_and_mixed_parents_are_refused(document):
    root = document.root
    assert not move_by([root.child(0)], -1)
    assert not move_by([], 1)
    with pytest.raises(MoveRefused, match="Select verbs of one container"):
        move_by([root.child(0), root.child(1).child(0)], 1)


def test_move_to_across_containers_in_document_order(document):
    root = document.root
    say, gather, dial, hangup = root.children
    inner_say, pause = gather.children
    plan = move_to([pause, say], gather, 0)
    assert plan is not None and plan.nodes == (say, pause)
    plan.apply(document)
    assert list(gather.children) == [say, pause, inner_say]
    assert list(root.children) == [gather, dial, hangup]
    plan = move_to([say, pause], root, root.child_count())
    assert plan is not None
    plan.apply(document)
    assert list(root.children) == [gather, dial, hangup, say, pause]


def test_move_to_before_a_row_that_moves_itself(document):
    root = document.root
    say, gather, dial, hangup = root.children
    plan = move_to([say, hangup], root, 2)  # what stands at row 2 is Dial
    assert plan is not None
    plan.apply(document)
    assert list(root.children) == [gather, say, hangup, dial]
    plan = move_to([say, hangup], root, 1)  # row 1 moves: before the next that stays, Dial
    assert plan is not None
    plan.apply(document)
    assert list(root.children) == [gather, say, hangup, dial]


def test_move_to_refuses_what_the_schema_forbids_or_into_itself(document):
    root = document.root
    say, gather, dial, _hangup = root.children
    number = dial.child(0)
    assert move_to([number], root, 0) is None  # a Number only goes in a Dial
    assert move_to([dial], gather, 0) is None  # no Dial inside a Gather
    assert move_to([gather], gather.child(0), 0) is None  # not into itself
    assert move_to([root.child(0)], gather, 0) is not None
    assert not can_place([gather], gather) and can_place([say], gather)
    assert within(number, [dial]) and not within(dial, [number])


def test_what_may_go_where(document):
    root = document.root
    gather, dial = root.child(1), root.child(2)
    assert allowed_in(gather, "Say") and allowed_in(dial, "Number")
    assert not allowed_in(root, "Number") and allowed_in(root, COMMENT)
    comment = Node(COMMENT, text="x")
    assert not allowed_in(comment, COMMENT)  # nothing goes inside a comment
    assert can_insert(gather, ["Say", "Pause"]) and not can_insert(gather, ["Say", "Dial"])
    assert not can_insert(root, [])


def test_insertion_point_after_inside_or_after_the_top_level_verb(document):
    root = document.root
    say, gather, dial, _hangup = root.children
    assert insertion_point(root, say, ["Pause"]) == (root, 1)
    assert insertion_point(root, dial, ["Number"]) == (dial, 1)  # not after a Dial: inside
    assert insertion_point(root, gather.child(0), ["Hangup"]) == (root, 2)  # after the Gather
    assert insertion_point(root, None, ["Say"]) == (root, 4)
    assert insertion_point(root, say, ["File"]) is None
    assert nowhere_message(["File"]) == "File can only go inside Play: select one first"
    assert nowhere_message(["Say", COMMENT]).endswith("inside a FlexML flow: select one first")


def test_selection_after_removal(document):
    root = document.root
    say, gather, dial, hangup = root.children
    assert selection_after_removal([say, gather], root) is dial
    assert selection_after_removal([dial, hangup], root) is gather
    assert selection_after_removal([gather.child(1)], root) is gather.child(0)
    assert selection_after_removal([dial.child(0)], root) is dial  # the container
    assert selection_after_removal(list(root.children), root) is None


def test_insert_run_and_copies_undo_to_the_same_xml(document):
    root = document.root
    gather = root.child(1)
    nodes = [new_node("Pause"), new_node("Say")]
    edit, before, after = run_undoably(document, lambda: insert_run(document, gather, 1, nodes))
    assert tags(gather) == ["Say", "Pause", "Say", "Pause"]
    assert_undo_and_redo(document, edit, before, after)
    originals = [root.child(0), gather.child(0)]
    copies = [n.copy() for n in originals]
    edit, before, after = run_undoably(document, lambda: insert_copies(document, originals, copies))
    assert tags(root)[:2] == ["Say", "Say"] and tags(gather)[:2] == ["Say", "Say"]
    assert_undo_and_redo(document, edit, before, after)
