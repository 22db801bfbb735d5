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


@pytest.fixture
def qloop(qapp):
    """qasync's event loop over the test's QApplication, as the window runs with: tasks
    started with gui.qt.tasks.start advance whenever Qt processes events (qtbot.waitUntil,
    qtbot.wait, waitSignal). Tasks still pending at the end are cancelled."""
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        deadline = 200
        while pending and deadline:
            qapp.processEvents()
            pending = [task for task in pending if not task.done()]
            deadline -= 1
        loop.stop()  # no Qt event loop is executing, so this only marks it stopped
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)
        loop.close()
