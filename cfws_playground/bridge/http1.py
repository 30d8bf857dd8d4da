"""The HTTP side of a connection: what goes on the wire before (or instead of) a WebSocket.

Plain HTTP/1.1 is parsed and framed by ``h11``; this module turns its events
into the kit's :class:`~cfws_playground.http.Request`, a Worker's
:class:`~cfws_playground.http.Response` into bytes, and checks an upgrade
request the way workerd does when a Worker answers it with a WebSocket (texts
measured on workerd 2026-11-17, ``workerd-observed.md`` §7):

* not GET (POST, HEAD, ...): 400 ``ERROR: WebSocket must be initiated with a GET request.``
* no ``Sec-WebSocket-Key``: 400 ``ERROR: Missing Sec-WebSocket-Key``
* ``Sec-WebSocket-Version`` other than 13: 426 ``ERROR: The requested WebSocket version is not supported.``
"""

from __future__ import annotations

import base64
import binascii
import http

import h11

from ..http import Headers, Request, Response

__all__ = ["escape", "handshake_problem", "kit_response", "to_request", "worker_response_head"]

# Fields the wire layer writes itself; a Worker's values for them are not copied.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "upgrade",
        "sec-websocket-accept",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
        "content-length",
        "transfer-encoding",
        "keep-alive",
        "date",
        "server",
    }
)

NOT_GET = "WebSocket must be initiated with a GET request."
NO_KEY = "Missing Sec-WebSocket-Key"
BAD_VERSION = "The requested WebSocket version is not supported."

_CONTROL = {i: f"\\x{i:02x}" for i in [*range(32), 127]}
_CONTROL.update({9: "\\t", 10: "\\n", 13: "\\r"})


def escape(text: str | bytes, limit: int = 200) -> str:
    """Text from the network made safe for one log line: control characters escaped, length capped."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    clipped = text[:limit].translate(_CONTROL)
    return clipped + ("…" if len(text) > limit else "")


def to_request(event: h11.Request, body: bytes | None, default_host: str) -> Request:
    """The Worker's view of a parsed request: absolute URL, headers in their order, body."""
    headers = Headers([(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers])
    host = headers.get("host") or default_host
    target = event.target.decode("latin-1")
    url = target if target.startswith(("http://", "https://")) else f"http://{host}{target}"
    return Request(url, method=event.method.decode("ascii"), headers=headers, body=body)


def handshake_problem(request: Request) -> tuple[int, str, list[tuple[str, str]]] | None:
    """Why an upgrade request answered with a WebSocket cannot become one: (status, text, headers)."""
    if request.method != "GET":
        return 400, NOT_GET, []
    headers = request.headers
    connection = (headers.get("connection") or "").lower()
    if "upgrade" not in [t.strip() for t in connection.split(",")]:
        return 400, "Connection header must include 'Upgrade'", []
    keys = headers._fields.get("sec-websocket-key", [])
    if not keys:
        return 400, NO_KEY, []
    try:
        if len(keys) != 1 or len(base64.b64decode(keys[0].encode("ascii"), validate=True)) != 16:
            return 400, "Invalid Sec-WebSocket-Key", []
    except (binascii.Error, UnicodeEncodeError):
        return 400, "Invalid Sec-WebSocket-Key", []
    if headers.get("sec-websocket-version") != "13":
        return 426, BAD_VERSION, [("Sec-WebSocket-Version", "13")]
    return None


def _phrase(status: int, text: str = "") -> str:
    if text:
        return text
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def worker_response_head(response: Response, method: str) -> tuple[h11.Response, bytes]:
    """A Worker's response as an ``h11`` head and the body to send (none for HEAD).

    Raises:
        h11.LocalProtocolError: a header name or value that cannot go on the wire.
    """
    body = response.body or b""
    headers: list[tuple[str, str]] = []
    content_type = False
    for name, value in response.headers.items():
        if name not in HOP_BY_HOP:
            headers.append((name, value))
            content_type = content_type or name == "content-type"
    if body and not content_type:
        headers.append(("content-type", "text/plain;charset=UTF-8"))
    if response.status not in (204, 304):
        headers.append(("content-length", str(len(body))))
    head = h11.Response(
        status_code=response.status,
        headers=headers,
        reason=_phrase(response.status, response.statusText).encode("latin-1", "replace"),
    )
    return head, b"" if method == "HEAD" else body


def kit_response(
    status: int, text: str, method: str = "GET", extra: list[tuple[str, str]] | None = None
) -> bytes:
    """A response the kit writes itself (refusals and errors); the connection closes after it."""
    body = text.encode("utf-8")
    lines = [f"HTTP/1.1 {status} {_phrase(status)}", "Connection: close", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in extra or []]
    lines.append("Content-Type: text/plain")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if method == "HEAD" else head + body
