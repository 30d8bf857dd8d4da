"""The events a Workers WebSocket dispatches, and ``Blob``.

Mirrors workerd's ``Event``, ``MessageEvent``, ``CloseEvent`` and ``ErrorEvent``
(``src/workerd/api/events.h``, ``web-socket.h``). Field names are the JS ones;
events are frozen, slotted dataclasses, validated on construction, so an
invalid event cannot exist and a listener cannot change what the next listener
sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MemberDescriptorType
from typing import Any, ClassVar

__all__ = [
    "Blob",
    "CloseEvent",
    "ErrorEvent",
    "Event",
    "MessageEvent",
    "ReadableStream",
    "begin_dispatch",
    "end_dispatch",
]

_set = object.__setattr__


class Blob:
    """Mirrors the Web ``Blob``: how binary messages arrive when ``binaryType == "blob"``.

    Since compatibility date 2026-03-17 (``websocket_standard_binary_type``) this
    is the default, so ``isinstance(event.data, bytes)`` is False for binary
    data unless the socket's ``binaryType`` is set to ``"arraybuffer"``. Read the
    bytes with ``await blob.arrayBuffer()`` (or ``await blob.bytes()``), as in JS.

    Args:
        parts: bytes-like data, a str (UTF-8 encoded), another Blob, or a list of these.
        type: the MIME type, ``""`` by default (WebSocket messages have none).
    """

    __slots__ = ("_data", "_type")
    _data: bytes
    _type: str

    def __init__(self, parts: Any = (), type: str = "") -> None:  # noqa: A002 - JS name
        if isinstance(parts, (bytes, bytearray, memoryview, str, Blob)):
            parts = [parts]
        chunks: list[bytes] = []
        for part in parts:
            if isinstance(part, Blob):
                chunks.append(part._data)
            elif isinstance(part, str):
                chunks.append(part.encode("utf-8", "surrogatepass"))
            elif isinstance(part, (bytes, bytearray, memoryview)):
                chunks.append(bytes(part))
            else:
                raise TypeError(f"Blob parts must be bytes-like, str or Blob, not {type_name(part)}")
        self._data = b"".join(chunks)
        self._type = _mime_type(type)

    @classmethod
    def _wrap(cls, data: bytes) -> Blob:
        blob = cls.__new__(cls)
        blob._data = data
        blob._type = ""
        return blob

    @property
    def size(self) -> int:
        """The length in bytes."""
        return len(self._data)

    @property
    def type(self) -> str:
        """The MIME type (``""`` for WebSocket messages)."""
        return self._type

    async def arrayBuffer(self) -> bytes:
        """Return the bytes, like JS ``await blob.arrayBuffer()``."""
        return self._data

    async def bytes(self) -> bytes:
        """Return the bytes, like JS ``await blob.bytes()``."""
        return self._data

    async def text(self) -> str:
        """Return the bytes decoded as UTF-8 (invalid sequences become U+FFFD), like JS."""
        return self._data.decode("utf-8", "replace")

    def slice(self, start: int = 0, end: int | None = None, contentType: str = "") -> Blob:  # noqa: N803
        """Return a new Blob over part of this one (negative indexes count from the end).

        ``contentType`` is lowercased, and dropped (``""``) if it has a character
        below U+0020 or above U+007F, as workerd does.
        """
        return Blob(self._data[start:end], contentType)

    def stream(self) -> ReadableStream:
        """Return a :class:`ReadableStream` of the bytes, like JS ``blob.stream()``."""
        return ReadableStream(self._data)

    def __repr__(self) -> str:
        return f"Blob(size={self.size})"


def _mime_type(text: str) -> str:
    """workerd's rule for a Blob's type: lowercased; ``""`` if a character is outside U+0020..U+007F."""
    if any(not 0x20 <= ord(c) <= 0x7F for c in text):
        return ""
    return text.lower()


class ReadableStream:
    """The stream ``Blob.stream()`` returns: read it with ``getReader()`` or ``async for``.

    Like JS, ``await reader.read()`` gives ``{"done": False, "value": chunk}`` and
    then ``{"done": True, "value": None}``; a Blob's bytes come as one chunk.
    """

    def __init__(self, data: bytes) -> None:
        self._chunks = [data] if data else []
        self.locked = False

    def getReader(self) -> ReadableStreamReader:  # noqa: N802 - JS name
        """Lock the stream to a reader, as JS does; a second reader raises TypeError."""
        if self.locked:
            raise TypeError("This ReadableStream is currently locked to a reader.")
        self.locked = True
        return ReadableStreamReader(self)

    def __aiter__(self) -> ReadableStream:
        return self

    async def __anext__(self) -> bytes:
        if not self._chunks:
            raise StopAsyncIteration
        return self._chunks.pop(0)


class ReadableStreamReader:
    """A reader of a :class:`ReadableStream`."""

    def __init__(self, stream: ReadableStream) -> None:
        self._stream = stream

    async def read(self) -> dict[str, Any]:
        """The next chunk: ``{"done": False, "value": bytes}``, then ``{"done": True, "value": None}``."""
        chunks = self._stream._chunks
        if not chunks:
            return {"done": True, "value": None}
        return {"done": False, "value": chunks.pop(0)}

    def releaseLock(self) -> None:  # noqa: N802 - JS name
        self._stream.locked = False


def type_name(value: object) -> str:
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class Event:
    """Mirrors the DOM ``Event``: a ``type``, and the properties every event has.

    While a listener runs, ``target`` and ``currentTarget`` are the socket and
    ``eventPhase`` is 2 (AT_TARGET); afterwards ``currentTarget`` is None and
    ``eventPhase`` 0, and ``target`` stays. ``isTrusted`` is True for the events
    the runtime dispatches and False for ``dispatchEvent()``'s. WebSocket events
    neither bubble nor can be cancelled: ``bubbles``, ``cancelable``,
    ``composed``, ``defaultPrevented`` and ``cancelBubble`` read False,
    ``returnValue`` True, and ``timeStamp`` 0, as in workerd (which does not
    expose a clock there). Pair sockets never fire ``open``.
    """

    type: str
    _target: Any = field(default=None, init=False, repr=False, compare=False)
    _phase: int = field(default=0, init=False, repr=False, compare=False)
    _trusted: bool = field(default=False, init=False, repr=False, compare=False)

    NONE: ClassVar[int] = 0
    CAPTURING_PHASE: ClassVar[int] = 1
    AT_TARGET: ClassVar[int] = 2
    BUBBLING_PHASE: ClassVar[int] = 3
    bubbles: ClassVar[bool] = False
    cancelable: ClassVar[bool] = False
    composed: ClassVar[bool] = False
    defaultPrevented: ClassVar[bool] = False
    cancelBubble: ClassVar[bool] = False
    returnValue: ClassVar[bool] = True
    timeStamp: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if not isinstance(self.type, str):
            raise TypeError(f"event type must be a str, not {type_name(self.type)}")

    @property
    def target(self) -> Any:
        """The socket the event was dispatched on (None before it is dispatched)."""
        return self._target

    @property
    def currentTarget(self) -> Any:  # noqa: N802 - JS name
        """The socket whose listeners are running; None outside a dispatch."""
        return self._target if self._phase == 2 else None

    @property
    def eventPhase(self) -> int:  # noqa: N802 - JS name
        """2 (AT_TARGET) while listeners run, 0 (NONE) before and after."""
        return self._phase

    @property
    def isTrusted(self) -> bool:  # noqa: N802 - JS name
        """True for an event the runtime dispatched, False for ``dispatchEvent()``'s."""
        return self._trusted

    def preventDefault(self) -> None:  # noqa: N802 - JS name
        """Has no effect: WebSocket events cannot be cancelled."""

    def composedPath(self) -> list[Any]:  # noqa: N802 - JS name
        """``[target]`` while listeners run, ``[]`` otherwise."""
        return [self._target] if self._phase == 2 else []


def begin_dispatch(event: Event, target: Any, *, trusted: bool) -> None:
    """The socket's part when it starts dispatching ``event`` (target, phase, isTrusted)."""
    _set(event, "_target", target)
    _set(event, "_phase", 2)
    _set(event, "_trusted", trusted)


def end_dispatch(event: Event) -> None:
    """After the last listener: no current target, phase NONE."""
    _set_phase(event, 0)


@dataclass(frozen=True, slots=True)
class MessageEvent(Event):
    """Mirrors ``MessageEvent``: ``data`` is a ``str`` (text frame), or for a binary
    frame ``bytes`` (``binaryType == "arraybuffer"``) or a :class:`Blob` (``"blob"``).

    ``origin`` is None, ``lastEventId`` is ``""``, ``source`` is None and ``ports``
    is empty, as on every WebSocket message in workerd.
    """

    type: str = "message"
    data: str | bytes | Blob | None = field(default=None, kw_only=True)

    origin: ClassVar[None] = None
    lastEventId: ClassVar[str] = ""
    source: ClassVar[None] = None
    ports: ClassVar[tuple[()]] = ()

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        if not isinstance(self.data, (str, bytes, Blob, type(None))):
            raise TypeError(f"MessageEvent data must be str, bytes or Blob, not {type_name(self.data)}")


def _slot(name: str) -> Callable[[Any, Any], None]:
    """The setter of a MessageEvent slot, past the frozen ``__setattr__``: the events below
    are made once per frame, and a slot's own setter is the cheapest way to fill one."""
    descriptor = getattr(MessageEvent, name)
    assert isinstance(descriptor, MemberDescriptorType), name
    return descriptor.__set__


_set_type, _set_data, _set_target, _set_phase, _set_trusted = map(
    _slot, ("type", "data", "_target", "_phase", "_trusted")
)


def _message_event(data: str | bytes | Blob) -> MessageEvent:
    """A MessageEvent for a frame the runtime read: already valid, so skip re-validation."""
    event = object.__new__(MessageEvent)
    _set_type(event, "message")
    _set_data(event, data)
    _set_target(event, None)
    _set_phase(event, 0)
    _set_trusted(event, False)
    return event


def _message_event_at(data: str | bytes | Blob, target: Any) -> MessageEvent:
    """:func:`_message_event` as :func:`begin_dispatch` leaves it: at ``target``, trusted.

    The runtime's message dispatch, one per frame, makes its event this way; it
    ends the dispatch with :func:`end_dispatch` as every other dispatch does.
    """
    event = object.__new__(MessageEvent)
    _set_type(event, "message")
    _set_data(event, data)
    _set_target(event, target)
    _set_phase(event, 2)
    _set_trusted(event, True)
    return event


@dataclass(frozen=True, slots=True)
class CloseEvent(Event):
    """Mirrors ``CloseEvent``. Constructed without a dictionary, JS's defaults apply:
    ``code`` 0, ``reason`` ``""``, ``wasClean`` False."""

    type: str = "close"
    code: int = field(default=0, kw_only=True)
    reason: str = field(default="", kw_only=True)
    wasClean: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        if not isinstance(self.code, int) or isinstance(self.code, bool) or not 0 <= self.code <= 65535:
            raise TypeError(f"CloseEvent code must be an int from 0 to 65535, not {self.code!r}")
        if not isinstance(self.reason, str):
            raise TypeError(f"CloseEvent reason must be a str, not {type_name(self.reason)}")
        if not isinstance(self.wasClean, bool):
            raise TypeError(f"CloseEvent wasClean must be a bool, not {type_name(self.wasClean)}")


@dataclass(frozen=True, slots=True)
class ErrorEvent(Event):
    """Mirrors ``ErrorEvent``: ``message`` reads like workerd's console,
    ``"Uncaught Error: Network connection lost."``; ``error`` is the exception."""

    type: str = "error"
    message: str = field(default="", kw_only=True)
    error: BaseException | None = field(default=None, kw_only=True, compare=False)
    filename: str = field(default="", kw_only=True)
    lineno: int = field(default=0, kw_only=True)
    colno: int = field(default=0, kw_only=True)

    def __post_init__(self) -> None:
        Event.__post_init__(self)
        if not isinstance(self.message, str):
            raise TypeError(f"ErrorEvent message must be a str, not {type_name(self.message)}")
