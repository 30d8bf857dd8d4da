"""The do-chat example: its page is a static asset, its history is in the room's SQLite storage."""

from __future__ import annotations

import asyncio
import difflib
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


#: Where the capstone's page differs from the example's, line by line: one room, a /who command.
PAGE_DIFFERENCES = [
    (["<title>Durable Object chat</title>"], ["<title>Chat room</title>"]),
    (
        [
            "<h1>Durable Object chat</h1>",
            '<p>Room <input id="room" value="lobby" size="10"> as <input id="name" value="guest" size="10">',
            '  <button id="join">Join</button> <span id="status">not connected</span></p>',
        ],
        [
            "<h1>Chat room</h1>",
            '<p>Your name <input id="name" value="guest" size="10"> <button id="join">Join</button>',
            '  <span id="status">not connected</span></p>',
        ],
    ),
    (
        [
            '<form id="say"><input name="text" autocomplete="off" placeholder="Say something">'
            "<button>Send</button></form>"
        ],
        [
            '<form id="say"><input name="text" autocomplete="off" '
            'placeholder="Say something (/who lists the room)"><button>Send</button></form>'
        ],
    ),
    (
        [
            '    if (ws) ws.close(1000, "switching rooms");',
            '    const room = encodeURIComponent(document.getElementById("room").value);',
        ],
        ['    if (ws) ws.close(1000, "rejoining");'],
    ),
    (
        [
            "    ws = new WebSocket(`${scheme}://${location.host}"
            '${location.pathname.replace(/\\/$/, "")}/ws?room=${room}&name=${name}`);'
        ],
        [
            "    ws = new WebSocket(`${scheme}://${location.host}"
            '${location.pathname.replace(/\\/$/, "")}/ws?name=${name}`);'
        ],
    ),
]


def test_the_two_chat_pages_are_one_page_but_for_the_room() -> None:
    # The example and the capstone serve the same chat page; a fix to one (its script,
    # its style) belongs in both. Only the lines above may differ.
    example = (CHAT / "public" / "index.html").read_text(encoding="utf-8").splitlines()
    capstone = (CAPSTONE / "public" / "index.html").read_text(encoding="utf-8").splitlines()
    matcher = difflib.SequenceMatcher(a=example, b=capstone, autojunk=False)
    differences = [
        (example[i1:i2], capstone[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]
    assert differences == PAGE_DIFFERENCES
