"""The state table, cell by cell, against real sockets on both sides.

For every phase an end can be in and every call user code can make, the test
drives a real end into that phase through the public API (and, for the network
phases, a recording transport), makes the call, and checks that what happened
is what the table says: the error and its text, or the new phase, readyState
and effect.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from listeners import RecordingTransport, ends

from cfws_playground import WebSocket, WebSocketPair, settle
from cfws_playground.state import TRANSITIONS, Action, Effect, Phase, ready_state, table, transition


def _raiser(event: object) -> None:
    raise RuntimeError("listener failed")


async def drive(phase: Phase, me: WebSocket, peer: WebSocket) -> None:
    """Bring ``me`` into ``phase`` the way a program would."""
    if phase is Phase.AWAITING:
        pass
    elif phase is Phase.OPEN:
        me.accept()
    elif phase is Phase.CLOSE_SENT:
        me.accept()
        me.close(1000)  # the peer never accepts, so no reply comes
    elif phase is Phase.CLOSE_RECEIVED:
        me.accept(allowHalfOpen=True)
        peer.accept()
        peer.close(4000, "bye")
    elif phase is Phase.CLOSED:
        me.accept()
        peer.accept()
        me.close(1000)
    elif phase is Phase.DISCONNECTED:
        me.accept()
        peer._couple(RecordingTransport())
        peer._network_closed(clean=False)  # the client dropped the connection
    elif phase is Phase.ERRORED:
        me.accept()
        peer.accept()
        me.onmessage = _raiser
        peer.send("x")
    elif phase is Phase.READ_FAILED:
        me._accept_hibernatable(lambda ws, event: True)  # as ctx.acceptWebSocket() does
        peer._couple(RecordingTransport())
        peer._network_error(RuntimeError("refused"), "Uncaught Error: refused")  # a refused frame
    elif phase is Phase.COUPLED:
        me._couple(RecordingTransport())
    await settle()
    assert me._phase is phase, f"recipe for {phase.name} reached {me._phase.name}"


CALLS: dict[Action, Callable[[WebSocket], None]] = {
    Action.ACCEPT: lambda ws: ws.accept(),
    Action.SEND: lambda ws: ws.send("payload"),
    Action.CLOSE: lambda ws: ws.close(1000, "done"),
    Action.COUPLE: lambda ws: ws._couple(RecordingTransport()),
}


@pytest.mark.parametrize("phase,action", list(itertools.product(Phase, CALLS)), ids=lambda v: v.name)
async def test_every_call_in_every_phase_does_what_the_table_says(
    phase: Phase, action: Action, side: str
) -> None:
    pair = WebSocketPair()
    me, peer = ends(pair, side)
    await drive(phase, me, peer)
    t = TRANSITIONS[phase, action]
    queued_before = list(me._outgoing)
    if t.effect is Effect.RAISE:
        with pytest.raises(Exception) as err:
            CALLS[action](me)
        assert type(err.value) is t.error and str(err.value) == t.message
        assert me._phase is phase and list(me._outgoing) == queued_before
        return
    CALLS[action](me)
    assert me._phase is t.next
    assert me.readyState == ready_state(t.next)
    added = list(me._outgoing)[len(queued_before) :]
    if t.effect is Effect.QUEUE_MESSAGE:
        assert added == ["payload"]
    elif t.effect is Effect.QUEUE_CLOSE:
        assert [(f.code, f.reason) for f in added] == [(1000, "done")]
    else:
        assert added == []
    if t.effect is Effect.START_READING:
        assert me._reading
    await settle()  # nothing the call set in motion raises later


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.name)
def test_every_phase_has_a_row_for_every_call(phase: Phase) -> None:
    for action in CALLS:
        assert (phase, action) in TRANSITIONS


def test_missing_cells_are_keyerrors_naming_both() -> None:
    with pytest.raises(KeyError, match="RECV_MESSAGE in phase AWAITING"):
        transition(Phase.AWAITING, Action.RECV_MESSAGE)


def test_runtime_actions_only_where_the_read_loop_runs() -> None:
    # CLOSED: an end that sent its Close and then reported an error (its peer let go
    # of the pipe first) keeps reading until the peer's Close arrives. ERRORED: so does
    # an end whose pump failed before it had sent a Close.
    reading = {Phase.OPEN, Phase.CLOSE_SENT, Phase.CLOSED, Phase.ERRORED}
    for (phase, action), t in TRANSITIONS.items():
        if action in (Action.RECV_MESSAGE, Action.RECV_CLOSE, Action.RECV_CLOSE_HALF_OPEN):
            assert phase in reading, (phase, action)
            assert t.effect is not Effect.RAISE


@pytest.mark.parametrize(
    "phase,state",
    [
        (Phase.AWAITING, 1),
        (Phase.OPEN, 1),
        (Phase.CLOSE_SENT, 2),
        (Phase.CLOSE_RECEIVED, 2),
        (Phase.CLOSED, 3),
        (Phase.DISCONNECTED, 2),
        (Phase.ERRORED, 3),
        (Phase.READ_FAILED, 2),
        (Phase.COUPLED, 1),
    ],
)
def test_ready_state_of_each_phase(phase: Phase, state: int) -> None:
    assert ready_state(phase) == state


def test_table_renders_one_row_per_phase() -> None:
    text = table()
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["phase", "readyState"]
    assert len(lines) == 1 + len(Phase)
    assert lines[1].split() == ["AWAITING", "1", "->", "OPEN", "raises", "TypeError", "raises", "TypeError"]
    assert "raises TypeError" in text


def test_transition_str_reads_well() -> None:
    assert (
        str(TRANSITIONS[Phase.OPEN, Action.CLOSE]) == "queue a Close frame after earlier frames -> CLOSE_SENT"
    )
    assert str(TRANSITIONS[Phase.AWAITING, Action.SEND]).startswith(
        "raise TypeError: You must call one of accept()"
    )
