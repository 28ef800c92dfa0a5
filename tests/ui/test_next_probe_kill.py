"""NEXT counts down to the kill a liveness or startup streak leads to, as the Probes
pane estimates it, in its 15-cell form at 80 columns ("liveness ~5s": which probe, and
when) without cutting the countdown; an unready container's failing readiness says what
makes it ready."""

from __future__ import annotations

import re

import pytest

from podtui.lifecycle import probes
from podtui.ui.next_text import compact, planned_width
from podtui.ui.pod_table import keep_count
from podtui.ui.table_layout import layout_columns
from tests.ui.harness import fixture_app, settle

KILLS = ["liveness 2/3, kill in ~5s", "liveness ~2/3, kill in ~4m59s", "startup 29/30, kill in ~4m59s",
         "startup ~10/30, kill in ~3m19s", "liveness 3/3, kill due", "liveness ~3/3, kill due"]


def _next_width_at_80() -> int:
    demo = {"namespace": 5, "name": 26, "ready": 3, "status": 26, "restarts": 11, "restarts:compact": 7, "age": 3,
            "next": 25}
    return dict((c.key, w) for c, _, w in layout_columns(79, demo, namespace=True, wide=None).columns)["next"]


@pytest.mark.parametrize("text", KILLS + ["ready when readiness passes", "ready after 3 readiness passes in a row"])
def test_the_short_forms_fit_the_15_cells_next_has_at_80_columns(text):
    width = _next_width_at_80()
    shown = compact(text, width)
    assert planned_width(shown) <= width and "…" not in keep_count(shown, width), shown


def test_the_short_forms_keep_the_estimate_mark_and_the_probe_while_they_fit():
    assert compact("liveness 2/3, kill in ~5s", 28) == "liveness 2/3, kill in ~5s"
    assert compact("liveness 2/3, kill in ~5s", 24) == "liveness 2/3 kill ~5s"
    # The streak goes before the probe's name: the Probes pane counts it.
    assert compact("liveness 2/3, kill in ~5s", 20) == "liveness kill ~5s"
    # At 80 columns: which probe, and when (was "kill ~3m19s": which probe?).
    assert compact("liveness 2/3, kill in ~5s", 15) == "liveness ~5s"
    assert compact("startup ~10/30, kill in ~3m19s", 15) == "startup ~3m19s"
    assert compact("liveness 3/3, kill due", 15) == "liveness kill"
    # Narrower still: the kill and its countdown.
    assert compact("liveness ~2/3, kill in ~3m19s", 14) == "kill ~3m19s"
    assert compact("liveness ~3/3, kill due", 12) == "kill due"
    assert compact("ready when readiness passes", 15) == "ready on pass"


@pytest.mark.parametrize("text", [t for t in KILLS if not t.endswith("due")])
@pytest.mark.parametrize("width", range(1, 17))
def test_next_never_cuts_the_kill_countdown(text, width):
    count = re.search(r"~\d\S*$", text).group(0)
    shown = keep_count(compact(text, width), width)
    assert len(shown) <= width
    assert shown == "…" or shown.endswith(count), shown


async def test_at_80_columns_the_row_and_the_detail_title_count_down_to_the_probes_panes_kill():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        record = app.store.by_name("shop", "api-6f7c9b-lp2m4")
        now = app.clock.time()
        [live] = [s for s in probes.probe_states(record, now) if s.settings.type == "liveness"]
        assert live.streak and live.acts_at is not None and live.acts_at > now
        left = app.table._next_step(record, now).text.rsplit("~", 1)[1]
        # Before: "liveness 2/3" and no time, while the Probes pane said when the kill comes.
        row = next(app.table.render_line(y).text for y in range(1, 24)
                   if "api-6f" in app.table.render_line(y).text)
        assert row.rstrip().endswith(f"liveness ~{left}"), row
        app.open_detail(record.uid)
        await pilot.pause()
        assert f"next: liveness {probes.streak_fraction(live)}, kill in ~{left}" in str(app.screen._title.render())
