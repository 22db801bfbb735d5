"""FlexML over HTTP, as CarrierX requests it: POST with a JSON body, GET with a query string.

httpx is imported only when a request is made, so the CLI's in-process runs never load it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urljoin, urlsplit

from ..flexml import MAX_BYTES
from ..flexml.refs import flow_url, reference_target
from ..switches import SWITCH_HEADER, decision_from_header
from .events import STORAGE_PREFIX
from .sources import Answer, FetchError, Fields

if TYPE_CHECKING:
    import httpx

USER_AGENT = "FlexML-Studio-Simulator"
DEFAULT_TIMEOUT = 10.0  # seconds for a whole request, body included; connecting gets at most 5
# The longest URL FlexML Studio sends a GET with, its query string included. It is httpx's
# limit (MAX_URL_LENGTH in httpx/_urlparse.py) for a URL given as text and for each of its
# parts, the query among them; httpx sends a little more when it builds the URL from parts,
# but no server takes that. Servers take less: aiohttp (the flow server, the sandbox), nginx
# and Apache refuse a request line over about 8 KB with 400 or 414, which the interpreter
# explains when it comes back; a URL between the two is sent, as its server may take it.
MAX_URL_LENGTH = 65_536


class UrlTooLong(FetchError):
    """A GET whose fields make its URL longer than can be sent: the request is refused
    before it is built. Not a URL that could not be reached but the flow's own doing (its
    stored data, mostly), so a run in memory reports it as an error rather than as the
    call leaving the project."""


class HttpSource:
    """Fetches FlexML over HTTP with one httpx.AsyncClient (its own unless one is given).

    `flow_base_url` lets `flow:NAME` references resolve to BASE/flows/NAME, as the flow
    server serves them; without it such a reference cannot be followed over HTTP. What the
    flow server's switches chose is read from its X-FlexML-Switch headers.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        flow_base_url: str | None = None,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self._entry = url
        self._client = client
        self._owns_client = client is None
        self.timeout = timeout
        self.flow_base_url = flow_base_url
        self.max_bytes = max_bytes

    @property
    def entry_url(self) -> str | None:
        return self._entry

    async def __aenter__(self) -> HttpSource:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(5.0, self.timeout)),
                headers={"User-Agent": USER_AGENT},
            )
        return self._client

    def resolve(self, base: str, reference: str) -> str:
        target = reference_target(reference)
        if target is not None:
            return flow_url(self.flow_base_url, target) if self.flow_base_url else reference
        return urljoin(base, reference)

    async def fetch(self, url: str, method: str, fields: Fields) -> Answer:
        status, reason, body, said = await self._request(url, method, fields, read=True)
        decisions = tuple(d for d in map(decision_from_header, said) if d is not None)
        return Answer(url, status, reason, body=body, decisions=decisions)

    async def notify(self, url: str, method: str, fields: Fields) -> int | None:
        status, _, _, _ = await self._request(url, method, fields, read=False)
        return status

    async def _request(
        self, url: str, method: str, fields: Fields, *, read: bool
    ) -> tuple[int, str, bytes, list[str]]:
        """One request, start to end of the body, within one deadline of `timeout` seconds.

        httpx's timeouts are per step (each read of the body gets the whole timeout again),
        so an answer trickling one byte every few seconds would never end the call; the
        deadline here covers everything: waiting for a connection of the pool, connecting,
        sending, the headers and the whole body."""
        import httpx

        _check_url(url)
        client = self._http()
        progress = _Progress()
        try:
            request = _build(client, url, method, fields, progress)
            async with asyncio.timeout(self.timeout):
                response = await client.send(request, stream=True)
                progress.stage = _ANSWERED
                try:
                    body = await self._read(response, url) if read else b""
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException):
            raise FetchError(f"{method} {url}: {progress.late(self.timeout)}") from None
        except httpx.ConnectError as exc:
            raise FetchError(f"{method} {url}: cannot connect ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{method} {url} failed: {_reason(exc)}") from None
        except httpx.InvalidURL as exc:  # not an HTTPError; _check_url lets few through
            raise FetchError(f"{method} {url}: cannot be requested ({_reason(exc)})") from None
        said = response.headers.get_list(SWITCH_HEADER)
        return response.status_code, response.reason_phrase, body, said

    async def _read(self, response: httpx.Response, url: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(
                    f"{url} answered more than {self.max_bytes // 1048576} MiB; refused"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


def pool_limits(calls: int) -> httpx.Limits:
    """Connection limits for one client shared by up to `calls` calls at once (the
    sandbox's): a connection for each, as a call has one request out at a time, so no call
    waits in the pool. Only a few are kept alive when idle: httpx's pool scans all of its
    connections for every request, and 200 concurrent sandbox calls ran faster reconnecting
    (7.8 s on a busy machine) than keeping every connection (18 s) or queueing for 16 (11 s)."""
    import httpx

    size = max(1, calls)
    return httpx.Limits(max_connections=size, max_keepalive_connections=min(16, size))


_ACCEPT = {"Accept": "application/xml, text/xml;q=0.9, */*;q=0.1"}
_WAITING, _SENT, _ANSWERED = "waiting", "sent", "answered"


class _Progress:
    """How far a request got, for the message when its deadline passes. It waits in the
    client's pool until httpcore reports the first step on a connection (connecting, or
    sending on a kept-alive one) through the request's `trace` extension."""

    def __init__(self) -> None:
        self.stage = _WAITING

    async def trace(self, name: str, info: dict) -> None:
        if self.stage == _WAITING:
            self.stage = _SENT

    def late(self, timeout: float) -> str:
        if self.stage == _WAITING:
            return (
                f"no answer within {timeout:g} s: waiting for a connection "
                "(too many requests at once)"
            )
        if self.stage == _ANSWERED:
            return f"the answer did not end within {timeout:g} s (it came too slowly)"
        return f"no answer within {timeout:g} s"


def _build(
    client: httpx.AsyncClient, url: str, method: str, fields: Fields, progress: _Progress
) -> httpx.Request:
    import httpx

    extensions = {"trace": progress.trace}
    if method == "GET":
        query = {key: "" if value is None else value for key, value in fields.items()}
        target = httpx.URL(url)
        params = target.params.merge(query)
        _check_length(
            url, len(str(target).partition("#")[0].partition("?")[0]), str(params), fields
        )
        target = target.copy_with(params=params)
        return client.build_request("GET", target, headers=_ACCEPT, extensions=extensions)
    return client.build_request(method, url, json=fields, headers=_ACCEPT, extensions=extensions)


def _check_url(url: str) -> None:
    if reference_target(url) is not None:
        raise FetchError(f"{url} is a project flow; over HTTP it needs the flow server's base URL")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url!r} is not an absolute http(s) URL")


def check_get_length(url: str, fields: Fields) -> None:
    """UrlTooLong when a GET to `url` (a URL without a query) with `fields` would be longer
    than MAX_URL_LENGTH: a run in memory checks what the flow server would be sent."""
    query = urlencode({key: "" if value is None else value for key, value in fields.items()})
    _check_length(url, len(url), query, fields)


def _check_length(url: str, base_length: int, query: str, fields: Fields) -> None:
    """Refuse a GET whose URL (`base_length` characters before its query) with `query` (its
    fields, encoded as httpx encodes them) is longer than MAX_URL_LENGTH, saying how much of
    it is the call's stored data."""
    length = base_length + 1 + len(query)
    if length <= MAX_URL_LENGTH:
        return
    stored = {key: value or "" for key, value in fields.items() if key.startswith(STORAGE_PREFIX)}
    stored_length = len(urlencode(stored))
    message = (
        f"GET {url}: with its fields in the query string the URL would be {length:,} "
        f"characters, more than the {MAX_URL_LENGTH:,} FlexML Studio sends"
    )
    if stored_length * 2 > length:
        message += (
            f"; {stored_length:,} of them are the call's stored data (Storage_ fields, sent "
            "with every request after a Store): CarrierX would need POST for this request, "
            "which sends the fields in its body"
        )
    else:
        message += "; POST sends the fields in the body instead"
    raise UrlTooLong(message)


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
