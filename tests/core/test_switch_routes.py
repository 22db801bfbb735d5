"""What the flow server answers for a switch, decided without a socket (routes.route is pure),
its snapshot, its record, and replaying a logged switch request at its own time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.server import RequestRecord, Snapshot, route
from gui.core.server.replay import answer, replay
from gui.core.switches import Decision, MatchKind, Switch, make_case

BASE = "https://a.example/app"
OPEN = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
CLOSED = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # Sunday night in New York


def project() -> Project:
    p = Project()
    p.add_flow("menu", parse(b'<Response><Gather action="flow:route" numDigits="1"/></Response>'))
    p.add_flow("sales", parse(b"<Response><Say>Sales</Say></Response>"))
    p.add_flow("support", parse(b"<Response><Say>Support</Say></Response>"))
    p.add_flow("closed", parse(b"<Response><Say>Closed</Say></Response>"))
    p.add_switch(
        Switch(
            "hours",
            "",
            (make_case(MatchKind.HOURS, "Mon-Fri 09:00-17:00", "route", "America/New_York"),),
            "closed",
        )
    )
    p.add_switch(
        Switch(
            "route",
            "Digits",
            (make_case(MatchKind.VALUE, "1", "sales"), make_case(MatchKind.VALUE, "2", "support")),
            "menu",
        )
    )
    p.add_switch(Switch("strict", "Digits", (make_case(MatchKind.VALUE, "1", "sales"),)))
    p.add_switch(Switch("lost", "Digits", (), "gone"))
    p.add_switch(Switch("loop-a", "Digits", (), "loop-b"))
    p.add_switch(Switch("loop-b", "Digits", (), "loop-a"))
    return p


@pytest.fixture
def snapshot() -> Snapshot:
    return Snapshot.from_project(project(), BASE)


def test_the_snapshot_holds_the_switches_as_they_are(snapshot):
    assert list(snapshot.switches) == ["hours", "route", "strict", "lost", "loop-a", "loop-b"]
    assert list(snapshot.flows) == ["menu", "sales", "support", "closed"]
    with pytest.raises(TypeError):
        snapshot.switches["x"] = None  # type: ignore[index]
    with pytest.raises(ValueError, match="both a flow and a switch"):
        Snapshot({"a": b"<Response/>"}, "a", {"a": Switch("a", "Digits")})


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize(
    ("params", "flow", "labels"),
    [
        ({"Digits": "1"}, "sales", ["1"]),
        ({"Digits": "2"}, "support", ["2"]),
        ({"Digits": "7"}, "menu", ["otherwise"]),
        ({}, "menu", ["otherwise"]),
    ],
)
def test_a_switch_answers_the_chosen_flow_in_the_same_response(
    snapshot, method, params, flow, labels
):
    found = route(snapshot, method, "/flows/route", params, OPEN)
    assert found.status == 200 and found.xml
    assert found.body is snapshot.flows[flow]  # the snapshot's own bytes, not a copy
    assert [d.label for d in found.decisions] == labels
    assert found.decisions[-1].goto == flow
    assert found.reads_fields is (method == "POST")


def test_switches_lead_on_to_switches_and_choose_by_the_time(snapshot):
    found = route(snapshot, "POST", "/flows/hours", {"Digits": "2"}, OPEN)
    assert found.body == snapshot.flows["support"]
    assert found.decisions == (
        Decision("hours", "", None, 0, "Mon-Fri 09:00-17:00", "route"),
        Decision("route", "Digits", "2", 1, "2", "support"),
    )
    closed = route(snapshot, "POST", "/flows/hours", {"Digits": "2"}, CLOSED)
    assert closed.body == snapshot.flows["closed"]
    assert [d.label for d in closed.decisions] == ["otherwise"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/flows/strict", 404, "not found: switch 'strict' has no case for Digits = '7'"),
        ("/flows/lost", 404, "not found: switch 'lost' goes to 'gone', which is no flow"),
        ("/flows/loop-a", 500, "internal error: the switches loop-a -> loop-b -> loop-a lead"),
    ],
)
def test_a_switch_that_chooses_no_flow_answers_a_one_line_error(snapshot, path, status, message):
    found = route(snapshot, "POST", path, {"Digits": "7"}, OPEN)
    assert (found.status, found.xml) == (status, False)
    assert found.body.decode().startswith(message)
    assert found.body.count(b"\n") == 1 and b"<" not in found.body
    assert found.reads_fields  # a POST's body was read to choose


def test_without_switches_nothing_changes(snapshot):
    assert route(snapshot, "GET", "/flows/sales").body is snapshot.flows["sales"]
    assert route(snapshot, "GET", "/flows/sales").decisions == ()
    assert route(snapshot, "GET", "/").body is snapshot.flows["menu"]  # the entry is a flow
    assert route(snapshot, "GET", "/flows/nope").status == 404
    assert route(snapshot, "DELETE", "/flows/route").status == 405


def test_a_reference_to_a_switch_is_exported_as_its_url(snapshot):
    assert f'action="{BASE}/flows/route"'.encode() in snapshot.flows["menu"]


# -- the record and replay ----------------------------------------------------------------


def record(params: dict, when: datetime, status: int = 200, body: bytes = b"") -> RequestRecord:
    found = route(Snapshot.from_project(project(), BASE), "POST", "/flows/hours", params, when)
    return RequestRecord(
        when.timestamp(), "POST", "/flows/hours", params, status, 0, 1.0, body, found.decisions
    )


def test_a_record_says_which_switch_what_it_looked_at_the_case_and_the_flow():
    logged = record({"Digits": "1", "CallSid": "c1"}, OPEN)
    assert logged.switch == "hours"
    assert logged.chosen_flow == "sales"
    data = logged.as_dict()
    assert data["switches"] == [
        {"switch": "hours", "parameter": "", "value": None, "case": "Mon-Fri 09:00-17:00",
         "goto": "route"},
        {"switch": "route", "parameter": "Digits", "value": "1", "case": "1", "goto": "sales"},
    ]  # fmt: skip
    plain = RequestRecord(0.0, "GET", "/flows/sales", {}, 200, 10, 1.0)
    assert "switches" not in plain.as_dict()
    assert (plain.switch, plain.chosen_flow) == (None, None)
    assert (
        RequestRecord(0.0, "GET", "/x", {}, 404, 1, 1.0, b"", logged.decisions).chosen_flow is None
    )


def test_replay_answers_a_logged_switch_request_with_its_params_at_its_time(snapshot):
    logged = record({"Digits": "2"}, CLOSED)
    status, body = replay(snapshot, logged)
    assert (status, body) == (200, snapshot.flows["closed"])  # closed then, whenever replayed
    logged = record({"Digits": "2"}, OPEN)
    assert replay(snapshot, logged) == (200, snapshot.flows["support"])
    # The project changed since: the replay says what it answers now.
    changed = project()
    changed.replace_switch(
        Switch("route", "Digits", (make_case(MatchKind.VALUE, "2", "sales"),), "menu")
    )
    now = Snapshot.from_project(changed, BASE)
    assert replay(now, logged) == (200, now.flows["sales"])


def test_answer_takes_params_and_a_moment_too(snapshot):
    assert answer(snapshot, "GET", "/flows/route", {"Digits": "1"}, OPEN) == (
        200,
        snapshot.flows["sales"],
    )
    assert answer(snapshot, "HEAD", "/flows/route", {"Digits": "1"}, OPEN) == (200, b"")


# -- answers remembered per snapshot --------------------------------------------------------


def test_the_server_remembers_answers_only_where_nothing_else_could_change_them():
    from gui.core.server.routes import MAX_CHOICES, _Choices

    timeless = project()
    timeless.remove_switch("hours")
    snapshot = Snapshot.from_project(timeless, BASE)
    choices = _Choices()
    first, said = choices.answer(snapshot, "route", "POST", {"Digits": "2", "CallSid": "a"}, 0.0)
    again, _ = choices.answer(snapshot, "route", "POST", {"Digits": "2", "CallSid": "b"}, 9.0)
    assert again is first and first.body is snapshot.flows["support"]
    assert said == [("X-FlexML-Switch", '["route","Digits","2",1,"2","support"]')]
    # Another method, value or snapshot is chosen afresh.
    assert choices.answer(snapshot, "route", "GET", {"Digits": "2"}, 0.0)[0] is not first
    assert (
        choices.answer(snapshot, "route", "POST", {"Digits": "1"}, 0.0)[0].body
        == (snapshot.flows["sales"])
    )
    edited = Snapshot.from_project(timeless, BASE)
    assert choices.answer(edited, "route", "POST", {"Digits": "2"}, 0.0)[0] is not first
    assert len(choices.remembered) == 1  # the old snapshot's answers are gone
    # A long value or a number is never kept; and there is a bound.
    choices.answer(edited, "route", "POST", {"Digits": "9" * 300}, 0.0)
    choices.answer(edited, "route", "POST", {"Digits": 2}, 0.0)
    assert len(choices.remembered) == 1
    for n in range(MAX_CHOICES + 10):
        choices.answer(edited, "route", "POST", {"Digits": str(n)}, 0.0)
    assert len(choices.remembered) == MAX_CHOICES


def test_with_opening_hours_every_answer_is_chosen_at_its_own_time(snapshot):
    from gui.core.server.routes import _Choices

    choices = _Choices()
    opened, _ = choices.answer(snapshot, "hours", "POST", {"Digits": "2"}, OPEN.timestamp())
    closed, _ = choices.answer(snapshot, "hours", "POST", {"Digits": "2"}, CLOSED.timestamp())
    assert opened.body == snapshot.flows["support"] and closed.body == snapshot.flows["closed"]
    assert choices.remembered == {}
    # A switch that leads to no opening hours is still remembered beside it.
    choices.answer(snapshot, "route", "POST", {"Digits": "2"}, OPEN.timestamp())
    assert [key[0] for key in choices.remembered] == ["route"]
    assert "hours" not in choices.timeless and "route" in choices.timeless


def test_an_opening_hours_answer_is_remembered_for_its_minute_only(snapshot):
    from datetime import timedelta

    from gui.core.server.routes import _Choices

    choices = _Choices()
    just_before = datetime(2026, 12, 7, 13, 59, 59, tzinfo=UTC)  # 08:59:59 in New York
    opening = datetime(2026, 12, 7, 14, 0, 0, tzinfo=UTC)  # 09:00:00: open
    closed, _ = choices.answer(snapshot, "hours", "POST", {"Digits": "2"}, just_before.timestamp())
    again, _ = choices.answer(
        snapshot, "hours", "POST", {"Digits": "2"}, just_before.timestamp() - 30
    )
    assert again is closed and closed.body == snapshot.flows["closed"]  # the same minute
    assert len(choices.timed) == 1 and choices.remembered == {}
    # The next minute is chosen afresh, and the old minute's answers are forgotten.
    opened, _ = choices.answer(snapshot, "hours", "POST", {"Digits": "2"}, opening.timestamp())
    assert opened.body == snapshot.flows["support"]
    assert len(choices.timed) == 1
    later = (opening + timedelta(seconds=59)).timestamp()
    assert choices.answer(snapshot, "hours", "POST", {"Digits": "2"}, later)[0] is opened
    # Other parameters in the same minute are chosen afresh too.
    sales, _ = choices.answer(snapshot, "hours", "POST", {"Digits": "1"}, later)
    assert sales.body == snapshot.flows["sales"]
