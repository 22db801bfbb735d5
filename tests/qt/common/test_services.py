"""Services makes each long-lived helper once, on first use; hands what the flow server's
thread reports to the GUI thread in a signal; and ends everything, API clients included,
without event loop errors."""

from __future__ import annotations

import logging
import threading

import httpx
import pytest

from gui.core.calllog import CallLog, CallLogError
from gui.core.flexml import parse
from gui.core.keychain import Keychain
from gui.core.profiles import Endpoint, ProfileStore
from gui.core.project import Project
from gui.core.runtime.sandbox import Credentials, Sandbox
from gui.core.server import FlowServer
from gui.core.session import Session
from gui.qt.common import tasks
from gui.qt.common.services import ServerConfig, Services

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
