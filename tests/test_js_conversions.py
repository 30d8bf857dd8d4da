"""JavaScript's Number() for close codes, JSG's int range, Blob types and streams, event properties.

Each behaviour here is also a library scenario measured on workerd (named in the test);
these check the pieces directly, with the cases a scenario does not spell out.
"""

from __future__ import annotations

import math

import pytest

from cfws_playground import WebSocketPair, errors, settle
from cfws_playground.events import Blob, MessageEvent, ReadableStream
from cfws_playground.socket.convert import js_int32_argument, string_to_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1000", 1000.0),
        (" \t1000\n", 1000.0),
        ("\u00a01000\u2028", 1000.0),
        ("\ufeff1000", 1000.0),
        ("0x3e8", 1000.0),
        ("0X3E8", 1000.0),
        ("0o1750", 1000.0),
        ("0b1111101000", 1000.0),
        ("1e3", 1000.0),
        (".1e4", 1000.0),
        ("1000.", 1000.0),
        ("+1000", 1000.0),
        ("-0", -0.0),
        ("", 0.0),
        ("   ", 0.0),
        ("Infinity", math.inf),
        ("-Infinity", -math.inf),
    ],
)
def test_numeric_text_reads_as_javascripts_number(text: str, number: float) -> None:
    assert string_to_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["1_000", "١٠٠٠", "infinity", "inf", "nan", "0x", "-0x3e8", "+0x3e8", "1e", "1000\x00", "abc", "0b2"],
)
def test_text_javascript_does_not_read_as_a_number_is_nan(text: str) -> None:
    assert math.isnan(string_to_number(text))


def test_an_int_argument_truncates_zeroes_nan_and_refuses_what_is_out_of_range() -> None:
    assert js_int32_argument(2147483647.5) == 2147483647
    assert js_int32_argument(-2147483648.7) == -2147483648
    assert js_int32_argument(math.nan) == 0 and js_int32_argument("Infinity") == 0
    assert js_int32_argument(True) == 1
    for value in (2147483648, -2147483649, 1e21, "4294968296", 2**80):
        with pytest.raises(TypeError, match=r"^Value out of range\. Must be between -2147483648"):
            js_int32_argument(value)


async def test_close_with_an_out_of_range_code_raises_jsgs_typeerror_and_changes_nothing() -> None:
    a, b = WebSocketPair()
    a.accept()
    with pytest.raises(TypeError, match="Value out of range"):
        a.close(66536 * 65536)
    assert a.readyState == 1
    a.close("0x3e8")  # 1000
    assert a.readyState == 2


def test_listener_argument_texts_are_workerds() -> None:
    a, _ = WebSocketPair()
    with pytest.raises(TypeError) as primitive:
        a.addEventListener("message", 1)
    assert str(primitive.value) == errors.LISTENER_NOT_OF_TYPE
    with pytest.raises(TypeError) as obj:
        a.addEventListener("message", object())
    assert str(obj.value) == errors.HANDLE_EVENT_NOT_OF_TYPE
    with pytest.raises(TypeError) as removed:
        a.removeEventListener("message", "fn")
    assert str(removed.value) == errors.REMOVE_LISTENER_NOT_OF_TYPE
    with pytest.raises(TypeError) as dispatched:
        a.dispatchEvent("message")  # type: ignore[arg-type]
    assert str(dispatched.value) == errors.DISPATCH_NOT_AN_EVENT
    with pytest.raises(TypeError) as accepted:
        a.accept(1)  # type: ignore[arg-type]
    assert str(accepted.value) == errors.ACCEPT_OPTIONS_NOT_OF_TYPE


def test_blob_type_follows_workerds_character_rule() -> None:
    assert Blob(b"abc", "Text/Plain").type == "text/plain"
    assert Blob(b"abc", "a\x7fb").type == "a\x7fb"
    assert Blob(b"abc", "a\x01b").type == ""
    assert Blob(b"abc").slice(0, 2, "é").type == ""
    assert Blob(b"abcdef").slice(-2).size == 2


async def test_blob_stream_reads_the_bytes_once_then_says_done() -> None:
    stream = Blob([b"ab", "c"]).stream()
    assert isinstance(stream, ReadableStream)
    reader = stream.getReader()
    with pytest.raises(TypeError, match="locked"):
        stream.getReader()
    assert await reader.read() == {"done": False, "value": b"abc"}
    assert await reader.read() == {"done": True, "value": None}
    assert [chunk async for chunk in Blob(b"xy").stream()] == [b"xy"]
    assert [chunk async for chunk in Blob(b"").stream()] == []


async def test_event_properties_while_dispatched_and_after() -> None:
    a, b = WebSocketPair()
    a.accept()
    b.accept()
    seen: list[tuple[object, ...]] = []
    b.addEventListener(
        "message", lambda e: seen.append((e.target is b, e.currentTarget is b, e.eventPhase, e.isTrusted))
    )
    a.send("x")
    await settle()
    event = MessageEvent("message", data="d")
    assert (event.target, event.eventPhase, event.isTrusted) == (None, 0, False)
    b.dispatchEvent(event)
    assert seen == [(True, True, 2, True), (True, True, 2, False)]
    assert event.target is b and event.currentTarget is None and event.eventPhase == 0
    assert (event.bubbles, event.cancelable, event.composed, event.timeStamp) == (False, False, False, 0)
    assert event.returnValue is True and event.defaultPrevented is False and event.cancelBubble is False
    assert event == MessageEvent("message", data="d")  # dispatching does not change equality


async def test_the_connection_lost_error_reads_as_a_plain_error() -> None:
    a, b = WebSocketPair()
    a.accept()
    b.accept()
    errors_seen = []
    a.addEventListener("error", lambda e: errors_seen.append(e.error))
    b.close(1000)
    await settle()
    assert [(e.name, e.message) for e in errors_seen] == [("Error", "Network connection lost.")]
