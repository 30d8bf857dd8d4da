# Solution to 08 Capstone, Exercise 1: who is in the room.


def names(sockets):
    return sorted(ws.deserializeAttachment() for ws in sockets)
