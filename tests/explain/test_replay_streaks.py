"""A replay shows the probe streaks a live watch showed: the Store remembers each Event's
earlier writes as they are applied (store._carry), so a replay, fed in whatever slices
and started over by a backwards seek, must end up holding the same."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.probes import probe_states
from podtui.lifecycle.store import Store
from podtui.sources.recording import read_recording
from podtui.sources.replay import ReplayFeed

from explain_helpers import DEFAULT, EPOCH, fold, pod


def _seen(store: Store, now: float) -> dict:
    return {(r.namespace, r.name, r.uid): ([(p.settings.type, p.streak, p.acts_at) for p in probe_states(r, now)],
                                           [(e.uid, e.count, e.last, e.earlier) for e in r.events])
            for r in store.pods.values()}


def test_a_replay_seeking_back_holds_what_a_straight_fold_holds():
    clock = ManualClock(EPOCH)
    feed = ReplayFeed(read_recording(DEFAULT), clock, autoplay=False)
    store, epoch = Store(clock), feed.epoch

    def pump() -> None:
        nonlocal store, epoch
        while True:  # as the app's pump: small slices, a new store on a new epoch
            items = feed.poll(7)
            if feed.epoch != epoch:
                store, epoch = Store(clock), feed.epoch
            if not items:
                return
            store.apply_batch(items)

    feed.seek(EPOCH + 130)
    pump()
    feed.seek(EPOCH + 75.5, whole=False)  # backwards: the feed starts over (at 75.5, not its second)
    pump()
    assert epoch == 1
    straight, _ = fold(DEFAULT, until=75.5)
    assert _seen(store, EPOCH + 75.5) == _seen(straight, EPOCH + 75.5)
    # The second failure after the liveness kill at 40 s: the run, not one failure.
    (live,) = probe_states(pod(store, "liveness-fail"), EPOCH + 75.5)
    assert live.streak == 2
