"""Following switches (switch to switch, circles, no match), making cases from their text,
and a decision said in a header and read back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gui.core.switches import (
    MAX_HOPS,
    MAX_VALUE,
    Decision,
    MatchKind,
    Switch,
    SwitchError,
    decision_from_header,
    decision_header,
    follow,
    make_case,
)

NOON = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # a Monday, noon in New York
NIGHT = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)


def value(text: str, goto: str):
    return make_case(MatchKind.VALUE, text, goto)


HOURS = Switch(
    "hours",
    "",
    (make_case(MatchKind.HOURS, "Mon-Fri 09:00-17:00", "route", "America/New_York"),),
    "closed",
)
ROUTE = Switch("route", "Digits", (value("1", "sales"), value("2", "support")), "menu")
SWITCHES = {"hours": HOURS, "route": ROUTE}


@pytest.mark.parametrize(
    ("start", "params", "moment", "target", "labels"),
    [
        ("route", {"Digits": "1"}, NOON, "sales", ["1"]),
        ("route", {"Digits": "9"}, NOON, "menu", ["otherwise"]),
        ("hours", {"Digits": "2"}, NOON, "support", ["Mon-Fri 09:00-17:00", "2"]),
        ("hours", {"Digits": "2"}, NIGHT, "closed", ["otherwise"]),
        ("sales", {}, NOON, "sales", []),  # not a switch: where it already is
    ],
)
def test_follow_goes_through_switches_to_the_first_other_name(
    start, params, moment, target, labels
):
    way = follow(start, SWITCHES, params, moment)
    assert way.target == target and way.failure is None and not way.circular
    assert [d.label for d in way.decisions] == labels


def test_no_case_and_no_otherwise_is_a_failure_that_says_so():
    strict = {"s": Switch("s", "Digits", (value("1", "a"),))}
    way = follow("s", strict, {"Digits": "7"}, NOON)
    assert (way.target, way.decisions, way.circular) == (None, (), False)
    assert way.failure == "switch 's' has no case for Digits = '7' and no otherwise"
    assert "Digits = no value" in follow("s", strict, {}, NOON).failure


def test_a_circle_of_switches_fails_once_round_instead_of_forever():
    circle = {
        "a": Switch("a", "Digits", (), "b"),
        "b": Switch("b", "Digits", (), "a"),
    }
    way = follow("a", circle, {}, NOON)
    assert way.target is None and way.circular
    assert [d.switch for d in way.decisions] == ["a", "b"]
    assert way.failure == "the switches a -> b -> a lead to each other in a circle"


def test_a_long_chain_is_bounded():
    chain = {f"s{i}": Switch(f"s{i}", "", (), f"s{i + 1}") for i in range(MAX_HOPS + 5)}
    way = follow("s0", chain, {}, NOON)
    assert way.target is None and way.circular and len(way.decisions) == MAX_HOPS
    assert way.failure == f"more than {MAX_HOPS} switches follow one another (s0 first)"


@pytest.mark.parametrize(
    ("raw", "goto"),
    [
        (1, "sales"),  # a JSON number counts as its digits
        (2, "support"),
        (True, "menu"),  # not a number of keys
        (None, "menu"),
        (-1, "menu"),
        (1.0, "menu"),
        (["1"], "menu"),
    ],
)
def test_a_whole_number_from_json_counts_other_values_do_not(raw, goto):
    assert ROUTE.decide({"Digits": raw}, NOON).goto == goto


@pytest.mark.parametrize(
    ("kind", "text", "zone", "expected"),
    [
        (MatchKind.VALUE, "1", None, ("1",)),
        (MatchKind.VALUE, "two words", None, ("two words",)),  # an exact value may hold spaces
        (MatchKind.ANY_OF, " 1  2 3 ", None, ("1", "2", "3")),
        (MatchKind.PREFIX, "44", None, ("44",)),
    ],
)
def test_make_case_reads_what_the_file_and_editor_write(kind, text, zone, expected):
    case = make_case(kind, text, "x", zone)
    assert case.values == expected
    assert make_case(kind, case.text, "x", case.zone) == case  # the text makes it again


def test_make_case_for_patterns_and_hours_keeps_their_text():
    pattern = make_case(MatchKind.PATTERN, "_NXX.", "x")
    assert (pattern.text, pattern.zone, pattern.label()) == ("_NXX.", None, "_NXX.")
    hours = make_case(MatchKind.HOURS, "sat,sun 10:00-12:00", "x", "Europe/Paris")
    assert (hours.text, hours.zone, hours.label()) == (
        "sat,sun 10:00-12:00",
        "Europe/Paris",
        "Sat,Sun 10:00-12:00",
    )


@pytest.mark.parametrize(
    ("kind", "text", "zone", "words"),
    [
        (MatchKind.VALUE, "", None, "needs a value"),
        (MatchKind.ANY_OF, "   ", None, "needs a value"),
        (MatchKind.PREFIX, "", None, "needs a value"),
        (MatchKind.VALUE, "1" * (MAX_VALUE + 1), None, "longer than"),
        (MatchKind.VALUE, "1", "Europe/Paris", "only goes with opening hours"),
        (MatchKind.PATTERN, "1a", None, "not a digit"),
        (MatchKind.HOURS, "Mon 09:00-17:00", None, "need a time zone"),
    ],
)
def test_make_case_refuses_what_could_never_match(kind, text, zone, words):
    with pytest.raises(SwitchError, match=words):
        make_case(kind, text, "x", zone)


def test_retargeted_moves_every_goto_and_otherwise_and_nothing_else():
    switch = Switch("s", "Digits", (value("1", "a"), value("2", "b"), value("3", "a")), "a")
    moved = switch.retargeted("a", "z")
    assert [c.goto for c in moved.cases] == ["z", "b", "z"]
    assert moved.otherwise == "z" and moved.name == "s"
    assert switch.retargeted("nope", "z") == switch


@pytest.mark.parametrize(
    "decision",
    [
        Decision("route", "Digits", "2", 1, "2", "support"),
        Decision("route", "Digits", None, None, "otherwise", "menu"),
        Decision("hours", "", None, 0, "Mon-Fri 09:00-17:00", "route"),
        Decision("route", "CallerName", 'Zoë "\r\n" 🙂', None, "otherwise", "menu"),
    ],
)
def test_a_decision_goes_into_one_ascii_header_line_and_back(decision):
    header = decision_header(decision)
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert decision_from_header(header) == decision


def test_a_long_value_is_cut_in_the_header():
    long = Decision("route", "Digits", "1" * 10_000, None, "otherwise", "menu")
    back = decision_from_header(decision_header(long))
    assert back is not None and len(back.value) == MAX_VALUE + 1


@pytest.mark.parametrize(
    "header", ["", "nonsense", "[]", '["a","b"]', "[1,2,3,4,5,6]", '["a","b",3,0,"l","g"]']
)
def test_a_header_that_says_no_decision_is_ignored(header):
    assert decision_from_header(header) is None
