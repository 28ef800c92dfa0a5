"""The help says what each key does where: `q` goes back in a pod's detail, so it is
not listed as quitting "everywhere"."""

from __future__ import annotations

from tests.ui.harness import load_fixture, make_app, settle


def sections(text: str) -> dict[str, list[str]]:
    """The help's lines under each title, each squeezed to single spaces."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = found.setdefault(line.strip(), [])
        elif current is not None and line.strip():
            current.append(" ".join(line.split()))
    return found


async def test_q_is_listed_where_it_quits_and_where_it_goes_back():
    app = make_app(*load_fixture())
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        help_text = sections(str(app.screen.help_text.render()))
    assert "q Quit" in help_text["Pod list"]
    assert "esc, q Back" in help_text["Pod detail"]
    everywhere = help_text["Everywhere"]
    assert "^c Quit" in everywhere and not any(line.startswith("q") for line in everywhere)
