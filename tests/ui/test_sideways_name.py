"""Scrolled sideways (`w` on a narrow terminal), the rows keep NAMESPACE and NAME on the
left, as k9s keeps the name: after `l l` they started at "←READY" and no row said which
pod it was."""

from __future__ import annotations

from tests.ui.harness import fixture_app, settle


def lines(app) -> list[str]:
    table = app.table
    return [table.render_line(y).text for y in range(len(table.index) + 1)]


async def test_name_stays_on_the_left_while_the_other_columns_scroll():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        before = lines(app)
        layout = app.table._current_layout()
        name_end = next(x + w for column, x, w in layout.columns if column.key == "name")
        assert before[0].startswith("NS") and "NAME" in before[0][:name_end]
        await pilot.press("l", "l")
        after = lines(app)
        assert all(len(line) == 79 for line in after)
        assert [line[:name_end] for line in after] == [line[:name_end] for line in before]
        assert "READY" not in after[0] and after[0][name_end:].lstrip(" ").startswith("←")
        for _ in range(12):
            await pilot.press("l")
        shown = lines(app)
        header = shown[0]
        assert header.startswith("NS") and "NODE" in header and "READINESS GATES" in header
        # Scrolled to the row's end, mid-column: the cut column's tail is not drawn next
        # to the name ("night…-x7k2ps" with AGE's "s").
        first = name_end + 1 + len(header[name_end + 1:]) - len(header[name_end + 1:].lstrip())
        assert all(row[name_end:first].strip() == "" for row in shown[1:]), [row[name_end:first] for row in shown]
        # A click on a pinned header still sorts by its column.
        await pilot.click(app.table, offset=(name_end - 3, 0))
        assert app.table.index.sort_column == "name"
        for _ in range(14):
            await pilot.press("h")
        header = lines(app)[0]
        assert header.startswith("NS    NAME↑") and "READY" in header and header.endswith("→")
