"""What can go wrong talking to CarrierX, as typed errors with messages a person can act on.

Three families (FLEXML.md §6):

- `ApiError`: CarrierX (or something in its place) answered with an error status; one
  subclass per status that calls for a different action (401: the credentials, 422: the
  fields, 429: wait ...).
- `NetworkError`: no answer at all (timeout, refused connection, unknown host, TLS).
- `BadAnswerError`: a 2xx answer that is not what the API answers (not JSON, wrong shape),
  e.g. a captive portal's HTML page.

No message ever carries a password or token: every text that comes from a server or from
httpx goes through `redact` with the client's secrets, in every form a server may echo them
(gui.core.redaction): an HTML page is redacted before its tags are stripped and again after
its entities are decoded, so no decoding step can bring a secret back.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..redaction import longest_form, redact

SNIPPET_CHARS = 200  # how much of an unexpected answer body a message shows
SNIPPET_WINDOW = 64 * 1024  # bytes of a body read for the snippet
MESSAGE_CHARS = 300  # of each of CarrierX's error messages
MAX_ERRORS = 20  # error messages kept from one answer
CREDENTIALS_HELP = (
    "The FlexML API takes the FlexML endpoint's own login and password, not the CarrierX "
    "portal login: find them in the CarrierX portal on the FlexML endpoint's page (its "
    'properties), or list them with the Core API: GET /endpoints?filter=type eq "flexml"'
)
TOKEN_HELP = "Check the Core API token (or login and password): it may be wrong, expired or revoked"


class CarrierXError(Exception):
    """Something went wrong with a CarrierX request; `str(exc) == exc.message`."""

    kind: ClassVar[str] = "error"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


# -- error answers -----------------------------------------------------------------------


class ApiError(CarrierXError):
    """CarrierX answered with an error status. `errors` holds (field, message) pairs from
    its JSON error body (empty when the body had none); `method` and `path` say which
    request it was."""

    kind: ClassVar[str] = "api"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: Iterable[tuple[str | None, str]] = (),
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message, status=status)
        self.errors: list[tuple[str | None, str]] = list(errors)
        self.method = method
        self.path = path


class BadRequestError(ApiError):
    kind: ClassVar[str] = "bad_request"


class AuthError(ApiError):
    kind: ClassVar[str] = "auth"


class ForbiddenError(ApiError):
    kind: ClassVar[str] = "forbidden"


class NotFoundError(ApiError):
    kind: ClassVar[str] = "not_found"


class ConflictError(ApiError):
    kind: ClassVar[str] = "conflict"


class UnsupportedMediaError(ApiError):
    kind: ClassVar[str] = "unsupported_media"


class ValidationError(ApiError):
    """422: `fields` lists (field, CarrierX's message) for every refused field."""

    kind: ClassVar[str] = "validation"

    @property
    def fields(self) -> list[tuple[str | None, str]]:
        return self.errors


class RateLimitError(ApiError):
    """429: `retry_after` is the wait in seconds CarrierX asked for, when it said."""

    kind: ClassVar[str] = "rate_limit"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    kind: ClassVar[str] = "server"


# -- no answer ---------------------------------------------------------------------------


class NetworkError(CarrierXError):
    """No answer at all: the request may or may not have reached CarrierX."""

    kind: ClassVar[str] = "network"


class RequestTimeout(NetworkError):
    """`phase` is "connect", "read", "write" or "pool"; `limit` the seconds allowed."""

    kind: ClassVar[str] = "timeout"

    def __init__(self, message: str, *, phase: str = "read", limit: float | None = None) -> None:
        super().__init__(message)
        self.phase = phase
        self.limit = limit


class ConnectionRefused(NetworkError):
    kind: ClassVar[str] = "connection_refused"


class NameLookupError(NetworkError):
    kind: ClassVar[str] = "name_lookup"


class TlsError(NetworkError):
    kind: ClassVar[str] = "tls"


# -- an answer that is not the API's -----------------------------------------------------


class BadAnswerError(CarrierXError):
    """A 2xx (or redirect) answer that is not what the API answers: not JSON, or not the
    expected shape. Often a proxy or captive portal in the way, or the wrong API URL."""

    kind: ClassVar[str] = "bad_answer"


# -- building errors from answers --------------------------------------------------------

_STATUS_WORDS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_CALL_PATH = re.compile(r"/calls/([^/?#]+)")
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


def status_text(status: int, reason: str = "") -> str:
    """ "404 Not Found": the status with its words."""
    words = reason.strip() or _STATUS_WORDS.get(status, "")
    return f"{status} {words}".strip()


def parse_error_body(body: bytes, content_type: str = "") -> list[tuple[str | None, str]] | None:
    """(field, message) pairs of a CarrierX error body `{"errors": [{"message", "field"}]}`,
    or None when the body is not one (HTML, empty, other JSON)."""
    if not body.strip():
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    errors = data.get("errors")
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list):
        # Some gateways answer {"message": ...} or {"error": ...}: take what is there.
        single = data.get("message", data.get("error"))
        return [(None, single)] if isinstance(single, str) and single.strip() else None
    pairs: list[tuple[str | None, str]] = []
    for item in errors:
        if isinstance(item, str):
            pairs.append((None, item))
        elif isinstance(item, dict):
            message = item.get("message")
            field = item.get("field")
            text = message if isinstance(message, str) else json.dumps(message)
            pairs.append((field if isinstance(field, str) and field else None, text))
    return pairs or None


def body_snippet(
    body: bytes,
    content_type: str = "",
    limit: int = SNIPPET_CHARS,
    secrets: Iterable[str | None] = (),
) -> str:
    """The start of an unexpected answer body as one line of readable text (tags of an HTML
    page dropped, secrets as ***), at most `limit` characters; "" for an empty body.
    Secrets go before anything is cut, so no cut leaves a piece of one behind, and before
    tags are stripped and entities decoded (then again after)."""
    secrets = list(secrets)
    window = body[:SNIPPET_WINDOW]
    text = window.decode("utf-8", errors="replace")
    if len(body) > len(window):
        # The window may end inside a secret: drop as much as the longest form of one.
        text = text[: max(0, len(text) - longest_form(secrets))]
    text = redact(text, secrets)
    if "html" in content_type.lower() or text.lstrip()[:1] == "<":
        text = redact(html.unescape(_TAG.sub(" ", text)), secrets)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _describe_body(body: bytes, content_type: str, secrets: Iterable[str | None]) -> str:
    snippet = body_snippet(body, content_type, secrets=secrets)
    kind = content_type.split(";")[0].strip() or "no content type"
    if not snippet:
        return "the answer had no body"
    return f"the answer was not CarrierX's JSON ({kind}): {snippet!r}"


def _server_says(pairs: list[tuple[str | None, str]]) -> str:
    return "; ".join(f"{field}: {message}" if field else message for field, message in pairs)


def _shorten(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        from datetime import UTC, datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN, infinity
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class _ErrorAnswer:
    """What every status's message is made of, redacted and shortened already."""

    status: int
    method: str
    path: str
    code: str  # "404 Not Found"
    pairs: list[tuple[str | None, str]]  # CarrierX's (field, message) pairs
    detail: str  # what CarrierX said, or what the answer was instead
    headers: Mapping[str, str]
    auth: str

    @property
    def what(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def common(self) -> dict:
        """The keyword arguments every ApiError takes."""
        return {
            "status": self.status,
            "errors": self.pairs,
            "method": self.method,
            "path": self.path,
        }


def api_error(
    status: int,
    *,
    method: str,
    path: str,
    body: bytes = b"",
    content_type: str = "",
    headers: Mapping[str, str] | None = None,
    reason: str = "",
    secrets: Iterable[str | None] = (),
    auth: str = "basic",
) -> ApiError:
    """The typed error for an error answer. `auth` says what the client sent: "basic"
    (the FlexML endpoint's login and password) or "bearer" (a Core API token), so a 401
    says which credentials to fix."""
    secrets = list(secrets)
    pairs = _error_pairs(body, content_type, secrets)
    detail = (
        f"CarrierX said: {_server_says(pairs)}"
        if pairs
        else _describe_body(body, content_type, secrets)
    )
    code = redact(status_text(status, _shorten(reason, 60)), secrets)
    answer = _ErrorAnswer(status, method, path, code, pairs, detail, headers or {}, auth)
    build = _BY_STATUS.get(status)
    if build is not None:
        return build(answer)
    if 500 <= status <= 599:
        return _server_failed(answer)
    return ApiError(f"CarrierX answered {code} to {answer.what}; {detail}", **answer.common)


def _error_pairs(
    body: bytes, content_type: str, secrets: list[str | None]
) -> list[tuple[str | None, str]]:
    """CarrierX's (field, message) pairs, redacted and shortened, at most MAX_ERRORS."""
    pairs = [
        (None if field is None else redact(field, secrets), _shorten(redact(message, secrets)))
        for field, message in parse_error_body(body, content_type) or []
    ]
    del pairs[MAX_ERRORS:]
    return pairs


# -- 4xx: the request (or its credentials) ------------------------------------------------


def _bad_request(answer: _ErrorAnswer) -> ApiError:
    text = f"CarrierX refused {answer.what} as a malformed request ({answer.code}); {answer.detail}"
    return BadRequestError(text, **answer.common)


def _unauthorized(answer: _ErrorAnswer) -> ApiError:
    if answer.auth == "bearer":
        refused = "the Core API token was refused"
        help_text = TOKEN_HELP
    elif answer.auth == "core-basic":
        refused = "the Core API login and password were refused"
        help_text = TOKEN_HELP
    else:
        refused = "the FlexML API login and password were refused"
        help_text = CREDENTIALS_HELP
    return AuthError(f"{refused} ({answer.code} for {answer.what}). {help_text}.", **answer.common)


def _forbidden(answer: _ErrorAnswer) -> ApiError:
    text = (
        f"CarrierX forbids {answer.what} ({answer.code}): the credentials were accepted but "
        f"may not do this; {answer.detail}"
    )
    return ForbiddenError(text, **answer.common)


def _not_found(answer: _ErrorAnswer) -> ApiError:
    match = _CALL_PATH.search(answer.path)
    if match:
        text = (
            f"CarrierX has no call {match.group(1)} ({answer.code}): the SID may be wrong, or the "
            "call has ended or run already (calls can expire)"
        )
    else:
        text = (
            f"CarrierX has nothing at {answer.path} ({answer.code}): check the API URL "
            "(the FlexML API is https://api.carrierx.com/flexml/v1)"
        )
    return NotFoundError(f"{text}; {answer.detail}" if answer.pairs else text, **answer.common)


def _conflict(answer: _ErrorAnswer) -> ApiError:
    text = (
        f"CarrierX refused {answer.what} as conflicting with the current state "
        f"({answer.code}); {answer.detail}"
    )
    return ConflictError(text, **answer.common)


def _unsupported_media(answer: _ErrorAnswer) -> ApiError:
    text = (
        f"CarrierX refused {answer.what} ({answer.code}): the request lacked "
        "Content-Type: application/json. This is a bug in FlexML Studio; please report it"
    )
    return UnsupportedMediaError(text, **answer.common)


def _invalid(answer: _ErrorAnswer) -> ApiError:
    if answer.pairs:
        listed = "; ".join(
            f"{field or 'the request'}: {message}" for field, message in answer.pairs
        )
        text = f"CarrierX refused {answer.what} ({answer.code}): {listed}"
    else:
        text = f"CarrierX refused {answer.what} as invalid ({answer.code}); {answer.detail}"
    return ValidationError(text, **answer.common)


def _rate_limited(answer: _ErrorAnswer) -> ApiError:
    retry_after = _parse_retry_after(
        answer.headers.get("Retry-After") or answer.headers.get("retry-after")
    )
    wait = (
        f"wait {retry_after:g} seconds before trying again"
        if retry_after is not None
        else "wait a little before trying again"
    )
    text = f"CarrierX is limiting the request rate ({answer.code} for {answer.what}): {wait}"
    if answer.pairs:
        text += f"; {answer.detail}"
    return RateLimitError(text, retry_after=retry_after, **answer.common)


# -- 5xx: CarrierX's side -----------------------------------------------------------------


def _server_failed(answer: _ErrorAnswer) -> ApiError:
    text = (
        f"CarrierX failed to handle {answer.what} ({answer.code}): a problem on CarrierX's "
        f"side (or a proxy in between); try again later; {answer.detail}"
    )
    return ServerError(text, **answer.common)


_BY_STATUS: dict[int, Callable[[_ErrorAnswer], ApiError]] = {
    400: _bad_request,
    401: _unauthorized,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    415: _unsupported_media,
    422: _invalid,
    429: _rate_limited,
}


def bad_answer(
    status: int,
    *,
    method: str,
    path: str,
    problem: str,
    body: bytes = b"",
    content_type: str = "",
    secrets: Iterable[str | None] = (),
) -> BadAnswerError:
    """A BadAnswerError for an answer that is not what the API answers; `problem` says
    what was expected ("not JSON", "a list where an object was expected" ...)."""
    snippet = body_snippet(body, content_type, secrets=secrets) if body else ""
    shown = f"; it began {snippet!r}" if snippet else ""
    text = (
        f"the answer to {method} {path} ({status_text(status)}) is not what the CarrierX API "
        f"answers: {problem}{shown}. Check the API URL; a proxy or captive portal may be in "
        "the way"
    )
    return BadAnswerError(text, status=status)
