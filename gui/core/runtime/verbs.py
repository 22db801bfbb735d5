"""What each FlexML verb does on a call (FLEXML.md §1-2); defaults come from the schema.

A handler returns None to go on with the next verb, `Goto` to hand control to another
document (an action or a Redirect), or `End` to end the call. Verbs nested in Gather or
PreAnswer (`nested`) are prompts: they never end the call or hand control away. Media
streams are kept by the call (streams.py); these handlers only say which to start or stop.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..flexml import Node
from ..flexml.schema import SCHEMA
from .call import digits_of
from .caller import take_keys
from .clock import (
    AMD_SECONDS,
    BEEP_SECONDS,
    DEFAULT_SILENCE_SECONDS,
    KEY_PRESS_SECONDS,
    PLAY_SECONDS,
    dtmf_seconds,
    speech_seconds,
)
from .context import VerbContext
from .events import (
    Amd,
    CallerHangup,
    Dial,
    Dtmf,
    GatherDone,
    GatherStarted,
    Hangup,
    Override,
    Pause,
    Play,
    PreAnswer,
    Record,
    Redirected,
    Rejected,
    Say,
    SmsSent,
    Stored,
)
from .sources import Fields
from .streams import StreamSpec

# Made-up recordings live here; .invalid never resolves (RFC 2606).
RECORDING_BASE_URL = "https://recordings.sandbox.invalid"
# CallStatus of a call refused by <Reject>, by reason; other reasons give "failed".
# CarrierX documents no mapping [assumed].
REJECT_STATUS = {"busy": "busy", "busy-here": "busy"}
# Verbs that do not answer the call when they run first. Store only keeps data, so it is
# one of them [assumed].
NOT_ANSWERING = frozenset({"PreAnswer", "Reject", "Override", "Redirect", "Store"})


@dataclass(frozen=True)
class Goto:
    """Control goes to the document at `url`, requested with the verb's results."""

    url: str
    method: str
    results: Fields
    cause: Node | None = None


@dataclass(frozen=True)
class End:
    """The call ends with this CallStatus."""

    status: str


Step = Goto | End | None
Handler = Callable[[VerbContext, Node, str, bool], Awaitable[Step]]


def value(node: Node, name: str) -> str | None:
    """An attribute's value, or the schema's default for it."""
    found = node.attrs.get(name)
    if found is None:
        spec = SCHEMA[node.tag].attribute(name) if node.tag in SCHEMA else None
        found = spec.default if spec else None
    return found


def number(node: Node, name: str, fallback: int | None = None) -> int | None:
    found = value(node, name)
    try:
        return int(found) if found is not None else fallback
    except ValueError:  # lint refuses such documents; this only keeps a bad one running
        return fallback


def method(node: Node, name: str = "method") -> str:
    return (value(node, name) or "POST").upper()


def _action(run: VerbContext, node: Node, base: str, results: Fields) -> Goto | None:
    action = node.attrs.get("action")
    if not action:
        return None
    return Goto(run.source.resolve(base, action), method(node), results, node)


async def say(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    text = node.text or ""
    loop = number(node, "loop", 1) or 0
    run.emit(Say(text, value(node, "voice") or "man", loop, node.attrs.get("language"), node=node))
    once = speech_seconds(text)
    if loop == 0:
        await run.clock.sleep(once)
        return None if nested else _caller_hangs_up(run, node)
    await run.clock.sleep(once * loop + (number(node, "loopPause", 0) or 0) * (loop - 1))
    return None


def _caller_hangs_up(run: VerbContext, node: Node) -> End:
    run.emit(CallerHangup(f"<{node.tag} loop=0> repeats until the caller hangs up", node=node))
    return End("completed")


async def play(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    files = tuple(c.text for c in node.children if c.tag == "File" and c.text)
    digits = node.attrs.get("digits") or None
    loop = number(node, "loop", 1) or 0
    background = value(node, "background") == "true"
    run.emit(Play(node.text, files, digits, loop, background, node=node))
    if not background:
        await run.clock.sleep((dtmf_seconds(digits) if digits else PLAY_SECONDS) * max(loop, 1))
        if loop == 0 and not nested:
            return _caller_hangs_up(run, node)
    return None if nested else _action(run, node, base, {})


async def pause(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    """Pause or Wait. A simulated caller is silent: with silence detection the pause ends
    once its silence has lasted minSilence (capped by `length`); it makes no noise, so noise
    detection alone waits the full length."""
    seconds = number(node, "length", 1) or 0
    if value(node, "silence") == "true":
        minimum = number(node, "minSilence")
        silence = DEFAULT_SILENCE_SECONDS if minimum is None else max(0, minimum) / 1000
        event = Pause(seconds, ended_after=min(float(seconds), silence), node=node)
    else:
        event = Pause(seconds, noise=value(node, "noise") == "true", node=node)
    run.emit(event)
    await run.clock.sleep(event.lasts)
    return None


async def dtmf(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    keys = node.text or ""
    run.emit(Dtmf(keys, node=node))
    await run.clock.sleep(dtmf_seconds(keys))
    return None


async def pre_answer(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    run.emit(PreAnswer(value(node, "ringing") == "true", node=node))
    await run.prompts(node, base)
    return None


async def gather(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    finish = value(node, "finishOnKey")
    started = run.emit(
        GatherStarted(
            number(node, "numDigits"),
            None if finish in (None, "", "_") else finish,  # "_" means no finish key [seen]
            number(node, "timeout", 5) or 0,
            node.attrs.get("validDigits") or None,
            node.attrs.get("action") or None,
            node=node,
        )
    )
    assert isinstance(started, GatherStarted)
    await run.prompts(node, base)
    begin = run.clock.now
    pressed = await run.caller.next_digits(started)
    keys = take_keys(pressed or "", started.num_digits, started.finish_on_key, started.valid_digits)
    waited = keys.used * KEY_PRESS_SECONDS + (0 if keys.complete else started.timeout)
    await run.clock.sleep_until(begin + waited)
    if pressed is not None:
        run.caller_acted()
    run.emit(GatherDone(keys.digits, keys.finish_key, not keys.complete, node=node))
    if not keys.digits and keys.finish_key is None and value(node, "actionOnEmptyResult") != "true":
        return None  # no input: the next verb runs
    return _action(run, node, base, {"Digits": keys.digits, "FinishKey": keys.finish_key})


async def dial(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    numbers = tuple(c.text for c in node.children if c.tag == "Number" and c.text)
    if not numbers and node.text:
        numbers = (node.text,)
    outcome = await run.caller.dial_outcome(numbers)
    run.emit(Dial(numbers, outcome.status, outcome.duration, node=node))
    await run.clock.sleep(outcome.duration)
    # The action's fields are TwiML's names: CarrierX documents none for Dial [assumed].
    results = {"DialCallStatus": outcome.status, "DialCallDuration": str(outcome.duration)}
    return _action(run, node, base, results)


async def record(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    if value(node, "recordSession") == "true":
        return _record_session(run, node)
    longest = number(node, "maxLength", 3600) or 0
    outcome = await run.caller.record_outcome(longest)
    seconds = max(0, min(outcome.duration, longest))
    url = sid = None
    if seconds:
        sid = outcome.file_sid or str(uuid.uuid4())
        url = outcome.url or f"{RECORDING_BASE_URL}/{sid}.{value(node, 'fileFormat') or 'wav'}"
    run.emit(Record(seconds, url, sid, node=node))
    beep = BEEP_SECONDS if value(node, "playBeep") == "true" else 0.0
    # Recording ends after `timeout` seconds of silence, or at once when nothing came.
    await run.clock.sleep(beep + (seconds or number(node, "timeout", 5) or 0))
    if not seconds:
        return None  # nothing recorded: the action is not requested
    results = {"RecordingUrl": url, "RecordingFileSid": sid, "RecordingDuration": str(seconds)}
    return _action(run, node, base, results)


_PROMPT_ONLY = ("action", "maxLength", "timeout", "finishOnKey", "playBeep")


def _record_session(run: VerbContext, node: Node) -> Step:
    """recordSession: the whole call is recorded in the background, so the flow goes on at
    once (no beep, no action mid-call); the recording ends with the call [seen in
    CarrierX's own apps, which put it before Amd or Gather]."""
    sid = str(uuid.uuid4())
    url = f"{RECORDING_BASE_URL}/{sid}.{value(node, 'fileFormat') or 'wav'}"
    # What a prompt recording uses and a session recording does not (CarrierX documents
    # none of them with recordSession): said, so a designer does not wait for them.
    unused = tuple(name for name in _PROMPT_ONLY if name in node.attrs)
    event = run.emit(Record(0, url, sid, session=True, unused=unused, node=node))
    assert isinstance(event, Record)
    run.record_session(event)
    return None


async def amd(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    outcome = await run.caller.amd_outcome()
    run.emit(Amd(outcome.status, outcome.cause, node=node))
    await run.clock.sleep(AMD_SECONDS)
    return _action(run, node, base, {"AMDStatus": outcome.status, "AMDCause": outcome.cause})


async def redirect(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    target = run.source.resolve(base, node.text or "")
    how = method(node)
    run.emit(Redirected(target, how, node=node))
    return Goto(target, how, {}, node)


async def hangup(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    run.emit(Hangup(node=node))
    return End("completed")


async def reject(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    reason = value(node, "reason") or "rejected"
    run.emit(Rejected(reason, node=node))
    if run.answered:  # a Reject after the call was answered just ends it
        return End("completed")
    return End(REJECT_STATUS.get(reason, "failed"))


async def override(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    how = method(node, "statusCallbackMethod")
    url = node.attrs.get("statusCallbackUrl") or None
    if url is not None:
        url = run.source.resolve(base, url)
        run.status_callback = (url, how)
    elif run.status_callback is not None:
        run.status_callback = (run.status_callback[0], how)
    run.emit(Override(url, how, node=node))
    return None


async def store(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    """Keep the text under `name`: later requests carry Storage_{name} (over CarrierX's
    128 KB the call fails, see Interpreter.store)."""
    name = node.attrs.get("name") or ""
    data = node.text or ""
    run.store(name, data, node)
    run.emit(Stored(name, data, node=node))
    return None


def _whole(text: str | None) -> int | None:
    """A positive whole number of seconds, or None (lint reports anything else)."""
    return int(text) if text and text.isascii() and text.isdigit() and int(text) > 0 else None


def _streams(node: Node, bidirectional: bool = False) -> list[tuple[StreamSpec, Node]]:
    """The <Stream>s of a Start, Stop or Connect (with their <Parameter>s) and their nodes."""
    found = []
    for child in node.children:
        if child.tag != "Stream":
            continue
        parameters = {
            p.attrs.get("name") or "": p.attrs.get("value") or ""
            for p in child.children
            if p.tag == "Parameter"
        }
        spec = StreamSpec(
            child.attrs.get("name") or "",
            child.attrs.get("url") or "",
            child.attrs.get("track") or child.attrs.get("audio_track") or None,
            parameters,
            bidirectional,
            _whole(child.attrs.get("maxLength")),
        )
        found.append((spec, child))
    return found


async def start(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    """Start streams in the background: the flow goes on at once."""
    for spec, child in _streams(node):
        run.streams.start(spec, base, child)
    return None


async def stop(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    for spec, child in _streams(node):
        run.streams.stop(spec.name, child, url=spec.url, base=base)
    return None


async def connect(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    """A bidirectional stream: the flow waits until its socket closes."""
    streams = _streams(node, bidirectional=True)
    if streams:  # lint asks for one; only one bidirectional stream can run at a time [doc]
        spec, child = streams[0]
        await run.streams.connect(spec, base, child)
    return None


async def sms(run: VerbContext, node: Node, base: str, nested: bool) -> Step:
    """An SMS (never sent from here): to the number called and from the caller unless set
    [doc]. With an action, the action is requested (no fields are documented for it) and
    the rest of the document is skipped."""
    to = node.attrs.get("to") or digits_of(run.call.to_number)
    sender = node.attrs.get("from") or digits_of(run.call.from_number)
    run.emit(SmsSent(to, sender, node.text or "", node=node))
    return None if nested else _action(run, node, base, {})


HANDLERS: dict[str, Handler] = {
    "Say": say,
    "Play": play,
    "Pause": pause,
    "Wait": pause,
    "Dtmf": dtmf,
    "PreAnswer": pre_answer,
    "Gather": gather,
    "Dial": dial,
    "Record": record,
    "Amd": amd,
    "Redirect": redirect,
    "Hangup": hangup,
    "Reject": reject,
    "Override": override,
    "Store": store,
    "Start": start,
    "Stop": stop,
    "Connect": connect,
    "Sms": sms,
}
