"""A flow test made from a call that happened: "Save as test" in the simulator.

`propose` reads a finished call's events and writes down what it would take to make the
same call again and what happened on it. The caller's keys become the test's digits, one
piece per Gather in ScriptedCaller's script form (runtime/caller.py): the digits a Gather
took, then its finish key when one ended it, or a `w` when it timed out; a Gather ended by
numDigits needs neither. Each Dial, Record and Amd's outcome, in order, becomes the dial,
record and amd settings. What happened becomes the expectations, in the call's order: each
flow (or switch) reached, each Say (the start of its text), each Dial (its first number),
each Store (name=value) and how the call ended. When a switch of the project decided by
opening hours, the test fixes the clock at the moment the call started, so it decides the
same way whenever the test runs.

Running the proposed test with Runner on the same project makes the same call, so it
passes; the person then removes the expectations they do not care about.

The project may have changed since the call: a flow renamed since then is named as the
project names it now (`renamed_since`, `follow_renames`: renaming a flow rewrites the
project's tests the same way), and what the test would name that the project no longer has
(`missing_names`) is for the person to hear about: a test naming it cannot pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ..flexml.refs import reference_target
from ..flexml.tree import Node
from ..project import Project
from ..runtime import (
    Amd,
    Dial,
    Error,
    Event,
    Fetched,
    GatherDone,
    Record,
    Started,
    normalise_number,
)
from ..runtime.call import DEFAULT_FROM, DEFAULT_TO
from ..runtime.caller import TIMEOUT_MARK, AmdOutcome, RecordOutcome
from ..runtime.events import SwitchTaken
from ..switches import MatchKind
from .model import (
    AMD_WORDS,
    DEFAULT_DIAL_SECONDS,
    MAX_NAME,
    MAX_SECONDS,
    RECORD_SILENCE,
    Expectation,
    FlowTest,
)
from .runner import CAUSED, end_word, observe
from .test_file import free_test_name

SAY_CHARS = 40  # a Say longer than this is expected by its first words, up to this many
STORE_CHARS = 80  # a Store's value longer than this (or on several lines) is not expected
# What the proposal looks at, of what observe() sees.
_KINDS = ("flow", "say", "dial", "store")
_DIAL_WORDS = {"completed": "answered", "busy": "busy", "noanswer": "noanswer", "failed": "failed"}
_AMD_WORDS = {status: word for word, (status, _cause) in AMD_WORDS.items()}
# The settings a test leaves out when every Dial, Record or Amd met the runner's default.
_DEFAULTS = {
    "dial": "answered",
    "record": str(RecordOutcome().duration),
    "amd": _AMD_WORDS[AmdOutcome().status],
}


@dataclass(frozen=True)
class Outcomes:
    """A test's dial, record and amd settings (None: the default for every one)."""

    dial: str | None = None
    record: str | None = None
    amd: str | None = None


def propose(
    events: Sequence[Event],
    *,
    flow: str | None,
    name: str,
    digits: str | None = None,
    from_number: str | None = None,
    to_number: str | None = None,
    outcomes: Outcomes | None = None,
    at: datetime | None = None,
    flow_of: Callable[[str], str | None] = reference_target,
) -> FlowTest:
    """The test that makes the call of `events` again (see the module docstring): it starts
    at `flow` (None: the entry), named `name`. `digits` and `outcomes` are the caller's
    keys and the outcomes met, worked out from the events when not given. `at` (an aware
    time: when the call started) fixes the clock, for opening hours. `flow_of` names the
    project flow a requested URL is (the default knows `flow:NAME`; a run over HTTP gives
    its own)."""
    found = outcomes if outcomes is not None else outcomes_met(events)
    return FlowTest(
        name,
        flow,
        caller_digits(events) if digits is None else digits,
        expectations(events, flow_of),
        from_number=from_number,
        to_number=to_number,
        at=at.isoformat(timespec="seconds") if at is not None else None,
        dial=found.dial,
        amd=found.amd,
        record=found.record,
    )


def caller_digits(events: Iterable[Event]) -> str:
    """The keys each Gather took, as a script ScriptedCaller plays the same way."""
    parts = []
    for event in events:
        if not isinstance(event, GatherDone):
            continue
        if event.finish_key is not None:
            parts.append(event.digits + event.finish_key)
        elif event.timed_out:
            parts.append(event.digits + TIMEOUT_MARK)
        else:  # numDigits ended it: the next key belongs to the next Gather
            parts.append(event.digits)
    return "".join(parts)


def outcomes_met(events: Iterable[Event]) -> Outcomes:
    """What each Dial, Record and Amd met, in order, as the test's settings say it."""
    dials: list[str] = []
    records: list[str] = []
    amds: list[str] = []
    for event in events:
        if isinstance(event, Dial):
            # A status the test cannot say (none is known) is the nearest it can: failed.
            word = _DIAL_WORDS.get(event.status, "failed")
            seconds = event.duration
            keep = seconds != DEFAULT_DIAL_SECONDS and 0 < seconds <= MAX_SECONDS
            dials.append(f"{word}:{seconds}" if keep else word)
        elif isinstance(event, Record) and not event.session:
            seconds = min(event.duration, MAX_SECONDS)
            records.append(str(seconds) if seconds > 0 else RECORD_SILENCE)
        elif isinstance(event, Amd):
            amds.append(_AMD_WORDS.get(event.status, "notsure"))
    return Outcomes(_setting(dials, "dial"), _setting(records, "record"), _setting(amds, "amd"))


def _setting(words: list[str], kind: str) -> str | None:
    """A comma list (the last one repeats, so repeats at the end are left out); None when
    every one met the default."""
    if all(word == _DEFAULTS[kind] for word in words):
        return None
    while len(words) > 1 and words[-1] == words[-2]:
        words.pop()
    return ",".join(words)


def expectations(
    events: Sequence[Event], flow_of: Callable[[str], str | None] = reference_target
) -> tuple[Expectation, ...]:
    """What happened on the call, in its order: flows reached, Says, Dials, Stores, and
    how it ended (seen as the runner sees them, so the runner finds them again)."""
    seen, _reached = observe(events, flow_of)
    found: list[tuple[int, Expectation]] = []
    dialled: set[int] = set()
    for kind in _KINDS:
        for item in seen.get(kind, ()):
            value: str | None = item.value
            if kind == "say":
                value = say_part(item.value)
            elif kind == "dial":
                if item.index in dialled:  # a Dial of several numbers: its first
                    continue
                dialled.add(item.index)
            elif kind == "store":
                value = _stored(item.value, item.data or "")
            if value:
                found.append((item.index, Expectation(kind, value)))
    found.sort(key=lambda pair: pair[0])  # stable: a request's flow before its switch's
    if events:
        found.append((len(events) - 1, Expectation("end", end_word(events))))
    return tuple(expectation for _index, expectation in found)


def say_part(text: str) -> str:
    """What a test expects of a Say: its first line, whole when short, else its first
    SAY_CHARS characters cut at a word. Always a part of the text (the runner looks for
    the part in the text)."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    if len(line) <= SAY_CHARS:
        return line
    cut = line.rfind(" ", 0, SAY_CHARS + 1)
    return line[:cut].rstrip() if cut > 0 else line[:SAY_CHARS]


def _stored(name: str, data: str) -> str:
    if len(data) > STORE_CHARS or any(c in data for c in "\r\n\t"):
        return name  # the value is too long to be worth checking: that it was stored
    return f"{name}={data}"


def ended_with_error(events: Iterable[Event]) -> str | None:
    """The message of the error that ended the call, or None."""
    return next((e.message for e in events if isinstance(e, Error)), None)


def first_flow(
    events: Iterable[Event], flow_of: Callable[[str], str | None] = reference_target
) -> str | None:
    """The flow (or switch) the call's first request asked for (None: not one the project
    names, e.g. the flow server's entry URL)."""
    first = next((e for e in events if isinstance(e, Fetched)), None)
    return flow_of(first.url) if first is not None else None


def call_numbers(events: Iterable[Event]) -> tuple[str | None, str | None]:
    """The caller's and the called number when the call had its own (a sandbox call), as
    a test writes them; None for the simulator's defaults or what is no phone number."""
    started = next((e for e in events if isinstance(e, Started)), None)
    if started is None:
        return None, None
    return (
        _number(started.from_number, DEFAULT_FROM),
        _number(started.to_number, DEFAULT_TO),
    )


def _number(text: str, default: str) -> str | None:
    try:
        number = normalise_number(text)
    except ValueError:
        return None
    return None if number == normalise_number(default) else number


def decided_by_clock(events: Iterable[Event], project: Project) -> bool:
    """Whether a switch of the project with opening hours chose anything on the call."""
    return clock_decision(events, project) is not None


def clock_decision(events: Iterable[Event], project: Project) -> int | None:
    """The index of the first event where a switch of the project with opening hours
    chose, or None."""
    for index, event in enumerate(events):
        if isinstance(event, SwitchTaken) and project.is_switch(event.switch):
            cases = project.switch(event.switch).cases
            if any(case.kind is MatchKind.HOURS for case in cases):
                return index
    return None


def proposed_name(flow: str | None, digits: str, taken: Iterable[str]) -> str:
    """A free name for the test: the flow and the keys ("menu 1#", "menu 1# (2)"), or
    "Call 1", "Call 2", ... without a flow."""
    names = set(taken)
    if flow is None:
        number = 1
        while f"Call {number}" in names:
            number += 1
        return f"Call {number}"
    base = f"{flow} {digits}" if digits else flow
    return free_test_name(base[:MAX_NAME].strip(), dict.fromkeys(names))


def renamed_since(
    events: Iterable[Event],
    project: Project,
    flow_of: Callable[[str], str | None] = reference_target,
) -> dict[str, str]:
    """The flows the call ran that the project has renamed since, as {name on the call:
    name now}. A flow is known by its tree, which a rename keeps: a simulated run's verbs
    are the project's own nodes, so the flow whose tree holds them is the one that ran,
    under whatever name it has now. A run over HTTP ran copies (nothing is found), and a
    switch renamed is a new switch (not found either): `missing_names` tells of those."""
    flows_by_root = {id(project.flow(name).root): name for name in project.names}
    found: dict[str, str] = {}
    known: set[str] = set()
    current: str | None = None
    for event in events:
        if isinstance(event, Fetched):
            current = flow_of(event.url)
        elif isinstance(event, SwitchTaken):
            current = event.goto
        if current is None or current in known or event.node is None:
            continue
        if isinstance(event, CAUSED):
            continue
        now = flows_by_root.get(id(_root(event.node)))
        if now is not None:  # else a verb deleted since, or a copy's: the next may tell
            known.add(current)
            if now != current:
                found[current] = now
    return found


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def follow_renames(test: FlowTest, renamed: Mapping[str, str]) -> FlowTest:
    """`test` naming each flow of `renamed` (old: new) by its new name, all at once (a swap
    of two names swaps them in the test too)."""
    if not renamed:
        return test
    expectations = tuple(
        replace(e, value=renamed.get(e.value, e.value)) if e.kind == "flow" else e
        for e in test.expectations
    )
    flow = renamed.get(test.flow, test.flow) if test.flow is not None else None
    return replace(test, flow=flow, expectations=expectations)


def missing_names(test: FlowTest, project: Project) -> tuple[str, ...]:
    """The flows and switches `test` names (where it starts, then what it reaches) that
    the project has none of, in that order: renamed or removed since the call."""
    named = [test.flow] if test.flow is not None else []
    named += [e.value for e in test.expectations if e.kind == "flow"]
    have = set(project.all_names)
    return tuple(dict.fromkeys(name for name in named if name not in have))
