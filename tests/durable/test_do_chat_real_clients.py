"""The do-chat example project served to real ``websockets`` clients, with eviction in the middle."""

from __future__ import annotations

import asyncio
import signal
import sys
import urllib.request
from pathlib import Path

from websockets.asyncio.client import connect as ws_connect

from cfws_playground import serve
from cfws_playground.pyworkers import disable, enable, load_project

ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "examples" / "do-chat"


async def test_three_clients_chat_across_an_eviction() -> None:
    project = load_project(CHAT, hibernate_after=0.2)
    async with serve(project.worker, port=0, env=project.env, compatibility=project.compatibility) as server:
        base = server.url.rstrip("/")
        page = await asyncio.to_thread(lambda: urllib.request.urlopen(server.http_url, timeout=10).read())
        assert b"<title>Durable Object chat</title>" in page
        async with asyncio.timeout(30):
            async with (
                ws_connect(base + "/ws?room=r&name=ada") as ada,
                ws_connect(base + "/ws?room=r&name=bob") as bob,
                ws_connect(base + "/ws?room=r&name=cy") as cy,
            ):
                assert await ada.recv() == "* ada joined (1 here). Welcome to the room!"
                assert await ada.recv() == "* bob joined (2 here). Welcome to the room!"
                assert await bob.recv() == "* bob joined (2 here). Welcome to the room!"
                for ws in (ada, bob, cy):
                    assert await ws.recv() == "* cy joined (3 here). Welcome to the room!"
                await ada.send("before")
                for ws in (ada, bob, cy):
                    assert await ws.recv() == "ada: before"

                host = project.env.CHAT.hosts[0]
                while host.awake:  # idle for 0.2 s: evicted, every client still connected
                    await asyncio.sleep(0.02)
                assert host.constructed == 1 and host.evictions == 1

                await bob.send("ping")  # answered by the runtime while the room sleeps
                assert await bob.recv() == "pong"
                assert not host.awake

                await cy.send("after")  # wakes the room: a new instance, the same members
                for ws in (ada, bob, cy):
                    assert await ws.recv() == "cy: after"
                assert host.constructed == 2

                await bob.close()
                assert await ada.recv() == "* bob left"
                assert await cy.recv() == "* bob left"
        steps = [r.step for r in server.recorder if r.kind == "note"]
        assert "· evict: ChatRoom(r) hibernated: instance dropped, 3 sockets stay open" in steps
        assert "· auto-response: 'ping' answered with 'pong' while it sleeps" in steps
        assert "· wake: ChatRoom(r) woke: __init__ ran again, in-memory fields start fresh" in steps


async def test_cli_serves_a_project_folder() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cfws_playground",
        "serve",
        str(CHAT),
        "--port",
        "0",
        "--hibernate-after",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,  # the log too: an eviction before coupling is logged
        cwd=ROOT,
    )
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(30):
            lines = []
            while not (lines and lines[-1].startswith("Serving ")):
                lines.append((await proc.stdout.readline()).decode())
            assert "  env.CHAT: Durable Object namespace of ChatRoom\n" in lines
            url = lines[-1].split(" on ", 1)[1].split(" ", 1)[0]
            async with ws_connect(url + "ws?room=cli&name=ada") as ada:
                assert await ada.recv() == "* ada joined (1 here). Welcome to the room!"
                seen = ""
                while "ChatRoom(cli) hibernated" not in seen:  # --hibernate-after 0: as soon as idle
                    seen += (await proc.stdout.readline()).decode()
                await ada.send("still here")
                assert await ada.recv() == "ada: still here"
            proc.send_signal(signal.SIGINT)
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_cli_names_a_binding_it_lacks(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'main = "entry.py"\n[[r2_buckets]]\nbinding = "FILES"\nbucket_name = "abc"\n'
    )
    (tmp_path / "entry.py").write_text("")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cfws_playground",
        "serve",
        str(tmp_path),
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert err.decode().strip() == (
        "cfws-playground: error: wrangler.toml: R2 bucket binding 'FILES' (r2_buckets) is not "
        "modelled by cfws-playground; run the project with `pywrangler dev` for it, or remove the "
        "binding (and the code that uses it) to run the rest here"
    )


def test_enable_disable_round_trip() -> None:
    enable()
    disable()
    assert "js" not in sys.modules and "pyodide" not in sys.modules


async def test_an_alarm_set_while_serving_a_request_outlives_the_request() -> None:
    # The object has its own context: the request context's end (timers and tasks a
    # Worker started for the request are canceled) must not cancel the object's alarm.
    project = load_project(ROOT / "examples" / "do-counter", hibernate_after=None)

    def call(url: str, method: str = "GET") -> str:
        request = urllib.request.Request(url, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(response.read().decode())

    async with serve(project.worker, port=0, env=project.env) as server:
        base = server.http_url.rstrip("/")
        assert await asyncio.to_thread(call, base + "/figs/increment", "POST") == '{"value": 1}'
        assert await asyncio.to_thread(call, base + "/figs/reset-in/0.2", "POST") == "reset scheduled"
        await asyncio.sleep(0.6)
        assert await asyncio.to_thread(call, base + "/figs") == '{"value": 0, "resets": 1}'
