"""The schema table against FLEXML.md section 2, written out again here from the document.

Each table below is copied from /work/shared/FLEXML.md, not from the code, so a wrong row in
gui/core/flexml/schema.py fails a test. Where FLEXML.md is silent (a range, say), the row holds
the project's choice and says so in a comment. The elements FLEXML.md section 7 found later
(Store, Sms, Start, Stop, Connect, Stream, Parameter) are copied from CarrierX's pages for them
(docs.carrierx.com/flexml/flexml-api/flexml-syntax/<name>), as the research read them.
"""

from __future__ import annotations

import pytest

from gui.core.flexml import schema
from gui.core.flexml.lint import value_problem
from gui.core.flexml.schema import (
    ELEMENTS,
    NO_TEXT,
    NOUNS,
    PARENTS,
    ROOT,
    SCHEMA,
    URL_ATTRIBUTES,
    URL_TEXT,
    VERBS,
    AttrSpec,
    Certainty,
    Flow,
    Kind,
    TextSpec,
    Type,
    attribute_order,
    can_contain,
    canonical_attribute,
    canonical_element,
)

DOC, SEEN, ASSUMED = Certainty.DOC, Certainty.SEEN, Certainty.ASSUMED

PROMPTS = ("Say", "Play", "Pause", "Wait")
ALL_VERBS = (
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
)
STREAM_VERBS = ("Start", "Stop", "Connect")
IN_PROMPT_HOSTS = ("Response", "Gather", "PreAnswer")

# FLEXML.md section 2: Element | Kind | Children allowed | Allowed inside.
ELEMENT_TABLE: list[tuple[str, Kind, tuple[str, ...], tuple[str, ...]]] = [
    ("Response", Kind.ROOT, ALL_VERBS, ()),
    ("Say", Kind.VERB, (), IN_PROMPT_HOSTS),
    ("Play", Kind.VERB, ("File",), IN_PROMPT_HOSTS),
    ("File", Kind.NOUN, (), ("Play",)),
    ("Pause", Kind.VERB, (), IN_PROMPT_HOSTS),
    ("Wait", Kind.VERB, (), IN_PROMPT_HOSTS),
    ("Gather", Kind.VERB, PROMPTS, ("Response",)),
    ("Dial", Kind.VERB, ("Number",), ("Response",)),
    ("Number", Kind.NOUN, (), ("Dial",)),
    ("Redirect", Kind.VERB, (), ("Response",)),
    ("Hangup", Kind.VERB, (), ("Response",)),
    ("Reject", Kind.VERB, (), ("Response",)),
    ("Record", Kind.VERB, (), ("Response",)),
    ("Dtmf", Kind.VERB, (), ("Response",)),
    ("PreAnswer", Kind.VERB, PROMPTS, ("Response",)),
    ("Override", Kind.VERB, (), ("Response",)),
    ("Amd", Kind.VERB, (), ("Response",)),
    # "Nesting: no children; not nestable" (the Sms page).
    ("Sms", Kind.VERB, (), ("Response",)),
    # The Store page has no nesting section; it stands among the verbs of its example.
    ("Store", Kind.VERB, (), ("Response",)),
    # "You can nest Stream within the Start verb" / "... cannot nest the Start verb within
    # other FlexML verbs", and the same for Stop and Connect.
    ("Start", Kind.VERB, ("Stream",), ("Response",)),
    ("Stop", Kind.VERB, ("Stream",), ("Response",)),
    ("Connect", Kind.VERB, ("Stream",), ("Response",)),
    ("Stream", Kind.NOUN, ("Parameter",), STREAM_VERBS),
    # "You cannot nest any tags within Parameter" / "You can nest Parameter within Stream".
    ("Parameter", Kind.NOUN, (), ("Stream",)),
]
ELEMENT_NAMES = [row[0] for row in ELEMENT_TABLE]

# FLEXML.md section 2, "Text content":
# element -> (type, required, min length, max length, unless children, unless attributes).
TEXT_TABLE: dict[str, tuple[Type, bool, int, int | None, tuple[str, ...], tuple[str, ...]]] = {
    "Say": (Type.STRING, True, 1, 1024, (), ()),
    "Play": (Type.URL, True, 0, None, ("File",), ("digits",)),
    "File": (Type.STRING, True, 1, None, (), ()),
    # A phone number or, per the Dial page, a SIP URI (FLEXML.md section 7).
    "Dial": (Type.DIAL_TARGET, True, 0, None, ("Number",), ()),
    "Number": (Type.DIAL_TARGET, True, 0, None, (), ()),
    "Redirect": (Type.URL, True, 0, None, (), ()),
    # FLEXML.md does not say a Dtmf may be empty; an empty one would send nothing.
    "Dtmf": (Type.DTMF, True, 1, None, (), ()),
    # "SMS messages up to 670 characters are supported"; the text is the message.
    "Sms": (Type.STRING, True, 1, 670, (), ()),
    # The data to store: the page gives no limit but 128 KB for all of a call's Stores.
    "Store": (Type.STRING, True, 1, None, (), ()),
}

# FLEXML.md section 1: what a verb does to the verbs after it.
FLOW_TABLE: dict[str, Flow] = {
    "Hangup": Flow.ENDS,
    "Reject": Flow.ENDS,
    "Redirect": Flow.ENDS,
    "Dial": Flow.ENDS_IF_ACTION,
    "Play": Flow.ENDS_IF_ACTION,
    "Amd": Flow.ENDS_IF_ACTION,
    # "If an action attribute is added to the Sms verb, all verbs remaining ... are ignored."
    "Sms": Flow.ENDS_IF_ACTION,
    "Gather": Flow.ACTION_ON_RESULT,
    "Record": Flow.ACTION_ON_RESULT,
}

# FLEXML.md "Attributes": element, name, type, default, minimum, maximum, choices, certainty.
# Certainty is the weakest mark on any fact of the row (a [doc] name with an [assumed]
# default is ASSUMED).
_N = None
A = tuple[str, str, Type, str | None, int | None, int | None, tuple[str, ...], Certainty]
REJECT_REASONS = (
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
)
PLAY_KEYS = (
    "forwardOnKey",
    "rewindOnKey",
    "stopOnKey",
    "restartOnKey",
    "informationOnKey",
    "minorForwardOnKey",
    "minorRewindOnKey",
)
RECORD_STRINGS = (
    "fileSid",
    "fileMode",
    "lifecycleAction",
    "lifecycleTtl",
    "integerKey1",
    "integerKey2",
    "stringKey1",
    "stringKey2",
)
TRACKS = ("inbound_track", "outbound_track", "both_tracks", "mixed_tracks")
AUDIO_TRACKS = ("inbound", "outbound", "both", "mixed")
AMD_TIMINGS = (
    "initialSilence",
    "greeting",
    "afterGreetingSilence",
    "totalAnalysisTime",
    "betweenWordSilence",
)


def _pause(element: str) -> list[A]:
    return [
        (element, "length", Type.INT, "1", 1, _N, (), DOC),
        (element, "silence", Type.BOOL, "false", _N, _N, (), DOC),
        (element, "minSilence", Type.INT, _N, 0, _N, (), DOC),  # minimum: project choice
        (element, "noise", Type.BOOL, "false", _N, _N, (), DOC),
        (element, "minNoise", Type.INT, _N, 0, _N, (), DOC),  # minimum: project choice
    ]


ATTRIBUTE_TABLE: list[A] = [
    ("Say", "voice", Type.VOICE, "man", _N, _N, ("man", "woman"), DOC),
    ("Say", "loop", Type.INT, "1", 0, 100, (), DOC),
    ("Say", "loopPause", Type.INT, "0", 0, 300, (), DOC),
    ("Say", "language", Type.STRING, _N, _N, _N, (), ASSUMED),
    # The name is in the PreAnswer page's example; default and range as for Say.
    ("Play", "loop", Type.INT, "1", 0, _N, (), DOC),
    # FLEXML.md types digits as a string "played as DTMF": the keys 0-9 * #.
    ("Play", "digits", Type.DIGITS, _N, _N, _N, (), DOC),
    ("Play", "background", Type.BOOL, "false", _N, _N, (), DOC),
    ("Play", "action", Type.URL, _N, _N, _N, (), DOC),
    ("Play", "method", Type.METHOD, "POST", _N, _N, (), DOC),
    ("Play", "errorAction", Type.URL, _N, _N, _N, (), DOC),
    ("Play", "errorMethod", Type.METHOD, "POST", _N, _N, (), DOC),
    ("Play", "controlSkip", Type.INT, "60", 1, _N, (), DOC),
    ("Play", "timeLimit", Type.INT, _N, 1, _N, (), DOC),  # minimum: project choice
    ("Play", "streaming", Type.BOOL, "false", _N, _N, (), DOC),
    *(("Play", key, Type.DIGITS, _N, _N, _N, (), SEEN) for key in PLAY_KEYS),
    # The [seen] integers: FLEXML.md gives no ranges; the minimums are project choices.
    ("Play", "minorControlSkip", Type.INT, _N, 1, _N, (), SEEN),
    ("Play", "skip", Type.INT, _N, 0, _N, (), SEEN),
    ("Play", "preBuffer", Type.INT, _N, 0, _N, (), SEEN),
    ("Play", "loopPause", Type.INT, _N, 0, _N, (), SEEN),
    ("Play", "waitInitial", Type.INT, _N, 0, _N, (), SEEN),
    ("Play", "waitRepeat", Type.INT, _N, 0, _N, (), SEEN),
    ("Play", "informationAudioUrl", Type.URL, _N, _N, _N, (), SEEN),
    ("Play", "pauseAudioUrl", Type.URL, _N, _N, _N, (), SEEN),
    ("Play", "waitInitialUrl", Type.URL, _N, _N, _N, (), SEEN),
    ("Play", "waitRepeatUrl", Type.URL, _N, _N, _N, (), SEEN),
    ("Play", "strictForwardControl", Type.BOOL, "false", _N, _N, (), SEEN),
    *_pause("Pause"),
    *_pause("Wait"),
    ("Gather", "action", Type.URL, _N, _N, _N, (), DOC),
    ("Gather", "method", Type.METHOD, "POST", _N, _N, (), ASSUMED),
    ("Gather", "timeout", Type.INT, "5", 1, _N, (), ASSUMED),
    ("Gather", "numDigits", Type.INT, _N, 1, _N, (), ASSUMED),
    ("Gather", "finishOnKey", Type.GATHER_KEY, "#", _N, _N, (), ASSUMED),
    ("Gather", "validDigits", Type.DIGITS, _N, _N, _N, (), SEEN),
    # The name is documented, its row is cut off: the default false is assumed, and said
    # so in the description (the brief marks the row DOC for its name).
    ("Gather", "actionOnEmptyResult", Type.BOOL, "false", _N, _N, (), DOC),
    ("Dial", "action", Type.URL, _N, _N, _N, (), DOC),
    ("Dial", "method", Type.METHOD, "POST", _N, _N, (), ASSUMED),
    # Default "the caller's number" is not a value to write; assumed from TwiML.
    ("Dial", "callerId", Type.NUMBER, _N, _N, _N, (), ASSUMED),
    ("Dial", "callerName", Type.STRING, _N, _N, _N, (), DOC),
    ("Dial", "timeout", Type.INT, "30", 1, _N, (), ASSUMED),
    ("Dial", "timeLimit", Type.INT, "14400", 1, _N, (), ASSUMED),
    ("Dial", "hangupOnStar", Type.BOOL, "false", _N, _N, (), ASSUMED),
    ("Dial", "confirmKey", Type.KEY, _N, _N, _N, (), DOC),  # "digits (one)"
    ("Dial", "confirmSound", Type.URL, _N, _N, _N, (), DOC),
    ("Dial", "containerSid", Type.STRING, _N, _N, _N, (), DOC),
    ("Number", "sendDigits", Type.DTMF, _N, _N, _N, (), DOC),
    ("Record", "action", Type.URL, _N, _N, _N, (), DOC),
    ("Record", "method", Type.METHOD, "POST", _N, _N, (), DOC),
    ("Record", "errorAction", Type.URL, _N, _N, _N, (), DOC),
    # FLEXML.md gives errorMethod no default; POST like every other method is assumed.
    ("Record", "errorMethod", Type.METHOD, "POST", _N, _N, (), ASSUMED),
    ("Record", "callbackUrl", Type.URL, _N, _N, _N, (), DOC),
    ("Record", "fileFormat", Type.ENUM, "wav", _N, _N, ("wav", "mp3", "ul"), SEEN),
    ("Record", "finishOnKey", Type.RECORD_KEYS, _N, _N, _N, (), SEEN),
    ("Record", "playBeep", Type.BOOL, "true", _N, _N, (), SEEN),
    ("Record", "maxLength", Type.INT, "3600", 1, _N, (), ASSUMED),
    ("Record", "timeout", Type.INT, "5", 0, _N, (), ASSUMED),
    ("Record", "trim", Type.ENUM, "trim-silence", _N, _N, ("trim-silence", "do-not-trim"), ASSUMED),
    ("Record", "direction", Type.ENUM, _N, _N, _N, ("in", "out"), SEEN),
    ("Record", "containerSid", Type.STRING, _N, _N, _N, (), DOC),
    ("Record", "backgroundAudioUrl", Type.URL, _N, _N, _N, (), DOC),
    # "how many times backgroundAudioUrl will be repeated": 0 or more (project choice).
    ("Record", "backgroundAudioLoop", Type.INT, _N, 0, _N, (), DOC),
    # CarrierX's blast app writes recordSession="true"; the docs' row is cut off.
    ("Record", "recordSession", Type.BOOL, _N, _N, _N, (), SEEN),
    *(("Record", name, Type.STRING, _N, _N, _N, (), SEEN) for name in RECORD_STRINGS),
    ("Redirect", "method", Type.METHOD, "POST", _N, _N, (), DOC),
    ("Reject", "reason", Type.ENUM, "rejected", _N, _N, REJECT_REASONS, DOC),
    ("Hangup", "callInfo", Type.STRING, _N, _N, _N, (), DOC),
    ("PreAnswer", "ringing", Type.BOOL, "false", _N, _N, (), DOC),
    ("Override", "statusCallbackUrl", Type.URL, _N, _N, _N, (), DOC),
    # FLEXML.md gives statusCallbackMethod no default; POST is assumed.
    ("Override", "statusCallbackMethod", Type.METHOD, "POST", _N, _N, (), ASSUMED),
    ("Amd", "action", Type.URL, _N, _N, _N, (), DOC),
    # FLEXML.md gives Amd's method no default; POST is assumed.
    ("Amd", "method", Type.METHOD, "POST", _N, _N, (), ASSUMED),
    *(("Amd", name, Type.INT, _N, 0, _N, (), DOC) for name in AMD_TIMINGS),
    # The Sms page: to and from default to the call's numbers (not values to write).
    ("Sms", "to", Type.NUMBER, _N, _N, _N, (), DOC),
    ("Sms", "from", Type.NUMBER, _N, _N, _N, (), DOC),
    ("Sms", "action", Type.URL, _N, _N, _N, (), DOC),
    ("Sms", "method", Type.METHOD, "POST", _N, _N, (), DOC),
    ("Store", "name", Type.STRING, _N, _N, _N, (), DOC),
    # name: in every example, in no stored table.
    ("Stream", "name", Type.STRING, _N, _N, _N, (), SEEN),
    ("Stream", "url", Type.WS_URL, _N, _N, _N, (), DOC),
    ("Stream", "track", Type.ENUM, _N, _N, _N, TRACKS, DOC),
    ("Stream", "audio_track", Type.ENUM, _N, _N, _N, AUDIO_TRACKS, DOC),
    # "The maximum length, in seconds, to stream" (typed string); 1 or more: project choice.
    ("Stream", "maxLength", Type.INT, _N, 1, _N, (), DOC),
    ("Stream", "timestampStart", Type.ENUM, "relative", _N, _N, ("relative", "absolute"), DOC),
    ("Parameter", "name", Type.STRING, _N, _N, _N, (), DOC),
    ("Parameter", "value", Type.STRING, _N, _N, _N, (), DOC),
]

# Required attributes: (element, attribute) -> the parents it is required in (() for all).
# Parameter marks name and value "required"; the Stream table marks url "required", which
# the Stop page's example leaves out; Store's table has no mark, but without a name no
# Storage_{name} field can be sent.
REQUIRED = {
    ("Store", "name"): (),
    ("Stream", "url"): ("Start", "Connect"),
    ("Parameter", "name"): (),
    ("Parameter", "value"): (),
}
# "Use either the track attribute or the audio_track attribute, but not both."
EXCLUDES = {("Stream", "track"): ("audio_track",), ("Stream", "audio_track"): ("track",)}

# FLEXML.md: "minSilence ... only with silence=true", "minNoise ... only with noise=true".
REQUIRES = {
    ("Pause", "minSilence"): ("silence", "true"),
    ("Pause", "minNoise"): ("noise", "true"),
    ("Wait", "minSilence"): ("silence", "true"),
    ("Wait", "minNoise"): ("noise", "true"),
}


def _attr_id(row: A) -> str:
    return f"{row[0]}.{row[1]}"


# -- elements --------------------------------------------------------------------------------


def test_schema_has_exactly_the_documented_elements():
    assert list(SCHEMA) == [spec.name for spec in ELEMENTS]
    assert set(SCHEMA) == set(ELEMENT_NAMES)
    assert len(ELEMENTS) == len(ELEMENT_NAMES)  # no element twice


@pytest.mark.parametrize("name", ["Conference", "Sip", "Client", "Queue", "Enqueue", "Message"])
def test_twiml_only_elements_are_absent(name):
    assert name not in SCHEMA
    assert canonical_element(name) is None


@pytest.mark.parametrize(("name", "kind", "children", "parents"), ELEMENT_TABLE, ids=ELEMENT_NAMES)
def test_element_row(name, kind, children, parents):
    spec = SCHEMA[name]
    assert spec.name == name
    assert spec.kind is kind
    assert set(spec.children) == set(children)
    assert len(spec.children) == len(set(spec.children))
    assert set(spec.parents) == set(parents)
    assert set(PARENTS.get(name, ())) == set(parents)


def test_root_verbs_and_nouns():
    assert ROOT == "Response"
    assert SCHEMA[ROOT].kind is Kind.ROOT
    assert set(VERBS) == set(ALL_VERBS)
    assert set(NOUNS) == {"File", "Number", "Stream", "Parameter"}
    # "Response: Children allowed: any verb"
    assert set(SCHEMA[ROOT].children) == set(VERBS)


def test_response_takes_no_attributes():
    assert SCHEMA["Response"].attributes == ()
    assert SCHEMA["File"].attributes == ()


def test_every_child_named_is_an_element():
    for spec in ELEMENTS:
        for child in spec.children:
            assert child in SCHEMA, f"{spec.name} names unknown child {child}"
            assert SCHEMA[child].kind is not Kind.ROOT


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_text_rule(name):
    rule = SCHEMA[name].text
    if name not in TEXT_TABLE:
        assert rule == NO_TEXT
        assert not rule.allowed
        assert not rule.required
        return
    type_, required, min_length, max_length, unless_children, unless_attrs = TEXT_TABLE[name]
    assert rule.allowed
    assert rule.type is type_
    assert rule.required is required
    assert rule.min_length == min_length
    assert rule.max_length == max_length
    assert set(rule.unless_children) == set(unless_children)
    assert set(rule.unless_attrs) == set(unless_attrs)
    assert rule.description.strip()
    # What stands in for the text must exist: a child it may hold, an attribute it has.
    for child in rule.unless_children:
        assert child in SCHEMA[name].children
    for attr in rule.unless_attrs:
        assert SCHEMA[name].attribute(attr) is not None


def test_no_text_is_the_default_rule():
    assert TextSpec() == NO_TEXT
    assert NO_TEXT.allowed is False
    assert NO_TEXT.required is False


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_flow_rule(name):
    assert SCHEMA[name].flow is FLOW_TABLE.get(name, Flow.CONTINUES)


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_must_be_first(name):
    spec = SCHEMA[name]
    # "Reject ... must be the first verb, or come right after PreAnswer"; "Override ... First".
    assert spec.must_be_first is (name in ("Reject", "Override"))
    assert spec.may_follow == (("PreAnswer",) if name == "Reject" else ())


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_element_has_description(name):
    description = SCHEMA[name].description
    assert description.strip()
    assert description == description.strip()


# -- attributes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "name", "type_", "default", "minimum", "maximum", "choices", "certainty"),
    ATTRIBUTE_TABLE,
    ids=[_attr_id(row) for row in ATTRIBUTE_TABLE],
)
def test_attribute_row(element, name, type_, default, minimum, maximum, choices, certainty):
    attr = SCHEMA[element].attribute(name)
    assert attr is not None, f"{element} lacks attribute {name}"
    assert attr.name == name
    assert attr.type is type_
    assert attr.default == default
    assert attr.minimum == minimum
    assert attr.maximum == maximum
    assert set(attr.choices) == set(choices)
    assert attr.certainty is certainty
    assert attr.requires == REQUIRES.get((element, name))
    assert attr.required is ((element, name) in REQUIRED)
    assert attr.required_inside == REQUIRED.get((element, name), ())
    assert attr.excludes == EXCLUDES.get((element, name), ())


@pytest.mark.parametrize("element", ELEMENT_NAMES)
def test_element_has_no_undocumented_attributes(element):
    documented = [row[1] for row in ATTRIBUTE_TABLE if row[0] == element]
    actual = [attr.name for attr in SCHEMA[element].attributes]
    assert sorted(actual) == sorted(documented)
    assert len(actual) == len(set(actual)), f"{element} names an attribute twice"


@pytest.mark.parametrize("element", ELEMENT_NAMES)
def test_attr_index_covers_every_attribute(element):
    spec = SCHEMA[element]
    assert set(spec.attr_index) == {attr.name for attr in spec.attributes}
    for attr in spec.attributes:
        assert spec.attribute(attr.name) is attr
    assert spec.attribute("noSuchAttribute") is None


def _all_attributes() -> list[tuple[str, AttrSpec]]:
    return [(spec.name, attr) for spec in ELEMENTS for attr in spec.attributes]


ALL_ATTRIBUTES = _all_attributes()
ALL_ATTRIBUTE_IDS = [f"{element}.{attr.name}" for element, attr in ALL_ATTRIBUTES]


@pytest.mark.parametrize(("element", "attr"), ALL_ATTRIBUTES, ids=ALL_ATTRIBUTE_IDS)
def test_attribute_has_description(element, attr):
    assert attr.description.strip(), f"{element}.{attr.name} has no description"
    assert attr.description == attr.description.strip()


@pytest.mark.parametrize(("element", "attr"), ALL_ATTRIBUTES, ids=ALL_ATTRIBUTE_IDS)
def test_attribute_fields_fit_its_type(element, attr):
    if attr.type is not Type.INT:
        assert attr.minimum is None and attr.maximum is None
    elif attr.minimum is not None and attr.maximum is not None:
        assert attr.minimum <= attr.maximum
    if attr.type is Type.ENUM:
        assert attr.choices, f"{element}.{attr.name} is an enum without choices"
    elif attr.type is not Type.VOICE:
        assert attr.choices == ()
    if attr.type is Type.INT and attr.default is not None:
        value = int(attr.default)
        assert attr.minimum is None or value >= attr.minimum
        assert attr.maximum is None or value <= attr.maximum
    if attr.type is Type.ENUM and attr.default is not None:
        assert attr.default in attr.choices
    if attr.type is Type.BOOL and attr.default is not None:
        assert attr.default in ("true", "false")
    if attr.type is Type.METHOD and attr.default is not None:
        assert attr.default in ("GET", "POST")


@pytest.mark.parametrize(
    ("element", "attr"),
    [(e, a) for e, a in ALL_ATTRIBUTES if a.requires],
    ids=[f"{e}.{a.name}" for e, a in ALL_ATTRIBUTES if a.requires],
)
def test_requires_names_a_bool_of_the_same_element(element, attr):
    other, wanted = attr.requires
    target = SCHEMA[element].attribute(other)
    assert target is not None
    assert target.type is Type.BOOL
    assert wanted in ("true", "false")


def test_url_tables_are_derived_from_the_types():
    for spec in ELEMENTS:
        expected = {a.name for a in spec.attributes if a.type is Type.URL}
        assert URL_ATTRIBUTES[spec.name] == frozenset(expected)
    assert URL_ATTRIBUTES["Gather"] == frozenset({"action"})
    assert URL_ATTRIBUTES["Response"] == frozenset()
    assert frozenset({"Play", "Redirect"}) == URL_TEXT


# -- look-ups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_canonical_element_any_case(name):
    assert canonical_element(name) == name
    assert canonical_element(name.upper()) == name
    assert canonical_element(name.lower()) == name
    assert canonical_element(name.swapcase()) == name


@pytest.mark.parametrize(
    ("spelling", "documented"),
    [("HangUp", "Hangup"), ("wait", "Wait"), ("PREANSWER", "PreAnswer"), ("dtmf", "Dtmf")],
)
def test_canonical_element_spellings_from_carrierx_samples(spelling, documented):
    assert canonical_element(spelling) == documented


@pytest.mark.parametrize("name", ["", "Hang", "Hangups", "Say ", "flow", "Conference"])
def test_canonical_element_unknown(name):
    assert canonical_element(name) is None


@pytest.mark.parametrize(("element", "attr"), ALL_ATTRIBUTES, ids=ALL_ATTRIBUTE_IDS)
def test_canonical_attribute_any_case(element, attr):
    name = attr.name
    assert canonical_attribute(element, name) == name
    assert canonical_attribute(element, name.upper()) == name
    assert canonical_attribute(element, name.lower()) == name
    assert canonical_attribute(element, name.swapcase()) == name


def test_canonical_attribute_unknown():
    assert canonical_attribute("Say", "digits") is None  # Play's attribute, not Say's
    assert canonical_attribute("Say", "") is None
    assert canonical_attribute("Response", "loop") is None
    assert canonical_attribute("NoSuchElement", "loop") is None
    # The element must be given in its documented spelling.
    assert canonical_attribute("say", "loop") is None
    # The same lower-case name maps per element.
    assert canonical_attribute("Pause", "MINSILENCE") == "minSilence"
    assert canonical_attribute("Record", "FINISHONKEY") == "finishOnKey"
    assert canonical_attribute("Gather", "finishonkey") == "finishOnKey"


def test_can_contain_matches_the_table():
    allowed = {(parent, child) for child, _, _, parents in ELEMENT_TABLE for parent in parents}
    for parent in ELEMENT_NAMES:
        for child in ELEMENT_NAMES:
            assert can_contain(parent, child) is ((parent, child) in allowed), (parent, child)


def test_can_contain_unknown_names():
    assert not can_contain("NoSuchElement", "Say")
    assert not can_contain("Response", "NoSuchElement")
    assert not can_contain("Response", "say")  # names are documented spellings
    assert not can_contain("Response", "Response")


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_attribute_order(name):
    order = attribute_order(name)
    assert order == {attr.name: i for i, attr in enumerate(SCHEMA[name].attributes)}
    assert sorted(order.values()) == list(range(len(SCHEMA[name].attributes)))


def test_attribute_order_puts_action_before_method():
    for name in ("Play", "Gather", "Dial", "Record", "Amd", "Sms"):
        order = attribute_order(name)
        assert order["action"] < order["method"]
    assert list(attribute_order("Say")) == ["voice", "loop", "loopPause", "language"]


def test_attribute_order_of_unknown_element_is_empty():
    assert attribute_order("NoSuchElement") == {}
    assert attribute_order("Response") == {}


def test_lower_case_tables_cover_every_name():
    assert {n.lower(): n for n in SCHEMA} == schema.ELEMENT_BY_LOWER
    for spec in ELEMENTS:
        assert schema.ATTRIBUTE_BY_LOWER[spec.name] == {
            a.name.lower(): a.name for a in spec.attributes
        }


# -- the rules the later pages brought (FLEXML.md section 7) -----------------------------------

# element -> (min_children, max_children, fewer is an error). "The Stream noun is required
# within the Connect verb", and "there can be only one concurrent bidirectional stream";
# a Start or Stop without a Stream does nothing (a warning: no page says more).
CHILD_COUNTS = {
    "Start": (1, None, False),
    "Stop": (1, None, False),
    "Connect": (1, 1, True),
}


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_child_counts(name):
    spec = SCHEMA[name]
    counts = (spec.min_children, spec.max_children, spec.children_required)
    assert counts == CHILD_COUNTS.get(name, (0, None, False))


@pytest.mark.parametrize("name", ELEMENT_NAMES)
def test_starter_children_make_a_new_node_valid(name):
    spec = SCHEMA[name]
    assert spec.starter_children == (("Stream",) if name in STREAM_VERBS else ())
    assert set(spec.starter_children) <= set(spec.children)
    assert len(spec.starter_children) >= spec.min_children


def test_a_stream_in_stop_needs_a_name_or_url():
    rule = SCHEMA["Stream"].needs_one_of
    assert rule is not None
    assert (rule.attributes, rule.inside) == (("name", "url"), ("Stop",))
    assert "stop" in rule.why
    assert [s.name for s in ELEMENTS if s.needs_one_of] == ["Stream"]


def test_new_verbs_come_after_the_old_ones():
    assert VERBS[-5:] == ("Sms", "Store", "Start", "Stop", "Connect")
    assert NOUNS == ("File", "Number", "Stream", "Parameter")
    assert SCHEMA[ROOT].children == VERBS


def test_dial_record_and_stream_attributes_are_unconfirmed_not_invented():
    dial = SCHEMA["Dial"]
    assert dial.unconfirmed_prefixes == ("record", "stream")
    assert "record and stream attributes" in dial.unconfirmed_note
    assert not [a for a in dial.attributes if a.name.startswith(("record", "stream"))]
    assert [s.name for s in ELEMENTS if s.unconfirmed_prefixes] == ["Dial"]


def test_values_and_attributes_that_only_warn():
    tolerated = {(e, a.name): a.tolerated for e, a in ALL_ATTRIBUTES if a.tolerated}
    assert tolerated == {("Say", "voice"): ("female",)}  # CarrierX's call_treatment sample
    warned = {(e, a.name): a.use_warning for e, a in ALL_ATTRIBUTES if a.use_warning}
    assert warned == {
        ("Say", "language"): "language is not on CarrierX's Say page; it may be ignored"
    }


@pytest.mark.parametrize(
    ("element", "attr"),
    [(e, a) for e, a in ALL_ATTRIBUTES if a.required],
    ids=[f"{e}.{a.name}" for e, a in ALL_ATTRIBUTES if a.required],
)
def test_required_attributes_start_with_a_valid_example_and_say_why(element, attr):
    assert attr.example, "a new node must start valid"
    assert value_problem(attr.type, attr.example, attr, None) is None
    assert attr.why_required.strip()
    assert set(attr.required_inside) <= set(SCHEMA[element].parents)
    assert attr.is_required(attr.required_inside[0] if attr.required_inside else ROOT)
    if attr.required_inside:
        assert not attr.is_required("Stop")
    assert SCHEMA[element].starter_attrs()[attr.name] == attr.example


def test_examples_are_only_given_where_a_new_node_needs_or_shows_them():
    examples = {(e, a.name) for e, a in ALL_ATTRIBUTES if a.example is not None}
    assert examples == set(REQUIRED) | {("Stream", "name")}
    assert SCHEMA["Stream"].starter_attrs() == {
        "name": "myStream",
        "url": "wss://example.com/stream",
    }
    assert SCHEMA["Say"].starter_attrs() == {}


def test_excluded_attributes_exclude_each_other():
    for element, attr in ALL_ATTRIBUTES:
        for other in attr.excludes:
            assert attr.name in SCHEMA[element].attribute(other).excludes


@pytest.mark.parametrize(
    ("element", "name", "words"),
    [
        ("Gather", "actionOnEmptyResult", "Request the action even when nothing was entered"),
        ("Gather", "actionOnEmptyResult", "assumed"),
        ("Hangup", "callInfo", "SIP Call-Info header on the BYE"),
        ("Record", "recordSession", "the flow goes on at once"),
        ("Record", "backgroundAudioLoop", "How many times"),
        ("Stream", "url", "ws://"),
        ("Stream", "name", "Stop"),
        ("Store", "name", "Storage_{name}"),
    ],
)
def test_attribute_descriptions_say_what_the_pages_say(element, name, words):
    assert words in SCHEMA[element].attribute(name).description


def test_element_descriptions_say_what_the_pages_say():
    store = SCHEMA["Store"].description
    for words in ("Storage_{name}", "status callback", "128 KB", "ignores"):
        assert words in store
    assert "background" in SCHEMA["Start"].description
    assert "WebSocket closes" in SCHEMA["Connect"].description
    for name in ("Dial", "Number"):
        assert "SIP URI (sip:user@host" in SCHEMA[name].text.note
        assert "trunk group" in SCHEMA[name].text.note
        assert "Phone number" in SCHEMA[name].text.description  # lint's "needs ..." words
    assert [s.name for s in ELEMENTS if s.text.note] == ["Dial", "Number"]
    assert SCHEMA["Wait"].description == "The same as Pause"
