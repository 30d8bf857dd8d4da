"""SQLite-backed Durable Object storage (``ctx.storage.sql``, ``ctx.storage.kv``) over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import http, served

from cfws_playground.durable.sql import SQL_NOT_ENABLED, SYNC_KV_NOT_ENABLED, TRANSACTION_REFUSED


async def get_json(server: object, path: str) -> object:
    status, _, body = await http(server, path)  # type: ignore[arg-type]
    assert status == 200, body
    return json.loads(body)


async def test_sql_exec_cursor_and_its_counts() -> None:
    async with served("sql-notes") as server:
        # written: the row, its entry in the notes_body index, sqlite_sequence (AUTOINCREMENT)
        assert await get_json(server, "/add?body=first&score=1.5") == {"id": 1, "written": 3}
        assert await get_json(server, "/add?body=second&score=2") == {"id": 2, "written": 3}
        assert await get_json(server, "/all") == {
            "rows": [{"id": 1, "body": "first", "score": 1.5}, {"id": 2, "body": "second", "score": 2}],
            "columns": ["id", "body", "score"],
            "read": 2,
        }
        assert await get_json(server, "/raw") == [["first", 1.5], ["second", 2]]
        assert await get_json(server, "/count") == 2
        assert await get_json(server, "/count?room=other") == 0  # one database per object
        assert await get_json(server, "/size") == [2, True]


async def test_sync_kv_shares_keys_with_the_async_api() -> None:
    async with served("sql-notes") as server:
        assert await get_json(server, "/kv") == {"visits": 1, "keys": ["async", "visits"]}
        assert await get_json(server, "/kv") == {"visits": 2, "keys": ["async", "visits"]}


@pytest.mark.parametrize(
    ("what", "text"),
    [
        # In Pyodide a runtime error reaches Python as JsException, str() "Error: ..."
        ("table", "JsException: Error: no such table: nowhere: SQLITE_ERROR"),
        ("begin", f"JsException: Error: {TRANSACTION_REFUSED}"),
        ("bindings", "JsException: Error: Wrong number of parameter bindings for SQL query."),
        ("one", "JsException: Error: Expected exactly one result from SQL query, but got no results."),
        ("internal", "JsException: Error: access to _cf_KV.key is prohibited: SQLITE_AUTH"),
        ("transaction", "ValueError: no"),
    ],
)
async def test_sql_errors_carry_workerds_texts(what: str, text: str) -> None:
    async with served("sql-notes") as server:
        assert (await http(server, f"/fail?what={what}"))[2].decode() == text
        assert await get_json(server, "/count") == 0  # the transaction's insert was rolled back


async def test_a_key_value_class_has_no_sql_as_in_workerd() -> None:
    # storage.sql and storage.kv are there; using them raises (scenario do-sql-on-key-value-object)
    async with served("sql-notes") as server:
        expected = [f"Error: {SQL_NOT_ENABLED}", f"Error: {SYNC_KV_NOT_ENABLED}"]
        assert await get_json(server, "/legacy") == expected


async def test_sql_persists_with_persist_to(tmp_path: Path) -> None:
    async with served("sql-notes", persist_to=tmp_path) as server:
        await get_json(server, "/add?body=kept")
    async with served("sql-notes", persist_to=tmp_path) as server:
        assert await get_json(server, "/count") == 1
    assert len(list((tmp_path / "Notes").glob("*.sqlite"))) == 1


def test_exec_runs_every_statement_and_reads_the_last() -> None:
    from cfws_playground.durable.sql import ONLY_LAST_BINDS, SqlDatabases, SqlStorage
    from cfws_playground.errors import WorkersError

    sql = SqlStorage(SqlDatabases(), "obj")
    cursor = sql.exec(
        "CREATE TABLE t(a TEXT); -- a comment; with a semicolon\n"
        "INSERT INTO t VALUES ('x;y'); SELECT a, length(a) AS n FROM t WHERE a = ?;",
        "x;y",
    )
    assert cursor.columnNames == ["a", "n"]
    assert cursor.next() == {"done": False, "value": {"a": "x;y", "n": 3}}
    assert cursor.next() == {"done": True, "value": None}  # JS's {done: true, value: undefined}
    with pytest.raises(WorkersError, match=ONLY_LAST_BINDS):
        sql.exec("SELECT ?; SELECT 1", 1)
    with pytest.raises(WorkersError, match="SQL code did not contain a statement."):
        sql.exec("  -- nothing\n")
    with pytest.raises(WorkersError, match="too many columns on t2: SQLITE_ERROR"):
        sql.exec("CREATE TABLE t2(" + ", ".join(f"c{i}" for i in range(101)) + ")")
    with pytest.raises(TypeError):
        sql.exec("SELECT ?", object())
    assert sql.exec("SELECT x'00ff' AS b, NULL AS n").one() == {"b": b"\x00\xff", "n": None}


def _sql() -> object:
    from cfws_playground.durable.sql import SqlDatabases, SqlStorage

    sql = SqlStorage(SqlDatabases(), "obj")
    sql.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    sql.exec("INSERT INTO t (v) VALUES ('a'), ('b'), ('c'), ('d')")
    return sql


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("SELECT * FROM t WHERE v = 'c'", 4),  # a full scan reads every row, returns one
        ("SELECT count(*) AS n FROM t", 4),
        ("SELECT * FROM t WHERE k = 3", 1),
        ("SELECT * FROM t WHERE k = 99", 1),  # the lookup that found nothing
        ("SELECT * FROM t WHERE k > 2", 2),
        ("SELECT 1 AS one", 0),
        ("SELECT * FROM t; SELECT * FROM t WHERE k = 2", 1),  # only the last statement counts
    ],
)
def test_rows_read_counts_rows_visited_not_returned(query: str, read: int) -> None:
    cursor = _sql().exec(query)  # type: ignore[attr-defined]
    cursor.toArray()
    assert cursor.rowsRead == read


def test_rows_written_counts_index_entries_and_the_schema() -> None:
    from cfws_playground.durable.sql import SqlDatabases, SqlStorage

    sql = SqlStorage(SqlDatabases(), "obj")
    created = sql.exec("CREATE TABLE u (name TEXT PRIMARY KEY, n INTEGER)")
    # the table's schema row, its index's, and the table's row again for its root page
    assert (created.rowsRead, created.rowsWritten) == (1, 3)
    assert sql.exec("INSERT INTO u VALUES ('a', 1), ('b', 2)").rowsWritten == 4
    update = sql.exec("UPDATE u SET n = 3 WHERE n = 2")
    assert (update.rowsRead, update.rowsWritten) == (2, 1)
    again = sql.exec("CREATE TABLE IF NOT EXISTS u (x)")
    assert (again.rowsRead, again.rowsWritten) == (0, 0)
    deleted = sql.exec("DELETE FROM u")
    empty = sql.exec("SELECT * FROM u")
    assert (deleted.rowsRead, empty.toArray(), empty.rowsRead) == (0, [], 1)  # a scan of nothing reads one


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("SELEC 1", 'near "SELEC": syntax error at offset 0: SQLITE_ERROR'),
        ("  SELECT * FRM t", 'near "FRM": syntax error at offset 11: SQLITE_ERROR'),
        ("SELECT 1; SELEC 2", 'near "SELEC": syntax error at offset 0: SQLITE_ERROR'),
        ("SELECT 'open", 'unrecognized token: "\'open" at offset 7: SQLITE_ERROR'),
        (
            "INSERT INTO t VALUES (1, 'dup')",
            "UNIQUE constraint failed: t.k: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
        ),
        ("SELECT * FROM nope", "no such table: nope: SQLITE_ERROR"),
    ],
)
def test_sqlite_errors_read_as_workerd_words_them(query: str, text: str) -> None:
    from cfws_playground.errors import WorkersError

    with pytest.raises(WorkersError) as caught:
        _sql().exec(query)  # type: ignore[attr-defined]
    assert str(caught.value) == text


def test_raw_and_kv_list_are_iterators_with_to_array() -> None:
    sql = _sql()
    raw = sql.exec("SELECT k, v FROM t WHERE k < 3").raw()  # type: ignore[attr-defined]
    assert next(raw) == [1, "a"]
    assert raw.toArray() == [[2, "b"]]
    assert raw.next() == {"done": True, "value": None}


def test_database_size_starts_at_one_page_and_the_kv_table_comes_with_the_first_write() -> None:
    from cfws_playground.durable.sql import SqlDatabases, SqlStorage
    from cfws_playground.errors import WorkersError

    databases = SqlDatabases()
    sql = SqlStorage(databases, "obj")
    assert sql.databaseSize == 4096
    with pytest.raises(WorkersError, match="no such table: _cf_KV: SQLITE_ERROR"):
        sql.exec("SELECT * FROM _cf_KV")
    databases.database("obj").ensure_kv_table()
    assert sql.databaseSize == 8192
    with pytest.raises(WorkersError, match="access to _cf_KV.key is prohibited: SQLITE_AUTH"):
        sql.exec("SELECT * FROM _cf_KV")


def test_an_autoincrement_insert_reads_and_writes_sqlite_sequence_once() -> None:
    from cfws_playground.durable.sql import SqlDatabases, SqlStorage

    sql = SqlStorage(SqlDatabases(), "obj")
    created = sql.exec("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT UNIQUE)")
    assert (created.rowsRead, created.rowsWritten) == (2, 5)  # a and sqlite_sequence, x's index
    two = sql.exec("INSERT INTO a (x) VALUES ('one'), ('two')")
    assert (two.rowsRead, two.rowsWritten) == (1, 5)  # 2 rows x (row + index) + sqlite_sequence
    back = sql.exec("INSERT INTO a (x) VALUES ('three') RETURNING id")
    assert (back.toArray(), back.rowsRead, back.rowsWritten) == ([{"id": 3}], 2, 3)


def test_python_workers_code_gets_sql_errors_as_js_exceptions() -> None:
    from cfws_playground.durable import MemoryBackend
    from cfws_playground.durable.sql import SqlDatabases
    from cfws_playground.durable.storage import Storage
    from cfws_playground.pyworkers.ffi import JsException
    from cfws_playground.pyworkers.jsstorage import JsStorage

    kit = Storage(MemoryBackend(), "obj", lambda at: None)
    kit._sql = SqlDatabases()
    storage = JsStorage(kit)
    with pytest.raises(JsException) as caught:
        storage.sql.exec("SELECT * FROM nowhere")
    assert (caught.value.name, str(caught.value)) == ("Error", "Error: no such table: nowhere: SQLITE_ERROR")
    with pytest.raises(JsException, match="got no results"):
        storage.sql.exec("SELECT 1 WHERE 0").one()
    assert [dict(row) for row in storage.sql.exec("SELECT 1 AS a UNION SELECT 2")] == [{"a": 1}, {"a": 2}]
    storage.kv.put("k", 1)
    assert (storage.kv.get("k"), list(storage.kv.list())) == (1, [["k", 1]])
    with pytest.raises(ValueError, match="mine"):  # what the callback raises comes back as it was
        storage.transactionSync(lambda: (_ for _ in ()).throw(ValueError("mine")))
    plain = JsStorage(Storage(MemoryBackend(), "obj", lambda at: None))
    with pytest.raises(JsException, match="Error: Durable Object is not backed by SQL."):
        plain.transactionSync(lambda: None)
    with pytest.raises(JsException, match="SQL is not enabled"):
        plain.sql.exec("SELECT 1")
