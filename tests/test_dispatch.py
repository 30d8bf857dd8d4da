"""Delivery on asyncio: per-turn dispatch, fairness, settle(), and programs without a running loop."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import textwrap

from cfws_playground import WebSocketPair, settle


def accepted() -> WebSocketPair:
    pair = WebSocketPair()
    for ws in pair:
        ws.accept()
    return pair


async def test_other_tasks_run_between_messages() -> None:
    pair = accepted()
    order: list[str] = []

    async def ticker() -> None:
        for i in range(3):
            order.append(f"tick {i}")
            await asyncio.sleep(0)

    pair[1].onmessage = lambda e: order.append(e.data)
    task = asyncio.create_task(ticker())
    for i in range(3):
        pair[0].send(f"m{i}")
    await settle()
    await task
    # The ticker's steps are the asyncio stand-in for microtasks: as in JavaScript
    # they run before the next event (scenario: order-microtask-before-events).
    assert order == ["tick 0", "tick 1", "tick 2", "m0", "m1", "m2"]


async def test_a_busy_task_cannot_starve_delivery() -> None:
    pair = accepted()
    got: list[str] = []
    ticks = 0

    async def spinner() -> None:
        nonlocal ticks
        while not got:
            ticks += 1
            await asyncio.sleep(0)

    pair[1].onmessage = lambda e: got.append(e.data)
    task = asyncio.create_task(spinner())
    pair[0].send("through")
    await asyncio.wait_for(task, 5)
    assert got == ["through"] and ticks < 100


async def test_both_directions_interleave() -> None:
    pair = accepted()
    order: list[str] = []
    pair[0].onmessage = lambda e: order.append(f"client got {e.data}")
    pair[1].onmessage = lambda e: order.append(f"server got {e.data}")
    for i in range(2):
        pair[0].send(str(i))
        pair[1].send(str(i))
    await settle()
    assert order == ["server got 0", "client got 0", "server got 1", "client got 1"]


async def test_settle_waits_for_chains_of_replies() -> None:
    pair = accepted()
    client, server = pair
    got: list[int] = []

    def bounce(ws: object, name: str) -> object:
        def on_message(e: object) -> None:
            n = int(e.data)  # type: ignore[attr-defined]
            got.append(n)
            if n < 100:
                ws.send(str(n + 1))  # type: ignore[attr-defined]

        return on_message

    server.onmessage = bounce(server, "server")
    client.onmessage = bounce(client, "client")
    client.send("0")
    await settle()
    assert got == list(range(101))


async def test_settle_with_nothing_pending_returns() -> None:
    await asyncio.wait_for(settle(), 1)


def test_a_plain_script_with_sends_before_the_loop_starts() -> None:
    script = textwrap.dedent(
        """
        import asyncio
        from cfws_playground import WebSocketPair, settle
        client, server = WebSocketPair()
        client.accept(); server.accept()
        server.onmessage = lambda e: print("server got", e.data)
        client.send("sent with no loop running")    # held until a loop runs
        print("sent")
        asyncio.run(settle())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout == "sent\nserver got sent with no loop running\n"


def test_a_pair_used_across_two_asyncio_runs() -> None:
    pair = accepted()
    got: list[str] = []
    pair[1].onmessage = lambda e: got.append(e.data)

    async def send_and_settle(text: str) -> None:
        pair[0].send(text)
        await settle()

    asyncio.run(send_and_settle("first"))
    asyncio.run(send_and_settle("second"))
    assert got == ["first", "second"]


def test_messages_left_pending_when_a_run_ends_are_not_lost() -> None:
    pair = accepted()
    got: list[str] = []
    pair[1].onmessage = lambda e: got.append(e.data)

    async def send_only() -> None:
        for i in range(200):  # more than one delivery turn's batch
            pair[0].send(str(i))

    async def send_and_settle() -> None:
        pair[0].send("last")
        await settle()

    asyncio.run(send_only())
    asyncio.run(send_and_settle())
    assert got == [str(i) for i in range(200)] + ["last"]


async def test_a_later_kj_event_waits_for_the_task_that_was_queued_before_it() -> None:
    """``add_kj(later=True)`` is one kj turn further on: the next task goes first; a plain kj
    event runs before it; with no task waiting, the later event runs before any timer."""
    from cfws_playground.dispatch import runtime, set_timer

    rt = runtime()
    order: list[str] = []

    def first() -> None:
        order.append("first")
        rt.add_kj(lambda: order.append("later kj"), later=True)
        rt.add_kj(lambda: order.append("kj"))
        rt.add(lambda: order.append("second"))

    def timer() -> None:
        order.append("timer")

    rt.add(first)
    rt.add(lambda: order.append("queued before"))
    set_timer(0, timer)
    await settle()
    await asyncio.sleep(0.01)
    assert order == ["first", "kj", "queued before", "later kj", "second", "timer"]


async def test_first_and_behind_kj_events_of_a_task_go_ahead_of_its_own() -> None:
    """``first`` overtakes every kj event, those on their way since before the task too;
    ``behind`` lets those go first and overtakes only the ones the task queued."""
    from cfws_playground.dispatch import runtime

    rt = runtime()
    order: list[str] = []

    def earlier() -> None:
        rt.add_kj(lambda: order.append("on its way"), later=True)
        rt.add(task)

    def task() -> None:
        rt.add_kj(lambda: order.append("own"))
        rt.add_kj(lambda: order.append("behind"), behind=True)
        rt.add_kj(lambda: order.append("first"), first=True)

    rt.add(earlier)
    await settle()
    assert order == ["first", "on its way", "behind", "own"]
    order.clear()
    rt.add_kj(lambda: order.append("own"))
    rt.add_kj(lambda: order.append("behind, outside a task: first"), behind=True)
    await settle()
    assert order == ["behind, outside a task: first", "own"]


async def test_slow_dispatches_give_way_to_io_within_a_slice() -> None:
    """Two ends that answer each other for ever, with listeners that take time: the
    runtime still lets the loop serve its sockets every few dispatches (a server's
    connections, a signal), not only after a whole budget of tasks."""
    import socket
    import time

    a, b = accepted()
    calls = [0]

    def answer(ws: object) -> object:
        def listener(event: object) -> None:
            calls[0] += 1
            time.sleep(0.005)  # a listener that takes its time
            ws.send("again")  # type: ignore[attr-defined]

        return listener

    a.addEventListener("message", answer(a))
    b.addEventListener("message", answer(b))
    loop = asyncio.get_running_loop()
    left, right = socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    seen: list[int] = []
    done = loop.create_future()

    def readable() -> None:
        left.recv(16)
        seen.append(calls[0])
        if len(seen) == 20:
            done.set_result(None)
        else:
            right.send(b"x")  # readable again at the loop's next poll

    loop.add_reader(left.fileno(), readable)
    try:
        a.send("start")
        right.send(b"x")
        await asyncio.wait_for(asyncio.shield(done), 60)
    finally:
        loop.remove_reader(left.fileno())
        left.close()
        right.close()
        a.close()
        b.close()
    gaps = [later - earlier for earlier, later in itertools.pairwise(seen)]
    # 50 ms at 5 ms a dispatch, checked every 16 tasks: never a whole budget (1024) of them.
    assert max(gaps) <= 64, gaps
