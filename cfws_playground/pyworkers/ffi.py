"""``pyodide.ffi`` for code the kit runs: ``to_js``, ``to_py``, ``create_proxy``, ``JsProxy``, ...

In Pyodide these cross the boundary between Python and JavaScript. In the kit
"JavaScript" values are Python objects already, so each function makes the
same shape Pyodide would: ``to_js(dict)`` gives a JS ``Map`` (a :class:`JsMap`),
or with ``dict_converter=Object.fromEntries`` a JS object (a :class:`JsObject`);
both are dicts whose ``to_py()`` gives plain Python back.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Generator, Mapping
from typing import Any

from ..steps import relay

__all__ = [
    "JsBuffer",
    "JsDoubleProxy",
    "JsException",
    "JsMap",
    "JsObject",
    "JsNull",
    "JsOnceCallable",
    "JsProxy",
    "JsUint8Array",
    "create_once_callable",
    "create_proxy",
    "destroy_proxies",
    "jsnull",
    "run_sync",
    "to_js",
    "to_py",
]


class JsProxy:
    """Base class of the kit's JavaScript-side values (``isinstance(x, JsProxy)`` works as in Pyodide)."""

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self


class JsException(Exception):  # noqa: N818 - Pyodide's name
    """Mirrors ``pyodide.ffi.JsException``: a JavaScript error seen from Python.

    ``name`` and ``message`` are the JS error's; ``str(e)`` is ``"name: message"``, as in Pyodide.
    """

    _js_error = True  # the runtime labels it with its JS name, as workerd's "Uncaught TypeError: ..."

    def __init__(self, message: str = "", name: str = "Error") -> None:
        super().__init__(message)
        self.name = name
        self.message = message

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"

    def __repr__(self) -> str:
        return f"JsException({str(self)!r})"


JsException.__module__ = "pyodide.ffi"  # as a traceback names it: pyodide.ffi.JsException: TypeError: ...


class JsNull:
    """JavaScript's ``null`` as Pyodide shows it: the one value ``jsnull`` (``None`` is ``undefined``)."""

    __slots__ = ()
    _instance: JsNull | None = None

    def __new__(cls) -> JsNull:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "jsnull"

    def __reduce__(self) -> str:
        return "jsnull"


#: JavaScript's ``null``. Python's ``None`` crosses to JavaScript as ``undefined``.
jsnull = JsNull()


class _Ctor:
    """What ``value.constructor`` reads: an object with the class's ``name``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, objtype: type | None = None) -> _Ctor:
        return self

    def __repr__(self) -> str:
        return f"[Function: {self.name}]"


class JsMap(dict, JsProxy):  # type: ignore[type-arg]
    """A JS ``Map`` made by ``to_js(dict)``."""

    constructor = _Ctor("Map")

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return {k: to_py(v) for k, v in self.items()}


#: Pyodide's text for ``x[k]`` on a JsProxy that is neither an array nor a ``Map``.
NOT_SUBSCRIPTABLE = "'pyodide.ffi.JsProxy' object is not subscriptable"


class JsObject(dict, JsProxy):  # type: ignore[type-arg]
    """A plain JS object (``Object.fromEntries``, ``JSON.parse``): its properties read as attributes
    (``obj.a``); ``obj["a"]`` raises ``TypeError``, as a JsProxy of an object does in Pyodide."""

    constructor = _Ctor("Object")

    def __getattr__(self, name: str) -> Any:
        try:
            return dict.__getitem__(self, name)
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: Any) -> Any:
        raise TypeError(NOT_SUBSCRIPTABLE)

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
        return JsArray(to_js(v, dict_converter=dict_converter) for v in obj)
    if isinstance(obj, (bytes, bytearray, memoryview)) and not isinstance(obj, JsProxy):
        return JsUint8Array(bytes(obj))
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


class JsArray(list, JsProxy):  # type: ignore[type-arg]
    """A JS ``Array`` (``to_js(list)``, or one the runtime returns): a list here, and a JS value
    for the runtime."""

    constructor = _Ctor("Array")

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return [to_py(v) for v in self]


class JsUint8Array(bytes, JsBuffer):
    """A ``Uint8Array`` made by ``to_js(bytes)``: what ``ws.send()`` sends as a binary message.

    (Plain ``bytes`` cross to JavaScript as a Python object, which ``send()`` turns into its text.)
    As in Pyodide it is a JsProxy: equal only to itself, not to the bytes it was made from
    (``to_bytes()`` gives those back), and unhashable.
    """

    constructor = _Ctor("Uint8Array")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __hash__ = None  # type: ignore[assignment]

    @property
    def byteLength(self) -> int:
        return len(self)

    @property
    def buffer(self) -> Any:
        from .jsproxy import JsArrayBufferProxy

        return JsArrayBufferProxy(bytes(self))

    def slice(self, start: int = 0, end: int | None = None) -> JsUint8Array:
        """Mirrors ``slice(start, end)``: a copy of that range."""
        return JsUint8Array(bytes(self)[start:end])

    def to_bytes(self) -> bytes:
        return bytes(self)

    def to_memoryview(self) -> memoryview:
        return memoryview(bytes(self))

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return memoryview(bytes(self))


class _BufferView:
    def __init__(self, data: bytes) -> None:
        self.data = JsUint8Array(data)  # the JS side's view of the bytes

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


# Pyodide's texts for a proxy called when it may no longer be.
DESTROYED = (
    "Object has already been destroyed"
    "\nFor more information about the cause of this error, use `pyodide.setDebug(true)`"
)
ONCE_CALLED = "OnceProxy can only be called once"


class JsDoubleProxy(JsProxy):
    """What ``create_proxy(fn)`` gives: ``fn`` kept alive for JavaScript until ``destroy()``.

    Calling it after ``destroy()`` raises ``JsException`` (``Error: Object has already been
    destroyed``), from Python as from JavaScript.
    """

    __slots__ = ("_obj", "_destroyed")

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self._destroyed = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._destroyed:
            raise JsException(DESTROYED, name="Error")
        obj = self._obj
        if not callable(obj):
            obj = obj.handleEvent  # an EventListener object, called by the runtime
        return obj(*args, **kwargs)

    def destroy(self) -> None:
        self._destroyed = True

    def unwrap(self) -> Any:
        return self._obj

    def __repr__(self) -> str:
        return f"<JsDoubleProxy of {self._obj!r}>"


class JsOnceCallable(JsProxy):
    """What ``create_once_callable(fn)`` gives: ``fn`` for one call, then destroyed.

    A second call raises ``JsException`` (``Error: OnceProxy can only be called once``).
    """

    __slots__ = ("_fn", "_called")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self._called = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._called:
            raise JsException(ONCE_CALLED, name="Error")
        self._called = True
        return self._fn(*args, **kwargs)

    def destroy(self) -> None:
        self._called = True

    def __repr__(self) -> str:
        return f"<JsOnceCallable of {self._fn!r}>"


def create_proxy(obj: Any, *, capture_this: bool = False, roundtrip: bool = True) -> Any:
    """Mirrors ``create_proxy``: a function (or an object with ``handleEvent``) JavaScript may keep.

    Without it, a Python function given to a JS call is only lent for that call:
    ``ws.addEventListener("message", fn)`` is accepted, and when the event fires the
    runtime finds a destroyed proxy (see :mod:`.jsproxy`). Other values need no
    keeping here and come back as they are (bytes: a buffer view).
    """
    if isinstance(obj, bytes):
        return _BytesProxy(obj)
    if asyncio.isfuture(obj):
        return _FutureProxy(obj)  # a task handed to JS (waitUntil) and destroyed when it settles
    if callable(obj) or callable(getattr(obj, "handleEvent", None)):
        return JsDoubleProxy(obj)
    return obj


def create_once_callable(obj: Callable[..., Any], *, _may_syncify: bool = False) -> Callable[..., Any]:
    """Mirrors ``create_once_callable``: callable once, then destroyed."""
    return JsOnceCallable(obj)


def destroy_proxies(proxies: Any) -> None:
    """Mirrors ``destroy_proxies``: ``destroy()`` each."""
    for proxy in proxies:
        destroy = getattr(proxy, "destroy", None)
        if destroy is not None:
            destroy()


#: What run_sync() says when it has to wait on a loop that cannot run re-entrantly.
RUN_SYNC_PENDING = (
    "run_sync() of an awaitable that has to wait needs an event loop that can run re-entrantly: "
    "Pyodide suspends the whole Python stack with JSPI; on CPython's asyncio loop the kit runs the "
    "loop inside the call (nest-asyncio2) until the awaitable is done, which this loop (uvloop, "
    "Pyodide's WebLoop without JSPI) cannot do; await it instead"
)
#: How many times run_sync() steps an awaitable that is ready again at once (a bare yield).
_RUN_SYNC_STEPS = 10_000
# Loops made re-entrant for run_sync().
_reentrant: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def run_sync(awaitable: Any) -> Any:
    """Mirrors ``pyodide.ffi.run_sync``: the awaitable's result, from synchronous code.

    In Python Workers it suspends the whole Python stack (JSPI) until the awaitable
    settles, whatever it waits for, and the isolate runs other events meanwhile
    (measured: ``py-run-sync-*``). Here, inside the running loop, it first steps the
    awaitable for as long as it needs no waiting: a coroutine that finishes, a settled
    promise (a storage call's, ``Promise.resolve(v)``), ``asyncio.sleep(0)``, a future
    that is already done come back without running anything else. One that must wait
    for a timer, I/O or another task goes on in the loop, run re-entrantly inside this
    call (nest-asyncio2, applied to the loop then) until it is done; other events run
    meanwhile, as in workerd. A loop that cannot run re-entrantly (uvloop, Pyodide's
    WebLoop) raises ``RuntimeError`` (:data:`RUN_SYNC_PENDING`) and the awaitable is
    closed. With no loop running it runs the awaitable to its end.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:

        async def run() -> Any:
            return await awaitable

        return asyncio.run(run())
    from .jsasync import JsPromiseProxy

    if isinstance(awaitable, JsPromiseProxy) and awaitable.settled:
        return awaitable.outcome()
    if asyncio.isfuture(awaitable):
        if awaitable.done():
            return awaitable.result()
        return _wait(loop, awaitable, None)
    steps = awaitable.__await__()
    waiting: Any = None
    for _ in range(_RUN_SYNC_STEPS):
        try:
            waiting = steps.send(None)
        except StopIteration as done:
            return done.value
        if waiting is None or (asyncio.isfuture(waiting) and waiting.done()):
            continue  # ready again at once: asyncio would resume it on the next turn
        break

    async def rest() -> Any:
        return await _Rest(steps, waiting)

    return _wait(loop, rest(), steps, waiting)


class _Rest:
    """The rest of an awaitable run_sync() began to step: what it waits for now, then its steps."""

    def __init__(self, steps: Any, waiting: Any) -> None:
        self.steps = steps
        self.waiting = waiting

    def __await__(self) -> Generator[Any, None, Any]:
        # a future still marked blocking, or None: the task waits for it, then the steps go on
        return (yield from relay(self.steps, self.waiting))


def _wait(loop: asyncio.AbstractEventLoop, awaitable: Any, steps: Any, waiting: Any = None) -> Any:
    """Run ``loop`` inside this call until ``awaitable`` is done (run_sync() that has to wait)."""
    if loop not in _reentrant:
        # nest-asyncio2 patches CPython's loops only; uvloop's and WebLoop are no BaseEventLoop.
        try:
            if not isinstance(loop, asyncio.BaseEventLoop):
                raise ImportError
            import nest_asyncio2
        except ImportError:
            if asyncio.isfuture(waiting):
                waiting.cancel()
            for begun in (awaitable, steps):  # the coroutine run_sync() made, and the one it stepped
                close = getattr(begun, "close", None)
                if callable(close) and not asyncio.isfuture(begun):
                    close()
            raise RuntimeError(RUN_SYNC_PENDING) from None
        run = asyncio.run
        nest_asyncio2.apply(loop)
        # run_sync() needs the loop re-entrant, not a nesting asyncio.run(): that one would
        # keep one loop open for every later asyncio.run() and leave each one's tasks running.
        setattr(asyncio, "run", run)  # noqa: B010 - put back what apply() replaced
        _reentrant.add(loop)
    from .. import dispatch

    with dispatch.runtime(loop).suspended():
        return loop.run_until_complete(awaitable)
