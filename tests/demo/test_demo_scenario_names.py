"""A shipped scenario's name means that scenario, whatever the working directory holds."""

from __future__ import annotations

import pytest

from podtui.demo.scenario import load_scenario
from podtui.errors import ConfigError


def test_a_directory_named_like_a_shipped_scenario_does_not_hide_it(tmp_path, monkeypatch):
    (tmp_path / "scale").mkdir()
    (tmp_path / "nope").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_scenario("scale").scale.pods == 10_000
    with pytest.raises(ConfigError, match="unknown scenario 'nope'"):
        load_scenario("nope")
