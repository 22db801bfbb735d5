"""The `flexml-studio` command: no sub-command opens the window, sub-commands run headless.

Headless commands import no Qt (the window's modules are imported only when it opens), so
they start fast and work on machines without a display. A user error is one line on
stderr, never a traceback. Exit codes: 0 fine, 1 problems found (or not exported; for
`call`, CarrierX refused the call), 2 a file could not be read, was refused, the command line
was wrong, or (for `call`) CarrierX could not be reached.
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
COMMANDS = ("validate", "export", "serve", "simulate", "test", "sandbox", "call")


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
    export.add_argument(
        "--force",
        action="store_true",
        help="export even with lint errors, and replace read-only files",
    )

    serve = commands.add_parser(
        "serve",
        help="serve flows over HTTP for CarrierX, printing every request",
        description="Serve every flow at BASE/flows/NAME (the entry also at BASE/) until "
        "Ctrl+C or SIGTERM, and print each request. Lint problems are reported on stderr "
        "but do not stop serving.",
    )
    serve.add_argument("inputs", nargs="+", metavar="PROJECT_OR_XML")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; any other needs --token)",
    )
    serve.add_argument(
        "--port", type=int, default=0, help="TCP port (default 0: a free one, shown at start)"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address CarrierX reaches this server at (e.g. a tunnel); the flow URLs use it",
    )
    serve.add_argument(
        "--token",
        metavar="TOKEN",
        help="access token: every request then needs ?token=TOKEN or the path prefix /t/TOKEN/",
    )
    serve.add_argument(
        "--json",
        action="store_true",
        help="print the URLs as one JSON line, then one JSON line per request",
    )

    simulate = commands.add_parser(
        "simulate",
        help="run a call through a flow and print what happens",
        description="Run one call through a flow the way CarrierX would, printing one event "
        "a line. The input is a project or FlexML files (run in-process, following flow: "
        "references) or an http(s) URL (requested like CarrierX does). A project's call that "
        "goes to an absolute URL elsewhere is fetched from there over HTTP (not with "
        "--offline); when it cannot be, the call 'left the project' there, which is no error. "
        "A URL at the project's own address that names no flow (a relative /next) is an "
        "error. Exit 0 when the call ends without an error, 1 when it ends with one, 2 when the "
        "input is unusable.",
    )
    simulate.add_argument("inputs", nargs="+", metavar="PROJECT_OR_XML")
    simulate.add_argument("--flow", metavar="NAME", help="the flow to start at (default: entry)")
    simulate.add_argument(
        "--digits",
        metavar="SEQ",
        default="",
        help="the caller's keys, answering the gathers in order (e.g. 1# or 12); "
        "a w lets that gather time out",
    )
    simulate.add_argument("--from", dest="from_number", metavar="N", help="the caller's number")
    simulate.add_argument("--to", dest="to_number", metavar="N", help="the number called")
    simulate.add_argument(
        "--method",
        choices=("GET", "POST"),
        type=str.upper,
        default="POST",
        help="how a URL input is requested (default POST, with a JSON body)",
    )
    simulate.add_argument("--json", action="store_true", help="one JSON object per event")
    simulate.add_argument(
        "--offline",
        action="store_true",
        help="never fetch URLs outside the project: the call leaves the project there",
    )

    test = commands.add_parser(
        "test",
        help="run a project's flow tests",
        description="Run every <test> of a project in-process (no network, a virtual clock), "
        "one line per test, then a summary and what the tests reached (coverage). A failure "
        "names the expectation and shows the call's transcript around it. Exit 0 when every "
        "test passes, 1 when any fails, 2 when the project is unusable.",
    )
    test.add_argument("project", metavar="PROJECT")
    test.add_argument(
        "--name",
        dest="names",
        action="append",
        metavar="GLOB",
        help="run only the tests whose name matches GLOB (e.g. 'sales*'); may be repeated",
    )
    test.add_argument(
        "--json", action="store_true", help="one JSON object per test, then a summary"
    )
    test.add_argument("--junit-xml", metavar="FILE", help="also write the results as JUnit XML")
    test.add_argument(
        "--coverage", action="store_true", help="list the flows, verbs and cases not reached"
    )
    test.add_argument("--coverage-json", metavar="FILE", help="also write the coverage as JSON")
    test.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="processes to run the tests in (default: 1 below 500 tests, then 1 per 250 "
        "tests up to the processors); with --through, calls at once (default 8)",
    )
    test.add_argument(
        "--through",
        metavar="URL",
        help="run the tests against a served copy of the project at URL (`flexml-studio serve`)",
    )

    sandbox = commands.add_parser(
        "sandbox",
        help="run a local CarrierX-compatible API that places simulated calls",
        description="Run a local CarrierX FlexML API (POST /calls, GET /dids, ...) and Core "
        "API endpoint list until Ctrl+C or SIGTERM. Each call placed runs through the "
        "interpreter against its url, and its events are printed. The credentials are made "
        "once per installation and shown at start.",
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    sandbox.add_argument(
        "--port", type=int, default=0, help="TCP port (default 0: a free one, shown at start)"
    )
    sandbox.add_argument(
        "--json",
        action="store_true",
        help="print the URLs and credentials as one JSON line, then one JSON line per event",
    )
    sandbox.add_argument(
        "--print-env",
        action="store_true",
        help="print export lines for FLEXML_API_URL, FLEXML_LOGIN, FLEXML_PASSWORD and "
        'FLEXML_SANDBOX_PID, then serve with stdout closed: eval "$(flexml-studio sandbox '
        '--print-env &)"',
    )
    sandbox.add_argument(
        "--did-url",
        metavar="URL",
        help="the FlexML URL of every DID: a call placed without a url uses it, as CarrierX "
        "uses the calling DID's (PATCH /dids/{did_sid} sets one DID's while it runs)",
    )

    call = commands.add_parser(
        "call",
        help="place a call through the CarrierX FlexML API",
        description="Place a call through the CarrierX FlexML API (POST /calls) and print "
        "the Call object as JSON. The credentials come from FLEXML_API_URL (default "
        "https://api.carrierx.com/flexml/v1), FLEXML_LOGIN and FLEXML_PASSWORD, or from "
        "--profile. Exit 0 when the call was accepted, 1 when CarrierX refused it, 2 when "
        "the command line or credentials are unusable or CarrierX cannot be reached.",
    )
    call.add_argument(
        "--to", required=True, metavar="NUMBER", help="the number to call, as you would type it"
    )
    call.add_argument(
        "--from",
        dest="from_did",
        metavar="DID",
        help="the DID to call from (default: the endpoint's first DID)",
    )
    call_target = call.add_mutually_exclusive_group(required=True)
    call_target.add_argument("--url", metavar="URL", help="the FlexML application URL")
    call_target.add_argument(
        "--flow",
        metavar="NAME",
        help="a flow of --project, served by `flexml-studio serve` at --base-url",
    )
    call.add_argument("--project", metavar="P", help="the project holding --flow")
    call.add_argument(
        "--base-url",
        metavar="URL",
        help="the public base URL of the running `flexml-studio serve` (with --flow)",
    )
    call.add_argument(
        "--method",
        choices=("GET", "POST"),
        type=str.upper,
        help="how CarrierX requests the URL (default POST)",
    )
    call.add_argument("--delay", type=int, metavar="S", help="schedule the call S seconds ahead")
    call.add_argument("--timeout", type=int, metavar="S", help="ring for at most S seconds")
    call.add_argument(
        "--status-callback", metavar="URL", help="where CarrierX reports the call's end"
    )
    call.add_argument(
        "--attributes", metavar="JSON", help='a JSON object kept with the call, e.g. {"a": 1}'
    )
    call.add_argument("--profile", metavar="NAME", help="use the credentials of a saved profile")
    call.add_argument(
        "--region",
        default="US",
        type=str.upper,
        help="the country of numbers given without + (default US)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else None
    if first is None or (first not in (*COMMANDS, "-h", "--help", "--version")):
        if first is not None and not first.startswith("-") and not Path(first).exists():
            # Not a command and not a file to open: most likely a typo of a command.
            _err(f"{first!r} is neither a command ({', '.join(COMMANDS)}) nor a file to open")
            return EXIT_UNUSABLE
        from .core.desktop_check import problem

        missing = problem()  # before Qt, which would abort with a core dump instead
        if missing:
            _err(missing)
            return EXIT_PROBLEMS
        import gc

        # Start-up makes a few hundred thousand objects that live as long as the window
        # (modules, classes, widgets): collecting them on the way costs the first frame
        # ~40 ms. The window turns the collector back on at its first frame
        # (gui.qt.app.settle_garbage_collector).
        gc.disable()
        try:
            from .qt.app import run  # only the window needs Qt

            return run(args_list)
        finally:
            gc.enable()
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
        if args.command == "serve":
            from .commands import serve

            return serve.run(args)
        if args.command == "simulate":
            from .commands import simulate

            return simulate.run(args)
        if args.command == "test":
            from .commands import test

            return test.run(args)
        if args.command == "sandbox":
            from .commands import sandbox

            return sandbox.run(args)
        if args.command == "call":
            from .commands import call

            return call.run(args)
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
