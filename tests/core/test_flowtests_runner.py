"""Running flow tests: each kind of expectation met and not met, not=, order="any", the
outcomes of Dial, Amd and Record, the clock that opening hours decide by, how a call ends,
what a failure says, and the same results in several processes as in one."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from gui.core.flowtests.model import Expectation, FlowTest
from gui.core.flowtests.runner import ERROR, FAILED, PASSED, RunStopped, run_tests
from gui.core.project import Project
from gui.core.project_file import read_project

PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Store name="caller">vip</Store>
      <Say>Welcome to the shop</Say>
      <Play>https://example.com/hold.mp3</Play>
      <Gather action="flow:route" numDigits="1">
        <Say>Press 1 for sales</Say>
      </Gather>
      <Say>No key</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="sales">
    <Response>
      <Dial action="flow:dialled">
        <Number>15162065300</Number>
      </Dial>
    </Response>
  </flow>
  <flow name="retry">
    <Response>
      <Say>Trying again</Say>
      <Dial action="flow:dialled">
        <Number>15162065300</Number>
      </Dial>
    </Response>
  </flow>
  <flow name="talked">
    <Response>
      <Say>Thanks for talking</Say>
    </Response>
  </flow>
  <flow name="screen">
    <Response>
      <Amd action="flow:who"/>
    </Response>
  </flow>
  <flow name="person">
    <Response>
      <Say>Hello person</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="machine">
    <Response>
      <Say>Leaving a message</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="message">
    <Response>
      <Record action="flow:saved" maxLength="60"/>
      <Say>No message</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="saved">
    <Response>
      <Say>Saved</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="later">
    <Response>
      <Pause length="30"/>
      <Redirect>flow:hours</Redirect>
    </Response>
  </flow>
  <flow name="open">
    <Response>
      <Say>We are open</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="closed">
    <Response>
      <Say>We are closed</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="refuse">
    <Response>
      <Reject reason="busy"/>
    </Response>
  </flow>
  <flow name="away">
    <Response>
      <Redirect>https://example.com/elsewhere</Redirect>
    </Response>
  </flow>
  <flow name="music">
    <Response>
      <Play loop="0">https://example.com/music.mp3</Play>
    </Response>
  </flow>
  <flow name="vip">
    <Response>
      <Say>Hello again</Say>
      <Hangup/>
    </Response>
  </flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <case value="2" goto="screen"/>
  </switch>
  <switch name="dialled" on="DialCallStatus">
    <case value="completed" goto="talked"/>
    <otherwise goto="retry"/>
  </switch>
  <switch name="who" on="AMDStatus">
    <case value="MACHINE" goto="machine"/>
    <otherwise goto="person"/>
  </switch>
  <switch name="hours">
    <case hours="Mon-Fri 09:00-17:00" tz="America/New_York" goto="open"/>
    <otherwise goto="closed"/>
  </switch>
  <switch name="by-caller" on="From">
    <case prefix="1516" goto="vip"/>
    <otherwise goto="main"/>
  </switch>
</flexml-project>
"""


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.from_contents(read_project(PROJECT.encode()))


def expect(text: str) -> Expectation:
    """`say=Welcome`, or `!flow=sales` for not="true"."""
    negated = text.startswith("!")
    kind, _, value = text.lstrip("!").partition("=")
    return Expectation(kind, value, negated)


def make(flow: str | None, digits: str = "", *expects: str, **settings) -> FlowTest:
    return FlowTest("t", flow, digits, tuple(map(expect, expects)), **settings)


def run_one(project: Project, test: FlowTest):
    (result,) = run_tests(project, [test])
    return result


# (start, digits, expectation, met?) for every kind: the call `main` with 1 goes to sales,
# where the Dial is answered and `talked` says thanks; the document then runs out.
KINDS = [
    ("say=welcome to THE shop", True),  # a part of the text, in any letter case
    ("say=Goodbye", False),
    ("play=hold.mp3", True),
    ("play=music.mp3", False),
    ("flow=route", True),  # a switch is reached too
    ("flow=sales", True),
    ("flow=talked", True),
    ("flow=message", False),
    ("dial=+1 (516) 206-5300", True),  # the number as a person writes it
    ("dial=15550000000", False),
    ("verb=Gather", True),
    ("verb=store", True),  # any letter case
    ("verb=Dial", True),  # its Number is part of it
    ("verb=Hangup", False),
    ("verb=Record", False),
    ("digits=1", True),
    ("digits=2", False),
    ("store=caller", True),
    ("store=caller=vip", True),
    ("store=caller=gold", False),
    ("end=completed", True),
    ("end=hangup", False),
    ("status=completed", True),
    ("status=busy", False),
]


@pytest.mark.parametrize(("expectation", "met"), KINDS)
def test_each_kind_of_expectation_is_met_or_not(project, expectation, met):
    result = run_one(project, make("main", "1", expectation))
    assert result.outcome == (PASSED if met else FAILED), result.transcript
    # The opposite, not="true", fails exactly when the expectation is met.
    opposite = run_one(project, make("main", "1", "!" + expectation))
    assert opposite.outcome == (FAILED if met else PASSED)
    if not met:
        assert (result.step, result.steps) == (1, 1)
        assert result.headline() == f"expected {expect(expectation).describe()} (step 1 of 1)"


@pytest.mark.parametrize(
    ("flow", "digits", "end", "status"),
    [
        ("main", "1", "completed", "completed"),  # `talked` runs out of verbs
        ("main", "w", "hangup", "completed"),
        ("refuse", "", "reject", "busy"),
        ("away", "", "left", "completed"),
        ("music", "", "caller-hangup", "completed"),
    ],
)
def test_how_a_call_ends(project, flow, digits, end, status):
    result = run_one(project, make(flow, digits, f"end={end}", f"status={status}"))
    assert result.outcome == PASSED, result.transcript
    others = [word for word in ("hangup", "reject", "completed", "left") if word != end]
    assert run_one(project, make(flow, digits, f"end={others[0]}")).outcome == FAILED


def test_a_call_that_ends_with_an_error_fails_unless_the_test_expects_it(project):
    # 9: the route switch has no case for it and no otherwise, so the call ends in error.
    failed = run_one(project, make("main", "9", "say=Welcome"))
    assert failed.outcome == FAILED
    assert failed.step is None
    assert failed.message.startswith("the call ended with an error: ")
    assert "POST flow:route answered HTTP 404" in failed.message
    assert failed.transcript[failed.stopped_at].strip().split("  ", 1)[1].startswith("error:")
    assert run_one(project, make("main", "9", "say=Welcome", "end=error")).outcome == PASSED
    # An expectation that fails in such a call says the call's error after the step.
    both = run_one(project, make("main", "9", "say=Welcome", "flow=sales"))
    assert (both.outcome, both.step) == (FAILED, 2)
    assert both.headline().startswith('expected flow "sales" (step 2 of 2); the call ended')
    assert "HTTP 404" in both.cause
    assert run_one(project, make("main", "9", "!end=error")).outcome == FAILED


def test_expectations_hold_in_order_unless_order_any(project):
    backwards = ("flow=talked", "say=Welcome")
    result = run_one(project, make("main", "1", *backwards))
    assert result.outcome == FAILED
    assert result.step == 2
    assert result.message == (
        'expected say "Welcome": it happened at 0.0 s, before the step before it'
    )
    assert run_one(project, make("main", "1", *backwards, order="any")).outcome == PASSED
    missing = run_one(project, make("main", "1", "say=Welcome", "say=Nope", order="any"))
    assert (missing.outcome, missing.step) == (FAILED, 2)
    assert missing.message == 'expected say "Nope" anywhere in the call'
    # The same thing twice must happen twice.
    twice = run_one(project, make("main", "1", "say=Welcome", "say=Welcome"))
    assert (twice.outcome, twice.step) == (FAILED, 2)
    # end and status are the call's end: either order, after everything else.
    assert run_one(project, make("main", "1", "status=completed", "end=completed")).passed
    assert run_one(project, make("main", "1", "end=completed", "say=Thanks")).step == 2


def test_a_failure_shows_where_matching_stopped(project):
    result = run_one(project, make("main", "1", "say=Welcome", "flow=sales", "say=Goodbye"))
    assert (result.outcome, result.step, result.steps) == (FAILED, 3, 3)
    assert result.expected == 'say "Goodbye"'
    assert result.headline() == 'expected say "Goodbye" (step 3 of 3)'
    # Matching stopped right after the request that reached sales (and the switch decision).
    stopped = result.transcript[result.stopped_at]
    assert "switch route: Digits=1" in result.transcript[result.stopped_at - 1]
    context = result.context()
    assert [line for line in context if line.startswith(">")] == [f"> {stopped}"]
    assert 4 <= len(context) <= 7
    assert all(line[2:] in result.transcript for line in context)


def test_dial_outcomes_are_used_in_order_the_last_repeating(project):
    # The dialled switch sends an answered Dial to `talked`, any other to `retry`.
    answered = run_one(project, make("main", "1", "flow=talked", "!flow=retry"))
    assert answered.passed
    busy_first = make("main", "1", "flow=retry", "say=Trying again", "flow=talked")
    assert run_one(project, replace(busy_first, dial="busy,answered:30")).passed
    result = run_one(project, replace(busy_first, dial="noanswer, answered"))
    assert result.passed
    assert any("dial 15162065300: noanswer, 10 s" in line for line in result.transcript)
    assert any("dial 15162065300: completed, 10 s" in line for line in result.transcript)


def test_amd_outcomes(project):
    assert run_one(project, make("screen", "", "verb=Amd", "flow=person")).passed  # default
    machine = make("screen", "", "flow=machine", "say=Leaving a message", amd="machine")
    assert run_one(project, machine).passed
    assert run_one(project, make("screen", "", "flow=person", amd="notsure")).passed


def test_record_outcomes(project):
    recorded = run_one(project, make("message", "", "flow=saved", "say=Saved", record="10"))
    assert recorded.passed
    assert any("record: 10 s -> https://" in line for line in recorded.transcript)
    silence = make("message", "", "say=No message", "!flow=saved", record="silence")
    assert run_one(project, silence).passed


@pytest.mark.parametrize(
    ("flow", "at", "tz", "where"),
    [
        ("hours", "2026-12-07T10:00", "America/New_York", "open"),  # a Monday
        ("hours", "2026-12-06T10:00", "America/New_York", "closed"),  # a Sunday
        ("hours", "2026-12-07T15:00:00+00:00", None, "open"),  # 10:00 in New York
        ("hours", "2026-12-07T10:00", None, "closed"),  # UTC: 05:00 in New York
        ("hours", "2026-12-07T16:59:45", "America/New_York", "open"),
        ("later", "2026-12-07T16:59:45", "America/New_York", "closed"),  # after 30 s
    ],
)
def test_opening_hours_decide_at_the_tests_clock_plus_the_calls_time(project, flow, at, tz, where):
    other = "closed" if where == "open" else "open"
    test = make(flow, "", f"flow={where}", f"!flow={other}", at=at, tz=tz)
    assert run_one(project, test).passed


def test_without_a_clock_hours_decide_at_the_time_of_the_run(project):
    result = run_one(project, make("hours", "", "flow=hours"))
    assert result.passed
    decided = next(line for line in result.transcript if "switch hours" in line)
    assert decided.endswith(("-> open", "-> closed"))


def test_the_callers_number(project):
    assert run_one(project, make("by-caller", "", "flow=vip", from_number="+1 516 206 0001")).passed
    # The default caller (15555550100) is no 1516 number: the call goes to main.
    assert run_one(project, make("by-caller", "w", "flow=main", "!flow=vip")).passed
    result = run_one(project, make("main", "w", to_number="15162060002"))
    assert "to 15162060002" in result.transcript[0]


def test_a_test_that_cannot_run_is_an_error_not_a_failure(project):
    for test, words in [
        (make("nowhere", "", "say=x"), "the test starts at 'nowhere'"),
        (make("main", "1x"), "digits:"),
        (make("main", "", "flow=nowhere"), "'nowhere' is no flow or switch"),
        (make("main", "", dial="sometimes"), "dial: 'sometimes'"),
        (make("hours", "", at="2026-12-07T10:00", tz="Mars/Base"), "'Mars/Base'"),
        # An <expect> the file has that makes no expectation: never dropped, never passed.
        (
            FlowTest("t", "main", expectations=(Expectation.unreadable([("sya", "x")]),)),
            'expect 1: <expect sya="x"/>: it has no attribute sya',
        ),
        (
            FlowTest(
                "t",
                "main",
                expectations=(
                    Expectation("say", "Welcome"),
                    Expectation.unreadable([("flow", "sales"), ("not", "TRUE")]),
                ),
            ),
            "not='TRUE' is neither true nor false",
        ),
    ]:
        result = run_one(project, test)
        assert (result.outcome, result.transcript) == (ERROR, ()), test
        assert words in result.message


def test_the_start_is_the_entry_when_the_test_names_no_flow(project):
    result = run_one(project, make(None, "w", "say=Welcome", "end=hangup"))
    assert (result.outcome, result.flow) == (PASSED, "main")


def test_a_pause_costs_no_time(project):
    began = time.perf_counter()
    result = run_one(project, make("later", "", "verb=Pause", "flow=hours"))
    assert result.passed
    assert time.perf_counter() - began < 10.0  # a real clock would take the 30 s
    assert any(line.strip().startswith("30.0s") for line in result.transcript)


def test_transcripts_repeat_exactly_and_jobs_change_nothing_but_time(project):
    tests = [
        replace(make("main", digits, "say=Welcome"), name=f"test {i} {digits}")
        for i, digits in enumerate(["1", "2", "w", "9", "1", "2"] * 3)
    ]
    tests.append(replace(make("message", "", record="10"), name="record"))
    one = run_tests(project, tests, jobs=1)
    again = run_tests(project, tests, jobs=1)
    several = run_tests(project, tests, jobs=2)

    def untimed(results):
        return [replace(r, seconds=0.0) for r in results]

    assert untimed(one) == untimed(again) == untimed(several)
    assert [r.name for r in several] == [t.name for t in tests]
    assert {r.outcome for r in one} == {PASSED, FAILED}


def test_a_run_stops_before_the_next_test_once_asked(project):
    tests = [replace(make("main", "1", "say=Welcome"), name=f"test {i}") for i in range(5)]
    asked: list[int] = []

    def stop() -> bool:  # asked before each test: says stop before the fourth
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(RunStopped, match="stopped after 3 of 5 tests"):
        run_tests(project, tests, jobs=1, stop=stop)
    assert len(asked) == 4
    assert len(run_tests(project, tests, jobs=1, stop=lambda: False)) == 5
    with pytest.raises(ValueError, match="one job"):
        run_tests(project, tests, jobs=2, stop=lambda: False)


def test_several_processes_only_for_runs_large_enough_to_gain(monkeypatch):
    import gui.core.flowtests.runner as runner

    monkeypatch.setattr(runner, "_processors", lambda: 4)
    counts = (1, 499, 500, 749, 750, 1000, 50_000)
    assert [runner.default_jobs(n) for n in counts] == [1, 1, 2, 2, 3, 4, 4]
    monkeypatch.setattr(runner, "_processors", lambda: 1)
    assert runner.default_jobs(50_000) == 1


ONE_EVENT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <flow name="menu">
    <Response>
      <Gather action="flow:desk" numDigits="1">
        <Say>For sales, press 1</Say>
      </Gather>
    </Response>
  </flow>
  <flow name="desk">
    <Response>
      <Pause length="43"/>
      <Dial>
        <Number>15551112222</Number>
        <Number>15553334444</Number>
      </Dial>
    </Response>
  </flow>
</flexml-project>
"""


@pytest.mark.parametrize(
    "expects",
    [
        ("dial=15551112222", "dial=15553334444"),  # one Dial, two Numbers
        ("dial=15553334444", "dial=15551112222"),  # they ring at once: either order
        ("verb=Say", "say=For sales"),  # the verb and its text
        ("verb=Gather", "verb=Say", "say=For sales", "digits=1"),
        ("say=For sales", "say=press 1"),  # two parts of one Say
        ("flow=desk", "verb=Pause", "verb=Dial", "dial=15551112222", "end=completed"),
    ],
)
def test_expectations_in_order_may_be_met_by_one_event(expects):
    project = Project.from_contents(read_project(ONE_EVENT.encode()))
    result = run_one(project, make("menu", "1", *expects))
    assert result.passed, (result.headline(), result.transcript)


def test_the_same_expectation_met_by_one_event_must_happen_again():
    project = Project.from_contents(read_project(ONE_EVENT.encode()))
    twice = run_one(project, make("menu", "1", "dial=15551112222", "dial=15551112222"))
    assert (twice.outcome, twice.step) == (FAILED, 2)
    assert twice.message == (
        'expected dial "15551112222" again: it happened at 45.1 s, which step 1 already took, '
        "and not after"
    )
    assert "dial 15551112222" in twice.transcript[twice.stopped_at - 1]
    # What truly happened before the step before it still says so.
    backwards = run_one(project, make("menu", "1", "dial=15553334444", "say=For sales"))
    assert backwards.message == (
        'expected say "For sales": it happened at 0.0 s, before the step before it'
    )


@pytest.mark.parametrize(
    ("at", "tz"),
    [
        ("9999-12-31T23:59", "Etc/GMT+12"),  # 10000-01-01 in UTC
        ("0001-01-01T00:00", "Pacific/Kiritimati"),  # year 0 in UTC
        ("1969-12-31T23:59", None),
        ("1970-01-01T00:30+01:00", None),
    ],
)
def test_a_clock_outside_the_years_1970_to_9999_cannot_run(project, at, tz):
    result = run_one(project, make("hours", "", "flow=open", at=at, tz=tz))
    assert (result.outcome, result.transcript) == (ERROR, ())
    assert result.message == (
        f"at: {at!r} is outside the years 1970 to 9999 (in UTC, once the zone is applied)"
    )


def test_the_first_and_last_moments_that_can_run(project):
    # 19:00 on a Wednesday in New York, and 19:00 on a Thursday: after hours.
    first = make("hours", "", "flow=closed", at="1970-01-01T00:00", tz="UTC")
    assert run_one(project, first).passed
    last = make("hours", "", "flow=closed", at="9999-12-31T12:00", tz="Etc/GMT-12")
    assert run_one(project, last).passed
