"""Switches in the project model: one namespace with flows, announced changes, renames that
follow everywhere, and undo/redo of every switch operation through history.Edit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.core.flexml import parse
from gui.core.history import Edit
from gui.core.project import Project, ProjectChange, ProjectChangeKind
from gui.core.project_file import read_project
from gui.core.switches import MatchKind, Switch, make_case

MENU = b'<Response><Gather action="flow:route" numDigits="1"><Say>Press</Say></Gather></Response>'


def route(name: str = "route", otherwise: str | None = "menu") -> Switch:
    return Switch(
        name,
        "Digits",
        (
            make_case(MatchKind.VALUE, "1", "sales"),
            make_case(MatchKind.ANY_OF, "2 3", "support"),
        ),
        otherwise,
    )


def ivr() -> Project:
    project = Project()
    project.add_flow("menu", parse(MENU))
    project.add_flow("sales", parse(b"<Response><Say>Sales</Say></Response>"))
    project.add_flow("support", parse(b"<Response><Redirect>flow:route</Redirect></Response>"))
    project.add_switch(route())
    return project


class Recorder:
    def __init__(self, project: Project) -> None:
        self.seen: list[tuple[str, ProjectChange]] = []
        self.switches_then: list[list[str]] = []  # the switch names each event saw
        project.about_to_change.connect(lambda c: self._seen(project, "about", c))
        project.changed.connect(lambda c: self._seen(project, "changed", c))

    def _seen(self, project: Project, when: str, change: ProjectChange) -> None:
        self.seen.append((when, change))
        self.switches_then.append(project.switch_names)

    def kinds(self) -> list[tuple[str, ProjectChangeKind]]:
        return [(when, change.kind) for when, change in self.seen]


# -- the model ----------------------------------------------------------------------------


def test_switches_sit_beside_flows_in_order_and_share_their_namespace():
    project = ivr()
    project.add_switch(route("first", None), index=0)
    assert project.names == ["menu", "sales", "support"]  # names, len and `in` are flows
    assert len(project) == 3 and "route" not in project
    assert project.switch_names == ["first", "route"]
    assert project.all_names == ["menu", "sales", "support", "first", "route"]
    assert project.is_switch("route") and not project.is_switch("menu")
    assert project.switch("route") == route()
    assert list(project.switches) == ["first", "route"]
    with pytest.raises(TypeError):
        project.switches["x"] = route("x")  # type: ignore[index]  # read-only
    with pytest.raises(KeyError, match="no switch named 'nope'"):
        project.switch("nope")


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda p: p.add_switch(route("menu")), "already has a flow named 'menu'"),
        (lambda p: p.add_switch(route("route")), "already has a switch named 'route'"),
        (lambda p: p.add_switch(route("Not A Name")), "is not a switch name"),
        (lambda p: p.add_flow("route", parse(b"<Response/>")), "a switch named 'route'"),
        (lambda p: p.rename_flow("sales", "route"), "a switch named 'route'"),
        (lambda p: p.rename_switch("route", "sales"), "a flow named 'sales'"),
        (lambda p: p.rename_switch("route", "Bad"), "is not a switch name"),
    ],
)
def test_one_namespace_refusals_change_nothing(action, message):
    project = ivr()
    before = project.to_text()
    recorder = Recorder(project)
    with pytest.raises(ValueError, match=message):
        action(project)
    assert recorder.seen == [] and project.to_text() == before


def test_the_entry_is_a_flow_never_a_switch():
    project = ivr()
    with pytest.raises(KeyError):
        project.set_entry("route")
    assert project.entry == "menu"


def test_add_remove_and_replace_are_announced_before_and_after_with_what_undo_needs():
    project = ivr()
    recorder = Recorder(project)
    other = route("other")
    project.add_switch(other, index=0)
    edited = replace(other, otherwise="sales")
    project.replace_switch(edited)
    removed = project.remove_switch("other")
    assert removed is edited
    assert recorder.kinds() == [
        ("about", ProjectChangeKind.SWITCH_ADDED),
        ("changed", ProjectChangeKind.SWITCH_ADDED),
        ("about", ProjectChangeKind.SWITCH_CHANGED),
        ("changed", ProjectChangeKind.SWITCH_CHANGED),
        ("about", ProjectChangeKind.SWITCH_REMOVED),
        ("changed", ProjectChangeKind.SWITCH_REMOVED),
    ]
    added, changed, gone = (c for when, c in recorder.seen if when == "changed")
    assert (added.name, added.index, added.switch) == ("other", 0, other)
    assert (changed.switch, changed.old_switch) == (edited, other)
    assert (gone.name, gone.index, gone.switch) == ("other", 0, edited)
    # Before each change the model is as it was, after it as it is: what a Qt model needs
    # for beginInsertRows/endInsertRows and beginRemoveRows/endRemoveRows.
    assert recorder.switches_then == [
        ["route"],
        ["other", "route"],
        ["other", "route"],
        ["other", "route"],
        ["other", "route"],
        ["route"],
    ]
    project.replace_switch(project.switch("route"))  # the same object: nothing to announce
    assert len(recorder.seen) == 6


def test_replacing_a_switch_that_does_not_exist_is_a_key_error():
    with pytest.raises(KeyError):
        ivr().replace_switch(route("nope"))


def test_renaming_a_switch_rewrites_references_and_gotos_everywhere():
    project = ivr()
    project.add_switch(Switch("chain", "From", (make_case(MatchKind.PREFIX, "1", "route"),)))
    project.rename_switch("route", "choice")
    assert project.switch_names == ["choice", "chain"]  # keeps its place
    assert project.switch("choice").name == "choice"
    assert project.flow("menu").root.child(0).attrs["action"] == "flow:choice"
    assert project.flow("support").root.child(0).text == "flow:choice"
    assert project.switch("chain").cases[0].goto == "choice"


def test_renaming_a_flow_rewrites_switch_gotos_and_otherwise():
    project = ivr()
    project.rename_flow("menu", "start")
    switch = project.switch("route")
    assert switch.otherwise == "start"
    assert [c.goto for c in switch.cases] == ["sales", "support"]
    project.rename_flow("sales", "shop", update_references=False)
    assert project.switch("route").cases[0].goto == "sales"  # left, as for flow: references


def test_renaming_a_switch_to_its_own_name_does_nothing():
    project = ivr()
    recorder = Recorder(project)
    project.rename_switch("route", "route")
    assert recorder.seen == []


def test_a_flow_reference_may_name_a_switch():
    project = ivr()
    assert project.lint()["menu"] == []  # flow:route is known
    project.remove_switch("route")
    assert [p.code for p in project.lint()["menu"]] == ["unknown-flow"]


# -- undo and redo through history.Edit ----------------------------------------------------


def _undo_redo(project: Project, action) -> None:
    """Run `action` as one Edit; undo must restore the text exactly, redo the result."""
    before = project.to_text()
    edit = Edit(project, action)
    edit.run()
    after = project.to_text()
    assert after != before
    edit.undo()
    assert project.to_text() == before
    edit.redo()
    assert project.to_text() == after
    edit.undo()
    assert project.to_text() == before


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda p: p.add_switch(route("other", "sales"), index=0), id="add"),
        pytest.param(lambda p: p.remove_switch("route"), id="remove"),
        pytest.param(lambda p: p.rename_switch("route", "choice"), id="rename"),
        pytest.param(
            lambda p: p.replace_switch(replace(p.switch("route"), on="From", otherwise=None)),
            id="replace",
        ),
        pytest.param(lambda p: p.rename_flow("sales", "shop"), id="rename-a-flow-it-goes-to"),
        pytest.param(
            lambda p: (p.add_switch(route("other")), p.rename_switch("route", "choice")),
            id="several-in-one",
        ),
    ],
)
def test_every_switch_operation_undoes_and_redoes_as_one_step(action):
    project = ivr()
    _undo_redo(project, lambda: action(project))


def test_undoing_a_rename_puts_every_reference_back_in_place():
    project = ivr()
    edit = Edit(project, lambda: project.rename_switch("route", "choice"))
    edit.run()
    kinds = [step.change.kind for step in edit.steps if step.document is None]
    assert kinds[0] is ProjectChangeKind.SWITCH_RENAMED
    edit.undo()
    assert project.switch_names == ["route"]
    assert project.flow("menu").root.child(0).attrs["action"] == "flow:route"
    assert project.switch("route") == route()


def test_an_edit_that_fails_takes_back_its_switch_changes():
    project = ivr()
    before = project.to_text()

    def half_done() -> None:
        project.add_switch(route("other"))
        project.add_switch(route("menu"))  # refused: a flow has the name

    with pytest.raises(ValueError):
        Edit(project, half_done).run()
    assert project.to_text() == before


def test_contents_become_the_model_with_their_switches():
    project = ivr()
    loaded = Project.from_contents(read_project(project.to_text().encode()))
    assert loaded.switch_names == ["route"]
    assert loaded.switch("route") == route()
    assert loaded.to_text() == project.to_text()
