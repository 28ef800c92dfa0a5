"""HumanDuration and translateTimestampSince, ported from upstream's tables:
staging/src/k8s.io/apimachinery/pkg/util/duration/duration_test.go (TestHumanDuration,
TestHumanDurationBoundaries) and pkg/printers/internalversion/printers_test.go
(TestTranslateTimestampSince)."""

from __future__ import annotations

import pytest

from podtui.lifecycle import format_age, human_duration
from podtui.lifecycle.duration import GO_ZERO_TIME
from podtui.lifecycle.times import parse_ts

NS = 1e-9
MS = 1e-3
S = 1
MIN = 60
H = 3600
D = 24 * H
Y = 365 * D

HUMAN_DURATION = [
    # TestHumanDuration
    (S, "1s"),
    (70 * S, "70s"),
    (190 * S, "3m10s"),
    (70 * MIN, "70m"),
    (47 * H, "47h"),
    (49 * H, "2d1h"),
    ((8 * 24 + 2) * H, "8d"),
    (367 * D, "367d"),
    ((365 * 2 * 24 + 25) * H, "2y1d"),
    ((365 * 8 * 24 + 2) * H, "8y"),
    # TestHumanDurationBoundaries
    (-2 * S, "<invalid>"),
    (-2 * S + NS, "0s"),
    (0, "0s"),
    (S - MS, "0s"),
    (2 * MIN - MS, "119s"),
    (2 * MIN, "2m"),
    (2 * MIN + S, "2m1s"),
    (10 * MIN - MS, "9m59s"),
    (10 * MIN, "10m"),
    (10 * MIN + S, "10m"),
    (3 * H - MS, "179m"),
    (3 * H, "3h"),
    (3 * H + MIN, "3h1m"),
    (8 * H - MS, "7h59m"),
    (8 * H, "8h"),
    (8 * H + 59 * MIN, "8h"),
    (2 * D - MS, "47h"),
    (2 * D, "2d"),
    (2 * D + H, "2d1h"),
    (8 * D - MS, "7d23h"),
    (8 * D, "8d"),
    (8 * D + 23 * H, "8d"),
    (2 * Y - MS, "729d"),
    (2 * Y, "2y"),
    (2 * Y + 23 * H, "2y"),
    (2 * Y + 23 * H + 59 * MIN, "2y"),
    (2 * Y + 24 * H - MS, "2y"),
    (2 * Y + 24 * H, "2y1d"),
    (3 * Y, "3y"),
    (4 * Y, "4y"),
    (5 * Y, "5y"),
    (6 * Y, "6y"),
    (7 * Y, "7y"),
    (8 * Y - MS, "7y364d"),
    (8 * Y, "8y"),
    (8 * Y + 364 * D, "8y"),
    (9 * Y, "9y"),
]


@pytest.mark.parametrize(("seconds", "want"), HUMAN_DURATION, ids=[w + f"@{s}" for s, w in HUMAN_DURATION])
def test_human_duration(seconds, want):
    assert human_duration(seconds) == want


NOW = 1714564800.0  # 2024-05-01T12:00:00Z

TRANSLATE_TIMESTAMP_SINCE = [
    # TestTranslateTimestampSince: (timestamp relative to now, expected)
    ("a while from now", 2.1, "<invalid>"),
    ("almost now", 1.9, "0s"),
    ("now", 0, "0s"),
    ("30 seconds ago", -30, "30s"),
    ("5 minutes ago", -300, "5m"),
    ("an hour ago", -6000, "100m"),
    ("2 days ago", -2 * D, "2d"),
    ("months ago", -90 * D, "90d"),
    ("10 years ago", -10 * Y, "10y"),
]


@pytest.mark.parametrize(("name", "offset", "want"), TRANSLATE_TIMESTAMP_SINCE, ids=[c[0] for c in TRANSLATE_TIMESTAMP_SINCE])
def test_format_age_is_translate_timestamp_since(name, offset, want):
    assert format_age(NOW + offset, NOW) == want


def test_unknown_when_there_is_no_timestamp():
    assert format_age(None, NOW) == "<unknown>"
    assert format_age(GO_ZERO_TIME, NOW) == "<unknown>"
    assert format_age(parse_ts("0001-01-01T00:00:00Z"), NOW) == "<unknown>"


def test_float_noise_below_a_microsecond_does_not_flip_a_column():
    # A clock's float `now` (ScaledClock, time.time()) is one ulp (~2.4e-7 s at today's
    # epochs) off the microsecond the API timestamps live on; HumanDuration truncates,
    # so unrounded that would print "119s" at the 2-minute mark.
    created = parse_ts("2024-05-01T11:58:00.123456Z")
    now = created + 120 - 2.4e-7
    assert now - created < 120
    assert format_age(created, now) == "2m"
    assert format_age(created, created + 120 - 1e-6) == "119s"  # a real microsecond short


def test_go_duration_saturates_at_292_years():
    assert format_age(parse_ts("1700-01-01T00:00:00Z"), NOW) == "292y"
    assert human_duration(1e300) == "292y"
    assert human_duration(float("inf")) == "292y"
    assert human_duration(float("-inf")) == "<invalid>"


def test_not_a_number_is_invalid_not_an_error():
    assert human_duration(float("nan")) == "<invalid>"
    assert human_duration("10") == "<invalid>"  # type: ignore[arg-type]
    assert format_age(NOW, float("nan")) == "<invalid>"
