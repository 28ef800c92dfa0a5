"""At 80 columns NEXT plans a countdown as wide as it has read for its pod version, not
as wide as any time may grow: a countdown only loses digits until its step changes.
"liveness ~52s" was planned as "liveness ~4m59s" (15 cells), and the demo's 20-character
names lost a cell ("nightly-r…ort-x7k2p") beside a column whose widest text was 14."""

from __future__ import annotations

import re

import pytest

from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from podtui.lifecycle.nextstep import countdown
from podtui.lifecycle.records import NextStep
from podtui.ui.next_text import DURATION_CELLS, compact, countdown_cells, planned_width, short_wording
from tests.ui.harness import make_app, settle
from tests.ui.test_repaint import T0, pod

NAMES = ["nightly-report-x7k2p", "web-2ldzzb8gt8-92ms5", "gated-api-7d4b9-xq2p", "liveness-fail-7c9d8f",
         "missing-secret"]


def test_a_countdown_is_planned_as_wide_as_it_reads_on_its_way():
    assert planned_width("liveness ~52s") == len("liveness ~4m59s")  # any time: at its widest
    assert [countdown_cells(s) for s in (0, 9, 9.2, 52, 99, 100, 120, 125, 129, 130, 600, 3600)] == \
        [2, 2, 3, 3, 3, 4, 4, 4, 4, DURATION_CELLS, DURATION_CELLS, DURATION_CELLS]  # "2m" is followed by "119s"
    assert planned_width("liveness ~52s", cells=3) == len("liveness ~52s")
    assert planned_width("liveness ~9s", cells=3) == len("liveness ~99s")  # seen at "~52s" in this version
    # In 14 cells the probe's name stays (was "kill ~52s"), when the countdown is short.
    assert short_wording("liveness 2/3, kill in ~52s", 14) == "kill ~52s"
    assert short_wording("liveness 2/3, kill in ~52s", 14, cells=3) == "liveness ~52s"
    assert short_wording("liveness 2/3, kill in ~2m30s", 14, cells=5) == "kill ~2m30s"
    # The wording is the one of 15 cells and more, whatever the countdown reads: a short
    # countdown keeps the form of a long one beside it.
    assert short_wording("restart in 46s", 14, cells=3) == "restart 46s" == compact("restart in 46s", 15)
    for width in (15, 17, 28):
        assert short_wording("liveness 2/3, kill in ~5s", width, cells=2) == compact("liveness 2/3, kill in ~5s", width)


def demo_app(kill_in: float, gated: bool = True):
    """The demo's pods at 80 columns, as far as widths go: one gated ("readiness gate",
    14 cells), one counting down to a liveness kill `kill_in` seconds away, one waiting
    in CreateContainerConfigError."""
    items = []
    for i, name in enumerate(NAMES):
        p = pod(i)
        p["metadata"]["name"], p["metadata"]["namespace"] = name, "batch" if i == 0 else "demo"
        if name == "missing-secret":
            p["status"]["phase"] = "Pending"
            p["status"]["containerStatuses"][0].update(
                ready=False, state={"waiting": {"reason": "CreateContainerConfigError"}})
        items.append(Change("pods", "ADDED", p, T0))
    clock = ManualClock(T0)
    app = make_app(items, clock)
    kill_at = T0 + kill_in

    def next_step(record, now):
        if record.uid == "uid-2" and gated:
            return NextStep("waiting on readiness gate", severity="info")
        if record.uid == "uid-3":
            text = f"liveness 2/3, kill in ~{countdown(kill_at, now)}" if now < kill_at else "liveness 3/3, kill due"
            return NextStep(text, due_at=kill_at, severity="warning")
        return None

    app.table._next_step = next_step
    return app, clock


def rows(app) -> list[str]:
    return [app.table.render_line(y).text for y in range(1, len(NAMES) + 1)]


def killed(app) -> str:
    """The row of the pod counting down to a kill."""
    return app.table.render_line(app.table.index.position("uid-3") + 1).text


def next_cell(app, row: str) -> str:
    [(x, w)] = [(x, w) for c, x, w in app.table._current_layout().columns if c.key == "next"]
    return row[x:x + w].strip()


def widths(app) -> dict[str, int]:
    return {c.key: w for c, _, w in app.table._current_layout().columns}


# Without the gated pod NEXT is as wide as the countdown's row needs: "~2m" is followed
# by "~119s", two cells wider.
@pytest.mark.parametrize("kill_in, gated", [(52, True), (120, False)])
async def test_a_kill_countdown_leaves_the_demos_names_whole_and_no_column_moves_as_it_counts_down(kill_in, gated):
    app, clock = demo_app(kill_in=kill_in, gated=gated)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = widths(app)
        assert first["name"] == 20 and first["next"] == len("readiness gate" if gated else "liveness ~119s"), first
        seen = set()
        for _ in range(70):
            shown = rows(app)
            assert all(any(name in row for row in shown) for name in NAMES), shown  # whole
            assert widths(app) == first
            seen.add(re.sub(r"\d+s$", "Ns", next_cell(app, killed(app))))
            clock.advance(1)
            await settle(pilot)
        assert seen == ({"liveness ~Ns", "liveness kill"} if kill_in < 70 else {"liveness ~2m", "liveness ~Ns"}), seen


@pytest.mark.parametrize("columns, wording", [(80, "liveness ~"), (73, "kill ~")])
async def test_a_countdown_keeps_its_wording_and_its_width_as_it_loses_digits(columns, wording):
    # From ~2m30s, planned so until the pod changes: at ~2m, ~119s and ~99s the row
    # reads as it did in the same column, not another wording or width ("kill ~2m30s"
    # in 14 cells, then "liveness ~99s" once that fitted).
    app, clock = demo_app(kill_in=150)
    async with app.run_test(size=(columns, 24)) as pilot:
        await settle(pilot)
        first = widths(app)
        assert first["next"] == (15 if columns == 80 else 14), first
        said = []
        for _ in range(60):
            said.append(next_cell(app, killed(app)))
            assert widths(app) == first
            clock.advance(1)
            await settle(pilot)
        assert all(re.fullmatch(wording + r"(\d+s|2m(\d+s)?)", s) for s in said), said
        assert {wording + t for t in ("2m30s", "2m", "119s", "99s")} <= set(said), said
