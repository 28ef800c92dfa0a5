"""A crash back-off the pod did not outlive: deleted (or evicted) while the container
waited to run again, the explanation says what ended it, not that it ran again."""

from __future__ import annotations

import json

from podtui.lifecycle.changes import Change
from podtui.lifecycle.explain import KIND_TERMINATION, restart_explanations
from podtui.lifecycle.times import format_ts
from podtui.sources.recording import read_recording, write_recording

from explain_helpers import DEFAULT, EPOCH, fold, pod


def _deleted_in_back_off(tmp_path, last_seen: float, requested: float, grace: int = 30):
    """DEFAULT with crashloop cut after `last_seen` and a DELETE (grace `grace`)
    requested at `requested`, both seconds after EPOCH; the pod stays (finalizers)."""
    rec = read_recording(DEFAULT)
    items, last = [], None
    for item in rec.items:
        if isinstance(item, Change) and item.resource == "pods" and item.obj["metadata"]["name"] == "crashloop":
            if item.observed > EPOCH + last_seen:
                continue
            last = item
        items.append(item)
    obj = json.loads(json.dumps(last.obj))
    obj["metadata"]["deletionTimestamp"] = format_ts(EPOCH + requested + grace)
    obj["metadata"]["deletionGracePeriodSeconds"] = grace
    obj["metadata"]["finalizers"] = ["example.com/hold"]
    items.append(Change(resource="pods", type="MODIFIED", obj=obj, observed=EPOCH + requested + 0.5))
    path = tmp_path / "deleted.jsonl"
    write_recording(path, rec.header, items)
    return path


def test_a_deletion_in_the_back_off_ends_it_without_a_restart(tmp_path):
    # Crashed 10:02:51, "back-off 2m40s": due 10:05:31; DELETE asked for at 10:03:30.
    path = _deleted_in_back_off(tmp_path, 172.5, 210.0)
    store, now = fold(path)
    rec = pod(store, "crashloop")
    last = [e for e in restart_explanations(rec, now, rec.events) if e.container == "app"][-1]
    assert (last.kind, last.cause, last.backoff_after, last.restarted_at) == (KIND_TERMINATION, "exit", 160.0, None)
    assert (last.cut_short_by, last.cut_short_at) == ("the pod's deletion was requested", EPOCH + 210.0)
    assert last.evidence[-1] == ("the pod's deletion was requested at 2024-05-01T10:03:30Z, in the back-off before "
                                 "the restart due 2024-05-01T10:05:31Z: it never ran again")


def test_the_explain_view_does_not_call_it_the_back_off_before_a_restart(tmp_path):
    from podtui.ui.panes.containers import evidence_lines

    path = _deleted_in_back_off(tmp_path, 172.5, 210.0)
    store, now = fold(path)
    rec = pod(store, "crashloop")
    last = [e for e in restart_explanations(rec, now, rec.events) if e.container == "app"][-1]
    text = "\n".join(c.plain for c in evidence_lines(last, wrap=200))
    assert "back-off it was in: 2m40s (from the kubelet's message)" in text
    assert "before the restart: 2m40s" not in text


def _removed_in_back_off(tmp_path, synthetic: bool, last_read: float = 175.25):
    """DEFAULT with crashloop cut after 10:02:52.5 (crashed 10:02:51, "back-off 2m40s":
    due 10:05:31) and removed at 10:03:20.5: a DELETED the watch read, or one a relist
    made whose watch last read `last_read` seconds after EPOCH (10:02:55.25)."""
    from podtui.lifecycle.store import RELIST_NOTE

    rec = read_recording(DEFAULT)
    items, last = [], None
    for item in rec.items:
        if isinstance(item, Change) and item.resource == "pods" and item.obj["metadata"]["name"] == "crashloop":
            if item.observed > EPOCH + 172.5:
                continue
            last = item
        items.append(item)
    obj = json.loads(json.dumps(last.obj))
    if synthetic:
        obj["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(EPOCH + last_read)
    items.append(Change(resource="pods", type="DELETED", obj=obj, observed=EPOCH + 200.5, synthetic=synthetic))
    path = tmp_path / "removed.jsonl"
    write_recording(path, rec.header, items)
    store, now = fold(path)
    rec = pod(store, "crashloop")
    return [e for e in restart_explanations(rec, now, rec.events) if e.container == "app"][-1]


def test_the_removal_that_cut_a_back_off_short_is_dated_as_it_was_seen(tmp_path):
    # A DELETED read off the watch: when it went, as before.
    watched = _removed_in_back_off(tmp_path, False)
    assert (watched.cut_short_by, watched.cut_short_at, watched.cut_short_window) == (
        "the pod was removed", EPOCH + 200.5, None)
    assert watched.evidence[-1] == ("the pod was removed at 2024-05-01T10:03:20Z, in the back-off before the "
                                    "restart due 2024-05-01T10:05:31Z: it never ran again")
    # Found gone on relist: some time in between the watch's last read and the relist
    # (before: "at 10:03:20.500Z", the relist's time); still before the restart was due.
    relisted = _removed_in_back_off(tmp_path, True)
    assert (relisted.cut_short_at, relisted.cut_short_window, relisted.cut_short_first) == (
        EPOCH + 200.5, (EPOCH + 175.25, EPOCH + 200.5), True)
    assert relisted.evidence[-1] == (
        "the pod was removed between 2024-05-01T10:02:55Z and 2024-05-01T10:03:20Z (found on relist), "
        "in the back-off before the restart due 2024-05-01T10:05:31Z: it never ran again")


def test_a_relist_at_the_instant_of_the_watchs_last_read_still_says_found_on_relist(tmp_path):
    # The watch last read at 10:03:20.5, when the relist found the pod gone (before: "the
    # pod was removed at 10:03:20Z", as if the watch had read the DELETED).
    relisted = _removed_in_back_off(tmp_path, True, last_read=200.5)
    assert relisted.cut_short_window == (EPOCH + 200.5, EPOCH + 200.5)
    assert relisted.evidence[-1].startswith(
        "the pod was removed at 2024-05-01T10:03:20Z (found on relist), ")
