"""PairConsole: buttons call the public API; errors show in the console, not as tracebacks."""

from __future__ import annotations

import asyncio

import pytest

from cfws_playground import DOMException, WebSocketPair, settle
from cfws_playground.widgets import PairConsole
from cfws_playground.widgets._common import state_name
from cfws_playground.widgets.console import compatibility_choices


def raised(fn) -> str:  # type: ignore[no-untyped-def]
    try:
        fn()
    except Exception as exc:  # noqa: BLE001
        return (
            f"DOMException {exc.name}: {exc}"
            if isinstance(exc, DOMException)
            else f"{type(exc).__name__}: {exc}"
        )
    raise AssertionError("did not raise")


async def test_buttons_drive_the_pair() -> None:
    console = PairConsole()
    client, server = console.pair
    console.ends["server"].accept.click()
    console.ends["client"].accept.click()
    console.ends["client"].message.value = "hi"
    console.ends["client"].send.click()
    await settle()
    steps = [r.step for r in console.recorder.records]
    assert steps[:4] == ["accept()", "accept()", "send('hi')", "← message 'hi'"]
    assert console.error == ""
    assert console.ends["client"].state.value == "1 OPEN"
    console.ends["server"].binary.value = True
    console.ends["server"].message.value = "ab"
    console.ends["server"].send.click()
    console.ends["client"].code.value = "4000"
    console.ends["client"].reason.value = "done"
    console.ends["client"].close.click()
    await settle()
    steps = [r.step for r in console.recorder.records]
    assert "send(<bytes 2: 61 62>)" in steps and "close(4000, 'done')" in steps
    assert console.stream is not None
    assert [r["seq"] for r in console.stream.rows] == [r.seq for r in console.recorder.records]
    assert "client  readyState 3 CLOSED" in console.text()


async def test_invalid_actions_show_the_exact_error() -> None:
    console = PairConsole(stream=False)
    ref_client, _ = ref = WebSocketPair()  # the same action on a pair of our own
    expected = raised(lambda: ref_client.send("x"))
    console.ends["client"].send.click()  # before accept()
    assert console.error == expected
    assert expected.startswith("TypeError: You must call one of accept()")
    assert "✗ TypeError: You must call one of accept()" in console.error_view.value
    assert f"error: {expected}" in console.text()
    # close() with a bad code
    expected = raised(lambda: ref[0].close(999))
    console.ends["client"].code.value = "999"
    console.ends["client"].reason.value = ""
    console.ends["client"].close.click()
    assert console.error == expected and console.error.startswith("DOMException InvalidAccessError")
    # a reason without a code
    expected = raised(lambda: WebSocketPair()[0].close(None, "why"))
    console.ends["server"].code.value = ""
    console.ends["server"].reason.value = "why"
    console.ends["server"].close.click()
    assert console.error == expected
    # a success clears the error
    assert console.call("server", "accept")
    assert console.error == "" and console.error_view.value == ""


async def test_binary_type_and_compatibility_toggles() -> None:
    console = PairConsole()
    assert console.pair[0].binaryType == "blob"
    console.ends["client"].binary_type.value = "arraybuffer"
    assert console.pair[0].binaryType == "arraybuffer"
    assert console.recorder.records[-1].step == "binaryType = 'arraybuffer'"
    dates = [d for _, d in compatibility_choices()]
    assert dates[0] is None and "2026-03-16" in dates
    console.compat.value = "2026-03-16"  # before blob became the default
    console.new_pair_button.click()
    assert console.pair.compatibility.date == "2026-03-16"
    assert console.pair[0].binaryType == "arraybuffer"
    assert console.ends["client"].binary_type.value == "arraybuffer"
    assert console.text().splitlines()[0] == "PairConsole: pair 2, compatibility date 2026-03-16"
    console.call("server", "accept")
    await settle()
    assert console.recorder.records[-1].pair == 2
    with pytest.raises(ValueError, match="method must be"):
        console.call("client", "frobnicate")


async def test_repr_and_close() -> None:
    console = PairConsole()
    data = console._repr_mimebundle_()
    assert data["text/plain"] == console.text() == repr(console)
    stream = console.stream
    console.close()
    assert stream is not None and stream.comm is None


async def _labels_caught_up(console: PairConsole, expected: dict[str, str]) -> dict[str, str]:
    """The state labels once they show ``expected``, or after 1 s (the refresh runs on the loop)."""
    for _ in range(100):
        labels = {end: c.state.value for end, c in console.ends.items()}
        if labels == expected:
            break
        await asyncio.sleep(0.01)
    return labels


async def test_state_labels_follow_the_recorder() -> None:
    console = PairConsole()
    client, server = console.pair
    console.ends["server"].accept.click()
    console.ends["client"].accept.click()
    console.ends["client"].close.click()  # close(1000, 'bye'): the client end is CLOSING now
    assert console.ends["client"].state.value == "2 CLOSING"
    await settle()  # the server answers the close; both ends end CLOSED, turns later
    last = console.recorder.records[-1]
    assert (state_name(last.client), state_name(last.server)) == ("3 CLOSED", "3 CLOSED")
    closed = {"client": "3 CLOSED", "server": "3 CLOSED"}
    assert await _labels_caught_up(console, closed) == closed

    # Calls made from code, not from the buttons, show too.
    console.new_pair()
    client, server = console.pair
    client.accept()
    server.accept()
    server.binaryType = "arraybuffer"
    client.close()
    await settle()
    assert await _labels_caught_up(console, closed) == closed
    assert console.ends["server"].binary_type.value == "arraybuffer"
    # Showing the end's binaryType is not a second assignment by the console.
    assert [r.step for r in console.recorder.records].count("binaryType = 'arraybuffer'") == 1


async def test_closed_console_stops_following() -> None:
    console = PairConsole(stream=False)
    console.close()
    console.pair[0].accept()
    assert console._follow.pending == 0
