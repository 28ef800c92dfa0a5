"""Demo scenarios: what the simulated cluster runs, read from YAML.

A scenario names the nodes, the pods (real PodSpecs, so kubectl and podtui see what a
real cluster would serve), what each container *does* (the part a real cluster gets
from the program inside the image), deployments, and timed actions such as deletions
and evictions. All times are simulated seconds after the cluster starts. Durations are
written `30s`, `1m30s`, `500ms` or as a plain number of seconds.

    name: default                  # optional; defaults to the file name
    description: one line for `podtui demo --list-scenarios`
    seed: 7                        # optional default for --seed

    nodes:                         # optional; default: three 4-CPU/8Gi workers
      - name: demo-worker-1
        cpu: "4"                   # allocatable; Kubernetes quantities ("500m", "2")
        memory: 8Gi
        pods: 110
        labels: {disktype: ssd}
        taints: [{key: dedicated, value: gpu, effect: NoSchedule}]

    secrets: [demo/db-credentials] # Secrets that exist; a secretKeyRef to any other
                                   # (not optional) gives CreateContainerConfigError

    events:                        # the kubelet's client-side event spam filter
      spam_burst: 25               # events per source+object before throttling (0: off)
      spam_interval: 5m            # then one more per interval
      ttl: 1h                      # events older than this are removed, as --event-ttl

    pods:
      - name: crashloop
        namespace: demo            # default: default
        at: 0s                     # when it is created
        labels: {app: crashloop}
        annotations: {}
        finalizers: [example.com/hold]
        owner: {kind: Job, name: nightly-report}   # sets ownerReferences
        spec: {...}                # a Kubernetes PodSpec (containers, initContainers,
                                   # probes, lifecycle hooks, restartPolicy, readinessGates,
                                   # activeDeadlineSeconds, resources, nodeSelector, ...)
        behavior:                  # per container name (init containers too)
          app:
            pull: 2s               # how long an image pull takes (default 1s)
            pull_error: 'rpc error: ...'   # every pull fails with this error ...
            pull_failures: 3       # ... or only the first 3
            run: 5s                # exits after running this long (default: runs on)
            exit_code: 1           # exit code when it exits on its own (default 0)
            oom: true              # ... or is OOMKilled (exit 137) instead
            signal: 11             # ... or dies of a signal (exit 128+N, no reason)
            post_start: 2s         # how long the postStart hook takes
            post_start_error: 'connection refused'  # the postStart hook fails
            pre_stop: 10s          # how long the preStop hook takes
            stop: 1s               # time to exit after SIGTERM (default 1s); longer
                                   # than the grace period means SIGKILL (exit 137)
            stop_exit_code: 143    # exit code after SIGTERM (default 143)
            image_size: 52428800   # bytes, for the Pulled event
            probes:                # results of the container's probes over its run
              liveness: {fail_after: 40s, output: 'HTTP probe failed with statuscode: 500'}
              readiness: {flap: [20s, 10s]}        # passing 20s, failing 10s, repeat
              startup: {pass_after: 45s}
              # also: warning: 'text' -> a ProbeWarning event on passing probes
              #       refused: true -> failures are "connection refused" to the
              #       pod's own IP (the kubelet's wording for an httpGet/tcpSocket/grpc probe)
        gates: {example.com/lb-ready: 30s}   # readiness-gate condition set True this
                                             # long after the pod started

    deployments:
      - name: web
        namespace: shop
        replicas: 3
        at: 0s
        strategy: {maxSurge: 1, maxUnavailable: 0}   # numbers or percentages
        template: {metadata: {labels: {app: web}}, spec: {...}}
        behavior: {...}            # as for pods

    actions:                       # each has `at` and one verb
      - {at: 30s, delete: demo/graceful, grace: 30}   # kubectl delete (grace optional)
      - {at: 50s, evict: shop/web}                    # Eviction API; a deployment
                                                      # target evicts one of its pods
      - {at: 60s, node_pressure: demo/hog, resource: memory}  # kubelet eviction
      - {at: 5m, remove_finalizers: demo/stuck}
      - {at: 40s, rollout: shop/web, images: {web: 'nginx:1.27'}, behavior: {...}}

    scale:                         # the load generator instead of hand-written pods
      pods: 10000
      namespaces: 20
      nodes: 50
      churn: 2000                  # watch events per simulated second

Anything wrong in a file is reported as one line naming the file, the line and the
field (ConfigError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from podtui.demo.yamlread import Field, compose
from podtui.errors import ConfigError

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

PROBE_KINDS = ("liveness", "readiness", "startup")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


# ---- what the simulation reads ---------------------------------------------------


@dataclass(slots=True)
class ProbeBehavior:
    """When a container's probe passes, as a function of time since the container started."""

    pass_after: float | None = None
    fail_after: float | None = None
    flap: tuple[float, float] | None = None  # (passing, failing) seconds, repeating
    output: str | None = None  # failure output; default depends on the handler
    warning: str | None = None  # passing probes emit ProbeWarning with this output
    refused: bool = False  # failures are the port refusing connections (worded with the pod's IP)

    def passes(self, elapsed: float) -> bool:
        if self.pass_after is not None and elapsed < self.pass_after:
            return False
        if self.fail_after is not None and elapsed >= self.fail_after:
            return False
        if self.flap is not None:
            up, down = self.flap
            since = elapsed - (self.pass_after or 0.0)
            return since % (up + down) < up
        return True


@dataclass(slots=True)
class ContainerBehavior:
    pull: float = 1.0
    pull_error: str | None = None
    pull_failures: int | None = None  # None with pull_error: every pull fails
    run: float | None = None
    exit_code: int = 0
    oom: bool = False
    signal: int = 0
    post_start: float = 0.0
    post_start_error: str | None = None
    pre_stop: float = 0.0
    stop: float = 1.0
    stop_exit_code: int = 143
    image_size: int | None = None
    probes: dict[str, ProbeBehavior] = field(default_factory=dict)


DEFAULT_BEHAVIOR = ContainerBehavior()


@dataclass(slots=True)
class NodePlan:
    name: str
    cpu_milli: int = 4000
    memory: int = 8 * 1024**3
    pods: int = 110
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class PodPlan:
    namespace: str
    name: str
    spec: dict
    at: float = 0.0
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    finalizers: list[str] = field(default_factory=list)
    owner: dict | None = None  # {apiVersion, kind, name}
    behavior: dict[str, ContainerBehavior] = field(default_factory=dict)
    gates: dict[str, float] = field(default_factory=dict)
    line: int = 0


@dataclass(slots=True)
class DeploymentPlan:
    namespace: str
    name: str
    replicas: int
    template_labels: dict[str, str]
    spec: dict
    behavior: dict[str, ContainerBehavior]
    at: float = 0.0
    template_annotations: dict[str, str] = field(default_factory=dict)
    max_surge: int | str = "25%"
    max_unavailable: int | str = "25%"
    line: int = 0


@dataclass(slots=True)
class Action:
    at: float
    verb: str  # delete / evict / node_pressure / remove_finalizers / rollout
    namespace: str
    name: str
    grace: int | None = None
    resource: str = "memory"
    images: dict[str, str] = field(default_factory=dict)
    behavior: dict[str, ContainerBehavior] | None = None
    line: int = 0


@dataclass(slots=True)
class EventSettings:
    spam_burst: int = 25
    spam_interval: float = 300.0
    ttl: float = 3600.0


@dataclass(slots=True)
class ScaleSettings:
    pods: int = 10_000
    namespaces: int = 20
    nodes: int = 50
    churn: float = 2000.0


@dataclass(slots=True)
class Scenario:
    name: str
    description: str = ""
    source: str = ""
    seed: int | None = None
    nodes: list[NodePlan] = field(default_factory=list)
    secrets: frozenset[tuple[str, str]] = frozenset()
    events: EventSettings = field(default_factory=EventSettings)
    pods: list[PodPlan] = field(default_factory=list)
    deployments: list[DeploymentPlan] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    scale: ScaleSettings | None = None


def default_nodes() -> list[NodePlan]:
    return [NodePlan(name=f"demo-worker-{i}") for i in (1, 2, 3)]


# ---- finding and loading ------------------------------------------------------------


def list_scenarios() -> list[tuple[str, str]]:
    """(name, description) of every scenario shipped in the package."""
    found = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        try:
            scenario = load_scenario(str(path))
        except ConfigError:
            continue
        found.append((path.stem, scenario.description))
    return found


def resolve(name_or_path: str) -> Path:
    candidate = Path(name_or_path).expanduser()
    # A directory of that name in the working directory (./scale) is not the scenario meant.
    looks_like_path = candidate.suffix in (".yaml", ".yml") or "/" in name_or_path or candidate.is_file()
    if looks_like_path:
        if not candidate.is_file():
            raise ConfigError(f"scenario file {name_or_path} does not exist")
        return candidate
    shipped = SCENARIO_DIR / f"{name_or_path}.yaml"
    if shipped.is_file():
        return shipped
    names = ", ".join(path.stem for path in sorted(SCENARIO_DIR.glob("*.yaml")))
    raise ConfigError(
        f"unknown scenario {name_or_path!r}",
        hint=f"shipped scenarios: {names}; or give a path to a .yaml file",
    )


def load_scenario(name_or_path: str) -> Scenario:
    """A shipped scenario by name, or a YAML file by path. Raises ConfigError."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read scenario file {path}: {exc}") from None
    return parse_scenario(text, source=str(path), default_name=path.stem)


def parse_scenario(text: str, source: str = "<scenario>", default_name: str = "scenario") -> Scenario:
    node = compose(text, source)
    if node is None:
        raise ConfigError(f"{source}: the scenario file is empty")
    return _Parser(source).scenario(Field(node, "", source), default_name)


# ---- parsing ----------------------------------------------------------------------

_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_SUFFIX = {
    None: 1,
    "m": 0.001,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


def parse_quantity(text: str) -> float | None:
    """A Kubernetes resource quantity ("500m", "2", "128Mi") -> its value, or None."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def _quantity(f: Field) -> float:
    text = f.scalar()
    value = parse_quantity(text)
    if value is None:
        raise f.error(f"not a Kubernetes quantity such as 500m, 2 or 128Mi: {text!r}")
    return value


def _target(f: Field) -> tuple[str, str]:
    text = f.text()
    namespace, sep, name = text.partition("/")
    if not sep:
        namespace, name = "default", text
    if not DNS_LABEL.match(namespace) or not DNS_SUBDOMAIN.match(name):
        raise f.error(f"expected NAMESPACE/NAME, got {text!r}")
    return namespace, name


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def scenario(self, root: Field, default_name: str) -> Scenario:
        top = root.mapping(
            ("name", "description", "seed", "nodes", "secrets", "events", "pods", "deployments", "actions", "scale")
        )
        scenario = Scenario(name=default_name, source=self.source)
        if "name" in top:
            scenario.name = top["name"].text()
        if "description" in top:
            scenario.description = top["description"].text()
        if "seed" in top:
            scenario.seed = top["seed"].integer()
        scenario.nodes = [self.node(f) for f in top["nodes"].items()] if "nodes" in top else default_nodes()
        if not scenario.nodes:
            raise top["nodes"].error("a cluster needs at least one node")
        _unique([(n.name, f) for n, f in zip(scenario.nodes, top["nodes"].items())] if "nodes" in top else [], "node")
        if "secrets" in top:
            scenario.secrets = frozenset(_target(f) for f in top["secrets"].items())
        if "events" in top:
            scenario.events = self.events(top["events"])
        if "pods" in top:
            scenario.pods = [self.pod(f) for f in top["pods"].items()]
            _unique([((p.namespace, p.name), f) for p, f in zip(scenario.pods, top["pods"].items())], "pod")
        if "deployments" in top:
            scenario.deployments = [self.deployment(f) for f in top["deployments"].items()]
            _unique(
                [((d.namespace, d.name), f) for d, f in zip(scenario.deployments, top["deployments"].items())],
                "deployment",
            )
        if "actions" in top:
            pods = {(p.namespace, p.name): p for p in scenario.pods}
            deployments = {(d.namespace, d.name): d for d in scenario.deployments}
            scenario.actions = [self.action(f, pods, deployments) for f in top["actions"].items()]
        if "scale" in top:
            scenario.scale = self.scale(top["scale"])
        if not scenario.pods and not scenario.deployments and scenario.scale is None:
            raise root.error("the scenario has no pods, deployments or scale section: nothing to run")
        return scenario

    # ---- sections ---------------------------------------------------------------

    def node(self, f: Field) -> NodePlan:
        m = f.mapping(("name", "cpu", "memory", "pods", "labels", "taints"))
        if "name" not in m:
            raise f.error("a node needs a name")
        name = m["name"].text()
        if not DNS_SUBDOMAIN.match(name):
            raise m["name"].error(f"not a valid node name: {name!r}")
        plan = NodePlan(name=name)
        if "cpu" in m:
            plan.cpu_milli = int(round(_quantity(m["cpu"]) * 1000))
        if "memory" in m:
            plan.memory = int(_quantity(m["memory"]))
        if "pods" in m:
            plan.pods = m["pods"].integer(minimum=1)
        if "labels" in m:
            plan.labels = m["labels"].string_map()
        if "taints" in m:
            for t in m["taints"].items():
                tm = t.mapping(("key", "value", "effect"))
                if "key" not in tm or "effect" not in tm:
                    raise t.error("a taint needs a key and an effect")
                effect = tm["effect"].text()
                if effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
                    raise tm["effect"].error(f"unknown taint effect {effect!r}")
                taint = {"key": tm["key"].text(), "effect": effect}
                if "value" in tm:
                    taint["value"] = tm["value"].text()
                plan.taints.append(taint)
        return plan

    def events(self, f: Field) -> EventSettings:
        m = f.mapping(("spam_burst", "spam_interval", "ttl"))
        settings = EventSettings()
        if "spam_burst" in m:
            settings.spam_burst = m["spam_burst"].integer(minimum=0)
        if "spam_interval" in m:
            settings.spam_interval = m["spam_interval"].duration()
        if "ttl" in m:
            settings.ttl = m["ttl"].duration()
        return settings

    def scale(self, f: Field) -> ScaleSettings:
        m = f.mapping(("pods", "namespaces", "nodes", "churn"))
        settings = ScaleSettings()
        if "pods" in m:
            settings.pods = m["pods"].integer(minimum=0)
        if "namespaces" in m:
            settings.namespaces = m["namespaces"].integer(minimum=1)
        if "nodes" in m:
            settings.nodes = m["nodes"].integer(minimum=1)
        if "churn" in m:
            settings.churn = m["churn"].number(minimum=0)
        return settings

    def pod(self, f: Field) -> PodPlan:
        m = f.mapping(("name", "namespace", "at", "labels", "annotations", "finalizers", "owner", "spec", "behavior", "gates"))
        if "name" not in m:
            raise f.error("a pod needs a name")
        if "spec" not in m:
            raise f.error("a pod needs a spec")
        name = m["name"].text()
        if not DNS_SUBDOMAIN.match(name) or len(name) > 253:
            raise m["name"].error(f"not a valid pod name: {name!r}")
        namespace = m["namespace"].text() if "namespace" in m else "default"
        if not DNS_LABEL.match(namespace):
            raise m["namespace"].error(f"not a valid namespace: {namespace!r}")
        spec = self.pod_spec(m["spec"])
        plan = PodPlan(namespace=namespace, name=name, spec=spec, line=f.line)
        if "at" in m:
            plan.at = m["at"].duration()
        if "labels" in m:
            plan.labels = m["labels"].string_map()
        if "annotations" in m:
            plan.annotations = m["annotations"].string_map()
        if "finalizers" in m:
            plan.finalizers = m["finalizers"].string_list()
        if "owner" in m:
            om = m["owner"].mapping(("kind", "name", "apiVersion"))
            if "kind" not in om or "name" not in om:
                raise m["owner"].error("an owner needs a kind and a name")
            kind = om["kind"].text()
            api = om["apiVersion"].text() if "apiVersion" in om else _OWNER_API.get(kind, "v1")
            plan.owner = {"apiVersion": api, "kind": kind, "name": om["name"].text()}
        if "behavior" in m:
            plan.behavior = self.behaviors(m["behavior"], spec)
        if "gates" in m:
            gates = {g.get("conditionType") for g in spec.get("readinessGates") or []}
            for gate, gf in m["gates"].mapping().items():
                if gate not in gates:
                    raise gf.error(f"no readiness gate {gate!r} in spec.readinessGates")
                plan.gates[gate] = gf.duration()
        return plan

    def deployment(self, f: Field) -> DeploymentPlan:
        m = f.mapping(("name", "namespace", "replicas", "at", "strategy", "template", "behavior"))
        for required in ("name", "template"):
            if required not in m:
                raise f.error(f"a deployment needs a {required}")
        name = m["name"].text()
        if not DNS_LABEL.match(name):
            raise m["name"].error(f"not a valid deployment name: {name!r}")
        namespace = m["namespace"].text() if "namespace" in m else "default"
        if not DNS_LABEL.match(namespace):
            raise m["namespace"].error(f"not a valid namespace: {namespace!r}")
        tm = m["template"].mapping(("metadata", "spec"))
        if "spec" not in tm:
            raise m["template"].error("the template needs a spec")
        labels: dict[str, str] = {}
        annotations: dict[str, str] = {}
        if "metadata" in tm:
            meta = tm["metadata"].mapping(("labels", "annotations"))
            labels = meta["labels"].string_map() if "labels" in meta else {}
            annotations = meta["annotations"].string_map() if "annotations" in meta else {}
        if not labels:
            labels = {"app": name}
        spec = self.pod_spec(tm["spec"])
        if spec.get("restartPolicy", "Always") != "Always":
            raise tm["spec"].mapping()["restartPolicy"].error("a Deployment's pods must use restartPolicy Always")
        plan = DeploymentPlan(
            namespace=namespace,
            name=name,
            replicas=m["replicas"].integer(minimum=0) if "replicas" in m else 1,
            template_labels=labels,
            template_annotations=annotations,
            spec=spec,
            behavior=self.behaviors(m["behavior"], spec) if "behavior" in m else {},
            line=f.line,
        )
        if "at" in m:
            plan.at = m["at"].duration()
        if "strategy" in m:
            sm = m["strategy"].mapping(("maxSurge", "maxUnavailable"))
            if "maxSurge" in sm:
                plan.max_surge = _int_or_percent(sm["maxSurge"])
            if "maxUnavailable" in sm:
                plan.max_unavailable = _int_or_percent(sm["maxUnavailable"])
        return plan

    def action(self, f: Field, pods: dict, deployments: dict) -> Action:
        verbs = ("delete", "evict", "node_pressure", "remove_finalizers", "rollout")
        m = f.mapping(("at",) + verbs + ("grace", "resource", "images", "behavior"))
        present = [v for v in verbs if v in m]
        if len(present) != 1:
            raise f.error(f"an action needs exactly one of: {', '.join(verbs)}")
        verb = present[0]
        if "at" not in m:
            raise f.error("an action needs `at` (when it happens)")
        namespace, name = _target(m[verb])
        key = (namespace, name)
        if verb == "rollout":
            if key not in deployments:
                raise m[verb].error(f"no deployment {namespace}/{name} in this scenario")
        elif verb == "evict":
            if key not in pods and key not in deployments:
                raise m[verb].error(f"no pod or deployment {namespace}/{name} in this scenario")
        elif key not in pods:
            raise m[verb].error(f"no pod {namespace}/{name} in this scenario")
        action = Action(at=m["at"].duration(), verb=verb, namespace=namespace, name=name, line=f.line)
        if "grace" in m:
            if verb not in ("delete", "evict"):
                raise m["grace"].error(f"grace applies to delete and evict, not {verb}")
            action.grace = m["grace"].integer(minimum=0)
        if "resource" in m:
            if verb != "node_pressure":
                raise m["resource"].error("resource applies to node_pressure only")
            action.resource = m["resource"].text()
            if action.resource not in ("memory", "ephemeral-storage", "pid"):
                raise m["resource"].error("expected memory, ephemeral-storage or pid")
        if "images" in m or "behavior" in m:
            if verb != "rollout":
                raise (m.get("images") or m["behavior"]).error("images and behavior apply to rollout only")
            spec = deployments[key].spec
            names = {c["name"] for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])}
            if "images" in m:
                for cname, cf in m["images"].mapping().items():
                    if cname not in names:
                        raise cf.error(f"no container {cname!r} in deployment {namespace}/{name}")
                    action.images[cname] = cf.text()
            if "behavior" in m:
                action.behavior = self.behaviors(m["behavior"], spec)
        return action

    # ---- pod specs ---------------------------------------------------------------

    def pod_spec(self, f: Field) -> dict:
        m = f.mapping()
        if "containers" not in m:
            raise f.error("a pod spec needs containers")
        seen: dict[str, Field] = {}
        containers = m["containers"].items()
        if not containers:
            raise m["containers"].error("a pod needs at least one container")
        for c in containers:
            self.container(c, seen, init=False)
        if "initContainers" in m:
            for c in m["initContainers"].items():
                self.container(c, seen, init=True)
        if "restartPolicy" in m and m["restartPolicy"].text() not in RESTART_POLICIES:
            raise m["restartPolicy"].error(f"expected one of {', '.join(RESTART_POLICIES)}")
        for key in ("terminationGracePeriodSeconds",):
            if key in m:
                m[key].integer(minimum=0)
        if "activeDeadlineSeconds" in m:
            m["activeDeadlineSeconds"].integer(minimum=1)
        if "nodeSelector" in m:
            m["nodeSelector"].string_map()
        if "readinessGates" in m:
            for g in m["readinessGates"].items():
                gm = g.mapping(("conditionType",))
                if "conditionType" not in gm:
                    raise g.error("a readiness gate needs a conditionType")
                gm["conditionType"].text()
        if "tolerations" in m:
            for t in m["tolerations"].items():
                t.mapping()
        spec = f.value()
        assert isinstance(spec, dict)
        if not spec.get("initContainers"):
            spec.pop("initContainers", None)  # `initContainers:` left empty
        return apply_spec_defaults(spec)

    def container(self, f: Field, seen: dict[str, Field], init: bool) -> None:
        m = f.mapping()
        if "name" not in m:
            raise f.error("a container needs a name")
        name = m["name"].text()
        if not DNS_LABEL.match(name):
            raise m["name"].error(f"not a valid container name: {name!r}")
        if name in seen:
            raise m["name"].error(f"container name {name!r} is used twice (also at line {seen[name].line})")
        seen[name] = m["name"]
        if "image" not in m:
            raise f.error(f"container {name!r} needs an image")
        if not m["image"].text().strip():
            raise m["image"].error("the image must not be empty")
        if "restartPolicy" in m:
            if not init:
                raise m["restartPolicy"].error("only init containers take a restartPolicy (Always makes a sidecar)")
            if m["restartPolicy"].text() != "Always":
                raise m["restartPolicy"].error("an init container's restartPolicy can only be Always")
        for kind in PROBE_KINDS:
            key = f"{kind}Probe"
            if key in m:
                if init and "restartPolicy" not in m:
                    raise m[key].error("init containers cannot have probes (unless they are sidecars)")
                self.probe(m[key], kind)
        if "lifecycle" in m:
            lm = m["lifecycle"].mapping(("postStart", "preStop", "stopSignal"))
            for hook in ("postStart", "preStop"):
                if hook in lm:
                    self.handler(lm[hook], allow_sleep=True)
        if "resources" in m:
            rm = m["resources"].mapping(("requests", "limits", "claims"))
            for part in ("requests", "limits"):
                if part in rm:
                    for qf in rm[part].mapping().values():
                        _quantity(qf)
        if "env" in m:
            for e in m["env"].items():
                em = e.mapping()
                if "name" not in em:
                    raise e.error("an env entry needs a name")
                em["name"].text()
                if "valueFrom" in em:
                    for source in em["valueFrom"].mapping().values():
                        self.reference(source)
        if "envFrom" in m:
            for e in m["envFrom"].items():
                for key, source in e.mapping().items():
                    if key != "prefix":
                        self.reference(source)

    def probe(self, f: Field, kind: str) -> None:
        m = f.mapping()
        self.handler(f, allow_sleep=False)
        for key, minimum in (
            ("initialDelaySeconds", 0),
            ("timeoutSeconds", 1),
            ("periodSeconds", 1),
            ("successThreshold", 1),
            ("failureThreshold", 1),
            ("terminationGracePeriodSeconds", 1),
        ):
            if key in m:
                m[key].integer(minimum=minimum)
        if kind != "readiness" and "successThreshold" in m and m["successThreshold"].integer() != 1:
            raise m["successThreshold"].error(f"must be 1 for a {kind} probe")

    def handler(self, f: Field, allow_sleep: bool) -> None:
        m = f.mapping()
        kinds = ["exec", "httpGet", "tcpSocket", "grpc"] + (["sleep"] if allow_sleep else [])
        present = [k for k in kinds if k in m]
        if len(present) != 1:
            raise f.error(f"needs exactly one handler: {', '.join(kinds)}")
        handler = m[present[0]].mapping()
        if present[0] == "exec":
            if "command" not in handler:
                raise m["exec"].error("exec needs a command")
            handler["command"].string_list()
        elif present[0] == "sleep":
            if "seconds" not in handler:
                raise m["sleep"].error("sleep needs seconds")
            handler["seconds"].integer(minimum=0)
        else:
            for key in ("port", "path", "host", "scheme", "service"):
                if key in handler:
                    handler[key].scalar()

    def reference(self, f: Field) -> None:
        """A secretKeyRef / configMapKeyRef / secretRef / fieldRef ...: a mapping of strings."""
        rm = f.mapping()
        for key, value in rm.items():
            if key == "optional":
                value.flag()
            else:
                value.scalar()

    def behaviors(self, f: Field, spec: dict) -> dict[str, ContainerBehavior]:
        names = {c["name"]: c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])}
        out = {}
        for name, bf in f.mapping().items():
            if name not in names:
                raise bf.error(f"no container {name!r} in this pod's spec (containers: {', '.join(names)})")
            out[name] = self.behavior(bf, names[name])
        return out

    def behavior(self, f: Field, container: dict) -> ContainerBehavior:
        m = f.mapping(
            (
                "pull",
                "pull_error",
                "pull_failures",
                "run",
                "exit_code",
                "oom",
                "signal",
                "post_start",
                "post_start_error",
                "pre_stop",
                "stop",
                "stop_exit_code",
                "image_size",
                "probes",
            )
        )
        b = ContainerBehavior()
        for key in ("pull", "run", "post_start", "pre_stop", "stop"):
            if key in m:
                setattr(b, key, m[key].duration())
        for key in ("pull_error", "post_start_error"):
            if key in m:
                setattr(b, key, m[key].text())
        if "pull_failures" in m:
            b.pull_failures = m["pull_failures"].integer(minimum=0)
        for key in ("exit_code", "stop_exit_code"):
            if key in m:
                code = m[key].integer(minimum=0)
                if code > 255:
                    raise m[key].error("exit codes go from 0 to 255")
                setattr(b, key, code)
        if "oom" in m:
            b.oom = m["oom"].flag()
        if "signal" in m:
            b.signal = m["signal"].integer(minimum=1)
            if b.signal > 64:
                raise m["signal"].error("signals go from 1 to 64")
        if "image_size" in m:
            b.image_size = m["image_size"].integer(minimum=0)
        if "post_start_error" in m and not (container.get("lifecycle") or {}).get("postStart"):
            raise m["post_start_error"].error("the container has no lifecycle.postStart hook to fail")
        if "probes" in m:
            for kind, pf in m["probes"].mapping(PROBE_KINDS).items():
                if f"{kind}Probe" not in container:
                    raise pf.error(f"the container has no {kind}Probe")
                b.probes[kind] = self.probe_behavior(pf)
                if b.probes[kind].refused and "exec" in (container[f"{kind}Probe"] or {}):
                    raise pf.error("an exec probe connects to no port to be refused")
        return b

    def probe_behavior(self, f: Field) -> ProbeBehavior:
        m = f.mapping(("pass_after", "fail_after", "flap", "output", "warning", "refused"))
        p = ProbeBehavior()
        if "pass_after" in m:
            p.pass_after = m["pass_after"].duration()
        if "fail_after" in m:
            p.fail_after = m["fail_after"].duration()
        if "flap" in m:
            parts = m["flap"].items()
            if len(parts) != 2:
                raise m["flap"].error("expected [passing, failing], two durations")
            up, down = parts[0].duration(), parts[1].duration()
            if up + down <= 0:
                raise m["flap"].error("the flap cycle must be longer than zero")
            p.flap = (up, down)
        if "output" in m:
            p.output = m["output"].text()
        if "warning" in m:
            p.warning = m["warning"].text()
        if "refused" in m:
            p.refused = m["refused"].flag()
            if p.refused and p.output is not None:
                raise m["refused"].error("give either output or refused, not both")
        return p


_OWNER_API = {
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Deployment": "apps/v1",
}


def _int_or_percent(f: Field) -> int | str:
    value = f.value()
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]+%", value):
        return value
    raise f.error(f"expected a number or a percentage such as 25%, got {value!r}")


def _unique(items: list[tuple[object, Field]], what: str) -> None:
    seen: dict[object, Field] = {}
    for key, f in items:
        if key in seen:
            label = "/".join(key) if isinstance(key, tuple) else key
            raise f.error(f"{what} {label} is defined twice (first at line {seen[key].line})")
        seen[key] = f


# ---- API-server defaulting -----------------------------------------------------------

_PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def _default_pull_policy(image: str) -> str:
    # pkg/apis/core/v1/defaults.go: Always for :latest or no tag, else IfNotPresent.
    if "@" in image:
        return "IfNotPresent"
    tail = image.rsplit("/", 1)[-1]
    if ":" not in tail or tail.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def _default_container(c: dict) -> None:
    c.setdefault("imagePullPolicy", _default_pull_policy(str(c.get("image", ""))))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for kind in PROBE_KINDS:
        probe = c.get(f"{kind}Probe")
        if isinstance(probe, dict):
            for key, value in _PROBE_DEFAULTS.items():
                probe.setdefault(key, value)
            http = probe.get("httpGet")
            if isinstance(http, dict):
                http.setdefault("path", "/")
                http.setdefault("scheme", "HTTP")


SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def kube_api_access(name: str) -> dict:
    """The projected volume the ServiceAccount admission plugin adds to every pod."""
    return {
        "name": name,
        "projected": {
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                              "fieldPath": "metadata.namespace"}}]}},
            ],
            "defaultMode": 420,
        },
    }


def with_service_account_token(spec: dict, volume: str) -> dict:
    """The spec as the ServiceAccount admission plugin admits it: a kube-api-access
    volume mounted read-only into every container, unless the pod opts out
    (automountServiceAccountToken: false) or already mounts something there."""
    if spec.get("automountServiceAccountToken") is False:
        return spec
    kinds = ("initContainers", "containers")
    if any(m.get("mountPath") == SERVICE_ACCOUNT_MOUNT for k in kinds for c in spec.get(k) or [] for m in c.get("volumeMounts") or []):
        return spec
    mount = {"name": volume, "readOnly": True, "mountPath": SERVICE_ACCOUNT_MOUNT}
    out = {**spec, "volumes": [*(spec.get("volumes") or []), kube_api_access(volume)]}
    for kind in kinds:
        if spec.get(kind):
            out[kind] = [{**c, "volumeMounts": [*(c.get("volumeMounts") or []), mount]} for c in spec[kind]]
    return out


def apply_spec_defaults(spec: dict) -> dict:
    """Fill in what the API server's defaulting would, so served pods look real."""
    for c in spec.get("initContainers") or []:
        _default_container(c)
    for c in spec.get("containers") or []:
        _default_container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault(
        "tolerations",
        [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ],
    )
    return spec
