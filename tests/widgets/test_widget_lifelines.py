"""RoomDiagram: a room's clients, the runtime and the object, from one recorder."""

from __future__ import annotations

import types
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from cfws_playground import Recorder, connect, pyworkers, settle
from cfws_playground.durable import hibernate
from cfws_playground.widgets import RoomDiagram
from cfws_playground.widgets.lifelines import room_diagram


@pytest.fixture
def dialect() -> Any:
    pyworkers.enable()
    import js  # type: ignore[import-not-found]
    import workers  # type: ignore[import-not-found]
    from pyodide import ffi  # type: ignore[import-not-found]

    return types.SimpleNamespace(
        WebSocketPair=js.WebSocketPair,
        WebSocketRequestResponsePair=js.WebSocketRequestResponsePair,
        to_js=ffi.to_js,
        DurableObject=workers.DurableObject,
        Response=workers.Response,
        WorkerEntrypoint=workers.WorkerEntrypoint,
    )


def room_class(d: Any, *, answer_first: bool, auto_response: bool = False) -> type:
    class Room(d.DurableObject):  # type: ignore[misc,name-defined]
        def __init__(self, ctx: Any, env: Any) -> None:
            super().__init__(ctx, env)
            if auto_response:
                self.ctx.setWebSocketAutoResponse(d.WebSocketRequestResponsePair.new("ping", "pong"))

        async def fetch(self, request: Any) -> Any:
            name = parse_qs(urlparse(request.url).query).get("name", ["anonymous"])[0]
            client, server = d.WebSocketPair.new().object_values()
            self.ctx.acceptWebSocket(server, d.to_js(["member"]))
            server.serializeAttachment(name)
            return d.Response(None, status=101, web_socket=client)

        async def webSocketMessage(self, ws: Any, message: str) -> None:
            ws.send(f"you said {message}")

        async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
            if answer_first:
                ws.close(code, reason)
                for other in self.ctx.getWebSockets():  # newest first: the leaver, then ada
                    other.send(f"* {ws.deserializeAttachment()} left")

    return Room


def worker_for(d: Any, cls: type) -> tuple[Any, Any]:
    class Default(d.WorkerEntrypoint):  # type: ignore[misc,name-defined]
        async def fetch(self, request: Any) -> Any:
            return await self.env.ROOM.getByName("lobby").fetch(request)

    env = types.SimpleNamespace()
    env.ROOM = pyworkers.binding(cls, env, hibernate_after=None)
    return pyworkers.entrypoint(Default), env


async def test_the_broadcast_that_stops_at_the_closed_socket(dialect: Any) -> None:
    worker, env = worker_for(dialect, room_class(dialect, answer_first=True))
    rec = Recorder()
    await connect(worker, "ws://x/?name=ada", env=env, recorder=rec)
    bob = await connect(worker, "ws://x/?name=bob", env=env, recorder=rec)
    picture = RoomDiagram(rec, {1: "ada", 2: "bob"})
    await bob.close(1000, "bye")
    await settle()
    p = picture.picture
    assert [lane.name for lane in p.lanes] == ["ada", "room", "bob"]  # the object between them
    arrows = [(a.source, a.target, a.kind, a.failed) for a in p.arrows]
    assert arrows == [
        ("bob", "room", "close", False),  # bob's Close
        ("room", "bob", "close", False),  # answered
        ("room", "bob", "send", True),  # the broadcast reaches bob's closed socket first, and throws
    ]
    assert not any("ada" in (a.source, a.target) for a in p.arrows)  # ada never hears it
    assert any(m.error and m.text.startswith("handler raised: webSocketClose") for m in p.marks)
    text = picture.text()
    assert text.splitlines()[0] == "RoomDiagram: ada | room | bob, 3 arrows, 8 steps"
    assert "room ──send('* bob left') ✗ TypeError──✗ (never reaches bob)" in text
    svg = picture.svg
    assert svg.count('class="lifeline"') == 3 and svg.count('class="arrow failed"') == 1
    assert "<script" not in svg and "http://www.w3.org/2000/svg" in svg


async def test_an_unanswered_close_ends_with_the_client_giving_up(dialect: Any) -> None:
    worker, env = worker_for(dialect, room_class(dialect, answer_first=False))
    rec = Recorder()
    cy = await connect(worker, "ws://x/?name=cy", env=env, recorder=rec)
    cy.close_timeout = 0.05
    picture = RoomDiagram(rec, {1: "cy"}, object_name="Deaf")
    await cy.close(1000, "bye")
    await settle()
    assert cy.close_code == 1006
    p = picture.picture
    assert [(a.source, a.target, a.kind) for a in p.arrows] == [("cy", "Deaf", "close")]
    assert p.marks[-1].lane == "cy" and p.marks[-1].error and "1006" in p.marks[-1].text


async def test_the_object_is_absent_while_evicted_and_the_runtime_answers(dialect: Any) -> None:
    worker, env = worker_for(dialect, room_class(dialect, answer_first=True, auto_response=True))
    rec = Recorder()
    ada = await connect(worker, "ws://x/?name=ada", env=env, recorder=rec)
    picture = RoomDiagram(rec, {1: "ada"}, runtime=True)
    await ada.send("hello")
    await ada.recv()
    await hibernate(env.ROOM.getByName("lobby"))
    await ada.send("ping")
    assert await ada.recv() == "pong"
    await ada.send("again")
    await ada.recv()
    p = picture.picture
    assert [lane.name for lane in p.lanes] == ["ada", "runtime", "room"]
    room = p.lanes[2]
    assert len(room.spans) == 2  # a gap while evicted
    (_, evicted), (woke, _) = room.spans
    pong = next(a for a in p.arrows if a.label == "message 'pong'")
    assert (pong.source, pong.target) == ("runtime", "ada") and evicted < pong.start < woke
    calls = [(a.label, a.start) for a in p.arrows if a.kind == "call"]
    assert calls == [("webSocketMessage('hello')", calls[0][1]), ("webSocketMessage('again')", woke)]
    assert "(no object between" in picture.text()
    assert picture.svg.count('class="absent"') == 1


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="Recorder"):
        RoomDiagram([], {1: "ada"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one client"):
        RoomDiagram(Recorder(), {})
    with pytest.raises(ValueError, match="distinct names"):
        room_diagram([], {1: "room"})
    with pytest.raises(ValueError, match="distinct names"):
        room_diagram([], {1: "ada", 2: "ada"})
