"""How problems are printed: `FILE:LINE:COL: severity: CODE message`, or JSON."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.flexml import Problem


@dataclass(frozen=True)
class Finding:
    """A problem located in a file (and in a flow, for projects)."""

    file: str
    problem: Problem
    flow: str | None = None
    kind: str = "flow"  # what `flow` names: a "flow", a "switch" or a "test"

    def line(self) -> str:
        p = self.problem
        where = f" [{self.kind} {self.flow}]" if self.flow else ""
        return (
            f"{self.file}:{p.line or 1}:{p.column or 1}: {p.severity.value}: "
            f"{p.code} {p.message}{where}"
        )

    def as_dict(self) -> dict:
        p = self.problem
        return {
            "file": self.file,
            "flow": self.flow,
            "kind": self.kind if self.flow else None,
            "line": p.line,
            "column": p.column,
            "severity": p.severity.value,
            "code": p.code,
            "message": p.message,
            "path": p.path,
        }


def to_json(findings: list[Finding]) -> str:
    import json  # only for --format json: kept off the start-up path

    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
