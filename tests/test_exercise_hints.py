"""Every exercise's self-check names the actual cause of a plausible wrong answer.

For each exercise there are recorded wrong answers, the kind a learner writes,
each with the words its hint must contain; and other correct answers, which
must pass. Each answer runs as the notebook runs it: the chapter's imports
cell, the answer, then the self-check cell, in a fresh namespace.
"""

from __future__ import annotations

import contextlib
import io
import textwrap

import pytest
from test_notebooks import EXERCISES, NOTEBOOKS, _run_cells

#: exercise -> [(what the learner did, their answer, words the hint must contain)]
WRONG: dict[str, list[tuple[str, str, str]]] = {
    "01-greet": [
        ("forgets await settle()", """
            async def greet(pair):
                client, server = pair
                received = []
                server.accept()
                client.accept()
                client.addEventListener("message", lambda e: received.append(e.data))
                server.send("hello from server")
                return received
        """, "await settle() before returning"),
        ("never accepts the client end", """
            async def greet(pair):
                client, server = pair
                received = []
                server.accept()
                client.addEventListener("message", lambda e: received.append(e.data))
                server.send("hello from server")
                await settle()
                return received
        """, "client end was never accepted"),
        ("listens on the server end", """
            async def greet(pair):
                client, server = pair
                received = []
                server.accept()
                client.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                server.send("hello from server")
                await settle()
                return received
        """, "add the listener to the client end"),
        ("sends from the client end", """
            async def greet(pair):
                client, server = pair
                received = []
                server.accept()
                client.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                client.send("hello from server")
                await settle()
                return received
        """, "only the server end"),
        ("appends the event, not its data", """
            async def greet(pair):
                client, server = pair
                received = []
                server.accept()
                client.accept()
                client.addEventListener("message", received.append)
                server.send("hello from server")
                await settle()
                return received
        """, "append event.data"),
    ],
    "02-collect": [
        ("forgets await settle()", """
            async def collect(pair):
                client, server = pair
                received = []
                server.addEventListener("message", lambda e: received.append(e.data))
                server.accept()
                return received
        """, "await settle() before returning"),
        ("adds the listener after an await", """
            async def collect(pair):
                client, server = pair
                received = []
                server.accept()
                await settle()
                server.addEventListener("message", lambda e: received.append(e.data))
                return received
        """, "awaits between accept() and addEventListener()"),
        ("never accepts", """
            async def collect(pair):
                client, server = pair
                received = []
                server.addEventListener("message", lambda e: received.append(e.data))
                await settle()
                return received
        """, "never accepted"),
        ("returns a copy", """
            async def collect(pair):
                client, server = pair
                received = []
                server.addEventListener("message", lambda e: received.append(e.data))
                server.accept()
                await settle()
                return list(received)
        """, "return the very list"),
        ("awaits sleep(0) between accept() and the listener", """
            import asyncio
            async def collect(pair):
                client, server = pair
                received = []
                server.accept()
                await asyncio.sleep(0)
                server.addEventListener("message", lambda e: received.append(e.data))
                await settle()
                return received
        """, "awaits between accept() and addEventListener()"),
    ],
    "03-send-json": [
        ("sends the dict itself", """
            def send_json(ws, value):
                ws.send(value)
        """, "json.dumps(value) turns a dict into text"),
        ("sends str(value)", """
            def send_json(ws, value):
                ws.send(str(value))
        """, "json.dumps(value) gives JSON"),
        ("sends bytes", """
            import json
            def send_json(ws, value):
                ws.send(json.dumps(value).encode())
        """, "arrived as binary"),
        ("makes the text but never sends it", """
            import json
            def send_json(ws, value):
                return json.dumps(value)
        """, "ws.send(...) sends it"),
        ("sends each item", """
            import json
            def send_json(ws, value):
                for key, item in value.items():
                    ws.send(json.dumps({key: item}))
        """, "send exactly one"),
    ],
    "03-read-bytes": [
        ("returns the Blob", """
            async def read_bytes(event):
                return event.data
        """, "await data.arrayBuffer()"),
        ("forgets to await arrayBuffer()", """
            from cfws_playground import Blob
            async def read_bytes(event):
                data = event.data
                if isinstance(data, Blob):
                    return data.arrayBuffer()
                if isinstance(data, str):
                    return data.encode()
                return bytes(data)
        """, "`await` it"),
        ("bytes() of a Blob", """
            async def read_bytes(event):
                data = event.data
                if isinstance(data, str):
                    return data.encode()
                return bytes(data)
        """, "await data.arrayBuffer()"),
        ("encodes text as Latin-1", """
            from cfws_playground import Blob
            async def read_bytes(event):
                data = event.data
                if isinstance(data, Blob):
                    return await data.arrayBuffer()
                if isinstance(data, str):
                    return data.encode("latin-1")
                return bytes(data)
        """, "encode text as UTF-8"),
        ("returns the text unencoded", """
            from cfws_playground import Blob
            async def read_bytes(event):
                data = event.data
                if isinstance(data, Blob):
                    return await data.arrayBuffer()
                return data
        """, "encode it to bytes"),
    ],
    "04-safe-close-args": [
        ("code < 4999", """
            def safe_close_args(code, reason):
                if 1000 <= code < 4999 and code not in (1004, 1005, 1006, 1015):
                    return code, reason
                return 1000, ""
        """, "close() accepts 4999"),
        ("only 1005 and 1006 mapped", """
            def safe_close_args(code, reason):
                if code in (1005, 1006):
                    return 1000, ""
                return code, reason
        """, "close() refuses 1015"),
        ("keeps the reason of a refused code", """
            def safe_close_args(code, reason):
                if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
                    return code, reason
                return 1000, reason
        """, "close() refuses 1006"),
        ("always 1000", """
            def safe_close_args(code, reason):
                return 1000, reason
        """, "close() accepts 4001"),
        ("returns the code alone", """
            def safe_close_args(code, reason):
                return code if code not in (1005, 1006, 1015, 1004) else 1000
        """, "return a (code, reason) tuple"),
    ],
    "04-goodbye": [
        ("echoes the raw code", """
            def install(server):
                server.accept(allowHalfOpen=True)
                def on_close(event):
                    server.send("goodbye")
                    server.close(event.code, event.reason)
                server.addEventListener("close", on_close)
        """, "close() refuses 1005 and 1006"),
        ("closes, then sends", """
            def safe_close_args(code, reason):
                if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
                    return code, reason
                return 1000, ""
            def install(server):
                server.accept(allowHalfOpen=True)
                def on_close(event):
                    server.close(*safe_close_args(event.code, event.reason))
                    server.send("goodbye")
                server.addEventListener("close", on_close)
        """, "send the goodbye first"),
        ("forgets allowHalfOpen", """
            def safe_close_args(code, reason):
                if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
                    return code, reason
                return 1000, ""
            def install(server):
                server.accept()
                def on_close(event):
                    server.send("goodbye")
                    server.close(*safe_close_args(event.code, event.reason))
                server.addEventListener("close", on_close)
        """, "allowHalfOpen=True"),
        ("closes with 1000 always", """
            def install(server):
                server.accept(allowHalfOpen=True)
                def on_close(event):
                    server.send("goodbye")
                    server.close(1000)
                server.addEventListener("close", on_close)
        """, "answered with (1000, '')"),
        ("never says goodbye", """
            def safe_close_args(code, reason):
                if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
                    return code, reason
                return 1000, ""
            def install(server):
                server.accept(allowHalfOpen=True)
                server.addEventListener("close", lambda e: server.close(*safe_close_args(e.code, e.reason)))
        """, "no 'goodbye'"),
    ],
    "05-safe-listener": [
        ("catches nothing", """
            import json
            def safe_listener(ws):
                def on_message(event):
                    json.loads(event.data)
                    ws.send(json.dumps({"ok": True}))
                return on_message
        """, "catch ValueError"),
        ("sends a dict", """
            import json
            def safe_listener(ws):
                def on_message(event):
                    try:
                        json.loads(event.data)
                    except ValueError:
                        ws.send({"ok": False})
                        return
                    ws.send({"ok": True})
                return on_message
        """, "send() takes text"),
        ("answers only bad input", """
            import json
            def safe_listener(ws):
                def on_message(event):
                    try:
                        json.loads(event.data)
                    except ValueError:
                        ws.send(json.dumps({"ok": False}))
                return on_message
        """, "one reply per message"),
        ("replies with plain text", """
            import json
            def safe_listener(ws):
                def on_message(event):
                    try:
                        json.loads(event.data)
                    except ValueError:
                        ws.send("not ok")
                        return
                    ws.send("ok")
                return on_message
        """, "reply with json.dumps"),
        ("forgets to return the listener", """
            import json
            def safe_listener(ws):
                def on_message(event):
                    try:
                        json.loads(event.data)
                        ws.send(json.dumps({"ok": True}))
                    except ValueError:
                        ws.send(json.dumps({"ok": False}))
        """, "returned None, so no listener was added"),
        ("the untouched scaffold", """
            def safe_listener(ws):
                def on_message(event):
                    ...
                return on_message
        """, "sent nothing"),
    ],
    "06-upper-worker": [
        ("returns nothing for a plain GET", """
            async def fetch_upper(request, env, ctx):
                if request.headers.get("Upgrade") != "websocket":
                    return None
                client, server = WebSocketPair()
                server.accept()
                server.addEventListener("message", lambda e: server.send(e.data.upper()))
                return Response(None, status=101, webSocket=client)
        """, "returned no Response for a plain GET"),
        ("upgrades every request", """
            async def fetch_upper(request, env, ctx):
                client, server = WebSocketPair()
                server.accept()
                server.addEventListener("message", lambda e: server.send(e.data.upper()))
                return Response(None, status=101, webSocket=client)
        """, "a plain GET got status 101"),
        ("never accepts the server end", """
            async def fetch_upper(request, env, ctx):
                if request.headers.get("Upgrade") != "websocket":
                    return Response("Expected a WebSocket upgrade", status=426)
                client, server = WebSocketPair()
                server.addEventListener("message", lambda e: server.send(e.data.upper()))
                return Response(None, status=101, webSocket=client)
        """, "did you accept() the server end"),
        ("echoes without capitals", """
            async def fetch_upper(request, env, ctx):
                if request.headers.get("Upgrade") != "websocket":
                    return Response("Expected a WebSocket upgrade", status=426)
                client, server = WebSocketPair()
                server.accept()
                server.addEventListener("message", lambda e: server.send(e.data))
                return Response(None, status=101, webSocket=client)
        """, "expected ['HELLO', 'ADA']"),
        ("426 without a body", """
            async def fetch_upper(request, env, ctx):
                if request.headers.get("Upgrade") != "websocket":
                    return Response(None, status=426)
                client, server = WebSocketPair()
                server.accept()
                server.addEventListener("message", lambda e: server.send(e.data.upper()))
                return Response(None, status=101, webSocket=client)
        """, "has no body"),
        ("sends the method, not its result", """
            async def fetch_upper(request, env, ctx):
                if request.headers.get("Upgrade") != "websocket":
                    return Response("Expected a WebSocket upgrade", status=426)
                client, server = WebSocketPair()
                server.accept()
                server.addEventListener("message", lambda e: server.send(e.data.upper))
                return Response(None, status=101, webSocket=client)
        """, ".upper instead of .upper()"),
    ],
    "06-talk": [
        ("asyncio.run() inside async def", """
            import asyncio
            import websockets
            async def talk(url, messages):
                async def main():
                    replies = []
                    async with websockets.connect(url) as ws:
                        for text in messages:
                            await ws.send(text)
                            replies.append(await ws.recv())
                    return replies
                return asyncio.run(main())
        """, "called asyncio.run()"),
        ("sends all, reads one", """
            import websockets
            async def talk(url, messages):
                async with websockets.connect(url) as ws:
                    for text in messages:
                        await ws.send(text)
                    return [await ws.recv()]
        """, "one reply per message"),
        ("never closes the connection", """
            import websockets
            async def talk(url, messages):
                ws = await websockets.connect(url)
                replies = []
                for text in messages:
                    await ws.send(text)
                    replies.append(await ws.recv())
                return replies
        """, "never closed the connection"),
        ("appends ws.recv() without await", """
            import websockets
            async def talk(url, messages):
                replies = []
                async with websockets.connect(url) as ws:
                    for text in messages:
                        await ws.send(text)
                        replies.append(ws.recv())
                return replies
        """, "append `await ws.recv()`"),
        ("returns the coroutine of a helper", """
            import websockets
            async def talk(url, messages):
                async def run():
                    async with websockets.connect(url) as ws:
                        replies = []
                        for text in messages:
                            await ws.send(text)
                            replies.append(await ws.recv())
                        return replies
                return run()
        """, "returned a coroutine"),
        ("receives one reply too many", """
            import websockets
            async def talk(url, messages):
                async with websockets.connect(url) as ws:
                    replies = []
                    for text in messages:
                        await ws.send(text)
                        replies.append(await ws.recv())
                    replies.append(await ws.recv())
                    return replies
        """, "did not finish: receive exactly one reply per message"),
    ],
    "07-both-dates": [
        ("echoes the raw code", """
            def serve(server):
                received = []
                server.binaryType = "arraybuffer"
                server.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                server.addEventListener("close", lambda e: server.close(e.code, e.reason))
                return received
        """, "close() refuses 1005 and 1006"),
        ("always closes with 1000", """
            def serve(server):
                received = []
                server.binaryType = "arraybuffer"
                server.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                server.addEventListener("close", lambda e: server.close(1000))
                return received
        """, "answer with the code and reason you received"),
        ("sends in the close listener", """
            def safe_close_args(code, reason):
                return (code, reason) if code not in (1005, 1006) else (1000, "")
            def serve(server):
                received = []
                server.binaryType = "arraybuffer"
                server.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                def on_close(e):
                    server.send("bye")
                    server.close(*safe_close_args(e.code, e.reason))
                server.addEventListener("close", on_close)
                return received
        """, "do not send in the close listener"),
        ("binaryType after accept()", """
            def serve(server):
                received = []
                server.accept()
                server.binaryType = "arraybuffer"
                server.addEventListener("message", lambda e: received.append(e.data))
                return received
        """, "both ends hang in CLOSING"),
        ("keeps the Blob default", """
            def safe_close_args(code, reason):
                return (code, reason) if code not in (1005, 1006) else (1000, "")
            def serve(server):
                received = []
                server.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                server.addEventListener("close", lambda e: server.close(*safe_close_args(e.code, e.reason)))
                return received
        """, "Set binaryType before accept()"),
        ("calls chapter 04's safe_close_args without defining it here", """
            def serve(server):
                received = []
                server.binaryType = "arraybuffer"
                server.accept()
                server.addEventListener("message", lambda e: received.append(e.data))
                server.addEventListener("close", lambda e: server.close(*safe_close_args(e.code, e.reason)))
                return received
        """, "define it in this notebook"),
    ],
    "08-names": [
        ("forgets to sort", """
            def names(sockets):
                return [ws.deserializeAttachment() for ws in sockets]
        """, "in the wrong order"),
        ("reads the attachment as a dict", """
            def names(sockets):
                return sorted(ws.deserializeAttachment()["name"] for ws in sockets)
        """, "the attachment is the name itself"),
        ("indexes the socket", """
            def names(sockets):
                return sorted(ws["name"] for ws in sockets)
        """, "the attachment is the name itself"),
        ("reads a name attribute", """
            def names(sockets):
                return sorted(ws.name for ws in sockets)
        """, "ws.deserializeAttachment()"),
        ("joins into one string", """
            def names(sockets):
                return ", ".join(sorted(ws.deserializeAttachment() for ws in sockets))
        """, "return a list of names"),
        ("treats the list as a dict", """
            def names(sockets):
                return sorted(ws.deserializeAttachment() for ws, _ in sockets.items())
        """, "not a dict"),
        ("drops a name used twice", """
            def names(sockets):
                return sorted({ws.deserializeAttachment() for ws in sockets})
        """, "a name used twice is listed twice"),
    ],
    "08-who": [
        ("answers /who to everyone", """
            def on_text(room, ws, text):
                if text == "/who":
                    here = sorted(w.deserializeAttachment() for w in room.ctx.getWebSockets())
                    room.broadcast("* here: " + ", ".join(here))
                else:
                    room.broadcast(f"{room.name(ws)}: {text}", exclude=ws)
        """, "bob got the answer to ada's '/who' too"),
        ("broadcasts /who too", """
            def on_text(room, ws, text):
                name = ws.deserializeAttachment()
                room.broadcast(f"{name}: {text}", exclude=ws)
        """, "a command is answered, not broadcast"),
        ("answers without the star", """
            def on_text(room, ws, text):
                if text == "/who":
                    here = sorted(w.deserializeAttachment() for w in room.ctx.getWebSockets())
                    ws.send("here: " + ", ".join(here))
                else:
                    room.broadcast(f"{ws.deserializeAttachment()}: {text}", exclude=ws)
        """, "expected ['* here: ada, bob']"),
        ("sends chat back to the sender too", """
            def on_text(room, ws, text):
                names = sorted(w.deserializeAttachment() for w in room.ctx.getWebSockets())
                if text == "/who":
                    ws.send("* here: " + ", ".join(names))
                else:
                    room.broadcast(f"{ws.deserializeAttachment()}: {text}")
        """, "never back to the sender"),
        ("does nothing", """
            def on_text(room, ws, text):
                pass
        """, "nobody got anything"),
        ("skips the sender with `is not`", """
            def on_text(room, ws, text):
                if text == "/who":
                    ws.send("* here: " + ", ".join(sorted(room.name(w) for w in room.ctx.getWebSockets())))
                else:
                    for other in room.ctx.getWebSockets():
                        if other is not ws:
                            other.send(f"{room.name(ws)}: {text}")
        """, "compare sockets with !="),
        ("keeps a collection of sockets, as before hibernation", """
            def on_text(room, ws, text):
                if text == "/who":
                    ws.send("* here: " + ", ".join(sorted(room.name(w) for w in room.sockets)))
                else:
                    room.broadcast(f"{room.name(ws)}: {text}", exclude=ws)
        """, "ask the runtime, room.ctx.getWebSockets()"),
        ("an async def on_text", """
            async def on_text(room, ws, text):
                if text == "/who":
                    ws.send("* here: " + ", ".join(names(room.ctx.getWebSockets())))
                else:
                    room.broadcast(f"{room.name(ws)}: {text}", exclude=ws)
        """, "the coroutine was made and never ran"),
    ],
    "08-leaving": [
        ("tells the others and never answers the Close", """
            class Leaving(Room2):
                async def webSocketClose(self, ws, code, reason, was_clean):
                    here = [o for o in self.ctx.getWebSockets() if o != ws and o.readyState == 1]
                    self.broadcast(f"* {self.name(ws)} left ({len(here)} here)", exclude=ws)
        """, "never answered"),
        ("echoes the code it received, 1005 included", """
            class Leaving(Room2):
                async def webSocketClose(self, ws, code, reason, was_clean):
                    here = [o for o in self.ctx.getWebSockets() if o != ws and o.readyState == 1]
                    self.broadcast(f"* {self.name(ws)} left ({len(here)} here)", exclude=ws)
                    ws.close(code, reason)
        """, "close() refuses 1005 and 1006"),
        ("answers, then tells everyone, the closed socket too", """
            class Leaving(Room2):
                async def webSocketClose(self, ws, code, reason, was_clean):
                    ws.close(*((code, reason) if code not in (1005, 1006) else (1000, "")))
                    here = [o for o in self.ctx.getWebSockets() if o != ws and o.readyState == 1]
                    self.broadcast(f"* {self.name(ws)} left ({len(here)} here)")
        """, "exclude=ws"),
        ("tells the leaving member too, before answering", """
            class Leaving(Room2):
                async def webSocketClose(self, ws, code, reason, was_clean):
                    here = [o for o in self.ctx.getWebSockets() if o != ws and o.readyState == 1]
                    self.broadcast(f"* {self.name(ws)} left ({len(here)} here)")
                    ws.close(*((code, reason) if code not in (1005, 1006) else (1000, "")))
        """, "his own leave message"),
        ("counts every listed socket", """
            class Leaving(Room2):
                async def webSocketClose(self, ws, code, reason, was_clean):
                    here = len(self.ctx.getWebSockets())
                    self.broadcast(f"* {self.name(ws)} left ({here} here)", exclude=ws)
                    ws.close(*((code, reason) if code not in (1005, 1006) else (1000, "")))
        """, "still lists the socket that is leaving"),
        ("keeps the head count on self", """
            class Leaving(Room2):
                def join(self, ws):
                    super().join(ws)
                    self.count = getattr(self, "count", 0) + 1

                async def webSocketClose(self, ws, code, reason, was_clean):
                    self.count -= 1
                    self.broadcast(f"* {self.name(ws)} left ({self.count} here)", exclude=ws)
                    ws.close(*((code, reason) if code not in (1005, 1006) else (1000, "")))
        """, "every field on self is gone"),
        ("keeps the members in a set made in __init__", """
            class Leaving(Room2):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.members = set()

                def join(self, ws):
                    super().join(ws)
                    self.members.add(self.name(ws))

                async def webSocketClose(self, ws, code, reason, was_clean):
                    self.members.discard(self.name(ws))
                    self.broadcast(f"* {self.name(ws)} left ({len(self.members)} here)", exclude=ws)
                    ws.close(*((code, reason) if code not in (1005, 1006) else (1000, "")))
        """, "a count kept on self starts again"),
        ("always answers 1000", """
            class Leaving(Room2):
                async def webSocketClose(self, ws, code, reason, was_clean):
                    here = [o for o in self.ctx.getWebSockets() if o != ws and o.readyState == 1]
                    self.broadcast(f"* {self.name(ws)} left ({len(here)} here)", exclude=ws)
                    ws.close(1000, "")
        """, "answer with the code and reason the client sent"),
    ],
    "09-tally": [
        ("keeps the count on self", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    self.count = getattr(self, "count", 0) + 1
                    ws.send(f"#{self.count} {message}")
        """, "every field on self is gone"),
        ("keeps a dict of counts per socket on self", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    counts = self.__dict__.setdefault("counts", {})
                    counts[ws] = counts.get(ws, 0) + 1
                    ws.send(f"#{counts[ws]} {message}")
        """, "Keep the count in the socket's attachment"),
        ("changes the copy and never stores it", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    count = ws.deserializeAttachment()
                    count += 1
                    ws.send(f"#{count} {message}")
        """, "Store the new count with ws.serializeAttachment"),
        ("finds its socket's count on self with `is`", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    counts = self.__dict__.setdefault("counts", [])   # [socket, count] pairs
                    for pair in counts:
                        if pair[0] is ws:
                            pair[1] += 1
                            break
                    else:
                        pair = [ws, 1]
                        counts.append(pair)
                    ws.send(f"#{pair[1]} {message}")
        """, "Each call gets a new proxy for the socket"),
        ("one count in storage for every socket", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    n = (await self.ctx.storage.get("count") or 0) + 1
                    await self.ctx.storage.put("count", n)
                    ws.send(f"#{n} {message}")
        """, "one count for the whole object"),
        ("replies before counting", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    count = ws.deserializeAttachment()
                    ws.send(f"#{count} {message}")
                    ws.serializeAttachment(count + 1)
        """, "add one to the count before you reply"),
        ("reads the attachment as an attribute", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    n = ws.deserializeAttachment()["count"] + 1
                    ws.serializeAttachment(n)
                    ws.send(f"#{n} {message}")
        """, "your webSocketMessage raised"),
        ("stores a Python dict", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment({"count": 0})
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    seen = ws.deserializeAttachment()
                    seen["count"] += 1
                    ws.serializeAttachment(seen)
                    ws.send(f"#{seen['count']} {message}")
        """, "A Python dict cannot be an attachment"),
        ("forgets to await storage.get", """
            class Tally(DurableObject):
                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    server.serializeAttachment(0)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    key = str(id(ws))
                    count = (self.ctx.storage.get(key) or 0) + 1
                    await self.ctx.storage.put(key, count)
                    ws.send(f"#{count} {message}")
        """, "await them"),
    ],
    "09-quiet": [
        ("answers ping in webSocketMessage", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send("pong" if message == "ping" else f"you said {message}")
        """, "the object woke up to send it"),
        ("swaps request and response", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("pong", "ping"))

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send(f"you said {message}")
        """, "The request comes first"),
        ("calls the JS class without .new()", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send(f"you said {message}")
        """, "called WebSocketRequestResponsePair(...), and JavaScript refused"),
        ("passes a tuple", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.ctx.setWebSocketAutoResponse(("ping", "pong"))

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send(f"you said {message}")
        """, "you passed a tuple"),
        ("sets nothing", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.ctx.setWebSocketAutoResponse()

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send(f"you said {message}")
        """, "'ping' woke the object"),
        ("answers 'Ping', capitalised", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("Ping", "pong"))

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send(f"you said {message}")
        """, "character for character"),
        ("passes a dict", """
            class Quiet(DurableObject):
                def __init__(self, ctx, env):
                    super().__init__(ctx, env)
                    self.ctx.setWebSocketAutoResponse({"ping": "pong"})

                async def fetch(self, request):
                    client, server = WebSocketPair.new().object_values()
                    self.ctx.acceptWebSocket(server)
                    return Response(None, status=101, web_socket=client)

                async def webSocketMessage(self, ws, message):
                    ws.send(f"you said {message}")
        """, "you passed a dict"),
    ],
    "10-my-burst": [
        ("leaves the scaffold's steps", """
            timer = timeout(0, "a.readyState")
            mine = Scenario("my-burst", "a burst before a timer", ("watch",))
        """, "add a timer before the sends"),
        ("sets the timer after the burst", """
            mine = Scenario("my-burst", "a burst before a timer", (
                "watch", "a.accept()", "b.accept()",
                "a.send('1')", "a.send('2')", "a.send('3')", timeout(0, "a.readyState")))
        """, "the timer must be set *before* the burst"),
        ("never accepts b", """
            mine = Scenario("my-burst", "a burst before a timer", (
                "watch", "a.accept()", timeout(0, "a.readyState"),
                "a.send('1')", "a.send('2')", "a.send('3')"))
        """, "b logs no messages"),
        ("sends only twice", """
            mine = Scenario("my-burst", "a burst before a timer", (
                "watch", "a.accept()", "b.accept()", timeout(0, "a.readyState"),
                "a.send('1')", "a.send('2')"))
        """, "a should send three messages"),
        ("writes a step the language does not know", """
            mine = Scenario("my-burst", "a burst before a timer", (
                "watch", "a.accept()", "b.accept()", "setTimeout(0)", "a.send('1')"))
        """, "not in the scenario language"),
        ("gives the timer a delay", """
            mine = Scenario("my-burst", "a burst before a timer", (
                "watch", "a.accept()", "b.accept()", timeout(5, "a.readyState"),
                "a.send('1')", "a.send('2')", "a.send('3')"))
        """, "your timer waits 5 ms"),
    ],
}

#: exercise -> other correct answers (beside the solution file), which must pass.
RIGHT: dict[str, list[tuple[str, str]]] = {
    "02-collect": [("listener right after accept()", """
        async def collect(pair):
            client, server = pair
            received = []
            server.accept()
            server.addEventListener("message", lambda e: received.append(e.data))
            await settle()
            return received
    """)],
    "04-safe-close-args": [("a set of refused codes", """
        REFUSED = {1004, 1005, 1006, 1015}
        def safe_close_args(code, reason):
            return (code, reason) if 1000 <= code < 5000 and code not in REFUSED else (1000, "")
    """)],
    "08-who": [("the chapter's room.name(ws)", """
        def on_text(room, ws, text):
            if text == "/who":
                ws.send("* here: " + ", ".join(sorted(room.name(w) for w in room.ctx.getWebSockets())))
            else:
                room.broadcast(f"{room.name(ws)}: {text}", exclude=ws)
    """)],
    "09-tally": [("a JS object made with to_js", """
        from js import Object
        from pyodide.ffi import to_js

        class Tally(DurableObject):
            async def fetch(self, request):
                client, server = WebSocketPair.new().object_values()
                self.ctx.acceptWebSocket(server)
                server.serializeAttachment(to_js({"count": 0}, dict_converter=Object.fromEntries))
                return Response(None, status=101, web_socket=client)

            async def webSocketMessage(self, ws, message):
                n = ws.deserializeAttachment().count + 1
                ws.serializeAttachment(to_js({"count": n}, dict_converter=Object.fromEntries))
                ws.send(f"#{n} {message}")
    """)],
    "09-quiet": [("sets it in fetch", """
        class Quiet(DurableObject):
            async def fetch(self, request):
                self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("ping", "pong"))
                client, server = WebSocketPair.new().object_values()
                self.ctx.acceptWebSocket(server)
                return Response(None, status=101, web_socket=client)

            async def webSocketMessage(self, ws, message):
                ws.send(f"you said {message}")
    """)],
}

_BY_ID = {solution.removeprefix("solutions/").removesuffix(".py"): rest for *rest, solution in EXERCISES}


def test_every_exercise_has_recorded_wrong_answers() -> None:
    assert set(WRONG) == set(_BY_ID)
    thin = [name for name, answers in WRONG.items() if len(answers) < 5]
    assert not thin, f"fewer than 5 recorded wrong answers: {thin}"


async def _check_output(exercise: str, answer: str) -> str:
    _notebook, imports, _scaffold, check = _BY_ID[exercise]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await _run_cells([imports, textwrap.dedent(answer), check], {"__name__": "__main__"})
    return out.getvalue()


@pytest.fixture
def in_notebooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(NOTEBOOKS)
    monkeypatch.syspath_prepend(str(NOTEBOOKS))


#: Wrong answers that leave a coroutine never awaited: Python warns of it, as it would in the notebook.
NEVER_AWAITED = {("09-tally", "forgets to await storage.get")}
_TOLERATE_UNAWAITED = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
#: Wrong answers whose check waits out a timeout of its own (seconds): left out of the quick subset.
WAITS = {("06-talk", "receives one reply too many"), ("06-upper-worker", "never accepts the server end")}


def _marks(name: str, what: str) -> list[pytest.MarkDecorator]:
    marks = [_TOLERATE_UNAWAITED] if (name, what) in NEVER_AWAITED else []
    return marks + ([pytest.mark.slow] if (name, what) in WAITS else [])


@pytest.mark.usefixtures("in_notebooks")
@pytest.mark.parametrize(
    ("exercise", "answer", "hint"),
    [
        pytest.param(
            name,
            answer,
            hint,
            id=f"{name}: {what}",
            marks=_marks(name, what),
        )
        for name, answers in WRONG.items()
        for what, answer, hint in answers
    ],
)
async def test_a_wrong_answer_gets_the_hint_for_its_cause(exercise: str, answer: str, hint: str) -> None:
    printed = await _check_output(exercise, answer)
    assert printed.startswith("✗ Not yet: "), f"a wrong answer passed: {printed!r}"
    assert hint in printed, f"expected a hint with {hint!r}, got {printed!r}"


@pytest.mark.usefixtures("in_notebooks")
@pytest.mark.parametrize(
    ("exercise", "answer"),
    [(name, answer) for name, answers in RIGHT.items() for _, answer in answers],
    ids=[f"{name}: {what}" for name, answers in RIGHT.items() for what, _ in answers],
)
async def test_another_correct_answer_passes(exercise: str, answer: str) -> None:
    printed = await _check_output(exercise, answer)
    assert printed.startswith("✓ "), f"a correct answer failed: {printed!r}"
