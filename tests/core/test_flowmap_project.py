"""The flow map of a real project: flows and switches as nodes, references and cases as
labelled edges, laid out from the entry."""

from __future__ import annotations

from importlib import resources

from gui.core.flexml import parse
from gui.core.flowmap import MapEdge, NodeKind, layout, project_graph
from gui.core.project import Project, load
from gui.core.switches import MatchKind, Switch, make_case


def ivr_template() -> Project:
    source = resources.files("gui.resources").joinpath("templates/ivr-menu.flexproj")
    with resources.as_file(source) as path:
        return load([path])


def edges(graph) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in graph.edges}


def test_the_ivr_template_is_a_map_of_flows_switches_and_labelled_ways():
    graph = project_graph(ivr_template())
    assert [(n.name, n.kind) for n in graph.nodes] == [
        ("menu", NodeKind.FLOW),
        ("menu-again", NodeKind.FLOW),
        ("sales", NodeKind.FLOW),
        ("support", NodeKind.FLOW),
        ("goodbye", NodeKind.FLOW),
        ("route", NodeKind.SWITCH),
        ("route-again", NodeKind.SWITCH),
    ]
    assert graph.entry == "menu"
    assert edges(graph) == {
        ("menu", "route", "Gather action"),
        ("menu", "menu-again", "Redirect"),
        ("menu-again", "route-again", "Gather action"),
        ("menu-again", "goodbye", "Redirect"),
        ("route", "sales", "1"),
        ("route", "support", "2"),
        ("route", "menu-again", "otherwise"),
        ("route-again", "sales", "1"),
        ("route-again", "support", "2"),
        ("route-again", "goodbye", "otherwise"),
    }
    assert graph.dangling == []
    columns = layout(graph).column
    assert columns["menu"] == 0
    assert columns["route"] == 1 and columns["menu-again"] == 1
    assert columns["sales"] == 2 and columns["support"] == 2


def test_every_kind_of_case_and_reference_is_an_edge_and_repeats_are_drawn_once():
    project = Project()
    project.add_flow(
        "main",
        parse(
            b'<Response><Record action="flow:saved" recordingStatusCallback="flow:saved"/>'
            b'<Dial action="flow:hours"><Number>15551234567</Number></Dial>'
            b"<Redirect>flow:saved</Redirect><Redirect>flow:saved</Redirect>"
            b"<Redirect>flow:gone</Redirect></Response>"
        ),
    )
    project.add_flow("saved", parse(b"<Response><Hangup/></Response>"))
    project.add_switch(
        Switch(
            "hours",
            "From",
            (
                make_case(MatchKind.HOURS, "Mon-Fri 09:00-17:00", "main", "Europe/London"),
                make_case(MatchKind.PREFIX, "44", "saved"),
                make_case(MatchKind.PATTERN, "NXX", "nowhere"),
            ),
            "saved",
        )
    )
    graph = project_graph(project)
    labels = [(e.source, e.target, e.label) for e in graph.edges]
    assert ("main", "saved", "Record action") in labels
    assert ("main", "hours", "Dial action") in labels
    assert labels.count(("main", "saved", "Redirect")) == 1
    assert ("hours", "main", "Mon-Fri 09:00-17:00") in labels
    assert ("hours", "saved", "44…") in labels
    assert ("hours", "saved", "otherwise") in labels
    assert set(graph.dangling) == {
        MapEdge("main", "gone", "Redirect"),
        MapEdge("hours", "nowhere", "NXX"),
    }
    assert graph.node("hours").kind is NodeKind.SWITCH


def test_the_map_follows_the_project_after_edits():
    project = ivr_template()
    project.rename_switch("route", "choice")
    graph = project_graph(project)
    assert ("menu", "choice", "Gather action") in edges(graph)
    assert ("choice", "sales", "1") in edges(graph)
    assert graph.node("route") is None
