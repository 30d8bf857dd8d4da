"""Durable Object scenarios on the kit: the steps run in a Durable Object's ``fetch``.

A scenario marked ``durable=True`` runs in a kit Durable Object
(:mod:`cfws_playground.durable`, storage in memory, never evicted during the
run) and, inside workerd, in ``driver.js``'s ``ScenarioObject``, a JS Durable
Object doing the same steps (Python Workers do not run in a bare workerd).
``ctx`` is the object's state; ``pair c d`` makes more pairs; the
``webSocketMessage`` / ``webSocketClose`` / ``webSocketError`` steps give the
object's handlers their bodies. A wire scenario's Worker forwards the upgrade to
the object, which runs the steps and returns ``a`` in the 101.

The transcript reads values as a Python Worker sees them, on both runtimes:
sockets by their names (``[f, d, b]``), JS ``null`` and ``undefined`` both
``None`` (Pyodide converts both to None), a ``WebSocketRequestResponsePair``
by its two strings, a storage ``Map`` as ``Map{k: v}``, and the auto-response
timestamp, a JS ``Date`` in workerd and milliseconds since the epoch on the kit
(``Date.getTime()``), as ``Date(recent)``. A handler call is a row ``webSocketClose(b, 1000, "bye",
true) | b=2`` (its socket's readyState as the handler starts).

Eviction is not part of these scenarios: workerd gives no way to force it from
outside, so the kit's eviction rules are tested against the documented ones in
``tests/durable/test_hibernation_cycle.py``.
"""

from __future__ import annotations

import asyncio
import time
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..compat import compatibility
from ..dispatch import settle as _settle
from ..durable import DurableObjectNamespace, StorageMap, WebSocketRequestResponsePair
from ..durable.sql import SqlStorageCursor
from ..http import Response
from ..socket import WebSocket, WebSocketPair
from .kit import _error_text, _resolve, _Run, render
from .wire import _quiet, run_client

__all__ = ["DoRun", "Stamp", "run_durable_on_kit", "run_durable_wire_on_kit", "show"]

Op = dict[str, Any]
_RECENT_MS = 60_000


class Stamp(float):
    """The kit's auto-response timestamp (ms since the epoch), shown as JS shows a ``Date``."""


def show(value: Any, names: dict[WebSocket, str]) -> str:
    """A value in a Durable Object transcript (see the module docstring)."""
    if value is None:
        return "None"
    if isinstance(value, WebSocket):
        return names.get(value, "WebSocket")
    if isinstance(value, WebSocketRequestResponsePair):
        return f"WebSocketRequestResponsePair({render(value.request)}, {render(value.response)})"
    if isinstance(value, Stamp):
        if abs(time.time() * 1000 - value) < _RECENT_MS:
            return "Date(recent)"
        when = datetime.fromtimestamp(value // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"Date({when}.{int(value) % 1000:03d}Z)"  # as JS's toISOString()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v, names) for v in value) + "]"
    if isinstance(value, SqlStorageCursor):  # read to its end, then its counters (as driver.js)
        rows = value.toArray()
        return (
            f"Cursor(columns={show(value.columnNames, names)}, rows={show(rows, names)}, "
            f"rowsRead={value.rowsRead}, rowsWritten={value.rowsWritten})"
        )
    if isinstance(value, StorageMap):
        return "Map{" + ", ".join(f"{k}: {show(v, names)}" for k, v in value.items()) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v, names)}" for k, v in value.items()) + "}"
    return render(value)


class _Call:
    """A handler's arguments, as the names its body reads (``ws``, ``message``, ``code`` ...)."""

    def __init__(self, ws: WebSocket, **fields: Any) -> None:
        self.ws = ws
        self.__dict__.update(fields)


class DoRun(_Run):
    """The scenario interpreter inside a Durable Object: ``ctx``, more pairs, handlers."""

    def __init__(self, ctx: Any, env: Any, log: list[str]) -> None:
        pair = WebSocketPair()
        super().__init__(pair)
        self.ctx = ctx
        self.env = env
        self.log = log
        self.handlers: dict[str, list[Op]] = {}
        self.names: dict[WebSocket, str] = {pair[0]: "a", pair[1]: "b"}

    def rs(self) -> str:
        return " ".join(f"{name}={ws.readyState}" for name, ws in self.ends.items())

    def show(self, value: Any) -> str:
        return show(value, self.names)

    def value(self, e: Any, event: Any) -> Any:
        if e.get("new") == "WebSocketRequestResponsePair":
            return WebSocketRequestResponsePair(*(self.value(v, event) for v in e["args"]))
        if "path" in e:
            target = self.ctx if e["path"] == "ctx" else self.env
            for step in e["steps"]:
                if "get" in step:
                    target = getattr(target, step["get"])
                else:
                    target = getattr(target, step["call"])(*(self.value(a, event) for a in step["args"]))
            return target
        if "all" in e:
            return asyncio.gather(*(self.value(v, event) for v in e["all"]))
        return super().value(e, event)

    def logged(self, op: Op, result: Any = None, exc: Exception | None = None) -> None:
        if exc is not None:
            self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
        else:
            self.log.append(f"{op['text']} -> {self.show(result)}")

    async def run_await(self, op: Op) -> None:
        """``await ...``: the awaited value, or what it raised (sync or async)."""
        try:
            result = await self.value(op["value"], None)
        except Exception as exc:  # noqa: BLE001 - the transcript shows what was raised
            self.logged(op, exc=exc)
        else:
            self.logged(op, result)

    def run_other(self, op: Op, event: Any) -> bool:
        do = op["do"]
        if do == "pair":
            pair = WebSocketPair()
            for name, end in zip(op["ends"], (pair[0], pair[1]), strict=True):
                self.ends[name] = end
                self.names[end] = name
            self.log.append(op["text"])
        elif do == "ctx":
            try:  # the arguments too: WebSocketRequestResponsePair(...) may throw
                args = [self.value(a, event) for a in op["args"]]
                result = getattr(self.ctx, op["name"])(*args)
            except Exception as exc:  # noqa: BLE001 - the transcript shows what was raised
                self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
                if op.get("rethrow"):
                    raise
            else:
                if op["name"] == "getWebSocketAutoResponseTimestamp" and isinstance(result, float):
                    result = Stamp(result)
                self.log.append(f"{op['text']} -> {self.show(result)}")
        elif do == "handler":
            self.handlers[op["name"]] = op["body"]
        elif do == "eval":
            try:
                result = self.value(op["value"], event)
            except Exception as exc:  # noqa: BLE001
                self.logged(op, exc=exc)
            else:
                self.logged(op, result)
        else:
            return False
        return True

    def handle(self, name: str, ws: WebSocket, fields: dict[str, Any]) -> Any:
        """The object's handler ``name`` was called for ``ws``: a row, then the scenario's body.

        A body with ``sleep N`` steps makes the handler async: it returns the
        coroutine that runs the body and awaits a timer at each of them.
        """
        shown = ", ".join(self.show(v) for v in (ws, *fields.values()))
        self.log.append(f"{name}({shown}) | {self.names.get(ws, 'ws')}={ws.readyState}")
        body = self.handlers.get(name, [])
        call = _Call(ws, **fields)
        if any(op["do"] == "sleep" for op in body):
            return self.handle_async(body, call)
        self.run_ops(body, call)
        return None

    async def handle_async(self, body: list[Op], call: _Call) -> None:
        for op in body:
            if op["do"] == "sleep":
                self.timers += 1
                fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                asyncio.get_running_loop().call_later(op["ms"] / 1000, _resolve, fut)
                try:
                    await fut
                finally:
                    self.timers -= 1
            else:
                self.run_op(op, call)

    async def settle_object(self, pending: Callable[[], int]) -> None:
        """Wait until nothing more happens: no dispatch, no timer, no event but this fetch."""
        while True:
            await _settle()
            await asyncio.sleep(0)
            if not self.timers and pending() <= 1:
                await _settle()
                if pending() <= 1:
                    return
            await asyncio.sleep(0.001)


class _Program:
    """One scenario run's steps, its transcript, and its object's interpreter."""

    def __init__(self, ops: list[Op]) -> None:
        self.ops = ops
        self.log: list[str] = []
        self.run: DoRun | None = None
        self.pending: Callable[[], int] = lambda: 0  # the object's events queued or running


def _object_class(program: _Program, *, wire: bool) -> type:
    """A Durable Object class that runs the program's steps in its ``fetch`` (one class per run)."""

    class ScenarioObject:
        def __init__(self, ctx: Any, env: Any) -> None:
            self.ctx = ctx
            self.env = env
            self.gate_log: list[str] = []
            self.in_gate = 0

        async def fetch(self, request: Any) -> Response:
            run = program.run = DoRun(self.ctx, self.env, program.log)
            if wire:
                for op in program.ops:
                    run.run_op(op, None)
                return run.response or Response(None, status=101, webSocket=run.ends["a"])
            for op in program.ops:
                if op["do"] == "settle":
                    await run.settle_object(program.pending)
                elif op["do"] == "sleep":
                    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                    asyncio.get_running_loop().call_later(op["ms"] / 1000, _resolve, fut)
                    await fut
                elif op["do"] == "await":
                    await run.run_await(op)
                    # driver.js awaits runAwait(), an async function: its caller resumes
                    # one microtask after the function returns.
                    await asyncio.sleep(0)
                else:
                    run.run_op(op, None)
            await run.settle_object(program.pending)
            return Response("ok")

        def _handle(self, name: str, ws: WebSocket, fields: dict[str, Any]) -> Any:
            if program.run is not None:
                return program.run.handle(name, ws, fields)
            return None

        def webSocketMessage(self, ws: WebSocket, message: Any) -> Any:
            return self._handle("webSocketMessage", ws, {"message": message})

        def webSocketClose(self, ws: WebSocket, code: int, reason: str, wasClean: bool) -> Any:  # noqa: N803
            return self._handle("webSocketClose", ws, {"code": code, "reason": reason, "wasClean": wasClean})

        def webSocketError(self, ws: WebSocket, error: Any) -> Any:
            return self._handle("webSocketError", ws, {"error": error})

        def alarm(self) -> None:
            """Present so that setAlarm() checks its argument (the driver's class has one too)."""

        async def gate(self, label: str, how: str) -> list[str]:
            """An RPC method for the input gate: its rows while concurrent calls overlap."""
            if not self.in_gate:
                self.gate_log = []
            self.in_gate += 1
            self.gate_log.append(f"in {label}")
            if how == "timer":
                await asyncio.sleep(0.05)
            else:
                for i in range(20):
                    await self.ctx.storage.put(f"k{i}", i)
            self.gate_log.append(f"out {label}")
            self.in_gate -= 1
            return list(self.gate_log)

    return ScenarioObject


async def run_durable_on_kit(
    ops: list[Op], date: str | None = None, flags: tuple[str, ...] = (), *, sqlite: bool = False
) -> list[str]:
    """Run a Durable Object scenario's operations in a kit object (SQLite-backed if ``sqlite``,
    as the driver's ``SqlScenarioObject``); return the transcript rows."""
    program = _Program(ops)
    compat = compatibility(date=date, flags=list(flags))
    env = types.SimpleNamespace()
    env.OBJECT = ns = DurableObjectNamespace(
        _object_class(program, wire=False), env, hibernate_after=None, compatibility=compat, sql=sqlite
    )
    stub = ns.getByName("scenario")
    program.pending = ns.host(stub.id).pending
    await stub.fetch("http://do/run")
    return program.log


async def run_durable_wire_on_kit(
    ops: list[Op], client_ops: list[Op], options: dict[str, Any], date: str, flags: tuple[str, ...]
) -> list[str]:
    """A Durable Object wire scenario on the kit: ``serve()`` forwards the upgrade to the object."""
    from ..bridge import serve

    program = _Program(ops)
    compat = compatibility(date=date, flags=list(flags))
    env = types.SimpleNamespace()
    env.OBJECT = ns = DurableObjectNamespace(
        _object_class(program, wire=True), env, hibernate_after=None, compatibility=compat
    )

    async def fetch(request: Any, env: Any, ctx: Any) -> Any:
        return await ns.getByName("scenario").fetch(request)

    async with serve(fetch, "127.0.0.1", 0, compatibility=compat) as server:
        client = await run_client(server.url, client_ops, options)
        await _quiet(program.log)
    return client + ["-- object --"] + program.log
