"""The Python Workers dialect behaves as Pyodide 0.28 inside workerd does.

Each expectation was measured with stock Pyodide 0.28.2 in workerd 1.20261123.1
(compatibility dates 2025-01-16 and 2026-11-17, the same results at both unless said).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cfws_playground import settle
from cfws_playground.pyworkers import dialect


@pytest.fixture
def py() -> Iterator[Any]:
    """``js`` and ``pyodide.ffi`` as Python Workers code imports them."""
    import importlib

    with dialect():
        js = importlib.import_module("js")
        ffi = importlib.import_module("pyodide.ffi")
        yield type("Py", (), {"js": js, "ffi": ffi})


def pair(py: Any) -> tuple[Any, Any]:
    client, server = py.js.WebSocketPair.new().object_values()
    server.accept()
    client.accept()
    return client, server


@pytest.mark.parametrize("name", ["WebSocketPair", "Response", "Headers", "URL"])
def test_a_js_class_called_without_new_raises_js_type_error(py: Any, name: str) -> None:
    with pytest.raises(py.ffi.JsException) as caught:
        getattr(py.js, name)()
    assert caught.value.name == "TypeError"
    assert str(caught.value) == (
        f"TypeError: Failed to construct '{name}': Please use the 'new' operator, "
        "this object constructor cannot be called as a function."
    )


def test_request_response_pair_needs_new_too(py: Any) -> None:
    with pytest.raises(py.ffi.JsException, match="Failed to construct 'WebSocketRequestResponsePair'"):
        py.js.WebSocketRequestResponsePair("ping", "pong")
    made = py.js.WebSocketRequestResponsePair.new("ping", "pong")
    assert (made.request, made.response) == ("ping", "pong")


def test_the_pair_is_a_jsproxy_that_is_not_subscriptable(py: Any) -> None:
    p = py.js.WebSocketPair.new()
    assert isinstance(p, py.ffi.JsProxy)
    assert repr(type(p)) == "<class 'pyodide.ffi.JsProxy'>"
    with pytest.raises(TypeError, match=r"^'pyodide.ffi.JsProxy' object is not subscriptable$"):
        p[0]
    with pytest.raises(TypeError, match="has no len"):
        len(p)
    client, server = p.object_values()
    again = py.js.Object.values(p)
    assert client == again[0] and server == again[1] and client != server
    assert client is not again[0]  # a new proxy each time the socket crosses
    assert py.js.Object.keys(p) == ["0", "1"]
    assert len(list(p)) == 2  # iterating the pair gives both ends


def test_a_socket_proxy_is_unhashable_and_reads_js_attributes(py: Any) -> None:
    client, _server = py.js.WebSocketPair.new().object_values()
    with pytest.raises(TypeError, match="unhashable"):
        {client}  # noqa: B018
    assert client.url is py.ffi.jsnull
    assert (client.readyState, client.protocol, client.extensions) == (1, "", "")
    with pytest.raises(AttributeError, match="^nosuch$"):
        client.nosuch  # noqa: B018


async def test_a_listener_without_create_proxy_never_runs_and_errors_the_socket(
    py: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfws_playground.pyworkers import jsproxy

    monkeypatch.setattr(jsproxy, "_hinted", False)
    client, server = pair(py)
    log: list[str] = []
    server.addEventListener("error", py.ffi.create_proxy(lambda e: log.append(f"error: {e.message}")))
    client.addEventListener("close", py.ffi.create_proxy(lambda e: log.append(f"client close {e.code}")))
    server.addEventListener("message", lambda e: log.append("bare ran"))
    server.addEventListener("message", py.ffi.create_proxy(lambda e: log.append(f"kept {e.data}")))
    client.send("a")
    await settle()
    assert "bare ran" not in log
    assert "kept a" in log  # from 2026-09-15 the other listeners still run
    assert any(
        line.startswith(
            "error: Uncaught Error: This borrowed proxy was automatically destroyed at the end "
            "of a function call. Try using create_proxy or create_once_callable."
        )
        for line in log
    )
    assert "client close 1006" in log
    assert (server.readyState, client.readyState) == (3, 2)
    other_client, other_server = pair(py)
    other_server.addEventListener("message", lambda e: None)
    other_client.send("b")
    await settle()
    hints = [line for line in capsys.readouterr().err.splitlines() if "without create_proxy()" in line]
    assert len(hints) == 1, "the kit's explanation is printed once"
    assert "create_proxy(fn)" in hints[0] and "This borrowed proxy was automatically destroyed" in hints[0]


async def test_an_on_attribute_keeps_a_plain_function(py: Any) -> None:
    client, server = pair(py)
    got: list[str] = []

    def on_message(e: Any) -> None:
        got.append(e.data)

    server.onmessage = on_message
    client.send("a")
    client.send("b")
    await settle()
    assert got == ["a", "b"]
    assert server.onmessage is on_message


async def test_create_once_callable_runs_once_then_errors(py: Any) -> None:
    client, server = pair(py)
    log: list[str] = []
    server.addEventListener("error", py.ffi.create_proxy(lambda e: log.append(e.message)))
    server.addEventListener("message", py.ffi.create_once_callable(lambda e: log.append(f"once {e.data}")))
    client.send("a")
    client.send("b")
    await settle()
    assert log == ["once a", "Uncaught Error: OnceProxy can only be called once"]
    assert server.readyState == 3


async def test_a_destroyed_proxy_raises_from_python_and_from_the_runtime(py: Any) -> None:
    client, server = pair(py)
    log: list[str] = []
    proxy = py.ffi.create_proxy(lambda e: log.append("ran"))
    server.addEventListener("error", py.ffi.create_proxy(lambda e: log.append(e.message.splitlines()[0])))
    server.addEventListener("message", proxy)
    proxy.destroy()
    with pytest.raises(py.ffi.JsException, match="^Error: Object has already been destroyed"):
        proxy(1)
    client.send("a")
    await settle()
    assert log == ["Uncaught Error: Object has already been destroyed"]


async def test_proxies_kept_in_a_list_and_handle_event_objects_run(py: Any) -> None:
    client, server = pair(py)
    log: list[str] = []
    keep = [py.ffi.create_proxy(lambda e, i=i: log.append(f"kept {i} {e.data}")) for i in range(2)]
    for k in keep:
        server.addEventListener("message", k)

    class Handler:
        def handleEvent(self, e: Any) -> None:  # noqa: N802 - the DOM's name
            log.append(f"handleEvent {e.data}")

    server.addEventListener("message", py.ffi.create_proxy(Handler()))
    server.removeEventListener("message", keep[1])
    client.send("a")
    await settle()
    assert log == ["kept 0 a", "handleEvent a"]


async def test_a_bare_handle_event_object_is_a_destroyed_attribute_proxy(py: Any) -> None:
    client, server = pair(py)
    log: list[str] = []
    server.addEventListener("error", py.ffi.create_proxy(lambda e: log.append(e.message.splitlines()[0])))

    class Handler:
        def handleEvent(self, e: Any) -> None:  # noqa: N802
            log.append("ran")

    server.addEventListener("message", Handler())
    client.send("a")
    await settle()
    assert log == [
        "Uncaught Error: This borrowed attribute proxy was automatically destroyed in the process of "
        "destroying the proxy it was borrowed from. Try using the 'copy' method."
    ]


async def test_what_send_sends_for_each_python_value(py: Any) -> None:
    client, server = pair(py)
    server.binaryType = "arraybuffer"
    got: list[Any] = []
    server.addEventListener("message", py.ffi.create_proxy(lambda e: got.append(e.data)))
    values = [
        py.ffi.to_js(b"\x01\x02"),
        b"\x01\x02",
        None,
        5,
        1.5,
        True,
        {"a": 1},
        [1, 2],
        py.ffi.jsnull,
        "t",
    ]
    for value in values:
        client.send(value)
    await settle()
    binary = got.pop(0)
    assert isinstance(binary, py.ffi.JsProxy) and not isinstance(binary, bytes)
    assert binary.to_bytes() == b"\x01\x02" and binary.byteLength == 2
    assert repr(binary) == "[object ArrayBuffer]" and binary.constructor.name == "ArrayBuffer"
    with pytest.raises(TypeError, match="cannot convert 'pyodide.ffi.JsProxy' object to bytes"):
        bytes(binary)
    assert got == ["b'\\x01\\x02'", "undefined", "5", "1.5", "true", "{'a': 1}", "[1, 2]", "null", "t"]


async def test_a_blob_is_a_jsproxy_too(py: Any) -> None:
    client, server = pair(py)
    server.binaryType = "blob"
    got: list[Any] = []
    server.addEventListener("message", py.ffi.create_proxy(lambda e: got.append(e.data)))
    client.send(py.ffi.to_js(b"\x05"))
    await settle()
    (blob,) = got
    assert blob.constructor.name == "Blob" and blob.size == 1 and not hasattr(blob, "to_bytes")
    assert (await blob.arrayBuffer()).to_bytes() == b"\x05"


async def test_close_reasons_none_and_jsnull(py: Any) -> None:
    seen = []
    for args in [(1000, py.ffi.jsnull), (1000, None), (), (4000, "bye")]:
        client, server = pair(py)
        server.addEventListener(
            "close",
            py.ffi.create_proxy(lambda e: seen.append((e.constructor.name, e.code, e.reason, e.wasClean))),
        )
        client.close(*args)
        await settle()
    assert seen == [
        ("CloseEvent", 1000, "null", True),
        ("CloseEvent", 1000, "", True),
        ("CloseEvent", 1005, "", True),
        ("CloseEvent", 4000, "bye", True),
    ]


def test_js_errors_are_js_exceptions_with_name_and_message(py: Any) -> None:
    client, _server = pair(py)
    for args, name, message in [
        ((999, "bad"), "InvalidAccessError", "Invalid WebSocket close code: 999."),
        (
            (1000, "x" * 200),
            "SyntaxError",
            "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded.",
        ),
    ]:
        with pytest.raises(py.ffi.JsException) as caught:
            client.close(*args)
        assert (caught.value.name, caught.value.message) == (name, message)
        assert str(caught.value) == f"{name}: {message}"
    client.close()
    with pytest.raises(py.ffi.JsException) as caught:
        client.send("late")
    assert (caught.value.name, caught.value.message) == (
        "TypeError",
        "Can't call WebSocket send() after close().",
    )


def test_attachments_take_js_values_only(py: Any) -> None:
    _client, server = py.js.WebSocketPair.new().object_values()
    assert server.deserializeAttachment() is py.ffi.jsnull
    for value in ({"name": "ada"}, [1, 2], py.ffi.to_js({"name": "ada"})):
        with pytest.raises(
            py.ffi.JsException, match=r"^DataCloneError: \[object Object\] could not be cloned\.$"
        ):
            server.serializeAttachment(value)
    server.serializeAttachment(py.ffi.to_js({"name": "ada", "n": 1}, dict_converter=py.js.Object.fromEntries))
    back = server.deserializeAttachment()
    assert back.name == "ada" and back.to_py() == {"name": "ada", "n": 1}
    with pytest.raises(TypeError, match="not subscriptable"):
        back["name"]
    for value in ("ada", 5, None):
        server.serializeAttachment(value)
        assert server.deserializeAttachment() == value


def test_none_is_undefined_and_jsnull_is_null(py: Any) -> None:
    jsnull = py.ffi.jsnull
    assert repr(jsnull) == "jsnull" and not jsnull and jsnull is not None
    assert type(jsnull).__name__ == "JsNull"
    assert py.ffi.to_js({"a": 1}).to_py() == {"a": 1}


async def test_js_containers_are_sent_as_javascript_prints_them(py: Any) -> None:
    client, server = pair(py)
    got: list[Any] = []
    server.addEventListener("message", py.ffi.create_proxy(lambda e: got.append(e.data)))
    to_js, fromEntries = py.ffi.to_js, py.js.Object.fromEntries
    for value in (to_js({"a": 1}), to_js({"a": 1}, dict_converter=fromEntries), to_js([1, None, "x"])):
        client.send(value)
    await settle()
    assert got == ["[object Map]", "[object Object]", "1,,x"]


def test_json_null_is_jsnull_and_arrays_are_js_arrays(py: Any) -> None:
    assert py.js.JSON.parse("null") is py.ffi.jsnull
    parsed = py.js.JSON.parse('[1, null, {"a": null}]')
    assert isinstance(parsed, py.ffi.JsProxy) and parsed.constructor.name == "Array"
    assert parsed.to_py()[:2] == [1, py.ffi.jsnull]
    assert parsed[2].a is py.ffi.jsnull
    assert py.js.JSON.stringify(parsed) == '[1,null,{"a":null}]'


def test_small_reads_as_pyodide_gives_them(py: Any) -> None:
    p = py.js.WebSocketPair.new()
    assert getattr(p, "0") == p.object_values()[0]
    assert p.object_values().constructor.name == "Array"
    assert p.typeof == "object"
    assert isinstance(py.js.Date.now(), int)
    _client, server = p.object_values()
    method = server.send
    assert isinstance(method, py.ffi.JsProxy) and method.constructor.name == "Function"
    assert method.typeof == "function" and callable(method)
    for bad in (5, "str"):
        with pytest.raises(py.ffi.JsException) as caught:
            server.addEventListener("message", bad)
        assert str(caught.value) == (
            "TypeError: Failed to execute 'addEventListener' on 'EventTarget': "
            "parameter 2 is not of type 'function or HandlerObject'."
        )


async def test_a_message_event_has_a_null_origin(py: Any) -> None:
    client, server = pair(py)
    got: list[Any] = []
    server.addEventListener("message", py.ffi.create_proxy(lambda e: got.append(e.origin)))
    client.send("x")
    await settle()
    assert got == [py.ffi.jsnull]


async def test_an_objects_tags_must_be_a_js_array(py: Any) -> None:
    import types

    from cfws_playground import connect
    from cfws_playground.pyworkers import binding

    seen: list[Any] = []

    class Room:
        def __init__(self, ctx: Any, env: Any) -> None:
            self.ctx = ctx

        async def fetch(self, request: Any) -> Any:
            client, server = py.js.WebSocketPair.new().object_values()
            try:
                self.ctx.acceptWebSocket(server, ["room"])
            except py.ffi.JsException as exc:
                seen.append(str(exc))
            self.ctx.acceptWebSocket(server, py.ffi.to_js(["room"]))
            seen.append(self.ctx.getTags(server).constructor.name)
            return py.js.Response.new(None, status=101, webSocket=client)

        async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:  # noqa: N802
            ws.close(1000, "")

    async def worker(request: Any, env: Any, ctx: Any) -> Any:
        return await env.ROOM.getByName("lobby").fetch(request)

    env = types.SimpleNamespace()
    env.ROOM = binding(Room, env, python=True, hibernate_after=None)
    client = await connect(worker, "ws://do.local/", env=env)
    await client.close()
    assert seen == [
        "TypeError: Failed to execute 'acceptWebSocket' on 'DurableObjectState': "
        "parameter 2 is not of type 'Array'.",
        "Array",
    ]


@pytest.mark.parametrize(("date", "raises"), [("2025-08-14", True), ("2026-11-17", False)])
def test_a_python_exception_comes_back_through_dispatch_event(py: Any, date: str, raises: bool) -> None:
    from cfws_playground import compatibility

    with compatibility(date=date):
        client, server = pair(py)

    def boom(e: Any) -> None:
        raise ValueError("in listener")

    server.addEventListener("ping", py.ffi.create_proxy(boom))
    if raises:  # before spec_compliant_dispatch_exceptions the listener's exception propagates, as itself
        with pytest.raises(ValueError, match="in listener"):
            server.dispatchEvent(py.js.Event.new("ping"))
    else:
        assert server.dispatchEvent(py.js.Event.new("ping")) is True


# ---------------------------------------------------------------------- Promise and timers


async def test_a_promise_is_an_awaitable_jsproxy_with_then_catch_and_finally(py: Any) -> None:
    Promise = py.js.Promise
    p = Promise.resolve(1)
    assert isinstance(p, py.ffi.JsProxy) and p.constructor.name == "Promise"
    assert await p == 1
    assert await p.then(lambda v: v + 1).then(lambda v: v * 10) == 20
    assert await Promise.reject(ValueError("no")).catch(lambda e: f"caught {e}") == "caught no"
    seen: list[str] = []
    assert await Promise.resolve(3).finally_(lambda: seen.append("finally")) == 3
    assert seen == ["finally"]
    made = Promise.new(py.ffi.create_proxy(lambda resolve, reject: resolve(5)))
    assert await made == 5
    with pytest.raises(py.ffi.JsException, match="without 'new'") as caught:
        Promise()
    assert caught.value.name == "TypeError"


async def test_a_python_exception_crossing_js_comes_back_as_itself_or_as_a_python_error(py: Any) -> None:
    def fail(value: Any) -> None:
        raise KeyError("nope")

    with pytest.raises(KeyError, match="nope"):  # through then(): Pyodide gives it back unchanged
        await py.js.Promise.resolve(1).then(fail)

    def executor(resolve: Any, reject: Any) -> None:
        raise KeyError("k")

    with pytest.raises(py.ffi.JsException) as caught:  # thrown into JS by an executor: a PythonError
        await py.js.Promise.new(py.ffi.create_proxy(executor))
    assert caught.value.name == "PythonError"
    assert caught.value.message.startswith("Traceback (most recent call last):\n  File ")
    assert caught.value.message.endswith("KeyError: 'k'\n")
    assert "cfws_playground" not in caught.value.message  # only the program's own frames


async def test_then_runs_two_call_soon_turns_after_the_reaction_and_a_destroyed_handler_is_none(
    py: Any,
) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    order: list[str] = []

    def turn(n: int) -> None:
        order.append(f"call_soon {n}")
        if n < 3:
            loop.call_soon(turn, n + 1)

    loop.call_soon(turn, 1)
    py.js.Promise.resolve(1).then(lambda v: order.append("then"))
    py.js.queueMicrotask(lambda: order.append("microtask"))
    destroyed = py.ffi.create_proxy(lambda v: order.append("destroyed ran"))
    destroyed.destroy()
    assert await py.js.Promise.resolve(7).then(destroyed) == 7  # the value passes through
    await asyncio.sleep(0.01)
    assert order == ["call_soon 1", "microtask", "call_soon 2", "call_soon 3", "then"]


async def test_set_timeout_is_a_timer_that_clear_timeout_stops(
    py: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    order: list[str] = []
    kept = py.js.setTimeout(py.ffi.create_proxy(lambda a, b: order.append(f"timer {a} {b}")), 0, "x", 2)
    cleared = py.js.setTimeout(py.ffi.create_proxy(lambda: order.append("cleared ran")), 0)
    assert isinstance(kept, py.ffi.JsProxy) and kept.constructor.name == "Timeout"
    py.js.clearTimeout(cleared)
    py.js.clearTimeout(12345)  # anything else is ignored, as in JS
    py.js.setTimeout(lambda: order.append("plain ran"), 0)  # lent for the call only, as in Pyodide
    asyncio.get_running_loop().call_soon(order.append, "call_soon")
    await asyncio.sleep(0.01)
    assert order == ["call_soon", "timer x 2"]
    assert any(
        "Uncaught Error: This borrowed proxy was automatically destroyed" in r.getMessage()
        for r in caplog.records
    )


# Measured with JSON.parse in Pyodide in workerd 1.20261123.1 (V8's messages).
_JSON_ERRORS = [
    ("{", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
    ("", "Unexpected end of JSON input"),
    ("[1,", "Unexpected end of JSON input"),
    ("x", "Unexpected token 'x', \"x\" is not valid JSON"),
    ("[1 2]", "Expected ',' or ']' after array element in JSON at position 3 (line 1 column 4)"),
    ('{"a" 1}', "Expected ':' after property name in JSON at position 5 (line 1 column 6)"),
    ('{"a":1 "b"}', "Expected ',' or '}' after property value in JSON at position 7 (line 1 column 8)"),
    ('{"a":1,}', "Expected double-quoted property name in JSON at position 7 (line 1 column 8)"),
    ('"abc', "Unterminated string in JSON at position 4 (line 1 column 5)"),
    ("1 2", "Unexpected non-whitespace character after JSON at position 2 (line 1 column 3)"),
    ('"a\\x"', "Bad escaped character in JSON at position 3 (line 1 column 4)"),
    ('"a\tb"', "Bad control character in string literal in JSON at position 2 (line 1 column 3)"),
    ("NaN", '"NaN" is not valid JSON'),
    ("[NaN]", "Unexpected token 'N', \"[NaN]\" is not valid JSON"),
    ("-", "No number after minus sign in JSON at position 1 (line 1 column 2)"),
    ("1.", "Unterminated fractional number in JSON at position 2 (line 1 column 3)"),
    ("1e", "Exponent part is missing a number in JSON at position 2 (line 1 column 3)"),
    ("01", "Unexpected number in JSON at position 1 (line 1 column 2)"),
    ("abcdefghijklmnopqrstuvwxyz0123456789", "Unexpected token 'a', \"abcdefghij\"... is not valid JSON"),
    ('{"a":\n[1,\n2 3]}', "Expected ',' or ']' after array element in JSON at position 12 (line 3 column 3)"),
]


@pytest.mark.parametrize(("text", "message"), _JSON_ERRORS)
def test_json_parse_raises_a_js_syntax_error_with_v8s_message(py: Any, text: str, message: str) -> None:
    with pytest.raises(py.ffi.JsException) as caught:
        py.js.JSON.parse(text)
    assert (caught.value.name, caught.value.message) == ("SyntaxError", message)
