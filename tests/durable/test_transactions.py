"""storage.transaction(fn) and transactionSync(fn): writes go back on a throw or a rollback()."""

from __future__ import annotations

from typing import Any

import pytest

from cfws_playground.durable import MemoryBackend
from cfws_playground.durable.sql import SqlDatabases
from cfws_playground.durable.storage import Storage
from cfws_playground.errors import WorkersError


def _storage(*, sqlite: bool) -> Storage:
    storage = Storage(MemoryBackend(), "obj", lambda at: None)
    if sqlite:
        storage._sql = SqlDatabases()
    return storage


@pytest.mark.parametrize("sqlite", [False, True])
async def test_a_transaction_commits_what_its_callback_wrote(sqlite: bool) -> None:
    storage = _storage(sqlite=sqlite)

    async def fn(txn: Any) -> str:
        await txn.put("a", 1)
        await txn.delete("gone")
        return "done"

    await storage.put("gone", 0)
    assert await storage.transaction(fn) == "done"
    assert await storage.list() == {"a": 1}


@pytest.mark.parametrize("sqlite", [False, True])
async def test_a_transaction_that_raises_puts_every_key_back(sqlite: bool) -> None:
    storage = _storage(sqlite=sqlite)
    await storage.put({"kept": "before", "gone": "before"})

    async def fn(txn: Any) -> None:
        await txn.put("kept", "changed")
        await txn.put("new", 1)
        await txn.delete("gone")
        if sqlite:
            storage.sql.exec("CREATE TABLE t (a)")
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await storage.transaction(fn)
    assert await storage.list() == {"gone": "before", "kept": "before"}
    if sqlite:
        with pytest.raises(WorkersError, match="no such table: t"):
            storage.sql.exec("SELECT * FROM t")


async def test_rollback_drops_the_writes_and_later_calls_throw_workerds_errors() -> None:
    storage = _storage(sqlite=False)
    kept: list[Any] = []

    async def fn(txn: Any) -> str:
        kept.append(txn)
        await txn.put("a", 1)
        txn.rollback()
        txn.rollback()  # twice is fine
        with pytest.raises(WorkersError, match=r"^Cannot get\(\) on rolled back transaction$"):
            await txn.get("a")
        with pytest.raises(WorkersError, match=r"^Cannot call deleteAll\(\) within a transaction$"):
            await txn.deleteAll()
        return "resolved anyway"

    assert await storage.transaction(fn) == "resolved anyway"
    assert await storage.get("a") is None

    async def keep(txn: Any) -> None:
        kept.append(txn)

    await storage.transaction(keep)
    with pytest.raises(WorkersError, match="has already committed: did you move `txn` outside"):
        await kept[1].put("late", 1)


async def test_transaction_sync_rolls_back_sql_and_key_value_writes() -> None:
    storage = _storage(sqlite=True)
    storage.sql.exec("CREATE TABLE t (a)")

    def fn() -> None:
        storage.sql.exec("INSERT INTO t VALUES (1)")
        storage.kv.put("k", "v")
        raise ValueError("no")

    with pytest.raises(ValueError):
        storage.transactionSync(fn)
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one()["n"] == 0
    assert storage.kv.get("k") is None

    def nested() -> int:
        storage.kv.put("outer", 1)
        with pytest.raises(ValueError):
            storage.transactionSync(lambda: (storage.kv.put("inner", 2), _raise()))
        return 7

    assert storage.transactionSync(nested) == 7
    assert list(storage.kv.list()) == [["outer", 1]]


def test_transaction_sync_on_a_key_value_object_raises_workerds_error() -> None:
    with pytest.raises(WorkersError, match=r"^Durable Object is not backed by SQL\.$"):
        _storage(sqlite=False).transactionSync(lambda: None)


def _raise() -> None:
    raise ValueError("inner")
