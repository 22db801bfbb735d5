"""PySide6 6.12 on Python 3.11 drains the reference counts of True (every emit) and None
(every highlighter format call); gui.qt protects them, else a session crashes in minutes."""

import subprocess
import sys
import textwrap

from gui.qt.common import refcounts
from tests.conftest import ROOT

HEAVY_SESSION = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if sys.argv[1] == "protected":
        import gui.qt  # the package protects the singletons on import
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication
    app = QApplication([])

    class Source(QObject):
        fired = Signal(object)

    source = Source()
    source.fired.connect(lambda value: None)
    for i in range(20_000):
        source.fired.emit(i)
    if sys.argv[1] == "protected":
        from gui.qt.common.xml_text import XmlView
        view = XmlView()
        text = "\\n".join(f'<Say voice="woman">Hello &amp; {i}</Say>' for i in range(20000))
        for i in range(3):
            view.set_xml(f"{text}\\n<!-- {i} -->")
    print("survived")
    """
)


def _run(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", HEAVY_SESSION, mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_a_long_session_of_emits_and_highlighting_survives():
    result = _run("protected")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "survived"


def test_singletons_have_a_cushion_after_importing_gui_qt():
    if refcounts.needed():
        for obj in (True, False, None):
            assert sys.getrefcount(obj) > refcounts.CUSHION // 2
