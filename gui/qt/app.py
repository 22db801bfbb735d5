"""Start the window: QApplication, one qasync event loop, the main window."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__
from ..core.flexml import FlexmlError
from ..core.project import Project, load

APP_NAME = "FlexML Studio"


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
    parser.add_argument("--screenshot", metavar="PNG", help=argparse.SUPPRESS)
    return parser.parse_args(list(argv))


def run(argv: Sequence[str]) -> int:
    """Open the window on the given project or FlexML files (the sample when none)."""
    import qasync

    from .main_window import MainWindow

    args = _arguments(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("FlexML Studio")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("flexml-studio")

    error = None
    try:
        project = load(args.files) if args.files else sample_project()
    except FlexmlError as exc:
        error = f"Could not open {', '.join(args.files)}:\n{exc.message}"
        project = sample_project()
    window = MainWindow(project)
    window.show()
    if error:
        QTimer.singleShot(0, lambda: QMessageBox.warning(window, APP_NAME, error))
    if args.screenshot:
        target = Path(args.screenshot)

        def shoot() -> None:
            window.grab().save(str(target))
            app.quit()

        QTimer.singleShot(300, shoot)

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
