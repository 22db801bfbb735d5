"""The project file on its own: one-pass reading into ProjectContents, and writing it back."""

from pathlib import Path

import pytest

from gui.core.flexml import COMMENT, Document, MalformedError, RefusedError, parse
from gui.core.flexml.reader import ReadNote
from gui.core.project import Project
from gui.core.project_file import (
    MAX_PROJECT_BYTES,
    NewerFormatError,
    NotAProjectError,
    ProjectContents,
    ProjectError,
    project_text,
    read_files,
    read_project,
    save_project,
    write_project,
)


def _project_bytes(flows: int) -> bytes:
    """A canonical project file (as the writer makes it) of `flows` flows and two settings."""
    contents = ProjectContents(settings={"export-base-url": "https://example.com/app", "k": "v"})
    for i in range(flows):
        contents.add(
            f"flow-{i}",
            parse(
                f"<Response><!-- flow {i} --><Say>Flow {i} &amp; more</Say>"
                f'<Gather action="flow:flow-{(i + 1) % flows}"><Say>Press {i}</Say></Gather>'
                "</Response>".encode()
            ),
        )
    contents.entry = f"flow-{flows // 2}"
    return write_project(contents)


def _place(text: str, marker: str) -> tuple[int, int]:
    """Line and column (from 1) where `marker` starts in `text`."""
    offset = text.index(marker)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# -- round trips -------------------------------------------------------------------------


def test_a_project_of_many_flows_round_trips_byte_for_byte():
    data = _project_bytes(25)
    contents = read_project(data)
    assert contents.names == [f"flow-{i}" for i in range(25)]
    assert contents.entry == "flow-12"
    assert contents.settings == {"export-base-url": "https://example.com/app", "k": "v"}
    assert contents.notes == [] and contents.path is None
    assert contents.flow("flow-3").root.child(1).text == "Flow 3 & more"
    assert write_project(contents) == data
    # The model built from the contents writes the same bytes: reading loses nothing.
    project = Project.from_contents(contents)
    assert (project.names, project.entry) == (contents.names, "flow-12")
    assert project.to_text().encode("utf-8") == data


def test_writing_is_the_same_for_the_model_and_the_contents():
    project = Project()
    project.add_flow("main", parse(b"<Response><Say>Hi</Say></Response>"))
    project.add_flow("other", Document())
    project.set_entry("other")
    project.set_setting("a", 'quote " and <angle>')
    assert write_project(project) == project_text(project).encode("utf-8")
    assert project.to_text() == project_text(project)
    assert write_project(read_project(write_project(project))) == write_project(project)


def test_every_node_keeps_its_place_after_what_was_skipped():
    # Skipped parts hold elements and comments of their own: the flows after them must
    # still get the lines and columns they have in the file.
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- before the root -->\n"
        '<flexml-project format="1"><!-- in the root -->\n'
        "  <future-thing><a/><!-- x --><b><c/></b></future-thing>\n"
        '  <setting name="s" value="v"><!-- ignored --><d/></setting>\n'
        '  <flow name="two"><!-- f --><Response><!-- first --><Say>one</Say></Response>\n'
        "    <Response><!-- second --><Say>skipped</Say></Response></flow>\n"
        '  <flow name="last">\n'
        "    <Response>\n"
        "      <!-- last comment --><Say>last say</Say>\n"
        "      <Gather><Say>café prompt</Say></Gather> <Hangup/>\n"
        "    </Response>\n"
        "  </flow>\n"
        "</flexml-project>\n"
    )
    contents = read_project(text.encode("utf-8"))
    assert contents.names == ["two", "last"]
    first = contents.flow("two").root.child(0)
    assert (first.tag, (first.line, first.column)) == (COMMENT, _place(text, "<!-- first"))
    root = contents.flow("last").root
    places = [(node.tag, node.line, node.column) for node in root.iter()]
    markers = [
        "<Response>\n      <!-- last",
        "<!-- last comment",
        "<Say>last say",
        "<Gather>",
        "<Say>café",
        "<Hangup/>",
    ]
    tags = ["Response", COMMENT, "Say", "Gather", "Say", "Hangup"]
    assert places == [(tag, *_place(text, m)) for tag, m in zip(tags, markers, strict=True)]


# -- what is wrong is reported and skipped, the rest kept --------------------------------


def test_bad_elements_are_reported_and_skipped_and_the_flows_around_them_kept():
    text = (
        '<flexml-project format="1" entry="b">\n'
        '<flow name="a"><Response><Say>A</Say></Response></flow>\n'
        "<flow-typo><Response><Say>lost</Say></Response></flow-typo>\n"
        '<setting name="only-a-name"/>\n'
        '<flow name="Not A Name"><Response><Say>renamed</Say></Response></flow>\n'
        '<flow name="b"><!-- nothing else --></flow>\n'
        '<flow name="c"><Response><Say>C</Say></Response></flow>\n'
        "</flexml-project>\n"
    )
    contents = read_project(text.encode())
    assert contents.names == ["a", "not-a-name", "b", "c"]
    assert contents.entry == "b"
    assert contents.settings == {}
    assert [(note.line, note.code, note.message) for note in contents.notes] == [
        (3, "project-repaired", "an unknown <flow-typo> element was skipped"),
        (4, "project-repaired", "a <setting> without name or value was skipped"),
        (5, "project-repaired", "the flow named 'Not A Name' was renamed to 'not-a-name'"),
        (6, "project-repaired", "the flow 'b' was empty"),
    ]
    assert contents.flow("b").root.child_count() == 0
    assert contents.flow("not-a-name").root.child(0).text == "renamed"
    say = contents.flow("c").root.child(0)
    assert (say.text, say.line, say.column) == ("C", 7, 26)


def test_an_entry_that_is_not_a_flow_falls_back_to_the_first():
    contents = read_project(
        b'<flexml-project format="1" entry="gone"><flow name="x"><Response/></flow>'
        b'<flow name="y"><Response/></flow></flexml-project>'
    )
    assert contents.entry == "x"
    assert [n.message for n in contents.notes] == [
        "the entry flow 'gone' does not exist; the first flow is used"
    ]


# -- refused -----------------------------------------------------------------------------


def test_other_xml_is_not_a_project():
    with pytest.raises(NotAProjectError) as info:
        read_project(b"<Response><Hangup/></Response>")
    assert info.value.message == (
        "the document is not a FlexML Studio project (its root is <Response>)"
    )


def test_a_flexml_file_by_path_is_not_a_project_but_read_files_takes_it(tmp_path):
    path = tmp_path / "Main Menu.xml"
    path.write_bytes(b"<Response><Hangup/></Response>")
    with pytest.raises(NotAProjectError, match=r"Main Menu\.xml is not a FlexML Studio project"):
        read_project(path)
    contents = read_files([path])
    assert (contents.names, contents.entry, contents.path) == (["main-menu"], "main-menu", None)


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (
            b'<!DOCTYPE p [<!ENTITY e "boom">]><flexml-project format="1"/>',
            RefusedError,
            "DOCTYPE",
        ),
        (
            b'<!DOCTYPE p SYSTEM "file:///etc/passwd"><flexml-project format="1"/>',
            RefusedError,
            "DOCTYPE",
        ),
        (
            b'<flexml-project format="1"><flow name="a"><Response><Say>&e;</Say>'
            b"</Response></flow></flexml-project>",
            MalformedError,
            "not well-formed",
        ),
        (b'<flexml-project format="9"/>', NewerFormatError, "newer FlexML Studio"),
        (b"<flexml-project/>", ProjectError, "no valid format version"),
        (b" " * (MAX_PROJECT_BYTES + 1), RefusedError, "MiB are refused"),
    ],
    ids=["entities", "external-dtd", "undeclared-entity", "newer", "no-version", "too-large"],
)
def test_unsafe_or_unusable_files_are_refused(data, error, words):
    with pytest.raises(error, match=words):
        read_project(data)


# -- files -------------------------------------------------------------------------------


def test_read_from_a_path_remembers_it_and_saving_keeps_the_last_version(tmp_path):
    data = _project_bytes(3)
    target = tmp_path / "app.flexproj"
    contents = read_project(data)
    assert save_project(contents, target) == target
    assert target.read_bytes() == data
    contents.settings["k"] = "changed"
    save_project(contents, target)
    assert Path(f"{target}.bak").read_bytes() == data
    again = read_project(target)
    assert again.path == target and again.settings["k"] == "changed"


def test_flexml_files_become_flows_with_unique_names(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "menu.xml").write_bytes(b"<Response><Say>hi</Say></Response>")
    contents = read_files([tmp_path / "one" / "menu.xml", tmp_path / "two" / "menu.xml"])
    assert (contents.names, contents.entry, contents.notes) == (["menu", "menu-2"], "menu", [])


def test_the_model_built_from_contents_does_not_share_them():
    contents = read_project(_project_bytes(2))
    project = Project.from_contents(contents)
    project.set_setting("k", "mine")
    project.notes.append(ReadNote(1, None, "project-repaired", "a note of the model's"))
    assert contents.settings["k"] == "v" and contents.notes == []
