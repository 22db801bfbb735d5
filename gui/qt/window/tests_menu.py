"""The Tests menu, whose first three actions belong to the Tests panel, made later.

The Tests panel sits behind the Problems tab at a first start, so it is made when first seen
or used (see lazy_docks), and with it the flow test runner and the simulated call's runtime
it imports. Its actions (Run all tests, Ctrl+Shift+T; Run the selected test; Rerun tests
after each change) are in the Tests menu from the start all the same: until the panel is
made, stand-ins with the same text, keys and tips take their place. Triggering one makes
the panel and triggers the panel's own action; from then on the menu holds the panel's
actions themselves, as if it had been made at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from ..designer.tests_panel import TestsPanel

RUN_ALL_KEY = "Ctrl+Shift+T"  # as gui.qt.designer.tests_panel.RUN_ALL_KEY


class TestsMenuStandIns:
    """The stand-ins in `menu` until `swap(panel)` puts the panel's actions in their place.
    `panel()` makes the panel (which calls `swap`); `rerun_on()` is the remembered choice
    of rerunning tests after each change."""

    def __init__(
        self, menu: QMenu, panel: Callable[[], TestsPanel], rerun_on: bool, has_tests: bool
    ) -> None:
        self.menu = menu
        self._panel = panel
        key = QKeySequence(RUN_ALL_KEY).toString()
        run_all = self._add("&Run all tests", f"Run every test of the project ({key})")
        run_all.setIconText("Run all")
        run_all.setShortcut(QKeySequence(RUN_ALL_KEY))
        run_all.triggered.connect(lambda _checked=False: self._panel().run_all_action.trigger())
        run_one = self._add("Run the &selected test", "Run the selected test (Enter in the list)")
        run_one.setIconText("Run")
        run_one.triggered.connect(lambda _checked=False: self._panel().run_one_action.trigger())
        menu.addSeparator()
        rerun = self._add(
            "Rerun tests after each &change",
            "Run every test again a moment after each change to the project (on a copy: "
            "typing never waits for it)",
        )
        rerun.setCheckable(True)
        rerun.setChecked(rerun_on)
        rerun.triggered.connect(lambda checked: self._panel().rerun_action.setChecked(checked))
        self.run_all, self.run_one, self.rerun = run_all, run_one, rerun
        self.actions: list[QAction] | None = [run_all, run_one, rerun]
        self.set_has_tests(has_tests)

    def _add(self, text: str, tip: str) -> QAction:
        action = QAction(text, self.menu)
        action.setToolTip(tip)
        self.menu.addAction(action)
        return action

    def set_has_tests(self, has_tests: bool) -> None:
        """Run all and Run the selected test are for a project with tests (as the panel's)."""
        if self.actions is not None:
            self.run_all.setEnabled(has_tests)
            self.run_one.setEnabled(has_tests)

    def swap(self, panel: TestsPanel) -> None:
        """The panel is made: its actions take the stand-ins' places."""
        if self.actions is None:
            return
        real = (panel.run_all_action, panel.run_one_action, panel.rerun_action)
        for stand_in, action in zip(self.actions, real, strict=True):
            self.menu.insertAction(stand_in, action)
            self.menu.removeAction(stand_in)
            stand_in.setShortcuts([])  # its key is the panel's action's now
            stand_in.deleteLater()
        self.actions = None
