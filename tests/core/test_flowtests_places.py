"""Where each transcript line of a flow test happened in the project (runner.places), for the
window to show it: a verb's line at its flow and path, a request at the verb that made it,
a switch's decision at the switch; the same on every run, and in several processes."""

from __future__ import annotations

import json

from gui.commands.test import _as_json
from gui.core.flowtests.runner import run_tests
from gui.core.project import load
from tests.conftest import ROOT

TEMPLATE = ROOT / "resources" / "templates" / "ivr-menu.flexproj"


def test_every_transcript_line_has_its_place():
    project = load([TEMPLATE])
    sales = run_tests(project, [project.test("sales")])[0]
    assert len(sales.places) == len(sales.transcript)
    lines = dict(zip(sales.transcript, sales.places, strict=True))

    def place_of(words: str):
        return next(place for line, place in lines.items() if words in line)

    assert place_of("call ") == ("menu", None)  # the call's start: the flow it starts at
    assert place_of("POST flow:menu") == ("menu", None)
    assert place_of("gather:") == ("menu", "/Response/Gather[1]")
    assert place_of("say 'For sales") == ("menu", "/Response/Gather[1]/Say[1]")
    assert place_of("POST flow:route") == ("menu", "/Response/Gather[1]")  # the action's
    assert place_of("switch route") == ("route", None)
    assert place_of("say 'You have reached sales") == ("sales", "/Response/Say[1]")
    assert place_of("hang up") == ("sales", "/Response/Hangup[1]")


def test_places_point_at_real_verbs_of_the_project_and_repeat():
    project = load([TEMPLATE])
    first = run_tests(project)
    again = run_tests(project, jobs=2)
    assert [r.places for r in first] == [r.places for r in again]
    for result in first:
        for place in result.places:
            assert place is not None
            name, path = place
            assert name in project.all_names
            if path is not None:
                nodes = {n.path() for n in project.flow(name).root.iter()}
                assert path in nodes


def test_the_command_line_output_has_no_places():
    project = load([TEMPLATE])
    result = run_tests(project, [project.test("support")])[0]
    assert "places" not in json.dumps(_as_json(result))
