# ruff: noqa: E501 - one scenario per entry, its steps on a few long lines
"""Scenarios of SQLite-backed Durable Object storage: ``ctx.storage.sql`` and ``ctx.storage.kv``.

Each runs in a Durable Object whose class is SQLite-backed (``sqlite=True``: in
workerd the driver's ``SqlScenarioObject``, ``enableSql = true`` with storage on
disk; on the kit a namespace with ``sql=True``), but for the one about a
key-value object. A cursor is shown read to its end, with its counters:
``Cursor(columns=[...], rows=[...], rowsRead=N, rowsWritten=M)`` (fidelity/durable.py).
"""

from __future__ import annotations

from typing import Any

from .scenario import Scenario

__all__ = ["SQL_OPEN", "SQL_SCENARIOS"]

SQL_SCENARIOS: list[Scenario] = []
#: The SQL scenarios on which the kit still differs, with what differs (tests/test_fidelity.py
#: adds them to ``OPEN``).
SQL_OPEN: dict[str, str] = {}

NEW = ("2026-11-17", ())


def Q(name: str, about: str, *steps: str, sqlite: bool = True, open: str | None = None, **kw: Any) -> None:  # noqa: N802, A002
    """One SQL scenario; ``open``: why the kit still differs, when it does."""
    kw.setdefault("configs", (NEW,))
    SQL_SCENARIOS.append(Scenario(name, about, steps, durable=True, sqlite=sqlite, tags=("sql",), **kw))
    if open is not None:
        SQL_OPEN[name] = open


def sql(query: str, *bindings: str) -> str:
    """The step ``ctx.storage.sql.exec(query, ...bindings)``."""
    return f"ctx.storage.sql.exec({', '.join((repr(query), *bindings))})"


Q("do-sql-cursor-shapes", "exec() returns a cursor: rows as objects, columnNames, raw() as arrays, next() as {done, value}, one() for exactly one row; a repeated column name keeps the last value in the row object.",
  sql("CREATE TABLE w (id INTEGER PRIMARY KEY, x)"), sql("INSERT INTO w (x) VALUES (1), (2)"), sql("SELECT * FROM w"),
  sql("SELECT 1 AS one, 'x' AS two"), sql("SELECT ? AS a, ? AS b", "1.5", "'x'"), sql("SELECT 1 AS a, 2 AS a"),
  sql("SELECT x, id FROM w") + ".columnNames", sql("SELECT * FROM w") + ".raw().toArray()",
  sql("SELECT * FROM w") + ".next()", sql("SELECT * FROM w WHERE x = 99") + ".next()",
  sql("SELECT * FROM w WHERE id = 1") + ".one()", sql("SELECT * FROM w WHERE id = 9") + ".one()", sql("SELECT * FROM w") + ".one()",
  sql("SELECT 'a' AS s; SELECT x FROM w"), sql("SELECT 1;"), sql("SELECT 1 AS a; "))

Q("do-sql-rows-read", "rowsRead counts rows the statement visits, not rows it returns: a full scan reads the whole table (one row for an empty one), count(*) the whole table, a key lookup one row even when it finds none; a statement without a table reads none; only the last statement counts.",
  sql("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"), sql("INSERT INTO t (v) VALUES ('a'), ('b'), ('c'), ('d')"),
  sql("SELECT * FROM t WHERE v = 'c'"), sql("SELECT * FROM t WHERE k = 3"), sql("SELECT * FROM t WHERE k = 99"),
  sql("SELECT * FROM t WHERE k > 2"), sql("SELECT * FROM t WHERE k > 9"), sql("SELECT count(*) AS n FROM t"),
  sql("SELECT count(*) AS n FROM t WHERE v > 'a'"), sql("SELECT v FROM t WHERE k = ?", "2"),
  sql("UPDATE t SET v = 'z' WHERE v = 'd'"), sql("DELETE FROM t WHERE k = 1"), sql("SELECT 'x' AS s; SELECT * FROM t"),
  sql("SELECT * FROM t; SELECT * FROM t WHERE k = 2"), sql("DELETE FROM t"), sql("SELECT count(*) AS n FROM t"),
  sql("SELECT * FROM t"), sql("SELECT 1 AS one"))

Q("do-sql-rows-written", "rowsWritten counts each table and index entry written: a row of a table with a TEXT PRIMARY KEY is two; CREATE TABLE writes the schema (one more row per automatic index) and reads one row.",
  sql("CREATE TABLE u (name TEXT PRIMARY KEY, n INTEGER)"), sql("INSERT INTO u VALUES ('a', 1), ('b', 2)"),
  sql("INSERT INTO u (n) VALUES (3)"), sql("SELECT * FROM u WHERE name = 'b'"), sql("SELECT * FROM u WHERE n = 2"),
  sql("CREATE TABLE c (a NOT NULL CHECK (a > 0))"), sql("INSERT INTO c VALUES (1)"), sql("UPDATE c SET a = 2"),
  sql("CREATE TABLE IF NOT EXISTS c (a)"))

Q("do-sql-errors", "SQLite's errors as workerd words them: the message, 'at offset N' for a syntax error, the result code, and the extended code beside it; bindings, an empty query and BEGIN get workerd's own texts.",
  sql("SELEC 1"), sql("  SELECT * FRM t"), sql("SELECT 1 AS a; SELEC 2"), sql("SELECT * FROM t WHERE x = 'unterminated"),
  sql("SELECT * FROM t WHERE"), sql("SELECT * FROM nope"), sql("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL CHECK (v <> ''))"),
  sql("INSERT INTO t (v) VALUES ('a')"), sql("INSERT INTO t VALUES (1, 'dup')"), sql("INSERT INTO t VALUES (2, NULL)"),
  sql("INSERT INTO t VALUES (3, '')"), sql("SELECT ?", "1", "2"), sql("SELECT ?"), sql("SELECT ?; SELECT 1", "1"), sql(""),
  sql("-- only a comment"), sql("BEGIN"), sql("SAVEPOINT s"), sql("SELECT * FROM t"))

Q("do-sql-internal-tables", "An empty database is one page; _cf_KV appears with the first key-value write, after which reading it is prohibited; a table named _cf_... cannot be made.",
  "ctx.storage.sql.databaseSize", sql("SELECT * FROM _cf_KV"), sql("CREATE TABLE _cf_x (a)"),
  "await ctx.storage.put('k', 'v')", "ctx.storage.sql.databaseSize", sql("SELECT * FROM _cf_KV"),
  sql("CREATE TABLE big (b)"), "ctx.storage.sql.databaseSize")

Q("do-sync-kv", "ctx.storage.kv works without promises and shares its keys with ctx.storage.get()/put(); list() is an iterator of [key, value] in key order.",
  "ctx.storage.kv.put('b', 2)", "ctx.storage.kv.put('a', {'x': [1]})", "ctx.storage.kv.get('a')", "ctx.storage.kv.get('nope')",
  "await ctx.storage.get('b')", "await ctx.storage.put('c', 'async')", "ctx.storage.kv.get('c')",
  "ctx.storage.kv.list().toArray()", "ctx.storage.kv.list({'prefix': 'b'}).toArray()",
  "ctx.storage.kv.list({'reverse': True, 'limit': 2}).toArray()", "ctx.storage.kv.delete('a')", "ctx.storage.kv.delete('a')",
  "ctx.storage.kv.list().toArray()")

Q("do-sql-on-key-value-object", "On an object that is not SQLite-backed (new_classes), storage.sql and storage.kv are there, and using them throws workerd's errors naming new_sqlite_classes.",
  sql("SELECT 1"), "ctx.storage.sql.databaseSize", "ctx.storage.kv.get('a')", "ctx.storage.kv.put('a', 1)",
  "ctx.storage.kv.list()", "await ctx.storage.put('a', 1)", "await ctx.storage.get('a')", sqlite=False)

Q("do-sql-insert-key-checks-read", "An INSERT that gives the rowid reads one row per row to check the key (RETURNING reads once more).",
  sql("CREATE TABLE t (k INTEGER PRIMARY KEY, v)"), sql("INSERT INTO t VALUES (1, 'a'), (2, 'b')"),
  sql("INSERT INTO t VALUES (3, 'c') RETURNING k"))

Q("do-sql-autoincrement-writes", "An INSERT into an AUTOINCREMENT table writes sqlite_sequence's row once per statement, beside each row and its index entries; RETURNING counts the same.",
  sql("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT UNIQUE)"),
  sql("INSERT INTO a (x) VALUES ('one'), ('two')"), sql("INSERT INTO a (x) VALUES ('three')"),
  sql("INSERT INTO a (x) VALUES ('four') RETURNING id"), sql("SELECT * FROM sqlite_sequence"))
