"""The runtime runs what CarrierX documents beyond the first verbs: Store and the Storage_
fields, Start/Stop/Connect with Stream and Parameter, Record recordSession, Pause/Wait with
silence and noise detection, Gather actionOnEmptyResult and Sms (cx_facts §1-4, 8, 12).

In memory, with the virtual clock: no socket is opened (tests/e2e/test_streams.py opens
real ones), and what each verb does is read from its events.
"""

from __future__ import annotations

import asyncio
import json

from gui.core.runtime import (
    Amd,
    CallInfo,
    Error,
    Fetched,
    GatherDone,
    Interpreter,
    Pause,
    ProjectSource,
    Record,
    Say,
    SessionRecorded,
    SmsSent,
    StatusCallback,
    Stored,
    StreamNote,
    StreamStarted,
    StreamStopped,
)
from gui.core.runtime.streams import (
    MAX_STREAMS,
    NOT_CONNECTED,
    SIMULATED_CLOSE,
    StreamSpec,
    connected_message,
    socket_url,
    start_message,
)
from tests.core.test_runtime import (
    TIME_LIMIT,
    ended,
    kinds,
    make_project,
    of,
    results,
    simulate,
    the_error,
)

# Golden examples from CarrierX's documentation (cx_facts §13), as written there but for
# the Redirect, which goes to a flow of the project (a run in memory follows only those).
G1_STORE = (
    "<Response>\n"
    '<Store name="key1">some_data</Store>\n'
    '<Store name="key2">some more data</Store>\n'
    "<Redirect>flow:handler</Redirect>\n"
    "</Response>"
)
G3_STOP = (
    '<Response><Start><Stream name="myStream" url="wss://example.com"/></Start>'
    '<Say>Streaming</Say><Stop><Stream name="myStream"/></Stop><Say>Done</Say></Response>'
)
G4_CONNECT = (
    '<Response><Connect><Stream name="myStream" url="wss://example.com"/></Connect>'
    "<Say>After the socket closed</Say></Response>"
)
G5_PARAMETER = (
    '<Response><Start><Stream name="myStream" url="wss://example.com">'
    '<Parameter name="FirstName" value="John"/><Parameter name="LastName" value="Cleese"/>'
    "</Stream></Start></Response>"
)
G19_SMS = '<Response><Sms to="15162065317">Have a great day!</Sms><Say>Bye</Say></Response>'
HANDLER = ("handler", "<Response><Say>Handled</Say></Response>")


# -- Store --------------------------------------------------------------------------------


def test_store_keeps_data_that_every_later_request_carries():
    events = simulate(("main", G1_STORE), HANDLER)
    assert kinds(events) == [
        "started",
        "fetched",
        "stored",
        "stored",
        "redirected",
        "fetched",
        "say",
        "ended",
    ]
    assert of(events, Stored) == [Stored("key1", "some_data"), Stored("key2", "some more data")]
    assert [s.describe() for s in of(events, Stored)] == [
        'store key1 = "some_data"',
        'store key2 = "some more data"',
    ]
    first, redirect = of(events, Fetched)
    assert not [k for k in first.params if k.startswith("Storage_")]
    assert results(redirect) == {"Storage_key1": "some_data", "Storage_key2": "some more data"}
    assert redirect.params["RequestUrl"] == "flow:main"  # the document that ran the Redirect
    # The fetched line shows what the request carried besides the call's own fields.
    assert redirect.describe() == (
        'POST flow:handler -> 200 (Storage_key1="some_data" Storage_key2="some more data")'
    )


def test_a_second_store_of_a_name_replaces_its_data():
    events = simulate(
        (
            "main",
            '<Response><Store name="step">one</Store><Store name="step">two</Store>'
            "<Redirect>flow:handler</Redirect></Response>",
        ),
        HANDLER,
    )
    assert results(of(events, Fetched)[1]) == {"Storage_step": "two"}


def test_stored_data_reaches_the_status_callback_fields():
    """The callback's fields are the interpreter's request_fields (its HTTP body is checked
    in tests/e2e/test_streams.py)."""
    project = make_project(("main", '<Response><Store name="k">v</Store><Hangup/></Response>'))
    interpreter = Interpreter(ProjectSource(project))
    asyncio.run(asyncio.wait_for(interpreter.run(), TIME_LIMIT))
    fields = interpreter.request_fields("completed")
    assert (fields["Storage_k"], fields["CallStatus"]) == ("v", "completed")


def test_a_store_over_128_kb_ends_the_call_and_says_carrierx_would_ignore_it():
    half = "x" * (70 * 1024)
    events = simulate(
        f'<Response><Store name="a">{half}</Store><Store name="b">{half}</Store>'
        "<Say>never</Say></Response>"
    )
    message = the_error(events)
    assert "<Store name='b'>" in message and "128 KB" in message
    assert "CarrierX would ignore this Store and every later one" in message
    assert [s.name for s in of(events, Stored)] == ["a"]  # the first one was kept
    assert not of(events, Say)
    error = of(events, Error)[0]
    assert error.node is not None and error.node.attrs["name"] == "b"


def test_a_long_stored_value_is_cut_short_in_its_line_not_in_the_event():
    data = "d" * 500
    (stored,) = of(simulate(f'<Response><Store name="big">{data}</Store></Response>'), Stored)
    assert stored.data == data
    assert stored.describe() == f'store big = "{"d" * 59}…" (500 characters)'


def test_store_does_not_answer_the_call():
    events = simulate('<Response><Store name="a">x</Store><Reject reason="busy"/></Response>')
    assert ended(events).call_status == "busy"


# -- Start, Stop, Connect, Stream, Parameter --------------------------------------------------


def test_start_then_stop_a_stream_in_the_simulator():
    events = simulate(G3_STOP)
    assert kinds(events) == [
        "started",
        "fetched",
        "stream_started",
        "stream_note",
        "say",
        "stream_stopped",
        "say",
        "ended",
    ]
    started = of(events, StreamStarted)[0]
    assert started == StreamStarted("myStream", "wss://example.com", None, {}, False)
    assert started.describe() == "start stream myStream -> wss://example.com"
    note = of(events, StreamNote)[0]
    assert (note.state, note.text) == ("not_connected", NOT_CONNECTED)
    assert note.describe() == (
        "stream myStream: not connected in the simulator: media is not streamed"
    )
    assert of(events, StreamStopped) == [StreamStopped("myStream", "stopped by <Stop>")]
    assert not of(events, Error) and ended(events).call_status == "completed"


def test_a_stream_still_running_stops_when_the_call_ends_before_the_status_callback():
    events = simulate(
        '<Response><Override statusCallbackUrl="https://cb.test/s"/><Start>'
        '<Stream name="s1" url="wss://example.com/a"/><Stream name="s2" url="wss://b.test"/>'
        "</Start><Say>Hi</Say><Hangup/></Response>"
    )
    assert kinds(events)[-4:] == ["stream_stopped", "stream_stopped", "status_callback", "ended"]
    assert of(events, StreamStopped) == [
        StreamStopped("s1", "the call ended"),
        StreamStopped("s2", "the call ended"),
    ]
    assert of(events, StatusCallback)[0].status == "completed"


def test_a_stop_of_a_stream_that_is_not_running_is_a_note():
    events = simulate('<Response><Stop><Stream name="ghost"/></Stop><Say>on</Say></Response>')
    (note,) = of(events, StreamNote)
    assert (note.name, note.state) == ("ghost", "not_running")
    assert "not running" in note.describe() and "nothing stopped" in note.describe()
    assert not of(events, Error) and of(events, Say)


def test_connect_in_the_simulator_goes_on_as_if_the_server_closed_the_socket():
    events = simulate(G4_CONNECT)
    assert kinds(events)[2:] == [
        "stream_started",
        "stream_note",
        "stream_stopped",
        "say",
        "ended",
    ]
    started = of(events, StreamStarted)[0]
    assert started.bidirectional
    assert "bidirectional, the flow waits until the socket closes" in started.describe()
    assert of(events, StreamStopped) == [StreamStopped("myStream", SIMULATED_CLOSE)]
    assert of(events, Say)[0].at == 0.0  # nothing waited


def test_parameters_and_the_track_go_with_the_stream():
    events = simulate(G5_PARAMETER.replace('url="wss', 'track="both_tracks" url="wss'))
    started = of(events, StreamStarted)[0]
    assert started.parameters == {"FirstName": "John", "LastName": "Cleese"}
    assert started.track == "both_tracks"
    assert started.describe() == (
        "start stream myStream -> wss://example.com "
        "(track both_tracks, FirstName=John, LastName=Cleese)"
    )
    assert started.to_json() == {
        "event": "stream_started",
        "at": 0.0,
        "name": "myStream",
        "url": "wss://example.com",
        "track": "both_tracks",
        "parameters": {"FirstName": "John", "LastName": "Cleese"},
        "bidirectional": False,
        "node": {"tag": "Stream", "path": "/Response/Start[1]/Stream[1]", "line": 1},
    }


def test_at_most_ten_streams_a_call_and_one_per_name():
    streams = "".join(
        f'<Start><Stream name="s{i}" url="wss://example.com"/></Start>'
        for i in range(MAX_STREAMS + 1)
    )
    again = '<Start><Stream name="s0" url="wss://x.test"/></Start>'
    events = simulate(f"<Response>{streams}{again}<Say>on</Say></Response>")
    assert len(of(events, StreamStarted)) == MAX_STREAMS
    refused = [n for n in of(events, StreamNote) if n.state == "refused"]
    assert [n.name for n in refused] == [f"s{MAX_STREAMS}", "s0"]
    assert f"at most {MAX_STREAMS} streams a call" in refused[0].text
    assert "running already" in refused[1].text
    assert not of(events, Error) and of(events, Say)


def test_the_start_message_and_socket_urls():
    assert connected_message() == {"event": "connected", "protocol": "Call", "version": "0.2.0"}
    spec = StreamSpec("s", "wss://x", "both", {"FirstName": "Jane"})
    assert start_message("sid-1", spec.tracks, spec.parameters) == {
        "event": "start",
        "sequenceNumber": 1,
        "start": {
            "callId": "sid-1",
            "tracks": ["inbound", "outbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
            "customParameters": {"FirstName": "Jane"},
        },
    }
    assert StreamSpec("s", "u", "mixed_tracks").tracks == ("mixed",)
    assert StreamSpec("s", "u").tracks == ("inbound",)
    assert StreamSpec("s", "u", "both", bidirectional=True).tracks == ("inbound",)
    assert socket_url("https://app.test/flows/main", "/media") == "wss://app.test/media"
    assert socket_url("http://127.0.0.1:8000/a/b", "ws2") == "ws://127.0.0.1:8000/a/ws2"
    assert socket_url("flow:main", "wss://x.test/s") == "wss://x.test/s"
    assert socket_url("flow:main", "/media") is None  # nothing to resolve it against
    assert socket_url("https://app.test/", "https://x.test/s") is None  # not a socket URL


# -- Record recordSession -------------------------------------------------------------------


def test_record_session_records_in_the_background_and_ends_with_the_call():
    """CarrierX's blast app puts the session recording first, then Amd."""
    events = simulate(
        '<Response><Record recordSession="true"/><Amd/><Say>Hello there</Say></Response>'
    )
    record, amd = of(events, Record)[0], of(events, Amd)[0]
    assert record.session and amd.at == 0.0
    assert record.describe() == f"record the whole call in the background -> {record.url}"
    (session,) = of(events, SessionRecorded)
    end = ended(events)
    assert kinds(events)[-2:] == ["session_recorded", "ended"]
    assert session.duration == end.duration > 0
    assert (session.url, session.file_sid) == (record.url, record.file_sid)
    assert session.describe() == (
        f"the session recording ended after {session.duration} s -> {record.url}"
    )
    assert len(of(events, Fetched)) == 1  # no action was requested mid-flow


# -- Pause and Wait with silence or noise detection --------------------------------------------


def test_silence_detection_ends_a_pause_after_min_silence():
    events = simulate(
        '<Response><Wait length="60" silence="true" minSilence="2000"/><Say>on</Say></Response>'
    )
    pause = of(events, Pause)[0]
    assert pause.ended_after == 2.0
    assert pause.describe() == "pause 60 s, ended after 2.0 s of silence"
    assert of(events, Say)[0].at == 2.0


def test_silence_without_min_silence_and_a_shorter_length():
    plain = simulate('<Response><Pause length="60" silence="true"/><Say>on</Say></Response>')
    assert of(plain, Say)[0].at == 1.0  # the assumed default
    short = simulate(
        '<Response><Pause length="1" silence="true" minSilence="5000"/><Say>on</Say></Response>'
    )
    assert of(short, Say)[0].at == 1.0  # never longer than the length


def test_noise_detection_alone_waits_the_full_length():
    events = simulate('<Response><Pause length="15" noise="true"/><Say>on</Say></Response>')
    pause = of(events, Pause)[0]
    assert (pause.ended_after, pause.noise) == (None, True)
    assert "a simulated caller makes none" in pause.describe()
    assert of(events, Say)[0].at == 15.0


# -- Gather actionOnEmptyResult ------------------------------------------------------------

EMPTY_MENU = (
    '<Response><Gather action="flow:choice" numDigits="1"{attrs}><Say>Press</Say></Gather>'
    "<Say>No input</Say></Response>"
)
CHOICE = ("choice", "<Response><Say>Chosen</Say></Response>")


def test_action_on_empty_result_requests_the_action_without_input():
    events = simulate(("main", EMPTY_MENU.format(attrs=' actionOnEmptyResult="true"')), CHOICE)
    assert of(events, GatherDone) == [GatherDone("", None, True)]
    assert results(of(events, Fetched)[1]) == {"Digits": "", "FinishKey": None}
    assert [s.text for s in of(events, Say)] == ["Press", "Chosen"]


def test_without_action_on_empty_result_no_input_goes_on():
    for attrs in ("", ' actionOnEmptyResult="false"'):
        events = simulate(("main", EMPTY_MENU.format(attrs=attrs)), CHOICE)
        assert len(of(events, Fetched)) == 1
        assert [s.text for s in of(events, Say)] == ["Press", "No input"]


# -- Sms ---------------------------------------------------------------------------------------


def test_sms_is_shown_not_sent_and_the_flow_goes_on():
    call = CallInfo(from_number="+15162065338", to_number="15162065337")
    events = simulate(G19_SMS, call=call)
    assert of(events, SmsSent) == [SmsSent("15162065317", "15162065338", "Have a great day!")]
    assert of(events, SmsSent)[0].describe() == (
        'sms to 15162065317 from 15162065338: "Have a great day!"; SMS not sent (simulated)'
    )
    assert [s.text for s in of(events, Say)] == ["Bye"]
    defaults = simulate("<Response><Sms>Hi</Sms></Response>", call=call)
    assert of(defaults, SmsSent) == [SmsSent("15162065337", "15162065338", "Hi")]


def test_sms_with_an_action_requests_it_with_no_fields_and_ends_the_document():
    sms = '<Sms action="flow:choice" to="15550001111">Hi</Sms>'
    events = simulate(("main", f"<Response>{sms}<Say>no</Say></Response>"), CHOICE)
    assert results(of(events, Fetched)[1]) == {}
    assert [s.text for s in of(events, Say)] == ["Chosen"]


# -- every new event: stable JSON keys and a line --------------------------------------------


def test_the_new_events_json_keys_and_lines():
    events = simulate(
        '<Response><Store name="k">v</Store><Start><Stream name="s" url="wss://x.test">'
        '<Parameter name="a" value="b"/></Stream></Start><Stop><Stream name="s"/></Stop>'
        '<Record recordSession="true"/><Pause length="3" silence="true"/>'
        "<Sms>text</Sms></Response>"
    )
    keys = {
        "stored": {"name", "data"},
        "stream_started": {"name", "url", "track", "parameters", "bidirectional"},
        "stream_note": {"name", "state", "text", "url"},
        "stream_stopped": {"name", "reason", "url"},
        "record": {"duration", "url", "file_sid", "session", "unused"},
        "pause": {"seconds", "ended_after", "noise"},
        "sms": {"to_number", "from_number", "text"},
        "session_recorded": {"duration", "url", "file_sid"},
    }
    seen = {e.kind: e for e in events}
    for kind, expected in keys.items():
        data = json.loads(json.dumps(seen[kind].to_json()))  # one JSON line each
        assert set(data) - {"event", "at", "node"} == expected, kind
        assert data["event"] == kind
        assert seen[kind].describe(), kind
    assert ended(events).call_status == "completed"


def test_leaving_the_project_stops_the_streams_and_the_session_recording():
    events = simulate(
        '<Response><Start><Stream name="s" url="wss://example.com"/></Start>'
        '<Record recordSession="true"/><Redirect>https://elsewhere.test/x</Redirect></Response>'
    )
    assert kinds(events)[-4:] == ["left_project", "stream_stopped", "session_recorded", "ended"]
    assert of(events, StreamStopped) == [StreamStopped("s", "the run left the project")]
    assert not of(events, Error)


# -- what the review of issue 15 found ---------------------------------------------------------


def test_a_connect_whose_name_is_taken_leaves_the_running_stream_alone():
    events = simulate(
        '<Response><Start><Stream name="s" url="wss://a.test/x"/></Start>'
        '<Connect><Stream name="s" url="wss://b.test/y"/></Connect><Say>After</Say></Response>'
    )
    assert [s.url for s in of(events, StreamStarted)] == ["wss://a.test/x"]
    (refused,) = [n for n in of(events, StreamNote) if n.state == "refused"]
    assert refused.text == "a stream named 's' is running already: this one is not started"
    stops = of(events, StreamStopped)
    assert [(s.name, s.reason) for s in stops] == [("s", "the call ended")]


# Streams with no name are told apart by their URL (issue 15, audit finding C).


def test_unnamed_streams_to_different_urls_all_run_connect_included():
    events = simulate(
        '<Response><Start><Stream url="wss://a.test/x"/></Start>'
        '<Start><Stream url="wss://b.test/y"/></Start>'
        '<Connect><Stream url="wss://c.test/z"/></Connect><Say>After</Say></Response>'
    )
    started = of(events, StreamStarted)
    assert [(s.name, s.url, s.bidirectional) for s in started] == [
        ("", "wss://a.test/x", False),
        ("", "wss://b.test/y", False),
        ("", "wss://c.test/z", True),
    ]
    assert not [n for n in of(events, StreamNote) if n.state != "not_connected"]
    # The Connect went on as if its server closed; the two Starts ran to the call's end.
    assert [s.reason for s in of(events, StreamStopped)] == [
        SIMULATED_CLOSE,
        "the call ended",
        "the call ended",
    ]
    assert kinds(events).index("stream_stopped") < kinds(events).index("say")


def test_an_unnamed_stream_to_a_url_already_streaming_is_refused():
    events = simulate(
        '<Response><Start><Stream url="wss://a.test/x"/></Start>'
        '<Start><Stream url="wss://a.test/x"/></Start>'
        '<Start><Stream name="named" url="wss://a.test/x"/></Start><Say>on</Say></Response>'
    )
    assert [s.name for s in of(events, StreamStarted)] == ["", "named"]
    (refused,) = [n for n in of(events, StreamNote) if n.state == "refused"]
    assert refused.describe() == (
        "stream (no name): an unnamed stream to wss://a.test/x is running already: "
        "this one is not started"
    )
    assert refused.node is not None and refused.node.path() == "/Response/Start[2]/Stream[1]"


def test_a_stop_by_url_stops_that_stream_only():
    events = simulate(
        '<Response><Start><Stream url="wss://a.test/x"/></Start>'
        '<Start><Stream url="wss://b.test/y"/></Start>'
        '<Stop><Stream url="wss://b.test/y"/></Stop><Say>one</Say>'
        '<Stop><Stream url="wss://b.test/y"/></Stop><Say>two</Say></Response>'
    )
    first, second, last = (e for e in events if e.kind in ("stream_stopped", "stream_note")
                           and getattr(e, "state", "") != "not_connected")  # fmt: skip
    assert first == StreamStopped("", "stopped by <Stop>", "wss://b.test/y")
    assert first.describe() == "stream to wss://b.test/y stopped: stopped by <Stop>"
    assert first.node is not None and first.node.path() == "/Response/Stop[1]/Stream[1]"
    # b is gone, so the second Stop stops nothing; a runs on to the call's end.
    assert (second.state, second.text) == (
        "not_running",
        "<Stop> of an unnamed stream to wss://b.test/y that is not running: nothing stopped",
    )
    assert last == StreamStopped("", "the call ended", "wss://a.test/x")
    assert last.describe() == "stream to wss://a.test/x stopped: the call ended"
    assert kinds(events)[-3:] == ["say", "stream_stopped", "ended"]


def test_a_stop_by_url_finds_its_stream_whatever_the_case_of_scheme_and_host():
    """WSS://A.test and wss://a.test are one server; the path is matched as written."""
    events = simulate(
        '<Response><Start><Stream url="WSS://A.Test/x"/></Start>'
        '<Stop><Stream url="wss://a.test/X"/></Stop>'
        '<Stop><Stream url="wss://a.test/x"/></Stop><Say>on</Say></Response>'
    )
    note, stopped = (e for e in events if e.kind in ("stream_stopped", "stream_note")
                     and getattr(e, "state", "") != "not_connected")  # fmt: skip
    assert note.state == "not_running"  # /X is not /x
    assert stopped == StreamStopped("", "stopped by <Stop>", "WSS://A.Test/x")
    assert not [e for e in events[events.index(stopped) :] if e.kind == "stream_stopped"][1:]


def test_a_stop_of_a_url_never_started_leaves_the_running_stream_alone():
    """The audit's s3.xml: a Stop to another server stops nothing."""
    events = simulate(
        '<Response><Start><Stream url="wss://a.example/one"/></Start>'
        '<Stop><Stream url="wss://b.example/other"/></Stop><Say>done</Say></Response>'
    )
    (note,) = [n for n in of(events, StreamNote) if n.state == "not_running"]
    assert "wss://b.example/other that is not running: nothing stopped" in note.text
    assert [s.reason for s in of(events, StreamStopped)] == ["the call ended"]


def test_a_stop_by_url_names_no_named_stream_and_says_how_to():
    events = simulate(
        '<Response><Start><Stream name="live" url="wss://a.test/x"/></Start>'
        '<Stop><Stream url="wss://a.test/x"/></Stop>'
        '<Stop><Stream name="live" url="wss://other.test/"/></Stop><Say>on</Say></Response>'
    )
    (note,) = [n for n in of(events, StreamNote) if n.state == "not_running"]
    assert note.text == (
        "<Stop> of an unnamed stream to wss://a.test/x that is not running: nothing stopped "
        "(the stream to that URL is named 'live': stop it by its name)"
    )
    # A Stop with a name goes by the name, whatever its url says.
    assert of(events, StreamStopped) == [StreamStopped("live", "stopped by <Stop>")]


def test_a_relative_unnamed_stream_is_stopped_by_the_same_url_in_another_flow():
    """In the simulator a relative URL is not resolved: it is matched as written."""
    events = simulate(
        (
            "main",
            '<Response><Start><Stream url="/media"/></Start><Redirect>flow:b</Redirect></Response>',
        ),
        ("b", '<Response><Stop><Stream url="/media"/></Stop><Say>on</Say></Response>'),
    )
    assert of(events, StreamStopped) == [StreamStopped("", "stopped by <Stop>", "/media")]


def test_a_stop_may_name_its_stream_by_url():
    events = simulate(
        '<Response><Start><Stream url="wss://a.test/x"/></Start>'
        '<Stop><Stream url="wss://a.test/x"/></Stop><Say>After</Say></Response>'
    )
    assert [s.reason for s in of(events, StreamStopped)] == ["stopped by <Stop>"]
    assert not [n for n in of(events, StreamNote) if n.state == "not_running"]


def test_stored_data_is_cut_short_on_the_request_line():
    big = "x" * 5000
    events = simulate(
        (
            "main",
            f'<Response><Store name="big">{big}</Store><Redirect>flow:next</Redirect></Response>',
        ),
        ("next", "<Response><Hangup/></Response>"),
    )
    fetched = of(events, Fetched)[-1]
    assert fetched.params["Storage_big"] == big  # sent whole
    line = fetched.describe()
    assert "Storage_big=" in line and len(line) < 300
