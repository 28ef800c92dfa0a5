"""core/v1 Events as the kubelet, the scheduler and the controllers write them.

client-go's EventCorrelator (tools/record/events_cache.go) decides what reaches the API:
- a spam filter: a token bucket per source+object+type+reason (burst 25, then one per
  5 minutes) drops writes; the repeats are still counted, so the next write that gets
  through carries the full count;
- an aggregator: ten or more different messages with the same source, object, type and
  reason within 10 minutes fold into one Event whose message starts with
  "(combined from similar events): ";
- a logger: a repeat of an identical event updates the stored one (count+1, new
  lastTimestamp) instead of creating another.
The scheduler records through events.k8s.io/v1, so its events carry eventTime, action,
reportingController and series instead of firstTimestamp/lastTimestamp/count.
Events older than the TTL are removed, as kube-apiserver's --event-ttl does.

The spam filter's and the aggregator's caches are LRUs of 4096 keys per source, as
client-go's (maxLruCacheEntries, one correlator per kubelet); the sweep also drops
entries that have become the same as none (a full bucket, a lapsed window). Their keys
name a pod's uid: kept forever, a churning cluster's would grow without end.
"""

from __future__ import annotations

from dataclasses import dataclass

from podtui.demo.engine import Engine
from podtui.demo.scenario import EventSettings
from podtui.lifecycle.times import format_ts

AGGREGATE_WINDOW = 600.0
AGGREGATE_MAX = 10
SCHEDULER_SERIES_WINDOW = 360.0  # events.k8s.io/v1 recorders start a series within 6 minutes
TTL_SWEEP = 60.0
LRU_SIZE = 4096  # client-go tools/record: maxLruCacheEntries


@dataclass(slots=True)
class _Stored:
    """What the recorder knows of an Event it wrote; the Event itself is the API's
    (a repeat patches it, Storage keeps it as JSON only)."""

    name: str
    namespace: str
    first: float
    last: float
    count: int


class EventRecorder:
    def __init__(self, storage, engine: Engine, settings: EventSettings, new_uid) -> None:
        self.storage = storage
        self.engine = engine
        self.settings = settings
        self._new_uid = new_uid  # seeded, so the same seed serves the same events
        self._stored: dict[tuple, _Stored] = {}
        # source -> spam key -> [tokens, last refill], least recently used first
        self._buckets: dict[tuple, dict[tuple, list[float]]] = {}
        # source -> aggregate key -> (last, messages), least recently used first
        self._similar: dict[tuple, dict[tuple, tuple[float, set[str]]]] = {}
        self._names: set[str] = set()
        self.emitted = 0
        self.dropped = 0
        self._sweeping = False

    # ---- recording ---------------------------------------------------------------

    def record(
        self,
        obj: dict,
        type_: str,
        reason: str,
        message: str,
        *,
        component: str = "kubelet",
        host: str = "",
        field_path: str = "",
    ) -> None:
        """One core/v1 event about `obj` (an involvedObject reference without fieldPath).

        As EventCorrelate does: aggregate, then count the repeat in the local cache, and
        only then ask the spam filter whether to write; a write after dropped repeats
        carries the whole count."""
        now = self.engine.now
        source = (component, host)
        ref = (obj["kind"], obj.get("namespace", ""), obj["name"], obj.get("uid", ""), obj.get("apiVersion", ""))
        # The aggregator's key; since 1.31 the spam filter's too (it gained type and reason).
        similar = source + ref + (type_, reason)
        message, identity = self._aggregate(similar, message, now)
        key = source + ref + (field_path, type_, reason, identity)
        stored = self._stored.get(key)
        if stored is None:
            stored = self._stored[key] = _Stored("", ref[1] or "default", now, now, 0)
        stored.count += 1
        stored.last = now
        if not self._allow(similar, now):
            self.dropped += 1
            return
        current = self.storage.get("events", stored.namespace, stored.name) if stored.name else None
        if current is not None:
            # client-go PATCHes these three onto the Event as the API holds it.
            self._patch(current, {"count": stored.count, "lastTimestamp": format_ts(now), "message": message})
            return
        involved = {"kind": ref[0], "namespace": ref[1], "name": ref[2], "uid": ref[3], "apiVersion": ref[4]}
        if field_path:
            involved["fieldPath"] = field_path
        stored.name = self._name(ref[2], stored.first)
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": stored.name,
                "namespace": stored.namespace,
                "uid": self._new_uid(),
                "creationTimestamp": format_ts(now),
            },
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": {"component": component, **({"host": host} if host else {})},
            "firstTimestamp": format_ts(stored.first),
            "lastTimestamp": format_ts(now),
            "count": stored.count,
            "type": type_,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        self.storage.create("events", event)
        self.emitted += 1
        self._schedule_sweep()

    def _patch(self, current: dict, fields: dict) -> None:
        # Copied: Storage writes the resourceVersion into the metadata it is given.
        self.storage.update("events", {**current, "metadata": {**current["metadata"]}, **fields})
        self.emitted += 1

    def record_v1(self, obj: dict, type_: str, reason: str, message: str, *, action: str, controller: str, instance: str) -> None:
        """An event written through events.k8s.io/v1 (the scheduler's), seen as core/v1."""
        now = self.engine.now
        ref = (obj["kind"], obj.get("namespace", ""), obj["name"], obj.get("uid", ""), obj.get("apiVersion", ""))
        key = ("v1", controller) + ref + (type_, reason, action, message)
        stored = self._stored.get(key)
        current = None
        if stored is not None and now - stored.last <= SCHEDULER_SERIES_WINDOW:
            current = self.storage.get("events", stored.namespace, stored.name)
        if current is not None:
            stored.count += 1
            stored.last = now
            self._patch(current, {"series": {"count": stored.count, "lastObservedTime": format_ts(now, micro=True)}})
            return
        namespace = ref[1] or "default"
        name = self._name(ref[2], now)
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace, "uid": self._new_uid(), "creationTimestamp": format_ts(now)},
            "involvedObject": {"kind": ref[0], "namespace": ref[1], "name": ref[2], "uid": ref[3], "apiVersion": ref[4]},
            "reason": reason,
            "message": message,
            "source": {},
            "firstTimestamp": None,
            "lastTimestamp": None,
            "type": type_,
            "eventTime": format_ts(now, micro=True),
            "action": action,
            "reportingComponent": controller,
            "reportingInstance": instance,
        }
        self._stored[key] = _Stored(name, namespace, now, now, 1)
        self.storage.create("events", event)
        self.emitted += 1
        self._schedule_sweep()

    # ---- the correlator's parts --------------------------------------------------

    def _allow(self, spam_key: tuple, now: float) -> bool:
        burst = self.settings.spam_burst
        if burst <= 0:
            return True
        bucket = _lru_take(self._buckets, spam_key)
        if bucket is None:
            bucket = [float(burst), now]
        _lru_put(self._buckets, spam_key, bucket)
        interval = self.settings.spam_interval
        if interval > 0:
            bucket[0] = min(float(burst), bucket[0] + (now - bucket[1]) / interval)
        bucket[1] = now
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            return True
        return False

    def _aggregate(self, key: tuple, message: str, now: float) -> tuple[str, str]:
        """(message to store, identity of the stored event): once combined, one Event
        collects every further message of the kind."""
        last, messages = _lru_take(self._similar, key) or (now, set())
        if now - last > AGGREGATE_WINDOW:
            messages = set()
        messages.add(message)
        _lru_put(self._similar, key, (now, messages))
        if len(messages) >= AGGREGATE_MAX:
            return "(combined from similar events): " + message, "\0combined"
        return message, message

    def _name(self, object_name: str, now: float) -> str:
        # client-go names events "<object>.<UnixNano as hex>"; nudge on a collision.
        nanos = int(round(now * 1e9))
        while True:
            name = f"{object_name}.{nanos:x}"
            if name not in self._names:
                self._names.add(name)
                return name
            nanos += 1

    # ---- expiry ------------------------------------------------------------------

    def _schedule_sweep(self) -> None:
        if not self._sweeping and self.settings.ttl > 0:
            self._sweeping = True
            self.engine.after(TTL_SWEEP, self._sweep)

    def _sweep(self) -> None:
        self._sweeping = False
        cutoff = self.engine.now - self.settings.ttl
        for key, stored in list(self._stored.items()):
            if stored.last < cutoff:
                del self._stored[key]
                self._names.discard(stored.name)
                self.storage.delete("events", stored.namespace, stored.name)
        self._forget_lapsed()
        if self._stored:
            self._schedule_sweep()

    def _forget_lapsed(self) -> None:
        """Drop cache entries that now act as no entry: a bucket refilled to the burst,
        an aggregation window passed."""
        now, burst, interval = self.engine.now, self.settings.spam_burst, self.settings.spam_interval
        for caches, lapsed in (
            (self._buckets, lambda b: interval > 0 and b[0] + (now - b[1]) / interval >= burst),
            (self._similar, lambda s: now - s[0] > AGGREGATE_WINDOW),
        ):
            for source, cache in list(caches.items()):
                for key in [key for key, value in cache.items() if lapsed(value)]:
                    del cache[key]
                if not cache:
                    del caches[source]


def _lru_take(caches: dict[tuple, dict], key: tuple):
    """The value under `key` (its first two parts name the source), taken out to be put back as the newest."""
    cache = caches.get(key[:2])
    return cache.pop(key, None) if cache is not None else None


def _lru_put(caches: dict[tuple, dict], key: tuple, value) -> None:
    cache = caches.get(key[:2])
    if cache is None:
        cache = caches[key[:2]] = {}
    cache[key] = value
    if len(cache) > LRU_SIZE:
        del cache[next(iter(cache))]
