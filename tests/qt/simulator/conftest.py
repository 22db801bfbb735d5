"""The simulator tests' `bench`: makes Simulator panels on projects (test_panel's Bench),
closed after the test. test_save_test.py has its own, with an undo stack."""

from __future__ import annotations

import pytest

from tests.qt.simulator.test_panel import Bench


@pytest.fixture
def bench(qtbot, qloop):
    made: list[Bench] = []

    def make(project, **kwargs) -> Bench:
        made.append(Bench(qtbot, project, **kwargs))
        return made[-1]

    yield make
    for item in made:
        item.close()
