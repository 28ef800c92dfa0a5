"""A pod found missing from a relist whose watch last read at the relist's own instant
(a manual clock, a replay, or a last read in the same tick): its REMOVED entry's
`relist` flag says how podtui learnt of it, not whether the window has any width."""

from __future__ import annotations

from podtui.lifecycle.changes import ADDED, DELETED, MODIFIED, PODS, Change
from podtui.lifecycle.report import pod_report, render_markdown, report
from podtui.lifecycle.termination import gone_after, removal, removal_words, removed_on_relist
from podtui.lifecycle.times import clock_time

from tests.lifecycle.test_store import T0, make_pod, new_store, relist_gone


def _deleting(rv: str) -> dict:
    """make_pod with a DELETE asked for at T0+60 (grace 30): the report then has a termination section."""
    pod = make_pod(rv=rv)
    pod["metadata"].update(deletionTimestamp="2024-05-01T10:01:30Z", deletionGracePeriodSeconds=30)
    return pod


def _store(last_read: float):
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(PODS, MODIFIED, _deleting("2"), T0 + 60))
    store.apply(Change(PODS, DELETED, relist_gone(current_as_of=last_read), T0 + 82, synthetic=True))
    return store, store.pods["u1"]


def test_a_relist_at_the_instant_of_the_watchs_last_read_is_still_found_on_relist():
    _, rec = _store(T0 + 82)
    # Before: (after == at) read as a DELETED the watch saw, exact.
    assert removed_on_relist(rec) and gone_after(rec) == T0 + 82
    gone = removal(rec)
    assert (gone.at, gone.after, gone.on_relist) == (T0 + 82, T0 + 82, True)


def test_a_deleted_the_watch_read_is_not_found_on_relist():
    store = new_store()
    store.apply(Change(PODS, ADDED, make_pod(), T0))
    store.apply(Change(PODS, DELETED, make_pod(rv="2"), T0 + 82))
    rec = store.pods["u1"]
    assert not removed_on_relist(rec) and gone_after(rec) is None
    gone = removal(rec)
    assert (gone.at, gone.after, gone.on_relist) == (T0 + 82, None, False)
    store.apply(Change(PODS, ADDED, make_pod("u2", "web-1"), T0))
    assert removal(store.pods["u2"]) is None  # still there


def test_the_report_of_a_same_instant_relist_says_found_on_relist():
    _, rec = _store(T0 + 82)
    pod = pod_report(rec, T0 + 90)
    assert (pod["deleted_after"], pod["deleted_on_relist"]) == ("2024-05-01T10:01:22Z", True)
    term = pod["termination"]
    assert (term["removed_after"], term["removed_on_relist"]) == ("2024-05-01T10:01:22Z", True)
    text = render_markdown(report([pod], source="test"))
    # Was "between 2024-05-01T10:01:22Z and 2024-05-01T10:01:22Z (found on relist)".
    at = "at 2024-05-01T10:01:22Z (found on relist)"
    assert f"removed {at}." in text and f"- removed {at}" in text
    assert "between" not in text


def test_the_history_entry_of_a_same_instant_relist_says_at_not_between():
    _, rec = _store(T0 + 82)
    removed = list(rec.history)[-1]
    assert removed.kind == "removed" and removed.detail == "at 10:01:22 (found on relist)"


def test_removal_words_say_at_when_both_ends_read_the_same():
    at = T0 + 82.7
    for after in (at, T0 + 82.2):  # the same instant, and the same second as shown
        window = (after, at)
        assert removal_words(window, clock_time) == "at 10:01:22 (found on relist)"
        assert removal_words(window, clock_time, alone=True) == "at 10:01:22 (found on relist)"
        assert removal_words(window, clock_time, "8s") == "at 10:01:22 (found on relist 8s ago)"
        assert removal_words(window, clock_time, offset="+1m22s") == "at 10:01:22 (+1m22s, found on relist)"
    # A window that shows its width keeps it; an unknown start is still "by".
    assert removal_words((T0 + 81.9, at), clock_time) == "between 10:01:21 and 10:01:22 (found on relist)"
    assert removal_words((None, at), clock_time) == "by 10:01:22 (found on relist)"
    assert removal_words((None, at), clock_time, alone=True) == "found gone on relist at 10:01:22"
