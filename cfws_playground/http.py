"""HTTP types as Workers spell them: ``Headers``, ``Request`` and ``Response``.

``Response(None, status=101, webSocket=client)`` is how a Worker hands one end
of a :class:`~cfws_playground.WebSocketPair` to a client. workerd checks the
status when the ``Response`` is built (texts from ``src/workerd/api/http.c++``);
the checks on the returned end itself run when the response is *sent*
(:mod:`cfws_playground.links`).
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import errors
from .errors import RangeError
from .socket import WebSocket

__all__ = ["Headers", "Request", "Response"]

# workerd's texts (src/workerd/api/http.c++ and jsg/util.c++), word for word.
STATUS_WITH_WEBSOCKET = "Responses with a WebSocket must have status code 101."
STATUS_RANGE = "Responses may only be constructed with status codes in the range 200 to 599, inclusive."
NULL_BODY_STATUS = "Response with null body status (101, 204, 205, or 304) cannot have a body."

# ---------------------------------------------------------------------- Headers


class Headers:
    """Mirrors ``Headers``: a case-insensitive multimap of HTTP header fields.

    ``get()`` joins repeated fields with ``", "`` as the Fetch standard says;
    iteration yields lower-cased names, sorted, as in JavaScript.
    """

    def __init__(self, init: Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None = None) -> None:
        self._fields: dict[str, list[str]] = {}
        if init is None:
            return
        items: Iterable[tuple[str, str]]
        if isinstance(init, Headers):
            items = init.items()
        elif isinstance(init, Mapping):
            items = init.items()
        else:
            items = init
        for name, value in items:
            self.append(name, value)

    def get(self, name: str, default: Any = None) -> Any:
        """Mirrors ``Headers.get()``: the field's values joined by ``", "``, or ``default`` (None).

        ``default`` is the Python mapping habit: ``request.headers.get("Upgrade", "")``.
        """
        values = self._fields.get(name.lower())
        return default if values is None else ", ".join(values)

    def has(self, name: str) -> bool:
        """Mirrors ``Headers.has()``."""
        return name.lower() in self._fields

    def set(self, name: str, value: str) -> None:
        """Mirrors ``Headers.set()``: replace every value of the field."""
        self._fields[name.lower()] = [str(value)]

    def append(self, name: str, value: str) -> None:
        """Mirrors ``Headers.append()``: add one more value to the field."""
        self._fields.setdefault(name.lower(), []).append(str(value))

    def delete(self, name: str) -> None:
        """Mirrors ``Headers.delete()``."""
        self._fields.pop(name.lower(), None)

    def items(self) -> list[tuple[str, str]]:
        """Every (lower-cased name, value) pair, one per value, names sorted."""
        return [(k, v) for k in sorted(self._fields) for v in self._fields[k]]

    def entries(self) -> Iterator[tuple[str, str]]:
        """Mirrors ``Headers.entries()``: (name, joined value) pairs, names sorted."""
        for k in sorted(self._fields):
            yield k, ", ".join(self._fields[k])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return self.entries()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.has(name)

    def __getitem__(self, name: str) -> str:
        value: str | None = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Headers({dict(self.entries())!r})"


def _headers(init: Any) -> Headers:
    if isinstance(init, Headers):
        return Headers(init)
    if init is None:
        return Headers()
    if isinstance(init, Mapping) or isinstance(init, (list, tuple)):
        return Headers(init)
    raise TypeError(
        f"headers must be a dict, a list of (name, value) pairs or Headers, not {type(init).__name__}"
    )


def _body_bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(
        f"a body must be None, str or bytes-like, not {type(body).__name__} "
        "(serialize structured data first: json.dumps(value))"
    )


# ---------------------------------------------------------------------- Request / Response


class _Body:
    """What ``Request`` and ``Response`` share in JS (the Body mixin): reading the body."""

    _body: bytes | None

    @property
    def body(self) -> bytes | None:
        """The body as bytes (``None`` without one); JS exposes a stream here."""
        return self._body

    async def text(self) -> str:
        """Mirrors ``text()``: the body decoded as UTF-8 (empty without one)."""
        return (self._body or b"").decode("utf-8", "replace")

    async def json(self) -> Any:
        """Mirrors ``json()``: the body parsed as JSON."""
        return _json.loads(await self.text())

    async def arrayBuffer(self) -> bytes:
        """Mirrors ``arrayBuffer()``: the body as bytes (empty without one)."""
        return self._body or b""

    async def bytes(self) -> bytes:
        """The body as bytes, as ``bytes()`` in newer runtimes."""
        return self._body or b""


class Request(_Body):
    """Mirrors ``Request`` (the part a WebSocket Worker reads): method, url, headers, body.

    Args:
        url: the full URL, e.g. ``"http://127.0.0.1:8787/chat"``.
        method: the HTTP method.
        headers: a dict, a list of pairs or :class:`Headers`; names are case-insensitive.
        body: the request body (``str`` or bytes), if any.
    """

    def __init__(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None = None,
        body: str | bytes | None = None,
    ) -> None:
        self.url = str(url)
        self.method = method.upper()
        self.headers = _headers(headers)
        self._body = _body_bytes(body)

    @property
    def is_websocket_upgrade(self) -> bool:
        """True when the request carries ``Upgrade: websocket`` (case-insensitive), as workerd checks.

        A kit convenience: in JavaScript, ``request.headers.get("Upgrade") === "websocket"``.
        """
        value = self.headers.get("upgrade")
        return value is not None and value.strip().lower() == "websocket"

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


class Response(_Body):
    """Mirrors ``Response``: what ``fetch`` returns.

    ``Response(body=None, status=200, headers=None, webSocket=None)``; also
    ``web_socket=`` as Python Workers spell it. Building a response with a
    WebSocket checks only the status; whether the end may be returned is
    checked when the response is sent (see the module docstring).

    Raises:
        RangeError: a WebSocket with a status other than 101 ("Responses with a
            WebSocket must have status code 101."), or a status outside 200-599
            without a WebSocket.
        TypeError: a body with status 204, 205 or 304, ``webSocket`` that is not
            a :class:`~cfws_playground.WebSocket`, or both spellings at once.
    """

    def __init__(
        self,
        body: str | bytes | None = None,
        status: int = 200,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None = None,
        webSocket: WebSocket | None = None,
        *,
        statusText: str = "",
        web_socket: WebSocket | None = None,
    ) -> None:
        if webSocket is not None and web_socket is not None:
            raise TypeError("pass the WebSocket as webSocket= or web_socket=, not both")
        ws = webSocket if webSocket is not None else web_socket
        if ws is not None and not isinstance(ws, WebSocket):
            raise TypeError(errors.RESPONSE_WEBSOCKET_NOT_OF_TYPE)
        if isinstance(status, bool) or not isinstance(status, int):
            raise TypeError(f"status must be an int, not {type(status).__name__}")
        if ws is not None:
            if status != 101:
                raise RangeError(STATUS_WITH_WEBSOCKET)
        elif not 200 <= status <= 599:
            raise RangeError(STATUS_RANGE)
        data = _body_bytes(body)
        if data is not None and status in (101, 204, 205, 304):
            raise TypeError(NULL_BODY_STATUS)
        self.status = status
        self.statusText = statusText
        self.headers = _headers(headers)
        self.webSocket = ws
        self._body = data

    @property
    def web_socket(self) -> WebSocket | None:
        """``webSocket`` as Python Workers spell it."""
        return self.webSocket

    def _for_runtime(self) -> Response:
        """The response as the runtime takes it from a Worker: itself (a JavaScript-shaped
        subclass gives the kit's own ``Response`` behind it)."""
        return self

    @property
    def ok(self) -> bool:
        """Mirrors ``Response.ok``: status in 200-299."""
        return 200 <= self.status <= 299

    def __repr__(self) -> str:
        extra = " webSocket" if self.webSocket is not None else ""
        return f"<Response {self.status}{extra}>"
