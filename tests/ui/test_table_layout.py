import pytest
from hypothesis import given
from hypothesis import strategies as st

from podtui.ui.pod_table import compact_restarts, cut_middle, fit, keep_count
from podtui.ui.table_layout import BY_KEY, COLUMNS, layout_columns

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
def test_at_80_columns_status_and_next_give_way_to_name_and_stay_readable(width):
    layout = layout_columns(width, CONTENT, namespace=True, wide=None)
    w = widths(layout)
    assert sum(w.values()) + layout.gap * (len(w) - 1) <= width
    assert w["status"] == len("CrashLoopBackOff")  # longer reasons cut in the middle ("Contain…sUnknown")
    assert w["next"] >= len("pull in 8s")  # a countdown in its shorter wording
    assert w["name"] >= 13 and w["namespace"] == 11  # not cut for a cell or two
    assert w["namespace"] >= len("defau…")
    assert w["ready"] >= 5


def test_namespace_narrows_to_its_values_before_name_is_cut_and_then_reads_ns():
    content = dict(CONTENT, namespace=5, name=20)  # demo, shop, batch; deployment pod names
    layout = layout_columns(79, content, namespace=True, wide=None)
    w = widths(layout)
    assert w["namespace"] == 5 and w["name"] >= 19 and w["status"] >= 16
    column = dict((c.key, c) for c, _, _ in layout.columns)["namespace"]
    assert column.header(w["namespace"]) == "NS" and column.header(w["namespace"], "↑") == "NS↑"
    assert column.header(10) == "NAMESPACE" and column.header(10, "↑") == "NAMESPACE↑"
    alone = widths(layout_columns(79, content, namespace=False, wide=None))
    assert alone["name"] == 20 and alone["status"] > w["status"]  # one namespace: the room goes to STATUS


def test_init_crash_loop_back_off_whole_when_the_terminal_allows():
    content = dict(CONTENT, status=len("Init:CrashLoopBackOff"))
    assert widths(layout_columns(120, content, namespace=True, wide=None))["status"] == 21
    assert widths(layout_columns(79, content, namespace=True, wide=None))["status"] == 16  # NAME 40 first


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
    w = widths(layout_columns(79, content, namespace=True, wide=None, sorted_by="namespace"))
    assert w["restarts"] == len("RESTARTS")  # no arrow to make room for
    assert w["name"] >= 19 and w["status"] == 16  # what RESTARTS gave up went to NAME
    assert compact_restarts("6 (65s ago)", w["restarts"]) == "6 (65s)"
    by_restarts = widths(layout_columns(79, content, namespace=True, wide=None, sorted_by="restarts"))
    # Its sort arrow in its short title ("RESTART↓"), not a cell from NAME at 14.
    assert by_restarts["restarts"] == len("RESTART↓") and by_restarts["name"] == w["name"]
    roomy = widths(layout_columns(110, content, namespace=True, wide=None))
    assert roomy["restarts"] == 11 and roomy["name"] == 26  # kubectl's words when there is room


def test_at_80_columns_the_demos_names_stay_whole_with_next_at_15():
    # The demo at 80x24 (no scrollbar): RESTARTS kept a cell for a sort arrow it did
    # not carry, and NAME cut "missing-secret" to "missin…secret"; then NAME 14 by
    # STATUS 22 and NEXT 15 ("web-2l…8-7xqq6").
    content = {"namespace": 5, "name": 28, "ready": 3, "status": 22, "restarts": 11, "restarts:compact": 7,
               "age": 5, "next": 28, "next:compact": 15}
    w = widths(layout_columns(80, content, namespace=True, wide=None, sorted_by="namespace"))
    assert (w["name"], w["restarts"], w["status"], w["next"]) == (20, len("RESTARTS"), 16, 15)


# The demo's pods at 80 columns with all namespaces (80 less the scrollbar: 79).
DEMO = {"namespace": 5, "name": 26, "ready": 3, "restarts": 11, "restarts:compact": 7, "age": 3, "next": 16}


@pytest.mark.parametrize("width", [79, 80])
@pytest.mark.parametrize("status", ["CreateContainerConfigError", "ContainerStatusUnknown", "Init:CrashLoopBackOff"])
def test_a_long_kubelet_reason_is_cut_unambiguously_when_name_needs_the_room(width, status):
    # Before: "CreateContainerC…" (…ConfigError or …Error?) and "Init:CrashLoopBa…", with
    # NEXT keeping 16 cells blank on most rows; then STATUS 22 with NAME cut to 14.
    layout = layout_columns(width, dict(DEMO, status=len(status)), namespace=True, wide=None)
    w = widths(layout)
    assert sum(w.values()) + layout.gap * (len(w) - 1) <= width
    assert w["status"] == 16 and cut_middle(status, 16) in ("CreateC…figError", "Contain…sUnknown", "Init:Cr…pBackOff")
    assert w["next"] >= len("pull in 8s") and w["name"] >= 20


def test_status_gives_a_long_reasons_last_cells_before_name_is_cut_short():
    layout = layout_columns(80, dict(DEMO, status=len("CreateContainerConfigError")), namespace=True, wide=None)
    w = widths(layout)
    # NAME 13 when STATUS kept all 26; 14 when it kept 22
    assert w["status"] == 16 and w["name"] >= 20 and w["next"] >= len("finalizer 7m35s")
    wider = widths(layout_columns(100, dict(DEMO, status=26), namespace=True, wide=None))
    assert wider["name"] == 26 and wider["status"] >= 22  # NAME whole first; STATUS gets what is left


def test_a_next_step_too_long_for_its_column_keeps_its_countdown():
    # Before: "restart in 3…", "SIGKILL in 1…": the words kept, the time cut.
    assert keep_count("restart in 3m55s", 13) == "restart 3m55s"
    assert keep_count("SIGKILL in 18s", 13) == "SIGKILL 18s"
    assert keep_count("restart in 3m55s", 10) == "res… 3m55s"
    assert keep_count("finalizer 3m50s", 13) == "finali… 3m50s"
    assert keep_count("liveness ~2/3", 10) == "live… ~2/3"
    assert keep_count("readiness fails", 13) == "readiness fails"  # no count: fit() cuts it as before


def test_a_160_column_terminal_keeps_the_wide_columns_and_a_long_kubelet_reason_whole():
    # The demo's pods: before, "CreateContainerConfi…"; IP and NODE must not go for it.
    content = {"namespace": 5, "name": 20, "ready": 3, "status": 26, "ip": 10, "node": 13, "nominated_node": 6,
               "readiness_gates": 6, "age": 3, "restarts": 13, "restarts:compact": 9, "next": 17}
    layout = layout_columns(159, content, namespace=True, wide=None)
    assert "ip" in keys(layout) and "node" in keys(layout)
    assert widths(layout)["status"] == 26 and widths(layout)["name"] == 20


def test_wide_columns_scrolled_to_sideways_follow_the_columns_as_without_w():
    # w at 80 columns: the columns on screen keep the widths they have without `w`,
    # NEXT in its compact wordings on screen (it was kept whole, "restart in 4m59s",
    # STATUS in 22 cells, and went past the right edge), RESTARTS in one form for every
    # row; the wide columns follow, for the table to scroll sideways to.
    content = {"namespace": 5, "name": 22, "ready": 3, "status": 22, "restarts": 11, "restarts:compact": 7,
               "age": 5, "next": 30, "next:compact": 15, "ip": 11, "node": 6}
    without = layout_columns(79, content, namespace=True, wide=False, sorted_by="namespace")
    layout = layout_columns(79, content, namespace=True, wide=True, sorted_by="namespace")
    assert layout.width > 79 and layout.columns[:len(without.columns)] == without.columns
    assert keys(layout)[len(without.columns):] == ["ip", "node", "nominated_node", "readiness_gates"]
    assert widths(layout)["next"] == 15 and layout.columns[len(without.columns)][1] >= 79
    assert layout.compact == without.compact and "restarts" in layout.compact


def test_w_on_a_terminal_nearly_wide_enough_compacts_status_and_next_not_name():
    # Room for the wide columns once STATUS and NEXT are compact: no sideways scrolling,
    # NAMESPACE and NAME as without `w`.
    content = {"namespace": 5, "name": 22, "ready": 3, "status": 26, "restarts": 11, "restarts:compact": 7,
               "age": 5, "next": 30, "next:compact": 15, "ip": 11, "node": 13, "nominated_node": 6,
               "readiness_gates": 6}
    without = widths(layout_columns(150, content, namespace=True, wide=False))
    assert without["status"] == 26 and without["next"] == 30
    layout = layout_columns(150, content, namespace=True, wide=True)
    w = widths(layout)
    assert layout.width == 150 and "ip" in w and "readiness_gates" in w
    assert w["name"] == without["name"] == 22 and w["namespace"] == 5  # headed "NS"
    assert 16 <= w["status"] < 26 and 15 <= w["next"] < 30 and w["node"] == 13
    assert layout_columns(140, content, namespace=True, wide=True).width > 140  # too narrow even so: scrolls


@pytest.mark.parametrize("sorted_by", [None, "restarts"])
@pytest.mark.parametrize("width", [79, 80])
def test_restarts_growing_or_sorted_costs_neither_next_nor_name_at_80_columns(width, sorted_by):
    # "2 (95s)" at t+0, "2 (2m15s)" at t+40s (or RESTARTS' sort arrow): the cell came
    # from NEXT ("finaliz… 4m30s") or NAME ("missin…secret" with a scrollbar).
    content = {"namespace": 5, "name": 28, "ready": 3, "status": 21, "restarts": 13, "restarts:compact": 9,
               "age": 5, "next": 30, "next:compact": 15}
    layout = layout_columns(width, content, namespace=True, wide=None, sorted_by=sorted_by)
    w = widths(layout)
    assert w["next"] == 15 and w["name"] >= 19
    assert ("restarts:coarse" in layout.compact) == (w["restarts"] < len("2 (2m15s)"))  # then every row "2 (2m)"
    header = BY_KEY["restarts"].header(w["restarts"], "↓" if sorted_by else "")
    assert len(header) <= w["restarts"] and header in ("RESTARTS", "RESTARTS↓", "RESTART↓")
