"""The rules of placing a call (gui.core.calling), shared by the dial pad and `flexml-studio
call`: the plan's checks, the DID it comes from (against a real sandbox and a scripted
server on loopback), the request, the URLs a flow server gives, and the warnings."""

from __future__ import annotations

import asyncio
import re

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
    number_note,
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


# -- numbers in the sandbox --------------------------------------------------------------------

FICTIONAL_NOTE = "555-0100 to 555-0199 are fictional numbers: the sandbox calls it anyway"
ANYWAY = "the sandbox calls it anyway"
RANGE_NOTE = f"not a number in any known range: {ANYWAY}"
NO_COUNTRY = "the country code is not valid (after + comes the country code, such as +1 or +44)"
TOO_LONG = "too long for a number with country code +1 (23456789012345)"


@pytest.mark.parametrize(
    ("typed", "region", "digits", "note"),
    [
        # Real numbers: the same digits as the strict check, and nothing to say.
        ("+1 516 206 5318", "US", "15162065318", None),
        ("020 7946 0958", "GB", "442079460958", None),
        ("1-800-FLOWERS", "US", "18003569377", None),
        # The fictional 555-01XX numbers: with an area code, without, or in area code 555.
        ("(516) 555-0123", "US", "15165550123", FICTIONAL_NOTE),
        ("555-0100", "US", "5550100", FICTIONAL_NOTE),
        ("555-0199", "CA", "5550199", FICTIONAL_NOTE),
        ("+1 555 555 0100", "US", "15555550100", FICTIONAL_NOTE),
        ("555-0100", "GB", "445550100", RANGE_NOTE),  # fictional only in +1 regions
        ("+1 555 123 4567", "US", "15551234567", RANGE_NOTE),
        # What a real network refuses, the sandbox calls as dialled.
        ("911", "US", "911", f"too short for a number with country code +1 (911); {ANYWAY}"),
        ("7", "US", "7", f"too short to be a phone number; {ANYWAY}"),
        ("555-1234", "US", "5551234", f"this is a local number: add the area code; {ANYWAY}"),
        ("+999 1234", "US", "9991234", f"{NO_COUNTRY}; {ANYWAY}"),
        ("123456789012345", "US", "123456789012345", f"{TOO_LONG}; {ANYWAY}"),  # 15 digits
    ],
)
def test_the_sandbox_calls_any_number_a_person_would_type(typed, region, digits, note):
    assert check(plan(to=typed, region=region), sandbox=True) == digits
    assert number_note(typed, region) == note


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "no number was given"),
        ("hello", "not a phone number (letters alone"),
        ("---", "it has no digits"),
        ("516-206-5318 ext 12", "extension"),
        ("516;206;5318", "cannot contain ';'"),
        ("1+5162065318", "+ can only come first"),
        ("1234567890123456", "too long to be a phone number (16 digits; 15 at most)"),
    ],
)
def test_the_sandbox_still_refuses_what_is_no_number_at_all(typed, words):
    with pytest.raises(PlanError, match="^" + re.escape(f"{typed or 'No number'}: ")) as refused:
        check(plan(to=typed), sandbox=True)
    assert words in str(refused.value)
    assert number_note(typed, "US") is None


@pytest.mark.parametrize("typed", ["911", "555-0100", "+1 555 555 0100", "12"])
def test_a_real_endpoint_keeps_the_strict_check(typed):
    with pytest.raises(PlanError):
        check(plan(to=typed))


def test_a_real_endpoint_is_told_a_555_number_is_fictional_and_nothing_more():
    assert check(plan(to="(516) 555-0123")) == "15165550123"  # valid in the plan, so taken
    assert number_note("(516) 555-0123", "US", sandbox=False) == (
        "555-0100 to 555-0199 are fictional numbers: no phone answers them"
    )
    assert number_note("+1 516 206 5318", "US", sandbox=False) is None
    assert number_note("911", "US", sandbox=False) is None  # refused: check says why


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
