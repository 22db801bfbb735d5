"""Services makes each long-lived helper once, on first use; hands what the flow server's
thread reports to the GUI thread in a signal; moves each logged call to how it ended (status
callbacks, the sandbox's own end, the time limit); and ends everything, API clients included,
without event loop errors."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from gui.core.calllog import CallEntry, CallLog, CallLogError
from gui.core.flexml import parse
from gui.core.keychain import Keychain
from gui.core.profiles import Endpoint, ProfileStore
from gui.core.project import Project
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.core.server import FlowServer
from gui.core.session import Session
from gui.qt.common import tasks
from gui.qt.common.services import EXPIRY_MS, ServerConfig, Services

CREDENTIALS = Credentials("services_login", "services-s3cret-PASS", "services-core-token")
TOKEN = "services-T0KEN-42"


def _project() -> Project:
    project = Project()
    project.add_flow("main", parse(b"<Response><Say>Hello</Say></Response>"))
    project.entry = "main"
    return project


@pytest.fixture
def services(qtbot):
    made = Services(_project)
    yield made
    made.shutdown()
    made.deleteLater()


def test_the_sandbox_is_made_and_started_once_on_first_use(services, qtbot):
    made: list[Sandbox] = []

    def factory() -> Sandbox:
        made.append(Sandbox(credentials=CREDENTIALS))
        return made[-1]

    services.sandbox_factory = factory
    assert services.sandbox_running is None and made == []
    with qtbot.waitSignal(services.sandbox_started):
        box = services.sandbox()
    with qtbot.assertNotEmitted(services.sandbox_started):
        assert services.sandbox() is box
    assert made == [box] and box.running
    assert services.sandbox_running is box
    services.shutdown()
    assert not box.running and services.sandbox_running is None


def test_the_flow_server_is_made_once_and_serves_the_project(services, qtbot):
    configs: list[ServerConfig] = []

    def factory(config: ServerConfig) -> FlowServer:
        configs.append(config)
        return FlowServer(config.host, config.port, token=config.token)

    services.server_factory = factory
    assert services.flow_server_running is None
    with qtbot.waitSignal(services.flow_server_started):
        server = services.flow_server()
    assert services.flow_server() is server and configs == [ServerConfig()]
    assert server.running and set(server.snapshot.flows) == {"main"}
    with qtbot.waitSignal(services.flow_server_stopped):
        services.stop_flow_server()
    assert not server.running and services.flow_server_running is None


def test_the_stores_are_made_once_and_the_call_log_closed_at_the_end(services):
    profiles = services.profiles
    assert isinstance(profiles, ProfileStore) and services.profiles is profiles
    keychain = services.keychain
    assert isinstance(keychain, Keychain) and services.keychain is keychain
    log = services.call_log
    assert isinstance(log, CallLog) and services.call_log is log
    assert services.call_log_error is None
    services.shutdown()
    assert services.call_log is None  # ended: not opened again
    with pytest.raises(CallLogError, match="is closed"):
        log.entries()


def test_what_is_handed_in_is_used(tmp_path, qtbot):
    profiles = ProfileStore(tmp_path / "profiles.json")
    keychain = Keychain(file_path=tmp_path / "secrets.json")
    session = Session()
    with CallLog(tmp_path / "calls.sqlite3") as log:
        made = Services(
            _project, profiles=profiles, keychain=keychain, call_log=log, session=session
        )
        try:
            assert made.profiles is profiles and made.keychain is keychain
            assert made.call_log is log and made.session is session
        finally:
            made.shutdown()
            made.deleteLater()


def test_the_keychain_is_made_on_a_thread_and_announced_on_the_gui_thread(services, qtbot):
    main = threading.current_thread()
    ready: list[threading.Thread] = []
    services.open_keychain(lambda: ready.append(threading.current_thread()))
    qtbot.waitUntil(lambda: bool(ready), timeout=5000)
    assert ready == [main]
    keychain = services.keychain
    services.open_keychain(lambda: ready.append(threading.current_thread()))  # made: at once
    assert ready == [main, main] and services.keychain is keychain


def test_requests_reach_the_gui_thread_in_one_signal_per_batch(services, qtbot):
    services.configure_flow_server(ServerConfig(token=TOKEN))
    server = services.flow_server()
    received: list[tuple[list, threading.Thread]] = []
    services.server_records.connect(
        lambda records: received.append((records, threading.current_thread()))
    )
    url = f"{server.base_url}/flows/main"
    with qtbot.waitSignal(services.server_records, timeout=5000):
        # The GUI thread waits for each answer here, so the three records (written on the
        # server's thread before it answers) are all waiting when the timer next drains.
        for n in range(3):
            response = httpx.post(url, data={"CallSid": "call-1", "Digits": str(n)}, timeout=5)
            assert response.status_code == 200
    [(records, thread)] = received
    assert thread is threading.main_thread()
    assert [r.params["Digits"] for r in records] == ["0", "1", "2"]
    assert services.records_for("call-1") == records
    # Kept across a restart, and the token masked wherever the URL is shown.
    services.stop_flow_server()
    services.flow_server()
    assert services.records_for("call-1") == records
    assert TOKEN in url and TOKEN not in services.mask(url)
    assert services.mask({"url": url}) == {"url": url.replace(TOKEN, "…")}


def test_shutdown_then_aclose_ends_everything_without_loop_errors(services, qtbot, qloop, caplog):
    caplog.set_level(logging.WARNING)
    services.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS)
    box = services.sandbox()
    server = services.flow_server()
    endpoint = Endpoint("Sandbox", box.api_url, CREDENTIALS.login, CREDENTIALS.password, True)
    services.client_timeout = 5.0
    client = services.client(endpoint)
    dids: list = []

    async def use() -> None:
        dids.extend(await client.list_dids())

    tasks.start(use())
    qtbot.waitUntil(lambda: bool(dids) and not tasks.running(), timeout=5000)
    assert services.has_clients()

    services.shutdown()  # as the window closes: threads first, then the clients on the loop
    assert not box.running and not server.running
    tasks.start(services.aclose(), name="close API clients")
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    assert not services.has_clients()
    failed: list[BaseException] = []

    async def use_again() -> None:
        try:
            await client.list_dids()
        except RuntimeError as exc:
            failed.append(exc)

    tasks.start(use_again())
    qtbot.waitUntil(lambda: not tasks.running(), timeout=5000)
    assert [str(exc) for exc in failed] and "closed" in str(failed[0])
    assert [r.getMessage() for r in caplog.records] == []


# -- the call log follows each call to its end (issue 13) ----------------------------------------

SID = "3f2a9c1e-7b44-4d2e-9a0b-12cd34ef5678"


@pytest.fixture
def log(tmp_path):
    with CallLog(tmp_path / "calls.sqlite3") as log:
        yield log


@pytest.fixture
def following(log, qtbot):
    """Services over a log of their own (handed in), as the window's once its log is open."""
    made = Services(_project, call_log=log)
    yield made
    made.shutdown()
    made.deleteLater()


def _placed(log: CallLog, sid: str | None = SID, **details) -> CallEntry:
    return log.add(
        "work",
        "15555550100",
        "15162065318",
        "https://flows.example.com/",
        "POST",
        call_sid=sid,
        outcome="placed",
        details={"call_sid": sid, "timeout": 30, **details},
    )


def test_a_status_callback_to_the_flow_server_ends_the_logged_call(following, log, qtbot):
    server = following.flow_server()
    entry = _placed(log)
    other = _placed(log, "aaaaaaaa-1111-2222-3333-444444444444")
    # A request of a running call may carry CallStatus completed too (CarrierX's own sample
    # does): only what comes to /status ends a call.
    mid_call = {"CallSid": other.call_sid, "CallStatus": "completed"}
    assert httpx.post(f"{server.base_url}/flows/main", json=mid_call, timeout=5).is_success
    callback = {"CallSid": SID.replace("-", ""), "CallStatus": "completed", "CallDuration": "42"}
    with qtbot.waitSignal(following.server_records, timeout=5000):
        assert httpx.post(f"{server.base_url}/status", json=callback, timeout=5).is_success
    qtbot.waitUntil(lambda: log.get(entry.id).outcome == "completed", timeout=5000)
    ended = log.get(entry.id)
    assert ended.duration == 42 and ended.final_status["source"] == "status callback"
    assert log.get(other.id).outcome == "placed"


def test_a_sandbox_call_without_a_status_callback_still_ends_in_the_log(following, log, qtbot):
    following.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS)  # as fast as it can
    box = following.sandbox()
    server = following.flow_server()
    body = {
        "calling_did": box.dids[0],
        "called_did": "15162065318",
        "url": f"{server.base_url}/flows/main",
    }
    auth = (CREDENTIALS.login, CREDENTIALS.password)
    answer = httpx.post(f"{box.api_url}/calls", json=body, auth=auth, timeout=5)
    call = answer.json()
    assert answer.status_code == 200 and call["status_callback_url"] is None
    # Logged as the dial pad logs it: after POST /calls answered (the call may be over).
    entry = _placed(log, call["call_sid"])
    qtbot.waitUntil(lambda: log.get(entry.id).outcome == "completed", timeout=5000)
    ended = log.get(entry.id)
    assert ended.final_status["source"] == "sandbox" and ended.duration is not None


@pytest.mark.parametrize("status_callback", [False, True], ids=["no-callback", "callback"])
def test_a_sandbox_call_that_fails_keeps_the_reason_in_the_log(
    following, log, qtbot, status_callback
):
    following.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS)
    box = following.sandbox()
    server = following.flow_server()
    body = {
        "calling_did": box.dids[0],
        "called_did": "15162065318",
        "url": f"{server.base_url}/flows/nothing-here",
    }
    if status_callback:
        body["status_callback_url"] = f"{server.base_url}/status"
    auth = (CREDENTIALS.login, CREDENTIALS.password)
    call = httpx.post(f"{box.api_url}/calls", json=body, auth=auth, timeout=5).json()
    entry = _placed(log, call["call_sid"])
    qtbot.waitUntil(lambda: log.get(entry.id).outcome == "failed", timeout=5000)
    failed = log.get(entry.id)
    # The status callback says it failed, the sandbox says why.
    assert "404" in failed.error and "/flows/nothing-here" in failed.error
    source = "status callback" if status_callback else "sandbox"
    assert failed.final_status["source"] == source


def test_the_reason_a_sandbox_call_failed_is_kept_without_the_flow_servers_token(
    following, log, qtbot
):
    following.configure_flow_server(ServerConfig(token=TOKEN))
    following.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS)
    box = following.sandbox()
    server = following.flow_server()
    body = {
        "calling_did": box.dids[0],
        "called_did": "15162065318",
        "url": f"{server.base_url}/flows/nothing-here",  # /t/TOKEN/flows/...
        "status_callback_url": f"{server.base_url}/status",
    }
    assert TOKEN in body["url"]
    auth = (CREDENTIALS.login, CREDENTIALS.password)
    call = httpx.post(f"{box.api_url}/calls", json=body, auth=auth, timeout=5).json()
    entry = _placed(log, call["call_sid"])
    qtbot.waitUntil(lambda: log.get(entry.id).outcome == "failed", timeout=5000)
    failed = log.get(entry.id)
    assert "404" in failed.error and "/flows/nothing-here" in failed.error
    assert TOKEN not in failed.error  # the call log's file and panel never hold it


def test_a_status_heard_before_its_entry_is_looked_for_only_when_an_entry_is_added(
    following, log, qtbot
):
    server = following.flow_server()
    sid = "0123456789abcdef0123456789abcdef"
    callback = {"CallSid": sid, "CallStatus": "busy", "CallDuration": "0"}
    assert httpx.post(f"{server.base_url}/status", json=callback, timeout=5).is_success
    tracker = following.call_status
    qtbot.waitUntil(lambda: tracker.waiting() == 1, timeout=5000)
    searches = []
    find = log.find_call
    log.find_call = lambda call_sid: searches.append(call_sid) or find(call_sid)
    try:
        for _ in range(5):
            following._drain()  # nothing added: no search of the log
        assert searches == []
        entry = _placed(log, sid)  # the entry comes: the next drain finds the status
        qtbot.waitUntil(lambda: log.get(entry.id).outcome == "busy", timeout=5000)
        assert searches == [sid] and tracker.waiting() == 0
    finally:
        del log.find_call


def test_nothing_starts_once_the_services_are_shut_down(qtbot):
    from gui.core.runtime.sandbox import SandboxError
    from gui.core.server import ServerError

    made = Services(_project)
    made.shutdown()
    try:
        with pytest.raises(SandboxError, match="closing"):
            made.sandbox()
        with pytest.raises(ServerError, match="closing"):
            made.flow_server()
        assert made.sandbox_running is None and made.flow_server_running is None
    finally:
        made.deleteLater()


def test_calls_left_waiting_by_an_earlier_run_expire_when_the_log_is_followed(log, qtbot):
    old = log.add(
        "work",
        "1",
        "2",
        "u",
        "POST",
        call_sid=SID,
        outcome="placed",
        details={"timeout": 30, "status_callback_url": "https://x.example.com/status"},
        time=datetime.now(UTC) - timedelta(hours=5),
    )
    recent = _placed(log, "aaaaaaaa-1111-2222-3333-444444444444")
    made = Services(_project, call_log=log)
    try:
        assert log.get(old.id).outcome == "unknown"
        assert "within 4 h 1 min" in log.get(old.id).error
        assert log.get(recent.id).outcome == "placed"
        assert made.expiry_timer.isActive() and made.expiry_timer.interval() == EXPIRY_MS
    finally:
        made.shutdown()
        made.deleteLater()
    assert not made.expiry_timer.isActive()


def test_the_call_log_opened_on_first_use_is_followed_too(services):
    assert services.call_status is None
    log = services.call_log
    assert services.call_status is not None and services.call_status.log is log
    assert services.expiry_timer.isActive()


def test_the_timer_marks_a_call_that_heard_nothing_unknown(following, log, qtbot):
    following.max_call_seconds = 0.2
    following.expiry_timer.setInterval(20)
    entry = _placed(log, timeout=1)
    qtbot.waitUntil(lambda: log.get(entry.id).outcome == "unknown", timeout=5000)
    assert log.get(entry.id).error == (
        "No final status arrived within 2 s "
        "(the call had no status callback URL of its own, so no status could come here)"
    )


def test_a_log_that_cannot_be_written_is_said_not_raised(following, log, qtbot, caplog):
    server = following.flow_server()
    log.close()  # a log that fails every write from now on
    callback = {"CallSid": SID, "CallStatus": "busy", "CallDuration": "0"}
    with qtbot.waitSignal(following.call_status_failed, timeout=5000) as said:
        assert httpx.post(f"{server.base_url}/status", json=callback, timeout=5).is_success
    assert "is closed" in said.args[0]
    assert "a call's status was not logged" in caplog.text
    with qtbot.waitSignal(following.server_records, timeout=5000):  # the drain goes on
        assert httpx.post(f"{server.base_url}/flows/main", json={}, timeout=5).is_success


def test_shutdown_closes_the_api_clients_while_the_loop_runs(services, qtbot, qloop, caplog):
    caplog.set_level(logging.WARNING)
    services.sandbox_factory = lambda: Sandbox(credentials=CREDENTIALS)
    box = services.sandbox()
    endpoint = Endpoint("Sandbox", box.api_url, CREDENTIALS.login, CREDENTIALS.password, True)
    client = services.client(endpoint)
    dids: list = []

    async def use() -> None:
        dids.extend(await client.list_dids())

    tasks.start(use())
    qtbot.waitUntil(lambda: bool(dids) and not tasks.running(), timeout=5000)
    services.shutdown()  # no aclose task: the window's loop may end right after this
    assert not services.has_clients() and client._http.is_closed
    assert [r.getMessage() for r in caplog.records] == []


def test_without_a_running_loop_shutdown_leaves_the_clients_to_aclose(services):
    client = services.client(Endpoint("work", "https://api.example.com/flexml/v1", "l", "p"))
    services.shutdown()
    assert services.has_clients() and not client._http.is_closed
    asyncio.run(services.aclose())
    assert not services.has_clients() and client._http.is_closed
