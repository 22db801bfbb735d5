"""Benchmark the Tests panel when the results of a run of many tests arrive, next to a
baseline measured in the same run.

"Results of N tests arrive": the panel's `_apply` with the results of a run of every test
(as a run's coroutine calls it on the GUI thread), then the events that follow processed,
the repaint among them. Each arrival brings the other of two real runs' results, so every
row's time changes, as it does after a real run. The IVR template's tests are repeated to
N (benchmarks/bench_flowtests.py's `with_tests`).

Baseline: the same QTreeView, set up as the panel's list (flat rows, the same column
widths), over a QStandardItemModel whose Result and Time items get the same texts and
icons, one setData per item, then the same events processed. Target: the panel within
a few times the baseline, and well under the 50 ms a GUI stall starts to show.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_tests_panel.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_flowtests import best, with_tests
from PySide6.QtCore import QSettings
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QHeaderView, QTreeView

from gui.core.flowtests.runner import run_tests
from gui.qt.common.views import as_row_list

COUNTS = (1000, 3000)


def settle(app: QApplication) -> None:
    """Process what the change queued (layout, repaint), as the event loop would."""
    app.processEvents()
    app.sendPostedEvents()
    app.processEvents()


def panel_figure(app: QApplication, count: int, repeat: int) -> float:
    from gui.qt.common.settings import SettingsStore
    from gui.qt.designer.editing import Editing
    from gui.qt.designer.tests_panel import RunOutcome, TestsPanel

    project = with_tests(count)
    runs = [run_tests(project, jobs=1), run_tests(project, jobs=1)]
    panel = TestsPanel(Editing(project), SettingsStore())
    panel.resize(1000, 320)
    panel.show()
    settle(app)
    turn = [0]

    def arrive() -> None:
        turn[0] += 1
        panel._apply(RunOutcome(runs[turn[0] % 2], None), fresh=True)
        settle(app)

    arrive()
    seconds = best(arrive, repeat)
    panel.close()
    panel.deleteLater()
    settle(app)
    return seconds


def baseline_figure(app: QApplication, count: int, repeat: int) -> float:
    from gui.qt.designer.tests_model import OUTCOME_TEXT, milliseconds, outcome_icon

    project = with_tests(count)
    runs = [run_tests(project, jobs=1), run_tests(project, jobs=1)]
    model = QStandardItemModel(0, 4)
    model.setHorizontalHeaderLabels(["Test", "Result", "Time", "Starts at"])
    for test in project.tests.values():
        row = [QStandardItem(test.name), QStandardItem("Not run"), QStandardItem("")]
        row.append(QStandardItem(test.flow or project.entry or ""))
        model.appendRow(row)
    view = QTreeView()
    view.setModel(model)
    as_row_list(view)
    header = view.header()
    header.setStretchLastSection(True)
    for column, width in ((0, 200), (1, 120), (2, 90)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    view.resize(600, 290)
    view.show()
    settle(app)
    turn = [0]

    def arrive() -> None:
        turn[0] += 1
        for row, result in enumerate(runs[turn[0] % 2]):
            outcome = model.item(row, 1)
            outcome.setText(OUTCOME_TEXT[result.outcome])
            outcome.setIcon(outcome_icon(result.outcome))
            model.item(row, 2).setText(milliseconds(result))
        settle(app)

    arrive()
    seconds = best(arrive, repeat)
    view.close()
    view.deleteLater()
    settle(app)
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        app = QApplication.instance() or QApplication([sys.argv[0]])
        print("| results of N tests arrive | panel (ms) | baseline (ms) | panel vs baseline |")
        print("|---:|---:|---:|---:|")
        for count in COUNTS:
            ours = panel_figure(app, count, args.repeat)
            base = baseline_figure(app, count, args.repeat)
            print(f"| {count:,} | {ours * 1000:.1f} | {base * 1000:.1f} | {ours / base:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
