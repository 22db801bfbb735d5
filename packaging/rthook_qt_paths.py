"""PyInstaller runtime hook, in place of PyInstaller's own pyi_rth_pyside6.

That hook imports PySide6.QtCore at every start (to register a qt.conf), so even the
headless commands (`--version`, `validate`, `serve`...) would load Qt's libraries: slower,
and against the rule that they never import Qt. The PySide6 wheels' Qt is relocatable on
its own (its prefix follows libQt6Core's location), so setting the paths is enough; the
rest mirrors what pyi_rth_pyside6 sets without importing Qt.
"""

import os
import sys

_base = sys._MEIPASS  # type: ignore[attr-defined]
_qt = (
    os.path.join(_base, "PySide6")
    if sys.platform == "win32"
    else os.path.join(_base, "PySide6", "Qt")
)
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
if sys.platform == "win32":  # OpenSSL DLLs collected beside the app, for QtNetwork
    os.environ["PATH"] = _base + os.pathsep + os.environ.get("PATH", "")
elif sys.platform == "darwin" and not _base.endswith("/Contents/Frameworks"):
    _old = os.environ.get("DYLD_LIBRARY_PATH")
    os.environ["DYLD_LIBRARY_PATH"] = _base + (os.pathsep + _old if _old else "")
del _base, _qt
