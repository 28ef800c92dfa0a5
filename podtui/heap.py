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
# Settles (a minute of repaints) between counts of the frozen heap: counting walks it,
# ~40 ms for 400,000 objects.
CHECK_EVERY = 600
FULL_GROWTH = 1.0  # a full collection once the frozen heap grew by this much of itself
FULL_MIN_GROWTH = 100_000  # objects: no full collection for less
_settles = 0
_baseline = 0  # frozen objects after the last full collection


def settle_heap() -> None:
    """Keep the cyclic GC off the pods: collect young cyclic garbage (cheap), then
    freeze what survived, so full collections only scan what arrived since.

    Without it, with 10,000 pods at 1,000 events/s, full collections came every few
    seconds and stalled the UI for up to a second each. The UI calls it after each
    repaint; a headless consumer as often (SETTLE_INTERVAL).

    A frozen object is never collected, and the UI's rendering is full of cycles (a
    textual Strip and its caches) that die a few repaints later: they were pinned for
    good (190,000 objects a minute, 10,000 pods at 100 events/s, browsing). So once the
    frozen heap has doubled since the last full collection, it is unfrozen and
    collected once: what was pinned is freed, and those (costly) collections stay as
    rare as the heap is large.
    """
    global _settles, _baseline
    gc.collect(1)
    gc.freeze()
    _settles += 1
    if _settles < CHECK_EVERY:
        return
    _settles = 0
    if gc.get_freeze_count() - _baseline >= max(FULL_MIN_GROWTH, FULL_GROWTH * _baseline):
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _baseline = gc.get_freeze_count()


SETTLE_INTERVAL = 0.1  # seconds: the UI's repaint interval during a burst
