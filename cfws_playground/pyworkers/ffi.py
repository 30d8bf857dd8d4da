"""``pyodide.ffi`` for code the kit runs: ``to_js``, ``to_py``, ``create_proxy``, ``JsProxy``, ...

In Pyodide these cross the boundary between Python and JavaScript. In the kit
"JavaScript" values are Python objects already, so each function makes the
same shape Pyodide would: ``to_js(dict)`` gives a JS ``Map`` (a :class:`JsMap`),
or with ``dict_converter=Object.fromEntries`` a JS object (a :class:`JsObject`);
both are dicts whose ``to_py()`` gives plain Python back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "JsBuffer",
    "JsException",
    "JsMap",
    "JsObject",
    "JsProxy",
    "create_once_callable",
    "create_proxy",
    "destroy_proxies",
    "to_js",
    "to_py",
]


class JsProxy:
    """Base class of the kit's JavaScript-side values (``isinstance(x, JsProxy)`` works as in Pyodide)."""

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self


class JsException(Exception):  # noqa: N818 - Pyodide's name
    """Mirrors ``pyodide.ffi.JsException``: a JavaScript error seen from Python."""

    def __init__(self, message: str = "", name: str = "Error") -> None:
        super().__init__(message)
        self.name = name
        self.message = message


class JsMap(dict, JsProxy):  # type: ignore[type-arg]
    """A JS ``Map`` made by ``to_js(dict)``."""

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return {k: to_py(v) for k, v in self.items()}


class JsObject(dict, JsProxy):  # type: ignore[type-arg]
    """A plain JS object (``Object.fromEntries``): keys read as attributes too."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return {k: to_py(v) for k, v in self.items()}


def to_js(
    obj: Any,
    *,
    depth: int = -1,
    pyproxies: Any = None,
    create_pyproxies: bool = True,
    dict_converter: Callable[[Any], Any] | None = None,
    default_converter: Any = None,
    eager_converter: Any = None,
) -> Any:
    """Mirrors ``pyodide.ffi.to_js``: lists stay lists (JS Arrays), dicts become ``Map`` s
    (or what ``dict_converter`` makes of their entries), bytes become a ``Uint8Array``
    (a ``bytes`` with ``slice()``, ``buffer`` and ``to_bytes()``)."""
    if isinstance(obj, Mapping) and not isinstance(obj, JsProxy):
        entries = [(k, to_js(v, dict_converter=dict_converter)) for k, v in obj.items()]
        if dict_converter is not None:
            return dict_converter(entries)
        return JsMap(entries)
    if isinstance(obj, (list, tuple)):
        return [to_js(v, dict_converter=dict_converter) for v in obj]
    if isinstance(obj, (bytes, bytearray, memoryview)) and not isinstance(obj, JsProxy):
        from .jsobjects import JsUint8Array

        return JsUint8Array(obj)  # a Uint8Array (a copy), with .buffer, as Pyodide makes it
    return obj


def to_py(obj: Any, *, depth: int = -1, default_converter: Any = None) -> Any:
    """Mirrors ``JsProxy.to_py()`` as a function: plain Python values from JS-shaped ones."""
    if isinstance(obj, JsProxy):
        return obj.to_py()
    if isinstance(obj, list):
        return [to_py(v) for v in obj]
    return obj


class JsBuffer(JsProxy):
    """Mirrors ``pyodide.ffi.JsBuffer`` (a typed array or ArrayBuffer), for type checks."""


class _BufferView:
    def __init__(self, data: bytes) -> None:
        from .jsobjects import JsUint8Array  # the JS side's view of the bytes

        self.data = JsUint8Array(data)

    def release(self) -> None:
        pass


class _BytesProxy:
    """``create_proxy(bytes)``: what the SDK asks of it (``getBuffer().data``, ``destroy()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def getBuffer(self) -> _BufferView:
        return _BufferView(self._data)

    def destroy(self) -> None:
        pass


class _FutureProxy:
    """``create_proxy(task)``: awaitable as the task is, with ``destroy()``."""

    def __init__(self, future: asyncio.Future[Any]) -> None:
        self._future = future

    def __await__(self) -> Any:
        return self._future.__await__()

    def destroy(self) -> None:
        pass


def create_proxy(obj: Any, *, capture_this: bool = False, roundtrip: bool = True) -> Any:
    """Mirrors ``create_proxy``: nothing to keep alive here, so the object itself (bytes: a buffer view)."""
    if isinstance(obj, bytes):
        return _BytesProxy(obj)
    if isinstance(obj, asyncio.Future):
        return _FutureProxy(obj)  # a task handed to JS (waitUntil) and destroyed when it settles
    return obj


def create_once_callable(obj: Callable[..., Any], *, _may_syncify: bool = False) -> Callable[..., Any]:
    """Mirrors ``create_once_callable``: the callable itself."""
    return obj


def destroy_proxies(proxies: Any) -> None:
    """Mirrors ``destroy_proxies``: nothing to free."""
