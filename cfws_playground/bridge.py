"""Serve a Worker to real WebSocket clients over the network: the only importer of ``websockets``.

::

    async with serve(worker) as server:        # binds 127.0.0.1, a free port
        print(server.url)                       # ws://127.0.0.1:PORT/
        ...                                     # browsers, websockets, wscat connect here

Every HTTP request on the port becomes a :class:`~cfws_playground.http.Request`
for the Worker's ``fetch``. A 101 ``Response`` couples its WebSocket to the
connection, under workerd's rules (``src/workerd/api/http.c++`` ``Response::send``,
``web-socket.c++`` ``LegacyWebSocketAdapter``); any other response goes back as
plain HTTP. What a client sees matches what workerd's clients saw (spec
``workerd-observed.md`` §3 "On the wire" and "Message size limits"):

* text stays text and binary stays binary, in order, both ways;
* the client's Close reaches the Worker's end as a ``close`` event with its
  code and reason; the reply is the Worker end's own (automatic from
  2026-04-07, else whatever the Worker calls, or a drop if it never answers);
  after the handshake the end that answered gets "Network connection lost.";
* a TCP drop gives the Worker ``close`` 1006, "WebSocket disconnected without
  sending Close frame.", wasClean false;
* a message over 32 MiB (after inflation) gets close 1009 "Message is too
  large: N > 33554432" at the client and an ``error`` event at the Worker;
* a Worker whose listener raised drops the client without a Close (1006);
* pings are answered, permessage-deflate is negotiated when the client offers
  it (``web_socket_compression``), no subprotocol is selected unless the
  Worker's response names one.

Flow control: the bridge stops taking the Worker's frames while the client's
socket buffer is full, and stops reading from a client while the Worker's end
has more than :data:`HIGH_WATER` unread messages from it, or more than that
many frames for it not yet written — so a client that sends without reading
meets TCP backpressure instead of growing the server's memory. (Frames a
Worker sends on its own, unprompted, queue as in workerd, without a bound.)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import http
import ipaddress
import logging
import sys
import types
from typing import Any

from websockets.asyncio.server import Server as _WsServer, ServerConnection, serve as _ws_serve
from websockets.datastructures import Headers as _WsHeaders
from websockets.exceptions import InvalidMessage, PayloadTooBig, ProtocolError
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Request as _WsRequest, Response as _WsResponse
from websockets.protocol import CONNECTING, OPEN
from websockets.server import ServerProtocol

from ._platform import require_network
from .compat import _current as _current_compatibility, compatibility
from .http import Headers, Request, Response
from .links import INTERNAL_ERROR_BODY, Link
from .recorder import Recorder
from .worker import ExecutionContext, _find_handler, _run_fetch

__all__ = ["HIGH_WATER", "Server", "serve"]

log = logging.getLogger("cfws_playground.bridge")

#: Unread client messages at which the bridge stops reading from that client.
HIGH_WATER = 256
_LOW_WATER = 64

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "upgrade",
        "sec-websocket-accept",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
        "content-length",
        "transfer-encoding",
        "date",
        "server",
    }
)


class _WorkerdProtocol(ServerProtocol):
    """websockets' server protocol, with the two places where workerd differs.

    * A client's Close is not echoed here: the Worker's end answers it
      (auto-reply or its own ``close()``), after any messages it queued before.
    * A message over the limit closes with workerd's text,
      "Message is too large: N > LIMIT", and the Worker hears of it.
    """

    link: _WireLink | None = None

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.CLOSE and self.state is OPEN and self.link is not None:
            self.close_rcvd = Close.parse(frame.data)
            if self.current_size is not None:
                raise ProtocolError("incomplete fragmented message")
            self.events.append(frame)
            return
        super().recv_frame(frame)

    def fail(self, code: int, reason: str = "") -> None:
        exc = sys.exc_info()[1]
        if code == 1009 and isinstance(exc, PayloadTooBig):
            limit = self.max_message_size or 0
            size = (exc.current_size or 0) + exc.size if exc.size is not None else limit + 1
            reason = f"Message is too large: {size} > {limit}"
        super().fail(code, reason)
        if code != 1006 and self.link is not None:
            # After the frames parsed before the bad one have been handed over (the
            # connection processes them once parsing returns), as workerd reads them first.
            asyncio.get_running_loop().call_soon(self.link.client_protocol_error, code, reason)

    def send_eof(self) -> None:
        exc = self.handshake_exc
        if (
            self.state is CONNECTING
            and isinstance(exc, InvalidMessage)
            and not isinstance(exc.__cause__, EOFError)
        ):
            # websockets closes silently on a request it cannot parse; answer it with a 400.
            log.warning("400 Bad Request: %s (%s)", exc, exc.__cause__)
            self.writes.append(_http_response(400, b"Bad Request: not a valid HTTP request\n").serialize())
        super().send_eof()

    def send_close_frame(self, code: int, reason: str) -> None:
        """Write the Worker end's Close as workerd does: no code -> empty payload; any reason length."""
        payload = b"" if code == 1005 else code.to_bytes(2, "big") + reason.encode("utf-8", "surrogatepass")
        if len(payload) <= 125:
            self.send_frame(Frame(Opcode.CLOSE, payload))
        else:
            # workerd (before 2026-03-03) sends reasons over 123 bytes as they are:
            # an invalid control frame, which the client answers with 1002.
            self.writes.append(bytes([0x88, 126]) + len(payload).to_bytes(2, "big") + payload)
        self.close_sent = Close(code, reason) if code != 1005 else Close(1005, "")
        self.state = type(self.state).CLOSING
        if self.close_rcvd is not None:
            # The answer to the client's Close: the handshake is complete.
            self.close_rcvd_then_sent = True
            self.send_eof()
            self.parser = self.discard()
            next(self.parser)


class _WireLink(Link):
    """A :class:`~cfws_playground.links.Link` whose client is a real network connection."""

    def __init__(
        self, conn: _Connection, ctx: ExecutionContext, recorder: Recorder | None, label: str
    ) -> None:
        super().__init__(ctx, recorder, label)
        self.conn = conn
        self.request: Request | None = None
        self.response: Response | None = None

    def _can_write(self) -> bool:
        return not self.conn.paused

    def _write(self, data: str | bytes) -> None:
        protocol = self.conn.protocol
        if protocol.state is OPEN:
            if isinstance(data, str):
                protocol.send_text(data.encode("utf-8", "surrogatepass"))
            else:
                protocol.send_binary(data)

    def _write_close(self, code: int, reason: str) -> None:
        protocol = self.conn.protocol
        if protocol.state is OPEN:
            assert isinstance(protocol, _WorkerdProtocol)
            protocol.send_close_frame(code, reason)

    def _written(self) -> None:
        conn = self.conn
        chunks = conn.protocol.data_to_send()
        if all(chunks):  # frames only, no end-of-stream marker: one write for the burst
            try:
                conn.transport.write(b"".join(chunks))
            except Exception as exc:  # noqa: BLE001 - the socket broke; connection_lost follows
                log.debug("write failed: %s", exc)
            return
        conn.protocol.writes[:0] = chunks  # rare: let websockets handle the EOF marker
        try:
            conn.send_data()
        except Exception as exc:  # noqa: BLE001 - the socket broke; connection_lost follows
            log.debug("write failed: %s", exc)

    def _abort(self) -> None:
        self.conn.transport.abort()


class _Connection(ServerConnection):
    """One client connection: frames go straight to the Worker's end, in order, as they are parsed."""

    def __init__(self, protocol: ServerProtocol, server: _WsServer, **kwargs: Any) -> None:
        protocol.__class__ = _WorkerdProtocol
        super().__init__(protocol, server, **kwargs)
        self.link: _WireLink | None = None
        self._frag_opcode: Opcode | None = None
        self._frags: list[bytes] = []
        self._reading_paused = False

    def process_event(self, event: Any) -> None:
        link = self.link
        if self.request is None or link is None or link.end is None:
            super().process_event(event)
            return
        opcode = event.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if event.fin:
                self._deliver(opcode, event.data)
            else:
                self._frag_opcode = opcode
                self._frags = [bytes(event.data)]
        elif opcode is Opcode.CONT:
            self._frags.append(bytes(event.data))
            if event.fin and self._frag_opcode is not None:
                data = b"".join(self._frags)
                opcode, self._frag_opcode, self._frags = self._frag_opcode, None, []
                self._deliver(opcode, data)
        elif opcode is Opcode.CLOSE:
            close = self.protocol.close_rcvd
            if close is not None:
                link.client_close(close.code, close.reason)

    def _deliver(self, opcode: Opcode, data: Any) -> None:
        link = self.link
        assert link is not None and link.end is not None
        if opcode is Opcode.TEXT:
            try:
                text = bytes(data).decode("utf-8")
            except UnicodeDecodeError as exc:
                self.protocol.fail(1007, f"{exc.reason} at position {exc.start}")
                self.send_data()
                return
            link.client_message(text)
        else:
            link.client_message(bytes(data))
        end = link.end
        if not self._reading_paused and (
            len(end._outgoing) > HIGH_WATER or len(end._peer._outgoing) > HIGH_WATER
        ):
            self._reading_paused = True
            self.transport.pause_reading()
            self.loop.call_later(0.001, self._check_backlog)

    def _check_backlog(self) -> None:
        link = self.link
        if link is None or link.end is None or self.transport.is_closing():
            return
        if len(link.end._outgoing) <= _LOW_WATER and len(link.end._peer._outgoing) <= _LOW_WATER:
            self._reading_paused = False
            self.transport.resume_reading()
        else:
            self.loop.call_later(0.001, self._check_backlog)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.link is not None:
            self.link.frames_queued()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.link is not None:
            self.link.client_gone()


def _handshake_problem(headers: _WsHeaders) -> str | None:
    """What makes an ``Upgrade: websocket`` request unusable, as RFC 6455 §4.2.1 checks it."""
    connection = ",".join(headers.get_all("Connection")).lower()
    if "upgrade" not in [t.strip() for t in connection.split(",")]:
        return "Connection header must include 'Upgrade'"
    keys = headers.get_all("Sec-WebSocket-Key")
    if len(keys) != 1:
        return "missing or repeated Sec-WebSocket-Key header"
    try:
        if len(base64.b64decode(keys[0].encode("ascii"), validate=True)) != 16:
            return "invalid Sec-WebSocket-Key header"
    except (binascii.Error, UnicodeEncodeError):
        return "invalid Sec-WebSocket-Key header"
    if headers.get_all("Sec-WebSocket-Version") != ["13"]:
        return "Sec-WebSocket-Version must be 13"
    return None


def _http_response(
    status: int, body: bytes | None, headers: Headers | None = None, status_text: str = ""
) -> _WsResponse:
    try:
        phrase = status_text or http.HTTPStatus(status).phrase
    except ValueError:
        phrase = status_text or "Unknown"
    h = _WsHeaders()
    content_type = False
    if headers is not None:
        for name, value in headers.items():
            if name not in _HOP_BY_HOP:
                h[name] = value
                content_type = content_type or name == "content-type"
    data = body or b""
    if data and not content_type:
        h["Content-Type"] = "text/plain;charset=UTF-8"
    h["Content-Length"] = str(len(data))
    h["Connection"] = "close"
    return _WsResponse(status, phrase, h, data)


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
        self._server: _WsServer | None = None
        self._links: set[_WireLink] = set()
        self._count = 0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}/"

    @property
    def http_url(self) -> str:
        """``http://HOST:PORT/``: the same address for plain HTTP clients."""
        return "http" + self.url[2:]

    async def start(self) -> Server:
        """Start listening. Raises ``OSError`` when the port is taken."""
        if not _is_loopback(self.host):
            log.warning("serving on %s, not 127.0.0.1: other machines on the network can connect", self.host)
        self._server = await _ws_serve(
            self._ws_handler,
            self.host,
            self.port,
            process_request=self._process_request,
            process_response=self._process_response,
            select_subprotocol=self._select_subprotocol,
            compression=None,  # negotiated per connection from the pair's compatibility
            max_size=32 << 20,
            max_queue=None,
            ping_interval=None,  # workerd does not ping clients
            create_connection=_Connection,
            logger=log,
            server_header=None,
        )
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening, close open connections (1001), and cancel leftover work."""
        if self._server is None:
            return
        server, self._server = self._server, None
        for link in list(self._links):
            protocol = link.conn.protocol
            if protocol.state is OPEN and protocol.close_rcvd is not None:
                link.drop()  # a client's Close the Worker has not answered yet: no 1001 on top
        server.close()
        await server.wait_closed()
        for link in list(self._links):
            link.cancel_tasks()
            link.ctx._cancel()
        self._links.clear()

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

    # ---- websockets hooks

    async def _process_request(self, conn: ServerConnection, ws_request: _WsRequest) -> _WsResponse | None:
        assert isinstance(conn, _Connection)
        # The Worker's compatibility date: pairs it makes for this request take it.
        # (This runs in the connection's own task, so the setting stays there.)
        _current_compatibility.set(self.compatibility)
        self._count += 1
        link = _WireLink(conn, ExecutionContext(), self.recorder, f"conn {self._count}")
        conn.link = link
        self._links.add(link)
        conn.connection_lost_waiter.add_done_callback(lambda _: self._forget(link))
        headers = Headers(list(ws_request.headers.raw_items()))
        host = headers.get("host") or f"{self.host}:{self.port}"
        request = Request(f"http://{host}{ws_request.path}", headers=headers)
        if request.is_websocket_upgrade:
            problem = _handshake_problem(ws_request.headers)
            if problem is not None:
                log.warning("[%s] 400 Bad Request: malformed WebSocket upgrade: %s", link.label, problem)
                return _http_response(400, f"Bad Request: {problem}\n".encode())
        try:
            response = await _run_fetch(self._handler, request, self.env, link.ctx)
        except Exception as exc:  # noqa: BLE001 - the Worker's bug: 500, logged, keep serving
            log.error("[%s] Uncaught %s: %s (in fetch)", link.label, type(exc).__name__, exc, exc_info=exc)
            return _http_response(500, INTERNAL_ERROR_BODY)
        ws = response.webSocket
        if ws is None:
            log.info("[%s] %s %s -> %d", link.label, request.method, ws_request.path, response.status)
            return _http_response(response.status, response.body, response.headers, response.statusText)
        if not request.is_websocket_upgrade:
            link.couple(request, response)  # reports workerd's TypeError
            return _http_response(500, INTERNAL_ERROR_BODY)
        link.request, link.response = request, response
        compat = ws._pair._compat
        protocol = conn.protocol
        protocol.available_extensions = (
            # workerd answers a client's offer with "permessage-deflate; client_max_window_bits=15".
            [ServerPerMessageDeflateFactory(client_max_window_bits=15)]
            if compat.web_socket_compression
            else None
        )
        protocol.max_message_size = compat.max_message_size
        return None

    def _select_subprotocol(self, conn: ServerConnection, offered: Any) -> Any:
        link = getattr(conn, "link", None)
        if link is None or link.response is None:
            return None
        chosen = link.response.headers.get("sec-websocket-protocol")
        return chosen if chosen in offered else None

    def _process_response(
        self, conn: ServerConnection, ws_request: _WsRequest, ws_response: _WsResponse
    ) -> _WsResponse | None:
        link = getattr(conn, "link", None)
        if link is None or link.response is None or link.request is None or ws_response.status_code != 101:
            return None
        for name, value in link.response.headers.items():
            if name not in _HOP_BY_HOP:
                ws_response.headers[name] = value
        # workerd couples the end as the 101 is sent (Response::send): a refused end
        # means a 101 followed by a dropped connection.
        if link.couple(link.request, link.response):
            assert isinstance(conn.protocol, _WorkerdProtocol)
            conn.protocol.link = link
            log.info("[%s] 101 %s", link.label, ws_request.path)
        return None

    async def _ws_handler(self, conn: ServerConnection) -> None:
        link = getattr(conn, "link", None)
        if link is None or link.end is None:
            conn.transport.abort()
        await conn.wait_closed()

    def _forget(self, link: _WireLink) -> None:
        self._links.discard(link)

    def __repr__(self) -> str:
        return f"<Server {self.url}>"


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
            reachable from other machines, and a warning says so.
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
