"""The flow server's request handler: routes, the access token, parameters, the record.

Routes: `/flows/NAME` answers that flow's FlexML, `/` the entry flow's, `/status` takes
CarrierX status callbacks (200, empty body); anything else is a plain-text 404. With a
token, every route needs `?token=TOKEN` or the path prefix `/t/TOKEN/`, else 403, decided
before any of a body is read. A body is taken as gui.core.http_guard says (plain, at most
1 MiB, in time, JSON at most 32 levels deep); a request refused before its body was read
(403, 408, 413, 415) closes its connection, so the rest is never read.

`/flows/SWITCH` answers, in the same response, the FlexML of the flow the switch chooses
for the request's parameters (the query for GET, the JSON or form body on top for POST)
at the time of the request, through as many switches as lead on. Each decision is said
in an `X-FlexML-Switch` header (JSON, one per switch passed) and kept in the request's
record. No case and no otherwise, or a goto to no flow: 404 with a one-line message;
switches that lead to each other in a circle: 500.

What a route answers depends on the snapshot, the method, the path, and for a switch the
parameters and the time alone: `route` decides it, a pure function that replay
(gui.core.server.replay) calls too, so what a replay says the server would answer is what
it does answer.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from time import perf_counter, time
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.hdrs import CONTENT_TYPE
from multidict import CIMultiDict

from ..http_guard import BodyError, mask_token, parse_json, read_body, read_form
from ..switches import (
    MAX_VALUE,
    SWITCH_HEADER,
    Decision,
    MatchKind,
    Switch,
    decision_header,
    follow,
)
from .records import RequestRecord, keep_record
from .snapshot import Snapshot

XML_CONTENT_TYPE = "application/xml"
METHODS = ("GET", "HEAD", "POST")
MAX_CHOICES = 4096  # switch answers remembered per published snapshot (see _Choices)
TOKEN_PREFIX = "/t/"
FLOWS_PREFIX = "/flows/"
STATUS_PATH = "/status"
JSON_TYPES = ("application/json", "text/json")
FORM_TYPES = ("application/x-www-form-urlencoded", "application/octet-stream", "text/plain")
SHOWN_PATH = 256  # characters of a caller's path said back in a 404
_XML_HEADERS = CIMultiDict({"Content-Type": f"{XML_CONTENT_TYPE}; charset=utf-8"})  # copied
# Content-Type headers as sent -> the type aiohttp's content_type parses out of them.
_KNOWN_TYPES = {
    "application/json": "application/json",
    "application/json; charset=utf-8": "application/json",
    "application/json; charset=UTF-8": "application/json",
    "application/x-www-form-urlencoded": "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8": "application/x-www-form-urlencoded",
}

_logger = logging.getLogger(__name__)


class Refusal(Exception):
    """A request answered with an error status and a one-line plain-text message; `close`
    ends the connection after it (the rest of a body is not read)."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        close: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.close = close


class Answer(NamedTuple):
    """What a route answers: the status, the exact body bytes and how to send them."""

    status: int
    body: bytes  # the flow's bytes (the snapshot's own object), a message, or b""
    xml: bool = False  # a flow (application/xml), else plain text (or nothing)
    headers: dict[str, str] | None = None
    reads_fields: bool = False  # a POST to a known route: its body's fields are read
    decisions: tuple[Decision, ...] = ()  # what the switches on the way chose


def route(
    snapshot: Snapshot,
    method: str,
    path: str,
    params: Mapping[str, object] | None = None,
    moment: datetime | None = None,
) -> Answer:
    """What the server answers `method path` from `snapshot` (`path` without /t/TOKEN);
    a switch chooses with `params` (every field of the request) at `moment` (now if None).

    Pure: no request, no I/O, so a logged request can be answered again (replay). What it
    cannot know is decided by the server around it: the token (403) and a body that cannot
    be read (400, 408, 413) when `reads_fields`. For HEAD the body is what GET would send;
    the server sends only the headers.
    """
    found = locate(snapshot, method, path)
    if isinstance(found, Answer):
        return found
    return choose(snapshot, found, method, params or {}, moment or datetime.now(UTC))


def locate(snapshot: Snapshot, method: str, path: str) -> Answer | str:
    """The answer to `method path` when it does not depend on the request's fields, else
    the name of the switch that chooses it (see `choose`)."""
    if path.startswith(FLOWS_PREFIX):
        name: str | None = path[len(FLOWS_PREFIX) :]
    elif path == "/":
        name = snapshot.entry
    elif path == STATUS_PATH:
        return _allowed(method) or Answer(200, b"", reads_fields=method == "POST")
    else:
        return _plain(404, f"not found: {_shown(path)} (flows are served at /flows/NAME)")
    refused = _allowed(method)
    if refused is not None:
        return refused
    xml = snapshot.flows.get(name) if name is not None else None
    if xml is not None:
        return Answer(200, xml, xml=True, reads_fields=method == "POST")
    if name in snapshot.switches:
        return name
    if name is None:
        message = "not found: no flow is published yet"
    else:
        message = f"not found: no flow named {_shown(name)!r}"
    return Answer(404, (message + "\n").encode(), reads_fields=method == "POST")


def choose(
    snapshot: Snapshot, switch: str, method: str, params: Mapping[str, object], moment: datetime
) -> Answer:
    """The answer of `switch` for a request with `params` at `moment`: the FlexML of the
    flow it leads to (through any switches after it), or why there is none."""
    way = follow(switch, snapshot.switches, params, moment)
    post = method == "POST"
    if way.target is None:
        assert way.failure is not None
        if way.circular:
            return Answer(
                500, f"internal error: {way.failure}\n".encode(), False, None, post, way.decisions
            )
        return Answer(404, f"not found: {way.failure}\n".encode(), False, None, post, way.decisions)
    xml = snapshot.flows.get(way.target)
    if xml is None:
        if way.decisions:
            last = way.decisions[-1].switch
            message = f"not found: switch {last!r} goes to {way.target!r}, which is no flow"
        else:
            message = f"not found: no flow or switch named {way.target!r}"
        return Answer(404, (message + "\n").encode(), False, None, post, way.decisions)
    return Answer(200, xml, True, None, post, way.decisions)


def _allowed(method: str) -> Answer | None:
    """None when routes take `method`, else its 405."""
    if method in METHODS:
        return None
    return _plain(405, f"method {method} is not allowed", {"Allow": ", ".join(METHODS)})


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, (message + "\n").encode(), headers=headers)


def _shown(text: str) -> str:
    """A caller's path or name as a message says it back: cut, so the message (which the
    request's record keeps) stays short whatever was sent."""
    return text if len(text) <= SHOWN_PATH else text[:SHOWN_PATH] + "…"


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
        clock: Callable[[], float] = time,
    ) -> None:
        self.snapshot = Snapshot()
        self._record = record
        self._token = token
        self._body_timeout = body_timeout
        # Seconds since the epoch, as time.time: the request's time in its record, and the
        # time switches choose by (opening hours), so a replay chooses as the request did.
        self.clock = clock
        self._choices = _Choices()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        started = perf_counter()
        when = self.clock()
        method = request.method
        # No query string (a CarrierX POST): no parsing of one.
        params: dict[str, Any] = dict(request.query) if request.query_string else {}
        path = request.path
        token = self._token
        decisions: tuple[Decision, ...] = ()
        try:
            path, allowed = (path, True) if token is None else _authorise(path, params, token)
            if allowed:
                response, decisions, params = await self._answer(
                    request, method, path, params, when
                )
            else:
                # Decided from the request line alone: no byte of a body is read, and the
                # connection ends with the answer.
                response = _text(403, "forbidden: this server needs its access token")
                response.force_close()
        except Refusal as refusal:
            response = _text(refusal.status, refusal.message, refusal.headers)
            if refusal.close:
                response.force_close()
        except Exception:  # a bug of ours must not take the server down
            _logger.exception("the flow server failed on %s %s", method, mask_token(path, token))
            response = _text(500, "internal error in the flow server")
        body = response.body
        if method == "HEAD" or not isinstance(body, bytes):
            body = b""
        elif token is not None and response.status >= 400 and token.encode() in body:
            body = mask_token(body.decode(), token).encode()  # a 404 saying the path back
        latency_ms = (perf_counter() - started) * 1000
        status, size = response.status, len(body)
        record = keep_record(
            when, method, path, params, status, size, latency_ms, body, decisions, token
        )
        self._record(record)
        return response

    async def _answer(
        self, request: web.BaseRequest, method: str, path: str, params: dict[str, Any], when: float
    ) -> tuple[web.Response, tuple[Decision, ...], dict[str, Any]]:
        """The response, what the switches chose, and every field of the request (`params`,
        with the body's on top)."""
        # The snapshot is read once, before the body: the whole request sees one snapshot.
        snapshot = self.snapshot
        found = locate(snapshot, method, path)
        if isinstance(found, Answer):
            answer = found
            if answer.reads_fields:  # raises Refusal (400, 408, 413)
                params = _on_top(params, await self._body_params(request))
        else:  # a switch: it chooses with every field of the request
            if method == "POST":  # in place: a failure below logs every field
                params.update(await self._body_params(request))
            answer, said = self._choices.answer(snapshot, found, method, params, when)
        headers: CIMultiDict[str] | dict[str, str] | None = answer.headers
        if answer.decisions:
            headers = CIMultiDict(said)
        if answer.xml and headers is None:  # a flow: its header made once (a flow's path)
            response = web.Response(body=answer.body, headers=_XML_HEADERS)
        elif answer.xml:
            response = web.Response(
                body=answer.body, content_type=XML_CONTENT_TYPE, charset="utf-8", headers=headers
            )
        elif not answer.body:
            response = web.Response(status=answer.status)
        else:
            response = web.Response(
                status=answer.status,
                body=answer.body,
                content_type="text/plain",
                charset="utf-8",
                headers=headers,
            )
        return response, answer.decisions, params

    async def _body_params(self, request: web.BaseRequest) -> dict[str, Any]:
        """The fields of a POST body: JSON (what CarrierX sends), or a form. A body with a
        Content-Encoding, or announced past MAX_BODY, is refused before any of it is read."""
        if not request.body_exists:
            return {}
        # The types CarrierX sends are looked up as sent, without parsing the header each
        # time; any other header is parsed as before.
        content_type = _KNOWN_TYPES.get(request.headers.get(CONTENT_TYPE, ""))
        if content_type is None:
            content_type = request.content_type
        try:
            if content_type == "multipart/form-data":
                return await read_form(request, timeout=self._body_timeout)
            body = await read_body(request, timeout=self._body_timeout)
        except BodyError as exc:
            # Refused before the body was all in: the rest is not read, the connection ends.
            raise Refusal(exc.status, exc.message, close=exc.status != 400) from None
        if content_type in JSON_TYPES or content_type.endswith("+json"):
            return _json_fields(body)
        if content_type in FORM_TYPES:
            if body.lstrip()[:1] == b"{":  # JSON sent without its content type
                return _json_fields(body)
            return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return {}  # some other kind of body: nothing CarrierX sends, so no fields


class _Choices:
    """What the switches chose, remembered for the next request with the same parameters.

    `choose` is pure, so while the snapshot stays the same, a request whose parameters the
    switches look at (`on`) are those of an earlier one gets the same answer and headers:
    about a tenth of a switch request's time saved (benchmarks/bench_server.py). A switch
    that leads to opening hours depends on the time only to the minute (hours are whole
    minutes, and so are the offsets of today's time zones), so its answers are remembered
    for the minute they were chosen in and forgotten when it ends. Only for values short
    enough to match (MAX_VALUE), and at most MAX_CHOICES answers per snapshot and per
    minute, so callers cannot make it grow."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.on: tuple[str, ...] = ()
        self.timeless: frozenset[str] = frozenset()  # switches that lead to no opening hours
        self.remembered: dict[tuple, tuple[Answer, list[tuple[str, str]]]] = {}
        self.minute = -1  # the minute the timed answers were chosen in
        self.timed: dict[tuple, tuple[Answer, list[tuple[str, str]]]] = {}

    def answer(
        self, snapshot: Snapshot, switch: str, method: str, params: dict[str, Any], when: float
    ) -> tuple[Answer, list[tuple[str, str]]]:
        """`choose`'s answer and its X-FlexML-Switch headers."""
        if snapshot is not self.snapshot:
            self._start(snapshot)
        if switch in self.timeless:
            remembered = self.remembered
        else:
            minute = int(when // 60)
            if minute != self.minute:
                self.minute, self.timed = minute, {}
            remembered = self.timed
        key = self._key(switch, method, params)
        if key is not None:
            found = remembered.get(key)
            if found is not None:
                return found
        answer = choose(snapshot, switch, method, params, datetime.fromtimestamp(when, UTC))
        said = [(SWITCH_HEADER, decision_header(d)) for d in answer.decisions]
        if key is not None and len(remembered) < MAX_CHOICES:
            remembered[key] = (answer, said)
        return answer, said

    def _start(self, snapshot: Snapshot) -> None:
        switches = snapshot.switches
        self.snapshot = snapshot
        self.on = tuple(sorted({s.on for s in switches.values()}))
        self.timeless = frozenset(name for name in switches if not _looks_at_time(name, switches))
        self.remembered = {}
        self.minute, self.timed = -1, {}

    def _key(self, switch: str, method: str, params: dict[str, Any]) -> tuple | None:
        key = [switch, method]
        for name in self.on:
            value = params.get(name)
            if value is not None and not (type(value) is str and len(value) <= MAX_VALUE):
                return None  # a number, or a value too long to keep: chosen afresh
            key.append(value)
        return tuple(key)


def _looks_at_time(name: str, switches: Mapping[str, Switch]) -> bool:
    """Whether switch `name`, or any switch it may lead to, has opening hours."""
    todo, seen = [name], {name}
    while todo:
        switch = switches[todo.pop()]
        if any(case.kind is MatchKind.HOURS for case in switch.cases):
            return True
        for target in switch.targets():
            if target in switches and target not in seen:
                seen.add(target)
                todo.append(target)
    return False


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


def _on_top(params: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The query's `params` with the body's `fields` on top; without a query (a CarrierX
    POST), the body's own dict, not a copy of it."""
    if not params:
        return fields
    params.update(fields)
    return params


def _json_fields(body: bytes) -> dict[str, Any]:
    if not body or body.isspace():
        return {}
    try:
        data = parse_json(body)  # at most MAX_DEPTH levels deep
    except BodyError as exc:
        raise Refusal(exc.status, exc.message) from None
    if not isinstance(data, dict):
        raise Refusal(400, "bad request: the JSON body must be an object of fields")
    return data


def _same(given: str, token: str) -> bool:
    # Constant time, so response timing does not reveal how much of a guess was right.
    return hmac.compare_digest(given.encode(), token.encode())


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=message + "\n", headers=headers)
