"""The lifecycle model: pure functions and a store over Pods and Events as plain dicts.

No textual, no kubernetes imports here (tests/test_layers.py enforces it): the model is
usable from the UI, the recorder, the history export and tests alike.
"""

from podtui.lifecycle.columns import (
    event_columns,
    format_age,
    format_restarts,
    human_duration,
    kubectl_columns,
    pod_row,
)

__all__ = [
    "event_columns",
    "format_age",
    "format_restarts",
    "human_duration",
    "kubectl_columns",
    "pod_row",
]
