"""`flow:NAME` references between the flows of a project, and flow names themselves."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

PREFIX = "flow:"
# A flow name is a URL-safe slug: it becomes the last segment of /flows/NAME.
NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?\Z")


def is_valid_name(name: str) -> bool:
    """Whether `name` is a flow name: lowercase letters, digits, - and _, at most 64."""
    return NAME_PATTERN.match(name) is not None


def slugify(text: str, fallback: str = "flow") -> str:
    """A valid flow name made from any text, e.g. a file stem ("Main Menu" -> "main-menu")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)[:64].strip("-_")
    return slug or fallback


def unique_name(base: str, taken: set[str] | frozenset[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not taken."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: 64 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def reference_target(value: str) -> str | None:
    """The flow name a `flow:NAME` value refers to, or None for any other value."""
    if value.startswith(PREFIX):
        return value[len(PREFIX) :]  # not stripped: "flow: menu" is not a valid reference
    return None


def flow_url(base_url: str, name: str) -> str:
    """Where the flow server serves flow `name` under `base_url`."""
    return f"{base_url.rstrip('/')}/flows/{name}"


def resolver(base_url: str) -> Callable[[str], str]:
    """A function that turns `flow:NAME` into BASE_URL/flows/NAME and leaves other values."""

    def resolve(value: str) -> str:
        target = reference_target(value)
        return value if target is None else flow_url(base_url, target)

    return resolve
