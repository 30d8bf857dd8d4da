"""websockets' Sans-I/O server protocol, where workerd's WebSocket differs from it.

The bridge parses the upgrade request with ``h11`` and then hands the
connection's bytes to :class:`WorkerdProtocol`, already OPEN.

workerd reads client frames with kj's WebSocket (``c++/src/kj/compat/http.c++``,
``WebSocketImpl::receive``), which is more lenient than websockets and RFC 6455
in places, and words its refusals its own way. Measured on workerd (library
scenarios ``wire-raw-*``):

* accepted as they are: unmasked client frames, control frames over 125
  bytes, text that is not UTF-8 (the Worker gets U+FFFD in its place), a
  Close of 1 byte (1005), a Close whose reason is not UTF-8, and any close
  code on the wire (0, 999, 1005, 1006, 1015, 5000, ...);
* refused with 1002 and kj's text: RSV2/RSV3 set, RSV1 without
  permessage-deflate, an unknown opcode, a fragmented control frame, a
  continuation with nothing to continue, a new message inside a fragmented one;
* after a refusal the Close goes out and the connection ends at once:
  nothing more is read, so a client still sending is reset (a hibernatable
  socket's connection stays open, unread, until the close timeout);
* the refusal's Close is written as kj reads the frame: after the Worker's
  message being sent, before its later ones (which still follow), or in the
  place of a pong that waits for that send; and not at all once the Worker's
  own Close has been sent (kj's ``hasSentClose``);
* nothing after a client's Close is read;
* pings read together get the first pong and the last (``queuePong``), only
  the last once a pong has gone out since the Worker's last message, and a
  refusal's Close takes the place of a pong still waiting;
* kj parses frames only as the Worker's read loop asks for its next message,
  so a ping after a message the Worker has not taken yet is answered only
  then: after whatever the Worker sent on that message (:class:`DeferredPing`).

So the frame reader (:meth:`WorkerdProtocol.parse`) is kj's, in kj's order of
checks; the rest (fragment bookkeeping, pings, deflate, the size limit,
serialising) is websockets'.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Generator, Sequence

from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import CLOSING, OPEN
from websockets.server import ServerProtocol

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - the pure-Python wheel
    from websockets.utils import apply_mask

from ..links import Link

__all__ = ["DeferredPing", "DeferredRefusal", "WorkerdProtocol"]

#: kj's refusals, word for word (``sendCloseDueToError`` in http.c++).
RSV23 = "Received frame had RSV bits 2 or 3 set"
UNEXPECTED_CONTINUATION = "Unexpected continuation frame"
MISSING_CONTINUATION = "Missing continuation frame"
FRAGMENTED_CONTROL = "Received fragmented control frame"
NOT_NEGOTIATED = (
    "Received a WebSocket frame whose compression bit was set, but the compression "
    "extension was not negotiated for this connection."
)
_KNOWN = {op.value for op in Opcode}


def parse_close(data: bytes) -> Close:
    """A Close payload as kj reads it: under 2 bytes is 1005; any code; the reason as U+FFFD-replaced text."""
    if len(data) < 2:
        return Close(1005, "")
    return Close(int.from_bytes(data[:2], "big"), data[2:].decode("utf-8", "replace"))


def close_payload(code: int, reason: str) -> bytes:
    """A Close's payload as workerd writes it: none for 1005, else the code and the reason's bytes."""
    if code == 1005:
        return b""
    return code.to_bytes(2, "big") + reason.encode("utf-8", "surrogatepass")


class DeferredPing:
    """A ping read after a message the Worker has not taken yet: an event for the bridge,
    which queues it behind that message (the Worker's read loop answers it, in kj's order)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class DeferredRefusal:
    """A frame kj refuses, read after a message the Worker has not taken yet: kj reads it (and
    sends its Close) only when the Worker's read loop asks for the next message."""

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class WorkerdProtocol(ServerProtocol):
    """websockets' server protocol, with the places where workerd differs.

    * Frames are read as kj reads them (see the module docstring): websockets
      would refuse unmasked frames, long control frames, invalid UTF-8 and
      reserved close codes with 1002 or 1007 where workerd accepts them.
    * A client's Close is not echoed here: the Worker's end answers it
      (auto-reply or its own ``close()``), after any messages it queued before.
      The automatic reply echoes the client's reason byte for byte, as
      workerd's does, even when it is not UTF-8.
    * A message over the limit closes with workerd's text: "Message is too
      large: N > LIMIT", or "Message is too large" when it was deflated.
    * A refused frame: workerd's Close (any length: kj's reason for RSV1 is
      longer than a control frame may be), then the connection ends without
      reading on (:attr:`reset_after_close`); websockets would do the same but
      refuses to write the over-long Close.
    """

    link: Link | None = None
    #: End the TCP connection once our Close is written, unread data and all.
    reset_after_close = False
    #: The Worker's end is hibernatable (a Durable Object's ``acceptWebSocket``): after a
    #: refusal workerd keeps the connection open, reading nothing, until the close timeout.
    hibernatable = False
    #: The payload of the client's Close, for an automatic reply that echoes it.
    close_rcvd_data: bytes | None = None
    _frag_opcode = 0  # the opcode that began a fragmented message
    _frag_compressed = False
    # Pongs for the pings of one read (kj's queuePong): the first is written at once;
    # a later one waits in a single slot, and a newer one takes its place.
    _pong_written = False
    _pong_slot: int | None = None  # its index in ``writes``
    #: A message (or Close) was read in this read: kj would not read on until the Worker asks.
    _message_read = False
    #: A pong was written after the Worker's last message (see ``Link.close_after_pong``).
    pong_since_send = False
    #: Pongs written so far.
    pongs = 0
    #: A hibernatable socket's refused connection still writes the object's messages that
    #: were behind its output gate (see ``Link.refuse``).
    writes_after_refusal = False

    def data_to_send(self) -> list[bytes]:
        # What was serialised goes out now: a pong among it is no longer waiting in a slot a
        # refusal's Close could take (found with gen-do-wire-779-16).
        self._pong_slot = None
        return super().data_to_send()

    def receive_data(self, data: bytes | bytearray) -> None:
        self._pong_written, self._pong_slot = False, None  # a new read: the last pong went out
        self._message_read = False
        super().receive_data(data)

    def _ping_waits(self) -> bool:
        """Whether kj has yet to read this ping: a message before it is still the Worker's to take."""
        link = self.link
        if link is None or link.end is None:
            return False
        # (A Worker's end that is not reading has not asked for anything: kj reads nothing.)
        return self._message_read or bool(link.end._outgoing) or not link.end._peer._reading

    def parse(self) -> Generator[None]:
        """Read frames in kj's order of checks; errors as websockets' own ``parse()`` reports them."""
        reader = self.reader
        try:
            while True:
                if (yield from reader.at_eof()):
                    raise EOFError("unexpected end of stream")
                head = yield from reader.read_exact(2)
                length = head[1] & 0x7F
                if length == 126:
                    length = int.from_bytes((yield from reader.read_exact(2)), "big")
                elif length == 127:
                    length = int.from_bytes((yield from reader.read_exact(8)), "big")
                mask = (yield from reader.read_exact(4)) if head[1] & 0x80 else None  # either is fine
                if head[0] & 0x30:
                    raise ProtocolError(RSV23)
                max_size = self.max_message_size
                if max_size is not None and self.current_size is not None:
                    max_size -= self.current_size
                if max_size is not None and length > max_size:
                    raise PayloadTooBig(length, max_size)
                fin, rsv1, opcode = bool(head[0] & 0x80), bool(head[0] & 0x40), head[0] & 0x0F
                is_data = opcode < 8
                if opcode == 0 and self.current_size is None:
                    raise ProtocolError(UNEXPECTED_CONTINUATION)
                if is_data and opcode != 0 and self.current_size is not None:
                    raise ProtocolError(MISSING_CONTINUATION)
                if not fin and not is_data:
                    raise ProtocolError(FRAGMENTED_CONTROL)
                payload = yield from reader.read_exact(length)
                data = apply_mask(payload, mask) if mask is not None else bytes(payload)
                self._recv(fin, rsv1, opcode, data)
        except ProtocolError as exc:
            self.fail(1002, str(exc))
            self.parser_exc = exc
        except EOFError as exc:
            self.fail(1006, str(exc))
            self.parser_exc = exc
        except PayloadTooBig as exc:
            exc.set_current_size(self.current_size)
            self.fail(1009, str(exc))
            self.parser_exc = exc
        except Exception as exc:
            self.logger.error("parser failed", exc_info=True)
            self.fail(1011)
            self.parser_exc = exc
        yield
        raise AssertionError("parse() shouldn't step after error")

    def _recv(self, fin: bool, rsv1: bool, opcode: int, data: bytes) -> None:
        """One frame whose header kj accepted (its payload read and unmasked)."""
        if opcode == Opcode.PING.value or opcode == Opcode.PONG.value:
            # kj answers a buffered ping before it looks at the compression bit, and
            # a ping over 125 bytes gets its pong all the same.
            if opcode == Opcode.PING.value and self._ping_waits():
                self.events.append(DeferredPing(data))  # type: ignore[arg-type]
                return
            if opcode == Opcode.PING.value:
                self._pong(data)
            self.events.append(Frame(Opcode(opcode), data))
            return
        is_data = opcode < 8
        if is_data and opcode != 0 and not fin:
            self._frag_opcode, self._frag_compressed = opcode, rsv1
        first = self._frag_opcode if opcode == 0 else opcode
        if not fin:
            if first not in _KNOWN:  # kj gathers it: "Unknown opcode" comes with the last fragment
                self.current_size = (self.current_size or 0) + len(data)
                return
        else:
            # (kj counts a pending fragmented message's bit for a Close in the middle of it too.)
            if (rsv1 or self._frag_compressed) and not self.extensions:
                raise ProtocolError(NOT_NEGOTIATED)
            if first not in _KNOWN:
                raise ProtocolError(f"Unknown opcode {first}")
            if is_data:
                self._frag_opcode, self._frag_compressed = 0, False
        frame = Frame(Opcode(opcode), data, fin, rsv1)
        for extension in reversed(self.extensions):
            frame = extension.decode(frame, max_size=self._room())
        if fin:
            # kj's receive() returns with a message: the pongs queued so far go out.
            self._pong_written, self._pong_slot = False, None
            self._message_read = True
        self.recv_frame(frame)

    def _pong(self, data: bytes) -> None:
        """Answer a ping as kj's queuePong does; websockets would answer each.

        Pings read together get the first pong and the last (measured:
        wire-raw-three-pings-in-one-write), but only the last once a pong has gone out
        since the Worker's last message: kj then chains the next control write behind
        that one, and a newer pong replaces it before it is taken.
        """
        link = self.link
        if link is not None and link.worker_closing():
            return  # the Worker's Close is on its way: kj sends no pong after a Close (gen-845d4a14)
        if link is not None and link.pong_after is not None:
            link.pong_after = data  # a pong already waits for the Worker's send: this one replaces it
            return
        chained = self.pong_since_send
        self.pong_since_send = True
        self.pongs += 1
        if not self._pong_written and not chained:
            self._pong_written = True
            self._write_control(Opcode.PONG, data)
        elif self._pong_slot is not None and self._pong_slot < len(self.writes):
            slot = self._pong_slot
            self._write_control(Opcode.PONG, data)
            self.writes[slot] = self.writes.pop()
        else:
            self._write_control(Opcode.PONG, data)
            self._pong_slot = len(self.writes) - 1

    def _room(self) -> int | None:
        if self.max_message_size is None:
            return None
        return self.max_message_size - (self.current_size or 0)

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is not Opcode.CLOSE:
            super().recv_frame(frame)
            return
        # kj does not check the payload, nor whether a fragmented message is pending.
        self.close_rcvd_data = bytes(frame.data)
        self.close_rcvd = parse_close(self.close_rcvd_data)
        if self.state is OPEN and self.link is not None:
            self.events.append(frame)  # the Worker's end answers it
            # workerd reads nothing after a Close: what follows is never parsed.
            self.parser = self._ignore_rest()
            next(self.parser)
            return
        if self.state is OPEN:  # no Worker end: echo it, as websockets does
            self.send_frame(Frame(Opcode.CLOSE, frame.data))
            self.close_sent = self.close_rcvd
            self.close_rcvd_then_sent = True
            self.state = CLOSING
        else:
            self.close_rcvd_then_sent = False
        if not self.eof_sent:
            self.send_eof()
        self.parser = self.discard()
        next(self.parser)
        self.events.append(frame)

    def write_pong(self, payload: bytes) -> None:
        """The pong that waited for the Worker's frames (:attr:`Link.pong_after`)."""
        self.pong_since_send = True
        self.pongs += 1
        self._write_control(Opcode.PONG, payload)

    def answer_pings(self, payloads: list[bytes]) -> None:
        """Pings the Worker's read loop reached (:class:`DeferredPing`), read together."""
        self._pong_written, self._pong_slot = False, None
        for data in payloads:
            self._pong(data)

    def _write_control(self, opcode: Opcode, payload: bytes) -> None:
        """A control frame, of any length (websockets refuses to write one over 125 bytes)."""
        if len(payload) <= 125:
            self.send_frame(Frame(opcode, payload))
            return
        n = len(payload)
        size = bytes([126]) + n.to_bytes(2, "big") if n < 1 << 16 else bytes([127]) + n.to_bytes(8, "big")
        self.writes.append(bytes([0x80 | opcode.value]) + size + payload)

    def _ignore_rest(self) -> Generator[None]:
        """Discard what the client sends after its Close, until it ends the connection."""
        while not (yield from self.reader.at_eof()):
            self.reader.discard()
        self.fail(1006, "unexpected end of stream")
        yield

    def fail(self, code: int, reason: str = "") -> None:
        exc = sys.exc_info()[1]
        if code == 1009 and isinstance(exc, PayloadTooBig):
            limit = self.max_message_size or 0
            if exc.size is None:  # raised while inflating: workerd gives no byte counts
                reason = "Message is too large"
            else:
                reason = f"Message is too large: {(exc.current_size or 0) + exc.size} > {limit}"
        if code != 1006 and self.state is OPEN and self._ping_waits():
            # kj has not read this far yet: the Worker's read loop reaches the refusal after the
            # messages before it, or never (found by the generator: gen-4943653c). Nothing after
            # it is read.
            self.events.append(DeferredRefusal(code, reason))  # type: ignore[arg-type]
            self.parser = self._ignore_rest()
            next(self.parser)
            return
        self.fail_now(code, reason)

    def fail_now(self, code: int, reason: str, *, then: Sequence[str | bytes | tuple[int, str]] = ()) -> None:
        """Refuse the connection as kj's ``sendCloseDueToError`` does (see :meth:`fail`).

        ``then``: the Worker's frames kj writes after the refusal's Close (messages, or a
        ``(code, reason)`` Close), before the connection ends.
        """
        if code != 1006 and self.state is OPEN:
            # kj's queueClose: the Close takes the place of a pong still waiting to be written.
            slot = self._pong_slot
            if slot is not None and slot < len(self.writes):
                del self.writes[slot]
                self._pong_slot = None
            if self.link is not None:
                self.link.pong_after = None
        if code == 1006 or self.state is not OPEN:
            super().fail(code, reason)
        elif self.hibernatable:
            # Measured (do-raw-reserved-opcode): the Close goes out, then nothing more is
            # read, the client's Close included, and the connection stays open until the
            # bridge's close timeout ends it (workerd's ends it about 10 s later too).
            self.send_close_frame(code, reason)
            for frame in then:
                self._write_after_close(frame)
            self.parser = self._ignore_rest()
            next(self.parser)
        else:
            self.send_close_frame(code, reason)
            for frame in then:
                self._write_after_close(frame)
            # kj's sendCloseDueToError: the Close, then the connection ends, unread data
            # and all (a client still sending is reset). websockets ends it too, but
            # refuses to write a Close over 125 bytes, which kj's RSV1 text is.
            self.reset_after_close = True
            if not self.eof_sent:
                self.send_eof()
            self.parser = self.discard()
            next(self.parser)
        if code != 1006 and self.link is not None:
            # After the frames parsed before the bad one have been handed over, as
            # workerd reads them first.
            asyncio.get_running_loop().call_soon(self.link.client_protocol_error, code, reason)

    def write_after_refusal(self, data: str | bytes) -> None:
        """A message of the object's that passed its output gate after the refusal's Close."""
        if not self.writes_after_refusal or self.eof_sent:
            return
        self._write_after_close(data)

    def close_after_refusal(self, code: int, reason: str) -> None:
        """The object's Close, past its output gate after the refusal's Close: kj writes it too
        (queueClose did not set hasSentClose), and with both Closes out the connection ends
        (measured: do-wire-object-close-after-refusal)."""
        if not self.writes_after_refusal or self.eof_sent:
            return
        self._write_after_close((code, reason))
        self.writes_after_refusal = False
        self.send_eof()

    def _write_after_close(self, frame: str | bytes | tuple[int, str]) -> None:
        """A frame of the Worker's that kj writes after the refusal's Close (websockets
        writes nothing once its own Close is out)."""
        if isinstance(frame, tuple):
            self._write_control(Opcode.CLOSE, close_payload(*frame))
        elif isinstance(frame, str):
            self.send_frame(Frame(Opcode.TEXT, frame.encode("utf-8", "surrogatepass")))
        else:
            self.send_frame(Frame(Opcode.BINARY, frame))

    def end_refused(self, code: int, reason: str) -> None:
        """A refused frame after the Worker's Close was sent: kj writes no Close of its own
        (``writeQueuedControlMessage`` skips it once ``hasSentClose``), the read fails
        with the protocol error, and the connection ends."""
        self.reset_after_close = True
        if not self.eof_sent:
            self.send_eof()
        self.parser = self.discard()
        next(self.parser)
        if self.link is not None:
            asyncio.get_running_loop().call_soon(self.link.client_protocol_error, code, reason)

    def send_close_frame(self, code: int, reason: str, *, echo: bool = False) -> None:
        """Write the Worker end's Close as workerd does: no code -> empty payload; any reason length.

        With ``echo`` (the automatic reply to the client's Close), a reply that
        repeats the client's code and reason repeats its bytes, as workerd's
        does (kj hands the reason on as bytes, not text).
        """
        payload = close_payload(code, reason)
        rcvd, data = self.close_rcvd, self.close_rcvd_data
        if echo and rcvd is not None and data is not None and code != 1005:
            if (code, reason) == (rcvd.code, rcvd.reason):
                payload = data
        # Over a control frame's 125 bytes: workerd (before 2026-03-03) sends long
        # reasons as they are, and kj its long refusal texts; the client answers 1002.
        self._write_control(Opcode.CLOSE, payload)
        self.close_sent = Close(code, reason) if code != 1005 else Close(1005, "")
        self.state = CLOSING
        if self.close_rcvd is not None:
            # The answer to the client's Close: the handshake is complete.
            self.close_rcvd_then_sent = True
            self.send_eof()
            self.parser = self.discard()
            next(self.parser)
