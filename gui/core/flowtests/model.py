"""A flow test as data: where the call starts, what the caller does, and what must happen.

    <test name="sales path" flow="menu" digits="1">
      <expect say="Sales"/>            a Say whose text contains this was spoken
      <expect flow="sales"/>           the call reached this flow (or switch)
      <expect dial="15162065300"/>     a Dial to this number or SIP URI
      <expect end="hangup"/>           how the call ended
    </test>

Everything is kept as the file says it (the raw text of each setting, and the attributes of
an `<expect>` that make no expectation), so a test that does not make sense still reads,
writes back unchanged and is reported by lint (lint.py) with its place; the helpers at the
end turn the settings into what a run needs, raising ValueError with a message for people.
Only what the file could not hold is refused at once: a test or expectation with a
character XML 1.0 cannot hold in any of its values cannot be made (ValueError), since a
test's values come from people typing or pasting and one such character would make the
whole project file unreadable. Nothing here imports the runtime or the project: project.py
imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..flexml.tree import check_name as check_xml_name
from ..flexml.writer import escape_attr

# What an <expect> may check, in the order the README lists them.
EXPECT_KINDS = ("say", "play", "flow", "dial", "verb", "digits", "store", "end", "status")
# How a call may end (`<expect end=...>`): a Hangup verb ended it, a Reject did, the last
# document ran out of verbs, it left the project (a URL the run does not follow), an error
# ended it, or the caller hung up (a Say or Play looping until hang-up).
END_WORDS = ("hangup", "reject", "completed", "left", "error", "caller-hangup")
# The final CallStatus (`<expect status=...>`): CarrierX's words.
STATUS_WORDS = ("completed", "busy", "failed", "noanswer", "cancel")
# The <test> attributes this version knows, in the order they are written.
TEST_ATTRIBUTES = (
    "name",
    "flow",
    "digits",
    "from",
    "to",
    "at",
    "tz",
    "dial",
    "amd",
    "record",
    "order",
)
ORDER_ANY = "any"
MAX_NAME = 200  # characters of a test's name
MAX_SECONDS = 3600  # a Dial talked or a Record lasted at most this long

# How a Dial ends (`<test dial=...>`): the simulator's choices and their CallStatus.
DIAL_WORDS = {
    "answered": "completed",
    "completed": "completed",
    "busy": "busy",
    "noanswer": "noanswer",
    "no-answer": "noanswer",
    "failed": "failed",
}
DEFAULT_DIAL_SECONDS = 10  # as the simulator's default
# Who answering-machine detection hears (`<test amd=...>`): AMDStatus and AMDCause, the
# causes in Asterisk's AMDCAUSE words as the simulator gives them [assumed].
AMD_WORDS = {
    "human": ("HUMAN", "HUMAN-800-800"),
    "machine": ("MACHINE", "LONGGREETING-1500-1500"),
    "notsure": ("NOTSURE", "TOOLONG-5000"),
    "hangup": ("HANGUP", "HANGUP"),
}
RECORD_SILENCE = "silence"
_BOOLEANS = {"true": True, "false": False}  # `<expect not=...>`

_SECONDS = re.compile(r"[0-9]{1,5}\Z")
# What XML 1.0 cannot hold (the complement of its Char production): most control characters,
# lone surrogates, U+FFFE and U+FFFF. Written as the characters it finds, not as the
# complement of those it allows: the same set, compiled in 1 ms instead of 10 (start-up).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The years an `at` may fall in, in UTC: the clock counts seconds from 1970, and datetime
# stops at 9999.
FIRST_YEAR, LAST_YEAR = 1970, 9999


def check_text(value: str, what: str) -> str:
    """Return `value` if a project file can hold it, else raise ValueError naming `what`
    and the first character it cannot hold."""
    bad = NOT_XML.search(value)
    if bad is not None:
        raise ValueError(
            f"{what} holds the character U+{ord(bad.group()):04X}, which a project file cannot hold"
        )
    return value


@dataclass(frozen=True)
class Expectation:
    """One `<expect KIND="VALUE"/>`: `negated` (not="true") says it must not happen.

    An `<expect>` whose attributes make no expectation (see read_expectation) is kept as
    `written`, its attributes as the file has them, with no kind: lint reports it as an
    error (so its test cannot run) and the file writes it back as it was."""

    kind: str
    value: str
    negated: bool = False
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)
    written: tuple[tuple[str, str], ...] | None = None

    def __post_init__(self) -> None:
        # The writer writes the kind as an attribute's name and the value as its value, or
        # the attributes as written.
        if self.written is not None:
            for key, value in self.written:
                check_xml_name(key, "attribute name")
                check_text(value, f"expect {key}={value!r}")
            return
        if self.kind not in EXPECT_KINDS:
            raise ValueError(f"{self.kind!r} is no kind of expectation ({', '.join(EXPECT_KINDS)})")
        check_text(self.value, f"expect {self.kind}={self.value!r}")

    @classmethod
    def unreadable(cls, attributes: Iterable[tuple[str, str]]) -> Expectation:
        """An `<expect>` kept as written: its attributes make no expectation."""
        return cls("", "", written=tuple(attributes))

    def problem(self) -> str | None:
        """Why the attributes written make no expectation (None for one that reads)."""
        if self.written is None:
            return None
        try:
            read_expectation(self.written)
        except ValueError as exc:
            return str(exc)
        return None

    def describe(self) -> str:
        """How a report names it: `say "Sales"`, `no dial "15162065300"`; one that cannot
        be read as written: `<expect sya="Sales"/>`."""
        if self.written is not None:
            return self.as_written()
        return f'{"no " if self.negated else ""}{self.kind} "{self.value}"'

    def as_written(self) -> str:
        """One that cannot be read, as the project file holds it (escaped as XML)."""
        attrs = "".join(f' {key}="{escape_attr(value)}"' for key, value in self.written or ())
        return f"<expect{attrs}/>"

    def retargeted(self, old: str, new: str) -> Expectation:
        """This expectation naming the flow or switch `new` where it named `old`."""
        if self.written is not None:
            written = tuple(
                (key, new if key == "flow" and value == old else value)
                for key, value in self.written
            )
            return replace(self, written=written)
        return replace(self, value=new) if self.kind == "flow" and self.value == old else self

    def names(self) -> set[str]:
        """The flow or switch it names (a `flow` attribute of one that cannot be read too)."""
        if self.written is not None:
            return {value for key, value in self.written if key == "flow"}
        return {self.value} if self.kind == "flow" else set()


def read_expectation(attributes: Iterable[tuple[str, str]]) -> Expectation:
    """The expectation an `<expect>` with these attributes makes, or ValueError saying why
    it makes none: exactly one kind, nothing else but `not`, which is "true" or "false" in
    lower case (as FlexML's booleans: lint calls "True" an error there too)."""
    attrs = dict(attributes)
    negated = attrs.pop("not", "false")
    unknown = [key for key in attrs if key not in EXPECT_KINDS]
    if unknown:
        raise ValueError(
            f"it has no attribute {unknown[0]} (an expect takes one of "
            f"{', '.join(EXPECT_KINDS)}, and not)"
        )
    if len(attrs) != 1:
        which = "none" if not attrs else " and ".join(attrs)
        raise ValueError(f"it needs exactly one of {', '.join(EXPECT_KINDS)} (it has {which})")
    if negated not in _BOOLEANS:
        hint = " (write it in lower case)" if negated.lower() in _BOOLEANS else ""
        raise ValueError(f"not={negated!r} is neither true nor false{hint}")
    ((kind, value),) = attrs.items()
    return Expectation(kind, value, _BOOLEANS[negated])


@dataclass(frozen=True)
class FlowTest:
    """A named test: the call starts at `flow` (a flow or switch; None: the entry), the
    caller presses `digits` (as `simulate --digits`: `w` lets a Gather time out), and the
    expectations hold in order unless `order` is "any".

    `from_number`/`to_number` are the caller and the number called; `at` (ISO date and time)
    and `tz` (IANA zone) fix the clock opening-hours switches decide by; `dial`, `amd` and
    `record` say what each Dial, Amd and Record meets, as comma lists used in order (the
    last one repeats). All are the file's text; `extra` holds attributes this version does
    not know (kept, written back). `line`/`column` say where it stood; not compared."""

    name: str
    flow: str | None = None
    digits: str = ""
    expectations: tuple[Expectation, ...] = ()
    from_number: str | None = None
    to_number: str | None = None
    at: str | None = None
    tz: str | None = None
    dial: str | None = None
    amd: str | None = None
    record: str | None = None
    order: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Every attribute the writer would write must be one a project file can hold.
        for key in self.extra:
            if key in TEST_ATTRIBUTES:
                raise ValueError(f"test {self.name!r}: {key} is no unknown attribute")
            check_xml_name(key, "attribute name")
        for key, value in self.attributes().items():
            what = f"the test name {value!r}" if key == "name" else f"test {self.name!r}: {key}"
            check_text(value, what)

    @property
    def ordered(self) -> bool:
        return self.order != ORDER_ANY

    def attributes(self) -> dict[str, str]:
        """The <test> attributes as written, in TEST_ATTRIBUTES order, then the unknown."""
        values = {
            "name": self.name,
            "flow": self.flow,
            "digits": self.digits or None,
            "from": self.from_number,
            "to": self.to_number,
            "at": self.at,
            "tz": self.tz,
            "dial": self.dial,
            "amd": self.amd,
            "record": self.record,
            "order": self.order,
        }
        found = {key: value for key, value in values.items() if value is not None}
        found.update(self.extra)
        return found

    def references(self) -> set[str]:
        """Every flow or switch name it names: where it starts and `flow` expectations."""
        names = set().union(*(e.names() for e in self.expectations))
        if self.flow is not None:
            names.add(self.flow)
        return names

    def retargeted(self, old: str, new: str) -> FlowTest:
        """This test with every reference to the flow or switch `old` naming `new`."""
        expectations = tuple(e.retargeted(old, new) for e in self.expectations)
        flow = new if self.flow == old else self.flow
        return replace(self, flow=flow, expectations=expectations)


def check_name(name: str) -> str:
    """Return a test name, or raise ValueError saying what is wrong with it. A name is one
    line a project file can hold, and reads back as it was written (clean_name leaves it
    as it is)."""
    if not name.strip():
        raise ValueError("a test needs a name")
    check_text(name, f"the test name {name!r}")
    if len(name) > MAX_NAME:
        raise ValueError(f"a test name is at most {MAX_NAME} characters")
    if name != " ".join(name.split()):
        raise ValueError(
            f"the test name {name!r} has spaces at its ends, spaces in a row or line breaks"
        )
    return name


def clean_name(raw: str) -> str:
    """A valid test name made from any text: what a project file cannot hold left out,
    spaces collapsed, cut to MAX_NAME."""
    name = " ".join(NOT_XML.sub("", raw).split())[:MAX_NAME].strip()
    return name or "test"


# -- what a run needs ---------------------------------------------------------------------


def outcome_words(text: str | None) -> list[str]:
    """The comma list of a dial, amd or record setting, lowercased ([] when unset)."""
    if text is None:
        return []
    return [word.strip().lower() for word in text.split(",")]


def dial_outcomes(text: str | None) -> list[tuple[str, int]]:
    """(CallStatus, seconds) of each Dial in order: `answered`, `busy`, `noanswer` or
    `failed`, each optionally `:SECONDS` (talked, or rung when nobody answered)."""
    found = []
    for word in outcome_words(text):
        status, _, seconds = word.partition(":")
        if status not in DIAL_WORDS:
            raise ValueError(
                f"dial: {word!r} is not answered, busy, noanswer or failed (optionally :SECONDS)"
            )
        found.append(
            (DIAL_WORDS[status], _seconds(seconds, "dial") if seconds else DEFAULT_DIAL_SECONDS)
        )
    return found


def amd_outcomes(text: str | None) -> list[tuple[str, str]]:
    """(AMDStatus, AMDCause) of each Amd in order."""
    found = []
    for word in outcome_words(text):
        if word not in AMD_WORDS:
            raise ValueError(f"amd: {word!r} is not human, machine, notsure or hangup")
        found.append(AMD_WORDS[word])
    return found


def record_outcomes(text: str | None) -> list[int]:
    """Seconds recorded by each Record in order; `silence` is 0 (nothing recorded)."""
    return [
        0 if word == RECORD_SILENCE else _seconds(word, "record", RECORD_SILENCE)
        for word in outcome_words(text)
    ]


def _seconds(text: str, what: str, other: str | None = None) -> int:
    if _SECONDS.match(text) is None or not 0 < int(text) <= MAX_SECONDS:
        also = f" or {other}" if other else ""
        raise ValueError(f"{what}: {text!r} is not seconds (1 to {MAX_SECONDS}){also}")
    return int(text)


def start_moment(at: str | None, tz: str | None) -> datetime | None:
    """When the call starts, for opening hours: `at` in the zone `tz` (UTC when none; an
    `at` with its own offset takes no tz). None when `at` is unset."""
    zone = _zone(tz) if tz is not None else None
    if at is None:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"at: {at!r} is not a date and time such as 2026-12-07T10:00") from None
    if moment.tzinfo is not None:
        if zone is not None:
            raise ValueError(f"at: {at!r} has its own offset: leave tz out, or the offset")
    else:
        moment = moment.replace(tzinfo=zone or UTC)
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:  # before year 1 or after 9999 in UTC
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"at: {at!r} is outside the years {FIRST_YEAR} to {LAST_YEAR} (in UTC, once the "
            "zone is applied)"
        )
    return moment


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz: {name!r} is not an IANA time zone (e.g. Europe/London)") from None
