"""`flexml-studio test --through URL`: the project's tests run against a served copy, the
project's real flow server on 127.0.0.1, over HTTP; switch decisions come from its headers.
The results are those of the run in memory; a test that fixes the clock is skipped there
when the project has opening hours, never passed; what the server serves is what is tested.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from gui.core.flowtests.coverage import measure
from gui.core.flowtests.model import Expectation, FlowTest
from gui.core.flowtests.runner import FAILED, PASSED, SKIPPED, Reached, run_tests
from gui.core.project import Project, load
from gui.core.server import FlowServer
from tests.core.test_cli import cli
from tests.data import data_path

HOURS = """\
  <switch name="open-hours">
    <case hours="Mon-Fri 09:00-17:00" tz="America/New_York" goto="sales"/>
    <otherwise goto="goodbye"/>
  </switch>
  <test name="in hours" flow="open-hours" at="2026-12-07T10:00" tz="America/New_York">
    <expect flow="sales"/>
  </test>
  <test name="any time" flow="open-hours">
    <expect end="hangup"/>
  </test>
"""


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """A copy of the IVR menu template, with its tests."""
    source = resources.files("gui.resources").joinpath("templates/ivr-menu.flexproj")
    path = tmp_path / "ivr.flexproj"
    path.write_text(source.read_text("utf-8"), "utf-8")
    return path


def untimed(results):
    return [replace(r, seconds=0.0) for r in results]


def as_in_memory(results, base: str):
    """The results with the server's URLs written as the project's flow: names."""
    return [
        replace(
            r,
            seconds=0.0,
            transcript=tuple(line.replace(f"{base}/flows/", "flow:") for line in r.transcript),
        )
        for r in results
    ]


def test_the_same_tests_give_the_same_results_through_the_flow_server(project, flow_server):
    base = flow_server.base_url
    in_memory = run_tests(project)
    through = run_tests(project, through=base)
    assert [r.outcome for r in through] == [PASSED] * 6
    assert as_in_memory(through, base) == untimed(in_memory)
    # Really over HTTP: the server saw the calls, and its switches decided.
    paths = [record.path for record in flow_server.records()]
    assert paths.count("/flows/menu") == 6 and "/flows/route" in paths
    assert any(record.decisions for record in flow_server.records())
    # And coverage is the same, known from the URLs and the served verbs' paths.
    assert measure(project, through) == measure(project, in_memory)


def test_the_command_passes_through_the_servers_base_url_with_a_token(project, project_path):
    with FlowServer(token="through-the-token-1234") as server:
        server.publish_project(project)
        run = cli("test", project_path.name, "--through", server.base_url, cwd=project_path.parent)
        assert "/t/through-the-token-1234" in server.base_url
        assert len(server.records()) >= 6
    assert (run.code, run.err) == (0, ""), run.out
    lines = run.out.splitlines()
    assert all(line.startswith("PASS  ") for line in lines[:6])
    assert lines[-2:] == [
        "6 tests: 6 passed, 0 failed",
        "coverage: flows 5/5, verbs 12/12, switch cases 6/6",
    ]


@pytest.fixture
def served_copy_changed(project_path: Path) -> Iterator[FlowServer]:
    """A flow server serving the project with the sales flow saying something else, while
    the project file (which the tests are read from) is unchanged."""
    served = load([project_path])
    sales = served.flow("sales")
    served.flow("sales").set_text(sales.root.child(0), "Sales speaking.")
    with FlowServer() as server:
        server.publish_project(served)
        yield server


def test_what_the_server_serves_is_what_is_tested(project_path, served_copy_changed):
    base = served_copy_changed.base_url
    run = cli("test", project_path.name, "--through", base, cwd=project_path.parent)
    assert run.code == 1
    lines = run.out.splitlines()
    assert 'FAIL  sales: expected say "You have reached sales" (step 5 of 6)' in lines
    assert any(line.startswith("      > ") and "Sales speaking." in line for line in lines)
    # In memory the project file's own flows pass.
    assert cli("test", project_path.name, cwd=project_path.parent).code == 0


@pytest.fixture
def hours_project(project_path: Path) -> tuple[Path, Project]:
    text = project_path.read_text("utf-8").replace("</flexml-project>", HOURS + "</flexml-project>")
    project_path.write_text(text, "utf-8")
    return project_path, load([project_path])


def test_a_test_with_a_fixed_clock_is_skipped_through_a_server_never_passed(hours_project):
    path, project = hours_project
    (in_memory,) = run_tests(project, [project.test("in hours")])
    assert in_memory.outcome == PASSED
    with FlowServer() as server:
        server.publish_project(project)
        base = server.base_url
        report = path.parent / "junit.xml"
        names = ["--name", "*hours", "--name", "any time"]
        options = ["--through", base, "--junit-xml", str(report)]
        run = cli("test", path.name, *names, *options, cwd=path.parent)
    assert run.code == 0, run.out
    lines = run.out.splitlines()
    skip = next(line for line in lines if line.startswith("SKIP "))
    assert re.fullmatch(
        rf"SKIP  in hours: the test fixes the clock at 2026-12-07T10:00, but the server at "
        rf"{re.escape(base)} decides opening hours by its own clock",
        skip,
    )
    assert any(line.startswith("PASS  any time") for line in lines)
    assert lines[-2] == "2 tests: 1 passed, 0 failed, 1 skipped"
    document = etree.parse(str(report))
    assert etree.XMLSchema(etree.parse(str(data_path("junit.xsd")))).validate(document)
    (case,) = [c for c in document.iter("testcase") if c.get("name") == "in hours"]
    assert case.find("skipped").get("message").startswith("the test fixes the clock")
    # The count of skipped tests is on the suite (GitLab and GitHub read it there), not on
    # <testsuites>, which Jenkins' schema gives no such attribute.
    (suite,) = document.getroot()
    assert (suite.get("skipped"), document.getroot().get("skipped")) == ("1", None)


def test_without_opening_hours_a_fixed_clock_changes_nothing_and_the_test_runs(
    project, flow_server
):
    test = replace(project.test("sales"), at="2026-12-06T03:00", tz="Europe/London")
    (result,) = run_tests(project, [test], through=flow_server.base_url)
    assert result.outcome == PASSED


def test_a_server_that_cannot_be_reached_fails_each_test_with_the_reason(project, free_port):
    (result,) = run_tests(project, [project.test("sales")], through=f"http://127.0.0.1:{free_port}")
    assert result.outcome != SKIPPED and not result.passed
    assert result.headline().startswith('expected say "For sales, press 1" (step 1 of 6); ')
    assert "the call ended with an error: " in result.headline()
    assert "cannot connect" in result.cause


TOKEN = "never-in-a-report-7f3a9c"


def test_the_servers_token_is_in_no_report(hours_project):
    path, _ = hours_project
    folder = path.parent
    served = load([path])  # saying something else in sales: a test fails, with its transcript
    sales = served.flow("sales")
    sales.set_text(sales.root.child(0), "Sales speaking.")
    reports = ["--junit-xml", "junit.xml", "--coverage-json", "coverage.json", "--coverage"]
    with FlowServer(token=TOKEN) as server:
        server.publish_project(served)
        base = server.base_url
        assert base.endswith(f"/t/{TOKEN}")
        runs = [
            cli("test", path.name, "--through", base, *options, cwd=folder)
            for options in ([], ["--json"], reports)
        ]
        assert len(server.records()) >= 3 * 7  # the calls were made, with the token
    masked = base.replace(TOKEN, "***")
    for run in runs:
        assert run.code == 1, run.out
        assert TOKEN not in run.out + run.err
    lines = runs[0].out.splitlines()
    assert 'FAIL  sales: expected say "You have reached sales" (step 5 of 6)' in lines
    assert any(f"POST {masked}/flows/route -> 200" in line for line in lines)
    assert (
        f"SKIP  in hours: the test fixes the clock at 2026-12-07T10:00, but the server at "
        f"{masked} decides opening hours by its own clock"
    ) in lines
    results = [json.loads(line) for line in runs[1].out.splitlines()][:-1]
    assert any(f"{masked}/flows/menu" in line for r in results for line in r["transcript"])
    junit = (folder / "junit.xml").read_text("utf-8")
    assert f"{masked}/flows/menu" in junit and TOKEN not in junit
    assert TOKEN not in (folder / "coverage.json").read_text("utf-8")


def test_a_short_token_is_masked_where_it_stands_alone(project, free_port):
    base = f"http://127.0.0.1:{free_port}/t/q7z"
    (result,) = run_tests(project, [project.test("sales")], through=base)
    said = "\n".join([result.headline(), *result.transcript])
    assert "cannot connect" in said and f"127.0.0.1:{free_port}/t/***/flows/menu" in said
    assert "q7z" not in said


def test_a_refused_through_url_does_not_show_its_token(project_path):
    url = f"http://127.0.0.1:8080/t/{TOKEN}?token={TOKEN}"
    run = cli("test", project_path.name, "--through", url, cwd=project_path.parent)
    assert run.code == 2 and len(run.err_lines) == 1 and "is not an http(s) base URL" in run.err
    assert TOKEN not in run.err and "/t/***?token=***" in run.err


def test_a_run_where_every_test_is_skipped_checked_nothing_and_fails(hours_project):
    path, project = hours_project
    with FlowServer() as server:
        server.publish_project(project)
        run = cli(
            "test", path.name, "--name", "in hours", "--through", server.base_url, cwd=path.parent
        )
    assert run.code == 1 and run.err == ""
    assert run.out.splitlines()[-2] == (
        "1 test: 0 passed, 0 failed, 1 skipped (all skipped: nothing was checked)"
    )


def test_a_refused_request_reaches_no_flow(project, project_path):
    """A wrong token: the server answers 403, so neither coverage nor `<expect flow>` may
    count the flow requested as reached."""
    wanted = FlowTest("menu only", "menu", expectations=(Expectation("flow", "menu"),))
    with FlowServer(token=TOKEN) as server:
        server.publish_project(project)
        wrong = server.base_url.replace(TOKEN, "wrong-token-0000")
        (result,) = run_tests(project, [wanted], through=wrong)
        (right,) = run_tests(project, [wanted], through=server.base_url)
        folder = project_path.parent
        options = ["--name", "support", "--coverage-json", "coverage.json"]
        run = cli("test", project_path.name, "--through", wrong, *options, cwd=folder)
    assert right.passed and right.reached.flows  # the same test, let in
    assert any(line.endswith("/flows/menu -> 403") for line in result.transcript)
    assert result.outcome == FAILED and result.reached == Reached()
    assert result.headline().startswith('expected flow "menu" (step 1 of 1); ')
    assert "HTTP 403" in result.cause
    assert run.code == 1 and run.out.splitlines()[-1].startswith("coverage: flows 0/5, verbs 0/")
    coverage = json.loads((folder / "coverage.json").read_text("utf-8"))
    assert coverage["flows"]["reached"] == 0 and coverage["switch_cases"]["reached"] == 0
