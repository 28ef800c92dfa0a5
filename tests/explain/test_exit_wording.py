"""A restart's summary says how the instance ended in the history's words (exit_text,
", reason X"): the Timeline showed "exit 1, reason Error" right above "exited with code 1 (Error)"."""

from __future__ import annotations

import json

import pytest

from podtui.lifecycle.changes import Change
from podtui.lifecycle.explain import restart_explanations
from podtui.sources.recording import read_recording, write_recording

from explain_helpers import DEFAULT, fold, pod


def _crashloop_ending(tmp_path, **terminated):
    """crashloop's recording with every terminated instance ended so."""
    rec = read_recording(DEFAULT)
    items = []
    for item in rec.items:
        if isinstance(item, Change) and item.resource == "pods" and item.obj["metadata"]["name"] == "crashloop":
            obj = json.loads(json.dumps(item.obj))
            for cs in obj.get("status", {}).get("containerStatuses", []):
                for key in ("state", "lastState"):
                    if cs.get(key, {}).get("terminated"):
                        cs[key]["terminated"].update(terminated)
            item = Change(resource=item.resource, type=item.type, obj=obj, observed=item.observed)
        items.append(item)
    path = tmp_path / "ended.jsonl"
    write_recording(path, rec.header, items)
    store, now = fold(path)
    rec = pod(store, "crashloop")
    return restart_explanations(rec, now, rec.events)[-1]


@pytest.mark.parametrize("terminated, start", [
    ({}, "exit 1, reason Error"),
    ({"exitCode": 3, "reason": "Completed"}, "exit 3, reason Completed"),
    ({"exitCode": 2, "reason": ""}, "exit 2"),
    ({"signal": -1}, "exit 1, reason Error"),  # no signal is 0 or below
    # A signal without a name here is called by its number, not "killed by None".
    ({"exitCode": 157}, "cause unknown (killed by signal 29;"),
    ({"exitCode": 1, "signal": 40}, "cause unknown (killed by signal 40;"),
    ({"exitCode": 138}, "cause unknown (killed by SIGUSR1;"),
])
def test_a_restart_summary_says_how_it_ended_in_the_history_s_words(tmp_path, terminated, start):
    last = _crashloop_ending(tmp_path, **terminated)
    assert last.summary.startswith(start), last.summary
    if "cause unknown" in start:
        assert f", exit {terminated['exitCode']}" in last.summary
    else:
        assert last.summary == start
