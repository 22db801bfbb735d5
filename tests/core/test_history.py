"""Undo by recording: every edit undoes to exactly the previous XML and redoes to the next."""

import random

import pytest

from gui.core.flexml import Node, parse
from gui.core.history import Edit
from gui.core.project import Project

MENU = (
    b'<Response><Say voice="woman">Hi</Say>'
    b'<Gather action="flow:choice" numDigits="1"><Say>Press 1</Say><Pause/></Gather>'
    b'<Dial x-custom="1" y-custom="2"><Number>15162065318</Number></Dial>'
    b"<Redirect>flow:choice</Redirect><Hangup/></Response>"
)


def _project() -> Project:
    project = Project()
    project.add_flow("menu", parse(MENU))
    project.add_flow("choice", parse(b"<Response><Say>Thanks</Say><Hangup/></Response>"))
    return project


def _snapshot(project: Project) -> str:
    return project.to_text()


def _random_edit(rng: random.Random, project: Project):
    """One random edit through the public API, as the editor would make it."""
    name = rng.choice(project.names)
    document = project.flow(name)
    nodes = [n for n in document.root.iter() if n is not document.root]
    containers = [n for n in document.root.iter() if n.tag in ("Response", "Gather", "Dial")]
    choice = rng.randrange(6)
    if choice == 0 or not nodes:
        parent = rng.choice(containers)
        node = Node("Pause", {"length": str(rng.randint(1, 9))})
        return lambda: document.insert(parent, rng.randint(0, parent.child_count()), node)
    node = rng.choice(nodes)
    if choice == 1:
        return lambda: document.remove(node.parent, node.index())
    if choice == 2:
        dest = rng.choice([c for c in containers if c is not node and not node.is_ancestor_of(c)])
        limit = dest.child_count() - (1 if dest is node.parent else 0)
        return lambda: document.move(node.parent, node.index(), dest, rng.randint(0, limit))
    if choice == 3:
        value = rng.choice([None, "1", "2", "woman"])
        return lambda: document.set_attribute(node, rng.choice(["loop", "voice", "x-a"]), value)
    if choice == 4:
        return lambda: document.set_text(node, rng.choice([None, "hello", "flow:menu"]))
    return lambda: project.set_setting("export-base-url", rng.choice([None, "https://a.example"]))


@pytest.mark.parametrize("seed", range(25))
def test_random_edits_undo_and_redo_exactly(seed):
    rng = random.Random(seed)
    project = _project()
    snapshots = [_snapshot(project)]
    edits = []
    for _ in range(30):
        edit = Edit(project, _random_edit(rng, project))
        edit.run()
        edits.append(edit)
        snapshots.append(_snapshot(project))
    for i in range(len(edits) - 1, -1, -1):
        edits[i].undo()
        assert _snapshot(project) == snapshots[i], f"undo of edit {i}"
    for i, edit in enumerate(edits):
        edit.redo()
        assert _snapshot(project) == snapshots[i + 1], f"redo of edit {i}"


def test_a_multi_step_gesture_is_one_edit():
    project = _project()
    document = project.flow("menu")
    before = _snapshot(project)

    def move_two_to_the_end():
        say, hangup = document.root.child(0), document.root.child(4)
        for node in (say, hangup):
            document.move(node.parent, node.index(), document.root, document.root.child_count() - 1)

    edit = Edit(project, move_two_to_the_end)
    edit.run()
    after = _snapshot(project)
    assert [c.tag for c in document.root.children][-2:] == ["Say", "Hangup"]
    assert len(edit.steps) == 2
    edit.undo()
    assert _snapshot(project) == before
    edit.redo()
    assert _snapshot(project) == after


def test_rename_with_references_undoes_in_one_step():
    project = _project()
    before = _snapshot(project)
    edit = Edit(project, lambda: project.rename_flow("choice", "picked"))
    edit.run()
    after = _snapshot(project)
    assert 'action="flow:picked"' in after and "flow:choice" not in after
    edit.undo()
    assert _snapshot(project) == before
    edit.redo()
    assert _snapshot(project) == after


def test_removing_the_entry_flow_and_undoing_restores_the_entry():
    project = _project()
    before = _snapshot(project)
    edit = Edit(project, lambda: project.remove_flow("menu"))
    edit.run()
    assert project.entry == "choice" and project.names == ["choice"]
    edit.undo()
    assert project.entry == "menu" and project.names == ["menu", "choice"]
    assert _snapshot(project) == before


def test_adding_a_flow_then_editing_it_in_the_same_edit():
    project = Project()

    def add_and_fill():
        document = parse(b"<Response/>")
        project.add_flow("main", document)
        document.insert(document.root, 0, Node("Say", text="Hello"))

    edit = Edit(project, add_and_fill)
    edit.run()
    after = _snapshot(project)
    assert project.entry == "main"
    edit.undo()
    assert project.names == [] and project.entry is None
    edit.redo()
    assert _snapshot(project) == after


def test_a_removed_unknown_attribute_comes_back_in_its_place():
    project = _project()
    dial = project.flow("menu").root.child(2)
    before = _snapshot(project)
    edit = Edit(project, lambda: project.flow("menu").set_attribute(dial, "x-custom", None))
    edit.run()
    assert list(dial.attrs) == ["y-custom"]
    edit.undo()
    assert list(dial.attrs) == ["x-custom", "y-custom"]
    assert _snapshot(project) == before


def test_a_failing_action_leaves_nothing_behind():
    project = _project()
    before = _snapshot(project)
    document = project.flow("menu")

    def half_done():
        document.insert(document.root, 0, Node("Pause"))
        document.set_text(document.root.child(1), "changed")
        raise RuntimeError("boom")

    edit = Edit(project, half_done)
    with pytest.raises(RuntimeError):
        edit.run()
    assert _snapshot(project) == before
    assert not edit.changed_anything


def test_merge_appends_steps_so_one_undo_takes_both_back():
    project = _project()
    say = project.flow("menu").root.child(0)
    before = _snapshot(project)
    first = Edit(project, lambda: project.flow("menu").set_text(say, "H"))
    first.run()
    second = Edit(project, lambda: project.flow("menu").set_text(say, "He"))
    second.run()
    first.merge(second)
    first.undo()
    assert _snapshot(project) == before
    first.redo()
    assert say.text == "He"


def test_test_changes_and_a_rename_that_rewrites_tests_undo_exactly():
    from gui.core.flowtests.model import Expectation, FlowTest

    project = _project()
    test = FlowTest(
        "thanks", flow="menu", digits="1", expectations=(Expectation("flow", "choice"),)
    )
    steps = [
        lambda: project.add_test(test),
        lambda: project.rename_flow("choice", "picked"),
        lambda: project.replace_test(replace_digits(project.test("thanks"), "2"), "thanks"),
        lambda: project.remove_test("thanks"),
    ]
    for step in steps:
        before = _snapshot(project)
        edit = Edit(project, step)
        edit.run()
        after = _snapshot(project)
        assert after != before
        edit.undo()
        assert _snapshot(project) == before
        edit.redo()
        assert _snapshot(project) == after
    assert 'flow="picked"' not in _snapshot(project)


def replace_digits(test, digits: str):
    from dataclasses import replace

    return replace(test, digits=digits)
