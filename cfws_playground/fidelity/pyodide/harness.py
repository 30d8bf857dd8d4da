"""Run one Python scenario and return its transcript: the same file on both sides.

Inside workerd it is written into Pyodide's file system as ``_cfws_harness``
and imported there; on the kit it is imported with the dialect's modules
(``js``, ``pyodide.ffi``, ``workers``) in place. A scenario is a program as a
Python Workers developer writes it, with top-level ``await``; it writes its
transcript with ``print``, and ``show(value)`` names a value and its type as
Python sees it (``JsProxy(ArrayBuffer)``, ``jsnull``, ``bytes 6869``, ...).

Its Durable Object, when it has one, is the first subclass of the SDK's
``DurableObject`` it defines; ``env.OBJECT`` is its namespace (wrapped as the
SDK wraps ``env`` for a Worker).
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["call_declared", "make_object", "run", "run_json", "show"]

_LONG = 64


def _module(name: str) -> Any:
    """``pyodide.ffi`` or ``workers``: Pyodide's and the SDK's inside workerd, the dialect's on the kit."""
    return importlib.import_module(name)


_state: dict[str, Any] = {"rows": None, "cls": None}


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _short(text: str) -> str:
    """Long text cut, and memory addresses (``<memory at 0x1a2b>``) made the same on every run."""
    text = _ADDRESS.sub(" at 0x…", text)
    return text if len(text) <= _LONG else text[:_LONG] + f"…({len(text)})"


def _js_class(value: Any) -> str:
    try:
        name = value.constructor.name
    except Exception:  # noqa: BLE001 - no constructor: say what typeof says
        name = None
    if isinstance(name, str) and name:
        return name
    return str(getattr(value, "typeof", "?"))


def show(value: Any) -> str:
    """``value`` as the transcript writes it: its Python type, and what it holds."""
    ffi = _module("pyodide.ffi")

    jsnull = getattr(ffi, "jsnull", _show_missing)
    if value is None:
        return "None"
    if value is jsnull:
        return "jsnull"
    if isinstance(value, BaseException):
        return describe_exception(value)
    if isinstance(value, ffi.JsProxy):
        return f"JsProxy({_js_class(value)})"
    if isinstance(value, (bool, int, float)):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, str):
        return f"str {_short(value)!r}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return f"{type(value).__name__}[{len(data)}] {_short(data.hex())}".rstrip()
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} [" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "dict {" + ", ".join(f"{k!r}: {show(v)}" for k, v in value.items()) + "}"
    return type(value).__name__


_show_missing = object()


def describe_exception(exc: BaseException) -> str:
    """``JsException(TypeError): text`` for a JS error, ``ValueError: text`` for a Python one."""
    ffi = _module("pyodide.ffi")

    if isinstance(exc, ffi.JsException):
        return f"JsException({getattr(exc, 'name', '?')}): {_last_line(str(getattr(exc, 'message', exc)))}"
    return f"{type(exc).__name__}: {_last_line(str(exc))}"


def _last_line(text: str) -> str:
    """A traceback carried in a message (Pyodide's ``PythonError``) by its last line, shortened."""
    lines = text.strip().splitlines()
    return _short(lines[-1] if len(lines) > 1 else text)


def _print(*args: Any, sep: str = " ", end: str = "\n", **_ignored: Any) -> None:
    rows = _state["rows"]
    text = sep.join(str(a) for a in args)
    if rows is not None:
        rows.extend(text.split("\n"))


async def _sleep_settle(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def run(code: str, settle: Callable[[], Awaitable[None]], env: Any = None) -> list[str]:
    """Run the scenario ``code``; after it returns, ``settle()`` lets pending events arrive."""
    rows: list[str] = []
    _state["rows"], _state["cls"] = rows, None
    namespace: dict[str, Any] = {"__name__": "__main__", "print": _print, "show": show}
    if env is not None:
        namespace["env"] = _wrap_env(env)
    try:
        compiled = compile(code, "<scenario>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        _state["namespace"] = namespace
        result = eval(compiled, namespace)  # noqa: S307 - the scenario library's own programs
        if result is not None:
            await result
    except Exception as exc:  # noqa: BLE001 - the transcript says what escaped the program
        rows.append(f"uncaught {describe_exception(exc)}")
    await settle()
    _state["rows"] = None
    return rows


async def run_json(code: str, settle: float, env: Any = None) -> str:
    """:func:`run` for the JS side: a settle time in seconds, the rows as JSON."""
    return json.dumps(await run(code, lambda: _sleep_settle(settle), env))


def _wrap_env(env: Any) -> Any:
    return _module("workers")._EnvWrapper(env)


def _object_class() -> type:
    durable_object = _module("workers").DurableObject

    for value in _state.get("namespace", {}).values():
        if isinstance(value, type) and issubclass(value, durable_object) and value is not durable_object:
            return value
    raise TypeError("the scenario defines no DurableObject class")


def make_object(ctx: Any, env: Any) -> Any:
    """The scenario's Durable Object class, made for ``ctx`` and ``env`` (its ``__init__`` wraps them)."""
    return _object_class()(ctx, env)


def call_declared(method: Any, *args: Any) -> Any:
    """``method(*args)`` with only as many positional arguments as it declares (all with ``*args``):
    a handler written ``async def alarm(self)`` is called without the alarm's details."""
    import inspect

    try:
        params = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return method(*args)
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return method(*args)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return method(*args[: len(positional)])
