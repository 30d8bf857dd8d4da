"""Deploys unchanged, as far as stock Pyodide in workerd shows it: the same clients, both runtimes.

Chapter 08's project, the two Durable Object examples and the SQLite-backed
``tests/apps/projects/sql-notes`` (``ctx.storage.sql``, ``kv``, ``transactionSync``,
their errors as Python sees them) are served twice,
by the kit (``cfws-playground serve``'s ``serve()`` on the loaded project) and
by real workerd running the unchanged folder in Pyodide
(:func:`~cfws_playground.fidelity.pyodide.project.serve_project`), and the
same scripted ``websockets`` and HTTP clients give the same transcripts.
Skipped without workerd and Pyodide (installed when ``CI`` is set).
"""

from __future__ import annotations

import asyncio
import http.client
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from cfws_playground import serve
from cfws_playground.fidelity.pyodide.project import serve_project
from cfws_playground.pyworkers import load_project

ROOT = Path(__file__).resolve().parent.parent
QUIET = 0.3  # seconds without a message: the clients have everything a step caused

pytestmark = [pytest.mark.workerd, pytest.mark.slow, pytest.mark.timeout(300)]


@asynccontextmanager
async def on_kit(folder: Path) -> AsyncIterator[int]:
    project = load_project(folder)
    async with serve(project.worker, port=0, env=project.env, compatibility=project.compatibility) as server:
        yield int(server.url.rstrip("/").rsplit(":", 1)[1])


@asynccontextmanager
async def on_workerd(folder: Path, pyodide_setup: tuple[Path, Path]) -> AsyncIterator[int]:
    with serve_project(*pyodide_setup, folder) as server:
        yield next(iter(server.ports.values()))


class Clients:
    """Named WebSocket clients; each step's rows are what every open client then received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.open: dict[str, ClientConnection] = {}
        self.rows: list[str] = []

    async def drain(self) -> None:
        got: list[str] = []
        for name, ws in sorted(self.open.items()):
            while True:
                try:
                    message = await asyncio.wait_for(ws.recv(), QUIET)
                except (TimeoutError, Exception) as exc:  # noqa: BLE001 - quiet, or the connection ended
                    if not isinstance(exc, TimeoutError):
                        got.append(f"{name} ended: {type(exc).__name__}")
                    break
                got.append(f"{name} <- {message!r}")
        self.rows += got

    async def connect(self, name: str, path: str) -> None:
        try:
            self.open[name] = await connect(f"ws://127.0.0.1:{self.port}{path}")
        except InvalidStatus as exc:
            self.rows.append(f"{name} refused: HTTP {exc.response.status_code}")
            return
        self.rows.append(f"{name} connected")
        await self.drain()

    async def send(self, name: str, message: str | bytes) -> None:
        if name not in self.open:
            return
        await self.open[name].send(message)
        self.rows.append(f"{name} -> {message!r}")
        await self.drain()

    async def close(self, name: str, code: int = 1000, reason: str = "") -> None:
        if name not in self.open:
            return
        ws = self.open.pop(name)
        await ws.close(code, reason)
        self.rows.append(f"{name} closed: {ws.close_code} {ws.close_reason!r}")
        await self.drain()

    async def end(self) -> None:
        for name in sorted(self.open):
            await self.close(name)


def http_get(port: int, method: str, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return f"{method} {path} -> {resp.status} {resp.read().decode()!r}"
    finally:
        conn.close()


async def chat(port: int, path: Callable[[str], str]) -> list[str]:
    clients = Clients(port)
    for name in ("ada", "bob", "cy"):
        await clients.connect(name, path(name))
    await clients.send("ada", "hello")
    await clients.send("bob", "/who")
    await clients.send("cy", b"\x00\x01")
    await clients.send("bob", "ping")
    await clients.close("bob", 1000, "bye")
    await clients.send("cy", "still here?")
    await clients.close("ada", 4000, "done")
    await clients.end()
    return clients.rows


async def counter(port: int) -> list[str]:
    rows = []
    for method, path in [
        ("GET", "/"),
        ("GET", "/apples"),
        ("POST", "/apples/increment"),
        ("POST", "/apples/increment"),
        ("GET", "/apples"),
        ("GET", "/pears"),
        ("POST", "/apples/reset-in/0.05"),
    ]:
        rows.append(await asyncio.to_thread(http_get, port, method, path))
    await asyncio.sleep(1)
    rows.append(await asyncio.to_thread(http_get, port, "GET", "/apples"))
    return rows


Script = Callable[[int], Awaitable[list[str]]]


async def both(folder: Path, pyodide_setup: tuple[Path, Path], script: Script) -> None:
    async with on_kit(folder) as port:
        kit = await script(port)
    async with on_workerd(folder, pyodide_setup) as port:
        workerd = await script(port)
    assert kit == workerd, "\n".join(f"{k!r:<60} {w!r}" for k, w in zip(kit, workerd, strict=False))


async def test_chapter_08_project_gives_the_same_client_transcripts(
    pyodide_setup: tuple[Path, Path],
) -> None:
    await both(
        ROOT / "notebooks" / "08-chat-room",
        pyodide_setup,
        lambda port: chat(port, lambda n: f"/ws?name={n}"),
    )


async def test_do_chat_gives_the_same_client_transcripts(pyodide_setup: tuple[Path, Path]) -> None:
    await both(
        ROOT / "examples" / "do-chat",
        pyodide_setup,
        lambda port: chat(port, lambda n: f"/ws?room=r&name={n}"),
    )


async def test_do_counter_gives_the_same_responses(pyodide_setup: tuple[Path, Path]) -> None:
    await both(ROOT / "examples" / "do-counter", pyodide_setup, counter)


async def sql_notes(port: int) -> list[str]:
    rows = []
    for path in [
        "/add?body=first&score=1.5",
        "/add?body=second&score=2",
        "/all",
        "/raw",
        "/count",
        "/count?room=other",
        "/size",
        "/kv",
        "/kv",
        "/fail?what=table",
        "/fail?what=begin",
        "/fail?what=bindings",
        "/fail?what=one",
        "/fail?what=internal",
        "/fail?what=transaction",
        "/count",
        "/legacy",
    ]:
        rows.append(await asyncio.to_thread(http_get, port, "GET", path))
    return rows


async def test_sql_notes_gives_the_same_responses(pyodide_setup: tuple[Path, Path]) -> None:
    await both(ROOT / "tests" / "apps" / "projects" / "sql-notes", pyodide_setup, sql_notes)


async def accept_room(port: int) -> list[str]:
    clients = Clients(port)
    await clients.connect("ada", "/ada")
    await clients.connect("bob", "/bob")
    await clients.send("ada", "hi")
    await clients.close("bob")
    await clients.send("ada", "still?")  # bob's async close listener has removed him
    await clients.end()
    return clients.rows


async def test_an_objects_async_close_listener_outlives_its_clients_request(
    pyodide_setup: tuple[Path, Path],
) -> None:
    await both(ROOT / "tests" / "apps" / "projects" / "accept-room", pyodide_setup, accept_room)
