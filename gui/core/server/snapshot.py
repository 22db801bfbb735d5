"""What the flow server serves: an immutable copy of a project's exported flows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..project import Project


@dataclass(frozen=True)
class Snapshot:
    """Flow name -> the exact FlexML bytes to answer, and the entry flow's name.

    Built on the thread that owns the project (the GUI thread, or the CLI's main thread);
    the server thread only reads it. It never changes after it is made, so publishing a new
    one is a single reference assignment and requests need no lock.
    """

    flows: Mapping[str, bytes] = field(default_factory=dict)
    entry: str | None = None

    def __post_init__(self) -> None:
        # A read-only view of a private copy: nobody can change a published snapshot.
        object.__setattr__(self, "flows", MappingProxyType(dict(self.flows)))
        if self.entry is not None and self.entry not in self.flows:
            raise ValueError(f"the entry flow {self.entry!r} is not in the snapshot")

    @classmethod
    def from_project(cls, project: Project, base_url: str | None) -> Snapshot:
        """Export every flow, `flow:` references resolved against `base_url`.

        `base_url` is the server's public base, with its `/t/TOKEN` prefix when a token is
        set, so the URLs CarrierX follows from one flow to the next carry the token too.
        """
        flows = {
            name: project.export(name, base_url=base_url).encode("utf-8") for name in project.names
        }
        entry = project.entry if project.entry in flows else next(iter(flows), None)
        return cls(flows, entry)
