"""How lint problems mark a row: a red or amber tint, a severity icon, the messages in its tooltip.

The Flows list and the switch editor's cases share these, with the flow editor's colours.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor, QIcon

from ...core.flexml import Problem, Severity
from ..common.icons import severity_icon

ERROR_TINT = QColor(220, 50, 47, 40)  # as the flow editor tints its verbs
WARNING_TINT = QColor(230, 160, 0, 40)


def worst(problems: Sequence[Problem]) -> Severity | None:
    """ERROR when any problem is an error, WARNING when there are only warnings, else None."""
    if any(p.is_error for p in problems):
        return Severity.ERROR
    return Severity.WARNING if problems else None


def tint(problems: Sequence[Problem]) -> QBrush | None:
    """The background of a row with these problems (None: the row's usual one)."""
    severity = worst(problems)
    if severity is None:
        return None
    return QBrush(ERROR_TINT if severity is Severity.ERROR else WARNING_TINT)


def mark(problems: Sequence[Problem]) -> QIcon | None:
    """The severity icon of the worst of these problems (None when there are none)."""
    severity = worst(problems)
    return None if severity is None else severity_icon(severity.value)


def lines(problems: Sequence[Problem]) -> list[str]:
    """One tooltip line per problem: "error: MESSAGE"."""
    return [f"{p.severity.value}: {p.message}" for p in problems]
