"""`flexml-studio simulate`, run as a real program: transcripts, --digits, --json, exit codes.

Exit 0 when the call ends without an error event, 1 when it ends with one (or a file is not
well-formed), 2 for unusable input or a wrong command line: one line on stderr, no traceback.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.core.test_cli import Run, cli, one_user_error

PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Say>Welcome</Say>
      <Gather action="flow:choice" numDigits="1">
        <Say>Press 1</Say>
      </Gather>
      <Say>No input</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="choice">
    <Response>
      <Say>You chose</Say>
      <Hangup/>
    </Response>
  </flow>
</flexml-project>
"""
LINE = re.compile(r" *\d+\.\ds  \S.*")


@pytest.fixture
def work(tmp_path) -> Path:
    (tmp_path / "app.flexproj").write_text(PROJECT, "utf-8")
    (tmp_path / "start.xml").write_text(
        "<Response><Say>Start</Say><Redirect>flow:next</Redirect></Response>", "utf-8"
    )
    (tmp_path / "next.xml").write_text("<Response><Say>Next</Say></Response>", "utf-8")
    (tmp_path / "invalid.xml").write_text("<Response><Bogus/></Response>", "utf-8")
    (tmp_path / "malformed.xml").write_text("<Response><Say>x</Response>", "utf-8")
    return tmp_path


def events(run: Run) -> list[dict]:
    return [json.loads(line) for line in run.out.splitlines()]


def test_text_transcript_with_digits(work):
    run = cli("simulate", "app.flexproj", "--digits", "1", cwd=work)
    assert (run.code, run.err) == (0, "")
    lines = run.out.splitlines()
    assert all(LINE.fullmatch(line) for line in lines), lines
    text = "\n".join(lines)
    assert "POST flow:main -> 200" in lines[1]
    assert "say 'Welcome' (voice man)" in text
    assert "caller entered '1'" in text
    assert "POST flow:choice -> 200 (Digits=1 FinishKey=null)" in text
    assert "No input" not in text
    assert lines[-2].endswith("hang up")
    assert "call ended: completed" in lines[-1]


def test_json_lines_with_numbers(work):
    run = cli(
        "simulate", "app.flexproj", "--json", "--digits", "w", "--from", "+1 555 000 1111",
        "--to", "15550002222", cwd=work,
    )  # fmt: skip
    assert (run.code, run.err) == (0, "")
    found = events(run)
    assert [e["event"] for e in found] == [
        "started",
        "fetched",
        "say",
        "gather_started",
        "say",
        "gather_done",
        "say",
        "hangup",
        "ended",
    ]
    started, fetched = found[0], found[1]
    assert (started["from_number"], started["to_number"]) == ("+15550001111", "15550002222")
    assert fetched["params"]["From"] == "15550001111"
    # Requests carry the SID as 32 hex digits (CarrierX's sample); the API's is dashed.
    assert fetched["params"]["CallSid"] == started["call_sid"].replace("-", "")
    assert found[5] == {
        "event": "gather_done",
        "at": found[5]["at"],
        "digits": "",
        "finish_key": None,
        "timed_out": True,
        "node": {"tag": "Gather", "path": "/Response/Gather[1]", "line": 6},
    }
    assert found[6]["text"] == "No input"
    assert found[-1]["call_status"] == "completed"


def test_the_flow_option_and_plain_files(work):
    choice = events(cli("simulate", "app.flexproj", "--flow", "choice", "--json", cwd=work))
    assert choice[0]["url"] == "flow:choice"
    run = cli("simulate", "start.xml", "next.xml", "--json", cwd=work)
    assert run.code == 0
    assert [e["url"] for e in events(run) if e["event"] == "fetched"] == ["flow:start", "flow:next"]


def test_a_call_that_ends_in_an_error_exits_1(work):
    run = cli("simulate", "invalid.xml", cwd=work)
    assert run.code == 1
    assert "error: flow:invalid is not valid FlexML: <Bogus>" in run.out
    assert "call ended: failed" in run.out.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("app.flexproj", "--flow", "nope"), "no flow named 'nope' (it has: main, choice)"),
        (("app.flexproj", "--digits", "1x"), "--digits: 'x'"),
        (("app.flexproj", "--from", "call me"), "is not a phone number"),
        (("missing.xml",), "missing.xml does not exist"),
        (("http://127.0.0.1:9/x", "--flow", "main"), "give one URL on its own"),
    ],
)
def test_user_errors_are_one_line(work, args, fragment):
    one_user_error(cli("simulate", *args, cwd=work), 2, fragment)


def test_a_malformed_file(work):
    run = cli("simulate", "malformed.xml", cwd=work)
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith("flexml-studio: malformed.xml: not well-formed XML")


def test_help_lists_the_options(work):
    run = cli("simulate", "--help", cwd=work)
    assert run.code == 0
    for option in ("--flow", "--digits", "--from", "--to", "--json", "--method"):
        assert option in run.out


# -- a URL: requested like CarrierX does ----------------------------------------------------


class _App(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, bytes]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.seen.append((self.command, self.path, self.rfile.read(length)))
        path = urlsplit(self.path).path
        if path == "/start":
            body = b'<Response><Gather action="/done" numDigits="2"/></Response>'
        else:
            body = b"<Response><Hangup/></Response>"
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


@pytest.fixture
def app_url() -> Iterator[str]:
    _App.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_url_is_requested_with_a_json_body(work, app_url):
    run = cli("simulate", f"{app_url}/start", "--digits", "42", "--json", cwd=work)
    assert (run.code, run.err) == (0, "")
    assert [(method, path) for method, path, _ in _App.seen] == [
        ("POST", "/start"),
        ("POST", "/done"),
    ]
    first = json.loads(_App.seen[0][2])
    assert first["RequestUrl"] == f"{app_url}/start"
    assert json.loads(_App.seen[1][2])["Digits"] == "42"
    assert events(run)[-1]["call_status"] == "completed"


def test_a_url_with_get(work, app_url):
    run = cli("simulate", f"{app_url}/start", "--method", "get", "--digits", "7", cwd=work)
    assert run.code == 0, run
    method, path, body = _App.seen[0]
    assert (method, body) == ("GET", b"")
    assert parse_qs(urlsplit(path).query)["ApiVersion"] == ["2.0"]
    assert "no input" not in run.out  # 7 then the script ends: the gather times out with "7"
    assert "POST " + app_url + "/done -> 200 (Digits=7 FinishKey=null)" in run.out


def test_an_unreachable_url_exits_1(work):
    run = cli("simulate", "http://127.0.0.1:9/start", cwd=work)
    assert run.code == 1
    assert "error: POST http://127.0.0.1:9/start: cannot connect" in run.out


# -- a call that leaves the project ---------------------------------------------------------

LEAVING = """\
<flexml-project format="1" entry="main">
  <flow name="main">
    <Response>
      <Store name="key1">some_data</Store>
      <Redirect>{url}</Redirect>
    </Response>
  </flow>
</flexml-project>
"""


def _leaving(work: Path, url: str) -> Path:
    path = work / "leaving.flexproj"
    path.write_text(LEAVING.format(url=url), "utf-8")
    return path


def test_a_url_outside_the_project_is_fetched_over_http(work, app_url):
    project = _leaving(work, f"{app_url}/other")
    run = cli("simulate", str(project), "--json", cwd=work)
    assert (run.code, run.err) == (0, "")
    assert [(method, path) for method, path, _ in _App.seen] == [("POST", "/other")]
    sent = json.loads(_App.seen[0][2])
    # The document that ran, as a URL: the flow under the project's base URL.
    assert sent["RequestUrl"] == "http://project.invalid/flows/main"
    assert sent["Storage_key1"] == "some_data"
    kinds = [event["event"] for event in events(run)]
    assert "left_project" not in kinds and kinds[-1] == "ended"


def test_offline_the_call_leaves_the_project_and_exits_0(work, app_url):
    project = _leaving(work, f"{app_url}/other")
    run = cli("simulate", str(project), "--offline", cwd=work)
    assert (run.code, run.err) == (0, ""), run
    assert _App.seen == []  # nothing was fetched
    assert f"left the project at POST {app_url}/other" in run.out
    assert "error" not in run.out


def test_an_unreachable_url_outside_the_project_is_left_not_failed(work):
    project = _leaving(work, "http://127.0.0.1:9/next")
    run = cli("simulate", str(project), "--json", cwd=work)
    assert (run.code, run.err) == (0, ""), run
    left = [event for event in events(run) if event["event"] == "left_project"]
    assert len(left) == 1
    assert left[0]["url"] == "http://127.0.0.1:9/next"
    assert "could not be fetched" in left[0]["reason"] and "cannot connect" in left[0]["reason"]
    assert not [event for event in events(run) if event["event"] == "error"]
    assert events(run)[-1]["call_status"] == "completed"


def test_the_call_goes_on_at_the_url_outside_the_project(work, app_url):
    project = _leaving(work, f"{app_url}/start")
    run = cli("simulate", str(project), "--digits", "12", cwd=work)
    assert run.code == 0, run  # it answered FlexML: the call went on there, keys and all
    assert f"POST {app_url}/done -> 200 (Digits=12" in run.out
    assert "left the project" not in run.out


def test_a_relative_url_the_project_does_not_serve_is_an_error_not_leaving(work):
    # No base URL: /next resolves against the placeholder http://project.invalid, where the
    # flow server would answer 404; nothing is requested and the call fails naming the URL.
    project = _leaving(work, "/next")
    run = cli("simulate", str(project), "--json", cwd=work)
    assert (run.code, run.err) == (1, ""), run
    kinds = [event["event"] for event in events(run)]
    assert "left_project" not in kinds
    (error,) = [event for event in events(run) if event["event"] == "error"]
    assert error["message"].startswith("http://project.invalid/next: the project has no flow")
    assert "no base URL is set" in error["message"]
    assert events(run)[-1]["call_status"] == "failed"


def test_a_get_after_a_store_too_big_for_its_url_says_the_stored_data_is_why(work, app_url):
    path = work / "big.flexproj"
    store = '<Store name="big">' + "y" * 70_000 + "</Store>"
    path.write_text(
        LEAVING.replace('<Store name="key1">some_data</Store>', store)
        .replace("<Redirect>", '<Redirect method="GET">')
        .format(url=f"{app_url}/other"),
        "utf-8",
    )
    run = cli("simulate", str(path), cwd=work)
    assert (run.code, run.err) == (1, ""), run
    assert _App.seen == []  # refused before it was sent
    assert f"error: GET {app_url}/other: with its fields in the query string" in run.out
    assert "stored data (Storage_ fields" in run.out and "CarrierX would need POST" in run.out
    assert "internal error" not in run.out and "left the project" not in run.out


def test_a_status_callback_to_the_placeholder_address_is_not_sent_and_says_why(work):
    path = work / "callback.flexproj"
    path.write_text(
        PROJECT.replace("<Say>Welcome</Say>", '<Override statusCallbackUrl="/status"/>'),
        "utf-8",
    )
    run = cli("simulate", str(path), "--json", cwd=work)
    assert (run.code, run.err) == (0, ""), run
    (callback,) = [event for event in events(run) if event["event"] == "status_callback"]
    assert callback["url"] == "http://project.invalid/status"
    assert callback["http_status"] is None
    assert "placeholder address: set the project's base URL" in callback["error"]
    assert events(run)[-1]["call_status"] == "completed"
