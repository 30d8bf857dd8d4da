# Solution to 06 A Worker and real clients, Exercise 2: a real client, one reply per message.

import websockets


async def talk(url, messages):
    replies = []
    async with websockets.connect(url) as ws:   # leaving the block closes the connection (1000)
        for text in messages:
            await ws.send(text)
            replies.append(await ws.recv())
    return replies
