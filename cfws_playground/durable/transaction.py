"""Storage transactions: ``storage.transaction(fn)``, ``transactionSync(fn)`` and the undo journal.

workerd (``src/workerd/api/actor-state.c++``) runs ``transaction(fn)`` inside
``blockConcurrencyWhile`` and gives ``fn`` a ``DurableObjectTransaction``
(``txn``): its writes are committed when ``fn``'s promise resolves, and dropped
when it rejects or when ``fn`` calls ``txn.rollback()``. ``transactionSync(fn)``
(SQLite-backed objects only) wraps ``fn()`` in a savepoint, so that both its SQL
and its key-value writes go back if it throws.

The kit keeps an object's keys in its key-value backend, beside its SQLite
database, so a transaction keeps an undo :class:`Journal` of the keys it
changed (their values before) as well as a savepoint of the SQL. Alarms are
not part of the journal: ``txn.setAlarm()`` takes effect at once.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import WorkersError
from ..promise import JsPromise, stored
from .ids import JsClass
from .sql import NOT_BACKED_BY_SQL, transaction_sync

if TYPE_CHECKING:
    from .storage import Storage

__all__ = [
    "DELETE_ALL_IN_TRANSACTION",
    "DurableObjectTransaction",
    "Journal",
    "run_transaction",
    "run_transaction_sync",
    "start_transaction",
]

# workerd's texts, word for word.
DELETE_ALL_IN_TRANSACTION = "Cannot call deleteAll() within a transaction"


def _rolled_back(op: str) -> str:
    return f"Cannot {op} on rolled back transaction"


def _committed(op: str) -> str:
    return (
        f"Cannot call {op} on transaction that has already committed: "
        "did you move `txn` outside of the closure?"
    )


class Journal:
    """The values keys had before a transaction (or a nested one) first changed them.

    A stack, one level per open transaction: ``None`` for a key that did not exist.
    """

    def __init__(self) -> None:
        self._levels: list[dict[str, str | None]] = []

    @property
    def open(self) -> bool:
        return bool(self._levels)

    def begin(self) -> None:
        self._levels.append({})

    def remember(self, key: str, before: str | None) -> None:
        """``key`` is about to change; keep its value unless this level has already."""
        if self._levels:
            self._levels[-1].setdefault(key, before)

    def commit(self) -> None:
        """The innermost level's changes stay: the level around it now owns their undo."""
        level = self._levels.pop()
        if self._levels:
            for key, before in level.items():
                self._levels[-1].setdefault(key, before)

    def rollback(self) -> dict[str, str | None]:
        """Close the innermost level: the keys to put back (``None``: delete)."""
        return self._levels.pop()


def run_transaction_sync(storage: Storage, callback: Callable[[], Any]) -> Any:
    """``storage.transactionSync(fn)``: ``fn()``'s SQL and key-value writes go back if it raises.

    Raises:
        WorkersError: the object is not SQLite-backed (workerd's text).
    """
    databases = storage._sql
    if databases is None:
        raise WorkersError(NOT_BACKED_BY_SQL)
    storage._journal.begin()
    try:
        result = transaction_sync(databases.database(storage._obj), callback)
    except BaseException:
        storage._undo(storage._journal.rollback())
        raise
    storage._journal.commit()
    return result


class DurableObjectTransaction:
    """Mirrors ``DurableObjectTransaction``, the ``txn`` that ``storage.transaction(fn)`` passes to ``fn``.

    ``get``/``put``/``delete``/``list`` and the alarm methods act on the object's storage and
    return promises, as ``ctx.storage``'s do; ``rollback()`` drops every write made so far.
    """

    constructor = JsClass("DurableObjectTransaction")

    def __init__(self, storage: Storage) -> None:
        self._storage: Storage | None = storage
        self._rolled_back = False

    def _check(self, op: str) -> Storage:
        if self._rolled_back:
            raise WorkersError(_rolled_back(op))
        if self._storage is None:
            raise WorkersError(_committed(op))
        return self._storage

    def get(self, key: str | list[str], options: Any = None) -> JsPromise[Any]:
        """Mirrors ``txn.get()``."""
        return stored(lambda: self._check("get()")._get(key, options))

    def put(self, key: str | Mapping[str, Any], *args: Any) -> JsPromise[None]:
        """Mirrors ``txn.put()``."""
        return stored(lambda: self._check("put()")._put(key, *args))

    def delete(self, key: str | list[str], options: Any = None) -> JsPromise[bool | int]:
        """Mirrors ``txn.delete()``."""
        return stored(lambda: self._check("delete()")._delete(key, options))

    def list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> JsPromise[Any]:
        """Mirrors ``txn.list()``."""
        return stored(lambda: self._check("list()")._list(options, **kwargs))

    def deleteAll(self, options: Any = None) -> JsPromise[None]:
        """Mirrors ``txn.deleteAll()``: always workerd's error."""
        return stored(_raise, WorkersError(DELETE_ALL_IN_TRANSACTION))

    def getAlarm(self, options: Any = None) -> JsPromise[float | None]:
        """Mirrors ``txn.getAlarm()``."""
        return stored(lambda: self._check("getAlarm()")._getAlarm(options))

    def setAlarm(self, scheduled_time: Any, options: Any = None) -> JsPromise[None]:
        """Mirrors ``txn.setAlarm()`` (not undone by a rollback here)."""
        return stored(lambda: self._check("setAlarm()")._setAlarm(scheduled_time, options))

    def deleteAlarm(self, options: Any = None) -> JsPromise[None]:
        """Mirrors ``txn.deleteAlarm()`` (not undone by a rollback here)."""
        return stored(lambda: self._check("deleteAlarm()")._deleteAlarm(options))

    def rollback(self) -> None:
        """Mirrors ``txn.rollback()``: the writes so far go back, later calls throw; twice is fine."""
        if self._rolled_back:
            return
        storage = self._check("rollback()")
        storage._rollback_transaction()
        self._rolled_back = True

    def __repr__(self) -> str:
        return "<DurableObjectTransaction>"


def _raise(exc: Exception) -> None:
    raise exc


async def run_transaction(storage: Storage, callback: Callable[[DurableObjectTransaction], Any]) -> Any:
    """``storage.transaction(fn)``: ``fn(txn)``, awaited; its writes go back if it raises or rolls back."""
    txn = DurableObjectTransaction(storage)
    storage._begin_transaction()
    try:
        result = callback(txn)
        if inspect.isawaitable(result):
            result = await result
    except BaseException:
        if not txn._rolled_back:
            storage._rollback_transaction()
            txn._rolled_back = True
        raise
    finally:
        txn._storage = None
    if not txn._rolled_back:
        storage._commit_transaction()
    return result


def start_transaction(
    storage: Storage, callback: Callable[[DurableObjectTransaction], Any]
) -> asyncio.Future[Any]:
    """Start ``run_transaction`` as a task of the running loop."""
    return asyncio.ensure_future(run_transaction(storage, callback))
