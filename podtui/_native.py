"""Which of podtui's modules run compiled (see hatch_build.py), and the guard that
keeps a changed source from being shadowed by its stale extension.

Python imports an extension in preference to the .py beside it. In a checkout
installed editable, the extension of a module edited since the install would keep
running the old code: so a module whose source no longer matches the hash it was
built from is loaded from its .py. PODTUI_PURE=1 loads every one from its .py.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
MANIFEST = _PACKAGE / "_compiled.json"


def _source(name: str, package: Path = _PACKAGE) -> Path:
    return package.joinpath(*name.split(".")[1:]).with_suffix(".py")


def source_digest(source: Path) -> str:
    """sha256 of a module's .py, and of the .pxd beside it if there is one (Cython's
    types for it: a changed .pxd changes the extension as much as a changed .py).
    hatch_build.py records it per module; OSError if the .py can't be read."""
    data = source.read_bytes()
    try:
        data += b"\0pxd\0" + source.with_suffix(".pxd").read_bytes()
    except FileNotFoundError:
        pass
    return hashlib.sha256(data).hexdigest()


def sources_to_prefer(manifest: dict, pure: bool, package: Path = _PACKAGE) -> dict[str, Path]:
    """The modules of `manifest` (name -> source_digest of the source built) to load
    from their .py: all with `pure`, else those whose source changed."""
    chosen = {}
    for name, digest in manifest.items():
        source = _source(name, package)
        try:
            changed = pure or source_digest(source) != digest
        except OSError:
            chosen[name] = source  # the module is gone from the source: so is it (ImportError)
            continue
        if changed:
            chosen[name] = source
    return chosen


class _SourceFirst:
    """A meta path finder for the chosen modules: their .py, not their extension."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, name: str, path=None, target=None):
        source = self.sources.get(name)
        if source is None:
            return None
        if not source.exists():
            raise ModuleNotFoundError(f"No module named {name!r} (only a stale extension of it)", name=name)
        return importlib.util.spec_from_file_location(name, source)


def install() -> None:
    try:
        manifest = json.loads(MANIFEST.read_bytes())
    except (OSError, ValueError):
        return  # not compiled (or a broken manifest): every module is its .py anyway
    if type(manifest) is not dict:
        return
    chosen = sources_to_prefer(manifest, bool(os.environ.get("PODTUI_PURE")))
    if chosen:
        sys.meta_path.insert(0, _SourceFirst(chosen))


def compiled_modules() -> list[str]:
    """The modules of the manifest that run compiled in this process (imported or not)."""
    try:
        manifest = json.loads(MANIFEST.read_bytes())
    except (OSError, ValueError):
        return []
    out = []
    for name in manifest if type(manifest) is dict else ():
        spec = importlib.util.find_spec(name)
        if spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            out.append(name)
    return sorted(out)
