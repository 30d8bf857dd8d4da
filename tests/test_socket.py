"""WebSocketPair and WebSocket against the spec's conformance checklist.

Numbers in test names refer to the checklist at the end of
``spec/workerd-websocket-semantics.md``; ``observed`` refers to
``spec/workerd-observed.md``. Tests that involve one end acting and the other
reacting are parametrized over both sides: the ends are symmetric.
"""

from __future__ import annotations

import array
import asyncio
import logging
from collections.abc import Callable

import pytest
from listeners import RecordingTransport, ends, listen_all

from cfws_playground import (
    Blob,
    CloseEvent,
    DOMException,
    ErrorEvent,
    Event,
    MessageEvent,
    WebSocket,
    WebSocketPair,
    compatibility,
    settle,
)
from cfws_playground.errors import ConnectionLostError, WorkersError

MUST_ACCEPT = (
    "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages."
)
AFTER_CLOSE = "Can't call WebSocket send() after close()."
LOST = "Uncaught Error: Network connection lost."
DISCONNECTED = "WebSocket disconnected without sending Close frame."

LEGACY = dict(date="2025-09-01")  # before auto-reply, blob default and the reason limit


def accepted_pair(**accept_kw: object) -> WebSocketPair:
    pair = WebSocketPair()
    pair[0].accept(**accept_kw)  # type: ignore[arg-type]
    pair[1].accept(**accept_kw)  # type: ignore[arg-type]
    return pair


# --------------------------------------------------------------------------- construction


def test_01_two_ends_same_objects_every_access() -> None:
    pair = WebSocketPair()
    assert isinstance(pair[0], WebSocket) and isinstance(pair[1], WebSocket)
    assert pair[0] is pair[0] and pair[1] is pair[1] and pair[0] is not pair[1]
    with pytest.raises(IndexError):
        pair[2]


def test_02_iterating_yields_exactly_the_two_sockets() -> None:
    pair = WebSocketPair()
    assert list(pair) == [pair[0], pair[1]]
    client, server = pair
    assert client is pair[0] and server is pair[1]


def test_03_object_values_and_new() -> None:
    pair = WebSocketPair.new()
    assert isinstance(pair, WebSocketPair)
    client, server = pair.object_values()
    assert [client, server] == [pair[0], pair[1]]


def test_websocket_cannot_be_constructed_directly() -> None:
    with pytest.raises(TypeError, match="WebSocketPair"):
        WebSocket("wss://example.com")


@pytest.mark.parametrize("index", [0, 1])
def test_04_05_07_fresh_end_attributes(index: int) -> None:
    ws = WebSocketPair()[index]
    assert ws.readyState == 1 == WebSocket.OPEN
    assert ws.url is None and ws.protocol == "" and ws.extensions == ""
    for obj in (ws, WebSocket):
        assert (obj.CONNECTING, obj.OPEN, obj.CLOSING, obj.CLOSED) == (0, 1, 2, 3)
        assert (
            obj.READY_STATE_CONNECTING,
            obj.READY_STATE_OPEN,
            obj.READY_STATE_CLOSING,
            obj.READY_STATE_CLOSED,
        ) == (0, 1, 2, 3)


def test_06_binary_type_default_follows_date() -> None:
    assert WebSocketPair()[0].binaryType == "blob"
    with compatibility(date="2026-03-16"):
        assert WebSocketPair()[0].binaryType == "arraybuffer"
    with compatibility(date="2026-03-17"):
        assert WebSocketPair()[0].binaryType == "blob"
    with compatibility(flags=["no_websocket_standard_binary_type"]):
        assert WebSocketPair()[0].binaryType == "arraybuffer"


async def test_08_no_open_event_ever() -> None:
    pair = WebSocketPair()
    logs = [listen_all(pair, ws) for ws in pair]
    opened = []
    for ws in pair:
        ws.onopen = opened.append
        ws.accept()
    pair[0].send("x")
    pair[0].close(1000)
    await settle()
    assert opened == [] and all("open" not in log.types for log in logs)


# --------------------------------------------------------------------------- accept()


async def test_09_10_send_and_close_before_accept_raise(side: str) -> None:
    me, _ = ends(WebSocketPair(), side)
    with pytest.raises(TypeError) as e1:
        me.send("x")
    with pytest.raises(TypeError) as e2:
        me.close(1000, "bye")
    assert str(e1.value) == str(e2.value) == MUST_ACCEPT
    assert me.readyState == 1


def test_11_second_accept_is_a_noop() -> None:
    ws = WebSocketPair()[1]
    ws.accept()
    ws.accept()
    ws.accept({"allowHalfOpen": True})
    assert ws.readyState == 1


async def test_12_second_accept_does_not_change_half_open_mode(side: str) -> None:
    pair = WebSocketPair()
    me, peer = ends(pair, side)
    me.accept()
    me.accept(allowHalfOpen=True)
    peer.accept()
    peer.close(1000, "bye")
    states = []
    me.onclose = lambda e: states.append(me.readyState)
    await settle()
    assert states == [3]  # auto-reply still on: the first accept() chose


def test_accept_options_spellings() -> None:
    a, b = WebSocketPair()
    a.accept({"allowHalfOpen": True})
    b.accept(allowHalfOpen=True)
    assert a._allow_half_open and b._allow_half_open
    c = WebSocketPair()[0]
    with pytest.raises(TypeError, match="not both"):
        c.accept({"allowHalfOpen": True}, allowHalfOpen=False)
    with pytest.raises(TypeError, match="is not of type 'AcceptOptions'"):
        c.accept(True)  # type: ignore[arg-type]
    assert c.readyState == 1 and c._phase.name == "AWAITING"


async def test_13_14_listeners_before_accept_and_held_messages(side: str) -> None:
    pair = WebSocketPair()
    sender, receiver = ends(pair, side)
    sender.accept()
    got: list[object] = []
    receiver.addEventListener("message", lambda e: got.append(e.data))
    for i in range(5):
        sender.send(f"m{i}")
    await settle()
    assert got == []  # not accepted: nothing is read
    receiver.accept()
    assert got == []  # 15: nothing inside accept()
    await settle()
    assert got == ["m0", "m1", "m2", "m3", "m4"]


async def test_observed_messages_binary_and_close_before_accept_arrive_in_order() -> None:
    pair = WebSocketPair()
    a, b = pair
    a.accept()
    a.send("m1")
    a.send(bytes([7]))
    a.close(4001, "early")
    b.binaryType = "arraybuffer"
    log = listen_all(pair, b)
    b.accept()
    await settle()
    assert log.types == ["message", "message", "close", "error"]
    assert [e.data for e in log.of("message")] == ["m1", b"\x07"]
    assert (log.events[2].code, log.events[2].reason) == (4001, "early")
    assert log.events[3].message == LOST


async def test_15_nothing_dispatched_inside_accept() -> None:
    pair = WebSocketPair()
    a, b = pair
    a.accept()
    a.send("x")
    got: list[str] = []
    b.onmessage = lambda e: got.append(e.data)
    b.accept()
    assert got == []
    await settle()
    assert got == ["x"]


async def test_late_listener_after_await_loses_the_message() -> None:
    pair = accepted_pair()
    a, b = pair
    a.send("lost")
    await settle()
    got: list[str] = []
    b.onmessage = lambda e: got.append(e.data)
    a.send("seen")
    await settle()
    assert got == ["seen"]


# --------------------------------------------------------------------------- send()


async def test_17_text_arrives_as_str(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    log = listen_all(pair, peer)
    me.send("x")
    await settle()
    [event] = log.events
    assert isinstance(event, MessageEvent) and event.type == "message" and event.data == "x"


@pytest.mark.parametrize(
    "payload,expected",
    [
        (b"\x01\x02", b"\x01\x02"),
        (bytearray(b"ab"), b"ab"),
        (memoryview(b"xyz")[1:], b"yz"),
        (array.array("H", [0x0102]), bytes(array.array("H", [0x0102]))),
        (b"", b""),
    ],
)
async def test_18_binary_as_bytes_or_blob(side: str, payload: object, expected: bytes) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    got: list[object] = []
    peer.onmessage = lambda e: got.append(e.data)
    me.send(payload)
    await settle()
    peer.binaryType = "arraybuffer"
    me.send(payload)
    await settle()
    blob, raw = got
    assert isinstance(blob, Blob) and blob.size == len(expected) and await blob.arrayBuffer() == expected
    assert type(raw) is bytes and raw == expected


async def test_19_bytearray_is_copied_at_send() -> None:
    pair = accepted_pair()
    a, b = pair
    b.binaryType = "arraybuffer"
    got: list[object] = []
    b.onmessage = lambda e: got.append(e.data)
    buf = bytearray(b"before")
    a.send(buf)
    buf[:] = b"AFTER!"
    view = memoryview(buf)
    a.send(view)
    view[0] = ord("Z")
    await settle()
    assert got == [b"before", b"AFTER!"]


@pytest.mark.parametrize(
    "value,text",
    [
        (42, "42"),
        (-7, "-7"),
        (10**30, str(10**30)),
        (1.0, "1"),
        (1.5, "1.5"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (-0.0, "0"),
        (True, "true"),
        (False, "false"),
    ],
)
async def test_20_numbers_and_bools_become_js_text(value: object, text: str) -> None:
    pair = accepted_pair()
    got: list[object] = []
    pair[1].onmessage = lambda e: got.append(e.data)
    pair[0].send(value)
    await settle()
    assert got == [text]


@pytest.mark.parametrize(
    "value,would_send",
    [
        (None, "null"),
        ({"a": 1}, "[object Object]"),
        ([1, 2], "1,2"),
        ((1, None), "1,"),
        ({1}, "[object Set]"),
        (object(), "[object Object]"),
        (Blob(b"x"), "[object Blob]"),
    ],
)
def test_20_kit_decision_other_values_raise_typeerror(value: object, would_send: str) -> None:
    a = accepted_pair()[0]
    with pytest.raises(TypeError) as err:
        a.send(value)
    message = str(err.value)
    assert repr(would_send) in message and "json.dumps" in message and "JSON.stringify" in message
    assert not a._outgoing  # nothing was queued


def test_send_without_argument_is_workerds_typeerror() -> None:
    a = accepted_pair()[0]
    with pytest.raises(
        TypeError, match=r"parameter 1 is not of type 'ArrayBuffer or ArrayBufferView or string'"
    ):
        a.send()


async def test_lone_surrogate_travels_as_wtf8_and_decodes_to_replacement_chars() -> None:
    pair = accepted_pair()
    got: list[str] = []
    pair[1].onmessage = lambda e: got.append(e.data)
    pair[0].send("a\ud800b")
    await settle()
    assert got == ["a\ufffd\ufffd\ufffdb"]


async def test_21_no_synchronous_delivery_and_one_message_per_turn(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    order: list[str] = []

    def on_message(e: MessageEvent) -> None:
        order.append(f"msg {e.data}")
        asyncio.get_running_loop().call_soon(order.append, f"after {e.data}")

    peer.onmessage = on_message
    me.send("1")
    me.send("2")
    order.append("sent")
    await settle()
    # What a listener schedules runs before the next message, like JS microtasks.
    assert order == ["sent", "msg 1", "after 1", "msg 2", "after 2"]


async def test_22_order_preserved_per_direction() -> None:
    pair = accepted_pair()
    a, b = pair
    got_a: list[object] = []
    got_b: list[object] = []
    a.onmessage = lambda e: got_a.append(e.data)
    b.onmessage = lambda e: got_b.append(e.data)
    for i in range(500):
        a.send(str(i))
        b.send(i.to_bytes(2, "big"))
    b.binaryType = "blob"
    a.binaryType = "arraybuffer"
    await settle()
    assert got_b == [str(i) for i in range(500)]
    assert got_a == [i.to_bytes(2, "big") for i in range(500)]


async def test_23_send_after_own_close_raises(side: str) -> None:
    pair = accepted_pair()
    me, _ = ends(pair, side)
    me.close()
    with pytest.raises(TypeError, match=r"^Can't call WebSocket send\(\) after close\(\)\.$"):
        me.send("x")


async def test_24_send_after_auto_reply_raises(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    raised: list[str] = []

    def on_close(e: CloseEvent) -> None:
        try:
            me.send("late")
        except TypeError as exc:
            raised.append(str(exc))

    me.onclose = on_close
    peer.close(1000, "bye")
    await settle()
    assert raised == [AFTER_CLOSE]


async def test_25_half_open_send_after_close_received_is_delivered(side: str) -> None:
    pair = WebSocketPair()
    me, peer = ends(pair, side)
    me.accept(allowHalfOpen=True)
    peer.accept()
    got: list[object] = []
    peer.onmessage = lambda e: got.append((e.data, peer.readyState))
    me.onclose = lambda e: me.send("final words")
    peer.close(1000, "bye")
    await settle()
    assert got == [("final words", 2)]
    assert me.readyState == 2 and peer.readyState == 2


async def test_26_send_after_error_is_ignored(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)

    def boom(e: MessageEvent) -> None:
        raise RuntimeError("boom")

    me.onmessage = boom
    peer.send("x")
    await settle()
    assert me.readyState == 3
    me.send("ignored")  # no exception
    me.close(1000)  # no exception
    peer.send("ignored too")
    await settle()
    assert not me._outgoing


def test_28_buffered_amount_is_zero() -> None:
    # scenario: pair-buffered-amount-zero (workerd 2026-11-17 reads 0)
    assert WebSocketPair()[0].bufferedAmount == 0


async def test_buffered_amount_counts_until_the_peer_takes_each_message() -> None:
    # scenarios: buffered-amount-counts-queued-bytes, buffered-amount-drops-as-the-peer-takes-each
    a, b = WebSocketPair()
    b.accept()
    b.send("héllo")  # 6 bytes of UTF-8
    b.send(b"\x00" * 3)
    b.send("\ud800")  # a lone surrogate goes out as 3 bytes of WTF-8
    b.close(1000, "bye")  # a Close never counts
    await settle()
    assert b.bufferedAmount == 12  # nobody reads a yet
    seen: list[int] = []
    a.addEventListener("message", lambda e: seen.append(b.bufferedAmount))
    a.accept()
    await settle()
    assert seen == [6, 3, 0]
    assert b.bufferedAmount == 0 and a.bufferedAmount == 0


async def test_29_30_binary_type_switch_and_invalid_values() -> None:
    pair = accepted_pair()
    a, b = pair
    kinds: list[str] = []
    b.onmessage = lambda e: kinds.append(type(e.data).__name__)

    def switch(e: MessageEvent) -> None:
        b.binaryType = "arraybuffer"

    b.addEventListener("message", switch, {"once": True})
    a.send(b"1")
    a.send(b"2")
    await settle()
    assert kinds == ["Blob", "bytes"]
    for bad in ("Blob", "ARRAYBUFFER", "", None, 1):
        b.binaryType = bad  # type: ignore[assignment]
        assert b.binaryType == "arraybuffer"


# --------------------------------------------------------------------------- close()


async def test_32_33_34_close_handshake_with_auto_reply(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    me_log, peer_log = listen_all(pair, me), listen_all(pair, peer)
    me.close(1000, "bye")
    assert me.readyState == 2 and peer.readyState == 1
    await settle()
    [peer_close, peer_error] = peer_log.events
    assert (peer_close.type, peer_close.code, peer_close.reason, peer_close.wasClean) == (
        "close",
        1000,
        "bye",
        True,
    )
    assert peer_log.states[0][0 if pair[0] is peer else 1] == 3  # peer is CLOSED inside its close event
    [me_close] = me_log.events
    assert (me_close.code, me_close.reason, me_close.wasClean) == (1000, "bye", True)
    # observed: the trailing "Network connection lost." on the end that received the Close first.
    assert isinstance(peer_error, ErrorEvent) and peer_error.message == LOST
    assert isinstance(peer_error.error, ConnectionLostError)
    assert (me.readyState, peer.readyState) == (3, 3)


async def test_observed_event_order_of_a_full_handshake() -> None:
    pair = accepted_pair()
    a, b = pair
    order: list[str] = []
    for name, ws in (("a", a), ("b", b)):
        for t in ("close", "error"):
            ws.addEventListener(t, lambda e, n=name: order.append(f"{n}:{e.type}"))
    a.close(1000, "bye")
    await settle()
    assert order == ["b:close", "a:close", "b:error"]


async def test_35_36_half_open_close(side: str) -> None:
    pair = WebSocketPair()
    me, peer = ends(pair, side)
    me.accept()
    peer.accept(allowHalfOpen=True)
    me_log, peer_log = listen_all(pair, me), listen_all(pair, peer)
    me.close(1000, "bye")
    await settle()
    assert peer_log.types == ["close"] and peer.readyState == 2
    assert me_log.types == [] and me.readyState == 2
    peer.close(4000, "done")
    assert peer.readyState == 3
    await settle()
    assert [(e.code, e.reason) for e in me_log.of("close")] == [(4000, "done")]
    assert peer_log.types == ["close", "error"]  # the trailing error, 2025 sequence


async def test_legacy_date_has_no_auto_reply() -> None:
    with compatibility(**LEGACY):
        pair = accepted_pair()
    a, b = pair
    seen: list[int] = []
    b.onclose = lambda e: seen.append(b.readyState)
    a.close(1000, "bye")
    await settle()
    assert seen == [2] and a.readyState == 2
    b.send("still allowed")
    b.close()
    await settle()
    assert a.readyState == 3


async def test_37_close_without_code_is_1005(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    log = listen_all(pair, peer)
    me.close()
    await settle()
    assert (log.events[0].code, log.events[0].reason, log.events[0].wasClean) == (1005, "", True)


@pytest.mark.parametrize("code", [1004, 1005, 1006, 1015, 999, 5000, 0, -1, 65535, 66536])
def test_38_invalid_codes_raise_invalid_access(code: int) -> None:
    ws = accepted_pair()[0]
    with pytest.raises(DOMException) as err:
        ws.close(code)
    assert err.value.name == "InvalidAccessError" and err.value.code == 15
    assert str(err.value) == f"Invalid WebSocket close code: {code}."
    assert ws.readyState == 1  # the socket stays open


@pytest.mark.parametrize("code", [1000, 1001, 1011, 1014, 1016, 2000, 2999, 3000, 4999])
def test_39_valid_codes(code: int) -> None:
    ws = accepted_pair()[0]
    ws.close(code)
    assert ws.readyState == 2


@pytest.mark.parametrize("code,ok", [(1000, True), (3000, True), (4999, True), (1001, False), (2999, False)])
def test_39_pedantic_codes(code: int, ok: bool) -> None:
    with compatibility(flags=["pedantic_wpt"]):
        ws = accepted_pair()[0]
    if ok:
        ws.close(code)
    else:
        with pytest.raises(DOMException, match=f"Invalid WebSocket close code: {code}."):
            ws.close(code)


def test_close_code_coercion_as_webidl() -> None:
    ws = accepted_pair()[0]
    with pytest.raises(DOMException, match="Invalid WebSocket close code: 0."):
        ws.close(float("nan"))
    with pytest.raises(DOMException, match="Invalid WebSocket close code: 1."):
        ws.close(True)  # JS ToNumber(true) is 1
    with pytest.raises(DOMException, match="Invalid WebSocket close code: 0."):
        ws.close("soon")  # type: ignore[arg-type]  # NaN
    with pytest.raises(TypeError, match="workerd would have converted"):
        ws.close({"code": 1000})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="workerd would have sent the reason '\\[object Object\\]'"):
        ws.close(1000, {"why": "x"})  # type: ignore[arg-type]
    ws.close(3000.9)  # truncates, as observed
    assert ws._outgoing[-1].code == 3000


def test_close_converts_a_numeric_string_code_and_a_number_reason() -> None:
    # scenarios: close-code-numeric-string, close-reason-number, close-reason-bool
    ws = accepted_pair()[0]
    ws.close(" 4000 ", 42)  # type: ignore[arg-type]
    assert (ws._outgoing[-1].code, ws._outgoing[-1].reason) == (4000, "42")
    ws2 = accepted_pair()[0]
    ws2.close(1000, True)  # type: ignore[arg-type]
    assert ws2._outgoing[-1].reason == "true"


def test_40_reason_without_code() -> None:
    ws = accepted_pair()[0]
    with pytest.raises(DOMException) as err:
        ws.close(reason="x")
    assert err.value.name == "InvalidAccessError"
    assert str(err.value) == "If you specify a WebSocket close reason, you must also specify a code."


@pytest.mark.parametrize("reason", ["é" * 62, "a" * 124, "€" * 41 + "a", "😀" * 31])
def test_41_reason_over_123_bytes(reason: str) -> None:
    ws = accepted_pair()[0]
    with pytest.raises(DOMException) as err:
        ws.close(1000, reason)
    assert err.value.name == "SyntaxError" and err.value.code == 12
    assert str(err.value) == "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded."
    assert ws.readyState == 1


@pytest.mark.parametrize("reason", ["a" * 123, "é" * 61 + "a", "€" * 41])
async def test_41_reason_of_123_bytes_is_fine(reason: str) -> None:
    pair = accepted_pair()
    got: list[str] = []
    pair[1].onclose = lambda e: got.append(e.reason)
    pair[0].close(1000, reason)
    await settle()
    assert got == [reason]


async def test_41_reason_limit_off_before_2026_03_03() -> None:
    with compatibility(date="2026-03-02"):
        pair = accepted_pair()
    got: list[str] = []
    pair[1].onclose = lambda e: got.append(e.reason)
    pair[0].close(1000, "a" * 200)
    await settle()
    assert got == ["a" * 200]


async def test_reason_is_a_usv_string() -> None:
    pair = accepted_pair()
    got: list[str] = []
    pair[1].onclose = lambda e: got.append(e.reason)
    pair[0].close(1000, "x\ud800y\0z")
    await settle()
    assert got == ["x\ufffdy\0z"]


def test_42_validation_before_state() -> None:
    ws = WebSocketPair()[0]  # not even accepted
    with pytest.raises(DOMException, match="999"):
        ws.close(999)
    ws.accept()
    ws.close(1000)
    with pytest.raises(DOMException, match="999"):
        ws.close(999)


async def test_43_44_second_close_and_close_in_handler_are_ignored(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    me.close(1000, "first")
    me.close(4000, "second")  # ignored
    peer.onclose = lambda e: peer.close(4002, "other")  # ignored: already auto-replied
    log = listen_all(pair, me)
    await settle()
    assert [(e.code, e.reason) for e in log.of("close")] == [(1000, "first")]


async def test_45_queued_messages_before_close_event(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    log = listen_all(pair, peer)
    me.send("a")
    me.send("b")
    me.close(1000)
    await settle()
    assert log.types[:3] == ["message", "message", "close"]


async def test_46_no_message_after_close_received() -> None:
    with compatibility(**LEGACY):
        pair = accepted_pair()
    a, b = pair
    log = listen_all(pair, b)
    a.close(1000)
    await settle()
    with pytest.raises(TypeError, match="after close"):
        a.send("nope")
    assert log.types == ["close"]


async def test_47_initiator_receives_messages_while_closing(side: str) -> None:
    pair = WebSocketPair()
    me, peer = ends(pair, side)
    me.accept()
    peer.accept(allowHalfOpen=True)
    got: list[tuple[str, int]] = []
    me.onmessage = lambda e: got.append((e.data, me.readyState))
    peer.send("in flight")
    me.close(1000)
    peer.onclose = lambda e: peer.send("after close")
    await settle()
    assert got == [("in flight", 2), ("after close", 2)]


def test_48_close_event_defaults() -> None:
    e = CloseEvent("close")
    assert (e.type, e.code, e.reason, e.wasClean) == ("close", 0, "", False)


# --------------------------------------------------------------------------- errors


async def test_51_52_53_54_55_raising_message_listener(side: str) -> None:
    # scenarios: listener-raises-message, listener-raises-stops-or-continues (before 2026-09-15)
    with compatibility(date="2026-09-14"):
        pair = accepted_pair()
    me, peer = ends(pair, side)
    me_log, peer_log = listen_all(pair, me), listen_all(pair, peer)
    calls: list[str] = []

    def boom(e: MessageEvent) -> None:
        calls.append("boom")
        raise RuntimeError("boom")

    me.onmessage = boom
    me.addEventListener("message", lambda e: calls.append("second"))  # 54: not called
    peer.send("one")
    peer.send("two")  # never delivered
    await settle()
    assert calls == ["boom"]
    [error] = me_log.of("error")
    assert error.message == "Uncaught RuntimeError: boom" and isinstance(error.error, RuntimeError)
    assert (error.filename, error.lineno, error.colno) == ("", 0, 0)
    assert me_log.types == ["error"]  # 53: no close event follows
    assert me.readyState == 3
    # observed: the peer gets "Network connection lost." and then close 1006.
    assert peer_log.types == ["error", "close"]
    assert peer_log.events[0].message == LOST
    lost = peer_log.events[1]
    assert (lost.code, lost.reason, lost.wasClean) == (1006, DISCONNECTED, False)
    peer.send("ignored")
    peer.close(1000)
    me.send("ignored")
    await settle()
    assert me_log.types == ["error"] and peer_log.types == ["error", "close"]


@pytest.mark.parametrize(
    ("raise_it", "label"),
    [
        (lambda: undefined_name, "Uncaught NameError: name 'undefined_name' is not defined"),  # noqa: F821
        (lambda: object().missing, "Uncaught AttributeError: 'object' object has no attribute 'missing'"),
        (
            lambda: __import__("no_such_module_here"),
            "Uncaught ModuleNotFoundError: No module named 'no_such_module_here'",
        ),
        (lambda: (_ for _ in ()).throw(WorkersError("plain")), "Uncaught Error: plain"),
    ],
    ids=["NameError", "AttributeError", "ModuleNotFoundError", "Error"],
)
async def test_a_listener_error_is_labelled_with_its_class_not_its_name_attribute(
    raise_it: Callable[[], object], label: str
) -> None:
    """NameError, AttributeError and ImportError carry ``.name`` (the missing name): not a label.

    workerd labels an uncaught error with its class, "Uncaught TypeError: ..."; the
    runtime's own errors with their JavaScript name.
    """
    pair = accepted_pair()
    client, server = pair
    log = listen_all(pair, server)
    server.addEventListener("message", lambda e: raise_it())
    client.send("x")
    await settle()
    [error] = log.of("error")
    assert error.message == label


async def test_raising_listener_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    pair = accepted_pair()

    def boom(e: MessageEvent) -> None:
        raise ValueError("bad payload")

    pair[1].onmessage = boom
    pair[0].send("x")
    with caplog.at_level(logging.WARNING, logger="cfws_playground"):
        await settle()
    assert "Uncaught ValueError: bad payload" in caplog.text


async def test_raising_close_listener_with_auto_reply() -> None:
    with compatibility(date="2026-09-14"):
        pair = accepted_pair()
    a, b = pair
    a_log, b_log = listen_all(pair, a), listen_all(pair, b)

    def boom(e: CloseEvent) -> None:
        raise TypeError("close-boom")

    b.onclose = boom
    a.close(1000, "x")
    await settle()
    # scenario: listener-raises-close. Before 2026-09-15, onclose raised, so the
    # logging listener after it never ran for the close event.
    assert b_log.types == ["error"] and b_log.events[0].message == "Uncaught TypeError: close-boom"
    assert [(e.type, getattr(e, "code", None)) for e in a_log.events] == [("close", 1000)]
    assert a_log.events[0].wasClean


async def test_raising_close_listener_legacy_peer_sees_1006() -> None:
    with compatibility(**LEGACY):
        pair = accepted_pair()
    a, b = pair
    a_log = listen_all(pair, a)

    def boom(e: CloseEvent) -> None:
        raise TypeError("close-boom")

    b.onclose = boom
    a.close(1000, "x")
    await settle()
    assert [(e.type, e.code, e.wasClean) for e in a_log.events] == [("close", 1006, False)]


async def test_spec_compliant_dispatch_exceptions_runs_the_rest_and_still_errors() -> None:
    # scenario: listener-raises-stops-or-continues (from 2026-09-15, today's default)
    pair = accepted_pair()
    a, b = pair
    b_log = listen_all(pair, b)
    calls: list[str] = []

    def boom(e: MessageEvent) -> None:
        calls.append("boom")
        raise RuntimeError("boom")

    b.addEventListener("message", boom)
    b.addEventListener("message", lambda e: calls.append(e.data))
    a.send("1")
    a.send("2")
    await settle()
    assert calls == ["boom", "1"] and b.readyState == 3
    assert b_log.types == ["message", "error"]
    assert b_log.events[-1].message == "Uncaught RuntimeError: boom"


async def test_spec_compliant_dispatch_event_reports_instead_of_raising() -> None:
    # scenario: dispatch-event-listener-raises
    a = accepted_pair()[0]
    a.addEventListener("ping", lambda e: 1 / 0)
    assert a.dispatchEvent(Event("ping")) is True
    with compatibility(flags=["no_spec_compliant_dispatch_exceptions"]):
        old = accepted_pair()[0]
    old.addEventListener("ping", lambda e: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        old.dispatchEvent(Event("ping"))


async def test_an_error_listener_that_raises_leaves_the_end_unreleased_before_2026_09_15() -> None:
    # scenarios: listener-raises-error-listener, error-listener-raises-then-close-rethrows
    with compatibility(date="2026-09-14"):
        pair = accepted_pair()
    a, b = pair
    a_log = listen_all(pair, a)
    b.addEventListener("message", lambda e: 1 / 0)
    b.addEventListener("error", lambda e: [][1])
    a.send("x")
    await settle()
    assert a_log.types == []  # the peer never learns
    with pytest.raises(ZeroDivisionError):
        b.close(1000)


async def test_raise_with_messages_still_queued_by_the_raiser() -> None:
    pair = accepted_pair()
    a, b = pair
    a_log = listen_all(pair, a)

    def boom(e: MessageEvent) -> None:
        b.send("last words")
        raise RuntimeError("boom")

    b.onmessage = boom
    a.send("x")
    await settle()
    # scenario: listener-raises-after-sending. a's own frames were all taken, so its
    # pump does not fail: close 1006 alone, no "Network connection lost." error.
    assert [(e.type, getattr(e, "data", None)) for e in a_log.events][0] == ("message", "last words")
    assert a_log.types == ["message", "close"]


# --------------------------------------------------------------------------- EventTarget


async def test_56_57_on_attribute_runs_first_and_non_callable_is_ignored(side: str) -> None:
    pair = accepted_pair()
    me, peer = ends(pair, side)
    order: list[str] = []
    peer.addEventListener("message", lambda e: order.append("listener"))
    peer.onmessage = lambda e: order.append("onmessage")
    peer.onclose = "not a function"  # type: ignore[assignment]
    me.send("x")
    me.close()
    await settle()
    assert order == ["onmessage", "listener"]


async def test_58_59_60_handle_event_once_and_remove() -> None:
    pair = accepted_pair()
    a, b = pair

    class Handler:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def handleEvent(self, e: MessageEvent) -> None:
            self.seen.append(e.data)  # type: ignore[arg-type]

    h = Handler()
    once: list[str] = []
    removed: list[str] = []
    b.addEventListener("message", h)
    b.addEventListener("message", h)  # a duplicate is ignored
    b.addEventListener("message", once.append, once=True)
    b.addEventListener("message", removed.append)
    b.removeEventListener("message", removed.append)
    a.send("1")
    a.send("2")
    await settle()
    assert h.seen == ["1", "2"] and len(once) == 1 and removed == []


async def test_61_listener_removed_during_dispatch_is_skipped() -> None:
    pair = accepted_pair()
    a, b = pair
    calls: list[str] = []

    def second(e: object) -> None:
        calls.append("second")

    def first(e: object) -> None:
        calls.append("first")
        b.removeEventListener("message", second)

    b.addEventListener("message", first)
    b.addEventListener("message", second)
    a.send("x")
    await settle()
    assert calls == ["first"]


@pytest.mark.parametrize(
    "args,kwargs,message",
    [
        (({"capture": True},), {}, "addEventListener(): options.capture must be false."),
        ((True,), {}, "addEventListener(): useCapture must be false."),
        ((), {"capture": True}, "addEventListener(): options.capture must be false."),
    ],
)
def test_62_capture_raises(args: tuple[object, ...], kwargs: dict[str, bool], message: str) -> None:
    ws = WebSocketPair()[0]
    with pytest.raises(TypeError) as err:
        ws.addEventListener("message", print, *args, **kwargs)
    assert str(err.value) == message


def test_62_passive_is_accepted_and_remove_with_capture_raises() -> None:
    # scenarios: listener-passive-accepted, listener-remove-capture-throws, listener-remove-use-capture-throws
    ws = WebSocketPair()[0]
    ws.addEventListener("message", print, {"passive": True})
    ws.addEventListener("close", print, passive=True)
    with pytest.raises(TypeError, match=r"^removeEventListener\(\): options.capture must be false.$"):
        ws.removeEventListener("message", print, {"capture": True})
    with pytest.raises(TypeError, match=r"^removeEventListener\(\): useCapture must be false.$"):
        ws.removeEventListener("message", print, True)
    assert [e.fn for e in ws._listeners["message"]] == [print]


def test_listener_must_be_callable() -> None:
    with pytest.raises(TypeError, match="is not of type 'function or HandlerObject'"):
        WebSocketPair()[0].addEventListener("message", 42)


async def test_63_async_listener_runs_unawaited_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    pair = accepted_pair()
    a, b = pair
    got: list[str] = []

    async def on_message(e: MessageEvent) -> None:
        await asyncio.sleep(0)
        got.append(e.data)  # type: ignore[arg-type]

    b.addEventListener("message", on_message)
    a.send("1")
    a.send("2")
    with caplog.at_level(logging.WARNING, logger="cfws_playground"):
        await settle()  # settle waits for the listener tasks too
    assert got == ["1", "2"]
    assert caplog.text.count("An event handler returned a promise that will be ignored.") == 1


async def test_64_message_event_fields() -> None:
    pair = accepted_pair()
    got: list[MessageEvent] = []
    pair[1].onmessage = got.append
    pair[0].send("x")
    await settle()
    [e] = got
    assert (e.type, e.data, e.origin, e.lastEventId, e.source, list(e.ports)) == (
        "message",
        "x",
        None,
        "",
        None,
        [],
    )
    with pytest.raises(AttributeError):
        e.data = "changed"  # type: ignore[misc]


def test_dispatch_event_calls_listeners_synchronously() -> None:
    ws = WebSocketPair()[0]
    got: list[object] = []
    ws.addEventListener("custom", got.append)
    ws.dispatchEvent(MessageEvent("custom", data="x"))
    assert [e.data for e in got] == ["x"]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- attachments


def test_65_attachment_is_a_deep_copy() -> None:
    ws = WebSocketPair()[0]
    assert ws.deserializeAttachment() is None
    value = {"user": "ada", "rooms": ["a", "b"], "n": 1, "raw": b"\x00"}
    ws.serializeAttachment(value)
    value["rooms"].append("c")
    got = ws.deserializeAttachment()
    assert got == {"user": "ada", "rooms": ["a", "b"], "n": 1, "raw": b"\x00"}
    got["rooms"].append("z")
    assert ws.deserializeAttachment()["rooms"] == ["a", "b"]


def test_66_attachment_limit() -> None:
    ws = WebSocketPair()[0]
    ws.serializeAttachment("a" * 16000)
    with pytest.raises(WorkersError) as err:
        ws.serializeAttachment("a" * 16400)
    assert str(err.value).startswith(
        "A WebSocket 'attachment' cannot be larger than 16384 bytes.'attachment' was "
    )
    assert ws.deserializeAttachment() == "a" * 16000  # unchanged


def test_attachment_must_be_clonable() -> None:
    with pytest.raises(DOMException) as err:
        WebSocketPair()[0].serializeAttachment({"f": print})
    assert err.value.name == "DataCloneError"


# --------------------------------------------------------------------------- the network side


def served_pair() -> tuple[WebSocketPair, RecordingTransport]:
    pair = WebSocketPair()
    transport = RecordingTransport()
    pair[1].accept()
    pair[0]._couple(transport)
    return pair, transport


async def test_49_50_network_drop_is_close_1006_with_ready_state_1_inside_and_no_error() -> None:
    pair, _ = served_pair()
    client, server = pair
    log = listen_all(pair, server)
    inside: list[int] = []

    def on_close(e: CloseEvent) -> None:
        inside.append(server.readyState)
        server.send("nobody hears this")  # no exception

    server.onclose = on_close
    client._network_frame("last words")
    client._network_closed(clean=False)
    await settle()
    assert log.types == ["message", "close"]
    close = log.events[1]
    assert (close.code, close.reason, close.wasClean) == (1006, DISCONNECTED, False)
    assert inside == [1] and server.readyState == 2


async def test_network_client_close_gets_auto_reply_then_the_trailing_error() -> None:
    pair, transport = served_pair()
    client, server = pair
    log = listen_all(pair, server)
    client._network_frame("hi")  # a message crossed (scenario: wire-echo-text)
    client._network_close(4001, "x")
    await settle()
    assert log.types == ["message", "close"] and server.readyState == 3
    assert client._network_take() == (4001, "x")  # the echo, queued before the close event
    client._network_closed(clean=True)
    await settle()
    assert log.types == ["message", "close", "error"] and log.events[2].message == LOST


async def test_network_client_close_without_traffic_has_no_trailing_error() -> None:
    # scenario: wire-client-close-4001
    pair, transport = served_pair()
    client, server = pair
    log = listen_all(pair, server)
    client._network_close(4001, "x")
    await settle()
    assert client._network_take() == (4001, "x")
    client._network_closed(clean=True)
    await settle()
    assert log.types == ["close"]


async def test_worker_close_reaches_the_network_in_order() -> None:
    pair, transport = served_pair()
    client, server = pair
    server.send("a")
    server.send(b"b")
    server.close()
    assert transport.calls.count("frames_queued") == 3
    assert [client._network_take() for _ in range(4)] == ["a", b"b", (1005, ""), None]


async def test_raising_worker_listener_drops_the_connection() -> None:
    with compatibility(date="2026-09-14"):
        pair, transport = served_pair()
    client, server = pair

    def boom(e: MessageEvent) -> None:
        raise RuntimeError("listener-boom")

    server.onmessage = boom
    log = listen_all(pair, server)
    client._network_frame("x")
    await settle()
    assert transport.calls[-1] == "peer_died"
    assert log.types == ["error"] and log.events[0].message == "Uncaught RuntimeError: listener-boom"


async def test_network_protocol_error_is_an_error_event_not_a_close() -> None:
    pair, _ = served_pair()
    client, server = pair
    log = listen_all(pair, server)
    text = "Uncaught Error: WebSocket protocol error; protocolError.statusCode = 1009; " + (
        "protocolError.description = Message is too large: 33554433 > 33554432"
    )
    client._network_frame("read first")
    client._network_error(WorkersError("too large"), text)
    client._network_frame("never read")
    await settle()
    assert log.types == ["message", "error"] and log.events[0].data == "read first"
    assert log.events[1].message == text and server.readyState == 3


def test_unflagged_changes_apply_at_every_date() -> None:
    with compatibility(date="2022-01-01"):
        ws = accepted_pair()[0]
    with pytest.raises(DOMException) as err:
        ws.close(1006)
    assert err.value.name == "InvalidAccessError"
    ws.serializeAttachment("a" * 16000)  # 16 KiB, not the old 2 KiB
