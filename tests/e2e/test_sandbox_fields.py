"""What the sandbox sends is what CarrierX sends, and what it answers is what CarrierX answers.

Requests: a sandbox call runs against a small aiohttp application on 127.0.0.1 that records
every request it gets, and each request is checked field by field against CarrierX's
Requests page (FLEXML.md §3 and §7; cx_facts §10): the first request, a Gather's action, a
Redirect, the status callback, in their POST (JSON body) and GET (query string) forms.

Objects: the sandbox's Call, DID and endpoint objects have exactly the keys of CarrierX's
documented samples (cx_facts §11).

The call log: a sandbox call placed with the real client, its status callback received by
the real flow server, ends the call log's entry although the callback's CallSid is written
as 32 hex digits and the log has the API's dashed call_sid.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from gui.core.call_status import CallStatusTracker
from gui.core.calllog import CallLog
from gui.core.carrierx import CallRequest, CoreClient, FlexmlClient
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.core.server import FlowServer
from tests.e2e.test_runtime_limits import LoopThread

TIME_LIMIT = 10.0
CREDENTIALS = Credentials("sandbox_fields", "pa55-word-fields", "core-token-fields")
DIDS = ("15555550100", "15555550101")
CALLED = "15551230000"

# The fields of every request: the Requests page's, as its sample body has them (Storage_
# fields aside: they come only after a Store), plus EndpointSid, which CarrierX sends
# without documenting it (FLEXML.md §3, [seen]).
REQUEST_FIELDS = {
    "AccountSid",
    "ApiVersion",
    "CallSid",
    "CallerName",
    "CallStatus",
    "Direction",
    "ForwardedFrom",
    "From",
    "OriginalFrom",
    "OriginalTo",
    "RequestUrl",
    "To",
    "EndpointSid",
}


def xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{body}</Response>'


# A Gather whose action Redirects (GET, with a query string of its own) to a goodbye.
FLOWS = {
    "/start": xml(
        '<Gather action="/after-gather" numDigits="3" finishOnKey="#"><Say>Code?</Say></Gather>'
    ),
    "/after-gather": xml('<Redirect method="GET">/goodbye?from=gather</Redirect>'),
    "/goodbye": xml('<Say>Bye</Say><Pause length="2"/><Hangup/>'),
    "/status": "",
}


class Recorder:
    """An aiohttp app that answers FLOWS and records each request: (method, path, fields),
    the fields from the JSON body of a POST or the query string of a GET."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if request.method == "POST":
            assert request.content_type == "application/json"
            assert not request.query
            fields = json.loads(raw)
        else:
            assert not raw
            fields = dict(request.query)
        self.seen.append((request.method, request.path, fields))
        text = FLOWS.get(request.path)
        if text is None:
            return web.Response(status=404, text="no such page")
        return web.Response(text=text, content_type="application/xml")

    async def start(self) -> str:
        self.runner = web.AppRunner(self.app, shutdown_timeout=0.1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, str]]:
    with LoopThread() as loop:
        app = Recorder()
        base = loop.run(app.start())
        try:
            yield app, base
        finally:
            loop.run(app.stop())


@pytest.fixture
def sandbox_options() -> dict:
    return {"credentials": CREDENTIALS, "dids": DIDS}


def wait_for(predicate, timeout: float = TIME_LIMIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def run_call(sandbox: Sandbox, api: httpx.Client, **body) -> dict:
    """Place a call, wait for its end; the Call object POST /calls answered."""
    call = api.post("/calls", json={"calling_did": DIDS[0], "called_did": CALLED, **body})
    assert call.status_code == 200, call.text
    sid = call.json()["call_sid"]
    wait_for(lambda: sandbox.call_status(sid) not in ("scheduled", "in-progress"))
    return call.json()


# -- the requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_every_request_carries_carrierx_fields(sandbox, api, recorder, method):
    app, base = recorder
    call = run_call(
        sandbox,
        api,
        url=f"{base}/start",
        method=method,
        status_callback_url=f"{base}/status",
        status_callback_method=method,
        attributes={"dtmf": "42#"},
    )
    assert sandbox.call_status(call["call_sid"]) == "completed"
    assert [(m, p) for m, p, _ in app.seen] == [
        (method, "/start"),
        ("POST", "/after-gather"),  # a Gather's action is POST unless it says otherwise
        ("GET", "/goodbye"),
        (method, "/status"),
    ]
    first, action, redirect, status = (fields for _, _, fields in app.seen)

    # The first request, field by field.
    assert set(first) == REQUEST_FIELDS
    assert first["AccountSid"] == ""  # "currently always blank"
    assert first["ApiVersion"] == "2.0"
    assert first["CallerName"] == ""
    # 32 lowercase hex digits: the Call object's dashed call_sid without its dashes.
    assert first["CallSid"] == call["call_sid"].replace("-", "")
    assert len(first["CallSid"]) == 32 and first["CallSid"] == first["CallSid"].lower()
    assert uuid.UUID(first["CallSid"]) == uuid.UUID(call["call_sid"])
    assert first["CallStatus"] == "completed"  # mid-call: the documented sample's value
    assert first["Direction"] == "outbound"
    assert first["ForwardedFrom"] == ""  # no Diversion header in a simulated call
    assert (first["From"], first["To"]) == (DIDS[0], CALLED)  # digits, no +
    assert (first["OriginalFrom"], first["OriginalTo"]) == (call["calling_did"], CALLED)
    assert first["RequestUrl"] == f"{base}/start"
    assert first["EndpointSid"] == sandbox.endpoint_sid

    # The Gather's action: the same fields, its results, and the Gather's document as
    # RequestUrl (the FlexML that was running), not the action's own URL.
    assert set(action) == REQUEST_FIELDS | {"Digits", "FinishKey"}
    assert (action["Digits"], action["FinishKey"]) == ("42", "#")
    assert action == {**first, "Digits": "42", "FinishKey": "#"}

    # The Redirect (GET, its own query string kept): RequestUrl is the action's document.
    assert set(redirect) == REQUEST_FIELDS | {"from"}
    assert redirect == {**first, "RequestUrl": f"{base}/after-gather", "from": "gather"}

    # The status callback: the same fields, the final CallStatus, and CallDuration.
    assert set(status) == REQUEST_FIELDS | {"CallDuration"}
    assert status["CallStatus"] == "completed"
    # Whole seconds since the call was answered, as a string: the call's own length.
    ended = sandbox.call(call["call_sid"])["sandbox"]["transcript"][-1]
    assert ended["event"] == "ended" and ended["duration"] >= 2  # the Pause at least
    assert status == {
        **first,
        "RequestUrl": f"{base}/goodbye?from=gather",
        "CallDuration": str(ended["duration"]),
    }


def test_requests_of_two_calls_differ_only_in_their_sid(sandbox, api, recorder):
    app, base = recorder
    one = run_call(sandbox, api, url=f"{base}/goodbye")
    two = run_call(sandbox, api, url=f"{base}/goodbye")
    (_, _, first), (_, _, second) = app.seen
    assert first["CallSid"] == one["call_sid"].replace("-", "")
    assert second["CallSid"] == two["call_sid"].replace("-", "")
    assert {**first, "CallSid": ""} == {**second, "CallSid": ""}


def test_original_to_is_the_number_as_the_call_request_wrote_it(sandbox, api, recorder):
    """OriginalTo is "the dialed number in its raw form" [doc]: a called_did written with a
    + keeps it there, while To, and the Call object's called_did, are digits."""
    app, base = recorder
    call = run_call(sandbox, api, url=f"{base}/goodbye", called_did=f"+{CALLED}")
    (_, _, fields) = app.seen[0]
    assert (fields["OriginalTo"], fields["To"]) == (f"+{CALLED}", CALLED)
    assert call["called_did"] == CALLED
    assert (fields["OriginalFrom"], fields["From"]) == (DIDS[0], DIDS[0])


# -- the objects -----------------------------------------------------------------------------

# The key sets of CarrierX's documented samples, copied from the pages in the comments.
DOCUMENTED = {
    # https://docs.carrierx.com/flexml/flexml-api/calls/call/create (the answer's sample),
    # plus `timeout`, in the Call object's table (https://docs.carrierx.com/flexml/
    # flexml-api/calls/call) though not in the sample.
    "call": {
        "account_sid",
        "attributes",
        "call_sid",
        "called_did",
        "calling_did",
        "date_created",
        "delay",
        "method",
        "status_callback_method",
        "status_callback_url",
        "url",
        "timeout",
    },
    # https://docs.carrierx.com/flexml/flexml-api/dids/did (the sample, in its order)
    "did": [
        "account_sid",
        "country_code",
        "did_sid",
        "in_country_format",
        "international_format",
        "method",
        "phonenumber",
        "status_callback_method",
        "status_callback_url",
        "url",
    ],
    # https://docs.carrierx.com/voice/core-api/endpoints/endpoint (the fields table;
    # `partner` is shown only with with_related=true)
    "endpoint": [
        "addresses",
        "attributes",
        "capacity",
        "cps_limit",
        "endpoint_sid",
        "name",
        "out_sip_password",
        "out_sip_username",
        "partner_sid",
        "properties",
        "transformations",
        "type",
        "voip_token",
    ],
}


def _objects(sandbox: Sandbox, api: httpx.Client) -> dict[str, list[dict]]:
    """Every object the sandbox answers, by kind."""
    made = api.post(
        "/calls",
        json={"calling_did": DIDS[0], "called_did": CALLED, "url": "http://127.0.0.1:9/x"},
    ).json()
    scheduled = api.post(
        "/calls", json={"calling_did": DIDS[1], "called_did": CALLED, "delay": 600}
    ).json()
    wait_for(lambda: sandbox.call_status(made["call_sid"]) == "failed")
    got = [api.get(f"/calls/{sid}").json() for sid in (made["call_sid"], scheduled["call_sid"])]
    listed = api.get("/calls").json()["items"]
    sid = api.get("/dids").json()["items"][0]["did_sid"]
    patched = api.patch(f"/dids/{sid}", json={"url": "http://127.0.0.1:9/did"}).json()
    headers = {"Authorization": f"Bearer {CREDENTIALS.core_token}"}
    endpoints = httpx.get(
        f"{sandbox.core_url}/endpoints", headers=headers, trust_env=False, timeout=10
    ).json()["items"]
    return {
        "call": [made, scheduled, *got, *listed],
        "did": [*api.get("/dids").json()["items"], patched],
        "endpoint": endpoints,
    }


@pytest.mark.parametrize("kind", ["call", "did", "endpoint"])
def test_objects_have_exactly_the_documented_keys(sandbox, api, kind):
    objects = _objects(sandbox, api)[kind]
    assert objects
    documented = DOCUMENTED[kind]
    for item in objects:
        if isinstance(documented, list):  # the sample's order too
            assert list(item) == documented
        else:
            assert set(item) == documented


def test_the_objects_values_are_the_sandboxs_own(sandbox, api):
    objects = _objects(sandbox, api)
    made, scheduled = objects["call"][:2]
    assert made["url"] == "http://127.0.0.1:9/x" and scheduled["url"] is None
    assert {c["account_sid"] for c in objects["call"]} == {sandbox.account_sid}
    assert {d["account_sid"] for d in objects["did"]} == {sandbox.account_sid}
    (endpoint,) = objects["endpoint"]
    assert endpoint["endpoint_sid"] == sandbox.endpoint_sid and endpoint["type"] == "flexml"
    assert endpoint["properties"] == {
        "login": CREDENTIALS.login,
        "password": CREDENTIALS.password,
        "api_url": sandbox.api_url,
    }
    empty = {k: endpoint[k] for k in ("addresses", "transformations", "attributes")}
    assert empty == {"addresses": [], "transformations": [], "attributes": {}}
    assert (endpoint["capacity"], endpoint["cps_limit"]) == (0, 0)
    assert endpoint["voip_token"] is None and endpoint["partner_sid"] is None


def test_the_sandboxs_own_view_of_a_call_is_apart_from_the_call_object(sandbox, api, recorder):
    _, base = recorder
    call = run_call(sandbox, api, url=f"{base}/goodbye")
    answer = api.get(f"/calls/{call['call_sid']}")
    assert answer.json() == call
    assert answer.headers["X-Sandbox-Call-Status"] == "completed"
    for sid in (call["call_sid"], call["call_sid"].replace("-", "")):  # either form
        own = api.get(f"{sandbox.url}/sandbox/calls/{sid}")
        assert own.status_code == 200
        body = own.json()
        assert set(body) == {"call_sid", "status", "transcript"}
        assert (body["call_sid"], body["status"]) == (call["call_sid"], "completed")
        assert body["transcript"][0]["event"] == "started"
        assert body["transcript"][-1]["event"] == "ended"


# -- the call log hears of the end -----------------------------------------------------------


@pytest.fixture
def project_file() -> str:
    return "press_one.flexproj"


def test_a_hex_callsid_status_callback_ends_the_logged_call(
    sandbox: Sandbox, flow_server: FlowServer, tmp_path: Path
):
    async def place() -> dict:
        async with FlexmlClient(sandbox.api_url, CREDENTIALS.login, CREDENTIALS.password) as api:
            request = CallRequest(
                calling_did=DIDS[0],
                called_did=CALLED,
                url=flow_server.flow_urls()["main"],
                status_callback_url=f"{flow_server.url}/status",
                attributes={"dtmf": "1"},
            )
            return await api.create_call(request)

    with CallLog(tmp_path / "calls.sqlite") as log:
        call = asyncio.run(asyncio.wait_for(place(), TIME_LIMIT))
        entry = log.add(
            "sandbox",
            call["calling_did"],
            call["called_did"],
            call["url"],
            call["method"],
            call_sid=call["call_sid"],
            outcome="placed",
            details={"call_sid": call["call_sid"], "timeout": call["timeout"]},
        )
        tracker = CallStatusTracker(log)
        records = wait_for(lambda: [r for r in flow_server.records() if r.path == "/status"])
        (status,) = records
        assert status.call_sid == call["call_sid"].replace("-", "")  # not the log's form
        # A mid-call request says "completed" too: only the status callback ends the call.
        assert flow_server.records()[0].params["CallStatus"] == "completed"
        ended = tracker.status_callback(status.params)
        assert ended is not None and ended.id == entry.id
        assert log.get(entry.id).outcome == "completed"
        assert log.get(entry.id).final_status["source"] == "status callback"


def test_a_core_client_sees_the_sandbox_endpoint_whole(sandbox):
    async def listed():
        async with CoreClient(sandbox.core_url, token=CREDENTIALS.core_token) as core:
            return await core.list_flexml_endpoints()

    (endpoint,) = asyncio.run(asyncio.wait_for(listed(), TIME_LIMIT))
    assert (endpoint.login, endpoint.api_url) == (CREDENTIALS.login, sandbox.api_url)
