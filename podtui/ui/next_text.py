"""How the UI words a NEXT step.

The model words the probe streak as "liveness 2/3" (failures / failureThreshold), or
"liveness ~2/3" when it is estimated (probes.streak_fraction: some failures were not seen
written one by one), and an unready container's failing readiness probe as "readiness
fails". A streak can still outrun its threshold (Events arrive before the restart
shows), and "liveness 5/3" reads like a mistake: past the threshold it becomes
"liveness fails". No count: it grows without bound while the probe keeps failing, and
NEXT has 10-16 cells on an 80-column terminal; the Probes pane shows the streak in full.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

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


# Shorter wordings for a NEXT column too narrow for the model's words (an 80-column
# terminal gives it 16 cells): the countdown must survive, the filler words need not.
_SHORTER = (
    ("pull retry in ", "pull in "),
    ("image pull back-off", "pull back-off"),
    ("past grace by ", "past grace "),
    ("waiting on ", ""),
    (" for ", " "),  # "finalizer 3m50s": how long finalizers have held it
    (" ago", ""),  # "deleted 2m48s ago"
)


def compact(text: str, width: int) -> str:
    """`text` as is when it fits in `width` cells, else its shorter wording (which may
    still need cutting)."""
    if len(text) <= width:
        return text
    for long, short in _SHORTER:
        if long in text:
            text = text.replace(long, short, 1)
            if len(text) <= width:
                break
    return text
