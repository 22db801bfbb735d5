"""What one run of the app keeps for all its panels, without Qt: the flow server's tokens (to
mask them wherever a URL is shown or kept), every request the flow server received (across
its restarts), and one FlexML API client per profile (closed on the way out).

Use it from one thread (the GUI's); the HTTP clients belong to the event loop they are used
on, which is also where `aclose` must run.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # not at run time: they load httpx and aiohttp, which a start need not wait for
    from .carrierx import FlexmlClient
    from .profiles import Endpoint
    from .server import RequestRecord

_logger = logging.getLogger(__name__)
HISTORY = 5000  # requests remembered for the call log, across flow server restarts
MASK = "…"  # what a flow server token becomes wherever a URL is shown or kept

V = TypeVar("V")
ClientKey = tuple[str, str, str, str]  # profile, API URL, login, password


class Session:
    """See the module docstring."""

    def __init__(self, *, history: int = HISTORY) -> None:
        self.client_timeout: float | None = None  # seconds; None: the client's own (5 s / 15 s)
        self._tokens: set[str] = set()  # every flow server token of this session
        self._history: deque[RequestRecord] = deque(maxlen=history)
        self._clients: dict[ClientKey, FlexmlClient] = {}
        self._retired: list[FlexmlClient] = []  # clients of changed credentials, to close

    # -- the flow server's tokens ---------------------------------------------------------------

    def add_token(self, token: str | None) -> None:
        """Mask this flow server token from now on (old records keep holding old tokens, so
        none is ever forgotten)."""
        if token:
            self._tokens.add(token)

    def mask(self, value: V) -> V:
        """`value` (a URL, or a dict/list holding URLs) with every flow server token of this
        session replaced by "…": a URL is shown and kept (call log, request log, simulator,
        status bar) without the secret. Other values come back as they are."""
        if not self._tokens:
            return value
        return _masked(value, self._tokens)

    # -- the requests ---------------------------------------------------------------------------

    def remember(self, records: Iterable[RequestRecord]) -> None:
        """Keep these requests (the oldest are forgotten past `history`)."""
        self._history.extend(records)

    def records_for(self, call_sid: str) -> list[RequestRecord]:
        """The requests the flow server received for one call (also before a restart)."""
        return [r for r in self._history if r.call_sid == call_sid]

    # -- API clients ----------------------------------------------------------------------------

    def client(self, endpoint: Endpoint) -> FlexmlClient:
        """One FlexML API client (one keep-alive connection pool) per profile and login; new
        credentials for a profile retire its old client (closed by `aclose`)."""
        from .carrierx import FlexmlClient

        key = (endpoint.profile, endpoint.api_url, endpoint.login, endpoint.password)
        client = self._clients.get(key)
        if client is None:
            for old in [k for k in self._clients if k[0] == endpoint.profile]:
                self._retired.append(self._clients.pop(old))
            timeout = None
            if self.client_timeout is not None:
                import httpx

                timeout = httpx.Timeout(self.client_timeout)
            client = self._clients[key] = FlexmlClient(
                endpoint.api_url, endpoint.login, endpoint.password, timeout=timeout
            )
        return client

    def has_clients(self) -> bool:
        """Whether any client (current or retired) is still to close."""
        return bool(self._clients or self._retired)

    async def aclose(self) -> None:
        """Close every client, on the event loop they were used on; one failing to close
        does not keep the others open."""
        clients = [*self._clients.values(), *self._retired]
        self._clients.clear()
        self._retired = []
        for client in clients:
            try:
                await client.aclose()
            except Exception as exc:
                if _loop_gone(exc):
                    # The event loop stopped with this close half done (qasync runs a last
                    # step after its loop ended, and an exit throws pending coroutines away):
                    # without a loop nothing more can be closed, the sockets go with the
                    # process, and that is no failure to report.
                    return
                _logger.exception("closing an API client failed")


def _loop_gone(exc: BaseException) -> bool:
    """Whether `exc` comes of the coroutine running on after its event loop ended: httpx's
    close then fails with RuntimeError("no running event loop"), in a step run without a
    running loop, or while the coroutine is thrown away (GeneratorExit thrown in)."""
    import asyncio  # a window starts without it (gui.qt.app.run)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    cause: BaseException | None = exc
    for _depth in range(20):  # a __context__ chain is short; never follow a cycle for ever
        if cause is None:
            break
        if isinstance(cause, GeneratorExit):
            return True
        cause = cause.__context__
    return False


def _masked(value: Any, tokens: set[str]) -> Any:
    if isinstance(value, str):
        for token in tokens:
            value = value.replace(token, MASK)
        return value
    if isinstance(value, dict):
        return {key: _masked(item, tokens) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, tokens) for item in value]
    return value
