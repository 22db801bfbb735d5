"""Hearing a simulated call: Say through QtTextToSpeech, Play URLs through QtMultimedia.

Both are optional. `Speaker` and `Player` find out on first use whether the system can
speak or play (QtTextToSpeech and QtMultimedia are imported only then), and when it cannot,
`available` is False and `why_not` says why for people; nothing else changes and nothing
raises. Problems that come later (an engine that fails, a file that does not play) are
emitted as `problem(str)`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QObject, QUrl, Signal, qInstallMessageHandler

from ..common import tasks

NO_ENGINE = "No speech engine found: Say text is shown, not spoken"
NO_AUDIO = "No audio output device: Play is shown, not played"
# Qt's test engine: it is always listed and speaks nothing.
IGNORED_ENGINES = frozenset({"mock"})
FETCH_TIMEOUT = 10.0  # seconds for a whole audio file
MAX_AUDIO_BYTES = 20 * 1024 * 1024


@contextlib.contextmanager
def quiet_qt() -> Iterator[list[str]]:
    """Collect Qt's log messages instead of printing them, while probing.

    WORKAROUND: loading QtMultimedia logs warnings for every optional library it does not
    find (pipewire, VA-API, PulseAudio without a server), and QTextToSpeech logs a critical
    "Error loading text-to-speech plug-in" for the speechd engine that PySide6's Linux
    wheels always list, when speech-dispatcher is not running. None of that is wrong with
    the app, yet it lands on stderr (and fails tests that treat Qt warnings as errors). We
    keep the messages and say what matters in `why_not` instead.
    """
    messages: list[str] = []

    def keep(mode: Any, context: Any, message: str) -> None:
        messages.append(message)

    previous = qInstallMessageHandler(keep)
    try:
        yield messages
    finally:
        qInstallMessageHandler(previous)


class Speaker(QObject):
    """Says text with the first speech engine that works; `engines` None asks Qt which
    exist (Qt's "mock" test engine is then left out). See the module docstring."""

    problem = Signal(str)

    def __init__(self, engines: Sequence[str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._engines = None if engines is None else tuple(engines)
        self._probed = False
        self._why_not: str | None = None
        self._tts: Any = None  # QTextToSpeech, once one works
        self._voices: dict[str, Any] = {}  # "man"/"woman" -> QVoice
        self._voice: str | None = None
        self.engine: str | None = None

    @property
    def available(self) -> bool:
        self._probe()
        return self._tts is not None

    @property
    def why_not(self) -> str | None:
        """Why nothing is spoken, or None when speech works."""
        self._probe()
        return self._why_not

    def say(self, text: str, voice: str = "man") -> bool:
        """Start saying `text` (without waiting); False when nothing is spoken."""
        if not text.strip() or not self.available:
            return False
        self._use_voice(voice)
        self._tts.say(text)
        return True

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()

    @property
    def voice_name(self) -> str | None:
        """The system voice in use, e.g. "Anne" (None without an engine)."""
        return self._tts.voice().name() if self._tts is not None else None

    @property
    def speaking(self) -> bool:
        if self._tts is None:
            return False
        from PySide6.QtTextToSpeech import QTextToSpeech

        return self._tts.state() == QTextToSpeech.State.Speaking

    def _probe(self) -> None:
        if self._probed:
            return
        self._probed = True
        with quiet_qt():
            from PySide6.QtTextToSpeech import QTextToSpeech

            listed = QTextToSpeech.availableEngines() if self._engines is None else self._engines
        engines = [e for e in listed if self._engines is not None or e not in IGNORED_ENGINES]
        failures = []
        for engine in engines:
            with quiet_qt() as messages:
                tts = QTextToSpeech(engine, self)
                failed = tts.state() == QTextToSpeech.State.Error
            if failed:
                failures.append(f"{engine}: {tts.errorString() or '; '.join(messages) or 'failed'}")
                tts.deleteLater()
                continue
            self._tts, self.engine = tts, engine
            tts.errorOccurred.connect(self._on_error)
            self._find_voices()
            return
        if failures:
            self._why_not = (
                f"No speech engine works ({'; '.join(failures)}): Say text is shown, not spoken"
            )
        else:
            self._why_not = NO_ENGINE

    def _find_voices(self) -> None:
        from PySide6.QtTextToSpeech import QVoice

        voices = list(self._tts.availableVoices())
        for name, gender in (("man", QVoice.Gender.Male), ("woman", QVoice.Gender.Female)):
            found = next((v for v in voices if v.gender() == gender), None)
            if found is not None:
                self._voices[name] = found
        for voice in voices:  # Polly.Joanna finds a system voice called Joanna, if any
            self._voices.setdefault("polly." + voice.name().lower(), voice)

    def _use_voice(self, voice: str) -> None:
        key = voice.lower()
        if key == self._voice or key not in self._voices:
            return
        self._tts.setVoice(self._voices[key])
        self._voice = key

    def _on_error(self, reason: Any, message: str) -> None:
        self.problem.emit(f"Speech failed: {message or reason}")


class Player(QObject):
    """Fetches an audio URL (with a timeout and a size limit) and plays it on the default
    output; `devices` None asks Qt for the audio outputs. See the module docstring."""

    problem = Signal(str)

    def __init__(
        self,
        devices: Sequence[object] | None = None,
        parent: QObject | None = None,
        *,
        timeout: float = FETCH_TIMEOUT,
        max_bytes: int = MAX_AUDIO_BYTES,
    ) -> None:
        super().__init__(parent)
        self._devices = None if devices is None else tuple(devices)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._probed = False
        self._why_not: str | None = None
        self._player: Any = None  # QMediaPlayer, made on the first play
        self._output: Any = None
        self._buffer: QBuffer | None = None
        self._fetch: Any = None  # the task fetching the file being played
        self._url = ""

    @property
    def available(self) -> bool:
        self._probe()
        return self._why_not is None

    @property
    def why_not(self) -> str | None:
        self._probe()
        return self._why_not

    def play(self, url: str) -> str | None:
        """Fetch and play `url` (without waiting): None when on its way, else why not."""
        if not self.available:
            return self._why_not
        if not url.lower().startswith(("http://", "https://")):
            return f"{url} is not an http(s) URL: shown, not played"
        self.stop()
        self._fetch = tasks.start(self._fetch_and_play(url), name="fetch audio")
        return None

    def stop(self) -> None:
        if self._fetch is not None:
            self._fetch.cancel()
            self._fetch = None
        if self._player is not None:
            self._player.stop()

    def _probe(self) -> None:
        if self._probed:
            return
        self._probed = True
        if self._devices is None:
            with quiet_qt():
                from PySide6.QtMultimedia import QMediaDevices

                self._devices = tuple(QMediaDevices.audioOutputs())
        if not self._devices:
            self._why_not = NO_AUDIO

    async def _fetch_and_play(self, url: str) -> None:
        import httpx

        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=True) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code != 200:
                    raise _NotPlayed(f"answered HTTP {response.status_code}")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise _NotPlayed(f"is larger than {self.max_bytes // 1048576} MiB")
                    chunks.append(chunk)
        except _NotPlayed as exc:
            self.problem.emit(f"{url} was not played: it {exc}")
            return
        except httpx.TimeoutException:
            self.problem.emit(f"{url} was not played: no answer within {self.timeout:g} s")
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the flow's URL may be anything: a port of 99999, a bad host
            reason = str(exc).strip() or type(exc).__name__
            self.problem.emit(f"{url} was not played: {reason.splitlines()[0]}")
            return
        self._start(url, b"".join(chunks))

    def _start(self, url: str, data: bytes) -> None:
        if self._player is None:
            with quiet_qt():
                from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

                self._player = QMediaPlayer(self)
                self._output = QAudioOutput(self)
                self._player.setAudioOutput(self._output)
            self._player.errorOccurred.connect(self._on_error)
        self._url = url
        old, self._buffer = self._buffer, QBuffer(self)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        self._player.setSourceDevice(self._buffer, QUrl(url))  # the URL hints at the format
        self._player.play()
        if old is not None:
            old.deleteLater()

    def _on_error(self, error: Any, message: str) -> None:
        self.problem.emit(f"{self._url} was not played: {message or error}")


class _NotPlayed(Exception):
    """The audio file could not be fetched; the message ends "it ..." for people."""
