"""The widgets' update limit is global: open widgets together stay within GLOBAL_RATE."""

from __future__ import annotations

import asyncio

from cfws_playground import Recorder, WebSocketPair
from cfws_playground.widgets import EventStream, SequenceDiagram
from cfws_playground.widgets._throttle import GLOBAL_RATE, UpdateBudget


async def test_widgets_together_send_no_more_than_the_global_rate() -> None:
    client, server = pair = WebSocketPair()
    rec = Recorder(pair)
    client.accept()
    server.accept()
    # Four widgets that may each update 20 times a second: per widget, that would be 80 together.
    widgets = [EventStream(rec, rate=20), EventStream(rec, rate=20), EventStream(rec, rate=20)]
    widgets.append(SequenceDiagram(rec, rate=20))
    before = [w.updates_sent for w in widgets]
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < 0.6:
        client.send("tick")
        await asyncio.sleep(0.005)
    elapsed = loop.time() - start
    sent = [w.updates_sent - b for w, b in zip(widgets, before, strict=True)]
    # Slots are 1/GLOBAL_RATE apart on the loop's clock: a slow machine only means fewer.
    assert sum(sent) <= elapsed * GLOBAL_RATE + 2, (sent, elapsed)
    assert all(n >= 1 for n in sent), f"every widget gets its turn: {sent}"
    for w in widgets:
        w.close()


def test_the_budget_hands_out_slots_one_interval_apart() -> None:
    budget = UpdateBudget(rate=10)
    loop = asyncio.new_event_loop()
    try:
        slots = [budget.reserve(loop, 5.0) for _ in range(4)]
        assert slots[0] == 5.0
        assert all(abs(b - a - 0.1) < 1e-9 for a, b in zip(slots, slots[1:], strict=False))
        assert budget.reserve(loop, 9.0) == 9.0  # an idle budget does not make a late widget wait
        other = asyncio.new_event_loop()
        try:
            assert budget.reserve(other, 5.0) == 5.0  # each event loop has its own budget
        finally:
            other.close()
    finally:
        loop.close()


async def test_a_flush_scheduled_while_a_request_is_served_survives_the_request() -> None:
    # serve() cancels the timers a request made when it ends; a widget's flush is not one
    # of them, or the widget would freeze after the connection that fed it closed.
    import asyncio
    import contextvars

    from cfws_playground import Recorder, scope
    from cfws_playground.widgets._throttle import BUDGET, Coalescer

    loop = asyncio.get_running_loop()
    scope.install(loop)
    flushed: list[int] = []
    coalescer = Coalescer(Recorder(), lambda batch, overflow: flushed.append(len(batch)), rate=1000)
    BUDGET.reserve(loop, loop.time() + 0.05)  # another widget holds the next slot: this flush waits
    request = scope.RequestScope()
    context = contextvars.copy_context()
    request.enter(context)
    context.run(coalescer._on_record, object())  # type: ignore[arg-type]
    request.end()
    await asyncio.sleep(0.3)
    assert flushed == [1]
    coalescer.close()
