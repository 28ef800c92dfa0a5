"""Which lifecycle colour a kubectl STATUS (and a NEXT step) is painted with.

The names are theme variables ($phase-running, ...; see themes.LIFECYCLE_FALLBACKS),
so a theme decides the actual colours.
"""

from __future__ import annotations

# Waiting / terminated reasons that mean the pod is not getting better on its own.
_FAILED = {
    "Failed", "Error", "OOMKilled", "Evicted", "DeadlineExceeded", "ContainerStatusUnknown",
    "StartError", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    "InvalidImageName", "PostStartHookError", "PreStopHookError", "NodeAffinity",
    "OutOfcpu", "OutOfmemory", "UnexpectedAdmissionError", "Shutdown", "Terminated",
}
_BACKOFF = {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "RegistryUnavailable"}
_SUCCEEDED = {"Succeeded", "Completed"}
_UNKNOWN = {"Unknown", "NodeLost"}
_PENDING = {"Pending", "ContainerCreating", "PodInitializing", "SchedulingGated"}


def status_colour(status: str, ready: str = "", deleted: bool = False) -> str:
    """kubectl STATUS (+ READY "n/m") -> theme variable name, without the `$`."""
    if deleted:
        return "status-deleted"
    if status == "Running":
        return "phase-running" if _all_ready(ready) else "status-notready"
    if status == "NotReady":
        return "status-notready"
    if status == "Terminating":
        return "status-terminating"
    if status in _SUCCEEDED:
        return "phase-succeeded"
    if status in _UNKNOWN:
        return "phase-unknown"
    if status in _PENDING:
        return "phase-pending"
    if status.startswith("Init:"):
        reason = status[5:]
        if reason in _BACKOFF:
            return "status-backoff"
        if reason in _FAILED or reason.startswith(("Signal:", "ExitCode:")):
            return "phase-failed"
        return "phase-pending"  # Init:1/3
    if status in _BACKOFF:
        return "status-backoff"
    if status in _FAILED or status.startswith(("Signal:", "ExitCode:")):
        return "phase-failed"
    return "phase-pending"


def _all_ready(ready: str) -> bool:
    have, _, want = ready.partition("/")
    return bool(want) and have == want


NEXT_COLOURS = {"info": "next-info", "warning": "next-warning", "error": "next-error"}


def next_colour(severity: str) -> str:
    return NEXT_COLOURS.get(severity, "next-info")
