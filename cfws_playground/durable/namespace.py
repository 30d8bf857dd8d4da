"""Durable Object namespaces (``env.ROOM``) and stubs: ids, ``get``, ``fetch`` and RPC.

A namespace binding creates ids (``idFromName``, ``newUniqueId``,
``idFromString``) and stubs (``get(id)``, ``getByName(name)``). Exactly one
:class:`~cfws_playground.durable.object.ObjectHost` exists per id, so every
stub for an id reaches the same object, and events reach it in order through its input gate.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from ..compat import compatibility
from ..http import Request, Response
from ..promise import JsPromise, started
from ..worker import call_loosely
from . import texts
from .ids import DurableObjectId, JsClass
from .object import DEFAULT_HIBERNATE_AFTER, ObjectHost
from .sql import SqlDatabases
from .storage import Backend, MemoryBackend, decode, encode

__all__ = ["DurableObjectNamespace", "DurableObjectStub", "namespaces"]

#: Hosts a namespace keeps before it forgets those with nothing in memory.
_SWEEP_AT = 1024

_namespaces: weakref.WeakSet[DurableObjectNamespace] = weakref.WeakSet()

#: Names a stub never forwards as RPC (they are not the object's methods in workerd either).
_NOT_RPC = frozenset(
    {"ctx", "env", "constructor", "alarm", "webSocketMessage", "webSocketClose", "webSocketError"}
)


def namespaces() -> list[DurableObjectNamespace]:
    """Every live namespace, in creation order (what the inspector shows)."""
    return sorted(_namespaces, key=lambda ns: ns._serial)


_serial = 0


class DurableObjectNamespace:
    """Mirrors ``DurableObjectNamespace``, the binding in ``env`` (``env.ROOM``).

    Args:
        cls: the Durable Object class (``class Room(DurableObject)``), constructed as ``cls(ctx, env)``.
        env: the ``env`` objects receive (set later by a project loader if None).
        name: the binding's name, for display (defaults to the class name).
        storage: a backend (:class:`~cfws_playground.durable.storage.MemoryBackend`
            by default, or a :class:`~cfws_playground.durable.storage.SqliteBackend`).
        hibernate_after: seconds an idle object stays in memory before it is evicted
            (10 as in production; 0 as soon as it is idle; None never, only by
            :func:`~cfws_playground.durable.hibernate`).
        alarm_backoff: seconds before the first retry of a failed ``alarm()`` (doubles each time).
        compatibility: the compatibility date and flags pairs made inside the objects get
            (by default, those of wherever the object's first event came from).
        sql: SQLite-backed objects (``ctx.storage.sql``, ``ctx.storage.kv``), as a class in
            ``new_sqlite_classes`` is: True (in memory), or the databases to use
            (:class:`~cfws_playground.durable.sql.SqlDatabases`, e.g. in a folder); False for
            a key-value class (``new_classes``), whose ``sql`` and ``kv`` raise workerd's error.
    """

    constructor = JsClass("DurableObjectNamespace")

    def __init__(
        self,
        cls: type,
        env: Any = None,
        *,
        name: str | None = None,
        storage: Backend | None = None,
        hibernate_after: float | None = DEFAULT_HIBERNATE_AFTER,
        alarm_backoff: float = 2.0,
        compatibility: compatibility | None = None,
        sql: bool | SqlDatabases = True,
    ) -> None:
        global _serial
        _serial += 1
        self._serial = _serial
        self.cls = cls
        self.env = env
        self.class_name = cls.__name__
        self.binding = name or cls.__name__
        self.backend: Backend = storage if storage is not None else MemoryBackend()
        self.hibernate_after = hibernate_after
        self.alarm_backoff = alarm_backoff
        self.compatibility = compatibility
        self.sql: SqlDatabases | None = (
            sql if isinstance(sql, SqlDatabases) else SqlDatabases() if sql else None
        )
        # How a request reaches the object's fetch, and its answer comes back (the
        # Python Workers SDK wraps both; pyworkers sets these for SDK classes).
        self.request_adapter: Callable[[Request], Any] = lambda r: r
        self.response_adapter: Callable[[Any], Any] = lambda r: r
        # What the caller of stub.fetch() gets when the object's fetch raises (pyworkers: the
        # PythonError a Python exception becomes in JavaScript).
        self.error_adapter: Callable[[Exception], Exception] = lambda e: e
        # What the class's code gets as ``ctx`` and as a hibernation handler's arguments
        # (pyworkers: JsProxy objects, as Pyodide shows them).
        self.ctx_adapter: Callable[[Any], Any] = lambda ctx: ctx
        self.handler_args_adapter: Callable[[tuple[Any, ...]], tuple[Any, ...]] = lambda args: args
        self._hosts: dict[DurableObjectId, ObjectHost] = {}
        self._subscribers: list[Callable[[], None]] = []
        _namespaces.add(self)

    # ---------------------------------------------------------------- ids

    def idFromName(self, name: str) -> DurableObjectId:
        """Mirrors ``idFromName(name)``: the same id for the same name, every time."""
        return DurableObjectId.from_name(self.class_name, str(name))

    def newUniqueId(self, options: Any = None) -> DurableObjectId:
        """Mirrors ``newUniqueId()``: a random id."""
        return DurableObjectId.unique()

    def idFromString(self, text: str) -> DurableObjectId:
        """Mirrors ``idFromString(hex)``. Raises ``TypeError`` (workerd's text) unless 64 hex digits."""
        return DurableObjectId.parse(text)

    # ---------------------------------------------------------------- stubs

    def get(self, object_id: DurableObjectId, options: Any = None) -> DurableObjectStub:
        """Mirrors ``get(id)``: a stub for the object (created on its first event)."""
        if not isinstance(object_id, DurableObjectId):
            raise TypeError(f"get() takes a DurableObjectId, not {type(object_id).__name__}")
        return DurableObjectStub(self, object_id)

    def getByName(self, name: str, options: Any = None) -> DurableObjectStub:
        """Mirrors ``getByName(name)``: ``get(idFromName(name))``."""
        return self.get(self.idFromName(name))

    def host(self, object_id: DurableObjectId) -> ObjectHost:
        """The one host for ``object_id`` (made on first use)."""
        host = self._hosts.get(object_id)
        if host is None:
            if len(self._hosts) >= _SWEEP_AT:
                # Objects with nothing in memory and no sockets are made again when used:
                # forget them, so a namespace serving many ids stays bounded.
                for key in [k for k, h in self._hosts.items() if h.forgettable]:
                    del self._hosts[key]
            host = self._hosts[object_id] = ObjectHost(self, object_id)
            at = self.backend.get_alarm(object_id.toString())
            if at is not None:
                host._arm_alarm(at)  # an alarm persisted by an earlier run
            self._changed()
        return host

    @property
    def hosts(self) -> list[ObjectHost]:
        """The objects this namespace has, in the order they were first used."""
        return list(self._hosts.values())

    def resume_alarms(self) -> int:
        """Arm the alarms a persistent backend holds from an earlier run; return how many."""
        n = 0
        for key in self.backend.objects():
            if self.backend.get_alarm(key) is not None:
                object_id = DurableObjectId.parse(key)
                if object_id not in self._hosts:
                    self.host(object_id)
                    n += 1
        return n

    # ---------------------------------------------------------------- change notices (inspector)

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after each lifecycle change; return a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _changed(self) -> None:
        for callback in list(self._subscribers):
            callback()

    def __repr__(self) -> str:
        return f"<DurableObjectNamespace {self.binding} ({self.class_name}) {len(self._hosts)} objects>"


class DurableObjectStub:
    """Mirrors a Durable Object stub: ``await stub.fetch(request)`` and ``await stub.method(...)`` (RPC).

    Arguments and results of RPC calls cross as structured clones (plain data is
    copied); other values (a ``Response``, a ``WebSocket``) pass as they are.
    """

    def __init__(self, namespace: DurableObjectNamespace, object_id: DurableObjectId) -> None:
        self._namespace = namespace
        self.id = object_id
        self.name = object_id.name

    @property
    def _host(self) -> ObjectHost:
        return self._namespace.host(self.id)

    def fetch(self, request: Any, init: Any = None) -> JsPromise[Response]:
        """Mirrors ``stub.fetch(request)``: the object's ``fetch`` handler, after every event before it.

        The request is on its way when the call returns, awaited or not (a JS promise).
        """
        return started(self._fetch(request, init))

    async def _fetch(self, request: Any, init: Any) -> Response:
        kit_request = _kit_request(request, init)
        host = self._host
        adapt = self._namespace.request_adapter

        def call(instance: Any) -> Any:
            handler = getattr(instance, "fetch", None)
            if handler is None:
                raise TypeError(f"{type(instance).__name__} has no fetch() handler")
            return call_loosely(handler, adapt(kit_request))

        fut = host.submit("fetch", call)
        assert fut is not None
        try:
            result = await fut
        except Exception as exc:
            crossed = self._namespace.error_adapter(exc)
            if crossed is exc:
                raise
            raise crossed from exc
        response = self._namespace.response_adapter(result)
        if not isinstance(response, Response):
            raise TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.")
        response = response._for_runtime()
        host.saw_response(response)
        return response

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def rpc(*args: Any, **kwargs: Any) -> JsPromise[Any]:
            # Arguments are serialised when the call is made, as in JS.
            args = tuple(_clone(a) for a in args)
            kwargs = {k: _clone(v) for k, v in kwargs.items()}
            return started(call_rpc(args, kwargs))

        async def call_rpc(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            host = self._host

            def call(instance: Any) -> Any:
                method = getattr(type(instance), name, None)
                if name in _NOT_RPC or method is None or not callable(method):
                    raise TypeError(texts.NO_RPC_METHOD.format(name=name))
                return getattr(instance, name)(*args, **kwargs)

            fut = host.submit(f"rpc {name}()", call)
            assert fut is not None
            return _clone(await fut)

        rpc.__name__ = name
        return rpc

    def __repr__(self) -> str:
        return f"<DurableObjectStub {self._namespace.class_name} {self.id!r}>"


def _kit_request(request: Any, init: Any) -> Request:
    kit = getattr(request, "js_object", None)  # the Python Workers SDK's Request
    if isinstance(kit, Request):
        return kit
    if isinstance(request, Request):
        return request
    if isinstance(request, str):
        opts = dict(init or {})
        return Request(
            request, method=opts.get("method", "GET"), headers=opts.get("headers"), body=opts.get("body")
        )
    raise TypeError(f"stub.fetch() takes a Request or a URL, not {type(request).__name__}")


def _clone(value: Any) -> Any:
    try:
        return decode(encode(value))
    except Exception:  # noqa: BLE001 - not plain data: passed as it is (a Response, a WebSocket, ...)
        return value
