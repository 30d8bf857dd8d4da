"""``pyodide.http`` for Cloudflare's SDK: ``FetchResponse`` and ``pyfetch`` (with a ``fetcher``).

There is no network ``fetch()`` in the kit: ``pyfetch`` works only with the
``fetcher=`` the SDK passes for service and Durable Object stubs.
"""

from __future__ import annotations

import json
from typing import Any

from .ffi import JsException, to_js
from .jsobjects import JsResponse

__all__ = ["AbortError", "FetchResponse", "pyfetch"]


class AbortError(OSError):
    """Mirrors ``pyodide.http.AbortError``: what ``pyfetch`` raises when the fetch rejects
    (a ``JsException``), with the JS error's message."""

    def __init__(self, reason: JsException) -> None:
        super().__init__(reason.message)


AbortError.__module__ = "pyodide.http"


class FetchResponse:
    """Mirrors ``pyodide.http.FetchResponse``: a Python view of a JS ``Response``."""

    def __init__(self, url: str, js_response: Any) -> None:
        self._url = url
        self.js_response = js_response

    @property
    def body_used(self) -> bool:
        return bool(self.js_response.bodyUsed)

    @property
    def ok(self) -> bool:
        return bool(self.js_response.ok)

    @property
    def redirected(self) -> bool:
        return bool(getattr(self.js_response, "redirected", False))

    @property
    def status(self) -> int:
        return int(self.js_response.status)

    @property
    def status_text(self) -> str:
        return str(self.js_response.statusText)

    @property
    def type(self) -> str:
        return str(getattr(self.js_response, "type", "default"))

    @property
    def url(self) -> str:
        return self._url

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.js_response.headers.entries())

    def _raise_if_failed(self) -> None:
        if self.body_used:
            raise OSError("Body already used")

    async def text(self) -> str:
        self._raise_if_failed()
        return str(await self.js_response.text())

    async def json(self, **kwargs: Any) -> Any:
        return json.loads(await self.text(), **kwargs)

    async def bytes(self) -> bytes:
        self._raise_if_failed()
        return (await self.js_response.arrayBuffer()).to_bytes()  # type: ignore[no-any-return]

    async def memoryview(self) -> memoryview:
        return memoryview(await self.bytes())

    async def buffer(self) -> Any:
        self._raise_if_failed()
        return await self.js_response.arrayBuffer()

    def clone(self) -> FetchResponse:
        return FetchResponse(self._url, self.js_response)


async def pyfetch(url: Any, **kwargs: Any) -> FetchResponse:
    """Mirrors ``pyodide.http.pyfetch`` for a ``fetcher`` (a stub's ``fetch``)."""
    fetcher = kwargs.pop("fetcher", None)
    if fetcher is None:
        from .js import network_fetch

        response = await network_fetch(url, kwargs)
        js_response = JsResponse.of(response)
        return FetchResponse(js_response.url, js_response)
    try:
        response = await fetcher(url, to_js(kwargs))
    except JsException as exc:
        raise AbortError(exc) from None
    js_response = JsResponse.of(response)
    return FetchResponse(js_response.url, js_response)
