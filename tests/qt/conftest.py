"""Qt tests never touch the user's real settings: QSettings files go to a temp folder."""

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder / "system"))
    return folder


@pytest.fixture(scope="session")
def _qasync_loop(qapp):
    """One qasync loop for the whole session: a second QEventLoop over the same
    QApplication never runs its callbacks (qasync keeps per-application state)."""
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    loop.stop()  # marks it stopped (no Qt event loop is executing), so it can be closed
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def qloop(qapp, _qasync_loop):
    """qasync's event loop over the test's QApplication, as the window runs with: tasks
    started with gui.qt.common.tasks.start advance whenever Qt processes events (qtbot.waitUntil,
    qtbot.wait, waitSignal). Tasks still pending at the end are cancelled."""
    import asyncio

    loop = _qasync_loop
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        rounds = 200
        while pending and rounds:
            qapp.processEvents()
            pending = [task for task in pending if not task.done()]
            rounds -= 1
        # Outside a qloop test nothing runs this loop: asyncio.run() elsewhere (the e2e
        # tests) must not find it "running".
        asyncio.events._set_running_loop(None)
        assert not pending, f"tasks that would not end: {pending}"
