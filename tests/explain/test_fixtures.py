"""Hand-made pod/Event sequences for what the demo cluster does not simulate
(preemption, node shutdown, node loss, restarts missed between two updates, a pod met
long after its last restart...): table-driven, each fixture states what it expects."""

from __future__ import annotations

import pytest

from podtui.lifecycle.explain import restart_explanations
from podtui.lifecycle.unready import unready_line, unready_periods

from explain_helpers import EPOCH, FIXTURES, load_fixture, play

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))


def test_there_are_fixtures():
    assert len(FIXTURE_NAMES) >= 9


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_restart_explanations(name):
    fx = load_fixture(name)
    rec, now = play(fx)
    got = restart_explanations(rec, now)
    assert len(got) == len(fx["expect"]), [(e.kind, e.container, e.cause, e.summary) for e in got]
    for ex, want in zip(got, fx["expect"]):
        for key in ("kind", "container", "container_kind", "cause", "number", "exit_code", "reason",
                    "summary", "memory_limit", "backoff_after"):
            if key in want:
                assert getattr(ex, key) == want[key], (key, ex)
        for part in want.get("summary_contains", []):
            assert part in ex.summary, (part, ex.summary)
        for part in want.get("evidence_contains", []):
            assert any(part in line for line in ex.evidence), (part, ex.evidence)


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if "expect_unready" in load_fixture(n)])
def test_unready_periods(name):
    fx = load_fixture(name)
    rec, now = play(fx)
    periods = unready_periods(rec, now)
    for want in fx["expect_unready"]:
        matching = [p for p in periods if p.subject == want["subject"]]
        assert matching, (want, periods)
        p = matching[-1]
        assert p.start == EPOCH + want["start"], p
        assert p.end == (EPOCH + want["end"] if want["end"] is not None else None), p
        assert p.ongoing is want.get("ongoing", False)
        assert want["reason_contains"] in p.reason, p.reason
        if "probe_contains" in want:
            assert any(want["probe_contains"] in m for m in p.probe_messages), p.probe_messages
        if p.end is not None:
            assert p.duration == p.end - p.start
        else:
            assert p.duration == now - p.start
    if "unready_line" in fx:
        assert unready_line(rec, now) == fx["unready_line"]


def test_node_lost_evidence_needs_no_container_times():
    # ContainerStatusUnknown carries no startedAt/finishedAt: the disruption still explains it.
    rec, now = play(load_fixture("node-lost.json"))
    term = [e for e in restart_explanations(rec, now) if e.kind == "termination"]
    assert term and term[0].at is None and term[0].cause == "node-lost"


def test_preemption_without_its_events_still_has_the_condition():
    rec, now = play(load_fixture("preemption.json"), drop_events=True)
    got = {(e.kind, e.cause) for e in restart_explanations(rec, now)}
    assert got == {("disruption", "preemption"), ("termination", "preemption")}
