"""Verb handlers need only a VerbContext, not the Interpreter; the core has no import cycles."""

from __future__ import annotations

import asyncio

import grimp

from gui.core.flexml import Node, parse
from gui.core.project import Project
from gui.core.runtime import (
    Event,
    GatherDone,
    GatherStarted,
    Interpreter,
    Override,
    ProjectSource,
    Rejected,
    Say,
    ScriptedCaller,
    VirtualClock,
)
from gui.core.runtime.call import CallInfo
from gui.core.runtime.context import VerbContext
from gui.core.runtime.events import Record
from gui.core.runtime.streams import CallStreams
from gui.core.runtime.verbs import HANDLERS, End, Goto


class _Source:
    """Resolves references against a fixed base; fetches nothing (no verb fetches)."""

    entry_url = "https://app.test/main"

    def resolve(self, base: str, reference: str) -> str:
        return f"https://app.test/{reference}"


class _Call:
    """The smallest VerbContext: exactly the protocol's members, nothing of the interpreter."""

    def __init__(self, digits: str = "") -> None:
        self.source = _Source()
        self.caller = ScriptedCaller(digits)
        self.clock = VirtualClock()
        self.answered = False
        self.status_callback: tuple[str, str] | None = None
        self.events: list[Event] = []
        self.acted = 0
        self.storage: dict[str, str] = {}
        self.call = CallInfo()
        self.streams = CallStreams(self.emit, self.call.call_sid)
        self.sessions: list[Record] = []

    def emit(self, event: Event) -> Event:
        self.events.append(event)
        return event

    def caller_acted(self) -> None:
        self.acted += 1

    def store(self, name: str, data: str, node: Node | None = None) -> None:
        self.storage[name] = data

    def record_session(self, record: Record) -> None:
        self.sessions.append(record)

    async def prompts(self, node: Node, base: str) -> None:
        for child in node.children:
            await HANDLERS[child.tag](self, child, base, True)


def _run(call: _Call, xml: str):
    """Run the one verb of `<Response>xml</Response>` against `call`."""
    node = parse(f"<Response>{xml}</Response>".encode()).root.child(0)
    return asyncio.run(HANDLERS[node.tag](call, node, "https://app.test/main", False))


def test_a_gather_runs_its_prompts_and_goes_to_its_action_through_the_context():
    call = _Call("12#")
    step = _run(call, '<Gather action="next" finishOnKey="#"><Say>Press</Say></Gather>')
    assert [type(e) for e in call.events] == [GatherStarted, Say, GatherDone]
    assert step == Goto(
        "https://app.test/next", "POST", {"Digits": "12", "FinishKey": "#"}, step.cause
    )
    assert call.acted == 1 and call.clock.now > 0


def test_override_and_reject_use_the_context_state():
    call = _Call()
    call.status_callback = ("https://old.test/status", "POST")
    assert _run(call, '<Override statusCallbackUrl="status" statusCallbackMethod="get"/>') is None
    assert call.status_callback == ("https://app.test/status", "GET")
    assert isinstance(call.events[-1], Override)
    assert _run(call, '<Reject reason="busy"/>') == End("busy")
    call.answered = True  # after the call was answered, a Reject just ends it
    assert _run(call, '<Reject reason="busy"/>') == End("completed")
    assert [type(e) for e in call.events[1:]] == [Rejected, Rejected]


def test_the_interpreter_and_the_small_context_are_both_verb_contexts():
    project = Project()
    project.add_flow("main", parse(b"<Response><Hangup/></Response>"))
    assert isinstance(Interpreter(ProjectSource(project)), VerbContext)
    assert isinstance(_Call(), VerbContext)
    assert not isinstance(_Source(), VerbContext)


def _cycles(graph: grimp.ImportGraph, package: str) -> list[tuple[str, str]]:
    """Direct imports a -> b inside `package` where b also leads back to a."""
    inside = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    return sorted(
        (a, b)
        for a in inside
        for b in graph.find_modules_directly_imported_by(a) & inside
        if graph.chain_exists(importer=b, imported=a)
    )


def test_the_core_has_no_import_cycles_not_even_for_type_checking():
    graph = grimp.build_graph("gui", exclude_type_checking_imports=False)
    assert not graph.chain_exists(
        importer="gui.core.runtime.verbs", imported="gui.core.runtime.interpreter"
    )
    assert _cycles(graph, "gui.core") == []
    assert _cycles(graph, "gui.commands") == []
