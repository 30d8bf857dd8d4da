"""Self-checks for the workshop exercises, and a drawing helper.

Each ``check_*`` coroutine runs your function on fresh pairs and prints one
line: ``✓ ...`` when it behaves as asked, or ``✗ Not yet: <hint>`` when it does
not. It never raises, so a half-finished exercise cannot stop the notebook.

    await check_greet(greet)

``ladder(rec)`` draws a recorder's steps as a sequence diagram in text.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from cfws_playground import Blob, MessageEvent, Recorder, WebSocketPair, compatibility, settle

__all__ = [
    "check_both_dates",
    "check_collect_early",
    "check_goodbye",
    "check_greet",
    "check_leaving",
    "check_my_burst",
    "check_names",
    "check_quiet_ping",
    "check_read_bytes",
    "check_safe_close_args",
    "check_safe_listener",
    "check_send_json",
    "check_talk",
    "check_tally",
    "check_upper_worker",
    "check_who",
    "install_check",
    "show_solution",
    "ladder",
]


def _ok(text: str) -> None:
    print(f"✓ {text}")


def _hint(text: str) -> None:
    print(f"✗ Not yet: {text}")


def _raised(exc: BaseException) -> str:
    return f"your code raised {type(exc).__name__}: {exc}"


class _Uncaught(logging.Handler):
    """Collects the runtime's "Uncaught ..." lines while a check runs a learner's Worker."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("Uncaught") and "Network connection lost" not in text:
            self.lines.append(text.split(" (in ")[0])

    def __enter__(self) -> _Uncaught:
        logger = logging.getLogger("cfws_playground")
        self._level = logger.level
        logger.addHandler(self)
        if logger.getEffectiveLevel() > logging.WARNING:
            logger.setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("cfws_playground")
        logger.removeHandler(self)
        logger.setLevel(self._level)


def show_solution(path: str) -> None:
    """Show a solution file under the cell, as code to read: nothing of it runs.

    Loading it into the cell (``%load``) would run it again on the next *Run All*, after the
    self-check, over the learner's own answer; shown, it never replaces anything."""
    import pathlib

    text = pathlib.Path(path).read_text(encoding="utf-8")
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None  # type: ignore[assignment]
    if get_ipython is None or get_ipython() is None:  # not in a notebook: plain text
        print(text)
        return
    display(Markdown(f"```python\n{text}```"))


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


def _accepted(rec: Recorder, end: str) -> bool:
    return any(r.kind == "call" and r.name == "accept" and r.end == end for r in rec.records)


def _errors(rec: Recorder, end: str) -> list[str]:
    """What raised on ``end``: its error events (except the harmless one that follows a
    clean close) and the exceptions the runtime only reported (a close listener's, since
    2026-09-15), as "Uncaught <class>: <text>"."""
    return [
        str(r.args[0])
        for r in rec.records
        if r.end == end
        and ((r.kind == "event" and r.name == "error") or (r.kind == "note" and r.name == "listener raised"))
        and "Network connection lost" not in r.args[0]
    ]


def _as_list(got: Any) -> list[Any] | None:
    try:
        return list(got)
    except TypeError:
        return None


async def check_greet(greet: Callable[[WebSocketPair], Awaitable[Any]]) -> None:
    """Exercise: the server end greets the client end; ``greet`` returns what the client got."""
    pair = WebSocketPair()
    rec = Recorder(pair)
    try:
        got = await greet(pair)
    except Exception as exc:  # noqa: BLE001 - a check reports, never raises
        return _hint(_raised(exc))
    if got is None:
        return _hint("greet(pair) returns nothing yet; return the list of messages the client received")
    at_return = _as_list(got)
    if at_return is None:
        return _hint(f"greet(pair) returned {got!r}; return a list")
    await settle()  # let what is still in flight arrive, to tell the causes apart
    sent = [r for r in rec.records if r.kind == "call" and r.name == "send"]
    if not sent:
        return _hint("nothing was sent; accept both ends, then call server.send('hello from server')")
    if any(r.end != "server" for r in sent):
        return _hint("only the server end (pair[1]) should send in this exercise")
    if not _accepted(rec, "client"):
        return _hint("the client end was never accepted, so the message waits for it: "
                     "call client.accept() too")
    if at_return == [] and list(got) == ["hello from server"]:
        return _hint("your list filled only after greet() returned: await settle() before returning, "
                     "so that the message is delivered first")
    delivered = any(r.kind == "event" and r.name == "message" and r.end == "client" for r in rec.records)
    if delivered and not list(got):
        return _hint("the client end received the message, but your list stayed empty: add the listener "
                     "to the client end (pair[0]), the end that receives")
    if at_return and all(hasattr(item, "data") for item in at_return):
        return _hint("your list holds event objects; append event.data, the message itself")
    if at_return != ["hello from server"]:
        return _hint(f"the client received {at_return!r}; expected ['hello from server']")
    _ok("the server end said hello, and the client end heard it")


# ---------------------------------------------------------------- 02 accept


class _Turns:
    """Whether the event loop got a turn between an end's accept() and its first addEventListener()."""

    def __init__(self) -> None:
        self.accepted = False
        self.turned = False
        self.awaited_between = False


def _watch_turns(ws: Any) -> _Turns:
    turns = _Turns()
    accept, add = ws.accept, ws.addEventListener

    def watched_accept(*args: Any, **kwargs: Any) -> Any:
        if not turns.accepted:
            turns.accepted = True
            asyncio.get_running_loop().call_soon(setattr, turns, "turned", True)
        return accept(*args, **kwargs)

    def watched_add(*args: Any, **kwargs: Any) -> Any:
        if turns.accepted and turns.turned:
            turns.awaited_between = True
        return add(*args, **kwargs)

    ws.accept, ws.addEventListener = watched_accept, watched_add
    return turns


async def check_collect_early(collect: Callable[[WebSocketPair], Awaitable[Any]]) -> None:
    """Exercise: the server receives every message, including those sent before it accepted."""
    pair = WebSocketPair()
    client, server = pair
    rec = Recorder(pair)
    client.accept()
    for text in ("a", "b", "c"):
        client.send(text)
    await settle()
    turns = _watch_turns(server)
    try:
        got = await collect(pair)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    if got is None:
        return _hint("collect(pair) returns nothing yet; return the list of texts the server received")
    if turns.awaited_between:
        return _hint("your code awaits between accept() and addEventListener(): the event loop ran there, "
                     "so a message can be dispatched before the listener exists (whether it is depends on "
                     "what the await waits for). Add the listener before accept(), or right after it with "
                     "no await in between")
    at_return = _as_list(got)
    if at_return is None:
        return _hint(f"collect(pair) returned {got!r}; return a list")
    client.send("d")
    await settle()
    after = list(got)
    if not _accepted(rec, "server"):
        return _hint("the server end was never accepted, so the messages are still waiting: "
                     "call server.accept()")
    if at_return[:3] != ["a", "b", "c"] and after[:3] == ["a", "b", "c"]:
        return _hint("the messages reached your list only after collect() returned: await settle() "
                     "before returning, so that they are delivered first")
    if after[:3] != ["a", "b", "c"]:
        delivered = sum(r.kind == "event" and r.name == "message" and r.end == "server" for r in rec.records)
        if delivered >= 3:
            return _hint(f"the server end received every message, but your list holds {after!r}: they were "
                         "delivered before your listener existed. Add the listener before accept(), with "
                         "no await in between")
        return _hint(f"the server received {after!r}; add the listener before accept(), "
                     "with no await in between, then await settle()")
    if after != ["a", "b", "c", "d"]:
        return _hint(f"the list holds {after!r} after one more send; return the very list "
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
        returned = send_json(client, value)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc) + "; json.dumps(value) turns a dict into text")
    await settle()
    if not got and returned is None:
        return _hint("send_json(ws, value) sends nothing yet: send one text message with ws.send(...)")
    if not got:
        return _hint(f"send_json returned {returned!r} but the server received nothing: "
                     "json.dumps(value) only makes the text, ws.send(...) sends it")
    if len(got) != 1:
        return _hint(f"the server received {len(got)} messages; send exactly one")
    if not isinstance(got[0], str):
        return _hint("the message arrived as binary; send the str that json.dumps returns")
    try:
        decoded = json.loads(got[0])
    except ValueError:
        return _hint(f"the server cannot parse {got[0]!r} as JSON; str() gives Python's form, "
                     "json.dumps(value) gives JSON")
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
            tip = "; a Blob's bytes come from `await data.arrayBuffer()`" if label == "a Blob" else ""
            return _hint(f"for {label}: {_raised(exc)}{tip}")
        if got is None:
            return _hint("read_bytes(event) returns nothing yet; return bytes")
        if inspect.iscoroutine(got):
            got.close()
            return _hint(f"for {label} you returned a coroutine, not bytes: `await` it "
                         "(`return await data.arrayBuffer()`)")
        if label == "text" and isinstance(got, str):
            return _hint(f"for text you returned the str {got!r}; encode it to bytes: data.encode('utf-8')")
        if label == "text" and isinstance(got, bytes) and got != expected:
            return _hint(f"for text you returned {got!r}; encode text as UTF-8: data.encode('utf-8')")
        if got != expected:
            tip = "; a Blob's bytes come from `await data.arrayBuffer()`" if label == "a Blob" else ""
            return _hint(f"for {label} you returned {got!r}, expected {expected!r}{tip}")
    _ok("str, bytes and Blob all become bytes")


# ---------------------------------------------------------------- 04 close


_SENDABLE = "1000-4999 except 1004, 1005, 1006 and 1015"


def check_safe_close_args(safe_close_args: Callable[[int, str], tuple[Any, ...]]) -> None:
    """Exercise: arguments for close() that never raise, echoing the peer when allowed."""
    cases = [
        ((1000, "bye"), (1000, "bye")),
        ((4001, "kicked"), (4001, "kicked")),
        ((1001, "going"), (1001, "going")),
        ((3000, "library"), (3000, "library")),
        ((4999, "last"), (4999, "last")),
        ((1005, ""), (1000, "")),
        ((1006, "WebSocket disconnected without sending Close frame."), (1000, "")),
        ((1015, ""), (1000, "")),
        ((1004, ""), (1000, "")),
        ((999, "low"), (1000, "")),
        ((5000, "high"), (1000, "")),
    ]
    for args, expected in cases:
        try:
            got = safe_close_args(*args)
        except Exception as exc:  # noqa: BLE001
            return _hint(f"safe_close_args{args}: {_raised(exc)}")
        if got is None:
            return _hint("safe_close_args(code, reason) returns nothing yet; return a (code, reason) tuple")
        as_tuple = tuple(got) if isinstance(got, (tuple, list)) else None
        if as_tuple is None or len(as_tuple) != 2:
            return _hint(f"safe_close_args{args} returned {got!r}; return a (code, reason) tuple")
        if as_tuple != expected:
            code = args[0]
            why = (f"close() accepts {code} ({_SENDABLE}): pass it on with its reason"
                   if expected == args else f"close() refuses {code}: answer with (1000, '') instead")
            return _hint(f"safe_close_args{args} returned {as_tuple!r}, expected {expected!r}; {why}")
    _ok("every close code gets a reply that close() accepts")


async def check_goodbye(install: Callable[[Any], Any]) -> None:
    """Exercise: in half-open mode, the server says goodbye, then closes with the client's code."""
    for close_args, expected, how in (
        ((4002, "done"), (4002, "done"), "with (4002, 'done')"),
        ((), (1000, ""), "without a code (the server sees 1005)"),
    ):
        pair = WebSocketPair()
        client, server = pair
        rec = Recorder(pair)
        client.accept()
        try:
            install(server)
        except Exception as exc:  # noqa: BLE001
            return _hint(_raised(exc))
        accepts = [r for r in rec.records if r.kind == "call" and r.name == "accept" and r.end == "server"]
        if not accepts:
            return _hint("install(server) should accept the server end, with allowHalfOpen=True")
        half_open = bool(accepts[0].args[0])
        got: list[Any] = []
        client.addEventListener("message", lambda e, got=got: got.append(e.data))
        client.addEventListener("close", lambda e, got=got: got.append((e.code, e.reason)))
        client.close(*close_args)
        await settle()
        errors = _errors(rec, "server")
        if errors:
            text = errors[0]
            if "Invalid WebSocket close code" in text:
                return _hint(f"when the client closed {how}, your close listener raised {text!r}: "
                             "close() refuses 1005 and 1006, so answer with "
                             "safe_close_args(event.code, event.reason)")
            if "after close()" in text and not half_open:
                return _hint(f"your close listener raised {text!r}: without allowHalfOpen=True the runtime "
                             "has already answered the Close, so the end cannot send any more. Accept with "
                             "server.accept(allowHalfOpen=True)")
            if "after close()" in text:
                return _hint(f"your close listener raised {text!r}: send the goodbye first, then close()")
            return _hint(f"when the client closed {how}, your close listener raised {text!r}")
        if not half_open:
            return _hint("accept the server end with allowHalfOpen=True, so that it can still send in its "
                         "close listener")
        if "goodbye" not in got:
            return _hint(f"when the client closed {how}, it saw {got!r} and no 'goodbye': send it in the "
                         "server's close listener, before close()")
        if len(got) == 1 or got[-1] != expected:
            answer = got[-1] if len(got) > 1 else "nothing"
            return _hint(f"when the client closed {how}, its Close was answered with {answer!r}; expected "
                         f"{expected!r}: close with safe_close_args(event.code, event.reason)")
        if got != ["goodbye", expected]:
            return _hint(f"the client saw {got!r}; expected ['goodbye', {expected!r}]")
    _ok("the server said goodbye, then finished the handshake with the client's code, even a missing one")


# ---------------------------------------------------------------- 05 errors


async def check_safe_listener(safe_listener: Callable[[Any], Callable[[Any], Any]]) -> None:
    """Exercise: a listener that answers bad JSON instead of raising."""
    pair = WebSocketPair()
    client, server = pair
    rec = Recorder(pair)
    client.accept()
    server.accept()
    try:
        listener = safe_listener(server)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    if listener is None:
        return _hint("safe_listener(ws) returned None, so no listener was added: return the listener "
                     "function itself (return on_message)")
    try:
        server.addEventListener("message", listener)
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    replies: list[Any] = []
    client.addEventListener("message", lambda e: replies.append(e.data))
    for text in ("not json", '{"a": 1}'):
        client.send(text)
    await settle()
    errors = _errors(rec, "server")
    if errors:
        text = errors[0]
        if "JSONDecodeError" in text or "ValueError" in text:
            why = "catch ValueError around json.loads inside the listener"
        elif "send() takes" in text:
            why = "send() takes text: reply with json.dumps({'ok': ...})"
        else:
            why = "catch what you can handle inside the listener"
        return _hint(f"your listener raised {text!r}, which errored the server end (readyState "
                     f"{server.readyState}): {why}")
    if not replies:
        return _hint("your listener ran and sent nothing: reply on ws with ws.send(json.dumps({'ok': ...})) "
                     "for every message")
    try:
        decoded = [json.loads(r) for r in replies]
    except (TypeError, ValueError):
        return _hint(f"the client got {replies!r}; reply with json.dumps({{'ok': ...}})")
    if decoded != [{"ok": False}, {"ok": True}]:
        return _hint(f"the client got {decoded!r}; expected [{{'ok': False}}, {{'ok': True}}]: one reply "
                     "per message, False for bad JSON and True for good")
    _ok("bad input got an answer, and the socket stayed open")


# ---------------------------------------------------------------- 07 compatibility dates


async def check_both_dates(serve: Callable[[Any], Any]) -> None:
    """Exercise: one server setup that gets bytes and finishes the close under both dates."""
    for date in ("2026-03-01", "2026-04-26"):
        for close_args, how in (((4001, "bye"), "with (4001, 'bye')"), ((), "without a code (1005)")):
            with compatibility(date=date):
                pair = WebSocketPair()
            client, server = pair
            rec = Recorder(pair)
            client.accept()
            try:
                got = serve(server)
            except Exception as exc:  # noqa: BLE001
                return _hint(f"at {date}: {_raised(exc)}")
            if got is None:
                return _hint("serve(server) returns nothing yet; return the list your listener fills")
            closes: list[tuple[int, str]] = []
            client.addEventListener("close", lambda e, closes=closes: closes.append((e.code, e.reason)))
            client.send(b"\x01\x02")
            client.close(*close_args)
            await settle()
            errors = _errors(rec, "server")
            if errors:
                text = errors[0]
                if "Invalid WebSocket close code" in text:
                    why = ("close() refuses 1005 and 1006, even where auto-reply ignores the call: answer "
                           "those with 1000 and an empty reason, as chapter 04's safe_close_args does "
                           "(copy it into this notebook, whose kernel is not chapter 04's)")
                elif "NameError" in text and "safe_close_args" in text:
                    why = ("safe_close_args is chapter 04's, and each chapter runs in a kernel of its own: "
                           "define it in this notebook, above serve(), or test for 1005 and 1006 yourself")
                elif "after close()" in text:
                    why = ("under auto-reply the server end is already CLOSED inside its close event, so "
                           "send() there throws: do not send in the close listener")
                else:
                    why = "a listener that raises errors its socket"
                return _hint(f"at {date}, when the client closed {how}, the server raised {text!r}: {why}")
            if server.readyState == 2 and client.readyState == 2:
                return _hint(f"at {date} both ends hang in CLOSING: answer the Close in a close "
                             "listener with server.close(...)")
            if list(got) != [b"\x01\x02"]:
                return _hint(f"at {date} your listener collected {list(got)!r}; expected [b'\\x01\\x02']. "
                             "Set binaryType before accept()")
            if close_args and closes and closes[0] != close_args:
                return _hint(f"at {date} the client's Close {close_args!r} was answered with {closes[0]!r}: "
                             "answer with the code and reason you received")
            if client.readyState != 3 or server.readyState != 3:
                return _hint(f"at {date} the ends finished in readyStates {client.readyState} and "
                             f"{server.readyState}; both should reach 3 CLOSED")
    _ok("the same code works at 2026-03-01 and at 2026-04-26, with and without a close code")


# ---------------------------------------------------------------- 06 real clients


async def check_upper_worker(fetch: Callable[..., Any]) -> None:
    """Exercise: 426 for plain requests; an upgrade gets a 101 whose end answers in capitals."""
    from cfws_playground import ClientClosed, HandshakeRejected, connect, dispatch_fetch

    try:
        plain = await dispatch_fetch(fetch, "http://worker.local/")
    except TypeError as exc:
        if "did not resolve to 'Response'" in str(exc):
            return _hint("your fetch returned no Response for a plain GET (it returned None): return one for "
                         "every request, such as Response('Expected a WebSocket upgrade', status=426)")
        return _hint(f"a plain GET: {_raised(exc)}")
    except Exception as exc:  # noqa: BLE001
        return _hint(f"a plain GET: {_raised(exc)}")
    if plain.status != 426 or plain.webSocket is not None:
        return _hint(f"a plain GET got status {plain.status}; answer it with "
                     "Response('Expected a WebSocket upgrade', status=426)")
    if not await plain.text():
        return _hint("the 426 response has no body: say what the client should do instead")
    try:
        client = await connect(fetch)
    except TypeError as exc:
        if "did not resolve to 'Response'" in str(exc):
            return _hint("your fetch returned no Response for an upgrade request: return Response(None, "
                         "status=101, webSocket=client) with the client end of a new WebSocketPair")
        return _hint(f"an upgrade request: {_raised(exc)}")
    except HandshakeRejected as exc:
        return _hint(f"an upgrade request was refused: {exc}. Return Response(None, status=101, "
                     "webSocket=client) with the client end of a new WebSocketPair")
    except Exception as exc:  # noqa: BLE001
        return _hint(f"an upgrade request: {_raised(exc)}")
    client.close_timeout = 1  # a Worker that never accepted never answers the Close: do not wait 10 s
    got = []
    with _Uncaught() as uncaught:
        try:
            async with client:
                for text in ("hello", "Ada"):
                    await client.send(text)
                    got.append(await asyncio.wait_for(client.recv(), 2))
        except TimeoutError:
            if uncaught.lines:
                return _hint(f"the client got {got!r} and then nothing: your listener raised "
                             f"{uncaught.lines[0]!r}")
            return _hint(f"the client got {got!r} and then nothing: did you accept() the server end and "
                         "add a message listener?")
        except ClientClosed as exc:
            if uncaught.lines:
                why = uncaught.lines[0]
                if "not a valid message" in why or "method" in why or "function" in why:
                    why += " (did you send a method without calling it, such as .upper instead of .upper()?)"
                return _hint(f"the connection closed ({exc.code}) after {got!r}: your listener raised {why}")
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


class _NestedRunError(RuntimeError):
    """asyncio.run() was called inside a running event loop."""


def _refuse_asyncio_run(main: Any, **kwargs: Any) -> Any:
    if inspect.iscoroutine(main):
        main.close()  # never awaited, on purpose: no "never awaited" warning
    raise _NestedRunError("asyncio.run() cannot be called from a running event loop")


async def check_talk(talk: Callable[[str, list[str]], Awaitable[Any]]) -> None:
    """Exercise: a real ``websockets`` client that sends each message and collects each reply."""
    from cfws_playground import serve

    async with serve(_echo_worker) as server:
        # asyncio.run() inside a coroutine fails in a .py file; a patched notebook loop would let
        # it through, so it is refused here whatever the kernel allows.
        real_run = asyncio.run
        asyncio.run = _refuse_asyncio_run  # type: ignore[assignment]
        try:
            got = await asyncio.wait_for(talk(server.url, ["one", "two", "three"]), 10)
        except _NestedRunError:
            return _hint("talk() called asyncio.run(): inside an async def, `await` the coroutine instead. "
                         "asyncio.run() starts an event loop, which only the top of a script does")
        except TimeoutError:
            return _hint("talk() did not finish: receive exactly one reply per message you send")
        except Exception as exc:  # noqa: BLE001
            return _hint(_raised(exc))
        finally:
            asyncio.run = real_run
        await settle()
        records = server.recorder.records
    if got is None:
        return _hint("talk(url, messages) returns nothing yet; return the list of replies")
    if inspect.iscoroutine(got):
        got.close()
        return _hint("talk() returned a coroutine: `await` what you call inside it, and return the list")
    pending = [r for r in got if inspect.iscoroutine(r)]
    if pending:
        for coroutine in pending:
            coroutine.close()
        return _hint("talk() returned coroutines, not replies: ws.recv() gives something to wait for, "
                     "so append `await ws.recv()`")
    if list(got) != ["echo: one", "echo: two", "echo: three"]:
        return _hint(f"talk() returned {list(got)!r}; expected one reply per message, in order")
    if not any(r.kind == "net" and r.name == "close" for r in records):
        return _hint("the replies are right, but the client never closed the connection: "
                     "use `async with websockets.connect(url) as ws:`")
    _ok("a real client over TCP: three messages, three replies, then a clean close")


# ---------------------------------------------------------------- Durable Objects for 08 and 09


def _lobby(cls: type, python: bool = False) -> tuple[Any, Any, Any]:
    """A namespace of ``cls`` that sleeps only when told to, a Worker sending everything to its
    "lobby" object, and the env: ``(namespace, worker, env)``. ``python``: ``cls`` sees its
    sockets as Python Workers code does (JsProxy objects) even when it is not the SDK's class."""
    import types

    from cfws_playground import pyworkers

    async def worker(request: Any, env: Any, ctx: Any) -> Any:
        return await env.ROOM.getByName("lobby").fetch(request)

    env = types.SimpleNamespace()
    env.ROOM = pyworkers.binding(cls, env, hibernate_after=None, python=python)
    return env.ROOM, worker, env


async def _replies(client: Any) -> list[Any]:
    """Every message that reached ``client`` once nothing more is on its way."""
    await settle()
    got = []
    while True:
        try:
            got.append(await asyncio.wait_for(client.recv(), 0.05))
        except Exception:  # noqa: BLE001 - a timeout, or the connection ended: nothing more
            return got


def _handler_errors(ns: Any) -> list[str]:
    return [text for host in ns.hosts for name, text in host.history if name == "handler raised"]


async def _join(worker: Any, env: Any, name: str) -> Any:
    from cfws_playground import connect

    return await connect(worker, f"ws://do.local/?name={name}", env=env)


# ---------------------------------------------------------------- 08 capstone chat


def _named(name: str) -> Any:
    """A socket of the Python Workers dialect (a JsProxy) whose attachment is ``name``."""
    from cfws_playground.pyworkers import js

    client, server = js.WebSocketPair.new().object_values()
    server.accept()
    server.serializeAttachment(name)
    return server


def check_names(names: Callable[[Any], Any]) -> None:
    """Exercise: the sorted names of a room's sockets, read from their attachments."""
    sockets = [_named(n) for n in ("cy", "ada", "bob")]  # in the order they joined, not sorted
    try:
        got = names(sockets)
        empty = names(set())
        twice = names([*sockets, _named("ada")])  # ada in two tabs: two sockets, one name
    except AttributeError as exc:
        if "'list' object" in str(exc) or "'set' object" in str(exc):
            return _hint(f"{_raised(exc)}; sockets is a list of sockets, like getWebSockets() returns, "
                         "not a dict: loop over it with `for ws in sockets`")
        return _hint(f"{_raised(exc)}; a socket keeps the name in its attachment: "
                     "ws.deserializeAttachment()")
    except TypeError as exc:
        if "not subscriptable" in str(exc) or "string indices" in str(exc):
            return _hint(f"{_raised(exc)}: the attachment is the name itself, a str; read it with "
                         "ws.deserializeAttachment()")
        return _hint(_raised(exc))
    except Exception as exc:  # noqa: BLE001
        return _hint(_raised(exc))
    if got is None:
        return _hint("names(sockets) returns nothing yet; return a sorted list of names")
    if isinstance(got, str) or not isinstance(got, (list, tuple)):
        return _hint(f"names() returned {got!r}; return a list of names, such as sorted(...)")
    if sorted(got) == ["ada", "bob", "cy"] and list(got) != ["ada", "bob", "cy"]:
        return _hint(f"names() returned {list(got)!r}: the right names, in the wrong order. Sort them "
                     "with sorted(...)")
    if list(got) != ["ada", "bob", "cy"]:
        return _hint(f"names() returned {got!r}; expected ['ada', 'bob', 'cy']: read each name with "
                     "ws.deserializeAttachment() and sort them")
    if list(empty) != []:
        return _hint(f"an empty room gave {empty!r}; expected []")
    if list(twice) == ["ada", "bob", "cy"]:
        return _hint("with ada connected twice you returned ['ada', 'bob', 'cy']: one name per socket, so a "
                     "name used twice is listed twice (sorted(set(...)) drops it)")
    if list(twice) != ["ada", "ada", "bob", "cy"]:
        return _hint(f"with ada connected twice you returned {twice!r}; expected ['ada', 'ada', 'bob', 'cy']")
    _ok("every name, read back from its socket's attachment, in order")


class _WhoRoom:
    """A reference chat room (a Durable Object of the Python Workers dialect, as the chapter's) whose
    text messages go to ``on_text(room, ws, text)``."""

    on_text: Callable[[Any, Any, str], Any]

    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx
        self.env = env

    def name(self, ws: Any) -> str:
        """A socket's name, as the chapter's rooms read it."""
        return str(ws.deserializeAttachment())

    def broadcast(self, text: str, exclude: Any = None) -> None:
        for ws in self.ctx.getWebSockets():
            if ws != exclude and ws.readyState == 1:
                ws.send(text)

    async def fetch(self, request: Any) -> Any:
        from urllib.parse import parse_qs, urlsplit

        from cfws_playground.pyworkers import js
        from cfws_playground.pyworkers.ffi import to_js

        name = parse_qs(urlsplit(request.url).query).get("name", ["anonymous"])[0]
        client, server = js.WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server, to_js(["member"]))
        server.serializeAttachment(name)
        return js.Response.new(None, status=101, webSocket=client)

    never_awaited = False

    async def webSocketMessage(self, ws: Any, message: Any) -> None:  # noqa: N802 - the runtime calls it so
        result = type(self).on_text(self, ws, message)
        if inspect.iscoroutine(result):  # the chapter's rooms call on_text without await
            result.close()
            type(self).never_awaited = True

    async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:  # noqa: N802
        ws.close(1000, "")


async def check_who(on_text: Callable[[Any, Any, str], Any]) -> None:
    """Exercise: ``/who`` answers the sender alone; anything else goes to the others."""
    room = type("Room", (_WhoRoom,), {"on_text": staticmethod(on_text)})
    ns, worker, env = _lobby(room, python=True)
    ada = await _join(worker, env, "ada")
    bob = await _join(worker, env, "bob")
    await ada.send("/who")
    got = {"ada": await _replies(ada), "bob": await _replies(bob)}
    await bob.send("hi")
    got["ada"] += await _replies(ada)
    got["bob"] += await _replies(bob)
    for client in (ada, bob):
        await client.close()
    errors = _handler_errors(ns)
    if errors and "attribute 'sockets'" in errors[0]:
        return _hint(f"your on_text raised: {errors[0]}. A room that hibernates keeps no collection of "
                     "its sockets: ask the runtime, room.ctx.getWebSockets()")
    if errors:
        return _hint(f"your on_text raised: {errors[0]}")
    if room.never_awaited:
        return _hint("your on_text is an async def, and the room calls it as the chapter's rooms do, "
                     "without await: the coroutine was made and never ran. Make it a plain def (it "
                     "needs no await: send() and broadcast() do not wait)")
    if got["ada"] == [] and got["bob"] == []:
        return _hint("nobody got anything: send the answer to /who with ws.send(...), and "
                     "room.broadcast(...) everything else")
    if "ada: /who" in got["bob"]:
        return _hint("bob saw ada's '/who': a command is answered, not broadcast")
    if any(m.startswith("* here") for m in got["bob"]):
        return _hint("bob got the answer to ada's '/who' too: answer the sender alone, with ws.send(...), "
                     "not room.broadcast(...)")
    if got["ada"][:1] != ["* here: ada, bob"]:
        return _hint(f"after '/who' ada got {got['ada'][:1]!r}; expected ['* here: ada, bob'] "
                     "(use your names(room.ctx.getWebSockets()))")
    if "bob: hi" in got["bob"]:
        return _hint(f"bob got his own 'bob: hi' back ({got!r}): chat goes to everyone else, never back to "
                     "the sender. A socket is a new JsProxy each time it reaches Python, so `w is not ws` "
                     "is true for the sender too: compare sockets with != "
                     "(room.broadcast(text, exclude=ws) does)")
    if got != {"ada": ["* here: ada, bob", "bob: hi"], "bob": []}:
        return _hint(f"the clients got {got!r}; other text goes to everyone else as 'name: text', "
                     "never back to the sender")
    _ok("'/who' answered the sender alone, and chat went to everyone else")


async def check_leaving(cls: type) -> None:
    """Exercise 08.3: a member who leaves is told to the others with a head count, and the Close is
    answered with a code close() accepts, even after the room hibernated."""
    from cfws_playground.durable import HibernationBlockedError, hibernate

    if not isinstance(cls, type):
        return _hint(f"pass the class itself (Leaving), not {cls!r}")
    ns, worker, env = _lobby(cls)
    try:
        ada, bob, cy = [await _join(worker, env, name) for name in ("ada", "bob", "cy")]
    except Exception as exc:  # noqa: BLE001
        return _hint(f"connecting: {_raised(exc)}")
    for client in (ada, bob, cy):
        await _replies(client)  # the welcomes and the joins: not what this exercise is about
        client.close_timeout = 0.5  # a Close nobody answers: give up soon, not after 10 s
    try:
        await hibernate(ns.getByName("lobby"))
    except HibernationBlockedError as exc:
        return _hint(f"the room could not hibernate: {'; '.join(exc.reasons)}")
    await bob.close(4000, "bye")
    got = {"ada": await _replies(ada), "bob": await _replies(bob), "cy": await _replies(cy)}
    await cy.close(None)  # an empty Close frame: the room sees 1005
    got["ada"] += await _replies(ada)
    errors = _handler_errors(ns)
    answers = {"bob": (bob.close_code, bob.close_reason), "cy": (cy.close_code, cy.close_reason)}
    ada.abort()  # done: no need to wait for an answer that a broken room may never send
    for text in errors:
        if "Invalid WebSocket close code" in text:
            return _hint(f"your webSocketClose raised {text!r}: close() refuses 1005 and 1006, the codes "
                         "a client's Close may arrive with. Answer those with 1000 (chapter 04's "
                         "safe_close_args)")
        if "after close()" in text:
            return _hint(f"your webSocketClose raised {text!r}: the broadcast reached the socket you had "
                         "just closed, which getWebSockets() still lists. Leave it out: exclude=ws")
        if "AttributeError" in text or "KeyError" in text:
            return _hint(f"your webSocketClose raised {text!r} after the room hibernated: __init__ ran "
                         "again and every field on self is gone. Count with self.ctx.getWebSockets(), and "
                         "read names from the attachments")
    if errors:
        return _hint(f"your webSocketClose raised {errors[0]!r}")
    if answers["bob"][0] == 1006:
        return _hint("bob's Close was never answered, so his client gave up and reports 1006: the runtime "
                     "sends no automatic reply to a hibernatable socket. Call ws.close(...) in "
                     "webSocketClose")
    if any("bob left" in m for m in got["bob"]):
        return _hint(f"bob got {got['bob']!r}: the member who leaves was sent his own leave message, on a "
                     "socket that is closing. Leave it out: exclude=ws")
    if answers["bob"] != (4000, "bye"):
        return _hint(f"bob closed with 4000 'bye' and his Close was answered with {answers['bob']!r}: answer "
                     "with the code and reason the client sent, when close() accepts them")
    if answers["cy"][0] != 1000:
        return _hint(f"cy closed without a code (1005) and got {answers['cy']!r}; answer such a Close "
                     "with 1000")
    bob_left = [m for m in got["ada"] if "bob left" in m]
    if not bob_left or not any("bob left" in m for m in got["cy"]):
        return _hint(f"ada got {got['ada']!r} and cy {got['cy']!r}: tell the others who left, with "
                     "self.broadcast(f\"* {self.name(ws)} left (N here)\", exclude=ws)")
    if bob_left[0] == "* bob left (3 here)":
        return _hint("ada got '* bob left (3 here)': getWebSockets() still lists the socket that is leaving "
                     "while webSocketClose runs. Count the others: those that are not ws and still OPEN")
    if got["ada"] != ["* bob left (2 here)", "* cy left (1 here)"] or got["cy"] != ["* bob left (2 here)"]:
        return _hint(f"ada got {got['ada']!r} and cy {got['cy']!r}; expected ['* bob left (2 here)', "
                     "'* cy left (1 here)'] and ['* bob left (2 here)']. The room hibernated before bob "
                     "left: "
                     "a count kept on self starts again, so count with self.ctx.getWebSockets()")
    _ok("the others heard who left and how many are here, and every Close got an answer, "
        "after hibernation too")


# ---------------------------------------------------------------- 09 Durable Objects and hibernation


async def check_tally(cls: type) -> None:
    """Exercise 09.1: each socket's messages are numbered, and the count survives hibernation."""
    from cfws_playground.durable import HibernationBlockedError, hibernate

    if not isinstance(cls, type):
        return _hint(f"pass the class itself (Tally), not {cls!r}")
    ns, worker, env = _lobby(cls)
    try:
        ada = await _join(worker, env, "ada")
        bob = await _join(worker, env, "bob")
    except Exception as exc:  # noqa: BLE001
        if "DataCloneError" in str(exc):
            return _hint(f"connecting: {_raised(exc)}. A Python dict cannot be an attachment: it does not "
                         "cross into JavaScript. Store a number, ws.serializeAttachment(0)")
        return _hint(f"connecting: {_raised(exc)}")
    before: list[Any] = []
    reads: list[int] = []
    with _counting_reads(reads):
        for text in ("x", "y"):
            await ada.send(text)
            before += await _replies(ada)
    try:
        await hibernate(ns.getByName("lobby"))
    except HibernationBlockedError as exc:
        return _hint(f"the object could not hibernate: {'; '.join(exc.reasons)}")
    await ada.send("z")
    after = await _replies(ada)
    await bob.send("w")
    bobs = await _replies(bob)
    after += await _replies(ada)
    errors = _handler_errors(ns)
    got = before + after
    if errors and "unhashable" in errors[0]:
        return _hint(f"your webSocketMessage raised: {errors[0]}. A socket is a JsProxy, which cannot be a "
                     "dict key, and a dict on self is gone after hibernation anyway: Keep the count in the "
                     "socket's attachment")
    if errors and ("'coroutine'" in errors[0] or "Promise" in errors[0]):
        return _hint(f"your webSocketMessage raised: {errors[0]}. self.ctx.storage.get(...) and put(...) "
                     "return something to wait for: await them, as in `await self.ctx.storage.get(key)`")
    if errors:
        return _hint(f"your webSocketMessage raised: {errors[0]}")
    if not got and not bobs:
        return _hint("nobody got a reply: in webSocketMessage, answer the sender with ws.send(...)")
    if len(before) > 2 or any(m in bobs for m in got):
        return _hint(f"ada got {got!r} and bob {bobs!r}: answer the sender alone, with ws.send(...)")
    if before == ["#1 x", "#1 y"] and not reads:
        return _hint("ada's second message got #1 again, and your code never read the socket's attachment. "
                     "Each call gets a new proxy for the socket, so a count kept by `id(ws)` or by the "
                     "socket itself is never found again (and fields on self are gone after hibernation): "
                     "keep the count in the attachment, n = ws.deserializeAttachment() + 1, and store it "
                     "with ws.serializeAttachment(n)")
    if before == ["#1 x", "#1 y"]:
        return _hint("ada's second message got #1 again: deserializeAttachment() returns a copy, so "
                     "changing it changes nothing on the socket. Store the new count with "
                     "ws.serializeAttachment(...)")
    if before == ["#0 x", "#1 y"]:
        return _hint("ada's first message got #0: add one to the count before you reply")
    if before == ["#1 x", "#2 y"] and after == ["#1 z"]:
        return _hint("after hibernation ada's count started again at 1: __init__ ran again and every "
                     "field on self is gone. Keep the count in the socket's attachment")
    if got == ["#1 x", "#2 y", "#3 z"] and bobs and bobs != ["#1 w"]:
        return _hint(f"bob's first message got {bobs[0]!r}: one count for the whole object. Count each "
                     "socket's messages in its own attachment")
    if got != ["#1 x", "#2 y", "#3 z"] or bobs != ["#1 w"]:
        return _hint(f"ada got {got!r} and bob {bobs!r}; expected ['#1 x', '#2 y', '#3 z'] and ['#1 w']")
    _ok("each socket counts its own messages, and the count outlived hibernation")


@contextlib.contextmanager
def _counting_reads(reads: list[int]) -> Iterator[None]:
    """Note each deserializeAttachment() the learner's object makes while the block runs."""
    from cfws_playground import WebSocket

    original = WebSocket.deserializeAttachment

    def counted(self: Any) -> Any:
        reads.append(1)
        return original(self)

    WebSocket.deserializeAttachment = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        WebSocket.deserializeAttachment = original  # type: ignore[method-assign]


@contextlib.contextmanager
def _watch_auto_response(passed: list[type]) -> Iterator[None]:
    """Note the type of what the learner's object passes to setWebSocketAutoResponse()."""
    from cfws_playground.durable.state import DurableObjectState

    original = DurableObjectState.setWebSocketAutoResponse

    def watched(self: Any, *args: Any) -> Any:
        passed.extend(type(a) for a in args)
        return original(self, *args)

    DurableObjectState.setWebSocketAutoResponse = watched  # type: ignore[method-assign]
    try:
        yield
    finally:
        DurableObjectState.setWebSocketAutoResponse = original  # type: ignore[method-assign]


async def check_quiet_ping(cls: type) -> None:
    """Exercise 09.2: "ping" is answered with "pong" while the object hibernates, without waking it."""
    from cfws_playground.durable import HibernationBlockedError, hibernate, snapshot

    if not isinstance(cls, type):
        return _hint(f"pass the class itself (Quiet), not {cls!r}")
    ns, worker, env = _lobby(cls)
    passed: list[type] = []
    try:
        with _watch_auto_response(passed):
            ada = await _join(worker, env, "ada")
    except Exception as exc:  # noqa: BLE001
        text = _raised(exc)
        seen = text.replace("\\'", "'")  # a PythonError's traceback, quoted inside the rejection
        if "Please use the 'new' operator" in seen:
            # The rejection quotes the whole traceback; the learner needs its last line only.
            return _hint("your code called WebSocketRequestResponsePair(...), and JavaScript refused: "
                         "\"Please use the 'new' operator, this object constructor cannot be called as a "
                         "function.\" A JavaScript class is made with .new() in Python Workers: "
                         "WebSocketRequestResponsePair.new('ping', 'pong')")
        if "not of type 'WebSocketRequestResponsePair'" in seen or "tuple" in seen:
            what = f"a {passed[-1].__name__}" if passed else "something else"
            return _hint(f"{text}: you passed {what}. setWebSocketAutoResponse takes one "
                         "WebSocketRequestResponsePair, made with "
                         "WebSocketRequestResponsePair.new('ping', 'pong')")
        return _hint(f"connecting: {text}")
    await ada.send("hello")
    first = await _replies(ada)
    try:
        await hibernate(ns.getByName("lobby"))
    except HibernationBlockedError as exc:
        return _hint(f"the object could not hibernate: {'; '.join(exc.reasons)}")
    built = ns.hosts[0].constructed
    await ada.send("ping")
    pongs = await _replies(ada)
    view = snapshot(ns)[0]
    errors = _handler_errors(ns)
    if errors:
        return _hint(f"your object raised: {errors[0]}")
    if first != ["you said hello"]:
        return _hint(f"'hello' got {first!r}; keep webSocketMessage as it was: it answers 'you said hello'")
    if pongs == ["you said ping"]:
        if ns.hosts[0].auto_response is not None:
            pair = ns.hosts[0].auto_response
            if pair[1] == "ping":
                return _hint(f"'ping' went to webSocketMessage: your pair answers {pair[0]!r}, not 'ping'. "
                             "The request comes first: WebSocketRequestResponsePair.new('ping', 'pong')")
            return _hint(f"'ping' went to webSocketMessage: your pair answers {pair[0]!r}, and only a "
                         "message "
                         "equal to the request, character for character, is answered: "
                         "WebSocketRequestResponsePair.new('ping', 'pong')")
        return _hint("'ping' woke the object and went to webSocketMessage: in __init__, call "
                     "self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new('ping', 'pong'))")
    if pongs != ["pong"]:
        return _hint(f"'ping' got {pongs!r}; expected ['pong']")
    if view.awake or view.constructed != built:
        return _hint("ada got 'pong', but the object woke up to send it (__init__ ran again): "
                     "webSocketMessage answered. With ctx.setWebSocketAutoResponse(...) the runtime answers "
                     "while the object sleeps")
    _ok("'ping' got 'pong' while the object slept; it never woke")


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
    elif ops[timer_set]["ms"] != 0:
        _hint(f"your timer waits {ops[timer_set]['ms']} ms: with any delay it would run after the burst "
              "anyway. Use timeout(0, ...): even a timer that is due at once runs after the three messages.")
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

