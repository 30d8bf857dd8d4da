"""The recorder: the one record of what happened on a pair, that everything else reads.

Every call (``accept``, ``send``, ``close``, ``binaryType = ...``) and every
dispatched event on a watched pair becomes a :class:`Record`, numbered in
order, with ``readyState`` of both ends just after it (for an event: as
listeners saw it). A recorder renders as a deterministic text table — no clock
times, ids or addresses, so notebooks can print it and nbval compare it — and
as JSON. Widgets subscribe to it; the network bridge records into it.

Recording costs nothing when nobody records, and memory stays bounded: the
recorder keeps the newest ``limit`` records and counts the ones it dropped.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from operator import itemgetter as _itemgetter
from typing import TYPE_CHECKING, Any

from .events import Blob
from .state import _READY_STATE as _READY

if TYPE_CHECKING:
    from .socket import WebSocketPair

__all__ = ["Record", "Recorder", "close_code_meaning", "format_table", "preview"]

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


def preview(data: Any, width: int = 40) -> str:
    """A short, deterministic rendering of a payload: text in quotes, binary as bytes."""
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
            :attr:`dropped`. ``None`` keeps everything.

    Attributes:
        dropped: how many records fell out of the window.
    """

    def __init__(self, *pairs: WebSocketPair, limit: int | None = 100_000) -> None:
        self._records: deque[Record] = deque(maxlen=limit)
        self._limit = limit
        self._seq = 0
        self._labels: dict[int, int] = {}
        self._pairs: list[WebSocketPair] = []
        self._subscribers: list[Callable[[Record], None]] = []
        self.dropped = 0
        for pair in pairs:
            self.watch(pair)

    def watch(self, pair: WebSocketPair) -> int:
        """Record ``pair`` from now on; return its number in this recorder (1, 2, ...)."""
        key = id(pair)
        if key not in self._labels:
            self._labels[key] = len(self._labels) + 1
            self._pairs.append(pair)
            pair._recorders.append(self)
        return self._labels[key]

    def unwatch(self, pair: WebSocketPair) -> None:
        """Stop recording ``pair`` (its records stay)."""
        if self in pair._recorders:
            pair._recorders.remove(self)
        if pair in self._pairs:
            self._pairs.remove(pair)

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
        records = self._records
        if len(records) == self._limit:
            self.dropped += 1
        record = _new_tuple(
            Record,
            (
                seq,
                self._labels[id(pair)],
                _END_NAMES[index],
                kind,
                name,
                args[0] if len(args) == 1 else args,
                outcome,
                _READY[pair._client._phase] << 2 | _READY[pair._server._phase],
            ),
        )
        records.append(record)
        if self._subscribers:
            for callback in self._subscribers:
                callback(record)

    def add_note(self, pair: WebSocketPair, end: int, name: str, text: str) -> None:
        """Record something the runtime reports that is neither a call nor an event."""
        self.watch(pair)
        self._add(pair, end, "note", name, (text,), "")

    @property
    def records(self) -> list[Record]:
        """The records in the window, oldest first."""
        return list(self._records)

    @property
    def total(self) -> int:
        """How many records were made in all (kept + dropped)."""
        return self._seq

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(list(self._records))

    def clear(self) -> None:
        """Forget the records (numbering goes on)."""
        self._records.clear()

    def table(self, *, last: int | None = None) -> str:
        """Render the records as a text table, one line per step.

        Args:
            last: only the newest ``last`` records.
        """
        records = list(self._records)[-last:] if last else list(self._records)
        return format_table(records, several_pairs=len(self._labels) > 1, dropped=self.dropped)

    def to_json(self, **kwargs: Any) -> str:
        """The records as a JSON array (see :meth:`Record.as_dict`); kwargs go to ``json.dumps``."""
        return json.dumps([r.as_dict() for r in self._records], ensure_ascii=False, **kwargs)

    def __str__(self) -> str:
        return self.table()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython shows the table when a cell ends with the recorder.
        printer.text(self.table())

    def __repr__(self) -> str:
        return f"<Recorder {len(self._records)} records, {self.dropped} dropped, {len(self._pairs)} pairs>"


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
