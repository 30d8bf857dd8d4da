"""A chat room: the page (public/index.html, a static asset) connects to /ws?room=NAME&name=YOU;
one Durable Object per room.

The room accepts each socket with ``ctx.acceptWebSocket``, so it can hibernate
between messages while every client stays connected: whatever must survive
(the member's name) lives in the socket's attachment, not in ``self``. The
room's history lives in its SQLite storage (``ctx.storage.sql``): someone who
joins sees the last messages, and they outlive hibernation and restarts
(with ``--persist-to``).

Sockets reach Python as JsProxy objects, as on Pyodide: the attachment is a JS
value (a str here; a Python dict cannot be cloned), and the same socket read twice
is two proxies, so compare sockets with ``==``, never ``is``.
"""

from urllib.parse import parse_qs, urlparse

from js import Object, WebSocketPair, WebSocketRequestResponsePair
from pyodide.ffi import to_js
from workers import DurableObject, Response, WorkerEntrypoint

HISTORY = 20  # messages a newcomer sees


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        if url.path == "/ws":
            if request.headers.get("Upgrade", "").lower() != "websocket":
                return Response("Expected Upgrade: websocket", status=426)
            room = parse_qs(url.query).get("room", ["lobby"])[0]
            stub = self.env.CHAT.getByName(room)
            return await stub.fetch(request)
        return Response("Not found", status=404)


class ChatRoom(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        # Runs again after every wake-up: keep nothing here that must outlive hibernation.
        self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("ping", "pong"))
        self.sql = ctx.storage.sql
        self.sql.exec(
            "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, text TEXT)"
        )

    async def fetch(self, request):
        name = parse_qs(urlparse(request.url).query).get("name", ["anonymous"])[0]
        pair = Object.values(WebSocketPair.new())
        client, server = pair[0], pair[1]
        self.ctx.acceptWebSocket(server, to_js(["member"]))  # a JS Array: a Python list is refused
        server.serializeAttachment(name)
        recent = self.sql.exec("SELECT name, text FROM messages ORDER BY id DESC LIMIT ?", HISTORY).toArray()
        for row in reversed(recent):
            server.send(f"{row['name']}: {row['text']}")
        self.broadcast(f"* {name} joined ({len(self.ctx.getWebSockets())} here). {self.env.GREETING}!")
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        if isinstance(message, str):
            name = ws.deserializeAttachment()
            self.sql.exec("INSERT INTO messages (name, text) VALUES (?, ?)", name, message)
            self.sql.exec("DELETE FROM messages WHERE id <= (SELECT max(id) FROM messages) - 1000")
            self.broadcast(f"{name}: {message}")

    async def webSocketClose(self, ws, code, reason, was_clean):
        # A hibernatable socket gets no automatic reply: answer the Close, or the client
        # waits for one. Never echo 1005 or 1006 (close() throws for them).
        if ws.readyState == 2:
            ws.close(1000 if code in (1005, 1006) else code, "goodbye")
        self.broadcast(f"* {ws.deserializeAttachment()} left", skip=ws)

    async def webSocketError(self, ws, error):
        self.broadcast(f"* {ws.deserializeAttachment()} dropped", skip=ws)

    def broadcast(self, text, skip=None):
        for ws in self.ctx.getWebSockets("member"):
            if ws != skip and ws.readyState == 1:  # two proxies of one socket are ==, not is
                ws.send(text)
