"""Measure the PyInstaller bundle (`make bundle`) next to the venv install, in the same run.

1. Size: the bundle folder unpacked (MB, symlinks not followed). Target: under 250 MB.
   Also the wheel's size when dist/ has one.
2. Start-up: `flexml-studio --version` and `QT_QPA_PLATFORM=offscreen flexml-studio
   --screenshot OUT.png` (the window opened, drawn and closed), median of N runs each, for
   the bundle and for the venv's script; the ratio is bundle / venv.

Each command runs with a throw-away HOME, so no settings or keyring are touched.
Usage: python benchmarks/bench_bundle.py [--runs N] [--bundle DIR] [--venv-app PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE_TARGET_MB = 250


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and files under folder, counting each file once and symlinks as nothing."""
    total = count = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                total += path.stat().st_size
                count += 1
    return total, count


def timed(command: list[str], env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """Wall-clock seconds of each of `runs` runs (after one warm-up run); fails loudly."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=120)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}"
            )
        if i:  # the first run warms the disk cache
            times.append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "flexml-studio")
    parser.add_argument(
        "--venv-app", type=Path, default=Path(sys.executable).parent / "flexml-studio"
    )
    args = parser.parse_args()
    bundle_app = args.bundle / "flexml-studio"
    if not bundle_app.exists():
        print(f"no bundle at {args.bundle}: run `make bundle` first", file=sys.stderr)
        return 2
    if not args.venv_app.exists():
        print(f"no venv script at {args.venv_app}", file=sys.stderr)
        return 2

    size, files = folder_size(args.bundle)
    size_mb = size / 1e6
    wheels = sorted((ROOT / "dist").glob("*.whl"))
    print(f"bundle: {args.bundle} ({files} files)")
    print(f"{'what':<34}{'bundle':>10}{'venv':>10}{'ratio':>8}")
    verdict = "ok" if size_mb < SIZE_TARGET_MB else "OVER"
    print(f"{'unpacked size (MB)':<34}{size_mb:>10.1f}{'':>10}{'':>8}  target < 250: {verdict}")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "QT_QPA_PLATFORM": "offscreen",
        }
        env.pop("PYTHONPATH", None)
        cases = [
            ("--version (ms, median)", ["--version"]),
            (
                "validate template (ms, median)",
                ["validate", str(ROOT / "resources/templates/ivr-menu.flexproj")],
            ),
            ("--screenshot (ms, median)", ["--screenshot", str(work / "out.png")]),
        ]
        for label, extra in cases:
            bundle = statistics.median(timed([str(bundle_app), *extra], env, work, args.runs))
            venv = statistics.median(timed([str(args.venv_app), *extra], env, work, args.runs))
            print(f"{label:<34}{bundle * 1000:>10.0f}{venv * 1000:>10.0f}{bundle / venv:>8.2f}")
    print(f"({args.runs} runs each after a warm-up; ratio = bundle / venv; MB = 10^6 bytes)")
    if wheels:
        wheel_mb = wheels[-1].stat().st_size / 1e6
        print(f"wheel: {wheels[-1].name}, {wheel_mb:.2f} MB (its dependencies come from PyPI)")
    return 0 if size_mb < SIZE_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
