"""Fault injection: make the API server misbehave the ways real clusters do.

Tests reach it as `APIServer.faults`. Faults on open watches act on the watch
connections open at the moment of the call and return how many they touched;
request faults and cut_watches_after() stay armed until used up or clear()ed.
An API server restart is APIServer.restart(), not a fault here.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from podtui.apiserver import status as st
from podtui.apiserver.watch import Action

if TYPE_CHECKING:
    from podtui.apiserver.server import APIServer, RequestInfo

VERBS = frozenset({"get", "list", "watch", "delete", "discovery"})


@dataclass(slots=True)
class _Rule:
    remaining: int
    status: int
    path: str | None
    verbs: frozenset[str] | None
    retry_after: int
    message: str | None

    def matches(self, req: RequestInfo) -> bool:
        if self.path is not None and self.path not in req.path:
            return False
        return self.verbs is None or req.verb in self.verbs


class Faults:
    def __init__(self, server: APIServer) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._cut_after: int | None = None
        self._end_after: float | None = None

    # ---- open watches --------------------------------------------------------------

    def cut_watches(self) -> int:
        """Drop every open watch connection now (TCP shutdown, no final chunk), as a
        dying load balancer or node would. Returns how many were cut."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.cut()
        return len(sessions)

    def cut_watches_after(self, events: int | None) -> None:
        """From now on every watch connection (open or new) is dropped right after it
        has written `events` watch events in total (bookmarks not counted); a watch
        that already wrote that many is dropped at its next write. None turns it off."""
        if events is not None and events < 1:
            raise ValueError("events must be at least 1")
        self._cut_after = events
        self._server.storage.wake()

    def expire_watches(self) -> int:
        """Send `{"type":"ERROR","object":<Status 410 Expired>}` on every open watch and
        end it, like an API server whose watch cache lost the client's resourceVersion.
        Returns how many watches were told."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            err = st.too_old_resource_version(session.cursor, self._server.storage.resource_version)
            session.post(Action.EXPIRE, err.body())
        return len(sessions)

    def stall_watches(self, seconds: float) -> int:
        """Write nothing at all (no events, no bookmarks) to the open watches for
        `seconds` while keeping their TCP connections open, so a client read timeout
        fires; then carry on where they were. Returns how many were stalled."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.stall(seconds)
        return len(sessions)

    def corrupt_watches(self, line: bytes = b'{"type":"MODIFIED","object":{not json\n') -> int:
        """Write one malformed, non-JSON line into every open watch stream (the stream
        then goes on normally). Returns how many streams got it."""
        if not line.endswith(b"\n"):
            line += b"\n"
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.post(Action.GARBAGE, line)
        return len(sessions)

    def stall_watches_mid_event(self, seconds: float) -> int:
        """The next write to each open watch sends its first half (the chunk header and
        part of a JSON line), then nothing for `seconds`, then the rest: a link that
        stalls mid-event. Returns how many watches will stall."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.split_stall = seconds
        return len(sessions)

    def trickle_watches(self, bytes_per_second: float) -> int:
        """Dribble every later write to the open watches at about `bytes_per_second`
        (0 goes back to full speed): a slow link. Returns how many were slowed."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.trickle = bytes_per_second
        return len(sessions)

    def reset_watches(self) -> int:
        """Abort every open watch connection with a TCP RST (no FIN, no final chunk),
        as a NAT or firewall that dropped the flow does. Returns how many."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.post(Action.RESET)
        return len(sessions)

    def end_watches(self) -> int:
        """End every open watch cleanly now (the final chunk, as when timeoutSeconds is
        up). Returns how many were ended."""
        sessions = self._server.watch_sessions()
        for session in sessions:
            session.post(Action.END)
        return len(sessions)

    def end_watches_after(self, seconds: float | None) -> None:
        """From now on every watch (open or new) ends cleanly `seconds` after it opened,
        whatever its timeoutSeconds: a server or proxy capping request time. None
        turns it off."""
        if seconds is not None and seconds < 0:
            raise ValueError("seconds must not be negative")
        self._end_after = seconds
        self._server.storage.wake()

    # ---- requests ------------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        status: int,
        *,
        path: str | None = None,
        verbs: Iterable[str] | None = None,
        retry_after: int = 1,
        message: str | None = None,
    ) -> None:
        """Answer the next `count` matching requests with HTTP `status` and a proper
        metav1.Status body instead of serving them.

        `path`: only requests whose URL path contains this substring; `verbs`: only
        these request verbs ("get", "list", "watch", "delete", "discovery"). Bodies:
        401 Unauthorized; 403 Forbidden (`pods is forbidden: User "..." cannot list
        resource "pods" in API group "" at the cluster scope`); 410 Expired; 429
        TooManyRequests with a `Retry-After: <retry_after>` header and
        details.retryAfterSeconds; 500 InternalError; any other code a Status with
        that code. `message` replaces the default message. Rules queue in order; the
        first armed rule that matches a request serves it.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        verb_set = None
        if verbs is not None:
            verb_set = frozenset(verbs)
            unknown = verb_set - VERBS
            if unknown:
                raise ValueError(f"unknown verbs {sorted(unknown)}; use {sorted(VERBS)}")
        with self._lock:
            self._rules.append(_Rule(count, status, path, verb_set, retry_after, message))

    def rotate_token(self, new_token: str | None = None) -> str:
        """Replace the server's bearer token (a random one by default) and return it:
        requests with the old token now get 401. Open watches stay open, as they
        would on a real server. Turns authentication on if it was off."""
        token = new_token or secrets.token_urlsafe(24)
        self._server.token = token
        return token

    def clear(self) -> None:
        """Disarm pending request faults, cut_watches_after() and end_watches_after()."""
        with self._lock:
            self._rules.clear()
        self._cut_after = None
        self._end_after = None

    # ---- used by the server ----------------------------------------------------------

    def cut_after(self) -> int | None:
        return self._cut_after

    def end_after(self) -> float | None:
        return self._end_after

    def take(self, req: RequestInfo) -> st.APIError | None:
        """The injected error for this request, consuming one use of the rule."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(req):
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                    break
            else:
                return None
        err = _error_for(rule, req, self._server.user_name(), self._server.storage.resource_version)
        if rule.message is not None:
            err.message = rule.message
        return err


def _error_for(rule: _Rule, req: RequestInfo, user: str, current_rv: int) -> st.APIError:
    code = rule.status
    if code == 401:
        return st.unauthorized()
    if code == 403:
        return st.forbidden(user, req.verb, req.resource or "", req.group, req.namespace)
    if code == 410:
        if req.verb != "watch":
            return st.expired_continue()
        # As expire_watches(): the history compacted up to now, the asked-for RV gone.
        asked = req.query.get("resourceVersion", "")
        return st.too_old_resource_version(int(asked) if asked.isdigit() else 0, current_rv)
    if code == 429:
        return st.too_many_requests(rule.retry_after)
    if code == 500:
        return st.internal_error()
    return st.APIError(code, f"injected fault: HTTP {code}")
