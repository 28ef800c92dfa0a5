"""What the NEXT column costs: next_step per pod, and the table's first sort by NEXT
(a due time computed for every pod), over pods decoded as the live source decodes them
(replicas share their probe dicts, podtui/sources/decode.py).

Run on demand (not collected by pytest):
    .venv/bin/python tests/benchmarks/bench_nextstep.py [--pods N] [--failing FRACTION]

The pods are bench_model's (three containers, the first with a liveness and a readiness
probe); FRACTION of them also carry a failed readiness probe Event, so their NEXT walks
the probe streaks. "first" is one pass over a store nothing asked before, "warm" the
best of three passes after it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

import orjson  # noqa: E402
from bench_model import T0, make_pod, ts  # noqa: E402

from podtui.clock import ManualClock  # noqa: E402
from podtui.lifecycle.changes import ADDED, EVENTS, PODS, Change  # noqa: E402
from podtui.lifecycle.nextstep import next_step  # noqa: E402
from podtui.lifecycle.store import Store  # noqa: E402
from podtui.sources.decode import PodDecoder  # noqa: E402
from podtui.ui.pod_index import PodIndex  # noqa: E402

NOW = T0 + 60


def unhealthy(i: int, obj: dict) -> dict:
    meta = obj["metadata"]
    return {"metadata": {"uid": f"ev-{i}", "name": f"{meta['name']}.ev", "namespace": meta["namespace"]},
            "involvedObject": {"kind": "Pod", "name": meta["name"], "namespace": meta["namespace"],
                               "uid": meta["uid"], "fieldPath": "spec.containers{app}"},
            "reason": "Unhealthy", "message": "Readiness probe failed: HTTP probe failed with statuscode: 503",
            "type": "Warning", "count": 2, "firstTimestamp": ts(NOW - 15), "lastTimestamp": ts(NOW - 10),
            "source": {"component": "kubelet"}}


def build(pods: int, failing: float) -> Store:
    decoder = PodDecoder()
    store = Store(ManualClock(T0))
    every = round(1 / failing) if failing > 0 else 0
    for i in range(pods):
        obj = decoder.object(orjson.dumps({"type": "ADDED", "object": make_pod(i)}))
        store.apply(Change(PODS, ADDED, obj, T0))
        if every and i % every == 0:
            store.apply(Change(EVENTS, ADDED, unhealthy(i, obj), NOW - 10))
    return store


def first_sort(store: Store) -> tuple[float, float]:
    """(wall, CPU) seconds: on a shared machine the process's CPU time moves less."""
    index = PodIndex(next_due=lambda r: getattr(next_step(r, NOW), "due_at", None))
    index.set_sort("next")
    t, cpu = time.perf_counter(), time.process_time()
    index.rebuild(store.pods)
    return time.perf_counter() - t, time.process_time() - cpu


def one_pass(store: Store) -> float:
    records = list(store.pods.values())
    t = time.perf_counter()
    for r in records:
        next_step(r, NOW)
    return (time.perf_counter() - t) / len(records)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=20_000)
    parser.add_argument("--failing", type=float, default=0.1)
    args = parser.parse_args()
    print(f"{args.pods} pods, {args.failing:.0%} with a failing probe")
    wall, cpu = first_sort(build(args.pods, args.failing))
    print(f"first NEXT sort: {wall * 1e3:.0f} ms ({cpu * 1e3:.0f} ms CPU)")
    store = build(args.pods, args.failing)
    first = one_pass(store)
    warm = min(one_pass(store) for _ in range(3))
    print(f"next_step: first {first * 1e6:.1f} us/pod, warm {warm * 1e6:.1f} us/pod")


if __name__ == "__main__":
    sys.exit(main())
