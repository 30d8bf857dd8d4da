# Solution to 08 Capstone, Exercise 2: a /who command.


def names(sockets):   # from Exercise 1, so this file runs on its own
    return sorted(ws.deserializeAttachment() for ws in sockets)


def on_text(room, ws, text):
    if text == "/who":
        ws.send("* here: " + ", ".join(names(room.ctx.getWebSockets())))
    else:
        room.broadcast(f"{room.name(ws)}: {text}", exclude=ws)
