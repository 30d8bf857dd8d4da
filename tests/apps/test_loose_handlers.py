"""Handlers called loosely, as workerd calls them, and storage calls that start when called."""

from __future__ import annotations

import asyncio
import logging

import pytest
from harness import http, served
from websockets.asyncio.client import connect

from cfws_playground.durable.storage import MemoryBackend, Storage
from cfws_playground.promise import JsPromise, settled, started


async def test_a_fetch_handler_without_a_request_parameter() -> None:
    async with served("bare") as server:
        status, _, body = await http(server, "/")
        assert (status, body) == (200, b"Hello world!")


# Cloudflare's SDK wraps each promise in a coroutine of its own (await_and_convert); not
# awaited, Python warns about that coroutine, on Pyodide as here. The work is done all the same.
@pytest.mark.filterwarnings(
    "ignore:coroutine '_BindingWrapper._conver_and_invoke.<locals>.await_and_convert'"
)
async def test_unawaited_storage_calls_still_happen_and_extra_arguments_are_dropped() -> None:
    async with served("loose") as server:
        url = server.url.rstrip("/") + "/"
        async with asyncio.timeout(20):
            async with connect(url) as ws:
                await ws.send("remember")
                assert await ws.recv() == "asked"
                notes = server.project.env.NOTES  # type: ignore[attr-defined]
                while await notes.hosts[0].storage.get("alarmed") is None:
                    await asyncio.sleep(0.02)  # the alarm set without await fires
                await ws.send("recall")
                assert await ws.recv() == "kept yes"
                await ws.close(4001)
            while (await http(server, "/closed"))[2] != b"4001":  # webSocketClose(self, ws, code, reason)
                await asyncio.sleep(0.02)


async def test_a_storage_promise_has_done_its_work_before_it_is_awaited() -> None:
    storage = Storage(MemoryBackend(), "obj", lambda at: None)
    put = storage.put("k", 1)
    assert isinstance(put, JsPromise) and callable(put.then)
    assert await storage.get("k") == 1  # before the put was awaited
    assert await put is None and await put is None  # awaitable more than once
    assert await storage.get("k").then(lambda v: v + 1) == 2


async def test_a_rejection_nobody_awaits_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    storage = Storage(MemoryBackend(), "obj", lambda at: None)
    rejected = storage.put("k")  # no value: rejected, as in JS (not raised at the call)
    with pytest.raises(TypeError, match="put\\(\\) called with undefined value."):
        await rejected
    with caplog.at_level(logging.WARNING, logger="cfws_playground"):
        storage.setAlarm(-1)  # never awaited: reported when dropped
        await asyncio.sleep(0)
    assert "Uncaught (in promise) TypeError" in caplog.text


async def test_started_runs_a_coroutine_without_an_await() -> None:
    ran: list[str] = []

    async def work() -> str:
        ran.append("ran")
        return "done"

    promise = started(work())
    await asyncio.sleep(0)
    assert ran == ["ran"]
    assert await promise == "done"
    assert repr(settled(int, "3")) == "Promise { 3 }"
