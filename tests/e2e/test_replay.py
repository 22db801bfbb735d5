"""Replay answers a logged request as the live server does (same routing, same bytes), and
says how two answers differ; records keep the exact bytes they answered."""

from __future__ import annotations

import pytest

from gui.core.server import FlowServer, Snapshot
from gui.core.server.replay import answer, changed_count, diff_lines, summary
from tests.data import data_json

TOKEN = "replay-Token_1"
CARRIERX_BODY = data_json("carrierx_request.json")
ROUTES = [
    ("GET", "/flows/main"),
    ("POST", "/flows/menu"),
    ("HEAD", "/flows/main"),
    ("GET", "/"),
    ("POST", "/status"),
    ("GET", "/status"),
    ("GET", "/flows/nope"),
    ("GET", "/flows/"),
    ("GET", "/nowhere"),
    ("PUT", "/flows/main"),
    ("DELETE", "/status"),
    ("PATCH", "/nowhere"),
]


# -- parity with the live server -----------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_replay_answers_what_the_live_server_answers(flow_server, http, method, path):
    body = CARRIERX_BODY if method == "POST" else None
    response = http.request(method, flow_server.url + path, json=body)
    assert answer(flow_server.snapshot, method, path) == (response.status_code, response.content)
    record = flow_server.records()[-1]
    assert (record.status, record.body) == (response.status_code, response.content)
    assert record.size == len(response.content)


def test_with_a_token_the_logged_path_replays_without_it(project, http):
    with FlowServer(token=TOKEN) as server:
        server.publish_project(project)
        for url in (f"{server.url}/t/{TOKEN}/flows/main", f"{server.url}/flows/menu?token={TOKEN}"):
            response = http.get(url)
            record = server.records()[-1]
            assert "token" not in record.params and TOKEN not in record.path
            assert answer(server.snapshot, record.method, record.path) == (
                response.status_code,
                response.content,
            )


def test_root_before_anything_is_published_is_the_same_404(http):
    with FlowServer() as server:
        response = http.get(server.url + "/")
        assert response.status_code == 404
        assert answer(server.snapshot, "GET", "/") == (404, response.content)
        assert b"no flow is published yet" in response.content


# -- what records keep -----------------------------------------------------------------------


def test_a_flow_record_holds_the_snapshots_own_bytes(flow_server, http):
    http.post(flow_server.url + "/flows/main", json=CARRIERX_BODY)
    record = flow_server.records()[-1]
    assert record.body is flow_server.snapshot.flows["main"]  # no copy per request


def test_error_records_hold_their_plain_text_and_head_and_status_hold_nothing(flow_server, http):
    http.get(flow_server.url + "/flows/nope")
    http.head(flow_server.url + "/flows/main")
    http.post(flow_server.url + "/status", json={**CARRIERX_BODY, "CallStatus": "completed"})
    missing, head, status = flow_server.records()[-3:]
    assert missing.body == b"not found: no flow named 'nope'\n"
    assert head.body == b"" and head.size == 0
    assert status.body == b"" and status.params["CallStatus"] == "completed"


def test_the_body_stays_out_of_dicts_reprs_and_comparisons(flow_server, http):
    http.get(flow_server.url + "/flows/main")
    record = flow_server.records()[-1]
    assert "body" not in record.as_dict()
    assert "Welcome" not in repr(record)
    from dataclasses import replace

    assert replace(record, body=b"other") == record


def test_a_published_edit_changes_the_replayed_answer(flow_server, project, http):
    old = http.get(flow_server.url + "/flows/main").content
    document = project.flow("main")
    document.set_text(document.root.child(0), "Hello again")
    flow_server.publish_project(project)
    status, new = answer(flow_server.snapshot, "GET", "/flows/main")
    assert status == 200 and new != old
    assert summary(200, old, status, new) == "1 line changed"
    project.remove_flow("main")
    flow_server.publish_project(project)
    assert answer(flow_server.snapshot, "GET", "/flows/main")[0] == 404
    assert summary(200, old, *answer(flow_server.snapshot, "GET", "/flows/main")).startswith(
        "status 200 -> 404, "
    )


def test_replay_from_a_snapshot_made_without_a_server(project):
    snapshot = Snapshot.from_project(project, "https://abc.example/t/tok")
    status, body = answer(snapshot, "POST", "/flows/main")
    assert status == 200
    assert b"<Redirect>https://abc.example/t/tok/flows/menu</Redirect>" in body


# -- diffs and summaries ---------------------------------------------------------------------


def test_diff_of_equal_bodies_is_all_same():
    rows = diff_lines(b"a\nb\n", b"a\nb\n")
    assert rows == [("same", "a", "a"), ("same", "b", "b")]
    assert changed_count(rows) == 0


def test_diff_pairs_changed_lines_and_pads_removed_and_added_ones():
    old = b"<Response>\n  <Say>Hi</Say>\n  <Pause/>\n</Response>\n"
    new = b"<Response>\n  <Say>Hello</Say>\n</Response>\n  <Hangup/>\n"
    rows = diff_lines(old, new)
    assert rows[0] == ("same", "<Response>", "<Response>")
    assert ("changed", "  <Say>Hi</Say>", "  <Say>Hello</Say>") in rows
    assert ("removed", "  <Pause/>", "") in rows
    assert rows[-1] == ("added", "", "  <Hangup/>")
    assert changed_count(rows) == 3
    # Both sides, read down the rows, are the two bodies.
    assert [o for k, o, _ in rows if k != "added"] == old.decode().splitlines()
    assert [n for k, _, n in rows if k != "removed"] == new.decode().splitlines()


def test_diff_of_empty_and_undecodable_bodies():
    assert diff_lines(b"", b"") == []
    assert diff_lines(b"", b"x\n") == [("added", "", "x")]
    assert diff_lines(b"\xff\n", b"") == [("removed", "\ufffd", "")]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ((200, b"a\n"), (200, b"a\n"), "unchanged"),
        ((200, b"a\nb\n"), (200, b"a\nc\n"), "1 line changed"),
        ((200, b"a\nb\nc\n"), (200, b"x\ny\nz\n"), "3 lines changed"),
        ((200, b"a\n"), (200, b"a\r\n"), "only line endings changed"),
        ((200, b"<x/>\n"), (404, b"not found\n"), "status 200 -> 404, 1 line changed"),
        ((200, b""), (405, b""), "status 200 -> 405"),
    ],
)
def test_summaries(old, new, expected):
    assert summary(*old, *new) == expected


def test_a_request_refused_before_routing_says_so():
    said = summary(403, b"forbidden\n", 200, b"<Response/>\n")
    assert said.startswith("status 403 -> 200, 1 line changed")
    assert "token or body" in said
