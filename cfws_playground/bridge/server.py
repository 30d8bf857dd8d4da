"""The listening socket: :func:`serve` and :class:`Server`."""

from __future__ import annotations

import asyncio
import ipaddress
import types
import warnings
from collections.abc import Callable
from typing import Any

from .._platform import require_network
from ..compat import compatibility
from ..recorder import Recorder
from ..scope import install as install_scopes
from ..worker import ExecutionContext, _find_handler
from .connection import Connection

__all__ = ["PublicBindWarning", "Server", "serve"]


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
    ) -> None:
        self._handler = _find_handler(worker)
        self.compatibility = compatibility if compatibility is not None else _compat_now()
        self.host = host
        self.port = port
        self.env = types.SimpleNamespace() if env is None else env
        self.recorder = recorder if recorder is not None else Recorder(limit=10_000)
        self._server: asyncio.Server | None = None
        self._conns: set[Connection] = set()
        self._contexts: set[ExecutionContext] = set()
        self._count = 0

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
        return self

    async def close(self) -> None:
        """Stop listening, close open connections (1001), and cancel leftover work."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
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

    def _track(self, ctx: ExecutionContext, then: Callable[[], None] | None = None) -> None:
        """Keep a finished request's ``waitUntil`` work cancellable until it is done; then ``then()``."""
        if not ctx._tasks:
            if then is not None:
                then()
            return
        self._contexts.add(ctx)

        def done(_: object) -> None:
            if not ctx._tasks:
                self._contexts.discard(ctx)
                if then is not None:
                    then()

        for fut in list(ctx._tasks):
            fut.add_done_callback(done)

    def _request_ended(self, conn: Connection) -> None:
        if conn.link is not None:
            conn.link.cancel_tasks()
            self._track(conn.link.ctx)

    def __repr__(self) -> str:
        return f"<Server {self.url}>"


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

    Raises:
        TypeError: ``worker`` has no ``fetch``.
        NotImplementedError: the kernel runs in the browser (JupyterLite),
            where nothing can listen; ``connect(worker)`` works there.
    """
    require_network("serve()")
    return Server(worker, host, port, env=env, recorder=recorder, compatibility=compatibility)


def _compat_now() -> compatibility:
    return compatibility.current()
