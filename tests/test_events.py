"""Events are frozen, validated dataclasses with workerd's field names; Blob reads like JS."""

from __future__ import annotations

import dataclasses

import pytest

from cfws_playground import Blob, CloseEvent, ErrorEvent, Event, MessageEvent


def test_fields_and_defaults() -> None:
    assert MessageEvent("message", data="x").data == "x"
    e = ErrorEvent(message="Uncaught Error: x", error=RuntimeError("x"))
    assert (e.type, e.filename, e.lineno, e.colno) == ("error", "", 0, 0)
    assert Event("open").type == "open"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Event(1),  # type: ignore[arg-type]
        lambda: MessageEvent("message", data=42),  # type: ignore[arg-type]
        lambda: CloseEvent("close", code=70000),
        lambda: CloseEvent("close", code=True),
        lambda: CloseEvent("close", reason=None),  # type: ignore[arg-type]
        lambda: CloseEvent("close", wasClean="yes"),  # type: ignore[arg-type]
        lambda: ErrorEvent(message=None),  # type: ignore[arg-type]
    ],
)
def test_invalid_events_cannot_exist(make: object) -> None:
    with pytest.raises(TypeError):
        make()  # type: ignore[operator]


def test_events_are_frozen_and_slotted() -> None:
    e = CloseEvent("close", code=1000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.code = 1001  # type: ignore[misc]
    assert not hasattr(e, "__dict__")


async def test_blob_reads_like_js() -> None:
    b = Blob([b"ab", "é", Blob(b"!")])
    assert b.size == 5 and b.type == ""
    assert await b.arrayBuffer() == b"ab\xc3\xa9!" == await b.bytes()
    assert await b.text() == "abé!"
    assert await b.slice(1, 2).arrayBuffer() == b"b"
    assert repr(b) == "Blob(size=5)"
    with pytest.raises(TypeError):
        Blob([1])
