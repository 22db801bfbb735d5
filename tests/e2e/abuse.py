"""What the abuse tests of the flow server and the sandbox share: raw-socket requests, a gzip
bomb, a deep JSON body, and the size of what a record keeps in memory."""

from __future__ import annotations

import contextlib
import functools
import socket
import struct
import sys
import time
import zlib
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

LOOPBACK = "127.0.0.1"
MIB = 1024 * 1024


@dataclass
class Exchange:
    """What came back on one raw connection."""

    answer: bytes  # every byte received until the server closed it (or the time limit)
    first: float | None  # seconds from sending to the first byte of the answer
    closed: bool  # whether the server closed the connection within the time limit

    @property
    def status(self) -> int | None:
        head = self.answer.split(b"\r\n", 1)[0].split()
        return int(head[1]) if len(head) > 1 and head[0].startswith(b"HTTP/") else None


def exchange(port: int, data: bytes, *, limit: float = 5.0) -> Exchange:
    """Send `data` on a new connection to 127.0.0.1:`port` and read until the server closes
    it, or `limit` seconds pass. A server that closes before taking all of `data` is fine:
    what it answered is still read."""
    with socket.create_connection((LOOPBACK, port), timeout=limit) as sock:
        started = time.monotonic()
        # A server that stopped reading and closed may have answered already.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        return _read_until_closed(sock, started, limit)


def _read_until_closed(sock: socket.socket, started: float, limit: float) -> Exchange:
    received = bytearray()
    first = None
    deadline = started + limit
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return Exchange(bytes(received), first, False)
        except ConnectionResetError:
            return Exchange(bytes(received), first, True)
        if not chunk:
            return Exchange(bytes(received), first, True)
        if first is None:
            first = time.monotonic() - started
        received += chunk
    return Exchange(bytes(received), first, False)


def post_head(path: str, length: int, headers: dict[str, str] | None = None) -> bytes:
    """The head of a POST of `length` body bytes, JSON unless `headers` say otherwise."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {LOOPBACK}", f"Content-Length: {length}"]
    said = {"Content-Type": "application/json", **(headers or {})}
    lines += [f"{name}: {value}" for name, value in said.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@functools.cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to about 1 GB of zeros: one deflate block of 1 MiB
    of zeros, flushed so that every next one is the same bytes, repeated."""
    zeros = bytes(MIB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = 1_000_000 // len(block)
    tail = deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return head + block * count + tail + struct.pack("<II", crc, (count * MIB) & 0xFFFFFFFF)


def deep_json(levels: int) -> bytes:
    """An object nested `levels` deep: {"a": {"a": ... {} ...}}."""
    return b'{"a": ' * (levels - 1) + b"{}" + b"}" * (levels - 1)


def deep_size(value: Any, shared: frozenset[int] = frozenset()) -> int:
    """The bytes `value` holds in memory with everything it refers to (dicts, lists,
    tuples, text, dataclass fields), counting each object once; objects in `shared`
    (a flow's bytes, which every record of it shares) are not counted."""
    seen: set[int] = set(shared)
    total = 0
    todo = [value]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
        elif is_dataclass(item) and not isinstance(item, type):
            todo.extend(getattr(item, f.name) for f in fields(item))
    return total
