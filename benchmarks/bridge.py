"""The network bridge against a plain ``websockets`` echo server, measured in the same run.

Run: ``python -m benchmarks.bridge [--n 20000] [--rtt 2000] [--reps 3]``

Both servers run in one child process (so the client does not share a CPU
with them), on 127.0.0.1:

* baseline: a plain ``websockets`` asyncio echo server (compression off);
* bridge: ``serve()`` with ``examples/echo.py``, the echo Worker, as
  ``serve()`` runs by default: recording every step (``--no-record`` drops
  the recorder, to see the bridge alone).

One client (the ``websockets`` asyncio client, compression off) measures
each, alternating, after 500 warm-up round trips:

* pipelined: send N x 32-byte binary messages, then receive all N (msg/s);
* ping-pong: send one, await its echo, repeat (round-trip p50 and p99), in
  blocks of 100 alternating between the two servers.

Targets: bridge >= 0.8x the baseline's pipelined throughput and <= 1.25x its
p50 round trip. Results are ratios for this machine and run; nothing here gates CI.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve as ws_serve

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = bytes(range(32))
RECORD = "--no-record" not in sys.argv


# ---------------------------------------------------------------------- the servers (child process)


async def _plain_echo(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


async def _run_servers() -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    import echo  # the example Worker

    from cfws_playground import serve

    async with ws_serve(_plain_echo, "127.0.0.1", 0, compression=None, max_queue=None) as plain:
        async with serve(echo) as bridge:
            if not RECORD:
                bridge.recorder = None  # type: ignore[assignment]  # the bridge alone, no transcript
            port = plain.sockets[0].getsockname()[1]
            print(f"{port} {bridge.port}", flush=True)
            await asyncio.get_running_loop().run_in_executor(
                None, sys.stdin.read
            )  # until the parent closes it


# ---------------------------------------------------------------------- the client


async def _pipelined(url: str, n: int) -> float:
    async with connect(url, compression=None, max_queue=None, max_size=None) as ws:
        for _ in range(500):
            await ws.send(PAYLOAD)
            await ws.recv()
        start = time.perf_counter()

        async def sender() -> None:
            for _ in range(n):
                await ws.send(PAYLOAD)

        task = asyncio.create_task(sender())
        for _ in range(n):
            await ws.recv()
        await task
        return n / (time.perf_counter() - start)


async def _ping_pong(urls: dict[str, str], n: int, block: int = 100) -> dict[str, list[float]]:
    """Round trips on one connection per server, in alternating blocks, so drift hits both alike."""
    times: dict[str, list[float]] = {name: [] for name in urls}
    conns = {name: await connect(url, compression=None) for name, url in urls.items()}
    try:
        for ws in conns.values():
            for _ in range(500):
                await ws.send(PAYLOAD)
                await ws.recv()
        for _ in range(0, n, block):
            for name, ws in conns.items():
                out = times[name]
                for _ in range(block):
                    t0 = time.perf_counter()
                    await ws.send(PAYLOAD)
                    await ws.recv()
                    out.append(time.perf_counter() - t0)
    finally:
        for ws in conns.values():
            await ws.close()
    return times


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def _measure(n: int, rtt_n: int, reps: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bridge", "--serve", *([] if RECORD else ["--no-record"])],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        plain_port, bridge_port = map(int, proc.stdout.readline().split())
        urls = {
            "plain websockets": f"ws://127.0.0.1:{plain_port}/",
            "serve() + echo": f"ws://127.0.0.1:{bridge_port}/",
        }
        thr: dict[str, list[float]] = {k: [] for k in urls}
        p50: dict[str, list[float]] = {k: [] for k in urls}
        p99: dict[str, list[float]] = {k: [] for k in urls}
        for _ in range(reps):
            for name, url in urls.items():  # alternate, so drift hits both alike
                thr[name].append(await _pipelined(url, n))
            for name, times in (await _ping_pong(urls, rtt_n)).items():
                p50[name].append(_pct(times, 0.50) * 1e6)
                p99[name].append(_pct(times, 0.99) * 1e6)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)

    print(f"pipelined: {n} x 32-byte binary messages; ping-pong: {rtt_n} round trips; medians of {reps} runs")
    print(f"serve() {'with its recorder (the default)' if RECORD else 'without a recorder'}")
    print(f"{'server':<18} {'pipelined msg/s':>16} {'RTT p50 µs':>11} {'RTT p99 µs':>11}")
    med = {k: (statistics.median(thr[k]), statistics.median(p50[k]), statistics.median(p99[k])) for k in urls}
    for name, (t, a, b) in med.items():
        print(f"{name:<18} {t:>16,.0f} {a:>11.1f} {b:>11.1f}")
    base, bridge = med["plain websockets"], med["serve() + echo"]
    t_ratio, p_ratio = bridge[0] / base[0], bridge[1] / base[1]
    print(f"throughput ratio {t_ratio:.2f}x (target >= 0.80x): {'met' if t_ratio >= 0.8 else 'NOT met'}")
    print(f"p50 latency ratio {p_ratio:.2f}x (target <= 1.25x): {'met' if p_ratio <= 1.25 else 'NOT met'}")
    print(f"p99 latency ratio {bridge[2] / base[2]:.2f}x")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table and the ratios."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="pipelined messages per run")
    parser.add_argument("--rtt", type=int, default=2_000, help="ping-pong round trips per run")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-record", action="store_true", help="serve without the recorder (the bridge alone)"
    )
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_run_servers())
    else:
        asyncio.run(_measure(args.n, args.rtt, args.reps))


if __name__ == "__main__":
    main()
