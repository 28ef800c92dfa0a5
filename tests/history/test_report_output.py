"""`podtui history` read as an incident report: selectors, YAML whose keys keep one
type, and Markdown that renders as written."""

from __future__ import annotations

from pathlib import Path

import yaml

from podtui.sources.history_command import history_text

DEFAULT = Path(__file__).resolve().parent.parent / "recordings" / "demo-default.jsonl.gz"


def test_termination_keys_keep_one_type_and_say_how_long_finalizers_held():
    pod = yaml.safe_load(history_text(DEFAULT, ["demo/stuck-finalizer"], fmt="yaml"))["pods"][0]
    term = pod["termination"]
    # confirmed_by_kubelet was a time here and `true` where the time was unknown.
    assert term["confirmed_by_kubelet"] is True and term["confirmed_at"] == "2024-05-01T10:00:33Z"
    assert term["grace"] == "10s" and term["grace_seconds"] == 10
    assert (term["held_by_finalizers_from"], term["held_by_finalizers"], term["held_by_finalizers_seconds"]) == \
        ("2024-05-01T10:00:33Z", "9m27s", 567.0)


def test_a_prefix_names_a_replicasets_pods():
    # A rollout's pods are named after their ReplicaSet: `shop/web-2ldzzb8gt8` was
    # "no pod" with all three pods in the hint.
    pods = yaml.safe_load(history_text(DEFAULT, ["shop/web-2ldzzb8gt8"], fmt="yaml"))["pods"]
    assert [p["pod"] for p in pods] == ["shop/web-2ldzzb8gt8-8h57k", "shop/web-2ldzzb8gt8-rc4d7",
                                        "shop/web-2ldzzb8gt8-smzdf"]
    assert [p["pod"] for p in yaml.safe_load(history_text(DEFAULT, ["init-"], fmt="yaml"))["pods"]] == \
        ["demo/init-fail", "demo/init-slow"]
