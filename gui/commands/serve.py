"""`flexml-studio serve`: serve flows over HTTP until Ctrl+C or SIGTERM, printing each request.

With `--json` the first stdout line is `{"url": BASE, "flows": {NAME: URL}, "entry": NAME}`
and every request follows as one JSON line. Requests are queued to a writer thread that
writes and flushes every 20 ms, so a program reading the pipe sees each request at once,
while a busy server pays one write per batch instead of a thread switch per request.
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TextIO

from ..core.flexml import FlexmlError, MalformedError, Severity
from ..core.flexml.refs import flow_url
from ..core.net import is_loopback
from ..core.project import Project, load
from ..core.server import FlowServer, RequestRecord, ServerError, Snapshot
from . import UserError
from .report import Finding, plural

EXIT_OK = 0
FLUSH_INTERVAL = 0.02  # seconds: how long a line may wait before it is written
UNSPECIFIED_HOSTS = ("0.0.0.0", "::", "")


def _load(inputs: list[str]) -> Project:
    try:
        project = load(inputs)
    except MalformedError as exc:
        where = f"{inputs[0]}: " if len(inputs) == 1 else ""  # with several, load names it
        at = f" (line {exc.line}, column {exc.column or 1})" if exc.line else ""
        raise UserError(f"{where}{exc.message}{at}") from None
    except FlexmlError as exc:
        raise UserError(exc.message) from None
    if not project.names:
        raise UserError(f"{inputs[0]} has no flows to serve")
    return project


def _report_problems(inputs: list[str], project: Project) -> None:
    """Lint problems go to stderr; they do not stop serving (the user may be mid-edit)."""
    if project.path is None and len(inputs) == len(project):
        sources = dict(zip(project.names, inputs, strict=True))
    else:
        sources = dict.fromkeys(project.all_names, inputs[0])
    errors = 0
    for name, problems in project.lint().items():
        for problem in problems:
            errors += problem.severity is Severity.ERROR
            print(Finding(sources[name], problem, name).line(), file=sys.stderr)
    if errors:
        print(
            f"flexml-studio: warning: serving flows with {plural(errors, 'error')}; "
            "CarrierX may refuse them",
            file=sys.stderr,
        )


def _start(args: argparse.Namespace) -> FlowServer:
    try:
        server = FlowServer(args.host, args.port, token=args.token, public_url=args.public_url)
        server.start()
    except ValueError as exc:
        if args.token is None and not is_loopback(args.host):
            raise UserError(
                f"{exc} (e.g. --token {secrets.token_urlsafe(18)}), or serve on 127.0.0.1"
            ) from None
        raise UserError(str(exc)) from None
    except ServerError as exc:
        raise UserError(str(exc)) from None
    return server


def _header_lines(server: FlowServer, snapshot: Snapshot, as_json: bool) -> list[str]:
    urls = server.flow_urls()
    switches = {name: flow_url(server.base_url, name) for name in snapshot.switches}
    entry = snapshot.entry
    if as_json:
        header: dict[str, Any] = {"url": server.base_url, "flows": urls, "entry": entry}
        if switches:  # only then: a project without switches keeps the header it had
            header["switches"] = switches
        return [json.dumps(header)]
    width = max(map(len, [*urls, *switches]))
    served = plural(len(urls), "flow")
    if switches:
        served += f" and {_switches(len(switches))}"
    lines = [f"Serving {served} at {server.base_url}"]
    for name, url in urls.items():
        mark = "  (entry, also at /)" if name == entry else ""
        lines.append(f"  {name:<{width}}  {url}{mark}")
    for name, url in switches.items():
        lines.append(f"  {name:<{width}}  {url}  (switch: answers the flow it chooses)")
    lines.append(f"Status callbacks: {server.base_url}/status")
    lines.append("Press Ctrl+C to stop.")
    return lines


def json_line(record: RequestRecord) -> str:
    return json.dumps(record.as_dict())


def text_line(record: RequestRecord) -> str:
    clock = datetime.fromtimestamp(record.time).strftime("%H:%M:%S.%f")[:-3]
    fields = " ".join(f"{k}={_plain(v)}" for k, v in record.params.items())
    line = (
        f"{clock} {record.method} {record.path} -> {record.status} "
        f"({record.size} B, {record.latency_ms:.1f} ms){' ' + fields if fields else ''}"
    )
    for taken in record.decisions:
        looked = f"{taken.parameter}={_plain(taken.value)}" if taken.parameter else "the time"
        line += f" [switch {taken.switch}: {looked} -> {taken.label} -> {taken.goto}]"
    return line


def _plain(value: Any) -> str:
    return value if isinstance(value, str) and value and " " not in value else json.dumps(value)


class LineWriter:
    """Writes lines (or records, formatted here) to `stream` from its own thread.

    `put` only appends to a deque: no lock and no wake-up per request, which on a busy
    server would cost more than the request itself (a thread switch each time). The
    thread wakes every `interval` seconds, writes what came in, and flushes once.
    """

    def __init__(
        self,
        stream: TextIO,
        format_record: Callable[[RequestRecord], str],
        on_broken_pipe: Callable[[], object],
        interval: float = FLUSH_INTERVAL,
    ) -> None:
        self._stream = stream
        self._format = format_record
        self._on_broken_pipe = on_broken_pipe
        self._interval = interval
        self._pending: deque[str | RequestRecord] = deque()
        self._closing = threading.Event()
        self.broken = False
        self._thread = threading.Thread(target=self._run, name="serve-output", daemon=True)
        self._thread.start()

    def put(self, item: str | RequestRecord) -> None:
        """Queue a line or a record (safe from any thread, never blocks)."""
        self._pending.append(item)

    def close(self) -> None:
        """Write what is queued, flush, and end the thread."""
        self._closing.set()
        self._thread.join(5)

    def _run(self) -> None:
        pending, stream, format_record = self._pending, self._stream, self._format
        try:
            while True:
                closing = self._closing.wait(self._interval)
                if pending:
                    lines = []
                    while pending:
                        item = pending.popleft()
                        lines.append(item if isinstance(item, str) else format_record(item))
                    lines.append("")
                    stream.write("\n".join(lines))
                    stream.flush()
                if closing:
                    return
        except BrokenPipeError:  # the reader went away: stop writing, and stop serving
            self.broken = True
            self._on_broken_pipe()


@contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM set `stop` (handlers restored after). Installed
    before anything is printed, so a signal sent as soon as the URL is read is handled."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or until `stop` is set, for callers that embed it)."""
    stop = stop or threading.Event()
    with stopped_by_signals(stop):
        project = _load(args.inputs)
        _report_problems(args.inputs, project)
        writer = LineWriter(sys.stdout, json_line if args.json else text_line, stop.set)
        try:
            _serve(args, project, writer, stop)
        finally:
            writer.close()
    if writer.broken:
        raise BrokenPipeError  # the CLI silences stdout and exits like SIGPIPE
    return EXIT_OK


def _serve(
    args: argparse.Namespace, project: Project, writer: LineWriter, stop: threading.Event
) -> None:
    server = _start(args)
    try:
        snapshot = server.publish_project(project)
        if not server.public_url and server.host in UNSPECIFIED_HOSTS:
            print(
                f"flexml-studio: note: flow: references point at {server.url}; give "
                "--public-url with the address CarrierX reaches",
                file=sys.stderr,
            )
        for line in _header_lines(server, snapshot, args.json):
            writer.put(line)
        server.add_listener(writer.put)
        while not stop.wait(1.0):  # a timeout keeps the wait interruptible everywhere
            pass
    finally:
        server.stop()


def _switches(count: int) -> str:
    return f"{count} switch" if count == 1 else f"{count} switches"
