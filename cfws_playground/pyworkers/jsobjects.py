"""The kit's HTTP objects as JavaScript objects, for Cloudflare's SDK to wrap.

The SDK (``workers-runtime-sdk``) recognises a JS object by
``obj.constructor.name`` and reads its JS members (``bodyUsed``,
``arrayBuffer()``, ``statusText``). These subclasses add exactly that to the
kit's :class:`~cfws_playground.http.Request`, ``Response`` and ``Headers``, so
the runtime still sees its own types.
"""

from __future__ import annotations

from typing import Any

from ..http import Headers, Request, Response
from .ffi import JsProxy

__all__ = [
    "JsArrayBuffer",
    "JsHeaders",
    "JsRequest",
    "JsResponse",
    "JsUint8Array",
    "constructor",
    "runtime_response",
]


class _Constructor:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"[Function: {self.name}]"


def constructor(name: str) -> _Constructor:
    """What ``value.constructor`` reads for a JS object of class ``name``."""
    return _Constructor(name)


class JsArrayBuffer(bytes, JsProxy):
    """An ``ArrayBuffer``: the bytes, with Pyodide's ``to_bytes()`` and ``to_py()``, and ``byteLength``."""

    constructor = constructor("ArrayBuffer")

    @property
    def byteLength(self) -> int:
        return len(self)

    def to_bytes(self) -> bytes:
        return bytes(self)

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return memoryview(bytes(self))


class JsUint8Array(bytes, JsProxy):
    """A ``Uint8Array`` (what ``to_js(bytes)`` makes): the bytes, with ``slice()``, ``buffer``,
    ``byteLength`` and Pyodide's ``to_bytes()``."""

    constructor = constructor("Uint8Array")

    @property
    def byteLength(self) -> int:
        return len(self)

    @property
    def length(self) -> int:
        return len(self)

    @property
    def buffer(self) -> JsArrayBuffer:
        """Mirrors ``buffer``: the ``ArrayBuffer`` under the view."""
        return JsArrayBuffer(self)

    def slice(self, start: int = 0, end: int | None = None) -> JsUint8Array:
        """Mirrors ``slice(start, end)``: a copy of that range."""
        return JsUint8Array(bytes(self)[start:end])

    def to_bytes(self) -> bytes:
        return bytes(self)

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return memoryview(bytes(self))


class JsHeaders(Headers):
    """JS ``Headers``."""

    constructor = constructor("Headers")

    def getSetCookie(self) -> list[str]:
        return list(self._fields.get("set-cookie", []))


# workerd's text (src/workerd/api/http.c++).
_BODY_USED = (
    "Body has already been used. It can only be used once. Use tee() first if you need to read it twice."
)


class _Body:
    _body: bytes | None
    _used: bool

    @property
    def bodyUsed(self) -> bool:
        return getattr(self, "_used", False)

    def _take(self) -> bytes:
        if self.bodyUsed:
            raise TypeError(_BODY_USED)
        self._used = self._body is not None
        return self._body or b""

    async def text(self) -> str:
        return self._take().decode("utf-8", "replace")

    async def arrayBuffer(self) -> JsArrayBuffer:
        return JsArrayBuffer(self._take())


class JsRequest(_Body, Request):
    """JS ``Request``, over the kit's."""

    constructor = constructor("Request")

    @property
    def body(self) -> Any:
        """Mirrors ``request.body``: a ``ReadableStream`` of the body's bytes, or None without one."""
        from .streams import ReadableStream

        return None if not self._body else ReadableStream.of(self._body)

    @classmethod
    def of(cls, request: Request) -> JsRequest:
        """The same request, seen as a JS object (its headers too)."""
        if isinstance(request, JsRequest):
            return request
        js = object.__new__(cls)
        js.__dict__.update(request.__dict__)
        js.headers = JsHeaders(request.headers)
        return js

    def clone(self) -> JsRequest:
        copy = JsRequest.of(self)
        copy.__dict__ = dict(self.__dict__)
        return copy


class JsResponse(_Body, Response, JsProxy):
    """JS ``Response``, over the kit's: what ``js.Response.new()`` makes, and an SDK ``Response``'s
    ``js_object``: a ``JsProxy`` for Python code, whose ``webSocket`` is a ``JsProxy`` of the end.

    The runtime takes the kit's own behind it (:func:`runtime_response`)."""

    constructor = constructor("Response")

    @property
    def webSocket(self) -> Any:
        """Mirrors ``response.webSocket``: the end as Pyodide shows it (``==`` compares sockets)."""
        from .jsproxy import from_runtime

        return from_runtime(self.__dict__.get("webSocket"))

    @webSocket.setter
    def webSocket(self, value: Any) -> None:
        from .jsproxy import to_runtime

        self.__dict__["webSocket"] = to_runtime(value)

    url = ""
    type = "default"
    redirected = False
    #: A body given as a ReadableStream: read to its end before the response is sent.
    _stream: Any = None

    def to_py(self, *, depth: int = -1, default_converter: Any = None) -> Any:
        return self

    def _for_runtime(self) -> Response:
        return runtime_response(self)

    @classmethod
    def of(cls, response: Response) -> JsResponse:
        if isinstance(response, JsResponse):
            return response
        js = object.__new__(cls)
        js.__dict__.update(response.__dict__)
        js.headers = JsHeaders(response.headers)
        return js


def runtime_response(response: Response) -> Response:
    """The kit's own ``Response`` behind a :class:`JsResponse` (the end itself as ``webSocket``),
    for the runtime; any other response as it is."""
    if not isinstance(response, JsResponse):
        return response
    plain = object.__new__(Response)
    plain.__dict__.update(response.__dict__)
    return plain
