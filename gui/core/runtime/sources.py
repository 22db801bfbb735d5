"""Where a call's FlexML comes from: one interface for HTTP and for a project in memory."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from ..flexml import Document
from ..switches import Decision

Fields = dict[str, str | None]


class FetchError(Exception):
    """A document or callback could not be requested at all (no answer, unknown flow...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OutsideProject(FetchError):
    """The call went to a URL outside the project that a run in memory does not follow
    (or could not fetch): not a failure of the flow, which on CarrierX would go on there."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the call left the project at {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """What a request for FlexML got back: a parsed document (in memory) or a body (HTTP)."""

    url: str
    status: int
    reason: str = ""
    body: bytes | None = None
    document: Document | None = None
    # The project's flow and switch names, so lint can check flow: references; None over HTTP.
    flow_names: Collection[str] | None = None
    # What the project's switches chose on the way to this FlexML (the request was for a
    # switch): in memory from the project, over HTTP from the flow server's headers.
    decisions: tuple[Decision, ...] = ()

    @property
    def fingerprint(self) -> object:
        """Equal for answers with the same FlexML (the loop guard compares them)."""
        return id(self.document) if self.document is not None else hash(self.body)


class DocumentSource(Protocol):
    """Fetches FlexML for a call and sends its callbacks."""

    @property
    def entry_url(self) -> str | None:
        """Where a call starts when no URL is given (a project's entry flow), or None."""

    def resolve(self, base: str, reference: str) -> str:
        """The URL `reference` (from the document at `base`) points at."""

    async def fetch(self, url: str, method: str, fields: Fields) -> Answer:
        """Request the FlexML at `url`; raise FetchError when there is no answer."""

    async def notify(self, url: str, method: str, fields: Fields) -> int | None:
        """Send a callback whose answer is ignored: its HTTP status, or None when it was
        not sent (no way to reach `url`); raise FetchError when sending failed."""

    async def aclose(self) -> None: ...
