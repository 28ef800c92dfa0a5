"""Scenario files: the shipped ones load, and bad ones fail with file, line and field."""

from __future__ import annotations

import textwrap

import pytest

from podtui.demo.scenario import list_scenarios, load_scenario, parse_quantity, parse_scenario
from podtui.errors import ConfigError


def test_shipped_scenarios_are_listed_and_load():
    listed = dict(list_scenarios())
    assert set(listed) >= {"default", "scale"}
    assert all(listed.values())  # every one has a description
    default = load_scenario("default")
    assert len(default.pods) >= 15 and default.deployments and default.actions
    names = {p.name for p in default.pods}
    assert {"crashloop", "bad-image", "init-fail", "missing-secret", "poststart-fail", "too-big", "gated"} <= names
    assert load_scenario("scale").scale.pods == 10_000


def test_a_scenario_file_by_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("pods:\n  - name: one\n    spec: {containers: [{name: a, image: 'busybox:1.36'}]}\n")
    scenario = load_scenario(str(path))
    assert scenario.name == "mine" and scenario.pods[0].namespace == "default"


def test_unknown_names_and_missing_files():
    with pytest.raises(ConfigError, match="unknown scenario 'nope'.*default"):
        load_scenario("nope")
    with pytest.raises(ConfigError, match="scenario file /no/such.yaml does not exist"):
        load_scenario("/no/such.yaml")


BAD = [
    # (yaml, line, message fragment)
    ("pods:\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\n    behaviour: {}\n", 4, "pods[0].behaviour: unknown field"),
    ("pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n    behavior:\n      a: {run: soon}\n", 8, "pods[0].behavior.a.run: expected a duration"),
    ("pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n    behavior:\n      b: {run: 1s}\n", 8, "pods[0].behavior.b: no container 'b'"),
    ("pods:\n  - name: Bad_Name\n    spec: {containers: [{name: a, image: x}]}\n", 2, "pods[0].name: not a valid pod name"),
    ("pods:\n  - name: a\n    spec:\n      containers: []\n", 4, "pods[0].spec.containers: a pod needs at least one container"),
    ("pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n", 5, "pods[0].spec.containers[0]: container 'a' needs an image"),
    (
        "pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n          livenessProbe:\n            httpGet: {port: 80}\n            periodSeconds: 0\n",
        9,
        "periodSeconds: must be at least 1",
    ),
    (
        "pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n          livenessProbe:\n            httpGet: {port: 80}\n            successThreshold: 2\n",
        9,
        "successThreshold: must be 1 for a liveness probe",
    ),
    (
        "pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n          resources: {requests: {cpu: lots}}\n",
        7,
        "resources.requests.cpu: not a Kubernetes quantity",
    ),
    ("pods:\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\nactions:\n  - {at: 5s, delete: demo/a}\n", 5, "actions[0].delete: no pod demo/a"),
    ("pods:\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\nactions:\n  - {delete: default/a}\n", 5, "actions[0]: an action needs `at`"),
    ("pods:\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\n", 4, "pod default/a is defined twice (first at line 2)"),
    ("pods:\n  - name: a\n    spec: {containers: [{name: a, image: x}]}\n    behavior:\n      a: {exit_code: 300}\n", 5, "exit_code: exit codes go from 0 to 255"),
    ("pods: [\n", 2, "not valid YAML"),
    ("scale:\n  pods: 10\n  churn: .inf\n", 3, "scale.churn: expected a finite number"),
    ("scale:\n  pods: 10\n  churn: .nan\n", 3, "scale.churn: expected a finite number"),
    ("nodes: []\npods: []\n", 1, "nodes: a cluster needs at least one node"),
    ("description: nothing\n", 1, "nothing to run"),
    (
        "pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n    behavior:\n      a:\n        probes:\n          liveness: {fail_after: 5s}\n",
        10,
        "liveness: the container has no livenessProbe",
    ),
    (
        "pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n          livenessProbe: {exec: {command: [x]}}\n    behavior:\n      a:\n        probes:\n          liveness: {refused: true}\n",
        11,
        "liveness: an exec probe connects to no port to be refused",
    ),
    (
        "pods:\n  - name: a\n    spec:\n      containers:\n        - name: a\n          image: x\n          livenessProbe: {tcpSocket: {port: 80}}\n    behavior:\n      a:\n        probes:\n          liveness: {refused: true, output: x}\n",
        11,
        "refused: give either output or refused, not both",
    ),
]


@pytest.mark.parametrize("text, line, fragment", BAD)
def test_bad_scenarios_name_file_line_and_field(text, line, fragment):
    with pytest.raises(ConfigError) as caught:
        parse_scenario(text, source="bad.yaml")
    message = str(caught.value)
    assert message.startswith(f"bad.yaml, line {line}: "), message
    assert fragment in message
    assert "\n" not in message


def test_bad_file_through_load_names_its_path(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent("""\
        pods:
          - name: a
            at: yesterday
            spec: {containers: [{name: a, image: x}]}
        """))
    with pytest.raises(ConfigError, match=rf"^{path}, line 3: pods\[0\]\.at: expected a duration"):
        load_scenario(str(path))


def test_empty_and_unreadable_files(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        load_scenario(str(empty))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00pods")
    with pytest.raises(ConfigError, match="cannot read scenario file"):
        load_scenario(str(binary))


def test_durations_quantities_and_defaults():
    scenario = parse_scenario(
        textwrap.dedent(
            """
            nodes: [{name: n1, cpu: 1500m, memory: 2Gi}]
            pods:
              - name: a
                at: 1m30s
                spec:
                  containers:
                    - name: a
                      image: busybox
                      readinessProbe: {exec: {command: [cat, /tmp/ready]}}
                behavior:
                  a: {run: 90, pull: 250ms, probes: {readiness: {flap: [10s, 5s]}}}
            """
        )
    )
    assert scenario.nodes[0].cpu_milli == 1500 and scenario.nodes[0].memory == 2 * 1024**3
    pod = scenario.pods[0]
    assert pod.at == 90 and pod.behavior["a"].run == 90 and pod.behavior["a"].pull == 0.25
    container = pod.spec["containers"][0]
    assert container["imagePullPolicy"] == "Always"  # no tag
    assert container["readinessProbe"]["periodSeconds"] == 10 and container["readinessProbe"]["failureThreshold"] == 3
    flap = pod.behavior["a"].probes["readiness"]
    assert [flap.passes(t) for t in (0, 9.9, 10, 14.9, 15, 25)] == [True, True, False, False, True, False]
    assert parse_quantity("128Mi") == 128 * 2**20 and parse_quantity("2") == 2 and parse_quantity("x") is None
