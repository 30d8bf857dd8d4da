"""DurableObjectInspector: objects, sockets, storage keys and alarm, refreshed on lifecycle notices."""

from __future__ import annotations

import asyncio
import time
import types
from typing import Any

from comm_double import front_end

from cfws_playground import Response, WebSocketPair, connect, settle
from cfws_playground.durable import DurableObjectNamespace, hibernate
from cfws_playground.widgets import DurableObjectInspector


class Room:
    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx

    async def fetch(self, request: Any) -> Response:
        client, server = WebSocketPair()
        self.ctx.acceptWebSocket(server, ["members"])
        server.serializeAttachment({"name": "ada"})
        await self.ctx.storage.put("joined", 1)
        await self.ctx.storage.setAlarm(time.time() * 1000 + 3_600_000)
        return Response(None, status=101, webSocket=client)

    async def alarm(self) -> None:
        pass

    async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
        ws.close(code, reason)


async def _room() -> tuple[DurableObjectNamespace, Any]:
    env = types.SimpleNamespace()
    env.ROOM = DurableObjectNamespace(Room, env, hibernate_after=None)

    async def worker(request: Any, env: Any, ctx: Any) -> Response:
        return await env.ROOM.getByName("lobby").fetch(request)

    client = await connect(worker, env=env)
    return env.ROOM, client


async def test_shows_each_object_its_sockets_keys_and_alarm_and_follows_hibernation() -> None:
    ns, client = await _room()
    inspector = DurableObjectInspector(ns, rate=1000, poll=None)
    assert inspector.text() == "\n".join(
        [
            "DurableObjectInspector: 1 object",
            "  Room: Room(lobby)  awake  constructed 1x, evicted 0x",
            "    socket 1 OPEN tags=['members'] attachment={'name': 'ada'}",
            "    storage: 1 keys: joined",
            "    alarm: set",
            "    timeline: constructed (fetch)",
        ]
    )
    (row,) = inspector.objects
    assert row["awake"] and row["sockets"][0]["tags"] == ["members"] and row["keys"] == ["joined"]
    assert row["alarm"].endswith("+00:00")
    sent = inspector.updates_sent
    await hibernate(ns.getByName("lobby"))
    await asyncio.sleep(0.01)  # the notice's refresh runs on the loop
    assert inspector.updates_sent > sent
    assert inspector.objects[0]["awake"] is False
    assert inspector.objects[0]["last"].startswith("evict: Room(lobby) hibernated")
    assert any(not s["objects"][0]["awake"] for s in front_end(inspector).states() if "objects" in s)
    await client.close()
    await settle()
    inspector.refresh()
    assert inspector.objects[0]["sockets"] == []
    inspector.close()


async def test_polling_catches_quiet_changes_and_close_stops_it() -> None:
    ns, client = await _room()
    inspector = DurableObjectInspector(ns, poll=0.01)
    await ns.getByName("lobby").fetch("http://x/")  # no Upgrade: the end is never coupled
    await asyncio.sleep(0.05)
    assert len(inspector.objects[0]["sockets"]) == 2
    inspector.close()
    client.abort()
    await settle()
    await asyncio.sleep(0.03)
    assert len(inspector.objects[0]["sockets"]) == 2  # closed: no longer refreshed


async def test_event_stream_and_sequence_diagram_show_evict_wake_and_auto_response() -> None:
    from cfws_playground import Recorder
    from cfws_playground.durable import WebSocketRequestResponsePair
    from cfws_playground.widgets import EventStream, SequenceDiagram

    env = types.SimpleNamespace()
    env.ROOM = DurableObjectNamespace(Room, env, hibernate_after=None)

    async def worker(request: Any, env: Any, ctx: Any) -> Response:
        return await env.ROOM.getByName("lobby").fetch(request)

    rec = Recorder()
    stream, diagram = EventStream(rec), SequenceDiagram(rec)
    client = await connect(worker, env=env, recorder=rec)
    env.ROOM.hosts[0].ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))
    await hibernate(env.ROOM.getByName("lobby"))
    await client.send("ping")
    assert await client.recv() == "pong"
    await client.send("wake up")
    await settle()
    for widget in (stream, diagram):
        shown = widget.text()
        steps = ("· evict: Room(lobby) hibernated", "· auto-response: 'ping'", "· wake: Room(lobby) woke")
        for step in steps:
            assert step in shown, (type(widget).__name__, step)
    stream.close()
    diagram.close()


async def test_the_timeline_keeps_every_state_and_what_caused_it() -> None:
    """Evicted, answered while asleep, woken, evicted when idle: all shown after the fact."""
    from cfws_playground.durable import WebSocketRequestResponsePair

    ns, client = await _room()
    inspector = DurableObjectInspector(ns, rate=1000, poll=None)
    host = ns.hosts[0]
    host.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))
    await hibernate(ns.getByName("lobby"))
    await client.send("ping")
    assert await client.recv() == "pong"
    await client.close(1000, "bye")  # webSocketClose wakes it
    await settle()
    ns.hibernate_after = 0.01
    host._schedule_idle()
    for _ in range(1000):  # the idle check runs 0.01 s after the close's event
        if not host.awake:
            break
        await asyncio.sleep(0.01)
    inspector.refresh()
    (row,) = inspector.objects
    assert [(t["state"], t["what"], t["cause"]) for t in row["timeline"]] == [
        ("awake", "constructed", "fetch"),
        ("hibernated", "evicted", "hibernate()"),
        ("hibernated", "answered", "auto-response 'ping'"),
        ("awake", "woken", "webSocketClose"),
        ("hibernated", "evicted", "idle 0.01 s"),
    ]
    assert inspector.text().endswith(
        "    timeline: constructed (fetch) → evicted (hibernate()) → answered (auto-response 'ping')"
        " → woken (webSocketClose) → evicted (idle 0.01 s)"
    )
    # What the front end got is the same timeline.
    assert front_end(inspector).states()[-1]["objects"][0]["timeline"] == row["timeline"]
    inspector.close()


def test_a_long_timeline_shows_its_last_steps_in_text() -> None:
    from cfws_playground.widgets.inspector import TIMELINE_SHOWN, timeline_text

    steps = [("awake", "woken", f"event {i}") for i in range(TIMELINE_SHOWN + 3)]
    text = timeline_text(steps)
    assert text.startswith("… 3 earlier → woken (event 3) → ")
    assert text.endswith(f"woken (event {TIMELINE_SHOWN + 2})")
