"""The Containers pane's line for a container whose postStart hook the kubelet is
running: what NEXT says (podtui.lifecycle.hooks, one check), not "restart #3 due" for
the hook's whole length while the status still shows the back-off it has served."""

from __future__ import annotations

import re

from podtui.lifecycle.explain import container_line
from podtui.lifecycle.nextstep import next_step
from tests.lifecycle.test_next_post_start import replay_poststart_fail


def test_the_containers_line_says_the_hook_next_says():
    agreed: list[tuple[float, str, str]] = []
    for t, rec in replay_poststart_fail():
        step = next_step(rec, t) if rec is not None else None
        if step is None or not step.text.startswith("postStart hook"):
            continue
        said = container_line(rec, "app", t)
        assert said is not None and step.text in said and " due" not in said, (t, step.text, said)
        agreed.append((t, step.text, said))
    texts = {text for _, text, _ in agreed}
    assert {"postStart hook running for 1s", "postStart hook failed"} <= texts, agreed
    # A restart's hook follows the crash it restarts from; the first start's has none.
    assert any(said.startswith("crashed ") and ", restart #" in said for _, _, said in agreed), agreed
    assert any(said.startswith("postStart hook running for ") for _, _, said in agreed), agreed


def test_the_containers_line_says_the_crash_its_cause_then_the_restarts_hook_once_each():
    # Was "crashed 22s ago, restart #3 started, postStart hook failed: postStart hook failed
    # (warmup: ...)": the restart's hook, then the crash's cause read as the hook's.
    line = re.compile(r"crashed \d+s ago: postStart hook failed \(warmup: [^()]+\), exit 143 \(SIGTERM\); "
                      r"restart #\d+ started, (?P<hook>postStart hook running for \d+s|its hook failed again)")
    hooks = set()
    for t, rec in replay_poststart_fail():
        said = container_line(rec, "app", t) if rec is not None else None
        if said is None or " started, " not in said:
            continue
        found = line.fullmatch(said)
        assert found is not None and said.count("postStart hook failed") == 1, (t, said)
        hooks.add(found["hook"].rstrip("0123456789s"))
    assert hooks == {"postStart hook running for ", "its hook failed again"}, hooks
