"""The main window: palette, flow editor, inspector, XML view, problems and flows, in docks.

All wiring is in `_connect_signals`, and for the panels made later, where each is made.
Views follow the project's change events: a change schedules one refresh (lint, XML,
status) on the next turn of the event loop, so a gesture that makes many changes refreshes
once.

The first frame shows the flows, the palette, the editor, the FlexML view, Problems and the
Inspector (or, at a first start, Getting started). The panels in the tabs behind those (the
flow map, dial pad, Endpoint, Flow server, Simulator, Requests, Call log, Tests; Getting
started when it does not open at start) and the switch editor are made when first seen or
used (see lazy_docks), with the imports they need: the window is up sooner. Their docks
exist from the start, so a saved layout restores as before; their attributes
(`window.dial_pad`...) make them on first access. What a panel follows from its start is
still followed: the Simulator is made when the sandbox starts (it follows every sandbox
call), the request log when the flow server starts, the Tests panel at the first change
when tests rerun after each change. The keyring and the call log are opened right after the
first paint.

After a run of every flow test (the Tests panel), what no test reached is marked in the
flow editor and on the flow map until the next change to the project: a mark of the
project as it was would be wrong, not merely old. View > Show test coverage hides them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from ...core.flexml import Change, Node, Problem, Severity
from ...core.project import Project, ProjectChange, ProjectChangeKind
from ..common import tasks
from ..common.icons import app_icon
from ..common.services import ServerConfig, Services
from ..common.settings import RERUN_TESTS, SHOW_COVERAGE, SettingsStore
from ..common.xml_text import XmlView
from ..designer.editing import Editing
from ..designer.flow_editor import FlowEditor
from ..designer.flows_panel import FlowsPanel
from ..designer.inspector import InspectorPanel
from ..designer.palette import PalettePanel
from ..designer.problems_panel import ProblemsPanel
from ..designer.xml_view import FlowText
from ..help.getting_started import should_show_at_start
from .dock_edges import DockEdges
from .file_actions import FileActions
from .lazy_docks import LazyDocks
from .tests_menu import TestsMenuStandIns

if TYPE_CHECKING:  # the panels behind other tabs are imported when first made
    from ...core.flowtests.coverage import Coverage
    from ...core.flowtests.model import FlowTest
    from ..calling.call_log_panel import CallLogPanel
    from ..calling.dial_pad import DialPad
    from ..calling.endpoint_panel import EndpointPanel
    from ..designer.flow_map import FlowMapPanel
    from ..designer.switch_editor import SwitchEditor
    from ..designer.tests_panel import TestsPanel
    from ..help.getting_started import GettingStartedPanel
    from ..help.reference import ReferenceDialog
    from ..loop.request_log import RequestLogPanel
    from ..loop.server_panel import ServerPanel
    from ..simulator.panel import SimulatorPanel

APP_NAME = "FlexML Studio"
DEFAULT_SIZE = QSize(1280, 800)  # the window at a first start: a 1280x800 screen holds it
SAMPLE_TITLE = "Sample project"  # the title while the sample (an unsaved copy) is open
BIG_PROJECT_VERBS = 1000
# F5 makes the bottom docks this tall (at most SIMULATOR_SHARE of the window): the
# Simulator's keys, a Gather's rules and five or more lines of its transcript in view.
SIMULATOR_HEIGHT = 340
SIMULATOR_SHARE = 0.45
_LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
_RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
_BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


def redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, and Ctrl+Shift+Z and Ctrl+Y whatever the platform says:
    people come with either habit (a Mac keeps its own: Cmd+Y is no redo there)."""
    keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
    extra = ["Ctrl+Shift+Z"] if sys.platform == "darwin" else ["Ctrl+Shift+Z", "Ctrl+Y"]
    for text in extra:
        if QKeySequence(text) not in keys:
            keys.append(QKeySequence(text))
    return keys


def _holds(state: bytes, dock: QDockWidget) -> bool:
    """Whether a saved window state (QMainWindow.saveState) places `dock`: it names each
    dock it places by objectName, as a QString (UTF-16, big-endian)."""
    return dock.objectName().encode("utf-16-be") in state


def _scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a scroll area: a tall panel must not squeeze the docks beside it."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


def _replace_widget(dock: QDockWidget, widget: QWidget) -> None:
    """Put `widget` in `dock` in its placeholder's place (shown at once when the dock is)."""
    placeholder = dock.widget()
    dock.setWidget(widget)
    if placeholder is not None:
        placeholder.hide()
        placeholder.deleteLater()


class _FirstPaint(QObject):
    """Calls `then` once `window` has painted for the first time, on the next turn of the
    event loop (so that frame is on screen first)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


class MainWindow(QMainWindow):
    """The window a user lives in."""

    first_frame_shown = Signal()  # once, on the turn of the event loop after the first paint

    def __init__(
        self,
        project: Project,
        settings: SettingsStore | None = None,
        *,
        remember_layout: bool = True,
        sample: bool = False,
    ) -> None:
        """`sample`: `project` is the sample, opened for a first start (the title and
        Getting started say so until another project replaces it or it is saved)."""
        super().__init__()
        self.settings = settings or SettingsStore()
        self.remember_layout = remember_layout  # off for --screenshot: same picture each time
        self._sample = sample
        self.editing = Editing(project, self)
        self.current_flow: str | None = None
        self.current_switch: str | None = None  # shown in place of a flow, when one is
        self.setWindowIcon(app_icon())
        self.resize(DEFAULT_SIZE)
        self._geometry_restored = False
        self.setDockNestingEnabled(True)
        self.dock_edges = DockEdges(self)  # a press beside a separator drags the separator
        self._dock_places: list[tuple[QDockWidget, Qt.DockWidgetArea]] = []
        self.lazy = LazyDocks()  # the panels behind other tabs, made when first in view
        # The docks are added in this order; a saved layout (saveState) is matched to them.
        self._create_design_panels()
        self._create_services()
        self._create_call_panels()
        self._create_loop_panels()
        self._create_help_panels()
        self._size_docks()
        self._create_status_bar()
        self.files = FileActions(
            self.editing,
            self.settings,
            self,
            current_flow=lambda: self.current_flow,
            served_base=self._served_base,
        )
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._problems_by_flow: dict = {}
        self._flow_text = FlowText()  # the shown flow's text, written by the verbs changed
        self._build_menus()
        self._connect_signals()
        self._follow(project)
        self.show_project()
        self._restore_layout()
        # The keyring and the call log are opened once the window has painted (see
        # _after_first_frame): the first frame waits for neither.
        self._first_paint = _FirstPaint(self, self._after_first_frame)

    # -- building -------------------------------------------------------------------------

    def _create_design_panels(self) -> None:
        """The flow editor in the middle; flows, palette, inspector, FlexML and problems."""
        self.editor = FlowEditor(self.editing)
        self.editor.setObjectName("flow-editor")
        # A selected switch is edited in the flow editor's place (made when first needed).
        self._switch_editor: SwitchEditor | None = None
        self.central = QStackedWidget()
        self.central.setObjectName("central-editor")
        self.central.addWidget(self.editor)
        self.setCentralWidget(self.central)
        self.palette_panel = PalettePanel()
        self.flows_panel = FlowsPanel(self.editing)
        self.inspector = InspectorPanel(self.editing)
        self.xml_view = XmlView()
        self.problems_panel = ProblemsPanel()
        self.flows_dock = self._dock("Flows", self.flows_panel, _LEFT)
        self.palette_dock = self._dock("Palette", self.palette_panel, _LEFT)
        self.inspector_dock = self._dock("Inspector", self.inspector, _RIGHT)
        self.xml_dock = self._dock("FlexML", self.xml_view, _RIGHT)
        self.problems_dock = self._dock("Problems", self.problems_panel, _BOTTOM)
        self._tests_panel: TestsPanel | None = None  # behind Problems: made when first seen
        self.tests_dock = self._dock("Tests", QWidget(), _BOTTOM, make=lambda: self.tests_panel)
        self._coverage: Coverage | None = None  # of the last run, until the next change
        # The map beside the editor, tabbed with the Inspector: seen while the Simulator
        # (at the bottom) runs a call, so its live highlight can be followed. Made when
        # first seen (see lazy_docks), like the panels below.
        self._flow_map: FlowMapPanel | None = None
        self._running: Node | None = None  # the verb a simulated call runs, for the map
        self.flow_map_dock = self._dock("Flow map", QWidget(), _RIGHT, make=lambda: self.flow_map)

    def _create_services(self) -> None:
        self.services = Services(lambda: self.project, self)
        # The saved host, port and public URL from the start: a call placed before the Flow
        # server panel exists (it waits for the keyring, which holds the token) uses them.
        self.services.configure_flow_server(
            ServerConfig(
                host=self.settings.get("server/host") or "127.0.0.1",
                port=self.settings.get("server/port") or 0,
                public_url=self.settings.get("server/public-url") or None,
            )
        )

    def _create_call_panels(self) -> None:
        """The docks of the dial pad, the Endpoint panel and the call log; their panels are
        made when first seen or used (the properties below)."""
        self._dial_pad: DialPad | None = None
        self._endpoint_panel: EndpointPanel | None = None
        self._call_log_panel: CallLogPanel | None = None
        # The Endpoint panel reads the OS keyring (0.13 s to load and probe): in view
        # before the keyring is found, it is made once it is.
        self.dial_dock = self._dock("Dial pad", QWidget(), _RIGHT, make=lambda: self.dial_pad)
        self.endpoint_dock = self._dock(
            "Endpoint",
            QWidget(),
            _RIGHT,
            make=lambda: self.services.open_keychain(lambda: self.endpoint_panel),
        )
        self.call_log_dock = self._dock(
            "Call log", QWidget(), _BOTTOM, make=lambda: self.call_log_panel
        )

    def _create_loop_panels(self) -> None:
        """The docks of the Flow server panel, the request log and the Simulator."""
        # The Flow server panel keeps its token in the keyring too: made once the keyring
        # is found, right after the first paint (it configures the server before any start).
        self._server_panel: ServerPanel | None = None
        self._request_log: RequestLogPanel | None = None
        self._simulator: SimulatorPanel | None = None
        self.server_dock = self._dock(
            "Flow server",
            QWidget(),
            _RIGHT,
            make=lambda: self.services.open_keychain(lambda: self.server_panel),
        )
        # Their panels go in scroll areas: their minimum heights (~250 px) must not hold the
        # bottom docks, and with them the editor, that tall.
        self.requests_dock = self._dock(
            "Requests", QWidget(), _BOTTOM, make=lambda: self.request_log
        )
        self.simulator_dock = self._dock(
            "Simulator", QWidget(), _BOTTOM, make=lambda: self.simulator
        )

    def _create_help_panels(self) -> None:
        self._getting_started: GettingStartedPanel | None = None
        self.started_dock = self._dock(
            "Getting started", QWidget(), _RIGHT, make=lambda: self.getting_started
        )
        self._reference: ReferenceDialog | None = None  # made when first asked for
        self._tabs_pending = True  # the default tab groups are made when first shown
        self._tests_tab_pending = False  # see _restore_layout

    def _size_docks(self) -> None:
        vertical, horizontal = Qt.Orientation.Vertical, Qt.Orientation.Horizontal
        self.resizeDocks([self.flows_dock, self.palette_dock], [170, 430], vertical)
        self.resizeDocks([self.inspector_dock, self.xml_dock], [470, 150], vertical)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [260, 540], horizontal)
        self.resizeDocks([self.problems_dock], [120], vertical)

    def _create_status_bar(self) -> None:
        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)
        self.server_state = QLabel("Flow server: off")
        self.server_state.setToolTip("The embedded flow server; it starts when a call needs it")
        self.statusBar().addPermanentWidget(self.server_state)

    def _dock(
        self,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        *,
        make: Callable[[], object] | None = None,
    ) -> QDockWidget:
        """A dock holding `widget`; with `make`, `widget` is a placeholder and `make()`
        puts the real panel in when the dock first comes into view (see lazy_docks)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower().replace(' ', '-')}-dock")  # saveState() needs names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self._dock_places.append((dock, area))  # where View > Reset layout puts it back
        self.dock_edges.watch(dock)
        if make is not None:
            self.lazy.add(dock, make)
        return dock

    # -- the panels made when first seen or used ---------------------------------------------

    @property
    def switch_editor(self) -> SwitchEditor:
        return self._make_switch_editor() if self._switch_editor is None else self._switch_editor

    def _make_switch_editor(self) -> SwitchEditor:
        from ..designer.switch_editor import SwitchEditor

        editor = self._switch_editor = SwitchEditor(self.editing)
        editor.message.connect(self.show_message)
        self.central.addWidget(editor)
        return editor

    @property
    def tests_panel(self) -> TestsPanel:
        return self._make_tests_panel() if self._tests_panel is None else self._tests_panel

    def _make_tests_panel(self) -> TestsPanel:
        from ..designer.tests_panel import TestsPanel

        tests = self._tests_panel = TestsPanel(self.editing, self.settings)
        tests.place_activated.connect(self.on_tests_panel_place_activated)
        tests.flow_open_requested.connect(self.on_flow_map_flow_opened)
        tests.run_finished.connect(self.on_tests_panel_run_finished)
        tests.message.connect(self.show_message)
        # Asked for by the user: the results in view (a rerun after a change is not).
        for action in (tests.run_all_action, tests.run_one_action):
            action.triggered.connect(lambda _checked=False: self._raise(self.tests_dock))
        self._tests_menu.swap(tests)
        _replace_widget(self.tests_dock, tests)
        return tests

    @property
    def flow_map(self) -> FlowMapPanel:
        return self._make_flow_map() if self._flow_map is None else self._flow_map

    def _make_flow_map(self) -> FlowMapPanel:
        from ..designer.flow_map import FlowMapPanel

        flow_map = self._flow_map = FlowMapPanel(self.editing)
        flow_map.flow_clicked.connect(self.on_flow_map_flow_clicked)
        flow_map.flow_opened.connect(self.on_flow_map_flow_opened)
        flow_map.message.connect(self.show_message)
        _replace_widget(self.flow_map_dock, flow_map)
        flow_map.refresh(self._problems_by_flow, self.flows_panel.current_name())
        self._show_map_coverage()
        if self._running is not None:
            flow_map.show_running(self._running)
        return flow_map

    @property
    def dial_pad(self) -> DialPad:
        return self._make_dial_pad() if self._dial_pad is None else self._dial_pad

    def _make_dial_pad(self) -> DialPad:
        from ..calling.dial_pad import DialPad

        pad = self._dial_pad = DialPad(self.services, self._selected_endpoint, self.settings)
        pad.key_sink = self._simulator_key
        pad.set_flows(self.project.names, self.project.entry)
        _replace_widget(self.dial_dock, _scrolling(pad))
        return pad

    @property
    def endpoint_panel(self) -> EndpointPanel:
        """The Endpoint panel, made on first use (see _create_call_panels); it waits for the
        keyring when that is still being found."""
        return self._make_endpoint_panel() if self._endpoint_panel is None else self._endpoint_panel

    def _make_endpoint_panel(self) -> EndpointPanel:
        from ..calling.endpoint_panel import EndpointPanel

        panel = self._endpoint_panel = EndpointPanel(
            self.services.profiles,
            self.services.keychain,
            self.services.sandbox,
            sandbox_running=lambda: self.services.sandbox_running,
        )
        _replace_widget(self.endpoint_dock, _scrolling(panel))
        self.services.sandbox_started.connect(panel.sandbox_started)
        panel.profile_changed.connect(self.on_endpoint_profile_changed)
        panel.dids_loaded.connect(self.on_credentials_dids_loaded)
        return panel

    @property
    def call_log_panel(self) -> CallLogPanel:
        return self._make_call_log_panel() if self._call_log_panel is None else self._call_log_panel

    def _make_call_log_panel(self) -> CallLogPanel:
        from ..calling.call_log_panel import CallLogPanel

        log = self._call_log_panel = CallLogPanel()
        _replace_widget(self.call_log_dock, _scrolling(log))
        log.redial_requested.connect(self.on_call_log_redial)
        # The log's own events update the row; a call being cancelled has a dial pad.
        log.cancel_requested.connect(lambda entry: self.dial_pad.cancel(entry))
        log.set_request_provider(self.services.records_for)
        self.services.server_records.connect(lambda _records: log.requests_changed())
        if self.services.call_log is not None:  # opened now if not yet
            log.set_log(self.services.call_log)
        return log

    @property
    def server_panel(self) -> ServerPanel:
        """The Flow server panel, made on first use (see _create_loop_panels)."""
        return self._make_server_panel() if self._server_panel is None else self._server_panel

    def _make_server_panel(self) -> ServerPanel:
        from ..loop.server_panel import ServerPanel

        panel = self._server_panel = ServerPanel(
            self.services, self.settings, self.services.keychain
        )
        _replace_widget(self.server_dock, _scrolling(panel))
        panel.refresh_urls()
        return panel

    @property
    def request_log(self) -> RequestLogPanel:
        return self._make_request_log() if self._request_log is None else self._request_log

    def _make_request_log(self) -> RequestLogPanel:
        from ..loop.request_log import RequestLogPanel

        panel = self._request_log = RequestLogPanel(self.services, lambda: self.project)
        _replace_widget(self.requests_dock, _scrolling(panel))
        return panel

    @property
    def simulator(self) -> SimulatorPanel:
        return self._make_simulator() if self._simulator is None else self._simulator

    def _make_simulator(self) -> SimulatorPanel:
        from ..simulator.panel import SimulatorPanel

        sim = self._simulator = SimulatorPanel(self.services, lambda: self.project)
        # Window-wide F5 is the Call menu's: the panel's own would make the key ambiguous
        # (and then Qt runs neither) while the focus is in the panel.
        sim.run_action.setShortcut(QKeySequence())
        sim.test_recorded.connect(self.on_simulator_test_recorded)
        sim.node_running.connect(self.on_simulator_node_running)
        sim.waiting_changed.connect(self.on_simulator_waiting_changed)
        _replace_widget(self.simulator_dock, _scrolling(sim))
        return sim

    @property
    def getting_started(self) -> GettingStartedPanel:
        return (
            self._make_getting_started() if self._getting_started is None else self._getting_started
        )

    def _make_getting_started(self) -> GettingStartedPanel:
        from ..help.getting_started import GettingStartedPanel

        started = self._getting_started = GettingStartedPanel(self.settings)
        started.set_sample_open(self.sample_open)
        started.simulate_requested.connect(self.run_simulator)
        started.dial_pad_requested.connect(self.show_dial_pad)
        started.requests_requested.connect(lambda: self._raise(self.requests_dock))
        started.endpoint_requested.connect(lambda: self._raise(self.endpoint_dock))
        started.server_requested.connect(lambda: self._raise(self.server_dock))
        _replace_widget(self.started_dock, _scrolling(started))
        return started

    def _served_base(self) -> str | None:
        """The flow server's public URL for Export's base URL, when exported files could be
        fetched there: a server with a token refuses every URL without it, and a token never
        goes into settings or files, so none is offered then."""
        server = self.services.flow_server_running
        if server is None or server.token:
            return None
        return server.public_url

    def _default_tabs(self) -> None:
        # WORKAROUND (Qt 6.12): a second tabifyDockWidget group made before the window is
        # shown leaves a stale copy of its tab bar on screen (two "Problems | Call log" bars).
        # Made once shown, the stale bar stays hidden; a restored layout needs none of it.
        self.tabifyDockWidget(self.inspector_dock, self.flow_map_dock)
        self.tabifyDockWidget(self.flow_map_dock, self.dial_dock)
        self.tabifyDockWidget(self.dial_dock, self.endpoint_dock)
        self.tabifyDockWidget(self.endpoint_dock, self.server_dock)
        self.tabifyDockWidget(self.server_dock, self.started_dock)
        self.tabifyDockWidget(self.problems_dock, self.tests_dock)
        self.tabifyDockWidget(self.tests_dock, self.simulator_dock)
        self.tabifyDockWidget(self.simulator_dock, self.requests_dock)
        self.tabifyDockWidget(self.requests_dock, self.call_log_dock)
        self.inspector_dock.raise_()
        if should_show_at_start(self.settings):
            self.started_dock.raise_()
        else:
            self.started_dock.close()  # Help > Getting started opens it again
        self.problems_dock.raise_()

    def _default_sizes(self) -> None:
        """The docks' sizes once in their tab groups (see _default_tabs)."""
        vertical, horizontal = Qt.Orientation.Vertical, Qt.Orientation.Horizontal
        self.resizeDocks([self.inspector_dock, self.xml_dock], [470, 150], vertical)
        self.resizeDocks([self.problems_dock], [160], vertical)
        # Six tabs on the right: wide enough that their titles are not cut short.
        self.resizeDocks([self.palette_dock, self.inspector_dock], [260, 540], horizontal)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._tests_tab_pending:
            self._tests_tab_pending = False
            self.tabifyDockWidget(self.problems_dock, self.tests_dock)
        if self._tabs_pending:
            self._tabs_pending = False
            self._default_tabs()
            if not self._geometry_restored:
                # Not yet tabbed, the docks stacked up taller than DEFAULT_SIZE, and the
                # window grew to hold them; tabbed, they fit in it again.
                self.resize(DEFAULT_SIZE)
            self._default_sizes()
        # The tab groups are in place: from now on a dock in view is one seen.
        self.lazy.arm()

    # -- menus ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        self.files.populate(self.menuBar().addMenu("&File"))
        self._build_edit_menu()
        self._build_call_menu()
        self._build_tests_menu()
        self._build_view_menu()
        self._build_help_menu()

    def _build_edit_menu(self) -> None:
        edit = self.menuBar().addMenu("&Edit")
        undo = self.editing.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.editing.stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(redo_keys())
        self.undo_action, self.redo_action = undo, redo
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        for action in (
            self.editor.cut_action,
            self.editor.copy_action,
            self.editor.paste_action,
            self.editor.duplicate_action,
            self.editor.delete_action,
            self.editor.move_up_action,
            self.editor.move_down_action,
        ):
            edit.addAction(action)

    def _build_call_menu(self) -> None:
        call = self.menuBar().addMenu("&Call")
        dial = call.addAction("&Dial pad", self.show_dial_pad)
        dial.setShortcut(QKeySequence("Ctrl+Shift+D"))
        dial.setToolTip("Show the dial pad and put the cursor in the number")
        place = call.addAction("&Place call", lambda: self.dial_pad.call())
        place.setShortcut(QKeySequence("Ctrl+Shift+Return"))
        call.addAction("&Refresh DIDs", lambda: self.dial_pad.refresh_dids())
        call.addSeparator()
        endpoint = call.addAction("&Endpoint profiles", lambda: self._raise(self.endpoint_dock))
        endpoint.setShortcut(QKeySequence("Ctrl+Alt+E"))  # Ctrl+Shift+E: Export All
        log = call.addAction("Call &log", lambda: self._raise(self.call_log_dock))
        log.setShortcut(QKeySequence("Ctrl+Shift+L"))
        call.addSeparator()
        simulate = call.addAction("&Simulate the flow", self.run_simulator)
        simulate.setShortcut(QKeySequence("F5"))
        simulate.setToolTip("Run the selected flow in the Simulator, with no network")
        stop = call.addAction("S&top the simulation", self.stop_simulation)
        stop.setShortcut(QKeySequence("Shift+F5"))
        self.follow_action = call.addAction("F&ollow the running verb in the editor")
        self.follow_action.setCheckable(True)
        self.follow_action.setChecked(True)
        self.follow_action.setToolTip(
            "While the Simulator runs, select the verb being run in the editor and the FlexML "
            "view (this changes the selection and the Inspector)"
        )
        server = call.addAction("&Flow server", lambda: self._raise(self.server_dock))
        server.setShortcut(QKeySequence("Ctrl+Alt+S"))  # Ctrl+Shift+S: Save As
        requests = call.addAction("&Requests", lambda: self._raise(self.requests_dock))
        requests.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.place_call_action = place

    def _build_tests_menu(self) -> None:
        tests = self.menuBar().addMenu("&Tests")
        # The panel's Run all, Run the selected test and Rerun after each change, or until
        # it is made, stand-ins that make it (see tests_menu).
        self._tests_menu = TestsMenuStandIns(
            tests,
            lambda: self.tests_panel,
            rerun_on=bool(self.settings.get(RERUN_TESTS)),
            has_tests=bool(self.project.tests),
        )
        tests.addSeparator()
        shown = tests.addAction("Tests &panel", self.show_tests)
        shown.setToolTip("Show the Tests panel, the keys in its list")

    def _build_view_menu(self) -> None:
        view = self.menuBar().addMenu("&View")
        for dock in (
            self.flows_dock,
            self.palette_dock,
            self.inspector_dock,
            self.xml_dock,
            self.problems_dock,
            self.dial_dock,
            self.endpoint_dock,
            self.server_dock,
            self.call_log_dock,
            self.requests_dock,
            self.simulator_dock,
            self.started_dock,
            self.flow_map_dock,
            self.tests_dock,
        ):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        flow_map = view.addAction("Show the flow &map", self.show_flow_map)
        flow_map.setShortcut(QKeySequence("Ctrl+Shift+M"))
        flow_map.setToolTip("The whole project as a map: F fits it, Ctrl+wheel zooms")
        self.show_coverage_action = self._coverage_action()
        view.addAction(self.show_coverage_action)
        view.addSeparator()
        self.reset_layout_action = view.addAction("Reset &layout", self.reset_layout)
        self.reset_layout_action.setObjectName("reset-layout")
        self.reset_layout_action.setToolTip(
            "Put every panel back where it was at the first start (floating and closed "
            "panels too), and forget the layout saved at the last close"
        )
        self.reset_layout_action.setStatusTip(self.reset_layout_action.toolTip())

    def _coverage_action(self) -> QAction:
        action = QAction("Show test &coverage", self)
        action.setObjectName("show-coverage")
        action.setCheckable(True)
        action.setChecked(bool(self.settings.get(SHOW_COVERAGE)))
        action.setToolTip(
            "After a run of every test, mark the verbs, flows and switch cases no test "
            "reached (until the next change)"
        )
        action.setStatusTip(action.toolTip())
        action.toggled.connect(self.on_show_coverage_toggled)
        return action

    def _build_help_menu(self) -> None:
        help_menu = self.menuBar().addMenu("&Help")
        started = help_menu.addAction("&Getting started", lambda: self._raise(self.started_dock))
        started.setToolTip("Five steps from editing a flow to a call, with no account")
        reference = help_menu.addAction("FlexML &reference", self.show_reference)
        reference.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        reference.setToolTip("Every FlexML element and attribute; F1 opens the selected verb's")
        help_menu.addSeparator()
        help_menu.addAction("&About FlexML Studio", self.show_about)

    # -- wiring ---------------------------------------------------------------------------

    def _connect_signals(self) -> None:
        self.editing.stack.cleanChanged.connect(self.on_stack_clean_changed)
        self.editing.refused.connect(self.show_message)
        self.editing.project_replaced.connect(self.on_editing_project_replaced)
        self.flows_panel.flow_selected.connect(self.on_flows_panel_flow_selected)
        self.flows_panel.switch_selected.connect(self.on_flows_panel_switch_selected)
        self.editor.current_node_changed.connect(self.on_editor_current_node_changed)
        self.editor.verb_chosen.connect(self.on_editor_verb_chosen)
        self.editor.message.connect(self.show_message)
        self.palette_panel.verb_activated.connect(self.editor.insert_verb)
        self.problems_panel.problem_activated.connect(self.on_problems_panel_problem_activated)
        self.problems_panel.test_problem_activated.connect(
            self.on_problems_panel_test_problem_activated
        )
        self.files.message.connect(self.show_message)
        self.files.saved.connect(lambda _path: self.update_title())
        self.files.flows_imported.connect(self.flows_panel.select)
        self._refresh_timer.timeout.connect(self.refresh)
        # A call's end that could not be written to the log: said in the Call log panel.
        self.services.call_status_failed.connect(self.on_call_status_failed)
        self.services.flow_server_started.connect(self.on_flow_server_started)
        self.services.sandbox_started.connect(self.on_sandbox_started)
        self.services.flow_server_stopped.connect(
            lambda: self.server_state.setText("Flow server: off")
        )
        # The panels of the docks not in view are wired when made (the properties above).

    def _follow(self, project: Project) -> None:
        """Refresh after any change to the project or any of its flows."""
        project.changed.connect(self._on_project_change)
        for name in project.names:
            project.flow(name).changed.connect(self._on_document_change)

    def _on_project_change(self, change: ProjectChange) -> None:
        if change.kind is ProjectChangeKind.FLOW_ADDED and change.document is not None:
            change.document.changed.connect(self._on_document_change)
        elif change.kind is ProjectChangeKind.FLOW_REMOVED and change.document is not None:
            change.document.changed.disconnect(self._on_document_change)
            if change.name == self.current_flow:
                self.current_flow = None
        elif change.kind is ProjectChangeKind.FLOW_RENAMED and change.name == self.current_flow:
            self.current_flow = change.new_name
        elif change.kind is ProjectChangeKind.SWITCH_RENAMED and change.name == self.current_switch:
            self.current_switch = change.new_name
        self._forget_coverage()
        self._tell_tests_panel(change)
        self.schedule_refresh()

    def _on_document_change(self, _change: Change) -> None:
        self._forget_coverage()
        self._tell_tests_panel()
        self.schedule_refresh()

    def _tell_tests_panel(self, change: ProjectChange | None = None) -> None:
        """Pass a change on to the Tests panel; one not made yet reads the project when it
        is, unless tests rerun after each change: then it is made now, to rerun them."""
        if self._tests_panel is None:
            self._tests_menu.set_has_tests(bool(self.project.tests))
            if not (self.project.tests and self.settings.get(RERUN_TESTS)):
                return
        self.tests_panel.project_changed(change)

    def schedule_refresh(self) -> None:
        # A big project takes ~0.2 s to lint and render at 5,000 verbs: wait for a pause in
        # the typing instead of redoing it on every keystroke.
        verbs = sum(self.project.flow(name).root.child_count() for name in self.project.names)
        self._refresh_timer.start(0 if verbs < BIG_PROJECT_VERBS else 300)

    # -- showing the project --------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self.editing.project

    def show_project(self) -> None:
        project = self.project
        self.inspector.set_flow_names(project.all_names)  # flow: may name a switch
        first = project.entry or (project.names[0] if project.names else None)
        shown = self.current_flow
        if first is not None:
            self.flows_panel.select(first)
            self.on_flows_panel_flow_selected(first)
        else:
            self.editor.set_document(None)
        self.update_title()
        if first is None or self.current_flow == shown:
            self.refresh()  # (a flow newly shown was refreshed as it was)

    def refresh(self) -> None:
        """Lint every flow, then re-render what depends on it (one pass per gesture)."""
        self._refresh_timer.stop()
        project = self.project
        if self.current_switch is not None and not project.is_switch(self.current_switch):
            self.current_switch = None  # deleted: a flow is shown instead
        if self.current_switch is None and self.current_flow not in project:
            self.current_flow = None
            fallback = project.entry or (project.names[0] if project.names else None)
            if fallback is not None:
                self.flows_panel.select(fallback)
                self.on_flows_panel_flow_selected(fallback)
        self._problems_by_flow = project.lint()
        for panel in (self._dial_pad, self._simulator):  # one made later reads them then
            if panel is not None:
                panel.set_flows(project.names, project.entry)
        self._publish()
        if self._server_panel is not None:
            self._server_panel.refresh_urls()
        self.problems_panel.set_problems(self._problems_by_flow, self._test_problems())
        self.flows_panel.set_problems(self._problems_by_flow)
        self._refresh_switch()
        if self._flow_map is not None:
            self._flow_map.refresh(self._problems_by_flow, self.flows_panel.current_name())
        self.inspector.set_flow_names(project.all_names)
        errors = sum(p.is_error for ps in self._problems_by_flow.values() for p in ps)
        total = sum(len(ps) for ps in self._problems_by_flow.values())
        self.counts.setText(f"{len(project)} flows · {errors} errors · {total - errors} warnings")
        if self.current_flow is not None and self.editor.flow_model is not None:
            self.editor.flow_model.set_problems(self._problems_by_flow[self.current_flow])
            # The text as exported; where each node stands in it is asked of the text just
            # shown (FlowText.lines_of) until the next refresh.
            self._flow_text.follow(project.flow(self.current_flow))
            self.xml_view.set_xml(self._flow_text.text())
            self._highlight(self.editor.current_node())

    def _refresh_switch(self) -> None:
        """The switch shown: its problems on its rows, its text in the FlexML view."""
        name = self.current_switch
        if name is None:
            return
        from ..designer.switch_editor import switch_text

        self.switch_editor.set_problems(self._problems_by_flow.get(name, []))
        self.xml_view.set_xml(switch_text(self.project.switch(name)))
        self.xml_view.clear_highlight()

    def _publish(self) -> None:
        """Serve the project as it is now, when the flow server runs (edits served at once)."""
        try:
            self.services.publish()
        except Exception as exc:  # an export problem must not stop the refresh
            self.show_message(f"The flow server still serves the previous version: {exc}")

    def _highlight(self, node: Node | None) -> None:
        if node is None or self.current_flow is None:
            self.xml_view.clear_highlight()
            return
        if self._refresh_timer.isActive():
            return  # the text is about to change: the refresh highlights the node
        span = self._flow_text.lines_of(node)
        if span is None:
            self.xml_view.clear_highlight()
        else:
            self.xml_view.highlight_lines(*span)

    @property
    def sample_open(self) -> bool:
        """Whether the sample is open, as the first start opened it (not saved since)."""
        return self._sample and self.project.path is None

    def update_title(self) -> None:
        """The title names the project's file, or the sample, or says it has none; Getting
        started speaks of the sample only while it is open."""
        path = self.project.path
        if path is not None:
            name = path.name
        else:
            name = SAMPLE_TITLE if self.sample_open else "Untitled project"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(not self.editing.stack.isClean())
        if self._getting_started is not None:
            self._getting_started.set_sample_open(self.sample_open)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- slots ----------------------------------------------------------------------------

    def on_stack_clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def on_editing_project_replaced(self) -> None:
        self._sample = False  # opened, new from a template or recovered: not the sample
        self._follow(self.project)
        if self._dial_pad is not None:
            self._dial_pad.set_flows(self.project.names, self.project.entry, reset=True)
        self.current_flow = None
        self.current_switch = None
        self._forget_coverage()
        if self._tests_panel is None:  # (a made one follows the replacement itself)
            self._tests_menu.set_has_tests(bool(self.project.tests))
        self.central.setCurrentWidget(self.editor)
        self.show_project()

    def on_flows_panel_flow_selected(self, name: str) -> None:
        if name == self.current_flow or name not in self.project:
            return
        self.current_switch = None
        self.central.setCurrentWidget(self.editor)
        self.current_flow = name
        self.editor.set_document(self.project.flow(name))
        self._show_coverage()
        self.refresh()

    def on_flows_panel_switch_selected(self, name: str) -> None:
        """A switch was selected: the switch editor takes the flow editor's place."""
        if name == self.current_switch or not self.project.is_switch(name):
            return
        self.current_switch = name
        self.current_flow = None
        self.editor.set_document(None)  # the Inspector empties with it
        self.switch_editor.set_switch(name)
        self.central.setCurrentWidget(self.switch_editor)
        self.refresh()

    def on_editor_current_node_changed(self, node: Node | None) -> None:
        document = self.project.flow(self.current_flow) if self.current_flow else None
        self.inspector.set_target(document, node)
        self._highlight(node)

    def on_editor_verb_chosen(self, _node: Node) -> None:
        """The user picked a verb in the editor (a click or the keys): the Inspector, which
        edits it, comes forward when it is a tab behind another panel. Selections made by
        code (the Simulator following a run, an undo, a problem shown) never change the
        tab the user looks at, such as the flow map following a simulated call."""
        dock = self.inspector_dock
        if dock.toggleViewAction().isChecked():  # closed by the user: left closed
            dock.raise_()

    def on_problems_panel_problem_activated(self, flow: str, problem) -> None:
        if self.project.is_switch(flow):  # its case, its otherwise or its parameter
            self.flows_panel.select(flow)
            self.on_flows_panel_switch_selected(flow)
            self.switch_editor.select_problem(problem)
            return
        self.flows_panel.select(flow)
        self.on_flows_panel_flow_selected(flow)
        if problem.node is not None and problem.node.parent is not None:
            self.editor.select_nodes([problem.node])
            self.editor.setFocus()

    def on_flow_map_flow_clicked(self, name: str) -> None:
        """A click on the map selects the flow or switch, as a click in the Flows list."""
        self.flows_panel.select(name)

    def on_flow_map_flow_opened(self, name: str) -> None:
        """A double-click on the map opens the flow or switch: selected, the keys in its
        editor."""
        self.flows_panel.select(name)
        if name in self.project:
            self.editor.setFocus()
        elif self.project.is_switch(name):
            self.switch_editor.setFocus()

    # -- flow tests -----------------------------------------------------------------------

    def show_tests(self) -> None:
        """Tests > Tests panel: raised, the keys in its list."""
        self._raise(self.tests_dock)
        self.tests_panel.view.setFocus()

    def on_tests_panel_place_activated(self, flow: str, path: str | None) -> None:
        """A transcript line was activated: its flow (or switch) opened, its verb selected."""
        project = self.project
        if project.is_switch(flow):
            self.flows_panel.select(flow)
            self.on_flows_panel_switch_selected(flow)
            self.switch_editor.setFocus()
            return
        if flow not in project:
            self.show_message(f"The project has no flow {flow!r} any more")
            return
        self.flows_panel.select(flow)
        self.on_flows_panel_flow_selected(flow)
        if path is not None and not self.editor.select_path(path):
            self.show_message(f"{flow} has no verb at {path} any more: run the tests again")
        self.editor.setFocus()

    def on_simulator_test_recorded(self, test: FlowTest) -> None:
        """Save as test in the Simulator: the test added (one undo step) and shown in the
        Tests panel; a taken name is refused in the status line."""
        if self.editing.add_test(test):
            self._raise(self.tests_dock)
            self.tests_panel.select_test(test.name)
            self.show_message(f"Added the test {test.name}; Ctrl+Z takes it back")

    def on_problems_panel_test_problem_activated(self, name: str, _problem: Problem) -> None:
        """A test's problem was activated: the test selected in the Tests panel."""
        self._raise(self.tests_dock)
        self.tests_panel.select_test(name)

    def on_tests_panel_run_finished(self, found, fresh: bool) -> None:
        """Failures into the Problems panel; the coverage marks of a run of every test on
        the project as it still is."""
        self.problems_panel.set_problems(self._problems_by_flow, self._test_problems())
        if found.coverage is not None and fresh:
            self._coverage = found.coverage
            self._show_coverage()
        self.show_message(self.tests_panel.summary.text())

    def _test_problems(self) -> dict[str, list[Problem]]:
        """Each test's lint problems, then its failure in the last run (a test that could
        not run for a reason lint gives is not reported twice)."""
        project = self.project
        found = {name: list(problems) for name, problems in project.lint_tests().items()}
        results = self._tests_panel.results if self._tests_panel is not None else {}
        if results:  # a run was made: the runner is loaded
            from ...core.flowtests.runner import ERROR, FAILED
        for name, result in results.items():
            test = project.tests.get(name)
            if test is None or result.outcome not in (FAILED, ERROR):
                continue
            problems = found.setdefault(name, [])
            if result.outcome == FAILED:
                message = f"test {name}: {result.headline()}"
                code = "test-failed"
            elif not any(p.is_error for p in problems):
                message = f"test {name} could not run: {result.message}"
                code = "test-could-not-run"
            else:
                continue
            problems.append(Problem(Severity.ERROR, code, message, test.line, test.column, "test"))
        return {name: problems for name, problems in found.items() if problems}

    def on_show_coverage_toggled(self, shown: bool) -> None:
        self.settings.set(SHOW_COVERAGE, shown)
        self._show_coverage()

    def _forget_coverage(self) -> None:
        """The project changed: the marks are of the project as it was, so they go."""
        if self._coverage is not None:
            self._coverage = None
            self._show_coverage()

    def _show_coverage(self) -> None:
        """Mark what the last run of every test did not reach, or nothing (no run since the
        last change, or View > Show test coverage off)."""
        coverage = self._shown_coverage()
        if coverage is None:
            self.editor.set_unreached(())
        else:
            flow = self.current_flow
            self.editor.set_unreached(v.path for v in coverage.verbs.missed if v.flow == flow)
        self._show_map_coverage()

    def _shown_coverage(self) -> Coverage | None:
        """The coverage to mark: None when there is none or View > Show test coverage is off."""
        if self._coverage is None or not self.show_coverage_action.isChecked():
            return None
        return self._coverage

    def _show_map_coverage(self) -> None:
        """The flow map's part of _show_coverage (when the map is made)."""
        if self._flow_map is None:
            return
        coverage = self._shown_coverage()
        if coverage is None:
            self._flow_map.set_coverage()
        else:
            self._flow_map.set_coverage(
                coverage.flows.missed, ((c.switch, c.label) for c in coverage.cases.missed)
            )

    def show_flow_map(self) -> None:
        """View > Show the flow map: raised, with room to be read, the keys in it."""
        self._raise(self.flow_map_dock)
        if self.dockWidgetArea(self.flow_map_dock) == _RIGHT and self.flow_map_dock.width() < 560:
            self.resizeDocks([self.flow_map_dock], [560], Qt.Orientation.Horizontal)
        self.flow_map.view.setFocus()

    def _confirm_close_while_calling(self) -> bool:
        answer = QMessageBox.question(
            self,
            APP_NAME,
            "A call is on its way to CarrierX. Close anyway?\n\nThe call may still be "
            "placed, and then it will not be in the call log.",
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Close

    def _after_first_frame(self) -> None:
        """Right after the first paint: find the keyring on its thread (then make the Flow
        server panel, which configures the server with the token the keyring holds), and
        open the call log (calls of an earlier run that are overdue are marked then)."""
        self.first_frame_shown.emit()
        if not self.isVisible():
            return  # hidden at once (a screenshot is taken): nothing more to start
        self.services.open_keychain(self._keyring_found)
        self._open_call_log()

    def _keyring_found(self) -> None:
        self.server_panel  # noqa: B018 (made on first use)

    def _simulator_key(self, key: str) -> bool:
        """The dial pad's keys go to a simulator run waiting at a Gather."""
        sim = self._simulator
        return sim is not None and sim.waiting_for_keys() and sim.press(key)

    def on_simulator_waiting_changed(self, waiting: bool) -> None:
        if waiting:
            self.show_message("The simulated call waits for keys: use the dial pad or the keys")

    def _selected_endpoint(self):
        """The dial pad's endpoint. The Sandbox needs no secret: it never waits for the
        keyring (still being found on its thread right after start)."""
        from ...core.profiles import SANDBOX, sandbox_endpoint

        if self.services.profiles.selected == SANDBOX:
            return sandbox_endpoint(self.services.sandbox())
        return self.endpoint_panel.current_endpoint()

    def on_simulator_node_running(self, node: Node | None) -> None:
        """Follow the verb being run: its flow ringed on the flow map, and in the editor,
        the verb selected (unless the user turned that off in the Call menu)."""
        self._running = node  # for a flow map made during the call
        if self._flow_map is not None:
            self._flow_map.show_running(node)
        if node is None or not self.follow_action.isChecked():
            return
        root = node
        while root.parent is not None:
            root = root.parent
        flow = next(
            (name for name in self.project.names if self.project.flow(name).root is root), None
        )
        if flow is None:
            return  # a node of a fetched document that matches no flow of the project
        if flow != self.current_flow:
            self.flows_panel.select(flow)
            self.on_flows_panel_flow_selected(flow)
        if node.parent is not None:
            self.editor.select_nodes([node])

    def _open_call_log(self) -> None:
        """Open the call log (the Call log panel shows it when made)."""
        log = self.services.call_log
        panel = self._call_log_panel
        if log is not None and panel is not None and panel.log is None:
            panel.set_log(log)
        elif log is None and self.services.call_log_error:
            self.show_message(f"The call log is off: {self.services.call_log_error}")

    def _raise(self, dock: QDockWidget) -> None:
        if not dock.toggleViewAction().isChecked():  # closed by the user: open it again
            dock.show()  # (show() on an open tabbed dock makes Qt 6.12 add a tab bar)
        dock.raise_()

    def show_about(self) -> None:
        from ..help.about import AboutDialog

        AboutDialog(self).exec()

    def show_reference(self) -> None:
        """Help > FlexML reference (F1): at the selected verb's element when there is one."""
        if self._reference is None:
            from ..help.reference import ReferenceDialog

            self._reference = ReferenceDialog(self)
        node = self.editor.current_node()
        if node is not None:
            self._reference.show_element(node.tag)
        self._reference.show()
        self._reference.raise_()
        self._reference.activateWindow()

    def run_simulator(self) -> None:
        """F5: simulate the flow open in the editor, the Simulator in front with room."""
        self._raise(self.simulator_dock)
        self._make_room(self.simulator_dock)
        combo = self.simulator.flow_combo
        index = combo.findData(self.current_flow) if self.current_flow else -1
        if index >= 0:
            combo.setCurrentIndex(index)
        self.simulator.run()

    def _make_room(self, dock: QDockWidget) -> None:
        """Make a docked `dock` SIMULATOR_HEIGHT tall, at most SIMULATOR_SHARE of the
        window; one already taller keeps its height."""
        if dock.isFloating():
            return
        wanted = min(SIMULATOR_HEIGHT, int(self.height() * SIMULATOR_SHARE))
        if dock.height() < wanted:
            self.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    def show_dial_pad(self) -> None:
        self._raise(self.dial_dock)
        self.dial_pad.number_edit.setFocus()

    def on_call_log_redial(self, entry) -> None:
        self._raise(self.dial_dock)
        self.dial_pad.redial(entry)

    def on_credentials_dids_loaded(self, profile: str, dids: list) -> None:
        if profile == self.services.profiles.selected:
            self.dial_pad.set_dids(list(dids))

    def on_flow_server_started(self) -> None:
        server = self.services.flow_server_running
        if server is not None:
            self.server_state.setText(f"Flow server: {self.services.mask(server.base_url)}")
            if self._dial_pad is not None:
                self._dial_pad.set_flows(self.project.names, self.project.entry)
        # The request log follows the server from its start: no request goes unlisted.
        self.request_log  # noqa: B018 (made on first use)

    def on_sandbox_started(self) -> None:
        """The Simulator follows every sandbox call (its transcript, the verb running in the
        editor and on the flow map) from the sandbox's start: no call goes unseen."""
        self.simulator  # noqa: B018 (made on first use)

    def on_call_status_failed(self, text: str) -> None:
        """A call's end could not be written to the log: said in the Call log panel."""
        self.call_log_panel.show_warning(text)

    def on_endpoint_profile_changed(self, _profile) -> None:
        if self._dial_pad is not None:  # a pad made later reads the profile then
            self._dial_pad.profile_changed()

    def stop_simulation(self) -> None:
        """Shift+F5: stop the simulated call, if one runs."""
        if self._simulator is not None:
            self._simulator.stop()

    # -- layout and closing ---------------------------------------------------------------

    def _restore_layout(self) -> None:
        if not self.remember_layout:
            return
        geometry = self.settings.get("window/geometry")
        state = self.settings.get("window/state")
        if geometry:
            self._geometry_restored = self.restoreGeometry(QByteArray(geometry))
        if state and self.restoreState(QByteArray(state)):
            # A layout saved before the dial pad existed leaves it out of the tab groups.
            self._tabs_pending = not self.tabifiedDockWidgets(self.dial_dock)
            # One saved before the Tests panel existed: it goes beside Problems once shown
            # (see _default_tabs), the rest as saved.
            self._tests_tab_pending = not self._tabs_pending and not _holds(state, self.tests_dock)
            if not self._tabs_pending:  # the saved layout decides, except for this choice:
                if should_show_at_start(self.settings):
                    self.started_dock.show()
                    self.started_dock.raise_()
                else:
                    self.started_dock.close()

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back where a first start puts it (floating,
        closed and moved ones too), and the layout saved at the last close forgotten."""
        size = self.size()  # the docks stack up until tabbed again: the window grows
        self.lazy.disarm()  # untabbed for a moment, every dock looks in view
        for dock, _area in self._dock_places:
            dock.setFloating(False)
            self.removeDockWidget(dock)
        for dock, area in self._dock_places:
            self.addDockWidget(area, dock)
            dock.show()
        self._size_docks()
        if self.isVisible():
            self._default_tabs()
            if not (self.isMaximized() or self.isFullScreen()):
                self.resize(size)
            self._default_sizes()
            self.lazy.arm()
        else:  # made when first shown (see _default_tabs)
            self._tabs_pending = True
        if self.remember_layout:
            self.settings.set("window/state", b"")

    def save_layout(self) -> None:
        if not self.remember_layout:
            return
        self.settings.set("window/geometry", bytes(self.saveGeometry().data()))
        self.settings.set("window/state", bytes(self.saveState().data()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.confirm_discard("closing"):
            event.ignore()
            return
        calling = self._dial_pad is not None and self._dial_pad.busy
        if calling and not self._confirm_close_while_calling():
            event.ignore()
            return
        self.save_layout()
        self.files.shutdown()
        if self._tests_panel is not None:
            self._tests_panel.shutdown()
        if self._simulator is not None:
            self._simulator.shutdown()
        self.services.shutdown()
        if self.services.has_clients():
            # Best effort: the loop may end first, and then the process exit closes them.
            tasks.start_when_ready(self.services.aclose(), name="close API clients")
        event.accept()
