"""Counters that persist: GET /NAME reads, POST /NAME/increment adds one, POST /NAME/reset-in/SECONDS
schedules a reset with an alarm. The Worker calls the Durable Object's methods by RPC."""

from urllib.parse import urlparse

from js import Date
from workers import DurableObject, Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        parts = [p for p in urlparse(request.url).path.split("/") if p]
        if not parts:
            return Response("Try GET /apples or POST /apples/increment", status=404)
        counter = self.env.COUNTER.getByName(parts[0])
        if len(parts) == 1:
            return Response.from_json(await counter.read())
        if parts[1] == "increment":
            return Response.from_json(await counter.increment(1))
        if parts[1] == "reset-in" and len(parts) == 3:
            await counter.reset_in(float(parts[2]))
            return Response("reset scheduled", status=202)
        return Response("Not found", status=404)


class Counter(DurableObject):
    async def read(self):
        return {"value": await self.ctx.storage.get("value") or 0, "resets": await self.resets()}

    async def increment(self, by):
        value = (await self.ctx.storage.get("value") or 0) + by
        await self.ctx.storage.put("value", value)
        return {"value": value}

    async def reset_in(self, seconds):
        await self.ctx.storage.setAlarm(Date.now() + seconds * 1000)

    async def resets(self):
        return await self.ctx.storage.get("resets") or 0

    async def alarm(self):
        await self.ctx.storage.put({"value": 0, "resets": await self.resets() + 1})
