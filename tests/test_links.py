"""The fetch runtime: Request/Response, Worker forms, dispatch_fetch, and the in-process client.

The in-process client follows the same coupling and close rules as the
network bridge (workerd-observed.md §3), so the wire scenarios are checked
here without sockets and again over loopback in test_bridge.py.
"""

from __future__ import annotations

import asyncio
import logging
import types
from typing import Any

import pytest
from listeners import listen_all

from cfws_playground import (
    ClientClosed,
    ExecutionContext,
    HandshakeRejected,
    Headers,
    RangeError,
    Recorder,
    Request,
    Response,
    WebSocketPair,
    WorkerEntrypoint,
    compatibility,
    connect,
    dispatch_fetch,
    errors,
    settle,
)

LEGACY = dict(date="2025-09-01")  # before the auto-reply to Close


# ---------------------------------------------------------------------- Request / Response / Headers


def test_headers_are_case_insensitive_and_join_repeats() -> None:
    h = Headers({"Upgrade": "websocket"})
    h.append("X-Many", "a")
    h.append("x-many", "b")
    assert h.get("UPGRADE") == "websocket" and "upgrade" in h
    assert h.get("X-MANY") == "a, b"
    assert list(h) == [("upgrade", "websocket"), ("x-many", "a, b")]
    h.delete("Upgrade")
    assert h.get("upgrade") is None


@pytest.mark.parametrize(
    "value, upgrade", [("websocket", True), ("WebSocket", True), ("h2c", False), (None, False)]
)
def test_request_detects_the_upgrade_header(value: str | None, upgrade: bool) -> None:
    headers = {} if value is None else {"upgrade": value}
    assert Request("http://x/", headers=headers).is_websocket_upgrade is upgrade


def test_response_with_a_websocket_and_another_status_is_a_range_error() -> None:
    client, _ = WebSocketPair()
    with pytest.raises(RangeError, match=r"^Responses with a WebSocket must have status code 101\.$"):
        Response(None, status=200, webSocket=client)


@pytest.mark.parametrize("status", [101, 199, 600, 0])
def test_response_status_out_of_range_without_a_websocket(status: int) -> None:
    with pytest.raises(RangeError, match="in the range 200 to 599, inclusive"):
        Response(None, status=status)


def test_response_accepts_both_spellings_but_not_both_at_once() -> None:
    client, _ = WebSocketPair()
    assert Response(None, status=101, web_socket=client).webSocket is client
    assert Response(None, status=101, webSocket=client).web_socket is client
    with pytest.raises(TypeError):
        Response(None, status=101, webSocket=client, web_socket=client)


def test_building_a_response_with_an_accepted_end_does_not_complain() -> None:
    client, server = WebSocketPair()
    client.accept()
    assert Response(None, status=101, webSocket=client).status == 101  # checked when sent


async def test_response_body_and_headers() -> None:
    r = Response("nope", status=426, headers={"X-A": "1"})
    assert (r.status, r.ok, r.headers.get("x-a"), await r.text()) == (426, False, "1", "nope")
    with pytest.raises(TypeError):
        Response("body", status=204)


# ---------------------------------------------------------------------- Worker forms


def _make_echo() -> Any:
    async def fetch(request: Request, env: Any, ctx: ExecutionContext) -> Response:
        if not request.is_websocket_upgrade:
            return Response(f"{request.method} {request.url} env={getattr(env, 'NAME', None)}", status=426)
        client, server = WebSocketPair()
        server.accept()
        server.binaryType = "arraybuffer"
        server.addEventListener("message", lambda e: server.send(e.data))
        return Response(None, status=101, webSocket=client)

    return fetch


class Default(WorkerEntrypoint):
    async def fetch(self, request: Request) -> Response:
        return Response(f"class env={self.env.NAME}", status=200)


class WithMethod:
    async def fetch(self, request: Request, env: Any, ctx: ExecutionContext) -> Response:
        return Response("object", status=200)


async def test_every_worker_form_is_dispatched() -> None:
    env = types.SimpleNamespace(NAME="n")
    module = types.ModuleType("worker_mod")
    module.fetch = _make_echo()  # type: ignore[attr-defined]
    assert await (await dispatch_fetch(_make_echo(), "http://a/x", env=env)).text() == "GET http://a/x env=n"
    assert await (await dispatch_fetch(module, "http://a/", env=env)).text() == "GET http://a/ env=n"
    assert await (await dispatch_fetch(Default, "http://a/", env=env)).text() == "class env=n"
    assert await (await dispatch_fetch(WithMethod(), "http://a/")).text() == "object"
    assert await (await dispatch_fetch(lambda req: Response("sync"), "http://a/")).text() == "sync"


async def test_a_worker_that_returns_nothing_gets_workerds_type_error() -> None:
    async def fetch(request: Request) -> None:
        return None

    with pytest.raises(TypeError, match=r"did not resolve to 'Response'"):
        await dispatch_fetch(fetch, "http://a/")


async def test_an_object_without_fetch_is_refused() -> None:
    with pytest.raises(TypeError, match="no fetch"):
        await dispatch_fetch(object(), "http://a/")


async def test_ctx_wait_until_runs_after_the_response() -> None:
    done: list[str] = []

    async def later() -> None:
        await asyncio.sleep(0)
        done.append("later")

    async def fetch(request: Request, env: Any, ctx: ExecutionContext) -> Response:
        ctx.waitUntil(later())
        return Response("now")

    ctx = ExecutionContext()
    response = await dispatch_fetch(fetch, "http://a/", ctx=ctx)
    assert await response.text() == "now" and done == []
    await ctx._wait()
    assert done == ["later"]


# ---------------------------------------------------------------------- the in-process client


async def test_in_process_echo_keeps_types_and_order() -> None:
    async with asyncio.timeout(10):
        async with await connect(_make_echo()) as client:
            for i in range(50):
                await client.send(f"m{i}")
                await client.send(bytes([i]))
            got = [await client.recv() for _ in range(100)]
        assert got == [x for i in range(50) for x in (f"m{i}", bytes([i]))]
        assert client.close_code == 1000


async def test_non_101_response_is_reported_to_the_client() -> None:
    async def fetch(request: Request) -> Response:
        return Response("go away", status=403)

    with pytest.raises(HandshakeRejected) as info:
        await connect(fetch)
    assert info.value.response is not None and info.value.response.status == 403


def _returning(make: Any) -> Any:
    async def fetch(request: Request) -> Response:
        return Response(None, status=101, webSocket=make())

    return fetch


@pytest.mark.parametrize(
    "case, text",
    [("accepted", errors.COUPLE_ACCEPTED), ("twice", errors.COUPLE_RELEASED)],
)
async def test_coupling_rules_apply_when_the_response_is_sent(
    case: str, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder()
    client, server = pair = WebSocketPair()
    if case == "accepted":
        client.accept()
        worker = _returning(lambda: client)
    else:
        worker = _returning(lambda: client)
        first = await connect(worker, recorder=rec)
    with pytest.raises(HandshakeRejected, match="101, then the connection dropped"):
        await connect(worker, recorder=rec)
    assert f"Uncaught TypeError: {text}" in caplog.text
    assert any(r.kind == "note" and text in r.args[0] for r in rec.records)
    if case == "twice":
        first.abort()
        await settle()
    del pair, server


async def test_a_returned_end_is_released() -> None:
    client, server = WebSocketPair()
    server.accept()
    c = await connect(_returning(lambda: client))
    client.send("ignored")  # silently ignored
    client.close(1000)  # silently ignored
    with pytest.raises(TypeError, match="already used in a response"):
        client.accept()
    c.abort()
    await settle()


async def test_returning_a_websocket_without_upgrade_header() -> None:
    client, _ = WebSocketPair()
    from cfws_playground.links import InProcessClient

    link = InProcessClient(ExecutionContext())
    ok = link.couple(Request("http://a/"), Response(None, status=101, webSocket=client))
    assert ok is False and client.readyState == 1
    assert errors.COUPLE_NO_UPGRADE.startswith("Worker tried to return a WebSocket")


class _Capture:
    """A Worker that keeps its server end and records every event on it."""

    def __init__(self, half_open: bool | None = None, reply: bool = False) -> None:
        self.half_open = half_open
        self.reply = reply
        self.server: Any = None
        self.log: Any = None
        self.states: list[int] = []

    async def fetch(self, request: Request) -> Response:
        client, server = pair = WebSocketPair()
        server.accept() if self.half_open is None else server.accept(allowHalfOpen=self.half_open)
        self.server = server
        self.log = listen_all(pair, server, "server")
        if self.reply:
            server.addEventListener("close", lambda e: server.close(e.code, e.reason))
        return Response(None, status=101, webSocket=client)


async def test_client_close_with_auto_reply() -> None:
    async with asyncio.timeout(10):
        w = _Capture()
        client = await connect(w)
        await client.send("hi")
        await client.close(4001, "x")
        await settle()
    assert (client.close_code, client.close_reason) == (4001, "x")
    # scenario: wire-echo-text (after a message crossed, the trailing error follows)
    assert w.log.types == ["message", "close", "error"]
    _, close, error = w.log.events
    assert (close.code, close.reason, close.wasClean) == (4001, "x", True)
    assert w.log.states[1][1] == 3  # readyState 3 inside the close event (auto-reply)
    assert error.message == "Uncaught Error: Network connection lost."


async def test_client_close_legacy_reply_by_the_worker() -> None:
    async with asyncio.timeout(10):
        with compatibility(**LEGACY):
            w = _Capture(reply=True)
            client = await connect(w)
        await client.close(1000, "bye")
        await settle()
    assert (client.close_code, client.close_reason) == (1000, "bye")
    # scenario: wire-client-close-worker-echoes (no message crossed: no trailing error)
    assert w.log.types == ["close"]
    assert w.log.states[0][1] == 2  # CLOSING inside the event: no automatic reply


async def test_client_close_legacy_unanswered_stays_open_until_the_client_gives_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # workerd 2026-11-17 keeps the connection open (older binaries canceled it as hung).
    async with asyncio.timeout(10):
        with compatibility(**LEGACY):
            w = _Capture()
            client = await connect(w)
        client.close_timeout = 0.3
        closing = asyncio.create_task(client.close(1000, "bye"))
        await asyncio.sleep(0.1)
        assert not closing.done() and client.close_code is None  # still open
        await closing
        await settle()
    assert client.close_code == 1006  # the client gave up
    assert "hung" not in caplog.text
    assert w.log.types == ["close"]


async def test_worker_close_reaches_the_client_and_comes_back() -> None:
    async with asyncio.timeout(10):
        w = _Capture()
        client = await connect(w)
        w.server.close(4000, "x")
        with pytest.raises(ClientClosed) as info:
            await client.recv()
        await client.wait_closed()
        await settle()
    assert (info.value.code, info.value.reason) == (4000, "x")
    assert w.log.types == ["close"]  # the side that closed first gets no error event
    assert (w.log.events[0].code, w.log.states[0][1]) == (4000, 3)


async def test_worker_close_without_code_is_an_empty_close() -> None:
    w = _Capture()
    client = await connect(w)
    w.server.close()
    await client.wait_closed()
    await settle()
    assert client.close_code == 1005 and w.log.events[0].code == 1005


async def test_client_abort_gives_the_worker_1006_with_ready_state_still_open() -> None:
    w = _Capture()
    client = await connect(w)
    await client.send("last")
    client.abort()
    await settle()
    assert w.log.types == ["message", "close"]
    close = w.log.events[1]
    assert (close.code, close.reason, close.wasClean) == (1006, errors.DISCONNECTED_REASON, False)
    assert w.log.states[1][1] == 1
    w.server.send("after")  # no throw


async def test_a_raising_listener_drops_the_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="cfws_playground")

    async def fetch(request: Request) -> Response:
        client, server = WebSocketPair()
        server.accept()

        def boom(event: Any) -> None:
            server.send("before")
            raise RuntimeError("listener-boom")

        server.addEventListener("message", boom)
        return Response(None, status=101, webSocket=client)

    async with asyncio.timeout(10):
        client = await connect(fetch)
        await client.send("x")
        assert await client.recv() == "before"
        with pytest.raises(ClientClosed) as info:
            await client.recv()
    assert info.value.code == 1006


async def test_recorder_sees_the_client_side() -> None:
    rec = Recorder()
    async with await connect(_make_echo(), recorder=rec) as client:
        await client.send("hello")
        await client.recv()
    await settle()
    steps = [r.step for r in rec.records]
    assert "[network] send('hello')" in steps and "← message 'hello'" in steps


async def test_settle_waits_until_the_workers_replies_reach_the_client() -> None:
    client = await connect(_make_echo())
    for i in range(100):
        await client.send(f"m{i}")
    await settle()
    assert [client._inbox[i] for i in range(100)] == [f"m{i}" for i in range(100)]  # no await recv() needed
    client.abort()
    await settle()
