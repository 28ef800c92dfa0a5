"""At 80 columns NAME (and a short NAMESPACE) are the last to give up width: STATUS and
NEXT go to their compact widths first, a cut STATUS stays unambiguous, a cut cell shows
"…", and a namespace is not cut to save a cell or two. Found by a k9s user at 80x24:
"missin…secret", "web-2l…8-7xqq6", "sca…-00", "CreateContainer…", IP "10.244"."""

from __future__ import annotations

import pytest

from podtui.ui.pod_table import cut_middle
from podtui.ui.table_layout import layout_columns


def widths(layout):
    return {c.key: w for c, _, w in layout.columns}


def total(layout):
    w = widths(layout)
    return sum(w.values()) + layout.gap * (len(w) - 1)


# The demo at 80x24 (all namespaces): web-<hash>-<id> names of 20, the batch Job's 27,
# kubelet reasons up to CreateContainerConfigError, NEXT's short wordings up to 15.
DEMO = {"namespace": 5, "name": 20, "ready": 3, "status": 26, "restarts": 13, "restarts:compact": 9,
        "age": 5, "next": 17, "next:compact": 15}
# --pods 5000 --namespaces 20: scale-00 .. scale-19, api-gx87dlft7s-2g462.
SCALE = {"namespace": 8, "name": 20, "ready": 3, "status": 17, "restarts": 13, "restarts:compact": 9,
         "age": 5, "next": 17, "next:compact": 14}


@pytest.mark.parametrize("width", [79, 80])
@pytest.mark.parametrize("content", [DEMO, SCALE], ids=["demo", "scale"])
def test_name_gets_the_room_status_gave_up_at_80_columns(width, content):
    # Before: NAME 14-18 ("web-2l…8-7xqq6", "api-gx87…t7s-2g462") while STATUS kept 22.
    layout = layout_columns(width, content, namespace=True, wide=None, sorted_by="namespace")
    w = widths(layout)
    assert total(layout) <= width
    # All that is left once STATUS and NEXT are at their compact widths (16, 15 or 14).
    assert w["name"] == min(20, width - 6 - sum(v for k, v in w.items() if k != "name"))
    # The scale demo's widest STATUS is ContainerCreating, kept whole (17) as its
    # 17th cell would not make NAME whole.
    assert w["status"] == (16 if content is DEMO else 17) and w["next"] == content["next:compact"]
    assert w["name"] >= 16
    assert w["namespace"] == content["namespace"]  # "scale-00" whole, not "sca…-00"
    assert w["status"] >= len("CrashLoopBackOff") and w["next"] >= len("restart 30s")


def test_a_long_name_cut_anyway_does_not_squeeze_next_below_its_short_wordings():
    # The Job's 27-character name is cut whatever NEXT gives: NEXT keeps its 15 cells.
    layout = layout_columns(79, dict(DEMO, name=27), namespace=True, wide=None, sorted_by="namespace")
    w = widths(layout)
    assert total(layout) <= 79 and w["next"] == 15 and 19 <= w["name"] < 27


def test_status_gives_way_to_its_compact_width_before_name_is_cut():
    layout = layout_columns(79, dict(DEMO, name=22), namespace=True, wide=None)
    w = widths(layout)
    assert w["status"] == 16 and w["name"] >= 19


@pytest.mark.parametrize("ns", [8, 9])
def test_a_namespace_is_not_cut_to_save_one_or_two_cells(ns):
    # Everything at its compact width and still too wide: NAME gives, not "sca…-00".
    layout = layout_columns(70, dict(SCALE, namespace=ns), namespace=True, wide=None)
    assert widths(layout)["namespace"] == ns


def test_a_long_namespace_is_cut_when_it_saves_cells():
    layout = layout_columns(70, dict(SCALE, namespace=19, name=40), namespace=True, wide=None)
    w = widths(layout)
    assert w["namespace"] <= 16 and total(layout) <= 70


@pytest.mark.parametrize("status,width,want", [
    ("CreateContainerConfigError", 16, "CreateC…figError"),
    ("CreateContainerError", 16, "CreateC…nerError"),
    ("Init:CrashLoopBackOff", 16, "Init:Cr…pBackOff"),
    ("ContainerCreating", 16, "Contain…Creating"),
    ("CrashLoopBackOff", 16, "CrashLoopBackOff"),
    ("CreateContainerConfigError", 22, "CreateCont…ConfigError"),
])
def test_a_cut_status_keeps_its_distinguishing_tail(status, width, want):
    # Before: "CreateContainer…" (ConfigError or Error?), "Init:CrashLoopB…".
    assert cut_middle(status, width) == want and len(want) == min(width, len(status))


def test_wide_columns_scrolled_sideways_keep_the_widths_without_w():
    # `w` at 80: "web-2…-cx8dp", "CreateContainer…", while NEXT kept "restart in 30s";
    # then STATUS kept 22 cells and NEXT went past the right edge. NAME whole, STATUS
    # and NEXT compact, as without `w`; IP after them, whole.
    content = dict(DEMO, name=20, status=22, ip=11, node=13, nominated_node=6, readiness_gates=6)
    without = widths(layout_columns(79, content, namespace=True, wide=False, sorted_by="namespace"))
    layout = layout_columns(79, content, namespace=True, wide=True, sorted_by="namespace")
    w = widths(layout)
    assert layout.width > 79 and w["status"] == 16 and w["next"] == 15 and w["ip"] == 11
    assert {k: w[k] for k in without} == without and without["name"] >= 19


def test_a_name_too_long_to_stay_on_the_left_is_cut_to_half_the_row_when_it_scrolls():
    # pod_table._pinned keeps NAMESPACE and NAME on the left if they take at most half
    # the row: a longer NAME would scroll away, and no row would say whose it is.
    content = dict(DEMO, name=40, status=7, next=8, restarts=8, age=3, ip=11, node=13, nominated_node=6,
                   readiness_gates=6)
    without = widths(layout_columns(79, content, namespace=True, wide=False))
    assert without["namespace"] + 1 + without["name"] > 79 // 2
    layout = layout_columns(79, content, namespace=True, wide=True)
    name = next((x, w) for c, x, w in layout.columns if c.key == "name")
    assert layout.width > 79 and sum(name) == 79 // 2
    assert {k: w for k, w in widths(layout).items() if k in without and k != "name"} == \
        {k: w for k, w in without.items() if k != "name"}


@pytest.mark.parametrize("width", [79, 80, 81, 90])
def test_status_keeps_container_creating_whole_unless_its_last_cell_makes_name_whole(width):
    # Before: "Contain…Creating" at 80 columns in the scale demo, to give NAME a cell of
    # the three it lacked (20-character names cut to 18, not 17).
    layout = layout_columns(width, SCALE, namespace=True, wide=None, sorted_by="namespace")
    w = widths(layout)
    assert total(layout) <= width
    rest = width - 6 - sum(v for k, v in w.items() if k not in ("name", "status"))
    if rest - 16 >= SCALE["name"]:  # STATUS's 17th cell is what NAME lacks: NAME whole
        assert w["name"] == SCALE["name"] and w["status"] >= 16
    else:
        assert w["status"] == len("ContainerCreating") and w["name"] == rest - 17
    # The UI demo at 80: a 26-cell reason cut to 16 leaves NAME its 20 cells.
    d = widths(layout_columns(80, DEMO, namespace=True, wide=None, sorted_by="namespace"))
    assert (d["status"], d["name"]) == (16, 20)
