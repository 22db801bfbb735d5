"""Projects: named flows, the entry, settings; the versioned file format; change events."""

from pathlib import Path

import pytest

from gui.core.flexml import (
    ChangeKind,
    Document,
    MalformedError,
    RefusedError,
    UnreadableError,
    parse,
)
from gui.core.flexml.refs import is_valid_name
from gui.core.project import (
    FORMAT_VERSION,
    NewerFormatError,
    NotAProjectError,
    Project,
    ProjectChange,
    ProjectChangeKind,
    ProjectError,
    load,
)

HANGUP = b"<Response><Hangup/></Response>"


def _doc(xml: bytes = HANGUP) -> Document:
    return parse(xml)


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def _shape(node):
    """Tag, attributes (in any order: the writer puts them in schema order), text, children."""
    return (node.tag, node.attrs, node.text, [_shape(c) for c in node.children])


def _rich_project() -> Project:
    """A project with everything the format must carry through a round trip."""
    project = Project()
    project.add_flow(
        "main",
        parse(
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b"<Response>\n"
            b"  <!-- greet the caller -->\n"
            b'  <Say voice="woman" loop="2">Hello &amp; welcome, caf\xc3\xa9 &lt;3</Say>\n'
            b'  <Gather action="flow:menu" numDigits="1" timeout="8">\n'
            b'    <Say>Press 1 for "sales"</Say>\n'
            b"  </Gather>\n"
            b'  <Play unknownAttr="a&#10;b&#9;c">https://example.com/a.mp3?x=1&amp;y=2</Play>\n'
            b"  <Redirect>flow:menu</Redirect>\n"
            b"</Response>\n"
        ),
    )
    project.add_flow("menu", parse(b"<Response><Say>Menu \xe2\x98\x8e</Say><Hangup/></Response>"))
    project.add_flow("empty", Document())
    project.set_entry("menu")
    project.set_setting("export-base-url", "https://example.com/app")
    project.set_setting("note", 'quotes " and <angles> & tabs\tand\nnewlines')
    return project


# -- the file format ---------------------------------------------------------------------


def test_to_text_is_the_documented_versioned_format():
    project = Project()
    project.add_flow("main", _doc(b"<Response><Say>Hi</Say></Response>"))
    project.set_setting("export-base-url", "https://example.com/app")
    assert project.to_text() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<flexml-project format="{FORMAT_VERSION}" entry="main">\n'
        '  <setting name="export-base-url" value="https://example.com/app"/>\n'
        '  <flow name="main">\n'
        "    <Response>\n"
        "      <Say>Hi</Say>\n"
        "    </Response>\n"
        "  </flow>\n"
        "</flexml-project>\n"
    )


def test_empty_project_text_has_no_entry():
    assert Project().to_text() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<flexml-project format="1">\n</flexml-project>\n'
    )


def test_round_trip_save_load_to_text_is_identical(tmp_path):
    project = _rich_project()
    text = project.to_text()
    path = project.save(tmp_path / "p.flexproj")
    assert path == tmp_path / "p.flexproj"
    assert project.path == path
    assert path.read_text("utf-8") == text

    loaded = load([path])
    assert loaded.notes == []
    assert loaded.path == path
    assert loaded.names == ["main", "menu", "empty"]
    assert loaded.entry == "menu"
    assert loaded.settings == project.settings
    assert loaded.to_text() == text
    for name in project.names:
        assert _shape(loaded.flow(name).root) == _shape(project.flow(name).root)
        assert loaded.export(name) == project.export(name)

    # And once more through a second file: the text is a fixed point.
    again = load([loaded.save(tmp_path / "again.flexproj")])
    assert again.to_text() == text


def test_loaded_flows_know_their_lines_in_the_project_file(tmp_path):
    path = _write(
        tmp_path / "p.flexproj",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<flexml-project format="1" entry="b">\n'
        "  <!-- a comment between things -->\n"
        '  <setting name="k" value="v"/>\n'
        '  <flow name="a">\n'
        "    <Response>\n"
        "      <Say>A</Say>\n"
        "    </Response>\n"
        "  </flow>\n"
        '  <flow name="b">\n'
        "    <Response>\n"
        "      <Bogus/>\n"
        "    </Response>\n"
        "  </flow>\n"
        "</flexml-project>\n",
    )
    project = load([path])
    say = project.flow("a").root.child(0)
    bogus = project.flow("b").root.child(0)
    assert (say.tag, say.line, say.column) == ("Say", 7, 7)
    assert (bogus.tag, bogus.line, bogus.column) == ("Bogus", 12, 7)
    (problem,) = project.lint()["b"]
    assert (problem.code, problem.line, problem.column) == ("unknown-element", 12, 7)


def test_foreign_flexproj_is_not_a_project(tmp_path):
    path = _write(tmp_path / "odd.flexproj", "<Response><Hangup/></Response>")
    with pytest.raises(NotAProjectError) as info:
        load([path])
    assert str(path) in info.value.message
    assert "<Response>" in info.value.message
    upper = _write(tmp_path / "ODD.FLEXPROJ", "<html/>")
    with pytest.raises(NotAProjectError):
        load([upper])


def test_foreign_flexproj_among_several_files_is_not_a_project(tmp_path):
    good = _write(tmp_path / "a.xml", HANGUP)
    odd = _write(tmp_path / "odd.flexproj", "<Response><Hangup/></Response>")
    with pytest.raises(NotAProjectError, match=r"odd\.flexproj is not a FlexML Studio project"):
        load([good, odd])


def test_newer_format_is_refused_with_a_typed_error(tmp_path):
    path = _write(
        tmp_path / "new.flexproj",
        '<flexml-project format="2" entry="main"><flow name="main"><Response/></flow>'
        "</flexml-project>",
    )
    with pytest.raises(NewerFormatError) as info:
        load([path])
    assert "format 2" in info.value.message
    assert "Update FlexML Studio" in info.value.message
    assert isinstance(info.value, ProjectError)


@pytest.mark.parametrize("attribute", ["", ' format=""', ' format="one"', ' format="-1"'])
def test_missing_or_bad_format_version_is_a_project_error(tmp_path, attribute):
    path = _write(tmp_path / "p.flexproj", f"<flexml-project{attribute}/>")
    with pytest.raises(ProjectError, match="no valid format version") as info:
        load([path])
    assert not isinstance(info.value, NewerFormatError)


def test_older_or_equal_format_loads(tmp_path):
    path = _write(
        tmp_path / "p.flexproj",
        '<flexml-project format="01" entry="m"><flow name="m"><Response/></flow></flexml-project>',
    )
    assert load([path]).names == ["m"]


def test_one_bad_element_is_reported_and_skipped_not_the_file(tmp_path):
    path = _write(
        tmp_path / "p.flexproj",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<flexml-project format="1" entry="main">\n'
        '  <setting name="a" value="1"/>\n'
        '  <setting name="no-value"/>\n'
        '  <future-thing x="1"><flow name="hidden"><Response/></flow></future-thing>\n'
        '  <flow name="main">\n'
        "    <Response>\n"
        "      <Say>Main</Say>\n"
        "    </Response>\n"
        "  </flow>\n"
        '  <flow name="Main Menu">\n'
        "    <Response><Say>Menu</Say></Response>\n"
        "  </flow>\n"
        '  <flow name="main"><Response><Say>Duplicate</Say></Response></flow>\n'
        '  <flow name="nothing"></flow>\n'
        '  <flow name="two"><Response><Say>First</Say></Response><Response/></flow>\n'
        '  <setting name="b" value="2"><extra/></setting>\n'
        '  <flow name="last">\n'
        "    <Response>\n"
        "      <Bogus/>\n"
        "    </Response>\n"
        "  </flow>\n"
        "</flexml-project>\n",
    )
    project = load([path])
    assert project.names == ["main", "main-menu", "main-2", "nothing", "two", "last"]
    assert project.entry == "main"
    assert project.settings == {"a": "1", "b": "2"}
    assert project.flow("main-menu").root.child(0).text == "Menu"
    assert project.flow("main-2").root.child(0).text == "Duplicate"
    assert project.flow("nothing").root.tag == "Response"
    assert project.flow("nothing").root.child_count() == 0
    assert project.flow("two").root.child(0).text == "First"
    notes = [(n.line, n.code, n.message) for n in project.notes]
    assert notes == [
        (4, "project-repaired", "a <setting> without name or value was skipped"),
        (5, "project-repaired", "an unknown <future-thing> element was skipped"),
        (11, "project-repaired", "the flow named 'Main Menu' was renamed to 'main-menu'"),
        (14, "project-repaired", "the flow named 'main' was renamed to 'main-2'"),
        (15, "project-repaired", "the flow 'nothing' was empty"),
        (16, "project-repaired", "the flow 'two' held more than one document; the first is kept"),
        (17, "project-repaired", "the content of <setting name='b'> was ignored"),
    ]
    # What was skipped does not throw off the positions of what was kept.
    (problem,) = project.lint()["last"]
    assert (problem.code, problem.line, problem.column) == ("unknown-element", 20, 7)


def test_unknown_entry_falls_back_to_the_first_flow_with_a_note(tmp_path):
    path = _write(
        tmp_path / "p.flexproj",
        '<flexml-project format="1" entry="gone">'
        '<flow name="a"><Response/></flow><flow name="b"><Response/></flow>'
        "</flexml-project>",
    )
    project = load([path])
    assert project.entry == "a"
    assert [n.message for n in project.notes] == [
        "the entry flow 'gone' does not exist; the first flow is used"
    ]


def test_project_without_entry_attribute_uses_the_first_flow(tmp_path):
    path = _write(
        tmp_path / "p.flexproj",
        '<flexml-project format="1"><flow name="b"><Response/></flow>'
        '<flow name="a"><Response/></flow></flexml-project>',
    )
    project = load([path])
    assert (project.names, project.entry, project.notes) == (["b", "a"], "b", [])


def test_malformed_project_raises_malformed_error(tmp_path):
    path = _write(tmp_path / "p.flexproj", '<flexml-project format="1"><flow name="a">')
    with pytest.raises(MalformedError) as info:
        load([path])
    assert info.value.line == 1


def test_project_with_doctype_is_refused(tmp_path):
    path = _write(
        tmp_path / "p.flexproj",
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n'
        '<flexml-project format="1"><flow name="a"><Response><Say>&e;</Say></Response></flow>'
        "</flexml-project>",
    )
    with pytest.raises(RefusedError, match="DOCTYPE"):
        load([path])


def test_missing_file_and_folder_are_unreadable(tmp_path):
    with pytest.raises(UnreadableError, match="does not exist"):
        load([tmp_path / "nope.flexproj"])
    with pytest.raises(UnreadableError, match="is a folder"):
        load([tmp_path])
    with pytest.raises(ValueError, match="give a project file"):
        load([])


def test_save_without_path_asks_for_one():
    project = Project()
    with pytest.raises(ValueError, match="give a path"):
        project.save()


def test_save_twice_keeps_the_previous_version_as_bak(tmp_path):
    project = Project()
    project.add_flow("main", _doc(b"<Response><Say>one</Say></Response>"))
    path = project.save(tmp_path / "p.flexproj")
    first = path.read_text("utf-8")
    assert not (tmp_path / "p.flexproj.bak").exists()

    project.flow("main").set_text(project.flow("main").root.child(0), "two")
    assert project.save() == path
    assert "<Say>two</Say>" in path.read_text("utf-8")
    assert (tmp_path / "p.flexproj.bak").read_text("utf-8") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.flexproj", "p.flexproj.bak"]


# -- plain FlexML files are accepted wherever a project is -------------------------------


def test_one_flexml_file_becomes_a_flow_named_after_its_stem(tmp_path):
    path = _write(tmp_path / "menu.xml", "<Response>\n  <Say>Menu</Say>\n</Response>\n")
    project = load([path])
    assert project.names == ["menu"]
    assert project.entry == "menu"
    assert project.path is None  # saving asks for a project file name
    assert project.flow("menu").root.child(0).line == 2


def test_flexml_file_names_become_url_safe_slugs(tmp_path):
    main = _write(tmp_path / "Main Menu.xml", HANGUP)
    other = tmp_path / "other"
    other.mkdir()
    menu1 = _write(tmp_path / "menu.xml", HANGUP)
    menu2 = _write(other / "menu.xml", b"<Response><Say>second</Say></Response>")
    menu3 = _write(tmp_path / "MENU.XML", HANGUP)
    project = load([main, menu1, menu2, menu3])
    assert project.names == ["main-menu", "menu", "menu-2", "menu-3"]
    assert all(is_valid_name(name) for name in project.names)
    assert project.entry == "main-menu"
    assert project.flow("menu-2").root.child(0).text == "second"


def test_any_root_becomes_a_flow_and_lint_says_so(tmp_path):
    path = _write(tmp_path / "page.xml", "<html><body/></html>")
    project = load([path])
    assert project.names == ["page"]
    assert "wrong-root" in [p.code for p in project.lint()["page"]]


def test_a_project_among_several_files_is_refused(tmp_path):
    a = _write(tmp_path / "a.xml", HANGUP)
    proj = _write(
        tmp_path / "p.flexproj",
        '<flexml-project format="1"><flow name="x"><Response/></flow></flexml-project>',
    )
    with pytest.raises(ProjectError, match="open it on its own"):
        load([a, proj])


def test_errors_among_several_files_name_the_file(tmp_path):
    a = _write(tmp_path / "a.xml", HANGUP)
    bad = _write(tmp_path / "bad.xml", "<Response><Say>")
    doctype = _write(tmp_path / "dtd.xml", '<!DOCTYPE Response SYSTEM "x.dtd"><Response/>')
    with pytest.raises(MalformedError) as info:
        load([a, bad])
    assert info.value.message.startswith(f"{bad}: not well-formed XML")
    assert info.value.line == 1
    with pytest.raises(RefusedError) as info:
        load([a, doctype])
    assert info.value.message.startswith(f"{doctype}: ")
    with pytest.raises(UnreadableError, match=r"gone\.xml does not exist"):
        load([a, tmp_path / "gone.xml"])


def test_plain_file_over_5_mib_is_refused_but_a_project_may_be_larger(tmp_path):
    say = "<Say>" + "x" * 1000 + "</Say>\n"
    body = say * 5300  # about 5.1 MiB
    big = _write(tmp_path / "big.xml", f"<Response>\n{body}</Response>\n")
    with pytest.raises(RefusedError, match="over 5 MiB"):
        load([big])
    with pytest.raises(RefusedError, match="over 5 MiB"):
        load([_write(tmp_path / "small.xml", HANGUP), big])
    project = _write(
        tmp_path / "big.flexproj",
        f'<flexml-project format="1"><flow name="a"><Response>\n{body}</Response></flow>'
        "</flexml-project>",
    )
    assert load([project]).flow("a").root.child_count() == 5300


# -- changing a project, and the change events -------------------------------------------


class Recorder:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.events: list[tuple[str, ProjectChange, list[str], str | None]] = []
        project.about_to_change.connect(lambda c: self._record("before", c))
        project.changed.connect(lambda c: self._record("after", c))

    def _record(self, when: str, change: ProjectChange) -> None:
        self.events.append((when, change, self.project.names, self.project.entry))

    def kinds(self) -> list[tuple[str, ProjectChangeKind]]:
        return [(when, change.kind) for when, change, _, _ in self.events]


def test_add_flow_announces_before_and_after_and_first_becomes_entry():
    project = Project()
    rec = Recorder(project)
    project.add_flow("main", _doc())
    added = ProjectChange(ProjectChangeKind.FLOW_ADDED, "main", 0)
    entry = ProjectChange(ProjectChangeKind.ENTRY_CHANGED, "main", old=None, new="main")
    assert rec.events == [
        ("before", added, [], None),
        ("after", added, ["main"], None),
        ("before", entry, ["main"], None),
        ("after", entry, ["main"], "main"),
    ]


def test_add_flow_at_an_index():
    project = Project()
    for name in ("a", "b", "c"):
        project.add_flow(name, _doc())
    rec = Recorder(project)
    project.add_flow("x", _doc(), index=1)
    project.add_flow("y", _doc(), index=99)
    project.add_flow("z", _doc(), index=0)
    assert project.names == ["z", "a", "x", "b", "c", "y"]
    assert [(w, c.name, c.index) for w, c, _, _ in rec.events] == [
        ("before", "x", 1),
        ("after", "x", 1),
        ("before", "y", 4),
        ("after", "y", 4),
        ("before", "z", 0),
        ("after", "z", 0),
    ]
    assert project.entry == "a"


@pytest.mark.parametrize("name", ["Main", "main menu", "", "-x", "a" * 65])
def test_add_flow_refuses_invalid_names_without_events(name):
    project = Project()
    rec = Recorder(project)
    with pytest.raises(ValueError, match="is not a flow name"):
        project.add_flow(name, _doc())
    assert rec.events == []
    assert len(project) == 0


def test_add_flow_refuses_a_duplicate_without_events():
    project = Project()
    project.add_flow("main", _doc())
    rec = Recorder(project)
    with pytest.raises(ValueError, match="already has a flow named 'main'"):
        project.add_flow("main", _doc())
    assert rec.events == []


def test_remove_flow_gives_its_index_and_moves_the_entry():
    project = Project()
    docs = {name: _doc() for name in ("a", "b", "c")}
    for name, doc in docs.items():
        project.add_flow(name, doc)
    project.set_entry("b")
    rec = Recorder(project)

    assert project.remove_flow("c") is docs["c"]
    assert project.remove_flow("b") is docs["b"]
    removed_c = ProjectChange(ProjectChangeKind.FLOW_REMOVED, "c", 2)
    removed_b = ProjectChange(ProjectChangeKind.FLOW_REMOVED, "b", 1)
    entry = ProjectChange(ProjectChangeKind.ENTRY_CHANGED, "a", old="b", new="a")
    # The entry moves before its flow goes, so undoing the changes in reverse order works.
    assert rec.events == [
        ("before", removed_c, ["a", "b", "c"], "b"),
        ("after", removed_c, ["a", "b"], "b"),
        ("before", entry, ["a", "b"], "b"),
        ("after", entry, ["a", "b"], "a"),
        ("before", removed_b, ["a", "b"], "a"),
        ("after", removed_b, ["a"], "a"),
    ]
    assert rec.events[-1][1].document is docs["b"]
    project.remove_flow("a")
    assert project.entry is None
    assert rec.events[-3][1] == ProjectChange(
        ProjectChangeKind.ENTRY_CHANGED, None, old="a", new=None
    )
    assert rec.events[-1][1] == ProjectChange(ProjectChangeKind.FLOW_REMOVED, "a", 0)


def test_remove_unknown_flow_raises_key_error_without_events():
    project = Project()
    rec = Recorder(project)
    with pytest.raises(KeyError, match="no flow named 'x'"):
        project.remove_flow("x")
    with pytest.raises(KeyError):
        project.flow("x")
    assert rec.events == []


def test_rename_flow_keeps_position_moves_entry_and_rewrites_references_everywhere():
    project = Project()
    project.add_flow(
        "main",
        _doc(
            b"<Response>"
            b'<Gather action="flow:menu"><Say>flow:menu</Say></Gather>'
            b'<Play action="flow:other">flow:menu</Play>'
            b"<Redirect>flow:menu</Redirect>"
            b"</Response>"
        ),
    )
    project.add_flow("menu", _doc(b"<Response><Redirect>flow:menu</Redirect></Response>"))
    project.add_flow("other", _doc(b'<Response><Record action="flow:menu"/></Response>'))
    project.set_entry("menu")
    rec = Recorder(project)
    document_changes = []
    project.flow("main").changed.connect(document_changes.append)

    project.rename_flow("menu", "main-menu")

    assert project.names == ["main", "main-menu", "other"]
    assert project.entry == "main-menu"
    renamed = ProjectChange(ProjectChangeKind.FLOW_RENAMED, "menu", 1, new_name="main-menu")
    # The entry is renamed within the same change: one event, so undo is one step.
    assert rec.events == [
        ("before", renamed, ["main", "menu", "other"], "menu"),
        ("after", renamed, ["main", "main-menu", "other"], "main-menu"),
    ]
    assert project.export("main") == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response>\n"
        '  <Gather action="flow:main-menu">\n'
        "    <Say>flow:menu</Say>\n"  # Say text is no URL: left alone
        "  </Gather>\n"
        '  <Play action="flow:other">flow:main-menu</Play>\n'
        "  <Redirect>flow:main-menu</Redirect>\n"
        "</Response>\n"
    )
    assert "<Redirect>flow:main-menu</Redirect>" in project.export("main-menu")
    assert 'action="flow:main-menu"' in project.export("other")
    # Through the document's API, so editors and undo see the rewrites.
    assert [(c.kind, c.node.tag) for c in document_changes] == [
        (ChangeKind.ATTRIBUTE, "Gather"),
        (ChangeKind.TEXT, "Play"),
        (ChangeKind.TEXT, "Redirect"),
    ]


def test_rename_flow_without_updating_references():
    project = Project()
    project.add_flow("main", _doc(b"<Response><Redirect>flow:menu</Redirect></Response>"))
    project.add_flow("menu", _doc())
    project.rename_flow("menu", "m2", update_references=False)
    assert project.names == ["main", "m2"]
    assert project.entry == "main"
    assert "<Redirect>flow:menu</Redirect>" in project.export("main")


def test_rename_flow_refusals():
    project = Project()
    project.add_flow("a", _doc())
    project.add_flow("b", _doc())
    rec = Recorder(project)
    project.rename_flow("a", "a")  # no change, no event
    with pytest.raises(ValueError, match="already has a flow named 'b'"):
        project.rename_flow("a", "b")
    with pytest.raises(ValueError, match="is not a flow name"):
        project.rename_flow("a", "Not Valid")
    with pytest.raises(KeyError):
        project.rename_flow("zzz", "y")
    assert rec.events == []
    assert project.names == ["a", "b"]


def test_set_entry_announces_old_and_new():
    project = Project()
    project.add_flow("a", _doc())
    project.add_flow("b", _doc())
    rec = Recorder(project)
    project.set_entry("b")
    project.set_entry("b")  # unchanged: no event
    change = ProjectChange(ProjectChangeKind.ENTRY_CHANGED, "b", old="a", new="b")
    assert rec.events == [("before", change, ["a", "b"], "a"), ("after", change, ["a", "b"], "b")]
    with pytest.raises(KeyError):
        project.set_entry("nope")
    assert project.entry == "b"
    assert len(rec.events) == 2


def test_set_setting_announces_add_change_and_removal():
    project = Project()
    seen = []
    project.about_to_change.connect(lambda c: seen.append(("before", c, dict(project.settings))))
    project.changed.connect(lambda c: seen.append(("after", c, dict(project.settings))))
    project.set_setting("k", "1")
    project.set_setting("k", "1")  # unchanged: no event
    project.set_setting("k", "2")
    project.set_setting("k", None)
    project.set_setting("absent", None)  # unchanged: no event
    kind = ProjectChangeKind.SETTING_CHANGED
    assert seen == [
        ("before", ProjectChange(kind, "k", old=None, new="1"), {}),
        ("after", ProjectChange(kind, "k", old=None, new="1"), {"k": "1"}),
        ("before", ProjectChange(kind, "k", old="1", new="2"), {"k": "1"}),
        ("after", ProjectChange(kind, "k", old="1", new="2"), {"k": "2"}),
        ("before", ProjectChange(kind, "k", old="2", new=None), {"k": "2"}),
        ("after", ProjectChange(kind, "k", old="2", new=None), {}),
    ]


def test_container_protocol():
    project = Project()
    project.add_flow("a", _doc())
    assert "a" in project
    assert "b" not in project
    assert len(project) == 1
    names = project.names
    names.append("x")  # a copy: changing it changes nothing
    assert project.names == ["a"]


def test_lint_is_redone_only_for_flows_that_changed():
    project = Project()
    project.add_flow("a", parse(b"<Response><Say loop='500'>x</Say></Response>"))
    project.add_flow("b", parse(b"<Response><Redirect>flow:c</Redirect></Response>"))
    first = project.lint()
    assert [p.code for p in first["b"]] == ["unknown-flow"]
    second = project.lint()
    assert second["a"] is first["a"] and second["b"] is first["b"]  # nothing changed
    say = project.flow("a").root.child(0)
    project.flow("a").set_attribute(say, "loop", "2")
    third = project.lint()
    assert third["a"] == [] and third["b"] is first["b"]
    project.add_flow("c", parse(b"<Response><Hangup/></Response>"))  # names changed
    assert project.lint()["b"] == []
