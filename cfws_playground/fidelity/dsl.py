"""Scenario steps: written once, in Python syntax, run on the kit and on real workerd.

A scenario is a list of steps about the two ends ``a`` (``pair[0]``) and ``b``
(``pair[1]``) of one ``WebSocketPair``. Each step is a line of Python, parsed
here (never executed) into plain JSON operations that two small interpreters
run: :mod:`cfws_playground.fidelity.kit` on the kit, and ``driver.js`` inside
real workerd. One source of truth, two runtimes, one transcript format.

Steps::

    "a.accept()"                      # any call on an end: logged with its result or error
    "b.accept({'allowHalfOpen': True})"
    "a.send('x')" / "a.send(b'\\x01')"  # bytes are an ArrayBuffer in JS
    "a.close(1000, 'bye')"            # None is JS undefined (as Pyodide converts it)
    "a.binaryType = 'arraybuffer'"    # a property set
    "a.readyState"                    # a property read, logged
    "state"                           # both readyStates, logged
    "watch"                           # log every message/close/error on both ends
    "on b message: b.send('echo:' + data)"   # a listener; ';' separates statements
    "on b message as L once: raise Error('boom')"
    "on b message as L object: log(data)"   # the listener as an object {handleEvent: fn}
    "off b message L"                 # removeEventListener of a named listener
    "add b message L"                 # addEventListener again with that same listener
    "log(reason)"                     # log a value (in a listener: an event field)
    "log(Blob(b'ab').slice(0, 1, 'x').type)"   # methods and properties of values
    "a.send(scratch(b'\\x01\\x02'))"     # a Uint8Array kept as the scratch buffer ...
    "scribble()"                      # ... overwritten with 0xff bytes
    "b.onmessage: b.send(data)"       # the on<type> attribute
    "settle"                          # wait until nothing more happens
    "sleep 0"                         # await a timer of N ms
    "timeout 0: a.send('t')"          # setTimeout / loop.call_later
    "microtask: a.send('m')"          # queueMicrotask / loop.call_soon
    "response(None, {'status': 101, 'webSocket': a})"   # new Response(...)
    "response(request.url, {'status': 200})"   # in a wire scenario: the request the Worker got
    "a.dispatchEvent(Event('ping'))"
    "!b.close(code, reason)"          # a call whose exception propagates (out of a listener)

Inside a listener the event's fields are names: ``data``, ``code``, ``reason``,
``wasClean``, ``message``, ``error``, ``type``; ``event`` is the event itself.
Nested blocks are written with :func:`on`, :func:`timeout` and
:func:`microtask`, whose bodies are lists of steps.

A Durable Object scenario (``Scenario(..., durable=True)``) runs its steps in
the ``fetch`` of a Durable Object, where ``ctx`` is the object's state and
more pairs can be made::

    "pair c d"                        # another WebSocketPair: c = pair[0], d = pair[1]
    "ctx.acceptWebSocket(b, ['room'])"  # any call on ctx, logged like a call on an end
    "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))"
    "webSocketMessage: ws.send('echo:' + message)"   # the object's handler, its body steps
    "webSocketClose: ws.close(code, reason)"         # also webSocketError (ws, error)
    "webSocketMessage: sleep 50; ws.send(message)"   # an async handler that awaits a timer
    "env.OBJECT.idFromString('xyz')"  # ctx.… and env.… paths (env.OBJECT: the object's namespace)
    "await ctx.storage.list({'limit': 0})"           # awaited, in the steps only
    "await all(env.OBJECT.getByName('g').gate('a', 'timer'), ...)"   # Promise.all

In a handler's body ``ws`` is the socket it was called for, and its other
arguments are names: ``message``; ``code``, ``reason``, ``wasClean``; ``error``.
Blocks: :func:`handler`.
"""

from __future__ import annotations

import ast
import re
from typing import Any

__all__ = ["ScenarioSyntaxError", "compile_steps", "handler", "microtask", "on", "timeout"]

Op = dict[str, Any]

ENDS = ("a", "b")
DURABLE_ENDS = ("a", "b", "c", "d", "e", "f", "ws")  # ws: a handler's socket
HANDLERS = ("webSocketMessage", "webSocketClose", "webSocketError")
EVENT_FIELDS = (
    "data", "code", "reason", "wasClean", "message", "error", "type",
    # every Event's own properties
    "target", "currentTarget", "isTrusted", "bubbles", "cancelable", "eventPhase", "defaultPrevented",
    "composed", "timeStamp", "returnValue", "cancelBubble",
)  # fmt: skip
EVENT_CLASSES = ("Event", "MessageEvent", "CloseEvent", "ErrorEvent")
ERROR_CLASSES = ("Error", "TypeError", "RangeError")


_END = r"(?:[a-f]|ws)"
_BLOCK_STEP = re.compile(
    rf"(on {_END} \w+(?: as \w+)?(?: once| object)?(?: \{{.*?\}}| True| False)?"
    rf"|{_END}\.on\w+|timeout \d+|microtask|webSocket(?:Message|Close|Error)): (.*)"
)


_HEADER = re.compile(rf"on ({_END}) (\w+)(?: as (\w+))?( once| object)?(?: (\{{.*\}}|True|False))?")


class ScenarioSyntaxError(ValueError):
    """A step the scenario language does not know; the message quotes the step."""


def on(header: str, *body: str | Op) -> Op:
    """A listener with a body of several steps: ``on("b message as L once", "b.send(data)", ...)``."""
    return {"block": "on", "header": header, "body": list(body)}


def timeout(ms: int, *body: str | Op) -> Op:
    """``setTimeout(() => {body}, ms)``; on the kit ``loop.call_later(ms / 1000, ...)``."""
    return {"block": "timeout", "ms": ms, "body": list(body)}


def microtask(*body: str | Op) -> Op:
    """``queueMicrotask(() => {body})``; on the kit ``loop.call_soon(...)``."""
    return {"block": "microtask", "body": list(body)}


def handler(name: str, *body: str | Op) -> Op:
    """A Durable Object's handler with a body of steps: ``handler("webSocketClose", "ws.close(1000)")``."""
    return {"block": "handler", "name": name, "body": list(body)}


class _Compiler:
    def __init__(self, *, durable: bool = False) -> None:
        self.listener_ids = 0
        self.durable = durable
        self.ends = DURABLE_ENDS if durable else ENDS
        self.in_handler = False  # ws names the handler's socket only inside a handler
        self.handler_body = False  # directly in a handler's body: 'sleep N' makes it async

    def steps(self, steps: list[str | Op], *, in_body: bool) -> list[Op]:
        ops: list[Op] = []
        for step in steps:
            ops.extend(self.step(step, in_body=in_body))
        return ops

    def step(self, step: str | Op, *, in_body: bool) -> list[Op]:
        if isinstance(step, dict):
            return [self.block(step, in_body=in_body)]
        if not isinstance(step, str):
            raise ScenarioSyntaxError(f"a step is a str or a block (on/timeout/microtask), not {step!r}")
        text = step.strip()
        if text in ("settle", "state", "watch"):
            if text == "settle" and in_body:
                raise ScenarioSyntaxError("'settle' waits, so it cannot be inside a listener or timer")
            return [{"do": text, "text": text}]
        m = re.fullmatch(r"sleep (\d+)", text)
        if m:
            if in_body and not self.handler_body:
                raise ScenarioSyntaxError("'sleep' waits, so it cannot be inside a listener or timer")
            return [{"do": "sleep", "ms": int(m[1]), "text": text}]
        m = _BLOCK_STEP.fullmatch(text)
        if m:
            header, body = m[1], m[2]
            if header.startswith("timeout"):
                return [self.block(timeout(int(header.split()[1]), *_split(body)), in_body=in_body)]
            if header == "microtask":
                return [self.block(microtask(*_split(body)), in_body=in_body)]
            if header in HANDLERS:
                return [self.block(handler(header, *_split(body)), in_body=in_body)]
            return [self.block(on(header, *_split(body)), in_body=in_body)]
        m = re.fullmatch(rf"({_END})\.on(\w+) = None", text)
        if m:
            self.check_end(m[1], text)
            return [{"do": "onprop", "end": m[1], "type": m[2], "body": None, "text": text}]
        m = re.fullmatch(rf"(off|add) ({_END}) (\w+) (\w+)(?: (.*))?", text)
        if m:
            self.check_end(m[2], text)
            options = self.expr(_parse_expr(m[5], text)) if m[5] else None
            return [{"do": m[1], "end": m[2], "type": m[3], "id": m[4], "options": options, "text": text}]
        m = re.fullmatch(r"pair ([a-f]) ([a-f])", text)
        if m and self.durable:
            if in_body:
                raise ScenarioSyntaxError(f"{text!r}: make pairs in the steps, not in a listener or handler")
            return [{"do": "pair", "ends": [m[1], m[2]], "text": text}]
        if text.startswith("await ") and self.durable:
            if in_body:
                raise ScenarioSyntaxError(f"{text!r}: 'await' waits: not in a listener or handler")
            return [{"do": "await", "value": self.expr(_parse_expr(text[6:], text)), "text": text}]
        if text.startswith("!"):
            op = self.statement(text[1:].strip())
            if op["do"] not in ("call", "ctx"):
                raise ScenarioSyntaxError(f"{text!r}: '!' (let it raise) goes before a call")
            op["rethrow"] = True
            op["text"] = text
            return [op]
        return [self.statement(text)]

    def block(self, block: Op, *, in_body: bool) -> Op:
        kind = block.get("block")
        outer, self.in_handler = self.in_handler, self.in_handler or kind == "handler"
        outer_body, self.handler_body = self.handler_body, kind == "handler"
        try:
            body = self.steps(block["body"], in_body=True)
        finally:
            self.in_handler = outer
            self.handler_body = outer_body
        if kind == "timeout":
            ms = block["ms"]
            if type(ms) is not int or ms < 0:
                raise ScenarioSyntaxError(
                    f"timeout({ms!r}, ...): the first argument is the delay, a whole number of "
                    "milliseconds (0 or more); the steps come after it"
                )
            return {"do": "timeout", "ms": ms, "body": body, "text": f"timeout {ms}"}
        if kind == "microtask":
            return {"do": "microtask", "body": body, "text": "microtask"}
        if kind == "handler":
            name = block.get("name")
            if not self.durable or name not in HANDLERS:
                raise ScenarioSyntaxError(
                    f"{name!r}: a handler is one of {', '.join(HANDLERS)}, in a Durable Object scenario"
                )
            if in_body:
                raise ScenarioSyntaxError(f"{name}: a handler is a step of its own, not inside another block")
            return {"do": "handler", "name": name, "body": body, "text": f"{name} = fn"}
        if kind != "on":
            raise ScenarioSyntaxError(f"unknown block {block!r}")
        header = block["header"]
        if not re.match(rf"on |{_END}\.on", header):
            header = "on " + header
        m = re.fullmatch(rf"({_END})\.on(\w+)", header)
        if m:
            self.check_end(m[1], header)
            return {"do": "onprop", "end": m[1], "type": m[2], "body": body, "text": f"{header} = fn"}
        m = re.fullmatch(_HEADER, header)
        if not m:
            raise ScenarioSyntaxError(
                f"a listener header looks like 'on b message [as L] [once]', not {header!r}"
            )
        self.check_end(m[1], header)
        self.listener_ids += 1
        ident = m[3] or f"L{self.listener_ids}"
        options: Any = None
        if m[5]:
            options = self.expr(_parse_expr(m[5], header))
        elif m[4] == " once":
            options = {"obj": {"once": {"v": True}}}
        obj = m[4] == " object"
        return {
            "do": "on",
            "end": m[1],
            "type": m[2],
            "id": ident,
            "options": options,
            "body": body,
            **({"object": True} if obj else {}),
            "text": f"{m[1]}.addEventListener({m[2]!r}, "
            + (f"{{handleEvent: {ident}}}" if obj else ident)
            + (f", {m[5] or '{once: true}'})" if options else ")"),
        }

    def statement(self, text: str) -> Op:
        try:
            tree = ast.parse(text, mode="exec")
        except SyntaxError as exc:
            raise ScenarioSyntaxError(f"{text!r} is not a step: {exc.msg}") from None
        if len(tree.body) != 1:
            raise ScenarioSyntaxError(f"{text!r}: one statement per step (or use ';' inside a listener body)")
        node = tree.body[0]
        if isinstance(node, ast.Raise):
            raised = node.exc
            if (
                isinstance(raised, ast.Call)
                and isinstance(raised.func, ast.Name)
                and raised.func.id in ERROR_CLASSES
                and len(raised.args) == 1
                and isinstance(raised.args[0], ast.Constant)
            ):
                return {
                    "do": "throw",
                    "cls": raised.func.id,
                    "message": str(raised.args[0].value),
                    "text": text,
                }
            raise ScenarioSyntaxError(f"{text!r}: raise Error('text'), TypeError(...) or RangeError(...)")
        if isinstance(node, ast.Assign):
            target = node.targets[0]
            if len(node.targets) == 1 and self.is_end_attr(target):
                assert isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                return {
                    "do": "set",
                    "end": target.value.id,
                    "name": target.attr,
                    "value": self.expr(node.value),
                    "text": text,
                }
            raise ScenarioSyntaxError(f"{text!r}: only a.<property> = value can be assigned")
        if not isinstance(node, ast.Expr):
            raise ScenarioSyntaxError(f"{text!r} is not a step")
        value = node.value
        if self.is_end_attr(value):
            assert isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
            return {"do": "get", "end": value.value.id, "name": value.attr, "text": text}
        if isinstance(value, ast.Call) and self.is_end_attr(value.func):
            func = value.func
            assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            if value.keywords:
                raise ScenarioSyntaxError(f"{text!r}: pass options as a dict, as in JS, not as keywords")
            return {
                "do": "call",
                "end": func.value.id,
                "name": func.attr,
                "args": [self.expr(a) for a in value.args],
                "text": text,
            }
        if isinstance(value, ast.Call) and self.is_ctx_call(value.func):
            assert isinstance(value.func, ast.Attribute)
            if value.keywords:
                raise ScenarioSyntaxError(f"{text!r}: pass options as a dict, as in JS, not as keywords")
            return {
                "do": "ctx",
                "name": value.func.attr,
                "args": [self.expr(a) for a in value.args],
                "text": text,
            }
        path = self.path(value)
        if path is not None:
            return {"do": "eval", "value": path, "text": text}
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "scribble":
            return {"do": "scribble", "text": text}
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "log":
            if len(value.args) != 1:
                raise ScenarioSyntaxError(f"{text!r}: log() takes one value")
            return {"do": "log", "value": self.expr(value.args[0]), "text": text}
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "response":
            return {"do": "response", "args": [self.expr(a) for a in value.args], "text": text}
        what = "an end (a-f), ctx or env" if self.durable else "a or b"
        raise ScenarioSyntaxError(f"{text!r}: a step calls or reads a property of {what}")

    def is_end_attr(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            return False
        if node.value.id in self.ends:
            self.check_end(node.value.id, ast.unparse(node))
            return True
        return False

    def path(self, node: ast.AST) -> Any:
        """``ctx.storage.list(...)`` / ``env.OBJECT.getByName('x').gate(...)``: a value, or None."""
        steps: list[Any] = []
        while self.durable:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
                steps.append({"call": node.func.attr, "args": [self.expr(a) for a in node.args]})
                node = node.func.value
            elif isinstance(node, ast.Attribute):
                steps.append({"get": node.attr})
                node = node.value
            elif isinstance(node, ast.Name) and node.id in ("ctx", "env") and steps:
                return {"path": node.id, "steps": steps[::-1]}
            else:
                break
        return None

    def is_ctx_call(self, node: ast.AST) -> bool:
        return (
            self.durable
            and isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ctx"
        )

    def check_end(self, end: str, text: str) -> None:
        if end == "ws" and not self.in_handler:
            raise ScenarioSyntaxError(f"{text!r}: ws is the socket of a handler, so only inside one")
        if end not in self.ends:
            raise ScenarioSyntaxError(f"{text!r}: {end} is not an end here ({', '.join(self.ends)})")

    def expr(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            v = node.value
            if v is None:
                return {"undef": True}
            if isinstance(v, bytes):
                return {"bytes": v.hex()}
            if isinstance(v, (str, int, float, bool)):
                return {"v": v}
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
        ):
            return {"v": -node.operand.value}
        if isinstance(node, ast.Name):
            if node.id in self.ends:
                self.check_end(node.id, node.id)
                return {"end": node.id}
            if node.id in EVENT_FIELDS:
                return {"ev": node.id}
            if node.id == "event":
                return {"event": True}
            if node.id == "null":
                return {"null": True}
            if node.id == "request":  # a wire scenario's request (its url, method, headers)
                return {"request": True}
            if node.id == "NaN":
                return {"v": "NaN", "num": True}
        path = self.path(node)
        if path is not None:
            return path
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            # a method of a value: Blob([b'ab']).slice(0, 1, 'x')
            of = self.expr(node.func.value)
            return {"method": node.func.attr, "of": of, "args": [self.expr(a) for a in node.args]}
        if isinstance(node, ast.Attribute):  # a property of a value: Blob(b'ab').size
            return {"attr": node.attr, "of": self.expr(node.value)}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return {"add": [self.expr(node.left), self.expr(node.right)]}
        if isinstance(node, ast.Dict):
            obj = {}
            for key, item in zip(node.keys, node.values, strict=True):
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    raise ScenarioSyntaxError("dict keys must be strings")
                obj[key.value] = self.expr(item)
            return {"obj": obj}
        if isinstance(node, ast.List):
            return {"arr": [self.expr(e) for e in node.elts]}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            args = [self.expr(a) for a in node.args]
            if name in EVENT_CLASSES:
                return {"new": name, "args": args}
            if name in ("Uint8Array", "Blob", "Object"):
                return {"new": name, "args": args}
            if name == "WebSocketRequestResponsePair" and self.durable:
                return {"new": name, "args": args}
            if name == "all" and self.durable:  # Promise.all / asyncio.gather
                return {"all": args}
            if name == "scratch" and len(node.args) == 1:  # a Uint8Array that scribble() overwrites
                return {"scratch": args[0]}
            if name == "ab":  # ab(n): an ArrayBuffer of n zero bytes
                return {"zeros": node.args[0].value if isinstance(node.args[0], ast.Constant) else 0}
            if name == "text":  # text(n): a string of n 'x'
                return {"xs": node.args[0].value if isinstance(node.args[0], ast.Constant) else 0}
        raise ScenarioSyntaxError(f"{ast.unparse(node)!r} is not a value the scenario language knows")


def _parse_expr(text: str, step: str) -> ast.expr:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ScenarioSyntaxError(f"{step!r}: {text!r} is not a value") from None


def _split(body: str) -> list[str]:
    """Split a one-line body on ';' outside string literals."""
    parts, buf, quote = [], [], ""
    i = 0
    while i < len(body):
        c = body[i]
        if quote:
            buf.append(c)
            if c == "\\" and i + 1 < len(body):
                buf.append(body[i + 1])
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
            buf.append(c)
        elif c == ";":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(c)
        i += 1
    if "".join(buf).strip():
        parts.append("".join(buf).strip())
    return [p for p in parts if p]


def compile_steps(steps: list[str | Op], *, durable: bool = False) -> list[Op]:
    """Parse a scenario's steps into the JSON operations both interpreters run.

    ``durable``: the steps of a Durable Object scenario (``ctx``, ``pair``, handlers).

    Raises:
        ScenarioSyntaxError: a step is not in the language; the message quotes it.
    """
    return _Compiler(durable=durable).steps(list(steps), in_body=False)
