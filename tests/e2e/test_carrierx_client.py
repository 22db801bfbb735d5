"""The CarrierX clients over real loopback HTTP: against the sandbox, and against small
purpose-built servers that answer the way things go wrong (error statuses, HTML, silence,
dropped connections, lists that never end).

Every failure must be the right typed error with a message a person can act on, and the
password must appear in no message and in no log record.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import time

import httpx
import pytest

from gui.core.carrierx import (
    FLEXML_API_URL,
    ApiError,
    AuthError,
    BadAnswerError,
    BadRequestError,
    CallRequest,
    CarrierXError,
    ConflictError,
    ConnectionRefused,
    CoreClient,
    FlexmlClient,
    FlexmlEndpoint,
    ForbiddenError,
    NameLookupError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    RequestTimeout,
    ServerError,
    TlsError,
    UnsupportedMediaError,
    ValidationError,
    redact,
)
from gui.core.runtime.sandbox import Credentials, Sandbox
from tests.servers import DROP, HANG, Handler, Reply, Request, ScriptedServer, always

LOGIN = "endpoint_login"
PASSWORD = "s3cr3t-PASS-xyz"
TOKEN = "core-T0KEN-abc123"
BASIC = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, BASIC, TOKEN)
TIME_LIMIT = 10.0


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, TIME_LIMIT))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked into: {text!r}"


def flexml(server: ScriptedServer, **kwargs) -> FlexmlClient:
    return FlexmlClient(server.url, LOGIN, PASSWORD, **kwargs)


async def failure(client: FlexmlClient | CoreClient, call) -> CarrierXError:
    async with client:
        with pytest.raises(CarrierXError) as caught:
            await call(client)
    return caught.value


def outcome(handler: Handler, call, caplog, **kwargs) -> tuple[CarrierXError, ScriptedServer]:
    """The error a FlexmlClient call meets against `handler`, checked for secrets both in
    its message and in every log record."""
    caplog.set_level(logging.DEBUG)
    with ScriptedServer(handler) as server:
        error = run(failure(flexml(server, **kwargs), call))
    assert str(error) == error.message
    assert_no_secret(error.message, repr(error), caplog.text)
    for record in caplog.records:
        assert_no_secret(record.getMessage(), repr(record.args))
    return error, server


def list_dids(client):
    return client.list_dids()


def create(client):
    return client.create_call(CallRequest("15555550100", "15162065318", url="https://x.test/"))


# -- against the sandbox -----------------------------------------------------------------

SANDBOX_CREDENTIALS = Credentials("sandbox_login", PASSWORD, TOKEN)
FLOW_URL = "http://127.0.0.1:9/flows/main"  # never fetched: the calls stay scheduled


def test_a_scheduled_call_is_created_got_listed_and_cancelled(caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario(sandbox: Sandbox):
        async with FlexmlClient(sandbox.api_url, LOGIN, PASSWORD) as client:
            request = CallRequest(
                calling_did=sandbox.dids[1],
                called_did="15162065318",
                url=FLOW_URL,
                method="GET",
                delay=600,
                timeout=20,
                status_callback_url="http://127.0.0.1:9/status",
                attributes={"dtmf": "1#", "campaign": "spring"},
            )
            call = await client.create_call(request)
            got = await client.get_call(call["call_sid"])
            listed = await client.list_calls()
            await client.cancel_call(call["call_sid"])
            listed_after = await client.list_calls()
            with pytest.raises(NotFoundError) as gone:
                await client.get_call(call["call_sid"])
            return call, got, listed, listed_after, gone.value

    credentials = Credentials(LOGIN, PASSWORD, TOKEN)
    with Sandbox(credentials=credentials) as sandbox:
        call, got, listed, listed_after, gone = run(scenario(sandbox))
    assert call["calling_did"] == sandbox.dids[1]
    assert (call["called_did"], call["url"], call["method"]) == ("15162065318", FLOW_URL, "GET")
    assert (call["delay"], call["timeout"]) == (600, 20)
    assert call["attributes"] == {"dtmf": "1#", "campaign": "spring"}
    assert call["call_sid"] and call["date_created"]
    assert got == call  # the Call object, nothing of the sandbox's own in it
    assert [c["call_sid"] for c in listed] == [call["call_sid"]]
    assert listed_after == []
    assert gone.status == 404 and "calls can expire" in gone.message
    assert call["call_sid"] in gone.message
    logged = [r.getMessage() for r in caplog.records if r.name == "gui.core.carrierx"]
    assert any(m.startswith("POST /calls -> 200 in ") for m in logged), logged
    assert any(m.startswith(f"DELETE /calls/{call['call_sid']} -> 204") for m in logged)
    assert_no_secret(caplog.text)


def test_dids_are_listed_across_pages(caplog):
    caplog.set_level(logging.DEBUG, logger="gui.core.carrierx")
    dids = [f"1516206{n:04d}" for n in range(25)]

    async def scenario(sandbox: Sandbox):
        async with FlexmlClient(sandbox.api_url, LOGIN, PASSWORD, page_size=10) as client:
            paged = await client.list_dids()
        async with FlexmlClient(sandbox.api_url, LOGIN, PASSWORD) as client:
            whole = await client.list_dids()
        return paged, whole

    with Sandbox(credentials=Credentials(LOGIN, PASSWORD, TOKEN), dids=dids) as sandbox:
        paged, whole = run(scenario(sandbox))
    assert [d["phonenumber"] for d in paged] == dids
    assert paged == whole
    requests = [r.getMessage() for r in caplog.records if "GET /dids" in r.getMessage()]
    assert len(requests) == 3 + 1  # 10 + 10 + 5, then all 25 on one page of 1000


def test_core_api_lists_flexml_endpoints_with_their_credentials():
    async def scenario(sandbox: Sandbox):
        async with CoreClient(sandbox.core_url, token=TOKEN) as core:
            endpoints = await core.list_flexml_endpoints()
        (endpoint,) = endpoints
        async with FlexmlClient(endpoint.api_url, endpoint.login, endpoint.password) as client:
            return endpoint, await client.list_dids()

    with Sandbox(credentials=SANDBOX_CREDENTIALS) as sandbox:
        endpoint, dids = run(scenario(sandbox))
    assert endpoint == FlexmlEndpoint(  # from the documented Endpoint object the sandbox lists
        endpoint_sid=sandbox.endpoint_sid,
        name="FlexML Studio sandbox",
        login="sandbox_login",
        password=PASSWORD,
        api_url=sandbox.api_url,
    )
    assert PASSWORD not in repr(endpoint)
    assert [d["phonenumber"] for d in dids] == list(sandbox.dids)


def test_a_call_without_url_is_created_and_runs_on_its_dids_url():
    # POST /calls with only calling_did and called_did answers 200 with "url": null [doc];
    # the DID's url is used. The DID's url here is never fetched: the call is scheduled.
    async def scenario(sandbox: Sandbox):
        async with FlexmlClient(sandbox.api_url, LOGIN, PASSWORD) as client:
            call = await client.create_call(CallRequest(sandbox.dids[0], "15162065318", delay=600))
            dids = await client.list_dids()
            await client.cancel_call(call["call_sid"])
        return call, dids

    credentials = Credentials(LOGIN, PASSWORD, TOKEN)
    with Sandbox(credentials=credentials, did_url=FLOW_URL) as sandbox:
        call, dids = run(scenario(sandbox))
    assert call["url"] is None and call["method"] == "POST" and call["call_sid"]
    assert {d["url"] for d in dids} == {FLOW_URL}
    assert all(d["account_sid"] == sandbox.account_sid for d in dids)


def test_the_client_reads_carrierx_documented_objects_whole():
    # The documented samples, with every documented field (cx_facts §11): nothing in them
    # trips the client, and `url: null` is a Call object like any other.
    call = {
        "account_sid": "1d4adc32-45d1-4789-9780-928049e2bce1",
        "attributes": {},
        "call_sid": "2f367eb5-adc6-4413-b603-533e2a8f0804",
        "called_did": "15162065318",
        "calling_did": "15162065319",
        "date_created": "2018-10-16T20:59:18.094Z",
        "delay": 0,
        "method": "POST",
        "status_callback_method": "POST",
        "status_callback_url": None,
        "url": None,
    }
    endpoint = {
        "addresses": [{"direction": "any", "ip": "192.0.2.1", "port": 5060}],
        "attributes": {},
        "capacity": 0,
        "cps_limit": None,
        "endpoint_sid": "e-1",
        "name": "Main",
        "out_sip_password": None,
        "out_sip_username": None,
        "partner": {"partner_sid": "p-1"},
        "partner_sid": "p-1",
        "properties": {"login": "l", "password": "p", "api_url": "https://eu.example/v1"},
        "transformations": [],
        "type": "flexml",
        "voip_token": None,
    }

    def handler(request: Request) -> Reply:
        if request.path.endswith("/calls"):
            return Reply(200, call)
        return Reply(200, page_of([endpoint], 0, 1000, 1, False))

    with ScriptedServer(handler) as server:

        async def scenario():
            async with FlexmlClient(server.url, LOGIN, PASSWORD) as client:
                made = await client.create_call(CallRequest("15162065319", "15162065318"))
            url = f"http://127.0.0.1:{server.port}/core/v2"
            async with CoreClient(url, token=TOKEN) as core:
                return made, await core.list_flexml_endpoints()

        made, endpoints = run(scenario())
    assert made == call
    assert endpoints == [FlexmlEndpoint("e-1", "Main", "l", "p", "https://eu.example/v1")]
    # What the client sent is documented: the required DIDs only (no url: the DID's).
    assert json.loads(server.requests[0].body) == {
        "calling_did": "15162065319",
        "called_did": "15162065318",
    }


def test_a_wrong_password_or_token_is_an_auth_error(caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario(sandbox: Sandbox):
        async with FlexmlClient(sandbox.api_url, "sandbox_login", "wrong-" + PASSWORD) as bad:
            with pytest.raises(AuthError) as flexml_error:
                await bad.list_dids()
        async with CoreClient(sandbox.core_url, token="wrong-" + TOKEN) as bad_core:
            with pytest.raises(AuthError) as core_error:
                await bad_core.list_flexml_endpoints()
        return flexml_error.value, core_error.value

    with Sandbox(credentials=SANDBOX_CREDENTIALS) as sandbox:
        flexml_error, core_error = run(scenario(sandbox))
    assert flexml_error.status == 401
    assert "login and password were refused" in flexml_error.message
    assert "FlexML endpoint" in flexml_error.message  # where to find the right ones
    assert "token was refused" in core_error.message
    assert_no_secret(flexml_error.message, core_error.message, caplog.text)


def test_sandbox_validation_errors_name_each_field():
    async def scenario(sandbox: Sandbox):
        async with FlexmlClient(sandbox.api_url, "sandbox_login", PASSWORD) as client:
            with pytest.raises(ValidationError) as caught:
                await client.create_call(CallRequest("15555559999", "15162065318", url="not a url"))
        return caught.value

    with Sandbox(credentials=SANDBOX_CREDENTIALS) as sandbox:
        error = run(scenario(sandbox))
    assert error.status == 422
    assert [name for name, _ in error.fields] == ["calling_did", "url"]
    assert "calling_did: 15555559999 is not a DID of this endpoint" in error.message
    assert "url: url must be an absolute http:// or https:// URL" in error.message


# -- error answers -----------------------------------------------------------------------


def errors_body(*pairs: tuple[str | None, str]) -> dict:
    return {"errors": [{"message": m, **({"field": f} if f else {})} for f, m in pairs]}


def test_401_says_the_credentials_were_refused_and_where_to_find_them(caplog):
    echo = Reply(401, errors_body((None, f"bad credentials: Basic {BASIC} / {PASSWORD}")))
    error, server = outcome(always(echo), list_dids, caplog)
    assert type(error) is AuthError and error.status == 401 and error.kind == "auth"
    assert "the FlexML API login and password were refused (401 Unauthorized" in error.message
    assert "GET /dids" in error.message
    assert "FlexML endpoint" in error.message and "GET /endpoints" in error.message
    # The server did get the credentials: only our side keeps them quiet.
    assert server.requests[0].headers["authorization"] == f"Basic {BASIC}"
    assert server.requests[0].headers["accept"] == "application/json"
    assert server.requests[0].headers["user-agent"].startswith("flexml-studio/")


def test_403_is_forbidden(caplog):
    reply = Reply(403, errors_body((None, "this DID belongs to another endpoint")))
    error, _ = outcome(always(reply), create, caplog)
    assert type(error) is ForbiddenError and error.status == 403
    assert "forbids POST /calls" in error.message
    assert "this DID belongs to another endpoint" in error.message


def test_404_for_a_call_says_calls_can_expire(caplog):
    reply = Reply(404, errors_body((None, "Not Found")))
    error, _ = outcome(always(reply), lambda c: c.get_call("ab-12"), caplog)
    assert type(error) is NotFoundError and error.status == 404
    assert "no call ab-12" in error.message and "calls can expire" in error.message


def test_404_elsewhere_says_to_check_the_api_url(caplog):
    error, _ = outcome(always(Reply(404, "")), list_dids, caplog)
    assert type(error) is NotFoundError
    assert "nothing at /dids" in error.message and "check the API URL" in error.message


def test_400_409_and_other_statuses(caplog):
    error, _ = outcome(always(Reply(400, errors_body((None, "bad JSON")))), create, caplog)
    assert type(error) is BadRequestError and "bad JSON" in error.message
    reply = Reply(409, errors_body((None, "the call is in-progress")))
    error, _ = outcome(always(reply), lambda c: c.cancel_call("sid-1"), caplog)
    assert type(error) is ConflictError and "the call is in-progress" in error.message
    error, _ = outcome(always(Reply(418, "I'm a teapot")), list_dids, caplog)
    assert type(error) is ApiError and error.status == 418
    assert "CarrierX answered 418" in error.message and "I'm a teapot" in error.message


def test_415_is_reported_as_a_client_bug(caplog):
    reply = Reply(415, errors_body((None, "Content-Type must be application/json")))
    error, server = outcome(always(reply), create, caplog)
    assert type(error) is UnsupportedMediaError and error.status == 415
    assert "Content-Type: application/json" in error.message and "bug" in error.message
    # ... which our request did carry, with the body as JSON:
    (request,) = server.requests
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {
        "calling_did": "15555550100",
        "called_did": "15162065318",
        "url": "https://x.test/",
    }


def test_422_names_every_field_and_carrierx_message(caplog):
    reply = Reply(
        422,
        errors_body(
            ("called_did", "the number is not valid"),
            ("delay", "must be 0 or more"),
            (None, "one more thing"),
        ),
    )
    error, _ = outcome(always(reply), create, caplog)
    assert type(error) is ValidationError and error.status == 422
    assert error.fields == [
        ("called_did", "the number is not valid"),
        ("delay", "must be 0 or more"),
        (None, "one more thing"),
    ]
    assert "called_did: the number is not valid" in error.message
    assert "delay: must be 0 or more" in error.message
    assert "one more thing" in error.message


def test_429_carries_retry_after(caplog):
    reply = Reply(429, errors_body((None, "slow down")), {"Retry-After": "7"})
    error, server = outcome(always(reply), create, caplog)
    assert type(error) is RateLimitError and error.retry_after == 7.0
    assert "wait 7 seconds" in error.message
    assert len(server.requests) == 1  # not retried, even when asked to wait
    error, _ = outcome(always(Reply(429, "")), list_dids, caplog)
    assert type(error) is RateLimitError and error.retry_after is None
    assert "wait a little" in error.message


def test_500_is_a_server_error(caplog):
    error, _ = outcome(always(Reply(500, errors_body((None, "boom")))), list_dids, caplog)
    assert type(error) is ServerError and error.status == 500
    assert "CarrierX's side" in error.message and "boom" in error.message


def test_502_with_an_html_page_shows_a_short_redacted_text(caplog):
    page = (
        "<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>"
        f"<body><h1>Bad Gateway</h1><p>upstream said {PASSWORD} and Basic {BASIC}</p>"
        + "<p>padding</p>" * 200
        + "</body></html>"
    )
    reply = Reply(502, page, {"Content-Type": "text/html"})
    error, _ = outcome(always(reply), list_dids, caplog)
    assert type(error) is ServerError and error.status == 502
    assert "502 Bad Gateway" in error.message
    assert "not CarrierX's JSON (text/html)" in error.message
    assert "upstream said *** and Basic ***" in error.message
    assert "<" not in error.message.split("text/html")[1]  # tags dropped
    assert "color:red" not in error.message
    assert len(error.message) < 600


def test_error_with_an_empty_body(caplog):
    error, _ = outcome(always(Reply(503, "")), list_dids, caplog)
    assert type(error) is ServerError and "the answer had no body" in error.message


# -- answers that are not the API's ------------------------------------------------------


def test_a_200_that_is_not_json(caplog):
    portal = "<html><body>Please sign in to the hotel Wi-Fi</body></html>"
    reply = Reply(200, portal, {"Content-Type": "text/html"})
    error, _ = outcome(always(reply), create, caplog)
    assert type(error) is BadAnswerError and error.status == 200
    assert "not JSON" in error.message and "hotel Wi-Fi" in error.message
    assert "captive portal" in error.message


def test_a_json_list_where_an_object_is_expected(caplog):
    error, _ = outcome(always(Reply(200, [1, 2, 3])), create, caplog)
    assert type(error) is BadAnswerError
    assert "a JSON list where a JSON object was expected" in error.message


def test_a_call_answer_without_call_sid(caplog):
    error, _ = outcome(always(Reply(200, {"hello": "world"})), create, caplog)
    assert type(error) is BadAnswerError and "call_sid" in error.message


def test_a_list_answer_without_items(caplog):
    error, _ = outcome(always(Reply(200, {"count": 0})), list_dids, caplog)
    assert type(error) is BadAnswerError and "no items array" in error.message


def test_a_redirect_is_no_api_answer(caplog):
    reply = Reply(302, "", {"Location": "https://portal.example/login"})
    error, server = outcome(always(reply), create, caplog)
    assert type(error) is BadAnswerError and error.status == 302
    assert "https://portal.example/login" in error.message
    assert len(server.requests) == 1  # not followed


# -- pagination that does not move on ----------------------------------------------------


def page_of(items, offset, limit, total, has_more, next_offset=None):
    pagination = {} if next_offset is None else {"next": f"http://x/dids?offset={next_offset}"}
    return {
        "count": len(items),
        "has_more": has_more,
        "items": items,
        "limit": limit,
        "offset": offset,
        "pagination": pagination,
        "total": total,
    }


def test_pagination_follows_has_more_and_the_next_offset(caplog):
    dids = [{"phonenumber": str(15162060000 + n)} for n in range(7)]

    def pages(request: Request) -> Reply:
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        chunk = dids[offset : offset + 3]  # the server gives at most 3, whatever is asked
        more = offset + 3 < len(dids)
        return Reply(200, page_of(chunk, offset, limit, 7, more, offset + 3 if more else None))

    caplog.set_level(logging.DEBUG)
    with ScriptedServer(pages) as server:

        async def scenario():
            async with flexml(server) as client:
                return await client.list_dids()

        listed = run(scenario())
    assert listed == dids
    assert [r.query for r in server.requests] == [
        {"limit": "1000", "offset": "0"},
        {"limit": "1000", "offset": "3"},
        {"limit": "1000", "offset": "6"},
    ]


@pytest.mark.parametrize(
    ("name", "answer", "words"),
    [
        # always the same next link
        ("same next", lambda o: page_of([{"a": 1}], o, 1000, 99, True, 5), "after offset 5"),
        # ignores the offset it was asked for
        ("ignores offset", lambda o: page_of([{"a": 1}], 0, 1000, None, True), "answered offset"),
        # says there is more, gives nothing
        ("empty page", lambda o: page_of([], o, 1000, 5, True, o + 1000), "empty page"),
        # a next link that goes backwards
        (
            "backwards",
            lambda o: page_of([{"a": 1}], o, 1000, 50, True, 3 if o == 0 else 1),
            "after offset 3 it sent offset 1 next",
        ),
        # no offset in its pages, no next link, no end
        ("no end", lambda o: {"items": [{"a": 1}], "has_more": True, "total": 3}, "of a total"),
    ],
)
def test_a_list_that_loops_is_a_bad_answer(caplog, name, answer, words):
    def handler(request: Request) -> Reply:
        return Reply(200, answer(int(request.query.get("offset", "0"))))

    error, server = outcome(handler, list_dids, caplog)
    assert type(error) is BadAnswerError, name
    assert "does not page properly" in error.message and words in error.message, error.message
    assert len(server.requests) < 10


# -- no answer at all --------------------------------------------------------------------


def test_a_server_that_never_answers_times_out(caplog):
    started = time.monotonic()
    error, _ = outcome(always(HANG), list_dids, caplog, timeout=httpx.Timeout(0.5))
    assert time.monotonic() - started < 5
    assert type(error) is RequestTimeout and error.phase == "read" and error.limit == 0.5
    assert "did not answer GET /dids within 0.5 s" in error.message
    assert error.status is None and isinstance(error, NetworkError)


def test_a_closed_port_is_connection_refused(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free, and nothing listens once closed
    caplog.set_level(logging.DEBUG)

    async def scenario():
        client = FlexmlClient(f"http://127.0.0.1:{port}/flexml/v1", LOGIN, PASSWORD)
        return await failure(client, list_dids)

    error = run(scenario())
    assert type(error) is ConnectionRefused
    assert f"127.0.0.1:{port}" in error.message and "connection refused" in error.message
    assert_no_secret(error.message, caplog.text)


def test_an_unknown_host_is_a_name_lookup_error(caplog):
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()

    async def scenario():
        client = FlexmlClient(
            "https://nonexistent.invalid/flexml/v1",
            LOGIN,
            PASSWORD,
            timeout=httpx.Timeout(3.0),
        )
        return await failure(client, create)

    error = run(scenario())
    assert time.monotonic() - started < 5
    assert type(error) is NameLookupError
    assert "'nonexistent.invalid' could not be resolved" in error.message
    assert_no_secret(error.message, caplog.text)


def test_tls_to_a_plain_http_port_is_a_tls_error(caplog):
    caplog.set_level(logging.DEBUG)
    with Sandbox(credentials=SANDBOX_CREDENTIALS) as sandbox:
        https_url = sandbox.api_url.replace("http://", "https://")

        async def scenario():
            client = FlexmlClient(https_url, "sandbox_login", PASSWORD)
            return await failure(client, list_dids)

        error = run(scenario())
    assert type(error) is TlsError
    assert "a secure (TLS) connection to 127.0.0.1:" in error.message
    assert_no_secret(error.message, caplog.text)


def test_post_calls_is_never_retried():
    def handler(request: Request) -> Reply | str:
        if request.method == "GET":
            return Reply(200, page_of([], 0, 1000, 0, False), keep_alive=True)
        return DROP

    with ScriptedServer(handler) as server:

        async def scenario():
            async with flexml(server) as client:
                await client.list_dids()  # a keep-alive connection is in the pool
                with pytest.raises(NetworkError) as caught:
                    await client.create_call(
                        CallRequest("15555550100", "15162065318", url="https://x.test/")
                    )
                return caught.value

        error = run(scenario())
    assert [r.method for r in server.requests] == ["GET", "POST"]
    assert "closed the connection" in error.message
    assert "may have been carried out anyway" in error.message
    assert_no_secret(error.message)


# -- the pieces --------------------------------------------------------------------------


def test_call_request_sends_only_what_is_set():
    assert CallRequest("15555550100", "15162065318").to_json() == {
        "calling_did": "15555550100",
        "called_did": "15162065318",
    }
    full = CallRequest(
        "1",
        "2",
        url="https://x.test/",
        method="GET",
        delay=0,
        timeout=10,
        status_callback_url="https://x.test/status",
        status_callback_method="POST",
        attributes={"a": 1},
    )
    assert full.to_json() == {
        "calling_did": "1",
        "called_did": "2",
        "url": "https://x.test/",
        "method": "GET",
        "delay": 0,
        "timeout": 10,
        "status_callback_url": "https://x.test/status",
        "status_callback_method": "POST",
        "attributes": {"a": 1},
    }
    # Every field it can send is one of the Call object's, none of them read only
    # (https://docs.carrierx.com/flexml/flexml-api/calls/call).
    documented = {
        "attributes",
        "called_did",
        "calling_did",
        "delay",
        "method",
        "status_callback_method",
        "status_callback_url",
        "timeout",
        "url",
    }
    assert set(full.to_json()) == documented
    for bad in (
        {"calling_did": ""},
        {"method": "PUT"},
        {"delay": -1},
        {"delay": True},
        {"timeout": 0},
        {"attributes": [1]},
    ):
        with pytest.raises(ValueError):
            CallRequest(**{"calling_did": "1", "called_did": "2", **bad})


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("api.carrierx.com/flexml/v1", "must start with https://"),
        ("ftp://api.carrierx.com/", "must start with https://"),
        ("https:///flexml/v1", "no host"),
        (f"https://{LOGIN}:{PASSWORD}@api.carrierx.com/", "must not carry a login"),
        # The scheme or the port is wrong too: the password is still not quoted.
        (f"ftp://{LOGIN}:{PASSWORD}@api.carrierx.com/", "must not carry a login"),
        (f"https://{LOGIN}:{PASSWORD}@api.carrierx.com:99999/", "must not carry a login"),
        ("https://api.carrierx.com:99999/", "not a valid URL"),
        ("https://api.carrierx.com/?x=1", "?query"),
    ],
)
def test_the_api_url_is_checked_up_front(url, words):
    with pytest.raises(ValueError) as caught:
        FlexmlClient(url, LOGIN, PASSWORD)
    assert words in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_clients_need_credentials():
    with pytest.raises(ValueError, match="password is empty"):
        FlexmlClient(FLEXML_API_URL, LOGIN, "")
    with pytest.raises(ValueError, match="token, or a login and password"):
        CoreClient()
    with pytest.raises(ValueError, match="printable ASCII"):
        CoreClient(token="two words")


def test_core_client_with_basic_auth_and_dids_across_pages():
    rented = [{"phonenumber": str(15162060000 + n)} for n in range(5)]

    def handler(request: Request) -> Reply:
        if request.path != "/core/v2/phonenumber/dids":
            return Reply(404, errors_body((None, "no")))
        offset = int(request.query["offset"])
        chunk = rented[offset : offset + 2]
        more = offset + 2 < len(rented)
        return Reply(200, page_of(chunk, offset, 2, 5, more, offset + 2 if more else None))

    with ScriptedServer(handler) as server:

        async def scenario():
            url = f"http://127.0.0.1:{server.port}/core/v2"
            async with CoreClient(url, login="portal", password=PASSWORD, page_size=2) as core:
                return await core.list_dids()

        listed = run(scenario())
    assert listed == rented
    assert server.requests[0].headers["authorization"].startswith("Basic ")
    assert len(server.requests) == 3


def test_core_endpoints_default_their_api_url(caplog):
    items = [
        {"endpoint_sid": "e1", "name": "one", "type": "flexml", "properties": {"login": "l1"}},
        {
            "endpoint_sid": "e2",
            "name": "two",
            "type": "flexml",
            "properties": {"login": "l2", "password": "p2", "api_url": "https://eu.example/v1"},
        },
    ]
    with ScriptedServer(always(Reply(200, page_of(items, 0, 1000, 2, False)))) as server:

        async def scenario():
            url = f"http://127.0.0.1:{server.port}/core/v2"
            async with CoreClient(url, token=TOKEN) as core:
                return await core.list_flexml_endpoints()

        endpoints = run(scenario())
    assert [(e.endpoint_sid, e.login, e.password, e.api_url) for e in endpoints] == [
        ("e1", "l1", "", FLEXML_API_URL),
        ("e2", "l2", "p2", "https://eu.example/v1"),
    ]
    (request,) = server.requests
    assert request.query["filter"] == 'type eq "flexml"'
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_redact_hides_every_form_of_a_secret():
    text = f"pw={PASSWORD} basic={BASIC} quoted=s3cr3t-PASS-xyz token={TOKEN} other=ok"
    assert redact(text, [PASSWORD, f"{LOGIN}:{PASSWORD}", TOKEN, "", None]) == (
        "pw=*** basic=*** quoted=*** token=*** other=ok"
    )
    assert redact("p%40ss in a URL", ["p@ss"]) == "*** in a URL"
    assert redact("nothing", []) == "nothing"


def test_a_password_echoed_json_escaped_or_as_a_field_name_is_redacted(caplog):
    odd = 's3cr\u00e9t"pw\\x'
    body = {"echo": {"password": odd}, "errors": [{"field": odd, "message": f"bad {odd}"}]}
    with ScriptedServer(always(Reply(422, body))) as server:

        async def go():
            async with FlexmlClient(server.url, LOGIN, odd) as client:
                with pytest.raises(ValidationError) as caught:
                    await client.list_dids()
            return caught.value

        error = run(go())
    text = str(error) + repr(error.fields)
    for form in (odd, json.dumps(odd)[1:-1], json.dumps(odd, ensure_ascii=False)[1:-1]):
        assert form not in text
