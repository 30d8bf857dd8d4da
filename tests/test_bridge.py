"""serve(): real clients on loopback, scenario by scenario against workerd-observed.md §3.

Every test binds 127.0.0.1 on port 0, runs under a hard asyncio timeout, and
stops every server and client it starts.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from listeners import EventLog, listen_all
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus

from cfws_playground import (
    Recorder,
    Request,
    Response,
    WebSocketPair,
    compatibility,
    errors,
    serve,
)
from cfws_playground.bridge import HIGH_WATER, _is_loopback
from cfws_playground.dispatch import settle

LIMIT = 32 << 20


async def echo(request: Request) -> Response:
    if not request.is_websocket_upgrade:
        return Response("Expected Upgrade: websocket", status=426, headers={"X-Worker": "echo"})
    client, server = WebSocketPair()
    server.accept()
    server.binaryType = "arraybuffer"
    server.addEventListener("message", lambda e: server.send(e.data))
    server.addEventListener("close", lambda e: server.close(e.code, e.reason))
    return Response(None, status=101, webSocket=client)


class Capture:
    """A Worker that keeps each connection's server end and logs its events."""

    def __init__(
        self,
        *,
        accept: bool = True,
        setup: Callable[[Any], None] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.accept = accept
        self.setup = setup
        self.headers = headers
        self.ends: list[Any] = []
        self.logs: list[EventLog] = []

    async def fetch(self, request: Request) -> Response:
        client, server = pair = WebSocketPair()
        if self.accept:
            server.accept()
        server.binaryType = "arraybuffer"
        self.ends.append(server)
        self.logs.append(listen_all(pair, server, "server"))
        if self.setup is not None:
            self.setup(server)
        return Response(None, status=101, webSocket=client, headers=self.headers)


async def until(cond: Callable[[], bool]) -> None:
    while not cond():
        await asyncio.sleep(0.002)


async def http_get(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


# ---------------------------------------------------------------------- messages


async def test_text_and_binary_keep_their_types() -> None:
    async with asyncio.timeout(10), serve(echo) as server:
        assert server.url.startswith("ws://127.0.0.1:") and server.port > 0
        async with ws_connect(server.url) as ws:
            await ws.send("héllo")
            await ws.send(b"\x00\x01\xff")
            assert await ws.recv() == "héllo"
            assert await ws.recv() == b"\x00\x01\xff"


async def test_ten_thousand_messages_arrive_in_order_both_ways() -> None:
    async with asyncio.timeout(60), serve(echo) as server:
        async with ws_connect(server.url, compression=None, max_queue=None) as ws:
            n = 10_000

            async def sender() -> None:
                for i in range(n):
                    await ws.send(str(i) if i % 2 else i.to_bytes(4, "big"))

            task = asyncio.create_task(sender())
            got = [await ws.recv() for _ in range(n)]
            await task
    assert got == [str(i) if i % 2 else i.to_bytes(4, "big") for i in range(n)]


async def test_a_large_message_and_a_fragmented_one() -> None:
    async with asyncio.timeout(20), serve(echo) as server:
        async with ws_connect(server.url, max_size=None) as ws:
            big = bytes(range(256)) * 4096 + b"!"  # 1 MiB + 1
            await ws.send(big)
            assert await ws.recv() == big
            await ws.send(["frag", "ment", "ed"])
            assert await ws.recv() == "fragmented"


# ---------------------------------------------------------------------- close


async def test_client_close_reaches_the_worker_and_is_echoed() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            await ws.close(4001, "x")
            assert (ws.close_code, ws.close_reason) == (4001, "x")
        await until(lambda: len(w.logs[0].events) == 2)
    log = w.logs[0]
    assert log.types == ["close", "error"]
    assert (log.events[0].code, log.events[0].reason, log.events[0].wasClean) == (4001, "x", True)
    assert log.states[0][1] == 3
    assert log.events[1].message == "Uncaught Error: Network connection lost."


async def test_client_empty_close_is_1005_and_echoed_empty() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            ws.protocol.send_close()  # an empty Close frame (no code)
            ws.send_data()
            await ws.wait_closed()
            assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1005
        await until(lambda: len(w.logs[0].events) == 2)
    assert w.logs[0].events[0].code == 1005


async def test_legacy_client_close_gets_the_workers_own_reply() -> None:
    def reply(server: Any) -> None:
        server.addEventListener("close", lambda e: server.close(4002, "other"))

    w = Capture(setup=reply)
    async with asyncio.timeout(10), serve(w, compatibility=compatibility(date="2025-09-01")) as server:
        async with ws_connect(server.url) as ws:
            await ws.close(1000, "bye")
            assert (ws.close_code, ws.close_reason) == (4002, "other")
        await until(lambda: len(w.logs[0].events) == 2)
    log = w.logs[0]
    assert log.types == ["close", "error"] and log.states[0][1] == 2


async def test_legacy_messages_sent_before_the_reply_still_arrive() -> None:
    def reply(server: Any) -> None:
        def on_close(e: Any) -> None:
            server.send("last words")
            server.close(e.code, e.reason)

        server.addEventListener("close", on_close)

    w = Capture(setup=reply)
    async with asyncio.timeout(10), serve(w, compatibility=compatibility(date="2025-09-01")) as server:
        async with ws_connect(server.url) as ws:
            closing = asyncio.create_task(ws.close(1000, "bye"))
            assert await ws.recv() == "last words"  # half-open: the Worker may still send
            await closing
            assert (ws.close_code, ws.close_reason) == (1000, "bye")


async def test_legacy_unanswered_close_is_dropped_as_hung(caplog: pytest.LogCaptureFixture) -> None:
    w = Capture()
    with compatibility(date="2025-09-01"):
        running = serve(w)  # takes the block's compatibility
    async with asyncio.timeout(15), running as server:
        async with ws_connect(server.url, close_timeout=5) as ws:
            await ws.close(1000, "bye")
            assert ws.close_code == 1006
    assert "hung and would never generate a response" in caplog.text


@pytest.mark.parametrize(
    "code, reason", [(4000, "x"), (1000, ""), (1001, "going"), (4999, "ü€"), (4000, "r" * 123)]
)
async def test_worker_close_reaches_the_client(code: int, reason: str) -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            await until(lambda: bool(w.ends))
            w.ends[0].close(code, reason)
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            assert (ws.close_code, ws.close_reason) == (code, reason)
        await until(lambda: len(w.logs[0].events) >= 1)
        await asyncio.sleep(0.02)
    log = w.logs[0]
    assert log.types == ["close"]  # no error event for the side that closed first
    assert (log.events[0].code, log.events[0].reason, log.events[0].wasClean) == (code, reason, True)
    assert log.states[0][1] == 3


async def test_legacy_oversized_reason_makes_an_invalid_frame_the_client_rejects() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w, compatibility=compatibility(date="2025-09-01")) as server:
        ws = await ws_connect(server.url)
        await until(lambda: bool(w.ends))
        w.ends[0].close(4000, "r" * 124)  # allowed before 2026-03-03
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        await ws.wait_closed()
        await until(lambda: bool(w.logs[0].events))
    assert ws.protocol.close_sent is not None and ws.protocol.close_sent.code == 1002  # the client's answer
    close = w.logs[0].events[0]
    assert (close.code, close.reason, close.wasClean) == (1002, "control frame too long", True)


async def test_invalid_utf8_text_fails_the_connection_with_1007() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        ws = await ws_connect(server.url, compression=None)
        await until(lambda: bool(w.ends))
        ws.protocol.send_text(b"a\xed\xa0\x80b")  # WTF-8 for a lone surrogate: not UTF-8
        ws.send_data()
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        await ws.wait_closed()
        await until(lambda: bool(w.logs[0].events))
    assert ws.close_code == 1007
    assert w.logs[0].types == ["error"]  # no message, no close event


async def test_a_lone_surrogate_goes_out_as_wtf8_and_the_client_fails_with_1007() -> None:
    # observed: workerd puts 61 ed a0 80 62 on the wire; the Python client answers 1007.
    w = Capture(setup=lambda server: server.send("a\ud800b"))
    async with asyncio.timeout(10), serve(w) as server:
        ws = await ws_connect(server.url, compression=None)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        await ws.wait_closed()
    assert closed.value.sent is not None and closed.value.sent.code == 1007  # the client failed it


async def test_worker_close_without_code_is_an_empty_close_frame() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            await until(lambda: bool(w.ends))
            w.ends[0].close()
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            assert ws.close_code == 1005
            assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1005
        await until(lambda: len(w.logs[0].events) >= 1)
    assert w.logs[0].events[0].code == 1005


async def test_abrupt_tcp_drop_gives_the_worker_1006() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        ws = await ws_connect(server.url)
        await ws.send("one")
        await until(lambda: len(w.logs[0].events) == 1)
        ws.transport.abort()
        await until(lambda: len(w.logs[0].events) == 2)
        await ws.wait_closed()
    log = w.logs[0]
    assert log.types == ["message", "close"]
    close = log.events[1]
    assert (close.code, close.reason, close.wasClean) == (1006, errors.DISCONNECTED_REASON, False)
    assert log.states[1][1] == 1  # readyState still OPEN inside the event
    w.ends[0].send("into the void")  # does not throw


async def test_accept_after_the_response_was_returned_still_echoes() -> None:
    def later(server: Any) -> None:
        def accept() -> None:
            server.accept()
            server.addEventListener("message", lambda e: server.send(e.data))

        asyncio.get_running_loop().call_later(0.05, accept)

    w = Capture(accept=False, setup=later)
    async with asyncio.timeout(10), serve(w) as server, ws_connect(server.url) as ws:
        await ws.send("early")  # waits, in order, for the accept
        assert await ws.recv() == "early"


async def test_half_a_frame_then_fin_is_a_drop_too() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        ws = await ws_connect(server.url, compression=None)
        await until(lambda: bool(w.ends))
        ws.transport.write(b"\x82\x8a\x00\x00\x00\x00abc")  # a masked 10-byte frame, 3 bytes of it
        ws.transport.write_eof()
        await until(lambda: bool(w.logs[0].events))
        ws.transport.abort()
        await ws.wait_closed()
    close = w.logs[0].events[0]
    assert (close.type, close.code, close.reason, close.wasClean) == (
        "close",
        1006,
        errors.DISCONNECTED_REASON,
        False,
    )


async def test_server_started_with_await_and_closed() -> None:
    server = await serve(echo)
    try:
        async with asyncio.timeout(10), ws_connect(server.url) as ws:
            await ws.send("awaited")
            assert await ws.recv() == "awaited"
    finally:
        await server.close()


async def test_closing_the_server_closes_connections_with_1001() -> None:
    w = Capture()
    async with asyncio.timeout(15):
        server = await serve(w)
        ws = await ws_connect(server.url)
        await until(lambda: bool(w.ends))
        await server.close()
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        await ws.wait_closed()
    assert ws.close_code == 1001
    await settle()
    assert w.logs[0].events[0].code == 1001  # as if the client had said "going away"


async def test_a_raising_listener_drops_the_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="cfws_playground")

    def boom(server: Any) -> None:
        def on_message(e: Any) -> None:
            server.send("before")
            raise RuntimeError("listener-boom")

        server.addEventListener("message", on_message)

    w = Capture(setup=boom)
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            await ws.send("x")
            assert await ws.recv() == "before"
            with pytest.raises(ConnectionClosedError):
                await ws.recv()
            assert ws.close_code == 1006 and ws.protocol.close_rcvd is None
        await until(lambda: "error" in w.logs[0].types)
    assert w.logs[0].of("error")[0].message == "Uncaught RuntimeError: listener-boom"


# ---------------------------------------------------------------------- size limits


async def test_oversize_message_gets_1009_and_an_error_event() -> None:
    w = Capture()
    async with asyncio.timeout(30), serve(w) as server:
        # No `async with`: closing again after the peer closed mid-send trips a
        # CPython 3.11 transport quirk in the client; waiting for the end is enough.
        ws = await ws_connect(server.url, compression=None)
        await ws.send(b"small first")
        await ws.send(b"\0" * (LIMIT + 1))
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        await ws.wait_closed()
        assert ws.close_code == 1009
        assert ws.close_reason == f"Message is too large: {LIMIT + 1} > {LIMIT}"
        await until(lambda: "error" in w.logs[0].types)
    log = w.logs[0]
    assert log.types == ["message", "error"]  # no close event
    assert log.events[1].message == (
        "Uncaught Error: WebSocket protocol error; protocolError.statusCode = 1009; "
        f"protocolError.description = Message is too large: {LIMIT + 1} > {LIMIT}"
    )
    assert log.states[1][1] == 3


async def test_exactly_the_limit_arrives() -> None:
    w = Capture()
    async with asyncio.timeout(30), serve(w) as server:
        async with ws_connect(server.url, compression=None) as ws:
            await ws.send(b"\1" * LIMIT)
            await until(lambda: bool(w.logs[0].events))
    assert len(w.logs[0].events[0].data) == LIMIT


async def test_the_limit_applies_after_inflation() -> None:
    w = Capture()
    async with asyncio.timeout(30), serve(w) as server:
        ws = await ws_connect(server.url)  # offers permessage-deflate
        assert "permessage-deflate" in ws.response.headers.get("Sec-WebSocket-Extensions", "")
        await ws.send(b"\0" * (40 << 20))
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        await ws.wait_closed()
        assert ws.close_code == 1009 and ws.close_reason.startswith("Message is too large: ")
        await until(lambda: "error" in w.logs[0].types)


# ---------------------------------------------------------------------- handshake


async def test_plain_get_gets_the_workers_own_response() -> None:
    async with asyncio.timeout(10), serve(echo) as server:
        status, headers, body = await http_get(
            server.port, b"GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
    assert (status, headers["x-worker"], body) == (426, "echo", b"Expected Upgrade: websocket")


async def test_pings_are_answered() -> None:
    async with asyncio.timeout(10), serve(echo) as server:
        async with ws_connect(server.url) as ws:
            latency = await (await ws.ping())
            assert latency >= 0


async def test_compression_is_negotiated_as_workerd_answers_it() -> None:
    async with asyncio.timeout(10), serve(echo) as server:
        async with ws_connect(server.url) as ws:
            assert (
                ws.response.headers["Sec-WebSocket-Extensions"]
                == "permessage-deflate; client_max_window_bits=15"
            )
            await ws.send("z" * 10_000)
            assert await ws.recv() == "z" * 10_000
        raw = (
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
        )
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        await writer.wait_closed()
    assert head.startswith(b"HTTP/1.1 101") and b"permessage-deflate" in head  # a bare offer works too


async def test_no_compression_before_2023_08_15() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w, compatibility=compatibility(date="2023-01-01")) as server:
        async with ws_connect(server.url) as ws:
            assert ws.response.headers.get("Sec-WebSocket-Extensions") is None


async def test_subprotocol_only_when_the_worker_names_one() -> None:
    async with asyncio.timeout(10):
        async with serve(Capture()) as server, ws_connect(server.url, subprotocols=["chat"]) as ws:
            assert ws.subprotocol is None
        w = Capture(headers={"Sec-WebSocket-Protocol": "chat"})
        async with serve(w) as server, ws_connect(server.url, subprotocols=["chat"]) as ws:
            assert ws.subprotocol == "chat"


async def test_returning_an_accepted_end_gives_101_then_a_drop(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder()

    async def fetch(request: Request) -> Response:
        client, server = WebSocketPair()
        client.accept()
        return Response(None, status=101, webSocket=client)

    async with asyncio.timeout(10), serve(fetch, recorder=rec) as server:
        async with ws_connect(server.url) as ws:  # the 101 arrives
            with pytest.raises(ConnectionClosedError):
                await ws.recv()
            assert ws.close_code == 1006
    assert errors.COUPLE_ACCEPTED in caplog.text
    assert any(r.kind == "note" and errors.COUPLE_ACCEPTED in r.args[0] for r in rec.records)


async def test_websocket_for_a_request_without_upgrade_fails(caplog: pytest.LogCaptureFixture) -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        status, _, _ = await http_get(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 500
    assert errors.COUPLE_NO_UPGRADE in caplog.text


# ---------------------------------------------------------------------- bad input


async def test_bad_input_gets_clean_errors_and_the_server_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cfws_playground")

    async def fetch(request: Request) -> Any:
        if request.url.endswith("/raise"):
            raise ValueError("worker bug")
        if request.url.endswith("/none"):
            return None
        return await echo(request)

    async with asyncio.timeout(20), serve(fetch) as server:
        no_key = (
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        assert (await http_get(server.port, no_key))[0] == 400
        bad_version = no_key.replace(
            b"\r\n\r\n", b"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ).replace(b"Version: 13", b"Version: 8")
        assert (await http_get(server.port, bad_version))[0] == 400
        status, _, _ = await http_get(server.port, b"NOT HTTP AT ALL\r\n\r\n")
        assert status >= 400
        assert (await http_get(server.port, b"GET /raise HTTP/1.1\r\nHost: x\r\n\r\n"))[0] == 500
        assert (await http_get(server.port, b"GET /none HTTP/1.1\r\nHost: x\r\n\r\n"))[0] == 500
        for path in ("raise", "none"):
            with pytest.raises(InvalidStatus) as info:
                async with ws_connect(server.url + path):
                    pass
            assert info.value.response.status_code == 500
        async with ws_connect(server.url) as ws:
            await ws.send("still serving")
            assert await ws.recv() == "still serving"
    assert "malformed WebSocket upgrade" in caplog.text
    assert "Uncaught ValueError: worker bug" in caplog.text
    assert "did not resolve to 'Response'" in caplog.text


def test_loopback_detection() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.2")


# ---------------------------------------------------------------------- recorder


async def test_the_recorder_shows_network_messages_arriving() -> None:
    rec = Recorder()
    async with asyncio.timeout(10), serve(echo, recorder=rec) as server:
        async with ws_connect(server.url) as ws:
            await ws.send("from the client")
            await ws.recv()
    steps = [r.step for r in rec.records]
    assert steps.index("[network] send('from the client')") < steps.index("← message 'from the client'")
    assert "[network] connection closed" in steps


# ---------------------------------------------------------------------- load and flow control


def _open_sockets() -> int:
    import socket

    return sum(1 for o in gc.get_objects() if isinstance(o, socket.socket) and o.fileno() != -1)


@pytest.mark.slow
async def test_200_clients_x_100_messages_in_order_and_nothing_left_behind() -> None:
    tasks_before = len(asyncio.all_tasks())
    gc.collect()
    sockets_before = _open_sockets()
    async with asyncio.timeout(100):
        async with serve(echo) as server:

            async def client(k: int) -> list[Any]:
                async with ws_connect(server.url, compression=None, max_queue=None) as ws:
                    for i in range(100):
                        await ws.send(f"{k}:{i}")
                    return [await ws.recv() for _ in range(100)]

            results = await asyncio.gather(*(client(k) for k in range(200)))
            assert all(r == [f"{k}:{i}" for i in range(100)] for k, r in enumerate(results))
            await until(lambda: not server._links)
        await asyncio.sleep(0)
    assert len(asyncio.all_tasks()) == tasks_before
    gc.collect()
    assert _open_sockets() == sockets_before


@pytest.mark.slow
async def test_200_clients_dropped_mid_stream_then_a_new_client_is_served() -> None:
    w = Capture(setup=lambda s: s.addEventListener("message", lambda e: s.send(e.data)))
    async with asyncio.timeout(100):
        async with serve(w) as server:

            async def dropper(k: int) -> None:
                ws = await ws_connect(server.url, compression=None)
                for i in range(20):
                    await ws.send(f"{k}:{i}")
                await ws.recv()
                ws.transport.abort()
                await ws.wait_closed()

            await asyncio.gather(*(dropper(k) for k in range(200)))
            await until(lambda: all("close" in log.types for log in w.logs))
            assert all(log.of("close")[0].code == 1006 for log in w.logs)
            async with ws_connect(server.url) as ws:
                await ws.send("fresh")
                assert await ws.recv() == "fresh"
            await until(lambda: not server._links)


async def test_a_slow_worker_makes_the_bridge_stop_reading() -> None:
    """The Worker's end is accepted late: unread messages stay bounded, none is lost."""
    w = Capture(accept=False)
    n, size = 4000, 8192  # 32 MiB: well over what the kernel's socket buffers hold
    async with asyncio.timeout(60), serve(w) as server:
        async with ws_connect(server.url, compression=None) as ws:
            sender = asyncio.create_task(_send_many(ws, n, size))
            await until(lambda: bool(w.ends))
            end = w.ends[0]
            coupled = end._peer
            peak = 0
            for _ in range(100):
                await asyncio.sleep(0.005)
                peak = max(peak, len(coupled._outgoing))
            assert not sender.done()  # TCP backpressure reached the client
            end.accept()
            await sender
            await until(lambda: len(w.logs[0].of("message")) == n)
            # Reading stops at HIGH_WATER; frames already read in that socket read
            # (at most 256 KiB, 32 of these) still go to the Worker.
            assert 0 < peak <= HIGH_WATER + 32  # replies wait on the server, but only so many
    assert [bytes(e.data[:4]) for e in w.logs[0].of("message")] == [i.to_bytes(4, "big") for i in range(n)]


async def test_a_client_that_does_not_read_is_not_read_from_either() -> None:
    """Echo replies a client leaves unread stay bounded on the server; none is lost."""
    n, size = 4000, 8192  # 32 MiB: well over what the socket buffers hold
    peak = 0
    w = Capture(setup=lambda s: s.addEventListener("message", lambda e: s.send(e.data)))
    async with asyncio.timeout(60), serve(w) as server:
        async with ws_connect(server.url, compression=None) as ws:  # its queue fills, then it stops reading
            sender = asyncio.create_task(_send_many(ws, n, size))
            await until(lambda: bool(w.ends))
            for _ in range(100):
                await asyncio.sleep(0.005)
                peak = max(peak, len(w.ends[0]._outgoing))
            assert not sender.done()  # the client met TCP backpressure
            got = [await ws.recv() for _ in range(n)]
            await sender
    assert 0 < peak <= HIGH_WATER + 32  # replies wait on the server, but only so many
    assert [bytes(m[:4]) for m in got] == [i.to_bytes(4, "big") for i in range(n)]


async def _send_many(ws: Any, n: int, size: int) -> None:
    for i in range(n):
        await ws.send(i.to_bytes(4, "big") + bytes(size - 4))


def test_zlib_available() -> None:  # the deflate scenarios need it
    assert zlib.compress(b"x")
