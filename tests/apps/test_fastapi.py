"""FastAPI through Cloudflare's ASGI adapter (``workers.asgi``), over real HTTP and WebSocket clients."""

from __future__ import annotations

import asyncio
import json

from harness import http, served
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def test_fastapi_http_routes() -> None:
    async with served("fastapi-app") as server:
        status, headers, body = await http(server, "/")
        assert (status, json.loads(body)) == (200, {"message": "Hello from FastAPI"})
        assert headers["content-type"] == "application/json"
        assert json.loads((await http(server, "/hi/ada?shout=true"))[2]) == {"message": "Hello, ADA!"}
        status, _, body = await http(
            server,
            "/items",
            method="POST",
            body=b'{"name": "pen", "price": 2.5}',
            headers={"content-type": "application/json"},
        )
        assert (status, json.loads(body)) == (200, {"name": "pen", "with_tax": 3.0})
        status, _, body = await http(
            server, "/items", method="POST", body=b"{}", headers={"content-type": "application/json"}
        )
        assert status == 422 and json.loads(body)["detail"][0]["loc"] == ["body", "name"]
        assert json.loads((await http(server, "/env"))[2]) == {"message": "from the env"}
        assert (await http(server, "/stream"))[2] == b"line 0\nline 1\nline 2\n"
        assert (await http(server, "/nowhere"))[0] == 404


async def test_fastapi_websocket_endpoint() -> None:
    async with served("fastapi-app") as server:
        async with asyncio.timeout(20), connect(server.url.rstrip("/") + "/ws") as ws:
            await ws.send("hello")
            assert await ws.recv() == "echo: hello"
            await ws.send("bye")
            try:
                await ws.recv()
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 4000
