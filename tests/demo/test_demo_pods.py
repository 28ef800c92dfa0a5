"""Getting a pod running: scheduling, init containers in order, sidecars, hooks,
container config errors, readiness gates, conditions."""

from __future__ import annotations

from demo_helpers import cluster_from, condition, container_status, events_about, rel, timeline


def first_time(cluster, name, predicate, namespace="demo"):
    for t, _, pod in timeline(cluster, namespace, name):
        if predicate(pod):
            return t
    return None


def test_scheduled_event_condition_and_node():
    cluster = cluster_from(
        """
        nodes:
          - {name: small, cpu: "1", memory: 1Gi}
          - {name: big, cpu: "8", memory: 32Gi}
        pods:
          - name: needs-cpu
            namespace: demo
            spec:
              containers:
                - {name: app, image: "app:1", resources: {requests: {cpu: "2", memory: 1Gi}}}
        """
    )
    cluster.advance(5)
    pod = cluster.storage.get("pods", "demo", "needs-cpu")
    assert pod["spec"]["nodeName"] == "big"
    assert condition(pod, "PodScheduled")["status"] == "True"
    scheduled = next(e for e in events_about(cluster, "needs-cpu") if e["reason"] == "Scheduled")
    assert scheduled["message"] == "Successfully assigned demo/needs-cpu to big"
    assert scheduled["reportingComponent"] == "default-scheduler"
    assert scheduled["eventTime"] and scheduled["firstTimestamp"] is None
    assert pod["status"]["hostIP"] and pod["status"]["podIP"].startswith("10.244.")


def test_unschedulable_pod():
    cluster = cluster_from(
        """
        nodes:
          - {name: a, cpu: "4", memory: 8Gi}
          - {name: b, cpu: "4", memory: 8Gi, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
          - {name: c, cpu: "4", memory: 8Gi}
        pods:
          - name: too-big
            namespace: demo
            spec:
              containers:
                - {name: app, image: "app:1", resources: {requests: {cpu: "64"}}}
        """
    )
    cluster.advance(700)
    pod = cluster.storage.get("pods", "demo", "too-big")
    assert pod["status"]["phase"] == "Pending"
    assert "nodeName" not in pod["spec"]
    scheduled = condition(pod, "PodScheduled")
    expected = (
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )
    assert (scheduled["status"], scheduled["reason"], scheduled["message"]) == ("False", "Unschedulable", expected)
    failed = next(e for e in events_about(cluster, "too-big") if e["reason"] == "FailedScheduling")
    assert failed["type"] == "Warning" and failed["message"] == expected
    # Retried every 5 minutes: a series on the events.k8s.io event.
    assert failed["series"]["count"] == 3


def test_unschedulable_pod_is_scheduled_when_room_frees_up():
    cluster = cluster_from(
        """
        nodes: [{name: only, cpu: "2", memory: 4Gi}]
        pods:
          - name: first
            namespace: demo
            spec: {containers: [{name: app, image: "app:1", resources: {requests: {cpu: 1500m}}}]}
          - name: second
            namespace: demo
            at: 5s
            spec: {containers: [{name: app, image: "app:1", resources: {requests: {cpu: 1500m}}}]}
        actions:
          - {at: 20s, delete: demo/first, grace: 5}
        """
    )
    cluster.advance(19)
    assert condition(cluster.storage.get("pods", "demo", "second"), "PodScheduled")["reason"] == "Unschedulable"
    cluster.advance(10)
    assert cluster.storage.get("pods", "demo", "second")["spec"]["nodeName"] == "only"


def test_init_containers_run_in_order_then_the_app():
    cluster = cluster_from(
        """
        pods:
          - name: init
            namespace: demo
            spec:
              initContainers:
                - {name: wait-for-db, image: "busybox:1.36"}
                - {name: migrate, image: "migrate:1.9"}
              containers:
                - {name: app, image: "app:3"}
            behavior:
              wait-for-db: {pull: 1s, run: 20s}
              migrate: {pull: 3s, run: 8s}
              app: {pull: 2s}
        """
    )
    cluster.advance(60)
    final = cluster.storage.get("pods", "demo", "init")
    first = container_status(final, "wait-for-db")["state"]["terminated"]
    second = container_status(final, "migrate")["state"]["terminated"]
    app = container_status(final, "app")["state"]["running"]
    assert first["reason"] == second["reason"] == "Completed"
    # migrate pulls (3s) after wait-for-db finished, the app pulls (2s) after migrate.
    assert rel(second["startedAt"]) == rel(first["finishedAt"]) + 3
    assert rel(app["startedAt"]) == rel(second["finishedAt"]) + 2
    initialized = [
        (condition(pod, "Initialized") or {}).get("message")
        for _, _, pod in timeline(cluster, "demo", "init")
        if condition(pod, "Initialized")
    ]
    assert initialized[0] == "containers with incomplete status: [wait-for-db migrate]"
    assert "containers with incomplete status: [migrate]" in initialized
    assert condition(final, "Initialized")["status"] == "True"
    waiting = {container_status(pod, "app")["state"].get("waiting", {}).get("reason") for _, _, pod in timeline(cluster, "demo", "init")}
    assert "PodInitializing" in waiting and "ContainerCreating" not in waiting


def test_failing_init_container_restarts_with_back_off_and_blocks_the_app():
    text = """
    pods:
      - name: init-fail
        namespace: demo
        spec:
          restartPolicy: {policy}
          initContainers:
            - {{name: check, image: "busybox:1.36"}}
          containers:
            - {{name: app, image: "app:3"}}
        behavior:
          check: {{run: 2s, exit_code: 1}}
    """
    cluster = cluster_from(text.format(policy="Always"))
    cluster.advance(120)
    pod = cluster.storage.get("pods", "demo", "init-fail")
    check = container_status(pod, "check")
    assert check["restartCount"] >= 3
    reasons = {container_status(p, "check")["state"].get("waiting", {}).get("reason") for _, _, p in timeline(cluster, "demo", "init-fail")}
    assert "CrashLoopBackOff" in reasons
    assert container_status(pod, "app")["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert pod["status"]["phase"] == "Pending"

    never = cluster_from(text.format(policy="Never"))
    never.advance(60)
    pod = never.storage.get("pods", "demo", "init-fail")
    assert pod["status"]["phase"] == "Failed"
    assert container_status(pod, "check")["restartCount"] == 0


def test_sidecar_starts_before_the_app_and_counts_in_ready():
    cluster = cluster_from(
        """
        pods:
          - name: sidecar
            namespace: demo
            spec:
              initContainers:
                - name: proxy
                  image: envoy:1.30
                  restartPolicy: Always
                  startupProbe: {tcpSocket: {port: 15000}, periodSeconds: 2}
              containers:
                - {name: app, image: "app:3"}
            behavior:
              proxy: {pull: 2s, probes: {startup: {pass_after: 5s}}}
              app: {pull: 1s}
        """
    )
    cluster.advance(40)
    pod = cluster.storage.get("pods", "demo", "sidecar")
    proxy = container_status(pod, "proxy")
    app = container_status(pod, "app")
    assert proxy["started"] is True and proxy["ready"] is True and "running" in proxy["state"]
    started = first_time(cluster, "sidecar", lambda p: container_status(p, "proxy").get("started"))
    app_started = rel(app["state"]["running"]["startedAt"])
    assert app_started >= int(started)  # the app waits for the sidecar's startup probe
    assert condition(pod, "Ready")["status"] == "True"
    assert pod["status"]["phase"] == "Running"


HOOK_FAILS = """
pods:
  - name: hook
    namespace: demo
    spec:
      containers:
        - name: app
          image: app:3
          lifecycle:
            postStart:
              exec: {command: [/bin/sh, -c, /app/warmup.sh]}
    behavior:
      app: {pull: 1s, post_start: 2s, post_start_error: "cache unreachable"}
"""


def test_post_start_hook_failure():
    cluster = cluster_from(HOOK_FAILS)
    cluster.advance(90)
    pod = cluster.storage.get("pods", "demo", "hook")
    uid = pod["metadata"]["uid"]
    events = {e["reason"]: e for e in events_about(cluster, "hook")}
    assert events["FailedPostStartHook"]["message"] == "PostStartHook failed"
    assert events["FailedPostStartHook"]["type"] == "Warning"
    assert events["Killing"]["message"] == "FailedPostStartHook"
    waiting = [
        container_status(p, "app")["state"]["waiting"]
        for _, _, p in timeline(cluster, "demo", "hook")
        if container_status(p, "app")["state"].get("waiting", {}).get("reason") == "PostStartHookError"
    ]
    assert waiting[0]["message"] == (
        f'Exec lifecycle hook ([/bin/sh -c /app/warmup.sh]) for Container "app" in Pod "hook_demo({uid})" '
        "failed - error: command '/bin/sh -c /app/warmup.sh' exited with 1: cache unreachable, message: \"cache unreachable\""
    )
    assert container_status(pod, "app")["restartCount"] >= 2


def test_a_failed_post_start_hook_shows_the_ended_instance_with_its_own_count():
    """SyncPod writes the status (instance ended, its count) before it starts the next
    instance, whose hook then runs with the worker busy: restartCount goes up with the
    instance that ends next, never beside the lastState of the one before (was: 1 from
    the first end on, "1 (3s)" then "1 (0s)")."""
    cluster = cluster_from(HOOK_FAILS)
    cluster.advance(50)
    seen: list[tuple] = []  # (state, restartCount, lastState's finishedAt) as it changed
    ids: list[str] = []  # container instances in the order they were created
    for t, _, pod in timeline(cluster, "demo", "hook"):
        status = container_status(pod, "app")
        last = status["lastState"].get("terminated")
        for cid in (last or {}).get("containerID"), status.get("containerID"):
            if cid and cid not in ids:
                ids.append(cid)
        if last is None:
            continue
        # The count is the attempt of the instance the status names, and a container
        # that is not running names the instance that ended.
        assert status["restartCount"] == ids.index(status["containerID"]), (t, status)
        if "running" not in status["state"]:
            assert status["containerID"] == last["containerID"], (t, status)
        label = (next(iter(status["state"])), status["restartCount"], rel(last["finishedAt"]))
        if not seen or seen[-1] != label:
            seen.append(label)
    assert seen[:4] == [
        ("waiting", 0, 5),  # the first instance ended: count still 0, the restart's hook runs
        ("waiting", 1, 8),  # restart #1 ended in its hook
        ("waiting", 2, 21),  # restart #2, 10s of back-off after 8 and its 3s in the hook
        ("waiting", 3, 44),
    ]


def test_missing_secret_is_a_create_container_config_error():
    cluster = cluster_from(
        """
        secrets: [demo/present]
        pods:
          - name: missing
            namespace: demo
            spec:
              containers:
                - name: api
                  image: api:2
                  env:
                    - {name: A, valueFrom: {secretKeyRef: {name: present, key: a}}}
                    - {name: B, valueFrom: {secretKeyRef: {name: db-credentials, key: password}}}
          - name: optional
            namespace: demo
            spec:
              containers:
                - name: api
                  image: api:2
                  envFrom: [{secretRef: {name: db-credentials, optional: true}}]
        """
    )
    cluster.advance(45)
    pod = cluster.storage.get("pods", "demo", "missing")
    assert container_status(pod, "api")["state"] == {
        "waiting": {"reason": "CreateContainerConfigError", "message": 'secret "db-credentials" not found'}
    }
    failed = next(e for e in events_about(cluster, "missing") if e["reason"] == "Failed")
    assert failed["message"] == 'Error: secret "db-credentials" not found'
    assert failed["count"] >= 4  # retried on every resync, about every 10s
    assert "running" in container_status(cluster.storage.get("pods", "demo", "optional"), "api")["state"]


def test_readiness_gate_holds_ready_until_its_condition_is_true():
    cluster = cluster_from(
        """
        pods:
          - name: gated
            namespace: demo
            spec:
              readinessGates: [{conditionType: example.com/lb-registered}]
              containers: [{name: web, image: "nginx:1.27"}]
            gates: {example.com/lb-registered: 30s}
        """
    )
    cluster.advance(20)
    pod = cluster.storage.get("pods", "demo", "gated")
    assert condition(pod, "ContainersReady")["status"] == "True"
    ready = condition(pod, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False",
        "ReadinessGatesNotReady",
        'corresponding condition of pod readiness gate "example.com/lb-registered" does not exist.',
    )
    cluster.advance(20)
    pod = cluster.storage.get("pods", "demo", "gated")
    assert condition(pod, "example.com/lb-registered")["status"] == "True"
    assert condition(pod, "Ready")["status"] == "True"


def test_pod_json_shape():
    cluster = cluster_from(
        """
        pods:
          - name: shape
            namespace: demo
            labels: {app: shape}
            spec:
              containers:
                - {name: web, image: "nginx:1.27", resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 100m, memory: 64Mi}}}
        """
    )
    cluster.advance(10)
    pod = cluster.storage.get("pods", "demo", "shape")
    meta = pod["metadata"]
    assert meta["labels"] == {"app": "shape"} and len(meta["uid"]) == 36 and meta["resourceVersion"]
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Always" and spec["terminationGracePeriodSeconds"] == 30
    assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    status = pod["status"]
    assert status["qosClass"] == "Guaranteed"
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    web = container_status(pod, "web")
    assert web["containerID"].startswith("containerd://") and len(web["containerID"]) == len("containerd://") + 64
    assert web["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert web["ready"] is True and web["started"] is True and web["lastState"] == {}


def test_pods_are_admitted_with_a_service_account_token_volume():
    # The ServiceAccount admission plugin's kube-api-access volume, mounted read-only into
    # every container, named from the pod's uid (so the same seed gives the same name).
    yaml = """
        pods:
          - name: web
            namespace: demo
            spec:
              initContainers:
                - {name: setup, image: "busybox:1"}
              containers:
                - {name: app, image: "app:1"}
                - {name: side, image: "side:1"}
        """
    pods = []
    for _ in range(2):
        cluster = cluster_from(yaml, seed=5)
        cluster.advance(0.01)
        pods.append(cluster.storage.get("pods", "demo", "web"))
    assert pods[0]["spec"]["volumes"] == pods[1]["spec"]["volumes"]
    [volume] = pods[0]["spec"]["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    assert [s for source in volume["projected"]["sources"] for s in source] == ["serviceAccountToken", "configMap", "downwardAPI"]
    mount = {"name": volume["name"], "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    for kind in ("initContainers", "containers"):
        assert all(c["volumeMounts"] == [mount] for c in pods[0]["spec"][kind])


def test_no_token_volume_for_pods_that_opt_out_or_mount_their_own():
    from podtui.demo.scenario import with_service_account_token

    opted_out = {"automountServiceAccountToken": False, "containers": [{"name": "app"}]}
    assert with_service_account_token(opted_out, "kube-api-access-x") is opted_out
    own = {"containers": [{"name": "app", "volumeMounts": [{"name": "t", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}]}
    assert with_service_account_token(own, "kube-api-access-x") is own
