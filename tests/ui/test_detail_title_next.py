"""An open pod's title keeps its next step readable or leaves it out: at 80 columns a
pod with stale data ended in a bare `next:`, the step itself cut off by the edge."""

from __future__ import annotations

import pytest

from podtui.ui.detail_screen import DetailScreen
from tests.ui.harness import fixture_app, settle


@pytest.mark.parametrize("width", [60, 72, 80, 90])
async def test_the_next_step_is_never_cut_to_its_label(width):
    app = fixture_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        now = app.clock.time()
        app.stale_since = app.stale_noticed = now - 754  # "data 12m old" in the title
        seen = 0
        for uid, record in list(app.store.pods.items()):
            step = app.next_step(record, now)
            if step is None or record.deleted_at is not None or not app.table.select_uid(uid):
                continue
            await pilot.press("enter")
            assert isinstance(app.screen, DetailScreen)
            await pilot.pause()
            title = app.screen._title_content.plain
            assert "data 12m old" in title, title
            if "next:" in title:
                assert len(title) <= width - 2, title  # the edge cuts no part of it
                shown = title.split("next:", 1)[1].split("  ")[0].strip()
                # Whole, or its first whole words and an ellipsis ("restart in 3m…" misreads).
                assert shown == step.text or (shown.endswith("…") and len(shown) > 4
                                              and step.text.startswith(shown[:-1])
                                              and step.text[len(shown) - 1] == " "), (title, step.text)
            seen += 1
            await pilot.press("escape")
            await pilot.pause()
        assert seen >= 5
