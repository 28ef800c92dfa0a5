import pytest

from podtui.lifecycle.store import Store
from tests.ui.harness import load_fixture


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    """No user configuration leaks into UI tests: no user themes, colours on."""
    monkeypatch.setenv("PODTUI_THEME_DIR", str(tmp_path / "themes"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture(scope="module")
def cluster():
    """The UI fixture's pods in a store, and the fixture's now: what pane tests render."""
    items, clock, _ = load_fixture()
    store = Store(clock)
    store.apply_batch(items)
    return store, clock.time()


def notices(app) -> list[str]:
    """The messages of the notices the app holds now, oldest first. Textual has no public
    reader of them (its toasts show them a refresh later): the one place tests read
    App._notifications, its shape pinned by test_textual_private.py."""
    return [message for message, _ in notices_with_severity(app)]


def notices_with_severity(app) -> list[tuple[str, str]]:
    """(message, severity) of each notice the app holds now, oldest first (see notices)."""
    return [(str(n.message), n.severity) for n in app._notifications]
