"""File menu work for the main window: new from a template, open, save, import, export,
recent files, dropping .xml files, asking before losing changes, and crash recovery.

Export checks what `flexml-studio export` checks (gui.core.export_check), so the window is
never quieter than the command line: flows with lint errors are written only after "Export
anyway", and `flow:` references are never kept silently. The base URL they become
BASE/flows/NAME under is asked once per project (remembered by the project file's path, or
for the session while the project has no file) and can be changed from the File menu.

Saving and exporting never replace what is not a regular file (a named pipe, a device, a
loop of links: gui.core.fileio refuses them), and ask before replacing a read-only file.
Export All never follows a symbolic link planted in its folder, as `flexml-studio export
--all` does not.

Every method that would show a file dialog also takes the path directly, which is how the
tests (and `flexml-studio FILE`) drive it. It is handed what it works on (the project's
Editing, the settings, the widget its dialogs belong to) and reports back by signals, so it
needs no window: the window wires those signals in its `_connect_signals`.
"""

from __future__ import annotations

import os
import weakref
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

from ...core.export_check import (
    PROJECT_BASE_URL,
    blocking_errors,
    reference_counts,
    switch_users,
)
from ...core.fileio import ReadOnlyError, SaveError, atomic_write, check_target
from ...core.flexml import FlexmlError
from ...core.flexml.refs import slugify, unique_name
from ...core.project import SUFFIX, Project, load
from ...core.project_file import write_project
from ...core.recovery import RecoveryStore
from ...core.templates import templates
from ..common.names import findable
from ..common.settings import SettingsStore
from ..designer.editing import Editing
from .export_dialogs import BaseUrlDialog, errors_box, plural, quoted, save_changes_box

AUTOSAVE_MS = 30_000
LAST_BASE_URL = "export/base-url"  # the last answer, offered to a project not yet asked
BASE_URLS = "export/base-urls"  # "URL PATH" per project file, newest first
BASE_URLS_KEPT = 100
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
        served_base: Callable[[], str | None] | None = None,
    ) -> None:
        """`widget` (the window) parents the dialogs, takes dropped files and closes on
        Quit; `current_flow` names the flow Export Flow writes; `served_base` gives the
        running flow server's public base URL (None when there is none), offered as the
        base URL of exported flows."""
        super().__init__(widget)
        self.editing = editing
        self.settings = settings
        self.widget = widget
        self._current_flow = current_flow
        self.served_base = served_base or (lambda: None)
        # Base URLs given for projects that have no file yet: for this session only.
        self._session_base_urls: weakref.WeakKeyDictionary[Project, str] = (
            weakref.WeakKeyDictionary()
        )
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
        base = add(
            "Export &Base URL…",
            self.choose_base_url,
            tip="Where this project's flows will be served: flow:NAME references become "
            "BASE/flows/NAME in exported files",
        )
        base.setToolTip(base.statusTip())
        menu.addSeparator()
        add("&Quit", self.widget.close, QKeySequence.StandardKey.Quit, "Quit FlexML Studio")

    # -- asking before losing changes ------------------------------------------------------

    def confirm_discard(self, doing: str) -> bool:
        """True when there is nothing unsaved, or the user saved or chose to discard it."""
        if not self.modified:
            return True
        buttons = QMessageBox.StandardButton
        box = save_changes_box(self.widget, doing)
        try:
            box.exec()
            clicked = box.clickedButton()
            answer = box.standardButton(clicked) if clicked is not None else buttons.Cancel
        finally:
            box.deleteLater()
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
        old = self.project.path
        moving = old is None or _path_key(old) != _path_key(path)
        given = self._given_base_url(self.project) if moving else None
        try:
            try:
                self.project.save(path)
            except ReadOnlyError:
                if not self._confirm_replace([path], "Save"):
                    self.message.emit(f"Not saved: {path} is read-only")
                    return False
                self._save_read_only(path)
        except SaveError as exc:
            self._error("Could not save", str(exc))
            return False
        if given is not None:  # the base URL goes with the project to its new file
            self._session_base_urls.pop(self.project, None)
            _store_base_url(self.settings, _path_key(path), given)
        self.editing.stack.setClean()
        self.settings.add_recent_file(str(path))
        self._remember_folder(str(path))
        self.recovery.clear()
        self.saved.emit(str(path))
        self.message.emit(f"Saved {path}")
        return True

    def _save_read_only(self, path: Path) -> None:
        """Save over a read-only project file the user agreed to replace (as
        Project.save does, the previous version kept as NAME.bak)."""
        atomic_write(path, write_project(self.project), backup=True, replace_read_only=True)
        self.project.path = Path(path)

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

    def export_flow(self, path: str | None = None, base_url: str | None = None) -> bool:
        """Write the current flow's FlexML. Asks first when it has lint errors, and for
        the base URL when it has `flow:` references and this project has none yet;
        `base_url` given ("" keeps the references) asks for none."""
        name = self._current_flow()
        if name is None:
            return False
        title = f"Export {quoted(name)}"
        if not self._confirm_errors([name], title):
            return False
        if base_url is None:
            base_url = self._base_url_for([name], title)
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
        replace = self._may_replace([Path(path)], "Export", follow_symlinks=True)
        if replace is None or not self._write(Path(path), text, replace):
            return False
        self.message.emit(f"Exported {path}{self._export_notes([name], base_url)}")
        return True

    def export_all(self, folder: str | None = None, base_url: str | None = None) -> bool:
        """Write every flow into a folder as NAME.xml: one question for all the flows with
        lint errors, and one for the base URL."""
        names = self.project.names
        if not names:
            self.message.emit("Not exported: the project has no flows")
            return False
        title = "Export all flows"
        if not self._confirm_errors(names, title):
            return False
        if base_url is None:
            base_url = self._base_url_for(names, title)
            if base_url is None:
                return False
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self.widget, "Export every flow into", self._folder()
            )
            if not folder:
                return False
        files = {name: Path(folder) / f"{name}.xml" for name in names}
        replace = self._may_replace(list(files.values()), "Export", follow_symlinks=False)
        if replace is None:
            return False
        for name, path in files.items():
            text = self.project.export(name, base_url=base_url or None)
            if not self._write(path, text, replace, follow_symlinks=False):
                return False
        notes = self._export_notes(names, base_url)
        self.message.emit(f"Exported {plural(len(names), 'flow')} to {folder}{notes}")
        return True

    def _confirm_errors(self, names: list[str], title: str) -> bool:
        """True when none of `names` has lint errors (`flexml-studio export` refuses those
        without --force), or the user chose "Export anyway"."""
        errors = blocking_errors(self.project, names)
        if not errors:
            return True
        box = errors_box(self.widget, errors, title)
        try:
            box.exec()
            clicked = box.clickedButton()
            accept = QMessageBox.ButtonRole.AcceptRole
            anyway = clicked is not None and box.buttonRole(clicked) == accept
        finally:
            box.deleteLater()
        if not anyway:
            count = sum(len(found) for found in errors.values())
            flows = ", ".join(quoted(name) for name in errors)
            self.message.emit(
                f"Not exported: {flows} {'has' if len(errors) == 1 else 'have'} "
                f"{plural(count, 'error')} (fix them, or choose Export anyway)"
            )
        return anyway

    def _export_notes(self, names: list[str], base_url: str) -> str:
        """What the status bar adds after "Exported ...": where the `flow:` references
        point now, or that they were left in the files, and the switches only the flow
        server answers (as the CLI says)."""
        notes = []
        count = sum(reference_counts(self.project, names).values())
        them = "it" if count == 1 else "them"
        if count and base_url:
            notes.append(f"{plural(count, 'flow: reference')} turned into URLs under {base_url}")
        elif count:
            notes.append(
                f"still holding {plural(count, 'flow: reference')} that CarrierX cannot fetch "
                f"(File > Export Base URL… turns {them} into URLs)"
            )
        switches = switch_users(self.project, names)
        if switches:
            listed = ", ".join(quoted(name) for name in switches)
            notes.append(
                f"{'switch' if len(switches) == 1 else 'switches'} {listed} cannot be a file: "
                "CarrierX must reach the running flow server for "
                f"{'it' if len(switches) == 1 else 'them'}"
            )
        return "".join(f"; {note}" for note in notes)

    # -- the base URL of exported flows ----------------------------------------------------

    def remembered_base_url(self) -> str | None:
        """The base URL this project's flows are exported with: the answer given for it,
        else the project's own setting (the one `flexml-studio export` reads); None when
        there is neither. "" keeps the `flow:` references."""
        given = self._given_base_url(self.project)
        return given if given is not None else self.project.settings.get(PROJECT_BASE_URL)

    def _given_base_url(self, project: Project) -> str | None:
        """The answer given for `project`: by its file's path, or for this session while
        it has no file."""
        if project.path is None:
            return self._session_base_urls.get(project)
        return _base_urls(self.settings).get(_path_key(project.path))

    def remember_base_url(self, url: str) -> None:
        project = self.project
        if url:
            self.settings.set(LAST_BASE_URL, url)
        if project.path is None:
            self._session_base_urls[project] = url
        else:
            _store_base_url(self.settings, _path_key(project.path), url)

    def ask_base_url(self, title: str, about: str, accept_text: str = "Export") -> str | None:
        """The base URL typed into the dialog ("" to keep `flow:` references), remembered
        for this project; None when cancelled. It offers the remembered one, else the
        running flow server's public URL, else the last one given for any project."""
        served = self.served_base()
        value = self.remembered_base_url()
        if value is None:
            value = served or self.settings.get(LAST_BASE_URL)
        dialog = BaseUrlDialog(self.widget, title, about, value, served, accept_text)
        try:
            if not dialog.exec():
                return None
            url = dialog.value
        finally:
            dialog.deleteLater()
        self.remember_base_url(url)
        return url

    def choose_base_url(self) -> bool:
        """File > Export Base URL…: give or change this project's base URL."""
        project = self.project
        which = quoted(project.path.name) if project.path else "this unsaved project"
        url = self.ask_base_url(
            f"Export: where will the flows of {which} be served?",
            "Exported flows turn flow:NAME into BASE/flows/NAME, for CarrierX to fetch. "
            "Leave it empty to keep the flow: references (CarrierX cannot fetch them).",
            accept_text="Save",
        )
        if url is None:
            return False
        self.message.emit(
            f"Flows of {which} are exported with the base URL {url}"
            if url
            else f"Flows of {which} are exported with their flow: references kept"
        )
        return True

    def _base_url_for(self, names: list[str], title: str) -> str | None:
        """The base URL to export `names` with: "" when they hold no `flow:` reference,
        the remembered one, or the dialog's answer; None when the dialog was cancelled."""
        counts = reference_counts(self.project, names)
        if not counts:
            return ""
        remembered = self.remembered_base_url()
        if remembered is not None:
            return remembered
        total = sum(counts.values())
        holders = "It holds" if len(names) == 1 else "The flows hold"
        return self.ask_base_url(
            f"{title}: where will the flows be served?",
            f"{holders} {plural(total, 'flow: reference')}, which CarrierX cannot fetch. "
            "Give the base URL where the flows will be served: flow:NAME becomes "
            "BASE/flows/NAME. It is remembered for this project (File > Export Base URL… "
            "changes it). Leave it empty to keep the flow: references.",
        )

    def _may_replace(self, paths: list[Path], doing: str, *, follow_symlinks: bool) -> bool | None:
        """Before writing `paths`: None when one of them must not be replaced (said) or
        the user would not replace the read-only ones; else whether read-only files may
        be replaced (asked once for all of them)."""
        read_only = []
        for path in paths:
            try:
                check_target(path, follow_symlinks=follow_symlinks)
            except ReadOnlyError:
                read_only.append(path)
            except SaveError as exc:
                self._error(f"Could not {doing.lower()}", str(exc))
                return None
        if not read_only:
            return False
        if self._confirm_replace(read_only, doing):
            return True
        self.message.emit(f"Not {doing.lower()}ed: {_listed(read_only)} read-only")
        return None

    def _confirm_replace(self, paths: list[Path], doing: str) -> bool:
        """Ask whether to replace read-only files; True for Replace."""
        box = replace_read_only_box(self.widget, paths, doing)
        try:
            box.exec()
            return box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        finally:
            box.deleteLater()

    def _write(
        self, path: Path, text: str, replace: bool = False, *, follow_symlinks: bool = True
    ) -> bool:
        try:
            atomic_write(
                path,
                text.encode("utf-8"),
                replace_read_only=replace,
                follow_symlinks=follow_symlinks,
            )
        except SaveError as exc:
            self._error("Could not export", str(exc))
            return False
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


def replace_read_only_box(parent: QWidget, paths: list[Path], doing: str) -> QMessageBox:
    """Replace / Cancel for read-only files about to be written; Cancel is the default, as
    a read-only file is usually read-only on purpose."""
    buttons = QMessageBox.StandardButton
    one = len(paths) == 1
    shown = "\n".join(str(p) for p in paths[:10])
    if len(paths) > 10:
        shown += f"\n… and {len(paths) - 10} more"
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        f"{doing}: replace {'a read-only file' if one else 'read-only files'}?",
        f"{'This file is' if one else f'These {len(paths)} files are'} read-only:\n{shown}\n\n"
        f"Replace {'it' if one else 'them'} anyway? {'It keeps' if one else 'They keep'} "
        "being read-only afterwards.",
        buttons.Yes | buttons.Cancel,
        parent,
    )
    box.setObjectName("replace-read-only")
    replace, cancel = box.button(buttons.Yes), box.button(buttons.Cancel)
    replace.setText("&Replace")
    findable(replace, "replace-read-only-replace", "Replace the read-only file")
    replace.setToolTip("Write over the read-only file; it stays read-only")
    cancel.setText("&Cancel")
    findable(cancel, "replace-read-only-cancel", "Cancel")
    cancel.setToolTip("Leave the file as it is and write nothing (Escape)")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def _listed(paths: list[Path]) -> str:
    if len(paths) == 1:
        return f"{paths[0]} is"
    return f"{len(paths)} files are"


def _path_key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _base_urls(settings: SettingsStore) -> dict[str, str]:
    """Project file -> the base URL given for it. Entries are "URL PATH": a base URL has no
    space in it (check_base_url), a path may."""
    found: dict[str, str] = {}
    for entry in settings.get(BASE_URLS):
        url, _, path = entry.partition(" ")
        found.setdefault(path, url)
    return found


def _store_base_url(settings: SettingsStore, key: str, url: str) -> None:
    others = [e for e in settings.get(BASE_URLS) if e.partition(" ")[2] != key]
    settings.set(BASE_URLS, [f"{url} {key}", *others][:BASE_URLS_KEPT])
