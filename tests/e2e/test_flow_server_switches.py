"""Switches served over real HTTP on 127.0.0.1: /flows/SWITCH answers the chosen flow in the
same response, for GET (query) and POST (JSON or form body), says each decision in a header
and in the request's record, keeps the token rules, and replays as it was answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gui.core.project import Project
from gui.core.project_file import read_project
from gui.core.server import FlowServer, RequestRecord
from gui.core.server.records import RECORD_VALUE
from gui.core.server.replay import replay
from gui.core.switches import SWITCH_HEADER, Decision, decision_from_header
from tests.data import data_json

TOKEN = "sw1tch-Token"
CARRIERX_BODY = data_json("carrierx_request.json")
XML_TYPE = "application/xml; charset=utf-8"
PROJECT = """\
<flexml-project format="1" entry="menu">
  <flow name="menu"><Response>
    <Gather action="flow:route" numDigits="1"><Say>Press 1 or 2</Say></Gather>
    <Redirect>flow:open</Redirect>
  </Response></flow>
  <flow name="sales"><Response><Say>Sales</Say></Response></flow>
  <flow name="support"><Response><Say>Support</Say></Response></flow>
  <switch name="route" on="Digits">
    <case value="1" goto="sales"/>
    <case values="2 3" goto="support"/>
    <otherwise goto="menu"/>
  </switch>
  <switch name="open">
    <case hours="Mon-Sun 00:00-24:00" tz="Europe/London" goto="route"/>
  </switch>
  <switch name="strict" on="Digits"><case value="1" goto="sales"/></switch>
  <switch name="loop-a" on="Digits"><otherwise goto="loop-b"/></switch>
  <switch name="loop-b" on="Digits"><otherwise goto="loop-a"/></switch>
</flexml-project>
"""


@pytest.fixture
def project() -> Project:
    return Project.from_contents(read_project(PROJECT.encode()))


@pytest.fixture
def token_server(project) -> Iterator[FlowServer]:
    with FlowServer(token=TOKEN) as server:
        server.publish_project(project)
        yield server


def last(server: FlowServer) -> RequestRecord:
    return server.records()[-1]


def flow_bytes(server: FlowServer, name: str) -> bytes:
    return server.snapshot.flows[name]


def decisions(response) -> list[Decision | None]:
    return [decision_from_header(h) for h in response.headers.get_list(SWITCH_HEADER)]


def test_get_chooses_by_the_query(flow_server, http):
    response = http.get(f"{flow_server.url}/flows/route", params={"Digits": "2"})
    assert response.status_code == 200
    assert response.headers["content-type"] == XML_TYPE
    assert response.content == flow_bytes(flow_server, "support")
    assert decisions(response) == [Decision("route", "Digits", "2", 1, "2 or 3", "support")]
    record = last(flow_server)
    assert (record.method, record.path, record.status) == ("GET", "/flows/route", 200)
    assert record.switch == "route" and record.chosen_flow == "support"
    assert record.decisions == (Decision("route", "Digits", "2", 1, "2 or 3", "support"),)
    assert record.body is flow_bytes(flow_server, "support")


def test_post_chooses_by_the_carrierx_json_body_on_top_of_the_query(flow_server, http):
    body = {**CARRIERX_BODY, "Digits": "1"}
    response = http.post(f"{flow_server.url}/flows/route?Digits=2", json=body)
    assert response.content == flow_bytes(flow_server, "sales")
    record = last(flow_server)
    assert record.params["Digits"] == "1" and record.params["CallSid"] == body["CallSid"]
    assert [(d.parameter, d.value, d.label, d.goto) for d in record.decisions] == [
        ("Digits", "1", "1", "sales")
    ]
    assert record.as_dict()["switches"] == [
        {"switch": "route", "parameter": "Digits", "value": "1", "case": "1", "goto": "sales"}
    ]


@pytest.mark.parametrize(
    ("send", "flow"),
    [
        ({"data": {"Digits": "3"}}, "support"),  # a form
        ({"files": {"x": ("x.txt", b"")}, "data": {"Digits": "1"}}, "sales"),  # multipart
        ({"content": b'{"Digits": 1}', "headers": {"content-type": "text/plain"}}, "sales"),
        ({"json": {"Digits": None}}, "menu"),  # CarrierX's null: absent
        ({}, "menu"),  # no body, no Digits: otherwise
    ],
)
def test_post_chooses_by_a_form_or_any_body_the_server_reads(flow_server, http, send, flow):
    response = http.post(f"{flow_server.url}/flows/route", **send)
    assert response.status_code == 200
    assert response.content == flow_bytes(flow_server, flow)
    assert last(flow_server).chosen_flow == flow


def test_switches_lead_on_to_switches_in_one_response(flow_server, http):
    response = http.post(f"{flow_server.url}/flows/open", json={"Digits": "1"})
    assert response.content == flow_bytes(flow_server, "sales")
    assert [d.switch for d in decisions(response)] == ["open", "route"]
    assert [d.label for d in last(flow_server).decisions] == ["Mon-Sun 00:00-24:00", "1"]


def test_following_the_exported_gather_like_carrierx_reaches_the_chosen_flow(flow_server, http):
    menu = http.get(f"{flow_server.url}/flows/menu").text
    action = f'action="{flow_server.url}/flows/route"'
    assert action in menu
    response = http.post(f"{flow_server.url}/flows/route", json={**CARRIERX_BODY, "Digits": "2"})
    assert b"<Say>Support</Say>" in response.content


def test_head_chooses_too_and_sends_no_body(flow_server, http):
    response = http.head(f"{flow_server.url}/flows/route", params={"Digits": "1"})
    assert response.status_code == 200 and response.content == b""
    assert last(flow_server).chosen_flow == "sales" and last(flow_server).size == 0


@pytest.mark.parametrize(
    ("path", "status", "start"),
    [
        ("/flows/strict", 404, "not found: switch 'strict' has no case for Digits = '9'"),
        ("/flows/loop-a", 500, "internal error: the switches loop-a -> loop-b -> loop-a"),
    ],
)
def test_no_flow_chosen_is_a_one_line_plain_error(flow_server, http, path, status, start):
    response = http.post(f"{flow_server.url}{path}", json={"Digits": "9"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith(start) and response.text.count("\n") == 1
    assert last(flow_server).status == status and last(flow_server).chosen_flow is None


def test_a_hostile_value_is_answered_quickly_and_safely(flow_server, http):
    digits = "1" * 500_000
    response = http.post(f"{flow_server.url}/flows/route", json={"Digits": digits})
    assert response.content == flow_bytes(flow_server, "menu")  # too long for any case
    (said,) = decisions(response)
    assert said is not None and len(said.value) == 257  # the header holds a cut value
    # The record keeps a cut value (its log must stay small) that still matches no case.
    record = last(flow_server)
    assert record.params["Digits"] == digits[:RECORD_VALUE] + "…"
    assert record.decisions[0].value == said.value
    assert "1 value shortened" in record.cut


# -- the token rules hold for switches ------------------------------------------------------


def test_a_switch_needs_the_token_like_a_flow(token_server, http):
    url = token_server.url
    refused = http.post(f"{url}/flows/route", json={"Digits": "1"})
    assert refused.status_code == 403
    assert last(token_server).decisions == () and SWITCH_HEADER not in refused.headers
    by_query = http.get(f"{url}/flows/route", params={"Digits": "1", "token": TOKEN})
    assert by_query.content == flow_bytes(token_server, "sales")
    assert "token" not in last(token_server).params
    by_path = http.post(f"{url}/t/{TOKEN}/flows/route", json={"Digits": "2"})
    assert by_path.content == flow_bytes(token_server, "support")
    assert last(token_server).path == "/flows/route"
    assert f"{url}/t/{TOKEN}/flows/route".encode() in flow_bytes(token_server, "menu")


# -- replay ---------------------------------------------------------------------------------


def test_replay_of_a_logged_switch_request_is_what_was_answered(flow_server, http, project):
    http.post(f"{flow_server.url}/flows/route", json={"Digits": "2"})
    logged = last(flow_server)
    assert replay(flow_server.snapshot, logged) == (200, logged.body)
    # After an edit is published, the same request chooses anew.
    route = project.switch("route")
    project.replace_switch(route.retargeted("support", "sales"))
    flow_server.publish_project(project)
    assert replay(flow_server.snapshot, logged) == (200, flow_bytes(flow_server, "sales"))
    again = http.post(f"{flow_server.url}/flows/route", json={"Digits": "2"})
    assert again.content == flow_bytes(flow_server, "sales")


def test_opening_hours_over_http_follow_the_servers_clock(http):
    """A FlowServer given a clock decides opening hours by it: the same request is open on
    Monday morning and closed on Sunday night (New York)."""
    from datetime import UTC, datetime

    project = Project.from_contents(
        read_project(
            b"""<flexml-project format="1" entry="sales">
  <flow name="sales"><Response><Say>Sales</Say></Response></flow>
  <flow name="closed"><Response><Say>Closed</Say></Response></flow>
  <switch name="hours">
    <case hours="Mon-Fri 09:00-17:00" tz="America/New_York" goto="sales"/>
    <otherwise goto="closed"/>
  </switch>
</flexml-project>"""
        )
    )
    now = [datetime(2026, 12, 7, 15, 0, tzinfo=UTC).timestamp()]  # Monday 10:00 in New York
    with FlowServer(clock=lambda: now[0]) as server:
        server.publish_project(project)
        assert http.post(f"{server.url}/flows/hours").content == server.snapshot.flows["sales"]
        now[0] = datetime(2026, 12, 7, 3, 0, tzinfo=UTC).timestamp()  # Sunday 22:00
        assert http.post(f"{server.url}/flows/hours").content == server.snapshot.flows["closed"]
        assert [r.chosen_flow for r in server.records()] == ["sales", "closed"]
