"""Property tests run the same examples on every run, so a CI result can be repeated;
HYPOTHESIS_PROFILE=explore draws new ones (and more of them) when hunting bugs."""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _a_terminal_to_draw_on(monkeypatch):
    """Tests run with stderr captured, and the live command refuses before connecting when
    stderr is no terminal (podtui.ui.terminal.preflight): in-process runs fake the screen
    itself where they run one. Subprocesses (no fixture) and check_terminal's own tests
    see the real check."""
    monkeypatch.setattr("podtui.ui.terminal.preflight", lambda: None)
