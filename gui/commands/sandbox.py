"""`flexml-studio sandbox`: a local CarrierX-compatible API until Ctrl+C or SIGTERM.

With `--json` the first stdout line is `{"api_url", "login", "password", "core_url",
"core_token", "dids"}` and every call event follows as one JSON line
`{"call_sid": ..., **event.to_json()}`, flushed within 20 ms (serve's LineWriter).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from ..core.runtime.events import Event
from ..core.runtime.sandbox import Sandbox, SandboxError
from . import UserError
from .serve import LineWriter, stopped_by_signals

EXIT_OK = 0


def json_line(call_sid: str, event: Event) -> str:
    return json.dumps({"call_sid": call_sid, **event.to_json()})


def text_line(call_sid: str, event: Event) -> str:
    return f"{call_sid[:8]} {event.at:7.2f}s {event.describe()}"


def _header_lines(sandbox: Sandbox, as_json: bool) -> list[str]:
    info = sandbox.info()
    if as_json:
        return [json.dumps(info)]
    return [
        f"CarrierX sandbox at {info['api_url']}",
        f"  FlexML API login:    {info['login']}",
        f"  FlexML API password: {info['password']}",
        f"  Core API:            {info['core_url']} (Bearer {info['core_token']})",
        f"  DIDs (calling_did):  {', '.join(info['dids'])}",
        'Place a call: POST /calls {"calling_did", "called_did", "url", '
        '"attributes": {"dtmf": "1#"}}',
        "Press Ctrl+C to stop.",
    ]


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Run the sandbox until SIGINT/SIGTERM (or until `stop` is set)."""
    stop = stop or threading.Event()
    with stopped_by_signals(stop):
        writer = LineWriter(sys.stdout, str, stop.set)
        try:
            _serve(args, writer, stop)
        finally:
            writer.close()
    if writer.broken:
        raise BrokenPipeError
    return EXIT_OK


def _serve(args: argparse.Namespace, writer: LineWriter, stop: threading.Event) -> None:
    format_event = json_line if args.json else text_line
    try:
        sandbox = Sandbox.default(args.host, args.port)
        sandbox.start()
    except (ValueError, SandboxError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot keep the sandbox credentials: {exc}") from None
    try:
        for line in _header_lines(sandbox, args.json):
            writer.put(line)
        sandbox.add_listener(lambda call_sid, event: writer.put(format_event(call_sid, event)))
        while not stop.wait(1.0):
            pass
    finally:
        sandbox.stop()
