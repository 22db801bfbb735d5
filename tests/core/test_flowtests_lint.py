"""Lint of flow tests: what a test names must exist, what it sets must make sense; each
problem with its code, severity and place in the project file."""

from __future__ import annotations

from dataclasses import replace

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
        (Expectation.unreadable([("sya", "Press")]), "error", "test-bad-expectation"),
        (
            Expectation.unreadable([("say", "a"), ("end", "hangup")]),
            "error",
            "test-bad-expectation",
        ),
        (
            Expectation.unreadable([("verb", "Dial"), ("not", "True")]),
            "error",
            "test-bad-expectation",
        ),
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


@pytest.mark.parametrize(
    ("at", "tz"),
    [
        ("9999-12-31T23:59", "Etc/GMT+12"),  # passed lint, then could not run: year 10000
        ("0001-01-01T00:00", "Pacific/Kiritimati"),
        ("1969-12-31T23:59:59", "UTC"),
    ],
)
def test_a_clock_outside_the_years_1970_to_9999_is_an_error(project, at, tz):
    test = FlowTest("t", "menu", at=at, tz=tz, expectations=(Expectation("end", "hangup"),))
    assert codes(project, test) == [("error", "test-bad-clock", "test")]
    fine = FlowTest("t", "menu", at="1970-01-01T00:00", expectations=test.expectations)
    assert codes(project, fine) == []


HOURS = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="front">
  <flow name="front">
    <Response>
      <Gather action="flow:choose" numDigits="1"><Say>Press 1</Say></Gather>
    </Response>
  </flow>
  <flow name="desk">
    <Response><Redirect>flow:open-hours</Redirect></Response>
  </flow>
  <flow name="sales">
    <Response><Hangup/></Response>
  </flow>
  <flow name="closed">
    <Response><Say>Closed</Say></Response>
  </flow>
  <switch name="choose" on="Digits">
    <case value="1" goto="desk"/>
    <otherwise goto="sales"/>
  </switch>
  <switch name="open-hours">
    <case hours="Mon-Fri 09:00-17:00" tz="Europe/London" goto="sales"/>
    <otherwise goto="closed"/>
  </switch>
</flexml-project>
"""


def test_a_test_that_can_reach_opening_hours_without_a_clock_is_warned():
    project = Project.from_contents(read_project(HOURS.encode()))
    end = (Expectation("end", "hangup"),)
    tests = [
        FlowTest("from the front", "front", "1", end),  # front -> choose -> desk -> hours
        FlowTest("at the entry", None, "1", end),  # the entry is front
        FlowTest("at the switch", "open-hours", expectations=end),
        FlowTest("with a clock", "front", "1", end, at="2026-12-07T10:00", tz="Europe/London"),
        FlowTest("never there", "sales", expectations=end),
        FlowTest("closed", "closed", expectations=end),
    ]
    for test in tests:
        project.add_test(test)
    problems = project.lint_tests()
    warned = [name for name, found in problems.items() if found]
    assert warned == ["from the front", "at the entry", "at the switch"]
    (problem,) = problems["from the front"]
    assert (problem.severity, problem.code, problem.path) == (
        Severity.WARNING,
        "test-clock-missing",
        "test",
    )
    assert problem.message == (
        "the call can reach the opening-hours switch 'open-hours': without at (and tz) the "
        "test passes or fails by when it runs"
    )
    # The way there gone (desk no longer redirects to the switch): no warning any more.
    desk = project.flow("desk")
    desk.set_text(desk.root.child(0), "flow:closed")
    assert [name for name, found in project.lint_tests().items() if found] == ["at the switch"]


def test_each_tests_lint_is_kept_until_the_test_or_what_its_lint_reads_changes(
    project, monkeypatch
):
    import gui.core.flowtests.lint as lint

    linted: list[str] = []
    real = lint.lint_test

    def counted(test, *args, **kwargs):
        linted.append(test.name)
        return real(test, *args, **kwargs)

    monkeypatch.setattr(lint, "lint_test", counted)
    for number in range(50):
        project.add_test(replace(project.test("fine"), name=f"copy {number}"))
    first = project.lint_tests()
    assert len(linted) == 52
    linted.clear()
    assert project.lint_tests() == first and linted == []  # nothing changed: none again
    menu = project.flow("menu")
    menu.set_text(menu.root.child(0).child(0), "Press 1 now")  # nothing a test's lint reads
    assert project.lint_tests() == first and linted == []
    project.replace_test(replace(project.test("copy 7"), digits="1x"))  # that test alone
    assert [p.code for p in project.lint_tests()["copy 7"]] == ["test-bad-digits"]
    assert linted == ["copy 7"]
    linted.clear()
    project.remove_test("copy 8")
    assert "copy 8" not in project.lint_tests() and linted == []
    # A rename changes the names every test is checked against: all are linted again.
    project.rename_flow("sales", "sales-desk", update_references=False)
    problems = project.lint_tests()
    assert sorted(linted) == sorted(project.test_names)
    assert [p.code for p in problems["copy 1"]] == ["test-unknown-flow"]
    linted.clear()
    project.rename_flow("sales-desk", "sales")
    assert project.lint_tests()["copy 1"] == [] and len(linted) == len(project.test_names)
    linted.clear()
    # Renamed with its references, the tests change (and lint again) and stay sound.
    project.rename_flow("sales", "sales-team")
    assert project.lint_tests()["copy 1"] == [] and len(linted) == len(project.test_names)
