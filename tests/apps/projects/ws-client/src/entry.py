import asyncio
from urllib.parse import parse_qs, urlparse

import js
from js import fetch
from pyodide.ffi import create_proxy
from workers import DurableObject, Response, WorkerEntrypoint


class Feed(DurableObject):
    """Keeps a connection to an upstream feed, as the stream consumer example does."""

    async def fetch(self, request):
        query = parse_qs(urlparse(request.url).query)
        if "upstream" in query:
            self.ws = js.WebSocket.new(query["upstream"][0])
            self.states = [self.ws.readyState]
            self.ws.addEventListener("open", create_proxy(self.on_open))
            self.ws.addEventListener("message", create_proxy(self.on_message))
            self.ws.addEventListener("close", create_proxy(self.on_close))
            return Response("connecting")
        seen = [value for _, value in self.ctx.storage.kv.list()]
        return Response.json({"seen": seen, "states": self.states})

    async def on_open(self, event):
        self.states.append(self.ws.readyState)
        self.ws.send("subscribe")

    def on_message(self, event):
        self.ctx.storage.kv.put(f"m{len(list(self.ctx.storage.kv.list())):03d}", event.data)

    def on_close(self, event):
        self.states.append(event.code)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        query = parse_qs(urlparse(request.url).query)
        if "echo" in query:  # one round trip through fetch() with an Upgrade header
            resp = await fetch(query["echo"][0], headers={"Upgrade": "websocket"})
            ws = resp.webSocket
            ws.accept()
            replies = asyncio.Queue()
            ws.addEventListener("message", create_proxy(lambda event: replies.put_nowait(event.data)))
            ws.send("hello upstream")
            reply = await replies.get()
            ws.close(1000, "done")
            return Response(f"{resp.status} {reply}")
        return await self.env.FEED.getByName("feed").fetch(request)
