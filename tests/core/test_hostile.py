"""Hostile inputs: each is refused with a message, within a second, and nothing is read.

"Nothing is read" is proved, not assumed: external references point at a named pipe with
no writer, so opening it to read would block and the parse would miss its one-second
limit (it runs in a thread); afterwards the pipe is checked for a waiting reader. URLs
point at a listening socket on 127.0.0.1 that is checked for connections.
"""

from __future__ import annotations

import errno
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from gui.core.flexml import reader
from gui.core.flexml.errors import FlexmlError, MalformedError, RefusedError
from gui.core.flexml.tree import Document

LIMIT = 1.0  # seconds


def run_limited(action: Callable[[], object]) -> object:
    """Run `action` in a thread; fail unless it ends within LIMIT seconds. Returns what it
    returned or the exception it raised."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(action())
        except BaseException as exc:  # handed back to the test
            outcome.append(exc)

    start = time.perf_counter()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(LIMIT)
    elapsed = time.perf_counter() - start
    assert not thread.is_alive(), f"still running after {LIMIT} s (blocked on a read?)"
    assert elapsed < LIMIT, f"took {elapsed:.2f} s"
    return outcome[0]


def refused(action: Callable[[], object], kind: type[FlexmlError] = RefusedError) -> FlexmlError:
    result = run_limited(action)
    assert isinstance(result, kind), f"expected {kind.__name__}, got {result!r}"
    assert result.message, "the refusal has no message"
    return result


def parse_refused(data: bytes, kind: type[FlexmlError] = RefusedError) -> FlexmlError:
    return refused(lambda: reader.parse(data), kind)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe nobody writes to: a read of it blocks. At the end the test fails if
    anyone opened it to read (a non-blocking open for writing succeeds only then)."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    yield path
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        assert exc.errno == errno.ENXIO  # no reader: nothing opened the pipe
    else:  # someone is reading it; unblock them, then fail
        os.close(fd)
        pytest.fail(f"{path} was opened for reading")


@pytest.fixture
def secret(tmp_path: Path) -> str:
    """A local file with a value that must not turn up anywhere."""
    value = f"TOPSECRET-{os.getpid()}-{time.time_ns()}"
    (tmp_path / "secret.txt").write_text(value + "\n")
    return value


class Listener:
    """A TCP socket listening on 127.0.0.1 that notices any connection attempt."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def connected(self) -> bool:
        try:
            connection, _ = self.socket.accept()
        except BlockingIOError:
            return False
        connection.close()
        return True


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    assert not server.connected(), "the reader connected to the server"
    server.socket.close()


def test_the_harness_can_fail(fifo: Path, listener: Listener):
    # The checks above are able to see a read and a connection.
    blocked = threading.Thread(target=lambda: Path(fifo).read_bytes(), daemon=True)
    blocked.start()
    blocked.join(0.2)
    assert blocked.is_alive()
    with pytest.raises(AssertionError, match="still running"):
        run_limited(blocked.join)
    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds: there is a reader
    os.close(fd)  # ... which now reads end-of-file and stops
    blocked.join(LIMIT)
    assert not blocked.is_alive()
    with socket.create_connection(listener.socket.getsockname(), timeout=LIMIT):
        pass
    deadline = time.monotonic() + LIMIT
    seen = False
    while not seen and time.monotonic() < deadline:
        seen = listener.connected()
    assert seen


# --- entity expansion ---------------------------------------------------------------------

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Response [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<Response><Say>&lol9;</Say><Play action='&lol9;'/></Response>\n"
)


@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "utf-32-be"])
def test_billion_laughs(codec: str):
    error = parse_refused(LAUGHS.replace('"1.0"', f'"1.0" encoding="{codec}"').encode(codec))
    assert "DOCTYPE" in error.message
    assert "lol" not in error.message


def test_quadratic_blowup():
    text = (
        '<!DOCTYPE Response [<!ENTITY a "' + "x" * 100_000 + '">]>'
        "<Response><Say>" + "&a;" * 40_000 + "</Say></Response>"
    )
    parse_refused(text.encode())


# --- external entities and DTDs -------------------------------------------------------------


def external_documents(target: str) -> list[str]:
    return [
        f'<!DOCTYPE Response [<!ENTITY x SYSTEM "{target}">]><Response><Say>&x;</Say></Response>',
        f'<!DOCTYPE Response [<!ENTITY x SYSTEM "{target}">]><Response a="&x;"/>',
        f'<!DOCTYPE Response [<!ENTITY % p SYSTEM "{target}"> %p;]><Response/>',
        f'<!DOCTYPE Response SYSTEM "{target}"><Response/>',
        f'<!DOCTYPE Response PUBLIC "-//Evil//DTD//EN" "{target}"><Response/>',
        f'<?xml version="1.0"?>\n<!-- hi -->\n<!DOCTYPE Response SYSTEM "{target}"><Response/>',
    ]


ENCODINGS = [("utf-8", None), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-32", "UTF-32")]


def encoded(text: str, codec: str, declared: str | None) -> bytes:
    if declared:
        text = f'<?xml version="1.0" encoding="{declared}"?>' + text.removeprefix(
            '<?xml version="1.0"?>'
        )
    return text.encode(codec)


@pytest.mark.parametrize(("codec", "declared"), ENCODINGS)
def test_external_entity_naming_a_pipe_is_not_opened(fifo: Path, codec: str, declared):
    for target in (str(fifo), fifo.as_uri()):
        for text in external_documents(target):
            error = parse_refused(encoded(text, codec, declared))
            assert "DOCTYPE" in error.message


@pytest.mark.parametrize(("codec", "declared"), ENCODINGS)
def test_external_entity_naming_a_secret_file_leaks_nothing(
    tmp_path: Path, secret: str, codec: str, declared
):
    target = (tmp_path / "secret.txt").as_uri()
    for text in external_documents(target):
        error = parse_refused(encoded(text, codec, declared))
        assert secret not in f"{error!s} {error!r} {error.message}"


@pytest.mark.parametrize(("codec", "declared"), ENCODINGS)
def test_external_dtd_url_is_not_fetched(listener: Listener, codec: str, declared):
    for text in external_documents(f"{listener.url}/flexml.dtd"):
        parse_refused(encoded(text, codec, declared))
    assert not listener.connected()


def test_the_parser_itself_refuses_external_loads(fifo: Path, listener: Listener):
    # Defence in depth, below the DOCTYPE scan: the lxml parser the reader uses asks a
    # resolver that refuses every external file or URL (libxml2 would otherwise open an
    # external DTD or parameter entity named in a DOCTYPE even with load_dtd=False).
    for target in (str(fifo), f"{listener.url}/x.dtd"):
        for text in external_documents(target):
            data = text.encode("utf-16")
            result = run_limited(lambda data=data: etree.fromstring(data, reader._parser()))
            # An entity declared but not loaded may parse (as an unresolved reference);
            # an external DTD or parameter entity that would have to be loaded may not.
            if "<!DOCTYPE Response SYSTEM" in text or "PUBLIC" in text or "%p;" in text:
                assert isinstance(result, Exception), f"{text} was parsed"


# --- XInclude -------------------------------------------------------------------------------


def test_xinclude_is_not_processed(tmp_path: Path, fifo: Path, secret: str, listener: Listener):
    targets = [str(fifo), (tmp_path / "secret.txt").as_uri(), f"{listener.url}/x.xml"]
    includes = "".join(
        f'<xi:include href="{target}" parse="{parse}"/>'
        for target in targets
        for parse in ("xml", "text")
    )
    text = (
        '<Response xmlns:xi="http://www.w3.org/2001/XInclude">'
        f"<Say>before</Say>{includes}<Say>after</Say></Response>"
    )
    document = run_limited(lambda: reader.parse(text.encode()))
    assert isinstance(document, Document)
    root = document.root
    tags = [node.tag for node in root.children]
    assert tags == ["Say"] + ["include"] * 6 + ["Say"]
    include = root.child(1)
    assert include.attrs == {"href": str(fifo), "parse": "xml"}
    assert include.spelling == {"": "{http://www.w3.org/2001/XInclude}include"}
    assert include.child_count() == 0 and include.text is None
    everything = repr([(n.tag, n.attrs, n.text) for n in root.iter()])
    assert secret not in everything


# --- size and depth -------------------------------------------------------------------------


def rchar() -> int:
    """Bytes this process has read so far (Linux /proc/self/io)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("/proc/self/io has no rchar")


def test_30_mb_file_is_refused_without_reading_it(tmp_path: Path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.write(b"<Response><Say>")
        handle.truncate(30 * 1024 * 1024)  # sparse: 30 MB of NULs on no disk space
    before = rchar()
    error = refused(lambda: reader.read_file(path))
    read = rchar() - before
    assert "30.0 MiB" in error.message and "5 MiB" in error.message
    assert read < 1024 * 1024, f"{read} bytes were read"


def test_30_mb_of_bytes_is_refused():
    data = b"<Response>" + b"<Say>x</Say>" * (30 * 1024 * 1024 // 12) + b"</Response>"
    error = parse_refused(data)
    assert "5 MiB" in error.message


@pytest.mark.parametrize("depth", [65, 300, 10_000])
def test_deep_nesting_is_refused(depth: int):
    data = b"<Response>" + b"<Gather>" * depth + b"</Gather>" * depth + b"</Response>"
    error = parse_refused(data)
    assert "64 levels" in error.message


def test_deep_nesting_in_a_file(tmp_path: Path):
    path = tmp_path / "deep.xml"
    path.write_bytes(b"<a>" * 10_000 + b"</a>" * 10_000)
    refused(lambda: reader.read_file(path))


# --- regular expressions that could be made slow ------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        # Backtracking into the prolog scan made these exponential: 27 spaces, 25 PIs or
        # 25 comments took seconds (each one more doubled it), 100,000 forever.
        b" " * 27 + b"<Response/>x",
        b"<?a?>" * 25 + b"<Response",
        b"<!--a-->" * 25 + b"<Response",
        b"<!--a--> <?b?>\n" * 17 + b"<Response",
        b"<!--" * 100_000,  # a comment that never ends
        b"<?" * 100_000,
        b"\xff\xfe" + " ".encode("utf-16-le") * 100_000 + "<x".encode("utf-16-le"),
    ],
)
def test_prolog_scan_is_linear(data: bytes):
    parse_refused(data, MalformedError)


def test_many_comments_that_look_like_cdata_are_quick():
    # Each comment used to send the position scan to the end of the file looking for "]]>"
    # (25 s for 20,000 of them).
    data = b"<Response>" + b"<!--<![CDATA[ <? -->" * 20_000 + b"</Response>"
    document = run_limited(lambda: reader.parse(data))
    assert isinstance(document, Document)
    assert document.root.child(19_999).column == 10 + 19_999 * 20 + 1


# --- broken bytes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"<Response><Say>\xff\xfe</Say></Response>",  # not UTF-8 at all
        b"<Response><Say>\xc3</Say></Response>",  # a cut multi-byte sequence
        b"<Response><Say>\xc0\xaf</Say></Response>",  # an overlong encoding of "/"
        b"<Response><Say>\xed\xa0\x80</Say></Response>",  # an encoded surrogate
        b"<Response><Say>\xf4\x90\x80\x80</Say></Response>",  # beyond U+10FFFF
        b"<Response a='\x80'/>",
        b"<R\xe9sponse/>",
    ],
)
def test_invalid_utf8_is_malformed(data: bytes):
    error = parse_refused(data, MalformedError)
    assert error.message.startswith("not well-formed XML")


@pytest.mark.parametrize(
    "data",
    [
        b"<Response><Say>\x00</Say></Response>",
        b"<Response><Say>&#0;</Say></Response>",
        b"<Response><Say>&#xD800;</Say></Response>",
        b"<Response><Say>\x1b[31m</Say></Response>",
        b'<?xml version="1.0" encoding="x-no-such-codec"?><Response/>',
        b'<?xml version="1.0" encoding="UTF-16"?><Response/>',  # declared, but 8-bit
        b"\xff\xfe<\x00R\x00",  # UTF-16 cut short
    ],
)
def test_other_broken_bytes_are_malformed(data: bytes):
    parse_refused(data, MalformedError)


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    error = refused(lambda: reader.read_file(path), MalformedError)
    assert "empty" in error.message


def parse_or_refuse(data: bytes) -> None:
    """Random bytes: a Document, or a FlexmlError with a message; never anything else."""
    result = run_limited(lambda: reader.parse(data))
    if isinstance(result, Document):
        return
    assert isinstance(result, (MalformedError, RefusedError)), repr(result)
    assert result.message


def test_random_bytes_seeded():
    generator = random.Random(20240611)
    for _ in range(300):
        size = generator.choice([1, 2, 7, 64, 1000, 50_000])
        parse_or_refuse(generator.randbytes(size))


SEED_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather action="/g" numDigits="1">'
    b"<Say voice='woman'>Caf&#233; &amp; <![CDATA[<x>]]></Say><!-- c --></Gather>\n"
    b"  <Dial><Number>15551234567</Number></Dial><HangUp/>\n</Response>\n"
)


def test_mutated_documents_seeded():
    generator = random.Random(7)
    markup = [b"<", b">", b"&", b"<!DOCTYPE x>", b"<![CDATA[", b"]]>", b"<!--", b"-->", b'"']
    for _ in range(500):
        data = bytearray(SEED_DOCUMENT)
        for _ in range(generator.randint(1, 4)):
            at = generator.randrange(len(data))
            choice = generator.random()
            if choice < 0.3:
                data[at] = generator.randrange(256)
            elif choice < 0.6:
                data[at:at] = generator.choice(markup)
            else:
                del data[at : at + generator.randint(1, 8)]
        parse_or_refuse(bytes(data))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes):
    parse_or_refuse(data)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"<Response>",
                b"</Response>",
                b"<Say>",
                b"</Say>",
                b"<Pause/>",
                b"<!DOCTYPE Response>",
                b'<!ENTITY x "y">',
                b"&x;",
                b"&amp;",
                b"<!--",
                b"-->",
                b"<![CDATA[",
                b"]]>",
                b"<?pi ",
                b"?>",
                b" ",
                b"\xef\xbb\xbf",
                b"\xff",
                b"text",
            ]
        ),
        max_size=30,
    )
)
def test_random_markup(pieces: list[bytes]):
    parse_or_refuse(b"".join(pieces))
