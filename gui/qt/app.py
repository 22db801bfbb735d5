"""Start the window: QApplication, one qasync event loop, the main window.

With no files given, the window reopens the project last opened or saved; the sample only
when there is none (a first start), or when that project is gone (and says so).

`flexml-studio --screenshot OUT.png [PROJECT_OR_XML...]` opens the window on that project
(or the sample, never the last project), renders it to a PNG and exits 0: the README's
screenshots and tests use it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__
from ..core.flexml import FlexmlError
from ..core.project import Project, load
from .common import tasks
from .common.icons import app_icon
from .common.messages import unexpected
from .common.names import findable
from .common.settings import SettingsStore

APP_NAME = "FlexML Studio"
# The reverse-DNS id of packaging/linux/APP_ID.desktop (and its metainfo): Wayland
# compositors and docks match the window to that file, its name and icon, by it.
APP_ID = "io.github.flexmlstudio.FlexMLStudio"

_logger = logging.getLogger(__name__)


def sample_project() -> Project:
    """The sample project shown on first start, so the window is never empty."""
    sample = resources.files("gui.resources").joinpath("samples/sample.flexproj")
    with resources.as_file(sample) as path:
        project = load([path])
    project.path = None  # a copy: saving asks for a place of the user's own
    return project


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flexml-studio", add_help=False)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--screenshot", metavar="PNG")
    return parser.parse_args(list(argv))


def _offer_recovery(window) -> None:
    """After a crash: offer each recovery copy left behind, newest first."""
    store = window.files.recovery
    for recovery in store.pending():
        source = recovery.source_path or "an unsaved project"
        when = recovery.saved_at.astimezone()
        answer = QMessageBox.question(
            window,
            "Restore unsaved work?",
            f"FlexML Studio did not close properly. A copy of {source} from "
            f"{when:%Y-%m-%d %H:%M} has changes that were not saved.\n\nRestore it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            store.discard(recovery)
            continue
        try:
            project = recovery.load()
        except FlexmlError as exc:
            QMessageBox.warning(window, APP_NAME, f"The copy could not be read: {exc.message}")
            continue  # kept on disk: nothing is thrown away that could not be read
        window.files.replace_project(project)
        # Restored work is unsaved work: mark it so closing asks first.
        window.editing.stack.resetClean()
        window.update_title()
        store.discard(recovery)
        return


def last_project(settings: SettingsStore) -> tuple[Project | None, str | None]:
    """The project the user last opened or saved, read again; else None, and why it could
    not be read (None when there was none to reopen)."""
    path = settings.last_project()
    if path is None:
        return None, None
    if not os.path.isfile(path):
        reason = "it was moved or deleted"
    else:
        try:
            return load([path]), None
        except FlexmlError as exc:
            reason = exc.message
        except Exception:  # a bug: the window still opens, on the sample
            unexpected(_logger, "reopening %s", path)
            reason = "something unexpected went wrong; the details are in the log"
    settings.remove_recent_file(path)  # said once; File > Open finds it if it comes back
    return None, f"Could not reopen {path}: {reason}. The sample is open instead."


def tell(window, text: str) -> QMessageBox:
    """Say `text` in the status bar and in a message that does not stop the window."""
    window.show_message(text)
    box = QMessageBox(
        QMessageBox.Icon.Information, APP_NAME, text, QMessageBox.StandardButton.Ok, window
    )
    box.setObjectName("start-message")
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    findable(box.button(QMessageBox.StandardButton.Ok), "start-message-ok", "OK")
    QTimer.singleShot(0, box.show)  # once the window is up
    return box


def build_window(files: Sequence[str], *, remember_layout: bool = True, reopen: bool = True):
    """The main window on `files` (a project or FlexML files); with none, on the last
    project (when `reopen`), or on the sample."""
    from .window.main_window import MainWindow

    settings = SettingsStore()
    project: Project | None = None
    error = problem = None
    if files:
        try:
            project = load(list(files))
        except FlexmlError as exc:
            error = f"Could not open {', '.join(files)}:\n{exc.message}"
    elif reopen:
        project, problem = last_project(settings)
    sample = project is None
    window = MainWindow(
        sample_project() if sample else project,
        settings,
        remember_layout=remember_layout,
        sample=sample,
    )
    if error:
        QTimer.singleShot(0, lambda: QMessageBox.warning(window, APP_NAME, error))
    if problem:
        tell(window, problem)
    return window


class FileOpenFilter(QObject):
    """Opens what the system hands over as a file-open event (macOS sends a double-clicked
    document this way, not on the command line) in the window, as File > Open would."""

    def __init__(self, window, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen:
            path = event.file()  # type: ignore[attr-defined]
            if path:
                QTimer.singleShot(0, lambda: self.window.files.open([path]))
                return True
        return super().eventFilter(watched, event)


GC_SETTLE_MS = 3000  # the collector is back on by then, even with no first frame
FIRST_FRAME_WAIT_MS = 3000  # asyncio starts by then, even with no first frame (minimized)


def settle_garbage_collector() -> None:
    """Turn the collector back on (`flexml-studio` turns it off while it starts).

    Not gc.freeze(): what start-up made would never be collected again, and a flow tree is
    a cycle (each node points at its parent), so the project opened at start, or a verb
    deleted from it, would stay in memory for as long as the app runs."""
    import gc

    gc.enable()


def until_first_frame(app: QApplication, window) -> bool:
    """Run Qt's own event loop until `window` has shown its first frame (or
    FIRST_FRAME_WAIT_MS passed): nothing before it needs asyncio, and importing asyncio
    and qasync first would cost the first frame about 55 ms. False when the window is no
    longer shown then (a screenshot was taken, or the window closed at once): the app ends."""
    waiting = QEventLoop()
    give_up = QTimer(waiting, singleShot=True, interval=FIRST_FRAME_WAIT_MS)
    give_up.timeout.connect(waiting.quit)
    give_up.start()
    window.first_frame_shown.connect(waiting.quit)
    app.lastWindowClosed.connect(waiting.quit)
    try:
        waiting.exec()
    finally:
        window.first_frame_shown.disconnect(waiting.quit)
        app.lastWindowClosed.disconnect(waiting.quit)
    return window.isVisible()


def run(argv: Sequence[str]) -> int:
    """Open the window on the given project or FlexML files (the sample when none); the
    qasync event loop (every async action's) runs from the turn after its first frame."""
    args = _arguments(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("FlexML Studio")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())  # every window and dialog, before a desktop file is installed

    # A screenshot shows the sample, never the user's own last project.
    shot = bool(args.screenshot)
    tasks.hold()  # until the event loop below exists
    window = build_window(args.files, remember_layout=not shot, reopen=not shot)
    window.first_frame_shown.connect(settle_garbage_collector)
    QTimer.singleShot(GC_SETTLE_MS, settle_garbage_collector)
    window.show()
    if sys.platform == "darwin":
        # Only macOS sends file-open events. Elsewhere the filter would only cost: an
        # application's event filter sees every event of every widget.
        app.installEventFilter(FileOpenFilter(window, app))
    outcome = {"code": 0}
    if args.screenshot:
        target = Path(args.screenshot)

        def shoot() -> None:
            try:
                window.refresh()
                if not window.grab().save(str(target)):
                    print(
                        f"flexml-studio: could not write the screenshot {target}",
                        file=sys.stderr,
                    )
                    outcome["code"] = 1
            except Exception:  # a bug: said, and the process still ends
                unexpected(_logger, "taking the screenshot %s", target)
                outcome["code"] = 1
            finally:
                window.editing.stack.setClean()  # a screenshot never asks to save
                window.hide()  # taken: what the window starts after its first frame is not
                # Ends the qasync loop when the first frame came after FIRST_FRAME_WAIT_MS
                # (a huge project); before it, until_first_frame sees the window hidden.
                app.quit()

        # The first frame, as the user would see it first (see MainWindow._after_first_frame).
        window.first_frame_shown.connect(shoot)
    if not until_first_frame(app, window):
        tasks.drop_held()
        return outcome["code"]
    if not shot:  # (a screenshot that came late must not answer for another run's copy)
        QTimer.singleShot(0, lambda: _offer_recovery(window))

    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    tasks.release()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return outcome["code"]
