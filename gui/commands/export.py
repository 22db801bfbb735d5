"""`flexml-studio export`: write the FlexML of one flow, or of every flow into a folder.

A switch is no file: it chooses a flow for each request, which only a running `flexml-studio
serve` (the flow server) does. So `--flow SWITCH` is refused, saying why, and after writing
the flows, export says which of them lead to a switch and the URLs that need the server.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..core.export_check import PROJECT_BASE_URL, blocking_errors, switch_users
from ..core.fileio import ReadOnlyError, SaveError, atomic_write, check_target, describe_os_error
from ..core.flexml import FlexmlError, MalformedError
from ..core.flexml.refs import flow_url
from ..core.project import Project, load, references
from . import UserError
from .report import Finding, plural

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
BASE_URL_SETTING = PROJECT_BASE_URL


def _load(inputs: list[str]) -> Project | int:
    try:
        return load(inputs)
    except MalformedError as exc:
        # With several files, load's message names the file; with one, we do.
        where = f"{inputs[0]}: " if len(inputs) == 1 else ""
        at = f" (line {exc.line}, column {exc.column or 1})" if exc.line else ""
        print(f"flexml-studio: {where}{exc.message}{at}", file=sys.stderr)
        return EXIT_PROBLEMS
    except FlexmlError as exc:
        raise UserError(exc.message) from None


def _sources(inputs: list[str], project: Project) -> dict[str, str]:
    """The file each flow came from, for problem lines: FlexML files become flows in order."""
    if project.path is None and len(inputs) == len(project):
        return dict(zip(project.names, inputs, strict=True))
    return dict.fromkeys(project.names, inputs[0])


def _write_stdout(text: str) -> None:
    """Write UTF-8 (the text declares it), whatever the terminal's encoding is."""
    sys.stdout.flush()
    data = text.encode("utf-8")
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests, IDEs)
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
        else:
            buffer.write(data)
        sys.stdout.flush()
        return
    # WORKAROUND: BufferedWriter.write can report a short write into a pipe whose reader
    # left and drop the rest without raising; os.write in a loop raises BrokenPipeError.
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def run(args: argparse.Namespace) -> int:
    loaded = _load(args.inputs)
    if isinstance(loaded, int):
        return loaded
    project = loaded
    if not project.names:
        raise UserError(f"{args.inputs[0]} has no flows to export")
    names = project.names if args.all else [args.flow or project.entry or project.names[0]]
    for name in names:
        if project.is_switch(name):
            raise UserError(_switch_refusal(project, name))
        if name not in project:
            raise UserError(
                f"the project has no flow named {name!r} (it has: {', '.join(project.names)})"
            )
    sources = _sources(args.inputs, project)
    all_problems = project.lint()
    blocking = blocking_errors(project, names, all_problems)  # the window's rule too
    blocked = False
    for name in names:
        problems = all_problems[name]
        errors = blocking.get(name, [])
        for problem in problems:
            print(Finding(sources[name], problem, name).line(), file=sys.stderr)
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
            folder = _export_folder(args.all)
            files = {name: folder / f"{name}.xml" for name in names}
            for path in files.values():  # all refused before any is written
                check_target(path, follow_symlinks=False, replace_read_only=args.force)
            for name, path in files.items():
                text = project.export(name, base_url=base_url, compact=args.compact)
                atomic_write(
                    path,
                    text.encode("utf-8"),
                    replace_read_only=args.force,
                    follow_symlinks=False,  # a link planted in the folder is never followed
                )
            print(f"exported {plural(len(names), 'flow')} to {folder}", file=sys.stderr)
            _say_what_needs_serve(project, names, base_url)
            return EXIT_OK
        _say_what_needs_serve(project, names, base_url)
        text = project.export(names[0], base_url=base_url, compact=args.compact)
        if args.output in (None, "-"):
            _write_stdout(text)
        else:
            atomic_write(Path(args.output), text.encode("utf-8"), replace_read_only=args.force)
    except ReadOnlyError as exc:
        raise UserError(f"{exc} (use --force to replace it)") from None
    except SaveError as exc:
        raise UserError(str(exc)) from None
    return EXIT_OK


def _export_folder(given: str) -> Path:
    folder = Path(given)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {folder}: {describe_os_error(exc)}") from None
    return folder


def _switch_refusal(project: Project, name: str) -> str:
    switch = project.switch(name)
    leads = ", ".join(dict.fromkeys(switch.targets())) or "nowhere yet"
    return (
        f"{name!r} is a switch, not a flow: it chooses a flow for each request from the "
        f"request's {switch.on or 'time'}, which a static file cannot do. Serve the project "
        f"with `flexml-studio serve` (it answers /flows/{name}), or export the flows it "
        f"leads to ({leads})"
    )


def _say_what_needs_serve(project: Project, names: list[str], base_url: str | None) -> None:
    """Name the exported flows that lead to a switch, and the URLs only `serve` answers."""
    needing = switch_users(project, names)
    if not needing:
        return
    print(
        f"flexml-studio: note: {_switches(len(needing))} cannot be a static file; "
        "these URLs need a running `flexml-studio serve`:",
        file=sys.stderr,
    )
    for switch, flows in needing.items():
        url = flow_url(base_url, switch) if base_url else f"flow:{switch}"
        print(f"  {url}  (switch {switch}, used by {', '.join(flows)})", file=sys.stderr)


def _switches(count: int) -> str:
    return f"{count} switch" if count == 1 else f"{count} switches"
