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


def test_kubelet_confirmation_is_not_the_grace_asked_for():
    # After the containers stop the kubelet DELETEs with grace 0, which moves
    # deletionTimestamp back to the request time: the pod asked for 10s and no SIGKILL came.
    from podtui.lifecycle.termination import deletion_request
    from podtui.lifecycle.report import pod_report
    from podtui.ui.panes import termination as pane, timeline

    rec, now = play(load_fixture("finalizer-held.json"))
    req = deletion_request(rec)
    assert (req.at, req.grace, req.kill_at) == (EPOCH + 30, 10, EPOCH + 40)
    assert req.confirmed and req.confirmed_at == EPOCH + 34 and req.stopped_at == EPOCH + 33
    text = pane.render(rec, now).plain
    assert "grace period 10s" in text and "grace period 0s" not in text.replace("now 0s", "")
    assert "SIGKILL     not needed: the containers stopped at 10:00:33, 7s before the deadline at 10:00:40" in text
    assert "deadline passed" not in text
    deletions = [t for t in rec.history.entries if t.kind == "deletion"]
    assert timeline.describe(deletions[-1]).plain == \
        "deletion confirmed by the kubelet · the containers stopped; grace period now 0s"
    term = pod_report(rec, now)["termination"]
    assert (term["grace"], term["sigkill_deadline"]) == ("10s", "2024-05-01T10:00:40Z")


def test_sigkill_at_the_deadline_is_said_in_the_termination_pane():
    from podtui.ui.panes import termination as pane

    rec, now = play(load_fixture("sigkill-at-deadline.json"))
    text = pane.render(rec, now).plain
    assert "SIGKILL     deadline passed 30s ago at 10:01:00: still running then, killed (exit 137)" in text


def test_image_pull_back_off_does_not_reset_on_a_long_run():
    # The image never ran: its back-off (per pod and image) starts over after 2 x the
    # 5m cap without a failed pull, not after "an instance runs 10m".
    from explain_helpers import DEFAULT, fold, pod
    from podtui.ui.panes import backoff as pane

    store, now = fold(DEFAULT, until=120)
    text = pane.render(pod(store, "bad-image"), now).plain
    assert "image pull back-off (ImagePullBackOff)" in text
    assert "reset       after 10m0s without a failed pull" in text and "without crashing" not in text
    assert "without crashing" in pane.render(pod(store, "crashloop"), now).plain


def test_one_liners_end_on_a_whole_word_and_keep_the_evicted_container():
    from explain_helpers import DEFAULT, fold, pod

    store, now = fold(DEFAULT)
    evicted = restart_explanations(pod(store, "memory-hog"), now)[0]
    # The kubelet's message names the container that used the most: the point of it.
    assert evicted.summary.endswith("Container cache was using 1843200Ki, request is 0, "
                                    "has larger consumption of memory.")
    pull = next(e for e in restart_explanations(pod(store, "bad-image"), now) if e.kind == "start-failure")
    assert pull.summary.endswith("failed to pull and unpack image…"), pull.summary


def test_timeline_crash_back_off_and_ages_read_as_the_clock_column():
    from explain_helpers import DEFAULT, fold, pod
    from podtui.ui.panes import timeline

    store, now = fold(DEFAULT, until=60)
    text = timeline.render(pod(store, "crashloop"), now).plain
    # The kubelet's message names this container and pod again: only the delay is news.
    assert "waiting:CrashLoopBackOff · back-off 20s\n" in text and "restarting failed container=" not in text
    # An entry dated when podtui saw it (≈, a fraction of a second late) shows the same
    # age as an exact one at the same clock second.
    ages: dict[str, set[str]] = {}
    for row in text.splitlines():
        if "│" in row and row[1:3].isdigit():
            clock, age = row[1:9], row[9:20].strip()
            ages.setdefault(clock, set()).add(age)
    assert ages and all(len(seen) == 1 for seen in ages.values()), ages


def test_flapping_says_when_the_last_spell_ended():
    from explain_helpers import DEFAULT, fold, pod
    from podtui.ui.panes import phase

    store, now = fold(DEFAULT, until=185)  # ready again since 10:03:05
    text = " ".join(phase.render(pod(store, "readiness-flap"), now).plain.split())
    # "the last 10s long, 7s ago" left open whether it began or ended 7s ago.
    assert "unready spells in the last hour, the last 10s long, ended " in text, text


def test_met_after_the_kubelet_confirmed_the_deletion():
    from podtui.lifecycle.termination import deletion_request
    from podtui.ui.panes import termination as pane, timeline

    rec, now = play(load_fixture("finalizer-held-first-sight.json"))
    req = deletion_request(rec)
    assert req.confirmed and (req.at, req.grace, req.kill_at) == (EPOCH + 30, None, None)
    text = pane.render(rec, now).plain
    assert "deletion    requested 10:00:30\n" in text and "grace period 0s" not in text
    [deletion] = [t for t in rec.history.entries if t.kind == "deletion"]
    assert timeline.describe(deletion).plain == \
        "deletion requested · the containers have since stopped; grace period now 0s"


def test_timeline_says_a_first_value_without_an_empty_set_sign():
    from explain_helpers import DEFAULT, fold, pod
    from podtui.ui.panes import timeline

    store, now = fold(DEFAULT, until=60)
    text = timeline.render(pod(store, "init-fail"), now).plain
    # "PodScheduled ∅ → True", "app: ∅ → waiting:PodInitializing": read as `phase Pending` does.
    assert "∅" not in text
    assert "│ PodScheduled True\n" in text and "[main] app: waiting:PodInitializing\n" in text


def test_an_unscheduled_pods_containers_say_why_they_have_no_status():
    from explain_helpers import DEFAULT, fold, pod
    from podtui.ui.panes import containers

    store, now = fold(DEFAULT, until=60)
    text = " ".join(containers.render(pod(store, "too-big"), now).plain.split())
    assert "no status yet: the pod is not scheduled (Unschedulable: 0/3 nodes are available: " \
           "3 Insufficient cpu, 3 Insufficient memory." in text, text


def test_a_pod_met_after_it_failed_was_not_unready_until_podtui_came():
    # Met 6 minutes after activeDeadlineSeconds ended it: the phase was dated at first
    # sight, so "pod not ready for 5m59s" ran from its end to podtui's arrival, and the
    # container's end was "cause unknown" next to the DeadlineExceeded Event.
    rec, now = play(load_fixture("deadline-first-sight.json"))
    assert unready_periods(rec, now) == []
    phase = next(t for t in rec.history if t.kind == "phase")
    assert (phase.new, phase.at, phase.observed) == ("Failed", EPOCH + 91, False)
