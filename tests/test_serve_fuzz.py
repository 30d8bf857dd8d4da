"""Property tests of serve()'s HTTP head: valid and invalid requests, split at random into TCP writes.

For every request the properties are the same: the answer is the one RFC 9112
(or Workers' documented limits) gives, whatever the split; the server still
serves; and nothing stays behind (no connection, no byte of the body budget,
no request context). Each example runs a real ``serve()`` on 127.0.0.1, port 0.

Two sizes: ``test_http_heads_split_anyhow_quick`` (30 examples) runs with the
quick tests; ``test_http_heads_split_anyhow_campaign`` is the CI campaign,
``CAMPAIGN_EXAMPLES`` = 3,000 examples (30-60 s on one core), marked slow. Process
memory over the campaign is checked too.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cfws_playground import Request, Response, serve
from cfws_playground.bridge import Limits

CAMPAIGN_EXAMPLES = 3000
LIMITS = Limits(max_head=4096, max_url=1024, max_body=4096, body_budget=64 << 10, head_timeout=5)


async def echo(request: Request) -> Response:
    body = await request.text()
    return Response(f"{request.method} {request.url} {len(body)}")


@dataclass(frozen=True)
class Case:
    """Request bytes and the status RFC 9112 or the limits give them."""

    data: bytes
    status: int
    why: str


_TOKEN = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
_VALUE = st.text("abcdefghijklmnopqrstuvwxyzABC 0123456789;=,/:-_", max_size=40).map(str.strip)
_PATH = st.text("abcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%2F", max_size=60).map(
    lambda p: "/" + p.replace("%", "%25").replace("%252F", "%2F")
)
_HOST = st.sampled_from(["example.com", "x", "127.0.0.1:8787", "[::1]", "a-b.c_d:80", "EXAMPLE.org:1"])
_METHOD = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])


@st.composite
def valid(draw: st.DrawFn) -> Case:
    method, path, host = draw(_METHOD), draw(_PATH), draw(_HOST)
    headers = [(f"x-{draw(_TOKEN)}", draw(_VALUE)) for _ in range(draw(st.integers(0, 4)))]
    body = draw(st.binary(max_size=300)) if method in ("POST", "PUT", "PATCH") else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{n}: {v}" for n, v in headers)]
    lines.append("Connection: close")
    if body and draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
        chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True) if b > a]
        framed = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        lines.append("Transfer-Encoding: chunked")
    else:
        framed = body
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
    return Case(("\r\n".join(lines) + "\r\n\r\n").encode() + framed, 200, "valid")


_BAD_HOSTS = ["x@evil.invalid", "evil.invalid/p", "a b", "x:port", "x:99999", "[::1", "ex%41mple.com", ""]
_BAD_TARGETS = ["@evil.invalid/", "evil/", "*", "http://u@evil/", "/a#frag", "/a<b>", "/\\evil"]


@st.composite
def invalid(draw: st.DrawFn) -> Case:
    kind = draw(
        st.sampled_from(["smuggle", "host", "hosts", "target", "version", "chunk", "head", "url", "body"])
    )
    host = draw(_HOST)
    if kind == "smuggle":
        data = f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        # Read by Transfer-Encoding and answered, then closed: the smuggled GET is never served.
        return Case(data.encode() + b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 200, kind)
    if kind == "host":
        return Case(
            f"GET / HTTP/1.1\r\nHost: {draw(st.sampled_from(_BAD_HOSTS))}\r\n\r\n".encode(), 400, kind
        )
    if kind == "hosts":
        return Case(f"GET / HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n".encode(), 400, kind)
    if kind == "target":
        target = draw(st.sampled_from(_BAD_TARGETS))
        return Case(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), 400, kind)
    if kind == "version":
        version = draw(st.sampled_from(["2.0", "3.0", "0.9", "9.9"]))
        return Case(f"GET / HTTP/{version}\r\nHost: {host}\r\n\r\n".encode(), 505, kind)
    if kind == "chunk":
        digits = "1" * draw(st.integers(17, 20))
        data = f"POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n{digits}\r\nabc"
        return Case(data.encode(), 400, kind)
    if kind == "head":
        size = draw(st.integers(LIMITS.max_head + 1, 3 * LIMITS.max_head))
        return Case(f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {'a' * size}\r\n\r\n".encode(), 431, kind)
    if kind == "url":
        path = "/" + "a" * draw(st.integers(LIMITS.max_url, 2 * LIMITS.max_url))
        return Case(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), 414, kind)
    length = draw(st.integers(LIMITS.max_body + 1, 10**15))
    return Case(f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n\r\nabc".encode(), 413, kind)


async def _until(cond: object, timeout: float = 5.0) -> None:
    assert callable(cond)
    async with asyncio.timeout(timeout):
        while not cond():
            await asyncio.sleep(0.001)


async def _run(case: Case, cuts: list[int]) -> None:
    pieces = [case.data[a:b] for a, b in zip([0, *cuts], [*cuts, len(case.data)], strict=True) if b > a]
    async with asyncio.timeout(20), serve(echo, limits=LIMITS) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            for piece in pieces:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0)  # let the server read this piece on its own
        except ConnectionError:
            pass  # refused mid-request: the answer is already on its way
        received = bytearray()
        try:
            while chunk := await reader.read(65536):
                received.extend(chunk)
        except ConnectionError:
            pass
        writer.transport.abort()
        statuses = [int(s) for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", bytes(received)[:200])]
        assert statuses[:1] == [case.status], (case.why, bytes(received)[:200])
        # Nothing stays behind ...
        await _until(lambda: not server.connections and not server._contexts)
        assert server._body_bytes == 0
        # ... and the server still serves.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 200 ")
        writer.close()
        await writer.wait_closed()


def _property(case: Case, cut_points: list[int]) -> None:
    cuts = sorted({c % (len(case.data) + 1) for c in cut_points})
    asyncio.run(_run(case, cuts))


_CASES = st.one_of(valid(), invalid())
_CUTS = st.lists(st.integers(0, 1 << 20), max_size=24)
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=30, **_SETTINGS)
@given(case=_CASES, cut_points=_CUTS)
def test_http_heads_split_anyhow_quick(case: Case, cut_points: list[int]) -> None:
    _property(case, cut_points)


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.slow
def test_http_heads_split_anyhow_campaign() -> None:
    """The CI campaign: CAMPAIGN_EXAMPLES requests; the process grows by less than 40 MB over it."""

    @settings(max_examples=CAMPAIGN_EXAMPLES, database=None, **_SETTINGS)
    @given(case=_CASES, cut_points=_CUTS)
    def campaign(case: Case, cut_points: list[int]) -> None:
        _property(case, cut_points)

    _property(Case(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200, "warm-up"), [])
    before = _rss()
    campaign()
    assert _rss() - before < 40 << 20
