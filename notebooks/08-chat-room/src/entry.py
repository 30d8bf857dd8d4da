"""A chat room on a Durable Object, built in chapter 08 of the workshop.

The page (public/index.html, a static asset) connects with a WebSocket to /ws?name=YOU:
everyone is in one room, "lobby". The room takes each socket with ctx.acceptWebSocket,
so it hibernates between messages while every member stays connected; what must
survive (each member's name) is in the socket's attachment, never in self. What was
said is in the room's SQLite storage, so a newcomer reads the last messages.

Sockets reach Python as JsProxy objects, as on Pyodide: the attachment is a JS value
(the name, a str; a Python dict cannot be cloned), and the same socket read twice is two
proxies, so sockets are compared with ==, never with is.
"""

from urllib.parse import parse_qs, urlparse

from js import WebSocketPair
from pyodide.ffi import to_js
from workers import DurableObject, Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):  # runs for what public/ does not have, such as /ws
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return Response("A chat room: connect with a WebSocket client to /ws.", status=426)
        return await self.env.ROOM.getByName("lobby").fetch(request)


def safe_close_args(code, reason):
    """An answer close() accepts: 1005, 1006 and other codes it refuses become 1000."""
    if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
        return code, reason
    return 1000, ""


class ChatRoom(DurableObject):
    """Join by name, read what was said, talk to the others, /who, leave on close."""

    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.ctx.storage.sql.exec(
            "CREATE TABLE IF NOT EXISTS said (id INTEGER PRIMARY KEY, name TEXT, text TEXT)"
        )

    async def fetch(self, request):
        name = parse_qs(urlparse(request.url).query).get("name", ["anonymous"])[0]
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server, to_js(["member"]))  # tags: a JS Array
        server.serializeAttachment(name)
        last = self.ctx.storage.sql.exec("SELECT name, text FROM said ORDER BY id DESC LIMIT 10")
        for row in reversed(last.toArray()):
            server.send(f"{row['name']}: {row['text']}")
        server.send(f"* welcome, {name} ({len(self.ctx.getWebSockets())} here)")
        self.broadcast(f"* {name} joined", exclude=server)
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        if not isinstance(message, str):
            return  # a chat is text
        if message == "/who":
            here = sorted(self.name(other) for other in self.ctx.getWebSockets())
            ws.send("* here: " + ", ".join(here))
        else:
            self.ctx.storage.sql.exec("INSERT INTO said (name, text) VALUES (?, ?)", self.name(ws), message)
            self.broadcast(f"{self.name(ws)}: {message}", exclude=ws)

    async def webSocketClose(self, ws, code, reason, was_clean):
        self.broadcast(f"* {self.name(ws)} left", exclude=ws)  # first: nothing below can skip it
        ws.close(*safe_close_args(code, reason))  # no automatic reply: answer the Close

    async def webSocketError(self, ws, error):
        self.broadcast(f"* {self.name(ws)} left", exclude=ws)

    def name(self, ws):
        return ws.deserializeAttachment()

    def broadcast(self, text, exclude=None):
        for ws in self.ctx.getWebSockets():
            if ws != exclude and ws.readyState == 1:  # OPEN, and not the sender (== compares sockets)
                ws.send(text)
