# Solution to 02 Accepting, Exercise 1: catch every early message.
from cfws_playground import settle


async def collect(pair):
    client, server = pair
    received = []
    # The listener first (or right after accept(), with no await in between).
    server.addEventListener("message", lambda event: received.append(event.data))
    server.accept()
    await settle()
    return received
