"""Live, the pump works out the visible rows' clocks as the second turns and the
once-a-second tick then asks again in the same second: each visible row's NEXT (the
model's next_step) was worked out twice a second. The tick now draws from what the pump
worked out for the pod's version in that second."""

from __future__ import annotations

from podtui.ui.pod_table import PodTable
from tests.ui.harness import fixture_app, settle


async def test_the_tick_after_the_pump_in_one_second_asks_no_row_again(monkeypatch):
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        asked: list[str] = []
        real = PodTable._dynamic_cells

        def counted(self, record, now):
            asked.append(record.uid)
            return real(self, record, now)

        monkeypatch.setattr(PodTable, "_dynamic_cells", counted)
        app.clock.advance(1.0)  # the second turns
        app.pump()  # ticks the visible rows as it sees the new second
        first = len(asked)
        assert first > 5
        app.tick()  # the interval's tick, in the same second
        assert len(asked) == first, f"{len(asked) - first} rows worked out again in the same second"
        app.clock.advance(1.0)
        app.tick()  # a new second: every visible row again
        assert len(asked) == 2 * first
