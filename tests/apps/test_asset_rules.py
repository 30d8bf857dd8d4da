"""``_redirects`` and ``_headers`` in a static assets folder, by Cloudflare's documented rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import http, served

from cfws_playground.bindings import Assets
from cfws_playground.http import Request


def _site(tmp_path: Path, redirects: str = "", headers: str = "") -> Path:
    public = tmp_path / "public"
    (public / "blog").mkdir(parents=True)
    (public / "index.html").write_text("home")
    (public / "about.html").write_text("about")
    (public / "user.html").write_text("a user")
    (public / "blog" / "index.html").write_text("blog")
    (public / "404.html").write_text("not here")
    if redirects:
        (public / "_redirects").write_text(redirects)
    if headers:
        (public / "_headers").write_text(headers)
    return public


def _get(assets: Assets, url: str) -> tuple[int, str | None, bytes]:
    response = assets.answer(Request("https://example.com" + url))
    assert response is not None
    body = response._body if isinstance(getattr(response, "_body", None), bytes) else b""
    return response.status, response.headers.get("location"), body


REDIRECTS = """\
# comments and blank lines are skipped

/old              /about            301
/home             /                 # an inline comment
/docs/*           /blog/:splat      308
/news/:year/:slug /blog/?y=:year&s=:slug
/users/:id        /user             200
/gone             /nowhere          200
/search           /blog/?q=fixed&page=1 303
/away             https://example.org/x?from=a 302
/loop/*           /index.html
/bad              /x                418
just-one-token
/old              /twice            301
"""


@pytest.mark.parametrize(
    ("url", "status", "location"),
    [
        ("/old", 301, "/about"),
        ("/old?x=1", 301, "/about?x=1"),  # the request's query goes along
        ("/home", 302, "/"),  # 302 when no status is given
        ("/docs/a/b", 308, "/blog/a/b"),
        ("/news/2026/hello", 302, "/blog/?y=2026&s=hello"),
        ("/search?q=mine&keep=1", 303, "/blog/?q=fixed&keep=1&page=1"),  # the destination's values win
        ("/away", 302, "https://example.org/x?from=a"),
        ("/bad", 404, None),  # 418 is not a redirect status: the line is ignored
        ("/loop/x", 404, None),  # would loop with html_handling: ignored
    ],
)
def test_redirects(tmp_path: Path, url: str, status: int, location: str | None) -> None:
    assets = Assets(_site(tmp_path, REDIRECTS), not_found_handling="none")
    got_status, got_location, _ = _get(assets, url)
    assert (got_status, got_location) == (status, location)


def test_a_200_rule_serves_another_path_at_this_url(tmp_path: Path) -> None:
    assets = Assets(_site(tmp_path, REDIRECTS), not_found_handling="404-page")
    response = assets.answer(Request("https://example.com/users/42"))
    assert response is not None and response.status == 200
    assert assets.rules.redirect("https://example.com/users/42") == "/user"
    gone = assets.answer(Request("https://example.com/gone"), fallback=False)
    assert gone is not None and gone.status == 404  # a rewrite to nothing never reaches the Worker


def test_ignored_lines_are_warned_about_and_the_rule_files_are_not_served(tmp_path: Path) -> None:
    assets = Assets(_site(tmp_path, REDIRECTS, "/*\n  X-A: 1\n"))
    warnings = "\n".join(assets.rules.warnings)
    assert (
        "_redirects:12: valid status codes are 200, 301, 302 (default), 303, 307, or 308, not 418" in warnings
    )
    assert "_redirects:13: expected 2 or 3 whitespace-separated tokens, got 1" in warnings
    assert "_redirects:14: a second rule for /old, ignored" in warnings
    assert "_redirects:11: this rule would redirect in a loop" in warnings
    for name in ("/_redirects", "/_headers"):
        assert assets.resolve(name) is None


HEADERS = """\
# every page
/*
  X-Frame-Options: DENY
  X-Shared: site
/blog/*
  ! X-Frame-Options
  X-Shared: blog
  Cache-Control: max-age=60
/users/:id
  X-User: :id
https://example.com/about
  X-Host: matched
"""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/about", {"x-frame-options": "DENY", "x-shared": "site", "x-host": "matched"}),
        ("/blog/", {"x-frame-options": None, "x-shared": "site, blog", "cache-control": "max-age=60"}),
        ("/users/7", {"x-user": "7", "x-frame-options": "DENY"}),  # a placeholder's value
        ("/nowhere", {"x-frame-options": "DENY"}),  # a 404 the assets give gets them too
    ],
)
def test_headers(tmp_path: Path, url: str, expected: dict[str, str | None]) -> None:
    assets = Assets(_site(tmp_path, "/users/:id /user 200\n", HEADERS), not_found_handling="404-page")
    response = assets.answer(Request("https://example.com" + url))
    assert response is not None
    assert {name: response.headers.get(name) for name in expected} == expected


async def test_rules_apply_before_the_worker_over_http(tmp_path: Path) -> None:
    _site(tmp_path, "/go /about 301\n", "/*\n  X-Served-By: assets\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "entry.py").write_text(
        "from workers import Response, WorkerEntrypoint\n\n"
        "class Default(WorkerEntrypoint):\n"
        "    async def fetch(self, request):\n"
        "        return Response('from the worker')\n"
    )
    (tmp_path / "wrangler.toml").write_text(
        'name = "rules"\nmain = "src/entry.py"\ncompatibility_date = "2026-11-17"\n'
        'compatibility_flags = ["python_workers"]\n[assets]\ndirectory = "./public"\n'
    )
    async with served(tmp_path) as server:
        status, headers, body = await http(server, "/go")  # urllib follows the 301
        assert (status, body, headers.get("x-served-by")) == (200, b"about", "assets")
        status, headers, body = await http(server, "/api")  # no asset: the Worker, without the headers
        assert (status, body, headers.get("x-served-by")) == (200, b"from the worker", None)
