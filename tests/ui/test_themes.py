import pytest
from textual.theme import BUILTIN_THEMES

from podtui.errors import ConfigError
from podtui.ui.lifecycle_colours import status_colour
from podtui.ui.themes import (
    LIFECYCLE_FALLBACKS, default_theme, load_themes, resolve_theme, shipped_theme_dir, terminal_colours,
    with_lifecycle_colours,
)


def env(tmp_path, **extra):
    return {"PODTUI_THEME_DIR": str(tmp_path), **extra}


def test_shipped_themes_load_and_define_every_lifecycle_colour(tmp_path):
    themes, problems = load_themes(env(tmp_path))
    assert problems == []
    assert {"podtui-dark", "podtui-light", "podtui-ansi", "podtui-k9s"} <= set(themes)
    for name in ("podtui-dark", "podtui-light", "podtui-ansi"):
        assert set(LIFECYCLE_FALLBACKS) <= set(themes[name].variables), name
    assert themes["podtui-ansi"].ansi
    assert (shipped_theme_dir() / "podtui-dark.yaml").is_file()


def test_user_theme_dir_adds_and_overrides(tmp_path):
    (tmp_path / "mine.yaml").write_text("name: mine\nprimary: '#ff0000'\nvariables:\n  phase-running: '#00ff00'\n")
    (tmp_path / "podtui-dark.yml").write_text("name: podtui-dark\nprimary: '#123456'\n")
    themes, problems = load_themes(env(tmp_path))
    assert problems == []
    assert themes["mine"].variables["phase-running"] == "#00ff00"
    assert themes["podtui-dark"].primary == "#123456"
    assert resolve_theme("mine", env(tmp_path)) == "mine"


def test_broken_user_themes_are_reported_not_fatal_unless_chosen(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: bad\nprimary: [unclosed\n")
    (tmp_path / "nocolour.yaml").write_text("name: nocolour\nprimary: not-a-colour\n")
    (tmp_path / "typo.yaml").write_text("name: typo\nprimary: '#fff'\nsecondery: '#000'\n")
    themes, problems = load_themes(env(tmp_path))
    assert "podtui-dark" in themes and not {"bad", "nocolour", "typo"} & set(themes)
    assert len(problems) == 3
    assert any("bad.yaml line 3 is not valid YAML" in p for p in problems)
    assert any("bad colour" in p for p in problems)
    assert any("unknown field 'secondery'" in p for p in problems)
    with pytest.raises(ConfigError, match="not valid YAML"):
        resolve_theme("bad", env(tmp_path))


def test_unknown_theme_names_the_available_ones(tmp_path):
    with pytest.raises(ConfigError) as err:
        resolve_theme("no-such-theme", env(tmp_path))
    text = str(err.value)
    assert "unknown theme 'no-such-theme'" in text and "podtui-dark" in text and "nord" in text
    assert "\n" not in text


def test_builtin_textual_themes_are_accepted():
    assert resolve_theme("dracula", {"PODTUI_THEME_DIR": "/nonexistent"}) == "dracula"


@pytest.mark.parametrize("environ,colours,theme", [
    ({"COLORTERM": "truecolor", "TERM": "xterm"}, "truecolor", "podtui-dark"),
    ({"TERM": "xterm-256color"}, "256", "podtui-dark"),
    ({"TERM": "xterm"}, "16", "podtui-ansi"),
    ({"TERM": "linux"}, "16", "podtui-ansi"),
    ({}, "16", "podtui-ansi"),
    ({"COLORTERM": "truecolor", "NO_COLOR": "1"}, "truecolor", "podtui-ansi"),
    ({"TERM": "xterm-256color", "NO_COLOR": ""}, "256", "podtui-ansi"),  # empty: Textual filters colour too
])
def test_limited_terminals_get_the_ansi_theme(environ, colours, theme):
    assert terminal_colours(environ) == colours
    assert default_theme(environ) == theme
    assert resolve_theme(None, {**environ, "PODTUI_THEME_DIR": "/nonexistent"}) == theme


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
def test_every_builtin_theme_gets_lifecycle_colours(name):
    variables = with_lifecycle_colours(BUILTIN_THEMES[name].to_color_system().generate())
    for key in LIFECYCLE_FALLBACKS:
        assert variables[key], key


@pytest.mark.parametrize("status,ready,deleted,colour", [
    ("Running", "1/1", False, "phase-running"),
    ("Running", "1/2", False, "status-notready"),
    ("NotReady", "1/2", False, "status-notready"),
    ("Pending", "0/1", False, "phase-pending"),
    ("ContainerCreating", "0/1", False, "phase-pending"),
    ("Init:1/3", "0/1", False, "phase-pending"),
    ("Init:CrashLoopBackOff", "0/1", False, "status-backoff"),
    ("Init:Error", "0/1", False, "phase-failed"),
    ("Init:ExitCode:3", "0/1", False, "phase-failed"),
    ("CrashLoopBackOff", "0/1", False, "status-backoff"),
    ("ImagePullBackOff", "0/1", False, "status-backoff"),
    ("OOMKilled", "0/1", False, "phase-failed"),
    ("Signal:9", "0/1", False, "phase-failed"),
    ("Evicted", "0/1", False, "phase-failed"),
    ("Completed", "0/1", False, "phase-succeeded"),
    ("Terminating", "1/1", False, "status-terminating"),
    ("Unknown", "1/1", False, "phase-unknown"),
    ("Running", "1/1", True, "status-deleted"),
    ("", "", False, "phase-pending"),
])
def test_status_colours(status, ready, deleted, colour):
    assert status_colour(status, ready, deleted) == colour


def test_run_rejects_an_unknown_theme_before_touching_the_feed(tmp_path, monkeypatch):
    from podtui.clock import ManualClock
    from podtui.sources.base import StaticFeed
    from podtui.ui.app import run

    monkeypatch.setenv("PODTUI_THEME_DIR", str(tmp_path))
    started = []

    class Feed(StaticFeed):
        def start(self):
            started.append(True)

    with pytest.raises(ConfigError, match="unknown theme 'neon'"):
        run(Feed([]), ManualClock(0), theme="neon")
    assert not started


def _contrast(fg, bg) -> float:
    def luminance(colour) -> float:
        r, g, b = (c / 255 for c in colour.get_truecolor())
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["podtui-dark", "podtui-light", "podtui-k9s", "textual-light", "textual-dark"])
async def test_the_column_headers_are_legible_in_every_theme(theme):
    from tests.ui.harness import fixture_app, settle

    app = fixture_app(theme=theme)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.table
        sorted_style = table.get_component_rich_style("pod-table--header-sorted")
        plain, marked = [], []
        for segment in table.render_line(0):
            if segment.text.strip():
                contrast = _contrast(segment.style.color, segment.style.bgcolor)
                (marked if segment.style.color == sorted_style.color else plain).append(contrast)
        # Before: the unsorted headers were white whatever the theme, 1.3:1 on
        # podtui-light's light grey panel; the sorted one in the accent colour, 1.3:1 on
        # textual-light's.
        assert plain and min(plain) >= 4.5, plain
        # The sorted column also has its arrow: Textual's own accent text colour will do.
        assert marked and min(marked) >= (3 if theme.startswith("podtui") else 2.5), marked
        cursor = table.render_line(1 + table.cursor - int(table.scroll_y))
        # Before: white on podtui-dark's light blue cursor, 2.9:1. (Bold, as large text: 3:1.)
        assert min(_contrast(s.style.color, s.style.bgcolor) for s in cursor if s.text.strip()) >= 3
