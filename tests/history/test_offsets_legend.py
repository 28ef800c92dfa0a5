"""The report's legend for offsets showed `+2m13s` whatever the recording held: a
figure that read as one of its own. It shows one of the report's own offsets, or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.lifecycle.report import render_markdown, report
from podtui.sources.history_command import history_text

DEFAULT = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"


def _legend(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("From "))


def _pod(name: str, offsets: list[str]) -> dict:
    return {"pod": name, "uid": name, "transitions": [{"at": "x", "offset": o, "change": "phase"} for o in offsets]}


@pytest.mark.parametrize("pods, legend", [
    ([_pod("demo/a", ["+0s", "+41s"]), _pod("demo/b", ["+3s"])],
     "Times are UTC; offsets count from each pod's creation (demo/a's last transition is at +41s)."),
    ([_pod("demo/a", []), _pod("demo/b", ["-5s"])],
     "Times are UTC; offsets count from each pod's creation (demo/b's last transition is at -5s)."),
    ([], "Times are UTC; offsets count from each pod's creation."),
])
def test_the_offsets_legend_shows_no_made_up_figure(pods, legend):
    text = render_markdown(report(pods, source="t", start=1_714_557_600.0, end=1_714_557_700.0))
    assert _legend(text).endswith(legend)
    assert "2m13s" not in text


def test_a_recordings_legend_shows_an_offset_of_its_own():
    text = history_text(DEFAULT, ["demo/crashloop"])
    legend = _legend(text)
    offset = legend.rsplit(" is at ", 1)[1].rstrip(").")
    assert "+2m13s" not in legend
    assert f" | {offset} | " in text.split("### Transitions", 1)[1]
