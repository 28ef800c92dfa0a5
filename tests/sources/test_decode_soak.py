"""The pod decoder over days of churn: what it keeps goes with the pods it was for."""

from __future__ import annotations

import orjson

from podtui.sources.decode import PodDecoder


def job_pod(i: int, node: str = "node-a", owner: str | None = None) -> dict:
    owner = owner or f"job-{i}"
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"backup-{i}", "namespace": "ops", "uid": f"u-{i}", "resourceVersion": str(i),
                     "ownerReferences": [{"kind": "Job", "name": owner, "uid": owner, "controller": True}]},
        "spec": {"nodeName": node, "containers": [{"name": "backup", "image": "backup:1",
                                                   "env": [{"name": "TARGET", "value": "s3://x"}]}]},
        "status": {"phase": "Running"},
    }


def line(obj: dict, kind: str = "MODIFIED") -> bytes:
    return orjson.dumps({"type": kind, "object": obj})


def test_a_controllers_template_goes_with_its_last_pod():
    # A CronJob: a new Job (a new controller uid) with one pod, every minute, for days.
    dec = PodDecoder()
    for i in range(3000):
        dec.line(line(job_pod(i), "ADDED"))
        dec.line(line(job_pod(i, node="node-b")))  # a new spec: it meets the template
        dec.object_gone(line(job_pod(i, node="node-b"), "DELETED"))
    assert len(dec._seen) == 0
    assert len(dec._templates) == 0


def test_a_template_stays_while_any_of_its_pods_does():
    dec = PodDecoder()
    a = dec.object(line(job_pod(1, owner="rs")))
    dec.object(line(job_pod(2, owner="rs")))
    dec.forget("u-2")
    c = dec.object(line(job_pod(3, owner="rs")))
    assert c["spec"]["containers"] is a["spec"]["containers"]
    for uid in ("u-1", "u-3"):
        dec.forget(uid)
    assert dec._templates == {}


def test_an_orphaned_pod_lets_go_of_its_old_controllers_template():
    dec = PodDecoder()
    dec.object(line(job_pod(1, owner="rs-old")))
    adopted = job_pod(1, node="node-b", owner="rs-new")
    dec.object(line(adopted))
    assert list(dec._templates) == ["rs-new"]
    dec.forget("u-1")
    assert dec._templates == {}


def test_a_pod_without_a_uid_keeps_no_template():
    dec = PodDecoder()
    for i in range(100):
        obj = job_pod(i)
        del obj["metadata"]["uid"]
        dec.object(line(obj))
    assert dec._templates == {} and dec._seen == {}
