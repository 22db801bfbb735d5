"""The sandbox's HTTP server under abuse (issue 14), on loopback: the same attacks as on the
flow server, against a real Sandbox or `flexml-studio sandbox` run as a real program.

Its API needs a login, so every attack is tried without it (answered 401 before any body is
read) and with it (the body rules: plain, at most 1 MiB, in time, at most 32 levels deep).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from gui.core.http_guard import MAX_DEPTH, reachable_host
from gui.core.runtime.sandbox import Credentials, Sandbox
from tests.e2e.abuse import LOOPBACK, deep_json, exchange, gzip_bomb, post_head

EXE = Path(sys.executable).with_name("flexml-studio")
CREDENTIALS = Credentials("sandbox_abuse", "abuse-pa55-word", "abuse-core-token")
BASIC = "Basic " + base64.b64encode(b"sandbox_abuse:abuse-pa55-word").decode()
CALLS = "/flexml/v1/calls"
LOGGER = "gui.core.runtime.sandbox"


@pytest.fixture
def sandbox_options() -> dict:
    return {"credentials": CREDENTIALS}


def port_of(sandbox: Sandbox) -> int:
    return int(sandbox.url.rsplit(":", 1)[1])


def test_gzip_bombs_are_refused_before_reading_while_others_are_answered(sandbox, api):
    bomb = gzip_bomb()
    results: list[tuple[bool, object]] = []

    def send(logged_in: bool) -> None:
        headers = {"Content-Encoding": "gzip", **({"Authorization": BASIC} if logged_in else {})}
        head = post_head(CALLS, len(bomb), headers)
        results.append((logged_in, exchange(port_of(sandbox), head + bomb)))

    senders = [threading.Thread(target=send, args=(i % 2 == 0,)) for i in range(6)]
    for sender in senders:
        sender.start()
    started = time.monotonic()
    assert api.get("/dids").status_code == 200
    others_waited = time.monotonic() - started
    for sender in senders:
        sender.join(10)
    assert others_waited < 1.0
    assert len(results) == 6
    for logged_in, sent in results:
        assert sent.status == (415 if logged_in else 401), sent.answer[:300]
        assert sent.first is not None and sent.first < 1.0
        assert sent.closed
    assert sandbox.calls() == []


@pytest.mark.parametrize("length", [1024 * 1024 + 1, 10**9])
def test_a_content_length_past_the_limit_is_413_at_once(sandbox, length):
    head = post_head(CALLS, length, {"Authorization": BASIC})
    sent = exchange(port_of(sandbox), head, limit=5.0)
    assert sent.status == 413
    assert sent.first is not None and sent.first < 1.0
    assert sent.closed
    assert json.loads(sent.answer.split(b"\r\n\r\n", 1)[1])["errors"][0]["message"]


def test_deeply_nested_json_is_400_not_500(sandbox, api, caplog):
    with caplog.at_level(logging.INFO):
        for body in (b"[" * 100_000, b'{"a": ' * 100_000, deep_json(MAX_DEPTH + 1)):
            response = api.post(
                CALLS.removeprefix("/flexml/v1"),
                content=body,
                headers={"Content-Type": "application/json"},
            )
            assert response.status_code == 400  # was a 500 and a RecursionError traceback
            message = response.json()["errors"][0]["message"]
            assert f"nested deeper than {MAX_DEPTH} levels" in message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "RecursionError" not in caplog.text


def test_garbage_is_one_log_line_without_a_traceback(sandbox, caplog):
    with caplog.at_level(logging.INFO):
        assert exchange(port_of(sandbox), b"\x00\x01garbage\r\n\r\n").closed
        deadline = time.monotonic() + 5
        while not [r for r in caplog.records if r.name == LOGGER] and time.monotonic() < deadline:
            time.sleep(0.01)
    (line,) = [r for r in caplog.records if r.name == LOGGER]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage().startswith("the sandbox: a bad request from 127.0.0.1: ")
    assert "\n" not in line.getMessage() and "Traceback" not in caplog.text


def test_idle_and_slow_connections_are_closed_after_the_client_timeout(sandbox_options, api):
    with Sandbox(**sandbox_options, client_timeout=0.5) as box:
        port = port_of(box)
        idle = socket.create_connection((LOOPBACK, port))
        kept = socket.create_connection((LOOPBACK, port))  # one request, then nothing
        slow = socket.create_connection((LOOPBACK, port))  # half a body, then nothing
        try:
            kept.sendall(
                f"GET /flexml/v1/dids HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}"
                "\r\n\r\n".encode()
            )
            slow.sendall(post_head(CALLS, 100, {"Authorization": BASIC}) + b'{"calling_did": ')
            started = time.monotonic()
            for sock in (idle, kept, slow):
                sock.settimeout(5)
                received = b""
                while chunk := sock.recv(65536):
                    received += chunk
                if sock is kept:
                    assert received.startswith(b"HTTP/1.1 200")
                if sock is slow:
                    assert received.startswith(b"HTTP/1.1 408")
            # aiohttp's default kept an idle connection for an hour (3,630 s).
            assert time.monotonic() - started < 3.0
        finally:
            for sock in (idle, kept, slow):
                sock.close()


def test_past_the_connection_cap_the_oldest_go_and_a_caller_gets_in(sandbox_options, caplog):
    with caplog.at_level(logging.INFO), Sandbox(**sandbox_options, max_connections=10) as box:
        idle = [socket.create_connection((LOOPBACK, port_of(box))) for _ in range(40)]
        try:
            deadline = time.monotonic() + 5
            while box.connections.closed < 30 and time.monotonic() < deadline:
                time.sleep(0.01)
            auth = (CREDENTIALS.login, CREDENTIALS.password)
            with httpx.Client(trust_env=False, timeout=5, auth=auth) as client:
                started = time.monotonic()
                assert client.get(f"{box.api_url}/dids").status_code == 200
                assert time.monotonic() - started < 1.0
        finally:
            for sock in idle:
                sock.close()
    said = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert said and len(said) <= 2
    assert "the sandbox has more than 10 connections at once" in said[0]


def test_listening_everywhere_hands_out_a_usable_url(sandbox_options):
    with Sandbox("0.0.0.0", **sandbox_options) as box:
        assert "0.0.0.0" not in box.api_url
        assert box.url.startswith(f"http://{reachable_host('0.0.0.0')}:")
        auth = (CREDENTIALS.login, CREDENTIALS.password)
        with httpx.Client(trust_env=False, timeout=5, auth=auth) as client:
            assert client.get(f"{box.api_url}/dids").status_code == 200


def test_the_cli_warns_when_told_to_listen_beyond_loopback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [str(EXE), "sandbox", "--json", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    lines: queue.Queue[bytes] = queue.Queue()
    assert process.stdout is not None and process.stderr is not None
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        header = json.loads(lines.get(timeout=30))
        assert "0.0.0.0" not in header["api_url"]
        with httpx.Client(trust_env=False, timeout=10) as client:
            dids = client.get(
                f"{header['api_url']}/dids", auth=(header["login"], header["password"])
            )
            assert dids.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        err = process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        process.stderr.close()
    (warning,) = [line for line in err.splitlines() if "warning" in line]
    assert "listens on 0.0.0.0" in warning and "unencrypted" in warning
    assert header["api_url"].removesuffix("/flexml/v1") in warning  # where it is reached
    assert "Traceback" not in err


def test_the_cli_says_nothing_on_loopback(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen(
        [str(EXE), "sandbox", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        header = json.loads(process.stdout.readline())
        assert header["api_url"].startswith(f"http://{LOOPBACK}:")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        process.stderr.close()
