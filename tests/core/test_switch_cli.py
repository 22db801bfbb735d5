"""Switches on the command line, run as a real program: `simulate` follows them and prints the
case taken, `export` writes the flows and says which URLs need `serve` (and refuses to write
a switch), `validate` reports switch problems with line and column."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from tests.core.test_cli import cli, one_user_error


@pytest.fixture
def work(tmp_path) -> Path:
    source = resources.files("gui.resources").joinpath("templates/ivr-menu.flexproj")
    (tmp_path / "ivr.flexproj").write_text(source.read_text("utf-8"), "utf-8")
    return tmp_path


# -- simulate -------------------------------------------------------------------------------


def test_simulate_digits_2_on_the_ivr_template_reaches_support(work):
    run = cli("simulate", "ivr.flexproj", "--digits", "2", cwd=work)
    assert run.code == 0, run
    lines = [line.split("s  ", 1)[1] for line in run.out.splitlines()]
    assert "POST flow:route -> 200 (Digits=2 FinishKey=null)" in lines
    taken = lines.index("switch route: Digits=2 -> case '2' -> support")
    assert lines[taken + 1] == (
        "say 'You have reached support. Nobody is available right now. Goodbye.' (voice woman)"
    )


AGAIN = "route: otherwise -> menu-again"


@pytest.mark.parametrize(
    ("digits", "cases", "last_said"),
    [
        ("1", ["route: 1 -> sales"], "You have reached sales"),
        ("9", [AGAIN], "We did not get your choice"),  # then no input
        ("92", [AGAIN, "route-again: 2 -> support"], "You have reached support"),
        ("99", [AGAIN, "route-again: otherwise -> goodbye"], "We did not"),
        ("", [], "We did not get your choice"),  # no input: the menu once more, then goodbye
    ],
)
def test_simulate_json_names_each_case_taken(work, digits, cases, last_said):
    run = cli("simulate", "ivr.flexproj", "--digits", digits, "--json", cwd=work)
    assert run.code == 0, run
    events = [json.loads(line) for line in run.out.splitlines()]
    taken = [e for e in events if e["event"] == "switch_taken"]
    assert [f"{e['switch']}: {e['label']} -> {e['goto']}" for e in taken] == cases
    for event in taken:
        assert event["parameter"] == "Digits" and set(event) >= {"value", "at"}
    said = [e["text"] for e in events if e["event"] == "say"]
    assert said[-1].startswith(last_said)
    assert events[-1]["event"] == "ended"


def test_simulate_may_start_at_a_switch(work):
    run = cli("simulate", "ivr.flexproj", "--flow", "route", "--digits", "1", cwd=work)
    assert run.code == 0, run
    assert "switch route: no Digits -> otherwise -> menu-again" in run.out


def test_simulate_an_unknown_start_lists_flows_and_switches(work):
    run = cli("simulate", "ivr.flexproj", "--flow", "nope", cwd=work)
    one_user_error(run, 2, "no flow named 'nope'", "goodbye, route, route-again")


# -- export ---------------------------------------------------------------------------------


def test_export_all_writes_every_flow_then_says_which_urls_need_serve(work):
    base = ("--base-url", "https://a.example/ivr")
    run = cli("export", "ivr.flexproj", "--all", "out", *base, cwd=work)
    assert run.code == 0, run
    written = sorted(p.name for p in (work / "out").iterdir())
    assert written == ["goodbye.xml", "menu-again.xml", "menu.xml", "sales.xml", "support.xml"]
    assert 'action="https://a.example/ivr/flows/route"' in (work / "out" / "menu.xml").read_text()
    assert run.err_lines == [
        "exported 5 flows to out",
        "flexml-studio: note: 2 switches cannot be a static file; these URLs need a running "
        "`flexml-studio serve`:",
        "  https://a.example/ivr/flows/route  (switch route, used by menu)",
        "  https://a.example/ivr/flows/route-again  (switch route-again, used by menu-again)",
    ]


def test_export_of_one_flow_that_leads_to_a_switch_says_so_too(work):
    run = cli("export", "ivr.flexproj", "--flow", "menu", cwd=work)
    assert run.code == 0, run
    assert "<Gather" in run.out
    assert "  flow:route  (switch route, used by menu)" in run.err_lines


def test_a_flow_whose_references_all_lead_to_flows_exports_as_today(work):
    run = cli("export", "ivr.flexproj", "--flow", "sales", "-o", "sales.xml", cwd=work)
    assert (run.code, run.out, run.err) == (0, "", "")
    assert "<Hangup/>" in (work / "sales.xml").read_text()


def test_export_flow_switch_is_a_clear_usage_error(work):
    run = cli("export", "ivr.flexproj", "--flow", "route", cwd=work)
    one_user_error(
        run,
        2,
        "'route' is a switch, not a flow",
        "which a static file cannot do",
        "flexml-studio serve",
        "(sales, support, menu-again)",
    )


# -- validate -------------------------------------------------------------------------------


def test_validate_reports_switch_problems_with_line_and_column(work):
    text = (work / "ivr.flexproj").read_text()
    text = text.replace('<case value="2" goto="support"/>', '<case value="2" goto="suport"/>', 1)
    (work / "ivr.flexproj").write_text(text)
    run = cli("validate", "ivr.flexproj", cwd=work)
    assert run.code == 1, run
    line = text.splitlines().index('    <case value="2" goto="suport"/>') + 1
    assert f"ivr.flexproj:{line}:5: error: " in run.out
    assert "goto 'suport' leads nowhere" in run.out
    assert "[switch route]" in run.out and "[flow route]" not in run.out
