"""What the flow server serves: an immutable copy of a project's exported flows and switches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..switches import Switch

if TYPE_CHECKING:
    from ..project import Project


@dataclass(frozen=True)
class Snapshot:
    """Flow name -> the exact FlexML bytes to answer, the entry flow's name, and switch
    name -> switch (immutable, like the bytes), which choose one of the flows per request.

    Built on the thread that owns the project (the GUI thread, or the CLI's main thread);
    the server thread only reads it. It never changes after it is made, so publishing a new
    one is a single reference assignment and requests need no lock.
    """

    flows: Mapping[str, bytes] = field(default_factory=dict)
    entry: str | None = None
    switches: Mapping[str, Switch] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A read-only view of a private copy: nobody can change a published snapshot.
        object.__setattr__(self, "flows", MappingProxyType(dict(self.flows)))
        object.__setattr__(self, "switches", MappingProxyType(dict(self.switches)))
        if self.entry is not None and self.entry not in self.flows:
            raise ValueError(f"the entry flow {self.entry!r} is not in the snapshot")
        both = self.flows.keys() & self.switches.keys()
        if both:
            raise ValueError(f"{sorted(both)[0]!r} is both a flow and a switch")

    @classmethod
    def from_project(cls, project: Project, base_url: str | None) -> Snapshot:
        """Export every flow, `flow:` references resolved against `base_url`, and take
        every switch as it is.

        `base_url` is the server's public base, with its `/t/TOKEN` prefix when a token is
        set, so the URLs CarrierX follows from one flow to the next carry the token too.
        """
        flows = {
            name: project.export(name, base_url=base_url).encode("utf-8") for name in project.names
        }
        entry = project.entry if project.entry in flows else next(iter(flows), None)
        return cls(flows, entry, project.switches)
