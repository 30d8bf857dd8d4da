"""A raw RFC 6455 client: any frame on the wire, and what comes back, TCP included.

The ``websockets`` client cannot send what RFC 6455 forbids (invalid UTF-8,
a 1-byte Close, close code 1005, unmasked or oversize control frames, reserved
bits or opcodes, fragmented control frames, a continuation with nothing to
continue). This one writes exactly the bytes a step asks for, and reads the
server's frames without judging them, so a transcript shows what workerd (or
the kit) answered and what became of the TCP connection.

Client steps in a raw wire scenario (any ``frame`` or ``raw`` step makes a
scenario's client this one)::

    "frame text b'\\xff'"             a frame: opcode (text, binary, cont, close, ping,
    "frame 3 b'' fin=0 rsv=4 mask=0"  pong, or a number), payload (a bytes or str literal,
                                      or bytes(N)), then fin=0, rsv=1..7 (RSV1 is 4),
                                      mask=0 for an unmasked frame
    "frames ping b'p' + text 'x'"     several frames in one write, each as ``frame`` says
    "raw b'\\x81\\x80'"               bytes as they are
    "send 'x'" / "send b'x'"          a masked text or binary message
    "close 1000, 'bye'"               a masked Close (``close`` alone: no payload);
                                      nothing is waited for
    "ping"                            a masked ping with an empty payload
    "recv"                            the next frame, or the connection's end, within 2 s
    "recv size"                       the same, saying only its kind and length
    "wait" / "wait 12000"             every frame until the connection ends (or the wait,
                                      in milliseconds, runs out: "still open")
    "sleep 50" / "drop"               milliseconds; end the connection without a Close

Rows: ``client: got close 1002 "Unknown opcode 3"``, ``client: got text "x"``,
``client: connection ended`` (the server's FIN), ``client: connection reset``,
``client: nothing arrived``, ``client: still open``.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import errno
import os
import re
import socket
from dataclasses import dataclass
from typing import Any

from .kit import render

__all__ = ["OPCODES", "RawClient", "ServerFrame", "encode_frame", "parse_frame_step", "run_raw_client"]

OPCODES = {"cont": 0, "text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10}
#: The client's masking key: fixed, so a transcript never depends on chance.
MASK = b"\x37\xfa\x21\x3d"
RECV_WAIT = 2.0
_NAMES = {v: k for k, v in OPCODES.items()}


def encode_frame(
    opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, mask: bytes | None = MASK
) -> bytes:
    """One frame's bytes, whatever RFC 6455 says of them (``rsv``: RSV1 is 4, RSV2 2, RSV3 1)."""
    head = bytearray([(0x80 if fin else 0) | (rsv & 7) << 4 | (opcode & 0x0F)])
    n = len(payload)
    flag = 0x80 if mask is not None else 0
    if n < 126:
        head.append(flag | n)
    elif n < 1 << 16:
        head += bytes([flag | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([flag | 127]) + n.to_bytes(8, "big")
    if mask is None:
        return bytes(head) + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes(head) + mask + masked


def _payload(text: str) -> bytes:
    m = re.fullmatch(r"bytes\((\d+)\)", text)
    if m:
        return bytes(int(m[1]))
    value = ast.literal_eval(text)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes):
        return value
    raise ValueError(f"{text!r} is not a frame payload (a bytes or str literal, or bytes(N))")


def parse_frame_step(args: str) -> bytes:
    """The bytes of ``frame OPCODE PAYLOAD [fin=0] [rsv=N] [mask=0]``'s arguments."""
    m = re.fullmatch(r"(\w+) (.+?)((?: (?:fin|rsv|mask)=\d+)*)", args.strip())
    if not m:
        raise ValueError(f"'frame {args}' is not 'frame OPCODE PAYLOAD [fin=0] [rsv=N] [mask=0]'")
    name = m[1]
    opcode = OPCODES[name] if name in OPCODES else int(name, 0)
    if not 0 <= opcode <= 15:
        raise ValueError(f"opcode {opcode} does not fit in 4 bits")
    opts = dict(kv.split("=") for kv in m[3].split())
    return encode_frame(
        opcode,
        _payload(m[2]),
        fin=opts.get("fin", "1") != "0",
        rsv=int(opts.get("rsv", "0")),
        mask=None if opts.get("mask") == "0" else MASK,
    )


def close_payload(code: int | None = None, reason: str = "") -> bytes:
    return b"" if code is None else code.to_bytes(2, "big") + reason.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class ServerFrame:
    """A frame the server sent, as it was on the wire."""

    fin: bool
    rsv: int
    opcode: int
    masked: bool
    payload: bytes

    def __str__(self) -> str:
        extra = ("" if self.fin else " fin=0") + (f" rsv={self.rsv}" if self.rsv else "")
        extra += " masked" if self.masked else ""
        if self.opcode == 8:
            if len(self.payload) < 2:
                body = f"close (no code){'' if not self.payload else ' ' + render(self.payload)}"
            else:
                code = int.from_bytes(self.payload[:2], "big")
                try:
                    reason = render(self.payload[2:].decode("utf-8"))
                except UnicodeDecodeError:
                    reason = render(self.payload[2:])
                body = f"close {code} {reason}"
        elif self.opcode == 1:
            try:
                body = f"text {render(self.payload.decode('utf-8'))}"
            except UnicodeDecodeError:
                body = f"text (invalid UTF-8) {render(self.payload)}"
        else:
            body = f"{_NAMES.get(self.opcode, f'opcode {self.opcode}')} {render(self.payload)}"
        return body + extra


class RawClient:
    """A TCP connection that did the WebSocket handshake and then sends bytes as told.

    It works on the socket itself (the loop's ``sock_*`` calls), not a
    transport: when a write fails because the server has ended the
    connection, what the server sent before is still read, as a client that
    reads after a failed write gets it.

    A reset is reported as a reset however it shows: the kernel reports it
    (``ECONNRESET``) to the first call on the socket after it arrived, and only
    to that one. When that call is a write, reads then return what had arrived,
    then end of stream as if the server had sent a FIN; the failed write is what
    says the connection was reset (a server's FIN never makes a write fail).
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.ended: str | None = None  # "ended" (the server's FIN) or "reset", once seen
        self.reset_on_send = False  # a write failed: the server reset the connection
        self.status = 0
        self.headers: dict[str, str] = {}

    @classmethod
    async def connect(cls, host: str, port: int, target: str, extra_headers: str = "") -> RawClient:
        """Open a connection and upgrade it (no extensions offered); see :attr:`status`."""
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await loop.sock_connect(sock, (host, port))
        except BaseException:
            sock.close()
            raise
        client = cls(sock)
        key = base64.b64encode(os.urandom(16)).decode()
        await client.send(
            (
                f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"{extra_headers}\r\n"
            ).encode("latin-1")
        )
        deadline = loop.time() + 5
        while b"\r\n\r\n" not in client.buffer:
            if not await client._fill(deadline):
                client.abort()
                raise ConnectionError(f"no answer to the upgrade ({client.ended or 'timed out'})")
        head, _, _ = bytes(client.buffer).partition(b"\r\n\r\n")
        del client.buffer[: len(head) + 4]
        lines = head.decode("latin-1").split("\r\n")
        client.status = int(lines[0].split()[1])
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                client.headers[name.strip().lower()] = value.strip()
        return client

    async def send(self, data: bytes) -> bool:
        """Write ``data``; False when the connection is gone (the server's frames stay readable)."""
        if self.sock.fileno() < 0:
            return False
        try:
            await asyncio.get_running_loop().sock_sendall(self.sock, data)
        except OSError as exc:
            # ECONNRESET: the reset, reported here and no more; EPIPE: a write after it.
            if exc.errno in (errno.ECONNRESET, errno.EPIPE):
                self.reset_on_send = True
            return False
        return True

    async def _fill(self, deadline: float) -> bool:
        """Read more bytes before ``deadline``; False on timeout or once the connection ended."""
        if self.ended is not None or self.sock.fileno() < 0:
            return False
        loop = asyncio.get_running_loop()
        left = max(0.0, deadline - loop.time())
        try:
            chunk = await asyncio.wait_for(loop.sock_recv(self.sock, 1 << 16), left)
        except TimeoutError:
            return False
        except OSError:
            self.ended = "reset"
            return False
        if not chunk:
            self.ended = "reset" if self.reset_on_send else "ended"
            return False
        self.buffer += chunk
        return True

    async def next_frame(self, wait: float = RECV_WAIT) -> ServerFrame | None:
        """The server's next frame, or None (see :attr:`ended`, or nothing came within ``wait``)."""
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            frame = self._parse()
            if frame is not None:
                return frame
            if not await self._fill(deadline):
                return None

    def _parse(self) -> ServerFrame | None:
        buf = self.buffer
        if len(buf) < 2:
            return None
        n, pos = buf[1] & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, pos = int.from_bytes(buf[2:4], "big"), 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, pos = int.from_bytes(buf[2:10], "big"), 10
        masked = bool(buf[1] & 0x80)
        key = bytes(buf[pos : pos + 4]) if masked else b""
        pos += len(key)
        if len(buf) < pos + n:
            return None
        payload = bytes(buf[pos : pos + n])
        if masked:
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        frame = ServerFrame(bool(buf[0] & 0x80), (buf[0] >> 4) & 7, buf[0] & 0x0F, masked, payload)
        del buf[: pos + n]
        return frame

    def abort(self) -> None:
        """End the connection without a Close (and stop reading)."""
        self.sock.close()


async def run_raw_client(host: str, port: int, target: str, ops: list[dict[str, Any]]) -> list[str]:
    """Run raw client steps against ``host:port``; return the client's rows."""
    log: list[str] = []
    client = await RawClient.connect(host, port, target)
    if client.status != 101:
        log.append(f"client: handshake refused {client.status}")
        client.abort()
        return log
    log.append("client: connected")
    try:
        for op in ops:
            await _raw_step(client, op, log)
    finally:
        client.abort()
    return log


def _end_row(client: RawClient) -> str:
    return f"client: connection {client.ended}" if client.ended else "client: nothing arrived"


async def _raw_step(client: RawClient, op: dict[str, Any], log: list[str]) -> None:
    do, args = op["do"], op["args"]
    data: bytes | None = None
    if do == "frame":
        data = parse_frame_step(args[0])
    elif do == "frames":
        data = b"".join(parse_frame_step(part) for part in args[0].split(" + "))
    elif do == "raw":
        data = args[0]
    elif do == "send":
        value = args[0]
        data = encode_frame(1, value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else None
        data = data or encode_frame(2, bytes(value))
    elif do == "close":
        data = encode_frame(8, close_payload(*args))
    elif do == "ping":
        data = encode_frame(9, b"")
    elif do == "sleep":
        await asyncio.sleep(args[0] / 1000)
    elif do == "drop":
        client.abort()
        log.append("client: dropped the connection")
    elif do == "recv":
        frame = await client.next_frame()
        if frame is None:
            log.append(_end_row(client))
        elif args == ["size"]:
            log.append(f"client: got {str(frame).split()[0]} of {len(frame.payload)} bytes")
        else:
            log.append(f"client: got {frame}")
    elif do == "wait":
        wait = args[0] / 1000 if args else RECV_WAIT
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            frame = await client.next_frame(max(0.0, deadline - asyncio.get_running_loop().time()))
            if frame is None:
                log.append(f"client: connection {client.ended}" if client.ended else "client: still open")
                break
            log.append(f"client: got {frame}")
    else:
        raise ValueError(f"{op['text']!r} is not a raw client step")
    if data is not None:
        if not await client.send(data):
            gone = client.ended or ("reset" if client.reset_on_send else "closed")
            log.append(f"client: could not send, connection {gone}")
