"""Coverage of flow tests: which flows, verbs and switch cases the tests reached, counted
exactly; and the templates and the sample, whose tests pass and reach every path."""

from __future__ import annotations

from importlib import resources

import pytest

from gui.core.flowtests.coverage import measure
from gui.core.flowtests.model import Expectation, FlowTest
from gui.core.flowtests.runner import SKIPPED, FlowTestResult, run_tests
from gui.core.project import Project, load
from gui.core.project_file import read_project
from gui.core.templates import templates

PROJECT = """\
<?xml version="1.0" encoding="UTF-8"?>
<flexml-project format="1" entry="menu">
  <flow name="menu">
    <Response>
      <Gather action="flow:route" numDigits="1">
        <Say>Press 1 or 2</Say>
      </Gather>
      <Say>Nothing pressed</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="one">
    <Response>
      <Dial>
        <Number>15162065300</Number>
      </Dial>
      <Hangup/>
    </Response>
  </flow>
  <flow name="two">
    <Response>
      <Say>Two</Say>
      <Hangup/>
    </Response>
  </flow>
  <flow name="orphan">
    <Response>
      <Hangup/>
    </Response>
  </flow>
  <switch name="route" on="Digits">
    <case value="1" goto="one"/>
    <case value="1" goto="two"/>
    <case values="2 3" goto="two"/>
    <otherwise goto="menu"/>
  </switch>
</flexml-project>
"""


@pytest.fixture
def project() -> Project:
    return Project.from_contents(read_project(PROJECT.encode()))


def calls_for(*digits: str) -> list[FlowTest]:
    return [FlowTest(f"press {d}", "menu", d, (Expectation("end", "hangup"),)) for d in digits]


def test_one_path_reaches_its_flows_verbs_and_case(project):
    coverage = measure(project, run_tests(project, calls_for("1")))
    # Flows: menu and one of four (the switch is no flow). Verbs: Gather, its Say, Dial and
    # Hangup of 9 (Number is a noun). Cases: '1' of three ('1' twice counts once) and otherwise.
    assert coverage.summary() == "flows 2/4, verbs 4/9, switch cases 1/3"
    assert coverage.flows.missed == ("two", "orphan")
    assert [(v.flow, v.path) for v in coverage.verbs.missed] == [
        ("menu", "/Response/Say[1]"),
        ("menu", "/Response/Hangup[1]"),
        ("two", "/Response/Say[1]"),
        ("two", "/Response/Hangup[1]"),
        ("orphan", "/Response/Hangup[1]"),
    ]
    assert [(c.switch, c.label, c.index) for c in coverage.cases.missed] == [
        ("route", "2 or 3", 2),
        ("route", "otherwise", None),
    ]


def test_more_paths_reach_more_and_what_is_missed_is_listed_with_its_line(project):
    coverage = measure(project, run_tests(project, calls_for("1", "3", "9w")))
    assert coverage.summary() == "flows 3/4, verbs 8/9, switch cases 3/3"
    assert coverage.missed_lines() == [
        "not reached: flow orphan",
        "not reached: Hangup in orphan at /Response/Hangup[1] (line 28)",
    ]
    data = coverage.to_json()
    assert data["flows"] == {"total": 4, "reached": 3, "missed": ["orphan"]}
    assert data["verbs"]["missed"] == [
        {"flow": "orphan", "path": "/Response/Hangup[1]", "verb": "Hangup", "line": 28}
    ]
    assert data["switch_cases"] == {"total": 3, "reached": 3, "missed": []}


def test_tests_that_did_not_run_reach_nothing(project):
    results = [FlowTestResult("skipped", "menu", SKIPPED, "the clock")]
    assert measure(project, results).summary() == "flows 0/4, verbs 0/9, switch cases 0/3"
    assert measure(project, []).flows.missed == ("menu", "one", "two", "orphan")


# -- the templates and the sample ---------------------------------------------------------------


def _sample() -> Project:
    source = resources.files("gui.resources").joinpath("samples/sample.flexproj")
    with resources.as_file(source) as path:
        return load([path])


PROJECTS = [(t.name, t.load) for t in templates()] + [("sample", _sample)]


@pytest.mark.parametrize(("name", "loader"), PROJECTS, ids=[n for n, _ in PROJECTS])
def test_templates_and_the_sample_come_with_passing_tests_that_reach_every_path(name, loader):
    project = loader()
    assert project.tests, f"{name} has no tests"
    assert all(problems == [] for problems in project.lint_tests().values())
    results = run_tests(project)
    failed = [(r.name, r.headline(), r.context()) for r in results if not r.passed]
    assert failed == []
    coverage = measure(project, results)
    assert coverage.flows.missed == ()
    assert coverage.verbs.missed == ()
    assert coverage.cases.missed == ()
