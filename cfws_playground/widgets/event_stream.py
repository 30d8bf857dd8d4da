"""The event stream: a live timeline of everything a recorder records.

One row per record — sequence number, end (client and server in different
colours), the call or event, payload preview (text in quotes, binary as
``<bytes N: …>``, long payloads elided with their size), close code with its
meaning, ``wasClean``, an error a call raised, and ``readyState`` of both ends
after the step. The learner filters by end and by kind; a counter says how
many rows are shown, hidden by the filters and dropped from the window.

The widget keeps a bounded window of records. Records reach it through a
:class:`~cfws_playground.widgets._throttle.Coalescer`, so the front end gets
at most ~20 updates a second, each carrying only the new rows (a delta); a
view that opens later asks for the whole window once. :meth:`EventStream.text`
renders the same rows as deterministic text for notebooks and nbval.
"""

from __future__ import annotations

import pathlib
from collections import deque
from typing import Any

import anywidget
import traitlets

from ..recorder import Record, format_table
from ._common import END_NAMES, KIND_NAMES, STYLE, Source, as_recorder, row_of
from ._throttle import DEFAULT_RATE, Coalescer

__all__ = ["EventStream"]

_HERE = pathlib.Path(__file__).parent


class EventStream(anywidget.AnyWidget):
    """A live table of the records of one or more pairs.

    Example::

        client, server = pair = WebSocketPair()
        stream = EventStream(pair)
        stream                      # displays; rows appear as events happen
        ...
        await settle()
        print(stream.text())        # the same rows, as text

    Args:
        source: a :class:`~cfws_playground.Recorder` to observe, or a pair (or
            list of pairs) to observe through a new recorder.
        window: how many records to keep; older ones are counted as dropped.
        ends: the ends to show (``"client"``, ``"server"``).
        kinds: the kinds to show (``"call"``, ``"event"``, ``"net"``, ``"note"``).
        rate: front-end updates per second, at most.

    Attributes:
        recorder: the recorder observed.
        updates_sent: messages sent to the front end (one per flush, plus one
            per snapshot a view asks for).
    """

    _esm = _HERE / "event_stream.js"
    _css = STYLE

    ends = traitlets.List(traitlets.Unicode(), default_value=list(END_NAMES)).tag(sync=True)
    kinds = traitlets.List(traitlets.Unicode(), default_value=list(KIND_NAMES)).tag(sync=True)
    window = traitlets.Int(200).tag(sync=True)
    many_pairs = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        source: Source,
        *,
        window: int = 200,
        ends: tuple[str, ...] | list[str] = END_NAMES,
        kinds: tuple[str, ...] | list[str] = KIND_NAMES,
        rate: float = DEFAULT_RATE,
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window!r}")
        _check_choice("ends", ends, END_NAMES)
        _check_choice("kinds", kinds, KIND_NAMES)
        super().__init__(window=window, ends=list(ends), kinds=list(kinds))
        self.recorder = as_recorder(source)
        self.updates_sent = 0
        self._rows: deque[Record] = deque(self.recorder.records[-window:], maxlen=window)
        self._total = self.recorder.total
        self._pairs_seen = {r.pair for r in self._rows}
        self.many_pairs = len(self._pairs_seen) > 1
        self._coalescer = Coalescer(self.recorder, self._flush, buffer=window, rate=rate)
        self.on_msg(self._on_front_end_msg)
        self.observe(self._filters_changed, names=["ends", "kinds"])

    # ------------------------------------------------------------------ model

    @traitlets.validate("ends")
    def _valid_ends(self, proposal: dict[str, Any]) -> list[str]:
        return _check_choice("ends", proposal["value"], END_NAMES)

    @traitlets.validate("kinds")
    def _valid_kinds(self, proposal: dict[str, Any]) -> list[str]:
        return _check_choice("kinds", proposal["value"], KIND_NAMES)

    def _visible(self, r: Record) -> bool:
        return r.end in self.ends and r.kind in self.kinds

    @property
    def records(self) -> list[Record]:
        """The records shown (in the window and passing the filters), oldest first."""
        self.flush()
        return self._shown()

    def _shown(self) -> list[Record]:
        return [r for r in self._rows if self._visible(r)]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows shown, as the front end renders them."""
        return [row_of(r) for r in self.records]

    @property
    def counters(self) -> dict[str, int]:
        """``shown``, ``hidden`` (by the filters), ``dropped`` (out of the window) and ``total``."""
        self.flush()
        return self._counters()

    def _counters(self) -> dict[str, int]:
        shown = sum(1 for r in self._rows if self._visible(r))
        return {
            "shown": shown,
            "hidden": len(self._rows) - shown,
            "dropped": self._total - len(self._rows),
            "total": self._total,
        }

    # ------------------------------------------------------------------ updates

    def _flush(self, batch: list[Record], overflow: int) -> None:
        self._total += len(batch) + overflow
        rows = self._rows
        rows.extend(batch)
        was_many = self.many_pairs
        for r in batch:
            if r.pair not in self._pairs_seen:
                self._pairs_seen.add(r.pair)
                self.many_pairs = len(self._pairs_seen) > 1
        if self.many_pairs and not was_many:
            # The table gains a "pair" column: every row is drawn again with it, the earlier
            # ones too, or they would sit one column to the left of the header.
            self._send_rows("reset", [row_of(r) for r in self._shown()])
            return
        fresh = batch[-self.window :]
        self._send_rows("rows", [row_of(r) for r in fresh if self._visible(r)])

    def _send_rows(self, kind: str, rows: list[dict[str, Any]]) -> None:
        first = self._rows[0].seq if self._rows else 0
        self.updates_sent += 1
        self.send({"type": kind, "rows": rows, "first": first, "counters": self._counters()})

    def _filters_changed(self, change: dict[str, Any]) -> None:
        self.flush()
        self._send_rows("reset", [row_of(r) for r in self._shown()])

    def _on_front_end_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot":
            self.flush()
            self._send_rows("reset", [row_of(r) for r in self._shown()])

    def flush(self) -> None:
        """Bring the window up to date now, instead of at the next scheduled update."""
        self._coalescer.flush()

    def close(self) -> None:
        """Stop observing the recorder and close the widget."""
        coalescer = getattr(self, "_coalescer", None)  # None if __init__ failed
        if coalescer is not None:
            coalescer.close()
        super().close()

    # ------------------------------------------------------------------ text

    def text(self) -> str:
        """The rows shown, as deterministic text (what a notebook prints and nbval checks)."""
        self.flush()
        c = self.counters
        head = (
            f"EventStream: {c['shown']} shown, {c['hidden']} hidden, {c['dropped']} dropped"
            f" (ends: {', '.join(self.ends) or '-'}; kinds: {', '.join(self.kinds) or '-'})"
        )
        # The same rows as the recorder's own table, so a notebook's transcript and the widget agree.
        return head + "\n" + format_table(list(self.records), several_pairs=self.many_pairs)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())


def _check_choice(what: str, values: Any, allowed: tuple[str, ...]) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{what} must be a list such as {list(allowed)!r}, not the str {values!r}")
    chosen: list[str] = list(values)
    wrong = [v for v in chosen if v not in allowed]
    if wrong:
        raise ValueError(f"{what} can only contain {', '.join(map(repr, allowed))}; got {wrong!r}")
    return chosen
