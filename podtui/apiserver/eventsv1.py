"""A stored core/v1 Event as events.k8s.io/v1 shows it.

Both APIs are views of one stored object; the field mapping is the one in
pkg/apis/events/v1/conversion.go (involvedObject -> regarding, message -> note,
source -> deprecatedSource, firstTimestamp/lastTimestamp/count -> deprecated*,
reportingComponent -> reportingController).
"""

from __future__ import annotations

VIEW = "events.k8s.io/v1"

_RENAMED = {
    "involvedObject": "regarding",
    "message": "note",
    "source": "deprecatedSource",
    "firstTimestamp": "deprecatedFirstTimestamp",
    "lastTimestamp": "deprecatedLastTimestamp",
    "count": "deprecatedCount",
    "reportingComponent": "reportingController",
}


def to_events_v1(event: dict) -> dict:
    out: dict = {"kind": "Event", "apiVersion": "events.k8s.io/v1"}
    for key, value in event.items():
        if key in ("kind", "apiVersion"):
            continue
        if key == "source" and not value:
            continue
        out[_RENAMED.get(key, key)] = value
    return out
