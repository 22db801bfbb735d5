"""Start-up. `flexml-studio` starts with Python's garbage collector off and, once the window's first
frame is shown, freezes what start-up made and turns the collector back on (gui.cli.main,
gui.qt.app.settle_garbage_collector). Run in a subprocess: the app's own start and quit."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gui.qt.app import settle_garbage_collector

PROBE = textwrap.dedent(
    """
    import gc, json, sys
    from gui import cli
    from gui.qt import app as app_module

    seen = {}
    build = app_module.build_window

    def probed_build(*args, **kwargs):
        seen["collecting_while_building"] = gc.isenabled()
        window = build(*args, **kwargs)
        grab = window.grab

        def probed_grab(*args):  # the screenshot, taken once the first frame is shown
            seen["asyncio_at_grab"] = "asyncio" in sys.modules or "qasync" in sys.modules
            seen["collecting_at_grab"] = gc.isenabled()
            return grab(*args)

        window.grab = probed_grab
        return window

    app_module.build_window = probed_build
    code = cli.main(["--screenshot", sys.argv[1]])
    seen["code"] = code
    seen["collecting_after"] = gc.isenabled()
    print(json.dumps(seen))
    """
)


def app_process(tmp_path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python ARGS` as a first start would run it: offscreen, settings and data of its own
    under `tmp_path` (the same ones for each call in a test)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_the_collector_is_off_while_starting_and_on_after_the_first_frame(tmp_path):
    done = app_process(tmp_path, "-c", PROBE, str(tmp_path / "shot.png"))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0 and (tmp_path / "shot.png").stat().st_size > 0
    assert seen["collecting_while_building"] is False
    assert seen["collecting_at_grab"] is True
    assert seen["collecting_after"] is True
    assert seen["asyncio_at_grab"] is False  # imported on the turn after the first frame


@pytest.fixture
def collector_off():
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_settling_turns_the_collector_on_and_freezes_nothing(collector_off):
    # Frozen objects are never collected: a flow tree is a cycle (parents), so the project
    # opened at start would stay in memory after another replaced it.
    frozen = gc.get_freeze_count()
    settle_garbage_collector()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


REPLACED = textwrap.dedent(
    """
    import gc, sys, weakref
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from gui import cli
    from gui.core.project import load

    found = {}

    def later():
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the first frame is not shown yet
            QTimer.singleShot(50, later)
            return
        window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "editing"))
        found["start"] = weakref.ref(window.project.flow(window.project.names[0]))
        window.files.replace_project(load([sys.argv[2]]))
        QTimer.singleShot(100, lambda: done(window))

    def done(window):
        gc.collect()
        found["freed"] = found["start"]() is None
        window.editing.stack.setClean()
        window.close()

    app = QApplication(sys.argv[:1])
    QTimer.singleShot(0, later)
    code = cli.main([sys.argv[1]])
    print("freed" if found.get("freed") else "kept", code)
    """
)


def test_the_project_opened_at_start_is_freed_once_another_replaces_it(tmp_path):
    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    first.write_text("<Response>" + "<Say>Hi</Say>" * 50 + "</Response>")
    second.write_text("<Response><Hangup/></Response>")
    done = app_process(tmp_path, "-c", REPLACED, str(first), str(second), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "freed 0"


def test_a_screenshot_that_cannot_be_written_says_so_and_exits_1(tmp_path):
    # Was: nothing said, exit 0. A failure inside the screenshot must still end the
    # process (an exception in a Qt slot does not, by itself).
    target = tmp_path / "no-such-folder" / "shot.png"
    done = app_process(tmp_path, "-m", "gui", "--screenshot", str(target))
    assert done.returncode == 1
    assert f"could not write the screenshot {target}" in done.stderr
    assert not target.exists()


CLOSED_AT_ONCE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from gui import cli
    from gui.qt import app as app_module

    build = app_module.build_window

    def closing_build(*args, **kwargs):
        window = build(*args, **kwargs)
        QTimer.singleShot(0, window.close)  # before its first frame is painted
        return window

    app_module.build_window = closing_build
    print("exit", cli.main([]))
    """
)


def test_a_window_closed_before_its_first_frame_ends_the_app(tmp_path):
    # Qt's own loop runs until the first frame (gui.qt.app.until_first_frame), where
    # QApplication.quit does nothing: closing the window then must still end the app.
    done = app_process(tmp_path, "-c", CLOSED_AT_ONCE, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "exit 0"


LEFT_BEHIND = textwrap.dedent(
    """
    from gui.core.recovery import RecoveryStore
    from gui.qt.app import sample_project

    store = RecoveryStore()  # a run that crashed: its copy stays, its process is gone
    store.save(sample_project().to_text(), None)
    print(store.path)
    """
)


LATE_FIRST_FRAME = textwrap.dedent(
    """
    import sys
    from gui import cli
    from gui.qt import app as app_module

    app_module.FIRST_FRAME_WAIT_MS = 0  # qasync starts before the first frame is painted
    print("exit", cli.main(["--screenshot", sys.argv[1]]))
    """
)


def test_a_screenshot_whose_first_frame_comes_late_still_ends_the_app(tmp_path):
    # A huge project may take longer to show than FIRST_FRAME_WAIT_MS: the screenshot is
    # then taken on the qasync loop, which it must end, without offering (and so
    # discarding) the recovery copy another run left behind.
    left = app_process(tmp_path, "-c", LEFT_BEHIND, timeout=60)
    assert left.returncode == 0, left.stderr
    copy = Path(left.stdout.strip())
    assert copy.is_file()
    target = tmp_path / "shot.png"
    done = app_process(tmp_path, "-c", LATE_FIRST_FRAME, str(target), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "exit 0"
    assert target.stat().st_size > 0
    assert copy.is_file()  # still there for the next start to offer
