# Solution to 05 Errors and edge cases, Exercise 1: answer bad input instead of dying.
import json


def safe_listener(ws):
    def on_message(event):
        try:
            json.loads(event.data)
        except ValueError:               # json.JSONDecodeError is a ValueError
            ws.send(json.dumps({"ok": False}))
            return
        ws.send(json.dumps({"ok": True}))
    return on_message
