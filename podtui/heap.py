"""The process's garbage-collector settings for holding many pods.

A store of tens of thousands of pods is millions of long-lived objects, and a watch
keeps adding fresh ones. Reference counting frees replaced versions at once (pod
objects are acyclic); the cyclic collector only has to find the UI's cycles. Its
defaults rescan the pods so often that they cost more than the model itself.
"""

from __future__ import annotations

import gc


def relax_gc() -> None:
    """Collect young objects every 50,000 allocations instead of CPython's 700.

    A watch allocates ~100 objects per pod event and the store keeps many of them;
    with the default threshold the collector rescans that growing heap so often that
    it took about a third of ingest time (tests/benchmarks/bench_watch.py). Only
    reference cycles wait a little longer. Process-wide, so the command that owns the
    process calls it, not the source.
    """
    gc.set_threshold(50_000, 10, 10)


# settle_heap's policy; module-level so a test can tighten it.
FREEZE_EVERY = 50  # settles (5 s at the repaint rate) between freezes
FULL_GROWTH = 1.0  # a full collection once the frozen heap grew by this much of itself
FULL_MIN_GROWTH = 100_000  # objects: no full collection for less
_settles = 0
_baseline = 0  # frozen objects after the last full collection


def settle_heap() -> None:
    """Keep the cyclic GC off the pods: collect young cyclic garbage (cheap), and every
    FREEZE_EVERY calls freeze what survived, so full collections only scan what arrived
    since.

    Without it, with 10,000 pods at 1,000 events/s, full collections came every few
    seconds and stalled the UI for up to a second each. The UI calls it after each
    repaint; a headless consumer as often (SETTLE_INTERVAL).

    A frozen object is never collected, and the UI's rendering is full of cycles (a
    textual Strip and its caches) that die a few repaints later: frozen at every call,
    they were pinned for good (190,000 objects a minute, 10,000 pods at 100 events/s).
    Waiting a few seconds before freezing lets most die young; what is pinned anyway is
    freed by a full collection once the frozen heap has doubled, which keeps those
    (costly) collections as rare as the heap is large.
    """
    global _settles, _baseline
    gc.collect(1)
    _settles += 1
    if _settles < FREEZE_EVERY:
        return
    _settles = 0
    frozen = gc.get_freeze_count()
    if frozen - _baseline >= max(FULL_MIN_GROWTH, FULL_GROWTH * _baseline):
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _baseline = gc.get_freeze_count()
    else:
        gc.collect(2)  # frozen objects are skipped: this scans only what came since the last freeze
        gc.freeze()


SETTLE_INTERVAL = 0.1  # seconds: the UI's repaint interval during a burst
