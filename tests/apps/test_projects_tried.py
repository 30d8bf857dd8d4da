"""Public Python Workers projects run unchanged (README: "Public projects, tried"), and what one needed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from harness import http, served
from websockets.asyncio.client import connect


async def test_cloudflares_chatroom_example_runs_unchanged() -> None:
    # python-workers-examples/15-chatroom: a hibernatable room whose history lives in the instance.
    async with served("chatroom") as server:
        status, _, page = await http(server, "/")
        assert (status, b"<title>Chatroom</title>" in page) == (200, True)
        assert (await http(server, "/room/"))[:3:2] == (400, b"Room name required")
        room = server.url.rstrip("/") + "/room/lobby"
        async with asyncio.timeout(20):
            async with connect(room) as ada:
                assert json.loads(await ada.recv())["text"] == "Connected to chatroom"
                await ada.send(json.dumps({"username": "ada", "text": "hi"}))
                said = json.loads(await ada.recv())
                assert (said["type"], said["username"], said["text"]) == ("message", "ada", "hi")
                async with connect(room) as bob:  # history first, then the welcome
                    history = json.loads(await bob.recv())
                    assert [m["text"] for m in history["messages"]] == ["hi"]
                    assert json.loads(await bob.recv())["type"] == "system"
                    await bob.send(json.dumps({"text": "hello"}))
                    for ws in (ada, bob):  # broadcast to every accepted socket
                        heard = json.loads(await ws.recv())
                        assert (heard["username"], heard["text"]) == ("Anonymous", "hello")
                    await bob.close()
                    assert bob.close_code == 1000  # webSocketClose answers with ws.close(code, reason)


async def test_a_response_body_may_be_an_array_buffer(tmp_path: Path) -> None:
    # python-workers-examples/12-image-gen answers Response(to_js(png_bytes).buffer, headers=...).
    (tmp_path / "wrangler.toml").write_text(
        'name = "bin"\nmain = "entry.py"\ncompatibility_date = "2025-11-02"\n'
        'compatibility_flags = ["python_workers"]\n'
    )
    (tmp_path / "entry.py").write_text(
        "from js import Request\n"
        "from pyodide.ffi import to_js\n"
        "from workers import Response, WorkerEntrypoint\n\n"
        "class Default(WorkerEntrypoint):\n"
        "    async def fetch(self, request):\n"
        "        if request.url.endswith('/echo'):\n"
        "            inner = Request.new('http://x/', method='POST', body=to_js(b'\\x00up').buffer)\n"
        "            return Response(await inner.arrayBuffer())\n"
        "        data = bytes(range(256))\n"
        "        return Response(to_js(data).buffer, headers={'Content-Type': 'image/png'})\n"
    )
    async with served(tmp_path) as server:
        status, headers, body = await http(server, "/")
        assert (status, headers["content-type"], body) == (200, "image/png", bytes(range(256)))
        assert (await http(server, "/echo"))[::2] == (200, b"\x00up")


async def test_an_objects_async_close_listener_runs_after_its_client_has_gone() -> None:
    # The Durable Objects docs' "Build a WebSocket server" in Python: accept() and async
    # listeners. The object's listeners run in the object's context, not in the request of
    # the connection that delivered the event, so the close listener's coroutine still runs
    # once that client's request has ended (as with Pyodide in workerd:
    # tests/test_projects_on_pyodide.py runs the same project on both).
    async with served("accept-room") as server:
        url = server.url.rstrip("/")
        async with asyncio.timeout(20):
            async with connect(url + "/ada") as ada:
                async with connect(url + "/bob") as bob:
                    await ada.send("hi")
                    assert await bob.recv() == "ada: hi (2 here)"
                assert await ada.recv() == "ada: hi (2 here)"
                while True:  # bob's close listener has run: the room is ada alone
                    await ada.send("still?")
                    reply = await ada.recv()
                    if reply == "ada: still? (1 here)":
                        break
                    assert reply == "ada: still? (2 here)"
                    await asyncio.sleep(0.02)
