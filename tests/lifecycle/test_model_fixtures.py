"""Table-driven model tests: each JSON fixture feeds watch events into a Store and states
what the rows, histories, back-offs, probes, termination and NEXT column must say."""

from __future__ import annotations

import pytest

from tests.lifecycle.model_fixtures import Run, check, fixture_paths, load

PATHS = fixture_paths()


def test_fixtures_exist():
    assert len(PATHS) >= 15


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_fixture(path):
    check(Run(load(path)))
