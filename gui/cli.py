"""The `flexml-studio` command: no sub-command opens the window, sub-commands run headless.

Headless commands import no Qt (the window's modules are imported only when it opens), so
they start fast and work on machines without a display. A user error is one line on
stderr, never a traceback. Exit codes: 0 fine, 1 problems found (or not exported), 2 a file
could not be read, was refused, or the command line was wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .commands import UserError

PROG = "flexml-studio"
EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a program ended by SIGPIPE
COMMANDS = ("validate", "export")


def _err(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _silence_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (e.g. captured in-process): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Design, serve, simulate and call CarrierX FlexML voice flows. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check FlexML files and projects",
        description="Check FlexML files and projects: one line per problem, then a summary. "
        "Exit 0 when no file has errors, 1 when any has, 2 when a file cannot be read.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--format", choices=("text", "json"), default="text")

    export = commands.add_parser(
        "export",
        help="write the FlexML of a flow (or of every flow)",
        description="Write the FlexML of one flow (the entry by default) to a file or "
        "stdout, or of every flow into a folder as NAME.xml.",
    )
    export.add_argument("inputs", nargs="+", metavar="PROJECT_OR_XML")
    export.add_argument("--flow", metavar="NAME", help="the flow to export (default: the entry)")
    target = export.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", metavar="FILE", help="file to write, - for stdout")
    target.add_argument("--all", metavar="DIR", help="write every flow into DIR as NAME.xml")
    export.add_argument(
        "--base-url",
        metavar="URL",
        help="resolve flow:NAME references to URL/flows/NAME (default: the project's "
        "export base URL, if set)",
    )
    export.add_argument("--compact", action="store_true", help="write one line, no indentation")
    export.add_argument("--force", action="store_true", help="export even with lint errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else None
    if first is None or (first not in (*COMMANDS, "-h", "--help", "--version")):
        if first is not None and not first.startswith("-") and not Path(first).exists():
            # Not a command and not a file to open: most likely a typo of a command.
            _err(f"{first!r} is neither a command ({', '.join(COMMANDS)}) nor a file to open")
            return EXIT_UNUSABLE
        from .qt.app import run  # only the window needs Qt

        return run(args_list)
    for stream in (sys.stdout, sys.stderr):
        # A file name or message that the terminal's encoding cannot show is escaped, not
        # a UnicodeEncodeError traceback (exported XML is written as UTF-8 bytes anyway).
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    args = _parser().parse_args(args_list)
    try:
        if args.command == "validate":
            from .commands import validate

            return validate.run(args.files, args.format)
        if args.command == "export":
            from .commands import export

            return export.run(args)
    except UserError as exc:
        _err(str(exc))
        return EXIT_UNUSABLE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): quietly stop writing. What is still
        # buffered goes to devnull, so the flush at exit raises nothing either
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 130
    return EXIT_UNUSABLE
