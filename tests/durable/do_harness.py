"""A recording Durable Object and a namespace to put it in, for the Durable Object tests."""

from __future__ import annotations

import types
from typing import Any

from cfws_playground import InProcessClient, Response, WebSocketPair, connect
from cfws_playground.durable import DurableObjectNamespace


class Recording:
    """Records every handler call on the class (instances come and go; the log stays)."""

    calls: list[tuple[Any, ...]] = []
    constructed = 0

    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx
        self.env = env
        self.messages_since_wake = 0  # an in-memory field: gone after eviction
        type(self).constructed += 1

    async def fetch(self, request: Any) -> Response:
        params = dict(p.split("=", 1) for p in request.url.partition("?")[2].split("&") if "=" in p)
        client, server = WebSocketPair()
        tags = [t for t in params.get("tags", "").split(",") if t]
        if params.get("plain"):
            server.accept()
            server.addEventListener("message", lambda e: server.send(f"plain: {e.data}"))
        else:
            self.ctx.acceptWebSocket(server, tags)
            if "name" in params:
                server.serializeAttachment({"name": params["name"]})
        return Response(None, status=101, webSocket=client)

    async def webSocketMessage(self, ws: Any, message: Any) -> None:
        self.messages_since_wake += 1
        type(self).calls.append(("message", message))
        if message == "raise":
            raise ValueError("handler failed")
        if isinstance(message, str) and message.startswith("echo"):
            ws.send(f"{message} #{self.messages_since_wake}")

    async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
        type(self).calls.append(("close", code, reason, was_clean))
        if ws.readyState == 2:  # answer the Close: hibernatable sockets get no automatic reply
            ws.close(1000 if code in (1005, 1006) else code, reason)

    async def webSocketError(self, ws: Any, error: Any) -> None:
        type(self).calls.append(("error", str(error)))

    async def put(self, key: str, value: Any) -> None:
        await self.ctx.storage.put(key, value)

    async def get(self, key: str) -> Any:
        return await self.ctx.storage.get(key)

    async def fields(self) -> int:
        return self.messages_since_wake


def fresh_class() -> type[Recording]:
    """A subclass with its own call log and counter, so tests do not share them."""
    return type("Room", (Recording,), {"calls": [], "constructed": 0})


def namespace(cls: type | None = None, **kwargs: Any) -> tuple[DurableObjectNamespace, types.SimpleNamespace]:
    env = types.SimpleNamespace()
    kwargs.setdefault("hibernate_after", None)
    env.ROOM = DurableObjectNamespace(cls or fresh_class(), env, **kwargs)
    return env.ROOM, env


async def forward(request: Any, env: Any, ctx: Any) -> Response:
    """The Worker: every request goes to the object named by the path."""
    name = request.url.split("//", 1)[1].split("/", 1)[1].split("?", 1)[0] or "lobby"
    return await env.ROOM.getByName(name).fetch(request)


async def join(env: Any, query: str = "", room: str = "lobby", **kwargs: Any) -> InProcessClient:
    return await connect(forward, f"ws://do.test/{room}?{query}", env=env, **kwargs)
