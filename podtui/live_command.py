"""`podtui`: watch the pods of a live cluster, connecting as kubectl would.

Everything that can go wrong before the first frame (no kubeconfig, unknown context,
unreachable server, TLS, 401, 403 on a cluster-wide watch, a bad theme or recording
path) is raised as a one-line PodtuiError here, before the terminal is taken over.
"""

from __future__ import annotations

import argparse
import dataclasses

from podtui.clock import Clock, SystemClock
from podtui.errors import say, tell
from podtui.sources.kubeconfig import IN_CLUSTER, ConnectionOptions, add_connection_arguments, options_from_args
from podtui.heap import relax_gc
from podtui.sources.live import connect
from podtui.sources.recording import record_beside_the_screen, recording_summary, refuse_to_overwrite


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--theme", metavar="NAME", help="colour theme (see the help screen for the list)")
    parser.add_argument("--record", metavar="FILE", type=record_beside_the_screen, help="also record everything seen to FILE (.gz to compress), for `podtui replay`")
    parser.add_argument("--no-redact", action="store_true", help="with --record: keep env values, managedFields and last-applied annotations")
    parser.add_argument("--force", action="store_true", help="with --record: overwrite FILE if it already holds a recording")


def kubectl_flags(options: ConnectionOptions, context: str) -> tuple[str, ...]:
    """kubectl's flags for the cluster podtui watches, for the commands it shows.

    --context always: the kubeconfig's current-context may be another cluster's, or
    change while podtui runs. --kubeconfig only when given as a flag: $KUBECONFIG is
    inherited by the shell the command is pasted into. In a pod (no kubeconfig),
    kubectl finds the service account by itself.
    """
    if context == IN_CLUSTER:
        return ()
    flags = ("--kubeconfig", options.kubeconfig) if options.kubeconfig else ()
    return (*flags, "--context", context) if context else flags


def run(args: argparse.Namespace) -> int:
    if args.record:
        refuse_to_overwrite(args.record, args.force)  # before connecting, which may take a while
    return watch(options_from_args(args), SystemClock(), theme=args.theme, record=args.record,
                 redact=not args.no_redact, overwrite=args.force)


def watch(options: ConnectionOptions, clock: Clock, *, theme: str | None = None, record: str | None = None,
          redact: bool = True, overwrite: bool = True) -> int:
    """Connect as `options` say, then run the UI until the user quits.

    Shared by `podtui` and `podtui demo`, so the demo goes through exactly this path.
    `overwrite`: whether `record` may replace a recording already there.
    """
    # The UI pulls in textual: import it only once we know we'll show something.
    from podtui.sources.recording import start_recording
    from podtui.ui.app import NoTerminal, run as run_ui
    from podtui.ui.terminal import preflight
    from podtui.ui.themes import resolve_theme

    resolve_theme(theme)  # a typo in --theme should not cost a round trip first
    relax_gc()
    source = connect(options, clock, waiting=tell)
    feed = source
    try:
        # Before --record begins FILE (a second try refused to overwrite it), after the
        # connect: a kubeconfig's or the cluster's error is still said first.
        preflight()
    except BaseException:
        source.stop()
        raise
    if record:
        try:
            feed = start_recording(source, record, clock, redacted=redact, overwrite=overwrite)
        except BaseException:
            source.stop()
            raise

    def switch_namespace(namespace: str | None):
        # The picker asks for another scope: same kubeconfig and context, checked the
        # same way, so a forbidden cluster-wide watch is a one-line notice, not a crash.
        scoped = dataclasses.replace(options, namespace=namespace, all_namespaces=namespace is None)
        return connect(scoped, clock, interactive=False)  # the screen is open: no plugin may prompt

    # A recording follows one scope; with --record the picker filters the view instead.
    summary = bool(record)
    try:
        return run_ui(feed, clock, theme=theme, namespaces_switch=None if record else switch_namespace,
                      kubectl_flags=kubectl_flags(options, source.scope.context))
    except NoTerminal:
        summary = False  # refused before anything was shown or recorded: the error says it all
        raise
    finally:
        # Also after a crash or Ctrl-C, when what reached the file matters most. run_ui
        # stopped the feed: the recorder has finished the file.
        if summary:
            say(recording_summary(feed.writer))
