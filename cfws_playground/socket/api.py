"""``WebSocketPair`` and ``WebSocket``: the Workers API, spelled as in JavaScript.

Each public member mirrors the Workers member of the same name
(https://developers.cloudflare.com/workers/runtime-apis/websockets/) and
follows workerd's ``LegacyWebSocketAdapter`` (``src/workerd/api/web-socket.c++``):
the same checks in the same order, the same error classes and texts, the same
event order. Deliberate differences are stated in each docstring.

The machinery under the public members is in the layers ``WebSocket`` is built
on (see :mod:`.end`).
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from .. import errors
from ..compat import compatibility
from ..dispatch import Once, ensure_runtime, schedule
from ..errors import DOMException
from ..state import TRANSITIONS, Action, Effect, Phase, ready_state, transition
from .attachments import ATTACHMENT_LIMIT, clone, v8_serialized_size
from .convert import MISSING, coerce_close_code, coerce_close_reason, coerce_message, usv_string
from .end import END_NAMES, CloseFrame, frame_size
from .network import NetworkSide

if TYPE_CHECKING:
    from ..recorder import Recorder

__all__ = ["WebSocket", "WebSocketPair"]

_A_SEND = Action.SEND
_QUEUE_MESSAGE = Effect.QUEUE_MESSAGE


class WebSocket(NetworkSide):
    """One end of a :class:`WebSocketPair`. Mirrors ``WebSocket`` in Workers.

    Both ends behave the same; ``client`` and ``server`` (``pair[0]`` and
    ``pair[1]``) are names only. Create ends with ``WebSocketPair()``:
    ``new WebSocket(url)``, an outbound connection, is not modelled.
    """

    CONNECTING: ClassVar[int] = 0
    OPEN: ClassVar[int] = 1
    CLOSING: ClassVar[int] = 2
    CLOSED: ClassVar[int] = 3
    READY_STATE_CONNECTING: ClassVar[int] = 0
    READY_STATE_OPEN: ClassVar[int] = 1
    READY_STATE_CLOSING: ClassVar[int] = 2
    READY_STATE_CLOSED: ClassVar[int] = 3

    # The fields of an end are declared on End (.end) and set per instance in _create().

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "new WebSocket(url) (an outbound connection) is spelled WebSocket.new(url), as in "
            "Pyodide; create both ends of a pair with WebSocketPair()"
        )

    @classmethod
    def new(cls, url: Any, protocols: Any = None) -> Any:
        """Mirrors ``new WebSocket(url, protocols)`` as Pyodide spells it: an outbound connection
        to a server on this machine, CONNECTING until its ``open`` event
        (:mod:`cfws_playground.bridge.outbound`)."""
        from ..bridge.outbound import open_websocket  # the network edge, imported only when used

        return open_websocket(url, protocols)

    @classmethod
    def _create(cls, pair: WebSocketPair, index: int) -> WebSocket:
        ws = object.__new__(cls)
        ws._pair = pair
        ws._index = index
        ws._phase = Phase.AWAITING
        ws._reading = False
        ws._outgoing = deque()
        ws._delivery = Once(ws._deliver)  # this end's read-loop turn
        ws._allow_half_open = not pair._compat.auto_reply_to_close
        ws._binary_type = "blob" if pair._compat.standard_binary_type else "arraybuffer"
        ws._listeners = {}
        ws._attachment = MISSING
        ws._replied = False  # received the Close first and answered it
        ws._traffic = False  # a message (not a Close) was sent or received on the network
        ws._errored = False  # an error event was dispatched (only the first one is)
        ws._dead = False  # stopped reading after an error: the peer will see the pipe break
        # workerd's outgoing pump (see _pump_done): the head of _outgoing was handed to
        # the peer's waiting read loop; the peer is dispatching a frame of ours; the peer
        # let go of the pipe (outgoingAborted); this end let go of it (state Released).
        ws._handed = False
        ws._io_context = None  # the context accept() ran in: its listeners run in its request scope
        ws._read_failed = False  # a listener raised: the read loop ends with its exception
        ws._raised_at = 0  # when (dispatch.ticket) a listener raised
        ws._held_until_taken = 0  # frames the peer must take before this end reads on
        ws._dispatched_at = 0  # when the read loop last dispatched a frame
        ws._handed_in = 0  # _dispatched_at of the dispatch in which the pump last handed a frame over
        ws._reader_before = None  # in a Durable Object: who dispatched before this dispatch
        ws._reporting = False  # its error event is being dispatched
        ws._delivering = False
        ws._receive_ready = False  # its read loop took a ready frame and resumes next kj turn
        ws._aborted_known = False  # workerd has surely set outgoingAborted by now (see _peer_let_go)
        ws._lost_behind_gate = False  # a hibernatable end's frame was behind the output gate as its peer went
        ws._out_aborted = False
        ws._released = False
        ws._gated = 0  # frames queued in a Durable Object, not through its output gate yet
        ws._gate_waits = []  # [lock, frames] for those frames, in order (see Pump._notify_outgoing)
        ws._pump_cont = None
        ws._passing = None  # a skipped pump continuation's turn through an object's input gate
        ws._cont_before_pump = False  # an earlier pump's continuation waits while a newer pump runs
        ws._woken_in_dispatch = False  # the pending delivery was asked for by the peer's listener
        ws._was_woken_in_dispatch = False  # and so was the last one (the read loop's way back is from it)
        ws._queued_since_dispatch = 0  # frames queued behind the output gate since the last dispatch
        ws._finished_late = False  # the pump finished, its continuation waits behind the peer's dispatch
        ws._cont_on_way = False  # that continuation is a kj event still on its way
        ws._resume_pending = False  # the pump handed a frame over and resumes after a dispatch
        ws._through_commit = False  # the frame it handed over waited for a storage write's commit
        ws._resumed_behind = False  # that pump resumed behind the end's way back (see Pump._offer)
        ws._cont_after_dispatch = False  # its continuation waits for the pending dispatch (_pump_resumed)
        ws._cont_ahead = False  # and then goes ahead of the tasks queued (see Pump._take_last)
        ws._errored_reading = False  # a hibernatable end errored by its pump before its Close came (_release)
        ws._lost_on_way = False  # a failed pump's "Network connection lost." is on its way (kj)
        ws._newer_cont_coming = False  # a newer pump's continuation is queued behind the waiting one's
        ws._after_cont = None  # what runs right after the pump's continuation (the peer's error)
        ws._way_back = False  # the read loop is on its way back to receive() after a dispatch
        ws._came_back = False  # its pending delivery was queued by that way back
        ws._back_after_microtasks = False  # and the way back was after the dispatch's microtasks
        ws._peer_waited_first = False  # the peer's read loop waited for the isolate before this dispatch
        ws._long_way_back = False  # the hibernation manager's way back, behind the peer's dispatch
        ws._back_since = 0  # when that way back began
        ws._queued_at = 0  # when a frame last waited for the output gate
        ws._back_in = None  # the object (its GateHolds) of that way back
        ws._queued_in = None  # the object that frame was queued in
        ws._queued_in_peer_dispatch = False  # and it was queued in the peer's listener
        ws._queued_in_own_dispatch = False  # or in this end's own dispatch (or its microtasks)
        ws._in_checkpoint = False  # its dispatch is over, the dispatch's microtasks are not
        ws._warned_promise = False
        ws._stuck_error = None  # reported, but an error listener raised: close() rethrows it
        ws._buffered = 0  # bytes of messages sent that the peer has not taken (bufferedAmount)
        ws._transport = None  # set when the end is coupled to a network connection
        ws._handler = None  # set by ctx.acceptWebSocket(): events go to the Durable Object
        ws.onmessage = ws.onclose = ws.onerror = ws.onopen = None
        return ws

    # ------------------------------------------------------------------ attributes

    @property
    def readyState(self) -> int:
        """Mirrors ``WebSocket.readyState``: 1 OPEN (also before ``accept()``), 2 CLOSING, 3 CLOSED.

        Never 0 for a pair end. It changes synchronously in ``close()`` and when
        an event is dispatched; see :mod:`cfws_playground.state`.
        """
        return ready_state(self._phase)

    @property
    def url(self) -> None:
        """Mirrors ``WebSocket.url``: ``None`` for pair ends."""
        return None

    @property
    def protocol(self) -> str:
        """Mirrors ``WebSocket.protocol``: ``""`` for pair ends."""
        return ""

    @property
    def extensions(self) -> str:
        """Mirrors ``WebSocket.extensions``: ``""`` for pair ends."""
        return ""

    @property
    def binaryType(self) -> str:
        """Mirrors ``WebSocket.binaryType``: how binary messages arrive.

        ``"blob"`` (a :class:`Blob`; the default from compatibility date 2026-03-17)
        or ``"arraybuffer"`` (``bytes``). It is read as each message is dispatched,
        so a change affects later messages only. Any other value is silently
        ignored, as in workerd.
        """
        return self._binary_type

    @binaryType.setter
    def binaryType(self, value: str) -> None:
        ok = value in ("blob", "arraybuffer") and isinstance(value, str)
        if ok:
            self._binary_type = value
        if self._pair._recorders:
            self._record_call("binaryType", (value,), "ok" if ok else "ignored")

    @property
    def bufferedAmount(self) -> int:
        """Mirrors ``WebSocket.bufferedAmount``: the bytes of the messages this end has sent
        that its peer has not taken yet (text as UTF-8, binary as its length).

        As in workerd, a Close never counts; a message counts from ``send()`` until the
        peer's read loop takes it (or, for a network client, until it is written to
        the connection). A message ``send()`` silently ignores (after the peer has
        gone) counts for ever, and so do those still queued when the peer went: the
        WHATWG rule that the amount "continues to climb" once the connection is
        closed. Scenarios ``buffered-amount-*``.
        """
        return self._buffered

    # ------------------------------------------------------------------ calls

    def accept(
        self, options: dict[str, Any] | None = None, /, *_extra: Any, allowHalfOpen: bool | None = None
    ) -> None:
        """Mirrors ``WebSocket.accept()``: start handling this end in this Worker.

        Until an end is accepted it can neither send nor close, and messages for
        it wait (in order) in its peer's queue. Accepting never dispatches an
        event by itself: listeners added right after ``accept()`` see everything.

        Args:
            options: ``{"allowHalfOpen": True}``, as in JS.
            allowHalfOpen: the same, as a keyword. When true, a received Close is
                not answered automatically: the end stays CLOSING until you call
                ``close()``. Defaults to the behaviour of the compatibility date
                (auto-reply from 2026-04-07). A second ``accept()`` changes nothing.

        Raises:
            TypeError: the end was returned in a Response, or has ended.
        """
        half_open = allowHalfOpen
        if isinstance(options, (str, int, float)):  # a JS primitive is not a dictionary
            raise TypeError(errors.ACCEPT_OPTIONS_NOT_OF_TYPE)
        if options is not None and not isinstance(options, dict):
            options = {}  # any other object (a JS array too) converts to an empty options dictionary
        if options is not None:
            if "allowHalfOpen" in options:
                if allowHalfOpen is not None:
                    raise TypeError("pass allowHalfOpen in the options dict or as a keyword, not both")
                half_open = options["allowHalfOpen"]
        if self._handler is not None and not self._released:
            # (once released, the table's "already used in a response" applies: gen-304a21da)
            self._fail_error("accept", (half_open,), TypeError(errors.ACCEPT_HIBERNATABLE))
        t = transition(self._phase, Action.ACCEPT)
        if self._released and t.effect is not Effect.RAISE:
            # An end that let go of its pipe is Released, whatever its phase: accept() throws
            # (an end whose peer let go before its Close arrived, released after the close
            # event: accept-after-half-open-release).
            t = transition(Phase.CLOSED, Action.ACCEPT)
        # An end closed both ways that has not let go of its pipe yet (workerd: not Released,
        # its last frame still to be taken) takes accept() as a no-op; the table says "raise"
        # because it treats ended ends as released (state.py). Measured for CLOSED only:
        # scenario accept-after-close-before-release.
        # An end whose error event is being dispatched is not released yet either: workerd's
        # reportError() lets go of it after the dispatch (gen-43124136); nor is one whose
        # pump failed before its read loop was over, until its close event has been
        # dispatched (accept-in-close-event-after-pump-error).
        ended = self._phase is Phase.CLOSED or self._phase is Phase.ERRORED
        held = (ended or self._reporting) and not self._released
        if t.effect is Effect.RAISE and not held:
            self._fail("accept", (half_open,), t)
        if t.effect is Effect.START_READING:
            self._io_context = contextvars.copy_context()
            if half_open is not None:
                self._allow_half_open = bool(half_open)
            self._phase = t.next
            self._reading = True
            peer = self._peer
            if peer._outgoing and len(peer._outgoing) == peer._gated:
                # All behind a Durable Object's output gate: the pump offers them once they
                # pass it, to this read loop waiting in receive() by then (measured on workerd
                # 2026-11-23: gen-f80f3f22, do-accept-after-gated-send-takes-it-in-order).
                pass
            elif peer._outgoing:
                # The peer's pump waits in kj's send(): receive() takes its frame as a ready
                # promise, and the read loop resumes in kj's next turn, after a frame this end
                # sends at once has reached the peer's waiting read loop (measured on workerd
                # 2026-11-23: send-and-close-before-peer-accepts, gen-7848c49d).
                if len(peer._outgoing) == 1:
                    self._take_last()
                elif peer._transport is None and not peer._handed and not peer._gated:
                    # The head frame is taken the same way; the pump, resumed, sends the next
                    # and waits again, so bufferedAmount drops by the head's size before the
                    # next event (measured on workerd 2026-11-23: gen-f609f7ca,
                    # buffered-amount-drops-when-peer-accepts-*).
                    peer._handed = True
                    peer._uncount_head_later()
                self._schedule_delivery_later()
            elif peer._dead:
                schedule(self._peer_gone)
            outcome = "ok"
        else:
            outcome = "no-op"
        if self._pair._recorders:
            self._record_call("accept", (half_open,), outcome)

    def send(self, message: Any = MISSING, *_extra: Any) -> None:
        """Mirrors ``WebSocket.send()``: queue one message for the peer.

        ``str`` is sent as a text message. ``bytes``, ``bytearray`` and
        ``memoryview`` are sent as a binary message, copied now: changing the
        buffer later does not change what arrives. ``int``, ``float`` and
        ``bool`` are sent as text in JavaScript's ``ToString`` form
        (``42`` -> ``"42"``, ``1.0`` -> ``"1"``, ``True`` -> ``"true"``).

        The peer sees the message in a later turn of the event loop, never inside
        this call (``await settle()`` to let it arrive).

        Deliberate difference: workerd sends any other value as its JS string
        (``{}`` becomes ``"[object Object]"``); the kit raises ``TypeError``
        saying so, and pointing to ``json.dumps``.

        Raises:
            TypeError: before ``accept()``; after ``close()`` (also after an
                automatic reply to the peer's Close); or for a value of another type.
        """
        data = coerce_message(message)
        t = TRANSITIONS[self._phase, _A_SEND]
        if t.effect is _QUEUE_MESSAGE and not self._peer_let_go():
            self._outgoing.append(data)
            self._buffered += frame_size(data)
            if self._pair._recorders:
                self._record_call("send", (data,), "ok")
            self._notify_outgoing()
        elif t.effect is Effect.RAISE:
            self._fail("send", (data,), t)
        elif self._stuck_error is not None and t.effect is not _QUEUE_MESSAGE:
            # An error listener raised before workerd released this end: its pump still
            # works, so the message goes out (measured: error-listener-raises-then-close-rethrows).
            self._outgoing.append(data)
            self._buffered += frame_size(data)
            if self._pair._recorders:
                self._record_call("send", (data,), "ok")
            self._notify_outgoing()
        else:
            # Silently ignored, and still counted: nothing will ever take it (measured:
            # buffered-amount-after-peer-gone). So is a send on an end whose peer let go of
            # kj's pipe (outgoingAborted), whatever its phase (gen-3fafce12).
            self._buffered += frame_size(data)
            if self._handler is not None and not self._aborted_known and self._phase is Phase.OPEN:
                # (A hibernatable end before the whenAborted task: workerd queues the frame,
                # whose send fails once it passes the output gate, after webSocketClose; the
                # pump's error handler then lets go of the end: gen-f5ede4d5.)
                self._lost_behind_gate = True
            if self._pair._recorders:
                self._record_call("send", (data,), "ignored")

    def _peer_let_go(self) -> bool:
        """workerd's outgoingAborted, as send() and close() see it: they do nothing once it is set.

        The kit sets its own flag when the peer lets go; workerd's whenAborted task runs a few
        kj turns later. A hibernatable end's handlers, which the manager dispatches later
        still, are sure to see it set (gen-3fafce12), and so are: a read loop that found the
        pipe gone (close 1006: gen-a9dc1382, send-and-close-in-close-1006-event-do-nothing),
        an end whose pump failed (gen-a79fc489), and, in a Durable Object, a dispatch after
        the whenAborted task (gen-bdc9ab42). A plain end's listener before that task may
        still queue (gen-2d3d4afe)."""
        return self._out_aborted and (self._handler is not None or self._aborted_known)

    def close(self, code: int | None = None, reason: str | None = None, *_extra: Any) -> None:
        """Mirrors ``WebSocket.close()``: queue a Close frame after the messages already sent.

        readyState becomes 2 (CLOSING) at once. The peer gets a ``close`` event
        with this code and reason; with auto-reply (2026-04-07) it answers, and
        this end then gets its own ``close`` event with the echoed values. No
        code sends an empty Close frame, which the peer reports as 1005.

        Arguments are checked before the state, as workerd does (and the WHATWG
        algorithm says), so a bad code raises even on a closed socket. A second
        valid ``close()`` is silently ignored.

        Raises:
            DOMException: ``InvalidAccessError`` for a code outside 1000-4999 or
                1004/1005/1006/1015 (only 1000 and 3000-4999 with ``pedantic_wpt``),
                or a reason without a code; ``SyntaxError`` for a reason over 123
                UTF-8 bytes (from 2026-03-03).
            TypeError: before ``accept()``, or a code or reason of the wrong type.
        """
        compat = self._pair._compat
        if code is not None:
            try:
                code = coerce_close_code(code)
            except TypeError as exc:
                self._fail_error("close", (code, reason), exc)
            if compat.pedantic_wpt:
                valid = code == 1000 or 3000 <= code <= 4999
            else:
                valid = 1000 <= code < 5000 and code not in (1004, 1005, 1006, 1015)
            if not valid:
                self._fail_error(
                    "close",
                    (code, reason),
                    DOMException(errors.INVALID_CLOSE_CODE.format(code=code), "InvalidAccessError"),
                )
        if reason is not None:
            reason = usv_string(coerce_close_reason(reason))
            if compat.close_reason_byte_limit and len(reason.encode("utf-8")) > 123:
                self._fail_error("close", (code, reason), DOMException(errors.REASON_TOO_LONG, "SyntaxError"))
            if code is None:
                self._fail_error(
                    "close", (code, reason), DOMException(errors.REASON_WITHOUT_CODE, "InvalidAccessError")
                )
        if self._stuck_error is not None:
            raise self._stuck_error  # workerd's assertNoError(): the end was never released
        t = transition(self._phase, Action.CLOSE)
        if t.effect is Effect.RAISE:
            self._fail("close", (code, reason), t)
        if t.effect is Effect.QUEUE_CLOSE and not self._peer_let_go():
            # (With outgoingAborted, workerd's close() returns at once: readyState stays,
            # gen-3fafce12.)
            if self._phase is Phase.CLOSE_RECEIVED:
                self._replied = True
            self._outgoing.append(CloseFrame(1005 if code is None else code, reason or ""))
            self._phase = t.next
            if self._pair._recorders:
                self._record_call("close", (code, reason), "ok")
            self._notify_outgoing()
        elif self._pair._recorders:
            self._record_call("close", (code, reason), "ignored")

    def serializeAttachment(self, value: Any, *_extra: Any) -> None:
        """Mirrors ``WebSocket.serializeAttachment()``: keep a deep copy of ``value``.

        The value must be structured-clonable (None, bool, int, float, str,
        bytes-like, list, tuple, dict, set) and at most 16,384 bytes once
        serialized the way V8 does it.

        Raises:
            WorkersError: the serialized value is over 16,384 bytes.
            DOMException: ``DataCloneError`` for a value that cannot be cloned.
        """
        size = v8_serialized_size(value)
        if size > ATTACHMENT_LIMIT:
            raise errors.WorkersError(errors.ATTACHMENT_TOO_LARGE.format(limit=ATTACHMENT_LIMIT, size=size))
        self._attachment = clone(value)

    def deserializeAttachment(self, *_extra: Any) -> Any:
        """Mirrors ``WebSocket.deserializeAttachment()``: a fresh copy, or ``None`` if never set."""
        if self._attachment is MISSING:
            return None
        return clone(self._attachment)

    def __repr__(self) -> str:
        rs = self.readyState
        return f"<WebSocket {END_NAMES[self._index]} readyState={rs} ({_RS_NAMES[rs]})>"


_RS_NAMES = ("CONNECTING", "OPEN", "CLOSING", "CLOSED")


class WebSocketPair:
    """Mirrors ``WebSocketPair`` in Workers: two connected :class:`WebSocket` ends.

    ``pair[0]`` (the "client" end, usually returned in a ``Response``) and
    ``pair[1]`` (the "server" end, usually accepted) return the same objects on
    every access. The pair unpacks like JS's ``Object.values(new WebSocketPair())``::

        client, server = WebSocketPair()                 # iterable: the two sockets
        client, server = WebSocketPair.new().object_values()   # the Python Workers spelling

    A pair takes the behaviour of the :class:`~cfws_playground.compatibility`
    block it is created in (today's runtime outside one), for its whole life.
    """

    __slots__ = ("_client", "_server", "_compat", "_spec_dispatch", "_recorders", "__weakref__")

    def __init__(self) -> None:
        self._compat = compatibility.current()
        self._spec_dispatch = self._compat.spec_compliant_dispatch_exceptions
        self._recorders: list[Recorder] = []
        self._client = WebSocket._create(self, 0)
        self._server = WebSocket._create(self, 1)
        self._client._peer = self._server
        self._server._peer = self._client
        # The running loop takes the kit's event loop now, so that a timer set before
        # the first delivery already waits for the runtime's tasks (see dispatch).
        ensure_runtime()

    @classmethod
    def new(cls) -> WebSocketPair:
        """``WebSocketPair.new()``: JS ``new WebSocketPair()`` as Python Workers spell it."""
        return cls()

    def object_values(self) -> list[WebSocket]:
        """``Object.values(pair)``: ``[pair[0], pair[1]]``, as Python Workers spell it."""
        return [self._client, self._server]

    def __getitem__(self, index: int) -> WebSocket:
        if index == 0 and not isinstance(index, bool):
            return self._client
        if index == 1 and not isinstance(index, bool):
            return self._server
        raise IndexError(f"a WebSocketPair has ends 0 and 1 only, not {index!r}")

    def __iter__(self) -> Iterator[WebSocket]:
        yield self._client
        yield self._server

    @property
    def compatibility(self) -> compatibility:
        """The compatibility date and flags this pair was created with."""
        return self._compat

    def __repr__(self) -> str:
        return f"<WebSocketPair client={self._client.readyState} server={self._server.readyState}>"


# ---------------------------------------------------------------------- conversions
