"""Pods of one controller in creation order (Store.siblings) and the pod a controller
made to replace one that ended (Store.replacement): what the detail view's p and P
follow when the replacement has a new name."""

from __future__ import annotations

import bisect
import copy
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from podtui.clock import ManualClock
from podtui.lifecycle.changes import ADDED, DELETED, MODIFIED, PODS, Change
from podtui.lifecycle.store import Family, Store
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0  # 2024-05-01T10:00:00Z


def owned(name: str, created: float, *, kind: str = "ReplicaSet", owner: str = "web-7d9f", owner_uid: str | None = None,
          template_hash: str | None = "7d9f", ns: str = "shop", phase: str = "Running") -> dict:
    labels = {"app": "web"}
    if template_hash is not None:
        labels["pod-template-hash"] = template_hash
    return {
        "metadata": {"uid": f"uid-{name}", "name": name, "namespace": ns, "labels": labels,
                     "creationTimestamp": format_ts(created),
                     "ownerReferences": [
                         {"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": "node-uid"},  # not the controller
                         {"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": owner_uid or f"uid-{owner}",
                          "controller": True}]},
        "spec": {"nodeName": "n1", "containers": [{"name": "app"}]},
        "status": {"phase": phase},
    }


def added(store: Store, pod: dict, at: float) -> None:
    store.apply(Change(PODS, ADDED, pod, at))


def deleting(pod: dict, requested: float, grace: int = 30) -> dict:
    pod = copy.deepcopy(pod)
    pod["metadata"]["deletionTimestamp"] = format_ts(requested + grace)
    pod["metadata"]["deletionGracePeriodSeconds"] = grace
    return pod


def new_store(**kw) -> Store:
    return Store(ManualClock(T0), **kw)


def test_a_deployments_replicasets_are_one_family_in_creation_order():
    store = new_store()
    # Listed in name order, not creation order, as a relist gives them.
    pods = [owned("web-7d9f-b", T0 + 20), owned("web-7d9f-a", T0), owned("web-5c4d-x", T0 + 45, owner="web-5c4d",
                                                                        template_hash="5c4d"),
            owned("web-7d9f-c", T0 + 10)]
    for pod in pods:
        added(store, pod, T0 + 60)
    assert store.siblings("uid-web-7d9f-a") == (None, "uid-web-7d9f-c")
    assert store.siblings("uid-web-7d9f-c") == ("uid-web-7d9f-a", "uid-web-7d9f-b")
    assert store.siblings("uid-web-7d9f-b") == ("uid-web-7d9f-c", "uid-web-5c4d-x")
    assert store.siblings("uid-web-5c4d-x") == ("uid-web-7d9f-b", None)
    assert (store.pods["uid-web-5c4d-x"].family.kind, store.pods["uid-web-5c4d-x"].family.name) == ("Deployment", "web")


def test_same_second_pods_go_by_first_sighting_then_uid():
    store = new_store()
    added(store, owned("web-7d9f-z", T0), T0 + 1)
    added(store, owned("web-7d9f-y", T0), T0 + 2)
    added(store, owned("web-7d9f-x", T0), T0 + 2)
    assert store.siblings("uid-web-7d9f-z") == (None, "uid-web-7d9f-x")
    assert store.siblings("uid-web-7d9f-x") == ("uid-web-7d9f-z", "uid-web-7d9f-y")


def test_other_controllers_namespaces_and_bare_pods_are_not_siblings():
    store = new_store()
    added(store, owned("web-7d9f-a", T0), T0)
    added(store, owned("web-7d9f-b", T0 + 1, ns="staging"), T0)
    added(store, owned("api-7d9f-a", T0 + 2, owner="api-7d9f"), T0)
    # A ReplicaSet no Deployment made (no pod-template-hash): its own family, by uid.
    added(store, owned("cache-a", T0 + 3, owner="cache", template_hash=None), T0)
    added(store, owned("cache-b", T0 + 4, owner="cache", owner_uid="uid-cache-2", template_hash=None), T0)
    bare = owned("debug", T0 + 5)
    del bare["metadata"]["ownerReferences"]
    added(store, bare, T0)
    for uid in ("uid-web-7d9f-a", "uid-web-7d9f-b", "uid-api-7d9f-a", "uid-cache-a", "uid-cache-b", "uid-debug"):
        assert store.siblings(uid) == (None, None), uid
    assert store.pods["uid-cache-a"].family.kind == "ReplicaSet"
    assert store.siblings("no-such-uid") == (None, None)


def test_an_evicted_pods_replacement_is_the_first_pod_made_after_its_eviction():
    # web-a, b, c rolled out at 0, 10, 20s; a is evicted at 100s and the ReplicaSet makes
    # d in the same second: a's next pod by creation is b, its replacement d.
    store = new_store()
    a = owned("web-7d9f-a", T0)
    for pod in (a, owned("web-7d9f-b", T0 + 10), owned("web-7d9f-c", T0 + 20)):
        added(store, pod, T0 + 30)
    assert store.replacement("uid-web-7d9f-a") is None  # running
    store.apply(Change(PODS, MODIFIED, deleting(a, T0 + 100.4, grace=15), T0 + 100.5))
    assert store.replacement("uid-web-7d9f-a") is None  # none made yet
    added(store, owned("web-7d9f-d", T0 + 100), T0 + 101)
    added(store, owned("web-7d9f-e", T0 + 130), T0 + 131)
    assert store.siblings("uid-web-7d9f-a") == (None, "uid-web-7d9f-b")
    assert store.replacement("uid-web-7d9f-a") == "uid-web-7d9f-d"
    store.apply(Change(PODS, DELETED, deleting(a, T0 + 100.4, grace=15), T0 + 116))
    assert store.replacement("uid-web-7d9f-a") == "uid-web-7d9f-d"  # by the request, not the removal
    # P undoes p: d replaced a, though b and c were made between them.
    assert store.replaced("uid-web-7d9f-d") == "uid-web-7d9f-a"
    assert store.replaced("uid-web-7d9f-e") is None and store.replaced("uid-web-7d9f-b") is None


def test_a_pod_made_long_after_another_ended_is_not_its_replacement():
    # A rollout's last old pod is deleted once the new pods are Ready: nothing replaces
    # it. The pod made 40s later for an eviction is the evicted pod's, not its.
    store = new_store()
    old = owned("web-5c4d-a", T0 - 100, owner="web-5c4d", template_hash="5c4d")
    new = owned("web-7d9f-b", T0 - 45)
    for pod in (old, new):
        added(store, pod, T0 - 100)
    store.apply(Change(PODS, DELETED, deleting(old, T0 - 30), T0 - 29))
    store.apply(Change(PODS, MODIFIED, deleting(new, T0 + 10), T0 + 10))
    added(store, owned("web-7d9f-d", T0 + 10), T0 + 10.5)
    assert store.replacement("uid-web-7d9f-b") == "uid-web-7d9f-d"
    assert store.replacement("uid-web-5c4d-a") is None
    assert store.siblings("uid-web-5c4d-a") == (None, "uid-web-7d9f-b")
    assert store.replaced("uid-web-7d9f-d") == "uid-web-7d9f-b"


def test_a_jobs_failed_pod_is_replaced_a_succeeded_one_is_not():
    store = new_store()
    first = owned("report-1-aaaaa", T0, kind="Job", owner="report-1", template_hash=None)
    added(store, first, T0)
    failed = copy.deepcopy(first)
    failed["status"] = {"phase": "Failed", "conditions": [
        {"type": "Ready", "status": "False", "reason": "PodFailed", "lastTransitionTime": format_ts(T0 + 50)}]}
    store.apply(Change(PODS, MODIFIED, failed, T0 + 51))
    # Made after the Job's back-off: still its replacement.
    added(store, owned("report-1-bbbbb", T0 + 71, kind="Job", owner="report-1", template_hash=None), T0 + 72)
    assert store.replacement("uid-report-1-aaaaa") == "uid-report-1-bbbbb"
    assert store.siblings("uid-report-1-bbbbb") == ("uid-report-1-aaaaa", None)
    # A success is not replaced: the Job's next pod is its next completion.
    done = owned("report-1-ddddd", T0 + 100, kind="Job", owner="report-1", template_hash=None)
    added(store, done, T0 + 100)
    done = copy.deepcopy(done)
    done["status"] = {"phase": "Succeeded", "conditions": [
        {"type": "Ready", "status": "False", "reason": "PodCompleted", "lastTransitionTime": format_ts(T0 + 110)}]}
    store.apply(Change(PODS, MODIFIED, done, T0 + 111))
    added(store, owned("report-1-eeeee", T0 + 111, kind="Job", owner="report-1", template_hash=None), T0 + 112)
    assert store.replacement("uid-report-1-ddddd") is None
    assert store.siblings("uid-report-1-ddddd")[1] == "uid-report-1-eeeee"
    store.apply(Change(PODS, DELETED, done, T0 + 400))  # cleaned up later: still not replaced
    assert store.replacement("uid-report-1-ddddd") is None
    # Seen only in its deletion (a relist's diff): one of the family all the same.
    gone = owned("report-1-ccccc", T0 + 80, kind="Job", owner="report-1", template_hash=None)
    store.apply(Change(PODS, DELETED, gone, T0 + 90, synthetic=True))
    assert store.siblings("uid-report-1-ccccc") == ("uid-report-1-bbbbb", "uid-report-1-ddddd")
    assert store.replacement("uid-report-1-ccccc") == "uid-report-1-ddddd"


def test_expiry_takes_a_pod_out_of_its_family():
    store = new_store(tombstone_ttl=300)
    a, b, c = owned("web-7d9f-a", T0), owned("web-7d9f-b", T0 + 10), owned("web-7d9f-c", T0 + 20)
    for pod in (a, b, c):
        added(store, pod, T0 + 20)
    store.apply(Change(PODS, DELETED, b, T0 + 30))
    assert store.siblings("uid-web-7d9f-a") == (None, "uid-web-7d9f-b")  # a tombstone is still a sibling
    store.expire(T0 + 400)
    assert store.siblings("uid-web-7d9f-a") == (None, "uid-web-7d9f-c")
    assert store.siblings("uid-web-7d9f-c") == ("uid-web-7d9f-a", None)
    for pod in (a, c):
        store.apply(Change(PODS, DELETED, pod, T0 + 500))
    store.expire(T0 + 900)
    assert store._families == {}  # nothing kept for a controller with no pods left



def test_an_expired_pods_kept_record_still_finds_its_family():
    # The detail view keeps an expired pod's record: given it, the store answers for
    # the pod it let go, from its controller's pods as they are now.
    store = new_store(tombstone_ttl=300)
    a, b = owned("web-7d9f-a", T0), owned("web-7d9f-b", T0 + 10)
    for pod in (a, b):
        added(store, pod, T0 + 20)
    store.apply(Change(PODS, DELETED, b, T0 + 30))
    added(store, owned("web-7d9f-c", T0 + 30), T0 + 31)
    held = store.pods["uid-web-7d9f-b"]
    store.expire(T0 + 400)
    assert "uid-web-7d9f-b" not in store.pods and store.replacement("uid-web-7d9f-b") is None
    assert store.replacement("uid-web-7d9f-b", held) == "uid-web-7d9f-c"
    assert store.siblings("uid-web-7d9f-b", held) == ("uid-web-7d9f-a", "uid-web-7d9f-c")
    assert store.replaced("uid-web-7d9f-b", held) is None
    # Its controller's last pod gone, a pod made later is in a new family: found by its key.
    for pod in ("web-7d9f-a", "web-7d9f-c"):
        store.apply(Change(PODS, DELETED, owned(pod, T0), T0 + 500))
    store.expire(T0 + 900)
    added(store, owned("web-7d9f-d", T0 + 950), T0 + 950)
    assert held.family is not store.family_of(held)
    assert store.siblings("uid-web-7d9f-b", held) == (None, "uid-web-7d9f-d")

@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 40), st.integers(0, 3)), max_size=120),
       st.integers(1, 4))
def test_family_keeps_sorted_order_across_chunks(ops, chunk):
    """Against a plain sorted list: adds in any order, removals, neighbours of every key."""
    small = type("Small", (Family,), {"CHUNK": chunk, "__slots__": ()})  # splits and emptied chunks every run
    family = small(("ns", "Job", "u", "j"), "Job", "j")
    model: list[tuple] = []
    for add, created, n in ops:
        key = (float(created), 0.0, f"u{created}-{n}")
        if add and key not in model:
            family.add(key)
            bisect.insort(model, key)
        elif not add and key in model:
            family.discard(key)
            model.remove(key)
        family.discard((999.0, 0.0, "absent"))  # no-op
        assert all(len(c) <= 2 * chunk for c in family._chunks)
        assert [k for c in family._chunks for k in c] == model
    for i, key in enumerate(model):
        assert list(family.backwards(key)) == model[:i][::-1]
        assert family.before(key) == (model[i - 1] if i else None)
        assert family.after(key) == (model[i + 1] if i + 1 < len(model) else None)
    for t in range(42):
        later = [k for k in model if k[0] >= t]
        assert family.after((float(t),)) == (later[0] if later else None)
        assert list(family.backwards((float(t),))) == [k for k in model if k[0] < t][::-1]


def test_a_large_controller_is_kept_in_bounded_chunks():
    # A 5,000-replica Deployment listed in random order: no list move longer than a chunk.
    store = new_store()
    rng = random.Random(7)
    order = list(range(5000))
    rng.shuffle(order)
    for i in order:
        added(store, owned(f"web-7d9f-{i:05d}", T0 + i), T0 + 6000)
    family = store.pods["uid-web-7d9f-00000"].family
    assert len(family) == 5000 and max(map(len, family._chunks)) <= 2 * Family.CHUNK
    assert store.siblings("uid-web-7d9f-02500") == ("uid-web-7d9f-02499", "uid-web-7d9f-02501")


def test_a_pod_found_gone_on_relist_is_replaced_by_one_made_while_the_watch_was_down():
    # The watch last read at T0+5; the relist at T0+40 lists the replacement (created
    # T0+30) and finds the old pod gone. It went some time after T0+5, not at T0+40.
    store = new_store()
    added(store, owned("web-7d9f-a", T0 - 100), T0 - 100)
    added(store, owned("web-7d9f-b", T0 + 30), T0 + 40)
    gone = {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"uid": "uid-web-7d9f-a", "name": "web-7d9f-a", "namespace": "shop",
                         "annotations": {"podtui/current-as-of": repr(T0 + 5)}}}
    store.apply(Change(PODS, DELETED, gone, T0 + 40, synthetic=True))
    assert store.replacement("uid-web-7d9f-a") == "uid-web-7d9f-b"
    assert store.replaced("uid-web-7d9f-b") == "uid-web-7d9f-a"
