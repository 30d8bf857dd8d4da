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
        assert await get_json(server, "/add?body=first&score=1.5") == {"id": 1, "written": 1}
        assert await get_json(server, "/add?body=second&score=2") == {"id": 2, "written": 1}
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
        ("table", "WorkersError: no such table: nowhere: SQLITE_ERROR"),
        ("begin", f"WorkersError: {TRANSACTION_REFUSED}"),
        ("bindings", "WorkersError: Wrong number of parameter bindings for SQL query."),
        ("one", "WorkersError: Expected exactly one result from SQL query, but got no results."),
        ("internal", "WorkersError: access to _cf_KV.key is prohibited: SQLITE_AUTH"),
        ("transaction", "ValueError: no"),
    ],
)
async def test_sql_errors_carry_workerds_texts(what: str, text: str) -> None:
    async with served("sql-notes") as server:
        assert (await http(server, f"/fail?what={what}"))[2].decode() == text
        assert await get_json(server, "/count") == 0  # the transaction's insert was rolled back


async def test_a_key_value_class_has_no_sql_as_in_workerd() -> None:
    async with served("sql-notes") as server:
        assert await get_json(server, "/legacy") == [SQL_NOT_ENABLED, SYNC_KV_NOT_ENABLED]


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
    assert cursor.next() == {"done": True}
    with pytest.raises(WorkersError, match=ONLY_LAST_BINDS):
        sql.exec("SELECT ?; SELECT 1", 1)
    with pytest.raises(WorkersError, match="SQL code did not contain a statement."):
        sql.exec("  -- nothing\n")
    with pytest.raises(WorkersError, match="too many columns on t2: SQLITE_ERROR"):
        sql.exec("CREATE TABLE t2(" + ", ".join(f"c{i}" for i in range(101)) + ")")
    with pytest.raises(TypeError):
        sql.exec("SELECT ?", object())
    assert sql.exec("SELECT x'00ff' AS b, NULL AS n").one() == {"b": b"\x00\xff", "n": None}
