"""The password in every form a server may echo it, never shown (issue 14, "Secrets").

A small aiohttp API on 127.0.0.1 answers POST /calls with 422, 403, 429, an HTML 500, a 200
that is not JSON, and a 200 Call object, each echoing the Authorization header it received
and the password it carries: as it is, HTML-escaped (`&lt;`, `&#60;`), URL- and form-encoded
(`%3C`, `+`), JSON-escaped (`\\u003c`). The password holds `<`, `>`, `&`, `"`, a space and
`+`, so that every encoding changes it. Neither the client's exceptions, nor its logging,
nor `flexml-studio call`'s output (errors and the printed Call object), nor the call log
file holds any form of it or any piece of it.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web

from gui.core.calllog import CallLog
from gui.core.carrierx import (
    ApiError,
    BadAnswerError,
    CallRequest,
    CarrierXError,
    FlexmlClient,
    ForbiddenError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from tests.conftest import ROOT

LOGIN = "echo_login"
PASSWORD = 'Zq8Kx<Vw3Ry>&"Tb6Wn Jm4Hs+Pd7Lc'
# What is left of the password when a step strips what looks like tags or entities.
PIECES = ("Zq8Kx", "Vw3Ry", "Tb6Wn", "Jm4Hs", "Pd7Lc")
TIME_LIMIT = 20.0


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def forms(secret: str) -> dict[str, str]:
    """The forms a server may echo `secret` in, by name (made here, not by the code under
    test)."""
    go_json = json.dumps(secret)[1:-1]
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        go_json = go_json.replace(raw, escaped)
    return {
        "raw": secret,
        "html": html.escape(secret),
        "html-no-quotes": html.escape(secret, quote=False),
        "html-decimal": "".join(c if c.isalnum() else f"&#{ord(c)};" for c in secret),
        "html-hex": "".join(c if c.isalnum() else f"&#x{ord(c):x};" for c in secret),
        "url": quote(secret, safe=""),
        "url-lower": _lower_hex(quote(secret, safe="")),
        "form": quote_plus(secret, safe=""),
        "json": json.dumps(secret)[1:-1],
        "json-go": go_json,
        "base64": base64.b64encode(secret.encode()).decode(),
    }


BASIC = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
LEAKS = {**forms(PASSWORD), "authorization": BASIC, **{p: p for p in PIECES}}


def assert_no_leak(text: str, where: str) -> None:
    for name, form in LEAKS.items():
        assert form not in text, f"the password ({name}: {form!r}) leaked into {where}: {text!r}"


# -- the echoing API -----------------------------------------------------------------------


def _echoes(request: web.Request, form: str) -> dict[str, str]:
    """What the request carried, in the form(s) asked for: its Authorization header, and
    the password taken out of it."""
    header = request.headers.get("Authorization", "")
    password = base64.b64decode(header.split()[-1]).decode().partition(":")[2]
    echoed = forms(password)
    chosen = echoed if form == "all" else {form: echoed[form]}
    return {"authorization": header, **chosen}


def _errors_body(echoes: dict[str, str]) -> dict:
    return {
        "errors": [
            {"field": value, "message": f"{name} was {value}"} for name, value in echoes.items()
        ]
    }


def _html(echoes: dict[str, str]) -> str:
    items = "".join(f"<li title='{v}'>{n}: {v}</li>" for n, v in echoes.items())
    comment = f"<!-- {echoes.get('raw', '')} -->"
    return f"<html><body><h1>Oops</h1><ul>{items}</ul>{comment}</body></html>"


def _answer(mode: str, echoes: dict[str, str]) -> web.Response:
    if mode in ("422", "403", "429"):
        headers = {"Retry-After": "3"} if mode == "429" else {}
        return web.json_response(_errors_body(echoes), status=int(mode), headers=headers)
    if mode == "403-text":
        text = " ".join(f"{n}={v}" for n, v in echoes.items())
        return web.Response(status=403, text=text, content_type="text/plain")
    if mode == "500-html":
        return web.Response(status=500, text=_html(echoes), content_type="text/html")
    if mode == "200-html":
        return web.Response(status=200, text=_html(echoes), content_type="text/html")
    if mode == "200-form":
        text = "&".join(f"{n}={quote_plus(v)}" for n, v in echoes.items())
        return web.Response(status=200, text=text, content_type="application/x-www-form-urlencoded")
    if mode == "200-json":
        call = {
            "call_sid": "9d6f6bde-0000-4000-8000-000000000001",
            "calling_did": "15162060100",
            "called_did": "15162065318",
            "echo": echoes,
            **{f"{value}": name for name, value in echoes.items()},  # as keys, too
        }
        return web.json_response(call)
    raise AssertionError(mode)


async def _handle(request: web.Request) -> web.Response:
    return _answer(request.match_info["mode"], _echoes(request, request.match_info["form"]))


class EchoApi:
    """The API above on 127.0.0.1, in its own thread; `url(mode, form)` is an API URL."""

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def url(self, mode: str, form: str = "all") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/{form}/flexml/v1"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{mode}/{form}/flexml/v1/{tail:.*}", _handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def __enter__(self) -> EchoApi:
        self._thread.start()
        assert self._ready.wait(TIME_LIMIT)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIME_LIMIT)


@pytest.fixture(scope="module")
def api() -> Iterator[EchoApi]:
    with EchoApi() as running:
        yield running


ERRORS = {
    "422": ValidationError,
    "403": ForbiddenError,
    "403-text": ForbiddenError,
    "429": RateLimitError,
    "500-html": ServerError,
    "200-html": BadAnswerError,
    "200-form": BadAnswerError,
}
FORMS = [*forms(PASSWORD), "all"]


async def _place(url: str) -> dict:
    async with FlexmlClient(url, LOGIN, PASSWORD) as client:
        return await client.create_call(
            CallRequest("15162060100", "15162065318", url="http://127.0.0.1:9/flows/main")
        )


def place(url: str):
    return asyncio.run(asyncio.wait_for(_place(url), TIME_LIMIT))


# -- the client ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("mode", ERRORS)
def test_error_answers_never_carry_the_password(api, mode, form, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CarrierXError) as caught:
        place(api.url(mode, form))
    error = caught.value
    assert type(error) is ERRORS[mode]
    assert_no_leak(error.message, "the message")
    assert_no_leak(repr(error), "repr")
    if isinstance(error, ApiError):
        assert_no_leak(repr(error.errors), "the (field, message) pairs")
    assert_no_leak(caplog.text, "the log")


def test_the_messages_still_say_what_the_server_said(api):
    # Redaction hides the secret, not the answer: the message keeps the rest of it.
    with pytest.raises(ValidationError) as caught:
        place(api.url("422", "html"))
    assert "***: html was ***" in caught.value.message
    assert "Basic ***: authorization was Basic ***" in caught.value.message
    with pytest.raises(ServerError) as caught:
        place(api.url("500-html", "raw"))
    assert "'Oops authorization: Basic *** raw: ***" in caught.value.message


@pytest.mark.parametrize("form", FORMS)
def test_a_success_answer_echoing_the_password_is_redacted(api, form):
    call = place(api.url("200-json", form))
    assert call["call_sid"] == "9d6f6bde-0000-4000-8000-000000000001"
    assert call["echo"]["authorization"] == "Basic ***"
    text = json.dumps(call, ensure_ascii=False)
    assert_no_leak(text, "the Call object")
    assert_no_leak(json.dumps(call), "the Call object (ASCII JSON)")


# -- the command line ------------------------------------------------------------------------


def flexml_call(url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEXML_")}
    env.update(
        PYTHONPATH=str(ROOT), FLEXML_API_URL=url, FLEXML_LOGIN=LOGIN, FLEXML_PASSWORD=PASSWORD
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gui",
            "call",
            "--to",
            "+1 516 206 5318",
            "--from",
            "15162060100",
            "--url",
            "http://127.0.0.1:9/flows/main",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize("mode", [*ERRORS, "200-json"])
def test_the_call_command_prints_no_form_of_the_password(api, mode):
    result = flexml_call(api.url(mode, "all"))
    assert "Traceback" not in result.stderr, result.stderr
    assert_no_leak(result.stdout, "stdout")
    assert_no_leak(result.stderr, "stderr")
    if mode == "200-json":
        assert result.returncode == 0, result.stderr
        printed = json.loads(result.stdout)
        assert printed["call_sid"] == "9d6f6bde-0000-4000-8000-000000000001"
        assert printed["echo"]["authorization"] == "Basic ***"
    else:
        assert result.returncode == 1
        assert result.stderr.startswith("flexml-studio: ")


# -- the call log ----------------------------------------------------------------------------


def test_the_call_log_file_holds_no_form_of_the_password(api, tmp_path):
    path = tmp_path / "calls.sqlite3"
    with CallLog(path) as log:
        for mode in ERRORS:
            with pytest.raises(CarrierXError) as caught:
                place(api.url(mode, "all"))
            log.add(
                "echo",
                "15162060100",
                "15162065318",
                "http://x/",
                "POST",
                outcome="failed",
                error=caught.value.message,
            )
        call = place(api.url("200-json", "all"))
        log.add(
            "echo",
            "15162060100",
            "15162065318",
            "http://x/",
            "POST",
            call_sid=call["call_sid"],
            outcome="placed",
            details=call,
        )
        assert len(log.entries()) == len(ERRORS) + 1
    files = [p for p in tmp_path.iterdir() if p.name.startswith("calls.sqlite3")]
    data = b"".join(p.read_bytes() for p in files)
    for name, form in LEAKS.items():
        assert form.encode() not in data, f"the password ({name}) is in the call log file"
    assert b"***" in data  # the redacted answers are there, redacted
