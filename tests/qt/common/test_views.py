"""ActivatesRows: Enter or a double-click activates a row; a single click only selects it."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QTableView, QTreeView

from gui.qt.common.views import ActivatesRows


class Tree(ActivatesRows, QTreeView):
    """A tree view that activates rows."""


class Table(ActivatesRows, QTableView):
    """A table view that activates rows."""


@pytest.fixture(params=[Tree, Table], ids=["tree", "table"])
def view(request, qtbot):
    view = request.param()
    qtbot.addWidget(view)
    model = QStandardItemModel(view)
    for text in ("first", "second", "third"):
        model.appendRow([QStandardItem(text), QStandardItem(text.upper())])
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def centre(view, row: int):
    return view.visualRect(view.model().index(row, 0)).center()


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_activates_the_current_row(qtbot, view, key):
    view.setFocus()
    view.setCurrentIndex(view.model().index(1, 1))
    with qtbot.waitSignal(view.row_activated, timeout=1000) as blocker:
        QTest.keyClick(view, key)
    assert blocker.args[0].row() == 1 and blocker.args[0].data() == "SECOND"


def test_a_single_click_only_selects_and_a_double_click_activates(qtbot, view):
    viewport = view.viewport()
    with qtbot.assertNotEmitted(view.row_activated):
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre(view, 2))
    assert view.currentIndex().row() == 2
    assert [i.row() for i in view.selectionModel().selectedRows()] == [2]
    with qtbot.waitSignal(view.row_activated, timeout=1000) as blocker:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre(view, 0))
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre(view, 0))
    assert blocker.args[0].row() == 0 and blocker.args[0].data() == "first"


def test_other_keys_still_reach_the_view_and_enter_needs_a_current_row(qtbot, view):
    view.setFocus()
    view.selectionModel().clearCurrentIndex()
    with qtbot.assertNotEmitted(view.row_activated):
        QTest.keyClick(view, Qt.Key.Key_Return)  # no current row: nothing to activate
    view.setCurrentIndex(view.model().index(0, 0))
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
