"""Broadcast from a Durable Object to 1,000, 3,000 and 10,000 hibernated sockets, against plain pairs.

Run: ``python -m benchmarks.durable [--sockets 1000 3000 10000] [--rounds 5] [--reps 3]``

Measured in one run, so the ratios hold on any machine:

* baseline: the same broadcast over plain pairs: the Worker keeps a list of
  ``accept()``ed server ends and sends to each;
* hibernated: one object holds every server end with ``ctx.acceptWebSocket``,
  is evicted, and an RPC call wakes it to send to ``ctx.getWebSockets()``.

Each round sends one message to every socket; messages per second count
deliveries to the client ends. Memory: traced bytes per socket while the
object is hibernated (pair, tags, attachment and the runtime's bookkeeping),
beside the bytes per plain accepted pair.

Target: hibernated broadcast >= 0.5x the plain-pair baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
import tracemalloc
import types
from collections.abc import Callable
from typing import Any

from cfws_playground import WebSocketPair, settle
from cfws_playground.durable import DurableObjectNamespace, hibernate

__all__ = ["main"]


class Room:
    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx

    def take(self, server: Any, i: int) -> None:
        self.ctx.acceptWebSocket(server, ["all"])
        server.serializeAttachment({"id": i})

    async def broadcast(self, message: str) -> int:
        sockets = self.ctx.getWebSockets()
        for ws in sockets:
            ws.send(message)
        return len(sockets)


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, event: object) -> None:
        self.n += 1


def _listen(pairs: list[WebSocketPair], counter: _Counter) -> None:
    """The client ends, after the server ends were taken (as a 101 response would return them)."""
    for pair in pairs:
        pair[0].accept()
        pair[0].addEventListener("message", counter)


async def _plain(n: int, rounds: int) -> float:
    counter = _Counter()
    pairs = [WebSocketPair() for _ in range(n)]
    servers = [pair[1] for pair in pairs]
    for server in servers:
        server.accept()
    _listen(pairs, counter)
    start = time.perf_counter()
    for r in range(rounds):
        for server in servers:
            server.send(f"round {r}")
        await settle()
    elapsed = time.perf_counter() - start
    assert counter.n == n * rounds, (counter.n, n * rounds)
    return counter.n / elapsed


async def _hibernated(n: int, rounds: int) -> float:
    counter = _Counter()
    pairs = [WebSocketPair() for _ in range(n)]
    ns = DurableObjectNamespace(Room, types.SimpleNamespace(), hibernate_after=None)
    stub = ns.getByName("bench")
    host = ns.host(stub.id)
    room = host._ensure_instance()
    for i, pair in enumerate(pairs):
        room.take(pair[1], i)
    _listen(pairs, counter)
    start = time.perf_counter()
    for r in range(rounds):
        await hibernate(stub)  # each round wakes a fresh instance
        assert await stub.broadcast(f"round {r}") == n
        await settle()
    elapsed = time.perf_counter() - start
    assert counter.n == n * rounds, (counter.n, n * rounds)
    assert host.constructed == rounds + 1
    return counter.n / elapsed


async def _memory(n: int, hibernatable: bool) -> float:
    """Traced bytes per socket: n pairs with the server end held as the mode says."""
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    pairs = [WebSocketPair() for _ in range(n)]
    keep: Any
    if hibernatable:
        ns = DurableObjectNamespace(Room, types.SimpleNamespace(), hibernate_after=None)
        stub = ns.getByName("mem")
        room = ns.host(stub.id)._ensure_instance()
        for i, pair in enumerate(pairs):
            room.take(pair[1], i)
        del room
        await hibernate(stub)
        keep = ns
    else:
        for pair in pairs:
            pair[1].accept()
        keep = pairs
    await settle()
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del keep, pairs
    return (after - before) / n


def _median(run: Callable[[], float], reps: int) -> float:
    rates = []
    for _ in range(reps):
        gc.collect()
        rates.append(run())
    return statistics.median(rates)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sockets", type=int, nargs="+", default=[1_000, 3_000, 10_000], help="socket counts to measure"
    )
    parser.add_argument("--rounds", type=int, default=5, help="broadcasts per run")
    parser.add_argument("--reps", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    rounds = args.rounds
    print(f"{rounds} broadcasts per run, median of {args.reps}; the ratio must not fall as sockets grow")
    for n in args.sockets:
        plain = _median(lambda n=n: asyncio.run(_plain(n, rounds)), args.reps)
        hib = _median(lambda n=n: asyncio.run(_hibernated(n, rounds)), args.reps)
        print(
            f"  {n:>7,} sockets: plain pairs (baseline) {plain:>9,.0f} msg/s, hibernated, woken by RPC "
            f"{hib:>9,.0f} msg/s: {hib / plain:.2f}x baseline (target >= 0.50x)"
        )
    n = max(args.sockets)
    mem_hib = asyncio.run(_memory(n, hibernatable=True))
    mem_plain = asyncio.run(_memory(n, hibernatable=False))
    print(f"  memory per hibernated socket  ({n:,}): {mem_hib:,.0f} bytes")
    print(f"  memory per plain accepted pair ({n:,}): {mem_plain:,.0f} bytes")


if __name__ == "__main__":
    main()
