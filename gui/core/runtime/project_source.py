"""FlexML straight from a project in memory: `flow:NAME` references, no HTTP.

A flow's address is ``flow:NAME``. Relative URLs are resolved as if the project were served
at its base URL (BASE/flows/NAME, as the flow server does), so ``menu``, ``/flows/menu`` and
BASE/flows/menu all lead to the flow ``menu``, and BASE itself to the entry flow. Any other
URL at BASE or under it (``/next`` with no base URL set, say) is one the project does not
serve: the flow server would answer 404, so the fetch fails as for a flow the project does
not have, and nothing is requested. A URL outside BASE goes to `fallback` (e.g. an
HttpSource) when one is given; without one, or when the fallback cannot reach it, the fetch
raises OutsideProject: the call "left the project" there, an outcome of its own and not a
failure (CarrierX's own examples redirect to such URLs). A request the fallback refuses to
make (a GET whose stored data makes its URL too long) is the flow's doing: an error.

``flow:SWITCH`` is answered as the flow server answers /flows/SWITCH: the switch chooses with
the request's fields (Digits, From, ...) at the time `clock` says, the answer is the chosen
flow and says what was chosen (`Answer.decisions`); no flow chosen is a 404 (a circle of
switches a 500) with the server's message, so a run in memory and one over HTTP agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from time import time
from urllib.parse import urljoin, urlsplit

from ..flexml.refs import PREFIX, flow_url, is_valid_name, reference_target
from ..project import Project
from ..switches import follow
from .http_source import UrlTooLong, check_get_length
from .sources import Answer, DocumentSource, FetchError, Fields, OutsideProject

BASE_URL_SETTING = "export-base-url"
# Where the project "is" when it names no base URL; .invalid never resolves (RFC 2606).
DEFAULT_BASE_URL = "http://project.invalid"


class ProjectSource:
    """Serves a project's flows to the interpreter, starting at `flow` (a flow or a switch)
    or the entry. `clock` gives the time switches choose by, in seconds since the epoch."""

    def __init__(
        self,
        project: Project,
        flow: str | None = None,
        *,
        base_url: str | None = None,
        fallback: DocumentSource | None = None,
        clock: Callable[[], float] = time,
    ) -> None:
        if not project.names:
            raise ValueError("the project has no flows")
        start = flow or project.entry or project.names[0]
        if start not in project and not project.is_switch(start):
            raise KeyError(f"the project has no flow or switch named {start!r}")
        self.project = project
        self.clock = clock
        self.start = start
        self.base_url = (
            base_url or project.settings.get(BASE_URL_SETTING) or DEFAULT_BASE_URL
        ).rstrip("/")
        self.fallback = fallback

    @property
    def entry_url(self) -> str:
        return PREFIX + self.start

    def resolve(self, base: str, reference: str) -> str:
        if reference_target(reference) is not None:
            return reference
        target = reference_target(base)
        http_base = flow_url(self.base_url, target) if target is not None else base
        return self._as_flow(urljoin(http_base, reference))

    def _as_flow(self, url: str) -> str:
        """`flow:NAME` for the project's own URLs, else `url` unchanged."""
        path = self._path_within(url)
        if path is None:
            return url
        if path == "":
            return PREFIX + (self.project.entry or self.project.names[0])
        prefix = "/flows/"
        if path.startswith(prefix) and is_valid_name(path[len(prefix) :]):
            return PREFIX + path[len(prefix) :]
        return url

    def _path_within(self, url: str) -> str | None:
        """The path of `url` below the base URL ("" for the base itself, else starting with
        "/", no trailing "/"), or None when `url` is not at the base URL or under it."""
        try:
            parts = urlsplit(url)
            base = urlsplit(self.base_url)
        except ValueError:
            return None
        if (parts.scheme.lower(), parts.netloc.lower()) != (
            base.scheme.lower(),
            base.netloc.lower(),
        ):
            return None
        path, root = parts.path.rstrip("/"), base.path.rstrip("/")
        if path == root:
            return ""
        if path.startswith(root + "/"):
            return path[len(root) :]
        return None

    async def fetch(self, url: str, method: str, fields: Fields) -> Answer:
        name = reference_target(url)
        if name is None:
            if self._path_within(url) is not None:  # the project's address, but no flow
                raise FetchError(f"{url}: the project has no flow there{self._where()}")
            if self.fallback is None:
                raise OutsideProject(url, "a run inside the project follows only its own flows")
            try:
                return await self.fallback.fetch(url, method, self._outside(fields))
            except UrlTooLong:
                raise
            except FetchError as exc:  # unreachable: where the flow goes is not ours to run
                raise OutsideProject(url, f"it could not be fetched ({exc.message})") from None
        project = self.project
        if method.upper() == "GET":  # the fields go in the URL the flow server is sent
            check_get_length(flow_url(self.base_url, name), self._outside(fields))
        if project.is_switch(name):
            return self._choose(url, name, fields)
        if name not in project:
            raise FetchError(f"{url}: the project has no flow named {name!r}")
        return Answer(url, 200, "OK", document=project.flow(name), flow_names=project.all_names)

    def _where(self) -> str:
        """Where the project's flows are, for a message about a URL that is none of them."""
        where = f" (its flows are at {self.base_url}/flows/NAME"
        if self.base_url == DEFAULT_BASE_URL:
            where += f"; no base URL is set, so {DEFAULT_BASE_URL} stands for its address"
        return where + ")"

    def _choose(self, url: str, switch: str, fields: Fields) -> Answer:
        """What the flow server answers for a switch (routes.choose), from the project."""
        moment = datetime.fromtimestamp(self.clock(), UTC)
        way = follow(switch, self.project.switches, fields, moment)
        if way.target is None:
            assert way.failure is not None
            if way.circular:
                body = f"internal error: {way.failure}\n"
                return Answer(
                    url, 500, "Internal Server Error", body.encode(), None, None, way.decisions
                )
            body = f"not found: {way.failure}\n"
            return Answer(url, 404, "Not Found", body.encode(), None, None, way.decisions)
        if way.target not in self.project:
            last = way.decisions[-1]
            body = f"not found: switch {last.switch!r} goes to {way.target!r}, which is no flow\n"
            return Answer(url, 404, "Not Found", body.encode(), None, None, way.decisions)
        document = self.project.flow(way.target)
        return Answer(url, 200, "OK", None, document, self.project.all_names, way.decisions)

    async def notify(self, url: str, method: str, fields: Fields) -> int | None:
        if reference_target(url) is None and self.fallback is not None:
            if self.base_url == DEFAULT_BASE_URL and self._path_within(url) is not None:
                raise FetchError(
                    f"{url} is on the project's placeholder address: set the project's base "
                    "URL to send it"
                )
            return await self.fallback.notify(url, method, self._outside(fields))
        return None

    def _outside(self, fields: Fields) -> Fields:
        """The fields of a request leaving the project: a RequestUrl of flow:NAME becomes
        the URL the flow has when the project is served at its base URL."""
        name = reference_target(fields.get("RequestUrl") or "")
        if name is None:
            return fields
        return {**fields, "RequestUrl": flow_url(self.base_url, name)}

    async def aclose(self) -> None:
        if self.fallback is not None:
            await self.fallback.aclose()
