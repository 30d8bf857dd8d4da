"""JavaScript values as Python Workers code sees them through Pyodide: ``JsProxy`` objects.

The kit's runtime objects (:class:`~cfws_playground.WebSocket`, its events, a
Durable Object's ``ctx``) are Pythonic. Code written for Python Workers gets
them through this layer instead, which behaves as Pyodide 0.28 does inside
workerd (each fact measured there; the library's Python scenarios replay them):

- ``WebSocketPair.new()`` is a ``JsProxy``: ``pair[0]`` raises ``TypeError``,
  ``pair.object_values()`` / ``Object.values(pair)`` give the two ends.
- An end is a ``JsProxy``: a new one each time the socket crosses into Python, so
  ``is`` compares wrappers and ``==`` compares sockets; it is unhashable.
- Events are ``JsProxy`` objects; a text ``data`` is ``str``, a binary one a
  ``JsProxy`` of an ``ArrayBuffer`` (``to_bytes()``) or a ``Blob`` (``await arrayBuffer()``).
- Arguments cross as Pyodide converts them: ``None`` is ``undefined``, ``jsnull``
  is ``null`` (``close(1000, jsnull)`` sends the reason ``"null"``), and anything
  that is not a string or a JS buffer is sent as its text (``send(b"..")`` sends
  ``"b'..'"``; binary needs ``to_js(data)``).
- A Python function given to ``addEventListener`` without ``create_proxy`` is a
  borrowed proxy, destroyed when the call returns: when the event fires, calling
  it raises ``Error: This borrowed proxy was automatically destroyed ...``, which
  the socket reports as any raising listener (see :mod:`.ffi`).
- Errors the runtime throws reach Python as ``JsException`` with JS's ``name``.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import math
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .. import events as _events
from ..socket import WebSocket, WebSocketPair
from ..socket.convert import MISSING as _MISSING
from .ffi import (
    NOT_SUBSCRIPTABLE,
    JsArray,
    JsBuffer,
    JsDoubleProxy,
    JsException,
    JsMap,
    JsNull,
    JsObject,
    JsOnceCallable,
    JsProxy,
    JsUint8Array,
    jsnull,
)

__all__ = [
    "JsArrayBufferProxy",
    "JsBlobProxy",
    "JsEventProxy",
    "JsPlainObject",
    "JsWebSocketPair",
    "JsWebSocket",
    "from_runtime",
    "js_errors",
    "python_error",
    "to_runtime",
]

log = logging.getLogger("cfws_playground")

#: workerd's log line for a listener that was a borrowed proxy (Pyodide's text).
BORROWED = (
    "This borrowed proxy was automatically destroyed at the end of a function call. "
    "Try using create_proxy or create_once_callable."
)
BORROWED_ATTRIBUTE = (
    "This borrowed attribute proxy was automatically destroyed in the process of destroying "
    "the proxy it was borrowed from. Try using the 'copy' method."
)
DEBUG_HINT = "\nFor more information about the cause of this error, use `pyodide.setDebug(true)`"
CANNOT_CLONE = "[object Object] could not be cloned."
TAGS_NOT_ARRAY = (
    "Failed to execute 'acceptWebSocket' on 'DurableObjectState': parameter 2 is not of type 'Array'."
)

#: The kit's own line, printed once, when a borrowed listener is called.
BORROWED_HINT = (
    "A Python function was passed to addEventListener() without create_proxy(). In Python Workers "
    "it is lent to JavaScript only for that call and destroyed when the call returns, so when the "
    "event fires it does not run: workerd logs 'Uncaught Error: This borrowed proxy was automatically "
    "destroyed ...' and the socket is errored. Keep it alive with "
    "ws.addEventListener(type, create_proxy(fn)) (or create_once_callable(fn) for one call)."
)
_hinted = False


@contextlib.contextmanager
def js_errors() -> Iterator[None]:
    """What the runtime throws, as Pyodide raises it in Python: a ``JsException`` with JS's ``name``."""
    try:
        yield
    except JsException:
        raise
    except Exception as exc:  # noqa: BLE001 - every JS error crosses as JsException
        if getattr(exc, "_from_python", False) is True:
            raise  # Python code called from JS raised it: Pyodide gives it back unchanged
        name = getattr(exc, "name", None)
        if not isinstance(name, str):
            name = type(exc).__name__
        message = getattr(exc, "message", None)
        raise JsException(message if isinstance(message, str) else str(exc), name=name) from exc


def _js_number(value: float) -> str:
    """JS ``String(number)`` for the common cases (an int, a float, NaN, Infinity)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def js_string(value: Any) -> str:
    """``String(x)`` in JS for what a Python value becomes when it crosses."""
    if isinstance(value, str):
        return value
    if value is None:
        return "undefined"
    if isinstance(value, JsNull):
        return "null"
    if isinstance(value, (bool, int, float)):
        return _js_number(value)
    if isinstance(value, JsMap):
        return "[object Map]"
    if isinstance(value, JsObject):
        return "[object Object]"
    if isinstance(value, JsArray):  # Array.prototype.toString: the elements joined by ","
        return ",".join("" if v is None or isinstance(v, JsNull) else js_string(v) for v in value)
    return str(value)  # a PyProxy's toString() is Python's str()


# ---------------------------------------------------------------------- crossing


def to_runtime(value: Any) -> Any:
    """A value the dialect hands to the kit's runtime: the kit's object behind a JsProxy."""
    if isinstance(value, _Wrapper):
        return value._js
    if isinstance(value, list) and any(isinstance(v, _Wrapper) for v in value):
        return [to_runtime(v) for v in value]
    return value


def from_runtime(value: Any) -> Any:
    """A value the kit's runtime returns, as Pyodide would show it to Python."""
    if isinstance(value, WebSocket):
        return JsWebSocket(value)
    if isinstance(value, WebSocketPair):
        return JsWebSocketPair(value)
    if isinstance(value, _events.Event):
        return JsEventProxy(value)
    if isinstance(value, (bytes, bytearray)) and not isinstance(value, JsProxy):
        return JsArrayBufferProxy(bytes(value))
    if isinstance(value, _events.Blob):
        return JsBlobProxy(value)
    if isinstance(value, list):
        return JsArray(from_runtime(v) for v in value)  # a JS Array
    if isinstance(value, BaseException) and isinstance(getattr(value, "_js_view", None), JsException):
        return value._js_view  # type: ignore[attr-defined]  # a Python exception that crossed into JS
    if isinstance(value, BaseException) and not isinstance(value, JsException):
        name = getattr(value, "name", None)
        return JsException(str(value), name=name if isinstance(name, str) else type(value).__name__)
    return value


class _Wrapper(JsProxy):
    """A JsProxy over one of the kit's objects: attribute reads go to it; ``==`` compares it."""

    __slots__ = ("_js",)
    _js_class = "Object"

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_js", target)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            value = getattr(self._js, name)
        except AttributeError:
            raise AttributeError(name) from None
        if callable(value):
            return _method(value, name)
        return from_runtime(value)

    @property
    def constructor(self) -> Any:
        from .jsobjects import constructor

        return constructor(self._js_class)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Wrapper) and other._js is self._js

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # Pyodide: unhashable type: 'pyodide.ffi.JsProxy'

    def __getitem__(self, key: Any) -> Any:
        raise TypeError(NOT_SUBSCRIPTABLE)

    @property
    def typeof(self) -> str:
        return "object"

    def __repr__(self) -> str:
        return f"[object {self._js_class}]"

    __str__ = __repr__

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self


class JsFunction(JsProxy):
    """A JS function read without calling it (``ws.send``): a JsProxy you can call."""

    __slots__ = ("_fn", "_name")

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self._fn = fn
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    @property
    def constructor(self) -> Any:
        from .jsobjects import constructor

        return constructor("Function")

    @property
    def typeof(self) -> str:
        return "function"

    def __repr__(self) -> str:
        return f"function {self._name}() {{ [native code] }}"

    __str__ = __repr__


class _JsMethod:
    """A method of a JS object: read from an instance, a :class:`JsFunction` bound to it."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return JsFunction(self._fn.__get__(obj, objtype), self.__name__)


def _method(fn: Callable[..., Any], name: str = "") -> JsFunction:
    def call(*args: Any, **kwargs: Any) -> Any:
        with js_errors():
            result = fn(*(to_runtime(a) for a in args), **{k: to_runtime(v) for k, v in kwargs.items()})
        return from_runtime(result)

    return JsFunction(call, name or getattr(fn, "__name__", ""))


# ---------------------------------------------------------------------- binary data


class JsArrayBufferProxy(JsBuffer):
    """A JS ``ArrayBuffer``: ``to_bytes()``, ``to_memoryview()``, ``byteLength``; not ``bytes`` itself."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    @property
    def constructor(self) -> Any:
        from .jsobjects import constructor

        return constructor("ArrayBuffer")

    @property
    def byteLength(self) -> int:
        return len(self._data)

    def to_bytes(self) -> bytes:
        return self._data

    def to_memoryview(self) -> memoryview:
        return memoryview(self._data)

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return memoryview(self._data)

    def __bytes__(self) -> bytes:
        raise TypeError("cannot convert 'pyodide.ffi.JsProxy' object to bytes")

    def __repr__(self) -> str:
        return "[object ArrayBuffer]"

    __str__ = __repr__


class JsBlobProxy(_Wrapper):
    """A JS ``Blob``: ``size``, ``type``, ``await arrayBuffer()`` (an ``ArrayBuffer``), ``await text()``."""

    __slots__ = ()
    _js_class = "Blob"

    async def arrayBuffer(self) -> JsArrayBufferProxy:
        return JsArrayBufferProxy(self._js._data)

    async def bytes(self) -> JsUint8Array:
        return JsUint8Array(self._js._data)

    def __bytes__(self) -> builtins.bytes:
        raise TypeError("cannot convert 'pyodide.ffi.JsProxy' object to bytes")


def _to_send(message: Any) -> Any:
    """What ``ws.send(x)`` sends: JS buffers as binary, every other value as its JS string."""
    if isinstance(message, JsArrayBufferProxy):
        return message._data
    if isinstance(message, JsBuffer) and isinstance(message, bytes):
        return bytes(message)  # to_js(bytes): a Uint8Array
    if isinstance(message, JsBlobProxy):
        return message._js
    return js_string(message)


# ---------------------------------------------------------------------- events


class JsEventProxy(_Wrapper):
    """An event as a listener gets it: ``type``, then ``data`` or ``code, reason, wasClean``
    or ``message, error``."""

    __slots__ = ()

    @property
    def _js_class(self) -> str:  # type: ignore[override]
        return type(self._js).__name__

    def __getattr__(self, name: str) -> Any:
        value = super().__getattr__(name)
        if value is None and name == "origin":
            return jsnull  # JS null
        return value


# ---------------------------------------------------------------------- listeners


def _borrowed(listener: Any) -> Callable[[Any], Any]:
    """What a plain Python listener is to JS after ``addEventListener`` returns: a destroyed proxy."""
    attribute = not callable(listener) and callable(getattr(listener, "handleEvent", None))
    text = (BORROWED_ATTRIBUTE if attribute else BORROWED) + DEBUG_HINT

    def destroyed(event: Any) -> None:
        global _hinted
        if not _hinted:  # once per process, on stderr: in a notebook, a terminal and serve's log alike
            _hinted = True
            print(f"cfws-playground: {BORROWED_HINT}", file=sys.stderr)
        raise JsException(text, name="Error")

    return destroyed


def _calling(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call(event: Any) -> Any:
        try:
            return fn(from_runtime(event))
        except JsException:
            raise  # a JS error (a destroyed proxy's) goes on as the JS error it is
        except Exception as exc:
            with contextlib.suppress(AttributeError):
                exc._from_python = True  # type: ignore[attr-defined]
                # What the runtime reports is the PythonError it became in JavaScript (as it was
                # dispatched); Python code that called into JS (dispatchEvent) gets exc back.
                exc._js_view = python_error(exc, dispatched=True)  # type: ignore[attr-defined]
            raise

    return call


def python_error(exc: BaseException, *, dispatched: bool = False) -> JsException:
    """The JS error a Python exception becomes when it leaves Python for JavaScript: Pyodide's
    ``PythonError``, whose message is the traceback of the Python frames (the kit's own left out).

    An event listener's exception is reported by workerd as that ``PythonError`` from
    compatibility date 2026-09-15 (``spec_compliant_dispatch_exceptions``: message ``Uncaught
    PythonError: Traceback ...``); before, as an ``Error`` whose message is ``"PythonError: "``
    and the traceback (``Uncaught Error: PythonError: Traceback ...``), measured in
    ``py-event-error-from-raising-listener``.
    """
    import os
    import traceback

    from ..compat import compatibility

    kit = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(kit)]
    text = "".join(traceback.format_exception_only(type(exc), exc))
    if frames:
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + text
    if dispatched and not compatibility.current().spec_compliant_dispatch_exceptions:
        return JsException("PythonError: " + text, name="Error")
    return JsException(text, name="PythonError")


#: workerd's text (WebIDL) for a listener that is neither a function nor an object.
NOT_A_LISTENER = (
    "Failed to execute 'addEventListener' on 'EventTarget': "
    "parameter 2 is not of type 'function or HandlerObject'."
)


def _js_listener(listener: Any, cache: dict[int, tuple[Any, Callable[[Any], Any]]]) -> Any:
    """The function the runtime keeps for a Python listener (the same one for the same proxy)."""
    if listener is None or isinstance(listener, JsNull):
        return None
    if isinstance(listener, (str, int, float, bool)):  # JS primitives: not an EventListener
        raise JsException(NOT_A_LISTENER, name="TypeError")
    if isinstance(listener, (JsDoubleProxy, JsOnceCallable)):
        kept = cache.get(id(listener))
        if kept is None or kept[0] is not listener:
            target = listener
            if isinstance(listener, JsDoubleProxy) and not callable(listener.unwrap()):
                handle = getattr(listener.unwrap(), "handleEvent", None)
                if callable(handle):
                    target = JsDoubleProxy(handle)
            kept = (listener, _calling(target))
            cache[id(listener)] = kept
        return kept[1]
    return _borrowed(listener)


# ---------------------------------------------------------------------- sockets

_ATTACHABLE = (str, int, float, bool, type(None))


class JsPlainObject(_Wrapper):
    """A plain JS object read back from the runtime: attributes, ``to_py()``; not subscriptable."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self._js[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return dict(self._js)


def _attachable(value: Any) -> Any:
    """What ``serializeAttachment`` can clone: JS values, not Python containers (a PyProxy)."""
    if isinstance(value, JsNull) or isinstance(value, _ATTACHABLE):
        return value
    if isinstance(value, JsObject):
        return {k: _attachable(v) for k, v in value.items()}
    if isinstance(value, list) and isinstance(value, JsProxy):
        return [_attachable(v) for v in value]
    raise JsException(CANNOT_CLONE, name="DataCloneError")


def _attached(value: Any) -> Any:
    if isinstance(value, dict):
        return JsPlainObject({k: _attached(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_attached(v) for v in value]
    return value


class JsWebSocket(_Wrapper):
    """One end of a pair, as Pyodide shows a JS ``WebSocket`` (see the module's notes)."""

    __slots__ = ()
    _js_class = "WebSocket"
    CONNECTING, OPEN, CLOSING, CLOSED = 0, 1, 2, 3

    @property
    def _listeners(self) -> dict[int, tuple[Any, Callable[[Any], Any]]]:
        ws = self._js
        cache: dict[int, tuple[Any, Callable[[Any], Any]]] | None = ws.__dict__.get("_py_listeners")
        if cache is None:
            cache = ws.__dict__["_py_listeners"] = {}
        return cache

    @property
    def url(self) -> Any:
        return jsnull if self._js.url is None else self._js.url

    @_JsMethod
    def send(self, message: Any = _MISSING, *_extra: Any) -> None:
        with js_errors():
            self._js.send(message if message is _MISSING else _to_send(message))

    @_JsMethod
    def close(self, code: Any = None, reason: Any = None, *_extra: Any) -> None:
        with js_errors():
            if reason is None:
                self._js.close(code)
            else:
                self._js.close(code, js_string(reason))

    @_JsMethod
    def addEventListener(self, type: str, listener: Any, options: Any = None, *_extra: Any) -> None:  # noqa: A002
        fn = _js_listener(listener, self._listeners)
        with js_errors():
            if fn is not None:
                self._js.addEventListener(type, fn, _options(options))

    @_JsMethod
    def removeEventListener(self, type: str, listener: Any, options: Any = None, *_extra: Any) -> None:  # noqa: A002
        kept = self._listeners.get(id(listener))
        if kept is None or kept[0] is not listener:
            return  # a plain function crosses as a new proxy: it matches nothing registered
        with js_errors():
            self._js.removeEventListener(type, kept[1], _options(options))

    @_JsMethod
    def serializeAttachment(self, value: Any, *_extra: Any) -> None:
        with js_errors():
            self._js.serializeAttachment(_attachable(value))

    @_JsMethod
    def deserializeAttachment(self, *_extra: Any) -> Any:
        if self._js._attachment is _MISSING:
            return jsnull
        return _attached(self._js.deserializeAttachment())

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("on"):
            # Setting an attribute makes a proxy that is never destroyed: it keeps working.
            fn = None
            if value is not None and not isinstance(value, JsNull):
                fn = _calling(value)
                fn.__dict__["python"] = value
            setattr(self._js, name, fn)
            return
        if name == "binaryType":
            self._js.binaryType = js_string(value)
            return
        setattr(self._js, name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("on") and name in ("onmessage", "onclose", "onerror", "onopen"):
            fn = getattr(self._js, name)
            return None if fn is None else getattr(fn, "python", fn)
        return super().__getattr__(name)


def _options(options: Any) -> Any:
    if isinstance(options, JsObject):
        return dict(options)
    return options


class JsWebSocketPair(_Wrapper):
    """``WebSocketPair.new()``: a JsProxy; ``pair[0]`` raises, ``object_values()`` gives the ends."""

    __slots__ = ()
    _js_class = "WebSocketPair"

    def object_values(self) -> JsArray:
        return JsArray([JsWebSocket(self._js[0]), JsWebSocket(self._js[1])])

    def object_keys(self) -> JsArray:
        return JsArray(["0", "1"])

    def __getattr__(self, name: str) -> Any:
        if name in ("0", "1"):  # getattr(pair, "0"): the JS property
            return JsWebSocket(self._js[int(name)])
        return super().__getattr__(name)

    def object_entries(self) -> list[list[Any]]:
        return [[str(i), ws] for i, ws in enumerate(self.object_values())]

    def as_object_map(self) -> dict[Any, JsWebSocket]:
        client, server = self.object_values()
        return {"0": client, "1": server, 0: client, 1: server}

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_values())  # measured: iterating the pair gives both ends

    def __len__(self) -> int:
        raise TypeError("object of type 'pyodide.ffi.JsProxy' has no len()")


class JsDurableObjectState(_Wrapper):
    """A Durable Object's ``ctx`` as Python code gets it: sockets cross as :class:`JsWebSocket`.

    ``storage`` is the kit's own, its SQLite APIs raising ``JsException`` (:mod:`.jsstorage`);
    anything else that is not about sockets is the kit's own object.
    """

    __slots__ = ()
    _js_class = "DurableObjectState"
    _PASS = frozenset({"abort", "waitUntil", "blockConcurrencyWhile", "id", "container"})

    def __getattr__(self, name: str) -> Any:
        if name == "storage":
            from .jsstorage import JsStorage  # it imports this module

            return JsStorage(self._js.storage)
        if name in self._PASS:
            return getattr(self._js, name)
        return super().__getattr__(name)

    @_JsMethod
    def acceptWebSocket(self, ws: Any, tags: Any = None, *_extra: Any) -> None:  # noqa: N802 - the runtime's name
        if isinstance(tags, (list, tuple)) and not isinstance(tags, JsArray):
            # A Python list crosses as a PyProxy, which is no JS Array: to_js(tags) is.
            raise JsException(TAGS_NOT_ARRAY, name="TypeError")
        with js_errors():
            self._js.acceptWebSocket(to_runtime(ws), *(() if tags is None else (list(tags),)))


# Pyodide shows every one of them as the same class: type(x).__name__ == "JsProxy".
for _cls in (JsWebSocket, JsWebSocketPair, JsEventProxy, JsBlobProxy, JsPlainObject, JsDurableObjectState):
    _cls.__name__ = _cls.__qualname__ = "JsProxy"
    _cls.__module__ = "pyodide.ffi"
JsArrayBufferProxy.__name__ = JsArrayBufferProxy.__qualname__ = "JsProxy"  # a JsBuffer, as in Pyodide
JsArrayBufferProxy.__module__ = "pyodide.ffi"
