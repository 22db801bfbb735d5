"""The flow server's request handler: routes, the access token, parameters, the record.

Routes: `/flows/NAME` answers that flow's FlexML, `/` the entry flow's, `/status` takes
CarrierX status callbacks (200, empty body); anything else is a plain-text 404. With a
token, every route needs `?token=TOKEN` or the path prefix `/t/TOKEN/`, else 403.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from time import perf_counter, time
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from .records import RequestRecord
from .snapshot import Snapshot

MAX_BODY = 1024 * 1024  # 1 MiB: a CarrierX request body is well under 2 KiB
XML_CONTENT_TYPE = "application/xml"
METHODS = ("GET", "HEAD", "POST")
TOKEN_PREFIX = "/t/"
FLOWS_PREFIX = "/flows/"
STATUS_PATH = "/status"
JSON_TYPES = ("application/json", "text/json")
FORM_TYPES = ("application/x-www-form-urlencoded", "application/octet-stream", "text/plain")

_logger = logging.getLogger(__name__)


class Refusal(Exception):
    """A request answered with an error status and a one-line plain-text message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


class FlowRoutes:
    """Answers requests from the current snapshot and reports each one to `record`.

    `snapshot` is replaced whole by the server's `publish` (one reference assignment, atomic
    in CPython); each request reads it once, so it answers from one consistent snapshot.
    """

    def __init__(
        self,
        record: Callable[[RequestRecord], None],
        *,
        token: str | None = None,
        body_timeout: float = 15.0,
    ) -> None:
        self.snapshot = Snapshot()
        self._record = record
        self._token = token
        self._body_timeout = body_timeout

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        started = perf_counter()
        when = time()
        method = request.method
        params: dict[str, Any] = dict(request.query)
        path = request.path
        token = self._token
        try:
            path, allowed = (path, True) if token is None else _authorise(path, params, token)
            if allowed:
                response = await self._answer(request, method, path, params)
            else:
                response = _text(403, "forbidden: this server needs its access token")
        except Refusal as refusal:
            response = _text(refusal.status, refusal.message, refusal.headers)
        except Exception:  # a bug of ours must not take the server down
            _logger.exception("the flow server failed on %s %s", method, path)
            response = _text(500, "internal error in the flow server")
        body = response.body
        size = 0 if method == "HEAD" or not isinstance(body, bytes) else len(body)
        self._record(
            RequestRecord(
                when, method, path, params, response.status, size, (perf_counter() - started) * 1000
            )
        )
        return response

    async def _answer(
        self, request: web.BaseRequest, method: str, path: str, params: dict[str, Any]
    ) -> web.Response:
        snapshot = self.snapshot  # read once: the whole request sees one snapshot
        if path.startswith(FLOWS_PREFIX):
            name: str | None = path[len(FLOWS_PREFIX) :]
        elif path == "/":
            name = snapshot.entry
        elif path == STATUS_PATH:
            name = None
        else:
            raise Refusal(404, f"not found: {path} (flows are served at /flows/NAME)")
        if method not in METHODS:
            raise Refusal(405, f"method {method} is not allowed", {"Allow": ", ".join(METHODS)})
        if method == "POST":
            params.update(await self._body_params(request))
        if path == STATUS_PATH:
            return web.Response(status=200)
        xml = snapshot.flows.get(name) if name is not None else None
        if xml is None:
            if name is None:
                raise Refusal(404, "not found: no flow is published yet")
            raise Refusal(404, f"not found: no flow named {name!r}")
        return web.Response(body=xml, content_type=XML_CONTENT_TYPE, charset="utf-8")

    async def _body_params(self, request: web.BaseRequest) -> dict[str, Any]:
        """The fields of a POST body: JSON (what CarrierX sends), or a form."""
        if not request.body_exists:
            return {}
        content_type = request.content_type
        try:
            if content_type == "multipart/form-data":
                async with asyncio.timeout(self._body_timeout):
                    form = await request.post()
                return {k: v for k, v in form.items() if isinstance(v, str)}
            if request.content.is_eof():
                # The whole body is in already (the usual case): no wait, so no timer,
                # which would cost a tenth of the request's time.
                body = await request.read()
            else:
                async with asyncio.timeout(self._body_timeout):
                    body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise Refusal(413, f"request body too large: the limit is {MAX_BODY} bytes") from None
        except TimeoutError:
            raise Refusal(408, "request timeout: the body did not arrive in time") from None
        except (ConnectionError, ValueError) as exc:
            raise Refusal(400, f"bad request: the body could not be read ({exc})") from None
        if content_type in JSON_TYPES or content_type.endswith("+json"):
            return _json_fields(body)
        if content_type in FORM_TYPES:
            if body.lstrip()[:1] == b"{":  # JSON sent without its content type
                return _json_fields(body)
            return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return {}  # some other kind of body: nothing CarrierX sends, so no fields


def _authorise(path: str, params: dict[str, Any], token: str) -> tuple[str, bool]:
    """The route without a `/t/TOKEN` prefix, and whether the request may use it; the
    `token` parameter is taken out of `params`, so it is never logged."""
    given = params.pop("token", None)
    if path.startswith(TOKEN_PREFIX):
        prefixed, _, rest = path[len(TOKEN_PREFIX) :].partition("/")
        path = "/" + rest
        if _same(prefixed, token):
            return path, True
    return path, isinstance(given, str) and _same(given, token)


def _json_fields(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        # JSON between systems is UTF-8 (RFC 8259); decoding first also skips json's
        # encoding detection for bytes.
        data = json.loads(body.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise Refusal(400, f"bad request: the JSON body does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise Refusal(400, "bad request: the JSON body must be an object of fields")
    return data


def _same(given: str, token: str) -> bool:
    # Constant time, so response timing does not reveal how much of a guess was right.
    return hmac.compare_digest(given.encode(), token.encode())


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=message + "\n", headers=headers)
