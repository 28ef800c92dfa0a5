"""The summary's "what happened" names the cause of a pending restart: the crash it
follows has happened, and for a pod first seen in back-off it is the only cause known."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.lifecycle.report import _what_happened
from podtui.sources.history_command import history_text
from podtui.sources.recording import Header, write_recording

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "recordings"))
from make_recordings import EPOCH, SEED, STEP, DemoCluster, ManualClock, load_scenario  # noqa: E402


def _recorded_late(path: Path, start_after: float, seconds: float) -> Path:
    """The default demo as `podtui record` sees it when started `start_after` seconds
    after the demo: a first list of every pod and Event, then the watch."""
    cluster = DemoCluster(load_scenario("default"), clock=ManualClock(EPOCH), seed=SEED)
    cluster.advance(start_after)
    items: list = [SourceStatus("live", cluster.now, resource="pods"), Relist("pods", cluster.now, "start")]
    items += [Change(res, "ADDED", obj, cluster.now) for res in ("pods", "events") for obj in cluster.storage.list(res)]
    items.append(Relist("pods", cluster.now, "end"))
    rv, end = cluster.storage.resource_version, cluster.now + seconds
    while cluster.now < end:
        cluster.advance(STEP)
        while batch := cluster.storage.events_since(rv, 4096):
            items += [Change(e.resource, e.type, e.entry.obj, cluster.now) for e in batch]
            rv = batch[-1].rv
    header = Header(context="podtui-demo", server="demo", scope={"namespace": None},
                    started=EPOCH + start_after, redacted=True)
    write_recording(path, header, items)
    return path


def test_a_pod_first_seen_in_back_off_names_the_crash_it_waits_after(tmp_path):
    # Met at 10:04:30 after five restarts, OOMKilled at 10:03:48 and waiting out 2m40s:
    # that OOMKilled is the one cause known, and the summary said only "unknown".
    text = history_text(_recorded_late(tmp_path / "late.jsonl", 270, 90), ["demo/oom", "demo/crashloop"])
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| demo/")}
    assert rows["demo/oom"].endswith("| unknown, oom, in back-off at the end |")
    assert "- **cruncher** restart #6 (pending)" in text and "`oom`: OOMKilled (memory limit 64Mi)" in text
    assert rows["demo/crashloop"].endswith("| unknown, exit, in back-off at the end |")


@pytest.mark.parametrize("entries, said", [
    # only a pending restart known: its cause, not counted as a restart
    ([{"kind": "restart", "cause": "oom", "pending": True}], "oom"),
    ([{"kind": "missed", "cause": "unknown"}, {"kind": "restart", "cause": "oom", "pending": True}], "unknown, oom"),
    # restarts seen with the same cause: the pending one adds nothing to the count
    ([{"kind": "restart", "cause": "exit"}] * 3 + [{"kind": "restart", "cause": "exit", "pending": True}],
     "exit ×3"),
    # a pending restart named first does not count toward a later container's restarts
    ([{"kind": "restart", "cause": "oom", "pending": True}, {"kind": "restart", "cause": "oom"}], "oom"),
    ([{"kind": "restart", "cause": "oom", "pending": True}] + [{"kind": "restart", "cause": "oom"}] * 2, "oom ×2"),
    ([{"kind": "restart", "cause": "liveness"}, {"kind": "restart", "cause": "oom", "pending": True}],
     "liveness, oom"),
])
def test_what_happened_names_a_pending_restart_cause_without_counting_it(entries, said):
    assert _what_happened({"restarts_and_failures": entries}) == said
