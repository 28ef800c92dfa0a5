"""Replay: items come out as the recorded time passes; pause, step and seek."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
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
    feed.step()
    assert feed.poll() == [ITEMS[2]] and clock.time() == 100.5
    feed.step()
    assert feed.poll() == [ITEMS[3]] and clock.time() == 110.0
    feed.resume()
    wall.t = 70.0  # 20 more seconds
    assert feed.poll() == [ITEMS[4]] and clock.time() == 130.0


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
