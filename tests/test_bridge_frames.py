"""serve()'s frame layer against a raw RFC 6455 client: what workerd's kj accepts, refuses, and how TCP ends.

Every case was measured on workerd first (library scenarios ``wire-raw-*``).
The server's close timer is set to an hour in these tests, so a connection
that ends does so because the bridge ended it, not because a timer ran out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from cfws_playground import Request, Response, WebSocketPair, serve
from cfws_playground.bridge import connection as connection_module
from cfws_playground.dispatch import settle
from cfws_playground.fidelity.rawclient import RawClient, ServerFrame, encode_frame

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
        client.send(data)
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
