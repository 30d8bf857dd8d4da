"""Coupling a returned end to a client: the runtime side of one WebSocket connection.

A Worker answers an upgrade with ``Response(None, status=101, webSocket=client)``::

    async def fetch(request, env, ctx):
        if request.headers.get("Upgrade") != "websocket":
            return Response("Expected a WebSocket upgrade", status=426)
        client, server = WebSocketPair()
        server.accept()
        server.addEventListener("message", lambda e: server.send(e.data))
        return Response(None, status=101, webSocket=client)

The checks workerd makes on the returned end (``LegacyWebSocketAdapter::couple``
in ``src/workerd/api/web-socket.c++``, called from ``Response::send`` in
``http.c++``) run when the response is *sent*, not when it is built, so a
mistake shows up as a client that gets a 101 and then loses the connection,
with workerd's ``TypeError`` text in the log and the recorder.

:class:`Link` is that runtime side, shared by the two kinds of client:
:func:`connect`, an in-process client (no sockets at all) for tests and
notebooks, and :func:`cfws_playground.bridge.serve`, real clients over loopback.
"""

from __future__ import annotations

import asyncio
import http
import logging
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import errors
from .dispatch import runtime, schedule
from .errors import ConnectionLostError, WorkersError
from .http import Headers, Request, Response
from .socket import WebSocket, received_text
from .socket.end import CLOSED_OUTGOING
from .worker import ExecutionContext, dispatch_fetch

if TYPE_CHECKING:
    from .recorder import Recorder

__all__ = ["ClientClosed", "HandshakeRejected", "InProcessClient", "Link", "connect"]

log = logging.getLogger("cfws_playground")

HUNG = (
    "The Workers runtime canceled this request because it detected that your Worker's code "
    "had hung and would never generate a response."
)
INTERNAL_ERROR_BODY = b"Internal Server Error"
_BATCH = 64  # frames a connection gathers from the Worker before writing them together

# ---------------------------------------------------------------------- coupling a returned end


class Link:
    """The runtime side of one client connection whose WebSocket is an end returned in a 101.

    It is the transport that ``WebSocket._couple`` wants: it takes the frames
    the Worker's end sends and writes them to the client, feeds in what the
    client sends, and runs the close handshake the way workerd does. Subclasses
    say how to write to the client (:class:`InProcessClient`, and the network
    bridge).
    """

    def __init__(self, ctx: ExecutionContext, recorder: Recorder | None = None, label: str = "") -> None:
        self.ctx = ctx
        self.recorder = recorder
        self.label = label
        self.end: WebSocket | None = None
        self.close_sent = False  # the Worker's Close went to the client
        self.close_rcvd = False  # the client's Close arrived
        self.peer_dead = False  # the Worker's end stopped (a listener raised)
        self.dropped = False
        self.failed = False  # a protocol error: the Worker got an error event
        # A pong that waits for the Worker's frames being written (kj's queued control
        # message, written once the send in progress ends); and whether the Worker's Close
        # went out after a pong with no message of the Worker's in between.
        self.pong_after: bytes | None = None
        self.pong_after_taken = 0  # ... written once this many of the Worker's frames are
        self.close_after_pong = False
        self.pump_broken = False  # refused while the Worker's Close was still to go out
        # A ping read while the Worker's Close was on its way: kj queues its pong behind the
        # Close being sent, and never writes it (hasSentClose); a refusal takes its place.
        self.pong_behind_close = False
        # The Worker's frames taken so far, and how many it had queued when its read loop
        # was last handed a client message (see :meth:`message_read`).
        self.taken = 0
        self.queued_at_read = 0
        self.reads = 0  # client messages handed to the Worker's read loop
        self.pong_after_reads = 0  # ... when ``pong_after`` was set
        self._flush_scheduled = False
        self._tasks: set[asyncio.Task[Any]] = set()

    # ---- coupling

    def couple(self, request: Request, response: Response) -> bool:
        """Send ``response``'s WebSocket to this client: workerd's checks, then coupling.

        Returns False (after logging workerd's TypeError and recording it) when
        the end may not be returned; the caller then fails the connection as
        workerd does.
        """
        ws = response.webSocket
        assert ws is not None
        if self.recorder is not None:
            self.recorder.watch(ws._pair)
        if not request.is_websocket_upgrade:
            self._report_couple_error(ws, TypeError(errors.COUPLE_NO_UPGRADE))
            return False
        try:
            ws._couple(self)
        except TypeError as exc:
            self._report_couple_error(ws, exc)
            return False
        self.end = ws
        return True

    def _report_couple_error(self, ws: WebSocket, exc: TypeError) -> None:
        message = f"Uncaught TypeError: {exc}"
        log.error("%s%s", self._prefix(), message)
        if self.recorder is not None:
            self.recorder.add_note(ws._pair, ws._index, "Response failed", message)

    def _prefix(self) -> str:
        return f"[{self.label}] " if self.label else ""

    def note(self, name: str, text: str) -> None:
        if self.recorder is not None and self.end is not None:
            self.recorder.add_note(self.end._pair, self.end._index, name, text)

    # ---- the transport interface WebSocket._couple wants

    def frames_queued(self) -> None:
        """The Worker's end queued frames: write them in a later turn (one write per burst)."""
        if not self._flush_scheduled and not self.dropped:
            self._flush_scheduled = True
            self._schedule_flush(self.end is not None and bool(self.end._outgoing))

    def _schedule_flush(self, more_coming: bool) -> None:
        """Run :meth:`_flush` in a later turn.

        When more client messages wait for the Worker (``more_coming``), a timer
        due now rather than ``call_soon``: the runtime hands the Worker its next
        message in the same turn only while nothing else is ready to run, so
        the replies then gather and go out together.
        """
        loop = asyncio.get_running_loop()
        if more_coming:
            loop.call_later(0, self._flush)
        else:
            loop.call_soon(self._flush)

    def peer_died(self) -> None:
        """The Worker's end stopped because a listener raised: drop the client once its frames are out."""
        self.peer_dead = True
        self.frames_queued()

    def _flush(self) -> None:
        self._flush_scheduled = False
        end = self.end
        if end is None or self.dropped:
            return
        worker = end._peer
        if end._outgoing and worker._reading and len(worker._outgoing) < _BATCH and not self.peer_dead:
            # The Worker is still being handed the client's earlier messages: let its
            # replies gather, and write them in one go (one syscall, not one each).
            self._flush_scheduled = True
            self._schedule_flush(True)
            return
        wrote = False
        while self._can_write():
            frame = self.take()
            if frame is None:
                break
            wrote = True
            if isinstance(frame, tuple):
                code, reason = frame
                self._write_pong_after()  # kj writes a queued pong when the send before ends
                if not self.close_sent:
                    self.close_sent = True
                    self.pong_behind_close = False  # the Close is out: kj dropped the pong
                    answered = self.close_rcvd  # else the client answers (maybe inside the write)
                    self._write_close(code, reason)
                    if answered:
                        self._handshake_done()
            elif not self.close_sent:
                self._write(frame)
                # kj writes a pong that waited for the send in progress as soon as that one
                # send ends, before the next (found by the generator: gen-2e27e944).
                self._write_pong_after()
        if self._write_pong_after():
            wrote = True
        if wrote:
            self._written()
        if self.peer_dead and not end._peer._outgoing and not self.dropped:
            self.drop()

    def take(self) -> str | bytes | tuple[int, str] | None:
        """The Worker's next frame to write (see ``_network_take``), counted."""
        assert self.end is not None
        frame = self.end._network_take()
        if frame is not None:
            self.taken += 1
        return frame

    def message_read(self) -> None:
        """The Worker's read loop was handed a client message. kj's pump writes what the Worker
        queued before it while the message is dispatched; what the Worker queues from here on
        is still being written when kj reads the client's next frame (see ``refuse``)."""
        if self.end is not None:
            self.reads += 1
            self.queued_at_read = self.taken + len(self.end._peer._outgoing)

    def drop(self) -> None:
        """End the connection without a Close frame (the client sees 1006)."""
        if not self.dropped:
            self.dropped = True
            self._abort()

    # ---- what the client did

    def client_message(self, data: str | bytes) -> None:
        # Frames parsed before a protocol error are still delivered (the error comes after them).
        if self.end is not None and not self.close_rcvd:
            self.end._network_frame(data)

    def client_ping(self, payload: bytes) -> None:
        """A ping read after messages the Worker has not taken yet: answered when it has."""
        if self.end is not None and not self.close_rcvd:
            self.end._network_ping(payload)

    def client_refusal(self, code: int, reason: str) -> None:
        """A frame kj refuses, read after messages the Worker has not taken yet: refused when it has."""
        if self.end is not None and not self.close_rcvd:
            self.end._network_refusal(code, reason)

    def refuse(self, code: int, reason: str) -> None:
        """The Worker's read loop reached a refused frame (:meth:`client_refusal`): refuse now."""

    def client_close(self, code: int, reason: str) -> None:
        if self.end is None or self.close_rcvd or self.failed:
            return
        self.close_rcvd = True
        self.end._network_close(code, reason)
        if self.close_sent:
            self._handshake_done()
        # A Close the Worker never answers (manual reply) keeps the connection open
        # until the client gives up, as workerd 2026-11-17 does (older binaries
        # canceled the request as hung).

    def client_gone(self) -> None:
        """The connection ended (after a completed handshake, or dropped)."""
        end = self.end
        if end is None or self.failed:
            return
        clean = self.close_sent and self.close_rcvd
        if self.dropped and not clean:
            # We dropped it (hung request, raising listener): nothing more reaches the Worker.
            return
        self.dropped = True
        end._network_closed(clean)

    def client_protocol_error(self, code: int, description: str) -> None:
        """The client broke the protocol (e.g. a message over the size limit): an error event, no close."""
        if self.end is None or self.failed or self.close_rcvd:
            return
        self.failed = True
        text = (
            f"WebSocket protocol error; protocolError.statusCode = {code}; "
            f"protocolError.description = {description}"
        )
        log.info("%sUncaught Error: %s", self._prefix(), text)
        end = self.end
        if self.pump_broken:
            # The Worker's Close could not go out: its pump's error is the one reported.
            end._network_error(ConnectionLostError(), f"Uncaught Error: {errors.CONNECTION_LOST}")
            return
        # Messages that arrived before the bad one are read first, as workerd's read loop does.
        end._network_error(WorkersError(text), f"Uncaught Error: {text}")

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # ---- to be provided by a subclass

    def _can_write(self) -> bool:
        return True

    def _write(self, data: str | bytes) -> None:
        raise NotImplementedError

    def _write_close(self, code: int, reason: str) -> None:
        raise NotImplementedError

    def _write_pong(self, payload: bytes) -> None:
        """A pong (only a network client sends pings)."""

    def _write_pong_after(self) -> bool:
        """Write the pong that waited for the Worker's frames (if any); whether one was written."""
        payload = self.pong_after
        if payload is None or self.taken < self.pong_after_taken:
            return False
        self.pong_after = None
        if self.close_sent:
            return False
        self._write_pong(payload)
        return True

    def answer_pings(self, payloads: list[bytes]) -> None:
        """Pings kj read together as the Worker asked for its next message (see
        :class:`~cfws_playground.socket.end.PingFrame`), answered as kj's queuePong does:
        while the Worker's frames are being written, only the last, after them; else the
        first at once and the last after it."""
        end = self.end
        if end is None:
            return
        if self.worker_closing():
            self.pong_behind_close = not self.close_sent
            return
        if end._peer._outgoing or self._flush_scheduled:
            self.pong_after = payloads[-1]
            self.pong_after_reads = self.reads
            # After the send in progress: what the Worker sent before its last message is out
            # by then (see message_read), and the first frame it sent since is being written
            # (found by the generator: gen-9afc6e2a).
            sending = self.taken + len(end._peer._outgoing) > self.queued_at_read
            self.pong_after_taken = self.queued_at_read + int(sending)
            self.frames_queued()
            return
        self._write_pongs(payloads)
        # Out once this turn is over (a kj event): a pong kj chains behind an earlier control
        # write goes out a turn later, and a refused frame read meanwhile takes its place
        # (found by the generator: gen-d4ba467c).
        runtime().add_kj(self._written)

    def worker_closing(self) -> bool:
        """Whether the Worker's end has called close(): its Close is on its way (or gone), and
        kj answers no more pings. A Durable Object's Close still behind its output gate has
        not reached kj's pump yet: a ping read meanwhile is answered (do-wire-ping-before-
        gated-close)."""
        end = self.end
        if self.close_sent:
            return True
        if end is None:
            return False
        worker = end._peer
        return worker._phase in CLOSED_OUTGOING and not worker._gated

    def _write_pongs(self, payloads: list[bytes]) -> None:
        """Pongs for pings read together, as kj's queuePong answers them."""
        for payload in payloads:
            self._write_pong(payload)

    def _written(self) -> None:
        """A burst of writes is done (flush buffers here)."""

    def _handshake_done(self) -> None:
        """Both Close frames have passed: end the connection cleanly."""

    def _abort(self) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------- the in-process client


class ClientClosed(Exception):  # noqa: N818 - reads as what happened, like websockets' ConnectionClosed
    """Raised by :meth:`InProcessClient.recv` once the connection has ended.

    Attributes:
        code: the close code the client saw (1006 when the connection dropped).
        reason: the close reason.
    """

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"connection closed: {code} {reason!r}".rstrip())
        self.code = code
        self.reason = reason


class HandshakeRejected(Exception):  # noqa: N818
    """The Worker answered the upgrade request with a non-101 response (``.response``)."""

    def __init__(self, response: Response | None, message: str) -> None:
        super().__init__(message)
        self.response = response


_CLOSED = object()


class InProcessClient(Link):
    """A WebSocket client that talks to a Worker without any socket: what a browser would see.

    Made by :func:`connect`. Its methods follow the ``websockets`` client:
    ``await send(data)``, ``await recv()``, ``await close(code, reason)``, plus
    ``abort()`` to drop the connection without a Close (the Worker sees 1006).
    The Worker's end behaves exactly as when a real client is connected.

    Attributes:
        response: the Worker's 101 ``Response``.
        close_code: the code of the Close the client received (1005 for an
            empty Close frame, 1006 when the connection dropped), or None while open.
        close_reason: its reason.
    """

    def __init__(self, ctx: ExecutionContext, recorder: Recorder | None = None) -> None:
        super().__init__(ctx, recorder)
        self._inbox: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.response: Response | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self._our_close: tuple[int, str] | None = None
        self._closed_event = asyncio.Event()
        #: Seconds :meth:`close` waits for the Worker's answer before dropping the connection.
        self.close_timeout = 10.0

    # Link: how the Worker's frames reach this client.

    def _schedule_flush(self, more_coming: bool) -> None:
        # Through the runtime's own scheduling, so that `await settle()` also waits
        # until the Worker's messages have reached this client.
        schedule(self._flush)

    def _write(self, data: str | bytes) -> None:
        self._put(data if isinstance(data, bytes) else received_text(data))

    def _write_close(self, code: int, reason: str) -> None:
        self.close_code, self.close_reason = code, reason
        if not self.close_rcvd:
            # A client answers a Close by echoing it (RFC 6455 §5.5.1), as browsers do.
            self.client_close(code, reason)

    def _handshake_done(self) -> None:
        self._finish()
        schedule(self.client_gone)

    def _abort(self) -> None:
        self.close_code, self.close_reason = 1006, ""
        self._finish()

    def _finish(self) -> None:
        self._put(_CLOSED)
        self._closed_event.set()

    def _put(self, item: Any) -> None:
        self._inbox.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # The client's API.

    async def send(self, data: str | bytes | bytearray | memoryview) -> None:
        """Send a text (``str``) or binary (bytes-like) message to the Worker.

        Raises:
            ClientClosed: the connection has ended or is closing.
        """
        if self.close_code is not None or self.close_rcvd or self.dropped:
            raise ClientClosed(self.close_code or 1006, self.close_reason)
        if isinstance(data, str):
            self.client_message(data)
        elif isinstance(data, (bytes, bytearray, memoryview)):
            self.client_message(bytes(data))
        else:
            raise TypeError(f"send() takes str or bytes-like data, not {type(data).__name__}")

    async def recv(self) -> str | bytes:
        """The next message from the Worker (``str`` for text, ``bytes`` for binary).

        Raises:
            ClientClosed: the connection has ended (``.code``, ``.reason``).
        """
        while not self._inbox:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        item = self._inbox[0]
        if item is _CLOSED:
            raise ClientClosed(self.close_code if self.close_code is not None else 1006, self.close_reason)
        self._inbox.popleft()
        return item  # type: ignore[no-any-return]

    async def close(self, code: int | None = 1000, reason: str = "") -> None:
        """Start the close handshake and wait until the connection has ended.

        ``code=None`` sends an empty Close frame (the Worker sees 1005). A Worker
        that never answers (manual reply to Close) keeps the connection open:
        after :attr:`close_timeout` seconds the client gives up and drops it
        (1006), as the ``websockets`` client does.
        """
        if not (self.close_rcvd or self.dropped):
            self.client_close(1005 if code is None else code, reason if code is not None else "")
        try:
            async with asyncio.timeout(self.close_timeout):
                await self.wait_closed()
        except TimeoutError:
            self.abort()

    def abort(self) -> None:
        """Drop the connection without a Close frame: the Worker gets close 1006."""
        if not self.dropped:
            self.dropped = True
            self.close_code, self.close_reason = 1006, ""
            self._finish()
            if self.end is not None and not self.failed:
                self.end._network_closed(False)

    async def wait_closed(self) -> None:
        """Wait until the connection has ended."""
        await self._closed_event.wait()

    async def __aenter__(self) -> InProcessClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self._closed_event.is_set():
            await self.close()
        self.cancel_tasks()

    def __aiter__(self) -> InProcessClient:
        return self

    async def __anext__(self) -> str | bytes:
        try:
            return await self.recv()
        except ClientClosed:
            raise StopAsyncIteration from None


async def connect(
    worker: Any,
    url: str = "http://worker.local/",
    *,
    headers: Mapping[str, str] | None = None,
    env: Any = None,
    recorder: Recorder | None = None,
) -> InProcessClient:
    """Open an in-process WebSocket connection to ``worker``: no sockets, same rules as the network.

    The Worker's ``fetch`` gets an upgrade request for ``url``; the 101
    response's WebSocket is coupled to the returned client::

        async with await connect(echo) as client:
            await client.send("hi")
            assert await client.recv() == "hi"

    Args:
        worker: any form of Worker :func:`dispatch_fetch` takes.
        url: the request URL (``ws://`` and ``wss://`` are read as ``http(s)://``).
        headers: extra request headers.
        env: the ``env`` the Worker sees.
        recorder: a :class:`~cfws_playground.Recorder` to watch the pair.

    Raises:
        HandshakeRejected: the Worker answered with another status (``.response``),
            or returned an end it may not return (workerd's TypeError is logged;
            a real client sees a 101 and then a dropped connection).
    """
    if url.startswith("ws://"):
        url = "http://" + url[5:]
    elif url.startswith("wss://"):
        url = "https://" + url[6:]
    request_headers = Headers(
        {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}
    )
    for name, value in (headers or {}).items():
        request_headers.set(name, value)
    request = Request(url, headers=request_headers)
    ctx = ExecutionContext()
    try:
        response = await dispatch_fetch(worker, request, env=env, ctx=ctx)
    except Exception as exc:
        log.error("Uncaught %s: %s (in fetch)", errors.js_name(exc), errors.js_message(exc))
        raise HandshakeRejected(None, f"500 {http.HTTPStatus(500).phrase}: fetch raised {exc!r}") from exc
    if response.status != 101 or response.webSocket is None:
        raise HandshakeRejected(response, f"the Worker answered {response.status}, not 101")
    client = InProcessClient(ctx, recorder)
    client.response = response
    if not client.couple(request, response):
        raise HandshakeRejected(response, "101, then the connection dropped (see the log)")
    return client
