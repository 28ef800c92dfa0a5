import pytest
from hypothesis import given
from hypothesis import strategies as st

from podtui.ui.pod_table import compact_restarts, fit
from podtui.ui.table_layout import COLUMNS, layout_columns

CONTENT = {"namespace": 11, "name": 40, "ready": 3, "status": 22, "restarts": 12, "age": 5, "next": 20,
           "ip": 12, "node": 20, "nominated_node": 6, "readiness_gates": 6}


def keys(layout):
    return [c.key for c, _, _ in layout.columns]


def widths(layout):
    return {c.key: w for c, _, w in layout.columns}


def test_kubectl_order_with_next_after_age_and_wide_columns_when_they_fit():
    wide = layout_columns(220, CONTENT, namespace=True, wide=None)
    assert keys(wide) == [c.key for c in COLUMNS]
    narrow = layout_columns(100, CONTENT, namespace=True, wide=None)
    assert keys(narrow) == ["namespace", "name", "ready", "status", "restarts", "age", "next"]
    assert "namespace" not in keys(layout_columns(100, CONTENT, namespace=False, wide=None))
    assert "ip" in keys(layout_columns(100, CONTENT, namespace=True, wide=True))


@pytest.mark.parametrize("width", [79, 80])  # 79: an 80-column terminal less the scrollbar
def test_at_80_columns_status_and_next_stay_whole_and_name_stays_readable(width):
    layout = layout_columns(width, CONTENT, namespace=True, wide=None)
    w = widths(layout)
    assert sum(w.values()) + layout.gap * (len(w) - 1) <= width
    assert w["status"] >= len("ContainerCreating")  # kubectl's STATUS is read first
    assert w["next"] >= len("restart in 4m59s")  # the longest restart countdown
    assert w["name"] >= 13
    assert w["namespace"] >= len("defau…")
    assert w["ready"] >= 5


def test_namespace_narrows_to_its_values_before_name_is_cut_and_then_reads_ns():
    content = dict(CONTENT, namespace=5, name=20)  # demo, shop, batch; deployment pod names
    layout = layout_columns(79, content, namespace=True, wide=None)
    w = widths(layout)
    assert w["namespace"] == 5 and w["name"] >= 14 and w["status"] >= 17
    column = dict((c.key, c) for c, _, _ in layout.columns)["namespace"]
    assert column.header(w["namespace"]) == "NS" and column.header(w["namespace"], "↑") == "NS↑"
    assert column.header(10) == "NAMESPACE" and column.header(10, "↑") == "NAMESPACE↑"
    alone = widths(layout_columns(79, content, namespace=False, wide=None))
    assert alone["name"] == 20 and alone["status"] >= 17  # one namespace: NAME gets the room


def test_init_crash_loop_back_off_whole_when_the_terminal_allows():
    content = dict(CONTENT, status=len("Init:CrashLoopBackOff"))
    assert widths(layout_columns(120, content, namespace=True, wide=None))["status"] == 21
    assert widths(layout_columns(79, content, namespace=True, wide=None))["status"] == 17


@given(width=st.integers(40, 300), content=st.dictionaries(st.sampled_from(list(CONTENT)), st.integers(0, 200)),
       namespace=st.booleans(), wide=st.sampled_from([None, True, False]))
def test_never_wider_than_the_terminal_unless_at_minimums(width, content, namespace, wide):
    layout = layout_columns(width, content, namespace=namespace, wide=wide)
    total = sum(w for _, _, w in layout.columns) + layout.gap * (len(layout.columns) - 1)
    at_minimum = all(w == c.minimum for c, _, w in layout.columns if c.key not in ("ready", "readiness_gates"))
    assert total <= width or at_minimum or wide
    x = 0
    for _, offset, w in layout.columns:
        assert offset == x
        x += w + layout.gap


def test_fit_pads_and_cuts_by_cells():
    assert fit("abc", 5) == "abc  "
    assert fit("abc", 5, right=True) == "  abc"
    assert fit("abcdef", 4) == "abc…"
    assert fit("日本語のポッド", 6) == "日本 …"  # two-cell characters: cut to fit, then padded
    assert fit("x", 0) == ""


def test_restarts_drop_ago_before_an_ellipsis_would_cut_the_time():
    assert compact_restarts("7 (4m14s ago)", 13) == "7 (4m14s ago)"  # kubectl's text when it fits
    assert compact_restarts("7 (4m14s ago)", 11) == "7 (4m14s)"
    assert compact_restarts("12", 1) == "12"  # nothing to drop: fit() cuts as usual


def test_a_160_column_terminal_shows_the_wide_columns_with_tighter_gaps():
    content = {"namespace": 5, "name": 22, "ready": 3, "status": 22, "restarts": 11, "age": 9, "next": 25,
               "ip": 11, "node": 7, "nominated_node": 6, "readiness_gates": 6}
    layout = layout_columns(160, content, namespace=True, wide=None)
    assert "readiness_gates" in keys(layout) and layout.gap == 2
    assert widths(layout)["name"] == 22  # nothing people scan for was cut to make room
    assert "ip" not in keys(layout_columns(120, content, namespace=True, wide=None))


def test_at_80_columns_restarts_gives_up_ago_before_name_is_cut_below_16():
    # The fixture's pods: "6 (65s ago)" is 11 cells, "6 (65s)" 7 (compact_restarts).
    content = {"namespace": 5, "name": 26, "ready": 3, "status": 21, "restarts": 11, "restarts:compact": 7,
               "age": 5, "next": 16}
    w = widths(layout_columns(79, content, namespace=True, wide=None))
    assert w["name"] == 16 and w["restarts"] == len("RESTARTS↓")  # room for the sort arrow
    assert compact_restarts("6 (65s ago)", w["restarts"]) == "6 (65s)"
    roomy = widths(layout_columns(110, content, namespace=True, wide=None))
    assert roomy["restarts"] == 11 and roomy["name"] == 26  # kubectl's words when there is room
