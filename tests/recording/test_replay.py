"""Replay: items come out as the recorded time passes; pause, step and seek."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, Relist, SourceStatus
from podtui.sources.recording import Header, Recording
from podtui.sources.replay import ReplayFeed


def pod(uid, rv):
    return {"metadata": {"uid": uid, "name": uid, "namespace": "ns", "resourceVersion": str(rv)}}


ITEMS = [
    Change("pods", "ADDED", pod("a", 1), 100.0),
    Change("pods", "ADDED", pod("b", 2), 100.0),
    SourceStatus("live", 100.5),
    Change("pods", "MODIFIED", pod("a", 3), 110.0),
    Change("pods", "MODIFIED", pod("b", 4), 130.0),
    Change("pods", "MODIFIED", pod("a", 5), 160.0),
]


class Wall:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def make(speed=1.0):
    wall = Wall()
    clock = ManualClock(0)
    feed = ReplayFeed(Recording(path=None, header=Header(started=99.0), items=list(ITEMS)), clock,
                      speed=speed, wall=wall)
    return feed, clock, wall


def test_items_are_released_as_recorded_time_passes_and_the_clock_follows():
    feed, clock, wall = make(speed=2.0)
    feed.start()
    assert feed.poll() == ITEMS[:2] and clock.time() == 100.0
    wall.t = 1.0  # 2 recorded seconds
    assert feed.poll() == [ITEMS[2]] and clock.time() == 102.0
    wall.t = 5.0
    assert feed.poll() == [ITEMS[3]] and clock.time() == 110.0
    wall.t = 100.0
    assert feed.poll() == ITEMS[4:]
    assert clock.time() == 160.0 and feed.at_end and not feed.playing


def test_pause_holds_time_and_step_moves_to_the_next_item():
    feed, clock, wall = make()
    feed.start()
    feed.poll()
    feed.pause()
    wall.t = 50.0
    assert feed.poll() == [] and clock.time() == 100.0
    feed.step()  # the status at 100.5 comes along, but is no step of its own
    assert feed.poll() == ITEMS[2:4] and clock.time() == 110.0
    feed.step()
    assert feed.poll() == [ITEMS[4]] and clock.time() == 130.0
    feed.resume()
    wall.t = 80.0  # 30 more seconds
    assert feed.poll() == [ITEMS[5]] and clock.time() == 160.0


def test_seek_forward_releases_everything_up_to_the_target():
    feed, clock, wall = make()
    feed.start()
    feed.poll()
    epoch = feed.epoch
    feed.seek(131.0)
    assert feed.poll() == ITEMS[2:5] and feed.epoch == epoch


def test_seek_backwards_starts_a_new_epoch_from_the_beginning():
    feed, clock, wall = make()
    feed.start()
    feed.seek(150.0)
    feed.poll()
    feed.seek(105.0)
    assert feed.epoch == 1
    assert feed.poll() == ITEMS[:3] and clock.time() == 105.0


def test_seek_next_change_of_a_pod():
    feed, clock, wall = make()
    feed.start()
    feed.poll()
    assert feed.seek_next_change("b") and feed.position == 130.0 and not feed.playing
    assert feed.poll() == ITEMS[2:5]
    assert feed.seek_next_change("a") and feed.position == 160.0
    assert not feed.seek_next_change("b")


def test_limit_bounds_one_poll_and_the_rest_follows():
    feed, clock, wall = make()
    feed.start()
    assert feed.poll(limit=1) == ITEMS[:1]
    assert feed.poll() == ITEMS[1:2]


def test_a_replay_without_autoplay_waits_to_be_resumed():
    wall = Wall()
    clock = ManualClock(0)
    feed = ReplayFeed(Recording(path=None, header=Header(), items=list(ITEMS)), clock, wall=wall, autoplay=False)
    feed.start()
    wall.t = 30.0
    assert feed.poll() == ITEMS[:2] and not feed.playing  # the first instant is shown
    feed.resume()
    wall.t = 40.0
    assert feed.poll() == ITEMS[2:4]


def test_step_after_a_limited_poll_moves_forward_from_the_position():
    feed, clock, wall = make()
    feed.start()
    feed.seek(131.0)
    assert feed.poll(limit=1) == ITEMS[:1]  # items up to 131 are still owed
    feed.step()
    assert clock.time() == 160.0
    assert feed.poll() == ITEMS[1:]


def test_changing_speed_after_the_end_keeps_the_position_at_the_end():
    feed, clock, wall = make()
    feed.start()
    feed.poll()
    wall.t = 1000.0  # far past the last item, not polled yet
    feed.set_speed(4.0)
    assert feed.position == feed.end_time == 160.0
    assert feed.poll() == ITEMS[2:] and clock.time() == 160.0 and feed.position == 160.0


def test_a_clock_that_stepped_back_releases_items_in_file_order():
    # The recording host's clock went back 100s: the items after the step are still
    # released after the ones before them, not all at the start.
    items = [Change("pods", "MODIFIED", pod("a", i), t) for i, t in enumerate([100.0, 101.0, 102.0, 2.0, 3.0, 105.0])]
    wall = Wall()
    feed = ReplayFeed(Recording(path=None, header=Header(started=99.0), items=items), ManualClock(0), wall=wall)
    feed.start()
    assert feed.poll() == items[:1]
    wall.t = 1.0
    assert feed.poll() == items[1:2]
    wall.t = 2.0
    assert feed.poll() == items[2:5]
    wall.t = 5.0
    assert feed.poll() == items[5:]


def test_resume_at_the_end_says_it_cannot_and_toggle_plays_again_from_the_start():
    feed, clock, wall = make()
    feed.start()
    wall.t = 100.0
    feed.poll()
    assert feed.at_end and not feed.playing
    # Before: resume() returned nothing whether it played or not; the UI checked at_end first.
    assert feed.resume() is False and not feed.playing
    epoch = feed.epoch
    feed.toggle()  # a player's play button at the end
    assert feed.playing and feed.position == 100.0 and feed.epoch == epoch + 1
    assert feed.poll() == ITEMS[:2]
    feed.toggle()
    assert not feed.playing and feed.resume() is True and feed.playing


# -- seeking back from checkpoints

import itertools  # noqa: E402
from unittest import mock  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

from podtui.lifecycle import snapshot  # noqa: E402
from podtui.lifecycle.changes import DELETED, MODIFIED  # noqa: E402
from podtui.lifecycle.store import Store  # noqa: E402
from podtui.sources import replay  # noqa: E402
from podtui.sources.recording import read_recording  # noqa: E402
from tests.lifecycle.test_snapshot import OPTIONS, random_items, store_state  # noqa: E402


class Consumer:
    """As the app's pump: small slices, the feed's epoch_store() on a new epoch, applied
    through the feed; then the tick's expiry."""

    def __init__(self, feed, limit=7, options=OPTIONS):
        self.feed, self.limit, self.options = feed, limit, options
        self.epoch = feed.epoch
        self.store = self.new()
        self.polled = 0  # items polled since the last seek, statuses said again included

    def new(self):
        return Store(self.feed.clock, **self.options)

    def pump(self):
        while True:
            items = self.feed.poll(self.limit)
            if self.feed.epoch != self.epoch:
                self.epoch = self.feed.epoch
                self.store = self.feed.epoch_store(self.new)
            if not items:
                break
            self.polled += len(items)
            self.feed.apply(self.store, items)
        self.feed.expire(self.store)
        return self.store


def recording_of(items):
    return Recording(path=None, header=Header(started=items[0].observed), items=list(items))


def straight(recording, t, options=OPTIONS):
    """A fresh feed and store fed the items up to t: no checkpoint, nothing before."""
    feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
    feed.seek(t, whole=False)
    return Consumer(feed, limit=10_000, options=options).pump()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 40), limit=st.integers(1, 40),
       actions=st.lists(st.tuples(st.sampled_from(["seek", "play", "step", "tick"]), st.floats(0, 1)),
                        min_size=1, max_size=10))
def test_a_store_seeked_back_to_from_a_checkpoint_is_the_store_fed_the_items_up_to_there(seed, limit, actions):
    recording = recording_of(random_items(seed, 300))
    wall = Wall()
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 13), mock.patch.object(replay, "CHECKPOINTS_MAX", 6), \
            mock.patch.object(replay, "BUILD_ASIDE", 20):  # seeks forward start over too
        feed = ReplayFeed(recording, ManualClock(0), wall=wall, autoplay=False)
        consumer = Consumer(feed, limit)
        consumer.pump()
        feed.seek(feed.end_time)  # played once: checkpoints all along
        consumer.pump()
        for action, x in actions:
            if action == "seek":
                feed.seek(feed.start_time + x * (feed.end_time - feed.start_time))
            elif action == "play":
                feed.resume()
                wall.t += x * 120
            elif action == "step":
                feed.step()
            consumer.pump()
            feed.pause()
            assert store_state(consumer.store) == store_state(straight(recording, feed.position))
        assert 0 < len(feed._checkpoints) <= 6


def test_a_seek_back_near_the_end_applies_the_items_after_a_checkpoint_not_all_of_them():
    recording = recording_of(random_items(5, 1000))
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 100):
        feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
        consumer = Consumer(feed)
        feed.seek(feed.end_time)
        consumer.pump()
        statuses = [i for i in itertools.islice(recording.log.decoded(), 900) if isinstance(i, SourceStatus)]
        feed.seek(feed.end_time - 30)
        consumer.polled = 0
        store = consumer.pump()
    assert consumer.polled <= 100 + len(statuses) and consumer.epoch == 1
    assert store_state(store) == store_state(straight(recording, feed.position))


def test_after_a_seek_back_to_a_checkpoint_the_status_items_before_it_are_said_again():
    recording = recording_of(random_items(2, 200))
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 50):
        feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
        consumer = Consumer(feed, limit=1000)
        feed.seek(feed.end_time)
        consumer.pump()
        feed.seek(feed.end_time - 1)
        first = feed.poll(1)
    before = [i for i in itertools.islice(recording.log.decoded(), 150) if isinstance(i, SourceStatus)]
    assert before and first[:len(before)] == before and len(first) == len(before) + 1
    feed.apply(consumer.new(), first)


def test_seeking_back_shows_what_playing_showed_when_a_name_outlived_its_tombstone():
    # web-0 deleted, its tombstone expired (ttl 45 s), then a new web-0: played, the new
    # pod replaces nothing (podtui had forgotten the old one). A seek back to after it
    # used to rebuild without expiring on the way, and said it replaced the old one.
    items = [Change("pods", "ADDED", {"metadata": {"uid": "a", "name": "web-0", "namespace": "ns"}}, 100.0),
             Change("pods", DELETED, {"metadata": {"uid": "a", "name": "web-0", "namespace": "ns"}}, 110.0),
             Change("pods", "ADDED", {"metadata": {"uid": "b", "name": "web-0", "namespace": "ns"}}, 200.0),
             Change("pods", MODIFIED, {"metadata": {"uid": "b", "name": "web-0", "namespace": "ns",
                                                    "labels": {"x": "1"}}}, 210.0)]
    recording = recording_of(items)
    wall = Wall()
    feed = ReplayFeed(recording, ManualClock(0), wall=wall)
    consumer = Consumer(feed)
    feed.start()
    for wall.t in range(0, 120, 1):  # played, a tick a second
        consumer.pump()
    played = store_state(consumer.store)
    assert consumer.store.pods["b"].replaces is None
    feed.seek(150.0)
    consumer.pump()
    feed.seek(210.0)
    consumer.pump()
    assert store_state(consumer.store) == played
    feed.seek(205.0)  # back: from the start
    consumer.pump()
    assert consumer.store.pods["b"].replaces is None


def test_the_demo_recordings_seeked_back_hold_what_a_store_fed_them_straight_holds():
    # Store.apply_batch on the items up to t, then expiry at t: the model's own reading.
    # These recordings reuse no expired name, so it is what playing holds too.
    options = {"tombstone_ttl": 120.0}
    for path in ("tests/recordings/demo-default.jsonl.gz", "tests/recordings/demo-extra.jsonl.gz"):
        recording = read_recording(path)
        everything = list(recording.log.decoded())
        with mock.patch.object(replay, "CHECKPOINT_EVERY", 37):
            feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
            consumer = Consumer(feed, options=options)
            feed.seek(feed.end_time)
            consumer.pump()
            for back in (5.0, 61.0, 200.0, 7.0):
                feed.seek(feed.position - back)
                consumer.pump()
                t = feed.position
                clock = ManualClock(t)
                fed = Store(clock, **options)
                fed.apply_batch([i for i in everything if (i.observed if isinstance(i, Change) else i.at) <= t])
                fed.expire(t)
                assert store_state(consumer.store) == store_state(fed), (path, back)


async def test_the_app_seeking_back_from_a_checkpoint_shows_the_store_and_rate_of_one_fed_straight():
    from podtui.ui.app import PodtuiApp

    path = "tests/recordings/demo-default.jsonl.gz"
    clock = ManualClock(0)
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 50):
        feed = ReplayFeed(read_recording(path), clock, autoplay=False)
    app = PodtuiApp(feed, clock, theme="podtui-dark", timers=False, replay=feed)
    async with app.run_test(size=(120, 40)) as pilot:
        app.drain()
        app.action_replay_seek_to(feed.end_time)
        app.drain()
        shown = app.store
        # Back to just after a checkpoint: the changes of the rate's window before it are
        # not applied again, yet count.
        feed.seek(feed._times[feed._checkpoint_at[-3]], whole=False)  # not the whole second before it
        app.drain()
        await pilot.pause()
        assert feed._restart is not None  # started over from a checkpoint, not the first item
        assert app._rebuilding is None and app.store is not shown and feed.epoch == 1
        rate = app._replay_rate()  # what ev/s says once it plays (paused, the bar has none)

    straight_feed = ReplayFeed(read_recording(path), ManualClock(0), autoplay=False)
    straight_app = PodtuiApp(straight_feed, straight_feed.clock, theme="podtui-dark", timers=False,
                             replay=straight_feed)
    async with straight_app.run_test(size=(120, 40)):
        straight_feed.seek(feed.position, whole=False)
        straight_app.drain()
        straight_app.tick()
        assert store_state(app.store) == store_state(straight_app.store)
        assert rate == straight_app._replay_rate() > 0


def test_checkpoints_past_their_byte_budget_are_thinned_and_seeks_back_stay_right():
    recording = recording_of(random_items(9, 600))
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 20), mock.patch.object(replay, "CHECKPOINTS_BYTES", 200_000):
        feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
        consumer = Consumer(feed)
        feed.seek(feed.end_time)
        consumer.pump()
        assert 2 <= len(feed._checkpoints) < 600 // 20 and feed._every > 20
        assert sum(feed._sizes) <= 200_000 or len(feed._checkpoints) == 2
        for back in (3.0, 200.0, 50.0, 1000.0):
            feed.seek(feed.position - back)
            consumer.pump()
            assert store_state(consumer.store) == store_state(straight(recording, feed.position))


def as_recorded(lists=("pods", "events"), pods=3, end_events=True):
    """A recording as `podtui record` begins one: each stream connecting, listing, its
    list (items a little apart) and its end, live; then a pod change at 105."""
    items = []
    for resource in lists:
        items += [SourceStatus("connecting", 100.0, resource=resource), SourceStatus("listing", 100.001, resource=resource),
                  Relist(resource, 100.002, "start")]
    items += [Change("pods", "ADDED", pod(f"p{i}", i + 1), 100.01 + i / 100) for i in range(pods)]
    items += [Relist("pods", 100.1, "end"), SourceStatus("live", 100.11, resource="pods")]
    if "events" in lists:
        items += [Change("events", "ADDED", {"metadata": {"uid": "e1"}}, 100.2)]
        if end_events:
            items += [Relist("events", 100.3, "end"), SourceStatus("live", 100.31, resource="events")]
    items += [Change("pods", "MODIFIED", pod("p0", 10), 105.0), SourceStatus("stopped", 106.0)]
    return Recording(path=None, header=Header(started=100.0), items=items)


def test_a_paused_replay_opens_after_the_initial_lists_of_pods_and_events():
    feed = ReplayFeed(as_recorded(), ManualClock(0), autoplay=False)
    assert feed.opening_time() == 100.3  # the events' list ended last
    assert ReplayFeed(as_recorded(["pods"]), ManualClock(0)).opening_time() == 100.1
    # No pods listed: the first pod change; no pods at all: the start.
    assert ReplayFeed(as_recorded(["pods"], pods=0), ManualClock(0)).opening_time() == 105.0
    no_pods = [SourceStatus("live", 100.0), Change("events", "ADDED", {}, 101.0)]
    assert ReplayFeed(Recording(path=None, header=Header(started=100.0), items=no_pods),
                      ManualClock(0)).opening_time() == 100.0
    # The demo's recordings: an empty list marked, then the pods.
    demo = [Relist("pods", 99.0, "start"), Relist("pods", 99.0, "end"), *ITEMS]
    assert ReplayFeed(Recording(path=None, header=Header(started=99.0), items=demo),
                      ManualClock(0)).opening_time() == 100.0


def test_a_list_that_never_ends_holds_the_opening_up_a_minute_at_most():
    recording = as_recorded(end_events=False)
    recording.log.add_item(Change("pods", "MODIFIED", pod("p1", 11), 170.0))
    assert ReplayFeed(recording, ManualClock(0)).opening_time() == 100.1  # the pods' list's end


def test_step_goes_to_the_next_change_a_user_can_see():
    feed = ReplayFeed(as_recorded(), ManualClock(0), autoplay=False)
    feed.step()  # from the start: past connecting, listing, the lists' starts
    assert feed.position == 100.01 and [type(i).__name__ for i in feed.poll()] == \
        ["SourceStatus", "SourceStatus", "Relist", "SourceStatus", "SourceStatus", "Relist", "Change"]
    feed.seek(100.2, whole=False)
    feed.poll()
    feed.step()  # the list's end and live come along
    assert feed.position == 105.0 and isinstance(feed.poll()[-1], Change)
    feed.step()  # only a status left: to the end
    assert feed.position == 106.0 and feed.at_end is False and len(feed.poll()) == 1 and feed.at_end


def test_a_seek_back_to_the_start_lands_where_a_paused_replay_opens():
    feed = ReplayFeed(as_recorded(), ManualClock(0), autoplay=False)
    consumer = Consumer(feed)
    feed.seek(105.0)
    consumer.pump()
    feed.seek(50.0)  # `{` from 0:05, or further back than the start
    store = consumer.pump()
    # Before: at 100.0, the first item, before the list: 0 pods until `.` or play.
    assert feed.position == feed.opening_time() == 100.3 and sorted(store.pods) == ["p0", "p1", "p2"]
    epoch = feed.epoch
    feed.seek(100.2)  # `{` again: the same place, no start over
    assert feed.position == 100.3 and feed.epoch == epoch
    # From before the opening (--at 0 put it there), back is back: the start.
    feed = ReplayFeed(as_recorded(), ManualClock(0), autoplay=False)
    feed.seek(100.05)
    feed.seek(100.0)
    assert feed.position == 100.0


def test_a_long_seek_forward_starts_over_from_the_store_as_it_is_or_a_checkpoint_further_on():
    recording = recording_of(random_items(7, 1000))
    times = [i.observed if isinstance(i, Change) else i.at for i in recording.log.decoded()]
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 100), mock.patch.object(replay, "BUILD_ASIDE", 50):
        feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
        consumer = Consumer(feed)
        for i in range(0, 260, 40):  # in place, past two checkpoints (the second the store's base)
            feed.seek(times[i])
            consumer.pump()
        assert consumer.epoch == 0 and feed._checkpoint_at == [100, 200]
        for i in (500, 900):  # from the store as it is, frozen with its base; then from that
            store = consumer.store
            feed.seek(times[i])
            consumer.polled = 0
            consumer.pump()
            assert consumer.store is not store and consumer.polled <= i - 200
            assert store_state(consumer.store) == store_state(straight(recording, feed.position))
        assert consumer.epoch == 2
        feed.seek(times[250])  # back: from the checkpoint at 200
        consumer.pump()
        feed.seek(times[650])  # forward: from the one at 600, not the 400 items from 250
        consumer.polled = 0
        consumer.pump()
        assert consumer.epoch == 4 and consumer.polled <= 60 + len(feed._marks)
        assert store_state(consumer.store) == store_state(straight(recording, feed.position))


def test_checkpoints_keep_no_object_the_store_has_replaced_and_a_seek_back_loads_them_again():
    recording = recording_of(random_items(11, 1000))
    with mock.patch.object(replay, "CHECKPOINT_EVERY", 100):
        feed = ReplayFeed(recording, ManualClock(0), autoplay=False)
        consumer = Consumer(feed)
        feed.seek(feed.end_time)
        store = consumer.pump()
        assert len(feed._checkpoints) >= 5
        # Before: each checkpoint kept the objects of its time of every pod changed since.
        for checkpoint in feed._checkpoints[:-1]:
            for uid, frozen in checkpoint.pods.items():
                obj = frozen[snapshot._OBJ].obj
                assert obj is None or obj is store.pods[uid].obj
        for back in (0.9, 0.5, 0.2):
            feed.seek(feed.start_time + back * (feed.end_time - feed.start_time))
            consumer.pump()
            assert store_state(consumer.store) == store_state(straight(recording, feed.position))
