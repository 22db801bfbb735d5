"""The panels the first frame does not show are made when first seen or used (issue 17):
the window starts without them, each comes the moment its tab is brought forward (before
it is painted), code that reaches one makes it, what they follow (sandbox calls, the flow
server's requests, reruns after a change) is still followed from its start, and the first
frame is the same as with every panel made at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea

from gui.core.project import load
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.qt.app import sample_project
from gui.qt.common import tasks
from gui.qt.common.settings import RERUN_TESTS, SettingsStore
from gui.qt.help.getting_started import SHOW_AT_START
from gui.qt.window.main_window import MainWindow
from tests.conftest import ROOT

TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
# Each panel made later: the dock it goes in, its attribute, the attribute that holds it
# until made.
LAZY = [
    ("flow_map_dock", "flow_map", "_flow_map"),
    ("dial_dock", "dial_pad", "_dial_pad"),
    ("call_log_dock", "call_log_panel", "_call_log_panel"),
    ("requests_dock", "request_log", "_request_log"),
    ("simulator_dock", "simulator", "_simulator"),
    ("tests_dock", "tests_panel", "_tests_panel"),
]


def shown(qtbot, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)
    return window


def close(qtbot, window: MainWindow) -> None:
    window.editing.stack.setClean()
    window.close()
    qtbot.waitUntil(lambda: not tasks.running(), timeout=10000)
    window.deleteLater()


def held(window: MainWindow, dock_name: str):
    """The panel in a dock: the dock's widget, or the widget of its scroll area."""
    widget = getattr(window, dock_name).widget()
    return widget.widget() if isinstance(widget, QScrollArea) else widget


def first_frame(qtbot, window: MainWindow) -> QImage:
    """The window shown, grabbed on the turn after its first paint (as --screenshot)."""
    frames: list[QImage] = []
    window.first_frame_shown.connect(lambda: frames.append(window.grab().toImage()))
    window.show()
    qtbot.waitUntil(lambda: bool(frames), timeout=5000)
    return frames[0]


def test_the_panels_behind_other_tabs_wait_until_their_tab_comes_forward(qtbot):
    window = shown(qtbot, MainWindow(sample_project(), SettingsStore(), sample=True))
    try:
        assert window._getting_started is not None  # a first start: its tab is in front
        for _dock, _name, private in LAZY:
            assert getattr(window, private) is None, private
        assert window._switch_editor is None and window._endpoint_panel is None
        for dock_name, name, private in LAZY:
            window._raise(getattr(window, dock_name))
            panel = getattr(window, private)
            assert panel is not None, name  # made as the tab came forward, not later
            assert held(window, dock_name) is panel and getattr(window, name) is panel
            qtbot.waitUntil(panel.isVisible, timeout=2000)
    finally:
        close(qtbot, window)


def test_code_that_reaches_a_panel_makes_it_in_its_dock(qtbot):
    window = MainWindow(sample_project(), SettingsStore(), remember_layout=False)
    try:
        for dock_name, name, private in LAZY:
            panel = getattr(window, name)
            assert getattr(window, private) is panel and getattr(window, name) is panel
            assert held(window, dock_name) is panel
        assert window.getting_started is held(window, "started_dock")
        assert window.switch_editor.parent() is window.central
        # The panels made now carry what the window knows.
        for combo in (window.dial_pad.flow_combo, window.simulator.flow_combo):
            assert all(combo.findData(name) >= 0 for name in window.project.names)
    finally:
        window.editing.stack.setClean()
        window.deleteLater()


def test_a_tab_in_front_in_a_saved_layout_has_its_panel_before_the_first_paint(qtbot):
    settings = SettingsStore()
    settings.set(SHOW_AT_START, False)  # else Getting started comes forward at each start
    first = shown(qtbot, MainWindow(sample_project(), settings))
    first._raise(first.dial_dock)
    first._raise(first.simulator_dock)
    close(qtbot, first)  # its layout is saved, the Dial pad and Simulator tabs in front
    window = MainWindow(sample_project(), settings)
    painted = []

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not painted:
                made = (window._dial_pad, window._simulator)
                painted.append(all(p is not None and p.isVisibleTo(window) for p in made))
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    try:
        shown(qtbot, window)
        assert painted == [True]  # both in their docks, shown, when the window first painted
        assert window._flow_map is None and window._tests_panel is None  # still behind
    finally:
        close(qtbot, window)


def test_the_first_frame_is_the_one_every_panel_made_at_once_would_give(qtbot):
    for show_started in (True, False):  # Getting started in front, then the Inspector
        settings = SettingsStore()
        settings.set(SHOW_AT_START, show_started)
        frames = []
        for make_all in (False, True):
            window = MainWindow(sample_project(), settings, remember_layout=False, sample=True)
            if make_all:  # as the window was made before issue 17
                for _dock, name, _private in LAZY:
                    getattr(window, name)
                window.getting_started  # noqa: B018
                window.switch_editor  # noqa: B018
            try:
                frames.append(first_frame(qtbot, window))
            finally:
                close(qtbot, window)
        lazy, eager = frames
        assert lazy.size() == eager.size()
        assert lazy == eager, f"the first frame differs (Getting started shown: {show_started})"


def test_the_tests_menu_stands_in_for_the_panel_and_then_holds_its_actions(qtbot):
    window = shown(qtbot, MainWindow(load([TEMPLATE]), SettingsStore(), remember_layout=False))
    try:
        menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tests")

        def described():
            return [
                (a.text(), a.shortcut().toString(), a.toolTip(), a.isChecked(), a.isEnabled())
                for a in menu.actions()
                if not a.isSeparator()
            ]

        before = described()
        assert window._tests_panel is None
        panel = window.tests_panel
        assert described() == before  # the stand-ins said what the panel's actions say
        assert menu.actions()[0] is panel.run_all_action
        assert menu.actions()[1] is panel.run_one_action
        assert menu.actions()[3] is panel.rerun_action
        keys = [
            k.toString()
            for a in window.findChildren(type(panel.run_all_action))
            for k in a.shortcuts()
        ]
        assert keys.count("Ctrl+Shift+T") == 1  # one action for the key: never ambiguous
    finally:
        close(qtbot, window)


def test_ctrl_shift_t_runs_the_tests_before_their_panel_was_ever_seen(qtbot, qloop):
    window = shown(qtbot, MainWindow(load([TEMPLATE]), SettingsStore(), remember_layout=False))
    try:
        window.activateWindow()
        qtbot.waitActive(window)
        assert window._tests_panel is None
        QTest.keyClick(window, Qt.Key.Key_T, CTRL_SHIFT)
        panel = window._tests_panel
        assert panel is not None
        qtbot.waitUntil(lambda: len(panel.results) == len(window.project.tests), timeout=15000)
        assert set(r.outcome for r in panel.results.values()) == {"passed"}
        assert window.tests_dock.visibleRegion().isEmpty() is False  # brought forward
    finally:
        close(qtbot, window)


def test_rerunning_after_each_change_makes_the_tests_panel_at_the_first_change(qtbot, qloop):
    settings = SettingsStore()
    settings.set(RERUN_TESTS, True)
    window = shown(qtbot, MainWindow(load([TEMPLATE]), settings, remember_layout=False))
    try:
        assert window._tests_panel is None
        assert window._tests_menu.rerun.isChecked()  # the remembered choice, in the menu
        sales = window.project.flow("sales")
        window.editing.set_text(sales, sales.root.child(0), "You have reached sales.")
        assert window._tests_panel is not None and window._tests_panel.rerun_pending
        with qtbot.waitSignal(window._tests_panel.run_finished, timeout=15000):
            pass
    finally:
        close(qtbot, window)


def test_the_simulator_and_the_request_log_follow_the_sandbox_and_server_from_their_start(
    qtbot, qloop
):
    window = shown(qtbot, MainWindow(sample_project(), SettingsStore(), remember_layout=False))
    credentials = Credentials("sandbox_lazy", "lazy-s3cret-PASS", "core-token-lazy")
    window.services.sandbox_factory = lambda: Sandbox(credentials=credentials, speed=20.0)
    try:
        assert window._simulator is None and window._request_log is None
        window.services.sandbox()
        assert window._simulator is not None  # follows the sandbox's calls from the first
        server = window.services.flow_server()
        assert window._request_log is not None
        assert window._request_log._base_url == server.base_url
        assert window._dial_pad is None and window._call_log_panel is None
    finally:
        close(qtbot, window)


def test_the_keyring_and_the_call_log_are_opened_after_the_first_frame(qtbot):
    window = MainWindow(sample_project(), SettingsStore(), remember_layout=False)
    try:
        services = window.services
        assert services._keychain_future is None and services._call_log is None
        with qtbot.waitSignal(window.first_frame_shown, timeout=5000):
            window.show()
        assert services._keychain_future is not None or services._keychain is not None
        assert services._call_log is not None or services.call_log_error
        # The Flow server panel configures the server with the keyring's token once found.
        qtbot.waitUntil(lambda: window._server_panel is not None, timeout=10000)
        assert window._endpoint_panel is None  # its tab was never brought forward
    finally:
        close(qtbot, window)


def test_a_switch_editor_is_made_when_a_switch_is_first_selected(qtbot):
    window = shown(qtbot, MainWindow(load([TEMPLATE]), SettingsStore(), remember_layout=False))
    try:
        assert window._switch_editor is None
        window.flows_panel.select("route")
        assert window._switch_editor is not None
        assert window.central.currentWidget() is window.switch_editor
        assert window.switch_editor.name == "route"
    finally:
        close(qtbot, window)


def test_reset_layout_leaves_the_panels_behind_other_tabs_unmade(qtbot):
    window = shown(qtbot, MainWindow(sample_project(), SettingsStore(), remember_layout=False))
    try:
        window._raise(window.dial_dock)
        window.reset_layout()
        qtbot.wait(20)
        assert window._dial_pad is not None  # made before: kept
        for _dock, name, private in LAZY:
            if name != "dial_pad":
                assert getattr(window, private) is None, private
    finally:
        close(qtbot, window)
