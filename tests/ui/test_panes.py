"""Each detail pane's text, from the fixture cluster's records at the fixture's frozen now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podtui.lifecycle.nextstep import countdown as model_countdown
from podtui.lifecycle.store import Store
from podtui.ui.panes import backoff, conditions, containers, events, phase, probes, termination, timeline
from podtui.ui.panes import yaml_view
from podtui.ui.panes.base import PaneContext
from podtui.ui.panes.fmt import countdown



def text(module, cluster, uid, **kw) -> str:
    store, now = cluster
    return module.render(store.pods[uid], now, PaneContext(records=store.pods), **kw).plain


def test_phase_shows_status_reason_owner_and_the_pod_it_replaced(cluster):
    t = text(phase, cluster, "uid-thumbnailer-7f9c-8vwq2")
    assert "Failed" in t and "Evicted" in t and "The node was low on resource: memory." in t
    assert "ReplicaSet/thumbnailer-7f9c (controller)" in t
    t = text(phase, cluster, "uid-db-0-new")
    assert "Replaces    shop/db-0 (uid uid-db-0), deleted 100s ago" in t
    assert "Replaced by shop/db-0 (uid uid-db-0)" in text(phase, cluster, "uid-db-0-old")
    t = text(phase, cluster, "uid-web-7d9f8c6b5-x2x7q")
    assert "10.244.1.12" in t and "192.168.5.11" in t and "Burstable" in t


def test_conditions_include_readiness_gates_and_disruption_target(cluster):
    t = text(conditions, cluster, "uid-edge-gw-5d9c-qq4hd")
    assert "example.com/lb-registered (readiness gate)" in t and "<not set>" in t
    assert "ReadinessGatesNotReady" in t
    t = text(conditions, cluster, "uid-thumbnailer-7f9c-8vwq2")
    assert "DisruptionTarget (disruption)" in t and "TerminationByKubelet" in t
    assert "since 09:49:59 (10m ago) · The node was low on resource: memory." in t
    lines = text(conditions, cluster, "uid-web-7d9f8c6b5-x2x7q").splitlines()
    order = [line.split()[0] for line in lines[1:] if not line.startswith(" ")]
    assert order == ["PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"]


def test_containers_in_start_order_with_states_and_exit_codes(cluster):
    t = text(containers, cluster, "uid-web-7d9f8c6b5-x2x7q")
    assert t.index("istio-proxy  [sidecar]") < t.index("app  [main]")
    t = text(containers, cluster, "uid-migrate-db-2h4kx")
    assert t.index("wait-for-db  [init]") < t.index("migrate  [init]") < t.index("app  [main]")
    assert "Waiting: PodInitializing" in t
    t = text(containers, cluster, "uid-indexer-0")
    # The model's one exit wording (history.terminated_exit_text, 14a468e), as x and the
    # Timeline say it: 137 needs no help.
    assert "Last state  Terminated: OOMKilled  exit 137" in t and "exit code" not in t
    assert "Restarts 2" in t
    t = text(containers, cluster, "uid-seed-data-9kq2p")
    assert "Terminated: Error  exit 2" in t


def test_the_containers_pane_names_a_signal_as_the_model_does():
    # The pane said "exit code 143 (SIGTERM?)" where x said "exit 143 (SIGTERM)".
    from podtui.ui.panes.containers import state_lines
    stopped = {"terminated": {"exitCode": 143, "reason": "Error"}}
    assert state_lines("Last state", stopped, 0.0)[0].plain == "Last state  Terminated: Error  exit 143 (SIGTERM)"
    killed = {"terminated": {"signal": 9, "reason": "Error"}}
    assert state_lines("Last state", killed, 0.0)[0].plain.endswith("Terminated: Error  signal 9 (SIGKILL)")


def test_backoff_ladder_countdown_and_measured(cluster):
    t = text(backoff, cluster, "uid-crashy-5c6b9d-kq8zt")
    assert "10s 20s 40s 1m20s 2m40s [5m0s]" in t
    assert "when        next restart in 3m55s at 10:03:55  measured" in t  # finishedAt 09:58:55 + 5m
    t = text(backoff, cluster, "uid-search-5b7d-4rzlm")
    assert "image pull back-off" in t and "next pull" in t
    assert "No container is in restart" in text(backoff, cluster, "uid-web-7d9f8c6b5-x2x7q")


def test_probes_summary_streak_and_when_the_kubelet_acts(cluster):
    t = text(probes, cluster, "uid-api-6f7c9b-lp2m4")
    assert "api  liveness  http GET :8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3" in t
    assert "2/3 failures  kubelet kills the container in ~5s" in t
    assert "Liveness probe failed: HTTP probe failed with statuscode: 500" in t
    assert "Unhealthy  5s (x2 over 15s)" in t and "x2  " not in t  # the count is said once
    assert "No liveness, readiness or startup probes" in text(probes, cluster, "uid-crashy-5c6b9d-kq8zt")


def test_probes_pane_marks_an_estimated_streak():
    from tests.lifecycle import test_probe_runs as runs

    store = runs.new_store(runs.pod(period=10, threshold=20))
    kubelet = runs.Kubelet(store)
    for tick in range(12):
        kubelet.write("Liveness probe failed: a", 10 * tick, shown=tick != 6)  # count 6 -> 8 unseen
    t = probes.render(store.by_name("shop", "web-0"), runs.T0 + 111, PaneContext(records=store.pods)).plain
    assert "~12/20 failures  kubelet kills the container in ~79s" in t
    assert "count estimated: not every failure was seen written" in t


def test_termination_countdown_bar_prestop_finalizers_deadline(cluster):
    t = text(termination, cluster, "uid-checkout-6c8d-2xv8r")
    assert "SIGKILL     in 18s at 10:00:18" in t
    assert "grace period 30s" in t and "preStop     checkout" in t
    bar = next(line for line in t.splitlines() if "█" in line or "░" in line).strip()
    assert bar.count("█") == 12 and bar.count("░") == 18  # 12 of 30 seconds gone
    t = text(termination, cluster, "uid-legacy-report-1")
    assert "waiting on finalizers: example.com/archive-logs" in t
    assert "held 3m50s since 09:56:10: the containers are done" in t
    t = text(termination, cluster, "uid-nightly-etl-28xk9")
    assert "deadline    activeDeadlineSeconds 600s: in 4m at 10:04:00" in t
    t = text(termination, cluster, "uid-thumbnailer-7f9c-8vwq2")
    assert "TerminationByKubelet" in t and "Evicted" in t


def test_a_pod_gone_before_its_deadline_has_no_sigkill_countdown(cluster):
    from podtui.lifecycle.changes import DELETED, MODIFIED, PODS, Change

    store, now = cluster
    rec = store.pods["uid-checkout-6c8d-2xv8r"]  # deletion requested, SIGKILL due at 10:00:18
    own = Store(store.clock)
    own.apply(Change(PODS, MODIFIED, rec.obj, now - 5))
    own.apply(Change(PODS, DELETED, rec.obj, now - 2))
    t = termination.render(own.pods[rec.uid], now, PaneContext(records=own.pods)).plain
    assert "SIGKILL     not needed: gone 20s before the deadline at 10:00:18" in t
    assert "█" not in t and "removed     gone from the API 2s ago" in t

    # Found gone on relist at the same time, the watch having last read at now-5: it went
    # some time before, so at least 20s before the deadline (before: "gone 20s before").
    t = _checkout_found_on_relist(cluster, last_read=5)
    assert "SIGKILL     not needed: gone at least 20s before the deadline at 10:00:18" in t


def _checkout_found_on_relist(cluster, last_read: float) -> str:
    """The Termination pane of checkout (SIGKILL due at 10:00:18), seen at now-5 and
    found missing from a relist at now-2 whose watch last read at now-`last_read`."""
    from podtui.lifecycle.changes import DELETED, MODIFIED, PODS, Change
    from podtui.lifecycle.store import RELIST_NOTE

    store, now = cluster
    rec = store.pods["uid-checkout-6c8d-2xv8r"]
    relisted = Store(store.clock)
    relisted.apply(Change(PODS, MODIFIED, rec.obj, now - 5))
    gone = json.loads(json.dumps(rec.obj))
    gone["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(now - last_read)
    relisted.apply(Change(PODS, DELETED, gone, now - 2, synthetic=True))
    return termination.render(relisted.pods[rec.uid], now, PaneContext(records=relisted.pods)).plain


def test_a_pod_found_gone_on_relist_is_dated_between_the_last_read_and_the_relist(cluster):
    from podtui.lifecycle.changes import DELETED, MODIFIED, PODS, Change
    from podtui.lifecycle.store import RELIST_NOTE

    store, now = cluster
    rec = store.pods["uid-web-7d9f8c6b5-x2x7q"]
    own = Store(store.clock)
    own.apply(Change(PODS, MODIFIED, rec.obj, now - 60))
    meta = {k: rec.obj["metadata"][k] for k in ("uid", "name", "namespace")}
    gone = {"kind": "Pod", "apiVersion": "v1", "metadata": {**meta, "annotations": {RELIST_NOTE: repr(now - 61)}}}
    own.apply(Change(PODS, DELETED, gone, now - 26, synthetic=True))
    t = termination.render(own.pods[rec.uid], now, PaneContext(records=own.pods)).plain
    assert "removed     gone from the API between 09:58:59 and 09:59:34 (found on relist 26s ago)" in t
    assert "≈09:59:34   26s ago │ removed from the API · between 09:58:59 and 09:59:34" in \
        text(timeline, (own, now), rec.uid)


def _gone(cluster, synthetic: bool, last_read: float = 61):
    """web-x2x7q in a store of its own, seen at now-60 and gone at now-26: read off the
    watch as DELETED, or found missing from a relist whose watch last read at
    now-`last_read`; with a replacement made at now-40 that names it."""
    from podtui.lifecycle.changes import ADDED, DELETED, MODIFIED, PODS, Change
    from podtui.lifecycle.store import RELIST_NOTE

    store, now = cluster
    rec = store.pods["uid-web-7d9f8c6b5-x2x7q"]
    own = Store(store.clock)
    own.apply(Change(PODS, MODIFIED, rec.obj, now - 60))
    gone = json.loads(json.dumps(rec.obj))
    if synthetic:
        meta = {k: rec.obj["metadata"][k] for k in ("uid", "name", "namespace")}
        note = {RELIST_NOTE: repr(now - last_read)}
        gone = {"kind": "Pod", "apiVersion": "v1", "metadata": {**meta, "annotations": note}}
    own.apply(Change(PODS, DELETED, gone, now - 26, synthetic=synthetic))
    new = json.loads(json.dumps(rec.obj))
    new["metadata"].update(uid="uid-web-new", name="web-7d9f8c6b5-n3w00")
    own.apply(Change(PODS, ADDED, new, now - 20))
    own.pods["uid-web-new"].replaces = rec.uid  # as Store.replacement finds it
    return own, now, rec.uid


@pytest.mark.parametrize("synthetic, gone, replaces", [
    # A DELETED the watch read: when it went, as before.
    (False, "Gone        removed from the API 26s ago\n",
     "Replaces    shop/web-7d9f8c6b5-x2x7q (uid uid-web-), deleted 26s ago\n"),
    # Found on relist: it went while the watch was down, by the relist (before: "26s ago").
    (True, "Gone        removed from the API between 09:58:59 and 09:59:34 (found on relist 26s ago)\n",
     "Replaces    shop/web-7d9f8c6b5-x2x7q (uid uid-web-), deleted ≥26s ago\n"),
])
def test_the_phase_pane_dates_a_relists_removal_as_a_window(cluster, synthetic, gone, replaces):
    own, now, uid = _gone(cluster, synthetic)
    ctx = PaneContext(records=own.pods, width=200)
    assert gone in phase.render(own.pods[uid], now, ctx).plain + "\n"
    assert replaces in phase.render(own.pods["uid-web-new"], now, ctx).plain + "\n"


def test_a_relist_at_the_instant_of_the_watchs_last_read_is_still_dated_as_found_on_relist(cluster):
    # The watch last read at now-26, the very time the relist found the pod gone: the
    # REMOVED entry is still a relist's (before: "removed from the API 26s ago", exact).
    own, now, uid = _gone(cluster, True, last_read=26)
    ctx = PaneContext(records=own.pods, width=200)
    found = "at 09:59:34 (found on relist 26s ago)"
    assert f"Gone        removed from the API {found}\n" in phase.render(own.pods[uid], now, ctx).plain + "\n"
    assert "deleted ≥26s ago" in phase.render(own.pods["uid-web-new"], now, ctx).plain
    assert f"removed     gone from the API {found}" in termination.render(own.pods[uid], now, ctx).plain


def test_a_same_instant_relist_before_the_deadline_bounds_the_sigkill_it_spared(cluster):
    # The watch last read at now-2, when the relist found it gone (before: "gone 20s before").
    t = _checkout_found_on_relist(cluster, last_read=2)
    assert "SIGKILL     not needed: gone at least 20s before the deadline at 10:00:18" in t


def test_timeline_marks_reconstructed_entries_and_filters_by_container(cluster):
    t = text(timeline, cluster, "uid-crashy-5c6b9d-kq8zt")
    lines = t.splitlines()
    assert lines[0].startswith("newest first")
    # Each crash of the loop its own entry (the fixture's instances shared one containerID,
    # and the model saw a single crash: "restarted (5 → 6)" was all it could say).
    assert "[main] app restart #6: exit 1, reason Error; back-off 2m40s" in t
    assert "[main] app crashed, restart #7 pending: exit 1, reason Error; back-off 5m0s" in t
    first_entry_times = [line[1:9] for line in lines[1:] if "│" in line]
    assert first_entry_times == sorted(first_entry_times, reverse=True)
    axis = text(timeline, cluster, "uid-crashy-5c6b9d-kq8zt", order=timeline.TIME_AXIS).splitlines()
    assert "+      0s │ pod created" in axis[1]
    assert any(line.strip().startswith("┆") and "later" in line for line in axis)
    only = text(timeline, cluster, "uid-web-7d9f8c6b5-x2x7q", container="istio-proxy")
    assert "istio-proxy" in only and "app:" not in only and "phase" not in only


def test_events_newest_first_with_counts_like_kubectl_describe(cluster):
    t = text(events, cluster, "uid-search-5b7d-4rzlm")
    lines = t.splitlines()
    assert lines[0].split() == ["TYPE", "REASON", "AGE", "FROM"]
    assert "25s (x5 over 3m17s)" in t and "25s (x7 over 3m16s)" in t
    assert "Failed to pull image" in t
    assert events.event_age(100.0, 160.0, 3, 200.0) == "40s (x3 over 100s)"
    assert events.event_age(100.0, None, 1, 200.0) == "100s"


def test_yaml_masks_env_values_and_drops_managed_fields(cluster):
    store, now = cluster
    record = store.pods["uid-web-7d9f8c6b5-x2x7q"]
    obj = dict(record.obj)
    obj["spec"] = dict(obj["spec"])
    obj["spec"]["containers"] = [{**obj["spec"]["containers"][0],
                                  "env": [{"name": "DB_PASSWORD", "value": "hunter2"},
                                          {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s"}}}]}]
    obj["metadata"] = {**obj["metadata"], "managedFields": [{"manager": "kubectl"}]}
    t = yaml_view.highlight(yaml_view.pod_yaml(obj)).plain
    assert "hunter2" not in t and "<redacted>" in t and "secretKeyRef" in t and "managedFields" not in t
    assert "name: web-7d9f8c6b5-x2x7q" in t


@pytest.mark.parametrize("module", [phase, conditions, containers, backoff, probes, termination, timeline, events,
                                    yaml_view])
def test_the_malformed_pod_shows_what_it_has(cluster, module):
    t = text(module, cluster, "uid-odd")
    assert t  # something, and no exception


def test_countdown_format():
    # The model's (NEXT, the detail title): the title said "next: restart in 89s" over
    # the Back-off pane's "next restart in 1m29s". Rounded up: never 0s while still due.
    assert [countdown(x) for x in (0, 0.2, 37, 59.1, 60, 89, 252, 3600, 3720, 86400 * 3)] == [
        "0s", "1s", "37s", "60s", "60s", "89s", "4m12s", "60m", "62m", "3d"]
    for left in (0.2, 59.1, 88.4, 89, 119.5, 252, 3720, 86400 * 3):
        assert countdown(left) == model_countdown(100.0 + left, 100.0)


def test_a_restart_first_seen_mid_life_has_no_python_none_for_its_old_count():
    from podtui.lifecycle import records as r
    t = r.Transition(at=0.0, kind=r.RESTART, subject="app", old=None, new="4", observed=False,
                     container_kind="main")
    assert timeline.describe(t).plain == "[main] app restart count 4"
    t = r.Transition(at=0.0, kind=r.RESTART, subject="app", old="3", new="4", container_kind="main")
    assert timeline.describe(t).plain == "[main] app restarted (3 → 4)"


def test_a_finalizer_entry_names_the_finalizer_and_what_happened_to_it():
    from podtui.lifecycle import records as r
    t = r.Transition(at=0.0, kind=r.FINALIZER, subject="example.com/backup-protection", old="present", new="removed")
    assert timeline.describe(t).plain == "finalizer example.com/backup-protection removed"


def test_yaml_long_values_wrap_under_themselves_not_at_the_left_edge():
    message = "back-off 40s restarting failed container=app pod=crashloop_demo(cd613e30-d8f1-4adf-91b7-584a2265b1f5)"
    obj = {"status": {"containerStatuses": [{"name": "app", "state": {"waiting": {"message": message}}}]}}
    lines = yaml_view.highlight(yaml_view.pod_yaml(obj), wrap=60).plain.splitlines()
    at = next(i for i, line in enumerate(lines) if "message: " in line)
    value_column = lines[at].index("message: ") + len("message: ")
    tail = lines[at + 1:]
    assert tail and all(len(line) <= 60 for line in lines)
    assert all(line[:value_column].isspace() and not line[value_column].isspace() for line in tail)
    joined = " ".join(line.strip() for line in [lines[at][value_column:], *tail])
    assert joined.replace(" ", "") == message.replace(" ", "")  # all of it, in order
    assert yaml_view.highlight("a: b", wrap=60).plain == "a: b"


KUBECTL = Path(__file__).parent / "fixtures" / "kubectl"


@pytest.mark.parametrize("name", ["gated", "scalars"])
def test_yaml_is_what_kubectl_get_o_yaml_prints(name):
    obj = json.loads((KUBECTL / f"{name}.json").read_text(encoding="utf-8"))
    # kubectl hides managedFields unless --show-managed-fields; podtui always does
    obj["metadata"]["managedFields"] = [{"manager": "kubectl", "operation": "Update"}]
    assert yaml_view.pod_yaml(obj) == (KUBECTL / f"{name}.yaml").read_text(encoding="utf-8")


def test_yaml_multi_line_text_is_not_coloured_as_keys():
    text = yaml_view.pod_yaml({"metadata": {"annotations": {"note": "port: 8080\nhost: x\n"}, "name": "p"}})
    shown = yaml_view.highlight(text)
    coloured = [shown.plain[s.start:s.end] for s in shown.spans if s.style == "$text-primary"]
    assert coloured == ["metadata", "annotations", "note", "name"]


def test_yaml_a_value_kubectl_folded_reads_as_one_paragraph_when_the_pane_wraps_it():
    obj = json.loads((KUBECTL / "gated.json").read_text(encoding="utf-8"))
    text = yaml_view.pod_yaml(obj)  # kubectl's fold: "...gate \"example.com/lb-registered\"\n      does not exist."

    def around_message(width):
        lines = yaml_view.highlight(text, wrap=width).plain.splitlines()
        at = next(i for i, line in enumerate(lines) if "message: " in line)
        return lines[at:at + 4]

    assert around_message(78) == ['    message: corresponding condition of pod readiness gate',
                                  '             "example.com/lb-registered"',
                                  '             does not exist.',
                                  '    reason: ReadinessGatesNotReady']
    assert around_message(120)[:3] == [
        '    message: corresponding condition of pod readiness gate "example.com/lb-registered"',
        '      does not exist.',  # not wrapped by the pane: as kubectl prints it
        '    reason: ReadinessGatesNotReady']


@pytest.mark.parametrize("wrap", [None, 120, 60])
def test_yaml_the_rest_of_a_value_kubectl_folded_is_not_coloured_as_a_key(wrap):
    message = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
               "3 No preemption victims found for incoming pod.")
    command = "sh -c 'while true; do sleep 1; done; echo exit code: 1, as the long test run always does'"
    obj = {"spec": {"containers": [{"args": [command], "name": "app"}]},
           "status": {"conditions": [{"message": message, "reason": "Unschedulable", "type": "PodScheduled"}]}}
    text = yaml_view.pod_yaml(obj)
    assert "\n      available: 3 No preemption" in text  # folded as kubectl does
    shown = yaml_view.highlight(text, wrap)
    coloured = [shown.plain[s.start:s.end] for s in shown.spans if s.style == "$text-primary"]
    # Before: "available" (the folded line) and "- \"sh -c 'while ... echo exit code" were keys.
    assert coloured == ["spec", "containers", "args", "name", "status", "conditions", "message", "reason", "type"]


def test_time_axis_offsets_agree_with_the_clock_column():
    # "≈07:42:54 +0s" then "07:42:55 +0s": the offset was cut from the exact times
    # (54.9 to 55.3) while the clock column shows their seconds.
    from tests.ui.harness import items_from_recording

    items, clock, _ = items_from_recording(Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz")
    store = Store(clock)
    store.apply_batch(items)
    checked = 0
    for record in store.pods.values():
        for container in (None, *timeline.containers_in(record.history.entries)):
            lines = timeline.render(record, clock.time(), order=timeline.TIME_AXIS, container=container).plain
            stamped = [line for line in lines.splitlines()[1:] if "│" in line and line[1:2].isdigit()]
            seconds = [int(line[1:3]) * 3600 + int(line[4:6]) * 60 + int(line[7:9]) for line in stamped]
            for line, at in zip(stamped, seconds):
                offset = line[11:19].strip()  # "+      0s"
                if offset[:-1].isdigit():  # spans under two minutes, in seconds
                    assert int(offset[:-1]) == at - seconds[0], line
                    checked += 1
    assert checked > 100


def test_a_multi_line_termination_message_is_one_telling_line_in_the_containers_pane():
    from podtui.ui.panes.containers import state_lines
    trace = "Traceback (most recent call last):\n" + "".join(
        f'  File "/app/layer{i}.py", line {i}, in call\n    return next_layer()\n' for i in range(28)) + "KeyError: 'DB_URL'\n"
    state = {"terminated": {"exitCode": 1, "reason": "Error", "message": trace,
                            "startedAt": "2024-05-01T10:00:00Z", "finishedAt": "2024-05-01T10:00:05Z"}}
    lines = [c.plain for c in state_lines("Last state", state, 1714557700.0, wrap=100)]
    assert lines[-1].strip() == "KeyError: 'DB_URL'  (1 of 58 lines; x shows the end)"
    assert not any("layer" in text for text in lines)
    single = {"terminated": {"exitCode": 1, "message": "cannot open /data: permission denied"}}
    assert state_lines("State", single, 0.0)[-1].plain.strip() == "cannot open /data: permission denied"


def _held_then_removed(last_read: float | None = None) -> str:
    """The Termination pane of finalizers_released's held pod: deleted at 10:10:00, its
    finalizer still listed when it went at 10:15:00, read 5s later. The removal is a
    DELETED read off the watch, or with `last_read` (seconds after 10:00:10) one a relist
    made, its watch having last read then."""
    import json as _json
    from podtui.clock import ManualClock
    from podtui.lifecycle.changes import ADDED, DELETED, MODIFIED, PODS, Change
    from podtui.lifecycle.store import RELIST_NOTE
    fixture = _json.loads((Path(__file__).resolve().parents[1] / "lifecycle" / "fixtures" / "model"
                           / "finalizers_released.json").read_text())
    pod = fixture["pods"]["held"]
    t0 = 1714557610.0  # 10:00:10Z
    store = Store(ManualClock(t0))
    store.apply(Change(PODS, ADDED, pod, t0))
    deleting = _json.loads(_json.dumps(pod))
    deleting["metadata"].update(deletionTimestamp="2024-05-01T10:10:30Z", deletionGracePeriodSeconds=30)
    store.apply(Change(PODS, MODIFIED, deleting, t0 + 591))
    gone = _json.loads(_json.dumps(deleting))
    if last_read is not None:
        gone["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(t0 + last_read)
    store.apply(Change(PODS, DELETED, gone, t0 + 890, synthetic=last_read is not None))
    return termination.render(store.pods["uid-held"], t0 + 895, PaneContext(records=store.pods)).plain


def test_a_pod_its_finalizers_held_says_for_how_long_once_it_is_gone():
    t = _held_then_removed()
    assert "finalizers  example.com/protect  held the pod 4m30s until its removal" in t
    assert "waiting on finalizers" not in t


def test_a_finalizer_hold_up_to_a_relists_removal_is_an_upper_bound():
    t = _held_then_removed(last_read=710)  # the watch last read at 10:12:00
    # Before: "held the pod 4m30s until its removal", to the relist, as if seen then.
    assert "finalizers  example.com/protect  held the pod at most 4m30s until its removal" in t
    assert "removed     gone from the API between 10:12:00 and 10:15:00 (found on relist 5s ago)" in t


def test_the_backoff_pane_says_the_hook_next_says_not_restart_due():
    # The status keeps CrashLoopBackOff while the hook of the restart it asked for runs.
    from podtui.lifecycle.nextstep import next_step
    from tests.lifecycle.test_next_post_start import replay_poststart_fail

    seen = set()
    for t, rec in replay_poststart_fail():
        step = next_step(rec, t) if rec is not None else None
        if step is None or not step.text.startswith("postStart hook"):
            continue
        t_ = backoff.render(rec, t, PaneContext(records={rec.uid: rec})).plain
        if "crash loop back-off" not in t_:
            continue  # the first start: no back-off to contradict
        when = next(row for row in t_.splitlines() if row.startswith("when"))
        assert step.text in when and "due" not in when, (t, step.text, t_)
        seen.add(step.text)
    assert {"postStart hook running for 1s", "postStart hook failed"} <= seen, seen


def test_the_backoff_pane_shows_the_restart_next_estimates_before_crashloopbackoff():
    # A container just exited (Error), before the kubelet's sync says CrashLoopBackOff: NEXT
    # said "restart in ~10s" while the pane said no container was in back-off.
    from podtui.lifecycle.backoff import Ladder
    from podtui.lifecycle.nextstep import next_step
    from tests.lifecycle.test_timers import T0, _crashed_pod, record

    rec = record(_crashed_pod(1), ladders={"app": Ladder()})
    now = T0 + 1
    assert next_step(rec, now).text == "restart in ~9s"
    t = backoff.render(rec, now, PaneContext(records={})).plain
    assert "No container is in restart" not in t
    assert "[10s] 20s 40s" in t
    when = next(row for row in t.splitlines() if row.startswith("when"))
    assert "next restart in 9s" in when and "estimated" in when, t


def test_a_container_that_exited_after_10m_restarts_without_a_back_off_in_the_pane():
    from podtui.lifecycle.backoff import Ladder
    from tests.lifecycle.test_timers import T0, _crashed_pod, record

    rec = record(_crashed_pod(1, ran=700.0), ladders={"app": Ladder()})
    t = backoff.render(rec, T0 + 1, PaneContext(records={})).plain
    assert "restarted without back-off" in t and "ladder" not in t, t
