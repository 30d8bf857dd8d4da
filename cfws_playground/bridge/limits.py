"""What ``serve()`` lets one client, and all of them together, cost it: :class:`Limits`.

Each default is the number Workers document or workerd uses, named here with
its source so a reader can check it:

* ``developers.cloudflare.com/workers/platform/limits/`` ("Request limits"):
  URLs 16 KB, request headers 128 KB in total, request bodies 100 MB on the
  Free and Pro plans ("rejected with a (413) Request entity too large");
* capnproto's ``kj/compat/http.h`` ``HttpServerSettings``, the HTTP server
  under workerd: ``headerTimeout = 15 * kj::SECONDS`` ("the client must send
  the complete request within this time");
* workerd's ``io-context.c++`` ``IncomingRequest::drain``: ``waitUntil()``
  work not done within "the configured soft timeout, typically 30 seconds" is
  canceled with a warning. (``workerd serve`` on a laptop never cancels it:
  its limit enforcer's ``limitDrain()`` is ``kj::NEVER_DONE``. The kit does as
  Workers do, so that a forgotten ``waitUntil`` costs nothing forever.)

The rest protect the process, not the protocol: a connection cap below the
process's file-descriptor limit, and one byte budget for every request body
held at once.
"""

from __future__ import annotations

import dataclasses
import resource

__all__ = ["Limits", "WAIT_UNTIL_CANCELED"]

#: workerd's warning when it cancels ``waitUntil()`` work (``io-context.c++``), word for word.
WAIT_UNTIL_CANCELED = (
    "waitUntil() tasks did not complete within the allowed time after invocation end and have been "
    "cancelled. See: https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil"
)


def _default_connections() -> int:
    """1000, or fewer when the process may open fewer files (each connection is one)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(16, min(1000, soft - 64))  # 64 left for the listening socket, logs, storage files


@dataclasses.dataclass(frozen=True)
class Limits:
    """Caps and deadlines of :func:`~cfws_playground.bridge.serve`: sizes in bytes, times in seconds.

    Attributes:
        max_head: the request line and headers together (Workers: 128 KB) -> 431.
        max_url: the request-target (Workers: 16 KB) -> 414.
        head_timeout: from a connection's start, or from the end of the previous
            response, to the end of a complete head (kj's ``headerTimeout``) -> 408.
        max_body: one request's body (Workers' Free and Pro plans: 100 MB) -> 413,
            before the body is read when ``Content-Length`` already says so.
        body_budget: the bodies of every request in flight together -> 503 with
            ``Retry-After``; the request may be sent again once others are done.
        max_connections: open client connections -> 503 for the next ones, and
            one log line per ``log_interval``.
        wait_until: how long ``ctx.waitUntil()`` work may run after its response
            (Workers: 30 s); then it is canceled with workerd's warning.
        log_interval: at most one line per kind of refusal (over the cap, accept
            failing for lack of file descriptors) in this many seconds.
        blocked_after: seconds a Worker may block the event loop before the
            watchdog logs it (:mod:`cfws_playground.watchdog`); None: no watchdog.
        cpu_ms: CPU milliseconds one uninterrupted run of Worker code may use
            before it is ended with Pyodide's ``CpuLimitExceeded``; None (the
            default, as in ``wrangler dev``) for no limit.
    """

    max_head: int = 128 * 1024
    max_url: int = 16 * 1024
    head_timeout: float = 15.0
    max_body: int = 100_000_000
    body_budget: int = 256 << 20
    max_connections: int = dataclasses.field(default_factory=_default_connections)
    wait_until: float = 30.0
    log_interval: float = 10.0
    blocked_after: float | None = 1.0
    cpu_ms: float | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None and value <= 0:
                raise ValueError(f"Limits.{field.name} must be positive")
