"""What flows from a source (live cluster, demo cluster, recording) into the model.

A source produces these in order; the consumer (the UI, the headless recorder, a test)
applies Changes to the Store and shows SourceStatus in its status bar. The recorder
writes every item, so folding a recording reproduces exactly what the model saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PODS = "pods"
EVENTS = "events"  # core/v1 and events.k8s.io/v1 Events share one stream kind

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"
BOOKMARK = "BOOKMARK"


class Change:
    """One watch event as observed by a source.

    A live source hands over the bytes it read (`raw`) and a `decode` that turns them
    into the object: the object is decoded when first read (by the consumer, which
    applies changes in order), so the source's thread only frames lines. Anything
    else passes `obj` itself.
    """

    __slots__ = ("resource", "type", "_obj", "observed", "synthetic", "raw", "_decode")

    def __init__(self, resource: str, type: str, obj: object, observed: float, synthetic: bool = False,
                 raw: bytes | None = None, decode: Callable[[bytes], object] | None = None) -> None:
        self.resource = resource  # PODS or EVENTS
        self.type = type  # ADDED / MODIFIED / DELETED / BOOKMARK
        self._obj = obj
        self.observed = observed  # epoch seconds, from the source's clock
        # True when the source made it up rather than read it off the wire: a deletion
        # found by diffing a relist against what it held before.
        self.synthetic = synthetic
        # The bytes this came from: a JSON object whose "object" is the object as served
        # (the watch line; a list item wrapped as {"object": ...}). Lets the recorder
        # hand the bytes on instead of re-encoding.
        self.raw = raw
        self._decode = decode if obj is None else None

    @property
    def obj(self) -> object:
        decode = self._decode
        if decode is not None:
            self._decode = None
            self._obj = decode(self.raw)  # type: ignore[arg-type]
        return self._obj

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Change):
            return NotImplemented
        return (self.resource, self.type, self.obj, self.observed, self.synthetic) == (
            other.resource, other.type, other.obj, other.observed, other.synthetic)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # Never decodes: repr may run on any thread.
        obj = "<not decoded yet>" if self._decode is not None else repr(self._obj)
        return (f"Change(resource={self.resource!r}, type={self.type!r}, obj={obj}, "
                f"observed={self.observed!r}, synthetic={self.synthetic!r})")


# SourceStatus.state values
CONNECTING = "connecting"
LISTING = "listing"
LIVE = "live"
RECONNECTING = "reconnecting"
# A watch waits on an exec plugin's token refresh mid-session (detail: the plugin's
# name): a wait, not a break, as the watch resumes where it was.
REFRESHING = "refreshing"
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
    # Off live: when the stream last read anything (a change, a bookmark, a list), so
    # what it delivered was current then. A dead watch is noticed only at its read
    # timeout, long after. None: not known (replays, the demo's own feed).
    current_as_of: float | None = None


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
