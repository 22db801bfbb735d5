"""Every control a user acts on, in every panel of the window, has an objectName and an
accessible name, so tests and screen readers find it without private attributes."""

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from gui.qt.app import sample_project
from gui.qt.common.settings import SettingsStore
from gui.qt.window.main_window import MainWindow
from tests.qt.findable import INTERACTIVE, assert_findable, controls


@pytest.fixture
def window(qtbot):
    win = MainWindow(sample_project(), SettingsStore())
    win.show()
    qtbot.waitExposed(win)
    win.endpoint_panel  # noqa: B018 (the panels made after the first paint, made now)
    win.server_panel  # noqa: B018
    yield win
    win.editing.stack.setClean()
    win.close()
    win.deleteLater()


PANELS = [
    "palette_panel",
    "flows_panel",
    "inspector",
    "problems_panel",
    "tests_panel",
    "editor",
    "xml_view",
    "dial_pad",
    "call_log_panel",
    "endpoint_panel",
    "server_panel",
    "request_log",
    "simulator",
    "getting_started",
    "switch_editor",
    "flow_map",
]


def test_the_check_sees_unnamed_controls(qtbot):
    """The walk finds a control without names (so the tests above can fail)."""
    root = QWidget()
    qtbot.addWidget(root)
    QPushButton("Go", root)
    assert len(controls(root)) == 1
    with pytest.raises(AssertionError, match="without an objectName"):
        assert_findable(root)


@pytest.mark.parametrize("panel", PANELS)
def test_every_control_of_every_panel_is_findable(window, panel):
    root = getattr(window, panel)
    if isinstance(root, INTERACTIVE):  # a panel that is itself one control (the editor)
        assert root.objectName() and root.accessibleName(), panel
    assert_findable(root)
