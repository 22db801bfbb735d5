"""Switches in the project file: the documented syntax, byte-for-byte round trips, places
(line and column) for lint, and one bad case reported and skipped, never the file."""

from __future__ import annotations

import pytest

from gui.core.project import Project
from gui.core.project_file import FORMAT_VERSION, read_project
from gui.core.switches import MatchKind

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<flexml-project format="1" entry="menu">\n'
MENU = (
    '  <flow name="menu">\n'
    "    <Response>\n"
    '      <Gather action="flow:route" numDigits="1">\n'
    "        <Say>Press 1 or 2</Say>\n"
    "      </Gather>\n"
    "    </Response>\n"
    "  </flow>\n"
)
EVERY_MATCHER = (
    '  <switch name="route" on="Digits">\n'
    '    <case value="1" goto="menu"/>\n'
    '    <case values="2 3" goto="menu"/>\n'
    '    <case prefix="0" goto="menu"/>\n'
    '    <case pattern="NXX." goto="menu"/>\n'
    '    <case hours="Mon-Fri 09:00-17:00; Sat 10:00-14:00" tz="America/New_York" goto="menu"/>\n'
    '    <otherwise goto="menu"/>\n'
    "  </switch>\n"
)
TAIL = "</flexml-project>\n"


def text_of(*parts: str) -> str:
    return HEAD + "".join(parts) + TAIL


def load_text(text: str) -> Project:
    return Project.from_contents(read_project(text.encode()))


def test_every_matcher_reads_and_writes_back_byte_for_byte():
    text = text_of(MENU, EVERY_MATCHER)
    contents = read_project(text.encode())
    assert contents.notes == []
    switch = contents.switches["route"]
    assert (switch.name, switch.on, switch.otherwise) == ("route", "Digits", "menu")
    assert [c.kind for c in switch.cases] == [
        MatchKind.VALUE,
        MatchKind.ANY_OF,
        MatchKind.PREFIX,
        MatchKind.PATTERN,
        MatchKind.HOURS,
    ]
    assert [c.label() for c in switch.cases] == [
        "1",
        "2 or 3",
        "0…",
        "NXX.",
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
    ]
    assert switch.cases[4].zone == "America/New_York"
    project = Project.from_contents(contents)
    assert project.to_text() == text
    # Write, read, write: the same bytes again.
    assert load_text(project.to_text()).to_text() == text


def test_switches_are_written_after_the_flows_wherever_they_were():
    text = text_of(EVERY_MATCHER, MENU)
    project = load_text(text)
    assert project.to_text() == text_of(MENU, EVERY_MATCHER)


def test_a_project_without_switches_reads_and_writes_as_before():
    text = text_of(MENU)
    contents = read_project(text.encode())
    assert contents.switches == {} and contents.notes == []
    assert load_text(text).to_text() == text
    assert FORMAT_VERSION == 1  # switches did not need a new format


def test_values_that_need_escaping_round_trip():
    switch = (
        '  <switch name="by-name" on="Caller&amp;Name">\n'
        '    <case value="A &amp; B &lt;&quot;x&quot;&gt;" goto="menu"/>\n'
        "  </switch>\n"
    )
    text = text_of(MENU, switch)
    project = load_text(text)
    case = project.switch("by-name").cases[0]
    assert project.switch("by-name").on == "Caller&Name"
    assert case.values == ('A & B <"x">',)
    assert project.to_text() == text


def test_an_empty_switch_and_one_without_on_round_trip():
    switch = '  <switch name="hours">\n    <otherwise goto="menu"/>\n  </switch>\n'
    empty = '  <switch name="empty" on="From">\n  </switch>\n'
    text = text_of(MENU, switch, empty)
    project = load_text(text)
    assert project.switch("hours").on == ""
    assert project.switch("empty").cases == () and project.switch("empty").otherwise is None
    assert project.to_text() == text


def test_switches_cases_and_otherwise_know_their_place_in_the_file():
    project = load_text(text_of(MENU, EVERY_MATCHER))
    switch = project.switch("route")
    assert (switch.line, switch.column) == (10, 3)
    assert [(c.line, c.column) for c in switch.cases] == [(n, 5) for n in range(11, 16)]
    assert (switch.otherwise_line, switch.otherwise_column) == (16, 5)
    # The flows' nodes keep theirs too, switches before or after them.
    flipped = load_text(text_of(EVERY_MATCHER, MENU))
    say = flipped.flow("menu").root.child(0).child(0)
    assert (say.tag, say.line, say.column) == ("Say", 14, 9)


def test_places_do_not_count_in_comparisons():
    first = load_text(text_of(MENU, EVERY_MATCHER)).switch("route")
    moved = load_text(text_of(EVERY_MATCHER, MENU)).switch("route")
    assert first.line != moved.line
    assert first == moved


# -- one bad element reported and skipped -------------------------------------------------

BAD_CASES = [
    ('<case value="1" prefix="2" goto="menu"/>', "needs exactly one of", "value and prefix"),
    ('<case goto="menu"/>', "needs exactly one of", "it has none"),
    ('<case valeu="1" goto="menu"/>', "has no attribute valeu", "one of value, values"),
    ('<case value="1"/>', "says no goto", ""),
    ('<case value="" goto="menu"/>', "needs a value", "empty one never matches"),
    ('<case values="  " goto="menu"/>', "needs a value", ""),
    (f'<case value="{"1" * 300}" goto="menu"/>', "longer than 256", ""),
    ('<case pattern="1[2" goto="menu"/>', "never closed", ""),
    ('<case pattern="1.2" goto="menu"/>', "'.' may only come last", ""),
    ('<case hours="Mon-Fri 09:00-17:00" goto="menu"/>', "need a time zone", ""),
    ('<case hours="weekdays" tz="Europe/London" goto="menu"/>', "write days and times", ""),
    ('<case hours="Mon 09:00-17:00" tz="Mars/Base" goto="menu"/>', "not an IANA time zone", ""),
    ('<case value="1" tz="Europe/London" goto="menu"/>', "only goes with opening hours", ""),
]


@pytest.mark.parametrize(("case", "words", "more"), BAD_CASES)
def test_a_bad_case_is_reported_with_its_place_and_skipped_the_switch_kept(case, words, more):
    switch = (
        '  <switch name="route" on="Digits">\n'
        '    <case value="1" goto="menu"/>\n'
        f"    {case}\n"
        '    <case value="2" goto="menu"/>\n'
        '    <otherwise goto="menu"/>\n'
        "  </switch>\n"
    )
    contents = read_project(text_of(switch, MENU).encode())
    (note,) = contents.notes
    assert (note.line, note.column, note.code) == (5, 5, "project-repaired")
    assert note.message.startswith("switch 'route': a <case> was skipped: ")
    assert words in note.message and more in note.message
    kept = contents.switches["route"]
    assert [c.values for c in kept.cases] == [("1",), ("2",)]
    assert [c.line for c in kept.cases] == [4, 6]  # places are the kept cases' own
    assert kept.otherwise == "menu"
    say = contents.flows["menu"].root.child(0).child(0)
    assert (say.line, say.column) == (12, 9)  # what was skipped does not move the flows


def test_everything_else_wrong_in_a_switch_is_reported_and_the_rest_kept():
    text = text_of(
        MENU,
        '  <switch name="Main Route" on="Digits" x-color="red">\n'  # line 10
        "    <!-- a comment is fine -->\n"
        '    <case value="1" goto="menu">text</case>\n'
        "    <default goto='menu'/>\n"
        '    <otherwise goto="menu" when="always"/>\n'
        '    <otherwise goto="menu"/>\n'
        '    <otherwise goto="elsewhere"/>\n'
        "  </switch>\n"
        '  <switch name="menu" on="Digits"/>\n',  # line 18: a flow has that name
    )
    contents = read_project(text.encode())
    assert [(n.line, n.column, n.message) for n in contents.notes] == [
        (10, 3, "the switch named 'Main Route' was renamed to 'main-route'"),
        (
            10,
            3,
            "<switch name='main-route'> has attributes this version does not know (x-color); "
            "they were kept",
        ),
        (12, 5, "switch 'main-route': the content of a <case> was ignored"),
        (13, 5, "switch 'main-route': an unknown <default> element was skipped"),
        (
            14,
            5,
            "switch 'main-route': the <otherwise> was skipped: it has no attribute when",
        ),
        (16, 5, "switch 'main-route': only the first <otherwise> counts"),
        (18, 3, "the switch named 'menu' was renamed to 'menu-2'"),
    ]
    switch = contents.switches["main-route"]
    assert switch.extra == {"x-color": "red"}
    assert switch.otherwise == "menu" and switch.otherwise_line == 15
    assert list(contents.switches) == ["main-route", "menu-2"]
    # The unknown attribute is written back, so nothing a newer version wrote is lost.
    written = Project.from_contents(contents).to_text()
    assert '<switch name="main-route" on="Digits" x-color="red">' in written


def test_a_flow_after_a_switch_of_its_name_is_renamed_not_lost():
    text = text_of('  <switch name="menu" on="Digits"/>\n', MENU)
    contents = read_project(text.encode())
    assert list(contents.switches) == ["menu"]
    assert list(contents.flows) == ["menu-2"]
    assert contents.entry == "menu-2"  # the entry names a flow; the first flow stands in
    assert [n.message for n in contents.notes] == [
        "the flow named 'menu' was renamed to 'menu-2'",
        "the entry flow 'menu' does not exist; the first flow is used",
    ]
