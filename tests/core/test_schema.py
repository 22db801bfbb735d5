"""The schema table against FLEXML.md section 2, written out again here from the document.

Each table below is copied from /work/shared/FLEXML.md, not from the code, so a wrong row in
gui/core/flexml/schema.py fails a test. Where FLEXML.md is silent (a range, say), the row holds
the project's choice and says so in a comment.
"""

from __future__ import annotations

import pytest

from gui.core.flexml import schema
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
)
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
]
ELEMENT_NAMES = [row[0] for row in ELEMENT_TABLE]

# FLEXML.md section 2, "Text content":
# element -> (type, required, min length, max length, unless children, unless attributes).
TEXT_TABLE: dict[str, tuple[Type, bool, int, int | None, tuple[str, ...], tuple[str, ...]]] = {
    "Say": (Type.STRING, True, 1, 1024, (), ()),
    "Play": (Type.URL, True, 0, None, ("File",), ("digits",)),
    "File": (Type.STRING, True, 1, None, (), ()),
    "Dial": (Type.NUMBER, True, 0, None, ("Number",), ()),
    "Number": (Type.NUMBER, True, 0, None, (), ()),
    "Redirect": (Type.URL, True, 0, None, (), ()),
    # FLEXML.md does not say a Dtmf may be empty; an empty one would send nothing.
    "Dtmf": (Type.DTMF, True, 1, None, (), ()),
}

# FLEXML.md section 1: what a verb does to the verbs after it.
FLOW_TABLE: dict[str, Flow] = {
    "Hangup": Flow.ENDS,
    "Reject": Flow.ENDS,
    "Redirect": Flow.ENDS,
    "Dial": Flow.ENDS_IF_ACTION,
    "Play": Flow.ENDS_IF_ACTION,
    "Amd": Flow.ENDS_IF_ACTION,
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
    "containerSid",
    "fileSid",
    "fileMode",
    "backgroundAudioUrl",
    "backgroundAudioLoop",
    "recordSession",
    "lifecycleAction",
    "lifecycleTtl",
    "integerKey1",
    "integerKey2",
    "stringKey1",
    "stringKey2",
)
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
    ("Play", "loop", Type.INT, "1", 0, _N, (), ASSUMED),
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
    *(("Record", name, Type.STRING, _N, _N, _N, (), SEEN) for name in RECORD_STRINGS),
    ("Redirect", "method", Type.METHOD, "POST", _N, _N, (), ASSUMED),
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
]

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


@pytest.mark.parametrize("name", ["Conference", "Sip", "Client", "Queue", "Enqueue", "Sms"])
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
    assert set(NOUNS) == {"File", "Number"}
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
    for name in ("Play", "Gather", "Dial", "Record", "Amd"):
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
