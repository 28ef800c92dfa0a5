"""Command line entry point.

`podtui [kubectl flags]` watches the current kubeconfig context; subcommands live in
the module that owns them, each exposing `add_arguments(parser)` and `run(args) -> int`.
Every fatal error is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from podtui import __version__
from podtui.errors import PodtuiError, UsageError, say

# name -> (module, one-line help). Modules are imported only when their command runs.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("podtui.demo.command", "run the built-in demo cluster (and the UI against it)"),
    "record": ("podtui.sources.record_command", "record a cluster's pods and events to a file, headless"),
    "replay": ("podtui.replay_command", "replay a recording in the UI"),
    "history": ("podtui.sources.history_command", "print each pod's lifecycle history from a recording"),
}
LIVE = ("podtui.live_command", "watch the pods of the current kubeconfig context")


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line: not the whole usage block above them."""

    _words: Sequence[str] = ()  # what parse_known_args was given, for error()
    _left: Sequence[str] = ()  # what no argument took
    _takes_file = False  # a FILE positional: only then may a left-over word be meant as one

    def add_argument(self, *args, **kwargs):  # type: ignore[override]
        action = super().add_argument(*args, **kwargs)
        self._takes_file = self._takes_file or (action.metavar == "FILE" and not action.option_strings)
        return action

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self._words, self._left = list(sys.argv[1:] if args is None else args), ()
        namespace, self._left = super().parse_known_args(args, namespace)
        return namespace, self._left

    def error(self, message: str):  # type: ignore[override]
        value = invalid_value(message)
        if value is not None:
            self.exit(2, f"podtui: {value}\n")
        if not message.startswith("argument "):  # unknown or missing arguments: where to look
            hint = _dash_file_hint(self.prog, message, self._words, self._left) if self._takes_file else None
            message += f" ({hint or f'see `{self.prog} --help`'})"
        self.exit(2, f"{self.prog}: error: {message}\n")


_REQUIRED = "the following arguments are required: "
_UNRECOGNIZED = "unrecognized arguments: "  # parse_args's words, and main's
_RECORDING_NAMES = (".jsonl", ".json", ".gz")


def _dash_file_hint(prog: str, message: str, words: Sequence[str], left: Sequence[str]) -> str | None:
    """How to give a FILE whose name starts with '-' (`podtui replay -5m.jsonl`), when
    FILE is missing, or a word is left over (FILE took another: `podtui history
    -5m.jsonl.gz demo/`), and one of those words is such a file: argparse took it for an
    option. As rm says it: ./NAME, or after --. kubectl refuses such a word too ("unknown
    shorthand flag"), and reading it as FILE would guess what a mistyped option meant."""
    import shlex

    words = words[:words.index("--")] if "--" in words else words
    if message.startswith(_UNRECOGNIZED):
        words = [word for word in left if word in words]
    elif not message.startswith(_REQUIRED) or "FILE" not in message[len(_REQUIRED):].split(", "):
        return None
    for word in words:
        # A file there, or to be (record): not an option word such as -n or -lapp.kubernetes.io/name=web.
        if word.startswith("-") and not word.startswith("--") and len(word) > 1 and (
                word.endswith(_RECORDING_NAMES) or os.path.exists(word)):
            return (f"{word!r} reads as an option: give a FILE whose name starts with '-' as "
                    f"{shlex.quote('./' + word)}, or after --, as in `{prog} -- {shlex.quote(word)}`")
    return None


_ARGUMENT = re.compile(r"argument (?:\S+/)?(?P<option>--?\S+): (?P<why>.+)", re.S)
# How argparse and the commands' type functions say a value is wrong: (pattern, hint).
_INVALID = (
    (re.compile(r"invalid choice: (?P<value>.+) \(choose from (?P<hint>.+)\)", re.S), "choose from {hint}"),
    (re.compile(r"invalid int value: (?P<value>.+)", re.S), "expected a whole number"),
    (re.compile(r"invalid float value: (?P<value>.+)", re.S), "expected a number"),
    (re.compile(r"invalid [\w ]+? (?P<value>'.*'): (?P<hint>.+)", re.S), "{hint}"),
    (re.compile(r"(?P<hint>.+), got (?P<value>.+)", re.S), "{hint}"),
)


def invalid_option(option: str, value: str, accepted: str) -> UsageError:
    """The one form of every command's bad option value, from argparse (invalid_value)
    or a check after parsing: `invalid --duration '10x': use seconds or a duration like
    90s, 10m or 1h`. `value` as the user typed it (a float: f"{x:g}")."""
    return UsageError(_invalid(option, repr(value), accepted))


def _invalid(option: str, quoted: str, accepted: str) -> str:
    return f"invalid {option} {quoted}: {accepted}"


def invalid_value(message: str) -> str | None:
    """An argparse error about an option's value, in invalid_option's form. None for
    another error (a missing value, an unknown option, a positional)."""
    found = _ARGUMENT.fullmatch(message)
    if found is None:
        return None
    for pattern, hint in _INVALID:
        bad = pattern.fullmatch(found["why"])
        if bad is not None:
            value = bad["value"]
            if not value.startswith(("'", '"')):
                value = repr(value)  # `got inf`: quoted, as the others are
            return _invalid(found["option"], value, hint.format(**bad.groupdict()))
    return None


def build_parser(command: str | None) -> argparse.ArgumentParser:
    module_name, help_text = SUBCOMMANDS[command] if command else LIVE
    prog = f"podtui {command}" if command else "podtui"
    epilog = None
    if command is None:
        epilog = "commands:\n" + "\n".join(f"  {name:<9} {text}" for name, (_, text) in SUBCOMMANDS.items())
        epilog += "\n\nRun `podtui COMMAND --help` for a command's options."
    parser = _Parser(
        prog=prog,
        description=help_text,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show podtui's version, and whether its model is compiled")
    module = importlib.import_module(module_name)
    module.add_arguments(parser)
    parser.set_defaults(_run=module.run)
    return parser


class _Version(argparse.Action):
    # Not argparse's "version": which modules are compiled is looked up only when asked.
    def __call__(self, parser, namespace, values, option_string=None):
        import json

        from podtui._native import MANIFEST, compiled_modules

        compiled = compiled_modules()
        if compiled:
            try:
                built = len(json.loads(MANIFEST.read_bytes()))
            except (OSError, ValueError):
                built = len(compiled)
            model = f"model compiled ({len(compiled)} of {built} modules"
            model += ")" if len(compiled) == built else (f"; {built - len(compiled)} run from their .py: edited since "
                                                         "the install, or built for another Python)")
        elif MANIFEST.exists():
            model = ("model pure Python (PODTUI_PURE is set, or the compiled modules were edited since the install "
                     "or built for another Python)")
        else:
            model = ("model pure Python (not compiled at install: no C compiler, PODTUI_PURE set then, or the build "
                     "failed; pip -v shows why)")
        print(f"podtui {__version__}, {model}")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    rest = argv[1:] if command else argv
    try:
        if command is None and argv and not argv[0].startswith("-"):
            raise UsageError(f"unknown command {argv[0]!r}{_did_you_mean(argv[0])}",
                             f"commands: {', '.join(SUBCOMMANDS)}; see `podtui --help`")
        parser = build_parser(command)
        args, extra = parser.parse_known_args(join_dash_values(rest, value_options(parser)))
        if extra:
            late = next((word for word in extra if word in SUBCOMMANDS), None) if command is None else None
            if late is not None:
                raise UsageError(f"the command goes first, its options after it: `{_command_first(argv, extra, late)}`")
            parser.error(f"{_UNRECOGNIZED}{' '.join(extra)}")  # what parse_args says
        return int(args._run(args) or 0)
    except PodtuiError as exc:
        say(f"podtui: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, details kept
        log = write_crash_log()
        say(f"podtui: internal error: {type(exc).__name__}: {exc} (details in {log}; please report it)")
        return 70


_DASH_DIGIT = re.compile(r"-\d")


def value_options(parser: argparse.ArgumentParser) -> list[str]:
    """The parser's long options that take a value (for join_dash_values: no podtui
    option is a dash and a digit, so `--duration -5s` can only mean a value)."""
    return [option for action in parser._actions if action.nargs != 0
            for option in action.option_strings if option.startswith("--")]


def join_dash_values(argv: list[str], options: Sequence[str]) -> list[str]:
    """argv with `--at -5m` as `--at=-5m`, for each of options (or a prefix of it, as
    argparse takes): argparse reads a word after an option as another option when it
    starts with a dash, unless it is a plain number (-5). A command lists its options
    whose value may start with a dash and a digit, none of its options doing so."""
    joined: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":  # positionals only, after it
            return joined + argv[i:]
        if (i + 1 < len(argv) and _DASH_DIGIT.match(argv[i + 1]) and len(word) > 2 and word.startswith("--")
                and any(option.startswith(word) for option in options)):
            joined.append(f"{word}={argv[i + 1]}")
            i += 2
        else:
            joined.append(word)
            i += 1
    return joined


def _command_first(argv: list[str], extra: list[str], command: str) -> str:
    """argv as it should have been, `command` moved to the front: `podtui --kubeconfig k
    record x.jsonl` read as unrecognized arguments "record x.jsonl"."""
    import shlex

    # Occurrences of the word before it may be option values (-n record): skip those.
    skip = argv.count(command) - extra.count(command)
    at = [i for i, word in enumerate(argv) if word == command][skip]
    return shlex.join(["podtui", command, *argv[at + 1:], *argv[:at]])


def _did_you_mean(word: str) -> str:
    import difflib

    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1)
    return f": did you mean {close[0]}?" if close else ""


def write_crash_log() -> str:
    """Keep the traceback a user should never see on screen, for a bug report."""
    import os
    import tempfile
    import traceback

    # A new private file each time: one shared /tmp/podtui-crash.log grew without
    # bound, and on a bastion the first user's file locked the others out.
    try:
        fd, path = tempfile.mkstemp(prefix="podtui-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(traceback.format_exc())
    except OSError:
        return "nowhere: the crash log could not be written"
    return path
