"""JavaScript's ``Promise``, ``setTimeout`` and ``clearTimeout`` for code the kit runs, as in Pyodide.

``from js import Promise, setTimeout`` works as in a Python Worker, on the
kit's event loop (:mod:`cfws_playground.dispatch`):

- ``Promise.resolve(v)``, ``Promise.reject(e)`` and ``Promise.new(executor)``
  (the executor runs at once with ``resolve`` and ``reject``) give a ``JsProxy``
  of a promise: awaitable from Python, with ``then``, ``catch`` and ``finally_``.
  Awaiting it resumes the coroutine the way Pyodide does: the promise's
  reaction (a microtask) resolves a future, whose callback resumes the task.
- ``then(f)`` from Python is Pyodide's overload, which keeps ``f`` alive until
  it has run (so a plain function works, unlike ``addEventListener``). Measured
  in workerd: ``f`` runs two ``call_soon`` turns after the promise's reaction,
  so with the global ``MessageChannel`` it still runs before the next event
  (``py-order-promise-then-vs-message``) and without it after the events already
  queued. A proxy destroyed before it runs is no handler: the value passes
  through (``py-proxy-call-after-destroy``). An exception ``f`` raises rejects
  the promise ``then`` returned, and comes back to Python as itself
  (``py-throws-python-error-into-js``).
- ``setTimeout(f, ms)`` is a JS timer: it fires once no event is queued, and is
  never a ``call_soon`` (as WebLoop's short ``call_later`` is). It returns a
  number, or from compatibility date 2026-08-04 a ``Timeout`` (a JsProxy), for
  ``clearTimeout`` (``nodejs_compat`` and the ``enable_nodejs_global_timers`` it
  implies, which give a ``Timeout`` at earlier dates too, are not modelled). ``f`` must be a proxy
  (``create_proxy``), as in Pyodide: a plain function is lent for the call only,
  and when the timer fires workerd logs ``Uncaught Error: This borrowed proxy was
  automatically destroyed ...`` instead of running it.
- A Python exception leaving Python for JavaScript (a timer's callback, a
  promise's executor) becomes Pyodide's ``PythonError``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Generator
from typing import Any

from ..dispatch import queue_microtask, set_timer
from .ffi import JsDoubleProxy, JsException, JsOnceCallable, JsProxy
from .jsproxy import BORROWED, DEBUG_HINT, python_error

__all__ = ["JsPromiseProxy", "Promise", "Timeout", "clearTimeout", "setTimeout"]

log = logging.getLogger("cfws_playground")

_PENDING, _FULFILLED, _REJECTED = "pending", "fulfilled", "rejected"


class JsPromiseProxy(JsProxy):
    """A JS ``Promise`` as Pyodide shows it: a ``JsProxy`` you can ``await``, with ``then``,
    ``catch`` and ``finally_``."""

    __slots__ = ("_state", "_value", "_reactions")

    def __init__(self) -> None:
        self._state = _PENDING
        self._value: Any = None
        self._reactions: list[Callable[[str, Any], object]] = []

    # ------------------------------------------------------------ settling (the JS side)

    def _resolve(self, value: Any) -> None:
        if self._state is not _PENDING:
            return
        if value is self:
            cycle = JsException("Chaining cycle detected for promise #<Promise>", "TypeError")
            self._settle(_REJECTED, cycle)
        elif isinstance(value, JsPromiseProxy):
            value._react(lambda state, v: self._settle(state, v))  # adopt its state, a job later
        else:
            self._settle(_FULFILLED, value)

    def _reject(self, reason: Any) -> None:
        if self._state is _PENDING:
            self._settle(_REJECTED, reason)

    def _settle(self, state: str, value: Any) -> None:
        if self._state is not _PENDING:
            return
        self._state, self._value = state, value
        reactions, self._reactions = self._reactions, []
        for reaction in reactions:
            self._job(reaction)

    def _job(self, reaction: Callable[[str, Any], object]) -> None:
        state, value = self._state, self._value

        def job() -> None:
            reaction(state, value)

        queue_microtask(job)

    def _react(self, reaction: Callable[[str, Any], object]) -> None:
        """Run ``reaction(state, value)`` as a microtask once the promise is settled."""
        if self._state is _PENDING:
            self._reactions.append(reaction)
        else:
            self._job(reaction)

    # ------------------------------------------------------------ Python's side

    def then(self, onfulfilled: Any = None, onrejected: Any = None) -> JsPromiseProxy:
        """Mirrors ``promise.then(onfulfilled, onrejected)`` with Pyodide's overload (see the module)."""
        derived = JsPromiseProxy()
        loop = asyncio.get_running_loop()

        def run(state: str, value: Any) -> None:
            handler = _handler(onfulfilled if state is _FULFILLED else onrejected)
            if handler is None:
                (derived._resolve if state is _FULFILLED else derived._reject)(value)
                return
            try:
                result = handler(value)
            except Exception as exc:  # noqa: BLE001 - rejects the derived promise, as in JS
                derived._reject(exc)
            else:
                derived._resolve(result)

        # The reaction job, then two call_soon turns, then the handler (measured in workerd).
        self._react(lambda state, value: loop.call_soon(loop.call_soon, run, state, value))
        return derived

    def catch(self, onrejected: Any) -> JsPromiseProxy:
        """Mirrors ``promise.catch(onrejected)``."""
        return self.then(None, onrejected)

    def finally_(self, onfinally: Any) -> JsPromiseProxy:
        """Mirrors ``promise.finally(onfinally)`` (``finally`` is a Python keyword)."""

        def fulfilled(value: Any) -> Any:
            onfinally()
            return value

        def rejected(reason: Any) -> Any:
            onfinally()
            raise _as_exception(reason)

        return self.then(fulfilled, rejected)

    @property
    def settled(self) -> bool:
        """Fulfilled or rejected (what ``run_sync`` can read without waiting)."""
        return self._state is not _PENDING

    def outcome(self) -> Any:
        """A settled promise's value; its reason raised if it was rejected."""
        if self._state is _FULFILLED:
            return self._value
        raise _as_exception(self._value)

    def __await__(self) -> Generator[Any, None, Any]:
        future = asyncio.get_running_loop().create_future()

        def settle(state: str, value: Any) -> None:
            if future.cancelled():
                return
            if state is _FULFILLED:
                future.set_result(value)
            else:
                future.set_exception(_as_exception(value))

        self._react(settle)
        return (yield from future.__await__())

    @property
    def constructor(self) -> Any:
        from .jsobjects import constructor

        return constructor("Promise")

    @property
    def typeof(self) -> str:
        return "object"

    def __repr__(self) -> str:
        return "[object Promise]"

    __str__ = __repr__


JsPromiseProxy.__name__ = JsPromiseProxy.__qualname__ = "JsProxy"  # as Pyodide names every JsProxy
JsPromiseProxy.__module__ = "pyodide.ffi"


def _handler(fn: Any) -> Callable[[Any], Any] | None:
    """The function a handler given to ``then`` is: none for ``None`` and for a destroyed proxy."""
    if fn is None:
        return None
    if isinstance(fn, JsDoubleProxy) and fn._destroyed:
        return None
    if isinstance(fn, JsOnceCallable) and fn._called:
        return None
    if not callable(fn):
        return None  # JS ignores a handler that is not a function
    return fn  # type: ignore[no-any-return]


def _as_exception(reason: Any) -> BaseException:
    """What a rejection raises in Python: the exception itself, or JS's ``Error`` of a plain value."""
    if isinstance(reason, BaseException):
        return reason
    return JsException(str(reason), "Error")


class _Function(JsProxy):
    """``resolve`` or ``reject`` as an executor gets it: a JS function."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self._fn = fn

    def __call__(self, value: Any = None) -> None:
        self._fn(value)

    @property
    def typeof(self) -> str:
        return "function"


class Promise:
    """JavaScript's ``Promise``: ``Promise.new(executor)``, ``Promise.resolve(v)``, ``Promise.reject(e)``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise JsException(
            "Promise constructor cannot be invoked without 'new'",
            name="TypeError",
        )

    @staticmethod
    def new(executor: Any) -> JsPromiseProxy:
        if not callable(executor):
            raise JsException(f"Promise resolver {executor!r} is not a function", name="TypeError")
        promise = JsPromiseProxy()
        try:
            executor(_Function(promise._resolve), _Function(promise._reject))
        except Exception as exc:  # noqa: BLE001 - the executor's exception rejects the promise
            promise._reject(exc if isinstance(exc, JsException) else python_error(exc))
        return promise

    @staticmethod
    def resolve(value: Any = None) -> JsPromiseProxy:
        if isinstance(value, JsPromiseProxy):
            return value
        promise = JsPromiseProxy()
        promise._resolve(value)
        return promise

    @staticmethod
    def reject(reason: Any = None) -> JsPromiseProxy:
        promise = JsPromiseProxy()
        promise._reject(reason)
        return promise


# ---------------------------------------------------------------------- timers

_timers: dict[int, asyncio.TimerHandle] = {}
_next_id = 0


class Timeout(JsProxy):
    """What ``setTimeout`` returns in workerd: a ``Timeout`` object (a JsProxy), for ``clearTimeout``."""

    __slots__ = ("_id",)

    def __init__(self, timer_id: int) -> None:
        self._id = timer_id

    @property
    def constructor(self) -> Any:
        from .jsobjects import constructor

        return constructor("Timeout")

    def __repr__(self) -> str:
        return "[object Timeout]"

    __str__ = __repr__


Timeout.__name__ = Timeout.__qualname__ = "JsProxy"
Timeout.__module__ = "pyodide.ffi"


#: From this compatibility date ``nodejs_compat`` is on by default in workerd, and with it
#: ``enable_nodejs_global_timers``: ``setTimeout`` returns a ``Timeout`` object, not a number
#: (measured in ``py-set-timeout-forms``).
NODE_TIMERS_FROM = "2026-08-04"


def setTimeout(callback: Any, delay: Any = 0, *args: Any) -> Timeout | int:  # noqa: N802 - JS name
    """JavaScript's ``setTimeout(callback, ms, ...args)`` (see the module's notes): a ``Timeout``
    from :data:`NODE_TIMERS_FROM`, a number before."""
    from ..compat import compatibility

    global _next_id
    if not callable(callback):
        raise JsException(
            "Failed to execute 'setTimeout' on 'ServiceWorkerGlobalScope': parameter 1 is not of type "
            "'Function'.",
            name="TypeError",
        )
    borrowed = not isinstance(callback, JsProxy)  # lent for this call only, as Pyodide lends it
    _next_id += 1
    timer_id = _next_id
    try:
        ms = max(float(delay or 0), 0.0)
    except (TypeError, ValueError):
        ms = 0.0

    def fire() -> None:
        _timers.pop(timer_id, None)
        try:
            if borrowed:
                raise JsException(BORROWED + DEBUG_HINT, name="Error")
            callback(*args)
        except Exception as exc:  # noqa: BLE001 - workerd reports what a timer's callback throws
            view = exc if isinstance(exc, JsException) else python_error(exc)
            log.error("Uncaught %s: %s", view.name, view.message)

    _timers[timer_id] = set_timer(ms / 1000, fire)
    date = compatibility.current().date
    return Timeout(timer_id) if date is None or date >= NODE_TIMERS_FROM else timer_id


def clearTimeout(timeout: Any = None) -> None:  # noqa: N802 - JS name
    """JavaScript's ``clearTimeout(timeout)`` (a ``Timeout`` or its number): the timer does not fire;
    anything else is ignored."""
    if isinstance(timeout, Timeout):
        timeout = timeout._id
    handle = _timers.pop(timeout, None) if isinstance(timeout, int) else None
    if handle is not None:
        handle.cancel()
