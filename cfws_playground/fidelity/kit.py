"""Run a scenario on the kit: the Python interpreter of the scenario operations.

``driver.js`` is its twin inside workerd; both write the same transcript
format (:func:`render`), so the two transcripts compare row by row.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

from ..compat import compatibility
from ..dispatch import settle as _settle
from ..errors import DOMException
from ..events import Blob, CloseEvent, ErrorEvent, Event, MessageEvent
from ..http import Response
from ..promise import JsPromise
from ..socket import WebSocket, WebSocketPair, js_number_to_string

__all__ = ["Error", "render", "run_on_kit"]

Op = dict[str, Any]
_LONG = 64


class Error(Exception):  # noqa: N818 - JavaScript's name: "Uncaught Error: boom", as in workerd
    """What a scenario's ``raise Error('text')`` raises on the kit (JS ``throw new Error(text)``)."""

    name = "Error"


_ERRORS: dict[str, type[Exception]] = {"Error": Error, "TypeError": TypeError}


def _quote(s: str) -> str:
    out = ['"']
    for ch in s if len(s) <= _LONG else s[:32]:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 0x20 or o == 0x7F or 0xD800 <= o <= 0xDFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    if len(s) > _LONG:
        out.append(f"…({len(s)} chars)")
    return "".join(out)


def _hex(b: bytes) -> str:
    return b.hex() if len(b) <= 32 else b[:32].hex() + "…"


def render(value: Any) -> str:
    """A value as both interpreters write it: JS's view of it, whatever the runtime."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number_to_string(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return f"ArrayBuffer[{len(data)}] {_hex(data)}".rstrip()
    if isinstance(value, Blob):
        return f"Blob[{value.size}]" + (f" {value.type}" if value.type else "")
    if isinstance(value, WebSocket):
        return "WebSocket"
    if isinstance(value, Response):
        return f"Response({value.status})"
    if type(value).__name__ == "ReadableStream":
        return "ReadableStream"
    if isinstance(value, Event):
        return f"{type(value).__name__}({value.type})"
    if isinstance(value, JsPromise):
        return "{}"  # a Promise has no own properties: the driver renders it as any such object
    if isinstance(value, BaseException):
        return _error_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in value.items()) + "}"
    return f"<{type(value).__name__}>"


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DOMException):
        return f"DOMException({exc.name}): {exc}"
    name = getattr(exc, "name", None)
    if not isinstance(name, str):
        name = type(exc).__name__
    return f"{name}: {exc}"


class _Run:
    def __init__(self, pair: WebSocketPair) -> None:
        self.ends = {"a": pair[0], "b": pair[1]}
        self.log: list[str] = []
        self.listeners: dict[str, Any] = {}
        self.timers = 0
        self.loop = asyncio.get_running_loop()
        self.response: Response | None = None  # a wire scenario's Worker returns this
        self.scratch = bytearray()  # scratch(...) / scribble(): a buffer changed after send()
        self.request: Any = None  # a wire scenario's request, as the Worker's fetch got it

    def rs(self) -> str:
        return f"a={self.ends['a'].readyState} b={self.ends['b'].readyState}"

    def end(self, name: str, event: Any) -> Any:
        """The end a step names (``ws``: the socket of the handler running, in a Durable Object)."""
        return event.ws if name == "ws" else self.ends[name]

    def show(self, value: Any) -> str:
        """A value as this transcript writes it (a Durable Object run names its sockets)."""
        return render(value)

    # values -----------------------------------------------------------------

    def value(self, e: Any, event: Any) -> Any:
        if "v" in e:
            if e.get("num"):
                return math.nan
            return e["v"]
        if "undef" in e:
            return None
        if "null" in e:
            return None  # Pyodide has no Python spelling for JS null; None is undefined
        if "request" in e:
            return self.request
        if "bytes" in e:
            return bytes.fromhex(e["bytes"])
        if "end" in e:
            return self.end(e["end"], event)
        if "ev" in e:
            return getattr(event, e["ev"], None)  # JS: a property the event lacks is undefined
        if "event" in e:
            return event
        if "add" in e:
            x, y = (self.value(v, event) for v in e["add"])
            if isinstance(x, str) or isinstance(y, str):
                return _js_str(x) + _js_str(y)
            return x + y
        if "obj" in e:
            return {k: self.value(v, event) for k, v in e["obj"].items()}
        if "arr" in e:
            return [self.value(v, event) for v in e["arr"]]
        if "scratch" in e:
            self.scratch = bytearray(self.value(e["scratch"], event))
            return self.scratch
        if "zeros" in e:
            return bytes(e["zeros"])
        if "xs" in e:
            return "x" * e["xs"]
        if "method" in e:
            method = getattr(self.value(e["of"], event), e["method"])
            return method(*(self.value(a, event) for a in e["args"]))
        if "attr" in e:
            return getattr(self.value(e["of"], event), e["attr"], None)
        if "new" in e:
            args = [self.value(v, event) for v in e["args"]]
            cls = e["new"]
            if cls == "Uint8Array":
                return bytearray(args[0] if args else b"")
            if cls == "Blob":
                if len(args) > 1 and isinstance(args[1], dict):  # JS new Blob(parts, {type})
                    return Blob(args[0], args[1].get("type", ""))
                return Blob(*args)
            return _new_event(cls, args)
        raise ValueError(f"unknown value {e!r}")

    # operations -------------------------------------------------------------

    def run_ops(self, ops: list[Op], event: Any) -> None:
        for op in ops:
            self.run_op(op, event)

    def run_op(self, op: Op, event: Any) -> None:
        do = op["do"]
        if do == "call":
            end = self.end(op["end"], event)
            args = [self.value(a, event) for a in op["args"]]
            try:
                result = getattr(end, op["name"])(*args)
            except Exception as exc:  # noqa: BLE001 - the transcript shows what was raised
                self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
                if op.get("rethrow"):
                    raise
            else:
                self.log.append(f"{op['text']} -> {self.show(result)}")
        elif do == "get":
            try:
                value = getattr(self.end(op["end"], event), op["name"])
            except AttributeError:
                value = None
            self.log.append(f"{op['text']} -> {self.show(value)}")
        elif do == "set":
            try:
                setattr(self.end(op["end"], event), op["name"], self.value(op["value"], event))
            except Exception as exc:  # noqa: BLE001
                self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
            else:
                self.log.append(op["text"])
        elif do == "scribble":
            self.scratch[:] = b"\xff" * len(self.scratch)
            self.log.append(op["text"])
        elif do == "state":
            self.log.append(f"state: {self.rs()}")
        elif do == "watch":
            for name in ("a", "b"):
                for etype in ("message", "close", "error"):
                    self.ends[name].addEventListener(etype, self.listener(name, etype, "W", []))
            self.log.append("watch")
        elif do == "on":
            fn: Any = self.listener(op["end"], op["type"], op["id"], op["body"])
            if op.get("object"):
                fn = _HandlerObject(fn)  # JS {handleEvent: fn}
            self.listeners[op["id"]] = fn
            listen: list[Any] = [op["type"], fn]
            if op["options"] is not None:
                listen.append(self.value(op["options"], event))
            try:
                self.end(op["end"], event).addEventListener(*listen)
            except Exception as exc:  # noqa: BLE001
                self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
            else:
                self.log.append(op["text"])
        elif do == "log":
            self.log.append(f"{op['text']} -> {self.show(self.value(op['value'], event))}")
        elif do in ("off", "add"):
            again: list[Any] = [op["type"], self.listeners.get(op["id"])]
            if op["options"] is not None:
                again.append(self.value(op["options"], event))
            try:
                if do == "off":
                    self.end(op["end"], event).removeEventListener(*again)
                else:
                    self.end(op["end"], event).addEventListener(*again)
            except Exception as exc:  # noqa: BLE001
                self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
            else:
                self.log.append(op["text"])
        elif do == "onprop":
            handler = None
            if op["body"] is not None:
                handler = self.listener(op["end"], op["type"], "on" + op["type"], op["body"])
            setattr(self.end(op["end"], event), "on" + op["type"], handler)
            self.log.append(op["text"])
        elif do == "throw":
            self.log.append(op["text"])
            raise _ERRORS.get(op["cls"], Error)(op["message"])
        elif do == "timeout":
            self.timers += 1
            self.loop.call_later(op["ms"] / 1000, self.fire, op, event)
        elif do == "microtask":
            self.loop.call_soon(self.fire, op, event)
        elif do == "response":
            values = [self.value(a, event) for a in op["args"]]
            kwargs = values.pop() if len(values) == 2 and isinstance(values[-1], dict) else {}
            try:
                result = Response(*values, **kwargs)
            except Exception as exc:  # noqa: BLE001
                self.log.append(f"{op['text']} -> throws {_error_text(exc)}")
            else:
                self.response = result
                self.log.append(f"{op['text']} -> {render(result)} statusText={render(result.statusText)}")
        elif not self.run_other(op, event):
            raise ValueError(f"operation {do!r} cannot run here")

    def run_other(self, op: Op, event: Any) -> bool:
        """An operation only some runs know (a Durable Object's); False if this one does not."""
        return False

    def fire(self, op: Op, event: Any) -> None:
        if op["do"] == "timeout":
            self.timers -= 1
        self.log.append(f"{op['text']} ran")
        self.run_ops(op["body"], event)

    def listener(self, end: str, etype: str, ident: str, body: list[Op]) -> Callable[[Any], None]:
        def fn(event: Any) -> None:
            self.log.append(f"{end} {etype} {ident}: {_event_text(event)} | {self.rs()}")
            self.run_ops(body, event)

        return fn

    async def settle(self) -> None:
        # As driver.js waits for its log to stop growing: microtasks queued by microtasks
        # run too (call_soon callbacks are not events the kit's dispatch knows of).
        while True:
            rows = len(self.log)
            await _settle()
            for _ in range(3):
                await asyncio.sleep(0)
            if self.timers:
                await asyncio.sleep(0.001)
            elif len(self.log) == rows:
                await _settle()
                if len(self.log) == rows:
                    return


class _HandlerObject:
    """A listener given as an object with a ``handleEvent`` method (JS ``{handleEvent: fn}``)."""

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self.handleEvent = fn  # noqa: N815 - the JS name


def _js_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    if v is None:
        return "undefined"
    if isinstance(v, bytes):
        return "[object ArrayBuffer]"  # as JS's String(arrayBuffer)
    if isinstance(v, Blob):
        return "[object Blob]"
    return render(v).strip('"')


def _new_event(cls: str, args: list[Any]) -> Event:
    etype = args[0] if args else ""
    init = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    if cls == "MessageEvent":
        return MessageEvent(etype, data=init.get("data"))
    if cls == "CloseEvent":
        return CloseEvent(etype, **init)
    if cls == "ErrorEvent":
        return ErrorEvent(etype, **init)
    return Event(etype)


def _event_text(event: Any) -> str:
    if isinstance(event, MessageEvent):
        return render(event.data)
    if isinstance(event, CloseEvent):
        return f"{event.code} {render(event.reason)} wasClean={render(event.wasClean)}"
    if isinstance(event, ErrorEvent):
        return f"{render(event.message)} {render(event.error) if event.error is not None else 'undefined'}"
    return type(event).__name__


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


async def run_on_kit(ops: list[Op], date: str | None = None, flags: tuple[str, ...] = ()) -> list[str]:
    """Run compiled scenario operations on one kit pair; return the transcript rows."""
    with compatibility(date=date, flags=list(flags)):
        pair = WebSocketPair()
    run = _Run(pair)
    for op in ops:
        if op["do"] == "settle":
            await run.settle()
        elif op["do"] == "sleep":
            fut: asyncio.Future[None] = run.loop.create_future()
            run.loop.call_later(op["ms"] / 1000, _resolve, fut)
            await fut
        else:
            run.run_op(op, None)
    await run.settle()
    return run.log
