"""One wording of how an instance ended, whichever pane or report shows it: the
Containers pane said `exit code 143 (SIGTERM?)` where the Timeline said `exit 143 (SIGTERM)`."""

from __future__ import annotations

import pytest

from podtui.lifecycle.history import exit_signal, exit_text, signal_name, terminated_exit_text


@pytest.mark.parametrize("terminated, text, signal", [
    ({"exitCode": 143, "reason": "Error"}, "exit 143 (SIGTERM)", 15),
    ({"exitCode": 137, "reason": "OOMKilled"}, "exit 137", 9),
    ({"exitCode": 137, "reason": "Error"}, "exit 137", 9),
    ({"exitCode": 139}, "exit 139 (SIGSEGV)", 11),
    ({"exitCode": 130}, "exit 130 (SIGINT)", 2),
    ({"exitCode": 1, "reason": "Error"}, "exit 1", None),
    ({"exitCode": 0, "reason": "Completed"}, "exit 0", None),
    ({"exitCode": 128, "reason": "StartError"}, "exit 128", None),
    ({"exitCode": 200}, "exit 200", None),
    ({"exitCode": 2, "signal": 15}, "exit 2 (SIGTERM)", 15),  # the status's own signal wins
    ({"signal": 9}, "signal 9 (SIGKILL)", 9),
    # A number without a name gets no brackets: "exit 157 (signal 29)", "signal 40 (signal 40)" said it twice.
    ({"exitCode": 157}, "exit 157", 29),
    ({"signal": 40}, "signal 40", 40),
    ({"exitCode": 138}, "exit 138 (SIGUSR1)", 10),
    ({"exitCode": 140}, "exit 140 (SIGUSR2)", 12),
    ({"exitCode": 0, "signal": 10}, "exit 0 (SIGUSR1)", 10),
    # No signal is 0 or below: "exit 1 (signal -1)" named one.
    ({"exitCode": 1, "signal": -1}, "exit 1", None),
    ({"exitCode": 143, "signal": -1}, "exit 143 (SIGTERM)", 15),
    ({"exitCode": 2, "signal": 0}, "exit 2", None),
    ({"signal": -1}, "exit code unknown", None),
    ({"signal": 0}, "exit code unknown", None),
    ({}, "exit code unknown", None),
    ({"exitCode": "143", "signal": True}, "exit code unknown", None),  # not numbers: nothing made up
])
def test_one_exit_wording_from_a_status_and_from_an_instance(terminated, text, signal):
    assert terminated_exit_text(terminated) == text
    code, sig = terminated.get("exitCode"), terminated.get("signal")
    if isinstance(code, int) or (isinstance(sig, int) and not isinstance(sig, bool)):
        assert exit_text(code if isinstance(code, int) else None, sig) == text
        assert exit_signal(code if isinstance(code, int) else None, sig) == signal


@pytest.mark.parametrize("sig, name", [(9, "SIGKILL"), (10, "SIGUSR1"), (12, "SIGUSR2"), (15, "SIGTERM"),
                                       (29, None), (40, None), (0, None), (-1, None)])
def test_a_signal_is_named_or_not_at_all(sig, name):
    assert signal_name(sig) == name


def _terminated_in_history(terminated: dict) -> str:
    from podtui.lifecycle.history import diff
    from podtui.lifecycle.records import CONTAINER_STATE
    started = {"startedAt": "2024-05-01T10:00:00Z"}
    before = {"status": {"containerStatuses": [{"name": "app", "restartCount": 0, "state": {"running": started}}]}}
    after = {"status": {"containerStatuses": [{"name": "app", "restartCount": 0, "state": {"terminated": {
        **started, "finishedAt": "2024-05-01T10:01:00Z", **terminated}}}]}}
    [t] = [t for t in diff(before, after, 1714557700.0) if t.kind == CONTAINER_STATE]
    return t.detail


@pytest.mark.parametrize("terminated, detail", [
    # The Timeline said "exit code 143, signal 15 (Error)" beside the Explain pane's
    # "exit 143 (SIGTERM), reason Error": the history's entries use the same words.
    ({"exitCode": 143, "signal": 15, "reason": "Error"}, "exit 143 (SIGTERM), reason Error"),
    ({"exitCode": 137, "reason": "OOMKilled"}, "exit 137, reason OOMKilled"),
    ({"exitCode": 0, "reason": "Completed"}, "exit 0, reason Completed"),
    ({"exitCode": 1, "reason": "Error", "message": "Traceback (most recent call last):\n  x\nValueError: bad\n"},
     "exit 1, reason Error: ValueError: bad"),
    ({"signal": 9}, "signal 9 (SIGKILL)"),
    ({"signal": 40, "reason": "Error"}, "signal 40, reason Error"),
    ({"exitCode": 1, "signal": -1, "reason": "Error"}, "exit 1, reason Error"),
    ({}, "exit code unknown"),
])
def test_a_history_entry_says_how_an_instance_ended_as_explain_does(terminated, detail):
    assert _terminated_in_history(terminated) == detail
    assert detail.startswith(terminated_exit_text(terminated))
