"""A retry's image pull under way, as NEXT and the Back-off pane word it (the model's
check: tests/lifecycle/test_next_pull_running.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from podtui.lifecycle.columns import pod_row
from podtui.lifecycle.nextstep import next_due
from podtui.ui.next_text import NARROW, compact, short_wording
from podtui.ui.panes.backoff import render
from podtui.ui.pod_index import PodIndex
from tests.lifecycle.test_next_pull_running import POD, T0, backoff, failed, pulling, record_of


@pytest.mark.parametrize("width, want", [(30, "pull retry running for 2s"), (20, "pulling for 2s"),
                                         (NARROW, "pull for 2s")])
def test_next_words_a_running_pull_to_fit_and_keeps_its_for(width, want):
    # An elapsed time keeps its "for": "pulling 2s" would read as a countdown.
    assert compact("pull retry running for 2s", width) == want
    assert short_wording("pull retry running for 4m59s", NARROW) == "pull for 4m59s"


def test_the_backoff_pane_says_the_pull_runs_not_that_it_is_due():
    record = SimpleNamespace(obj=POD, events=[failed(-12), backoff(-11), pulling(-2)], ladders={}, uid="u1")
    text = render(record, T0).plain
    assert "when        pull retry running for 2s  since 09:59:58 (Event Pulling); the status says " \
           "ImagePullBackOff until it fails" in text, text
    assert "due now" not in text


def test_the_backoff_pane_colours_a_running_pull_as_next_does():
    record = SimpleNamespace(obj=POD, events=[failed(-12), backoff(-11), pulling(-2)], ladders={}, uid="u1")
    pane = render(record, T0)
    at = pane.plain.index("pull retry running")
    assert [span.style for span in pane.spans if span.start <= at < span.end] == ["bold $next-error"]


def test_a_pod_sorted_by_next_keeps_its_place_through_a_pull():
    # Sorted by NEXT an ImagePullBackOff pod went to the bottom (never due) for each retry's pull.
    plain = {**POD, "metadata": {"name": "a-web", "namespace": "demo", "uid": "u0"},
             "status": {"phase": "Running", "containerStatuses": [
                 {"name": "api", "ready": True, "restartCount": 0, "state": {"running": {}}}]}}
    web = SimpleNamespace(**{**vars(record_of([])), "obj": plain, "row": pod_row(plain), "uid": "u0",
                             "name": "a-web"})
    index = PodIndex(sort="next", descending=False, next_due=lambda record: next_due(record, T0))
    for events in ([failed(-12), backoff(-11)], [failed(-12), backoff(-11), pulling(-1)]):
        index.rebuild({"u0": web, "u1": record_of(events)})
        assert index.uids(0, 2) == ["u1", "u0"], events
