"""A person at a keypad: keys pressed in a window reach a call running on another thread.

`LiveCaller` is the Caller of a sandbox call placed from the dial pad. Its coroutines run on
the sandbox's event loop; `press(key)` may be called from any thread (the GUI's) and hands
the key over with `call_soon_threadsafe`. A Gather takes the keys pressed since the last
Gather ended (so a key pressed during its prompt counts, as on a real line), then waits for
more: it ends at its finish key or numDigits, or when `timeout` seconds pass with no key,
as CarrierX's Gather does. Dial, Record and Amd get fixed outcomes (the simulator chooses
them; the dial pad does not ask).
"""

from __future__ import annotations

import asyncio
import contextlib

from .caller import SCRIPT_KEYS, AmdOutcome, DialOutcome, RecordOutcome, take_keys
from .events import GatherStarted


class LiveCaller:
    """Keys from a person, delivered while the call runs; see the module docstring."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop | None = None,
        *,
        dial: DialOutcome | None = None,
        record: RecordOutcome | None = None,
        amd: AmdOutcome | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._keys: asyncio.Queue[str] = asyncio.Queue()
        self.dial = dial or DialOutcome()
        self.record = record or RecordOutcome()
        self.amd = amd or AmdOutcome()
        self.time_scale = time_scale  # seconds of waiting per second of Gather timeout
        self.closed = False

    def press(self, key: str) -> None:
        """Press one key (0-9, * or #); safe from any thread. Ignored once the call ended."""
        if key not in SCRIPT_KEYS or len(key) != 1:
            raise ValueError(f"{key!r} is not a phone key: use 0-9, * or #")
        if self.closed:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed: the call is over
            self._loop.call_soon_threadsafe(self._keys.put_nowait, key)

    def close(self) -> None:
        """The call ended: later presses are dropped."""
        self.closed = True

    async def next_digits(self, gather: GatherStarted) -> str | None:
        pressed = ""
        while True:
            keys = take_keys(pressed, gather.num_digits, gather.finish_on_key, gather.valid_digits)
            if keys.complete:
                return pressed[: keys.used]
            try:
                key = self._keys.get_nowait()
            except asyncio.QueueEmpty:
                try:
                    key = await asyncio.wait_for(self._keys.get(), gather.timeout * self.time_scale)
                except TimeoutError:
                    return pressed
            pressed += key

    async def dial_outcome(self, numbers: tuple[str, ...]) -> DialOutcome:
        return self.dial

    async def record_outcome(self, max_length: int) -> RecordOutcome:
        return self.record

    async def amd_outcome(self) -> AmdOutcome:
        return self.amd
