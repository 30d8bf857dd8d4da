# Solution to 03 Sending, Exercise 1: send a dict as JSON.
import json


def send_json(ws, value):
    ws.send(json.dumps(value))   # JSON.stringify(value)
