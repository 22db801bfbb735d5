"""The main window: palette, flow editor, inspector, XML view, problems and flows, in docks.

All wiring is in `_connect_signals`. Views follow the project's change events: a change
schedules one refresh (lint, XML, status) on the next turn of the event loop, so a gesture
that makes many changes refreshes once.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from ..core.flexml import Change, Node
from ..core.project import Project, ProjectChange, ProjectChangeKind
from .editing import Editing
from .file_actions import FileActions
from .flow_editor import FlowEditor
from .flows_panel import FlowsPanel
from .icons import app_icon
from .inspector import InspectorPanel
from .palette import PalettePanel
from .problems_panel import ProblemsPanel
from .settings import SettingsStore
from .xml_view import XmlView, line_ranges

APP_NAME = "FlexML Studio"
BIG_PROJECT_VERBS = 1000


class MainWindow(QMainWindow):
    """The window a user lives in."""

    def __init__(
        self,
        project: Project,
        settings: SettingsStore | None = None,
        *,
        remember_layout: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings or SettingsStore()
        self.remember_layout = remember_layout  # off for --screenshot: same picture each time
        self.editing = Editing(project, self)
        self.current_flow: str | None = None
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)
        self.setDockNestingEnabled(True)

        self.editor = FlowEditor(self.editing)
        self.editor.setObjectName("flow-editor")
        self.setCentralWidget(self.editor)
        self.palette_panel = PalettePanel()
        self.flows_panel = FlowsPanel(self.editing)
        self.inspector = InspectorPanel(self.editing)
        self.xml_view = XmlView()
        self.problems_panel = ProblemsPanel()
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.flows_dock = self._dock("Flows", self.flows_panel, left)
        self.palette_dock = self._dock("Palette", self.palette_panel, left)
        self.inspector_dock = self._dock("Inspector", self.inspector, right)
        self.xml_dock = self._dock("FlexML", self.xml_view, right)
        self.problems_dock = self._dock(
            "Problems", self.problems_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        vertical, horizontal = Qt.Orientation.Vertical, Qt.Orientation.Horizontal
        self.resizeDocks([self.flows_dock, self.palette_dock], [170, 430], vertical)
        self.resizeDocks([self.inspector_dock, self.xml_dock], [400, 200], vertical)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [260, 400], horizontal)
        self.resizeDocks([self.problems_dock], [140], vertical)

        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)
        self.files = FileActions(self)
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._problems_by_flow: dict = {}
        self._line_ranges: dict[int, tuple[int, int]] = {}
        self._build_menus()
        self._connect_signals()
        self._follow(project)
        self.show_project()
        self._restore_layout()

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}-dock")  # saveState() needs names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # -- menus ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.files.populate(file_menu)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.editing.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.editing.stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
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
        view = self.menuBar().addMenu("&View")
        for dock in (
            self.flows_dock,
            self.palette_dock,
            self.inspector_dock,
            self.xml_dock,
            self.problems_dock,
        ):
            view.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About FlexML Studio", self.files.about)

    # -- wiring ---------------------------------------------------------------------------

    def _connect_signals(self) -> None:
        self.editing.stack.cleanChanged.connect(self.on_stack_clean_changed)
        self.editing.refused.connect(self.show_message)
        self.editing.project_replaced.connect(self.on_editing_project_replaced)
        self.flows_panel.flow_selected.connect(self.on_flows_panel_flow_selected)
        self.editor.current_node_changed.connect(self.on_editor_current_node_changed)
        self.editor.message.connect(self.show_message)
        self.palette_panel.verb_activated.connect(self.editor.insert_verb)
        self.problems_panel.problem_activated.connect(self.on_problems_panel_problem_activated)
        self._refresh_timer.timeout.connect(self.refresh)

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
        self.schedule_refresh()

    def _on_document_change(self, _change: Change) -> None:
        self.schedule_refresh()

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
        self.inspector.set_flow_names(project.names)
        first = project.entry or (project.names[0] if project.names else None)
        if first is not None:
            self.flows_panel.select(first)
            self.on_flows_panel_flow_selected(first)
        else:
            self.editor.set_document(None)
        self.update_title()
        self.refresh()

    def refresh(self) -> None:
        """Lint every flow, then re-render what depends on it (one pass per gesture)."""
        self._refresh_timer.stop()
        project = self.project
        if self.current_flow not in project:
            self.current_flow = None
            fallback = project.entry or (project.names[0] if project.names else None)
            if fallback is not None:
                self.flows_panel.select(fallback)
                self.on_flows_panel_flow_selected(fallback)
        self._problems_by_flow = project.lint()
        self.problems_panel.set_problems(self._problems_by_flow)
        self.inspector.set_flow_names(project.names)
        errors = sum(p.is_error for ps in self._problems_by_flow.values() for p in ps)
        total = sum(len(ps) for ps in self._problems_by_flow.values())
        self.counts.setText(f"{len(project)} flows · {errors} errors · {total - errors} warnings")
        if self.current_flow is not None and self.editor.flow_model is not None:
            self.editor.flow_model.set_problems(self._problems_by_flow[self.current_flow])
            self.xml_view.set_xml(project.export(self.current_flow))
            # Where each node stands in the text just shown; used until the next refresh.
            self._line_ranges = line_ranges(project.flow(self.current_flow).root)
            self._highlight(self.editor.current_node())

    def _highlight(self, node: Node | None) -> None:
        if node is None or self.current_flow is None:
            self.xml_view.clear_highlight()
            return
        if self._refresh_timer.isActive():
            return  # the text is about to change: the refresh highlights the node
        span = self._line_ranges.get(id(node))
        if span is None:
            self.xml_view.clear_highlight()
        else:
            self.xml_view.highlight_lines(*span)

    def update_title(self) -> None:
        path = self.project.path
        name = path.name if path else "Untitled project"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(not self.editing.stack.isClean())

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- slots ----------------------------------------------------------------------------

    def on_stack_clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def on_editing_project_replaced(self) -> None:
        self._follow(self.project)
        self.current_flow = None
        self.show_project()

    def on_flows_panel_flow_selected(self, name: str) -> None:
        if name == self.current_flow or name not in self.project:
            return
        self.current_flow = name
        self.editor.set_document(self.project.flow(name))
        self.refresh()

    def on_editor_current_node_changed(self, node: Node | None) -> None:
        document = self.project.flow(self.current_flow) if self.current_flow else None
        self.inspector.set_target(document, node)
        self._highlight(node)

    def on_problems_panel_problem_activated(self, flow: str, problem) -> None:
        self.flows_panel.select(flow)
        self.on_flows_panel_flow_selected(flow)
        if problem.node is not None and problem.node.parent is not None:
            self.editor.select_nodes([problem.node])
            self.editor.setFocus()

    # -- layout and closing ---------------------------------------------------------------

    def _restore_layout(self) -> None:
        if not self.remember_layout:
            return
        geometry = self.settings.get("window/geometry")
        state = self.settings.get("window/state")
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        if state:
            self.restoreState(QByteArray(state))

    def save_layout(self) -> None:
        if not self.remember_layout:
            return
        self.settings.set("window/geometry", bytes(self.saveGeometry().data()))
        self.settings.set("window/state", bytes(self.saveState().data()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.confirm_discard("closing"):
            event.ignore()
            return
        self.save_layout()
        self.files.shutdown()
        event.accept()
