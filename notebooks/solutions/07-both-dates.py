# Solution to 07 Compatibility dates, Exercise 1: one server for both dates.


def serve(server):
    received = []
    server.binaryType = "arraybuffer"          # before accept(): bytes at every date
    server.accept()
    server.addEventListener("message", lambda event: received.append(event.data))
    # Under auto-reply (2026-04-07 on) this close() is ignored; before, it finishes the handshake.
    server.addEventListener("close", lambda event: server.close(event.code, event.reason))
    return received
