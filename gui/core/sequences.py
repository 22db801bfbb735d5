"""What changed between two versions of a list, for views that update only that part."""

from __future__ import annotations

from collections.abc import Sequence


def changed_span(old: Sequence, new: Sequence) -> tuple[int, int, int]:
    """(first differing item, items of `old` replaced, items of `new` in their place): the
    items before and after the change are the same in both. One pass from each end, so
    an edit of one place in a long list costs a comparison per item, not a diff."""
    limit = min(len(old), len(new))
    first = 0
    while first < limit and old[first] == new[first]:
        first += 1
    last = 0
    while last < limit - first and old[-1 - last] == new[-1 - last]:
        last += 1
    return first, len(old) - first - last, len(new) - first - last
