"""How the UI words a NEXT step.

The model words the probe streak as "liveness 2/3" (failures / failureThreshold), or
"liveness ~2/3" when it is estimated (probes.streak_fraction: some failures were not seen
written one by one), followed for liveness and startup by the kill it leads to ("liveness
2/3, kill in ~5s"; at 15 cells "liveness ~5s", the probe and its countdown), and an
unready container's failing readiness probe as what makes it ready ("ready when
readiness passes"). A bare streak can still outrun its threshold, and "readiness 5/3"
reads like a mistake: past the threshold it becomes "readiness fails". No count: it grows
without bound while the probe keeps failing, and NEXT has 10-16 cells on an 80-column
terminal; the Probes pane shows the streak in full.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

from rich.cells import cell_len

from podtui.lifecycle.duration import human_duration

_STREAK = re.compile(r"^(liveness|readiness|startup) (~?)(\d+)/(\d+)$")


def streak_text(probe: str, streak: int, threshold: int, exact: bool = True) -> str:
    """`liveness 2/3`, `liveness ~2/3` estimated; `readiness fails` once the streak is
    past the threshold."""
    if streak > threshold > 0:
        return f"{probe} fails"
    return f"{probe} {'' if exact else '~'}{streak}/{threshold}"


def readable(step: Any) -> Any:
    """The step with its text reworded where the raw wording misleads (see above)."""
    text = getattr(step, "text", None)
    if not isinstance(text, str):
        return step
    m = _STREAK.match(text)
    if m is None:
        return step
    worded = streak_text(m.group(1), int(m.group(3)), int(m.group(4)), not m.group(2))
    if worded == text:
        return step
    try:
        return replace(step, text=worded)
    except TypeError:  # not a dataclass (a test double): leave it as it is
        return step


NARROW = 15  # NEXT's cells on an 80-column terminal, when its rows need them (table_layout)

# Shorter wordings for a NEXT column too narrow for the model's words (an 80-column
# terminal gives it NARROW cells): the countdown must survive, the filler words need not.
# Applied in turn until the text fits. An elapsed time keeps its "ago" (or "for", or
# "past"): "deleted 2m19s" would read as a timer.
_SHORTER = (
    (re.compile(r"pull retry in "), "pull in "),
    (re.compile(r"image pull back-off"), "pull back-off"),
    (re.compile(r"past grace by "), "past grace "),
    (re.compile(r"^waiting on "), ""),
    # How long finalizers have held it, an elapsed time: "finalizer 3m50s" read as a
    # timer next to "restart 25s". The Termination pane names and counts them.
    (re.compile(r"^(?:\d+ )?finalizers? for "), "held for "),
    (re.compile(r"^held for "), "for "),
    # A probe streak's kill: which probe kills and when, the streak first to go (the
    # Probes pane counts it). At 15 cells the probe's name and its countdown are all
    # there is room for ("liveness ~4m59s" is 15): the kill goes, as the probe's name
    # says it (a failing liveness or startup probe kills); narrower, the kill alone.
    (re.compile(r", kill (?:in )?"), " kill "),
    (re.compile(r"^(liveness|startup) ~?\d+/\d+ kill "), r"\1 kill "),
    (re.compile(r"^(liveness|startup) kill (?=~)"), r"\1 "),
    (re.compile(r"^(liveness|startup) kill due$"), r"\1 kill"),
    (re.compile(r"^(?:liveness|startup) (?=~)"), "kill "),
    (re.compile(r"^(?:liveness|startup) kill$"), "kill due"),
    # Why a Failed pod ended: the container and how it ended, then how alone (a signal
    # by its name: "exit 139 (SIGSEGV)" is "SIGSEGV"); an eviction's pressure.
    (re.compile(r"^failed: "), ""),
    (re.compile(r"(?:exit|signal) \d+ \((SIG\w+)\)$"), r"\1"),
    (re.compile(r"^\S+ (?=(?:exit .+|signal .+|SIG\w+|OOMKilled|liveness kill|startup kill|postStart failed)$)"), ""),
    (re.compile(r"^evicted: ephemeral-storage$"), "evicted: disk"),
    # An image pull's retry, or a postStart hook, under way: how long it has run, an
    # elapsed time ("for").
    (re.compile(r"^pull retry running for "), "pulling for "),
    (re.compile(r"^pulling for "), "pull for "),
    (re.compile(r"^postStart hook running for "), "postStart for "),
    (re.compile(r"^postStart for "), "hook for "),
    (re.compile(r"^postStart hook failed$"), "postStart failed"),
    (re.compile(r"^postStart failed$"), "hook failed"),
    # An unready container's failing readiness probe: what makes it ready.
    (re.compile(r"^ready when readiness passes$"), "ready on pass"),
    (re.compile(r"^ready after (\d+) readiness passes in a row$"), r"ready: \1 passes"),
    (re.compile(r" in (?=\S+$)"), " "),  # "restart 3m55s"
    (re.compile(r"^deleted (?=\S+ ago$)"), "gone "),
    (re.compile(r"^gone (?=\S+ ago$)"), ""),  # "2m19s ago": STATUS says Deleted
    # Found gone on relist, "deleted ≥13s ago" (at least: it went while the watch was
    # down): the bound goes last, when even "≥2m19s ago" is too wide.
    (re.compile(r"^≥(?=\S+ ago$)"), ""),
)
_DURATION = re.compile(r"\b\d+[smhdy][0-9smhdy]*\b")  # 9s, 3m55s, 7h59m, 2d1h
DURATION_CELLS = 5  # what a duration may grow to before its unit changes: 4m59s, 7h59m


def planned_width(text: str, cells: int = DURATION_CELLS) -> int:
    """The text's length with each duration as wide as `cells`, by default its widest:
    whether a wording fits is decided once per wording, not per second ("restart in 9s"
    fits 14 cells, "restart in 1m40s" does not: both read "restart ..." then, and a row
    doesn't flip between forms as its countdown crosses 2m). Any text: "deleted ≥9s ago"
    grows to "≥4m59s". A countdown narrows on its way (countdown_cells): pod_table plans
    it as wide as it reads from its first sight in the pod's version on."""
    return (len(text) if text.isascii() else cell_len(text)) + sum(max(0, cells - len(m.group())) for m in _DURATION.finditer(text))


def countdown_cells(seconds: float) -> int:
    """The cells of the widest time a countdown now `seconds` from its moment reads on
    its way there, as kubectl words times (HumanDuration): "99s" then 3, but "2m" then
    4 ("119s" follows) and from 2m10s on DURATION_CELLS ("9m59s" follows "10m")."""
    s = max(0, math.ceil(seconds))
    # Under 2m a time reads in seconds, as wide as the most there are to go; up to 2m9s
    # ("2m", "2m9s") no wider than the "119s" that follows.
    return DURATION_CELLS if s >= 130 else len(human_duration(min(s, 119)))


def compact(text: str, width: int, cells: int = DURATION_CELLS) -> str:
    """`text` as is when its wording fits in `width` cells, else its shorter wording
    (which may still need cutting: pod_table.keep_count). cells: as planned_width."""
    if planned_width(text, cells) <= width:
        return text
    for long, short in _SHORTER:
        shorter = long.sub(short, text, count=1)
        if shorter != text:
            text = shorter
            if planned_width(text, cells) <= width:
                break
    return text


def short_wording(text: str, width: int, cells: int = DURATION_CELLS) -> str:
    """NEXT in a column of `width` cells: the wording `text` has in NARROW cells or more
    (compact, its times at their widest: one wording per step, whatever its countdown
    reads) when that fits with its times planned at `cells` (a countdown: as wide as it
    reads from its first sight in the pod's version on, pod_table), else a shorter one.
    "liveness ~52s" fits 14 cells; "restart in 46s" still reads "restart 46s", as
    "restart 3m55s" beside it."""
    wording = compact(text, max(width, NARROW))
    if planned_width(wording, cells) <= width:
        return wording
    return compact(text, width, cells)
