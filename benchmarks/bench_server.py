"""Benchmark the flow server against a minimal standalone aiohttp app, measured in the same run.

The flow server runs the way the window runs it: in a process with a QApplication, a shown
window and the qasync loop running in the main thread, the server on its own thread, and a
request listener that hands records to the GUI thread (a deque drained by a QTimer, shown in
a label). The baseline is a minimal aiohttp app in a process of its own, with no GUI: one
route that parses the JSON body of a POST and answers the same XML bytes.

Load comes from a separate process: a raw asyncio HTTP/1.1 client (keep-alive, one request
in flight per connection), bounded by a request count and a time limit, loopback only. Each
scenario (GET, and POST with a CarrierX JSON body, at 20 and 100 connections) alternates
baseline and flow server `--runs` times; the table shows the median run of each. With two
or more CPUs, the server processes are pinned to one CPU and the load generator to another,
so each server has one whole core (the flow server shares it with the GUI thread).

Targets: flow server throughput >= 0.9x the baseline's; p99 < 10 ms at 20 connections.

Then switches (issue 12), in the same process and run: a POST through a switch (/flows/route,
whose case for Digits=1 answers the flow main) against a POST to main itself, with the same
body (the CarrierX fields and Digits=1) and the same answer bytes, alternating `--runs` times
at 20 and 100 connections. The server remembers what a switch chose for the same parameters
(routes._Choices), as a menu's few keys make it in real use; so a second row goes through
opening hours first (/flows/open, then route), which is chosen afresh for every request.
Targets: through a switch >= 0.9x the plain flow's throughput; p99 < 10 ms at 20 connections.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_server.py [--requests N]
       [--seconds S] [--runs N] [--switch-only | --gunicorn-only | --serve-only]

Then gunicorn (the `server` extra) with 1 and 2 workers against the embedded server; see
"gunicorn" below. --gunicorn-only runs that part alone.

Last, the headless command (issue 17): `flexml-studio serve FLOW --json`, its stdout a pipe
drained by this process, against the same bare aiohttp app, both pinned to one CPU; see
"the headless command" below. Target: >= 0.9x for GET and POST. --serve-only runs it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

LOOPBACK = "127.0.0.1"
# With two CPUs or more, servers run on CPU 0 and the load generator on CPU 1, so each
# server gets one whole core and runs do not depend on where the scheduler puts them.
SERVER_CPU, LOAD_CPU = 0, 1
CPUS_VARIABLE = "BENCH_SERVER_CPUS"  # the CPUs the run started with, handed to its children
CONNECTIONS = (20, 100)
CARRIERX_BODY = {
    "AccountSid": "",
    "ApiVersion": "2.0",
    "CallSid": "7d1e1f3a-3c55-4d1e-9b3a-0f6c7f1e2a11",
    "CallerName": "",
    "CallStatus": "in-progress",
    "Direction": "inbound",
    "ForwardedFrom": "",
    "From": "15162065319",
    "To": "15162065318",
    "OriginalFrom": "+15162065319",
    "OriginalTo": "15162065318",
    "RequestUrl": "http://127.0.0.1/flows/main",
    "EndpointSid": "a2f0c1d5-4b7e-4b4e-8a8d-3d6f2c1b0e9f",
    "PartnerSid": "b4c2d1e0-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
}
PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Say voice="woman">Welcome to the support line.</Say>
      <Gather action="flow:choice" numDigits="1" timeout="5">
        <Say>For sales press 1, for support press 2.</Say>
      </Gather>
      <Redirect>flow:main</Redirect>
    </Response>
  </flow>
  <flow name="choice">
    <Response>
      <Dial callerId="15162065318"><Number>15162065300</Number></Dial>
      <Hangup/>
    </Response>
  </flow>
  <switch name="route" on="Digits">
    <case values="2 3" goto="choice"/>
    <case prefix="0" goto="choice"/>
    <case value="1" goto="main"/>
    <otherwise goto="main"/>
  </switch>
  <switch name="open">
    <case hours="Mon-Sun 00:00-24:00" tz="America/New_York" goto="route"/>
    <otherwise goto="choice"/>
  </switch>
</flexml-project>
"""


# -- the load generator (its own process) ------------------------------------------------


class _Connection(asyncio.Protocol):
    """One keep-alive connection sending the same request again as each answer arrives."""

    def __init__(self, request: bytes, run: _LoadRun) -> None:
        self.request = request
        self.run = run
        self.buffer = bytearray()
        self.sent_at = 0.0
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        if not self.run.take():
            self.transport.close()
            return
        self.buffer.clear()
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[:end]).lower()
        at = head.find(b"content-length:")
        stop = head.find(b"\r\n", at)
        length = 0 if at < 0 else int(head[at + 15 : stop if stop > 0 else len(head)])
        if len(buffer) < end + 4 + length:
            return
        self.run.done(time.perf_counter() - self.sent_at, head[9:12] == b"200", length)
        self._send()

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)


class _LoadRun:
    def __init__(self, warmup: int, count: int, seconds: float) -> None:
        self.warmup = warmup
        self.left = warmup + count
        self.seconds = seconds
        self.deadline = float("inf")
        self.latencies: list[float] = []
        self.errors = 0
        self.sizes: set[int] = set()
        self.started = 0.0
        self.ended = 0.0

    def take(self) -> bool:
        now = time.perf_counter()
        if self.left <= 0 or now > self.deadline:
            self.ended = self.ended or now
            return False
        self.left -= 1
        return True

    def done(self, latency: float, ok: bool, size: int) -> None:
        if self.warmup > 0:
            self.warmup -= 1
            if self.warmup == 0:  # measuring starts now
                self.started = time.perf_counter()
                self.deadline = self.started + self.seconds
            return
        self.latencies.append(latency)
        self.errors += not ok
        self.sizes.add(size)


async def _load(
    port: int, method: str, path: str, connections: int, args, digits: str | None = None
) -> dict:
    fields = CARRIERX_BODY if digits is None else {**CARRIERX_BODY, "Digits": digits}
    body = json.dumps(fields).encode() if method == "POST" else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    request = (head + "\r\n").encode() + body
    run = _LoadRun(args.warmup, args.requests, args.seconds)
    loop = asyncio.get_running_loop()
    conns = []
    for _ in range(connections):
        _, conn = await loop.create_connection(lambda: _Connection(request, run), LOOPBACK, port)
        conns.append(conn)
    await asyncio.gather(*(c.closed for c in conns))
    elapsed = (run.ended or time.perf_counter()) - run.started
    lat = sorted(run.latencies)
    return {
        "requests": len(lat),
        "errors": run.errors,
        "sizes": sorted(run.sizes),
        "rps": len(lat) / elapsed,
        "p50": lat[len(lat) // 2] * 1000,
        "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
    }


# -- the baseline server (its own process, no GUI) ---------------------------------------


def _baseline_server(xml_path: str) -> None:
    from aiohttp import web

    xml = Path(xml_path).read_bytes()

    async def flow(request: web.Request) -> web.Response:
        if request.method == "POST":
            await request.json()
        return web.Response(body=xml, content_type="application/xml", charset="utf-8")

    async def serve() -> None:
        app = web.Application()
        app.router.add_route("*", "/flows/{name}", flow)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, 0)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
        await runner.cleanup()

    asyncio.run(serve())


def start_baseline(xml_path: Path) -> subprocess.Popen:
    """The baseline server in a process of its own, serving `xml_path`; its first line of
    output is its port, and it ends when its stdin is closed."""
    return subprocess.Popen(
        [sys.executable, __file__, "--baseline-server", str(xml_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


# -- the orchestrator: Qt + qasync + the flow server in this process ---------------------


def _run_load(
    port: int, method: str, path: str, connections: int, args, digits: str | None = None
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--load",
        f"{port} {method} {path} {connections}" + (f" {digits}" if digits else ""),
        "--requests",
        str(args.requests),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout)


def _pin(which: int) -> None:
    if not hasattr(os, "sched_setaffinity"):
        return
    if CPUS_VARIABLE not in os.environ:
        os.environ[CPUS_VARIABLE] = ",".join(map(str, sorted(os.sched_getaffinity(0))))
    cpus = [int(c) for c in os.environ[CPUS_VARIABLE].split(",")]
    if len(cpus) >= 2:
        os.sched_setaffinity(0, {cpus[which]})


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


class _GuiProcess:
    """A QApplication with a shown window, the qasync loop, and a request log view fed the
    way the window is meant to be: the server thread only appends to a deque, and a QTimer
    on the GUI thread drains it into the view (no Qt call from the server thread)."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import qasync
        from PySide6.QtCore import QTimer, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

        # The offscreen platform warns about window size hints; nothing else is dropped.
        qInstallMessageHandler(
            lambda _mode, _context, message: (
                None if "propagateSizeHints" in message else print(message, file=sys.stderr)
            )
        )
        self.app = QApplication(sys.argv[:1])
        self.window = QMainWindow()
        self.label = QLabel("requests: 0")
        self.window.setCentralWidget(self.label)
        self.window.resize(800, 600)
        self.window.show()
        self.loop = qasync.QEventLoop(self.app)
        asyncio.set_event_loop(self.loop)
        self.pending: deque = deque()
        self.shown = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self.drain)
        self.timer.start(100)

    def drain(self) -> None:
        count = 0
        while self.pending:
            self.pending.popleft()
            count += 1
        if count:
            self.shown += count
            self.label.setText(f"requests: {self.shown}")


def _measure(gui: _GuiProcess, ports: tuple[int, int], size: int, args):
    """For each scenario, alternate baseline and flow server `args.runs` times; then the
    switch against the plain flow. One run of the qasync loop for all of it."""

    async def both() -> tuple[list[tuple], list[tuple]]:
        rows = [] if args.switch_only else await _scenarios(gui, ports, size, args)
        return rows, await _switch_scenarios(gui, ports[1], size, args)

    with gui.loop:
        return gui.loop.run_until_complete(both())


async def _scenarios(gui: _GuiProcess, ports: tuple[int, int], size: int, args) -> list[tuple]:
    rows = []
    for method in ("GET", "POST"):
        for connections in CONNECTIONS:
            runs: tuple[list, list] = ([], [])
            for _ in range(args.runs):
                for port, results in zip(ports, runs, strict=True):
                    result = await gui.loop.run_in_executor(
                        None, _run_load, port, method, "/flows/main", connections, args
                    )
                    assert result["errors"] == 0 and result["sizes"] == [size], result
                    results.append(result)
            rows.append((method, connections, *map(_median_run, runs)))
    return rows


async def _switch_scenarios(gui: _GuiProcess, port: int, size: int, args) -> list[tuple]:
    """POST to the plain flow, then through the switch, alternating, on the flow server."""
    rows = []
    for connections in CONNECTIONS:
        runs: tuple[list, list, list] = ([], [], [])
        for _ in range(args.runs):
            paths = ("/flows/main", "/flows/route", "/flows/open")
            for path, results in zip(paths, runs, strict=True):
                # CPU time of this process (the flow server's thread, and a GUI thread that
                # idles) per request answered: unlike throughput, it does not depend on what
                # else the machine is doing.
                cpu = time.process_time()
                result = await gui.loop.run_in_executor(
                    None, _run_load, port, "POST", path, connections, args, "1"
                )
                answered = args.warmup + result["requests"]
                result["cpu_us"] = (time.process_time() - cpu) / answered * 1e6
                assert result["errors"] == 0 and result["sizes"] == [size], result
                results.append(result)
        rows.append((connections, *map(_median_run, runs)))
    return rows


def _print_switch_table(rows: list[tuple], size: int, args) -> None:
    print(
        f"Switches: POST through switches against POST to the plain flow, same {size}-byte "
        f"answer, same run; median of {args.runs} alternating runs"
    )
    print()
    print(
        "| connections | through | plain flow req/s | through switches req/s | ratio "
        "| plain p50 / p99 (ms) | switches p50 / p99 (ms) "
        "| server CPU per request, plain / switches (µs) | targets |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    kinds = ("a switch (3 cases before the match)", "opening hours, then that switch")
    for connections, plain, *switches in rows:
        for kind, switch in zip(kinds, switches, strict=True):
            ratio = switch["rps"] / plain["rps"]
            targets = [f">= 0.9x {'met' if ratio >= 0.9 else 'MISSED'}"]
            if connections == 20:
                targets.append(f"p99 < 10 ms {'met' if switch['p99'] < 10 else 'MISSED'}")
            print(
                f"| {connections} | {kind} | {plain['rps']:,.0f} | {switch['rps']:,.0f} "
                f"| {ratio:.2f}x | {plain['p50']:.2f} / {plain['p99']:.2f} "
                f"| {switch['p50']:.2f} / {switch['p99']:.2f} "
                f"| {plain['cpu_us']:.0f} / {switch['cpu_us']:.0f} | {', '.join(targets)} |"
            )


def _print_table(rows: list[tuple], size: int, args) -> None:
    print(
        f"Flow server benchmark: {size}-byte flow, load from a separate process, "
        f"median of {args.runs} alternating runs; up to {args.requests:,} requests or "
        f"{args.seconds:g} s each after {args.warmup:,} warm-up requests"
    )
    print()
    print(
        "| request | connections | baseline req/s | flow server req/s | ratio "
        "| baseline p50 / p99 (ms) | flow server p50 / p99 (ms) | targets |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for method, connections, base, ours in rows:
        ratio = ours["rps"] / base["rps"]
        targets = [f">= 0.9x {'met' if ratio >= 0.9 else 'MISSED'}"]
        if connections == 20:
            targets.append(f"p99 < 10 ms {'met' if ours['p99'] < 10 else 'MISSED'}")
        label = "GET" if method == "GET" else "POST (CarrierX JSON)"
        print(
            f"| {label} | {connections} | {base['rps']:,.0f} | {ours['rps']:,.0f} "
            f"| {ratio:.2f}x | {base['p50']:.2f} / {base['p99']:.2f} "
            f"| {ours['p50']:.2f} / {ours['p99']:.2f} | {', '.join(targets)} |"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=20_000, help="requests per measurement")
    ap.add_argument("--seconds", type=float, default=3.0, help="time limit per measurement")
    ap.add_argument("--warmup", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3, help="alternating runs per scenario")
    ap.add_argument(
        "--switch-only", action="store_true", help="only the switch against plain flow table"
    )
    ap.add_argument("--load", help=argparse.SUPPRESS)
    ap.add_argument("--baseline-server", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.load:
        _pin(LOAD_CPU)
        port, method, path, connections, *digits = args.load.split()
        found = _load(int(port), method, path, int(connections), args, *digits)
        print(json.dumps(asyncio.run(found)))
        return 0
    _pin(SERVER_CPU)  # this process (Qt, qasync and the flow server thread), or the baseline
    if args.baseline_server:
        _baseline_server(args.baseline_server)
        return 0

    import httpx

    from gui.core.project import load
    from gui.core.server import FlowServer

    gui = _GuiProcess()
    with tempfile.TemporaryDirectory() as tmp:
        project_path = Path(tmp, "bench.flexproj")
        project_path.write_text(PROJECT, "utf-8")
        server = FlowServer()
        server.start()
        server.add_listener(gui.pending.append)
        xml = server.publish_project(load([project_path])).flows["main"]
        Path(tmp, "main.xml").write_bytes(xml)
        baseline = start_baseline(Path(tmp, "main.xml"))
        try:
            ports = (int(baseline.stdout.readline()), int(server.url.rsplit(":", 1)[1]))
            with httpx.Client(trust_env=False) as http:
                for port in ports:  # both answer the same bytes, to GET and to POST
                    url = f"http://{LOOPBACK}:{port}/flows/main"
                    assert http.get(url).content == xml
                    assert http.post(url, json=CARRIERX_BODY).content == xml
                # The switch answers main's bytes for Digits=1, after three other cases.
                switched = http.post(
                    f"{server.url}/flows/route", json={**CARRIERX_BODY, "Digits": "1"}
                )
                assert switched.content == xml and switched.headers["X-FlexML-Switch"]
                timed = http.post(f"{server.url}/flows/open", json={**CARRIERX_BODY, "Digits": "1"})
                assert timed.content == xml
                assert len(timed.headers.get_list("X-FlexML-Switch")) == 2
            rows, switch_rows = _measure(gui, ports, len(xml), args)
            gui.app.processEvents()
            gui.drain()
        finally:
            baseline.stdin.close()
            baseline.wait(10)
            server.stop()
    if rows:
        _print_table(rows, len(xml), args)
        print()
    _print_switch_table(switch_rows, len(xml), args)
    print()
    print(
        f"Records the GUI thread received: {gui.shown:,} (the server's bounded log keeps the "
        f"last {len(server.records()):,})."
    )
    return 0


SANDBOX_PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Say>Welcome.</Say>
      <Pause length="1"/>
      <Gather action="flow:done" numDigits="1"><Say>Press 1.</Say></Gather>
      <Say>Nothing pressed.</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="done">
    <Response>
      <Hangup/>
    </Response>
  </flow>
</flexml-project>
"""


def sandbox_calls(count: int = 200, limit_s: float = 60.0) -> float:
    """Seconds for `count` concurrent sandbox calls of a 5-verb flow served by a FlowServer,
    from the first POST /calls to the last call's end (all in this process)."""
    import threading

    import httpx

    from gui.core.project import load
    from gui.core.runtime.sandbox import Sandbox
    from gui.core.server import FlowServer

    ended = threading.Event()
    done: set[str] = set()

    def on_event(call_sid, event) -> None:
        if type(event).__name__ == "Ended":
            done.add(call_sid)
            if len(done) >= count:
                ended.set()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "sandbox.flexproj")
        path.write_text(SANDBOX_PROJECT, "utf-8")
        with FlowServer() as server, Sandbox() as sandbox:
            server.publish_project(load([path]))
            sandbox.add_listener(on_event)
            body = {
                "calling_did": sandbox.dids[0],
                "called_did": "15551230000",
                "url": server.flow_urls()["main"],
                "status_callback_url": f"{server.url}/status",
                "attributes": {"dtmf": "1"},
            }
            auth = (sandbox.credentials.login, sandbox.credentials.password)

            async def place_all() -> list[int]:
                limits = httpx.Limits(max_connections=count)
                async with httpx.AsyncClient(
                    auth=auth, trust_env=False, timeout=limit_s, limits=limits
                ) as client:
                    url = f"{sandbox.api_url}/calls"
                    answers = await asyncio.gather(
                        *(client.post(url, json=body) for _ in range(count))
                    )
                return [a.status_code for a in answers]

            start = time.perf_counter()
            statuses = asyncio.run(place_all())
            assert statuses == [200] * count, statuses[:5]
            if not ended.wait(limit_s):
                raise RuntimeError(f"only {len(done)} of {count} sandbox calls ended")
            return time.perf_counter() - start


def print_sandbox(count: int = 200) -> None:
    seconds = sandbox_calls(count)
    print()
    print("| sandbox | seconds | target |")
    print("|---|---:|---|")
    verdict = "met" if seconds <= 5 else "MISSED"
    print(
        f"| {count} concurrent calls of a 5-verb flow, start to last end | {seconds:.2f} "
        f"| <= 5 s {verdict} |"
    )


# -- gunicorn (issue 12, "Serving in production") ----------------------------------------
#
# The same project under gunicorn's aiohttp worker (gui.core.server.app:factory, one log
# line per request through `logging`, into a file) with 1 and 2 workers, and with 1 worker
# whose request lines are turned off (a logging config), against the embedded FlowServer in
# this process with the listener `flexml-studio serve` has (its line writer, into
# /dev/null); the same load generator, alternating `--runs` times, in the same run. Every
# server inherits this process's CPU (SERVER_CPU) and the load runs on LOAD_CPU, so on a
# 2-CPU machine two workers share one core. --gunicorn-only runs this part alone.

GUNICORN_ONLY = "--gunicorn-only"
GUNICORN_PUBLIC_URL = "http://flows.example.com"  # every server resolves flow: the same way
# (label, workers, request lines logged)
GUNICORN_SERVERS = (
    ("gunicorn 1 worker", 1, True),
    ("gunicorn 1 worker, no request lines", 1, False),
    ("gunicorn 2 workers", 2, True),
)
QUIET_REQUESTS = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"gui.core.server.app.requests": {"level": "WARNING"}},
}


def _gunicorn_args(argv: list[str]) -> argparse.Namespace:
    """The load options of the command line (main's parser owns the others)."""
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3)
    return ap.parse_known_args(argv)[0]


def _start_gunicorn(
    project: Path, workers: int, log_requests: bool, tmp: Path
) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `project` on a free loopback port; returns it and the port."""
    import re

    log = tmp / f"gunicorn-{workers}-{log_requests}.log"
    options = ["--workers", str(workers), "--bind", f"{LOOPBACK}:0"]
    if not log_requests:
        config = tmp / "quiet.json"
        config.write_text(json.dumps(QUIET_REQUESTS), "utf-8")
        options += ["--log-config-json", str(config)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                f"gui.core.server.app:factory({str(project)!r})",
                "--worker-class",
                "aiohttp.GunicornWebWorker",
                "--preload",
                *options,
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "FLEXML_STUDIO_PUBLIC_URL": GUNICORN_PUBLIC_URL},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        text = log.read_text("utf-8", "replace")
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if found and text.count("Booting worker with pid") >= workers:
            return process, int(found.group(1))
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text('utf-8', 'replace')}")


def gunicorn_rows(args: argparse.Namespace) -> tuple[list[tuple], int]:
    """Rows of (method, connections, [embedded, *GUNICORN_SERVERS] median runs); and the
    answer's size. Every server is checked to answer the same bytes first."""
    import httpx

    from gui.commands.serve import LineWriter, text_line
    from gui.core.project import load
    from gui.core.server import FlowServer

    _pin(SERVER_CPU)  # gunicorn and its workers inherit it
    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as devnull:
        project_path = Path(tmp, "bench.flexproj")
        project_path.write_text(PROJECT, "utf-8")
        server = FlowServer(public_url=GUNICORN_PUBLIC_URL)
        server.start()
        writer = LineWriter(devnull, text_line, lambda: None)
        server.add_listener(writer.put)
        xml = server.publish_project(load([project_path])).flows["main"]
        started = [
            _start_gunicorn(project_path, workers, logged, Path(tmp))
            for _, workers, logged in GUNICORN_SERVERS
        ]
        try:
            ports = [int(server.url.rsplit(":", 1)[1]), *(port for _, port in started)]
            with httpx.Client(trust_env=False) as http:
                for port in ports:  # all answer the same bytes, to GET and to POST
                    url = f"http://{LOOPBACK}:{port}/flows/main"
                    assert http.get(url).content == xml
                    assert http.post(url, json=CARRIERX_BODY).content == xml
            rows = []
            for method in ("GET", "POST"):
                for connections in CONNECTIONS:
                    runs: list[list[dict]] = [[] for _ in ports]
                    for _ in range(args.runs):
                        for port, results in zip(ports, runs, strict=True):
                            result = _run_load(port, method, "/flows/main", connections, args)
                            assert result["errors"] == 0 and result["sizes"] == [len(xml)], result
                            results.append(result)
                    rows.append((method, connections, [_median_run(r) for r in runs]))
        finally:
            for process, _ in started:
                process.terminate()
                process.wait(30)
            server.stop()
            writer.close()
    return rows, len(xml)


def print_gunicorn(argv: list[str] | None = None) -> int:
    """Measure gunicorn against the embedded server and print the table (1 without it)."""
    import importlib.util

    if importlib.util.find_spec("gunicorn") is None:
        print("\ngunicorn is not installed: pip install 'flexml-studio[server]'", file=sys.stderr)
        return 1
    args = _gunicorn_args(sys.argv[1:] if argv is None else argv)
    rows, size = gunicorn_rows(args)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "all"
    print()
    print(
        f"gunicorn (aiohttp worker, --preload) against the embedded server: {size}-byte flow, "
        f"servers on CPU {cpus}, median of {args.runs} alternating runs; req/s (ratio to "
        "the embedded server) and p99 in ms"
    )
    print()
    labels = ["embedded (serve)", *(label for label, _, _ in GUNICORN_SERVERS)]
    print(f"| request | connections | {' | '.join(labels)} |")
    print(f"|---|---:|{'---:|' * len(labels)}")
    for method, connections, results in rows:
        base = results[0]["rps"]
        cells = [f"{r['rps']:,.0f} ({r['rps'] / base:.2f}x), p99 {r['p99']:.1f}" for r in results]
        label = "GET" if method == "GET" else "POST (CarrierX JSON)"
        print(f"| {label} | {connections} | {' | '.join(cells)} |")
    return 0


# -- the headless command (issue 17) -----------------------------------------------------
#
# `flexml-studio serve FLOW --json`, the command a user runs, against the same bare aiohttp
# baseline as above: both pinned to SERVER_CPU, the load from LOAD_CPU, GET and POST at 20
# and 100 connections, alternating `--runs` times, median run. The command's stdout is a
# pipe that this process drains on a thread, a chunk at a time, as a terminal or a log
# collector reads it; this process runs on LOAD_CPU meanwhile, so the command pays for
# writing its lines, not for reading them (the load generator shares its CPU with that).
# Every request must come out as a line: the lines read are counted against the requests
# answered. The table also gives each server's CPU time per request (all its threads, from
# /proc), steadier than throughput on a busy machine. --serve-only runs this part alone.

SERVE_ONLY = "--serve-only"
SERVE_EXE = Path(sys.executable).with_name("flexml-studio")


class _Drain:
    """Reads a pipe on a thread until it ends: its first line, and how many lines."""

    def __init__(self, stream) -> None:
        self._fd = stream.fileno()
        self.first = ""
        self.lines = 0
        self._header = threading.Event()
        self._thread = threading.Thread(target=self._read, name="drain", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        head = b""
        while True:
            chunk = os.read(self._fd, 1 << 20)
            if not chunk:
                break
            if not self._header.is_set():
                head += chunk
                if b"\n" in head:
                    self.first = head.split(b"\n", 1)[0].decode("utf-8")
                    self._header.set()
            self.lines += chunk.count(b"\n")
        self._header.set()

    def header(self, timeout: float = 30) -> dict:
        if not self._header.wait(timeout) or not self.first:
            raise RuntimeError("flexml-studio serve printed no header line")
        return json.loads(self.first)

    def join(self, timeout: float = 30) -> None:
        self._thread.join(timeout)


def _on_server_cpu() -> None:
    _pin(SERVER_CPU)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user and system) process `pid` has used so far; 0 where /proc is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_rows(args: argparse.Namespace) -> tuple[list[tuple], int, int]:
    """Rows of (method, connections, baseline, serve) median runs; the answer's size; and
    the request lines the command printed (checked against the requests answered)."""
    import httpx

    _pin(LOAD_CPU)  # this process drains the pipe; the servers get SERVER_CPU
    command = [str(SERVE_EXE)] if SERVE_EXE.exists() else [sys.executable, "-m", "gui"]
    with tempfile.TemporaryDirectory() as tmp:
        project_path = Path(tmp, "bench.flexproj")
        project_path.write_text(PROJECT, "utf-8")
        errors = Path(tmp, "serve.err")
        with errors.open("wb") as err:
            serve = subprocess.Popen(
                [*command, "serve", str(project_path), "--json"],
                cwd=Path(__file__).resolve().parent.parent,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                preexec_fn=_on_server_cpu,
            )
        drain = _Drain(serve.stdout)
        baseline = None
        try:
            url = drain.header()["flows"]["main"]
            with httpx.Client(trust_env=False) as http:
                xml = http.get(url).content
                Path(tmp, "main.xml").write_bytes(xml)
                baseline = start_baseline(Path(tmp, "main.xml"))
                ports = (int(baseline.stdout.readline()), int(url.split(":")[2].split("/")[0]))
                for port in ports:  # both answer the same bytes, to GET and to POST
                    main = f"http://{LOOPBACK}:{port}/flows/main"
                    assert http.get(main).content == xml
                    assert http.post(main, json=CARRIERX_BODY).content == xml
            pids = (baseline.pid, serve.pid)
            answered = 3  # the three requests above
            rows = []
            for method in ("GET", "POST"):
                for connections in CONNECTIONS:
                    runs: tuple[list, list] = ([], [])
                    for _ in range(args.runs):
                        for port, pid, results in zip(ports, pids, runs, strict=True):
                            # CPU time of the server process (all its threads) per request:
                            # unlike throughput, it hardly depends on what else the machine
                            # is doing.
                            cpu = _cpu_seconds(pid)
                            result = _run_load(port, method, "/flows/main", connections, args)
                            result["cpu_us"] = (
                                (_cpu_seconds(pid) - cpu) / (args.warmup + result["requests"]) * 1e6
                            )
                            assert result["errors"] == 0 and result["sizes"] == [len(xml)], result
                            results.append(result)
                        answered += args.warmup + runs[1][-1]["requests"]
                    rows.append((method, connections, *map(_median_run, runs)))
        finally:
            if baseline is not None:
                baseline.stdin.close()
                baseline.wait(10)
            serve.terminate()
            serve.wait(30)
            drain.join()
            serve.stdout.close()
        said = errors.read_text("utf-8", "replace")
    printed = drain.lines - 1  # the header
    assert serve.returncode == 0 and "stdout is not read" not in said, said  # no drops
    assert printed == answered, f"{printed:,} request lines for {answered:,} requests"
    return rows, len(xml), printed


def print_serve(argv: list[str] | None = None) -> int:
    """Measure `flexml-studio serve --json` against the baseline and print the table."""
    args = _gunicorn_args(sys.argv[1:] if argv is None else argv)
    rows, size, printed = serve_rows(args)
    print()
    print(
        f"`flexml-studio serve FLOW --json` (stdout a pipe, drained) against the bare aiohttp "
        f"app: {size}-byte flow, both pinned to one CPU, load from another, median of "
        f"{args.runs} alternating runs; {printed:,} request lines printed, none lost"
    )
    print()
    print(
        "| request | connections | baseline req/s | serve --json req/s | ratio "
        "| baseline p50 / p99 (ms) | serve p50 / p99 (ms) "
        "| server CPU per request, baseline / serve (µs) | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for method, connections, base, ours in rows:
        ratio = ours["rps"] / base["rps"]
        label = "GET" if method == "GET" else "POST (CarrierX JSON)"
        print(
            f"| {label} | {connections} | {base['rps']:,.0f} | {ours['rps']:,.0f} "
            f"| {ratio:.2f}x | {base['p50']:.2f} / {base['p99']:.2f} "
            f"| {ours['p50']:.2f} / {ours['p99']:.2f} "
            f"| {base['cpu_us']:.0f} / {ours['cpu_us']:.0f} "
            f"| >= 0.9x {'met' if ratio >= 0.9 else 'MISSED'} |"
        )
    return 0


if __name__ == "__main__":
    if GUNICORN_ONLY in sys.argv:
        sys.exit(print_gunicorn())
    if SERVE_ONLY in sys.argv:
        sys.exit(print_serve())
    code = main()
    helper = {"--load", "--baseline-server", "--switch-only"} & set(sys.argv)
    if code == 0 and not helper:
        print_sandbox()
        code = print_gunicorn()  # 1 without gunicorn: the headless command is measured still
        code = print_serve() or code
    sys.exit(code)
