"""A NEXT sort keys each pod by the model's due time through the app (PodtuiApp.next_due),
which must not let a model bug take the UI down: that pod sorts as never due."""

from __future__ import annotations

import podtui.ui.app as app_module
from podtui.clock import ManualClock
from podtui.lifecycle.changes import Change
from tests.ui.harness import make_app, settle
from tests.ui.test_repaint import T0, pod


async def test_a_model_bug_in_next_due_sorts_that_pod_as_never_due(monkeypatch):
    model_next_due = app_module.model_next_due

    def buggy(record, now):
        if record.uid == "uid-1":
            raise RuntimeError("model bug")
        return model_next_due(record, now)

    monkeypatch.setattr(app_module, "model_next_due", buggy)
    app = make_app([Change("pods", "ADDED", pod(i), T0) for i in range(3)], ManualClock(T0))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        await pilot.press("X")
        await settle(pilot)
        assert app.table.index.sort_column == "next"
        assert sorted(app.table.index.uids(0, 3)) == ["uid-0", "uid-1", "uid-2"]
        assert app.next_due(app.table.records["uid-1"], T0) is None
