"""The verb palette lists the schema, filters, activates and drags; every icon is valid SVG."""

import pytest
from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtGui import QColor, QIcon, QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtTest import QTest

from gui.core.flexml import COMMENT, SCHEMA
from gui.core.flexml.schema import NOUNS, VERBS
from gui.qt.common.icons import (
    app_icon,
    icon_file,
    icon_files,
    named_icon,
    severity_icon,
    svg_bytes,
    verb_icon,
)
from gui.qt.designer.palette import (
    DESCRIPTION_ROLE,
    NAME_ROLE,
    VERB_MIME_TYPE,
    PalettePanel,
)


@pytest.fixture
def panel(qtbot):
    panel = PalettePanel()
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def double_click(widget, pos) -> None:
    """A real double-click: the platform sends press and release, then the double-click
    (QTest.mouseDClick alone sends only the last part, which item views ignore)."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def _group_titles(view) -> list[str]:
    return [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]


def test_lists_every_element_but_the_root_grouped_with_icons(panel):
    view = panel.view
    assert view.entry_names() == [*VERBS, *NOUNS]
    assert set(view.entry_names()) == set(SCHEMA) - {"Response"}
    assert _group_titles(view) == [
        "Verbs",
        "Nouns (drop inside Connect, Dial, Play, Start, Stop or Stream)",
    ]
    for name in view.entry_names():
        index = view.index_of(name)
        assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
        assert index.data(DESCRIPTION_ROLE) == SCHEMA[name].description
        assert view.visualRect(index).height() >= 24  # room for the icon and two lines


def test_tooltip_says_what_it_does_and_where_it_goes(panel):
    say = panel.view.index_of("Say").data(Qt.ItemDataRole.ToolTipRole)
    assert SCHEMA["Say"].description in say
    assert "Goes inside: Response, Gather, PreAnswer" in say
    number = panel.view.index_of("Number").data(Qt.ItemDataRole.ToolTipRole)
    assert "Goes inside: Dial" in number


def test_filter_matches_names_and_descriptions(qtbot, panel):
    qtbot.keyClicks(panel.filter, "keypad")  # only in Gather's description
    assert panel.view.entry_names() == ["Gather"]
    assert _group_titles(panel.view) == ["Verbs"]
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "NUMBER")  # Dial's description and the Number noun
    assert panel.view.entry_names() == ["Dial", "Number"]
    assert len(_group_titles(panel.view)) == 2
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "no such verb")
    assert panel.view.entry_names() == []
    panel.filter.clear()
    assert panel.view.entry_names() == [*VERBS, *NOUNS]


def test_double_click_and_enter_emit_the_element_name(qtbot, panel):
    view = panel.view
    hangup = view.index_of("Hangup")
    with qtbot.waitSignal(panel.verb_activated) as blocker:
        double_click(view.viewport(), view.visualRect(hangup).center())
    assert blocker.args == ["Hangup"]

    view.setFocus()
    view.setCurrentIndex(view.index_of("Number"))
    with qtbot.waitSignal(panel.verb_activated) as blocker:
        QTest.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == ["Number"]


def test_a_click_or_enter_on_a_group_title_inserts_nothing(qtbot, panel):
    view = panel.view
    say = view.index_of("Say")
    with qtbot.assertNotEmitted(panel.verb_activated):
        QTest.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(say).center()
        )
        assert view.currentIndex() == say
        title = view.proxy.index(0, 0)
        double_click(view.viewport(), view.visualRect(title).center())
        view.setCurrentIndex(title)
        QTest.keyClick(view, Qt.Key.Key_Enter)
    assert view.isExpanded(title)  # a double-click does not fold the group away


def test_enter_in_the_filter_inserts_the_first_match(qtbot, panel):
    panel.filter.setFocus()
    qtbot.keyClicks(panel.filter, "hang")
    with qtbot.waitSignal(panel.verb_activated) as blocker:
        QTest.keyClick(panel.filter, Qt.Key.Key_Return)
    assert blocker.args == ["Hangup"]
    QTest.keyClick(panel.filter, Qt.Key.Key_Down)
    assert panel.view.hasFocus() or not panel.isActiveWindow()
    assert panel.view.currentIndex().data(NAME_ROLE) == "Hangup"


def test_dragging_an_entry_carries_its_name_as_a_copy(qtbot, panel):
    view = panel.view
    model = view.model()
    dial = view.index_of("Dial")
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(dial).center())
    selected = view.selectionModel().selectedIndexes()
    assert selected == [dial]
    mime = model.mimeData(selected)
    assert mime.formats() == [VERB_MIME_TYPE]
    assert bytes(mime.data(VERB_MIME_TYPE)).decode("utf-8") == "Dial"
    assert model.mimeTypes() == [VERB_MIME_TYPE]
    assert model.supportedDragActions() == Qt.DropAction.CopyAction
    assert model.flags(dial) & Qt.ItemFlag.ItemIsDragEnabled
    assert view.dragEnabled() and view.defaultDropAction() == Qt.DropAction.CopyAction
    title = model.index(0, 0)
    assert not model.flags(title) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.mimeData([title]) is None


# --- icons ---------------------------------------------------------------------------------


def test_every_icon_file_is_a_valid_svg():
    names = icon_files()
    assert {"unknown.svg", "comment.svg", "flexml-studio.svg"} <= set(names)
    for name in names:
        renderer = QSvgRenderer(QByteArray(svg_bytes(name)))
        assert renderer.isValid(), name
        if name != "flexml-studio.svg":
            assert renderer.viewBox().size().toTuple() == (24, 24), name


def test_every_schema_element_has_its_own_icon(qtbot):
    files = {icon_file(name) for name in SCHEMA}
    assert len(files) == len(SCHEMA)
    assert files <= set(icon_files())
    for name in SCHEMA:
        assert not verb_icon(name).isNull()


def test_unknown_tags_and_comments_get_their_own_icons(qtbot):
    assert verb_icon("Bogus").cacheKey() == named_icon("unknown.svg").cacheKey()
    assert verb_icon(COMMENT).cacheKey() == named_icon("comment.svg").cacheKey()
    assert verb_icon("Say") is verb_icon("Say")  # cached
    assert not severity_icon("error").isNull() and not severity_icon("warning").isNull()


def test_icons_draw_something_at_any_size(qtbot):
    for icon in (app_icon(), verb_icon("Hangup"), verb_icon("Gather")):
        for size in (16, 48, 100):
            image = icon.pixmap(size, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
            assert image.width() == size
            opaque = sum(
                QColor(image.pixel(QPoint(x, y))).alpha() > 0
                for x in range(0, size, 2)
                for y in range(0, size, 2)
            )
            assert opaque > size // 2


def test_icons_from_files_draw_what_the_svg_renders(qtbot):
    # Icons on disk are handed to Qt's SVG icon engine by path (drawn when a view asks);
    # each size, normal and disabled, must be the pixels the SVG renders to.
    from gui.qt.common.icons import _render

    for name in icon_files():
        drawn, rendered = named_icon(name), _render(name)
        for size in (16, 24, 32, 48):
            for mode in (QIcon.Mode.Normal, QIcon.Mode.Disabled):
                got = drawn.pixmap(size, size, mode).toImage()
                assert got == rendered.pixmap(size, size, mode).toImage(), (name, size, mode)


NO_PLUGINS = """
import sys, tempfile
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
app = QApplication([])
QCoreApplication.setLibraryPaths([tempfile.mkdtemp()])  # no icon engine, no image plugins
from gui.qt.common import icons
for icon in (icons.verb_icon("Gather"), icons.severity_icon("error")):
    image = icon.pixmap(16, 16).toImage()
    size = (image.width(), image.height())
    drawn = sum(image.pixelColor(x, y).alpha() > 0 for x in range(size[0]) for y in range(size[1]))
    print(drawn if size == (16, 16) else -1)
"""


def test_icons_draw_without_the_svg_icon_engine_plugin(tmp_path):
    # A bundle without Qt's SVG icon engine plugin: the SVG is rendered instead (was: blank).
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", NO_PLUGINS], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    drawn = [int(line) for line in done.stdout.split()]
    assert len(drawn) == 2 and all(count > 20 for count in drawn), drawn
