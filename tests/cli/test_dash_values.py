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


def test_replay_at_reads_a_negative_offset(capsys):
    assert cli.main(["replay", str(RECORDING), "--at", "-3h"]) == 2
    assert capsys.readouterr().err.startswith("podtui: invalid --at '-3h': the recording runs from ")


@pytest.mark.parametrize(("argv", "option"), [
    (["record", "--duration", "-5s", "x.jsonl"], "--duration"),
    (["demo", "--stop-after", "-5s"], "--stop-after"),
    (["--request-timeout", "-5s"], "--request-timeout"),
])
def test_a_negative_value_of_any_command_is_said_invalid_not_missing(argv, option, capsys, tmp_path, monkeypatch):
    # Was "argument --duration: expected one argument": argparse took -5s for an option.
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(argv)
    except SystemExit as exited:  # argparse's type check exits; a check after parsing returns
        code = exited.code
    assert code == 2
    assert capsys.readouterr().err.startswith(f"podtui: invalid {option} '-5s': ")


@pytest.mark.parametrize("command", [None, *cli.SUBCOMMANDS])
def test_no_option_is_a_dash_and_a_digit(command):
    """What join_dash_values relies on: a word that starts with a dash and a digit after
    an option that takes a value can only be that value."""
    parser = cli.build_parser(command)
    assert not [o for a in parser._actions for o in a.option_strings if o[1:2].isdigit()]


@pytest.mark.parametrize("command", ["replay", "history", "record"])
def test_a_file_whose_name_starts_with_a_dash_is_told_how_to_give_it(command, capsys, tmp_path, monkeypatch):
    # `podtui replay -5m.jsonl` said only "the following arguments are required: FILE":
    # argparse took the name for an option. As GNU rm does, say how: ./-5m.jsonl, or --.
    monkeypatch.chdir(tmp_path)
    if command != "record":  # record makes the file; the others read it
        (tmp_path / "-5m.jsonl").write_bytes(RECORDING.read_bytes())
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "-5m.jsonl"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        f"podtui {command}: error: the following arguments are required: FILE ('-5m.jsonl' reads as an option: "
        f"give a FILE whose name starts with '-' as ./-5m.jsonl, or after --, as in `podtui {command} -- -5m.jsonl`)\n")


def test_a_missing_file_with_only_options_keeps_the_plain_error(capsys):
    for argv in (["replay", "--paused"], ["record", "-n", "shop", "-lapp.kubernetes.io/name=web"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        assert capsys.readouterr().err.endswith(
            f"the following arguments are required: FILE (see `podtui {argv[0]} --help`)\n")


def test_what_the_hint_says_works(capsys, tmp_path, monkeypatch):
    import yaml

    monkeypatch.chdir(tmp_path)
    (tmp_path / "-5m.jsonl").write_bytes(RECORDING.read_bytes())
    for argv in (["history", "--format", "yaml", "--", "-5m.jsonl"], ["history", "./-5m.jsonl", "--format", "yaml"]):
        assert cli.main(argv) == 0
        assert yaml.safe_load(capsys.readouterr().out)["pods"]


@pytest.mark.parametrize(("argv", "word"), [
    (["history", "-5m.jsonl.gz", "demo/"], "-5m.jsonl.gz"),  # FILE took demo/: the name was left over
    (["replay", "rec.jsonl", "-x.json"], "-x.json"),
    (["history", "rec.jsonl", "-kept"], "-kept"),  # no recording's name, but there in the folder
])
def test_a_left_over_word_that_names_a_recording_is_told_how_to_give_it(argv, word, capsys, tmp_path, monkeypatch):
    # Was "unrecognized arguments: -5m.jsonl.gz (see `podtui history --help`)": the hint came
    # only when FILE was missing.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-kept").write_bytes(b"")
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        f"podtui {argv[0]}: error: unrecognized arguments: {word} ('{word}' reads as an option: give a FILE whose "
        f"name starts with '-' as ./{word}, or after --, as in `podtui {argv[0]} -- {word}`)\n")


@pytest.mark.parametrize(("argv", "prog", "word"), [
    (["history", "rec.jsonl", "-x"], "podtui history", "-x"),
    (["replay", "rec.jsonl", "--", "-x.jsonl"], "podtui replay", "-x.jsonl"),  # given after -- already
    (["-5m.jsonl"], "podtui", "-5m.jsonl"),  # the live command takes no FILE
])
def test_a_left_over_word_that_names_no_file_it_takes_keeps_the_plain_error(argv, prog, word, capsys):
    with pytest.raises(SystemExit):
        cli.main(argv)
    assert capsys.readouterr().err == f"{prog}: error: unrecognized arguments: {word} (see `{prog} --help`)\n"
