"""`flexml-studio validate FILE...`: lint FlexML files and projects."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.flexml import (
    FlexmlError,
    MalformedError,
    Problem,
    RefusedError,
    Severity,
    lint,
)
from ..core.project import load
from .report import Finding, plural, to_json

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


def check_file(path: Path) -> list[Finding]:
    """Every finding in one file; raises FlexmlError when it cannot be read or is refused."""
    name = str(path)
    # `load` tells a project from a FlexML file by its root element (not by a guess from
    # the first bytes), and refuses a .flexproj that is not a project, as export does.
    project = load([path])
    if project.path is None:
        # A plain file is checked on its own: flow: references cannot be resolved here.
        return [Finding(name, p) for p in lint(project.flow(project.names[0]))]
    findings = [
        Finding(name, Problem(Severity.WARNING, n.code, n.message, n.line, n.column))
        for n in project.notes
    ]
    for flow, problems in project.lint().items():
        kind = "switch" if project.is_switch(flow) else "flow"
        findings.extend(Finding(name, p, flow, kind) for p in problems)
    for test, problems in project.lint_tests().items():
        findings.extend(Finding(name, p, test, "test") for p in problems)
    return findings


def run(files: list[str], output_format: str) -> int:
    findings: list[Finding] = []
    unusable = 0
    for file in files:
        try:
            findings.extend(check_file(Path(file)))
        except MalformedError as exc:
            findings.append(
                Finding(
                    file,
                    Problem(Severity.ERROR, "not-well-formed", exc.message, exc.line, exc.column),
                )
            )
        except FlexmlError as exc:
            unusable += 1
            code = "refused" if isinstance(exc, RefusedError) else "unreadable"
            if output_format == "json":
                findings.append(
                    Finding(file, Problem(Severity.ERROR, code, exc.message, exc.line, exc.column))
                )
            else:
                where = "" if file in exc.message else f"{file}: "
                print(f"flexml-studio: {where}{exc.message}", file=sys.stderr)
    errors = sum(f.problem.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    if output_format == "json":
        print(to_json(findings))
    else:
        for finding in findings:
            print(finding.line())
        checked = len(files) - unusable
        summary = (
            f"{plural(checked, 'file')} checked: {plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}"
        )
        if unusable:
            summary += f"; {plural(unusable, 'file')} could not be checked"
        print(summary)
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_PROBLEMS if errors else EXIT_OK
