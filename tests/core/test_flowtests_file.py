"""Flow tests in the project file and in the model: the documented syntax, byte-for-byte round
trips, places for lint, what cannot be understood reported (an <expect> that makes no
expectation kept as written, for lint to call an error; never the file), and
the project's test methods with their announcements and rewritten references."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.core.flexml import RefusedError
from gui.core.flowtests.model import (
    Expectation,
    FlowTest,
    check_name,
    clean_name,
    read_expectation,
)
from gui.core.project import Project, ProjectChangeKind
from gui.core.project_file import read_project
from gui.core.switches import MatchKind, Switch, make_case

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<flexml-project format="1" entry="menu">\n'
MENU = (
    '  <flow name="menu">\n'
    "    <Response>\n"
    '      <Gather action="flow:route" numDigits="1">\n'
    "        <Say>Press 1 for sales</Say>\n"
    "      </Gather>\n"
    "    </Response>\n"
    "  </flow>\n"
    '  <flow name="sales">\n'
    "    <Response>\n"
    "      <Say>Sales</Say>\n"
    "      <Hangup/>\n"
    "    </Response>\n"
    "  </flow>\n"
)
ROUTE = (
    '  <switch name="route" on="Digits">\n'
    '    <case value="1" goto="sales"/>\n'
    '    <otherwise goto="menu"/>\n'
    "  </switch>\n"
)
# Every attribute of <test>, every kind of expectation, not="true".
EVERYTHING = (
    '  <test name="sales path" flow="menu" digits="1w#" from="15162060001" to="15162060002"'
    ' at="2026-12-07T10:00" tz="America/New_York" dial="busy,answered:30" amd="machine"'
    ' record="silence,10" order="any">\n'
    '    <expect say="Press 1"/>\n'
    '    <expect play="hold.mp3"/>\n'
    '    <expect flow="route"/>\n'
    '    <expect dial="15162065300"/>\n'
    '    <expect verb="Gather"/>\n'
    '    <expect digits="1"/>\n'
    '    <expect store="caller=vip"/>\n'
    '    <expect end="hangup"/>\n'
    '    <expect status="completed"/>\n'
    '    <expect flow="support" not="true"/>\n'
    "  </test>\n"
)
BARE = '  <test name="bare"/>\n'
TAIL = "</flexml-project>\n"


def text_of(*parts: str) -> str:
    return HEAD + "".join(parts) + TAIL


def load_text(text: str) -> Project:
    return Project.from_contents(read_project(text.encode()))


def test_every_attribute_and_kind_reads_and_writes_back_byte_for_byte():
    text = text_of(MENU, ROUTE, EVERYTHING, BARE)
    contents = read_project(text.encode())
    assert contents.notes == []
    test = contents.tests["sales path"]
    assert (test.flow, test.digits, test.from_number, test.to_number) == (
        "menu",
        "1w#",
        "15162060001",
        "15162060002",
    )
    assert (test.at, test.tz, test.dial, test.amd, test.record, test.order) == (
        "2026-12-07T10:00",
        "America/New_York",
        "busy,answered:30",
        "machine",
        "silence,10",
        "any",
    )
    assert not test.ordered
    assert [(e.kind, e.value, e.negated) for e in test.expectations] == [
        ("say", "Press 1", False),
        ("play", "hold.mp3", False),
        ("flow", "route", False),
        ("dial", "15162065300", False),
        ("verb", "Gather", False),
        ("digits", "1", False),
        ("store", "caller=vip", False),
        ("end", "hangup", False),
        ("status", "completed", False),
        ("flow", "support", True),
    ]
    assert contents.tests["bare"] == FlowTest("bare")
    project = Project.from_contents(contents)
    assert project.test_names == ["sales path", "bare"]
    assert project.to_text() == text
    assert load_text(project.to_text()).to_text() == text


def test_tests_are_written_after_the_switches_wherever_they_were():
    text = text_of(BARE, MENU, EVERYTHING, ROUTE)
    assert load_text(text).to_text() == text_of(MENU, ROUTE, BARE, EVERYTHING)


def test_a_project_without_tests_reads_and_writes_as_before():
    text = text_of(MENU, ROUTE)
    contents = read_project(text.encode())
    assert contents.tests == {} and contents.notes == []
    project = load_text(text)
    assert project.tests == {} and project.lint_tests() == {}
    assert project.to_text() == text


def test_values_that_need_escaping_round_trip():
    test = FlowTest(
        'say "hi" & <bye>',
        flow="menu",
        expectations=(Expectation("say", 'a "quoted" <b> & c'),),
    )
    project = load_text(text_of(MENU))
    project.add_test(test)
    again = load_text(project.to_text())
    assert again.test('say "hi" & <bye>') == test
    assert again.to_text() == project.to_text()


def test_tests_and_expectations_know_their_place_in_the_file():
    text = text_of(MENU, ROUTE, EVERYTHING)
    test = load_text(text).test("sales path")
    lines = text.splitlines()
    assert lines[test.line - 1].startswith("  <test name=")
    assert test.column == 3
    for expectation in test.expectations:
        assert lines[expectation.line - 1].strip().startswith(f"<expect {expectation.kind}=")
        assert expectation.column == 5
    # Places are not compared: a test made since equals the one read.
    assert test == FlowTest(**{**test.__dict__, "line": None, "column": None})


UNREADABLE = [
    ('<expect sya="Sales"/>', "it has no attribute sya"),
    ("<expect/>", "it has none"),
    ('<expect say="a" flow="menu"/>', "it has say and flow"),
    ('<expect say="a" not="maybe"/>', "not='maybe' is neither true nor false"),
    ('<expect flow="sales" not="yes"/>', "not='yes' is neither true nor false"),
    ('<expect flow="sales" not="TRUE"/>', "(write it in lower case)"),
    ('<expect not="true"/>', "it has none"),
]


@pytest.mark.parametrize(("expect", "words"), UNREADABLE)
def test_an_expect_that_makes_no_expectation_is_kept_as_written_and_an_error(expect, words):
    text = text_of(
        MENU,
        '  <test name="t" flow="menu">\n'
        '    <expect say="Press"/>\n'
        f"    {expect}\n"
        '    <expect end="hangup"/>\n'
        "  </test>\n",
    )
    contents = read_project(text.encode())
    assert contents.notes == []  # nothing was repaired or skipped
    test = contents.tests["t"]
    assert [e.kind for e in test.expectations] == ["say", "", "end"]
    kept = test.expectations[1]
    assert kept.describe() == expect
    project = Project.from_contents(contents)
    assert project.to_text() == text  # written back byte for byte
    (problem,) = project.lint_tests()["t"]
    assert (problem.severity.value, problem.code, problem.path) == (
        "error",
        "test-bad-expectation",
        "expect 2",
    )
    assert problem.message.startswith(f"expect 2: {expect}: ") and words in problem.message
    assert (problem.line, problem.column) == (text.splitlines().index(f"    {expect}") + 1, 5)


def test_not_is_true_or_false_in_lower_case_as_flexml_booleans():
    # FlexML's lint refuses "True" for a boolean attribute; an expectation's not does too.
    assert read_expectation([("flow", "x"), ("not", "true")]) == Expectation("flow", "x", True)
    assert read_expectation([("not", "false"), ("say", "x")]) == Expectation("say", "x")
    for word in ("TRUE", "True", "FALSE", "yes", "1", ""):
        with pytest.raises(ValueError, match="neither true nor false"):
            read_expectation([("flow", "x"), ("not", word)])


def test_a_kept_expect_follows_a_renamed_flow_and_cannot_be_made_of_what_a_file_cannot_hold():
    text = text_of(
        MENU,
        '  <test name="t" flow="menu">\n    <expect flow="sales" not="yes"/>\n  </test>\n',
    )
    project = load_text(text)
    project.rename_flow("sales", "sales-desk")
    (kept,) = project.test("t").expectations
    assert kept.written == (("flow", "sales-desk"), ("not", "yes"))
    assert '<expect flow="sales-desk" not="yes"/>' in project.to_text()
    with pytest.raises(ValueError, match="cannot hold"):
        Expectation.unreadable([("sya", "a\x0bb")])
    with pytest.raises(ValueError, match="not a valid XML attribute name"):
        Expectation.unreadable([("a b", "x")])


def test_an_attribute_in_a_namespace_is_dropped_with_a_note_not_a_crash():
    text = text_of(
        MENU,
        '  <test name="t" flow="menu" xml:lang="en" xmlns:q="urn:q">\n'
        '    <expect q:say="a" say="b"/>\n'
        "  </test>\n",
    )
    contents = read_project(text.encode())
    assert [n.message for n in contents.notes] == [
        "the attribute lang (of the namespace http://www.w3.org/XML/1998/namespace) of <test> "
        "was dropped",
        "the attribute say (of the namespace urn:q) of <expect> was dropped",
    ]
    assert contents.tests["t"].expectations == (Expectation("say", "b"),)
    assert contents.tests["t"].extra == {}


def test_everything_else_wrong_in_a_test_is_noted_and_the_rest_kept():
    text = text_of(
        MENU,
        '  <test name="t" flow="menu" colour="blue">\n'
        "    words\n"
        '    <expect say="Press">content</expect>\n'
        "    <check/>\n"
        "  </test>\n"
        '  <test flow="menu"/>\n'
        '  <test name="t"/>\n'
        '  <test name="  spaced   out  "/>\n',
    )
    contents = read_project(text.encode())
    messages = [n.message for n in contents.notes]
    assert any("does not know (colour); they were kept" in m for m in messages)
    assert any("the text in <test> was ignored" in m for m in messages)
    assert any("the content of an <expect> was ignored" in m for m in messages)
    assert any("an unknown <check> element was skipped" in m for m in messages)
    assert any("the test named '' was renamed to 'test'" in m for m in messages)
    assert any("the test named 't' was renamed to 't (2)'" in m for m in messages)
    assert any("renamed to 'spaced out'" in m for m in messages)
    assert list(contents.tests) == ["t", "test", "t (2)", "spaced out"]
    assert contents.tests["t"].extra == {"colour": "blue"}
    project = Project.from_contents(contents)
    # The unknown attribute is written back, after the known ones.
    assert '<test name="t" flow="menu" colour="blue">' in project.to_text()


def test_more_tests_than_the_limit_are_refused_before_reading(monkeypatch):
    import gui.core.project_file as project_file

    monkeypatch.setattr(project_file, "MAX_TESTS", 2)
    with pytest.raises(RefusedError, match="3 tests; more than 2 are refused"):
        read_project(text_of(MENU, BARE, BARE, BARE).encode())


def test_test_names_are_free_text_of_one_line():
    assert check_name("sales path: 1, then # (again)") == "sales path: 1, then # (again)"
    for bad in ("", "   ", " padded", "two\nlines", "x" * 201):
        with pytest.raises(ValueError):
            check_name(bad)


# -- the project's methods ---------------------------------------------------------------------


@pytest.fixture
def project() -> Project:
    project = load_text(text_of(MENU, ROUTE))
    project.add_test(
        FlowTest("sales", "route", "1", (Expectation("flow", "sales"), Expectation("say", "x")))
    )
    project.add_test(FlowTest("menu", "menu", expectations=(Expectation("flow", "route"),)))
    return project


def test_add_remove_and_replace_are_announced_before_and_after_with_what_undo_needs(project):
    seen = []
    project.about_to_change.connect(lambda c: seen.append(("before", c, project.test_names)))
    project.changed.connect(lambda c: seen.append(("after", c, project.test_names)))
    first = FlowTest("first")
    project.add_test(first, 0)
    old = project.test("menu")
    edited = FlowTest("menu, edited", "menu")
    project.replace_test(edited, "menu")
    removed = project.remove_test("sales")
    kinds = [(when, c.kind, c.name, c.index) for when, c, _ in seen]
    assert kinds == [
        ("before", ProjectChangeKind.TEST_ADDED, "first", 0),
        ("after", ProjectChangeKind.TEST_ADDED, "first", 0),
        ("before", ProjectChangeKind.TEST_CHANGED, "menu", 2),
        ("after", ProjectChangeKind.TEST_CHANGED, "menu", 2),
        ("before", ProjectChangeKind.TEST_REMOVED, "sales", 1),
        ("after", ProjectChangeKind.TEST_REMOVED, "sales", 1),
    ]
    assert seen[0][1].test is first
    change = seen[2][1]
    assert (change.new_name, change.test, change.old_test) == ("menu, edited", edited, old)
    assert seen[2][2] == ["first", "sales", "menu"] and seen[3][2] == [
        "first",
        "sales",
        "menu, edited",
    ]
    assert seen[4][1].test is removed
    assert project.test_names == ["first", "menu, edited"]


def test_names_are_unique_among_tests_only(project):
    with pytest.raises(ValueError, match="already has a test named 'sales'"):
        project.add_test(FlowTest("sales"))
    with pytest.raises(ValueError, match="already has a test named 'menu'"):
        project.replace_test(FlowTest("menu"), "sales")
    with pytest.raises(ValueError, match="needs a name"):
        project.add_test(FlowTest(""))
    with pytest.raises(KeyError):
        project.replace_test(FlowTest("nobody"))
    assert project.test_names == ["sales", "menu"]  # a test may share a flow's name


def test_renaming_a_flow_or_switch_rewrites_the_tests_that_name_it(project):
    changed = []
    project.changed.connect(lambda c: changed.append(c.kind))
    project.rename_flow("sales", "sales-desk")
    project.rename_switch("route", "router")
    sales = project.test("sales")
    assert sales.flow == "router"
    assert sales.expectations == (Expectation("flow", "sales-desk"), Expectation("say", "x"))
    assert project.test("menu").expectations == (Expectation("flow", "router"),)
    assert changed.count(ProjectChangeKind.TEST_CHANGED) == 3
    # A rename without updating references leaves the tests, and lint says so.
    project.rename_flow("menu", "start", update_references=False)
    assert project.test("menu").flow == "menu"
    assert [p.code for p in project.lint_tests()["menu"]] == ["test-unknown-flow"]


def test_switches_and_tests_stay_apart_from_flows_in_lint():
    project = load_text(text_of(MENU, ROUTE))
    project.add_switch(Switch("check", "From", (make_case(MatchKind.PREFIX, "1", "sales"),)))
    project.add_test(FlowTest("sales", "check"))
    assert set(project.lint()) == {"menu", "sales", "route", "check"}
    assert list(project.lint_tests()) == ["sales"]


def test_expectations_past_the_limit_are_skipped_with_one_note(monkeypatch):
    import gui.core.flowtests.test_file as test_file

    monkeypatch.setattr(test_file, "MAX_EXPECTATIONS", 2)
    expects = "".join(f'    <expect say="{n}"/>\n' for n in range(5))
    contents = read_project(text_of(MENU, f'  <test name="long">\n{expects}  </test>\n').encode())
    assert [e.value for e in contents.tests["long"].expectations] == ["0", "1"]
    (note,) = contents.notes
    assert "more than 2 <expect> elements; the rest were skipped" in note.message


# -- what a project file cannot hold ----------------------------------------------------------

# Characters XML 1.0 cannot hold: control characters, a lone surrogate, U+FFFE.
NOT_XML = ["\x0b", "\x07", "\x00", "\x1b", "\ud800", "\udce9", "\ufffe", "\uffff"]


@pytest.mark.parametrize("bad", NOT_XML)
def test_a_test_name_a_project_file_cannot_hold_is_refused(bad):
    name = f"sales{bad}path"
    with pytest.raises(ValueError, match=f"U\\+{ord(bad):04X}, which a project file cannot hold"):
        check_name(name)
    project = load_text(text_of(MENU))
    before = project.to_text()
    with pytest.raises(ValueError, match="cannot hold"):
        project.add_test(FlowTest(name, "menu", expectations=(Expectation("say", "x"),)))
    # Nor can a test holding it be made otherwise, so no project holds one to write.
    with pytest.raises(ValueError, match="cannot hold"):
        replace(FlowTest("fine"), name=name)
    assert project.tests == {} and project.to_text() == before
    # A name made from such text leaves the character out.
    cleaned = clean_name(f" sales{bad}\u2028path ")
    assert check_name(cleaned) == cleaned


@pytest.mark.parametrize(
    "setting", ["flow", "digits", "from_number", "to_number", "at", "tz", "dial", "amd", "record"]
)
def test_every_value_of_a_test_a_project_file_cannot_hold_is_refused(setting):
    with pytest.raises(ValueError, match=r"test 't': \w+ holds the character U\+0007"):
        FlowTest("t", **{setting: "1\x07"})
    with pytest.raises(ValueError, match="U\\+000B"):
        FlowTest("t", extra={"colour": "blue\x0b"})
    with pytest.raises(ValueError, match="not a valid XML attribute name"):
        FlowTest("t", extra={"col our": "blue"})
    with pytest.raises(ValueError, match="no unknown attribute"):
        FlowTest("t", extra={"name": "other"})  # it would be written twice
    for kind in ("say", "dial", "store"):
        with pytest.raises(ValueError, match=f"expect {kind}=.* holds the character U\\+000B"):
            Expectation(kind, "For\x0bsales")
    with pytest.raises(ValueError, match="no kind of expectation"):
        Expectation("bogus", "x")


def test_what_a_file_holds_still_reads_and_round_trips():
    # Line and paragraph separators, a tab, NEL and non-BMP characters are XML characters.
    text = text_of(
        MENU,
        '  <test name="odd &#x2028;one &#x85;" flow="menu" digits="1" zz="a&#9;b">\n'
        '    <expect say="a&#10;b&#13;c&#9;d &#x1F600;"/>\n'
        "  </test>\n",
    )
    project = load_text(text)
    (test,) = project.tests.values()
    assert test.name == "odd one"  # renamed to one line, as before
    assert test.expectations[0].value == "a\nb\rc\td \U0001f600"
    assert load_text(project.to_text()).to_text() == project.to_text()


def test_a_name_accepted_reads_back_as_it_was_written():
    for bad in ("a  b", "a\u2028b", "a\u00a0b", "tab\there"):
        with pytest.raises(ValueError, match="spaces in a row or line breaks"):
            check_name(bad)
    project = load_text(text_of(MENU))
    for name in ("sales: 1, then #", "café ☎", "x" * 200):
        project.add_test(FlowTest(name, "menu"))
    assert load_text(project.to_text()).test_names == project.test_names


# -- many tests --------------------------------------------------------------------------------


def test_twenty_thousand_unnamed_tests_read_in_linear_time():
    import time

    began = time.perf_counter()
    contents = read_project(text_of(MENU, "<test/>" * 20_000).encode())
    assert time.perf_counter() - began < 5.0  # quadratic took 211 s; linear takes ~1.5 s
    names = list(contents.tests)
    assert names[:3] == ["test", "test (2)", "test (3)"] and names[-1] == "test (20000)"


def test_renamed_tests_take_the_next_free_number_of_their_name():
    parts = ['  <test name="t (2)"/>\n', '  <test name="t"/>\n', *['  <test name="t"/>\n'] * 3]
    parts.append('  <test name="t (4)"/>\n')
    contents = read_project(text_of(MENU, *parts).encode())
    assert list(contents.tests) == ["t (2)", "t", "t (3)", "t (4)", "t (5)", "t (4) (2)"]


def test_a_kept_expect_is_shown_as_the_file_holds_it():
    """A report shows an <expect> that cannot be read escaped as in the file, so what it
    shows can be searched for there (and pasted back)."""
    written = (("sya", 'For & sales <x> "q"'),)
    expectation = Expectation(kind="", value="", written=written)
    shown = '<expect sya="For &amp; sales &lt;x&gt; &quot;q&quot;"/>'
    assert expectation.describe() == expectation.as_written() == shown
