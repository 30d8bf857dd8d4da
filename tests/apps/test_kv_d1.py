"""KV and D1 bindings, driven over real HTTP through Cloudflare's SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from harness import http, served

from cfws_playground.bindings import KvNamespace


async def call(server: Any, path: str) -> Any:
    status, _, body = await http(server, path)
    assert status == 200, body
    return json.loads(body)


async def fails(server: Any, path: str) -> str:
    status, _, body = await http(server, path)
    assert status == 500
    return body.decode()


async def test_kv_values_metadata_listing_and_errors() -> None:
    async with served("kv-d1") as server:
        assert await call(server, "/kv/put?key=j&value=%7B%22a%22%3A1%7D") == "ok"
        assert await call(server, "/kv/get?key=j") == {
            "value": '{"a":1}',
            "metadata": {"by": "test"},
            "json": {"a": 1},
        }
        for name in ("user:3", "user:1", "user:2", "other"):
            await call(server, f"/kv/put?key={name}&value=x&ttl=60")
        first = await call(server, "/kv/list?prefix=user:&limit=2")
        assert first["names"] == ["user:1", "user:2"] and not first["complete"]
        rest = await call(server, f"/kv/list?prefix=user:&limit=2&cursor={first['cursor']}")
        assert rest == {"names": ["user:3"], "complete": True, "cursor": None}
        assert await call(server, "/kv/delete?key=user:1") is None
        assert await fails(server, "/kv/put?key=k&value=v&ttl=30") == (
            "WorkersError: KV PUT failed: 400 Invalid expiration_ttl of 30. "
            "Expiration TTL must be at least 60."
        )
        assert (
            await fails(server, "/kv/put?key=..&value=v") == 'TypeError: ".." is not allowed as a key name.'
        )


async def test_kv_keys_expire() -> None:
    kv = KvNamespace()
    await kv.put("soon", "v", {"expiration": 10**10})
    assert (await kv.list())["keys"] == [{"name": "soon", "expiration": 10**10}]
    kv._db.execute("UPDATE kv SET expiration = 1")  # as if its time had come
    assert await kv.get("soon") is None
    assert (await kv.list())["keys"] == []


async def test_d1_shapes_and_errors() -> None:
    async with served("kv-d1") as server:
        assert await call(server, "/d1/setup") == 3
        assert await call(server, "/d1/all") == {
            "success": True,
            "results": [{"id": 1, "name": "Alfreds", "vip": 0}, {"id": 2, "name": "Bottom Dollar", "vip": 1}],
            "changes": 0,
        }
        assert await call(server, "/d1/first?name=Alfreds") == {
            "row": {"id": 1, "name": "Alfreds"},
            "name": "Alfreds",
        }
        assert await call(server, "/d1/first?name=Nobody") == {"row": None, "name": None}
        assert await call(server, "/d1/insert?name=Cy") == {"id": 3, "changes": 1}
        assert await call(server, "/d1/raw") == [["id", "photo"], [3, [1, 2]]]  # a BLOB: an array of bytes
        assert await call(server, "/d1/batch") == [[], [{"n": 3}]]
        assert (
            await fails(server, "/d1/broken-batch")
            == "WorkersError: D1_ERROR: no such table: nowhere: SQLITE_ERROR"
        )
        assert await call(server, "/d1/count") == 3  # the batch's DELETE was rolled back
        assert await fails(server, "/d1/column") == "WorkersError: D1_COLUMN_NOTFOUND: Column not found (two)"
        assert await fails(server, "/d1/bad-type") == (
            "WorkersError: D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'"
        )


@pytest.mark.parametrize("binding", ["kv", "d1"])
async def test_kv_and_d1_persist_with_persist_to(tmp_path: Path, binding: str) -> None:
    async with served("kv-d1", persist_to=tmp_path) as server:
        if binding == "kv":
            await call(server, "/kv/put?key=kept&value=1")
        else:
            await call(server, "/d1/setup")
            await call(server, "/d1/insert?name=Kept")
    async with served("kv-d1", persist_to=tmp_path) as server:
        if binding == "kv":
            assert (await call(server, "/kv/get?key=kept"))["value"] == "1"
        else:
            assert await call(server, "/d1/count") == 3
    assert (tmp_path / binding).is_dir()


@pytest.mark.parametrize("binding", ["kv", "d1"])
def test_both_bindings_keep_their_sqlite_file_and_close_it(tmp_path: Path, binding: str) -> None:
    import sqlite3

    from cfws_playground.bindings import D1Database, KvNamespace

    path = tmp_path / "deep" / "folder" / f"{binding}.sqlite"  # the folder is made
    made = KvNamespace(path) if binding == "kv" else D1Database(path)
    assert path.is_file() and repr(made).endswith(f" {binding}.sqlite>")
    made.close()
    with pytest.raises(sqlite3.ProgrammingError):
        made._db.execute("SELECT 1")  # closed
    memory = KvNamespace() if binding == "kv" else D1Database()
    assert repr(memory).endswith(" in memory>")
