"""`--at -5m`: a value that starts with a dash and a digit, joined to its option before
argparse reads it (argparse alone takes "-5m" for an option, "-5" only for a value)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui import cli

RECORDING = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"

OPTIONS = ("--speed", "--at", "--theme")


@pytest.mark.parametrize(("argv", "joined"), [
    (["f", "--at", "-5m", "--paused"], ["f", "--at=-5m", "--paused"]),
    (["f", "--a", "-5m"], ["f", "--a=-5m"]),  # argparse's prefix of --at, as it took it
    (["--speed", "-2", "--at", "-1h30m"], ["--speed=-2", "--at=-1h30m"]),
    (["f", "--at", "5m"], ["f", "--at", "5m"]),  # no dash: argparse reads it as it is
    (["f", "--at", "--paused"], ["f", "--at", "--paused"]),  # still "expected one argument"
    (["f", "--paused", "-5m"], ["f", "--paused", "-5m"]),  # not an option that takes one
    (["--", "--at", "-5m"], ["--", "--at", "-5m"]),  # positionals, after --
])
def test_an_option_is_joined_to_a_value_that_starts_with_a_dash_and_a_digit(argv, joined):
    assert cli.join_dash_values(argv, OPTIONS) == joined


def test_replay_at_reads_a_negative_offset_and_other_commands_are_left_as_they_were(capsys):
    assert cli.main(["replay", str(RECORDING), "--at", "-3h"]) == 2
    assert capsys.readouterr().err.startswith("podtui: invalid --at '-3h': the recording runs from ")
    assert cli.build_parser(None).get_default("_dash_values") is None  # the live command: argparse as is
