"""The FlexML reference is the schema table rendered: every element and attribute, escaped,
with certainty badges, examples that lint clean, and links that land on anchors."""

from html import escape
from html.parser import HTMLParser

import pytest

from gui.core.flexml import lint, parse
from gui.core.flexml.reference import (
    CERTAINTY_LEGEND,
    TYPE_VALUES,
    allowed_values,
    element_html,
    example_text,
    reference_document,
    reference_html,
    reference_index,
)
from gui.core.flexml.schema import (
    NOUNS,
    ROOT,
    SCHEMA,
    VERBS,
    AttrSpec,
    Certainty,
    ElementSpec,
    Kind,
    TextSpec,
    Type,
)

TAGS = [tag for tag, _ in reference_index()]
# Every tag the reference writes; an unescaped "<Name>" in a description would add one.
KNOWN_TAGS = {
    "html", "head", "meta", "title", "style", "body", "a", "h1", "h2", "h3", "p", "table",
    "tr", "th", "td", "span", "br", "code", "b", "pre", "hr",
}  # fmt: skip
VOID = {"meta", "br", "hr"}


class Page(HTMLParser):
    """What a page holds: its text, tags, links, anchors and table rows (as cell texts)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.open: list[str] = []
        self.hrefs: list[str] = []
        self.anchors: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.open.append(tag)
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag == "a" and "name" in attrs:
            self.anchors.append(attrs["name"])
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag == "br":
            self.handle_data("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        if tag in ("td", "th") and self._cell is not None:
            lines = "".join(self._cell).split("\n")
            self.rows[-1].append("\n".join(line.strip() for line in lines))
            self._cell = None

    def handle_data(self, data):
        data = data.replace("\xa0", " ")  # the badges' &nbsp;
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def plain(self) -> str:
        return "".join(self.text)

    def row(self, first_cell_start: str) -> str:
        """The text of the table row whose first cell starts with `first_cell_start`."""
        found = [r for r in self.rows if r and r[0].split("\n")[0] == first_cell_start]
        assert len(found) == 1, f"{len(found)} rows for {first_cell_start!r}"
        return "\n".join(found[0])


def test_the_index_lists_every_element_once_verbs_first():
    assert [tag for tag, _ in reference_index()] == [*VERBS, *NOUNS, ROOT]
    assert sorted(TAGS) == sorted(SCHEMA)
    assert dict(reference_index()) == {tag: spec.description for tag, spec in SCHEMA.items()}


def test_the_index_page_links_every_element_and_explains_the_marks():
    page = Page(reference_html())
    assert [href for href in page.hrefs if href.startswith("#")] == [f"#{t}" for t in TAGS]
    for tag in TAGS:
        assert SCHEMA[tag].description in page.plain
    for certainty, meaning in CERTAINTY_LEGEND.items():
        assert page.row(certainty.value) == f"{certainty.value}\n{meaning}"


@pytest.mark.parametrize("tag", TAGS)
def test_each_page_is_well_formed_and_uses_only_its_own_tags(tag):
    page = Page(reference_html(tag))
    assert page.open == []
    assert set(page.tags) <= KNOWN_TAGS
    assert page.anchors == [tag]


@pytest.mark.parametrize("tag", TAGS)
def test_each_page_states_the_elements_facts(tag):
    spec = SCHEMA[tag]
    page = Page(reference_html(tag))
    text = page.plain
    assert spec.description in text
    assert f"{tag} {spec.kind.value}" in text
    rule = spec.text
    if rule.allowed:
        assert rule.description in page.row("Text")
        assert ("required" if rule.required else "optional") in page.row("Text")
    else:
        assert "takes no text" in page.row("Text")
    assert page.row("Goes inside").split("\n", 1)[1].split(", ") == list(spec.parents) or (
        not spec.parents and "document root" in page.row("Goes inside")
    )
    assert page.row("Children").split("\n", 1)[1].split(", ") == list(spec.children) or (
        not spec.children and page.row("Children") == "Children\nnone"
    )
    assert ("Then" in [r[0] for r in page.rows]) == (spec.kind is Kind.VERB)


@pytest.mark.parametrize("tag", [tag for tag in TAGS if SCHEMA[tag].attributes])
def test_every_attribute_is_on_its_page_with_default_values_and_certainty(tag):
    page = Page(reference_html(tag))
    for attr in SCHEMA[tag].attributes:
        row = page.row(attr.name)
        assert row.startswith(f"{attr.name}\n{attr.type.value}\n{attr.description}")
        default = attr.default if attr.default is not None else "not set"
        assert f"Default: {default}" in row
        assert f"Allowed: {allowed_values(attr)}" in row
        for choice in attr.choices:
            assert choice in row
        if attr.type is Type.INT and attr.minimum is not None:
            assert str(attr.minimum) in row
        if attr.maximum is not None:
            assert str(attr.maximum) in row
        assert row.split("\n")[2].endswith(f" {attr.certainty.value}"), row
    used = {attr.certainty for attr in SCHEMA[tag].attributes}
    for certainty in used:
        assert CERTAINTY_LEGEND[certainty] in page.plain
    for certainty in set(Certainty) - used:
        assert CERTAINTY_LEGEND[certainty] not in page.plain


def test_ranges_choices_and_text_rules_in_words():
    say = Page(reference_html("Say"))
    assert "Default: 1 · Allowed: 0 to 100" in say.row("loop")
    assert "Default: man · Allowed: man, woman, or Polly.<Name>" in say.row("voice")
    assert "1 to 1024 characters" in say.row("Text")
    gather = Page(reference_html("Gather"))
    numdigits = gather.row("numDigits")
    assert SCHEMA["Gather"].attribute("numDigits").description in numdigits
    assert "Default: not set · Allowed: 1 or more" in numdigits
    assert numdigits.endswith("assumed\nDefault: not set · Allowed: 1 or more")
    reject = Page(reference_html("Reject"))
    assert ", ".join(SCHEMA["Reject"].attribute("reason").choices) in reject.row("reason")
    assert "Must be the first verb of the document, or come right after PreAnswer" in (
        reject.row("Position")
    )
    play = Page(reference_html("Play"))
    assert "required unless it has a File child or a digits attribute" in play.row("Text")
    pause = Page(reference_html("Pause"))
    assert 'Only with silence="true"' in pause.row("minSilence")


def test_a_page_without_attributes_says_so():
    assert "Attributes\nNone." in Page(reference_html("File")).plain


def test_descriptions_and_examples_are_escaped():
    say = reference_html("Say")
    assert "Polly.&lt;Name&gt;" in say
    assert "&lt;Say&gt;Hello&lt;/Say&gt;" in say
    spec = ElementSpec(
        "Odd",
        Kind.VERB,
        "Uses <b>tags</b> & ampersands",
        text=TextSpec(allowed=True, description='Text with "quotes" & <angles>'),
        attributes=(
            AttrSpec(
                "pick",
                Type.ENUM,
                "One of <x> & <y>",
                default="a&b",
                choices=("a&b", "<c>"),
                certainty=Certainty.SEEN,
            ),
        ),
    )
    spec.attr_index["pick"] = spec.attributes[0]
    html = element_html(spec)
    for raw in ("<b>tags</b>", "<angles>", "<x>", "<c>", "a&b", " & "):
        assert raw not in html
    for escaped in ("&lt;b&gt;tags&lt;/b&gt;", "&amp; ampersands", "&lt;angles&gt;", "a&amp;b"):
        assert escaped in html
    page = Page(f"<html><body>{html}</body></html>")
    assert "Uses <b>tags</b> & ampersands" in page.plain
    assert set(page.tags) <= KNOWN_TAGS
    assert "Default: a&b · Allowed: a&b, <c>" in page.row("pick")


def test_every_link_lands_on_an_anchor():
    document = Page(reference_document())
    anchors = set(document.anchors)
    assert anchors >= set(TAGS)
    internal = [href for href in document.hrefs if href.startswith("#")]
    assert internal and {href[1:] for href in internal} <= anchors
    assert len(document.anchors) == len(anchors)  # no anchor twice
    for tag in TAGS:
        page = Page(reference_html(tag))
        assert all(href.startswith("#") for href in page.hrefs)
        assert {href[1:] for href in page.hrefs} <= set(SCHEMA)


@pytest.mark.parametrize("tag", TAGS)
def test_each_example_is_flexml_that_lints_clean(tag):
    example = example_text(tag)
    assert f"<{tag}" in example
    assert f"<pre>{escape(example)}</pre>" in reference_html(tag)
    source = example if tag == ROOT else f"<Response>{example}</Response>"
    problems = lint(parse(source.encode()))
    assert not [p for p in problems if p.is_error], problems


def test_examples_show_nouns_in_their_parent_and_containers_with_a_child():
    assert example_text("Number") == "<Dial>\n  <Number>15551234567</Number>\n</Dial>"
    assert example_text("Gather") == "<Gather>\n  <Say>Hello</Say>\n</Gather>"
    assert example_text("Say") == f"<Say>{SCHEMA['Say'].text.example}</Say>"
    assert example_text("Hangup") == "<Hangup/>"


def test_every_mark_and_type_is_explained():
    assert set(CERTAINTY_LEGEND) == set(Certainty)
    assert set(TYPE_VALUES) == set(Type)


def test_an_unknown_element_has_no_page():
    with pytest.raises(KeyError):
        reference_html("Conference")


# -- the elements of CarrierX's later pages ----------------------------------------------------


@pytest.mark.parametrize("tag", ["Store", "Sms", "Start", "Stop", "Connect", "Stream", "Parameter"])
def test_the_later_documented_elements_have_pages(tag):
    page = Page(reference_html(tag))
    assert page.anchors == [tag]
    assert SCHEMA[tag].description in page.plain
    assert tag in TAGS


def test_required_attributes_are_marked():
    store = Page(reference_html("Store")).row("name")
    assert "Required · Default: not set" in store
    parameter = Page(reference_html("Parameter"))
    assert "Required" in parameter.row("name") and "Required" in parameter.row("value")
    stream = Page(reference_html("Stream"))
    assert "Required inside Start or Connect" in stream.row("url")
    assert "Required" not in stream.row("name")
    assert "Not with audio_track: use one" in stream.row("track")
    assert "Not with track: use one" in stream.row("audio_track")
    for tag in SCHEMA:
        for attr in SCHEMA[tag].attributes:
            row = Page(reference_html(tag)).row(attr.name)
            assert ("Required" in row) is attr.required, (tag, attr.name)


def test_what_an_element_needs_and_what_is_not_confirmed():
    assert Page(reference_html("Connect")).row("Needs") == "Needs\nexactly one Stream"
    start = Page(reference_html("Start")).row("Needs")
    assert start == "Needs\nat least one Stream (without one it does nothing)"
    stream = Page(reference_html("Stream")).row("Needs")
    assert stream == "Needs\nname or url inside Stop: else nothing says which stream to stop"
    assert "Needs" not in [r[0] for r in Page(reference_html("Say")).rows]
    dial = Page(reference_html("Dial")).row("Not confirmed")
    assert "record and stream attributes on Dial" in dial
    assert "start with record or stream are kept and exported as written" in dial
    say = Page(reference_html("Say"))
    assert "Lint warns: language is not on CarrierX's Say page" in say.row("language")
    assert "Also seen in CarrierX's samples: female" in say.row("voice")


def test_the_text_of_dial_and_number_takes_sip_uris():
    for tag in ("Dial", "Number"):
        text = Page(reference_html(tag)).row("Text")
        assert "sip:user@host" in text
        assert "trunk group" in text
    assert "1 to 670 characters" in Page(reference_html("Sms")).row("Text")


def test_examples_of_the_stream_elements_nest_as_the_pages_show():
    stream = '<Stream name="myStream" url="wss://example.com/stream"'
    assert example_text("Start") == f"<Start>\n  {stream}/>\n</Start>"
    assert example_text("Connect") == f"<Connect>\n  {stream}/>\n</Connect>"
    assert example_text("Stream") == example_text("Start")
    assert example_text("Parameter") == (
        f'<Start>\n  {stream}>\n    <Parameter name="FirstName" value="John"/>\n'
        "  </Stream>\n</Start>"
    )
    assert example_text("Store") == '<Store name="key1">some_data</Store>'
    assert example_text("Sms") == "<Sms>Thank you for calling</Sms>"


@pytest.mark.parametrize(
    ("tag", "field", "certainty"),
    [
        ("Gather", "Digits", "seen"),
        ("Dial", "DialCallStatus", "assumed"),
        ("Dial", "DialCallDuration", "assumed"),
        ("Record", "RecordingUrl", "seen"),
        ("Amd", "AMDStatus", "doc"),
    ],
)
def test_the_action_requests_fields_are_shown_with_their_evidence(tag, field, certainty):
    from gui.core.flexml.schema import SCHEMA

    (result,) = [r for r in SCHEMA[tag].results if r.name == field]
    assert result.certainty.value == certainty
    html = reference_html(tag)
    section = html[html.index("The action request adds") :]
    row = section[section.index(field) :].split("</tr>")[0]
    assert certainty in row
