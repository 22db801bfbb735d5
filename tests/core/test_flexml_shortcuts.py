"""What the FlexML core does to be fast must not change what it finds or writes.

Lint remembers values its quick tests accepted, the writer remembers start tags it wrote,
and a leaf read from a file shares the empty tuple for its children. Each test here edits
after such a shortcut was taken and checks the new result.
"""

from __future__ import annotations

import sys

from gui.core.flexml import Document, Node, lint, parse, to_bytes, to_text
from gui.core.flexml.tree import COMMENT

# The package exports the functions under the modules' names: reach the modules.
LINT = sys.modules["gui.core.flexml.lint"]
WRITER = sys.modules["gui.core.flexml.writer"]


def _codes(doc: Document) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in lint(doc)]


# -- lint: remembered values --------------------------------------------------------------


def test_a_value_lint_accepted_before_does_not_hide_a_bad_one_set_after():
    doc = parse(b'<Response><Say loop="2">Hi</Say><Say loop="2">Ho</Say></Response>')
    assert lint(doc) == []
    assert lint(doc) == []  # the second run takes "2" from what it remembers
    second = doc.root.child(1)
    doc.set_attribute(second, "loop", "200")
    problems = lint(doc)
    assert [(p.code, p.path, p.line) for p in problems] == [("out-of-range", "/Response/Say[2]", 1)]
    assert problems[0].message == "Say loop: '200' is out of range: allowed 0 to 100"
    doc.set_attribute(second, "loop", "2")
    assert lint(doc) == []


def test_remembered_values_are_per_attribute():
    # "woman" accepted for Say voice is no number for Say loop.
    doc = parse(b'<Response><Say voice="woman">Hi</Say></Response>')
    assert lint(doc) == []
    doc.set_attribute(doc.root.child(0), "loop", "woman")
    assert [p.code for p in lint(doc)] == ["invalid-int"]


def test_remembered_text_does_not_hide_bad_text_set_after():
    doc = parse(b"<Response><Play>https://example.com/a.wav</Play></Response>")
    assert lint(doc) == []
    play = doc.root.child(0)
    doc.set_text(play, "ftp://example.com/a.wav")
    assert [p.code for p in lint(doc)] == ["invalid-url"]
    doc.set_text(play, "https://example.com/a.wav")
    assert lint(doc) == []


def test_many_different_values_fill_the_memory_and_lint_still_checks_each():
    limit = LINT._MEMO_LIMIT
    says = "".join(
        f'<Play loop="{i % 100}">https://e.com/{i}.wav</Play>' for i in range(limit + 50)
    )
    bad = '<Play loop="1">https://e.com/x y.wav</Play><Play loop="-1">https://e.com/z.wav</Play>'
    doc = parse(f"<Response>{says}{bad}</Response>".encode())
    problems = lint(doc)
    assert [(p.code, p.path) for p in problems] == [
        ("url-with-spaces", f"/Response/Play[{limit + 51}]"),
        ("out-of-range", f"/Response/Play[{limit + 52}]"),
    ]
    rules = LINT._RULES["Play"]
    assert len(rules.text_memo) <= limit
    assert all(len(memo) <= limit for memo in rules.accepted.values())


def test_flow_references_are_checked_against_each_runs_flow_names():
    # A quick test never accepts flow:NAME, so what lint remembers cannot depend on them.
    doc = parse(b"<Response><Play>flow:menu</Play><Redirect>flow:menu</Redirect></Response>")
    assert lint(doc, flow_names={"menu"}) == []
    assert [p.code for p in lint(doc, flow_names={"other"})] == ["unknown-flow", "unknown-flow"]
    assert lint(doc, flow_names={"menu"}) == []


def test_lint_of_a_subtree_still_checks_where_its_top_stands():
    doc = parse(b"<Response><Gather><Dial>15551234567</Dial></Gather></Response>")
    dial = doc.root.child(0).child(0)
    # (it is no <Response>, so that comes first)
    assert [p.code for p in lint(dial)] == ["wrong-root", "misplaced-element"]
    assert "misplaced-element" in [p.code for p in lint(doc)]


def test_reader_notes_keep_their_place_among_the_problems():
    # Notes go before the first node from their line on (the walk that places them is
    # apart from the fast one): a dropped processing instruction on line 3.
    source = b"<Response>\n<Say>Hi</Say>\n<?pi x?><Say loop='x'>Ho</Say>\n<Hangup/>\n</Response>"
    doc = parse(source)
    assert [(p.code, p.line) for p in lint(doc)] == [("dropped-markup", 3), ("invalid-int", 3)]


# -- writer: remembered start tags --------------------------------------------------------


def test_an_attribute_changed_after_an_export_is_written_new():
    doc = parse(b'<Response><Say voice="woman" loop="2">Hi</Say><Say loop="2">Ho</Say></Response>')
    first = to_bytes(doc.root)
    assert b'<Say voice="woman" loop="2">Hi</Say>' in first
    doc.set_attribute(doc.root.child(0), "loop", 'a "quoted" & <odd>\tvalue')
    doc.set_attribute(doc.root.child(1), "voice", "man", position=0)
    text = to_text(doc.root)
    assert '<Say voice="woman" loop="a &quot;quoted&quot; &amp; &lt;odd&gt;&#9;value">' in text
    assert '<Say voice="man" loop="2">Ho</Say>' in text
    doc.set_attribute(doc.root.child(0), "loop", "2")
    assert to_bytes(doc.root).replace(b'voice="man" ', b"") == first


def test_attributes_in_any_order_are_written_in_schema_order_each_time():
    a = parse(b'<Response><Say loop="2" voice="woman">A</Say></Response>')
    b = parse(b'<Response><Say voice="woman" loop="2">A</Say></Response>')
    assert to_bytes(a.root) == to_bytes(b.root)
    assert b'<Say voice="woman" loop="2">A</Say>' in to_bytes(a.root)


def test_base_url_resolves_references_even_after_a_plain_export():
    doc = parse(b'<Response><Gather action="flow:menu"><Say>Hi</Say></Gather></Response>')
    assert b'action="flow:menu"' in to_bytes(doc.root)
    resolved = to_bytes(doc.root, base_url="http://127.0.0.1:8000")
    assert b'action="http://127.0.0.1:8000/flows/menu"' in resolved
    assert b'action="flow:menu"' in to_bytes(doc.root)


def test_the_start_tag_memory_is_bounded_and_clearing_it_changes_nothing():
    limit = WRITER._START_CACHE_LIMIT
    plays = "".join(f'<Play loop="{i % 100}" digits="{i}"/>' for i in range(limit + 10))
    doc = parse(f"<Response>{plays}</Response>".encode())
    first = to_bytes(doc.root)
    assert len(WRITER._START_CACHE) <= limit
    WRITER._START_CACHE.clear()
    assert to_bytes(doc.root) == first
    assert f'<Play loop="{(limit + 9) % 100}" digits="{limit + 9}"/>'.encode() in first


# -- the tree: leaves read from a file ----------------------------------------------------


def test_a_leaf_read_from_a_file_takes_children_inserted_and_moved_into_it():
    doc = parse(b"<Response><Gather/><Say>Hi</Say><Pause/></Response>")
    gather, say, pause = doc.root.children
    assert gather.children == () and gather.child_count() == 0
    doc.insert(gather, 0, Node("Say", text="Press 1"))
    doc.move(doc.root, 2, gather, 1)  # the Pause, into the Gather
    assert [c.tag for c in gather.children] == ["Say", "Pause"]
    assert pause.parent is gather and pause.index() == 1
    assert pause.path() == "/Response/Gather[1]/Pause[1]"
    doc.insert(say, 0, Node(COMMENT, text=" note "))  # a leaf with text: mixed content
    assert (
        to_text(doc.root, compact=True)
        == '<?xml version="1.0" encoding="UTF-8"?><Response><Gather><Say>Press 1</Say>'
        "<Pause/></Gather><Say>Hi<!-- note --></Say></Response>\n"
    )
    removed = doc.remove(gather, 0)
    assert removed.parent is None and [c.tag for c in gather.children] == ["Pause"]


def test_copies_and_comparisons_of_leaves_read_from_a_file():
    doc = parse(b"<Response><Hangup/></Response>")
    hangup = doc.root.child(0)
    clone = hangup.copy()
    assert clone.same_as(hangup) and hangup.same_as(Node("Hangup"))
    assert list(doc.root.iter()) == [doc.root, hangup]
    assert doc.root.copy().same_as(doc.root)


# -- what the memos hold ------------------------------------------------------------------


def test_long_values_are_checked_each_time_not_remembered():
    # Memos bounded by count alone held 300 MB after 300 flows with 1 MB URLs.
    long_url = "https://example.com/" + "a" * 1_000_000
    doc = parse(
        b'<Response><Gather action="https://example.com/short"><Say>Hi</Say></Gather>'
        b"<Play>" + long_url.encode() + b"</Play>"
        b'<Redirect method="POST">https://example.com/next</Redirect></Response>'
    )
    doc.set_attribute(doc.root.child(0), "action", long_url)
    assert lint(doc) == []
    assert long_url not in LINT._RULES["Play"].text_memo
    assert long_url not in LINT._RULES["Gather"].accepted["action"]
    assert "https://example.com/next" in LINT._RULES["Redirect"].text_memo
    text = to_text(doc.root)
    assert long_url in text
    assert not any(long_url in start for start in WRITER._START_CACHE.values())
    assert any(key[0] == "Redirect" for key in WRITER._START_CACHE)


def test_a_full_memo_starts_again_and_keeps_remembering():
    memo = LINT._RULES["Say"].accepted["voice"]
    memo.clear()
    for i in range(LINT._MEMO_LIMIT + 5):
        LINT._remember(memo, f"v{i}")
    assert len(memo) == 5 and f"v{LINT._MEMO_LIMIT + 4}" in memo


def test_a_tree_deeper_than_the_stack_is_linted():
    # An edited tree has no depth limit (the reader refuses past MAX_DEPTH): lint walks it
    # with a stack of its own (was: RecursionError at about 1,000 levels).
    inner = Node("Say", text="Hi")
    for _ in range(3000):
        inner = Node("Gather", {"action": "https://example.com/a"}, children=[inner])
    doc = Document(Node("Response", children=[inner]))
    problems = lint(doc)
    assert {p.code for p in problems} == {"misplaced-element"} and len(problems) == 2999
