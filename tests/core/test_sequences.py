"""changed_span: the one changed stretch between two versions of a list."""

from __future__ import annotations

import random

import pytest

from gui.core.sequences import changed_span


@pytest.mark.parametrize(
    ("old", "new", "span"),
    [
        ("", "", (0, 0, 0)),
        ("abc", "abc", (3, 0, 0)),
        ("abc", "axc", (1, 1, 1)),
        ("abc", "abxc", (2, 0, 1)),
        ("abc", "ac", (1, 1, 0)),
        ("abc", "", (0, 3, 0)),
        ("", "ab", (0, 0, 2)),
        ("aaa", "aaaa", (3, 0, 1)),  # the repeated item is kept from the start, added at the end
        ("abcabc", "abc", (3, 3, 0)),
    ],
)
def test_the_span_of_each_kind_of_change(old, new, span):
    assert changed_span(list(old), list(new)) == span


def test_replacing_the_span_turns_old_into_new():
    rng = random.Random(7)
    for _ in range(500):
        old = [rng.randrange(4) for _ in range(rng.randrange(12))]
        new = [rng.randrange(4) for _ in range(rng.randrange(12))]
        first, removed, added = changed_span(old, new)
        assert old[:first] + new[first : first + added] + old[first + removed :] == new
        assert old[:first] == new[:first]
