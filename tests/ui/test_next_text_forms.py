"""The 15-cell forms NEXT has at 80 columns for a postStart hook under way: each fits
with its duration planned at its widest, and keeps "for", which makes an elapsed time
of the hook's duration, not a timer."""

from __future__ import annotations

import pytest

from podtui.ui.next_text import NARROW, compact, planned_width
from podtui.ui.pod_table import keep_count


@pytest.mark.parametrize("text, short", [
    ("postStart hook running for 3s", "hook for 3s"),
    ("postStart hook running for 4m59s", "hook for 4m59s"),
    ("postStart hook failed", "hook failed"),
])
def test_the_narrow_forms_fit_and_say_what_matters(text, short):
    shown = compact(text, NARROW)
    assert shown == short
    assert planned_width(shown) <= NARROW and keep_count(shown, NARROW) == shown


@pytest.mark.parametrize("text, width, shown", [
    ("postStart hook running for 3s", 20, "postStart for 3s"),
    ("postStart hook failed", 16, "postStart failed"),
])
def test_wider_columns_keep_more_words(text, width, shown):
    assert compact(text, width) == shown
