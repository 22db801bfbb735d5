"""The main window (a read-only project view until the designer arrives)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
)

from .. import __version__
from ..core.flexml import FlexmlError, Severity
from ..core.project import Project, load


class MainWindow(QMainWindow):
    """Flows on the left, the selected flow's FlexML in the middle, its problems below."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.resize(1100, 720)
        self.flows = QListWidget()
        self.flows.setToolTip("The project's flows; the entry flow is marked ▶")
        self.xml_view = QPlainTextEdit(readOnly=True)
        self.xml_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.xml_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.problems = QTreeWidget()
        self.problems.setHeaderLabels(["Line", "Severity", "Code", "Message"])
        self.problems.setRootIsDecorated(False)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.xml_view)
        right.addWidget(self.problems)
        right.setSizes([520, 160])
        body = QSplitter()
        body.addWidget(self.flows)
        body.addWidget(right)
        body.setSizes([220, 880])
        self.setCentralWidget(body)
        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)
        self._build_menus()
        self._connect_signals()
        self.set_project(project)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open…", self, shortcut=QKeySequence.StandardKey.Open)
        self.open_action.setToolTip("Open a project or FlexML files")
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction("&About FlexML Studio", self)
        help_menu.addAction(self.about_action)

    def _connect_signals(self) -> None:
        self.flows.currentRowChanged.connect(self.on_flows_current_row_changed)
        self.open_action.triggered.connect(self.on_open_action_triggered)
        self.quit_action.triggered.connect(self.close)
        self.about_action.triggered.connect(self.on_about_action_triggered)

    def set_project(self, project: Project) -> None:
        self.project = project
        self._problems = project.lint()
        title = project.path.name if project.path else "Untitled project"
        self.setWindowTitle(f"{title} — FlexML Studio")
        self.flows.clear()
        for name in project.names:
            label = f"▶ {name}" if name == project.entry else f"   {name}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.flows.addItem(item)
        errors = sum(p.is_error for ps in self._problems.values() for p in ps)
        total = sum(len(ps) for ps in self._problems.values())
        self.status.setText(f"{len(project)} flows · {errors} errors · {total - errors} warnings")
        if project.names:
            self.flows.setCurrentRow(project.names.index(project.entry or project.names[0]))

    def current_flow(self) -> str | None:
        item = self.flows.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def on_flows_current_row_changed(self, _row: int) -> None:
        name = self.current_flow()
        self.problems.clear()
        if name is None:
            self.xml_view.clear()
            return
        self.xml_view.setPlainText(self.project.export(name))
        for problem in self._problems[name]:
            row = QTreeWidgetItem(
                [str(problem.line or ""), problem.severity.value, problem.code, problem.message]
            )
            if problem.severity is Severity.ERROR:
                row.setForeground(1, Qt.GlobalColor.red)
            self.problems.addTopLevelItem(row)

    def on_open_action_triggered(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Open a project or FlexML files",
            "",
            "FlexML Studio projects and FlexML files (*.flexproj *.xml);;All files (*)",
        )
        if not files:
            return
        try:
            self.set_project(load(files))
        except FlexmlError as exc:
            QMessageBox.warning(self, "FlexML Studio", f"Could not open the files:\n{exc}")

    def on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About FlexML Studio",
            f"<b>FlexML Studio {__version__}</b><p>Design, serve, simulate and call "
            "CarrierX FlexML voice flows.</p>",
        )
