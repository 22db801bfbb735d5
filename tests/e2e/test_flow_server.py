"""The flow server over real HTTP on 127.0.0.1: what CarrierX requests, and what it gets.

Every request goes through a real socket to a `FlowServer` on its own thread; nothing is
mocked. Answers are compared byte for byte with `Project.export` against the server's base.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from gui.core.flexml import parse
from gui.core.project import Project, load
from gui.core.server import MAX_BODY, FlowServer, RequestRecord, ServerError, Snapshot, is_loopback

TOKEN = "s3cret-Token_1"
PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <flow name="main">
    <Response>
      <Say>Welcome</Say>
      <Redirect>flow:menu</Redirect>
    </Response>
  </flow>
  <flow name="menu">
    <Response>
      <Gather action="flow:choice" numDigits="1">
        <Say>Press 1</Say>
      </Gather>
    </Response>
  </flow>
  <flow name="choice">
    <Response>
      <Hangup/>
    </Response>
  </flow>
</flexml-project>
"""
# What CarrierX POSTs to the application URL (FLEXML.md §3): a JSON body.
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
    "RequestUrl": "http://example.com/flows/main",
    "EndpointSid": "a2f0c1d5-4b7e-4b4e-8a8d-3d6f2c1b0e9f",
    "Digits": "1",
    "FinishKey": None,
}
XML_TYPE = "application/xml; charset=utf-8"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    path = tmp_path / "app.flexproj"
    path.write_text(PROJECT, "utf-8")
    return load([path])


@pytest.fixture
def http():
    with httpx.Client(trust_env=False, timeout=10) as client:  # no proxy for loopback
        yield client


@pytest.fixture
def server(project):
    with FlowServer() as flow_server:
        flow_server.publish_project(project)
        yield flow_server


@pytest.fixture
def token_server(project):
    with FlowServer(token=TOKEN) as flow_server:
        flow_server.publish_project(project)
        yield flow_server


def port_of(server: FlowServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def last(server: FlowServer) -> RequestRecord:
    return server.records()[-1]


def expected(project: Project, server: FlowServer, name: str) -> bytes:
    return project.export(name, base_url=server.base_url).encode("utf-8")


# -- serving flows ----------------------------------------------------------------------


def test_it_listens_on_loopback_and_reports_its_url(server):
    assert server.running
    assert server.url.startswith("http://127.0.0.1:")
    assert int(server.url.rsplit(":", 1)[1]) > 0
    assert server.base_url == server.url
    assert server.flow_urls() == {
        name: f"{server.url}/flows/{name}" for name in ("main", "menu", "choice")
    }


def test_get_answers_exactly_the_export_with_references_resolved(server, project, http):
    for name, url in server.flow_urls().items():
        response = http.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == XML_TYPE
        assert response.content == expected(project, server, name)
    assert f"<Redirect>{server.url}/flows/menu</Redirect>".encode() in expected(
        project, server, "main"
    )


def test_post_with_carrierx_json_body_answers_the_export_and_logs_the_fields(server, project, http):
    response = http.post(server.flow_urls()["main"], json=CARRIERX_BODY)
    assert response.status_code == 200
    assert response.headers["content-type"] == XML_TYPE
    assert response.content == expected(project, server, "main")
    record = last(server)
    assert (record.method, record.path, record.status) == ("POST", "/flows/main", 200)
    assert record.params == CARRIERX_BODY  # every field, JSON types kept (FinishKey null)
    assert record.call_sid == CARRIERX_BODY["CallSid"]
    assert record.size == len(response.content)


def test_get_query_string_and_form_bodies_are_parsed_too(server, http):
    http.get(server.flow_urls()["menu"], params={"CallSid": "abc", "From": "15551234567"})
    assert last(server).params == {"CallSid": "abc", "From": "15551234567"}
    http.post(f"{server.url}/flows/menu?Direction=inbound", data={"Digits": "12", "To": "1555"})
    assert last(server).params == {"Direction": "inbound", "Digits": "12", "To": "1555"}
    # JSON without its content type is still JSON (CarrierX's body, whatever its header).
    http.post(
        server.flow_urls()["menu"],
        content=json.dumps({"CallSid": "x"}),
        headers={"Content-Type": "text/plain"},
    )
    assert last(server).params == {"CallSid": "x"}


def test_multipart_form_fields_are_parsed_and_files_ignored(server, http):
    http.post(server.flow_urls()["menu"], data={"Digits": "5"}, files={"f": b"binary"})
    assert last(server).params == {"Digits": "5"}


def test_a_body_that_arrives_late_but_in_time_is_read(project):
    with FlowServer(client_timeout=5) as server:
        server.publish_project(project)
        body = json.dumps({"CallSid": "late"}).encode()
        with socket.create_connection(("127.0.0.1", port_of(server))) as sock:
            sock.sendall(
                b"POST /flows/main HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            )
            time.sleep(0.3)  # the handler is waiting for the body by now
            sock.sendall(body)
            sock.settimeout(5)
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        assert last(server).params == {"CallSid": "late"}


def test_head_answers_the_headers_without_a_body(server, project, http):
    response = http.head(server.flow_urls()["choice"])
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == XML_TYPE
    assert int(response.headers["content-length"]) == len(expected(project, server, "choice"))
    assert (last(server).method, last(server).size) == ("HEAD", 0)


def test_root_answers_the_entry_flow(server, project, http):
    assert project.entry == "menu"
    for method in ("GET", "POST"):
        response = http.request(method, f"{server.url}/")
        assert response.status_code == 200
        assert response.content == expected(project, server, "menu")


def test_a_published_change_is_seen_by_the_next_request(server, project, http):
    before = http.get(server.flow_urls()["main"]).content
    document = project.flow("main")
    document.set_text(document.root.child(0), "Welcome back")
    project.add_flow("extra", parse(b"<Response><Say>new</Say></Response>"))
    project.set_entry("extra")
    snapshot = server.publish_project(project)

    after = http.get(server.flow_urls()["main"])
    assert after.content != before
    assert b"<Say>Welcome back</Say>" in after.content
    assert after.content == expected(project, server, "main") == snapshot.flows["main"]
    assert "extra" in server.flow_urls()
    assert http.get(f"{server.url}/").content == expected(project, server, "extra")


def test_requests_during_publishing_see_one_snapshot_or_the_other(server, http):
    one = Snapshot({"main": b"<Response><Say>one</Say></Response>"}, "main")
    two = Snapshot({"main": b"<Response><Say>two</Say></Response>"}, "main")
    done = threading.Event()

    def flip() -> None:
        while not done.is_set():
            server.publish(one)
            server.publish(two)

    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        bodies = {http.get(server.flow_urls()["main"]).content for _ in range(50)}
    finally:
        done.set()
        flipper.join()
    assert bodies <= {one.flows["main"], two.flows["main"]}


def test_a_snapshot_cannot_be_changed():
    flows = {"main": b"<Response/>"}
    snapshot = Snapshot(flows, "main")
    flows["main"] = b"changed"
    assert snapshot.flows["main"] == b"<Response/>"
    with pytest.raises(TypeError):
        snapshot.flows["main"] = b"x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        snapshot.entry = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="entry"):
        Snapshot(flows, "missing")


# -- refusals, and the server goes on ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/nope", "/nope"),
        ("/flows/missing", "'missing'"),
        ("/flows/", "''"),
        ("/flows/main/extra", "'main/extra'"),
    ],
)
def test_unknown_paths_are_a_plain_text_404(server, http, path, fragment):
    response = http.get(server.url + path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("not found") and fragment in response.text
    assert response.text.count("\n") == 1
    assert (last(server).path, last(server).status) == (path, 404)


def test_root_is_404_before_anything_is_published(http):
    with FlowServer() as empty:
        response = http.get(f"{empty.url}/")
        assert response.status_code == 404
        assert "no flow is published" in response.text
        assert empty.flow_urls() == {}


def test_other_methods_are_405(server, http):
    response = http.put(server.flow_urls()["main"], content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert last(server).status == 405


def test_a_body_over_1_mib_is_413_and_the_server_goes_on(server, http):
    padding = "x" * (MAX_BODY - len('{"pad": ""}'))
    exactly = json.dumps({"pad": padding}).encode()
    assert len(exactly) == MAX_BODY
    assert http.post(server.flow_urls()["main"], content=exactly).status_code == 200

    response = http.post(
        server.flow_urls()["main"],
        content=exactly + b" ",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.text
    assert (last(server).status, last(server).path) == (413, "/flows/main")
    assert http.get(server.flow_urls()["main"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [(b'{"CallSid": "abc",', "does not parse"), (b'["CallSid"]', "must be an object")],
)
def test_a_bad_json_body_is_400_with_a_message_and_is_logged(server, http, body, fragment):
    response = http.post(
        server.flow_urls()["main"], content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert fragment in response.text
    assert (last(server).method, last(server).status) == ("POST", 400)
    assert http.get(server.flow_urls()["main"]).status_code == 200


def test_a_stalled_client_does_not_block_others_and_times_out(project, http):
    with FlowServer(client_timeout=0.5) as server:
        server.publish_project(project)
        half_headers = socket.create_connection(("127.0.0.1", port_of(server)))
        half_body = socket.create_connection(("127.0.0.1", port_of(server)))
        try:
            half_headers.sendall(b"GET /flows/main HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow")
            half_body.sendall(
                b"POST /flows/main HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                b'{"CallSid": '
            )
            started = time.monotonic()
            for _ in range(5):
                assert http.get(server.flow_urls()["main"]).status_code == 200
            assert time.monotonic() - started < 1.0

            # Then both stalled connections are dropped: the half body with a 408.
            half_body.settimeout(5)
            answer = half_body.recv(4096)
            assert answer.startswith(b"HTTP/1.1 408")
            half_headers.settimeout(5)
            assert half_headers.recv(4096) == b""  # closed without an answer
        finally:
            half_headers.close()
            half_body.close()
        assert any(r.status == 408 for r in server.records())
        assert http.get(server.flow_urls()["main"]).status_code == 200


# -- the access token -------------------------------------------------------------------


def test_a_token_server_hands_out_urls_that_carry_it(token_server, project, http):
    base = f"{token_server.url}/t/{TOKEN}"
    assert token_server.base_url == base
    assert token_server.flow_urls()["main"] == f"{base}/flows/main"
    response = http.get(token_server.flow_urls()["main"])
    assert response.status_code == 200
    assert response.content == expected(project, token_server, "main")
    assert f"<Redirect>{base}/flows/menu</Redirect>".encode() in response.content


@pytest.mark.parametrize("path", ["/flows/main", "/", "/status", "/nope"])
def test_without_the_token_every_route_is_403(token_server, http, path):
    for method in ("GET", "POST"):
        response = http.request(method, token_server.url + path)
        assert response.status_code == 403
        assert "token" in response.text
        assert (last(token_server).path, last(token_server).status) == (path, 403)


@pytest.mark.parametrize(
    "form",
    ["{url}/t/{token}/flows/main", "{url}/flows/main?token={token}", "{url}/t/{token}/"],
)
def test_both_token_forms_are_accepted_and_a_wrong_token_is_not(token_server, http, form):
    url = token_server.url
    assert http.get(form.format(url=url, token=TOKEN)).status_code == 200
    record = last(token_server)
    assert TOKEN not in record.path and "token" not in record.params  # never logged
    assert http.get(form.format(url=url, token="wrong")).status_code == 403
    assert http.get(form.format(url=url, token=TOKEN + "x")).status_code == 403


def test_the_token_works_on_post_and_status_too(token_server, http):
    response = http.post(f"{token_server.base_url}/status", json={"CallStatus": "completed"})
    assert (response.status_code, response.content) == (200, b"")
    response = http.post(
        f"{token_server.url}/flows/menu?token={TOKEN}&CallSid=abc", json={"Digits": "1"}
    )
    assert response.status_code == 200
    assert last(token_server).params == {"CallSid": "abc", "Digits": "1"}


def test_without_a_token_a_token_prefix_is_just_an_unknown_path(server, http):
    assert http.get(f"{server.url}/t/{TOKEN}/flows/main").status_code == 404


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_a_non_loopback_host_needs_a_token(host):
    assert not is_loopback(host)
    server = FlowServer(host)
    with pytest.raises(ValueError, match="access token"):
        server.start()
    assert not server.running


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("token", ["", "has space", "slash/es", "q?x"])
def test_a_token_must_be_url_safe(token):
    with pytest.raises(ValueError, match="token"):
        FlowServer(token=token)


def test_a_taken_port_is_a_clear_error(server):
    second = FlowServer(port=port_of(server))
    with pytest.raises(ServerError, match="already in use"):
        second.start()
    assert not second.running
    second.stop()  # harmless


def test_a_public_url_is_used_for_every_url_handed_out(project, http):
    with FlowServer(public_url="https://abc.tunnel.example/app/", token=TOKEN) as server:
        snapshot = server.publish_project(project)
        base = f"https://abc.tunnel.example/app/t/{TOKEN}"
        assert server.base_url == base
        assert server.flow_urls()["menu"] == f"{base}/flows/menu"
        body = http.get(f"{server.url}/t/{TOKEN}/flows/main").content
        assert body == snapshot.flows["main"]
        assert f"<Redirect>{base}/flows/menu</Redirect>".encode() in body


def test_base_url_before_start_needs_the_port():
    server = FlowServer()
    with pytest.raises(RuntimeError, match="starts"):
        _ = server.base_url
    assert FlowServer(public_url="https://x.example").base_url == "https://x.example"


# -- status callbacks, the log, listeners ------------------------------------------------


def test_a_status_callback_is_answered_empty_and_logged_with_its_params(server, http):
    callback = {**CARRIERX_BODY, "CallStatus": "completed", "CallDuration": "42"}
    response = http.post(f"{server.url}/status", json=callback)
    assert (response.status_code, response.content) == (200, b"")
    record = last(server)
    assert (record.method, record.path, record.status, record.size) == (
        "POST",
        "/status",
        200,
        0,
    )
    assert record.params["CallStatus"] == "completed"
    assert record.params["CallDuration"] == "42"
    assert record.params["CallSid"] == CARRIERX_BODY["CallSid"]

    response = http.get(f"{server.url}/status", params={"CallStatus": "no-answer"})
    assert (response.status_code, response.content) == (200, b"")
    assert last(server).params == {"CallStatus": "no-answer"}


def test_records_say_when_and_how_long(server, http):
    before = time.time()
    http.get(server.flow_urls()["main"])
    record = last(server)
    assert before - 1 <= record.time <= time.time() + 1
    assert 0 < record.latency_ms < 1000
    data = record.as_dict()
    assert set(data) == {"time", "method", "path", "params", "status", "size", "latency_ms"}
    json.dumps(data)


def test_listeners_get_every_record_and_a_failing_one_breaks_nothing(server, http, caplog):
    seen: list[RequestRecord] = []
    threads: set[str] = set()

    def listener(record: RequestRecord) -> None:
        seen.append(record)
        threads.add(threading.current_thread().name)

    def broken(record: RequestRecord) -> None:
        raise RuntimeError("listener bug")

    server.add_listener(broken)
    server.add_listener(listener)
    with caplog.at_level(logging.ERROR):
        assert http.get(server.flow_urls()["main"]).status_code == 200
        assert http.post(f"{server.url}/status", json={"CallStatus": "completed"}).is_success
    assert [(r.method, r.path) for r in seen] == [("GET", "/flows/main"), ("POST", "/status")]
    assert seen == server.records()[-2:]
    assert threads == {"flow-server"}  # called on the server thread: the GUI must marshal
    assert "listener failed" in caplog.text

    server.remove_listener(listener)
    server.remove_listener(broken)
    http.get(server.flow_urls()["main"])
    assert len(seen) == 2
    with pytest.raises(ValueError):
        server.remove_listener(listener)


def test_the_log_is_bounded(project, http):
    with FlowServer(log_size=3) as server:
        server.publish_project(project)
        for i in range(5):
            http.get(server.flow_urls()["main"], params={"n": str(i)})
        assert [r.params["n"] for r in server.records()] == ["2", "3", "4"]


def test_stop_shuts_down_cleanly_and_it_can_start_again(project, http):
    server = FlowServer()
    server.start()
    server.publish_project(project)
    url = server.flow_urls()["main"]
    assert http.get(url).status_code == 200
    server.stop()
    assert not server.running
    assert not any(t.name == "flow-server" for t in threading.enumerate())
    with pytest.raises(httpx.ConnectError):
        http.get(url)
    server.stop()  # a second stop is harmless
    server.start()
    try:
        assert http.get(server.flow_urls()["main"]).status_code == 200
    finally:
        server.stop()
