"""serve()'s frame layer against a raw RFC 6455 client: what workerd's kj accepts, refuses, and how TCP ends.

Every case was measured on workerd first (library scenarios ``wire-raw-*``).
The server's close timer is set to an hour in these tests, so a connection
that ends does so because the bridge ended it, not because a timer ran out.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from cfws_playground import Request, Response, WebSocketPair, serve
from cfws_playground.bridge import connection as connection_module
from cfws_playground.dispatch import settle
from cfws_playground.fidelity.rawclient import RawClient, ServerFrame, encode_frame

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.memory import MemoryServer  # noqa: E402

NOT_NEGOTIATED = (
    "Received a WebSocket frame whose compression bit was set, but the compression "
    "extension was not negotiated for this connection."
)


class Echo:
    """A Worker that echoes (arraybuffer), answers Closes automatically, and logs its end's events."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def fetch(self, request: Request) -> Response:
        client, server = WebSocketPair()
        server.accept()
        server.binaryType = "arraybuffer"
        for kind in ("message", "close", "error"):
            server.addEventListener(kind, self.events.append)
        server.addEventListener("message", lambda e: server.send(e.data))
        return Response(None, status=101, webSocket=client)


@pytest.fixture(autouse=True)
def no_close_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "CLOSE_TIMEOUT", 3600.0)


async def until(cond: Callable[[], bool]) -> None:
    while not cond():
        await asyncio.sleep(0.002)


async def exchange(data: bytes, worker: Echo | None = None) -> tuple[list[ServerFrame], str, Echo]:
    """Send ``data`` after the handshake; return every frame the server sent and how TCP ended."""
    worker = worker or Echo()
    async with asyncio.timeout(20), serve(worker.fetch) as server:
        client = await RawClient.connect("127.0.0.1", server.port, "/")
        assert client.status == 101
        await client.send(data)
        frames = []
        while (frame := await client.next_frame(wait=3600)) is not None:
            frames.append(frame)
        client.abort()
        await until(lambda: not server.connections)
        await settle()  # the Worker's last events
    assert client.ended is not None
    return frames, client.ended, worker


def close_of(frame: ServerFrame) -> tuple[int, bytes]:
    assert frame.opcode == 8
    return int.from_bytes(frame.payload[:2], "big"), frame.payload[2:]


BYE = encode_frame(8, b"\x03\xe8bye")

# ---------------------------------------------------------------------- refused: kj's 1002 and text


REFUSED = {
    "reserved opcode 3": (encode_frame(3, b"x"), "Unknown opcode 3"),
    "reserved control opcode 11": (encode_frame(11, b"x"), "Unknown opcode 11"),
    "RSV2": (encode_frame(1, b"hi", rsv=2), "Received frame had RSV bits 2 or 3 set"),
    "RSV3": (encode_frame(1, b"hi", rsv=1), "Received frame had RSV bits 2 or 3 set"),
    "RSV1 without deflate": (encode_frame(1, b"hi", rsv=4), NOT_NEGOTIATED),
    "fragmented ping": (encode_frame(9, b"x", fin=False), "Received fragmented control frame"),
    "continuation alone": (encode_frame(0, b"x"), "Unexpected continuation frame"),
    "text inside a fragmented message": (
        encode_frame(1, b"a", fin=False) + encode_frame(1, b"b"),
        "Missing continuation frame",
    ),
    "fragmented reserved opcode": (
        encode_frame(3, b"a", fin=False) + encode_frame(0, b"b"),
        "Unknown opcode 3",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_refused_frame_gets_1002_with_kjs_text_then_the_connection_ends(case: str) -> None:
    data, text = REFUSED[case]
    frames, ended, worker = await exchange(data + BYE)  # the client's Close right behind it
    assert [close_of(f) for f in frames] == [(1002, text.encode())]
    assert ended in ("ended", "reset")  # at once: the client's Close is not waited for
    assert [e.type for e in worker.events] == ["error"]
    assert f"protocolError.description = {text}" in str(worker.events[0].error)


async def test_reserved_opcode_then_the_clients_close_ends_the_connection_without_the_timer() -> None:
    # Before: the 1002 went out, the rest of the stream was misread (the bad frame's
    # payload taken for the next header), the client's Close was missed, and TCP ended
    # only when the 10 s close timer ran out (here an hour: the test timed out).
    frames, ended, _ = await exchange(encode_frame(3, b"x") + BYE)
    assert [close_of(f) for f in frames] == [(1002, b"Unknown opcode 3")]
    assert ended in ("ended", "reset")


# ---------------------------------------------------------------------- accepted as workerd accepts


async def test_an_unmasked_frame_is_accepted_and_the_close_answered() -> None:
    # Before: 1002 "incorrect masking", then the connection hung like the opcode case.
    unmasked = encode_frame(1, b"hi", mask=None) + encode_frame(8, b"\x03\xe8bye", mask=None)
    frames, ended, worker = await exchange(unmasked)
    assert [str(f) for f in frames] == ['text "hi"', 'close 1000 "bye"']
    assert ended == "ended"
    assert [e.type for e in worker.events] == ["message", "close", "error"]  # the trailing error: traffic


async def test_text_that_is_not_utf8_arrives_with_replacement_characters() -> None:
    frames, _, worker = await exchange(encode_frame(1, b"a\xff\xed\xa0\x80b\xf0\x9f\x98") + BYE)
    assert worker.events[0].data == "a\ufffd\ufffd\ufffd\ufffdb\ufffd"
    assert str(frames[-1]) == 'close 1000 "bye"'


@pytest.mark.parametrize(
    ("payload", "echo", "code", "reason"),
    [
        (b"\x03", b"", 1005, ""),  # 1 byte: no code
        (b"\x03\xed", b"", 1005, ""),  # 1005 on the wire
        (b"\x03\xeex", b"\x03\xeex", 1006, "x"),
        (b"\x03\xf7", b"\x03\xf7", 1015, ""),
        (b"\x03\xe7", b"\x03\xe7", 999, ""),
        (b"\x13\x88x", b"\x13\x88x", 5000, "x"),
        (b"\x00\x00", b"\x00\x00", 0, ""),
        (b"\x03\xe8\xff", b"\x03\xe8\xff", 1000, "\ufffd"),  # the echo keeps the bytes
        (bytes(126), bytes(126), 0, "\x00" * 124),  # over 125 bytes
    ],
)
async def test_any_close_payload_reaches_the_worker_and_is_echoed(
    payload: bytes, echo: bytes, code: int, reason: str
) -> None:
    frames, ended, worker = await exchange(encode_frame(8, payload))
    assert [f.payload for f in frames] == [echo] and frames[0].opcode == 8
    assert ended == "ended"
    close = worker.events[0]
    assert (close.type, close.code, close.reason, close.wasClean) == ("close", code, reason, True)


async def test_pings_read_together_get_the_first_pong_and_the_last() -> None:
    pings = b"".join(encode_frame(9, bytes([n])) for n in b"1234")
    frames, _, _ = await exchange(pings + BYE)
    assert [f.payload for f in frames if f.opcode == 10] == [b"1", b"4"]


async def test_a_ping_over_125_bytes_gets_its_pong() -> None:
    frames, _, _ = await exchange(encode_frame(9, bytes(300)) + BYE)
    assert (frames[0].opcode, frames[0].payload) == (10, bytes(300))


async def test_nothing_after_the_clients_close_is_read() -> None:
    frames, ended, worker = await exchange(BYE + encode_frame(3, b"x") + encode_frame(1, b"late"))
    assert [str(f) for f in frames] == ['close 1000 "bye"']
    assert [e.type for e in worker.events] == ["close"]
    assert ended in ("ended", "reset")


async def test_a_close_inside_a_fragmented_message_is_a_close() -> None:
    frames, _, worker = await exchange(encode_frame(1, b"a", fin=False) + BYE)
    assert [str(f) for f in frames] == ['close 1000 "bye"']
    assert [e.type for e in worker.events] == ["close"]


# ---------------------------------------------------------------------- fuzzing the frame stream
#
# Random streams of valid and invalid frames, cut into random TCP writes, against
# one serve() that runs for the whole campaign in a child process. Each stream is
# answered as kj reads it (the model below, from the measured scenarios and kj's
# WebSocketImpl::receive), the server keeps serving, and its memory stays bounded.

CAMPAIGN = 4000  # streams per CI run (about a minute on a loaded 2-core machine)
KNOWN = {0, 1, 2, 8, 9, 10}


@dataclass(frozen=True)
class Spec:
    opcode: int
    payload: bytes
    fin: bool = True
    rsv: int = 0
    mask: bytes | None = b"\x00\x00\x00\x00"

    def __repr__(self) -> str:  # a 70,000-byte payload would make hypothesis' reports unreadable
        data = self.payload if len(self.payload) <= 32 else f"<{len(self.payload)} bytes>"
        return f"Spec({self.opcode}, {data!r}, fin={self.fin}, rsv={self.rsv}, mask={self.mask!r})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # hypothesis' printer: the same short form
        p.text(repr(self))

    def encode(self) -> bytes:
        return encode_frame(self.opcode, self.payload, fin=self.fin, rsv=self.rsv, mask=self.mask)


@dataclass
class Expected:
    messages: list[tuple[int, bytes]]  # the Worker's echoes, in order
    pongs: list[bytes]
    close: tuple[int, bytes] | None  # a refusal: (1002, kj's text)
    echo: bytes | None  # or the automatic reply to the client's Close: its payload


def kj_reads(frames: list[Spec]) -> Expected:
    """What workerd answers to ``frames`` (every stream ends with a Close or a refusal)."""
    out = Expected([], [], None, None)
    frag, frag_rsv1, parts = 0, False, []

    def refuse(text: str) -> Expected:
        out.close = (1002, text.encode())
        return out

    for f in frames:
        rsv1, is_data = bool(f.rsv & 4), f.opcode < 8
        if f.rsv & 3:
            return refuse("Received frame had RSV bits 2 or 3 set")
        if f.opcode == 0 and not frag:
            return refuse("Unexpected continuation frame")
        if is_data and f.opcode != 0 and frag:
            return refuse("Missing continuation frame")
        if not f.fin and not is_data:
            return refuse("Received fragmented control frame")
        if f.opcode == 9:
            out.pongs.append(f.payload)
            continue
        if f.opcode == 10:
            continue
        if not f.fin:
            if f.opcode != 0:
                frag, frag_rsv1, parts = f.opcode, rsv1, []
            parts.append(f.payload)
            continue
        first = frag if f.opcode == 0 else f.opcode
        if rsv1 or frag_rsv1:
            return refuse(NOT_NEGOTIATED)
        if first not in KNOWN:
            return refuse(f"Unknown opcode {first}")
        if f.opcode == 8:
            code = int.from_bytes(f.payload[:2], "big") if len(f.payload) >= 2 else 1005
            out.echo = b"" if code == 1005 else f.payload
            return out
        data = f.payload if f.opcode != 0 else b"".join([*parts, f.payload])
        if f.opcode == 0:
            frag, frag_rsv1 = 0, False
        out.messages.append((first, data))
    raise AssertionError("a stream ends with a Close")


def _is_subsequence(short: list[bytes], long: list[bytes]) -> bool:
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


def _payloads(max_size: int = 40) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=max_size),
        st.text(max_size=max_size // 4).map(lambda s: s.encode()),
        st.sampled_from([b"\xff", b"a\xed\xa0\x80b", b"\xf0\x9f\x98", bytes(126), bytes(70_000)]),
    )


_MASKS = st.one_of(st.none(), st.binary(min_size=4, max_size=4))
_RSV = st.sampled_from([0, 0, 0, 0, 0, 0, 1, 2, 4])


@st.composite
def _message(draw: st.DrawFn) -> list[Spec]:
    """A message, whole or fragmented (maybe with pings between the fragments), or one odd frame."""
    kind = draw(st.sampled_from(["text", "binary", "fragmented", "ping", "pong", "odd"]))
    mask = draw(_MASKS)
    if kind in ("text", "binary"):
        return [Spec(1 if kind == "text" else 2, draw(_payloads()), mask=mask)]
    if kind in ("ping", "pong"):
        return [Spec(9 if kind == "ping" else 10, draw(_payloads(200)), mask=mask)]
    if kind == "fragmented":
        pieces = draw(st.lists(st.binary(max_size=10), min_size=2, max_size=4))
        first = draw(st.sampled_from([1, 2, 1, 2, 3]))
        last = len(pieces) - 1
        out = [Spec(first if i == 0 else 0, p, fin=i == last, mask=mask) for i, p in enumerate(pieces)]
        if draw(st.booleans()):
            out.insert(1, Spec(9, b"p", mask=mask))
        return out
    return [
        Spec(
            draw(st.integers(0, 15)),
            draw(st.binary(max_size=8)),
            fin=draw(st.booleans()),
            rsv=draw(_RSV),
            mask=mask,
        )
    ]


@st.composite
def frame_streams(draw: st.DrawFn) -> list[Spec]:
    frames = [f for m in draw(st.lists(_message(), max_size=6)) for f in m]
    if draw(st.booleans()):  # an odd Close: any payload, any code
        frames.append(Spec(8, draw(st.binary(max_size=130)), mask=draw(_MASKS)))
    frames.append(Spec(8, b"\x03\xe8bye"))
    if draw(st.booleans()):  # something after the Close, never read
        frames.append(Spec(3, b"x"))
    return frames


async def _play(port: int, data: bytes, cuts: list[int]) -> tuple[list[ServerFrame], str]:
    async with asyncio.timeout(15):  # every stream ends with a Close or a refusal: the server ends it
        client = await RawClient.connect("127.0.0.1", port, "/")
        assert client.status == 101
        edges = [0, *sorted({c % (len(data) + 1) for c in cuts}), len(data)]
        for a, b in itertools.pairwise(edges):
            if a < b:
                await client.send(data[a:b])
        frames = []
        while (frame := await client.next_frame(wait=15)) is not None:
            frames.append(frame)
        client.abort()
    assert client.ended is not None
    return frames, client.ended


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads RSS from /proc (Linux)")
def test_random_frame_streams_in_random_writes_are_answered_as_kj_answers_them() -> None:
    # The echo Worker is served in a child process that samples its own RSS
    # (benchmarks/memory.py), so hypothesis' memory does not count.
    with MemoryServer() as server:
        streams = 0

        @settings(max_examples=CAMPAIGN, deadline=None, derandomize=True, database=None)
        @given(frames=frame_streams(), cuts=st.lists(st.integers(0, 1 << 20), max_size=8))
        def one(frames: list[Spec], cuts: list[int]) -> None:
            nonlocal streams
            expected = kj_reads(frames)
            got, ended = asyncio.run(_play(server.port, b"".join(f.encode() for f in frames), cuts))
            data = [f for f in got if f.opcode in (1, 2)]
            pongs = [f.payload for f in got if f.opcode == 10]
            closes = [f for f in got if f.opcode not in (1, 2, 10)]
            assert ended in ("ended", "reset")
            # A server that ends the connection with the client's bytes unread resets it
            # (workerd's kj as much as the kit), and a reset may overtake what was still
            # on its way: then the client has a prefix of the answer, maybe no Close.
            whole = ended == "ended" or bool(closes)
            assert len(closes) == (1 if whole else 0) and closes == got[len(got) - len(closes) :], got
            # Pings read together get the first pong and the last (kj's queuePong), so which
            # pongs come depends on how the writes were read; never one for an unsent ping,
            # never out of order, and (no refusal) always the last ping's.
            assert _is_subsequence(pongs, expected.pongs), (pongs, expected.pongs)
            if whole and expected.pongs and expected.close is None:
                assert pongs[-1] == expected.pongs[-1]
            # Text goes to the Worker as U+FFFD-replaced text, and comes back as that.
            want = [
                (op, p.decode("utf-8", "replace").encode() if op == 1 else p) for op, p in expected.messages
            ]
            echoed = [(f.opcode, f.payload) for f in data]
            if expected.close is not None or not whole:
                # The echoes of what came before a refusal may not have gone out yet.
                assert echoed == want[: len(echoed)]
            else:
                assert echoed == want
            if closes and expected.close is not None:
                assert close_of(closes[0]) == (expected.close[0], expected.close[1])
            elif closes:
                assert closes[0].payload == expected.echo
            streams += 1
            if streams == CAMPAIGN // 4:
                server.reset()  # warmed up: the recorder's window is full

        one()
        assert streams >= CAMPAIGN
        for _ in range(1000):  # the last connection's end, as the server sees it
            baseline, peak, now, conns = server.report()
            if not conns:
                break
        assert conns == 0
        mib = 1 << 20
        grew = (now - baseline) / mib
        assert grew < 16, f"RSS grew {grew:.1f} MiB over {streams} streams"
        assert (peak - baseline) / mib < 64
        frames, _ = asyncio.run(_play(server.port, encode_frame(1, b"still here") + BYE, []))
        assert [str(f) for f in frames] == ['text "still here"', 'close 1000 "bye"']
