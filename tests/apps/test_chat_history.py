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
