"""Benchmark the designer window, each figure next to a baseline measured in the same run.

1. Opening a 5,000-verb flow in the window, to the first painted frame. Target: within 1 s.
2. Insert, move, undo and redo at 5,000 verbs against the same at 50. Each operation is the
   edit itself (undo command, tree, item model, view), then, separately, the refresh it
   schedules (lint of the project, the FlexML view). Target: an edit at 5,000 within 3x
   its cost at 50 (no full rebuild per edit).

The window's start-up is benchmarks/bench_startup.py.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_editor.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from gui.core.flexml import parse
from gui.core.project import Project


def flow_source(verbs: int) -> bytes:
    parts = ["<Response>"]
    for i in range(verbs // 3):
        parts.append(f'<Say voice="woman">Prompt number {i}</Say>')
        parts.append(
            f'<Gather numDigits="1" timeout="5" action="flow:main"><Say>Press {i % 10}'
            "</Say></Gather>"
        )
        parts.append('<Pause length="1"/>')
    parts.append("<Hangup/></Response>")
    return "".join(parts).encode()


def project_of(verbs: int) -> Project:
    project = Project()
    project.add_flow("main", parse(flow_source(verbs)))
    return project


def open_window(project: Project, app: QApplication):
    from gui.qt.window.main_window import MainWindow

    start = time.perf_counter()
    window = MainWindow(project, remember_layout=False)
    window.show()
    app.processEvents()
    window.grab()  # the first complete frame
    return window, (time.perf_counter() - start) * 1000


def timed(window, app: QApplication, func) -> tuple[float, float]:
    """(ms for the edit itself, ms for the refresh it scheduled: lint and FlexML view,
    which a big project runs after a pause in the editing)."""
    start = time.perf_counter()
    func()
    edit = time.perf_counter() - start
    start = time.perf_counter()
    window.refresh()
    app.processEvents()
    return edit * 1000, (time.perf_counter() - start) * 1000


def operations(window, app: QApplication, repeat: int) -> dict[str, tuple[float, float]]:
    document = window.project.flow("main")
    root = document.root
    editor = window.editor
    stack = window.editing.stack
    results: dict[str, list[tuple[float, float]]] = {}

    def record(name, func):
        results.setdefault(name, []).append(timed(window, app, func))

    for _ in range(repeat):
        middle = root.child(root.child_count() // 2)
        editor.select_nodes([middle])
        record("insert", lambda: editor.insert_verb("Pause"))
        record("move", editor.move_down)
        record("undo", stack.undo)
        record("redo", stack.redo)
        stack.undo()
        stack.undo()
        app.processEvents()
    return {name: (min(e for e, _ in v), min(r for _, r in v)) for name, v in results.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        app = QApplication.instance() or QApplication([sys.argv[0]])
        small_window, t_open_small = open_window(project_of(50), app)
        big_window, t_open_big = open_window(project_of(5000), app)
        small = operations(small_window, app, args.repeat)
        big = operations(big_window, app, args.repeat)
        for window in (small_window, big_window):
            window.editing.stack.setClean()
            window.close()

    print("Designer window benchmark (offscreen)")
    print()
    print("| measurement | at 5,000 verbs (ms) | at 50 verbs (ms) | ratio | target |")
    print("|---|---:|---:|---:|---|")
    ok = t_open_big <= 1000
    print(
        f"| open the window to the first frame | {t_open_big:.0f} | {t_open_small:.0f} "
        f"| {t_open_big / t_open_small:.1f}x | <= 1000 ms {'met' if ok else 'MISSED'} |"
    )
    for name in ("insert", "move", "undo", "redo"):
        big_edit, _ = big[name]
        small_edit, _ = small[name]
        ratio = big_edit / small_edit
        print(
            f"| {name}: the edit | {big_edit:.2f} | {small_edit:.2f} | {ratio:.1f}x "
            f"| <= 3x {'met' if ratio <= 3 else 'MISSED'} |"
        )
    for name in ("insert", "move", "undo", "redo"):
        _, big_refresh = big[name]
        _, small_refresh = small[name]
        print(
            f"| {name}: the refresh it schedules (lint, FlexML view) | {big_refresh:.1f} "
            f"| {small_refresh:.1f} | {big_refresh / small_refresh:.1f}x | (informative) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
