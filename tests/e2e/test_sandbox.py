"""The sandbox over real loopback HTTP: CarrierX's API shapes, and calls that really run.

A `Sandbox` and a `FlowServer` each listen on 127.0.0.1; calls created through the sandbox's
FlexML API fetch their flows from the flow server, answer the Gather from
`attributes.dtmf`, and send the status callback to the flow server's /status.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.caller import ScriptedCaller
from gui.core.runtime.events import Event
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.core.server import FlowServer

EXE = Path(sys.executable).with_name("flexml-studio")
TIME_LIMIT = 10.0
CREDENTIALS = Credentials("sandbox_test", "pa55-word", "core-token-1")
DIDS = ("15555550100", "15555550101")


@pytest.fixture
def project_file() -> str:
    return "press_one.flexproj"


@pytest.fixture
def sandbox_options() -> dict:
    return {"credentials": CREDENTIALS, "dids": DIDS}


def call_body(flow_server: FlowServer, **extra) -> dict:
    return {
        "calling_did": DIDS[0],
        "called_did": "15551230000",
        "url": flow_server.flow_urls()["main"],
        "status_callback_url": f"{flow_server.url}/status",
        **extra,
    }


def wait_for(predicate, timeout: float = TIME_LIMIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def state(api: httpx.Client, sid: str) -> httpx.Response:
    """GET /sandbox/calls/{sid}: the sandbox's own route, beside /flexml/v1."""
    root = str(api.base_url).rstrip("/").removesuffix("/flexml/v1")
    return api.get(f"{root}/sandbox/calls/{sid}")


def finished(api: httpx.Client, sid: str) -> dict:
    """What the sandbox saw of a call once it ended: {"call_sid", "status", "transcript"}."""

    def done():
        status = api.get(f"/calls/{sid}").headers["X-Sandbox-Call-Status"]
        return status not in ("scheduled", "in-progress")

    wait_for(done)
    answer = state(api, sid)
    assert answer.status_code == 200
    return answer.json()


# -- errors ------------------------------------------------------------------------------


def test_wrong_or_missing_credentials_give_401_with_carrierx_errors(sandbox, flow_server):
    # A client each: a refusal sent before the body was read closes the connection
    # (http_guard's lingering_time 0), and a kept-alive one may be reused meanwhile.
    for auth in (None, ("sandbox_test", "wrong"), ("nobody", CREDENTIALS.password)):
        with httpx.Client(trust_env=False, timeout=10) as client:
            response = client.post(
                f"{sandbox.api_url}/calls", json=call_body(flow_server), auth=auth
            )
            assert response.status_code == 401
            assert response.json()["errors"][0]["message"]
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(f"{sandbox.api_url}/dids").status_code == 401
        sandbox_route = client.get(f"{sandbox.url}/sandbox/calls/{'0' * 32}")
        assert sandbox_route.status_code == 401
        assert sandbox_route.headers["WWW-Authenticate"].startswith("Basic")
    assert sandbox.calls() == []


def test_a_body_that_is_not_json_typed_gives_415_and_bad_json_400(api, flow_server):
    response = api.post(
        "/calls", content=json.dumps(call_body(flow_server)), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["message"]
    response = api.post(
        "/calls", content=b'{"calling_did": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"calling_did": None}, "calling_did"),
        ({"called_did": None}, "called_did"),
        ({"calling_did": "15550009999"}, "calling_did"),
        ({"called_did": "abc"}, "called_did"),
        ({"url": "ftp://example.com/x"}, "url"),
        ({"method": "PUT"}, "method"),
        ({"delay": -1}, "delay"),
        ({"delay": 1.5}, "delay"),
        ({"timeout": "30"}, "timeout"),
        ({"status_callback_method": "DELETE"}, "status_callback_method"),
        ({"attributes": {"dtmf": "1x"}}, "attributes.dtmf"),
    ],
)
def test_field_checks_give_422_naming_the_field(api, flow_server, change, field):
    body = {k: v for k, v in {**call_body(flow_server), **change}.items() if v is not None}
    response = api.post("/calls", json=body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message"]


@pytest.mark.parametrize("called", ["911", "12", "5550100", "+44 20 7946 0000", "1 (555) 010-0199"])
def test_the_sandbox_calls_any_number_a_person_would_type(api, flow_server, called):
    # No network behind it: short numbers and fictional ones are called, as the pad says.
    response = api.post("/calls", json={**call_body(flow_server), "called_did": called})
    assert response.status_code == 200, response.text
    assert response.json()["called_did"] == "".join(c for c in called if c.isdigit())
    too_long = api.post("/calls", json={**call_body(flow_server), "called_did": "1" * 16})
    assert too_long.status_code == 422
    assert "1 to 15 digits" in too_long.json()["errors"][0]["message"]


def test_unknown_calls_and_paths_give_404(api):
    response = api.get("/calls/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"]
    unknown = state(api, "00000000-0000-0000-0000-000000000000")
    assert (
        unknown.status_code == 404 and "calls can expire" in unknown.json()["errors"][0]["message"]
    )
    assert api.delete("/calls/nope").status_code == 404
    assert api.get("/nothing").status_code == 404
    wrong_method = api.put("/calls", json={})
    assert wrong_method.status_code == 405 and wrong_method.json()["errors"][0]["message"]


# -- calls --------------------------------------------------------------------------------


def test_a_call_runs_the_flows_answers_the_gather_and_sends_the_status_callback(
    sandbox, api, flow_server
):
    seen: queue.Queue[tuple[str, Event]] = queue.Queue()
    sandbox.add_listener(lambda sid, event: seen.put((sid, event)))
    body = call_body(flow_server, attributes={"dtmf": "1"})
    response = api.post("/calls", json=body)
    assert response.status_code == 200
    call = response.json()
    for key in ("calling_did", "called_did", "url", "status_callback_url", "attributes"):
        assert call[key] == body[key]
    assert (call["method"], call["delay"], call["timeout"]) == ("POST", 0, 30)
    assert call["status_callback_method"] == "POST"
    assert len(call["call_sid"]) == 36 and call["account_sid"]
    assert call["date_created"].endswith("Z") and "T" in call["date_created"]

    done = finished(api, call["call_sid"])
    assert done["status"] == "completed" and done["call_sid"] == call["call_sid"]
    transcript = done["transcript"]
    kinds = [event["event"] for event in transcript]
    assert kinds[0] == "started" and kinds[-1] == "ended"
    assert "hangup" in kinds and "status_callback" in kinds
    gather = next(e for e in transcript if e["event"] == "gather_done")
    assert gather["digits"] == "1"
    said = [e["text"] for e in transcript if e["event"] == "say"]
    assert said == ["Press 1", "Thanks for pressing"]
    callback = next(e for e in transcript if e["event"] == "status_callback")
    assert callback["http_status"] == 200

    records = flow_server.records()
    assert [r.path for r in records] == ["/flows/main", "/flows/choice", "/status"]
    # Requests carry the SID as 32 hex digits; the API's call_sid is the dashed UUID.
    assert all(r.call_sid == call["call_sid"].replace("-", "") for r in records)
    assert records[0].params["From"] == DIDS[0]
    assert records[0].params["To"] == "15551230000"
    assert records[0].params["Direction"] == "outbound"
    assert records[1].params["Digits"] == "1"
    assert records[2].params["CallStatus"] == "completed"

    live = [seen.get(timeout=TIME_LIMIT)]
    while live[-1][1].kind != "ended":  # listeners are called after the transcript is kept
        live.append(seen.get(timeout=TIME_LIMIT))
    assert {sid for sid, _ in live} == {call["call_sid"]}
    assert [event.to_json() for _, event in live] == transcript
    in_process = sandbox.call(call["call_sid"])
    assert in_process == {**call, "sandbox": {"status": "completed", "transcript": transcript}}
    assert sandbox.call_status(call["call_sid"]) == "completed"


def test_without_dtmf_the_gather_times_out(api, flow_server):
    call = api.post("/calls", json=call_body(flow_server, method="GET")).json()
    assert call["method"] == "GET"
    done = finished(api, call["call_sid"])
    gathers = [e for e in done["transcript"] if e["event"] == "gather_done"]
    assert gathers and gathers[0]["timed_out"] and gathers[0]["digits"] == ""
    assert flow_server.records()[0].method == "GET"


def test_a_delayed_call_is_listed_and_can_be_deleted(api, flow_server):
    assert api.get("/calls").json()["total"] == 0
    now = api.post("/calls", json=call_body(flow_server, attributes={"dtmf": "1"})).json()
    later = api.post("/calls", json=call_body(flow_server, delay=60)).json()
    listed = api.get("/calls").json()
    assert listed["total"] == listed["count"] == 1 and listed["has_more"] is False
    assert set(listed) == {"count", "has_more", "items", "limit", "offset", "pagination", "total"}
    assert listed["items"][0]["call_sid"] == later["call_sid"]
    got = api.get(f"/calls/{later['call_sid']}")
    assert got.json() == later and got.headers["X-Sandbox-Call-Status"] == "scheduled"

    finished(api, now["call_sid"])
    assert api.delete(f"/calls/{now['call_sid']}").status_code == 409
    response = api.delete(f"/calls/{later['call_sid']}")
    assert response.status_code == 204
    assert api.get(f"/calls/{later['call_sid']}").status_code == 404
    assert api.get("/calls").json()["total"] == 0
    assert [r.path for r in flow_server.records()].count("/flows/main") == 1


def test_a_short_delay_runs_the_call_later(api, flow_server):
    call = api.post("/calls", json=call_body(flow_server, delay=1)).json()
    assert api.get("/calls").json()["total"] == 1
    assert flow_server.records() == []
    finished(api, call["call_sid"])
    assert api.get("/calls").json()["total"] == 0


def test_dids_are_listed_with_pagination(api):
    body = api.get("/dids").json()
    assert body["total"] == 2 and body["count"] == 2 and body["has_more"] is False
    did = body["items"][0]
    assert did["phonenumber"] == DIDS[0]
    assert did["account_sid"] and did["did_sid"]
    assert (did["url"], did["method"]) == (None, "POST")  # no --did-url given
    first = api.get("/dids", params={"limit": 1}).json()
    assert first["count"] == 1 and first["has_more"] is True and first["pagination"]["next"]
    second = api.get("/dids", params={"limit": 1, "offset": 1}).json()
    assert second["items"][0]["phonenumber"] == DIDS[1] and second["has_more"] is False
    bad = api.get("/dids", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"


def test_endpoints_discovery_with_the_core_token(sandbox):
    with httpx.Client(trust_env=False, timeout=10) as client:
        url = f"{sandbox.core_url}/endpoints"
        assert client.get(url).status_code == 401
        wrong = client.get(url, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["errors"][0]["message"]
        headers = {"Authorization": f"Bearer {CREDENTIALS.core_token}"}
        body = client.get(url, headers=headers, params={"filter": 'type eq "flexml"'}).json()
        assert body["total"] == 1
        endpoint = body["items"][0]
        assert endpoint["type"] == "flexml" and endpoint["endpoint_sid"]
        assert endpoint["properties"] == {
            "login": CREDENTIALS.login,
            "password": CREDENTIALS.password,
            "api_url": sandbox.api_url,
        }
        none = client.get(url, headers=headers, params={"filter": 'type eq "sip"'}).json()
        assert none["total"] == 0 and none["items"] == []
        # The discovered credentials work on the FlexML API.
        props = endpoint["properties"]
        dids = client.get(f"{props['api_url']}/dids", auth=(props["login"], props["password"]))
        assert dids.status_code == 200


def test_credentials_are_made_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    first = Sandbox.default()
    second = Sandbox.default()
    assert first.credentials == second.credentials
    path = tmp_path / "flexml-studio" / "sandbox.json"
    assert json.loads(path.read_text("utf-8"))["login"] == first.credentials.login
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Sandbox().credentials != first.credentials  # without default(): fresh ones


def test_stop_ends_scheduled_and_running_calls_quickly(flow_server):
    box = Sandbox(credentials=CREDENTIALS, dids=DIDS)
    box.start()
    with httpx.Client(trust_env=False, timeout=10) as client:
        auth = (CREDENTIALS.login, CREDENTIALS.password)
        response = client.post(
            f"{box.api_url}/calls", json=call_body(flow_server, delay=600), auth=auth
        )
        assert response.status_code == 200
    started = time.monotonic()
    box.stop()
    assert time.monotonic() - started < 5
    assert not box.running


# -- calls without a url: the DID's ----------------------------------------------------------


def did_sid(api: httpx.Client, number: str = DIDS[0]) -> str:
    return next(
        d["did_sid"] for d in api.get("/dids").json()["items"] if d["phonenumber"] == number
    )


def test_a_call_without_url_runs_on_its_dids_url(flow_server):
    main = flow_server.flow_urls()["main"]
    with Sandbox(credentials=CREDENTIALS, dids=DIDS, did_url=main) as box:
        auth = (CREDENTIALS.login, CREDENTIALS.password)
        with httpx.Client(base_url=box.api_url, auth=auth, trust_env=False, timeout=10) as api:
            body = {
                "calling_did": DIDS[1],
                "called_did": "15551230000",
                "attributes": {"dtmf": "1"},
            }
            response = api.post("/calls", json=body)
            assert response.status_code == 200
            call = response.json()
            assert call["url"] is None and call["method"] == "POST"  # as CarrierX answers
            assert {d["url"] for d in api.get("/dids").json()["items"]} == {main}
            done = finished(api, call["call_sid"])
    assert done["status"] == "completed"
    started = done["transcript"][0]
    assert (started["event"], started["url"], started["method"]) == ("started", main, "POST")
    assert [r.path for r in flow_server.records()] == ["/flows/main", "/flows/choice"]
    with pytest.raises(ValueError, match="http:// or https://"):
        Sandbox(credentials=CREDENTIALS, did_url="ftp://example.com/flow")


def test_patch_dids_sets_a_dids_url_method_and_status_callback(api, flow_server):
    sid = did_sid(api)
    status_url = f"{flow_server.url}/status"
    changes = {
        "url": flow_server.flow_urls()["main"],
        "method": "get",
        "status_callback_url": status_url,
    }
    response = api.patch(f"/dids/{sid}", json=changes)
    assert response.status_code == 200, response.text
    did = response.json()
    assert (did["url"], did["method"], did["status_callback_url"]) == (
        changes["url"],
        "GET",
        status_url,
    )
    assert did["status_callback_method"] == "POST" and did["did_sid"] == sid
    assert api.get("/dids").json()["items"][0] == did
    # The object sent back whole is accepted (its read-only fields unchanged).
    assert api.patch(f"/dids/{sid}", json=did).json() == did

    body = {"calling_did": DIDS[0], "called_did": "15551230000", "attributes": {"dtmf": "1"}}
    call = api.post("/calls", json=body).json()
    assert (call["url"], call["status_callback_url"]) == (None, None)
    done = finished(api, call["call_sid"])
    assert done["status"] == "completed"
    records = flow_server.records()
    # The DID's url with its method (GET), and its status callback: the call had none.
    assert [(r.method, r.path) for r in records] == [
        ("GET", "/flows/main"),
        ("POST", "/flows/choice"),
        ("POST", "/status"),
    ]
    assert records[-1].params["CallStatus"] == "completed"
    # The other DID is left alone; a null url clears it again.
    assert api.get("/dids").json()["items"][1]["url"] is None
    cleared = api.patch(f"/dids/{sid}", json={"url": None, "status_callback_url": None}).json()
    assert (cleared["url"], cleared["status_callback_url"], cleared["method"]) == (
        None,
        None,
        "GET",
    )


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"phonenumber": "15550009999"}, "phonenumber", "read only"),
        ({"account_sid": "someone-else"}, "account_sid", "read only"),
        ({"voice": "woman"}, "voice", "not a field of the DID object"),
        ({"url": "ftp://example.com/"}, "url", "http:// or https://"),
        ({"status_callback_url": 5}, "status_callback_url", "http:// or https://"),
        ({"method": "PUT"}, "method", "GET or POST"),
    ],
)
def test_patch_dids_refuses_what_the_did_object_does_not_take(api, body, field, words):
    sid = did_sid(api)
    response = api.patch(f"/dids/{sid}", json={"url": "http://127.0.0.1:9/x", **body})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == field and words in error["message"]
    assert api.get("/dids").json()["items"][0]["url"] is None  # nothing changed


def test_patch_dids_needs_a_known_did_and_json(api):
    assert api.patch("/dids/nope", json={"url": None}).status_code == 404
    sid = did_sid(api)
    typed = api.patch(f"/dids/{sid}", content=b"{}", headers={"Content-Type": "text/plain"})
    assert typed.status_code == 415
    assert api.patch(f"/dids/{sid}", json=["url"]).status_code == 422


def test_a_call_without_url_on_a_did_without_one_fails_saying_how_to_give_one(api, flow_server):
    body = {
        "calling_did": DIDS[0],
        "called_did": "15551230000",
        "status_callback_url": f"{flow_server.url}/status",
    }
    call = api.post("/calls", json=body).json()
    assert call["url"] is None
    done = finished(api, call["call_sid"])
    assert done["status"] == "failed"
    kinds = [e["event"] for e in done["transcript"]]
    assert kinds == ["started", "error", "status_callback", "ended"]
    error = done["transcript"][1]["message"]
    sid = did_sid(api)
    assert error == (
        f"the call has no url and DID {DIDS[0]} has none either: set one with "
        f"PATCH /dids/{sid} or sandbox --did-url"
    )
    callback = done["transcript"][2]
    assert (callback["status"], callback["duration"], callback["http_status"]) == ("failed", 0, 200)
    assert done["transcript"][3]["call_status"] == "failed"
    (record,) = flow_server.records()
    assert record.path == "/status"
    assert record.params["CallStatus"] == "failed" and record.params["CallDuration"] == "0"
    assert record.params["CallSid"] == call["call_sid"].replace("-", "")
    assert api.get(f"/calls/{call['call_sid']}").headers["X-Sandbox-Call-Status"] == "failed"


# 70,000 characters: within CarrierX's 128 KB a call, too long for any GET's query string.
BIG_STORE = '<Store name="big">' + "y" * 70_000 + "</Store>"


@pytest.fixture
def big_store_server() -> Iterator[FlowServer]:
    """A flow server whose flows Store 70,000 characters: `main` then ends the call, `gets`
    then redirects with GET to `next`."""
    project = Project()
    flows = {
        "main": f"<Response>{BIG_STORE}<Say>Hi</Say><Hangup/></Response>",
        "gets": f'<Response>{BIG_STORE}<Redirect method="GET">flow:next</Redirect></Response>',
        "next": "<Response><Hangup/></Response>",
    }
    for name, text in flows.items():
        project.add_flow(name, parse(text.encode()))
    with FlowServer() as server:
        server.publish_project(project)
        yield server


def test_a_get_status_callback_too_long_to_send_is_said_and_the_call_stays_completed(
    api, big_store_server, caplog
):
    server = big_store_server
    call = api.post("/calls", json=call_body(server, status_callback_method="GET")).json()
    done = finished(api, call["call_sid"])
    assert done["status"] == "completed"
    kinds = [e["event"] for e in done["transcript"]]
    assert kinds[-2:] == ["status_callback", "ended"] and "error" not in kinds
    callback = done["transcript"][-2]
    said = (callback["status"], callback["method"], callback["http_status"])
    assert said == ("completed", "GET", None)
    assert "stored data (Storage_ fields" in callback["error"]
    assert [r.path for r in server.records()] == ["/flows/main"]  # the callback was not sent
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_get_redirect_after_a_big_store_fails_the_call_saying_why(api, big_store_server, caplog):
    server = big_store_server
    body = call_body(server, url=server.flow_urls()["gets"])
    done = finished(api, api.post("/calls", json=body).json()["call_sid"])
    assert done["status"] == "failed"
    (error,) = [e["message"] for e in done["transcript"] if e["event"] == "error"]
    assert error.startswith(f"GET {server.flow_urls()['next']}: ")
    assert "stored data (Storage_ fields" in error and "CarrierX would need POST" in error
    callback = next(e for e in done["transcript"] if e["event"] == "status_callback")
    assert (callback["status"], callback["http_status"]) == ("failed", 200)  # a POST: sent
    assert [r.path for r in server.records()] == ["/flows/gets", "/status"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_cli_did_url_gives_every_did_that_url(flow_server, monkeypatch):
    import argparse
    import io

    from gui.commands import sandbox as sandbox_command

    main = flow_server.flow_urls()["main"]
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    stop = threading.Event()
    args = argparse.Namespace(host="127.0.0.1", port=0, json=True, print_env=False, did_url=main)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(sandbox_command.run(args, stop)))
    thread.start()
    try:
        header = json.loads(wait_for(lambda: out.getvalue().partition("\n")[0]))
        auth = (header["login"], header["password"])
        with httpx.Client(
            base_url=header["api_url"], auth=auth, trust_env=False, timeout=10
        ) as client:
            assert {d["url"] for d in client.get("/dids").json()["items"]} == {main}
            body = {"calling_did": header["dids"][0], "called_did": "15551230000"}
            call = client.post("/calls", json=body).json()
            assert call["url"] is None
            finished(client, call["call_sid"])
        lines = wait_for(lambda: '"ended"' in out.getvalue() and out.getvalue().splitlines())
        events = [json.loads(line) for line in lines[1:]]
        assert events[0]["event"] == "started" and events[0]["url"] == main
    finally:
        stop.set()
        thread.join(10)
    assert codes == [0]
    with Sandbox(credentials=CREDENTIALS, did_url=main) as box:
        text = "\n".join(sandbox_command._header_lines(box, as_json=False))
    assert f"The DIDs' url:       {main} (POST)" in text
    assert "/sandbox/calls/{call_sid}" in text


# -- the CLI -------------------------------------------------------------------------------


def test_the_cli_prints_credentials_then_one_json_line_per_event(tmp_path, flow_server):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [str(EXE), "sandbox", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.put(raw.decode("utf-8"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        header = json.loads(lines.get(timeout=30))
        assert set(header) == {"api_url", "login", "password", "core_url", "core_token", "dids"}
        assert header["api_url"].endswith("/flexml/v1")
        stored = json.loads((tmp_path / "data" / "flexml-studio" / "sandbox.json").read_text())
        assert stored["login"] == header["login"]
        with httpx.Client(trust_env=False, timeout=10) as client:
            body = {
                "calling_did": header["dids"][0],
                "called_did": "15551230000",
                "url": flow_server.flow_urls()["main"],
                "attributes": {"dtmf": "1"},
            }
            response = client.post(
                f"{header['api_url']}/calls",
                json=body,
                auth=(header["login"], header["password"]),
            )
            assert response.status_code == 200
            sid = response.json()["call_sid"]
        events = []
        while not events or events[-1]["event"] != "ended":
            line = lines.get(timeout=TIME_LIMIT)
            assert line is not None, "stdout closed"
            events.append(json.loads(line))
        assert {e["call_sid"] for e in events} == {sid}
        assert events[0]["event"] == "started"
        assert any(e["event"] == "gather_done" and e["digits"] == "1" for e in events)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        reader.join(5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


class _KeypadCaller(ScriptedCaller):
    """Stands in for the simulator panel: keys from the person at the dial pad."""

    def __init__(self, keys: str) -> None:
        super().__init__("")
        self.keys = keys
        self.asked = 0

    async def next_digits(self, gather):
        self.asked += 1
        return self.keys


def test_an_attached_caller_answers_gathers_of_calls_without_dtmf(sandbox, api, flow_server):
    callers = {}

    def factory(call_sid: str) -> _KeypadCaller:
        callers[call_sid] = _KeypadCaller("1")
        return callers[call_sid]

    sandbox.attach_caller(factory)
    call = api.post("/calls", json=call_body(flow_server)).json()
    done = finished(api, call["call_sid"])
    assert callers[call["call_sid"]].asked == 1
    assert "/flows/choice" in [r.path for r in flow_server.records()]
    said = [e["text"] for e in done["transcript"] if e["event"] == "say"]
    assert "Thanks for pressing" in said
    # attributes.dtmf still wins over the attached caller
    scripted = api.post("/calls", json=call_body(flow_server, attributes={"dtmf": "w"})).json()
    finished(api, scripted["call_sid"])
    assert scripted["call_sid"] not in callers
    sandbox.attach_caller(None)
