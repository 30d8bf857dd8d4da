# Solution to 06 A Worker and real clients, Exercise 1: a Worker that answers in capitals.

from cfws_playground import Response, WebSocketPair


async def fetch_upper(request, env, ctx):
    if request.headers.get("Upgrade") != "websocket":
        return Response("Expected a WebSocket upgrade", status=426)
    client, server = WebSocketPair()
    server.accept()
    server.addEventListener("message", lambda event: server.send(event.data.upper()))
    return Response(None, status=101, webSocket=client)
