"""The problems panel counts, sorts, filters and activates problems; its model is sound."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester, QTest

from gui.core.flexml import Node, Problem, Severity, lint, parse
from gui.qt.designer.problems_panel import (
    PROBLEM_ROLE,
    ProblemsPanel,
    ProblemTableModel,
    count_text,
)

ERROR, WARNING = Severity.ERROR, Severity.WARNING
Columns = ProblemTableModel


def _problems() -> dict[str, list[Problem]]:
    return {
        "main": [
            Problem(ERROR, "out-of-range", "500 is out of range", line=4, path="/Response/Say[1]"),
            Problem(WARNING, "unreachable", "Nothing after Hangup runs", line=9),
        ],
        "menu": [
            Problem(ERROR, "unknown-element", "Bogus is not a FlexML element", line=2),
            Problem(WARNING, "note", "File-level note"),  # no line
        ],
        "empty": [],
    }


@pytest.fixture
def panel(qtbot):
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    QAbstractItemModelTester(panel.proxy, QAbstractItemModelTester.FailureReportingMode.Fatal)
    panel.resize(700, 300)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _column(panel, column: int) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_counts_in_the_header_line(panel):
    assert panel.summary.text() == "No problems"
    panel.set_problems(_problems())
    assert panel.summary.text() == "2 errors, 2 warnings"
    panel.set_problems({"main": _problems()["main"][:1]})
    assert panel.summary.text() == "1 error, 0 warnings"
    assert count_text([Problem(ERROR, "a", "b")] * 2 + [Problem(WARNING, "c", "d")]) == (
        "2 errors, 1 warning"
    )


def test_rows_show_severity_flow_line_code_and_message(panel):
    panel.set_problems(_problems())
    model = panel.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Severity",
        "Flow",
        "Line",
        "Code",
        "Message",
    ]
    first = [model.index(0, c).data() for c in range(5)]
    assert first == ["Error", "main", "4", "out-of-range", "500 is out of range"]
    assert model.index(3, Columns.LINE).data() == ""
    assert not model.index(0, Columns.SEVERITY).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "/Response/Say[1]" in model.index(0, Columns.MESSAGE).data(Qt.ItemDataRole.ToolTipRole)


def test_errors_are_red_and_warnings_amber(panel):
    panel.set_problems(_problems())
    error = panel.model.index(0, Columns.MESSAGE).data(Qt.ItemDataRole.ForegroundRole)
    warning = panel.model.index(1, Columns.MESSAGE).data(Qt.ItemDataRole.ForegroundRole)
    assert error.red() > 150 and error.red() > 2 * max(error.green(), error.blue())
    assert warning.red() > warning.green() > 2 * warning.blue()  # amber: red, some green
    base = panel.view.palette().color(panel.view.backgroundRole())
    for colour in (error, warning):  # readable on the background
        assert abs(QColor(colour).lightness() - base.lightness()) > 90


def test_sorted_by_severity_first_and_by_any_column_on_a_header_click(panel):
    panel.set_problems(_problems())
    assert _column(panel, Columns.SEVERITY) == ["Error", "Error", "Warning", "Warning"]
    assert _column(panel, Columns.FLOW) == ["main", "menu", "main", "menu"]  # stable

    header = panel.view.header()
    line_x = header.sectionViewportPosition(Columns.LINE) + header.sectionSize(Columns.LINE) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(line_x, 5))
    order = header.sortIndicatorOrder()
    lines = _column(panel, Columns.LINE)
    expected = ["2", "4", "9", ""] if order == Qt.SortOrder.AscendingOrder else ["", "9", "4", "2"]
    assert lines == expected
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(line_x, 5))
    assert _column(panel, Columns.LINE) == list(reversed(expected))

    panel.view.sortByColumn(Columns.CODE, Qt.SortOrder.AscendingOrder)
    assert _column(panel, Columns.CODE) == sorted(_column(panel, Columns.CODE))


def test_filter_shows_only_errors_or_warnings(panel):
    panel.set_problems(_problems())
    panel.filter.setCurrentIndex(panel.filter.findText("Errors"))
    assert _column(panel, Columns.SEVERITY) == ["Error", "Error"]
    panel.filter.setCurrentIndex(panel.filter.findText("Warnings"))
    assert _column(panel, Columns.SEVERITY) == ["Warning", "Warning"]
    assert panel.summary.text() == "2 errors, 2 warnings"  # the count is the project's
    panel.set_severity_filter(None)
    assert panel.proxy.rowCount() == 4
    panel.set_severity_filter(Severity.ERROR)
    assert panel.filter.currentText() == "Errors" and panel.proxy.rowCount() == 2
    panel.set_problems({"x": [Problem(WARNING, "w", "only a warning")]})
    assert panel.proxy.rowCount() == 0  # the filter outlives new problems


def _row_centre(panel, row: int):
    return panel.view.visualRect(panel.proxy.index(row, Columns.MESSAGE)).center()


def test_double_click_and_enter_emit_flow_and_problem(qtbot, panel):
    problems = _problems()
    panel.set_problems(problems)
    viewport = panel.view.viewport()
    with qtbot.waitSignal(panel.problem_activated) as blocker:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=_row_centre(panel, 1))
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=_row_centre(panel, 1))
    assert blocker.args[0] == "menu"
    assert blocker.args[1] is problems["menu"][0]

    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.proxy.index(2, 0))
    with qtbot.waitSignal(panel.problem_activated) as blocker:
        QTest.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == ["main", problems["main"][1]]


def test_a_single_click_only_selects(qtbot, panel):
    panel.set_problems(_problems())
    with qtbot.assertNotEmitted(panel.problem_activated):
        QTest.mouseClick(
            panel.view.viewport(), Qt.MouseButton.LeftButton, pos=_row_centre(panel, 0)
        )
    assert panel.view.currentIndex().row() == 0
    assert panel.view.currentIndex().data(PROBLEM_ROLE).code == "out-of-range"


def test_shows_real_lint_results(panel):
    document = parse(b"<Response>\n  <Say loop='500'>Hi</Say>\n  <Bogus/>\n</Response>")
    panel.set_problems({"bad": lint(document)})
    assert panel.summary.text() == "2 errors, 0 warnings"
    assert _column(panel, Columns.LINE) == ["2", "3"]
    assert _column(panel, Columns.CODE) == ["out-of-range", "unknown-element"]


def _signals(model) -> list[str]:
    seen: list[str] = []
    model.modelReset.connect(lambda: seen.append("reset"))
    model.rowsRemoved.connect(lambda _p, first, last: seen.append(f"removed {first}-{last}"))
    model.rowsInserted.connect(lambda _p, first, last: seen.append(f"inserted {first}-{last}"))
    model.dataChanged.connect(
        lambda top, bottom, _roles: seen.append(f"changed {top.row()}-{bottom.row()}")
    )
    return seen


def _nodes(panel) -> list:
    return [panel.model.row(row)[1].node for row in range(panel.model.rowCount())]


def test_only_the_rows_that_changed_are_replaced(panel):
    source = b'<Response><Say loop="500">a</Say><Say loop="600">b</Say></Response>'
    document = parse(source)
    panel.set_problems({"main": lint(document)})
    panel.view.setCurrentIndex(panel.proxy.index(1, 0))
    seen = _signals(panel.model)
    panel.set_problems({"main": lint(document)})  # equal problems, new objects
    assert seen == []
    assert panel.view.currentIndex().row() == 1  # the selection stays
    # Equal fields about other nodes: the rows are replaced, so activating one selects
    # the node it is about now.
    copy = parse(source)
    panel.set_problems({"main": lint(copy)})
    assert seen == ["removed 0-1", "inserted 0-1"]
    assert _nodes(panel) == [copy.root.child(0), copy.root.child(1)]
    seen.clear()
    copy.set_attribute(copy.root.child(0), "loop", "2")
    panel.set_problems({"main": lint(copy)})
    assert seen == ["removed 0-0"] and panel.summary.text() == "1 error, 0 warnings"
    # A verb put before: the problem is the same, at another path (in its tooltip).
    seen.clear()
    copy.insert(copy.root, 0, Node("Say", text="x"))
    panel.set_problems({"main": lint(copy)})
    assert seen == ["changed 0-0"]
    assert panel.model.row(0)[1].path == "/Response/Say[3]"
    assert "/Response/Say[3]" in panel.proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    seen.clear()
    panel.set_problems({"main": lint(copy)}, {"t": [Problem(ERROR, "x", "test")]})
    assert seen == ["inserted 1-1"] and panel.model.test_of(1) == "t"


def test_rows_after_any_changes_are_those_a_fresh_panel_shows(panel, qtbot):
    """Many updates, each replacing some rows: the rows, the tests they are about and the
    sorted view are those of a panel given the last problems at once."""
    import random

    rng = random.Random(7)
    pool = [
        Problem(rng.choice([ERROR, WARNING]), f"code-{i % 4}", f"message {i}", line=i)
        for i in range(40)
    ]
    for step in range(40):
        flows = {name: sorted(rng.sample(pool, rng.randrange(8)), key=pool.index) for name in "ab"}
        tests = {"t": rng.sample(pool, rng.randrange(3))} if rng.random() < 0.5 else None
        panel.set_problems(flows, tests)
        fresh = ProblemsPanel()  # a new one each time: given these problems at once
        qtbot.addWidget(fresh)
        order = Qt.SortOrder.DescendingOrder if step % 2 else Qt.SortOrder.AscendingOrder
        for view in (panel.view, fresh.view):  # sorted both ways
            view.sortByColumn(Columns.SEVERITY, order)
        fresh.set_problems(flows, tests)
        rows = panel.model.rowCount()
        assert [panel.model.row(r) for r in range(rows)] == [
            fresh.model.row(r) for r in range(rows)
        ]
        assert [panel.model.test_of(r) for r in range(rows)] == [
            fresh.model.test_of(r) for r in range(rows)
        ]
        assert rows == fresh.model.rowCount()
        for column in (Columns.FLOW, Columns.MESSAGE):  # rows in the order a fresh one shows
            assert _column(panel, column) == _column(fresh, column)
