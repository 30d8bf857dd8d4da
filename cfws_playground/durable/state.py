"""``ctx`` of a Durable Object (``DurableObjectState``): id, storage, and the Hibernation API.

Each member mirrors the Workers member of the same name and raises workerd's
error class and text (:mod:`cfws_playground.durable.texts`). The hibernatable
sockets, their tags and the auto-response belong to the object's host, not to
the instance, so they survive eviction, as they do in workerd.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..errors import RangeError, WorkersError
from ..socket import WebSocket, js_number_to_string
from ..state import Phase
from . import texts

if TYPE_CHECKING:
    from .ids import DurableObjectId
    from .object import ObjectHost
    from .storage import Storage

__all__ = ["DurableObjectState", "WebSocketRequestResponsePair"]


class WebSocketRequestResponsePair:
    """Mirrors ``WebSocketRequestResponsePair``: a text message and the runtime's answer to it.

    ``WebSocketRequestResponsePair("ping", "pong")``; also ``.new(req, resp)`` as
    Python Workers spell JS ``new``.
    """

    def __init__(self, request: str, response: str) -> None:
        self.request = js_string(request)  # JS converts its arguments to strings
        self.response = js_string(response)

    @classmethod
    def new(cls, request: str, response: str) -> WebSocketRequestResponsePair:
        return cls(request, response)

    def __repr__(self) -> str:
        return f"WebSocketRequestResponsePair({self.request!r}, {self.response!r})"


class DurableObjectState:
    """Mirrors ``DurableObjectState`` (``ctx`` / ``self.ctx`` of a Durable Object).

    Names are Workers' (camelCase), as the Python Workers SDK forwards them
    unchanged: there is no ``ctx.get_websockets()``.
    """

    def __init__(self, host: ObjectHost) -> None:
        self._host = host

    @property
    def id(self) -> DurableObjectId:
        """Mirrors ``ctx.id``."""
        return self._host.id

    @property
    def storage(self) -> Storage:
        """Mirrors ``ctx.storage`` (see :class:`~cfws_playground.durable.storage.Storage`)."""
        return self._host.storage

    def waitUntil(self, promise: Awaitable[Any]) -> None:
        """Mirrors ``ctx.waitUntil()``: the work runs on; the object stays in memory until it ends."""
        self._host.track_task(asyncio.ensure_future(promise), "ctx.waitUntil() work")

    def blockConcurrencyWhile(self, callback: Callable[[], Any]) -> asyncio.Future[Any]:
        """Mirrors ``ctx.blockConcurrencyWhile(fn)``: no other event reaches the object until ``fn`` ends.

        Returns an awaitable with ``fn``'s result (callable from ``__init__``, as in JS).
        """

        async def run() -> Any:
            result = callback()
            if inspect.isawaitable(result):
                result = await result
            return result

        fut = asyncio.ensure_future(run())
        self._host.block_while(fut)
        return fut

    def abort(self, reason: str | None = None) -> None:
        """Mirrors ``ctx.abort()``: reset the object. In-memory state is lost; the next event constructs it.

        Raises the abort as an exception, so the running handler stops here (the Python SDK does too).
        """
        self._host.abort(reason)
        raise DurableObjectAbort(reason or "Durable Object abort requested")

    # ---------------------------------------------------------------- the Hibernation API

    def acceptWebSocket(self, ws: WebSocket, tags: list[str] | None = None, *_extra: Any) -> None:
        """Mirrors ``ctx.acceptWebSocket(ws, tags)``: the object takes ``ws``; it may hibernate meanwhile.

        Events then call the object's ``webSocketMessage`` / ``webSocketClose`` /
        ``webSocketError``; listeners on ``ws`` never fire.

        Raises:
            WorkersError: ``ws`` was ``accept()``ed, or its pair was accepted or returned;
                more than 10 distinct tags; 32,768 sockets already (workerd's texts).
            TypeError: ``ws`` is not a WebSocket; ``tags`` is not a list (workerd's text).
        """
        _check(ws, WebSocket, "acceptWebSocket", 1)
        if tags is not None and not isinstance(tags, (list, tuple)):
            raise TypeError(texts.TAGS_NOT_ARRAY)
        if ws._phase is not Phase.AWAITING:
            if ws._released:
                # Closed both ways and let go of its pipe (workerd: Released), as a socket
                # returned in a Response is (measured: scenario gen-2fb3c859).
                raise WorkersError(texts.PEER_NOT_AWAITING)
            if ws._handler is not None or ws._phase is not Phase.COUPLED:
                raise WorkersError(texts.ALREADY_ACCEPTED)
            raise WorkersError(texts.PEER_NOT_AWAITING)
        if ws._peer._phase is not Phase.AWAITING:
            raise WorkersError(texts.PEER_NOT_AWAITING)
        distinct: list[str] = []
        for tag in tags or ():
            if len(distinct) >= texts.MAX_TAGS_PER_CONNECTION:
                raise WorkersError(texts.TOO_MANY_TAGS)
            tag = js_string(tag)
            if len(tag.encode("utf-8", "surrogatepass")) > texts.MAX_TAG_LENGTH:
                raise WorkersError(texts.TAG_TOO_LONG.format(tag=tag))
            if tag not in distinct:
                distinct.append(tag)
        self._host.accept_socket(ws, distinct)

    def getWebSockets(self, tag: str | None = None, *_extra: Any) -> list[WebSocket]:
        """Mirrors ``ctx.getWebSockets(tag)``: the accepted sockets, CLOSING ones included.

        Without a tag the newest comes first (workerd keeps them in a list it
        pushes to the front); with a tag, in the order they were accepted.
        """
        return self._host.sockets(None if tag is None else js_string(tag))

    def getTags(self, ws: WebSocket, *_extra: Any) -> list[str]:
        """Mirrors ``ctx.getTags(ws)``: the tags stay with a socket after it has left ``getWebSockets()``.

        Raises:
            WorkersError: ``ws`` is not accepted, or was accepted with ``accept()``.
        """
        _check(ws, WebSocket, "getTags", 1)
        if ws._released and (ws._handler is None or ws not in self._host.sockets(None)):
            # Closed both ways and let go of its pipe (workerd: Released): no longer accepted,
            # hibernatable or not, once its webSocketClose has been handled (measured on workerd
            # 2026-11-23: do-gettags-after-fully-closed; inside the handler: gen-e60fa4f2).
            raise WorkersError(texts.TAGS_BEFORE_ACCEPT)
        if ws._handler is None:
            if ws._phase is Phase.AWAITING or ws._phase is Phase.COUPLED:
                raise WorkersError(texts.TAGS_BEFORE_ACCEPT)
            raise WorkersError(texts.TAGS_NOT_HIBERNATABLE)
        return list(self._host.tags_of(ws))

    def setWebSocketAutoResponse(
        self, pair: WebSocketRequestResponsePair | None = None, *_extra: Any
    ) -> None:
        """Mirrors ``ctx.setWebSocketAutoResponse(pair)``; no argument clears it.

        A text message equal to ``pair.request`` on any of the object's sockets is
        answered with ``pair.response`` by the runtime, without waking the object
        and without calling ``webSocketMessage``.

        Raises:
            RangeError: the request or response is longer than 2,048 bytes.
        """
        if pair is None:
            self._host.auto_response = None
            return
        _check(pair, WebSocketRequestResponsePair, "setWebSocketAutoResponse", 1)
        req, resp = len(pair.request.encode("utf-8")), len(pair.response.encode("utf-8"))
        if req > texts.AUTO_RESPONSE_LIMIT:
            raise RangeError(texts.REQUEST_TOO_LARGE.format(size=req))
        if resp > texts.AUTO_RESPONSE_LIMIT:
            raise RangeError(texts.RESPONSE_TOO_LARGE.format(size=resp))
        self._host.auto_response = (pair.request, pair.response)

    def getWebSocketAutoResponse(self, *_extra: Any) -> WebSocketRequestResponsePair | None:
        """Mirrors ``ctx.getWebSocketAutoResponse()``: a copy of the pair, or None."""
        ar = self._host.auto_response
        return None if ar is None else WebSocketRequestResponsePair(*ar)

    def getWebSocketAutoResponseTimestamp(self, ws: WebSocket, *_extra: Any) -> float | None:
        """Mirrors ``ctx.getWebSocketAutoResponseTimestamp(ws)``: when ``ws`` was last auto-answered.

        Milliseconds since the epoch (JS ``Date.getTime()``), or None.
        """
        _check(ws, WebSocket, "getWebSocketAutoResponseTimestamp", 1)
        return self._host.auto_times.get(ws)

    def setHibernatableWebSocketEventTimeout(self, timeout_ms: int | None = None) -> None:
        """Mirrors ``ctx.setHibernatableWebSocketEventTimeout(ms)``; None or 0 clears it.

        Raises:
            WorkersError: more than 604,800,000 ms (7 days).
            TypeError: a negative number (workerd's text).
        """
        ms = int(timeout_ms or 0)  # a whole number of milliseconds (-0.5 is 0), as workerd converts it
        if ms < 0:
            raise TypeError(texts.NEGATIVE_NUMBER)
        if not ms:
            self._host.event_timeout_ms = None
            return
        if ms > texts.EVENT_TIMEOUT_LIMIT_MS:
            raise WorkersError(texts.EVENT_TIMEOUT_TOO_LONG)
        self._host.event_timeout_ms = ms

    def getHibernatableWebSocketEventTimeout(self) -> int | None:
        """Mirrors ``ctx.getHibernatableWebSocketEventTimeout()``."""
        return self._host.event_timeout_ms

    def __repr__(self) -> str:
        return f"<DurableObjectState {self._host.label}>"


def js_string(value: Any) -> str:
    """``String(value)`` as JS computes it for what Python passes (numbers, booleans, None)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number_to_string(float(value)) if isinstance(value, float) else str(value)
    if value is None:
        return "undefined"
    return str(value)


def _check(value: Any, cls: type, method: str, n: int) -> None:
    """JSG's check of an argument's type, with its text."""
    if not isinstance(value, cls):
        raise TypeError(texts.NOT_OF_TYPE.format(method=method, n=n, type=cls.__name__))


class DurableObjectAbort(BaseException):
    """Raised by ``ctx.abort()`` to stop the running handler (a ``BaseException``, as in the SDK)."""


def now_ms() -> float:
    return time.time() * 1000
