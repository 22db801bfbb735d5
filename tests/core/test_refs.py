"""flow:NAME references: flow names, resolution on export, and lint of missing flows."""

import pytest

from gui.core.flexml import Severity, parse
from gui.core.flexml.refs import (
    flow_url,
    is_valid_name,
    reference_target,
    resolver,
    slugify,
    unique_name,
)
from gui.core.project import Project, references


def _project(**flows: bytes) -> Project:
    project = Project()
    for name, xml in flows.items():
        project.add_flow(name, parse(xml))
    return project


# -- flow names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["main", "a", "7", "main-menu", "main_menu", "menu2", "a" * 64, "x-1_y"]
)
def test_valid_flow_names(name):
    assert is_valid_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Main",
        "main menu",
        "-main",
        "main-",
        "_main",
        "main_",
        "a" * 65,
        "menü",
        "a/b",
        "a.b",
        "main\n",
        "flow:main",
    ],
)
def test_invalid_flow_names(name):
    assert not is_valid_name(name)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("menu", "menu"),
        ("Main Menu", "main-menu"),
        ("  Main   Menu  ", "main-menu"),
        ("Ménü Prïncipal", "menu-principal"),
        ("a--b", "a-b"),
        ("a__b", "a__b"),
        ("--x--", "x"),
        ("v1.2 final", "v1-2-final"),
        ("日本語", "flow"),
        ("", "flow"),
        ("...", "flow"),
    ],
)
def test_slugify_makes_valid_names(text, slug):
    assert slugify(text) == slug
    assert is_valid_name(slug)


def test_slugify_keeps_names_at_most_64_characters_and_valid():
    slug = slugify("x" * 63 + " tail")
    assert len(slug) <= 64
    assert is_valid_name(slug)
    assert slugify("ab " * 40).startswith("ab-ab")
    assert is_valid_name(slugify("ab " * 40))
    assert slugify("???", fallback="imported") == "imported"


def test_unique_name_counts_up_from_2():
    assert unique_name("menu", set()) == "menu"
    assert unique_name("menu", {"menu"}) == "menu-2"
    assert unique_name("menu", {"menu", "menu-2", "menu-3"}) == "menu-4"
    assert unique_name("menu", frozenset({"main"})) == "menu"


def test_unique_name_stays_a_valid_name_at_the_length_limit():
    base = "a" * 64
    taken = {base}
    for expected_suffix in ("-2", "-3"):
        name = unique_name(base, taken)
        assert name.endswith(expected_suffix)
        assert len(name) == 64
        assert is_valid_name(name)
        taken.add(name)


# -- references --------------------------------------------------------------------------


def test_reference_target():
    assert reference_target("flow:menu") == "menu"
    # Not trimmed: "flow: menu" is no valid reference, so lint flags it.
    assert reference_target("flow: menu ") == " menu "
    assert reference_target("flow:") == ""
    assert reference_target("https://example.com/flow:menu") is None
    assert reference_target("FLOW:menu") is None
    assert reference_target("menu") is None


def test_flow_url_joins_with_exactly_one_slash():
    assert flow_url("https://example.com/app", "menu") == "https://example.com/app/flows/menu"
    assert flow_url("https://example.com/app/", "menu") == "https://example.com/app/flows/menu"


def test_resolver_turns_only_references_into_urls():
    resolve = resolver("https://example.com")
    assert resolve("flow:menu") == "https://example.com/flows/menu"
    assert resolve("https://other.example/x.xml") == "https://other.example/x.xml"
    assert resolve("/relative/path") == "/relative/path"


def test_references_finds_url_attributes_and_redirect_and_play_text_only():
    document = parse(
        b"<Response>"
        b'<Gather action="flow:menu"><Say>flow:not-a-url</Say></Gather>'
        b"<Play>flow:jingle</Play>"
        b'<Dial action="https://example.com/x" confirmSound="flow:beep">123456789</Dial>'
        b'<Say voice="flow:ignored">hi</Say>'
        b"<Redirect>flow:end</Redirect>"
        b"</Response>"
    )
    found = [(node.tag, attribute, target) for node, attribute, target in references(document.root)]
    assert found == [
        ("Gather", "action", "menu"),
        ("Play", None, "jingle"),
        ("Dial", "confirmSound", "beep"),
        ("Redirect", None, "end"),
    ]


# -- export ------------------------------------------------------------------------------

MAIN = (
    b"<Response>"
    b'<Gather action="flow:menu" numDigits="1"><Say>Press 1</Say></Gather>'
    b"<Say>flow:menu stays text in Say</Say>"
    b"<Redirect>flow:menu</Redirect>"
    b"</Response>"
)


def test_export_with_base_url_resolves_references_in_attributes_and_redirect_text():
    project = _project(main=MAIN, menu=b"<Response><Hangup/></Response>")
    text = project.export("main", base_url="https://example.com/app/")
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response>\n"
        '  <Gather action="https://example.com/app/flows/menu" numDigits="1">\n'
        "    <Say>Press 1</Say>\n"
        "  </Gather>\n"
        "  <Say>flow:menu stays text in Say</Say>\n"
        "  <Redirect>https://example.com/app/flows/menu</Redirect>\n"
        "</Response>\n"
    )


def test_export_without_base_url_leaves_references():
    project = _project(main=MAIN, menu=b"<Response><Hangup/></Response>")
    text = project.export("main")
    assert 'action="flow:menu"' in text
    assert "<Redirect>flow:menu</Redirect>" in text
    assert "flows/" not in text


def test_export_compact_with_base_url_is_one_line():
    project = _project(main=MAIN, menu=b"<Response><Hangup/></Response>")
    text = project.export("main", base_url="https://example.com", compact=True)
    assert text.count("\n") == 1
    assert text.endswith("</Response>\n")
    assert "<Redirect>https://example.com/flows/menu</Redirect>" in text


def test_export_does_not_change_the_flow():
    project = _project(main=MAIN, menu=b"<Response><Hangup/></Response>")
    project.export("main", base_url="https://example.com")
    assert project.flow("main").root.child(0).attrs["action"] == "flow:menu"


# -- lint --------------------------------------------------------------------------------


def test_project_lint_reports_references_to_missing_flows():
    project = _project(
        main=b'<Response>\n<Gather action="flow:menu"><Say>x</Say></Gather>\n'
        b"<Redirect>flow:gone</Redirect>\n</Response>",
        menu=b'<Response>\n<Play action="flow:nowhere">https://example.com/a.mp3</Play>\n'
        b"</Response>",
    )
    problems = project.lint()
    assert set(problems) == {"main", "menu"}
    main = [(p.severity, p.code, p.line) for p in problems["main"]]
    assert main == [(Severity.ERROR, "unknown-flow", 3)]
    assert "flow:gone" in problems["main"][0].message
    menu = [(p.severity, p.code, p.line) for p in problems["menu"]]
    assert menu == [(Severity.ERROR, "unknown-flow", 2)]
    assert "flow:nowhere" in problems["menu"][0].message


def test_project_lint_follows_the_project_as_it_changes():
    project = _project(main=b"<Response><Redirect>flow:menu</Redirect></Response>")
    assert [p.code for p in project.lint()["main"]] == ["unknown-flow"]
    project.add_flow("menu", parse(b"<Response><Hangup/></Response>"))
    assert project.lint() == {"main": [], "menu": []}
    project.remove_flow("menu")
    assert [p.code for p in project.lint()["main"]] == ["unknown-flow"]


def test_project_lint_rejects_a_reference_that_is_no_flow_name():
    project = _project(main=b"<Response><Redirect>flow:Main Menu</Redirect></Response>")
    (problem,) = project.lint()["main"]
    assert problem.code == "invalid-url"
    assert "not a valid flow name" in problem.message


def test_rename_keeps_lint_clean():
    project = _project(
        main=b"<Response><Redirect>flow:menu</Redirect></Response>",
        menu=b"<Response><Hangup/></Response>",
    )
    project.rename_flow("menu", "main-menu")
    assert project.lint() == {"main": [], "main-menu": []}
    project.rename_flow("main-menu", "other", update_references=False)
    assert [p.code for p in project.lint()["main"]] == ["unknown-flow"]
