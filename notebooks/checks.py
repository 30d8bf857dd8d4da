"""Self-checks for the workshop exercises, and a drawing helper.

Each ``check_*`` coroutine runs your function on fresh pairs and prints one
line: ``✓ ...`` when it behaves as asked, or ``✗ Not yet: <hint>`` when it does
not. It never raises, so a half-finished exercise cannot stop the notebook.

    await check_greet(greet)

``ladder(rec)`` draws a recorder's steps as a sequence diagram in text.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from cfws_playground import Blob, MessageEvent, Recorder, WebSocketPair, compatibility, settle

__all__ = [
    "check_both_dates",
    "check_collect_early",
    "check_goodbye",
    "check_greet",
    "check_my_burst",
    "check_names",
    "check_read_bytes",
    "check_safe_close_args",
    "check_safe_listener",
    "check_send_json",
    "check_talk",
    "check_upper_worker",
    "check_who",
    "install_check",
    "ladder",
]


def _ok(text: str) -> None:
    print(f"✓ {text}")


def _hint(text: str) -> None:
    print(f"✗ Not yet: {text}")


def _raised(exc: BaseException) -> str:
    return f"your code raised {type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- 00 start here


def install_check() -> None:
    """Print whether this Python can run the workshop."""
    import importlib.util

    ok = True
    if sys.version_info >= (3, 11):  # noqa: UP036 - a learner's Python may be older
        _ok("Python 3.11 or newer")
    else:
        ok = False
        _hint("the kit needs Python 3.11 or newer")
    for module in ("cfws_playground", "ipykernel", "IPython"):
        if importlib.util.find_spec(module) is not None:
            _ok(f"{module} is installed")
        else:
            ok = False
            _hint(f"{module} is missing: run `pip install -e .` in the repository")
    print("All set: open 01-pairs.ipynb next." if ok else "Fix the lines marked ✗, then run this cell again.")


# ---------------------------------------------------------------- 01 pairs


async def check_greet(greet: Callable[[WebSocketPair], Awaitable[Any]]) -> None:
    """Exercise: the server end greets the client end; ``greet`` returns what the client got."""
    pair = WebSocketPair()
    rec = Recorder(pair)
    try:
        got = await greet(pair)
        await settle()
    except Exception as exc:  # noqa: BLE001 - a check reports, never raises
        return _hint(_raised(exc))
    sent = [r for r in rec.records if r.kind == "call" and r.name == "send"]
    if got is None:
        return _hint("greet(pair) returns nothing yet; return the list of messages the client received")
    if not sent:
        return _hint("nothing was sent; accept both ends, then call server.send('hello from server')")
    if any(r.end != "server" for r in sent):
        return _hint("only the server end (pair[1]) should send in this exercise")
    if list(got) != ["hello from server"]:
        return _hint(f"the client received {list(got)!r}; expected ['hello from server']. "
                     "Did you await settle() before returning?")
    _ok("the server end said hello, and the client end heard it")


# ---------------------------------------------------------------- 02 accept


async def check_collect_early(collect: Callable[[WebSocketPair], Awaitable[Any]]) -> None:
    """Exercise: the server receives every message, including those sent before it accepted."""
    pair = WebSocketPair()
    client, server = pair
    client.accept()
    for text in ("a", "b", "c"):
        client.send(text)
    await settle()
    try:
        got = await collect(pair)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    if got is None:
        return _hint("collect(pair) returns nothing yet; return the list of texts the server received")
    client.send("d")
    await settle()
    got = list(got)
    if got[:3] != ["a", "b", "c"]:
        return _hint(f"the server received {got!r}; add the listener before accept(), "
                     "with no await in between, then await settle()")
    if got != ["a", "b", "c", "d"]:
        return _hint(f"the list holds {got!r} after one more send; return the very list "
                     "your listener appends to, so later messages show up too")
    _ok("no message was lost, not even those sent before accept()")


# ---------------------------------------------------------------- 03 send


async def check_send_json(send_json: Callable[[Any, Any], Any]) -> None:
    """Exercise: send a dict as JSON text."""
    client, server = WebSocketPair()
    client.accept()
    server.accept()
    got: list[Any] = []
    server.addEventListener("message", lambda e: got.append(e.data))
    value = {"type": "chat", "text": "hi", "n": [1, 2]}
    try:
        send_json(client, value)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc) + "; json.dumps(value) turns a dict into text")
    await settle()
    if len(got) != 1:
        return _hint(f"the server received {len(got)} messages; send exactly one")
    if not isinstance(got[0], str):
        return _hint("the message arrived as binary; send the str that json.dumps returns")
    try:
        decoded = json.loads(got[0])
    except ValueError:
        return _hint(f"the server cannot parse {got[0]!r} as JSON")
    if decoded != value:
        return _hint(f"the server decoded {decoded!r}, not {value!r}")
    _ok("the dict went over as JSON text, like JSON.stringify")


async def check_read_bytes(read_bytes: Callable[[MessageEvent], Awaitable[bytes]]) -> None:
    """Exercise: turn any message's data (str, bytes or Blob) into bytes."""
    cases = [
        ("a Blob", MessageEvent(data=Blob(b"\x01\x02")), b"\x01\x02"),
        ("bytes", MessageEvent(data=b"\x03"), b"\x03"),
        ("text", MessageEvent(data="hé"), "hé".encode()),
    ]
    for label, event, expected in cases:
        try:
            got = await read_bytes(event)
        except Exception as exc:  # noqa: BLE001
            return _hint(f"for {label}: {_raised(exc)}")
        if got is None:
            return _hint("read_bytes(event) returns nothing yet; return bytes")
        if got != expected:
            tip = "; a Blob's bytes come from `await data.arrayBuffer()`" if label == "a Blob" else ""
            return _hint(f"for {label} you returned {got!r}, expected {expected!r}{tip}")
    _ok("str, bytes and Blob all become bytes")


# ---------------------------------------------------------------- 04 close


def check_safe_close_args(safe_close_args: Callable[[int, str], tuple[Any, ...]]) -> None:
    """Exercise: arguments for close() that never raise, echoing the peer when allowed."""
    cases = [
        ((1000, "bye"), (1000, "bye")),
        ((4001, "kicked"), (4001, "kicked")),
        ((1001, "going"), (1001, "going")),
        ((1005, ""), (1000, "")),
        ((1006, "WebSocket disconnected without sending Close frame."), (1000, "")),
        ((1015, ""), (1000, "")),
    ]
    for args, expected in cases:
        try:
            got = safe_close_args(*args)
        except Exception as exc:  # noqa: BLE001
            return _hint(f"safe_close_args{args}: {_raised(exc)}")
        if got is None:
            return _hint("safe_close_args(code, reason) returns nothing yet; return a (code, reason) tuple")
        if tuple(got) != expected:
            return _hint(f"safe_close_args{args} returned {tuple(got)!r}, expected {expected!r}")
    _ok("every close code gets a reply that close() accepts")


async def check_goodbye(install: Callable[[Any], Any]) -> None:
    """Exercise: in half-open mode, the server says goodbye, then closes with the client's code."""
    pair = WebSocketPair()
    client, server = pair
    rec = Recorder(pair)
    client.accept()
    try:
        install(server)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    if server.readyState != 1 or not any(r.name == "accept" and r.end == "server" for r in rec.records):
        return _hint("install(server) should accept the server end, with allowHalfOpen=True")
    got: list[Any] = []
    client.addEventListener("message", lambda e: got.append(e.data))
    client.addEventListener("close", lambda e: got.append((e.code, e.reason)))
    client.close(4002, "done")
    await settle()
    errors = [r for r in rec.records if r.name == "error" and r.end == "client"]
    if errors:
        return _hint(f"the client end saw {errors[0].args[0]!r}; did a listener raise?")
    if got == [(4002, "done")]:
        return _hint("the client got its close echoed but no goodbye: accept with allowHalfOpen=True "
                     "so the server can still send in its close listener")
    if got != ["goodbye", (4002, "done")]:
        return _hint(f"the client saw {got!r}; expected ['goodbye', (4002, 'done')]")
    _ok("the server said goodbye, then finished the handshake with the client's code")


# ---------------------------------------------------------------- 05 errors


async def check_safe_listener(safe_listener: Callable[[Any], Callable[[Any], Any]]) -> None:
    """Exercise: a listener that answers bad JSON instead of raising."""
    pair = WebSocketPair()
    client, server = pair
    client.accept()
    server.accept()
    try:
        server.addEventListener("message", safe_listener(server))
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    replies: list[Any] = []
    client.addEventListener("message", lambda e: replies.append(e.data))
    for text in ("not json", '{"a": 1}'):
        client.send(text)
    await settle()
    if server.readyState != 1:
        return _hint(f"the server end is in readyState {server.readyState}: a listener raised and "
                     "errored the socket. Catch ValueError inside the listener")
    try:
        decoded = [json.loads(r) for r in replies]
    except (TypeError, ValueError):
        return _hint(f"the client got {replies!r}; reply with json.dumps({{'ok': ...}})")
    if decoded != [{"ok": False}, {"ok": True}]:
        return _hint(f"the client got {decoded!r}; expected [{{'ok': False}}, {{'ok': True}}]")
    _ok("bad input got an answer, and the socket stayed open")


# ---------------------------------------------------------------- 07 compatibility dates


async def check_both_dates(serve: Callable[[Any], Any]) -> None:
    """Exercise: one server setup that gets bytes and finishes the close under both dates."""
    for date in ("2026-03-01", "2026-04-26"):
        with compatibility(date=date):
            pair = WebSocketPair()
        client, server = pair
        client.accept()
        got: list[Any] = []
        try:
            got = serve(server)
        except Exception as exc:  # noqa: BLE001
            return _hint(f"at {date}: {_raised(exc)}")
        if got is None:
            return _hint("serve(server) returns nothing yet; return the list your listener fills")
        client.send(b"\x01\x02")
        client.close(1000, "bye")
        await settle()
        if server.readyState == 2 and client.readyState == 2:
            return _hint(f"at {date} both ends hang in CLOSING: answer the Close in a close "
                         "listener with server.close(event.code, event.reason)")
        if list(got) != [b"\x01\x02"]:
            return _hint(f"at {date} your listener collected {list(got)!r}; expected [b'\\x01\\x02']. "
                         "Set binaryType before accept()")
        if client.readyState != 3 or server.readyState != 3:
            return _hint(f"at {date} the ends finished in readyStates {client.readyState} and "
                         f"{server.readyState}; both should reach 3 CLOSED")
    _ok("the same code works at 2026-03-01 and at 2026-04-26")


# ---------------------------------------------------------------- 06 real clients


async def check_upper_worker(fetch: Callable[..., Any]) -> None:
    """Exercise: 426 for plain requests; an upgrade gets a 101 whose end answers in capitals."""
    from cfws_playground import ClientClosed, HandshakeRejected, connect, dispatch_fetch

    try:
        plain = await dispatch_fetch(fetch, "http://worker.local/")
    except TypeError as exc:
        return _hint(f"fetch must return a Response for every request ({exc})")
    except Exception as exc:  # noqa: BLE001
        return _hint(f"a plain GET: {_raised(exc)}")
    if plain.status != 426 or plain.webSocket is not None:
        return _hint(f"a plain GET got status {plain.status}; answer it with "
                     "Response('Expected a WebSocket upgrade', status=426)")
    if not await plain.text():
        return _hint("the 426 response has no body: say what the client should do instead")
    try:
        client = await connect(fetch)
    except HandshakeRejected as exc:
        return _hint(f"an upgrade request was refused: {exc}. Return Response(None, status=101, "
                     "webSocket=client) with the client end of a new WebSocketPair")
    except Exception as exc:  # noqa: BLE001
        return _hint(f"an upgrade request: {_raised(exc)}")
    got = []
    try:
        async with client:
            for text in ("hello", "Ada"):
                await client.send(text)
                got.append(await asyncio.wait_for(client.recv(), 2))
    except TimeoutError:
        return _hint(f"the client got {got!r} and then nothing: did you accept() the server end and "
                     "add a message listener?")
    except ClientClosed as exc:
        return _hint(f"the connection closed ({exc.code}) after {got!r}; did a listener raise?")
    if got != ["HELLO", "ADA"]:
        return _hint(f"the client got {got!r}; expected ['HELLO', 'ADA']")
    _ok("426 for a plain request, and a WebSocket that answers in capitals")


async def _echo_worker(request: Any, env: Any, ctx: Any) -> Any:
    from cfws_playground import Response

    client, server = WebSocketPair()
    server.accept()
    server.addEventListener("message", lambda e: server.send(f"echo: {e.data}"))
    return Response(None, status=101, webSocket=client)


async def check_talk(talk: Callable[[str, list[str]], Awaitable[Any]]) -> None:
    """Exercise: a real ``websockets`` client that sends each message and collects each reply."""
    from cfws_playground import serve

    async with serve(_echo_worker) as server:
        try:
            got = await asyncio.wait_for(talk(server.url, ["one", "two", "three"]), 10)
        except TimeoutError:
            return _hint("talk() did not finish: receive exactly one reply per message you send")
        except Exception as exc:  # noqa: BLE001
            return _hint(_raised(exc))
        await settle()
        records = server.recorder.records
    if got is None:
        return _hint("talk(url, messages) returns nothing yet; return the list of replies")
    if list(got) != ["echo: one", "echo: two", "echo: three"]:
        return _hint(f"talk() returned {list(got)!r}; expected one reply per message, in order")
    if not any(r.kind == "net" and r.name == "close" for r in records):
        return _hint("the replies are right, but the client never closed the connection: "
                     "use `async with websockets.connect(url) as ws:`")
    _ok("a real client over TCP: three messages, three replies, then a clean close")


# ---------------------------------------------------------------- 08 capstone chat


def _named(name: str) -> Any:
    client, server = WebSocketPair()
    server.accept()
    server.serializeAttachment({"name": name})
    return server


def check_names(names: Callable[[Any], Any]) -> None:
    """Exercise: the sorted names of a room's sockets, read from their attachments."""
    sockets = {_named(n) for n in ("cy", "ada", "bob")}
    try:
        got = names(sockets)
        empty = names(set())
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    if got is None:
        return _hint("names(sockets) returns nothing yet; return a sorted list of names")
    if list(got) != ["ada", "bob", "cy"]:
        return _hint(f"names() returned {got!r}; expected ['ada', 'bob', 'cy']: read each name with "
                     "ws.deserializeAttachment()['name'] and sort them")
    if list(empty) != []:
        return _hint(f"an empty room gave {empty!r}; expected []")
    _ok("every name, read back from its socket's attachment, in order")


class _Room:
    """A reference chat room whose text messages go to ``on_text(room, ws, text)``."""

    def __init__(self, on_text: Callable[[Any, Any, str], Any]) -> None:
        self.sockets: dict[Any, None] = {}  # in the order they joined
        self.on_text = on_text
        self.errors: list[str] = []

    def broadcast(self, text: str, exclude: Any = None) -> None:
        for ws in list(self.sockets):
            if ws is not exclude and ws.readyState == 1:
                ws.send(text)

    async def fetch(self, request: Any, env: Any, ctx: Any) -> Any:
        from urllib.parse import parse_qs, urlsplit

        from cfws_playground import Response

        name = parse_qs(urlsplit(request.url).query).get("name", ["anonymous"])[0]
        client, server = WebSocketPair()
        server.accept()
        server.serializeAttachment({"name": name})
        self.sockets[server] = None

        def on_message(event: Any) -> None:
            try:
                self.on_text(self, server, event.data)
            except Exception as exc:
                self.errors.append(_raised(exc))
                raise

        server.addEventListener("message", on_message)
        server.addEventListener("close", lambda e: self.sockets.pop(server, None))
        return Response(None, status=101, webSocket=client)


async def check_who(on_text: Callable[[Any, Any, str], Any]) -> None:
    """Exercise: ``/who`` answers the sender alone; anything else goes to the others."""
    from cfws_playground import connect

    room = _Room(on_text)
    ada = await connect(room, "ws://chat.local/?name=ada")
    bob = await connect(room, "ws://chat.local/?name=bob")
    got: dict[str, list[Any]] = {"ada": [], "bob": []}

    async def read(name: str, client: Any) -> None:
        async for message in client:  # until the connection ends
            got[name].append(message)

    readers = [asyncio.ensure_future(read(n, c)) for n, c in (("ada", ada), ("bob", bob))]
    await ada.send("/who")
    await settle()
    await bob.send("hi")
    await settle()
    for client in (ada, bob):
        await client.close()
    await asyncio.gather(*readers)
    if room.errors:
        return _hint(room.errors[0])
    if got["ada"] == [] and got["bob"] == []:
        return _hint("nobody got anything: send the answer to /who with ws.send(...), and "
                     "room.broadcast(...) everything else")
    if got["ada"][:1] != ["* here: ada, bob"]:
        return _hint(f"after '/who' ada got {got['ada'][:1]!r}; expected ['* here: ada, bob'] "
                     "(use your names(room.sockets))")
    if "ada: /who" in got["bob"]:
        return _hint("bob saw ada's '/who': a command is answered, not broadcast")
    if got != {"ada": ["* here: ada, bob", "bob: hi"], "bob": []}:
        return _hint(f"the clients got {got!r}; other text goes to everyone else as 'name: text', "
                     "never back to the sender")
    _ok("'/who' answered the sender alone, and chat went to everyone else")


# ---------------------------------------------------------------- drawing


def ladder(rec: Recorder) -> str:
    """Draw ``rec``'s steps as a sequence diagram in text.

    The client end's column is on the left, the server end's on the right.
    A call sits in the column of the end that made it; an event arrives with
    an arrow pointing at the end that received it. The last column holds the
    readyState of client and server after the step.
    """
    def cut(text: str, n: int) -> str:
        return text if len(text) <= n else text[: n - 1] + "…"

    lines = [f"{'#':>3}  {'client':<34} {'':5} {'server':<34} states"]
    for r in rec.records:
        text, arrow = r.step, ""
        if r.kind == "event" and r.name in ("message", "close"):
            arrow = "──▶" if r.end == "server" else "◀──"
            if r.name == "close":
                code, reason, clean = r.args
                text = f"close {code} {reason!r}" + ("" if clean else " unclean")
            else:
                text = text.removeprefix("← ")
        elif r.kind == "event" and r.name == "error":
            text = f"error: {r.args[0]}"
        text = cut(text, 34)
        left, right = (text, "") if r.end == "client" else ("", text)
        lines.append(f"{r.seq:>3}  {left:<34} {arrow:^5} {right:<34} {r.client} {r.server}")
    return "\n".join(lines)


# ---------------------------------------------------------------- 10 check the kit


async def check_my_burst(scenario: Any) -> None:
    """Exercise 10.1: a scenario showing a burst delivered before an earlier setTimeout(0)."""
    from cfws_playground.fidelity import Scenario, ScenarioSyntaxError
    from cfws_playground.fidelity.kit import run_on_kit

    if scenario is None or scenario is ...:
        _hint("build a Scenario(name, about, steps) and assign it to `mine`.")
        return
    if not isinstance(scenario, Scenario):
        _hint(f"`mine` should be a Scenario, not {type(scenario).__name__}.")
        return
    try:
        ops = scenario.ops
    except ScenarioSyntaxError as exc:
        _hint(f"a step is not in the scenario language: {exc}")
        return
    rows = await run_on_kit(ops, "2026-11-17")
    messages = [i for i, r in enumerate(rows) if r.startswith("b message")]
    timer_set = next((i for i, op in enumerate(ops) if op["do"] == "timeout"), None)
    sends = [i for i, op in enumerate(ops) if op["do"] == "call" and (op["end"], op["name"]) == ("a", "send")]
    fired = next((i for i, r in enumerate(rows) if r.startswith("timeout") and r.endswith("ran")), None)
    if timer_set is None:
        _hint("add a timer before the sends: timeout(0, 'a.readyState').")
    elif len(sends) < 3:
        _hint(f"a should send three messages (it sends {len(sends)}).")
    elif timer_set > sends[0]:
        _hint("the timer must be set *before* the burst: that is what makes the order surprising.")
    elif len(messages) < 3:
        _hint(
            "b logs no messages: accept both ends and add 'watch' (or a listener on b) "
            f"before the sends. Your transcript: {rows}"
        )
    elif fired is None:
        _hint("the timer never ran: its steps must be inside timeout(0, ...).")
    elif not messages[2] < fired:
        _hint(f"in your transcript the timer ran before the third message: {rows}")
    else:
        _ok("three messages, then the timer, as workerd delivers them; now run it live below.")

