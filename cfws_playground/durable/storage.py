"""``ctx.storage``: a Durable Object's transactional key-value storage and its alarm.

Values cross as structured clones: what you ``put`` is copied, what you ``get``
is a fresh copy (a ``dict`` comes back as :class:`JsDict`, which also allows
attribute access, as the Python Workers SDK's conversion gives). A value that
structured clone cannot copy raises ``DOMException`` ``DataCloneError``.

Two backends hold the bytes: :class:`MemoryBackend` (the default: state lasts as
long as the process) and :class:`SqliteBackend` (stdlib ``sqlite3``: state
persists across restarts, as ``pywrangler dev`` keeps local state in a folder).
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn, Protocol

from ..errors import NOT_SERIALIZABLE, DOMException
from ..promise import GATE_HOLDS, JsPromise, stored
from ..socket import WebSocket
from . import texts
from .ids import JsClass
from .sql import SqlDatabases, SqlStorage, SyncKvStorage
from .transaction import DurableObjectTransaction, Journal, run_transaction_sync, start_transaction

__all__ = [
    "JsDict",
    "MemoryBackend",
    "SqliteBackend",
    "Storage",
    "StorageError",
    "StorageMap",
    "decode",
    "encode",
]


class StorageError(OSError):
    """A storage file cannot be opened as it is; the message names it and says what to do.

    Attributes:
        path: the file.
        backup: a copy of it as it was found (nothing is ever thrown away), or None.
    """

    def __init__(self, message: str, path: Path, backup: Path | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.backup = backup


_MISSING: Any = object()


class JsDict(dict):  # type: ignore[type-arg]
    """A ``dict`` whose keys also read as attributes (``value.count``), as the SDK's ``JsDict``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class StorageMap(JsDict):
    """What ``list()`` and ``get([keys])`` return: a JS ``Map`` in workerd, in key order."""


# ---------------------------------------------------------------------- structured clone, as JSON


def encode(value: Any) -> str:
    """Structured-clone ``value`` into text (the stored form).

    Raises:
        DOMException: DataCloneError, for a value structured clone cannot copy.
    """
    return json.dumps(_enc(value, set()), separators=(",", ":"), allow_nan=False)


def _enc(value: Any, seen: set[int]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else {"$n": str(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$f": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b": bytes(value).hex()}
    key = id(value)
    if key in seen:
        raise DOMException("The object could not be cloned: it contains itself.", "DataCloneError")
    if isinstance(value, (list, tuple)):
        seen.add(key)
        out = [_enc(v, seen) for v in value]
        seen.discard(key)
        return out
    if isinstance(value, Mapping):
        seen.add(key)
        items = {}
        for k, v in value.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise DOMException(f"{type(k).__name__} key {k!r} could not be cloned.", "DataCloneError")
            items[str(k)] = _enc(v, seen)
        seen.discard(key)
        return {"$d": items}
    if isinstance(value, (set, frozenset)):
        seen.add(key)
        out = [_enc(v, seen) for v in value]
        seen.discard(key)
        return {"$s": out}
    if isinstance(value, WebSocket):  # a runtime object: workerd's serializer refuses it by name
        raise DOMException(NOT_SERIALIZABLE.format(type="WebSocket"), "DataCloneError")
    raise DOMException(f"{type(value).__name__} object could not be cloned.", "DataCloneError")


def decode(text: str) -> Any:
    """The value :func:`encode` stored, as a fresh copy."""
    return _dec(json.loads(text))


def _dec(raw: Any) -> Any:
    if isinstance(raw, list):
        return [_dec(v) for v in raw]
    if isinstance(raw, dict):
        if "$d" in raw:
            return JsDict((k, _dec(v)) for k, v in raw["$d"].items())
        if "$b" in raw:
            return bytes.fromhex(raw["$b"])
        if "$s" in raw:
            return {_dec(v) for v in raw["$s"]}
        if "$n" in raw:
            return int(raw["$n"])
        if "$f" in raw:
            return float(raw["$f"])
    return raw


# ---------------------------------------------------------------------- backends


class Backend(Protocol):
    """Where one namespace's objects keep their keys and alarms."""

    def get(self, obj: str, key: str) -> str | None: ...
    def put(self, obj: str, items: list[tuple[str, str]]) -> None: ...
    def delete(self, obj: str, keys: list[str]) -> int: ...
    def delete_all(self, obj: str) -> None: ...
    def keys(self, obj: str) -> list[str]: ...
    def get_alarm(self, obj: str) -> float | None: ...
    def set_alarm(self, obj: str, at: float | None) -> None: ...
    def objects(self) -> list[str]: ...


class MemoryBackend:
    """Keys and alarms in dicts: gone when the process ends (the default)."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, str]] = {}
        self._alarms: dict[str, float] = {}

    def get(self, obj: str, key: str) -> str | None:
        return self._data.get(obj, {}).get(key)

    def put(self, obj: str, items: list[tuple[str, str]]) -> None:
        self._data.setdefault(obj, {}).update(items)

    def delete(self, obj: str, keys: list[str]) -> int:
        data = self._data.get(obj, {})
        return sum(data.pop(k, None) is not None for k in keys)

    def delete_all(self, obj: str) -> None:
        self._data.pop(obj, None)

    def keys(self, obj: str) -> list[str]:
        return sorted(self._data.get(obj, {}))

    def get_alarm(self, obj: str) -> float | None:
        return self._alarms.get(obj)

    def set_alarm(self, obj: str, at: float | None) -> None:
        if at is None:
            self._alarms.pop(obj, None)
        else:
            self._alarms[obj] = at

    def objects(self) -> list[str]:
        return sorted(set(self._data) | set(self._alarms))


class SqliteBackend:
    """Keys and alarms in one SQLite file (stdlib ``sqlite3``): they survive a restart.

    Args:
        path: the database file; its folder is created if missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        if self.path.exists() and self.path.stat().st_size == 0:
            # SQLite would take it as a new database: whatever the file held is gone,
            # and starting empty would hide that.
            self._refuse("is empty (0 bytes), so whatever it held is lost")
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path} cannot be opened: {exc}", self.path) from None
        try:
            # quick_check reads every page: a damaged file fails here, not at some later get().
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check").fetchall()]
            listed = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {row[0] for row in listed}
        except sqlite3.DatabaseError as exc:
            self._db.close()
            self._refuse(f"cannot be read ({exc})")
        if problems != ["ok"]:
            self._db.close()
            self._refuse(f"is damaged (SQLite's integrity check: {problems[0]})")
        if tables and not {"kv", "alarms"} <= tables:
            self._db.close()
            self._refuse("is an SQLite database, but not one holding Durable Object storage")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv (object TEXT, key TEXT, value TEXT, PRIMARY KEY (object, key))"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS alarms (object TEXT PRIMARY KEY, at REAL)")
        weakref.finalize(self, self._db.close)  # closed with the backend, even if nobody calls close()

    def _refuse(self, problem: str) -> NoReturn:
        """Keep a copy of the file as found, and stop with one line saying what to do."""
        n = 1
        while (backup := self.path.with_name(f"{self.path.name}.unreadable-{n}")).exists():
            n += 1
        shutil.copy2(self.path, backup)
        raise StorageError(
            f"{self.path} {problem}; a copy is kept as {backup.name}. "
            f"Delete {self.path.name} to start with empty storage, or put back a good copy",
            self.path,
            backup,
        )

    def _run(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def get(self, obj: str, key: str) -> str | None:
        rows = self._run("SELECT value FROM kv WHERE object = ? AND key = ?", (obj, key))
        return rows[0][0] if rows else None

    def put(self, obj: str, items: list[tuple[str, str]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO kv (object, key, value) VALUES (?, ?, ?)",
                [(obj, k, v) for k, v in items],
            )
            self._db.execute("COMMIT")

    def delete(self, obj: str, keys: list[str]) -> int:
        n = 0
        with self._lock:
            for k in keys:
                n += self._db.execute("DELETE FROM kv WHERE object = ? AND key = ?", (obj, k)).rowcount
        return n

    def delete_all(self, obj: str) -> None:
        self._run("DELETE FROM kv WHERE object = ?", (obj,))

    def keys(self, obj: str) -> list[str]:
        rows = self._run("SELECT key FROM kv WHERE object = ?", (obj,))
        return sorted(r[0] for r in rows)  # JS string order (UTF-16 code units): see _js_order

    def get_alarm(self, obj: str) -> float | None:
        rows = self._run("SELECT at FROM alarms WHERE object = ?", (obj,))
        return float(rows[0][0]) if rows else None

    def set_alarm(self, obj: str, at: float | None) -> None:
        if at is None:
            self._run("DELETE FROM alarms WHERE object = ?", (obj,))
        else:
            self._run("INSERT OR REPLACE INTO alarms (object, at) VALUES (?, ?)", (obj, at))

    def objects(self) -> list[str]:
        rows = self._run("SELECT object FROM kv UNION SELECT object FROM alarms")
        return sorted(r[0] for r in rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _js_order(key: str) -> bytes:
    # JS compares strings by UTF-16 code units; so does storage.list().
    return key.encode("utf-16-be", "surrogatepass")


# ---------------------------------------------------------------------- the API


class Storage:
    """Mirrors ``DurableObjectStorage`` (``ctx.storage``), the key-value API.

    Every method returns a :class:`~cfws_playground.promise.JsPromise`: the work is done when
    the method is called, awaited or not, as with the JS promise it mirrors.

    Keys are strings. ``get``/``put``/``delete`` take one key or several, as in JS.
    ``setAlarm(ms)`` schedules the object's ``alarm()`` (milliseconds since the epoch,
    or a ``datetime``); one alarm at a time.
    """

    constructor = JsClass("DurableObjectStorage")

    def __init__(self, backend: Backend, obj: str, alarm_changed: Callable[[float | None], None]) -> None:
        self._backend = backend
        self._obj = obj
        self._alarm_changed = alarm_changed
        self._has_alarm_handler = True
        # SQLite-backed (new_sqlite_classes): the object's SQL database; None for a key-value object.
        self._sql: SqlDatabases | None = None
        # What open transactions changed, to put back on a rollback (durable/transaction.py).
        self._journal = Journal()
        self._savepoints: list[str] = []

    def _get(self, key: str | list[str], options: Any = None) -> Any:
        """Mirrors ``storage.get()``: the value (or None); for a list of keys, a Map of those found.

        The Map is in key order, whatever the order asked (observed: do-storage-basics).
        """
        if isinstance(key, (list, tuple)):
            found = StorageMap()
            for k in sorted({_key(k) for k in key}, key=_js_order):
                raw = self._backend.get(self._obj, k)
                if raw is not None:
                    found[k] = decode(raw)
            return found
        raw = self._backend.get(self._obj, _key(key))
        return None if raw is None else decode(raw)

    def _put(self, key: str | Mapping[str, Any], value: Any = _MISSING, options: Any = None) -> None:
        """Mirrors ``storage.put(key, value)`` and ``storage.put(entries)``."""
        if isinstance(key, Mapping):
            if value is not _MISSING and not isinstance(value, Mapping):
                raise TypeError(texts.PUT_SHAPE)
            items = [(_key(k), encode(v)) for k, v in key.items()]
        else:
            if value is _MISSING:
                raise TypeError("put() called with undefined value.")
            items = [(_key(key), encode(value))]
        if self._sql is not None:
            self._sql.database(self._obj).ensure_kv_table()  # made by the first write, as in workerd
        self._remember(k for k, _ in items)
        self._backend.put(self._obj, items)
        _wrote(options)

    def _delete(self, key: str | list[str], options: Any = None) -> bool | int:
        """Mirrors ``storage.delete()``: True if the key existed; for a list, how many did."""
        if isinstance(key, (list, tuple)):
            keys = [_key(k) for k in key]
            self._remember(keys)
            deleted = self._backend.delete(self._obj, keys)
        else:
            self._remember([_key(key)])
            deleted = self._backend.delete(self._obj, [_key(key)]) == 1
        _wrote(options)
        return deleted

    def _deleteAll(self, options: Any = None) -> None:
        """Mirrors ``storage.deleteAll()``: every key (the alarm stays, as in workerd)."""
        self._backend.delete_all(self._obj)
        if self._sql is not None:
            self._sql.reset(self._obj)  # a SQLite-backed object's tables go too
        # Its commit is its own (ActorSqlite::deleteAll(): lockWhile(evalLater(commitImpl))):
        # messages queued after it pass the output gate no later than after any send
        # (measured: do-output-gate-flush-delete-all).

    def _list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> StorageMap:
        """Mirrors ``storage.list({prefix, start, startAfter, end, limit, reverse})``: a dict in key order."""
        opts = dict(options or {}, **kwargs)
        keys = sorted(self._backend.keys(self._obj), key=_js_order)
        prefix = opts.get("prefix")
        start, start_after, end = opts.get("start"), opts.get("startAfter"), opts.get("end")
        if prefix is not None:
            keys = [k for k in keys if k.startswith(prefix)]
        if start is not None:
            keys = [k for k in keys if _js_order(k) >= _js_order(start)]
        if start_after is not None:
            keys = [k for k in keys if _js_order(k) > _js_order(start_after)]
        if end is not None:
            keys = [k for k in keys if _js_order(k) < _js_order(end)]
        if opts.get("reverse"):
            keys.reverse()
        limit = opts.get("limit")
        if limit is not None:
            if limit <= 0:
                raise TypeError(texts.LIST_LIMIT)
            keys = keys[: int(limit)]
        out = StorageMap()
        for k in keys:
            raw = self._backend.get(self._obj, k)
            if raw is not None:
                out[k] = decode(raw)
        return out

    def _getAlarm(self, options: Any = None) -> float | None:
        """Mirrors ``storage.getAlarm()``: the alarm time in ms since the epoch, or None."""
        return self._backend.get_alarm(self._obj)

    def _setAlarm(self, scheduled_time: Any, options: Any = None) -> None:
        """Mirrors ``storage.setAlarm()``: ms since the epoch (or a ``datetime``); replaces any alarm."""
        if hasattr(scheduled_time, "timestamp"):
            ms = float(scheduled_time.timestamp() * 1000)
        elif isinstance(scheduled_time, (int, float)) and not isinstance(scheduled_time, bool):
            ms = float(scheduled_time)
        else:
            raise TypeError(
                f"setAlarm() takes a time in ms or a datetime, not {type(scheduled_time).__name__}"
            )
        if ms <= 0:
            raise TypeError(texts.ALARM_NOT_POSITIVE)
        if not self._has_alarm_handler:
            raise TypeError(texts.NO_ALARM_HANDLER)  # a TypeError on workerd 2026-11-17 (observed)
        self._backend.set_alarm(self._obj, ms)
        self._alarm_changed(ms)

    def _deleteAlarm(self, options: Any = None) -> None:
        """Mirrors ``storage.deleteAlarm()``."""
        self._backend.set_alarm(self._obj, None)
        self._alarm_changed(None)

    # Each call does its work when called, as a JS promise does; awaiting it reports the outcome.
    def get(self, key: str | list[str], options: Any = None, *_extra: Any) -> JsPromise[Any]:
        """Mirrors ``storage.get()``: the value (or None); for a list of keys, a Map of those found.

        The Map is in key order, whatever the order asked (observed: do-storage-basics).
        """
        return stored(self._get, key, options)

    def put(
        self, key: str | Mapping[str, Any], value: Any = _MISSING, options: Any = None, *_extra: Any
    ) -> JsPromise[None]:
        """Mirrors ``storage.put(key, value)`` and ``storage.put(entries)``."""
        return stored(self._put, key, value, options)

    def delete(self, key: str | list[str], options: Any = None, *_extra: Any) -> JsPromise[bool | int]:
        """Mirrors ``storage.delete()``: True if the key existed; for a list, how many did."""
        return stored(self._delete, key, options)

    def deleteAll(self, options: Any = None) -> JsPromise[None]:
        """Mirrors ``storage.deleteAll()``: every key (the alarm stays, as in workerd)."""
        return stored(self._deleteAll, options)

    def list(
        self, options: Mapping[str, Any] | None = None, *_extra: Any, **kwargs: Any
    ) -> JsPromise[StorageMap]:
        """Mirrors ``storage.list({prefix, start, startAfter, end, limit, reverse})``: a dict in key order."""
        return stored(self._list, options, **kwargs)

    def getAlarm(self, options: Any = None) -> JsPromise[float | None]:
        """Mirrors ``storage.getAlarm()``: the alarm time in ms since the epoch, or None."""
        return stored(self._getAlarm, options)

    def setAlarm(self, scheduled_time: Any, options: Any = None) -> JsPromise[None]:
        """Mirrors ``storage.setAlarm()``: ms since the epoch (or a ``datetime``); replaces any alarm."""
        return stored(self._setAlarm, scheduled_time, options)

    def deleteAlarm(self, options: Any = None) -> JsPromise[None]:
        """Mirrors ``storage.deleteAlarm()``."""
        return stored(self._deleteAlarm, options)

    # ------------------------------------------------------------------ SQLite-backed objects

    @property
    def sql(self) -> SqlStorage:
        """Mirrors ``storage.sql`` (SQLite-backed objects: ``new_sqlite_classes``).

        On a key-value object its ``exec()`` and ``databaseSize`` raise workerd's error
        (``WorkersError``), as the property itself does not.
        """
        return SqlStorage(self._sql, self._obj)

    @property
    def kv(self) -> SyncKvStorage:
        """Mirrors ``storage.kv``: ``get``/``put``/``delete``/``list`` without promises, same keys.

        On a key-value object its methods raise workerd's error (``WorkersError``).
        """
        return SyncKvStorage(self)

    def transactionSync(self, callback: Callable[[], Any]) -> Any:
        """Mirrors ``storage.transactionSync(fn)``: ``fn()``'s SQL and key-value writes are rolled
        back if it raises; its value is returned.

        Raises:
            WorkersError: the object is not SQLite-backed (workerd's text).
        """
        return run_transaction_sync(self, callback)

    def transaction(self, callback: Callable[[DurableObjectTransaction], Any]) -> asyncio.Future[Any]:
        """Mirrors ``storage.transaction(fn)``: awaits ``fn(txn)``; its writes (key-value, and SQL on
        a SQLite-backed object) are undone if it raises or calls ``txn.rollback()``."""
        return start_transaction(self, callback)

    # The journal of open transactions (durable/transaction.py).
    def _remember(self, keys: Iterable[str]) -> None:
        if self._journal.open:
            for key in keys:
                self._journal.remember(key, self._backend.get(self._obj, key))

    def _undo(self, before: Mapping[str, str | None]) -> None:
        for key, raw in before.items():
            if raw is None:
                self._backend.delete(self._obj, [key])
            else:
                self._backend.put(self._obj, [(key, raw)])

    def _begin_transaction(self) -> None:
        self._journal.begin()
        if self._sql is not None:
            db = self._sql.database(self._obj)
            name = f"_cf_txn_savepoint_{len(self._savepoints)}"
            db.run_trusted(f"SAVEPOINT {name}")
            self._savepoints.append(name)

    def _commit_transaction(self) -> None:
        self._journal.commit()
        if self._sql is not None and self._savepoints:
            self._sql.database(self._obj).run_trusted(f"RELEASE {self._savepoints.pop()}")

    def _rollback_transaction(self) -> None:
        self._undo(self._journal.rollback())
        if self._sql is not None and self._savepoints:
            db, name = self._sql.database(self._obj), self._savepoints.pop()
            db.run_trusted(f"ROLLBACK TO {name}")
            db.run_trusted(f"RELEASE {name}")

    def sync(self) -> JsPromise[None]:
        """Mirrors ``storage.sync()``: every write is already done here."""
        return stored(lambda: None)

    def _keys(self) -> tuple[str, ...]:
        return tuple(sorted(self._backend.keys(self._obj), key=_js_order))

    def __repr__(self) -> str:
        return f"<DurableObjectStorage {len(self._keys())} keys>"


def _wrote(options: Any) -> None:
    """A write was made: unless it allows unconfirmed output, the object's output gate stays
    locked until it is flushed (``ActorSqlite::onWrite()``; see :meth:`GateHolds.wrote`)."""
    if isinstance(options, Mapping) and options.get("allowUnconfirmed"):
        return
    holds = GATE_HOLDS.get()
    if holds is not None:
        holds.wrote()


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"storage keys are strings, not {type(key).__name__}")
    return key
