"""Restart explanations and unready periods in the UI, fed from the demo recording
(tests/recordings/demo-default.jsonl.gz): the Containers pane's one-liners, the
Timeline's merged entries, the Phase pane's unready line and the `x` jump."""

from __future__ import annotations

import copy
from collections import OrderedDict
from pathlib import Path

import pytest

from podtui.lifecycle import explain
from podtui.lifecycle.changes import Change
from podtui.lifecycle.records import NextStep
from podtui.lifecycle.store import Store
from podtui.ui.detail_screen import DetailScreen
from podtui.ui.next_text import compact, readable
from podtui.ui.panes import conditions, containers, phase, timeline
from podtui.ui.panes.base import PaneContext
from podtui.ui.panes.fmt import hang
from tests.ui.conftest import notices
from tests.ui.harness import items_from_recording, make_app, settle

RECORDING = Path(__file__).parents[1] / "recordings" / "demo-default.jsonl.gz"

LIVENESS = "last restart 5m ago: liveness probe failed (HTTP probe failed with statuscode: 500), exit 143 (SIGTERM)"
# Back-off pending (restart #8 not yet made): the crash happened, the restart is to come
# (28b560a). Both count to the back-off's 5m: 2m59s + 2m1s, 4m14s + 46s.
OOM = "crashed 2m59s ago, restart #8 in 2m1s: OOMKilled (memory limit 64Mi), exit 137"
CRASH = "crashed 4m14s ago, restart #8 in 46s: exit 1, reason Error"


def flat(text: str) -> str:
    """Wrapped text as one line: what a person reads, whatever the width."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo():
    items, clock, _ = items_from_recording(RECORDING)
    store = Store(clock)
    store.apply_batch(items)
    return store, clock.time()


def record(demo, name: str):
    store, _ = demo
    return next(r for r in store.pods.values() if r.name == name)


def render(module, demo, name: str, width: int | None = None, **kw) -> str:
    store, now = demo
    return module.render(record(demo, name), now, PaneContext(records=store.pods, width=width), **kw).plain


# ------------------------------------------------------------------ Containers pane


@pytest.mark.parametrize(("pod", "container", "expected"), [
    ("liveness-fail", "web", LIVENESS), ("oom", "cruncher", OOM), ("crashloop", "app", CRASH)])
def test_containers_pane_says_why_each_container_last_restarted_under_its_header(demo, pod, container, expected):
    text = render(containers, demo, pod)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(f"{container}  [main]"))
    assert lines[header + 1] == "  " + expected  # one line, right under the header
    wrapped = render(containers, demo, pod, width=60)
    assert expected in flat(wrapped)
    assert (expected in wrapped) == (len(expected) + 2 <= 60)  # wrapped only when too long


def test_containers_pane_says_why_a_container_never_started_and_nothing_for_a_healthy_one(demo):
    assert ('not started for 14m: config error (CreateContainerConfigError): secret "db-credentials" not found'
            in render(containers, demo, "missing-secret"))
    healthy = render(containers, demo, "with-sidecar")
    assert "last restart" not in healthy and "crashed" not in healthy and "not started" not in healthy
    init = render(containers, demo, "init-fail").split("\n\n")
    # the init container's block; 4m23s + 37s: its 5m back-off
    assert "crashed 4m23s ago, restart #8 in 37s: exit 1, reason Error" in init[0]
    assert "last restart" not in init[1] and "crashed" not in init[1]  # the main container never ran


def test_explain_adds_the_evidence_under_the_last_restart_and_says_where(demo):
    store, now = demo
    text, anchor = containers.render_explained(record(demo, "liveness-fail"), now, PaneContext(store.pods),
                                               explain=True)
    lines = text.plain.splitlines()
    assert lines[anchor] == "  " + LIVENESS
    evidence = "\n".join(lines[anchor + 1:])
    assert evidence.startswith("  ┃ evidence")
    assert "Event Warning Unhealthy x21" in evidence and "Event Normal Killing x7" in evidence
    assert "container web terminated: exit 143 (SIGTERM), reason Error" in evidence
    assert "back-off before the restart: 5m0s (from the kubelet's message)" in evidence
    oom = flat(render(containers, demo, "oom", explain=True))
    assert "spec: resources.limits.memory 64Mi" in oom and "restart #8 pending" in oom
    assert "┃" not in render(containers, demo, "liveness-fail")  # only on request


def test_evidence_wraps_inside_its_bar(demo):
    lines = render(containers, demo, "poststart-fail", width=60, explain=True).splitlines()
    block = [line for line in lines if line.startswith("  ┃")]
    assert len(block) > 6 and all(len(line) <= 60 for line in lines)
    assert any(line.startswith("  ┃   ") for line in block)  # a continuation, under its item's text


def test_a_termination_messages_lines_stay_lines_under_their_evidence_item(monkeypatch):
    # Flattened into one wrapped paragraph, a stack trace could not be read.
    # The pod keeps the demo's uid and versions: explanations cached for the demo's
    # crashloop must not answer for this one, nor this one's for later tests.
    monkeypatch.setattr(explain, "_CACHE", OrderedDict())
    trace = ("Traceback (most recent call last):\n"
             + "".join(f'  File "/app/layer{i}.py", line {i}, in call\n    return next_layer({i})\n'
                       for i in range(12))
             + "KeyError: '\x1b[31mDB_URL'\n")
    items, clock, _ = items_from_recording(RECORDING)
    for i, item in enumerate(items):
        if isinstance(item, Change) and item.obj.get("metadata", {}).get("name") == "crashloop":
            obj = copy.deepcopy(item.obj)
            for cs in obj.get("status", {}).get("containerStatuses", []):
                for key in ("state", "lastState"):
                    if cs.get(key, {}).get("terminated"):
                        cs[key]["terminated"]["message"] = trace
            items[i] = Change(item.resource, item.type, obj, item.observed, item.synthetic)
    store = Store(clock)
    store.apply_batch(items)
    rec = next(r for r in store.pods.values() if r.name == "crashloop")
    lines = containers.render(rec, clock.time(), PaneContext(store.pods, width=100), explain=True).plain.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("  ┃ · container app terminated")))
    head = next(i for i, line in enumerate(lines) if line.endswith("message, its last 20 of 26 lines:"))
    assert start <= head <= start + 1  # the item's first line, wrapped
    shown = trace.splitlines()[-20:]
    assert lines[head + 1:head + 21] == ["  ┃     " + text.replace("\x1b", " ") for text in shown]
    assert lines[head + 21].startswith("  ┃ · ")  # the next item


# ------------------------------------------------------------------ Timeline pane


def test_timeline_explained_restart_replaces_the_bare_restart_line(demo):
    text = render(timeline, demo, "crashloop")
    assert "app restart #7: exit 1, reason Error; back-off 5m0s" in text
    assert "app crashed, restart #8 pending: exit 1, reason Error; back-off 5m0s" in text
    assert "restarted (6 → 7)" not in text and "restarted (" not in text  # every restart is explained
    assert "app: running → terminated:Error · exit 1, reason Error" in text  # the raw transitions stay
    liveness = render(timeline, demo, "liveness-fail")
    assert ("web restart #7: liveness probe failed (HTTP probe failed with statuscode: 500), exit 143 (SIGTERM); "
            "back-off 5m") in liveness


def test_timeline_unready_periods_once_for_the_pod_and_per_container_on_request(demo):
    text = render(timeline, demo, "crashloop")
    assert "pod not ready for 5m: containers not ready (app: container stopped (terminated:Error))" in text
    assert "pod not ready for 4m14s so far" in text
    assert "app not ready for" not in text  # the pod's period names the container already
    only_app = render(timeline, demo, "crashloop", container="app")
    assert "app not ready for 5m: container stopped (terminated:Error)" in only_app
    assert "pod not ready" not in only_app and "Ready True → False" not in only_app
    assert "app restart #7" in only_app


def test_timeline_order_applies_to_the_explained_entries(demo):
    newest = render(timeline, demo, "crashloop").splitlines()
    axis = render(timeline, demo, "crashloop", order=timeline.TIME_AXIS).splitlines()
    n7 = next(i for i, line in enumerate(newest) if "restart #7" in line)
    n2 = next(i for i, line in enumerate(newest) if "restart #2" in line)
    a7 = next(i for i, line in enumerate(axis) if "restart #7" in line)
    a2 = next(i for i, line in enumerate(axis) if "restart #2" in line)
    assert n7 < n2 and a2 < a7
    stamps = [line[1:9] for line in newest[1:] if "│" in line]
    assert stamps == sorted(stamps, reverse=True)


def test_timeline_wraps_under_the_text_column_not_the_left_edge(demo):
    lines = render(timeline, demo, "crashloop", width=60).splitlines()
    column = lines[1].index("│") + 2
    continuations = [line for line in lines[1:] if "│" not in line and "┆" not in line]
    assert continuations and all(line[:column].strip() == "" and line[column] != " " for line in continuations)
    assert all(len(line) <= 60 for line in lines)


def test_an_open_unready_period_grows_with_the_clock_from_the_cached_explanations(demo):
    _, now = demo
    r = record(demo, "crashloop")
    cached = timeline.explain_entries(r, now)
    later = timeline.render(r, now + 60, PaneContext(), explained=cached).plain
    assert "pod not ready for 5m14s so far" in later and "4m14s so far" not in later
    assert "5m ago" not in later.split("restart #8")[0].splitlines()[-1]  # "5m14s ago": ages moved too


# ------------------------------------------------------------------ Phase pane


def test_phase_pane_says_why_the_pod_is_unready_or_that_it_flaps(demo):
    text = flat(render(phase, demo, "crashloop", width=70))
    assert ("Unready unready for 4m14s: containers not ready (app: container stopped (terminated:Error)); "
            "7 unready spells in the last hour") in text
    flapping = flat(render(phase, demo, "readiness-flap"))
    assert "Flapping ready now; 22 unready spells in the last hour, the last 10s long" in flapping
    steady = render(phase, demo, "with-sidecar")
    assert "Unready" not in steady and "Flapping" not in steady


# ------------------------------------------------------------------ small helpers


def test_hang_keeps_continuations_under_the_body():
    out = hang("label: ", "one two three four five six seven eight nine ten", 24).plain.splitlines()
    assert out[0].startswith("label: one") and len(out) > 1
    assert all(line.startswith(" " * 7) and line[7] != " " for line in out[1:])
    assert all(len(line) <= 24 for line in out)
    assert hang("label: ", "short", 24).plain == "label: short"
    assert hang("label: ", "x " * 30, None).plain.count("\n") == 0  # no width: the widget wraps


def test_streaks_past_the_threshold_and_narrow_next_wording():
    assert readable(NextStep("readiness 5/3")).text == "readiness fails"
    assert readable(NextStep("liveness 2/3", due_at=5.0)).text == "liveness 2/3"
    assert readable(NextStep("readiness 3/3")).text == "readiness 3/3"
    assert readable(NextStep("restart in 23s")).text == "restart in 23s"
    assert readable(None) is None
    assert compact("pull retry in 2m40s", 16) == "pull in 2m40s"
    assert compact("pull retry in 2m40s", 19) == "pull retry in 2m40s"
    assert compact("waiting on readiness gate", 16) == "readiness gate"
    assert compact("restart in 4m59s", 16) == "restart in 4m59s"
    assert compact("deleted 2m48s ago", 16) == "gone 2m48s ago"  # keeps "ago": not a timer (3160be8)
    # An elapsed time keeps a word that says so: "finalizer 3m50s" read as a timer.
    assert compact("waiting on finalizer for 3m50s", 16) == "held for 3m50s"
    assert compact("waiting on 2 finalizers for 45s", 16) == "held for 45s"  # the Termination pane counts them
    assert compact("waiting on finalizer for 3m50s", 19) == "finalizer for 3m50s"
    assert compact("waiting on finalizer for 3m50s", 12) == "for 3m50s"


# ------------------------------------------------------------------ the jump key


def demo_app(items=None, clock=None, scope=None):
    if items is None:
        items, clock, scope = items_from_recording(RECORDING)
    return make_app(items, clock, scope)


def uid_of(app, name: str) -> str:
    return next(uid for uid, r in app.store.pods.items() if r.name == name)


@pytest.mark.parametrize(("pod", "line"), [("liveness-fail", LIVENESS), ("oom", OOM), ("crashloop", CRASH)],
                         ids=["liveness-fail", "oom", "crashloop"])
async def test_x_from_the_table_lands_on_the_last_restarts_explanation(pod, line):
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, pod))
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.active == "containers"
        pane = screen.containers_pane
        assert pane.explain and "┃ evidence" in pane.text and not notices(app)
        await pilot.press("x")  # again: the evidence goes, the one-liner stays
        await pilot.pause()
        assert "┃" not in pane.text and line in flat(pane.text)


async def test_x_scrolls_to_the_explanation_when_it_is_below_the_fold():
    items, clock, scope = items_from_recording(RECORDING)
    # Four finished init containers ahead of the liveness-killed one push it off an 80x24 screen.
    inits = [{"name": f"setup-{i}", "image": "busybox"} for i in range(4)]
    done = [{"name": f"setup-{i}", "ready": False, "restartCount": 0, "image": "busybox",
             "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                      "startedAt": "2024-05-01T10:00:00Z", "finishedAt": "2024-05-01T10:00:01Z"}}}
            for i in range(4)]
    padded = []
    for item in items:
        if isinstance(item, Change) and item.obj.get("metadata", {}).get("name") == "liveness-fail":
            obj = copy.deepcopy(item.obj)
            obj["spec"]["initContainers"] = inits
            obj.setdefault("status", {})["initContainerStatuses"] = done
            item = Change(item.resource, item.type, obj, item.observed, item.synthetic)
        padded.append(item)
    app = demo_app(padded, clock, scope)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "liveness-fail"))
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        pane = app.screen.containers_pane
        top, height = int(pane.scroll_y), pane.scrollable_content_region.height
        lines = pane.text.splitlines()
        header = lines.index("web  [main]  nginx:1.27")
        assert header + 1 >= height  # the explanation started below the fold
        shown = lines[top:top + height]
        assert "web  [main]  nginx:1.27" in shown and "  ┃ evidence" in shown
        assert any(line.startswith("  last restart 5m ago") for line in shown)


async def test_x_on_a_pod_that_never_restarted_says_so_and_stays():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "with-sidecar"))
        await pilot.press("x")
        await pilot.pause()
        # Before: "no restarts seen for this pod", of a pod with nothing wrong.
        assert notices(app) == ["running and ready; no restarts seen"] and app.screen is app.pods_screen
        app.table.select_uid(uid_of(app, "missing-secret"))
        await pilot.press("x")  # no restart, but a container that can't start: that is shown
        await pilot.pause()
        assert notices(app)[-1] == "no restarts seen for this pod; api has not started: showing why"
        pane = app.screen.containers_pane
        assert "Event Warning Failed x61" in pane.text


async def test_x_in_the_detail_screen_and_in_the_palette():
    app = demo_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "oom"))
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Explain last restart" in titles
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.active == "phase"
        await pilot.press("x")
        await pilot.pause()
        assert screen.active == "containers" and "┃ evidence" in screen.containers_pane.text
        assert "OOMKilled (memory limit 64Mi), exit 137" in screen.containers_pane.text


async def test_timeline_explains_once_per_pod_version_while_the_clock_ticks():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_detail(uid_of(app, "crashloop"), pane="timeline")
        await pilot.pause()
        pane = app.screen.panes["timeline"]
        first = pane.text
        explains = pane.explains
        for _ in range(3):
            app.clock.advance(20)
            app.tick()
            await pilot.pause()
        assert pane.explains == explains == 1  # ages moved; the explanations were not recomputed
        assert pane.text != first and "so far" in pane.text


async def test_scrollbars_draw_whole_cells_not_stray_block_glyphs():
    """The "▇▇" after Timeline entries at 80x24 was the scrollbar thumb's partial end."""
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main_screen = app.export_screenshot()
        app.open_detail(uid_of(app, "crashloop"), pane="timeline")
        await pilot.pause()
        for offset in (0, 3, 7):  # thumb positions that fall between cells
            app.screen.panes["timeline"].scroll_to(y=offset, animate=False)
            await pilot.pause()
            shot = app.export_screenshot()
            assert not set("▁▂▃▄▅▆▇") & set(shot)
        assert app.screen.panes["timeline"].max_scroll_y > 7  # it did have a scrollbar to draw
        assert not set("▁▂▃▄▅▆▇") & set(main_screen)


def test_a_table_row_is_cut_not_wrapped_to_the_left_edge(demo):
    lines = render(conditions, demo, "crashloop", width=50).splitlines()
    assert all(len(line) <= 50 for line in lines)
    assert "ContainersReady            False   ContainersNotR…" in lines
    assert "ContainersReady            False   ContainersNotReady" in render(conditions, demo, "crashloop")


@pytest.mark.parametrize("order", [timeline.NEWEST_FIRST, timeline.TIME_AXIS])
def test_timeline_from_its_cache_reads_the_same_as_built_afresh(demo, order):
    store, now = demo
    r = record(demo, "crashloop")
    explained = timeline.explain_entries(r, now)
    cache = timeline.RenderCache()
    for later, width in ((0, 70), (1, 70), (45, 70), (700, 70), (701, 50), (701, None)):
        ctx = PaneContext(store.pods, width=width)
        cached = timeline.render(r, now + later, ctx, order=order, explained=explained, cache=cache)
        fresh = timeline.render(r, now + later, ctx, order=order, explained=explained)
        assert cached.plain == fresh.plain and cached.spans == fresh.spans
    assert cache.lines  # it was used


async def test_x_on_a_pod_the_scheduler_cannot_place_says_why():
    # Before: "no restarts seen for this pod", where the scheduler had said why.
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "too-big"))
        await pilot.press("x")
        await pilot.pause()
        assert notices(app) == ["not scheduled for 14m: 0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient "
                           "memory. preemption: 0/3 nodes are available: 3 No preemption victims found for "
                           "incoming pod. (Event FailedScheduling x11, last 3m10s ago)"]
        assert app.screen is app.pods_screen  # no container has anything to show


def unplaced(name: str, reason: str, message: str = "") -> dict:
    return {"metadata": {"name": name, "namespace": "shop", "uid": f"uid-{name}",
                         "creationTimestamp": "2024-05-01T09:50:00Z"},
            "spec": {"containers": [{"name": "app", "image": "app"}]},
            "status": {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "False", "lastTransitionTime": "2024-05-01T09:50:00Z",
                 "reason": reason, "message": message}]}}


async def test_x_on_an_unplaced_pod_seen_late_counts_from_the_condition_and_names_a_gate():
    from podtui.clock import ManualClock
    from podtui.lifecycle.changes import SourceStatus

    t0 = 1714557600.0  # 10:00, ten minutes after the pods were created and left unplaced
    items = [SourceStatus("live", t0),
             Change("pods", "ADDED", unplaced("gated", "SchedulingGated", "Scheduling is blocked due to non-empty "
                                              "scheduling gates"), t0),
             Change("pods", "ADDED", unplaced("big", "Unschedulable", "0/3 nodes are available: 3 Insufficient "
                                              "memory."), t0)]
    app = demo_app(items, ManualClock(t0 + 60))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name in ("gated", "big"):
            app.table.select_uid(f"uid-{name}")
            await pilot.press("x")
            await pilot.pause()
    assert notices(app) == ["scheduling gated for 11m: Scheduling is blocked due to non-empty scheduling gates",
                       "not scheduled for 11m: 0/3 nodes are available: 3 Insufficient memory."]


def recording_until(seconds: float):
    """The demo recording's first `seconds`, the clock at its last item."""
    from podtui.clock import ManualClock
    from podtui.lifecycle.changes import item_time

    items, _, scope = items_from_recording(RECORDING)
    start = item_time(items[0])
    kept = [i for i in items if item_time(i) is None or item_time(i) <= start + seconds]
    return kept, ManualClock(max(item_time(i) for i in kept if item_time(i) is not None)), scope


@pytest.mark.parametrize(("seconds", "pod", "expected"), [
    (40.5, "readiness-flap", "unready for 5s: readiness probe failed (HTTP probe failed with statuscode: 503)\n"
                             "api's readiness probe (http GET :8080/ready, every 5s): 3 failures in a row "
                             "(threshold 2), the last 0s ago"),
    (20, "gated", "unready for 19s: containers not ready (web: starting); then readiness gate "
                  "example.com/lb-registered not True\nreadiness gate example.com/lb-registered: condition not set "
                  "yet for 16s (a controller sets it, not the kubelet)"),
], ids=["readiness-probe", "readiness-gate"])
async def test_x_on_an_unready_pod_that_never_restarted_says_why_it_is_unready(seconds, pod, expected):
    # Before: "no restarts seen for this pod", where the Phase pane said why it was unready.
    app = demo_app(*recording_until(seconds))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, pod))
        await pilot.press("x")
        await pilot.pause()
        assert notices(app) == [expected] and app.screen is app.pods_screen
        await pilot.press("enter", "x")  # the same from the pod's detail
        await pilot.pause()
        assert notices(app)[-1] == expected and isinstance(app.screen, DetailScreen)


async def test_x_on_a_ready_pod_that_flaps_says_so():
    app = demo_app()  # readiness-flap, ready at the end of the recording after 22 unready spells
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.table.select_uid(uid_of(app, "readiness-flap"))
        await pilot.press("x")
        await pilot.pause()
        [notice] = notices(app)
        assert notice.startswith("ready now; 22 unready spells in the last hour") and notice.endswith("\nrunning and ready; no restarts seen")
