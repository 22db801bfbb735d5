"""`flexml-studio serve`: serve flows over HTTP until Ctrl+C or SIGTERM, printing each request.

With `--json` the first stdout line is `{"url": BASE, "flows": {NAME: URL}, "entry": NAME}`
and every request follows as one JSON line. Requests are queued to a writer thread that
writes and flushes every 20 ms, so a program reading the pipe sees each request at once,
while a busy server pays one write per batch instead of a thread switch per request.

When stdout is not read (a stalled pipe), at most MAX_PENDING lines wait: the lines past
that are dropped and counted, stderr says so when it starts, and the count at the end (also
on SIGTERM), with the lines that were still waiting then.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from json.encoder import c_make_encoder, encode_basestring_ascii
from typing import Any, TextIO

from ..core.flexml import FlexmlError, MalformedError, Severity
from ..core.flexml.refs import flow_url
from ..core.http_guard import EVERYWHERE, reachable_host
from ..core.project import Project, load
from ..core.server import FlowServer, RequestRecord, ServerError, Snapshot
from ..core.server.records import local_time
from ..core.server.server import TokenError
from . import UserError
from .report import Finding, plural

EXIT_OK = 0
FLUSH_INTERVAL = 0.02  # seconds: how long a line may wait before it is written
MAX_PENDING = 2000  # lines waiting for stdout; past that, new ones are dropped (and counted)
CLOSE_TIMEOUT = 2.0  # seconds the last lines get to be written at the end
WRITE_GROUP = 256  # lines formatted and written at a time
UNSPECIFIED_HOSTS = EVERYWHERE


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


# The server's request log is for a window to look back at; here every record goes to
# stdout instead, and a log of 1,000 kept their fields alive for nobody, which cost a
# POST 4 to 8 µs of its 200 in three A/B runs (fields freed at once are likely
# reused while still in the cache).
SERVER_LOG = 1


def _start(args: argparse.Namespace) -> FlowServer:
    try:
        server = FlowServer(
            args.host,
            args.port,
            token=args.token,
            public_url=args.public_url,
            log_size=SERVER_LOG,
        )
        server.start()
    except TokenError as exc:
        instead = "" if args.public_url else ", or serve on 127.0.0.1"
        raise UserError(f"{exc} (e.g. --token {secrets.token_urlsafe(18)}){instead}") from None
    except ValueError as exc:
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
    """`json.dumps(record.as_dict())`, the same text. For a record of a flow or the status
    route (no switches, nothing cut) it is made in 40% of the time that took: no dict, the
    time from `local_time`, the params straight through one C encoder; the others take
    json.dumps. The writer thread makes it, so no request waits for it, but on a server
    with one core it takes that core's time all the same (bench_server.py --serve-only)."""
    latency = round(record.latency_ms, 3)
    if record.decisions or record.cut or not math.isfinite(latency):
        return json.dumps(record.as_dict())
    params = record.params
    return (
        f'{{"time": "{local_time(record.time)}", "method": {_quote(record.method)}, '
        f'"path": {_quote(record.path)}, "params": {_encode(params) if params else "{}"}, '
        f'"status": {int.__repr__(record.status)}, "size": {int.__repr__(record.size)}, '
        f'"latency_ms": {latency!r}}}'
    )


def _encoder() -> Callable[[Any], str]:
    """json.dumps with its default options, for a dict of fields: the C encoder made once
    instead of once a call. Without a check for cycles (a request's fields are parsed
    from its text, so they hold none), which is what lets one encoder serve every call."""
    default = json.JSONEncoder()
    if c_make_encoder is None:
        return default.encode
    encode = c_make_encoder(None, default.default, _quote, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


_quote = encode_basestring_ascii
_encode = _encoder()


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
    if record.cut:
        line += f" [cut: {record.cut}]"
    return line


def _plain(value: Any) -> str:
    return value if isinstance(value, str) and value and " " not in value else json.dumps(value)


class LineWriter:
    """Writes lines (or records, formatted here) to `stream` from its own thread.

    `put` only appends to a deque: no lock and no wake-up per request, which on a busy
    server would cost more than the request itself (a thread switch each time). The
    thread wakes every `interval` seconds, writes what came in, and flushes once.

    At most `limit` lines wait: when the stream is not read, the lines past that are
    dropped and counted (`dropped`), so memory stays bounded however long it stalls. A
    stream with a file descriptor is written to with os.write, outside Python's buffer and
    its lock: a thread stuck writing to a pipe nobody reads then cannot hold the process up
    as it exits. `unwritten` counts the lines `close` had to leave behind.
    """

    def __init__(
        self,
        stream: TextIO,
        format_record: Callable[[RequestRecord], str],
        on_broken_pipe: Callable[[], object],
        interval: float = FLUSH_INTERVAL,
        limit: int = MAX_PENDING,
    ) -> None:
        self._stream = stream
        self._fd = _fd_of(stream)
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self._format = format_record
        self._on_broken_pipe = on_broken_pipe
        self._interval = interval
        self.limit = limit
        self._pending: deque[str | RequestRecord] = deque()
        self._writing = 0  # lines in the write under way
        self._closing = threading.Event()
        self.broken = False
        self.dropped = 0  # lines not queued: `limit` were waiting already
        self.unwritten = 0  # lines still waiting when `close` gave up on a stalled stream
        self._thread = threading.Thread(target=self._run, name="serve-output", daemon=True)
        self._thread.start()

    def put(self, item: str | RequestRecord) -> None:
        """Queue a line or a record (safe from any thread, never blocks); dropped and
        counted when `limit` lines are waiting."""
        if len(self._pending) >= self.limit:
            self.dropped += 1
            return
        self._pending.append(item)

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Write what is queued, flush, and end the thread; after `timeout` seconds (the
        stream is not read) leave the rest, counted in `unwritten`."""
        self._closing.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.unwritten = len(self._pending) + self._writing

    def _run(self) -> None:
        pending, format_record = self._pending, self._format
        try:
            while True:
                closing = self._closing.wait(self._interval)
                while pending:
                    # A group at a time: what waits in a stalled write stays small.
                    lines = []
                    while pending and len(lines) < WRITE_GROUP:
                        item = pending.popleft()
                        lines.append(item if isinstance(item, str) else format_record(item))
                    self._writing = len(lines)
                    lines.append("")
                    self._write("\n".join(lines))
                    self._writing = 0
                if self._fd is None:
                    self._stream.flush()
                if closing:
                    return
        except BrokenPipeError:  # the reader went away: stop writing, and stop serving
            self.broken = True
            self._on_broken_pipe()

    def _write(self, text: str) -> None:
        if self._fd is None:
            self._stream.write(text)
            return
        data = memoryview(text.encode(self._encoding, "backslashreplace"))
        while data:
            data = data[os.write(self._fd, data) :]


def _fd_of(stream: TextIO) -> int | None:
    """The file descriptor under `stream`, with nothing buffered above it; None for a
    stream without one (captured in-process)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    stream.flush()  # what was printed before comes first
    return fd


def wait_saying_drops(stop: threading.Event, writer: LineWriter, what: str) -> None:
    """Wait until `stop` is set; say on stderr once when `writer` starts dropping lines."""
    said = False
    while not stop.wait(1.0):  # a timeout keeps the wait interruptible everywhere
        if writer.dropped and not said:
            said = True
            print(
                f"flexml-studio: warning: stdout is not read as fast as {what} lines come: "
                f"past {writer.limit:,} waiting, they are dropped (the count comes at the end)",
                file=sys.stderr,
                flush=True,
            )


def say_lost(writer: LineWriter, what: str) -> None:
    """Say on stderr how many lines `writer` dropped or could not write, if any."""
    lost = []
    if writer.dropped:
        lost.append(f"{_lines(writer.dropped, what + ' line')} dropped")
    if writer.unwritten:
        lost.append(f"{_lines(writer.unwritten, 'line')} not written at the end")
    if lost:
        print(
            f"flexml-studio: warning: {' and '.join(lost)}: stdout was not read fast enough",
            file=sys.stderr,
            flush=True,
        )


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
            if not writer.broken:  # a reader that went away (| head) wants no more words
                say_lost(writer, "request")
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
            host = reachable_host(server.host)
            port = server.url.rsplit(":", 1)[1]
            reachable = f"http://{f'[{host}]' if ':' in host else host}:{port}"
            print(
                f"flexml-studio: note: flow: references point at {server.url}, which other "
                f"machines cannot use; this machine is at {reachable}: give --public-url "
                "with the address CarrierX reaches",
                file=sys.stderr,
            )
        for line in _header_lines(server, snapshot, args.json):
            writer.put(line)
        server.add_listener(writer.put)
        wait_saying_drops(stop, writer, "request")
    finally:
        server.stop()


def _lines(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _switches(count: int) -> str:
    return f"{count} switch" if count == 1 else f"{count} switches"
