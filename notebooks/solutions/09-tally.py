# Solution to 09 Durable Objects, Exercise 1: a count that survives hibernation.
# The count lives on the socket (its attachment), not on self: a field on self is gone
# when the object is evicted, and one field would count every socket's messages together.

from js import WebSocketPair
from workers import DurableObject, Response


class Tally(DurableObject):
    async def fetch(self, request):
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server)
        server.serializeAttachment(0)         # a JS value: a number (a Python dict cannot be cloned)
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        count = ws.deserializeAttachment() + 1  # a copy: changing it changes nothing on the socket
        ws.serializeAttachment(count)           # so store it again
        ws.send(f"#{count} {message}")
