"""Outbound WebSockets from a Worker to a real ``websockets`` server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
from harness import http, served
from websockets.asyncio.server import Server, ServerConnection, serve

pytestmark = pytest.mark.filterwarnings(
    "ignore:coroutine '_BindingWrapper._conver_and_invoke.<locals>.await_and_:RuntimeWarning"
)


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Server, list[str]]]:
    heard: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        async for message in ws:
            heard.append(str(message))
            if message == "subscribe":
                for i in range(3):
                    await ws.send(f"event {i}")
                await ws.close(4000, "feed over")
            else:
                await ws.send(f"echo: {message}")

    async with serve(handler, "127.0.0.1", 0) as server:
        yield server, heard


def _url(server: Server) -> str:
    host, port = server.sockets[0].getsockname()[:2]
    return f"ws://{host}:{port}/"


async def test_fetch_with_an_upgrade_header_gives_a_websocket(upstream: tuple[Server, list[str]]) -> None:
    server, heard = upstream
    async with served("ws-client") as worker:
        status, _, body = await http(worker, "/?echo=" + quote(_url(server)))
        assert (status, body) == (200, b"101 echo: hello upstream")
        assert heard == ["hello upstream"]
        steps = [r.step for r in worker.recorder]
        assert any("outbound" in step for step in steps)  # the network leg is recorded too


async def test_new_websocket_opens_then_hears_the_feed(upstream: tuple[Server, list[str]]) -> None:
    server, heard = upstream
    async with served("ws-client") as worker:
        assert (await http(worker, "/?upstream=" + quote(_url(server))))[2] == b"connecting"
        async with asyncio.timeout(20):
            while True:
                state = json.loads((await http(worker, "/"))[2])
                if len(state["states"]) == 3:
                    break
                await asyncio.sleep(0.02)
        assert state == {"seen": ["event 0", "event 1", "event 2"], "states": [0, 1, 4000]}
        assert heard == ["subscribe"]


async def test_only_servers_on_this_machine() -> None:
    from cfws_playground.bridge.outbound import OutboundError, open_websocket

    with pytest.raises(OutboundError, match="only to servers on this machine"):
        open_websocket("wss://example.com/feed")
