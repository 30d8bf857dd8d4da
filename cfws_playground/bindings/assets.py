"""Static assets (``assets`` in a wrangler file), served by the rules Cloudflare documents.

* ``directory``: the files; ``binding``: ``env.ASSETS.fetch(request)`` for the Worker.
* ``html_handling`` (default ``auto-trailing-slash``; also ``force-trailing-slash``,
  ``drop-trailing-slash``, ``none``): which URL serves ``about.html`` and
  ``blog/index.html``; the other spellings get a 307 to the one that serves.
* ``not_found_handling`` (default ``none``: a 404; ``404-page``: the nearest
  ``404.html`` up the path, status 404; ``single-page-application``: ``/index.html``,
  status 200).
* ``run_worker_first`` (default false; true, or a list of route patterns such as
  ``["/api/*", "!/api/docs/*"]``): which requests reach the Worker before any asset.

A request that matches an asset gets it without the Worker (GET and HEAD); one
that matches none reaches the Worker, if there is one. With a Worker, the
single-page-application fallback is for navigation requests only
(``Sec-Fetch-Mode: navigate``), as on Cloudflare today; other requests reach the Worker.
The folder's ``_redirects`` and ``_headers`` files apply as on Cloudflare
(:mod:`.asset_rules`): redirects before any asset and before the Worker, custom
headers on every response the assets give. Not modelled: ``.assetsignore``.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..durable.ids import JsClass
from ..http import Request, Response
from ..promise import JsPromise, started
from .asset_rules import AssetRules, is_rule_file

__all__ = ["AssetRouter", "Assets", "AssetsConfigError"]

HTML_HANDLING = ("auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none")
NOT_FOUND_HANDLING = ("none", "404-page", "single-page-application")


class AssetsConfigError(ValueError):
    """An ``assets`` setting that Cloudflare would refuse too."""


class Assets:
    """Mirrors the assets binding (``env.ASSETS``, a ``Fetcher``): ``fetch(request)`` gets an asset.

    Args:
        directory: the folder of files.
        html_handling: see the module docstring.
        not_found_handling: see the module docstring.
    """

    constructor = JsClass("Fetcher")

    def __init__(
        self,
        directory: str | Path,
        *,
        html_handling: str = "auto-trailing-slash",
        not_found_handling: str = "none",
    ) -> None:
        self.directory = Path(directory).resolve()
        if not self.directory.is_dir():
            raise AssetsConfigError(f"assets.directory {str(directory)!r} is not a folder")
        if html_handling not in HTML_HANDLING:
            raise AssetsConfigError(f"assets.html_handling must be one of {', '.join(HTML_HANDLING)}")
        if not_found_handling not in NOT_FOUND_HANDLING:
            raise AssetsConfigError(
                f"assets.not_found_handling must be one of {', '.join(NOT_FOUND_HANDLING)}"
            )
        self.html_handling = html_handling
        self.not_found_handling = not_found_handling
        self.rules = AssetRules(self.directory, html_handling=html_handling)

    # ---------------------------------------------------------------- lookup

    def _file(self, path: str) -> Path | None:
        """The file for URL path ``path`` (decoded), if there is one inside the folder."""
        relative = path.lstrip("/")
        if not relative or "\x00" in relative or is_rule_file(relative):
            return None
        candidate = (self.directory / relative).resolve()
        if not candidate.is_relative_to(self.directory) or not candidate.is_file():
            return None
        return candidate

    def resolve(self, path: str) -> tuple[str, Any] | None:
        """What ``path`` maps to: ``("asset", file)``, ``("redirect", path)``, or None."""
        mode = self.html_handling
        if mode == "none":
            found = None if path.endswith("/") else self._file(path)
            return None if found is None else ("asset", found)
        if path.endswith("/index.html"):
            if self._file(path) is None:
                return None
            folder = path[: -len("index.html")]
            if mode == "drop-trailing-slash" and folder != "/":
                return ("redirect", folder[:-1])
            return ("redirect", folder)
        if path.endswith(".html"):
            if self._file(path) is None:
                return None
            stem = path[: -len(".html")]
            return ("redirect", stem + "/" if mode == "force-trailing-slash" else stem)
        if path.endswith("/"):
            index = self._file(path + "index.html")
            if index is not None:
                if mode == "drop-trailing-slash" and path != "/":
                    return ("redirect", path[:-1])
                return ("asset", index)
            page = None if path == "/" else self._file(path[:-1] + ".html")
            if page is not None:
                return ("asset", page) if mode == "force-trailing-slash" else ("redirect", path[:-1])
            return None
        exact = self._file(path)
        if exact is not None:
            return ("asset", exact)
        page = self._file(path + ".html")
        if page is not None:
            return ("redirect", path + "/") if mode == "force-trailing-slash" else ("asset", page)
        index = self._file(path + "/index.html")
        if index is not None:
            return ("asset", index) if mode == "drop-trailing-slash" else ("redirect", path + "/")
        return None

    def not_found(self, path: str, *, navigation: bool = True) -> Response:
        """The answer for a path no asset matches, by ``not_found_handling``."""
        if self.not_found_handling == "single-page-application" and navigation:
            index = self._file("/index.html")
            if index is not None:
                return _file_response(index, 200)
        if self.not_found_handling == "404-page":
            folder = path.rsplit("/", 1)[0]
            while True:
                page = self._file(f"{folder}/404.html")
                if page is not None:
                    return _file_response(page, 404)
                if not folder:
                    break
                folder = folder.rsplit("/", 1)[0]
        return Response(None, status=404)

    def answer(self, request: Request, *, fallback: bool = True) -> Response | None:
        """The asset response for ``request``; None when nothing matches and not ``fallback``.

        ``_redirects`` comes first; ``_headers`` applies to whatever the assets answer.
        """
        response = self._answer(request, fallback=fallback)
        return None if response is None else self.rules.apply_headers(request.url, response)

    def _answer(self, request: Request, *, fallback: bool) -> Response | None:
        parts = urlsplit(request.url)
        rewritten = self.rules.redirect(request.url) if self.rules else None
        if isinstance(rewritten, Response):
            return rewritten
        path = unquote(rewritten or parts.path) or "/"
        found = self.resolve(path)
        if found is None and rewritten is not None:
            return Response(None, status=404)  # a 200 rule to nothing: a 404, never the Worker
        if found is None:
            return self.not_found(path) if fallback else None
        kind, target = found
        if kind == "redirect":
            location = target + (f"?{parts.query}" if parts.query else "")
            return Response(None, status=307, headers={"location": location})
        if request.method not in ("GET", "HEAD"):
            return Response(None, status=405, headers={"allow": "GET, HEAD"})
        response = _file_response(target, 200)
        if request.headers.get("if-none-match") == response.headers.get("etag"):
            return Response(None, status=304, headers={"etag": response.headers.get("etag")})
        return response

    def fetch(self, request: Any, init: Any = None) -> JsPromise[Response]:
        """Mirrors ``env.ASSETS.fetch(request)``: the asset, or what ``not_found_handling`` says."""

        async def run() -> Response:
            return self.answer(_request(request, init)) or Response(None, status=404)

        return started(run())

    def __repr__(self) -> str:
        return f"<Assets {self.directory.name}/>"


def _request(request: Any, init: Any) -> Request:
    kit = getattr(request, "js_object", None)  # the SDK's Request
    if isinstance(kit, Request):
        return kit
    if isinstance(request, Request):
        return request
    url = str(getattr(request, "url", request))
    if url.startswith("/"):
        url = "http://assets.local" + url
    return Request(url)


def _file_response(path: Path, status: int) -> Response:
    data = path.read_bytes()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    return Response(data, status=status, headers={"content-type": kind, "etag": etag})


def _route_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


class AssetRouter:
    """What ``serve DIR`` runs for a project with ``assets``: assets first, then the Worker.

    Args:
        assets: the assets.
        worker: the project's Worker (None for assets only).
        run_worker_first: ``assets.run_worker_first``: a bool, or route patterns
            (``"/api/*"``; a leading ``!`` excludes; exclusions win).
    """

    def __init__(
        self, assets: Assets, worker: Any = None, run_worker_first: bool | Sequence[str] = False
    ) -> None:
        from ..worker import _find_handler

        self.assets = assets
        self.worker = worker
        self._handler = None if worker is None else _find_handler(worker)
        if isinstance(run_worker_first, bool):
            self._first: bool | tuple[list[re.Pattern[str]], list[re.Pattern[str]]] = run_worker_first
        elif isinstance(run_worker_first, (list, tuple)) and all(
            isinstance(p, str) for p in run_worker_first
        ):
            for p in run_worker_first:
                if not p.lstrip("!").startswith("/"):
                    raise AssetsConfigError(f"assets.run_worker_first: route {p!r} must start with '/'")
            self._first = (
                [_route_pattern(p) for p in run_worker_first if not p.startswith("!")],
                [_route_pattern(p[1:]) for p in run_worker_first if p.startswith("!")],
            )
        else:
            raise AssetsConfigError("assets.run_worker_first must be true, false or a list of routes")

    def worker_first(self, path: str) -> bool:
        """True when ``run_worker_first`` sends ``path`` to the Worker before any asset."""
        if isinstance(self._first, bool):
            return self._first
        include, exclude = self._first
        return any(p.match(path) for p in include) and not any(p.match(path) for p in exclude)

    async def fetch(self, request: Request, env: Any, ctx: Any) -> Response:
        path = unquote(urlsplit(request.url).path) or "/"
        handler = self._handler
        if handler is not None and (self.worker_first(path) or request.method not in ("GET", "HEAD")):
            return await _call(handler, request, env, ctx)
        if handler is None:
            return self.assets.answer(request) or Response(None, status=404)
        found = self.assets.answer(request, fallback=False)
        if found is not None:
            return found
        navigation = request.headers.get("sec-fetch-mode") == "navigate"
        if self.assets.not_found_handling == "single-page-application" and navigation:
            return self.assets.rules.apply_headers(request.url, self.assets.not_found(path))
        return await _call(handler, request, env, ctx)

    def __repr__(self) -> str:
        return f"<AssetRouter {self.assets!r} then {self.worker!r}>"


async def _call(handler: Any, request: Request, env: Any, ctx: Any) -> Response:
    from ..worker import _run_fetch

    return await _run_fetch(handler, request, env, ctx)
