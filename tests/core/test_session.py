"""The session masks every flow server token it was told of, keeps the flow server's requests
across restarts, and keeps one API client per profile, closing them all at the end (against
the sandbox and a silent server, over real loopback HTTP)."""

from __future__ import annotations

import asyncio
import time

import pytest

from gui.core.carrierx import RequestTimeout
from gui.core.profiles import Endpoint
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.core.server.records import RequestRecord
from gui.core.session import MASK, Session
from tests.servers import HANG, ScriptedServer, always

TIME_LIMIT = 10.0
CREDENTIALS = Credentials("session_login", "session-s3cret-PASS", "session-core-token")


def _run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, TIME_LIMIT))


# -- masking ------------------------------------------------------------------------------------


def test_without_a_token_values_come_back_as_they_are():
    session = Session()
    value = {"url": "http://127.0.0.1:8080/t/abc/flows/main"}
    assert session.mask(value) is value
    session.add_token(None)
    session.add_token("")
    assert session.mask(value) is value


def test_every_token_of_the_session_is_masked_in_text_dicts_and_lists():
    session = Session()
    session.add_token("first-T0KEN")
    session.add_token("second-T0KEN")  # the server restarted with a new one
    assert MASK == "…"
    assert session.mask("http://h/t/second-T0KEN/flows/main") == "http://h/t/…/flows/main"
    value = {
        "url": "http://h/t/first-T0KEN/",  # an old record holds the old token
        "urls": ["http://h/t/second-T0KEN/a", "http://h/t/first-T0KEN/b", 7],
        "nested": {"status": "http://h/t/second-T0KEN/status", "none": None},
        "first-T0KEN": "keys are not URLs",
        "pair": ("first-T0KEN",),  # only what JSON holds: dicts, lists and text
    }
    assert session.mask(value) == {
        "url": "http://h/t/…/",
        "urls": ["http://h/t/…/a", "http://h/t/…/b", 7],
        "nested": {"status": "http://h/t/…/status", "none": None},
        "first-T0KEN": "keys are not URLs",
        "pair": ("first-T0KEN",),
    }
    assert value["url"] == "http://h/t/first-T0KEN/"  # the original is left alone
    assert session.mask(42) == 42


# -- the requests -------------------------------------------------------------------------------


def _record(n: int, call_sid: str | None) -> RequestRecord:
    params = {"CallSid": call_sid} if call_sid else {}
    return RequestRecord(1_740_000_000.0 + n, "POST", f"/flows/{n}", params, 200, 10, 1.0)


def test_requests_are_found_per_call_across_restarts():
    session = Session()
    session.remember([_record(1, "call-a"), _record(2, "call-b")])  # the first server
    session.remember([_record(3, "call-a"), _record(4, None)])  # after a restart
    assert [r.path for r in session.records_for("call-a")] == ["/flows/1", "/flows/3"]
    assert [r.path for r in session.records_for("call-b")] == ["/flows/2"]
    assert session.records_for("call-c") == []


def test_only_the_newest_requests_are_kept():
    session = Session(history=3)
    session.remember(_record(n, "call-a") for n in range(5))
    assert [r.path for r in session.records_for("call-a")] == ["/flows/2", "/flows/3", "/flows/4"]


# -- API clients --------------------------------------------------------------------------------


def _endpoint(sandbox: Sandbox, profile: str = "Sandbox", password: str | None = None):
    return Endpoint(
        profile, sandbox.api_url, CREDENTIALS.login, password or CREDENTIALS.password, True
    )


def test_one_client_per_profile_until_its_credentials_change():
    async def scenario(sandbox: Sandbox):
        session = Session()
        assert not session.has_clients()
        first = session.client(_endpoint(sandbox))
        assert session.client(_endpoint(sandbox)) is first
        other = session.client(_endpoint(sandbox, profile="Work"))
        assert other is not first
        dids = await first.list_dids()
        assert [d["phonenumber"] for d in await other.list_dids()] == [
            d["phonenumber"] for d in dids
        ]
        # A new password for the profile: a new client; the old one still finishes what it
        # was doing (it is closed with the others, not now).
        renewed = session.client(_endpoint(sandbox, password="new-" + CREDENTIALS.password))
        assert renewed is not first
        assert session.client(_endpoint(sandbox, profile="Work")) is other
        assert len(await first.list_dids()) == len(dids)
        assert session.has_clients()
        await session.aclose()
        assert not session.has_clients()
        for client in (first, other, renewed):  # the retired one too
            with pytest.raises(RuntimeError, match="closed"):
                await client.list_dids()
        # After closing, a profile gets a fresh, working client.
        again = session.client(_endpoint(sandbox))
        assert again is not first and len(await again.list_dids()) == len(dids)
        await session.aclose()
        return dids

    with Sandbox(credentials=CREDENTIALS) as sandbox:
        dids = _run(scenario(sandbox))
    assert [d["phonenumber"] for d in dids] == list(sandbox.dids)


def test_the_client_timeout_applies_to_the_clients_made_after_it():
    async def scenario(url: str) -> tuple[RequestTimeout, float]:
        session = Session()
        session.client_timeout = 0.5
        client = session.client(Endpoint("Silent", url, "me", "pass-word"))
        started = time.monotonic()
        try:
            with pytest.raises(RequestTimeout) as caught:
                await client.list_dids()
        finally:
            await session.aclose()
        return caught.value, time.monotonic() - started

    with ScriptedServer(always(HANG)) as server:
        error, took = _run(scenario(server.url))
    assert "0.5" in error.message
    assert took < 3.0
