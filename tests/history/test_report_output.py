"""`podtui history` read as an incident report: the whole-recording summary, Markdown
that renders as written (messages from the cluster can't break a table or vanish as
HTML), YAML whose keys keep one type, the finalizer hold, pods that had the same name
in turn, and a prefix naming a ReplicaSet's pods."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from podtui.lifecycle.changes import Change
from podtui.sources.history_command import history_text
from podtui.sources.recording import read_recording, write_recording

DEFAULT = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"
DEFAULT_START = 1714557600.0  # 2024-05-01T10:00:00Z


def _rewritten(path: Path, name: str, edit) -> Path:
    """DEFAULT with every pod version of `name` passed through edit(obj) -> obj."""
    rec = read_recording(DEFAULT)
    items = []
    for item in rec.items:
        if isinstance(item, Change) and item.resource == "pods" and item.obj["metadata"]["name"] == name:
            item = Change(resource=item.resource, type=item.type, obj=edit(json.loads(json.dumps(item.obj))),
                          observed=item.observed)
        items.append(item)
    write_recording(path, rec.header, items)
    return path


def _crashloop_saying(path: Path, message: str) -> Path:
    """DEFAULT with every crashloop termination carrying `message`."""
    def edit(obj):
        for cs in obj.get("status", {}).get("containerStatuses", []):
            for key in ("state", "lastState"):
                if cs.get(key, {}).get("terminated"):
                    cs[key]["terminated"]["message"] = message
        return obj

    return _rewritten(path, "crashloop", edit)


def _tables(markdown: str) -> list[list[list[str]]]:
    """Each rendered table as rows of cell texts (header row first)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables, row = [], None
    for tok in tokens:
        if tok.type == "table_open":
            tables.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            tables[-1].append(row)
            row = None
        elif tok.type == "inline" and row is not None:
            row.append(tok.content)
    return tables


def test_the_whole_recording_opens_with_a_summary_of_every_pod():
    text = history_text(DEFAULT)
    summary = text.split("\n## Summary\n", 1)[1].split("\n## ", 1)[0]
    [table] = _tables(summary)
    header, *rows = table
    assert header == ["pod", "status", "restarts", "created", "removed", "what happened"]
    assert len(rows) == 24 and len({r[0] for r in rows}) == 24
    said = {r[0]: r for r in rows}
    assert said["demo/liveness-fail"][5] == "liveness ×7"
    assert said["demo/crashloop"][1:3] == ["CrashLoopBackOff", "7"]
    assert said["demo/crashloop"][5] == "exit ×7, in back-off at the end"
    assert said["demo/too-big"][5] == "unschedulable since +0s"
    assert said["demo/readiness-flap"][5].startswith("readiness flapped ×")
    assert said["demo/stuck-finalizer"][4:] == ["2024-05-01T10:10:00Z", "deleted, held by finalizers 9m27s"]
    # Each pod's own section still follows.
    assert text.index("## Summary") < text.index("\n## demo/crashloop\n")


def test_messages_from_the_cluster_render_as_written(tmp_path):
    message = "panic: bad | worse at <main> `x` *y*\n\tat <main>\n`x` *y*\n"

    text = history_text(_crashloop_saying(tmp_path / "msg.jsonl", message), ["demo/crashloop"])
    html = MarkdownIt("commonmark").enable("table").render(text)
    # `<main>` was passed through as an HTML tag (and dropped by any sanitizer), the
    # backticks made a code span and the stars emphasis.
    assert "&lt;main&gt;" in html and "<main>" not in html
    assert "<code>x</code>" not in html and "<em>y</em>" not in html
    for table in _tables(text):
        assert len({len(row) for row in table}) == 1  # `|` and newlines broke no row
    [row] = [r for r in _tables(text)[-1] if r[2] == "container-state app: running -> terminated:Error ~"]
    # The history entry keeps the message's first line; the rest is in the evidence.
    assert row[3] == "exit 1, reason Error: panic: bad | worse at \\<main> \\`x\\` \\*y\\*"


def test_a_long_message_is_cut_in_a_table_and_whole_in_yaml(tmp_path):
    message = "x" * 500

    path = _crashloop_saying(tmp_path / "long.jsonl", message)
    cells = [c for table in _tables(history_text(path, ["demo/crashloop"])) for row in table for c in row]
    assert max(len(c) for c in cells) == 200 and any(c.endswith("x…") for c in cells)
    pod = yaml.safe_load(history_text(path, ["demo/crashloop"], fmt="yaml"))["pods"][0]
    assert any(r.get("message") == message for r in pod["restarts_and_failures"])


def test_termination_keys_keep_one_type_and_say_how_long_finalizers_held():
    pod = yaml.safe_load(history_text(DEFAULT, ["demo/stuck-finalizer"], fmt="yaml"))["pods"][0]
    term = pod["termination"]
    # confirmed_by_kubelet was a time here and `true` where the time was unknown.
    assert term["confirmed_by_kubelet"] is True and term["confirmed_at"] == "2024-05-01T10:00:33Z"
    assert term["grace"] == "10s" and term["grace_seconds"] == 10
    assert (term["held_by_finalizers_from"], term["held_by_finalizers"], term["held_by_finalizers_seconds"]) == \
        ("2024-05-01T10:00:33Z", "9m27s", 567.0)
    text = history_text(DEFAULT, ["demo/stuck-finalizer"])
    section = text.split("### Termination\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "- deletion requested 2024-05-01T10:00:30Z, grace 10s: SIGKILL deadline 2024-05-01T10:00:40Z",
        "- containers stopped 2024-05-01T10:00:33Z, 7s before the SIGKILL deadline",
        "- the kubelet confirmed the deletion (grace 0s) 2024-05-01T10:00:33Z",
        "- finalizers: `example.com/backup-protection`; they alone held the pod 9m27s from 2024-05-01T10:00:33Z",
        "- removed 2024-05-01T10:10:00Z",
    ]


def _replaced(path: Path) -> Path:
    """graceful-stop, then a second pod by the same name ten minutes later."""
    rec = read_recording(DEFAULT)
    uid = "0cb1e29c-658c-4a14-95e6-0af593bd04cf"
    first = [i for i in rec.items if isinstance(i, Change) and "graceful-stop" in json.dumps(i.obj)]
    second = []
    for item in first:
        text = json.dumps(item.obj).replace(uid, "11111111-2222-3333-4444-555555555555")
        text = text.replace("2024-05-01T10:0", "2024-05-01T10:1").replace("graceful-stop.", "graceful-stop-2.")
        second.append(Change(resource=item.resource, type=item.type, obj=json.loads(text),
                             observed=item.observed + 600))
    write_recording(path, rec.header, first + second)
    return path


def test_pods_that_had_the_same_name_in_turn_are_told_apart(tmp_path):
    path = _replaced(tmp_path / "replaced.jsonl")
    text = history_text(path, ["graceful-stop"])
    headings = [line for line in text.splitlines() if line.startswith("## demo/")]
    assert headings == ["## demo/graceful-stop (1 of 2 pods by this name)",
                        "## demo/graceful-stop (2 of 2 pods by this name)"]
    assert ("created 2024-05-01T10:00:00Z, removed 2024-05-01T10:01:10Z, replaced by pod 2 of 2 "
            "(uid `11111111-2222-3333-4444-555555555555`, created 2024-05-01T10:10:00Z).") in text
    assert ("created 2024-05-01T10:10:00Z, removed 2024-05-01T10:11:10Z, replaces pod 1 of 2 "
            "(uid `0cb1e29c-658c-4a14-95e6-0af593bd04cf`, removed 2024-05-01T10:01:10Z).") in text
    pods = yaml.safe_load(history_text(path, ["demo/graceful-stop"], fmt="yaml"))["pods"]
    assert [(p["incarnation"], p["incarnations"]) for p in pods] == [(1, 2), (2, 2)]
    assert pods[0]["replaced_by"] == pods[1]["uid"] and pods[1]["replaces"] == pods[0]["uid"]


def test_a_prefix_names_a_replicasets_pods():
    # A rollout's pods are named after their ReplicaSet: `shop/web-2ldzzb8gt8` was
    # "no pod" with all three pods in the hint.
    pods = yaml.safe_load(history_text(DEFAULT, ["shop/web-2ldzzb8gt8"], fmt="yaml"))["pods"]
    assert [p["pod"] for p in pods] == ["shop/web-2ldzzb8gt8-8h57k", "shop/web-2ldzzb8gt8-rc4d7",
                                        "shop/web-2ldzzb8gt8-smzdf"]
    assert [p["pod"] for p in yaml.safe_load(history_text(DEFAULT, ["init-"], fmt="yaml"))["pods"]] == \
        ["demo/init-fail", "demo/init-slow"]


def test_warning_events_are_listed_once_each_with_count_and_span():
    # demo/too-big said only "Pending": its 11 FailedScheduling Events were nowhere.
    pods = {p["pod"]: p for p in yaml.safe_load(
        history_text(DEFAULT, ["demo/too-big", "demo/liveness-fail"], fmt="yaml"))["pods"]}
    assert pods["demo/too-big"]["warning_events"] == [{
        "reason": "FailedScheduling", "count": 11, "first": "2024-05-01T10:00:00.125Z",
        "last": "2024-05-01T10:11:41Z",
        "message": "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory. preemption: 0/3 nodes "
                   "are available: 3 No preemption victims found for incoming pod."}]
    assert [(w["reason"], w["container"], w["count"]) for w in pods["demo/liveness-fail"]["warning_events"]] == \
        [("Unhealthy", "web", 21), ("BackOff", "web", 41)]
    text = history_text(DEFAULT, ["demo/too-big"])
    [table] = _tables(text.split("### Warning events\n", 1)[1].split("###", 1)[0])
    assert table[1][:5] == ["FailedScheduling", "", "11", "2024-05-01T10:00:00.125Z", "2024-05-01T10:11:41Z"]


def test_the_termination_says_whether_the_containers_beat_the_sigkill_deadline():
    pods = {p["pod"]: p for p in yaml.safe_load(
        history_text(DEFAULT, ["demo/graceful-stop", "demo/stuck-finalizer"], fmt="yaml"))["pods"]}
    killed, clean = pods["demo/graceful-stop"]["termination"], pods["demo/stuck-finalizer"]["termination"]
    assert killed["sigkilled"] is True and "stopped_before_deadline" not in killed
    assert (clean["stopped_before_deadline"], clean["stopped_before_deadline_seconds"]) == ("7s", 7.0)
    assert "sigkilled" not in clean
    text = history_text(DEFAULT, ["demo/graceful-stop"])
    assert "- containers stopped 2024-05-01T10:01:10Z, at the SIGKILL deadline: SIGKILLed\n" in text


def _walk(node, key=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)
    else:
        yield key, node


def test_every_duration_has_a_number_of_seconds_beside_it():
    data = yaml.safe_load(history_text(DEFAULT, fmt="yaml"))
    # "5m0s" is for people; a machine wanted the delay, the back-off, the unready
    # time and the span as numbers.
    named = {}
    for key, value in _walk(data):
        named.setdefault(key, []).append(value)
    for key in ("span", "duration", "backoff_after", "delay", "grace", "held_by_finalizers"):
        assert len(named[key]) == len(named[key + "_seconds"]), key
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in named[key + "_seconds"]), key
    assert data["span_seconds"] == 891.5


def test_a_pending_restart_says_it_has_not_run_again_yet():
    text = history_text(DEFAULT, ["demo/crashloop"])
    assert ("- **app** restart #8 (pending), stopped 2024-05-01T10:10:37Z (+10m37s): `exit`: exit 1, reason Error; "
            "to run again after a 5m0s back-off (kubelet message)\n") in text


def test_control_characters_do_not_reach_the_terminal(tmp_path):
    message = "\x1b]0;owned\x07\x1b[31mred\x00\tend\u2028next"

    path = _crashloop_saying(tmp_path / "ctrl.jsonl", message)
    text = history_text(path, ["demo/crashloop"])
    # The ESC sequences retitled and recoloured the terminal that printed the report.
    assert not any(ch in text for ch in "\x1b\x07\x00")
    # U+2028 ends a line as \n does: the history entry keeps the first.
    assert "reason Error: \\x1b]0;owned\\x07\\x1b[31mred\\x00 end |" in text
    # The YAML keeps the message exactly, escaped by the emitter.
    pod = yaml.safe_load(history_text(path, ["demo/crashloop"], fmt="yaml"))["pods"][0]
    assert {r.get("message") for r in pod["restarts_and_failures"]} == {message}


def test_what_happened_before_podtui_first_saw_the_pod_is_marked(tmp_path):
    # The recorder met crashloop at 10:00:42.5, already on restart 3: that restart is
    # known only from lastState, and read the same as the ones podtui saw.
    rec = read_recording(DEFAULT)
    late = tmp_path / "late.jsonl"
    write_recording(late, rec.header, [i for i in rec.items if not (
        isinstance(i, Change) and i.observed < DEFAULT_START + 30 and "crashloop" in json.dumps(i.obj))])
    pod = yaml.safe_load(history_text(late, ["demo/crashloop"], fmt="yaml"))["pods"][0]
    missed, first, second = pod["restarts_and_failures"][:3]
    # Restarts #1-#2 were not listed at all: restartCount said 7, the list had 6.
    assert (missed["kind"], missed["summary"]) == (
        "missed", "restarts #1–#2 came before podtui first saw the pod (its status keeps only the last one)")
    assert (first["restart"], first.get("reconstructed"), second.get("reconstructed")) == (3, True, None)
    text = history_text(late, ["demo/crashloop"])
    assert ("created 2024-05-01T10:00:00Z, first seen by podtui 2024-05-01T10:00:42.500Z "
            "(earlier entries are reconstructed).") in text
    assert "- **app** restart #3, stopped 2024-05-01T10:00:22Z ~ (+22s): `exit`" in text
    assert "\n\n`~` reconstructed from the object's timestamps" in text.split("### Unready periods")[0]


def test_a_key_means_one_thing_throughout_the_yaml():
    # back_off_now's "from" was "kubelet message" where every other "from" is a time.
    data = yaml.safe_load(history_text(DEFAULT, fmt="yaml"))
    times = [v for k, v in _walk(data) if k in ("from", "to", "at", "first", "last")]
    assert len(times) > 100
    assert all(isinstance(v, str) and re.fullmatch(r"2024-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", v) for v in times)


def test_every_restart_keeps_its_evidence_under_it():
    # df72bd5 moved the evidence under "if any entry is marked": with no mark no
    # restart had evidence, with one only the last entry's, below the legend.
    text = history_text(DEFAULT, ["demo/crashloop"])
    for n in (1, 2, 3):
        at = text.index(f"- **app** restart #{n},")
        assert text[at:].split("\n")[1].startswith("  - container app terminated: exit 1"), n


def test_the_summary_counts_restarts_of_a_cause_its_final_ending_shares():
    from podtui.lifecycle.report import _what_happened

    # Three OOMKilled restarts and then the final one: it read "oom", the count lost.
    ended = [{"kind": "restart", "cause": "oom"}] * 3 + [{"kind": "termination", "cause": "oom"}]
    assert _what_happened({"restarts_and_failures": ended}) == "oom ×3"


def test_unschedulable_is_read_from_the_pod_not_from_the_transition_text():
    from podtui.clock import ManualClock
    from podtui.lifecycle.report import _what_happened, pod_report
    from podtui.lifecycle.store import Store

    yaml_pod = yaml.safe_load(history_text(DEFAULT, ["demo/too-big"], fmt="yaml"))["pods"][0]
    assert yaml_pod["unschedulable"] == {"from": "2024-05-01T10:00:00Z", "offset": "+0s", "reason": "Unschedulable"}
    # A history cut to its last entry no longer holds the PodScheduled transition the
    # summary was matched from: the condition still says so.
    changes = [i for i in read_recording(DEFAULT).items
               if isinstance(i, Change) and i.resource == "pods" and i.obj["metadata"]["name"] == "too-big"]
    now = changes[-1].observed
    store = Store(ManualClock(now), history_limit=1)
    store.apply_batch(changes)
    rec = store.by_name("demo", "too-big")
    assert [t.kind for t in rec.history.entries] == ["phase"]
    pod = pod_report(rec, now)
    assert pod["unschedulable"] == yaml_pod["unschedulable"]
    assert _what_happened(pod) == "unschedulable since +0s"


def test_a_pod_held_by_scheduling_gates_is_not_called_unschedulable(tmp_path):
    def gated(obj):
        obj["spec"]["schedulingGates"] = [{"name": "example.com/quota"}]
        for c in obj.get("status", {}).get("conditions", []):
            if c["type"] == "PodScheduled":
                c.update(reason="SchedulingGated", message="Scheduling is blocked due to non-empty scheduling gates")
        return obj

    path = _rewritten(tmp_path / "gated.jsonl", "too-big", gated)
    text = history_text(path, ["demo/too-big", "demo/crashloop"])
    [table] = _tables(text.split("\n## Summary\n", 1)[1].split("\n## ", 1)[0])
    assert {row[0]: row[5] for row in table[1:]}["demo/too-big"] == "scheduling gated since +0s"


def _pairs(node):
    """(key, Go text, *_seconds) for every duration in the YAML."""
    if isinstance(node, dict):
        for key, value in node.items():
            if f"{key}_seconds" in node:
                yield key, value, node[f"{key}_seconds"]
            yield from _pairs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _pairs(value)


def test_a_duration_and_its_seconds_say_the_same_in_the_same_types():
    from podtui.lifecycle.times import go_duration

    data = yaml.safe_load(history_text(DEFAULT, fmt="yaml"))
    pairs = list(_pairs(data))
    assert {key for key, _, _ in pairs} == {"span", "duration", "backoff_after", "delay", "grace",
                                            "stopped_before_deadline", "held_by_finalizers"}
    # grace_seconds was an int where every other *_seconds is a float, and grace's text
    # was "<n>s" where every other duration is Go's ("1m30s").
    assert {type(number) for _, _, number in pairs} == {float}
    assert [(key, text) for key, text, number in pairs if text != go_duration(number)] == []


def test_a_multi_line_termination_message_reads_as_written_under_its_restart(tmp_path):
    message = "Traceback (most recent call last):\n  File \"main.py\", line 3, in <main>\n\traise Boom(\"```\")\n" \
              "Boom: \x1b[31m*red*\n"
    text = history_text(_crashloop_saying(tmp_path / "trace.jsonl", message), ["demo/crashloop"])
    assert "\x1b" not in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks = [tok.content for tok in tokens if tok.type == "fence"]
    # One per ended instance, each the message line by line (the tab as spaces, the ESC
    # escaped), inside its restart's evidence: the ``` in it did not close the block.
    assert len(blocks) == 8 and set(blocks) == {
        "Traceback (most recent call last):\n  File \"main.py\", line 3, in <main>\n    raise Boom(\"```\")\n"
        "Boom: \\x1b[31m*red*\n"}
    restart = text.split("- **app** restart #1,", 1)[1].split("\n- ", 1)[0]
    assert restart.splitlines()[1:4] == [
        "  - container app terminated: exit 1, reason Error, started 2024-05-01T10:00:03Z, "
        "finished 2024-05-01T10:00:06Z, message:", "    ````", "    Traceback (most recent call last):"]
    # The restart's line itself keeps to one line: a traceback's last, which says what was thrown.
    assert restart.splitlines()[0].endswith("exit 1, reason Error: Boom: \\x1b[31m\\*red\\*; "
                                            "ran again at once 2024-05-01T10:00:06Z")


def test_a_finalizer_hold_up_to_a_relists_removal_is_told_as_at_most(tmp_path):
    from podtui.lifecycle.store import RELIST_NOTE

    # stuck-finalizer's DELETED at 10:10:00 made a relist's: the watch last read at 10:05:00.
    rec = read_recording(DEFAULT)
    items = []
    for item in rec.items:
        if isinstance(item, Change) and item.type == "DELETED" and "stuck-finalizer" in json.dumps(item.obj):
            obj = json.loads(json.dumps(item.obj))
            obj["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(1714557600.0 + 300)
            item = Change(resource="pods", type="DELETED", obj=obj, observed=item.observed, synthetic=True)
        items.append(item)
    path = tmp_path / "relisted.jsonl"
    write_recording(path, rec.header, items)
    text = history_text(path, ["demo/stuck-finalizer"])
    # Before: "they alone held the pod 9m27s", to the relist as if it saw the removal.
    assert "- finalizers: `example.com/backup-protection`; they alone held the pod at most 9m27s from " \
        "2024-05-01T10:00:33Z" in text
    assert "| deleted, held by finalizers ≤9m27s |" in history_text(path)
    term = yaml.safe_load(history_text(path, ["demo/stuck-finalizer"], fmt="yaml"))["pods"][0]["termination"]
    assert (term["held_by_finalizers"], term["held_by_finalizers_at_most"]) == ("9m27s", True)
    # Read off the watch, the hold is what it was: no bound.
    assert "held_by_finalizers_at_most" not in yaml.safe_load(
        history_text(DEFAULT, ["demo/stuck-finalizer"], fmt="yaml"))["pods"][0]["termination"]
    assert "| deleted, held by finalizers 9m27s |" in history_text(DEFAULT)


def test_a_pod_still_held_by_its_finalizers_at_the_end_is_held_so_far(tmp_path):
    """A recording that ends while finalizers hold the pod: the summary's hold is a
    lower bound ("so far"), as the pod's own section says "and still do"."""
    from podtui.lifecycle.changes import item_time

    rec = read_recording(DEFAULT)
    path = tmp_path / "cut.jsonl"
    write_recording(path, rec.header, [item for item in rec.items if item_time(item) <= DEFAULT_START + 300])
    assert "| deleted, held by finalizers 4m26s so far |" in history_text(path)
    assert "they alone held the pod 4m26s from 2024-05-01T10:00:33Z, and still do" in \
        history_text(path, ["demo/stuck-finalizer"])
    assert "| deleted, held by finalizers 9m27s |" in history_text(DEFAULT)  # removed: the whole hold
