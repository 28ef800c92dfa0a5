"""--record said on the bar: "● rec" while everything seen also goes to the file, "rec
stopped" (and one notice) once the recorder has ended, a full disk say; the screen goes on."""

from __future__ import annotations

from pathlib import Path

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change, SourceStatus
from podtui.sources.base import Scope, StaticFeed
from podtui.sources.recording import RecordingFeed
from podtui.ui.app import PodtuiApp
from podtui.ui.status_bar import BarState, status_line
from tests.ui.conftest import notices
from tests.ui.harness import TEST_ENV, settle

T0 = 1714557600.0  # 10:00:00 UTC


class FakeWriter:
    """What RecordingFeed and the app ask of a RecordingWriter, without its recorder process."""

    def __init__(self) -> None:
        self.path = Path("/tmp/x.jsonl.gz")
        self.error: str | None = None
        self.recorder_ended = False
        self.full = False
        self.written: list = []

    @property
    def stopped(self) -> bool:
        return self.error is not None or self.recorder_ended

    def write(self, items) -> None:
        self.written += items

    def close(self) -> None:
        pass


def _pod(i: int) -> Change:
    return Change("pods", "ADDED", {
        "metadata": {"name": f"web-{i}", "namespace": "shop", "uid": f"u{i}", "creationTimestamp": "2024-05-01T09:00:00Z"},
        "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running"}}, T0)


ITEMS = [SourceStatus("live", T0, "", "pods"), *(_pod(i) for i in range(20))]


def _app(feed) -> PodtuiApp:
    return PodtuiApp(feed, ManualClock(T0), theme="podtui-dark", timers=False, environ=TEST_ENV)


def test_the_bar_says_rec_next_to_the_state_and_keeps_it_at_80_columns():
    state = BarState(context="podtui-demo", scope="all namespaces", total=20, shown=20, events_per_s=11,
                     source=SourceStatus("live", T0, "", "pods"), recording=True)
    assert status_line(state, T0).plain == "podtui-demo │ all namespaces │ ● live │ ● rec │ 20 pods │ 11 ev/s │ 10:00:00 UTC"
    assert status_line(state, T0, 78).plain == "podtui-demo │ all namespaces │ ● live │ ● rec │ 20 pods │ 11 ev/s │ 10:00:00"
    assert status_line(state, T0, 40).plain == "podtui-demo │ ● live │ ● rec │ 20 pods"


async def test_a_recording_session_shows_rec_and_a_plain_one_does_not():
    writer = FakeWriter()
    app = _app(RecordingFeed(StaticFeed(ITEMS, Scope(context="podtui-demo")), writer))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert app.pods_screen.status_bar.text.startswith("podtui-demo │ all namespaces │ ● live │ ● rec │ 20 pods")
        assert len(writer.written) == len(ITEMS)
    app = _app(StaticFeed(ITEMS, Scope(context="podtui-demo")))
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert "rec" not in app.pods_screen.status_bar.text


async def test_a_recorder_that_ended_is_said_once_and_the_screen_goes_on():
    writer = FakeWriter()
    feed = RecordingFeed(StaticFeed(ITEMS[:5], Scope(context="podtui-demo")), writer)
    app = _app(feed)
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        writer.recorder_ended = True  # before its pipe broke: no error yet, the app's own words
        feed.feed._queue.extend(ITEMS[5:10])
        await settle(pilot)
        assert "│ rec stopped │ 9 pods" in app.pods_screen.status_bar.text
        writer.error = "recording to /tmp/x.jsonl.gz stopped: No space left on device (what it wrote before still replays)"
        await settle(pilot)
        assert notices(app) == [  # the why, arriving later, is no second notice
            "recording to /tmp/x.jsonl.gz stopped: the recorder process ended; the screen goes on"]


async def test_the_notice_says_the_recorders_own_why_when_it_has_one():
    writer = FakeWriter()
    app = _app(RecordingFeed(StaticFeed(ITEMS[:5], Scope(context="podtui-demo")), writer))
    writer.error = "recording to /tmp/x.jsonl.gz stopped: No space left on device (what it wrote before still replays)"
    writer.recorder_ended = True
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert "│ rec stopped │" in app.pods_screen.status_bar.text
        assert notices(app) == [
            "recording to /tmp/x.jsonl.gz stopped: No space left on device (what it wrote before still replays); "
            "the screen goes on"]
