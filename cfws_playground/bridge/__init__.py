"""Serve a Worker to real WebSocket and HTTP clients: the only importer of ``websockets`` and ``h11``.

::

    async with serve(worker) as server:        # binds 127.0.0.1, a free port
        print(server.url)                       # ws://127.0.0.1:PORT/
        ...                                     # browsers, websockets, wscat, curl connect here

Every HTTP request on the port, whatever its method, becomes a
:class:`~cfws_playground.http.Request` (body included) for the Worker's
``fetch``; connections stay open between requests (keep-alive). A 101
``Response`` couples its WebSocket to the connection, under workerd's rules
(``src/workerd/api/http.c++`` ``Response::send``, ``web-socket.c++``
``LegacyWebSocketAdapter``); any other response goes back as plain HTTP. What a
client sees matches what workerd's clients saw (spec ``workerd-observed.md`` §3
and §7):

* text stays text and binary stays binary, in order, both ways;
* the client's Close reaches the Worker's end as a ``close`` event with its
  code and reason; the reply is the Worker end's own (automatic from
  2026-04-07; else whatever the Worker calls, and a Close it never answers
  keeps the connection open until the client gives up); after the handshake
  the end that answered gets "Network connection lost.";
* a TCP drop gives the Worker ``close`` 1006, "WebSocket disconnected without
  sending Close frame.", wasClean false;
* a message over 32 MiB (after inflation) gets close 1009 "Message is too
  large: N > 33554432" ("Message is too large" when deflated) at the client
  and an ``error`` event at the Worker;
* a Worker whose listener raised drops the client without a Close (1006);
* pings are answered, permessage-deflate is negotiated when the client offers
  it (``web_socket_compression``), and a ``Sec-WebSocket-Protocol`` the
  Worker's response names is sent, offered or not; the 101 has no ``Date``;
* an upgrade the Worker answers with a WebSocket but that cannot become one
  gets workerd's answer: 400 "ERROR: WebSocket must be initiated with a GET
  request." for POST, HEAD, ...; 400 "ERROR: Missing Sec-WebSocket-Key"; 426
  "ERROR: The requested WebSocket version is not supported.".

Every request the Worker never sees (bad HTTP, TLS on the plain port, a
request over one of the :class:`Limits`) and every request that fails (a
``fetch`` that raises, or hangs for 10 s: workerd's "canceled this request
because ... hung" text) leaves one log line on the ``cfws_playground.bridge``
logger, every field escaped. A Worker that blocks the event loop is reported by
:mod:`cfws_playground.watchdog`.

Flow control, in bytes: see :mod:`cfws_playground.bridge.connection`.

The layers: :mod:`.http1` (``h11`` events to ``Request``, ``Response`` to
bytes, upgrade checks), :mod:`.websocket` (websockets' protocol where workerd
differs), :mod:`.scope` (the request context), :mod:`.connection` (one
transport: HTTP, then WebSocket frames), :mod:`.server` (the listening socket).
"""

from __future__ import annotations

from .connection import HIGH_WATER, HIGH_WATER_BYTES
from .limits import Limits
from .server import PublicBindWarning, Server, _is_loopback, serve

__all__ = [
    "HIGH_WATER",
    "HIGH_WATER_BYTES",
    "Limits",
    "PublicBindWarning",
    "Server",
    "_is_loopback",
    "serve",
]
