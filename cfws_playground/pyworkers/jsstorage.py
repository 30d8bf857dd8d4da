"""``ctx.storage``'s synchronous SQLite APIs as Python Workers code gets them: errors are ``JsException``.

In Pyodide, what ``ctx.storage.sql.exec()``, a cursor, ``ctx.storage.kv`` and
``transactionSync()`` throw reaches Python as ``JsException`` (``str(e)`` is
``"Error: no such table: t: SQLITE_ERROR"``; measured: the ``sql-notes`` project
on Pyodide in workerd). The kit's objects raise the runtime's own error classes
(:class:`~cfws_playground.errors.WorkersError`), as notebooks use them; these thin
wrappers, handed out by the dialect's ``ctx``, convert at the boundary, and so
does ``transaction(fn)``'s ``txn`` (measured: ``py-storage-transaction``). The
promise-returning key-value methods stay the kit's own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from ..durable.sql import NOT_BACKED_BY_SQL, SqlStorage, SqlStorageCursor, SyncKvStorage
from ..durable.storage import Storage
from ..promise import JsPromise
from .ffi import JsException
from .jsproxy import js_errors, python_error

__all__ = ["JsSqlCursor", "JsSqlStorage", "JsStorage", "JsSyncKvStorage", "JsTransaction"]

_END = object()


class JsSqlCursor:
    """A ``SqlStorageCursor`` as Python sees it in Pyodide."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: SqlStorageCursor) -> None:
        self._cursor = cursor

    @property
    def columnNames(self) -> list[str]:
        return self._cursor.columnNames

    @property
    def rowsRead(self) -> int:
        return self._cursor.rowsRead

    @property
    def rowsWritten(self) -> int:
        return self._cursor.rowsWritten

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        with js_errors():
            row = next(self._cursor, _END)
        if row is _END:
            raise StopIteration
        return row

    def next(self) -> dict[str, Any]:
        with js_errors():
            return self._cursor.next()

    def toArray(self) -> list[Any]:
        with js_errors():
            return self._cursor.toArray()

    def one(self) -> Any:
        with js_errors():
            return self._cursor.one()

    def raw(self) -> Any:
        with js_errors():
            return self._cursor.raw()

    def __repr__(self) -> str:
        return repr(self._cursor)


class JsSqlStorage:
    """``ctx.storage.sql`` as Python sees it in Pyodide."""

    __slots__ = ("_sql",)

    def __init__(self, sql: SqlStorage) -> None:
        self._sql = sql

    def exec(self, query: Any, *bindings: Any) -> JsSqlCursor:
        with js_errors():
            return JsSqlCursor(self._sql.exec(query, *bindings))

    @property
    def databaseSize(self) -> int:
        with js_errors():
            return self._sql.databaseSize

    def __repr__(self) -> str:
        return repr(self._sql)


class JsSyncKvStorage:
    """``ctx.storage.kv`` as Python sees it in Pyodide."""

    __slots__ = ("_kv",)

    def __init__(self, kv: SyncKvStorage) -> None:
        self._kv = kv

    def get(self, key: Any) -> Any:
        with js_errors():
            return self._kv.get(key)

    def put(self, key: Any, value: Any) -> None:
        with js_errors():
            self._kv.put(key, value)

    def delete(self, key: Any) -> bool:
        with js_errors():
            return self._kv.delete(key)

    def list(self, options: Any = None, **kwargs: Any) -> Any:
        with js_errors():
            return self._kv.list(options, **kwargs)

    def __repr__(self) -> str:
        return repr(self._kv)


class JsTransaction:
    """The ``txn`` of ``storage.transaction(fn)`` as Python sees it: what it throws is ``JsException``."""

    __slots__ = ("_txn",)

    def __init__(self, txn: Any) -> None:
        self._txn = txn

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._txn, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            with js_errors():
                result = method(*args, **kwargs)
            return _rejections_as_js(result) if isinstance(result, JsPromise) else result

        return call

    def __repr__(self) -> str:
        return repr(self._txn)


async def _rejections_as_js(promise: JsPromise[Any]) -> Any:
    with js_errors():
        return await promise


class JsStorage:
    """``ctx.storage`` for Python Workers code: the kit's storage, its SQLite APIs wrapped."""

    __slots__ = ("_storage",)

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    @property
    def sql(self) -> JsSqlStorage:
        return JsSqlStorage(self._storage.sql)

    @property
    def kv(self) -> JsSyncKvStorage:
        return JsSyncKvStorage(self._storage.kv)

    def transaction(self, callback: Callable[[Any], Any]) -> Any:
        """``fn`` gets a :class:`JsTransaction`; what it raises comes back as Pyodide's
        ``PythonError`` (a ``JsException``), as it crossed a JS promise."""

        async def run(txn: Any) -> Any:
            try:
                result = callback(JsTransaction(txn))
                if inspect.isawaitable(result):
                    result = await result
            except JsException:
                raise
            except Exception as exc:  # noqa: BLE001 - it leaves Python for JS here
                raise python_error(exc) from exc
            return result

        return self._storage.transaction(run)

    def transactionSync(self, callback: Callable[[], Any]) -> Any:
        """What ``fn`` raises comes back as it was raised (a Python exception crosses JS and back)."""
        if self._storage._sql is None:
            raise JsException(NOT_BACKED_BY_SQL, name="Error")
        return self._storage.transactionSync(callback)

    def __repr__(self) -> str:
        return repr(self._storage)
