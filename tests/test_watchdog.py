"""A Worker that blocks the event loop: the watchdog's line, the CPU-time limit, and stopping anyway.

In-process servers bind 127.0.0.1 on port 0 under a hard asyncio timeout; the
command-line cases run ``cfws-playground serve`` as a child process stopped by
its PID.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect

from cfws_playground import Request, Response, WebSocketPair, serve
from cfws_playground.bridge import Limits
from cfws_playground.watchdog import CPU_LIMIT_EXCEEDED

ROOT = Path(__file__).resolve().parents[1]


async def get(port: int, path: str = "/") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(data.split()[1]), data.split(b"\r\n\r\n", 1)[1]


def watchdog_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "blocked the event loop" in r.getMessage()]


# ---------------------------------------------------------------------- the watchdog's line


async def test_a_blocking_fetch_is_logged_once_per_block_naming_worker_handler_and_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fetch(request: Request) -> Response:
        time.sleep(0.6)  # the mistake: blocks every client
        return Response("late")

    async with asyncio.timeout(20), serve(fetch, limits=Limits(blocked_after=0.2)) as server:
        assert await get(server.port) == (200, b"late")
        assert await get(server.port) == (200, b"late")
        assert server.watchdog is not None and server.watchdog.blocks == 2
    lines = watchdog_lines(caplog)
    assert len(lines) == 2, lines
    assert lines[0].startswith(
        "Worker test_a_blocking_fetch_is_logged_once_per_block_naming_worker_handler_and"
    )
    assert "fetch() at test_watchdog.py:" in lines[0] and "`time.sleep(0.6)" in lines[0]
    assert "await asyncio.sleep(...)" in lines[0]


async def test_a_busy_listener_is_named_by_its_function_and_line(caplog: pytest.LogCaptureFixture) -> None:
    def on_message(event: Any) -> None:
        end = time.monotonic() + 0.5
        while time.monotonic() < end:  # busy: no await
            pass

    async def fetch(request: Request) -> Response:
        client, server = WebSocketPair()
        server.accept()
        server.addEventListener("message", on_message)
        server.addEventListener("message", lambda e: server.send("done"))
        return Response(None, status=101, webSocket=client)

    async with asyncio.timeout(20), serve(fetch, limits=Limits(blocked_after=0.2)) as server:
        async with ws_connect(server.url) as ws:
            await ws.send("go")
            assert await ws.recv() == "done"
    (line,) = watchdog_lines(caplog)
    assert "on_message() at test_watchdog.py:" in line and "while time.monotonic() < end" in line


async def test_a_server_that_waits_is_never_reported(caplog: pytest.LogCaptureFixture) -> None:
    async def fetch(request: Request) -> Response:
        await asyncio.sleep(0.5)  # the right way to wait
        return Response("ok")

    async with asyncio.timeout(20), serve(fetch, limits=Limits(blocked_after=0.2)) as server:
        assert await get(server.port) == (200, b"ok")
    assert watchdog_lines(caplog) == []


async def test_two_servers_on_one_loop_share_one_watchdog_and_report_a_block_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def idle(request: Request) -> Response:
        return Response("idle")

    async def sleepy(request: Request) -> Response:
        time.sleep(0.5)
        return Response("late")

    limits = Limits(blocked_after=0.2)
    async with asyncio.timeout(20), serve(sleepy, limits=limits) as one, serve(idle, limits=limits) as two:
        assert one.watchdog is two.watchdog is not None
        assert await get(one.port) == (200, b"late")
    (line,) = watchdog_lines(caplog)
    assert "sleepy() at test_watchdog.py:" in line


# ---------------------------------------------------------------------- the CPU-time limit


async def test_the_cpu_limit_ends_a_busy_fetch_with_pyodides_text_and_the_server_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fetch(request: Request) -> Response:
        if request.url.endswith("/spin"):
            while True:
                pass
        return Response("ok")

    async with asyncio.timeout(20), serve(fetch, limits=Limits(cpu_ms=100)) as server:
        assert (await get(server.port, "/spin"))[0] == 500
        assert await get(server.port, "/") == (200, b"ok")
        assert server.watchdog is not None and server.watchdog.ended == 1
    assert f"Uncaught CpuLimitExceeded: {CPU_LIMIT_EXCEEDED} (in fetch)" in caplog.text


async def test_without_a_cpu_limit_a_long_computation_finishes() -> None:
    async def fetch(request: Request) -> Response:
        end = time.thread_time() + 0.3
        while time.thread_time() < end:
            pass
        return Response("finished")

    async with asyncio.timeout(20), serve(fetch) as server:
        assert server.limits.cpu_ms is None
        assert await get(server.port) == (200, b"finished")


# ---------------------------------------------------------------------- the command line

_SPIN = """
import time
from cfws_playground import Response

async def fetch(request):
    if request.url.endswith("/spin"):
        while True:
            pass
    return Response("ok")
"""


async def start_cli(tmp_path: Path, *extra: str, worker: str | None = None) -> tuple[Any, str]:
    path = tmp_path / "spin.py"
    path.write_text(textwrap.dedent(_SPIN))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cfws_playground",
        "serve",
        worker or str(path),
        "--port",
        "0",
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        # A suite started in the background ignores SIGINT, and children inherit
        # that: give this one the default handler, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    first = (await proc.stdout.readline()).decode()
    url = first.split(" on ", 1)[1].split(" ", 1)[0]
    return proc, url


async def stop_by_pid(proc: Any) -> None:
    if proc.returncode is None:
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()


async def test_sigterm_closes_clients_with_1001_and_exits_0(tmp_path: Path) -> None:
    proc, url = await start_cli(tmp_path, worker=str(ROOT / "examples" / "echo.py"))
    try:
        async with asyncio.timeout(30), ws_connect(url) as ws:
            await ws.send("hi")
            assert await ws.recv() == "hi"
            os.kill(proc.pid, signal.SIGTERM)
            await ws.wait_closed()
            assert ws.close_code == 1001
            out, _ = await proc.communicate()
            assert proc.returncode == 0 and "Stopped." in out.decode()
    finally:
        await stop_by_pid(proc)


@pytest.mark.slow  # starts a server process and waits for it
async def test_the_first_ctrl_c_stops_a_server_whose_worker_spins_forever(tmp_path: Path) -> None:
    proc, url = await start_cli(tmp_path)
    port = int(url.rsplit(":", 1)[1].strip("/"))
    assert proc.stderr is not None
    try:
        async with asyncio.timeout(30):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /spin HTTP/1.1\r\nHost: x\r\n\r\n")
            seen = ""
            while "blocked the event loop" not in seen:
                seen += (await proc.stderr.readline()).decode()
            assert "fetch() at spin.py:" in seen and "while True" in seen
            os.kill(proc.pid, signal.SIGINT)  # once
            out, _ = await proc.communicate()
            writer.transport.abort()
            assert proc.returncode == 0 and "Stopped." in out.decode()
    finally:
        await stop_by_pid(proc)


async def test_cpu_ms_from_the_command_line_ends_the_spinning_request_with_a_500(tmp_path: Path) -> None:
    proc, url = await start_cli(tmp_path, "--cpu-ms", "50")
    port = int(url.rsplit(":", 1)[1].strip("/"))
    try:
        async with asyncio.timeout(30):
            assert (await get(port, "/spin"))[0] == 500
            assert await get(port, "/") == (200, b"ok")
            os.kill(proc.pid, signal.SIGTERM)
            _, err = await proc.communicate()
            assert proc.returncode == 0
            assert CPU_LIMIT_EXCEEDED in err.decode()
    finally:
        await stop_by_pid(proc)


def test_cpu_ms_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    from cfws_playground.cli import main

    assert main(["serve", "examples/echo.py", "--cpu-ms", "0"]) == 2
    assert "--cpu-ms takes a positive number" in capsys.readouterr().err
