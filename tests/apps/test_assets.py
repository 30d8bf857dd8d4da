"""Static assets (``assets`` in wrangler config) by wrangler's documented rules, over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import http, served

from cfws_playground.bindings import Assets


async def test_assets_the_worker_and_the_binding() -> None:
    async with served("site") as server:
        status, headers, body = await http(server, "/")
        assert (status, body) == (200, b"<!doctype html><title>Home</title>\n")
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert (await http(server, "/about"))[2] == b"<!doctype html><title>About</title>\n"
        assert (await http(server, "/blog/"))[2] == b"<!doctype html><title>Blog</title>\n"
        assert (await http(server, "/style.css"))[1]["content-type"] == "text/css; charset=utf-8"
        # run_worker_first: "/api/*" reaches the Worker, "!/api/docs/*" stays with the assets.
        assert (await http(server, "/api/hello"))[2] == b'{"hello": "/api/hello", "method": "GET"}'
        assert (await http(server, "/api/docs/index.txt"))[2] == b"API docs\n"
        assert (await http(server, "/styled"))[2] == b"styled with body { color: teal }\n"
        # Nothing matches: the Worker runs, and hands back what the assets say (404-page).
        status, _, body = await http(server, "/nowhere/at/all")
        assert (status, body) == (404, b"<!doctype html><title>Not here</title>\n")
        # A POST is the Worker's, even where an asset exists.
        assert (await http(server, "/api/x", method="POST", body=b""))[
            2
        ] == b'{"hello": "/api/x", "method": "POST"}'


@pytest.mark.parametrize(
    ("mode", "path", "expected"),
    [
        ("auto-trailing-slash", "/about", ("asset", "about.html")),
        ("auto-trailing-slash", "/about.html", ("redirect", "/about")),
        ("auto-trailing-slash", "/about/", ("redirect", "/about")),
        ("auto-trailing-slash", "/blog", ("redirect", "/blog/")),
        ("auto-trailing-slash", "/blog/index.html", ("redirect", "/blog/")),
        ("auto-trailing-slash", "/index.html", ("redirect", "/")),
        ("force-trailing-slash", "/about", ("redirect", "/about/")),
        ("force-trailing-slash", "/about/", ("asset", "about.html")),
        ("drop-trailing-slash", "/blog/", ("redirect", "/blog")),
        ("drop-trailing-slash", "/blog", ("asset", "blog/index.html")),
        ("none", "/about", None),
        ("none", "/about.html", ("asset", "about.html")),
        ("auto-trailing-slash", "/../entry.py", None),
    ],
)
def test_html_handling(mode: str, path: str, expected: tuple[str, str] | None) -> None:
    public = Path(__file__).parent / "projects" / "site" / "public"
    found = Assets(public, html_handling=mode).resolve(path)
    if found is not None and found[0] == "asset":
        found = ("asset", found[1].relative_to(public).as_posix())
    assert found == expected


async def test_an_assets_only_project_as_a_single_page_application(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<p>app</p>")
    (tmp_path / "wrangler.jsonc").write_text(
        '{"name": "spa", "assets": {"directory": "./dist", "not_found_handling": "single-page-application"}}'
    )
    async with served(tmp_path) as server:
        status, _, body = await http(server, "/deep/link")
        assert (status, body) == (200, b"<p>app</p>")
        status, _, body = await http(server, "/index.html?x=1")  # urllib follows the 307 to /?x=1
        assert (status, body) == (200, b"<p>app</p>")
