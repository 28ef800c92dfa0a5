"""Whatever a scenario file says, the user gets a scenario or one ConfigError line,
and a scenario that loads runs without raising."""

from __future__ import annotations

import copy

import yaml
from demo_helpers import EPOCH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podtui.clock import ManualClock
from podtui.demo.cluster import DemoCluster
from podtui.demo.scenario import SCENARIO_DIR, parse_scenario
from podtui.errors import ConfigError

DEFAULT = yaml.safe_load((SCENARIO_DIR / "default.yaml").read_text())

DELETE = object()  # remove the key instead of replacing its value

junk = st.one_of(
    st.just(DELETE),
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e3, max_value=1e6),
    st.text(max_size=12),
    st.sampled_from(["5s", "1m", "-3s", "500m", "Always", "Never", "64", "9999Gi", "demo/crashloop"]),
    st.lists(st.integers(0, 5), max_size=3),
    st.dictionaries(st.sampled_from(["name", "image", "run", "at", "port"]), st.integers(0, 5), max_size=2),
)


def leaves(node, path=()):
    """Every path into the document (mappings and lists included)."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, path + (i,))


PATHS = [p for p in leaves(DEFAULT) if p]


def mutate(doc, path, value):
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), junk), min_size=1, max_size=3))
def test_mutated_default_scenario_loads_or_says_why_and_runs(mutations):
    doc = DEFAULT
    for path, value in mutations:
        try:
            doc = mutate(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    text = yaml.safe_dump(doc)
    try:
        scenario = parse_scenario(text, source="fuzz.yaml")
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith("fuzz.yaml") and "\n" not in message
        return
    cluster = DemoCluster(scenario, clock=ManualClock(EPOCH), seed=1)
    cluster.advance(150)
    for namespace, name in list(cluster.world.pods)[:3]:
        cluster.delete_pod(namespace, name, grace=3)
    cluster.advance(30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=120, allow_nan=False),
            st.integers(min_value=0, max_value=40),
            st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
            st.sampled_from(["delete", "evict", "unfinalize"]),
        ),
        max_size=12,
    )
)
def test_deletes_and_evictions_at_any_moment_never_break_the_simulation(operations):
    cluster = DemoCluster("default", clock=ManualClock(EPOCH), seed=2)
    for at, index, grace, verb in sorted(operations, key=lambda op: op[0]):
        cluster.run_until(EPOCH + at)
        pods = sorted(cluster.world.pods)
        if not pods:
            continue
        namespace, name = pods[index % len(pods)]
        if verb == "delete":
            cluster.delete_pod(namespace, name, grace)
        elif verb == "evict":
            cluster.evict_pod(namespace, name, grace)
        else:
            cluster.world.remove_finalizers(namespace, name)
    cluster.advance(200)
    for pod in cluster.storage.list("pods"):
        meta = pod["metadata"]
        # Whatever was deleted is gone by now, unless a finalizer holds it.
        assert "deletionTimestamp" not in meta or meta.get("finalizers")
