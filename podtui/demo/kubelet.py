"""A simulated kubelet: what happens to a pod once it is bound to a node.

It follows the real kubelet's rules (upstream paths under pkg/kubelet/):
- SyncPod (kuberuntime/kuberuntime_manager.go) is the only place that decides what to
  start: init containers one at a time in order, sidecars (restartable init containers)
  kept running, then the app containers in spec order. While it pulls an image or runs
  a postStart hook the pod's worker is busy and nothing else of that pod starts.
- Crash back-off (doBackOff, client-go flowcontrol.Backoff): a container that exited is
  restarted at once the first time, then after 10s, 20s, 40s ... capped at 300s,
  measured from lastState.terminated.finishedAt; the entry resets when the container
  ran for more than 10 minutes. The same 10s..300s curve, measured from the failed
  attempt, applies to image pulls (images/image_manager.go).
- Probes (prober/worker.go): one worker per probe, created when the pod is admitted,
  probing every periodSeconds, skipping while the container is younger than
  initialDelaySeconds or its startup probe has not passed; a result flips only after
  failureThreshold failures or successThreshold successes in a row.
- killContainer (kuberuntime_container.go): Killing event, preStop inside the grace
  period, SIGTERM, SIGKILL when the grace period (at least 2s) runs out; sidecars stop
  after the app containers.
- Termination (kubelet_pods.go getPhase, status/generate.go): a terminated pod gets a
  terminal phase before the kubelet deletes it; finalizers keep the object.
Event reasons and messages are the kubelet's (pkg/kubelet/events).
"""

from __future__ import annotations

import hashlib

from podtui.demo.state import RUNNING, TERMINATED, WAITING, ContainerSim, PodSim, ProbeWorker, ts
from podtui.lifecycle.times import go_duration

BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0  # a container that ran longer than this starts the ladder again
SANDBOX_DELAY = 1.0  # sandbox and network up after admission
STATUS_LAG = 1.0  # PLEG relist: how long a fresh exit or pull error shows before back-off
ERROR_RESYNC = 10.0  # the pod worker requeues a pod whose sync failed after this long
MIN_GRACE = 2  # minimumGracePeriodInSeconds
NORMAL = "Normal"
WARNING = "Warning"
PROBE_NAMES = {"liveness": "Liveness", "readiness": "Readiness", "startup": "Startup"}


def pull_duration_text(seconds: float) -> str:
    """Go's Duration.String() truncated to milliseconds: 2s, 1.523s, 1m2.5s."""
    ms = int(seconds * 1000)
    minutes, ms = divmod(ms, 60_000)
    secs = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def image_ref(image: str) -> str:
    """A stable imageID for an image name, as containerd reports it."""
    repo = image.split("@")[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: repo.rfind(":")]
    first = repo.split("/")[0]
    if "/" not in repo:
        repo = f"docker.io/library/{repo}"
    elif "." not in first and ":" not in first and first != "localhost":
        repo = f"docker.io/{repo}"
    return f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def _exit_reason(code: int) -> str:
    return "Completed" if code == 0 else "Error"


class Kubelet:
    """One simulated kubelet for every node (pods carry their node)."""

    def __init__(self, world) -> None:
        self.world = world
        self.engine = world.engine
        self.events = world.events

    # ---- helpers -----------------------------------------------------------------

    def _event(self, pod: PodSim, type_: str, reason: str, message: str, c: ContainerSim | None = None) -> None:
        self.events.record(
            pod.ref,
            type_,
            reason,
            message,
            component="kubelet",
            host=pod.node.name if pod.node else "",
            field_path=c.field_path if c else "",
        )

    def _kick(self, pod: PodSim) -> None:
        """Run SyncPod for this pod at the current instant (once, however often asked)."""
        if not pod.sync_pending:
            pod.sync_pending = True
            self.engine.after(0.0, self._sync_now, pod)

    def _sync_now(self, pod: PodSim) -> None:
        pod.sync_pending = False
        self.sync(pod)

    def _retry_later(self, pod: PodSim, c: ContainerSim, at: float) -> None:
        c.retry_at = at
        self.engine.at(at, self._retry, pod, c, c.epoch)

    def _retry(self, pod: PodSim, c: ContainerSim, epoch: int) -> None:
        if c.epoch != epoch or c.retry_at is None:
            return
        c.retry_at = None
        self.sync(pod)

    def _set_waiting(self, c: ContainerSim, reason: str, message: str = "") -> None:
        if c.state == TERMINATED:
            c.last = c.term
        c.state = WAITING
        c.reason = reason
        c.message = message
        c.ready = False
        c.started = False

    # ---- admission -------------------------------------------------------------------

    def admit(self, pod: PodSim) -> None:
        """The pod showed up on its node: start time, pending statuses, probe workers."""
        if pod.removed or pod.terminal or pod.terminating:
            return
        now = self.engine.now
        if pod.deletion_ts is not None:
            self.world.kubelet_done(pod)
            return
        pod.start_time = now
        default = "PodInitializing" if pod.init else "ContainerCreating"
        for c in pod.containers:
            c.reason = default
        for c in pod.containers:
            if not c.probed:
                continue
            for kind in ("startup", "liveness", "readiness"):
                probe = c.spec.get(f"{kind}Probe")
                if probe:
                    worker = ProbeWorker(kind, probe, c.behavior.probes.get(kind))
                    c.probes[kind] = worker
                    self.engine.after(0.0, self._probe_tick, pod, c, worker)
        deadline = pod.spec.get("activeDeadlineSeconds")
        if isinstance(deadline, int) and deadline > 0:
            self.engine.at(now + deadline, self._active_deadline, pod)
        for gate, delay in pod.gate_plan.items():
            self.engine.at(now + delay, self._gate_true, pod, gate)
        self.world.changed(pod)
        self.engine.after(SANDBOX_DELAY, self._sandbox_ready, pod)

    def _sandbox_ready(self, pod: PodSim) -> None:
        if pod.removed or pod.terminating or pod.terminal:
            return
        pod.sandbox = True
        pod.ip = pod.node.allocate_ip()
        self.world.changed(pod)
        self.sync(pod)

    def _gate_true(self, pod: PodSim, gate: str) -> None:
        if pod.removed or pod.terminal:
            return
        pod.gates[gate] = "True"
        pod.set_condition(gate, "True", self.engine.now)
        self.world.changed(pod)

    # ---- SyncPod ---------------------------------------------------------------------

    def sync(self, pod: PodSim) -> None:
        if pod.removed or not pod.sandbox or pod.terminal or pod.terminating or pod.worker_busy is not None:
            return
        now = self.engine.now
        if not pod.initialized:
            for c in pod.init:
                if c.sidecar:
                    if c.state == RUNNING:
                        if c.started:
                            continue
                        return  # its startup probe has not passed yet
                    self._start(pod, c, now)
                    if pod.worker_busy is not None or c.state != RUNNING or not c.started:
                        return
                    continue
                if c.state == TERMINATED and c.term and c.term["exitCode"] == 0:
                    continue
                if c.state == RUNNING or c.busy:
                    return
                failed = c.term is not None and c.term["exitCode"] != 0
                if failed and pod.restart_policy == "Never":
                    self._settle_phase(pod)
                    return
                self._start(pod, c, now)
                return
            pod.initialized = True
        for c in pod.init:
            if c.sidecar and c.state != RUNNING and not c.busy:
                self._start(pod, c, now)
                if pod.worker_busy is not None:
                    return
        for c in pod.apps:
            if c.state == RUNNING or c.busy:
                continue
            if c.term is not None and not self._restarts(pod, c):
                continue
            self._start(pod, c, now)
            if pod.worker_busy is not None:
                return
        self._settle_phase(pod)

    def _restarts(self, pod: PodSim, c: ContainerSim) -> bool:
        policy = pod.restart_policy
        if c.sidecar or policy == "Always":
            return True
        return policy == "OnFailure" and c.term is not None and c.term["exitCode"] != 0

    def _start(self, pod: PodSim, c: ContainerSim, now: float) -> None:
        """computePodActions' "start this container": back-off, image, create, start."""
        if c.retry_at is not None:
            if now < c.retry_at:
                return
            c.retry_at = None
        if c.term is not None:
            remaining = self._crash_backoff(c, now)
            if remaining > 0:
                self._hold_in_backoff(pod, c, now, remaining)
                return
        self._ensure_image(pod, c, now)

    def _crash_backoff(self, c: ContainerSim, now: float) -> float:
        """doBackOff: seconds left in back-off, or 0 after recording the next step."""
        finished = c.finished_at
        expired = finished - c.bo_updated > BACKOFF_RESET
        if c.bo_delay and not expired and now - finished < c.bo_delay:
            return finished + c.bo_delay - now
        c.bo_delay = BACKOFF_INITIAL if (not c.bo_delay or expired) else min(c.bo_delay * 2, BACKOFF_MAX)
        c.bo_updated = now
        return 0.0

    def _hold_in_backoff(self, pod: PodSim, c: ContainerSim, now: float, remaining: float) -> None:
        message = f"back-off {go_duration(c.bo_delay)} restarting failed container={c.name} pod={pod.fmt}"
        if c.state != WAITING or c.reason != "CrashLoopBackOff" or c.message != message:
            self._set_waiting(c, "CrashLoopBackOff", message)
            c.epoch += 1
            self.world.changed(pod)
        self._event(pod, WARNING, "BackOff", f"Back-off restarting failed container {c.name} in pod {pod.fmt}", c)
        self._retry_later(pod, c, now + remaining)
        self._remind(pod, c, "crash")

    def _remind(self, pod: PodSim, c: ContainerSim, kind: str) -> None:
        """While a container waits out a back-off, the pod worker resyncs every ~10s and
        the kubelet repeats the BackOff event (the count of the Event climbs)."""
        if c.retry_at is not None and c.retry_at - self.engine.now > ERROR_RESYNC:
            self.engine.after(ERROR_RESYNC, self._reminder, pod, c, c.epoch, kind)

    def _reminder(self, pod: PodSim, c: ContainerSim, epoch: int, kind: str) -> None:
        if c.epoch != epoch or pod.terminating or pod.terminal or pod.removed:
            return
        if kind == "crash":
            self._event(pod, WARNING, "BackOff", f"Back-off restarting failed container {c.name} in pod {pod.fmt}", c)
        else:
            self._event(pod, NORMAL, "BackOff", f'Back-off pulling image "{c.image}"', c)
            self._event(pod, WARNING, "Failed", "Error: ImagePullBackOff", c)
        self._remind(pod, c, kind)

    # ---- images ----------------------------------------------------------------------

    def _ensure_image(self, pod: PodSim, c: ContainerSim, now: float) -> None:
        policy = c.spec.get("imagePullPolicy", "IfNotPresent")
        present = c.image in pod.node.images
        if (present and policy != "Always") or policy == "Never":
            self._event(pod, NORMAL, "Pulled", f'Container image "{c.image}" already present on machine', c)
            c.image_id = c.image_id or image_ref(c.image)
            self._create(pod, c, now)
            return
        expired = now - c.pull_updated > 2 * BACKOFF_MAX
        if c.pull_delay and not expired and now - c.pull_updated < c.pull_delay:
            message = f'Back-off pulling image "{c.image}"'
            self._set_waiting(c, "ImagePullBackOff", message)
            c.epoch += 1
            self._event(pod, NORMAL, "BackOff", message, c)
            self._event(pod, WARNING, "Failed", "Error: ImagePullBackOff", c)
            self.world.changed(pod)
            self._retry_later(pod, c, c.pull_updated + c.pull_delay)
            self._remind(pod, c, "pull")
            return
        self._event(pod, NORMAL, "Pulling", f'Pulling image "{c.image}"', c)
        c.busy = "pull"
        c.epoch += 1
        pod.worker_busy = c
        self.engine.after(c.behavior.pull, self._pull_done, pod, c, c.epoch, now)

    def _pull_done(self, pod: PodSim, c: ContainerSim, epoch: int, began: float) -> None:
        if c.epoch != epoch:
            return
        c.busy = None
        pod.worker_busy = None
        if pod.terminating or pod.terminal or pod.removed:
            return
        now = self.engine.now
        c.pulls += 1
        b = c.behavior
        if b.pull_error is not None and (b.pull_failures is None or c.pulls <= b.pull_failures):
            self._event(pod, WARNING, "Failed", f'Failed to pull image "{c.image}": {b.pull_error}', c)
            self._event(pod, WARNING, "Failed", "Error: ErrImagePull", c)
            expired = now - c.pull_updated > 2 * BACKOFF_MAX
            c.pull_delay = BACKOFF_INITIAL if (not c.pull_delay or expired) else min(c.pull_delay * 2, BACKOFF_MAX)
            c.pull_updated = now
            self._set_waiting(c, "ErrImagePull", b.pull_error)
            c.epoch += 1
            self.world.changed(pod)
            self._retry_later(pod, c, now + min(STATUS_LAG, c.pull_delay))
            self._kick(pod)
            return
        c.pull_delay = 0.0
        pod.node.images.add(c.image)
        c.image_id = image_ref(c.image)
        took = pull_duration_text(now - began)
        size = b.image_size if b.image_size is not None else 20_000_000 + int(c.image_id[-6:], 16) % 180_000_000
        self._event(
            pod,
            NORMAL,
            "Pulled",
            f'Successfully pulled image "{c.image}" in {took} ({took} including waiting). Image size: {size} bytes.',
            c,
        )
        self._create(pod, c, now)
        self._kick(pod)

    # ---- create, start, postStart ----------------------------------------------------

    def _missing_secret(self, pod: PodSim, c: ContainerSim) -> str | None:
        secrets = self.world.secrets
        for env in c.spec.get("env") or []:
            ref = ((env.get("valueFrom") or {}).get("secretKeyRef")) or {}
            name = ref.get("name")
            if name and not ref.get("optional") and (pod.namespace, name) not in secrets:
                return name
        for source in c.spec.get("envFrom") or []:
            ref = source.get("secretRef") or {}
            name = ref.get("name")
            if name and not ref.get("optional") and (pod.namespace, name) not in secrets:
                return name
        return None

    def _create(self, pod: PodSim, c: ContainerSim, now: float) -> None:
        missing = self._missing_secret(pod, c)
        if missing is not None:
            message = f'secret "{missing}" not found'
            self._event(pod, WARNING, "Failed", f"Error: {message}", c)
            if c.reason != "CreateContainerConfigError" or c.state != WAITING:
                self._set_waiting(c, "CreateContainerConfigError", message)
                self.world.changed(pod)
            c.epoch += 1
            self._retry_later(pod, c, now + ERROR_RESYNC)
            return
        hook = (c.spec.get("lifecycle") or {}).get("postStart")
        if hook:
            # SyncPod wrote the status before it started this instance, and the hook
            # runs inside that sync: until it returns the status is the one before,
            # the ended instance with its own restartCount and containerID.
            c.shown = c.status()
        if c.state == TERMINATED:
            c.last = c.term
        if c.created:
            c.restarts += 1
        c.created = True
        c.epoch += 1
        c.container_id = "containerd://" + self.world.hex(64)
        c.run_started = now
        self._event(pod, NORMAL, "Created", f"Created container: {c.name}", c)
        self._event(pod, NORMAL, "Started", f"Started container {c.name}", c)
        if hook:
            c.busy = "poststart"
            pod.worker_busy = c
            self.engine.after(c.behavior.post_start, self._post_start_done, pod, c, c.epoch)
            return
        self._running(pod, c, now)

    def _post_start_done(self, pod: PodSim, c: ContainerSim, epoch: int) -> None:
        if c.epoch != epoch:
            return
        c.busy = None
        c.shown = None
        pod.worker_busy = None
        if pod.removed or pod.terminal:
            return
        if c.behavior.post_start_error is not None and not pod.terminating:
            self._event(pod, WARNING, "FailedPostStartHook", "PostStartHook failed", c)
            c.hook_error = self._hook_message(pod, c, c.behavior.post_start_error)
            self._running(pod, c, c.run_started, publish=False)
            pod.worker_busy = c  # killContainer runs inside SyncPod
            self._kill(pod, c, pod.grace, "FailedPostStartHook")
            return
        self._running(pod, c, c.run_started)
        if pod.terminating:
            self._kill(pod, c, max(int(pod.kill_deadline - self.engine.now), 0))
            return
        self._kick(pod)

    def _hook_message(self, pod: PodSim, c: ContainerSim, output: str) -> str:
        hook = (c.spec.get("lifecycle") or {}).get("postStart") or {}
        if "exec" in hook:
            command = " ".join(str(part) for part in (hook["exec"].get("command") or []))
            return (
                f'Exec lifecycle hook ([{command}]) for Container "{c.name}" in Pod "{pod.fmt}" failed - '
                f"error: command '{command}' exited with 1: {output}, message: \"{output}\""
            )
        if "httpGet" in hook:
            http = hook["httpGet"]
            url = f"http://{pod.ip}:{http.get('port', 80)}{http.get('path', '/')}"
            return f'Get "{url}": {output}'
        return output

    def _running(self, pod: PodSim, c: ContainerSim, started_at: float, publish: bool = True) -> None:
        c.state = RUNNING
        c.started_at = started_at
        c.reason = ""
        c.message = ""
        c.started = not c.has_probe("startup")
        c.ready = c.started and not c.has_probe("readiness") and c.probed
        c.epoch += 1
        b = c.behavior
        if b.run is not None and publish:
            at = max(started_at + b.run, self.engine.now)
            if b.oom:
                self.engine.at(at, self._exit, pod, c, c.epoch, 137, "OOMKilled")
            elif b.signal:
                # Runtimes that report the signal leave the reason empty: kubectl
                # then shows Signal:N.
                self.engine.at(at, self._exit, pod, c, c.epoch, 128 + b.signal, "", b.signal)
            else:
                self.engine.at(at, self._exit, pod, c, c.epoch, b.exit_code, _exit_reason(b.exit_code))
        if publish:
            self.world.changed(pod)

    # ---- exits and kills -------------------------------------------------------------

    def _exit(self, pod: PodSim, c: ContainerSim, epoch: int, code: int, reason: str, signal: int = 0) -> None:
        if c.epoch != epoch or pod.removed:
            return
        now = self.engine.now
        c.epoch += 1
        c.term = {"exitCode": code}
        if signal:
            c.term["signal"] = signal
        if reason:
            c.term["reason"] = reason
        c.term.update(startedAt=ts(c.started_at), finishedAt=ts(now), containerID=c.container_id)
        c.finished_at = now
        c.state = TERMINATED
        c.ready = False
        c.started = False
        if c.init and not c.sidecar:
            c.ready = code == 0
        if pod.worker_busy is c:
            pod.worker_busy = None
        c.busy = None
        c.awaiting_turn = False
        self.world.changed(pod)
        if pod.terminating:
            self._stopped_while_terminating(pod)
            return
        if pod.terminal:
            return
        if c.hook_error is not None:
            self._set_waiting(c, "PostStartHookError", c.hook_error)
            c.hook_error = None
        # The exit shows for a moment (PLEG) before the next sync puts the container in
        # back-off; a restart that is not held back happens at once.
        held = c.bo_delay and not (now - c.bo_updated > BACKOFF_RESET)
        if held and self._restarts(pod, c) and not (c.init and not c.sidecar and code == 0):
            self._retry_later(pod, c, now + STATUS_LAG)
        self._kick(pod)

    def _kill(self, pod: PodSim, c: ContainerSim, grace: int, message: str = "", ordered: bool = False) -> None:
        """killContainer: Killing event, preStop within the grace period, then SIGTERM
        (sidecars in a pod's termination wait for the app containers first)."""
        now = self.engine.now
        self._event(pod, NORMAL, "Killing", message or f"Stopping container {c.name}", c)
        c.busy = "stopping"
        c.epoch += 1
        epoch = c.epoch
        hook = (c.spec.get("lifecycle") or {}).get("preStop")
        spent = 0.0
        if hook and grace > 0:
            if "sleep" in hook:
                wanted = float((hook.get("sleep") or {}).get("seconds", 0))
            else:
                wanted = c.behavior.pre_stop
            spent = min(wanted, float(grace))
        remaining = max(grace - spent, MIN_GRACE)
        deadline = now + spent + remaining
        self.engine.at(now + spent, self._after_pre_stop, pod, c, epoch, deadline, ordered)

    def _after_pre_stop(self, pod: PodSim, c: ContainerSim, epoch: int, deadline: float, ordered: bool) -> None:
        if c.epoch != epoch:
            return
        if ordered and any(a.state == RUNNING or a.busy for a in pod.containers if not a.sidecar):
            c.awaiting_turn = True  # _stopped_while_terminating sends SIGTERM when the apps are gone
            return
        self._sigterm(pod, c, epoch, deadline)

    def _sigterm(self, pod: PodSim, c: ContainerSim, epoch: int, deadline: float) -> None:
        now = self.engine.now
        remaining = max(deadline - now, MIN_GRACE)
        b = c.behavior
        if b.stop < remaining:
            self.engine.at(now + b.stop, self._exit, pod, c, epoch, b.stop_exit_code, _exit_reason(b.stop_exit_code))
        else:
            self.engine.at(now + remaining, self._exit, pod, c, epoch, 137, "Error")

    # ---- probes ----------------------------------------------------------------------

    def _probe_tick(self, pod: PodSim, c: ContainerSim, w: ProbeWorker) -> None:
        if pod.removed or pod.terminal:
            return
        period = float(w.spec.get("periodSeconds", 10))
        self.engine.after(period, self._probe_tick, pod, c, w)
        if pod.terminating and w.kind != "readiness":
            return
        if c.state != RUNNING or c.busy:
            return
        if w.container_id != c.container_id:
            w.container_id = c.container_id
            w.result = {"readiness": False, "liveness": True}.get(w.kind)
            w.on_hold = False
        if w.on_hold:
            return
        now = self.engine.now
        elapsed = now - c.started_at
        if int(elapsed) < int(w.spec.get("initialDelaySeconds", 0)):
            return
        if w.kind != "startup" and "startup" in c.probes and not c.started:
            return
        passed = True if w.behavior is None else w.behavior.passes(elapsed)
        name = PROBE_NAMES[w.kind]
        if not passed:
            output = (w.behavior.output if w.behavior else None) or self._probe_output(pod, c, w)
            self._event(pod, WARNING, "Unhealthy", f"{name} probe failed: {output}", c)
        elif w.behavior is not None and w.behavior.warning:
            self._event(pod, WARNING, "ProbeWarning", f"{name} probe warning: {w.behavior.warning}", c)
        if w.last == passed:
            w.run += 1
        else:
            w.last = passed
            w.run = 1
        threshold = int(w.spec.get("successThreshold" if passed else "failureThreshold", 1 if passed else 3))
        if w.run < threshold:
            return
        if w.result == passed:
            return
        w.result = passed
        if w.kind == "readiness":
            c.ready = passed and c.started
            self.world.changed(pod)
        elif w.kind == "startup" and passed:
            c.started = True
            c.ready = not c.has_probe("readiness")
            self.world.changed(pod)
            self._kick(pod)
        elif not passed:
            # liveness or startup failed: restart the container
            w.on_hold = True
            w.run = 0
            grace = w.spec.get("terminationGracePeriodSeconds") or pod.grace
            self._kill(pod, c, int(grace), f"Container {c.name} failed {w.kind} probe, will be restarted")

    def _probe_output(self, pod: PodSim, c: ContainerSim, w: ProbeWorker) -> str:
        probe = w.spec
        refused = w.behavior is not None and w.behavior.refused
        if "httpGet" in probe:
            if not refused:
                return "HTTP probe failed with statuscode: 503"
            http = probe["httpGet"]
            host = http.get("host") or pod.ip
            port = _port(c, http.get("port", 80))
            scheme = str(http.get("scheme", "HTTP")).lower()
            return f'Get "{scheme}://{host}:{port}{http.get("path", "/")}": dial tcp {host}:{port}: connect: connection refused'
        if "tcpSocket" in probe:
            port = _port(c, probe["tcpSocket"].get("port", 80))
            return f"dial tcp {probe['tcpSocket'].get('host') or pod.ip}:{port}: connect: connection refused"
        if "grpc" in probe:
            if not refused:
                return 'service unhealthy (responded with "NOT_SERVING")'
            # prober/grpc.go: the dial times out on a port nobody listens on
            return f'timeout: failed to connect service "{pod.ip}:{probe["grpc"].get("port")}" within {probe.get("timeoutSeconds", 1)}s: context deadline exceeded'
        return ""

    # ---- pod-level endings -----------------------------------------------------------

    def terminate(self, pod: PodSim, grace: int, why: str) -> None:
        """Stop every container of the pod (deletion, eviction, deadline)."""
        if pod.terminating or pod.terminal or pod.removed:
            return
        now = self.engine.now
        pod.terminating = True
        pod.term_why = why
        pod.kill_deadline = now + grace
        if pod.worker_busy is not None and pod.worker_busy.busy == "pull":
            pod.worker_busy.busy = None
            pod.worker_busy.epoch += 1
            pod.worker_busy = None
        for c in pod.containers:
            c.retry_at = None
            if c.state != RUNNING and c.busy is None:
                c.epoch += 1  # cancel back-off retries and reminders
            # A postStart hook still running finishes first (_post_start_done kills).
        running = [c for c in pod.containers if c.state == RUNNING and c.busy != "stopping" and not c.sidecar]
        for c in running:
            self._kill(pod, c, grace)
        for c in pod.sidecars:
            if c.state == RUNNING and c.busy != "stopping":
                self._kill(pod, c, grace, ordered=True)
        self.world.changed(pod)
        self._stopped_while_terminating(pod)

    def shorten(self, pod: PodSim, grace: int) -> None:
        """A second DELETE with a shorter grace period: the kill under way starts over
        with the new grace from now (pod_workers.go wasGracePeriodShortened, then
        killContainer's minimum), not from the first request as deletionTimestamp says."""
        if not pod.terminating:
            return
        kill_at = self.engine.now + max(grace, MIN_GRACE)
        pod.kill_deadline = min(pod.kill_deadline, kill_at)
        for c in pod.containers:
            if c.busy == "stopping":
                # Whichever of this and the scheduled exit comes first wins (epochs).
                self.engine.at(kill_at, self._exit, pod, c, c.epoch, 137, "Error")

    def _stopped_while_terminating(self, pod: PodSim) -> None:
        busy = [c for c in pod.containers if c.state == RUNNING or c.busy]
        apps_busy = any(c.state == RUNNING or c.busy for c in pod.containers if not c.sidecar)
        if not apps_busy:
            for c in pod.sidecars:
                if c.awaiting_turn:
                    c.awaiting_turn = False
                    self._sigterm(pod, c, c.epoch, pod.kill_deadline)
        if not busy:
            self._finish(pod)

    def _finish(self, pod: PodSim) -> None:
        """All containers are down: terminal phase, sandbox gone, then the final delete."""
        pod.terminating = False
        pod.terminal = True
        pod.sandbox = False
        for c in pod.containers:
            if c.state == WAITING:
                c.epoch += 1
                if c.last is not None:
                    c.term = c.last
                else:
                    c.term = {
                        "exitCode": 137,
                        "reason": "ContainerStatusUnknown",
                        "message": "The container could not be located when the pod was terminated",
                        "startedAt": None,
                        "finishedAt": None,
                    }
                c.state = TERMINATED
                c.ready = False
                c.started = False
        if pod.term_why in ("evicted", "deadline"):
            pod.phase = "Failed"
        else:
            pod.phase = get_phase(pod, terminal=True)
        self.world.changed(pod)
        self.world.kubelet_done(pod)

    def _settle_phase(self, pod: PodSim) -> None:
        """A pod whose containers will not run again (restartPolicy Never/OnFailure) is done;
        sidecars still running are stopped first."""
        phase = get_phase(pod, terminal=False)
        if phase not in ("Succeeded", "Failed"):
            return
        if any(c.state == RUNNING or c.busy for c in pod.containers if not c.sidecar):
            return
        if any(c.state == RUNNING for c in pod.sidecars):
            self.terminate(pod, pod.grace, "completed")
            return
        pod.terminal = True
        pod.sandbox = False
        pod.phase = phase
        for c in pod.containers:
            c.epoch += 1
        self.world.changed(pod)
        self.world.kubelet_done(pod)

    def _active_deadline(self, pod: PodSim) -> None:
        if pod.removed or pod.terminal or pod.terminating:
            return
        message = "Pod was active on the node longer than the specified deadline"
        self._event(pod, WARNING, "DeadlineExceeded", message)
        pod.reason = "DeadlineExceeded"
        pod.message = message
        self.terminate(pod, pod.grace, "deadline")

    def evict_for_pressure(self, pod: PodSim, resource: str) -> None:
        """The eviction manager: Evicted, DisruptionTarget (TerminationByKubelet), killed."""
        if pod.removed or pod.terminal or pod.terminating or pod.start_time is None:
            return
        biggest = pod.apps[0].name
        if resource == "memory":
            message = (
                "The node was low on resource: memory. Threshold quantity: 100Mi, available: 88912Ki. "
                f"Container {biggest} was using 1843200Ki, request is 0, has larger consumption of memory. "
            )
        elif resource == "ephemeral-storage":
            message = (
                "The node was low on resource: ephemeral-storage. Threshold quantity: 10%, available: 1928Mi. "
                f"Container {biggest} was using 8612Mi, request is 0, has larger consumption of ephemeral-storage. "
            )
        else:
            message = "The node was low on resource: pids. Threshold quantity: 100, available: 31. "
        self._event(pod, WARNING, "Evicted", message)
        pod.reason = "Evicted"
        pod.message = message
        pod.set_condition("DisruptionTarget", "True", self.engine.now, "TerminationByKubelet", message)
        self.terminate(pod, 0, "evicted")


def get_phase(pod: PodSim, terminal: bool) -> str:
    """pkg/kubelet/kubelet_pods.go getPhase, on the simulation's container states."""
    pending_regular_init = pending_sidecars = failed_init = 0
    for c in pod.init:
        if c.sidecar:
            if c.state == RUNNING:
                if not c.started:
                    pending_sidecars += 1
            elif c.state == WAITING and c.last is None:
                pending_sidecars += 1
            continue
        if c.state == RUNNING:
            pending_regular_init += 1
        elif c.state == TERMINATED:
            if c.term and c.term["exitCode"] != 0:
                failed_init += 1
        elif c.last is not None:
            if c.last["exitCode"] != 0:
                failed_init += 1
        else:
            pending_regular_init += 1
    running = waiting = stopped = succeeded = 0
    for c in pod.apps:
        if c.state == RUNNING:
            running += 1
        elif c.state == TERMINATED:
            stopped += 1
            if c.term and c.term["exitCode"] == 0:
                succeeded += 1
        elif c.last is not None:
            stopped += 1
        else:
            waiting += 1
    if failed_init and pod.restart_policy == "Never":
        return "Failed"
    if pending_regular_init or (pending_sidecars and stopped != len(pod.apps)):
        return "Pending"
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if terminal:
            return "Succeeded" if stopped == succeeded else "Failed"
        if pod.restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if pod.restart_policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


def _port(c: ContainerSim, port) -> object:
    """A probe's port, a named one resolved from the container's ports as the kubelet does."""
    if isinstance(port, str):
        for p in c.spec.get("ports") or ():
            if p.get("name") == port:
                return p.get("containerPort", port)
    return port
