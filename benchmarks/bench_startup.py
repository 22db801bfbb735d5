"""Benchmark the window's start-up against a bare PySide6 window, measured in the same run.

`flexml-studio --screenshot` against a bare PySide6 main window with two docks that is
shown, has its events processed, is grabbed and saved the same way, and exits: nothing
else (no timer, no wait). Target: within 2.5x. Each is a process, timed from its start
to its exit; `--screenshot` grabs the window's first frame (right after its first paint).
Both run as at a first start (no settings: XDG_CONFIG_HOME points at an empty folder),
taking turns.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BARE_WINDOW = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("hello"))
    for side, title in ((Qt.LeftDockWidgetArea, "Palette"), (Qt.RightDockWidgetArea, "Inspector")):
        dock = QDockWidget(title, window)
        dock.setWidget(QLabel(title))
        window.addDockWidget(side, dock)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.grab().save(sys.argv[1])
    """
)


def startups(commands: list[list[str]], runs: int, env: dict[str, str]) -> list[float]:
    """The median wall time (ms) of each command, from its start to its exit. The commands
    take turns, one run of each per round, so a change in the machine's load meets them
    alike; a first round is not timed (it fills the OS file cache)."""
    times: list[list[float]] = [[] for _ in commands]
    for round_ in range(runs + 1):
        for cmd, kept in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, timeout=120, env=env)
            if round_:
                kept.append(time.perf_counter() - start)
    return [statistics.median(taken) * 1000 for taken in times]


def startup_table(runs: int) -> list[str]:
    """The start-up rows: `flexml-studio --screenshot` against the bare window."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(sys.executable).with_name("flexml-studio")
        shot = str(Path(tmp, "shot.png"))
        env_cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "gui"]
        config = Path(tmp, "config")
        config.mkdir()
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "XDG_CONFIG_HOME": str(config),  # a first start, each time
        }
        t_bare, t_shot = startups(
            [[sys.executable, "-c", BARE_WINDOW, shot], [*env_cmd, "--screenshot", shot]],
            runs,
            env,
        )
    ratio = t_shot / t_bare
    return [
        "| start-up | ours (ms) | baseline (ms) | ratio | target |",
        "|---|---:|---:|---:|---|",
        f"| `flexml-studio --screenshot` vs a bare PySide6 window with two docks, grabbed "
        f"| {t_shot:.0f} | {t_bare:.0f} | {ratio:.2f}x "
        f"| <= 2.5x {'met' if ratio <= 2.5 else 'MISSED'} |",
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="runs per command")
    args = ap.parse_args()
    print("Start-up benchmark")
    print()
    print("\n".join(startup_table(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
