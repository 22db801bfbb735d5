"""Qt tests never touch the user's real settings (QSettings files go to a temp folder), and
fail when they leave top-level widgets or running threads behind (the leak guard)."""

import gc
import threading
import time
import weakref

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThread
from PySide6.QtWidgets import QApplication

# How long threads that were told to stop get to end before they count as leaked.
THREAD_GRACE = 2.0

_started_qthreads: weakref.WeakSet[QThread] = weakref.WeakSet()
_qthread_start = QThread.start


def _tracking_start(self: QThread, *args, **kwargs):
    # QThreads have no registry to enumerate, so note every one that is started.
    _started_qthreads.add(self)
    return _qthread_start(self, *args, **kwargs)


QThread.start = _tracking_start
_DID_NOT_PASS = pytest.StashKey[bool]()


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when in ("setup", "call") and not report.passed:
        item.stash[_DID_NOT_PASS] = True
    return report


@pytest.fixture(autouse=True)
def _leak_guard(request, qapp):
    """Fail the test when it leaves new top-level widgets (alive, not waiting for deletion)
    or running threads behind. Runs after every other function fixture's teardown and after
    pytest-qt closed the widgets given to qtbot.addWidget (it does that before fixture
    teardown). Whatever session or module fixtures started before the test is baseline. A
    test that fails (or is skipped or xfails) is not checked: its own clean-up may not have
    run.

    Opt out with @pytest.mark.allow_leaks("why"), or only for top-level widgets of some
    classes with @pytest.mark.allow_leaks("why", widgets=["QMenu"])."""
    everything, widget_classes = _allowed_leaks(request.node)
    windows_before = QApplication.topLevelWidgets()  # held, so their wrappers keep their ids
    known_windows = {id(widget) for widget in windows_before}
    threads_before = set(threading.enumerate())
    qthreads_before = {thread for thread in _started_qthreads if _running(thread)}
    yield
    if everything or request.node.stash.get(_DID_NOT_PASS, False):
        return
    windows = _new_windows(known_windows, widget_classes)
    if windows:
        gc.collect()  # a window kept only by a reference cycle is garbage, not a leak
        windows = _new_windows(known_windows, widget_classes)
    threads = _new_threads(threads_before, qthreads_before)
    if not windows and not threads:
        return
    message = [f"{request.node.nodeid} left behind:"]
    message += [f"  top-level widget {_describe_widget(window)}" for window in windows]
    message += [f"  running thread {_describe_thread(thread)}" for thread in threads]
    for window in windows:  # so that one leak does not spill into the tests after it
        if window.parentWidget() is None:
            window.hide()  # not close(): a closeEvent might ask a question nobody answers
            window.deleteLater()
    _delete_later_now()
    message.append(
        "Give each widget to qtbot.addWidget (or close and delete it), stop what the test "
        "started; @pytest.mark.allow_leaks('why') if it truly must."
    )
    pytest.fail("\n".join(message), pytrace=False)


def _allowed_leaks(item: pytest.Item) -> tuple[bool, frozenset[str]]:
    """What the test's allow_leaks marker lets it leave: (everything, widget class names)."""
    marker = item.get_closest_marker("allow_leaks")
    if marker is None:
        return False, frozenset()
    if not (marker.args and str(marker.args[0]).strip()):
        pytest.fail("@pytest.mark.allow_leaks needs a reason", pytrace=False)
    widgets = marker.kwargs.get("widgets")
    if widgets is None:
        return True, frozenset()
    return False, frozenset(widgets)


def _delete_later_now() -> None:
    # deleteLater() only happens when control returns to an event loop, which never
    # happens between tests: deliver the pending deletions now.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _new_windows(known: set[int], allowed_classes: frozenset[str]) -> list:
    _delete_later_now()
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if id(widget) not in known
        and shiboken6.isValid(widget)
        and type(widget).__name__ not in allowed_classes
    ]


def _running(thread: QThread) -> bool:
    return shiboken6.isValid(thread) and thread.isRunning()


def _new_threads(before: set[threading.Thread], qthreads_before: set[QThread]) -> list:
    deadline = time.monotonic() + THREAD_GRACE
    threads = [
        thread
        for thread in threading.enumerate()
        if thread not in before and not isinstance(thread, threading._DummyThread)
    ]
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    qthreads = [t for t in _started_qthreads if t not in qthreads_before and _running(t)]
    for qthread in qthreads:
        qthread.wait(max(0, int((deadline - time.monotonic()) * 1000)))
    return [thread for thread in threads if thread.is_alive()] + [
        qthread for qthread in qthreads if _running(qthread)
    ]


def _describe_widget(widget) -> str:
    text = f"{type(widget).__name__} objectName={widget.objectName()!r}"
    if widget.windowTitle():
        text += f" title={widget.windowTitle()!r}"
    text += " (shown)" if widget.isVisible() else " (hidden)"
    parent = widget.parentWidget()
    if parent is not None:
        text += f", a window of {type(parent).__name__} objectName={parent.objectName()!r}"
    return text


def _describe_thread(thread) -> str:
    if isinstance(thread, QThread):
        return f"{type(thread).__name__} objectName={thread.objectName()!r} (a QThread)"
    kind = "daemon" if thread.daemon else "non-daemon"
    return f"{thread.name!r} ({kind}, target {getattr(thread, '_target', None)!r})"
