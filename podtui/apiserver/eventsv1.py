"""A stored core/v1 Event as events.k8s.io/v1 shows it.

Both APIs are views of one stored object; the field mapping is the one in
pkg/apis/events/v1/conversion.go (involvedObject -> regarding, message -> note,
source -> deprecatedSource, firstTimestamp/lastTimestamp/count -> deprecated*,
reportingComponent -> reportingController).
"""

from __future__ import annotations

VIEW = "events.k8s.io/v1"

# events.k8s.io/v1 Event fields in the order k8s.io/api/events/v1 declares them:
# (v1 name, core/v1 name, emitted when empty). Structs and Times are always emitted
# (omitempty does nothing to them in Go: an empty source is {}, a zero time null);
# strings, counts and pointers only when set. Core fields without a v1 counterpart
# (none that the demo writes) are dropped, as conversion drops them.
_FIELDS = (
    ("metadata", "metadata", True),
    ("eventTime", "eventTime", True),
    ("series", "series", False),
    ("reportingController", "reportingComponent", False),
    ("reportingInstance", "reportingInstance", False),
    ("action", "action", False),
    ("reason", "reason", False),
    ("regarding", "involvedObject", True),
    ("related", "related", False),
    ("note", "message", False),
    ("type", "type", False),
    ("deprecatedSource", "source", True),
    ("deprecatedFirstTimestamp", "firstTimestamp", True),
    ("deprecatedLastTimestamp", "lastTimestamp", True),
    ("deprecatedCount", "count", False),
)
_EMPTY_STRUCT = {"metadata", "regarding", "deprecatedSource"}


def to_events_v1(event: dict) -> dict:
    out: dict = {"kind": "Event", "apiVersion": "events.k8s.io/v1"}
    for name, core, always in _FIELDS:
        value = event.get(core)
        if value is None and always:
            value = {} if name in _EMPTY_STRUCT else None
        if always or value not in (None, "", 0):
            out[name] = value
    return out
