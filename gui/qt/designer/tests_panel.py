"""The Tests panel: every flow test of the project with how it last went, Run all, run one,
and for the selected test its call's transcript (tests_detail.py).

Runs never hold up the editor: the project is copied as it is (its file's text, taken on the
GUI thread in a few milliseconds), and the copy is read, run and measured for coverage on a
thread of its own; the results come back on the GUI thread. A run started while another
goes replaces it: each run has a number, and a run's results arrive only if no later run
was started meanwhile; the replaced run stops before its next test (its thread ends).
With "Rerun tests after each change" on, a run starts RERUN_DELAY after the last change
(typing into a prompt runs the tests once, at a pause).

The window follows the project and tells the panel (`project_changed`); `run_finished`
hands it what a run found, for the Problems panel and the coverage marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.flexml import FlexmlError
from ...core.project import TEST_CHANGES, Project, ProjectChange, ProjectChangeKind
from ..common import tasks
from ..common.messages import failure_text
from ..common.names import findable
from ..common.settings import RERUN_TESTS, SettingsStore
from ..common.theme import is_dark
from ..common.views import as_row_list
from .editing import Editing
from .tests_detail import TestDetail
from .tests_model import NAME_ROLE, OUTCOME_TEXT, TestsModel, outcome_icon, summary_text

if TYPE_CHECKING:  # the runner and coverage are loaded by the first run (on its thread)
    from ...core.flowtests.coverage import Coverage
    from ...core.flowtests.model import FlowTest
    from ...core.flowtests.runner import FlowTestResult

_logger = logging.getLogger(__name__)
T = TypeVar("T")

RUN_ALL_KEY = "Ctrl+Shift+T"
RERUN_DELAY = 600  # ms after the last change before the tests run again
EMPTY_TEXT = (
    "No tests yet: record one from the Simulator (Save as test) or write <test> in the project file"
)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
LONGEST_TIME = "999999.9 ms"  # what the Time column is made wide enough for (1,000 s)


@dataclass(frozen=True)
class RunOutcome:
    """What one run found: the results in the tests' order, and for a run of every test
    what they reached (None for a run of some of them)."""

    results: list[FlowTestResult]
    coverage: Coverage | None


def run_copy(
    text: str, names: list[str] | None, stop: Callable[[], bool] | None = None
) -> RunOutcome | None:
    """Read a copy of the project from its file's `text` and run its tests named `names`
    (None: all, with their coverage). Runs on a worker thread: touches nothing else.
    `stop` is asked before each test; None when it said stop."""
    from ...core.flowtests.coverage import measure
    from ...core.flowtests.runner import RunStopped, run_tests
    from ...core.project_file import read_project

    project = Project.from_contents(read_project(text.encode("utf-8")))
    if names is None:
        tests = list(project.tests.values())
    else:
        tests = [project.test(name) for name in names if name in project.tests]
    try:
        results = run_tests(project, tests, jobs=1, stop=stop)
    except RunStopped:
        return None
    return RunOutcome(results, measure(project, results) if names is None else None)


async def in_thread(func: Callable[[], T]) -> T:
    """`func()` on a thread of its own, awaited on the event loop.

    Not asyncio.to_thread: under qasync that runs on a pool of QThreads that outlive the
    work (a window's test finds them still running); this thread ends with its work."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value, error: BaseException | None) -> None:
        if future.done():  # cancelled meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value, error = func(), None
        except BaseException as exc:  # handed to the awaiting coroutine
            value, error = None, exc
        # RuntimeError: the loop closed meanwhile (the app quit), and nobody waits.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="flow tests", daemon=True).start()
    return await future


class TestsView(QTreeView):
    """The list of tests: Enter runs the current one (`run_requested`), a double-click
    opens its flow (`open_requested`)."""

    run_requested = Signal(str)
    open_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.doubleClicked.connect(self._on_double_clicked)

    def fit_columns(self) -> None:
        """Make the Result and Time columns as wide as their widest possible text: the
        widest outcome with its icon ("Could not run"), and LONGEST_TIME. Worked out from
        the font, not from the rows (a column fitted to its rows asks every row again
        whenever results arrive: a stall at a thousand tests), so the columns keep their
        width as results come and go."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate, header = self.itemDelegate(), self.header()
        samples = QStandardItemModel()
        for outcome, text in OUTCOME_TEXT.items():
            samples.appendRow([QStandardItem(outcome_icon(outcome), text), QStandardItem()])
        samples.setItem(0, 1, QStandardItem(LONGEST_TIME))
        for sample, column in ((0, TestsModel.RESULT), (1, TestsModel.TIME)):
            hints = (
                delegate.sizeHint(option, samples.index(row, sample)).width()
                for row in range(samples.rowCount())
            )
            header.resizeSection(column, max(*hints, header.sectionSizeHint(column)))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit_columns()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        if event.key() in _ENTER_KEYS and current.isValid():
            self.run_requested.emit(current.data(NAME_ROLE))
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(index.data(NAME_ROLE))


class TestsPanel(QWidget):
    """See the module docstring. `place_activated(flow, path)` asks the window to show a
    transcript line's verb; `flow_open_requested(name)` to open a flow or switch;
    `run_started()` and `run_finished(RunOutcome, fresh)` bracket a run whose results arrived
    (`fresh`: the project did not change while it ran); `message(text)` is for the status
    line."""

    place_activated = Signal(str, object)
    flow_open_requested = Signal(str)
    run_started = Signal()
    run_finished = Signal(object, bool)
    message = Signal(str)

    def __init__(self, editing: Editing, settings: SettingsStore, parent=None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.settings = settings
        self.results: dict[str, FlowTestResult] = {}
        # The result of each test removed since, kept with the test it was of: undoing the
        # removal brings it back; another test made under that name gets none.
        self._removed: dict[str, tuple[FlowTest, FlowTestResult]] = {}
        self.coverage: Coverage | None = None
        self.coverage_stale = False  # the project changed since the coverage was measured
        self.running = False
        self._run = 0  # the number of the latest run; results of earlier ones are dropped
        self._stop = threading.Event()  # set when the latest run is replaced: it stops
        self._changes = 0  # changes to the project so far (a run notes it at its start)
        self._rerun = QTimer(self, singleShot=True, interval=RERUN_DELAY)
        self._rerun.timeout.connect(self.run_all)
        self.model = TestsModel(self)
        self.model.set_dark(is_dark(self.palette()))
        self._build_actions()
        self._build()
        self._connect_signals()
        self.reload()

    @property
    def project(self) -> Project:
        return self.editing.project

    # -- building ---------------------------------------------------------------------------

    def _build_actions(self) -> None:
        key = QKeySequence(RUN_ALL_KEY).toString()
        self.run_all_action = QAction("&Run all tests", self)
        self.run_all_action.setIconText("Run all")
        self.run_all_action.setShortcut(QKeySequence(RUN_ALL_KEY))
        self.run_all_action.setToolTip(f"Run every test of the project ({key})")
        self.run_all_action.triggered.connect(lambda _checked=False: self.run_all())
        self.run_one_action = QAction("Run the &selected test", self)
        self.run_one_action.setIconText("Run")
        self.run_one_action.setToolTip("Run the selected test (Enter in the list)")
        self.run_one_action.triggered.connect(lambda _checked=False: self.run_selected())
        self.delete_action = QAction("&Delete test", self)
        self.delete_action.setIconText("Delete")
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.setToolTip(
            f"Delete the selected test ({self.delete_action.shortcut().toString()}; "
            "Ctrl+Z brings it back)"
        )
        self.delete_action.triggered.connect(lambda _checked=False: self.delete_selected())
        self.rerun_action = QAction("Rerun tests after each &change", self)
        self.rerun_action.setCheckable(True)
        self.rerun_action.setChecked(bool(self.settings.get(RERUN_TESTS)))
        self.rerun_action.setToolTip(
            "Run every test again a moment after each change to the project (on a copy: "
            "typing never waits for it)"
        )
        self.rerun_action.toggled.connect(self._on_rerun_toggled)

    def _button(self, action: QAction, name: str, accessible: str) -> QToolButton:
        button = findable(QToolButton(self), name, accessible, action.toolTip())
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def _build(self) -> None:
        self.summary = QLabel(self)
        self.summary.setObjectName("tests-summary")
        self.summary.setWordWrap(True)  # a narrow window: two lines, not a wider dock
        self.summary.setToolTip(
            "How the tests went when they last ran, and what a run of every test reached of "
            "the project's flows, verbs and switch cases"
        )
        self.run_all_button = self._button(self.run_all_action, "tests-run-all", "Run all tests")
        self.run_one_button = self._button(
            self.run_one_action, "tests-run-one", "Run the selected test"
        )
        self.delete_button = self._button(self.delete_action, "tests-delete", "Delete the test")
        self.rerun_box = findable(
            QCheckBox("Rerun after each change", self),
            "tests-rerun",
            "Rerun tests after each change",
        )
        self.rerun_box.setToolTip(self.rerun_action.toolTip())
        self.rerun_box.setChecked(self.rerun_action.isChecked())
        self.view = findable(
            TestsView(self),
            "tests-list",
            "Tests",
            "The project's tests and how each last went; Enter runs one, a double-click "
            "opens its flow, Delete removes it",
        )
        self.view.setModel(self.model)
        as_row_list(self.view)
        self.view.addAction(self.delete_action)
        self.view.addAction(self.run_one_action)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(TestsModel.NAME, 200)
        self.view.fit_columns()
        self.detail = TestDetail(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("tests-splitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setObjectName("tests-empty")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # <test> is no HTML tag
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(self.rerun_box)
        for button in (self.run_all_button, self.run_one_button, self.delete_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    def _connect_signals(self) -> None:
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.run_requested.connect(self.run_test)
        self.view.open_requested.connect(self._on_open_requested)
        self.detail.place_activated.connect(self.place_activated)
        self.rerun_box.toggled.connect(self.rerun_action.setChecked)
        self.editing.project_replaced.connect(self._on_project_replaced)

    # -- the tests shown --------------------------------------------------------------------

    def reload(self) -> None:
        """Show the project's tests again (the same one kept selected)."""
        current = self.current_name()
        project = self.project
        self.model.set_tests(project.tests.values(), project.entry)
        self.model.set_results(self.results)
        has_tests = bool(project.tests)
        self.stack.setCurrentWidget(self.splitter if has_tests else self.empty)
        self.run_all_action.setEnabled(has_tests and not self.running)
        self.run_one_action.setEnabled(has_tests and not self.running)
        self.delete_action.setEnabled(has_tests)
        row = self.model.row_of(current) if current is not None else -1
        self._select_row(row if row >= 0 else 0)
        self._show_current()
        self._update_summary()

    def current_name(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(NAME_ROLE) if index.isValid() else None

    def select_test(self, name: str) -> bool:
        """Select the test `name` (its result shown beside); False when there is none."""
        row = self.model.row_of(name)
        if row < 0:
            return False
        self._select_row(row)
        self.view.setFocus()
        return True

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        if not index.isValid():
            self.detail.show_result(None, None)
            return
        flags = QItemSelectionModel.SelectionFlag
        self.view.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.view.scrollTo(index)

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    def _show_current(self) -> None:
        name = self.current_name()
        test = self.project.tests.get(name) if name is not None else None
        self.detail.show_result(test, self.results.get(name) if name is not None else None)

    def _update_summary(self) -> None:
        tests = len(self.project.tests)
        if not tests:
            self.summary.setText("No tests")
            return
        names = set(self.project.tests)
        results = [r for name, r in self.results.items() if name in names]
        self.summary.setText(summary_text(tests, results, self.coverage, stale=self.coverage_stale))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.detail.scroll_to_stop()  # laid out now: the marked line in the middle

    # -- following the project ----------------------------------------------------------------

    def project_changed(self, change: ProjectChange | None = None) -> None:
        """The project changed (`change`: a change of its structure; None: a flow's verbs).
        Tests added, removed or edited show at once; the coverage is out of date until the
        next run; with the rerun option on, a run starts after a pause in the changes."""
        self._changes += 1
        if self.coverage is not None and not self.coverage_stale:
            self.coverage_stale = True
            self._update_summary()
        if change is not None and change.kind in TEST_CHANGES:
            self._forget_result(change)
            self.reload()
        elif change is not None and change.kind is ProjectChangeKind.ENTRY_CHANGED:
            self.reload()  # where tests without a flow start
        if self.rerun_action.isChecked() and self.project.tests:
            self._rerun.start()

    def _on_project_replaced(self) -> None:
        self._next_run()  # a run of the previous project brings nothing back
        self._rerun.stop()
        self.results = {}
        self._removed = {}
        self.coverage = None
        self.coverage_stale = False
        self._set_running(False)
        self.reload()

    def _on_rerun_toggled(self, on: bool) -> None:
        self.rerun_box.setChecked(on)
        self.settings.set(RERUN_TESTS, on)
        if not on:
            self._rerun.stop()

    # -- running ----------------------------------------------------------------------------

    def run_all(self) -> None:
        """Run every test (a run already going is replaced)."""
        self._start(None)

    def run_selected(self) -> None:
        name = self.current_name()
        if name is not None:
            self.run_test(name)

    def _forget_result(self, change: ProjectChange) -> None:
        """A result is of the test as it was: a changed test has none; a removed one keeps
        its own for an undo; a test added under a name gets only the result of that very
        test (not of another that had the name)."""
        name = change.name or ""
        if change.kind is ProjectChangeKind.TEST_REMOVED:
            result = self.results.pop(name, None)
            if result is not None and change.test is not None:
                self._removed[name] = (change.test, result)
        elif change.kind is ProjectChangeKind.TEST_ADDED:
            kept = self._removed.pop(name, None)
            self.results.pop(name, None)
            if kept is not None and kept[0] == change.test:
                self.results[name] = kept[1]
        else:
            self.results.pop(name, None)
            self.results.pop(change.new_name or "", None)

    def run_test(self, name: str) -> None:
        """Run the test `name` alone."""
        if name in self.project.tests:
            self._start([name])

    def _start(self, names: list[str] | None) -> None:
        self._rerun.stop()
        if not self.project.tests:
            self.message.emit(EMPTY_TEXT)
            return
        self._next_run()
        self.run_started.emit()
        text = self.project.to_text()  # the copy: a few ms even at 5,000 verbs
        self._set_running(True)
        run = self._run_copy(self._run, text, names, self._changes, self._stop.is_set)
        tasks.start_when_ready(run, name="flow tests")

    def _next_run(self) -> None:
        """A new run replaces the one going (if any): that one stops before its next test
        and brings nothing back."""
        self._run += 1
        self._stop.set()
        self._stop = threading.Event()

    async def _run_copy(
        self,
        run: int,
        text: str,
        names: list[str] | None,
        changes: int,
        stop: Callable[[], bool],
    ) -> None:
        try:
            found = await in_thread(lambda: run_copy(text, names, stop))
        except Exception as exc:  # the copy could not be read: said in the status line
            if run == self._run:
                what = failure_text(exc, (FlexmlError,), _logger, "Running the flow tests")
                self.message.emit(f"The tests did not run: {what}")
            return
        finally:
            if run == self._run:
                self._set_running(False)
        if found is not None and run == self._run:  # else a later run replaced this one
            self._apply(found, fresh=changes == self._changes)

    def _apply(self, found: RunOutcome, *, fresh: bool) -> None:
        if found.coverage is not None:
            self.results = {result.name: result for result in found.results}
            self.coverage = found.coverage
            self.coverage_stale = not fresh
        else:
            self.results.update({result.name: result for result in found.results})
        self.model.set_results(self.results)
        self._show_current()
        self._update_summary()
        self.run_finished.emit(found, fresh)

    def _set_running(self, running: bool) -> None:
        self.running = running
        has_tests = bool(self.project.tests)
        self.run_all_action.setIconText("Running…" if running else "Run all")
        self.run_one_action.setIconText("Running…" if running else "Run")
        self.run_all_action.setEnabled(has_tests and not running)
        self.run_one_action.setEnabled(has_tests and not running)

    def shutdown(self) -> None:
        """The window closes: a run going stops and brings nothing back, no rerun starts."""
        self._next_run()
        self._rerun.stop()

    @property
    def rerun_pending(self) -> bool:
        """Whether a rerun waits for the pause after a change."""
        return self._rerun.isActive()

    # -- deleting and opening -----------------------------------------------------------------

    def delete_selected(self) -> bool:
        """Delete the selected test: one undo step."""
        name = self.current_name()
        if name is None:
            return False
        row = self.model.row_of(name)
        if not self.editing.remove_test(name):
            return False
        self._select_row(min(row, self.model.rowCount() - 1))
        self.message.emit(f"Deleted the test {name}; Ctrl+Z brings it back")
        return True

    def _on_open_requested(self, name: str) -> None:
        test = self.project.tests.get(name)
        if test is None:
            return
        start = test.flow or self.project.entry
        if start is not None and start in self.project.all_names:
            self.flow_open_requested.emit(start)
        else:
            self.message.emit(f"The test {name} starts at {start!r}, which the project lacks")
