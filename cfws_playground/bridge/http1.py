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
import ipaddress
import re

import h11

from ..http import Headers, Request, Response

__all__ = [
    "ChunkGuard",
    "RefusedError",
    "escape",
    "escape_lines",
    "framing_problem",
    "handshake_problem",
    "kit_response",
    "request_url",
    "smuggling_suspect",
    "to_request",
    "worker_response_head",
]

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

# C0 controls, DEL and the C1 controls (U+0080-U+009F: U+009B alone starts a terminal escape).
_CONTROL = {i: f"\\x{i:02x}" for i in [*range(32), *range(0x7F, 0xA0)]}
_CONTROL.update({9: "\\t", 10: "\\n", 13: "\\r"})


def escape(text: str | bytes, limit: int = 200) -> str:
    """Text from the network made safe for one log line: control characters escaped, length capped.

    Bytes are read as UTF-8 where they are UTF-8 (so ``\\xc2\\x9b`` is the control
    U+009B, escaped), byte for byte otherwise.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    clipped = text[:limit].translate(_CONTROL)
    return clipped + ("…" if len(text) > limit else "")


def escape_lines(text: str) -> str:
    """Like :func:`escape` for a multi-line text (a traceback): each line escaped, none clipped."""
    return "\n".join(line.translate(_CONTROL) for line in text.split("\n"))


class RefusedError(Exception):
    """A request the kit answers itself, never handing it to the Worker: its status and why."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


# RFC 3986 §3.2.2 host: an IP-literal, or a reg-name / IPv4address. Of reg-name's
# characters, "%" is left out: the URL parser the Worker uses forbids it in a domain.
_REG_NAME = re.compile(rb"[A-Za-z0-9\-._~!$&'()*+,;=]+")
_PORT = re.compile(rb"[0-9]{0,5}")
# RFC 3986 §3.3, §3.4: path and query characters (pchar, "/", "?").
_PATH_QUERY = re.compile(rb"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")


def _authority(raw: bytes, what: str) -> str:
    """A validated ``host[:port]`` as a URL writes it (host lower-cased, port 80 and an empty one dropped).

    Raises:
        RefusedError: 400, naming ``what`` (the Host header or the request-target).
    """
    host, port = raw, b""
    if raw.startswith(b"["):
        end = raw.find(b"]")
        if end < 0:
            raise RefusedError(400, f"invalid {what}: an unclosed [")
        host, rest = raw[: end + 1], raw[end + 1 :]
        if rest and not rest.startswith(b":"):
            raise RefusedError(400, f"invalid {what}: text after the IP literal")
        port = rest[1:]
        try:
            ipaddress.IPv6Address(host[1:-1].decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise RefusedError(400, f"invalid {what}: not an IPv6 address") from None
    else:
        if b":" in raw:
            host, _, port = raw.rpartition(b":")
        if not _REG_NAME.fullmatch(host):
            raise RefusedError(400, f"invalid {what}: {escape(raw, 60)}")
    if not _PORT.fullmatch(port) or (port and int(port) > 65535):
        raise RefusedError(400, f"invalid {what}: bad port")
    text = host.decode("ascii").lower()
    return text if port in (b"", b"80") else f"{text}:{int(port)}"


def request_url(event: h11.Request, default_host: str, max_url: int) -> str:
    """The absolute URL a request names, built from its validated parts (RFC 9112 §3.2).

    Raises:
        RefusedError: 505 for an HTTP version other than 1.x; 414 for a target over
            ``max_url``; 400 for a missing, repeated or invalid Host or an
            invalid request-target; 501 for ``CONNECT``.
    """
    if not event.http_version.startswith(b"1."):
        # RFC 9110 §15.6.6: the major version is not supported.
        raise RefusedError(505, f"HTTP/{event.http_version.decode('ascii')} is not supported")
    target = event.target
    if len(target) > max_url:
        raise RefusedError(414, f"a request-target of {len(target)} bytes, over {max_url}")
    hosts = [value for name, value in event.headers if name == b"host"]
    if len(hosts) > 1:
        raise RefusedError(400, "more than one Host header")
    host = _authority(hosts[0], "Host header") if hosts else default_host
    if event.method == b"CONNECT":
        raise RefusedError(501, "CONNECT: this server is not a proxy")
    scheme = "http"
    if target.startswith(b"/"):  # origin-form (RFC 9112 §3.2.1)
        path = target
    elif target == b"*" and event.method == b"OPTIONS":  # asterisk-form (§3.2.4)
        path = b"/"
    elif target[:7].lower() == b"http://" or target[:8].lower() == b"https://":  # absolute-form (§3.2.2)
        scheme, _, rest = target.decode("ascii").partition("://")
        scheme = scheme.lower()
        split = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        authority, path = rest[:split].encode("ascii"), rest[split:].encode("ascii")
        if b"@" in authority:  # RFC 9110 §4.2.4: userinfo in an http(s) URI is an error
            raise RefusedError(400, "invalid request-target: userinfo in the authority")
        host = _authority(authority, "request-target")  # the target's authority wins over Host
        path = path if path.startswith(b"/") else b"/" + path
    else:
        raise RefusedError(400, f"invalid request-target: {escape(target, 60)}")
    if not _PATH_QUERY.fullmatch(path):
        raise RefusedError(400, f"invalid request-target: {escape(target, 60)}")
    return f"{scheme}://{host}{path.decode('ascii')}"


class ChunkGuard:
    """Reads a chunked body's framing beside ``h11``, to refuse a size no body could fill.

    ``h11`` takes any chunk size of up to 20 hex digits and then waits for that
    many bytes (2^76 for 19 digits). Fed the same bytes first, this refuses one
    that does not fit in 64 bits (400) or that takes the body over
    ``max_body`` (413) as soon as its line arrives. It leaves every other error
    to ``h11``, and stops at the last chunk (the trailers are ``h11``'s).
    """

    MAX_DIGITS = 16

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body
        self.total = 0
        self._line = b""  # the chunk-size line so far
        self._left = 0  # bytes of chunk data still to come
        self._crlf = 0  # bytes of the CRLF after the data still to come
        self.done = False

    def feed(self, data: bytes) -> None:
        """Read ``data``, the next bytes of the body.

        Raises:
            RefusedError: 400 for a size of more than 16 hex digits, 413 over ``max_body``.
        """
        i, n = 0, len(data)
        while i < n and not self.done:
            if self._left:
                take = min(self._left, n - i)
                i += take
                self._left -= take
                if not self._left:
                    self._crlf = 2
            elif self._crlf:
                take = min(self._crlf, n - i)
                i += take
                self._crlf -= take
            else:
                end = data.find(b"\n", i)
                self._line += data[i : n if end < 0 else end]
                i = n if end < 0 else end + 1
                digits = len(self._line) - len(self._line.lstrip(b"0123456789abcdefABCDEF"))
                if digits > self.MAX_DIGITS:
                    raise RefusedError(400, f"a chunk size of {digits} hex digits")
                if end < 0:
                    if len(self._line) > 1024:
                        self.done = True  # a long extension: h11 limits the line
                    return
                size = int(self._line[:digits], 16) if digits else 0
                self._line = b""
                self.total += size
                if self.total > self.max_body:
                    raise RefusedError(413, f"a chunked body over {self.max_body} bytes")
                self._left = size
                self.done = size == 0  # the last chunk (or an invalid line h11 refuses)


def framing_problem(event: h11.Request) -> str | None:
    """Why a request's body framing cannot be trusted at all (RFC 9112 §6.1), or None."""
    names = {name for name, _ in event.headers}
    if b"transfer-encoding" in names and event.http_version == b"1.0":
        return "Transfer-Encoding in an HTTP/1.0 request"
    return None


def smuggling_suspect(event: h11.Request) -> bool:
    """Both Content-Length and Transfer-Encoding: read by the latter, and close after answering.

    RFC 9112 §6.1: a server "MAY reject a request that contains both ... or
    process such a request in accordance with the Transfer-Encoding alone.
    Regardless, the server MUST close the connection after responding". workerd
    2026-11-23 processes it and closes (measured: 200, ``Connection: close``,
    a request smuggled after the body never served); so does the kit.
    """
    names = {name for name, _ in event.headers}
    return b"transfer-encoding" in names and b"content-length" in names


def to_request(event: h11.Request, body: bytes | None, url: str) -> Request:
    """The Worker's view of a parsed request: ``url`` (see :func:`request_url`), headers in order, body."""
    headers = Headers([(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers])
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
