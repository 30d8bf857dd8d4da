"""JavaScript promise semantics for the runtime's asynchronous calls: work starts when called.

In JavaScript, ``storage.put(k, v)`` does its work when it is *called*; the
promise it returns only reports the outcome. A Python Worker that forgets the
``await`` (``self.ctx.storage.setAlarm(t)``) still sets the alarm on Cloudflare.
A Python coroutine would not run at all, so the runtime's asynchronous methods
return a :class:`JsPromise` instead:

* :func:`settled` runs a synchronous operation now and holds its value or its
  exception (storage calls, whose work the kit does at once);
* :func:`started` starts a coroutine as a task now (a stub's ``fetch``, an RPC call).

Either way the result is awaitable later, any number of times, and has JS's
``then`` (which Cloudflare's SDK looks for to recognise a promise). A rejected
promise nobody awaited is reported as workerd reports it: a warning line
``Uncaught (in promise) ...`` on the ``cfws_playground`` logger.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Generic, TypeVar

from . import errors

__all__ = ["GATE_HOLDS", "JsPromise", "gate_held", "settled", "started", "stored"]

T = TypeVar("T")
log = logging.getLogger("cfws_playground")

#: In a Durable Object's context: how many of its storage awaits are in progress. While
#: one is, the object's input gate lets no other event in (workerd: a storage operation
#: holds the input gate; awaiting a timer or other I/O does not).
GATE_HOLDS: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("cfws_gate_holds", default=None)


def gate_held() -> bool:
    """True while code in the current context is parked on a storage await."""
    holds = GATE_HOLDS.get()
    return holds is not None and holds[0] > 0


class JsPromise(Generic[T]):
    """An operation already under way (or done); ``await`` it for its value.

    Mirrors a JS ``Promise`` as Pyodide shows one: awaitable, with ``then``.
    """

    __slots__ = ("_value", "_error", "_task", "_seen", "_gated", "__weakref__")

    def __init__(
        self,
        value: Any = None,
        error: BaseException | None = None,
        task: asyncio.Future[T] | None = None,
        gated: bool = False,
    ) -> None:
        self._value = value
        self._error = error
        self._task = task
        self._seen = False  # awaited (or chained) at least once
        self._gated = gated  # a storage call's: awaiting it holds the input gate

    def __await__(self) -> Generator[Any, None, T]:
        self._seen = True
        if self._task is not None:
            return (yield from self._task.__await__())
        # Awaiting a settled JS promise still yields: its reaction is a microtask, queued
        # behind those already queued, which run first (gen-bbaab5ac, gen-5afe560b).
        holds = GATE_HOLDS.get() if self._gated else None
        if holds is None:
            yield None
        else:
            holds[0] += 1
            try:
                yield None
            finally:
                holds[0] -= 1
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[no-any-return]

    def then(
        self, on_fulfilled: Callable[[Any], Any] | None = None, on_rejected: Any = None
    ) -> JsPromise[Any]:
        """Mirrors ``promise.then(onFulfilled, onRejected)``."""

        async def chain() -> Any:
            try:
                value = await self
            except Exception as exc:  # noqa: BLE001 - handed to onRejected, as JS does
                if on_rejected is None:
                    raise
                return on_rejected(exc)
            return value if on_fulfilled is None else on_fulfilled(value)

        return started(chain())

    def __del__(self) -> None:
        if not self._seen and self._error is not None:
            error = self._error
            log.warning("Uncaught (in promise) %s: %s", errors.js_name(error), errors.js_message(error))

    def __repr__(self) -> str:
        if self._task is not None and not self._task.done():
            return "Promise { <pending> }"
        state = "<rejected>" if self._error is not None else repr(self._value)
        return f"Promise {{ {state} }}"


def settled(operation: Callable[..., T], *args: Any, **kwargs: Any) -> JsPromise[T]:
    """Run ``operation(*args, **kwargs)`` now; the promise holds its value or its exception.

    Argument errors too become a rejected promise, as jsg turns what a
    promise-returning method throws into a rejection.
    """
    return _run_now(operation, args, kwargs, False)


def stored(operation: Callable[..., T], *args: Any, **kwargs: Any) -> JsPromise[T]:
    """:func:`settled`, for a storage call: awaiting it holds the object's input gate."""
    return _run_now(operation, args, kwargs, True)


def _run_now(
    operation: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], gated: bool
) -> JsPromise[T]:
    # No local names the promise: a rejection's traceback holds these frames, and the
    # promise must be dropped (and reported, if never awaited) when its last user lets go.
    try:
        return JsPromise(operation(*args, **kwargs), gated=gated)
    except Exception as exc:  # noqa: BLE001 - the rejection, reported when awaited
        return JsPromise(error=exc, gated=gated)


def started(coro: Coroutine[Any, Any, T]) -> JsPromise[T]:
    """Start ``coro`` now, as a task of the running loop; the promise awaits it."""
    task = asyncio.ensure_future(coro)
    promise: JsPromise[T] = JsPromise(task=task)

    def report(fut: asyncio.Future[T]) -> None:
        if not fut.cancelled() and fut.exception() is not None:
            promise._error = fut.exception()  # retrieved: reported by the promise if never awaited

    task.add_done_callback(report)
    return promise
