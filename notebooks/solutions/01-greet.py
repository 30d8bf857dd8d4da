# Solution to 01 Creating pairs, Exercise 1: greet from the server end.
from cfws_playground import settle


async def greet(pair):
    client, server = pair
    received = []
    server.accept()
    client.accept()
    client.addEventListener("message", lambda event: received.append(event.data))
    server.send("hello from server")
    await settle()
    return received
