"""`podtui replay --speed` takes what the replay's own + and - reach, no more."""

from __future__ import annotations

import pytest

from podtui import cli
from podtui.errors import RecordingError
from podtui.sources.replay import MAX_SPEED, MIN_SPEED

RECORDING = "tests/recordings/demo-default.jsonl.gz"


@pytest.mark.parametrize("speed", [MAX_SPEED * 2, 1000, MIN_SPEED / 2])
def test_a_speed_beyond_what_plus_and_minus_reach_is_a_usage_error(speed, capsys, monkeypatch):
    # ×1000 was accepted and shown, while + in the replay stops at ×64.
    monkeypatch.setattr("podtui.replay_command.read_recording", _not_reached)
    assert cli.main(["replay", RECORDING, "--speed", f"{speed:g}"]) == 2
    assert capsys.readouterr().err == (f"podtui: invalid --speed '{speed:g}': use a number from {MIN_SPEED:g} "
                                       f"to {MAX_SPEED:g} (what - and + reach)\n")


@pytest.mark.parametrize("speed", [MIN_SPEED, 10, MAX_SPEED])
def test_speeds_in_the_range_are_taken(speed, monkeypatch):
    taken = []
    monkeypatch.setattr("podtui.replay_command.read_recording", lambda *a, **k: taken.append(speed) or _not_reached())
    assert cli.main(["replay", RECORDING, "--speed", f"{speed:g}"]) == 1  # stopped right after the check
    assert taken == [speed]


def test_the_help_names_the_range(capsys):
    with pytest.raises(SystemExit):
        cli.main(["replay", "--help"])
    assert f"{MIN_SPEED:g} to {MAX_SPEED:g}" in " ".join(capsys.readouterr().out.split())


def _not_reached(*args, **kwargs):
    raise RecordingError("the recording was read")
