"""Round trip: random valid flows, drawn from the schema table, survive export and import.

export -> parse gives the same tree (Node.same_as), and export is a fixed point
(export(parse(export(t))) == export(t)), both pretty and compact.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gui.core.flexml import has_errors, lint, reader, writer
from gui.core.flexml.schema import ROOT, SCHEMA, AttrSpec, Type
from gui.core.flexml.tree import COMMENT, Node

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- values, by type --------------------------------------------------------------------

# Any character XML 1.0 allows, weighted towards the ones that need care when written.
AWKWARD = "&<>\"'\r\n\t ]]>-é€お😀𝄞\x7f\x85\u2028\u00a0\u3000"
xml_chars = st.one_of(
    st.sampled_from(AWKWARD),
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff", min_codepoint=0x20
    ),
    st.sampled_from("\t\n\r"),
)
XML_SPACE = " \t\r\n"
# Element text: white space at the ends is not content (the reader strips it), inside it is.
content = st.text(xml_chars, min_size=1, max_size=40).map(lambda t: t.strip(XML_SPACE)).filter(bool)
long_content = st.text(st.sampled_from("abc é😀&<>\n"), min_size=1000, max_size=1024).map(
    lambda t: "x" + t[1:-1] + "x"
)
# Attribute values keep everything, white space at the ends too.
attribute_text = st.text(xml_chars, max_size=30)
# Not "\r": a comment cannot escape it, and XML reads it back as "\n". The tree accepts it
# (test_comment_with_carriage_return below).
comment_text = st.text(xml_chars, max_size=20).filter(
    lambda t: "--" not in t and not t.endswith("-") and "\r" not in t
)

digit_keys = "0123456789*#"
flow_names = st.from_regex(r"[a-z0-9]([a-z0-9_-]{0,10}[a-z0-9])?", fullmatch=True)
url_chars = st.sampled_from("abcxyz0123456789-._~%!$&'()*+,;=:@é<>\"")
segments = st.text(url_chars, min_size=1, max_size=8)
urls = st.one_of(
    st.builds(
        lambda scheme, host, path, query: f"{scheme}://{host}/{path}{query}",
        st.sampled_from(["http", "https", "HTTPS"]),
        st.from_regex(r"[a-z][a-z0-9-]{0,8}(\.[a-z]{2,4}){1,2}(:[0-9]{2,4})?", fullmatch=True),
        segments,
        st.sampled_from(["", "?a=1&b=2", '?q=<x>&r="y"', "#frag"]),
    ),
    st.builds(lambda path: "/" + path, segments.filter(lambda s: not s.startswith("/"))),
    flow_names.map(lambda name: f"flow:{name}"),
)
phone_numbers = st.from_regex(r"\+?[0-9]{7,15}", fullmatch=True)
sip_uris = st.from_regex(r"sips?:[a-z0-9+]{1,8}@[a-z][a-z0-9-]{0,8}\.[a-z]{2,4}", fullmatch=True)
ws_urls = st.one_of(
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}/{path}",
        st.sampled_from(["ws", "wss", "WSS"]),
        st.from_regex(r"[a-z][a-z0-9-]{0,8}(\.[a-z]{2,4}){1,2}(:[0-9]{2,4})?", fullmatch=True),
        segments,
    ),
    st.builds(lambda path: "/" + path, segments.filter(lambda s: not s.startswith("/"))),
)


def attribute_values(spec: AttrSpec) -> st.SearchStrategy[str]:
    """Values lint accepts for an attribute of this spec."""
    kind = spec.type
    if kind is Type.INT:
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else 100_000
        return st.integers(low, high).map(str)
    if kind is Type.BOOL:
        return st.sampled_from(["true", "false"])
    if kind is Type.URL:
        return urls
    if kind is Type.WS_URL:
        return ws_urls
    if kind is Type.METHOD:
        return st.sampled_from(["GET", "POST", "get", "post", "Post"])
    if kind is Type.DIGITS:
        return st.text(st.sampled_from(digit_keys), min_size=1, max_size=6)
    if kind is Type.KEY:
        return st.sampled_from(list(digit_keys))
    if kind is Type.DTMF:
        return st.text(st.sampled_from(digit_keys + ","), min_size=1, max_size=8)
    if kind is Type.NUMBER:
        return phone_numbers
    if kind is Type.ENUM:
        return st.sampled_from(spec.choices)
    if kind is Type.VOICE:
        return st.one_of(
            st.sampled_from(spec.choices),
            st.from_regex(r"Polly\.[A-Z][A-Za-z-]{0,10}", fullmatch=True),
        )
    if kind is Type.GATHER_KEY:
        return st.sampled_from(list(digit_keys + "_"))
    if kind is Type.RECORD_KEYS:
        return st.one_of(
            st.just("none"), st.text(st.sampled_from(digit_keys), min_size=1, max_size=4)
        )
    assert kind is Type.STRING, f"no strategy for {kind}"
    return attribute_text.filter(bool) if spec.required else attribute_text


def text_values(tag: str) -> st.SearchStrategy[str]:
    rule = SCHEMA[tag].text
    if rule.type is Type.URL:
        return urls
    if rule.type is Type.NUMBER:
        return phone_numbers
    if rule.type is Type.DIAL_TARGET:
        return st.one_of(phone_numbers, sip_uris)
    if rule.type is Type.DTMF:
        return st.text(st.sampled_from(digit_keys + ","), min_size=1, max_size=8).filter(
            lambda t: t.strip(XML_SPACE) == t
        )
    if rule.max_length is not None and rule.max_length >= 1000:
        return st.one_of(content, long_content)
    return content


# --- trees ----------------------------------------------------------------------------------


@st.composite
def attributes(draw, tag: str) -> dict[str, str]:
    """A subset of the element's attributes, in schema order, each with a valid value (the
    required ones always: Stream's url too, which Stop does not need but takes)."""
    attrs: dict[str, str] = {}
    for spec in SCHEMA[tag].attributes:
        excluded = any(other in attrs for other in spec.excludes)  # track or audio_track
        if spec.required or (draw(st.integers(0, 3)) == 0 and not excluded):
            attrs[spec.name] = draw(attribute_values(spec))
    for spec in SCHEMA[tag].attributes:  # minSilence only with silence="true", and so on
        if spec.name in attrs and spec.requires:
            other, wanted = spec.requires
            attrs[other] = wanted
    return {spec.name: attrs[spec.name] for spec in SCHEMA[tag].attributes if spec.name in attrs}


comments = st.builds(lambda text: Node(COMMENT, text=text), comment_text)


@st.composite
def elements(draw, tag: str) -> Node:
    spec = SCHEMA[tag]
    attrs = draw(attributes(tag))
    children: list[Node] = []
    if spec.children:
        children = draw(
            st.lists(
                st.one_of(st.sampled_from(spec.children).flatmap(elements), comments),
                max_size=3,
            )
        )
        if spec.max_children is not None:  # Connect: one Stream, no more
            extra = [c for c in children if c.tag != COMMENT][spec.max_children :]
            children = [c for c in children if all(c is not e for e in extra)]
        while sum(c.tag != COMMENT for c in children) < spec.min_children:
            children.append(draw(st.sampled_from(spec.children).flatmap(elements)))
    text = None
    rule = spec.text
    if rule.allowed:
        excused = any(c.tag in rule.unless_children for c in children) or any(
            a in attrs for a in rule.unless_attrs
        )
        if (rule.required and not excused) or draw(st.booleans()):
            text = draw(text_values(tag))
    return Node(tag, attrs, text, children)


FIRST_ONLY = tuple(name for name in SCHEMA[ROOT].children if SCHEMA[name].must_be_first)
ANYWHERE = tuple(name for name in SCHEMA[ROOT].children if not SCHEMA[name].must_be_first)


@st.composite
def flows(draw) -> Node:
    """A <Response> whose every element, attribute and text is valid for the schema."""
    head_tags = draw(
        st.one_of(
            st.just([]),
            st.sampled_from(FIRST_ONLY).map(lambda tag: [tag]),
            st.sampled_from(
                [[follow, tag] for tag in FIRST_ONLY for follow in SCHEMA[tag].may_follow]
            ),
        )
    )
    head = [draw(elements(tag)) for tag in head_tags]
    rest = draw(
        st.lists(st.one_of(st.sampled_from(ANYWHERE).flatmap(elements), comments), max_size=6)
    )
    return Node(ROOT, children=head + rest)


def export(root: Node, compact: bool) -> bytes:
    return writer.to_bytes(root, compact=compact)


# --- properties -----------------------------------------------------------------------------


@SETTINGS
@given(flows())
def test_generated_flows_are_valid(root: Node):
    # The strategy itself is checked: lint finds no errors in what it makes.
    errors = [p for p in lint(root) if p.is_error]
    assert errors == []


@SETTINGS
@given(flows(), st.booleans())
def test_export_then_parse_gives_the_same_tree(root: Node, compact: bool):
    data = export(root, compact)
    document = reader.parse(data)
    assert document.root.same_as(root), data.decode()
    assert document.notes == []
    assert all(node.spelling is None for node in document.root.iter())


@SETTINGS
@given(flows(), st.booleans())
def test_export_is_a_fixed_point(root: Node, compact: bool):
    data = export(root, compact)
    assert export(reader.parse(data).root, compact) == data
    # ... and the other layout reads back to the same tree as well.
    other = export(root, not compact)
    assert export(reader.parse(other).root, compact) == data


def test_a_known_flow_round_trips():
    # One fixed example, so a broken strategy cannot hide a broken round trip.
    root = Node(
        "Response",
        children=[
            Node("Override", {"statusCallbackUrl": "flow:status"}),
            Node(
                "Gather",
                {"action": "/g?a=1&b=2", "numDigits": "1"},
                children=[
                    Node("Say", {"voice": "Polly.Joanna", "loop": "2"}, text="Caf\u00e9 & <co>"),
                    Node(COMMENT, text=" menu "),
                    Node("Play", children=[Node("File", text="sid-1")]),
                ],
            ),
            Node("Dial", children=[Node("Number", {"sendDigits": "12#"}, text="15551234567")]),
            Node("Hangup", {"callInfo": ' a\r\n\t"b" '}),
        ],
    )
    for compact in (False, True):
        data = export(root, compact)
        again = reader.parse(data).root
        assert again.same_as(root)
        assert export(again, compact) == data
    assert not has_errors(lint(root))


def test_comment_with_carriage_return_is_refused_or_round_trips():
    try:
        root = Node(ROOT, children=[Node(COMMENT, text=" a\r\nb\rc ")])
    except ValueError:
        return  # refused when made: nothing is lost on export
    for compact in (False, True):
        data = export(root, compact)
        assert reader.parse(data).root.same_as(root)
        assert export(reader.parse(data).root, compact) == data
