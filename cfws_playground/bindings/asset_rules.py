"""The ``_headers`` and ``_redirects`` files of a static assets folder, read as Cloudflare reads them.

Syntax (developers.cloudflare.com/workers/static-assets/headers and .../redirects),
and the rules the asset server applies (``workers-sdk``'s
``packages/workers-shared``: ``utils/configuration/parseHeaders.ts``,
``parseRedirects.ts``, ``asset-worker/src/utils/rules-engine.ts``, ``handler.ts``):

* ``_redirects``: one rule a line, ``source destination [status]`` (status 301, 302 by
  default, 303, 307, 308, or 200 to serve another path's asset at this URL); ``#``
  starts a comment. A source may hold ``*`` (the destination's ``:splat``) and
  ``:placeholders`` (one path segment each). Rules without either, before the first
  that has one, match exactly; otherwise the first matching rule wins. A redirect
  keeps the request's query, the destination's parameters overriding it. Redirects
  come before the assets and before the Worker.
* ``_headers``: a line starting with ``/`` (or ``https://``) opens a block of
  ``Name: value`` lines for the URLs it matches (``*`` and ``:placeholders`` as above,
  their values usable in header values); ``! Name`` removes a header. Every block
  that matches applies, in the order of their paths, to every response the assets
  give (a file, a redirect, a 404): a header a block sets replaces the asset's, and
  later blocks add to it.

Lines the server would ignore are ignored here too, each with a warning that names
the line (the ones wrangler prints), in :attr:`AssetRules.warnings`. Neither file is
served as an asset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from ..http import Response

__all__ = ["RULE_FILES", "AssetRules", "HeaderRule", "RedirectRule"]

#: The files that configure the assets and are never served.
RULE_FILES = ("_headers", "_redirects")

# The asset server's limits (workers-shared utils/configuration/constants.ts).
MAX_LINE_LENGTH = 2000
MAX_STATIC_REDIRECTS = 2000
MAX_DYNAMIC_REDIRECTS = 100
MAX_HEADER_RULES = 100
REDIRECT_STATUSES = (200, 301, 302, 303, 307, 308)

_PLACEHOLDER = re.compile(r":([A-Za-z]\w*)")
_HOST_PLACEHOLDER = re.compile(r"(?<=^https://)([^/]*?):([A-Za-z]\w*)")


def _rule_regex(rule: str) -> re.Pattern[str] | None:
    """``*`` captures ``splat``; ``:name`` one path segment (in the host, one label)."""
    pattern = "(?P<splat>.*)".join(re.escape(part) for part in rule.split("*"))
    if pattern.startswith("https://"):
        head, _, rest = pattern[len("https://") :].partition("/")
        head = re.sub(r"\\?:([A-Za-z]\w*)", lambda m: f"(?P<{m[1]}>[^/.]+)", head)
        pattern = "https://" + head + ("/" + rest if _ or rest else "")
    pattern = re.sub(r"\\?:([A-Za-z]\w*)", lambda m: f"(?P<{m[1]}>[^/]+)", pattern)
    try:
        return re.compile("^" + pattern + "$")
    except re.error:  # a name used twice: the server drops the rule too
        return None


def _replace(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def _valid_path(text: str, *, absolute_allowed: bool) -> str | None:
    """The rule's path, or None when the server would refuse it (it must start with ``/``, or
    ``https://host/``)."""
    if text.startswith("/"):
        return text
    if absolute_allowed and text.startswith("https://") and "/" in text[len("https://") :]:
        return text
    return None


@dataclass(frozen=True)
class RedirectRule:
    """One ``_redirects`` line: ``source destination status`` (line number for messages)."""

    source: str
    to: str
    status: int
    line: int


@dataclass
class HeaderRule:
    """One ``_headers`` path and what its blocks set and remove."""

    path: str
    set: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)


class AssetRules:
    """The rules of one assets folder's ``_headers`` and ``_redirects`` (both optional).

    Args:
        directory: the assets folder.
        html_handling: the assets' ``html_handling`` (a rule that would loop with it is ignored).
    """

    def __init__(self, directory: Path, *, html_handling: str = "auto-trailing-slash") -> None:
        self.warnings: list[str] = []
        self.static: dict[str, RedirectRule] = {}
        self.dynamic: list[tuple[re.Pattern[str], RedirectRule]] = []
        self.headers: list[tuple[re.Pattern[str], HeaderRule]] = []
        redirects = directory / "_redirects"
        if redirects.is_file():
            self._read_redirects(redirects.read_text(encoding="utf-8", errors="replace"), html_handling)
        headers = directory / "_headers"
        if headers.is_file():
            self._read_headers(headers.read_text(encoding="utf-8", errors="replace"))

    def __bool__(self) -> bool:
        return bool(self.static or self.dynamic or self.headers)

    def _warn(self, file: str, line: int | None, message: str) -> None:
        self.warnings.append(f"{file}{'' if line is None else f':{line}'}: {message}")

    # ---------------------------------------------------------------- _redirects

    def _read_redirects(self, text: str, html_handling: str) -> None:
        seen: set[str] = set()
        static_allowed = True
        lines = text.split("\n")
        for number, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if len(line) > MAX_LINE_LENGTH:
                self._warn("_redirects", number, f"longer than {MAX_LINE_LENGTH} characters, ignored")
                continue
            tokens = line.split()
            comment = next((i for i, t in enumerate(tokens) if i >= 2 and t.startswith("#")), None)
            tokens = tokens if comment is None else tokens[:comment]
            if not 2 <= len(tokens) <= 3:
                self._warn(
                    "_redirects", number, f"expected 2 or 3 whitespace-separated tokens, got {len(tokens)}"
                )
                continue
            source, to, status_text = tokens[0], tokens[1], tokens[2] if len(tokens) == 3 else "302"
            if _valid_path(source, absolute_allowed=True) is None:
                self._warn("_redirects", number, f"{source!r}: the source must start with '/' or 'https://'")
                continue
            dynamic = "*" in source or _PLACEHOLDER.search(source) is not None
            if static_allowed and not dynamic:
                if len(self.static) >= MAX_STATIC_REDIRECTS:
                    self._warn(
                        "_redirects", number, f"more than {MAX_STATIC_REDIRECTS} static rules, ignored"
                    )
                    continue
            else:
                static_allowed = False
                if len(self.dynamic) >= MAX_DYNAMIC_REDIRECTS:
                    self._warn(
                        "_redirects",
                        number,
                        f"more than {MAX_DYNAMIC_REDIRECTS} dynamic rules: the rest is ignored",
                    )
                    break
            external = re.match(r"^\w+://", to) is not None
            if not external and not to.startswith("/"):
                self._warn("_redirects", number, f"{to!r}: the destination must start with '/' or be a URL")
                continue
            if not status_text.isdigit() or int(status_text) not in REDIRECT_STATUSES:
                self._warn(
                    "_redirects",
                    number,
                    f"valid status codes are 200, 301, 302 (default), 303, 307, or 308, not {status_text}",
                )
                continue
            status = int(status_text)
            to_index = re.search(r"/index(\.html)?$", to) is not None
            if (
                not external
                and to_index
                and (source.endswith("/*") or (source.endswith("/") and html_handling != "none"))
            ):
                self._warn(
                    "_redirects", number, "this rule would redirect in a loop with html_handling, ignored"
                )
                continue
            if source in seen:
                self._warn("_redirects", number, f"a second rule for {source}, ignored")
                continue
            seen.add(source)
            if status == 200 and external:
                self._warn("_redirects", number, f"a 200 (rewrite) rule must point to a path, not {to}")
                continue
            rule = RedirectRule(source, to, status, number)
            if static_allowed and not dynamic:
                self.static[source] = rule
            else:
                pattern = _rule_regex(source)
                if pattern is not None:
                    self.dynamic.append((pattern, rule))

    def redirect(self, url: str) -> Response | str | None:
        """What ``_redirects`` does with ``url``: a redirect Response, the path to serve instead
        (a 200 rule), or None."""
        parts = urlsplit(url)
        path = parts.path or "/"
        absolute = f"https://{parts.hostname or ''}{path}"
        found: RedirectRule | None = None
        values: dict[str, str] = {}
        by_host, by_path = self.static.get(absolute), self.static.get(path)
        if by_host is not None and by_path is not None:
            found = by_host if by_host.line < by_path.line else by_path
        else:
            found = by_host or by_path
        if found is None:
            for pattern, rule in self.dynamic:
                match = pattern.match(absolute if rule.source.startswith("https://") else path)
                if match is not None:
                    found, values = rule, {k: v for k, v in match.groupdict().items() if v is not None}
                    break
        if found is None:
            return None
        target = _replace(found.to, values).strip()
        if re.match(r"^\w+://", target) is None:
            target = re.sub(r"/+", "/", target)
        destination = urlsplit(urljoin(url, target))
        if found.status == 200:
            return destination.path
        query = _merge_query(parts.query, destination.query)
        same_origin = (destination.scheme, destination.netloc) == (parts.scheme, parts.netloc)
        base = (
            destination.path
            if same_origin
            else f"{destination.scheme}://{destination.netloc}{destination.path}"
        )
        location = (
            base
            + (f"?{query}" if query else "")
            + (f"#{destination.fragment}" if destination.fragment else "")
        )
        return Response(None, status=found.status, headers={"location": location})

    # ---------------------------------------------------------------- _headers

    def _read_headers(self, text: str) -> None:
        rules: dict[str, HeaderRule] = {}
        current: HeaderRule | None = None
        for number, raw in enumerate(text.split("\n"), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if len(line) > MAX_LINE_LENGTH:
                self._warn("_headers", number, f"longer than {MAX_LINE_LENGTH} characters, ignored")
                continue
            if re.match(r"^(\S+://|/)", line):
                if len(rules) >= MAX_HEADER_RULES and line not in rules:
                    self._warn("_headers", number, f"more than {MAX_HEADER_RULES} rules: the rest is ignored")
                    break
                path = _valid_path(line, absolute_allowed=True)
                if path is None:
                    self._warn("_headers", number, f"{line!r}: a path starts with '/' or 'https://'")
                    current = None
                    continue
                current = rules.setdefault(path, HeaderRule(path))  # a repeated path adds to its block
                continue
            if ":" not in line:
                if current is not None and line.startswith("!"):
                    current.unset.append(line[1:].strip().lower())
                else:
                    self._warn("_headers", number, "expected a path, or a header as 'Name: value'")
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if not name or " " in name or not value:
                self._warn("_headers", number, "a header needs a name without spaces and a value")
                continue
            if current is None:
                self._warn("_headers", number, f"a header before any path ({name}: {value})")
                continue
            current.set[name] = f"{current.set[name]}, {value}" if name in current.set else value
        for path in sorted(rules):  # distinct paths apply in the order of their keys, as deployed
            rule = rules[path]
            if not rule.set and not rule.unset:
                self._warn("_headers", None, f"{path}: no headers")
                continue
            pattern = _rule_regex(path)
            if pattern is not None:
                self.headers.append((pattern, rule))

    def apply_headers(self, url: str, response: Response) -> Response:
        """``response`` with the headers of every ``_headers`` block that matches ``url``."""
        if not self.headers:
            return response
        parts = urlsplit(url)
        path = parts.path or "/"
        absolute = f"https://{parts.hostname or ''}{path}"
        written: set[str] = set()
        for pattern, rule in self.headers:
            match = pattern.match(absolute if rule.path.startswith("https://") else path)
            if match is None:
                continue
            values = {k: v for k, v in match.groupdict().items() if v is not None}
            for name in rule.unset:
                response.headers.delete(name)
            for name, value in rule.set.items():
                if name in written:
                    response.headers.append(name, _replace(value, values))
                else:
                    response.headers.set(name, _replace(value, values))
                    written.add(name)
        return response


def _merge_query(incoming: str, destination: str) -> str:
    """The request's query with the destination's parameters set over it."""
    if not incoming or not destination:
        return destination or incoming
    merged: dict[str, list[str]] = {}
    for key, value in parse_qsl(incoming, keep_blank_values=True):
        merged.setdefault(key, []).append(value)
    for key, value in dict(parse_qsl(destination, keep_blank_values=True)).items():
        merged[key] = [value]  # URLSearchParams.set: the destination's value replaces
    return urlencode([(k, v) for k, vs in merged.items() for v in vs])


def is_rule_file(path: Any) -> bool:
    """True for ``/_headers`` and ``/_redirects`` at the folder's top: never served."""
    return str(path).lstrip("/") in RULE_FILES
