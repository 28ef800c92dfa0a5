"""The model's hot modules run compiled (hatch_build.py), and compiled they do exactly
what their .py does; a source edited since the build is run as its .py."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from podtui import __version__, _native

ROOT = Path(__file__).resolve().parents[1]
PURE = bool(os.environ.get("PODTUI_PURE"))
RECORDINGS = sorted((ROOT / "tests" / "recordings").glob("*.jsonl.gz"))


def built_modules() -> tuple[str, ...]:
    tree = ast.parse((ROOT / "hatch_build.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MODULES":
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("hatch_build.py has no MODULES")


def manifest() -> dict:
    try:
        return json.loads(_native.MANIFEST.read_bytes())
    except OSError:
        pytest.fail("podtui was installed without compiling its model (pip printed why); a C compiler and "
                    "`pip install -e .` build it; PODTUI_PURE=1 runs the tests on the pure-Python model")


def run(code: str, *, pure: bool, path: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PODTUI_PURE"}
    if pure:
        env["PODTUI_PURE"] = "1"
    if path is not None:
        env["PYTHONPATH"] = str(path)
    # -c puts the working directory first on sys.path: the package under test must be the one found
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=300,
                          cwd=path or ROOT)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode()


@pytest.mark.skipif(PURE, reason="PODTUI_PURE=1: the pure-Python model is under test")
def test_the_hot_modules_run_compiled():
    built = manifest()
    assert sorted(built) == sorted(built_modules())
    unchanged = [name for name in built if name not in _native.sources_to_prefer(built, pure=False)]
    assert _native.compiled_modules() == sorted(unchanged)
    import podtui.lifecycle.history as history  # noqa: PLC0415
    if "podtui.lifecycle.history" in unchanged:
        assert not history.__file__.endswith(".py")


def test_pure_loads_every_module_from_its_source():
    out = run("import podtui._native as n, podtui.lifecycle.store as s; print(n.compiled_modules(), s.__file__)",
              pure=True)
    assert out.split() == ["[]", str(ROOT / "podtui" / "lifecycle" / "store.py")]


def run_edited(tmp_path: Path, file: str, addition: str, code: str) -> str:
    """`code` run against a copy of the installed package whose `file` (below podtui/)
    got `addition` after the build."""
    manifest()
    copy = tmp_path / "podtui"
    shutil.copytree(ROOT / "podtui", copy, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / file
    edited.write_text(edited.read_text() + addition)
    return run(code, pure=False, path=tmp_path)


@pytest.mark.skipif(PURE, reason="PODTUI_PURE=1: nothing is compiled")
def test_a_source_edited_after_the_build_runs_as_its_py(tmp_path):
    out = run_edited(tmp_path, "lifecycle/columns.py", "\nEDITED = True\n",
                     "import podtui.lifecycle.columns as c, podtui.lifecycle.history as h; "
                     "print(getattr(c, 'EDITED', False), c.__file__.endswith('.py'), h.__file__.endswith('.py'))")
    assert out.split() == ["True", "True", "False"]


@pytest.mark.skipif(PURE, reason="PODTUI_PURE=1: nothing is compiled")
def test_a_pxd_edited_after_the_build_runs_its_module_as_its_py(tmp_path):
    # A .pxd gives the compiled module its C types: the extension built from the old
    # one no longer matches the source either.
    out = run_edited(tmp_path, "sources/decode.pxd", "\n# edited\n",
                     "import podtui.sources.decode as d, podtui.lifecycle.columns as c; "
                     "print(d.__file__.endswith('.py'), c.__file__.endswith('.py'))")
    assert out.split() == ["True", "False"]


def test_the_guard_prefers_changed_sources_only(tmp_path):
    (tmp_path / "lifecycle").mkdir()
    same, edited = tmp_path / "lifecycle" / "a.py", tmp_path / "lifecycle" / "b.py"
    same.write_text("A = 1\n")
    edited.write_text("B = 2\n")
    built = {"podtui.lifecycle.a": hashlib.sha256(b"A = 1\n").hexdigest(),
             "podtui.lifecycle.b": hashlib.sha256(b"B = 1\n").hexdigest(),
             "podtui.lifecycle.gone": "0" * 64}
    gone = tmp_path / "lifecycle" / "gone.py"  # deleted from the source: its extension must not stand in for it
    assert _native.sources_to_prefer(built, pure=False, package=tmp_path) == {"podtui.lifecycle.b": edited,
                                                                              "podtui.lifecycle.gone": gone}
    assert set(_native.sources_to_prefer(built, pure=True, package=tmp_path)) == {
        "podtui.lifecycle.a", "podtui.lifecycle.b", "podtui.lifecycle.gone"}


# A digest of everything the model derived from a stream: rows, histories, back-off
# ladders, events, problems, counters. Compiled and pure must agree to the byte.
_DIGEST = r'''
import hashlib, sys
sys.path.insert(0, "tests/benchmarks")
import bench_model as b
from podtui.sources.decode import PodDecoder
from podtui.lifecycle.changes import Change, PODS, MODIFIED, DELETED
initial, lines = b.build_stream(150, 3000, seed=11)
dec = PodDecoder()
store = b.fresh_store(initial, dec)
for k, line in enumerate(lines):
    store.apply(Change(PODS, MODIFIED, None, b.T0 + k * 0.01, raw=line, decode=dec.object))
    if k % 500 == 499:  # some go, some come back under their name
        uid = sorted(store.pods)[k % len(store.pods)]
        store.apply(Change(PODS, DELETED, store.pods[uid].obj, b.T0 + k * 0.01 + 0.005))
store.apply(Change(PODS, MODIFIED, {"metadata": {"uid": "x"}, "status": None}, b.T0 + 99))
store.apply(Change(PODS, MODIFIED, ["not", "a", "pod"], b.T0 + 99))
h = hashlib.sha256()
for uid in sorted(store.pods):
    rec = store.pods[uid]
    h.update(repr((uid, rec.row, list(rec.history), rec.history.dropped, rec.deleted_at,
                   sorted((k, [repr(getattr(v, f)) for f in v.__slots__]) for k, v in rec.ladders.items()))).encode())
h.update(repr((list(store.problems), store.stats, store.resource_versions)).encode())
print(len(store.pods), sum(len(r.history) for r in store.pods.values()), h.hexdigest())
'''


def test_compiled_and_pure_derive_the_same_model():
    compiled, pure = run(_DIGEST, pure=False), run(_DIGEST, pure=True)
    pods, entries, _ = pure.split()
    assert int(pods) >= 150 and int(entries) > 3000
    assert compiled == pure


# Random, often malformed pods, some pieces dict or str subclasses (what an isinstance
# reader lets through): the typed C helpers must take what the pure model takes.
_MANGLED = r'''
import hashlib, random
from podtui.lifecycle.columns import pod_row
from podtui.lifecycle.history import diff_versions, reconstruct, terminated_exit_text
class D(dict): pass
class S(str): pass
R = random.Random(5)
TIMES = ["2024-01-01T00:00:%02dZ" % i for i in range(0, 60, 7)] + [None, 5, "", "bad"]
def m(d): return D(d) if R.random() < .2 else d
def s(x): return S(x) if type(x) is str and R.random() < .2 else x
def junk(): return R.choice([None, 0, 1, True, 2.5, "", "x", [None], {"a": 1}] + TIMES)
def maybe(x, bad=.1): return junk() if R.random() < bad else x
def ended(): return m({"exitCode": R.choice([0, 1, 137, None, "1"]), "signal": R.choice([None, 9, "x"]),
                       "reason": s(R.choice(["Error", "OOMKilled", "", None, 3])),
                       "message": s(R.choice(["boom\nline", "", None, 7, "x" * 1500])),
                       "startedAt": R.choice(TIMES), "finishedAt": R.choice(TIMES),
                       "containerID": R.choice(["c1", "c2", "", None])})
def state():
    kind = R.choice(["waiting", "running", "terminated", "empty", "both", "junk"])
    if kind == "waiting":
        return m({"waiting": maybe(m({"reason": s(R.choice(["CrashLoopBackOff", "ErrImagePull", "", None])),
                                      "message": s(R.choice(["back-off 10s restarting failed container=a", None]))}))})
    if kind == "running": return m({"running": maybe(m({"startedAt": R.choice(TIMES)}))})
    if kind == "terminated": return m({"terminated": maybe(ended())})
    if kind == "both": return m({"waiting": m({"reason": "X"}), "running": m({"startedAt": R.choice(TIMES)})})
    return junk() if kind == "junk" else m({})
def container(name):
    return maybe(m({"name": R.choice([name, name, 5, None]), "restartCount": R.choice([0, 1, 2, None, 1.0, "2"]),
                    "ready": R.choice([True, False, None]), "started": R.choice([True, False, None]),
                    "state": maybe(state()), "lastState": maybe(m({"terminated": maybe(ended())})),
                    "containerID": R.choice(["c1", "c2", "", None])}), .05)
def condition():
    return maybe(m({"type": R.choice(["Ready", "PodScheduled", "Initialized", "ContainersReady", "DisruptionTarget", 3]),
                    "status": R.choice(["True", "False", None]), "reason": s(R.choice(["r", "", None, "SchedulingGated"])),
                    "message": s(R.choice(["m", None, 2])), "lastTransitionTime": R.choice(TIMES)}), .05)
def pod():
    status = m({"phase": s(R.choice(["Running", "Pending", "Failed", None, 3])), "reason": s(R.choice([None, "Evicted", 2])),
                "message": s(R.choice([None, "msg", 4])), "podIP": R.choice(["1.2.3.4", "", None]),
                "podIPs": maybe([m({"ip": R.choice(["1.2.3.4", None])})]), "nominatedNodeName": R.choice([None, "n", 1]),
                "conditions": maybe([condition() for _ in range(R.randint(0, 4))]),
                "containerStatuses": maybe([container(n) for n in "ab"[:R.randint(0, 2)]]),
                "initContainerStatuses": maybe([container("i")] if R.random() < .4 else None)})
    spec = m({"nodeName": R.choice(["n1", None, 3]), "containers": maybe([m({"name": n}) for n in "ab"]),
              "initContainers": maybe([m({"name": "i", "restartPolicy": R.choice(["Always", None])})]),
              "readinessGates": maybe([m({"conditionType": "G"})]) if R.random() < .3 else None})
    meta = m({"name": R.choice(["p", None]), "uid": "u", "deletionTimestamp": R.choice([None] + TIMES),
              "deletionGracePeriodSeconds": R.choice([None, 0, 30, "x"]), "creationTimestamp": R.choice(TIMES),
              "finalizers": maybe(R.choice([None, ["f1"], ["f1", "f2"]]))})
    return maybe(m({"metadata": maybe(meta, .05), "spec": maybe(spec, .05), "status": maybe(status, .05)}), .02)
h = hashlib.sha256()
def record(f):
    try:
        out = f()
    except Exception as exc:  # noqa: BLE001 - which ones, and alike in both, is the point
        out = ("raised", type(exc).__name__)
    h.update(repr(out).encode())
for _ in range(3000):
    a, b = pod(), pod()
    record(lambda: diff_versions(a, b, 1.7e9, R.choice([None, 1.7e9 + 100])))
    record(lambda: reconstruct(b, 1.7e9))
    record(lambda: pod_row(b))
    record(lambda: terminated_exit_text(ended()))
print(h.hexdigest())
'''


def test_compiled_and_pure_take_the_same_mangled_pods():
    assert run(_MANGLED, pure=False) == run(_MANGLED, pure=True)


@pytest.mark.parametrize("recording", RECORDINGS, ids=[p.name for p in RECORDINGS])
def test_compiled_and_pure_write_the_same_history_report(recording):
    code = ("import sys; from podtui.cli import main; "
            f"sys.exit(main(['history', {str(recording)!r}, '--format', 'yaml']))")
    compiled, pure = run(code, pure=False), run(code, pure=True)
    assert len(pure) > 10_000
    assert compiled == pure


def test_version_says_whether_the_model_is_compiled():
    code = "import sys; from podtui.cli import main; sys.exit(main(['--version']))"
    assert run(code, pure=True).startswith(f"podtui {__version__}, model pure Python (PODTUI_PURE is set")
    if not PURE:
        built = manifest()
        stale = _native.sources_to_prefer(built, pure=False)
        assert run(code, pure=False).startswith(f"podtui {__version__}, model compiled ({len(built) - len(stale)} of "
                                                f"{len(built)} modules")


@pytest.mark.skipif(PURE, reason="PODTUI_PURE=1: nothing is compiled")
def test_a_module_whose_source_is_gone_does_not_live_on_as_its_extension(tmp_path):
    manifest()
    shutil.copytree(ROOT / "podtui", tmp_path / "podtui", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "podtui" / "lifecycle" / "read.py").unlink()
    out = run("import podtui\ntry:\n import podtui.lifecycle.read\nexcept ModuleNotFoundError as e:\n print('gone', e)",
              pure=False, path=tmp_path)
    assert out.startswith("gone No module named 'podtui.lifecycle.read'")
