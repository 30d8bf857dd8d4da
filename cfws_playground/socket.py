"""``WebSocketPair`` and ``WebSocket``: the Workers API, spelled as in JavaScript.

This is the facade over the state table (:mod:`cfws_playground.state`) and the
delivery layer (:mod:`cfws_playground.dispatch`). Each public member mirrors the
Workers member of the same name (https://developers.cloudflare.com/workers/runtime-apis/websockets/)
and follows workerd's ``LegacyWebSocketAdapter`` (``src/workerd/api/web-socket.c++``):
the same checks in the same order, the same error classes and texts, the same
event order. Deliberate differences are stated in each docstring.

How frames move: each end has an outgoing queue. ``send()`` and ``close()``
append to it; the other end, once it is accepted, takes one frame per turn of
the event loop and dispatches it. A raising listener, a Close and a vanished
peer end the reading exactly where workerd's read loop ends.
"""

from __future__ import annotations

import copy
import inspect
import logging
import math
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from . import errors
from .compat import compatibility
from .dispatch import Once, only_timers, ready_queue, schedule, spawn
from .errors import ConnectionLostError, DOMException
from .events import Blob, CloseEvent, ErrorEvent, Event, MessageEvent, _message_event, type_name
from .state import TRANSITIONS, Action, Effect, Phase, ready_state, transition

if TYPE_CHECKING:
    from .recorder import Recorder

__all__ = ["WebSocket", "WebSocketPair"]

log = logging.getLogger("cfws_playground")
# A library stays quiet unless the program configures logging (the recorder and
# the error events already show what went wrong); `cfws-playground serve` does.
log.addHandler(logging.NullHandler())

END_NAMES = ("client", "server")
ATTACHMENT_LIMIT = 16384

_MISSING: Any = object()
_BATCH = 1024  # frames one delivery turn may dispatch while only timers wait
_A_SEND = Action.SEND
_QUEUE_MESSAGE = Effect.QUEUE_MESSAGE


class _Close:
    """A Close frame in an outgoing queue."""

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class _Fail:
    """The end of the frames from a network client: its read loop fails with ``error``."""

    __slots__ = ("error", "message")

    def __init__(self, error: BaseException, message: str) -> None:
        self.error = error
        self.message = message


class _Listener:
    __slots__ = ("fn", "key", "once", "removed")

    def __init__(self, fn: Callable[[Any], Any], key: object, once: bool) -> None:
        self.fn = fn
        self.key = key
        self.once = once
        self.removed = False


Listener = Callable[[Any], Any]


class WebSocket:
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

    # Declared for readers and type checkers; set per instance in _create().
    onmessage: Listener | None
    onclose: Listener | None
    onerror: Listener | None
    onopen: Listener | None
    _pair: WebSocketPair
    _index: int
    _peer: WebSocket
    _phase: Phase
    _reading: bool
    _outgoing: deque[str | bytes | _Close | _Fail]
    _delivery: Once
    _allow_half_open: bool
    _binary_type: str
    _listeners: dict[str, list[_Listener]]
    _attachment: Any
    _replied: bool
    _traffic: bool
    _errored: bool
    _dead: bool
    _handed: bool
    _delivering: bool
    _out_aborted: bool
    _released: bool
    _pump_cont: Once | None
    _pump_hop: Once | None
    _delivery_hop: Once | None
    _warned_promise: bool
    _stuck_error: BaseException | None
    _transport: Any
    _handler: Callable[[WebSocket, Event], bool] | None

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "new WebSocket(url) (an outbound connection) is not modelled by the kit; "
            "create both ends with WebSocketPair()"
        )

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
        ws._attachment = _MISSING
        ws._replied = False  # received the Close first and answered it
        ws._traffic = False  # a message (not a Close) was sent or received on the network
        ws._errored = False  # an error event was dispatched (only the first one is)
        ws._dead = False  # stopped reading after an error: the peer will see the pipe break
        # workerd's outgoing pump (see _pump_done): the head of _outgoing was handed to
        # the peer's waiting read loop; the peer is dispatching a frame of ours; the peer
        # let go of the pipe (outgoingAborted); this end let go of it (state Released).
        ws._handed = False
        ws._delivering = False
        ws._out_aborted = False
        ws._released = False
        ws._pump_cont = ws._pump_hop = ws._delivery_hop = None
        ws._warned_promise = False
        ws._stuck_error = None  # reported, but an error listener raised: close() rethrows it
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
        """Mirrors ``WebSocket.bufferedAmount``: always 0, as workerd reports it."""
        return 0

    # ------------------------------------------------------------------ calls

    def accept(self, options: dict[str, Any] | None = None, /, *, allowHalfOpen: bool | None = None) -> None:
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
        if isinstance(options, (list, tuple)):
            options = {}  # a JS array converts to an empty options dictionary, as workerd does
        if options is not None:
            if not isinstance(options, dict):
                raise TypeError(
                    f"accept() options must be a dict like {{'allowHalfOpen': True}}, "
                    f"not {type(options).__name__}"
                )
            if "allowHalfOpen" in options:
                if allowHalfOpen is not None:
                    raise TypeError("pass allowHalfOpen in the options dict or as a keyword, not both")
                half_open = options["allowHalfOpen"]
        if self._handler is not None:
            self._fail_error("accept", (half_open,), TypeError(errors.ACCEPT_HIBERNATABLE))
        t = transition(self._phase, Action.ACCEPT)
        if t.effect is Effect.RAISE:
            self._fail("accept", (half_open,), t)
        if t.effect is Effect.START_READING:
            if half_open is not None:
                self._allow_half_open = bool(half_open)
            self._phase = t.next
            self._reading = True
            peer = self._peer
            if peer._outgoing:
                if len(peer._outgoing) == 1 and self._take_last():
                    self._schedule_delivery_later()
                else:
                    self._schedule_delivery()
            elif peer._dead:
                schedule(self._peer_gone)
            outcome = "ok"
        else:
            outcome = "no-op"
        if self._pair._recorders:
            self._record_call("accept", (half_open,), outcome)

    def send(self, message: Any = _MISSING) -> None:
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
        data = _coerce_message(message)
        t = TRANSITIONS[self._phase, _A_SEND]
        if t.effect is _QUEUE_MESSAGE:
            self._outgoing.append(data)
            if self._pair._recorders:
                self._record_call("send", (data,), "ok")
            self._notify_outgoing()
        elif t.effect is Effect.RAISE:
            self._fail("send", (data,), t)
        elif self._stuck_error is not None:
            # An error listener raised before workerd released this end: its pump still
            # works, so the message goes out (measured: error-listener-raises-then-close-rethrows).
            self._outgoing.append(data)
            if self._pair._recorders:
                self._record_call("send", (data,), "ok")
            self._notify_outgoing()
        elif self._pair._recorders:
            self._record_call("send", (data,), "ignored")

    def close(self, code: int | None = None, reason: str | None = None) -> None:
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
            code = _coerce_close_code(code)
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
            reason = _usv_string(_coerce_close_reason(reason))
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
        if t.effect is Effect.QUEUE_CLOSE:
            if self._phase is Phase.CLOSE_RECEIVED:
                self._replied = True
            self._outgoing.append(_Close(1005 if code is None else code, reason or ""))
            self._phase = t.next
            if self._pair._recorders:
                self._record_call("close", (code, reason), "ok")
            self._notify_outgoing()
        elif self._pair._recorders:
            self._record_call("close", (code, reason), "ignored")

    def serializeAttachment(self, value: Any) -> None:
        """Mirrors ``WebSocket.serializeAttachment()``: keep a deep copy of ``value``.

        The value must be structured-clonable (None, bool, int, float, str,
        bytes-like, list, tuple, dict, set) and at most 16,384 bytes once
        serialized the way V8 does it.

        Raises:
            WorkersError: the serialized value is over 16,384 bytes.
            DOMException: ``DataCloneError`` for a value that cannot be cloned.
        """
        size = _v8_serialized_size(value)
        if size > ATTACHMENT_LIMIT:
            raise errors.WorkersError(errors.ATTACHMENT_TOO_LARGE.format(limit=ATTACHMENT_LIMIT, size=size))
        self._attachment = _clone(value)

    def deserializeAttachment(self) -> Any:
        """Mirrors ``WebSocket.deserializeAttachment()``: a fresh copy, or ``None`` if never set."""
        if self._attachment is _MISSING:
            return None
        return _clone(self._attachment)

    # ------------------------------------------------------------------ EventTarget

    def addEventListener(
        self,
        type: str,  # noqa: A002 - JS name
        listener: Any,
        options: bool | dict[str, Any] | None = None,
        /,
        *,
        once: bool = False,
        capture: bool = False,
        passive: bool = False,
    ) -> None:
        """Mirrors ``EventTarget.addEventListener()``.

        ``listener`` is called with the event; it may also be an object with a
        ``handleEvent`` method. Options, as a dict (``{"once": True}``) or as
        keywords: ``once`` removes the listener after its first call; ``capture``
        must be false, as in workerd; ``passive`` is accepted. Adding the same listener
        twice for a type has no effect. ``on<type>`` attributes (``ws.onmessage = fn``)
        run before all listeners added here.

        Listeners run one after another within one dispatch. Deliberate
        reproduction of workerd: a listener that raises stops the rest for that
        event and errors the socket (unless ``spec_compliant_dispatch_exceptions``).
        An ``async def`` listener runs as a task that nothing awaits, with a
        one-time warning, as workerd ignores the promise it returns.

        Raises:
            TypeError: ``capture`` is true, or ``listener`` is not callable.
        """
        if isinstance(options, bool):
            if options:
                raise TypeError(errors.USE_CAPTURE_MUST_BE_FALSE)
        elif isinstance(options, dict):
            once = once or bool(options.get("once", False))
            capture = capture or bool(options.get("capture", False))
            passive = passive or bool(options.get("passive", False))
        elif options is not None:
            raise TypeError(f"addEventListener() options must be a dict or bool, not {type_name(options)}")
        if capture:
            raise TypeError(errors.CAPTURE_MUST_BE_FALSE)
        # ``passive`` is accepted and has no effect: WebSocket events cannot be cancelled.
        if not isinstance(type, str):
            raise TypeError(f"event type must be a str, not {type_name(type)}")
        if listener is None:
            return
        fn = _listener_function(listener)
        entries = self._listeners.setdefault(type, [])
        if any(e.key is listener or e.key == listener for e in entries):
            return
        entries.append(_Listener(fn, listener, once))

    def removeEventListener(
        self,
        type: str,  # noqa: A002 - JS name
        listener: Any,
        options: bool | dict[str, Any] | None = None,
        /,
    ) -> None:
        """Mirrors ``EventTarget.removeEventListener()``: stop calling ``listener`` for ``type``.

        A listener removed while an event is being dispatched is not called for it.

        Raises:
            TypeError: ``capture`` is true (``{"capture": True}`` or ``True``), as in
                workerd; the listener stays registered.
        """
        if options is True:
            raise TypeError(errors.REMOVE_USE_CAPTURE_MUST_BE_FALSE)
        if isinstance(options, dict) and options.get("capture"):
            raise TypeError(errors.REMOVE_CAPTURE_MUST_BE_FALSE)
        entries = self._listeners.get(type)
        if not entries:
            return
        for i, entry in enumerate(entries):
            if entry.key is listener or entry.key == listener:
                entry.removed = True
                del entries[i]
                return

    def dispatchEvent(self, event: Event) -> bool:
        """Mirrors ``EventTarget.dispatchEvent()``: call this end's listeners for ``event`` now.

        Before 2026-09-15 an exception from a listener propagates to the caller and
        the remaining listeners are skipped; from then (``spec_compliant_dispatch_exceptions``)
        every listener runs and exceptions are only reported. Returns True
        (WebSocket events cannot be cancelled).
        """
        if not isinstance(event, Event):
            raise TypeError(f"dispatchEvent() takes an Event, not {type_name(event)}")
        if self._pair._compat.spec_compliant_dispatch_exceptions:
            self._dispatch_reporting(event)
            return True
        for fn in self._each_listener(event.type):
            self._call_listener(fn, event)
        return True

    def _accept_hibernatable(self, handler: Callable[[WebSocket, Event], bool]) -> None:
        """``ctx.acceptWebSocket()``'s part on the end: read it as ``accept()`` does, but hand
        every event it produces to ``handler`` (the Durable Object's ``webSocketMessage`` /
        ``webSocketClose`` / ``webSocketError``) instead of its listeners, which never fire.
        ``handler`` returns whether it took the event.

        The caller (:mod:`cfws_playground.durable`) has checked workerd's preconditions.
        """
        self._handler = handler
        # No automatic reply to a Close, whatever the compatibility date: the object's
        # webSocketClose sees readyState 2 and must call close() (workerd's hibernation
        # manager dispatches the Close without the adapter's auto-reply; observed on
        # workerd 2026-11-17).
        self._allow_half_open = True
        self._phase = transition(self._phase, Action.ACCEPT).next
        self._reading = True
        if self._peer._outgoing:
            self._schedule_delivery()
        elif self._peer._dead:
            schedule(self._peer_gone)
        if self._pair._recorders:
            self._record_call("acceptWebSocket", (), "ok")

    def _hold(self) -> None:
        """Take no more frames for now: a hibernatable end's read loop awaits each event's handler."""
        self._reading = False

    def _release(self) -> None:
        """Take frames again after :meth:`_hold` (unless the end has stopped reading for good)."""
        if self._reading or self._phase not in (Phase.OPEN, Phase.CLOSE_SENT):
            return
        self._reading = True
        if self._peer._outgoing:
            if len(self._peer._outgoing) == 1 and self._take_last():
                self._schedule_delivery_later()
            else:
                self._schedule_delivery()
        elif self._peer._dead:
            schedule(self._peer_gone)

    # ------------------------------------------------------------------ internals: sending

    def _notify_outgoing(self) -> None:
        """A frame was queued: make sure whoever reads this end's frames will take it."""
        peer = self._peer
        if peer._transport is not None:
            peer._transport.frames_queued()
        elif peer._reading:
            handed = len(self._outgoing) == 1 and not peer._delivering
            if not peer._delivery.scheduled:
                peer._schedule_delivery()
            if handed:
                # The peer's read loop is waiting in receive(): kj's pipe hands the
                # frame over at once, so this end's pump is done after this turn, and
                # its continuation runs after the peer has seen the frame.
                self._handed = True
                if self._phase in _CLOSED_OUTGOING:
                    self._schedule_pump_done(2)

    def _take_last(self) -> bool:
        """This end's read loop is back in receive() and the peer has one frame left.

        kj's pipe hands it over now (the peer's blocked send completes), so the
        peer's pump finishes, and its continuation runs before this end sees the
        frame. Returns True when that continuation was scheduled: this end's
        dispatch of the frame then comes a turn later than usual (kj resumes a
        read loop that took a ready frame breadth-first).
        """
        peer = self._peer
        if peer._handed:
            return False
        peer._handed = True
        if peer._out_aborted or peer._phase in _CLOSED_OUTGOING:
            peer._schedule_pump_done(1)
            return True
        return False

    def _schedule_delivery_later(self) -> None:
        hop = self._delivery_hop
        if hop is None:
            hop = self._delivery_hop = Once(self._schedule_delivery)
        hop.request()

    def _schedule_delivery(self) -> None:
        self._delivery.request()

    def _deliver(self) -> None:
        """Take the peer's next frame and dispatch it, as workerd's read loop does.

        Each frame is its own turn of the event loop; when nothing else is
        waiting to run, the next frame follows in the same turn (up to a batch
        limit, so timers and I/O are still served), which no program can tell apart.
        """
        peer = self._peer
        src = peer._outgoing
        budget = _BATCH
        ready = ready_queue()
        delivery = self._delivery
        while self._reading and src:
            frame = src.popleft()
            if peer._handed:
                peer._handed = False  # taken already; its pump's continuation is scheduled
            elif not src and (peer._out_aborted or peer._phase in _CLOSED_OUTGOING):
                peer._pump_done()
            self._delivering = True
            cls = type(frame)
            if cls is str or (cls is bytes and self._binary_type != "blob"):
                self._dispatch_from_runtime(_message_event(frame))  # type: ignore[arg-type]
            elif cls is _Close:
                self._receive_close(frame.code, frame.reason)  # type: ignore[union-attr]
            elif cls is _Fail:
                self._reading = False
                self._report_error(frame.error, frame.message)  # type: ignore[union-attr]
            else:
                self._receive_message(frame)  # type: ignore[arg-type]
            self._delivering = False
            if len(src) == 1 and self._reading and self._take_last():
                if not delivery.scheduled:
                    self._schedule_delivery_later()
                return
            budget -= 1
            if not budget or delivery.scheduled:
                break
            if ready and not only_timers(ready):
                break  # a callback a listener scheduled runs first, as a microtask would
            if ready is None:
                break  # a loop that hides its queue (uvloop): one frame per turn
        if src:
            if self._reading and not self._delivery.scheduled:
                self._schedule_delivery()
        elif peer._dead and self._reading:
            schedule(self._peer_gone)

    # ------------------------------------------------------------------ internals: receiving

    def _receive_message(self, data: str | bytes) -> None:
        # Only reading ends get here, and a message never changes the phase
        # (TRANSITIONS[phase, RECV_MESSAGE] is DISPATCH for every reading phase).
        if type(data) is bytes and self._binary_type == "blob":
            self._dispatch_from_runtime(_message_event(Blob._wrap(data)))
        elif type(data) is _WTF8:
            self._dispatch_from_runtime(_message_event(received_text(data)))
        else:
            self._dispatch_from_runtime(_message_event(data))

    def _receive_close(self, code: int, reason: str) -> None:
        action = Action.RECV_CLOSE_HALF_OPEN if self._allow_half_open else Action.RECV_CLOSE
        t = transition(self._phase, action)
        # Frames handed over before this turn are sent: only what this end queues while
        # it handles the Close (the automatic reply, a listener's send or close) keeps
        # its pump running past the close event.
        queued = len(self._outgoing)
        was_pumping = queued > 1 or (queued == 1 and not self._handed)
        self._reading = False
        self._phase = t.next
        if t.effect is Effect.QUEUE_REPLY_CLOSE:
            # web_socket_auto_reply_to_close: the reply is queued before the event.
            self._replied = True
            self._outgoing.append(_Close(code, reason))
            self._notify_outgoing()
        self._dispatch_from_runtime(CloseEvent(code=code, reason=reason, wasClean=True))
        # workerd's tryReleaseNative() after the close event.
        if (
            self._phase is Phase.CLOSED
            and not was_pumping
            and len(self._outgoing) == queued
            and self._peer._transport is None
        ):
            if self._handler is None:
                self._release_native()
            else:
                # A hibernatable socket's pipe end goes with the hibernation manager's
                # bookkeeping, after its peer's pump has finished: no error for the peer
                # (observed: do-object-closes-first).
                self._released = True

    def _release_native(self) -> None:
        """The end lets go of its side of kj's pipe (workerd: state Released).

        Destroying a pipe end aborts both directions: the peer's whenAborted task
        sets its outgoingAborted flag, and lets go too if its pump is idle and its
        read loop is over. A peer whose pump continuation is still to run then
        reports "Network connection lost." (see :meth:`_pump_done`): in a plain
        handshake that is the end that answered the Close, because its answer was
        handed to a read loop that was waiting for it.
        """
        if self._released:
            return
        self._released = True
        peer = self._peer
        if peer._released or peer._transport is not None:
            return
        peer._out_aborted = True
        out = peer._outgoing
        pump_idle = not out or (len(out) == 1 and peer._handed)
        if pump_idle and peer._phase in _CLOSED_INCOMING:
            peer._released = True

    def _schedule_pump_done(self, turns: int) -> None:
        """Run :meth:`_pump_done` in ``turns`` runtime turns.

        A pump that handed its frame to a waiting reader resumes a turn later, and
        its continuation enters JavaScript a turn after that (2); a pump whose
        blocked send was taken resumes at once (1). These are turns like a
        delivery's (they wait for user callbacks as deliveries do), so that they
        keep their places among the deliveries they race with.
        """
        cont = self._pump_cont
        if cont is None:
            cont = self._pump_cont = Once(self._pump_done)
        if turns == 1:
            cont.request()
            return
        hop = self._pump_hop
        if hop is None:
            hop = self._pump_hop = Once(cont.request)
        hop.request()

    def _pump_done(self) -> None:
        """The continuation after this end's outgoing pump finished (web-socket.c++ ensurePumping)."""
        out = self._outgoing
        if out and not (len(out) == 1 and self._handed):
            return  # still sending: a later continuation decides
        if self._out_aborted:
            # The peer let go before this continuation ran (even if the whenAborted task
            # has released this end already): reportError().
            self._released = True
            self._report_error(ConnectionLostError(), f"Uncaught Error: {errors.CONNECTION_LOST}")
        elif self._phase is Phase.CLOSED:
            self._release_native()

    def _peer_gone(self) -> None:
        """The peer's end was destroyed without a Close.

        In-process (the peer's listener raised) workerd's outgoing pump fails
        first if it still had frames to hand over, "Network connection lost.",
        then the read loop reports close 1006. A network client that drops its
        connection gives close 1006 only.
        """
        # Only a pump with frames still to hand over fails: an end whose frames were
        # all taken before its peer died sees close 1006 alone (measured on workerd).
        # (An automatic reply still on its way counts: scenario broadcast-to-closed-socket-errors-sender.)
        pump_fails = self._peer._transport is None and bool(self._outgoing)
        if pump_fails and not self._errored and self._phase is not Phase.AWAITING:
            self._report_error(ConnectionLostError(), f"Uncaught Error: {errors.CONNECTION_LOST}")
        self._outgoing.clear()
        if self._reading:
            schedule(self._receive_disconnect)

    def _receive_disconnect(self) -> None:
        """Close 1006: dispatched before closedIncoming is set, so readyState is unchanged inside."""
        if not self._reading:
            return
        hibernatable = self._handler is not None
        action = Action.RECV_DISCONNECT_HIBERNATABLE if hibernatable else Action.RECV_DISCONNECT
        t = transition(self._phase, action)
        self._reading = False
        # workerd dispatches this close after its read loop has ended: a listener's
        # exception is only reported there, it cannot error the socket (measured).
        event = CloseEvent(code=1006, reason=errors.DISCONNECTED_REASON, wasClean=False)
        if self._pair._recorders:
            self._record_event(event)
        if self._handler is not None:
            self._handler(self, event)  # a hibernatable end: webSocketClose(ws, 1006, ...)
        else:
            self._dispatch_reporting(event)
        self._phase = t.next

    def _schedule_error(self, error: BaseException, message: str) -> None:
        def report() -> None:
            self._report_error(error, message)

        schedule(report)

    def _report_error(self, error: BaseException, message: str) -> bool:
        """LWA::reportError: only the first error is dispatched; readyState is 3 inside it.

        Returns False when an error listener raised before 2026-09-15: workerd's
        reportError is then cut short before it releases the end, so the peer
        never learns, and a later ``close()`` rethrows the reported error.
        """
        if self._errored:
            return True
        t = transition(self._phase, Action.ERROR)
        self._errored = True
        self._phase = t.next
        event = ErrorEvent(message=message, error=error)
        if self._handler is not None and self._handler(self, event):
            # A hibernatable end: webSocketError. After its close event the object
            # hears nothing more, but the end of the pipe is still dispatched on the
            # socket itself, to its listeners (observed: do-close-handler-reply-error-event).
            if self._pair._recorders:
                self._record_event(event)
            return True
        if self._pair._recorders:
            self._record_event(event)
        spec_compliant = self._pair._compat.spec_compliant_dispatch_exceptions
        for fn in self._each_listener("error"):
            try:
                self._call_listener(fn, event)
            except Exception as exc:  # noqa: BLE001 - reported; before 2026-09-15 it also ends the dispatch
                text = f"Uncaught {_js_name(exc)}: {_js_message(exc)}"
                log.warning("%s (in an error listener)", text)
                if self._pair._recorders:
                    self._record_note("listener raised", text)
                if not spec_compliant:
                    self._stuck_error = error
                    return False
        return True

    # ------------------------------------------------------------------ internals: dispatch

    def _each_listener(self, etype: str) -> Iterator[Callable[[Any], Any]]:
        """The functions to call for an event, in workerd's order (basics.c++ dispatchEventImpl).

        The ``on<type>`` attribute first (if callable), then listeners in the
        order they were added, as of the dispatch's start; lazily, so that a
        listener removed by an earlier one in the same dispatch is skipped, and
        a ``once`` listener is removed before it runs.
        """
        handler = getattr(self, _ON.get(etype) or "on" + etype, None)
        if handler is not None and callable(handler):
            yield handler
        entries = self._listeners.get(etype)
        if entries:
            for entry in tuple(entries):
                if entry.removed:
                    continue
                if entry.once:
                    entry.removed = True
                    entries.remove(entry)
                yield entry.fn

    def _dispatch_from_runtime(self, event: Event) -> None:
        """Dispatch an event the runtime produced (a frame, a close); handle a raising listener."""
        pair = self._pair
        if pair._recorders:
            self._record_event(event)
        if self._handler is not None:
            self._handler(self, event)
            return
        etype = event.type
        entries = self._listeners.get(etype)
        handler = getattr(self, _ON.get(etype) or "on" + etype, None)
        if not entries and handler is None:
            return
        if handler is None and entries is not None and len(entries) == 1 and not entries[0].once:
            # The common case, one listener: the same rules without the walk.
            try:
                result = entries[0].fn(event)
            except Exception as exc:  # noqa: BLE001
                if not pair._spec_dispatch:
                    self._listener_raised(exc, etype)
                else:
                    self._report_listener_exception(exc, etype)
                    if type(event) is MessageEvent:
                        self._listener_raised(exc, etype)
            else:
                if result is not None:
                    self._returned(result)
            return
        if not pair._spec_dispatch:
            try:
                for fn in self._each_listener(etype):
                    self._call_listener(fn, event)
            except Exception as exc:  # noqa: BLE001 - workerd: the first raising listener ends the dispatch
                self._listener_raised(exc, etype)
            return
        # spec_compliant_dispatch_exceptions (2026-09-15): every listener runs; the
        # first exception is reported, and a message listener's still ends the read
        # loop (as measured on workerd 2026-11-17; a close listener's does not).
        first = self._dispatch_reporting(event)
        if first is not None and type(event) is MessageEvent:
            self._listener_raised(first, etype)

    def _dispatch_reporting(self, event: Event) -> Exception | None:
        """Call every listener; report each exception (log, recorder); return the first."""
        first: Exception | None = None
        for fn in self._each_listener(event.type):
            try:
                self._call_listener(fn, event)
            except Exception as exc:  # noqa: BLE001 - report and continue
                self._report_listener_exception(exc, event.type)
                if first is None:
                    first = exc
        return first

    def _report_listener_exception(self, exc: Exception, etype: str) -> None:
        message = f"Uncaught {_js_name(exc)}: {_js_message(exc)}"
        log.warning("%s (in a %r listener; dispatch continues)", message, etype)
        if self._pair._recorders:
            self._record_note("listener raised", message)

    def _call_listener(self, fn: Callable[[Any], Any], event: Event) -> None:
        result = fn(event)
        if result is not None:
            self._returned(result)

    def _returned(self, result: Any) -> None:
        """What a listener returned: an awaitable is run unawaited, with a one-time warning."""
        if inspect.isawaitable(result):
            if not self._warned_promise:
                self._warned_promise = True
                log.warning("%s", errors.PROMISE_IGNORED)
            if inspect.iscoroutine(result):
                spawn(result)

    def _listener_raised(self, exc: Exception, etype: str) -> None:
        """workerd's read loop ends with the listener's exception: the end stops reading,
        gets an error event, and is then released, so its peer sees the pipe break."""
        text = f"Uncaught {_js_name(exc)}: {_js_message(exc)}"
        log.warning("%s (in a %r listener on the %s end)", text, etype, END_NAMES[self._index])
        if self._pair._recorders and not self._pair._spec_dispatch:
            # (With spec-compliant dispatch the exception was noted as it was reported.)
            self._record_note("listener raised", text)
        self._reading = False
        message = _uncaught_message(exc)
        schedule(lambda: self._read_loop_failed(exc, message))

    def _read_loop_failed(self, exc: BaseException, message: str) -> None:
        if not self._report_error(exc, message):
            return  # an error listener raised (before 2026-09-15): the end is never released
        self._dead = True
        peer = self._peer
        if peer._transport is not None:
            peer._transport.peer_died()
        elif not self._outgoing and (
            peer._reading or peer._outgoing or peer._phase in (Phase.OPEN, Phase.CLOSE_RECEIVED)
        ):
            peer._peer_gone()

    # ------------------------------------------------------------------ the network side
    #
    # An end returned in a 101 Response is coupled to a network connection
    # (cfws_playground.bridge). The transport then stands in for that end: it
    # takes the frames the worker's end sends, and feeds in what the client
    # sends. A transport has two methods the runtime calls:
    #
    #   frames_queued()  the worker's end queued frames: take them with _network_take()
    #   peer_died()      the worker's end stopped (a listener raised): once its queued
    #                    frames are taken, drop the connection without a Close (1006)

    def _couple(self, transport: Any) -> None:
        """Return this end in a Response: check workerd's coupling rules, then hand it to ``transport``.

        Raises:
            TypeError: the end was accepted, or already used in a response (workerd's texts).
        """
        t = transition(self._phase, Action.COUPLE)
        if t.effect is Effect.RAISE:
            self._fail("couple", (), t)
        self._phase = t.next
        self._transport = transport
        if self._pair._recorders:
            self._record_call("couple", (), "ok")
        if self._peer._outgoing:
            transport.frames_queued()

    def _network_take(self) -> str | bytes | tuple[int, str] | None:
        """The next frame the worker's end sent: text, bytes, ``(code, reason)`` for a Close, or None."""
        src = self._peer._outgoing
        if not src:
            return None
        frame = src.popleft()
        if isinstance(frame, _Close):
            return (frame.code, frame.reason)
        assert not isinstance(frame, _Fail)  # failures travel only towards the Worker's end
        self._traffic = True
        return frame

    def _network_frame(self, data: str | bytes) -> None:
        """A message arrived from the network client: deliver it to the worker's end in order."""
        self._outgoing.append(data)
        self._traffic = True
        if self._pair._recorders:
            self._record_net("send", (data,))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    def _network_close(self, code: int, reason: str) -> None:
        """A Close frame arrived from the network client (code 1005 when it had none)."""
        self._outgoing.append(_Close(code, reason))
        if self._pair._recorders:
            self._record_net("close", (code, reason))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    def _network_closed(self, clean: bool) -> None:
        """The connection has ended, after a Close handshake (``clean``) or dropped without one."""
        peer = self._peer
        if self._pair._recorders:
            self._record_net("closed" if clean else "dropped", ())
        if clean:
            if peer._replied and (peer._traffic or self._traffic):
                # The worker's end answered the client's Close: workerd then reports
                # the end of the pipe on it, once messages have crossed the connection
                # (measured: wire-echo-text and wire-message-32mib-arrives have the
                # error, wire-client-close-4001 and wire-ping-answered do not).
                peer._schedule_error(ConnectionLostError(), f"Uncaught Error: {errors.CONNECTION_LOST}")
            return
        self._dead = True
        if not self._outgoing:
            schedule(peer._peer_gone)

    def _network_error(self, error: BaseException, message: str) -> None:
        """A protocol error on the connection (e.g. a message over the size limit).

        The Worker's end first reads what arrived before it, then its read loop
        ends with the error, as workerd's does.
        """
        self._outgoing.append(_Fail(error, message))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    # ------------------------------------------------------------------ internals: recording

    def _fail(self, name: str, args: tuple[Any, ...], t: Any) -> NoReturn:
        self._fail_error(name, args, t.error(t.message))

    def _fail_error(self, name: str, args: tuple[Any, ...], exc: Exception) -> NoReturn:
        if self._pair._recorders:
            self._record_call(
                name,
                args,
                f"{type(exc).__name__}: {exc}"
                if not isinstance(exc, DOMException)
                else f"DOMException {exc.name}: {exc}",
            )
        raise exc

    def _record_call(self, name: str, args: tuple[Any, ...], outcome: str) -> None:
        for rec in self._pair._recorders:
            rec._add(self._pair, self._index, "call", name, args, outcome)

    def _record_event(self, event: Event) -> None:
        if type(event) is MessageEvent:
            args: tuple[Any, ...] = (event.data,)
        elif isinstance(event, CloseEvent):
            args = (event.code, event.reason, event.wasClean)
        elif isinstance(event, ErrorEvent):
            args = (event.message,)
        else:
            args = ()
        for rec in self._pair._recorders:
            rec._add(self._pair, self._index, "event", event.type, args, "")

    def _record_net(self, name: str, args: tuple[Any, ...]) -> None:
        for rec in self._pair._recorders:
            rec._add(self._pair, self._index, "net", name, args, "")

    def _record_note(self, name: str, text: str) -> None:
        for rec in self._pair._recorders:
            rec._add(self._pair, self._index, "note", name, (text,), "")

    def __repr__(self) -> str:
        rs = self.readyState
        return f"<WebSocket {END_NAMES[self._index]} readyState={rs} ({_RS_NAMES[rs]})>"


_RS_NAMES = ("CONNECTING", "OPEN", "CLOSING", "CLOSED")
_ON = {"message": "onmessage", "close": "onclose", "error": "onerror", "open": "onopen"}


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


_CLOSED_OUTGOING = frozenset((Phase.CLOSE_SENT, Phase.CLOSED))
_CLOSED_INCOMING = frozenset((Phase.CLOSE_RECEIVED, Phase.CLOSED, Phase.DISCONNECTED))


def _coerce_message(message: Any) -> str | bytes:
    """send()'s argument as a frame: text (str) or binary (bytes)."""
    cls = type(message)
    if cls is str:
        if message.isascii():
            return message  # type: ignore[no-any-return]
        return _wtf8_text(message)
    if cls is bytes:
        return message  # type: ignore[no-any-return]
    if isinstance(message, bytearray):
        return bytes(message)
    if isinstance(message, memoryview):
        return message.tobytes()  # only the viewed bytes, like an ArrayBufferView
    if isinstance(message, str):
        return _wtf8_text(str(message))
    if isinstance(message, bytes):
        return bytes(message)
    if isinstance(message, bool):
        return "true" if message else "false"
    if isinstance(message, int):
        return str(int(message))
    if isinstance(message, float):
        return js_number_to_string(message)
    if message is _MISSING:
        raise TypeError(errors.SEND_NO_ARGUMENT)
    if not isinstance(message, (dict, list, tuple, set, frozenset, Blob)) and message is not None:
        try:
            return memoryview(message).tobytes()  # any buffer: array.array, numpy arrays, ...
        except TypeError:
            pass
    would = _js_to_string(message)
    raise TypeError(
        f"send() takes str or bytes-like data (or an int, float or bool), not {type_name(message)}. "
        f"workerd would have sent the text {would!r} (JavaScript's ToString). "
        "To send structured data, serialize it: ws.send(json.dumps(value)), "
        "as you would use JSON.stringify in JavaScript."
    )


class _WTF8(str):
    """Text holding lone surrogates. workerd sends it as WTF-8 bytes, which are not
    valid UTF-8: a network client fails the connection (1007), an in-process
    peer reads each of those bytes as U+FFFD (observed)."""

    __slots__ = ()


def _wtf8_text(text: str) -> str:
    """send()'s text as JS holds it: surrogate pairs combine; lone surrogates are kept, marked."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        try:
            joined.encode("utf-8")
            return joined  # only surrogate pairs, now whole characters
        except UnicodeEncodeError:
            return _WTF8(joined)


def received_text(data: str) -> str:
    """What a peer that decodes UTF-8 with replacement reads for ``data`` (see :class:`_WTF8`)."""
    if type(data) is _WTF8:
        return data.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return data


def _usv_string(text: str) -> str:
    """WebIDL USVString: pairs of surrogates combine, lone surrogates become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _coerce_close_code(code: Any) -> int:
    """A close code as JS converts it to an integer: ``"1000"`` is 1000, floats truncate,
    NaN (and text that is not a number) is 0, ``True`` is 1, as in workerd.

    Deliberate difference (kit-decisions 1): other values raise TypeError, saying
    what workerd would have done.
    """
    if isinstance(code, str):
        text = code.strip()
        try:
            code = float(text) if text else 0.0
        except ValueError:
            code = math.nan
    elif isinstance(code, bool):
        return int(code)
    if not isinstance(code, (int, float)):
        would = _js_to_string(code)
        raise TypeError(
            f"close() code must be a number, not {type_name(code)}. workerd would have converted "
            f"{would!r} to a number, and most likely thrown 'Invalid WebSocket close code'."
        )
    if isinstance(code, float):
        if math.isnan(code) or math.isinf(code):
            return 0
        return int(code)
    return int(code)


def _coerce_close_reason(reason: Any) -> str:
    """close()'s reason as JS converts it: numbers and booleans to their JS text.

    Deliberate difference (kit-decisions 1): other values raise TypeError as send() does.
    """
    if isinstance(reason, str):
        return reason
    if isinstance(reason, bool):
        return "true" if reason else "false"
    if isinstance(reason, int):
        return str(reason)
    if isinstance(reason, float):
        return js_number_to_string(reason)
    raise TypeError(
        f"close() reason must be a str (or a number or bool), not {type_name(reason)}. "
        f"workerd would have sent the reason {_js_to_string(reason)!r} (JavaScript's ToString)."
    )


def _js_to_string(value: Any) -> str:
    """What JS ``String(value)`` gives for the Python value a learner passed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number_to_string(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None else _js_to_string(v) for v in value)
    if isinstance(value, Blob):
        return "[object Blob]"
    if isinstance(value, (set, frozenset)):
        return "[object Set]"
    return "[object Object]"


def js_number_to_string(x: float) -> str:
    """ECMAScript ``Number::toString``: ``1.0`` -> ``"1"``, ``1e21`` -> ``"1e+21"``, nan -> ``"NaN"``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_number_to_string(-x)
    mantissa, _, exp = repr(x).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    # Position of the decimal point relative to the start of the significant digits.
    n = len(int_part.lstrip("0")) + (int(exp) if exp else 0)
    if not int_part.lstrip("0"):
        n = -(len(frac_part) - len(frac_part.lstrip("0"))) + (int(exp) if exp else 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{head}e{sign}{abs(e)}"


def _uncaught_message(exc: BaseException) -> str:
    """An ErrorEvent's ``message`` for an exception, as V8 formats it for workerd.

    For a DOMException it is only ``"Uncaught "`` (measured on workerd 2026-11-17:
    scenario echo-1005-throws-peer-sees-1006); the exception is in ``event.error``.
    """
    if isinstance(exc, DOMException):
        return "Uncaught "
    return f"Uncaught {_js_name(exc)}: {_js_message(exc)}"


def _js_message(exc: BaseException) -> str:
    """The error's ``message`` as JavaScript reads it (a JS error seen from Python carries its own)."""
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) else str(exc)


def _js_name(exc: BaseException) -> str:
    """The error's name as JavaScript prints it (``error.name``): ``Error`` for runtime errors."""
    name = getattr(exc, "name", None)
    return name if isinstance(name, str) else type(exc).__name__


def _listener_function(listener: Any) -> Callable[[Any], Any]:
    if callable(listener):
        return listener  # type: ignore[no-any-return]
    handle = getattr(listener, "handleEvent", None)
    if callable(handle):
        return handle  # type: ignore[no-any-return]
    raise TypeError(f"a listener must be callable or have a handleEvent() method, not {type_name(listener)}")


# ---------------------------------------------------------------------- attachments


def _clone(value: Any) -> Any:
    """Structured clone, as far as Python values go: bytes-likes become bytes, tuples lists."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, tuple):
        return [_clone(v) for v in value]
    return copy.deepcopy(value)


def _varint_len(n: int) -> int:
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


def _v8_serialized_size(value: Any) -> int:
    """Bytes V8's ValueSerializer (format 15, with header) writes for ``value``."""
    return 2 + _v8_value_size(value, set())


def _v8_value_size(value: Any, seen: set[int]) -> int:
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return 1 + _varint_len(value * 2 if value >= 0 else -value * 2 - 1)  # zigzag
        if abs(value) < 2**53:
            return 9  # a double
        digits = (abs(value).bit_length() + 63) // 64
        return 1 + _varint_len(digits * 16) + 8 * digits  # a BigInt (Pyodide's conversion)
    if isinstance(value, float):
        return 9
    if isinstance(value, str):
        try:
            raw = value.encode("latin-1")
            return 1 + _varint_len(len(raw)) + len(raw)
        except UnicodeEncodeError:
            n = len(value.encode("utf-16-le", "surrogatepass"))
            return 1 + _varint_len(n) + n + 1  # a padding byte keeps two-byte strings aligned
    if isinstance(value, (bytes, bytearray, memoryview)):
        n = memoryview(value).nbytes
        return 1 + _varint_len(n) + n
    key = id(value)
    if key in seen:
        return 2  # a back-reference
    if isinstance(value, (list, tuple)):
        seen.add(key)
        n = len(value)
        body = sum(_v8_value_size(v, seen) for v in value)
        return 1 + _varint_len(n) + body + 1 + 1 + 2 * _varint_len(n)
    if isinstance(value, dict):
        seen.add(key)
        body = 0
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise DOMException(f"{value!r} could not be cloned.", "DataCloneError")
            body += _v8_value_size(k if isinstance(k, int) else str(k), seen) + _v8_value_size(v, seen)
        return 1 + body + 1 + _varint_len(len(value))
    if isinstance(value, (set, frozenset)):
        seen.add(key)
        return 1 + sum(_v8_value_size(v, seen) for v in value) + 1 + _varint_len(len(value))
    if isinstance(value, WebSocket):  # a runtime object: workerd's serializer refuses it by name
        raise DOMException(errors.NOT_SERIALIZABLE.format(type="WebSocket"), "DataCloneError")
    raise DOMException(f"{type_name(value)} object could not be cloned.", "DataCloneError")
