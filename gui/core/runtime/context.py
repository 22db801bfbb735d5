"""What a verb handler may use of the call it runs in: the narrow side of the interpreter."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..flexml import Node
from .call import CallInfo
from .caller import Caller
from .clock import Clock
from .events import Event, Record
from .sources import DocumentSource
from .streams import CallStreams


@runtime_checkable
class VerbContext(Protocol):
    """The running call as verbs.py sees it; the Interpreter is the one the app runs.

    Kept to what the handlers use, so they depend on this and not on the interpreter (which
    depends on them)."""

    # Where the call stands; a verb reads these, and only Override changes the callback.
    status_callback: tuple[str, str] | None

    @property
    def source(self) -> DocumentSource: ...

    @property
    def caller(self) -> Caller: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def call(self) -> CallInfo:
        """Who calls whom (Sms's default numbers) and the call's SID."""
        ...

    @property
    def streams(self) -> CallStreams:
        """The call's media streams (Start, Stop, Connect)."""
        ...

    @property
    def answered(self) -> bool: ...

    def emit(self, event: Event) -> Event:
        """Stamp `event` with the call time, record it and tell the listeners."""
        ...

    def caller_acted(self) -> None:
        """The caller answered a Gather: what follows may differ, so no loop so far."""
        ...

    @property
    def storage(self) -> dict[str, str]:
        """What <Store> kept so far (name -> data), sent as Storage_{name}."""
        ...

    def store(self, name: str, data: str, node: Node | None = None) -> None:
        """Keep `data` under `name` for every later request; ends the call (CallFailed)
        when the call's stored data would pass CarrierX's 128 KB."""
        ...

    def record_session(self, record: Record) -> None:
        """A session recording (Record recordSession) started with `record`: it ends with
        the call."""
        ...

    async def prompts(self, node: Node, base: str) -> None:
        """Run the verbs nested in `node` (a Gather's or PreAnswer's prompts)."""
        ...
