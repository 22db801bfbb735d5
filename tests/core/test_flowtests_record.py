"""Save as test: a flow test proposed from a call that happened, run on the same project,
passes. The calls here are made by a person-like caller (keys as typed, outcomes chosen per
verb), not by ScriptedCaller, so the test's digits must really replay them."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gui.core.flowtests.model import Expectation, FlowTest
from gui.core.flowtests.record import (
    Outcomes,
    call_numbers,
    caller_digits,
    decided_by_clock,
    ended_with_error,
    first_flow,
    follow_renames,
    missing_names,
    outcomes_met,
    propose,
    proposed_name,
    renamed_since,
    say_part,
)
from gui.core.flowtests.runner import run_tests
from gui.core.project import Project
from gui.core.project_file import read_project
from gui.core.runtime import Interpreter, ProjectSource, VirtualClock
from gui.core.runtime.call import CallInfo
from gui.core.runtime.caller import AmdOutcome, DialOutcome, RecordOutcome
from gui.core.runtime.events import GatherDone, Started

ROOT = Path(__file__).resolve().parents[2]
NEW_YORK = ZoneInfo("America/New_York")
MONDAY_MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=NEW_YORK)
SUNDAY_MORNING = datetime(2026, 12, 6, 10, 0, tzinfo=NEW_YORK)

PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Store name="caller">vip</Store>
      <Gather action="flow:route" numDigits="2" finishOnKey="#" validDigits="123" timeout="5">
        <Say>Enter your code, then the pound key. This prompt is a good deal longer than
          forty characters.</Say>
      </Gather>
      <Say>No code</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="sales">
    <Response>
      <Dial action="flow:dialled">
        <Number>+15162065300</Number>
        <Number>15550001111</Number>
      </Dial>
    </Response>
  </flow>
  <flow name="retry">
    <Response>
      <Say>Trying again</Say>
      <Dial action="flow:dialled"><Number>sip:desk@example.com</Number></Dial>
    </Response>
  </flow>
  <flow name="talked">
    <Response><Say>Thanks for talking</Say></Response>
  </flow>
  <flow name="screen">
    <Response><Amd action="flow:who"/></Response>
  </flow>
  <flow name="person">
    <Response><Say>Hello person</Say><Hangup/></Response>
  </flow>
  <flow name="machine">
    <Response>
      <Record action="flow:saved" maxLength="60"/>
      <Say>No message</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="saved">
    <Response><Say>Saved</Say><Hangup/></Response>
  </flow>
  <flow name="open">
    <Response><Say>We are open</Say><Hangup/></Response>
  </flow>
  <flow name="closed">
    <Response><Say>We are closed</Say><Reject reason="busy"/></Response>
  </flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <case value="2" goto="screen"/>
    <case value="3" goto="hours"/>
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
</flexml-project>
"""


class Person:
    """Someone on the line: for each Gather the keys they type (as typed: wrong keys,
    finish keys, nothing at all), and for each Dial, Record and Amd what it meets."""

    def __init__(self, keys=(), dials=(), records=(), amds=()) -> None:
        self.keys, self.dials = list(keys), list(dials)
        self.records, self.amds = list(records), list(amds)

    async def next_digits(self, gather) -> str:
        return self.keys.pop(0) if self.keys else ""

    async def dial_outcome(self, numbers) -> DialOutcome:
        return self.dials.pop(0) if self.dials else DialOutcome()

    async def record_outcome(self, max_length) -> RecordOutcome:
        return self.records.pop(0) if self.records else RecordOutcome()

    async def amd_outcome(self) -> AmdOutcome:
        return self.amds.pop(0) if self.amds else AmdOutcome()


def load(text: bytes) -> Project:
    return Project.from_contents(read_project(text))


def call(project: Project, flow: str | None, person: Person, at: datetime | None = None):
    """The call's events, as the simulator's run makes them (the clock at `at`)."""
    clock = VirtualClock()
    epoch = (at or datetime.now().astimezone()).timestamp()
    source = ProjectSource(project, flow, clock=lambda: epoch + clock.now)
    return asyncio.run(Interpreter(source, person, clock, call=CallInfo()).run())


def replay(project: Project, test: FlowTest):
    (result,) = run_tests(project, [test])
    return result


TEMPLATE = (ROOT / "resources/templates/ivr-menu.flexproj").read_bytes()
SAMPLE = (ROOT / "resources/samples/sample.flexproj").read_bytes()

# (project, start, keys typed at each Gather, dial outcomes, the test's digits and dial).
PATHS = [
    (TEMPLATE, "menu", ["1"], [], "1", None),
    (TEMPLATE, "menu", ["2"], [], "2", None),
    (TEMPLATE, "menu", ["9", "1"], [], "91", None),  # a wrong key, then sales
    (TEMPLATE, "menu", ["", "2"], [], "w2", None),  # a timeout, then support
    (TEMPLATE, "menu", ["", ""], [], "ww", None),  # no key twice: goodbye
    (TEMPLATE, "route", [], [], "w", None),  # starting at a switch: no Digits, menu-again
    (SAMPLE, "hello", ["1"], [], "1", None),
    (SAMPLE, "hello", ["1"], [DialOutcome("busy", 10)], "1", "busy"),
    (SAMPLE, "hello", ["9", "2"], [], "92", None),
    (SAMPLE, "hello", ["", "1"], [DialOutcome("noanswer", 25)], "w1", "noanswer:25"),
    (SAMPLE, "menu", ["7", "7"], [], "77", None),
]


@pytest.mark.parametrize(("text", "flow", "keys", "dials", "digits", "dial"), PATHS)
def test_a_test_proposed_from_a_call_replays_it_and_passes(text, flow, keys, dials, digits, dial):
    project = load(text)
    events = call(project, flow, Person(keys, dials))
    test = propose(events, flow=flow, name="recorded")
    assert (test.digits, test.dial, test.amd, test.record) == (digits, dial, None, None)
    assert test.at is None and test.from_number is None and test.to_number is None
    assert test.expectations[-1].kind == "end"
    result = replay(project, test)
    assert result.passed, (result.message, result.transcript)


def test_the_expectations_follow_the_call_in_order():
    project = load(SAMPLE)
    events = call(project, "hello", Person(["9", "1"], [DialOutcome("busy", 3)]))
    test = propose(events, flow="hello", name="wrong key, then sales")
    assert [e.describe() for e in test.expectations] == [
        'flow "hello"',
        'say "Hello World. Welcome to FlexML Studio."',
        'flow "menu"',
        'say "For sales, press 1. For support, press"',
        'flow "route"',
        'flow "menu-again"',
        'say "Sorry, we did not get that. For sales,"',
        'flow "route-again"',
        'flow "sales"',
        'say "Thank you. Connecting you to sales now."',
        'dial "15162065318"',
        'say "Thanks for calling. Goodbye."',
        'end "hangup"',
    ]
    assert (test.digits, test.dial) == ("91", "busy:3")
    assert replay(project, test).passed
    # Backwards, the same expectations fail: the order is the call's.
    backwards = FlowTest("b", "hello", "91", tuple(reversed(test.expectations)), dial="busy:3")
    assert not replay(project, backwards).passed


def test_a_busy_dial_is_recorded_and_replayed():
    project = load(PROJECT.encode())
    events = call(project, "main", Person(["1#"], [DialOutcome("busy", 4), DialOutcome()]))
    test = propose(events, flow="main", name="busy, then the desk")
    assert test.dial == "busy:4,answered"
    assert [e.describe() for e in test.expectations] == [
        'flow "main"',
        'store "caller=vip"',
        'say "Enter your code, then the pound key."',
        'flow "route"',
        'flow "sales"',
        'dial "+15162065300"',  # a Dial of two numbers: its first
        'flow "dialled"',
        'flow "retry"',
        'say "Trying again"',
        'dial "sip:desk@example.com"',
        'flow "dialled"',
        'flow "talked"',
        'say "Thanks for talking"',
        'end "completed"',
    ]
    assert replay(project, test).passed
    # Answered the first time, the call goes elsewhere: the replay really used "busy".
    assert not replay(project, FlowTest("a", "main", "1#", test.expectations)).passed


def test_amd_and_record_outcomes_are_recorded_and_replayed():
    project = load(PROJECT.encode())
    person = Person(["2"], amds=[AmdOutcome("MACHINE", "LONGGREETING-1500-1500")])
    person.records = [RecordOutcome(0)]
    events = call(project, "main", person)
    test = propose(events, flow="main", name="machine, silence")
    assert (test.amd, test.record) == ("machine", "silence")
    assert Expectation("say", "No message") in test.expectations
    assert replay(project, test).passed
    recorded = call(project, "main", Person(["2"], amds=[AmdOutcome("MACHINE", "x")]))
    test = propose(recorded, flow="main", name="machine, message")
    assert (test.amd, test.record) == ("machine", None)  # 5 s: the runner's default too
    assert Expectation("say", "Saved") in test.expectations
    assert replay(project, test).passed


@pytest.mark.parametrize(
    ("moment", "where"), [(MONDAY_MORNING, "open"), (SUNDAY_MORNING, "closed")]
)
def test_a_switch_by_opening_hours_is_replayed_at_the_calls_time(moment, where):
    project = load(PROJECT.encode())
    events = call(project, "main", Person(["3#"]), at=moment)
    assert decided_by_clock(events, project)
    test = propose(events, flow="main", name="hours", at=moment)
    assert test.at == moment.isoformat(timespec="seconds") and test.tz is None
    assert Expectation("flow", where) in test.expectations
    assert replay(project, test).passed
    # The other moment decides the other way: the test's clock is what makes it pass.
    other = SUNDAY_MORNING if moment is MONDAY_MORNING else MONDAY_MORNING
    moved = FlowTest("moved", "main", "3#", test.expectations, at=other.isoformat())
    assert not replay(project, moved).passed
    # A call that met no opening hours needs no clock.
    assert not decided_by_clock(call(project, "main", Person(["1#"])), project)


def test_a_call_that_ended_with_an_error_proposes_end_error_and_passes():
    project = load(PROJECT.encode())
    # 12 goes to route, which has no case for it and no otherwise: the call ends with an
    # error (HTTP 404 from the switch, as the flow server answers).
    events = call(project, "main", Person(["12"]))
    assert "HTTP 404" in (ended_with_error(events) or "")
    test = propose(events, flow="main", name="no route")
    assert test.digits == "12"
    assert test.expectations[-1] == Expectation("end", "error")
    assert replay(project, test).passed
    assert ended_with_error(call(project, "main", Person(["1#"]))) is None


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        (["1#"], "1#"),  # ended by the finish key
        (["12"], "12"),  # numDigits 2: nothing more is needed
        (["5"], "w"),  # 5 is not a valid digit: the Gather timed out with nothing
        (["1"], "1w"),  # one key, then the timeout
        (["#"], "#"),  # only the finish key
        (["9912"], "12"),  # keys outside validDigits are not part of the call
        ([""], "w"),
    ],
)
def test_the_callers_keys_follow_scripted_callers_rules(typed, digits):
    # main's Gather: numDigits 2, finishOnKey #, validDigits 123.
    project = load(PROJECT.encode())
    events = call(project, "main", Person(typed))
    assert caller_digits(events) == digits
    test = propose(events, flow="main", name="keys")
    replayed = replay(project, test)
    assert replayed.passed, (replayed.message, replayed.transcript)
    # The replay's Gather took the same keys, and ended the same way.
    done = [e for e in events if isinstance(e, GatherDone)]
    assert [
        line.partition("s  ")[2]
        for line in replayed.transcript
        if "caller entered" in line or "no input" in line
    ] == [e.describe() for e in done]


def test_caller_digits_of_gathers_in_a_row():
    done = [
        GatherDone("12", None, True),  # two keys, then the timeout
        GatherDone("", None, True),  # nothing
        GatherDone("4", "#", False),
        GatherDone("", "*", False),
        GatherDone("7", None, False),  # numDigits 1
    ]
    assert caller_digits(done) == "12ww4#*7"


def test_outcomes_met_leave_out_defaults_and_repeats():
    from gui.core.runtime.events import Amd, Dial, Record

    assert outcomes_met([]) == Outcomes()
    assert outcomes_met([Dial(("1",), "completed", 10)] * 3) == Outcomes()
    dials = [Dial(("1",), "busy", 10), Dial(("1",), "busy", 10)]
    assert outcomes_met(dials).dial == "busy"
    dials = [Dial(("1",), "completed", 10), Dial(("1",), "failed", 0), Dial(("1",), "x", 9)]
    assert outcomes_met(dials).dial == "answered,failed,failed:9"
    records = [Record(0), Record(12), Record(30, session=True), Record(5)]
    assert outcomes_met(records).record == "silence,12,5"
    amds = [Amd("HUMAN", "h"), Amd("NOTSURE", "n"), Amd("HANGUP", "h")]
    assert outcomes_met(amds).amd == "human,notsure,hangup"


def test_say_parts_are_always_part_of_the_text():
    assert say_part("Short and sweet.") == "Short and sweet."
    long = "Please leave a message after the beep. Press the pound key when you are done."
    assert say_part(long) == "Please leave a message after the beep."
    assert len(say_part(long)) <= 40 and say_part(long) in long
    assert say_part("\n   Welcome to\n   the shop  ") == "Welcome to"
    assert say_part("x" * 60) == "x" * 40
    assert say_part("   ") == ""


def test_names_from_the_flow_and_keys_or_numbered_calls():
    assert proposed_name("menu", "1#", []) == "menu 1#"
    assert proposed_name("menu", "1#", ["menu 1#"]) == "menu 1# (2)"
    assert proposed_name("menu", "", {"sales": 1}) == "menu"
    assert proposed_name(None, "12", []) == "Call 1"
    assert proposed_name(None, "", ["Call 1", "Call 2"]) == "Call 3"


def test_a_sandbox_calls_numbers_and_first_flow():
    started = Started("sid", "+1 (516) 206-5318", "15555550199", "inbound", "", "POST")
    assert call_numbers([started]) == ("+15162065318", None)  # the default called number
    assert call_numbers([Started("s", "911", "sip:x@y", "inbound", "", "POST")]) == (None, None)
    assert call_numbers([]) == (None, None)
    project = load(TEMPLATE)
    events = call(project, "menu", Person(["1"]))
    assert first_flow(events) == "menu"
    assert first_flow(events, lambda url: None) is None
    assert first_flow([]) is None


def test_proposed_tests_with_digits_and_outcomes_given():
    project = load(SAMPLE)
    events = call(project, "hello", Person(["1"]))
    test = propose(
        events,
        flow=None,
        name="given",
        digits="1",
        outcomes=Outcomes(dial="busy"),
        from_number="15162065318",
        to_number="15555550100",
    )
    assert (test.flow, test.digits, test.dial) == (None, "1", "busy")
    assert (test.from_number, test.to_number) == ("15162065318", "15555550100")
    # A busy Dial still says the same things on this path.
    assert replay(project, test).passed


def test_flows_renamed_since_the_call_are_followed_and_the_test_passes():
    project = load(TEMPLATE)
    events = call(project, "menu", Person(["9", "1"]))
    assert renamed_since(events, project) == {}
    project.rename_flow("sales", "sales-desk")
    project.rename_flow("menu", "welcome")
    renamed = renamed_since(events, project)
    assert renamed == {"menu": "welcome", "sales": "sales-desk"}
    proposed = propose(events, flow="menu", name="recorded")
    assert missing_names(proposed, project) == ("menu", "sales")  # the start first
    test = follow_renames(proposed, renamed)
    assert test.flow == "welcome"
    assert [e.value for e in test.expectations if e.kind == "flow"] == [
        "welcome",
        "route",
        "menu-again",
        "route-again",
        "sales-desk",
    ]
    assert missing_names(test, project) == ()
    project.add_test(test)
    assert project.lint_tests()["recorded"] == []
    result = replay(project, test)
    assert result.passed, (result.message, result.transcript)


def test_a_switch_renamed_or_a_flow_removed_since_is_missing():
    project = load(TEMPLATE)
    events = call(project, "menu", Person(["1"]))
    project.rename_switch("route", "router")  # a new switch: not known as the one taken
    project.remove_flow("sales")
    assert renamed_since(events, project) == {}
    test = propose(events, flow="menu", name="recorded")
    assert missing_names(test, project) == ("route", "sales")


def test_renames_are_followed_all_at_once():
    test = FlowTest(
        "swap",
        "a",
        "1",
        (Expectation("flow", "a"), Expectation("say", "a"), Expectation("flow", "b")),
    )
    swapped = follow_renames(test, {"a": "b", "b": "a"})
    assert swapped.flow == "b"
    assert [(e.kind, e.value) for e in swapped.expectations] == [
        ("flow", "b"),
        ("say", "a"),  # a Say's text is no name
        ("flow", "a"),
    ]
    assert follow_renames(test, {}) is test
