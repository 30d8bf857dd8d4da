"""The network side: an end returned in a 101 Response, coupled to a network client.

The transport (:mod:`cfws_playground.links`) then stands in for that end: it
takes the frames the worker's end sends, and feeds in what the client sends.
A transport has what the runtime calls and reads:

- ``frames_queued()``: the worker's end queued frames: take them with ``_network_take()``;
- ``peer_died()``: the worker's end stopped (a listener raised): once its queued
  frames are taken, drop the connection without a Close (1006);
- ``answer_pings(payloads)``: the worker's read loop reached pings the client sent
  after messages it had not taken yet (``_network_ping()``): answer them now;
- ``refuse(code, reason)``: the same for a frame kj refuses (``_network_refusal()``);
- ``message_read()``: the worker's read loop was handed a client message (kj's pump has
  written what the worker sent before it by the time kj reads the next frame);
- ``close_after_pong``: the worker's Close went out after a pong, with no message of
  the worker's in between (then no trailing "Network connection lost.").
"""

from __future__ import annotations

from typing import Any

from ..dispatch import schedule
from ..state import Action, Effect, transition
from .end import CloseFrame, PingFrame, ReadFailure, RefusalFrame, frame_size
from .pump import Pump

__all__ = ["NetworkSide"]


class NetworkSide(Pump):
    """What the transport of a coupled end calls."""

    def _couple(self, transport: Any) -> None:
        """Return this end in a Response: check workerd's coupling rules, then hand it to ``transport``.

        Raises:
            TypeError: the end was accepted, or already used in a response (workerd's texts).
        """
        t = transition(self._phase, Action.COUPLE)
        if t.effect is Effect.RAISE:
            self._fail("couple", (), t)
        self._phase = t.next
        self._transport = transport
        if self._pair._recorders:
            self._record_call("couple", (), "ok")
        if self._peer._outgoing:
            transport.frames_queued()

    def _network_take(self) -> str | bytes | tuple[int, str] | None:
        """The next frame the worker's end sent: text, bytes, ``(code, reason)`` for a Close, or None."""
        src = self._peer._outgoing
        if len(src) <= self._peer._gated:
            return None  # nothing, or only frames still behind a Durable Object's output gate
        frame = src.popleft()
        if isinstance(frame, CloseFrame):
            return (frame.code, frame.reason)
        assert not isinstance(frame, (ReadFailure, PingFrame, RefusalFrame))  # only towards the Worker's end
        self._traffic = True
        self._peer._buffered -= frame_size(frame)
        return frame

    def _network_frame(self, data: str | bytes) -> None:
        """A message arrived from the network client: deliver it to the worker's end in order."""
        self._outgoing.append(data)
        self._buffered += frame_size(data)  # taken by the Worker's read loop as any message
        self._traffic = True
        if self._pair._recorders:
            self._record_net("send", (data,))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    def _network_ping(self, payload: bytes) -> None:
        """A ping that came after messages the Worker has not taken yet: kj reads it only once
        the Worker's read loop asks for the next message, and answers it then."""
        self._outgoing.append(PingFrame(payload))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    def _network_refusal(self, code: int, reason: str) -> None:
        """A frame kj refuses, after messages the Worker has not taken yet (see :class:`RefusalFrame`)."""
        self._outgoing.append(RefusalFrame(code, reason))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    def _network_close(self, code: int, reason: str) -> None:
        """A Close frame arrived from the network client (code 1005 when it had none)."""
        self._outgoing.append(CloseFrame(code, reason))
        if self._pair._recorders:
            self._record_net("close", (code, reason))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()

    def _network_closed(self, clean: bool) -> None:
        """The connection has ended, after a Close handshake (``clean``) or dropped without one."""
        peer = self._peer
        if self._pair._recorders:
            self._record_net("closed" if clean else "dropped", ())
        if clean:
            transport = self._transport
            if transport is not None and transport.close_after_pong:
                # A pong went out after the Worker's last message: kj's Close write waits a
                # turn for that control write, and the Worker's pump ends before the
                # connection does (measured: wire-raw-pings-around-a-message-in-one-write,
                # wire-raw-ping-after-echo).
                return
            if peer._replied and (peer._traffic or self._traffic):
                # The worker's end answered the client's Close: workerd then reports
                # the end of the pipe on it, once messages have crossed the connection
                # (measured: wire-echo-text and wire-message-32mib-arrives have the
                # error, wire-client-close-4001 and wire-ping-answered do not).
                peer._schedule_lost()
            return
        self._dead = True
        if not self._outgoing:
            schedule(peer._peer_gone)

    def _network_error(self, error: BaseException, message: str) -> None:
        """A protocol error on the connection (e.g. a message over the size limit).

        The Worker's end first reads what arrived before it, then its read loop
        ends with the error, as workerd's does.
        """
        self._outgoing.append(ReadFailure(error, message))
        peer = self._peer
        if peer._reading and not peer._delivery.scheduled:
            peer._schedule_delivery()
