"""What flows from a source (live cluster, demo cluster, recording) into the model.

A source produces these in order; the consumer (the UI, the headless recorder, a test)
applies Changes to the Store and shows SourceStatus in its status bar. The recorder
writes every item, so folding a recording reproduces exactly what the model saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PODS = "pods"
EVENTS = "events"  # core/v1 and events.k8s.io/v1 Events share one stream kind

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"
BOOKMARK = "BOOKMARK"


@dataclass(slots=True)
class Change:
    """One watch event as observed by a source."""

    resource: str  # PODS or EVENTS
    type: str  # ADDED / MODIFIED / DELETED / BOOKMARK
    obj: dict
    observed: float  # epoch seconds, from the source's clock
    # True when the source made it up rather than read it off the wire: a deletion
    # found by diffing a relist against what it held before.
    synthetic: bool = False
    # The watch line this came from, as read: lets the recorder hand the bytes on
    # instead of re-encoding the object. None for list items and synthetic changes.
    raw: bytes | None = field(default=None, repr=False, compare=False)


# SourceStatus.state values
CONNECTING = "connecting"
LISTING = "listing"
LIVE = "live"
RECONNECTING = "reconnecting"
RELISTING = "relisting"
REPLAY = "replay"
FAILED = "failed"  # fatal: the message says why and what to do
STOPPED = "stopped"


@dataclass(slots=True)
class SourceStatus:
    """A change of the source's connection state, for the status bar and recordings."""

    state: str
    at: float
    detail: str = ""  # why: "connection reset", "410 Gone", "HTTP 429", ...
    resource: str | None = None  # which stream, when it concerns one
    retry_at: float | None = None  # when reconnecting: the next attempt


@dataclass(slots=True)
class Relist:
    """Marks a (re)list of one resource: between start and end, Changes come from a list."""

    resource: str
    at: float
    phase: str  # "start" or "end"
    resource_version: str = ""
    deleted: int = 0  # on "end": deletions synthesised by the diff


Item = Change | SourceStatus | Relist


def item_time(item: Item) -> float:
    """When the source produced the item (epoch seconds)."""
    return item.observed if isinstance(item, Change) else item.at
