"""A chat room Worker: every message goes to everyone connected, sender included.

Run it with ``cfws-playground serve examples/chat.py`` and connect from two
terminals (``python -m websockets ws://127.0.0.1:8787/?name=ada``) or from
several browser tabs.

In production a room lives in a Durable Object, so that every client meets
the same instance; here one process serves everyone, so a module-level set is
the room.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from cfws_playground import Response, WebSocketPair

room: set = set()  # the server ends of everyone connected


def broadcast(text):
    for ws in list(room):
        try:
            ws.send(text)
        except TypeError:  # that socket has closed meanwhile
            room.discard(ws)


async def fetch(request, env, ctx):
    if request.headers.get("Upgrade") != "websocket":
        return Response("A chat room: connect with a WebSocket client.", status=426)
    name = parse_qs(urlsplit(request.url).query).get("name", ["anonymous"])[0]
    client, server = WebSocketPair()
    server.accept()
    room.add(server)
    broadcast(f"* {name} joined ({len(room)} here)")

    def on_message(event):
        if isinstance(event.data, str):
            broadcast(f"{name}: {event.data}")

    def on_gone(event):
        if server in room:
            room.discard(server)
            broadcast(f"* {name} left")

    server.addEventListener("message", on_message)
    server.addEventListener("close", on_gone)
    server.addEventListener("error", on_gone)
    return Response(None, status=101, webSocket=client)
