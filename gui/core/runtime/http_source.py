"""FlexML over HTTP, as CarrierX requests it: POST with a JSON body, GET with a query string.

httpx is imported only when a request is made, so the CLI's in-process runs never load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from ..flexml import MAX_BYTES
from ..flexml.refs import flow_url, reference_target
from ..switches import SWITCH_HEADER, decision_from_header
from .sources import Answer, FetchError, Fields

if TYPE_CHECKING:
    import httpx

USER_AGENT = "FlexML-Studio-Simulator"
DEFAULT_TIMEOUT = 10.0  # seconds for a whole request; connecting gets at most 5


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
        import httpx

        _check_url(url)
        client = self._http()
        try:
            if method == "GET":
                query = {key: "" if value is None else value for key, value in fields.items()}
                request = client.build_request(
                    "GET", httpx.URL(url).copy_merge_params(query), headers=_ACCEPT
                )
            else:
                request = client.build_request(method, url, json=fields, headers=_ACCEPT)
            response = await client.send(request, stream=True)
            try:
                body = await self._read(response, url) if read else b""
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise FetchError(f"{method} {url}: no answer within {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise FetchError(f"{method} {url}: cannot connect ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{method} {url} failed: {_reason(exc)}") from None
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


_ACCEPT = {"Accept": "application/xml, text/xml;q=0.9, */*;q=0.1"}


def _check_url(url: str) -> None:
    if reference_target(url) is not None:
        raise FetchError(f"{url} is a project flow; over HTTP it needs the flow server's base URL")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url!r} is not an absolute http(s) URL")


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
