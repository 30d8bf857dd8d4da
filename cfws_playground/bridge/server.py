"""The listening socket: :func:`serve` and :class:`Server`."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import time
import types
import warnings
from collections.abc import Callable
from typing import Any

from .._platform import require_network
from ..compat import compatibility
from ..recorder import Recorder
from ..scope import install as install_scopes
from ..watchdog import Watchdog, Watched
from ..worker import ExecutionContext, _find_handler
from .connection import Connection, log
from .http1 import escape_lines
from .limits import WAIT_UNTIL_CANCELED, Limits

__all__ = ["PublicBindWarning", "Server", "serve"]

# Accept failures that say the process is out of file descriptors (or memory for sockets).
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class _EscapeFilter(logging.Filter):
    """Every field of a record made safe for a terminal: C0 and C1 controls escaped, tracebacks too.

    Explicit ``escape()`` calls also cap a field's length; this is the guarantee
    that no field was forgotten (a Worker's exception text, a header).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = escape_lines(message).replace("\n", "\\n")
        if safe != message or record.args:
            record.msg, record.args = safe, None
        if record.exc_info and not record.exc_text:
            record.exc_text = escape_lines(logging.Formatter().formatException(record.exc_info))
        return True


_ESCAPE = _EscapeFilter()
for _name in ("cfws_playground", "cfws_playground.bridge"):
    if _ESCAPE not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_ESCAPE)


class PublicBindWarning(UserWarning):
    """``serve()`` was asked to listen on an address other machines can reach."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    """A Worker served on a TCP port. Made by :func:`serve`; use it with ``async with``.

    Attributes:
        host: the address it listens on (127.0.0.1 unless told otherwise).
        port: the port (the real one, when 0 was asked for).
        url: ``ws://HOST:PORT/``.
        recorder: the :class:`~cfws_playground.Recorder` that watches every served pair.
        compatibility: the behaviour pairs made by the Worker get (see :func:`serve`).
    """

    def __init__(
        self,
        worker: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        env: Any = None,
        recorder: Recorder | None = None,
        compatibility: compatibility | None = None,
        limits: Limits | None = None,
    ) -> None:
        self._handler = _find_handler(worker)
        self.limits = limits if limits is not None else Limits()
        self.compatibility = compatibility if compatibility is not None else _compat_now()
        self.host = host
        self.port = port
        self.env = types.SimpleNamespace() if env is None else env
        self.recorder = recorder if recorder is not None else Recorder(limit=10_000)
        self._server: asyncio.Server | None = None
        self._conns: set[Connection] = set()
        self._contexts: set[ExecutionContext] = set()
        self._count = 0
        self._body_bytes = 0  # request bodies held now, against limits.body_budget
        self._last_logged: dict[str, float] = {}  # refusal kind -> when it was last logged
        self._refused: dict[str, int] = {}  # refusal kind -> how many since then
        self._previous_handler: Any = None
        self.name = _worker_name(worker)
        #: Watches the event loop for a Worker that blocks it (None when ``limits.blocked_after`` is).
        self.watchdog: Watchdog | None = None
        self._watched: Watched | None = None
        self._namespace = _worker_namespace(worker)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}/"

    @property
    def http_url(self) -> str:
        """``http://HOST:PORT/``: the same address for plain HTTP clients."""
        return "http" + self.url[2:]

    @property
    def connections(self) -> int:
        """How many client connections are open now."""
        return len(self._conns)

    async def start(self) -> Server:
        """Start listening. Raises ``OSError`` when the port is taken.

        Warns (:class:`PublicBindWarning`, shown on stderr whatever the logging
        setup) when the address is reachable from other machines.
        """
        if not _is_loopback(self.host):
            warn_public_bind(self.host)
        loop = asyncio.get_running_loop()
        install_scopes(loop)
        self._server = await loop.create_server(lambda: Connection(self), self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._previous_handler = loop.get_exception_handler()
        loop.set_exception_handler(self._loop_exception)
        limits = self.limits
        if limits.blocked_after is not None or limits.cpu_ms is not None:
            after = limits.blocked_after if limits.blocked_after is not None else float("inf")
            self.watchdog, self._watched = Watchdog.attach(
                loop, self.name, self._namespace, after=after, cpu_ms=limits.cpu_ms
            )
        return self

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """asyncio logs each failed accept() with a traceback; out of descriptors, one line per interval."""
        exc, sock = context.get("exception"), context.get("socket")
        ours = {s.fileno() for s in self._server.sockets} if self._server is not None else set()
        ours_failed = getattr(sock, "fileno", int)() in ours
        if isinstance(exc, OSError) and exc.errno in _OUT_OF_RESOURCES and ours_failed:
            self._once_per_interval(
                "accept",
                f"cannot accept connections: {exc.strerror} ({len(self._conns)} open); "
                "raise the limit (ulimit -n) or lower Limits.max_connections",
            )
            return
        if self._previous_handler is not None:
            self._previous_handler(loop, context)
        else:
            loop.default_exception_handler(context)

    def _over_cap(self) -> None:
        self._once_per_interval(
            "cap",
            f"connection cap reached: {len(self._conns)} connections open "
            f"(Limits.max_connections); new ones get 503 until some close",
        )

    def _once_per_interval(self, kind: str, text: str) -> None:
        """Log ``text`` unless this kind was logged in the last ``limits.log_interval`` s; else count it."""
        now = time.monotonic()
        last = self._last_logged.get(kind)
        if last is not None and now - last < self.limits.log_interval:
            self._refused[kind] = self._refused.get(kind, 0) + 1
            return
        more = self._refused.pop(kind, 0)
        self._last_logged[kind] = now
        log.warning("%s%s", text, f" ({more} more since the last such line)" if more else "")

    async def close(self) -> None:
        """Stop listening, close open connections (1001), and cancel leftover work."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        if self.watchdog is not None and self._watched is not None:
            self.watchdog.detach(self._watched)
        conns = list(self._conns)
        for conn in conns:
            conn.shutdown()
        if conns:
            await asyncio.wait([asyncio.ensure_future(c.closed.wait()) for c in conns], timeout=5)
        for conn in list(self._conns):
            if conn.transport is not None:
                conn.transport.abort()
        for conn in conns:
            if conn.link is not None:
                conn.link.cancel_tasks()
                conn.link.ctx._cancel()
        for ctx in list(self._contexts):
            ctx._cancel()
        self._contexts.clear()
        loop = asyncio.get_running_loop()
        if loop.get_exception_handler() == self._loop_exception:
            loop.set_exception_handler(self._previous_handler)
        await server.wait_closed()

    async def serve_forever(self) -> None:
        """Serve until cancelled (Ctrl-C in the CLI)."""
        assert self._server is not None, "call start() first"
        await self._server.serve_forever()

    async def __aenter__(self) -> Server:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __await__(self) -> Any:
        return self.start().__await__()

    # ---- bookkeeping for connections

    def _new_label(self) -> str:
        self._count += 1
        return f"conn {self._count}"

    def _track(self, ctx: ExecutionContext, then: Callable[[], None] | None = None, label: str = "") -> None:
        """Keep a finished request's ``waitUntil`` work cancellable until it is done; then ``then()``.

        Work still running ``limits.wait_until`` seconds after the response is
        canceled, with workerd's warning, as Workers do.
        """
        if not ctx._tasks:
            if then is not None:
                then()
            return
        self._contexts.add(ctx)
        loop = asyncio.get_running_loop()

        def too_late() -> None:
            if ctx._tasks:
                log.warning("[%s] %s", label or "server", WAIT_UNTIL_CANCELED)
                ctx._cancel()

        timer = loop.call_later(self.limits.wait_until, too_late)

        def done(_: object) -> None:
            if not ctx._tasks:
                timer.cancel()
                self._contexts.discard(ctx)
                if then is not None:
                    then()

        for fut in list(ctx._tasks):
            fut.add_done_callback(done)

    def _request_ended(self, conn: Connection) -> None:
        if conn.link is not None:
            conn.link.cancel_tasks()
            self._track(conn.link.ctx, label=conn.label)

    def __repr__(self) -> str:
        return f"<Server {self.url}>"


def _worker_name(worker: Any) -> str:
    """How log lines name a Worker: its module, class or function."""
    if isinstance(worker, types.ModuleType):
        file = getattr(worker, "__file__", None)
        return str(file).rsplit("/", 1)[-1] if file else worker.__name__
    name = getattr(worker, "__qualname__", None) or type(worker).__qualname__
    return str(name)


def _worker_namespace(worker: Any) -> dict[str, Any] | None:
    """The globals a Worker's code runs in (its module's), to tell served Workers apart."""
    if isinstance(worker, types.ModuleType):
        return vars(worker)
    fetch = getattr(worker, "fetch", worker)
    function = getattr(fetch, "__func__", fetch)
    namespace = getattr(function, "__globals__", None)
    return namespace if isinstance(namespace, dict) else None


def warn_public_bind(host: str) -> None:
    """Say on stderr that ``host`` is reachable from other machines, whatever the warning filters."""
    message = f"serving on {host}, not 127.0.0.1: other machines on the network can connect"
    with warnings.catch_warnings():
        warnings.simplefilter("always", PublicBindWarning)
        warnings.warn(message, PublicBindWarning, stacklevel=3)


def serve(
    worker: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    env: Any = None,
    recorder: Recorder | None = None,
    compatibility: compatibility | None = None,
    limits: Limits | None = None,
) -> Server:
    """Serve ``worker`` to real WebSocket (and HTTP) clients, like ``wrangler dev``.

    ::

        async with serve(worker) as server:
            async with websockets.connect(server.url) as ws: ...

    Args:
        worker: a ``fetch`` function, an object or module with one, or a
            ``WorkerEntrypoint`` subclass.
        host: the address to bind; 127.0.0.1 by default. Anything else is
            reachable from other machines, and a warning on stderr says so.
        port: the TCP port; 0 picks a free one (see ``server.port``).
        env: the ``env`` the Worker sees.
        recorder: records every served pair, network side included; a new
            one (``server.recorder``) by default.
        compatibility: the compatibility date and flags of the Worker, e.g.
            ``compatibility(date="2025-09-01")``; by default the block
            ``serve()`` is called in (today's runtime outside one).
        limits: caps and deadlines (:class:`~cfws_playground.bridge.Limits`);
            Workers' documented limits by default.

    Raises:
        TypeError: ``worker`` has no ``fetch``.
        NotImplementedError: the kernel runs in the browser (JupyterLite),
            where nothing can listen; ``connect(worker)`` works there.
    """
    require_network("serve()")
    return Server(worker, host, port, env=env, recorder=recorder, compatibility=compatibility, limits=limits)


def _compat_now() -> compatibility:
    return compatibility.current()
