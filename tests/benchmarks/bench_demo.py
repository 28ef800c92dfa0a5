"""How much of one core the demo cluster needs.

- scale: N pods, then `churn` watch events per simulated second, written to the API
  server's real Storage (which encodes every version once). The bar: 10,000 pods and
  2,000 events/s within one core, i.e. well under 1 CPU-second per simulated second.
- default: the hand-written scenario for a simulated hour (kubelet, probes, events).

Simulated time runs on a ManualClock as fast as the CPU allows, so the figures are
CPU cost per simulated second, independent of the wall clock.

Run on demand (not collected by pytest):
    .venv/bin/python tests/benchmarks/bench_demo.py [PODS CHURN]
"""

from __future__ import annotations

import sys
import time

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.scenario import ScaleSettings, load_scenario

START = 1_700_000_000.0


def bench_scale(pods: int, churn: float, seconds: float = 30.0) -> None:
    settings = ScaleSettings(pods=pods, namespaces=20, nodes=50, churn=churn)
    t0 = time.process_time()
    cluster = DemoCluster(load_scenario("scale"), clock=ManualClock(START), seed=1, scale=settings)
    cluster.advance(0.01)  # creates the pods
    t1 = time.process_time()
    rv0 = cluster.storage.resource_version
    cluster.advance(seconds)
    t2 = time.process_time()
    writes = cluster.storage.resource_version - rv0
    cpu_per_sim_second = (t2 - t1) / seconds
    print(f"scale: {pods} pods created in {t1 - t0:.2f} CPU-s ({pods / max(t1 - t0, 1e-9):,.0f} pods/s)")
    print(
        f"scale: churn {churn:,.0f}/s for {seconds:.0f} simulated s: {writes:,} watch events, "
        f"{t2 - t1:.2f} CPU-s -> {cpu_per_sim_second:.3f} CPU-s per simulated second "
        f"({writes / max(t2 - t1, 1e-9):,.0f} events per CPU-second; headroom x{1 / max(cpu_per_sim_second, 1e-9):.1f})"
    )


def bench_default(seconds: float = 3600.0) -> None:
    t0 = time.process_time()
    cluster = DemoCluster("default", clock=ManualClock(START), seed=1)
    t1 = time.process_time()
    cluster.advance(seconds)
    t2 = time.process_time()
    print(
        f"default: built in {(t1 - t0) * 1000:.1f} ms; one simulated hour in {t2 - t1:.2f} CPU-s "
        f"({cluster.storage.resource_version:,} writes, {cluster.world.engine.processed:,} callbacks)"
    )


def main(argv: list[str]) -> None:
    pods = int(argv[0]) if argv else 10_000
    churn = float(argv[1]) if len(argv) > 1 else 2000.0
    bench_default()
    bench_scale(pods, churn)


if __name__ == "__main__":
    main(sys.argv[1:])
