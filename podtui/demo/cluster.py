"""DemoCluster: a scenario running against podtui's API server.

Simulated time is a Clock. In tests it is a ManualClock and advance() runs the
simulation instantly and deterministically; with start() a driver thread follows a
ScaledClock (`speed` simulated seconds per real second) and runs whatever is due a few
tens of times per second, while the API server serves Storage over the real
list/watch protocol. A DELETE through the server (kubectl delete pod) goes through the
simulation, so it is graceful like a real one. --stop-after freezes the cluster: the
simulation stops at that simulated time and the clock stands still, but the server
keeps serving the final picture.
"""

from __future__ import annotations

import logging
import threading
from os import PathLike

from podtui.apiserver.server import APIServer
from podtui.apiserver.storage import Storage
from podtui.clock import Clock, ManualClock, ScaledClock
from podtui.demo.scale import ScaleWorld
from podtui.demo.scenario import Scenario, ScaleSettings, load_scenario
from podtui.demo.world import World
from podtui.lifecycle.times import format_ts

DRIVER_HZ = 30.0
# Simulated seconds of watch history kept (etcd, compacted every 5 minutes, keeps 5 to
# 10): without it a quiet demo left running held 50,000 versions, days of them.
HISTORY_RETENTION = 600.0

log = logging.getLogger("podtui.demo")
log.addHandler(logging.NullHandler())


class DemoCluster:
    def __init__(
        self,
        scenario: Scenario | str = "default",
        *,
        clock: Clock | None = None,
        seed: int | None = None,
        speed: float = 1.0,
        stop_after: float | None = None,
        scale: ScaleSettings | None = None,
        storage_window: int = 50_000,
    ) -> None:
        if isinstance(scenario, str):
            scenario = load_scenario(scenario)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.scenario = scenario
        self.clock: Clock = clock if clock is not None else ScaledClock(speed)
        self.start_time = self.clock.time()
        # Versions carry on across a restart of the process, as etcd's revisions do: a
        # client's old RV is then too old (410, relist), not a future one its watch
        # silently waits on. Microseconds outrun any event rate the demo reaches.
        self.storage = Storage(self.clock, window=storage_window, first_rv=max(1, int(self.start_time * 1e6)),
                               retention=HISTORY_RETENTION)
        if scenario.scale is not None or scale is not None:
            self.world: World | ScaleWorld = ScaleWorld(scenario, self.storage, self.start_time, seed, scale)
        else:
            self.world = World(scenario, self.storage, self.start_time, seed)
        self.world.load()
        self.stop_at = None if stop_after is None else self.start_time + stop_after
        self.frozen = False
        self.server: APIServer | None = None
        self.lock = threading.RLock()
        self._driver: threading.Thread | None = None
        self._stopping = threading.Event()

    # ---- simulated time ------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.world.engine.now

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the cluster started."""
        return self.world.engine.now - self.start_time

    def advance(self, seconds: float) -> int:
        """Run the next `seconds` of simulated time at once (ManualClock; no driver)."""
        return self.run_until(self.world.engine.now + seconds)

    def run_until(self, t: float) -> int:
        with self.lock:
            limit = t if self.stop_at is None else min(t, self.stop_at)
            ran = self.world.engine.run_until(limit) if limit >= self.world.engine.now else 0
            if self.stop_at is not None and t >= self.stop_at:
                self._freeze()
            if isinstance(self.clock, ManualClock) and self.clock.time() < self.world.engine.now:
                self.clock.set(self.world.engine.now)
            return ran

    def _freeze(self) -> None:
        if not self.frozen:
            self.frozen = True
            if isinstance(self.clock, ScaledClock):
                self.clock.freeze(self.stop_at)

    # ---- serving -------------------------------------------------------------------

    def start(
        self,
        *,
        serve: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        tls=None,
        drive: bool = True,
    ) -> DemoCluster:
        """Start the API server (serve) and the real-time driver thread (drive)."""
        if serve and self.server is None:
            server = APIServer(self.storage, host=host, port=port, tls=tls, token=token, clock=self.clock)
            server.on_delete = self._on_delete
            self.server = server.start()
        if drive and self._driver is None and not isinstance(self.clock, ManualClock):
            self._stopping.clear()
            self._driver = threading.Thread(target=self._drive, name="podtui-demo-driver", daemon=True)
            self._driver.start()
        return self

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("the demo cluster is not serving; call start()")
        return self.server.url

    def write_kubeconfig(self, path: str | PathLike, *, context: str = "podtui-demo", namespace: str | None = None) -> None:
        if self.server is None:
            raise RuntimeError("the demo cluster is not serving; call start()")
        self.server.write_kubeconfig(path, context=context, namespace=namespace)

    def stop(self) -> None:
        """Stop the driver and the server; idempotent."""
        self._stopping.set()
        driver, self._driver = self._driver, None
        if driver is not None:
            driver.join(5.0)
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> DemoCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _drive(self) -> None:
        interval = 1.0 / DRIVER_HZ
        while not self._stopping.wait(interval):
            try:
                self.run_until(self.clock.time())
            except Exception:  # noqa: BLE001 - a bug in the simulation
                # Uncaught, the thread dies with its traceback on stderr, which the UI
                # owns, and the cluster stops changing for no reason anyone can see.
                log.exception("the simulation failed at %s; the cluster stops changing", format_ts(self.world.engine.now))
                return
            if self.frozen:
                return

    # ---- what kubectl can change ---------------------------------------------------------

    def delete_pod(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        """A DELETE of a pod, as the API server would take it (also the server's hook)."""
        return self._change(self.world.request_delete, namespace, name, grace)

    def evict_pod(self, namespace: str, name: str, grace: int | None = None) -> dict | None:
        return self._change(self.world.evict, namespace, name, grace)

    def _change(self, method, namespace: str, name: str, grace: int | None) -> dict | None:
        """Call a world method for a kubectl request: nothing once frozen, and only after
        the simulation has caught up with the clock."""
        with self.lock:
            if self.frozen:
                return None
            if not isinstance(self.clock, ManualClock):
                self.run_until(self.clock.time())
            return method(namespace, name, grace)

    def _on_delete(self, resource: str, namespace: str, name: str, options: dict) -> dict | None:
        if resource != "pods" or options.get("dryRun"):
            return None
        grace = options.get("gracePeriodSeconds")
        grace = grace if isinstance(grace, int) and not isinstance(grace, bool) and grace >= 0 else None
        final = self.delete_pod(namespace, name, grace)
        # Still there (graceful): the server answers with what storage holds now.
        return final if final is not None and self.storage.get("pods", namespace, name) is None else None
