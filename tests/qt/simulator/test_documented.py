"""The simulator panel with what CarrierX documents beyond the first verbs: the data Store
keeps (under the transcript, following the shown run), a run that leaves the project (a
note and an outcome of its own, not an error), media streams (notes) and a Pause that
silence detection ends early. Real projects run by the real runtime, driven with qtbot."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from gui.core.runtime.events import (
    Ended,
    LeftProject,
    Started,
    Stored,
    StreamNote,
    StreamStarted,
)
from gui.qt.simulator.runs import LineKind, Run, RunKind, event_line
from tests.qt.simulator.test_panel import _project

STORING = {
    "main": (
        b'<Response><Store name="key1">some_data</Store>'
        b'<Store name="key2">some more data</Store><Redirect>flow:next</Redirect></Response>'
    ),
    "next": b"<Response><Say>Stored</Say><Hangup/></Response>",
}
NOTE_COLOUR = "#6e7781"
ERROR_COLOUR = "#b3261e"


def _line(panel, text: str):
    """The transcript item whose text contains `text`."""
    items = [panel.transcript.item(i) for i in range(panel.transcript.count())]
    found = [item for item in items if text in item.text()]
    assert found, panel.transcript_lines()
    return found[0]


def test_stored_data_is_shown_under_the_transcript_and_follows_the_shown_run(bench, qtbot):
    b = bench(_project(**STORING))
    panel = b.panel
    label = panel.findChild(QLabel, "simulator-stored")
    assert label is panel.stored_label and label.accessibleName() == "Stored data"
    assert label.toolTip() and not label.isVisible()
    b.run("instant")
    b.idle()
    texts = b.texts()
    assert 'store key1 = "some_data"' in texts and 'store key2 = "some more data"' in texts
    assert 'POST flow:next -> 200 (Storage_key1="some_data" Storage_key2="some more data")' in texts
    assert label.isVisible()
    assert label.text() == 'Stored: key1 = "some_data", key2 = "some more data"'

    panel.flow_combo.setCurrentIndex(panel.flow_combo.findData("next"))
    b.run("instant")
    b.idle()
    assert not label.isVisible()  # this run stored nothing

    first = panel.runs()[1]
    panel.runs_combo.setCurrentIndex(1)
    assert panel.shown_run is first
    qtbot.waitUntil(label.isVisible, timeout=2000)
    assert label.text().startswith('Stored: key1 = "some_data"')


def test_a_long_stored_value_is_cut_short_in_the_label(bench):
    data = "x" * 200
    b = bench(_project(main=f'<Response><Store name="big">{data}</Store></Response>'.encode()))
    b.run("instant")
    b.idle()
    text = b.panel.stored_label.text()
    assert text.startswith('Stored: big = "xxx') and text.endswith('…" (200 characters)')
    assert len(text) < 80
    assert b.panel.shown_run.stored == {"big": data}


def test_leaving_the_project_is_a_note_and_the_runs_outcome_not_an_error(bench):
    b = bench(
        _project(
            main=b"<Response><Say>Hi</Say><Redirect>https://elsewhere.test/x</Redirect></Response>"
        )
    )
    b.run("instant")
    b.idle()
    item = _line(b.panel, "left the project at POST https://elsewhere.test/x")
    assert item.foreground().color().name() == NOTE_COLOUR and item.font().italic()
    items = [b.panel.transcript.item(i) for i in range(b.panel.transcript.count())]
    assert not [i.text() for i in items if i.foreground().color().name() == ERROR_COLOUR]
    assert b.panel.runs()[0].label().endswith("— left the project at https://elsewhere.test/x")


def test_streams_in_the_simulator_are_shown_with_a_note(bench):
    b = bench(
        _project(
            main=b'<Response><Start><Stream name="myStream" url="wss://example.com">'
            b'<Parameter name="FirstName" value="John"/></Stream></Start><Say>On</Say>'
            b'<Stop><Stream name="other"/></Stop></Response>'
        )
    )
    b.run("instant")
    b.idle()
    texts = b.texts()
    assert "start stream myStream -> wss://example.com (FirstName=John)" in texts
    assert "stream myStream stopped: the call ended" in texts
    for text in (
        "not connected in the simulator: media is not streamed",
        "stream other: <Stop> of a stream that is not running: nothing stopped",
    ):
        item = _line(b.panel, text)
        assert item.foreground().color().name() == NOTE_COLOUR
    assert b.panel.runs()[0].label().endswith("— ended: completed")


def test_a_pause_ended_by_silence_counts_down_from_min_silence(bench, qtbot):
    b = bench(
        _project(
            main=b'<Response><Wait length="60" silence="true" minSilence="2000"/>'
            b"<Hangup/></Response>"
        )
    )
    b.run("1x")
    qtbot.waitUntil(b.panel.pause_label.isVisible, timeout=5000)
    assert b.panel.pause_label.text() in ("Pause: 2 s left", "Pause: 1 s left")
    b.idle(timeout=8000)
    assert "pause 60 s, ended after 2.0 s of silence" in b.texts()


# -- the runs without a panel --------------------------------------------------------------------


def test_notes_outcomes_and_stored_text_of_a_run():
    assert event_line(StreamNote("s", "not_running", "x")).kind is LineKind.NOTE
    assert event_line(LeftProject("https://a.test", "POST", "why")).kind is LineKind.NOTE
    assert event_line(StreamStarted("s", "wss://a", None, {})).kind is LineKind.EVENT
    run = Run(RunKind.SIMULATED, "main (instant)")
    run.add(Started("sid", "1", "2", "inbound", "flow:main", "POST"))
    assert run.stored_text() == "" and run.outcome() == "running"
    run.add(Stored("a", "1"))
    run.add(Stored("b", "two, three"))
    run.add(Stored("a", "one"))
    assert run.stored_text() == 'Stored: a = "one", b = "two, three"'
    run.add(LeftProject("https://a.test/next", "GET", "not followed"))
    run.add(Ended("completed", 3))
    assert run.outcome() == "left the project at https://a.test/next"
    many = Run(RunKind.SANDBOX, "call")
    for i in range(40):
        many.add(Stored(f"key{i}", "v" * 30))
    assert len(many.stored_text()) == 300 and many.stored_text().endswith("…")
