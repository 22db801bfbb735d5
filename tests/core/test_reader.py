"""XML in: reader.parse / read_file, forgiving about spelling, strict about safety."""

from __future__ import annotations

import pytest

from gui.core.flexml import reader
from gui.core.flexml.errors import MalformedError, RefusedError, UnreadableError
from gui.core.flexml.tree import COMMENT, Node


def parse(text: str) -> reader.Document:
    return reader.parse(text.encode("utf-8"))


def root_of(text: str) -> Node:
    return parse(text).root


def elements(root: Node) -> list[Node]:
    return [node for node in root.iter() if not node.is_comment]


# --- spelling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "documented"),
    [
        ("HangUp", "Hangup"),
        ("hangup", "Hangup"),
        ("wait", "Wait"),
        ("PAUSE", "Pause"),
        ("say", "Say"),
        ("preanswer", "PreAnswer"),
        ("AMD", "Amd"),
        ("dtmf", "Dtmf"),
        ("SMS", "Sms"),
        ("store", "Store"),
        ("START", "Start"),
        ("stop", "Stop"),
        ("connect", "Connect"),
        ("stream", "Stream"),
        ("PARAMETER", "Parameter"),
    ],
)
def test_element_names_in_any_case_are_normalised(written: str, documented: str):
    node = root_of(f"<Response><{written}/></Response>").child(0)
    assert node.tag == documented
    assert node.spelling == {"": written}


def test_root_in_any_case():
    root = root_of("<response><Hangup/></response>")
    assert root.tag == "Response"
    assert root.spelling == {"": "response"}


def test_documented_spelling_has_no_spelling_note():
    root = root_of('<Response><Pause length="2" minSilence="5" silence="true"/></Response>')
    assert root.spelling is None
    assert root.child(0).spelling is None


def test_attribute_names_in_any_case_are_normalised():
    node = root_of(
        '<Response><pause LENGTH="2" Silence="true" minsilence="300"/></Response>'
    ).child(0)
    assert node.tag == "Pause"
    assert node.attrs == {"length": "2", "silence": "true", "minSilence": "300"}
    assert list(node.attrs) == ["length", "silence", "minSilence"]  # source order
    assert node.spelling == {
        "": "pause",
        "length": "LENGTH",
        "silence": "Silence",
        "minSilence": "minsilence",
    }


def test_the_documented_stream_elements_read_as_written():
    # CarrierX's Parameter page example, and attribute names in other cases.
    root = root_of(
        '<Response><Start><Stream name="myStream" url="wss://example.com" AUDIO_TRACK="both">'
        '<Parameter name="FirstName" value="John"/></Stream></Start>'
        '<Dial RECORD="true" streamUrl="wss://x">sip:alice@example.com</Dial></Response>'
    )
    start, dial = root.children
    stream = start.child(0)
    assert (start.tag, stream.tag, stream.child(0).tag) == ("Start", "Stream", "Parameter")
    assert stream.attrs == {"name": "myStream", "url": "wss://example.com", "audio_track": "both"}
    assert stream.spelling == {"audio_track": "AUDIO_TRACK"}
    assert stream.child(0).attrs == {"name": "FirstName", "value": "John"}
    # Dial's record and stream attributes are not in the schema: kept exactly as written.
    assert dial.attrs == {"RECORD": "true", "streamUrl": "wss://x"}
    assert dial.spelling is None
    assert dial.text == "sip:alice@example.com"


def test_attribute_values_are_kept_as_written():
    node = root_of('<Response><Redirect method="post"> /next </Redirect></Response>').child(0)
    assert node.attrs == {"method": "post"}
    assert node.text == "/next"


def test_attribute_case_uses_the_element_it_is_on():
    # numDigits belongs to Gather, not Say: on Say it stays unknown, as written.
    root = root_of('<Response><Say NUMDIGITS="1">x</Say><Gather NUMDIGITS="1"/></Response>')
    assert root.child(0).attrs == {"NUMDIGITS": "1"}
    assert root.child(0).spelling is None
    assert root.child(1).attrs == {"numDigits": "1"}


# --- unknown things are kept ----------------------------------------------------------------


def test_unknown_elements_and_attributes_are_kept():
    root = root_of(
        '<Response><Conference room="a" Beep="no">Team<Say zz="1">x</Say></Conference>'
        '<Say voice="man" Foo="bar">Hi</Say></Response>'
    )
    conference, say = root.children
    assert conference.tag == "Conference"
    assert conference.attrs == {"room": "a", "Beep": "no"}
    assert conference.text == "Team"
    assert conference.spelling is None
    assert conference.child(0).attrs == {"zz": "1"}
    assert say.attrs == {"voice": "man", "Foo": "bar"}


def test_namespaced_names_lose_the_namespace_and_say_so():
    root = root_of(
        '<Response xmlns:x="urn:x"><x:Say x:voice="woman">Hi</x:Say>'
        '<Say xml:lang="fr">Salut</Say></Response>'
    )
    say, salut = root.children
    assert say.tag == "Say"
    assert say.attrs == {"voice": "woman"}
    assert say.spelling == {"": "{urn:x}Say", "voice": "{urn:x}voice"}
    assert salut.attrs == {"lang": "fr"}
    assert salut.spelling == {"lang": "{http://www.w3.org/XML/1998/namespace}lang"}


def test_two_spellings_of_one_attribute_keep_both_values():
    document = parse('<Response><Say VOICE="woman" voice="man">x</Say></Response>')
    say = document.root.child(0)
    # The one written as documented keeps the name; the other keeps its own spelling.
    assert say.attrs == {"VOICE": "woman", "voice": "man"}
    assert document.notes == []


def test_attribute_that_cannot_be_kept_is_dropped_with_a_note_not_silently():
    document = parse(
        '<Response><Say lang="fr" xml:lang="en">a</Say><Say xml:lang="en" lang="fr">b</Say>'
        '<Say xmlns:p="urn:p" p:voice="woman" voice="man">c</Say></Response>'
    )
    first, second, third = document.root.children
    assert first.attrs == {"lang": "fr"}
    assert second.attrs == {"lang": "fr"}
    assert third.attrs == {"voice": "man"}
    for node in (first, second, third):
        assert node.spelling is None
    messages = [note.message for note in document.notes]
    assert len(messages) == 3
    assert "xml:lang" in messages[0] and "xml:lang" in messages[1]
    assert "p:voice" in messages[2]
    assert {note.code for note in document.notes} == {"dropped-markup"}
    assert [note.line for note in document.notes] == [1, 1, 1]


def test_processing_instructions_inside_are_dropped_with_a_note():
    document = parse('<Response>\n<?php echo "x" ?>\n<Hangup/></Response>')
    assert [node.tag for node in document.root.children] == ["Hangup"]
    assert len(document.notes) == 1
    assert document.notes[0].line == 2
    assert "php" in document.notes[0].message


# --- text ---------------------------------------------------------------------------------


def test_entities_and_character_references_are_resolved():
    say = root_of(
        "<Response><Say>&amp;&lt;&gt;&quot;&apos;&#233;&#xE9;&#x1F600;</Say></Response>"
    ).child(0)
    assert say.text == "&<>\"'éé😀"


def test_entities_in_attributes():
    play = root_of('<Response><Play action="/a?x=1&amp;y=&#50;&#10;">u</Play></Response>')
    assert play.child(0).attrs["action"] == "/a?x=1&y=2\n"


def test_cdata_becomes_text():
    say = root_of("<Response><Say>a <![CDATA[<b> & c]]> d</Say></Response>").child(0)
    assert say.text == "a <b> & c d"
    assert say.child_count() == 0


def test_xml_white_space_at_the_ends_is_stripped_other_spaces_are_content():
    root = root_of(
        "<Response><Say>\r\n\t  hello  \n world \t</Say>"
        "<Say>\u00a0nbsp\u3000</Say><Say> \n </Say></Response>"
    )
    assert root.child(0).text == "hello  \n world"
    assert root.child(1).text == "\u00a0nbsp\u3000"
    assert root.child(2).text is None


def test_mixed_content_text_is_joined_around_comments_and_children():
    say = root_of("<Response><Say>Hello <!-- c --> world</Say></Response>").child(0)
    assert say.text == "Hello  world"
    assert [(c.tag, c.text) for c in say.children] == [(COMMENT, " c ")]


def test_comments_are_kept_verbatim():
    root = root_of("<Response><!--a--><!-- b & <c> --><!----><Hangup/></Response>")
    assert [(c.tag, c.text) for c in root.children] == [
        (COMMENT, "a"),
        (COMMENT, " b & <c> "),
        (COMMENT, None),
        ("Hangup", None),
    ]


def test_undefined_entity_is_malformed():
    with pytest.raises(MalformedError, match="nbsp"):
        parse("<Response><Say>&nbsp;</Say></Response>")


# --- positions --------------------------------------------------------------------------


def positions(root: Node) -> list[tuple[str, int | None, int | None]]:
    return [(node.tag, node.line, node.column) for node in root.iter()]


def test_line_and_column_of_each_start_tag():
    text = (
        '<?xml version="1.0"?>\n'
        "<Response>\n"
        "  <Gather>\n"
        "\t<Say>Hi</Say> <Pause/>\n"
        "  </Gather><!-- c -->\n"
        '    <Dial\n      timeout="5"><Number>1</Number></Dial>\n'
        "</Response>\n"
    )
    assert positions(root_of(text)) == [
        ("Response", 2, 1),
        ("Gather", 3, 3),
        ("Say", 4, 2),
        ("Pause", 4, 16),
        (COMMENT, 5, 12),
        ("Dial", 6, 5),
        ("Number", 7, 19),
    ]


def test_columns_count_characters_not_bytes():
    text = "<Response><Say>é😀お</Say><Pause/>\n<!--ü--><Hangup/></Response>"
    assert positions(root_of(text)) == [
        ("Response", 1, 1),
        ("Say", 1, 11),
        ("Pause", 1, 25),  # 24 characters before it, 28 bytes
        (COMMENT, 2, 1),
        ("Hangup", 2, 9),
    ]


def test_positions_with_byte_order_mark_and_crlf():
    data = b"\xef\xbb\xbf<Response>\r\n  <Say>x</Say>\r\n\t<Hangup/>\r\n</Response>\r\n"
    assert positions(reader.parse(data).root) == [
        ("Response", 1, 1),
        ("Say", 2, 3),
        ("Hangup", 3, 2),
    ]


def test_a_lone_carriage_return_ends_a_line():
    data = b"<Response>\r<Say>x</Say>\r\r  <Hangup/>\r\n<Pause/></Response>"
    assert positions(reader.parse(data).root) == [
        ("Response", 1, 1),
        ("Say", 2, 1),
        ("Hangup", 4, 3),
        ("Pause", 5, 1),
    ]


def test_markup_look_alikes_do_not_shift_positions():
    # "<" inside comments, CDATA, PIs and ">" in attribute values are not start tags.
    text = (
        "<Response>\n"
        "<!-- <Say> <![CDATA[ <?pi -->\n"
        "<Say a='>'><![CDATA[<Play><!--]]></Say>\n"
        "<?pi <Pause> ?><Hangup/>\n"
        "</Response>"
    )
    assert positions(root_of(text)) == [
        ("Response", 1, 1),
        (COMMENT, 2, 1),
        ("Say", 3, 1),
        ("Hangup", 4, 16),
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_positions_in_utf16_and_utf32(codec: str):
    encoding = "UTF-32" if "32" in codec else "UTF-16"
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        "<Response>\n  <Say>é</Say><Hangup/>\n</Response>"
    )
    root = reader.parse(text.encode(codec)).root
    assert positions(root) == [("Response", 2, 1), ("Say", 3, 3), ("Hangup", 3, 15)]
    assert root.child(0).text == "é"


def test_positions_in_a_declared_single_byte_encoding():
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<Response><Say>éé</Say><Pause/></Response>'
    root = reader.parse(text.encode("latin-1")).root
    assert root.child(0).text == "éé"
    assert positions(root) == [("Response", 2, 1), ("Say", 2, 11), ("Pause", 2, 24)]


def test_positions_after_many_comments_with_cdata_look_alikes():
    body = "<!--<![CDATA[-->\n" * 2000
    root = root_of(f"<Response>\n{body}<Hangup/></Response>")
    assert root.child_count() == 2001
    assert positions(root)[-1] == ("Hangup", 2002, 1)


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prolog",
    [
        "<!DOCTYPE Response>",
        '<!DOCTYPE Response SYSTEM "flexml.dtd">',
        '<!DOCTYPE Response PUBLIC "-//X//DTD X//EN" "http://127.0.0.1:9/x.dtd">',
        '<!DOCTYPE Response [<!ENTITY who "world">]>',
        '<?xml version="1.0"?>\n<!-- c --><?pi x?>\n  <!DOCTYPE Response [<!ELEMENT R ANY>]>',
        "\ufeff<!DOCTYPE Response>",
    ],
)
def test_doctype_is_refused_with_a_message(prolog: str):
    with pytest.raises(RefusedError, match="DOCTYPE") as info:
        parse(prolog + "<Response><Say>&who;</Say></Response>")
    assert "refused" in str(info.value)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32-le"])
def test_doctype_is_refused_in_utf16_and_utf32(codec: str):
    encoding = "UTF-32" if "32" in codec else "UTF-16"
    text = f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE Response><Response/>'
    with pytest.raises(RefusedError, match="DOCTYPE"):
        reader.parse(text.encode(codec))


def test_nesting_of_64_levels_is_read_65_is_refused():
    def nested(levels: int) -> bytes:
        inner = levels - 1
        return b"<Response>" + b"<Gather>" * inner + b"</Gather>" * inner + b"</Response>"

    root = reader.parse(nested(64)).root
    depth = 1
    node = root
    while node.child_count():
        node = node.child(0)
        depth += 1
    assert depth == 64
    with pytest.raises(RefusedError, match="64 levels"):
        reader.parse(nested(65))


def test_size_limit_is_five_mebibytes():
    head, tail = b"<Response><!--", b"--><Hangup/></Response>"
    exactly = head + b"x" * (reader.MAX_BYTES - len(head) - len(tail)) + tail
    assert len(exactly) == 5 * 1024 * 1024
    assert reader.parse(exactly).root.child(1).tag == "Hangup"
    with pytest.raises(RefusedError, match="5 MiB"):
        reader.parse(exactly + b" ")


def test_read_file_refuses_a_large_file(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<Response>" + b" " * reader.MAX_BYTES + b"</Response>")
    with pytest.raises(RefusedError, match=r"5\.0 MiB; files over 5 MiB are refused"):
        reader.read_file(path)


@pytest.mark.parametrize("data", [b"", b"   \n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n"])
def test_empty_documents_are_malformed(data: bytes):
    with pytest.raises(MalformedError, match="empty"):
        reader.parse(data)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("<Response>\n  <Say>x</Sya>\n</Response>", 2, "mismatch"),
        ("<Response>\n<Say a=1/></Response>", 2, "AttValue"),
        ("<Response><Say>", 1, "Premature end"),
        ("<Response/><Response/>", 1, "Extra content"),
        ("just text", 1, "Start tag expected"),
    ],
)
def test_malformed_xml_has_a_message_and_a_position(text: str, line: int, fragment: str):
    with pytest.raises(MalformedError) as info:
        parse(text)
    error = info.value
    assert error.message.startswith("not well-formed XML: ")
    assert fragment.lower() in error.message.lower()
    assert error.line == line
    assert error.column is not None


def test_read_file_reads_a_flow(tmp_path):
    path = tmp_path / "flow.xml"
    path.write_bytes(b'<Response>\n  <say VOICE="woman">Hi</say>\n</Response>\n')
    document = reader.read_file(path)
    say = document.root.child(0)
    assert (say.tag, say.attrs, say.text, say.line, say.column) == (
        "Say",
        {"voice": "woman"},
        "Hi",
        2,
        3,
    )


def test_read_file_errors_name_the_problem(tmp_path):
    with pytest.raises(UnreadableError, match="does not exist"):
        reader.read_file(tmp_path / "missing.xml")
    with pytest.raises(UnreadableError, match="folder"):
        reader.read_file(tmp_path)
