# Solution to 04 Closing, Exercise 2: say goodbye before closing.


def safe_close_args(code, reason):   # from Exercise 1, so this file runs on its own
    if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
        return code, reason
    return 1000, ""


def install(server):
    server.accept(allowHalfOpen=True)

    def on_close(event):
        server.send("goodbye")
        server.close(*safe_close_args(event.code, event.reason))

    server.addEventListener("close", on_close)
