"""A pod removed while it waited in a crash back-off (deleted, or gone in a relist after
the API server restarted): the restart it waited for never came, and the report must
not say it "ran again"."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from podtui.lifecycle.changes import Change, Relist, item_time
from podtui.lifecycle.store import RELIST_NOTE
from podtui.sources.history_command import history_text
from podtui.sources.recording import read_recording, write_recording

DEFAULT = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"
START = 1714557600.0  # 2024-05-01T10:00:00Z


def _removed_in_relist(path: Path, last_seen: float, removed: float, last_read: float | None = None) -> Path:
    """DEFAULT with crashloop's versions after `last_seen` (seconds from START) cut, and
    a relist at `removed` that no longer lists it: the synthetic DELETED its diff makes."""
    rec = read_recording(DEFAULT)
    items, last = [], None
    for item in rec.items:
        if isinstance(item, Change) and item.resource == "pods" and item.obj["metadata"]["name"] == "crashloop":
            if item.observed > START + last_seen:
                continue
            last = item
        items.append(item)
    at = START + removed
    gone = json.loads(json.dumps(last.obj))
    if last_read is not None:  # the live source's note: the watch last read anything then
        gone["metadata"].setdefault("annotations", {})[RELIST_NOTE] = repr(START + last_read)
    relist = [Relist(resource="pods", at=at, phase="start"),
              Change(resource="pods", type="DELETED", obj=gone, observed=at,
                     synthetic=True),
              Relist(resource="pods", at=at, phase="end", deleted=1)]
    cut = next(i for i, item in enumerate(items) if item_time(item) > at)
    write_recording(path, rec.header, items[:cut] + relist + items[cut:])
    return path


def test_a_pod_removed_in_its_back_off_did_not_run_again(tmp_path):
    # Last seen at 10:02:52.5 waiting out "back-off 2m40s" after the crash at 10:02:51;
    # gone at 10:03:20.5, two minutes before the restart was due.
    path = _removed_in_relist(tmp_path / "removed.jsonl", 172.5, 200.5)
    text = history_text(path, ["demo/crashloop"])
    line = next(line for line in text.splitlines() if line.startswith("- **app** ended"))
    assert "ran again" not in line
    # Found gone by a relist (no note of the watch's last read): by then, not at.
    assert line.endswith("; was to run again after a 2m40s back-off (kubelet message), but the pod was removed "
                         "by 2024-05-01T10:03:20.500Z (+3m20s, found on relist) first")
    assert "| app | restart | 2m40s | kubelet message | 2024-05-01T10:05:31Z (never made: the pod was removed first) |" \
        in text
    assert "### Back-off when the pod was removed" in text
    pod = yaml.safe_load(history_text(path, ["demo/crashloop"], fmt="yaml"))["pods"][0]
    ended = pod["restarts_and_failures"][-1]
    assert (ended["kind"], ended["cut_short_by"], ended["cut_short_at"], ended["cut_short_before_restart_due"]) == (
        "termination", "the pod was removed", "2024-05-01T10:03:20.500Z", True)
    assert pod["back_off_now"][0]["next_attempt_never_made"] is True


def test_the_summary_says_removed_in_back_off_not_in_back_off_at_the_end(tmp_path):
    path = _removed_in_relist(tmp_path / "removed.jsonl", 172.5, 200.5)
    row = next(line for line in history_text(path).splitlines() if line.startswith("| demo/crashloop |"))
    assert row.endswith("| by 2024-05-01T10:03:20.500Z (found on relist) | exit ×5, removed in back-off |")
    # Pods still there at the end keep the old words.
    assert "| demo/bad-image |" in history_text(path) and "image, in back-off at the end |" in history_text(path)


def test_a_relist_at_the_instant_of_the_watchs_last_read_says_at_not_between(tmp_path):
    # The watch last read at 10:03:20.5, the relist's own instant (a replay): no window.
    path = _removed_in_relist(tmp_path / "same.jsonl", 172.5, 200.5, last_read=200.5)
    text = history_text(path, ["demo/crashloop"])
    line = next(line for line in text.splitlines() if line.startswith("- **app** ended"))
    assert line.endswith("but the pod was removed at 2024-05-01T10:03:20.500Z (+3m20s, found on relist) first")
    assert "between" not in text
    row = next(line for line in history_text(path).splitlines() if line.startswith("| demo/crashloop |"))
    assert "| at 2024-05-01T10:03:20.500Z (found on relist) |" in row


def test_a_removal_seen_after_the_back_off_was_due_does_not_claim_it_came_first(tmp_path):
    # "back-off 10s" from 10:00:09, but the relist noticed the pod gone only at 10:01:00:
    # it may have run again (and crashed) unseen while the watch was down.
    path = _removed_in_relist(tmp_path / "late.jsonl", 10.5, 60.0)
    text = history_text(path, ["demo/crashloop"])
    line = next(line for line in text.splitlines() if line.startswith("- **app** ended"))
    assert line.endswith("; was to run again after a 10s back-off (kubelet message); not seen running again "
                         "before the pod was removed by 2024-05-01T10:01:00Z (+1m0s, found on relist)")
    assert "ran again after" not in line and " first" not in line


def test_a_pod_found_gone_on_relist_is_reported_removed_between_the_last_read_and_the_relist(tmp_path):
    path = _removed_in_relist(tmp_path / "removed.jsonl", 172.5, 200.5, last_read=175.25)
    text = history_text(path, ["demo/crashloop"])
    between = "between 2024-05-01T10:02:55.250Z and 2024-05-01T10:03:20.500Z (found on relist)"
    assert f"removed {between}." in text
    assert "| 2024-05-01T10:03:20.500Z | +3m20s | removed ≈ | between 10:02:55 and 10:03:20 (found on relist) |" \
        in text
    pod = yaml.safe_load(history_text(path, ["demo/crashloop"], fmt="yaml"))["pods"][0]
    assert (pod["deleted_after"], pod["deleted"]) == ("2024-05-01T10:02:55.250Z", "2024-05-01T10:03:20.500Z")
    # Without the note (a recording made before it), when it was found, and that it was.
    old = history_text(_removed_in_relist(tmp_path / "old.jsonl", 172.5, 200.5), ["demo/crashloop"])
    assert "removed by 2024-05-01T10:03:20.500Z (found on relist)." in old


def test_a_back_off_cut_short_by_a_relists_removal_says_the_window_not_the_relist(tmp_path):
    # Crashed 10:02:51, due again 10:05:31; the watch last read at 10:02:55.25 and the
    # relist at 10:03:20.5 found the pod gone: removed in between, before the restart.
    path = _removed_in_relist(tmp_path / "removed.jsonl", 172.5, 200.5, last_read=175.25)
    text = history_text(path, ["demo/crashloop"])
    line = next(line for line in text.splitlines() if line.startswith("- **app** ended"))
    # Before: "but the pod was removed at 2024-05-01T10:03:20.500Z (+3m20s) first".
    assert line.endswith(", but the pod was removed between 2024-05-01T10:02:55.250Z and "
                         "2024-05-01T10:03:20.500Z (+3m20s, found on relist) first")
    ended = yaml.safe_load(history_text(path, ["demo/crashloop"], fmt="yaml"))["pods"][0]["restarts_and_failures"][-1]
    assert (ended["cut_short_after"], ended["cut_short_at"], ended["cut_short_on_relist"]) == (
        "2024-05-01T10:02:55.250Z", "2024-05-01T10:03:20.500Z", True)
