"""Which ended containers the kubelet restarts: backoff.will_restart and mains_done,
against container/helpers.go ShouldContainerBeRestarted (the exit code alone, under
OnFailure) and kuberuntime_manager.go computePodActions (sidecars run until every
main container is done)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from podtui.lifecycle.backoff import just_crashed, mains_done, will_restart
from podtui.lifecycle.read import container_statuses
from podtui.lifecycle.times import format_ts

T0 = 1_714_557_600.0


def _terminated(name: str, code: int, reason: str, restarts: int = 0) -> dict:
    return {"name": name, "restartCount": restarts, "state": {"terminated": {
        "exitCode": code, "reason": reason, "startedAt": format_ts(T0 - 5), "finishedAt": format_ts(T0)}}}


def _pod(policy: str, statuses: list[dict], mains=("app",), sidecars=(), init_statuses=()) -> dict:
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "u"},
            "spec": {"restartPolicy": policy,
                     "initContainers": [{"name": n, "restartPolicy": "Always"} for n in sidecars],
                     "containers": [{"name": n} for n in mains]},
            "status": {"phase": "Running", "containerStatuses": statuses,
                       "initContainerStatuses": list(init_statuses)}}


@pytest.mark.parametrize("policy, kind, code, reason, restarts", [
    # Exit 0 is success under OnFailure whatever the runtime called it.
    ("OnFailure", "main", 0, "Error", False),
    ("OnFailure", "main", 0, "Completed", False),
    ("OnFailure", "main", 1, "Error", True),
    ("OnFailure", "main", None, "", True),  # no exit code: not known to have succeeded
    ("Always", "main", 0, "Completed", True),
    ("Never", "main", 1, "Error", False),
    # isInitContainerFailed: OOMKilled fails an init container even with exit 0.
    ("OnFailure", "init", 0, "OOMKilled", True),
    ("Always", "init", 0, "Completed", False),
    ("Always", "init", 0, "Error", False),
    ("Never", "init", 1, "Error", False),
])
def test_will_restart_reads_the_exit_code_as_the_kubelet_does(policy, kind, code, reason, restarts):
    assert will_restart(_pod(policy, []), {}, kind, code, reason) is restarts


def _mains_done(pod: dict) -> bool:
    return mains_done(pod, container_statuses(pod))


def test_a_main_container_without_a_status_is_not_done():
    done = _terminated("app", 0, "Completed")
    assert _mains_done(_pod("OnFailure", [done], mains=("app", "worker"))) is False
    assert _mains_done(_pod("Never", [done], mains=("app", "worker"))) is False
    both = [done, _terminated("worker", 0, "Completed")]
    assert _mains_done(_pod("OnFailure", both, mains=("app", "worker"))) is True


def test_init_containers_statuses_are_no_main_containers():
    # mains_done reads the statuses its caller read (init ones among them): a running
    # sidecar or an init container is not a main container still to finish.
    running = {"name": "proxy", "restartCount": 0, "state": {"running": {"startedAt": format_ts(T0 - 9)}}}
    pod = _pod("Never", [_terminated("app", 1, "Error")], sidecars=("proxy",), init_statuses=[running])
    pod["spec"]["initContainers"].append({"name": "setup"})
    pod["status"]["initContainerStatuses"].append({**running, "name": "setup"})
    assert _mains_done(pod) is True
    # A status the spec doesn't declare (a partial spec) is a main container's, as before.
    pod["status"]["containerStatuses"].append({**running, "name": "worker"})
    assert _mains_done(pod) is False


def test_a_sidecar_that_crashed_before_every_main_container_started_is_restarted():
    pod = _pod("Never", [_terminated("app", 0, "Completed")], mains=("app", "worker"), sidecars=("proxy",),
               init_statuses=[_terminated("proxy", 1, "Error", restarts=1)])
    record = SimpleNamespace(obj=pod, events=[], deleted_at=None, ladders={})
    assert [b.container for b in just_crashed(record, T0 + 1)] == ["proxy"]
