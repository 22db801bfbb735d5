"""The FlexML language: schema table, node tree with change events, XML in and out, lint."""

from .errors import FlexmlError, MalformedError, RefusedError, UnreadableError
from .lint import Problem, Severity, has_errors, lint
from .reader import MAX_BYTES, MAX_DEPTH, parse, read_file
from .schema import SCHEMA, ElementSpec
from .tree import COMMENT, Change, ChangeKind, Document, Node
from .writer import to_bytes, to_text

__all__ = [
    "COMMENT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "SCHEMA",
    "Change",
    "ChangeKind",
    "Document",
    "ElementSpec",
    "FlexmlError",
    "MalformedError",
    "Node",
    "Problem",
    "RefusedError",
    "Severity",
    "UnreadableError",
    "has_errors",
    "lint",
    "parse",
    "read_file",
    "reference_html",
    "reference_index",
    "to_bytes",
    "to_text",
]


def __getattr__(name: str):
    # The reference pages are for the window's Help: loaded when first asked for, so the
    # headless commands (validate, export, serve) start without them.
    if name in ("reference_html", "reference_index"):
        from . import reference

        return getattr(reference, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
