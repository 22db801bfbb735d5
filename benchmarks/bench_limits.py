"""Benchmark what must grow linearly: loading a project, and `simulate --json`.

1. Loading: `validate`'s work (load + lint) on projects of 1,000, 10,000 and 20,000 flows,
   as time per flow. Target: the largest within 3x per flow of the smallest (linear).
2. `simulate --json` against plain `simulate` on one flow of 20,000 verbs, each a separate
   process writing to /dev/null. Target: within 3x (each event's path in O(1)).

`--root DIR` runs the same measurements against another copy of the code (such as
`git archive HEAD | tar -x -C /tmp/before`), for before/after figures from one script.
Usage: python benchmarks/bench_limits.py [--root DIR] [--flows 1000,10000,20000]
       [--verbs 20000] [--repeat N]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_project(flows: int) -> bytes:
    """A project of `flows` small flows, each saying something and redirecting to the next."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<flexml-project format="1" entry="f0">\n']
    for i in range(flows):
        parts.append(
            f'  <flow name="f{i}">\n    <Response>\n      <Say>Hello {i}</Say>\n'
            f"      <Redirect>flow:f{(i + 1) % flows}</Redirect>\n    </Response>\n  </flow>\n"
        )
    parts.append("</flexml-project>\n")
    return "".join(parts).encode()


def make_flow(verbs: int) -> bytes:
    """One flow of `verbs` Says in a row (the call runs as many of them as it may)."""
    says = "".join(f"<Say>Line {i}</Say>\n" for i in range(verbs))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n{says}</Response>\n'.encode()


def best(func, repeat: int) -> float:
    """Best wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def loading(folder: Path, sizes: list[int], repeat: int) -> None:
    from gui.commands.validate import check_file

    print("| flows | load + lint (s) | per flow (us) | per flow vs the smallest |")
    print("|---:|---:|---:|---:|")
    first = None
    for flows in sizes:
        path = folder / f"p{flows}.flexproj"
        path.write_bytes(make_project(flows))
        seconds = best(lambda path=path: check_file(path), repeat)
        per_flow = seconds / flows * 1e6
        first = first or per_flow
        print(f"| {flows:,} | {seconds:.2f} | {per_flow:.1f} | {per_flow / first:.2f}x |")


def simulate(folder: Path, root: Path, verbs: int, repeat: int) -> None:
    path = folder / "long.xml"
    path.write_bytes(make_flow(verbs))
    env = {**os.environ, "PYTHONPATH": str(root)}

    def run(*extra: str) -> None:
        command = [sys.executable, "-m", "gui", "simulate", str(path), *extra]
        with open(os.devnull, "w") as sink:
            subprocess.run(command, cwd=root, env=env, stdout=sink, check=False)

    plain = best(run, repeat)
    as_json = best(lambda: run("--json"), repeat)
    print()
    print("| simulate, 20,000-verb flow | seconds | vs plain |")
    print("|---|---:|---:|")
    print(f"| plain | {plain:.2f} | 1.00x |")
    print(f"| --json | {as_json:.2f} | {as_json / plain:.2f}x |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--flows", default="1000,10000,20000")
    ap.add_argument("--verbs", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-loading", action="store_true")
    ap.add_argument("--skip-simulate", action="store_true")
    args = ap.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    print(f"code from {root}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_loading:
            sizes = [int(n) for n in args.flows.split(",")]
            loading(Path(tmp), sizes, args.repeat)
        if not args.skip_simulate:
            simulate(Path(tmp), root, args.verbs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
