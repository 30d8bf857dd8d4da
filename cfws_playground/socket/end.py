"""What every layer of an end shares: its fields, its frames, its recording.

A :class:`~cfws_playground.socket.WebSocket` is built in layers, one concern
per module, each a base class of the next:

- :mod:`.end` (here): the fields of an end, the frames in its outgoing queue,
  and how calls, events and notes reach the recorders;
- :mod:`.listeners`: the EventTarget side, listener dispatch in workerd's order;
- :mod:`.pump`: the outgoing pump and the read loop: how frames move, one per
  turn, and how a Close, a raising listener or a vanished peer ends them;
- :mod:`.network`: an end coupled to a network client (the bridge's transport);
- :mod:`.api`: the public Workers API, ``WebSocket`` and ``WebSocketPair``.

JS value conversions are in :mod:`.convert`, attachment sizes in :mod:`.attachments`.
"""

from __future__ import annotations

import contextvars
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from ..dispatch import Once
from ..errors import DOMException
from ..events import CloseEvent, ErrorEvent, Event, MessageEvent
from ..state import Phase

if TYPE_CHECKING:
    from .api import WebSocket, WebSocketPair
    from .listeners import ListenerEntry

__all__ = [
    "CLOSED_INCOMING",
    "CLOSED_OUTGOING",
    "END_NAMES",
    "CloseFrame",
    "End",
    "Listener",
    "PingFrame",
    "ReadFailure",
    "RefusalFrame",
    "frame_size",
    "log",
]

log = logging.getLogger("cfws_playground")
# A library stays quiet unless the program configures logging (the recorder and
# the error events already show what went wrong); `cfws-playground serve` does.
log.addHandler(logging.NullHandler())

END_NAMES = ("client", "server")

CLOSED_OUTGOING = frozenset((Phase.CLOSE_SENT, Phase.CLOSED))
CLOSED_INCOMING = frozenset((Phase.CLOSE_RECEIVED, Phase.CLOSED, Phase.DISCONNECTED, Phase.READ_FAILED))


class CloseFrame:
    """A Close frame in an outgoing queue."""

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class PingFrame:
    """A network client's ping that kj reads only when the Worker's read loop asks for the
    message after the ones before it (kj parses frames on demand): answered then."""

    __slots__ = ("payload",)

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


class RefusalFrame:
    """A frame kj refuses, read after messages the Worker had not taken: refused (the Close
    sent, the connection ended) only when the Worker's read loop reaches it."""

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class ReadFailure:
    """The end of the frames from a network client: its read loop fails with ``error``."""

    __slots__ = ("error", "message")

    def __init__(self, error: BaseException, message: str) -> None:
        self.error = error
        self.message = message


Listener = Callable[[Any], Any]


def frame_size(frame: str | bytes) -> int:
    """A message's bytes as ``bufferedAmount`` counts them: text as UTF-8 (WTF-8 for lone
    surrogates, as workerd sends it), binary as its length."""
    if type(frame) is bytes or frame.isascii():
        return len(frame)
    return len(frame.encode("utf-8", "surrogatepass"))  # type: ignore[union-attr]


class End:
    """The fields of one end of a pair, shared by the layers that make a ``WebSocket``.

    Declared here for readers and type checkers; ``WebSocket._create()`` sets them.
    """

    onmessage: Listener | None
    onclose: Listener | None
    onerror: Listener | None
    onopen: Listener | None
    _pair: WebSocketPair
    _index: int
    _peer: WebSocket
    _phase: Phase
    _reading: bool
    _outgoing: deque[str | bytes | CloseFrame | ReadFailure | PingFrame | RefusalFrame]
    _delivery: Once
    _allow_half_open: bool
    _binary_type: str
    _listeners: dict[str, list[ListenerEntry]]
    _attachment: Any
    _replied: bool
    _traffic: bool
    _errored: bool
    _dead: bool
    _handed: bool
    _io_context: contextvars.Context | None
    _read_failed: bool
    _reporting: bool
    _delivering: bool
    _out_aborted: bool
    _aborted_known: bool
    _lost_behind_gate: bool
    _released: bool
    _gated: int
    _gate_waits: list[list[Any]]
    _pump_cont: Once | None
    _passing: Once | None
    _cont_before_pump: bool
    _woken_in_dispatch: bool
    _was_woken_in_dispatch: bool
    _queued_since_dispatch: int
    _finished_late: bool
    _cont_on_way: bool
    _resume_pending: bool
    _through_commit: bool
    _resumed_behind: bool
    _cont_after_dispatch: bool
    _errored_reading: bool
    _cont_ahead: bool
    _handed_in: int
    _reader_before: object
    _lost_on_way: bool
    _newer_cont_coming: bool
    _after_cont: Callable[[], None] | None
    _way_back: bool
    _came_back: bool
    _back_after_microtasks: bool
    _peer_waited_first: bool
    _long_way_back: bool
    _back_since: int
    _queued_at: int
    _back_in: Any
    _queued_in: Any
    _queued_in_peer_dispatch: bool
    _queued_in_own_dispatch: bool
    _in_checkpoint: bool
    _warned_promise: bool
    _stuck_error: BaseException | None
    _buffered: int
    _transport: Any
    _handler: Callable[[Any, Event], bool] | None  # called with the WebSocket (this end)

    # Provided by the read loop (:mod:`.pump`), called by listener dispatch below it.
    def _listener_raised(self, exc: Exception, etype: str) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ recording

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
