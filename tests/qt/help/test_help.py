"""Help: About with copyable versions, the Getting started panel's steps and its setting,
and the FlexML reference view (list, filter, pages, links)."""

import shutil

import PySide6
import pytest
from lxml import etree
from PySide6.QtCore import QPoint, QSettings, Qt, QUrl, qVersion
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from gui import __version__
from gui.core.flexml.reference import reference_index
from gui.core.flexml.schema import SCHEMA
from gui.qt.common.settings import SettingsStore
from gui.qt.common.verb_list import NAME_ROLE
from gui.qt.help.about import DOCS_URL, QUICK_START_URL, AboutDialog, readme_path, version_details
from gui.qt.help.getting_started import SHOW_AT_START, GettingStartedPanel, should_show_at_start
from gui.qt.help.reference import ReferenceDialog, ReferenceView, link_target
from tests.conftest import ROOT

INI = QSettings.Format.IniFormat
ALL = [tag for tag, _ in reference_index()]

# -- About ---------------------------------------------------------------------------------


@pytest.fixture
def about(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_about_shows_the_version_links_and_licence(about):
    assert about.title.text() == f"FlexML Studio {__version__}"
    links = about.links.text()
    assert DOCS_URL in links and QUICK_START_URL in links
    assert about.links.openExternalLinks()
    assert readme_path() == ROOT / "README.md"  # a source checkout: the README is linked
    assert QUrl.fromLocalFile(str(ROOT / "README.md")).toString() in links
    texts = [label.text() for label in about.findChildren(QLabel)]
    assert "Released under the MIT licence." in texts


def test_copy_details_puts_the_versions_on_the_clipboard(about, qtbot):
    details = about.details.text()
    for expected in (
        f"FlexML Studio {__version__}",
        f"Qt {qVersion()}",
        f"PySide6 {PySide6.__version__}",
        f"lxml {etree.__version__}",
        "Python 3.",
    ):
        assert expected in details
    QGuiApplication.clipboard().setText("")
    qtbot.mouseClick(about.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == version_details() == details
    assert about.copy_button.text() == "Copied"


# -- Getting started -----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    return SettingsStore(QSettings(str(tmp_path / "settings.ini"), INI))


@pytest.fixture
def panel(qtbot, store):
    panel = GettingStartedPanel(store)
    qtbot.addWidget(panel)
    panel.resize(400, 700)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.mark.parametrize(
    ("button", "signal"),
    [
        ("simulate", "simulate_requested"),
        ("dial-pad", "dial_pad_requested"),
        ("requests", "requests_requested"),
        ("endpoint", "endpoint_requested"),
        ("server", "server_requested"),
    ],
)
def test_each_step_button_asks_the_host(panel, qtbot, button, signal):
    widget = panel.buttons[button]
    assert widget.toolTip()
    with qtbot.waitSignal(getattr(panel, signal), timeout=1000):
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_the_steps_point_at_the_sandbox_and_fit_a_narrow_dock(panel):
    labels = [label.text() for label in panel.findChildren(QLabel)]
    text = "\n".join(labels)
    for words in ("Sandbox", "F5", "Ctrl+Shift+D", "Ctrl+Alt+E", "Ctrl+Alt+S", "account"):
        assert words in text
    assert [str(n) for n in range(1, 6)] == [w for w in labels if w.isdigit()]
    assert panel.minimumSizeHint().width() <= 400
    assert panel.dont_show.toolTip()


def test_the_steps_speak_of_the_sample_only_while_it_is_open(panel):
    first, second = panel.texts[0], panel.texts[1]
    assert panel.sample_open  # a first start opens the sample
    assert panel.titles[0].text() == "Edit the sample"
    assert first.text().startswith("The sample project is open: Hello World")
    assert "Inspector comes forward" in first.text()  # true: choosing a verb brings it
    assert "press a key (1 or 2)" in second.text()  # the sample's menu
    panel.set_sample_open(False)  # the user's own project (or a new one)
    assert panel.titles[0].text() == "Edit a flow"
    assert "sample" not in first.text().lower() and "Hello World" not in first.text()
    assert "Inspector comes forward" in first.text()
    assert "1 or 2" not in second.text() and "When a Gather asks" in second.text()
    labels = "\n".join(label.text() for label in panel.findChildren(QLabel))
    assert "sample" not in labels.lower()
    panel.set_sample_open(True)
    assert first.text().startswith("The sample project is open")
    assert panel.titles[0].text() == "Edit the sample"


def test_dont_show_persists_and_decides_the_next_start(panel, store, qtbot, tmp_path):
    assert should_show_at_start(store) is True  # a first start
    assert not panel.dont_show.isChecked()
    box = panel.dont_show  # stretched across the panel: click its box, not the middle
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert store.get(SHOW_AT_START) is False
    assert should_show_at_start(store) is False
    assert store.sync()
    copy = tmp_path / "copy.ini"  # a copy: Qt caches a file's values per process by name
    shutil.copyfile(tmp_path / "settings.ini", copy)
    reopened = SettingsStore(QSettings(str(copy), INI))
    assert should_show_at_start(reopened) is False
    again = GettingStartedPanel(reopened)
    qtbot.addWidget(again)
    assert again.dont_show.isChecked()
    again.dont_show.setChecked(False)
    assert should_show_at_start(reopened) is True


def test_the_default_store_starts_by_showing_it():
    assert should_show_at_start(SettingsStore()) is True


# -- the FlexML reference ------------------------------------------------------------------


@pytest.fixture
def view(qtbot):
    view = ReferenceView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def click_row(view, tag, qtbot):
    index = view._proxy_index(tag)
    assert index.isValid()
    rect = view.list.visualRect(index)
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def click_link(view, text, qtbot):
    """Click the first link whose text is `text` in the page, as a user would."""
    browser = view.browser
    found = browser.document().find(text)
    assert not found.isNull()
    cursor = QTextCursor(browser.document())
    cursor.setPosition(found.selectionStart() + 1)
    assert browser.anchorAt(browser.cursorRect(cursor).center()) == f"#{text}"
    point = browser.cursorRect(cursor).center()
    QTest.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_lists_every_element_and_starts_on_the_index(view):
    assert view.element_names() == ALL
    assert set(ALL) == set(SCHEMA)
    assert view.current_element is None
    page = view.browser.toPlainText()
    assert "FlexML reference" in page
    for tag in ALL:
        index = view._proxy_index(tag)
        assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
        assert index.data(Qt.ItemDataRole.ToolTipRole) == SCHEMA[tag].description


def test_filtering_narrows_the_list(view, qtbot):
    qtbot.keyClicks(view.filter, "DIGITS")
    names = view.element_names()
    assert "Gather" in names and 0 < len(names) < len(ALL)
    assert all("digit" in f"{n} {SCHEMA[n].description}".lower() for n in names)
    view.filter.setText("nothing matches this")
    assert view.element_names() == []
    view.filter.clear()
    assert view.element_names() == ALL


def test_selecting_an_element_shows_its_page(view, qtbot):
    click_row(view, "Gather", qtbot)
    assert view.current_element == "Gather"
    page = view.browser.toPlainText()
    assert "numDigits" in page
    assert SCHEMA["Gather"].attribute("numDigits").description in page
    assert "Collect keypad digits" in page
    assert "<Gather>" in page  # the example, as text


def test_clicking_a_link_navigates_and_back_returns(view, qtbot):
    view.show_element("Gather")
    with qtbot.waitSignal(view.element_shown, timeout=1000) as shown:
        click_link(view, "Say", qtbot)
    assert shown.args == ["Say"]
    assert view.current_element == "Say"
    assert view.list.currentIndex().data(NAME_ROLE) == "Say"
    assert "1 to 1024 characters" in view.browser.toPlainText()
    view.browser.setSource(QUrl("#Play"))  # the other way in: setSource
    assert view.current_element == "Play"
    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert view.current_element == "Say"
    view.back()
    assert view.current_element == "Gather"
    view.back()
    assert view.current_element is None
    assert not view.back_button.isEnabled()


def test_show_element_for_f1(view):
    assert view.show_element("gather") is True  # any letter case, as imported
    assert view.current_element == "Gather"
    assert view.show_element("#comment") is False  # a comment: the index
    assert view.current_element is None
    assert view.show_element("Conference") is False
    assert view.show_element(None) is True
    view.filter.setText("record")
    assert view.show_element("Say") is True  # filtered out: the filter is cleared
    assert view.filter.text() == ""
    assert view.list.currentIndex().data(NAME_ROLE) == "Say"


def test_filtering_keeps_the_page(view, qtbot):
    view.show_element("Say")
    view.filter.setText("digit")
    assert view.current_element == "Say"
    assert not view.list.currentIndex().isValid()  # Say is not listed: no row is current
    qtbot.keyClick(view.filter, Qt.Key.Key_Return)  # Enter shows the first listed
    assert view.current_element == view.element_names()[0]


def test_links_only_name_elements():
    assert link_target(QUrl("#Say")) == "Say"
    assert link_target(QUrl("#say")) == "Say"
    assert link_target(QUrl("#Nothing")) is None
    assert link_target(QUrl(DOCS_URL)) is None
    assert link_target(QUrl("other.html#Say")) is None


def test_a_narrow_view_puts_the_list_above_the_page(view, qtbot):
    assert view.splitter.orientation() is Qt.Orientation.Horizontal
    view.resize(400, 600)
    qtbot.waitUntil(lambda: view.splitter.orientation() is Qt.Orientation.Vertical)
    view.resize(900, 600)
    qtbot.waitUntil(lambda: view.splitter.orientation() is Qt.Orientation.Horizontal)


def test_reference_dialog_is_non_modal(qtbot):
    dialog = ReferenceDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.isModal()
    assert dialog.windowTitle() == "FlexML reference"
    assert dialog.show_element("Dial") is True
    assert "callerId" in dialog.view.browser.toPlainText()
