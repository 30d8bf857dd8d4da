"""The request context: timers and tasks a Worker starts while serving a request end with it.

workerd runs each request in an ``IoContext``; when the request ends (the
response is sent and ``waitUntil`` work is done, or, for a WebSocket, the
connection has ended) the timers and promises started in it are dropped: a
``setTimeout`` set in a ``message`` listener never fires after the client has
gone (observed on workerd 2026-11-17, ``workerd-observed.md`` §7), and one
set after it ended (in the ``close`` listener run for a dropped client) never
fires either.

The kit models it on asyncio: code run for a request runs in a
:mod:`contextvars` context that names its :class:`RequestScope`. While a
server runs, its loop's ``call_at`` and ``call_later`` and its task
factory note each timer and task made in a scope; :meth:`RequestScope.end`
cancels those still pending. The kit's own scheduling passes
:data:`KIT_CONTEXT` so that it never belongs to a request.

A Durable Object has a scope of its own (workerd gives each object its own
``IoContext``): the timers and tasks its code starts are what keep it from
hibernating (:mod:`cfws_playground.durable`).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

from .dispatch import Timer

__all__ = ["KIT_CONTEXT", "RequestScope", "install", "other_scope"]

_scope: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "cfws_request_scope", default=None
)

#: A context outside every request, for the runtime's own callbacks.
KIT_CONTEXT = contextvars.Context()


def other_scope(context: contextvars.Context) -> bool:
    """Whether ``context`` names a request scope other than the one code runs in now.

    A socket a Durable Object accepted belongs to the object's ``IoContext``, not to
    the request of the connection that delivers its events: workerd runs the object's
    listeners there, so what they start outlives that connection (measured with Pyodide
    in workerd 2026-11-23: an ``async def`` close listener of Cloudflare's WebSocket
    server example runs after its client has gone).
    """
    scope = context.get(_scope)
    return scope is not None and scope is not _scope.get()


class _Timer:
    """A timer set in a scope: its handle, and whether it has fired."""

    __slots__ = ("args", "callback", "due", "fired", "handle", "sleeper", "__weakref__")

    def __init__(self, callback: Callable[..., object], args: tuple[Any, ...]) -> None:
        self.callback = callback
        self.args = args
        self.fired = False
        self.handle: asyncio.TimerHandle | None = None
        # The runtime's wrapper, when the loop hands the expired timer to the runtime: the
        # Worker's callback then waits in the runtime's queue, and the timer is pending until
        # it runs (a request that ends meanwhile still cancels it; found by the generator:
        # gen-5d255ada, where the flush that ends the close handshake and a 0 ms timer
        # expire together).
        self.due = callback if isinstance(callback, Timer) else None
        # asyncio.sleep() sets a timer that resolves the sleeper's future (a function of
        # asyncio.futures, the future as its first argument): the task that sleeps counts.
        if isinstance(callback, Timer):  # the runtime's wrapper around the timer's callback
            args = callback.args
            callback = callback.callback
        self.sleeper = getattr(callback, "__module__", None) == "asyncio.futures" and bool(
            args and isinstance(args[0], asyncio.Future)
        )

    def run(self) -> None:
        self.fired = True
        self.callback(*self.args)

    def live(self) -> bool:
        if self.handle is None or self.handle.cancelled():
            return False
        return not self.fired or (self.due is not None and not self.due.ran)


class RequestScope:
    """The timers and tasks started while serving one request."""

    __slots__ = ("ended", "tasks", "timers")

    def __init__(self) -> None:
        # Held by the handles asyncio keeps while they are scheduled, and by nothing else.
        self.timers: weakref.WeakSet[_Timer] = weakref.WeakSet()
        self.tasks: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self.ended = False

    def enter(self, context: contextvars.Context) -> None:
        """Make code run in ``context`` belong to this request."""
        context.run(_scope.set, self)

    def pending(self, *, besides: tuple[object, ...] = ()) -> tuple[int, int]:
        """How many of its timers and tasks are still pending (leaving out ``besides``).

        A timer that only wakes a sleeping coroutine (``asyncio.sleep``) is not
        counted: the task that sleeps is.
        """
        skip = {id(b) for b in besides}
        timers = sum(1 for t in self.timers if t.live() and id(t.handle) not in skip and not t.sleeper)
        tasks = sum(1 for t in self.tasks if not t.done() and id(t) not in skip)
        return timers, tasks

    def _live_timers(self) -> list[asyncio.TimerHandle]:
        return [t.handle for t in self.timers if t.live() and t.handle is not None]

    def end(self) -> tuple[int, int]:
        """The request ended: cancel its pending timers and tasks; return how many of each."""
        self.ended = True
        timers = self._live_timers()
        for handle in timers:
            handle.cancel()
        try:
            current = asyncio.current_task()
        except RuntimeError:
            current = None
        tasks = [t for t in self.tasks if not t.done() and t is not current]
        for task in tasks:
            task.cancel()
        return len(timers), len(tasks)


_installed: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def install(loop: asyncio.AbstractEventLoop) -> None:
    """Note timers and tasks made in a request scope on ``loop`` (once per loop)."""
    if loop in _installed:
        return
    _installed.add(loop)
    # Both ways in are wrapped: CPython's call_later goes through call_at, Pyodide's
    # WebLoop does the reverse (its call_later calls setTimeout itself, and so does its
    # call_soon, through call_later(0)). A timer is noted once, by whichever wrapper is
    # entered first; nothing call_soon schedules is a timer.
    busy = False

    def scoped(schedule: Callable[..., asyncio.TimerHandle]) -> Callable[..., asyncio.TimerHandle]:
        def scoped_schedule(
            at: float, callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
        ) -> asyncio.TimerHandle:
            nonlocal busy
            scope = _scope.get() if context is None else context.get(_scope)
            if scope is None or busy:
                return schedule(at, callback, *args, context=context)
            busy = True
            try:
                if scope.ended:
                    # Set after its request ended (a close listener run for a dropped client):
                    # workerd never fires it (measured on workerd 2026-11-23:
                    # wire-timer-in-close-listener-after-drop).
                    handle = schedule(at, callback, *args, context=context)
                    handle.cancel()
                    return handle
                timer = _Timer(callback, args)
                timer.handle = handle = schedule(at, timer.run, context=context)
                scope.timers.add(timer)
                return handle
            finally:
                busy = False

        return scoped_schedule

    loop.call_at = scoped(loop.call_at)  # type: ignore[method-assign,assignment]
    loop.call_later = scoped(loop.call_later)  # type: ignore[method-assign,assignment]
    call_soon = loop.call_soon

    def unscoped_call_soon(
        callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        # WebLoop's call_soon is a call_later(0): a callback run soon is not a timer.
        nonlocal busy
        if busy:
            return call_soon(callback, *args, context=context)
        busy = True
        try:
            return call_soon(callback, *args, context=context)
        finally:
            busy = False

    loop.call_soon = unscoped_call_soon  # type: ignore[method-assign,assignment]

    def track(task: object, context: contextvars.Context | None) -> None:
        scope = _scope.get() if context is None else context.get(_scope)
        if scope is not None and not scope.ended and isinstance(task, asyncio.Task):
            scope.tasks.add(task)

    if sys.platform == "emscripten":
        # Pyodide's WebLoop, once given a task factory, names each task with
        # a private helper of asyncio.tasks that Python 3.13 removed: every create_task
        # would raise AttributeError. There the loop's create_task is wrapped instead.
        create_task = loop.create_task

        def scoped_create_task(coro: Coroutine[Any, Any, Any], **kwargs: Any) -> asyncio.Task[Any]:
            task = create_task(coro, **kwargs)
            track(task, kwargs.get("context"))
            return task

        loop.create_task = scoped_create_task  # type: ignore[method-assign]
        return

    previous = loop.get_task_factory()

    def scoped_task(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
    ) -> asyncio.Future[Any]:
        if previous is not None:
            task = previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        track(task, kwargs.get("context"))
        return task

    loop.set_task_factory(scoped_task)  # type: ignore[arg-type]
