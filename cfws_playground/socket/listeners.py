"""The EventTarget side of an end: listeners, and dispatch in workerd's order.

``on<type>`` attributes run first, then listeners in the order they were
added (``basics.c++ dispatchEventImpl``). A listener that raises ends the
dispatch and the read loop before ``spec_compliant_dispatch_exceptions``
(2026-09-15); from then every listener runs and exceptions are reported.
How the read loop ends after that is the pump's part (:mod:`.pump`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from .. import errors
from ..dispatch import spawn
from ..events import (
    Blob,
    Event,
    MessageEvent,
    _message_event,
    _message_event_at,
    begin_dispatch,
    end_dispatch,
    type_name,
)
from ..scope import other_scope
from .convert import js_message, js_name
from .end import End, log

__all__ = ["EventTarget", "ListenerEntry"]

_ON = {"message": "onmessage", "close": "onclose", "error": "onerror", "open": "onopen"}


class ListenerEntry:
    """One listener added with ``addEventListener()``."""

    __slots__ = ("fn", "key", "once", "removed")

    def __init__(self, fn: Callable[[Any], Any], key: object, once: bool) -> None:
        self.fn = fn
        self.key = key
        self.once = once
        self.removed = False


Listener = Callable[[Any], Any]


class EventTarget(End):
    """``addEventListener()``, ``removeEventListener()``, ``dispatchEvent()`` and the runtime's dispatch."""

    def addEventListener(
        self,
        type: str,  # noqa: A002 - JS name
        listener: Any,
        options: bool | dict[str, Any] | None = None,
        /,
        *_extra: Any,
        once: bool = False,
        capture: bool = False,
        passive: bool = False,
    ) -> None:
        """Mirrors ``EventTarget.addEventListener()``.

        ``listener`` is called with the event; it may also be an object with a
        ``handleEvent`` method. Options, as a dict (``{"once": True}``) or as
        keywords: ``once`` removes the listener after its first call; ``capture``
        must be false, as in workerd; ``passive`` is accepted. Adding the same listener
        twice for a type has no effect. ``on<type>`` attributes (``ws.onmessage = fn``)
        run before all listeners added here.

        Listeners run one after another within one dispatch. Deliberate
        reproduction of workerd: a listener that raises stops the rest for that
        event and errors the socket (unless ``spec_compliant_dispatch_exceptions``).
        An ``async def`` listener runs as a task that nothing awaits, with a
        one-time warning, as workerd ignores the promise it returns.

        Raises:
            TypeError: ``capture`` is true, or ``listener`` is not callable.
        """
        # JSG converts the arguments in order: the listener before the options.
        if listener is None:
            fn = None
        elif isinstance(listener, _JS_PRIMITIVES):
            raise TypeError(errors.LISTENER_NOT_OF_TYPE)
        else:
            fn = _listener_function(listener)
        if isinstance(options, bool):
            if options:
                raise TypeError(errors.USE_CAPTURE_MUST_BE_FALSE)
        elif isinstance(options, dict):
            once = once or bool(options.get("once", False))
            capture = capture or bool(options.get("capture", False))
            passive = passive or bool(options.get("passive", False))
        elif options is not None:
            raise TypeError(f"addEventListener() options must be a dict or bool, not {type_name(options)}")
        if capture:
            raise TypeError(errors.CAPTURE_MUST_BE_FALSE)
        # ``passive`` is accepted and has no effect: WebSocket events cannot be cancelled.
        if not isinstance(type, str):
            raise TypeError(f"event type must be a str, not {type_name(type)}")
        if fn is None:
            return
        entries = self._listeners.setdefault(type, [])
        if any(e.key is listener or e.key == listener for e in entries):
            return
        entries.append(ListenerEntry(fn, listener, once))

    def removeEventListener(
        self,
        type: str,  # noqa: A002 - JS name
        listener: Any,
        options: bool | dict[str, Any] | None = None,
        /,
        *_extra: Any,
    ) -> None:
        """Mirrors ``EventTarget.removeEventListener()``: stop calling ``listener`` for ``type``.

        A listener removed while an event is being dispatched is not called for it.

        Raises:
            TypeError: ``capture`` is true (``{"capture": True}`` or ``True``), as in
                workerd; the listener stays registered.
        """
        if isinstance(listener, _JS_PRIMITIVES):
            raise TypeError(errors.REMOVE_LISTENER_NOT_OF_TYPE)
        if options is True:
            raise TypeError(errors.REMOVE_USE_CAPTURE_MUST_BE_FALSE)
        if isinstance(options, dict) and options.get("capture"):
            raise TypeError(errors.REMOVE_CAPTURE_MUST_BE_FALSE)
        entries = self._listeners.get(type)
        if not entries:
            return
        for i, entry in enumerate(entries):
            if entry.key is listener or entry.key == listener:
                entry.removed = True
                del entries[i]
                return

    def dispatchEvent(self, event: Event, *_extra: Any) -> bool:
        """Mirrors ``EventTarget.dispatchEvent()``: call this end's listeners for ``event`` now.

        Before 2026-09-15 an exception from a listener propagates to the caller and
        the remaining listeners are skipped; from then (``spec_compliant_dispatch_exceptions``)
        every listener runs and exceptions are only reported. Returns True
        (WebSocket events cannot be cancelled).
        """
        if not isinstance(event, Event):
            raise TypeError(errors.DISPATCH_NOT_AN_EVENT)
        begin_dispatch(event, self, trusted=False)
        try:
            if self._pair._compat.spec_compliant_dispatch_exceptions:
                self._dispatch_reporting(event)
                return True
            for fn in self._each_listener(event.type):
                self._call_listener(fn, event)
            return True
        finally:
            end_dispatch(event)

    def _each_listener(self, etype: str) -> Iterator[Callable[[Any], Any]]:
        """The functions to call for an event, in workerd's order (basics.c++ dispatchEventImpl).

        The ``on<type>`` attribute first (if callable), then listeners in the
        order they were added, as of the dispatch's start; lazily, so that a
        listener removed by an earlier one in the same dispatch is skipped (unless it was
        added again: then it runs in its old place), and
        a ``once`` listener is removed before it runs.
        """
        handler = getattr(self, _ON.get(etype) or "on" + etype, None)
        entries = self._listeners.get(etype)
        # The snapshot is taken before the attribute's handler runs: a listener it adds
        # waits for the next event (gen-010b5884).
        snapshot = tuple(entries) if entries else ()
        if handler is not None and callable(handler):
            yield handler
        if snapshot:
            entries = self._listeners.get(etype, [])
            for entry in snapshot:
                live = _registered(entries, entry)
                if live is None:
                    continue
                if live.once:
                    live.removed = True
                    entries.remove(live)
                yield live.fn

    def _dispatch_from_runtime(self, event: Event) -> None:
        """Dispatch an event the runtime produced (a frame, a close); handle a raising listener."""
        own = self._io_context
        if own is not None and other_scope(own):
            own.copy().run(self._dispatch_from_runtime, event)
            return
        pair = self._pair
        if pair._recorders:
            self._record_event(event)
        if self._handler is not None:
            self._handler(self, event)
            return
        begin_dispatch(event, self, trusted=True)
        try:
            self._dispatch_listeners(event)
        finally:
            end_dispatch(event)

    def _dispatch_message(self, data: str | bytes | Blob) -> None:
        """Dispatch the message event of a frame the runtime read.

        The same as ``_dispatch_from_runtime(_message_event(data))``, on the path
        every frame takes: the event is made already at its target, and one
        listener alone is called without the walk of :meth:`_each_listener`.
        """
        if self._handler is not None:
            self._dispatch_from_runtime(_message_event(data))
            return
        own = self._io_context
        if own is not None and other_scope(own):
            own.copy().run(self._dispatch_message, data)
            return
        event = _message_event_at(data, self)
        if self._pair._recorders:
            self._record_event(event)
        entries = self._listeners.get("message")
        if entries is not None and len(entries) == 1 and self.onmessage is None and not entries[0].once:
            # The common case, one listener: the same rules as _dispatch_listeners.
            try:
                result = entries[0].fn(event)
            except Exception as exc:  # noqa: BLE001 - it ends the read loop, as in the walk
                if self._pair._spec_dispatch:
                    self._report_listener_exception(exc, "message")
                self._listener_raised(exc, "message")
            else:
                if result is not None:
                    self._returned(result)
            finally:
                end_dispatch(event)
            return
        try:
            self._dispatch_listeners(event)
        finally:
            end_dispatch(event)

    def _dispatch_listeners(self, event: Event) -> None:
        """Call this end's listeners for an event the runtime dispatches, in workerd's order."""
        pair = self._pair
        etype = event.type
        entries = self._listeners.get(etype)
        handler = getattr(self, _ON.get(etype) or "on" + etype, None)
        if not entries and handler is None:
            return
        if not pair._spec_dispatch:
            try:
                for fn in self._each_listener(etype):
                    self._call_listener(fn, event)
            except Exception as exc:  # noqa: BLE001 - workerd: the first raising listener ends the dispatch
                self._listener_raised(exc, etype)
            return
        # spec_compliant_dispatch_exceptions (2026-09-15): every listener runs; the
        # first exception is reported, and a message listener's still ends the read
        # loop (as measured on workerd 2026-11-17; a close listener's does not).
        first = self._dispatch_reporting(event)
        if first is not None and type(event) is MessageEvent:
            self._listener_raised(first, etype)

    def _dispatch_reporting(self, event: Event) -> Exception | None:
        """Call every listener; report each exception (log, recorder); return the first.

        Before 2026-09-15 (no ``spec_compliant_dispatch_exceptions``) the first exception
        ends the dispatch, as in any other: the listeners after it are not called
        (measured: close-1006-listener-raises-ends-dispatch)."""
        first: Exception | None = None
        spec_compliant = self._pair._compat.spec_compliant_dispatch_exceptions
        for fn in self._each_listener(event.type):
            try:
                self._call_listener(fn, event)
            except Exception as exc:  # noqa: BLE001 - report and continue
                self._report_listener_exception(exc, event.type)
                if first is None:
                    first = exc
                if not spec_compliant:
                    break
        return first

    def _report_listener_exception(self, exc: Exception, etype: str) -> None:
        message = f"Uncaught {js_name(exc)}: {js_message(exc)}"
        log.warning("%s (in a %r listener)", message, etype)
        if self._pair._recorders:
            self._record_note("listener raised", message)

    def _call_listener(self, fn: Callable[[Any], Any], event: Event) -> None:
        result = fn(event)
        if result is not None:
            self._returned(result)

    def _returned(self, result: Any) -> None:
        """What a listener returned: an awaitable is run unawaited, with a one-time warning."""
        if inspect.isawaitable(result):
            if not self._warned_promise:
                self._warned_promise = True
                log.warning("%s", errors.PROMISE_IGNORED)
            if inspect.iscoroutine(result):
                spawn(result)


def _registered(entries: list[ListenerEntry], entry: ListenerEntry) -> ListenerEntry | None:
    """The entry a dispatch calls for ``entry`` of its snapshot, or None.

    workerd looks each listener of the snapshot up by the function: one removed
    and added again during the dispatch still runs, in its old place (measured on
    workerd 2026-11-23: scenario listener-readded-during-dispatch).
    """
    if not entry.removed:
        return entry
    return next((e for e in entries if e.key is entry.key or e.key == entry.key), None)


def _listener_function(listener: Any) -> Callable[[Any], Any]:
    if callable(listener):
        return listener  # type: ignore[no-any-return]
    handle = getattr(listener, "handleEvent", None)
    if callable(handle):
        return handle  # type: ignore[no-any-return]
    raise TypeError(errors.HANDLE_EVENT_NOT_OF_TYPE)


#: Python values that reach JavaScript as primitives (Pyodide converts them), not objects.
_JS_PRIMITIVES = (str, int, float)
