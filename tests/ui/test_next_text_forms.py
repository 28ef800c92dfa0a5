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
