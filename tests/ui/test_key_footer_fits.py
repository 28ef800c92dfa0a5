"""The key footer on a narrow terminal shows whole keys only: one that does not fit is
left out, never cut (`? H▏^p palette` at 70 columns, `q▏` at 75, a stray `l` after the
palette's hint at 60), and `? Help`, which lists them all, is the last to go."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.ui.harness import fixture_app, settle


def _footer_line(app) -> str:
    footer = app.screen.query_one(Footer)
    strip = app.screen._compositor.render_strips()[footer.region.y]  # the screen's own row
    return "".join(segment.text for segment in strip)


@pytest.mark.parametrize("width", [48, 60, 70, 75, 80, 100])
async def test_every_key_shown_is_whole_and_help_stays(width):
    app = fixture_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        line = _footer_line(app)
        assert len(line) == width
        shown = [key for key in footer.query(FooterKey) if key.display]
        texts = [str(key.render()).strip() for key in shown]
        for text in texts:
            assert text in line, (width, text, line)
        assert "? Help" in line, line
        assert line.rstrip().endswith("^p palette"), line
        hidden = [key for key in footer.query(FooterKey) if not key.display]
        if width >= 100:
            assert not hidden, line
        else:
            # What is left out is left out whole: no word of its text is on the line.
            for key in hidden:
                assert str(key.render()).strip() not in line, (width, line)
        used = sum(key.outer_size.width for key in shown)
        assert used <= width, (width, used, line)


@pytest.mark.parametrize("width", [40, 60])
async def test_a_replays_play_pause_is_kept_with_help(width):
    """In a replay, play/pause stands where the palette's hint would: at 60 columns it
    was the key left out (last in order)."""
    from tests.ui.test_replay_ui import replay_app

    app, _feed, _wall = replay_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()
        line = _footer_line(app)
        assert "? Help" in line and ("space Pause" in line or "space Play" in line), line
        assert line.startswith("⏎ Details"), line
