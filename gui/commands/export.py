"""`flexml-studio export`: write the FlexML of one flow, or of every flow into a folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.fileio import SaveError, atomic_write
from ..core.flexml import FlexmlError, MalformedError, Severity
from ..core.project import Project, load, references
from . import UserError
from .report import Finding, plural

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
BASE_URL_SETTING = "export-base-url"


def _load(inputs: list[str]) -> Project | int:
    try:
        return load(inputs)
    except MalformedError as exc:
        where = f"{exc.line}:{exc.column or 1}: " if exc.line else ""
        print(f"flexml-studio: {where}{exc.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    except FlexmlError as exc:
        raise UserError(exc.message) from None


def run(args: argparse.Namespace) -> int:
    loaded = _load(args.inputs)
    if isinstance(loaded, int):
        return loaded
    project = loaded
    names = project.names if args.all else [args.flow or project.entry]
    for name in names:
        if name not in project:
            raise UserError(
                f"the project has no flow named {name!r} (it has: {', '.join(project.names)})"
            )
    label = args.inputs[0] if len(args.inputs) == 1 else "input"
    all_problems = project.lint()
    blocked = False
    for name in names:
        problems = all_problems[name]
        errors = [p for p in problems if p.severity is Severity.ERROR]
        for problem in problems:
            print(Finding(label, problem, name).line(), file=sys.stderr)
        if errors and not args.force:
            blocked = True
            print(
                f"flexml-studio: not exported: flow {name!r} has {plural(len(errors), 'error')}"
                " (fix them, or use --force)",
                file=sys.stderr,
            )
    if blocked:
        return EXIT_PROBLEMS

    base_url = args.base_url or project.settings.get(BASE_URL_SETTING)
    if not base_url and any(next(references(project.flow(n).root), None) for n in names):
        print(
            "flexml-studio: warning: flow: references were left as they are; "
            "give --base-url to turn them into URLs",
            file=sys.stderr,
        )
    try:
        if args.all:
            folder = Path(args.all)
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"cannot create the folder {folder}: {exc.strerror}") from None
            for name in names:
                text = project.export(name, base_url=base_url, compact=args.compact)
                atomic_write(folder / f"{name}.xml", text.encode("utf-8"))
            print(f"exported {plural(len(names), 'flow')} to {folder}", file=sys.stderr)
            return EXIT_OK
        text = project.export(names[0], base_url=base_url, compact=args.compact)
        if args.output in (None, "-"):
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            atomic_write(Path(args.output), text.encode("utf-8"))
    except SaveError as exc:
        raise UserError(str(exc)) from None
    return EXIT_OK
