import json
from urllib.parse import parse_qs, urlparse

from workers import DurableObject, Response, WorkerEntrypoint


class Notes(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.sql = ctx.storage.sql
        self.sql.exec(
            """CREATE TABLE IF NOT EXISTS notes(
                 id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, score REAL, data BLOB
               );
               CREATE INDEX IF NOT EXISTS notes_body ON notes(body);"""
        )

    async def add(self, body, score):
        cursor = self.sql.exec("INSERT INTO notes (body, score) VALUES (?, ?) RETURNING id", body, score)
        return {"id": cursor.one()["id"], "written": cursor.rowsWritten}

    async def all(self):
        cursor = self.sql.exec("SELECT id, body, score FROM notes ORDER BY id")
        rows = [dict(row) for row in cursor]
        return {"rows": rows, "columns": cursor.columnNames, "read": cursor.rowsRead}

    async def raw(self):
        return list(self.sql.exec("SELECT body, score FROM notes ORDER BY id").raw())

    async def count(self):
        return self.sql.exec("SELECT count(*) AS n FROM notes").one().n

    async def size(self):
        cursor = self.sql.exec("SELECT * FROM notes")
        cursor.toArray()
        return [cursor.rowsRead, self.sql.databaseSize > 0]

    async def kv(self):
        self.ctx.storage.kv.put("visits", (self.ctx.storage.kv.get("visits") or 0) + 1)
        await self.ctx.storage.put("async", "shared")
        return {
            "visits": self.ctx.storage.kv.get("visits"),
            "keys": [k for k, _ in self.ctx.storage.kv.list()],
        }

    async def failing(self, what):
        try:
            if what == "table":
                self.sql.exec("SELECT * FROM nowhere")
            elif what == "begin":
                self.sql.exec("BEGIN TRANSACTION")
            elif what == "bindings":
                self.sql.exec("SELECT ?, ?", 1)
            elif what == "one":
                self.sql.exec("SELECT body FROM notes").one()
            elif what == "internal":
                self.ctx.storage.kv.put("seen", 1)  # _cf_KV is made by the first key-value write
                self.sql.exec("SELECT * FROM _cf_KV")
            elif what == "transaction":

                def write_then_fail():
                    self.sql.exec("INSERT INTO notes (body) VALUES ('rolled back')")
                    raise ValueError("no")

                self.ctx.storage.transactionSync(write_then_fail)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return "no error"


class Legacy(DurableObject):
    async def fetch(self, request):
        out = []
        for attempt in (lambda: self.ctx.storage.sql.exec("SELECT 1"), lambda: self.ctx.storage.kv.get("k")):
            try:
                attempt()
            except Exception as exc:
                out.append(str(exc))
        return Response.json(out)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/legacy":
            return await self.env.LEGACY.getByName("x").fetch(request)
        notes = self.env.NOTES.getByName(query.get("room", "main"))
        if url.path == "/add":
            return Response.json(await notes.add(query["body"], float(query.get("score", 0))))
        if url.path == "/fail":
            return Response(await notes.failing(query["what"]))
        method = getattr(notes, url.path.strip("/"))
        return Response(json.dumps(await method()), headers={"content-type": "application/json"})
