"""InspectorPanel: a form generated from the schema that writes through Editing.

Real widgets, real keystrokes; every edit is checked on the exported XML and on the undo
stack. Decisions tested here: Say text longer than 1024 characters is still written (lint
reports it as text-too-long) so nothing typed or pasted is lost; the counter turns red. A
keystroke that makes a value invalid takes back what that typing wrote, so the attribute
keeps the value it had before (no half-typed value is left in the file, no Undo entry for
it); leaving a field with a refused value says "not applied: WHY": text fields keep the
text, spin boxes show the attribute's value again.
"""

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from gui.core.flexml import SCHEMA, Node, lint, parse, to_text
from gui.core.flexml.schema import Type
from gui.core.project import Project
from gui.qt.designer.editing import Editing
from gui.qt.designer.inspector import PLACEHOLDER, RESET_TIP, InspectorPanel

FLOW = b"""<Response>
  <Say voice="woman">Hello world</Say>
  <Gather numDigits="1"><Say>Press 1</Say></Gather>
  <Pause/>
  <Reject/>
</Response>"""

RED = "#c62828"


class Setup:
    def __init__(self, qtbot, source: bytes = FLOW) -> None:
        self.project = Project()
        self.project.add_flow("main", parse(source))
        self.project.add_flow("menu", parse(b"<Response><Hangup/></Response>"))
        self.editing = Editing(self.project)
        self.document = self.project.flow("main")
        self.panel = InspectorPanel(self.editing)
        qtbot.addWidget(self.panel)
        self.panel.set_flow_names(self.project.names)
        self.panel.resize(380, 640)
        self.panel.show()
        qtbot.waitExposed(self.panel)

    def select(self, *path: int) -> Node:
        node = self.document.root
        for index in path:
            node = node.child(index)
        self.panel.set_target(self.document, node)
        _settle()
        return node

    def xml(self) -> str:
        return to_text(self.document.root)

    def find(self, cls, name: str):
        return self.panel.findChild(cls, name)


@pytest.fixture
def setup(qtbot) -> Setup:
    return Setup(qtbot)


def _flush_deletes() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _settle() -> None:
    """Let Qt show a new form and lay it out, as the running application does."""
    for _ in range(3):
        QApplication.processEvents()


def _frame_is_red(widget: QWidget) -> bool:
    return RED in widget.parentWidget().styleSheet()


def _message(setup: Setup, name: str) -> QLabel:
    return setup.find(QLabel, f"message-{name}")


# -- Say text -----------------------------------------------------------------------------


def test_typing_say_text_writes_it_as_one_undo_command(setup, qtbot):
    say = setup.select(0)
    before = setup.xml()
    text = setup.panel.field(None)
    assert isinstance(text, QPlainTextEdit)
    text.moveCursor(text.textCursor().MoveOperation.End)
    qtbot.keyClicks(text, ", caller")
    assert say.text == "Hello world, caller"
    assert setup.editing.stack.count() == 1
    assert setup.find(QLabel, "text-counter").text() == "19 / 1024"
    setup.editing.stack.undo()
    assert setup.xml() == before
    assert text.toPlainText() == "Hello world"
    assert setup.editing.stack.count() == 1  # undo made no command of its own


def test_counter_turns_red_past_the_limit_and_long_text_is_still_written(setup, qtbot):
    say = setup.select(0)
    text = setup.panel.field(None)
    counter = setup.find(QLabel, "text-counter")
    text.selectAll()
    text.insertPlainText("a" * 1020)  # what a paste does
    assert counter.text() == "1020 / 1024"
    assert RED not in counter.styleSheet()
    qtbot.keyClicks(text, "bcdef")
    assert counter.text() == "1025 / 1024 · 1 over the limit"
    assert RED in counter.styleSheet()
    assert len(say.text) == 1025  # written anyway: lint reports it, nothing typed is lost
    assert "text-too-long" in {p.code for p in lint(setup.document)}
    qtbot.keyClick(text, Qt.Key.Key_Backspace)
    assert counter.text() == "1024 / 1024" and RED not in counter.styleSheet()


# -- attribute widgets ----------------------------------------------------------------------


def test_spin_box_range_comes_from_the_schema_and_typing_writes(setup, qtbot):
    say = setup.select(0)
    loop = setup.panel.field("loop")
    assert isinstance(loop, QSpinBox)
    assert (loop.minimum(), loop.maximum()) == (0, 100)
    assert setup.panel.field("loopPause").maximum() == 300
    assert loop.lineEdit().text() == "" and loop.lineEdit().placeholderText() == "1 (default)"
    qtbot.keyClicks(loop, "70")
    assert say.attrs["loop"] == "70"
    assert setup.editing.stack.count() == 1
    qtbot.keyClicks(loop, "0")  # 700 is past the maximum: it stays, refused with the range
    assert loop.lineEdit().text() == "700"
    assert _message(setup, "loop").text() == (
        "'700' is out of range: allowed 0 to 100 — not saved until it is valid"
    )
    assert _frame_is_red(loop)
    assert "loop" not in say.attrs  # what typing 7 and 70 wrote is taken back
    assert setup.editing.stack.count() == 0  # with its undo command
    qtbot.keyClick(loop, Qt.Key.Key_Backspace)
    assert say.attrs["loop"] == "70" and _message(setup, "loop").isHidden()
    assert setup.editing.stack.count() == 1
    setup.select(2)
    length = setup.panel.field("length")
    assert length.minimum() == 1 and length.maximum() == 2**31 - 1  # no maximum: a large bound


def test_number_below_the_minimum_is_not_written_and_leaving_restores(setup, qtbot):
    pause = setup.select(2)
    length = setup.panel.field("length")
    length.setFocus()
    qtbot.keyClicks(length, "0")
    assert "length" not in pause.attrs
    assert "out of range: allowed 1 or more" in _message(setup, "length").text()
    assert "not saved until it is valid" in _message(setup, "length").text()
    assert _frame_is_red(length)
    length.clearFocus()  # editingFinished: Qt drops the unfinished number
    assert length.lineEdit().text() == ""
    assert _message(setup, "length").text() == (
        "not applied: '0' is out of range: allowed 1 or more"
    )
    assert not _frame_is_red(length)  # what it shows now (not set) is valid
    assert "length" not in pause.attrs and setup.editing.stack.count() == 0


def test_500_where_100_is_the_most_is_refused_and_the_old_value_kept(qtbot):
    setup = Setup(qtbot, b'<Response><Say loop="3">Hi</Say></Response>')
    say = setup.select(0)
    setup.editing.stack.setClean()  # as after a save
    loop = setup.panel.field("loop")
    loop.setFocus()
    loop.selectAll()
    qtbot.keyClicks(loop, "500")  # 5 and 50 are written on the way, 500 is not
    assert loop.lineEdit().text() == "500"  # not cut to 50
    message = _message(setup, "loop")
    assert message.text() == "'500' is out of range: allowed 0 to 100 — not saved until it is valid"
    assert "allowed 0 to 100" in loop.toolTip() and _frame_is_red(loop)
    assert say.attrs["loop"] == "3" and 'loop="3"' in setup.xml()
    assert setup.editing.stack.count() == 0 and setup.editing.stack.isClean()
    setup.panel.field("voice").setFocus()  # leaving: the attribute's value is shown again
    assert loop.lineEdit().text() == "3" and loop.value() == 3
    assert message.isVisible()
    assert message.text() == "not applied: '500' is out of range: allowed 0 to 100"
    assert not _frame_is_red(loop)
    loop.setFocus()
    loop.selectAll()
    qtbot.keyClicks(loop, "50")  # typing again: the note goes, the value is written
    assert say.attrs["loop"] == "50" and message.isHidden()
    assert setup.editing.stack.count() == 1


def test_a_refused_value_is_kept_in_a_text_field_and_said_not_applied_when_left(setup, qtbot):
    gather = setup.select(1)
    action = setup.panel.field("action")
    action.setFocus()
    qtbot.keyClicks(action, "flow:later")  # no such flow yet
    assert "action" not in gather.attrs
    message = _message(setup, "action")
    assert message.text().endswith("— not saved until it is valid")
    setup.panel.field("method").setFocus()
    assert action.currentText() == "flow:later"  # kept, to be fixed or saved later
    assert message.text().startswith("not applied: ") and "does not have" in message.text()
    assert _frame_is_red(action) and "not applied: " in action.toolTip()
    setup.panel.set_flow_names(["later", "main", "menu"])  # the flow is made: saved now
    assert gather.attrs["action"] == "flow:later" and message.isHidden()


def test_undo_after_a_field_was_left_clears_its_note(qtbot):
    setup = Setup(qtbot, b'<Response><Pause length="2"/></Response>')
    pause = setup.select(0)
    length = setup.panel.field("length")
    length.setFocus()
    length.selectAll()
    qtbot.keyClicks(length, "4")
    setup.panel.field("silence").setFocus()
    length.setFocus()
    length.selectAll()
    qtbot.keyClicks(length, "0")
    setup.panel.field("silence").setFocus()
    assert _message(setup, "length").text().startswith("not applied: '0'")
    assert pause.attrs["length"] == "4"
    setup.editing.stack.undo()  # a new value from elsewhere: the note is about the past
    assert pause.attrs["length"] == "2" and length.lineEdit().text() == "2"
    assert _message(setup, "length").isHidden()


def test_arrows_step_from_the_default(setup, qtbot):
    gather = setup.select(1)
    timeout = setup.panel.field("timeout")
    timeout.stepUp()
    assert gather.attrs["timeout"] == "6"  # the default is 5


def test_enum_combo_marks_the_default_and_keys_pick_values(setup, qtbot):
    reject = setup.select(3)
    reason = setup.panel.field("reason")
    assert isinstance(reason, QComboBox) and not reason.isEditable()
    labels = [reason.itemText(i) for i in range(reason.count())]
    assert labels[:2] == ["rejected (default)", "busy"]
    assert reason.currentIndex() == -1 and reason.placeholderText() == "rejected (default)"
    reason.setFocus()
    qtbot.keyClick(reason, Qt.Key.Key_Down)
    qtbot.keyClick(reason, Qt.Key.Key_Down)
    assert reject.attrs["reason"] == "busy"
    assert setup.editing.stack.count() == 2  # picks are separate gestures, not typing


def test_voice_combo_is_editable_for_polly_voices(setup, qtbot):
    say = setup.select(0)
    voice = setup.panel.field("voice")
    assert voice.isEditable()
    assert [voice.itemText(i) for i in range(voice.count())] == ["man (default)", "woman"]
    voice.lineEdit().selectAll()
    qtbot.keyClicks(voice, "Polly.Joanna")
    assert say.attrs["voice"] == "Polly.Joanna"
    assert setup.editing.stack.count() == 1
    voice.setFocus()
    qtbot.keyClick(voice, Qt.Key.Key_Down)  # picks the first item, "man (default)"
    assert voice.currentText() == "man" and say.attrs["voice"] == "man"
    assert setup.editing.stack.count() == 2


def test_checkbox_writes_true_and_false(setup, qtbot):
    pause = setup.select(2)
    silence = setup.panel.field("silence")
    assert isinstance(silence, QCheckBox)
    assert silence.text() == "false (default)" and not silence.isChecked()
    box = QPoint(6, silence.height() // 2)  # the box itself
    qtbot.mouseClick(silence, Qt.MouseButton.LeftButton, pos=box)
    assert pause.attrs["silence"] == "true" and silence.text() == "true"
    qtbot.mouseClick(silence, Qt.MouseButton.LeftButton, pos=box)
    assert pause.attrs["silence"] == "false"
    assert setup.editing.stack.count() == 2


def test_reset_removes_the_attribute_from_the_xml(setup, qtbot):
    say = setup.select(0)
    before = setup.xml()
    reset = setup.find(QToolButton, "reset-voice")
    assert reset.toolTip() == RESET_TIP and reset.isEnabled()
    assert not setup.find(QToolButton, "reset-loop").isEnabled()
    qtbot.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert 'voice="' not in setup.xml() and "voice" not in say.attrs
    assert not reset.isEnabled()
    voice = setup.panel.field("voice")
    assert voice.currentText() == "" and voice.lineEdit().placeholderText() == "man (default)"
    setup.editing.stack.undo()
    assert setup.xml() == before and voice.currentText() == "woman" and reset.isEnabled()


def test_invalid_url_is_not_written_and_says_why(setup, qtbot):
    gather = setup.select(1)
    action = setup.panel.field("action")
    qtbot.keyClicks(action, "ftp://example.com/x")
    assert gather.attrs.get("action") != "ftp://example.com/x"
    message = _message(setup, "action")
    assert message.isVisible()
    assert "only http and https URLs" in message.text()
    assert "only http and https URLs" in action.toolTip()
    assert _frame_is_red(action)
    action.lineEdit().selectAll()
    qtbot.keyClicks(action, "https://example.com/next")
    assert gather.attrs["action"] == "https://example.com/next"
    assert message.isHidden() and not _frame_is_red(action)


def test_digits_field_validates_while_typing(setup, qtbot):
    gather = setup.select(1)
    digits = setup.panel.field("validDigits")
    assert isinstance(digits, QLineEdit)
    assert digits.placeholderText() == "not set"
    qtbot.keyClicks(digits, "12x")
    assert "validDigits" not in gather.attrs  # 1 and 12 were written, then taken back
    assert digits.text() == "12x"
    assert "other than the keys 0-9" in _message(setup, "validDigits").text()
    qtbot.keyClick(digits, Qt.Key.Key_Backspace)
    assert gather.attrs["validDigits"] == "12"
    assert setup.editing.stack.count() == 1


def test_flow_picker_lists_the_project_flows(setup, qtbot):
    gather = setup.select(1)
    action = setup.panel.field("action")
    assert [action.itemText(i) for i in range(action.count())] == ["flow:main", "flow:menu"]
    action.setFocus()
    qtbot.keyClick(action, Qt.Key.Key_Down)
    assert gather.attrs["action"] == "flow:main"
    action.lineEdit().selectAll()
    qtbot.keyClicks(action, "flow:later")
    assert gather.attrs["action"] != "flow:later"
    assert "does not have" in _message(setup, "action").text()
    # The flow is created: the refused reference is valid now, and saved.
    setup.panel.set_flow_names(["later", "main", "menu"])
    assert action.itemText(0) == "flow:later" and action.currentText() == "flow:later"
    assert gather.attrs["action"] == "flow:later"
    assert _message(setup, "action").isHidden()


# -- following the document ---------------------------------------------------------------


def test_undo_from_outside_updates_the_form_without_commands(setup, qtbot):
    say = setup.select(0)
    loop = setup.panel.field("loop")
    qtbot.keyClicks(loop, "3")
    setup.editing.break_merge()
    text = setup.panel.field(None)
    cursor = text.textCursor()
    cursor.setPosition(5)
    text.setTextCursor(cursor)
    qtbot.keyClicks(text, ",")
    assert say.text == "Hello, world" and text.textCursor().position() == 6
    assert setup.editing.stack.count() == 2
    setup.editing.stack.undo()
    assert text.toPlainText() == "Hello world"
    assert text.textCursor().position() == 6  # where it was, not at the start or the end
    setup.editing.stack.undo()
    assert loop.lineEdit().text() == "" and "loop" not in say.attrs
    setup.editing.stack.redo()
    assert loop.value() == 3 and loop.lineEdit().text() == "3"
    assert setup.editing.stack.count() == 2


def test_a_change_elsewhere_leaves_the_field_being_typed_alone(setup, qtbot):
    say = setup.select(0)
    language = setup.panel.field("language")
    qtbot.keyClicks(language, "en-US")
    language.setCursorPosition(2)
    setup.editing.set_attribute(setup.document, say, "loop", "4")
    assert setup.panel.field("loop").lineEdit().text() == "4"
    assert language.text() == "en-US" and language.cursorPosition() == 2
    qtbot.keyClicks(language, "x")  # after another edit: a new command, not merged into it
    assert say.attrs["language"] == "enx-US"
    assert setup.editing.stack.count() == 3


def test_leaving_a_field_ends_its_undo_command(setup, qtbot):
    say = setup.select(0)
    language = setup.panel.field("language")
    language.setFocus()
    qtbot.keyClicks(language, "en")
    setup.panel.field("voice").setFocus()
    language.setFocus()
    qtbot.keyClicks(language, "-US")
    assert say.attrs["language"] == "en-US"
    assert setup.editing.stack.count() == 2


def test_switching_nodes_rebuilds_only_then(setup, qtbot):
    setup.select(0)
    voice = setup.panel.field("voice")
    setup.select(0)
    assert setup.panel.field("voice") is voice  # same node: the same form
    setup.select(1)
    _flush_deletes()
    assert setup.panel.field("voice") is None
    assert isinstance(setup.panel.field("action"), QComboBox)
    assert setup.find(QLabel, "path").text() == "/Response/Gather[1]"
    setup.panel.set_target(None, None)
    _flush_deletes()
    assert setup.panel.field("action") is None
    assert setup.panel.findChild(QLabel).text() == PLACEHOLDER


def test_path_follows_moves_and_removal_disables_the_form(setup, qtbot):
    pause = setup.select(2)
    root, gather = setup.document.root, setup.document.root.child(1)
    path = setup.find(QLabel, "path")
    assert path.text() == "/Response/Pause[1]"
    setup.editing.edit("Move", lambda: setup.document.move(root, 2, gather, 0))
    assert path.text() == "/Response/Gather[1]/Pause[1]"
    setup.editing.edit("Delete", lambda: setup.document.remove(pause.parent, pause.index()))
    assert path.text() == "(removed from the flow)"
    assert not setup.panel.field("length").isEnabled()
    setup.editing.stack.undo()
    assert path.text() == "/Response/Gather[1]/Pause[1]" and setup.panel.field("length").isEnabled()


def test_values_from_the_file_that_lint_refuses_are_shown_with_its_message(qtbot):
    setup = Setup(qtbot, b'<Response><Say loop="2x" voice="robot">Hi</Say></Response>')
    say = setup.select(0)
    loop = setup.panel.field("loop")
    assert loop.lineEdit().text() == "2x"
    assert _message(setup, "loop").text() == "'2x' is not a whole number"
    assert _frame_is_red(loop)
    assert setup.panel.field("voice").currentText() == "robot"
    assert "is not a voice" in _message(setup, "voice").text()
    assert setup.editing.stack.count() == 0
    loop.lineEdit().end(False)
    qtbot.keyClick(loop, Qt.Key.Key_Backspace)  # edited into a number, it is written
    assert say.attrs["loop"] == "2" and not _frame_is_red(loop)


def test_tooltips_carry_the_description_and_assumptions(setup):
    setup.select(1)
    timeout = setup.panel.field("timeout")
    assert "Seconds to wait for a key" in timeout.toolTip()
    assert "(assumed from TwiML)" in timeout.toolTip()
    assert "Default: 5" in timeout.toolTip()
    setup.select(2)
    assert 'when silence="true"' in setup.panel.field("minSilence").toolTip()
    setup.select(3)
    assert "assumed" not in setup.panel.field("reason").toolTip()


def test_unknown_attributes_are_listed_read_only_and_can_be_removed(qtbot):
    setup = Setup(qtbot, b'<Response><Say foo="bar" voice="man">Hi</Say></Response>')
    say = setup.select(0)
    other = setup.find(QLineEdit, "other-foo")
    assert other.isReadOnly() and other.text() == "bar"
    qtbot.mouseClick(setup.find(QToolButton, "remove-foo"), Qt.MouseButton.LeftButton)
    assert say.attrs == {"voice": "man"}
    _flush_deletes()
    assert setup.find(QLineEdit, "other-foo") is None
    setup.editing.stack.undo()
    assert say.attrs == {"foo": "bar", "voice": "man"}
    assert setup.find(QLineEdit, "other-foo").text() == "bar"


def test_comments_are_edited_as_text_and_checked(qtbot):
    setup = Setup(qtbot, b"<Response><!-- note --><Hangup/></Response>")
    comment = setup.select(0)
    text = setup.panel.field(None)
    text.moveCursor(text.textCursor().MoveOperation.End)
    qtbot.keyClicks(text, "s")
    assert comment.text == " note s"
    qtbot.keyClicks(text, "-")
    assert comment.text == " note "  # a comment cannot end with -: the typing is taken back
    assert text.toPlainText() == " note s-"
    assert "end with -" in _message(setup, "text").text()
    qtbot.keyClicks(text, "x")
    assert comment.text == " note s-x"
    assert _message(setup, "text").isHidden()
    qtbot.keyClicks(text, "--")
    assert comment.text == " note "
    assert setup.editing.stack.count() == 0


def test_unknown_elements_are_shown_read_only(qtbot):
    setup = Setup(qtbot, b'<Response><Conference room="a">sales</Conference></Response>')
    setup.select(0)
    assert setup.panel.field(None) is None
    assert setup.find(QLineEdit, "other-room").isReadOnly()
    assert setup.find(QLineEdit, "other-text").text() == "sales"


def test_tab_order_follows_the_form(setup, qtbot):
    setup.select(1)
    fields = [setup.panel.field(a.name) for a in SCHEMA["Gather"].attributes]
    resets = [setup.find(QToolButton, f"reset-{a.name}") for a in SCHEMA["Gather"].attributes]
    expected = [w for pair in zip(fields, resets, strict=True) for w in pair]
    chain, widget = [], fields[0]
    for _ in range(1000):
        if widget in expected and widget not in chain:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == expected


def test_a_narrow_panel_puts_every_field_under_its_label(setup):
    setup.select(1)
    layout = setup.panel.findChild(QFormLayout)
    assert layout.rowWrapPolicy() is QFormLayout.RowWrapPolicy.DontWrapRows
    setup.panel.resize(200, 640)
    assert layout.rowWrapPolicy() is QFormLayout.RowWrapPolicy.WrapAllRows
    setup.panel.resize(400, 640)
    assert layout.rowWrapPolicy() is QFormLayout.RowWrapPolicy.DontWrapRows


def test_the_wheel_scrolls_the_form_instead_of_changing_an_unfocused_spin_box(qtbot):
    setup = Setup(qtbot, b"<Response><Pause length='3'/></Response>")
    setup.select(0)
    length = setup.panel.field("length")
    center = QPointF(length.rect().center())
    event = QWheelEvent(
        center,
        QPointF(length.mapToGlobal(length.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(length, event)
    assert setup.document.root.child(0).attrs["length"] == "3"


def test_a_deleted_panel_stops_listening(qtbot):
    document = parse(b"<Response><Say>Hi</Say></Response>")
    project = Project()
    project.add_flow("main", document)
    panel = InspectorPanel(Editing(project))
    panel.set_target(document, document.root.child(0))
    panel.deleteLater()
    _flush_deletes()
    document.set_text(document.root.child(0), "Bye")  # no error from the dead panel
    assert document.changed._listeners == []


# -- every element --------------------------------------------------------------------------

EXPECTED_WIDGET = {
    Type.INT: QSpinBox,
    Type.BOOL: QCheckBox,
    Type.ENUM: QComboBox,
    Type.VOICE: QComboBox,
    Type.METHOD: QComboBox,
    Type.URL: QComboBox,
}


@pytest.mark.parametrize("tag", list(SCHEMA))
def test_every_element_gets_a_widget_for_every_attribute(setup, tag):
    spec = SCHEMA[tag]
    node = Node(tag)
    if tag == "Response":
        document = setup.document
        node = document.root
    else:
        setup.editing.edit("Insert", lambda: setup.document.insert(setup.document.root, 0, node))
    setup.panel.set_target(setup.document, node)
    _flush_deletes()
    for attr in spec.attributes:
        widget = setup.panel.field(attr.name)
        assert isinstance(widget, EXPECTED_WIDGET.get(attr.type, QLineEdit)), attr.name
        assert attr.description in widget.toolTip()
        assert setup.find(QToolButton, f"reset-{attr.name}") is not None
        assert not setup.find(QToolButton, f"reset-{attr.name}").isEnabled()
        if attr.type is Type.INT:
            assert widget.minimum() == attr.minimum
            assert widget.maximum() == (attr.maximum if attr.maximum is not None else 2**31 - 1)
        if attr.type in (Type.ENUM, Type.METHOD, Type.VOICE) and attr.default is not None:
            labels = [widget.itemText(i) for i in range(widget.count())]
            assert f"{attr.default} (default)" in labels
    text = setup.panel.field(None)
    assert (text is not None) == spec.text.allowed
    if spec.text.allowed and spec.text.type is Type.STRING:
        assert isinstance(text, QPlainTextEdit)
    assert setup.editing.stack.count() == (0 if tag == "Response" else 1)  # building writes nothing


def test_a_refused_edit_keeps_the_typed_text_and_says_why(setup, qtbot):
    say = setup.select(0)
    setup.document.remove(setup.document.root, 0)  # gone, behind the panel's back
    _settle()
    language = setup.panel.field("language")
    assert not language.isEnabled()
    widget = language
    while widget is not setup.panel:  # were it still editable, the core would refuse the edit
        widget.setEnabled(True)
        widget = widget.parentWidget()
    qtbot.keyClicks(language, "en")
    assert "language" not in say.attrs and language.text() == "en"
    assert "not part of this flow" in _message(setup, "language").text()
    assert setup.editing.stack.count() == 0


def test_a_dial_takes_a_sip_uri_and_its_text_tip_says_trunk_group(qtbot):
    setup = Setup(qtbot, b"<Response><Dial>15551234567</Dial></Response>")
    dial = setup.select(0)
    text = setup.panel.field(None)
    assert isinstance(text, QLineEdit)
    assert "trunk group" in text.toolTip()
    text.selectAll()
    qtbot.keyClicks(text, "sip:alice@pbx.example.com")
    assert dial.text == "sip:alice@pbx.example.com"
