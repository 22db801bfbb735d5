"""Every lint rule: a document that triggers it, and a near miss that must not.

Documents are parsed from source text, so line and column come from the reader. Attribute
rules are parametrized over the schema table: every INT with a range, every BOOL, every
METHOD, every URL... so a new attribute is tested the day it is added.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

import pytest

from gui.core.flexml import Node, Problem, Severity, has_errors, lint, parse
from gui.core.flexml.schema import ELEMENTS, SCHEMA, AttrSpec, Type
from gui.core.project import load

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "sample.flexproj"
NAMES = [spec.name for spec in ELEMENTS]

# -- building documents -----------------------------------------------------------------------

# The least each element needs to be valid on its own.
TEXT = {
    "Say": "Hello",
    "Play": "https://example.com/a.mp3",
    "File": "FILE1",
    "Dial": "15551234567",
    "Number": "15551234567",
    "Redirect": "https://example.com/next",
    "Dtmf": "1",
    "Sms": "Hello",
    "Store": "some_data",
}
STREAM = '<Stream url="wss://example.com/s"/>'
# Put after any inner lines a test gives, unless one of those already is such an element.
INNER = {
    "Gather": ("<Say>Press 1</Say>",),
    "Start": (STREAM,),
    "Stop": (STREAM,),
    "Connect": (STREAM,),
}
# Where a noun must stand to be valid: the start tags around it, outermost first.
WRAPPER = {
    "File": ("<Play>",),
    "Number": ("<Dial>",),
    "Stream": ("<Start>",),
    "Parameter": ("<Start>", '<Stream url="wss://example.com/s">'),
}
# The attributes each element must have (the schema's examples for them).
NEEDS = {s.name: {a.name: a.example for a in s.attributes if a.required} for s in ELEMENTS}


def _attr_text(attrs: dict[str, str]) -> str:
    return "".join(f" {key}={quoteattr(value)}" for key, value in attrs.items())


def snippet(name: str) -> str:
    """One line of valid XML for `name` (placed as a child somewhere)."""
    if name == "Gather":
        return '<Gather action="next.xml"/>'
    attrs = _attr_text(NEEDS[name])
    if name in TEXT:
        return f"<{name}{attrs}>{TEXT[name]}</{name}>"
    if name in INNER:
        return f"<{name}{attrs}>{''.join(INNER[name])}</{name}>"
    return f"<{name}{attrs}/>"


class Placed(NamedTuple):
    source: str
    line: int
    column: int


def placed(
    name: str,
    attrs: dict[str, str] | None = None,
    *,
    tag: str | None = None,
    text: str | None = None,
    inner: tuple[str, ...] = (),
) -> Placed:
    """A valid document holding one `name` element where it belongs, and its position.

    `tag` spells the element differently; `inner` lines go inside it (one indent deeper).
    """
    tag = tag or name
    text = TEXT.get(name, "") if text is None else text
    given = {key.lower() for key in attrs or {}}
    needed = {key: value for key, value in NEEDS[name].items() if key.lower() not in given}
    attr_text = _attr_text({**needed, **(attrs or {})})
    inner = (*inner, *(x for x in INNER.get(name, ()) if not _holds(inner, x)))
    if name == "Response":
        lines = [f"<{tag}{attr_text}>{text}", *(f"  {x}" for x in inner), f"</{tag}>"]
        return Placed("\n".join(lines), 1, 1)
    lines = ["<Response>"]
    indent = "  "
    wrappers = WRAPPER.get(name, ())
    for wrapper in wrappers:
        lines.append(f"{indent}{wrapper}")
        indent += "  "
    line, column = len(lines) + 1, len(indent) + 1
    if inner:
        lines.append(f"{indent}<{tag}{attr_text}>{text}")
        lines.extend(f"{indent}  {x}" for x in inner)
        lines.append(f"{indent}</{tag}>")
    elif text:
        lines.append(f"{indent}<{tag}{attr_text}>{text}</{tag}>")
    else:
        lines.append(f"{indent}<{tag}{attr_text}/>")
    for wrapper in reversed(wrappers):
        indent = indent[:-2]
        lines.append(f"{indent}</{wrapper[1:].split()[0].rstrip('>')}>")
    lines.append("</Response>")
    return Placed("\n".join(lines), line, column)


def _holds(lines: tuple[str, ...], line: str) -> bool:
    """Whether `lines` hold an element with the same tag as `line`'s."""
    tag = line[1:].split()[0].split("/")[0].split(">")[0]
    return any(x.startswith((f"<{tag} ", f"<{tag}>", f"<{tag}/")) for x in lines)


def doc(*lines: str) -> str:
    """`lines` inside <Response>, two spaces in: lines[i] is on line i + 2, column 3."""
    return "\n".join(["<Response>", *(f"  {x}" for x in lines), "</Response>"])


def run(source: str, flow_names=None) -> list[Problem]:
    return lint(parse(source.encode("utf-8")), flow_names=flow_names)


def brief(problems: list[Problem]) -> list[tuple[str, str, int | None, int | None]]:
    return [(p.severity.value, p.code, p.line, p.column) for p in problems]


def only(problems: list[Problem], severity: str, code: str, line: int, column: int) -> Problem:
    """The one problem there is, checked to be (severity, code, line, column)."""
    assert brief(problems) == [(severity, code, line, column)], [p.message for p in problems]
    return problems[0]


def clean(problems: list[Problem]) -> None:
    assert brief(problems) == [], [p.message for p in problems]


# -- attributes, derived from the schema --------------------------------------------------------

ATTRS: list[tuple[str, AttrSpec]] = [(s.name, a) for s in ELEMENTS for a in s.attributes]


def of_type(*types: Type) -> list[tuple[str, AttrSpec]]:
    return [(element, attr) for element, attr in ATTRS if attr.type in types]


def ids(rows) -> list[str]:
    return [f"{row[0]}.{row[1].name}" + "".join(f"={v!r}" for v in row[2:]) for row in rows]


def with_values(rows, values) -> list[tuple]:
    return [(element, attr, value) for element, attr in rows for value in values]


# A value each type accepts, for tests about something else.
GOOD = {
    Type.STRING: "anything",
    Type.INT: None,  # the minimum, or 0
    Type.BOOL: "true",
    Type.URL: "https://example.com/x",
    Type.METHOD: "GET",
    Type.ENUM: None,  # the first choice
    Type.VOICE: "woman",
    Type.DIGITS: "1#",
    Type.KEY: "#",
    Type.DTMF: "1,2",
    Type.NUMBER: "15551234567",
    Type.GATHER_KEY: "#",
    Type.RECORD_KEYS: "none",
    Type.WS_URL: "wss://example.com/x",
    Type.DIAL_TARGET: "15551234567",
}


def good_value(attr: AttrSpec) -> str:
    if attr.type is Type.INT:
        return str(attr.minimum or 0)
    if attr.type is Type.ENUM:
        return attr.choices[0]
    return GOOD[attr.type]


def attr_doc(element: str, attr: AttrSpec, value: str, name: str | None = None) -> Placed:
    """A valid document but for `attr` = `value` on `element` (with what `attr` requires)."""
    attrs = dict([attr.requires]) if attr.requires else {}
    attrs[name or attr.name] = value
    return placed(element, attrs)


def assert_attr_error(element: str, attr: AttrSpec, value: str, code: str, flow_names=None):
    where = attr_doc(element, attr, value)
    problem = only(run(where.source, flow_names), "error", code, where.line, where.column)
    assert problem.message.startswith(f"{element} {attr.name}: ")
    assert value[:20] in problem.message
    return problem


def assert_attr_clean(element: str, attr: AttrSpec, value: str, flow_names=None):
    """No problem but the warning an attribute gets whenever it is used (Say language)."""
    where = attr_doc(element, attr, value)
    problems = run(where.source, flow_names)
    if attr.use_warning:
        problem = only(problems, "warning", "undocumented-attribute", *where[1:])
        assert problem.message == attr.use_warning
    else:
        clean(problems)


def test_the_attribute_tables_cover_every_type():
    # A new Type must get cases below; this fails until it does.
    text_types = {s.text.type for s in ELEMENTS if s.text.allowed}
    assert {attr.type for _, attr in ATTRS} | text_types == set(GOOD)
    assert set(GOOD) == set(Type)


@pytest.mark.parametrize(
    ("element", "attr"),
    [(e, a) for e, a in ATTRS if a.default is not None],
    ids=ids([(e, a) for e, a in ATTRS if a.default is not None]),
)
def test_every_default_is_accepted(element, attr):
    assert_attr_clean(element, attr, attr.default)


@pytest.mark.parametrize(("element", "attr"), ATTRS, ids=ids(ATTRS))
def test_a_good_value_of_every_attribute_is_accepted(element, attr):
    assert_attr_clean(element, attr, good_value(attr))


# INT: range, derived from the table.
INT_ATTRS = of_type(Type.INT)
OUT_OF_RANGE = [(e, a, str(a.minimum - 1)) for e, a in INT_ATTRS if a.minimum is not None] + [
    (e, a, str(a.maximum + 1)) for e, a in INT_ATTRS if a.maximum is not None
]
AT_THE_EDGE = [(e, a, str(a.minimum)) for e, a in INT_ATTRS if a.minimum is not None] + [
    (e, a, str(a.maximum)) for e, a in INT_ATTRS if a.maximum is not None
]


def test_every_int_attribute_has_a_range_to_test():
    assert INT_ATTRS
    assert all(attr.minimum is not None for _, attr in INT_ATTRS)
    assert any(attr.maximum is not None for _, attr in INT_ATTRS)


@pytest.mark.parametrize(("element", "attr", "value"), OUT_OF_RANGE, ids=ids(OUT_OF_RANGE))
def test_int_out_of_range(element, attr, value):
    problem = assert_attr_error(element, attr, value, "out-of-range")
    assert "allowed" in problem.message
    assert str(attr.minimum) in problem.message
    if attr.maximum is not None:
        assert f"{attr.minimum} to {attr.maximum}" in problem.message
    else:
        assert f"{attr.minimum} or more" in problem.message


@pytest.mark.parametrize(("element", "attr", "value"), AT_THE_EDGE, ids=ids(AT_THE_EDGE))
def test_int_at_the_edge_of_its_range(element, attr, value):
    assert_attr_clean(element, attr, value)


NOT_WHOLE = with_values(INT_ATTRS, ["1.5", "ten", "", " 1", "0x10", "\u0661"])


@pytest.mark.parametrize(("element", "attr", "value"), NOT_WHOLE, ids=ids(NOT_WHOLE))
def test_int_not_a_whole_number(element, attr, value):
    problem = assert_attr_error(element, attr, value, "invalid-int")
    assert "whole number" in problem.message


def test_int_with_many_digits_is_out_of_range_not_a_crash():
    say = SCHEMA["Say"].attribute("loop")
    problem = assert_attr_error("Say", say, "9" * 5000, "out-of-range")
    assert len(problem.message) < 200
    assert_attr_error("Say", say, "-" + "9" * 5000, "out-of-range")
    # Leading zeros do not make a number large.
    assert_attr_clean("Say", say, "0" * 30 + "100")
    assert_attr_error("Say", say, "0" * 30 + "101", "out-of-range")
    # Without a maximum a huge number is allowed; with a minimum a huge negative one is not.
    timeout = SCHEMA["Dial"].attribute("timeout")
    assert_attr_clean("Dial", timeout, "9" * 5000)
    assert_attr_error("Dial", timeout, "-" + "9" * 5000, "out-of-range")


def test_int_with_a_sign():
    loop = SCHEMA["Say"].attribute("loop")
    assert_attr_clean("Say", loop, "+5")
    assert_attr_error("Say", loop, "-1", "out-of-range")
    assert_attr_error("Say", loop, "+-1", "invalid-int")


# BOOL: exactly "true" or "false".
BOOL_ATTRS = of_type(Type.BOOL)
BAD_BOOLS = with_values(BOOL_ATTRS, ["True", "yes", "TRUE", "False", "1", "0", "no", ""])
GOOD_BOOLS = with_values(BOOL_ATTRS, ["true", "false"])


@pytest.mark.parametrize(("element", "attr", "value"), BAD_BOOLS, ids=ids(BAD_BOOLS))
def test_bool_rejects(element, attr, value):
    problem = assert_attr_error(element, attr, value, "invalid-bool")
    assert ("lower case" in problem.message) is (value.lower() in ("true", "false"))


@pytest.mark.parametrize(("element", "attr", "value"), GOOD_BOOLS, ids=ids(GOOD_BOOLS))
def test_bool_accepts(element, attr, value):
    assert_attr_clean(element, attr, value)


# METHOD: GET or POST in any letter case.
METHOD_ATTRS = of_type(Type.METHOD)
GOOD_METHODS = with_values(METHOD_ATTRS, ["get", "GET", "post", "POST", "Post"])
BAD_METHODS = with_values(METHOD_ATTRS, ["PUT", "", "G ET", "po\u017ft", "GETS"])


@pytest.mark.parametrize(("element", "attr", "value"), GOOD_METHODS, ids=ids(GOOD_METHODS))
def test_method_accepts_any_case(element, attr, value):
    assert_attr_clean(element, attr, value)


@pytest.mark.parametrize(("element", "attr", "value"), BAD_METHODS, ids=ids(BAD_METHODS))
def test_method_rejects(element, attr, value):
    problem = assert_attr_error(element, attr, value, "invalid-method")
    assert "GET or POST" in problem.message


# ENUM: exactly one of the choices.
ENUM_ATTRS = of_type(Type.ENUM)
GOOD_ENUMS = [(e, a, choice) for e, a in ENUM_ATTRS for choice in a.choices]
BAD_ENUMS = [(e, a, a.choices[0].upper()) for e, a in ENUM_ATTRS] + with_values(
    ENUM_ATTRS, ["nonsense", ""]
)


@pytest.mark.parametrize(("element", "attr", "value"), GOOD_ENUMS, ids=ids(GOOD_ENUMS))
def test_enum_accepts_each_choice(element, attr, value):
    assert_attr_clean(element, attr, value)


@pytest.mark.parametrize(("element", "attr", "value"), BAD_ENUMS, ids=ids(BAD_ENUMS))
def test_enum_rejects(element, attr, value):
    problem = assert_attr_error(element, attr, value, "invalid-value")
    assert all(choice in problem.message for choice in attr.choices)


# VOICE: man, woman or Polly.<Name>.
VOICE_ATTRS = of_type(Type.VOICE)
GOOD_VOICES = with_values(VOICE_ATTRS, ["man", "woman", "Polly.Joanna", "Polly.Joanna-Neural"])
BAD_VOICES = with_values(VOICE_ATTRS, ["Man", "alice", "Polly.", "polly.Joanna", "Polly.joanna"])


@pytest.mark.parametrize(("element", "attr", "value"), GOOD_VOICES, ids=ids(GOOD_VOICES))
def test_voice_accepts(element, attr, value):
    assert_attr_clean(element, attr, value)


@pytest.mark.parametrize(("element", "attr", "value"), BAD_VOICES, ids=ids(BAD_VOICES))
def test_voice_rejects(element, attr, value):
    problem = assert_attr_error(element, attr, value, "invalid-value")
    assert "Polly" in problem.message


# DTMF keys: DIGITS (0-9 * #), KEY (one of them), DTMF (and commas), and the finish keys.
DIGIT_CASES = [
    (Type.DIGITS, "0123456789*#", True),
    (Type.DIGITS, "12a", False),
    (Type.DIGITS, "1 2", False),
    (Type.DIGITS, "1,2", False),
    (Type.DIGITS, "", False),
    (Type.KEY, "0", True),
    (Type.KEY, "*", True),
    (Type.KEY, "#", True),
    (Type.KEY, "12", False),
    (Type.KEY, "a", False),
    (Type.KEY, ",", False),
    (Type.KEY, "", False),
    (Type.DTMF, "1,2,,#*0", True),
    (Type.DTMF, "1w2", False),
    (Type.DTMF, "1 2", False),
    (Type.DTMF, "", False),
    (Type.GATHER_KEY, "#", True),
    (Type.GATHER_KEY, "*", True),
    (Type.GATHER_KEY, "0", True),
    (Type.GATHER_KEY, "_", True),
    (Type.GATHER_KEY, "##", False),
    (Type.GATHER_KEY, "a", False),
    (Type.GATHER_KEY, "none", False),
    (Type.GATHER_KEY, "", False),
    (Type.RECORD_KEYS, "none", True),
    (Type.RECORD_KEYS, "#", True),
    (Type.RECORD_KEYS, "1*#", True),
    (Type.RECORD_KEYS, "None", False),
    (Type.RECORD_KEYS, "1,2", False),
    (Type.RECORD_KEYS, "_", False),
    (Type.RECORD_KEYS, "", False),
]
KEY_TYPES = (Type.DIGITS, Type.KEY, Type.DTMF, Type.GATHER_KEY, Type.RECORD_KEYS)
KEY_ROWS = [
    (e, a, value, ok)
    for e, a in of_type(*KEY_TYPES)
    for type_, value, ok in DIGIT_CASES
    if a.type is type_
]


def test_every_key_type_is_used_and_tested():
    assert {a.type for _, a in of_type(*KEY_TYPES)} == set(KEY_TYPES)


@pytest.mark.parametrize(("element", "attr", "value", "ok"), KEY_ROWS, ids=ids(KEY_ROWS))
def test_dtmf_keys(element, attr, value, ok):
    if ok:
        assert_attr_clean(element, attr, value)
    else:
        assert_attr_error(element, attr, value, "invalid-digits")


# NUMBER: digits only, 7..15 of them after an optional leading +.
GOOD_NUMBERS = ["1234567", "123456789012345", "+15551234567", "15162065318"]
BAD_NUMBERS = [
    "123456",
    "1234567890123456",
    "+1 555 123 4567",
    "1-555-123-4567",
    "++15551234567",
    "15551234567+",
    "+",
    "",
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",
    "sip:alice@example.com",
]
NUMBER_ATTRS = of_type(Type.NUMBER)


@pytest.mark.parametrize(
    ("element", "attr", "value"),
    with_values(NUMBER_ATTRS, GOOD_NUMBERS),
    ids=ids(with_values(NUMBER_ATTRS, GOOD_NUMBERS)),
)
def test_phone_number_attribute_accepts(element, attr, value):
    assert_attr_clean(element, attr, value)


@pytest.mark.parametrize(
    ("element", "attr", "value"),
    with_values(NUMBER_ATTRS, BAD_NUMBERS),
    ids=ids(with_values(NUMBER_ATTRS, BAD_NUMBERS)),
)
def test_phone_number_attribute_rejects(element, attr, value):
    problem = assert_attr_error(element, attr, value, "invalid-phone-number")
    assert "7 to 15 digits" in problem.message


# URL: absolute http(s), relative path, or flow:NAME.
URL_ATTRS = of_type(Type.URL)
GOOD_URLS = [
    "https://example.com/x",
    "http://example.com:8080/a?b=c#d",
    "HTTPS://EXAMPLE.COM/",
    "/relative/path",
    "next.xml",
    "?x=1",
]
BAD_URLS = [
    "ftp://example.com/x",
    "mailto:someone@example.com",
    "https://",
    "https:example.com",
    "//example.com/x",
    "https://exa mple.com/",
    " https://example.com/",
    "",
    "http://example.com:abc/",
    "http://example.com:99999/",
    "http://[::1/",
    "flow:",
    "flow:Main Menu",
]


@pytest.mark.parametrize(
    ("element", "attr", "value"),
    with_values(URL_ATTRS, GOOD_URLS),
    ids=ids(with_values(URL_ATTRS, GOOD_URLS)),
)
def test_url_attribute_accepts(element, attr, value):
    assert_attr_clean(element, attr, value)


@pytest.mark.parametrize(
    ("element", "attr", "value"),
    with_values(URL_ATTRS, BAD_URLS),
    ids=ids(with_values(URL_ATTRS, BAD_URLS)),
)
def test_url_attribute_rejects(element, attr, value):
    assert_attr_error(element, attr, value, "invalid-url")


@pytest.mark.parametrize(("element", "attr"), URL_ATTRS, ids=ids(URL_ATTRS))
def test_url_attribute_flow_reference(element, attr):
    assert_attr_clean(element, attr, "flow:menu", flow_names={"main", "menu"})
    assert_attr_clean(element, attr, "flow:menu", flow_names=None)  # not checked without names
    problem = assert_attr_error(element, attr, "flow:menu", "unknown-flow", flow_names={"main"})
    assert "flow:menu" in problem.message
    assert_attr_error(element, attr, "flow:menu", "unknown-flow", flow_names=())


# STRING: anything goes (but nothing, where the attribute is required).
STRING_ATTRS = of_type(Type.STRING)
ANY_STRINGS = [
    (e, a, v)
    for e, a, v in with_values(STRING_ATTRS, ["", "x", "<&> \"quoted\" 'text'", "ünïcödé"])
    if v or not a.required
]


@pytest.mark.parametrize(("element", "attr", "value"), ANY_STRINGS, ids=ids(ANY_STRINGS))
def test_string_attribute_accepts_anything(element, attr, value):
    assert_attr_clean(element, attr, value)


# WS_URL: a WebSocket server, absolute ws(s) or relative.
WS_URL_ATTRS = of_type(Type.WS_URL)
GOOD_WS_URLS = [
    "wss://example.com",
    "ws://example.com:8080/media",
    "WSS://EXAMPLE.COM/",
    "/relative/stream",
    "stream",
]
BAD_WS_URLS = [
    ("https://example.com/stream", "use ws:// or wss://"),
    ("HTTP://example.com/stream", "use ws:// or wss://"),
    ("ftp://example.com/x", "only ws and wss URLs"),
    ("wss://", "has no host name"),
    ("//example.com/x", "write the scheme (wss://)"),
    ("wss://exa mple.com/", "a space in its host name"),
    (" wss://example.com/", "white space"),
    ("", "empty"),
    ("wss://example.com:99999/", "is not a URL"),
    ("flow:menu", "not a flow"),
]


@pytest.mark.parametrize(
    ("element", "attr", "value"),
    with_values(WS_URL_ATTRS, GOOD_WS_URLS),
    ids=ids(with_values(WS_URL_ATTRS, GOOD_WS_URLS)),
)
def test_websocket_url_accepts(element, attr, value):
    assert_attr_clean(element, attr, value)


@pytest.mark.parametrize(
    ("element", "attr", "value", "words"),
    [(e, a, v, w) for e, a in WS_URL_ATTRS for v, w in BAD_WS_URLS],
    ids=ids([(e, a, v) for e, a in WS_URL_ATTRS for v, _ in BAD_WS_URLS]),
)
def test_websocket_url_rejects(element, attr, value, words):
    problem = assert_attr_error(element, attr, value, "invalid-url", flow_names=["menu"])
    assert words in problem.message


# Attributes that only work with another one.
REQUIRING = [(e, a) for e, a in ATTRS if a.requires]


def test_there_are_attributes_that_require_others():
    assert {(e, a.name) for e, a in REQUIRING} == {
        ("Pause", "minSilence"),
        ("Pause", "minNoise"),
        ("Wait", "minSilence"),
        ("Wait", "minNoise"),
    }


@pytest.mark.parametrize(("element", "attr"), REQUIRING, ids=ids(REQUIRING))
def test_attribute_without_effect(element, attr):
    other, wanted = attr.requires
    unwanted = "false" if wanted == "true" else "true"
    for attrs in ({attr.name: "500"}, {other: unwanted, attr.name: "500"}):
        where = placed(element, attrs)
        problem = only(run(where.source), "warning", "attribute-without-effect", *where[1:])
        assert attr.name in problem.message
        assert f'{other}="{wanted}"' in problem.message
    clean(run(placed(element, {other: wanted, attr.name: "500"}).source))
    clean(run(placed(element, {attr.name: "500", other: wanted}).source))


# -- unknown and normalised names -------------------------------------------------------------


def test_unknown_attribute_is_a_warning_with_a_suggestion():
    problem = only(run(doc('<Say lop="2">Hello</Say>')), "warning", "unknown-attribute", 2, 3)
    assert "lop" in problem.message
    assert "did you mean loop?" in problem.message


def test_unknown_attribute_of_another_element():
    problem = only(run(doc('<Say digits="1">Hello</Say>')), "warning", "unknown-attribute", 2, 3)
    assert "digits" in problem.message
    assert "<Say>" in problem.message


@pytest.mark.parametrize("name", [s.name for s in ELEMENTS if not s.attributes])
def test_unknown_attribute_on_an_element_without_attributes(name):
    where = placed(name, {"foo": "1"})
    problem = only(run(where.source), "warning", "unknown-attribute", *where[1:])
    assert "foo" in problem.message
    assert f"<{name}> takes no attributes" in problem.message


@pytest.mark.parametrize("attrs", ['loop="1" LOOP="2"', 'LOOP="2" loop="1"'])
def test_second_spelling_of_an_attribute_is_unknown(attrs):
    problem = only(run(doc(f"<Say {attrs}>Hello</Say>")), "warning", "unknown-attribute", 2, 3)
    assert "LOOP" in problem.message


def test_unknown_element_is_an_error():
    problem = only(run(doc("<Foo/>")), "error", "unknown-element", 2, 3)
    assert problem.message == "<Foo> is not a FlexML element"
    assert problem.path == "/Response/Foo[1]"


def test_unknown_element_suggests_a_near_name():
    problem = only(run(doc("<Sya>Hello</Sya>")), "error", "unknown-element", 2, 3)
    assert "<Sya>" in problem.message
    assert "did you mean <Say>?" in problem.message


TWIML_ONLY = ["Conference", "Sip", "Client", "Queue", "Enqueue", "Message", "Leave", "Refer"]
TWIML_ONLY += ["Pay", "Prompt", "Echo"]


@pytest.mark.parametrize("name", TWIML_ONLY)
def test_unknown_twiml_element(name):
    problem = only(run(doc(f"<{name}>x</{name}>")), "error", "unknown-element", 2, 3)
    assert f"<{name}>" in problem.message
    assert "TwiML" in problem.message


def test_no_documented_element_is_called_twiml():
    from gui.core.flexml.lint import _TWIML_ONLY

    assert set(_TWIML_ONLY) == set(TWIML_ONLY)
    assert not _TWIML_ONLY & set(SCHEMA)
    for name in ("Sms", "Start", "Stop", "Connect", "Stream", "Parameter", "Store"):
        for lines in (doc(snippet(name)), placed(name).source):
            assert not [p for p in run(lines) if "TwiML" in p.message]


def test_unknown_element_attributes_are_not_checked_but_its_children_are():
    problems = run(doc('<Foo loop="x">', '  <Say loop="x">Hello</Say>', "</Foo>"))
    assert brief(problems) == [("error", "unknown-element", 2, 3), ("error", "invalid-int", 3, 5)]


@pytest.mark.parametrize("name", NAMES)
def test_element_names_in_any_case_are_normalised_with_a_warning(name):
    for spelling in {name.upper(), name.lower(), name.swapcase()} - {name}:
        where = placed(name, tag=spelling)
        problem = only(run(where.source), "warning", "normalised-element", *where[1:])
        assert f"<{spelling}>" in problem.message
        assert f"<{name}>" in problem.message
    clean(run(placed(name).source))


def test_carrierx_sample_spellings():
    problems = run(doc("<wait/>", "<HangUp/>"))
    assert brief(problems) == [
        ("warning", "normalised-element", 2, 3),
        ("warning", "normalised-element", 3, 3),
    ]
    assert "<HangUp> is written <Hangup>" in problems[1].message


@pytest.mark.parametrize(("element", "attr"), ATTRS, ids=ids(ATTRS))
def test_attribute_names_in_any_case_are_normalised_with_a_warning(element, attr):
    spelling = attr.name.upper()
    attrs = dict([attr.requires]) if attr.requires else {}
    attrs[spelling] = good_value(attr)
    where = placed(element, attrs)
    problems = run(where.source)
    if attr.use_warning:  # Say language: warned about whenever it is used
        assert problems[1:] and problems[1].message == attr.use_warning
        problems = problems[:1]
    problem = only(problems, "warning", "normalised-attribute", *where[1:])
    assert spelling in problem.message
    assert f"written {attr.name}" in problem.message


def test_lower_case_loop_is_the_documented_spelling():
    problem = only(run(doc('<Say LOOP="2">Hello</Say>')), "warning", "normalised-attribute", 2, 3)
    assert "attribute LOOP is written loop" in problem.message
    clean(run(doc('<Say loop="2">Hello</Say>')))


def test_normalised_value_is_still_checked():
    problems = run(doc('<Say LOOP="101">Hello</Say>'))
    assert brief(problems) == [
        ("warning", "normalised-attribute", 2, 3),
        ("error", "out-of-range", 2, 3),
    ]


def test_namespaced_names_are_reported():
    problems = run('<Response xmlns="urn:x">\n  <Say>Hello</Say>\n</Response>')
    assert brief(problems) == [
        ("warning", "normalised-element", 1, 1),
        ("warning", "normalised-element", 2, 3),
    ]
    assert all("namespace" in p.message for p in problems)
    problems = run(doc('<Say xmlns:v="urn:v" v:loop="2">Hello</Say>'))
    problem = only(problems, "warning", "normalised-attribute", 2, 3)
    assert "{urn:v}loop" in problem.message
    assert "namespace" in problem.message


# -- the root and where elements stand ---------------------------------------------------------


def test_wrong_root():
    problem = only(run("<Say>Hello</Say>"), "error", "wrong-root", 1, 1)
    assert "<Say>" in problem.message
    assert "<Response>" in problem.message


def test_wrong_root_after_a_declaration():
    only(run('<?xml version="1.0"?>\n<Hangup/>'), "error", "wrong-root", 2, 1)


def test_unknown_root_is_also_an_unknown_element():
    assert brief(run("<Foo/>")) == [
        ("error", "wrong-root", 1, 1),
        ("error", "unknown-element", 1, 1),
    ]


def test_root_in_another_case_is_no_wrong_root():
    only(run("<response>\n  <Hangup/>\n</response>"), "warning", "normalised-element", 1, 1)
    clean(run("<Response/>"))
    clean(run('<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Hangup/>\n</Response>'))


def test_response_takes_no_attributes():
    problem = only(run('<Response version="1"/>'), "warning", "unknown-attribute", 1, 1)
    assert "version" in problem.message


PLACEMENTS = [(parent, child) for parent in NAMES for child in NAMES]


@pytest.mark.parametrize(
    ("parent", "child"), PLACEMENTS, ids=[f"{c}-in-{p}" for p, c in PLACEMENTS]
)
def test_element_inside_a_parent(parent, child):
    where = placed(parent, inner=(snippet(child),))
    problems = run(where.source)
    if child in SCHEMA[parent].children:
        clean(problems)
        return
    problem = only(problems, "error", "misplaced-element", where.line + 1, where.column + 2)
    assert f"<{child}> cannot go inside <{parent}>" in problem.message
    assert all(p in problem.message for p in SCHEMA[child].parents)
    parent_path = "/Response" if parent == "Response" else f"/{parent}[1]"
    assert problem.path.endswith(f"{parent_path}/{child}[1]")


def test_misplaced_element_names_where_it_belongs():
    problem = only(run(doc("<Number>15551234567</Number>")), "error", "misplaced-element", 2, 3)
    assert problem.message == "<Number> cannot go inside <Response>; it belongs in Dial"


# -- text content ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [s.name for s in ELEMENTS if s.text.required])
@pytest.mark.parametrize("empty", ["", "   \n   "])
def test_required_text_missing(name, empty):
    where = placed(name, text=empty)
    problem = only(run(where.source), "error", "missing-text", *where[1:])
    assert f"<{name}> needs" in problem.message


def test_required_text_elements_are_the_documented_ones():
    assert {s.name for s in ELEMENTS if s.text.required} == {
        "Say",
        "Play",
        "File",
        "Dial",
        "Number",
        "Redirect",
        "Dtmf",
        "Sms",
        "Store",
    }


def test_say_length():
    clean(run(doc("<Say>x</Say>")))
    clean(run(doc(f"<Say>{'x' * 1024}</Say>")))
    clean(run(doc(f"<Say>  {'é' * 1024}  </Say>")))  # characters, not bytes; ends trimmed
    problem = only(run(doc(f"<Say>{'x' * 1025}</Say>")), "error", "text-too-long", 2, 3)
    assert "1025" in problem.message
    assert "1024" in problem.message
    assert "<Say>" in problem.message


def test_redirect_needs_its_url():
    problem = only(run(doc("<Redirect/>")), "error", "missing-text", 2, 3)
    assert "URL" in problem.message
    clean(run(doc("<Redirect>next.xml</Redirect>")))


def test_dial_needs_a_number_or_number_children():
    problem = only(run(doc("<Dial/>")), "error", "missing-text", 2, 3)
    assert "<Dial>" in problem.message
    clean(run(doc("<Dial>15551234567</Dial>")))
    clean(
        run(
            doc(
                "<Dial>",
                "  <Number>15551234567</Number>",
                "  <Number>+4930123456</Number>",
                "</Dial>",
            )
        )
    )
    # Only a Number stands in for the text; an empty Number is itself an error.
    problems = run(doc("<Dial>", "  <!-- nobody -->", "</Dial>"))
    only(problems, "error", "missing-text", 2, 3)
    only(run(doc("<Dial>", "  <Number/>", "</Dial>")), "error", "missing-text", 3, 5)


def test_play_needs_a_url_a_file_or_digits():
    problem = only(run(doc("<Play/>")), "error", "missing-text", 2, 3)
    assert "<Play>" in problem.message
    clean(run(doc("<Play>https://example.com/a.mp3</Play>")))
    clean(run(doc("<Play>", "  <File>FILE1</File>", "</Play>")))
    clean(run(doc('<Play digits="123#"/>')))
    only(run(doc("<Play>", "  <File/>", "</Play>")), "error", "missing-text", 3, 5)
    # A digits attribute that is not DTMF is reported as such, not as a missing URL.
    only(run(doc('<Play digits=""/>')), "error", "invalid-digits", 2, 3)


# Dial and Number text: a phone number or a SIP URI (callerId stays a number: above).
GOOD_SIP_URIS = [
    "sip:alice@example.com",
    "sips:bob@10.0.0.1:5061",
    "SIP:carol@pbx.example.com;transport=tcp",
    "sip:+15551234567@trunk.example.com",
]
BAD_SIP_URIS = ["sip:alice", "sip:@example.com", "sip:alice@", "sip:al ice@example.com", "tel:1"]


@pytest.mark.parametrize(
    "value", [v for v in BAD_NUMBERS if v and not v.startswith("sip:")] + BAD_SIP_URIS
)  # "" is missing-text
@pytest.mark.parametrize("name", ["Dial", "Number"])
def test_bad_phone_number_text(name, value):
    where = placed(name, text=value)
    problem = only(run(where.source), "error", "invalid-phone-number", *where[1:])
    assert f"{name} text: " in problem.message
    assert value in problem.message
    assert "SIP URI (sip:user@host)" in problem.message


@pytest.mark.parametrize("value", GOOD_NUMBERS + GOOD_SIP_URIS)
@pytest.mark.parametrize("name", ["Dial", "Number"])
def test_good_phone_number_or_sip_uri_text(name, value):
    clean(run(placed(name, text=value).source))


def test_caller_id_is_no_sip_uri():
    problem = only(
        run(doc('<Dial callerId="sip:alice@example.com">15551234567</Dial>')),
        "error",
        "invalid-phone-number",
        2,
        3,
    )
    assert "SIP" not in problem.message


@pytest.mark.parametrize("value", ["12a", "1 2", "1;2", "w", "1-2"])
def test_bad_dtmf_text(value):
    problem = only(run(doc(f"<Dtmf>{value}</Dtmf>")), "error", "invalid-digits", 2, 3)
    assert value in problem.message
    assert problem.message.startswith("Dtmf text: ")


@pytest.mark.parametrize("value", ["1", "0123456789", "*#", "1,,2,#", ",1"])
def test_good_dtmf_text(value):
    clean(run(doc(f"<Dtmf>{value}</Dtmf>")))


@pytest.mark.parametrize(
    "value", [v for v in BAD_URLS if v.strip() and v != " https://example.com/"]
)
@pytest.mark.parametrize("name", ["Redirect", "Play"])
def test_bad_url_text(name, value):
    where = placed(name, text=value)
    problem = only(run(where.source), "error", "invalid-url", *where[1:])
    assert f"{name} text: " in problem.message


@pytest.mark.parametrize("value", GOOD_URLS)
@pytest.mark.parametrize("name", ["Redirect", "Play"])
def test_good_url_text(name, value):
    clean(run(placed(name, text=value).source))


def test_url_text_is_trimmed_before_it_is_checked():
    clean(run(doc("<Redirect>", "  https://example.com/next", "</Redirect>")))


def test_flow_reference_in_text():
    source = doc("<Redirect>flow:menu</Redirect>")
    problem = only(run(source, flow_names=["main"]), "error", "unknown-flow", 2, 3)
    assert "flow:menu" in problem.message
    clean(run(source, flow_names=["main", "menu"]))
    clean(run(source))
    only(run(doc("<Redirect>flow:Main</Redirect>"), ["Main"]), "error", "invalid-url", 2, 3)


@pytest.mark.parametrize("name", [s.name for s in ELEMENTS if not s.text.allowed])
def test_text_where_none_is_taken(name):
    where = placed(name, text="Goodbye")
    problem = only(run(where.source), "warning", "unexpected-text", *where[1:])
    assert "'Goodbye'" in problem.message
    assert f"<{name}> takes no text" in problem.message


def test_white_space_and_comments_are_no_text():
    clean(run(doc("<Hangup>", "  <!-- a note -->", "</Hangup>")))
    clean(run(doc("<Gather>", "  <Say>Press 1</Say>", "  <!-- a note -->", "</Gather>")))


def test_long_unexpected_text_is_shortened():
    problem = only(run(doc(f"<Hangup>{'x' * 500}</Hangup>")), "warning", "unexpected-text", 2, 3)
    assert len(problem.message) < 100


# -- order: unreachable verbs, verbs that go first ---------------------------------------------


def _after(stopper: str) -> list[Problem]:
    return run(doc(stopper, "<Say>Bye</Say>", "<!-- a note -->", "<Pause/>"))


@pytest.mark.parametrize(
    ("name", "stopper"),
    [("Hangup", "<Hangup/>"), ("Reject", "<Reject/>"), ("Redirect", "<Redirect>/next</Redirect>")],
)
def test_verbs_after_an_ending_verb_are_unreachable(name, stopper):
    problems = _after(stopper)
    assert brief(problems) == [("warning", "unreachable", 3, 3), ("warning", "unreachable", 5, 3)]
    assert problems[0].message.startswith("<Say> never runs")
    assert f"<{name}> before it ends the document" in problems[0].message
    assert "(line 2)" in problems[0].message
    assert problems[1].message.startswith("<Pause> never runs")


@pytest.mark.parametrize(
    "stopper",
    [
        '<Dial action="next.xml">15551234567</Dial>',
        '<Play action="next.xml">a.mp3</Play>',
        '<Amd action="next.xml"/>',
    ],
    ids=["Dial", "Play", "Amd"],
)
def test_verbs_after_an_action_are_unreachable(stopper):
    problems = _after(stopper)
    assert brief(problems) == [("warning", "unreachable", 3, 3), ("warning", "unreachable", 5, 3)]
    assert "action" in problems[0].message


@pytest.mark.parametrize(
    "verb",
    [
        "<Dial>15551234567</Dial>",
        "<Play>a.mp3</Play>",
        "<Amd/>",
        '<Gather action="next.xml"><Say>Press 1</Say></Gather>',
        '<Record action="next.xml"/>',
        '<Record action="next.xml" callbackUrl="/done"/>',
        "<Say>Hello</Say>",
        "<Pause/>",
        "<Dtmf>1</Dtmf>",
        "<PreAnswer/>",
    ],
    ids=str,
)
def test_verbs_after_a_continuing_verb_are_reachable(verb):
    clean(_after(verb))


def test_only_what_follows_the_first_end_is_reported_and_named():
    problems = run(doc("<Say>Hi</Say>", "<Hangup/>", "<Hangup/>", "<Foo/>"))
    assert brief(problems) == [
        ("warning", "unreachable", 4, 3),
        ("warning", "unreachable", 5, 3),
        ("error", "unknown-element", 5, 3),
    ]
    assert all("(line 3)" in p.message for p in problems[:2])


def test_nested_verbs_do_not_end_the_document():
    clean(run(doc("<Gather>", '  <Play action="/x">a.mp3</Play>', "</Gather>", "<Say>Hi</Say>")))


def test_reject_not_first():
    problem = only(run(doc("<Say>Hello</Say>", "<Reject/>")), "warning", "reject-not-first", 3, 3)
    assert "<Reject>" in problem.message
    assert "first" in problem.message
    assert "<PreAnswer>" in problem.message


@pytest.mark.parametrize(
    "lines",
    [
        ("<Reject/>",),
        ('<Reject reason="busy"/>',),
        ("<!-- refuse -->", "<Reject/>"),
        ("<PreAnswer><Play>ring.mp3</Play></PreAnswer>", "<Reject/>"),
        ("<PreAnswer/>", "<!-- then -->", "<Reject/>"),
    ],
    ids=["alone", "reason", "after-comment", "after-preanswer", "after-preanswer-comment"],
)
def test_reject_first(lines):
    clean(run(doc(*lines)))


@pytest.mark.parametrize(
    ("lines", "line"),
    [
        (("<PreAnswer/>", "<Say>Hi</Say>", "<Reject/>"), 4),
        (("<Say>Hi</Say>", "<PreAnswer/>", "<Reject/>"), 4),
        (("<Pause/>", "<Reject/>"), 3),
    ],
    ids=["after-say", "preanswer-not-first", "after-pause"],
)
def test_reject_late(lines, line):
    only(run(doc(*lines)), "warning", "reject-not-first", line, 3)


def test_override_not_first():
    problem = only(
        run(doc("<Say>Hello</Say>", "<Override/>")), "warning", "override-not-first", 3, 3
    )
    assert "<Override>" in problem.message
    assert "first" in problem.message
    only(run(doc("<PreAnswer/>", "<Override/>")), "warning", "override-not-first", 3, 3)


@pytest.mark.parametrize(
    "lines",
    [
        ("<Override/>", "<Say>Hello</Say>"),
        ("<!-- settings -->", '<Override statusCallbackUrl="/s"/>'),
    ],
    ids=["first", "after-comment"],
)
def test_override_first(lines):
    clean(run(doc(*lines)))


def test_first_verb_rules_only_apply_at_the_top():
    problems = run(doc("<Gather>", "  <Say>Hi</Say>", "  <Reject/>", "</Gather>"))
    only(problems, "error", "misplaced-element", 4, 5)


def test_gather_with_neither_prompt_nor_action():
    problem = only(run(doc("<Gather/>")), "warning", "gather-does-nothing", 2, 3)
    assert "<Gather>" in problem.message
    assert all(p in problem.message for p in SCHEMA["Gather"].children)
    only(
        run(doc('<Gather timeout="3"><!-- x --></Gather>')), "warning", "gather-does-nothing", 2, 3
    )


@pytest.mark.parametrize("prompt", [snippet(p) for p in SCHEMA["Gather"].children], ids=str)
def test_gather_with_a_prompt(prompt):
    clean(run(doc(f"<Gather>{prompt}</Gather>")))


def test_gather_with_an_action():
    clean(run(doc('<Gather action="next.xml"/>')))
    clean(run(doc('<Gather action="flow:menu"/>'), flow_names=["menu"]))


def test_gather_with_an_empty_action_does_nothing():
    problems = run(doc('<Gather action=""/>'))
    assert brief(problems) == [
        ("error", "invalid-url", 2, 3),
        ("warning", "gather-does-nothing", 2, 3),
    ]


# -- reader notes, order, and the result ---------------------------------------------------------


def test_reader_notes_are_warnings():
    problem = only(run(doc("<?app hint?>", "<Hangup/>")), "warning", "dropped-markup", 2, None)
    assert "app" in problem.message
    assert problem.node is None


def test_problems_come_in_document_order():
    source = doc(
        '<Say loop="x">Hi</Say>',  # line 2
        "<Hangup/>",  # line 3
        '<Say lop="1">Bye</Say>',  # line 4
        "<?pi?>",  # line 5
        "<Reject/><Dtmf>a</Dtmf>",  # line 6
    )
    problems = run(source)
    assert brief(problems) == [
        ("error", "invalid-int", 2, 3),
        ("warning", "unreachable", 4, 3),
        ("warning", "unknown-attribute", 4, 3),
        ("warning", "dropped-markup", 5, None),
        ("warning", "unreachable", 6, 3),
        ("warning", "reject-not-first", 6, 3),
        ("warning", "unreachable", 6, 12),
        ("error", "invalid-digits", 6, 12),
    ]
    keys = [(p.line or 0, p.column or 0) for p in problems]
    assert keys == sorted(keys)


def test_problem_fields():
    problems = run(doc("<Gather>", '  <Say loop="x">Hi</Say>', "</Gather>"))
    problem = only(problems, "error", "invalid-int", 3, 5)
    assert problem.severity is Severity.ERROR
    assert problem.is_error
    assert problem.path == "/Response/Gather[1]/Say[1]"
    assert problem.node is not None and problem.node.tag == "Say"
    warning = only(run(doc("<Gather/>")), "warning", "gather-does-nothing", 2, 3)
    assert not warning.is_error


def test_has_errors():
    assert has_errors(run(doc("<Foo/>")))
    assert not has_errors(run(doc("<Gather/>")))
    assert not has_errors([])


def test_lint_a_bare_tree_without_positions():
    root = Node("Response", children=[Node("Say"), Node("Hangup"), Node("Say", text="Bye")])
    problems = lint(root)
    assert [(p.code, p.line, p.column) for p in problems] == [
        ("missing-text", None, None),
        ("unreachable", None, None),
    ]
    assert problems[0].path == "/Response/Say[1]"
    assert problems[1].path == "/Response/Say[2]"
    assert "(line" not in problems[1].message


def test_document_order_follows_the_tree_after_edits():
    document = parse(doc("<Hangup/>", '<Say loop="x">Hi</Say>', "<Dtmf>a</Dtmf>").encode())
    root = document.root
    document.move(root, 2, root, 0)  # the Dtmf from line 4 is now first
    document.insert(root, 1, Node("Foo"))  # a new node has no line
    problems = lint(document)
    assert [(p.code, p.line) for p in problems] == [
        ("invalid-digits", 4),
        ("unknown-element", None),
        ("unreachable", 3),
        ("invalid-int", 3),
    ]
    assert [p.path for p in problems] == [
        "/Response/Dtmf[1]",
        "/Response/Foo[1]",
        "/Response/Say[1]",
        "/Response/Say[1]",
    ]


def test_a_document_using_every_element_is_clean():
    source = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<Response>",
            '  <Override statusCallbackUrl="https://example.com/status" '
            'statusCallbackMethod="get"/>',
            '  <PreAnswer ringing="true"><Play>https://example.com/ring.mp3</Play></PreAnswer>',
            '  <Amd initialSilence="2500" greeting="1500"/>',
            '  <Say voice="Polly.Joanna" loop="0" loopPause="300">Hi</Say>',
            '  <Play digits="1234#" background="true" loop="2"/>',
            "  <Play><File>FILE-SID</File></Play>",
            '  <Pause length="2" silence="true" minSilence="500"/>',
            '  <Wait noise="true" minNoise="200"/>',
            "  <Dtmf>1,2,,#*</Dtmf>",
            '  <Gather action="flow:menu" method="GET" timeout="8" numDigits="1" '
            'finishOnKey="_" validDigits="12" actionOnEmptyResult="true">',
            "    <Say>Press 1</Say><Play>a.mp3</Play><Pause/><Wait/>",
            "  </Gather>",
            '  <Record action="https://example.com/rec" fileFormat="mp3" finishOnKey="none" '
            'playBeep="false" trim="do-not-trim" direction="in" maxLength="60"/>',
            '  <Record recordSession="true" backgroundAudioUrl="/hold.mp3" '
            'backgroundAudioLoop="0" containerSid="c-1"/>',
            '  <Store name="key1">some_data</Store>',
            '  <Sms to="15162065317" from="15162065318" method="get">Have a great day!</Sms>',
            "  <Start>",
            '    <Stream name="myStream" url="wss://example.com" track="both_tracks" '
            'maxLength="60" timestampStart="absolute">',
            '      <Parameter name="FirstName" value="John"/>',
            "    </Stream>",
            "  </Start>",
            '  <Stop><Stream name="myStream"/></Stop>',
            '  <Connect><Stream url="/media" audio_track="inbound"/></Connect>',
            '  <Dial callerId="+15551234567" timeout="20" hangupOnStar="true" confirmKey="1" '
            'confirmSound="/confirm.mp3" callerName="Shop">',
            '    <Number sendDigits="1,2">15551234567</Number>',
            "    <Number>+4930123456</Number>",
            "    <Number>sip:alice@example.com</Number>",
            "  </Dial>",
            '  <Redirect method="get">flow:menu</Redirect>',
            "</Response>",
        ]
    )
    clean(run(source, flow_names=["main", "menu"]))


def test_the_sample_project_is_clean():
    project = load([SAMPLE])
    assert project.names == ["hello", "menu", "menu-again", "sales", "support", "goodbye"]
    assert project.switch_names == ["route", "route-again"]
    assert project.notes == []
    assert project.lint() == {name: [] for name in project.all_names}
    for name in project.names:
        clean(lint(project.flow(name), flow_names=project.all_names))


def test_the_sample_project_would_catch_a_missing_flow():
    project = load([SAMPLE])
    problems = lint(project.flow("hello"), flow_names=["hello", "choice"])
    assert [p.code for p in problems] == ["unknown-flow"]
    assert problems[0].line == 6  # lines are the project file's


def test_a_reference_with_spaces_is_flagged_not_trimmed():
    problems = lint(parse(b"<Response><Redirect>flow: menu</Redirect></Response>"), {"menu"})
    assert [(p.code, p.severity.value) for p in problems] == [("invalid-url", "error")]
    assert "flow: menu is not a valid flow name" in problems[0].message


# -- the elements and rules of CarrierX's later pages (FLEXML.md section 7) -------------------

_IN_STREAM = '<Start><Stream url="wss://example.com">{}</Stream></Start>'
_E, _W = "error", "warning"
# (a line inside <Response>, [(severity, code, words of the message)]); [] is clean.
DOCUMENTED_CASES: list[tuple[str, list[tuple[str, str, str]]]] = [
    # Store: the name is what the later requests' Storage_{name} field is called.
    ('<Store name="key1">some_data</Store>', []),
    ("<Store>some_data</Store>", [(_E, "missing-attribute", "no Storage_{name} field")]),
    ('<Store name="">x</Store>', [(_E, "missing-attribute", "<Store> needs its name")]),
    ('<Store name="key1"/>', [(_E, "missing-text", "<Store> needs the data to keep")]),
    ('<Store name="k" bogus="1">x</Store>', [(_W, "unknown-attribute", "bogus")]),
    # Start, Stop and Connect hold a Stream; Connect exactly one.
    ('<Start><Stream name="s" url="wss://example.com"/></Start>', []),
    ("<Start/>", [(_W, "missing-child", "<Start> holds no <Stream>: it does nothing")]),
    ("<Stop><!-- none --></Stop>", [(_W, "missing-child", "<Stop> holds no <Stream>")]),
    ("<Connect/>", [(_E, "missing-child", "<Connect> needs a <Stream> inside")]),
    (
        '<Connect><Stream url="wss://a.example"/><Stream url="wss://b.example"/></Connect>',
        [(_E, "too-many-children", "may hold only 1 <Stream>; it holds 2")],
    ),
    ('<Connect><!-- x --><Stream url="wss://a.example"/></Connect>', []),
    (
        '<Start><Stream url="wss://a.example"/><Stream url="wss://b.example"/></Start>',
        [],
    ),
    (
        "<Connect><Say>x</Say></Connect>",
        [(_E, "missing-child", "<Connect> needs"), (_E, "misplaced-element", "<Say>")],
    ),
    (
        '<Start name="x"><Stream url="wss://example.com"/></Start>',
        [(_W, "unknown-attribute", "<Start> takes no attributes")],
    ),
    (
        '<Gather action="/g"><Start><Stream url="wss://e.example"/></Start></Gather>',
        [(_E, "misplaced-element", "<Start> cannot go inside <Gather>")],
    ),
    # Stream: url required inside Start and Connect; inside Stop a name (or url) says which.
    ('<Start><Stream name="s"/></Start>', [(_E, "missing-attribute", "needs its url")]),
    ('<Connect><Stream name="s"/></Connect>', [(_E, "missing-attribute", "needs its url")]),
    ('<Stop><Stream name="s"/></Stop>', []),
    ('<Stop><Stream url="wss://example.com"/></Stop>', []),
    ("<Stop><Stream/></Stop>", [(_E, "missing-attribute", "nothing says which stream to stop")]),
    ('<Stop><Stream name=""/></Stop>', [(_E, "missing-attribute", "neither name nor url")]),
    (
        '<Start><Stream url="https://example.com/s"/></Start>',
        [(_E, "invalid-url", "is not a WebSocket URL: use ws:// or wss://")],
    ),
    (
        '<Start><Stream url="wss://example.com/s?a=1"/></Start>',
        [(_W, "ws-url-parameters", "send them as <Parameter> children")],
    ),
    (
        '<Start><Stream url="wss://e.example" track="inbound_track" audio_track="inbound"/>'
        "</Start>",
        [(_E, "conflicting-attributes", "Stream has both track and audio_track: use one")],
    ),
    (
        '<Start><Stream url="wss://e.example" audio_track="both" track="both_tracks"/></Start>',
        [(_E, "conflicting-attributes", "use one")],
    ),
    ('<Start><Stream url="wss://e.example" track="inbound"/></Start>', [(_E, "invalid-value", "")]),
    ('<Start><Stream url="wss://e.example" maxLength="0"/></Start>', [(_E, "out-of-range", "")]),
    ('<Stream url="wss://e.example"/>', [(_E, "misplaced-element", "Start, Stop, Connect")]),
    # Parameter: name and value, both required.
    (_IN_STREAM.format('<Parameter name="FirstName" value="John"/>'), []),
    (_IN_STREAM.format('<Parameter name="a"/>'), [(_E, "missing-attribute", "needs its value")]),
    (_IN_STREAM.format('<Parameter value="b"/>'), [(_E, "missing-attribute", "needs its name")]),
    (_IN_STREAM.format('<Parameter name="a" value=""/>'), [(_E, "missing-attribute", "value")]),
    (
        _IN_STREAM.format('<Parameter name="a" value="b">c</Parameter>'),
        [(_W, "unexpected-text", "<Parameter> takes no text")],
    ),
    # Sms: 1 to 670 characters; with an action nothing after it runs.
    ('<Sms to="15162065317">Have a great day!</Sms>', []),
    ("<Sms/>", [(_E, "missing-text", "<Sms> needs the message")]),
    (f"<Sms>{'x' * 670}</Sms>", []),
    (f"<Sms>{'x' * 671}</Sms>", [(_E, "text-too-long", "671 characters; the limit is 670")]),
    ('<Sms to="sip:a@example.com">x</Sms>', [(_E, "invalid-phone-number", "Sms to")]),
    ('<Sms action="/sent">x</Sms><Say>never</Say>', [(_W, "unreachable", "<Sms> before it")]),
    ("<Sms>x</Sms><Say>runs</Say>", []),
    # Gather actionOnEmptyResult is FlexML's: no "CarrierX will ignore it".
    ('<Gather action="/g" actionOnEmptyResult="true"><Say>x</Say></Gather>', []),
    ('<Gather action="/g" actionOnEmptyResult="yes"/>', [(_E, "invalid-bool", "")]),
    # Dial's record and stream attributes: documented, names not confirmed: kept, warned.
    (
        '<Dial record="record-from-answer">15551234567</Dial>',
        [(_W, "unconfirmed-attribute", "record is kept and exported as written")],
    ),
    (
        '<Dial streamUrl="wss://e.example">15551234567</Dial>',
        [(_W, "unconfirmed-attribute", "documents record and stream attributes on Dial")],
    ),
    (
        '<Dial RecordingStatusCallback="/r">15551234567</Dial>',
        [(_W, "unconfirmed-attribute", "RecordingStatusCallback")],
    ),
    (
        '<Dial bogus="1">15551234567</Dial>',
        [(_W, "unknown-attribute", "CarrierX will ignore it")],
    ),
    # Say: language is not documented; CarrierX's own samples write voice="female".
    (
        '<Say language="en-US">Hi</Say>',
        [(_W, "undocumented-attribute", "language is not on CarrierX's Say page")],
    ),
    ('<Say voice="female">Hi</Say>', [(_W, "undocumented-value", "CarrierX's own samples")]),
    ('<Say voice="male">Hi</Say>', [(_E, "invalid-value", "is not a voice")]),
    ('<Say loopPause="0">Hi</Say>', []),
    # URLs with spaces are sent percent-encoded: a warning; a space in the host is an error.
    (
        '<Gather action="/voicemail/save?name=Jane Doe"><Say>x</Say></Gather>',
        [(_W, "url-with-spaces", "sent percent-encoded (a space as %20)")],
    ),
    (
        "<Redirect>https://example.com/next flow.xml</Redirect>",
        [(_W, "url-with-spaces", "voicemail sample")],
    ),
    ("<Play>https://example.com/my file.mp3</Play>", [(_W, "url-with-spaces", "Play text")]),
    ('<Record backgroundAudioUrl="/hold music.mp3"/>', [(_W, "url-with-spaces", "Record")]),
    (
        "<Redirect>https://exa mple.com/x</Redirect>",
        [(_E, "invalid-url", "a space in its host name")],
    ),
    ('<Dial action="/a\tb">15551234567</Dial>', [(_E, "invalid-url", "tab, line break")]),
    # Record, Hangup: the newly documented attributes.
    ('<Record recordSession="true" backgroundAudioLoop="0" containerSid="c"/>', []),
    ('<Record recordSession="yes"/>', [(_E, "invalid-bool", "")]),
    ('<Record backgroundAudioLoop="-1"/>', [(_E, "out-of-range", "0 or more")]),
    ('<Hangup callInfo="soft hangup from IO"/>', []),
    ("<Dial>sip:alice@example.com</Dial>", []),
    ("<Dial><Number>sips:bob@pbx.example.com</Number></Dial>", []),
]


@pytest.mark.parametrize(
    ("line", "expected"), DOCUMENTED_CASES, ids=[c[0] for c in DOCUMENTED_CASES]
)
def test_documented_rules(line, expected):
    problems = run(doc(line.replace("\t", "&#9;")))
    assert [(p.severity.value, p.code) for p in problems] == [(s, c) for s, c, _ in expected], [
        p.message for p in problems
    ]
    for problem, (_, _, words) in zip(problems, expected, strict=True):
        assert words in problem.message


def test_warnings_about_urls_never_block_and_the_inspector_takes_them():
    from gui.core.flexml.lint import value_problem

    problems = run(doc('<Gather action="/voicemail/save?name=Jane Doe"><Say>x</Say></Gather>'))
    assert problems and not has_errors(problems)
    # The inspector writes what value_problem accepts; warnings are lint's alone.
    assert value_problem(Type.URL, "/voicemail/save?name=Jane Doe", None, None) is None
    assert value_problem(Type.WS_URL, "wss://example.com/s?a=1", None, None) is None
    voice = SCHEMA["Say"].attribute("voice")
    assert value_problem(Type.VOICE, "female", voice, None) is None
    assert value_problem(Type.VOICE, "male", voice, None) is not None


def test_a_fresh_stream_verb_from_the_schema_is_valid():
    # What the palette inserts (the schema's starter children and example attributes).
    for name in ("Start", "Stop", "Connect"):
        spec = SCHEMA[name]
        streams = [Node(child, SCHEMA[child].starter_attrs()) for child in spec.starter_children]
        clean(lint(Node("Response", children=[Node(name, children=streams)])))
