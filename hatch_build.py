"""Build hook: compiles the model's hot modules to C with Cython.

podtui applies every pod watch event to its model on the UI's thread; on a cluster of
tens of thousands of pods that is most of the CPU it spends. The modules below are
the path of one event (decode, diff, history, kubectl's row). Compiled as they are
(plain Python semantics, annotations not enforced) they retire about a fifth fewer
instructions an event and stop thrashing the interpreter's instruction cache; see
tests/benchmarks/bench_model.py and the README.

The .py files stay the source of truth: an editable install puts each extension
beside its module, and podtui/__init__.py loads the .py instead of any extension
whose source changed since it was built (podtui/_compiled.json holds the hashes),
or of all of them with PODTUI_PURE=1. With no C compiler the build goes on, pure
Python, and says so; PODTUI_REQUIRE_COMPILED=1 makes that an error instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULES = (
    "podtui.lifecycle.history",
    "podtui.lifecycle.columns",
    "podtui.lifecycle.store",
    "podtui.lifecycle.changes",
    "podtui.lifecycle.times",
    "podtui.lifecycle.backoff",
    "podtui.lifecycle.read",
    "podtui.sources.decode",
)
MANIFEST = "podtui/_compiled.json"


def _native(root: Path):
    """podtui/_native.py, loaded by path: the build must not import the package."""
    spec = importlib.util.spec_from_file_location("_podtui_native", root / "podtui" / "_native.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def remove_built(root: Path) -> None:
    """Every extension an earlier build put in the source tree (those of modules since
    dropped from MODULES too), then the manifest: never extensions without it."""
    for path in (root / "podtui").rglob("*"):
        if path.suffix in (".so", ".pyd"):
            path.unlink()
    (root / MANIFEST).unlink(missing_ok=True)


def compile_modules(root: Path, out: Path) -> dict[str, str]:
    """Build the extensions into `out` (laid out as the package); the manifest."""
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    manifest = {}
    extensions = []
    source_digest = _native(root).source_digest  # what the import guard compares with
    for name in MODULES:
        source = Path(*name.split(".")).with_suffix(".py")
        manifest[name] = source_digest(root / source)
        # -O1 without debug info: a third of the compile time of Python's -O3 -g for
        # about 2% more instructions an event (callgrind), and the install is what
        # a new user waits through.
        flags = [] if sys.platform == "win32" else ["-O1", "-g0"]
        extensions.append(Extension(name, [str(source)], extra_compile_args=flags))
    with tempfile.TemporaryDirectory(prefix="podtui-build-") as tmp:
        cwd = os.getcwd()
        os.chdir(root)  # Cython names modules by their path from here
        try:
            compiled = cythonize(
                extensions, build_dir=os.path.join(tmp, "c"), quiet=True, nthreads=os.cpu_count() or 1,
                # Plain Python semantics: a hint such as `x: dict` must not turn into a type check.
                compiler_directives={"language_level": 3, "annotation_typing": False},
            )
            dist = Distribution({"ext_modules": compiled, "script_name": "hatch_build.py"})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib, cmd.build_temp = str(out), os.path.join(tmp, "o")
            cmd.parallel = os.cpu_count() or 1
            cmd.ensure_finalized()
            cmd.run()
        finally:
            os.chdir(cwd)
    return manifest


class CompileHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        if version == "editable":
            remove_built(root)  # an extension left from an earlier build must not outlive a failed one
        if os.environ.get("PODTUI_PURE"):
            self.app.display_info("podtui: PODTUI_PURE is set: the model stays pure Python")
            return
        out = Path(tempfile.mkdtemp(prefix="podtui-ext-"))
        try:
            manifest = compile_modules(root, out)
        except Exception as exc:  # noqa: BLE001 - any failure leaves a working pure-Python build
            shutil.rmtree(out, ignore_errors=True)
            if os.environ.get("PODTUI_REQUIRE_COMPILED"):
                raise
            self.app.display_warning(f"podtui: the model could not be compiled ({type(exc).__name__}: {exc}); "
                                     "it runs as pure Python, slower on large clusters")
            return
        built = sorted(p for p in out.rglob("*") if p.is_file())
        if version == "editable":
            # The editable wheel puts the source tree on sys.path: the extensions go there,
            # after the manifest (of the sources' hashes), so none is ever there unchecked.
            (root / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
            for path in built:
                shutil.copy2(path, root / path.relative_to(out))
            shutil.rmtree(out, ignore_errors=True)
            return
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        for path in [*built, out / MANIFEST]:
            build_data["force_include"][str(path)] = str(path.relative_to(out))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self._out = out

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - by hand: python hatch_build.py (rebuild in place)
    here = Path(__file__).resolve().parent
    remove_built(here)
    target = Path(tempfile.mkdtemp(prefix="podtui-ext-"))
    digests = compile_modules(here, target)
    (here / MANIFEST).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    for p in sorted(q for q in target.rglob("*") if q.is_file()):
        shutil.copy2(p, here / p.relative_to(target))
    shutil.rmtree(target, ignore_errors=True)
    print(f"compiled {len(digests)} modules in place", file=sys.stderr)
