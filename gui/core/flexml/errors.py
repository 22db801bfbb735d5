"""Typed errors for reading FlexML and project files."""

from __future__ import annotations


class FlexmlError(Exception):
    """Base of every error the FlexML core raises on bad input; str() is for people."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class RefusedError(FlexmlError):
    """The input was refused for safety or size (a DOCTYPE, too large, nested too deep)."""


class MalformedError(FlexmlError):
    """The input is not well-formed XML (or not text at all)."""


class UnreadableError(FlexmlError):
    """The file could not be read (missing, a folder, no permission)."""
