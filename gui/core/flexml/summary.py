"""One line in words for each node, as the flow editor shows it.

`Say "For sales, press 1." (woman, twice)`, `Gather 1 digit -> flow:choice (8 s)`. Texts are
whole (on one line): the editor elides what its width cannot show.
"""

from __future__ import annotations

from collections.abc import Callable

from .schema import SCHEMA
from .tree import COMMENT, Node


def _quote(text: str | None) -> str:
    if not text:
        return '""'
    return f'"{" ".join(text.split())}"'


def _times(loop: str | None) -> str | None:
    if loop is None or loop == "1":
        return None
    if loop == "0":
        return "until hang-up"
    if loop == "2":
        return "twice"
    return f"{loop} times"


def _details(*parts: str | None) -> str:
    kept = [p for p in parts if p]
    return f" ({', '.join(kept)})" if kept else ""


def _seconds(value: str | None, label: str = "") -> str | None:
    return f"{label}{value} s" if value else None


def _action(node: Node) -> str:
    action = node.attrs.get("action")
    return f" -> {action}" if action else ""


def _say(node: Node) -> str:
    a = node.attrs
    return f"Say {_quote(node.text)}" + _details(a.get("voice"), _times(a.get("loop")))


def _play(node: Node) -> str:
    a = node.attrs
    if node.text:
        what = node.text
    elif a.get("digits"):
        what = f"tones {a['digits']}"
    else:
        files = [c.text or "?" for c in node.children if c.tag == "File"]
        what = f"file {files[0]}" if len(files) == 1 else f"{len(files)} files"
    extra = "in the background" if a.get("background") == "true" else None
    return f"Play {what}{_action(node)}" + _details(_times(a.get("loop")), extra)


def _pause(node: Node) -> str:
    a = node.attrs
    length = a.get("length") or SCHEMA["Pause"].attribute("length").default
    until = "until silence" if a.get("silence") == "true" else None
    return f"{node.tag} {length} s" + _details(until)


def _gather(node: Node) -> str:
    a = node.attrs
    count = a.get("numDigits")
    digits = f"{count} digit{'' if count == '1' else 's'}" if count else "digits"
    finish = a.get("finishOnKey")
    until = f"until {finish}" if finish and finish != "_" and not count else None
    return f"Gather {digits}{_action(node)}" + _details(_seconds(a.get("timeout")), until)


def _dial(node: Node) -> str:
    a = node.attrs
    numbers = [c.text or "?" for c in node.children if c.tag == "Number"]
    if node.text:
        who = node.text
    elif len(numbers) == 1:
        who = numbers[0]
    else:
        who = f"{len(numbers)} numbers at once"
    return f"Dial {who}{_action(node)}" + _details(_seconds(a.get("timeout")))


def _record(node: Node) -> str:
    a = node.attrs
    if a.get("recordSession") == "true":
        return "Record the whole call (in the background)"
    return f"Record{_action(node)}" + _details(_seconds(a.get("maxLength"), "up to "))


def _redirect(node: Node) -> str:
    return f"Redirect -> {node.text or '?'}"


def _reject(node: Node) -> str:
    return "Reject" + _details(node.attrs.get("reason"))


def _pre_answer(node: Node) -> str:
    return "Before answering" + _details("ringing" if node.attrs.get("ringing") == "true" else None)


def _override(node: Node) -> str:
    url = node.attrs.get("statusCallbackUrl")
    return f"Override: status to {url}" if url else "Override"


def _amd(node: Node) -> str:
    return f"Detect answering machine{_action(node)}"


def _sms(node: Node) -> str:
    to = node.attrs.get("to")
    return f"SMS{f' to {to}' if to else ''}: {_quote(node.text)}{_action(node)}"


def _store(node: Node) -> str:
    return f"Store {node.attrs.get('name') or '?'} = {_quote(node.text)}"


def _stream_words(stream: Node) -> str:
    """`stream myStream to wss://...`: the name and URL the Stream gives."""
    name, url = stream.attrs.get("name"), stream.attrs.get("url")
    return "stream" + (f" {name}" if name else "") + (f" to {url}" if url else "")


def _streams(verb: str, node: Node) -> str:
    streams = [c for c in node.children if c.tag == "Stream"]
    if len(streams) == 1:
        return f"{verb} {_stream_words(streams[0])}"
    return f"{verb} {len(streams)} streams" if streams else f"{verb} no stream"


def _stream(node: Node) -> str:
    a = node.attrs
    track = a.get("track") or a.get("audio_track")
    return "S" + _stream_words(node)[1:] + _details(track)


def _parameter(node: Node) -> str:
    a = node.attrs
    return f"Parameter {a.get('name') or '?'} = {a.get('value', '?')}"


_SUMMARIES: dict[str, Callable[[Node], str]] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Wait": _pause,
    "Gather": _gather,
    "Dial": _dial,
    "Record": _record,
    "Redirect": _redirect,
    "Reject": _reject,
    "PreAnswer": _pre_answer,
    "Override": _override,
    "Amd": _amd,
    "Sms": _sms,
    "Store": _store,
    "Start": lambda node: _streams("Start", node),
    "Stop": lambda node: _streams("Stop", node),
    "Connect": lambda node: _streams("Connect", node),
    "Stream": _stream,
    "Parameter": _parameter,
    "Hangup": lambda node: "Hang up",
    "Dtmf": lambda node: f"Send tones {node.text or '?'}",
    "Number": lambda node: f"Number {node.text or '?'}",
    "File": lambda node: f"File {node.text or '?'}",
    "Response": lambda node: "Response",
}


def summarize(node: Node) -> str:
    """What `node` does, in a few words."""
    if node.tag == COMMENT:
        return f"# {' '.join((node.text or '').split())}"
    summary = _SUMMARIES.get(node.tag)
    if summary is None:
        return f"<{node.tag}> (not FlexML)"
    return summary(node)
