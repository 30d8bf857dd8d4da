"""The outgoing pump and the read loop: how frames move between the two ends.

Each end has an outgoing queue. ``send()`` and ``close()`` append to it; the
other end, once it is accepted, takes one frame per turn of the event loop
and dispatches it, as workerd's read loop does (``web-socket.c++``:
``LegacyWebSocketAdapter``, its ``ensurePumping`` and ``readLoop``, over kj's
in-memory pipe). A raising listener, a Close and a vanished peer end the
reading exactly where workerd's read loop ends; when each end lets go of the
pipe decides whether the other sees "Network connection lost.".
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import errors
from ..dispatch import Once, queued_before, queued_only, runtime, schedule, ticket
from ..errors import ConnectionLostError
from ..events import Blob, CloseEvent, ErrorEvent, Event, begin_dispatch, end_dispatch
from ..promise import GATE_HOLDS, OutputLock
from ..state import TRANSITIONS, Action, Effect, Phase, transition
from .convert import WTF8, js_message, js_name, received_text, uncaught_message
from .end import (
    CLOSED_INCOMING,
    CLOSED_OUTGOING,
    END_NAMES,
    CloseFrame,
    PingFrame,
    ReadFailure,
    RefusalFrame,
    frame_size,
    log,
)
from .listeners import EventTarget

if TYPE_CHECKING:
    from .api import WebSocket

__all__ = ["Pump"]

_BATCH = 1024  # frames one delivery turn may dispatch while only timers wait

#: Read loops in a Durable Object on their way back to receive() (see :meth:`Pump._come_back`).
_ON_WAY_BACK: weakref.WeakSet[Pump] = weakref.WeakSet()

#: Phases in which a hibernatable end that is not reading is held by its manager (see _hold).
_HELD_PHASES = (Phase.OPEN, Phase.CLOSE_SENT)


def _nothing() -> None:
    pass


def _after_this_turn(callback: Callable[[], None]) -> None:
    """Run ``callback`` as a kj event: once the current turn and its microtasks are over,
    before the next task (see :meth:`Runtime.add_kj`)."""
    try:
        rt = runtime()
    except RuntimeError:  # no running loop: the next one runs it first
        schedule(callback)
        return
    rt.add_kj(callback)


def _task(callback: Callable[[], None], ahead: bool) -> None:
    """Queue ``callback`` as a runtime task: at the end, or ``ahead`` of the tasks queued already."""
    if ahead:
        runtime().add_next(callback)
    else:
        schedule(callback)


def _pop_pings(src: deque[Any]) -> list[bytes]:
    """Take the pings at the head of a network end's queue (kj reads them in one go)."""
    pings = []
    while src and type(src[0]) is PingFrame:
        pings.append(src.popleft().payload)
    return pings


class Pump(EventTarget):
    """The read loop and the outgoing pump of an end."""

    def _accept_hibernatable(self, handler: Callable[[WebSocket, Event], bool]) -> None:
        """``ctx.acceptWebSocket()``'s part on the end: read it as ``accept()`` does, but hand
        every event it produces to ``handler`` (the Durable Object's ``webSocketMessage`` /
        ``webSocketClose`` / ``webSocketError``) instead of its listeners, which never fire.
        ``handler`` returns whether it took the event.

        The caller (:mod:`cfws_playground.durable`) has checked workerd's preconditions.
        """
        self._handler = handler
        # No automatic reply to a Close, whatever the compatibility date: the object's
        # webSocketClose sees readyState 2 and must call close() (workerd's hibernation
        # manager dispatches the Close without the adapter's auto-reply; observed on
        # workerd 2026-11-17).
        self._allow_half_open = True
        self._phase = transition(self._phase, Action.ACCEPT).next
        self._reading = True
        if self._peer._outgoing:
            self._schedule_delivery()
        elif self._peer._dead:
            schedule(self._peer_gone)
        if self._pair._recorders:
            self._record_call("acceptWebSocket", (), "ok")

    def _hold(self) -> None:
        """Take no more frames for now: a hibernatable end's read loop awaits each event's handler."""
        self._reading = False

    def _hold_until_taken(self) -> None:
        """Take no more frames until the peer has taken every frame queued so far (the
        hibernation manager awaits the send of an automatic response: sendAutoResponse)."""
        self._hold()
        self._held_until_taken = len(self._outgoing)

    def _frame_taken(self) -> None:
        self._held_until_taken -= 1
        if not self._held_until_taken:
            schedule(self._release)

    def _release(self) -> None:
        """Take frames again after :meth:`_hold` (unless the end has stopped reading for good:
        its read loop is over; an end errored by its pump still reads, see _report_error)."""
        if self._reading or (self._phase not in (Phase.OPEN, Phase.CLOSE_SENT) and not self._errored_reading):
            return
        self._reading = True
        peer = self._peer
        if peer._transport is not None:
            self._read_control_frames()
        if peer._outgoing:
            if len(peer._outgoing) == peer._gated:
                pass  # all behind the output gate: the pump offers them once they pass it
            elif len(peer._outgoing) == 1 and peer._cont_before_pump:
                # The peer's previous pump's continuation is on its way into the isolate, and
                # the hibernation manager's way back (the end of its customEvent) is longer:
                # that continuation runs first, and may let go of the peer
                # (do-close-in-handler-reply-cancelled).
                schedule(self._take_after_cont)
            else:
                self._take_waiting()
        elif peer._dead:
            schedule(self._peer_gone)

    def _take_waiting(self) -> None:
        """The hibernation manager's read loop is back in receive() with the peer's frames waiting."""
        peer = self._peer
        if len(peer._outgoing) == 1 and self._peer_frames_wait_for_way_back():
            self._come_back()
        elif len(peer._outgoing) == 1 and self._take_last():
            self._schedule_delivery_later()
        elif peer._transport is None:
            # The peer's pump waits in send() with the next frame (kj's BlockedSend), so
            # receive() is ready and the manager's read loop resumes a kj turn later: a
            # reply the handler sent, let through the output gate meanwhile, reaches the
            # peer's JavaScript first (gen-faefd0c9).
            self._schedule_delivery_later()
        else:
            self._schedule_delivery()

    def _peer_sent_behind_at_gate(self) -> bool:
        """In a Durable Object, whether the peer's frame waiting in the pipe was sent in its
        dispatch just over, behind the one this end just dispatched, and this end's frame the
        gate let through with them (a Close sent there, not from this end's own dispatch nor
        after a storage write) was handed to the peer's read loop, with no other socket of the
        object dispatching in between: the read loop takes that frame on its way back (see
        :meth:`_deliver_frames`)."""
        peer = self._peer
        return (
            self._handed
            and self._queued_in is not None
            and not self._queued_in_own_dispatch
            and not self._through_commit
            and peer._queued_in_own_dispatch
            and peer._queued_since_dispatch >= 2
            and self._reader_before is peer
        )

    def _peer_frames_wait_for_way_back(self) -> bool:
        """The hibernation manager, back in receive(), finds the peer's last frame as
        :meth:`_peer_sent_behind_at_gate` says, while the peer's read loop waits to enter the
        object with this end's Close: it takes that frame on its way back, so the peer's reply
        joins the running pump (measured on workerd 2026-11-23:
        gen-db9935e8-durable-hibernatable-a, do-hibernatable-close-in-microtask-reply-joins-*)."""
        peer = self._peer
        return (
            peer._delivery.scheduled
            and not peer._handed
            and not peer._gated
            and peer._transport is None
            and self._peer_sent_behind_at_gate()
        )

    def _take_after_cont(self) -> None:
        """:meth:`_take_waiting`, once the peer's earlier pump continuation has run (see
        :meth:`_release`)."""
        peer = self._peer
        if not self._reading or not peer._outgoing or self._delivery.scheduled or self._delivering:
            return
        self._take_waiting()

    def _read_control_frames(self) -> None:
        """The hibernation manager calls receive() again as soon as the handler's event is
        over: kj reads the pings it finds first, and a frame it refuses right after them, there
        and then, before the object's output gate lets its replies through (a Close among them
        not sent yet either): do-wire-ping-before-gated-close, gen-do-wire-779-99."""
        src = self._peer._outgoing
        transport = self._peer._transport
        assert transport is not None
        if src and type(src[0]) is PingFrame:
            transport.answer_pings(_pop_pings(src))
        if src and type(src[0]) is RefusalFrame:
            frame = src.popleft()
            transport.refuse(frame.code, frame.reason)  # type: ignore[union-attr]

    # ------------------------------------------------------------------ internals: sending

    def _notify_outgoing(self) -> None:
        """A frame was queued: make sure whoever reads this end's frames will take it.

        In a Durable Object the pump first waits for the object's output gate (each queued
        message carries ``IoContext::waitForOutputLocksIfNecessary()``, a branch of a forked
        promise): the frame reaches the peer's pipe only in kj's next turn, so a read loop
        waiting meanwhile, or one that comes back to receive() in this turn, finds no frame
        yet (gen-2e61f882). A frame queued while a storage write is not flushed yet waits
        for the flush (:meth:`GateHolds.wrote`).
        """
        holds = GATE_HOLDS.get()
        if holds is None and not self._gated:
            self._offer()
            return
        self._queued_at = ticket()
        self._queued_in = holds
        self._queued_in_peer_dispatch = self._peer._delivering
        # (A hibernatable end's own dispatch is its handler's event, while the hibernation
        # manager holds its read loop: see _hold.)
        self._queued_in_own_dispatch = (
            self._delivering
            or self._in_checkpoint
            or (self._handler is not None and not self._reading and self._phase in _HELD_PHASES)
        )
        self._queued_since_dispatch += 1
        lock = holds.flush if holds is not None else None
        waits = self._gate_waits
        if waits and (waits[-1][0] is lock or (lock is None and not waits[-1][0].open)):
            waits[-1][1] += 1  # behind the same locks as the frame before it
        else:
            if lock is None:
                lock = OutputLock()  # no lock held: the branch of a resolved promise, next turn
                _after_this_turn(lock.release)
            lock.waiters.append(self)
            waits.append([lock, 1])
        self._gated += 1

    def _cont_behind_other(self, cont: Once) -> bool:
        """Whether, in a Durable Object, something else was queued to enter the object before
        this end's pump continuation: another end's delivery, or another pump's continuation
        (even one with nothing to do, see :meth:`_pass_in_object`). Each gets in through the
        object's input gate in turn, and this continuation, behind them, runs only after the
        new pump has resumed and finished (measured on workerd 2026-11-23: gen-85ac63a7,
        do-reply-pump-done-behind-other-delivery, do-reply-pump-done-behind-other-pump).
        Only the peer's delivery does not count: it is the one that hands the new pump's
        frame over. A hibernatable end's continuation does not cancel a newer pump anyway
        (see :meth:`_pump_done`)."""
        own = self._io_context
        if self._handler is not None or own is None or own.get(GATE_HOLDS) is None:
            return False
        return queued_before(cont.ticket, cont, self._peer._delivery)

    def _gate_passed(self) -> None:
        """An output lock opened: the frames queued behind it (and behind no later lock) go to
        the pump, which sends them now."""
        waits = self._gate_waits
        passed = 0
        committed = False
        while waits and waits[0][0].open:
            lock, count = waits.pop(0)
            passed += count
            committed = committed or lock.commit
        if not passed:
            return
        # With none of this end's frames in the pipe yet, the pump sends the first of those
        # let through, and a read loop waiting in receive() takes it at once: its send is
        # done, and bufferedAmount drops, before the next frame's (measured on workerd
        # 2026-11-23: gen-587571aa, do-gate-hands-first-frame-buffered-amount).
        head = len(self._outgoing) == self._gated
        self._gated -= passed
        if self._outgoing:
            self._offer(head, self._queued_in_peer_dispatch, committed)

    def _ungate(self) -> None:
        """The pump is gone: no frame waits for the output gate any more."""
        self._gated = 0
        self._gate_waits.clear()

    def _offer(self, head: bool = False, peer_coming_back: bool = False, committed: bool = False) -> None:
        """The pump sends the frame just queued, or the frames let through the output gate:
        ``head`` when the first of them is the head of the pipe, ``peer_coming_back`` when
        they were queued in the peer's dispatch (see :meth:`_gate_passed`)."""
        peer = self._peer
        if peer._transport is not None:
            peer._transport.frames_queued()
        elif peer._reading:
            queued = len(self._outgoing) - self._gated
            handed = (queued == 1 or head) and not peer._delivering and not peer._in_checkpoint
            if queued == 2 and self._handed and self._finished_late:
                # The pump whose last frame the peer took has finished, and its continuation
                # waits (see _take_last): this frame starts a new pump, which that
                # continuation finds running (do-close-in-handler-reply-cancelled).
                self._cont_before_pump = True
            if handed:
                # The pump resumes in kj as soon as this turn is over, before the peer's
                # read loop gets back into JavaScript: it finishes then, unless this turn
                # queued more frames (the same pump sends them).
                self._through_commit = committed
                self._resumed_behind = False
                if (
                    committed
                    and self._delivery.scheduled
                    and self._came_back
                    and peer._handed
                    and type(peer._outgoing[0]) is CloseFrame
                    and not peer._queued_in_own_dispatch
                    and self._queued_in is not None
                    and self._queued_in.last_reader is self
                ):
                    # A storage write's commit let the frame through while this end's read loop,
                    # back from a dispatch, waits to enter the object with the peer's Close: the
                    # pump, resuming a kj turn after the hand-over, is still running when that
                    # close event ends, so the end is not let go of (tryReleaseNative() finds it
                    # isPumping); once the peer's close event lets go of the peer, the pump's
                    # continuation reports "Network connection lost." (measured on workerd
                    # 2026-11-23: gen-4ec62a3d-write-in-listener,
                    # do-close-after-write-in-listener-*). With a message ahead of that Close the
                    # pump resumes first, as below (do-close-after-write-in-listener-next-message-first),
                    # and so it does when the read loop was waiting in receive() and the commit
                    # handed it the Close too (gen-61476f80, do-closes-after-write-at-top-level-clean),
                    # when the peer's Close came from its listener (a kj turn later through the
                    # gate: do-close-after-write-in-listener-peer-closed-in-listener), or when
                    # another socket of the object dispatched a frame after this end's dispatch
                    # (the commit comes behind that dispatch, before this read loop is back:
                    # do-close-after-write-in-listener-other-pair-dispatched-between). A message
                    # let through this way is sent by the same pump, which the automatic reply
                    # then joins; its continuation comes behind the peer's way back (_take_last).
                    self._resume_pending = True
                    self._resumed_behind = True
                    schedule(self._pump_resumed)
                else:
                    _after_this_turn(self._pump_resumed)
                cont = self._pump_cont
                if cont is not None and cont.scheduled and not self._cont_behind_other(cont):
                    # The continuation of this end's previous pump is already waiting for
                    # the isolate: it runs before this new pump resumes, and finds it
                    # still pumping (see _pump_done).
                    self._cont_before_pump = True
            if (
                not peer._delivery.scheduled
                and not self._handed
                and not peer._delivering
                and not peer._receive_ready
                and not peer._in_checkpoint
                # In a Durable Object a read loop on its way back to a frame waiting in the pipe
                # is not hurried by a frame the gate lets through meanwhile: it enters the
                # object in its own time, after the hibernation manager's dispatch of a Close
                # sent in its listener (measured on workerd 2026-11-23: gen-82b6a9c8,
                # do-way-back-not-hurried-by-gated-frame-*).
                and not (peer._way_back and self._queued_in is not None)
            ):
                # (With this end's head frame handed over already, the peer's read loop has
                # its way back arranged, as a kj event maybe: it takes this frame after that
                # one, and a frame queued now does not hurry it (gen-c191bf9c). A peer that
                # is dispatching comes back to receive() once its dispatch is over, and
                # takes the frame then, behind read loops this turn woke (gen-19002027).)
                if peer._handler is not None and (
                    (
                        # (the frame the read loop is coming back for was sent by that handler,
                        # after another of its frames; frames a timer sent leave the manager
                        # waiting in receive(), and it takes this one first: gen-4d94c8f9,
                        # do-manager-waiting-takes-close-before-timer-message, -answer-)
                        (self._way_back and peer._handler_sent_more()) or self._receive_ready
                    )
                    if peer._dispatched_at
                    else (self._behind_way_back() or self._back_for_handlers_frame())
                ):
                    # The hibernation manager, back from a handler's event (its customEvent
                    # chain is longer than a read loop's way back), dispatches this frame
                    # after the read loop of this end already on its way back to the object's
                    # next frame: a's next message comes before webSocketMessage or
                    # webSocketClose (measured on workerd 2026-11-23: gen-4a3891b7,
                    # do-handler-sends-while-peer-answers). A manager that has not dispatched
                    # yet takes the frame at once (do-fresh-manager-takes-answer-first),
                    # unless a read loop of the object was on its way back already when the
                    # frame was queued: it dispatches its next frame first
                    # (gen-767bcd34, do-fresh-manager-waits-for-earlier-way-back). A manager
                    # whose last event sent nothing that read loop comes back for is back in
                    # receive() already, and takes the frame first (measured on workerd
                    # 2026-11-23: gen-27108d50, do-manager-back-takes-close-first,
                    # do-manager-back-takes-answer-first). So is a manager whose handler's
                    # frames the read loop has not begun to take: it dispatched a frame sent
                    # before that event, and comes back for the handler's first
                    # (gen-322278c8, do-manager-back-takes-close-before-handlers-first-message,
                    # -answer-).
                    peer._receive_ready = True
                    runtime().add_kj(peer._schedule_delivery, later=True)
                elif (
                    (self._way_back or self._back_after_microtasks)
                    and peer._handler is None
                    and peer._queued_in is not None
                    and peer._queued_in_own_dispatch
                    and len(peer._outgoing) <= peer._queued_since_dispatch
                    and not peer._peer_waited_first
                ):
                    # In a Durable Object, a read loop whose dispatch (or its microtasks) sent
                    # frames takes this end's frame only behind this end's read loop already on
                    # its way back with one of them: b's listener sends two messages, a answers
                    # the first, and a dispatches the second before b gets the answer (measured
                    # on workerd 2026-11-23 with 28 variants: gen-b9cf36ed-answer,
                    # do-answer-behind-way-back-*). Not when the frames were sent at top level
                    # or from a timer (do-answer-in-listener-peer-sent-at-top-level,
                    # do-answer-first-when-peer-sent-from-timer), nor when this end's read loop
                    # was waiting to enter the object as the peer's dispatch began
                    # (do-peer-sends-in-listener-after-answer).
                    peer._receive_ready = True
                    runtime().add_kj(peer._schedule_delivery, later=True)
                elif peer_coming_back and (self._way_back or self._long_way_back) and peer._handler is None:
                    # The frame was queued in the peer's listener and waited for the output
                    # gate, which lets it through a kj turn after that dispatch: the peer's
                    # read loop is still on its way back to receive() then, and takes it
                    # behind a read loop of this end already on its way back with a frame:
                    # this end's next message comes first, and the pump that was sending it
                    # finishes after the peer's event (measured on workerd 2026-11-23:
                    # gen-370e6709, do-close-from-peer-listener-waits-for-way-back,
                    # do-close-from-peer-listener-reply-cancelled). So does the hibernation
                    # manager's long way back from an event, begun before the peer's dispatch
                    # (gen-2cfee876, do-manager-way-back-before-frame-from-listener). With no
                    # read loop of this end coming back, the peer's takes it at once, ahead of
                    # what this end's own frames let through the gate next, such as a Close to
                    # a hibernatable peer's manager (gen-987b654c,
                    # do-send-from-peer-in-listener-before-close-to-manager).
                    peer._receive_ready = True
                    runtime().add_kj(peer._schedule_delivery)
                else:
                    peer._schedule_delivery()
                # (woken by a send in this end's listener, or in its microtasks, which run
                # inside the dispatch: see _take_last; reply-cancelled-when-peer-sends-in-microtask)
                peer._woken_in_dispatch = self._delivering or self._in_checkpoint
            if handed:
                # The peer's read loop is waiting in receive(): kj's pipe hands the
                # frame over at once.
                self._handed = True
                self._handed_in = self._dispatched_at if self._delivering or self._in_checkpoint else 0
                self._uncount_head_later()

    def _behind_way_back(self) -> bool:
        """Whether a read loop of this end's object was on its way back to receive() when
        this end's last frame was queued (and still is)."""
        holds = self._queued_in
        if holds is None:
            return False
        since = self._queued_at
        return any(e._way_back and e._back_in is holds and e._back_since < since for e in _ON_WAY_BACK)

    def _back_for_handlers_frame(self) -> bool:
        """Whether a read loop of this end's object is on its way back to a frame that a
        hibernation manager's handler sent after another of its frames: that manager is still
        on its way back from the handler's event (see :meth:`_offer`)."""
        holds = self._queued_in
        if holds is None:
            return False
        return any(
            (e._way_back or e._back_after_microtasks) and e._back_in is holds and e._peer._handler_sent_more()
            for e in _ON_WAY_BACK
        )

    def _handler_sent_more(self) -> bool:
        """Whether this hibernatable end's last handler sent the frames still queued, after
        another of them that the peer took already."""
        return (
            self._handler is not None
            and self._queued_in_own_dispatch
            and len(self._outgoing) < self._queued_since_dispatch
        )

    def _take_last(self) -> bool:
        """This end's read loop is back in receive() and the peer has one frame left.

        kj's pipe hands it over now (the peer's blocked send completes), so the
        peer's pump finishes, and its continuation runs before this end sees the
        frame. Returns True when the frame was taken this way: this end's dispatch
        of it then waits for kj's turn (``BlockedSend::receive()`` returns a ready
        promise, and kj resumes a coroutine awaiting one breadth-first), whatever
        state the peer is in; see :meth:`_schedule_delivery_later`.
        """
        peer = self._peer
        if peer._handed or peer._gated:
            return False  # (a frame still behind the output gate is not in the pipe yet)
        peer._handed = True
        peer._uncount_head_later()
        # The peer's pump has sent its last frame: its continuation runs next turn, and
        # decides then (a Close this end dispatches meanwhile counts).
        if peer._may_act():
            if (peer._way_back or peer._came_back) and (self._woken_in_dispatch or self._handler is not None):
                # This read loop was woken by a send in the peer's listener: it entered the
                # isolate a kj turn behind the peer's read loop's way back to receive(), and
                # comes back a turn behind it too. The pump it lets finish here resumes, and
                # its continuation (ensurePumping's .then, through awaitIoLegacy) enters
                # JavaScript, only after the peer's read loop has dispatched the frame it was
                # coming back for. If that is a Close, its automatic reply starts a new pump
                # (the finished one no longer isPumping), which the continuation's release
                # then cancels: the peer errors, this end gets close 1006 (web-socket.c++
                # ensurePumping, workerd PR 1535; gen-ba8cea44,
                # order-woken-read-loop-finishes-pump-after-peer-close). A read loop woken
                # otherwise takes the frame in time for the continuation to run first
                # (gen-e632bfb5); a peer waiting in receive() has no way back to wait for
                # (order-woken-read-loop-finishes-pump-peer-waiting). A peer's read loop already
                # back, waiting to enter with the frame (its dispatch left microtasks, so it
                # took it on the spot), counts as on its way (measured on workerd 2026-11-23:
                # gen-py12-433, reply-cancelled-when-peer-came-back-after-microtasks). The hibernation
                # manager's read loop, back from its customEvent, is later still
                # (do-close-in-handler-reply-cancelled).
                peer._finished_late = True
                earlier = peer._pump_cont
                if earlier is not None and earlier.scheduled:
                    # The continuation of the peer's earlier pump still waits: it runs first,
                    # finds this pump running and does nothing; this pump's own continuation
                    # comes in its own place (see _schedule_pump_done; measured on workerd
                    # 2026-11-23: gen-py3-263, reply-cancelled-by-pump-started-in-peer-listener).
                    peer._newer_cont_coming = True
                peer._cont_on_way = self._handler is not None
                runtime().add_kj(peer._schedule_pump_done_late, later=True)
            elif self._cont_on_way:
                # This end's own pump finished earlier, when the hibernation manager came back
                # for its last frame, and that continuation is still on its way (above): the
                # peer's, begun only now, on this read loop's way back, enters JavaScript
                # behind it. So this end's continuation acts before the peer's lets go of the
                # peer (measured on workerd 2026-11-23: gen-fd00cb8b,
                # do-own-pump-done-before-peers-after-handler-took-close).
                runtime().add_kj(peer._schedule_pump_done, later=True)
            elif peer._resumed_behind:
                # The peer's pump, resumed late after a storage write's commit (see _offer),
                # sent a message and then the automatic reply to this end's Close: once this
                # read loop takes that reply, the pump's continuation enters the object only
                # behind this read loop's way back with it. So this end's close event lets go
                # of this end first, and the continuation reports "Network connection lost."
                # on the peer (measured on workerd 2026-11-23: gen-4ec62a3d-write-then-send,
                # do-send-after-write-in-listener-error-after-peer-close-*).
                runtime().add_kj(peer._pump_done_behind_way_back, later=True)
            elif (
                self._gated
                and peer._queued_in is not None
                and type(self._outgoing[-1]) is CloseFrame
                and not peer._delivery.scheduled
                and not peer._way_back
                and peer._queued_in_own_dispatch
                and peer._queued_in.flush is None
            ):
                # In a Durable Object, the peer's listener sent the frames this read loop takes
                # (the last now), and this end's dispatch queued its Close, which reaches the
                # peer's waiting read loop once the output gate lets it through. The peer's
                # pump's continuation enters the object only after the peer's close event, but
                # ahead of this end's continuation: it lets go of the peer, cancelling the
                # automatic reply this read loop has taken by then, so this end reports
                # "Network connection lost." before its close event, and the peer after it
                # (measured on workerd 2026-11-23: gen-b9cf36ed,
                # do-close-in-listener-peer-pump-done-after-close-event-*). Not with frames the
                # peer sent at top level, nor behind a storage write in this end's dispatch
                # (do-close-in-listener-peer-sent-at-top-level-clean, -after-write).
                peer._cont_after_dispatch = True
                peer._cont_ahead = True
            elif peer._way_back and peer._queued_in is not None:
                # In a Durable Object the peer's continuation, through awaitIoLegacy and the
                # object, enters JavaScript behind the peer's read loop already on its way back
                # with a frame. When that frame is this end's Close, the peer's close event (its
                # automatic reply queued, a new pump) comes first, and the continuation then
                # lets go of the peer, which cancels the reply: the peer errors, this end gets
                # 1006 (measured on workerd 2026-11-23: gen-1e24b327,
                # do-pump-done-behind-peer-way-back-*).
                # Outside an object it comes first (as above), and the handshake is clean.
                runtime().add_kj(peer._schedule_pump_done, later=True)
            else:
                peer._schedule_pump_done()
        else:
            peer._pass_in_object()
        return True

    def _pump_done_behind_way_back(self) -> None:
        """Queue the pump's continuation behind the peer's read loop's way back, queued in the
        same turn as this event (see :meth:`_take_last`)."""
        runtime().add_kj(self._schedule_pump_done, later=True)

    def _schedule_pump_done_late(self) -> None:
        """:meth:`_schedule_pump_done` for a continuation that was on its way (see :meth:`_take_last`)."""
        self._cont_on_way = False
        self._schedule_pump_done()

    def _uncount_head_later(self) -> None:
        """The head of this end's queue was handed to the peer's read loop: the pump's send is
        done, and bufferedAmount drops once the running task is over, before the peer's
        dispatch (workerd's pump continuation; measured: gen-ccfce114)."""
        frame = self._outgoing[0]
        cls = type(frame)
        if cls is str or cls is bytes or cls is WTF8:
            size = frame_size(frame)  # type: ignore[arg-type]

            def uncount() -> None:
                self._buffered -= size

            if self._cont_before_pump:
                # The previous pump's continuation waits for the isolate: it runs before this
                # pump resumes, and if it lets go of the end, the pump is cancelled before it
                # counts its send done: bufferedAmount keeps the frame (gen-a960ef6a).
                def uncount_unless_cancelled() -> None:
                    if not self._released:
                        self._buffered -= size

                schedule(uncount_unless_cancelled)
                return
            try:
                rt = runtime()
            except RuntimeError:  # no loop runs yet (a plain script): with the deliveries, when one does
                schedule(uncount)
                return
            rt.add_kj(uncount)

    def _schedule_delivery_later(self) -> None:
        """The read loop took a frame that was ready: it resumes in kj's turn after this one,
        and only then queues its way back into JavaScript. A frame the peer queues meanwhile
        does not hurry it (gen-e29e891e)."""
        self._receive_ready = True
        if self._peer_waited_first and self._peer._delivery.scheduled:
            # The peer's read loop was waiting for the isolate before the handler's dispatch
            # began: the manager's way back (the end of its customEvent) is longer than that
            # dispatch and what it queues, such as the error event of a listener that raised,
            # which this way back does not hold up (see _listener_raised; measured on workerd
            # 2026-11-23: gen-5508919a, do-manager-way-back-behind-peer-error, -timer).
            self._long_way_back = True
            runtime().add_kj(self._schedule_delivery, later=True)
        else:
            _after_this_turn(self._schedule_delivery)

    def _come_back(self) -> None:
        """The read loop goes back to receive() after a dispatch, with a frame waiting for it.

        workerd's read loop is a coroutine: once ``context.run()`` has dispatched the event, it
        resumes in kj, calls receive(), awaits the frame that is ready, and only then queues
        its next ``context.run()``. Those are turns of kj's first-in-first-out queue, so what
        already waits to enter the isolate goes first: a read loop the dispatch woke
        (gen-19002027), the peer's read loop queued before (each-direction-keeps-order), an
        error report (gen-7ab3d307)."""
        self._way_back = True
        holds = GATE_HOLDS.get()
        if holds is not None:
            self._back_since = ticket()
            self._back_in = holds
            _ON_WAY_BACK.add(self)
        runtime().add_kj(self._schedule_delivery_back, later=True)

    def _schedule_delivery_back(self) -> None:
        """The read loop's way back after a dispatch reaches the isolate's queue
        (see :meth:`_cancel_pump`)."""
        self._schedule_delivery()
        self._came_back = True

    def _schedule_delivery(self) -> None:
        self._long_way_back = False
        self._came_back = False
        self._way_back = False
        _ON_WAY_BACK.discard(self)
        self._receive_ready = False
        self._delivery.request()

    def _deliver(self) -> None:
        self._came_back = False
        self._back_after_microtasks = False
        self._peer_waited_first = self._peer._delivery.scheduled
        holds = GATE_HOLDS.get()
        if holds is not None:
            self._reader_before = holds.last_reader
            holds.last_reader = self  # (see _offer)
            if self._cont_after_dispatch and self._reader_before is not self._peer:
                # Another socket of the object dispatched since the peer's dispatch: that chain
                # of kj turns let the continuation in first (see _pump_resumed;
                # do-closer-pump-done-other-pair-dispatched-between).
                self._cont_after_dispatch = False
                self._schedule_pump_done()
        try:
            self._deliver_frames()
        finally:
            if self._cont_after_dispatch:
                # The pump's continuation, held back until this dispatch (see _pump_resumed),
                # enters right after it, ahead of this read loop's way back.
                self._cont_after_dispatch = False
                if self._cont_ahead:
                    # (ahead of the tasks already queued, this end's close event's next
                    # deliveries and the peer's continuation: see _take_last)
                    self._cont_ahead = False
                    cont = self._pump_cont
                    if cont is None:
                        cont = self._pump_cont = Once(self._pump_done)
                    cont.request_ahead()
                else:
                    runtime().add_kj(self._schedule_pump_done)
            self._was_woken_in_dispatch = self._woken_in_dispatch
            self._woken_in_dispatch = False  # it describes the delivery turn just over

    def _deliver_frames(self) -> None:
        """Take the peer's next frame and dispatch it, as workerd's read loop does.

        Each frame is its own turn of the event loop; when nothing else is
        waiting to run, the next frame follows in the same turn (up to a batch
        limit, so timers and I/O are still served), which no program can tell apart.
        """
        peer = self._peer
        src = peer._outgoing
        budget = _BATCH
        rt = runtime()
        delivery = self._delivery
        while self._reading and len(src) > peer._gated:  # (frames behind the output gate wait)
            frame = src.popleft()
            waiting = len(src)  # frames of the peer's already in the pipe behind this one
            if peer._held_until_taken:
                peer._frame_taken()
            if type(frame) is PingFrame:
                # kj reads a network client's pings as the read loop asks for its next
                # message: the pings read together are answered together (no event).
                pings = [frame.payload, *_pop_pings(src)]
                if peer._transport is not None:
                    peer._transport.answer_pings(pings)
                continue
            if type(frame) is RefusalFrame:
                if peer._transport is not None:
                    peer._transport.refuse(frame.code, frame.reason)
                continue
            handed = peer._handed
            if handed:
                peer._handed = False  # taken already; its pump's continuation is scheduled
            elif not src and (peer._out_aborted or peer._phase in CLOSED_OUTGOING):
                peer._pump_done()
            self._delivering = True
            self._dispatched_at = ticket()
            self._queued_since_dispatch = 0
            cls = type(frame)
            if peer._transport is not None and cls is not CloseFrame and cls is not ReadFailure:
                peer._transport.message_read()
            if (cls is str or cls is bytes or cls is WTF8) and not handed:
                peer._buffered -= frame_size(frame)  # type: ignore[arg-type]
            if cls is str or (cls is bytes and self._binary_type != "blob"):
                self._dispatch_message(frame)  # type: ignore[arg-type]
            elif cls is CloseFrame:
                self._receive_close(frame.code, frame.reason)  # type: ignore[union-attr]
            elif cls is ReadFailure:
                self._reading = False
                # A hibernatable end's read loop is the hibernation manager's: it releases
                # the end with its incoming side closed, not errored (state.py READ_FAILED).
                action = Action.ERROR if self._handler is None else Action.RECV_ERROR_HIBERNATABLE
                self._report_error(frame.error, frame.message, action)  # type: ignore[union-attr]
            else:
                self._receive_message(frame)  # type: ignore[arg-type]
            self._delivering = False
            if len(src) == 1 and self._reading and not rt.idle_of_microtasks():
                # The dispatch queued microtasks: they run before the read loop goes back to
                # receive() (gen-7ce807bf), which is still ahead of the kj events the dispatch
                # queued (gen-263a6965). A frame the peer queues in them does not hurry the
                # read loop either: it waits behind the peer's read loop already on its way
                # back (measured on workerd 2026-11-23: gen-f3b926f6,
                # send-in-microtask-of-listener-behind-peer-way-back).
                self._in_checkpoint = True
                rt.add_kj(self._back_for_last, first=True)
                return
            if (
                not src
                and self._reading
                and not peer._dead
                and peer._transport is None
                and not rt.idle_of_microtasks()
            ):
                # With nothing waiting, the read loop is still inside context.run() while
                # those microtasks run: a frame the peer queues there waits in the pipe
                # (kj's BlockedSend) for the read loop's way back, rather than going to a
                # read loop waiting in receive(), so a pump continuation queued meanwhile
                # runs before it is dispatched (gen-ac53e031, close-in-microtask-of-listener-
                # then-close-from-peer).
                self._in_checkpoint = True
                rt.add_kj(self._back_for_last, first=True)
                return
            if (
                len(src) == 1
                and waiting == 1
                and (peer._back_after_microtasks or self._peer_sent_behind_at_gate())
                and peer._delivery.scheduled
                and self._reading
                and not delivery.scheduled
                and not peer._handed
                and not peer._gated
                and peer._transport is None
                and peer._handed_in != peer._dispatched_at
            ):
                # The peer's read loop, back after its dispatch's microtasks, already waits to
                # enter the isolate: this read loop takes the peer's last frame, waiting in the
                # pipe since before this dispatch, on its own way back, after that dispatch, so
                # the peer's pump still runs through it, and a Close the peer answers there
                # joins that pump: no continuation cancels the reply (measured on workerd
                # 2026-11-23: gen-py4-295, gen-1a96a580,
                # close-in-microtask-reply-joins-running-pump). A frame the peer queued in this
                # dispatch is taken at once (pygen-20261205-69,
                # close-in-microtask-reply-cancelled-by-pump-started-in-peer-listener), and so
                # is one sent by a pump that handed a frame over in the peer's dispatch just
                # over: that pump resumes after the dispatch to send it, and the peer's pump
                # has finished before its close event, whose reply the continuation then
                # cancels (measured on workerd 2026-11-23: gen-db9935e8,
                # close-in-microtask-reply-cancelled-by-pump-handed-in-listener-*; contrast
                # close-in-microtask-reply-joins-pump-handed-at-top-level).
                # In a Durable Object each frame waits for the output gate: the peer's frames
                # sent in its dispatch (two at least) and this end's Close sent there reach the
                # pipe only after it, and the read loop, taking the first, takes the second on
                # its way back, as above (do-close-in-microtask-reply-joins-pump-handed-at-gate-*,
                # gen-db9935e8-durable). Not when this end's Close came from its own listener
                # (do-close-in-listener-behind-way-back-three-from-peer-listener), the peer's
                # frames from top level (do-close-from-peer-listener-reply-cancelled), after a
                # storage write's commit (do-close-in-microtask-reply-cancelled-after-write-in-
                # listener), nor when another socket of the object dispatched in between
                # (-other-pair-dispatched-between).
                self._come_back()
                return
            if len(src) == 1 and self._reading and self._take_last():
                if not delivery.scheduled:
                    self._come_back()
                return
            budget -= 1
            if not budget or delivery.scheduled or (not budget & 15 and rt.slice_over()):
                break
            if not rt.idle():
                break  # a callback a listener scheduled runs first, as a microtask would
        if src:
            if self._reading and len(src) > 1 and not peer._handed and not peer._gated:
                # The read loop goes back to receive() and takes the frame the peer's pump is
                # sending: that send is done, so bufferedAmount drops then, before the event
                # that waited for the isolate meanwhile (buffered-amount-when-read-loop-takes-next).
                # (A frame dispatched in the same turn is uncounted as it is taken, above.)
                peer._handed = True
                peer._uncount_head_later()
            if self._reading and not self._delivery.scheduled and len(src) > peer._gated:
                self._come_back()
        elif peer._dead and self._reading:
            # The peer's read loop failed, and its pump has handed over its last frame: the
            # peer is let go of (Released), so ctx.getTags() says it is not accepted, and its
            # end of kj's pipe goes, which this read loop sees next (gen-e45ff0a4).
            peer._released = True
            schedule(self._peer_gone)

    def _back_for_last(self) -> None:
        """The read loop goes back to receive() once its dispatch's microtasks have run."""
        self._in_checkpoint = False
        src = self._peer._outgoing
        if not src or not self._reading or self._way_back:
            return
        if len(src) == 1 and self._take_last():
            # It is past the isolate already: the ready frame is dispatched in kj's next turn
            # (gen-dbed79b4: a send in those microtasks reached the peer first).
            if not self._delivery.scheduled:
                # (A way back: a pump cancelled meanwhile reports ahead of it, as after
                # _come_back: gen-py3-982, cancelled-pump-error-after-microtasks.)
                self._receive_ready = True
                self._back_after_microtasks = True
                holds = GATE_HOLDS.get()
                if holds is not None:
                    # (on its way back as well: see _back_for_handlers_frame)
                    self._back_since = ticket()
                    self._back_in = holds
                    _ON_WAY_BACK.add(self)
                if self._peer_waited_first and self._peer._delivery.scheduled:
                    # The peer's read loop was waiting for the isolate before this dispatch
                    # began: its dispatch goes first, and what it queues (the error event of
                    # a listener that raised, a timer) comes before this frame's dispatch
                    # (measured on workerd 2026-11-23: gen-c3696096,
                    # microtask-way-back-behind-peer-dispatch-error, -timer). A peer whose
                    # read loop this dispatch woke comes after (gen-dbed79b4).
                    runtime().add_kj(self._schedule_delivery_back, later=True)
                else:
                    _after_this_turn(self._schedule_delivery_back)
            return
        if len(src) > self._peer._gated and not self._delivery.scheduled:
            self._come_back()

    # ------------------------------------------------------------------ internals: receiving

    def _receive_message(self, data: str | bytes) -> None:
        # Only reading ends get here, and a message never changes the phase
        # (TRANSITIONS[phase, RECV_MESSAGE] is DISPATCH for every reading phase).
        if type(data) is bytes and self._binary_type == "blob":
            self._dispatch_message(Blob._wrap(data))
        elif type(data) is WTF8:
            self._dispatch_message(received_text(data))
        else:
            self._dispatch_message(data)

    def _receive_close(self, code: int, reason: str) -> None:
        # No automatic reply once the peer has let go of the pipe (readLoop: the reply is
        # queued only if !outgoingAborted): readyState stays 2 in the close event.
        half_open = self._allow_half_open or self._out_aborted
        action = Action.RECV_CLOSE_HALF_OPEN if half_open else Action.RECV_CLOSE
        t = transition(self._phase, action)
        # Frames handed over before this turn are sent: only what this end queues while
        # it handles the Close (the automatic reply, a listener's send or close) keeps
        # its pump running past the close event.
        queued = len(self._outgoing)
        was_pumping = queued > 1 or (queued == 1 and (not self._handed or self._resume_pending))
        self._reading = False
        self._phase = t.next
        if t.effect is Effect.QUEUE_REPLY_CLOSE:
            # web_socket_auto_reply_to_close: the reply is queued before the event.
            self._replied = True
            self._outgoing.append(CloseFrame(code, reason))
            self._notify_outgoing()
        self._dispatch_from_runtime(CloseEvent(code=code, reason=reason, wasClean=True))
        # workerd's tryReleaseNative() after the close event. A hibernatable end is not
        # released by its close event (webSocketClose only sets closedIncoming:
        # LWA::initiateHibernatableRelease): its peer's release will, when its whenAborted task
        # finds the end idle (do-object-closes-first), and its pump's continuation then reports
        # the pipe gone (gen-e8e1ee0c). A peer that let go before the Close was taken found it
        # still open: the end stays accepted (gen-b48c6342).
        if (
            (self._phase is Phase.CLOSED or self._out_aborted)
            and self._handler is None
            and not self._read_failed  # a listener raised: the dispatch threw past tryReleaseNative()
            and not was_pumping
            and len(self._outgoing) == queued
            and self._peer._transport is None
        ):
            self._release_native()

    def _release_native(self) -> None:
        """The end lets go of its side of kj's pipe (workerd: state Released).

        Destroying a pipe end aborts both directions: the peer's whenAborted task
        sets its outgoingAborted flag, and lets go too if its pump is idle and its
        read loop is over. A peer whose pump continuation is still to run then
        reports "Network connection lost." (see :meth:`_pump_done`): in a plain
        handshake that is the end that answered the Close, because its answer was
        handed to a read loop that was waiting for it.
        """
        if self._released:
            return
        self._released = True
        peer = self._peer
        if peer._released or peer._transport is not None:
            return
        peer._out_aborted = True
        out = peer._outgoing
        pump_idle = not out or (len(out) == 1 and peer._handed)
        if pump_idle and peer._phase in CLOSED_INCOMING:
            # The whenAborted task: a kj event, so the microtasks of the dispatch that let go
            # of this end still find the peer accepted (gen-c86ab699).
            _after_this_turn(peer._let_go)
        elif GATE_HOLDS.get() is not None:
            # In a Durable Object the peer's read loop enters the isolate only after the input
            # gate (IoContext::run), a kj turn behind this task: a dispatch of a frame it took
            # finds outgoingAborted set, so close() and send() there do nothing
            # (gen-bdc9ab42). Outside one, such a dispatch comes first (gen-2d3d4afe).
            _after_this_turn(peer._when_aborted)
        elif (peer._way_back or peer._came_back) and peer._handler is None:
            # A plain peer's read loop on its way back with a frame it took ready from the
            # pipe (this end's last) enters the isolate only after the whenAborted task has
            # set outgoingAborted: send() and close() in that dispatch do nothing (measured on
            # workerd 2026-11-23: gen-ffbc9386, raising-end-let-go-peer-way-back-close-ignored,
            # -send-ignored). A read loop that was waiting dispatches first (gen-2d3d4afe).
            _after_this_turn(peer._when_aborted)

    def _let_go(self) -> None:
        self._released = True
        self._aborted_known = True

    def _when_aborted(self) -> None:
        """The whenAborted task has set outgoingAborted: see :meth:`_peer_let_go`."""
        self._aborted_known = True

    def _schedule_pump_done(self) -> None:
        """Run :meth:`_pump_done` next turn: the pump has finished (its last frame was taken,
        or it resumed after handing its last frame over), and its continuation gets back into
        JavaScript as a task, in its place among the deliveries it races with."""
        cont = self._pump_cont
        if cont is None:
            cont = self._pump_cont = Once(self._pump_done)
        if cont.scheduled and self._newer_cont_coming:
            # A newer pump finished while the earlier one's continuation still waits: the newer
            # one's continuation is a task of its own, queued now (see _take_last).
            cont.ticket = ticket()
            schedule(self._pump_done)
            return
        cont.request()

    def _may_act(self) -> bool:
        """Whether a continuation of this end's pump could do anything when it runs.

        With both ends open and neither gone nor errored it cannot: before it runs (next
        turn) this end can neither get both directions closed nor lose its peer, as any
        Close sent now reaches it through a delivery queued after the continuation. Not
        scheduling it then keeps a message's cost at one task.
        """
        peer = self._peer
        return not (
            self._phase is Phase.OPEN
            and peer._phase is Phase.OPEN
            and not self._out_aborted
            and not self._errored
            and not peer._errored
            and not peer._dead
        )

    def _untaken(self) -> int:
        """Frames of this end the peer's read loop has not taken yet (the pump still has to send them)."""
        return len(self._outgoing) - (1 if self._handed else 0)

    def _pump_resumed(self) -> None:
        """The pump resumed after handing a message to a waiting read loop: it has finished
        unless more frames were queued in the same turn; its continuation runs next turn."""
        self._resume_pending = False
        if self._untaken() == 0:
            if self._may_act():
                if (
                    (self._way_back or self._back_after_microtasks)
                    and self._queued_in is not None
                    and (self._queued_in_own_dispatch or self._through_commit)
                ):
                    # In a Durable Object a frame sent in this end's dispatch waits a kj turn for
                    # the output gate, so the pump resumes, and its continuation (through
                    # awaitIoLegacy) enters JavaScript, behind this end's read loop already on
                    # its way back with the peer's next frame: a Close from the listener, then
                    # the peer's Close dispatched, then "Network connection lost." (measured on
                    # workerd 2026-11-23: gen-4ec62a3d, do-close-in-listener-close-event-before-error;
                    # outside an object the error comes first: close-in-listener-error-before-close-event).
                    # So does a frame queued at top level behind a storage write, let through by
                    # its commit (do-close-after-write-at-top-level-close-event-first), and one
                    # queued in the dispatch's microtasks, once the read loop is back after them
                    # (gen-b9cf36ed-close-in-microtask, do-close-in-microtask-peer-pump-done-*).
                    runtime().add_kj(self._schedule_pump_done, later=True)
                elif (
                    self._phase is Phase.CLOSE_SENT
                    and self._queued_in is not None
                    and not self._queued_in_own_dispatch
                    and self._delivery.scheduled
                    and self._peer._peer_waited_first
                ):
                    # In a Durable Object, this end's Close, queued outside its own dispatch
                    # (in the peer's, which began while this end's read loop already waited to
                    # enter the object with a frame it took), went through the gate to the
                    # peer's read loop. The pump's continuation enters JavaScript only after
                    # that waiting dispatch: behind the continuation of the peer's pump, which
                    # finishes when this read loop takes the peer's last frame. So the peer's
                    # close event and its continuation (letting go of the peer, which cancels
                    # its automatic reply) come first, and this one finds its outgoing side
                    # aborted: "Network connection lost." before this end's next message
                    # (measured on workerd 2026-11-23: gen-py4-295-durable, gen-1a96a580-durable,
                    # do-closer-pump-done-after-peer-let-go-*). See _deliver.
                    self._cont_after_dispatch = True
                else:
                    self._schedule_pump_done()
            else:
                self._pass_in_object()

    def _pass_in_object(self) -> None:
        """The pump has finished, and its continuation has nothing to do: the kit skips it, but
        in a Durable Object it still takes its turn through the object's input gate, where it
        goes ahead of a continuation queued after it (see :meth:`_cont_behind_other`)."""
        if self._queued_in is None:
            return
        passing = self._passing
        if passing is None:
            passing = self._passing = Once(_nothing)
        passing.request()

    def _pump_done(self) -> None:
        """The continuation after a run of this end's outgoing pump finished (web-socket.c++
        ``ensurePumping``'s ``.then``).

        It looks at the end's state when it runs, not when the pump finished: a frame queued
        in between (an automatic reply to a Close, a send in a listener) started a new pump,
        and this continuation still acts. With the peer gone (``outgoingAborted``) it reports
        "Network connection lost."; with both directions closed it releases the end, which
        cancels a pump still running (see :meth:`_cancel_pump`).
        """
        self._finished_late = False
        self._resumed_behind = False
        after = self._after_cont
        if after is not None:
            # The peer's cancelled pump reports right after this continuation (see _cancel_pump).
            self._after_cont = None
            runtime().add_next(after)
        if self._newer_cont_coming:
            # The earlier pump's continuation, while a newer pump's is on its way: with the end
            # neither closed nor let go of, it has nothing to do (see _take_last).
            self._newer_cont_coming = False
            if self._phase is not Phase.CLOSED and not self._out_aborted:
                return
        if self._cont_before_pump:
            # An earlier pump's continuation, run while a newer pump has not resumed yet
            # (isPumping): releasing the end now cancels that pump, whose frame may have been
            # handed over already; the newer pump's own continuation runs after this one.
            self._cont_before_pump = False
            # A hibernatable end whose webSocketClose has run is awaiting its release: the
            # continuation only calls tryReleaseNative(), which does nothing while the newer
            # pump runs (web-socket.c++ ensurePumping, workerd PR 1535), so nothing is
            # cancelled and the newer pump's continuation releases the end (gen-d44a8467).
            hibernatable = self._handler is not None
            if (
                not self._out_aborted
                and self._phase is Phase.CLOSED
                and not self._released
                and not hibernatable
            ):
                self._cancel_pump()
                return
            if not self._out_aborted:
                # The newer pump's own continuation follows once that pump has finished:
                # now if its frames are all taken, else when its last one is
                # (ensurePumping's .then runs once per pump() promise;
                # order-pump-continuation-waits-for-its-own-pump).
                if not self._untaken():
                    self._schedule_pump_done()
                return
        if self._out_aborted:
            # The peer let go before this continuation ran (even if the whenAborted task
            # has released this end already): reportError(), which lets go of the end only
            # once closedIncoming is set (see _report_lost): an end whose Close has not been
            # dispatched yet is kept. A plain end's read loop lets go of it after that Close's
            # event (tryReleaseNative(), gen-cf3cc0d1); no one releases a hibernatable one
            # (gen-10cc080c).
            if self._phase in CLOSED_INCOMING and self._handler is not None and not self._released:
                # A hibernatable end whose webSocketClose has run and that nobody let go
                # of yet is awaiting its release: the continuation lets go of it and
                # reports nothing (ensurePumping: awaitingHibernatableRelease(),
                # tryReleaseNative(); gen-a4924335). Once released, it reports.
                self._released = True
                return
            self._report_lost()
        elif self._phase is Phase.CLOSED:
            if self._released or self._untaken() == 0 or self._peer._transport is not None:
                was_released = self._released
                self._release_native()
                peer = self._peer
                if (
                    not was_released
                    and self._read_failed
                    and peer._transport is None
                    and peer._untaken()
                    and not peer._errored
                ):
                    # This end's listener raised, so its read loop will never take the peer's
                    # frames: the peer's pump waits in send() (kj's BlockedSend). Letting go of
                    # this end destroys its end of kj's pipe, which aborts both directions
                    # (WebSocketPipeEnd's destructor), so that send fails: the peer's pump
                    # rejects, and its continuation (ensurePumping's .then, through
                    # awaitIoLegacy) reports "Network connection lost." a few kj turns later,
                    # after the delivery already on its way (the peer's close event, without
                    # a reply since the whenAborted task set outgoingAborted) (gen-9ffdbe58,
                    # peer-pump-fails-when-raising-end-is-let-go-after-its-close).
                    peer._drop_unsent()
                    peer._lost_on_way = True
                    runtime().add_kj(peer._schedule_lost_on_way, later=True)
            elif self._handler is None:
                self._cancel_pump()
            # (A hibernatable end whose webSocketClose has run is awaiting its release:
            # tryReleaseNative() does nothing while its Close is still being sent, and that
            # send's own continuation lets go of it: gen-df3681aa, as gen-d44a8467.)
        elif (
            self._read_failed
            and self._errored
            and self._stuck_error is None
            and self._handler is None
            and self._untaken() == 0
            and self._peer._transport is None
        ):
            # A listener raised while this pump had frames to hand over: the failed read loop
            # set closedIncoming and reportError() outgoingAborted, and once the peer took the
            # last frame this continuation lets go of the end, before the peer dispatches that
            # frame (measured on workerd 2026-11-23: gen-069dd816).
            self._release_native()

    def _cancel_pump(self) -> None:
        """An earlier pump's continuation releases the end while a newer pump is still sending.

        ``state.init<Released>()`` destroys the end's ``Accepted``: its canceler cancels the
        running pump, whose rejection reports "Network connection lost." on this end, and the
        end of kj's pipe goes with it, so the frames it had not handed over are lost. The peer's
        whenAborted task sets its ``outgoingAborted``, and its read loop, after the frames it
        took already, fails with DISCONNECTED: close 1006 if no Close had reached it
        (workerd's comment on PR 1535 describes this race for hibernatable sockets).
        """
        self._drop_unsent()
        self._released = True
        self._dead = True
        peer = self._peer
        cont = self._pump_cont
        if (
            cont is not None
            and peer._delivery.scheduled
            and peer._came_back
            and peer._dispatched_at > cont.ticket
        ):
            # The continuation waited while the peer dispatched a frame, and the peer's read
            # loop is on its way back with the next one (resume, receive() a frame ready in
            # the pipe, resume again, wait for the isolate). The cancelled pump's rejection
            # reaches this end's error listeners by a shorter chain (the canceler, then
            # awaitIoLegacy), so "Network connection lost." comes first (measured on workerd
            # 2026-11-23 at 2025-09-01, 2026-03-01 and with web_socket_manual_reply_to_close:
            # gen-a67d4948, gen-46145bdf, close-listener-sends-then-error-before-next-message).
            waiting = peer._pump_cont
            if waiting is not None and waiting.scheduled and waiting.ticket < peer._delivery.ticket:
                # The peer's own pump continuation was already waiting to enter the isolate,
                # ahead of that read loop: it runs first (and reports "Network connection lost."
                # for the peer, whose outgoing side the release aborted), then this end's error
                # (measured on workerd 2026-11-23: gen-py3-982,
                # cancelled-pump-error-behind-peer-pump-continuation).
                peer._after_cont = self._schedule_lost_ahead
            else:
                self._schedule_lost(ahead=True)
        else:
            self._schedule_lost()
        if peer._released:
            return
        peer._out_aborted = True
        if peer._untaken() == 0 and peer._phase in CLOSED_INCOMING:
            peer._released = True
        if peer._reading and not self._outgoing and not peer._delivering and not peer._delivery.scheduled:
            schedule(peer._peer_gone)

    def _drop_unsent(self) -> None:
        """The pump's pipe end is gone: the frames it had not handed over yet are lost (one
        already handed to the peer's read loop stays, for that read loop to take)."""
        out = self._outgoing
        keep = 1 if self._handed else 0
        while len(out) > keep:
            out.pop()
        self._ungate()  # (a frame behind the output gate was not handed over)
        # (An automatic response is never dropped here: its socket's read loop waits for it to
        # be taken, so no frame of the peer's can be handed over meanwhile, and neither end can
        # close both ways; only the peer's going (_peer_gone) ends that wait.)

    def _schedule_peer_gone(self) -> None:
        """:meth:`_peer_gone` as a runtime task (a kj event's way into the isolate)."""
        schedule(self._peer_gone)

    def _peer_gone_idle(self) -> None:
        """:meth:`_peer_gone` for an end whose pump was idle when the peer let go of the pipe.

        Its read loop's receive() failed then; a frame queued since (in a microtask of the
        peer's error event, before the whenAborted task) starts a pump whose send() fails
        later, so close 1006 comes first and "Network connection lost." after it (measured on
        workerd 2026-11-23: gen-dc4541af, frame-queued-after-peer-let-go-close-1006-first)."""
        if self._outgoing and self._reading and self._peer._transport is None:
            self._outgoing.clear()
            schedule(self._receive_disconnect)
            schedule(self._lost_after_disconnect)
        else:
            self._peer_gone()

    def _lost_after_disconnect(self) -> None:
        """The late pump's failure, after close 1006 (see :meth:`_peer_gone_idle`)."""
        if not self._errored:
            self._report_lost()

    def _peer_gone(self) -> None:
        """The peer's end was destroyed without a Close.

        In-process (the peer's listener raised) workerd's outgoing pump fails
        first if it still had frames to hand over, "Network connection lost.",
        then the read loop reports close 1006. A network client that drops its
        connection gives close 1006 only.
        """
        # Only a pump with frames still to hand over fails: an end whose frames were
        # all taken before its peer died sees close 1006 alone (measured on workerd).
        # (An automatic reply still on its way counts: scenario broadcast-to-closed-socket-errors-sender.)
        # A hibernatable end's read loop is the hibernation manager's: a frame that was still
        # behind the output gate when the peer went reaches the pipe after the disconnect has
        # reached webSocketClose, which leaves the end awaiting its release, so the pump's
        # failure only lets go of it (ensurePumping's error handler, tryReleaseNative():
        # do-object-sends-as-peer-dies). A frame already in the pipe fails first (gen-4664da8a).
        sent = len(self._outgoing) > self._gated if self._handler is not None else bool(self._outgoing)
        pump_fails = self._peer._transport is None and sent
        # That frame's send fails once it passes the gate, after webSocketClose: the pump's
        # error handler then lets go of the end (gen-f5ede4d5).
        self._lost_behind_gate = self._handler is not None and bool(self._gated) and not pump_fails
        # (The failed pump cleared its queue before its error is reported: KJ_DEFER.)
        self._outgoing.clear()
        self._ungate()
        if self._held_until_taken:
            # An automatic response the peer will never take: its send fails, and the
            # hibernation manager's read loop ends with the disconnect: webSocketClose 1006
            # (do-auto-response-never-taken-peer-goes); a peer whose own frames still wait for
            # this read loop never goes (do-auto-response-never-taken-peer-waits).
            self._held_until_taken = 0
            self._reading = self._phase in (Phase.OPEN, Phase.CLOSE_SENT)
        # Read before the error event below, which leaves the phase ERRORED.
        closed_incoming = self._phase in CLOSED_INCOMING
        if pump_fails and not self._errored and self._phase is not Phase.AWAITING:
            self._report_lost()
        if self._reading:
            schedule(self._receive_disconnect)
        elif self._handler is not None and closed_incoming:
            # A hibernatable end whose read loop is over: the hibernation manager lets go of
            # it when its peer goes, so it is no longer accepted (gen-1054-acceptws-after-peer-errored).
            self._released = True

    def _receive_disconnect(self) -> None:
        """Close 1006: dispatched before closedIncoming is set, so readyState is unchanged inside."""
        if not self._reading:
            return
        hibernatable = self._handler is not None
        action = Action.RECV_DISCONNECT_HIBERNATABLE if hibernatable else Action.RECV_DISCONNECT
        if (self._phase, action) in TRANSITIONS:
            after = transition(self._phase, action).next
        elif self._errored and not self._read_failed:
            # The end's pump reported an error, but its read loop still runs: it reports the
            # disconnect as workerd's does, with readyState 3 (gen-544aff86).
            after = self._phase
        else:
            return  # the read loop itself failed: it is over, nothing to dispatch
        self._reading = False
        self._aborted_known = True
        # workerd dispatches this close after its read loop has ended: a listener's
        # exception is only reported there, it cannot error the socket (measured).
        event = CloseEvent(code=1006, reason=errors.DISCONNECTED_REASON, wasClean=False)
        if self._pair._recorders:
            self._record_event(event)
        if self._handler is not None:
            # A frame sent after the peer went (in a microtask of its error event) fails as
            # well once it passes the gate (gen-f5ede4d5).
            lost = self._lost_behind_gate or bool(self._outgoing)
            self._handler(self, event)  # a hibernatable end: webSocketClose(ws, 1006, ...)
            if lost:
                self._outgoing.clear()
                self._ungate()
                schedule(self._let_go)
        else:
            begin_dispatch(event, self, trusted=True)
            raised = self._dispatch_reporting(event)
            end_dispatch(event)
            if raised is not None and not self._pair._compat.spec_compliant_dispatch_exceptions:
                # Before 2026-09-15 the exception leaves dispatchEventImpl(), and the read
                # loop's continuation with it, before it sets closedIncoming and calls
                # tryReleaseNative(): readyState stays, and the end stays accepted
                # (gen-6f385343, close-1006-listener-raises-keeps-ready-state).
                return
        self._phase = after
        # (outgoingAborted: the peer let go of the pipe (the whenAborted task), or this end's
        # error was reported, unless an error listener cut reportError() short: _stuck_error.)
        aborted = self._out_aborted or (self._errored and self._stuck_error is None)
        if self._handler is None and self._untaken() == 0 and (self._phase in CLOSED_OUTGOING or aborted):
            # workerd's read loop then calls tryReleaseNative(): an end that had sent its
            # Close, or whose pump failed, and has nothing left to send is released, so
            # accept() throws (gen-5041691f; inside the close event it does not: gen-e887eccd).
            self._released = True

    def _schedule_fail_pump(self) -> None:
        """:meth:`_fail_pump` as a runtime task (a kj event's way into the isolate)."""
        schedule(self._fail_pump)

    def _fail_pump(self) -> None:
        """The pump failed in send(): what it had not sent is dropped, and the error reported."""
        if self._errored:
            return
        self._drop_unsent()
        if self._handler is not None and self._phase in CLOSED_INCOMING and not self._released:
            # A hibernatable end whose webSocketClose has run is awaiting its release: the
            # pump's error handler only lets go of it (ensurePumping; gen-cac2b8f1).
            self._released = True
            return
        self._report_lost()

    def _report_lost(self) -> None:
        """Report "Network connection lost." (a failed pump, or a pipe the peer let go of).

        The failed pump set outgoingAborted already (its KJ_DEFER, or the whenAborted task):
        inside the error event send() and close() do nothing (acc-pump-error-then-close).
        When the peer let go of kj's pipe after this end's read loop was over, the
        whenAborted task finds the pump over too, and lets go of the end before the error
        reaches JavaScript: accept() throws in the error event (gen-c4ec2f50)."""
        if self._out_aborted and self._phase in CLOSED_INCOMING and self._handler is None:
            self._released = True
        self._report_error(ConnectionLostError(), f"Uncaught Error: {errors.CONNECTION_LOST}", aborted=True)

    def _schedule_lost_on_way(self) -> None:
        """:meth:`_schedule_lost` for a failed pump whose error was on its way (see
        :meth:`_listener_raised`)."""
        self._lost_on_way = False
        self._schedule_lost()

    def _schedule_lost_ahead(self) -> None:
        """:meth:`_report_lost` as the next runtime task."""
        self._schedule_lost(ahead=True)

    def _schedule_lost(self, ahead: bool = False) -> None:
        """:meth:`_report_lost` as a runtime task (``ahead`` of the tasks queued already)."""
        self._schedule_error(ConnectionLostError(), f"Uncaught Error: {errors.CONNECTION_LOST}", ahead)

    def _schedule_error(self, error: BaseException, message: str, ahead: bool = False) -> None:
        def report() -> None:
            self._report_error(error, message)

        _task(report, ahead)

    def _report_error(
        self, error: BaseException, message: str, action: Action = Action.ERROR, *, aborted: bool = False
    ) -> bool:
        """LWA::reportError: only the first error is dispatched; readyState is 3 inside it.

        ``action`` is :attr:`Action.RECV_ERROR_HIBERNATABLE` for a hibernatable end's
        failed read, which workerd reports as webSocketError without erroring the end.

        Returns False when an error listener raised before 2026-09-15: workerd's
        reportError is then cut short before it releases the end, so the peer
        never learns, and a later ``close()`` rethrows the reported error.
        """
        if self._errored:
            return True
        t = transition(self._phase, action)
        # workerd sets outgoingAborted only after the error event: inside it, an end that
        # had not closed its outgoing side still sends, and close() rethrows the error
        # (assertNoError) (gen-2d3d4afe, gen-1ec73a78).
        # (A pump that failed already set it: see _read_loop_failed.)
        outgoing_open = not (aborted or self._aborted_known) and (
            self._phase is Phase.OPEN or self._phase is Phase.CLOSE_RECEIVED
        )
        closed_incoming = self._phase in CLOSED_INCOMING
        self._errored = True
        read_failed = action is Action.RECV_ERROR_HIBERNATABLE
        # A hibernatable end's pump failed before its Close came: readyState is 3, but the
        # hibernation manager's read loop goes on, and reports the disconnect that follows to
        # webSocketClose (see _release; measured on workerd 2026-11-23: gen-df61bf35,
        # do-hibernatable-closer-pump-done-after-peer-let-go).
        self._errored_reading = self._handler is not None and not closed_incoming and not read_failed
        self._phase = t.next
        event = ErrorEvent(message=message, error=error)
        if read_failed and self._handler is not None and self._handler(self, event):
            # A hibernatable end's read loop failed: the hibernation manager's webSocketError.
            # Its pump's failures are the socket's own (LWA::ensurePumping's continuation calls
            # reportError()): they reach its listeners, never the object (gen-403c30f1;
            # after its close event too: do-close-handler-reply-error-event).
            if self._pair._recorders:
                self._record_event(event)
            return True
        if self._pair._recorders:
            self._record_event(event)
        spec_compliant = self._pair._compat.spec_compliant_dispatch_exceptions
        if outgoing_open:
            self._stuck_error = error
        begin_dispatch(event, self, trusted=True)
        self._reporting = True  # workerd releases the end only after this dispatch
        try:
            for fn in self._each_listener("error"):
                try:
                    self._call_listener(fn, event)
                except Exception as exc:  # noqa: BLE001 - reported; before 2026-09-15 it also ends the dispatch
                    text = f"Uncaught {js_name(exc)}: {js_message(exc)}"
                    log.warning("%s (in an error listener)", text)
                    if self._pair._recorders:
                        self._record_note("listener raised", text)
                    if not spec_compliant:
                        # reportError is cut short: outgoingAborted is never set.
                        return False
        finally:
            self._reporting = False
            end_dispatch(event)
        self._stuck_error = None
        if closed_incoming and self._handler is None and self._transport is None and self._untaken() <= 0:
            # reportError() lets go of an end whose read loop is over and whose pump is idle
            # (closedIncoming, !isPumping): accept() throws from here on (acc-raiser-closed).
            self._released = True
        return True

    # ------------------------------------------------------------------ internals: dispatch

    def _listener_raised(self, exc: Exception, etype: str) -> None:
        """workerd's read loop ends with the listener's exception: the end stops reading,
        gets an error event, and is then released, so its peer sees the pipe break."""
        text = f"Uncaught {js_name(exc)}: {js_message(exc)}"
        log.warning("%s (in a %r listener on the %s end)", text, etype, END_NAMES[self._index])
        if self._pair._recorders and not self._pair._spec_dispatch:
            # (With spec-compliant dispatch the exception was noted as it was reported.)
            self._record_note("listener raised", text)
        self._reading = False
        self._read_failed = True
        self._raised_at = ticket()
        message = uncaught_message(exc)
        if self._woken_in_dispatch and etype == "message":
            # The exception leaves the read loop (readLoop's catch, then awaitIoLegacy and its
            # JavaScript .then, which calls reportError()) a few kj turns after this dispatch.
            # A read loop woken by a send in the peer's listener entered the isolate a turn
            # behind the peer's way back to receive(), so the report comes after the peer's
            # next delivery (web-socket.c++ startReadLoop/readLoop; gen-882fbf66,
            # order-error-of-a-woken-read-loop-after-peer-event). Woken before the peer's
            # dispatch, it comes before it (gen-7ab3d307).
            runtime().add_kj(lambda: self._schedule_read_loop_failed(exc, message), later=True)
        else:
            # The exception leaves context.run() once the dispatch and its microtasks are over:
            # a peer's read loop that a microtask's send woke is already on its way into the
            # isolate, and dispatches first (gen-7ea37000, error-of-raising-listener-after-
            # microtask-send). Its kj turns overtake a pump's continuation (awaitIoLegacy)
            # that began in the dispatch (listener-raises-close,
            # close-listener-raises-after-close-from-peer-listener).
            # In a Durable Object it overtakes only what this dispatch began (its frames' way
            # past the output gate: do-gettags-plain-socket-let-go-after-its-pump, gen-9c6cf029),
            # not a read loop's way back begun before (gen-32fe8511,
            # do-error-of-raising-listener-after-peer-way-back), unless that way back is the
            # hibernation manager's longer one (gen-5508919a; see _schedule_delivery_later).
            # So does a close listener's exception (before 2026-09-15) outside one, when the
            # peer's dispatch woke this read loop: the peer's read loop, on its way back from
            # that dispatch with a frame it took ready, dispatches it first (measured on
            # workerd 2026-11-23: gen-86d02395, close-listener-raises-after-peer-way-back-close,
            # -message). A read loop that was already waiting to enter the isolate reports
            # first (gen-59a454e2, close-listener-raises-before-peer-way-back).
            peer = self._peer
            woken_by_peer = peer._way_back and self._delivery.ticket > peer._dispatched_at
            in_object = GATE_HOLDS.get() is not None
            behind = (
                (in_object and not peer._long_way_back)
                or (etype == "close" and woken_by_peer)
                # This end's pump had failed before the dispatch (the peer let go of kj's
                # pipe): its error is on its way into the isolate, begun before the dispatch,
                # and reported first; reportError() then ignores the listener's (measured on
                # workerd 2026-11-23 before 2026-09-15: gen-44c57b21).
                or self._lost_on_way
            )
            if (
                not behind
                and etype == "close"
                and peer._came_back
                and peer._delivery.scheduled
                and self._delivery.ticket < peer._delivery.ticket
                and peer._was_woken_in_dispatch
            ):
                # The peer's read loop came back after this one, with a frame it took ready,
                # and waits to enter the isolate: on workerd the report still comes first
                # when the peer's read loop had been woken by this end's dispatch, as its way
                # back began later than the kit's queue of tasks shows (measured on workerd
                # 2026-11-23: gen-64e5ebf3, gen-0196d05f,
                # close-listener-raises-before-peer-later-way-back, -message). A peer whose
                # read loop was woken with this one's comes back just behind it, and
                # dispatches first (gen-40047df9, close-listener-raises-peer-way-back-just-behind).
                runtime().add_kj(
                    lambda: self._schedule_read_loop_failed(exc, message, ahead=True), first=True
                )
                return
            holds = GATE_HOLDS.get()
            if (
                behind
                and holds is not None
                and holds.flush is not None
                and holds.flush.commit
                and queued_only(_nothing)
            ):
                # A storage write in this dispatch holds the frames it queued until its commit,
                # and the exception's way into JavaScript is shorter: with no dispatch waiting
                # (only pump continuations with nothing to do), the error is reported first,
                # while the pump still waits for the commit, so reportError() does not let go of
                # the end; the Close goes out after it, the peer's close event answers, and the
                # end is let go of only by its pump's continuation (measured on workerd
                # 2026-11-23: gen-289205b6-write-in-listener-plain-peer,
                # do-raising-listener-write-close-peer-answers-*). A dispatch waiting to enter
                # the object lets the commit in first (do-raising-listener-write-close-other-pair-waiting).
                runtime().add_kj(
                    lambda: self._schedule_read_loop_failed(exc, message, ahead=True), behind=True
                )
                return
            runtime().add_kj(
                lambda: self._schedule_read_loop_failed(exc, message), first=not behind, behind=behind
            )

    def _schedule_read_loop_failed(self, exc: BaseException, message: str, ahead: bool = False) -> None:
        """:meth:`_read_loop_failed` as a runtime task (``ahead`` of the tasks queued already)."""
        _task(lambda: self._read_loop_failed(exc, message), ahead)

    def _read_loop_failed(self, exc: BaseException, message: str) -> None:
        peer = self._peer
        if self._outgoing and peer._dead and peer._released and peer._transport is None and not self._gated:
            # The peer had let go of kj's pipe: this end's pump failed in send() in the kj turn
            # after its listener queued the frame, long before the read loop's exception gets
            # back into JavaScript. Its KJ_DEFER set outgoingAborted, so a send() in the error
            # event does nothing, and it is not pumping when reportError() runs, which releases
            # the end (web-socket.c++ pump(), reportError(); gen-a79fc489, and
            # raising-end-released-when-its-send-failed-on-let-go-peer).
            self._drop_unsent()
            self._out_aborted = self._aborted_known = True
        queued = len(self._outgoing)
        if not self._report_error(exc, message):
            return  # an error listener raised (before 2026-09-15): the end is never released
        self._dead = True
        if self._untaken() == 0 and peer._transport is None and len(self._outgoing) == queued:
            # The failed read loop sets closedIncoming before its reportError(), which lets go
            # of an end whose pump is idle, whatever its phase (a close listener raised, and
            # its close event never reached tryReleaseNative(); or a message listener raised
            # with every frame of the end taken: raising-end-lets-go-once-its-pump-is-idle).
            # A frame sent in the error event started a pump that still runs when
            # reportError() checks, even if the peer's read loop took it at once: the end
            # stays accepted until that pump is done (measured on workerd 2026-11-23:
            # gen-ce25c1e9, raising-end-sends-in-error-event-stays-accepted).
            self._release_native()
            if (
                peer._handler is not None
                and GATE_HOLDS.get() is not None
                and peer._untaken() > 0
                and peer._delivery.scheduled
                and peer._dispatched_at > self._raised_at
            ):
                # In a Durable Object, the hibernation manager dispatched a frame after this
                # listener raised, and has taken this end's next one: its way back into the
                # object (the end of its customEvent, then the next one) is longer than the
                # failure of the peer's pump, whose frame this dead read loop will never take:
                # letting go of this end aborts the send, and "Network connection lost." is
                # reported before webSocketMessage gets that frame (measured on workerd
                # 2026-11-23: gen-2d062b18, do-hibernatable-pump-fails-before-manager-way-back-*).
                # A manager that dispatched before the listener raised is back first
                # (do-hibernatable-manager-back-before-pump-fails).
                peer._drop_unsent()
                peer._schedule_lost(ahead=True)
        if peer._transport is not None:
            peer._transport.peer_died()
        elif not self._outgoing and (
            peer._reading or peer._outgoing or peer._phase in (Phase.OPEN, Phase.CLOSE_RECEIVED)
        ):
            if peer._read_failed:
                # The peer's own listener raised first: its read loop's error is on its way,
                # and is the one reported (gen-4bc5a3ab), even when it comes back a kj turn
                # late, as for a read loop woken by a send in this end's listener: the pipe's
                # end reaches the peer after that (gen-68d796e8,
                # woken-raising-peer-reports-own-error-not-lost).
                runtime().add_kj(peer._schedule_peer_gone, later=True)
            elif peer._handler is None:
                # The peer's pump and read loop learn of it in kj turns after this one: the
                # microtasks of this error event run first (gen-6c7fc539).
                if peer._outgoing:
                    _after_this_turn(peer._peer_gone)
                else:
                    _after_this_turn(peer._peer_gone_idle)
            else:
                # The hibernation manager's: whether a frame of the object's was still behind
                # its output gate is decided now (do-object-sends-as-peer-dies).
                peer._peer_gone()
        elif self._released and peer._untaken() and not peer._errored:
            # This end let go of kj's pipe with its last frame handed to the peer's read loop,
            # while the peer's pump waits in send() for a read loop that has ended: the send
            # fails (BlockedSend::abort), and the pump's error enters the isolate some kj turns
            # later. The peer's read loop learns of the pipe's end only after the frame it took.
            handed_since = (
                not peer._came_back and not peer._way_back and peer._delivery.ticket > peer._dispatched_at
            )
            if peer._delivery.scheduled and (peer._dispatched_at < self._raised_at or handed_since):
                # The peer's read loop came back for that frame before this end's listener
                # raised: it has long been waiting to enter the isolate, and dispatches the
                # frame before the pump's error (gen-b5a38923, gen-5e5f3768). So does a read
                # loop that was waiting in receive() when this end's error event handed it a
                # frame (measured on workerd 2026-11-23: gen-b0d12526,
                # pump-fails-after-frame-handed-to-waiting-read-loop, -close).
                schedule(peer._fail_pump)
            elif peer._way_back and GATE_HOLDS.get() is not None:
                # In a Durable Object the pump's error, like a raising listener's report (see
                # _listener_raised), overtakes only what began after it, not the peer's read
                # loop already on its way back with a frame it took ready from the pipe: that
                # frame (a Close here, without a reply as outgoingAborted is set) is dispatched
                # first (measured on workerd 2026-11-23: gen-77a29a12,
                # do-raising-end-let-go-peer-close-before-pump-error).
                runtime().add_kj(peer._schedule_fail_pump, behind=True)
            else:
                # The peer dispatched since: its read loop is on its way back to the frame
                # when the pump fails, and the error comes first (gen-625a556c,
                # pump-fails-before-close-when-raising-peer-lets-go).
                peer._fail_pump()
