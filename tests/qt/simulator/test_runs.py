"""The simulator's runs without a panel: transcript lines, where a run is, how it ends, and
the history that keeps the last few (gui.qt.simulator.runs imports no Qt)."""

from __future__ import annotations

from datetime import datetime

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.events import (
    Ended,
    Error,
    Fetched,
    GatherDone,
    GatherStarted,
    Pause,
    Say,
    Started,
)
from gui.qt.simulator.runs import (
    HISTORY_SIZE,
    LineKind,
    Run,
    RunHistory,
    RunKind,
    event_line,
    find_by_path,
    waiting_text,
)

MENU = (
    b'<Response><Say>Hi</Say><Gather action="flow:choice" numDigits="1">'
    b"<Say>Press 1</Say><Say>or 2</Say></Gather></Response>"
)


def _project() -> Project:
    project = Project()
    project.add_flow("main", parse(MENU))
    project.add_flow("choice", parse(b"<Response><Hangup/></Response>"))
    return project


def _gather(node=None, **fields) -> GatherStarted:
    values = {"num_digits": 1, "finish_on_key": "#", "timeout": 8, **fields}
    return GatherStarted(node=node, **values)


def _started(url: str = "flow:main") -> Started:
    return Started(
        call_sid="sid-1",
        from_number="15162065319",
        to_number="15162065318",
        direction="inbound",
        url=url,
        method="POST",
    )


# -- waiting_text and event_line ----------------------------------------------------------------


def test_waiting_text_names_every_rule_and_where_the_keys_go():
    gather = _gather(valid_digits="12", action="flow:choice")
    assert waiting_text(gather) == (
        "Waiting for keys: numDigits 1, finish #, only 12, timeout 8 s -> flow:choice"
    )


def test_waiting_text_without_a_limit_a_finish_key_or_an_action():
    gather = _gather(num_digits=None, finish_on_key=None, timeout=5)
    assert waiting_text(gather) == (
        "Waiting for keys: any number of keys, no finish key, timeout 5 s "
        "(no action: the next verb runs)"
    )


def test_event_lines_carry_the_call_time_and_their_kind():
    say = event_line(Say(text="Hi", voice="man", loop=1, at=1.25))
    assert say.text == "1.2 s  say 'Hi' (voice man)" and say.kind is LineKind.SAY
    error = event_line(Error(message="no such flow", at=3.0))
    assert error.text.startswith("3.0 s  ") and error.kind is LineKind.ERROR
    assert event_line(Pause(seconds=2)).kind is LineKind.EVENT


# -- find_by_path -------------------------------------------------------------------------------


def test_find_by_path_finds_the_node_at_the_same_place():
    document = parse(MENU)
    gather = document.root.child(1)
    second = gather.child(1)
    assert find_by_path(document, second.path(), "Say") is second
    assert find_by_path(document, gather.path(), "Gather") is gather
    assert find_by_path(document, "/Response", "Response") is document.root


def test_find_by_path_is_none_where_the_flow_has_changed():
    document = parse(MENU)
    assert find_by_path(document, "/Response/Gather[1]/Say[3]", "Say") is None  # too few
    assert find_by_path(document, "/Response/Say[1]", "Gather") is None  # another verb
    assert find_by_path(document, "/Other/Say[1]", "Say") is None  # another root
    assert find_by_path(document, "/Response/Say[x]", "Say") is None  # not a path
    assert find_by_path(document, "/Response/Say[0]", "Say") is None


# -- Run ----------------------------------------------------------------------------------------


def test_a_run_follows_its_gather_its_pause_and_its_end():
    project = _project()
    main = project.flow("main")
    gather_node = main.root.child(1)
    run = Run(RunKind.SIMULATED, "main (instant)", in_project=True)
    assert run.simulated and run.live
    run.add(_started())
    run.add(Say(node=main.root.child(0), text="Hi", voice="man", loop=1))
    assert run.running_node(project) is main.root.child(0)
    gather = _gather(node=gather_node)
    run.add(gather)
    assert run.gather is gather and run.sent == ""
    assert run.running_node(project) is gather_node
    run.add(GatherDone(node=gather_node, digits="1", finish_key=None, timed_out=False))
    assert run.gather is None
    pause = Pause(seconds=3)
    run.add(pause)
    assert run.pause is pause
    run.add(Say(text="Bye", voice="man", loop=1))
    assert run.pause is None  # only while it is the latest event
    run.add(Ended(call_status="completed", duration=4))
    assert not run.live and run.status == "completed"
    assert run.gather is None and run.node is None
    assert run.running_node(project) is None
    assert [line.kind for line in run.lines][-1] is LineKind.EVENT
    assert len(run.lines) == 7


def test_a_run_in_the_project_ignores_nodes_that_were_deleted():
    project = _project()
    run = Run(RunKind.SIMULATED, "main", in_project=True)
    stray = parse(MENU).root.child(0)  # a node of no flow of the project
    run.add(Say(node=stray, text="Hi", voice="man", loop=1))
    assert run.node is stray
    assert run.running_node(project) is None


def test_a_run_over_http_finds_the_project_node_at_the_same_place():
    project = _project()
    served = parse(MENU)  # what the flow server answered: a copy, not the project's nodes
    urls = {"http://127.0.0.1:8080/flows/main": "main"}
    run = Run(RunKind.SANDBOX, "Sandbox call sid-1", call_sid="sid-1", flow_of=urls.get)
    assert not run.simulated
    run.add(_started("http://127.0.0.1:8080/flows/main"))
    assert run.flow == "main"
    run.add(Say(node=served.root.child(0), text="Hi", voice="man", loop=1))
    assert run.running_node(project) is project.flow("main").root.child(0)
    # A sandbox call's keys are awaited after the prompts: the Gather as a whole runs.
    run.add(_gather(node=served.root.child(1)))
    run.add(Say(node=served.root.child(1).child(0), text="Press 1", voice="man", loop=1))
    assert run.running_node(project) is project.flow("main").root.child(1)
    project.remove_flow("main")
    assert run.running_node(project) is None


def test_a_fetch_points_at_the_verb_that_asked_and_names_the_flow_it_fetched():
    project = _project()
    served = parse(MENU)
    urls = {"http://h/flows/main": "main", "http://h/flows/choice": "choice"}
    run = Run(RunKind.SANDBOX, "call", call_sid="sid", flow_of=urls.get)
    run.add(_started("http://h/flows/main"))
    gather = served.root.child(1)
    run.add(Fetched(node=gather, url="http://h/flows/choice", method="POST", status=200))
    assert run.flow == "choice"
    # The node is the Gather of the flow the request was made from, not of the one fetched.
    assert run.node_flow == "main"
    assert run.running_node(project) is project.flow("main").root.child(1)
    run.add(
        Say(
            node=parse(b"<Response><Hangup/></Response>").root.child(0),
            text="x",
            voice="man",
            loop=1,
        )
    )
    assert run.node_flow == "choice"


def test_notes_labels_and_an_end_without_a_status():
    run = Run(RunKind.SIMULATED, "main (4x)")
    note = run.note("No speech engine")
    error = run.note("The run failed: boom", error=True)
    assert (note.kind, error.kind) == (LineKind.NOTE, LineKind.ERROR)
    assert run.lines == [note, error]
    clock = f"{run.started:%H:%M:%S}"
    assert run.label() == f"{clock} main (4x) — running"
    run.end(None)
    assert run.label() == f"{clock} main (4x) — ended: stopped"
    run.status = "failed"
    assert run.label().endswith("— ended: failed")
    assert isinstance(run.started, datetime)


# -- RunHistory ---------------------------------------------------------------------------------


def _ended(title: str) -> Run:
    run = Run(RunKind.SIMULATED, title)
    run.end("completed")
    return run


def test_the_history_keeps_the_last_runs_and_drops_ended_ones_first():
    history = RunHistory(size=3)
    old, live, middle = _ended("old"), Run(RunKind.SIMULATED, "live"), _ended("middle")
    for run in (old, live, middle):
        assert history.add(run) == []
    newest = _ended("newest")
    assert history.add(newest) == [old]
    assert list(history) == [live, middle, newest]
    # The live run is older than the ended ones, yet they go first.
    assert history.add(_ended("newer")) == [middle]
    assert live in list(history) and len(history) == 3
    assert history.live() == [live]


def test_when_every_run_is_live_the_oldest_goes():
    history = RunHistory(size=2)
    runs = [Run(RunKind.SIMULATED, str(i)) for i in range(3)]
    history.add(runs[0])
    history.add(runs[1])
    assert history.add(runs[2]) == [runs[0]]
    assert list(history) == runs[1:]


def test_a_sandbox_call_is_found_by_its_sid_and_iteration_is_a_copy():
    history = RunHistory()
    assert history.size == HISTORY_SIZE
    simulated = Run(RunKind.SIMULATED, "main", call_sid="sid-a")
    call = Run(RunKind.SANDBOX, "Sandbox call sid-a", call_sid="sid-a")
    history.add(simulated)
    history.add(call)
    assert history.sandbox_call("sid-a") is call  # not the simulated run with that SID
    assert history.sandbox_call("sid-b") is None
    for run in history:  # adding while iterating is safe: the loop sees the runs it began with
        history.add(_ended(f"after {run.title}"))
    assert len(history) == 4
