"""Command line entry point.

`podtui [kubectl flags]` watches the current kubeconfig context; subcommands live in
the module that owns them, each exposing `add_arguments(parser)` and `run(args) -> int`.
Every fatal error is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from podtui import __version__
from podtui.errors import PodtuiError

# name -> (module, one-line help). Modules are imported only when their command runs.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("podtui.demo.command", "run the built-in demo cluster (and the UI against it)"),
    "record": ("podtui.sources.record_command", "record a cluster's pods and events to a file, headless"),
    "replay": ("podtui.replay_command", "replay a recording in the UI"),
    "history": ("podtui.sources.history_command", "print each pod's lifecycle history from a recording"),
}
LIVE = ("podtui.live_command", "watch the pods of the current kubeconfig context")


def build_parser(command: str | None) -> argparse.ArgumentParser:
    module_name, help_text = SUBCOMMANDS[command] if command else LIVE
    prog = f"podtui {command}" if command else "podtui"
    epilog = None
    if command is None:
        epilog = "commands:\n" + "\n".join(f"  {name:<9} {text}" for name, (_, text) in SUBCOMMANDS.items())
        epilog += "\n\nRun `podtui COMMAND --help` for a command's options."
    parser = argparse.ArgumentParser(
        prog=prog,
        description=help_text,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"podtui {__version__}")
    module = importlib.import_module(module_name)
    module.add_arguments(parser)
    parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    rest = argv[1:] if command else argv
    try:
        args = build_parser(command).parse_args(rest)
        return int(args._run(args) or 0)
    except PodtuiError as exc:
        print(f"podtui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, details kept
        log = write_crash_log()
        print(f"podtui: internal error: {type(exc).__name__}: {exc} (details in {log}; please report it)",
              file=sys.stderr)
        return 70


def write_crash_log() -> str:
    """Keep the traceback a user should never see on screen, for a bug report."""
    import tempfile
    import traceback
    from pathlib import Path

    path = Path(tempfile.gettempdir()) / "podtui-crash.log"
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(traceback.format_exc())
            f.write("\n")
    except OSError:
        return "nowhere: the crash log could not be written"
    return str(path)
