"""The recorder: the one record of what happened on a pair, that everything else reads.

Every call (``accept``, ``send``, ``close``, ``binaryType = ...``) and every
dispatched event on a watched pair becomes a :class:`Record`, numbered in
order, with ``readyState`` of both ends just after it (for an event: as
listeners saw it). A recorder renders as a deterministic text table — no clock
times, ids or addresses, so notebooks can print it and nbval compare it — and
as JSON. Widgets subscribe to it; the network bridge records into it.

Recording costs nothing when nobody records, and memory stays bounded, for
a server left running all day:

* the recorder keeps the newest ``limit`` records (100,000 by default) and
  counts the ones it dropped;
* a payload longer than ``keep`` (256 characters or bytes) is kept as a
  :class:`Clipped` preview (a ``str`` or ``bytes`` of its beginning, with
  ``.length``), which is all a table, a widget or JSON shows;
* the payloads kept add up to at most ``max_bytes`` (16 MiB by default):
  past that, the oldest records go, and are counted as dropped;
* watched pairs are held weakly: a finished connection's pair, once nothing
  else uses it, leaves the recorder (its records stay).
"""

from __future__ import annotations

import functools
import json
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from operator import itemgetter as _itemgetter
from typing import TYPE_CHECKING, Any

from .events import Blob
from .state import _READY_STATE as _READY

if TYPE_CHECKING:
    from .socket import WebSocketPair

__all__ = [
    "Clipped",
    "ClippedBytes",
    "ClippedText",
    "Record",
    "Recorder",
    "close_code_meaning",
    "format_table",
    "preview",
]

_STATE_NAMES = ("CONNECTING", "OPEN", "CLOSING", "CLOSED")
_END_NAMES = ("client", "server")
_new_tuple = tuple.__new__

#: What close codes mean (RFC 6455 §7.4 and the IANA registry), for learners.
CLOSE_CODE_MEANINGS = {
    1000: "Normal Closure",
    1001: "Going Away",
    1002: "Protocol Error",
    1003: "Unsupported Data",
    1005: "No Status Received",
    1006: "Abnormal Closure",
    1007: "Invalid Payload Data",
    1008: "Policy Violation",
    1009: "Message Too Big",
    1010: "Mandatory Extension",
    1011: "Internal Error",
    1012: "Service Restart",
    1013: "Try Again Later",
    1014: "Bad Gateway",
    1015: "TLS Handshake",
}


def close_code_meaning(code: int) -> str:
    """Name a close code: ``1000`` -> ``"Normal Closure"``, ``4001`` -> ``"application"``."""
    if code in CLOSE_CODE_MEANINGS:
        return CLOSE_CODE_MEANINGS[code]
    if 3000 <= code <= 3999:
        return "registered (libraries and frameworks)"
    if 4000 <= code <= 4999:
        return "application"
    return "reserved"


class Clipped:
    """The beginning of a long payload, kept by a recorder instead of the whole of it.

    A :class:`ClippedText` is a ``str`` and a :class:`ClippedBytes` is
    ``bytes`` (holding the first characters or bytes), so code that asks
    "text or binary?" still gets the right answer.

    Attributes:
        length: the payload's full length in characters or bytes.
        kind: ``"text"``, ``"bytes"`` or ``"Blob"``.
    """

    length: int
    kind: str

    @property
    def head(self) -> str | bytes:
        """The beginning that was kept."""
        if isinstance(self, ClippedBytes):
            return bytes(self)
        return str(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.head!r}, length={self.length})"


class ClippedText(Clipped, str):
    """The first characters of a long text payload (``.length`` says how long it was)."""

    def __new__(cls, head: str, length: int) -> ClippedText:
        self = str.__new__(cls, head)
        self.length, self.kind = length, "text"
        return self


class ClippedBytes(Clipped, bytes):
    """The first bytes of a long binary payload (``.length``; ``.kind`` is "bytes" or "Blob")."""

    def __new__(cls, head: bytes, length: int, kind: str = "bytes") -> ClippedBytes:
        self = bytes.__new__(cls, head)
        self.length, self.kind = length, kind
        return self


def _clip(data: Any, keep: int) -> Clipped:
    if isinstance(data, str):
        return ClippedText(str(data[:keep]), len(data))
    if isinstance(data, Blob):
        return ClippedBytes(data._data[:keep], len(data._data), "Blob")
    return ClippedBytes(bytes(data[:keep]), len(data))


def _payload_size(data: Any) -> int:
    """Bytes a record's payload holds (0 for anything that is not a payload)."""
    t = type(data)
    if t is str or t is bytes:
        return len(data)
    if t is Blob:
        return len(data._data)
    if isinstance(data, (str, bytes)):
        return len(data)
    return 0


def preview(data: Any, width: int = 40) -> str:
    """A short, deterministic rendering of a payload: text in quotes, binary as bytes."""
    if isinstance(data, ClippedText):
        return f"{str(data)[: width - 8]!r}… ({data.length} chars)"
    if isinstance(data, ClippedBytes):
        return f"<{data.kind} {data.length}: {bytes(data)[:8].hex(' ')} …>"
    if isinstance(data, str):
        if len(data) <= width:
            return repr(data)
        return f"{data[: width - 8]!r}… ({len(data)} chars)"
    if isinstance(data, Blob):
        data_bytes = data._data
        label = "Blob"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        data_bytes = bytes(data)
        label = "bytes"
    else:
        return repr(data)
    shown = data_bytes[:8].hex(" ")
    more = " …" if len(data_bytes) > 8 else ""
    return f"<{label} {len(data_bytes)}: {shown}{more}>" if data_bytes else f"<{label} 0>"


class Record(tuple):  # type: ignore[type-arg]
    """One step on a pair (an immutable tuple, kept small: a recorder may hold millions).

    Attributes:
        seq: 1, 2, 3, ... in the order the recorder saw the steps.
        pair: which watched pair (1 for the first one the recorder watched).
        end: ``"client"`` (``pair[0]``) or ``"server"`` (``pair[1]``).
        kind: ``"call"`` (user code called the end), ``"event"`` (the end
            dispatched an event), ``"net"`` (a real network client acted, for an
            end returned in a Response) or ``"note"`` (the runtime reports something).
        name: ``accept``, ``send``, ``close``, ``binaryType``, ``couple`` for calls;
            ``message``, ``close``, ``error`` for events.
        args: the call's arguments or the event's fields, as Python values.
        outcome: for calls, ``"ok"``, ``"no-op"``, ``"ignored"`` or the error raised.
        client: readyState of the client end just after (or during) the step.
        server: readyState of the server end likewise.
    """

    __slots__ = ()

    # Stored as (seq, pair, end, kind, name, data, outcome, ready): a bare value
    # for one-argument steps, both readyStates in one small int. The plain
    # fields read through C-level itemgetters (widgets read them per record).
    seq = property(_itemgetter(0), doc="1, 2, 3, ... in the order the recorder saw the steps.")
    pair = property(_itemgetter(1), doc="Which watched pair (1 for the first).")
    end = property(_itemgetter(2), doc='"client" or "server".')
    kind = property(_itemgetter(3), doc='"call", "event", "net" or "note".')
    name = property(_itemgetter(4), doc="What was called or dispatched.")
    outcome = property(_itemgetter(6), doc='For calls: "ok", "no-op", "ignored" or the error raised.')

    @property
    def args(self) -> tuple[Any, ...]:
        data = self[5]
        return data if type(data) is tuple else (data,)

    @property
    def client(self) -> int:
        return self[7] >> 2  # type: ignore[no-any-return]

    @property
    def server(self) -> int:
        return self[7] & 3  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return (
            f"Record(seq={self.seq}, pair={self.pair}, end={self.end!r}, kind={self.kind!r}, "
            f"name={self.name!r}, args={self.args!r}, outcome={self.outcome!r}, "
            f"client={self.client}, server={self.server})"
        )

    @property
    def step(self) -> str:
        """The step as a learner reads it: ``send('hi')`` or ``← close 1000 (Normal Closure)``."""
        name, args = self.name, self.args
        if self.kind == "call":
            if name == "send":
                text = f"send({preview(args[0])})"
            elif name == "close":
                code, reason = args
                inner = [] if code is None else [str(code)]
                if reason is not None:
                    inner.append(repr(reason) if code is not None else f"reason={reason!r}")
                text = f"close({', '.join(inner)})"
            elif name == "accept":
                text = "accept()" if args[0] is None else f"accept(allowHalfOpen={args[0]!r})"
            elif name == "binaryType":
                text = f"binaryType = {args[0]!r}"
            elif name == "couple":
                # The runtime, not user code, connects an end returned in a 101 to its client.
                text = (
                    "[network] 101 sent: connected to the client"
                    if self.outcome == "ok"
                    else "[network] 101: connecting the end to the client"
                )
            else:
                text = f"{name}({', '.join(map(repr, args))})"
            if self.outcome in ("no-op", "ignored"):
                text += f"  ({self.outcome})"
            elif self.outcome != "ok":
                text += "  raised"
            return text
        if self.kind == "event":
            if name == "message":
                return f"← message {preview(args[0])}"
            if name == "close":
                code, reason, clean = args
                meaning = close_code_meaning(code)
                return f"← close {code} ({meaning}) reason={preview(reason, 64)} wasClean={clean}"
            if name == "error":
                return f"← error {args[0]!r}"
            return f"← {name}"
        if self.kind == "net":
            if name == "send":
                return f"[network] send({preview(args[0])})"
            if name == "close":
                return f"[network] close({args[0]}, {args[1]!r})"
            return f"[network] connection {name}"
        return f"· {name}: {args[0]}"

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data (bytes as hex strings)."""
        return {
            "seq": self.seq,
            "pair": self.pair,
            "end": self.end,
            "kind": self.kind,
            "name": self.name,
            "args": [_jsonable(a) for a in self.args],
            "outcome": self.outcome,
            "step": self.step,
            "readyState": {"client": self.client, "server": self.server},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, ClippedText):
        return {"clipped": value.kind, "head": str(value), "length": value.length}
    if isinstance(value, ClippedBytes):
        return {"clipped": value.kind, "head": bytes(value).hex(), "length": value.length}
    if isinstance(value, Blob):
        return {"blob": value._data.hex()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": bytes(value).hex()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


class Recorder:
    """Record every call and event on one or more pairs, in order.

    Example::

        pair = WebSocketPair()
        rec = Recorder(pair)
        client, server = pair
        server.accept(); client.accept()
        client.send("hi")
        await settle()
        print(rec)          # the table

    Args:
        *pairs: pairs to watch now; :meth:`watch` adds more later.
        limit: how many records to keep (the newest); older ones are counted in
            :attr:`dropped`. ``None`` keeps any number (``max_bytes`` still holds).
        max_bytes: how many bytes of payload the kept records may hold in all
            (16 MiB by default); the oldest records go first. ``None``: no bound.
        keep: the longest payload kept whole, in characters or bytes; a longer
            one is kept as a :class:`Clipped` preview.

    Attributes:
        dropped: how many records fell out of the window.
    """

    def __init__(
        self,
        *pairs: WebSocketPair,
        limit: int | None = 100_000,
        max_bytes: int | None = 16 << 20,
        keep: int = 256,
    ) -> None:
        self._records: deque[tuple[Any, ...]] = deque()  # Records' fields, as plain tuples
        self._limit = limit if limit is not None else -1
        self._max_bytes = max_bytes if max_bytes is not None else 1 << 62
        self._keep = keep
        self._bytes = 0
        self._seq = 0
        self._count = 0
        self._labels: dict[int, int] = {}
        self._refs: dict[int, weakref.ref[WebSocketPair]] = {}
        self._subscribers: list[Callable[[Record], None]] = []
        self.dropped = 0
        for pair in pairs:
            self.watch(pair)

    @property
    def payload_bytes(self) -> int:
        """Bytes of payload the kept records hold now (at most ``max_bytes``)."""
        return self._bytes

    @property
    def _pairs(self) -> list[WebSocketPair]:
        """The watched pairs still alive, in the order they were first watched."""
        alive = (ref() for ref in self._refs.values())
        return [pair for pair in alive if pair is not None]

    def watch(self, pair: WebSocketPair) -> int:
        """Record ``pair`` from now on; return its number in this recorder (1, 2, ...)."""
        key = id(pair)
        label = self._labels.get(key)
        if label is None:
            self._count = label = self._count + 1
            self._labels[key] = label
            # Weakly: a finished pair leaves the recorder (its id may then be reused).
            self._refs[key] = weakref.ref(pair, functools.partial(self._forget_ref, key))
            pair._recorders.append(self)
        return label

    def _forget_ref(self, key: int, _: object) -> None:
        self._forget(key)

    def _forget(self, key: int) -> None:
        self._labels.pop(key, None)
        self._refs.pop(key, None)

    def unwatch(self, pair: WebSocketPair) -> None:
        """Stop recording ``pair`` (its records stay)."""
        if self in pair._recorders:
            pair._recorders.remove(self)
        if self._refs.get(id(pair)) is not None:
            self._forget(id(pair))

    def close(self) -> None:
        """Stop recording every pair."""
        for pair in list(self._pairs):
            self.unwatch(pair)

    def subscribe(self, callback: Callable[[Record], None]) -> Callable[[], None]:
        """Call ``callback(record)`` for each new record; return a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _add(
        self, pair: WebSocketPair, index: int, kind: str, name: str, args: tuple[Any, ...], outcome: str
    ) -> None:
        # The hot path of recording: plain tuple construction and dict lookups.
        self._seq = seq = self._seq + 1
        data: Any = args[0] if len(args) == 1 else args
        t = type(data)
        if t is str or t is bytes or t is Blob or isinstance(data, str):
            size = len(data) if t is not Blob else len(data._data)
            if size > self._keep:
                data = _clip(data, self._keep)
                size = self._keep
            self._bytes += size
        records = self._records
        # Kept as a plain tuple (one allocation); readers get it as a Record.
        record = (
            seq,
            self._labels[id(pair)],
            _END_NAMES[index],
            kind,
            name,
            data,
            outcome,
            _READY[pair._client._phase] << 2 | _READY[pair._server._phase],
        )
        records.append(record)
        if len(records) > self._limit >= 0 or self._bytes > self._max_bytes:
            self._trim()
        if self._subscribers:
            made = _new_tuple(Record, record)
            for callback in self._subscribers:
                callback(made)

    def _trim(self) -> None:
        records = self._records
        limit = self._limit
        while records and (len(records) > limit >= 0 or self._bytes > self._max_bytes):
            self._bytes -= _payload_size(records.popleft()[5])
            self.dropped += 1

    def add_note(self, pair: WebSocketPair, end: int, name: str, text: str) -> None:
        """Record something the runtime reports that is neither a call nor an event."""
        self.watch(pair)
        self._add(pair, end, "note", name, (text,), "")

    @property
    def records(self) -> list[Record]:
        """The records in the window, oldest first."""
        return [_new_tuple(Record, r) for r in self._records]

    @property
    def total(self) -> int:
        """How many records were made in all (kept + dropped)."""
        return self._seq

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def clear(self) -> None:
        """Forget the records (numbering goes on)."""
        self._records.clear()
        self._bytes = 0

    def table(self, *, last: int | None = None) -> str:
        """Render the records as a text table, one line per step.

        Args:
            last: only the newest ``last`` records.
        """
        kept = self._records
        tail = list(kept)[-last:] if last else kept
        records = [_new_tuple(Record, r) for r in tail]
        return format_table(records, several_pairs=self._count > 1, dropped=self.dropped)

    def to_json(self, **kwargs: Any) -> str:
        """The records as a JSON array (see :meth:`Record.as_dict`); kwargs go to ``json.dumps``."""
        return json.dumps([r.as_dict() for r in self.records], ensure_ascii=False, **kwargs)

    def __str__(self) -> str:
        return self.table()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython shows the table when a cell ends with the recorder.
        printer.text(self.table())

    def __repr__(self) -> str:
        return f"<Recorder {len(self._records)} records, {self.dropped} dropped, {len(self._refs)} pairs>"


def format_table(records: list[Record], *, several_pairs: bool = False, dropped: int = 0) -> str:
    """Render records as the recorder's text table (what notebooks print and widgets show).

    Args:
        records: the rows, in order.
        several_pairs: add a ``pair`` column.
        dropped: how many earlier records fell out of the window (said in a line).
    """
    # readyStates come before the step, so a long step never pushes them out of line.
    prefix = f"{'#':>4}  {'pair  ' if several_pairs else ''}{'end':<7} {'client':<10} {'server':<10} "
    indent = " " * len(prefix)
    lines = [prefix + "step"]
    if dropped:
        lines.append(f"{indent}({dropped} earlier records dropped)")
    for r in records:
        pair = f"{r.pair:<4}  " if several_pairs else ""
        lines.append(f"{r.seq:>4}  {pair}{r.end:<7} {_rs(r.client):<10} {_rs(r.server):<10} {r.step}")
        if r.kind == "call" and r.outcome not in ("ok", "no-op", "ignored"):
            lines.append(f"{indent}✗ {r.outcome}")
    if not records:
        lines.append(f"{indent}(nothing recorded yet)")
    return "\n".join(lines)


def _rs(state: int) -> str:
    return f"{state} {_STATE_NAMES[state]}"
