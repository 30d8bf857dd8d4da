"""The life of one end of a WebSocket, as a table.

Rule (as in h11): every change of an end's phase, and so of ``readyState``,
is a lookup in :data:`TRANSITIONS`, keyed by ``(phase, action)``. :mod:`cfws_playground.socket`
performs the effects the table names and calls :func:`transition`; nothing
else assigns a phase. Pure Python, no asyncio, nothing imported beyond the
standard library, so the table can be printed, drawn and tested exhaustively.

workerd (``LegacyWebSocketAdapter`` in ``src/workerd/api/web-socket.c++``) keeps
flags rather than phases: ``closedIncoming``, ``closedOutgoing``,
``outgoingAborted``, an error slot and a state of ``AwaitingAcceptanceOrCoupling``,
``Accepted`` or ``Released``. Each phase below is one combination of those
flags that a user can tell apart:

=================  ===========================================  ==========
phase              workerd flags                                readyState
=================  ===========================================  ==========
AWAITING           AwaitingAcceptanceOrCoupling                 1 OPEN
OPEN               Accepted                                     1 OPEN
CLOSE_SENT         closedOutgoing                               2 CLOSING
CLOSE_RECEIVED     closedIncoming (half-open)                   2 CLOSING
CLOSED             closedIncoming + closedOutgoing              3 CLOSED
DISCONNECTED       closedIncoming + outgoingAborted (1006)      2 CLOSING
ERRORED            error (+ outgoingAborted)                    3 CLOSED
READ_FAILED        closedIncoming, awaiting webSocketError      2 CLOSING
COUPLED            Released by being returned in a Response     1 OPEN
=================  ===========================================  ==========

One simplification: workerd moves an ended end to ``Released`` once its last
outgoing frame has been taken, after which ``accept()`` throws the (misleading)
"already used in a response" error; before that instant it is a no-op. The
table treats ended ends as released at once; ``accept()`` on a CLOSED end
that has not let go of its pipe yet takes the no-op instead (``socket/api.py``,
scenario ``accept-after-close-before-release``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from . import errors

__all__ = ["Action", "Effect", "Phase", "TRANSITIONS", "Transition", "ready_state", "transition"]


class Phase(enum.Enum):
    """What an end of a pair can do now; see the module docstring for workerd's flags."""

    AWAITING = "awaiting accept"
    OPEN = "open"
    CLOSE_SENT = "close sent"
    CLOSE_RECEIVED = "close received"
    CLOSED = "closed"
    DISCONNECTED = "disconnected"
    ERRORED = "errored"
    READ_FAILED = "read failed (hibernatable)"
    COUPLED = "coupled"

    # Members are singletons: identity hashing keeps table lookups on the hot path cheap.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Phase.{self.name}"


class Action(enum.Enum):
    """What can happen to an end: calls by user code, and what the runtime reads or detects."""

    # Calls (after their arguments were validated).
    ACCEPT = "accept()"
    SEND = "send()"
    CLOSE = "close()"
    COUPLE = "return in a Response"
    # What the read loop takes from the peer, and what the runtime detects.
    RECV_MESSAGE = "message received"
    RECV_CLOSE = "Close received"
    RECV_CLOSE_HALF_OPEN = "Close received (allowHalfOpen)"
    RECV_DISCONNECT = "peer gone without Close"
    RECV_DISCONNECT_HIBERNATABLE = "peer gone without Close (a hibernatable end)"
    ERROR = "error"
    RECV_ERROR_HIBERNATABLE = "read error (a hibernatable end)"

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Action.{self.name}"


class Effect(enum.Enum):
    """What :mod:`cfws_playground.socket` does for a transition, besides changing the phase."""

    NONE = "nothing"
    START_READING = "start reading the peer's frames"
    QUEUE_MESSAGE = "queue the message after earlier frames"
    QUEUE_CLOSE = "queue a Close frame after earlier frames"
    QUEUE_REPLY_CLOSE = "queue a Close echoing the received code and reason"
    DISPATCH = "dispatch the event"
    DISPATCH_THEN_CHANGE = "dispatch the event, then change phase"
    RAISE = "raise"
    IGNORE = "silently ignore"


@dataclass(frozen=True, slots=True)
class Transition:
    """One cell of the table: the next phase, the effect, and the error to raise (if any)."""

    next: Phase
    effect: Effect
    error: type[Exception] | None = None
    message: str = ""

    def __str__(self) -> str:
        if self.effect is Effect.RAISE:
            assert self.error is not None
            return f"raise {self.error.__name__}: {self.message}"
        return f"{self.effect.value} -> {self.next.name}"


P, A, E = Phase, Action, Effect


def _ok(next_phase: Phase, effect: Effect = Effect.NONE) -> Transition:
    return Transition(next_phase, effect)


def _raise(phase: Phase, error: type[Exception], message: str) -> Transition:
    return Transition(phase, Effect.RAISE, error, message)


def _ignore(phase: Phase) -> Transition:
    return Transition(phase, Effect.IGNORE)


_ENDED = (P.CLOSED, P.DISCONNECTED, P.ERRORED)

#: The whole behaviour of an end. A missing key is a pair that cannot occur
#: (for example a message read by an end that is not reading); looking one up
#: raises ``KeyError`` naming both, which is a bug in the runtime.
TRANSITIONS: dict[tuple[Phase, Action], Transition] = {
    # accept(): LWA::accept. A second accept() is a no-op, options included.
    (P.AWAITING, A.ACCEPT): _ok(P.OPEN, E.START_READING),
    (P.OPEN, A.ACCEPT): _ok(P.OPEN),
    (P.CLOSE_SENT, A.ACCEPT): _ok(P.CLOSE_SENT),
    (P.CLOSE_RECEIVED, A.ACCEPT): _ok(P.CLOSE_RECEIVED),
    **{(p, A.ACCEPT): _raise(p, TypeError, errors.ACCEPT_RELEASED) for p in (*_ENDED, P.COUPLED)},
    (P.READ_FAILED, A.ACCEPT): _raise(P.READ_FAILED, TypeError, errors.ACCEPT_HIBERNATABLE),
    # send(): LWA::send checks closedOutgoing first, then ignores aborted/released
    # ends, then requires accept().
    (P.AWAITING, A.SEND): _raise(P.AWAITING, TypeError, errors.MUST_ACCEPT),
    (P.OPEN, A.SEND): _ok(P.OPEN, E.QUEUE_MESSAGE),
    (P.CLOSE_RECEIVED, A.SEND): _ok(P.CLOSE_RECEIVED, E.QUEUE_MESSAGE),
    (P.CLOSE_SENT, A.SEND): _raise(P.CLOSE_SENT, TypeError, errors.SEND_AFTER_CLOSE),
    (P.CLOSED, A.SEND): _raise(P.CLOSED, TypeError, errors.SEND_AFTER_CLOSE),
    (P.DISCONNECTED, A.SEND): _ignore(P.DISCONNECTED),
    (P.ERRORED, A.SEND): _ignore(P.ERRORED),
    (P.COUPLED, A.SEND): _ignore(P.COUPLED),
    # A hibernatable end whose read failed is still Accepted, its outgoing side open:
    # send() and close() only let go of the pipe (awaitingHibernatableError).
    (P.READ_FAILED, A.SEND): _ignore(P.READ_FAILED),
    # close(): arguments are validated before this lookup (LWA::close step 1).
    (P.AWAITING, A.CLOSE): _raise(P.AWAITING, TypeError, errors.MUST_ACCEPT),
    (P.OPEN, A.CLOSE): _ok(P.CLOSE_SENT, E.QUEUE_CLOSE),
    (P.CLOSE_RECEIVED, A.CLOSE): _ok(P.CLOSED, E.QUEUE_CLOSE),
    **{(p, A.CLOSE): _ignore(p) for p in (P.CLOSE_SENT, *_ENDED, P.READ_FAILED, P.COUPLED)},
    # Returning an end in a 101 Response: LWA::couple, checked when the response is sent.
    (P.AWAITING, A.COUPLE): _ok(P.COUPLED),
    **{
        (p, A.COUPLE): _raise(p, TypeError, errors.COUPLE_ACCEPTED)
        for p in (P.OPEN, P.CLOSE_SENT, P.CLOSE_RECEIVED, P.READ_FAILED)
    },
    **{(p, A.COUPLE): _raise(p, TypeError, errors.COUPLE_RELEASED) for p in (*_ENDED, P.COUPLED)},
    # The read loop runs while an end is accepted and has not received a Close.
    (P.OPEN, A.RECV_MESSAGE): _ok(P.OPEN, E.DISPATCH),
    (P.CLOSE_SENT, A.RECV_MESSAGE): _ok(P.CLOSE_SENT, E.DISPATCH),
    # A Close arrives: with auto-reply (2026-04-07) the reply is queued *before*
    # the close event, so readyState is 3 inside it; half-open leaves it at 2.
    (P.OPEN, A.RECV_CLOSE): _ok(P.CLOSED, E.QUEUE_REPLY_CLOSE),
    (P.OPEN, A.RECV_CLOSE_HALF_OPEN): _ok(P.CLOSE_RECEIVED, E.DISPATCH),
    (P.CLOSE_SENT, A.RECV_CLOSE): _ok(P.CLOSED, E.DISPATCH),
    (P.CLOSE_SENT, A.RECV_CLOSE_HALF_OPEN): _ok(P.CLOSED, E.DISPATCH),
    # An end that sent its Close and then reported an error still reads: its peer's
    # Close is dispatched after the error (reportError does not end the read loop).
    (P.CLOSED, A.RECV_CLOSE): _ok(P.CLOSED, E.DISPATCH),
    (P.CLOSED, A.RECV_CLOSE_HALF_OPEN): _ok(P.CLOSED, E.DISPATCH),
    # So does an end whose pump failed ("Network connection lost.") while its read loop
    # still had its peer's Close to take: no reply (outgoingAborted), readyState 3
    # (errored-end-reads-close-after-pump-error).
    (P.ERRORED, A.RECV_CLOSE): _ok(P.ERRORED, E.DISPATCH),
    (P.ERRORED, A.RECV_CLOSE_HALF_OPEN): _ok(P.ERRORED, E.DISPATCH),
    # The peer went away without a Close: close 1006 is dispatched *before*
    # closedIncoming is set, so readyState inside the event is still 1 (or 2).
    (P.OPEN, A.RECV_DISCONNECT): _ok(P.DISCONNECTED, E.DISPATCH_THEN_CHANGE),
    (P.CLOSE_SENT, A.RECV_DISCONNECT): _ok(P.CLOSED, E.DISPATCH_THEN_CHANGE),
    (P.ERRORED, A.RECV_DISCONNECT): _ok(P.ERRORED, E.DISPATCH_THEN_CHANGE),
    # An end that sent its Close and then reported an error still reads: when its peer
    # goes, close 1006 follows the error (closedIncoming is still false: gen-66155e50).
    (P.CLOSED, A.RECV_DISCONNECT): _ok(P.CLOSED, E.DISPATCH_THEN_CHANGE),
    # For a Durable Object's hibernatable end the hibernation manager ends the read
    # loop itself and never marks the outgoing side aborted: a close() in
    # webSocketClose still completes (readyState 3; observed: do-send-after-drop).
    (P.OPEN, A.RECV_DISCONNECT_HIBERNATABLE): _ok(P.CLOSE_RECEIVED, E.DISPATCH_THEN_CHANGE),
    (P.CLOSE_SENT, A.RECV_DISCONNECT_HIBERNATABLE): _ok(P.CLOSED, E.DISPATCH_THEN_CHANGE),
    (P.ERRORED, A.RECV_DISCONNECT_HIBERNATABLE): _ok(P.ERRORED, E.DISPATCH_THEN_CHANGE),
    # Only the first error is dispatched (LWA::reportError). An end that had
    # already sent its Close behaves as closed: send() still throws.
    (P.OPEN, A.ERROR): _ok(P.ERRORED, E.DISPATCH),
    (P.CLOSE_RECEIVED, A.ERROR): _ok(P.ERRORED, E.DISPATCH),
    (P.DISCONNECTED, A.ERROR): _ok(P.ERRORED, E.DISPATCH),
    (P.CLOSE_SENT, A.ERROR): _ok(P.CLOSED, E.DISPATCH),
    (P.CLOSED, A.ERROR): _ok(P.CLOSED, E.DISPATCH),
    (P.ERRORED, A.ERROR): _ignore(P.ERRORED),
    # A hibernatable end's read fails (a refused frame): the hibernation manager releases
    # it with only its incoming side closed (LWA::initiateHibernatableRelease sets
    # closedIncoming, not an error), so webSocketError reads CLOSING, and afterwards too.
    (P.OPEN, A.RECV_ERROR_HIBERNATABLE): _ok(P.READ_FAILED, E.DISPATCH),
    (P.CLOSE_SENT, A.RECV_ERROR_HIBERNATABLE): _ok(P.CLOSED, E.DISPATCH),
}

_READY_STATE = {
    P.AWAITING: 1,
    P.OPEN: 1,
    P.CLOSE_SENT: 2,
    P.CLOSE_RECEIVED: 2,
    P.CLOSED: 3,
    P.DISCONNECTED: 2,
    P.ERRORED: 3,
    P.READ_FAILED: 2,
    P.COUPLED: 1,
}


def ready_state(phase: Phase) -> int:
    """Return the ``readyState`` workerd reports in ``phase`` (``LWA::getReadyState``)."""
    return _READY_STATE[phase]


def transition(phase: Phase, action: Action) -> Transition:
    """Look up what ``action`` does in ``phase``.

    Raises:
        KeyError: the pair cannot occur; the message names both.
    """
    try:
        return TRANSITIONS[phase, action]
    except KeyError:
        raise KeyError(f"no transition for {action.name} in phase {phase.name}") from None


def table() -> str:
    """Render the table as text: one row per phase, one column per call."""
    calls = (A.ACCEPT, A.SEND, A.CLOSE)
    rows = [("phase", "readyState", *(a.value for a in calls))]
    for phase in Phase:
        cells = []
        for action in calls:
            t = TRANSITIONS[phase, action]
            if t.effect is E.RAISE:
                assert t.error is not None
                cells.append(f"raises {t.error.__name__}")
            elif t.effect is E.IGNORE:
                cells.append("ignored")
            elif t.effect is E.QUEUE_MESSAGE:
                cells.append("queued")
            elif t.next is phase and t.effect is E.NONE:
                cells.append("no-op")
            else:
                cells.append(f"-> {t.next.name}")
        rows.append((phase.name, str(ready_state(phase)), *cells))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
