"""XML out: writer.to_bytes / to_text, held to lxml's serialiser by a test oracle.

Golden files: tests/core/golden/NAME.in.xml is read and written to NAME.out.xml (compact
when NAME starts with "compact"); the output must also be what lxml writes for the tree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from gui.core.flexml import reader, writer
from gui.core.flexml.schema import SCHEMA
from gui.core.flexml.tree import COMMENT, Node

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_INPUTS = sorted(GOLDEN.glob("*.in.xml"))
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def golden_output(path: Path) -> Path:
    return path.with_name(path.name.replace(".in.xml", ".out.xml"))


def is_compact(path: Path) -> bool:
    return path.name.startswith("compact")


# --- the oracle: the same tree built with lxml and serialised by libxml2 -----------------


def schema_ordered(node: Node) -> list[tuple[str, str]]:
    """The node's attributes as the docstring promises: schema order, then unknown ones in
    their own order (computed from the schema table, independently of the writer)."""
    spec = SCHEMA.get(node.tag)
    documented = [a.name for a in spec.attributes] if spec else []
    known = [(name, node.attrs[name]) for name in documented if name in node.attrs]
    unknown = [(name, value) for name, value in node.attrs.items() if name not in documented]
    return known + unknown


def to_lxml(node: Node) -> etree._Element:
    element = etree.Element(node.tag)
    for name, value in schema_ordered(node):
        element.set(name, value)
    element.text = node.text
    for child in node.children:
        if child.is_comment:
            element.append(etree.Comment(child.text or ""))
        else:
            element.append(to_lxml(child))
    return element


def oracle(root: Node, *, compact: bool = False) -> bytes:
    body = etree.tostring(to_lxml(root), encoding="UTF-8", pretty_print=not compact)
    return DECLARATION + (b"" if compact else b"\n") + body + (b"\n" if compact else b"")


def test_oracle_is_lxml_and_sees_a_difference():
    # The oracle must be able to disagree: it escapes > in text and writes a comment,
    # and a hand-made wrong answer differs from it.
    root = Node("Response", children=[Node("Say", text="a > b"), Node(COMMENT, text=" c ")])
    expected = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<Response>\n  <Say>a &gt; b</Say>\n  <!-- c -->\n</Response>\n"
    )
    assert oracle(root) == expected
    assert oracle(root) != expected.replace(b"&gt;", b">")


def equivalent(a: Node, b: Node) -> bool:
    """Node.same_as, except that attribute order does not count."""
    return (
        a.tag == b.tag
        and a.text == b.text
        and a.attrs == b.attrs
        and a.child_count() == b.child_count()
        and all(equivalent(x, y) for x, y in zip(a.children, b.children, strict=True))
    )


# --- golden files -------------------------------------------------------------------------


def test_there_are_enough_golden_pairs():
    assert len(GOLDEN_INPUTS) >= 8
    for path in GOLDEN_INPUTS:
        assert golden_output(path).is_file(), f"{path.name} has no .out.xml"


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.name.removesuffix(".in.xml"))
def test_golden(path: Path):
    compact = is_compact(path)
    expected = golden_output(path).read_bytes()
    document = reader.parse(path.read_bytes())
    out = writer.to_bytes(document.root, compact=compact)
    assert out == expected
    assert out == oracle(document.root, compact=compact)
    # The output is canonical: reading it back and writing again changes nothing.
    again = reader.parse(out)
    assert equivalent(again.root, document.root)
    assert writer.to_bytes(again.root, compact=compact) == out
    assert again.notes == []
    assert all(node.spelling is None for node in again.root.iter())


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.name.removesuffix(".in.xml"))
def test_golden_other_variant_matches_lxml(path: Path):
    compact = not is_compact(path)
    root = reader.parse(path.read_bytes()).root
    assert writer.to_bytes(root, compact=compact) == oracle(root, compact=compact)


def test_golden_outputs_are_utf8_with_declaration_and_two_space_indent():
    for path in GOLDEN_INPUTS:
        out = golden_output(path).read_bytes()
        text = out.decode("utf-8")
        assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
        assert text.endswith("\n")
        if not is_compact(path):
            lines = text.split("\n")
            assert lines[1].startswith("<Response")
            # Every line that starts a tag is indented by an even number of spaces only.
            for line in lines[1:]:
                indent = line[: len(line) - len(line.lstrip())]
                if line.lstrip().startswith("<"):
                    assert set(indent) <= {" "} and len(indent) % 2 == 0, line


# --- the writer's rules, one at a time --------------------------------------------------


def flow(*children: Node) -> Node:
    return Node("Response", children=list(children))


def test_empty_response():
    assert writer.to_bytes(Node("Response")) == DECLARATION + b"\n<Response/>\n"
    assert writer.to_bytes(Node("Response"), compact=True) == DECLARATION + b"<Response/>\n"


def test_pretty_layout_two_spaces_per_level():
    root = flow(
        Node("Gather", {"action": "/g"}, children=[Node("Say", text="Hi"), Node("Pause")]),
        Node("Hangup"),
    )
    assert writer.to_text(root) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response>\n"
        '  <Gather action="/g">\n'
        "    <Say>Hi</Say>\n"
        "    <Pause/>\n"
        "  </Gather>\n"
        "  <Hangup/>\n"
        "</Response>\n"
    )


def test_compact_is_one_line():
    root = flow(
        Node("Gather", {"action": "/g"}, children=[Node("Say", text="Hi"), Node("Pause")]),
        Node(COMMENT, text=" c "),
        Node("Hangup"),
    )
    text = writer.to_text(root, compact=True)
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/g"><Say>Hi</Say>'
        "<Pause/></Gather><!-- c --><Hangup/></Response>\n"
    )
    assert text.count("\n") == 1


def test_to_bytes_is_to_text_in_utf8():
    root = flow(Node("Say", {"voice": "Polly.Léa"}, text="Ça 😀 お電話"))
    assert writer.to_bytes(root) == writer.to_text(root).encode("utf-8")
    assert "Ça 😀 お電話".encode() in writer.to_bytes(root)
    assert b"&#" not in writer.to_bytes(root)


def test_attributes_in_schema_order_then_unknown_in_their_own_order():
    say = Node(
        "Say",
        {"zeta": "1", "language": "en-US", "loop": "2", "alpha": "2", "voice": "man"},
        text="x",
    )
    out = writer.to_text(flow(say))
    assert '<Say voice="man" loop="2" language="en-US" zeta="1" alpha="2">x</Say>' in out
    # The node itself is not reordered.
    assert list(say.attrs) == ["zeta", "language", "loop", "alpha", "voice"]


def test_unknown_element_attributes_keep_their_order():
    node = Node("Conference", {"b": "1", "a": "2", "c": "3"})
    assert '<Conference b="1" a="2" c="3"/>' in writer.to_text(flow(node))


def test_attribute_escapes():
    value = "a&b<c>d\"e'f\ng\th\ri"
    out = writer.to_text(flow(Node("Hangup", {"callInfo": value})))
    assert '<Hangup callInfo="a&amp;b&lt;c&gt;d&quot;e\'f&#10;g&#9;h&#13;i"/>' in out
    assert reader.parse(out.encode()).root.child(0).attrs["callInfo"] == value


def test_text_escapes():
    text = "a&b<c>d\"e'f\ng\th\ri]]>j"
    out = writer.to_text(flow(Node("Say", text=text)))
    assert "<Say>a&amp;b&lt;c&gt;d\"e'f\ng\th&#13;i]]&gt;j</Say>" in out
    assert reader.parse(out.encode()).root.child(0).text == text


def test_comment_text_is_written_verbatim():
    out = writer.to_text(flow(Node(COMMENT, text=" a & b < c "), Node(COMMENT)))
    assert "  <!-- a & b < c -->\n  <!---->\n" in out


def test_mixed_content_gets_no_indentation_inside():
    play = Node("Play", text="https://e.com/a.mp3", children=[Node("File", text="sid")])
    dial = Node("Dial", children=[Node("Number", text="15551234567")])
    out = writer.to_text(flow(play, dial))
    assert "  <Play>https://e.com/a.mp3<File>sid</File></Play>\n" in out
    assert "  <Dial>\n    <Number>15551234567</Number>\n  </Dial>\n" in out


def test_empty_text_is_no_text():
    assert "<Say/>" in writer.to_text(flow(Node("Say", text="")))


def test_deterministic():
    def build() -> Node:
        return flow(
            Node("Say", {"loop": "2", "voice": "woman", "x": "1"}, text="Hi"),
            Node("Dial", {"timeout": "5", "action": "/a"}, text="15551234567"),
        )

    first = writer.to_bytes(build())
    assert all(writer.to_bytes(build()) == first for _ in range(5))
    assert writer.to_bytes(build().copy()) == first


@pytest.mark.parametrize(
    ("tag", "attribute"),
    [("Say", 'x="1" y'), ("Say", "a b"), ("Say", "{urn:x}a"), ("1bad", "a"), ("a b", "c")],
)
def test_names_that_are_not_xml_names_never_reach_the_output(tag: str, attribute: str):
    try:
        root = flow(Node(tag, {attribute: "2"}))
    except ValueError:
        return  # refused when made
    out = writer.to_bytes(root)
    assert reader.parse(out).root.child(0).attrs == {attribute: "2"}


# --- flow: references -----------------------------------------------------------------------


def test_flow_references_resolved_with_base_url():
    root = flow(
        Node("Override", {"statusCallbackUrl": "flow:status"}),
        Node("Gather", {"action": "flow:menu", "finishOnKey": "flow:x"}),
        Node("Play", {"errorAction": "flow:oops"}, text="flow:audio"),
        Node("Say", {"language": "flow:lang"}, text="flow:spoken"),
        Node("Dial", {"callerName": "flow:name", "confirmSound": "flow:beep"}, text="155512"),
        Node("Redirect", text="flow:main"),
        Node("Conference", {"action": "flow:unknown"}),
    )
    out = writer.to_text(root, base_url="https://host.example/app/")
    base = "https://host.example/app/flows/"
    assert f'<Override statusCallbackUrl="{base}status"/>' in out
    assert f'<Gather action="{base}menu" finishOnKey="flow:x"/>' in out
    assert f'<Play errorAction="{base}oops">{base}audio</Play>' in out
    # Only URL-typed attributes and URL-typed text are references.
    assert '<Say language="flow:lang">flow:spoken</Say>' in out
    assert f'<Dial callerName="flow:name" confirmSound="{base}beep">155512</Dial>' in out
    assert f"<Redirect>{base}main</Redirect>" in out
    assert '<Conference action="flow:unknown"/>' in out
    # The tree is not changed by export.
    assert root.child(1).attrs["action"] == "flow:menu"


def test_flow_references_kept_without_base_url():
    root = flow(Node("Redirect", text="flow:main"))
    assert "<Redirect>flow:main</Redirect>" in writer.to_text(root)


def test_flow_reference_with_special_characters_is_escaped_after_resolving():
    root = flow(Node("Redirect", {"method": "GET"}, text="flow:a&b"))
    out = writer.to_text(root, base_url="http://127.0.0.1:8080", compact=True)
    assert '<Redirect method="GET">http://127.0.0.1:8080/flows/a&amp;b</Redirect>' in out


def test_write_node_indents_for_embedding():
    out: list[str] = []
    writer.write_node(flow(Node("Say", text="Hi")), out, "    ")
    assert "".join(out) == "    <Response>\n      <Say>Hi</Say>\n    </Response>\n"


# --- random trees against the oracle -----------------------------------------------------

# Every character XML 1.0 allows (no C0 controls but tab/LF/CR, no surrogates, no FFFE/FFFF),
# weighted towards the awkward ones.
AWKWARD = "&<>\"'\r\n\t ]]>-é€😀𝄞\x7f\x85\u2028\u00a0"
xml_chars = st.one_of(
    st.sampled_from(AWKWARD),
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\ufffe\uffff",
        min_codepoint=0x20,
    ),
    st.sampled_from("\t\n\r"),
)
xml_text = st.text(xml_chars, max_size=30)
name_start = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_éΩ")
name_char = st.sampled_from("abcxyzABCXYZ_-.0123456789é")
xml_names = st.builds(lambda a, b: a + b, name_start, st.text(name_char, max_size=8))
# Known names (so schema ordering is exercised) as well as arbitrary ones.
tags = st.one_of(st.sampled_from(sorted(SCHEMA)), xml_names)
comment_text = xml_text.filter(lambda t: "--" not in t and not t.endswith("-") and "\r" not in t)


def attribute_names(tag: str) -> st.SearchStrategy[str]:
    spec = SCHEMA.get(tag)
    if spec is None or not spec.attributes:
        return xml_names
    return st.one_of(st.sampled_from([a.name for a in spec.attributes]), xml_names)


@st.composite
def elements(draw, depth: int = 0) -> Node:
    tag = draw(tags)
    names = draw(st.lists(attribute_names(tag), max_size=5, unique=True))
    attrs = {name: draw(xml_text) for name in names}
    text = draw(st.one_of(st.none(), xml_text))
    children: list[Node] = []
    if depth < 3:
        children = draw(
            st.lists(
                st.one_of(
                    elements(depth + 1),
                    st.builds(lambda t: Node(COMMENT, text=t), comment_text),
                ),
                max_size=4,
            )
        )
    return Node(tag, attrs, text, children)


@st.composite
def documents(draw) -> Node:
    children = draw(
        st.lists(
            st.one_of(elements(1), st.builds(lambda t: Node(COMMENT, text=t), comment_text)),
            max_size=5,
        )
    )
    return Node("Response", children=children)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_trees_match_lxml(root: Node):
    assert writer.to_bytes(root) == oracle(root)
    assert writer.to_bytes(root, compact=True) == oracle(root, compact=True)


@settings(max_examples=200, deadline=None)
@given(xml_text, xml_text, comment_text)
def test_awkward_strings_match_lxml(value: str, text: str, comment: str):
    root = flow(
        Node("Say", {"voice": value, "odd": value}, text=text),
        Node(COMMENT, text=comment),
        Node("Dial", text=text, children=[Node("Number", {"sendDigits": value}, text=text)]),
    )
    assert writer.to_bytes(root) == oracle(root)
    assert writer.to_bytes(root, compact=True) == oracle(root, compact=True)
