"""A WSGI application through Cloudflare's WSGI adapter (``workers.wsgi``), over real HTTP."""

from __future__ import annotations

from harness import http, served


async def test_a_wsgi_app_reads_its_input_and_streams_its_answer() -> None:
    async with served("wsgi-app") as server:
        status, headers, body = await http(server, "/things", method="POST", body=b"hello")
        assert (status, body) == (201, b"method=POST body=hello")
        assert headers["x-path"] == "/things"
        status, _, body = await http(server, "/")
        assert (status, body) == (201, b"method=GET body=")
