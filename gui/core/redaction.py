"""Hiding secrets (passwords, API tokens) in texts that come from servers, in every form.

A server that echoes a password may send it as it is, URL- or form-encoded (`%3C`, `+` for
a space, in either hex case), HTML-escaped (`&lt;`, `&#60;`, `&#x3c;`), JSON-escaped
(`\\u003c`, `\\"`), or as base64 (Basic auth carries base64("login:password"): pass that
pair as a secret too). `redact` matches each secret character by character in any of those
forms, mixed as they come, and puts *** in its place. Then it decodes the text a step at a
time (URL, HTML, JSON escapes) and, should a step bring a secret to light (an HTML-escaped
password sent form-encoded), it takes the decoded text, redacted, instead.

`scrub_credentials` is for texts kept where no secret is known (the call log): it hides the
credentials of an `Authorization` header (Basic, Bearer ...) and of a URL (`user:pass@`).
"""

from __future__ import annotations

import base64
import functools
import html.entities
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_plus

REDACTED = "***"
# The longest form one character can take, encoded twice (an HTML entity, URL-encoded).
_LONGEST_CHARACTER_FORM = 24
# How many encodings over one another redact takes off.
DECODING_ROUNDS = 3


def _hex(value: int, digits: int = 2) -> str:
    """`value` in hex with these many digits, matching either case."""
    text = f"{value:0{digits}x}"
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in text)


def _json_escapes(character: str) -> list[str]:
    code = ord(character)
    if code > 0xFFFF:  # a surrogate pair in JSON
        code -= 0x10000
        high, low = 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)
        return [rf"\\[uU]{_hex(high, 4)}\\[uU]{_hex(low, 4)}"]
    forms = [rf"\\[uU]{_hex(code, 4)}"]
    short = json.dumps(character)[1:-1]
    if short.startswith("\\") and not short.startswith("\\u"):
        forms.append(re.escape(short))  # \" \\ \n ...
    if character == "/":
        forms.append(re.escape("\\/"))
    return forms


def _character(character: str) -> str:
    """A pattern for one character of a secret, in any of the forms it may be sent in."""
    code = ord(character)
    forms = [re.escape(character)]
    forms.append("".join(f"%{_hex(byte)}" for byte in character.encode("utf-8")))
    if character == " ":
        forms.append(r"\+")  # form encoding
    forms.append(rf"&#(?:0*{code}|[xX]0*{_hex(code, 1).lstrip('0') or '0'});")
    name = html.entities.codepoint2name.get(code)
    if name:
        forms.append(f"&{name};")
    if character == "'":
        forms.append("&apos;")
    forms.extend(_json_escapes(character))
    return "(?:" + "|".join(forms) + ")"


def _encoded(secret: str) -> set[str]:
    """The forms of `secret` that are not character by character: base64."""
    forms = set()
    raw = secret.encode("utf-8")
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(raw).decode()
        forms.update((text, text.rstrip("=")))
    return {form for form in forms if form}


@functools.lru_cache(maxsize=64)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    parts: list[tuple[int, str]] = []
    for secret in secrets:
        parts.append((len(secret), "".join(_character(c) for c in secret)))
        parts.extend((len(form), re.escape(form)) for form in _encoded(secret))
    if not parts:
        return None
    # Longest first, so a secret inside a longer one does not leave a part of it behind.
    parts.sort(key=lambda part: part[0], reverse=True)
    return re.compile("|".join(pattern for _length, pattern in parts))


def _secrets(secrets: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({s for s in secrets if isinstance(s, str) and s}))


def longest_form(secrets: Iterable[str | None]) -> int:
    """How long the longest form of any secret can be (for cutting a text safely)."""
    found = _secrets(secrets)
    lengths = [len(s) * _LONGEST_CHARACTER_FORM for s in found]
    lengths += [len(form) for s in found for form in _encoded(s)]
    return max(lengths, default=0)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every non-empty secret, in any form (see the module), as ***."""
    pattern = _pattern(_secrets(secrets))
    if pattern is None:
        return text
    text = pattern.sub(REDACTED, text)
    for _round in range(DECODING_ROUNDS):
        for decode in _DECODERS:
            decoded = decode(text)
            if decoded != text and pattern.search(decoded):
                text = pattern.sub(REDACTED, decoded)
                break
        else:
            break  # no decoding shows anything more
    return text


_JSON_ESCAPE = re.compile(r"(?:\\u[0-9a-fA-F]{4})+|\\([\"\\/bfnrt])")
_JSON_SHORT = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return _JSON_SHORT.get(match.group(1), match.group(1))
        units = bytes.fromhex(match.group().replace("\\u", "").replace("\\U", ""))
        return units.decode("utf-16-be", errors="replace")

    return _JSON_ESCAPE.sub(one, text)


_DECODERS: tuple[Callable[[str], str], ...] = (unquote_plus, html.unescape, _json_unescape)


def redact_data(value: Any, secrets: Iterable[str | None]) -> Any:
    """A copy of decoded JSON (`dict`, `list`, strings ...) with every secret redacted in
    its strings, keys included."""
    found = _secrets(secrets)
    if not found:
        return value
    if isinstance(value, str):
        return redact(value, found)
    if isinstance(value, dict):
        return {redact_data(k, found): redact_data(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_data(item, found) for item in value]
    return value


# A credential after an auth scheme: long enough, and not an English word ("Basic auth").
_AUTH_VALUE = re.compile(
    r"\b(Basic|Bearer|Digest|Token|Negotiate)(\s+|%20|\+)"
    r"(?=[A-Za-z0-9._~+/=%-]{8,})"
    r"(?=[A-Za-z0-9._~+/=%-]*?(?:[0-9_~+/=%]|[.-][A-Za-z0-9]|(?-i:(?<=[A-Za-z0-9])[A-Z])))"
    r"[A-Za-z0-9._~+/=%-]+",
    re.IGNORECASE,
)
# Whatever follows "Authorization:" (or "authorization=" in a query), scheme kept.
_AUTH_HEADER = re.compile(
    r"(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:[A-Za-z]+\s+)?)(?!\*\*\*)[^\s\"',;&]+",
    re.IGNORECASE,
)
_URL_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/@]+@")


def scrub_credentials(text: str) -> str:
    """`text` without the credentials an Authorization header or a URL may carry:
    "Basic dXNlcjpwYXNz" -> "Basic ***", "https://me:pw@host/" -> "https://***@host/"."""
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _AUTH_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
