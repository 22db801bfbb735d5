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
- `test-bad-expectation`: an `end`, `status` or `digits` expectation no call can meet, an
  empty `dial` or `store` name.
- `test-duplicate-name`: two tests of one name (a project file read renames them instead).

Warnings: `test-no-expectations` (it only checks that the call ends without an error),
`test-empty-expectation` (an empty say or play matches anything), `test-verb-unused` (no
flow of the project has that verb, so the expectation cannot be met), `test-clock-unused`
(a tz without an at).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..flexml import Document, Problem, Severity
from ..flexml.schema import VERBS
from ..runtime.call import normalise_number
from ..runtime.caller import check_script
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
    tests: Iterable[FlowTest], flows: Mapping[str, Document], switches: Mapping[str, object]
) -> dict[str, list[Problem]]:
    """The problems of every test, by name in order (a second test of a name adds its
    problems, and a `test-duplicate-name` error, to the first one's)."""
    names = {*flows, *switches}
    used = _verbs_used(flows)
    result: dict[str, list[Problem]] = {}
    for test in tests:
        found = result.get(test.name)
        if found is None:
            found = result[test.name] = []
        else:
            found.append(
                _problem(Severity.ERROR, "test-duplicate-name", "another test has this name", test)
            )
        found.extend(lint_test(test, names, used, has_flows=bool(flows)))
    return result


def lint_test(
    test: FlowTest, names: set[str], used: set[str] | None = None, *, has_flows: bool = True
) -> list[Problem]:
    """The problems of one test against the project's flow and switch `names` (`used`: the
    verbs its flows hold, for `test-verb-unused`; None skips that check)."""
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
    names: set[str],
    used: set[str] | None,
    found: list[Problem],
) -> None:
    kind, value = expectation.kind, expectation.value
    message, severity, code = None, Severity.ERROR, "test-bad-expectation"
    if kind == "flow" and value not in names:
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


def _verbs_used(flows: Mapping[str, Document]) -> set[str]:
    return {node.tag for document in flows.values() for node in document.root.iter()}


def _problem(severity: Severity, code: str, message: str, test: FlowTest) -> Problem:
    return Problem(severity, code, message, test.line, test.column, "test")
