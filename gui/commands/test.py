"""`flexml-studio test PROJECT`: run the project's flow tests and say how each went.

One line per test (`PASS  sales path (0.4 ms)`, `FAIL  support path: expected say "Support"
(step 2 of 4)` followed by the transcript around where matching stopped), a summary line and
the coverage line. `--json` prints one JSON object per test and a summary object instead;
`--junit-xml FILE` and `--coverage-json FILE` write reports (atomically). Exit 0 when every
test passed (skipped ones aside), 1 when any failed or could not run, or when every test was
skipped (nothing was checked: a CI job must not pass on that), 2 when the project is
unusable (unreadable, refused, no tests, a report that cannot be written) or the command
itself failed (one line, never a traceback).

`--through URL` runs the tests against a served copy; the URL may carry the flow server's
access token (`/t/TOKEN`), which is masked in everything printed and written, never a user
name or password.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import time
from pathlib import Path

from ..core.flexml import FlexmlError
from ..core.flowtests.coverage import Coverage, measure
from ..core.flowtests.model import FlowTest
from ..core.flowtests.runner import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    FlowTestResult,
    count_outcomes,
    outcome_words,
    run_tests,
    token_masker,
)
from ..core.project import Project, load
from . import UserError

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
LABELS = {PASSED: "PASS ", FAILED: "FAIL ", ERROR: "ERROR", SKIPPED: "SKIP "}
MAX_JOBS = 64


def _load(path: str) -> Project:
    try:
        project = load([path])
    except FlexmlError as exc:
        at = f" (line {exc.line})" if exc.line else ""
        where = "" if path in exc.message else f"{path}: "
        raise UserError(f"{where}{exc.message}{at}") from None
    if project.path is None:
        raise UserError(f"{path} is a FlexML file; tests live in a project (.flexproj)")
    for note in project.notes:
        print(
            f"{path}:{note.line or 1}:{note.column or 1}: warning: {note.message}", file=sys.stderr
        )
    return project


def _chosen(project: Project, path: str, patterns: list[str] | None) -> list[FlowTest]:
    if not project.tests:
        raise UserError(f"{path} has no tests: add <test> elements (see the README's Flow tests)")
    tests = list(project.tests.values())
    if patterns:
        tests = [t for t in tests if any(fnmatch.fnmatchcase(t.name, p) for p in patterns)]
        if not tests:
            raise UserError(f"no test of {path} matches --name {' '.join(patterns)}")
    return tests


def _check_url(url: str) -> str:
    """The --through base URL, or UserError (which never shows a password, nor the token)."""
    from urllib.parse import urlsplit

    authority = url.partition("//")[2].partition("/")[0]
    if "@" in authority:
        raise UserError(
            "--through: leave the user name and password out of the URL (the flow server "
            "takes its access token in the path: http://HOST:PORT/t/TOKEN)"
        )
    try:
        parts = urlsplit(url)
        usable = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0  # a port that is no number raises ValueError
            and not parts.query
            and not parts.fragment
        )
    except ValueError:
        usable = False
    if not usable:
        shown = _hidden(url, url)
        raise UserError(
            f"--through {shown!r} is not an http(s) base URL such as http://127.0.0.1:8080"
        )
    return url.rstrip("/")


def _hidden(text: str, through: str | None) -> str:
    """`text` with the access token of the --through URL masked."""
    hide = token_masker(through) if through else None
    return text if hide is None else hide(text)


def _milliseconds(result: FlowTestResult) -> str:
    return f"{result.seconds * 1000:.1f} ms"


def _text(result: FlowTestResult) -> list[str]:
    label = LABELS[result.outcome]
    if result.outcome == PASSED:
        return [f"{label} {result.name} ({_milliseconds(result)})"]
    lines = [f"{label} {result.name}: {result.headline()}"]
    lines.extend(f"      {line}" for line in result.context())
    return lines


def _summary_line(results: list[FlowTestResult]) -> str:
    tests = f"{len(results)} test{'' if len(results) == 1 else 's'}"
    line = f"{tests}: {outcome_words(count_outcomes(results))}"
    if _all_skipped(results):
        line += " (all skipped: nothing was checked)"
    return line


def _all_skipped(results: list[FlowTestResult]) -> bool:
    return bool(results) and all(r.outcome == SKIPPED for r in results)


def _as_json(result: FlowTestResult) -> dict:
    return {
        "test": result.name,
        "flow": result.flow,
        "outcome": result.outcome,
        "time_ms": round(result.seconds * 1000, 3),
        "message": result.headline() or None,
        "step": result.step,
        "steps": result.steps,
        "expected": result.expected,
        "stopped_at": result.stopped_at,
        "transcript": list(result.transcript),
    }


def _print(results: list[FlowTestResult], coverage: Coverage, args: argparse.Namespace) -> None:
    if args.json:
        for result in results:
            print(json.dumps(_as_json(result), ensure_ascii=False))
        counts = count_outcomes(results)
        summary = {
            "tests": len(results),
            "passed": counts[PASSED],
            "failed": counts[FAILED],
            "errors": counts[ERROR],
            "skipped": counts[SKIPPED],
        }
        print(json.dumps({"summary": summary, "coverage": coverage.to_json()}, ensure_ascii=False))
        return
    for result in results:
        print("\n".join(_text(result)))
    print(_summary_line(results))
    print(f"coverage: {coverage.summary()}")
    if args.coverage:
        for line in coverage.missed_lines():
            print(f"  {line}")


def _write(path: str, data: bytes, what: str) -> None:
    from ..core.fileio import SaveError, atomic_write

    try:
        atomic_write(Path(path), data)
    except SaveError as exc:
        raise UserError(f"{what}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run the tests (see the module docstring); a failure of the command itself (a bug)
    is one line and exit 2, its token masked, not a traceback and exit 1 as a failed
    test would be."""
    try:
        return _run(args)
    except (UserError, BrokenPipeError):  # said by the caller
        raise
    except Exception as exc:
        through = args.through if isinstance(args.through, str) else None
        said = " ".join(_hidden(f"{type(exc).__name__}: {exc}", through).split())
        raise UserError(f"the tests could not be run: internal error: {said}") from None


def _run(args: argparse.Namespace) -> int:
    project = _load(args.project)
    tests = _chosen(project, args.project, args.names)
    through = _check_url(args.through) if args.through else None
    if args.jobs is not None and not 1 <= args.jobs <= MAX_JOBS:
        raise UserError(f"--jobs: give 1 to {MAX_JOBS} processes")
    began = time.perf_counter()
    results = run_tests(project, tests, jobs=args.jobs, through=through)
    seconds = time.perf_counter() - began
    coverage = measure(project, results)
    _print(results, coverage, args)
    if args.junit_xml:
        from ..core.flowtests.junit import junit_xml

        _write(args.junit_xml, junit_xml(Path(args.project).stem, results, seconds), "--junit-xml")
    if args.coverage_json:
        data = json.dumps(coverage.to_json(), indent=2, ensure_ascii=False) + "\n"
        _write(args.coverage_json, data.encode("utf-8"), "--coverage-json")
    failed = any(r.outcome in (FAILED, ERROR) for r in results)
    return EXIT_PROBLEMS if failed or _all_skipped(results) else EXIT_OK
