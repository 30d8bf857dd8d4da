"""D1 (``d1_databases``) on SQLite: ``prepare`` and ``bind``; ``first``, ``all``, ``run``, ``raw``; ``batch``.

Result shapes and error texts follow Workers' D1 client
(``src/cloudflare/internal/d1-api.ts`` in workerd): ``all()`` and ``run()`` give
``{success, meta, results}``; ``first()`` the first row or None, ``first(col)``
one value (``D1_COLUMN_NOTFOUND``); ``raw()`` lists of values;
``batch([...])`` runs the statements in one transaction; ``exec(sql)`` runs each
line as a statement and gives ``{count, duration}``. SQL errors read
``D1_ERROR: <SQLite's message>: SQLITE_ERROR``. Values bind as D1 converts them:
booleans as 1/0, bytes as a BLOB, which comes back as a list of byte values.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..durable.ids import JsClass
from ..durable.storage import JsDict
from ..errors import WorkersError
from ..promise import JsPromise, settled
from .sqlite_file import SqliteFile

__all__ = ["D1Database", "D1PreparedStatement"]


def _js_type(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if callable(value):
        return "function"
    return "object" if value is not None else "object"


def _param(value: Any) -> Any:
    """A bound value as D1's client converts it (``D1_TYPE_ERROR`` for the rest)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (list, tuple)) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    shown = "[object Object]" if isinstance(value, dict) else str(value)
    kind = _js_type(value)
    raise WorkersError(f"D1_TYPE_ERROR: Type '{kind}' not supported for value '{shown}'")


def _value(value: Any) -> Any:
    """A SQLite value as the D1 client hands it to JS (a BLOB is an array of bytes), then to Python."""
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # a JS number: Pyodide gives an int for a whole one
    return value


class D1Database:
    """Mirrors a D1 binding (``env.DB``, class ``D1Database``).

    Args:
        path: a SQLite file to keep the database in across restarts; in memory when None.
    """

    constructor = JsClass("D1Database")

    def __init__(self, path: str | Path | None = None) -> None:
        self._file = SqliteFile(path, self)
        self.path = self._file.path
        self._lock, self._db = self._file.lock, self._file.conn
        self._db.execute("PRAGMA foreign_keys = ON")  # as D1 does

    def prepare(self, query: str) -> D1PreparedStatement:
        """Mirrors ``db.prepare(sql)``: a statement to ``bind`` and run."""
        return D1PreparedStatement(self, str(query), [])

    def batch(self, statements: Sequence[D1PreparedStatement]) -> JsPromise[list[Any]]:
        """Mirrors ``db.batch([stmt, ...])``: every statement in one transaction; a failure rolls all back."""
        return settled(self._batch, list(statements))

    def _batch(self, statements: list[D1PreparedStatement]) -> list[Any]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                results = [self._run(s.statement, s.params)[0] for s in statements]
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return results

    def exec(self, query: str) -> JsPromise[Any]:
        """Mirrors ``db.exec(sql)``: each line of ``sql`` is one statement, without bindings."""
        return settled(self._exec, str(query))

    def _exec(self, query: str) -> Any:
        lines = query.strip().split("\n")
        duration = 0.0
        for number, line in enumerate(lines, 1):
            try:
                result = self._run(line, [], prefix="")[0]
            except WorkersError as exc:
                raise WorkersError(f"D1_EXEC_ERROR: Error in line {number}: {line}: {exc}") from None
            duration += result["meta"]["duration"]
        return JsDict(count=len(lines), duration=duration)

    def _run(
        self, statement: str, params: list[Any], prefix: str = "D1_ERROR: "
    ) -> tuple[Any, list[str], list[list[Any]]]:
        """Run one statement: (a D1 result with rows as dicts, the column names, the rows as lists)."""
        start = time.perf_counter()
        with self._lock:
            changes = self._db.total_changes
            try:
                cursor = self._db.execute(statement, params)
                rows = cursor.fetchall()
            except sqlite3.ProgrammingError as exc:
                if "one statement at a time" in str(exc):
                    raise WorkersError(
                        f"{prefix}A prepared SQL statement must contain only one statement."
                    ) from None
                raise WorkersError(f"{prefix}{exc}") from None
            except sqlite3.Error as exc:
                name = getattr(exc, "sqlite_errorname", None) or "SQLITE_ERROR"
                raise WorkersError(f"{prefix}{exc}: {name}") from None
            columns = [d[0] for d in cursor.description or ()]
            changed = self._db.total_changes - changes
            last_row_id = cursor.lastrowid or 0
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            size = pages * self._db.execute("PRAGMA page_size").fetchone()[0]
        duration = (time.perf_counter() - start) * 1000
        values = [[_value(v) for v in row] for row in rows]
        results = [JsDict(zip(columns, row, strict=True)) for row in values]
        meta = JsDict(
            served_by="cfws-playground",
            duration=duration,
            changes=changed,
            last_row_id=last_row_id,
            changed_db=changed > 0,
            size_after=size,
            rows_read=len(rows),
            rows_written=changed,
        )
        return JsDict(success=True, meta=meta, results=results), columns, values

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"<D1Database {self._file.describe()}>"


class D1PreparedStatement:
    """Mirrors ``D1PreparedStatement``: ``bind(...)`` gives a new statement; ``first``, ``all``,
    ``run`` and ``raw`` run it."""

    constructor = JsClass("D1PreparedStatement")

    def __init__(self, database: D1Database, statement: str, params: list[Any]) -> None:
        self.database = database
        self.statement = statement
        self.params = params

    def bind(self, *values: Any) -> D1PreparedStatement:
        """Mirrors ``stmt.bind(...values)``."""
        return D1PreparedStatement(self.database, self.statement, [_param(v) for v in values])

    def all(self) -> JsPromise[Any]:
        """Mirrors ``stmt.all()``: ``{success, meta, results}``."""
        return settled(lambda: self.database._run(self.statement, self.params)[0])

    def run(self) -> JsPromise[Any]:
        """Mirrors ``stmt.run()``: the same shape as ``all()``."""
        return self.all()

    def first(self, column: str | None = None) -> JsPromise[Any]:
        """Mirrors ``stmt.first(column?)``: the first row (or None); with a column, its value."""

        def first() -> Any:
            results = self.database._run(self.statement, self.params)[0]["results"]
            if not results:
                return None
            if column is None:
                return results[0]
            if column not in results[0]:
                raise WorkersError(f"D1_COLUMN_NOTFOUND: Column not found ({column})")
            return results[0][column]

        return settled(first)

    def raw(self, options: Any = None, **kwargs: Any) -> JsPromise[list[list[Any]]]:
        """Mirrors ``stmt.raw({columnNames})``: rows as lists; the names first when asked."""
        opts = dict(options or {}, **kwargs)

        def raw() -> list[list[Any]]:
            _, columns, rows = self.database._run(self.statement, self.params)
            return [columns, *rows] if opts.get("columnNames") else rows

        return settled(raw)

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self  # a runtime object: Cloudflare's SDK keeps it as it is

    def __repr__(self) -> str:
        return f"<D1PreparedStatement {self.statement!r}>"
