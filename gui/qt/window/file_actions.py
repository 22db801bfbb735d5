"""File menu work for the main window: new from a template, open, save, import, export,
recent files, dropping .xml files, asking before losing changes, and crash recovery.

Every method that would show a file dialog also takes the path directly, which is how the
tests (and `flexml-studio FILE`) drive it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
)

from ...core.fileio import SaveError, atomic_write
from ...core.flexml import FlexmlError
from ...core.flexml.refs import slugify, unique_name
from ...core.project import SUFFIX, Project, load
from ...core.recovery import RecoveryStore
from ...core.templates import templates

if TYPE_CHECKING:
    from .main_window import MainWindow

AUTOSAVE_MS = 30_000
PROJECT_FILTER = f"FlexML Studio projects (*{SUFFIX})"
OPEN_FILTER = f"Projects and FlexML files (*{SUFFIX} *.xml);;{PROJECT_FILTER};;FlexML (*.xml)"


class FileActions(QObject):
    """The File menu's actions and what they do to the window's project."""

    def __init__(self, window: MainWindow, recovery: RecoveryStore | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.recovery = recovery or RecoveryStore()
        self.autosave = QTimer(self, interval=AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_recovery)
        self.autosave.start()
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self.recent_menu = QMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)

    @property
    def project(self) -> Project:
        return self.window.editing.project

    @property
    def modified(self) -> bool:
        return not self.window.editing.stack.isClean()

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
        add("&Quit", self.window.close, QKeySequence.StandardKey.Quit, "Quit FlexML Studio")

    # -- asking before losing changes ------------------------------------------------------

    def confirm_discard(self, doing: str) -> bool:
        """True when there is nothing unsaved, or the user saved or chose to discard it."""
        if not self.modified:
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window,
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
        self.window.editing.set_project(project)

    def open(self, paths: list[str] | None = None) -> bool:
        if paths is None:
            chosen, _ = QFileDialog.getOpenFileNames(
                self.window, "Open a project or FlexML files", self._folder(), OPEN_FILTER
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
            self.window.settings.add_recent_file(str(project.path))
        self.replace_project(project)
        return True

    def new_from_template(self, name: str | None = None) -> bool:
        choices = templates()
        if name is None:
            labels = [f"{t.title} — {t.description}" for t in choices]
            label, ok = QInputDialog.getItem(
                self.window, "New project", "Start from:", labels, 0, False
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
        recent = self.window.settings.recent_files()
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
                self.window, "Save the project", start, PROJECT_FILTER
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
        self.window.editing.stack.setClean()
        self.window.settings.add_recent_file(str(path))
        self._remember_folder(str(path))
        self.recovery.clear()
        self.window.update_title()
        self.window.show_message(f"Saved {path}")
        return True

    def save_recovery(self) -> None:
        """Every 30 s while modified: a copy of the project that survives a crash."""
        if self.modified:
            try:
                self.recovery.save(self.project.to_text(), self.project.path)
            except SaveError as exc:
                self.window.show_message(f"Could not write the recovery copy: {exc}")

    def shutdown(self) -> None:
        self.autosave.stop()
        self.recovery.clear()

    # -- import and export -----------------------------------------------------------------

    def import_files(self, paths: list[str] | None = None) -> bool:
        if paths is None:
            chosen, _ = QFileDialog.getOpenFileNames(
                self.window, "Import FlexML files as flows", self._folder(), "FlexML (*.xml)"
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
        if self.window.editing.edit(label, add_all):
            self.window.flows_panel.select(project.names[-1])
            return True
        return False

    def ask_base_url(self) -> str | None:
        """The base URL flow: references resolve against; remembered between runs."""
        last = self.window.settings.get("export/base-url")
        text, ok = QInputDialog.getText(
            self.window,
            "Export",
            "Base URL where the flows will be served (flow:NAME becomes BASE/flows/NAME).\n"
            "Leave empty to keep flow: references as they are.",
            text=last,
        )
        if not ok:
            return None
        text = text.strip()
        self.window.settings.set("export/base-url", text)
        return text

    def export_flow(self, path: str | None = None, base_url: str | None = None) -> bool:
        name = self.window.current_flow
        if name is None:
            return False
        if base_url is None:
            base_url = self.ask_base_url()
            if base_url is None:
                return False
        if path is None:
            start = str(Path(self._folder()) / f"{name}.xml")
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Export flow", start, "FlexML (*.xml)"
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
                self.window, "Export every flow into", self._folder()
            )
            if not folder:
                return False
        for name in self.project.names:
            text = self.project.export(name, base_url=base_url or None)
            if not self._write(Path(folder) / f"{name}.xml", text, quiet=True):
                return False
        self.window.show_message(f"Exported {len(self.project)} flows to {folder}")
        return True

    def _write(self, path: Path, text: str, quiet: bool = False) -> bool:
        try:
            atomic_write(path, text.encode("utf-8"))
        except SaveError as exc:
            self._error("Could not export", str(exc))
            return False
        if not quiet:
            self.window.show_message(f"Exported {path}")
        self._remember_folder(str(path))
        return True

    # -- dropping files on the window ------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.DragEnter, QEvent.Type.Drop):
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
        self.window.show_message(f"{title}: {message}")
        QMessageBox.warning(self.window, title, message)

    def _folder(self) -> str:
        return self.window.settings.get("files/last-folder") or str(Path.home())

    def _remember_folder(self, path: str) -> None:
        self.window.settings.set("files/last-folder", str(Path(path).resolve().parent))
