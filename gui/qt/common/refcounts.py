"""WORKAROUND for reference-count bugs in PySide6 6.12 on Python 3.11.

Every `.emit()` made from Python loses a reference to True, and every Python call of
QSyntaxHighlighter.setFormat or setCurrentBlockState one to None. From Python 3.12 these
singletons are immortal and nothing happens; on 3.11 their counts reach zero after a few
hundred emits and the interpreter aborts ("deallocating True or False"), that is, the
window crashes a few minutes into an editing session. What 3.12 does, we do by hand: give
each singleton so many references (2**40) that no session can use them up.
"""

from __future__ import annotations

import ctypes
import sys

CUSHION = 1 << 40
_SINGLETONS = (True, False, None)


def needed() -> bool:
    """Whether this interpreter's singletons can be freed at all (CPython before 3.12)."""
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def protect_singletons() -> None:
    """Raise the reference counts of True, False and None out of reach (once)."""
    if not needed():
        return
    for obj in _SINGLETONS:
        # ob_refcnt is the first field of every CPython object (Include/object.h).
        count = ctypes.c_ssize_t.from_address(id(obj))
        if count.value < CUSHION:
            count.value += CUSHION


protect_singletons()
