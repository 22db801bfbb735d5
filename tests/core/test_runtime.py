"""The FlexML runtime, in-process: every verb and every control-flow rule of FLEXML.md §1-2.

Flows run from a Project through ProjectSource with a ScriptedCaller and the virtual clock,
so each call is instant and deterministic. (HTTP runs are in tests/e2e/test_runtime_http.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import pytest

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime import (
    Amd,
    AmdOutcome,
    CallerHangup,
    CallInfo,
    Dial,
    DialOutcome,
    Dtmf,
    Ended,
    Error,
    Event,
    Fetched,
    GatherDone,
    GatherStarted,
    Hangup,
    Interpreter,
    LeftProject,
    Override,
    Pause,
    Play,
    PreAnswer,
    ProjectSource,
    RealClock,
    Record,
    RecordOutcome,
    Redirected,
    Rejected,
    Say,
    ScriptedCaller,
    Started,
    StatusCallback,
    check_script,
    normalise_number,
    take_keys,
)
from gui.core.runtime.call import request_sid
from gui.core.runtime.clock import KEY_PRESS_SECONDS, PLAY_SECONDS, speech_seconds

TIME_LIMIT = 20  # seconds any one call may take in a test


def make_project(*flows: tuple[str, str], base_url: str | None = None) -> Project:
    """A project of (name, FlexML) flows; the first is the entry."""
    project = Project()
    for name, xml in flows:
        project.add_flow(name, parse(xml.encode()))
    if base_url:
        project.settings["export-base-url"] = base_url
    return project


def simulate(
    *flows: tuple[str, str] | str,
    digits: str = "",
    caller: ScriptedCaller | None = None,
    flow: str | None = None,
    base_url: str | None = None,
    **options,
) -> list[Event]:
    """Run one call; a bare string is a one-flow project named main."""
    pairs = [("main", f) if isinstance(f, str) else f for f in flows]
    source = ProjectSource(make_project(*pairs, base_url=base_url), flow)
    interpreter = Interpreter(source, caller or ScriptedCaller(digits), **options)
    return asyncio.run(asyncio.wait_for(interpreter.run(), TIME_LIMIT))


def of(events: list[Event], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def fetched(events: list[Event]) -> list[str]:
    return [e.url for e in of(events, Fetched)]


def results(event: Fetched) -> dict:
    """The fields a verb added to a request (not the call's own)."""
    base = CallInfo().fields("x")
    return {k: v for k, v in event.params.items() if k not in base}


def ended(events: list[Event]) -> Ended:
    assert isinstance(events[-1], Ended), events[-1]
    assert len(of(events, Ended)) == 1
    return events[-1]


def the_error(events: list[Event]) -> str:
    errors = of(events, Error)
    assert len(errors) == 1, kinds(events)
    assert ended(events).call_status == "failed"
    return errors[0].message


# -- the call as a whole --------------------------------------------------------------------


def test_a_call_starts_fetches_runs_and_ends():
    events = simulate("<Response><Say>Hello</Say></Response>")
    assert kinds(events) == ["started", "fetched", "say", "ended"]
    started, fetch, say, end = events
    assert isinstance(started, Started)
    assert (started.url, started.method, started.direction) == ("flow:main", "POST", "inbound")
    assert (fetch.url, fetch.method, fetch.status) == ("flow:main", "POST", 200)
    assert fetch.params["CallSid"] == request_sid(started.call_sid)  # 32 hex digits [doc]
    assert say == Say("Hello", "man", 1, None)
    assert say.node is not None and say.node.tag == "Say"
    assert (end.call_status, end.duration) == ("completed", 1)  # the end of the document


def test_events_carry_their_node_time_and_json():
    events = simulate("<Response>\n  <Pause length='2'/>\n  <Say>Hi</Say>\n</Response>")
    pause, say = of(events, Pause)[0], of(events, Say)[0]
    assert (pause.at, say.at) == (0.0, 2.0)
    assert pause.node.path() == "/Response/Pause[1]"
    for event in events:
        line = json.dumps(event.to_json())  # every event is one JSON line
        assert json.loads(line)["event"] == event.kind
        assert event.describe()
    assert say.to_json() == {
        "event": "say",
        "at": 2.0,
        "text": "Hi",
        "voice": "man",
        "loop": 1,
        "language": None,
        "node": {"tag": "Say", "path": "/Response/Say[1]", "line": 3},
    }


def test_call_fields_are_carrierx_fields():
    call = CallInfo(from_number="+15551112222", to_number="15553334444", caller_name="Ann")
    events = simulate("<Response><Hangup/></Response>", call=call)
    params = of(events, Fetched)[0].params
    assert params == {
        "AccountSid": "",
        "ApiVersion": "2.0",
        "CallSid": call.request_sid,
        "CallerName": "Ann",
        "CallStatus": "completed",  # as in the one documented mid-call request body
        "Direction": "inbound",
        "ForwardedFrom": "",
        "From": "15551112222",
        "To": "15553334444",
        "OriginalFrom": "+15551112222",
        "OriginalTo": "15553334444",
        "RequestUrl": "flow:main",
    }


def test_an_interpreter_runs_one_call():
    interpreter = Interpreter(ProjectSource(make_project(("main", "<Response/>"))))

    async def twice():
        await interpreter.run()
        with pytest.raises(RuntimeError):
            await interpreter.run()

    asyncio.run(twice())


def test_the_flow_to_start_at():
    flows = [("main", "<Response><Say>main</Say></Response>"), ("other", "<Response/>")]
    assert fetched(simulate(*flows, flow="other")) == ["flow:other"]
    with pytest.raises(KeyError):
        ProjectSource(make_project(*flows), "nope")


# -- verbs ----------------------------------------------------------------------------------


def test_say_attributes_and_time():
    text = "one two three four five"
    events = simulate(
        f'<Response><Say voice="woman" loop="3" loopPause="2" language="en-GB">{text}</Say>'
        "<Hangup/></Response>"
    )
    assert of(events, Say) == [Say(text, "woman", 3, "en-GB")]
    assert of(events, Hangup)[0].at == pytest.approx(3 * speech_seconds(text) + 2 * 2)


def test_say_loop_zero_repeats_until_the_caller_hangs_up():
    events = simulate('<Response><Say loop="0">Hold</Say><Say>never</Say></Response>')
    assert kinds(events) == ["started", "fetched", "say", "caller_hangup", "ended"]
    assert ended(events).call_status == "completed"


def test_play_url_files_and_digits():
    events = simulate(
        "<Response>"
        '<Play loop="2">https://example.com/a.wav</Play>'
        "<Play><File>f-1</File><File>f-2</File></Play>"
        '<Play digits="12#"/>'
        '<Play background="true">https://example.com/bg.wav</Play>'
        "<Hangup/></Response>"
    )
    assert of(events, Play) == [
        Play("https://example.com/a.wav", (), None, 2),
        Play(None, ("f-1", "f-2"), None, 1),
        Play(None, (), "12#", 1),
        Play("https://example.com/bg.wav", (), None, 1, True),
    ]
    plays = of(events, Play)
    assert plays[1].at == pytest.approx(2 * PLAY_SECONDS)
    assert of(events, Hangup)[0].at == plays[3].at  # a background play takes no call time


def test_play_loop_zero_and_play_action():
    events = simulate('<Response><Play loop="0">https://x.test/a.wav</Play><Hangup/></Response>')
    assert of(events, CallerHangup) and not of(events, Hangup)
    play = '<Play action="flow:next">https://x.test/a.wav</Play>'
    events = simulate(
        ("main", f"<Response>{play}<Say>no</Say></Response>"),
        ("next", "<Response><Say>next</Say></Response>"),
    )
    assert [s.text for s in of(events, Say)] == ["next"]  # nothing after the Play runs
    assert results(of(events, Fetched)[1]) == {}


def test_pause_and_wait_pass_on_the_virtual_clock():
    started = time.monotonic()
    events = simulate('<Response><Pause length="600"/><Wait length="3"/><Say>x</Say></Response>')
    assert time.monotonic() - started < 5
    assert [p.seconds for p in of(events, Pause)] == [600, 3]
    assert of(events, Say)[0].at == 603
    assert ended(events).duration == 604


def test_dtmf_sends_keys_and_commas_wait():
    events = simulate("<Response><Dtmf>1,,2</Dtmf><Hangup/></Response>")
    assert of(events, Dtmf) == [Dtmf("1,,2")]
    assert of(events, Hangup)[0].at == pytest.approx(2 * 0.25 + 2 * 0.5)


def test_pre_answer_then_reject_never_answers():
    events = simulate(
        '<Response><PreAnswer ringing="true"><Say>early</Say></PreAnswer>'
        '<Reject reason="busy"/><Say>never</Say></Response>'
    )
    assert kinds(events) == ["started", "fetched", "pre_answer", "say", "rejected", "ended"]
    assert of(events, PreAnswer) == [PreAnswer(True)]
    assert of(events, Rejected) == [Rejected("busy")]
    assert (ended(events).call_status, ended(events).duration) == ("busy", 0)


@pytest.mark.parametrize(
    ("reason", "status"),
    [("", "failed"), ("busy", "busy"), ("busy-here", "busy"), ("not-found", "failed")],
)
def test_reject_reasons_give_a_call_status(reason, status):
    attribute = f' reason="{reason}"' if reason else ""
    events = simulate(f"<Response><Reject{attribute}/></Response>")
    assert of(events, Rejected)[0].reason == (reason or "rejected")
    assert ended(events).call_status == status


def test_hangup_ends_the_call():
    events = simulate("<Response><Say>bye</Say><Hangup/><Say>never</Say></Response>")
    assert kinds(events)[-3:] == ["say", "hangup", "ended"]
    assert ended(events).call_status == "completed"


def test_dial_number_children_outcomes_and_action():
    events = simulate(
        "<Response><Dial><Number>15551110000</Number><Number>15552220000</Number></Dial>"
        "<Dial>15553330000</Dial><Say>after</Say></Response>"
    )
    assert of(events, Dial) == [
        Dial(("15551110000", "15552220000"), "completed", 10),
        Dial(("15553330000",), "completed", 10),
    ]
    assert of(events, Say)[0].at == 20  # without action the next verb runs after the call

    caller = ScriptedCaller(dial=DialOutcome("busy", 0))
    flows = [
        ("main", '<Response><Dial action="flow:after">15553330000</Dial><Say>no</Say></Response>'),
        ("after", "<Response><Hangup/></Response>"),
    ]
    events = simulate(*flows, caller=caller)
    assert of(events, Dial)[0].status == "busy"
    assert not of(events, Say)
    assert results(of(events, Fetched)[1]) == {"DialCallStatus": "busy", "DialCallDuration": "0"}


def test_record_with_action_and_with_nothing_recorded():
    flows = [
        ("main", '<Response><Record action="flow:got" fileFormat="mp3"/><Say>no</Say></Response>'),
        ("got", "<Response><Hangup/></Response>"),
    ]
    events = simulate(*flows)
    record = of(events, Record)[0]
    assert record.duration == 5
    assert record.url.endswith(f"/{record.file_sid}.mp3")
    assert results(of(events, Fetched)[1]) == {
        "RecordingUrl": record.url,
        "RecordingFileSid": record.file_sid,
        "RecordingDuration": "5",
    }
    assert not of(events, Say)

    silent = simulate(*flows, caller=ScriptedCaller(record=RecordOutcome(0)))
    assert of(silent, Record) == [Record(0)]
    assert fetched(silent) == ["flow:main"]  # no action: the next verb runs
    assert [s.text for s in of(silent, Say)] == ["no"]

    capped = simulate(
        '<Response><Record maxLength="3"/></Response>',
        caller=ScriptedCaller(record=RecordOutcome(60, url="https://x.test/r.wav", file_sid="s")),
    )
    assert of(capped, Record) == [Record(3, "https://x.test/r.wav", "s")]


def test_amd_outcomes_and_action():
    flows = [
        ("main", '<Response><Amd action="flow:result"/><Say>no</Say></Response>'),
        ("result", "<Response><Hangup/></Response>"),
    ]
    events = simulate(*flows)
    assert of(events, Amd) == [Amd("HUMAN", "HUMAN-800-800")]
    assert results(of(events, Fetched)[1]) == {"AMDStatus": "HUMAN", "AMDCause": "HUMAN-800-800"}
    machine = simulate(*flows, caller=ScriptedCaller(amd=AmdOutcome("MACHINE", "LONGGREETING")))
    assert results(of(machine, Fetched)[1])["AMDStatus"] == "MACHINE"
    plain = simulate("<Response><Amd/><Say>next</Say></Response>")
    assert [s.text for s in of(plain, Say)] == ["next"]


# -- Gather ---------------------------------------------------------------------------------

MENU = (
    "<Response>"
    '<Gather action="flow:choice"{attrs}><Say>Press a key</Say></Gather>'
    "<Say>No input</Say>"
    "</Response>"
)
CHOICE = ("choice", "<Response><Say>Thanks</Say></Response>")


def gather_run(digits: str, attrs: str = "") -> list[Event]:
    return simulate(("main", MENU.format(attrs=attrs)), CHOICE, digits=digits)


def test_gather_with_input_requests_its_action():
    events = gather_run("12#")
    assert kinds(events) == [
        "started",
        "fetched",
        "gather_started",
        "say",  # the prompt runs inside the gather
        "gather_done",
        "fetched",
        "say",
        "ended",
    ]
    assert of(events, GatherStarted) == [GatherStarted(None, "#", 5, None, "flow:choice")]
    assert of(events, GatherDone) == [GatherDone("12", "#", False)]
    assert results(of(events, Fetched)[1]) == {"Digits": "12", "FinishKey": "#"}
    assert [s.text for s in of(events, Say)] == ["Press a key", "Thanks"]  # not "No input"


def test_gather_without_input_falls_through_after_its_timeout():
    for digits in ("", "w"):
        events = gather_run(digits, ' timeout="7"')
        assert of(events, GatherDone) == [GatherDone("", None, True)]
        assert fetched(events) == ["flow:main"]
        no_input = of(events, Say)[1]
        assert no_input.text == "No input"
        assert no_input.at == pytest.approx(speech_seconds("Press a key") + 7)


def test_gather_num_digits():
    flows = [
        ("main", '<Response><Gather numDigits="2"/><Gather numDigits="1"/></Response>'),
    ]
    events = simulate(*flows, digits="123")
    assert of(events, GatherDone) == [GatherDone("12", None, False), GatherDone("3", None, False)]
    assert of(events, GatherDone)[0].at == pytest.approx(2 * KEY_PRESS_SECONDS)
    action = gather_run("4", ' numDigits="1"')
    assert results(of(action, Fetched)[1]) == {"Digits": "4", "FinishKey": None}


def test_gather_finish_on_key():
    star = gather_run("12*3", ' finishOnKey="*"')
    assert of(star, GatherDone) == [GatherDone("12", "*", False)]
    none = gather_run("1#2w", ' finishOnKey="_"')  # "_": no finish key, # is a digit
    assert of(none, GatherStarted)[0].finish_on_key is None
    assert of(none, GatherDone) == [GatherDone("1#2", None, True)]
    only_the_key = gather_run("#")  # the finish key alone is input: the action fires
    assert results(of(only_the_key, Fetched)[1]) == {"Digits": "", "FinishKey": "#"}


def test_gather_valid_digits_ignores_other_keys():
    events = gather_run("59137", ' validDigits="123" numDigits="2"')
    assert of(events, GatherDone) == [GatherDone("13", None, False)]
    assert results(of(events, Fetched)[1]) == {"Digits": "13", "FinishKey": None}


def test_gather_keys_then_timeout_submits_the_keys():
    events = gather_run("12w")
    assert of(events, GatherDone) == [GatherDone("12", None, True)]
    assert results(of(events, Fetched)[1]) == {"Digits": "12", "FinishKey": None}


def test_gather_without_action_goes_on_with_the_next_verb():
    events = simulate(
        '<Response><Gather numDigits="1"><Say>Press</Say></Gather><Say>next</Say></Response>',
        digits="5",
    )
    assert of(events, GatherDone) == [GatherDone("5", None, False)]
    assert fetched(events) == ["flow:main"]
    assert [s.text for s in of(events, Say)] == ["Press", "next"]


def test_gather_prompt_loop_zero_does_not_end_the_call():
    events = simulate(
        '<Response><Gather numDigits="1"><Say loop="0">Press</Say></Gather>'
        "<Say>next</Say></Response>",
        digits="1",
    )
    assert not of(events, CallerHangup)
    assert [s.text for s in of(events, Say)] == ["Press", "next"]


def test_digits_script_answers_gathers_in_order():
    flows = [
        ("main", "<Response>" + '<Gather action="flow:a"/><Say>timeout</Say>' * 3 + "</Response>"),
        ("a", '<Response><Gather action="flow:b"/><Gather action="flow:c"/></Response>'),
        ("b", "<Response/>"),
        ("c", "<Response/>"),
    ]
    events = simulate(*flows, digits="w1#w2")
    assert of(events, GatherDone) == [
        GatherDone("", None, True),  # w
        GatherDone("1", "#", False),  # 1#
        GatherDone("", None, True),  # w
        GatherDone("2", None, True),  # 2, then the script ends: the gather times out
    ]
    assert fetched(events) == ["flow:main", "flow:a", "flow:c"]


def test_take_keys_and_scripts():
    assert take_keys("12#3", None, "#", None) == take_keys("12#", None, "#", None)
    assert take_keys("12#3", None, "#", None).used == 3
    assert take_keys("123", 2, "#", None).digits == "12"
    assert take_keys("9123", 2, None, "123").used == 3
    assert not take_keys("12", 3, "#", None).complete
    assert check_script("12#*w") == "12#*w"
    with pytest.raises(ValueError, match="'x'"):
        check_script("1x")
    with pytest.raises(ValueError):
        ScriptedCaller("1 2")
    assert normalise_number("+1 (555) 123-4567") == "+15551234567"
    with pytest.raises(ValueError):
        normalise_number("12ab")


# -- Redirect, references and the guards ----------------------------------------------------


def test_redirect_follows_method_and_resolves_relative_urls():
    events = simulate(
        ("main", '<Response><Redirect method="GET">menu</Redirect><Say>no</Say></Response>'),
        ("menu", "<Response><Redirect>/flows/last</Redirect></Response>"),
        ("last", "<Response><Redirect>https://app.test/flows/end?x=1</Redirect></Response>"),
        ("end", "<Response><Hangup/></Response>"),
        base_url="https://app.test",
    )
    assert of(events, Redirected) == [
        Redirected("flow:menu", "GET"),
        Redirected("flow:last", "POST"),
        Redirected("flow:end", "POST"),
    ]
    assert [(f.url, f.method) for f in of(events, Fetched)] == [
        ("flow:main", "POST"),
        ("flow:menu", "GET"),
        ("flow:last", "POST"),
        ("flow:end", "POST"),
    ]
    assert not of(events, Say)


def simulate_project(project: Project, digits: str = "", **options) -> list[Event]:
    interpreter = Interpreter(ProjectSource(project), ScriptedCaller(digits), **options)
    return asyncio.run(asyncio.wait_for(interpreter.run(), TIME_LIMIT))


def test_the_base_url_itself_is_the_entry():
    project = make_project(
        ("start", "<Response><Redirect>flow:two</Redirect></Response>"),
        ("two", "<Response><Redirect>/</Redirect></Response>"),
    )
    events = simulate_project(project)
    assert fetched(events) == ["flow:start", "flow:two", "flow:start"]
    assert "loops without input" in the_error(events)


def test_a_redirect_loop_without_input_ends_with_an_error():
    events = simulate(
        ("main", "<Response><Say>a</Say><Redirect>flow:b</Redirect></Response>"),
        ("b", "<Response><Say>b</Say><Redirect>flow:main</Redirect></Response>"),
    )
    assert fetched(events) == ["flow:main", "flow:b", "flow:main"]
    message = the_error(events)
    assert "loops without input" in message and "flow:main" in message
    assert of(events, Error)[0].node.tag == "Redirect"


def test_a_menu_that_repeats_gets_another_chance_with_w():
    menu = '<Response><Gather action="flow:ok" numDigits="1"/><Redirect>flow:main</Redirect>'
    flows = [("main", menu + "</Response>"), ("ok", "<Response><Hangup/></Response>")]
    events = simulate(*flows, digits="ww3")
    assert fetched(events) == ["flow:main"] * 3 + ["flow:ok"]
    assert ended(events).call_status == "completed"
    exhausted = simulate(*flows, digits="w")
    assert "loops without input" in the_error(exhausted)


def test_at_most_100_documents_a_call():
    loop = '<Response><Gather action="flow:main" numDigits="1"/></Response>'
    events = simulate(loop, digits="1" * 150)
    assert len(of(events, Fetched)) == 100
    assert "more than 100 documents" in the_error(events)
    small = simulate(loop, digits="1" * 150, max_documents=5)
    assert len(of(small, Fetched)) == 5


def test_at_most_10000_verbs_a_call():
    loop = "<Response>" + "<Pause/>" * 300 + '<Gather action="flow:main" numDigits="1"/></Response>'
    events = simulate(loop, digits="1" * 99)
    assert len(of(events, Fetched)) == 34  # 33 documents of 301 verbs, then the limit
    assert "10,000 verbs" in the_error(events)
    assert len(of(events, Pause)) + len(of(events, GatherStarted)) == 10_000


def test_invalid_flexml_ends_the_call_with_what_is_wrong():
    events = simulate("<Response>\n<Say>hi</Say>\n<Bogus/>\n</Response>")
    message = the_error(events)
    assert "not valid FlexML" in message and "<Bogus>" in message and "line 3" in message
    assert not of(events, Say)  # an invalid document does not run at all
    assert kinds(events) == ["started", "fetched", "error", "ended"]


def test_a_reference_to_a_missing_flow_is_an_error():
    events = simulate("<Response><Redirect>flow:gone</Redirect></Response>")
    assert "flow:gone" in the_error(events)


def test_urls_outside_the_project_are_not_followed_and_the_call_left_it():
    events = simulate(
        '<Response><Override statusCallbackUrl="https://cb.test/s"/><Say>Hi</Say>'
        "<Redirect>https://elsewhere.test/x</Redirect></Response>"
    )
    assert kinds(events)[-3:] == ["redirected", "left_project", "ended"]
    assert not of(events, Error) and not of(events, StatusCallback)
    (left,) = of(events, LeftProject)
    assert (left.url, left.method) == ("https://elsewhere.test/x", "POST")
    assert "follows only its own flows" in left.reason
    assert left.describe().startswith("left the project at POST https://elsewhere.test/x")
    assert of(events, Ended)[0].call_status == "completed"


# -- Override and the status callback -------------------------------------------------------


def test_override_sets_the_status_callback():
    events = simulate(
        '<Response><Override statusCallbackUrl="https://cb.test/s" statusCallbackMethod="get"/>'
        "<Say>Hi</Say><Hangup/></Response>"
    )
    assert of(events, Override) == [Override("https://cb.test/s", "GET")]
    callback = of(events, StatusCallback)
    assert callback == [StatusCallback("https://cb.test/s", "GET", "completed", 1, None, None)]
    assert kinds(events)[-2:] == ["status_callback", "ended"]


def test_the_calls_status_callback_and_an_override_of_its_method():
    call = CallInfo(status_callback_url="https://cb.test/call")
    plain = simulate("<Response><Reject/></Response>", call=call)
    assert of(plain, StatusCallback) == [
        StatusCallback("https://cb.test/call", "POST", "failed", 0)
    ]
    changed = simulate(
        '<Response><Override statusCallbackMethod="GET"/><Hangup/></Response>', call=call
    )
    assert of(changed, StatusCallback)[0].method == "GET"
    assert not of(simulate("<Response><Hangup/></Response>"), StatusCallback)


def test_an_error_still_sends_the_status_callback():
    events = simulate(
        '<Response><Override statusCallbackUrl="https://cb.test/s"/><Say>x</Say>'
        "<Redirect>flow:main</Redirect></Response>"
    )
    assert "loops without input" in the_error(events)
    assert of(events, StatusCallback)[0].status == "failed"
    assert kinds(events)[-3:] == ["error", "status_callback", "ended"]


# -- live events, real time and stopping ----------------------------------------------------


def test_stream_yields_the_same_events_live():
    project = make_project(("main", "<Response><Say>a</Say><Pause/><Hangup/></Response>"))

    async def both():
        seen_live: list[Event] = []
        interpreter = Interpreter(ProjectSource(project), on_event=seen_live.append)
        streamed = [event async for event in interpreter.stream()]
        return streamed, seen_live, interpreter.events

    streamed, live, recorded = asyncio.run(asyncio.wait_for(both(), TIME_LIMIT))
    assert kinds(streamed) == ["started", "fetched", "say", "pause", "hangup", "ended"]
    assert streamed == live == recorded


def test_real_time_waits_at_the_given_speed():
    project = make_project(("main", '<Response><Pause length="2"/><Hangup/></Response>'))
    interpreter = Interpreter(ProjectSource(project), clock=RealClock(speed=10))
    started = time.monotonic()
    events = asyncio.run(asyncio.wait_for(interpreter.run(), TIME_LIMIT))
    elapsed = time.monotonic() - started
    assert 0.15 < elapsed < 5
    assert of(events, Hangup)[0].at == pytest.approx(2, abs=0.5)


def test_stop_ends_a_running_call():
    project = make_project(("main", '<Response><Say>a</Say><Pause length="3600"/></Response>'))

    async def stop_during_pause():
        interpreter = Interpreter(ProjectSource(project), clock=RealClock())
        async for event in interpreter.stream():
            if isinstance(event, Pause):
                interpreter.stop()
        return interpreter.events

    started = time.monotonic()
    events = asyncio.run(asyncio.wait_for(stop_during_pause(), TIME_LIMIT))
    assert time.monotonic() - started < 5
    assert kinds(events)[-2:] == ["pause", "ended"]
    assert ended(events).call_status == "completed"  # it was answered


def test_stop_before_answering_cancels_and_leaving_a_stream_stops():
    project = make_project(
        ("main", '<Response><PreAnswer><Pause length="3600"/></PreAnswer></Response>')
    )

    async def leave_early():
        interpreter = Interpreter(ProjectSource(project), clock=RealClock())
        async with contextlib.aclosing(interpreter.stream()) as stream:
            async for event in stream:
                if isinstance(event, Pause):
                    break
        return interpreter.events

    events = asyncio.run(asyncio.wait_for(leave_early(), TIME_LIMIT))
    assert ended(events).call_status == "cancel"
    assert not of(events, StatusCallback)


def test_a_listener_may_stop_the_call_at_its_last_verb():
    project = make_project(("main", "<Response><Hangup/></Response>"))

    async def stop_at_hangup():
        interpreter = Interpreter(ProjectSource(project))
        interpreter.listeners.append(
            lambda event: interpreter.stop() if isinstance(event, Hangup) else None
        )
        events = await interpreter.run()
        await asyncio.sleep(0)  # no stray cancellation reaches the caller of run()
        return events

    events = asyncio.run(asyncio.wait_for(stop_at_hangup(), TIME_LIMIT))
    assert kinds(events)[-2:] == ["hangup", "ended"]


def test_a_failing_listener_still_ends_the_call_then_propagates():
    project = make_project(("main", "<Response><Say>a</Say><Hangup/></Response>"))

    def fail_on_say(event: Event) -> None:
        if isinstance(event, Say):
            raise RuntimeError("listener bug")

    interpreter = Interpreter(ProjectSource(project), on_event=fail_on_say)
    with pytest.raises(RuntimeError, match="listener bug"):
        asyncio.run(asyncio.wait_for(interpreter.run(), TIME_LIMIT))
    assert kinds(interpreter.events)[-2:] == ["error", "ended"]
    assert "internal error: RuntimeError: listener bug" in interpreter.events[-2].message
