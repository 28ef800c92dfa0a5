"""Go's time.ParseDuration forms, as the kubelet's messages and podtui's flags use them."""

import pytest

from podtui.lifecycle.times import parse_go_duration


@pytest.mark.parametrize("text, seconds", [("0", 0.0), ("5m0s", 300.0), ("1m20s", 80.0), ("300ms", 0.3),
                                           ("1.5h", 5400.0), ("2us", 2e-6), ("10µs", 1e-5)])
def test_durations(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5", "00", "m", "5x", "1m 2s", " 5s", "5s "])
def test_not_durations(text):
    assert parse_go_duration(text) is None
