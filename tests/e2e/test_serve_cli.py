"""`flexml-studio serve`, run as a real program and requested over loopback HTTP.

The first JSON line says where the flows are; each request then shows up as a JSON line
within a second; SIGTERM or Ctrl+C (SIGINT) ends it cleanly with exit code 0.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui.core.project import load
from tests.data import data_json, data_text

EXE = Path(sys.executable).with_name("flexml-studio")
TOKEN = "tok-123"
BROKEN = "<Response>\n  <Redirect>flow:gone</Redirect>\n</Response>\n"
CARRIERX_BODY = data_json("carrierx_request.json")


class Served:
    """A running `flexml-studio serve`, its stdout read line by line on a thread."""

    def __init__(self, *args: str, cwd: Path) -> None:
        # Not unbuffered: the lines must arrive because serve flushes them itself.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        self.process = subprocess.Popen(
            [str(EXE), "serve", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8"))
        self.lines.put(None)

    def line(self, timeout: float = 1.0) -> str:
        line = self.lines.get(timeout=timeout)
        assert line is not None, "stdout closed"
        return line

    def header(self) -> dict:
        return json.loads(self.line(timeout=30))  # start-up: imports, lint, bind

    def end(self, sig: int = signal.SIGTERM) -> tuple[int, str, list[str]]:
        """Send `sig`, wait; the exit code, stderr, and the stdout lines not read yet."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=15)
        self._reader.join(5)
        assert self.process.stderr is not None
        err = self.process.stderr.read().decode("utf-8")
        rest = []
        while (line := self.lines.get_nowait()) is not None:
            rest.append(line)
        return code, err, rest

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "app.flexproj").write_text(data_text("press_one.flexproj"), "utf-8")
    (tmp_path / "broken.xml").write_text(BROKEN, "utf-8")
    return tmp_path


@pytest.fixture
def serve(work) -> Iterator:
    started: list[Served] = []

    def start(*args: str) -> Served:
        served = Served(*args, cwd=work)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [str(EXE), "serve", *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=env
    )


def test_json_mode_prints_the_urls_then_one_line_per_request(serve, work, http):
    served = serve("app.flexproj", "--json")
    header = served.header()
    base = header["url"]
    assert base.startswith("http://127.0.0.1:")
    assert header["entry"] == "main"
    assert header["flows"] == {name: f"{base}/flows/{name}" for name in ("main", "choice")}

    project = load([work / "app.flexproj"])
    response = http.post(header["flows"]["main"], json=CARRIERX_BODY)
    sent = time.monotonic()
    assert response.status_code == 200
    assert response.content == project.export("main", base_url=base).encode()
    line = json.loads(served.line(timeout=1.0))
    assert time.monotonic() - sent < 1.0
    assert (line["method"], line["path"], line["status"]) == ("POST", "/flows/main", 200)
    assert line["params"] == CARRIERX_BODY
    assert line["size"] == len(response.content)

    for i in range(3):  # each line arrives on its own, promptly, not only at exit
        http.get(header["flows"]["choice"], params={"Digits": str(i)})
        line = json.loads(served.line(timeout=1.0))
        assert (line["path"], line["params"]) == ("/flows/choice", {"Digits": str(i)})

    http.post(f"{base}/status", json={"CallSid": "x", "CallStatus": "completed"})
    line = json.loads(served.line(timeout=1.0))
    assert (line["path"], line["status"], line["params"]["CallStatus"]) == (
        "/status",
        200,
        "completed",
    )
    assert http.get(f"{base}/nope").status_code == 404
    assert json.loads(served.line(timeout=1.0))["status"] == 404

    code, err, rest = served.end(signal.SIGTERM)
    assert code == 0
    assert "Traceback" not in err
    assert rest == []


def test_the_token_is_in_every_url_handed_out_and_required(serve, http):
    served = serve("app.flexproj", "--json", "--token", TOKEN)
    header = served.header()
    assert header["url"].endswith(f"/t/{TOKEN}")
    assert all(f"/t/{TOKEN}/flows/" in url for url in header["flows"].values())
    main = http.get(header["flows"]["main"])
    assert main.status_code == 200
    assert f"{header['url']}/flows/choice".encode() in main.content
    assert json.loads(served.line())["status"] == 200

    plain = header["url"].removesuffix(f"/t/{TOKEN}")
    assert http.get(f"{plain}/flows/main").status_code == 403
    line = json.loads(served.line())
    assert (line["path"], line["status"]) == ("/flows/main", 403)
    assert http.get(f"{plain}/flows/main", params={"token": TOKEN}).status_code == 200
    assert TOKEN not in served.line()
    code, err, _ = served.end()
    assert code == 0 and "Traceback" not in err


def test_text_mode_is_readable_and_ctrl_c_stops_it(serve, http, free_port):
    served = serve("app.flexproj", "--port", str(free_port))
    first = served.line(timeout=30)
    assert first.startswith("Serving 2 flows at http://127.0.0.1:")
    base = first.split(" at ", 1)[1].strip()
    lines = [served.line() for _ in range(4)]
    assert lines[0].split() == ["main", f"{base}/flows/main", "(entry,", "also", "at", "/)"]
    assert lines[1].split() == ["choice", f"{base}/flows/choice"]
    assert lines[2].strip() == f"Status callbacks: {base}/status"
    assert "Ctrl+C" in lines[3]

    http.post(f"{base}/flows/choice", json={"CallSid": "abc", "Digits": "1"})
    line = served.line()
    assert " POST /flows/choice -> 200 (" in line
    assert "CallSid=abc Digits=1" in line
    code, err, _ = served.end(signal.SIGINT)
    assert code == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_lint_errors_are_reported_but_the_flows_are_served(serve, http):
    served = serve("broken.xml", "--json")
    header = served.header()
    assert header["entry"] == "broken"
    assert http.get(header["flows"]["broken"]).status_code == 200
    code, err, _ = served.end()
    assert code == 0
    assert "broken.xml:2:" in err and "error" in err and "gone" in err
    assert "serving flows with 1 error" in err


def test_several_flexml_files_become_flows(serve, work, http):
    (work / "second.xml").write_text("<Response><Hangup/></Response>", "utf-8")
    served = serve("broken.xml", "second.xml", "--json")
    header = served.header()
    assert list(header["flows"]) == ["broken", "second"]
    assert http.get(f"{header['url']}/").content.count(b"<Redirect>") == 1
    assert served.end()[0] == 0


def test_a_reader_that_goes_away_ends_it_quietly(work, http):
    process = subprocess.Popen(
        [str(EXE), "serve", "app.flexproj", "--json"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        header = json.loads(process.stdout.readline())
        process.stdout.close()  # like `| head -1`
        http.get(header["flows"]["main"])
        assert process.wait(timeout=15) == 141  # as a shell reports SIGPIPE
        assert process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stderr.close()


def one_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("flexml-studio: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_non_loopback_host_without_a_token_is_refused(work):
    one_error_line(run("app.flexproj", "--host", "0.0.0.0", cwd=work), "token", "0.0.0.0")


def test_a_taken_port_is_a_one_line_error(work):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_error_line(run("app.flexproj", "--port", str(port), cwd=work), "already in use")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["missing.xml"], "missing.xml"),
        (["app.flexproj", "--token", "a b"], "token"),
        (["app.flexproj", "--public-url", "ftp://x"], "ftp://x"),
        (["app.flexproj", "--port", "70000"], "70000"),
    ],
)
def test_user_errors_are_one_line(work, args, fragment):
    one_error_line(run(*args, cwd=work), fragment)
