"""Switch semantics, table-driven: every way a case matches, otherwise, and the bounds."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gui.core.switches import (
    MAX_VALUE,
    Case,
    MatchKind,
    Switch,
    SwitchError,
    compile_pattern,
    parse_hours,
)

MONDAY_NOON_NY = datetime(2026, 12, 7, 12, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("1", "1", True),
        ("1", "2", False),
        ("1", "11", False),
        ("X", "7", True),
        ("X", "*", False),
        ("Z", "0", False),
        ("Z", "1", True),
        ("N", "1", False),
        ("N", "2", True),
        ("NXX", "212", True),
        ("NXX", "112", False),
        ("NXX", "21", False),
        ("[1-3]", "2", True),
        ("[1-3]", "4", False),
        ("[13]", "3", True),
        ("[13]", "2", False),
        ("[1-35]", "5", True),
        ("1800NXXXXXX", "18005551234", True),
        ("1800NXXXXXX", "18001551234", False),
        ("0.", "0", False),  # '.' is one or more
        ("0.", "01", True),
        ("0.", "0123456789", True),
        ("_9.", "9555", True),  # Asterisk's leading underscore
        ("*X#", "*5#", True),
        ("x", "5", True),  # classes in any case
    ],
)
def test_digit_patterns(pattern, value, expected):
    assert compile_pattern(pattern).matches(value) is expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("_", "empty"),
        ("1.2", "'.' may only come last"),
        ("[12", "never closed"),
        ("[]", "allows nothing"),
        ("[3-1]", "bad range"),
        ("[a]", "holds 'a'"),
        ("12a", "'a' is not a digit"),
        ("X" * 65, "longer than 64"),
    ],
)
def test_bad_digit_patterns_say_what_is_wrong(pattern, message):
    with pytest.raises(SwitchError, match=message):
        compile_pattern(pattern)


def test_pattern_lengths():
    assert compile_pattern("NXX").lengths() == (3, 3)
    assert compile_pattern("0.").lengths() == (2, None)


def value(goto, *values):
    kind = MatchKind.VALUE if len(values) == 1 else MatchKind.ANY_OF
    return Case(kind, goto, values=values)


ROUTE = Switch(
    "route",
    "Digits",
    cases=(
        value("sales", "1"),
        value("support", "2", "3"),
        Case(MatchKind.PREFIX, "operator", values=("0",)),
        Case(MatchKind.PATTERN, "extension", pattern=compile_pattern("NXX")),
    ),
    otherwise="menu",
)


@pytest.mark.parametrize(
    ("params", "goto", "case", "label"),
    [
        ({"Digits": "1"}, "sales", 0, "1"),
        ({"Digits": "2"}, "support", 1, "2 or 3"),
        ({"Digits": "3"}, "support", 1, "2 or 3"),
        ({"Digits": "0"}, "operator", 2, "0…"),
        ({"Digits": "099"}, "operator", 2, "0…"),
        ({"Digits": "234"}, "extension", 3, "NXX"),
        ({"Digits": "9"}, "menu", None, "otherwise"),
        ({"Digits": "12"}, "menu", None, "otherwise"),  # exact, not a prefix
        ({"Digits": ""}, "menu", None, "otherwise"),  # empty
        ({}, "menu", None, "otherwise"),  # absent
        ({"From": "1"}, "menu", None, "otherwise"),  # another parameter
        ({"Digits": "0" * (MAX_VALUE + 1)}, "menu", None, "otherwise"),  # too long to be input
    ],
)
def test_first_match_wins_and_everything_else_goes_to_otherwise(params, goto, case, label):
    decision = ROUTE.decide(params, MONDAY_NOON_NY)
    assert (decision.goto, decision.case, decision.label) == (goto, case, label)
    assert decision.parameter == "Digits"
    assert decision.value == params.get("Digits")


def test_first_match_wins_over_a_later_broader_case():
    switch = Switch("s", "Digits", (value("first", "1"), Case(MatchKind.PREFIX, "second", ("1",))))
    assert switch.decide({"Digits": "1"}, MONDAY_NOON_NY).goto == "first"
    assert switch.decide({"Digits": "12"}, MONDAY_NOON_NY).goto == "second"


def test_no_otherwise_and_no_match_is_no_decision():
    switch = Switch("s", "Digits", (value("a", "1"),))
    assert switch.decide({"Digits": "2"}, MONDAY_NOON_NY) is None
    assert switch.targets() == ["a"]
    assert ROUTE.targets() == ["sales", "support", "operator", "extension", "menu"]


def test_a_switch_on_the_caller():
    switch = Switch(
        "by-caller",
        "From",
        (Case(MatchKind.PREFIX, "uk", ("44",)), Case(MatchKind.PREFIX, "us", ("1",))),
        otherwise="world",
    )
    assert switch.decide({"From": "447700900123"}, MONDAY_NOON_NY).goto == "uk"
    assert switch.decide({"From": "15162065300"}, MONDAY_NOON_NY).goto == "us"
    assert switch.decide({"From": "33612345678"}, MONDAY_NOON_NY).goto == "world"


def test_a_hostile_value_is_never_scanned():
    """A megabyte of caller input goes to otherwise, even where a prefix or an open-ended
    pattern would match it: nothing longer than MAX_VALUE is compared."""
    huge = {"Digits": "0" * 1_000_000}
    assert ROUTE.decide(huge, MONDAY_NOON_NY).goto == "menu"
    greedy = Switch("g", "Digits", (Case(MatchKind.PATTERN, "x", pattern=compile_pattern("0.")),))
    assert greedy.decide({"Digits": "0" * MAX_VALUE}, MONDAY_NOON_NY).goto == "x"
    assert greedy.decide({"Digits": "0" * (MAX_VALUE + 1)}, MONDAY_NOON_NY) is None


NY = "America/New_York"


def ny(y, mo, d, h, mi):
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(NY))


@pytest.mark.parametrize(
    ("hours", "moment", "open_"),
    [
        ("Mon-Fri 09:00-17:00", ny(2026, 12, 7, 9, 0), True),  # Monday, opening minute
        ("Mon-Fri 09:00-17:00", ny(2026, 12, 7, 8, 59), False),
        ("Mon-Fri 09:00-17:00", ny(2026, 12, 7, 17, 0), False),  # closing minute is closed
        ("Mon-Fri 09:00-17:00", ny(2026, 12, 11, 16, 59), True),  # Friday
        ("Mon-Fri 09:00-17:00", ny(2026, 12, 12, 12, 0), False),  # Saturday
        ("Mon-Fri 09:00-17:00; Sat 10:00-14:00", ny(2026, 12, 12, 12, 0), True),
        ("Sat,Sun 00:00-24:00", ny(2026, 12, 13, 23, 59), True),
        ("Fri-Mon 10:00-11:00", ny(2026, 12, 13, 10, 30), True),  # wraps over the weekend
        ("Fri-Mon 10:00-11:00", ny(2026, 12, 9, 10, 30), False),  # Wednesday
        ("Fri 22:00-06:00", ny(2026, 12, 11, 23, 0), True),  # Friday night
        ("Fri 22:00-06:00", ny(2026, 12, 12, 5, 59), True),  # into Saturday morning
        ("Fri 22:00-06:00", ny(2026, 12, 12, 6, 0), False),
        ("Fri 22:00-06:00", ny(2026, 12, 10, 23, 0), False),  # Thursday night
        # 14:30 UTC is 09:30 in New York: the zone is the switch's, not the request's.
        ("Mon-Fri 09:00-17:00", datetime(2026, 12, 7, 14, 30, tzinfo=UTC), True),
        ("Mon-Fri 09:00-17:00", datetime(2026, 12, 7, 13, 30), False),  # naive = UTC
    ],
)
def test_opening_hours(hours, moment, open_):
    assert parse_hours(hours, NY).open_at(moment) is open_


def test_opening_hours_follow_daylight_saving():
    hours = parse_hours("Mon-Fri 09:00-17:00", "Europe/London")
    # 08:30 UTC: 08:30 in London in winter (closed), 09:30 in summer (open).
    assert not hours.open_at(datetime(2026, 1, 12, 8, 30, tzinfo=UTC))
    assert hours.open_at(datetime(2026, 7, 13, 8, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "zone", "message"),
    [
        ("Mon-Fri 09:00-17:00", "", "need a time zone"),
        ("Mon-Fri 09:00-17:00", "Mars/Olympus", "not an IANA time zone"),
        ("Mon-Fri 09:00-17:00", "../../etc/passwd", "not an IANA time zone"),
        ("weekdays 9-5", NY, "write days and times"),
        ("Mon-Fry 09:00-17:00", NY, "'Fry' is not a day"),
        ("Mon 25:00-26:00", NY, "not a time of day"),
        ("", NY, "empty"),
    ],
)
def test_bad_hours_say_what_is_wrong(text, zone, message):
    with pytest.raises(SwitchError, match=message):
        parse_hours(text, zone)


def test_hours_labels():
    assert parse_hours("Mon-Fri 09:00-17:00", NY).label() == "Mon-Fri 09:00-17:00"
    assert parse_hours("sat,sun 00:00-24:00", NY).label() == "Sat,Sun 00:00-24:00"


def test_an_hours_case_ignores_the_parameter():
    switch = Switch(
        "hours",
        "Digits",
        (Case(MatchKind.HOURS, "open", hours=parse_hours("Mon-Fri 09:00-17:00", NY)),),
        otherwise="closed",
    )
    assert switch.decide({}, MONDAY_NOON_NY).goto == "open"
    assert switch.decide({}, ny(2026, 12, 12, 12, 0)).label == "otherwise"
