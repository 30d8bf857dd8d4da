"""``WebSocketPair`` and ``WebSocket``: the Workers API, spelled as in JavaScript.

This is the facade over the state table (:mod:`cfws_playground.state`) and the
delivery layer (:mod:`cfws_playground.dispatch`). Each public member mirrors the
Workers member of the same name and follows workerd's ``LegacyWebSocketAdapter``.

How frames move: each end has an outgoing queue. ``send()`` and ``close()``
append to it; the other end, once it is accepted, takes one frame per turn of
the event loop and dispatches it. A raising listener, a Close and a vanished
peer end the reading exactly where workerd's read loop ends.

One concern per module, each layer a base class of the next:

========================  ==========================================================
:mod:`.api`               ``WebSocket`` and ``WebSocketPair``: the public members
:mod:`.network`           an end coupled to a network client (the bridge's transport)
:mod:`.pump`              the outgoing pump and the read loop: how frames move
:mod:`.listeners`         EventTarget: listeners and dispatch in workerd's order
:mod:`.end`               an end's fields, its queued frames, recording
:mod:`.convert`           JavaScript's conversions of ``send()``/``close()`` arguments
:mod:`.attachments`       structured clone and V8's serialized size
========================  ==========================================================
"""

from __future__ import annotations

from .api import WebSocket, WebSocketPair
from .convert import js_number_to_string, received_text
from .end import log

__all__ = ["WebSocket", "WebSocketPair", "js_number_to_string", "log", "received_text"]
