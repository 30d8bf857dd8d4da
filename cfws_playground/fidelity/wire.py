"""Wire scenarios: a real WebSocket client over 127.0.0.1 against a Worker.

The Worker's part is ordinary scenario steps about the pair it makes for the
request (``a`` is returned in the 101 Response unless a ``response(...)`` step
says otherwise, ``b`` is kept). The client's part is a list of client steps,
run by the ``websockets`` client against workerd (the driver's ``/ws`` route)
and against the kit's :func:`~cfws_playground.serve`. The transcript is what
the client saw, then what the Worker's listeners logged.

Client steps::

    "send 'x'" / "send b'\\x01'" / "send bytes(33554433)"   a text or binary message
    "recv"                      the next frame, a close, or nothing within the wait
    "close 1000, 'bye'"         the client's Close, then wait for the answer ("close" alone
                                is websockets' default, 1000; "close None" sends no code)
    "drop"                      drop the TCP connection without a Close
    "wait"                      wait for the connection to end
    "sleep 50"                  milliseconds
    "ping"                      a ping; the pong, or nothing within the wait
    "http 'POST {path} HTTP/1.1\\r\\n...'"  a raw request on a new connection ({path}
                                is the scenario's own path): the status line and body
    "request 'GET {path} HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'"  a raw request on a new
                                connection ({host} is 127.0.0.1:PORT; {N bytes}, N times 'a'),
                                then everything until the connection ends or is quiet:
                                the status line, any Connection header, the body with the
                                scenario's path written {path} and the port PORT (a Worker
                                can echo ``request.url``), and how the connection ended

A client with a ``frame``, ``frames`` or ``raw`` step is the raw RFC 6455 client instead
(:mod:`cfws_playground.fidelity.rawclient`): it sends any frame, however
malformed, and its rows say what came back and how the TCP connection ended.
"""

from __future__ import annotations

import ast
import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .kit import _Run, render
from .rawclient import parse_frame_step, run_raw_client

__all__ = ["compile_client", "is_raw", "run_client", "run_wire_on_kit"]

Op = dict[str, Any]
RECV_WAIT = 2.0


def compile_client(steps: tuple[str, ...]) -> list[Op]:
    """Client steps as operations (plain JSON, like the Worker's)."""
    ops: list[Op] = []
    for step in steps:
        text = step.strip()
        m = re.fullmatch(r"(send|close|sleep|http|request|recv|drop|wait|ping|frames?|raw)(?: (.*))?", text)
        if not m:
            raise ValueError(f"{step!r} is not a client step")
        args: list[Any] = []
        if m[1] == "recv" and m[2] == "size":
            args = ["size"]  # the raw client: the frame's kind and length, not its bytes
        elif m[1] in ("frame", "frames"):
            for part in (m[2] or "").split(" + "):
                parse_frame_step(part)  # refused here, not halfway through a run
            args = [m[2]]
        elif m[2]:
            if m[1] == "send" and m[2].startswith("bytes("):
                args = [bytes(int(m[2][6:-1]))]
            else:
                value = ast.literal_eval(f"({m[2]},)")
                args = list(value)
        ops.append({"do": m[1], "args": args, "text": text})
    return ops


def is_raw(ops: list[Op]) -> bool:
    """Whether a client's steps need the raw client (any ``frame`` or ``raw`` step)."""
    return any(op["do"] in ("frame", "frames", "raw") for op in ops)


def _frame_text(data: str | bytes) -> str:
    return f"text {render(data)}" if isinstance(data, str) else f"binary {render(data)}"


def _closed_text(ws: ClientConnection) -> str:
    rcvd = ws.protocol.close_rcvd
    if rcvd is None:
        return "closed 1006 (no Close frame)"
    return f"closed {rcvd.code} {render(rcvd.reason)}"


async def run_client(url: str, ops: list[Op], options: dict[str, Any]) -> list[str]:
    """Run the client's steps against ``url`` (``ws://127.0.0.1:PORT/...``); return its rows."""
    log: list[str] = []
    hostport, _, path = url.split("//")[1].partition("/")
    host, port = hostport.split(":")
    if is_raw(ops):
        return await run_raw_client(host, int(port), "/" + path, ops)
    ws: ClientConnection | None = None
    if not ops or ops[0]["do"] not in ("http", "request"):
        try:
            ws = await connect(url, open_timeout=5, max_size=None, ping_interval=None, **options)
        except InvalidStatus as exc:
            log.append(f"client: handshake refused {exc.response.status_code}")
            return log
        except Exception as exc:  # noqa: BLE001 - the transcript says how the handshake failed
            log.append(f"client: handshake failed: {type(exc).__name__}")
            return log
        protocol = ws.subprotocol or ""
        ext = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""
        log.append(f"client: connected protocol={render(protocol)} extensions={render(ext)}")
    for op in ops:
        do, args = op["do"], op["args"]
        if do == "http":
            log.append("client: " + await _raw_http(host, int(port), args[0].replace("{path}", "/" + path)))
            continue
        if do == "request":
            log += await _raw_request(host, int(port), "/" + path, args[0])
            continue
        assert ws is not None
        if do == "sleep":
            await asyncio.sleep(args[0] / 1000)
        elif do == "send":
            try:
                await ws.send(args[0])
            except ConnectionClosed:
                log.append(f"client: send failed, {_closed_text(ws)}")
        elif do == "recv":
            try:
                data = await asyncio.wait_for(ws.recv(), RECV_WAIT)
            except TimeoutError:
                log.append("client: nothing arrived")
            except ConnectionClosed:
                log.append(f"client: {_closed_text(ws)}")
            else:
                log.append(f"client: got {_frame_text(data)}")
        elif do == "close":
            try:
                await asyncio.wait_for(ws.close(*args), RECV_WAIT * 2)
            except TimeoutError:
                log.append("client: no answer to its Close")
            log.append(f"client: {_closed_text(ws)}")
        elif do == "ping":
            try:
                pong = await ws.ping()
                await asyncio.wait_for(pong, RECV_WAIT)
                log.append("client: pong")
            except (TimeoutError, ConnectionClosed):
                log.append("client: no pong")
        elif do == "drop":
            assert ws.transport is not None
            ws.transport.abort()
            log.append("client: dropped the connection")
        elif do == "wait":
            try:
                await asyncio.wait_for(ws.wait_closed(), RECV_WAIT)
                log.append(f"client: {_closed_text(ws)}")
            except TimeoutError:
                log.append("client: still open")
    if ws is not None and ws.transport is not None and not ws.transport.is_closing():
        ws.transport.abort()
    return log


async def _raw_http(host: str, port: int, request: str) -> str:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request.encode("latin-1"))
        await writer.drain()
        data = b""
        try:
            while True:
                chunk = await asyncio.wait_for(reader.read(65536), RECV_WAIT)
                if not chunk:
                    break
                data += chunk
                head, sep, body = data.partition(b"\r\n\r\n")
                length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if sep and length and len(body) >= int(length[1]):
                    break
        except TimeoutError:
            pass
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        return f"{status} {render(body.decode('utf-8', 'replace'))}"
    finally:
        writer.close()


async def _raw_request(host: str, port: int, path: str, template: str) -> list[str]:
    """A ``request`` step: its bytes on a new connection, and what came back until the end."""
    request = re.sub(r"\{(\d+) bytes\}", lambda m: "a" * int(m[1]), template)
    request = request.replace("{path}", path).replace("{host}", f"{host}:{port}")
    reader, writer = await asyncio.open_connection(host, port)
    data, ended = b"", "still open"
    try:
        writer.write(request.encode("latin-1"))
        await writer.drain()
        while True:  # until the server ends the connection, or sends nothing for a while
            chunk = await asyncio.wait_for(reader.read(65536), RECV_WAIT)
            if not chunk:
                ended = "connection ended"
                break
            data += chunk
    except TimeoutError:
        pass
    except OSError:
        ended = "connection reset"
    finally:
        writer.close()
    if not data:
        return [f"client: no answer, {ended}"]
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    rows = [f"client: {lines[0]}"]
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if "connection" in fields:
        rows.append(f"client: Connection: {fields['connection']}")
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    text = body.decode("utf-8", "replace").replace(path, "{path}").replace(f":{port}", ":PORT")
    return [*rows, f"client: body {render(text)}", f"client: {ended}"]


def _dechunk(body: bytes) -> bytes:
    out = b""
    while True:
        size, _, rest = body.partition(b"\r\n")
        n = int(size.split(b";")[0] or b"0", 16)
        if n == 0:
            return out
        out, body = out + rest[:n], rest[n + 2 :]


async def _quiet(log: list[str], poll: Callable[[], Awaitable[None]] | None = None) -> None:
    """Wait until ``log`` stops growing for a while (the Worker's last events arrive)."""
    last, still = -1, 0
    for _ in range(100):
        if poll is not None:
            await poll()
        if len(log) == last:
            still += 1
            if still >= 4:
                return
        else:
            still = 0
        last = len(log)
        await asyncio.sleep(0.05)


async def run_wire_on_kit(
    worker_ops: list[Op], client_ops: list[Op], options: dict[str, Any], date: str, flags: tuple[str, ...]
) -> list[str]:
    """A wire scenario on the kit: the Worker served by :func:`serve`, the client over loopback."""
    from ..bridge import serve
    from ..compat import compatibility
    from ..http import Response
    from ..socket import WebSocketPair

    worker_log: list[str] = []

    async def fetch(request: Any, env: Any, ctx: Any) -> Any:
        pair = WebSocketPair()
        run = _Run(pair)
        run.log = worker_log
        run.response = None
        run.request = request
        for op in worker_ops:
            run.run_op(op, None)
        return run.response or Response(None, status=101, webSocket=pair[0])

    compat = compatibility(date=date, flags=list(flags))
    async with serve(fetch, "127.0.0.1", 0, compatibility=compat) as server:
        # The driver's path, so a Worker that echoes its URL reads the same on both.
        client = await run_client(f"{server.url}ws?key={uuid.uuid4().hex}", client_ops, options)
        await _quiet(worker_log)
    return client + ["-- worker --"] + worker_log
