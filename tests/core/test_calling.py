"""The rules of placing a call (gui.core.calling), shared by the dial pad and `flexml-studio
call`: the plan's checks, the DID it comes from (against a real sandbox and a scripted
server on loopback), the request, the URLs a flow server gives, and the warnings."""

from __future__ import annotations

import asyncio

import pytest

from gui.core.calling import (
    FLOW_SERVER_UNREACHABLE,
    NO_DIDS,
    STATUS_UNREACHABLE,
    CallPlan,
    NoDidsError,
    PlanError,
    call_request,
    calling_did,
    check,
    did_numbers,
    number_digits,
    served_urls,
    warnings,
)
from gui.core.carrierx import FlexmlClient
from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.core.server import FlowServer
from tests.e2e.test_carrierx_client import page_of
from tests.servers import Reply, ScriptedServer, always

CLI = {
    "to": "--to",
    "url": "--url",
    "status_url": "--status-callback",
    "delay": "--delay",
    "timeout": "--timeout",
}
CREDENTIALS = Credentials("sandbox_plan", "plan-s3cret-PASS", "core-token-plan")
DIDS = ("15162060100", "15162060101")
URL = "https://example.com/flow.xml"
REAL_API = "https://api.carrierx.com/flexml/v1"


def plan(**fields) -> CallPlan:
    return CallPlan(**{"to": "+1 516 206 5318", "url": URL, **fields})


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 10))


# -- the plan's checks -------------------------------------------------------------------


def test_check_gives_the_number_to_call_as_e164_digits():
    assert check(plan()) == "15162065318"
    assert check(plan(to="020 7946 0958", region="GB")) == "442079460958"
    assert check(plan(to="1-800-FLOWERS")) == "18003569377"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": "12"}, "12: too short for a number with country code +1 (12)"),
        ({"to": ""}, "No number: no number was given"),
        ({"url": "ftp://example.com/x"}, "ftp://example.com/x is not an http:// or https:// URL"),
        ({"url": ""}, "The URL is not an http:// or https:// URL"),
        ({"status_url": "nowhere"}, "nowhere is not an http:// or https:// URL"),
        ({"delay": -1}, "The delay must be 0 or more seconds, not -1"),
        ({"timeout": 0}, "The ring timeout must be more than 0 seconds, not 0"),
    ],
)
def test_what_the_dial_pad_is_told(fields, message):
    with pytest.raises(PlanError) as refused:
        check(plan(**fields))
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": "12"}, "--to '12': too short for a number with country code +1 (12)"),
        ({"url": "ftp://x"}, "--url 'ftp://x' must be an http:// or https:// URL"),
        ({"status_url": "x"}, "--status-callback 'x' must be an http:// or https:// URL"),
        ({"delay": -1}, "--delay must be 0 or more seconds, not -1"),
        ({"timeout": 0}, "--timeout must be more than 0 seconds, not 0"),
    ],
)
def test_what_the_command_line_is_told_names_its_options(fields, message):
    with pytest.raises(PlanError) as refused:
        check(plan(**fields), CLI)
    assert str(refused.value) == message


def test_a_served_flow_needs_no_url_and_the_server_status_no_status_url():
    assert check(plan(flow="main", url="(the flow server's /flows/main)")) == "15162065318"
    assert check(plan(status_to_server=True, status_url="ignored")) == "15162065318"
    assert check(plan(delay=0, timeout=1)) == "15162065318"


def test_number_digits_is_lenient_for_dids_only_when_asked():
    assert number_digits("1-555-555-0100", "US", "--from", strict=False) == "15555550100"
    with pytest.raises(PlanError, match=r"^--from: \+15555550100 is not a valid number"):
        number_digits("1-555-555-0100", "US", "--from")


# -- the warnings --------------------------------------------------------------------------


def test_nothing_to_warn_about_for_the_sandbox_or_a_reachable_setup():
    loopback = plan(url="http://127.0.0.1:9/flows/main", status_to_server=True, flow=None)
    assert warnings(loopback, "http://127.0.0.1:8080/flexml/v1", sandbox=True) == []
    assert warnings(plan(), REAL_API) == []
    served = plan(flow="main", status_to_server=True)
    assert warnings(served, REAL_API, server_public=True) == []


def test_a_local_carrierx_reaches_loopback():
    loopback = plan(url="http://localhost:9/flows/main", status_to_server=True)
    assert warnings(loopback, "http://127.0.0.1:8080/flexml/v1") == []
    assert warnings(plan(flow="main"), "http://[::1]:8080/flexml/v1") == []


def test_plain_http_to_another_host_is_said_first():
    found = warnings(plan(url="http://127.0.0.1:9/x"), "http://192.0.2.1:9/flexml/v1")
    assert len(found) == 2
    assert found[0] == (
        "The API URL uses plain http:// to 192.0.2.1: the login and password would cross "
        "the network unencrypted. Use https://."
    )
    assert found[1].startswith("CarrierX cannot reach http://127.0.0.1:9/x")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/flows/main", "http://LOCALHOST./x", "http://[::1]/x"]
)
def test_a_custom_url_on_this_computer_cannot_be_reached(url):
    assert warnings(plan(url=url), REAL_API) == [
        f"CarrierX cannot reach {url}: it is on this computer. Use a public URL."
    ]


def test_the_flow_server_on_loopback_cannot_be_reached():
    assert warnings(plan(flow="main"), REAL_API) == [FLOW_SERVER_UNREACHABLE]
    status = plan(status_to_server=True)
    assert warnings(status, REAL_API) == [STATUS_UNREACHABLE]
    both = plan(flow="main", status_to_server=True)
    assert warnings(both, REAL_API) == [FLOW_SERVER_UNREACHABLE, STATUS_UNREACHABLE]
    assert "CarrierX cannot reach" in FLOW_SERVER_UNREACHABLE


# -- what the flow server gives ------------------------------------------------------------


@pytest.fixture
def flow_server():
    project = Project()
    project.add_flow("main", parse(b"<Response><Say>Hi</Say></Response>"))
    project.entry = "main"
    with FlowServer() as server:
        server.publish_project(project)
        yield server


def test_a_served_flow_and_the_status_callback_come_from_the_flow_server(flow_server):
    url, status = served_urls(plan(flow="main", status_to_server=True), flow_server)
    assert url == flow_server.flow_urls()["main"] and url.startswith("http://127.0.0.1:")
    assert status == flow_server.base_url + "/status"
    with pytest.raises(PlanError, match="the project has no flow named 'gone' any more"):
        served_urls(plan(flow="gone"), flow_server)


def test_a_custom_url_and_status_url_are_taken_as_they_are():
    assert served_urls(plan(), None) == (URL, None)
    mine = "https://example.com/status"
    assert served_urls(plan(status_url=mine), None) == (URL, mine)


# -- the DID the call comes from -------------------------------------------------------------


def test_did_numbers_keeps_the_order_and_skips_items_without_one():
    answer = [{"phonenumber": "15162060100"}, {"name": "x"}, {"phonenumber": ""}]
    answer += [{"phonenumber": 15162060101}, {"phonenumber": True}, "odd"]
    assert did_numbers(answer) == ["15162060100", "15162060101"]


def test_without_a_chosen_did_the_endpoints_first_calls():
    with Sandbox(credentials=CREDENTIALS, dids=DIDS) as sandbox:
        login, password = CREDENTIALS.login, CREDENTIALS.password

        async def first():
            async with FlexmlClient(sandbox.api_url, login, password) as client:
                return await calling_did(plan(), client)

        assert run(first()) == (DIDS[0], list(DIDS))


def test_a_chosen_did_asks_nothing():
    with ScriptedServer(always(Reply(500, "never asked"))) as server:

        async def chosen():
            async with FlexmlClient(server.url, "me", "pw") as client:
                return await calling_did(plan(calling_did="15162069999"), client)

        assert run(chosen()) == ("15162069999", [])
    assert server.requests == []


def test_an_endpoint_without_dids_is_refused_with_the_callers_hint():
    with ScriptedServer(always(Reply(200, page_of([], 0, 1000, 0, False)))) as server:

        async def none():
            async with FlexmlClient(server.url, "me", "pw") as client:
                return await calling_did(plan(), client, ", or give one with --from")

        with pytest.raises(NoDidsError) as refused:
            run(none())
    assert str(refused.value) == NO_DIDS + ", or give one with --from"
    assert "has no DIDs to call from" in str(refused.value)
    assert [r.method for r in server.requests] == ["GET"]


# -- the request -----------------------------------------------------------------------------


def test_the_request_carries_the_plan_and_leaves_out_what_is_unset():
    full = plan(method="GET", delay=600, timeout=25, attributes={"dtmf": "1#"})
    request = call_request(full, "15162065318", DIDS[1], URL, "https://example.com/status")
    assert request.to_json() == {
        "calling_did": DIDS[1],
        "called_did": "15162065318",
        "url": URL,
        "method": "GET",
        "delay": 600,
        "timeout": 25,
        "status_callback_url": "https://example.com/status",
        "attributes": {"dtmf": "1#"},
    }
    bare = call_request(plan(), "15162065318", DIDS[0], URL, None).to_json()
    assert bare == {"calling_did": DIDS[0], "called_did": "15162065318", "url": URL}
