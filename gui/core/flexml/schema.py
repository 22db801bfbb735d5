"""The FlexML schema: one declarative table of every element and attribute.

Everything else (lint, the palette, the inspector, the reference help, the runtime's
defaults) is derived from this table. Facts marked ``assumed`` come from TwiML, not from
CarrierX material (see shared/FLEXML.md); they live here and nowhere else, so correcting one
is a one-line change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Kind(Enum):
    """What an element is: the document root, a verb (runs) or a noun (data for a verb)."""

    ROOT = "root"
    VERB = "verb"
    NOUN = "noun"


class Type(Enum):
    """Value types of attributes and text content."""

    STRING = "string"
    INT = "int"  # whole number, range in AttrSpec
    BOOL = "bool"  # exactly "true" or "false"
    URL = "url"  # absolute http(s) URL, relative path, or flow:NAME
    METHOD = "method"  # GET or POST, any letter case
    DIGITS = "digits"  # DTMF keys 0-9 * #
    KEY = "key"  # exactly one DTMF key 0-9 * #
    DTMF = "dtmf"  # DTMF keys plus "," (each comma waits 0.5 s)
    NUMBER = "number"  # phone number: 7..15 digits after an optional leading +
    ENUM = "enum"  # one of AttrSpec.choices
    VOICE = "voice"  # man, woman or Polly.<Name>
    GATHER_KEY = "gather-key"  # one key 0-9 * #, or "_" for no finish key
    RECORD_KEYS = "record-keys"  # one or more of 0-9 * #, or "none"
    WS_URL = "ws-url"  # absolute ws(s) URL or relative path: a WebSocket server
    DIAL_TARGET = "dial-target"  # a NUMBER, or a SIP URI sip:user@host (or sips:)


class Flow(Enum):
    """What running a verb does to the rest of its document."""

    CONTINUES = "continues"  # the next verb runs
    ENDS = "ends"  # nothing after it runs (Hangup, Reject, Redirect)
    ENDS_IF_ACTION = "ends-if-action"  # control goes to `action` when it is set
    ACTION_ON_RESULT = "action-on-result"  # `action` fires only on input; else next verb


class Certainty(Enum):
    """How sure we are of a fact (FLEXML.md): documented, seen on the platform, or assumed."""

    DOC = "doc"
    SEEN = "seen"
    ASSUMED = "assumed"


@dataclass(frozen=True)
class AttrSpec:
    """One attribute of an element."""

    name: str
    type: Type
    description: str
    default: str | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    certainty: Certainty = Certainty.DOC
    requires: tuple[str, str] | None = None  # (attribute, value) it only makes sense with
    # Lint reports a missing (or empty) required attribute as an error; with
    # `required_inside`, only when the element stands in one of those parents.
    required: bool = False
    required_inside: tuple[str, ...] = ()
    why_required: str = ""  # what goes wrong without it, for the lint message
    excludes: tuple[str, ...] = ()  # attributes it may not be written with ("use one")
    # Values not documented but written by CarrierX's own code: a warning, not an error.
    tolerated: tuple[str, ...] = ()
    use_warning: str = ""  # a warning lint gives whenever the attribute is written
    example: str | None = None  # the value a new node starts with (fragments.new_node)

    def is_required(self, parent: str | None) -> bool:
        """Whether the attribute must be set on an element standing in `parent`."""
        if not self.required:
            return False
        return not self.required_inside or parent in self.required_inside


@dataclass(frozen=True)
class TextSpec:
    """The rule for an element's text content."""

    allowed: bool = False
    type: Type = Type.STRING
    required: bool = False
    min_length: int = 0
    max_length: int | None = None
    # The text may be left out when one of these children or attributes is present.
    unless_children: tuple[str, ...] = ()
    unless_attrs: tuple[str, ...] = ()
    description: str = ""
    note: str = ""  # more about the text, for the reference (lint's messages use description)
    example: str = ""  # what a new node starts with, so a fresh verb is valid at once


NO_TEXT = TextSpec()


@dataclass(frozen=True)
class OneOf:
    """At least one of `attributes` must be set on the element standing in one of `inside`
    (its parents); `why` says what is lost without them."""

    attributes: tuple[str, ...]
    inside: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class ResultSpec:
    """A field a verb's action request carries besides the call's own (FLEXML.md §3)."""

    name: str
    description: str
    certainty: Certainty = Certainty.DOC


@dataclass(frozen=True)
class ElementSpec:
    """One element: its kind, text rule, children, attributes and control flow."""

    name: str
    kind: Kind
    description: str
    text: TextSpec = NO_TEXT
    children: tuple[str, ...] = ()
    attributes: tuple[AttrSpec, ...] = ()
    flow: Flow = Flow.CONTINUES
    must_be_first: bool = False
    may_follow: tuple[str, ...] = ()  # elements it may come right after when must_be_first
    # How many children (comments not counted) it holds; fewer than `min_children` is an
    # error with `children_required`, else a warning (the verb then does nothing).
    min_children: int = 0
    max_children: int | None = None
    children_required: bool = False
    starter_children: tuple[str, ...] = ()  # what a new node starts with, to be valid at once
    needs_one_of: OneOf | None = None
    # Unknown attributes starting with one of these are documented in a form we could not
    # read (their names were cut off): lint says so in a warning, they are kept as written.
    unconfirmed_prefixes: tuple[str, ...] = ()
    unconfirmed_note: str = ""
    results: tuple[ResultSpec, ...] = ()  # what its action request adds
    attr_index: dict[str, AttrSpec] = field(default_factory=dict, compare=False, repr=False)

    def attribute(self, name: str) -> AttrSpec | None:
        """The attribute spec by its documented spelling, or None."""
        return self.attr_index.get(name)

    def starter_attrs(self) -> dict[str, str]:
        """The attributes a new node starts with: each one's example value."""
        return {a.name: a.example for a in self.attributes if a.example is not None}

    @property
    def parents(self) -> tuple[str, ...]:
        """The elements this one may be placed in (derived from their `children`)."""
        return PARENTS.get(self.name, ())


def _a(name: str, type_: Type, description: str, **kw) -> AttrSpec:
    return AttrSpec(name, type_, description, **kw)


_ASSUMED = Certainty.ASSUMED
_SEEN = Certainty.SEEN
_PROMPTS = ("Say", "Play", "Pause", "Wait")

_METHOD_NOTE = "HTTP method for the {} request: GET or POST"
_SIP_NOTE = (
    "Or a SIP URI (sip:user@host, or sips:): CarrierX dials SIP URIs only through a "
    "configured trunk group"
)
_STREAM_URL = "wss://example.com/stream"


def _action(what: str, method_certainty: Certainty = Certainty.DOC) -> tuple[AttrSpec, AttrSpec]:
    """`action` and its `method`; `method_certainty` is how sure the POST default is."""
    return (
        _a("action", Type.URL, f"URL requested {what}"),
        _a(
            "method",
            Type.METHOD,
            _METHOD_NOTE.format("action"),
            default="POST",
            certainty=method_certainty,
        ),
    )


_PAUSE_ATTRS = (
    _a("length", Type.INT, "The pause in seconds", default="1", minimum=1),
    _a(
        "silence",
        Type.BOOL,
        "End the pause once silence is heard; else it waits the whole length",
        default="false",
    ),
    _a(
        "minSilence",
        Type.INT,
        "Milliseconds without voice or audio that count as silence",
        minimum=0,
        requires=("silence", "true"),
    ),
    _a(
        "noise",
        Type.BOOL,
        "End the pause once noise is heard; else it waits the whole length",
        default="false",
    ),
    _a(
        "minNoise",
        Type.INT,
        "Milliseconds of audio that count as noise",
        minimum=0,
        requires=("noise", "true"),
    ),
)

_PLAY_KEYS = (
    "forwardOnKey",
    "rewindOnKey",
    "stopOnKey",
    "restartOnKey",
    "informationOnKey",
    "minorForwardOnKey",
    "minorRewindOnKey",
)

ELEMENTS: tuple[ElementSpec, ...] = (
    ElementSpec(
        "Response",
        Kind.ROOT,
        "The document root: its verbs run top to bottom",
        children=(
            "Say",
            "Play",
            "Pause",
            "Wait",
            "Gather",
            "Dial",
            "Redirect",
            "Hangup",
            "Reject",
            "Record",
            "Dtmf",
            "PreAnswer",
            "Override",
            "Amd",
            "Sms",
            "Store",
            "Start",
            "Stop",
            "Connect",
        ),
    ),
    ElementSpec(
        "Say",
        Kind.VERB,
        "Speak text to the caller (text-to-speech)",
        text=TextSpec(
            allowed=True,
            required=True,
            min_length=1,
            max_length=1024,
            description="The text to speak, 1 to 1024 characters",
            example="Hello",
        ),
        attributes=(
            _a(
                "voice",
                Type.VOICE,
                "Voice: man, woman, or an Amazon Polly voice such as Polly.Joanna (paid add-on)",
                default="man",
                choices=("man", "woman"),
                tolerated=("female",),  # CarrierX's call_treatment sample writes it
            ),
            _a(
                "loop",
                Type.INT,
                "Times to speak; 0 repeats until hang-up",
                default="1",
                minimum=0,
                maximum=100,
            ),
            _a(
                "loopPause",
                Type.INT,
                "Seconds of silence between repeats",
                default="0",
                minimum=0,
                maximum=300,
            ),
            _a(
                "language",
                Type.STRING,
                "Language of the text, e.g. en-US",
                certainty=_ASSUMED,
                use_warning="language is not on CarrierX's Say page; it may be ignored",
            ),
        ),
    ),
    ElementSpec(
        "Play",
        Kind.VERB,
        "Play an audio file (or DTMF tones) to the caller",
        text=TextSpec(
            allowed=True,
            type=Type.URL,
            required=True,
            unless_children=("File",),
            unless_attrs=("digits",),
            description="URL of the audio file (not needed with a File child or digits)",
            example="https://example.com/audio/hello.wav",
        ),
        children=("File",),
        flow=Flow.ENDS_IF_ACTION,
        attributes=(
            _a(
                "loop",
                Type.INT,
                "Times to play; 0 plays until hang-up",
                default="1",
                minimum=0,
            ),
            _a("digits", Type.DIGITS, "Play these DTMF tones instead of audio"),
            _a("background", Type.BOOL, "Keep playing while the next verbs run", default="false"),
            *_action("after the file ends"),
            _a("errorAction", Type.URL, "URL requested if playback fails"),
            _a("errorMethod", Type.METHOD, _METHOD_NOTE.format("errorAction"), default="POST"),
            _a(
                "controlSkip",
                Type.INT,
                "Seconds skipped by forward and rewind keys",
                default="60",
                minimum=1,
            ),
            _a("timeLimit", Type.INT, "Longest playback in seconds", minimum=1),
            _a(
                "streaming",
                Type.BOOL,
                "Stream the file instead of downloading it first",
                default="false",
            ),
            *(
                _a(key, Type.DIGITS, f"Playback control: key for {key[:-5]}", certainty=_SEEN)
                for key in _PLAY_KEYS
            ),
            _a(
                "minorControlSkip",
                Type.INT,
                "Seconds skipped by the minor forward and rewind keys",
                minimum=1,
                certainty=_SEEN,
            ),
            _a("skip", Type.INT, "Seconds to skip at the start", minimum=0, certainty=_SEEN),
            _a(
                "preBuffer",
                Type.INT,
                "Seconds to buffer before playing",
                minimum=0,
                certainty=_SEEN,
            ),
            _a(
                "loopPause",
                Type.INT,
                "Seconds of silence between loops",
                minimum=0,
                certainty=_SEEN,
            ),
            _a(
                "waitInitial",
                Type.INT,
                "Seconds before the wait audio starts",
                minimum=0,
                certainty=_SEEN,
            ),
            _a(
                "waitRepeat",
                Type.INT,
                "Seconds between wait audio repeats",
                minimum=0,
                certainty=_SEEN,
            ),
            _a(
                "informationAudioUrl",
                Type.URL,
                "Audio played by the information key",
                certainty=_SEEN,
            ),
            _a("pauseAudioUrl", Type.URL, "Audio played while paused", certainty=_SEEN),
            _a("waitInitialUrl", Type.URL, "Audio played while the file loads", certainty=_SEEN),
            _a("waitRepeatUrl", Type.URL, "Audio repeated while the file loads", certainty=_SEEN),
            _a(
                "strictForwardControl",
                Type.BOOL,
                "Forbid skipping past the end",
                default="false",
                certainty=_SEEN,
            ),
        ),
    ),
    ElementSpec(
        "File",
        Kind.NOUN,
        "A CarrierX Storage file to play",
        text=TextSpec(
            allowed=True,
            required=True,
            min_length=1,
            description="The Storage file SID",
            example="00000000-0000-0000-0000-000000000000",
        ),
    ),
    ElementSpec(
        "Pause",
        Kind.VERB,
        "Wait in silence, or until silence or noise is heard",
        attributes=_PAUSE_ATTRS,
    ),
    ElementSpec("Wait", Kind.VERB, "The same as Pause", attributes=_PAUSE_ATTRS),
    ElementSpec(
        "Gather",
        Kind.VERB,
        "Collect keypad digits (DTMF) from the caller",
        children=_PROMPTS,
        flow=Flow.ACTION_ON_RESULT,
        attributes=(
            *_action("with the digits once input was collected", _ASSUMED),
            _a(
                "timeout",
                Type.INT,
                "Seconds to wait for a key after the prompts finish",
                default="5",
                minimum=1,
                certainty=_ASSUMED,
            ),
            _a(
                "numDigits",
                Type.INT,
                "Digits to collect before the action fires (no limit when unset)",
                minimum=1,
                certainty=_ASSUMED,
            ),
            _a(
                "finishOnKey",
                Type.GATHER_KEY,
                "Key that ends input; _ means no finish key",
                default="#",
                certainty=_ASSUMED,
            ),
            _a("validDigits", Type.DIGITS, "Only these keys are accepted", certainty=_SEEN),
            # The name is documented (the newest Gather page's action row); its own row is
            # cut off in every stored copy, so the default false is assumed: it is what the
            # documented "with no input the next verb runs" means.
            _a(
                "actionOnEmptyResult",
                Type.BOOL,
                "Request the action even when nothing was entered (Digits empty); "
                "the default false is assumed (CarrierX's row is cut off)",
                default="false",
            ),
        ),
    ),
    ElementSpec(
        "Dial",
        Kind.VERB,
        "Call another number and connect the caller to it",
        text=TextSpec(
            allowed=True,
            type=Type.DIAL_TARGET,
            required=True,
            unless_children=("Number",),
            description="Phone number to dial (not needed with Number children)",
            note=_SIP_NOTE,
            example="15551234567",
        ),
        children=("Number",),
        flow=Flow.ENDS_IF_ACTION,
        attributes=(
            *_action("when the dialed call ends or fails", _ASSUMED),
            _a(
                "callerId",
                Type.NUMBER,
                "Caller ID shown to the callee; must be your number",
                certainty=_ASSUMED,
            ),
            _a("callerName", Type.STRING, "Caller name shown to the callee"),
            _a("timeout", Type.INT, "Seconds to ring", default="30", minimum=1, certainty=_ASSUMED),
            _a(
                "timeLimit",
                Type.INT,
                "Longest call in seconds",
                default="14400",
                minimum=1,
                certainty=_ASSUMED,
            ),
            _a(
                "hangupOnStar",
                Type.BOOL,
                "The caller ends the dialed leg by pressing *",
                default="false",
                certainty=_ASSUMED,
            ),
            _a("confirmKey", Type.KEY, "Key the callee must press to connect"),
            _a("confirmSound", Type.URL, "Prompt played to the callee before connecting"),
            _a("containerSid", Type.STRING, "Storage container for a recording"),
        ),
        unconfirmed_prefixes=("record", "stream"),
        unconfirmed_note=(
            "CarrierX documents record and stream attributes on Dial whose names we could "
            "not confirm"
        ),
    ),
    ElementSpec(
        "Number",
        Kind.NOUN,
        "A number to dial (several ring at once)",
        text=TextSpec(
            allowed=True,
            type=Type.DIAL_TARGET,
            required=True,
            description="Phone number: digits, with the country code",
            note=_SIP_NOTE,
            example="15551234567",
        ),
        attributes=(_a("sendDigits", Type.DTMF, "DTMF sent after the callee answers"),),
    ),
    ElementSpec(
        "Redirect",
        Kind.VERB,
        "Continue with the FlexML at another URL",
        text=TextSpec(
            allowed=True,
            type=Type.URL,
            required=True,
            description="URL of the next FlexML document",
            example="https://example.com/next.xml",
        ),
        flow=Flow.ENDS,
        attributes=(
            _a(
                "method",
                Type.METHOD,
                _METHOD_NOTE.format("redirect"),
                default="POST",
            ),
        ),
    ),
    ElementSpec(
        "Hangup",
        Kind.VERB,
        "Answer if needed, then end the call",
        flow=Flow.ENDS,
        attributes=(
            _a(
                "callInfo",
                Type.STRING,
                "Sent as a SIP Call-Info header on the BYE: why the call was ended",
            ),
        ),
    ),
    ElementSpec(
        "Reject",
        Kind.VERB,
        "Refuse the call without answering it",
        flow=Flow.ENDS,
        must_be_first=True,
        may_follow=("PreAnswer",),
        attributes=(
            _a(
                "reason",
                Type.ENUM,
                "Why the call is refused (the signal the caller's network gets)",
                default="rejected",
                choices=(
                    "rejected",
                    "busy",
                    "redirect",
                    "forbidden",
                    "not-found",
                    "busy-here",
                    "bad-gateway",
                    "unavailable",
                    "decline",
                    "does-not-exist",
                    "unwanted",
                    "intermediary-rejected",
                ),
            ),
        ),
    ),
    ElementSpec(
        "Record",
        Kind.VERB,
        "Record the caller",
        flow=Flow.ACTION_ON_RESULT,
        attributes=(
            *_action("with the recording details when something was recorded"),
            _a("errorAction", Type.URL, "URL requested if recording fails"),
            _a(
                "errorMethod",
                Type.METHOD,
                _METHOD_NOTE.format("errorAction"),
                default="POST",
                certainty=_ASSUMED,
            ),
            _a("callbackUrl", Type.URL, "URL that receives the recording details when done"),
            _a(
                "fileFormat",
                Type.ENUM,
                "Recording file format",
                default="wav",
                choices=("wav", "mp3", "ul"),
                certainty=_SEEN,
            ),
            _a(
                "finishOnKey",
                Type.RECORD_KEYS,
                "Keys that end the recording; none disables (any key when unset)",
                certainty=_SEEN,
            ),
            _a(
                "playBeep",
                Type.BOOL,
                "Play a beep before recording",
                default="true",
                certainty=_SEEN,
            ),
            _a(
                "maxLength",
                Type.INT,
                "Longest recording in seconds",
                default="3600",
                minimum=1,
                certainty=_ASSUMED,
            ),
            _a(
                "timeout",
                Type.INT,
                "Seconds of silence that end the recording",
                default="5",
                minimum=0,
                certainty=_ASSUMED,
            ),
            _a(
                "trim",
                Type.ENUM,
                "Trim silence from both ends",
                default="trim-silence",
                choices=("trim-silence", "do-not-trim"),
                certainty=_ASSUMED,
            ),
            _a(
                "direction",
                Type.ENUM,
                "Which side to record",
                choices=("in", "out"),
                certainty=_SEEN,
            ),
            _a(
                "containerSid",
                Type.STRING,
                "Storage container for the recording (ignored with a fileSid)",
            ),
            _a(
                "backgroundAudioUrl",
                Type.URL,
                "Audio the other side hears while recording; it is not recorded",
            ),
            _a(
                "backgroundAudioLoop",
                Type.INT,
                "How many times the background audio is repeated",
                minimum=0,
            ),
            _a(
                "recordSession",
                Type.BOOL,
                "Record the whole call in the background; the flow goes on at once",
                certainty=_SEEN,
            ),
            *(
                _a(name, Type.STRING, description, certainty=_SEEN)
                for name, description in (
                    ("fileSid", "Storage file to write"),
                    ("fileMode", "How an existing file is written"),
                    ("lifecycleAction", "What happens to the file when its time is up"),
                    ("lifecycleTtl", "Seconds the file is kept"),
                    ("integerKey1", "Custom integer stored with the file"),
                    ("integerKey2", "Custom integer stored with the file"),
                    ("stringKey1", "Custom string stored with the file"),
                    ("stringKey2", "Custom string stored with the file"),
                )
            ),
        ),
    ),
    ElementSpec(
        "Dtmf",
        Kind.VERB,
        "Send DTMF tones on the call",
        text=TextSpec(
            allowed=True,
            type=Type.DTMF,
            required=True,
            min_length=1,
            description="Keys 0-9 * #; each comma waits half a second",
            example="1234#",
        ),
    ),
    ElementSpec(
        "PreAnswer",
        Kind.VERB,
        "Play early media before the call is answered",
        children=_PROMPTS,
        attributes=(_a("ringing", Type.BOOL, "Send a ringing signal", default="false"),),
    ),
    ElementSpec(
        "Override",
        Kind.VERB,
        "Change call settings for the rest of the call",
        must_be_first=True,
        attributes=(
            _a("statusCallbackUrl", Type.URL, "URL that receives the call status at the end"),
            _a(
                "statusCallbackMethod",
                Type.METHOD,
                _METHOD_NOTE.format("status callback"),
                default="POST",
                certainty=_ASSUMED,
            ),
        ),
    ),
    ElementSpec(
        "Amd",
        Kind.VERB,
        "Detect whether a person or an answering machine answered (experimental)",
        flow=Flow.ENDS_IF_ACTION,
        attributes=(
            *_action("with AMDStatus and AMDCause", _ASSUMED),
            *(
                _a(name, Type.INT, description, minimum=0)
                for name, description in (
                    ("initialSilence", "Milliseconds of silence before a greeting"),
                    ("greeting", "Longest human greeting in milliseconds"),
                    ("afterGreetingSilence", "Milliseconds of silence after the greeting"),
                    ("totalAnalysisTime", "Longest analysis in milliseconds"),
                    ("betweenWordSilence", "Milliseconds of silence between words"),
                )
            ),
        ),
    ),
    ElementSpec(
        "Sms",
        Kind.VERB,
        "Send an SMS message during the call",
        text=TextSpec(
            allowed=True,
            required=True,
            min_length=1,
            max_length=670,
            description="The message, 1 to 670 characters (long ones go as several segments)",
            example="Thank you for calling",
        ),
        flow=Flow.ENDS_IF_ACTION,
        attributes=(
            _a("to", Type.NUMBER, "Number the message goes to; unset: the number that was called"),
            _a("from", Type.NUMBER, "Number it comes from; unset: the number the call is from"),
            *_action("once the message was sent"),
        ),
    ),
    ElementSpec(
        "Store",
        Kind.VERB,
        "Keep data for the rest of the call: every later request (the status callback too) "
        "carries it as Storage_{name}; a call's Stores hold 128 KB in all, and CarrierX "
        "ignores the ones past that",
        text=TextSpec(
            allowed=True,
            required=True,
            min_length=1,
            description="The data to keep",
            example="some_data",
        ),
        attributes=(
            _a(
                "name",
                Type.STRING,
                "Name of the data: later requests carry it as the field Storage_{name}",
                required=True,
                why_required="without it no Storage_{name} field can be sent",
                example="key1",
            ),
        ),
    ),
    ElementSpec(
        "Start",
        Kind.VERB,
        "Stream the call's audio to a WebSocket server in the background; the next verb "
        "runs at once",
        children=("Stream",),
        min_children=1,
        starter_children=("Stream",),
    ),
    ElementSpec(
        "Stop",
        Kind.VERB,
        "Stop a stream that Start began (its Stream names it)",
        children=("Stream",),
        min_children=1,
        starter_children=("Stream",),
    ),
    ElementSpec(
        "Connect",
        Kind.VERB,
        "Stream the call both ways with a WebSocket server; the next verb runs once the "
        "WebSocket closes",
        children=("Stream",),
        min_children=1,
        max_children=1,
        children_required=True,
        starter_children=("Stream",),
    ),
    ElementSpec(
        "Stream",
        Kind.NOUN,
        "A media stream to a WebSocket server",
        children=("Parameter",),
        needs_one_of=OneOf(("name", "url"), ("Stop",), "nothing says which stream to stop"),
        attributes=(
            # In every documented example, but not a row of any stored attribute table.
            _a(
                "name",
                Type.STRING,
                "Names the stream, so that Stop can stop it",
                certainty=_SEEN,
                example="myStream",
            ),
            _a(
                "url",
                Type.WS_URL,
                "WebSocket server (ws:// or wss://, or a relative path); it takes no URL "
                "parameters: send them as Parameter children",
                required=True,
                required_inside=("Start", "Connect"),
                why_required="the stream needs a server to go to",
                example=_STREAM_URL,
            ),
            _a(
                "track",
                Type.ENUM,
                "Which audio to stream: inbound, outbound, both as separate tracks, or both "
                "mixed into one",
                choices=("inbound_track", "outbound_track", "both_tracks", "mixed_tracks"),
                excludes=("audio_track",),
            ),
            _a(
                "audio_track",
                Type.ENUM,
                "The same as track, in other words",
                choices=("inbound", "outbound", "both", "mixed"),
                excludes=("track",),
            ),
            _a("maxLength", Type.INT, "Longest stream in seconds", minimum=1),
            _a(
                "timestampStart",
                Type.ENUM,
                "Media timestamps count from the stream's start (relative) or from 1970 (absolute)",
                default="relative",
                choices=("relative", "absolute"),
            ),
        ),
    ),
    ElementSpec(
        "Parameter",
        Kind.NOUN,
        "A custom key and value sent to the WebSocket server when the stream starts",
        attributes=(
            _a(
                "name",
                Type.STRING,
                "The key (in the start message's customParameters)",
                required=True,
                why_required="a parameter without a key is not sent",
                example="FirstName",
            ),
            _a(
                "value",
                Type.STRING,
                "The value",
                required=True,
                why_required="a parameter without a value is not sent",
                example="John",
            ),
        ),
    ),
)

# What each verb's action request adds to the call's fields. Digits and the recording's
# fields are read by CarrierX's own sample apps [seen]; AMDStatus/AMDCause are on the Amd
# page [doc]; CarrierX documents nothing for Dial, so its names are TwiML's [assumed].
_RESULTS: dict[str, tuple[ResultSpec, ...]] = {
    "Gather": (
        ResultSpec("Digits", "The keys entered, without the finishing key", _SEEN),
        ResultSpec("FinishKey", "The key that ended input, or null", _SEEN),
    ),
    "Dial": (
        ResultSpec("DialCallStatus", "How the dialed call ended (TwiML's name)", _ASSUMED),
        ResultSpec("DialCallDuration", "Seconds the dialed call lasted (TwiML's name)", _ASSUMED),
    ),
    "Record": (
        ResultSpec("RecordingUrl", "Where the recording can be fetched", _SEEN),
        ResultSpec("RecordingFileSid", "The recording's Storage file SID", _SEEN),
        ResultSpec("RecordingDuration", "Seconds recorded", _SEEN),
    ),
    "Amd": (
        ResultSpec("AMDStatus", "HUMAN, MACHINE, NOTSURE or HANGUP"),
        ResultSpec("AMDCause", "Why the detection decided so"),
    ),
}
ELEMENTS = tuple(
    replace(spec, results=_RESULTS[spec.name]) if spec.name in _RESULTS else spec
    for spec in ELEMENTS
)

SCHEMA: dict[str, ElementSpec] = {spec.name: spec for spec in ELEMENTS}
for _spec in ELEMENTS:
    _spec.attr_index.update({attr.name: attr for attr in _spec.attributes})

PARENTS: dict[str, tuple[str, ...]] = {}
for _spec in ELEMENTS:
    for _child in _spec.children:
        PARENTS[_child] = (*PARENTS.get(_child, ()), _spec.name)

ROOT = "Response"
VERBS: tuple[str, ...] = tuple(s.name for s in ELEMENTS if s.kind is Kind.VERB)
NOUNS: tuple[str, ...] = tuple(s.name for s in ELEMENTS if s.kind is Kind.NOUN)

ELEMENT_BY_LOWER: dict[str, str] = {name.lower(): name for name in SCHEMA}
ATTRIBUTE_BY_LOWER: dict[str, dict[str, str]] = {
    spec.name: {a.name.lower(): a.name for a in spec.attributes} for spec in ELEMENTS
}


def canonical_element(name: str) -> str | None:
    """The documented spelling of an element name given in any letter case, or None."""
    return ELEMENT_BY_LOWER.get(name.lower())


def canonical_attribute(element: str, name: str) -> str | None:
    """The documented spelling of an attribute of `element` in any letter case, or None."""
    table = ATTRIBUTE_BY_LOWER.get(element)
    return table.get(name.lower()) if table else None


def can_contain(parent: str, child: str) -> bool:
    """Whether the schema allows `child` directly inside `parent`."""
    spec = SCHEMA.get(parent)
    return spec is not None and child in spec.children


def attribute_order(element: str) -> dict[str, int]:
    """Schema position of each attribute, for writing attributes in a stable order."""
    return _ORDER.get(element, {})


_ORDER: dict[str, dict[str, int]] = {
    spec.name: {a.name: i for i, a in enumerate(spec.attributes)} for spec in ELEMENTS
}


# Where `flow:` references may stand: URL-typed attributes, and URL-typed text.
URL_ATTRIBUTES: dict[str, frozenset[str]] = {
    spec.name: frozenset(a.name for a in spec.attributes if a.type is Type.URL) for spec in ELEMENTS
}
URL_TEXT: frozenset[str] = frozenset(s.name for s in ELEMENTS if s.text.type is Type.URL)
