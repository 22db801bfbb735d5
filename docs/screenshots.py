"""Render the README's screenshots from the real window (offscreen): `make screenshots`."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from gui.core.calllog import sid_forms
from gui.core.flexml import parse
from gui.core.templates import templates
from gui.qt.app import sample_project
from gui.qt.window.main_window import MainWindow

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


def wait(app: QApplication, until, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the screenshot's call did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def switch_editor(window: MainWindow, app: QApplication) -> None:
    """The IVR template's menu switch open in the switch editor (the project must be open)."""
    vertical = Qt.Orientation.Vertical
    window.resizeDocks([window.flows_dock, window.palette_dock], [280, 320], vertical)
    window.flows_panel.select("route")
    window.switch_editor.table.setFocus()
    shoot(window, app, "switch-editor.png")
    window.resizeDocks([window.flows_dock, window.palette_dock], [170, 430], vertical)


def flow_map(window: MainWindow, app: QApplication) -> None:
    """The IVR template on the flow map, given room (the project must be open); the
    window's size and docks are put back after."""
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    window.resize(1440, 900)
    window.show_flow_map()
    window.resizeDocks([window.flow_map_dock], [840], horizontal)
    window.resizeDocks([window.flow_map_dock, window.xml_dock], [560, 110], vertical)
    window.flows_panel.select("menu")
    app.processEvents()
    window.flow_map.fit()
    shoot(window, app, "flow-map.png")
    window.resize(1280, 800)
    window.resizeDocks([window.palette_dock, window.inspector_dock], [260, 540], horizontal)
    window.resizeDocks([window.inspector_dock, window.xml_dock], [470, 150], vertical)
    window.inspector_dock.raise_()


def calling(window: MainWindow, app: QApplication) -> None:
    """A sandbox call from the dial pad: the pad's progress, the call log with its requests."""
    from gui.core.runtime.sandbox import Sandbox

    window.services.sandbox_factory = lambda: Sandbox.default(speed=8.0)
    window.resize(1440, 1000)
    app.processEvents()
    vertical = Qt.Orientation.Vertical
    window.resizeDocks([window.inspector_dock, window.xml_dock], [600, 90], vertical)
    window.resizeDocks([window.call_log_dock], [300], vertical)
    window.show_dial_pad()
    pad = window.dial_pad
    pad.number_edit.setText("+1 (516) 206-5318")
    pad.call()
    wait(app, lambda: pad.active_call is not None and window.services.in_call(pad.active_call))
    pad.press("1")
    # In the call: Hang up in place of Call, the keys above the call's progress.
    wait(
        app,
        lambda: any(
            "dial" in pad.progress_list.item(i).text().lower()
            for i in range(pad.progress_list.count())
        ),
    )
    window.call_log_dock.raise_()
    shoot(window, app, "in-call.png")
    wait(app, lambda: pad.active_call is None)
    log = window.call_log_panel
    window.call_log_dock.raise_()
    log.select_entry(log.model.entries()[0].id)
    wait(app, lambda: log.details.requests.topLevelItemCount() > 1)
    window.dial_dock.raise_()
    shoot(window, app, "calling.png")
    window.endpoint_dock.raise_()
    shoot(window, app, "endpoint.png")
    window.server_dock.raise_()
    shoot(window, app, "flow-server.png")

    # The request log: the menu's request, replayed after an edit of its prompt.
    requests = window.request_log
    window.requests_dock.raise_()
    sid = log.model.entries()[0].call_sid
    requests.show_call(sid)
    forms = set(sid_forms(sid))  # requests carry the SID without its dashes
    rows = [r.path for r in requests.model.records() if (r.call_sid or "").lower() in forms]
    requests.select_row(rows.index("/flows/menu"))
    menu = window.project.flow("menu")
    gather = next(n for n in menu.root.children if n.tag == "Gather")
    say = next(n for n in gather.children if n.tag == "Say")
    window.flows_panel.select("menu")
    window.on_flows_panel_flow_selected("menu")
    window.editing.set_text(menu, say, "For sales, press 1. For support, press 2. Or 9 again.")
    window.refresh()
    requests.replay()
    shoot(window, app, "requests.png")
    window.editing.stack.undo()
    window.refresh()

    # The simulator, waiting at the menu's Gather for a key from the pad.
    sim = window.simulator
    window.simulator_dock.raise_()
    window.resizeDocks([window.simulator_dock], [400], Qt.Orientation.Vertical)
    sim.flow_combo.setCurrentIndex(sim.flow_combo.findData("menu"))
    sim.speed_combo.setCurrentIndex(sim.speed_combo.findText("4x"))
    sim.run()
    wait(app, sim.waiting_for_keys)
    time.sleep(0.3)
    app.processEvents()
    shoot(window, app, "simulator.png")
    sim.stop()
    wait(app, lambda: not sim.running)
    sim.shutdown()
    window.services.shutdown()


def tests_panel(window: MainWindow, app: QApplication) -> None:
    """The Tests panel after Run all on the IVR template with the sales prompt changed
    (the project must be open): the failing test selected, its transcript beside it."""
    vertical = Qt.Orientation.Vertical
    window.resize(1440, 900)
    sales = window.project.flow("sales")
    window.editing.set_text(sales, sales.root.child(0), "You have reached the sales team. Goodbye.")
    window.flows_panel.select("sales")
    panel = window.tests_panel
    panel.run_all_action.trigger()  # as Ctrl+Shift+T: the panel comes forward
    wait(app, lambda: not panel.running and panel.results)
    window.resizeDocks([window.tests_dock], [330], vertical)
    panel.select_test("sales")
    app.processEvents()
    panel.detail.scroll_to_stop()
    shoot(window, app, "tests-panel.png")
    window.editing.stack.undo()
    window.resize(1280, 800)
    window.problems_dock.raise_()


def main() -> int:
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        # The sandbox's credentials, the call log and profiles go to a throwaway place,
        # and no real keyring is asked.
        os.environ["XDG_DATA_HOME"] = tmp
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        app = QApplication.instance() or QApplication(sys.argv[:1])
        import asyncio

        import qasync

        asyncio.set_event_loop(qasync.QEventLoop(app, already_running=True))

        window = MainWindow(sample_project(), remember_layout=False)
        window.show()
        shoot(window, app, "main-window.png")

        window.inspector_dock.raise_()  # the first start shows Getting started there
        ivr = next(t for t in templates() if t.name == "ivr-menu").load()
        window.files.replace_project(ivr)
        window.flows_panel.select("menu")
        gather = next(n for n in ivr.flow("menu").root.children if n.tag == "Gather")
        window.editor.select_nodes([gather])
        shoot(window, app, "ivr-menu.png")
        window.show_reference()  # F1 on the selected Gather
        window._reference.resize(1000, 700)
        app.processEvents()
        window._reference.grab().save(str(HERE / "reference.png"))
        print(HERE / "reference.png")
        window._reference.show_element("Stream")  # one of CarrierX's later elements
        app.processEvents()
        window._reference.grab().save(str(HERE / "reference-stream.png"))
        print(HERE / "reference-stream.png")
        window._reference.close()
        switch_editor(window, app)
        flow_map(window, app)
        tests_panel(window, app)

        broken = sample_project()
        broken.add_flow("broken", parse(BROKEN))
        window.files.replace_project(broken)
        window.flows_panel.select("broken")
        shoot(window, app, "problems.png")

        window.files.replace_project(sample_project())
        calling(window, app)
        window.editing.stack.setClean()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
