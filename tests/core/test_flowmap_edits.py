"""Connecting two nodes of the flow map, headless: a Redirect at the end of a flow, a new
case for the first free digit in a switch, refusals that say why, and exact undo."""

import pytest

from gui.core.flexml import parse
from gui.core.flowmap_edits import Connection, free_digit, plan_connection
from gui.core.history import Edit
from gui.core.project import Project
from gui.core.switches import MatchKind, Switch, make_case
from gui.core.templates import templates


@pytest.fixture
def ivr() -> Project:
    return next(t for t in templates() if t.name == "ivr-menu").load()


def test_a_flow_gets_a_redirect_at_the_end_of_its_response(ivr):
    connection = plan_connection(ivr, "sales", "menu")
    assert connection == Connection("sales", "menu")
    assert connection.description == "Connect sales to menu (a Redirect)"
    before = ivr.to_text()
    edit = Edit(ivr, lambda: connection.apply(ivr))
    edit.run()
    root = ivr.flow("sales").root
    last = root.child(root.child_count() - 1)
    assert (last.tag, last.text) == ("Redirect", "flow:menu")
    assert "<Redirect>flow:menu</Redirect>" in ivr.to_text()
    edit.undo()
    assert ivr.to_text() == before
    edit.redo()
    assert ivr.flow("sales").root.child_count() == root.child_count()


def test_a_flow_may_be_connected_to_a_switch(ivr):
    plan_connection(ivr, "goodbye", "route").apply(ivr)
    root = ivr.flow("goodbye").root
    last = root.child(root.child_count() - 1)
    assert (last.tag, last.text) == ("Redirect", "flow:route")
    assert not any(p.is_error for p in ivr.lint()["goodbye"])  # flow: may name a switch


def test_a_switch_gets_a_case_for_the_first_digit_none_of_its_cases_takes(ivr):
    connection = plan_connection(ivr, "route", "goodbye")
    assert connection == Connection("route", "goodbye", "3")
    assert connection.description == "Connect route to goodbye (case 3)"
    before = ivr.to_text()
    edit = Edit(ivr, lambda: connection.apply(ivr))
    edit.run()
    switch = ivr.switch("route")
    assert [(c.label(), c.goto) for c in switch.cases] == [
        ("1", "sales"),
        ("2", "support"),
        ("3", "goodbye"),
    ]
    assert switch.otherwise == "menu-again"  # untouched
    assert '<case value="3" goto="goodbye"/>' in ivr.to_text()
    edit.undo()
    assert ivr.to_text() == before


def test_free_digit_skips_every_key_a_case_takes_in_menu_order():
    def switch(*cases):
        return Switch("s", "Digits", tuple(make_case(kind, text, "x") for kind, text in cases))

    assert free_digit(switch()) == "1"
    assert free_digit(switch((MatchKind.VALUE, "1"), (MatchKind.VALUE, "3"))) == "2"
    assert free_digit(switch((MatchKind.ANY_OF, "1 2 3"))) == "4"
    assert free_digit(switch((MatchKind.PATTERN, "[1-8]"))) == "9"
    assert free_digit(switch((MatchKind.PATTERN, "X"))) is None
    assert free_digit(switch((MatchKind.PREFIX, "1"), (MatchKind.VALUE, "2"))) == "3"
    hours = Switch("h", "Digits", (make_case(MatchKind.HOURS, "Mon-Sun 00:00-23:59", "x", "UTC"),))
    assert free_digit(hours) == "1"  # opening hours take no key


def test_what_cannot_be_connected_says_why():
    project = Project()
    project.add_flow("main", parse(b"<Response><Hangup/></Response>"))
    project.add_switch(
        Switch("all", "Digits", (make_case(MatchKind.PATTERN, "X", "main"),), "main")
    )
    with pytest.raises(ValueError, match="main cannot connect to itself"):
        plan_connection(project, "main", "main")
    with pytest.raises(ValueError, match="no flow or switch named 'gone'"):
        plan_connection(project, "main", "gone")
    with pytest.raises(ValueError, match="no flow or switch named 'gone'"):
        plan_connection(project, "gone", "main")
    with pytest.raises(ValueError, match="already has a case for every digit"):
        plan_connection(project, "all", "main")
