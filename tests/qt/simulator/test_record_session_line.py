"""A session recording in the Simulator: its transcript line says it records the whole call
in the background, which of a prompt recording's attributes it does not use, and when the
call ends how long it ran; the flow goes on at once (the Say after it is spoken)."""

from __future__ import annotations

from tests.qt.simulator.test_panel import _project


def test_a_session_recording_is_shown_and_the_flow_goes_on(bench):
    b = bench(
        _project(
            main=b'<Response><Record recordSession="true" action="/done" maxLength="20"/>'
            b"<Say>Hello there</Say><Hangup/></Response>"
        )
    )
    b.run("instant")
    b.idle()
    texts = b.texts()
    (line,) = [t for t in texts if t.startswith("record the whole call in the background -> ")]
    assert line.endswith("(action, maxLength not used: it ends with the call)")
    assert texts.index(line) < texts.index("say 'Hello there' (voice man)")
    assert any(t.startswith("the session recording ended after ") for t in texts)
    assert b.panel.runs()[0].label().endswith("— ended: completed")
