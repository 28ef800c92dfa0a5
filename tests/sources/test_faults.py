"""The fault suite: podtui's live source + store against podtui's API server misbehaving.

In every case the store must end equal to the server's truth (the same live pods at the
same resourceVersions with the same status), and every change made while podtui was
connected must be in the pod's history. Changes are distinct `status.reason` values
("step-N"), which the model records as REASON transitions, so a lost event shows up as
a missing step. Events about the pods must arrive too.
"""

from __future__ import annotations

import time

import pytest

from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage
from podtui.clock import SystemClock
from podtui.lifecycle.changes import LIVE, RECONNECTING, RELISTING, SourceStatus
from podtui.lifecycle.records import REASON, REMOVED
from podtui.lifecycle.store import Store
from podtui.sources.kubeconfig import ConnectionOptions, resolve_connection
from podtui.sources.live import LiveSource

WAIT = 30.0  # only a failing test waits this long
NS = "shop"


class Harness:
    """A cluster (storage + API server), podtui (source + store) and the test's changes."""

    def __init__(self, tmp_path, *, pods: int = 12, read_timeout: float = 2.0) -> None:
        self.clock = SystemClock()
        self.storage = Storage(self.clock)
        self.server = APIServer(self.storage, token="first-token", bookmark_interval=0.3).start()
        self.kubeconfig = tmp_path / "config"
        self.server.write_kubeconfig(self.kubeconfig, context="faults", namespace=NS)
        conn = resolve_connection(ConnectionOptions(kubeconfig=str(self.kubeconfig), all_namespaces=True), {})
        self.source = LiveSource(conn, clock=self.clock, read_timeout=read_timeout, backoff_initial=0.02, backoff_max=0.3, page_size=5)
        self.store = Store(self.clock, tombstone_ttl=1e9)
        self.statuses: list[SourceStatus] = []
        self.steps: dict[str, int] = {}  # pod name -> last step number
        self.expected_reasons: dict[str, set[str]] = {}  # uid -> reasons made while connected
        self.events_made: dict[str, set[str]] = {}  # pod uid -> Event names made
        for i in range(pods):
            self.create(f"web-{i}")

    # --- cluster side

    def create(self, name: str, *, connected: bool = True) -> str:
        obj = self.storage.create(
            "pods",
            {
                "metadata": {"name": name, "namespace": NS, "labels": {"app": "web"}},
                "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}]},
                "status": {"phase": "Running", "reason": "step-0"},
            },
        )
        self.steps[name] = 0
        uid = obj["metadata"]["uid"]
        if connected:
            self.expected_reasons.setdefault(uid, set()).add("step-0")
        return uid

    def step(self, name: str, *, connected: bool = True) -> None:
        current = self.storage.get("pods", NS, name)
        n = self.steps[name] = self.steps[name] + 1
        obj = {**current, "status": {**current["status"], "reason": f"step-{n}"}}
        self.storage.update("pods", obj)
        if connected:
            self.expected_reasons.setdefault(obj["metadata"]["uid"], set()).add(f"step-{n}")

    def event(self, name: str, n: int) -> None:
        pod = self.storage.get("pods", NS, name)
        uid = pod["metadata"]["uid"]
        ev_name = f"{name}.{n}"
        self.storage.create(
            "events",
            {
                "metadata": {"name": ev_name, "namespace": NS},
                "involvedObject": {"kind": "Pod", "namespace": NS, "name": name, "uid": uid, "apiVersion": "v1"},
                "reason": "Pulled",
                "message": f"event {n}",
                "type": "Normal",
                "count": 1,
                "firstTimestamp": "2026-01-01T00:00:00Z",
                "lastTimestamp": "2026-01-01T00:00:00Z",
                "source": {"component": "kubelet"},
            },
        )
        self.events_made.setdefault(uid, set()).add(ev_name)

    def churn(self, rounds: int, *, connected: bool = True, pause: float = 0.0) -> None:
        names = sorted(self.steps)
        for r in range(rounds):
            for name in names:
                if self.storage.get("pods", NS, name) is not None:
                    self.step(name, connected=connected)
            if pause:
                self.pump_for(pause)

    # --- podtui side

    def pump(self) -> int:
        items = self.source.poll()
        self.store.apply_batch(items)
        self.statuses.extend(i for i in items if isinstance(i, SourceStatus))
        return len(items)

    def pump_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump()
            self.source.wait(0.02)

    def pump_until(self, predicate, what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not predicate():
            self.pump()
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; statuses: {[(s.resource, s.state, s.detail) for s in self.statuses[-8:]]}")
            self.source.wait(0.02)
        self.pump()

    def state(self, resource: str = "pods") -> str:
        for s in reversed(self.statuses):
            if s.resource == resource:
                return s.state
        return ""

    def live(self) -> bool:
        return self.state("pods") == LIVE and self.state("events") == LIVE

    def wait_live(self) -> None:
        self.pump_until(self.live, "both watches live")

    # --- truth

    def truth(self) -> dict[str, tuple[str, dict]]:
        return {p["metadata"]["uid"]: (p["metadata"]["resourceVersion"], p["status"]) for p in self.storage.list("pods")}

    def held(self) -> dict[str, tuple[str, dict]]:
        return {uid: (rec.obj["metadata"]["resourceVersion"], rec.obj["status"]) for uid, rec in self.store.pods.items() if not rec.is_tombstone}

    def converged(self) -> bool:
        if self.held() != self.truth():
            return False
        return all(self.events_made.get(uid, set()) <= {e.name for e in rec.events} for uid, rec in self.store.pods.items())

    def settle(self) -> None:
        self.pump_until(self.converged, "the store to equal the server's truth")

    def assert_consistent(self) -> None:
        self.settle()
        assert self.held() == self.truth()
        for uid, reasons in self.expected_reasons.items():
            rec = self.store.pods.get(uid)
            assert rec is not None, f"pod {uid} never seen"
            seen = {t.new for t in rec.history if t.kind == REASON}
            missing = reasons - seen
            assert not missing, f"{rec.namespace}/{rec.name}: changes missing from history: {sorted(missing)}"
        for uid, names in self.events_made.items():
            rec = self.store.pods[uid]
            assert names <= {e.name for e in rec.events}

    def close(self) -> None:
        self.source.stop()
        self.server.stop()


@pytest.fixture
def h(tmp_path):
    harness = Harness(tmp_path)
    harness.source.preflight()
    harness.source.start()
    harness.wait_live()
    harness.settle()
    yield harness
    harness.close()


def reconnects(h: Harness, why: str | None = None) -> list[SourceStatus]:
    return [s for s in h.statuses if s.state == RECONNECTING and (why is None or why in s.detail)]


def test_baseline_no_faults(h):
    h.churn(5)
    for i in range(3):
        h.event("web-1", i)
    h.assert_consistent()
    assert reconnects(h) == []
    # Each pod's history holds all its steps, in order.
    rec = h.store.by_name(NS, "web-3")
    assert [t.new for t in rec.history if t.kind == REASON][-5:] == [f"step-{n}" for n in range(1, 6)]


def test_connections_cut_every_few_events(h):
    h.server.faults.cut_watches_after(3)
    h.churn(12, pause=0.01)
    for i in range(10):
        h.event(f"web-{i % 4}", i)
    h.create("late-1")
    h.storage.delete("pods", NS, "web-11")
    h.churn(3)
    h.settle()
    h.server.faults.clear()
    h.assert_consistent()
    assert len(reconnects(h)) >= 10
    assert h.source.reflectors[0].watches >= 10
    assert h.source.reflectors[0].lists == 1  # resumed from resourceVersions, never relisted
    assert h.store.by_name(NS, "web-11").is_tombstone


def test_410_mid_stream_relists_and_loses_nothing_seen_while_connected(h):
    h.churn(2)
    h.settle()
    assert h.server.faults.expire_watches() >= 2
    h.pump_until(lambda: any(s.state == RELISTING for s in h.statuses), "a relist")
    h.wait_live()
    h.churn(3)
    h.assert_consistent()
    assert h.source.reflectors[0].lists == 2
    assert any(s.state == RELISTING and "410" in s.detail for s in h.statuses)


def test_server_restart_keeping_its_data(h):
    h.churn(2)
    h.settle()
    h.server.stop()
    h.pump_until(lambda: h.state() == RECONNECTING, "podtui to notice")
    # While the server is down: changes, a deletion and a new pod. The watch history
    # survives the restart, so podtui resumes from its resourceVersion and sees each one.
    h.churn(2, connected=True)
    h.storage.delete("pods", NS, "web-0")
    h.create("born-while-down")
    h.server.start()
    h.wait_live()
    h.churn(2)
    h.assert_consistent()
    assert h.store.by_name(NS, "web-0").is_tombstone
    assert not h.store.by_name(NS, "born-while-down").is_tombstone
    assert h.source.reflectors[0].lists == 1
    assert reconnects(h)  # "connection closed by the server", then "connection refused" while it is down


def test_restart_with_compacted_history_relists_and_synthesises_deletions(h):
    h.settle()
    h.server.stop()
    h.pump_until(lambda: h.state() == RECONNECTING, "podtui to notice")
    h.churn(1, connected=False)
    gone_uid = h.storage.get("pods", NS, "web-5")["metadata"]["uid"]
    h.storage.delete("pods", NS, "web-5")
    h.storage.compact()  # the server forgot the history podtui would resume from
    h.server.start()
    h.pump_until(lambda: h.source.reflectors[0].lists == 2, "a relist")
    h.wait_live()
    h.settle()  # the relist alone brought the changes made while down
    h.churn(2)
    h.assert_consistent()
    gone = h.store.pods[gone_uid]
    assert gone.is_tombstone
    removed = [t for t in gone.history if t.kind == REMOVED]
    assert removed and "(found on relist)" in removed[-1].detail and removed[-1].data["gone_after"] is not None


def test_stall_longer_than_the_read_timeout(h):
    h.churn(1)
    h.settle()
    assert h.server.faults.stall_watches(5.0) >= 2  # read timeout is 2 s
    h.churn(2)  # written while the streams are stalled
    h.pump_until(lambda: bool(reconnects(h, "read timeout")), "the read timeout to fire")
    h.wait_live()
    h.churn(1)
    h.assert_consistent()


def test_malformed_line_in_the_stream(h):
    h.churn(1)
    h.settle()
    assert h.server.faults.corrupt_watches() >= 2
    h.churn(2)
    h.pump_until(lambda: bool(reconnects(h, "malformed line")), "the malformed line to be noticed")
    h.churn(2)
    h.assert_consistent()


def test_token_expired_mid_session_is_reloaded_from_the_kubeconfig(h):
    h.churn(1)
    h.settle()
    new = h.server.faults.rotate_token()
    h.server.write_kubeconfig(h.kubeconfig, context="faults", namespace=NS, token=new)  # the user logged in again
    h.server.faults.cut_watches()  # the next requests carry the old token
    h.churn(2)
    h.pump_until(lambda: h.source.connection.generation >= 1, "a credential reload")
    h.wait_live()
    h.churn(2)
    h.assert_consistent()
    assert reconnects(h, "401 Unauthorized: reloaded credentials")
    assert not any(s.state == "failed" for s in h.statuses)


def test_server_errors_and_throttling_back_off_and_recover(h):
    h.server.faults.fail_next(2, 500, verbs=["watch"])
    h.server.faults.fail_next(1, 429, verbs=["watch"], retry_after=1)
    h.server.faults.cut_watches()
    h.churn(2)
    h.pump_until(lambda: len(reconnects(h)) >= 3, "three reconnect attempts")
    h.wait_live()
    h.churn(1)
    h.assert_consistent()
    throttled = reconnects(h, "429")
    assert throttled and throttled[0].retry_at - throttled[0].at >= 1.0


def test_everything_at_once(h):
    faults = h.server.faults
    faults.cut_watches_after(5)
    for r in range(6):
        h.churn(1, pause=0.02)
        h.event(f"web-{r}", r)
        if r == 2:
            faults.corrupt_watches()
        if r == 4:
            h.settle()
            faults.expire_watches()
            h.wait_live()
    faults.clear()
    h.assert_consistent()


def test_a_new_server_process_on_the_same_port_relists_keeps_survivors_and_tombstones_the_rest(h):
    # The API server killed and started again in a new process: its watch history is
    # gone, resourceVersions carry on (etcd's), so podtui's RV is too old: 410, relist.
    h.churn(2)
    h.settle()
    survivor = h.storage.get("pods", NS, "web-1")["metadata"]["uid"]
    gone = h.storage.get("pods", NS, "web-2")["metadata"]["uid"]
    h.server.stop()
    h.pump_until(lambda: h.state() == RECONNECTING, "podtui to notice")
    old = h.storage
    h.storage = Storage(h.clock, first_rv=old.resource_version + 1000)
    for p in old.list("pods"):
        if p["metadata"]["name"] != "web-2":
            h.storage.create("pods", p)  # the same objects (uids), at the new RVs
    h.server = APIServer(h.storage, port=h.server.port, token="first-token", bookmark_interval=0.3).start()
    h.pump_until(lambda: h.source.reflectors[0].lists == 2, "a relist")
    h.wait_live()
    h.churn(2)
    h.assert_consistent()
    assert any(s.state == RELISTING and "410" in s.detail for s in h.statuses)
    kept = h.store.pods[survivor]
    assert not kept.is_tombstone and {"step-1", "step-2", "step-4"} <= {t.new for t in kept.history if t.kind == REASON}
    assert h.store.pods[gone].is_tombstone
