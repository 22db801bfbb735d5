"""The window opens on the sample project and shows each flow's FlexML and problems."""

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from gui.core.flexml import parse
from gui.core.project import Project
from gui.qt.app import sample_project
from gui.qt.main_window import MainWindow


def test_sample_project_opens_with_entry_selected(qtbot):
    window = MainWindow(sample_project())
    qtbot.addWidget(window)
    assert window.flows.count() == 3
    assert window.current_flow() == "hello"
    assert "<Say voice=\"woman\">Hello World" in window.xml_view.toPlainText()
    assert window.problems.topLevelItemCount() == 0
    assert window.status.text() == "3 flows · 0 errors · 0 warnings"
    assert window.windowTitle().startswith("Untitled project")


def test_switching_flows_shows_their_xml_and_problems(qtbot):
    project = Project()
    project.add_flow("good", parse(b"<Response><Say>Hi</Say></Response>"))
    project.add_flow("bad", parse(b"<Response>\n  <Say loop='500'>Hi</Say>\n  <Bogus/>\n</Response>"))
    window = MainWindow(project)
    qtbot.addWidget(window)
    window.flows.setCurrentRow(1)
    assert window.current_flow() == "bad"
    assert "<Bogus/>" in window.xml_view.toPlainText()
    rows = [
        [window.problems.topLevelItem(i).text(c) for c in range(4)]
        for i in range(window.problems.topLevelItemCount())
    ]
    assert [r[:3] for r in rows] == [["2", "error", "out-of-range"], ["3", "error", "unknown-element"]]
    assert window.status.text() == "2 flows · 2 errors · 0 warnings"
    window.flows.setCurrentRow(0)
    assert window.problems.topLevelItemCount() == 0


def test_command_without_subcommand_opens_the_window_and_screenshots(tmp_path):
    target = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "gui", "--screenshot", str(target)],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
