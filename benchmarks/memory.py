"""Memory of ``serve()`` left running: per finished connection, a slow reader, a client that never reads.

Run: ``python -m benchmarks.memory [--soak 2000] [--backlog-mib 200] [--message-mib 4]``

The server runs in a child process (``serve()`` with its default recorder),
whose resident memory (RSS) a thread samples every 2 ms; a client in this
process drives three scenarios, each measured against the child's own
baseline just before it:

* soak: after a warm-up that fills the recorder's window (1,200 connections
  of about 9 records each, for ``serve()``'s 10,000), ``--soak``
  sequential connections (each sends one message and reads the echo). Target:
  RSS grows by < 10 MB.
* slow reader: the Worker queues ``--backlog-mib`` MiB in 1 MiB messages to a
  client that reads nothing for a second, then reads everything. Target: peak
  RSS over the baseline <= 1.5x the backlog.
* unread messages: a client sends ``--message-mib`` MiB messages to an echo
  Worker and never reads the echoes, until TCP backpressure stops it. Target:
  peak RSS over the baseline < 160 MB.

The tests (``tests/test_serve_memory.py``) run the same scenarios at CI sizes.
Linux only (``/proc/self/statm``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["MemoryServer", "main", "slow_reader", "soak", "unread_messages"]

ROOT = Path(__file__).resolve().parent.parent
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MIB = 1 << 20


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


# ---------------------------------------------------------------------- the server (child process)


async def _worker(request: Any) -> Any:
    from cfws_playground import Response, WebSocketPair

    client, server = WebSocketPair()
    server.accept()
    server.binaryType = "arraybuffer"
    path = request.url.split("/", 3)[-1]
    if path.startswith("backlog"):
        total, size = (int(x) for x in path.split("/")[1:3])
        for i in range(total // size):
            server.send(bytes([i % 256]) * size)  # queued at once: the client reads nothing yet
    else:

        def echo(event: Any) -> None:
            server.send(event.data)
            # bufferedAmount: the echoes this end has sent that are not written to the client yet.
            _unwritten[0] = max(_unwritten[0], server.bufferedAmount)

        server.addEventListener("message", echo)
    return Response(None, status=101, webSocket=client)


_unwritten = [0]  # the most bytes of echoes waiting to be written, since the last reset


class _Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.lock = threading.Lock()  # a reset must not race a sample of the window before it
        self.baseline = self.peak = _rss()

    def reset(self) -> None:
        with self.lock:
            self.baseline = self.peak = _rss()

    def run(self) -> None:
        while True:
            with self.lock:
                self.peak = max(self.peak, _rss())
            time.sleep(0.002)


async def _serve_child() -> None:
    import gc

    from cfws_playground import serve

    sampler = _Sampler()
    sampler.start()
    loop = asyncio.get_running_loop()
    async with serve(_worker) as server:
        print(server.port, flush=True)
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            gc.collect()
            if line.strip() == "reset":
                sampler.reset()
                _unwritten[0] = 0
                print("ok", flush=True)
            elif line.strip() == "unwritten":
                print(_unwritten[0], flush=True)
            else:
                with sampler.lock:
                    now = _rss()
                    sampler.peak = max(sampler.peak, now)
                    print(sampler.baseline, sampler.peak, now, server.connections, flush=True)


class MemoryServer:
    """The child-process server, and its memory as the sampler sees it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.memory", "--serve"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.url = f"ws://127.0.0.1:{self.port}/"

    def _ask(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline()

    def reset(self) -> None:
        """Take the current RSS as the baseline and the peak, and the echoes' peak as 0."""
        assert self._ask("reset").strip() == "ok"

    def unwritten(self) -> int:
        """The most bytes of echoes the server held unwritten (the echo Worker's highest
        ``bufferedAmount``) since the last :meth:`reset`."""
        return int(self._ask("unwritten"))

    def report(self) -> tuple[int, int, int, int]:
        """(baseline, peak, now) in bytes, and the open connections."""
        baseline, peak, now, conns = (int(x) for x in self._ask("report").split())
        return baseline, peak, now, conns

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> MemoryServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------- the scenarios (client side)


async def _echo_once(url: str, i: int) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None) as ws:
        await ws.send(f"message {i} " * 20)
        await ws.recv()


async def soak(server: MemoryServer, n: int, warmup: int = 1200) -> tuple[float, float]:
    """RSS growth in MB over ``n`` sequential connections after ``warmup``; connections per second."""
    for i in range(warmup):
        await _echo_once(server.url, i)
    server.reset()
    start = time.perf_counter()
    for i in range(n):
        await _echo_once(server.url, i)
    rate = n / (time.perf_counter() - start)
    for _ in range(100):  # the server ends its side of the last one a moment later
        baseline, _, now, conns = server.report()
        if not conns:
            break
        await asyncio.sleep(0.02)
    assert conns == 0, f"{conns} connections still open"
    return (now - baseline) / 1e6, rate


async def slow_reader(server: MemoryServer, backlog: int, size: int = MIB) -> float:
    """Peak RSS over the baseline, as a multiple of ``backlog`` bytes queued for a client that waits."""
    from websockets.asyncio.client import connect

    server.reset()
    async with connect(
        f"{server.url}backlog/{backlog}/{size}", compression=None, max_size=None, max_queue=4
    ) as ws:
        await asyncio.sleep(1.0)  # the Worker has queued everything; nothing read yet
        got = 0
        while got < backlog:
            got += len(await ws.recv())
    baseline, peak, _, _ = server.report()
    return (peak - baseline) / backlog


async def unread_messages(server: MemoryServer, size: int, stall: float = 1.0) -> tuple[float, int, int]:
    """A client sends ``size``-byte messages and reads none: peak RSS growth in MB, the messages
    it sent before TCP backpressure stopped it, and the most bytes of echoes the server held
    unwritten meanwhile (:meth:`MemoryServer.unwritten`).

    How many get sent also depends on the kernel: the socket buffers on the way, both
    ways, take what the kernel's autotuning gives them (``net.ipv4.tcp_rmem`` allows
    32 MiB on some machines). What the server holds does not.
    """
    from websockets.asyncio.client import connect

    server.reset()
    payload = bytes(size)
    sent = 0
    ws = await connect(server.url, compression=None, max_size=None, max_queue=1, write_limit=size)
    try:
        while True:
            try:
                async with asyncio.timeout(stall):
                    await ws.send(payload)
            except TimeoutError:
                break  # TCP backpressure: the server stopped reading
            sent += 1
            if sent > 1000:
                raise AssertionError("the server never stopped reading")
        _, peak, _, _ = server.report()
        baseline = server.report()[0]
        unwritten = server.unwritten()
    finally:
        ws.transport.abort()
    return (peak - baseline) / 1e6, sent, unwritten


# ---------------------------------------------------------------------- the report


async def _measure(args: argparse.Namespace) -> None:
    with MemoryServer() as server:
        growth, rate = await soak(server, args.soak)
        print(
            f"soak: {args.soak:,} sequential connections after warm-up: RSS {growth:+.1f} MB "
            f"({rate:,.0f} connections/s); target < 10 MB: {'met' if growth < 10 else 'NOT met'}"
        )
        backlog = args.backlog_mib * MIB
        ratio = await slow_reader(server, backlog)
        print(
            f"slow reader: {args.backlog_mib} MiB backlog: peak {ratio:.2f}x the backlog over baseline; "
            f"target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}"
        )
        peak, sent, unwritten = await unread_messages(server, args.message_mib * MIB)
        print(
            f"unread messages: {args.message_mib} MiB each, {sent} sent before TCP backpressure "
            f"(at most {unwritten / MIB:.0f} MiB of echoes unwritten): "
            f"peak {peak:.0f} MB over baseline; target < 160 MB: {'met' if peak < 160 else 'NOT met'}"
        )


def main(argv: list[str] | None = None) -> None:
    """Run the scenarios and print their figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--soak", type=int, default=2000, help="sequential connections measured")
    parser.add_argument("--backlog-mib", type=int, default=200, help="slow reader's backlog, MiB")
    parser.add_argument("--message-mib", type=int, default=4, help="size of the unread messages, MiB")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve_child())
    else:
        asyncio.run(_measure(args))


if __name__ == "__main__":
    main()
