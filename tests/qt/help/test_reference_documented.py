"""F1 on the elements of CarrierX's later FlexML pages: the reference view lists them and
shows their pages, required attributes marked, from any letter case an import may bring."""

import pytest
from PySide6.QtCore import Qt

from gui.core.flexml.schema import SCHEMA
from gui.qt.common.verb_list import NAME_ROLE
from gui.qt.help.reference import ReferenceView

NEW = ["Sms", "Store", "Start", "Stop", "Connect", "Stream", "Parameter"]


@pytest.fixture
def view(qtbot):
    view = ReferenceView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_list_holds_them_with_icons(view):
    names = view.element_names()
    assert set(NEW) <= set(names)
    assert names.index("Sms") > names.index("Amd")  # after the verbs that were there
    for tag in NEW:
        index = view._proxy_index(tag)
        assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
        assert index.data(Qt.ItemDataRole.ToolTipRole) == SCHEMA[tag].description


@pytest.mark.parametrize("tag", NEW)
def test_f1_shows_each_page_from_any_spelling(view, tag):
    assert view.show_element(tag.lower()) is True
    assert view.current_element == tag
    assert view.list.currentIndex().data(NAME_ROLE) == tag
    page = view.browser.toPlainText()
    assert SCHEMA[tag].description in page
    for attr in SCHEMA[tag].attributes:
        assert attr.name in page


def test_the_pages_mark_what_is_required(view):
    view.show_element("Stream")
    page = view.browser.toPlainText()
    assert "Required inside Start or Connect" in page
    assert "nothing says which stream to stop" in page
    view.show_element("Store")
    assert "Required" in view.browser.toPlainText()
    view.show_element("Connect")
    assert "exactly one Stream" in view.browser.toPlainText()
    view.show_element("Dial")
    page = view.browser.toPlainText()
    assert "record and stream attributes on Dial" in page
    assert "trunk group" in page
