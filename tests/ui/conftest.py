import pytest


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    """No user configuration leaks into UI tests: no user themes, colours on."""
    monkeypatch.setenv("PODTUI_THEME_DIR", str(tmp_path / "themes"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("COLORTERM", "truecolor")
