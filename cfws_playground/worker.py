"""Worker entry points: ``fetch`` handlers, ``WorkerEntrypoint``, ``ctx``, and one request in-process.

A Worker is any of: a module-level ``async def fetch(request, env, ctx)`` (or a
module holding one), an object with such a method, or a class in the Python
Workers form ``class Default(WorkerEntrypoint): async def fetch(self, request)``.
:func:`dispatch_fetch` runs one request and returns the ``Response``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import types
from collections.abc import Awaitable, Callable
from typing import Any

from . import errors
from .http import Request, Response

__all__ = ["ExecutionContext", "WorkerEntrypoint", "call_loosely", "dispatch_fetch"]

log = logging.getLogger("cfws_playground")

NOT_A_RESPONSE = "Incorrect type for Promise: the Promise did not resolve to 'Response'."

# ---------------------------------------------------------------------- Workers


class ExecutionContext:
    """Mirrors the ``ctx`` argument of ``fetch``: ``waitUntil()`` and ``passThroughOnException()``."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Future[Any]] = set()

    def waitUntil(self, promise: Awaitable[Any]) -> None:
        """Mirrors ``ctx.waitUntil()``: keep working on ``promise`` after the response is sent.

        The coroutine runs as a task; an exception it raises is logged, as workerd does.
        """
        fut = asyncio.ensure_future(promise)
        self._tasks.add(fut)
        fut.add_done_callback(self._done)

    def _done(self, fut: asyncio.Future[Any]) -> None:
        self._tasks.discard(fut)
        exc = None if fut.cancelled() else fut.exception()
        if exc is not None:
            log.warning(
                "Uncaught (in promise) %s: %s (in ctx.waitUntil)", errors.js_name(exc), errors.js_message(exc)
            )

    def passThroughOnException(self) -> None:
        """Mirrors ``ctx.passThroughOnException()``: there is no origin to fall back to here; no effect."""

    async def _wait(self) -> None:
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    def _cancel(self) -> None:
        for fut in list(self._tasks):
            fut.cancel()


class WorkerEntrypoint:
    """The Python Workers base class: ``class Default(WorkerEntrypoint): async def fetch(self, request)``.

    An instance is made for each request with ``self.ctx`` and ``self.env``.
    """

    def __init__(self, ctx: ExecutionContext, env: Any) -> None:
        self.ctx = ctx
        self.env = env


def _arity(fn: Callable[..., Any]) -> int:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 3
    n = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return 3
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return min(n, 3)


@functools.lru_cache(maxsize=512)
def _positional(fn: Callable[..., Any]) -> int | None:
    """How many positional arguments ``fn`` takes (None: any number)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    n = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


def call_loosely(fn: Callable[..., Any], *args: Any) -> Any:
    """Call a handler as workerd calls one: arguments it does not take are dropped.

    JavaScript ignores extra arguments, so ``async def fetch(self)`` or
    ``def webSocketClose(self, ws, code, reason)`` work on Cloudflare.
    """
    target = getattr(fn, "__func__", fn)
    try:
        n = _positional(target)
    except TypeError:  # unhashable callable object
        n = None
    if n is not None and target is not fn:
        n -= 1  # a bound method: self is given already
    return fn(*args) if n is None else fn(*args[: max(n, 0)])


def _find_handler(worker: Any) -> Callable[[Request, Any, ExecutionContext], Any]:
    """Turn any accepted form of Worker into ``call(request, env, ctx)``.

    Raises:
        TypeError: ``worker`` has no ``fetch``.
    """
    if isinstance(worker, types.ModuleType):
        for name in ("fetch", "on_fetch", "Default", "default"):
            target = getattr(worker, name, None)
            if target is not None:
                return _find_handler(target)
        raise TypeError(
            f"module {worker.__name__!r} defines no fetch handler (async def fetch(request, env, ctx))"
        )
    if isinstance(worker, type):
        if not callable(getattr(worker, "fetch", None)):
            raise TypeError(f"class {worker.__name__} has no fetch method")
        cls = worker

        def call_class(request: Request, env: Any, ctx: ExecutionContext) -> Any:
            instance = cls(ctx, env)
            return _call(instance.fetch, request, env, ctx)

        return call_class
    fn: Any
    if inspect.isfunction(worker) or inspect.ismethod(worker) or inspect.isbuiltin(worker):
        fn = worker
    else:
        fn = getattr(worker, "fetch", None)
        if not callable(fn):
            if callable(worker):
                fn = worker
            else:
                raise TypeError(f"{type(worker).__name__} object has no fetch method")
    assert fn is not None

    def call_fn(request: Request, env: Any, ctx: ExecutionContext) -> Any:
        return _call(fn, request, env, ctx)

    return call_fn


def _call(fn: Callable[..., Any], request: Request, env: Any, ctx: ExecutionContext) -> Any:
    return fn(*(request, env, ctx)[: max(1, _arity(fn))])


async def _run_fetch(
    handler: Callable[[Request, Any, ExecutionContext], Any],
    request: Request,
    env: Any,
    ctx: ExecutionContext,
) -> Response:
    result = handler(request, env, ctx)
    if inspect.isawaitable(result):
        result = await result
    if not isinstance(result, Response):
        raise TypeError(NOT_A_RESPONSE)
    return result._for_runtime()


async def dispatch_fetch(
    worker: Any,
    request: Request | str,
    *,
    env: Any = None,
    ctx: ExecutionContext | None = None,
) -> Response:
    """Run ``worker``'s ``fetch`` for one request, in-process, and return its ``Response``.

    Nothing is sent, so a returned WebSocket is not coupled to anything: use
    :func:`connect` or :func:`~cfws_playground.bridge.serve` for that.

    Args:
        worker: a ``fetch`` function, an object or module with one, or a
            ``WorkerEntrypoint`` subclass.
        request: a :class:`Request`, or a URL for a plain GET.
        env: the ``env`` the Worker sees (bindings); an empty namespace by default.
        ctx: the execution context; a fresh one by default.

    Raises:
        TypeError: the Worker has no ``fetch``, or it did not return a Response
            (workerd: "Incorrect type for Promise: the Promise did not resolve to 'Response'.").
        Exception: whatever ``fetch`` raised.
    """
    if isinstance(request, str):
        request = Request(request)
    return await _run_fetch(
        _find_handler(worker),
        request,
        types.SimpleNamespace() if env is None else env,
        ctx or ExecutionContext(),
    )
