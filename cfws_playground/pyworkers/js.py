"""The ``js`` module for code the kit runs: the JavaScript globals Python Workers import.

``from js import WebSocketPair, Object, Response, Headers, URL, JSON, console, Date``
gives the kit's runtime in the shapes Pyodide shows: ``WebSocketPair.new()``,
``Object.values(pair)``, ``Response.new(body, init)``, ``URL.new(href)``,
``Date.now()``. ``WebSocketRequestResponsePair`` is here too, and ``Promise``,
``setTimeout`` and ``clearTimeout`` on the kit's event loop (:mod:`.jsasync`).

A JS class is made with ``.new()``: calling it (``WebSocketPair()``) raises
``JsException`` (``TypeError: Failed to construct 'WebSocketPair': Please use the
'new' operator ...``), as in Pyodide. What the classes make are ``JsProxy``
objects (:mod:`.jsproxy`).
"""

from __future__ import annotations

import json as _json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..durable.state import WebSocketRequestResponsePair as _WebSocketRequestResponsePair
from ..http import Headers as _Headers, Response as _Response
from ..promise import JsPromise, started
from ..socket import WebSocket, WebSocketPair as _WebSocketPair
from .ffi import JsException, JsObject, to_py
from .htmlrewriter import HTMLRewriter
from .jsasync import Promise, clearTimeout, setTimeout
from .jsjson import JSON
from .jsobjects import JsHeaders, JsRequest, JsResponse
from .jsproxy import (
    JsArrayBufferProxy,
    JsWebSocketPair,
    _Wrapper,
    from_runtime,
    js_errors,
    js_string,
    to_runtime,
)
from .streams import ReadableStream, TransformStream, WritableStream

__all__ = [
    "JSON",
    "URL",
    "Array",
    "Error",
    "Event",
    "queueMicrotask",
    "Date",
    "HTMLRewriter",
    "Headers",
    "Object",
    "Promise",
    "Request",
    "ReadableStream",
    "Response",
    "TransformStream",
    "WebSocket",
    "WebSocketPair",
    "WebSocketRequestResponsePair",
    "WritableStream",
    "clearTimeout",
    "console",
    "crypto",
    "fetch",
    "setTimeout",
]

_console_log = logging.getLogger("cfws_playground.console")


class _JsClass:
    """A JavaScript class: made with ``.new()``; calling it is JS's ``TypeError``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise JsException(
            f"Failed to construct '{cls.__name__}': Please use the 'new' operator, "
            "this object constructor cannot be called as a function.",
            name="TypeError",
        )


class WebSocketPair(_JsClass):
    """JavaScript's ``WebSocketPair``: ``WebSocketPair.new()`` is a JsProxy; ``object_values()`` gives
    ``[client, server]``."""

    @staticmethod
    def new() -> JsWebSocketPair:
        return JsWebSocketPair(_WebSocketPair())


class _JsRequestResponsePair(_Wrapper):
    __slots__ = ()
    _js_class = "WebSocketRequestResponsePair"


_JsRequestResponsePair.__name__ = _JsRequestResponsePair.__qualname__ = "JsProxy"


class WebSocketRequestResponsePair(_JsClass):
    """JavaScript's ``WebSocketRequestResponsePair``: ``.new(request, response)``."""

    @staticmethod
    def new(request: Any, response: Any) -> _JsRequestResponsePair:
        with js_errors():
            return _JsRequestResponsePair(_WebSocketRequestResponsePair(request, response))


class Event(_JsClass):
    """JavaScript's ``Event``: ``Event.new(type)``, for ``dispatchEvent()``."""

    @staticmethod
    def new(type: str) -> Any:  # noqa: A002 - JS name
        from ..events import Event as _Event

        with js_errors():
            return from_runtime(_Event(js_string(type)))


class Object:
    """JavaScript's ``Object``: ``values``, ``keys``, ``entries``, ``fromEntries``."""

    @staticmethod
    def values(obj: Any) -> list[Any]:
        if isinstance(obj, JsWebSocketPair):
            return obj.object_values()
        if isinstance(obj, Mapping):
            return list(obj.values())
        return list(obj)

    @staticmethod
    def keys(obj: Any) -> list[Any]:
        if isinstance(obj, JsWebSocketPair):
            return obj.object_keys()
        return [str(k) for k in obj]

    @staticmethod
    def entries(obj: Any) -> list[list[Any]]:
        if isinstance(obj, JsWebSocketPair):
            return obj.object_entries()
        return [[k, v] for k, v in obj.items()]

    @staticmethod
    def fromEntries(entries: Iterable[Any]) -> JsObject:
        return JsObject((k, v) for k, v in entries)


def _body(body: Any) -> Any:
    """A body as the runtime takes it: an ``ArrayBuffer`` (``to_js(data).buffer``) is its bytes."""
    if isinstance(body, JsArrayBufferProxy):
        return body.to_bytes()
    return body


def _init(init: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A JS init object: a dict, a to_js() object, or Pyodide's keyword-arguments form."""
    out = dict(to_py(init) if init is not None else {})
    out.update(kwargs)
    return out


class Response(_JsClass):
    """JavaScript's ``Response`` as Pyodide shows it: ``Response.new(body, init)``."""

    @staticmethod
    def new(body: Any = None, init: Any = None, **kwargs: Any) -> JsResponse:
        with js_errors():
            return Response._new(body, init, **kwargs)

    @staticmethod
    def _new(body: Any = None, init: Any = None, **kwargs: Any) -> JsResponse:
        opts = {k: to_runtime(v) for k, v in _init(init, kwargs).items()}
        if isinstance(body, _Response):  # new Response(body, otherResponse)
            body = body.body
        body = _body(body)
        stream = body if isinstance(body, ReadableStream) else None
        if stream is not None:
            body = None  # sent once the stream ends (see kit_response)
        response = JsResponse.of(
            _Response(
                body,
                status=opts.get("status", 200),  # as in JS: a webSocket without status 101 is a RangeError
                headers=opts.get("headers"),
                webSocket=opts.get("webSocket"),
                statusText=opts.get("statusText", ""),
            )
        )
        response._stream = stream
        if isinstance(body, str) and not response.headers.has("content-type"):
            response.headers.set("content-type", "text/plain;charset=UTF-8")  # the Fetch spec's, as workerd
        return response

    @staticmethod
    def json(data: Any, init: Any = None, **kwargs: Any) -> JsResponse:
        opts = _init(init, kwargs)
        headers = _Headers(opts.get("headers"))
        if not headers.has("content-type"):
            headers.set("content-type", "application/json")
        body = _json.dumps(to_py(data))
        return JsResponse.of(_Response(body, status=opts.get("status", 200), headers=headers))

    @staticmethod
    def redirect(url: str, status: int = 302) -> JsResponse:
        return JsResponse.of(_Response(None, status=status, headers={"location": url}))


class Request(_JsClass):
    """JavaScript's ``Request``: ``Request.new(url, init)``."""

    @staticmethod
    def new(url: Any, init: Any = None, **kwargs: Any) -> JsRequest:
        opts = _init(init, kwargs)
        if isinstance(url, JsRequest):
            url = url.url
        return JsRequest(
            str(url),
            method=opts.get("method", "GET"),
            headers=opts.get("headers"),
            body=_body(opts.get("body")),
        )


class Headers(_JsClass):
    """JavaScript's ``Headers``: ``Headers.new(init)``."""

    @staticmethod
    def new(init: Any = None) -> JsHeaders:
        if init is not None and not isinstance(init, (Mapping, _Headers, list, tuple)):
            init = list(init)  # dict_items and other iterables of pairs
        return JsHeaders(to_py(init) if init is not None else None)


class _SearchParams:
    def __init__(self, query: str) -> None:
        self._pairs = parse_qsl(query, keep_blank_values=True)

    def get(self, name: str) -> str | None:
        return next((v for k, v in self._pairs if k == name), None)

    def getAll(self, name: str) -> list[str]:
        return [v for k, v in self._pairs if k == name]

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self._pairs)


class _URL:
    def __init__(self, href: str) -> None:
        parts = urlsplit(href)
        self.href = href
        self.protocol = parts.scheme + ":"
        self.host = parts.netloc
        self.hostname = parts.hostname or ""
        self.port = "" if parts.port is None else str(parts.port)
        self.pathname = parts.path or "/"
        self.search = "?" + parts.query if parts.query else ""
        self.hash = "#" + parts.fragment if parts.fragment else ""
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.searchParams = _SearchParams(parts.query)

    def toString(self) -> str:
        return self.href

    def __str__(self) -> str:
        return self.href


class URL(_JsClass):
    """JavaScript's ``URL``: ``URL.new(href)`` with ``pathname``, ``searchParams.get()``, ..."""

    @staticmethod
    def new(url: Any, base: Any = None) -> _URL:
        href = str(url)
        if base is not None:
            from urllib.parse import urljoin

            href = urljoin(str(base), href)
        return _URL(href)


class _Date:
    def __init__(self, ms: float) -> None:
        self._ms = ms

    def getTime(self) -> float:
        return self._ms

    def valueOf(self) -> float:
        return self._ms

    def toISOString(self) -> str:
        seconds, ms = divmod(int(self._ms), 1000)
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


class Date:
    """JavaScript's ``Date``: ``Date.now()`` (ms since the epoch) and ``Date.new(ms)``."""

    @staticmethod
    def now() -> int:
        return int(time.time() * 1000)  # an integral JS number: a Python int, as in Pyodide

    @staticmethod
    def new(ms: float | None = None) -> _Date:
        return _Date(Date.now() if ms is None else float(ms))


class _Console:
    """``console.log`` and friends: lines on the ``cfws_playground.console`` logger (serve shows them)."""

    def log(self, *args: Any) -> None:
        _console_log.info("%s", " ".join(map(str, args)))

    info = debug = log

    def warn(self, *args: Any) -> None:
        _console_log.warning("%s", " ".join(map(str, args)))

    def error(self, *args: Any) -> None:
        _console_log.error("%s", " ".join(map(str, args)))


console = _Console()


class Array:
    """JavaScript's ``Array``: ``Array.new()`` is a list."""

    @staticmethod
    def new(*items: Any) -> list[Any]:
        return list(items)


class Error:
    """JavaScript's ``Error``: ``Error.new(message)`` (or ``Error(message)``, which JS allows too)
    is a JS error, as Pyodide shows one: a ``JsException`` named ``Error``; raised, or a promise
    rejected with it and awaited, it reaches Python as that ``JsException``
    (``py-await-rejected-js-error``)."""

    def __new__(cls, message: Any = "") -> JsException:  # type: ignore[misc]
        return Error.new(message)

    @staticmethod
    def new(message: Any = "") -> JsException:
        from .jsproxy import js_string

        return JsException("" if message is None else js_string(message), name="Error")


def queueMicrotask(callback: Any) -> None:
    """JavaScript's ``queueMicrotask``: the callback runs before the next task (event, timer)."""
    from ..dispatch import queue_microtask
    from ..durable.state import DurableObjectAbort

    def run() -> None:
        try:
            callback()
        except DurableObjectAbort:
            pass  # ctx.abort() queued by the SDK: the object is reset, nothing else to do

    queue_microtask(run)


async def network_fetch(resource: Any, init: Any) -> _Response:
    """``fetch()`` to the network: a WebSocket upgrade to a server on this machine, nothing else."""
    opts = dict(to_py(init) if init is not None else {})
    url = getattr(resource, "url", resource)
    headers = _Headers(getattr(resource, "headers", None))
    for name, value in _Headers(to_py(opts.get("headers")) if opts.get("headers") else None).items():
        headers.set(name, value)
    if (headers.get("upgrade") or "").lower() != "websocket":
        raise OSError(
            "fetch() to the network is not modelled by cfws-playground, except a WebSocket "
            "upgrade to a server on this machine (headers={'Upgrade': 'websocket'})"
        )
    from ..bridge.outbound import websocket_fetch

    return JsResponse.of(await websocket_fetch(str(url), headers))


def fetch(resource: Any, init: Any = None, **kwargs: Any) -> JsPromise[_Response]:
    """JavaScript's ``fetch()``: here, a WebSocket upgrade (``resp.webSocket``) to a local server."""
    return started(network_fetch(resource, _init(init, kwargs)))


class _Crypto:
    """``crypto.randomUUID()`` and ``crypto.getRandomValues(array)``."""

    def randomUUID(self) -> str:
        import uuid

        return str(uuid.uuid4())

    def getRandomValues(self, array: Any) -> Any:
        import secrets

        view = memoryview(array).cast("B")
        view[:] = secrets.token_bytes(len(view))
        return array


crypto = _Crypto()
