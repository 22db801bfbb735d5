"""A call's SID written either way reaches the same call in Services.

The sandbox (and the API, and the call log) say a call's SID as a dashed UUID, while the
requests CarrierX sends carry it as 32 hex digits (FLEXML.md §7). Services matches the two:
the requests of a call (`records_for`) and the reason a sandbox call failed, which its
status callback (hex) brings to the call log entry (dashed).
"""

from __future__ import annotations

import httpx
import pytest

from gui.core.calllog import CallLog
from gui.core.flexml import parse
from gui.core.project import Project
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.qt.common.services import Services

CREDENTIALS = Credentials("sids_login", "sids-s3cret-PASS", "sids-core-token")


def _project() -> Project:
    project = Project()
    project.add_flow("main", parse(b"<Response><Say>Hello</Say></Response>"))
    project.entry = "main"
    return project


@pytest.fixture
def log(tmp_path):
    with CallLog(tmp_path / "calls.sqlite3") as log:
        yield log


@pytest.fixture
def following(log, qtbot):
    made = Services(_project, call_log=log)
    made.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS)  # as fast as it can
    yield made
    made.shutdown()
    made.deleteLater()


def _place(services: Services, **body) -> dict:
    box = services.sandbox()
    body = {"calling_did": box.dids[0], "called_did": "15162065318", **body}
    auth = (CREDENTIALS.login, CREDENTIALS.password)
    answer = httpx.post(f"{box.api_url}/calls", json=body, auth=auth, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_requests_of_a_call_are_found_by_either_form_of_its_sid(following, qtbot):
    server = following.flow_server()
    call = _place(
        following,
        url=f"{server.base_url}/flows/main",
        status_callback_url=f"{server.base_url}/status",
    )
    sid = call["call_sid"]
    qtbot.waitUntil(
        lambda: [r.path for r in following.records_for(sid)] == ["/flows/main", "/status"],
        timeout=5000,
    )
    records = following.records_for(sid)
    assert {r.call_sid for r in records} == {sid.replace("-", "")}  # what CarrierX sends
    assert following.records_for(sid.replace("-", "")) == records
    assert following.records_for(sid.upper()) == records
    assert following.records_for("0" * 32) == []


def test_the_reason_a_call_failed_reaches_the_log_through_its_hex_status_callback(
    following, log, qtbot
):
    server = following.flow_server()
    # No url, and the sandbox's DIDs have none: the call fails at once, saying why, and its
    # status callback (CallSid in hex) is the first word of its end the log hears.
    call = _place(following, status_callback_url=f"{server.base_url}/status")
    entry = log.add(
        "Sandbox",
        call["calling_did"],
        call["called_did"],
        "",
        "POST",
        call_sid=call["call_sid"],
        outcome="placed",
        details={"call_sid": call["call_sid"], "timeout": 30},
    )
    qtbot.waitUntil(lambda: log.get(entry.id).outcome == "failed", timeout=5000)
    failed = log.get(entry.id)
    assert failed.final_status["source"] == "status callback"
    assert failed.error.startswith("the call has no url and DID ")
    assert "PATCH /dids/" in failed.error and "sandbox --did-url" in failed.error
