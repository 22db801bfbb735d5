"""`flexml-studio sandbox`: a local CarrierX-compatible API until Ctrl+C or SIGTERM.

With `--json` the first stdout line is `{"api_url", "login", "password", "core_url",
"core_token", "dids"}` and every call event follows as one JSON line
`{"call_sid": ..., **event.to_json()}`, flushed within 20 ms (serve's LineWriter: at most
its MAX_PENDING lines wait for a stdout nobody reads; the rest are dropped, counted on stderr).

`--did-url URL` gives every DID that FlexML URL: a call placed without a `url` uses it, as
CarrierX uses the calling DID's (PATCH /dids/{did_sid} sets one DID's while it runs).

It listens on 127.0.0.1 unless told otherwise. Told to listen beyond loopback, it warns on
stderr (its login and password cross the network unencrypted, and anyone who has them can
make it fetch any URL) and hands out URLs with this machine's address, not 0.0.0.0.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from ..core.net import is_loopback
from ..core.runtime.events import Event
from ..core.runtime.sandbox import Sandbox, SandboxError
from . import UserError
from .sandbox_env import print_env
from .serve import LineWriter, say_lost, stopped_by_signals, wait_saying_drops

EXIT_OK = 0


def json_line(call_sid: str, event: Event) -> str:
    return json.dumps({"call_sid": call_sid, **event.to_json()})


def text_line(call_sid: str, event: Event) -> str:
    return f"{call_sid[:8]} {event.at:7.2f}s {event.describe()}"


def _header_lines(sandbox: Sandbox, as_json: bool) -> list[str]:
    info = sandbox.info()
    if as_json:
        return [json.dumps(info)]
    did = sandbox.did(info["dids"][0]) or {}
    did_url = did.get("url")
    return [
        f"CarrierX sandbox at {info['api_url']}",
        f"  FlexML API login:    {info['login']}",
        f"  FlexML API password: {info['password']}",
        f"  Core API:            {info['core_url']} (Bearer {info['core_token']})",
        f"  DIDs (calling_did):  {', '.join(info['dids'])}",
        f"  The DIDs' url:       {did_url} ({did.get('method')})"
        if did_url
        else "  The DIDs' url:       none (give one with --did-url or PATCH /dids/{did_sid})",
        'Place a call: POST /calls {"calling_did", "called_did", "url", '
        '"attributes": {"dtmf": "1#"}} (without "url": the DID\'s url)',
        f"What the sandbox saw of a call: GET {sandbox.url}/sandbox/calls/{{call_sid}}",
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
            if not writer.broken:
                say_lost(writer, "event")
    if writer.broken:
        raise BrokenPipeError
    return EXIT_OK


def _serve(args: argparse.Namespace, writer: LineWriter, stop: threading.Event) -> None:
    format_event = json_line if args.json else text_line
    try:
        # getattr: --did-url is read when the command line has it (gui/cli.py).
        did_url = getattr(args, "did_url", None)
        sandbox = Sandbox.default(args.host, args.port, did_url=did_url)
        sandbox.start()
    except (ValueError, SandboxError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot keep the sandbox credentials: {exc}") from None
    try:
        if not is_loopback(args.host):
            _warn_reachable(args.host, sandbox)
        if args.print_env:
            print_env(sandbox.info())  # export lines, then stdout let go (sandbox_env)
        else:
            for line in _header_lines(sandbox, args.json):
                writer.put(line)
        sandbox.add_listener(lambda call_sid, event: writer.put(format_event(call_sid, event)))
        wait_saying_drops(stop, writer, "event")
    finally:
        sandbox.stop()


def _warn_reachable(host: str, sandbox: Sandbox) -> None:
    print(
        f"flexml-studio: warning: the sandbox listens on {host}, so other machines reach it "
        f"at {sandbox.url}: its login and password cross the network unencrypted, and "
        "whoever has them can make it request any URL and open WebSockets to any host; "
        "leave out --host to keep it on "
        "127.0.0.1",
        file=sys.stderr,
        flush=True,
    )
