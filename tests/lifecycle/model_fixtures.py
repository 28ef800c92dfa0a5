"""Runs the model's JSON fixtures (tests/lifecycle/fixtures/model/*.json).

A fixture names base pods, then feeds steps into a Store (each step a watch event at
a time; a pod step may merge-patch the pod's current version, RFC 7386: dicts merge,
null deletes, lists are replaced), then checks what the store and the timers say.

    {"description": "...", "store": {Store kwargs},
     "pods": {"web": {pod}}, "steps": [...], "now": "2024-...Z",
     "expect": {"web": {"row": {...}, "history": [...], "history_kinds": [...],
                        "backoffs": [...], "probes": [...], "termination": {...},
                        "next": {...} | null, "events": [...], "tombstone": bool,
                        "replaces": "alias", "replaced_by": "alias"}},
     "expect_store": {"problems": [...substrings] | n, "pending_events": n,
                      "resource_versions": {...}, "by_name": {"ns/name": "alias"},
                      "pods": n}}

Times are RFC 3339 strings anywhere a number of seconds is expected.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from podtui.clock import ManualClock
from podtui.lifecycle.backoff import backoffs
from podtui.lifecycle.changes import EVENTS, PODS, Change
from podtui.lifecycle.nextstep import next_step
from podtui.lifecycle.probes import effective_probes, probe_states
from podtui.lifecycle.store import Store
from podtui.lifecycle.termination import termination
from podtui.lifecycle.times import parse_ts

FIXTURES = Path(__file__).parent / "fixtures" / "model"


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def merge_patch(target: object, patch: object) -> object:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def t(value: object) -> float | None:
    """A fixture time: RFC 3339 string or number."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    parsed = parse_ts(value)
    assert parsed is not None, f"bad time in fixture: {value!r}"
    return parsed


def _events_from(step: dict) -> list[dict]:
    """A flood step: one Event updated `times` times (count and lastTimestamp move),
    or `distinct` separate Events (uid and message numbered)."""
    flood = step["flood"]
    base = flood["event"]
    every = float(flood.get("every", 10))
    first = t(base.get("firstTimestamp") or step["at"])
    out = []
    if "times" in flood:
        for i in range(1, flood["times"] + 1):
            ev = copy.deepcopy(base)
            ev["count"] = i
            ev["lastTimestamp"] = _iso(first + (i - 1) * every)
            ev["metadata"]["resourceVersion"] = str(1000 + i)
            out.append(ev)
    else:
        for i in range(flood["distinct"]):
            ev = copy.deepcopy(base)
            ev["metadata"]["uid"] = f"{base['metadata']['uid']}-{i}"
            ev["metadata"]["name"] = f"{base['metadata']['name']}.{i}"
            ev["message"] = f"{base.get('message', '')} #{i}"
            ev["firstTimestamp"] = ev["lastTimestamp"] = _iso(first + i * every)
            out.append(ev)
    return out


def _iso(ts: float) -> str:
    from podtui.lifecycle.times import format_ts

    return format_ts(ts)


class Run:
    """A fixture applied to a fresh store."""

    def __init__(self, spec: dict, wire=None) -> None:
        """`wire(change) -> change`, when given, turns every Change into what a source
        would hand the store for it (tests/sources/test_decode.py: the pod decoder)."""
        self.spec = spec
        self.wire = wire
        self.current: dict[str, dict] = {alias: copy.deepcopy(p) for alias, p in spec.get("pods", {}).items()}
        self.uids = {alias: p["metadata"]["uid"] for alias, p in self.current.items()
                     if isinstance(p.get("metadata"), dict) and "uid" in p["metadata"]}
        steps = spec.get("steps", [])
        start = t(steps[0]["at"]) if steps else 0.0
        self.clock = ManualClock(start)
        self.store = Store(self.clock, **spec.get("store", {}))
        if wire is not None:
            apply = self.store.apply
            self.store.apply = lambda change: apply(wire(change))  # type: ignore[method-assign]
        for step in steps:
            self.apply(step)
        self.now = t(spec["now"]) if "now" in spec else self.clock.time()

    def apply(self, step: dict) -> None:
        at = t(step["at"])
        self.clock.set(at)
        if "flood" in step:
            for ev in _events_from(step):
                self.store.apply(Change(EVENTS, step.get("type", "MODIFIED"), ev, at))
            return
        if "raw" in step:
            raw = step["raw"]
            self.store.apply(Change(raw.get("resource", PODS), raw["type"], raw.get("object"), at,
                                    synthetic=raw.get("synthetic", False)))
            return
        if "expire" in step:
            self.store.expire(at)
            return
        if "event" in step:
            self.store.apply(Change(EVENTS, step.get("type", "ADDED"), copy.deepcopy(step["event"]), at))
            return
        if "object" in step:
            self.store.apply(Change(step.get("resource", PODS), step["type"], step["object"], at))
            return
        alias = step["pod"]
        if "merge" in step:
            self.current[alias] = merge_patch(self.current[alias], step["merge"])
        obj = copy.deepcopy(self.current[alias])
        self.store.apply(Change(PODS, step["type"], obj, at, synthetic=step.get("synthetic", False)))

    def record(self, alias: str):
        uid = self.uids.get(alias, alias)
        rec = self.store.pods.get(uid)
        assert rec is not None, f"no pod {alias} ({uid}) in the store"
        return rec


# -- matching


TIME_KEYS = {
    "at", "next_at", "due_at", "acts_at", "kill_at", "deadline_at", "reset_at", "last_failure_at", "first",
    "last", "startedAt", "finishedAt", "restartedAt", "deletionTimestamp", "last_restart", "created",
    "deleted_at", "first_seen", "held_since",
}


def match_fields(actual: object, expected: dict, where: str) -> None:
    for key, want in expected.items():
        got = getattr(actual, key) if not isinstance(actual, dict) else actual.get(key)
        if key == "data" and isinstance(want, dict):
            assert isinstance(got, dict), f"{where}: data is {got!r}, expected {want!r}"
            match_fields(got, want, f"{where}.data")
            continue
        if key in ("message", "last_failure", "detail") and isinstance(want, str) and want.endswith("..."):
            assert isinstance(got, str) and got.startswith(want[:-3]), f"{where}: {key}={got!r}, want prefix {want!r}"
            continue
        want_v = t(want) if key in TIME_KEYS and isinstance(want, str) else want
        if isinstance(want_v, float) and isinstance(got, (int, float)):
            assert abs(got - want_v) < 1e-6, f"{where}: {key}={got!r}, expected {want!r} ({want_v})"
        else:
            assert got == want_v, f"{where}: {key}={got!r}, expected {want!r}"


def match_subsequence(entries: list, expected: list[dict], where: str) -> None:
    """Each expected entry matches an actual entry, in order."""
    i = 0
    for n, want in enumerate(expected):
        while i < len(entries):
            try:
                match_fields(entries[i], want, where)
            except AssertionError:
                i += 1
                continue
            break
        else:
            listing = "\n".join(f"  {e.kind} {e.subject} {e.old}->{e.new} at={e.at} obs={e.observed} {e.detail}"
                                for e in entries)
            raise AssertionError(f"{where}: expected entry #{n} {want} not found in order in:\n{listing}")
        i += 1


def check(run: Run) -> None:
    spec = run.spec
    for alias, want in spec.get("expect", {}).items():
        rec = run.record(alias)
        where = f"{alias}"
        if "row" in want:
            match_fields(rec.row, want["row"], f"{where}.row")
        if "tombstone" in want:
            assert rec.is_tombstone == want["tombstone"], f"{where}: tombstone={rec.is_tombstone}"
        for link in ("replaces", "replaced_by"):
            if link in want:
                expected = run.uids.get(want[link], want[link]) if want[link] else None
                assert getattr(rec, link) == expected, f"{where}: {link}={getattr(rec, link)!r}"
        entries = list(rec.history.entries)
        times = [e.at for e in entries]
        assert times == sorted(times), f"{where}: history out of time order"
        if "history" in want:
            match_subsequence(entries, want["history"], f"{where}.history")
        if "history_kinds" in want:
            assert [e.kind for e in entries] == want["history_kinds"], \
                f"{where}: history kinds {[e.kind for e in entries]}"
        if "history_dropped" in want:
            assert rec.history.dropped == want["history_dropped"], f"{where}: dropped={rec.history.dropped}"
        if "backoffs" in want:
            got = backoffs(rec, run.now)
            assert len(got) == len(want["backoffs"]), f"{where}: backoffs {got}"
            for i, (g, w) in enumerate(zip(got, want["backoffs"])):
                match_fields(g, w, f"{where}.backoffs[{i}]")
        if "probe_settings" in want:
            got = effective_probes(rec.obj)
            assert len(got) == len(want["probe_settings"]), f"{where}: probes {got}"
            for i, (g, w) in enumerate(zip(got, want["probe_settings"])):
                match_fields(g, w, f"{where}.probe_settings[{i}]")
        if "probes" in want:
            states = {(p.settings.container, p.settings.type): p for p in probe_states(rec, run.now)}
            for w in want["probes"]:
                w = dict(w)
                key = (w.pop("container"), w.pop("type"))
                assert key in states, f"{where}: no probe {key} in {list(states)}"
                n_events = w.pop("n_events", None)
                match_fields(states[key], w, f"{where}.probes{key}")
                if n_events is not None:
                    assert len(states[key].events) == n_events, f"{where}: probe events {states[key].events}"
        if "termination" in want:
            match_fields(termination(rec, run.now), want["termination"], f"{where}.termination")
        if "next" in want:
            got = next_step(rec, run.now)
            if want["next"] is None:
                assert got is None, f"{where}: next step {got}"
            else:
                assert got is not None, f"{where}: no next step"
                match_fields(got, want["next"], f"{where}.next")
        if "events" in want:
            assert len(rec.events) == len(want["events"]), \
                f"{where}: {len(rec.events)} events: {[(e.reason, e.count) for e in rec.events][:10]}"
            for i, (g, w) in enumerate(zip(rec.events, want["events"])):
                match_fields(g, w, f"{where}.events[{i}]")
        if "last_event" in want:
            assert rec.events, f"{where}: no events"
            match_fields(rec.events[-1], want["last_event"], f"{where}.last_event")
        if "n_events" in want:
            assert len(rec.events) == want["n_events"], f"{where}: {len(rec.events)} events"
            lasts = [e.last for e in rec.events]
            assert lasts == sorted(lasts), f"{where}: events not ordered by last time"
    store_want = spec.get("expect_store", {})
    store = run.store
    problems = [p.text for p in store.problems]
    want_problems = store_want.get("problems", 0)
    if isinstance(want_problems, int):
        assert len(problems) == want_problems, f"problems: {problems}"
    else:
        assert len(problems) == len(want_problems), f"problems: {problems}"
        for text, fragment in zip(problems, want_problems):
            assert fragment in text, f"problem {text!r} lacks {fragment!r}"
    if "pending_events" in store_want:
        assert store.pending_events == store_want["pending_events"]
    if "resource_versions" in store_want:
        assert store.resource_versions == store_want["resource_versions"]
    if "pods" in store_want:
        assert len(store.pods) == store_want["pods"], f"pods: {list(store.pods)}"
    for key, alias in store_want.get("by_name", {}).items():
        ns, name = key.split("/")
        rec = store.by_name(ns, name)
        if alias is None:
            assert rec is None
        else:
            assert rec is not None and rec.uid == run.uids.get(alias, alias), f"by_name {key}: {rec}"


def load(path: Path) -> dict:
    return json.loads(path.read_text())
