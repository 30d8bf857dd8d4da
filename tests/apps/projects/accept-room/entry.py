import asyncio

from js import WebSocketPair
from pyodide.ffi import create_proxy
from workers import DurableObject, Response, WorkerEntrypoint


class Room(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.sessions = {}

    async def fetch(self, request):
        client, server = WebSocketPair.new().object_values()
        server.accept()
        name = request.url.rsplit("/", 1)[1]

        async def on_message(event):
            for ws in self.sessions.values():
                ws.send(f"{name}: {event.data} ({len(self.sessions)} here)")

        async def on_close(event):
            await asyncio.sleep(0)
            self.sessions.pop(name).close(1000, "bye")

        server.addEventListener("message", create_proxy(on_message))
        server.addEventListener("close", create_proxy(on_close))
        self.sessions[name] = server
        return Response(None, status=101, web_socket=client)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await self.env.ROOM.getByName("lobby").fetch(request)
