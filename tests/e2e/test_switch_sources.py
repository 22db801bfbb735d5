"""Switches with and without the flow server: the same calls run from the project in memory
(ProjectSource) and over loopback HTTP (HttpSource against a FlowServer) give the same
transcript, switch decisions included; and a sandbox call follows them too."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from importlib import resources

import httpx
import pytest

from gui.core.project import Project, load
from gui.core.runtime import CallInfo, HttpSource, Interpreter, ProjectSource, ScriptedCaller
from gui.core.runtime.events import SwitchTaken
from gui.core.runtime.sandbox import Credentials
from gui.core.server import FlowServer
from gui.core.switches import MatchKind, Switch, make_case

CREDENTIALS = Credentials("switch_test", "pa55-word", "core-token-2")
DIDS = ("15555550100",)
CALL = CallInfo(call_sid="c0ffee00-0000-4000-8000-000000000001")


@pytest.fixture
def project() -> Project:
    source = resources.files("gui.resources").joinpath("templates/ivr-menu.flexproj")
    with resources.as_file(source) as path:
        loaded = load([path])
    # A switch that chooses nothing, reached by pressing 9 in the menu, and one on the
    # caller's number: the failures and another parameter must agree too.
    menu = loaded.flow("menu")
    gather = menu.root.child(0)
    menu.set_attribute(gather, "action", "flow:by-caller")
    loaded.add_switch(
        Switch(
            "by-caller",
            "From",
            (make_case(MatchKind.PREFIX, "1555", "strict"),),
            "route",
        )
    )
    loaded.add_switch(
        Switch(
            "strict",
            "Digits",
            (
                make_case(MatchKind.VALUE, "1", "sales"),
                make_case(MatchKind.VALUE, "2", "support"),
                make_case(MatchKind.VALUE, "3", "route"),
            ),
        )
    )
    return loaded


def normalised(events, base: str) -> list[str]:
    """The events as JSON, with the server's URLs written as the project's flow: names and
    without the node (its line is the project file's in memory, the served flow's over HTTP)."""
    out = []
    for event in events:
        data = event.to_json()
        data.pop("node", None)
        out.append(repr(data).replace(f"{base}/flows/", "flow:"))
    return out


async def run_both(project: Project, server: FlowServer, digits: str):
    memory = Interpreter(ProjectSource(project), ScriptedCaller(digits), call=CALL)
    in_memory = await memory.run()
    async with HttpSource(
        f"{server.base_url}/flows/menu", flow_base_url=server.base_url
    ) as http_source:
        over_http = await Interpreter(http_source, ScriptedCaller(digits), call=CALL).run()
    return in_memory, over_http


@pytest.mark.parametrize(
    ("digits", "switches"),
    [
        ("", []),  # no input twice: goodbye, no switch
        ("1", ["by-caller", "strict"]),
        ("2", ["by-caller", "strict"]),
        ("3", ["by-caller", "strict", "route"]),  # strict goes on to route: menu again
        ("31", ["by-caller", "strict", "route", "route-again"]),
        ("9", ["by-caller"]),  # strict has no case and no otherwise: 404, the call ends
        ("w2", ["route-again"]),
        ("33", ["by-caller", "strict", "route", "route-again"]),
    ],
)
def test_project_source_and_http_source_agree_event_for_event(
    project, flow_server, digits, switches
):
    in_memory, over_http = asyncio.run(run_both(project, flow_server, digits))
    base = flow_server.base_url
    assert normalised(in_memory, base) == normalised(over_http, base)
    assert [e.switch for e in in_memory if isinstance(e, SwitchTaken)] == switches


def test_the_transcript_names_the_case_taken(project, flow_server):
    in_memory, over_http = asyncio.run(run_both(project, flow_server, "2"))
    for events in (in_memory, over_http):
        taken = [(e.switch, e.parameter, e.value, e.label, e.goto) for e in events
                 if isinstance(e, SwitchTaken)]  # fmt: skip
        assert taken == [
            ("by-caller", "From", "15555550100", "1555…", "strict"),
            ("strict", "Digits", "2", "2", "support"),
        ]
        said = [e.text for e in events if e.kind == "say"]
        assert said[-1].startswith("You have reached support")
        describe = next(e for e in events if isinstance(e, SwitchTaken)).describe()
        assert describe == "switch by-caller: From=15555550100 -> case '1555…' -> strict"


def test_no_flow_chosen_ends_the_call_the_same_way_both_ways(project, flow_server):
    in_memory, over_http = asyncio.run(run_both(project, flow_server, "9"))
    for events in (in_memory, over_http):
        error = next(e for e in events if e.kind == "error")
        assert "answered HTTP 404 Not Found" in error.message
        assert events[-1].kind == "ended"


def test_a_project_source_may_start_at_a_switch_and_uses_its_clock(project):
    hours = make_case(MatchKind.HOURS, "Mon-Fri 09:00-17:00", "support", "Europe/London")
    project.add_switch(Switch("hours", "", (hours,), "goodbye"))
    monday_ten = datetime(2026, 12, 7, 10, 0, tzinfo=UTC).timestamp()  # London is on UTC
    sunday = monday_ten - 86_400
    for when, flow in ((monday_ten, "support"), (sunday, "goodbye")):
        source = ProjectSource(project, "hours", clock=lambda when=when: when)
        assert source.entry_url == "flow:hours"
        events = asyncio.run(Interpreter(source, ScriptedCaller("")).run())
        (taken,) = [e for e in events if isinstance(e, SwitchTaken)]
        assert taken.goto == flow
    with pytest.raises(KeyError, match="no flow or switch named 'nope'"):
        ProjectSource(project, "nope")


# -- the sandbox ----------------------------------------------------------------------------


@pytest.fixture
def sandbox_options() -> dict:
    return {"credentials": CREDENTIALS, "dids": DIDS}


def test_a_sandbox_call_follows_the_switch_and_its_transcript_names_the_case(
    api: httpx.Client, flow_server: FlowServer
):
    body = {
        "calling_did": DIDS[0],
        "called_did": "15551230000",
        "url": flow_server.flow_urls()["menu"],
        "attributes": {"dtmf": "2"},
    }
    call = api.post("/calls", json=body).json()
    deadline = time.monotonic() + 10
    while True:
        status = api.get(f"/calls/{call['call_sid']}").headers["X-Sandbox-Call-Status"]
        if status not in ("scheduled", "in-progress"):
            break
        assert time.monotonic() < deadline, status
        time.sleep(0.02)
    # What the sandbox saw of the call: its own route, beside CarrierX's /flexml/v1.
    root = str(api.base_url).rstrip("/").removesuffix("/flexml/v1")
    done = api.get(f"{root}/sandbox/calls/{call['call_sid']}").json()
    assert done["status"] == "completed"
    transcript = done["transcript"]
    taken = [e for e in transcript if e["event"] == "switch_taken"]
    assert [(e["switch"], e["label"], e["goto"]) for e in taken] == [
        ("by-caller", "1555…", "strict"),
        ("strict", "2", "support"),
    ]
    said = [e["text"] for e in transcript if e["event"] == "say"]
    assert said[-1].startswith("You have reached support")
    (record,) = [r for r in flow_server.records() if r.decisions]
    assert record.chosen_flow == "support" and record.path == "/flows/by-caller"
