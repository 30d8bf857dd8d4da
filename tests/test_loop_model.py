"""The kit's own event loop: workerd's order from asyncio's public API, on every loop.

The runtime's task queue and the microtask rule (Python callbacks run before
the next event) must not depend on how a loop stores its ready callbacks:
the same scenarios give the same transcripts on CPython's asyncio and on
uvloop, and nothing in the package reads a private attribute of asyncio.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from cfws_playground import WebSocketPair, settle
from cfws_playground.dispatch import (
    CallSoon,
    queue_microtask,
    runtime,
    set_call_soon,
    set_timer,
    webloop_call_soon,
)
from cfws_playground.fidelity import SCENARIOS, Scenario, by_name
from cfws_playground.fidelity.compare import _run_kit, load_references
from cfws_playground.fidelity.scenario import config_key

PACKAGE = Path(__file__).resolve().parent.parent / "cfws_playground"

# asyncio's private names the kit once read, and any attribute of asyncio's own modules
# that starts with an underscore.
_PRIVATE = re.compile(
    r"""(?x)
    ["'](_ready|_scheduled|_callback|_args|_when|_selector|_run_once|_stopping)["']   # getattr(x, "_ready")
    | (?<!self)(?<!cls)\.(_ready|_scheduled|_callback|_run_once|_selector)\b          # x._ready
    | \basyncio(\.\w+)*\._\w+                                                         # asyncio.futures._x
    """
)


def test_nothing_in_the_package_reads_a_private_asyncio_attribute() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _PRIVATE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_private_attribute_check_catches_what_it_is_for() -> None:
    for line in (
        'ready = getattr(loop, "_ready", None)',
        "handle._scheduled",
        "x = asyncio.futures._set_result_unless_cancelled",
        "loop._run_once()",
    ):
        assert _PRIVATE.search(line), line
    for line in ("self._scheduled = False", "self._flush_scheduled = True", "asyncio.get_running_loop()"):
        assert not _PRIVATE.search(line), line


def _in_order(pair: WebSocketPair, order: list[str]) -> None:
    for ws in pair:
        ws.accept()
    pair[1].onmessage = lambda e: order.append(f"message {e.data}")


async def _microtasks_before_each_event() -> list[str]:
    pair = WebSocketPair()
    order: list[str] = []
    _in_order(pair, order)
    loop = asyncio.get_running_loop()

    async def chain(name: str) -> None:
        for i in range(3):  # each step resumes through call_soon: a microtask
            order.append(f"{name} step {i}")
            await asyncio.sleep(0)

    chains: list[asyncio.Future[None]] = []

    def first(e: Any) -> None:
        order.append(f"message {e.data}")
        loop.call_soon(order.append, "call_soon from the listener")
        chains.append(asyncio.ensure_future(chain("listener task")))

    pair[1].onmessage = first
    pair[0].send("1")
    pair[0].send("2")
    loop.call_later(0, order.append, "timer 0")
    await settle()
    await asyncio.gather(*chains)
    await asyncio.sleep(0.01)
    return order


def _run_on(factory: Callable[[], asyncio.AbstractEventLoop], coro: Coroutine[Any, Any, Any]) -> Any:
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


async def test_callbacks_a_listener_queues_run_before_the_next_event() -> None:
    # As in JavaScript: the listener's callbacks and its task's steps (microtasks)
    # before the next frame, and a timer only once no event is queued, even one
    # that expired before the second frame was dispatched.
    listener_turn = [
        "call_soon from the listener",
        "listener task step 0",
        "listener task step 1",
        "listener task step 2",
    ]
    assert await _microtasks_before_each_event() == [
        "message 1",
        *listener_turn,
        "message 2",
        *listener_turn,
        "timer 0",
    ]


async def test_call_soon_as_a_task_waits_behind_queued_events() -> None:
    """WebLoop before 2025-08-15: ``call_soon`` is a task, so queued frames go first."""
    loop = asyncio.get_running_loop()
    pair = WebSocketPair()
    order: list[str] = []
    _in_order(pair, order)

    def listener(e: Any) -> None:
        order.append(f"message {e.data}")
        loop.call_soon(order.append, f"after {e.data}")

    pair[1].onmessage = listener
    set_call_soon("task")
    try:
        pair[0].send("1")
        pair[0].send("2")
        await settle()
        await asyncio.sleep(0)
    finally:
        set_call_soon("microtask")
    assert order == ["message 1", "message 2", "after 1", "after 2"]
    order.clear()
    pair[0].send("3")
    pair[0].send("4")
    await settle()
    assert order == ["message 3", "after 3", "message 4", "after 4"]


def test_set_call_soon_refuses_other_modes() -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="'microtask' or a 'task'"):
            set_call_soon("macrotask")  # type: ignore[arg-type]

    asyncio.run(main())


async def test_a_broadcast_does_not_rescan_anything() -> None:
    """Linear: one runtime task per delivery, whatever else waits on the loop."""
    rt = runtime()
    pairs = [WebSocketPair() for _ in range(200)]
    got: list[str] = []
    for pair in pairs:
        _in_order(pair, got)
    for pair in pairs:
        pair[0].send("x")
    assert len(rt.tasks) == 200
    await settle()
    assert len(got) == 200 and not rt.tasks and rt.pending == 0


# ---------------------------------------------------------------------- uvloop


def _uvloop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    mod = pytest.importorskip("uvloop")
    return mod.new_event_loop  # type: ignore[no-any-return]


def test_microtasks_run_in_the_same_order_on_uvloop() -> None:
    factory = _uvloop_factory()
    native = _run_on(asyncio.new_event_loop, _microtasks_before_each_event())
    assert _run_on(factory, _microtasks_before_each_event()) == native


def _sample() -> list[Scenario]:
    """Every in-worker scenario whose steps involve timers, microtasks or both ends, and more."""
    refs = load_references()["transcripts"]
    picked = [
        sc
        for sc in SCENARIOS
        if not sc.client and all(config_key(c) in refs.get(sc.name, {}) for c in sc.configs)
    ]
    return picked[::4]


@pytest.mark.parametrize("sc", _sample(), ids=lambda sc: sc.name)
def test_scenarios_give_the_same_transcripts_on_uvloop(sc: Scenario) -> None:
    factory = _uvloop_factory()
    pairs = [(sc, c) for c in sc.configs]
    native = _run_on(asyncio.new_event_loop, _run_kit(pairs))
    # (tests/test_fidelity.py compares the native transcripts with workerd's.)
    assert _run_on(factory, _run_kit(pairs)) == native


def test_the_order_scenarios_are_in_the_uvloop_sample_or_run_here() -> None:
    factory = _uvloop_factory()
    for name in ("order-microtask-before-events", "await-without-suspending-keeps-message"):
        sc = by_name(name)
        pairs = [(sc, c) for c in sc.configs]
        assert _run_on(factory, _run_kit(pairs)) == _run_on(asyncio.new_event_loop, _run_kit(pairs))


# ---------------------------------------------------- a loop shaped like Pyodide's WebLoop


class _LikeWebLoop(asyncio.SelectorEventLoop):
    """As Pyodide's WebLoop schedules: ``call_soon`` is ``self.call_later(0, ...)``, a FIFO
    ``setTimeout(0)``, so a wrapper put on ``call_later`` also sees every ``call_soon``."""

    def call_soon(self, callback: Any, *args: Any, context: Any = None) -> asyncio.Handle:  # type: ignore[override]
        return self.call_later(0, callback, *args, context=context)

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> Any:  # type: ignore[override]
        if delay == 0:
            return super().call_soon(callback, *args, context=context)
        return super().call_later(delay, callback, *args, context=context)


@pytest.mark.timeout(60)  # the driver, posted as a timer of its own, once never ran: settle() hung
def test_microtasks_run_in_the_same_order_on_a_loop_like_webloop() -> None:
    native = _run_on(asyncio.new_event_loop, _microtasks_before_each_event())
    assert _run_on(_LikeWebLoop, _microtasks_before_each_event()) == native


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sc", _sample(), ids=lambda sc: sc.name)
def test_scenarios_give_the_same_transcripts_on_a_loop_like_webloop(sc: Scenario) -> None:
    pairs = [(sc, c) for c in sc.configs]
    assert _run_on(_LikeWebLoop, _run_kit(pairs)) == _run_on(asyncio.new_event_loop, _run_kit(pairs))


def test_webloop_call_soon_follows_the_message_channel_date() -> None:
    assert webloop_call_soon("2025-08-14") == "task"
    assert webloop_call_soon("2025-08-15") == "microtask"
    assert webloop_call_soon(None) == "microtask"  # today's runtime


async def test_queue_microtask_stays_a_microtask_when_call_soon_is_a_task() -> None:
    pair = WebSocketPair()
    order: list[str] = []
    _in_order(pair, order)

    def listener(e: Any) -> None:
        order.append(f"message {e.data}")
        queue_microtask(lambda: order.append(f"microtask {e.data}"))

    pair[1].onmessage = listener
    set_call_soon("task")
    try:
        pair[0].send("1")
        pair[0].send("2")
        await settle()
    finally:
        set_call_soon("microtask")
    assert order == ["message 1", "microtask 1", "message 2", "microtask 2"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # WebLoop with the MessageChannel: call_later(1 ms) is a microtask, before both messages.
        ("microtask", ["later 1 ms", "message 1", "message 2", "timer 0"]),
        # Without it, setTimeout(0) as call_soon is: after the messages, in the order set.
        ("task", ["message 1", "message 2", "timer 0", "later 1 ms"]),
    ],
)
async def test_on_webloop_a_short_call_later_is_a_call_soon_but_a_js_timer_is_not(
    mode: CallSoon, expected: list[str]
) -> None:
    loop = asyncio.get_running_loop()
    pair = WebSocketPair()
    order: list[str] = []
    _in_order(pair, order)
    pair[1].onmessage = lambda e: order.append(f"message {e.data}")
    set_call_soon(mode, webloop=True)
    try:
        pair[0].send("1")
        set_timer(0, order.append, "timer 0")  # setTimeout(fn, 0): a timer whatever the loop is
        loop.call_later(0.001, order.append, "later 1 ms")
        pair[0].send("2")
        await settle()
        await asyncio.sleep(0.02)
    finally:
        set_call_soon("microtask")
    assert order == expected
    order.clear()
    loop.call_later(0.001, order.append, "later 1 ms")  # off WebLoop: a timer again, after the message
    pair[0].send("3")
    await settle()
    await asyncio.sleep(0.02)
    assert order == ["message 3", "later 1 ms"]
