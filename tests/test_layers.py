"""The layering: sources -> pure model -> UI. The model must stay importable without
textual or kubernetes; the server side and sources never pull in the UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "podtui"

FORBIDDEN = {
    "lifecycle": {"textual", "rich", "kubernetes", "podtui.ui", "podtui.sources", "podtui.apiserver", "podtui.demo"},
    "apiserver": {"textual", "kubernetes", "podtui.ui", "podtui.sources"},
    "demo": {"textual", "kubernetes", "podtui.ui"},
    "sources": {"textual", "podtui.ui"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violations(layer: str) -> list[str]:
    bad = []
    for path in sorted((PKG / layer).rglob("*.py")):
        for mod in imported_modules(path):
            for banned in FORBIDDEN[layer]:
                if mod == banned or mod.startswith(banned + "."):
                    bad.append(f"{path.relative_to(PKG.parent)} imports {mod}")
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    assert (PKG / layer).is_dir()
    assert violations(layer) == []


def test_checker_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("import os\nfrom textual.app import App\n")
    assert "textual.app" in imported_modules(bad)


def test_model_imports_without_textual_or_kubernetes():
    # Transitive imports count too: import the whole model in a fresh interpreter.
    code = (
        "import sys, pkgutil, importlib, podtui.lifecycle as m\n"
        "for info in pkgutil.walk_packages(m.__path__, 'podtui.lifecycle.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'kubernetes', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
