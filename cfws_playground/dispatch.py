"""Event delivery on asyncio: the stand-in for the JavaScript task queue.

workerd dispatches every frame in its own turn of the isolate's event loop,
never inside the ``send()``, ``close()`` or ``accept()`` that caused it. The kit
schedules each delivery with ``loop.call_soon`` on the running asyncio loop, so
it works the same under ``asyncio.run(...)``, in pytest and in a notebook with
top-level ``await``. Calls made while no loop runs are kept, in order, and
scheduled as soon as one does (``await settle()`` is enough).

:func:`settle` is how a cell, a test or a script waits for "everything already
set in motion" to finish.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from . import errors

__all__ = [
    "Once",
    "nothing_else_ready",
    "only_timers",
    "ready_queue",
    "schedule",
    "settle",
    "spawn",
    "user_callbacks_ready",
]


class _LoopState:
    __slots__ = ("pending", "queued", "waiters")

    def __init__(self) -> None:
        self.pending = 0  # scheduled callbacks and spawned tasks not finished yet (settle() waits)
        self.queued = 0  # of those, callbacks sitting in the loop's ready queue now
        self.waiters: list[asyncio.Future[None]] = []

    def done_one(self) -> None:
        self.pending -= 1
        if self.pending == 0 and self.waiters:
            waiters, self.waiters = self.waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)


_states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()
# Deliveries asked for while no loop was running (e.g. in a plain synchronous script).
_deferred: deque[Callable[[], None]] = deque()
# A one-entry cache: nearly every call comes from the same loop as the previous one.
_last: tuple[asyncio.AbstractEventLoop | None, _LoopState] = (None, _LoopState())


def _state(loop: asyncio.AbstractEventLoop) -> _LoopState:
    global _last
    if _last[0] is loop:
        return _last[1]
    st = _states.get(loop)
    if st is None:
        st = _states[loop] = _LoopState()
    _last = (loop, st)
    return st


def _run(st: _LoopState, callback: Callable[[], None]) -> None:
    st.queued -= 1
    try:
        callback()
    finally:
        st.done_one()


def schedule(callback: Callable[[], None]) -> asyncio.AbstractEventLoop | None:
    """Run ``callback`` in a later turn of the running loop (or of the next one to run).

    Returns the loop it was scheduled on, or None when it waits for a loop to run.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _deferred.append(callback)
        return None
    st = _last[1] if _last[0] is loop else _state(loop)
    if _deferred:
        _flush_deferred(loop, st)
    st.pending += 1
    st.queued += 1
    loop.call_soon(_run, st, callback)
    return loop


#: How many times in a row a delivery gives way to user callbacks before it runs anyway,
#: so that a program that keeps the loop busy cannot starve the runtime.
_MAX_YIELDS = 16


class Once:
    """A callback that is scheduled at most once at a time (an end's delivery turn).

    Like a task in workerd's event loop it runs only when the JavaScript
    microtask queue is empty: callbacks that user code queued with
    ``loop.call_soon`` (and coroutines resumed by resolved futures), the
    asyncio stand-in for microtasks, run first, even those queued after the
    delivery was (see :func:`user_callbacks_ready`).

    If the loop it was scheduled on is closed before it ran (``asyncio.run``
    returned with frames still queued), the next request or :func:`settle`
    schedules it again on the loop that runs now, so nothing queued is lost.
    """

    __slots__ = ("callback", "loop", "scheduled", "yields", "__weakref__")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.loop: asyncio.AbstractEventLoop | None = None
        self.scheduled = False
        self.yields = 0

    def request(self) -> None:
        """Make sure the callback will run (once)."""
        if self.scheduled and not (self.loop is not None and self.loop.is_closed()):
            return
        self.scheduled = True
        self.loop = schedule(self._run)
        _once_pending.add(self)

    def _run(self) -> None:
        if self.yields < _MAX_YIELDS and user_callbacks_ready():
            self.yields += 1
            self.loop = schedule(self._run)  # behind them, as a macrotask waits for microtasks
            return
        self.yields = 0
        self.scheduled = False
        _once_pending.discard(self)
        self.callback()


_once_pending: weakref.WeakSet[Once] = weakref.WeakSet()


def _rescue_orphans() -> None:
    for once in list(_once_pending):
        if once.scheduled and once.loop is not None and once.loop.is_closed():
            once.request()


def nothing_else_ready() -> bool:
    """True when nothing but expired timers waits in the running loop's ready queue.

    A delivery may then dispatch the next frame in the same turn. Timers wait:
    in workerd a burst of frames already queued is delivered before a
    ``setTimeout(0)``, even one set before the burst (timers fire only when the
    runtime's event queue is empty). Anything else — a callback a listener
    scheduled, a resolved future, the other end's delivery — runs first, as a
    microtask or an earlier event would. On loops that do not expose their
    queue (uvloop), every frame gets its own turn.
    """
    ready = ready_queue()
    return ready is not None and only_timers(ready)


def ready_queue() -> Any:
    """The running loop's queue of ready callbacks, or None where the loop hides it (uvloop)."""
    return getattr(asyncio.get_running_loop(), "_ready", None)


def only_timers(ready: Any) -> bool:
    """True when every callback in ``ready`` (see :func:`ready_queue`) is an expired timer."""
    for handle in ready:
        if type(handle) is not _TimerHandle:
            return False
    return True


def user_callbacks_ready() -> bool:
    """True when a callback that is not the runtime's own nor a timer waits to run.

    Those are the asyncio stand-in for JavaScript microtasks, which always run
    before the next event is dispatched.
    """
    loop = asyncio.get_running_loop()
    ready = getattr(loop, "_ready", None)
    if not ready:
        return False
    # The ready queue usually holds nothing but the runtime's own deliveries (a
    # broadcast to thousands of sockets): count them instead of scanning them.
    if len(ready) <= _state(loop).queued:
        return False
    for handle in ready:
        if type(handle) is _TimerHandle or getattr(handle, "_callback", None) is _run:
            continue
        return True
    return False


_TimerHandle = asyncio.TimerHandle


def _flush_deferred(loop: asyncio.AbstractEventLoop, st: _LoopState) -> None:
    while _deferred:
        st.pending += 1
        st.queued += 1
        loop.call_soon(_run, st, _deferred.popleft())


def spawn(coro: Coroutine[Any, Any, Any]) -> bool:
    """Run a coroutine a listener returned as a task that :func:`settle` waits for.

    Returns False when no loop is running (the coroutine is then closed, unrun).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        return False
    st = _state(loop)
    st.pending += 1
    task = loop.create_task(coro)
    task.add_done_callback(lambda t: _task_done(st, t))
    return True


def _task_done(st: _LoopState, task: asyncio.Task[Any]) -> None:
    st.done_one()
    exc = None if task.cancelled() else task.exception()
    if exc is not None:
        from .socket import log  # the runtime's logger

        log.warning("Uncaught (in promise) %s: %s", errors.js_name(exc), errors.js_message(exc))


async def settle() -> None:
    """Wait until every event already scheduled, and everything it triggers, is dispatched.

    Use it between steps in notebooks, tests and scripts::

        client.send("hi")
        await settle()          # the server's message listeners have run

    It also waits for the tasks of ``async def`` listeners. It cannot know about
    frames a real network client has not sent yet.
    """
    loop = asyncio.get_running_loop()
    st = _state(loop)
    _rescue_orphans()
    while True:
        if _deferred:
            _flush_deferred(loop, st)
        if st.pending:
            fut: asyncio.Future[None] = loop.create_future()
            st.waiters.append(fut)
            await fut
            continue
        # One more trip around the loop, so that callbacks which listeners
        # scheduled by other means (call_soon, futures) run, and may send.
        await asyncio.sleep(0)
        if not st.pending and not _deferred:
            return
