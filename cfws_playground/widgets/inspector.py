"""The Durable Object inspector: every object, awake or hibernated, with its sockets, storage keys and alarm.

The widget reads :func:`cfws_playground.durable.snapshot` (plain, frozen data)
and never the runtime's objects. Each object's card ends with its timeline:
every state it went through (constructed, evicted, woken, answered while
asleep, reset), each with the event that caused it, so a cell that hibernated
and woke an object shows the whole cycle after it has run, not only the end.
It refreshes when a namespace reports a lifecycle change (construct, evict,
wake, auto-response, alarm, a blocked eviction) and, for what changes quietly
(a socket's readyState, a storage key), about once a second while it is open;
at most ``rate`` updates a second reach the front end.
:meth:`DurableObjectInspector.text` renders what it shows as deterministic text
(no ids, no clock times) for notebooks and nbval.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import pathlib
from typing import Any

import anywidget
import traitlets

from ..durable import DurableObjectNamespace, ObjectView, namespaces, snapshot
from ..recorder import preview
from ._common import STYLE

__all__ = ["DurableObjectInspector"]

_HERE = pathlib.Path(__file__).parent

#: Sockets and storage keys shown per object; the rest are counted.
SHOWN = 50
#: Steps of an object's timeline shown in the text form (the widget shows all it keeps).
TIMELINE_SHOWN = 8


def timeline_text(steps: tuple[tuple[str, str, str], ...] | list[tuple[str, str, str]]) -> str:
    """An object's timeline on one line: ``constructed (fetch) → evicted (hibernate()) → ...``."""
    shown = [f"{what} ({cause})" for _state, what, cause in steps[-TIMELINE_SHOWN:]]
    earlier = len(steps) - len(shown)
    return (f"… {earlier} earlier → " if earlier else "") + " → ".join(shown)


class DurableObjectInspector(anywidget.AnyWidget):
    """A live view of Durable Objects.

    Example::

        env.ROOM = DurableObjectNamespace(Room, env)
        DurableObjectInspector(env.ROOM)      # or DurableObjectInspector() for every namespace
        ...
        await hibernate(env.ROOM.getByName("lobby"))
        print(inspector.text())

    Args:
        source: a namespace, a list of them, or None for every live namespace.
        rate: front-end updates per second, at most.
        poll: seconds between refreshes for quiet changes (None: only on notices and :meth:`refresh`).

    Attributes:
        updates_sent: how many times ``objects`` was sent to the front end.
    """

    _esm = _HERE / "inspector.js"
    _css = STYLE

    objects = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(
        self,
        source: DurableObjectNamespace | list[DurableObjectNamespace] | None = None,
        *,
        rate: float = 5.0,
        poll: float | None = 1.0,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate!r}")
        super().__init__()
        self._source = source
        self._interval = 1.0 / rate
        self._poll = poll
        self._pending: asyncio.TimerHandle | None = None
        self._ticker: asyncio.TimerHandle | None = None
        self._last = float("-inf")
        self._closed = False
        self.updates_sent = 0
        spaces = (
            namespaces()
            if source is None
            else [source]
            if isinstance(source, DurableObjectNamespace)
            else source
        )
        self._unsubscribe = [ns.subscribe(self._changed) for ns in spaces]
        self.refresh()
        self._tick()

    # ------------------------------------------------------------------ model

    def views(self) -> list[ObjectView]:
        """What the runtime looks like now (the data the widget renders)."""
        return snapshot(self._source)

    def refresh(self) -> None:
        """Render now."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self.objects = [_as_row(v) for v in self.views()]
        self.updates_sent += 1
        try:
            self._last = asyncio.get_running_loop().time()
        except RuntimeError:
            pass

    def _changed(self) -> None:
        if self._closed or self._pending is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.refresh()
            return
        delay = max(0.0, self._last + self._interval - loop.time())
        self._pending = loop.call_later(delay, self._due, context=contextvars.Context())  # not a request's

    def _due(self) -> None:
        self._pending = None
        if not self._closed:
            self.refresh()

    def _tick(self) -> None:
        if self._closed or self._poll is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._ticker = loop.call_later(self._poll, self._poll_now, context=contextvars.Context())

    def _poll_now(self) -> None:
        self._ticker = None
        if self._closed:
            return
        rows = [_as_row(v) for v in self.views()]
        if rows != self.objects:
            self.objects = rows
            self.updates_sent += 1
        self._tick()

    def close(self) -> None:
        """Stop watching and close the widget."""
        self._closed = True
        for unsubscribe in getattr(self, "_unsubscribe", []):
            unsubscribe()
        for handle in (getattr(self, "_pending", None), getattr(self, "_ticker", None)):
            if handle is not None:
                handle.cancel()
        super().close()

    # ------------------------------------------------------------------ text

    def text(self) -> str:
        """What the widget shows, as deterministic text."""
        views = self.views()
        lines = [f"DurableObjectInspector: {len(views)} object{'s' if len(views) != 1 else ''}"]
        for v in views:
            state = "awake" if v.awake else "hibernated"
            lines.append(
                f"  {v.binding}: {v.label}  {state}  constructed {v.constructed}x, evicted {v.evictions}x"
            )
            for s in v.sockets[:SHOWN]:
                tags = f" tags={list(s.tags)}" if s.tags else ""
                att = f" attachment={preview(s.attachment)}" if s.attachment is not None else ""
                lines.append(f"    socket {s.readyState} {s.state_name}{tags}{att}")
            if len(v.sockets) > SHOWN:
                lines.append(f"    … {len(v.sockets) - SHOWN} more sockets")
            keys = ", ".join(v.storage_keys[:SHOWN]) + (" …" if len(v.storage_keys) > SHOWN else "")
            lines.append(f"    storage: {len(v.storage_keys)} keys{': ' + keys if keys else ''}")
            lines.append(f"    alarm: {'set' if v.alarm is not None else 'none'}")
            for reason in v.blockers:
                lines.append(f"    cannot hibernate: {reason}")
            if v.timeline:
                lines.append(f"    timeline: {timeline_text(v.timeline)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())


def _as_row(v: ObjectView) -> dict[str, Any]:
    return {
        "binding": v.binding,
        "label": v.label,
        "awake": v.awake,
        "constructed": v.constructed,
        "evictions": v.evictions,
        "sockets": [
            {
                "readyState": s.readyState,
                "state": s.state_name,
                "tags": list(s.tags),
                "attachment": None if s.attachment is None else preview(s.attachment, 60),
            }
            for s in v.sockets[:SHOWN]
        ],
        "more_sockets": max(0, len(v.sockets) - SHOWN),
        "keys": list(v.storage_keys[:SHOWN]),
        "more_keys": max(0, len(v.storage_keys) - SHOWN),
        "alarm": None
        if v.alarm is None
        else datetime.datetime.fromtimestamp(v.alarm / 1000, datetime.UTC).isoformat(timespec="seconds"),
        "blockers": list(v.blockers),
        "last": None if v.last is None else f"{v.last[0]}: {v.last[1]}",
        "timeline": [{"state": state, "what": what, "cause": cause} for state, what, cause in v.timeline],
    }
