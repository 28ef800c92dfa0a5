"""Store behaviour beyond the fixtures: versions and dirt, the cheap path, indexes,
bounds, expiry, and that applying never walks the other pods."""

from __future__ import annotations

import copy
import math

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, BOOKMARK, DELETED, EVENTS, MODIFIED, PODS, Change, Relist, SourceStatus
from podtui.lifecycle.store import TOMBSTONE_LIMIT, Store

T0 = 1_714_557_600.0


def make_pod(uid="u1", name="web-0", ready=True, restarts=0, rv="1"):
    return {
        "metadata": {"uid": uid, "name": name, "namespace": "shop", "resourceVersion": rv,
                     "creationTimestamp": "2024-05-01T10:00:00Z"},
        "spec": {"nodeName": "n1", "containers": [{"name": "app"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": ready, "restartCount": restarts,
             "state": {"running": {"startedAt": "2024-05-01T10:00:03Z"}}}]},
    }


def make_event(uid, pod_uid="u1", pod_name="web-0", count=1, last="2024-05-01T10:00:10Z", rv="1", message="m"):
    return {"metadata": {"uid": uid, "name": f"{pod_name}.{uid}", "namespace": "shop", "resourceVersion": rv},
            "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": "shop", "uid": pod_uid},
            "reason": "Unhealthy", "message": message, "type": "Warning", "count": count,
            "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": last}


def new_store(**kw) -> Store:
    return Store(ManualClock(T0), **kw)


def test_versions_dirt_and_the_unchanged_status_path():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    assert store.take_dirty() == {"u1"}
    rec = store.pods["u1"]
    row, history_len, version = rec.row, len(rec.history), rec.version

    # A new resourceVersion with an identical status: new object, same row, no history.
    store.apply(Change(PODS, MODIFIED, make_pod(rv="2"), T0 + 1))
    assert rec.obj["metadata"]["resourceVersion"] == "2"
    assert rec.row is row and len(rec.history) == history_len
    assert rec.version == version + 1 and store.take_dirty() == {"u1"}

    store.apply(Change(PODS, MODIFIED, make_pod(ready=False, rv="3"), T0 + 2))
    assert rec.row is not row and rec.row.ready == "0/1"
    assert len(rec.history) == history_len + 1
    added = [e for e in rec.history if e.observed]  # everything else was reconstructed at first sight
    # Seen at T0 + 2 by podtui's clock, but the version seen before already said the
    # container started at T0 + 3 (cluster clock ahead): not dated before that.
    assert [(e.kind, e.old, e.new, e.at) for e in added] == [("ready", "true", "false", T0 + 3)]
    assert store.take_dirty() == {"u1"} and store.take_dirty() == set()
    assert store.resource_versions[PODS] == "3"
    assert store.stats[PODS] == {ADDED: 1, MODIFIED: 2}


def test_apply_never_walks_the_other_pods():
    """O(changed pod): applying an event must not iterate the pod map (or the history)."""

    class Watched(dict):
        walks = 0

        def __iter__(self):
            Watched.walks += 1
            return super().__iter__()

        def values(self):
            Watched.walks += 1
            return super().values()

        def items(self):
            Watched.walks += 1
            return super().items()

    store = new_store()
    store.pods = Watched()
    for i in range(50):
        store.apply(Change(PODS, ADDED, make_pod(uid=f"u{i}", name=f"web-{i}"), T0))
    for i in range(50):
        store.apply(Change(PODS, MODIFIED, make_pod(uid=f"u{i}", name=f"web-{i}", ready=False, restarts=1), T0 + 1))
        store.apply(Change(EVENTS, ADDED, make_event(f"e{i}", pod_uid=f"u{i}", pod_name=f"web-{i}"), T0 + 1))
    store.apply(Change(PODS, DELETED, make_pod(uid="u3", name="web-3"), T0 + 2))
    assert Watched.walks == 0
    assert len(store.pods) == 50 and store.pods["u3"].is_tombstone


def test_by_name_prefers_the_live_pod_and_falls_back_to_the_latest_tombstone():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod("a"), T0))
    store.apply(Change(PODS, DELETED, make_pod("a"), T0 + 1))
    assert store.by_name("shop", "web-0").uid == "a"
    store.apply(Change(PODS, ADDED, make_pod("b"), T0 + 2))
    assert store.by_name("shop", "web-0").uid == "b"
    assert store.pods["b"].replaces == "a" and store.pods["a"].replaced_by == "b"
    store.apply(Change(PODS, DELETED, make_pod("b"), T0 + 3))
    assert store.by_name("shop", "web-0").uid == "b"
    assert store.by_name("shop", "nope") is None


def test_expire_drops_only_old_tombstones_and_reports_them_dirty():
    store = new_store(tombstone_ttl=60)
    for i, at in enumerate((0, 10, 20)):
        store.apply(Change(PODS, ADDED, make_pod(f"u{i}", f"web-{i}"), T0))
        store.apply(Change(PODS, DELETED, make_pod(f"u{i}", f"web-{i}"), T0 + at))
    store.apply(Change(PODS, ADDED, make_pod("live", "web-9"), T0))
    store.take_dirty()
    assert store.expire(T0 + 69) == ["u0"]
    assert store.take_dirty() == {"u0"}
    assert store.expire(T0 + 1000) == ["u1", "u2"]
    assert set(store.pods) == {"live"} and store.by_name("shop", "web-1") is None


def test_tombstones_past_the_limit_go_oldest_first_at_once_and_are_counted():
    """A churning cluster deletes faster than tombstone_ttl lets them go: past the limit
    the oldest goes at the deletion that crosses it (so a replay's position is one
    state), counted apart from those that lived out their ttl."""
    store = new_store(tombstone_ttl=60, tombstone_limit=2)
    for i in range(4):
        pod = make_pod(f"u{i}", f"web-{i}")
        pod["metadata"]["ownerReferences"] = [{"kind": "StatefulSet", "name": "web", "uid": "ss", "controller": True}]
        store.apply(Change(PODS, ADDED, pod, T0))
    store.take_dirty()
    for i in range(3):
        store.apply(Change(PODS, DELETED, make_pod(f"u{i}", f"web-{i}"), T0 + 1 + i))
    assert set(store.pods) == {"u1", "u2", "u3"} and store.tombstones_dropped == 1
    assert "u0" in store.take_dirty() and store.by_name("shop", "web-0") is None
    assert store.siblings("u1") == (None, "u2")  # gone from its controller's pods too
    # A tombstone seen again is no tombstone: it neither counts nor makes room twice.
    store.apply(Change(PODS, MODIFIED, make_pod("u1", "web-1", ready=False), T0 + 4))
    store.apply(Change(PODS, DELETED, make_pod("u3", "web-3"), T0 + 5))
    assert set(store.pods) == {"u1", "u2", "u3"} and store.tombstones_dropped == 1
    assert store.expire(T0 + 1000) == ["u2", "u3"] and store.tombstones_dropped == 1


def test_no_tombstone_limit_keeps_every_tombstone():
    store = new_store(tombstone_limit=None)
    for i in range(50):
        store.apply(Change(PODS, ADDED, make_pod(f"u{i}", f"web-{i}"), T0))
        store.apply(Change(PODS, DELETED, make_pod(f"u{i}", f"web-{i}"), T0 + 1))
    assert len(store.pods) == 50 and store.tombstones_dropped == 0


def test_the_default_tombstone_limit_bounds_a_churning_cluster():
    # 177 deletions a second (the scale demo's churn) for a ttl of 5 minutes kept 53,000
    # tombstones, 15 KB each: at most TOMBSTONE_LIMIT stay.
    assert Store(ManualClock(T0)).tombstone_limit == TOMBSTONE_LIMIT == 10_000


def test_a_tombstone_seen_again_comes_back():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(PODS, DELETED, make_pod(), T0 + 1, synthetic=True))
    store.apply(Change(PODS, MODIFIED, make_pod(ready=False), T0 + 2))
    rec = store.pods["u1"]
    assert not rec.is_tombstone and store.by_name("shop", "web-0") is rec
    assert store.expire(T0 + 10_000) == []


def test_a_relists_deletion_names_the_pod_and_keeps_its_last_version():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(restarts=2), T0))
    before = store.pods["u1"].obj
    named = {"metadata": {"uid": "u1", "name": "web-0", "namespace": "shop", "resourceVersion": "1"}}
    store.apply(Change(PODS, DELETED, named, T0 + 5, synthetic=True))
    rec = store.pods["u1"]
    assert rec.is_tombstone and rec.obj is before and rec.row.restarts == 2
    assert [t.kind for t in rec.history][-1] == "removed" and "relist" in list(rec.history)[-1].detail
    # A deletion read off the wire does carry the final state.
    store.apply(Change(PODS, ADDED, make_pod("u2", "web-1"), T0))
    store.apply(Change(PODS, DELETED, make_pod("u2", "web-1", ready=False), T0 + 6))
    assert store.pods["u2"].obj["status"]["containerStatuses"][0]["ready"] is False


def test_history_limit_drops_the_oldest_and_counts_them():
    store = new_store(history_limit=5)
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    for i in range(20):
        store.apply(Change(PODS, MODIFIED, make_pod(ready=i % 2 == 0), T0 + 10 + i))
    h = store.pods["u1"].history
    assert len(h.entries) == 5 and h.dropped > 0
    assert [e.at for e in h.entries] == [T0 + 25, T0 + 26, T0 + 27, T0 + 28, T0 + 29]


def test_events_update_in_place_stay_bounded_and_ignore_stale_copies():
    store = new_store(events_per_pod=3)
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(EVENTS, ADDED, make_event("e1", count=1, rv="10"), T0))
    store.apply(Change(EVENTS, MODIFIED, make_event("e1", count=4, last="2024-05-01T10:00:40Z", rv="14"), T0))
    store.apply(Change(EVENTS, MODIFIED, make_event("e1", count=2, last="2024-05-01T10:00:20Z", rv="12"), T0))
    rec = store.pods["u1"]
    assert [(e.uid, e.count) for e in rec.events] == [("e1", 4)]
    for i in range(2, 6):
        store.apply(Change(EVENTS, ADDED, make_event(f"e{i}", last=f"2024-05-01T10:01:0{i}Z"), T0))
    assert [e.uid for e in rec.events] == ["e3", "e4", "e5"]
    assert set(rec.event_index) == {"e3", "e4", "e5"}


def test_pending_events_are_bounded_oldest_first_and_attach_by_uid():
    store = new_store(pending_events_limit=3)
    for i in range(5):
        store.apply(Change(EVENTS, ADDED, make_event(f"e{i}", pod_uid=f"x{i}", pod_name=f"p{i}"), T0))
    assert store.pending_events == 3
    store.apply(Change(PODS, ADDED, make_pod("x0", "p0"), T0))  # its event was dropped
    assert store.pods["x0"].events == []
    store.apply(Change(PODS, ADDED, make_pod("other", "p4"), T0))  # another incarnation of p4
    assert store.pods["other"].events == [] and store.pending_events == 3
    store.apply(Change(PODS, DELETED, make_pod("other", "p4"), T0))
    store.apply(Change(PODS, ADDED, make_pod("x4", "p4"), T0 + 1))
    assert [e.uid for e in store.pods["x4"].events] == ["e4"] and store.pending_events == 2


def test_events_of_other_kinds_are_ignored_cheaply():
    store = new_store()
    ev = make_event("n1")
    ev["involvedObject"] = {"kind": "Node", "name": "n1"}
    store.apply(Change(EVENTS, ADDED, ev, T0))
    assert store.stats[EVENTS] == {ADDED: 1, "ignored": 1}
    assert store.pending_events == 0 and not store.problems


def test_apply_batch_applies_changes_and_skips_status_items():
    store = new_store()
    store.apply_batch([
        SourceStatus(state="live", at=T0), Relist(resource=PODS, at=T0, phase="start"),
        Change(PODS, ADDED, make_pod(), T0), Relist(resource=PODS, at=T0, phase="end"),
        Change(PODS, BOOKMARK, {"metadata": {"resourceVersion": "99"}}, T0),
    ])
    assert list(store.pods) == ["u1"] and store.resource_versions[PODS] == "99"
    assert not store.problems


def test_a_non_finite_observed_time_falls_back_to_the_clock():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), math.nan))
    rec = store.pods["u1"]
    assert rec.first_seen == T0
    assert all(math.isfinite(e.at) for e in rec.history)


def test_a_change_that_is_not_a_change_is_a_problem_not_a_crash():
    store = new_store()
    store.apply("nonsense")  # type: ignore[arg-type]
    store.apply_batch([None, 3])  # type: ignore[list-item]
    assert len(store.problems) == 1 and "could not apply" in store.problems[0].text


def test_the_store_keeps_the_object_as_served():
    store = new_store()
    pod = make_pod()
    snapshot = copy.deepcopy(pod)
    store.apply(Change(PODS, ADDED, pod, T0))
    store.apply(Change(PODS, DELETED, pod, T0 + 1))
    assert store.pods["u1"].obj is pod and pod == snapshot  # never mutated: the recorder shares it


def test_observed_steps_never_sort_before_what_the_object_already_said():
    # podtui's clock 60s behind the cluster's: observed times precede the object's own.
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0 - 60))
    pod = make_pod(rv="2")
    pod["metadata"]["deletionTimestamp"] = "2024-05-01T10:02:10Z"
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    store.apply(Change(PODS, MODIFIED, pod, T0 - 50))
    done = copy.deepcopy(pod)
    done["metadata"]["resourceVersion"] = "3"
    done["status"] = {"phase": "Succeeded", "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0, "state": {"terminated": {
            "exitCode": 0, "reason": "Completed", "startedAt": "2024-05-01T10:00:03Z",
            "finishedAt": "2024-05-01T10:01:50Z"}}}]}
    store.apply(Change(PODS, MODIFIED, done, T0 - 40))
    store.apply(Change(PODS, DELETED, done, T0 - 39))
    entries = list(store.pods["u1"].history)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    kinds = [e.kind for e in entries]
    assert kinds.index("deletion") < kinds.index("phase", kinds.index("deletion")) < kinds.index("removed")
    assert entries[-1].kind == "removed" and entries[-1].at == T0 + 110
    assert store.pods["u1"].deleted_at == T0 - 39  # tombstone expiry stays on podtui's clock


def test_long_kubelet_messages_are_kept_whole_or_visibly_cut():
    # An exec postStart hook's failure repeats its command and output: 307 characters
    # here, which a 300-character cut ended at "10.96.0.2" as if that were the address.
    hook = ("Exec lifecycle hook ([/bin/sh -c /app/warmup.sh]) for Container \"app\" in Pod "
            "\"poststart-fail_demo(fb9588f5-c2d4-4a3a-a1b1-4fbd4586cc1b)\" failed - error: command "
            "'/bin/sh -c /app/warmup.sh' exited with 1: warmup: cannot reach cache at 10.96.0.20:6379, "
            "message: \"warmup: cannot reach cache at 10.96.0.20:6379\"")
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    pod = make_pod(rv="2")
    pod["status"]["containerStatuses"][0].update(
        ready=False, state={"waiting": {"reason": "PostStartHookError", "message": hook}})
    store.apply(Change(PODS, MODIFIED, pod, T0 + 1))
    flood = make_pod(rv="3")
    flood["status"]["containerStatuses"][0].update(
        ready=False, state={"waiting": {"reason": "CreateContainerError", "message": "x" * 5000}})
    store.apply(Change(PODS, MODIFIED, flood, T0 + 2))
    details = [t.detail for t in store.pods["u1"].history if t.new and t.new.startswith("waiting:")]
    assert details[0] == hook
    assert len(details[1]) == 1024 and details[1].endswith("\u2026")


def test_a_termination_message_is_kept_to_the_kubelets_cap_and_shared_across_restarts():
    # A stack trace's cause is its last line: a 1 KB cut lost it from every run but the
    # newest (the only one the status still holds).
    trace = "Traceback (most recent call last):\n" + "".join(
        f'  File "/app/mod{i}.py", line {i}, in f{i}\n    g{i}()\n' for i in range(40)) + "KeyError: 'DB_URL'"
    assert 1024 < len(trace) < 4096
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    for n in (1, 2):
        pod = make_pod(rv=str(n + 1), restarts=n)
        cs = pod["status"]["containerStatuses"][0]
        cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "message": trace[:-1] + trace[-1],
                                          "startedAt": "2024-05-01T10:00:00Z",
                                          "finishedAt": f"2024-05-01T10:0{n}:00Z", "containerID": f"c{n}"}}
        store.apply(Change(PODS, MODIFIED, pod, T0 + 60 * n))
    messages = [t.data["message"] for t in store.pods["u1"].history if t.data and t.data.get("message")]
    assert len(messages) >= 2 and all(m == trace for m in messages)
    assert all(m is messages[0] for m in messages)  # one copy, though each version decoded its own
    flood = make_pod(rv="9", restarts=3)
    flood["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"exitCode": 1, "message": "x" * 9000, "finishedAt": "2024-05-01T10:09:00Z", "containerID": "c3"}}
    store.apply(Change(PODS, MODIFIED, flood, T0 + 600))
    last = [t.data["message"] for t in store.pods["u1"].history if t.data and t.data.get("message")][-1]
    assert len(last) == 4096 and last.endswith("\u2026")


def test_unscheduled_since_reads_the_last_podscheduled_transition_else_the_condition():
    from podtui.lifecycle.history import unscheduled_since
    from podtui.lifecycle.records import CONDITION, Transition

    pending = {"status": {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
         "lastTransitionTime": "2024-05-01T10:00:05Z"}]}}
    assert unscheduled_since([], pending) == T0 + 5  # met unscheduled: the condition's time
    seen = [Transition(at=T0 + 7, kind=CONDITION, subject="PodScheduled", old=None, new="False")]
    assert unscheduled_since(seen, pending) == T0 + 7  # what podtui saw comes first
    placed = seen + [Transition(at=T0 + 60, kind=CONDITION, subject="PodScheduled", old="False", new="True")]
    assert unscheduled_since(placed, pending) is None  # scheduled since, whatever the object lags
    assert unscheduled_since([], {"status": None}) is None


def relist_gone(uid="u1", name="web-0", current_as_of=None):
    """What the live source sends for a pod missing from a relist (live._vanished_change)."""
    obj = {"kind": "Pod", "apiVersion": "v1",
           "metadata": {"uid": uid, "name": name, "namespace": "shop", "resourceVersion": "1"}}
    if current_as_of is not None:
        obj["metadata"]["annotations"] = {"podtui/current-as-of": repr(current_as_of)}
    return obj


def test_a_pod_missing_from_a_relist_is_removed_between_the_last_read_and_the_relist():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(PODS, DELETED, relist_gone(current_as_of=T0 + 47), T0 + 82, synthetic=True))
    rec = store.pods["u1"]
    removed = list(rec.history)[-1]
    assert removed.kind == "removed" and removed.at == T0 + 82 and not removed.exact
    assert removed.data == {"gone_after": T0 + 47, "relist": True}
    assert removed.detail == "between 10:00:47 and 10:01:22 (found on relist)"
    # The tombstone keeps its place (and its time to live) by when it was found.
    assert rec.deleted_at == T0 + 82
    assert store.expire(T0 + 82 + 299) == [] and store.expire(T0 + 82 + 300) == ["u1"]


def test_a_relist_removal_without_the_last_read_says_only_when_it_was_found():
    store = new_store()  # a recording made before the source said when it last read anything
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(PODS, DELETED, relist_gone(), T0 + 82, synthetic=True))
    removed = list(store.pods["u1"].history)[-1]
    assert removed.data == {"gone_after": None, "relist": True}
    assert removed.detail == "found gone on relist at 10:01:22"


def test_a_last_read_after_the_relist_is_not_a_bound():
    store = new_store()  # a clock stepped back between the two: nothing to trust
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(PODS, DELETED, relist_gone(current_as_of=T0 + 90), T0 + 82, synthetic=True))
    assert list(store.pods["u1"].history)[-1].data["gone_after"] is None


def test_the_relist_bound_is_read_from_the_removal_only():
    from podtui.lifecycle.termination import gone_after, removed_on_relist

    store = new_store()
    for uid, name in (("u1", "web-0"), ("u2", "web-1"), ("u3", "web-2")):
        store.apply(Change(PODS, ADDED, make_pod(uid, name), T0))
    store.apply(Change(PODS, DELETED, make_pod("u1", "web-0"), T0 + 82))  # read off the watch
    store.apply(Change(PODS, DELETED, relist_gone("u2", "web-1", current_as_of=T0 + 47), T0 + 82, synthetic=True))
    store.apply(Change(PODS, DELETED, relist_gone("u3", "web-2"), T0 + 82, synthetic=True))
    watch, bounded, unbounded = (store.pods[u] for u in ("u1", "u2", "u3"))
    assert [removed_on_relist(r) for r in (watch, bounded, unbounded)] == [False, True, True]
    assert [gone_after(r) for r in (watch, bounded, unbounded)] == [None, T0 + 47, None]


def test_a_relist_removal_of_a_pod_never_seen_keeps_no_made_up_note():
    # The note is podtui's, not the API's: the YAML view must not show it as the pod's.
    from podtui.lifecycle.termination import Removal, removal

    store = new_store()
    gone = relist_gone(current_as_of=T0 + 50)
    gone["metadata"]["annotations"]["team"] = "shop"
    store.apply(Change(PODS, DELETED, gone, T0 + 82, synthetic=True))
    store.apply(Change(PODS, DELETED, relist_gone("u2", "web-1", current_as_of=T0 + 50), T0 + 82, synthetic=True))
    rec, only = store.pods["u1"], store.pods["u2"]
    assert rec.obj["metadata"]["annotations"] == {"team": "shop"} and "annotations" not in only.obj["metadata"]
    assert removal(rec) == removal(only) == Removal(T0 + 82, on_relist=True, after=T0 + 50)
    # Decoded objects are shared: the change's own object keeps its note.
    assert gone["metadata"]["annotations"] == {"team": "shop", "podtui/current-as-of": repr(T0 + 50)}
