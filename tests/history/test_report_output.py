"""`podtui history` read as an incident report: selectors, YAML whose keys keep one
type, and Markdown that renders as written."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from podtui.lifecycle.changes import Change
from podtui.sources.history_command import history_text
from podtui.sources.recording import read_recording, write_recording

DEFAULT = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"


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


def test_messages_from_the_cluster_render_as_written(tmp_path):
    message = "panic: bad | worse\n\tat <main>\n`x` *y*\n"

    def edit(obj):
        for cs in obj.get("status", {}).get("containerStatuses", []):
            for key in ("state", "lastState"):
                if cs.get(key, {}).get("terminated"):
                    cs[key]["terminated"]["message"] = message
        return obj

    text = history_text(_rewritten(tmp_path / "msg.jsonl", "crashloop", edit), ["demo/crashloop"])
    html = MarkdownIt("commonmark").enable("table").render(text)
    # `<main>` was passed through as an HTML tag (and dropped by any sanitizer), the
    # backticks made a code span and the stars emphasis.
    assert "&lt;main&gt;" in html and "<main>" not in html
    assert "<code>x</code>" not in html and "<em>y</em>" not in html
    for table in _tables(text):
        assert len({len(row) for row in table}) == 1  # `|` and newlines broke no row
    [row] = [r for r in _tables(text)[-1] if r[2] == "container-state app: running -> terminated:Error ~"]
    assert row[3] == "exit code 1 (Error): panic: bad | worse ↵ at \\<main> ↵ \\`x\\` \\*y\\*"


def test_a_long_message_is_cut_in_a_table_and_whole_in_yaml(tmp_path):
    message = "x" * 500

    def edit(obj):
        for cs in obj.get("status", {}).get("containerStatuses", []):
            if cs.get("state", {}).get("terminated"):
                cs["state"]["terminated"]["message"] = message
        return obj

    path = _rewritten(tmp_path / "long.jsonl", "crashloop", edit)
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


def test_a_prefix_names_a_replicasets_pods():
    # A rollout's pods are named after their ReplicaSet: `shop/web-2ldzzb8gt8` was
    # "no pod" with all three pods in the hint.
    pods = yaml.safe_load(history_text(DEFAULT, ["shop/web-2ldzzb8gt8"], fmt="yaml"))["pods"]
    assert [p["pod"] for p in pods] == ["shop/web-2ldzzb8gt8-8h57k", "shop/web-2ldzzb8gt8-rc4d7",
                                        "shop/web-2ldzzb8gt8-smzdf"]
    assert [p["pod"] for p in yaml.safe_load(history_text(DEFAULT, ["init-"], fmt="yaml"))["pods"]] == \
        ["demo/init-fail", "demo/init-slow"]
