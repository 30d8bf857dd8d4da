"""The do-chat example: its page is a static asset, its history is in the room's SQLite storage."""

from __future__ import annotations

import asyncio
from pathlib import Path

from harness import http, served
from websockets.asyncio.client import connect

CHAT = Path(__file__).resolve().parents[2] / "examples" / "do-chat"


async def test_a_newcomer_sees_the_history_which_outlives_a_restart(tmp_path: Path) -> None:
    async with served(CHAT, persist_to=tmp_path) as server:
        status, headers, page = await http(server, "/")
        assert status == 200 and b"<title>Durable Object chat</title>" in page
        assert headers["content-type"] == "text/html; charset=utf-8"
        base = server.url.rstrip("/")
        async with asyncio.timeout(30), connect(base + "/ws?room=r&name=ada") as ada:
            assert await ada.recv() == "* ada joined (1 here). Welcome to the room!"
            for text in ("one", "two"):
                await ada.send(text)
                assert await ada.recv() == f"ada: {text}"
    async with served(CHAT, persist_to=tmp_path) as server:  # a new process: the room starts afresh
        base = server.url.rstrip("/")
        async with asyncio.timeout(30), connect(base + "/ws?room=r&name=bob") as bob:
            assert [await bob.recv() for _ in range(3)] == [
                "ada: one",
                "ada: two",
                "* bob joined (1 here). Welcome to the room!",
            ]


CAPSTONE = Path(__file__).resolve().parents[2] / "notebooks" / "08-chat-room"


async def test_the_capstone_serves_its_page_and_tells_a_newcomer_what_was_said() -> None:
    async with served(CAPSTONE) as server:
        status, _, page = await http(server, "/")
        assert status == 200 and b"<title>Chat room</title>" in page
        assert (await http(server, "/ws"))[0] == 426  # no upgrade: the Worker says how to connect
        base = server.url.rstrip("/")
        async with asyncio.timeout(30), connect(base + "/ws?name=ada") as ada:
            assert await ada.recv() == "* welcome, ada (1 here)"
            await ada.send("anyone?")
            await ada.send("/who")  # answered after the message before it was kept
            assert await ada.recv() == "* here: ada"
            async with connect(base + "/ws?name=bob") as bob:
                assert [await bob.recv() for _ in range(2)] == ["ada: anyone?", "* welcome, bob (2 here)"]
