"""serve() over its lifetime: descriptors running out, ``waitUntil`` work that never ends.

Servers bind 127.0.0.1 on port 0; every process started here is stopped by its PID.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from cfws_playground import Request, Response, serve
from cfws_playground.bridge import Limits
from cfws_playground.bridge.limits import WAIT_UNTIL_CANCELED


async def until(cond: Any) -> None:
    while not cond():
        await asyncio.sleep(0.002)


async def get(port: int, path: str = "/") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return data


# ---------------------------------------------------------------------- waitUntil


async def test_wait_until_work_is_canceled_after_its_lifetime_with_workerds_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Workers cancel waitUntil() work 30 s after the response; the test makes it 0.2 s."""
    ended: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ended.append("canceled")
            raise

    async def quick() -> None:
        await asyncio.sleep(0.01)
        ended.append("quick done")

    async def fetch(request: Request, env: Any, ctx: Any) -> Response:
        ctx.waitUntil(forever() if request.url.endswith("/forever") else quick())
        return Response("ok")

    async with asyncio.timeout(10), serve(fetch, limits=Limits(wait_until=0.2)) as server:
        assert (await get(server.port, "/forever")).endswith(b"ok")
        assert (await get(server.port, "/quick")).endswith(b"ok")
        # Both done (one canceled), and nothing of either request is kept once its callbacks ran.
        await until(lambda: len(ended) == 2 and not server._contexts)
    assert ended == ["quick done", "canceled"]
    lines = [r.getMessage() for r in caplog.records if WAIT_UNTIL_CANCELED in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith("[conn 1] ")


# ---------------------------------------------------------------------- out of descriptors

_OUT_OF_FILES = """
import asyncio, logging, resource, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
resource.setrlimit(resource.RLIMIT_NOFILE, (48, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
from cfws_playground import Response, serve
from cfws_playground.bridge import Limits

async def fetch(request):
    return Response("ok")

async def main():
    async with serve(fetch, limits=Limits(max_connections=10_000, log_interval=60)) as server:
        print(server.port, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.mark.slow  # waits out several log intervals
async def test_running_out_of_descriptors_is_one_line_per_interval_not_a_traceback_per_accept() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        textwrap.dedent(_OUT_OF_FILES),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    clients: list[Any] = []
    try:
        async with asyncio.timeout(30):
            assert proc.stdout is not None and proc.stderr is not None
            port = int(await proc.stdout.readline())
            for _ in range(80):  # more than the server may open
                clients.append(await asyncio.open_connection("127.0.0.1", port))
            await asyncio.sleep(2.5)  # asyncio retries accept() every second
    finally:
        for _, writer in clients:
            writer.transport.abort()
        os.kill(proc.pid, signal.SIGKILL)
        _, err = await proc.communicate()
    text = err.decode()
    assert "Traceback" not in text, text[:2000]
    lines = [line for line in text.splitlines() if "cannot accept connections" in line]
    assert len(lines) == 1, text[:2000]
    assert "Too many open files" in lines[0] and "ulimit -n" in lines[0]
