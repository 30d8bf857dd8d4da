"""Throughput of a WebSocketPair, and memory of a recorder, against asyncio's own floor.

Run: ``python -m benchmarks.pair [--n 200000] [--reps 3]``

Measured in one run, so the ratios hold on any machine:

* baseline: bare ``loop.call_soon`` delivery of N callbacks to a Python function;
* pair: ``client.send(m)`` N times, counted by a ``message`` listener on the server;
* pair + recorder: the same with a :class:`Recorder` watching the pair.

Each repetition measures the three back to back, and a ratio is the median of
the repetitions' ratios: on a shared machine the load changes within seconds,
and a baseline measured in one stretch and the pair in another compare two loads.

Targets: the pair at >= 1.0x the baseline, >= 0.5x with a recorder; peak
memory for 1,000,000 recorded events under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable

from cfws_playground import Recorder, WebSocketPair, settle

__all__ = ["main"]


async def _baseline(n: int) -> float:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    count = 0

    def callback(message: str) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set_result(None)

    start = time.perf_counter()
    for _ in range(n):
        loop.call_soon(callback, "m")
    await done
    return n / (time.perf_counter() - start)


async def _pair(n: int, record: bool) -> float:
    pair = WebSocketPair()
    rec = Recorder(pair, limit=n * 2 + 10) if record else None
    client, server = pair
    server.accept()
    client.accept()
    count = 0

    def on_message(event: object) -> None:
        nonlocal count
        count += 1

    server.addEventListener("message", on_message)
    start = time.perf_counter()
    for _ in range(n):
        client.send("m")
    await settle()
    elapsed = time.perf_counter() - start
    assert count == n, (count, n)
    if rec is not None:
        assert rec.total == 2 * n + 2  # two accept() calls, n sends, n message events
        rec.close()
    return n / elapsed


def _rates(runs: list[Callable[[], float]], reps: int) -> list[list[float]]:
    """``reps`` rows of one rate per run, the runs of a row measured back to back."""
    rows = []
    for _ in range(reps):
        row = []
        for run in runs:
            gc.collect()
            row.append(run())
        rows.append(row)
    return rows


async def _recorded_memory(events: int) -> float:
    """Peak MB traced while recording ``events`` events (half calls, half events)."""
    gc.collect()
    tracemalloc.start()
    pair = WebSocketPair()
    rec = Recorder(pair, limit=None)
    client, server = pair
    server.accept()
    client.accept()
    for i in range(events // 2):
        client.send("m")
        if i % 10_000 == 9_999:
            await settle()
    await settle()
    assert rec.total >= events
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="messages per run")
    parser.add_argument("--reps", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--memory-events", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    def measure(coro_fn: Callable[[], object]) -> float:
        return asyncio.run(coro_fn())  # type: ignore[arg-type]

    rows = _rates(
        [
            lambda: measure(lambda: _baseline(args.n)),
            lambda: measure(lambda: _pair(args.n, record=False)),
            lambda: measure(lambda: _pair(args.n, record=True)),
        ],
        args.reps,
    )
    base, bare, rec = (statistics.median(row[i] for row in rows) for i in range(3))
    bare_x = statistics.median(row[1] / row[0] for row in rows)
    rec_x = statistics.median(row[2] / row[0] for row in rows)
    mem = asyncio.run(_recorded_memory(args.memory_events))
    print(f"N = {args.n:,} small messages, median of {args.reps}")
    print(f"  baseline loop.call_soon : {base:>12,.0f} msg/s")
    print(f"  pair                    : {bare:>12,.0f} msg/s   {bare_x:.2f}x baseline (target >= 1.00x)")
    print(f"  pair + recorder         : {rec:>12,.0f} msg/s   {rec_x:.2f}x baseline (target >= 0.50x)")
    print(f"  peak memory, {args.memory_events:,} recorded events: {mem:,.0f} MB (target < 200 MB)")


if __name__ == "__main__":
    main()
