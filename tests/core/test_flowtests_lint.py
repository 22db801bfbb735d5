"""Lint of flow tests: what a test names must exist, what it sets must make sense; each
problem with its code, severity and place in the project file."""

from __future__ import annotations

import pytest

from gui.core.flexml import Severity
from gui.core.flowtests.lint import lint_tests
from gui.core.flowtests.model import Expectation, FlowTest
from gui.core.project import Project
from gui.core.project_file import read_project

FINE = (
    'name="fine" flow="route" digits="1w" from="+1 516 206 0001" at="2026-12-07T10:00"'
    ' tz="Europe/London" dial="busy,answered:20" amd="human,machine" record="10,silence"'
    ' order="any"'
)
PROJECT = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <flow name="menu">
    <Response>
      <Gather action="flow:route" numDigits="1">
        <Say>Press 1</Say>
      </Gather>
    </Response>
  </flow>
  <flow name="sales">
    <Response>
      <Hangup/>
    </Response>
  </flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <otherwise goto="menu"/>
  </switch>
  <test {FINE}>
    <expect flow="sales"/>
    <expect verb="hangup"/>
    <expect verb="Dial" not="true"/>
    <expect end="hangup"/>
    <expect status="completed"/>
    <expect digits="1"/>
    <expect store="name=value"/>
  </test>
  <test name="broken" flow="gone">
    <expect flow="nowhere"/>
  </test>
</flexml-project>
"""


@pytest.fixture
def project() -> Project:
    return Project.from_contents(read_project(PROJECT.encode()))


def codes(project: Project, test: FlowTest) -> list[tuple[str, str, str]]:
    """(severity, code, path) of each problem of `test` in `project`."""
    found = lint_tests([test], {n: project.flow(n) for n in project.names}, project.switches)
    return [(p.severity.value, p.code, p.path) for p in found[test.name]]


def test_a_sound_test_has_no_problems_and_a_broken_one_says_where(project):
    problems = project.lint_tests()
    assert list(problems) == ["fine", "broken"]
    assert problems["fine"] == []
    start, expectation = problems["broken"]
    assert (start.severity, start.code, start.path) == (
        Severity.ERROR,
        "test-unknown-flow",
        "test",
    )
    assert start.message == "the test starts at 'gone', which is no flow or switch of the project"
    lines = PROJECT.splitlines()
    assert lines[start.line - 1].startswith('  <test name="broken"') and start.column == 3
    assert (expectation.code, expectation.path) == ("test-unknown-flow", "expect 1")
    assert expectation.message == "expect 1: 'nowhere' is no flow or switch of the project"
    assert lines[expectation.line - 1] == '    <expect flow="nowhere"/>'


@pytest.mark.parametrize(
    ("settings", "code", "words"),
    [
        ({"digits": "12x"}, "test-bad-digits", "'x' in '12x' is not a key"),
        ({"from_number": "call me"}, "test-bad-number", "from: 'call me' is not a phone number"),
        ({"to_number": "12"}, "test-bad-number", "to: "),
        ({"at": "monday at ten"}, "test-bad-clock", "is not a date and time"),
        ({"at": "2026-12-07T10:00+01:00", "tz": "UTC"}, "test-bad-clock", "has its own offset"),
        ({"at": "2026-12-07T10:00", "tz": "Mars/Base"}, "test-bad-zone", "'Mars/Base' is not"),
        ({"dial": "answered,maybe"}, "test-bad-outcome", "dial: 'maybe'"),
        ({"dial": "answered:0"}, "test-bad-outcome", "dial: '0' is not seconds"),
        ({"amd": "robot"}, "test-bad-outcome", "amd: 'robot'"),
        ({"record": "long"}, "test-bad-outcome", "record: 'long' is not seconds"),
        ({"order": "sorted"}, "test-bad-order", 'the only choice is "any"'),
    ],
)
def test_each_setting_that_makes_no_sense_is_an_error(project, settings, code, words):
    test = FlowTest("t", "menu", expectations=(Expectation("end", "hangup"),), **settings)
    found = lint_tests([test], {n: project.flow(n) for n in project.names}, project.switches)
    (problem,) = found["t"]
    assert (problem.severity, problem.code) == (Severity.ERROR, code)
    assert words in problem.message


@pytest.mark.parametrize(
    ("expectation", "severity", "code"),
    [
        (Expectation("flow", "nowhere"), "error", "test-unknown-flow"),
        (Expectation("verb", "Number"), "error", "test-unknown-verb"),
        (Expectation("verb", "Bogus"), "error", "test-unknown-verb"),
        (Expectation("end", "finished"), "error", "test-bad-expectation"),
        (Expectation("status", "ringing"), "error", "test-bad-expectation"),
        (Expectation("digits", "1a"), "error", "test-bad-expectation"),
        (Expectation("dial", ""), "error", "test-bad-expectation"),
        (Expectation("store", "=x"), "error", "test-bad-expectation"),
        (Expectation("say", ""), "warning", "test-empty-expectation"),
        (Expectation("verb", "Record"), "warning", "test-verb-unused"),
    ],
)
def test_each_expectation_no_call_can_meet_is_reported(project, expectation, severity, code):
    test = FlowTest("t", "menu", expectations=(Expectation("say", "Press"), expectation))
    assert codes(project, test) == [(severity, code, "expect 2")]


def test_a_verb_the_project_lacks_may_be_expected_not_to_happen(project):
    test = FlowTest("t", "menu", expectations=(Expectation("verb", "Record", negated=True),))
    assert codes(project, test) == []


def test_warnings_for_a_test_that_expects_nothing_and_a_zone_without_a_time(project):
    assert codes(project, FlowTest("t", "menu", tz="UTC")) == [
        ("warning", "test-clock-unused", "test"),
        ("warning", "test-no-expectations", "test"),
    ]


def test_two_tests_of_one_name_and_a_project_without_flows(project):
    flows = {n: project.flow(n) for n in project.names}
    twice = [FlowTest("same", "menu", expectations=(Expectation("end", "hangup"),))] * 2
    assert [p.code for p in lint_tests(twice, flows, {})["same"]] == ["test-duplicate-name"]
    nothing = lint_tests([FlowTest("t", expectations=(Expectation("end", "hangup"),))], {}, {})
    assert [(p.code, p.message) for p in nothing["t"]] == [
        ("test-unknown-flow", "the project has no flow")
    ]
