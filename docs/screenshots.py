"""Render the README's screenshots from the real window (offscreen): `make screenshots`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from gui.core.flexml import parse
from gui.core.templates import templates
from gui.qt.app import sample_project
from gui.qt.main_window import MainWindow

HERE = Path(__file__).resolve().parent / "screenshots"

BROKEN = b"""<Response>
  <Say voice="woman" loop="500">Thanks for calling.</Say>
  <Gather numDigits="1"/>
  <Dial>12</Dial>
  <Hangup/>
  <Say>Nobody hears this.</Say>
  <Conference>room</Conference>
</Response>"""


def shoot(window: MainWindow, app: QApplication, name: str) -> None:
    window.refresh()
    app.processEvents()
    target = HERE / name
    window.grab().save(str(target))
    print(target)


def main() -> int:
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        app = QApplication.instance() or QApplication(sys.argv[:1])

        window = MainWindow(sample_project(), remember_layout=False)
        window.show()
        shoot(window, app, "main-window.png")

        ivr = next(t for t in templates() if t.name == "ivr-menu").load()
        window.files.replace_project(ivr)
        window.flows_panel.select("menu")
        gather = next(n for n in ivr.flow("menu").root.children if n.tag == "Gather")
        window.editor.select_nodes([gather])
        shoot(window, app, "ivr-menu.png")

        broken = sample_project()
        broken.add_flow("broken", parse(BROKEN))
        window.files.replace_project(broken)
        window.flows_panel.select("broken")
        shoot(window, app, "problems.png")
        window.editing.stack.setClean()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
