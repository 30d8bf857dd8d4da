"""The output gate: a storage write holds the messages queued after it until it is flushed.

Measured on workerd 2026-11-23 (scenarios do-output-gate-flush-*, gen-02672c47,
gen-7b488a62): messages queued after a write wait for its commit, which completes after the
dispatch of a message sent before the write, and before a read loop takes its next frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from do_harness import fresh_class, namespace

from cfws_playground import WebSocketPair, settle


def _object(program: Callable[[Any, Any, Any], Any]) -> tuple[Any, list[str]]:
    """An object whose ``run()`` accepts both ends of a pair, logs what each receives, and
    runs ``program(storage, a, b)``."""
    log: list[str] = []

    class Sender(fresh_class()):  # type: ignore[misc]
        async def run(self) -> None:
            a, b = WebSocketPair()
            a.accept()
            b.accept()
            a.addEventListener("message", lambda e: log.append(f"a {e.data}"))
            b.addEventListener("message", lambda e: log.append(f"b {e.data}"))
            await program(self.ctx.storage, a, b)

    ns, _ = namespace(Sender)
    return ns.getByName("o"), log


async def _received(program: Callable[[Any, Any, Any], Any]) -> list[str]:
    stub, log = _object(program)
    await stub.run()
    await settle()
    return log


async def test_messages_queued_after_a_write_wait_for_its_flush() -> None:
    # do-output-gate-flush-holds-later-messages: '2' is queued after the put, so it reaches a
    # after a has dispatched '1', and before a's '3' (queued after it) reaches b.
    async def program(storage: Any, a: Any, b: Any) -> None:
        b.send("1")
        storage.put("k", 1)
        b.send("2")
        a.send("3")

    assert await _received(program) == ["a 1", "a 2", "b 3"]


async def test_without_a_write_the_messages_race_as_usual() -> None:
    async def program(storage: Any, a: Any, b: Any) -> None:
        b.send("1")
        await storage.get("k")  # a read holds nothing
        b.send("2")
        a.send("3")

    assert await _received(program) == ["a 1", "b 3", "a 2"]


async def test_the_flush_comes_before_a_read_loop_takes_its_next_waiting_frame() -> None:
    # do-output-gate-flush-before-next-waiting-frame
    async def program(storage: Any, a: Any, b: Any) -> None:
        a.send("1")
        a.send("2")
        storage.put("k", 1)
        b.send("3")
        a.send("4")

    assert await _received(program) == ["b 1", "a 3", "b 2", "b 4"]


async def test_the_flush_comes_after_the_first_dispatch() -> None:
    # do-output-gate-flush-between-dispatches
    async def program(storage: Any, a: Any, b: Any) -> None:
        a.send("1")
        b.send("2")
        storage.put("k", 1)
        b.send("3")
        a.send("4")

    assert await _received(program) == ["b 1", "a 2", "b 4", "a 3"]


@pytest.mark.parametrize(
    ("write", "held"),
    [
        (lambda s: s.put("k", 1), True),
        (lambda s: s.delete("k"), True),  # do-output-gate-flush-delete
        (lambda s: s.put({"k": 1, "j": 2}), True),
        (lambda s: s.put("k", 1, {"allowUnconfirmed": True}), False),  # do-output-gate-flush-unconfirmed
        (lambda s: s.put("k"), False),  # do-output-gate-flush-failed-put: it throws, nothing is written
        (lambda s: s.deleteAll(), False),  # do-output-gate-flush-delete-all
        (lambda s: s.setAlarm(99999999999999), False),  # do-output-gate-flush-set-alarm
    ],
)
async def test_which_calls_hold_the_gate(write: Callable[[Any], Any], held: bool) -> None:
    async def program(storage: Any, a: Any, b: Any) -> None:
        b.send("1")
        promise = write(storage)
        b.send("2")
        a.send("3")
        try:
            await promise
        except TypeError:
            pass

    order = await _received(program)
    assert order == (["a 1", "a 2", "b 3"] if held else ["a 1", "b 3", "a 2"])


async def test_a_write_in_a_later_turn_locks_the_gate_again() -> None:
    # do-output-gate-flush-again-after-timer
    import asyncio

    async def program(storage: Any, a: Any, b: Any) -> None:
        b.send("1")
        storage.put("k", 1)
        timer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0, timer.set_result, None)
        await timer  # a timer: it fires once the flush and the deliveries are over
        b.send("2")
        storage.put("j", 2)
        b.send("3")
        a.send("4")

    assert await _received(program) == ["a 1", "a 2", "a 3", "b 4"]
