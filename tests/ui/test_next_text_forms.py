"""The 15-cell forms NEXT has at 80 columns for why a Failed pod ended and for a
postStart hook under way: each fits with its duration planned at its widest, and keeps
what it is read for (the container and how it ended; "for", which makes an elapsed time
of the hook's duration, not a timer)."""

from __future__ import annotations

import pytest

from podtui.ui.next_text import NARROW, compact, planned_width
from podtui.ui.pod_table import keep_count


@pytest.mark.parametrize("text, short", [
    ("failed: app exit 1", "app exit 1"),
    ("failed: app OOMKilled", "app OOMKilled"),
    ("failed: app exit 139 (SIGSEGV)", "app SIGSEGV"),
    ("failed: app signal 9 (SIGKILL)", "app SIGKILL"),
    ("failed: app postStart failed", "hook failed"),
    ("failed: metrics-exporter exit 2", "exit 2"),
    ("evicted: ephemeral-storage", "evicted: disk"),
    ("evicted: memory", "evicted: memory"),
    ("deadline passed", "deadline passed"),
    ("postStart hook running for 3s", "hook for 3s"),
    ("postStart hook running for 4m59s", "hook for 4m59s"),
    ("postStart hook failed", "hook failed"),
    # A tombstone found on relist: at least that long ago, still an elapsed time.
    ("deleted ≥2m19s ago", "gone ≥2m19s ago"),
    ("deleted ≥9s ago", "gone ≥9s ago"),
])
def test_the_narrow_forms_fit_and_say_what_matters(text, short):
    shown = compact(text, NARROW)
    assert shown == short
    assert planned_width(shown) <= NARROW and keep_count(shown, NARROW) == shown


@pytest.mark.parametrize("text, width, shown", [
    ("failed: app exit 1", 18, "failed: app exit 1"),
    ("failed: app exit 139 (SIGSEGV)", 22, "app exit 139 (SIGSEGV)"),
    ("postStart hook running for 3s", 20, "postStart for 3s"),
    ("postStart hook failed", 16, "postStart failed"),
])
def test_wider_columns_keep_more_words(text, width, shown):
    assert compact(text, width) == shown


def test_a_relists_deleted_keeps_its_ago_and_its_bound_while_they_fit():
    for width in range(8, 19):
        for text in ("deleted ≥2m19s ago", "deleted ≥45s ago"):
            shown = keep_count(compact(text, width), width)
            assert len(shown) <= width and (shown == "…" or shown.endswith(" ago")), (width, shown)
            # The bound goes only where nothing but the time and its "ago" fits.
            assert shown.startswith(("deleted ≥", "gone ≥", "≥")) or len(shown) <= 9, (width, shown)


def test_any_text_is_planned_in_cells_with_its_durations_at_their_widest():
    assert planned_width("deleted ≥9s ago") == planned_width("deleted ≥4m59s ago") == 18
    assert planned_width("削除 9s") == 7 + 3  # two 2-cell characters, a space, 9s as 4m59s
