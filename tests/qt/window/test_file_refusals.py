"""The window's Save and Export facing what they must not replace (issue 14): a read-only
file is replaced only after the real question is answered Replace; a named pipe or a loop
of links is refused in place; Export All never follows a link planted in its folder."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from gui.core.project import load
from tests.qt.window.test_file_actions import (
    SAMPLE_FLOWS,
    Host,
    answer_next_box,
    answer_next_dialog,
)

BOUND = 20.0  # seconds: a save that blocks on a pipe is freed by then, and fails the test


@pytest.fixture
def host(qtbot, tmp_path):
    widget = QWidget()
    qtbot.addWidget(widget)
    return Host(widget, tmp_path)


def answer_replace_question(button_name: str) -> list[dict]:
    """Click `button_name` in the next read-only question; returns what it showed."""
    seen: list[dict] = []

    def answer(box: QMessageBox) -> None:
        buttons = {b.objectName(): b for b in box.findChildren(QPushButton)}
        seen.append(
            {
                "name": box.objectName(),
                "title": box.windowTitle(),
                "text": box.text(),
                "default": box.defaultButton().objectName(),
                "buttons": {
                    name: (b.accessibleName(), bool(b.toolTip()))
                    for name, b in buttons.items()
                    if name.startswith("replace-read-only")
                },
            }
        )
        buttons[button_name].click()

    answer_next_dialog(QMessageBox, answer)
    return seen


def read_only(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o444)
    return path


class PipeWatchdog:
    """Opens a named pipe for writing after BOUND seconds, should anything be blocked
    reading it, so that a regression fails the test instead of hanging the run."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.done = threading.Event()
        self.freed = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + BOUND
        while not self.done.wait(0.2):
            if time.monotonic() < deadline:
                continue
            try:  # succeeds only while someone has the pipe open for reading
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            self.freed = True
            os.close(fd)

    def stop(self) -> None:
        self.done.set()
        self.thread.join(BOUND)


# -- read-only files -------------------------------------------------------------------------


def test_saving_onto_a_read_only_project_asks_and_cancel_keeps_it(host, tmp_path):
    target = read_only(tmp_path / "mine.flexproj", "old")
    host.change()
    seen = answer_replace_question("replace-read-only-cancel")
    assert not host.files.save_as(target)
    (question,) = seen
    assert question["name"] == "replace-read-only"
    assert question["title"] == "Save: replace a read-only file?"
    assert str(target) in question["text"] and "read-only" in question["text"]
    assert question["default"] == "replace-read-only-cancel"
    assert question["buttons"] == {
        "replace-read-only-replace": ("Replace the read-only file", True),
        "replace-read-only-cancel": ("Cancel", True),
    }
    assert target.read_text() == "old"
    assert host.messages[-1] == f"Not saved: {target} is read-only"
    assert host.files.modified and host.saved == [] and host.project.path is None


def test_saving_onto_a_read_only_project_replaces_it_when_told_to(host, tmp_path):
    target = read_only(tmp_path / "mine.flexproj", "old")
    host.change()
    seen = answer_replace_question("replace-read-only-replace")
    assert host.files.save_as(target)
    assert len(seen) == 1
    assert load([target]).to_text() == host.project.to_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o444  # it stays read-only
    assert (tmp_path / "mine.flexproj.bak").read_text() == "old"
    assert host.project.path == target and not host.files.modified
    assert host.saved == [str(target)]
    # The next save asks again: the file is still read-only.
    host.change()
    again = answer_replace_question("replace-read-only-replace")
    assert host.files.save() and len(again) == 1


def test_exporting_onto_a_read_only_file_asks(host, tmp_path):
    target = read_only(tmp_path / "menu.xml", "old")
    refused = answer_replace_question("replace-read-only-cancel")
    assert not host.files.export_flow(str(target), base_url="")
    assert len(refused) == 1 and refused[0]["title"] == "Export: replace a read-only file?"
    assert target.read_text() == "old"
    assert host.messages[-1] == f"Not exported: {target} is read-only"
    accepted = answer_replace_question("replace-read-only-replace")
    assert host.files.export_flow(str(target), base_url="")
    assert len(accepted) == 1 and "<Gather" in target.read_text()


def test_export_all_asks_once_for_every_read_only_file(host, tmp_path):
    folder = tmp_path / "all"
    folder.mkdir()
    for name in ("hello", "menu"):
        read_only(folder / f"{name}.xml", "old")
    refused = answer_replace_question("replace-read-only-cancel")
    assert not host.files.export_all(str(folder), base_url="")
    (question,) = refused
    assert "These 2 files are read-only" in question["text"]
    assert sorted(p.name for p in folder.iterdir()) == ["hello.xml", "menu.xml"]  # none written
    assert host.messages[-1] == "Not exported: 2 files are read-only"
    accepted = answer_replace_question("replace-read-only-replace")
    assert host.files.export_all(str(folder), base_url="")
    assert len(accepted) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.xml" for n in SAMPLE_FLOWS)
    assert (folder / "menu.xml").read_text() != "old"


# -- what is never replaced ------------------------------------------------------------------


def test_saving_onto_a_named_pipe_is_refused_at_once(host, tmp_path):
    fifo = tmp_path / "mine.flexproj"
    os.mkfifo(fifo)
    watchdog = PipeWatchdog(fifo)
    try:
        host.change()
        seen = answer_next_box(QMessageBox.StandardButton.Ok)
        started = time.monotonic()
        assert not host.files.save_as(fifo)
        assert time.monotonic() - started < BOUND
    finally:
        watchdog.stop()
    assert not watchdog.freed
    assert seen == [
        f"could not save {fifo}: it is a named pipe (FIFO), not a file, and was left as it is"
    ]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "recovery") == ["mine.flexproj"]
    assert host.project.path is None and host.files.modified


def test_exporting_onto_a_loop_of_links_is_refused(host, tmp_path):
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not host.files.export_flow(str(first), base_url="")
    assert seen == [f"could not save {first}: its symbolic links go round in a loop"]
    assert first.is_symlink() and second.is_symlink()
    assert host.messages[-1].startswith("Could not export: ")


def test_export_all_never_follows_a_link_planted_in_its_folder(host, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    folder = tmp_path / "all"
    folder.mkdir()
    (folder / "menu.xml").symlink_to(victim)
    seen = answer_next_box(QMessageBox.StandardButton.Ok)
    assert not host.files.export_all(str(folder), base_url="")
    assert seen == [
        f"could not save {folder / 'menu.xml'}: it is a symbolic link, which is not followed "
        "here (remove it, or export to another folder)"
    ]
    assert victim.read_text() == "keep me"
    assert [p.name for p in folder.iterdir()] == ["menu.xml"]  # nothing else written
    assert QApplication.activeModalWidget() is None
