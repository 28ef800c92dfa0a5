"""The k9s keys for what podtui does not do (logs, shell, edit, delete, kill) say what
to do instead, in one notice; k9s's `:po`/`:pods`/`:pod` are the list podtui shows."""

from __future__ import annotations

import pytest

from podtui.ui.detail_screen import DetailScreen
from tests.ui.conftest import notices
from tests.ui.harness import fixture_app, settle
from tests.ui.test_pilot import own_footer_keys

KUBECTL_FLAGS = ("--kubeconfig", "/tmp/demo/kubeconfig", "--context", "podtui-demo")

EXPECTED = {
    "l": "l (k9s: logs): podtui doesn't read logs; c copies the pod's name and shows its kubectl logs command",
    "s": ("s (k9s: shell): podtui opens no shell; from a terminal: kubectl exec -it --kubeconfig "
          "/tmp/demo/kubeconfig --context podtui-demo -n {ns} {name} -- sh"),
    "e": "e (k9s: edit): podtui never writes to the cluster; y shows the pod's YAML",
    "ctrl+d": "^d (k9s: delete): podtui never writes to the cluster",
    "ctrl+k": "^k (k9s: kill): podtui never writes to the cluster",
}


@pytest.mark.parametrize("key", list(EXPECTED))
async def test_a_k9s_key_says_in_one_notice_what_podtui_does_instead(key):
    # Before: each did nothing, with no message.
    app = fixture_app(kubectl_flags=KUBECTL_FLAGS)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        record = app.table.records[app.table.cursor_uid]
        await pilot.press(key)
        await pilot.pause()
        expected = EXPECTED[key].format(ns=record.namespace, name=record.name)
        assert notices(app) == [expected]
        await pilot.press(key)  # again: said in place, not stacked
        await pilot.pause()
        assert notices(app) == [expected]
        assert app.screen is app.pods_screen and app.table.x_offset == 0


async def test_the_k9s_keys_are_not_in_the_footer_and_are_one_line_in_the_help():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any("k9s" in key for key in own_footer_keys(app))
        await pilot.press("question_mark")
        await pilot.pause()
        lines = str(app.screen.help_text.render()).splitlines()
        mine = [line.split() for line in lines if "k9s's logs" in line]
        assert mine == [["l,", "s,", "e,", "^d,", "^k", "k9s's", "logs/shell/edit/delete/kill:", "what", "podtui",
                         "offers"]]


async def test_l_still_scrolls_a_row_wider_than_the_table_sideways_and_says_nothing():
    app = fixture_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")  # the wide columns, wider than 80
        await pilot.press("l")
        await pilot.pause()
        assert app.table.x_offset > 0 and notices(app) == []
        while True:  # to the row's end: l has nowhere to go, and still is the scroll
            before = app.table.x_offset
            await pilot.press("l")
            if app.table.x_offset == before:
                break
        await pilot.pause()
        assert notices(app) == []


async def test_the_k9s_keys_are_text_in_the_filter_and_the_command_line():
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "l", "s", "e")
        assert app.pods_screen.filter_input.value == "lse"
        await pilot.press("escape", "colon", "l", "s")
        assert app.pods_screen.command_input.value == "ls"
        await pilot.pause()
        assert notices(app) == []


@pytest.mark.parametrize("command", ["po", "pods", "pod", "PODS"])
async def test_k9s_pods_command_is_the_list_and_says_so(command):
    # Before: accepted without a word, as if nothing had been typed.
    app = fixture_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.open_detail(app.table.cursor_uid)
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("colon", *command, "enter")  # from a pod's detail: back to the list
        await pilot.pause()
        assert app.screen is app.pods_screen
        assert notices(app) == ["pods: this list (podtui shows pods only)"]
