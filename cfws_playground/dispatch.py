"""The kit's event loop: workerd's task queue and microtask checkpoint, driven from asyncio.

The model is the JavaScript event loop workerd runs a Worker in:

- a **task queue**: the runtime's events, in order: an end's delivery of its
  next frame, a pump's continuation, an error report. workerd dispatches every
  frame in its own turn, never inside the ``send()``, ``close()`` or
  ``accept()`` that caused it;
- a **microtask queue**, drained after every task and before the next one: on
  the kit, the callbacks Python code puts on the asyncio loop with
  ``call_soon``. That is also how a resolved future resumes the coroutine that
  awaits it, so an ``async def`` chain runs to its next real wait before the
  next event, as a chain of promise jobs does.

The kit owns the task queue (:class:`Runtime`, one per asyncio loop). One
asyncio callback, the driver, runs its tasks one after another. Timers are
the loop's, but an expired one waits in the runtime until no task is queued
(see :class:`Runtime`). Before each
task it asks whether Python code queued callbacks since the driver was posted
or since the previous task began. Those sit behind the driver in the asyncio
loop's first-in-first-out queue, so the driver gives way: it posts itself
again behind them (at most :data:`MAX_YIELDS` times in a row, so that a
program that keeps the loop busy cannot starve the runtime). To know that, the
runtime wraps the loop's own ``call_soon`` once, with a counter: it reads no
private attribute of asyncio, so the order is the same on CPython's asyncio,
on uvloop and on Pyodide's WebLoop, none of which expose their queue alike.

One parameter belongs to the loop, not to workerd: what ``call_soon`` is. On
CPython and uvloop it is the stand-in for a microtask. Pyodide's WebLoop in
workerd schedules ``call_soon`` through JavaScript: a microtask when the
global ``MessageChannel`` is exposed (``expose_global_message_channel``, the
default from compatibility date 2025-08-15), a task before (``setTimeout(0)``).
:func:`set_call_soon` selects it for a loop (``"microtask"``, the default, or
``"task"``: the callback is then a timer, run once no runtime task is queued).

Calls made while no loop runs are kept, in order, and scheduled as soon as
one does (``await settle()`` is enough). :func:`settle` is how a cell, a test
or a script waits for "everything already set in motion" to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import time
import weakref
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any, Literal

from . import errors

__all__ = [
    "CallSoon",
    "MAX_YIELDS",
    "MESSAGE_CHANNEL_FLAGS",
    "MESSAGE_CHANNEL_FROM",
    "Once",
    "Runtime",
    "Timer",
    "WEBLOOP_IMMEDIATE",
    "ensure_runtime",
    "nothing_else_ready",
    "queue_microtask",
    "queued_before",
    "queued_only",
    "runtime",
    "schedule",
    "set_call_soon",
    "set_timer",
    "settle",
    "spawn",
    "webloop_call_soon",
]

#: How many times in a row the runtime gives way to Python callbacks before it runs
#: its next task anyway, so that a program that keeps the loop busy cannot starve it.
MAX_YIELDS = 16
#: Tasks one driver callback runs before it lets asyncio serve I/O and timers.
_BUDGET = 1024
#: Seconds one driver callback may run before it does the same, however few tasks it ran
#: (tasks that grow slow, such as dispatches to a list of listeners that keeps growing,
#: would otherwise hold a server's connections and an ``asyncio`` timeout back).
_SLICE = 0.05

CallSoon = Literal["microtask", "task"]
_Task = tuple[Callable[[], None], contextvars.Context, bool]  # callback, context, counted in pending


class Runtime:
    """The task queue of one asyncio loop, its timers, and the driver that runs them.

    ``seq`` counts the callbacks Python code has put on the loop with
    ``call_soon`` (microtasks); ``mark`` is its value when the driver was posted
    or the running task began. While they differ, a microtask waits behind the
    driver, and runs first.

    Timers are the loop's own (``call_later``, ``call_at``, so also
    ``asyncio.sleep``), but when one expires its callback joins the runtime:
    it waits in :attr:`due` until no task is queued, as workerd fires timers
    only when its event queue is empty. Then the first of them runs, and what
    it causes runs before the next one (measured:
    ``do-handler-awaits-timer-next-message-enters``).
    """

    __slots__ = (
        "call_soon_is_microtask",
        "counting",
        "driving",
        "due",
        "inside",
        "kj",
        "kj_behind",
        "kj_firsts",
        "kj_later",
        "kj_next",
        "kj_overtaken",
        "mark",
        "pending",
        "posted",
        "seq",
        "slice_end",
        "tasks",
        "waiters",
        "webloop",
        "yields",
        "_call_at",
        "_call_later",
        "_call_soon",
        "_loop",
        "__weakref__",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.tasks: deque[_Task] = deque()
        self.due: deque[_Task] = deque()  # timers that expired, waiting for the task queue to empty
        self.kj: list[_Task] = []  # the kit's kj events, run between tasks (add_kj)
        self.kj_firsts = 0  # how many events at the head of kj were queued with add_kj(first=True)
        self.kj_later: list[_Task] = []  # kj events one turn further on (add_kj(later=True))
        self.kj_next: list[_Task] = []  # those of kj_later due once the running task is over
        self.kj_behind: list[_Task] | None = None  # add_kj(behind=True) events; None between tasks
        self.kj_overtaken: list[_Task] = []  # add_kj(overtaken=True) events not run yet
        self.pending = 0  # queued tasks and spawned coroutines not finished yet (settle() waits)
        self.waiters: list[asyncio.Future[None]] = []
        self.seq = 0
        self.mark = 0
        self.posted = False  # the driver is posted or running
        self.driving = False  # the driver is running (run_sync may wait inside one of its tasks)
        self.yields = 0
        self.slice_end = 0.0  # when the running driver callback gives way (see _SLICE)
        self.inside = False  # in one of the loop's wrapped methods (they call each other)
        self.call_soon_is_microtask = True
        self.webloop = False  # a timer of at most WEBLOOP_IMMEDIATE seconds is a call_soon
        self._loop = loop
        # The loop's own methods, before they are wrapped.
        self._call_soon = loop.call_soon
        self._call_later = loop.call_later
        self._call_at = loop.call_at
        self.counting = _wrap(loop, self)

    # ---------------------------------------------------------------- the task queue

    def add(self, callback: Callable[[], None]) -> None:
        """Queue a runtime task; it runs in the context current now."""
        self.tasks.append((callback, contextvars.copy_context(), True))
        self.pending += 1
        if not self.posted:
            self._post_driver()

    def add_next(self, callback: Callable[[], None]) -> None:
        """Queue a runtime task ahead of the tasks already queued: a chain of kj turns short
        enough to reach the isolate before entries that were queued, in the kit's coarser
        order, before it began (see :meth:`Pump._cancel_pump`). Only the kit queues these."""
        self.tasks.appendleft((callback, contextvars.copy_context(), True))
        self.pending += 1
        if not self.posted:
            self._post_driver()

    def add_kj(
        self,
        callback: Callable[[], None],
        later: bool = False,
        first: bool = False,
        behind: bool = False,
        overtaken: bool = False,
    ) -> None:
        """Queue a kj event: it runs once the running task and its microtasks are over, before
        the next task, with the other kj events queued meanwhile, in order (workerd's event loop
        runs its own events, such as a pump resuming, before it enters the isolate again).
        Only the kit queues these, never a program's code.

        With ``later``, the event is one more turn of kj's first-in-first-out queue away: what
        was already waiting to enter the isolate (the next task) goes first, and the event runs
        after that task (or at once when no task waits). That is a read loop's way back to
        receive() after a dispatch (see :meth:`Pump._deliver`).

        With ``first``, the event goes ahead of the kj events queued before it in this turn
        (after the other ``first`` ones): a short chain of kj turns that overtakes longer ones
        begun earlier, such as a read loop's exception against a pump's continuation (see
        :meth:`Pump._listener_raised`).

        With ``behind``, queued in a task, the event goes after the kj events that were on
        their way before the task began (``later`` ones, such as a read loop's way back), and
        ahead of the ones the task queued: a chain begun in the task that overtakes those
        begun in it but not those begun before it (a Durable Object's raising listener; see
        :meth:`Pump._listener_raised`). Outside a task it is ``first``.

        With ``overtaken`` (and ``later``), the event is a longer chain that ``behind`` events
        queued in the next task still overtake: a storage write's commit (see
        :meth:`GateHolds.wrote`)."""
        event = (callback, contextvars.copy_context(), True)
        if overtaken:
            self.kj_overtaken.append(event)
        behind_list = self.kj_behind
        if behind and behind_list is not None:
            behind_list.append(event)
        elif first or behind:
            self.kj.insert(self.kj_firsts, event)
            self.kj_firsts += 1
        else:
            (self.kj_later if later else self.kj).append(event)
        self.pending += 1
        if not self.posted:
            self._post_driver()

    def add_due(self, callback: Callable[[], None], context: contextvars.Context) -> None:
        """A timer expired: its callback runs once no task is queued.

        Not counted in ``pending``: :func:`settle` does not wait for timers (and
        under WebLoop's old ``call_soon`` its own wake-up is one).
        """
        self.due.append((callback, context, False))
        if not self.posted:
            self._post_driver()

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """Python code waits inside what runs now (``run_sync``) while the runtime goes on.

        With JSPI the isolate runs other events while a Python stack is suspended. When
        the waiting code is one of the driver's tasks, the driver is still on the stack:
        until the wait is over, what is queued meanwhile gets a driver of its own.
        """
        if not self.driving:
            yield
            return
        self.driving = self.posted = False
        if self.tasks or self.due or self.kj or self.kj_later:
            self._post_driver()  # the tasks queued behind the one that waits
        try:
            yield
        finally:
            self.driving = self.posted = True  # the outer driver goes on, and clears them

    def idle(self) -> bool:
        """True when no other task is queued and no microtask waits: the running task may go on.

        A delivery then dispatches the next frame in the same turn, which no
        program can tell apart from a turn of its own.
        """
        if self.tasks or self.kj or self.kj_later or self.kj_next:
            return False
        return self.idle_of_microtasks()

    def idle_of_microtasks(self) -> bool:
        """True when no microtask (a Python callback queued with ``call_soon``) waits, as far
        as the loop lets the runtime count them."""
        return self.seq == self.mark or not self.counting

    def _post(self, callback: Callable[[], None]) -> None:
        """Put ``callback`` on the loop with its own ``call_soon``, past the wrappers.

        Pyodide's WebLoop implements ``call_soon`` as ``self.call_later(0, ...)``: without
        ``inside`` the wrapped ``call_later`` would make the driver a timer of the runtime,
        which waits for the driver, and nothing would run again.
        """
        if self.inside:
            self._call_soon(callback)
            return
        self.inside = True
        try:
            self._call_soon(callback)
        finally:
            self.inside = False

    def _post_driver(self) -> None:
        self.posted = True
        self.mark = self.seq
        self._post(self._drive)

    def _drive(self) -> None:
        was, self.driving = self.driving, True
        try:
            self._drive_tasks()
        finally:
            self.driving = was

    def _drive_tasks(self) -> None:
        tasks = self.tasks
        budget = _BUDGET
        self.slice_end = deadline = time.monotonic() + _SLICE
        while tasks or self.due or self.kj or self.kj_later:
            # Python callbacks queued behind the driver are microtasks: they run before
            # the next task. (Where call_soon cannot be counted, give way once per task.)
            waiting = self.seq != self.mark if self.counting else self.yields == 0
            if waiting and self.yields < MAX_YIELDS:
                self.yields += 1
                self._post_driver()
                return
            self.yields = 0
            if self.kj:
                self._run_kj()
                continue
            if not tasks and self.kj_later:
                # No task waits in front of them: kj gets there before any timer fires.
                self.kj, self.kj_later = self.kj_later, []
                continue
            if not tasks:
                tasks.append(self.due.popleft())  # one timer; what it causes runs before the next
            callback, context, counted = tasks.popleft()
            self.mark = self.seq
            self.kj_next, self.kj_later = self.kj_later, []
            self.kj_behind = []
            try:
                context.run(callback)
            except (SystemExit, KeyboardInterrupt):
                if counted:
                    self._done_one()
                self._queue_after_task()
                self._post_driver()
                raise
            except BaseException as exc:  # noqa: BLE001 - reported as asyncio reports a callback's
                self._loop.call_exception_handler(
                    {"message": f"Exception in callback {callback!r}", "exception": exc}
                )
            if counted:
                self._done_one()
            self._queue_after_task()
            budget -= 1
            if not budget or (not budget & 15 and time.monotonic() > deadline):
                self._post_driver()
                return
        self.posted = False

    def slice_over(self) -> bool:
        """True when the running driver callback has had its time (see ``_SLICE``): a task
        that may go on in the same turn (a delivery dispatching frame after frame) stops."""
        return time.monotonic() > self.slice_end

    def _queue_after_task(self) -> None:
        """The task is over: the kj events waiting since before it join those it queued."""
        behind, self.kj_behind = self.kj_behind, None
        if behind:
            # After the earlier ones, ahead of the task's own (see add_kj), and ahead of an
            # earlier one that is overtaken.
            firsts = self.kj_firsts
            earlier = self.kj_next
            overtaken = self.kj_overtaken
            if overtaken:
                late = [e for e in earlier if any(e is o for o in overtaken)]
                earlier = [e for e in earlier if not any(e is o for o in overtaken)]
                behind = behind + late
            self.kj[firsts:firsts] = earlier + behind
        elif self.kj_next:
            self.kj.extend(self.kj_next)
        self.kj_next = []
        if self.kj_overtaken:
            # Only one still in kj_later can be an earlier event of a later task.
            self.kj_overtaken = [o for o in self.kj_overtaken if any(o is e for e in self.kj_later)]

    def _run_kj(self) -> None:
        events, self.kj = self.kj, []
        self.kj_firsts = 0
        for callback, context, _ in events:
            try:
                context.run(callback)
            except (SystemExit, KeyboardInterrupt):
                self._done_one()
                raise
            except BaseException as exc:  # noqa: BLE001 - reported as asyncio reports a callback's
                self._loop.call_exception_handler(
                    {"message": f"Exception in callback {callback!r}", "exception": exc}
                )
            self._done_one()

    def _done_one(self) -> None:
        self.pending -= 1
        if self.pending == 0 and self.waiters:
            waiters, self.waiters = self.waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)


class Timer:
    """A timer set on a loop with a runtime: asyncio fires it, the runtime runs it (see :class:`Runtime`)."""

    __slots__ = ("args", "callback", "context", "handle", "ran", "rt")

    def __init__(
        self,
        rt: Runtime,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        context: contextvars.Context | None,
    ) -> None:
        self.rt = rt
        self.callback = callback
        self.args = args
        # The context it runs in, as asyncio's handle would have it: the one given, or a
        # copy of the current one (a task's step must run in the task's own context).
        self.context = contextvars.copy_context() if context is None else context
        self.handle: asyncio.Handle | None = None
        #: Its callback has run (or was dropped, canceled): until then, expired or not, it is pending.
        self.ran = False

    def __call__(self) -> None:
        self.rt.add_due(self.run, self.context)

    def run(self) -> None:
        self.ran = True
        if self.handle is None or not self.handle.cancelled():
            self.callback(*self.args)


def _wrap(loop: asyncio.AbstractEventLoop, rt: Runtime) -> bool:
    """Wrap the loop's ``call_soon`` (counted) and timers (run by ``rt``).

    Returns False where the loop refuses the wrappers: the runtime then gives
    way once before every task, and timers run as the loop runs them.
    """
    call_soon, call_later = rt._call_soon, rt._call_later

    def counted_call_soon(
        callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        if rt.inside:
            return call_soon(callback, *args, context=context)
        if not rt.call_soon_is_microtask:
            # WebLoop before 2025-08-15: call_soon is setTimeout(0), a timer.
            return _runtime_timer(rt, call_later, 0, callback, args, context)
        rt.seq += 1
        rt.inside = True
        try:
            return call_soon(callback, *args, context=context)
        finally:
            rt.inside = False

    def timers(set_timer: _SetTimer, delay: Callable[[float], float]) -> _SetTimer:
        """The wrapper of ``set_timer`` (``call_later`` or ``call_at``, whose first argument
        ``delay`` turns into seconds from now)."""

        def wrapped(
            when: float,
            callback: Callable[..., object],
            *args: Any,
            context: contextvars.Context | None = None,
        ) -> asyncio.TimerHandle:
            if rt.inside:
                return set_timer(when, callback, *args, context=context)
            if rt.webloop and delay(when) <= WEBLOOP_IMMEDIATE:
                return counted_call_soon(callback, *args, context=context)  # type: ignore[return-value]
            return _runtime_timer(rt, set_timer, when, callback, args, context)

        return wrapped

    try:
        loop.call_soon = counted_call_soon  # type: ignore[method-assign,assignment]
        loop.call_later = timers(call_later, lambda seconds: seconds)  # type: ignore[method-assign,assignment]
        loop.call_at = timers(rt._call_at, lambda when: when - loop.time())  # type: ignore[method-assign,assignment]
        setattr(loop, _ATTR, rt)
    except (AttributeError, TypeError):
        return False
    return True


#: ``call_later`` or ``call_at``: ``(delay or when, callback, *args, context=None)``.
_SetTimer = Callable[..., asyncio.TimerHandle]


def _runtime_timer(
    rt: Runtime,
    set_timer: _SetTimer,
    when: float,
    callback: Callable[..., object],
    args: tuple[Any, ...],
    context: contextvars.Context | None,
) -> asyncio.TimerHandle:
    """Set a :class:`Timer` of ``rt`` with the loop's own ``set_timer`` (``call_later`` or
    ``call_at``), past the wrappers: once it expires, its callback waits in the runtime."""
    timer = Timer(rt, callback, args, context)
    was, rt.inside = rt.inside, True
    try:
        timer.handle = handle = set_timer(when, timer, context=context)
    finally:
        rt.inside = was
    return handle


_ATTR = "cfws_runtime"
# Loops that refuse an attribute keep their runtime here (and give way before every task).
_unwrapped: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Runtime] = weakref.WeakKeyDictionary()
# A one-entry cache: nearly every call comes from the same loop as the previous one.
_last: tuple[asyncio.AbstractEventLoop | None, Runtime | None] = (None, None)
# Deliveries asked for while no loop was running (e.g. in a plain synchronous script).
_deferred: deque[Callable[[], None]] = deque()


def runtime(loop: asyncio.AbstractEventLoop | None = None) -> Runtime:
    """The runtime of ``loop`` (the running loop by default), made on first use."""
    global _last
    if loop is None:
        loop = asyncio.get_running_loop()
    if _last[0] is loop:
        return _last[1]  # type: ignore[return-value]
    rt = getattr(loop, _ATTR, None)
    if not isinstance(rt, Runtime):
        rt = _unwrapped.get(loop)
        if rt is None:
            rt = Runtime(loop)
            if not rt.counting:
                _unwrapped[loop] = rt
    _last = (loop, rt)
    return rt


def ensure_runtime() -> None:
    """Give the running loop its runtime now, if a loop runs (its timers are the runtime's from then)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if _last[0] is not loop:
        runtime(loop)


def set_call_soon(
    mode: CallSoon, loop: asyncio.AbstractEventLoop | None = None, *, webloop: bool = False
) -> None:
    """Choose what ``call_soon`` on ``loop`` is in the model: ``"microtask"`` or ``"task"``.

    ``"microtask"`` is CPython's and uvloop's behaviour and Pyodide's WebLoop's in
    workerd from compatibility date 2025-08-15 (``expose_global_message_channel``);
    ``"task"`` is WebLoop's before it.

    With ``webloop``, timers follow Pyodide's WebLoop too: its ``call_later`` hands
    a delay of at most 2 ms (:data:`WEBLOOP_IMMEDIATE`) to the same scheduler as
    ``call_soon`` (Pyodide's ``scheduleCallback``: ``delay <= 2`` ms is
    ``scheduleCallbackImmediate``, the global ``MessageChannel`` when there is one,
    ``setTimeout(0)`` otherwise), so ``call_later(0.001)`` and ``asyncio.sleep(0.001)``
    are a ``call_soon`` there, not a timer.
    """
    if mode not in ("microtask", "task"):
        raise ValueError(f"call_soon is a 'microtask' or a 'task', not {mode!r}")
    rt = runtime(loop)
    rt.call_soon_is_microtask = mode == "microtask"
    rt.webloop = webloop


#: The longest delay (seconds) Pyodide's WebLoop schedules as it schedules ``call_soon``.
WEBLOOP_IMMEDIATE = 0.002


def set_timer(delay: float, callback: Callable[..., object], *args: Any) -> asyncio.TimerHandle:
    """A JavaScript timer (``setTimeout``) on the running loop: it runs ``delay`` seconds from now,
    once no runtime task is queued, whatever the loop's ``call_soon`` and short timers are."""
    rt = runtime()
    return _runtime_timer(rt, rt._call_later, delay, callback, args, None)


def queue_microtask(callback: Callable[[], None]) -> None:
    """JavaScript's ``queueMicrotask``: runs before the next task, whatever ``call_soon`` is on this loop."""
    rt = runtime()
    rt.seq += 1
    rt._post(callback)


#: The compatibility date from which workerd exposes the global MessageChannel
#: (``expose_global_message_channel``), so that WebLoop's ``call_soon`` is a microtask.
MESSAGE_CHANNEL_FROM = "2025-08-15"


#: workerd's flags for the global MessageChannel, and what WebLoop's ``call_soon`` is with each.
MESSAGE_CHANNEL_FLAGS: dict[str, CallSoon] = {
    "expose_global_message_channel": "microtask",
    "no_expose_global_message_channel": "task",
}


def webloop_call_soon(date: str | None, flags: Iterable[str] = ()) -> CallSoon:
    """What ``call_soon`` is on Pyodide's WebLoop in workerd at compatibility ``date`` (None: today),
    and with ``flags``: a :data:`MESSAGE_CHANNEL_FLAGS` flag decides over the date."""
    mode: CallSoon = "microtask" if date is None or date >= MESSAGE_CHANNEL_FROM else "task"
    for flag in flags:
        mode = MESSAGE_CHANNEL_FLAGS.get(flag, mode)
    return mode


def schedule(callback: Callable[[], None]) -> asyncio.AbstractEventLoop | None:
    """Queue ``callback`` as a runtime task of the running loop (or of the next one to run).

    Returns the loop it was queued on, or None when it waits for a loop to run.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _deferred.append(callback)
        return None
    rt = _last[1]
    if _last[0] is not loop or rt is None:
        rt = runtime(loop)
    if _deferred:
        _flush_deferred(rt)
    rt.add(callback)
    return loop


#: ``ticket()``: a number larger than every one given before (which of two requests came
#: first). A bound ``__next__``, not a function: it is taken once per dispatched frame.
ticket: Callable[[], int] = itertools.count(1).__next__


class Once:
    """A runtime task that is queued at most once at a time (an end's delivery turn).

    If the loop it was queued on is closed before it ran (``asyncio.run``
    returned with frames still queued), the next request or :func:`settle`
    queues it again on the loop that runs now, so nothing queued is lost.
    """

    __slots__ = ("callback", "loop", "scheduled", "ticket", "__weakref__")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.loop: asyncio.AbstractEventLoop | None = None
        self.scheduled = False
        self.ticket = 0  # when it was last queued (:func:`ticket`)

    def request(self) -> None:
        """Make sure the callback will run (once)."""
        if self.scheduled and not (self.loop is not None and self.loop.is_closed()):
            return
        self.scheduled = True
        self.ticket = ticket()
        self.loop = schedule(self._run)
        _once_pending.add(self)

    def request_ahead(self) -> None:
        """:meth:`request`, ahead of the runtime tasks queued already (see :meth:`Runtime.add_next`)."""
        if self.scheduled:
            return
        self.scheduled = True
        self.ticket = 0  # ahead of everything queued: as if queued before it
        rt = runtime()
        self.loop = rt._loop
        rt.add_next(self._run)
        _once_pending.add(self)

    def _run(self) -> None:
        self.scheduled = False
        _once_pending.discard(self)
        self.callback()


_once_pending: weakref.WeakSet[Once] = weakref.WeakSet()


def queued_before(before: int, *excluding: Once) -> bool:
    """Whether a :class:`Once` other than ``excluding`` is queued and was queued before the
    :func:`ticket` ``before`` (something else waits ahead of it to run)."""
    return any(
        once.scheduled and once.ticket < before and once not in excluding for once in list(_once_pending)
    )


def queued_only(callback: Callable[[], None]) -> bool:
    """Whether every :class:`Once` queued now runs ``callback`` (none other waits to run)."""
    return all(once.callback is callback for once in list(_once_pending) if once.scheduled)


def _rescue_orphans() -> None:
    for once in list(_once_pending):
        if once.scheduled and once.loop is not None and once.loop.is_closed():
            once.request()


def nothing_else_ready() -> bool:
    """True when the running task may go on: no other runtime task is queued, no microtask waits.

    Timers wait: in workerd a burst of frames already queued is delivered
    before a ``setTimeout(0)``, even one set before the burst (timers fire only
    when the runtime's event queue is empty). Anything else — a callback a
    listener scheduled, a resolved future, the other end's delivery — runs
    first, as a microtask or an earlier event would.
    """
    return runtime().idle()


def _flush_deferred(rt: Runtime) -> None:
    while _deferred:
        rt.add(_deferred.popleft())


def spawn(coro: Coroutine[Any, Any, Any]) -> bool:
    """Run a coroutine a listener returned as a task that :func:`settle` waits for.

    Returns False when no loop is running (the coroutine is then closed, unrun).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        return False
    rt = runtime(loop)
    rt.pending += 1
    task = loop.create_task(coro)
    task.add_done_callback(lambda t: _task_done(rt, t))
    return True


def _task_done(rt: Runtime, task: asyncio.Task[Any]) -> None:
    rt._done_one()
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
    rt = runtime(loop)
    _rescue_orphans()
    while True:
        if _deferred:
            _flush_deferred(rt)
        if rt.pending:
            fut: asyncio.Future[None] = loop.create_future()
            rt.waiters.append(fut)
            await fut
            continue
        # One more trip around the loop, so that callbacks which listeners
        # scheduled by other means (call_soon, futures) run, and may send.
        await asyncio.sleep(0)
        if not rt.pending and not _deferred:
            return
