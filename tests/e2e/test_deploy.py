"""Serving in production: the application factory (gui.core.server.app) over real HTTP on
127.0.0.1, in this process and under gunicorn with two workers; nothing is mocked.

The app must answer exactly as the embedded FlowServer does (bytes, statuses, headers, token
rules), answer /healthz without the token, log one line per request, and re-read its project
without dropping a request, keeping the old flows when the new file does not load.

gunicorn is an optional extra (`flexml-studio[server]`, and in the `test` extra): without it
the gunicorn tests skip, saying how to install it, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from aiohttp import web

from gui.core.net import is_loopback
from gui.core.project import load
from gui.core.server import MAX_BODY, FlowServer
from gui.core.server.app import (
    ENV_PUBLIC_URL,
    ENV_TOKEN,
    ENV_WATCH,
    ProjectLoadError,
    ServedProject,
    create_app,
    factory,
)
from gui.core.service import BackgroundService
from tests.data import data_json

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-Token_1-sixteen"
PUBLIC_URL = "https://ivr.example.com/voice"
CARRIERX_BODY = data_json("carrierx_request.json")
APP_LOGGER = "gui.core.server.app"
TIME_LIMIT = 20.0  # seconds any wait in these tests may take

PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Say>Welcome</Say>
      <Redirect>flow:menu</Redirect>
    </Response>
  </flow>
  <flow name="menu">
    <Response>
      <Gather action="flow:route" numDigits="1">
        <Say>Press 1 for sales, 2 for support</Say>
      </Gather>
    </Response>
  </flow>
  <flow name="sales">
    <Response>
      <Say>SALES_TEXT</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="support">
    <Response>
      <Say>Support speaking</Say>
      <Hangup/>
    </Response>
  </flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <case value="2" goto="support"/>
    <otherwise goto="menu"/>
  </switch>
</flexml-project>
"""
BROKEN = '<?xml version="1.0"?>\n<flexml-project format="1">\n  <flow name="main">\n'


def project_text(sales: str = "Sales speaking") -> str:
    return PROJECT.replace("SALES_TEXT", sales)


def write(path: Path, text: str) -> None:
    """Write a new version of the file as editors and deploys do: whole, then renamed."""
    part = path.with_suffix(".part")
    part.write_text(text, "utf-8")
    os.replace(part, path)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "ivr.flexproj"
    write(path, project_text())
    return path


class AppServer(BackgroundService):
    """An aiohttp application listening on its own thread, as the embedded server does."""

    thread_name = "app-server"
    what = "the app server"

    def __init__(self, app: web.Application, host: str = "127.0.0.1") -> None:
        super().__init__()
        self.app = app
        self.host = host
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _listen(self) -> web.BaseRunner:
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, 0).start()
        self.port = runner.addresses[0][1]
        return runner


@contextmanager
def serving(served: ServedProject, host: str = "127.0.0.1", **options) -> Iterator[AppServer]:
    """`served` answered by `create_app(served, **options)`, listening on `host`."""
    with AppServer(create_app(served, **options), host) as server:
        yield server


def wait_until(condition, what: str, limit: float = TIME_LIMIT, interval: float = 0.02):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"gave up waiting ({limit:g} s) until {what}")


def sales(client: httpx.Client, base: str) -> bytes:
    """What the switch answers for Digits=1: the sales flow, which the tests rewrite."""
    response = client.post(f"{base}/flows/route", data={"Digits": "1"})
    assert response.status_code == 200, response.text
    return response.content


# -- the same answers as the embedded server ---------------------------------------------

# (method, path, request options): every kind of answer the routes give.
REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/flows/main", {}),
    ("HEAD", "/flows/menu", {}),
    ("POST", "/flows/main", {"json": CARRIERX_BODY}),
    ("POST", "/flows/menu", {"data": {"CallSid": "abc", "Digits": "7"}}),
    ("POST", "/flows/route", {"json": {**CARRIERX_BODY, "Digits": "2"}}),
    ("POST", "/flows/route", {"data": {"Digits": "1"}}),
    ("GET", "/flows/route?Digits=9", {}),
    ("GET", "/flows/route", {}),
    ("GET", "/flows/nothing", {}),
    ("DELETE", "/flows/main", {}),
    ("GET", "/status", {}),
    ("POST", "/status", {"json": {"CallSid": "abc", "CallStatus": "completed"}}),
    ("GET", "/elsewhere", {}),
    ("GET", "/flows/x%0Ay", {}),  # odd paths: every one reaches the routes
    ("GET", "//flows//main", {}),
    ("GET", "/flows/a%2Fb", {}),
    ("POST", "/flows/main", {"content": b"{nope", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/flows/main", {"content": b"[1]", "headers": {"Content-Type": "application/json"}}),
    (
        "POST",
        "/flows/main",
        {"content": b" " * (MAX_BODY + 1), "headers": {"Content-Type": "application/json"}},
    ),
    # Issue 14: a compressed body is refused unread, a deep one with a message.
    ("POST", "/flows/main", {"content": b"\x1f\x8b", "headers": {"Content-Encoding": "gzip"}}),
    (
        "POST",
        "/flows/main",
        {"content": b"[" * 100_000, "headers": {"Content-Type": "application/json"}},
    ),
]


def with_token(path: str, how: str) -> str:
    """`path` carrying the token as `how` says: prefix, query, wrong, or none."""
    if how == "prefix":
        return f"/t/{TOKEN}{path}"
    if how == "query":
        return f"{path}{'&' if '?' in path else '?'}token={TOKEN}"
    if how == "wrong":
        return f"/t/{TOKEN}x{path}"
    return path


def answer(client: httpx.Client, base: str, method: str, path: str, options: dict) -> tuple:
    response = client.request(method, base + path, **options)
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("allow"),
        response.headers.get_list("x-flexml-switch"),
        response.content,
    )


@pytest.mark.parametrize("token", [None, TOKEN])
def test_the_app_answers_every_request_byte_for_byte_as_the_embedded_server(
    project_path, http, token
):
    project = load([project_path])
    served = ServedProject(project_path, token=token, public_url=PUBLIC_URL)
    hows = ["prefix", "query", "wrong", "none"] if token else ["none"]
    with FlowServer(token=token, public_url=PUBLIC_URL) as embedded, serving(served) as app:
        embedded.publish_project(project)
        assert served.snapshot == embedded.snapshot
        compared = Counter()
        for method, path, options in REQUESTS:
            for how in hows:
                where = with_token(path, how)
                ours = answer(http, app.url, method, where, options)
                theirs = answer(http, embedded.url, method, where, options)
                assert ours == theirs, f"{method} {where}"
                compared[ours[0]] += 1
    # The table reaches every kind of answer: flows, errors, refusals.
    expected = {200, 400, 404, 405, 413, 415} | ({403} if token else set())
    assert set(compared) == expected, compared


def test_without_a_public_url_references_are_paths_on_the_host_that_was_asked(project_path, http):
    with serving(ServedProject(project_path, token=TOKEN)) as app:
        url = f"{app.url}/t/{TOKEN}/flows/main"
        main = http.get(url)
        assert main.status_code == 200
        assert f"<Redirect>/t/{TOKEN}/flows/menu</Redirect>".encode() in main.content
        followed = http.get(urljoin(url, f"/t/{TOKEN}/flows/menu"))
        assert followed.status_code == 200
        assert b'<Gather action="/t/' + TOKEN.encode() + b'/flows/route"' in followed.content


def test_factory_takes_token_public_url_and_watch_from_the_environment(
    project_path, http, monkeypatch
):
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    monkeypatch.setenv(ENV_PUBLIC_URL, PUBLIC_URL)
    monkeypatch.setenv(ENV_WATCH, "1")
    with AppServer(factory(str(project_path))) as app:
        assert http.get(f"{app.url}/flows/main").status_code == 403
        assert http.get(f"{app.url}/flows/main?token=nope").status_code == 403
        main = http.get(f"{app.url}/t/{TOKEN}/flows/main")
        assert main.status_code == 200
        assert f"<Redirect>{PUBLIC_URL}/t/{TOKEN}/flows/menu</Redirect>".encode() in main.content
        write(project_path, project_text("Watched"))  # watch=1: the change is picked up
        wait_until(lambda: b"Watched" in sales_with_token(http, app.url), "the file is re-read")
    # Arguments win over the environment.
    other = "other-Token-sixteen"
    with AppServer(factory(project_path, token=other, public_url="http://h")) as app:
        assert http.get(f"{app.url}/t/{TOKEN}/flows/main").status_code == 403
        assert (
            f"<Redirect>http://h/t/{other}/flows/menu<".encode()
            in http.get(f"{app.url}/t/{other}/flows/main").content
        )


def sales_with_token(client: httpx.Client, base: str) -> bytes:
    return sales(client, f"{base}/t/{TOKEN}")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"token": "has space"}, "access token"),
        ({"token": "a/b"}, "access token"),
        ({"public_url": "ftp://example.com"}, "not an http"),
        ({"public_url": "https://example.com/?a=1"}, "query or fragment"),
    ],
)
def test_a_bad_token_or_public_url_is_refused_with_a_reason(project_path, options, fragment):
    with pytest.raises(ValueError, match=fragment):
        ServedProject(project_path, **options)


@pytest.mark.parametrize("token", ["a", "short-Token"])
def test_the_factory_refuses_a_token_short_enough_to_guess(project_path, monkeypatch, token):
    with pytest.raises(ValueError, match="at least 16 characters"):
        factory(project_path, token=token)
    monkeypatch.setenv(ENV_TOKEN, token)
    with pytest.raises(ValueError, match="at least 16 characters"):
        factory(project_path)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (None, "ivr.flexproj"),  # no file at all
        (BROKEN, "ivr.flexproj: "),
        ('<?xml version="1.0"?>\n<flexml-project format="1"/>\n', "no flows to serve"),
    ],
)
def test_a_project_that_cannot_be_served_stops_the_factory_saying_why(tmp_path, text, fragment):
    path = tmp_path / "ivr.flexproj"
    if text is not None:
        path.write_text(text, "utf-8")
    with pytest.raises(ProjectLoadError, match=re.escape(fragment)):
        factory(path)


def outward_address() -> str | None:
    """This machine's address on its default route, if it has one that is not loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent for UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if is_loopback(address) or address == "0.0.0.0" else address


def test_without_a_token_only_requests_reaching_loopback_are_answered(project_path, http):
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address beyond loopback to reach the app on")
    with serving(ServedProject(project_path), host="0.0.0.0") as app:
        outside = http.get(f"http://{address}:{app.port}/flows/main")
        assert outside.status_code == 403
        assert ENV_TOKEN in outside.text
        assert http.get(f"http://{address}:{app.port}/healthz").status_code == 200
        assert http.get(f"{app.url}/flows/main").status_code == 200
    with serving(ServedProject(project_path, token=TOKEN), host="0.0.0.0") as app:
        inside = http.get(f"http://{address}:{app.port}/t/{TOKEN}/flows/main")
        assert inside.status_code == 200


# -- health ------------------------------------------------------------------------------


def test_healthz_answers_without_the_token_and_says_no_secret(project_path, http):
    served = ServedProject(project_path, token=TOKEN, public_url=PUBLIC_URL)
    with serving(served) as app:
        response = http.get(f"{app.url}/healthz")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        health = response.json()
        assert health["status"] == "ok"
        assert (health["project"], health["flows"], health["switches"]) == ("ivr.flexproj", 4, 1)
        assert health["entry"] == "main"
        assert health["loaded"].startswith(time.strftime("%Y-"))
        assert health["load_ms"] >= 0
        assert (health["reloads"], health["reload_error"]) == (0, None)
        assert TOKEN not in response.text
        assert str(project_path.parent) not in response.text
        head = http.head(f"{app.url}/healthz")
        assert (head.status_code, head.content) == (200, b"")
        assert http.post(f"{app.url}/healthz").status_code == 405
        # Only /healthz itself: with the token prefix it is a path like any other.
        assert http.get(f"{app.url}/t/{TOKEN}/healthz").status_code == 404


# -- logging -----------------------------------------------------------------------------


def test_every_request_is_logged_once_without_token_or_caller_numbers(project_path, http, caplog):
    caplog.set_level(logging.INFO, logger=APP_LOGGER)
    with serving(ServedProject(project_path, token=TOKEN)) as app:
        caplog.clear()
        base = f"{app.url}/t/{TOKEN}"
        http.get(f"{base}/flows/main")
        http.post(f"{base}/flows/route", json=CARRIERX_BODY)  # Digits 1: sales
        http.get(f"{app.url}/flows/main?token={TOKEN}")
        http.get(f"{app.url}/flows/main")  # no token: 403
        http.get(f"{base}/flows/x%0Ay")  # a line break in the path
    lines = [r.getMessage() for r in caplog.records if r.name == f"{APP_LOGGER}.requests"]
    assert len(lines) == 5, lines
    assert lines[0].startswith("GET /flows/main -> 200 (")
    assert lines[1].startswith("POST /flows/route -> 200 (")
    assert f"CallSid={CARRIERX_BODY['CallSid']}" in lines[1]
    assert "[switch route: Digits -> " in lines[1] and "-> sales]" in lines[1]
    assert lines[3].startswith("GET /flows/main -> 403 (")
    assert lines[4].startswith("GET /flows/x\\ny -> 404 (")
    for line in lines:
        assert TOKEN not in line
        assert CARRIERX_BODY["From"] not in line and "\n" not in line


# -- re-reading the project --------------------------------------------------------------


def test_reload_swaps_the_flows_and_a_broken_file_keeps_the_old_ones(project_path, http, caplog):
    served = ServedProject(project_path, public_url=PUBLIC_URL)
    with serving(served) as app:
        assert b"Sales speaking" in sales(http, app.url)
        write(project_path, project_text("Sales, version two"))
        assert served.reload() is True
        assert b"Sales, version two" in sales(http, app.url)
        assert http.get(f"{app.url}/healthz").json()["reloads"] == 1

        caplog.set_level(logging.INFO, logger=APP_LOGGER)
        write(project_path, BROKEN)
        assert served.reload() is False
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "still serving the project loaded at" in errors[0].message
        assert b"Sales, version two" in sales(http, app.url)  # the old flows, whole
        health = http.get(f"{app.url}/healthz").json()
        assert health["status"] == "ok" and health["reloads"] == 1
        assert "ivr.flexproj" in health["reload_error"]
        assert str(project_path.parent) not in health["reload_error"]

        project_path.unlink()  # gone: also kept
        assert served.reload() is False
        write(project_path, project_text("Sales, version three"))
        assert served.reload() is True
        assert b"Sales, version three" in sales(http, app.url)
        assert http.get(f"{app.url}/healthz").json()["reload_error"] is None


def test_requests_during_reloads_each_get_one_whole_version(project_path, http):
    versions = [project_text(f"Sales, version {n}") for n in range(2)]
    served = ServedProject(project_path)
    answers: list[bytes] = []
    failures: list[str] = []
    stop = threading.Event()
    with serving(served) as app:
        expected = set()
        for text in versions:  # each version's exact bytes, as served alone
            write(project_path, text)
            served.reload()
            expected.add(sales(http, app.url))

        def ask() -> None:
            with httpx.Client(trust_env=False, timeout=10) as client:
                while not stop.is_set():
                    try:
                        answers.append(sales(client, app.url))
                    except (AssertionError, httpx.HTTPError) as exc:
                        failures.append(repr(exc))

        asker = threading.Thread(target=ask)
        asker.start()
        try:
            wait_until(lambda: answers or failures, "the first answer")  # the asker is asking
            for n in range(30):
                write(project_path, versions[n % 2])
                served.reload()
        finally:
            stop.set()
            asker.join(TIME_LIMIT)
    assert failures == []
    assert answers and set(answers) <= expected


def test_watch_rereads_the_file_when_it_changes_and_logs_a_broken_one_once(
    project_path, http, caplog
):
    caplog.set_level(logging.INFO, logger=APP_LOGGER)
    served = ServedProject(project_path)
    with serving(served, watch=True, watch_interval=0.02) as app:
        write(project_path, project_text("Watched once"))
        wait_until(lambda: b"Watched once" in sales(http, app.url), "the change is served")
        write(project_path, BROKEN)
        wait_until(lambda: served.reload_error, "the broken file is read")
        time.sleep(0.2)  # ten more looks at the unchanged broken file
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1, [r.message for r in errors]
        assert b"Watched once" in sales(http, app.url)
        write(project_path, project_text("Watched twice"))
        wait_until(lambda: b"Watched twice" in sales(http, app.url), "the fix is served")
    assert served.reloads == 2


class SlowDisk(ServedProject):
    """A project on a slow disk: each re-read waits a while before it starts reading."""

    delay = 0.0

    def _read(self):
        time.sleep(self.delay)
        return super()._read()


def test_watch_reads_a_changed_file_once_however_long_the_reading_takes(project_path, http):
    served = SlowDisk(project_path)
    served.delay = 0.3  # fifteen looks at the file while it is being re-read
    with serving(served, watch=True, watch_interval=0.02) as app:
        write(project_path, project_text("Read once"))
        wait_until(lambda: b"Read once" in sales(http, app.url), "the change is served")
        time.sleep(0.3)  # time enough for a needless second re-read to be counted
    assert served.reloads == 1


# -- under gunicorn ----------------------------------------------------------------------


def need_gunicorn() -> None:
    """Skip without gunicorn, saying how to get it; in CI, fail: it must be tested there."""
    if find_spec("gunicorn") is not None:
        return
    message = "gunicorn is not installed: .venv/bin/pip install 'gunicorn>=22'"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{message} (the `test` extra installs it)")
    pytest.skip(message)


class Gunicorn:
    """gunicorn serving the factory's app, its log (stderr) in a file; ends in stop()."""

    def __init__(self, tmp_path: Path, project: Path, *options: str, env: dict | None = None):
        self.log_path = tmp_path / "gunicorn.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("FLEXML_STUDIO_")}
        environment.update(env or {})
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    f"gui.core.server.app:factory({str(project)!r})",
                    "--worker-class",
                    "aiohttp.GunicornWebWorker",
                    "--bind",
                    "127.0.0.1:0",
                    "--graceful-timeout",
                    "5",
                    *options,
                ],
                cwd=ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            found = wait_until(
                lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log()),
                "gunicorn listens",
            )
            self.url = f"http://127.0.0.1:{found.group(1)}"
        except BaseException:
            self.stop()
            raise

    def log(self) -> str:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn ended ({self.process.returncode}):\n{self.read()}")
        return self.read()

    def read(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def workers(self) -> list[int]:
        """The workers started and not yet exited, oldest first."""
        text = self.read()
        exited = set(map(int, re.findall(r"Worker exiting \(pid: (\d+)\)", text)))
        booted = map(int, re.findall(r"Booting worker with pid: (\d+)", text))
        return [pid for pid in booted if pid not in exited]

    def wait_healthy(self, client: httpx.Client, workers: int) -> None:
        wait_until(lambda: len(self.workers()) >= workers, f"{workers} workers boot")
        wait_until(lambda: _healthy(client, self.url), "/healthz answers")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the master: it stops its workers gracefully
            try:
                self.process.wait(TIME_LIMIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(TIME_LIMIT)


def _healthy(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(f"{url}/healthz").status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def gunicorn(tmp_path: Path, project: Path, *options: str, env: dict | None = None):
    need_gunicorn()
    server = Gunicorn(tmp_path, project, *options, env=env)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_http() -> Iterator[httpx.Client]:
    """A client that opens a new connection per request, so requests reach every worker."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(trust_env=False, timeout=10, limits=limits) as client:
        yield client


def test_gunicorn_with_two_workers_answers_as_the_embedded_server(
    tmp_path, project_path, fresh_http, http
):
    env = {ENV_TOKEN: TOKEN, ENV_PUBLIC_URL: PUBLIC_URL}
    with (
        gunicorn(tmp_path, project_path, "--workers", "2", env=env) as server,
        FlowServer(token=TOKEN, public_url=PUBLIC_URL) as embedded,
    ):
        embedded.publish_project(load([project_path]))
        server.wait_healthy(fresh_http, 2)
        requests = [r for r in REQUESTS if r[2].get("content", b"")[:1] != b" "]  # no 1 MiB
        expected = [
            answer(http, embedded.url, method, f"/t/{TOKEN}{path}", options)
            for method, path, options in requests
        ]
        asked, senders = 200, 8
        wrong: list[str] = []

        def send(first: int) -> None:  # every `senders`-th request from `first` on
            for n in range(first, asked, senders):
                method, path, options = requests[n % len(requests)]
                got = answer(fresh_http, server.url, method, f"/t/{TOKEN}{path}", options)
                if got != expected[n % len(requests)]:
                    wrong.append(f"{method} {path}: {got[:2]}")

        threads = [threading.Thread(target=send, args=(k,)) for k in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIME_LIMIT)
        assert wrong == []
        # The token rules hold; /healthz needs none.
        assert fresh_http.get(f"{server.url}/flows/main").status_code == 403
        assert fresh_http.get(f"{server.url}/flows/main?token={TOKEN}").status_code == 200
        health = fresh_http.get(f"{server.url}/healthz").json()
        assert (health["flows"], health["switches"]) == (4, 1)
        # The workers write their log lines after they answer: wait (bounded) for the last.
        deadline = time.monotonic() + TIME_LIMIT
        while True:
            log = server.read()
            lines = re.findall(r"\[(\d+)\] \[INFO\] [A-Z]+ /\S* -> \d{3} \(", log)
            if len(lines) >= asked or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert len(lines) >= asked, log[-2000:]
    answered_by = Counter(lines)
    assert len(answered_by) == 2, f"both workers answer: {answered_by}"
    assert TOKEN not in log


def send_hup(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGHUP)


def test_gunicorn_workers_reread_on_sighup_in_place_without_dropping_a_request(
    tmp_path, project_path, fresh_http
):
    with gunicorn(tmp_path, project_path, "--workers", "2", "--preload") as server:
        server.wait_healthy(fresh_http, 2)
        workers = server.workers()
        answers: list[bytes] = []
        failures: list[str] = []
        stop = threading.Event()

        def ask() -> None:
            limits = httpx.Limits(max_keepalive_connections=0)
            with httpx.Client(trust_env=False, timeout=10, limits=limits) as client:
                while not stop.is_set():
                    try:
                        answers.append(sales(client, server.url))
                    except (AssertionError, httpx.HTTPError) as exc:
                        failures.append(repr(exc))

        def everywhere(text: bytes) -> bool:
            return all(text in sales(fresh_http, server.url) for _ in range(20))

        askers = [threading.Thread(target=ask) for _ in range(2)]
        for asker in askers:
            asker.start()
        try:
            write(project_path, project_text("Sales, version two"))
            send_hup(workers)
            wait_until(lambda: everywhere(b"Sales, version two"), "both workers serve v2")

            write(project_path, BROKEN)
            send_hup(workers)
            wait_until(lambda: server.read().count("still serving the project") == 2, "errors")
            assert everywhere(b"Sales, version two")
            health = fresh_http.get(f"{server.url}/healthz").json()
            assert "ivr.flexproj" in health["reload_error"]
        finally:
            stop.set()
            for asker in askers:
                asker.join(TIME_LIMIT)
        assert server.workers() == workers  # reloaded in place: no worker was restarted
    assert failures == []
    assert len(answers) > 20
    assert {a.count(b"Sales, version two") + a.count(b"Sales speaking") for a in answers} == {1}


def test_gunicorn_master_sighup_restarts_workers_from_the_last_file_that_loaded(
    tmp_path, project_path, fresh_http
):
    with gunicorn(tmp_path, project_path, "--workers", "2", "--preload") as server:
        server.wait_healthy(fresh_http, 2)
        first = server.workers()
        write(project_path, project_text("Sales, version two"))
        os.kill(server.process.pid, signal.SIGHUP)
        wait_until(
            lambda: not set(first) & set(server.workers()) and len(server.workers()) == 2,
            "a new generation of workers",
        )
        server.wait_healthy(fresh_http, 2)
        assert all(b"Sales, version two" in sales(fresh_http, server.url) for _ in range(20))

        second = server.workers()
        write(project_path, BROKEN)
        os.kill(server.process.pid, signal.SIGHUP)
        wait_until(
            lambda: not set(second) & set(server.workers()) and len(server.workers()) == 2,
            "another generation of workers",
        )
        server.wait_healthy(fresh_http, 2)
        assert all(b"Sales, version two" in sales(fresh_http, server.url) for _ in range(20))
        health = fresh_http.get(f"{server.url}/healthz").json()
        assert "ivr.flexproj" in health["reload_error"]
        assert server.process.poll() is None
