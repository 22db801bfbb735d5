"""FlowItemModel follows the core tree's events and passes QAbstractItemModelTester."""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtTest import QAbstractItemModelTester

from gui.core.flexml import Node, lint, parse
from gui.qt.designer.flow_model import NODE_ROLE, PROBLEMS_ROLE, FlowItemModel

SOURCE = b"""<Response>
  <Say voice="woman" loop="2">For sales press 1, for support press 2, or stay on the line</Say>
  <Gather numDigits="1" action="flow:choice" timeout="8"><Say>Choose</Say></Gather>
  <Dial><Number>15162065318</Number></Dial>
  <Hangup/>
</Response>"""


def _model(qtbot):
    document = parse(SOURCE)
    model = FlowItemModel(document)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    return document, model, tester


def _rows(model, parent=None):
    parent = parent if parent is not None else QModelIndex()
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def test_rows_sum_up_each_verb(qtbot):
    _, model, _tester = _model(qtbot)
    assert _rows(model) == [
        'Say "For sales press 1, for support press 2, or stay on the line" (woman, twice)',
        "Gather 1 digit -> flow:choice (8 s)",
        "Dial 15162065318",
        "Hang up",
    ]
    gather = model.index(1, 0)
    assert _rows(model, gather) == ['Say "Choose"']
    assert model.parent(model.index(0, 0, gather)) == gather
    assert model.index(0, 0, gather).data(NODE_ROLE).tag == "Say"


def test_mutations_drive_rows_and_persistent_indexes_follow(qtbot):
    document, model, _tester = _model(qtbot)
    hangup = QPersistentModelIndex(model.index(3, 0))
    with qtbot.waitSignal(model.rowsInserted):
        document.insert(document.root, 0, Node("Pause", {"length": "2"}))
    assert _rows(model)[0] == "Pause 2 s"
    assert hangup.row() == 4
    gather = document.root.child(2)
    with qtbot.waitSignal(model.rowsMoved):
        document.move(document.root, 0, gather, 1)
    assert _rows(model, model.index(1, 0)) == ['Say "Choose"', "Pause 2 s"]
    assert hangup.row() == 3
    with qtbot.waitSignal(model.rowsMoved):
        document.move(document.root, 0, document.root, 2)  # Say to after Dial
    assert _rows(model)[2].startswith("Say")
    assert hangup.row() == 3
    with qtbot.waitSignal(model.dataChanged):
        document.set_attribute(document.root.child(1), "timeout", "20")
    assert _rows(model)[1] == "Dial 15162065318 (20 s)"
    with qtbot.waitSignal(model.rowsRemoved):
        document.remove(document.root, 3)
    assert not hangup.isValid()
    dial = document.root.child(1)
    with qtbot.waitSignal(model.dataChanged):
        document.insert(dial, 1, Node("Number", text="15162060000"))
    assert _rows(model)[1] == "Dial 2 numbers at once (20 s)"


def test_problems_mark_rows(qtbot):
    document, model, _tester = _model(qtbot)
    document.set_attribute(document.root.child(0), "loop", "500")
    with qtbot.waitSignal(model.dataChanged):
        model.set_problems(lint(document))
    problems = model.index(0, 0).data(PROBLEMS_ROLE)
    assert [p.code for p in problems] == ["out-of-range"]
    assert "out of range" in model.index(0, 0).data(3)  # ToolTipRole
    assert model.index(1, 0).data(PROBLEMS_ROLE) == []
