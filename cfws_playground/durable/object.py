"""One Durable Object's life: its instance, its input gate, its hibernatable sockets, its eviction.

An :class:`ObjectHost` is what the runtime keeps for one id while the
instance may come and go. It holds what survives hibernation (the sockets,
their tags and attachments, the auto-response, storage, the alarm) and, while
the object is awake, the instance with its in-memory fields.

Events reach the instance in arrival order through :meth:`ObjectHost.submit`
(the input gate: the next one starts when the one before has finished or
waits for a timer or I/O, never inside a storage call). When the object has been idle for
``hibernate_after`` seconds and nothing blocks it (:meth:`ObjectHost.blockers`),
the instance is dropped (*evicted*); the next event constructs a new one
(*wake*: ``__init__`` runs again). Each step is a recorder note on the
object's sockets and a line in :attr:`ObjectHost.history`.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
import weakref
from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from ..compat import _current as _current_compatibility
from ..errors import WorkersError, js_message, js_name
from ..events import Blob, CloseEvent, ErrorEvent, Event, MessageEvent
from ..promise import GATE_HOLDS, GateHolds, gate_held
from ..scope import RequestScope, install as install_scopes
from ..socket import WebSocket
from ..state import Phase
from ..steps import relay
from ..worker import call_loosely
from . import texts
from .state import DurableObjectState, now_ms
from .storage import Storage

if TYPE_CHECKING:
    from .ids import DurableObjectId
    from .namespace import DurableObjectNamespace

__all__ = ["AlarmInvocationInfo", "ObjectHost"]

log = logging.getLogger("cfws_playground")

#: Production evicts an idle object after about 10 seconds.
DEFAULT_HIBERNATE_AFTER = 10.0
#: Alarms retry with exponential backoff, up to 6 times (Cloudflare's docs).
ALARM_MAX_RETRIES = 6
#: States kept in an object's timeline (the oldest are dropped).
TIMELINE = 50


class AlarmInvocationInfo:
    """The argument of ``alarm(alarmInfo)``: ``isRetry`` and ``retryCount``."""

    __slots__ = ("isRetry", "retryCount")

    def __init__(self, retry_count: int) -> None:
        self.retryCount = retry_count
        self.isRetry = retry_count > 0

    def __repr__(self) -> str:
        return f"AlarmInvocationInfo(isRetry={self.isRetry}, retryCount={self.retryCount})"


class _NoteFirstWait:
    """Await ``awaitable`` in the caller's task, calling ``waits`` when it first waits.

    A handler that runs to its end without waiting never calls it; one that
    awaits a timer or I/O calls it at that await, before the loop runs anything
    else (the same delegation as ``yield from``, with one look at the first step).
    """

    __slots__ = ("awaitable", "waits")

    def __init__(self, awaitable: Any, waits: Callable[[], None]) -> None:
        self.awaitable = awaitable
        self.waits = waits

    def __await__(self) -> Generator[Any, Any, Any]:
        it = self.awaitable.__await__()
        try:
            value = it.send(None)
        except StopIteration as stop:
            return stop.value
        waited = False

        def note_wait() -> None:
            nonlocal waited
            if not waited and not gate_held():
                waited = True  # a storage await holds the input gate: it is not a wait
                self.waits()

        return (yield from relay(it, value, note_wait))


class _Work:
    __slots__ = ("call", "future", "kind", "timeout", "after", "waits")

    def __init__(
        self,
        kind: str,
        call: Callable[[Any], Any],
        future: asyncio.Future[Any] | None,
        timeout: float | None,
        after: Callable[[], None] | None,
        waits: Callable[[], None] | None = None,
    ) -> None:
        self.kind = kind
        self.call = call
        self.future = future
        self.timeout = timeout
        self.after = after
        self.waits = waits  # the handler is async and waits (a timer, I/O): the next event may enter


class ObjectHost:
    """What the runtime keeps for one Durable Object id (see the module docstring)."""

    def __init__(self, namespace: DurableObjectNamespace, object_id: DurableObjectId) -> None:
        self.namespace = namespace
        self.id = object_id
        self.label = f"{namespace.class_name}({object_id.name or object_id.toString()[:8]})"
        self.storage = Storage(namespace.backend, object_id.toString(), self._alarm_changed)
        self.storage._has_alarm_handler = callable(getattr(namespace.cls, "alarm", None))
        self.storage._sql = namespace.sql
        self.ctx = DurableObjectState(self)
        self.instance: Any = None
        self._sockets: dict[WebSocket, tuple[str, ...]] = {}  # accept order; value: tags
        # Tags stay readable (getTags) after a socket has left the list, as in workerd.
        self._tags_of: weakref.WeakKeyDictionary[WebSocket, tuple[str, ...]] = weakref.WeakKeyDictionary()
        self.auto_response: tuple[str, str] | None = None
        # When each socket was last auto-answered; kept after it has left the list, as in workerd.
        self.auto_times: weakref.WeakKeyDictionary[WebSocket, float] = weakref.WeakKeyDictionary()
        self.event_timeout_ms: int | None = None
        self.constructed = 0
        self.evictions = 0
        self.history: deque[tuple[str, str]] = deque(maxlen=200)
        #: The object's own states, oldest first: (state, what happened, the event that caused it),
        #: e.g. ("awake", "woken", "webSocketMessage"); a state is "awake" or "hibernated".
        self.timeline: deque[tuple[str, str, str]] = deque(maxlen=TIMELINE)
        self._closing: set[WebSocket] = set()  # webSocketClose dispatched (or queued)
        self._plain: set[WebSocket] = set()  # ends the object accept()ed: they keep it awake
        self._queue: deque[_Work] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._active: dict[asyncio.Task[bool], str] = {}  # events started and not finished
        self._gates: list[asyncio.Future[Any]] = []
        self._holds = GateHolds()  # storage awaits in progress: the input gate is shut
        self._tasks: dict[asyncio.Future[Any], str] = {}
        self._idle: asyncio.TimerHandle | None = None
        self._blocked_said: tuple[str, ...] = ()
        self._alarm: asyncio.TimerHandle | None = None
        self._alarm_retries = 0
        # The object's own context, as workerd gives each object its own IoContext: its
        # tasks and timers never belong to the Worker request that first reached it.
        self._context: contextvars.Context | None = None
        self._scope = RequestScope()

    # ---------------------------------------------------------------- what the inspector reads

    @property
    def awake(self) -> bool:
        """True while an instance is in memory."""
        return self.instance is not None

    @property
    def tags(self) -> dict[WebSocket, tuple[str, ...]]:
        return self._sockets

    def tags_of(self, ws: WebSocket) -> tuple[str, ...]:
        """The tags ``ws`` was accepted with, also after it has left :meth:`sockets`."""
        return self._tags_of.get(ws, ())

    def pending(self) -> int:
        """Events queued or running (a fetch that waits for the others counts itself)."""
        return len(self._queue) + len(self._active)

    def sockets(self, tag: str | None = None) -> list[WebSocket]:
        if tag is None:
            return list(reversed(self._sockets))  # workerd pushes each new one to the front
        return [ws for ws, tags in self._sockets.items() if tag in tags]

    # ---------------------------------------------------------------- the input gate

    def submit(
        self,
        kind: str,
        call: Callable[[Any], Any],
        *,
        awaited: bool = True,
        timeout: float | None = None,
        after: Callable[[], None] | None = None,
        waits: Callable[[], None] | None = None,
    ) -> asyncio.Future[Any] | None:
        """Queue one event for the instance: ``call(instance)``, after every event before it.

        Returns a future with the result when ``awaited``; otherwise an exception is
        logged and recorded as the runtime reports an uncaught one. ``after`` runs
        when the event has finished; ``waits``, when ``call`` returned an awaitable
        that is still waiting after its first step (a timer, I/O: the next event may enter).
        """
        loop = asyncio.get_running_loop()
        fut = loop.create_future() if awaited else None
        self._queue.append(_Work(kind, call, fut, timeout, after, waits))
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._pump is None:
            self._pump = loop.create_task(self._run_queue(), context=self._own_context())
        return fut

    def _own_context(self) -> contextvars.Context:
        if self._context is None:
            self._context = contextvars.Context()
            # The timers and tasks the object's code starts keep it awake (blockers()).
            install_scopes(asyncio.get_running_loop())
            self._scope.enter(self._context)
            # Pairs the object creates get the project's date, or that of its first caller.
            compat = self.namespace.compatibility or _current_compatibility.get()
            self._context.run(_current_compatibility.set, compat)
            self._context.run(GATE_HOLDS.set, self._holds)
        return self._context.copy()

    async def _run_queue(self) -> None:
        """Start the queued events in order, each once the one before has finished or is waiting.

        This is workerd's input gate: a handler waiting for I/O or a timer lets the
        next event in; a storage call never lets one in (its await holds the gate).
        """
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                await self._pass_gates()
                work = self._queue.popleft()
                task = loop.create_task(self._run_one(work))
                self._active[task] = work.kind
                task.add_done_callback(self._event_done)
                await asyncio.sleep(0)  # the event runs until it finishes or waits
                await self._holds.open()  # a storage await holds the gate: wait for it
        finally:
            self._pump = None
            self._schedule_idle()

    def _event_done(self, task: asyncio.Task[Any] | None) -> None:
        if task is not None and self._active.pop(task, None) is not None:
            if not self._active and self._pump is None:
                self._schedule_idle()

    async def _run_one(self, work: _Work) -> bool:
        """Run one event; True if it ended with ``ctx.abort()``."""
        aborted = False
        try:
            await self._pass_gates()
            instance = self._ensure_instance(work.kind)
            await self._pass_gates()  # blockConcurrencyWhile() in the constructor
            instance = self._ensure_instance(work.kind)  # made again if that callback failed
            result = work.call(instance)
            if inspect.isawaitable(result):
                if work.waits is not None:
                    result = _NoteFirstWait(result, work.waits)
                if work.timeout is not None:
                    result = await asyncio.wait_for(_as_coroutine(result), work.timeout)
                else:
                    result = await result
        except asyncio.CancelledError:
            if work.future is not None and not work.future.done():
                work.future.cancel()
            raise
        except BaseException as exc:  # noqa: BLE001 - ctx.abort() raises a BaseException (the SDK's too)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            if not isinstance(exc, Exception):
                aborted = True
                exc = WorkersError(str(exc) or type(exc).__name__)
            if isinstance(exc, TimeoutError) and work.timeout is not None:
                self.note("event timed out", f"{work.kind} outlasted the event timeout: canceled")
            if work.future is not None:
                if not work.future.done():
                    work.future.set_exception(exc)
            else:
                message = f"Uncaught {js_name(exc)}: {js_message(exc)}"
                log.warning("%s (in %s of %s)", message, work.kind, self.label)
                self.note("handler raised", f"{work.kind}: {message}")
        else:
            if work.future is not None and not work.future.done():
                work.future.set_result(result)
        finally:
            if work.after is not None:
                work.after()
            # Finished now, not when the task's done callbacks run: whoever awaited the
            # result already sees the object idle.
            self._event_done(asyncio.current_task())
        return aborted

    def _ensure_instance(self, cause: str = "a call") -> Any:
        if self.instance is None:
            woke = self.constructed > 0
            self.constructed += 1
            self.instance = self.namespace.cls(self.namespace.ctx_adapter(self.ctx), self.namespace.env)
            self.timeline.append(("awake", "woken" if woke else "constructed", cause))
            if woke:
                self.note("wake", f"{self.label} woke: __init__ ran again, in-memory fields start fresh")
            else:
                self.note("construct", f"{self.label} constructed")
        return self.instance

    def block_while(self, fut: asyncio.Future[Any]) -> None:
        self._gates.append(fut)

    async def _pass_gates(self) -> None:
        """Wait for every ``blockConcurrencyWhile()`` callback; one that fails resets the object."""
        while self._gates:
            gate = self._gates[0]
            await asyncio.wait([gate])
            if self._gates and self._gates[0] is gate:
                self._gates.pop(0)
            if not gate.cancelled() and gate.exception() is not None:
                exc = gate.exception()
                self.instance = None
                self.timeline.append(("hibernated", "reset", "blockConcurrencyWhile() failed"))
                self.note("reset", f"blockConcurrencyWhile() callback raised {type(exc).__name__}: {exc}")

    def track_task(self, fut: asyncio.Future[Any], what: str) -> None:
        self._tasks[fut] = what

        def done(f: asyncio.Future[Any]) -> None:
            self._tasks.pop(f, None)
            exc = None if f.cancelled() else f.exception()
            if exc is not None:
                label = f"{js_name(exc)}: {js_message(exc)}"
                log.warning("Uncaught (in promise) %s (in %s of %s)", label, what, self.label)

        fut.add_done_callback(done)

    def abort(self, reason: str | None) -> None:
        self.instance = None
        self.timeline.append(("hibernated", "reset", "ctx.abort()"))
        self.note("abort", f"{self.label} reset by ctx.abort({reason!r}): in-memory fields are gone")

    # ---------------------------------------------------------------- hibernatable sockets

    def accept_socket(self, ws: WebSocket, tags: list[str]) -> None:
        if len(self._sockets) >= texts.ACTIVE_CONNECTION_LIMIT:
            raise WorkersError(texts.TOO_MANY_SOCKETS)
        self._sockets[ws] = self._tags_of[ws] = tuple(tags)
        ws._accept_hibernatable(self._on_socket_event)

    def _on_socket_event(self, ws: WebSocket, event: Event) -> bool:
        """The socket's read loop produced an event: answer it, or queue it for the object."""
        if type(event) is MessageEvent:
            data = event.data
            ar = self.auto_response
            if ar is not None and type(data) is str and data == ar[0]:
                self.auto_times[ws] = now_ms()
                if ws._phase is Phase.OPEN or ws._phase is Phase.CLOSE_RECEIVED:
                    # The hibernation manager's read loop sends the answer itself, past the
                    # output gate (sendAutoResponse), and awaits that send before it reads on.
                    token = GATE_HOLDS.set(None)
                    try:
                        ws.send(ar[1])
                    finally:
                        GATE_HOLDS.reset(token)
                    # (The peer's read loop, waiting in receive(), takes it and dispatches it
                    # first: gen-f5ea14d0.)
                    if ws._peer._transport is None:
                        ws._hold_until_taken()  # (a network client's is written at once)
                how = "while it sleeps" if self.instance is None else "without webSocketMessage"
                if self.instance is None:
                    self.timeline.append(("hibernated", "answered", f"auto-response {ar[0]!r}"))
                self.note("auto-response", f"{ar[0]!r} answered with {ar[1]!r} {how}", ws)
                return True
            if isinstance(data, Blob):
                data = data._data  # binary arrives as bytes whatever binaryType says
            # workerd's read loop hands each event to the object before the next receive; an
            # async handler that awaits a timer or I/O lets the next one in (only storage
            # holds the input gate): measured, do-handler-awaits-timer-next-message-enters.
            ws._hold()
            self._queue_handler("webSocketMessage", (ws, data), after=ws._release, waits=ws._release)
        elif isinstance(event, CloseEvent):
            if ws in self._closing:
                return False
            self._closing.add(ws)
            args = (ws, event.code, event.reason, event.wasClean)
            self._queue_handler("webSocketClose", args, after=lambda: self._drop(ws))
        elif isinstance(event, ErrorEvent):
            if ws in self._closing or ws not in self._sockets:
                return False  # after a close event the read loop has ended: nothing more is reported
            self._closing.add(ws)
            self._queue_handler("webSocketError", (ws, event.error), after=lambda: self._drop(ws))
        return True

    def _queue_handler(
        self,
        name: str,
        args: tuple[Any, ...],
        after: Callable[[], None],
        waits: Callable[[], None] | None = None,
    ) -> None:
        timeout = None if self.event_timeout_ms is None else self.event_timeout_ms / 1000
        args = self.namespace.handler_args_adapter(args)

        def call(instance: Any) -> Any:
            handler = getattr(instance, name, None)
            if handler is None:
                raise TypeError(f"{type(instance).__name__} has no {name}() handler")
            return call_loosely(handler, *args)

        self.submit(name, call, awaited=False, timeout=timeout, after=after, waits=waits)

    def _drop(self, ws: WebSocket) -> None:
        self._sockets.pop(ws, None)
        self._closing.discard(ws)

    def saw_response(self, response: Any) -> None:
        """A fetch answered with a WebSocket: an end the object ``accept()``ed keeps it awake."""
        client = getattr(response, "webSocket", None)
        if isinstance(client, WebSocket):
            end = client._peer
            if end._handler is None and end._phase is not Phase.AWAITING:
                if len(self._plain) >= 64:  # forget closed ones now and then: memory stays bounded
                    self._plain = {ws for ws in self._plain if ws.readyState != WebSocket.CLOSED}
                self._plain.add(end)

    # ---------------------------------------------------------------- eviction

    def blockers(self) -> list[str]:
        """Why the object cannot be evicted now (empty when it can, or when it is not in memory)."""
        if self.instance is None:
            return []
        reasons = []
        if self._active or self._queue:
            what = next(iter(self._active.values())) if self._active else self._queue[0].kind
            reasons.append(f"an event is in progress ({what}): a request, handler or await has not finished")
        if self._gates:
            reasons.append("blockConcurrencyWhile() has not finished")
        for what in sorted(set(self._tasks.values())):
            reasons.append(f"pending {what}")
        timers, tasks = self._scope.pending(
            besides=(self._idle, self._alarm, self._pump, *self._active, *self._tasks, *self._gates)
        )
        if timers:
            reasons.append(
                f"{timers} pending timer{'s' if timers > 1 else ''} the object's code set "
                "(call_later, setTimeout): a timer keeps it in memory until it fires or is cancelled"
            )
        if tasks:
            reasons.append(f"{tasks} task{'s' if tasks > 1 else ''} the object's code started, not finished")
        self._plain = {ws for ws in self._plain if ws.readyState != WebSocket.CLOSED}
        if self._plain:
            n = len(self._plain)
            reasons.append(
                f"{n} WebSocket{'s' if n > 1 else ''} accepted with accept(), not ctx.acceptWebSocket(): "
                "such sockets keep the object in memory"
            )
        return reasons

    @property
    def forgettable(self) -> bool:
        """Nothing here but what storage keeps: the runtime may drop this host (it is made again on use)."""
        return (
            self.instance is None
            and not self._sockets
            and not self._queue
            and not self._active
            and self._pump is None
            and self._alarm is None
            and self.auto_response is None
        )

    def evict(self, cause: str = "hibernate()") -> None:
        """Drop the instance now (callers check :meth:`blockers` first); ``cause`` goes in the timeline."""
        if self.instance is None:
            return
        self.instance = None
        self.evictions += 1
        self.timeline.append(("hibernated", "evicted", cause))
        self._blocked_said = ()
        n = len(self._sockets)
        self.note(
            "evict",
            f"{self.label} hibernated: instance dropped, {n} socket{' stays' if n == 1 else 's stay'} open",
        )

    def _schedule_idle(self) -> None:
        after = self.namespace.hibernate_after
        if after is None or self.instance is None or self._queue or self._active:
            return
        if self._idle is not None:
            self._idle.cancel()
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(after, self._idle_check, context=self._own_context())

    def _idle_check(self) -> None:
        self._idle = None
        if self.instance is None:
            return
        reasons = self.blockers()
        if not reasons:
            self.evict(f"idle {self.namespace.hibernate_after:g} s")
            return
        if tuple(reasons) != self._blocked_said:
            self._blocked_said = tuple(reasons)
            self.note("eviction blocked", "; ".join(reasons))
        after = self.namespace.hibernate_after
        if after is not None:
            self._idle = asyncio.get_running_loop().call_later(
                max(after, 0.05), self._idle_check, context=self._own_context()
            )

    # ---------------------------------------------------------------- alarms

    def _alarm_changed(self, at_ms: float | None) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None
        if at_ms is not None:
            self._alarm_retries = 0
            self._arm_alarm(at_ms)
        self.namespace._changed()

    def _arm_alarm(self, at_ms: float) -> None:
        delay = max(0.0, at_ms / 1000 - time.time())
        loop = asyncio.get_running_loop()
        self._alarm = loop.call_later(delay, self._fire_alarm, context=self._own_context())

    def _fire_alarm(self) -> None:
        self._alarm = None
        retry = self._alarm_retries
        backend, key = self.namespace.backend, self.id.toString()
        backend.set_alarm(key, None)  # getAlarm() is null inside the handler unless it sets a new one

        def call(instance: Any) -> Any:
            handler = instance.alarm
            params = [
                p
                for p in inspect.signature(handler).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            return handler(AlarmInvocationInfo(retry)) if params else handler()

        def finished(fut: asyncio.Future[Any]) -> None:
            if fut.cancelled():
                return
            exc = fut.exception()
            if exc is None:
                self._alarm_retries = 0
                return
            log.warning("Uncaught %s: %s (in alarm of %s)", js_name(exc), js_message(exc), self.label)
            if retry >= ALARM_MAX_RETRIES:
                self.note("alarm", f"alarm() raised {type(exc).__name__}; gave up after {retry} retries")
                return
            if backend.get_alarm(key) is not None:
                return  # the handler set a new alarm before raising: that one stands
            self._alarm_retries = retry + 1
            delay = self.namespace.alarm_backoff * 2**retry
            at = (time.time() + delay) * 1000
            backend.set_alarm(key, at)
            self.note("alarm", f"alarm() raised {type(exc).__name__}: retry {retry + 1} in {delay:g} s")
            self._arm_alarm(at)

        fut = self.submit("alarm", call)
        assert fut is not None
        fut.add_done_callback(finished)

    # ---------------------------------------------------------------- notes

    def note(self, name: str, text: str, ws: WebSocket | None = None) -> None:
        """Record a lifecycle step: history, the log, and a note row for each recorder watching a socket."""
        self.history.append((name, text))
        done: set[int] = set()
        for end in [ws] if ws is not None else self._sockets:
            for rec in end._pair._recorders:
                if id(rec) not in done:
                    done.add(id(rec))
                    rec.add_note(end._pair, end._index, name, text)
        if not done:
            log.info("%s", text)  # no recorder shows it: the log does
        self.namespace._changed()

    def __repr__(self) -> str:
        state = "awake" if self.instance is not None else "hibernated"
        return f"<ObjectHost {self.label} {state} sockets={len(self._sockets)}>"


async def _as_coroutine(awaitable: Any) -> Any:
    return await awaitable
