"""Restarts before podtui first saw a pod: its status keeps only the last instance, so
the ones before it are told as "came before podtui first saw the pod", even one alone.

A pod met waiting in CrashLoopBackOff (a pod recreated under the same name, a relist
after the API server restarted) holds in lastState the instance that leads to the
*next* restart: restart #restartCount itself was caused by an instance nobody saw."""

from __future__ import annotations

import json

from podtui.lifecycle.changes import Change
from podtui.lifecycle.explain import KIND_MISSED, KIND_RESTART, restart_explanations
from podtui.sources.recording import read_recording, write_recording

from explain_helpers import DEFAULT, EPOCH, fold, pod


def _crashloop_from(tmp_path, first_seen: float):
    """DEFAULT with crashloop's versions before `first_seen` (seconds after EPOCH) dropped."""
    rec = read_recording(DEFAULT)
    path = tmp_path / f"late{first_seen}.jsonl"
    write_recording(path, rec.header, [i for i in rec.items if not (
        isinstance(i, Change) and i.observed < EPOCH + first_seen and "crashloop" in json.dumps(i.obj))])
    store, now = fold(path)
    rec = pod(store, "crashloop")
    return [e for e in restart_explanations(rec, now, rec.events) if e.container == "app"]


def _restart_numbers(app) -> list[int]:
    return [e.number for e in app if e.kind == KIND_RESTART]


def test_a_single_restart_before_first_sight_is_told(tmp_path):
    # First seen 10:00:10.5: waiting "back-off 10s", restartCount 1, lastState the
    # instance that finished 10:00:09 (restart #2 at 10:00:19). Restart #1, when the
    # first instance (10:00:03-10:00:06) ended, was in no list.
    app = _crashloop_from(tmp_path, 10.0)
    assert _restart_numbers(app)[0] == 2
    missed = [e for e in app if e.kind == KIND_MISSED]
    assert [(e.number, e.summary) for e in missed] == [
        (1, "restart #1 came before podtui first saw the pod (its status keeps only the last one)")]
    assert missed[0].evidence == ["restartCount 1 when podtui first saw the pod"]


def test_the_restart_the_count_names_is_among_those_before_first_sight(tmp_path):
    # First seen 10:00:23.5 waiting, restartCount 2, lastState finished 10:00:22 (it led
    # to restart #3): #1 and #2 came before, where "restart #1" alone was said.
    app = _crashloop_from(tmp_path, 23.0)
    assert _restart_numbers(app)[0] == 3
    assert [e.summary for e in app if e.kind == KIND_MISSED] == [
        "restarts #1–#2 came before podtui first saw the pod (its status keeps only the last one)"]
    # Met as the second instance ended, its lastState (the first) explains #1: nothing missed.
    seen = _crashloop_from(tmp_path, 7.0)
    assert _restart_numbers(seen)[0] == 1 and not [e for e in seen if e.kind == KIND_MISSED]
