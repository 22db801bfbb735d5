"""The switch editor's suggested parameters: CarrierX's request fields, each saying what it
holds, the Twilio names no CarrierX documentation shows marked [assumed], and a chosen one
committed as its plain name (the mark is in the tooltip, never in the parameter)."""

import pytest
from PySide6.QtCore import Qt

from gui.core.project import Project
from gui.core.project_file import read_project
from gui.qt.designer.editing import Editing
from gui.qt.designer.switch_editor import SwitchEditor
from tests.qt.designer.test_switch_editor import PROJECT, choose

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support grabbing the keyboard", extend=True
)

# CarrierX's documented request fields (cx_facts §10; the Requests page) a switch may use,
# and the Gather's results; the Dial's are Twilio's names [assumed].
DOCUMENTED = {
    "Digits",
    "From",
    "To",
    "OriginalFrom",
    "OriginalTo",
    "Direction",
    "CallerName",
    "ForwardedFrom",
    "CallSid",
    "CallStatus",
    "FinishKey",
}
ASSUMED = {"DialCallStatus", "DialCallDuration"}


@pytest.fixture
def editor(qtbot):
    widget = SwitchEditor(Editing(Project.from_contents(read_project(PROJECT))))
    qtbot.addWidget(widget)
    widget.set_switch("route")
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def _tips(editor) -> dict[str, str]:
    combo = editor.on_combo
    return {
        combo.itemText(i): combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
        for i in range(combo.count())
    }


def test_each_suggestion_says_what_it_holds_and_which_are_assumed(editor):
    tips = _tips(editor)
    assert set(tips) == DOCUMENTED | ASSUMED
    assert all(tips.values())
    assert {name for name, tip in tips.items() if "[assumed]" in tip} == ASSUMED
    assert "completed" in tips["CallStatus"] and "in-progress" not in tips["CallStatus"]
    assert "32 hex digits" in tips["CallSid"]
    assert "[assumed]" in editor.on_combo.toolTip()


def test_an_assumed_suggestion_is_committed_as_its_plain_name(editor, qtbot):
    choose(qtbot, editor.on_combo, "DialCallStatus")
    assert editor.editing.project.switch("route").on == "DialCallStatus"
    choose(qtbot, editor.on_combo, "ForwardedFrom")
    assert editor.editing.project.switch("route").on == "ForwardedFrom"
