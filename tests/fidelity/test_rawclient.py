"""The raw RFC 6455 client's frames and step language, and how it tells a connection's end."""

from __future__ import annotations

import asyncio
import select
import socket

import pytest

from cfws_playground.fidelity.rawclient import MASK, RawClient, ServerFrame, encode_frame, parse_frame_step
from cfws_playground.fidelity.wire import compile_client, is_raw


def parsed(data: bytes) -> ServerFrame | None:
    a, b = socket.socketpair()
    try:
        client = RawClient(a)
        client.buffer += data
        return client._parse()
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize(("size", "head"), [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)])
def test_lengths_use_the_short_and_the_two_extended_forms(size: int, head: int) -> None:
    data = encode_frame(2, bytes(size), mask=None)
    assert len(data) == head + size
    frame = parsed(data)
    assert frame is not None and (frame.opcode, frame.payload, frame.masked) == (2, bytes(size), False)


def test_a_masked_frame_carries_the_fixed_key_and_unmasks_back() -> None:
    data = encode_frame(1, b"hello", rsv=4, fin=False)
    assert data[0] == 0x41 and data[1] == 0x85 and data[2:6] == MASK
    frame = parsed(data)
    assert frame is not None
    assert (frame.fin, frame.rsv, frame.payload, frame.masked) == (False, 4, b"hello", True)
    assert str(frame) == 'text "hello" fin=0 rsv=4 masked'


def test_an_incomplete_frame_is_not_parsed_yet() -> None:
    assert parsed(encode_frame(1, b"hello")[:-1]) is None
    assert parsed(b"\x82\x7f\x00") is None


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (b"", "close (no code)"),
        (b"\x03", "close (no code) ArrayBuffer[1] 03"),
        (b"\x03\xe8bye", 'close 1000 "bye"'),
        (b"\x03\xe8\xff", "close 1000 ArrayBuffer[1] ff"),
    ],
)
def test_close_frames_read_as_the_transcript_shows_them(payload: bytes, text: str) -> None:
    frame = parsed(encode_frame(8, payload, mask=None))
    assert frame is not None and str(frame) == text


def test_frame_steps_compile_to_the_bytes_they_name() -> None:
    assert parse_frame_step("text 'hi' mask=0") == b"\x81\x02hi"
    assert parse_frame_step("3 b'x' fin=0 rsv=2 mask=0") == b"\x23\x01x"
    assert parse_frame_step("ping bytes(126)") == encode_frame(9, bytes(126))
    assert parse_frame_step("0x0b b''") == encode_frame(11, b"")


@pytest.mark.parametrize("step", ["frame 16 b''", "frame text", "frame text 42", "frame nope b''"])
def test_a_bad_frame_step_is_refused_when_the_scenario_is_compiled(step: str) -> None:
    with pytest.raises(ValueError):
        compile_client((step,))


def test_a_frame_or_raw_step_makes_the_client_raw() -> None:
    assert is_raw(compile_client(("frame text 'x'", "wait")))
    assert is_raw(compile_client(("raw b'\\x81\\x80'",)))
    assert not is_raw(compile_client(("send 'x'", "recv", "close 1000, 'bye'")))
    assert compile_client(("recv size",))[0]["args"] == ["size"]


async def test_a_reset_that_a_write_reports_first_is_still_a_reset() -> None:
    # The kernel reports a reset once, to the first call after it arrived. When that call
    # was a write, reads returned the server's frames and then end of stream, and the
    # client said "ended" for a connection the server had reset (found by the frame
    # stream fuzzing in tests/test_bridge_frames.py, when the client was still sending
    # after a refusal).
    loop = asyncio.get_running_loop()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        connecting = asyncio.ensure_future(RawClient.connect("127.0.0.1", listener.getsockname()[1], "/"))
        server, _ = await loop.sock_accept(listener)
        with server:
            head = b""
            while b"\r\n\r\n" not in head:
                head += await loop.sock_recv(server, 4096)
            upgraded = b"HTTP/1.1 101 Switching Protocols\r\n\r\n"
            await loop.sock_sendall(server, upgraded + encode_frame(1, b"hi", mask=None))
            client = await connecting
            # A close with the client's bytes unread: the kernel resets the connection.
            assert await client.send(b"unread")
            select.select([server], [], [])
        poller = select.poll()
        poller.register(client.sock, 0)
        poller.poll()  # returns once the reset has arrived (polling does not take its error)
        assert not await client.send(b"more")
        frame = await client.next_frame()
        assert frame is not None and str(frame) == 'text "hi"'
        assert await client.next_frame() is None
        assert client.ended == "reset"
        client.abort()
