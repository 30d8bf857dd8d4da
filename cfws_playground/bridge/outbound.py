"""Outbound WebSockets: a Worker connecting to a ``ws://`` server, as a client.

Two spellings reach here, as on Cloudflare:

* ``resp = await fetch(url, headers={"Upgrade": "websocket"})``, then
  ``ws = resp.webSocket`` and ``ws.accept()`` (workerd's way);
* ``ws = js.WebSocket.new(url)`` (the standard constructor): events start with
  ``open`` once connected.

Either way the Worker holds one end of a :class:`~cfws_playground.WebSocketPair`
whose other end is coupled to the network connection by a
:class:`~cfws_playground.links.Link`, as a served client is: the recorder
(``serve``'s transcript, the widgets) shows both legs. Only servers on this
machine (127.0.0.1, ::1, localhost) are reached: the kit makes no other network
connections. The remote's Close is answered by the client library at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from ..errors import DOMException
from ..events import CloseEvent, ErrorEvent, Event
from ..http import Headers, Request, Response
from ..links import Link
from ..recorder import Recorder
from ..socket import WebSocket, WebSocketPair
from ..worker import ExecutionContext

__all__ = ["OutboundError", "OutboundWebSocket", "current_recorder", "open_websocket", "websocket_fetch"]

log = logging.getLogger("cfws_playground")

#: The recorder of the server whose Worker is running (set by the bridge for each connection).
current_recorder: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "cfws_outbound_recorder", default=None
)


class OutboundError(OSError):
    """The connection could not be made (refused, not a WebSocket server, not on this machine)."""


def _local(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss", "http", "https"):
        raise TypeError(f"Fetch API cannot load: {url}")
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise OutboundError(
            f"cfws-playground connects only to servers on this machine (127.0.0.1), not {host!r}: "
            "run the project with `pywrangler dev` to reach the internet"
        )
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return parts._replace(scheme=scheme).geturl()


class _OutboundLink(Link):
    """The network leg of an outbound WebSocket: frames to and from a ``websockets`` client connection."""

    def __init__(self, conn: ClientConnection, recorder: Recorder | None, label: str) -> None:
        super().__init__(ExecutionContext(), recorder, label)
        self.conn = conn
        self._queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def start(self) -> None:
        self._spawn(self._send_loop())
        self._spawn(self._read_loop())

    def _write(self, data: str | bytes) -> None:
        self._queue.put_nowait(("send", data))

    def _write_close(self, code: int, reason: str) -> None:
        self._queue.put_nowait(("close", code, reason))

    def _abort(self) -> None:
        self._queue.put_nowait(("abort",))

    async def _send_loop(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if item[0] == "send":
                    await self.conn.send(item[1])
                elif item[0] == "close":
                    await self.conn.close(item[1], item[2])
                    return
                else:
                    self.conn.transport.abort()
                    return
            except ConnectionClosed:
                return

    async def _read_loop(self) -> None:
        try:
            async for message in self.conn:
                self.client_message(message)
        except ConnectionClosed:
            pass
        received = self.conn.protocol.close_rcvd
        if received is not None:
            self.client_close(received.code, received.reason)
        if not self.close_sent and received is not None:
            self.close_sent = True  # the client library answered the remote's Close
        self.client_gone()


async def _open(url: str, headers: Headers | None) -> tuple[WebSocket, _OutboundLink, Response]:
    target = _local(url)
    extra = [(k, v) for k, v in (headers.items() if headers is not None else []) if k not in _HOP_BY_HOP]
    protocols = headers.get("sec-websocket-protocol") if headers is not None else None
    try:
        conn = await connect(
            target,
            additional_headers=extra,
            subprotocols=[p.strip() for p in protocols.split(",")] if protocols else None,
            compression=None,
            max_size=None,
        )
    except (TimeoutError, OSError, InvalidHandshake) as exc:
        raise OutboundError(f"WebSocket connection to {url} failed: {exc}") from None
    pair = WebSocketPair()
    network_end, worker_end = pair[0], pair[1]
    link = _OutboundLink(conn, current_recorder.get(), f"to {target}")
    request = Request(
        "http" + target[2:],
        headers={
            "upgrade": "websocket",
            "connection": "Upgrade",
            "sec-websocket-version": "13",
            "sec-websocket-key": "x",
        },
    )
    response_headers = [(k, v) for k, v in conn.response.headers.raw_items()] if conn.response else []
    response = Response(None, status=101, headers=response_headers, webSocket=network_end)
    if not link.couple(request, response):
        await conn.close()
        raise OutboundError(f"WebSocket connection to {url} failed")
    link.start()
    if link.recorder is not None:
        link.note("outbound", f"connected to {target}")
    return worker_end, link, Response(None, status=101, headers=response_headers, webSocket=worker_end)


_HOP_BY_HOP = frozenset(
    {
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "host",
    }
)


async def websocket_fetch(url: str, headers: Headers | None) -> Response:
    """``fetch(url, {headers: {Upgrade: "websocket"}})``: a 101 whose ``webSocket`` the Worker accepts."""
    return (await _open(url, headers))[2]


def open_websocket(url: Any, protocols: Any = None) -> Any:
    """``new WebSocket(url)``: at once an object in state CONNECTING; once connected, the Worker's
    end, accepted, and an ``open`` event. A connection that fails gives an ``error`` event and a
    ``close`` event (1006), as in JS.
    """
    url = str(url)
    _local(url)  # a bad scheme or a remote host raise here, as the constructor throws
    headers = Headers()
    if protocols:
        names = [protocols] if isinstance(protocols, str) else list(protocols)
        headers.set("sec-websocket-protocol", ", ".join(str(n) for n in names))
    socket = OutboundWebSocket()

    async def connect_then_open() -> None:
        try:
            end = (await _open(url, headers))[0]
        except OutboundError as exc:
            log.warning("%s", exc)
            socket._failed(str(exc))
            return
        socket._connected(end)

    asyncio.get_running_loop().create_task(connect_then_open())
    return socket


class OutboundWebSocket:
    """What ``new WebSocket(url)`` returns: CONNECTING, then the connected end itself.

    Listeners and ``on*`` handlers set while it connects stay; calls after ``open``
    go to the kit's :class:`~cfws_playground.WebSocket` end, whose pair the recorder shows.
    """

    def __init__(self) -> None:
        # An end of a pair of its own holds listeners until the connection exists.
        object.__setattr__(self, "_waiting", WebSocketPair()[1])
        object.__setattr__(self, "_end", None)

    @property
    def _target(self) -> WebSocket:
        end: WebSocket | None = self._end
        return self._waiting if end is None else end

    @property
    def readyState(self) -> int:
        end = self._end
        if end is None:
            return WebSocket.CLOSED if self._waiting._dead else WebSocket.CONNECTING
        return int(end.readyState)

    def send(self, message: Any) -> None:
        if self._end is None:
            raise DOMException("WebSocket is not open: readyState 0 (CONNECTING)", "InvalidStateError")
        self._end.send(message)

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        if self._end is None:
            raise DOMException("WebSocket is not open: readyState 0 (CONNECTING)", "InvalidStateError")
        self._end.close(code, reason)

    def _connected(self, end: WebSocket) -> None:
        waiting = self._waiting
        end._listeners = waiting._listeners
        end.onmessage, end.onclose, end.onerror, end.onopen = (
            waiting.onmessage,
            waiting.onclose,
            waiting.onerror,
            waiting.onopen,
        )
        object.__setattr__(self, "_end", end)
        end.accept()
        end.dispatchEvent(Event("open"))

    def _failed(self, message: str) -> None:
        waiting = self._waiting
        waiting._dead = True
        waiting.dispatchEvent(ErrorEvent(message=message, error=OutboundError(message)))
        waiting.dispatchEvent(CloseEvent(code=1006, reason="", wasClean=False))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return f"<WebSocket (outbound) readyState={self.readyState}>"
