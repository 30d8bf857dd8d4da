"""Workers KV (``kv_namespaces``) on SQLite: ``get``, ``getWithMetadata``, ``put``, ``delete``, ``list``.

Keys expire with ``expiration`` (seconds since the epoch) or ``expirationTtl``
(seconds from now, at least 60); each key may carry up to 1,024 bytes of JSON
``metadata``; ``list`` returns keys in order, ``limit`` (at most 1,000) at a time,
with an opaque ``cursor`` to continue. Texts as Workers give them: workerd's for
key names (``src/workerd/api/kv.c++``), the KV service's (as wrangler's local
simulator words them) for what the service refuses, prefixed
``KV PUT failed: 400``. Writes are visible at once (production KV is eventually
consistent across locations: up to 60 s).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..durable.ids import JsClass
from ..durable.storage import JsDict
from ..errors import WorkersError
from ..promise import JsPromise, settled
from .sqlite_file import SqliteFile

__all__ = ["KvNamespace"]

MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 25 * 1024 * 1024
MAX_METADATA_BYTES = 1024
MIN_TTL = 60
MAX_LIST = 1000

# workerd's texts (src/workerd/api/kv.c++).
UNKNOWN_TYPE = 'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".'
BAD_VALUE = "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values."


def _check_key(method: str, value: Any) -> str:
    key = value if isinstance(value, str) else str(value)
    if key == "":
        raise TypeError("Key name cannot be empty.")
    if key in (".", ".."):
        raise TypeError(f'"{key}" is not allowed as a key name.')
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise WorkersError(
            f"KV {method} failed: 414 UTF-8 encoded length of {size} exceeds key length limit "
            f"of {MAX_KEY_BYTES}."
        )
    return key


def _options(options: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A JS options object, a type string, or the keyword arguments Pyodide turns into one."""
    if isinstance(options, str):
        out: dict[str, Any] = {"type": options}
    elif options is None:
        out = {}
    elif isinstance(options, Mapping):
        out = dict(options)
    else:
        to_py = getattr(options, "to_py", None)
        out = dict(to_py()) if callable(to_py) else {}
    out.update(kwargs)
    return out


class KvNamespace:
    """Mirrors a KV namespace binding (``env.MY_KV``, class ``KvNamespace``).

    Args:
        path: a SQLite file to keep the keys in across restarts; in memory when None.
    """

    constructor = JsClass("KvNamespace")

    def __init__(self, path: str | Path | None = None) -> None:
        self._file = SqliteFile(path, self)
        self.path = self._file.path
        self._lock, self._db = self._file.lock, self._file.conn
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB, expiration REAL, metadata TEXT)"
        )

    # ---------------------------------------------------------------- storage

    def _row(self, key: str) -> tuple[bytes, float | None, str | None] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value, expiration, metadata FROM kv WHERE key = ?", (key,)
            ).fetchone()
            if row is not None and row[1] is not None and row[1] <= time.time():
                self._db.execute("DELETE FROM kv WHERE key = ?", (key,))  # expired: gone
                return None
        return None if row is None else (bytes(row[0]), row[1], row[2])

    # ---------------------------------------------------------------- the API

    def get(self, key: Any, options: Any = None, **kwargs: Any) -> JsPromise[Any]:
        """Mirrors ``get(key, type)`` / ``get(key, {type})``: the value as text (default),
        ``"json"`` (parsed), or ``"arrayBuffer"`` (bytes); None when absent or expired."""
        return settled(self._get, key, _options(options, kwargs), False)

    def getWithMetadata(self, key: Any, options: Any = None, **kwargs: Any) -> JsPromise[Any]:
        """Mirrors ``getWithMetadata(key, type)``: ``{value, metadata, cacheStatus}``."""
        return settled(self._get, key, _options(options, kwargs), True)

    def _get(self, key: Any, opts: dict[str, Any], with_metadata: bool) -> Any:
        if isinstance(key, (list, tuple)):
            raise TypeError("getting several keys at once is not modelled by cfws-playground")
        name = _check_key("GET", key)
        kind = opts.get("type") or "text"
        if kind not in ("text", "json", "arrayBuffer", "stream"):
            raise TypeError(UNKNOWN_TYPE)
        if kind == "stream":
            raise TypeError(
                'get(key, "stream") is not modelled by cfws-playground: use "text" or "arrayBuffer"'
            )
        row = self._row(name)
        value: Any = None
        metadata: Any = None
        if row is not None:
            data, _, meta = row
            value = data if kind == "arrayBuffer" else data.decode("utf-8", "replace")
            if kind == "json":
                value = json.loads(value, object_hook=JsDict)
            metadata = None if meta is None else json.loads(meta, object_hook=JsDict)
        if with_metadata:
            return JsDict(value=value, metadata=metadata, cacheStatus=None)
        return value

    def put(self, key: Any, value: Any, options: Any = None, **kwargs: Any) -> JsPromise[None]:
        """Mirrors ``put(key, value, {expiration, expirationTtl, metadata})``."""
        return settled(self._put, key, value, _options(options, kwargs))

    def _put(self, key: Any, value: Any, opts: dict[str, Any]) -> None:
        name = _check_key("PUT", key)
        if isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
        elif isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
        else:
            raise TypeError(BAD_VALUE)
        if len(data) > MAX_VALUE_BYTES:
            raise WorkersError(
                f"KV PUT failed: 413 Value length of {len(data)} exceeds limit of {MAX_VALUE_BYTES}."
            )
        now = time.time()
        expiration: float | None = None
        if opts.get("expirationTtl") is not None:
            ttl = opts["expirationTtl"]
            if not isinstance(ttl, (int, float)) or ttl <= 0:
                raise WorkersError(
                    f"KV PUT failed: 400 Invalid expiration_ttl of {ttl}. "
                    "Please specify integer greater than 0."
                )
            if ttl < MIN_TTL:
                raise WorkersError(
                    f"KV PUT failed: 400 Invalid expiration_ttl of {ttl}. "
                    f"Expiration TTL must be at least {MIN_TTL}."
                )
            expiration = now + float(ttl)
        elif opts.get("expiration") is not None:
            at = opts["expiration"]
            if not isinstance(at, (int, float)) or at < now + MIN_TTL:
                raise WorkersError(
                    f"KV PUT failed: 400 Invalid expiration of {at}. Please specify integer greater than "
                    "the current number of seconds since the UNIX epoch."
                )
            expiration = float(at)
        meta: str | None = None
        if opts.get("metadata") is not None:
            raw = opts["metadata"]
            to_py = getattr(raw, "to_py", None)
            meta = json.dumps(to_py() if callable(to_py) else raw, separators=(",", ":"))
            if len(meta.encode()) > MAX_METADATA_BYTES:
                raise WorkersError(
                    f"KV PUT failed: 413 Metadata length of {len(meta.encode())} exceeds limit of "
                    f"{MAX_METADATA_BYTES}."
                )
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO kv (key, value, expiration, metadata) VALUES (?, ?, ?, ?)",
                (name, data, expiration, meta),
            )

    def delete(self, key: Any) -> JsPromise[None]:
        """Mirrors ``delete(key)``: resolves to nothing whether or not the key existed."""
        return settled(self._delete, key)

    def _delete(self, key: Any) -> None:
        name = _check_key("DELETE", key)
        with self._lock:
            self._db.execute("DELETE FROM kv WHERE key = ?", (name,))

    def list(self, options: Any = None, **kwargs: Any) -> JsPromise[Any]:
        """Mirrors ``list({prefix, limit, cursor})``: ``{keys, list_complete, cursor, cacheStatus}``.

        Each key is ``{name, expiration?, metadata?}``; ``expiration`` in whole seconds.
        """
        return settled(self._list, _options(options, kwargs))

    def _list(self, opts: dict[str, Any]) -> Any:
        prefix = str(opts.get("prefix") or "")
        limit = opts.get("limit")
        limit = MAX_LIST if limit is None else limit
        if not isinstance(limit, int) or limit <= 0:
            raise WorkersError(
                f"KV GET failed: 400 Invalid key_count_limit of {limit}. "
                "Please specify an integer greater than 0."
            )
        if limit > MAX_LIST:
            raise WorkersError(
                f"KV GET failed: 400 Invalid key_count_limit of {limit}. Please specify an integer less than "
                f"{MAX_LIST + 1}."
            )
        after = ""
        cursor = opts.get("cursor")
        if cursor:
            try:
                after = base64.urlsafe_b64decode(str(cursor).encode()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise WorkersError("KV GET failed: 400 Invalid cursor.") from None
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM kv WHERE expiration IS NOT NULL AND expiration <= ?", (now,))
            rows = self._db.execute(
                "SELECT key, expiration, metadata FROM kv WHERE key > ? AND substr(key, 1, ?) = ? "
                "ORDER BY key LIMIT ?",
                (after, len(prefix), prefix, limit + 1),
            ).fetchall()
        keys = []
        for name, expiration, meta in rows[:limit]:
            entry = JsDict(name=name)
            if expiration is not None:
                entry["expiration"] = int(expiration)
            if meta is not None:
                entry["metadata"] = json.loads(meta, object_hook=JsDict)
            keys.append(entry)
        result = JsDict(keys=keys, list_complete=len(rows) <= limit, cacheStatus=None)
        if len(rows) > limit:
            result["cursor"] = base64.urlsafe_b64encode(keys[-1]["name"].encode("utf-8")).decode()
        return result

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"<KvNamespace {self._file.describe()}>"
