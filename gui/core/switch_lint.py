"""Lint for a project's switches: gotos, circles, otherwise, shadowed cases, unsendable Digits.

Every rule is conservative: it warns only about what is certain from the project alone.

- `unknown-flow` (error): a goto names no flow or switch of the project.
- `switch-circle` (error): switches lead to each other in a circle. The same request always
  decides the same way, so a request that goes round once goes round forever (the flow
  server answers it with 500).
- `switch-no-otherwise` (warning): a request no case matches (no input included) gets no
  FlexML: the flow server answers 404 and CarrierX ends the call.
- `switch-no-parameter` (warning): the switch names no parameter (`on`), so its value,
  prefix and pattern cases never match.
- `shadowed-case` (warning): an earlier case takes everything a case would match, so it
  never matches; or, for a case of several values, some of its values. Decided exactly for
  cases that match finitely many values (a value, several values, a digit pattern without a
  trailing '.' of at most 256 strings: each is tried against the earlier cases); for a
  prefix or any other pattern, only against one earlier prefix or pattern that covers it
  position by position (lengths included); opening hours only by the same hours, in the
  same zone, earlier. A value case never shadows a prefix or an open-ended pattern, and
  opening hours never shadow anything but hours (they depend on the time).
- `digits-never-sent` (warning): on a switch `on="Digits"`, a value, prefix or pattern no
  Gather leading to the switch can send: each Gather sends only keys (0-9, * and #), never
  its finishOnKey, only its validDigits when set, and at most numDigits of them when set.
  Only checked when every way into the switch (through other switches too) is a Gather's
  action: a Redirect or another verb's action may send anything.
- `unused-switch` (warning): no flow and no other switch leads to the switch.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .flexml import Node, Problem, Severity
from .flexml.refs import is_valid_name
from .switches import MAX_VALUE, Case, DigitPattern, MatchKind, Switch

KEYS = frozenset("0123456789*#")
MAX_ENUMERATED = 256  # strings of a fixed digit pattern tried one by one for shadowing
Reference = tuple[Node, str | None, str]  # (node, attribute or None for text, target)


def lint_switches(
    switches: Mapping[str, Switch],
    flows: Iterable[str],
    references: Mapping[str, Sequence[Reference]],
) -> dict[str, list[Problem]]:
    """The problems of every switch, by name, in the switches' order. `references` holds
    each flow's `flow:` references (Project.references_by_flow)."""
    names = {*flows, *switches}
    circles = _circles(switches)
    incoming = _incoming(switches, references)
    gathers_by_switch = _gathers_by_switch(switches, references)
    result: dict[str, list[Problem]] = {}
    for name, switch in switches.items():
        found: list[Problem] = []
        _switch_level(switch, incoming[name], found)
        gathers = gathers_by_switch[name]
        for index, case in enumerate(switch.cases):
            at = _where(case.line, case.column, f"case {index + 1}")
            _goto(case.goto, names, at, found)
            _shadowed(switch.cases, index, at, found)
            if gathers and switch.on == "Digits":
                _unsendable(case, gathers, at, found)
        if switch.otherwise is not None:
            at = _where(switch.otherwise_line, switch.otherwise_column, "otherwise")
            _goto(switch.otherwise, names, at, found)
        if name in circles:
            found.append(_problem(Severity.ERROR, "switch-circle", circles[name], _at(switch)))
        result[name] = found
    return result


Where = tuple[int | None, int | None, str]


def _where(line: int | None, column: int | None, path: str) -> Where:
    return line, column, path


def _at(switch: Switch) -> Where:
    return switch.line, switch.column, ""


def _problem(severity: Severity, code: str, message: str, where: Where) -> Problem:
    line, column, path = where
    return Problem(severity, code, message, line, column, path)


def _switch_level(switch: Switch, incoming: list[str], found: list[Problem]) -> None:
    if not [source for source in incoming if source != switch.name]:
        found.append(
            _problem(
                Severity.WARNING,
                "unused-switch",
                f"nothing leads to the switch {switch.name!r}: no flow refers to "
                f"flow:{switch.name} and no other switch goes to it",
                _at(switch),
            )
        )
    if not switch.on and any(c.kind is not MatchKind.HOURS for c in switch.cases):
        found.append(
            _problem(
                Severity.WARNING,
                "switch-no-parameter",
                "the switch names no parameter (on): its value, prefix and pattern cases "
                "never match",
                _at(switch),
            )
        )
    if switch.otherwise is None:
        found.append(
            _problem(
                Severity.WARNING,
                "switch-no-otherwise",
                "the switch has no otherwise: a request no case matches (no input included) "
                "gets no FlexML, and CarrierX ends the call",
                _at(switch),
            )
        )


def _goto(goto: str, names: set[str], where: Where, found: list[Problem]) -> None:
    if goto in names:
        return
    if is_valid_name(goto):
        message = f"goto {goto!r} leads nowhere: the project has no flow or switch of that name"
    else:
        message = f"goto {goto!r} leads nowhere: it is not a valid flow name"
    found.append(_problem(Severity.ERROR, "unknown-flow", message, where))


# -- who leads to a switch --------------------------------------------------------------------


def _incoming(
    switches: Mapping[str, Switch], references: Mapping[str, Sequence[Reference]]
) -> dict[str, list[str]]:
    """For each switch, the names of the flows and switches that lead to it."""
    incoming: dict[str, list[str]] = {name: [] for name in switches}
    for flow, refs in references.items():
        for _node, _attribute, target in refs:
            if target in incoming:
                incoming[target].append(flow)
    for name, switch in switches.items():
        for target in switch.targets():
            if target in incoming:
                incoming[target].append(name)
    return incoming


def _gathers_by_switch(
    switches: Mapping[str, Switch], references: Mapping[str, Sequence[Reference]]
) -> dict[str, list[Node] | None]:
    """For each switch, the Gathers whose action leads to it, directly or through other
    switches; None for a switch that something else leads to (or nothing at all)."""
    direct: dict[str, list[Node]] = {name: [] for name in switches}
    other: set[str] = set()
    for refs in references.values():
        for node, attribute, target in refs:
            if target not in direct:
                continue
            if node.tag == "Gather" and attribute == "action":
                direct[target].append(node)
            else:
                other.add(target)
    before: dict[str, set[str]] = {name: set() for name in switches}
    for name, switch in switches.items():
        for target in switch.targets():
            if target in before and target != name:
                before[target].add(name)
    result: dict[str, list[Node] | None] = {}
    for name in switches:
        seen = {name}
        todo = [name]
        gathers: list[Node] = []
        mixed = False
        while todo:  # every switch that leads here, however far back
            current = todo.pop()
            mixed |= current in other
            gathers.extend(direct[current])
            for source in before[current] - seen:
                seen.add(source)
                todo.append(source)
        result[name] = None if mixed or not gathers else gathers
    return result


# -- circles ------------------------------------------------------------------------------------


def _circles(switches: Mapping[str, Switch]) -> dict[str, str]:
    """For each switch on a circle of switches, a message naming the circle."""
    following = {
        name: [t for t in dict.fromkeys(s.targets()) if t in switches]
        for name, s in switches.items()
    }
    found: dict[str, str] = {}
    for name in switches:
        path = _path_back(name, following)
        if path is not None:
            found[name] = (
                f"the switches {' -> '.join(path)} lead to each other in a circle: a request "
                "that goes round once goes round forever (the flow server answers 500)"
            )
    return found


def _path_back(start: str, following: Mapping[str, list[str]]) -> list[str] | None:
    """The shortest way from `start` back to itself through switches, or None."""
    previous: dict[str, str] = {}
    queue = [start]
    for current in queue:  # breadth first; the list grows as it is read
        for target in following[current]:
            if target == start:
                path = [current]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in previous:
                previous[target] = current
                queue.append(target)
    return None


# -- shadowed cases -----------------------------------------------------------------------------


def _shadowed(cases: Sequence[Case], index: int, where: Where, found: list[Problem]) -> None:
    case = cases[index]
    earlier = cases[:index]
    if not earlier:
        return
    label = case.label()
    finite = _finite(case)
    if finite is not None:
        taken = [v for v in finite if any(_takes(e, v) for e in earlier)]
        if not taken:
            return
        if len(taken) == len(finite):
            message = f"case {label!r} never matches: earlier cases take all it would match"
        else:
            message = (
                f"case {label!r}: {', '.join(taken)} never reach it: an earlier case takes "
                f"{'it' if len(taken) == 1 else 'them'}"
            )
        found.append(_problem(Severity.WARNING, "shadowed-case", message, where))
        return
    for number, other in enumerate(earlier, start=1):
        if _covers(other, case):
            found.append(
                _problem(
                    Severity.WARNING,
                    "shadowed-case",
                    f"case {label!r} never matches: case {number} ({other.label()!r}) before "
                    "it takes everything it would match",
                    where,
                )
            )
            return


def _finite(case: Case) -> list[str] | None:
    """Every value `case` matches, when they are few; None when too many or unbounded."""
    if case.kind in (MatchKind.VALUE, MatchKind.ANY_OF):
        return [v for v in dict.fromkeys(case.values) if 0 < len(v) <= MAX_VALUE]
    pattern = case.pattern
    if case.kind is MatchKind.PATTERN and pattern is not None and not pattern.open_ended:
        count = 1
        for allowed in pattern.positions:
            count *= len(allowed)
            if count > MAX_ENUMERATED:
                return None
        return ["".join(p) for p in itertools.product(*(sorted(a) for a in pattern.positions))]
    return None


def _takes(earlier: Case, value: str) -> bool:
    """Whether `earlier` matches `value` whatever the time (opening hours never count)."""
    return earlier.kind is not MatchKind.HOURS and earlier.matches(value, _ANY_MOMENT)


def _covers(earlier: Case, later: Case) -> bool:
    """Whether `earlier` surely matches everything `later` (a prefix, a pattern of too
    many values to try one by one, or opening hours) matches."""
    if later.kind is MatchKind.HOURS:
        hours, other = later.hours, earlier.hours
        return (
            earlier.kind is MatchKind.HOURS
            and hours is not None
            and other is not None
            and hours.zone == other.zone
            and set(hours.ranges) <= set(other.ranges)
        )
    # The values `later` matches: a start (one set of characters per position), at least
    # `least` characters long; when `open`, followed by anything at all.
    if later.kind is MatchKind.PREFIX:
        start: Sequence[frozenset[str]] = [frozenset(c) for c in later.values[0]]
        least, open_ = len(start), True
    elif later.kind is MatchKind.PATTERN and later.pattern is not None:
        start = later.pattern.positions
        open_ = later.pattern.open_ended
        least = len(start) + (1 if open_ else 0)
    else:
        return False
    if earlier.kind is MatchKind.PREFIX:
        prefix = earlier.values[0]
        return len(prefix) <= len(start) and all(
            start[i] == frozenset(c) for i, c in enumerate(prefix)
        )
    if earlier.kind is MatchKind.PATTERN and earlier.pattern is not None:
        pattern: DigitPattern = earlier.pattern
        fixed = len(pattern.positions)
        if pattern.open_ended:
            lengths_fit = fixed + 1 <= least and fixed <= len(start)
        else:  # only values of exactly `fixed` characters
            lengths_fit = not open_ and len(start) == fixed
        return lengths_fit and all(start[i] <= pattern.positions[i] for i in range(fixed))
    return False


# -- Digits no Gather sends ---------------------------------------------------------------------


def _unsendable(case: Case, gathers: list[Node], where: Where, found: list[Problem]) -> None:
    rules = [_GatherRule.of(g) for g in gathers]
    if case.kind in (MatchKind.VALUE, MatchKind.ANY_OF):
        never = [v for v in case.values if not any(r.sends(v) for r in rules)]
        if never:
            why = rules[0].why(never[0]) if len(rules) == 1 else "none of them can"
            found.append(
                _problem(
                    Severity.WARNING,
                    "digits-never-sent",
                    f"Digits {', '.join(never)}: no Gather that leads here sends "
                    f"{'it' if len(never) == 1 else 'them'} ({why})",
                    where,
                )
            )
        return
    if case.kind is MatchKind.PREFIX:
        sendable = any(r.sends(case.values[0]) for r in rules)
    elif case.kind is MatchKind.PATTERN and case.pattern is not None:
        sendable = any(r.sends_pattern(case.pattern) for r in rules)
    else:
        return
    if not sendable:
        found.append(
            _problem(
                Severity.WARNING,
                "digits-never-sent",
                f"case {case.label()!r}: no Gather that leads here sends Digits it matches "
                "(given their numDigits, finishOnKey and validDigits)",
                where,
            )
        )


@dataclass(frozen=True)
class _GatherRule:
    """What one Gather can send as Digits: which keys, and at most how many."""

    where: str  # " at line N", or ""
    keys: frozenset[str]
    finish: str | None
    valid: str | None
    most: int | None

    @classmethod
    def of(cls, gather: Node) -> _GatherRule:
        attrs = gather.attrs
        finish = attrs.get("finishOnKey", "#")
        finish = finish if finish in KEYS else None  # "_" (or anything else): no finish key
        valid = attrs.get("validDigits") or None
        keys = KEYS - {finish} if finish else KEYS
        if valid is not None and set(valid) <= KEYS:
            keys &= frozenset(valid)
        else:
            valid = None  # lint reports a bad validDigits; here it limits nothing
        number = attrs.get("numDigits", "")
        most = int(number) if number.isascii() and number.isdigit() and int(number) > 0 else None
        where = f" at line {gather.line}" if gather.line else ""
        return cls(where, frozenset(keys), finish, valid, most)

    def sends(self, value: str) -> bool:
        return (self.most is None or len(value) <= self.most) and set(value) <= self.keys

    def sends_pattern(self, pattern: DigitPattern) -> bool:
        least = len(pattern.positions) + (1 if pattern.open_ended else 0)
        if self.most is not None and least > self.most:
            return False
        return bool(self.keys) and all(allowed & self.keys for allowed in pattern.positions)

    def why(self, value: str) -> str:
        """Why this Gather cannot send `value` (which it cannot)."""
        if self.most is not None and len(value) > self.most:
            return f"the Gather{self.where} takes at most numDigits={self.most}"
        bad = next((c for c in value if c not in self.keys), "")
        if bad not in KEYS:
            return "a caller can press only 0-9, * and #"
        if bad == self.finish:
            return f"{bad} is the finishOnKey of the Gather{self.where}: it ends the input"
        return f"the Gather{self.where} takes only validDigits {self.valid}"


_ANY_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)  # matching values does not depend on the time
