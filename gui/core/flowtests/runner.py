"""Running flow tests: one call each through the interpreter, its events matched against the
test's expectations.

A test runs in-process: the project in memory (ProjectSource, no network: a URL outside the
project is where the call "left" it), a ScriptedCaller playing its digits and outcomes, and a
VirtualClock, so a Pause of 30 s costs nothing. Opening-hours switches decide at the test's
`at` (plus the call's own time), else at the time the test runs. Through a served copy
(`through`, the flow server's base URL) the call starts at BASE/flows/FLOW over HTTP and
the server's switch headers say what was chosen; a test that fixes the clock is skipped
there when the project has opening hours, since the server decides by its own clock. The
server's access token (`BASE/t/TOKEN`) is masked in everything a result says, since
transcripts, messages and reports end up in CI logs.

How the events meet the expectations (`judge`): each event is seen as what the kinds of
expectation look at (a Say's text, a flow reached, a Dial's numbers, ...). In order (the
default), each expectation must be met after the one before, or by the same event when it
is another expectation (a Dial's two numbers, `verb="Say"` then that Say's text): the same
one expected twice must happen twice (end and status are met at the call's end, in either
order); with order="any", anywhere. `not="true"` must be met nowhere.
A call that ends with an error fails the test unless it expects `end="error"`. A failure
says the expectation (step k of n) and where matching stopped in the transcript.

Tests of one project may run in several processes (`jobs`): each runs a share of them in one
event loop, and the results come back in the tests' order, the same as with one job but for
the wall-clock times.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from ..flexml import Node, Problem
from ..flexml.refs import flow_url, reference_target
from ..flexml.schema import VERBS
from ..project import Project
from ..runtime import (
    AmdOutcome,
    CallerHangup,
    CallInfo,
    Dial,
    DialOutcome,
    Ended,
    Error,
    Event,
    Fetched,
    GatherDone,
    Hangup,
    HttpSource,
    Interpreter,
    LeftProject,
    Play,
    ProjectSource,
    RecordOutcome,
    Rejected,
    Say,
    ScriptedCaller,
    Started,
    Stored,
    VirtualClock,
    normalise_number,
)
from ..runtime.events import SwitchTaken
from ..switches import MatchKind
from .lint import lint_test
from .model import (
    Expectation,
    FlowTest,
    amd_outcomes,
    dial_outcomes,
    record_outcomes,
    start_moment,
)

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
OUTCOMES = (PASSED, FAILED, ERROR, SKIPPED)
# From this many tests on, a run uses several processes by default, one more for each
# TESTS_PER_JOB tests, up to the processors. benchmarks/bench_flowtests.py, 2 processors,
# 2 jobs against 1: idle, 1.1x the time for 50 tests, 0.84x for 100, 0.62x for 400, 0.57x
# for 1,000; with another program busy on one processor, 1.8x for 50, 1.15x for 400,
# 1.03x for 1,000. From 500 on a second process gains much when it can and costs little
# when it cannot.
PARALLEL_FROM = 500
TESTS_PER_JOB = 250
MAX_DEFAULT_JOBS = 8
THROUGH_CONCURRENCY = 8  # calls at once against a served copy
CONTEXT_LINES = 3  # transcript lines shown before and after where matching stopped
_SID_NAMESPACE = uuid.UUID("5b0f3c4e-6a43-4f0e-9d7c-0e6f1a7b5c21")
_VERBS = frozenset(VERBS)
# Events whose node is the verb that caused a request, not a verb running now.
CAUSED = (Fetched, SwitchTaken, Error, LeftProject)
_NUMBER_PUNCTUATION = re.compile(r"[\s().-]")
DOCUMENT_STATUS = 200  # the only HTTP status whose answer the interpreter runs (as CarrierX)


@dataclass(frozen=True)
class Reached:
    """What one call reached: flows and switches by name, verbs as (flow, path), switch
    cases as (switch, label) ("otherwise" for the otherwise)."""

    flows: frozenset[str] = frozenset()
    verbs: frozenset[tuple[str, str]] = frozenset()
    cases: frozenset[tuple[str, str]] = frozenset()


# Where a transcript line happened in the project: (flow or switch, verb path or None).
Place = tuple[str, str | None]


@dataclass(frozen=True)
class FlowTestResult:
    """How one test went: `outcome` is passed, failed, error (it could not run: `message`
    says why) or skipped. A failure names the expectation (`step` of `steps`, 1-based;
    None when the call's error failed it) and `stopped_at`, the index in `transcript`
    (the call's events, one line each with the call time) where matching stopped; when the
    call also ended with an error, `cause` says it. `places` holds, for each transcript
    line, where in the project it happened (see `places`), so a window can show it."""

    name: str
    flow: str
    outcome: str
    message: str = ""
    step: int | None = None
    steps: int = 0
    expected: str | None = None
    transcript: tuple[str, ...] = ()
    stopped_at: int | None = None
    seconds: float = 0.0
    reached: Reached = field(default_factory=Reached)
    # The call's error, when an expectation failed in a call that also ended with one.
    cause: str | None = None
    places: tuple[Place | None, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED

    def headline(self) -> str:
        """What went wrong, on one line: `expected say "Support" (step 2 of 4)`, and the
        call's error after it when it ended with one."""
        line = (
            self.message
            if self.step is None
            else f"{self.message} (step {self.step} of {self.steps})"
        )
        return f"{line}; {self.cause}" if self.cause else line

    def context(self, around: int = CONTEXT_LINES) -> list[str]:
        """The transcript lines around where matching stopped, that one marked with `>`."""
        if self.stopped_at is None or not self.transcript:
            return []
        first = max(0, self.stopped_at - around)
        last = min(len(self.transcript), self.stopped_at + around + 1)
        return [
            f"{'>' if index == self.stopped_at else ' '} {self.transcript[index]}"
            for index in range(first, last)
        ]


# -- one call -------------------------------------------------------------------------------


class _Caller(ScriptedCaller):
    """The test's caller: its digits, and each Dial, Record and Amd meeting the next of the
    outcomes listed (the last one repeats; the simulator's defaults when none is). Each
    recording's file SID is made from the test's name, so transcripts repeat exactly."""

    def __init__(self, test: FlowTest) -> None:
        super().__init__(test.digits)
        self.name = test.name
        self.recordings = 0
        self.dials = [DialOutcome(status, seconds) for status, seconds in dial_outcomes(test.dial)]
        self.records = [RecordOutcome(seconds) for seconds in record_outcomes(test.record)]
        self.amds = [AmdOutcome(status, cause) for status, cause in amd_outcomes(test.amd)]

    @staticmethod
    def _next(found: list, default):
        if not found:
            return default
        return found.pop(0) if len(found) > 1 else found[0]

    async def dial_outcome(self, numbers: tuple[str, ...]) -> DialOutcome:
        return self._next(self.dials, self.dial)

    async def record_outcome(self, max_length: int) -> RecordOutcome:
        self.recordings += 1
        outcome = self._next(self.records, self.record)
        sid = uuid.uuid5(_SID_NAMESPACE, f"{self.name}\0record\0{self.recordings}")
        return RecordOutcome(outcome.duration, outcome.url, outcome.file_sid or str(sid))

    async def amd_outcome(self) -> AmdOutcome:
        return self._next(self.amds, self.amd)


def call_info(test: FlowTest) -> CallInfo:
    """The test's call: its numbers (the simulator's defaults when unset) and a call SID
    made from its name, so a transcript is the same on every run."""
    numbers = {}
    if test.from_number is not None:
        numbers["from_number"] = normalise_number(test.from_number)
    if test.to_number is not None:
        numbers["to_number"] = normalise_number(test.to_number)
    return CallInfo(call_sid=str(uuid.uuid5(_SID_NAMESPACE, test.name)), **numbers)


def has_hours(project: Project) -> bool:
    """Whether any switch of the project decides by opening hours."""
    return any(
        case.kind is MatchKind.HOURS
        for switch in project.switches.values()
        for case in switch.cases
    )


class Runner:
    """Runs tests of one project. What every test needs of the project (its names, the
    verbs its flows hold) is worked out once."""

    def __init__(self, project: Project, through: str | None = None) -> None:
        self.project = project
        self.names = set(project.all_names)
        self.used = {n.tag for name in project.names for n in project.flow(name).root.iter()}
        self.through = through.rstrip("/") if through else None
        self.hide = token_masker(self.through)
        self.hours = has_hours(project)
        self.client = None  # the HTTP client shared by the calls through a served copy

    def problems(self, test: FlowTest) -> list[Problem]:
        return lint_test(test, self.names, self.used, has_flows=bool(self.project.names))

    async def run(self, test: FlowTest) -> FlowTestResult:
        """Run one test (never raises: a test that cannot run is an error result); through
        a served copy, its access token masked in all the result says."""
        result = await self._run(test)
        if self.hide is None:
            return result
        hide = self.hide
        return replace(
            result,
            message=hide(result.message),
            expected=None if result.expected is None else hide(result.expected),
            transcript=tuple(map(hide, result.transcript)),
            cause=None if result.cause is None else hide(result.cause),
        )

    async def _run(self, test: FlowTest) -> FlowTestResult:
        began = time.perf_counter()
        start = test.flow or self.project.entry or ""
        steps = len(test.expectations)
        errors = [p for p in self.problems(test) if p.is_error]
        if errors:
            return FlowTestResult(test.name, start, ERROR, errors[0].message, steps=steps)
        moment = start_moment(test.at, test.tz)
        if self.through is not None and moment is not None and self.hours:
            reason = (
                f"the test fixes the clock at {test.at}, but the server at {self.through} "
                "decides opening hours by its own clock"
            )
            return FlowTestResult(test.name, start, SKIPPED, reason, steps=steps)
        try:
            events, flow_of = await self._call(test, start, moment)
        except Exception as exc:  # a fault of ours: one test fails, the others still run
            message = f"internal error: {type(exc).__name__}: {exc}"
            return FlowTestResult(test.name, start, ERROR, message, steps=steps)
        return judge(test, start, events, flow_of, time.perf_counter() - began)

    async def _call(
        self, test: FlowTest, start: str, moment: datetime | None
    ) -> tuple[list[Event], Callable[[str], str | None]]:
        clock = VirtualClock()
        if self.through is None:
            epoch = moment.timestamp() if moment is not None else time.time()
            source = ProjectSource(self.project, start, clock=lambda: epoch + clock.now)
            flow_of: Callable[[str], str | None] = _flow_in_memory
        else:
            source = HttpSource(
                flow_url(self.through, start), client=self.client, flow_base_url=self.through
            )
            flow_of = _flow_over_http(self.through, self.project.entry)
        interpreter = Interpreter(source, _Caller(test), clock, call=call_info(test))
        try:
            return await interpreter.run(), flow_of
        finally:
            await source.aclose()


def through_token(base: str) -> str | None:
    """The flow server's access token in a base URL (`http://HOST:PORT/t/TOKEN`, perhaps
    behind a path of its own), or None."""
    try:
        path = urlsplit(base).path
    except ValueError:  # not a URL after all (a refused --through): its path as written
        path = "/" + base.partition("//")[2].partition("/")[2].partition("?")[0]
    segments = path.split("/")
    for index in range(len(segments) - 2, -1, -1):
        if segments[index] == "t" and segments[index + 1]:
            return segments[index + 1]
    return None


def token_masker(base: str | None) -> Callable[[str], str] | None:
    """What masks the access token of the base URL `base` in a text (as the flow server
    masks it in its logs: http_guard.mask_token), or None when it has none."""
    token = through_token(base) if base else None
    if token is None:
        return None
    from ..http_guard import mask_token  # only runs through a server with a token need it

    return lambda text: mask_token(text, token)


def _flow_in_memory(url: str) -> str | None:
    return reference_target(url)


def _flow_over_http(base: str, entry: str | None) -> Callable[[str], str | None]:
    prefix = f"{base}/flows/"

    def flow_of(url: str) -> str | None:
        path = url.split("?", 1)[0]
        if path.startswith(prefix):
            return path[len(prefix) :].rstrip("/") or None
        if path.rstrip("/") == base:
            return entry
        return None

    return flow_of


# -- matching -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seen:
    """Something an expectation can look at, and the index of the event it was seen at."""

    kind: str
    value: str
    index: int
    data: str | None = None  # what a Store kept


def transcript(events: Sequence[Event]) -> tuple[str, ...]:
    """The call as `simulate` prints it: the call time, then the event."""
    return tuple(f"{event.at:7.1f}s  {event.describe()}" for event in events)


def observe(
    events: Sequence[Event], flow_of: Callable[[str], str | None]
) -> tuple[dict[str, list[Seen]], Reached]:
    """What each kind of expectation can see in the call, by kind in event order, and what
    the call reached. The flow running is known from the requests answered with a document
    (and the switches' decisions) before it, so a verb's place is (that flow, the verb's
    path); a request refused (any status but 200) reached no flow."""
    seen: dict[str, list[Seen]] = {}
    flows: set[str] = set()
    verbs: set[tuple[str, str]] = set()
    cases: set[tuple[str, str]] = set()
    current: str | None = None

    def add(kind: str, value: str, index: int, data: str | None = None) -> None:
        seen.setdefault(kind, []).append(Seen(kind, value, index, data))

    for index, event in enumerate(events):
        if isinstance(event, Fetched):
            # Only an answer with a document runs the flow: a refusal (403 for a wrong
            # token, a 404) reaches nothing, for coverage and `<expect flow>` alike.
            current = flow_of(event.url) if event.status == DOCUMENT_STATUS else None
            if current is not None:
                flows.add(current)
                add("flow", current, index)
        elif isinstance(event, SwitchTaken):
            cases.add((event.switch, event.label))
            current = event.goto
            flows.add(current)
            add("flow", current, index)
        else:
            _seen_in(event, index, add)
        if event.node is not None and current is not None and not isinstance(event, CAUSED):
            verb = _verb_of(event.node)
            if verb is not None:
                verbs.add((current, verb.path()))
                add("verb", verb.tag, index)
    if events:
        last = len(events) - 1
        add("end", end_word(events), last)
        final = events[-1]
        if isinstance(final, Ended):
            add("status", final.call_status, last)
    return seen, Reached(frozenset(flows), frozenset(verbs), frozenset(cases))


def places(
    events: Sequence[Event], flow_of: Callable[[str], str | None]
) -> tuple[Place | None, ...]:
    """Where each event happened in the project, one for each transcript line: a verb's
    event is at (its flow, the verb's path); a request a verb made (a Gather's action, a
    Redirect) at that verb, in the flow it ran in; the call's start and a request no verb
    made at the flow requested, (flow, None); a switch's decision at (the switch, None).
    None where nothing of the project is to be shown (a URL outside it)."""
    found: list[Place | None] = []
    current: str | None = None
    for event in events:
        place: Place | None = None
        verb = _verb_of(event.node) if event.node is not None else None
        if verb is not None and current is not None:
            place = (current, verb.path())
        if isinstance(event, Started):
            start = flow_of(event.url)
            place = (start, None) if start is not None else None
        elif isinstance(event, Fetched):
            current = flow_of(event.url)
            if place is None and current is not None:
                place = (current, None)
        elif isinstance(event, SwitchTaken):
            place, current = (event.switch, None), event.goto
        elif place is None and current is not None:
            place = (current, None)
        found.append(place)
    return tuple(found)


def _seen_in(event: Event, index: int, add: Callable[..., None]) -> None:
    if isinstance(event, Say):
        add("say", event.text, index)
    elif isinstance(event, Play):
        for url in (event.url, *event.files):
            if url:
                add("play", url, index)
    elif isinstance(event, Dial):
        for number in event.numbers:
            add("dial", number, index)
    elif isinstance(event, GatherDone):
        add("digits", event.digits, index)
    elif isinstance(event, Stored):
        add("store", event.name, index, event.data)


def _verb_of(node: Node) -> Node | None:
    """The verb `node` is or belongs to (a Dial's Number, a Start's Stream)."""
    found: Node | None = node
    while found is not None and found.tag not in _VERBS:
        found = found.parent
    return found


def end_word(events: Sequence[Event]) -> str:
    """How the call ended (model.END_WORDS): the last event that ends a call decides."""
    for event in reversed(events):
        if isinstance(event, Hangup):
            return "hangup"
        if isinstance(event, Rejected):
            return "reject"
        if isinstance(event, LeftProject):
            return "left"
        if isinstance(event, Error):
            return "error"
        if isinstance(event, CallerHangup):
            return "caller-hangup"
    return "completed"


def meets(expectation: Expectation, seen: Seen) -> bool:
    """Whether `seen` (of the expectation's kind) meets `expectation`."""
    kind, wanted = expectation.kind, expectation.value
    if kind in ("say", "play"):
        return wanted.casefold() in seen.value.casefold()
    if kind == "dial":
        return _dialled(wanted) == _dialled(seen.value)
    if kind == "verb":
        return wanted.casefold() == seen.value.casefold()
    if kind == "store":
        name, equals, data = wanted.partition("=")
        return seen.value == name and (not equals or seen.data == data)
    return wanted == seen.value


def _dialled(text: str) -> str:
    """A number without punctuation or its +, or a SIP URI in lowercase."""
    if text.lower().startswith(("sip:", "sips:")):
        return text.lower()
    return _NUMBER_PUNCTUATION.sub("", text).lstrip("+")


@dataclass(frozen=True)
class _Failure:
    step: int | None
    message: str
    index: int
    expected: str | None = None


def judge(
    test: FlowTest,
    start: str,
    events: Sequence[Event],
    flow_of: Callable[[str], str | None],
    seconds: float = 0.0,
) -> FlowTestResult:
    """The result of `test` for a call that went as `events` say."""
    seen, reached = observe(events, flow_of)
    error = _call_error(test, events)
    failure = _match(test, seen, events) or error
    lines = transcript(events)
    where = places(events, flow_of)
    steps = len(test.expectations)
    if failure is None:
        return FlowTestResult(
            test.name,
            start,
            PASSED,
            steps=steps,
            transcript=lines,
            seconds=seconds,
            reached=reached,
            places=where,
        )
    return FlowTestResult(
        test.name,
        start,
        FAILED,
        failure.message,
        failure.step,
        steps,
        failure.expected,
        lines,
        failure.index,
        seconds,
        reached,
        error.message if error is not None and failure is not error else None,
        where,
    )


def _match(test: FlowTest, seen: dict[str, list[Seen]], events: Sequence[Event]) -> _Failure | None:
    """The first expectation not met, in order (see the module docstring). In order, an
    expectation is met at or after the event that met the step before: at the same event
    only when it is another expectation (a Dial's second number, the text of the Say that
    `verb="Say"` met), so the same one expected twice must happen twice. The call's end
    and status may be met together, and again."""
    last = max(0, len(events) - 1)
    cursor = -1  # the event that met the last step in order
    met_there: dict[tuple[str, str], int] = {}  # the expectations met there, and their step
    for step, expectation in enumerate(test.expectations, start=1):
        found = [s for s in seen.get(expectation.kind, ()) if meets(expectation, s)]
        described = expectation.describe()
        if expectation.negated:
            if found:
                at = events[found[0].index].at
                message = f"expected {described}, but it happened at {at:.1f} s"
                return _Failure(step, message, found[0].index, described)
            continue
        if not test.ordered:
            if not found:
                return _Failure(step, f"expected {described} anywhere in the call", last, described)
            continue
        key = (expectation.kind, expectation.value)
        # The call's end and status are states, not things that happen: met again freely.
        again = expectation.kind in ("end", "status") or key not in met_there
        later = next((s for s in found if s.index > cursor or (s.index == cursor and again)), None)
        if later is None:
            message = _not_after(described, found, cursor, met_there.get(key), events)
            return _Failure(step, message, min(cursor + 1, last), described)
        if later.index != cursor:
            cursor, met_there = later.index, {}
        met_there.setdefault(key, step)
    return None


def _not_after(
    described: str,
    found: list[Seen],
    cursor: int,
    step: int | None,
    events: Sequence[Event],
) -> str:
    """Why an expectation in order was not met: it never happened, it happened only as
    the same event that met step `step` (the same expectation), or only before."""
    if not found:
        return f"expected {described}"
    if step is not None and any(s.index == cursor for s in found):
        at = events[cursor].at
        return (
            f"expected {described} again: it happened at {at:.1f} s, which step {step} "
            "already took, and not after"
        )
    at = events[max(s.index for s in found if s.index <= cursor)].at
    return f"expected {described}: it happened at {at:.1f} s, before the step before it"


def _call_error(test: FlowTest, events: Sequence[Event]) -> _Failure | None:
    """A call that ended with an error fails, unless the test expects that."""
    if any(e.kind == "end" and e.value == "error" and not e.negated for e in test.expectations):
        return None
    for index, event in enumerate(events):
        if isinstance(event, Error):
            return _Failure(None, f"the call ended with an error: {event.message}", index)
    return None


# -- many tests -----------------------------------------------------------------------------


def default_jobs(count: int) -> int:
    """How many processes `count` tests run in by default: one below PARALLEL_FROM (a
    process costs more than it saves there), else one per TESTS_PER_JOB tests, at most one
    per processor and MAX_DEFAULT_JOBS."""
    if count < PARALLEL_FROM:
        return 1
    return max(1, min(_processors(), MAX_DEFAULT_JOBS, count // TESTS_PER_JOB))


def _processors() -> int:
    """The processors this process may run on (fewer than the machine's in a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS or Windows
        return os.cpu_count() or 1


def count_outcomes(results: Iterable[FlowTestResult]) -> dict[str, int]:
    """How many results passed, failed, could not run (ERROR) and were skipped."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        counts[result.outcome] += 1
    return counts


def outcome_words(counts: Mapping[str, int]) -> str:
    """ "5 passed, 1 failed", and those that could not run or were skipped when there are
    any: how the command line and the Tests panel sum a run up."""
    words = f"{counts[PASSED]} passed, {counts[FAILED]} failed"
    if counts[ERROR]:
        words += f", {counts[ERROR]} could not run"
    if counts[SKIPPED]:
        words += f", {counts[SKIPPED]} skipped"
    return words


class RunStopped(Exception):
    """A run was stopped between two tests: its `stop` said so (the window's Tests panel
    stops a run that a newer one replaced, rather than finishing work nobody will read)."""


def run_tests(
    project: Project,
    tests: Iterable[FlowTest] | None = None,
    *,
    jobs: int | None = 1,
    through: str | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[FlowTestResult]:
    """Run `tests` (by default every test of `project`), in their order. `jobs` processes
    share them (None: default_jobs). `through` runs them against a served copy instead,
    `jobs` calls at a time (None: THROUGH_CONCURRENCY). `stop` is asked before each test of
    a run in this process (one job): once it answers True, RunStopped is raised."""
    chosen = list(project.tests.values() if tests is None else tests)
    if through is not None:
        return asyncio.run(_run_through(Runner(project, through), chosen, jobs))
    count = default_jobs(len(chosen)) if jobs is None else max(1, jobs)
    if count == 1 or len(chosen) < 2:
        return asyncio.run(_run_all(Runner(project), chosen, stop))
    if stop is not None:
        raise ValueError("stop is asked only by a run of one job")
    return _run_in_processes(project, chosen, count)


async def _run_all(
    runner: Runner, tests: Sequence[FlowTest], stop: Callable[[], bool] | None = None
) -> list[FlowTestResult]:
    results = []
    for test in tests:
        if stop is not None and stop():
            raise RunStopped(f"stopped after {len(results)} of {len(tests)} tests")
        results.append(await runner.run(test))
    return results


async def _run_through(
    runner: Runner, tests: Sequence[FlowTest], jobs: int | None
) -> list[FlowTestResult]:
    """Calls through the served copy run a few at a time, over one HTTP client."""
    import httpx

    from ..runtime.http_source import DEFAULT_TIMEOUT, USER_AGENT

    limit = asyncio.Semaphore(max(1, jobs or THROUGH_CONCURRENCY))

    async def one(test: FlowTest) -> FlowTestResult:
        async with limit:
            return await runner.run(test)

    timeout = httpx.Timeout(DEFAULT_TIMEOUT, connect=min(5.0, DEFAULT_TIMEOUT))
    async with httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
        runner.client = client
        return list(await asyncio.gather(*(one(test) for test in tests)))


# A worker's project: inherited from the parent when processes fork, else read from the
# project's text once per worker.
_worker_runner: Runner | None = None


def _worker_start(text: str | None) -> None:
    global _worker_runner
    if _worker_runner is None and text is not None:
        from ..project_file import read_project

        _worker_runner = Runner(Project.from_contents(read_project(text.encode("utf-8"))))


def _worker_run(tests: list[FlowTest]) -> list[FlowTestResult]:
    assert _worker_runner is not None
    return asyncio.run(_run_all(_worker_runner, tests))


def _run_in_processes(project: Project, tests: list[FlowTest], jobs: int) -> list[FlowTestResult]:
    """Share `tests` among `jobs` processes, in a few chunks each (so a slow chunk does not
    hold the others up), and put the results back in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _worker_runner
    # Forking copies the project as it is, at no cost; it is safe only while this process
    # has one thread (the command line). Otherwise each worker reads the project's text.
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if fork else "spawn")
    size = max(1, math.ceil(len(tests) / (jobs * 4)))
    chunks = [tests[i : i + size] for i in range(0, len(tests), size)]
    if fork:
        _worker_runner = Runner(project)
    try:
        with ProcessPoolExecutor(
            jobs,
            mp_context=context,
            initializer=_worker_start,
            initargs=(None if fork else project.to_text(),),
        ) as pool:
            return [result for chunk in pool.map(_worker_run, chunks) for result in chunk]
    finally:
        _worker_runner = None
