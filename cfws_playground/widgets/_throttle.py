"""Coalescing: many records in, at most ~20 front-end updates a second out, for all widgets together.

A recorder can make 10,000 records a second; a browser can apply a few dozen
updates a second, and every comm message costs the kernel a serialisation.
So a widget never reacts to a record directly. :class:`Coalescer` subscribes
to the recorder with a callback that only appends the record to a bounded
buffer and, for the first record after a flush, asks the event loop to flush
once the interval since the previous flush has passed. The widget's flush
then renders the whole batch in one update (under ``hold_sync``).

Updates made by tasks, listeners and network traffic therefore reach the
front end after the cell that displayed the widget has finished: the flush is
an ordinary event-loop callback, like the deliveries it reports.

The limit is global: every coalescer on an event loop takes its flush times
from one :class:`UpdateBudget`, so that all widgets together flush at most
:data:`GLOBAL_RATE` times a second, however many are open. A widget's own
``rate`` caps that widget further. An explicit ``flush()`` (what
``widget.text()`` does) is not limited: it is what the caller asked for.

Widgets are touched only on the event loop's thread: a record made on another
thread asks the loop to schedule its flush with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import weakref
from collections import deque
from collections.abc import Callable

from ..recorder import Record, Recorder

__all__ = ["BUDGET", "DEFAULT_RATE", "GLOBAL_RATE", "Coalescer", "UpdateBudget"]

#: Front-end updates per second of one widget, at most.
DEFAULT_RATE = 20.0
#: Front-end updates per second of all widgets on one event loop together, at most.
GLOBAL_RATE = 20.0


class UpdateBudget:
    """Flush times shared by every coalescer on an event loop: at most ``rate`` a second in all.

    Each scheduled flush reserves the next free slot, at least ``1 / rate``
    seconds after the slot before it; a coalescer holds at most one slot at a
    time, so every open widget gets its turn.
    """

    def __init__(self, rate: float = GLOBAL_RATE) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate!r}")
        self.interval = 1.0 / rate
        self._next: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, float] = weakref.WeakKeyDictionary()

    def reserve(self, loop: asyncio.AbstractEventLoop, earliest: float) -> float:
        """The loop time of the next free slot no earlier than ``earliest``, now taken."""
        slot = max(earliest, self._next.get(loop, float("-inf")))
        self._next[loop] = slot + self.interval
        return slot


#: The budget every widget shares.
BUDGET = UpdateBudget()


class Coalescer:
    """Buffer a recorder's records and hand them to ``flush`` in batches.

    Args:
        recorder: the recorder to observe.
        flush: called with the list of new records (oldest first) and how many
            records fell out of the buffer since the previous flush.
        buffer: how many records to keep between two flushes; older ones are
            counted as overflow (a widget shows a bounded window anyway).
        rate: flushes per second, at most.

    Attributes:
        flushes: how many times ``flush`` was called.
    """

    def __init__(
        self,
        recorder: Recorder,
        flush: Callable[[list[Record], int], None],
        *,
        buffer: int = 1000,
        rate: float = DEFAULT_RATE,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate!r}")
        self._flush_cb = flush
        self._interval = 1.0 / rate
        self._buffer: deque[Record] = deque(maxlen=buffer)
        self._seen = 0  # records appended since the last flush
        self._scheduled = False
        self._last = float("-inf")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._closed = False
        self.flushes = 0
        try:
            self._remember(asyncio.get_running_loop())
        except RuntimeError:
            pass
        self._unsubscribe = recorder.subscribe(self._on_record)

    def _remember(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.get_ident()

    # The hot path: one call per record. Keep it to an append and a flag test.
    def _on_record(self, record: Record) -> None:
        self._buffer.append(record)
        self._seen += 1
        if not self._scheduled:
            self._schedule()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            if self._loop is not loop:
                self._remember(loop)
            self._scheduled = True
            now = loop.time()
            delay = BUDGET.reserve(loop, max(now, self._last + self._interval)) - now
            # A fresh context: a flush belongs to the widget, never to the request being
            # served when the record was made (serve() cancels a request's timers when it ends).
            if delay > 0:
                self._handle = loop.call_later(delay, self.flush, context=contextvars.Context())
            else:
                self._handle = loop.call_soon(self.flush, context=contextvars.Context())
            return
        known = self._loop
        if known is not None and not known.is_closed() and threading.get_ident() != self._thread:
            # A record made on another thread (a bridge or a timer thread): the loop schedules.
            self._scheduled = True
            known.call_soon_threadsafe(self._schedule_on_loop)
        # No loop at all (plain synchronous code): the records wait in the
        # buffer for the next flush, explicit or scheduled by a later record.

    def _schedule_on_loop(self) -> None:
        if self._closed:
            return
        self._scheduled = False
        self._schedule()

    def flush(self) -> None:
        """Hand the buffered records to the widget now (also called by the loop)."""
        self._scheduled = False
        self._handle = None
        if self._closed or not self._seen:
            return
        batch = list(self._buffer)
        overflow = self._seen - len(batch)
        self._buffer.clear()
        self._seen = 0
        try:
            self._last = asyncio.get_running_loop().time()
        except RuntimeError:
            if self._loop is not None and not self._loop.is_closed():
                self._last = self._loop.time()
        self.flushes += 1
        self._flush_cb(batch, overflow)

    @property
    def pending(self) -> int:
        """Records made since the last flush."""
        return self._seen

    def close(self) -> None:
        """Stop observing the recorder; buffered records are discarded."""
        self._closed = True
        self._unsubscribe()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._buffer.clear()
        self._seen = 0
