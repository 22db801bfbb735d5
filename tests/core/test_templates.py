"""Templates: six small projects that load from the package, lint clean and save elsewhere."""

from importlib import resources

import pytest

from gui.core.flexml import COMMENT, parse
from gui.core.project import SUFFIX, Project, references
from gui.core.templates import Template, templates

NAMES = ["blank", "hello-world", "ivr-menu", "voicemail", "forward", "busy"]


def _verbs(project: Project, flow: str) -> list[str]:
    return [n.tag for n in project.flow(flow).root.children if n.tag != COMMENT]


def _by_name(name: str) -> Template:
    return next(t for t in templates() if t.name == name)


def test_the_table_lists_every_template_file_once_blank_first():
    folder = resources.files("gui.resources").joinpath("templates")
    on_disk = sorted(p.name for p in folder.iterdir() if p.name.endswith(SUFFIX))
    listed = [t.name for t in templates()]
    assert listed == NAMES
    assert on_disk == sorted(name + SUFFIX for name in NAMES)
    for template in templates():
        assert template.title.strip() and template.description.strip()
    assert len({t.title for t in templates()}) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_template_loads_clean_without_a_file(name):
    project = _by_name(name).load()
    assert project.path is None  # saving asks for a location
    assert project.notes == []  # nothing was repaired while loading
    assert project.entry is not None and project.entry in project
    assert project.lint() == {n: [] for n in project.all_names}
    for flow in project.names:
        assert project.flow(flow).root.tag == "Response"


@pytest.mark.parametrize("name", NAMES)
def test_template_file_is_written_as_the_app_writes_projects(name):
    source = resources.files("gui.resources").joinpath(f"templates/{name}{SUFFIX}")
    assert _by_name(name).load().to_text() == source.read_text(encoding="utf-8")


def test_each_load_is_a_fresh_copy(tmp_path):
    template = _by_name("hello-world")
    first = template.load()
    first.add_flow("extra", parse(b"<Response><Hangup/></Response>"))
    first.save(tmp_path / "mine.flexproj")
    second = template.load()
    assert second.names == ["main"]
    assert second.path is None


def test_blank_is_one_empty_main_flow():
    project = _by_name("blank").load()
    assert project.names == ["main"]
    assert project.entry == "main"
    assert project.flow("main").root.children == ()


def test_hello_world_says_and_hangs_up():
    project = _by_name("hello-world").load()
    assert project.names == ["main"]
    assert _verbs(project, "main") == ["Say", "Hangup"]
    assert "Hello World" in project.flow("main").root.children[0].text


def test_ivr_menu_gathers_one_key_and_routes_to_sales_or_support():
    project = _by_name("ivr-menu").load()
    assert project.names == ["menu", "menu-again", "sales", "support", "goodbye"]
    assert project.entry == "menu"
    gather = project.flow("menu").root.children[0]
    assert gather.tag == "Gather"
    assert gather.attrs["numDigits"] == "1"
    assert gather.attrs["action"] == "flow:route"
    assert [c.tag for c in gather.children] == ["Say"]
    # It branches for real: the route switch sends 1 to sales, 2 to support, and anything
    # else (no input included) to the menu once more, whose own switch then says goodbye.
    assert project.switch_names == ["route", "route-again"]
    for name, again in (("route", "menu-again"), ("route-again", "goodbye")):
        switch = project.switch(name)
        assert switch.on == "Digits"
        assert [(c.values, c.goto) for c in switch.cases] == [
            (("1",), "sales"),
            (("2",), "support"),
        ]
        assert switch.otherwise == again
    assert project.flow("menu-again").root.children[0].attrs["action"] == "flow:route-again"
    redirects = {
        target
        for flow in project.names
        for node, attribute, target in references(project.flow(flow).root)
        if node.tag == "Redirect" and attribute is None
    }
    assert redirects == {"menu-again", "goodbye"}  # no input: ask again, then goodbye
    # No comment says the designer cannot branch any more.
    text = project.to_text()
    assert "cannot branch" not in text and "<!--" not in text


def test_voicemail_records_to_the_saved_flow():
    project = _by_name("voicemail").load()
    assert project.names == ["main", "saved"]
    assert _verbs(project, "main") == ["Say", "Record", "Say", "Hangup"]
    record = next(n for n in project.flow("main").root.children if n.tag == "Record")
    assert record.attrs["action"] == "flow:saved"
    assert _verbs(project, "saved") == ["Say", "Hangup"]


def test_forward_dials_a_number_with_a_timeout_then_says_no_answer():
    project = _by_name("forward").load()
    assert _verbs(project, "main") == ["Say", "Dial", "Say", "Hangup"]
    dial = next(n for n in project.flow("main").root.children if n.tag == "Dial")
    assert int(dial.attrs["timeout"]) > 0
    assert "action" not in dial.attrs  # without an action the next Say runs after no answer
    assert [(c.tag, bool(c.text)) for c in dial.children] == [("Number", True)]


def test_busy_rejects_with_busy():
    project = _by_name("busy").load()
    assert _verbs(project, "main") == ["Reject"]
    assert project.flow("main").root.children[0].attrs == {"reason": "busy"}
