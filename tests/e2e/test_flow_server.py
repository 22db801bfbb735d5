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

import httpx
import pytest

from gui.core.flexml import parse
from gui.core.net import is_loopback
from gui.core.project import Project
from gui.core.server import MAX_BODY, FlowServer, RequestRecord, ServerError, Snapshot
from tests.data import data_json

TOKEN = "s3cret-Token_1-sixteen"
# What CarrierX POSTs to the application URL (FLEXML.md §3): a JSON body.
CARRIERX_BODY = data_json("carrierx_request.json")
XML_TYPE = "application/xml; charset=utf-8"


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


def test_it_listens_on_loopback_and_reports_its_url(flow_server):
    assert flow_server.running
    assert flow_server.url.startswith("http://127.0.0.1:")
    assert int(flow_server.url.rsplit(":", 1)[1]) > 0
    assert flow_server.base_url == flow_server.url
    assert flow_server.flow_urls() == {
        name: f"{flow_server.url}/flows/{name}" for name in ("main", "menu", "choice")
    }


def test_get_answers_exactly_the_export_with_references_resolved(flow_server, project, http):
    for name, url in flow_server.flow_urls().items():
        response = http.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == XML_TYPE
        assert response.content == expected(project, flow_server, name)
    assert f"<Redirect>{flow_server.url}/flows/menu</Redirect>".encode() in expected(
        project, flow_server, "main"
    )


def test_post_with_carrierx_json_body_answers_the_export_and_logs_the_fields(
    flow_server, project, http
):
    response = http.post(flow_server.flow_urls()["main"], json=CARRIERX_BODY)
    assert response.status_code == 200
    assert response.headers["content-type"] == XML_TYPE
    assert response.content == expected(project, flow_server, "main")
    record = last(flow_server)
    assert (record.method, record.path, record.status) == ("POST", "/flows/main", 200)
    assert record.params == CARRIERX_BODY  # every field, JSON types kept (FinishKey null)
    assert record.call_sid == CARRIERX_BODY["CallSid"]
    assert record.size == len(response.content)


def test_get_query_string_and_form_bodies_are_parsed_too(flow_server, http):
    http.get(flow_server.flow_urls()["menu"], params={"CallSid": "abc", "From": "15551234567"})
    assert last(flow_server).params == {"CallSid": "abc", "From": "15551234567"}
    http.post(
        f"{flow_server.url}/flows/menu?Direction=inbound", data={"Digits": "12", "To": "1555"}
    )
    assert last(flow_server).params == {"Direction": "inbound", "Digits": "12", "To": "1555"}
    # JSON without its content type is still JSON (CarrierX's body, whatever its header).
    http.post(
        flow_server.flow_urls()["menu"],
        content=json.dumps({"CallSid": "x"}),
        headers={"Content-Type": "text/plain"},
    )
    assert last(flow_server).params == {"CallSid": "x"}


def test_multipart_form_fields_are_parsed_and_files_ignored(flow_server, http):
    http.post(flow_server.flow_urls()["menu"], data={"Digits": "5"}, files={"f": b"binary"})
    assert last(flow_server).params == {"Digits": "5"}


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


def test_head_answers_the_headers_without_a_body(flow_server, project, http):
    response = http.head(flow_server.flow_urls()["choice"])
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == XML_TYPE
    assert int(response.headers["content-length"]) == len(expected(project, flow_server, "choice"))
    assert (last(flow_server).method, last(flow_server).size) == ("HEAD", 0)


def test_root_answers_the_entry_flow(flow_server, project, http):
    assert project.entry == "menu"
    for method in ("GET", "POST"):
        response = http.request(method, f"{flow_server.url}/")
        assert response.status_code == 200
        assert response.content == expected(project, flow_server, "menu")


def test_a_published_change_is_seen_by_the_next_request(flow_server, project, http):
    before = http.get(flow_server.flow_urls()["main"]).content
    document = project.flow("main")
    document.set_text(document.root.child(0), "Welcome back")
    project.add_flow("extra", parse(b"<Response><Say>new</Say></Response>"))
    project.set_entry("extra")
    snapshot = flow_server.publish_project(project)

    after = http.get(flow_server.flow_urls()["main"])
    assert after.content != before
    assert b"<Say>Welcome back</Say>" in after.content
    assert after.content == expected(project, flow_server, "main") == snapshot.flows["main"]
    assert "extra" in flow_server.flow_urls()
    assert http.get(f"{flow_server.url}/").content == expected(project, flow_server, "extra")


def test_requests_during_publishing_see_one_snapshot_or_the_other(flow_server, http):
    one = Snapshot({"main": b"<Response><Say>one</Say></Response>"}, "main")
    two = Snapshot({"main": b"<Response><Say>two</Say></Response>"}, "main")
    done = threading.Event()

    def flip() -> None:
        while not done.is_set():
            flow_server.publish(one)
            flow_server.publish(two)

    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        bodies = {http.get(flow_server.flow_urls()["main"]).content for _ in range(50)}
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
def test_unknown_paths_are_a_plain_text_404(flow_server, http, path, fragment):
    response = http.get(flow_server.url + path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("not found") and fragment in response.text
    assert response.text.count("\n") == 1
    assert (last(flow_server).path, last(flow_server).status) == (path, 404)


def test_root_is_404_before_anything_is_published(http):
    with FlowServer() as empty:
        response = http.get(f"{empty.url}/")
        assert response.status_code == 404
        assert "no flow is published" in response.text
        assert empty.flow_urls() == {}


def test_other_methods_are_405(flow_server, http):
    response = http.put(flow_server.flow_urls()["main"], content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert last(flow_server).status == 405


def test_a_body_over_1_mib_is_413_and_the_server_goes_on(flow_server, http):
    padding = "x" * (MAX_BODY - len('{"pad": ""}'))
    exactly = json.dumps({"pad": padding}).encode()
    assert len(exactly) == MAX_BODY
    assert http.post(flow_server.flow_urls()["main"], content=exactly).status_code == 200

    response = http.post(
        flow_server.flow_urls()["main"],
        content=exactly + b" ",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.text
    assert (last(flow_server).status, last(flow_server).path) == (413, "/flows/main")
    assert http.get(flow_server.flow_urls()["main"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [(b'{"CallSid": "abc",', "does not parse"), (b'["CallSid"]', "must be an object")],
)
def test_a_bad_json_body_is_400_with_a_message_and_is_logged(flow_server, http, body, fragment):
    response = http.post(
        flow_server.flow_urls()["main"], content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert fragment in response.text
    assert (last(flow_server).method, last(flow_server).status) == ("POST", 400)
    assert http.get(flow_server.flow_urls()["main"]).status_code == 200


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


def test_without_a_token_a_token_prefix_is_just_an_unknown_path(flow_server, http):
    assert http.get(f"{flow_server.url}/t/{TOKEN}/flows/main").status_code == 404


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


def test_a_taken_port_is_a_clear_error(flow_server):
    second = FlowServer(port=port_of(flow_server))
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


def test_a_status_callback_is_answered_empty_and_logged_with_its_params(flow_server, http):
    callback = {**CARRIERX_BODY, "CallStatus": "completed", "CallDuration": "42"}
    response = http.post(f"{flow_server.url}/status", json=callback)
    assert (response.status_code, response.content) == (200, b"")
    record = last(flow_server)
    assert (record.method, record.path, record.status, record.size) == (
        "POST",
        "/status",
        200,
        0,
    )
    assert record.params["CallStatus"] == "completed"
    assert record.params["CallDuration"] == "42"
    assert record.params["CallSid"] == CARRIERX_BODY["CallSid"]

    response = http.get(f"{flow_server.url}/status", params={"CallStatus": "no-answer"})
    assert (response.status_code, response.content) == (200, b"")
    assert last(flow_server).params == {"CallStatus": "no-answer"}


def test_records_say_when_and_how_long(flow_server, http):
    before = time.time()
    http.get(flow_server.flow_urls()["main"])
    record = last(flow_server)
    assert before - 1 <= record.time <= time.time() + 1
    assert 0 < record.latency_ms < 1000
    data = record.as_dict()
    assert set(data) == {"time", "method", "path", "params", "status", "size", "latency_ms"}
    json.dumps(data)


def test_listeners_get_every_record_and_a_failing_one_breaks_nothing(flow_server, http, caplog):
    seen: list[RequestRecord] = []
    threads: set[str] = set()

    def listener(record: RequestRecord) -> None:
        seen.append(record)
        threads.add(threading.current_thread().name)

    def broken(record: RequestRecord) -> None:
        raise RuntimeError("listener bug")

    flow_server.add_listener(broken)
    flow_server.add_listener(listener)
    with caplog.at_level(logging.ERROR):
        assert http.get(flow_server.flow_urls()["main"]).status_code == 200
        assert http.post(f"{flow_server.url}/status", json={"CallStatus": "completed"}).is_success
    assert [(r.method, r.path) for r in seen] == [("GET", "/flows/main"), ("POST", "/status")]
    assert seen == flow_server.records()[-2:]
    assert threads == {"flow-server"}  # called on the server thread: the GUI must marshal
    assert "listener failed" in caplog.text

    flow_server.remove_listener(listener)
    flow_server.remove_listener(broken)
    http.get(flow_server.flow_urls()["main"])
    assert len(seen) == 2
    with pytest.raises(ValueError):
        flow_server.remove_listener(listener)


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
