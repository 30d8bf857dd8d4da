# Solution to 09 Durable Objects, Exercise 2: pong without waking.
# The runtime answers the request text itself, even while the object hibernates;
# the setting outlives eviction, and __init__ runs again on every wake anyway.

from js import WebSocketPair, WebSocketRequestResponsePair
from workers import DurableObject, Response


class Quiet(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("ping", "pong"))

    async def fetch(self, request):
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server)
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        ws.send(f"you said {message}")
