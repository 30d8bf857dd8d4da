"""websockets' Sans-I/O server protocol, where workerd's WebSocket differs from it.

The bridge parses the upgrade request with ``h11`` and then hands the
connection's bytes to :class:`WorkerdProtocol`, already OPEN.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Generator

from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from ..links import Link

__all__ = ["WorkerdProtocol"]


class WorkerdProtocol(ServerProtocol):
    """websockets' server protocol, with the places where workerd differs.

    * A client's Close is not echoed here: the Worker's end answers it
      (auto-reply or its own ``close()``), after any messages it queued before.
    * A message over the limit closes with workerd's text: "Message is too
      large: N > LIMIT", or "Message is too large" when it was deflated.
      When the frame's header gives it away, workerd sends its Close and drops
      the connection without reading the rest, so a client still sending is
      reset (its send fails after it has read the 1009): :attr:`reset_after_close`.
    """

    link: Link | None = None
    #: End the TCP connection once our Close is written, unread data and all.
    reset_after_close = False

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.CLOSE and self.state is OPEN and self.link is not None:
            self.close_rcvd = Close.parse(frame.data)
            if self.current_size is not None:
                raise ProtocolError("incomplete fragmented message")
            self.events.append(frame)
            return
        super().recv_frame(frame)

    def fail(self, code: int, reason: str = "") -> None:
        exc = sys.exc_info()[1]
        skip = 0
        if code == 1009 and isinstance(exc, PayloadTooBig):
            limit = self.max_message_size or 0
            if exc.size is None:  # raised while inflating: workerd gives no byte counts
                reason = "Message is too large"
            else:
                reason = f"Message is too large: {(exc.current_size or 0) + exc.size} > {limit}"
                skip = 4 + exc.size  # the frame's mask and payload: never read
        was_open = self.state is OPEN
        unread = bytes(self.reader.buffer)  # websockets' discard() drops it
        super().fail(code, reason)
        if skip:
            self.reset_after_close = True
        elif was_open and code != 1006 and self.writes and self.writes[-1] == b"":
            # websockets ends the TCP connection at once: a client still sending
            # would be reset before it reads our Close. Read on, discarding, until
            # the client's Close, as workerd does; then end our side.
            self.writes.pop()
            self.eof_sent = False
            self.reader.buffer[:0] = unread
            self.parser = self._skip_until_close()
            next(self.parser)
        if code != 1006 and self.link is not None:
            # After the frames parsed before the bad one have been handed over, as
            # workerd reads them first.
            asyncio.get_running_loop().call_soon(self.link.client_protocol_error, code, reason)

    def _skip_until_close(self) -> Generator[None]:
        reader = self.reader
        try:
            while True:
                head = yield from reader.read_exact(2)
                length = head[1] & 0x7F
                if length == 126:
                    length = int.from_bytes((yield from reader.read_exact(2)), "big")
                elif length == 127:
                    length = int.from_bytes((yield from reader.read_exact(8)), "big")
                length += 4 if head[1] & 0x80 else 0
                while length:
                    n = min(length, 1 << 16)
                    yield from reader.read_exact(n)
                    length -= n
                if head[0] & 0x0F == Opcode.CLOSE.value:
                    break
        except EOFError:
            pass
        self.send_eof()
        yield from self.discard()

    def send_close_frame(self, code: int, reason: str) -> None:
        """Write the Worker end's Close as workerd does: no code -> empty payload; any reason length."""
        payload = b"" if code == 1005 else code.to_bytes(2, "big") + reason.encode("utf-8", "surrogatepass")
        if len(payload) <= 125:
            self.send_frame(Frame(Opcode.CLOSE, payload))
        else:
            # workerd (before 2026-03-03) sends reasons over 123 bytes as they are:
            # an invalid control frame, which the client answers with 1002.
            self.writes.append(bytes([0x88, 126]) + len(payload).to_bytes(2, "big") + payload)
        self.close_sent = Close(code, reason) if code != 1005 else Close(1005, "")
        self.state = type(self.state).CLOSING
        if self.close_rcvd is not None:
            # The answer to the client's Close: the handshake is complete.
            self.close_rcvd_then_sent = True
            self.send_eof()
            self.parser = self.discard()
            next(self.parser)
