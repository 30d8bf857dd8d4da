# Solution to 07 Compatibility dates, Exercise 1: one server for both dates.


def safe_close_args(code, reason):   # from chapter 04: 1005 and 1006 arrive but cannot be sent
    if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
        return code, reason
    return 1000, ""


def serve(server):
    received = []
    server.binaryType = "arraybuffer"          # before accept(): bytes at every date
    server.accept()
    server.addEventListener("message", lambda event: received.append(event.data))
    # Under auto-reply (2026-04-07 on) this close() is ignored; before, it finishes the handshake.
    # Either way close() checks its code first, so never pass it a 1005 or 1006.
    server.addEventListener("close", lambda event: server.close(*safe_close_args(event.code, event.reason)))
    return received
