"""Lint of switches, table-driven: each rule, where it points (line and column), and what it
must not say (its conservative side)."""

from __future__ import annotations

import pytest

from gui.core.project import Project
from gui.core.project_file import read_project

GATHER = '<Gather action="flow:route" numDigits="1"><Say>Press</Say></Gather>'


def project(switches: str, menu: str = GATHER, *more_flows: str) -> Project:
    """A project whose first switch starts on line 4 and its first case on line 5."""
    flows = "".join(
        f'<flow name="{name}"><Response>{body}</Response></flow>'
        for name, body in (("menu", menu), *(f.split("=", 1) for f in more_flows))
    )
    text = (
        '<flexml-project format="1" entry="menu">\n'
        f"{flows}\n"
        '<flow name="sales"><Response><Hangup/></Response></flow>\n'
        f"{switches}\n"
        "</flexml-project>\n"
    )
    loaded = Project.from_contents(read_project(text.encode()))
    assert loaded.notes == []
    return loaded


def found(p: Project, switch: str = "route") -> list[tuple[str, str, int | None, int | None]]:
    return [(x.severity.value, x.code, x.line, x.column) for x in p.lint()[switch]]


def switch(*cases: str, on: str = "Digits", otherwise: str | None = "menu", name="route") -> str:
    lines = [f'<switch name="{name}" on="{on}">']
    lines += [f"  {case}" for case in cases]
    if otherwise is not None:
        lines.append(f'  <otherwise goto="{otherwise}"/>')
    lines.append("</switch>")
    return "\n".join(lines)


def test_a_clean_switch_has_no_problems_and_every_switch_gets_a_key():
    p = project(switch('<case value="1" goto="sales"/>', '<case value="2" goto="menu"/>'))
    assert p.lint() == {"menu": [], "sales": [], "route": []}


# -- errors ----------------------------------------------------------------------------------


def test_a_goto_to_nothing_is_an_error_where_it_is_written():
    p = project(switch('<case value="1" goto="nowhere"/>', otherwise="Bad Name"))
    problems = p.lint()["route"]
    assert [(x.code, x.line, x.column, x.path) for x in problems] == [
        ("unknown-flow", 5, 3, "case 1"),
        ("unknown-flow", 6, 3, "otherwise"),
    ]
    assert all(x.is_error for x in problems)
    assert "no flow or switch of that name" in problems[0].message
    assert "not a valid flow name" in problems[1].message


def test_a_flow_reference_to_an_unknown_name_still_errors_as_today():
    p = project(switch('<case value="1" goto="sales"/>'), "<Redirect>flow:nope</Redirect>")
    assert [x.code for x in p.lint()["menu"]] == ["unknown-flow"]


def test_switches_in_a_circle_are_errors_on_each():
    p = project(
        switch('<case value="1" goto="other"/>')
        + "\n"
        + switch('<case prefix="1" goto="route"/>', name="other", otherwise="sales")
    )
    route, other = p.lint()["route"], p.lint()["other"]
    assert [(x.code, x.line) for x in route] == [("switch-circle", 4)]
    assert [(x.code, x.line) for x in other] == [("switch-circle", 8)]
    assert "route -> other -> route" in route[0].message
    assert "other -> route -> other" in other[0].message


def test_a_switch_that_goes_to_itself_is_a_circle():
    p = project(switch('<case value="1" goto="route"/>'))
    (problem,) = p.lint()["route"]
    assert problem.code == "switch-circle" and "route -> route" in problem.message


# -- warnings ---------------------------------------------------------------------------------


def test_no_otherwise_is_a_warning_on_the_switch():
    p = project(switch('<case value="1" goto="sales"/>', otherwise=None))
    assert found(p) == [("warning", "switch-no-otherwise", 4, 1)]


def test_a_switch_nothing_refers_to_is_a_warning():
    p = project(
        switch('<case value="1" goto="sales"/>')
        + "\n"
        + switch('<case value="1" goto="unused"/>', name="unused", otherwise="sales"),
        "<Hangup/>",
    )
    # route: nothing refers to it either now; unused only refers to itself.
    assert found(p) == [("warning", "unused-switch", 4, 1)]
    assert [(c, line) for _s, c, line, _col in found(p, "unused")] == [
        ("unused-switch", 8),
        ("switch-circle", 8),
    ]


def test_a_switch_reached_only_through_another_switch_is_used():
    p = project(
        switch('<case value="1" goto="second"/>')
        + "\n"
        + switch('<case value="2" goto="sales"/>', name="second", otherwise="sales")
    )
    assert p.lint()["second"] == []


def test_a_switch_without_a_parameter_warns_unless_it_only_checks_hours():
    hours = '<case hours="Mon-Fri 09:00-17:00" tz="Europe/London" goto="sales"/>'
    p = project(switch('<case value="1" goto="sales"/>', on=""))
    assert [c for _s, c, *_ in found(p)] == ["switch-no-parameter"]
    assert project(switch(hours, on="")).lint()["route"] == []


SHADOWED = [
    # (cases, the case numbers that warn)
    (['<case value="1" goto="sales"/>', '<case value="1" goto="menu"/>'], [2]),
    (['<case values="1 2" goto="sales"/>', '<case value="2" goto="menu"/>'], [2]),
    (['<case value="1" goto="sales"/>', '<case values="1 2" goto="menu"/>'], [2]),  # partly
    (
        [
            '<case value="1" goto="sales"/>',
            '<case value="2" goto="sales"/>',
            '<case values="2 1" goto="menu"/>',
        ],
        [3],
    ),  # by two cases together
    (['<case prefix="0" goto="sales"/>', '<case value="01" goto="menu"/>'], [2]),
    (['<case prefix="0" goto="sales"/>', '<case prefix="01" goto="menu"/>'], [2]),
    (['<case prefix="0" goto="sales"/>', '<case pattern="0XX." goto="menu"/>'], [2]),
    (['<case pattern="NXX" goto="sales"/>', '<case value="234" goto="menu"/>'], [2]),
    (['<case pattern="X." goto="sales"/>', '<case pattern="1X." goto="menu"/>'], [2]),
    (['<case pattern="X." goto="sales"/>', '<case prefix="12" goto="menu"/>'], [2]),
    (['<case values="1 2" goto="sales"/>', '<case pattern="[12]" goto="menu"/>'], [2]),
    (['<case pattern="[1-5]" goto="sales"/>', '<case pattern="[2-3]" goto="menu"/>'], [2]),
    (
        [
            '<case hours="Mon 09:00-17:00" tz="Europe/London" goto="sales"/>',
            '<case hours="Mon 09:00-17:00" tz="Europe/London" goto="menu"/>',
        ],
        [2],
    ),
    # Not shadowed: each matches something the earlier ones do not.
    (['<case value="1" goto="sales"/>', '<case prefix="1" goto="menu"/>'], []),
    (['<case prefix="01" goto="sales"/>', '<case prefix="0" goto="menu"/>'], []),
    (['<case pattern="XX" goto="sales"/>', '<case prefix="1" goto="menu"/>'], []),
    (['<case pattern="X" goto="sales"/>', '<case pattern="X." goto="menu"/>'], []),
    (['<case pattern="1X." goto="sales"/>', '<case pattern="X." goto="menu"/>'], []),
    (['<case pattern="XX." goto="sales"/>', '<case prefix="1" goto="menu"/>'], []),
    (['<case prefix="1" goto="sales"/>', '<case pattern="X1." goto="menu"/>'], []),
    (
        [
            '<case hours="Mon 09:00-17:00" tz="Europe/London" goto="sales"/>',
            '<case value="1" goto="menu"/>',
        ],
        [],
    ),  # hours depend on the time
    (
        [
            '<case hours="Mon 09:00-17:00" tz="Europe/London" goto="sales"/>',
            '<case hours="Mon 09:00-17:00" tz="Europe/Paris" goto="menu"/>',
        ],
        [],
    ),
    (['<case pattern="XXXX" goto="sales"/>', '<case pattern="XXXX" goto="menu"/>'], [2]),
    # Patterns of too many values to try one by one: compared position by position.
    (['<case pattern="XXXX" goto="sales"/>', '<case pattern="1XXX" goto="menu"/>'], [2]),
    (['<case pattern="XXX." goto="sales"/>', '<case pattern="1XXXX" goto="menu"/>'], [2]),
    (['<case pattern="XXXX" goto="sales"/>', '<case pattern="XXXX." goto="menu"/>'], []),
    (['<case pattern="XXXX" goto="sales"/>', '<case pattern="XXXXX" goto="menu"/>'], []),
    (['<case pattern="1XXX" goto="sales"/>', '<case pattern="XXXX" goto="menu"/>'], []),
]


@pytest.mark.parametrize(("cases", "warned"), SHADOWED)
def test_a_case_an_earlier_case_always_shadows_is_a_warning(cases, warned):
    p = project(switch(*cases), "<Redirect>flow:route</Redirect>")  # no Gather rules here
    problems = [x for x in p.lint()["route"] if x.code == "shadowed-case"]
    assert [int(x.path.split()[1]) for x in problems] == warned
    for x in problems:
        assert x.severity.value == "warning" and x.line == 4 + int(x.path.split()[1])


def test_a_partly_shadowed_case_names_the_values_that_never_reach_it():
    p = project(
        switch('<case value="1" goto="sales"/>', '<case values="1 2" goto="menu"/>'),
        "<Redirect>flow:route</Redirect>",
    )
    (problem,) = p.lint()["route"]
    assert "1 never reach it" in problem.message


UNSENDABLE = [
    # (the Gather's attributes, the case, warned)
    ('numDigits="1"', '<case value="12" goto="sales"/>', True),
    ('numDigits="2"', '<case value="12" goto="sales"/>', False),
    ("", '<case value="12345" goto="sales"/>', False),  # no numDigits: any length
    ("", '<case value="1#" goto="sales"/>', True),  # # is the default finishOnKey
    ('finishOnKey="*"', '<case value="1#" goto="sales"/>', False),
    ('finishOnKey="_"', '<case value="1#" goto="sales"/>', False),  # no finish key at all
    ('finishOnKey="*"', '<case value="*" goto="sales"/>', True),
    ('validDigits="12"', '<case value="3" goto="sales"/>', True),
    ('validDigits="12"', '<case values="1 3" goto="sales"/>', True),
    ('validDigits="12"', '<case values="1 2" goto="sales"/>', False),
    ("", '<case value="a" goto="sales"/>', True),  # no key makes a letter
    ('numDigits="1"', '<case prefix="12" goto="sales"/>', True),
    ('numDigits="1"', '<case prefix="1" goto="sales"/>', False),
    ('numDigits="2"', '<case pattern="NXX" goto="sales"/>', True),
    ('numDigits="3"', '<case pattern="NXX" goto="sales"/>', False),
    ('numDigits="1"', '<case pattern="X." goto="sales"/>', True),  # '.' is one or more
    ('validDigits="01"', '<case pattern="N" goto="sales"/>', True),
    ('validDigits="1"', '<case pattern="[1-3]" goto="sales"/>', False),
    ('numDigits="1"', '<case hours="Mon 09:00-17:00" tz="UTC" goto="sales"/>', False),
]


@pytest.mark.parametrize(("attributes", "case", "warned"), UNSENDABLE)
def test_digits_no_gather_leading_to_the_switch_can_send(attributes, case, warned):
    gather = f'<Gather action="flow:route" {attributes}><Say>Press</Say></Gather>'
    p = project(switch(case), gather)
    codes = [(x.code, x.line, x.column) for x in p.lint()["route"]]
    assert codes == ([("digits-never-sent", 5, 3)] if warned else [])


def test_unsendable_digits_say_why():
    p = project(switch('<case value="12" goto="sales"/>'))
    (problem,) = p.lint()["route"]
    assert problem.message == (
        "Digits 12: no Gather that leads here sends it "
        "(the Gather at line 2 takes at most numDigits=1)"
    )


def test_digits_are_checked_only_when_every_way_in_is_a_gather():
    # A Redirect to the switch may come with any Digits: nothing is said.
    p = project(
        switch('<case value="12" goto="sales"/>'),
        GATHER,
        "other=<Redirect>flow:route</Redirect>",
    )
    assert p.lint()["route"] == []
    # Two Gathers: a value either can send is fine.
    p = project(
        switch('<case value="12" goto="sales"/>', '<case value="123" goto="sales"/>'),
        GATHER,
        'other=<Gather action="flow:route" numDigits="2"/>',
    )
    assert [(x.code, x.path) for x in p.lint()["route"]] == [("digits-never-sent", "case 2")]


def test_digits_pass_through_switches_to_the_next_one():
    p = project(
        switch('<case value="9" goto="sales"/>', otherwise="second")
        + "\n"
        + switch('<case value="22" goto="sales"/>', name="second", otherwise="sales")
    )
    assert [x.code for x in p.lint()["second"]] == ["digits-never-sent"]


def test_another_parameter_is_never_checked_against_gathers():
    p = project(switch('<case value="15551234567" goto="sales"/>', on="From"))
    assert p.lint()["route"] == []


def test_lint_follows_edits_of_switches_and_flows():
    p = project(switch('<case value="1" goto="sales"/>'))
    assert p.lint()["route"] == []
    p.rename_flow("sales", "shop")  # the goto follows
    assert p.lint()["route"] == []
    p.rename_flow("shop", "store", update_references=False)
    assert [x.code for x in p.lint()["route"]] == ["unknown-flow"]
    gather = p.flow("menu").root.child(0)
    p.flow("menu").set_attribute(gather, "action", "flow:store")
    # Switch-level problems come first, then the cases'.
    assert [x.code for x in p.lint()["route"]] == ["unused-switch", "unknown-flow"]
