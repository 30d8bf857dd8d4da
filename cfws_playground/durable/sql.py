"""SQLite-backed Durable Object storage: ``ctx.storage.sql`` and the synchronous ``ctx.storage.kv``.

A class declared in ``new_sqlite_classes`` gets one SQLite database per object
(stdlib ``sqlite3``), as on Cloudflare; ``exec`` runs SQL on it at once and
returns a cursor. The limits and texts are workerd's (``src/workerd/api/sql.c++``,
``src/workerd/util/sqlite.c++``):

* statements of at most 100,000 bytes, values of at most 4 MiB (SQLite's
  ``SQLITE_LIMIT_LENGTH`` as workerd sets it; Cloudflare documents 2 MB rows),
  100 columns per table, 100 bound parameters, 5 compound SELECTs, no ATTACH;
* ``BEGIN``/``SAVEPOINT`` refused in favour of ``transactionSync()``;
* tables whose names start with ``_cf_`` are the runtime's: ``not authorized``;
* SQLite's errors read ``<message>: SQLITE_ERROR`` (workerd adds `` at offset N``
  for syntax errors; Python's ``sqlite3`` does not expose the offset).

``rowsRead`` and ``rowsWritten`` follow workerd's patched SQLite
(``patches/sqlite/0001-row-counts-plain.patch``), which counts in the VM: a row
read each time a table or index cursor is positioned (a seek, a rewind, each
step of a scan, ``count(*)``'s whole table), a row written for each table or index
entry inserted or deleted. Stdlib ``sqlite3`` has no such counter, so
:func:`_plan_reads` reads the statement's query plan instead (measured:
``do-sql-rows-read``): a full ``SCAN`` reads every row of its table (one for an
empty one), a ``SEARCH`` one row for each row it finds (at least one), a
statement without a table none; only the last statement of a call counts. An
``INSERT`` writes a row per row and per index, and for an ``AUTOINCREMENT`` table
reads and writes ``sqlite_sequence``'s row once; ``RETURNING`` reads each row it
gives back; ``CREATE TABLE`` reads a row per table it makes and writes two per
table and one per index (measured: ``do-sql-rows-written``,
``do-sql-autoincrement-writes``); an ``INSERT`` that gives the rowid reads one
row per row to check the key (its program has ``NotExists``; measured:
``do-sql-insert-key-checks-read``). Joins, subqueries and ``CREATE INDEX`` are
not modelled.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import WorkersError
from .ids import JsClass

if TYPE_CHECKING:
    from .storage import Storage

__all__ = [
    "SQL_NOT_ENABLED",
    "SYNC_KV_NOT_ENABLED",
    "SqlDatabases",
    "SqlStorage",
    "SqlStorageCursor",
    "SyncKvStorage",
]

# workerd's texts (src/workerd/api/actor-state.c++, local workerd), word for word.
SQL_NOT_ENABLED = (
    "SQL is not enabled for this Durable Object class. To enable it, change "
    "`new_classes` to `new_sqlite_classes` within the 'migrations' field in "
    "your wrangler.jsonc or wrangler.toml file. If using workerd directly,"
    "set `enableSql = true` in your workerd config for the class. Note "
    "that this change cannot be made after the class is "
    "already deployed to production."
)
SYNC_KV_NOT_ENABLED = (
    "The storage.kv (synchronous KV) API is only available for SQLite-backed Durable "
    "Objects, but this object's namespace is not declared to use SQLite. You can use "
    "the older, asyncronous interface via methods of `storage` itself (e.g. "
    "`storage.get()`). Alternatively, to enable SQLite, change `new_classes` to "
    "`new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or "
    "wrangler.toml file. If using workerd directly, set `enableSql = true` in your workerd "
    "config for the class. Note that this change cannot be made after the class is "
    "already deployed to production."
)
NOT_BACKED_BY_SQL = "Durable Object is not backed by SQL."
TRANSACTION_REFUSED = (
    "To execute a transaction, please use the state.storage.transaction() or "
    "state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT "
    "statements. The JavaScript API is safer because it will automatically roll back on "
    "exceptions, and because it interacts correctly with Durable Objects' automatic atomic "
    "write coalescing."
)
WRONG_BINDINGS = "Wrong number of parameter bindings for SQL query."
ONLY_LAST_BINDS = (
    "When executing multiple SQL statements in a single call, only the last statement can have parameters."
)
NO_STATEMENT = "SQL code did not contain a statement."
NO_RESULTS = "Expected exactly one result from SQL query, but got no results."
MANY_RESULTS = "Expected exactly one result from SQL query, but got multiple results."

# sqlite3_limit() values workerd sets on every database (src/workerd/util/sqlite.c++).
_LIMITS = {
    "SQLITE_LIMIT_LENGTH": 4 * 1024 * 1024,
    "SQLITE_LIMIT_SQL_LENGTH": 100_000,
    "SQLITE_LIMIT_COLUMN": 100,
    "SQLITE_LIMIT_EXPR_DEPTH": 100,
    "SQLITE_LIMIT_COMPOUND_SELECT": 5,
    "SQLITE_LIMIT_VDBE_OP": 25_000,
    "SQLITE_LIMIT_FUNCTION_ARG": 127,
    "SQLITE_LIMIT_ATTACHED": 0,
    "SQLITE_LIMIT_LIKE_PATTERN_LENGTH": 50,
    "SQLITE_LIMIT_VARIABLE_NUMBER": 100,
    "SQLITE_LIMIT_TRIGGER_DEPTH": 10,
    "SQLITE_LIMIT_WORKER_THREADS": 0,
}


class _Database:
    """One object's SQLite database, with workerd's limits and authorizer."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.conn = sqlite3.connect(
            ":memory:" if path is None else str(path), isolation_level=None, check_same_thread=False
        )
        for name, value in _LIMITS.items():
            code = getattr(sqlite3, name, None)
            if code is not None:
                self.conn.setlimit(code, value)
        self.trusted = False  # the runtime's own statements (savepoints) pass the authorizer
        self.refusal: str | None = None
        self.savepoints = 0
        self.conn.set_authorizer(self._authorize)

    def ensure_kv_table(self) -> None:
        """The runtime's own table, made by the first key-value write, as in workerd (measured:
        ``do-sql-internal-tables``). The kit keeps the keys in its key-value backend; the table
        is here so that code touching it is refused, and the database's size, as on Cloudflare."""
        self.run_trusted("CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID")

    def _authorize(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
    ) -> int:
        if self.trusted:
            return sqlite3.SQLITE_OK
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            self.refusal = TRANSACTION_REFUSED
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_ATTACH or action == sqlite3.SQLITE_DETACH:
            return sqlite3.SQLITE_DENY
        for name in (arg1, arg2):
            if name is not None and name[:4].lower() == "_cf_" and action != sqlite3.SQLITE_FUNCTION:
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def run_trusted(self, sql: str) -> None:
        self.trusted = True
        try:
            self.conn.execute(sql)
        finally:
            self.trusted = False

    def query_trusted(self, sql: str, values: Sequence[Any] = ()) -> list[Any]:
        """Rows of the runtime's own query (a plan, a count); an empty list if SQLite refuses it."""
        self.trusted = True
        try:
            return self.conn.execute(sql, values).fetchall()
        except sqlite3.Error:
            return []
        finally:
            self.trusted = False

    def size(self) -> int:
        self.trusted = True
        try:
            pages, free, page_size = (
                self.conn.execute(f"PRAGMA {p}").fetchone()[0]
                for p in ("page_count", "freelist_count", "page_size")
            )
        finally:
            self.trusted = False
        return int(max(pages - free, 1) * page_size)  # workerd's file always has its first page

    def close(self) -> None:
        self.conn.close()


class SqlDatabases:
    """The SQLite databases of one namespace's objects: in memory, or one file per object in ``folder``.

    Args:
        folder: where to keep them across restarts (``--persist-to``); in memory when None.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = None if folder is None else Path(folder)
        self._open: dict[str, _Database] = {}
        self._lock = threading.Lock()

    def database(self, obj: str) -> _Database:
        with self._lock:
            db = self._open.get(obj)
            if db is None:
                path = None
                if self.folder is not None:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    path = self.folder / f"{obj}.sqlite"
                db = self._open[obj] = _Database(path)
            return db

    def reset(self, obj: str) -> None:
        """Drop the object's database (``deleteAll()`` on a SQLite-backed object)."""
        with self._lock:
            db = self._open.pop(obj, None)
        if db is not None:
            db.close()
            if db.path is not None:
                db.path.unlink(missing_ok=True)
        elif self.folder is not None:
            (self.folder / f"{obj}.sqlite").unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            for db in self._open.values():
                db.close()
            self._open.clear()


def _split(query: str) -> list[str]:
    """The statements of ``query``, each ending at a ``;`` that completes one (strings, comments,
    and trigger bodies included, as SQLite itself reads them)."""
    statements: list[str] = []
    start = 0
    for i, char in enumerate(query):
        if char == ";" and sqlite3.complete_statement(query[start : i + 1]):
            statements.append(query[start : i + 1])
            start = i + 1
    rest = query[start:]
    if rest.strip() and not _only_comments(rest):
        statements.append(rest)
    return [s for s in statements if not _only_comments(s.strip().rstrip(";"))]


def _only_comments(text: str) -> bool:
    body = text.strip()
    while body:
        if body.startswith("--"):
            newline = body.find("\n")
            body = "" if newline < 0 else body[newline + 1 :].strip()
        elif body.startswith("/*"):
            end = body.find("*/")
            body = "" if end < 0 else body[end + 2 :].strip()
        else:
            return False
    return True


def _js_value(value: Any) -> Any:
    """A SQLite value as Pyodide shows the JS value workerd makes of it.

    Numbers are JS numbers: an integral one arrives in Python as ``int``, as Pyodide converts it.
    """
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _binding(value: Any) -> Any:
    if value is None or isinstance(value, (str, bytes, float)):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    to_py = getattr(value, "to_py", None)  # an ArrayBuffer or typed array from the dialect
    if callable(to_py):
        return _binding(to_py())
    raise TypeError(
        f"Failed to execute 'exec' on 'SqlStorage': a SQL binding is a string, number, "
        f"ArrayBuffer or null, not {type(value).__name__}."
    )


# SQLite's primary result codes by number: an extended code's name is shown beside its primary's.
_PRIMARY_CODES = {
    1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT", 5: "SQLITE_BUSY",
    6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
    10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY", 17: "SQLITE_SCHEMA",
    18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE",
    22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT", 25: "SQLITE_RANGE",
    26: "SQLITE_NOTADB", 27: "SQLITE_NOTICE", 28: "SQLITE_WARNING",
}  # fmt: skip
# The messages for which SQLite knows where in the statement it stopped (sqlite3_error_offset).
_AT_TOKEN = re.compile(r'^(?:near "(?P<near>.*)": syntax error|unrecognized token: "(?P<token>.*)")$', re.S)


def _error(exc: sqlite3.Error, db: _Database, statement: str = "") -> WorkersError:
    """SQLite's error as workerd words it (``src/workerd/util/sqlite.c++``): the message, `` at
    offset N`` where SQLite gives one, then the result code, and the extended code beside it:
    ``UNIQUE constraint failed: t.k: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)``.

    Python's ``sqlite3`` does not expose the offset: it is where the quoted token first appears
    in the statement, as SQLite's tokenizer would have reached it.
    """
    refusal, db.refusal = db.refusal, None
    if refusal is not None:
        return WorkersError(refusal)
    message = str(exc)
    at = _AT_TOKEN.match(message)
    if at is not None:
        token = (at.group("near") or at.group("token") or "").encode()
        offset = statement.encode().find(token) if token else -1
        if offset >= 0:
            message += f" at offset {offset}"
    name = getattr(exc, "sqlite_errorname", None) or "SQLITE_ERROR"
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code > 0xFF and (code & 0xFF) in _PRIMARY_CODES:
        return WorkersError(f"{message}: {_PRIMARY_CODES[code & 0xFF]} (extended: {name})")
    return WorkersError(f"{message}: {name}")


# ---------------------------------------------------------------------- rowsRead / rowsWritten

_SCAN = re.compile(r"^SCAN (?P<table>\w+)(?: USING .*)?$")
_FIRST_WORDS = re.compile(r"^\s*(?P<verb>\w+)(?:\s+(?P<what>\w+))?", re.I)
_INSERT_INTO = re.compile(r"\bINTO\s+(?P<table>\w+)", re.I)


class _Plan:
    """What a statement's query plan says it reads, found before it runs (see the module docstring).

    Attributes:
        scanned: rows its full scans read (every row of each scanned table; one for an empty one).
        searches: it looks rows up (``SEARCH``): one row read per row found, at least one.
    """

    def __init__(self, scanned: int = 0, searches: bool = False) -> None:
        self.scanned = scanned
        self.searches = searches
        self.returning = False  # an INSERT ... RETURNING: one read per row it gives back
        self.key_checks = False  # an INSERT that gives the rowid: one read per row, to check the key


def _plan_reads(db: _Database, statement: str, values: Sequence[Any]) -> _Plan:
    plan = _Plan()
    details = [row[3] for row in db.query_trusted("EXPLAIN QUERY PLAN " + statement, values)]
    if not details:
        return plan
    opcodes = {row[1] for row in db.query_trusted("EXPLAIN " + statement, values)}
    for detail in details:
        scan = _SCAN.match(detail)
        if detail.startswith("SEARCH "):
            plan.searches = True
        elif scan is not None and scan["table"] != "CONSTANT":
            counted = db.query_trusted(f'SELECT count(*) FROM "{scan["table"]}"')
            rows = int(counted[0][0]) if counted else 0
            # An empty table: the scan's Rewind still counts one read; count(*)'s OP_Count none.
            plan.scanned += rows if rows else int(bool(opcodes & {"Rewind", "Last"}))
    return plan


def _checks_keys(db: _Database, statement: str, values: Sequence[Any]) -> bool:
    """Whether an ``INSERT`` looks each row's rowid up before it writes the row (``NotExists``:
    the statement gives the rowid, an ``INTEGER PRIMARY KEY`` value), which reads one row
    (measured: ``do-sql-insert-key-checks-read``)."""
    return any(row[1] == "NotExists" for row in db.query_trusted("EXPLAIN " + statement, values))


def _schema_rows(db: _Database) -> tuple[int, int]:
    """How many tables, and how many indexes, the schema holds."""
    counted = db.query_trusted(
        "SELECT count(*) FILTER (WHERE type = 'table'), count(*) FILTER (WHERE type = 'index') "
        "FROM sqlite_schema"
    )
    return (int(counted[0][0]), int(counted[0][1])) if counted else (0, 0)


def _insert_writes(db: _Database, statement: str) -> tuple[int, int]:
    """What one row an ``INSERT`` adds writes (the row, one entry per index), and what the
    statement writes once (``sqlite_sequence``'s row, for an ``AUTOINCREMENT`` table)."""
    into = _INSERT_INTO.search(statement)
    if into is None:
        return 1, 0
    table = into["table"]
    indexes = len(db.query_trusted(f'PRAGMA index_list("{table}")'))
    autoincrement = db.query_trusted(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? AND sql LIKE '%AUTOINCREMENT%'",
        (table,),
    )
    return 1 + indexes, int(bool(autoincrement))


class _RowIterator:
    """An iterator with JS's ``toArray()`` (what ``raw()`` and ``kv.list()`` return in workerd)."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows

    def __iter__(self) -> _RowIterator:
        return self

    def __next__(self) -> Any:
        return next(self._rows)

    def next(self) -> dict[str, Any]:
        """Mirrors ``iterator.next()``: ``{"done": bool, "value": item}``."""
        for item in self._rows:
            return {"done": False, "value": item}
        return {"done": True, "value": None}

    def toArray(self) -> list[Any]:
        """Mirrors ``iterator.toArray()``: every remaining item."""
        return list(self._rows)


class SqlStorageCursor:
    """Mirrors ``SqlStorageCursor``: an iterator of rows (dicts), with ``toArray()``, ``one()``,
    ``raw()``, ``next()``, ``columnNames``, ``rowsRead`` and ``rowsWritten``."""

    constructor = JsClass("SqlStorageCursor")

    def __init__(
        self,
        cursor: sqlite3.Cursor | None,
        db: _Database,
        rows_written: int,
        plan: _Plan | None = None,
        rows_read: int = 0,
        writes: tuple[int, int] = (1, 0),
    ) -> None:
        self._cursor = cursor
        self._db = db
        self._plan = plan or _Plan()
        self._writes = writes  # per row changed, and once for the statement (see _insert_writes)
        self._found = 0
        names = [] if cursor is None or cursor.description is None else [d[0] for d in cursor.description]
        self.columnNames: list[str] = names
        self.rowsRead = rows_read + self._plan.scanned
        self.rowsWritten = rows_written
        self._changes_before = db.conn.total_changes

    def _next_raw(self) -> list[Any] | None:
        if self._cursor is None:
            return None
        try:
            row = self._cursor.fetchone()
        except sqlite3.Error as exc:
            self._finish()
            raise _error(exc, self._db) from None
        if row is None:
            self._finish()
            return None
        if self._plan.searches or self._plan.returning:
            self._found += 1
            self.rowsRead += 1
        return [_js_value(v) for v in row]

    def _finish(self) -> None:
        if self._cursor is not None:
            changed = self._db.conn.total_changes - self._changes_before  # RETURNING writes
            if changed:
                per_row, once = self._writes
                self.rowsWritten += changed * per_row + (once if not self.rowsWritten else 0)
                if self._plan.key_checks:
                    self.rowsRead += changed
            if self._plan.searches and not self._found:
                self.rowsRead += 1  # the seek that found nothing
            self._cursor.close()
            self._cursor = None

    def _row(self, raw: list[Any]) -> Any:
        from .storage import JsDict  # the SDK's shape for a JS object: keys as attributes too

        return JsDict(zip(self.columnNames, raw, strict=True))

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        raw = self._next_raw()
        if raw is None:
            raise StopIteration
        return self._row(raw)

    def next(self) -> dict[str, Any]:
        """Mirrors ``cursor.next()``: ``{"done": False, "value": row}``, at the end
        ``{"done": True, "value": None}``."""
        raw = self._next_raw()
        if raw is None:
            return {"done": True, "value": None}
        return {"done": False, "value": self._row(raw)}

    def toArray(self) -> list[Any]:
        """Mirrors ``cursor.toArray()``: every remaining row."""
        return list(self)

    def one(self) -> Any:
        """Mirrors ``cursor.one()``: the only row; an ``Error`` (workerd's text) for none or more."""
        raw = self._next_raw()
        if raw is None:
            raise WorkersError(NO_RESULTS)
        if self._next_raw() is not None:
            self._finish()
            raise WorkersError(MANY_RESULTS)
        return self._row(raw)

    def raw(self) -> _RowIterator:
        """Mirrors ``cursor.raw()``: the remaining rows as lists of values, in column order."""
        return _RowIterator(iter(self._next_raw, None))

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self

    def __repr__(self) -> str:
        return f"<SqlStorageCursor columns={self.columnNames}>"


class SqlStorage:
    """Mirrors ``SqlStorage`` (``ctx.storage.sql``): ``exec(query, *bindings)`` and ``databaseSize``.

    On a key-value backed object (``new_classes``) ``storage.sql`` is there, as in workerd, and
    its members raise workerd's error (measured: ``do-sql-on-key-value-object``).
    """

    constructor = JsClass("SqlStorage")

    def __init__(self, databases: SqlDatabases | None, obj: str) -> None:
        self._databases = databases
        self._obj = obj

    @property
    def _db(self) -> _Database:
        if self._databases is None:
            raise WorkersError(SQL_NOT_ENABLED)
        return self._databases.database(self._obj)  # made again after deleteAll()

    def exec(self, query: str, *bindings: Any) -> SqlStorageCursor:
        """Mirrors ``sql.exec(query, ...bindings)``: runs now; the cursor reads the last statement's rows.

        Raises:
            WorkersError: SQLite's error (``no such table: t: SQLITE_ERROR``), a transaction
                statement, the wrong number of bindings (workerd's texts); the object is not
                SQLite-backed.
            TypeError: a binding that is not a string, number, bytes or None.
        """
        db = self._db
        if not isinstance(query, str):
            raise TypeError("Failed to execute 'exec' on 'SqlStorage': parameter 1 is not of type 'string'.")
        values = [_binding(v) for v in bindings]
        statements = _split(query)
        if not statements:
            raise WorkersError(NO_STATEMENT)
        conn = db.conn
        before = conn.total_changes
        last = len(statements) - 1
        plan, read, schema = _Plan(), 0, (0, 0)
        for i, statement in enumerate(statements):
            if i:  # SQLite reads on from the end of the previous statement, past the spaces
                statement = statement.lstrip()
            args = values if i == last else ()
            words = _FIRST_WORDS.match(statement)
            verb = "" if words is None else words["verb"].upper()
            what = "" if words is None or words["what"] is None else words["what"].upper()
            if i == last:
                if verb in ("SELECT", "WITH", "UPDATE", "DELETE", "INSERT", "REPLACE", "VALUES"):
                    plan = _plan_reads(db, statement, args)
                elif verb == "CREATE" and what == "TABLE":
                    schema = _schema_rows(db)
            try:
                cursor = conn.execute(statement, args)
            except sqlite3.ProgrammingError as exc:
                if "Incorrect number of bindings" not in str(exc):
                    raise _error(exc, db, statement) from None
                raise WorkersError(WRONG_BINDINGS if i == last else ONLY_LAST_BINDS) from None
            except sqlite3.Error as exc:
                raise _error(exc, db, statement) from None
            if i != last:
                cursor.close()
        written = conn.total_changes - before
        writes = (1, 0)
        if verb in ("INSERT", "REPLACE"):
            writes = _insert_writes(db, statement)
            read = writes[1]  # an AUTOINCREMENT table's sqlite_sequence row is looked up
            plan.returning = cursor.description is not None  # RETURNING reads back each row
            plan.key_checks = _checks_keys(db, statement, args)
            if written:
                read += written if plan.key_checks else 0
                written = written * writes[0] + writes[1]
        elif verb == "CREATE" and what == "TABLE":
            tables, indexes = (now - then for now, then in zip(_schema_rows(db), schema, strict=True))
            # each table's schema row is written, then its root page set; an index's written once
            read, written = tables, 2 * tables + indexes
        elif verb in ("UPDATE", "DELETE") and plan.searches:
            read = max(written, 1)  # the rows found, each changed once
            plan.searches = False
        if cursor.description is None:
            cursor.close()
            return SqlStorageCursor(None, db, written, plan, read)
        return SqlStorageCursor(cursor, db, written, plan, read, writes)

    @property
    def databaseSize(self) -> int:
        """Mirrors ``sql.databaseSize``: bytes in use (pages in use times the page size)."""
        return self._db.size()

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self

    def __repr__(self) -> str:
        return "<SqlStorage>"


class SyncKvStorage:
    """Mirrors ``SyncKvStorage`` (``ctx.storage.kv``): the key-value API without promises.

    It shares its keys with ``ctx.storage.get()`` / ``put()``, as in workerd. On a key-value
    backed object (``new_classes``) it is there and its methods raise workerd's error.
    """

    constructor = JsClass("SyncKvStorage")

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def _enabled(self) -> Storage:
        if self._storage._sql is None:
            raise WorkersError(SYNC_KV_NOT_ENABLED)
        return self._storage

    def get(self, key: str) -> Any:
        """Mirrors ``kv.get(key)``: the value, or None."""
        return self._enabled()._get(key)

    def put(self, key: str, value: Any) -> None:
        """Mirrors ``kv.put(key, value)``."""
        self._enabled()._put(key, value)

    def delete(self, key: str) -> bool:
        """Mirrors ``kv.delete(key)``: True if the key existed."""
        return bool(self._enabled()._delete(key))

    def list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> _RowIterator:
        """Mirrors ``kv.list({prefix, start, startAfter, end, limit, reverse})``: an iterator of
        ``[key, value]`` pairs, with ``toArray()``."""
        entries = self._enabled()._list(options, **kwargs)
        return _RowIterator(iter([[key, value] for key, value in entries.items()]))

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self

    def __repr__(self) -> str:
        return "<SyncKvStorage>"


def transaction_sync(db: _Database, callback: Callable[[], Any]) -> Any:
    """``storage.transactionSync(fn)``: ``fn()`` inside a savepoint, rolled back if it raises."""
    depth = db.savepoints
    db.savepoints += 1
    db.run_trusted(f"SAVEPOINT _cf_sync_savepoint_{depth}")
    try:
        result = callback()
    except BaseException:
        db.run_trusted(f"ROLLBACK TO _cf_sync_savepoint_{depth}")
        db.run_trusted(f"RELEASE _cf_sync_savepoint_{depth}")
        raise
    finally:
        db.savepoints -= 1
    db.run_trusted(f"RELEASE _cf_sync_savepoint_{depth}")
    return result
