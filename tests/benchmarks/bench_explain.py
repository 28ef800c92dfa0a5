"""What explaining costs: restart causes, unready periods and the Containers-pane line
for the busiest pods of three simulated hours of the demo cluster (histories at the
store's 500-entry cap, 200 Events), uncached (after every change of the pod) and
cached (a repaint with nothing new); and `podtui history` on the test recording.

Run on demand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_explain.py
"""

from __future__ import annotations

import sys
import time
import timeit
from pathlib import Path

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.scenario import load_scenario
from podtui.lifecycle import explain, unready
from podtui.lifecycle.changes import Change
from podtui.lifecycle.explain import last_restart_line, restart_explanations, timeline_entries
from podtui.lifecycle.store import Store
from podtui.lifecycle.unready import unready_periods
from podtui.sources.history_command import history_text

HERE = Path(__file__).resolve().parent
EPOCH = 1_714_557_600.0
HOURS = 3


def busy_store() -> tuple[Store, float]:
    cluster = DemoCluster(load_scenario("default"), clock=ManualClock(EPOCH), seed=7, storage_window=10_000_000)
    store = Store(ManualClock(EPOCH))
    rv = cluster.storage.resource_version
    while cluster.now < EPOCH + HOURS * 3600:
        cluster.advance(5.0)
        while batch := cluster.storage.events_since(rv, 4096):
            store.apply_batch(Change(e.resource, e.type, e.entry.obj, cluster.now) for e in batch)
            rv = batch[-1].rv
    return store, cluster.now


def per_call(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=3)) / number


def main() -> None:
    t0 = time.perf_counter()
    store, now = busy_store()
    print(f"simulated {HOURS}h of the default demo in {time.perf_counter() - t0:.1f}s")
    print(f"{'pod':<18} {'history':>7} {'events':>6} {'explain':>10} {'unready':>10} {'timeline':>10} "
          f"{'line cached':>12}")
    for name in ("liveness-fail", "readiness-flap", "crashloop", "oom"):
        rec = store.by_name("demo", name)

        def cold_explain():
            explain._CACHE.clear()
            restart_explanations(rec, now)

        def cold_unready():
            unready._CACHE.clear()
            unready_periods(rec, now)

        def cold_timeline():
            explain._CACHE.clear()
            unready._CACHE.clear()
            timeline_entries(rec, now)

        line = per_call(lambda: last_restart_line(rec, now), 2000)
        print(f"{name:<18} {len(rec.history):>7} {len(rec.events):>6} {per_call(cold_explain, 50) * 1e3:>8.2f}ms "
              f"{per_call(cold_unready, 50) * 1e3:>8.2f}ms {per_call(cold_timeline, 50) * 1e3:>8.2f}ms "
              f"{line * 1e6:>10.1f}us")
    for path in sorted((HERE.parent / "recordings").glob("*.jsonl.gz")):
        t = min(timeit.repeat(lambda: history_text(path, fmt="yaml"), number=1, repeat=3))
        print(f"podtui history {path.name} --format yaml: {t * 1e3:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
