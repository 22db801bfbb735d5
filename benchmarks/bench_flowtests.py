"""Benchmark flow tests: 1,000 tests over the IVR template's paths, each figure next to a
baseline measured in the same run.

1. The whole run of 1,000 tests in-process (`run_tests`, as `flexml-studio test` does), with
   1 and 2 jobs, and per test. Baseline: one path simulated in-process the way `simulate`
   does it (`gui.commands.simulate.run`, the project loaded, the transcript printed to
   /dev/null), and the bare interpreter running that path. Target: a test costs about one
   simulated path, not a process start.
2. When several processes pay off: 50 to 1,000 tests, with 1 and 2 jobs (what
   runner.PARALLEL_FROM is chosen from).
3. The command itself, as a process: `flexml-studio test` on the 1,000 tests against
   `flexml-studio simulate` of one path (what a process start costs).

Usage: python benchmarks/bench_flowtests.py [--tests 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from gui.core.flowtests.runner import run_tests
from gui.core.project import Project, load
from gui.core.runtime import Interpreter, ProjectSource, ScriptedCaller

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"


def best(func, repeat: int) -> float:
    """Best wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def with_tests(count: int) -> Project:
    """The IVR template with `count` tests: its own tests over and over, renamed."""
    project = load([TEMPLATE])
    paths = list(project.tests.values())
    for name in list(project.test_names):
        project.remove_test(name)
    for i in range(count):
        test = paths[i % len(paths)]
        project.add_test(replace(test, name=f"{test.name} #{i}"))
    return project


def simulate_in_process() -> None:
    from gui.commands import simulate

    args = argparse.Namespace(
        inputs=[str(TEMPLATE)],
        flow="menu",
        digits="91",
        from_number=None,
        to_number=None,
        method="POST",
        json=False,
        offline=True,
    )
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        simulate.run(args)


def bare_interpreter(project: Project) -> None:
    source = ProjectSource(project, "menu")
    asyncio.run(Interpreter(source, ScriptedCaller("91")).run())


def in_process(count: int, repeat: int) -> None:
    project = with_tests(count)
    one_path = best(simulate_in_process, repeat * 4)
    bare = best(lambda: bare_interpreter(project), repeat * 4)
    rows = [("simulate, one path (in-process)", one_path, None)]
    rows.append(("interpreter alone, one path", bare, None))
    for jobs in (1, 2):
        assert all(r.passed for r in run_tests(project, jobs=jobs)), "every test passes"
        seconds = best(lambda jobs=jobs: run_tests(project, jobs=jobs), repeat)
        rows.append((f"{count:,} tests, {jobs} job{'s' if jobs > 1 else ''}", seconds, count))
    print("| measurement | seconds | per test (ms) | per test vs one simulated path |")
    print("|---|---:|---:|---:|")
    for label, seconds, tests in rows:
        per = seconds / (tests or 1)
        print(f"| {label} | {seconds:.3f} | {per * 1000:.2f} | {per / one_path:.2f}x |")


def crossover(repeat: int) -> None:
    print()
    print("| tests | 1 job (s) | 2 jobs (s) | 2 jobs vs 1 |")
    print("|---:|---:|---:|---:|")
    for count in (50, 100, 200, 400, 1000):
        project = with_tests(count)
        one = best(lambda p=project: run_tests(p, jobs=1), repeat)
        two = best(lambda p=project: run_tests(p, jobs=2), repeat)
        print(f"| {count:,} | {one:.3f} | {two:.3f} | {two / one:.2f}x |")


def as_processes(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ivr.flexproj"
        path.write_text(with_tests(count).to_text(), "utf-8")
        exe = [sys.executable, "-m", "gui"]

        def command(*args: str):
            return lambda: subprocess.run(
                [*exe, *args], cwd=folder, stdout=subprocess.DEVNULL, check=False
            )

        simulate = best(command("simulate", str(TEMPLATE), "--digits", "91"), repeat)
        test = best(command("test", str(path)), repeat)
    print()
    print("| command, as a process | seconds | vs simulate |")
    print("|---|---:|---:|")
    print(f"| `simulate`, one path | {simulate:.3f} | 1.00x |")
    print(f"| `test`, {count:,} tests | {test:.3f} | {test / simulate:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} processors\n")
    with contextlib.redirect_stderr(io.StringIO()):
        in_process(args.tests, args.repeat)
        crossover(args.repeat)
    as_processes(args.tests, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
