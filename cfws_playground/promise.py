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
from .dispatch import runtime

__all__ = ["GATE_HOLDS", "GateHolds", "JsPromise", "OutputLock", "gate_held", "settled", "started", "stored"]

T = TypeVar("T")
log = logging.getLogger("cfws_playground")


class OutputLock:
    """What a message queued in a Durable Object waits for before its pump sends it: the
    output gate's locks taken before the ``send()`` (workerd: ``OutputGate::wait()``, a
    branch of the locks' joined promise, taken when the message is queued).

    ``open`` turns True once; the ends in ``waiters`` then let their messages through
    (``Pump._gate_passed``), in the order they queued behind it.
    """

    __slots__ = ("commit", "open", "waiters")

    def __init__(self, commit: bool = False) -> None:
        self.open = False
        self.commit = commit  # a storage write's commit, not the gate of a message queued with none
        self.waiters: list[Any] = []

    def release(self) -> None:
        self.open = True
        waiters, self.waiters = self.waiters, []
        for end in waiters:
            end._gate_passed()


class GateHolds:
    """The storage awaits in progress in one Durable Object; while there is one, its input
    gate lets no other event in (workerd: a storage operation holds the input gate;
    awaiting a timer or other I/O does not).

    ``flush`` is the write not confirmed yet, if any: it holds the object's output gate
    (see :meth:`wrote`). ``last_reader`` is the socket whose read loop last dispatched
    a frame in the object.
    """

    __slots__ = ("count", "waiters", "flush", "last_reader")

    def __init__(self) -> None:
        self.count = 0
        self.waiters: list[asyncio.Future[None]] = []
        self.flush: OutputLock | None = None
        self.last_reader: object = None

    def enter(self) -> None:
        self.count += 1

    def leave(self) -> None:
        self.count -= 1
        if not self.count and self.waiters:
            waiters, self.waiters = self.waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    async def open(self) -> None:
        """Return once no storage await is in progress."""
        while self.count:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.waiters.append(fut)
            await fut

    def wrote(self) -> None:
        """A storage write: the output gate stays locked until it is flushed.

        workerd runs a Durable Object with local storage on SQLite (``ActorSqlite``): the
        first write opens an implicit transaction and locks the output gate until its
        commit (``onWrite()``: ``outputGate.lockWhile(lastCommit)``). The commit runs after
        ``kj::yield()``, then awaits one ready promise (``commitImpl()``'s commit callback),
        so it completes behind the events queued by then: the dispatch of a frame a pump
        handed over in the turn after the write, but before a read loop resumes for the
        next frame waiting in the pipe. Messages queued after the write go out then, to read
        loops that came back to receive() meanwhile. Writes before the commit join its
        transaction, and its lock. Measured: gen-02672c47, gen-7b488a62, gen-e9079940 and
        the do-output-gate-flush-* scenarios.

        On the kit: the commit is a kj event one turn further on (``add_kj(later=True)``),
        queued in the kj turn after the write: it runs after the next task, a dispatch
        the pumps' first frames caused, and before a read loop's way back to receive()
        that dispatch queued.
        """
        if self.flush is not None:
            return
        try:
            rt = runtime()
        except RuntimeError:  # no running loop: no message can be on its way either
            return
        lock = self.flush = OutputLock(commit=True)

        def committed() -> None:
            if self.flush is lock:
                self.flush = None
            lock.release()

        # kj::yield(): the turn after this one; then the ready promise: one more turn of
        # kj's queue, behind what waits to enter the isolate by then. A raising listener's
        # report from that next dispatch still overtakes it: the listener's error comes
        # before the frames its dispatch queued behind the write (measured on workerd
        # 2026-11-23: gen-289205b6, do-raising-listener-error-before-commit-*).
        rt.add_kj(lambda: rt.add_kj(committed, later=True, overtaken=True))


#: In a Durable Object's context: its :class:`GateHolds`.
GATE_HOLDS: contextvars.ContextVar[GateHolds | None] = contextvars.ContextVar("cfws_gate_holds", default=None)


def gate_held() -> bool:
    """True while code in the current context is parked on a storage await."""
    holds = GATE_HOLDS.get()
    return holds is not None and holds.count > 0


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
        # The await resumes after the microtasks queued before it, and those they queue,
        # up to AWAIT_HOPS deep (gen-bbaab5ac, gen-5afe560b, gen-260a5e4c). A storage
        # call's await holds the object's input gate meanwhile.
        holds = GATE_HOLDS.get() if self._gated else None
        if holds is not None:
            holds.enter()
        try:
            yield from _after_microtasks()
        finally:
            if holds is not None:
                holds.leave()
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


#: The microtask hops an await of a runtime promise takes in workerd before it resumes:
#: microtasks queued up to three deep before the await run first, a fourth does not
#: (measured on workerd 2026-11-23 with storage.get/put/list; jsg resolves the promise
#: through a chain of reactions).
AWAIT_HOPS = 3


def _after_microtasks() -> Generator[None, None, None]:
    """Yield :data:`AWAIT_HOPS` times: each ``yield`` puts the coroutine's next step behind
    the callbacks already queued (asyncio's task queues it with ``call_soon``), as each
    reaction of a promise chain goes behind the microtasks queued before it."""
    for _ in range(AWAIT_HOPS):
        yield None


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
