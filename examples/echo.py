"""An echo Worker: every message comes back to the client that sent it.

Run it with ``cfws-playground serve examples/echo.py`` and connect with any
WebSocket client (``python -m websockets ws://127.0.0.1:8787/``).
"""

from __future__ import annotations

from cfws_playground import Response, WebSocketPair


async def fetch(request, env, ctx):
    if request.headers.get("Upgrade") != "websocket":
        return Response("Expected Upgrade: websocket", status=426)
    client, server = WebSocketPair()
    server.accept()
    server.binaryType = "arraybuffer"  # binary messages arrive as bytes, and go back as bytes

    def on_message(event):
        server.send(event.data)

    def on_close(event):
        # Answer the Close on any compatibility date (from 2026-04-07 the runtime
        # already has, and this call is ignored). 1005 (the client sent no code)
        # and 1006 (it vanished) are for reporting only: close() rejects them.
        if event.code in (1005, 1006):
            server.close(1000)
        else:
            server.close(event.code, event.reason)

    server.addEventListener("message", on_message)
    server.addEventListener("close", on_close)
    return Response(None, status=101, webSocket=client)
