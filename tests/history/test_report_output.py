"""`podtui history` read as an incident report: selectors, YAML whose keys keep one
type, and Markdown that renders as written."""

from __future__ import annotations

from pathlib import Path

import yaml

from podtui.sources.history_command import history_text

DEFAULT = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"


def test_a_prefix_names_a_replicasets_pods():
    # A rollout's pods are named after their ReplicaSet: `shop/web-2ldzzb8gt8` was
    # "no pod" with all three pods in the hint.
    pods = yaml.safe_load(history_text(DEFAULT, ["shop/web-2ldzzb8gt8"], fmt="yaml"))["pods"]
    assert [p["pod"] for p in pods] == ["shop/web-2ldzzb8gt8-8h57k", "shop/web-2ldzzb8gt8-rc4d7",
                                        "shop/web-2ldzzb8gt8-smzdf"]
    assert [p["pod"] for p in yaml.safe_load(history_text(DEFAULT, ["init-"], fmt="yaml"))["pods"]] == \
        ["demo/init-fail", "demo/init-slow"]
