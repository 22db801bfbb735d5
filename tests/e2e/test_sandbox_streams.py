"""A sandbox call streams for real: its <Start><Stream> opens a WebSocket on 127.0.0.1 that
gets CarrierX's documented connected and start messages, with the call's SID as callId,
and is closed with 1000 when the call ends."""

from __future__ import annotations

import asyncio

import httpx

from gui.core.runtime.sandbox import Credentials, Sandbox
from tests.e2e.test_streams import WAIT, StreamApp, run, serving

CREDENTIALS = Credentials("stream_test", "pa55-word", "core-token-2")
DID = "15555550100"


async def _call(base: str) -> tuple[str, dict]:
    """Place a sandbox call to BASE/start and wait for its end: its SID and what the
    sandbox saw of it."""
    with Sandbox(credentials=CREDENTIALS, dids=(DID,)) as sandbox:
        auth = (CREDENTIALS.login, CREDENTIALS.password)
        async with httpx.AsyncClient(auth=auth, trust_env=False, timeout=10) as client:
            answer = await client.post(
                f"{sandbox.api_url}/calls",
                json={"calling_did": DID, "called_did": "15551230000", "url": f"{base}/start"},
            )
            assert answer.status_code == 200, answer.text
            sid = answer.json()["call_sid"]
            return sid, await _state(client, sandbox, sid)


async def _state(client: httpx.AsyncClient, sandbox: Sandbox, sid: str) -> dict:
    root = sandbox.api_url.rstrip("/").removesuffix("/flexml/v1")
    async with asyncio.timeout(WAIT * 2):
        while True:
            seen = (await client.get(f"{root}/sandbox/calls/{sid}")).json()
            if seen["status"] not in ("scheduled", "in-progress"):
                return seen
            await asyncio.sleep(0.02)


def test_a_sandbox_call_opens_the_stream_and_closes_it_at_its_end():
    app = StreamApp(
        {
            "/start": (
                '<Start><Stream name="s1" url="/ws/media">'
                '<Parameter name="RemoteParty" value="Bob"/></Stream></Start>'
                "<Say>Streaming</Say><Hangup/>"
            )
        }
    )

    async def scenario():
        async with serving(app) as base:
            sid, seen = await _call(base)
            assert seen["status"] == "completed"
            assert len(app.sockets) == 1, seen["transcript"]
            (socket,) = app.sockets
            async with asyncio.timeout(WAIT):
                await socket.closed.wait()
            connected, start = socket.messages
            assert connected["event"] == "connected"
            assert start["start"]["callId"] == sid
            assert start["start"]["customParameters"] == {"RemoteParty": "Bob"}
            assert socket.close_code == 1000
            kinds = [event["event"] for event in seen["transcript"]]
            assert kinds.index("stream_started") < kinds.index("say")
            assert "stream_stopped" in kinds

    run(scenario())


def test_a_sandbox_call_opens_a_socket_for_each_unnamed_stream():
    """The audit's s2.xml: two unnamed Starts and an unnamed Connect to three servers each
    open their socket (the Connect's used to be refused: '' was taken), and the Stop by
    URL closes b's only."""
    app = StreamApp(
        {
            "/start": (
                '<Start><Stream url="/ws/a"/></Start><Start><Stream url="/ws/b"/></Start>'
                '<Connect><Stream url="/ws/closing/c"/></Connect>'
                '<Stop><Stream url="/ws/b"/></Stop><Say>done</Say><Hangup/>'
            )
        }
    )

    async def scenario():
        async with serving(app) as base:
            _sid, seen = await _call(base)
            assert seen["status"] == "completed"
            transcript = seen["transcript"]
            assert sorted(s.path for s in app.sockets) == ["/ws/a", "/ws/b", "/ws/closing/c"]
            async with asyncio.timeout(WAIT):
                for socket in app.sockets:
                    await socket.closed.wait()
            assert all(s.close_code == 1000 for s in app.sockets)
            states = [e["state"] for e in transcript if e["event"] == "stream_note"]
            assert states and set(states) == {"connected"}, transcript  # none refused
            reasons = [e["reason"] for e in transcript if e["event"] == "stream_stopped"]
            assert reasons == ["the server closed the socket", "stopped by <Stop>",
                               "the call ended"]  # fmt: skip

    run(scenario())
