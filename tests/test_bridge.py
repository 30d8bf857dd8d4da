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
from hypothesis import HealthCheck, given, settings, strategies as st
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
    """Send raw request bytes; read one response (its Content-Length, or to EOF without one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        status, headers, body = await read_response(reader, head_only=raw.startswith(b"HEAD"))
    finally:
        writer.close()
        await writer.wait_closed()
    return status, headers, body


async def read_response(
    reader: asyncio.StreamReader, head_only: bool = False
) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if head_only or status == 101:
        return status, headers, b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
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
        await until(lambda: len(w.logs[0].events) == 1)
        await asyncio.sleep(0.1)
    log = w.logs[0]
    # No message crossed the connection, so no trailing error (scenario: wire-client-close-4001).
    assert log.types == ["close"]
    assert (log.events[0].code, log.events[0].reason, log.events[0].wasClean) == (4001, "x", True)
    assert log.states[0][1] == 3


async def test_client_close_after_traffic_gets_the_trailing_error() -> None:
    # scenario: wire-echo-text
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            await ws.send("hi")
            await ws.close(1000, "bye")
        await until(lambda: len(w.logs[0].events) == 3)
    log = w.logs[0]
    assert log.types == ["message", "close", "error"]
    assert log.events[2].message == "Uncaught Error: Network connection lost."


async def test_client_empty_close_is_1005_and_echoed_empty() -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        async with ws_connect(server.url) as ws:
            ws.protocol.send_close()  # an empty Close frame (no code)
            ws.send_data()
            await ws.wait_closed()
            assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1005
        await until(lambda: len(w.logs[0].events) == 1)
    assert w.logs[0].events[0].code == 1005


async def test_legacy_client_close_gets_the_workers_own_reply() -> None:
    def reply(server: Any) -> None:
        server.addEventListener("close", lambda e: server.close(4002, "other"))

    w = Capture(setup=reply)
    async with asyncio.timeout(10), serve(w, compatibility=compatibility(date="2025-09-01")) as server:
        async with ws_connect(server.url) as ws:
            await ws.close(1000, "bye")
            assert (ws.close_code, ws.close_reason) == (4002, "other")
        await until(lambda: len(w.logs[0].events) == 1)
        await asyncio.sleep(0.1)
    log = w.logs[0]
    # scenario: wire-client-close-worker-answers-other (no message crossed: no trailing error)
    assert log.types == ["close"] and log.states[0][1] == 2


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


async def test_legacy_unanswered_close_keeps_the_connection_open_until_the_client_gives_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # workerd 2026-11-17 (workerd-observed.md §7); older binaries dropped it as hung.
    w = Capture()
    with compatibility(date="2025-09-01"):
        running = serve(w)  # takes the block's compatibility
    async with asyncio.timeout(15), running as server:
        loop = asyncio.get_running_loop()
        async with ws_connect(server.url, close_timeout=1) as ws:
            start = loop.time()
            await ws.close(1000, "bye")
            assert ws.close_code == 1006 and loop.time() - start >= 0.9  # the client's own timeout
        await until(lambda: not server.connections)
    assert "hung" not in caplog.text
    assert w.logs[0].types == ["close"]


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


async def test_invalid_utf8_text_arrives_with_replacement_characters() -> None:
    # measured (scenario wire-raw-text-invalid-utf8): workerd does not fail the
    # connection; the Worker gets U+FFFD for each bad sequence, as V8 decodes it.
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        ws = await ws_connect(server.url, compression=None)
        await until(lambda: bool(w.ends))
        ws.protocol.send_text(b"a\xed\xa0\x80b")  # WTF-8 for a lone surrogate: not UTF-8
        ws.send_data()
        await until(lambda: bool(w.logs[0].events))
        await ws.close()
    assert w.logs[0].events[0].data == "a\ufffd\ufffd\ufffdb"


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
        ws = await ws_connect(server.url, compression=None)
        await ws.send(b"small first")
        # As against workerd (scenario wire-message-over-32mib-1009): the server reads
        # the frame's header, sends its Close and drops the connection, so the send
        # fails after the client has read the 1009.
        with pytest.raises(ConnectionClosed):
            await ws.send(b"\0" * (LIMIT + 1))
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
        # workerd 2026-11-17: no byte counts when the message was deflated.
        assert (ws.close_code, ws.close_reason) == (1009, "Message is too large")
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
        async with ws_connect(server.url, close_timeout=0.2) as ws:  # no reply to Close at this date
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
        # workerd 2026-11-17's answers, once the Worker has returned its WebSocket.
        assert await http_get(server.port, no_key) == (
            400,
            {"connection": "close", "content-length": "32", "content-type": "text/plain"},
            b"ERROR: Missing Sec-WebSocket-Key",
        )
        bad_version = no_key.replace(
            b"\r\n\r\n", b"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ).replace(b"Version: 13", b"Version: 8")
        status, headers, body = await http_get(server.port, bad_version)
        assert (status, headers["sec-websocket-version"], body) == (
            426,
            "13",
            b"ERROR: The requested WebSocket version is not supported.",
        )
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
            await until(lambda: not server.connections)
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
            await until(lambda: not server.connections)


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
    # Replies wait on the server, unserialised, but only so many: reading stops when
    # either queue passes HIGH_WATER, and the messages already read (up to
    # HIGH_WATER, plus one socket read of 32) still get their replies.
    assert 0 < peak <= 2 * HIGH_WATER + 64
    assert [bytes(m[:4]) for m in got] == [i.to_bytes(4, "big") for i in range(n)]


async def _send_many(ws: Any, n: int, size: int) -> None:
    for i in range(n):
        await ws.send(i.to_bytes(4, "big") + bytes(size - 4))


def test_zlib_available() -> None:  # the deflate scenarios need it
    assert zlib.compress(b"x")


# ---------------------------------------------------------------------- the HTTP layer


async def methods(request: Request) -> Response:
    if request.is_websocket_upgrade:
        return await echo(request)
    body = await request.text()
    return Response(f"{request.method} {body}", headers={"X-Method": request.method})


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_every_method_reaches_the_worker_with_its_body(method: str) -> None:
    async with asyncio.timeout(10), serve(methods) as server:
        raw = f"{method} /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
        status, headers, body = await http_get(server.port, raw.encode())
    assert (status, headers["x-method"], body) == (200, method, f"{method} hello".encode())


async def test_head_gets_the_headers_and_no_body() -> None:
    async with asyncio.timeout(10), serve(methods) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await read_response(reader, head_only=True)
        get = await read_response(reader)  # the next response starts right after the head
        writer.close()
        await writer.wait_closed()
    assert head[0] == 200 and head[1]["content-length"] == "5" and head[1]["x-method"] == "HEAD"
    assert get[2] == b"GET "


async def test_keep_alive_pipelining_chunked_bodies_then_an_upgrade_on_one_connection() -> None:
    async with asyncio.timeout(10), serve(methods) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            b"PUT /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            b"\x81\x82\x00\x00\x00\x00hi"  # a masked text frame right behind the request
        )
        first, second, upgrade = [await read_response(reader) for _ in range(3)]
        frame = await reader.readexactly(4)
        writer.close()
        await writer.wait_closed()
    assert (first[0], first[2]) == (200, b"POST hello")
    assert (second[0], second[2]) == (200, b"PUT abc")
    assert upgrade[0] == 101 and "date" not in upgrade[1]  # workerd's 101 has no Date
    assert frame == b"\x81\x02hi"


async def test_request_json_and_array_buffer() -> None:
    async def fetch(request: Request) -> Response:
        data = await request.json()
        raw = await request.arrayBuffer()
        return Response(f"{data['n'] + 1} {len(raw)}")

    async with asyncio.timeout(10), serve(fetch) as server:
        raw = b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"n": 1}'
        assert (await http_get(server.port, raw))[2] == b"2 8"


@pytest.mark.parametrize("method", ["POST", "HEAD", "PUT"])
async def test_an_upgrade_that_is_not_a_get_gets_workerds_400(method: str) -> None:
    w = Capture()
    async with asyncio.timeout(10), serve(w) as server:
        raw = (
            f"{method} / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        status, headers, body = await http_get(server.port, raw.encode())
    assert len(w.ends) == 1  # the Worker was asked, as in workerd
    assert (status, headers["content-length"]) == (400, "54")
    assert body == (b"" if method == "HEAD" else b"ERROR: WebSocket must be initiated with a GET request.")


async def test_a_subprotocol_the_worker_sets_is_sent_even_when_not_offered() -> None:
    from websockets.exceptions import InvalidHandshake

    w = Capture(headers={"Sec-WebSocket-Protocol": "chat"})
    async with asyncio.timeout(10), serve(w) as server:
        with pytest.raises(InvalidHandshake):  # the client fails it, as it would in production
            async with ws_connect(server.url):
                pass
        status, headers, _ = await http_get(
            server.port,
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
    assert (status, headers["sec-websocket-protocol"]) == (101, "chat")


async def test_a_message_one_byte_over_the_limit_closes_a_websockets_client_with_1009() -> None:
    w = Capture()
    async with asyncio.timeout(30), serve(w) as server:
        async with ws_connect(server.url, compression=None) as ws:
            with pytest.raises(ConnectionClosed):  # reset mid-send, after our Close arrived
                await ws.send(b"\0" * (LIMIT + 1))
        assert ws.close_code == 1009
        assert ws.close_reason == f"Message is too large: {LIMIT + 1} > {LIMIT}"


async def test_junk_and_tls_get_one_escaped_log_line_each(caplog: pytest.LogCaptureFixture) -> None:
    async with asyncio.timeout(10), serve(echo) as server:
        hello = bytes.fromhex("16030100c4010000c00303") + b"\x00" * 40
        for raw in (b"GET /\x1b[31mred HTTP/1.1\r\nHost: x\r\n\r\n", hello, b"\x00\x01junk\r\n\r\n"):
            status, _, _ = await http_get(server.port, raw)
            assert status == 400
        assert (await http_get(server.port, b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))[
            0
        ] == 426
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 3 and all(line.startswith("[conn ") and "400 Bad Request" in line for line in lines)
    assert all(c not in "".join(lines) for c in "\x1b\x00\x16\r\n")
    assert "\\x16\\x03\\x01" in lines[1]


async def test_a_header_the_wire_cannot_carry_is_a_logged_500(caplog: pytest.LogCaptureFixture) -> None:
    async def fetch(request: Request) -> Response:
        return Response("x", headers={"X-Bad": "a\r\nSet-Cookie: injected"})

    async with asyncio.timeout(10), serve(fetch) as server:
        status, headers, _ = await http_get(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 500 and "set-cookie" not in headers
    assert "cannot go on the wire" in caplog.text and "Traceback" not in caplog.text


async def test_a_fetch_that_hangs_is_canceled_with_workerds_text(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfws_playground.bridge import connection

    monkeypatch.setattr(connection, "FETCH_TIMEOUT", 0.2)

    async def fetch(request: Request) -> Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with asyncio.timeout(10), serve(fetch) as server:
        status, _, _ = await http_get(server.port, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 500
    assert "had hung and would never generate a response" in caplog.text and "/slow" in caplog.text


def test_headers_get_takes_a_default() -> None:
    from cfws_playground import Headers

    h = Headers({"Upgrade": "websocket"})
    assert h.get("upgrade", "") == "websocket" and h.get("missing", "") == "" and h.get("missing") is None


# ---------------------------------------------------------------------- the request context


async def test_timers_and_tasks_of_a_request_end_with_it() -> None:
    """workerd drops a request's timers when it ends; the recorder says what was canceled."""
    fired: list[str] = []

    def setup(server: Any) -> None:
        loop = asyncio.get_running_loop()

        async def later() -> None:
            await asyncio.sleep(0.3)
            fired.append("task")

        def on_message(e: Any) -> None:
            loop.call_later(0.3, fired.append, "timer")  # setTimeout(..., 300)
            loop.create_task(later())
            server.send("armed")

        server.addEventListener("message", on_message)

    rec = Recorder()
    w = Capture(setup=setup)
    async with asyncio.timeout(10), serve(w, recorder=rec) as server:
        async with ws_connect(server.url) as ws:
            await ws.send("go")
            assert await ws.recv() == "armed"
        await until(lambda: not server.connections)
        await asyncio.sleep(0.5)
        # Another connection's timers are its own: they still fire.
        async with ws_connect(server.url) as ws:
            await ws.send("go")
            assert await ws.recv() == "armed"
            await until(lambda: len(fired) == 2)
    assert fired == ["timer", "task"]  # only the second connection's
    notes = [r.args[0] for r in rec.records if r.kind == "note" and r.name == "request ended"]
    # The listener's timer, and the one the task's sleep() set.
    assert notes[0] == "canceled 2 timer(s) and 1 task(s) the Worker started during the request"


async def test_wait_until_work_outlives_the_response_then_ends(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []

    async def fetch(request: Request, env: Any, ctx: Any) -> Response:
        async def after() -> None:
            await asyncio.sleep(0.1)
            done.append("waitUntil")

        ctx.waitUntil(after())
        return Response("ok")

    async with asyncio.timeout(10), serve(fetch) as server:
        assert (await http_get(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))[2] == b"ok"
        await asyncio.sleep(0.3)
    assert done == ["waitUntil"]


async def test_a_request_cut_short_is_logged_and_a_finished_one_is_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with asyncio.timeout(10), serve(methods) as server:
        await http_get(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive; then we hang up
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await until(lambda: not server.connections)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines == ["[conn 2] the client closed the connection in the middle of a request"]


async def test_expect_100_continue_gets_its_100_before_the_body() -> None:
    async with asyncio.timeout(10), serve(methods) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100 ")
        writer.write(b"body")
        status, _, body = await read_response(reader)
        writer.close()
        await writer.wait_closed()
    assert (status, body) == (200, b"PUT body")


_REQUEST_PARTS = st.sampled_from(
    [
        b"GET / HTTP/1.1\r\n",
        b"POST /p HTTP/1.1\r\n",
        b"HEAD / HTTP/1.0\r\n",
        b"Host: x\r\n",
        b"Content-Length: 3\r\n",
        b"Content-Length: -1\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Upgrade: websocket\r\n",
        b"Connection: Upgrade\r\n",
        b"Connection: close\r\n",
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
        b"Sec-WebSocket-Version: 13\r\n",
        b"Expect: 100-continue\r\n",
        b"\r\n",
        b"abc",
        b"3\r\nabc\r\n0\r\n\r\n",
        b"\x16\x03\x01\x00",
        b"\x00\xff\x1b[2J",
        b"\x81\x82\x00\x00\x00\x00hi",
        b"\x88\x80\x00\x00\x00\x00",
    ]
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.one_of(_REQUEST_PARTS, st.binary(max_size=40)), max_size=12))
def test_any_bytes_leave_at_most_one_log_line_per_connection_and_the_server_serving(
    chunks: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()

    async def run() -> None:
        async with asyncio.timeout(20), serve(methods) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"".join(chunks))
            await writer.drain()
            try:
                async with asyncio.timeout(0.3):
                    while await reader.read(65536):
                        pass
            except (TimeoutError, ConnectionError):
                pass
            writer.transport.abort()
            await until(lambda: not server.connections)
            async with ws_connect(server.url) as ws:  # still serving
                await ws.send("ok")
                assert await ws.recv() == "ok"

    asyncio.run(run())
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "cfws_playground"]
    assert len([r for r in problems if "[conn 1]" in r.getMessage()]) <= 1, [r.getMessage() for r in problems]
    assert not [r for r in problems if r.exc_info or r.name == "asyncio"], [r.getMessage() for r in problems]
    for r in problems:
        assert not any(ord(c) < 32 for c in r.getMessage())
