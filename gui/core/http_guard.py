"""What the flow server and the sandbox do alike against callers who abuse them.

Both are aiohttp servers that may be reachable from the internet (the flow server through a
tunnel or on a public address, the sandbox when told to listen beyond loopback), each with one
thread to answer everybody. The limits here keep one caller from taking the memory, the CPU or
the connections that every other caller needs:

- a request body is at most MAX_BODY bytes, sent as it is: one with a Content-Encoding is
  refused (inflating a gzip bomb would cost seconds of that one thread), and one announced
  larger than the limit is refused at once, without reading it; the body must arrive within
  BODY_TIMEOUT seconds;
- JSON nests at most MAX_DEPTH levels (deeper is a 400 with a message, not a RecursionError);
- at most MAX_CONNECTIONS connections at once (fewer when the open-file limit is low): past
  it the oldest connection is closed to make room, so a flood of idle or slow connections
  pushes out its own oldest, not the next caller;
- a connection idle for IDLE_TIMEOUT seconds is closed (also one that never finishes its
  request's headers);
- a request refused before its body was read closes the connection: the rest is not read;
- a malformed request is one log line, never a traceback; the same kind of line (and an
  accept error, such as running out of open files) is logged at most once a second;
- an access token is masked in every log line, wherever the caller put it (`mask_token`).
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import re
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

MAX_BODY = 1024 * 1024  # bytes: a CarrierX request body is well under 2 KiB
BODY_TIMEOUT = 15.0  # seconds for a request's body to arrive once its headers have
IDLE_TIMEOUT = 15.0  # seconds a connection may wait for its next request (keep-alive)
MAX_DEPTH = 32  # levels of nesting in a JSON body (CarrierX sends one flat object)
MAX_CONNECTIONS = 1000  # at once, per server; a quarter of the open-file limit if lower
MIN_CONNECTIONS = 16  # ... but never fewer
OPEN_FILES = 8192  # the soft open-file limit asked for at start, where the hard one allows
LOG_INTERVAL = 1.0  # seconds between two log lines of the same kind
MASKED = "***"  # what an access token becomes in a log line or a request's record
MASK_ANYWHERE = 16  # a token this long is masked wherever it appears, a shorter one alone
LOG_LINE = 300  # characters of a caller's text in a log line

T = TypeVar("T")
_ACCEPT_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_URL_SAFE = "A-Za-z0-9._~-"


class BodyError(Exception):
    """A request body this server does not take: the HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# -- bodies ------------------------------------------------------------------------------------


def too_large(limit: int = MAX_BODY) -> str:
    return f"request body too large: the limit is {limit} bytes"


def check_body(request: web.BaseRequest, limit: int = MAX_BODY) -> None:
    """Raise BodyError, before any of the body is read, for a body this server does not
    take: one with a Content-Encoding (415) or announced larger than `limit` (413)."""
    coding = request.headers.get(hdrs.CONTENT_ENCODING)
    if coding is not None and coding.strip().lower() not in ("", "identity"):
        raise BodyError(
            415,
            f"request bodies with a Content-Encoding ({safe_text(coding, 40)}) are not "
            "accepted: send the body uncompressed",
        )
    length = request.content_length
    if length is not None and length > limit:
        raise BodyError(413, too_large(limit))


async def read_body(
    request: web.BaseRequest, *, limit: int = MAX_BODY, timeout: float = BODY_TIMEOUT
) -> bytes:
    """The request's whole body, or BodyError: refused by `check_body`, larger than `limit`
    as it arrives (413; the request's client_max_size is the limit aiohttp applies), not
    in within `timeout` seconds (408), or broken off (400)."""
    content = request.content
    if content.is_eof():
        # The whole body is in already (the usual case): nothing to wait for, so no timer
        # (a tenth of a flow request's time), and it is taken as it is (aiohttp's read()
        # would read it again chunk by chunk into a new buffer). Read once: nothing else
        # reads a request's body.
        if hdrs.CONTENT_ENCODING in request.headers:
            check_body(request, limit)
        try:
            body = content.read_nowait()
        except (ConnectionError, ValueError) as exc:
            raise BodyError(400, f"bad request: the body could not be read ({exc})") from None
        if len(body) > limit:
            raise BodyError(413, too_large(limit))
        return body
    check_body(request, limit)
    return await _reading(request.read(), limit, timeout)


async def read_form(
    request: web.BaseRequest, *, limit: int = MAX_BODY, timeout: float = BODY_TIMEOUT
) -> dict[str, str]:
    """The text fields of a form body (multipart/form-data; files are left out), or
    BodyError as for `read_body`."""
    check_body(request, limit)
    form = await _reading(request.post(), limit, timeout)
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _reading(step: Awaitable[T], limit: int, timeout: float) -> T:
    try:
        async with asyncio.timeout(timeout):
            return await step
    except web.HTTPRequestEntityTooLarge:
        raise BodyError(413, too_large(limit)) from None
    except TimeoutError:
        raise BodyError(408, "request timeout: the body did not arrive in time") from None
    except (ConnectionError, ValueError) as exc:
        raise BodyError(400, f"bad request: the body could not be read ({exc})") from None


def parse_json(body: bytes) -> Any:
    """The JSON value of `body` (UTF-8), or BodyError (400) saying why not, also for one
    nested deeper than MAX_DEPTH levels."""
    try:
        # JSON between systems is UTF-8 (RFC 8259); decoding first also skips json's
        # encoding detection for bytes.
        data = json.loads(body.decode("utf-8"))
    except RecursionError:  # thousands of levels: the parser gave up before we could look
        raise BodyError(400, _too_deep()) from None
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise BodyError(400, f"bad request: the JSON body does not parse: {exc}") from None
    # Counting brackets is one quick pass in C: only a body that could be too deep is walked.
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _deeper_than(data, MAX_DEPTH):
        raise BodyError(400, _too_deep())
    return data


def _too_deep() -> str:
    return f"bad request: the JSON body is nested deeper than {MAX_DEPTH} levels"


def _deeper_than(data: Any, limit: int) -> bool:
    todo = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if depth > limit:
            return True
        items = value.values() if isinstance(value, dict) else value
        todo.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return False


# -- connections -------------------------------------------------------------------------------


def raise_open_file_limit(wanted: int = OPEN_FILES) -> int | None:
    """Raise this process's soft open-file limit to `wanted` where the hard limit allows
    (each connection is an open file; many systems start programs at 1,024). The soft
    limit after, or None where there is none to know (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # not allowed here: the connection cap follows the lower limit
    return None if soft == resource.RLIM_INFINITY else soft


def connection_cap(open_files: int | None = None) -> int:
    """How many connections one server keeps at once: MAX_CONNECTIONS, or a quarter of the
    open-file limit when that is lower. A quarter: the other server, clients and files need
    some, and asyncio accepts a burst of up to a listen backlog (128) at a time, before the
    cap sees them and can close the oldest."""
    if open_files is None:
        open_files = raise_open_file_limit()
    if open_files is None:
        return MAX_CONNECTIONS
    return max(MIN_CONNECTIONS, min(MAX_CONNECTIONS, open_files // 4))


class ConnectionCap:
    """Keeps an aiohttp server at `limit` connections or fewer: one more closes the oldest.

    The oldest rather than the newest: a flood of idle or slow connections then pushes out
    its own oldest, and a caller arriving during it gets in. Everything runs on the server's
    loop. `watch` wraps the server's own connection bookkeeping (the two calls its request
    handlers make on it), so nothing is added to a request's path.
    """

    def __init__(self, what: str, limit: int, logger: logging.Logger) -> None:
        if limit < 1:
            raise ValueError("the connection limit must be at least 1")
        self.what = what
        self.limit = limit
        self.closed = 0  # connections closed to make room, in all
        self._open: dict[Any, None] = {}  # request handler -> None, oldest first
        self._log = RateLimitedLog(logger)

    def __len__(self) -> int:
        return len(self._open)

    def watch(self, server: web.Server) -> None:
        made, lost = server.connection_made, server.connection_lost

        def connection_made(handler: Any, transport: asyncio.Transport) -> None:
            made(handler, transport)
            self._open[handler] = None
            if len(self._open) > self.limit:
                self._make_room()

        def connection_lost(handler: Any, exc: BaseException | None = None) -> None:
            self._open.pop(handler, None)
            lost(handler, exc)

        # Instance attributes: the server's request handlers call these by name.
        server.connection_made = connection_made  # type: ignore[method-assign]
        server.connection_lost = connection_lost  # type: ignore[method-assign]

    def _make_room(self) -> None:
        oldest = next(iter(self._open))
        del self._open[oldest]
        oldest.force_close()
        self.closed += 1
        self._log.log(
            logging.WARNING,
            "cap",
            f"{self.what} has more than {self.limit} connections at once: closing the "
            "oldest to make room",
        )


def _retry_after_close(context: dict[str, Any]) -> bool:
    """Whether `context` is asyncio's delayed accept retry meeting a closed socket."""
    handle = context.get("handle")
    callback = getattr(handle, "_callback", None)
    return getattr(callback, "__name__", "") == "_start_serving" and "file descriptor" in str(
        context.get("exception")
    )


def quiet_accept_errors(loop: asyncio.AbstractEventLoop, logger: logging.Logger) -> None:
    """Make `loop` log a failing accept (out of open files, or of memory) in one line at most
    once a second, instead of a traceback for each try (asyncio tries a whole backlog at a
    time). Other errors go to the loop's default handler, as before."""
    log = RateLimitedLog(logger)

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in _ACCEPT_ERRORS:
            log.log(
                logging.WARNING,
                ("accept", exc.errno),
                f"cannot accept connections: {exc.strerror}; trying again in a second",
            )
            return
        if isinstance(exc, ValueError) and _retry_after_close(context):
            # The server closed while asyncio waited to try accepting again (after an
            # accept error): its retry finds the socket gone. Nothing to say.
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handle)


def handler_options(logger: logging.Logger | logging.LoggerAdapter) -> dict[str, Any]:
    """Keyword arguments for aiohttp's request handlers (web.Server, AppRunner or an
    Application's handler_args): the idle timeout, no inflating of bodies, no reading the
    rest of a body nobody asked for, and `logger` for errors in requests."""
    return {
        "keepalive_timeout": IDLE_TIMEOUT,
        # A Content-Encoding is refused (check_body): with this, aiohttp does not inflate a
        # body as it arrives either, before any handler could look at the request.
        "auto_decompress": False,
        # A response sent before the body was read (a refusal) closes the connection at
        # once instead of reading and dropping the rest for up to 10 s.
        "lingering_time": 0,
        "logger": logger,
    }


# -- log lines ---------------------------------------------------------------------------------


class RateLimitedLog:
    """Logs lines of one kind (`key`) at most once per `interval` seconds; the lines held
    back meanwhile are counted and said with the next one of that kind."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = LOG_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._seen: dict[object, tuple[float, int]] = {}  # key -> (last logged, held back)

    def log(self, level: int, key: object, message: str) -> bool:
        """Log `message` unless a line of `key` was logged less than `interval` ago; True
        when it was logged."""
        now = self.clock()
        last, held = self._seen.get(key, (float("-inf"), 0))
        if now - last < self.interval:
            self._seen[key] = (last, held + 1)
            return False
        if held:
            message += f" ({held} more like it since the last such line)"
        self._seen[key] = (now, 0)
        self.logger.log(level, message)
        return True


class RequestErrorLog(logging.LoggerAdapter):
    """What aiohttp is given to log errors in requests (a malformed request line or header,
    a connection broken mid-request): one line each, without the traceback, the access
    token masked, and one line per kind a second at most, so a flood of garbage cannot fill
    a disk. Other messages pass through as they are (masked). `what` names the server."""

    def __init__(self, logger: logging.Logger, what: str, token: str | None = None) -> None:
        super().__init__(logger, {})
        self._what = what
        self._token = token
        self._limited = RateLimitedLog(logger)

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if not self.isEnabledFor(level) and not kwargs.get("exc_info"):
            return
        text = str(msg) % args if args else str(msg)
        exc = _exception_of(kwargs.get("exc_info"))
        if exc is None:
            self.logger.log(level, safe_text(mask_token(text, self._token), LOG_LINE))
            return
        if isinstance(exc, HttpProcessingError):  # the caller's doing: a bad request
            said = f"a bad request {text.removeprefix('Error handling request ')}: {exc.message}"
            # Not an error of this server's, and not debug either (as aiohttp says for a
            # first request that is not HTTP at all: a TLS hello, a scanner).
            level = logging.WARNING
        else:
            said = f"{text}: {type(exc).__name__}: {exc}"
        # Masked before it is cut, so no part of the token is left at the cut.
        line = safe_text(
            mask_token(" ".join(f"{self._what}: {said}".split()), self._token), LOG_LINE
        )
        self._limited.log(level, type(exc).__name__, line)


def _exception_of(exc_info: object) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1]
    if exc_info:  # True: the exception being handled
        import sys

        return sys.exc_info()[1]
    return None


def safe_text(text: str, limit: int) -> str:
    """Caller-sent text for a log line: no line breaks or control characters, cut after
    `limit` characters."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def mask_token(text: str, token: str | None) -> str:
    """`text` with the access token masked wherever a caller may have put it (also where
    it is not accepted: ?Token=, /T/TOKEN/, //t/TOKEN/, a field's value). A token of
    MASK_ANYWHERE characters or more is masked anywhere; a shorter one (which only a
    loopback server may have) where it stands alone, not inside a longer word."""
    if not token or token not in text:
        return text
    if len(token) >= MASK_ANYWHERE:
        return text.replace(token, MASKED)
    alone = rf"(?<![{_URL_SAFE}]){re.escape(token)}(?![{_URL_SAFE}])"
    return re.sub(alone, MASKED, text)


# -- addresses ---------------------------------------------------------------------------------

EVERYWHERE = ("0.0.0.0", "::", "")  # listen on every interface: no address to connect to


def reachable_host(host: str) -> str:
    """`host` as another machine would reach it: for an address that listens everywhere,
    this machine's address on its default route (no packet is sent to find it), or the
    loopback address when it has none. Any other host is returned as it is."""
    if host not in EVERYWHERE:
        return host
    if host == "::":
        family, probe, fallback = socket.AF_INET6, "2001:db8::1", "::1"
    else:
        family, probe, fallback = socket.AF_INET, "192.0.2.1", "127.0.0.1"  # documentation nets
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))  # connecting a UDP socket only picks the route
            address = udp.getsockname()[0]
    except OSError:
        return fallback
    return fallback if address in EVERYWHERE else address
