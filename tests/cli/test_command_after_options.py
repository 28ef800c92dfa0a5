"""A command given after the live view's options: said where it goes, not
"unrecognized arguments"."""

from __future__ import annotations

import pytest

from podtui import cli


@pytest.mark.parametrize(("argv", "line"), [
    # It read "podtui: error: unrecognized arguments: record x.jsonl".
    (["--kubeconfig", "k", "record", "x.jsonl"],
     "podtui: the command goes first, its options after it: `podtui record x.jsonl --kubeconfig k`"),
    (["-A", "history", "rec.jsonl", "--format", "yaml"],
     "podtui: the command goes first, its options after it: `podtui history rec.jsonl --format yaml -A`"),
    # A namespace named like a command is a namespace; the second "record" is the command.
    (["-n", "record", "record", "x.jsonl"],
     "podtui: the command goes first, its options after it: `podtui record x.jsonl -n record`"),
    (["--kubeconfig", "my k", "replay", "a b.jsonl"],
     "podtui: the command goes first, its options after it: `podtui replay 'a b.jsonl' --kubeconfig 'my k'`"),
    # No command among them: argparse's own line, as before.
    (["-n", "record", "x.jsonl"], "podtui: error: unrecognized arguments: x.jsonl (see `podtui --help`)"),
])
def test_a_command_after_options_says_it_goes_first(argv, line, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exited:
        code = exited.code
    assert code == 2
    assert capsys.readouterr().err == line + "\n"
