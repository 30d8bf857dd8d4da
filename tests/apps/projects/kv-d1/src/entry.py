import json
from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, vip INTEGER, photo BLOB);
INSERT OR IGNORE INTO customers (id, name, vip) VALUES (1, 'Alfreds', 0);
INSERT OR IGNORE INTO customers (id, name, vip) VALUES (2, 'Bottom Dollar', 1);
"""


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        route = url.path
        try:
            body = await self.route(route, q)
        except Exception as exc:
            return Response(f"{type(exc).__name__}: {exc}", status=500)
        return Response(json.dumps(body), headers={"content-type": "application/json"})

    async def route(self, route, q):
        kv, db = self.env.CACHE, self.env.DB
        if route == "/kv/put":
            options = {"metadata": {"by": "test"}}
            if "ttl" in q:
                options["expirationTtl"] = int(q["ttl"])
            await kv.put(q["key"], q["value"], **options)
            return "ok"
        if route == "/kv/get":
            found = await kv.getWithMetadata(q["key"])
            return {"value": found.value, "metadata": found.metadata, "json": await kv.get("j", "json")}
        if route == "/kv/list":
            listed = await kv.list(
                prefix=q.get("prefix", ""), limit=int(q.get("limit", 1000)), cursor=q.get("cursor")
            )
            return {
                "names": [k.name for k in listed["keys"]],
                "complete": listed["list_complete"],
                "cursor": listed.get("cursor"),
            }
        if route == "/kv/delete":
            await kv.delete(q["key"])
            return await kv.get(q["key"])
        if route == "/d1/setup":
            return (await db.exec(SCHEMA)).count
        if route == "/d1/all":
            result = await db.prepare("SELECT id, name, vip FROM customers ORDER BY id").all()
            return {"success": result.success, "results": result.results, "changes": result.meta.changes}
        if route == "/d1/first":
            stmt = db.prepare("SELECT * FROM customers WHERE name = ?").bind(q["name"])
            row = await stmt.first()
            return {"row": row and {"id": row["id"], "name": row["name"]}, "name": await stmt.first("name")}
        if route == "/d1/insert":
            result = (
                await db.prepare("INSERT INTO customers (name, vip, photo) VALUES (?, ?, ?)")
                .bind(q["name"], True, b"\x01\x02")
                .run()
            )
            return {"id": result.meta.last_row_id, "changes": result.meta.changes}
        if route == "/d1/raw":
            return await db.prepare("SELECT id, photo FROM customers WHERE photo IS NOT NULL").raw(
                columnNames=True
            )
        if route == "/d1/batch":
            rows = await db.batch(
                [
                    db.prepare("UPDATE customers SET vip = 1 WHERE id = ?").bind(1),
                    db.prepare("SELECT count(*) AS n FROM customers WHERE vip = 1"),
                ]
            )
            return [r.results for r in rows]
        if route == "/d1/broken-batch":
            await db.batch([db.prepare("DELETE FROM customers"), db.prepare("SELECT * FROM nowhere")])
        if route == "/d1/count":
            return await db.prepare("SELECT count(*) AS n FROM customers").first("n")
        if route == "/d1/column":
            return await db.prepare("SELECT 1 AS one").first("two")
        if route == "/d1/bad-type":
            return await db.prepare("SELECT ?").bind({"a": 1}).all()
        return None
