"""Lint for a project's flow tests: what they name must exist, what they set must make sense.

Errors (the test cannot run as written; `flexml-studio test` reports it as an error):

- `test-unknown-flow`: the test's `flow`, or an `<expect flow=...>`, names no flow or
  switch of the project (or the project has no flow to start at).
- `test-unknown-verb`: an `<expect verb=...>` names no FlexML verb.
- `test-bad-digits`: `digits` holds something else than 0-9, *, # and w.
- `test-bad-number`: `from` or `to` is not a phone number.
- `test-bad-clock`: `at` is not a date and time (or has an offset and a tz too).
- `test-bad-zone`: `tz` is not an IANA time zone.
- `test-bad-outcome`: `dial`, `amd` or `record` holds a word they do not take.
- `test-bad-order`: `order` is something else than "any".
- `test-bad-expectation`: an `<expect>` that makes no expectation (an unknown attribute,
  no kind or two, a `not` that is not "true" or "false" in lower case: the file keeps it as
  written), an `end`, `status` or `digits` expectation no call can meet, an empty `dial`
  or `store` name.
- `test-duplicate-name`: two tests of one name (a project file read renames them instead).

Warnings: `test-no-expectations` (it only checks that the call ends without an error),
`test-empty-expectation` (an empty say or play matches anything), `test-verb-unused` (no
flow of the project has that verb, so the expectation cannot be met), `test-clock-unused`
(a tz without an at), `test-clock-missing` (no at, but the call can reach a switch that
decides by opening hours: the result depends on when the test runs).

`FlowTestLint` keeps each test's problems until the test, or anything its lint reads,
changes (Project.lint_tests keeps one: the window asks after every change).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field

from ..flexml import Document, Problem, Severity
from ..flexml.refs import reference_target
from ..flexml.schema import URL_ATTRIBUTES, URL_TEXT, VERBS
from ..runtime.call import normalise_number
from ..runtime.caller import check_script
from ..switches import MatchKind, Switch
from .model import (
    END_WORDS,
    STATUS_WORDS,
    Expectation,
    FlowTest,
    amd_outcomes,
    dial_outcomes,
    record_outcomes,
    start_moment,
)

_VERB_BY_LOWER = {verb.lower(): verb for verb in VERBS}
_KEYS = re.compile(r"[0-9*#]*\Z")


def canonical_verb(name: str) -> str | None:
    """The documented spelling of a verb named in any letter case, or None."""
    return _VERB_BY_LOWER.get(name.lower())


def lint_tests(
    tests: Iterable[FlowTest],
    flows: Mapping[str, Document],
    switches: Mapping[str, Switch],
    entry: str | None = None,
) -> dict[str, list[Problem]]:
    """The problems of every test, by name in order (a second test of a name adds its
    problems, and a `test-duplicate-name` error, to the first one's). `entry` is where a
    test without a flow starts."""
    return FlowTestLint().problems(tests, flows, switches, entry)


@dataclass(frozen=True)
class _Context:
    """All a test's lint reads of its project: flow and switch names, whether there are
    flows, the entry, the verbs the flows hold, and for each flow or switch from which a
    call can reach a switch that decides by opening hours, the first such switch."""

    names: frozenset[str]
    has_flows: bool
    entry: str | None
    used: frozenset[str]
    timed: Mapping[str, str] = field(default_factory=dict)

    def lint(self, test: FlowTest) -> list[Problem]:
        return lint_test(
            test,
            self.names,
            self.used,
            has_flows=self.has_flows,
            entry=self.entry,
            timed=self.timed,
        )


class FlowTestLint:
    """Each test's problems, kept until the test changes (a test is immutable: a changed
    one is another object) or anything its lint reads of the project does (`_Context`).
    A flow's verbs and `flow:` targets are kept until it changes (its revision)."""

    def __init__(self) -> None:
        self._flows: dict[str, tuple[tuple[int, int], frozenset[str], frozenset[str]]] = {}
        self._context: _Context | None = None
        self._found: dict[str, tuple[FlowTest, list[Problem]]] = {}

    def problems(
        self,
        tests: Iterable[FlowTest],
        flows: Mapping[str, Document],
        switches: Mapping[str, Switch],
        entry: str | None = None,
    ) -> dict[str, list[Problem]]:
        """As lint_tests; the lists returned are kept: do not change them."""
        context = self._context_of(flows, switches, entry)
        if context != self._context:
            self._context, self._found = context, {}
        kept = self._found
        result: dict[str, list[Problem]] = {}
        for test in tests:
            earlier = result.get(test.name)
            if earlier is not None:  # a second test of one name (never in a project)
                twice = _problem(
                    Severity.ERROR, "test-duplicate-name", "another test has this name", test
                )
                result[test.name] = [*earlier, twice, *context.lint(test)]
                continue
            found = kept.get(test.name)
            if found is None or found[0] is not test:
                found = kept[test.name] = (test, context.lint(test))
            result[test.name] = found[1]
        if len(kept) > len(result):
            for stale in set(kept) - set(result):
                del kept[stale]
        return result

    def _context_of(
        self, flows: Mapping[str, Document], switches: Mapping[str, Switch], entry: str | None
    ) -> _Context:
        facts = {name: self._facts(name, document) for name, document in flows.items()}
        for stale in set(self._flows) - set(facts):
            del self._flows[stale]
        used = frozenset().union(*(verbs for verbs, _targets in facts.values()))
        graph: dict[str, Iterable[str]] = {name: targets for name, (_v, targets) in facts.items()}
        graph.update((name, switch.targets()) for name, switch in switches.items())
        return _Context(
            frozenset((*flows, *switches)),
            bool(flows),
            entry,
            used,
            _leading_to_hours(graph, switches),
        )

    def _facts(self, name: str, document: Document) -> tuple[frozenset[str], frozenset[str]]:
        """The verbs (tags) a flow holds and the flows or switches it names."""
        key = (id(document), document.revision)
        found = self._flows.get(name)
        if found is None or found[0] != key:
            tags: set[str] = set()
            targets: set[str] = set()
            for node in document.root.iter():
                tags.add(node.tag)
                values = [node.attrs.get(a) for a in URL_ATTRIBUTES.get(node.tag, ())]
                if node.tag in URL_TEXT:
                    values.append(node.text)
                targets.update(t for v in values if v and (t := reference_target(v)) is not None)
            found = self._flows[name] = (key, frozenset(tags), frozenset(targets))
        return found[1], found[2]


def _leading_to_hours(
    graph: Mapping[str, Iterable[str]], switches: Mapping[str, Switch]
) -> dict[str, str]:
    """For each flow or switch from which a call can reach a switch that decides by
    opening hours (by `flow:` references and gotos: `graph`), the first such switch."""
    hours = [
        name
        for name, switch in switches.items()
        if any(case.kind is MatchKind.HOURS for case in switch.cases)
    ]
    if not hours:
        return {}
    callers: dict[str, list[str]] = {}
    for name, targets in graph.items():
        for target in targets:
            callers.setdefault(target, []).append(name)
    timed: dict[str, str] = {}
    for switch in hours:
        if switch in timed:
            continue
        timed[switch] = switch
        todo = [switch]
        while todo:
            for caller in callers.get(todo.pop(), ()):
                if caller not in timed:  # else it and all that lead to it are marked
                    timed[caller] = switch
                    todo.append(caller)
    return timed


def lint_test(
    test: FlowTest,
    names: Set[str],
    used: Set[str] | None = None,
    *,
    has_flows: bool = True,
    entry: str | None = None,
    timed: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The problems of one test against the project's flow and switch `names` (`used`: the
    verbs its flows hold, for `test-verb-unused`; None skips that check; `timed`: see
    _Context, for `test-clock-missing`, with `entry` where a test without a flow starts)."""
    found: list[Problem] = []
    if test.flow is not None and test.flow not in names:
        found.append(
            _problem(
                Severity.ERROR,
                "test-unknown-flow",
                f"the test starts at {test.flow!r}, which is no flow or switch of the project",
                test,
            )
        )
    elif not has_flows:
        found.append(_problem(Severity.ERROR, "test-unknown-flow", "the project has no flow", test))
    _settings(test, found)
    start = test.flow if test.flow is not None else entry
    if timed and test.at is None and start in timed:
        found.append(
            _problem(
                Severity.WARNING,
                "test-clock-missing",
                f"the call can reach the opening-hours switch {timed[start]!r}: without at "
                "(and tz) the test passes or fails by when it runs",
                test,
            )
        )
    if not test.expectations:
        found.append(
            _problem(
                Severity.WARNING,
                "test-no-expectations",
                "the test expects nothing: it only checks that the call ends without an error",
                test,
            )
        )
    for index, expectation in enumerate(test.expectations, start=1):
        _expectation(expectation, index, names, used, found)
    return found


def _settings(test: FlowTest, found: list[Problem]) -> None:
    """The caller, clock and outcome settings of `test`."""

    def error(code: str, message: str) -> None:
        found.append(_problem(Severity.ERROR, code, message, test))

    try:
        check_script(test.digits)
    except ValueError as exc:
        error("test-bad-digits", f"digits: {exc}")
    for attribute, number in (("from", test.from_number), ("to", test.to_number)):
        if number is not None:
            try:
                normalise_number(number)
            except ValueError as exc:
                error("test-bad-number", f"{attribute}: {exc}")
    try:
        start_moment(None, test.tz)
    except ValueError as exc:
        error("test-bad-zone", str(exc))
    else:
        try:
            start_moment(test.at, test.tz)
        except ValueError as exc:
            error("test-bad-clock", str(exc))
    if test.tz is not None and test.at is None:
        found.append(
            _problem(
                Severity.WARNING,
                "test-clock-unused",
                "tz is used only with at (the date and time the call starts)",
                test,
            )
        )
    for parse, text in (
        (dial_outcomes, test.dial),
        (amd_outcomes, test.amd),
        (record_outcomes, test.record),
    ):
        try:
            parse(text)
        except ValueError as exc:
            error("test-bad-outcome", str(exc))
    if test.order is not None and test.ordered:
        error("test-bad-order", f'order={test.order!r}: the only choice is "any"')


def _expectation(
    expectation: Expectation,
    index: int,
    names: Set[str],
    used: Set[str] | None,
    found: list[Problem],
) -> None:
    kind, value = expectation.kind, expectation.value
    message, severity, code = None, Severity.ERROR, "test-bad-expectation"
    if expectation.written is not None:
        message = f"{expectation.describe()}: {expectation.problem() or 'it cannot be read'}"
    elif kind == "flow" and value not in names:
        message, code = f"{value!r} is no flow or switch of the project", "test-unknown-flow"
    elif kind == "verb":
        verb = canonical_verb(value)
        if verb is None:
            message, code = f"{value!r} is not a FlexML verb", "test-unknown-verb"
        elif used is not None and verb not in used and not expectation.negated:
            message, code = f"no flow of the project has a <{verb}>", "test-verb-unused"
            severity = Severity.WARNING
    elif kind == "end" and value not in END_WORDS:
        message = f"end={value!r}: a call ends with one of {', '.join(END_WORDS)}"
    elif kind == "status" and value not in STATUS_WORDS:
        message = f"status={value!r}: the CallStatus is one of {', '.join(STATUS_WORDS)}"
    elif kind == "digits" and _KEYS.match(value) is None:
        message = f"digits={value!r}: a Gather takes only 0-9, * and #"
    elif kind in ("dial", "store") and not value.partition("=")[0].strip():
        message = f"{kind}: say which {'number' if kind == 'dial' else 'name'}"
    elif kind in ("say", "play") and not value:
        message, code = f"an empty {kind} matches anything", "test-empty-expectation"
        severity = Severity.WARNING
    if message is not None:
        found.append(
            Problem(
                severity,
                code,
                f"expect {index}: {message}",
                expectation.line,
                expectation.column,
                f"expect {index}",
            )
        )


def _problem(severity: Severity, code: str, message: str, test: FlowTest) -> Problem:
    return Problem(severity, code, message, test.line, test.column, "test")
