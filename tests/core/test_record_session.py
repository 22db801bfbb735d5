"""Record recordSession="true" as a designer meets it: the flow tree says it records the
whole call, and the transcript says which of a prompt recording's attributes it does not
use (it runs until the call ends; CarrierX documents none of them with recordSession)."""

from __future__ import annotations

from gui.core.flexml import parse
from gui.core.flexml.summary import summarize
from gui.core.runtime import Fetched, Record
from tests.core.test_runtime import of, simulate


def record_of(xml: str):
    return parse(xml.encode()).root.child(0)


def test_the_flow_tree_says_a_session_recording_records_the_whole_call():
    session = record_of('<Response><Record recordSession="true" action="/x"/></Response>')
    assert summarize(session) == "Record the whole call (in the background)"
    prompt = record_of('<Response><Record action="/x" maxLength="30"/></Response>')
    assert summarize(prompt) == "Record -> /x (up to 30 s)"
    off = record_of('<Response><Record recordSession="false" maxLength="30"/></Response>')
    assert summarize(off) == "Record (up to 30 s)"


def test_the_transcript_names_what_a_session_recording_does_not_use():
    events = simulate(
        '<Response><Record recordSession="true" action="/done" maxLength="20" playBeep="true"/>'
        "<Say>Hello</Say></Response>"
    )
    (record,) = of(events, Record)
    assert record.unused == ("action", "maxLength", "playBeep")
    assert record.describe() == (
        f"record the whole call in the background -> {record.url} "
        "(action, maxLength, playBeep not used: it ends with the call)"
    )
    assert len(of(events, Fetched)) == 1  # the action is not requested


def test_a_plain_session_recording_says_nothing_more():
    events = simulate('<Response><Record recordSession="true" fileFormat="mp3"/></Response>')
    (record,) = of(events, Record)
    assert record.unused == () and record.url.endswith(".mp3")
    assert record.describe() == f"record the whole call in the background -> {record.url}"
