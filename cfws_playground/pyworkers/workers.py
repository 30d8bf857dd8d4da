"""The ``workers`` module for code the kit runs: the Python Workers SDK's surface.

``from workers import WorkerEntrypoint, DurableObject, Response, Request`` as
in Cloudflare's ``workers-runtime-sdk``. The shapes follow that SDK:

* a handler's ``request.headers`` is an ``http.client.HTTPMessage``
  (case-insensitive ``get(name, default)``), not a JS ``Headers``;
* ``Response(body=None, status=None, status_text="", headers=None, web_socket=None)``;
* ``self.ctx`` and ``self.env`` as given; ``ctx`` members keep their JS names.

Differences from the SDK are listed in the README ("Python Workers projects").
"""

from __future__ import annotations

import functools
import http.client
import json as _json
from collections.abc import Callable
from http import HTTPMethod, HTTPStatus
from typing import Any

from ..http import Request as _KitRequest, Response as _KitResponse
from ..worker import WorkerEntrypoint as _KitEntrypoint

__all__ = ["DurableObject", "Request", "Response", "WorkerEntrypoint", "handler", "import_from_javascript"]


class Request:
    """Mirrors the SDK's ``workers.Request``: ``url``, ``method``, ``headers`` (an ``HTTPMessage``), body.

    ``Request(url_or_request, method=..., headers=..., body=...)`` builds one;
    ``stub.fetch(request)`` passes it on to a Durable Object unchanged.
    """

    def __init__(self, input: Request | _KitRequest | str, **options: Any) -> None:  # noqa: A002 - SDK name
        if isinstance(input, _KitRequest) and not options:
            self._kit_request = input
            return
        if isinstance(input, Request):
            input = input._kit_request if not options else input._kit_request.url
        if isinstance(input, _KitRequest):
            input = input.url
        method = options.get("method", "GET")
        method = method.value if isinstance(method, HTTPMethod) else str(method)
        self._kit_request = _KitRequest(
            str(input), method=method, headers=options.get("headers"), body=options.get("body")
        )

    @property
    def url(self) -> str:
        return self._kit_request.url

    @property
    def method(self) -> str:
        return self._kit_request.method

    @functools.cached_property
    def headers(self) -> http.client.HTTPMessage:
        message = http.client.HTTPMessage()
        for name, value in self._kit_request.headers.items():
            message[name] = value
        return message

    @property
    def body(self) -> bytes | None:
        return self._kit_request.body

    @property
    def js_object(self) -> _KitRequest:
        """The runtime's request (the SDK's ``js_object``)."""
        return self._kit_request

    async def text(self) -> str:
        return await self._kit_request.text()

    async def json(self) -> Any:
        return await self._kit_request.json()

    async def bytes(self) -> bytes:
        return self._kit_request.body or b""

    def __repr__(self) -> str:
        return f"Request(method={self.method!r}, url={self.url!r})"


class Response(_KitResponse):
    """Mirrors the SDK's ``workers.Response``.

    ``status=None`` means 200, as JS does: a ``web_socket`` needs ``status=101``
    ("Responses with a WebSocket must have status code 101.").
    """

    def __init__(
        self,
        body: str | bytes | None = None,
        status: HTTPStatus | int | None = None,
        status_text: str = "",
        headers: Any = None,
        web_socket: Any = None,
    ) -> None:
        code = status.value if isinstance(status, HTTPStatus) else (200 if status is None else status)
        super().__init__(body, code, headers, statusText=status_text, web_socket=web_socket)

    @property
    def status_text(self) -> str:
        return self.statusText

    @staticmethod
    def from_json(
        data: Any, status: HTTPStatus | int = HTTPStatus.OK, status_text: str = "", headers: Any = None
    ) -> Response:
        hdrs = dict(headers or {})
        if not any(k.lower() == "content-type" for k in hdrs):
            hdrs["content-type"] = "application/json"
        return Response(_json.dumps(data), status=status, status_text=status_text, headers=hdrs)

    @staticmethod
    def redirect(url: str, status: HTTPStatus | int = HTTPStatus.FOUND) -> Response:
        return Response(None, status=status, headers={"location": url})


def _adapt_fetch(cls: type) -> None:
    """Hand ``fetch`` the SDK's ``Request`` (as the SDK's class wrapper does for JS requests)."""
    fetch = cls.__dict__.get("fetch")
    if fetch is None or getattr(fetch, "_cfws_adapted", False):
        return

    @functools.wraps(fetch)
    def wrapped(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(request, _KitRequest):
            request = Request(request)
        return fetch(self, request, *args, **kwargs)

    wrapped._cfws_adapted = True  # type: ignore[attr-defined]
    cls.fetch = wrapped  # type: ignore[attr-defined]


class WorkerEntrypoint(_KitEntrypoint):
    """Mirrors the SDK's ``WorkerEntrypoint``: ``class Default(WorkerEntrypoint)``, ``async def fetch``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _adapt_fetch(cls)


class DurableObject:
    """Mirrors the SDK's ``DurableObject``: ``class Room(DurableObject)``, made as ``Room(ctx, env)``."""

    def __init__(self, ctx: Any, env: Any) -> None:
        self.ctx = ctx
        self.env = env

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _adapt_fetch(cls)


def handler(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mirrors the SDK's ``@handler``: the kit already passes Python values, so ``func`` itself."""
    return func


def import_from_javascript(module_name: str) -> Any:
    """Not modelled: the kit runs no JavaScript modules."""
    raise ImportError(f"import_from_javascript({module_name!r}): the kit runs no JavaScript modules")
