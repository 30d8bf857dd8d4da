"""One TCP connection: HTTP/1.1 with ``h11``, then, after a 101, WebSocket frames (websockets' Sans-I/O).

The connection is an :class:`asyncio.Protocol`, so the bridge owns every byte
on the transport:

* HTTP phase: requests (any method, with bodies, keep-alive and pipelining)
  go to the Worker's ``fetch`` one at a time; reading stops while the Worker
  works on one.
* WebSocket phase: frames go straight to the Worker's end, in order, as they
  are parsed; the Worker's frames are serialised only while the transport is
  below its high-water mark, so a slow reader holds its backlog once, as the
  Worker queued it, not a second serialised copy.

Backpressure is counted in bytes: reading from a client stops while the
Worker's end has more than :data:`HIGH_WATER_BYTES` of its messages unread, or
more than that of frames for it not yet written (or more than
:data:`HIGH_WATER` messages either way), and resumes below a quarter of that.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import TYPE_CHECKING, Any

import h11
from websockets.datastructures import Headers as _WsHeaders
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Request as _WsRequest
from websockets.protocol import OPEN

from ..compat import _current as _current_compatibility
from ..dispatch import runtime
from ..links import HUNG, INTERNAL_ERROR_BODY, Link
from ..scope import KIT_CONTEXT, RequestScope
from ..worker import ExecutionContext, _run_fetch
from .http1 import (
    HOP_BY_HOP,
    ChunkGuard,
    RefusedError,
    escape,
    framing_problem,
    handshake_problem,
    kit_response,
    request_url,
    smuggling_suspect,
    to_request,
    worker_response_head,
)
from .outbound import current_recorder
from .websocket import DeferredPing, DeferredRefusal, WorkerdProtocol

if TYPE_CHECKING:
    from ..http import Request, Response
    from .server import Server

__all__ = ["HIGH_WATER", "HIGH_WATER_BYTES", "Connection"]

log = logging.getLogger("cfws_playground.bridge")
_ws_log = logging.getLogger("websockets.server")

#: Unread messages (either way) at which the bridge stops reading from a client.
HIGH_WATER = 256
#: Bytes of unread messages (either way) at which the bridge stops reading from a client.
HIGH_WATER_BYTES = 16 << 20
#: Seconds a ``fetch`` may take before the request is canceled as hung.
FETCH_TIMEOUT = 10.0
#: Seconds an idle HTTP connection (between requests, or in a body that stopped coming) stays open.
IDLE_TIMEOUT = 30.0
#: After refusing a request, how long and how much of the rest to read and discard, so the
#: client reads the answer before the connection ends (kj's canceledUploadGrace*).
REFUSED_GRACE = 1.0
REFUSED_GRACE_BYTES = 64 << 10
#: Seconds to wait for the client to end the TCP connection after the close handshake.
CLOSE_TIMEOUT = 10.0
_WRITE_CHUNK = 64 << 10  # serialised bytes gathered before one transport.write()


class _WireLink(Link):
    """A :class:`~cfws_playground.links.Link` whose client is a real network connection."""

    def __init__(self, conn: Connection, ctx: ExecutionContext, label: str) -> None:
        super().__init__(ctx, conn.server.recorder, label)
        self.conn = conn
        self.scope: RequestScope | None = None  # the request this connection answers
        self._pending = 0  # bytes serialised since the last transport.write()
        self.pongs_at_read = 0  # pongs written when the Worker's read loop was last handed a message

    def _schedule_flush(self, more_coming: bool) -> None:
        # Outside every request: a Worker that sends to another client's socket
        # must not tie that connection's writes to its own request.
        loop = self.conn.loop
        if more_coming:
            loop.call_later(0, self._flush, context=KIT_CONTEXT)
        else:
            loop.call_soon(self._flush, context=KIT_CONTEXT)

    def _can_write(self) -> bool:
        return not self.conn.write_paused

    def _write(self, data: str | bytes) -> None:
        ws = self.conn.ws
        if ws is not None and ws.writes_after_refusal and ws.state is not OPEN:
            ws.write_after_refusal(data)
            self._pending += len(data)
            return
        if ws is not None and ws.state is OPEN:
            ws.pong_since_send = False
            if isinstance(data, str):
                encoded = data.encode("utf-8", "surrogatepass")
                ws.send_text(encoded)
                self._pending += len(encoded)
            else:
                ws.send_binary(data)
                self._pending += len(data)
            if self._pending >= _WRITE_CHUNK:  # write as we serialise: stops at the high-water mark
                self._written()

    def _write_pong(self, payload: bytes) -> None:
        ws = self.conn.ws
        if ws is not None and ws.state is OPEN:
            ws.write_pong(payload)

    def _write_pongs(self, payloads: list[bytes]) -> None:
        ws = self.conn.ws
        if ws is not None and ws.state is OPEN:
            ws.answer_pings(payloads)

    def _write_close(self, code: int, reason: str) -> None:
        ws = self.conn.ws
        if ws is not None and ws.writes_after_refusal and ws.state is not OPEN:
            ws.close_after_refusal(code, reason)
            return
        if ws is not None and ws.state is OPEN:
            self.close_after_pong = ws.pong_since_send
            end = self.end
            # The automatic reply (web_socket_auto_reply_to_close, on an end that is not
            # half-open or hibernatable) echoes the client's Close byte for byte.
            ws.send_close_frame(code, reason, echo=end is not None and not end._peer._allow_half_open)

    def _written(self) -> None:
        self._pending = 0
        self.conn.send_pending()

    def refuse(self, code: int, reason: str) -> None:
        ws, end = self.conn.ws, self.end
        if ws is None or end is None or ws.state is not OPEN:
            return
        queue = end._peer._outgoing
        if ws.hibernatable:
            self._refuse_hibernatable(ws, code, reason)
            return
        if self.pong_after is not None and self.pong_after_reads < self.reads:
            self._write_before_read()
        if self.pong_after is not None or self.pong_behind_close:
            # A pong waits behind the Worker's send in progress (kj's queued control
            # message): the refusal's Close takes its place and waits there too (found by
            # the generator: gen-1dab93b7, gen-f07e713d, gen-81d7ecd4).
            self.pong_after = None
            self._refuse_unchained(ws, code, reason, queued=True)
            return
        if not (ws.pong_since_send and queue) or self._pong_before_read(ws):
            self._refuse_unchained(ws, code, reason)
            return
        # A pong went out since the Worker's last message, and the Worker has queued since:
        # kj chains the Worker's send behind that control write, and the refusal's Close
        # overtakes it; the Worker's pump then fails, "Network connection lost." rather than
        # the protocol error (gen-5fbcd955, gen-2d54a1b0).
        self.pump_broken = True
        ws.fail_now(code, reason)
        self._written()

    def message_read(self) -> None:
        super().message_read()
        ws = self.conn.ws
        self.pongs_at_read = ws.pongs if ws is not None else 0

    def answer_pings(self, payloads: list[bytes]) -> None:
        ws = self.conn.ws
        if ws is not None and ws.hibernatable and not self.worker_closing():
            # The hibernation manager reads the ping as soon as the handler before it is
            # over: the object's replies that passed its output gate are kj's to send by
            # then, and go first; those still behind the gate (the last handler's) come
            # after the pong (gen-do-wire-ping-between-messages, gen-do-wire-779-159,
            # do-wire-ping-after-replies-passed-the-gate).
            end = self.end
            assert end is not None
            worker = end._peer
            self._write_ahead(len(worker._outgoing) - worker._gated)
            self._write_pongs(payloads)
            # Out once this turn is over: a pong chained behind an earlier control write is
            # replaced by the Close of a frame refused in the same read (gen-do-wire-779-99).
            runtime().add_kj(self._written)
            return
        super().answer_pings(payloads)

    def _refuse_hibernatable(self, ws: WorkerdProtocol, code: int, reason: str) -> None:
        """Refuse a frame read for a Durable Object's hibernatable socket.

        The object's replies pass its output gate only after the hibernation manager has
        gone on: what it queued before the socket's last message was read is out; the
        replies to that message are still behind the gate when kj writes the 1002 (no
        send is in progress, so the Close is written at once), and kj writes them after
        it (queueClose does not set hasSentClose). The read fails with the protocol error.
        """
        if self._write_ahead(self.queued_at_read - self.taken):
            ws.end_refused(code, reason)
            self._written()
            return
        rest = self._take_rest()
        ws.writes_after_refusal = True
        ws.fail_now(code, reason, then=rest)
        self._written()

    def _write_before_read(self) -> None:
        """Write what kj wrote while the Worker's last message was dispatched: the frames it
        queued before that message, and the pong that waited for one of them in its place
        (found by the generator: the Worker answers a message the client sent before a ping
        and two after it; see gen-3caff2c8)."""
        end = self.end
        assert end is not None
        self._write_pong_after()
        while self.taken < self.queued_at_read and end._peer._outgoing:
            if not isinstance(end._peer._outgoing[0], (str, bytes)):
                break
            frame = self.take()
            assert isinstance(frame, (str, bytes))
            self._write(frame)
            self._write_pong_after()

    def _pong_before_read(self, ws: WorkerdProtocol) -> bool:
        """Whether the last pong went out before the Worker's read loop was handed its last
        message, and the Worker has queued frames since that pong and before that message.

        The first of those frames took kj's chained control write (the pong's, long done by
        the time the read loop came back): what the Worker queued before the message was
        written while it was dispatched, as when no pong was written (found by the
        generator: gen-3caff2c8).
        """
        return ws.pongs == self.pongs_at_read and self.queued_at_read > self.taken

    def _refuse_unchained(self, ws: WorkerdProtocol, code: int, reason: str, *, queued: bool = False) -> None:
        """Refuse a frame when no pong being written is in the way of the Worker's frames, as
        kj's ``sendCloseDueToError`` does (measured: wire-raw-refusal-*).

        What the Worker queued before its last message was written while that message was
        dispatched (:meth:`message_read`). Of what it queued since, kj's pump has the first
        in hand. If a Close is among those, kj has sent a Close (``hasSentClose``) and writes
        no other: the client gets the Worker's Close, never the 1002, and the Worker the
        protocol error. Otherwise kj writes the 1002 as it reads the frame, after the
        message being sent and before the rest, which follow it (a later send waits for the
        control write, it is not canceled); the Worker's pump is then still running when
        the read fails, and its error is "Network connection lost.".

        With ``queued`` (a pong waited behind the send in progress), the Close waits in the
        pong's place and is written when that send ends, in the same order; the read fails
        only then, after the Worker's pump: its error is "Network connection lost.".
        """
        if queued:
            self.pump_broken = True
        # (kj writes these before it reads the frame: the message in hand, and what came before)
        if self._write_ahead(max(0, self.queued_at_read - self.taken) + 1):
            ws.end_refused(code, reason)
            self._written()
            return
        rest = self._take_rest()
        if rest:
            self.pump_broken = True
            if isinstance(rest[-1], tuple):
                self.close_sent = True
        ws.fail_now(code, reason, then=rest)
        self._written()

    def _write_ahead(self, count: int) -> bool:
        """Write up to ``count`` of the Worker's frames, the ones kj writes before a refusal's
        Close; stop after the Worker's own Close. Returns whether that Close went out (kj's
        ``hasSentClose``: the 1002 is then never written)."""
        while count > 0 and not self.close_sent:
            frame = self.take()
            if frame is None:
                break
            count -= 1
            if isinstance(frame, tuple):
                self.close_sent = True
                self._write_close(*frame)
            else:
                self._write(frame)
        return self.close_sent

    def _take_rest(self) -> list[str | bytes | tuple[int, str]]:
        """The Worker's frames still to write, taken from its queue in order."""
        rest: list[str | bytes | tuple[int, str]] = []
        while (frame := self.take()) is not None:
            rest.append(frame)
        return rest

    def _handshake_done(self) -> None:
        # Both Closes have passed: workerd's request is over now, not when the TCP
        # connection has gone, so a 0 ms timer the Worker set before never fires
        # (found by the generator: gen-4acfef82).
        self.conn._end_scope(self.scope)

    def _abort(self) -> None:
        if self.conn.transport is not None:
            self.conn.transport.abort()


def _size(queue: Any) -> int:
    return sum(len(x) for x in queue if isinstance(x, (str, bytes)))


class Connection(asyncio.Protocol):
    """One client connection to a :class:`~cfws_playground.bridge.Server`."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.label = ""
        self.limits = server.limits
        # h11 applies this to a head still arriving; _pump applies the same to one that came whole.
        self.http = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head)
        self.ws: WorkerdProtocol | None = None
        self.link: _WireLink | None = None
        self.write_paused = False
        self.closed = asyncio.Event()
        # The Worker's context: its compatibility date, for pairs made while serving it;
        # each request runs in a copy that also names its RequestScope.
        self._base_context = contextvars.copy_context()
        self._base_context.run(_current_compatibility.set, server.compatibility)
        # Outbound WebSockets the Worker opens are recorded where its served ones are.
        self._base_context.run(current_recorder.set, server.recorder)
        self.context = self._base_context
        self.scope: RequestScope | None = None
        self._busy = False  # a request is with the Worker
        self._head: h11.Request | None = None
        self._url = ""
        self._body: list[bytes] = []
        self._body_size = 0
        self._reserved = 0  # bytes of the server's body budget this connection holds
        self._chunks: ChunkGuard | None = None  # reads a chunked body's sizes ahead of h11
        self._head_mark = 0  # bytes h11 had consumed when the current head began
        self._head_started = False  # a head's first byte came: its deadline runs
        self._close_after = False  # this request's answer is the connection's last
        self._refusing = False  # answered with a refusal: the rest is read and dropped
        self._draining = 0  # bytes dropped so far
        self._capped = False  # refused at connect: over the connection cap
        self._received = 0
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_paused = False
        self._unchecked = 0  # bytes delivered since the last exact backlog count
        self._frag_opcode: Opcode | None = None
        self._frags: list[bytes] = []

    # ---- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if len(self.server._conns) >= self.limits.max_connections:
            self._capped = True
            self.server._over_cap()
            transport.write(kit_response(503, "Service Unavailable: too many connections\n"))
            transport.close()
            return
        self.label = self.server._new_label()
        self.server._conns.add(self)
        # kj's headerTimeout: from the connection's start to a complete head.
        self._head_started = True
        self._arm(self.limits.head_timeout, self._head_late)

    def data_received(self, data: bytes) -> None:
        self._received += len(data)
        if self._capped:
            return
        if self.ws is not None:
            self.context.run(self._ws_data, data)
            return
        if self._refusing:
            self._draining += len(data)
            if self._draining > REFUSED_GRACE_BYTES and self.transport is not None:
                self.transport.abort()
            return
        if self._head is None:
            if not self._head_started:  # the next request's first byte: its head has a deadline
                self._head_started = True
                self._arm(self.limits.head_timeout, self._head_late)
        else:
            self._arm(IDLE_TIMEOUT, self._idle)  # a body: time between bytes
        if self._chunks is not None:
            try:
                self._chunks.feed(data)
            except RefusedError as refused:
                self._refuse(refused.status, refused.why)
                return
        try:
            self.http.receive_data(data)
            self._pump()
        except h11.ProtocolError as exc:  # a state h11 refuses: one line, and the connection ends
            log.warning("[%s] HTTP error: %s", self.label, escape(str(exc)))
            assert self.transport is not None
            self.transport.abort()

    def eof_received(self) -> bool:
        if self._refusing or self._capped:
            return False  # already answered, and logged
        if self.ws is not None:
            self.ws.receive_eof()
            self.context.run(self._ws_events)
            return False
        if self._busy:
            return True  # half-closed: the response still goes out, then the connection ends
        if self.http.their_state is not h11.IDLE or self.http.trailing_data[0]:
            self._log_refused(None, "the client closed the connection in the middle of a request")
        return False

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.link is not None:
            self.context.run(self.link.frames_queued)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        if self._capped:
            return
        self._release()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        link = self.link
        if link is not None:
            self.context.run(link.client_gone)
            self._end_scope()  # a WebSocket request ends with its connection
        # (A plain request's scope ends once its waitUntil work is done, client or not.)
        self.closed.set()
        self.server._conns.discard(self)
        self.server._request_ended(self)

    # ---- HTTP

    def _pump(self) -> None:
        while not self._busy and self.ws is None and not self._refusing:
            try:
                event = self.http.next_event()
            except h11.RemoteProtocolError as exc:
                self._refuse(exc.error_status_hint, f"{exc}")
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self._head, self._body, self._body_size = event, [], 0
                self._cancel_timer()  # the head is complete: its deadline is met
                buffered = self.http.trailing_data[0]
                size = self._received - len(buffered) - self._head_mark
                try:
                    self._check_head(event, size)
                    if self._chunks is not None:
                        self._chunks.feed(bytes(buffered))
                except RefusedError as refused:
                    extra = [("Retry-After", "1")] if refused.status == 503 else None
                    self._refuse(refused.status, refused.why, extra)
                    return
                if self.http.they_are_waiting_for_100_continue:  # curl's large POSTs
                    assert self.transport is not None
                    self.transport.write(
                        self.http.send(h11.InformationalResponse(status_code=100, headers=[])) or b""
                    )
            elif isinstance(event, h11.Data):
                self._body_size += len(event.data)
                if self._body_size > self.limits.max_body:
                    self._refuse(413, f"a request body over {self.limits.max_body} bytes")
                    return
                if self._body_size > self._reserved and not self._reserve(self._body_size - self._reserved):
                    self._refuse(503, self._budget_why(), [("Retry-After", "1")])
                    return
                self._body.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                head, body = self._head, b"".join(self._body) if self._body_size else None
                assert head is not None
                self._body = []
                self._chunks = None
                self._head_mark = self._received - len(self.http.trailing_data[0])
                self._busy = True
                self._cancel_timer()
                assert self.transport is not None
                self.transport.pause_reading()  # one request at a time; pipelined ones wait
                self.scope = RequestScope()
                self.context = self._base_context.copy()
                self.scope.enter(self.context)
                self._task = self.loop.create_task(self._handle(head, body, self._url), context=self.context)
            elif isinstance(event, h11.ConnectionClosed):
                self._close()
                return

    def _check_head(self, event: h11.Request, size: int) -> None:
        """Refuse a head over the limits, with untrustworthy framing, or naming an invalid URL.

        Raises:
            RefusedError: with the status RFC 9112 (or Workers, for the limits) gives.
        """
        limits = self.limits
        if size > limits.max_head:
            raise RefusedError(431, f"a request head of {size} bytes, over {limits.max_head}")
        problem = framing_problem(event)
        if problem is not None:
            raise RefusedError(400, problem)
        self._url = request_url(event, f"{self.server.host}:{self.server.port}", limits.max_url)
        chunked = any(n == b"transfer-encoding" for n, _ in event.headers)
        if smuggling_suspect(event):
            self._close_after = True
            log.warning(
                "[%s] both Content-Length and Transfer-Encoding: the body is read by Transfer-Encoding "
                "and the connection closes after the answer (RFC 9112 §6.1, as workerd does)",
                self.label,
            )
        length = 0 if chunked else next((int(v) for n, v in event.headers if n == b"content-length"), 0)
        if length > limits.max_body:  # known from the head: refused before the body is read
            raise RefusedError(413, f"a request body of {length} bytes, over {limits.max_body}")
        if length and not self._reserve(length):
            raise RefusedError(503, self._budget_why())
        if chunked:
            self._chunks = ChunkGuard(limits.max_body)

    def _reserve(self, n: int) -> bool:
        """Take ``n`` more bytes of the server's body budget; False when it has not got them."""
        server = self.server
        if server._body_bytes + n > self.limits.body_budget:
            return False
        server._body_bytes += n
        self._reserved += n
        return True

    def _release(self) -> None:
        self.server._body_bytes -= self._reserved
        self._reserved = 0

    def _budget_why(self) -> str:
        return f"request bodies in flight would exceed the server's budget of {self.limits.body_budget} bytes"

    def _refuse(self, status: int, why: str, extra: list[tuple[str, str]] | None = None) -> None:
        """Answer a request the Worker never sees (bad HTTP, too large) and close.

        The rest of what the client sends is read and dropped for a moment
        (``REFUSED_GRACE``): closing with it unread would reset the connection,
        and the client could lose the answer.
        """
        self._log_refused(status, why)
        self._release()
        assert self.transport is not None
        if self.http.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            self.transport.write(kit_response(status, f"{_phrase(status)}: {why}\n", extra=extra))
        self._linger()

    def _linger(self) -> None:
        """End our side after what is written, and read and drop the client's rest for a moment.

        Closing with the client's bytes unread would reset the connection, and
        the client could lose the answer it has not read yet.
        """
        assert self.transport is not None
        self._refusing = True
        self._cancel_timer()
        if self.transport.can_write_eof() and not self.transport.is_closing():
            self.transport.write_eof()
            self.transport.resume_reading()  # paused while the Worker answered: read the rest, and the end
            self._timer = self.loop.call_later(REFUSED_GRACE, self.transport.close, context=KIT_CONTEXT)
        else:
            self._close()

    def _log_refused(self, status: int | None, why: str) -> None:
        seen = ""
        if self._head is None and self._received:
            data, _ = self.http.trailing_data
            seen = f"; it sent {escape(bytes(data[:60]), 60)!s}" if data else ""
        answer = f"{status} {_phrase(status)}: " if status is not None else ""
        log.warning("[%s] %s%s%s", self.label, answer, escape(why), seen)

    async def _handle(self, head: h11.Request, body: bytes | None, url: str) -> None:
        try:
            await self._answer(head, body, url)
        finally:
            self._release()  # the body is the Worker's now, or gone

    async def _answer(self, head: h11.Request, body: bytes | None, url: str) -> None:
        server = self.server
        request = to_request(head, body, url)
        method, path = request.method, escape(head.target)
        ctx = ExecutionContext()
        scope = self.scope  # this request's (the next one may have begun once the response is out)
        try:
            response = await asyncio.wait_for(
                _run_fetch(server._handler, request, server.env, ctx), FETCH_TIMEOUT
            )
        except TimeoutError:
            log.warning("[%s] %s %s -> 500: %s", self.label, method, path, HUNG)
            ctx._cancel()
            self._send_kit(500, INTERNAL_ERROR_BODY.decode(), method)
            return
        except Exception as exc:  # noqa: BLE001 - the Worker's bug: 500, logged, keep serving
            log.error("[%s] Uncaught %s: %s (in fetch)", self.label, type(exc).__name__, exc, exc_info=exc)
            self._send_worker_response(request, _error_response(), log_it=False)
            return
        if response.webSocket is None:
            self._send_worker_response(request, response)
            self._end_scope_when_done(ctx, scope)
            return
        self._upgrade(request, response, ctx)

    def _send_worker_response(self, request: Request, response: Response, *, log_it: bool = True) -> None:
        try:
            head, body = worker_response_head(response, request.method)
            if self._close_after:  # h11 then ends the connection after this response
                head = h11.Response(
                    status_code=head.status_code,
                    headers=[*head.headers, (b"connection", b"close")],
                    reason=head.reason,
                )
            data = self.http.send(head) or b""
        except h11.LocalProtocolError as exc:
            log.error(
                "[%s] %s %s -> 500: the Worker's response cannot go on the wire: %s",
                self.label,
                request.method,
                escape(request.url),
                escape(str(exc)),
            )
            self._send_kit(500, INTERNAL_ERROR_BODY.decode(), request.method)
            return
        if body:
            data += self.http.send(h11.Data(data=body)) or b""
        data += self.http.send(h11.EndOfMessage()) or b""
        if log_it:
            log.info("[%s] %s %s -> %d", self.label, request.method, escape(request.url), response.status)
        assert self.transport is not None
        self.transport.write(data)
        self._next_request()

    def _end_scope_when_done(self, ctx: ExecutionContext, scope: RequestScope | None) -> None:
        """A plain HTTP request ends once its response is out and its ``waitUntil`` work is done."""
        if scope is not None:
            self.server._track(ctx, lambda: self._end_scope(scope), self.label)

    def _end_scope(self, scope: RequestScope | None = None) -> None:
        scope = scope or self.scope
        if scope is None or scope.ended:
            return
        timers, tasks = scope.end()
        if timers or tasks:
            text = f"canceled {timers} timer(s) and {tasks} task(s) the Worker started during the request"
            log.info("[%s] request ended: %s", self.label, text)
            link = self.link
            if link is not None and link.end is not None and link.scope is scope:
                link.note("request ended", text)

    def _send_kit(
        self, status: int, text: str, method: str, extra: list[tuple[str, str]] | None = None
    ) -> None:
        assert self.transport is not None
        self.transport.write(kit_response(status, text, method, extra))
        self._close()

    def _next_request(self) -> None:
        if self.http.our_state is h11.MUST_CLOSE or self.http.their_state is h11.MUST_CLOSE:
            self._linger()  # the answer first; what the client still sends is dropped
            return
        try:
            self.http.start_next_cycle()
        except h11.LocalProtocolError:
            self._close()  # e.g. the client is still sending a body the Worker did not read
            return
        self._busy = False
        self._head = None
        assert self.transport is not None
        if self.transport.is_closing():
            return
        self.transport.resume_reading()
        self._head_started = False
        self._arm(IDLE_TIMEOUT, self._idle)  # until the next request's first byte
        if self.http.trailing_data[0]:  # a pipelined request already began
            self._head_started = True
            self._arm(self.limits.head_timeout, self._head_late)
        self._pump()

    # ---- the upgrade

    def _upgrade(self, request: Request, response: Response, ctx: ExecutionContext) -> None:
        assert self.transport is not None and response.webSocket is not None
        link = _WireLink(self, ctx, self.label)
        link.scope = self.scope
        if not request.is_websocket_upgrade:
            link.couple(request, response)  # reports workerd's TypeError
            self._send_worker_response(request, _error_response(), log_it=False)
            return
        problem = handshake_problem(request)
        if problem is not None:
            status, text, extra = problem
            log.warning(
                "[%s] %s %s: refused a malformed WebSocket upgrade: %s",
                self.label,
                status,
                _phrase(status),
                text,
            )
            if self.server.recorder is not None:
                ws = response.webSocket
                self.server.recorder.add_note(ws._pair, ws._index, "upgrade refused", f"{status} {text}")
            ctx._cancel()
            self._send_kit(status, f"ERROR: {text}", request.method, extra)
            return
        compat = response.webSocket._pair._compat
        proto = WorkerdProtocol(
            extensions=(
                # workerd answers a client's offer with "permessage-deflate; client_max_window_bits=15".
                [ServerPerMessageDeflateFactory(client_max_window_bits=15)]
                if compat.web_socket_compression
                else None
            ),
            max_size=compat.max_message_size,
            logger=_ws_log,
        )
        ws_headers = _WsHeaders([(k, v) for k, v in request.headers.items()])
        handshake = proto.accept(
            _WsRequest(self._head.target.decode("latin-1") if self._head else "/", ws_headers)
        )
        if handshake.status_code != 101:
            log.warning("[%s] %d: refused a WebSocket upgrade", self.label, handshake.status_code)
            self.transport.write(handshake.serialize())
            self._close()
            return
        del handshake.headers["Date"]  # workerd's 101 has none
        chosen = response.headers.get("sec-websocket-protocol")
        if chosen is not None:
            # Passed through even when the client did not offer it, as workerd does:
            # the client then fails the handshake, as it would in production.
            handshake.headers["Sec-WebSocket-Protocol"] = chosen
        for name, value in response.headers.items():
            if name not in HOP_BY_HOP:
                handshake.headers[name] = value
        # workerd couples the end as the 101 is sent (Response::send): a refused end
        # means a 101 followed by a dropped connection.
        coupled = link.couple(request, response)
        self.transport.write(handshake.serialize())
        self.ws = proto
        proto.state = OPEN
        proto.parser = proto.parse()  # frames from here on; the request was parsed by h11
        next(proto.parser)
        if not coupled:
            self.transport.close()
            return
        proto.link = self.link = link
        proto.hibernatable = response.webSocket._peer._handler is not None  # ctx.acceptWebSocket()
        log.info("[%s] 101 %s", self.label, escape(request.url))
        trailing, _ = self.http.trailing_data
        self.transport.resume_reading()
        if trailing:
            self._ws_data(bytes(trailing))

    # ---- WebSocket frames

    def _ws_data(self, data: bytes) -> None:
        assert self.ws is not None
        self.ws.receive_data(data)
        self._ws_events()

    def _ws_events(self) -> None:
        ws = self.ws
        assert ws is not None
        for event in ws.events_received():
            link = self.link
            if isinstance(event, DeferredPing):
                if link is not None:
                    link.client_ping(event.data)
                continue
            if isinstance(event, DeferredRefusal):
                if link is not None:
                    link.client_refusal(event.code, event.reason)
                continue
            if link is None or link.end is None or not isinstance(event, Frame):
                continue
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
                close = ws.close_rcvd
                if close is not None:
                    link.client_close(close.code, close.reason)
        self.send_pending()
        if ws.close_sent is not None and self._timer is None and self.transport is not None:
            # Our Close went out: the client has CLOSE_TIMEOUT to answer and end its side.
            self._timer = self.loop.call_later(CLOSE_TIMEOUT, self.transport.abort, context=KIT_CONTEXT)

    def send_pending(self) -> None:
        """Write what the WebSocket protocol has serialised (frames, and the end of stream)."""
        ws, transport = self.ws, self.transport
        if ws is None or transport is None:
            return
        chunks = ws.data_to_send()
        if not chunks:
            return
        if all(chunks):
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            transport.write(data)
            return
        for chunk in chunks:
            if chunk:
                transport.write(chunk)
            elif ws.reset_after_close:
                transport.close()  # after what is buffered; the unread rest resets the client
            elif not transport.is_closing():
                # The end of our side. Keep reading (and discarding) until the client
                # ends its side: closing now, with its data unread, would reset the
                # connection before it read our Close.
                if transport.can_write_eof():
                    transport.write_eof()
                self._cancel_timer()
                self._timer = self.loop.call_later(CLOSE_TIMEOUT, transport.abort, context=KIT_CONTEXT)

    def _deliver(self, opcode: Opcode, data: Any) -> None:
        link = self.link
        assert link is not None and link.end is not None
        if opcode is Opcode.TEXT:
            # workerd does not check: text that is not UTF-8 reaches the Worker with
            # U+FFFD in place of each bad sequence (V8's decoding, which is Python's too).
            # websockets would fail the connection with 1007.
            link.client_message(bytes(data).decode("utf-8", "replace"))
        else:
            link.client_message(bytes(data))
        self._unchecked += len(data)
        if not self._read_paused:
            end = link.end
            if (
                self._unchecked > HIGH_WATER_BYTES // 8
                or len(end._outgoing) > HIGH_WATER
                or len(end._peer._outgoing) > HIGH_WATER
            ):
                self._unchecked = 0
                if self._backlog_over(HIGH_WATER, HIGH_WATER_BYTES):
                    self._read_paused = True
                    assert self.transport is not None
                    self.transport.pause_reading()
                    self.loop.call_later(0.001, self._check_backlog, context=KIT_CONTEXT)

    def _backlog_over(self, count: int, size: int) -> bool:
        """Whether the Worker's unread input or its unwritten output is over ``count`` or ``size``."""
        link = self.link
        assert link is not None and link.end is not None
        unread, unwritten = link.end._outgoing, link.end._peer._outgoing
        if len(unread) > count or len(unwritten) > count:
            return True
        if _size(unread) > size:
            return True
        return _size(unwritten) > size

    def _check_backlog(self) -> None:
        link = self.link
        if link is None or link.end is None or self.transport is None or self.transport.is_closing():
            return
        if self._backlog_over(HIGH_WATER // 4, HIGH_WATER_BYTES // 4):
            self.loop.call_later(0.001, self._check_backlog, context=KIT_CONTEXT)
        else:
            self._read_paused = False
            self.transport.resume_reading()

    # ---- ending

    def shutdown(self) -> None:
        """The server is closing: close an open WebSocket with 1001, end anything else."""
        ws, link = self.ws, self.link
        if ws is not None and link is not None and ws.state is OPEN:
            if ws.close_rcvd is not None:
                link.drop()  # a client's Close the Worker has not answered yet: no 1001 on top
                return
            link.close_sent = True
            ws.send_close(1001, "")
            self.send_pending()
            return
        self._close()

    def _close(self) -> None:
        self._cancel_timer()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _arm(self, seconds: float, then: Any) -> None:
        self._cancel_timer()
        self._timer = self.loop.call_later(seconds, then, context=KIT_CONTEXT)

    def _idle(self) -> None:
        if not self._busy and self.ws is None:
            if self.http.their_state is not h11.IDLE:
                self._log_refused(408, "no complete request in time")
            self._close()

    def _head_late(self) -> None:
        """kj's headerTimeout passed without a complete head: 408 if one began, else just close."""
        if self._busy or self.ws is not None or self._head is not None:
            return
        if self._received and self.http.trailing_data[0]:
            self._refuse(408, f"no complete request head within {self.limits.head_timeout:g} s")
        else:
            self._close()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _error_response() -> Response:
    from ..http import Response

    return Response(INTERNAL_ERROR_BODY, status=500)


def _phrase(status: int) -> str:
    import http

    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
