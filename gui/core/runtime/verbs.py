"""What each FlexML verb does on a call (FLEXML.md §1-2); defaults come from the schema.

A handler returns None to go on with the next verb, `Goto` to hand control to another
document (an action or a Redirect), or `End` to end the call. Verbs nested in Gather or
PreAnswer (`nested`) are prompts: they never end the call or hand control away.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..flexml import Node
from ..flexml.schema import SCHEMA
from .caller import take_keys
from .clock import (
    AMD_SECONDS,
    BEEP_SECONDS,
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
)
from .sources import Fields

# Made-up recordings live here; .invalid never resolves (RFC 2606).
RECORDING_BASE_URL = "https://recordings.sandbox.invalid"
# CallStatus of a call refused by <Reject>, by reason; other reasons give "failed".
# CarrierX documents no mapping [assumed].
REJECT_STATUS = {"busy": "busy", "busy-here": "busy"}
# Verbs that do not answer the call when they run first.
NOT_ANSWERING = frozenset({"PreAnswer", "Reject", "Override", "Redirect"})


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
    seconds = number(node, "length", 1) or 0
    run.emit(Pause(seconds, node=node))
    await run.clock.sleep(seconds)
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
    if not keys.digits and keys.finish_key is None:
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
}
