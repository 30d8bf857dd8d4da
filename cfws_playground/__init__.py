"""cfws-playground: learn, explore and check the Cloudflare Workers WebSocket API in Python.

An in-process re-implementation of workerd's ``WebSocketPair`` and ``WebSocket``
(error classes, message texts, event order, readyState, the close handshake and
the behaviours that changed by compatibility date), plus a recorder that
everything else — notebooks, widgets, tests — reads.

    >>> from cfws_playground import WebSocketPair, Recorder, settle
    >>> client, server = pair = WebSocketPair()
    >>> rec = Recorder(pair)
    >>> server.accept(); client.accept()
    >>> client.send("hello")
    >>> await settle()          # in a notebook or any coroutine
    >>> print(rec)

Layers (dependencies point down): ``errors``, ``events``, ``state`` and
``compat`` (pure Python); the JS-shaped facade ``socket``; delivery on asyncio
(``dispatch``) and the ``recorder``; the fetch runtime (``fetch``: ``Request``,
``Response``, ``dispatch_fetch``, an in-process client) and, at the edge, the
network bridge (``bridge.serve``) and the command line (``cli``).
Durable Objects with the Hibernation API live in ``cfws_playground.durable``;
the Python Workers dialect (Cloudflare's SDK on a ``js`` / ``pyodide.ffi`` layer)
and wrangler project folders in ``cfws_playground.pyworkers``.
"""

from __future__ import annotations

from .bridge import Server, serve
from .compat import compatibility
from .dispatch import settle
from .errors import ConnectionLostError, DOMException, RangeError, WorkersError
from .events import Blob, CloseEvent, ErrorEvent, Event, MessageEvent
from .http import Headers, Request, Response
from .links import ClientClosed, HandshakeRejected, InProcessClient, connect
from .recorder import Record, Recorder
from .socket import WebSocket, WebSocketPair
from .worker import ExecutionContext, WorkerEntrypoint, dispatch_fetch

__all__ = [
    "Blob",
    "ClientClosed",
    "CloseEvent",
    "ConnectionLostError",
    "DOMException",
    "ErrorEvent",
    "Event",
    "ExecutionContext",
    "HandshakeRejected",
    "Headers",
    "InProcessClient",
    "MessageEvent",
    "RangeError",
    "Record",
    "Recorder",
    "Request",
    "Response",
    "Server",
    "WebSocket",
    "WebSocketPair",
    "WorkerEntrypoint",
    "WorkersError",
    "compatibility",
    "connect",
    "dispatch_fetch",
    "serve",
    "settle",
]

__version__ = "0.1.0"
