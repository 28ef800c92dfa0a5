"""The selected pod stays selected while a filter hides it for a while (a crash-looping
pod is Running for a few seconds of each restart, which `/!Running` hides), and the
cursor goes back to it when it is shown again: the keys never act on another pod."""

from __future__ import annotations

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.sources.base import StaticFeed
from podtui.ui.detail_screen import DetailScreen
from tests.ui.conftest import notices
from tests.ui.harness import make_app, settle
from tests.ui.test_pilot import pod, row_text

T0 = 1714557600.0
NAMES = ("bad-image", "crashloop", "graceful-stop", "init-fail", "oom")


def crashing_app(**options):
    """Five pods; all but graceful-stop shown by /!Running."""
    items = [Change("pods", "ADDED", pod(n, phase="Running" if n == "graceful-stop" else "Pending"), T0)
             for n in NAMES]
    feed = StaticFeed(items)
    app = make_app([], ManualClock(T0), **options)
    app.feed = feed
    return app, feed


async def phase(pilot, feed, name: str, value: str, t: float) -> None:
    feed._queue.put(Change("pods", "MODIFIED", pod(name, phase=value), T0 + t))
    await settle(pilot)


def selected(app) -> str | None:
    uid = app.table.cursor_uid
    return app.table.records[uid].name if uid is not None else None


def highlighted(app) -> list[str]:
    """The names of the rows drawn with the cursor's colours."""
    table = app.table
    cursor = table._get_styles()["cursor"]
    rows = []
    for y in range(1, len(table.index) + 1):
        strip = table.render_line(y)
        if any(seg.style is not None and seg.style.bgcolor == cursor.bgcolor for seg in strip):
            rows.append(strip.text.split()[1])
    return rows


async def filtered(pilot, feed, *moves: str) -> None:
    """The five pods listed, filtered with /!Running, the cursor moved by `moves`."""
    feed.start()
    await settle(pilot)
    await pilot.press("slash", *"!Running", "enter", *moves)


async def test_the_users_sequence_esc_and_c_stay_on_the_pod_chosen():
    # Before: Esc found the cursor on the pod that took crashloop's row (init-fail),
    # and c copied that pod's name and logs command.
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, feed, "j")
        assert selected(app) == "crashloop"
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await phase(pilot, feed, "crashloop", "Running", 1)  # the restart: hidden by the filter
        await pilot.press("escape")
        await pilot.pause()
        assert "crashloop" not in [row_text(app, i).split()[1] for i in range(len(app.table.index))]
        assert selected(app) == "crashloop"
        assert highlighted(app) == []  # no other row looks chosen
        assert any("crashloop" in m and "not shown" in m for m in notices(app))
        await pilot.press("c")
        assert app.clipboard == "crashloop"
        await phase(pilot, feed, "crashloop", "Pending", 4)  # crashed again: shown
        assert selected(app) == "crashloop" and highlighted(app) == ["crashloop"]
        assert not any("not shown" in m for m in notices(app))  # the notice is taken back
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen) and app.screen.uid == app.table.cursor_uid


async def test_a_pod_hidden_while_the_list_is_shown_comes_back_selected_and_j_k_leave_it():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, feed, "j", "j")
        assert selected(app) == "init-fail"
        await phase(pilot, feed, "init-fail", "Running", 1)
        assert selected(app) == "init-fail" and highlighted(app) == []
        await pilot.press("y")  # acts on the pod chosen, which is still in the store
        assert isinstance(app.screen, DetailScreen) and app.screen.uid == "uid-default-init-fail"
        await pilot.press("escape")
        await pilot.press("S")  # a re-sort while it is hidden keeps it too
        assert selected(app) == "init-fail"
        await phase(pilot, feed, "init-fail", "Pending", 2)
        assert selected(app) == "init-fail" and highlighted(app) == ["init-fail"]
        await phase(pilot, feed, "init-fail", "Running", 3)
        await pilot.press("j")  # from where it was: the pod after it
        assert selected(app) == "oom" and highlighted(app) == ["oom"]
        await phase(pilot, feed, "init-fail", "Pending", 4)
        assert selected(app) == "oom"  # the user moved on: it stays on oom
        await phase(pilot, feed, "oom", "Running", 5)
        await pilot.press("k")  # the pod before where oom was
        assert selected(app) == "init-fail"


async def test_one_click_on_the_row_in_a_held_pods_place_chooses_it_and_does_not_open_it():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await filtered(pilot, feed, "j")
        await phase(pilot, feed, "crashloop", "Running", 1)  # held; init-fail takes its row
        assert selected(app) == "crashloop" and app.table.held
        await pilot.click(app.table, offset=(2, 1 + app.table.cursor))
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)  # before: the first click opened init-fail
        assert selected(app) == "init-fail" and highlighted(app) == ["init-fail"]


async def oom_opened_off_its_row(app, pilot, feed) -> None:
    """The crashing cluster shown, bad-image selected, and oom's detail opened not from
    its row (as a palette command opens it)."""
    feed.start()
    await settle(pilot)
    assert selected(app) == "bad-image"
    app.open_detail("uid-default-oom")
    await pilot.pause()


async def test_esc_from_a_detail_returns_to_its_pod_row():
    app, feed = crashing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await oom_opened_off_its_row(app, pilot, feed)
        await pilot.press("escape")
        await pilot.pause()
        assert selected(app) == "oom" and highlighted(app) == ["oom"]


async def test_a_hidden_pod_gone_from_the_store_gives_way_to_the_row_in_its_place():
    app, feed = crashing_app(store_options={"tombstone_ttl": 60.0})
    async with app.run_test(size=(80, 24)) as pilot:
        feed.start()
        await settle(pilot)
        await pilot.press("slash", *"!Running !deleted", "enter", "j")
        assert selected(app) == "crashloop"
        await phase(pilot, feed, "crashloop", "Running", 1)
        feed._queue.put(Change("pods", "DELETED", pod("crashloop", phase="Running"), T0 + 2))
        await settle(pilot)
        assert selected(app) == "crashloop" and highlighted(app) == []  # a tombstone: still in the store
        app.clock.advance(70)
        await settle(pilot)
        assert "uid-default-crashloop" not in app.store.pods  # expired: nothing left to act on
        assert selected(app) == "init-fail" and highlighted(app) == ["init-fail"]
