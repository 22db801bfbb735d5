"""The window at start as a user meets it: the project it opens (the last one, or the sample),
its title, the Inspector that comes forward, F5's Simulator with room, Reset layout and the
dock separators. Each window is made by gui.qt.app.build_window, as `flexml-studio` makes it,
with the test's own settings (tests/qt/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox, QTabBar

from gui.core.recovery import RecoveryStore
from gui.qt.app import _offer_recovery, build_window, sample_project
from gui.qt.common import tasks
from gui.qt.window.main_window import SAMPLE_TITLE
from tests.conftest import ROOT

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


def start(qtbot, tmp_path, files=()):
    """A window as `flexml-studio` opens it, shown at its first size."""
    window = build_window(list(files))
    window.files.recovery = RecoveryStore(tmp_path / "recovery")
    window.show()
    window.activateWindow()  # shortcuts go to the active window
    qtbot.waitActive(window)
    qtbot.wait(50)  # the docks' sizes are applied on a later turn of the event loop
    return window


def close(qtbot, window) -> None:
    window.editing.stack.setClean()
    window.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    window.deleteLater()


def front_tab(window, title: str) -> str:
    """The title of the tab in front, in the tab group that has a tab named `title`."""
    for bar in window.findChildren(QTabBar):
        titles = [bar.tabText(i) for i in range(bar.count())]
        if bar.isVisible() and bar.parent() is window and title in titles:
            return bar.tabText(bar.currentIndex())
    raise AssertionError(f"no tab group holds {title}")


def start_message(window) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "start-message"]
    return boxes[0] if boxes else None


# -- the project opened ------------------------------------------------------------------------


def test_a_first_start_opens_the_sample_and_says_so(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        assert window.sample_open
        assert window.project.names == sample_project().names
        assert window.windowTitle() == f"{SAMPLE_TITLE}[*] — FlexML Studio"
        started = window.getting_started
        assert started.titles[0].text() == "Edit the sample"
        assert "The sample project is open" in started.texts[0].text()
        assert start_message(window) is None
        window.palette_panel.verb_activated.emit("Pause")  # the modified marker still works
        assert window.isWindowModified()
    finally:
        close(qtbot, window)


def test_a_saved_project_is_reopened_at_the_next_start(qtbot, tmp_path):
    first = start(qtbot, tmp_path)
    first.palette_panel.verb_activated.emit("Hangup")
    target = tmp_path / "mine.flexproj"
    assert first.files.save_as(target)
    assert first.windowTitle() == "mine.flexproj[*] — FlexML Studio"
    assert not first.getting_started.sample_open  # saved under a name: the user's own
    close(qtbot, first)
    second = start(qtbot, tmp_path)
    try:
        assert second.project.path == target
        assert second.project.to_text() == target.read_text()
        assert not second.sample_open
        assert second.windowTitle() == "mine.flexproj[*] — FlexML Studio"
        assert second.getting_started.titles[0].text() == "Edit a flow"
        assert "sample" not in second.getting_started.texts[0].text()
        assert start_message(second) is None
    finally:
        close(qtbot, second)


def test_the_project_last_opened_is_reopened_too(qtbot, tmp_path):
    mine = sample_project()
    mine.rename_flow("menu", "my-menu")
    target = tmp_path / "opened.flexproj"
    mine.save(target)
    first = start(qtbot, tmp_path)
    assert first.files.open([str(target)])
    assert first.windowTitle() == "opened.flexproj[*] — FlexML Studio"
    close(qtbot, first)
    second = start(qtbot, tmp_path)
    try:
        assert second.project.path == target and "my-menu" in second.project.names
    finally:
        close(qtbot, second)


def test_a_project_that_is_gone_opens_the_sample_and_says_so_without_stopping(qtbot, tmp_path):
    first = start(qtbot, tmp_path)
    target = tmp_path / "gone.flexproj"
    assert first.files.save_as(target)
    close(qtbot, first)
    target.unlink()
    second = start(qtbot, tmp_path)
    try:
        said = f"Could not reopen {target}: it was moved or deleted. The sample is open instead."
        assert second.sample_open and second.project.path is None
        assert second.windowTitle() == f"{SAMPLE_TITLE}[*] — FlexML Studio"
        assert second.statusBar().currentMessage() == said
        qtbot.waitUntil(lambda: start_message(second) is not None)
        box = start_message(second)
        qtbot.waitUntil(box.isVisible)
        assert box.text() == said
        assert not box.isModal() and QApplication.activeModalWidget() is None
        assert box.button(QMessageBox.StandardButton.Ok).accessibleName() == "OK"
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), LEFT)
        assert second.settings.last_project() is None  # said once, not at every start
    finally:
        close(qtbot, second)
    third = start(qtbot, tmp_path)
    try:
        assert third.sample_open
        assert start_message(third) is None
    finally:
        close(qtbot, third)


def test_an_unreadable_project_opens_the_sample_and_says_why(qtbot, tmp_path):
    first = start(qtbot, tmp_path)
    target = tmp_path / "broken.flexproj"
    assert first.files.save_as(target)
    close(qtbot, first)
    target.write_text("<flexml-project format='1'><flow name='a'>")
    second = start(qtbot, tmp_path)
    try:
        assert second.sample_open
        text = second.statusBar().currentMessage()
        assert text.startswith(f"Could not reopen {target}: ")
        assert text.endswith("The sample is open instead.")
        qtbot.waitUntil(lambda: start_message(second) is not None)
        assert start_message(second).text() == text
    finally:
        close(qtbot, second)


RECOVERY_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from gui.core.recovery import RecoveryStore
    store = RecoveryStore(Path(sys.argv[1]))
    store.save(Path(sys.argv[2]).read_text(), Path(sys.argv[3]))
    """
)


def test_crash_recovery_still_comes_after_reopening(qtbot, tmp_path):
    first = start(qtbot, tmp_path)
    target = tmp_path / "mine.flexproj"
    assert first.files.save_as(target)
    close(qtbot, first)
    crashed = sample_project()
    crashed.rename_flow("sales", "crash-sales")
    text_file = tmp_path / "text.flexproj"
    text_file.write_text(crashed.to_text())
    # A real other process writes the copy of mine.flexproj and ends: a crash.
    folder = tmp_path / "recovery"
    command = [sys.executable, "-c", RECOVERY_WRITER, str(folder), str(text_file), str(target)]
    subprocess.run(command, check=True, cwd=ROOT, timeout=60)
    second = start(qtbot, tmp_path)
    try:
        assert second.project.path == target  # reopened first...
        seen = []

        def answer_yes():
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(10, answer_yes)
                return
            seen.append(box.text())
            box.button(QMessageBox.StandardButton.Yes).click()

        QTimer.singleShot(0, answer_yes)
        _offer_recovery(second)  # ...then the copy is offered, as run() does next
        assert "did not close properly" in seen[0] and str(target) in seen[0]
        assert "crash-sales" in second.project.names
        assert second.project.path == target
        assert second.windowTitle() == "mine.flexproj[*] — FlexML Studio"
        assert second.isWindowModified()
    finally:
        close(qtbot, second)


def test_a_new_blank_project_is_untitled(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        assert window.files.new_from_template("blank")
        assert not window.sample_open
        assert window.windowTitle() == "Untitled project[*] — FlexML Studio"
        assert window.getting_started.titles[0].text() == "Edit a flow"
    finally:
        close(qtbot, window)


# -- the Inspector comes forward ---------------------------------------------------------------


def row_centre(window, node) -> QPoint:
    return window.editor.visualRect(window.editor.flow_model.index_of(node)).center()


def test_choosing_a_verb_brings_the_inspector_forward(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        # A first start: Getting started in front, and its first step points at the Inspector.
        assert front_tab(window, "Inspector") == "Getting started"
        assert "Inspector" in window.getting_started.texts[0].text()
        say = window.editor.current_node()  # the first verb, selected already
        qtbot.mouseClick(window.editor.viewport(), LEFT, pos=row_centre(window, say))
        assert front_tab(window, "Inspector") == "Inspector"
        assert window.inspector.isVisible()
        window.started_dock.raise_()  # the user goes back to the steps
        assert front_tab(window, "Inspector") == "Getting started"
        window.editor.setFocus()
        qtbot.keyClick(window.editor, Qt.Key.Key_Down)  # the keys choose a verb too
        assert window.editor.current_node() is say.parent.child(1)
        assert front_tab(window, "Inspector") == "Inspector"
        window.started_dock.raise_()
        window.editor.select_nodes([say])  # code that selects: the tabs stay as they are
        assert front_tab(window, "Inspector") == "Getting started"
    finally:
        close(qtbot, window)


def test_a_simulated_run_leaves_the_flow_map_in_front(qtbot, qloop, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        window.show_flow_map()  # the user watches the map while the call runs
        window.editor.setFocus()  # even with the keys in the editor
        sim = window.simulator
        sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("instant"))
        chosen = []
        window.editor.verb_chosen.connect(chosen.append)
        QTest.keyClick(window.editor, Qt.Key.Key_F5)
        qtbot.waitUntil(sim.waiting_for_keys, timeout=5000)  # at the menu's Gather
        qtbot.waitUntil(lambda: window.current_flow == "menu")  # the editor followed the run...
        qtbot.waitUntil(lambda: window.editor.current_node().tag == "Gather")
        assert front_tab(window, "Inspector") == "Flow map"  # ...and the map stayed in front
        assert chosen == []
        sim.stop()
        qtbot.waitUntil(lambda: not sim.running, timeout=5000)
    finally:
        close(qtbot, window)


# -- F5 gives the Simulator room -------------------------------------------------------------------


def test_f5_shows_the_simulator_with_its_keys_and_transcript_in_view(qtbot, qloop, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        assert (window.width(), window.height()) == (1280, 800)
        before = window.simulator_dock.height()
        sim = window.simulator
        sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("instant"))
        window.editor.setFocus()
        QTest.keyClick(window.editor, Qt.Key.Key_F5)
        qtbot.waitUntil(sim.waiting_for_keys, timeout=5000)
        qtbot.waitUntil(lambda: len(sim.transcript_lines()) >= 3, timeout=5000)
        # The panel draws on its ticker: the Gather box shows on the tick after the run
        # reached the Gather (the lines may all have been drawn on an earlier one).
        qtbot.waitUntil(sim.gather_box.isVisible, timeout=5000)
        dock = window.simulator_dock
        assert front_tab(window, "Simulator") == "Simulator"
        assert dock.height() >= min(300, int(0.4 * window.height())) > before
        assert window.editor.height() >= 250  # the flow still has room above it
        area = dock.widget()  # the scroll area the panel is in: what of it is in view
        viewport = QRect(QPoint(0, 0), area.viewport().size())

        def in_view(widget) -> QRect:
            return viewport & QRect(widget.mapTo(area.viewport(), QPoint(0, 0)), widget.size())

        for key, button in sim.key_buttons.items():
            assert in_view(button).size() == button.size(), key
        gather = sim.gather_box  # the menu's Gather: what it waits for
        assert gather.isVisible() and in_view(gather).size() == gather.size()
        transcript = sim.transcript
        row = transcript.sizeHintForRow(0)
        assert row > 0 and in_view(transcript.viewport()).height() >= 5 * row
        sim.stop()
        qtbot.waitUntil(lambda: not sim.running, timeout=5000)
    finally:
        close(qtbot, window)


# -- View > Reset layout ---------------------------------------------------------------------------


def arrangement(window) -> dict:
    """Where each dock is: its area, the tab group it is in, whether it is shown (open, and
    the tab in front) and floating, and its size to within a few pixels."""
    found = {}
    for dock in window.findChildren(QDockWidget):
        group = sorted(d.objectName() for d in window.tabifiedDockWidgets(dock))
        in_front = dock.toggleViewAction().isChecked() and not dock.visibleRegion().isEmpty()
        size = (round(dock.width() / 10), round(dock.height() / 10)) if in_front else None
        found[dock.objectName()] = (
            window.dockWidgetArea(dock),
            tuple(sorted([dock.objectName(), *group])),
            dock.toggleViewAction().isChecked(),
            in_front,
            dock.isFloating(),
            size,
        )
    return found


def test_reset_layout_puts_every_dock_back_as_a_fresh_start_has_it(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    expected = arrangement(window)  # a first start's (a later start may restore a size)
    try:
        action = window.reset_layout_action
        assert action.objectName() == "reset-layout" and action.toolTip()
        view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
        assert action in view.actions()
        window.palette_dock.setFloating(True)
        window.xml_dock.close()
        window.tabifyDockWidget(window.problems_dock, window.flows_dock)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.inspector_dock)
        window.removeDockWidget(window.call_log_dock)
        window.show_flow_map()
        window.save_layout()  # as a close would
        assert window.settings.get("window/state")
        assert arrangement(window) != expected
        action.trigger()
        qtbot.wait(50)
        assert arrangement(window) == expected
        assert window.settings.get("window/state") == b""  # forgotten
        bars = sorted(
            tuple(b.tabText(i) for i in range(b.count()))
            for b in window.findChildren(QTabBar)
            if b.isVisible() and b.parent() is window
        )
        assert bars == [  # one tab bar each: none left over from before
            ("Inspector", "Flow map", "Dial pad", "Endpoint", "Flow server", "Getting started"),
            ("Problems", "Tests", "Simulator", "Requests", "Call log"),
        ]
    finally:
        close(qtbot, window)


# -- dragging a separator --------------------------------------------------------------------------


def drag(window, start_point: QPoint, move: QPoint) -> None:
    """A left-button drag as the window system sends it (to whatever is under the mouse)."""
    handle = window.windowHandle()
    QTest.mouseMove(handle, start_point)
    QTest.mousePress(handle, LEFT, NONE, start_point)
    for step in range(1, 9):
        QTest.mouseMove(handle, start_point + QPoint(move.x() * step // 8, move.y() * step // 8))
        QTest.qWait(10)
    QTest.mouseRelease(handle, LEFT, NONE, start_point + move)
    QTest.qWait(50)


def floating(window) -> list[str]:
    return [d.objectName() for d in window.findChildren(QDockWidget) if d.isFloating()]


def test_a_drag_just_beside_a_separator_resizes_and_tears_no_dock_off(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        problems = window.problems_dock
        edge = QPoint(400, problems.geometry().top() + 1)
        QTest.mouseMove(window.windowHandle(), edge)  # hovering there shows it can resize
        assert problems.cursor().shape() == Qt.CursorShape.SplitVCursor
        QTest.mouseMove(window.windowHandle(), edge + QPoint(0, 10))  # the title: no more
        assert problems.cursor().shape() == Qt.CursorShape.ArrowCursor
        # The Problems title bar starts right under the separator: a press 1 to 3 pixels
        # into it is a press that missed the separator.
        for into in (1, 3):
            editor_bottom = window.central.geometry().bottom()
            top = problems.geometry().top()
            assert top > editor_bottom + 1  # the separator lies between them
            under = window.childAt(QPoint(400, top + into - 1))
            assert under is problems  # the title bar, not the separator
            height = problems.height()
            drag(window, QPoint(400, top + into - 1), QPoint(0, -60))
            assert floating(window) == []
            assert abs(problems.height() - (height + 60)) <= 2
        flows, palette = window.flows_dock, window.palette_dock
        top = palette.geometry().top()
        assert flows.geometry().bottom() < top - 1
        height = palette.height()
        drag(window, QPoint(100, top + 1), QPoint(0, 40))  # the Palette's title, under Flows
        assert floating(window) == []
        assert abs(palette.height() - (height - 40)) <= 2
    finally:
        close(qtbot, window)


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the mouse")
def test_docks_still_float_from_the_middle_of_their_title(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        problems = window.problems_dock
        title = QPoint(400, problems.geometry().top() + 10)
        assert window.childAt(title) is problems
        drag(window, title, QPoint(0, -150))
        assert floating(window) == ["problems-dock"]  # a deliberate drag still moves it
        problems.setFloating(False)
        palette = window.palette_dock
        title = palette.mapTo(window, QPoint(palette.width() // 2, 10))
        assert window.childAt(title) is palette
        QTest.mouseDClick(window.windowHandle(), LEFT, NONE, title)
        qtbot.waitUntil(palette.isFloating)  # a double-click on the title floats it
        palette.setFloating(False)
    finally:
        close(qtbot, window)


# -- redo ----------------------------------------------------------------------------------------


def test_ctrl_y_redoes_as_well_as_ctrl_shift_z(qtbot, tmp_path):
    window = start(qtbot, tmp_path)
    try:
        keys = [k.toString() for k in window.redo_action.shortcuts()]
        assert "Ctrl+Y" in keys and "Ctrl+Shift+Z" in keys
        window.editor.setFocus()
        for key, modifiers in (
            (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier),
            (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
        ):
            window.palette_panel.verb_activated.emit("Pause")
            edited = window.project.flow("hello").root.child_count()
            qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            assert window.project.flow("hello").root.child_count() == edited - 1
            qtbot.keyClick(window.editor, key, modifiers)
            assert window.project.flow("hello").root.child_count() == edited
    finally:
        close(qtbot, window)
