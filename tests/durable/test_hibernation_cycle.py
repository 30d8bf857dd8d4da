"""A full hibernate/wake cycle: what survives, what does not, what blocks eviction, what is recorded."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from do_harness import fresh_class, join, namespace

from cfws_playground import Recorder, settle
from cfws_playground.durable import (
    HibernationBlockedError,
    WebSocketRequestResponsePair,
    blockers,
    hibernate,
    snapshot,
)


async def test_full_cycle_sockets_tags_attachments_storage_and_auto_response_survive() -> None:
    cls = fresh_class()
    ns, env = namespace(cls)
    rec = Recorder()
    ada = await join(env, "tags=red,blue&name=ada", recorder=rec)
    bob = await join(env, "tags=blue&name=bob", recorder=rec)
    stub = ns.getByName("lobby")
    await stub.put("visits", {"count": 2})
    host = ns.hosts[0]
    host.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))
    await ada.send("echo")
    assert await ada.recv() == "echo #1"
    assert await stub.fields() == 1
    instance = host.instance

    await hibernate(stub)

    assert host.instance is None and host.evictions == 1 and cls.constructed == 1
    # An auto-response is answered while the object sleeps, without waking it.
    await bob.send("ping")
    assert await bob.recv() == "pong"
    assert host.instance is None and cls.constructed == 1
    # The next event constructs a new instance: __init__ again, in-memory fields fresh.
    await ada.send("echo")
    assert await ada.recv() == "echo #1"
    assert cls.constructed == 2 and host.instance is not instance
    ctx = host.ctx
    by_name = {ws.deserializeAttachment()["name"]: ws for ws in ctx.getWebSockets()}
    assert sorted(by_name) == ["ada", "bob"]
    assert ctx.getTags(by_name["ada"]) == ["red", "blue"]
    assert ctx.getWebSockets("blue") == [by_name["ada"], by_name["bob"]]
    assert await stub.get("visits") == {"count": 2}
    assert ctx.getWebSocketAutoResponse().response == "pong"
    steps = [r.step for r in rec if r.kind == "note"]
    assert steps == [
        "· evict: Room(lobby) hibernated: instance dropped, 2 sockets stay open",
        "· auto-response: 'ping' answered with 'pong' while it sleeps",
        "· wake: Room(lobby) woke: __init__ ran again, in-memory fields start fresh",
    ]


async def test_eviction_after_the_idle_time_then_wake_on_a_message() -> None:
    cls = fresh_class()
    ns, env = namespace(cls, hibernate_after=0.05)
    client = await join(env)
    host = ns.hosts[0]
    for _ in range(100):
        if host.instance is None:
            break
        await asyncio.sleep(0.01)
    assert host.instance is None and host.evictions == 1
    await client.send("echo")
    assert await client.recv() == "echo #1"
    assert cls.constructed == 2


async def test_an_accepted_socket_blocks_hibernation_and_says_why() -> None:
    ns, env = namespace(hibernate_after=0.02)
    plain = await join(env, "plain=1")
    await plain.send("x")
    assert await plain.recv() == "plain: x"
    stub = ns.getByName("lobby")
    with pytest.raises(HibernationBlockedError) as info:
        await hibernate(stub)
    assert info.value.reasons == [
        "1 WebSocket accepted with accept(), not ctx.acceptWebSocket(): "
        "such sockets keep the object in memory"
    ]
    await asyncio.sleep(0.1)
    host = ns.hosts[0]
    assert host.instance is not None
    assert host.history[-1][0] == "eviction blocked"
    await plain.close()
    await settle()
    assert blockers(stub) == []
    await hibernate(stub)
    assert host.instance is None


async def test_a_running_handler_and_waitUntil_work_block_hibernation() -> None:
    release = asyncio.Event()

    class Busy(fresh_class()):  # type: ignore[misc]
        async def wait(self) -> str:
            await release.wait()
            return "done"

        async def linger(self) -> None:
            self.ctx.waitUntil(release.wait())

    ns, _ = namespace(Busy)
    stub = ns.getByName("busy")
    call = asyncio.ensure_future(stub.wait())
    await asyncio.sleep(0.01)
    assert blockers(stub) == [
        "an event is in progress (rpc wait()): a request, handler or await has not finished"
    ]
    release.set()
    assert await call == "done"
    release.clear()
    await stub.linger()
    assert blockers(stub) == ["pending ctx.waitUntil() work"]
    release.set()
    await asyncio.sleep(0.01)  # the waitUntil() task ends
    await hibernate(stub)
    assert ns.hosts[0].instance is None


async def test_a_timer_or_a_task_the_objects_code_started_blocks_hibernation() -> None:
    release = asyncio.Event()

    class Timed(fresh_class()):  # type: ignore[misc]
        def start_timer(self) -> None:
            self.timer = asyncio.get_running_loop().call_later(60, lambda: None)

        def stop_timer(self) -> None:
            self.timer.cancel()

        def start_task(self) -> None:
            async def nap_then_wait() -> None:
                await asyncio.sleep(0.01)  # its timer is the task's, not a second blocker
                await release.wait()

            self.task = asyncio.ensure_future(nap_then_wait())

    ns, _ = namespace(Timed)
    stub = ns.getByName("timed")
    await stub.start_timer()
    assert blockers(stub) == [
        "1 pending timer the object's code set (call_later, setTimeout): "
        "a timer keeps it in memory until it fires or is cancelled"
    ]
    with pytest.raises(HibernationBlockedError):
        await hibernate(stub)
    await stub.stop_timer()
    assert blockers(stub) == []
    await stub.start_task()
    assert blockers(stub) == ["1 task the object's code started, not finished"]
    release.set()
    await asyncio.sleep(0.01)
    assert blockers(stub) == []
    await hibernate(stub)
    assert ns.hosts[0].instance is None


async def test_snapshot_is_plain_data_for_the_inspector() -> None:
    ns, env = namespace()
    await join(env, "tags=a&name=ada")
    await ns.getByName("lobby").put("k", 1)
    (view,) = snapshot(ns)
    assert view.awake and view.label == "Room(lobby)" and view.storage_keys == ("k",)
    (sock,) = view.sockets
    assert (sock.state_name, sock.tags, sock.attachment) == ("OPEN", ("a",), {"name": "ada"})
    await hibernate(ns.getByName("lobby"))
    assert not snapshot(ns)[0].awake


async def test_hibernate_takes_a_stub_an_instance_or_nothing_else() -> None:
    ns, env = namespace()
    await join(env)
    await hibernate(ns.getByName("lobby"))
    with pytest.raises(TypeError):
        await hibernate(object())
    await join(env)
    instance: Any = ns.hosts[0].instance
    await hibernate(instance)
    assert ns.hosts[0].instance is None


def test_the_broadcast_benchmark_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import durable

    durable.main(["--sockets", "20", "50", "--rounds", "2", "--reps", "1"])
    out = capsys.readouterr().out
    assert "2 broadcasts per run" in out
    ratios = [line for line in out.splitlines() if "x baseline" in line]
    assert [line.split()[0] for line in ratios] == ["20", "50"]  # one ratio per size, in order
