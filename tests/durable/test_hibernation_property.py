"""Random event sequences on one object with random evictions.

Nothing that survives hibernation is lost (sockets, tags, attachments, storage,
the auto-response), and nothing that does not survive leaks into the next
instance (an in-memory counter starts again after every wake).
"""

from __future__ import annotations

import asyncio
from typing import Any

from do_harness import fresh_class, join, namespace
from hypothesis import HealthCheck, given, settings, strategies as st

from cfws_playground import settle
from cfws_playground.durable import WebSocketRequestResponsePair, hibernate

TAGS = ["red", "blue", "green"]

ops = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.lists(st.sampled_from(TAGS), max_size=3)),
        st.tuples(st.just("echo"), st.integers(0, 7)),
        st.tuples(st.just("ping"), st.integers(0, 7)),
        st.tuples(st.just("close"), st.integers(0, 7)),
        st.tuples(st.just("drop"), st.integers(0, 7)),
        st.tuples(st.just("put"), st.sampled_from("abc"), st.integers(-5, 5)),
        st.tuples(st.just("delete"), st.sampled_from("abc")),
        st.tuples(st.just("evict")),
    ),
    max_size=25,
)


async def _run(steps: list[tuple[Any, ...]]) -> None:
    cls = fresh_class()
    ns, env = namespace(cls)
    stub = ns.getByName("lobby")
    host = ns.host(stub.id)
    host.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))
    clients: list[Any] = []
    live: dict[int, tuple[str, list[str]]] = {}  # client index -> (name, distinct tags)
    storage: dict[str, int] = {}
    since_wake = 0  # what the instance's in-memory counter must read
    wakes = 0  # constructions, the first one included
    asleep = True  # not in memory (not constructed yet, or evicted)

    def woke() -> None:
        nonlocal since_wake, wakes, asleep
        if asleep:
            since_wake, asleep = 0, False
            wakes += 1

    for step in steps:
        kind = step[0]
        pick = (
            sorted(live)[step[1] % len(live)] if kind in ("echo", "ping", "close", "drop") and live else None
        )
        if kind == "join":
            name = f"c{len(clients)}"
            tags = list(dict.fromkeys(step[1]))
            clients.append(await join(env, f"name={name}&tags={','.join(tags)}"))
            woke()
            live[len(clients) - 1] = (name, tags)
        elif kind == "echo" and pick is not None:
            await clients[pick].send("echo")
            woke()
            since_wake += 1
            assert await clients[pick].recv() == f"echo #{since_wake}"
        elif kind == "ping" and pick is not None:
            await clients[pick].send("ping")
            assert await clients[pick].recv() == "pong"  # never wakes the object
        elif kind in ("close", "drop") and pick is not None:
            if kind == "close":
                await clients[pick].close(1000, "bye")
            else:
                clients[pick].abort()
            woke()  # webSocketClose runs on an instance
            del live[pick]
        elif kind == "put":
            await stub.put(step[1], step[2])
            woke()
            storage[step[1]] = step[2]
        elif kind == "delete":
            await host.storage.delete(step[1])
            storage.pop(step[1], None)
        elif kind == "evict":
            await hibernate(stub)
            asleep = True
        await settle()
        # What survives hibernation is all there, and nothing else.
        sockets = host.ctx.getWebSockets()
        seen = sorted((ws.deserializeAttachment()["name"], tuple(host.ctx.getTags(ws))) for ws in sockets)
        assert seen == sorted((name, tuple(tags)) for name, tags in live.values())
        assert dict(await host.storage.list()) == dict(sorted(storage.items()))
        assert (host.instance is None) == asleep
        assert cls.constructed == wakes
        if host.instance is not None:
            assert host.instance.messages_since_wake == since_wake
    for client in clients:
        client.abort()
    await settle()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_random_events_with_random_evictions(steps: list[tuple[Any, ...]]) -> None:
    asyncio.run(_run(steps))
