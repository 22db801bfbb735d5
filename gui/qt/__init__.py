"""Everything that imports Qt: app start-up, the main window, models and panels."""

from .common import refcounts  # noqa: F401  (first: PySide6 6.12 drains True/None, see there)
