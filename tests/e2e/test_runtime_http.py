"""The FlexML runtime over real loopback HTTP, as CarrierX would run a call.

A small aiohttp application on 127.0.0.1 serves canned FlexML and records every request,
so the tests can check what the interpreter sent: the JSON body of a POST, the query string
of a GET, the action requests with their results, and the status callback. Failures: a 500
answer, garbage XML, a refused connection, no answer in time, an answer too large.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from aiohttp import web

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime import (
    CallInfo,
    Ended,
    Error,
    Event,
    Fetched,
    HttpSource,
    Interpreter,
    ProjectSource,
    ScriptedCaller,
    StatusCallback,
)
from gui.core.runtime.http_source import MAX_URL_LENGTH, UrlTooLong
from gui.core.runtime.sources import FetchError

TIME_LIMIT = 20
# The fields of CarrierX's Requests page, as its documented sample body has them
# (https://docs.carrierx.com/flexml/flexml-api/call-flow/requests; FLEXML.md §7).
CARRIERX_FIELDS = {
    "AccountSid",
    "ApiVersion",
    "CallSid",
    "CallerName",
    "CallStatus",
    "Direction",
    "ForwardedFrom",
    "From",
    "To",
    "OriginalFrom",
    "OriginalTo",
    "RequestUrl",
}

Page = tuple[int, str] | Callable[[web.Request], Awaitable[tuple[int, str]]]


@dataclass(frozen=True)
class Seen:
    """One request the application received."""

    method: str
    path: str
    query: dict[str, str]
    body: dict | None
    content_type: str


class FlexmlApp:
    """Serves `pages` (path -> (status, text) or an async function of the request) and
    records every request; anything else is a 404."""

    def __init__(self, pages: dict[str, Page] | None = None) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.requests: list[Seen] = []

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.requests.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                json.loads(raw) if raw else None,
                request.headers.get("Content-Type", ""),
            )
        )
        page = self.pages.get(request.path)
        if page is None:
            return web.Response(status=404, text="no such page")
        status, text = page if isinstance(page, tuple) else await page(request)
        return web.Response(status=status, body=text.encode(), content_type="application/xml")

    def paths(self) -> list[str]:
        return [f"{seen.method} {seen.path}" for seen in self.requests]


@contextlib.asynccontextmanager
async def serving(app: FlexmlApp):
    """Run `app` on 127.0.0.1 and a free port; yields its base URL."""
    web_app = web.Application()
    web_app.router.add_route("*", "/{tail:.*}", app.handle)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def call(
    url: str, *, digits: str = "", method: str = "POST", source: HttpSource | None = None, **kw
) -> list[Event]:
    own = source is None
    source = source or HttpSource()
    try:
        interpreter = Interpreter(source, ScriptedCaller(digits), url=url, method=method, **kw)
        return await interpreter.run()
    finally:
        if own:
            await source.aclose()


def run(scenario: Awaitable) -> None:
    asyncio.run(asyncio.wait_for(scenario, TIME_LIMIT))


def of(events: list[Event], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def the_error(events: list[Event]) -> str:
    errors = of(events, Error)
    assert len(errors) == 1, [e.kind for e in events]
    assert isinstance(events[-1], Ended) and events[-1].call_status == "failed"
    return errors[0].message


def xml(body: str) -> tuple[int, str]:
    return 200, f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{body}</Response>'


# -- what CarrierX sends --------------------------------------------------------------------


def test_post_sends_carrierx_fields_as_json_and_the_action_gets_the_digits():
    app = FlexmlApp(
        {
            "/start": xml('<Gather action="/choice"><Say>Press</Say></Gather><Say>no</Say>'),
            "/choice": xml("<Say>Thanks</Say><Hangup/>"),
            "/status": (200, ""),
        }
    )

    async def scenario():
        async with serving(app) as base:
            info = CallInfo(
                from_number="+15551112222",
                to_number="15553334444",
                status_callback_url=f"{base}/status",
            )
            events = await call(f"{base}/start", digits="42#", call=info)
            assert app.paths() == ["POST /start", "POST /choice", "POST /status"]
            first, action, status = app.requests
            assert first.content_type == "application/json"
            assert first.query == {}
            assert set(first.body) == CARRIERX_FIELDS
            assert first.body["AccountSid"] == ""
            assert first.body["ApiVersion"] == "2.0"
            # 32 lowercase hex digits, as the documented sample: the dashed call_sid's.
            assert first.body["CallSid"] == uuid.UUID(info.call_sid).hex
            assert uuid.UUID(first.body["CallSid"]).version == 4
            assert (first.body["From"], first.body["To"]) == ("15551112222", "15553334444")
            assert first.body["OriginalFrom"] == "+15551112222"
            assert first.body["Direction"] == "inbound"
            assert first.body["CallStatus"] == "completed"  # mid-call, as the documented sample
            assert first.body["RequestUrl"] == f"{base}/start"
            # RequestUrl is the document that ran the Gather, not the action's own URL.
            assert action.body == {
                **first.body,
                "RequestUrl": f"{base}/start",
                "Digits": "42",
                "FinishKey": "#",
            }
            assert status.body["CallSid"] == first.body["CallSid"]
            assert status.body["CallStatus"] == "completed"
            assert status.body["CallDuration"] == str(events[-1].duration)
            assert of(events, StatusCallback)[0].http_status == 200
            assert [f.status for f in of(events, Fetched)] == [200, 200]

    run(scenario())


def test_get_sends_a_query_string_and_keeps_the_urls_own():
    app = FlexmlApp(
        {
            "/start": xml('<Gather action="choice?menu=2" method="GET"/>'),
            "/choice": xml('<Gather action="/again" method="get"/>'),
            "/again": xml("<Hangup/>"),
        }
    )

    async def scenario():
        async with serving(app) as base:
            await call(f"{base}/start?lang=en", method="GET", digits="12#7w")
            assert app.paths() == ["GET /start", "GET /choice", "GET /again"]
            first, choice, again = app.requests
            assert first.body is None
            assert first.query["lang"] == "en"
            assert set(first.query) >= CARRIERX_FIELDS
            assert first.query["ApiVersion"] == "2.0"
            assert first.query["RequestUrl"] == f"{base}/start?lang=en"
            assert choice.query["menu"] == "2"
            assert choice.query["RequestUrl"] == f"{base}/start?lang=en"
            assert again.query["RequestUrl"] == f"{base}/choice?menu=2"
            assert (choice.query["Digits"], choice.query["FinishKey"]) == ("12", "#")
            # Keys then a timeout: no finish key, which a query string sends empty.
            assert (again.query["Digits"], again.query["FinishKey"]) == ("7", "")

    run(scenario())


def test_override_sends_the_status_callback_where_it_says():
    app = FlexmlApp(
        {
            "/start": xml(
                '<Override statusCallbackUrl="/override" statusCallbackMethod="GET"/>'
                '<Pause length="4"/><Hangup/>'
            ),
            "/override": (404, "ignored"),
        }
    )

    async def scenario():
        async with serving(app) as base:
            info = CallInfo(status_callback_url=f"{base}/call-status")
            events = await call(f"{base}/start", call=info)
            assert app.paths() == ["POST /start", "GET /override"]
            sent = app.requests[1].query
            assert (sent["CallStatus"], sent["CallDuration"]) == ("completed", "4")
            assert sent["RequestUrl"] == f"{base}/start"  # the document that was running
            callback = of(events, StatusCallback)[0]
            assert (callback.url, callback.http_status) == (f"{base}/override", 404)
            assert events[-1].call_status == "completed"  # the callback's answer is ignored

    run(scenario())


def test_record_amd_and_dial_actions_carry_their_results():
    app = FlexmlApp(
        {
            "/start": xml('<Record action="/recorded"/>'),
            "/recorded": xml('<Amd action="/amd"/>'),
            "/amd": xml('<Dial action="/dialed">15557654321</Dial>'),
            "/dialed": xml("<Hangup/>"),
        }
    )

    async def scenario():
        async with serving(app) as base:
            await call(f"{base}/start")
            assert app.paths() == ["POST /start", "POST /recorded", "POST /amd", "POST /dialed"]
            recorded, amd, dialed = (r.body for r in app.requests[1:])
            assert recorded["RecordingDuration"] == "5"
            assert recorded["RecordingUrl"].endswith(recorded["RecordingFileSid"] + ".wav")
            assert (amd["AMDStatus"], amd["AMDCause"]) == ("HUMAN", "HUMAN-800-800")
            assert (dialed["DialCallStatus"], dialed["DialCallDuration"]) == ("completed", "10")
            assert "RecordingUrl" not in amd  # results go with the action that follows

    run(scenario())


# -- what goes wrong ------------------------------------------------------------------------


def test_a_500_answer_ends_the_call_and_says_so():
    app = FlexmlApp({"/start": (500, "boom"), "/status": (200, "")})

    async def scenario():
        async with serving(app) as base:
            info = CallInfo(status_callback_url=f"{base}/status")
            events = await call(f"{base}/start", call=info)
            assert [e.kind for e in events] == [
                "started",
                "fetched",
                "error",
                "status_callback",
                "ended",
            ]
            assert of(events, Fetched)[0].status == 500
            message = the_error(events)
            assert f"POST {base}/start answered HTTP 500" in message
            assert app.requests[-1].body["CallStatus"] == "failed"

    run(scenario())


def test_answers_that_are_not_flexml():
    app = FlexmlApp(
        {
            "/garbage": (200, "<Response><Say>oops</Response>"),
            "/html": (200, "<html><body>Hello</body></html>"),
            "/empty": (200, ""),
            "/bad-verb": xml('<Say loop="500">x</Say>'),
        }
    )

    async def scenario():
        async with serving(app) as base:
            garbage = the_error(await call(f"{base}/garbage"))
            assert "did not answer FlexML: not well-formed XML" in garbage
            html = the_error(await call(f"{base}/html"))
            assert "not valid FlexML" in html and "<html>" in html
            assert "empty body" in the_error(await call(f"{base}/empty"))
            assert "out of range" in the_error(await call(f"{base}/bad-verb"))

    run(scenario())


def test_a_refused_connection_ends_the_call_and_says_so(free_port):
    async def scenario():
        url = f"http://127.0.0.1:{free_port}/start"
        events = await call(url)
        assert [e.kind for e in events] == ["started", "error", "ended"]
        message = the_error(events)
        assert f"POST {url}: cannot connect" in message

    run(scenario())


def test_no_answer_in_time_ends_the_call():
    release = asyncio.Event()

    async def slow(request: web.Request) -> tuple[int, str]:
        await asyncio.wait_for(release.wait(), 5)
        return xml("<Hangup/>")

    app = FlexmlApp({"/slow": slow})

    async def scenario():
        async with serving(app) as base:
            try:
                async with HttpSource(timeout=0.3) as source:
                    events = await call(f"{base}/slow", source=source)
            finally:
                release.set()
            assert "no answer within 0.3 s" in the_error(events)

    run(scenario())


def test_an_answer_too_large_is_refused():
    app = FlexmlApp({"/big": xml("<Pause/>" * 500)})

    async def scenario():
        async with serving(app) as base:
            async with HttpSource(max_bytes=2048) as source:
                events = await call(f"{base}/big", source=source)
            assert "more than" in the_error(events)

    run(scenario())


def test_a_failed_status_callback_is_reported_not_fatal(free_port):
    app = FlexmlApp({"/start": xml("<Hangup/>")})

    async def scenario():
        async with serving(app) as base:
            info = CallInfo(status_callback_url=f"http://127.0.0.1:{free_port}/status")
            events = await call(f"{base}/start", call=info)
            callback = of(events, StatusCallback)[0]
            assert callback.http_status is None and "cannot connect" in callback.error
            assert events[-1].call_status == "completed"
            assert not of(events, Error)

    run(scenario())


# -- a GET's URL and the call's stored data ---------------------------------------------------

# 70,000 characters: within CarrierX's 128 KB a call, too long for any GET's query string.
BIG_STORE = '<Store name="big">' + "y" * 70_000 + "</Store>"


def test_a_get_after_a_big_store_ends_the_call_saying_the_stored_data_is_why():
    app = FlexmlApp(
        {
            "/start": xml(BIG_STORE + '<Redirect method="GET">/next</Redirect>'),
            "/post": xml(BIG_STORE + "<Redirect>/next</Redirect>"),
            "/next": xml("<Hangup/>"),
        }
    )

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/start")
            message = the_error(events)
            assert message.startswith(f"GET {base}/next: ")
            assert "70,012 of them are the call's stored data (Storage_ fields" in message
            assert "CarrierX would need POST" in message
            assert app.paths() == ["POST /start"]  # the GET was never sent
            # The same data with POST goes in the body, which takes it.
            posted = await call(f"{base}/post")
            assert posted[-1].call_status == "completed" and not of(posted, Error)
            assert app.requests[-1].body["Storage_big"] == "y" * 70_000

    run(scenario())


def test_a_get_status_callback_too_long_to_send_is_said_and_the_call_stays_completed():
    app = FlexmlApp({"/start": xml(BIG_STORE + "<Say>Hi</Say><Hangup/>"), "/status": (200, "")})

    async def scenario():
        async with serving(app) as base:
            info = CallInfo(status_callback_url=f"{base}/status", status_callback_method="GET")
            events = await call(f"{base}/start", call=info)
            (callback,) = of(events, StatusCallback)
            assert callback.status == "completed" and callback.http_status is None
            assert "stored data (Storage_ fields" in callback.error
            assert callback.describe().startswith(f"status callback GET {base}/status")
            assert events[-1].call_status == "completed"
            assert not of(events, Error)
            assert app.paths() == ["POST /start"]

    run(scenario())


def test_a_get_is_sent_up_to_the_longest_url_we_send_and_refused_past_it():
    """MAX_URL_LENGTH (httpx's limit for a URL given as text): a URL of exactly that length
    is sent (aiohttp, like most servers, refuses a request line over 8 KB: 400), one
    character more is not."""
    app = FlexmlApp({"/cb": (200, "")})

    async def scenario():
        async with serving(app) as base, HttpSource() as source:
            url = f"{base}/cb"
            room = MAX_URL_LENGTH - len(f"{url}?Storage_x=")
            assert await source.notify(url, "GET", {"Storage_x": "y" * room}) == 400
            try:
                await source.notify(url, "GET", {"Storage_x": "y" * (room + 1)})
            except UrlTooLong as exc:
                assert f"would be {MAX_URL_LENGTH + 1:,} characters" in exc.message
            else:
                raise AssertionError("a URL over the limit was sent")
            assert await source.notify(url, "GET", {"Storage_x": "y" * 100}) == 200

    run(scenario())


def test_a_url_httpx_will_not_take_is_a_fetch_error_not_a_crash():
    async def scenario():
        async with HttpSource() as source:
            try:
                await source.fetch("http://127.0.0.1:9/a\x01b", "POST", {})
            except FetchError as exc:
                assert "cannot be requested" in exc.message and "non-printable" in exc.message
            else:
                raise AssertionError("the URL was requested")

    run(scenario())


# -- loops and guards -----------------------------------------------------------------------


def test_a_redirect_chain_stops_at_100_documents():
    async def chain(request: web.Request) -> tuple[int, str]:
        step = int(request.query.get("n", "0"))
        return xml(f"<Redirect>/chain?n={step + 1}</Redirect>")

    app = FlexmlApp({"/chain": chain})

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/chain")
            assert len(app.requests) == 100
            assert app.requests[-1].path == "/chain"
            assert "more than 100 documents" in the_error(events)

    run(scenario())


def test_the_same_document_again_without_input_is_a_loop():
    app = FlexmlApp({"/self": xml("<Say>again</Say><Redirect>/self</Redirect>")})

    async def scenario():
        async with serving(app) as base:
            events = await call(f"{base}/self")
            assert len(app.requests) == 2
            assert "loops without input" in the_error(events)

    run(scenario())


# -- sources working together ---------------------------------------------------------------


def test_a_project_run_can_fall_back_to_http():
    app = FlexmlApp({"/outside": xml("<Say>outside</Say>"), "/status": (200, "")})

    async def scenario():
        async with serving(app) as base:
            project = Project()
            project.add_flow(
                "main",
                parse(
                    f'<Response><Override statusCallbackUrl="{base}/status"/>'
                    f"<Redirect>{base}/outside</Redirect></Response>".encode()
                ),
            )
            source = ProjectSource(project, fallback=HttpSource())
            try:
                events = await Interpreter(source).run()
            finally:
                await source.aclose()
            assert [f.url for f in of(events, Fetched)] == ["flow:main", f"{base}/outside"]
            assert app.paths() == ["POST /outside", "POST /status"]
            assert of(events, StatusCallback)[0].http_status == 200

    run(scenario())


def test_a_url_at_the_projects_address_is_its_own_and_one_outside_it_is_fetched():
    """With the project's base URL at BASE/app, /app/next is the project's (no flow there:
    an error, nothing requested) while /other, on the same host, is fetched."""
    app = FlexmlApp({"/other": xml("<Hangup/>"), "/app/next": xml("<Hangup/>")})
    project = Project()
    project.add_flow("main", parse(b"<Response><Redirect>/app/next</Redirect></Response>"))
    project.add_flow("out", parse(b"<Response><Redirect>../../other</Redirect></Response>"))

    async def run_flow(base: str, flow: str) -> list[Event]:
        source = ProjectSource(project, flow, base_url=f"{base}/app", fallback=HttpSource())
        try:
            return await Interpreter(source).run()
        finally:
            await source.aclose()

    async def scenario():
        async with serving(app) as base:
            message = the_error(await run_flow(base, "main"))
            assert message.startswith(f"{base}/app/next: the project has no flow there")
            assert app.paths() == []
            out = await run_flow(base, "out")
            assert out[-1].call_status == "completed" and not of(out, Error)
            assert app.paths() == ["POST /other"]

    run(scenario())


def test_flow_references_over_http_need_the_servers_base_url():
    app = FlexmlApp(
        {"/flows/main": xml("<Redirect>flow:next</Redirect>"), "/flows/next": xml("<Hangup/>")}
    )

    async def scenario():
        async with serving(app) as base:
            async with HttpSource(flow_base_url=base) as source:
                events = await call(f"{base}/flows/main", source=source)
            assert app.paths() == ["POST /flows/main", "POST /flows/next"]
            assert events[-1].call_status == "completed"
            without = await call(f"{base}/flows/main")
            assert "flow:next is a project flow" in the_error(without)

    run(scenario())


def test_a_shared_client_stays_open():
    app = FlexmlApp({"/start": xml("<Hangup/>")})

    async def scenario():
        async with serving(app) as base, httpx.AsyncClient() as client:
            for _ in range(2):
                async with HttpSource(client=client) as source:
                    events = await call(f"{base}/start", source=source)
                assert events[-1].call_status == "completed"
            assert not client.is_closed
            assert len(app.requests) == 2

    run(scenario())
