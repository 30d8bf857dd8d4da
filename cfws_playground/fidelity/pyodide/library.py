"""The Python scenario library: Python Workers code, measured in Pyodide on real workerd.

Each scenario is a small program in the Python a Python Workers developer
writes (``from js import WebSocketPair``, ``from pyodide.ffi import
create_proxy``, asyncio, Cloudflare's ``workers`` SDK). Families are generated
from tables (a value sent, a listener's form, an ordering pair), so each row
of a table is one claim. Their transcripts are committed per version
(``references/pyodide-<version>+workerd-<version>.json``).
"""

from __future__ import annotations

from .scenario import AROUND_MESSAGE_CHANNEL, PyScenario

__all__ = ["PY_SCENARIOS", "py_by_name"]

PY_SCENARIOS: list[PyScenario] = []


def S(name: str, about: str, code: str, **kw: object) -> PyScenario:  # noqa: N802 - reads as a table row
    sc = PyScenario("py-" + name, about, code, **kw)  # type: ignore[arg-type]
    PY_SCENARIOS.append(sc)
    return sc


def py_by_name(name: str) -> PyScenario:
    """The scenario called ``name``; KeyError naming the close matches otherwise."""
    for sc in PY_SCENARIOS:
        if sc.name == name:
            return sc
    import difflib

    near = difflib.get_close_matches(name, [s.name for s in PY_SCENARIOS], n=3)
    raise KeyError(f"no Python scenario {name!r}" + (f" (did you mean {', '.join(near)}?)" if near else ""))


#: A pair, both ends accepted, the server end printing what it receives.
PAIR = """
import asyncio
from js import WebSocketPair, Object, JSON
from pyodide.ffi import create_proxy, to_js
client, server = WebSocketPair.new().object_values()
server.accept()
client.accept()
"""

WATCH_HELPERS = """
def watch(name, ws):
    for kind in ("message", "close", "error"):
        def listener(event, kind=kind):
            print(name, kind, describe(event))
        ws.addEventListener(kind, create_proxy(listener))

def describe(event):
    if event.type == "message":
        return show(event.data)
    if event.type == "close":
        return f"code={show(event.code)} reason={show(event.reason)} wasClean={show(event.wasClean)}"
    return f"message={show(event.message)} error={show(event.error)}"
"""
#: The helpers, then both ends watched.
WATCH = (
    WATCH_HELPERS
    + """
watch("client", client)
watch("server", server)
"""
)


def _program(*parts: str) -> str:
    import textwrap

    return "\n".join(textwrap.dedent(p).strip("\n") for p in parts) + "\n"


def _indented(block: str, spaces: int) -> str:
    """A block of code (lines, or steps separated by ``; ``) indented to sit inside another."""
    import textwrap

    return textwrap.indent(block.replace("; ", "\n"), " " * spaces)


# ---------------------------------------------------------------------- FFI: Python values sent to JS

_SENT = [
    ("text", "'hello'", "a str is sent as a text frame"),
    ("empty-text", "''", "an empty str is an empty text frame"),
    ("unicode", "'h\\u00e9 \\u2603'", "non-ASCII text arrives unchanged"),
    ("bytes", "b'\\x00\\x01\\xff'", "bytes without to_js are a PyProxy: their repr goes as text"),
    ("empty-bytes", "b''", "empty bytes without to_js: the text \"b''\""),
    ("bytearray", "bytearray(b'ab')", "a bytearray without to_js: its repr as text"),
    ("memoryview", "memoryview(b'abc')", "a memoryview without to_js: its repr as text"),
    ("to-js-bytearray", "to_js(bytearray(b'ab'))", "to_js(bytearray) is a Uint8Array: a binary frame"),
    ("to-js-memoryview", "to_js(memoryview(b'abcdef')[2:4])", "to_js of a memoryview slice sends its bytes"),
    ("buffer-of-bytes", "to_js(b'ab').buffer", "the ArrayBuffer under to_js(bytes): a binary frame"),
    ("none", "None", "None is JS undefined: sent as the text 'undefined'"),
    ("jsnull", "jsnull", "jsnull is JS null: sent as the text 'null'"),
    ("int", "42", "an int is sent as its decimal text"),
    ("big-int", "2**53 + 1", "an int beyond 2**53 crosses as a BigInt"),
    ("float", "1.5", "a float is sent as JS prints the number"),
    ("float-integral", "2.0", "2.0 is the JS number 2"),
    ("true", "True", "True is sent as 'true'"),
    ("dict", "{'a': 1}", "a dict without to_js is a PyProxy: its String() is sent"),
    ("list", "[1, 2]", "a list without to_js is a PyProxy: its String() is sent"),
    ("to-js-dict", "to_js({'a': 1})", "to_js(dict) is a Map: '[object Map]' is sent"),
    (
        "to-js-object",
        "to_js({'a': 1}, dict_converter=Object.fromEntries)",
        "to_js(dict, dict_converter=Object.fromEntries) is an object: '[object Object]' is sent",
    ),
    ("to-js-list", "to_js([1, 2])", "to_js(list) is an Array: '1,2' is sent"),
    ("to-js-bytes", "to_js(b'ab')", "to_js(bytes) is a Uint8Array: a binary frame"),
    (
        "json-stringify",
        "JSON.stringify(to_js({'a': [1, None]}, dict_converter=Object.fromEntries))",
        "JSON.stringify of a converted dict sends JSON text",
    ),
]

for _slug, _value, _about in _SENT:
    S(
        f"send-{_slug}",
        f"send({_value}): {_about}.",
        _program(
            PAIR,
            "from pyodide.ffi import jsnull" if "jsnull" in _value else "",
            """
            server.binaryType = "arraybuffer"
            server.addEventListener("message", create_proxy(lambda e: print("server got", show(e.data))))
            """,
            f"""
            try:
                print("send ->", show(client.send({_value})))
            except Exception as exc:
                print("send raised", show(exc))
            await asyncio.sleep(0.01)
            """,
        ),
        tags=("ffi", "send"),
    )

# ---------------------------------------------------------------------- FFI: close() arguments

_CLOSES = [
    ("code-reason", "1000, 'bye'", "a code and a reason"),
    ("no-args", "", "no arguments: 1005 on the other side"),
    ("code-only", "4000", "a code without reason: an empty reason"),
    ("reason-none", "1000, None", "None as the reason is undefined: an empty reason"),
    ("reason-jsnull", "1000, jsnull", "jsnull as the reason is null: the reason 'null'"),
    ("code-none", "None", "None as the code is undefined: as if none was given"),
    ("code-float", "1000.0, 'f'", "a float code that is an integer is accepted"),
    ("code-str", "'1000', 's'", "a str code is converted to a number by JS"),
    ("code-999", "999, 'x'", "code 999 throws InvalidAccessError, a JsException in Python"),
    ("reason-long", "1000, 'x' * 124", "a reason over 123 bytes"),
    ("reason-bytes", "1000, b'ab'", "bytes as the reason are converted to a string by JS"),
]

for _slug, _args, _about in _CLOSES:
    S(
        f"close-{_slug}",
        f"close({_args}) from Python: {_about}.",
        _program(
            PAIR,
            "from pyodide.ffi import jsnull" if "jsnull" in _args else "",
            WATCH,
            f"""
            try:
                print("close ->", show(client.close({_args})))
            except Exception as exc:
                print("close raised", show(exc))
            await asyncio.sleep(0.01)
            print("readyState", show(client.readyState), show(server.readyState))
            """,
        ),
        tags=("ffi", "close"),
    )

# ---------------------------------------------------------------------- what events look like from Python

for _bt in ("unset", "blob", "arraybuffer"):
    S(
        f"event-binary-{_bt}",
        f"A binary frame's data with binaryType {_bt}: a JsProxy (Blob or ArrayBuffer by type and date).",
        _program(
            PAIR,
            "" if _bt == "unset" else f'server.binaryType = "{_bt}"',
            """
            print("binaryType", show(server.binaryType))
            async def on_message(e):
                data = e.data
                print("data", show(data))
                if hasattr(data, "to_bytes"):
                    print("to_bytes", show(data.to_bytes()))
                elif hasattr(data, "arrayBuffer"):
                    buffer = await data.arrayBuffer()
                    print("arrayBuffer()", show(buffer), show(buffer.to_bytes()))
            server.addEventListener("message", create_proxy(on_message))
            client.send(to_js(b"\\x01\\x02"))
            await asyncio.sleep(0.02)
            """,
        ),
        tags=("events", "binary"),
    )

S(
    "event-text-data",
    "A text frame's data is a Python str.",
    _program(
        PAIR,
        """
        server.addEventListener("message", create_proxy(lambda e: print(show(e.data), show(e.type))))
        client.send("hi")
        await asyncio.sleep(0.01)
        """,
    ),
    tags=("events",),
)

S(
    "extra-arguments-ignored",
    "A call with more arguments than the method takes: Pyodide passes them on, and JavaScript "
    "ignores the extra ones.",
    _program(
        PAIR,
        WATCH,
        """
        server.addEventListener("message", create_proxy(lambda e: print("extra", show(e.data))), False, 1)
        client.send("x", "y")
        client.close(1000, "r", "z")
        await asyncio.sleep(0.02)
        """,
    ),
    tags=("events",),
)

S(
    "event-message-object",
    "The event itself is a JsProxy of a MessageEvent; its attributes read as Python values.",
    _program(
        PAIR,
        """
        def on_message(e):
            print("event", show(e))
            print("type", show(e.type), "origin", show(getattr(e, "origin", "absent")))
            print("isinstance JsProxy", isinstance(e, __import__("pyodide.ffi").ffi.JsProxy))
        server.addEventListener("message", create_proxy(on_message))
        client.send("x")
        await asyncio.sleep(0.01)
        """,
    ),
    tags=("events", "ffi"),
)

_CLOSE_EVENTS = [
    ("clean", "client.close(1000, 'done')", "a clean close: code, reason and wasClean as Python values"),
    ("no-status", "client.close()", "close() without a code: 1005 and an empty reason"),
    ("app-code", "client.close(4321, 'app')", "an application code arrives as an int"),
    ("server-closes", "server.close(1001, 'going')", "the server end closes: the client sees it"),
    ("both", "client.close(1000, 'a'); server.close(1000, 'b')", "both ends close in the same turn"),
]
for _slug, _step, _about in _CLOSE_EVENTS:
    S(
        f"event-close-{_slug}",
        f"Close events from Python: {_about}.",
        _program(PAIR, WATCH, _step, "await asyncio.sleep(0.02)"),
        tags=("events", "close"),
    )

S(
    "event-error-from-raising-listener",
    "A Python listener that raises: what the ends see afterwards (error events and readyState).",
    _program(
        PAIR,
        WATCH,
        """
        def boom(e):
            raise ValueError("boom")
        server.addEventListener("message", create_proxy(boom))
        client.send("one")
        await asyncio.sleep(0.01)
        client.send("two")
        await asyncio.sleep(0.01)
        print("readyState", show(client.readyState), show(server.readyState))
        """,
    ),
    tags=("events", "exceptions"),
)

S(
    "event-error-peer-dropped",
    "An ErrorEvent seen from Python: message and error when the other end goes away.",
    _program(
        PAIR,
        WATCH,
        """
        client.close(1000, "x")
        await asyncio.sleep(0.02)
        server.send("late")
        await asyncio.sleep(0.01)
        """,
    ),
    tags=("events", "errors"),
)

# ---------------------------------------------------------------------- proxy lifetimes

#: In the table below: LOG is a lambda listener that prints, DEF defines ``listener`` doing the same.
_LOG, _DEF = "lambda e: print('ran', show(e.data))", "def listener(e):\n    print('ran', show(e.data))"
_LISTENERS = [
    (
        "plain-function",
        "DEF\nserver.addEventListener('message', listener)",
        "a def passed without create_proxy (a borrowed proxy)",
    ),
    (
        "lambda",
        "server.addEventListener('message', LOG)",
        "a lambda passed without create_proxy",
    ),
    (
        "create-proxy",
        "server.addEventListener('message', create_proxy(LOG))",
        "create_proxy keeps the listener alive for every message",
    ),
    (
        "create-once-callable",
        "server.addEventListener('message', create_once_callable(LOG))",
        "create_once_callable runs once, then is destroyed",
    ),
    (
        "destroyed-proxy",
        "p = create_proxy(LOG)\nserver.addEventListener('message', p)\np.destroy()",
        "a proxy destroyed before the event",
    ),
    (
        "proxy-in-list",
        "kept = [create_proxy(LOG)]\nserver.addEventListener('message', kept[0])",
        "a proxy kept in a list",
    ),
    (
        "onmessage-plain",
        "server.onmessage = LOG",
        "onmessage set to a lambda without create_proxy",
    ),
    (
        "onmessage-proxy",
        "server.onmessage = create_proxy(LOG)",
        "onmessage set to a create_proxy",
    ),
    (
        "bound-method",
        "class Room:\n    def on_message(self, e):\n        print('ran', show(e.data))\n"
        "room = Room()\nserver.addEventListener('message', room.on_message)",
        "a bound method without create_proxy",
    ),
    (
        "bound-method-proxy",
        "class Room:\n    def on_message(self, e):\n        print('ran', show(e.data))\n"
        "room = Room()\nserver.addEventListener('message', create_proxy(room.on_message))",
        "a bound method through create_proxy",
    ),
    (
        "remove-same-proxy",
        "p = create_proxy(LOG)\nserver.addEventListener('message', p)\n"
        "server.removeEventListener('message', p)",
        "removeEventListener with the same proxy removes it",
    ),
    (
        "remove-new-proxy",
        "DEF\nserver.addEventListener('message', create_proxy(listener))\n"
        "server.removeEventListener('message', create_proxy(listener))",
        "removeEventListener with a second proxy of the same function removes nothing",
    ),
    (
        "add-same-proxy-twice",
        "p = create_proxy(LOG)\nserver.addEventListener('message', p)\nserver.addEventListener('message', p)",
        "the same proxy added twice runs once per event",
    ),
    (
        "two-proxies-same-function",
        "DEF\nserver.addEventListener('message', create_proxy(listener))\n"
        "server.addEventListener('message', create_proxy(listener))",
        "two proxies of one function are two listeners",
    ),
    (
        "async-def-proxy",
        "async def listener(e):\n    await asyncio.sleep(0)\n    print('ran', show(e.data))\n"
        "server.addEventListener('message', create_proxy(listener))",
        "an async def listener through create_proxy: its coroutine runs as a task",
    ),
    (
        "async-def-plain",
        "async DEF\nserver.addEventListener('message', listener)",
        "an async def listener without create_proxy",
    ),
    (
        "once-option",
        "server.addEventListener('message', create_proxy(LOG), "
        "to_js({'once': True}, dict_converter=Object.fromEntries))",
        "{once: true} through to_js: the listener runs once",
    ),
    (
        "once-option-dict",
        "server.addEventListener('message', create_proxy(LOG), {'once': True})",
        "{once: true} as a Python dict without to_js",
    ),
]
for _slug, _setup, _about in _LISTENERS:
    S(
        f"listener-{_slug}",
        f"Listener lifetime: {_about}.",
        _program(
            PAIR,
            "from pyodide.ffi import create_once_callable",
            _setup.replace("DEF", _DEF).replace("LOG", _LOG),
            """
            client.send("one")
            await asyncio.sleep(0.01)
            client.send("two")
            await asyncio.sleep(0.01)
            print("readyState", show(client.readyState), show(server.readyState))
            """,
        ),
        tags=("proxies",),
    )

S(
    "proxy-destroy-twice",
    "destroy() on a proxy twice: the second raises.",
    _program(
        "from pyodide.ffi import create_proxy",
        """
        p = create_proxy(lambda: 1)
        p.destroy()
        try:
            p.destroy()
            print("second destroy returned")
        except Exception as exc:
            print("second destroy raised", show(exc))
        """,
    ),
    tags=("proxies",),
)

S(
    "proxy-call-after-destroy",
    "A destroyed proxy called from JS: the JS caller gets an error, caught as JsException in Python.",
    _program(
        """
        from js import Promise
        from pyodide.ffi import create_proxy
        p = create_proxy(lambda x: print("called", show(x)))
        p.destroy()
        try:
            await Promise.resolve(1).then(p)
            print("resolved")
        except Exception as exc:
            print("raised", show(exc))
        """,
    ),
    tags=("proxies", "exceptions"),
)

# ---------------------------------------------------------------------- FFI: JS values read from Python

_READS = [
    ("pair-object", "WebSocketPair.new()", "the pair is a JsProxy"),
    ("object-values", "WebSocketPair.new().object_values()", "object_values() gives both ends"),
    ("object-values-js", "Object.values(WebSocketPair.new())", "Object.values(pair) is a JS Array"),
    ("object-keys", "Object.keys(WebSocketPair.new())", "the pair's keys"),
    ("pair-subscript", "WebSocketPair.new()[0]", "pair[0]: a JsProxy of a plain object is not subscriptable"),
    ("pair-attr-0", "getattr(WebSocketPair.new(), '0')", "getattr(pair, '0') reads the first end"),
    ("ready-state", "server.readyState", "readyState is an int"),
    ("url", "server.url", "url of a pair's end is JS null"),
    ("protocol", "server.protocol", "protocol is a str"),
    ("extensions", "server.extensions", "extensions is a str"),
    ("binary-type", "server.binaryType", "binaryType is a str, by date"),
    ("missing-attribute", "server.no_such_thing", "a missing attribute raises AttributeError"),
    ("send-method", "server.send", "a method read without calling it is a JsProxy of a function"),
    ("json-null", "JSON.parse('null')", "JS null from JS is jsnull"),
    ("json-int", "JSON.parse('7')", "a JS integer is an int"),
    ("json-float", "JSON.parse('7.5')", "a JS number with a fraction is a float"),
    ("json-bool", "JSON.parse('true')", "a JS boolean is a bool"),
    ("json-str", "JSON.parse('\"s\"')", "a JS string is a str"),
    ("json-array", "JSON.parse('[1, 2]')", "a JS array is a JsProxy"),
    ("json-object", "JSON.parse('{\"a\": 1}')", "a JS object is a JsProxy"),
    ("json-array-to-py", "JSON.parse('[1, null]').to_py()", "to_py() of an array is a list"),
    ("json-object-to-py", "JSON.parse('{\"a\": [1]}').to_py()", "to_py() of an object is a dict"),
    ("json-object-attr", "JSON.parse('{\"a\": 1}').a", "attribute access reads a JS object's property"),
    ("json-object-missing", "JSON.parse('{\"a\": 1}').b", "a missing property raises AttributeError"),
    ("json-undefined-prop", "getattr(JSON.parse('{\"a\": 1}'), 'b', 'default')", "getattr with a default"),
    ("array-len", "len(JSON.parse('[1, 2, 3]'))", "len() of a JS array"),
    ("array-index", "JSON.parse('[1, 2, 3]')[1]", "indexing a JS array"),
    ("array-to-list", "list(JSON.parse('[1, 2, 3]'))", "a JS array is iterable"),
    ("typeof", "server.typeof", "typeof of a WebSocket from Python"),
    ("js-undefined-return", "server.accept()", "a JS function returning undefined returns None"),
    ("to-js-roundtrip", "to_js({'a': 1}).to_py()", "to_js then to_py gives the dict back"),
    ("to-js-map-get", "to_js({'a': 1}).get('a')", "a Map from to_js answers get()"),
    (
        "to-js-object-attr",
        "to_js({'a': 1}, dict_converter=Object.fromEntries).a",
        "an object from to_js(dict_converter=Object.fromEntries) has attributes",
    ),
    ("instanceof-jsproxy", "isinstance(server, JsProxy)", "an end is a JsProxy"),
    ("date-now-type", "type(__import__('js').Date.now()).__name__", "Date.now() is a float"),
    ("to-js-bytes", "to_js(b'ab')", "to_js(bytes) is a JsProxy of a Uint8Array"),
    ("to-js-bytes-equals-bytes", "to_js(b'ab') == b'ab'", "a Uint8Array is not equal to its bytes"),
    ("to-js-bytes-buffer", "to_js(b'ab').buffer", "a Uint8Array's buffer is an ArrayBuffer"),
    ("to-js-bytes-to-bytes", "to_js(b'ab').to_bytes()", "to_bytes() of a Uint8Array gives bytes back"),
    ("to-js-bytes-len", "len(to_js(b'ab'))", "len() of a Uint8Array"),
    ("json-object-subscript", "JSON.parse('{\"a\": 1}')['a']", "a JS object is not subscriptable"),
    (
        "to-js-object-subscript",
        "to_js({'a': 1}, dict_converter=Object.fromEntries)['a']",
        "an object from to_js(dict_converter=Object.fromEntries) is not subscriptable",
    ),
    ("to-js-map-subscript", "to_js({'a': 1})['a']", "a Map from to_js is subscriptable"),
]
for _slug, _expr, _about in _READS:
    S(
        f"read-{_slug}",
        f"From JS to Python: {_about}.",
        _program(
            """
            from js import WebSocketPair, Object, JSON
            from pyodide.ffi import to_js, JsProxy
            client, server = WebSocketPair.new().object_values()
            """,
            f"""
            try:
                print({_expr!r}, "->", show({_expr}))
            except Exception as exc:
                print({_expr!r}, "raised", show(exc))
            """,
        ),
        tags=("ffi", "read"),
    )

# ---------------------------------------------------------------------- exceptions crossing

_THROWS = [
    ("send-before-accept", "client.send('x')", "send() before accept() throws from JS"),
    ("accept-twice", "client.accept(); client.accept()", "accept() twice"),
    ("send-after-close", "client.accept(); client.close(); client.send('x')", "send() after close()"),
    ("close-reserved-code", "client.accept(); client.close(1006)", "close(1006) is refused"),
    ("pair-without-new", "WebSocketPair()", "calling the class without .new()"),
    ("json-parse-error", "JSON.parse('{')", "a JS SyntaxError"),
    ("bad-binary-type", "client.binaryType = 'text'", "an invalid binaryType"),
    (
        "add-listener-not-callable",
        "client.addEventListener('message', 42)",
        "a listener that is not callable",
    ),
    ("send-object", "client.accept(); client.send(object())", "send() of a Python object (a PyProxy)"),
]
for _slug, _step, _about in _THROWS:
    S(
        f"throws-{_slug}",
        f"A JS error seen from Python: {_about} (type, name, message).",
        _program(
            """
            from js import WebSocketPair, JSON
            from pyodide.ffi import JsException
            client, server = WebSocketPair.new().object_values()
            """,
            "try:\n" + _indented(_step, 4) + "\n    print('no error')",
            """
            except JsException as exc:
                print("JsException", show(exc.name), show(exc.message))
            except Exception as exc:
                print("raised", show(exc))
            """,
        ),
        tags=("exceptions",),
    )

S(
    "throws-python-error-into-js",
    "A Python exception raised in a function JS calls reaches the JS caller, and comes back to Python.",
    _program(
        """
        from js import Promise
        from pyodide.ffi import create_proxy
        def fail(x):
            raise KeyError("nope")
        try:
            await Promise.resolve(1).then(create_proxy(fail))
        except Exception as exc:
            print("raised", show(exc))
        """,
    ),
    tags=("exceptions",),
)

S(
    "throws-listener-raises-others-run",
    "A raising Python listener and a second one on the same event: does the second run?",
    _program(
        PAIR,
        """
        def first(e):
            print("first", show(e.data))
            raise RuntimeError("first failed")
        server.addEventListener("message", create_proxy(first))
        server.addEventListener("message", create_proxy(lambda e: print("second", show(e.data))))
        server.addEventListener("error", create_proxy(lambda e: print("error event", show(e.message))))
        client.send("x")
        await asyncio.sleep(0.01)
        print("readyState", show(server.readyState))
        """,
    ),
    tags=("exceptions", "events"),
)

S(
    "throws-dispatch-event-python",
    "dispatchEvent() from Python with a listener that raises.",
    _program(
        PAIR,
        """
        from js import Event
        def boom(e):
            raise ValueError("in listener")
        server.addEventListener("ping", create_proxy(boom))
        try:
            print("dispatchEvent ->", show(server.dispatchEvent(Event.new("ping"))))
        except Exception as exc:
            print("dispatchEvent raised", show(exc))
        """,
    ),
    tags=("exceptions", "events"),
)

# ---------------------------------------------------------------------- asyncio on WebLoop against events

_ORDERS = [
    ("call-soon", "loop.call_soon(lambda: print('call_soon'))", "call_soon"),
    (
        "sleep-zero",
        "async def t():\n    await asyncio.sleep(0)\n    print('after sleep(0)')\nloop.create_task(t())",
        "a task's sleep(0) continuation",
    ),
    (
        "create-task",
        "async def t():\n    print('task ran')\nloop.create_task(t())",
        "a new task's first step",
    ),
    (
        "future",
        "fut = loop.create_future()\nfut.add_done_callback(lambda f: print('future done'))\n"
        "fut.set_result(1)",
        "a future's done callback",
    ),
    (
        "set-timeout",
        "from js import setTimeout\nsetTimeout(create_proxy(lambda: print('setTimeout(0)')), 0)",
        "a JS setTimeout(0)",
    ),
    (
        "queue-microtask",
        "from js import queueMicrotask\nqueueMicrotask(create_proxy(lambda: print('queueMicrotask')))",
        "a JS queueMicrotask",
    ),
    (
        "promise-then",
        "from js import Promise\nPromise.resolve(1).then(create_proxy(lambda v: print('promise.then')))",
        "a JS promise's then",
    ),
    ("call-later", "loop.call_later(0.001, lambda: print('call_later(1 ms)'))", "call_later(0.001)"),
]
for _slug, _setup, _what in _ORDERS:
    S(
        f"order-{_slug}-vs-message",
        f"{_what} scheduled after send(): before or after the message event, by date "
        "(expose_global_message_channel from 2025-08-15).",
        _program(
            PAIR,
            """
            loop = asyncio.get_event_loop()
            server.addEventListener("message", create_proxy(lambda e: print("message", show(e.data))))
            client.send("one")
            """,
            _setup,
            """
            client.send("two")
            print("sync end")
            await asyncio.sleep(0.02)
            """,
        ),
        configs=AROUND_MESSAGE_CHANNEL,
        tags=("order",),
    )

for _slug, _setup, _what in _ORDERS[:4]:
    S(
        f"order-{_slug}-in-listener",
        f"{_what} scheduled inside a message listener, with a second message queued: which runs first.",
        _program(
            PAIR,
            """
            loop = asyncio.get_event_loop()
            """,
            "def on_message(e):\n    print('message', show(e.data))\n    if e.data == 'one':\n"
            + _indented(_setup, 8),
            """
            server.addEventListener("message", create_proxy(on_message))
            client.send("one")
            client.send("two")
            await asyncio.sleep(0.02)
            """,
        ),
        configs=AROUND_MESSAGE_CHANNEL,
        tags=("order",),
    )

S(
    "order-async-listener-awaits",
    "An async listener awaiting sleep(0): does the next message's listener run before it resumes?",
    _program(
        PAIR,
        """
        async def on_message(e):
            data = e.data
            print("start", show(data))
            await asyncio.sleep(0)
            print("resumed", show(data))
        server.addEventListener("message", create_proxy(on_message))
        client.send("one")
        client.send("two")
        await asyncio.sleep(0.02)
        """,
    ),
    configs=AROUND_MESSAGE_CHANNEL,
    tags=("order",),
)

S(
    "order-call-soon-vs-set-timeout",
    "call_soon against a JS setTimeout(0) and a queueMicrotask, with no socket involved.",
    _program(
        """
        import asyncio
        from js import setTimeout, queueMicrotask
        from pyodide.ffi import create_proxy
        loop = asyncio.get_event_loop()
        setTimeout(create_proxy(lambda: print("setTimeout(0)")), 0)
        loop.call_soon(lambda: print("call_soon"))
        queueMicrotask(create_proxy(lambda: print("queueMicrotask")))
        print("sync end")
        await asyncio.sleep(0.02)
        """,
    ),
    configs=AROUND_MESSAGE_CHANNEL,
    tags=("order",),
)

S(
    "order-promise-then-vs-call-soon-turns",
    "A JS promise's then() from Python runs its handler two call_soon turns after the promise's "
    "reaction: after a queueMicrotask and a chain of call_soon, by date.",
    _program(
        """
        import asyncio
        from js import Promise, queueMicrotask
        from pyodide.ffi import create_proxy
        loop = asyncio.get_event_loop()
        def turn(n):
            print("call_soon", n)
            if n < 4:
                loop.call_soon(turn, n + 1)
        loop.call_soon(turn, 1)
        Promise.resolve(1).then(lambda v: print("then (plain function)", show(v)))
        Promise.resolve(1).then(create_proxy(lambda v: print("then (proxy)", show(v))))
        queueMicrotask(create_proxy(lambda: print("queueMicrotask")))
        Promise.reject(Exception("x")).catch(lambda e: print("catch", show(e)))
        await asyncio.sleep(0.02)
        """,
    ),
    configs=AROUND_MESSAGE_CHANNEL,
    tags=("order", "promises"),
)

S(
    "promise-forms",
    "JS promises from Python: Promise.new with an executor, chained then, a raising executor, "
    "Promise() without new.",
    _program(
        """
        from js import Promise
        from pyodide.ffi import create_proxy
        print("new", show(await Promise.new(create_proxy(lambda resolve, reject: resolve(5)))))
        print("chained", show(await Promise.resolve(1).then(lambda v: v + 1).then(lambda v: v * 10)))
        def boom(resolve, reject):
            raise KeyError("k")
        try:
            await Promise.new(create_proxy(boom))
        except Exception as exc:
            print("executor raised", show(exc))
        try:
            Promise()
        except Exception as exc:
            print("Promise()", show(exc))
        """,
    ),
    tags=("promises", "exceptions"),
)

S(
    "set-timeout-forms",
    "setTimeout from Python returns a number before 2026-08-04 and a Timeout from then (nodejs_compat "
    "is on by default, which implies enable_nodejs_global_timers); clearTimeout stops it; extra "
    "arguments reach the callback.",
    _program(
        """
        import asyncio
        from js import setTimeout, clearTimeout
        from pyodide.ffi import create_proxy
        t = setTimeout(create_proxy(lambda: print("cleared ran")), 0)
        print("setTimeout ->", "a number" if isinstance(t, (int, float)) else show(t))  # ids vary
        clearTimeout(t)
        clearTimeout(12345)
        setTimeout(create_proxy(lambda a, b: print("args", show(a), show(b))), 1, "x", 2)
        await asyncio.sleep(0.02)
        print("end")
        """,
    ),
    configs=(("2025-08-14", ()), ("2026-08-03", ()), ("2026-08-04", ()), ("2026-11-17", ())),
    tags=("timers",),
)

S(
    "order-close-then-call-soon",
    "call_soon right after close(): before or after the close events.",
    _program(
        PAIR,
        WATCH,
        """
        client.close(1000, "x")
        asyncio.get_event_loop().call_soon(lambda: print("call_soon"))
        await asyncio.sleep(0.02)
        """,
    ),
    configs=AROUND_MESSAGE_CHANNEL,
    tags=("order", "close"),
)

S(
    "order-sleep-zero-top-level",
    "The program's own await asyncio.sleep(0) after send(): does the message arrive first?",
    _program(
        PAIR,
        """
        server.addEventListener("message", create_proxy(lambda e: print("message", show(e.data))))
        client.send("one")
        await asyncio.sleep(0)
        print("after sleep(0)")
        await asyncio.sleep(0.01)
        print("after sleep(0.01)")
        """,
    ),
    configs=AROUND_MESSAGE_CHANNEL,
    tags=("order",),
)

S(
    "order-gather-two-tasks",
    "Two tasks each awaiting sleep(0) twice, with messages in flight: the interleaving.",
    _program(
        PAIR,
        """
        server.addEventListener("message", create_proxy(lambda e: print("message", show(e.data))))
        async def worker(name):
            for i in range(2):
                print(name, i)
                await asyncio.sleep(0)
        client.send("one")
        await asyncio.gather(worker("a"), worker("b"))
        client.send("two")
        await asyncio.sleep(0.02)
        """,
    ),
    configs=AROUND_MESSAGE_CHANNEL,
    tags=("order",),
)

# ---------------------------------------------------------------------- Response / Request through the SDK

_SDK = [
    (
        "response-101",
        """
        client, server = WebSocketPair.new().object_values()
        r = Response(None, status=101, web_socket=client)
        print("status", show(r.status))
        print("js_object", show(r.js_object))
        print("webSocket is client", show(r.js_object.webSocket == client))
        """,
        "Response(None, status=101, web_socket=client)",
    ),
    (
        "response-text",
        """
        r = Response("hi", headers={"x-a": "1"})
        print("status", show(r.status), show(r.headers.get("x-a")))
        print("text", show(await r.text()))
        """,
        "Response('hi', headers=...)",
    ),
    (
        "response-json",
        """
        r = Response.json({"a": [1, None]})
        print("status", show(r.status), show(r.headers.get("content-type")))
        print("text", show(await r.text()))
        """,
        "Response.json(dict)",
    ),
    (
        "response-101-without-socket",
        """
        try:
            r = Response(None, status=101)
            print("status", show(r.status))
        except Exception as exc:
            print("raised", show(exc))
        """,
        "status 101 without a WebSocket",
    ),
    (
        "response-socket-wrong-status",
        """
        client, server = WebSocketPair.new().object_values()
        try:
            r = Response(None, status=200, web_socket=client)
            print("status", show(r.status))
        except Exception as exc:
            print("raised", show(exc))
        """,
        "a WebSocket with status 200",
    ),
    (
        "request-headers-get",
        """
        from js import Request as JsRequest
        init = to_js({"headers": {"Upgrade": "websocket"}}, dict_converter=Object.fromEntries)
        req = Request(JsRequest.new("https://example.com/chat?room=a", init))
        print("upgrade", show(req.headers.get("upgrade")))
        print("missing", show(req.headers.get("x-missing")))
        print("default", show(req.headers.get("x-missing", "dflt")))
        print("url", show(req.url), "method", show(req.method))
        """,
        "request.headers.get(k) and get(k, default)",
    ),
    (
        "request-url-parse",
        """
        from urllib.parse import urlparse, parse_qs
        from js import Request as JsRequest
        req = Request(JsRequest.new("https://example.com/room/b?name=x"))
        url = urlparse(req.url)
        print(show(url.path), show(parse_qs(url.query)))
        """,
        "request.url with urllib",
    ),
    (
        "request-body-text",
        """
        from js import Request as JsRequest
        req = Request(JsRequest.new("https://example.com/", to_js({"method": "POST", "body": "payload"},
                      dict_converter=Object.fromEntries)))
        print("text", show(await req.text()))
        """,
        "await request.text()",
    ),
    (
        "response-headers-mapping",
        """
        r = Response("x", headers={"a": "1", "b": "2"})
        print(show(sorted(r.headers.keys())))
        """,
        "Response headers as a mapping",
    ),
    (
        "response-status-text",
        """
        r = Response("x", status=404, status_text="Nope")
        print(show(r.status), show(r.js_object.statusText))
        """,
        "status_text",
    ),
]
for _slug, _body, _about in _SDK:
    S(
        f"sdk-{_slug}",
        f"Cloudflare's SDK in Pyodide: {_about}.",
        _program(
            """
            from js import WebSocketPair, Object
            from pyodide.ffi import to_js
            from workers import Request, Response
            """,
            _body,
        ),
        tags=("sdk",),
    )

# ---------------------------------------------------------------------- Durable Objects through the glue

_OBJECT = """
import asyncio
from js import WebSocketPair
from pyodide.ffi import create_proxy, to_js
from workers import DurableObject, Response

class Room(DurableObject):
    async def fetch(self, request):
        client, server = WebSocketPair.new().object_values()
        ACCEPT
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        print("object message", show(message))
        try:
            MESSAGE_BODY
        except Exception as exc:
            print("handler raised", show(exc))
            raise

    async def webSocketClose(self, ws, code, reason, was_clean):
        print("object close", show(code), show(reason), show(was_clean))

    async def webSocketError(self, ws, error):
        print("object error", show(error))

stub = env.OBJECT.get(env.OBJECT.newUniqueId())
response = await stub.fetch("https://example.com/", headers={"Upgrade": "websocket"})
print("status", show(response.status))
ws = response.js_object.webSocket
ws.accept()
ws.addEventListener("message", create_proxy(lambda e: print("client message", show(e.data))))
ws.addEventListener("close", create_proxy(lambda e: print("client close", show(e.code), show(e.reason))))
"""

_ACCEPTS = {
    "": "self.ctx.acceptWebSocket(server)",
    "tags": "self.ctx.acceptWebSocket(server, to_js(['room', 'x']))",
    "tags-python-list": "self.ctx.acceptWebSocket(server, ['room', 'x'])",
}
_OBJECTS = [
    ("text", "pass", "ws.send('hello')", "a text message reaches webSocketMessage as str"),
    (
        "binary",
        "pass",
        "ws.send(to_js(b'\\x01\\x02'))",
        "a binary message reaches webSocketMessage as a JsProxy",
    ),
    (
        "echo",
        "ws.send('echo:' + message)",
        "ws.send('a'); ws.send('b')",
        "the object echoes from its handler",
    ),
    ("close", "pass", "ws.close(1000, 'bye')", "webSocketClose gets code, reason and wasClean"),
    ("close-from-object", "ws.close(4000, 'out')", "ws.send('x')", "the object closes from its handler"),
    (
        "get-websockets",
        "print('sockets', len(self.ctx.getWebSockets()))",
        "ws.send('x')",
        "ctx.getWebSockets() from the handler",
    ),
    (
        "tags",
        "print('tags', show(self.ctx.getTags(ws)))",
        "ws.send('x')",
        "ctx.getTags(ws) is a JsProxy of an Array",
    ),
    (
        "tags-python-list",
        "print('tags', show(self.ctx.getTags(ws)))",
        "ws.send('x')",
        "acceptWebSocket(server, a Python list) is refused: a list without to_js is no Array",
    ),
    (
        "attachment",
        "ws.serializeAttachment({'n': 1})\n        print('attachment', show(ws.deserializeAttachment()))",
        "ws.send('x')",
        "serializeAttachment of a Python dict, read back",
    ),
    (
        "attachment-to-js",
        "from pyodide.ffi import to_js\n        from js import Object\n"
        "        ws.serializeAttachment(to_js({'n': 1}, dict_converter=Object.fromEntries))\n"
        "        print('attachment', show(ws.deserializeAttachment()))",
        "ws.send('x')",
        "serializeAttachment of a converted object, read back",
    ),
    (
        "storage-unawaited",
        "self.ctx.storage.put('k', 'kept:' + message)\n"
        "        print('stored', show(await self.ctx.storage.get('k')))",
        "ws.send('x')",
        "storage.put() without await still writes: a JS promise starts when it is called",
    ),
    (
        "extra-arguments",
        "ws.send('echo:' + message, 'extra')\n"
        "        print('tags', show(self.ctx.getTags(ws, 1)))\n"
        "        ws.serializeAttachment(1, 2)\n"
        "        print('attachment', show(ws.deserializeAttachment(3)))",
        "ws.send('x', 'y')",
        "arguments beyond a method's parameters are ignored, as JavaScript ignores them",
    ),
    ("raise", "raise ValueError('handler failed')", "ws.send('x'); ws.send('y')", "a handler that raises"),
    (
        "await-then-send",
        "await asyncio.sleep(0.005)\n        ws.send('late:' + message)",
        "ws.send('a'); ws.send('b')",
        "a handler that awaits a timer lets the next message in",
    ),
]
for _slug, _handler, _client, _about in _OBJECTS:
    S(
        f"object-{_slug}",
        f"A Durable Object in Python (the project's glue): {_about}.",
        _program(
            _OBJECT.replace("MESSAGE_BODY", _handler.replace("\n        ", "\n            ")).replace(
                "ACCEPT", _ACCEPTS.get(_slug, _ACCEPTS[""])
            ),
            "\n".join(_client.split("; ")),
            "await asyncio.sleep(0.05)",
        ),
        tags=("durable", "sdk"),
    )


# ---------------------------------------------------------------------- run_sync

_RUN_SYNC = """
import asyncio
from pyodide.ffi import run_sync
from js import Promise

def sync_caller(what, aw):
    try:
        print(what, "->", show(run_sync(aw)))
    except BaseException as exc:
        print(what, "raised", type(exc).__name__)
"""

S(
    "run-sync-ready",
    "run_sync() from synchronous code returns what needs no waiting: a coroutine that finishes, "
    "a settled promise, asyncio.sleep(0).",
    _program(
        _RUN_SYNC,
        """
        async def at_once():
            return 7

        sync_caller("coroutine", at_once())
        sync_caller("Promise.resolve", Promise.resolve(5))
        sync_caller("sleep(0)", asyncio.sleep(0, "slept"))
        """,
    ),
    configs=(("2026-11-17", ()),),
    tags=("ffi", "run_sync"),
)
S(
    "run-sync-waits",
    "run_sync() from synchronous code waits for a timer or a future another task settles: Pyodide "
    "suspends the Python stack with JSPI.",
    _program(
        _RUN_SYNC,
        """
        async def later():
            await asyncio.sleep(0.01)
            return 42

        sync_caller("timer", later())
        fut = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.01, fut.set_result, "fut")
        sync_caller("future", fut)
        """,
    ),
    configs=(("2026-11-17", ()),),
    tags=("ffi", "run_sync"),
)
S(
    "await-rejected-js-error",
    "Awaiting a promise rejected with a JS Error raises JsException (name 'Error'), in a coroutine "
    "as through run_sync().",
    _program(
        _RUN_SYNC,
        """
        from js import Error

        try:
            await Promise.reject(Error.new("no"))
        except BaseException as exc:
            print("await raised", type(exc).__name__, exc)
        sync_caller("run_sync", Promise.reject(Error.new("no")))
        """,
    ),
    configs=(("2026-11-17", ()),),
    tags=("ffi", "run_sync"),
)

# ---------------------------------------------------------------------- storage.transaction()

S(
    "storage-transaction",
    "storage.transaction(fn) commits what fn wrote; if fn raises, or calls txn.rollback(), every write "
    "goes back; txn after rollback() and txn.deleteAll() throw workerd's Errors; transactionSync on a "
    "key-value object throws.",
    _program(
        """
        from pyodide.ffi import create_proxy
        from workers import DurableObject, Response

        class Store(DurableObject):
            async def fetch(self, request):
                storage = self.ctx.storage

                async def commit(txn):
                    await txn.put("a", 1)
                    return "committed"

                done = await storage.transaction(create_proxy(commit))
                print("commit", show(done), show(await storage.get("a")))

                async def fail(txn):
                    await txn.put("a", 2)
                    await txn.put("b", 3)
                    raise ValueError("no")

                try:
                    await storage.transaction(create_proxy(fail))
                except Exception as exc:
                    print("fail raised", type(exc).__name__, exc)
                print("after fail", show(await storage.get("a")), show(await storage.get("b")))

                async def roll(txn):
                    await txn.put("a", 4)
                    txn.rollback()
                    try:
                        await txn.get("a")
                    except Exception as exc:
                        print("get after rollback", type(exc).__name__, exc)
                    try:
                        await txn.deleteAll()
                    except Exception as exc:
                        print("deleteAll", type(exc).__name__, exc)
                    return "rolled"

                done = await storage.transaction(create_proxy(roll))
                print("rollback", show(done), show(await storage.get("a")))
                try:
                    storage.transactionSync(create_proxy(lambda: None))
                except Exception as exc:
                    print("transactionSync", type(exc).__name__, exc)
                return Response("ok")

        stub = env.OBJECT.get(env.OBJECT.newUniqueId())
        response = await stub.fetch("https://example.com/")
        print("status", show(response.status))
        """,
    ),
    configs=(("2026-11-17", ()),),
    tags=("durable", "storage"),
)

# HTMLRewriter, in its own module.
from .library_html import HTML_SCENARIOS  # noqa: E402

PY_SCENARIOS.extend(HTML_SCENARIOS)
