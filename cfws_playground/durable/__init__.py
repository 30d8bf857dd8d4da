"""Durable Objects with the WebSocket Hibernation API, in process.

::

    from cfws_playground.durable import DurableObjectNamespace, hibernate

    rooms = DurableObjectNamespace(Room, env)     # env.ROOM in a project
    stub = rooms.getByName("lobby")
    response = await stub.fetch(request)          # one instance per id, events through its input gate
    await hibernate(stub)                         # evict it now; the next event constructs it again

Rooms: :mod:`.ids` (ids), :mod:`.storage` (``ctx.storage``, in memory or
SQLite), :mod:`.state` (``ctx``: the Hibernation API), :mod:`.object` (one
object's life: input gate, sockets, eviction, alarms), :mod:`.namespace`
(bindings and stubs), :mod:`.views` (hibernate(), and what the inspector widget reads).
"""

from __future__ import annotations

from .ids import DurableObjectId
from .namespace import DurableObjectNamespace, DurableObjectStub, namespaces
from .object import AlarmInvocationInfo, ObjectHost
from .state import DurableObjectState, WebSocketRequestResponsePair
from .storage import JsDict, MemoryBackend, SqliteBackend, Storage, StorageMap
from .views import HibernationBlockedError, ObjectView, SocketView, blockers, hibernate, snapshot

__all__ = [
    "AlarmInvocationInfo",
    "DurableObjectId",
    "DurableObjectNamespace",
    "DurableObjectState",
    "DurableObjectStub",
    "HibernationBlockedError",
    "JsDict",
    "MemoryBackend",
    "ObjectHost",
    "ObjectView",
    "SocketView",
    "SqliteBackend",
    "Storage",
    "StorageMap",
    "WebSocketRequestResponsePair",
    "blockers",
    "hibernate",
    "namespaces",
    "snapshot",
]
