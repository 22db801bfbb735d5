"""The simulator panel's runs: what each call did, line by line, and where it is now.

A `Run` is a simulated call or a sandbox call. It is fed the call's events in order and
keeps them (Save as test proposes a test from them), when on the wall clock each switch
decided (an opening-hours switch decides by that clock), the transcript lines, the Gather
waiting for keys, the verb running (for the editor's highlight), the data its Stores kept
and how the call ended. `RunHistory` keeps the last few runs, in memory only. Nothing here
touches Qt: the panel draws what these hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from ...core.flexml import Document, Node
from ...core.flexml.refs import reference_target
from ...core.runtime.events import (
    Ended,
    Error,
    Event,
    Fetched,
    GatherDone,
    GatherStarted,
    LeftProject,
    Pause,
    Say,
    Started,
    Stored,
    StreamNote,
    SwitchTaken,
    quoted,
)

HISTORY_SIZE = 20
STORED_VALUE_CHARS = 40  # of each stored value in the "Stored:" line
STORED_LINE_CHARS = 300  # of the whole line


class RunKind(Enum):
    SIMULATED = "simulated"
    SANDBOX = "sandbox"


class LineKind(Enum):
    EVENT = "event"
    SAY = "say"
    ERROR = "error"
    NOTE = "note"


@dataclass(frozen=True)
class Line:
    """One transcript line: the text shown and how it is drawn."""

    text: str
    kind: LineKind = LineKind.EVENT


def event_line(event: Event) -> Line:
    """The transcript line of one event: its call time and what happened."""
    if isinstance(event, Error):
        kind = LineKind.ERROR
    elif isinstance(event, LeftProject | StreamNote):  # an outcome or a remark, no failure
        kind = LineKind.NOTE
    elif isinstance(event, Say):
        kind = LineKind.SAY
    else:
        kind = LineKind.EVENT
    return Line(f"{event.at:.1f} s  {event.describe()}", kind)


def waiting_text(gather: GatherStarted) -> str:
    """ "Waiting for keys: numDigits 1, finish #, timeout 8 s -> flow:choice" """
    rules = [f"numDigits {gather.num_digits}" if gather.num_digits else "any number of keys"]
    rules.append(f"finish {gather.finish_on_key}" if gather.finish_on_key else "no finish key")
    if gather.valid_digits:
        rules.append(f"only {gather.valid_digits}")
    rules.append(f"timeout {gather.timeout} s")
    target = f" -> {gather.action}" if gather.action else " (no action: the next verb runs)"
    return f"Waiting for keys: {', '.join(rules)}{target}"


def find_by_path(document: Document, path: str, tag: str) -> Node | None:
    """The node of `document` at `path` (Node.path()'s form) if it is a `tag`, else None."""
    parts = path.strip("/").split("/")
    node = document.root
    if not parts or parts[0] != node.tag:
        return None
    for part in parts[1:]:
        name, _, rest = part.partition("[")
        try:
            ordinal = int(rest.rstrip("]"))
        except ValueError:
            return None
        matches = [c for c in node.children if c.tag == name]
        if not 0 < ordinal <= len(matches):
            return None
        node = matches[ordinal - 1]
    return node if node.tag == tag else None


class Run:
    """One call shown by the panel; see the module docstring.

    For a run over HTTP (the flow server, or a sandbox call), the events' nodes belong to
    the documents the call fetched, not to the project: `flow_of(url)` names the project
    flow a URL serves, so `running_node` can find the project's node at the same place.
    """

    def __init__(
        self,
        kind: RunKind,
        title: str,
        *,
        call_sid: str | None = None,
        speed: float | None = None,
        in_project: bool = False,
        flow_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.kind = kind
        self.title = title
        self.call_sid = call_sid
        self.speed = speed  # times real time; None: instant (or unknown)
        self.in_project = in_project  # the events' nodes are the project's own
        self.flow_of = flow_of or (lambda url: None)
        self.started = datetime.now().astimezone()  # with its offset: a test's clock
        self.start_flow: str | None = None  # the flow a simulated run was started at
        self.events: list[Event] = []
        # When each switch decided, by its event's index: the wall clock, which opening
        # hours go by, runs apart from the call's own time (a Pause of an instant run).
        self.decided: dict[int, datetime] = {}
        self.lines: list[Line] = []
        self.status: str | None = None  # how it ended (CallStatus), None while it runs
        self.left: LeftProject | None = None  # where the run left the project, if it did
        self.stored: dict[str, str] = {}  # what its Stores kept, sent as Storage_{name}
        self.live = True
        self.gather: GatherStarted | None = None  # a Gather started and not done
        self.sent = ""  # keys sent into that Gather from here (sandbox calls)
        self.pause: Pause | None = None  # the Pause running now
        self.pause_since = 0.0  # event-loop time it started
        self.node: Node | None = None  # the node of the latest event that had one
        self.node_flow: str | None = None  # the project flow `node`'s document serves
        self.flow: str | None = None  # the flow being run (HTTP runs)
        self._served: dict[str, str] = {}  # the project flow each URL requested served
        self.stopped = False  # the person stopped it before it ended
        self.failure: str | None = None  # why the run failed outside the call, if it did
        # A simulated run's machinery, set by the panel while it runs.
        self.interpreter: Any = None
        self.caller: Any = None
        self.task: Any = None

    @property
    def simulated(self) -> bool:
        return self.kind is RunKind.SIMULATED

    def label(self) -> str:
        """ "12:03:04 main (instant) — ended: completed" """
        return f"{self.started:%H:%M:%S} {self.title} — {self.outcome()}"

    def outcome(self) -> str:
        """ "running", "ended: busy", "left the project at https://example.com/next" """
        if self.live:
            return "running"
        if self.left is not None and self.status is not None:
            return f"left the project at {self.left.url}"
        return f"ended: {self.status or 'stopped'}"

    def stored_text(self) -> str:
        """'Stored: key1 = "some_data", key2 = "some more data"', or "" when none."""
        if not self.stored:
            return ""
        pairs = ", ".join(f"{k} = {quoted(v, STORED_VALUE_CHARS)}" for k, v in self.stored.items())
        text = f"Stored: {pairs}"
        return text if len(text) <= STORED_LINE_CHARS else text[: STORED_LINE_CHARS - 1] + "…"

    def note(self, text: str, error: bool = False) -> Line:
        line = Line(text, LineKind.ERROR if error else LineKind.NOTE)
        self.lines.append(line)
        return line

    def add(self, event: Event) -> Line:
        """Take one event of the call (in order) and return its transcript line."""
        line = event_line(event)
        self.events.append(event)
        self.lines.append(line)
        self.pause = event if isinstance(event, Pause) else None
        if isinstance(event, Started):
            self.flow = self.flow_of(event.url)
        elif isinstance(event, Fetched):
            self.point_at(event.node)  # the verb that asked for it, in the last document
            self.flow = self.flow_of(event.url)
            if self.flow is not None:
                self._served[event.url] = self.flow
            return line
        elif isinstance(event, SwitchTaken):
            # A switch's URL answered with the FlexML of the flow it chose: that flow runs.
            self.decided[len(self.events) - 1] = datetime.now().astimezone()
            self.flow = event.goto
            return line
        elif isinstance(event, GatherStarted):
            self.gather, self.sent = event, ""
        elif isinstance(event, GatherDone):
            self.gather = None
        elif isinstance(event, Stored):
            self.stored[event.name] = event.data
        elif isinstance(event, LeftProject):
            self.left = event
        elif isinstance(event, Ended):
            self.end(event.call_status)
            return line
        self.point_at(event.node)
        return line

    def flow_named(self, url: str) -> str | None:
        """The project flow (or switch) a URL the call requested is: `flow:NAME` in the
        project, else what the server served there while the call ran."""
        if self.in_project:
            return reference_target(url)
        return self._served.get(url) or self.flow_of(url)

    def unsaved_reason(self) -> str | None:
        """Why this run cannot be saved as a test now, for people; None when it can."""
        if self.live:
            return "The call is still going on: save it as a test once it ends"
        if self.failure is not None or not any(isinstance(e, Ended) for e in self.events):
            return "This run failed before its call could end: there is no call to save"
        return None

    def point_at(self, node: Node | None) -> None:
        if node is not None:
            self.node, self.node_flow = node, self.flow

    def end(self, status: str | None) -> None:
        self.live = False
        self.status = status
        self.gather = self.pause = None
        self.node = None

    def running_node(self, project: Any) -> Node | None:
        """The project's node for the verb running now, or None."""
        node = self.node
        if self.gather is not None and not self.simulated:
            # A sandbox call's keys are awaited after the prompts, at a moment not reported:
            # the Gather as a whole is what runs.
            node = self.gather.node
        if node is None or not self.live:
            return None
        if self.in_project:
            return node if _in_project(node, project) else None  # not deleted meanwhile
        name = self.node_flow
        if name is None or project is None or name not in project:
            return None
        return find_by_path(project.flow(name), node.path(), node.tag)


def _in_project(node: Node, project: Any) -> bool:
    root = node
    while root.parent is not None:
        root = root.parent
    return project is not None and any(project.flow(n).root is root for n in project.names)


class RunHistory:
    """The last `size` runs, oldest first; a live run is dropped only when all are live."""

    def __init__(self, size: int = HISTORY_SIZE) -> None:
        self.size = size
        self._runs: list[Run] = []

    def __iter__(self):
        return iter(list(self._runs))

    def __len__(self) -> int:
        return len(self._runs)

    def add(self, run: Run) -> list[Run]:
        """Keep `run`; return the runs dropped to make room."""
        self._runs.append(run)
        dropped = []
        while len(self._runs) > self.size:
            oldest = next((r for r in self._runs if not r.live), self._runs[0])
            self._runs.remove(oldest)
            dropped.append(oldest)
        return dropped

    def sandbox_call(self, call_sid: str) -> Run | None:
        return next(
            (r for r in self._runs if r.kind is RunKind.SANDBOX and r.call_sid == call_sid), None
        )

    def live(self) -> list[Run]:
        return [r for r in self._runs if r.live]
