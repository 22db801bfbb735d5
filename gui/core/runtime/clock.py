"""Call time: a virtual clock (pauses pass at once) or a real-time one, and what verbs cost.

The interpreter never reads the wall clock itself: every wait goes through a clock, so a
transcript's times are the same on every machine unless real time was asked for.
"""

from __future__ import annotations

import asyncio
import re
from typing import Protocol

# How long things take on a call. CarrierX documents none of these except the comma in
# <Dtmf> (0.5 s); the rest are estimates for the simulator, kept here and nowhere else.
SPEECH_WORDS_PER_SECOND = 2.5  # text-to-speech at about 150 words a minute
MIN_SPEECH_SECONDS = 0.5
PLAY_SECONDS = 5.0  # an audio file's length is not known without fetching it
DTMF_KEY_SECONDS = 0.25  # one tone sent by <Dtmf> or <Play digits>
DTMF_COMMA_SECONDS = 0.5  # documented
KEY_PRESS_SECONDS = 0.5  # the caller pressing one key
AMD_SECONDS = 2.5  # answering-machine detection listening to the greeting
BEEP_SECONDS = 0.5
# The silence that ends a Pause silence="true" without minSilence (a simulated caller is
# silent from the start): CarrierX documents no default [assumed].
DEFAULT_SILENCE_SECONDS = 1.0


def speech_seconds(text: str) -> float:
    """About how long text-to-speech takes to say `text` once."""
    words = len(re.findall(r"\w+", text))
    return max(MIN_SPEECH_SECONDS, words / SPEECH_WORDS_PER_SECOND)


def dtmf_seconds(keys: str) -> float:
    """How long sending `keys` takes: each tone, and half a second for each comma."""
    commas = keys.count(",")
    return commas * DTMF_COMMA_SECONDS + (len(keys) - commas) * DTMF_KEY_SECONDS


class Clock(Protocol):
    """Simulated seconds since the call started, and a way to let them pass."""

    @property
    def now(self) -> float: ...

    def start(self) -> None:
        """The call starts: `now` counts from here."""

    async def sleep(self, seconds: float) -> None: ...

    async def sleep_until(self, when: float) -> None:
        """Let time pass until `when` (no wait when it has passed already)."""


class VirtualClock:
    """Time passes only when the call waits, and at once: a call runs as fast as it can."""

    def __init__(self) -> None:
        self._now = 0.0

    @property
    def now(self) -> float:
        return self._now

    def start(self) -> None:
        self._now = 0.0

    async def sleep(self, seconds: float) -> None:
        self._now += max(0.0, seconds)
        await asyncio.sleep(0)  # still a point where the call can be stopped

    async def sleep_until(self, when: float) -> None:
        await self.sleep(when - self._now)


class RealClock:
    """Waits for real, `speed` times faster than the call would (1.0 = as on a phone)."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("the speed must be above 0")
        self.speed = speed
        self._start: float | None = None

    def _loop_time(self) -> float:
        now = asyncio.get_running_loop().time()
        if self._start is None:
            self._start = now
        return now

    @property
    def now(self) -> float:
        if self._start is None:
            return 0.0
        return (self._loop_time() - self._start) * self.speed

    async def sleep(self, seconds: float) -> None:
        self._loop_time()  # the clock starts with the first wait at the latest
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    async def sleep_until(self, when: float) -> None:
        self._loop_time()
        await self.sleep(when - self.now)

    def start(self) -> None:
        self._start = asyncio.get_running_loop().time()
