"""File menu work for the main window: new from a template, open, save, import, export,
recent files, dropping .xml files, asking before losing changes, and crash recovery.

Every method that would show a file dialog also takes the path directly, which is how the
tests (and `flexml-studio FILE`) drive it. It is handed what it works on (the project's
Editing, the settings, the widget its dialogs belong to) and reports back by signals, so it
needs no window: the window wires those signals in its `_connect_signals`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QWidget,
)

from ...core.fileio import SaveError, atomic_write
from ...core.flexml import FlexmlError
from ...core.flexml.refs import slugify, unique_name
from ...core.project import SUFFIX, Project, load
from ...core.recovery import RecoveryStore
from ...core.templates import templates
from ..common.settings import SettingsStore
from ..designer.editing import Editing

AUTOSAVE_MS = 30_000
PROJECT_FILTER = f"FlexML Studio projects (*{SUFFIX})"
OPEN_FILTER = f"Projects and FlexML files (*{SUFFIX} *.xml);;{PROJECT_FILTER};;FlexML (*.xml)"


class FileActions(QObject):
    """The File menu's actions and what they do to the project being edited."""

    message = Signal(str)  # for the status bar: what was done, or why it was not
    saved = Signal(str)  # the path the project was just saved to (the title names it)
    flows_imported = Signal(str)  # the name of the last flow an import added (to select it)

    def __init__(
        self,
        editing: Editing,
        settings: SettingsStore,
        widget: QWidget,
        *,
        current_flow: Callable[[], str | None],
        recovery: RecoveryStore | None = None,
    ) -> None:
        """`widget` (the window) parents the dialogs, takes dropped files and closes on
        Quit; `current_flow` names the flow Export Flow writes."""
        super().__init__(widget)
        self.editing = editing
        self.settings = settings
        self.widget = widget
        self._current_flow = current_flow
        self.recovery = recovery or RecoveryStore()
        self.autosave = QTimer(self, interval=AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_recovery)
        self.autosave.start()
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)
        # Parented: a menu without one outlives the window as a hidden top-level widget.
        self.recent_menu = QMenu("Open &Recent", widget)
        self.recent_menu.aboutToShow.connect(self._fill_recent)

    @property
    def project(self) -> Project:
        return self.editing.project

    @property
    def modified(self) -> bool:
        return not self.editing.stack.isClean()

    def populate(self, menu: QMenu) -> None:
        def add(text: str, slot, shortcut=None, tip: str = "") -> QAction:
            act = menu.addAction(text)
            act.triggered.connect(lambda _checked=False: slot())
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.setStatusTip(tip)
            return act

        add(
            "&New from Template…",
            self.new_from_template,
            QKeySequence.StandardKey.New,
            "Start a project from a template",
        )
        add("&Open…", self.open, QKeySequence.StandardKey.Open, "Open a project or FlexML files")
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        self.save_action = add(
            "&Save", self.save, QKeySequence.StandardKey.Save, "Save the project"
        )
        add(
            "Save &As…",
            self.save_as,
            QKeySequence.StandardKey.SaveAs,
            "Save the project under a new name",
        )
        menu.addSeparator()
        add("&Import FlexML Files…", self.import_files, "Ctrl+I", "Add FlexML files as flows")
        add(
            "&Export Flow…",
            self.export_flow,
            "Ctrl+E",
            "Write the selected flow's FlexML to a file",
        )
        add(
            "Export &All Flows…",
            self.export_all,
            "Ctrl+Shift+E",
            "Write every flow's FlexML into a folder as NAME.xml",
        )
        menu.addSeparator()
        add("&Quit", self.widget.close, QKeySequence.StandardKey.Quit, "Quit FlexML Studio")

    # -- asking before losing changes ------------------------------------------------------

    def confirm_discard(self, doing: str) -> bool:
        """True when there is nothing unsaved, or the user saved or chose to discard it."""
        if not self.modified:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.widget,
            "Unsaved changes",
            f"The project has unsaved changes. Save them before {doing}?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    # -- opening ---------------------------------------------------------------------------

    def replace_project(self, project: Project) -> None:
        self.recovery.clear()
        self.editing.set_project(project)

    def open(self, paths: list[str] | None = None) -> bool:
        if paths is None:
            chosen, _ = QFileDialog.getOpenFileNames(
                self.widget, "Open a project or FlexML files", self._folder(), OPEN_FILTER
            )
            if not chosen:
                return False
            paths = chosen
        if not self.confirm_discard("opening another project"):
            return False
        try:
            project = load(paths)
        except FlexmlError as exc:
            self._error("Could not open", exc.message)
            return False
        self._remember_folder(paths[0])
        if project.path is not None:
            self.settings.add_recent_file(str(project.path))
        self.replace_project(project)
        return True

    def new_from_template(self, name: str | None = None) -> bool:
        choices = templates()
        if name is None:
            labels = [f"{t.title} — {t.description}" for t in choices]
            label, ok = QInputDialog.getItem(
                self.widget, "New project", "Start from:", labels, 0, False
            )
            if not ok:
                return False
            name = choices[labels.index(label)].name
        template = next(t for t in choices if t.name == name)
        if not self.confirm_discard("starting a new project"):
            return False
        self.replace_project(template.load())
        return True

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _checked=False, p=path: self.open([p]))
        if not recent:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> bool:
        if self.project.path is None:
            return self.save_as()
        return self._save_to(self.project.path)

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        if path is None:
            start = str(Path(self._folder()) / f"{self.project.entry or 'project'}{SUFFIX}")
            chosen, _ = QFileDialog.getSaveFileName(
                self.widget, "Save the project", start, PROJECT_FILTER
            )
            if not chosen:
                return False
            path = chosen if chosen.endswith(SUFFIX) else chosen + SUFFIX
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.project.save(path)
        except SaveError as exc:
            self._error("Could not save", str(exc))
            return False
        self.editing.stack.setClean()
        self.settings.add_recent_file(str(path))
        self._remember_folder(str(path))
        self.recovery.clear()
        self.saved.emit(str(path))
        self.message.emit(f"Saved {path}")
        return True

    def save_recovery(self) -> None:
        """Every 30 s while modified: a copy of the project that survives a crash."""
        if self.modified:
            try:
                self.recovery.save(self.project.to_text(), self.project.path)
            except SaveError as exc:
                self.message.emit(f"Could not write the recovery copy: {exc}")

    def shutdown(self) -> None:
        self.autosave.stop()
        self.recovery.clear()

    # -- import and export -----------------------------------------------------------------

    def import_files(self, paths: list[str] | None = None) -> bool:
        if paths is None:
            chosen, _ = QFileDialog.getOpenFileNames(
                self.widget, "Import FlexML files as flows", self._folder(), "FlexML (*.xml)"
            )
            if not chosen:
                return False
            paths = chosen
        try:
            imported = load(paths)
        except FlexmlError as exc:
            self._error("Could not import", exc.message)
            return False
        project = self.project
        documents = [(name, imported.flow(name)) for name in imported.names]

        def add_all() -> None:
            for name, document in documents:
                project.add_flow(unique_name(slugify(name), set(project.names)), document)

        label = f"Import {len(documents)} flow{'s' if len(documents) != 1 else ''}"
        if self.editing.edit(label, add_all):
            self.flows_imported.emit(project.names[-1])
            return True
        return False

    def ask_base_url(self) -> str | None:
        """The base URL flow: references resolve against; remembered between runs."""
        last = self.settings.get("export/base-url")
        text, ok = QInputDialog.getText(
            self.widget,
            "Export",
            "Base URL where the flows will be served (flow:NAME becomes BASE/flows/NAME).\n"
            "Leave empty to keep flow: references as they are.",
            text=last,
        )
        if not ok:
            return None
        text = text.strip()
        self.settings.set("export/base-url", text)
        return text

    def export_flow(self, path: str | None = None, base_url: str | None = None) -> bool:
        name = self._current_flow()
        if name is None:
            return False
        if base_url is None:
            base_url = self.ask_base_url()
            if base_url is None:
                return False
        if path is None:
            start = str(Path(self._folder()) / f"{name}.xml")
            path, _ = QFileDialog.getSaveFileName(
                self.widget, "Export flow", start, "FlexML (*.xml)"
            )
            if not path:
                return False
        text = self.project.export(name, base_url=base_url or None)
        return self._write(Path(path), text)

    def export_all(self, folder: str | None = None, base_url: str | None = None) -> bool:
        if base_url is None:
            base_url = self.ask_base_url()
            if base_url is None:
                return False
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self.widget, "Export every flow into", self._folder()
            )
            if not folder:
                return False
        for name in self.project.names:
            text = self.project.export(name, base_url=base_url or None)
            if not self._write(Path(folder) / f"{name}.xml", text, quiet=True):
                return False
        self.message.emit(f"Exported {len(self.project)} flows to {folder}")
        return True

    def _write(self, path: Path, text: str, quiet: bool = False) -> bool:
        try:
            atomic_write(path, text.encode("utf-8"))
        except SaveError as exc:
            self._error("Could not export", str(exc))
            return False
        if not quiet:
            self.message.emit(f"Exported {path}")
        self._remember_folder(str(path))
        return True

    # -- dropping files on the window ------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget and event.type() in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            xml = [p for p in paths if p.lower().endswith(".xml")]
            if not xml:
                return False
            if event.type() == QEvent.Type.DragEnter:
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.accept()
                self.import_files(xml)
            return True
        return super().eventFilter(watched, event)

    # -- helpers ---------------------------------------------------------------------------

    def _error(self, title: str, message: str) -> None:
        self.message.emit(f"{title}: {message}")
        QMessageBox.warning(self.widget, title, message)

    def _folder(self) -> str:
        return self.settings.get("files/last-folder") or str(Path.home())

    def _remember_folder(self, path: str) -> None:
        self.settings.set("files/last-folder", str(Path(path).resolve().parent))
