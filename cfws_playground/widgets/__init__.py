"""Live widgets: watch both ends of a WebSocket as events happen.

- :class:`EventStream` — a live table of every call and event a recorder records.
- :class:`SequenceDiagram` — client and server lifelines with an arrow per frame (SVG).
- :class:`RoomDiagram` — a Durable Object's room: a lifeline per client, the object
  (absent while it is evicted) and, if asked, the runtime that holds the sockets.
- :class:`PairConsole` — buttons that call ``accept()``, ``send()`` and ``close()``.
- :class:`DurableObjectInspector` — every Durable Object, awake or hibernated, with
  its sockets (readyState, tags, attachment), storage keys and alarm.
- :class:`BrowserClient` — a real JavaScript ``WebSocket`` in the notebook page,
  connected to a served Worker (directly, or through jupyter-server-proxy).
- :class:`ComparisonView` — the kit and real workerd side by side, scenario by
  scenario (what ``cfws_playground.fidelity.verify`` returns).

Each widget observes a :class:`~cfws_playground.Recorder` (or makes one for the
pair you give it) and never owns protocol state. Updates reach the front end
after the cell that displayed the widget has finished, at most ~20 times a
second, whatever the event rate. Each widget also renders as deterministic
text (``print(widget.text())``, or its ``repr``) for notebooks checked by nbval.

This package is the only part of the kit that imports ipywidgets and anywidget;
``import cfws_playground`` does not import it.
"""

from __future__ import annotations

from .browser_client import BrowserClient, client_route
from .comparison import ComparisonView
from .console import PairConsole
from .event_stream import EventStream
from .inspector import DurableObjectInspector
from .lifelines import RoomDiagram
from .sequence import SequenceDiagram

__all__ = [
    "BrowserClient",
    "ComparisonView",
    "DurableObjectInspector",
    "EventStream",
    "PairConsole",
    "RoomDiagram",
    "SequenceDiagram",
    "client_route",
]
