"""The problems panel counts, sorts, filters and activates problems; its model is sound."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester, QTest

from gui.core.flexml import Problem, Severity, lint, parse
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
