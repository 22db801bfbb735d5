"""Switches: a project's branch points, chosen from the parameters of the request that reaches
them (the caller's Digits, From, To, ...) or from the clock (opening hours).

A switch never runs a user-supplied regular expression: a case matches by exact value, by one
of several values, by prefix, by a dial-plan digit pattern (compiled here into a list of
character sets, matched in one pass), or by opening hours. Every match costs time linear in
the value, and values longer than `MAX_VALUE` never match (they go to `otherwise`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import Enum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_VALUE = 256  # characters; a longer parameter is no caller's answer to a menu
MAX_PATTERN = 64  # elements of a digit pattern
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DIGITS = frozenset("0123456789")
# The dial-plan convention (Asterisk, FreeSWITCH): letters that stand for a class of digits.
PATTERN_CLASSES = {"X": DIGITS, "Z": frozenset("123456789"), "N": frozenset("23456789")}


class SwitchError(ValueError):
    """A case that cannot be understood (a bad pattern, hours or time zone)."""


class MatchKind(Enum):
    """How a case compares the parameter with what it names."""

    VALUE = "value"  # exactly this value
    ANY_OF = "any-of"  # one of several values
    PREFIX = "prefix"  # starts with this
    PATTERN = "pattern"  # a dial-plan digit pattern: X, Z, N, [1-3], digits, a trailing '.'
    HOURS = "hours"  # the time of the request falls in these opening hours


# -- digit patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigitPattern:
    """A compiled dial-plan pattern: one set of allowed characters per position, and whether
    the last position may repeat (a trailing '.': one or more of anything)."""

    text: str
    positions: tuple[frozenset[str], ...]
    open_ended: bool

    def matches(self, value: str) -> bool:
        """Whether `value` matches: one pass over it, no backtracking."""
        fixed = len(self.positions)
        if len(value) < fixed + (1 if self.open_ended else 0):
            return False
        if not self.open_ended and len(value) != fixed:
            return False
        return all(value[i] in allowed for i, allowed in enumerate(self.positions))

    def lengths(self) -> tuple[int, int | None]:
        """(shortest, longest) value it matches; longest is None when open-ended."""
        fixed = len(self.positions)
        return (fixed + 1, None) if self.open_ended else (fixed, fixed)


_PATTERN_CHARS = DIGITS | frozenset("*#+")


def compile_pattern(text: str) -> DigitPattern:
    """`text` in the dial-plan convention, compiled. A leading '_' (Asterisk's marker) is
    allowed and ignored. Raises SwitchError with what is wrong and where."""
    body = text[1:] if text.startswith("_") else text
    if not body:
        raise SwitchError("an empty digit pattern matches nothing")
    open_ended = body.endswith(".")
    if open_ended:
        body = body[:-1]
    positions: list[frozenset[str]] = []
    i = 0
    while i < len(body):
        char = body[i].upper()
        if char in PATTERN_CLASSES:
            positions.append(PATTERN_CLASSES[char])
        elif char in _PATTERN_CHARS:
            positions.append(frozenset(char))
        elif char == "[":
            end = body.find("]", i)
            if end < 0:
                raise SwitchError(f"digit pattern {text!r}: '[' at {i + 1} is never closed")
            positions.append(_char_class(text, body[i + 1 : end]))
            i = end
        elif char == ".":
            raise SwitchError(f"digit pattern {text!r}: '.' may only come last")
        else:
            raise SwitchError(
                f"digit pattern {text!r}: {body[i]!r} is not a digit, *, #, X, Z, N or [...]"
            )
        i += 1
        if len(positions) > MAX_PATTERN:
            raise SwitchError(f"digit pattern {text!r} is longer than {MAX_PATTERN}")
    return DigitPattern(text, tuple(positions), open_ended)


def _char_class(text: str, inside: str) -> frozenset[str]:
    """The digits of `[...]`: single characters and ranges such as 1-3."""
    allowed: set[str] = set()
    i = 0
    while i < len(inside):
        start = inside[i]
        if i + 2 < len(inside) and inside[i + 1] == "-":
            end = inside[i + 2]
            if start not in DIGITS or end not in DIGITS or end < start:
                raise SwitchError(f"digit pattern {text!r}: [{inside}] has a bad range")
            allowed.update(str(d) for d in range(int(start), int(end) + 1))
            i += 3
            continue
        if start not in _PATTERN_CHARS:
            raise SwitchError(f"digit pattern {text!r}: [{inside}] holds {start!r}")
        allowed.add(start)
        i += 1
    if not allowed:
        raise SwitchError(f"digit pattern {text!r}: [] allows nothing")
    return frozenset(allowed)


# -- opening hours ----------------------------------------------------------------------------

_HOURS_RE = re.compile(
    r"^\s*(?P<days>[A-Za-z]{3}(?:\s*[-,]\s*[A-Za-z]{3})*)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class HoursRange:
    """Some days of the week, from `start` to `end` (an `end` at or before `start` runs past
    midnight into the next day, which still counts as the day it started)."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        # Minutes since midnight: the flow server asks this for every request.
        now = moment.hour * 60 + moment.minute
        start = self.start.hour * 60 + self.start.minute
        end = 1440 if self.end == time.max else self.end.hour * 60 + self.end.minute
        today = moment.weekday()
        if start < end:
            return today in self.days and start <= now < end
        # Past midnight: from start to 24:00 on the day, from 00:00 to end on the next.
        yesterday = (today - 1) % 7
        return (today in self.days and now >= start) or (yesterday in self.days and now < end)

    def label(self) -> str:
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        return f"{_days_label(self.days)} {self.start:%H:%M}-{end}"


@dataclass(frozen=True)
class Hours:
    """Opening hours in an IANA time zone: open when any range contains the local time."""

    text: str
    zone: str
    ranges: tuple[HoursRange, ...]

    def open_at(self, moment: datetime) -> bool:
        """Whether `moment` (aware; a naive one is taken as UTC) falls in the hours."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo("UTC"))
        local = moment.astimezone(ZoneInfo(self.zone))
        return any(r.contains(local) for r in self.ranges)

    def label(self) -> str:
        return "; ".join(r.label() for r in self.ranges)


def parse_hours(text: str, zone: str) -> Hours:
    """`Mon-Fri 09:00-17:00; Sat 10:00-14:00` in the IANA zone `zone` (e.g. Europe/London).
    Raises SwitchError saying what is wrong."""
    if not zone:
        raise SwitchError("opening hours need a time zone (tz), e.g. America/New_York")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SwitchError(f"{zone!r} is not an IANA time zone (e.g. Europe/London)") from exc
    ranges = []
    for part in filter(str.strip, text.split(";")):
        match = _HOURS_RE.match(part)
        if not match:
            raise SwitchError(
                f"opening hours {part.strip()!r}: write days and times, e.g. Mon-Fri 09:00-17:00"
            )
        ranges.append(
            HoursRange(
                _parse_days(match["days"]), _parse_time(match["start"]), _parse_time(match["end"])
            )
        )
    if not ranges:
        raise SwitchError("opening hours are empty: write e.g. Mon-Fri 09:00-17:00")
    return Hours(text, zone, tuple(ranges))


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.replace(" ", "").split(","):
        first, _, last = item.partition("-")
        start = _day(first)
        end = _day(last) if last else start
        day = start
        while True:  # Fri-Mon wraps over the weekend
            days.add(day)
            if day == end:
                break
            day = (day + 1) % 7
    return frozenset(days)


def _day(text: str) -> int:
    name = text[:1].upper() + text[1:3].lower()
    if name not in DAYS:
        raise SwitchError(f"{text!r} is not a day: write Mon, Tue, Wed, Thu, Fri, Sat or Sun")
    return DAYS.index(name)


def _parse_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max  # the end of the day

    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise SwitchError(f"{text!r} is not a time of day (00:00 to 24:00)")
    return time(hours, minutes)


def _days_label(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAYS[ordered[0]]}-{DAYS[ordered[-1]]}"
    return ",".join(DAYS[d] for d in ordered)


# -- cases and switches -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One branch: when the parameter (or the clock) matches, go to `goto`.

    `line` and `column` say where the case stood in the project file (None for a case made
    since); they are not compared, so an edited switch equals one read back from its file."""

    kind: MatchKind
    goto: str
    values: tuple[str, ...] = ()  # VALUE: one; ANY_OF: several; PREFIX: one
    pattern: DigitPattern | None = None
    hours: Hours | None = None
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def matches(self, value: str | None, moment: datetime) -> bool:
        if self.kind is MatchKind.HOURS:
            return self.hours is not None and self.hours.open_at(moment)
        if not value or len(value) > MAX_VALUE:
            return False
        if self.kind is MatchKind.PATTERN:
            return self.pattern is not None and self.pattern.matches(value)
        if self.kind is MatchKind.PREFIX:
            return value.startswith(self.values[0])
        return value in self.values

    def label(self) -> str:
        """How the case reads on the flow map and in the transcript: "1", "1 or 2", "0...",
        "NXX.", "Mon-Fri 09:00-17:00"."""
        if self.kind is MatchKind.HOURS and self.hours is not None:
            return self.hours.label()
        if self.kind is MatchKind.PATTERN and self.pattern is not None:
            return self.pattern.text
        if self.kind is MatchKind.PREFIX:
            return f"{self.values[0]}…"
        return " or ".join(self.values)

    @property
    def text(self) -> str:
        """What the case matches, as written in the project file and typed in the editor:
        "1", "2 3", "0", "NXX.", "Mon-Fri 09:00-17:00" (the zone is `zone`)."""
        if self.kind is MatchKind.HOURS:
            return self.hours.text if self.hours is not None else ""
        if self.kind is MatchKind.PATTERN:
            return self.pattern.text if self.pattern is not None else ""
        return " ".join(self.values)

    @property
    def zone(self) -> str | None:
        """The IANA time zone of an opening-hours case, else None."""
        return self.hours.zone if self.hours is not None else None


def make_case(kind: MatchKind, text: str, goto: str, zone: str | None = None) -> Case:
    """A case of `kind` matching `text` (several values separated by spaces for ANY_OF;
    days and times for HOURS, in `zone`), going to `goto`. Raises SwitchError saying what
    is wrong: what the file reader and the switch editor both take."""
    if kind is MatchKind.HOURS:
        return Case(kind, goto, hours=parse_hours(text, zone or ""))
    if zone:
        raise SwitchError("a time zone (tz) only goes with opening hours")
    if kind is MatchKind.PATTERN:
        return Case(kind, goto, pattern=compile_pattern(text))
    values = tuple(text.split()) if kind is MatchKind.ANY_OF else (text,)
    if not values or not all(values):
        # An empty parameter goes to otherwise, so an empty value could never match.
        raise SwitchError(f"a {kind.value} case needs a value (an empty one never matches)")
    longest = max(values, key=len)
    if len(longest) > MAX_VALUE:
        raise SwitchError(f"a value longer than {MAX_VALUE} characters never matches")
    return Case(kind, goto, values=values)


class Decision(NamedTuple):
    """What a switch chose: the case taken (its index, or None for otherwise), the value it
    looked at, and where it goes. (A named tuple: one is made per request a switch answers.)"""

    switch: str
    parameter: str
    value: str | None
    case: int | None
    label: str
    goto: str


# The flow server says each decision in a response header, so a client over HTTP (the
# runtime's HttpSource) learns what the switch chose as the project source does in memory.
SWITCH_HEADER = "X-FlexML-Switch"


def decision_header(decision: Decision) -> str:
    """`decision` as one header value: a JSON array in ASCII (no line breaks, whatever the
    caller sent), the value cut after MAX_VALUE characters (a longer one matches nothing)."""
    value = decision.value
    if value is None:
        said = "null"
    elif len(value) <= 64 and value.isascii() and value.isalnum():
        said = f'"{value}"'  # the usual Digits or number: nothing to escape
    else:
        said = json.dumps(value[: MAX_VALUE + 1])
    head, tail = _header_parts(
        decision.switch, decision.parameter, decision.case, decision.label, decision.goto
    )
    return head + said + tail


@lru_cache(maxsize=1024)
def _header_parts(
    switch: str, parameter: str, case: int | None, label: str, goto: str
) -> tuple[str, str]:
    """What a decision's header says around its value: the same for every request that
    takes the same case, so worked out once."""
    head = json.dumps([switch, parameter], separators=(",", ":"))[:-1] + ","
    tail = "," + json.dumps([case, label, goto], separators=(",", ":"))[1:]
    return head, tail


def decision_from_header(text: str) -> Decision | None:
    """The decision a `decision_header` value says, or None when it says none."""
    try:
        switch, parameter, value, case, label, goto = json.loads(text)
    except (ValueError, TypeError):
        return None
    texts = (switch, parameter, label, goto)
    if not all(isinstance(t, str) for t in texts) or not isinstance(value, str | None):
        return None
    if case is not None and (not isinstance(case, int) or isinstance(case, bool)):
        return None
    return Decision(switch, parameter, value, case, label, goto)


@dataclass(frozen=True)
class Switch:
    """A named branch point: the first case that matches the parameter `on` wins; anything
    else (an absent or empty parameter included) goes to `otherwise`.

    `extra` holds attributes of `<switch>` this version does not know (kept, written back).
    `line`/`column` (and `otherwise_line`/`otherwise_column`) say where the switch (and its
    `<otherwise>`) stood in the project file; they are not compared."""

    name: str
    on: str
    cases: tuple[Case, ...] = ()
    otherwise: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)
    otherwise_line: int | None = field(default=None, compare=False)
    otherwise_column: int | None = field(default=None, compare=False)
    # What each case tests, worked out once (a switch never changes): see _plan_of.
    _plan: tuple[_Step, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan", tuple(map(_plan_of, self.cases)))

    def decide(self, params: Mapping[str, object], moment: datetime) -> Decision | None:
        """The decision for a request with `params` at `moment`; None when no case matches
        and there is no otherwise. A whole number (from a JSON body) counts as its digits;
        any other non-string value as absent. The same as trying `Case.matches` in order,
        one call per case tried (the flow server's hot path)."""
        raw = params.get(self.on)
        if isinstance(raw, str):
            value: str | None = raw
        elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            value = str(raw)
        else:
            value = None
        usable = value is not None and 0 < len(value) <= MAX_VALUE
        for index, (test, hours, label, goto) in enumerate(self._plan):
            if hours is not None:
                if hours.open_at(moment):
                    return Decision(self.name, self.on, value, index, label, goto)
            elif usable and test(value):
                return Decision(self.name, self.on, value, index, label, goto)
        if self.otherwise is None:
            return None
        return Decision(self.name, self.on, value, None, "otherwise", self.otherwise)

    def targets(self) -> list[str]:
        """Every name the switch may go to, cases first, otherwise last."""
        names = [case.goto for case in self.cases]
        if self.otherwise is not None:
            names.append(self.otherwise)
        return names

    def retargeted(self, old: str, new: str) -> Switch:
        """This switch with every goto (and otherwise) to `old` going to `new` instead."""
        cases = tuple(replace(c, goto=new) if c.goto == old else c for c in self.cases)
        otherwise = new if self.otherwise == old else self.otherwise
        return replace(self, cases=cases, otherwise=otherwise)


_Step = tuple[Callable[[str], bool], "Hours | None", str, str]  # test, hours, label, goto


def _never(value: str) -> bool:
    return False


def _plan_of(case: Case) -> _Step:
    """What `decide` does for `case`: a test of a usable value (or opening hours instead),
    the label and the goto."""
    hours = case.hours if case.kind is MatchKind.HOURS else None
    if case.kind is MatchKind.HOURS:
        test: Callable[[str], bool] = _never
        if hours is None:  # a case without its hours never matches
            hours = _CLOSED
    elif case.kind is MatchKind.PATTERN:
        test = case.pattern.matches if case.pattern is not None else _never
    elif case.kind is MatchKind.PREFIX:
        prefix = case.values[0]

        def test(value: str) -> bool:
            return value.startswith(prefix)

    else:
        test = frozenset(case.values).__contains__
    return test, hours, case.label(), case.goto


_CLOSED = Hours("", "UTC", ())


# -- following switches -----------------------------------------------------------------------

MAX_HOPS = 32  # switches one request may pass through (a circle is caught before this)


class Route(NamedTuple):
    """Where a request for a name ends up: the first name on the way that is not a switch
    (`target`: a flow, or a name nobody has), the decisions taken to get there, or why
    there is no target (`failure`; `circular` when switches lead back to one another, or
    more than MAX_HOPS follow one another: a fault of the project, not of the request)."""

    target: str | None
    decisions: tuple[Decision, ...] = ()
    failure: str | None = None
    circular: bool = False


def follow(
    name: str, switches: Mapping[str, Switch], params: Mapping[str, object], moment: datetime
) -> Route:
    """Follow `name` through `switches` for a request with `params` at `moment`.

    The same request always decides the same way, so reaching a switch a second time would
    go round forever: that is a failure, found at most one pass over the switches in."""
    decisions: list[Decision] = []
    seen: list[str] = []
    while (switch := switches.get(name)) is not None:
        if name in seen:
            circle = " -> ".join([*seen[seen.index(name) :], name])
            failure = f"the switches {circle} lead to each other in a circle"
            return Route(None, tuple(decisions), failure, True)
        if len(seen) >= MAX_HOPS:
            failure = f"more than {MAX_HOPS} switches follow one another ({seen[0]} first)"
            return Route(None, tuple(decisions), failure, True)
        seen.append(name)
        decision = switch.decide(params, moment)
        if decision is None:
            value = params.get(switch.on)
            said = "no value" if value in (None, "") else f"{_short(str(value))}"
            return Route(
                None,
                tuple(decisions),
                f"switch {name!r} has no case for {switch.on or 'the request'} = {said} "
                "and no otherwise",
            )
        decisions.append(decision)
        name = decision.goto
    return Route(name, tuple(decisions))


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
