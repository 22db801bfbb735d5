"""Docks whose panel is made when the dock first comes into view, not at start-up.

Most docks of the window sit in a tab group behind another one at a first start (the dial
pad, the Simulator, the call log...): nobody sees them in the first frame, so making them,
and importing what they need, only delays it. Each such dock holds a placeholder from the
start (the QDockWidget itself exists at once, so a saved layout restores as before); its
panel is made as soon as the dock is in view: its tab brought forward, the dock shown or
floated. Code that reaches a panel before that makes it then (the window's properties).

QDockWidget.visibilityChanged says when a dock comes into view, but while the window is
first shown it says True for every dock: the default tab groups are only made in the
window's showEvent (see MainWindow._default_tabs), so until then every dock looks visible.
So what the signal says is only noted until `arm()`, called once the tab groups are in
place; `arm()` makes the panels of the docks in view then, and from then on a dock that
comes into view gets its panel at once, before it is painted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget


class LazyDocks:
    """See the module docstring. `add(dock, make)` for each dock; `make()` makes (or finds)
    the dock's panel and puts it in the dock."""

    def __init__(self) -> None:
        self._makers: dict[QDockWidget, Callable[[], object]] = {}
        self._in_view: dict[QDockWidget, bool] = {}
        self.armed = False

    def add(self, dock: QDockWidget, make: Callable[[], object]) -> None:
        self._makers[dock] = make
        dock.visibilityChanged.connect(lambda visible: self._on_visibility(dock, visible))

    def pending(self, dock: QDockWidget) -> bool:
        """Whether `dock`'s panel is still to be made."""
        return dock in self._makers

    def arm(self) -> None:
        """From now on a dock that comes into view gets its panel; those in view now get
        theirs at once."""
        self.armed = True
        for dock, visible in list(self._in_view.items()):
            if visible:
                self.make(dock)

    def disarm(self) -> None:
        """Only note what comes into view (while the docks are moved around)."""
        self.armed = False

    def make(self, dock: QDockWidget) -> None:
        """Make `dock`'s panel now, if it is still to be made."""
        make = self._makers.pop(dock, None)
        if make is not None:
            make()

    def _on_visibility(self, dock: QDockWidget, visible: bool) -> None:
        self._in_view[dock] = visible
        if visible and self.armed:
            self.make(dock)
