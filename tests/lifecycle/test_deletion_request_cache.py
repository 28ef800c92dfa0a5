"""termination.deletion_request's cache holds one entry per live record, the latest
version's, and lets go of it with the record (a replay's rebuild drops the old store)."""

from __future__ import annotations

import gc

from podtui.clock import ManualClock
from podtui.lifecycle import termination as term_mod
from podtui.lifecycle.changes import Change
from podtui.lifecycle.store import Store
from podtui.lifecycle.termination import deletion_request, termination

T0 = 1_714_557_600.0


def held_pod(rv: int) -> dict:
    return {"metadata": {"name": "db", "namespace": "ns", "uid": "u1", "resourceVersion": str(rv),
                         "annotations": {"n": str(rv)}, "creationTimestamp": "2024-05-01T09:00:00Z",
                         "finalizers": ["example.com/backup"],
                         "deletionTimestamp": "2024-05-01T10:00:00Z", "deletionGracePeriodSeconds": 30},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running"}}


def test_a_pod_with_many_versions_keeps_one_entry_and_none_once_gone():
    gc.collect()
    before = len(term_mod._REQUESTS)
    store = Store(ManualClock(T0))
    for rv in range(100):
        store.apply(Change("pods", "MODIFIED", held_pod(rv), T0 + rv))
        rec = store.pods["u1"]
        req = deletion_request(rec)
        termination(rec, T0 + rv)
    assert len(term_mod._REQUESTS) == before + 1
    assert deletion_request(rec) is req  # still a cache: the same version reads it back
    del store, rec, req
    gc.collect()
    assert len(term_mod._REQUESTS) == before
