"""Async clients for CarrierX's FlexML REST API (placing calls) and Core API (endpoints).

    async with FlexmlClient(api_url, login, password) as client:
        call = await client.create_call(CallRequest(calling_did=did, called_did="15162065318",
                                                    url="https://example.com/flows/main"))

Each client owns one `httpx.AsyncClient`. Every failure is a typed `CarrierXError`
(errors.py) whose message names no secret, and every answer is handed over with the
client's secrets redacted in its strings (an API that echoes the Authorization header
must not pass it on to what prints or keeps the answer). Nothing is ever retried: see
`_transport`. Logging (`gui.core.carrierx`) records method, path, status and time only:
never headers, credentials or bodies.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from ... import __version__
from ..redaction import redact_data
from .errors import (
    BadAnswerError,
    CarrierXError,
    ConnectionRefused,
    NameLookupError,
    NetworkError,
    RequestTimeout,
    TlsError,
    api_error,
    bad_answer,
    redact,
)

FLEXML_API_URL = "https://api.carrierx.com/flexml/v1"
CORE_API_URL = "https://api.carrierx.com/core/v2"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
PAGE_SIZE = 1000  # the most CarrierX lists give per page (FLEXML.md §5)
MAX_PAGES = 10_000  # a server that never stops is a broken server
MAX_ANSWER_BYTES = 32 * 1024 * 1024
METHODS = ("GET", "POST")
USER_AGENT = f"flexml-studio/{__version__}"

_logger = logging.getLogger("gui.core.carrierx")
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")

AuthKind = Literal["basic", "bearer", "core-basic"]


def check_api_url(url: str, what: str = "the API URL") -> str:
    """`url` without a trailing slash; ValueError when it is not an http(s) URL with a host."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"{what} is empty; give an http:// or https:// URL")
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unbalanced [ in the host
        raise ValueError(f"{what} is not a valid URL ({exc})") from None
    # First, before any message quotes the URL: a login or password in it must not be shown.
    if "@" in parts.netloc:
        raise ValueError(f"{what} must not carry a login or password; give them separately")
    try:
        port = parts.port  # ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise ValueError(f"{what} {url!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{what} {url!r} must start with https:// (or http://)")
    if not parts.hostname:
        raise ValueError(f"{what} {url!r} has no host name")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} {url!r} must not have a ?query or #fragment")
    del port
    return url.rstrip("/")


# -- requests and answers ----------------------------------------------------------------


@dataclass(frozen=True)
class CallRequest:
    """The body of POST /calls (FLEXML.md §4). Unset optional fields are not sent, so
    CarrierX applies its defaults (and the DID's URL when `url` is None)."""

    calling_did: str
    called_did: str
    url: str | None = None
    method: str | None = None
    delay: int | None = None
    timeout: int | None = None
    status_callback_url: str | None = None
    status_callback_method: str | None = None
    attributes: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        for name in ("calling_did", "called_did"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} is required")
        for name in ("method", "status_callback_method"):
            value = getattr(self, name)
            if value is not None and value not in METHODS:
                raise ValueError(f"{name} must be GET or POST, not {value!r}")
        if self.delay is not None and (_not_int(self.delay) or self.delay < 0):
            raise ValueError("delay must be a whole number of seconds, 0 or more")
        if self.timeout is not None and (_not_int(self.timeout) or self.timeout <= 0):
            raise ValueError("timeout must be a whole number of seconds, more than 0")
        if self.attributes is not None and not isinstance(self.attributes, Mapping):
            raise ValueError("attributes must be an object (a mapping)")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"calling_did": self.calling_did, "called_did": self.called_did}
        for name in (
            "url",
            "method",
            "delay",
            "timeout",
            "status_callback_url",
            "status_callback_method",
        ):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        if self.attributes is not None:
            body["attributes"] = dict(self.attributes)
        return body


def _not_int(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int)


@dataclass(frozen=True)
class FlexmlEndpoint:
    """A FlexML endpoint from the Core API, with the credentials of its FlexML API."""

    endpoint_sid: str
    name: str
    login: str
    password: str = field(repr=False)
    api_url: str = FLEXML_API_URL


@dataclass
class _Answer:
    status: int
    reason: str
    content_type: str
    body: bytes


# -- the shared machinery ----------------------------------------------------------------


class _Client:
    """One httpx.AsyncClient, typed errors, quiet logging and pagination."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None,
        headers: Mapping[str, str],
        auth_kind: AuthKind,
        secrets: list[str],
        timeout: httpx.Timeout | None,
        transport: httpx.AsyncBaseTransport | None,
        what: str,
    ) -> None:
        self.base_url = check_api_url(base_url, what)
        self._auth_kind = auth_kind
        self._secrets = [secret for secret in secrets if secret]
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=self._timeout,
            transport=transport or _transport(),
            follow_redirects=False,  # a redirect is no API answer; never resend a POST
        )

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one request ---------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
    ) -> _Answer:
        """The answer to one request, if its status is 2xx; else the typed error."""
        headers = {}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body).encode()
        started = time.perf_counter()
        try:
            async with self._http.stream(
                method, path, params=params, content=content, headers=headers
            ) as response:
                data = await _read(response)
        except httpx.DecodingError:
            raise bad_answer(
                response.status_code,
                method=method,
                path=path,
                problem="a body that cannot be decoded (its Content-Encoding is wrong)",
            ) from None
        except httpx.RequestError as exc:  # no answer: timeouts, connections, protocol
            elapsed = time.perf_counter() - started
            error = self._network_error(exc, method, path)
            _logger.debug("%s %s -> %s after %.0f ms", method, path, error.kind, elapsed * 1000)
            raise error from None
        except _TooLarge:
            raise bad_answer(
                response.status_code,
                method=method,
                path=path,
                problem=f"more than {MAX_ANSWER_BYTES // 1048576} MiB",
            ) from None
        elapsed = time.perf_counter() - started
        status = response.status_code
        _logger.debug("%s %s -> %d in %.0f ms", method, path, status, elapsed * 1000)
        answer = _Answer(
            status, response.reason_phrase, response.headers.get("Content-Type", ""), data
        )
        if status >= 400:
            raise api_error(
                status,
                method=method,
                path=path,
                body=data,
                content_type=answer.content_type,
                headers=response.headers,
                reason=response.reason_phrase,
                secrets=self._secrets,
                auth=self._auth_kind,
            )
        if not 200 <= status <= 299:
            where = response.headers.get("Location")
            problem = f"a {status} answer" + (f" sending elsewhere ({where})" if where else "")
            raise self._bad(answer, method, path, redact(problem, self._secrets))
        return answer

    def _bad(self, answer: _Answer, method: str, path: str, problem: str) -> BadAnswerError:
        return bad_answer(
            answer.status,
            method=method,
            path=path,
            problem=problem,
            body=answer.body,
            content_type=answer.content_type,
            secrets=self._secrets,
        )

    async def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The answer's JSON object (BadAnswerError for anything else)."""
        answer = await self._request(method, path, **kwargs)
        try:
            data = json.loads(answer.body)
        except (ValueError, UnicodeDecodeError):
            problem = "an empty body" if not answer.body.strip() else "not JSON"
            raise self._bad(answer, method, path, problem) from None
        if not isinstance(data, dict):
            problem = f"{_json_kind(data)} where a JSON object was expected"
            raise self._bad(answer, method, path, problem)
        return redact_data(data, self._secrets)

    # -- lists ---------------------------------------------------------------------------

    async def _all_pages(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """Every item of a CarrierX list, page after page (FLEXML.md §5), guarding against a
        server whose pages do not move on."""
        items: list[dict[str, Any]] = []
        offset = 0
        asked: set[int] = set()

        def loops(problem: str) -> BadAnswerError:
            return BadAnswerError(
                f"the list at {path} does not page properly: {problem}; "
                f"stopped after {len(asked)} pages"
            )

        while True:
            if offset in asked:
                raise loops(f"it sent offset {offset} again")
            if len(asked) >= MAX_PAGES:
                raise loops(f"it went on for more than {MAX_PAGES} pages")
            asked.add(offset)
            query = {**(params or {}), "limit": page_size, "offset": offset}
            page = await self._object("GET", path, params=query)
            chunk = page.get("items")
            if not isinstance(chunk, list) or not all(isinstance(i, dict) for i in chunk):
                raise BadAnswerError(
                    f"the answer to GET {path} is not a CarrierX list: "
                    "it has no items array of objects"
                )
            answered_offset = page.get("offset")
            if isinstance(answered_offset, int) and answered_offset != offset:
                raise loops(f"asked for offset {offset}, it answered offset {answered_offset}")
            items.extend(chunk)
            if not _has_more(page):
                return items
            if not chunk:
                raise loops("it said there is more but gave an empty page")
            total = page.get("total")
            if isinstance(total, int) and not isinstance(total, bool) and len(items) > total:
                raise loops(f"it gave {len(items)} items of a total of {total}")
            following = _next_offset(page, offset, len(chunk))
            if following <= offset:
                raise loops(f"after offset {offset} it sent offset {following} next")
            offset = following

    # -- errors --------------------------------------------------------------------------

    def _network_error(self, exc: httpx.RequestError, method: str, path: str) -> NetworkError:
        host, port = self._host_port()
        where = f"{host}:{port}"
        what = f"{method} {path}"
        if isinstance(exc, httpx.TimeoutException):
            phase = {
                httpx.ConnectTimeout: "connect",
                httpx.ReadTimeout: "read",
                httpx.WriteTimeout: "write",
                httpx.PoolTimeout: "pool",
            }.get(type(exc), "read")
            limit = getattr(self._timeout, phase, None)
            within = f" within {limit:g} s" if isinstance(limit, int | float) else ""
            text = {
                "connect": f"could not connect to {where}{within} ({what} timed out)",
                "read": f"{where} did not answer {what}{within} (read timeout)",
                "write": f"could not send {what} to {where}{within} (write timeout)",
                "pool": f"no free connection to {where}{within} for {what} (pool timeout)",
            }[phase]
            if method == "POST" and phase in ("read", "write"):
                text += "; the request may have been carried out anyway"
            return RequestTimeout(text, phase=phase, limit=limit)
        causes = _causes(exc)
        if any(isinstance(c, socket.gaierror) for c in causes):
            return NameLookupError(
                f"the host name {host!r} could not be resolved (check the API URL and "
                "the network connection)"
            )
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return ConnectionRefused(
                f"nothing accepts connections at {where} (connection refused): check the API "
                "URL, and that the server is running"
            )
        tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
        if tls is not None:
            reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None)
            reason = redact(str(reason or tls), self._secrets)
            return TlsError(
                f"a secure (TLS) connection to {where} failed: {reason}; the certificate may "
                "be wrong, or a proxy is in the way"
            )
        reason = redact(str(exc) or type(exc).__name__, self._secrets)
        if isinstance(exc, httpx.RemoteProtocolError):
            text = f"{where} closed the connection without a proper answer to {what} ({reason})"
        elif isinstance(exc, httpx.ConnectError):
            text = f"could not connect to {where} ({reason})"
        else:
            text = f"{what} to {where} failed ({reason})"
        if method == "POST" and not isinstance(exc, httpx.ConnectError):
            text += "; the request may have been carried out anyway"
        return NetworkError(text)

    def _host_port(self) -> tuple[str, int]:
        url = httpx.URL(self.base_url)
        port = url.port or (443 if url.scheme == "https" else 80)
        return url.host, port


def _transport() -> httpx.AsyncHTTPTransport:
    # retries=0, on purpose (it is httpx's default; we say it so nobody "improves" it):
    # POST /calls is not idempotent, and a retried POST whose first try did reach CarrierX
    # places a second call. Nothing here retries; the caller decides, knowing that.
    return httpx.AsyncHTTPTransport(
        retries=0,
        limits=httpx.Limits(max_connections=10, max_keepalive_connections=5, keepalive_expiry=30),
    )


class _TooLarge(Exception):
    pass


async def _read(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _json_kind(data: object) -> str:
    if isinstance(data, list):
        return "a JSON list"
    if isinstance(data, str):
        return "a JSON string"
    if data is None:
        return "JSON null"
    if isinstance(data, bool):
        return "a JSON true/false"
    if isinstance(data, int | float):
        return "a JSON number"
    return "JSON"


def _has_more(page: Mapping[str, Any]) -> bool:
    has_more = page.get("has_more")
    if isinstance(has_more, bool):
        return has_more
    pagination = page.get("pagination")
    return isinstance(pagination, dict) and bool(pagination.get("next"))


def _next_offset(page: Mapping[str, Any], offset: int, count: int) -> int:
    """Where the next page starts: the `pagination.next` link's offset when it has one
    (only its offset is used: the link's host is never requested), else after this page."""
    pagination = page.get("pagination")
    link = pagination.get("next") if isinstance(pagination, dict) else None
    if isinstance(link, str):
        try:
            values = parse_qs(urlsplit(link).query).get("offset")
            if values:
                return int(values[0])
        except ValueError:
            pass
    return offset + count


def _sid_path(prefix: str, sid: str) -> str:
    if not isinstance(sid, str) or not sid.strip():
        raise ValueError("a call SID is required")
    return f"{prefix}/{quote(sid.strip(), safe='')}"


# -- the FlexML API ----------------------------------------------------------------------


class FlexmlClient(_Client):
    """The FlexML REST API (FLEXML.md §4) with a FlexML endpoint's login and password."""

    def __init__(
        self,
        api_url: str,
        login: str,
        password: str,
        *,
        timeout: httpx.Timeout | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if not login:
            raise ValueError("the FlexML API login is empty")
        if not password:
            raise ValueError("the FlexML API password is empty")
        if ":" in login:
            raise ValueError("the FlexML API login cannot contain a colon (:)")
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {PAGE_SIZE}")
        self.login = login
        self.page_size = page_size
        super().__init__(
            api_url,
            auth=httpx.BasicAuth(login, password),
            headers={},
            auth_kind="basic",
            secrets=[password, f"{login}:{password}"],
            timeout=timeout,
            transport=transport,
            what="the FlexML API URL",
        )

    async def create_call(self, request: CallRequest) -> dict[str, Any]:
        """POST /calls: place (or schedule, with a delay) a call; the Call object (its
        `url` is null when the request had none: the calling DID's is used). Never
        retried: if it fails without an answer, the call may or may not exist."""
        call = await self._object("POST", "/calls", body=request.to_json())
        if not isinstance(call.get("call_sid"), str) or not call["call_sid"]:
            raise BadAnswerError(
                "the answer to POST /calls is not a Call object (it has no call_sid); check "
                "the API URL"
            )
        return call

    async def get_call(self, call_sid: str) -> dict[str, Any]:
        """GET /calls/{call_sid}: one call (NotFoundError once it has expired)."""
        return await self._object("GET", _sid_path("/calls", call_sid))

    async def list_calls(self) -> list[dict[str, Any]]:
        """GET /calls: the scheduled calls (delay > 0) not placed yet, every page."""
        return await self._all_pages("/calls", page_size=self.page_size)

    async def cancel_call(self, call_sid: str) -> None:
        """DELETE /calls/{call_sid}: cancel a scheduled call."""
        await self._request("DELETE", _sid_path("/calls", call_sid))

    async def list_dids(self) -> list[dict[str, Any]]:
        """GET /dids: the DIDs routed to this endpoint (the valid calling_did), every page."""
        return await self._all_pages("/dids", page_size=self.page_size)


# -- the Core API ------------------------------------------------------------------------


class CoreClient(_Client):
    """The Core API (FLEXML.md §5): a Bearer token, or Basic auth with a login and password."""

    def __init__(
        self,
        core_url: str = CORE_API_URL,
        *,
        token: str | None = None,
        login: str | None = None,
        password: str | None = None,
        timeout: httpx.Timeout | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {PAGE_SIZE}")
        self.page_size = page_size
        if token:
            if not _HEADER_SAFE.fullmatch(token):
                raise ValueError(
                    "the Core API token can only hold printable ASCII characters, no spaces"
                )
            if login or password:
                raise ValueError("give the Core API a token or a login and password, not both")
            auth: httpx.Auth | None = None
            headers = {"Authorization": f"Bearer {token}"}
            kind: AuthKind = "bearer"
            secrets = [token]
        elif login and password:
            auth = httpx.BasicAuth(login, password)
            headers = {}
            kind = "core-basic"
            secrets = [password, f"{login}:{password}"]
        else:
            raise ValueError("the Core API needs a token, or a login and password")
        super().__init__(
            core_url,
            auth=auth,
            headers=headers,
            auth_kind=kind,
            secrets=secrets,
            timeout=timeout,
            transport=transport,
            what="the Core API URL",
        )

    async def list_flexml_endpoints(self) -> list[FlexmlEndpoint]:
        """The account's FlexML endpoints with their FlexML API credentials, every page."""
        items = await self._all_pages(
            "/endpoints", {"filter": 'type eq "flexml"'}, page_size=self.page_size
        )
        endpoints = []
        for item in items:
            if item.get("type", "flexml") != "flexml":
                continue  # the filter did it already; a server that ignores it is no reason
            properties = item.get("properties")
            properties = properties if isinstance(properties, dict) else {}
            api_url = properties.get("api_url")
            endpoints.append(
                FlexmlEndpoint(
                    endpoint_sid=str(item.get("endpoint_sid") or ""),
                    name=str(item.get("name") or ""),
                    login=str(properties.get("login") or ""),
                    password=str(properties.get("password") or ""),
                    api_url=api_url if isinstance(api_url, str) and api_url else FLEXML_API_URL,
                )
            )
        return endpoints

    async def list_dids(self) -> list[dict[str, Any]]:
        """GET /phonenumber/dids: the account's rented DIDs, every page."""
        return await self._all_pages("/phonenumber/dids", page_size=self.page_size)


__all__ = [
    "CORE_API_URL",
    "DEFAULT_TIMEOUT",
    "FLEXML_API_URL",
    "CallRequest",
    "CarrierXError",
    "CoreClient",
    "FlexmlClient",
    "FlexmlEndpoint",
    "check_api_url",
]
