"""`flexml-studio simulate`: run one call through a flow and print what happens, event by event.

The input is a project or FlexML files (run in-process, following flow: references and the
project's switches, each decision printed as a `switch_taken` event), or an http(s) URL
(requested like CarrierX does). A project's call that goes to an absolute URL the project
does not serve (CarrierX's own examples redirect to such URLs) is fetched from there over
HTTP; with --offline, or when it cannot be fetched, the call "left the project" at that URL:
a `left_project` event, no error. A URL at the project's own address that names no flow (a
relative one such as /next; without a base URL the address is http://project.invalid) is an
error, as the flow server would answer 404, and nothing is requested. A GET whose stored data
(Storage_ fields) makes its URL too long to send is an error saying so. Exit 0 when the call
ends without an error event (having left the project included), 1 when it ends with one, 2
when the input or the command line is unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from ..core.flexml import FlexmlError, MalformedError
from ..core.project import Project, load
from ..core.runtime import (
    CallInfo,
    Error,
    Event,
    HttpSource,
    Interpreter,
    ProjectSource,
    ScriptedCaller,
    normalise_number,
)
from ..core.runtime.call import DEFAULT_FROM, DEFAULT_TO
from . import UserError

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


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


def _printer(as_json: bool):
    def show(event: Event) -> None:
        if as_json:
            line = json.dumps(event.to_json(), ensure_ascii=False)
        else:
            line = f"{event.at:7.1f}s  {event.describe()}"
        print(line, flush=True)

    return show


def run(args: argparse.Namespace) -> int:
    try:
        caller = ScriptedCaller(args.digits)
    except ValueError as exc:
        raise UserError(f"--digits: {exc}") from None
    try:
        call = CallInfo(
            from_number=normalise_number(args.from_number or DEFAULT_FROM),
            to_number=normalise_number(args.to_number or DEFAULT_TO),
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    url = None
    if any(_is_url(item) for item in args.inputs):
        if len(args.inputs) > 1 or args.flow:
            raise UserError("give one URL on its own (--flow is for projects)")
        url = args.inputs[0]
        source = HttpSource(url)
    else:
        loaded = _load(args.inputs)
        if isinstance(loaded, int):
            return loaded
        if not loaded.names:
            raise UserError(f"{args.inputs[0]} has no flows to simulate")
        if args.flow and args.flow not in loaded.all_names:
            raise UserError(
                f"the project has no flow named {args.flow!r} "
                f"(it has: {', '.join(loaded.all_names)})"
            )
        fallback = None if args.offline else HttpSource()
        source = ProjectSource(loaded, args.flow, fallback=fallback)
    interpreter = Interpreter(
        source, caller, url=url, method=args.method, call=call, on_event=_printer(args.json)
    )
    events = asyncio.run(_run(interpreter, source))
    return EXIT_PROBLEMS if any(isinstance(e, Error) for e in events) else EXIT_OK


async def _run(interpreter: Interpreter, source: HttpSource | ProjectSource) -> list[Event]:
    try:
        return await interpreter.run()
    finally:
        await source.aclose()
