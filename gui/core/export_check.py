"""What exporting must say before it writes, for `flexml-studio export` and the window alike:
the lint errors that stop an export (unless the user insists), the `flow:` references a
static file keeps when no base URL is given, and the switches only the flow server answers.

One rule for both, so that neither is quieter than the other: a flow with lint errors is
not exported without --force (the window asks "Export anyway?"); warnings never stop it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .flexml import Problem
from .net import is_http_url
from .project import Project, references

ERRORS_SHOWN = 10  # error lines a dialog lists before "and N more"
# A project's own setting: the base URL its flows are exported with (`export` reads it).
PROJECT_BASE_URL = "export-base-url"


def blocking_errors(
    project: Project, names: Iterable[str], problems: Mapping[str, list[Problem]] | None = None
) -> dict[str, list[Problem]]:
    """The lint errors of each of `names` that has any, in the order given: what stops an
    export (the window asks, `flexml-studio export` refuses without --force). Warnings are
    left out: they never do. `problems`: the project's lint, when the caller has it."""
    problems = project.lint() if problems is None else problems
    found = {}
    for name in names:
        errors = [p for p in problems.get(name, ()) if p.is_error]
        if errors:
            found[name] = errors
    return found


def reference_counts(project: Project, names: Iterable[str]) -> dict[str, int]:
    """How many `flow:` references each of `names` holds, for the flows that hold any."""
    counts = {}
    for name in names:
        count = sum(1 for _ in references(project.flow(name).root))
        if count:
            counts[name] = count
    return counts


def switch_users(project: Project, names: Iterable[str]) -> dict[str, list[str]]:
    """Switch -> the flows among `names` that lead to it. A switch cannot be a static
    file: its URL needs a running flow server (`flexml-studio serve`)."""
    users: dict[str, list[str]] = {}
    for name in names:
        for _node, _attribute, target in references(project.flow(name).root):
            if project.is_switch(target):
                flows = users.setdefault(target, [])
                if name not in flows:
                    flows.append(name)
    return users


def where(problem: Problem) -> str:
    """Where a problem is, for people: "line 4" in the file it was read from, or the verb
    ("<Gather>") when it has no line (added since); "" for the flow as a whole."""
    if problem.line:
        return f"line {problem.line}"
    if problem.node is not None:
        return f"<{problem.node.tag}>"
    return ""


def error_lines(
    errors: dict[str, list[Problem]], *, limit: int = ERRORS_SHOWN, name_flows: bool = False
) -> list[str]:
    """The first `limit` errors as lines ("line 4: message", after "FLOW: " when
    `name_flows`), then "and N more" for the rest."""
    lines = []
    total = 0
    for flow, problems in errors.items():
        for problem in problems:
            total += 1
            if len(lines) < limit:
                place = where(problem)
                text = f"{place}: {problem.message}" if place else problem.message
                lines.append(f"{flow}: {text}" if name_flows else text)
    if total > limit:
        lines.append(f"and {total - limit} more")
    return lines


def check_base_url(text: str) -> str | None:
    """Why `text` cannot be the base URL that `flow:NAME` becomes BASE/flows/NAME under,
    or None when it can: CarrierX fetches only http:// and https:// URLs. The answer is kept
    in settings and written into every exported file, so it must hold no secret: no user name
    or password, and no flow server token (`/t/TOKEN`); a refusal never repeats them."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return f"{text!r} is not a valid URL"
    if parts.username is not None or parts.password is not None:
        return (
            "the base URL must not hold a user name or password (it is kept in settings and "
            "written into every exported file): give the address without them"
        )
    if "t" in parts.path.split("/")[:-1]:
        return (
            "the base URL holds a flow server token (/t/...), which would be kept in settings "
            "and written into every exported file: give the address without it, and serve "
            "the exported files where CarrierX may fetch them without one"
        )
    if not is_http_url(text):
        return f"{text!r} is not an http:// or https:// URL (CarrierX fetches only those)"
    if any(c.isspace() for c in text):
        return f"{text!r} has a space in it"
    if parts.query or parts.fragment:
        return f"the base URL {text!r} must not have a query or fragment"
    return None
