"""The window's Open facing what the loader refuses (issue 14): a named pipe, a project
beyond the reader's limits or with a bad `format` is refused in place with the reason, at
once, and the open project is kept. Open goes through the core loader, so these are the
loader's refusals as the window shows them."""

from __future__ import annotations

import os
import threading
import time

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.qt.window.test_file_actions import SAMPLE_FLOWS, Host, answer_next_box

BOUND = 20.0  # seconds: an Open blocked on a pipe is freed by then, and fails the test


@pytest.fixture
def host(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    return Host(widget, tmp_path)


def free_a_blocked_reader(fifo, done: threading.Event) -> threading.Thread:
    """After BOUND seconds, open `fifo` for writing if anything is reading it, so that a
    regression fails the test instead of hanging the run."""

    def run() -> None:
        deadline = time.monotonic() + BOUND
        while not done.wait(0.2):
            if time.monotonic() < deadline:
                continue
            try:  # succeeds only while someone has the pipe open for reading
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                continue

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def refused(host: Host, path, *words: str) -> float:
    """Open `path`, answer the warning; checks it was refused naming `words` with the
    project kept, and returns how long it took."""
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    start = time.monotonic()
    assert not host.files.open([str(path)])
    elapsed = time.monotonic() - start
    assert host.messages[-1].startswith("Could not open: ")
    for word in words:
        assert word in seen[0] and word in host.messages[-1]
    assert host.project.names == SAMPLE_FLOWS
    return elapsed


def test_open_refuses_a_named_pipe_at_once(host, tmp_path):
    fifo = tmp_path / "menu.flexproj"
    os.mkfifo(fifo)
    done = threading.Event()
    watchdog = free_a_blocked_reader(fifo, done)
    try:
        elapsed = refused(host, fifo, f"{fifo} is a named pipe (FIFO), not a file")
    finally:
        done.set()
        watchdog.join(BOUND)
    assert elapsed < BOUND


def test_open_refuses_a_say_of_50000_attributes_in_well_under_a_second(host, tmp_path):
    attributes = " ".join(f'a{i}="x"' for i in range(50_000))
    path = tmp_path / "wide.xml"
    path.write_text(f"<Response><Say {attributes}>Hi</Say></Response>")
    elapsed = refused(host, path, "<Say> has 50,000 attributes", "more than 100")
    assert elapsed < 1.0


def test_open_refuses_a_bad_format_with_the_reason(host, tmp_path):
    path = tmp_path / "odd.flexproj"
    path.write_text('<flexml-project format="²"><flow name="a"/></flexml-project>')
    refused(host, path, "no valid format version (format='²')")
