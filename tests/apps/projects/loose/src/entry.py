from js import Date, Object, WebSocketPair
from workers import DurableObject, Response, WorkerEntrypoint


class Notes(DurableObject):
    async def fetch(self):  # no request parameter: workerd drops the argument
        client, server = Object.values(WebSocketPair.new())
        self.ctx.acceptWebSocket(server)
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        if message == "remember":
            self.ctx.storage.put("note", "kept")  # not awaited: it happens anyway
            self.ctx.storage.setAlarm(Date.now() + 50)  # not awaited either
            ws.send("asked")
        elif message == "recall":
            ws.send(f"{await self.ctx.storage.get('note')} {await self.ctx.storage.get('alarmed')}")

    async def webSocketClose(self, ws, code, reason):  # no wasClean parameter
        await self.ctx.storage.put("closed", code)
        ws.close(code, reason)

    async def closed(self):
        return await self.ctx.storage.get("closed")

    async def alarm(self):
        await self.ctx.storage.put("alarmed", "yes")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        notes = self.env.NOTES.getByName("n")
        if request.url.endswith("/closed"):
            return Response(str(await notes.closed()))
        return await notes.fetch(request)
