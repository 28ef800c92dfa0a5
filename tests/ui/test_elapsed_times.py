"""Time gone by rounds down in the panes, as AGE and NEXT do: a countdown's rounding up
put the Termination pane a second ahead of the header on the same screen."""

from __future__ import annotations

import re

import pytest

from podtui.lifecycle.nextstep import next_step
from podtui.ui.panes import termination
from podtui.ui.panes.base import PaneContext
from podtui.ui.panes.fmt import countdown, elapsed



@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.999])
def test_the_termination_pane_says_the_same_finalizer_hold_as_next(cluster, fraction):
    store, now = cluster
    record = store.pods["uid-legacy-report-1"]  # held by a finalizer since 09:56:10
    at = now + fraction
    header = next_step(record, at).text  # "waiting on finalizer for 3m50s"
    pane = termination.render(record, at, PaneContext(records=store.pods)).plain
    held = re.search(r"held (\S+) since", pane).group(1)
    # Before: "held 3m51s" a moment after 10:00:00, under "for 3m50s".
    assert header.endswith(f" for {held}") and held == "3m50s"


def test_elapsed_rounds_down_and_countdown_up():
    assert elapsed(88.9) == "88s" and countdown(88.1) == "89s"  # as the detail title says it
    assert elapsed(-3) == "0s"
