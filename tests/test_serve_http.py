"""serve()'s HTTP/1.1 edge against hostile input: RFC 9112's answers, and the limits Workers document.

Every test binds 127.0.0.1 on port 0, runs under a hard asyncio timeout, and
stops every server and client it starts. Limits are made small through
:class:`~cfws_playground.bridge.Limits` so that nothing here waits for real
deadlines.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

import pytest

from cfws_playground import Request, Response, serve
from cfws_playground.bridge import Limits

HOST = b"Host: x\r\n"


async def echo_url(request: Request) -> Response:
    body = await request.text()
    return Response(f"{request.method} {request.url} {body}")


async def until(cond: Callable[[], bool]) -> None:
    while not cond():
        await asyncio.sleep(0.002)


async def exchange(
    port: int, *pieces: bytes, pause: float = 0.0, read_all: bool = True
) -> tuple[list[int], bytes]:
    """Write ``pieces`` (pausing between them) while reading; return every status code and the raw answer.

    Reading runs beside writing, so an answer the server sends before it hangs
    up is kept even when the hang-up resets what is still being written.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()

    async def read() -> None:
        try:
            while chunk := await reader.read(65536):
                received.extend(chunk)
                if not read_all and b"\r\n\r\n" in received:
                    return
        except ConnectionError:
            pass

    reading = asyncio.create_task(read())
    try:
        for piece in pieces:
            if reading.done():
                break  # the server has answered and hung up
            writer.write(piece)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
    except ConnectionError:
        pass
    try:
        await reading
    finally:
        writer.transport.abort()
    data = bytes(received)
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]
    return statuses, data


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------------- request smuggling


async def test_content_length_with_transfer_encoding_is_read_by_transfer_encoding_then_the_connection_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """RFC 9112 §6.1: process by Transfer-Encoding alone (or reject), and close after responding.

    workerd 2026-11-23 answers such a request (200, ``Connection: close``) and
    closes: the request smuggled after the chunked body is never served.
    """
    seen: list[str] = []

    async def fetch(request: Request) -> Response:
        seen.append(f"{request.url} {len(await request.text())}")
        return Response("ok")

    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    attack = (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        + smuggled
    )
    async with asyncio.timeout(10), serve(fetch) as server:
        statuses, data = await exchange(server.port, attack)  # reads to the end: the server closes
    assert statuses == [200]
    assert b"connection: close" in data.lower()
    assert seen == ["http://x/ 0"]
    assert any("Content-Length and Transfer-Encoding" in line for line in warnings_of(caplog))


# ---------------------------------------------------------------------- Host and request-target


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nHost: x@evil.invalid\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: evil.invalid/path\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x:port\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET @evil.invalid/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET evil.invalid/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET http://user@evil.invalid/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET http://[::1/ HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
async def test_an_invalid_host_or_request_target_is_400_and_the_worker_never_sees_it(head: bytes) -> None:
    """RFC 9112 §3.2: 400 for a missing, repeated or invalid Host; §3.2.1-4 for the target's forms."""
    seen: list[str] = []

    async def fetch(request: Request) -> Response:
        seen.append(request.url)
        return Response("ok")

    async with asyncio.timeout(10), serve(fetch) as server:
        statuses, _ = await exchange(server.port, head)
    assert (statuses, seen) == ([400], [])


@pytest.mark.parametrize(
    ("head", "url"),
    [
        (b"GET /a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", "http://example.com/a/b?q=1"),
        (b"GET / HTTP/1.1\r\nHost: Example.COM:8080\r\n\r\n", "http://example.com:8080/"),
        (b"GET / HTTP/1.1\r\nHost: [::1]:8787\r\n\r\n", "http://[::1]:8787/"),
        (b"GET //evil.invalid/x HTTP/1.1\r\nHost: example.com\r\n\r\n", "http://example.com//evil.invalid/x"),
        # absolute-form: the target's authority wins over Host (RFC 9112 §3.2.2)
        (b"GET http://example.com/p HTTP/1.1\r\nHost: other\r\n\r\n", "http://example.com/p"),
        (b"OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n", "http://example.com/"),
        (b"GET / HTTP/1.0\r\n\r\n", "http://127.0.0.1:{port}/"),
    ],
)
async def test_the_url_the_worker_sees_is_built_from_the_parsed_host_and_target(
    head: bytes, url: str
) -> None:
    async with asyncio.timeout(10), serve(echo_url) as server:
        statuses, data = await exchange(
            server.port, head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
        )
        expected = url.format(port=server.port)
    assert statuses == [200]
    assert data.split(b"\r\n\r\n", 1)[1].split(b" ")[1].decode() == expected


async def test_a_url_over_16_kb_is_414() -> None:
    """Workers: "URLs have a limit of 16 KB" (developers.cloudflare.com/workers/platform/limits/)."""
    rest = b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    async with asyncio.timeout(10), serve(echo_url) as server:
        ok, _ = await exchange(server.port, b"GET /" + b"a" * ((16 << 10) - 1) + rest)
        long, _ = await exchange(server.port, b"GET /" + b"a" * (16 << 10) + rest)
    assert (ok, long) == ([200], [414])


async def test_connect_is_501_this_server_is_no_proxy() -> None:
    async with asyncio.timeout(10), serve(echo_url) as server:
        statuses, _ = await exchange(
            server.port, b"CONNECT evil.invalid:443 HTTP/1.1\r\nHost: evil.invalid:443\r\n\r\n"
        )
    assert statuses == [501]


# ---------------------------------------------------------------------- the head: one limit, one deadline


def _head_of(size: int) -> bytes:
    """A GET head of exactly ``size`` bytes, most of them in one header."""
    start, end = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", b"\r\nConnection: close\r\n\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


@pytest.mark.parametrize("piece", [1 << 30, 1024, 7])
async def test_the_head_limit_is_the_same_however_the_head_is_split(piece: int) -> None:
    """Workers: "Request headers observe a total limit of 128 KB"; one limit for the whole head."""
    limit = Limits().max_head
    async with asyncio.timeout(20), serve(echo_url) as server:
        for size, status in ((limit, 200), (limit + 1, 431)):
            head = _head_of(size)
            pieces = [head[i : i + piece] for i in range(0, len(head), piece)]
            statuses, _ = await exchange(server.port, *pieces)
            assert statuses == [status], size


async def test_a_head_sent_a_byte_at_a_time_meets_its_deadline(caplog: pytest.LogCaptureFixture) -> None:
    """Slowloris: every byte used to restart the idle timer; the head now has one deadline."""
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    async with asyncio.timeout(10), serve(echo_url, limits=Limits(head_timeout=0.3)) as server:
        statuses, _ = await exchange(server.port, *[head[i : i + 1] for i in range(len(head))], pause=0.01)
        await until(lambda: not server.connections)
    assert statuses == [408]
    assert any("408 Request Timeout" in line for line in warnings_of(caplog))


async def test_a_keep_alive_connection_gets_a_fresh_head_deadline_for_each_request() -> None:
    async with asyncio.timeout(10), serve(echo_url, limits=Limits(head_timeout=0.3)) as server:
        one = b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
        last = b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        statuses, _ = await exchange(server.port, one, one, last, pause=0.2)
    assert statuses == [200, 200, 200]


async def test_connections_over_the_cap_get_503_and_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    async with asyncio.timeout(10), serve(echo_url, limits=Limits(max_connections=3)) as server:
        idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(3)]
        await until(lambda: server.connections == 3)
        for _ in range(5):
            statuses, data = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert statuses == [503], data
        for _, writer in idle:
            writer.transport.abort()
        await until(lambda: not server.connections)
        statuses, _ = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert statuses == [200]
    capped = [line for line in warnings_of(caplog) if "connection cap" in line]
    assert len(capped) == 1, capped
    assert "3 connections open" in capped[0] and "503" in capped[0]


# ---------------------------------------------------------------------- bodies


async def test_a_content_length_over_the_body_limit_is_413_before_the_body_is_sent() -> None:
    """Workers' Free and Pro plans: 100 MB; 413 "Request entity too large" (platform/limits)."""
    async with asyncio.timeout(10), serve(echo_url) as server:
        statuses, data = await exchange(
            server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000001\r\n\r\n", read_all=False
        )
        ok, _ = await exchange(
            server.port, b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"
        )
    assert statuses == [413] and b"Connection: close" in data
    assert ok == [200]


async def test_a_chunked_body_over_the_limit_is_413() -> None:
    async with asyncio.timeout(10), serve(echo_url, limits=Limits(max_body=100)) as server:
        head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        statuses, _ = await exchange(
            server.port, head, b"40\r\n" + b"a" * 64 + b"\r\n", b"40\r\n" + b"a" * 64
        )
        declared, _ = await exchange(server.port, head + b"65\r\n", read_all=True)
    assert statuses == [413]
    assert declared == [413]  # a chunk declared bigger than the limit: refused before it arrives


async def test_bodies_in_flight_share_one_byte_budget() -> None:
    started = asyncio.Event()

    async def slow(request: Request) -> Response:
        started.set()
        await asyncio.sleep(0.5)
        return Response(str(len(await request.text())))

    limits = Limits(max_body=1000, body_budget=1500)
    async with asyncio.timeout(10), serve(slow, limits=limits) as server:
        first = asyncio.create_task(
            exchange(server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n" + b"a" * 800)
        )
        await started.wait()
        statuses, data = await exchange(
            server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n", read_all=False
        )
        assert statuses == [503] and b"Retry-After" in data
        first.cancel()
        await until(lambda: not server.connections)
        ok, _ = await exchange(
            server.port,
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 800\r\n\r\n" + b"a" * 800,
        )
    assert ok == [200]


# ---------------------------------------------------------------------- smaller gaps


@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/3.0", b"HTTP/0.9"])
async def test_a_version_other_than_1_x_is_505(version: bytes) -> None:
    """RFC 9110 §15.6.6: 505 for a major version the server does not support."""
    async with asyncio.timeout(10), serve(echo_url) as server:
        statuses, _ = await exchange(server.port, b"GET / " + version + b"\r\nHost: x\r\n\r\n")
    assert statuses == [505]


async def test_a_chunk_size_that_no_body_could_fill_is_400() -> None:
    """A 19-digit chunk size (2^76 bytes) is answered at once, not waited for."""
    async with asyncio.timeout(5), serve(echo_url) as server:
        head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        statuses, _ = await exchange(server.port, head + b"1" * 19 + b"\r\nabc")
    assert statuses == [400]


async def test_every_logged_field_is_escaped_c1_controls_and_the_host_included(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cfws_playground")

    async def fetch(request: Request) -> Response:
        raise ValueError("bad \x9b[2J \x1b[31m" + request.url)

    csi = "\u009b".encode()  # the one-byte terminal escape introducer, as UTF-8
    async with asyncio.timeout(10), serve(fetch) as server:
        await exchange(server.port, b"GET /" + csi + b"x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h" + csi + b"[2J\r\nConnection: close\r\n\r\n")
        await exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\x7f\r\n\r\n")
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("cfws_playground")]
    assert messages
    texts = messages + [caplog.text]
    for text in texts:
        bad = [c for c in text.replace("\n", "") if ord(c) < 32 or 0x7F <= ord(c) <= 0x9F]
        assert not bad, text
    assert "\\x9b" in caplog.text
