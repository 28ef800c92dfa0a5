"""A container's termination message in the explanation: its first line in the
one-liners, its end (a stack trace's last lines say what was thrown) in the evidence,
bounded as the kubelet bounds it."""

from __future__ import annotations

import json

from podtui.lifecycle.changes import Change
from podtui.lifecycle.explain import restart_explanations
from podtui.sources.recording import read_recording, write_recording

from explain_helpers import DEFAULT, fold, pod

# 57 lines, about 3 KB: longer than the first KB the history keeps of a message.
TRACE = "\n".join(["Traceback (most recent call last):"]
                  + [f'  File "/app/layer{i}.py", line {i}, in call\n    return next_layer(request, depth={i})'
                     for i in range(28)]
                  + ["KeyError: 'DB_URL'"]) + "\n"


def _last(path):
    """crashloop's last explanation (events passed: uncached, the uid is DEFAULT's)."""
    store, now = fold(path)
    rec = pod(store, "crashloop")
    return restart_explanations(rec, now, rec.events)[-1]


def _crashloop_saying(tmp_path, message: str):
    rec = read_recording(DEFAULT)
    items = []
    for item in rec.items:
        if isinstance(item, Change) and item.resource == "pods" and item.obj["metadata"]["name"] == "crashloop":
            obj = json.loads(json.dumps(item.obj))
            for cs in obj.get("status", {}).get("containerStatuses", []):
                for key in ("state", "lastState"):
                    if cs.get(key, {}).get("terminated"):
                        cs[key]["terminated"]["message"] = message
            item = Change(resource=item.resource, type=item.type, obj=obj, observed=item.observed)
        items.append(item)
    path = tmp_path / "trace.jsonl"
    write_recording(path, rec.header, items)
    return path


def test_the_evidence_ends_with_the_last_lines_of_a_stack_trace(tmp_path):
    last = _last(_crashloop_saying(tmp_path, TRACE))
    lines = TRACE.rstrip().splitlines()
    assert len(lines) == 58 and len(TRACE) > 2048
    # The one-liner says what was thrown: a traceback's first line says nothing.
    assert last.summary == "exit 1, reason Error: KeyError: 'DB_URL'"
    head, *shown = last.evidence[0].splitlines()
    assert head.endswith(", message, its last 20 of 58 lines:")
    # The history clipped the message to its first KB; the pod's own status has it whole.
    assert shown == lines[-20:] and shown[-1] == "KeyError: 'DB_URL'"


def test_a_single_line_message_stays_on_the_evidence_line(tmp_path):
    message = "panic: " + "x" * 300
    last = _last(_crashloop_saying(tmp_path, message + "\n"))
    # Cut at 200 characters before: the whole line is well inside the kubelet's cap.
    assert last.evidence[0].endswith(f", message: {message}")


def test_a_node_crash_is_told_by_its_error_line_not_its_source_location(tmp_path):
    node = ("/app/server.js:12\n    throw new Error('cannot reach db at 10.0.0.9:5432');\n    ^\n\n"
            "Error: cannot reach db at 10.0.0.9:5432\n    at Object.<anonymous> (/app/server.js:12:11)\n")
    last = _last(_crashloop_saying(tmp_path, node))
    assert last.summary == "exit 1, reason Error: Error: cannot reach db at 10.0.0.9:5432"


def test_other_multi_line_messages_are_told_by_their_first_line(tmp_path):
    go = "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n"
    last = _last(_crashloop_saying(tmp_path, go))
    assert last.summary == "exit 1, reason Error: panic: runtime error: index out of range [3] with length 3"
