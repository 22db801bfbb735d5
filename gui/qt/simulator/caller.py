"""The person at the simulator panel: keys from its buttons, outcomes from its menus.

`PanelCaller` is the Caller of a simulated run. It runs on the window's event loop, so keys
arrive by plain calls (`press`). Its Gather follows LiveCaller's rules: keys pressed since
the last Gather ended count (a key pressed during the prompt is taken, as on a real line),
then it waits for more; it ends at its finish key or numDigits, or when `timeout` seconds
(times `time_scale`) pass with no key: CarrierX's timeout runs between keys. Dial, Record
and Amd ask `outcomes()` when they happen, so a choice made during the run counts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ...core.runtime.caller import SCRIPT_KEYS, AmdOutcome, DialOutcome, RecordOutcome, take_keys
from ...core.runtime.events import GatherStarted


@dataclass(frozen=True)
class Outcomes:
    """What Dial, Record and Amd turn out to be."""

    dial: DialOutcome = field(default_factory=DialOutcome)
    record: RecordOutcome = field(default_factory=RecordOutcome)
    amd: AmdOutcome = field(default_factory=AmdOutcome)


class PanelCaller:
    """See the module docstring. `on_change()` is called whenever `gather`, `pressed` or
    `deadline` change (to redraw the panel's "waiting for keys" line)."""

    def __init__(
        self,
        outcomes: Callable[[], Outcomes],
        *,
        time_scale: float = 1.0,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._outcomes = outcomes
        self.time_scale = time_scale  # seconds of waiting per second of Gather timeout
        self._on_change = on_change or (lambda: None)
        self._keys: deque[str] = deque()
        self._arrived = asyncio.Event()
        self._give_up = False
        self.gather: GatherStarted | None = None  # the Gather waiting for keys now
        self.pressed = ""  # the keys that Gather has taken so far
        self.deadline: float | None = None  # event-loop time its timeout runs out
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    # -- from the panel ----------------------------------------------------------------------

    def press(self, key: str) -> None:
        """Press one key (0-9, * or #). Ignored once the call ended."""
        if key not in SCRIPT_KEYS or len(key) != 1:
            raise ValueError(f"{key!r} is not a phone key: use 0-9, * or #")
        if self.closed:
            return
        self._keys.append(key)
        self._arrived.set()

    def let_time_out(self) -> None:
        """End the waiting Gather now, as if its timeout had passed."""
        if self.gather is not None:
            self._give_up = True
            self._arrived.set()

    @property
    def typed_ahead(self) -> str:
        """Keys pressed that no Gather has taken yet."""
        return "".join(self._keys)

    def seconds_left(self) -> float | None:
        """Call seconds until the waiting Gather times out (None: not waiting yet)."""
        if self.deadline is None or self._loop is None:
            return None
        left = self.deadline - self._loop.time()
        return max(0.0, left / self.time_scale if self.time_scale else 0.0)

    def close(self) -> None:
        self.closed = True

    # -- the Caller protocol -----------------------------------------------------------------

    async def next_digits(self, gather: GatherStarted) -> str | None:
        loop = self._loop = asyncio.get_running_loop()
        self.gather, self.pressed, self._give_up = gather, "", False
        try:
            while True:
                keys = take_keys(
                    self.pressed, gather.num_digits, gather.finish_on_key, gather.valid_digits
                )
                if keys.complete:
                    return self.pressed[: keys.used]
                if self._keys:
                    self.pressed += self._keys.popleft()
                    self.deadline = None
                    continue
                if self._give_up:
                    return self.pressed
                self._arrived.clear()
                self.deadline = loop.time() + gather.timeout * self.time_scale
                self._on_change()
                try:
                    await asyncio.wait_for(self._arrived.wait(), self.deadline - loop.time())
                except TimeoutError:
                    return self.pressed
        finally:
            self.gather, self.deadline = None, None
            with contextlib.suppress(Exception):  # a redraw must not break the call
                self._on_change()

    async def dial_outcome(self, numbers: tuple[str, ...]) -> DialOutcome:
        return self._outcomes().dial

    async def record_outcome(self, max_length: int) -> RecordOutcome:
        return self._outcomes().record

    async def amd_outcome(self) -> AmdOutcome:
        return self._outcomes().amd
