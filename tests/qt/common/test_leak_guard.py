"""The leak guard of tests/qt/conftest.py fails a test that leaves a top-level widget or a
running thread behind, and lets one that cleans up pass: each case runs in a pytest of its
own (pytester, in a subprocess, so that what it leaks stays there)."""

import textwrap

import pytest

from tests.conftest import ROOT

pytest_plugins = ["pytester"]

# The inner run loads the real conftest as a plugin: the guard under test is the one every
# Qt test runs with.
CONFTEST = 'pytest_plugins = ["tests.qt.conftest"]\n'
INI = """
[pytest]
qt_api = pyside6
markers =
    allow_leaks(reason): the Qt leak guard lets this test leave widgets or threads behind
"""
HEADER = """
import threading
import time

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QDialog, QMenu, QWidget

KEPT = []


@pytest.fixture(scope="module")
def stop():
    # Ends what the tests leak once the guard has looked, so the inner pytest can exit.
    event = threading.Event()
    yield event
    event.set()
    for thing in KEPT:
        if isinstance(thing, QThread):
            thing.quit()
            thing.wait()
"""


@pytest.fixture
def run(pytester, monkeypatch):
    """Run a test file's body (after HEADER) in its own pytest; return its RunResult."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)

    def run_tests(body: str) -> pytest.RunResult:
        pytester.makepyfile(test_inner=HEADER + textwrap.dedent(body))
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", timeout=120)

    return run_tests


def test_tests_that_clean_up_pass_and_what_broader_fixtures_started_is_baseline(run):
    result = run(
        """
        def test_clean(qtbot, stop):
            window = QWidget()
            window.setObjectName("kept_by_qtbot")
            qtbot.addWidget(window)  # pytest-qt closes and deletes it after the test
            window.show()
            dialog = QDialog(window)  # a window of its own, deleted with its parent
            dialog.show()
            doomed = QWidget()
            doomed.show()
            doomed.deleteLater()  # waiting for deletion: not a leak
            KEPT.append(doomed)
            short = threading.Thread(target=time.sleep, args=(0.2,))  # ends in the grace
            short.start()
            thread = QThread()
            thread.start()
            thread.quit()
            KEPT.append(thread)


        @pytest.fixture(scope="module")
        def service(stop):
            thread = threading.Thread(target=stop.wait, name="module_service")
            thread.start()
            window = QWidget()
            window.show()
            yield thread
            window.deleteLater()


        def test_first_user(service):
            assert service.is_alive()


        def test_second_user(service):
            assert service.is_alive()
        """
    )
    result.assert_outcomes(passed=3)
    result.stdout.no_fnmatch_line("*left behind*")


def test_a_failing_test_is_not_also_blamed_for_leaks(run):
    result = run(
        """
        def test_fails(qapp):
            KEPT.append(QWidget())
            assert False


        @pytest.mark.xfail(reason="known to fail", strict=True)
        def test_xfails(qapp):
            KEPT.append(QWidget())
            assert False
        """
    )
    result.assert_outcomes(failed=1, xfailed=1)
    result.stdout.no_fnmatch_line("*left behind*")


def test_leaked_widgets_fail_the_test_and_are_named(run):
    result = run(
        """
        def test_leaks_a_window(qtbot):
            window = QWidget()
            window.setObjectName("leaky_window")
            window.setWindowTitle("Leaky")
            window.show()
            KEPT.append(window)


        def test_leaks_a_hidden_menu(qapp):
            menu = QMenu("Open Recent")  # no parent: nothing ever deletes it
            menu.setObjectName("orphan_menu")
            KEPT.append(menu)
        """
    )
    # The test bodies passed; their teardowns did not.
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*test_leaks_a_window left behind:",
            "*top-level widget QWidget objectName='leaky_window' title='Leaky' (shown)",
            "*test_leaks_a_hidden_menu left behind:",
            "*top-level widget QMenu objectName='orphan_menu' (hidden)",
        ]
    )


def test_leaked_threads_fail_the_test_and_are_named(run):
    result = run(
        """
        def test_leaks_a_thread(stop):
            threading.Thread(target=stop.wait, name="leaky_thread").start()


        def test_leaks_a_daemon_thread(stop):
            threading.Thread(target=stop.wait, name="leaky_daemon", daemon=True).start()


        def test_leaks_a_qthread(stop):
            thread = QThread()
            thread.setObjectName("leaky_qthread")
            thread.start()
            KEPT.append(thread)
        """
    )
    result.assert_outcomes(passed=3, errors=3)
    result.stdout.fnmatch_lines(
        [
            "*test_leaks_a_thread left behind:",
            "*running thread 'leaky_thread' (non-daemon, *",
            "*test_leaks_a_daemon_thread left behind:",
            "*running thread 'leaky_daemon' (daemon, *",
            "*test_leaks_a_qthread left behind:",
            "*running thread QThread objectName='leaky_qthread' (a QThread)",
        ]
    )


def test_allow_leaks_lets_a_test_leak_and_needs_a_reason(run):
    result = run(
        """
        @pytest.mark.allow_leaks("kept on purpose")
        def test_allowed(qapp, stop):
            KEPT.append(QWidget())
            threading.Thread(target=stop.wait).start()


        @pytest.mark.allow_leaks("menus only", widgets=["QMenu"])
        def test_menus_allowed(qapp):
            KEPT.append(QMenu())


        @pytest.mark.allow_leaks("menus only", widgets=["QMenu"])
        def test_other_widgets_still_caught(qapp):
            KEPT.extend([QMenu(), QDialog()])


        @pytest.mark.allow_leaks()
        def test_no_reason(qapp):
            pass
        """
    )
    result.stdout.fnmatch_lines_random(
        [
            "PASSED test_inner.py::test_allowed",
            "PASSED test_inner.py::test_menus_allowed",
            "ERROR test_inner.py::test_other_widgets_still_caught - *",
            "ERROR test_inner.py::test_no_reason - *",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*top-level widget QDialog objectName=''*", "@pytest.mark.allow_leaks needs a reason"]
    )
    result.stdout.no_fnmatch_line("*top-level widget QMenu*")
