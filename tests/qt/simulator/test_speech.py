"""Speech and audio for the simulator: they work when the system can, and fall back to
nothing (with a reason for people) when it cannot, without a Qt warning either way."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import qWarning

from gui.qt.common import tasks
from gui.qt.simulator.speech import NO_AUDIO, NO_ENGINE, Player, Speaker, quiet_qt


def test_without_an_engine_say_does_nothing(qapp):
    speaker = Speaker(engines=())
    assert not speaker.available
    assert speaker.why_not == NO_ENGINE
    assert speaker.say("Hello", "woman") is False
    speaker.stop()  # nothing to stop: no error either
    assert speaker.voice_name is None and not speaker.speaking


def test_an_engine_that_fails_to_load_is_reported_not_logged(qapp):
    speaker = Speaker(engines=("no-such-engine",))
    assert not speaker.available
    assert speaker.why_not.startswith("No speech engine works (no-such-engine: ")
    assert speaker.why_not.endswith("): Say text is shown, not spoken")
    assert speaker.say("Hello") is False


def test_the_systems_engines_are_probed_quietly(qapp):
    # Whatever this machine has (speechd without its daemon logs a critical message when
    # loaded): available or a reason, and no Qt warning reaches the test.
    speaker = Speaker()
    assert speaker.available or speaker.why_not
    assert speaker.engine != "mock"  # Qt's test engine is never chosen by itself


def test_man_and_woman_pick_a_male_and_a_female_voice(qapp, qtbot):
    speaker = Speaker(engines=("mock",))  # Qt's test engine: Bob and Anne, silent
    assert speaker.available and speaker.why_not is None
    assert speaker.say("Hello there", "woman")
    assert speaker.voice_name == "Anne"
    qtbot.waitUntil(lambda: not speaker.speaking, timeout=5000)
    assert speaker.say("Hello again", "man")
    assert speaker.voice_name == "Bob"
    speaker.stop()
    assert speaker.say("   ") is False  # nothing to say


def test_without_an_audio_device_play_does_nothing(qapp):
    player = Player(devices=())
    assert not player.available
    assert player.why_not == NO_AUDIO
    assert player.play("https://example.com/hello.wav") == NO_AUDIO
    player.stop()


def test_the_systems_audio_outputs_are_probed_quietly(qapp):
    player = Player()
    assert player.available or player.why_not == NO_AUDIO


def test_only_http_urls_are_fetched(qapp):
    player = Player(devices=("a device",))
    assert player.play("file:///etc/passwd") == (
        "file:///etc/passwd is not an http(s) URL: shown, not played"
    )


def test_a_file_that_cannot_be_fetched_is_a_problem_not_an_error(qapp, qtbot, qloop):
    player = Player(devices=("a device",), timeout=2)
    with qtbot.waitSignal(player.problem, timeout=5000) as problem:
        assert player.play("http://127.0.0.1:9/hello.wav") is None  # the discard port
    (message,) = problem.args
    assert message.startswith("http://127.0.0.1:9/hello.wav was not played: ")
    qtbot.waitUntil(lambda: not tasks.running(), timeout=2000)


@pytest.mark.parametrize("url", ["http://[::1/x.mp3", "http://127.0.0.1:99999/x.mp3"])
def test_a_url_httpx_refuses_is_a_problem_said_not_a_traceback(qapp, qtbot, qloop, caplog, url):
    player = Player(devices=("a device",), timeout=2)
    with qtbot.waitSignal(player.problem, timeout=5000) as problem:
        player.play(url)
    assert problem.args[0].startswith(f"{url} was not played: ")
    qtbot.waitUntil(lambda: not tasks.running(), timeout=2000)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_stop_cancels_a_fetch(qapp, qtbot, qloop):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        player = Player(devices=("a device",))
        problems: list[str] = []
        player.problem.connect(problems.append)
        assert player.play(f"http://127.0.0.1:{port}/slow.wav") is None
        qtbot.wait(100)
        assert tasks.running()
        player.stop()
        qtbot.waitUntil(lambda: not tasks.running(), timeout=2000)
    assert problems == []  # stopped is not a problem


@pytest.mark.qt_log_ignore("the handler is back")
def test_quiet_qt_keeps_messages_and_puts_the_handler_back(qapp, qtlog):
    with quiet_qt() as messages:
        qWarning("kept, not printed")
    assert messages == ["kept, not printed"]
    qWarning("the handler is back")  # pytest-qt's handler sees this one again
    assert [record.message for record in qtlog.records] == ["the handler is back"]
