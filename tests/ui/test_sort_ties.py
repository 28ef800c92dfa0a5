"""Ties in any sort read in name order A→Z, whichever way the sort key goes (as k9s), and
a live pod sorts before the deleted pod of the same name it replaced, every time."""

from __future__ import annotations

from podtui.ui.pod_index import SORT_COLUMNS, PodIndex
from tests.ui.test_pod_index import order, rec


def tomb(uid, name, **kw):
    r = rec(uid, name=name, **kw)
    r.deleted_at = 50.0
    return r


def test_a_live_pod_sorts_before_its_deleted_predecessor_whatever_the_uids():
    # Before: the uid decided ("bad-image Deleted" above, "crashloop Deleted" below).
    records = {r.uid: r for r in [
        tomb("u1", "bad-image"), rec("u9", name="bad-image", status="ImagePullBackOff"),
        rec("u2", name="crashloop", status="CrashLoopBackOff"), tomb("u8", "crashloop"),
    ]}
    for column in ("name", "namespace", "restarts", "ready", "ip", "node"):
        index = PodIndex(sort=column)
        index.rebuild(records)
        assert order(index) == ["u9", "u1", "u2", "u8"], column


def test_reversing_a_sort_keeps_ties_in_name_order():
    records = {r.uid: r for r in [
        rec("a", name="alpha", restarts=1), rec("b", name="bravo", restarts=1),
        rec("c", name="charlie", restarts=5), tomb("d", "alpha", restarts=1),
    ]}
    index = PodIndex(sort="restarts")  # largest first by default
    index.rebuild(records)
    assert order(index) == ["c", "a", "d", "b"]
    assert not index.set_sort("restarts", not SORT_COLUMNS["restarts"])  # `T` again: no model calls
    assert order(index) == ["a", "d", "b", "c"]  # ties still alpha, bravo; the live alpha first
    index.update(records, ["b"])
    assert order(index) == ["a", "d", "b", "c"]
    assert index.position("d") == 1
    index.set_sort("restarts", True)
    assert order(index) == ["c", "a", "d", "b"]
    index.set_sort("name", True)
    index.rebuild(records)
    assert order(index) == ["c", "b", "a", "d"]  # names Z→A, the live alpha still first
