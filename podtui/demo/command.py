"""`podtui demo`: the built-in demo cluster, with the UI or served to other clients.

    podtui demo                                   the UI against an in-process demo cluster
    podtui demo --write-kubeconfig demo.kubeconfig
                                                  the same, kubectl pointed at it from another terminal
    podtui demo --serve --port 8080 --write-kubeconfig demo.kubeconfig
                                                  serve only, for kubectl, k9s, another podtui
    podtui demo --list-scenarios

`--serve` prints the server URL and the kubeconfig path on stdout, one line each, and
runs until Ctrl-C or SIGTERM. With the UI the kubeconfig (a temporary one unless
--write-kubeconfig) is in the help (`?`), and named on exit.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from podtui.cli import invalid_option
from podtui.errors import PodtuiError, UsageError
from podtui.lifecycle.times import parse_go_duration
from podtui.sources.recording import record_beside_the_screen, refuse_to_overwrite


def _duration(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = parse_go_duration(text.strip())
    if seconds is None or seconds < 0:
        raise argparse.ArgumentTypeError(f"expected seconds or a duration such as 90s or 5m, got {text!r}")
    return seconds


def _number(convert, minimum, *, above: bool = False):
    """An argparse type: a finite number (`convert` is int or float) at least
    `minimum`, or greater than it with `above`."""
    if above:
        rule = f"must be greater than {minimum}"
    else:
        rule = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
    expected = "a whole number" if convert is int else "a number"

    def check(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
        if value < minimum or (above and value == minimum):
            raise argparse.ArgumentTypeError(f"{rule}, got {text}")
        return value

    return check


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="default", metavar="NAME|FILE.yaml", help="a shipped scenario or a scenario file (default: default)")
    parser.add_argument("--list-scenarios", action="store_true", help="list the shipped scenarios and exit")
    parser.add_argument("--speed", type=_number(float, 0, above=True), default=1.0, metavar="X", help="simulated seconds per real second (default: 1)")
    parser.add_argument("--seed", type=int, default=None, metavar="N", help="same seed, same run (names, uids, timings)")
    parser.add_argument(
        "--stop-after",
        type=_duration,
        default=None,
        metavar="SECONDS",
        help="simulated time after which the cluster stops changing (it keeps serving)",
    )
    ui = parser.add_argument_group("the UI (without --serve)")
    ui.add_argument("--theme", metavar="NAME", help="colour theme")
    ui.add_argument("--record", metavar="FILE", type=record_beside_the_screen, help="also record everything seen to FILE (.gz to compress)")
    ui.add_argument("--no-redact", action="store_true", help="with --record: keep env values and managedFields")
    ui.add_argument("--force", action="store_true", help="with --record: overwrite FILE if it already holds a recording")
    serve = parser.add_argument_group("serving")
    serve.add_argument("--serve", action="store_true", help="serve the demo cluster only (no UI) until interrupted")
    serve.add_argument("--port", type=int, default=0, metavar="P", help="port to listen on (default: a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--write-kubeconfig", metavar="FILE",
                        help="write a kubeconfig for the demo cluster to FILE, kept on exit, for kubectl or k9s "
                        "(without it: a temporary one, named in the UI's help and on exit, then removed)")
    parser.add_argument(
        "--log",
        metavar="FILE",
        help="append the API server's internal errors, with tracebacks, to FILE (default: stderr with --serve; "
        "with the UI, a file named on exit if there were any)",
    )
    scale = parser.add_argument_group("the scale scenario")
    scale.add_argument("--pods", type=_number(int, 0), metavar="N", help="number of pods")
    scale.add_argument("--namespaces", type=_number(int, 1), metavar="M", help="number of namespaces")
    scale.add_argument("--churn", type=_number(float, 0), metavar="R", help="watch events per simulated second")


def run(args: argparse.Namespace) -> int:
    from podtui.demo.scenario import list_scenarios, load_scenario

    if args.list_scenarios:
        for name, description in list_scenarios():
            print(f"{name:<12} {description}")
        return 0
    scenario = load_scenario(args.scenario)
    scale = _scale_settings(scenario, args)
    if not 0 <= args.port <= 65535:
        raise invalid_option("--port", str(args.port), "use 0 to 65535 (0: a free one)")
    if args.serve and (args.record or args.theme):
        raise UsageError("--record and --theme go with the UI, not --serve (use `podtui record` against the served cluster)")

    if args.record:
        refuse_to_overwrite(args.record, args.force)  # before the cluster starts, as `podtui --record` does
    if args.write_kubeconfig:
        from podtui.apiserver.kubeconfig import refuse_to_replace

        refuse_to_replace(args.write_kubeconfig)  # also before it starts; write_kubeconfig looks again
    if args.log:
        try:
            open(args.log, "a").close()  # now, not at the first error, where it could only be lost
        except OSError as exc:
            raise PodtuiError(f"cannot write the log {args.log}: {exc.strerror or exc}") from None

    from podtui.demo.cluster import DemoCluster

    cluster = DemoCluster(scenario, seed=args.seed, speed=args.speed, stop_after=args.stop_after, scale=scale)
    if args.serve:
        return serve(cluster, args)
    return run_with_ui(cluster, args)


def _scale_settings(scenario, args):
    overrides = {k: getattr(args, k) for k in ("pods", "namespaces", "churn") if getattr(args, k) is not None}
    if not overrides:
        return None
    if scenario.scale is None:
        raise UsageError(f"--pods, --namespaces and --churn apply to a scale scenario, not {scenario.name!r} (try --scenario scale)")
    from dataclasses import replace

    return replace(scenario.scale, **overrides)


def _start(cluster, args) -> None:
    try:
        cluster.start(host=args.host, port=args.port)
    except OSError as exc:
        raise PodtuiError(
            f"cannot serve the demo cluster on {args.host}:{args.port}: {exc.strerror or exc}",
            hint="choose another --port, or 0 for a free one",
        ) from None


def _write_kubeconfig(cluster, path: str) -> None:
    try:
        cluster.write_kubeconfig(path)
    except OSError as exc:
        raise PodtuiError(f"cannot write the kubeconfig {path}: {exc.strerror or exc}") from None


ERROR_LOG = "apiserver-errors.log"


class _ErrorLog:
    """Where the demo's internal errors go, tracebacks and all: the API server's (a 500
    tells its client one line, and the cause of the next one would be lost) and the
    simulation's."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.count = 0
        # A file is created only when the first error comes, so a clean run leaves none.
        handler = logging.FileHandler(path, delay=True, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("podtui demo: %(message)s"))
        handler.addFilter(self._counted)
        self.handler = handler
        self.logger = logging.getLogger("podtui")  # the API server's and the simulation's
        self.logger.addHandler(handler)
        # Not on to the root logger, whose last resort is stderr: under the UI, that is the screen.
        self._propagate, self.logger.propagate = self.logger.propagate, False

    def _counted(self, record: logging.LogRecord) -> bool:
        self.count += 1
        return True

    def close(self) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self._propagate
        self.handler.close()


def serve(cluster, args) -> int:
    """Serve until SIGINT/SIGTERM; stdout gets the URL and the kubeconfig path."""
    own_dir = None
    path = args.write_kubeconfig
    if not path:
        own_dir = tempfile.mkdtemp(prefix="podtui-demo-")
        path = os.path.join(own_dir, "kubeconfig")
    errors = _ErrorLog(args.log)
    try:
        _start(cluster, args)
        return _serve_until_stopped(cluster, args, path)
    finally:
        cluster.stop()
        errors.close()
        if own_dir is not None:
            _remove_tree(own_dir)


def _serve_until_stopped(cluster, args, path: str) -> int:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _write_kubeconfig(cluster, path)
        print(cluster.url, flush=True)
        print(os.path.abspath(path), flush=True)
        print(
            f"podtui demo: serving scenario {cluster.scenario.name!r} at {args.speed:g}x; "
            f"try `kubectl --kubeconfig {path} get pods -A -w`; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def run_with_ui(cluster, args) -> int:
    """`podtui demo` without --serve: the cluster in-process, the UI against it."""
    own_dir = tempfile.mkdtemp(prefix="podtui-demo-")
    # --write-kubeconfig: the UI reads the file asked for, so that `c` and the help name it
    path = os.path.abspath(args.write_kubeconfig) if args.write_kubeconfig else os.path.join(own_dir, "kubeconfig")
    errors = _ErrorLog(args.log or os.path.join(own_dir, ERROR_LOG))
    written = False
    try:
        _start(cluster, args)
        _write_kubeconfig(cluster, path)
        written = True
        return open_ui(cluster, path, args)
    except UsageError:
        written = False  # refused before the screen opened (no terminal): the error says it all
        raise
    finally:
        cluster.stop()
        errors.close()
        # The UI has given the terminal back: now the kubeconfig and the errors can be named.
        if written:
            fate = "kept; the cluster it names has stopped" if args.write_kubeconfig else \
                "removed; --write-kubeconfig FILE keeps one"
            print(f"podtui demo: the demo's kubeconfig was {path} ({fate})", file=sys.stderr, flush=True)
        if errors.count:
            print(f"podtui demo: the demo cluster had {errors.count} internal error(s); tracebacks in {errors.path}",
                  file=sys.stderr, flush=True)
        _remove_tree(own_dir, keep=errors.path if errors.count else None)


def open_ui(cluster, kubeconfig_path: str, args) -> int:
    """The normal UI on the live source, pointed at the served demo: the same code path
    as a real cluster. Now is the cluster's simulated clock, so ages and countdowns agree
    with the served timestamps at any --speed."""
    from podtui.live_command import watch
    from podtui.sources.kubeconfig import ConnectionOptions

    options = ConnectionOptions(kubeconfig=kubeconfig_path, all_namespaces=True)
    return watch(options, cluster.clock, theme=args.theme, record=args.record, redact=not args.no_redact,
                 overwrite=args.force)


def _remove_tree(directory: str, keep: str | None = None) -> None:
    for child in Path(directory).iterdir():
        if keep is not None and child == Path(keep):
            continue
        try:
            child.unlink()
        except OSError:
            pass
    try:
        os.rmdir(directory)
    except OSError:
        pass
